// Testing rounds, set-up: the committee makes a round (day, kind, pool size, scope),
// adds stations with staff and hours, opens and closes it, copies it for the next day;
// leaders read every round, a volunteer only those they staff; the door-to-door list
// starts from the registry's bedridden and home-isolation flags; bad input names its
// field in both languages; retried writes count once; denials for residents, volunteers
// and leaders who are not committee staff.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, stopServer } from '../lib/api-helpers.mjs';
import { dbInt, dbRows } from '../lib/db-query.mjs';

let srv;
const c = {};
let myBlock, myZone, otherBlock, volunteerId, blockUserId, round, next, people, neighbours;

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  myBlock = c.block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const blocks = (await c.committee.get('/api/v1/blocks?limit=500')).json.items;
  myZone = blocks.find((b) => b.id === myBlock).zone_id;
  otherBlock = blocks.find((b) => b.zone_id !== myZone).id;
  const sameZone = blocks.find((b) => b.zone_id === myZone && b.id !== myBlock).id;
  neighbours = await walkList(c.committee, `/api/v1/residents?block_id=${sameZone}`);
  volunteerId = c.volunteer.me.user.id;
  blockUserId = c.block.me.user.id;
});
after(async () => { await stopServer(srv); });

const body = (extra = {}) => ({ name: '第一轮核酸', on_day: '2026-12-05', kind: 'pcr_pooled', ...extra });

test('bad input names the field, in English and Chinese; only committee staff set rounds up', async () => {
  const cases = [
    [{ kind: 'swab' }, 'kind'], [{ on_day: '2026-02-30' }, 'on_day'], [{ name: '' }, 'name'],
    [{ pool_size: 30 }, 'pool_size'], [{ kind: 'antigen', pool_size: 10 }, 'pool_size'],
    [{ scope: [1] }, 'scope'], [{ scope: { blocks: [99999999] } }, 'scope.blocks'],
    [{ scope: { zones: ['x'] } }, 'scope.zones'], [{ copy_from: 99999999 }, 'copy_from'],
  ];
  for (const [extra, field] of cases)
    assertError(await c.committee.post('/api/v1/test-rounds', body(extra)), 400, 'validation_failed', field);
  c.committee.lang = 'zh-CN';
  const zh = await c.committee.post('/api/v1/test-rounds', body({ kind: 'swab' }));
  assert.match(zh.json.error.message, /类型/);
  c.committee.lang = 'en';
  const before = listItems(await c.committee.get('/api/v1/test-rounds?limit=500')).length;
  for (const u of ['zone', 'block', 'volunteer', 'resident'])
    assertError(await c[u].post('/api/v1/test-rounds', body()), 403, 'forbidden');
  assertError(await c.resident.get('/api/v1/test-rounds'), 403, 'forbidden');
  assert.equal(listItems(await c.committee.get('/api/v1/test-rounds?limit=500')).length, before,
    'a refused request made nothing');
});

test('a round is made once, with its scope and the door-to-door list from the registry', async () => {
  // Someone of the block is bedridden: the round expects them at home, not at a station.
  people = await walkList(c.committee, `/api/v1/residents?block_id=${myBlock}`);
  const bedridden = people[people.length - 1];
  const f = await c.committee.post(`/api/v1/residents/${bedridden.id}/flags`, { flag: 'bedridden' });
  assert.ok(f.status < 300, f.text);

  const key = { 'Idempotency-Key': `tr-${Date.now()}` };
  const first = body({ scope: { zones: [myZone] }, note: '早 7 点' });
  const r = await c.committee.post('/api/v1/test-rounds', first, key);
  assert.equal(r.status, 201, r.text);
  const again = await c.committee.post('/api/v1/test-rounds', first, key);
  assert.equal(again.json.id, r.json.id, 'a retried round is made once');
  round = r.json;
  assert.equal(round.kind, 'pcr_pooled');
  assert.equal(round.pool_size, 10);
  assert.equal(round.state, 'planned');
  assert.equal(round.note, '早 7 点');
  assert.deepEqual(round.scope.zones.map((z) => z.id), [myZone]);
  assert.ok(round.scope.zones[0].name);
  assert.deepEqual(round.scope.blocks, []);
  assert.deepEqual(round.stations, []);

  const single = await c.committee.post('/api/v1/test-rounds', body({ kind: 'antigen' }));
  assert.equal(single.status, 201, single.text);
  assert.equal(single.json.pool_size, 1);
  assert.equal(single.json.kind_text, 'Antigen');


  const doors = listItems(await c.committee.get(`/api/v1/test-rounds/${round.id}/door-visits?limit=500`));
  const d = doors.find((x) => x.resident_id === bedridden.id);
  assert.ok(d, 'the bedridden resident is on the door-to-door list');
  assert.equal(d.reason, 'bedridden');
  assert.equal(d.state, 'to_visit');
  const audit = await c.committee.get('/api/v1/audit?action=testing.round.create&limit=5');
  if (audit.status === 200) assert.ok(audit.json.items.some((x) => x.target_id === round.id));
});

test('stations with staff and hours; a volunteer sees only the rounds they staff', async () => {
  const path = `/api/v1/test-rounds/${round.id}/stations`;
  const st = { name: '1号采样点', place: '南门广场', opens_at: '07:00', closes_at: '11:00' };
  assertError(await c.committee.post(path, { ...st, opens_at: '7:00' }), 400, 'validation_failed', 'opens_at');
  assertError(await c.committee.post(path, { ...st, closes_at: '06:30' }), 400, 'validation_failed', 'closes_at');
  assertError(await c.committee.post(path, { ...st, staff: [{ user_id: 99999999 }] }), 400, 'validation_failed',
    'staff[0].user_id');
  assertError(await c.committee.post(path, { ...st, staff: [{ user_id: volunteerId, duty: 'cook' }] }), 400,
    'validation_failed', 'staff[0].duty');
  assertError(await c.committee.post(path, { ...st, staff: [{ user_id: volunteerId }, { user_id: volunteerId }] }),
    400, 'validation_failed', 'staff[1].user_id');
  assertError(await c.block.post(path, st), 403, 'forbidden');
  assertError(await c.committee.post('/api/v1/test-rounds/99999999/stations', st), 404, 'not_found');

  // Before: the volunteer staffs nothing, so the round does not exist for them.
  assertError(await c.volunteer.get(`/api/v1/test-rounds/${round.id}`), 404, 'not_found');
  assert.ok(!listItems(await c.volunteer.get('/api/v1/test-rounds?limit=500')).some((x) => x.id === round.id));

  const key = { 'Idempotency-Key': `ts-${Date.now()}` };
  const s1 = await c.committee.post(path, { ...st, staff: [{ user_id: volunteerId, duty: 'registrar' }] }, key);
  assert.equal(s1.status, 201, s1.text);
  const s1again = await c.committee.post(path, { ...st, staff: [{ user_id: volunteerId, duty: 'registrar' }] }, key);
  assert.equal(s1again.json.id, s1.json.id, 'a retried station is made once');
  assert.deepEqual(s1.json.staff.map((x) => [x.user_id, x.duty]), [[volunteerId, 'registrar']]);
  const s2 = await c.committee.post(path, { name: '2号采样点', opens_at: '08:00', closes_at: '10:30' });
  assert.equal(s2.status, 201, s2.text);

  const seen = await c.volunteer.get(`/api/v1/test-rounds/${round.id}`);
  assert.equal(seen.status, 200, seen.text);
  assert.deepEqual(seen.json.stations.map((x) => x.name), ['1号采样点', '2号采样点']);
  assert.ok(listItems(await c.volunteer.get('/api/v1/test-rounds?limit=500')).some((x) => x.id === round.id));

  const p = await c.committee.patch(`/api/v1/test-stations/${s2.json.id}`,
    { place: '北门', closes_at: '11:30', staff: [{ user_id: blockUserId, duty: 'queue' }] });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.place, '北门');
  assert.equal(p.json.opens_at, '08:00');
  assert.deepEqual(p.json.staff.map((x) => [x.user_id, x.duty]), [[blockUserId, 'queue']]);
  assertError(await c.committee.patch(`/api/v1/test-stations/${s2.json.id}`, { opens_at: '12:00' }), 400,
    'validation_failed', 'closes_at');
  assertError(await c.committee.patch('/api/v1/test-stations/99999999', { place: 'x' }), 404, 'not_found');
  assertError(await c.volunteer.patch(`/api/v1/test-stations/${s2.json.id}`, { place: 'x' }), 403, 'forbidden');

  const s3 = await c.committee.post(path, { name: '临时点', opens_at: '09:00', closes_at: '09:30' });
  assertError(await c.volunteer.del(`/api/v1/test-stations/${s3.json.id}`), 403, 'forbidden');
  const del = await c.committee.del(`/api/v1/test-stations/${s3.json.id}`);
  assert.equal(del.status, 200, del.text);
  assertError(await c.committee.del(`/api/v1/test-stations/${s3.json.id}`), 404, 'not_found');
  assert.equal((await c.committee.get(`/api/v1/test-rounds/${round.id}`)).json.stations.length, 2);
});

test('planned, open, closed: one step at a time; what an open round keeps', async () => {
  const id = round.id;
  const ch = await c.committee.patch(`/api/v1/test-rounds/${id}`, { name: '第一轮核酸（全员）', pool_size: 5,
    scope: { blocks: [myBlock], zones: [myZone] } });
  assert.equal(ch.status, 200, ch.text);
  assert.equal(ch.json.pool_size, 5);
  assert.deepEqual(ch.json.scope.blocks.map((b) => b.id), [myBlock]);
  assert.deepEqual(ch.json.scope.zones.map((z) => z.id), [myZone]);
  assertError(await c.committee.patch(`/api/v1/test-rounds/${id}`, {}), 400, 'validation_failed', 'name');
  assertError(await c.committee.post(`/api/v1/test-rounds/${id}/close`), 409, 'conflict');
  assertError(await c.zone.post(`/api/v1/test-rounds/${id}/open`), 403, 'forbidden');
  const o = await c.committee.post(`/api/v1/test-rounds/${id}/open`);
  assert.equal(o.status, 200, o.text);
  assert.equal(o.json.state, 'open');
  assert.ok(o.json.opened_at);

  // Who is exempt: leaders of the person's scope only; once a round.
  const path = `/api/v1/test-rounds/${id}/exemptions`;
  const [away, other] = people;
  assertError(await c.block.post(path, { resident_id: away.id, reason: 'holiday' }), 400, 'validation_failed',
    'reason');
  assertError(await c.block.post(path, { reason: 'away' }), 400, 'validation_failed', 'resident_id');
  assertError(await c.resident.post(path, { resident_id: away.id, reason: 'away' }), 403, 'forbidden');
  assertError(await c.volunteer.post(path, { resident_id: away.id, reason: 'away' }), 403, 'forbidden');
  assertError(await c.block.post(path, { resident_id: neighbours[0].id, reason: 'away' }), 404, 'not_found');
  const ekey = { 'Idempotency-Key': `te-${Date.now()}` };
  const e1 = await c.block.post(path, { resident_id: away.id, reason: 'away', note: '在外地' }, ekey);
  assert.equal(e1.status, 201, e1.text);
  assert.equal((await c.block.post(path, { resident_id: away.id, reason: 'away', note: '在外地' }, ekey)).json.id,
    e1.json.id);
  assert.equal(e1.json.reason_text, 'Away');
  assertError(await c.block.post(path, { resident_id: away.id, reason: 'other' }), 409, 'conflict', 'resident_id');
  const e2 = await c.committee.post(path, { resident_id: other.id, reason: 'other' });
  assert.equal(e2.status, 201, e2.text);
  const e3 = await c.committee.post(path, { resident_id: neighbours[0].id, reason: 'recovered' });
  assert.equal(e3.status, 201, e3.text);
  const mine = listItems(await c.block.get(`${path}?limit=500`));
  assert.deepEqual(mine.map((x) => x.resident_id).sort(), [away.id, other.id].sort(), 'a leader sees their scope');
  assert.equal(listItems(await c.zone.get(`${path}?limit=500`)).length, 3);
  assertError(await c.volunteer.get(path), 403, 'forbidden');
  const exCsv = await c.block.get(`${path}?format=csv`);
  assert.ok(exCsv.status === 200 && exCsv.text.includes(away.name) && exCsv.text.includes('在外地'));
  assert.match((await c.block.get(`${path}?print=1&block_id=${myBlock}`)).text, /<table/);
  assertError(await c.block.del(`/api/v1/test-exemptions/${e3.json.id}`), 404, 'not_found');
  assertError(await c.volunteer.del(`/api/v1/test-exemptions/${e2.json.id}`), 403, 'forbidden');
  assert.equal((await c.block.del(`/api/v1/test-exemptions/${e2.json.id}`)).status, 200);
  assertError(await c.block.del(`/api/v1/test-exemptions/${e2.json.id}`), 404, 'not_found');
  const redo = await c.block.post(path, { resident_id: other.id, reason: 'other' });
  assert.equal(redo.status, 201, redo.text);
  assertError(await c.committee.post(`/api/v1/test-rounds/${id}/open`), 409, 'conflict');
  assertError(await c.committee.patch(`/api/v1/test-rounds/${id}`, { on_day: '2026-12-06' }), 409, 'conflict',
    'on_day');
  const note = await c.committee.patch(`/api/v1/test-rounds/${id}`, { note: '南门排队长' });
  assert.equal(note.json.note, '南门排队长');

  const open = listItems(await c.block.get('/api/v1/test-rounds?state=open&limit=500'));
  assert.ok(open.some((x) => x.id === id) && open.every((x) => x.state === 'open'));
  const day = listItems(await c.zone.get('/api/v1/test-rounds?from=2026-12-05&to=2026-12-05&limit=500'));
  assert.ok(day.length >= 2 && day.every((x) => x.on_day === '2026-12-05'));
  assertError(await c.committee.get('/api/v1/test-rounds?state=busy'), 400, 'validation_failed', 'state');
  assertError(await c.committee.get('/api/v1/test-rounds?from=12/05'), 400, 'validation_failed', 'from');
  const csv = await c.committee.get('/api/v1/test-rounds?format=csv');
  assert.equal(csv.status, 200);
  assert.ok(csv.text.includes('第一轮核酸（全员）') && csv.text.includes('Open'));
  assert.equal((await c.committee.get('/api/v1/test-rounds?format=xlsx')).status, 200);
  const print = await c.block.get('/api/v1/test-rounds?print=1');
  assert.match(print.text, /<table/);

  const cl = await c.committee.post(`/api/v1/test-rounds/${id}/close`);
  assert.equal(cl.json.state, 'closed');
  assertError(await c.committee.post(`/api/v1/test-rounds/${id}/stations`,
    { name: 'x', opens_at: '07:00', closes_at: '08:00' }), 409, 'conflict');
});

test('the next round copies the last one: scope, stations with staff and hours', async () => {
  const r = await c.committee.post('/api/v1/test-rounds', { name: '第二轮核酸', on_day: '2026-12-06',
    kind: 'pcr_pooled', copy_from: round.id });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.copied_from, round.id);
  next = r.json;
  // Away and recovered outlast a day; "other" was that day's only.
  const ex = listItems(await c.committee.get(`/api/v1/test-rounds/${next.id}/exemptions?limit=500`));
  assert.deepEqual(ex.map((x) => [x.resident_id, x.reason]).sort(),
    [[people[0].id, 'away'], [neighbours[0].id, 'recovered']].sort());
  assert.equal(r.json.state, 'planned');
  assert.deepEqual(r.json.scope.blocks.map((b) => b.id), [myBlock]);
  assert.deepEqual(r.json.stations.map((s) => [s.name, s.opens_at, s.closes_at]),
    [['1号采样点', '07:00', '11:00'], ['2号采样点', '08:00', '11:30']]);
  assert.deepEqual(r.json.stations[0].staff.map((x) => x.user_id), [volunteerId]);
  assert.notEqual(r.json.stations[0].id, (await c.committee.get(`/api/v1/test-rounds/${round.id}`)).json.stations[0].id);
  // A scope given with the copy wins over the copied one.
  const other = await c.committee.post('/api/v1/test-rounds', { name: '第二轮（外片）', on_day: '2026-12-06',
    kind: 'pcr_single', copy_from: round.id, scope: { blocks: [otherBlock] } });
  assert.deepEqual(other.json.scope.blocks.map((b) => b.id), [otherBlock]);
  assert.equal(other.json.pool_size, 1);
});

test('the door-to-door list: added by hand, a team sent, its members record the outcome', async () => {
  const path = `/api/v1/test-rounds/${next.id}/door-visits`;
  const listed = listItems(await c.block.get(`${path}?limit=500`));
  assert.ok(listed.length >= 1 && listed.every((d) => d.block_id === myBlock));
  assert.ok(listed.every((d) => d.phone === '' || !d.phone.includes('*')), 'leaders see the phone');
  const who = people[2];
  assertError(await c.block.post(path, { resident_id: who.id, reason: 'tired' }), 400, 'validation_failed', 'reason');
  assertError(await c.block.post(path, { resident_id: neighbours[1].id, reason: 'other' }), 404, 'not_found');
  assertError(await c.volunteer.post(path, { resident_id: who.id, reason: 'other' }), 403, 'forbidden');
  assertError(await c.resident.get(path), 403, 'forbidden');
  const key = { 'Idempotency-Key': `td-${Date.now()}` };
  const d = await c.block.post(path, { resident_id: who.id, reason: 'other' }, key);
  assert.equal(d.status, 201, d.text);
  assert.equal((await c.block.post(path, { resident_id: who.id, reason: 'other' }, key)).json.id, d.json.id);
  assertError(await c.block.post(path, { resident_id: who.id, reason: 'bedridden' }), 409, 'conflict');
  assert.equal(d.json.state, 'to_visit');
  assert.equal(d.json.team_id, null);

  // The volunteer sees no list until their team is sent.
  const teams = dbRows(srv.db, `SELECT tm.team_id FROM team_members tm JOIN volunteers v ON v.id = tm.volunteer_id
    WHERE v.user_id = ${volunteerId} AND tm.state = 'member' ORDER BY tm.team_id`);
  let team = teams.length ? Number(teams[0][0]) : 0;
  if (!team) {
    const t = await c.committee.post('/api/v1/teams', { name: '核酸协助队', kind: 'sampling' });
    assert.ok(t.status < 300, t.text);
    team = (t.json.team || t.json).id;
    const vid = dbInt(srv.db, `SELECT id FROM volunteers WHERE user_id = ${volunteerId}`);
    dbRows(srv.db, `INSERT INTO team_members (community_id, team_id, volunteer_id, state, queued_at, updated_at)
      SELECT community_id, ${team}, ${vid}, 'member', 0, 0 FROM teams WHERE id = ${team}`);
  }
  assertError(await c.volunteer.get(path), 404, 'not_found');
  assertError(await c.volunteer.patch(`/api/v1/test-door-visits/${d.json.id}`, { state: 'sampled' }), 404,
    'not_found');
  assertError(await c.block.patch(`/api/v1/test-door-visits/${d.json.id}`, { team_id: 99999999 }), 400,
    'validation_failed', 'team_id');
  assertError(await c.block.patch(`/api/v1/test-door-visits/${d.json.id}`, { state: 'gone' }), 400,
    'validation_failed', 'state');
  const sent = await c.block.patch(`/api/v1/test-door-visits/${d.json.id}`, { team_id: team, note: '下午 2 点' });
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.json.team_id, team);
  assert.ok(sent.json.team_name);

  const theirs = listItems(await c.volunteer.get(`${path}?limit=500`));
  assert.deepEqual(theirs.map((x) => x.id), [d.json.id], 'a team member sees the rows of their team');
  assert.ok(theirs[0].phone === '' || theirs[0].phone.includes('*'), 'a team member sees the phone masked');
  assertError(await c.volunteer.patch(`/api/v1/test-door-visits/${d.json.id}`, { team_id: null }), 403, 'forbidden');
  const done = await c.volunteer.patch(`/api/v1/test-door-visits/${d.json.id}`, { state: 'not_home' });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.state_text, 'Not at home');
  const filtered = listItems(await c.block.get(`${path}?state=not_home&team_id=${team}`));
  assert.deepEqual(filtered.map((x) => x.id), [d.json.id]);
  assertError(await c.block.get(`${path}?state=x`), 400, 'validation_failed', 'state');
  const print = await c.block.get(`${path}?print=1&block_id=${myBlock}`);
  assert.match(print.text, /<table/);
  assert.ok(print.text.includes(who.name));
  assert.equal((await c.committee.get(`${path}?format=xlsx`)).status, 200);
  const back = await c.block.patch(`/api/v1/test-door-visits/${d.json.id}`, { team_id: null });
  assert.equal(back.json.team_id, null);
});
