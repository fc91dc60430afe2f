// Bulletins (通告): the demo's week in four languages; who sees a bulletin (a resident of
// another block gets 404, as does anyone before the publishing time or after a
// withdrawal); the reader's language with the Chinese text as the fallback; revisions
// that keep the older texts; receipts per household (a household read by two members
// counts once, a leader's confirmation counts, the call list is right); validation that
// names the field; retried writes; the printable notice and the public cacheable page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, createUser, walkList } from '../lib/api-helpers.mjs';

let srv;
const c = {};
const ids = {};
const zh = (title, body = `${title}的正文`) => ({ title, body });
const inHours = (h) => new Date(Date.now() + h * 3600000).toISOString().replace(/\.\d+Z$/, 'Z');

async function write(body) {
  const r = await c.committee.post('/api/v1/bulletins', body);
  assert.equal(r.status, 201, r.text);
  return r.json.bulletin;
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  ids.block = c.block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  ids.household = c.resident.me.user.roles.find((r) => r.role === 'resident').scope_id;
  ids.zone = c.zone.me.user.roles.find((r) => r.role === 'zone_leader').scope_id;
  const hh = await c.committee.get(`/api/v1/households/${ids.household}`);
  assert.equal(hh.status, 200, hh.text);
  ids.residentBlock = hh.json.household?.block_id ?? hh.json.block_id;
  assert.ok(ids.residentBlock && ids.residentBlock !== ids.block, 'the resident lives outside the block leader\'s block');
});
after(async () => { await srv?.stop(); });

test('the demo has a week of daily bulletins in four languages, a rumour clarified and an urgent one', async () => {
  const all = listItems(await c.committee.get('/api/v1/bulletins?limit=50'));
  assert.equal(all.filter((b) => b.kind === 'daily').length, 7);
  const rumour = all.find((b) => b.kind === 'rumour');
  assert.ok(rumour.rumour, 'the rumour is quoted');
  const urgent = all.find((b) => b.kind === 'urgent');
  assert.ok(all.indexOf(urgent) < all.findIndex((b) => !b.pinned), 'pinned first');
  const one = (await c.committee.get(`/api/v1/bulletins/${all.find((b) => b.kind === 'daily').id}`)).json.bulletin;
  assert.deepEqual(one.languages.sort(), ['en', 'ja', 'ko', 'zh-CN']);
  const r = (await c.committee.get(`/api/v1/bulletins/${urgent.id}/receipts`)).json;
  assert.ok(r.totals.read > 0 && r.totals.unread > 0 && r.totals.confirmed > 0, JSON.stringify(r.totals));
});

test('scope: a block\'s bulletin is for its people and leaders; others get 404', async () => {
  const b = await write({ kind: 'notice', texts: { 'zh-CN': zh('一号楼停水通知') }, scope: 'blocks', block_ids: [ids.block] });
  assert.equal((await c.block.get(`/api/v1/bulletins/${b.id}`)).status, 200);
  assert.equal((await c.zone.get(`/api/v1/bulletins/${b.id}`)).status, 200);
  assertError(await c.resident.get(`/api/v1/bulletins/${b.id}`), 404, 'not_found');
  assertError(await c.volunteer.get(`/api/v1/bulletins/${b.id}`), 404, 'not_found');
  assertError(await c.resident.post(`/api/v1/bulletins/${b.id}/read`, {}), 404, 'not_found');
  assert.ok(!listItems(await c.resident.get('/api/v1/bulletins?limit=100')).some((x) => x.id === b.id));
  // Leaders only for the counts; the resident's own block gets a bulletin they see.
  assertError(await c.resident.get(`/api/v1/bulletins/${b.id}/receipts`), 403, 'forbidden');
  const mine = await write({ kind: 'notice', texts: { 'zh-CN': zh('二单元通知') }, scope: 'blocks', block_ids: [ids.residentBlock] });
  assert.equal((await c.resident.get(`/api/v1/bulletins/${mine.id}`)).status, 200);
  assertError(await c.block.get(`/api/v1/bulletins/${mine.id}`), 404, 'not_found');
  // Only the committee writes.
  assertError(await c.block.post('/api/v1/bulletins', { kind: 'notice', texts: { 'zh-CN': zh('x') } }), 403, 'forbidden');
  assertError(await c.resident.patch(`/api/v1/bulletins/${mine.id}`, { pinned: true }), 403, 'forbidden');
});

test('the reader\'s language, else the Chinese text', async () => {
  const b = await write({ kind: 'notice', texts: { 'zh-CN': zh('中文标题'), en: zh('English title', 'English body') } });
  const ja = await c.resident.get(`/api/v1/bulletins/${b.id}`, { 'Accept-Language': 'ja' });
  assert.equal(ja.json.bulletin.lang, 'zh-CN');
  assert.equal(ja.json.bulletin.title, '中文标题');
  const en = await c.resident.get(`/api/v1/bulletins/${b.id}?text_lang=en`);
  assert.equal(en.json.bulletin.title, 'English title');
  const ko = await c.resident.get(`/api/v1/bulletins/${b.id}?text_lang=ko`);
  assert.equal(ko.json.bulletin.lang, 'zh-CN');
  const jaDemo = listItems(await c.resident.get('/api/v1/bulletins?kind=daily&text_lang=ja'))[0];
  assert.equal(jaDemo.lang, 'ja');
  assert.match(jaDemo.title, /毎日/);
});

test('a bulletin for later is not seen before its time; staff see it as scheduled', async () => {
  const b = await write({ kind: 'notice', texts: { 'zh-CN': zh('明早的安排') }, publish_at: inHours(12) });
  assert.equal(b.scheduled, true);
  assertError(await c.resident.get(`/api/v1/bulletins/${b.id}`), 404, 'not_found');
  assert.ok(!listItems(await c.resident.get('/api/v1/bulletins?limit=100')).some((x) => x.id === b.id));
  assert.ok(listItems(await c.committee.get('/api/v1/bulletins?limit=100')).find((x) => x.id === b.id).scheduled);
  const now = await c.committee.patch(`/api/v1/bulletins/${b.id}`, { publish_at: null });
  assert.equal(now.status, 200, now.text);
  assert.equal((await c.resident.get(`/api/v1/bulletins/${b.id}`)).status, 200);
});

test('a revision keeps the older version; readers see it marked revised; a withdrawal hides it', async () => {
  const b = await write({ kind: 'notice', texts: { 'zh-CN': zh('取件时间 9:00') } });
  const r = await c.committee.patch(`/api/v1/bulletins/${b.id}`, { texts: { 'zh-CN': zh('取件时间改为 10:00'), en: zh('Parcels at 10:00') } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.bulletin.version, 2);
  const seen = (await c.resident.get(`/api/v1/bulletins/${b.id}`)).json.bulletin;
  assert.equal(seen.revised, true);
  assert.ok(seen.revised_text);
  assert.equal(seen.title, 'Parcels at 10:00', 'an English reader gets the English text added by the revision');
  assert.equal((await c.resident.get(`/api/v1/bulletins/${b.id}?text_lang=zh-CN`)).json.bulletin.title, '取件时间改为 10:00');
  const v = (await c.committee.get(`/api/v1/bulletins/${b.id}/versions`)).json.versions;
  assert.deepEqual(v.map((x) => x.version), [2, 1]);
  assert.equal(v[1].texts['zh-CN'].title, '取件时间 9:00');
  assertError(await c.block.get(`/api/v1/bulletins/${b.id}/versions`), 403, 'forbidden');
  assert.equal((await c.committee.post(`/api/v1/bulletins/${b.id}/withdraw`, {})).status, 200);
  assertError(await c.resident.get(`/api/v1/bulletins/${b.id}`), 404, 'not_found');
  assertError(await c.committee.post(`/api/v1/bulletins/${b.id}/withdraw`, {}), 409, 'conflict');
  assertError(await c.committee.patch(`/api/v1/bulletins/${b.id}`, { pinned: true }), 409, 'conflict');
});

test('receipts: one per household, leaders confirm, the call list is right', async () => {
  const b = await write({ kind: 'urgent', texts: { 'zh-CN': zh('今晚加测') }, scope: 'zones', zone_ids: [ids.zone] });
  const before = (await c.committee.get(`/api/v1/bulletins/${b.id}/receipts`)).json;
  assert.equal(before.totals.read, 0);
  const unread0 = await walkList(c.committee, `/api/v1/bulletins/${b.id}/unread?block_id=${ids.residentBlock}`);
  assert.ok(unread0.some((h) => h.id === ids.household));
  // Two members of the household read it: one receipt, the first reader's.
  const other = await createUser(c.committee, { roles: [{ role: 'resident', scope_id: ids.household }] });
  const second = await loggedIn(srv.url, other.username, other.password);
  const r1 = await c.resident.post(`/api/v1/bulletins/${b.id}/read`, {});
  assert.equal(r1.status, 200, r1.text);
  assert.equal(r1.json.recorded, 1);
  const r2 = await second.post(`/api/v1/bulletins/${b.id}/read`, {});
  assert.equal(r2.json.recorded, 0);
  assert.equal(r2.json.households[0].first, false);
  assert.equal((await c.resident.get(`/api/v1/bulletins/${b.id}`)).json.bulletin.read, true);
  let after = (await c.committee.get(`/api/v1/bulletins/${b.id}/receipts`)).json;
  assert.equal(after.totals.read, 1);
  const unread1 = await walkList(c.committee, `/api/v1/bulletins/${b.id}/unread?block_id=${ids.residentBlock}`);
  assert.equal(unread1.length, unread0.length - 1);
  assert.ok(!unread1.some((h) => h.id === ids.household));
  // The block leader calls a household of their block; not one of another block.
  const mine = (await walkList(c.block, `/api/v1/bulletins/${b.id}/unread`))[0];
  assert.equal(mine.block_id, ids.block);
  assertError(await c.block.post(`/api/v1/bulletins/${b.id}/receipts/${mine.id}`, { method: 'fax' }), 400, 'validation_failed', 'method');
  const conf = await c.block.post(`/api/v1/bulletins/${b.id}/receipts/${mine.id}`, { method: 'phone' });
  assert.equal(conf.status, 201, conf.text);
  assert.equal(conf.json.receipt.method, 'phone');
  const again = await c.block.post(`/api/v1/bulletins/${b.id}/receipts/${mine.id}`, { method: 'visit' });
  assert.equal(again.status, 200);
  assert.equal(again.json.already, true);
  assertError(await c.block.post(`/api/v1/bulletins/${b.id}/receipts/${ids.household}`, { method: 'phone' }), 404, 'not_found');
  assertError(await c.resident.post(`/api/v1/bulletins/${b.id}/receipts/${ids.household}`, { method: 'phone' }), 403, 'forbidden');
  after = (await c.committee.get(`/api/v1/bulletins/${b.id}/receipts`)).json;
  assert.equal(after.totals.read, 2);
  assert.equal(after.totals.confirmed, 1);
  const blockRow = (await c.block.get(`/api/v1/bulletins/${b.id}/receipts`)).json.blocks;
  assert.deepEqual(blockRow.map((x) => x.block_id), [ids.block], 'the block leader sees their block only');
  assert.equal(blockRow[0].read, 1);
  assert.ok(!(await walkList(c.block, `/api/v1/bulletins/${b.id}/unread`)).some((h) => h.id === mine.id));
  // The audit names the confirmation.
  const audit = listItems(await c.committee.get('/api/v1/audit?limit=20'));
  assert.ok(audit.some((a) => a.action === 'bulletin.confirm'), JSON.stringify(audit.slice(0, 3)));
  // The call list prints and exports.
  const print = await c.block.get(`/api/v1/bulletins/${b.id}/unread?print=1`);
  assert.equal(print.status, 200);
  assert.match(print.headers.get('content-type'), /text\/html/);
  const csv = await c.block.get(`/api/v1/bulletins/${b.id}/unread?format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.text, /Room/);
  // The counts per block export and print too: the block leader's one row.
  const perBlock = listItems(await c.block.get(`/api/v1/bulletins/${b.id}/receipts/blocks`));
  assert.deepEqual(perBlock.map((x) => [x.block_id, x.read, x.confirmed]), [[ids.block, 1, 1]]);
  const blocksCsv = await c.committee.get(`/api/v1/bulletins/${b.id}/receipts/blocks?format=csv`);
  assert.equal(blocksCsv.status, 200);
  assert.match(blocksCsv.text, /Block,Households,Read,Confirmed,Unread|Zone,Block,Households/);
  assert.equal((await c.committee.get(`/api/v1/bulletins/${b.id}/receipts/blocks?print=1`)).status, 200);
  assertError(await c.resident.get(`/api/v1/bulletins/${b.id}/receipts/blocks`), 403, 'forbidden');
  // The urgent bulletin told the members in its scope.
  const told = listItems(await c.resident.get('/api/v1/notifications'));
  assert.ok(told.some((n) => n.kind === 'bulletin_urgent' && n.params.bulletin_id === b.id));
});

test('validation names the field and the reason', async () => {
  const bad = async (body, field) => assertError(await c.committee.post('/api/v1/bulletins', body), 400, 'validation_failed', field);
  await bad({ kind: 'notice', texts: { en: zh('Only English') } }, 'texts.zh-CN');
  await bad({ kind: 'notice' }, 'texts.zh-CN');
  await bad({ kind: 'gossip', texts: { 'zh-CN': zh('x') } }, 'kind');
  await bad({ texts: { 'zh-CN': zh('x') } }, 'kind');
  await bad({ kind: 'rumour', texts: { 'zh-CN': zh('辟谣') } }, 'texts.zh-CN.rumour');
  await bad({ kind: 'notice', texts: { 'zh-CN': { title: '', body: 'x' } } }, 'texts.zh-CN.title');
  await bad({ kind: 'notice', texts: { 'zh-CN': zh('x'), en: { title: 'x'.repeat(121), body: 'y' } } }, 'texts.en.title');
  await bad({ kind: 'notice', texts: { 'zh-CN': zh('x'), fr: zh('x') } }, 'texts');
  await bad({ kind: 'notice', texts: { 'zh-CN': zh('x') }, scope: 'zones' }, 'zone_ids');
  await bad({ kind: 'notice', texts: { 'zh-CN': zh('x') }, scope: 'zones', zone_ids: [999999] }, 'zone_ids[0]');
  await bad({ kind: 'notice', texts: { 'zh-CN': zh('x') }, scope: 'blocks', block_ids: ['a'] }, 'block_ids[0]');
  await bad({ kind: 'notice', texts: { 'zh-CN': zh('x') }, scope: 'street' }, 'scope');
  await bad({ kind: 'notice', texts: { 'zh-CN': zh('x') }, publish_at: 'tomorrow' }, 'publish_at');
  await bad({ kind: 'notice', texts: { 'zh-CN': zh('x') }, pinned: 'yes' }, 'pinned');
  const zhErr = await new Client(srv.url, 'zh-CN');
  await zhErr.login('committee');
  const m = await zhErr.post('/api/v1/bulletins', { kind: 'rumour', texts: { 'zh-CN': zh('辟谣') } });
  assert.match(m.json.error.message, /谣言/);
});

test('a retried write with the same key is done once', async () => {
  const key = { 'Idempotency-Key': `bul-${Date.now()}` };
  const body = { kind: 'notice', texts: { 'zh-CN': zh('重试只发一次') } };
  const a = await c.committee.post('/api/v1/bulletins', body, key);
  const b = await c.committee.post('/api/v1/bulletins', body, key);
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(b.json.bulletin.id, a.json.bulletin.id);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  const n = listItems(await c.committee.get('/api/v1/bulletins?limit=200')).filter((x) => x.title === '重试只发一次').length;
  assert.equal(n, 1);
  const readKey = { 'Idempotency-Key': `read-${Date.now()}` };
  const r1 = await c.resident.post(`/api/v1/bulletins/${a.json.bulletin.id}/read`, {}, readKey);
  const r2 = await c.resident.post(`/api/v1/bulletins/${a.json.bulletin.id}/read`, {}, readKey);
  assert.deepEqual(r2.json, r1.json);
});

test('the draft takes today\'s figures from the dashboard', async () => {
  const d = await c.committee.get('/api/v1/bulletins/draft');
  assert.equal(d.status, 200, d.text);
  const dash = await c.committee.get('/api/v1/dashboard');
  const tiles = dash.json.tiles || dash.json.items || [];
  assert.ok(d.json.figures.length >= tiles.length - 1 && d.json.figures.length > 3);
  const residents = d.json.figures.find((f) => f.key === 'residents') || d.json.figures[0];
  assert.ok(d.json.texts['zh-CN'].body.includes(String(residents.value)));
  assert.ok(d.json.texts.en.body.includes(residents.label) || d.json.texts.en.body.length > 50);
  assertError(await c.block.get('/api/v1/bulletins/draft'), 403, 'forbidden');
});

test('the wall notice and the public page', async () => {
  const b = await write({ kind: 'notice', public: true, texts: { 'zh-CN': zh('公告栏'), en: zh('Notice board'), ko: zh('게시판') } });
  const print = await c.resident.get(`/api/v1/bulletins/${b.id}/print?langs=zh-CN,ko`);
  assert.equal(print.status, 200);
  assert.match(print.text, /<svg/);
  assert.match(print.text, /게시판/);
  assert.doesNotMatch(print.text, /Notice board/);
  assert.match(print.text, new RegExp(`/public/communities/\\d+/bulletins`));
  const cid = c.committee.me.community.id;
  const anon = new Client(srv.url);
  const p = await anon.get(`/api/v1/public/communities/${cid}/bulletins`);
  assert.equal(p.status, 200, p.text);
  assert.match(p.headers.get('cache-control'), /public/);
  const etag = p.headers.get('etag');
  assert.ok(etag);
  const item = p.json.items.find((x) => x.id === b.id);
  assert.equal(item.texts.ko.title, '게시판');
  assert.ok(!p.text.includes(c.committee.me.user.display_name), 'no names');
  assert.ok(!p.json.items.some((x) => x.kind === 'urgent'), 'the demo\'s urgent one is not public');
  const again = await anon.get(`/api/v1/public/communities/${cid}/bulletins`, { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assertError(await anon.get('/api/v1/public/communities/999999/bulletins'), 404, 'not_found');
});
