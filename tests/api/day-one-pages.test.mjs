// Prints that say where and when, in the language chosen in the app: the header names
// the community, the block, the local time and who printed; ?lang= and the app's
// sw_lang cookie choose the language; an unknown ?lang= is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, loggedIn, stopServer } from '../lib/api-helpers.mjs';
import { dbRows } from '../lib/db-query.mjs';

let srv;
let block;
let blockId;

before(async () => {
  srv = await startServer();
  block = await loggedIn(srv.url, 'block', undefined, 'zh-CN');
  blockId = block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
});

after(async () => {
  await stopServer(srv);
});

// "2026-12-04 02:29" in China Standard Time, the demo community's zone, to the minute.
function localMinute(offsetMinutes = 0) {
  const d = new Date(Date.now() + (8 * 60 + offsetMinutes) * 60000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

test('a block list printed says which community and block, when in local time, and who printed it', async () => {
  const [[blockName]] = dbRows(srv.db, `SELECT name FROM blocks WHERE id = ${blockId}`);
  const [[community]] = dbRows(srv.db, 'SELECT name FROM communities WHERE id = 1');
  for (const list of ['care-list', 'call-list', 'households']) {
    const before = localMinute(0);
    const r = await block.get(`/api/v1/blocks/${blockId}/${list}?print=1`);
    const after = localMinute(0);
    assert.equal(r.status, 200, r.text.slice(0, 200));
    const h1 = r.text.match(/<h1>([^<]*)<\/h1>/)[1];
    assert.ok(h1.includes(blockName), `${list}: the title names the block: ${h1}`);
    const meta = r.text.match(/<p class="print-meta">([^<]*)<\/p>/)[1];
    assert.ok(meta.includes(community), `${list}: ${meta}`);
    assert.ok(meta.includes(before) || meta.includes(after), `${list}: local time ${before} in ${meta}`);
    assert.ok(meta.includes(block.me.user.display_name), `${list}: who printed: ${meta}`);
    assert.ok(!/\d{4}-\d\d-\d\dT\d\d:\d\d/.test(r.text), `${list}: no UTC time on paper`);
  }
});

test('prints follow the language chosen in the app: ?lang=, else the sw_lang cookie, else the browser', async () => {
  const zh = await block.get(`/api/v1/blocks/${blockId}/care-list?print=1`);
  assert.match(zh.text, /<html lang="zh-CN">/);
  const en = await block.get(`/api/v1/blocks/${blockId}/care-list?print=1&lang=en`);
  assert.match(en.text, /<html lang="en">/);
  assert.match(en.text, /Printed/i);
  const cookie = new Client(srv.url, 'zh-CN');
  cookie.cookie = `${block.cookie}; sw_lang=en`;
  const viaCookie = await cookie.get(`/api/v1/blocks/${blockId}/care-list?print=1`);
  assert.match(viaCookie.text, /<html lang="en">/, 'the app language wins over the browser');
  assertError(await block.get(`/api/v1/blocks/${blockId}/care-list?print=1&lang=fr`), 400, 'validation_failed', 'lang');
  const csv = await block.get(`/api/v1/blocks/${blockId}/care-list?format=csv&lang=en`);
  assert.equal(csv.status, 200);
  assert.ok(!/[\u4e00-\u9fff]/.test(csv.text.split('\n')[0]), `an English header row: ${csv.text.split('\n')[0]}`);
});

test('a resident sees the block leader of their own household, with a phone to call; not another household', async () => {
  const resident = await loggedIn(srv.url, 'resident');
  const own = resident.me.user.roles.find((r) => r.role === 'resident').scope_id;
  const r = await resident.get(`/api/v1/households/${own}`);
  assert.equal(r.status, 200, r.text);
  const leaders = r.json.household.block_leaders;
  const posts = dbRows(srv.db, `SELECT COUNT(*) FROM structure_leaders s JOIN households h ON h.block_id = s.block_id
    WHERE h.id = ${own} AND s.position IN ('leader', 'deputy')`)[0][0];
  assert.equal(leaders.length, Number(posts), JSON.stringify(leaders));
  assert.ok(leaders.length >= 1, 'the demo block has a leader');
  assert.ok(leaders.every((l) => l.name && ['leader', 'deputy'].includes(l.position)), JSON.stringify(leaders));
  const [[other]] = dbRows(srv.db, `SELECT id FROM households WHERE community_id = 1 AND id <> ${own} LIMIT 1`);
  assertError(await resident.get(`/api/v1/households/${other}`), 404, 'not_found');
});

test('a leader /me names the block (zone and block), never a number', async () => {
  const role = block.me.user.roles.find((r) => r.role === 'block_leader');
  const [[zone, name]] = dbRows(srv.db, `SELECT COALESCE(z.name, ''), b.name FROM blocks b
    LEFT JOIN zones z ON z.id = b.zone_id WHERE b.id = ${blockId}`);
  assert.equal(role.scope_name, zone ? `${zone} ${name}` : name);
  const me = await block.get('/api/v1/me');
  assert.equal(me.json.user.roles.find((r) => r.role === 'block_leader').scope_name, role.scope_name);
  const zoneLeader = await loggedIn(srv.url, 'zone');
  const zr = zoneLeader.me.user.roles.find((r) => r.role === 'zone_leader');
  const [[zoneName]] = dbRows(srv.db, `SELECT name FROM zones WHERE id = ${zr.scope_id}`);
  assert.equal(zr.scope_name, zoneName);
});

test('an open sweep counts the households left in the leader\'s blocks only, and one fewer after a visit', async () => {
  const committee = await loggedIn(srv.url, 'committee');
  const mine = dbRows(srv.db, `SELECT id FROM households WHERE community_id = 1 AND block_id = ${blockId} ORDER BY id
    LIMIT 3`).map((r) => Number(r[0]));
  const others = dbRows(srv.db, `SELECT id FROM households WHERE community_id = 1 AND block_id <> ${blockId} ORDER BY id
    LIMIT 4`).map((r) => Number(r[0]));
  assert.equal(mine.length, 3);
  assert.equal(others.length, 4);
  const made = await committee.post('/api/v1/sweeps', { title: '剩余户数', target_kind: 'list',
    questions: [{ key: 'ok', label_zh: '是否安好', type: 'yes_no' }], household_ids: [...mine, ...others] });
  assert.equal(made.status, 201, made.text);
  const id = made.json.sweep.id;
  assert.equal((await committee.post(`/api/v1/sweeps/${id}/open`, {})).status, 200);
  const leftFor = async (client) => (await client.get('/api/v1/sweeps?state=open&limit=100')).json.items
    .find((s) => s.id === id)?.remaining;
  assert.equal(await leftFor(block), 3, 'the leader counts the three of the block');
  assert.equal(await leftFor(committee), 7, 'the committee counts all seven');
  const rec = await block.req('PUT', `/api/v1/sweeps/${id}/households/${mine[0]}`, { outcome: 'answered', answers: { ok: true } });
  assert.equal(rec.status, 200, rec.text);
  assert.equal(await leftFor(block), 2);
  assert.equal(await leftFor(committee), 6);
  const elsewhere = await block.req('PUT', `/api/v1/sweeps/${id}/households/${others[0]}`, { outcome: 'not_home' });
  assertError(elsewhere, 404, 'not_found');
  assert.equal(await leftFor(committee), 6, 'a refused record changes nothing');
  const volunteer = await loggedIn(srv.url, 'volunteer');
  assert.equal((await volunteer.get('/api/v1/sweeps?state=open')).status, 403);
});

test('a merge of two records whose ID numbers differ is refused, naming the field; they are never proposed', async () => {
  const committee = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  const cnId = (first17) => {
    const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    return first17 + '10X98765432'[[...first17].reduce((s, ch, i) => s + Number(ch) * w[i], 0) % 11];
  };
  const [[household]] = dbRows(srv.db, `SELECT id FROM households WHERE community_id = 1 AND block_id = ${blockId} LIMIT 1`);
  const add = async (id_number) => {
    const r = await committee.post('/api/v1/residents', { household_id: Number(household), name: '同名两人',
      birth_year: 1950, phone: '13900007777', id_number });
    assert.equal(r.status, 201, r.text);
    return r.json.resident.id;
  };
  const a = await add(cnId('31010119500101002'));
  const b = await add(cnId('31010119500303004'));
  const refused = await committee.post(`/api/v1/residents/${b}/merge`, { into: a });
  assertError(refused, 409, 'conflict', 'into');
  assert.match(refused.json.error.message, /证件号码/);
  assert.equal(Number(dbRows(srv.db, `SELECT COUNT(*) FROM residents WHERE id IN (${a}, ${b}) AND merged_into IS NULL`)[0][0]), 2);
  const pairs = (await committee.get('/api/v1/residents/duplicates?limit=500')).json.items;
  assert.ok(!pairs.some((p) => [a, b].includes(p.duplicate.id) && [a, b].includes(p.keep.id)), 'not proposed');
});

test('every print of a block says what, where, when and who: lists of residents and households, door-plate and personal sheets', async () => {
  const [[blockName]] = dbRows(srv.db, `SELECT name FROM blocks WHERE id = ${blockId}`);
  for (const path of [`/api/v1/residents?block_id=${blockId}&print=1`, `/api/v1/households?block_id=${blockId}&print=1`,
    `/api/v1/blocks/${blockId}/door-plates`, `/api/v1/blocks/${blockId}/personal-codes`]) {
    const before = localMinute(0);
    const r = await block.get(path);
    const after = localMinute(0);
    assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 200)}`);
    const h1 = r.text.match(/<h1>([^<]*)<\/h1>/)[1];
    assert.ok(h1.includes(blockName), `${path}: the title names the block: ${h1}`);
    const meta = r.text.match(/<p class="print-meta">([^<]*)<\/p>/)[1];
    assert.ok(meta.includes(before) || meta.includes(after), `${path}: local time ${before} in ${meta}`);
    assert.ok(meta.includes(block.me.user.display_name), `${path}: who printed: ${meta}`);
    assert.ok(!/@media print\{[^}]*\.top\{display:none/.test(r.text), `${path}: the header stays on paper`);
  }
  const en = await block.get(`/api/v1/blocks/${blockId}/door-plates?lang=en`);
  assert.match(en.text.match(/<p class="print-meta">([^<]*)<\/p>/)[1], /Printed at/);
  assertError(await block.get(`/api/v1/blocks/${blockId}/door-plates?lang=xx`), 400, 'validation_failed', 'lang');
});

test('a place is never named twice: rooms that start with the block name stand alone', async () => {
  const committee = await loggedIn(srv.url, 'committee');
  const [[household, room, name]] = dbRows(srv.db, `SELECT h.id, h.room, b.name FROM households h JOIN blocks b
    ON b.id = h.block_id WHERE h.community_id = 1 AND h.block_id = ${blockId} LIMIT 1`);
  assert.ok(room.startsWith(name), `the demo writes rooms with the block in front: ${room}`);
  for (let i = 0; i < 2; i++) {
    const r = await committee.post('/api/v1/residents', { household_id: Number(household), name: '重名住户', birth_year: 1961 });
    assert.equal(r.status, 201, r.text);
  }
  const pairs = (await committee.get('/api/v1/residents/duplicates?limit=500')).json.items;
  const ours = pairs.find((p) => p.duplicate.name === '重名住户');
  assert.equal(ours?.duplicate_place, room, JSON.stringify(ours));
  for (const p of pairs) {
    for (const place of [p.duplicate_place, p.keep_place]) {
      const [first, ...rest] = place.split(' ');
      assert.ok(!rest.join(' ').startsWith(first) || !rest.length, `named twice: ${place}`);
    }
  }
});
