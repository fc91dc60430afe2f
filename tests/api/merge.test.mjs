// Duplicate residents (likely pairs, merging with every related row) and the change
// history of households and residents, with the scope of each role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, stopServer, parseCsv } from '../lib/api-helpers.mjs';
import { dbInt } from '../lib/db-query.mjs';

let srv;
const c = {};
let block1;        // the block leader's block
let block2;        // another block
let household;     // made here, in block 1
let other;         // another community: {committee, residentId}

function cnId(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, ch, i) => s + Number(ch) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

function scopeOf(client, role) {
  return client.me.user.roles.find((r) => r.role === role).scope_id;
}

async function resident(body, client = c.committee) {
  const r = await client.post('/api/v1/residents', { household_id: household, ...body });
  assert.equal(r.status, 201, r.text);
  return r.json.resident;
}

before(async () => {
  srv = await startServer();
  for (const u of ['admin', 'committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  block1 = scopeOf(c.block, 'block_leader');
  const hh = await c.committee.get(`/api/v1/households/${scopeOf(c.resident, 'resident')}`);
  block2 = hh.json.household.block_id;
  assert.notEqual(block1, block2);
  const h = await c.committee.post('/api/v1/households', { block_id: block1, room: `M-${Date.now() % 100000}` });
  assert.equal(h.status, 201, h.text);
  household = h.json.household.id;

  // Another community with one resident.
  const made = await c.admin.post('/api/v1/communities', { name: '邻近社区', timezone: 'Asia/Shanghai' });
  assert.equal(made.status, 201, made.text);
  const u = await c.admin.post('/api/v1/users', { username: `far${Date.now() % 100000}`, display_name: 'Far',
    password: 'far-committee-1', roles: [{ role: 'committee' }], community_id: made.json.community.id });
  assert.equal(u.status, 201, u.text);
  const far = await loggedIn(srv.url, u.json.user.username, 'far-committee-1');
  const b = await far.post('/api/v1/blocks', { name: '1号楼' });
  const fh = await far.post('/api/v1/households', { block_id: b.json.block.id, room: '101' });
  const fr = await far.post('/api/v1/residents', { household_id: fh.json.household.id, name: '重复者', birth_year: 1950 });
  assert.equal(fr.status, 201, fr.text);
  other = { committee: far, residentId: fr.json.resident.id };
});

after(async () => {
  await stopServer(srv);
});

test('likely duplicates: same name and birth year, same name and phone, same ID number; committee only', async () => {
  const a = await resident({ name: '重复者', birth_year: 1950, phone: '13900002222' });
  const b = await resident({ name: '重复者', birth_year: 1950, gender: 'f', id_number: cnId('11010519500101001') });
  const p1 = await resident({ name: '同电话', birth_year: 1970, phone: '13900003333' });
  const p2 = await resident({ name: '同电话', birth_year: 1971, phone: '13900003333' });
  const lone = await resident({ name: '同电话', birth_year: 1980, phone: '13900004444' });
  // A record that moved out and came back as a new one, with the same ID number.
  const gone = await resident({ name: '迁回者', id_number: cnId('11010519600101002') });
  assert.equal((await c.committee.del(`/api/v1/residents/${gone.id}`)).status, 200);
  const back = await resident({ name: '迁回者新', id_number: cnId('11010519600101002') });

  const pairs = await walkList(c.committee, '/api/v1/residents/duplicates');
  const byDup = Object.fromEntries(pairs.map((p) => [p.duplicate.id, p]));
  assert.equal(byDup[b.id]?.keep.id, a.id, JSON.stringify(pairs.slice(-5)));
  assert.equal(byDup[b.id].reason, 'name_birth_year');
  assert.equal(byDup[b.id].duplicate.id_masked.length > 0, true);
  assert.equal(byDup[p2.id]?.keep.id, p1.id);
  assert.equal(byDup[p2.id].reason, 'name_phone');
  assert.ok(!pairs.some((p) => p.duplicate.id === lone.id || p.keep.id === lone.id), 'a different person is no pair');
  assert.equal(byDup[gone.id]?.keep.id, back.id, 'the moved-out record is merged into the current one');
  assert.equal(byDup[gone.id].reason, 'id_number');
  assert.ok(!pairs.some((p) => p.keep.id === other.residentId || p.duplicate.id === other.residentId),
    'another community is not compared');
  // CSV export of the list.
  const csv = await c.committee.get('/api/v1/residents/duplicates?format=csv&limit=500');
  assert.equal(csv.status, 200);
  assert.ok(parseCsv(csv.text).length > 1);
  for (const u of ['zone', 'block', 'volunteer', 'resident']) {
    assertError(await c[u].get('/api/v1/residents/duplicates'), 403, 'forbidden');
    assertError(await c[u].post(`/api/v1/residents/${b.id}/merge`, { into: a.id }), 403, 'forbidden');
  }
});

test('two records with different ID numbers are never proposed and cannot be merged; a pair says what is the same and what differs', async () => {
  const x = await resident({ name: '同名不同人', birth_year: 1955, phone: '13900005555', id_number: cnId('11010519550101003') });
  const y = await resident({ name: '同名不同人', birth_year: 1955, phone: '13900005555', id_number: cnId('11010519550202004') });
  const z = await resident({ name: '同名不同人', birth_year: 1955, gender: 'm' });
  const pairs = await walkList(c.committee, '/api/v1/residents/duplicates');
  const involving = (id) => pairs.filter((p) => p.duplicate.id === id || p.keep.id === id);
  assert.ok(!pairs.some((p) => [p.duplicate.id, p.keep.id].includes(x.id) && [p.duplicate.id, p.keep.id].includes(y.id)),
    'two different ID numbers are two people');
  const zp = involving(z.id).find((p) => p.reason === 'name_birth_year');
  assert.ok(zp, JSON.stringify(involving(z.id)));
  assert.deepEqual(zp.same.filter((f) => ['name', 'birth_year'].includes(f)).sort(), ['birth_year', 'name']);
  assert.ok(!zp.differs.includes('id_number'), 'a record without a number differs in nothing there');
  assert.ok(zp.same_text.includes('name') && zp.same_text.includes('birth year'), zp.same_text);
  const zh = await c.committee.get('/api/v1/residents/duplicates?format=csv&limit=500', { 'Accept-Language': 'zh-CN' });
  assert.ok(zh.text.includes('姓名、出生年份'), 'the export says the same fields in words');
  const refused = await c.committee.post(`/api/v1/residents/${y.id}/merge`, { into: x.id });
  assertError(refused, 409, 'conflict', 'into');
  assert.match(refused.json.error.message, /ID numbers|different/);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM residents WHERE id IN (${x.id}, ${y.id}) AND merged_into IS NULL`), 2);
});

test('merge moves flags with history, travel and sweep answers, fills empty fields, audits both ids', async () => {
  const keep = await resident({ name: '合并甲', birth_year: 1948, phone: '13900005555' });
  const dup = await resident({ name: '合并甲', birth_year: 1948, gender: 'm', birth_date: '1948-05-06',
    id_number: cnId('11010519480506003') });
  const setFlag = async (id, flag, detail) => {
    const r = await c.committee.post(`/api/v1/residents/${id}/flags`, { flag, detail });
    assert.equal(r.status, 201, r.text);
  };
  await setFlag(keep.id, 'alone_elderly', { note: 'a' });
  await setFlag(dup.id, 'alone_elderly', { note: 'b' });
  await setFlag(dup.id, 'chronic_illness', { condition: '哮喘' });
  await setFlag(dup.id, 'bedridden', {});
  assert.equal((await c.committee.del(`/api/v1/residents/${dup.id}/flags/bedridden`)).status, 200);
  assert.equal((await c.committee.post(`/api/v1/residents/${dup.id}/travel`, { place: '上海', from_date: '2026-01-02' })).status, 201);
  const s = await c.committee.post('/api/v1/sweeps', { title: '合并测试', questions: [{ key: 'ok', label_zh: '好', type: 'yes_no' }],
    target_kind: 'list', household_ids: [household] });
  await c.committee.post(`/api/v1/sweeps/${s.json.sweep.id}/open`, {});
  const rec = await c.block.req('PUT', `/api/v1/sweeps/${s.json.sweep.id}/households/${household}`,
    { outcome: 'answered', answers: { ok: true }, resident_id: dup.id });
  assert.equal(rec.status, 200, rec.text);

  // The duplicate leads a block of the same zone: the post passes to the kept record.
  const zoneId = (await c.committee.get(`/api/v1/blocks/${block1}`)).json.block.zone_id;
  const led = await c.committee.post('/api/v1/blocks', { name: `合并楼${Date.now() % 100000}`, zone_id: zoneId });
  assert.equal(led.status, 201, led.text);
  const post = await c.committee.req('PUT', `/api/v1/blocks/${led.json.block.id}/leaders`, { leader: { resident_id: dup.id } });
  assert.equal(post.status, 200, post.text);

  assertError(await c.committee.post(`/api/v1/residents/${dup.id}/merge`, {}), 400, 'validation_failed', 'into');
  assertError(await c.committee.post(`/api/v1/residents/${dup.id}/merge`, { into: dup.id }), 400, 'validation_failed', 'into');
  assertError(await c.committee.post(`/api/v1/residents/${dup.id}/merge`, { into: other.residentId }), 404, 'not_found', 'into');
  assertError(await other.committee.post(`/api/v1/residents/${other.residentId}/merge`, { into: keep.id }), 404, 'not_found', 'into');
  assertError(await other.committee.post(`/api/v1/residents/${dup.id}/merge`, { into: other.residentId }), 404, 'not_found');

  const m = await c.committee.post(`/api/v1/residents/${dup.id}/merge`, { into: keep.id });
  assert.equal(m.status, 200, m.text);
  assert.deepEqual(m.json.moved, { flags: 3, travel: 1, sweep_answers: 1, signups: 0, posts: 1, account: 0, scan_code: 0 });
  const leaders = await c.committee.get(`/api/v1/blocks/${led.json.block.id}/leaders`);
  assert.equal(leaders.status, 200, leaders.text);
  assert.deepEqual(leaders.json.leaders.map((x) => [x.position, x.resident?.id]), [['leader', keep.id]]);
  assert.equal(m.json.merged_id, dup.id);

  // The kept record has everything; one alone_elderly is current, the other in the history.
  const kept = (await c.committee.get(`/api/v1/residents/${keep.id}`)).json.resident;
  assert.equal(kept.gender, 'm');
  assert.equal(kept.birth_date, '1948-05-06');
  assert.equal(kept.phone, '13900005555');
  assert.match(kept.id_masked, /^1101/);
  assert.deepEqual([...kept.flags].sort(), ['alone_elderly', 'chronic_illness']);
  const hist = listItems(await c.committee.get(`/api/v1/residents/${keep.id}/flags?history=1`));
  assert.equal(hist.length, 4);
  assert.equal(hist.filter((f) => f.flag === 'alone_elderly' && f.current).length, 1);
  assert.equal(hist.filter((f) => f.flag === 'alone_elderly' && !f.current).length, 1);
  assert.equal(listItems(await c.committee.get(`/api/v1/residents/${keep.id}/travel`)).length, 1);
  const ans = await c.committee.get(`/api/v1/sweeps/${s.json.sweep.id}/households/${household}`);
  assert.ok(ans.text.includes(`"on_behalf_of":${keep.id}`) || ans.text.includes(`"resident_id":${keep.id}`), ans.text.slice(0, 400));

  // Nothing refers to the duplicate any more; it is moved out and gone from search.
  const id = dup.id;
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM resident_flags WHERE resident_id = ${id}`), 0);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM resident_travel WHERE resident_id = ${id}`), 0);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM sweep_answers WHERE on_behalf_of = ${id}`), 0);
  assert.equal(dbInt(srv.db, `SELECT merged_into FROM residents WHERE id = ${id}`), keep.id);
  assert.equal((await c.committee.get(`/api/v1/residents/${id}`)).json.resident.moved_out, true);
  const found = listItems(await c.committee.get(`/api/v1/residents?q=${encodeURIComponent('合并甲')}`));
  assert.deepEqual(found.map((r) => r.id), [keep.id]);
  const pairs = await walkList(c.committee, '/api/v1/residents/duplicates');
  assert.ok(!pairs.some((p) => p.duplicate.id === id || p.keep.id === id));

  // Twice, or into a merged record: conflict.
  assertError(await c.committee.post(`/api/v1/residents/${id}/merge`, { into: keep.id }), 409, 'conflict');
  assertError(await c.committee.post(`/api/v1/residents/${keep.id}/merge`, { into: id }), 409, 'conflict', 'into');

  const audit = listItems(await c.committee.get('/api/v1/audit?action=resident.merge'));
  assert.equal(audit.length, 1);
  assert.equal(audit[0].target_id, keep.id);
  assert.equal(audit[0].detail.merged_id, id);
  assert.equal(audit[0].detail.into_id, keep.id);
  assert.deepEqual(audit[0].detail.filled.sort(), ['birth_date', 'gender', 'id_number']);
  const text = JSON.stringify(audit[0]);
  for (const secret of ['合并甲', '1948-05-06', '13900005555', '哮喘', '上海']) assert.ok(!text.includes(secret), text);
  // Both records' histories show the merge.
  const h1 = listItems(await c.committee.get(`/api/v1/residents/${keep.id}/history`));
  const h2 = listItems(await c.committee.get(`/api/v1/residents/${id}/history`));
  assert.equal(h1[0].action, 'resident.merge');
  assert.equal(h2[0].action, 'resident.merge');
});

test('history: a household moved to another block and a resident moving out, newest first, in scope', async () => {
  const h = await c.committee.post('/api/v1/households', { block_id: block1, room: `H-${Date.now() % 100000}` });
  const hid = h.json.household.id;
  const r = await c.block.post('/api/v1/residents', { household_id: hid, name: '搬家人' });
  assert.equal(r.status, 201, r.text);
  const rid = r.json.resident.id;
  assert.equal((await c.block.patch(`/api/v1/households/${hid}`, { status: 'away' })).status, 200);
  assert.equal((await c.block.del(`/api/v1/residents/${rid}`)).status, 200);

  const seen = listItems(await c.block.get(`/api/v1/households/${hid}/history`));
  assert.deepEqual(seen.map((e) => e.action), ['resident.move_out', 'household.update', 'resident.create', 'household.create']);
  assert.deepEqual(seen[1].fields, ['status']);
  assert.equal(seen[1].user_name, c.block.me.user.display_name);
  const rh = listItems(await c.block.get(`/api/v1/residents/${rid}/history`));
  assert.deepEqual(rh.map((e) => e.action), ['resident.move_out', 'resident.create']);
  assert.ok(rh[0].fields.includes('from_household_id'));
  assert.ok(!JSON.stringify(rh).includes('搬家人'), 'history holds field names, not the data');

  // The committee moves the household to another block: the block leader loses it.
  const mv = await c.committee.patch(`/api/v1/households/${hid}`, { block_id: block2 });
  assert.equal(mv.status, 200, mv.text);
  const ch = listItems(await c.committee.get(`/api/v1/households/${hid}/history`));
  assert.equal(ch[0].action, 'household.update');
  assert.deepEqual(ch[0].fields, ['block_id', 'from_block_id', 'to_block_id']);
  assert.equal(ch[0].detail.from_block_id, block1);
  assert.equal(ch[0].detail.to_block_id, block2);
  assertError(await c.block.get(`/api/v1/households/${hid}/history`), 404, 'not_found');
  assertError(await c.block.get(`/api/v1/residents/${rid}/history`), 404, 'not_found');

  // Pages newest first; CSV export.
  const p1 = await c.committee.get(`/api/v1/households/${hid}/history?limit=2`);
  assert.equal(listItems(p1).length, 2);
  assert.ok(p1.json.next_cursor);
  const p2 = await c.committee.get(`/api/v1/households/${hid}/history?limit=2&cursor=${encodeURIComponent(p1.json.next_cursor)}`);
  const all = [...listItems(p1), ...listItems(p2)];
  const p3 = p2.json.next_cursor
    ? listItems(await c.committee.get(`/api/v1/households/${hid}/history?limit=2&cursor=${encodeURIComponent(p2.json.next_cursor)}`))
    : [];
  all.push(...p3);
  assert.deepEqual(all.map((e) => e.id), [...all.map((e) => e.id)].sort((x, y) => y - x));
  assert.equal(all.length, 5);
  const csv = await c.committee.get(`/api/v1/households/${hid}/history?format=csv`);
  assert.equal(csv.status, 200);
  assert.equal(parseCsv(csv.text).length, 6);

  // Another block's leader, the zone leader of another zone, volunteers and residents.
  const zoneOther = await c.zone.get(`/api/v1/households/${hid}/history`);
  assert.ok([200, 404].includes(zoneOther.status));
  for (const u of ['volunteer', 'resident']) {
    assertError(await c[u].get(`/api/v1/households/${hid}/history`), 403, 'forbidden');
    assertError(await c[u].get(`/api/v1/residents/${rid}/history`), 403, 'forbidden');
  }
  assertError(await other.committee.get(`/api/v1/households/${hid}/history`), 404, 'not_found');
  assertError(await other.committee.get(`/api/v1/residents/${rid}/history`), 404, 'not_found');
});

// The household's invite code, read from the door-plate sheet the committee prints.
async function inviteFor(householdId) {
  const r = await c.committee.post(`/api/v1/blocks/${block1}/door-plates`, {});
  assert.equal(r.status, 200, r.text.slice(0, 200));
  const card = r.text.match(new RegExp(`data-household-id="${householdId}">([\\s\\S]*?)</section>`));
  assert.ok(card, 'the household has a card');
  return card[1].match(/data-invite-code>([0-9A-Z-]+)</)[1];
}

test('merge: the duplicate\'s account follows the kept record; two accounts refuse the merge', async () => {
  const keep = await resident({ name: '账号乙', birth_year: 1960 });
  const dup = await resident({ name: '账号乙', birth_year: 1960, phone: '13900006666' });
  const code = await inviteFor(household);
  const anon = new Client(srv.url);
  const username = `dup${Date.now() % 100000}`;
  const j = await anon.post('/api/v1/join', { code, username, password: 'dup-resident-1', resident_id: dup.id });
  assert.equal(j.status, 201, j.text);
  const m = await c.committee.post(`/api/v1/residents/${dup.id}/merge`, { into: keep.id });
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.moved.account, 1);
  // The account now belongs to the kept record: that resident cannot join a second time.
  const look = await new Client(srv.url).get(`/api/v1/join/${code}`);
  assert.equal(look.status, 200, look.text);
  const kept = look.json.invite.residents.find((p) => p.id === keep.id);
  assert.equal(kept.has_account, true);
  assert.equal(look.json.invite.residents.find((p) => p.id === dup.id), undefined, 'the merged record is gone');

  // Both records with an account: nothing changes.
  const dup2 = await resident({ name: '账号乙', birth_year: 1960 });
  const j2 = await new Client(srv.url).post('/api/v1/join', { code, username: `${username}b`, password: 'dup-resident-2',
    resident_id: dup2.id });
  assert.equal(j2.status, 201, j2.text);
  assertError(await c.committee.post(`/api/v1/residents/${dup2.id}/merge`, { into: keep.id }), 409, 'conflict', 'into');
  const still = await c.committee.get(`/api/v1/residents/${dup2.id}`);
  assert.equal(still.status, 200);
  assert.equal(still.json.resident.merged_into ?? null, null);
});
