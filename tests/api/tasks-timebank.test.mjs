// Task grabbing and the time bank: exactly N claims under a burst, the "full" answer and
// the waitlist, a cancelled claim passing to the waitlist, eligibility by skill, the
// poster marking done with hours credited; group credits, manual entries confirmed by a
// second person, reversals, redemptions, and the ledger balancing also under concurrent
// credits; denials by role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, createUser } from '../lib/api-helpers.mjs';

let srv;
const c = {};
const crowd = [];   // approved volunteers with their own accounts: {client, id}

function localDay(offsetDays) {
  return new Date(Date.now() + offsetDays * 86400000 + 8 * 3600000).toISOString().slice(0, 10);
}

async function task(body) {
  const r = await c.committee.post('/api/v1/tasks', { date: localDay(1), start: '09:00', end: '11:00',
    service_kind: 'delivery', title: '搬运物资', slots: 3, ...body });
  assert.equal(r.status, 201, r.text);
  return r.json.task;
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  const household = c.resident.me.user.roles.find((r) => r.role === 'resident').scope_id;
  for (let i = 0; i < 12; i++) {
    const u = await createUser(c.committee, { roles: [{ role: 'resident', scope_id: household }] });
    const cl = await loggedIn(srv.url, u.username, u.password);
    const a = await cl.post('/api/v1/volunteers', { health: 'healthy', phone: `1360000${String(1000 + i)}`,
      skills: i < 2 ? ['driving'] : [] });
    assert.equal(a.status, 201, a.text);
    assert.equal((await c.committee.post(`/api/v1/volunteers/${a.json.volunteer.id}/state`, { state: 'approved' })).status, 200);
    crowd.push({ client: await loggedIn(srv.url, u.username, u.password), id: a.json.volunteer.id });
  }
});
after(async () => { await srv?.stop(); });

test('posting a task: fields are checked, and only the committee or a team\'s leader posts', async () => {
  // A volunteer who leads no team may not post (a team's leader posts for the team).
  assertError(await c.volunteer.post('/api/v1/tasks', { title: '搬运', date: localDay(1), start: '09:00', end: '11:00', slots: 2, service_kind: 'delivery' }),
    403, 'forbidden', 'team_id');
  assertError(await c.committee.post('/api/v1/tasks', { title: '搬运', date: localDay(1), start: '11:00', end: '09:00', slots: 2, service_kind: 'delivery' }),
    400, 'validation_failed', 'end');
  assertError(await c.committee.post('/api/v1/tasks', { title: '搬运', date: localDay(1), start: '09:00', end: '11:00', slots: 2, service_kind: 'juggling' }),
    400, 'validation_failed', 'service_kind');
  assertError(await c.committee.post('/api/v1/tasks', { title: '搬运', date: localDay(-2), start: '09:00', end: '11:00', slots: 2, service_kind: 'delivery' }),
    400, 'validation_failed', 'end');
});

test('a burst of claims: exactly N granted, the rest told full; the waitlist takes a freed slot', async () => {
  const t = await task({ slots: 3 });
  const answers = await Promise.all(crowd.map((v) => v.client.post(`/api/v1/tasks/${t.id}/claim`, {})));
  const granted = answers.filter((a) => a.status === 201);
  assert.equal(granted.length, 3, answers.map((a) => a.status).join());
  for (const a of answers.filter((x) => x.status !== 201)) assertError(a, 409, 'full');
  const after = await c.committee.get(`/api/v1/tasks/${t.id}`);
  assert.equal(after.json.task.claimed, 3);
  assert.equal(after.json.task.people.filter((p) => p.state === 'claimed').length, 3);
  // Two of the refused join the waitlist, in order.
  const refused = crowd.filter((v, i) => answers[i].status === 409);
  const w1 = await refused[0].client.post(`/api/v1/tasks/${t.id}/claim`, { waitlist: true });
  assert.equal(w1.status, 201, w1.text);
  assert.equal(w1.json.outcome, 'waitlist');
  // The claim's answer is the task as its claimant reads it right after.
  assert.deepEqual(w1.json.task, (await refused[0].client.get(`/api/v1/tasks/${t.id}`)).json.task);
  assert.equal(w1.json.task.my_state, 'waitlist');
  assert.equal(w1.json.task.waitlist, 1);
  await refused[1].client.post(`/api/v1/tasks/${t.id}/claim`, { waitlist: true });
  // A claimer cancels: the first waiting gets the slot in the same write.
  const holder = crowd.find((v, i) => answers[i].status === 201);
  const cancel = await holder.client.del(`/api/v1/tasks/${t.id}/claim`);
  assert.equal(cancel.status, 200, cancel.text);
  assert.equal(cancel.json.outcome, 'cancelled_filled');
  const mine = await refused[0].client.get(`/api/v1/tasks/${t.id}`);
  assert.equal(mine.json.task.my_state, 'claimed');
  assert.equal(mine.json.task.claimed, 3);
  assert.equal(mine.json.task.waitlist, 1);
  assertError(await refused[0].client.post(`/api/v1/tasks/${t.id}/claim`, {}), 409, 'conflict');

  // The poster marks it done: the three holders are credited, the absent one is not.
  const holders = (await c.committee.get(`/api/v1/tasks/${t.id}`)).json.task.people.filter((p) => p.state === 'claimed');
  const absent = holders[2].volunteer_id;
  const before = await Promise.all(holders.map((h) => c.committee.get(`/api/v1/volunteers/${h.volunteer_id}/ledger`)));
  assertError(await crowd[0].client.post(`/api/v1/tasks/${t.id}/done`, {}), 403, 'forbidden');
  const done = await c.committee.post(`/api/v1/tasks/${t.id}/done`, { absent: [absent] });
  assert.equal(done.status, 200, done.text);
  const afterLedgers = await Promise.all(holders.map((h) => c.committee.get(`/api/v1/volunteers/${h.volunteer_id}/ledger`)));
  assert.equal(afterLedgers[0].json.verified_minutes - before[0].json.verified_minutes, 120);
  assert.equal(afterLedgers[0].json.points - before[0].json.points, 20);
  assert.equal(afterLedgers[2].json.points, before[2].json.points, 'the absent one gets nothing');
  assertError(await c.committee.post(`/api/v1/tasks/${t.id}/done`, {}), 409, 'conflict');
  assertError(await refused[1].client.post(`/api/v1/tasks/${t.id}/claim`, {}), 409, 'conflict');
});

test('a task for a skill is for those who have it, and shown to them first', async () => {
  const t = await task({ slots: 1, skill: 'driving', title: '开车送药' });
  const list = listItems(await crowd[0].client.get('/api/v1/tasks'));
  const first = list.findIndex((x) => x.eligible);
  const last = list.map((x) => x.eligible).lastIndexOf(true);
  assert.ok(list.slice(first, last + 1).every((x) => x.eligible), 'eligible tasks come first');
  assert.ok(list.find((x) => x.id === t.id).eligible);
  assert.equal(listItems(await crowd[5].client.get('/api/v1/tasks')).find((x) => x.id === t.id).eligible, false);
  assertError(await crowd[5].client.post(`/api/v1/tasks/${t.id}/claim`, {}), 409, 'conflict');
  const own = await crowd[0].client.post(`/api/v1/tasks/${t.id}/claim`, {});
  assert.equal(own.status, 201, own.text);
  assert.deepEqual(own.json.task, (await crowd[0].client.get(`/api/v1/tasks/${t.id}`)).json.task);
  assert.equal(own.json.task.my_state, 'claimed');
  assert.equal(own.json.task.claimed, 1);
  assert.equal(own.json.task.open, own.json.task.slots - 1);
  // Called off: nobody is credited, nobody may claim.
  assert.equal((await c.committee.post(`/api/v1/tasks/${t.id}/cancel`, {})).status, 200);
  assertError(await crowd[1].client.post(`/api/v1/tasks/${t.id}/claim`, {}), 409, 'conflict');
});

test('group credit, manual entries with a second person, reversal and redemption keep the ledger balanced', async () => {
  const ids = crowd.slice(0, 4).map((v) => v.id);
  assertError(await crowd[0].client.post('/api/v1/hours/group', { volunteer_ids: ids, service_kind: 'sampling', minutes: 180, worked_on: localDay(-1) }),
    403, 'forbidden');
  assertError(await c.block.post('/api/v1/hours/group', { volunteer_ids: ids, service_kind: 'sampling', minutes: 180, worked_on: localDay(2) }),
    400, 'validation_failed', 'worked_on');
  assertError(await c.block.post('/api/v1/hours/group', { volunteer_ids: [...ids, 99999999], service_kind: 'sampling', minutes: 180, worked_on: localDay(-1) }),
    400, 'validation_failed', 'volunteer_ids[4]');
  const before = (await c.committee.get(`/api/v1/volunteers/${ids[0]}/ledger`)).json;
  const g = await c.block.post('/api/v1/hours/group', { volunteer_ids: ids, service_kind: 'sampling', minutes: 180, worked_on: localDay(-1), note: '昨天核酸' });
  assert.equal(g.status, 201, g.text);
  assert.equal(g.json.credited, 4);
  const after = (await c.committee.get(`/api/v1/volunteers/${ids[0]}/ledger`)).json;
  assert.equal(after.points - before.points, 30);

  // A manual entry waits for someone else.
  const m = await crowd[0].client.post('/api/v1/hours', { volunteer_id: ids[0], service_kind: 'care', minutes: 60, worked_on: localDay(0) });
  assert.equal(m.status, 201, m.text);
  assert.equal(m.json.hours.state, 'pending');
  assertError(await crowd[0].client.post('/api/v1/hours', { volunteer_id: ids[1], service_kind: 'care', minutes: 60, worked_on: localDay(0) }),
    403, 'forbidden');
  assertError(await crowd[0].client.post(`/api/v1/hours/${m.json.hours.id}/confirm`, { approve: true }), 403, 'forbidden');
  const byBlock = await c.block.post('/api/v1/hours', { volunteer_id: ids[1], service_kind: 'care', minutes: 90, worked_on: localDay(0) });
  assertError(await c.block.post(`/api/v1/hours/${byBlock.json.hours.id}/confirm`, { approve: true }), 409, 'conflict');
  assert.equal((await c.zone.post(`/api/v1/hours/${byBlock.json.hours.id}/confirm`, { approve: true })).json.hours.state, 'verified');
  assert.equal((await c.block.post(`/api/v1/hours/${m.json.hours.id}/confirm`, { approve: false })).json.hours.state, 'rejected');
  const pending = await walkList(c.committee, '/api/v1/hours?state=pending');
  assert.ok(!pending.some((h) => h.id === m.json.hours.id));

  // Redemption: not more than the balance; then a reversal gives it back, once.
  const bal = (await c.committee.get(`/api/v1/volunteers/${ids[0]}/ledger`)).json.points;
  assertError(await c.committee.post('/api/v1/redemptions', { volunteer_id: ids[0], points: bal + 1, memo: '大米一袋' }), 409, 'conflict', 'points');
  const red = await c.committee.post('/api/v1/redemptions', { volunteer_id: ids[0], points: 10, memo: '大米一袋' });
  assert.equal(red.status, 201, red.text);
  assert.equal(red.json.balance, bal - 10);
  // A volunteer pays another for a service from their own account, not from someone else's.
  assertError(await crowd[1].client.post('/api/v1/redemptions', { volunteer_id: ids[0], points: 1, memo: 'x', provider_volunteer_id: ids[1] }),
    403, 'forbidden');
  const paid = await crowd[0].client.post('/api/v1/redemptions', { volunteer_id: ids[0], points: 5, memo: '帮忙理发', provider_volunteer_id: ids[2] });
  assert.equal(paid.status, 201, paid.text);
  assertError(await c.zone.post(`/api/v1/ledger/${red.json.txn}/reverse`, { memo: '录错了' }), 403, 'forbidden');
  const rev = await c.committee.post(`/api/v1/ledger/${red.json.txn}/reverse`, { memo: '录错了' });
  assert.equal(rev.status, 201, rev.text);
  assertError(await c.committee.post(`/api/v1/ledger/${red.json.txn}/reverse`, { memo: '再来' }), 409, 'conflict');
  assertError(await c.committee.post(`/api/v1/ledger/${rev.json.txn}/reverse`, { memo: '再来' }), 409, 'conflict');
  assert.equal((await c.committee.get(`/api/v1/volunteers/${ids[0]}/ledger`)).json.points, bal - 5);

  const check = (await c.committee.get('/api/v1/timebank/check')).json;
  assert.equal(check.unbalanced_transactions, 0);
  assert.equal(check.sum_of_all_entries, 0);
  assert.equal(check.balanced, true);
});

test('concurrent credits: every balance is the sum of its entries', async () => {
  const ids = crowd.map((v) => v.id);
  const before = await Promise.all(ids.map((id) => c.committee.get(`/api/v1/volunteers/${id}/ledger`)));
  const bursts = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    c.block.post('/api/v1/hours/group', { volunteer_ids: ids, service_kind: 'gate', minutes: 30 + i, worked_on: localDay(-2) })));
  assert.ok(bursts.every((b) => b.status === 201), bursts.map((b) => b.status).join());
  const expected = Array.from({ length: 20 }, (_, i) => Math.floor(((30 + i) * 10 + 30) / 60)).reduce((a, b) => a + b, 0);
  const after = await Promise.all(ids.map((id) => c.committee.get(`/api/v1/volunteers/${id}/ledger`)));
  for (let k = 0; k < ids.length; k++) {
    assert.equal(after[k].json.points - before[k].json.points, expected);
    const sum = after[k].json.entries.reduce((a, e) => a + e.points, 0);
    if (after[k].json.entries.length < 500) assert.equal(sum, after[k].json.points);
  }
  assert.equal((await c.committee.get('/api/v1/timebank/check')).json.balanced, true);
});

test('totals, the leaderboard, the certificate and the hours export', async () => {
  const s = await c.committee.get('/api/v1/timebank/summary');
  assert.equal(s.status, 200, s.text);
  assert.ok(s.json.by_kind.some((k) => k.service_kind === 'sampling'));
  assert.ok(s.json.leaderboard.length > 0);
  assertError(await c.volunteer.get('/api/v1/timebank/summary'), 403, 'forbidden');
  const cert = await crowd[0].client.get(`/api/v1/volunteers/${crowd[0].id}/certificate`);
  assert.equal(cert.status, 200);
  assert.match(cert.text, /Certificate of Honour/);
  assertError(await crowd[1].client.get(`/api/v1/volunteers/${crowd[0].id}/certificate`), 404, 'not_found');
  const csv = await c.committee.get(`/api/v1/hours?from=${localDay(-7)}&format=csv`);
  assert.equal(csv.status, 200);
  assert.ok(csv.text.split('\n').length > 10);
  assertError(await c.committee.get('/api/v1/hours?from=2026-13-01'), 400, 'validation_failed', 'from');
  const rules = await c.committee.put('/api/v1/points-rules/care', { points_per_hour: 20 });
  assert.equal(rules.status, 200, rules.text);
  assert.equal(rules.json.points_per_hour.care, 20);
});
