// Testing rounds, coverage: per block and zone of a leader's scope, who is expected,
// sampled, exempt, still to test and waiting for a door-to-door visit, counted from the
// rows so a registration shows at once; the not-tested list with phones for the
// leaders who call, its filters, exports and the printed sheet per block; "called"
// marks kept as history; denials for residents, volunteers and other blocks' leaders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, stopServer } from '../lib/api-helpers.mjs';
import { dbInt, dbRows } from '../lib/db-query.mjs';

let srv;
const c = {};
let myBlock, myZone, sameZone, round, people, neighbours;

// A counted sample as a station writes it (the station's own routes are tested apart).
function sample(residentId) {
  dbRows(srv.db, `INSERT INTO test_samples (community_id, round_id, resident_id, household_id, via, state, taken_at,
    created_at) SELECT r.community_id, ${round.id}, r.id, r.household_id, 'station', 'counted', 1, 1 FROM residents r
    WHERE r.id = ${residentId}`);
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  myBlock = c.block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const blocks = (await c.committee.get('/api/v1/blocks?limit=500')).json.items;
  myZone = blocks.find((b) => b.id === myBlock).zone_id;
  sameZone = blocks.find((b) => b.zone_id === myZone && b.id !== myBlock).id;
  people = await walkList(c.committee, `/api/v1/residents?block_id=${myBlock}`);
  neighbours = await walkList(c.committee, `/api/v1/residents?block_id=${sameZone}`);
  const r = await c.committee.post('/api/v1/test-rounds', { name: '覆盖率测试', on_day: '2026-12-07',
    kind: 'pcr_pooled', scope: { zones: [myZone] } });
  assert.equal(r.status, 201, r.text);
  round = r.json;
  assert.equal((await c.committee.post(`/api/v1/test-rounds/${round.id}/open`)).status, 200);
});
after(async () => { await stopServer(srv); });

const expectedIn = (blockId) => dbInt(srv.db, `SELECT COUNT(*) FROM residents r JOIN households h ON
  h.id = r.household_id WHERE h.block_id = ${blockId} AND r.moved_out_at IS NULL AND h.status IN ('occupied',
  'rented_out')`);

test('coverage per block and zone follows the rows as they come', async () => {
  const path = `/api/v1/test-rounds/${round.id}/coverage`;
  const first = await c.block.get(path);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.round.id, round.id);
  assert.equal(first.json.round.name, '覆盖率测试');
  assert.equal(first.json.zones.length, 1);
  const blocks = first.json.zones[0].blocks;
  assert.deepEqual(blocks.map((b) => b.id), [myBlock], 'a block leader sees their block');
  const n = expectedIn(myBlock);
  assert.ok(n > 3);
  assert.deepEqual(first.json.totals, { expected: n, sampled: 0, exempt: 0, to_test: n, door_to_door: 0 });

  sample(people[0].id);
  sample(people[1].id);
  const ex = await c.block.post(`/api/v1/test-rounds/${round.id}/exemptions`, { resident_id: people[2].id,
    reason: 'recovered' });
  assert.equal(ex.status, 201, ex.text);
  const door = await c.block.post(`/api/v1/test-rounds/${round.id}/door-visits`, { resident_id: people[3].id,
    reason: 'other' });
  assert.equal(door.status, 201, door.text);
  const now = (await c.block.get(path)).json;
  assert.deepEqual(now.totals, { expected: n, sampled: 2, exempt: 1, to_test: n - 3, door_to_door: 1 });
  assert.deepEqual(now.zones[0].blocks[0].sampled, 2);

  const zone = (await c.zone.get(path)).json;
  assert.equal(zone.zones.length, 1);
  assert.ok(zone.zones[0].blocks.length > 1);
  assert.equal(zone.zones[0].expected, zone.zones[0].blocks.reduce((a, b) => a + b.expected, 0));
  assert.equal(zone.totals.sampled, 2);
  const all = (await c.committee.get(path)).json;
  assert.deepEqual(all.totals, zone.totals, 'the round covers one zone: the committee sees the same');

  assertError(await c.resident.get(path), 403, 'forbidden');
  assertError(await c.volunteer.get(path), 403, 'forbidden');
  assertError(await c.block.get('/api/v1/test-rounds/99999999/coverage'), 404, 'not_found');
});

test('the not-tested list: who, where, phone, door-to-door; filters, exports and the sheet per block', async () => {
  const path = `/api/v1/test-rounds/${round.id}/not-tested`;
  const mine = await walkList(c.block, path);
  const n = expectedIn(myBlock);
  assert.equal(mine.length, n - 3);
  const ids = new Set(mine.map((p) => p.resident_id));
  assert.ok(!ids.has(people[0].id) && !ids.has(people[2].id), 'the sampled and exempt are not on it');
  assert.ok(mine.every((p) => p.block_id === myBlock && p.room && p.name));
  const d = mine.find((p) => p.resident_id === people[3].id);
  assert.equal(d.door_to_door, true);
  assert.ok(mine.some((p) => p.phone && !p.phone.includes('*')), 'leaders see the phone to call');
  const zone = await walkList(c.zone, `${path}?block_id=${sameZone}`);
  assert.ok(zone.length > 0 && zone.every((p) => p.block_id === sameZone));
  assert.equal((await walkList(c.block, `${path}?block_id=${sameZone}`)).length, 0, 'another block: nobody');
  assert.ok((await walkList(c.committee, `${path}?zone_id=${myZone}`)).length > mine.length);
  assertError(await c.block.get(`${path}?called=maybe`), 400, 'validation_failed', 'called');
  assertError(await c.block.get(`${path}?block_id=x`), 400, 'validation_failed', 'block_id');
  assertError(await c.resident.get(path), 403, 'forbidden');
  assertError(await c.volunteer.get(path), 403, 'forbidden');

  const page = await c.block.get(`${path}?limit=2`);
  assert.equal(listItems(page).length, 2);
  assert.ok(page.json.next_cursor);
  const csv = await c.block.get(`${path}?format=csv`);
  assert.equal(csv.status, 200);
  assert.ok(csv.text.includes(mine[0].name));
  assert.equal((await c.block.get(`${path}?format=xlsx`)).status, 200);
  c.block.lang = 'zh-CN';
  const print = await c.block.get(`${path}?print=1&block_id=${myBlock}`);
  c.block.lang = 'en';
  assert.equal(print.status, 200);
  assert.match(print.text, /本轮未检人员 · /);
  assert.match(print.text, /已到/);
  assert.ok(print.text.includes(mine[0].name));
});

test('call marks: kept as history, the last one shown; denials outside the scope', async () => {
  const path = `/api/v1/test-rounds/${round.id}/calls`;
  const who = people[4];
  assertError(await c.block.post(path, { resident_id: who.id, outcome: 'maybe' }), 400, 'validation_failed',
    'outcome');
  c.block.lang = 'zh-CN';
  const zh = await c.block.post(path, { resident_id: who.id, outcome: 'maybe' });
  c.block.lang = 'en';
  assert.match(zh.json.error.message, /结果/);
  assertError(await c.block.post(path, { outcome: 'coming' }), 400, 'validation_failed', 'resident_id');
  assertError(await c.block.post(path, { resident_id: neighbours[0].id, outcome: 'coming' }), 404, 'not_found');
  assertError(await c.volunteer.post(path, { resident_id: who.id, outcome: 'coming' }), 403, 'forbidden');
  assertError(await c.resident.post(path, { resident_id: who.id, outcome: 'coming' }), 403, 'forbidden');
  const before = dbInt(srv.db, `SELECT COUNT(*) FROM test_calls WHERE round_id = ${round.id}`);
  assert.equal(before, 0, 'refused calls left no mark');

  const key = { 'Idempotency-Key': `tc-${Date.now()}` };
  const a = await c.block.post(path, { resident_id: who.id, outcome: 'no_answer' }, key);
  assert.equal(a.status, 201, a.text);
  assert.equal((await c.block.post(path, { resident_id: who.id, outcome: 'no_answer' }, key)).json.id, a.json.id);
  const b = await c.block.post(path, { resident_id: who.id, outcome: 'coming', note: '10 点下楼' });
  assert.equal(b.status, 201, b.text);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_calls WHERE round_id = ${round.id}`), 2);

  const list = `/api/v1/test-rounds/${round.id}/not-tested`;
  const called = await walkList(c.block, `${list}?called=1`);
  assert.deepEqual(called.map((p) => p.resident_id), [who.id]);
  assert.equal(called[0].last_call, 'coming');
  assert.equal(called[0].last_call_text, 'Coming');
  assert.equal(called[0].last_call_note, '10 点下楼');
  assert.equal(called[0].calls, 2);
  assert.ok(called[0].last_call_at && called[0].last_call_by);
  const notCalled = await walkList(c.block, `${list}?called=0`);
  assert.ok(!notCalled.some((p) => p.resident_id === who.id));
  // Sampled after the call: off the list.
  sample(who.id);
  assert.equal((await walkList(c.block, `${list}?called=1`)).length, 0);

  assert.equal((await c.committee.post(`/api/v1/test-rounds/${round.id}/close`)).status, 200);
  assertError(await c.block.post(path, { resident_id: people[5].id, outcome: 'coming' }), 409, 'conflict');
});

test('coverage per block as a list: the same counts, paged, exported, printed, in the leader\'s scope', async () => {
  const path = `/api/v1/test-rounds/${round.id}/coverage/blocks`;
  const cover = (await c.committee.get(`/api/v1/test-rounds/${round.id}/coverage`)).json;
  const fromCover = cover.zones.flatMap((z) => z.blocks);
  const all = await walkList(c.committee, `${path}?limit=1`);
  assert.deepEqual(all.map((b) => b.block_id), fromCover.map((b) => b.id).sort((x, y) => x - y));
  for (const b of all) {
    const want = fromCover.find((x) => x.id === b.block_id);
    for (const k of ['expected', 'sampled', 'exempt', 'to_test', 'door_to_door']) assert.equal(b[k], want[k], k);
  }
  const sum = (k) => all.reduce((n, b) => n + b[k], 0);
  for (const k of ['expected', 'sampled', 'exempt', 'to_test']) assert.equal(sum(k), cover.totals[k], k);
  const mine = all.find((b) => b.block_id === myBlock);
  assert.ok(mine.sampled > 0);
  assert.equal(mine.done_percent, `${Math.floor((mine.sampled + mine.exempt) * 100 / mine.expected)}%`);

  // A block leader: their block only; a zone filter that is not theirs gives nothing.
  assert.deepEqual(listItems(await c.block.get(path)).map((b) => b.block_id), [myBlock]);
  assert.deepEqual(listItems(await c.zone.get(`${path}?zone_id=${myZone}`)).map((b) => b.block_id).sort(),
    fromCover.map((b) => b.id).sort());
  assertError(await c.committee.get(`${path}?zone_id=x`), 400, 'validation_failed', 'zone_id');

  c.committee.lang = 'zh-CN';
  const csv = await c.committee.get(`${path}?format=csv`);
  c.committee.lang = 'en';
  assert.equal(csv.status, 200, csv.text);
  assert.match(csv.text.split('\n')[0], /楼组.*应检.*已采.*免检.*未检.*完成率/);
  assert.equal(csv.text.trim().split('\n').length, all.length + 1);
  assert.match((await c.committee.get(`${path}?format=csv`)).text.split('\n')[0], /Block.*Expected.*Sampled.*Done/);
  const xlsx = await c.committee.get(`${path}?format=xlsx`);
  assert.equal(xlsx.status, 200);
  assert.match(xlsx.headers.get('content-type') || '', /spreadsheet/);
  c.block.lang = 'zh-CN';
  const print = await c.block.get(`${path}?print=1`);
  c.block.lang = 'en';
  assert.equal(print.status, 200);
  assert.match(print.text, /<table/);
  assert.match(print.text, /各楼组检测进度/);

  assertError(await c.resident.get(path), 403, 'forbidden');
  assertError(await c.volunteer.get(path), 403, 'forbidden');
  assertError(await c.committee.get('/api/v1/test-rounds/999999/coverage/blocks'), 404, 'not_found');
});
