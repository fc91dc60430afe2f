// Teams: the demo's teams (party duty group, a full youth commando with a waitlist led
// by the `teamlead` login, sampling assistants needing training and approval), joining
// past the cap onto an ordered waitlist the leader promotes from, a qualification and an
// approval required, shifts and tasks for one team's members only, a task posted and
// closed by the team's leader; denials by role and by leadership.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, createUser } from '../lib/api-helpers.mjs';

let srv;
const c = {};
let teams;
const byKind = (k) => teams.find((t) => t.kind === k);
function localDay(offset) { return new Date(Date.now() + offset * 86400000 + 8 * 3600000).toISOString().slice(0, 10); }

async function newVolunteer() {
  const household = c.resident.me.user.roles.find((r) => r.role === 'resident').scope_id;
  const u = await createUser(c.committee, { roles: [{ role: 'resident', scope_id: household }] });
  const cl = await loggedIn(srv.url, u.username, u.password);
  const a = await cl.post('/api/v1/volunteers', { health: 'healthy', phone: '13600009999' });
  assert.equal(a.status, 201, a.text);
  assert.equal((await c.committee.post(`/api/v1/volunteers/${a.json.volunteer.id}/state`, { state: 'approved' })).status, 200);
  const client = await loggedIn(srv.url, u.username, u.password);
  return { client, id: a.json.volunteer.id };
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'volunteer', 'resident', 'teamlead']) c[u] = await loggedIn(srv.url, u);
  teams = listItems(await c.committee.get('/api/v1/teams'));
});
after(async () => { await srv?.stop(); });

test('the demo has the story\'s teams, and the team leader sees theirs', async () => {
  assert.equal(teams.length, 6);
  assert.ok(byKind('party_duty').members >= 100, JSON.stringify(byKind('party_duty')));
  const commando = byKind('commando');
  assert.equal(commando.members, 40);
  assert.equal(commando.cap, 40);
  assert.ok(commando.waitlist >= 5);
  const mine = listItems(await c.teamlead.get('/api/v1/teams')).find((t) => t.id === commando.id);
  assert.equal(mine.i_lead, true);
  const seen = await c.teamlead.get(`/api/v1/teams/${commando.id}`);
  assert.ok(seen.json.team.people.length >= 45);
  assert.equal(byKind('sampling').qualification, 'protective_suit');
  assert.equal(byKind('sampling').requires_approval, true);
});

test('joining past the cap waits in order; only the leader promotes, and only under the cap', async () => {
  const commando = byKind('commando');
  const v = await newVolunteer();
  const j = await v.client.post(`/api/v1/teams/${commando.id}/join`, {});
  assert.equal(j.status, 201, j.text);
  assert.equal(j.json.outcome, 'waitlist');
  assertError(await v.client.post(`/api/v1/teams/${commando.id}/join`, {}), 409, 'conflict');
  const team = (await c.teamlead.get(`/api/v1/teams/${commando.id}`)).json.team;
  const firstWaiting = team.people.find((p) => p.state === 'waitlist');
  assertError(await c.teamlead.post(`/api/v1/teams/${commando.id}/members/${firstWaiting.volunteer_id}`, { action: 'promote' }),
    409, 'full');
  assertError(await c.volunteer.post(`/api/v1/teams/${commando.id}/members/${firstWaiting.volunteer_id}`, { action: 'promote' }),
    403, 'forbidden');
  const member = team.people.find((p) => p.state === 'member' && p.volunteer_id !== commando.leader_volunteer_id);
  const out = await c.teamlead.post(`/api/v1/teams/${commando.id}/members/${member.volunteer_id}`, { action: 'remove' });
  assert.equal(out.status, 200, out.text);
  assert.equal(out.json.team.members, 39);
  const up = await c.teamlead.post(`/api/v1/teams/${commando.id}/members/${firstWaiting.volunteer_id}`, { action: 'promote' });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.json.team.members, 40);
  assertError(await c.teamlead.post(`/api/v1/teams/${commando.id}/members/${firstWaiting.volunteer_id}`, { action: 'dance' }),
    400, 'validation_failed', 'action');
  // The cap cannot go below the members; only committee staff change it.
  assertError(await c.committee.patch(`/api/v1/teams/${commando.id}`, { cap: 10 }), 409, 'conflict', 'cap');
  assertError(await c.teamlead.patch(`/api/v1/teams/${commando.id}`, { cap: 50 }), 403, 'forbidden');
  assertError(await c.zone.post('/api/v1/teams', { name: 'x', kind: 'patrol' }), 403, 'forbidden');
});

test('a team that needs training and approval', async () => {
  const sampling = byKind('sampling');
  const v = await newVolunteer();
  const no = await v.client.post(`/api/v1/teams/${sampling.id}/join`, {});
  assertError(no, 409, 'conflict');
  assert.match(no.json.error.message, /qualification/);
  await c.committee.put(`/api/v1/volunteers/${v.id}/qualifications/protective_suit`, { expires_on: localDay(100) });
  const p = await v.client.post(`/api/v1/teams/${sampling.id}/join`, {});
  assert.equal(p.json.outcome, 'pending');
  const ok = await c.committee.post(`/api/v1/teams/${sampling.id}/members/${v.id}`, { action: 'approve' });
  assert.equal(ok.status, 200, ok.text);
  assert.ok(['member', 'waitlist'].includes(ok.json.outcome));
});

test('shifts and tasks of a team are for its members; the leader posts and closes the team\'s tasks', async () => {
  const patrol = await c.committee.post('/api/v1/teams', { name: '夜巡二队', kind: 'patrol', cap: 3 });
  assert.equal(patrol.status, 201, patrol.text);
  const tid = patrol.json.team.id;
  const member = await newVolunteer();
  const outsider = await newVolunteer();
  assert.equal((await member.client.post(`/api/v1/teams/${tid}/join`, {})).json.outcome, 'member');
  const post = await c.committee.post('/api/v1/posts', { name: '夜巡路线', kind: 'patrol' });
  const made = await c.committee.post(`/api/v1/posts/${post.json.post.id}/shifts`,
    { from: localDay(1), to: localDay(1), times: [{ start: '22:00', end: '23:30' }], need: 2, team_id: tid });
  assert.equal(made.status, 201, made.text);
  const shift = listItems(await c.committee.get(`/api/v1/shifts?post_id=${post.json.post.id}&from=${localDay(1)}&to=${localDay(1)}`))[0];
  assert.equal(shift.team_id, tid);
  const no = await outsider.client.post(`/api/v1/shifts/${shift.id}/signup`, {});
  assertError(no, 409, 'conflict');
  assert.match(no.json.error.message, /team/);
  assert.equal((await member.client.post(`/api/v1/shifts/${shift.id}/signup`, {})).status, 201);

  // The commando's leader posts for the commando only.
  const commando = byKind('commando');
  assertError(await c.teamlead.post('/api/v1/tasks', { title: '搬运', date: localDay(1), start: '09:00', end: '10:00', slots: 2, service_kind: 'parcels' }),
    403, 'forbidden', 'team_id');
  assertError(await c.teamlead.post('/api/v1/tasks', { title: '搬运', date: localDay(1), start: '09:00', end: '10:00', slots: 2, service_kind: 'parcels', team_id: tid }),
    403, 'forbidden', 'team_id');
  const task = await c.teamlead.post('/api/v1/tasks', { title: '快递搬运', date: localDay(1), start: '09:00', end: '10:00', slots: 2, service_kind: 'parcels', team_id: commando.id });
  assert.equal(task.status, 201, task.text);
  const t = task.json.task;
  assertError(await outsider.client.post(`/api/v1/tasks/${t.id}/claim`, {}), 409, 'conflict');
  assert.equal(listItems(await outsider.client.get('/api/v1/tasks')).find((x) => x.id === t.id).eligible, false);
  assert.equal((await c.teamlead.post(`/api/v1/tasks/${t.id}/claim`, {})).status, 201);
  assertError(await member.client.post(`/api/v1/tasks/${t.id}/done`, {}), 403, 'forbidden');
  const done = await c.teamlead.post(`/api/v1/tasks/${t.id}/done`, {});
  assert.equal(done.status, 200, done.text);
  // Leaving a team frees its seat.
  const left = await member.client.post(`/api/v1/teams/${tid}/leave`, {});
  assert.equal(left.json.team.members, 0);
});
