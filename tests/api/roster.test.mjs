// The roster generator on the demo's corps: two weeks of every post filled from ~280
// serving volunteers with no rule broken (overlap, hours a day and a week, rest,
// qualification, availability), hours spread evenly, the shifts it could not fill listed
// with why, each entry explained, hand edits that keep the rules, publishing into the
// shifts; denials by role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, walkList } from '../lib/api-helpers.mjs';

let srv;
const c = {};
const HOUR = 3600000;
function localDay(offset) { return new Date(Date.now() + offset * 86400000 + 8 * HOUR).toISOString().slice(0, 10); }
const FROM = localDay(2), TO = localDay(15);

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'volunteer']) c[u] = await loggedIn(srv.url, u);
});
after(async () => { await srv?.stop(); });

let roster;
test('a two-week roster fills every post fairly and breaks no rule', async () => {
  assertError(await c.zone.post('/api/v1/rosters', { from: FROM, to: TO }), 403, 'forbidden');
  assertError(await c.committee.post('/api/v1/rosters', { from: FROM, to: localDay(60) }), 400, 'validation_failed', 'to');
  assertError(await c.committee.post('/api/v1/rosters', { from: FROM, to: TO, max_hours_day: 30 }), 400, 'validation_failed', 'max_hours_day');
  const t0 = Date.now();
  const r = await c.committee.post('/api/v1/rosters', { from: FROM, to: TO, max_hours_day: 12, max_hours_week: 40, min_rest_hours: 10 });
  assert.equal(r.status, 201, r.text);
  roster = r.json.roster;
  console.log(`roster: ${roster.entries} places, ${roster.stats.shifts} shifts, generated in ${roster.stats.generate_ms} ms (request ${Date.now() - t0} ms)`);
  assert.equal(roster.state, 'draft');
  assert.ok(roster.stats.shifts >= 6 * 14, JSON.stringify(roster.stats));

  const entries = await walkList(c.committee, `/api/v1/rosters/${roster.id}/entries`);
  assert.equal(entries.length, roster.entries);
  const shifts = new Map((await walkList(c.committee, `/api/v1/shifts?from=${localDay(1)}&to=${localDay(16)}`)).map((s) => [s.id, s]));
  // Every place filled: the sampling shifts need training that every fifth volunteer has.
  const byShift = new Map();
  for (const e of entries) byShift.set(e.shift_id, (byShift.get(e.shift_id) || 0) + 1);
  for (const [id, n] of byShift) assert.ok(n <= shifts.get(id).need - shifts.get(id).taken, `shift ${id} overfilled`);
  assert.equal(roster.unfilled.length, 0, JSON.stringify(roster.unfilled.slice(0, 3)));
  // The rules, per volunteer.
  const per = new Map();
  for (const e of entries) {
    const s = shifts.get(e.shift_id);
    if (!per.has(e.volunteer_id)) per.set(e.volunteer_id, []);
    per.get(e.volunteer_id).push({ start: Date.parse(s.starts_at), end: Date.parse(s.ends_at), day: s.start_text.slice(0, 10), qual: s.qualification });
  }
  const hours = [];
  for (const [vid, list] of per) {
    list.sort((a, b) => a.start - b.start);
    let total = 0;
    const days = new Map();
    for (let i = 0; i < list.length; i++) {
      const len = (list[i].end - list[i].start) / HOUR;
      total += len;
      days.set(list[i].day, (days.get(list[i].day) || 0) + len);
      if (i > 0) assert.ok(list[i].start - list[i - 1].end >= 10 * HOUR, `volunteer ${vid}: rest`);
    }
    for (const [day, h] of days) assert.ok(h <= 12, `volunteer ${vid}: ${h} h on ${day}`);
    assert.ok(total <= 40 * 3, `volunteer ${vid}: ${total} h`);
    hours.push(total);
  }
  // Hours spread evenly: nobody has more than two shifts' worth over anyone on the roster.
  hours.sort((a, b) => a - b);
  assert.ok(hours[hours.length - 1] - hours[0] <= 24, `spread ${hours[0]}..${hours[hours.length - 1]}`);
  assert.ok(per.size > 150, `${per.size} people on the roster`);
  // Each entry says why, in the reader's language.
  assert.match(entries[0].reason, /fewest/);
});

test('a shift nobody may stand is listed as unfilled with the rule that excluded people', async () => {
  const post = await c.committee.post('/api/v1/posts', { name: '急救站', kind: 'other' });
  await c.committee.post(`/api/v1/posts/${post.json.post.id}/shifts`,
    { from: localDay(20), to: localDay(20), times: [{ start: '08:00', end: '12:00' }], need: 2, qualification: 'driving_licence' });
  const r = await c.committee.post('/api/v1/rosters', { from: localDay(20), to: localDay(20), post_ids: [post.json.post.id] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.roster.unfilled.length, 1);
  const u = r.json.roster.unfilled[0];
  assert.equal(u.missing, 2);
  assert.ok(u.excluded.qualification > 100, JSON.stringify(u));
  assertError(await c.committee.post('/api/v1/rosters', { from: FROM, to: TO, post_ids: [999999] }), 400, 'validation_failed', 'post_ids[0]');
  assert.equal((await c.committee.del(`/api/v1/rosters/${r.json.roster.id}`)).status, 200);
});

test('explain, edit by hand within the rules, then publish into the shifts', async () => {
  const entries = await walkList(c.committee, `/api/v1/rosters/${roster.id}/entries`);
  const e = entries[0];
  const on = await c.committee.get(`/api/v1/rosters/${roster.id}/explain?shift_id=${e.shift_id}&volunteer_id=${e.volunteer_id}`);
  assert.equal(on.status, 200, on.text);
  assert.equal(on.json.on_shift, true);
  // The same person on another shift at the same time: overlap.
  const same = entries.find((x) => x.start_text === e.start_text && x.shift_id !== e.shift_id);
  const why = await c.committee.get(`/api/v1/rosters/${roster.id}/explain?shift_id=${same.shift_id}&volunteer_id=${e.volunteer_id}`);
  assert.equal(why.json.reason, 'overlap');
  assertError(await c.committee.post(`/api/v1/rosters/${roster.id}/entries`, { shift_id: same.shift_id, volunteer_id: e.volunteer_id }),
    409, 'conflict', 'volunteer_id');
  // Remove one entry and put someone else on it by hand.
  const removed = await c.committee.del(`/api/v1/rosters/${roster.id}/entries/${e.id}`);
  assert.equal(removed.status, 200, removed.text);
  const someone = entries.find((x) => x.volunteer_id !== e.volunteer_id &&
    !entries.some((y) => y.volunteer_id === x.volunteer_id && y.start_text.slice(0, 10) === e.start_text.slice(0, 10)));
  const added = await c.committee.post(`/api/v1/rosters/${roster.id}/entries`, { shift_id: e.shift_id, volunteer_id: someone.volunteer_id });
  assert.equal(added.status, 201, added.text);
  assertError(await c.committee.post(`/api/v1/rosters/${roster.id}/entries`, { shift_id: e.shift_id, volunteer_id: someone.volunteer_id }),
    409, 'conflict');
  assertError(await c.volunteer.post(`/api/v1/rosters/${roster.id}/publish`, {}), 403, 'forbidden');
  const pub = await c.committee.post(`/api/v1/rosters/${roster.id}/publish`, {});
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.json.placed, roster.entries);
  assert.equal(pub.json.not_placed.length, 0);
  const s = await c.committee.get(`/api/v1/shifts/${e.shift_id}`);
  assert.ok(s.json.shift.people.some((p) => p.volunteer_id === someone.volunteer_id && p.source === 'roster'));
  assert.equal(s.json.shift.taken, s.json.shift.need);
  assertError(await c.committee.post(`/api/v1/rosters/${roster.id}/publish`, {}), 409, 'conflict');
  // The next roster of the same days finds every place taken.
  const again = await c.committee.post('/api/v1/rosters', { from: FROM, to: TO, max_hours_day: 12 });
  assert.equal(again.json.roster.entries, 0);
});

test('between people with the same hours, the one who prefers this kind of post is chosen', async () => {
  assertError(await c.volunteer.patch('/api/v1/volunteers/999999', { preferred_posts: ['gate'] }), 404, 'not_found');
  const me = (await c.volunteer.get('/api/v1/volunteers/me')).json.volunteer;
  assertError(await c.volunteer.patch(`/api/v1/volunteers/${me.id}`, { preferred_posts: ['beach'] }), 400, 'validation_failed', 'preferred_posts[0]');
  const ok = await c.volunteer.patch(`/api/v1/volunteers/${me.id}`, { preferred_posts: ['patrol'] });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json.volunteer.preferred_posts, ['patrol']);
  // A patrol shift far ahead, with no zone: everyone has 0 hours then; the preference decides.
  const post = await c.committee.post('/api/v1/posts', { name: '偏好测试巡逻', kind: 'patrol' });
  await c.committee.post(`/api/v1/posts/${post.json.post.id}/shifts`,
    { from: localDay(28), to: localDay(28), times: [{ start: '10:00', end: '12:00' }], need: 1 });
  const r = await c.committee.post('/api/v1/rosters', { from: localDay(28), to: localDay(28), post_ids: [post.json.post.id] });
  assert.equal(r.status, 201, r.text);
  const entries = (await c.committee.get(`/api/v1/rosters/${r.json.roster.id}/entries`)).json.items;
  assert.equal(entries.length, 1);
  assert.equal(entries[0].volunteer_id, me.id);
  assert.match(entries[0].reason, /prefers this kind of post/);
});
