// The notification centre: what the volunteer side tells people (approval, a task that
// fits them, a place from a waitlist, a published roster, the day-before question from
// the maintenance job, once), the unread count in "me", marking read (one's own only),
// the text in the reader's language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, createUser, stopServer } from '../lib/api-helpers.mjs';

let srv;
const c = {};
function localDay(offset) { return new Date(Date.now() + offset * 86400000 + 8 * 3600000).toISOString().slice(0, 10); }
function local(minutesFromNow) {
  const iso = new Date(Date.now() + minutesFromNow * 60000 + 8 * 3600000).toISOString();
  return { day: iso.slice(0, 10), time: iso.slice(11, 16) };
}
async function notes(client, kind) {
  const r = await client.get('/api/v1/notifications');
  assert.equal(r.status, 200, r.text);
  return kind ? r.json.items.filter((n) => n.kind === kind) : r.json.items;
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'block', 'volunteer', 'resident', 'teamlead']) c[u] = await loggedIn(srv.url, u);
});
after(async () => { await srv?.stop(); });

test('approval, a task that fits, and the unread count in me', async () => {
  const household = c.resident.me.user.roles.find((r) => r.role === 'resident').scope_id;
  const u = await createUser(c.committee, { roles: [{ role: 'resident', scope_id: household }] });
  const cl = await loggedIn(srv.url, u.username, u.password);
  const a = await cl.post('/api/v1/volunteers', { health: 'healthy', phone: '13611112222', skills: ['driving'] });
  assert.equal((await c.committee.post(`/api/v1/volunteers/${a.json.volunteer.id}/state`, { state: 'approved' })).status, 200);
  assert.equal((await cl.get('/api/v1/notifications?unread=1&limit=1')).json.unread, 1);
  const [approved] = await notes(cl, 'volunteer_approved');
  assert.match(approved.text, /approved/);
  assert.equal(approved.link, '/volunteer');

  // A task for drivers reaches this driver, not the demo volunteer without the skill.
  const before = (await notes(c.volunteer, 'task_fits')).length;
  const t = await c.committee.post('/api/v1/tasks', { title: '开车送药', date: localDay(1), start: '09:00', end: '10:00',
    slots: 1, service_kind: 'delivery', skill: 'driving' });
  assert.equal(t.status, 201, t.text);
  const fits = await notes(cl, 'task_fits');
  assert.equal(fits.length, 1);
  assert.match(fits[0].text, /开车送药/);
  assert.equal((await notes(c.volunteer, 'task_fits')).length, before);
  // Chinese for a Chinese reader.
  cl.lang = 'zh-CN';
  assert.match((await notes(cl, 'task_fits'))[0].text, /有适合您的新任务/);

  // Marking read: one's own only.
  const mine = await notes(cl);
  const other = (await notes(c.volunteer))[0];
  const r = await cl.post('/api/v1/notifications/read', { ids: [mine[0].id, ...(other ? [other.id] : [])] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.marked, 1);
  assertError(await cl.post('/api/v1/notifications/read', {}), 400, 'validation_failed', 'ids');
  assert.equal((await cl.post('/api/v1/notifications/read', { all: true })).json.unread, 0);
  assert.equal((await cl.get('/api/v1/notifications?unread=1')).json.unread, 0);
});

test('a place from the waitlist is told', async () => {
  const post = await c.committee.post('/api/v1/posts', { name: '通知测试岗', kind: 'gate' });
  await c.committee.post(`/api/v1/posts/${post.json.post.id}/shifts`,
    { from: localDay(2), to: localDay(2), times: [{ start: '10:00', end: '11:00' }], need: 1 });
  const shift = listItems(await c.committee.get(`/api/v1/shifts?post_id=${post.json.post.id}&from=${localDay(2)}&to=${localDay(2)}`))[0];
  assert.equal((await c.volunteer.post(`/api/v1/shifts/${shift.id}/signup`, {})).json.outcome, 'assigned');
  assert.equal((await c.teamlead.post(`/api/v1/shifts/${shift.id}/signup`, {})).json.outcome, 'waitlist');
  await c.volunteer.del(`/api/v1/shifts/${shift.id}/signup`);
  const [promoted] = await notes(c.teamlead, 'promoted_shift');
  assert.ok(promoted, 'told');
  assert.match(promoted.text, /通知测试岗/);
});

test('the day-before question is asked once, by the maintenance job', async () => {
  const own = await startServer();
  try {
    const committee = await loggedIn(own.url, 'committee');
    const block = await loggedIn(own.url, 'block');
    const volunteer = await loggedIn(own.url, 'volunteer');
    const post = await committee.post('/api/v1/posts', { name: '明日岗', kind: 'gate' });
    const start = local(20 * 60), end = local(22 * 60);
    await committee.post(`/api/v1/posts/${post.json.post.id}/shifts`,
      { from: start.day, to: start.day, times: [{ start: start.time, end: end.time }], need: 1 });
    const shift = listItems(await committee.get(`/api/v1/shifts?post_id=${post.json.post.id}&from=${start.day}&to=${start.day}`))[0];
    const vid = (await volunteer.get('/api/v1/volunteers/me')).json.volunteer.id;
    assert.equal((await block.post(`/api/v1/shifts/${shift.id}/assign`, { volunteer_id: vid })).status, 201);
    for (let round = 0; round < 2; round++) {
      await stopServer(own, { keepDb: true });
      const again = await startServer({ db: own.db });
      Object.assign(own, again);
      const v = await loggedIn(again.url, 'volunteer');
      let asked = [];
      for (let i = 0; i < 50 && !asked.length; i++) {
        asked = (await notes(v, 'shift_tomorrow')).filter((n) => n.params.shift_id === shift.id);
        if (!asked.length) await new Promise((ok) => setTimeout(ok, 200));
      }
      assert.equal(asked.length, 1, `round ${round}: asked once`);
      assert.match(asked[0].text, /明日岗/);
    }
  } finally {
    await stopServer(own, { keepDb: true });
    own.db.dispose();
  }
});

test('a published roster tells everyone on it', async () => {
  const post = await c.committee.post('/api/v1/posts', { name: '排班通知岗', kind: 'gate' });
  await c.committee.post(`/api/v1/posts/${post.json.post.id}/shifts`,
    { from: localDay(25), to: localDay(25), times: [{ start: '08:00', end: '12:00' }, { start: '20:00', end: '23:59' }], need: 200 });
  const r = await c.committee.post('/api/v1/rosters', { from: localDay(25), to: localDay(25), post_ids: [post.json.post.id] });
  assert.equal(r.status, 201, r.text);
  // 400 places for ~284 serving volunteers: fewest hours first puts everyone on one.
  assert.ok(r.json.roster.entries > 284, JSON.stringify(r.json.roster.stats));
  assert.equal((await c.committee.post(`/api/v1/rosters/${r.json.roster.id}/publish`, {})).status, 200);
  const [told] = await notes(c.volunteer, 'rostered');
  assert.ok(told, 'the demo volunteer is on it');
  assert.ok(told.params.count >= 1);
});
