// Household rotation (轮值): courtyard 3巷22号 has 28 households, 4 of them away and 2
// let to tenants; one household a day keeps the gate 8:00-20:00 in room order and hands
// the key to the next at 20:00. Checked here: 24 households take turns (tenants yes,
// away no), four rounds take 96 days (the last day is starts_on + 95), a day done hands
// the key to the next household, a skip gives that same day to the next household and
// puts the skipped one on the care list (so the plan ends a day earlier: 95 days), the
// guards against stale and future records, undo, a resident's own days, denials by
// role (403) and by scope (404), the CSV and print exports and the audit entries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, createUser, getBytes, parseCsv, uniq }
  from '../lib/api-helpers.mjs';

let srv;
const c = {};
let zone1;            // the zone login's zone
let courtyard;        // 3巷22号, made in zone 1
let rotation;         // the rotation made in test 2
const rooms = {};     // room -> household id
let otherHousehold;   // a household of another block
let today;            // the community's calendar day, 'YYYY-MM-DD'
let startsOn;         // today - 3 days

const AWAY = [4, 8, 16, 23];
const RENTED = [6, 11];

function scopeOf(client, role) {
  return client.me.user.roles.find((r) => r.role === role).scope_id;
}

// Calendar arithmetic on 'YYYY-MM-DD' strings, in UTC so that no zone shifts a day.
function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

async function getRotation(client, id = rotation) {
  const r = await client.get(`/api/v1/rotations/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

before(async () => {
  srv = await startServer();
  for (const u of ['admin', 'committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  zone1 = scopeOf(c.zone, 'zone_leader');
  const tz = c.committee.me.community?.timezone || 'Asia/Shanghai';
  today = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date());
  startsOn = addDays(today, -3);

  const made = await c.committee.post('/api/v1/blocks', { name: uniq('3巷22号-'), kind: 'courtyard', zone_id: zone1 });
  assert.equal(made.status, 201, made.text);
  courtyard = made.json.block.id;
  // Made out of order, so that the rotation's room order is its own doing.
  const numbers = Array.from({ length: 28 }, (_, i) => i + 1).reverse();
  for (const n of numbers) {
    const status = AWAY.includes(n) ? 'away' : RENTED.includes(n) ? 'rented_out' : 'occupied';
    const h = await c.committee.post('/api/v1/households', { block_id: courtyard, room: `${n}号`, status });
    assert.equal(h.status, 201, h.text);
    rooms[`${n}号`] = h.json.household.id;
  }
  otherHousehold = scopeOf(c.resident, 'resident');
});

after(async () => {
  if (srv) await srv.stop();
});

test('1. creating a rotation: fields are checked and named', async () => {
  const base = { block_id: courtyard, name: '大门轮值', starts_on: startsOn, rounds: 4 };
  assertError(await c.committee.post('/api/v1/rotations', { ...base, name: undefined }), 400, 'validation_failed',
    'name');
  assertError(await c.committee.post('/api/v1/rotations', { ...base, starts_on: '2026-02-30' }), 400,
    'validation_failed', 'starts_on');
  assertError(await c.committee.post('/api/v1/rotations', { ...base, window_start: '20:00', window_end: '08:00' }),
    400, 'validation_failed', 'window_end');
  assertError(await c.committee.post('/api/v1/rotations', { ...base, window_start: '8点' }), 400,
    'validation_failed', 'window_start');
  assertError(await c.committee.post('/api/v1/rotations', { ...base, rounds: 0 }), 400, 'validation_failed',
    'rounds');
  assertError(await c.committee.post('/api/v1/rotations', { ...base, block_id: 99999999 }), 400,
    'validation_failed', 'block_id');
  assertError(await c.committee.post('/api/v1/rotations',
    { ...base, household_ids: [rooms['1号'], otherHousehold] }), 400, 'validation_failed', 'household_ids[1]');
  assertError(await c.committee.post('/api/v1/rotations',
    { ...base, household_ids: [rooms['1号'], rooms['1号']] }), 400, 'validation_failed', 'household_ids[1]');
  const zh = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  const r = await zh.post('/api/v1/rotations', { ...base, rounds: 'x' });
  assertError(r, 400, 'validation_failed', 'rounds');
  assert.match(r.json.error.message, /[\u4e00-\u9fff]/, 'the message is in Chinese');
});

test('2. 28 households, 4 away: 24 take turns in room order, four rounds take 96 days', async () => {
  const r = await c.committee.post('/api/v1/rotations', { block_id: courtyard, name: '大门轮值', starts_on: startsOn,
    rounds: 4 });
  assert.equal(r.status, 201, r.text);
  rotation = r.json.rotation.id;
  assert.equal(r.json.rotation.members, 24);
  assert.equal(r.json.rotation.window_start, '08:00');
  assert.equal(r.json.rotation.window_end, '20:00');

  const got = await getRotation(c.committee);
  const order = got.members.map((m) => m.room);
  const expected = Array.from({ length: 28 }, (_, i) => i + 1).filter((n) => !AWAY.includes(n)).map((n) => `${n}号`);
  assert.deepEqual(order, expected, 'room order, away households left out');
  for (const n of RENTED) assert.ok(order.includes(`${n}号`), `tenants of ${n}号 take their turn`);

  const s = got.schedule;
  assert.equal(s.length, 96);
  assert.equal(s[0].day, startsOn);
  assert.equal(s[0].room, '1号');
  assert.equal(s[0].handover_to_room, '2号');
  assert.equal(s[95].day, addDays(startsOn, 95), 'the last day is starts_on + 95');
  assert.equal(s[95].round, 4);
  assert.equal(s[95].handover_to_room, null, 'nobody after the last turn');
  assert.equal(s[24].room, '1号');
  assert.equal(s[24].round, 2);
  assert.equal(got.rotation.ends_on, addDays(startsOn, 95));
  assert.equal(got.rotation.days_total, 96);
  assert.equal(got.rotation.rounds_done, 0);
  assert.ok(s.every((e, i) => e.state === 'planned' && e.day === addDays(startsOn, i)), 'one a day, no gap');
  // Today is the fourth day: 5号 (the third turn after 1号 2号 3号).
  assert.equal(got.rotation.today.room, '5号');
  assert.equal(got.rotation.current.room, '1号', 'nothing recorded: the first turn is the one to record');

  const list = listItems(await c.committee.get(`/api/v1/rotations?block_id=${courtyard}`));
  assert.deepEqual(list.map((x) => x.id), [rotation]);
});

test('3. roles and scope: volunteer 403, a block leader of another block 404, zone leader reads', async () => {
  assertError(await c.volunteer.get(`/api/v1/rotations/${rotation}`), 403, 'forbidden');
  assertError(await c.volunteer.get('/api/v1/rotations'), 403, 'forbidden');
  assertError(await c.volunteer.post(`/api/v1/rotations/${rotation}/turns`, { outcome: 'done' }), 403, 'forbidden');
  assertError(await c.block.post('/api/v1/rotations', { block_id: courtyard, name: 'x', starts_on: startsOn,
    rounds: 1 }), 403, 'forbidden');
  assertError(await c.block.get(`/api/v1/rotations/${rotation}`), 404, 'not_found');
  assertError(await c.block.get(`/api/v1/rotations/${rotation}/schedule?format=csv`), 404, 'not_found');
  assertError(await c.block.post(`/api/v1/rotations/${rotation}/turns`, { outcome: 'done' }), 404, 'not_found');
  assert.ok(!listItems(await c.block.get('/api/v1/rotations')).some((x) => x.id === rotation));
  assertError(await c.resident.get(`/api/v1/rotations/${rotation}`), 404, 'not_found');
  const z = await getRotation(c.zone);
  assert.equal(z.rotation.view, 'leader');
  assert.equal(z.schedule.length, 96);
});

test('4. days done hand the key on; a skip gives the same day to the next household', async () => {
  const url = `/api/v1/rotations/${rotation}/turns`;
  assertError(await c.zone.post(url, { outcome: 'maybe' }), 400, 'validation_failed', 'outcome');
  // Day 1: 1号 done, the key to 2号 at 20:00.
  let r = await c.zone.post(url, { outcome: 'done', household_id: rooms['1号'], day: startsOn });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.turn.state, 'done');
  assert.equal(r.json.turn.handover_to_room, '2号');
  assert.ok(r.json.turn.handed_over_at, 'the hand-over time is kept');
  const firstTurn = r.json.turn.turn_id;
  // A stale client (showing 1号 again) is refused; nothing is written.
  assertError(await c.committee.post(url, { outcome: 'done', household_id: rooms['1号'] }), 409, 'conflict',
    'household_id');
  // Day 2: 2号 did not open the gate. 3号 takes day 2.
  assertError(await c.zone.post(url, { outcome: 'skipped', handed_over_at: '20:00' }), 400, 'validation_failed',
    'handed_over_at');
  r = await c.zone.post(url, { outcome: 'skipped', household_id: rooms['2号'] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.turn.state, 'skipped');
  assert.equal(r.json.turn.day, addDays(startsOn, 1));
  assert.equal(r.json.rotation.current.room, '3号');
  assert.equal(r.json.rotation.current.day, addDays(startsOn, 1), 'the next household takes the same day');
  // Decided: a skip forfeits that household's turn in the round, so the plan ends a day earlier.
  assert.equal(r.json.rotation.ends_on, addDays(startsOn, 94));
  assert.equal(r.json.rotation.days_total, 95);
  assert.equal(r.json.rotation.skipped, 1);

  r = await c.committee.post(url, { outcome: 'done', handed_over_at: '20:05' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.turn.room, '3号');
  assert.equal(r.json.turn.handover_to_room, '5号');
  r = await c.zone.post(url, { outcome: 'done' });     // 5号, yesterday
  assert.equal(r.status, 201, r.text);
  const got = await getRotation(c.committee);
  assert.equal(got.rotation.today.room, '6号', 'a tenant keeps the gate today');
  assert.equal(got.schedule[5].day, addDays(today, 1));
  assert.equal(got.schedule[95].day, addDays(startsOn, 94));
  r = await c.zone.post(url, { outcome: 'done' });     // 6号, today
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.turn.day, today);
  assertError(await c.zone.post(url, { outcome: 'done' }), 409, 'conflict', 'day');   // tomorrow has not come

  // Undo the last record, then record it again.
  r = await c.zone.del(`${url}/last`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.rotation.turns_recorded, 4);
  r = await c.zone.post(url, { outcome: 'done' });
  assert.equal(r.status, 201, r.text);

  const audit = await walkList(c.committee, '/api/v1/audit?action=rotation.record');
  assert.ok(audit.filter((e) => e.target_id === rotation).length >= 5, 'each record is audited');
  assert.ok(firstTurn);
});

test('5. the care list: the skipped household, marked called once', async () => {
  const pending = listItems(await c.zone.get(`/api/v1/rotations/${rotation}/care?pending=1`));
  assert.equal(pending.length, 1);
  assert.equal(pending[0].room, '2号');
  assert.equal(pending[0].care_called_at, null);
  assertError(await c.resident.get(`/api/v1/rotations/${rotation}/care`), 403, 'forbidden');
  assertError(await c.volunteer.get(`/api/v1/rotations/${rotation}/care`), 403, 'forbidden');
  assertError(await c.block.post(`/api/v1/rotations/${rotation}/care/${pending[0].id}`, {}), 404, 'not_found');
  const dash = await c.zone.get('/api/v1/dashboard');
  assert.equal(dash.json.tiles.find((t) => t.key === 'rotation_care')?.value, 1);
  const r = await c.zone.post(`/api/v1/rotations/${rotation}/care/${pending[0].id}`, {});
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.turn.care_called_at);
  assertError(await c.zone.post(`/api/v1/rotations/${rotation}/care/${pending[0].id}`, {}), 409, 'conflict');
  assert.equal(listItems(await c.zone.get(`/api/v1/rotations/${rotation}/care?pending=1`)).length, 0);
  const all = listItems(await c.zone.get(`/api/v1/rotations/${rotation}/care`));
  assert.equal(all.length, 1);
  assert.ok(all[0].care_called_by);
});

test('6. a resident of the courtyard reads their own household days, and records nothing', async () => {
  const u = await createUser(c.committee, { roles: [{ role: 'resident', scope_id: rooms['2号'] }] });
  const res = await loggedIn(srv.url, u.username, u.password);
  const got = await getRotation(res);
  assert.equal(got.rotation.view, 'household');
  assert.equal(got.schedule.length, 4, 'one turn a round');
  assert.ok(got.schedule.every((e) => e.room === '2号' && e.mine));
  assert.equal(got.schedule[0].state, 'skipped');
  assert.equal(got.rotation.my_next.round, 2);
  assert.deepEqual(got.members.map((m) => m.room), ['2号']);
  assert.ok(listItems(await res.get('/api/v1/rotations')).some((x) => x.id === rotation));
  assertError(await res.post(`/api/v1/rotations/${rotation}/turns`, { outcome: 'done' }), 403, 'forbidden');
});

test('7. the schedule exports to CSV and prints for the notice board', async () => {
  const csv = await getBytes(c.committee, `/api/v1/rotations/${rotation}/schedule?format=csv`);
  assert.equal(csv.status, 200);
  const rows = parseCsv(csv.body.subarray(3).toString('utf8')).filter((r) => r.some((x) => x));
  assert.equal(rows.length, 97, 'a header and 96 turns');
  assert.ok(rows.some((r) => r.includes('Skipped')), 'stored words in the reader\'s language');
  assert.ok(rows.some((r) => r.includes(addDays(startsOn, 94)) && r.includes('4')));
  const print = await getBytes(c.committee, `/api/v1/rotations/${rotation}/schedule?print=1`);
  assert.equal(print.status, 200);
  const html = print.body.toString('utf8');
  assert.ok(html.includes('24号') && html.includes('大门轮值'));
  const xlsx = await getBytes(c.zone, `/api/v1/rotations/${rotation}/schedule?format=xlsx`);
  assert.equal(xlsx.status, 200);
  assert.equal(xlsx.body.subarray(0, 2).toString(), 'PK');
});

test('8. an explicit order is kept as given', async () => {
  const ids = [rooms['3号'], rooms['1号'], rooms['4号']];
  const r = await c.committee.post('/api/v1/rotations', { block_id: courtyard, name: '指定顺序',
    starts_on: today, rounds: 2, household_ids: ids, window_start: '07:30', window_end: '19:30' });
  assert.equal(r.status, 201, r.text);
  const got = await getRotation(c.committee, r.json.rotation.id);
  assert.deepEqual(got.schedule.map((e) => e.room), ['3号', '1号', '4号', '3号', '1号', '4号']);
  assert.equal(got.rotation.ends_on, addDays(today, 5));
});
