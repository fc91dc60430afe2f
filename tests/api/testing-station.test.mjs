// Testing stations: a volunteer staffing a station of an open round opens boxes and
// tubes by their codes, finds the round's people by code, name, phone tail or room, and
// registers them one durable write each; tubes fill to the round's pool size and close,
// the next one is refused; the same person twice is caught (online: told, nothing
// written; offline: kept as a conflict to settle); a registration's key is taken once,
// also through /sync, where each item has its own outcome; the station's people cache
// carries digests of the codes; door-to-door samples; denials for people who do not
// staff the station (404) and residents (403); a kill -9 after an acknowledgement
// loses nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, stopServer } from '../lib/api-helpers.mjs';
import { dbInt, cstDay } from '../lib/db-query.mjs';

let srv;
const c = {};
let round, stA, stB, people, myBlock, blockPerson;
let next = 0;
let restarted = null;

const person = () => people[next++];
const sample = (resident, tube, extra = {}) => ({ idem_key: randomUUID(), resident_id: resident.resident_id,
  tube_code: tube, ...extra });

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  myBlock = c.block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const r = await c.committee.post('/api/v1/test-rounds', { name: '站点登记测试', on_day: cstDay(0),
    kind: 'pcr_pooled', pool_size: 10 });
  assert.equal(r.status, 201, r.text);
  round = r.json;
  const path = `/api/v1/test-rounds/${round.id}/stations`;
  const a = await c.committee.post(path, { name: 'A 南门', place: '南门', opens_at: '07:00', closes_at: '11:00',
    staff: [{ user_id: c.volunteer.me.user.id, duty: 'registrar' }] });
  assert.equal(a.status, 201, a.text);
  const b = await c.committee.post(path, { name: 'B 北门', place: '北门', opens_at: '07:00', closes_at: '11:00',
    staff: [{ user_id: c.block.me.user.id, duty: 'registrar' }] });
  assert.equal(b.status, 201, b.text);
  stA = a.json.id;
  stB = b.json.id;
  // Before the round opens, nobody registers; the station's state reads.
  assertError(await c.volunteer.post(`/api/v1/test-stations/${stA}/tubes`, { code: 'EARLY-1' }), 409, 'conflict');
  assert.equal((await c.volunteer.get(`/api/v1/test-stations/${stA}/state`)).status, 200);
  assert.equal((await c.committee.post(`/api/v1/test-rounds/${round.id}/open`)).status, 200);
  const cache = await c.volunteer.get(`/api/v1/test-stations/${stA}/people`);
  assert.equal(cache.status, 200, cache.text);
  people = cache.json.people.filter((p) => !p.sampled && !p.exempt);
  // Kept aside: someone of block 1 (the block leader's scope) for the two-station conflict.
  blockPerson = people.find((p) => p.block_id === myBlock);
  people = people.filter((p) => p !== blockPerson);
  assert.ok(people.length > 100, 'the round expects the community');
});
after(async () => {
  await stopServer(srv);
  restarted?.dispose();
});

test('denials: a resident 403, a volunteer or leader not staffing the station 404, nothing written', async () => {
  const rows = dbInt(srv.db, 'SELECT COUNT(*) FROM test_samples');
  assertError(await c.resident.get(`/api/v1/test-stations/${stA}/state`), 403, 'forbidden');
  assertError(await c.resident.post(`/api/v1/test-stations/${stA}/samples`, sample(people[0], 'X')), 403, 'forbidden');
  assertError(await c.resident.get('/api/v1/test-stations'), 403, 'forbidden');
  assertError(await c.volunteer.get(`/api/v1/test-stations/${stB}/state`), 404, 'not_found');
  assertError(await c.volunteer.post(`/api/v1/test-stations/${stB}/samples`, sample(people[0], 'X')), 404, 'not_found');
  assertError(await c.volunteer.get(`/api/v1/test-stations/${stB}/people`), 404, 'not_found');
  assertError(await c.zone.post(`/api/v1/test-stations/${stA}/tubes`, { code: 'Z1' }), 404, 'not_found');
  assertError(await c.volunteer.get('/api/v1/test-stations/99999999/state'), 404, 'not_found');
  assertError(await c.volunteer.get(`/api/v1/test-rounds/${round.id}/conflicts`), 403, 'forbidden');
  assert.equal(dbInt(srv.db, 'SELECT COUNT(*) FROM test_samples'), rows);
  // The volunteer's station list holds A only; committee staff see both.
  const mine = listItems(await c.volunteer.get(`/api/v1/test-stations?round_id=${round.id}`));
  assert.deepEqual(mine.map((s) => s.id), [stA]);
  const all = listItems(await c.committee.get(`/api/v1/test-stations?round_id=${round.id}`));
  assert.deepEqual(all.map((s) => s.id), [stA, stB]);
  const csv = await c.committee.get(`/api/v1/test-stations?round_id=${round.id}&format=csv`);
  assert.ok(csv.text.includes('A 南门') && csv.text.includes('B 北门'));
  assert.equal((await c.committee.get('/api/v1/test-stations?format=xlsx')).status, 200);
  assert.match((await c.volunteer.get('/api/v1/test-stations?print=1')).text, /<table/);
});

test('bad input names the field, in English and Chinese', async () => {
  const p = people[0];
  const url = `/api/v1/test-stations/${stA}/samples`;
  assertError(await c.volunteer.post(url, { resident_id: p.resident_id, tube_code: 'T' }), 400, 'validation_failed',
    'idem_key');
  assertError(await c.volunteer.post(url, sample(p, 'x'.repeat(65))), 400, 'validation_failed', 'tube_code');
  assertError(await c.volunteer.post(url, sample(p, 'T', { taken_at: Date.now() - 5 * 86400e3 })), 400,
    'validation_failed', 'taken_at');
  assertError(await c.volunteer.post(url, sample({ resident_id: 99999999 }, 'T')), 422, 'validation_failed',
    'resident_id');
  assertError(await c.volunteer.post(`/api/v1/test-stations/${stA}/sync`, { items: {} }), 400, 'validation_failed',
    'items');
  assertError(await c.volunteer.get(`/api/v1/test-stations/${stA}/lookup`), 400, 'validation_failed', 'q');
  assertError(await c.volunteer.get(`/api/v1/test-stations/${stA}/lookup?code=hello`), 400, 'validation_failed',
    'code');
  c.volunteer.lang = 'zh-CN';
  const zh = await c.volunteer.post(url, { idem_key: 'short', resident_id: p.resident_id, tube_code: 'T' });
  assert.match(zh.json.error.message, /幂等键/);
  c.volunteer.lang = 'en';
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_tubes WHERE round_id = ${round.id}`), 0, 'no tube was made');
});

test('a tube fills to the pool size and closes; the 11th is refused; codes are once a round', async () => {
  const box = await c.volunteer.post(`/api/v1/test-stations/${stA}/boxes`, { code: 'BOX-A1' });
  assert.equal(box.status, 201, box.text);
  assertError(await c.volunteer.post(`/api/v1/test-stations/${stA}/boxes`, { code: 'BOX-A1' }), 409, 'conflict',
    'code');
  const t = await c.volunteer.post(`/api/v1/test-stations/${stA}/tubes`, { code: 'A-0001' });
  assert.equal(t.status, 201, t.text);
  assert.deepEqual([t.json.tube.samples, t.json.tube.capacity, t.json.tube.closed], [0, 10, false]);
  assertError(await c.volunteer.post(`/api/v1/test-stations/${stA}/tubes`, { code: 'A-0001' }), 409, 'conflict',
    'code');
  for (let i = 1; i <= 10; i++) {
    const r = await c.volunteer.post(`/api/v1/test-stations/${stA}/samples`, sample(person(), 'A-0001'));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'counted');
    assert.equal(r.json.tube.samples, i);
    assert.equal(r.json.tube.closed, i === 10);
  }
  const eleventh = person();
  assertError(await c.volunteer.post(`/api/v1/test-stations/${stA}/samples`, sample(eleventh, 'A-0001')), 409,
    'conflict', 'tube_code');
  next--;   // the refused person comes back for the next tube
  const state = (await c.volunteer.get(`/api/v1/test-stations/${stA}/state`)).json;
  assert.equal(state.tube, null, 'no open tube after the full one');
  assert.equal(state.box.code, 'BOX-A1');
  assert.equal(state.box.tubes, 1);
  assert.deepEqual([state.counts.samples, state.counts.tubes, state.counts.boxes], [10, 1, 1]);
  assert.equal(state.last.length, 10);
  assert.equal(dbInt(srv.db, "SELECT samples FROM test_tubes WHERE code = 'A-0001'"), 10);
  // A tube closed by hand takes no more live registrations.
  const t2 = await c.volunteer.post(`/api/v1/test-stations/${stA}/tubes`, { code: 'A-0002' });
  const closed = await c.volunteer.post(`/api/v1/test-tubes/${t2.json.tube.id}/close`);
  assert.equal(closed.json.tube.closed, true);
  assertError(await c.volunteer.post(`/api/v1/test-stations/${stA}/samples`, sample(people[next], 'A-0002')), 409,
    'conflict', 'tube_code');
  assertError(await c.block.post(`/api/v1/test-tubes/${t2.json.tube.id}/close`), 404, 'not_found');
  const bc = await c.volunteer.post(`/api/v1/test-boxes/${box.json.box.id}/close`);
  assert.equal(bc.status, 200, bc.text);
  assert.equal(bc.json.box.tubes, 2);
});

test('the same person twice online is told and not written; the same key twice is one row', async () => {
  const p = person();
  const first = sample(p, 'A-0003');
  const r1 = await c.volunteer.post(`/api/v1/test-stations/${stA}/samples`, first);
  assert.equal(r1.json.status, 'counted', r1.text);
  const again = await c.volunteer.post(`/api/v1/test-stations/${stA}/samples`, first);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.sample_id, r1.json.sample_id);
  assert.equal(again.json.status, 'counted');
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE idem_key = '${first.idem_key}'`), 1);
  const rows = dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE resident_id = ${p.resident_id}`);
  const dup = await c.volunteer.post(`/api/v1/test-stations/${stA}/samples`, sample(p, 'A-0003'));
  assert.equal(dup.status, 200, dup.text);
  assert.equal(dup.json.status, 'duplicate');
  assert.equal(dup.json.sample_id, null);
  assert.equal(dup.json.first.station, 'A 南门');
  assert.equal(dup.json.first.tube_code, 'A-0003');
  assert.match(dup.json.first.taken_at, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  assert.equal(dup.json.tube.samples, 1, 'the tube did not count the duplicate');
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE resident_id = ${p.resident_id}`), rows);
  // The key belongs to its resident.
  assertError(await c.volunteer.post(`/api/v1/test-stations/${stA}/samples`,
    { ...first, resident_id: people[next].resident_id }), 422, 'validation_failed', 'idem_key');
});

test('sync: 30 queued items with one already counted and one bad; each its own outcome; a resync adds nothing', async () => {
  const counted = people[0];
  const items = [];
  for (let i = 0; i < 28; i++) items.push(sample(person(), i < 8 ? 'A-0003' : i < 18 ? 'A-0004' : 'A-0005',
    { queued: true, taken_at: Date.now() - 60000 }));
  items.splice(5, 0, sample(counted, 'A-0003', { queued: true }));
  items.splice(17, 0, { idem_key: randomUUID(), tube_code: 'A-0004', queued: true });
  assert.equal(items.length, 30);
  const before = dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE round_id = ${round.id}`);
  const r = await c.volunteer.post(`/api/v1/test-stations/${stA}/sync`, { items });
  assert.equal(r.status, 200, r.text);
  const res = r.json.results;
  assert.equal(res.length, 30);
  assert.deepEqual(res.map((x) => x.idem_key), items.map((x) => x.idem_key));
  assert.equal(res.filter((x) => x.status === 'counted').length, 28);
  assert.equal(res[5].status, 'conflict');
  assert.equal(res[5].first.station, 'A 南门');
  assert.equal(res[17].status, 'error');
  assert.equal(res[17].error.field, 'resident_id');
  assert.ok(res[17].error.message);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE round_id = ${round.id}`), before + 29);
  // A-0003 held one and took nine more (the conflict is a swab in it too): full and closed; then A-0004
  // and A-0005 opened in turn.
  assert.equal(dbInt(srv.db, "SELECT samples FROM test_tubes WHERE code = 'A-0003'"), 10);
  assert.equal(dbInt(srv.db, "SELECT COUNT(*) FROM test_tubes WHERE code = 'A-0003' AND closed_at IS NOT NULL"), 1);
  assert.equal(dbInt(srv.db, "SELECT samples FROM test_tubes WHERE code = 'A-0004'"), 10);
  assert.equal(dbInt(srv.db, "SELECT samples FROM test_tubes WHERE code = 'A-0005'"), 10);
  const again = await c.volunteer.post(`/api/v1/test-stations/${stA}/sync`, { items });
  assert.deepEqual(again.json.results.map((x) => x.status), res.map((x) => x.status));
  assert.deepEqual(again.json.results.map((x) => x.sample_id), res.map((x) => x.sample_id));
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE round_id = ${round.id}`), before + 29);
  assert.equal(dbInt(srv.db, "SELECT samples FROM test_tubes WHERE code = 'A-0005'"), 10);
  assertError(await c.volunteer.post(`/api/v1/test-stations/${stA}/sync`,
    { items: Array.from({ length: 501 }, () => items[0]) }), 400, 'validation_failed', 'items');
});

test('two stations register one person offline: one counted, one conflict; settled with the tubes following', async () => {
  // People of block 1, where the block leader (station B) is also a leader.
  const p = blockPerson;
  assert.ok(p, 'someone of block 1');
  const a = await c.volunteer.post(`/api/v1/test-stations/${stA}/sync`,
    { items: [sample(p, 'A-0006', { queued: true })] });
  const b = await c.block.post(`/api/v1/test-stations/${stB}/sync`, { items: [sample(p, 'B-0001', { queued: true })] });
  assert.equal(a.json.results[0].status, 'counted', a.text);
  assert.equal(b.json.results[0].status, 'conflict', b.text);
  assert.equal(b.json.results[0].first.station, 'A 南门');
  const conflictId = b.json.results[0].sample_id;
  const listed = listItems(await c.committee.get(`/api/v1/test-rounds/${round.id}/conflicts`));
  const row = listed.find((x) => x.id === conflictId);
  assert.ok(row, 'the conflict is listed');
  assert.equal(row.other_station, 'A 南门');
  assert.equal(row.station, 'B 北门');
  assert.ok(listItems(await c.block.get(`/api/v1/test-rounds/${round.id}/conflicts`)).some((x) => x.id === conflictId));
  const csv = await c.committee.get(`/api/v1/test-rounds/${round.id}/conflicts?format=csv`);
  assert.ok(csv.text.includes('B-0001'));
  assert.match((await c.block.get(`/api/v1/test-rounds/${round.id}/conflicts?print=1`)).text, /<table/);
  assertError(await c.volunteer.post(`/api/v1/test-samples/${conflictId}/settle`, { keep: 'this' }), 403,
    'forbidden');
  assertError(await c.committee.post(`/api/v1/test-samples/${conflictId}/settle`, { keep: 'both' }), 400,
    'validation_failed', 'keep');
  assert.equal(dbInt(srv.db, "SELECT samples FROM test_tubes WHERE code = 'A-0006'"), 1);
  assert.equal(dbInt(srv.db, "SELECT samples FROM test_tubes WHERE code = 'B-0001'"), 1);
  // Keep B's: A's row is voided and A's tube counts one less.
  const s = await c.block.post(`/api/v1/test-samples/${conflictId}/settle`, { keep: 'this' });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.voided, a.json.results[0].sample_id);
  assert.equal(dbInt(srv.db, "SELECT samples FROM test_tubes WHERE code = 'A-0006'"), 0);
  assert.equal(dbInt(srv.db, "SELECT samples FROM test_tubes WHERE code = 'B-0001'"), 1);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE round_id = ${round.id} AND resident_id = ` +
    `${p.resident_id} AND state = 'counted'`), 1);
  assert.equal(dbInt(srv.db, `SELECT station_id FROM test_samples WHERE round_id = ${round.id} AND resident_id = ` +
    `${p.resident_id} AND state = 'counted'`), stB);
  assertError(await c.committee.post(`/api/v1/test-samples/${conflictId}/settle`, { keep: 'other' }), 409, 'conflict');
  assert.ok(!listItems(await c.committee.get(`/api/v1/test-rounds/${round.id}/conflicts`))
    .some((x) => x.id === conflictId));
  assert.ok(listItems(await c.committee.get(`/api/v1/test-rounds/${round.id}/conflicts?settled=1`))
    .some((x) => x.id === conflictId));
  const audit = await c.committee.get('/api/v1/audit?action=testing.settle&limit=5');
  assert.ok(audit.json.items.some((x) => x.target_id === conflictId && x.target_type === 'test_sample'));
});

test('look-up by personal and household code, name, phone tail; the cache digests match the codes', async () => {
  const p = people[next];
  const code = await c.committee.post(`/api/v1/residents/${p.resident_id}/scan-code`, {});
  assert.equal(code.status, 201, code.text);
  const hcode = await c.committee.post(`/api/v1/households/${p.household_id}/scan-code`, {});
  const byCode = await c.volunteer.get(`/api/v1/test-stations/${stA}/lookup?code=${encodeURIComponent(code.json.payload)}`);
  assert.equal(byCode.status, 200, byCode.text);
  assert.equal(byCode.json.kind, 'resident');
  assert.deepEqual(byCode.json.items.map((x) => x.resident_id), [p.resident_id]);
  assert.ok(!/\d{11}/.test(byCode.text), 'phones are masked');
  const byHouse = await c.volunteer.get(`/api/v1/test-stations/${stA}/lookup?code=${encodeURIComponent(hcode.json.payload)}`);
  assert.equal(byHouse.json.kind, 'household');
  assert.ok(byHouse.json.items.length >= 1 && byHouse.json.items.every((x) => x.household_id === p.household_id));
  const byName = await c.volunteer.get(`/api/v1/test-stations/${stA}/lookup?q=${encodeURIComponent(p.name)}`);
  assert.ok(byName.json.items.some((x) => x.resident_id === p.resident_id));
  const done = people[0];
  const sampled = (await c.volunteer.get(`/api/v1/test-stations/${stA}/lookup?q=${encodeURIComponent(done.name)}`))
    .json.items.find((x) => x.resident_id === done.resident_id);
  assert.equal(sampled.sampled, true);
  assert.equal(sampled.sampled_at.station, 'A 南门');
  const withPhone = people.find((x) => x.phone_masked.length >= 7);
  if (withPhone) {
    const tail = withPhone.phone_masked.slice(-4);
    const byTail = await c.volunteer.get(`/api/v1/test-stations/${stA}/lookup?q=${tail}`);
    assert.ok(byTail.json.items.some((x) => x.resident_id === withPhone.resident_id));
  }
  const cache = await c.volunteer.get(`/api/v1/test-stations/${stA}/people`);
  const digest = (text) => createHash('sha256').update(`${cache.json.salt}:${text}`).digest('hex');
  const mine = cache.json.people.find((x) => x.resident_id === p.resident_id);
  assert.equal(mine.code_digest, digest(code.json.payload.slice(6)));
  assert.equal(mine.household_code_digest, digest(hcode.json.payload.slice(6)));
  assert.equal(cache.json.day, cstDay(0));
  assert.ok(!cache.text.includes(code.json.payload.slice(6)), 'no code itself in the cache');
  const audit = await c.committee.get('/api/v1/audit?action=testing.station.people&limit=5');
  assert.ok(audit.json.items.some((x) => x.target_id === stA && x.target_type === 'test_station'));
  // Registering by the scanned code's person.
  const r = await c.volunteer.post(`/api/v1/test-stations/${stA}/samples`, sample(byCode.json.items[0], 'A-0007'));
  assert.equal(r.json.status, 'counted');
  next++;
});

test('door-to-door: the sample counted in a tube without a station and the visit marked sampled', async () => {
  const p = people[next];
  const ins = dbInt(srv.db, `SELECT COUNT(*) FROM test_door_visits WHERE round_id = ${round.id}`);
  let visit;
  if (ins > 0) {
    visit = dbInt(srv.db, `SELECT MIN(v.id) FROM test_door_visits v WHERE v.round_id = ${round.id} AND NOT EXISTS ` +
      `(SELECT 1 FROM test_samples s WHERE s.round_id = v.round_id AND s.resident_id = v.resident_id)`);
  }
  assert.ok(visit, `the demo has bedridden people to visit (${ins}) ${p.resident_id}`);
  assertError(await c.volunteer.post(`/api/v1/test-door-visits/${visit}/sample`,
    { idem_key: randomUUID(), tube_code: 'D-0001' }), 404, 'not_found');
  const r = await c.committee.post(`/api/v1/test-door-visits/${visit}/sample`,
    { idem_key: randomUUID(), tube_code: 'D-0001' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'counted');
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_door_visits WHERE id = ${visit} AND state = 'sampled'`), 1);
  assert.equal(dbInt(srv.db, "SELECT COUNT(*) FROM test_tubes WHERE code = 'D-0001' AND station_id IS NULL"), 1);
});

test('an acknowledged registration survives kill -9', async () => {
  const p = person();
  const r = await c.volunteer.post(`/api/v1/test-stations/${stA}/samples`, sample(p, 'A-0008'));
  assert.equal(r.status, 201, r.text);
  const exit = await srv.kill();
  assert.equal(exit.sig, 'SIGKILL');
  const db = srv.db;
  srv = await startServer({ db, demo: false });
  const v = await loggedIn(srv.url, 'volunteer');
  const state = await v.get(`/api/v1/test-stations/${stA}/state`);
  assert.equal(state.status, 200, state.text);
  assert.equal(state.json.tube.code, 'A-0008');
  assert.equal(state.json.tube.samples, 1);
  assert.equal(state.json.last[0].id, r.json.sample_id);
  restarted = db;
});
