// Shift swaps: asking another volunteer to take one's shift or to exchange shifts, the
// other told and answering, both places moving in one write under the sign-up rules
// (a qualification the other lacks stops it, nothing moved), the asker told; denials.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems } from '../lib/api-helpers.mjs';

let srv;
const c = {};
const ids = {};
function localDay(offset) { return new Date(Date.now() + offset * 86400000 + 8 * 3600000).toISOString().slice(0, 10); }

async function shiftAt(day, start, end, body = {}) {
  const post = await c.committee.post('/api/v1/posts', { name: `换班岗 ${day} ${start}`, kind: 'gate' });
  const made = await c.committee.post(`/api/v1/posts/${post.json.post.id}/shifts`,
    { from: day, to: day, times: [{ start, end }], need: 2, ...body });
  assert.equal(made.status, 201, made.text);
  return listItems(await c.committee.get(`/api/v1/shifts?post_id=${post.json.post.id}&from=${day}&to=${day}`))[0];
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'volunteer', 'teamlead', 'block']) c[u] = await loggedIn(srv.url, u);
  for (const u of ['volunteer', 'teamlead', 'block']) ids[u] = (await c[u].get('/api/v1/volunteers/me')).json.volunteer.id;
});
after(async () => { await srv?.stop(); });

test('taking over a shift: asked, told, accepted, moved', async () => {
  const s = await shiftAt(localDay(2), '06:00', '07:00');
  assert.equal((await c.volunteer.post(`/api/v1/shifts/${s.id}/signup`, {})).status, 201);
  assertError(await c.teamlead.post(`/api/v1/shifts/${s.id}/swap`, { volunteer_id: ids.block }), 404, 'not_found');
  assertError(await c.volunteer.post(`/api/v1/shifts/${s.id}/swap`, { volunteer_id: ids.volunteer }), 400, 'validation_failed', 'volunteer_id');
  const ask = await c.volunteer.post(`/api/v1/shifts/${s.id}/swap`, { volunteer_id: ids.teamlead });
  assert.equal(ask.status, 201, ask.text);
  const told = (await c.teamlead.get('/api/v1/notifications')).json.items.find((n) => n.kind === 'swap_asked' && n.params.swap_id === ask.json.swap.id);
  assert.ok(told, 'the other is told');
  const mine = await c.teamlead.get('/api/v1/my/swaps');
  assert.ok(mine.json.items.some((w) => w.id === ask.json.swap.id && w.asked_of_me));
  assertError(await c.block.post(`/api/v1/swaps/${ask.json.swap.id}/answer`, { accept: true }), 404, 'not_found');
  const yes = await c.teamlead.post(`/api/v1/swaps/${ask.json.swap.id}/answer`, { accept: true });
  assert.equal(yes.status, 200, yes.text);
  const after = (await c.committee.get(`/api/v1/shifts/${s.id}`)).json.shift;
  assert.equal(after.taken, 1);
  assert.deepEqual(after.people.filter((p) => p.state === 'assigned').map((p) => p.volunteer_id), [ids.teamlead]);
  assertError(await c.teamlead.post(`/api/v1/swaps/${ask.json.swap.id}/answer`, { accept: true }), 409, 'conflict');
  assert.ok((await c.volunteer.get('/api/v1/notifications')).json.items.some((n) => n.kind === 'swap_accepted'));
});

test('an exchange moves both places; a rule the other would break moves nothing', async () => {
  const mine = await shiftAt(localDay(3), '06:00', '07:00');
  const theirs = await shiftAt(localDay(3), '09:00', '10:00');
  assert.equal((await c.volunteer.post(`/api/v1/shifts/${mine.id}/signup`, {})).status, 201);
  assert.equal((await c.block.post(`/api/v1/shifts/${theirs.id}/signup`, {})).status, 201);
  assertError(await c.volunteer.post(`/api/v1/shifts/${mine.id}/swap`, { volunteer_id: ids.block, their_shift_id: mine.id }),
    400, 'validation_failed', 'their_shift_id');
  const ask = await c.volunteer.post(`/api/v1/shifts/${mine.id}/swap`, { volunteer_id: ids.block, their_shift_id: theirs.id });
  assert.equal(ask.status, 201, ask.text);
  assert.equal((await c.block.post(`/api/v1/swaps/${ask.json.swap.id}/answer`, { accept: true })).status, 200);
  const a = (await c.committee.get(`/api/v1/shifts/${mine.id}`)).json.shift.people.filter((p) => p.state === 'assigned');
  const b = (await c.committee.get(`/api/v1/shifts/${theirs.id}`)).json.shift.people.filter((p) => p.state === 'assigned');
  assert.deepEqual([a.map((p) => p.volunteer_id), b.map((p) => p.volunteer_id)], [[ids.block], [ids.volunteer]]);

  // A shift needing training the other lacks: the accept is refused and nothing moves.
  const trained = await shiftAt(localDay(2), '12:00', '13:00', { qualification: 'first_aid' });
  await c.committee.put(`/api/v1/volunteers/${ids.volunteer}/qualifications/first_aid`, { expires_on: localDay(100) });
  assert.equal((await c.volunteer.post(`/api/v1/shifts/${trained.id}/signup`, {})).status, 201);
  const ask2 = await c.volunteer.post(`/api/v1/shifts/${trained.id}/swap`, { volunteer_id: ids.teamlead });
  const no = await c.teamlead.post(`/api/v1/swaps/${ask2.json.swap.id}/answer`, { accept: true });
  assertError(no, 409, 'conflict');
  assert.match(no.json.error.message, /qualification/);
  const still = (await c.committee.get(`/api/v1/shifts/${trained.id}`)).json.shift.people.filter((p) => p.state === 'assigned');
  assert.deepEqual(still.map((p) => p.volunteer_id), [ids.volunteer]);
  const decline = await c.teamlead.post(`/api/v1/swaps/${ask2.json.swap.id}/answer`, { accept: false });
  assert.equal(decline.status, 200, decline.text);
});

test('a shift given back with nobody waiting becomes a task to grab that puts the taker on the shift', async () => {
  const s = await shiftAt(localDay(2), '15:00', '16:00');
  assert.equal((await c.volunteer.post(`/api/v1/shifts/${s.id}/signup`, {})).status, 201);
  assert.equal((await c.volunteer.del(`/api/v1/shifts/${s.id}/signup`)).json.outcome, 'given_back');
  const task = listItems(await c.teamlead.get('/api/v1/tasks')).find((x) => x.title.includes(s.post_name));
  assert.ok(task, 'an open task for the shift');
  assert.match(task.title, /^顶班/);
  assert.equal(task.slots, 1);
  const claim = await c.teamlead.post(`/api/v1/tasks/${task.id}/claim`, {});
  assert.equal(claim.status, 201, claim.text);
  const after = (await c.committee.get(`/api/v1/shifts/${s.id}`)).json.shift;
  assert.ok(after.people.some((p) => p.volunteer_id === ids.teamlead && p.state === 'assigned'));
  assert.equal(after.taken, 1);
  assertError(await c.block.post(`/api/v1/tasks/${task.id}/claim`, {}), 409, 'full');
  // Leaving it goes through the shift, not the task.
  assertError(await c.teamlead.del(`/api/v1/tasks/${task.id}/claim`), 409, 'conflict');
  const me = (await c.committee.get(`/api/v1/volunteers/${ids.volunteer}`)).json.volunteer;
  assert.equal(me.no_shows, 0);
});

test('a colleague is named by phone number', async () => {
  const s = await shiftAt(localDay(1), '05:00', '06:00');
  assert.equal((await c.volunteer.post(`/api/v1/shifts/${s.id}/signup`, {})).status, 201);
  assertError(await c.volunteer.post(`/api/v1/shifts/${s.id}/swap`, { phone: '13999999999' }), 400, 'validation_failed', 'phone');
  const ask = await c.volunteer.post(`/api/v1/shifts/${s.id}/swap`, { phone: '13900000202' });
  assert.equal(ask.status, 201, ask.text);
  const mine = await c.teamlead.get('/api/v1/my/swaps');
  assert.ok(mine.json.items.some((w) => w.id === ask.json.swap.id && w.asked_of_me));
});
