// Volunteers: applying (for oneself, by a leader for someone without a smartphone, an
// outsider by the committee), approval and the role that follows the state, the list's
// scope, filters and export; posts and shift patterns; the sign-up rules (window,
// overlap, qualification, need and waitlist), giving back to the waitlist, the
// day-before confirmation, leader assignment, check-in and out by the post's code with
// hours and points credited; denials by role (403) and by scope (404).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, createUser, uniq, getBytes } from '../lib/api-helpers.mjs';

let srv;
const c = {};

// The community's local day and time (Asia/Shanghai, UTC+8) `minutes` from now.
function local(minutesFromNow) {
  const d = new Date(Date.now() + minutesFromNow * 60000 + 8 * 3600000);
  const iso = d.toISOString();
  return { day: iso.slice(0, 10), time: iso.slice(11, 16) };
}
function dayPlus(n) { return local(n * 1440).day; }

before(async () => {
  srv = await startServer();
  for (const u of ['admin', 'committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
});
after(async () => { await srv?.stop(); });

test('the demo has a volunteer corps, posts with two weeks of shifts, open tasks and past hours', async () => {
  const all = await walkList(c.committee, '/api/v1/volunteers');
  assert.ok(all.length >= 100, `volunteers: ${all.length}`);
  assert.ok(all.some((v) => v.kind === 'cadre' && v.organisation));
  assert.ok(all.some((v) => v.state === 'applied'));
  const posts = listItems(await c.committee.get('/api/v1/posts'));
  assert.equal(posts.filter((p) => p.kind === 'gate').length, 3);
  const shifts = await walkList(c.committee, `/api/v1/shifts?from=${dayPlus(0)}&to=${dayPlus(13)}`);
  assert.ok(shifts.length >= 3 * 3 * 14, `shifts: ${shifts.length}`);
  const tasks = listItems(await c.volunteer.get('/api/v1/tasks'));
  assert.ok(tasks.length >= 3);
  const me = await c.volunteer.get('/api/v1/volunteers/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.volunteer.state, 'active');
  const check = await c.committee.get('/api/v1/timebank/check');
  assert.equal(check.status, 200, check.text);
  assert.equal(check.json.balanced, true, check.text);
  assert.ok(check.json.held_by_volunteers > 0);
});

test('a resident applies, the committee approves, and the volunteer role follows the state', async () => {
  const before = await c.resident.get('/api/v1/volunteers/me');
  assertError(before, 404, 'not_found');
  const bad = await c.resident.post('/api/v1/volunteers', { health: 'healthy', skills: ['flying'] });
  assertError(bad, 400, 'validation_failed', 'skills[0]');
  const badAvail = await c.resident.post('/api/v1/volunteers', { availability: [{ weekday: 8, from: '08:00', to: '12:00' }] });
  assertError(badAvail, 400, 'validation_failed', 'availability[0]');
  const r = await c.resident.post('/api/v1/volunteers', {
    phone: '13987654321', skills: ['driving', 'lifting'], availability: [{ weekday: 6, from: '08:00', to: '20:00' }], health: 'healthy' });
  assert.equal(r.status, 201, r.text);
  const v = r.json.volunteer;
  assert.equal(v.state, 'applied');
  assert.equal(v.kind, 'resident');
  assert.deepEqual(v.skills, ['driving', 'lifting']);
  assertError(await c.resident.post('/api/v1/volunteers', {}), 400, 'validation_failed', 'health');
  assertError(await c.resident.post('/api/v1/volunteers', { health: 'healthy' }), 409, 'conflict');

  // Not yet a volunteer: shift routes are refused by role.
  const shifts = listItems(await c.committee.get(`/api/v1/shifts?from=${dayPlus(1)}&to=${dayPlus(1)}`));
  assertError(await c.resident.post(`/api/v1/shifts/${shifts[0].id}/signup`, {}), 403, 'forbidden');
  // Only the committee changes states.
  assertError(await c.block.post(`/api/v1/volunteers/${v.id}/state`, { state: 'approved' }), 403, 'forbidden');
  assertError(await c.committee.post(`/api/v1/volunteers/${v.id}/state`, { state: 'active' }), 409, 'conflict', 'state');
  const ok = await c.committee.post(`/api/v1/volunteers/${v.id}/state`, { state: 'approved' });
  assert.equal(ok.status, 200, ok.text);
  const me = await c.resident.get('/api/v1/me');
  assert.ok(me.json.user.roles.some((x) => x.role === 'volunteer'), 'the role came with the approval');
  // The volunteer edits their own profile; kind is the committee's.
  const edit = await c.resident.patch(`/api/v1/volunteers/${v.id}`, { skills: ['medical'], note: '周末可以' });
  assert.equal(edit.status, 200, edit.text);
  assert.deepEqual(edit.json.volunteer.skills, ['medical']);
  assertError(await c.resident.patch(`/api/v1/volunteers/${v.id}`, { kind: 'cadre' }), 403, 'forbidden');
  // Leaving needs a reason and takes the role away.
  assertError(await c.committee.post(`/api/v1/volunteers/${v.id}/state`, { state: 'left' }), 400, 'validation_failed', 'reason');
  const left = await c.committee.post(`/api/v1/volunteers/${v.id}/state`, { state: 'left', reason: '搬走了' });
  assert.equal(left.status, 200, left.text);
  assert.equal(left.json.volunteer.left_reason, '搬走了');
  const me2 = await c.resident.get('/api/v1/me');
  assert.ok(!me2.json.user.roles.some((x) => x.role === 'volunteer'), 'the role went with leaving');
  // Back again later.
  assert.equal((await c.committee.post(`/api/v1/volunteers/${v.id}/state`, { state: 'applied' })).status, 200);
});

test('a block leader signs up a resident without a smartphone; the committee adds an outsider', async () => {
  const blockId = c.block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const people = listItems(await c.block.get(`/api/v1/residents?block_id=${blockId}&limit=100`));
  const vols = await walkList(c.committee, '/api/v1/volunteers');
  const taken = new Set(vols.map((v) => v.resident_id));
  const someone = people.find((p) => !taken.has(p.id));
  assert.ok(someone, 'a resident of the block who is no volunteer');
  const r = await c.block.post('/api/v1/volunteers', { resident_id: someone.id, skills: ['lifting'], health: 'limited' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.volunteer.on_behalf, true);
  assert.equal(r.json.volunteer.name, someone.name);
  // Outside the leader's blocks: refused, naming the field.
  const zones = listItems(await c.committee.get('/api/v1/zones'));
  const farZone = zones[zones.length - 1].id;
  const far = listItems(await c.committee.get(`/api/v1/residents?zone_id=${farZone}&limit=50`))
    .find((p) => !taken.has(p.id));
  assertError(await c.block.post('/api/v1/volunteers', { resident_id: far.id, health: 'healthy' }), 400, 'validation_failed', 'resident_id');
  // A resident cannot sign up someone else.
  assertError(await c.resident.post('/api/v1/volunteers', { resident_id: someone.id, health: 'healthy' }), 403, 'forbidden');
  // The committee adds a sunk-down cadre: organisation and phone are required.
  assertError(await c.committee.post('/api/v1/volunteers', { outsider: true, health: 'healthy', kind: 'cadre', name: '周干部', phone: '13812345678' }),
    400, 'validation_failed', 'organisation');
  assertError(await c.committee.post('/api/v1/volunteers', { outsider: true, health: 'healthy', kind: 'cadre', name: '周干部', phone: '1381234567', organisation: '街道' }),
    400, 'validation_failed', 'phone');
  const cadre = await c.committee.post('/api/v1/volunteers',
    { outsider: true, health: 'healthy', kind: 'cadre', name: '周干部', phone: '13812345678', organisation: '江苏路街道' });
  assert.equal(cadre.status, 201, cadre.text);
  assert.equal(cadre.json.volunteer.user_id, null);
  // Scope: the block leader sees the one they signed up, not the cadre; a volunteer no list.
  const seen = await walkList(c.block, '/api/v1/volunteers');
  assert.ok(seen.some((v) => v.id === r.json.volunteer.id));
  assert.ok(!seen.some((v) => v.id === cadre.json.volunteer.id));
  assertError(await c.block.get(`/api/v1/volunteers/${cadre.json.volunteer.id}`), 404, 'not_found');
  assertError(await c.volunteer.get('/api/v1/volunteers'), 403, 'forbidden');
  assertError(await c.volunteer.get(`/api/v1/volunteers/${cadre.json.volunteer.id}`), 404, 'not_found');
  // Filters and export.
  const cadres = await walkList(c.committee, '/api/v1/volunteers?kind=cadre');
  assert.ok(cadres.length >= 1 && cadres.every((v) => v.kind === 'cadre'));
  assertError(await c.committee.get('/api/v1/volunteers?state=bored'), 400, 'validation_failed', 'state');
  const csv = await getBytes(c.committee, '/api/v1/volunteers?kind=cadre&format=csv');
  assert.equal(csv.status, 200);
  assert.ok(csv.body.toString('utf8').includes('江苏路街道'));
  const print = await c.committee.get('/api/v1/volunteers?kind=cadre&print=1');
  assert.equal(print.status, 200);
  assert.ok(print.text.includes('周干部'));
});

test('qualifications with expiry and equipment issued are recorded by the committee', async () => {
  const me = (await c.volunteer.get('/api/v1/volunteers/me')).json.volunteer;
  assertError(await c.committee.put(`/api/v1/volunteers/${me.id}/qualifications/juggling`, {}), 400, 'validation_failed', 'qualification');
  assertError(await c.committee.put(`/api/v1/volunteers/${me.id}/qualifications/first_aid`, { expires_on: '2026-02-30' }),
    400, 'validation_failed', 'expires_on');
  assertError(await c.volunteer.put(`/api/v1/volunteers/${me.id}/qualifications/first_aid`, {}), 403, 'forbidden');
  const q = await c.committee.put(`/api/v1/volunteers/${me.id}/qualifications/first_aid`, { expires_on: dayPlus(300) });
  assert.equal(q.status, 200, q.text);
  assert.ok(q.json.volunteer.qualifications.some((x) => x.qualification === 'first_aid' && x.valid));
  const e = await c.committee.post(`/api/v1/volunteers/${me.id}/equipment`, { item: '防护服', quantity: 3 });
  assert.equal(e.status, 201, e.text);
  assert.ok(e.json.volunteer.equipment.some((x) => x.item === '防护服' && x.quantity === 3));
});

test('shifts: patterns, window, overlap, qualification, need and the waitlist', async () => {
  const post = await c.committee.post('/api/v1/posts', { name: uniq('测试岗'), kind: 'gate', place: '西门' });
  assert.equal(post.status, 201, post.text);
  const pid = post.json.post.id;
  assertError(await c.committee.post(`/api/v1/posts/${pid}/shifts`, { from: dayPlus(1), to: dayPlus(2), times: [{ start: '8:00', end: '16:00' }], need: 1 }),
    400, 'validation_failed', 'times[0]');
  assertError(await c.volunteer.post(`/api/v1/posts/${pid}/shifts`, { from: dayPlus(1), to: dayPlus(2), times: [], need: 1 }), 403, 'forbidden');
  const times = [{ start: '00:00', end: '08:00' }, { start: '08:00', end: '16:00' }, { start: '16:00', end: '00:00' }];
  const made = await c.committee.post(`/api/v1/posts/${pid}/shifts`, { from: dayPlus(1), to: dayPlus(5), times, need: 1 });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.json.made, 15);
  const again = await c.committee.post(`/api/v1/posts/${pid}/shifts`, { from: dayPlus(1), to: dayPlus(1), times, need: 1 });
  assert.deepEqual([again.json.made, again.json.kept], [0, 3]);
  const list = await walkList(c.volunteer, `/api/v1/shifts?post_id=${pid}&from=${dayPlus(1)}&to=${dayPlus(5)}`);
  assert.equal(list.length, 15);
  const day1 = list.filter((s) => s.start_text.startsWith(dayPlus(1)));
  const day5 = list.filter((s) => s.start_text.startsWith(dayPlus(5)));
  // 8-hour shifts; the night shift ends at midnight.
  assert.ok(day1[2].end_text.startsWith(dayPlus(2)) && day1[2].end_text.endsWith('00:00'));

  // Window: three days ahead by default.
  assertError(await c.volunteer.post(`/api/v1/shifts/${day5[1].id}/signup`, {}), 409, 'conflict');
  const ok = await c.volunteer.post(`/api/v1/shifts/${day1[1].id}/signup`, {});
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.outcome, 'assigned');
  assertError(await c.volunteer.post(`/api/v1/shifts/${day1[1].id}/signup`, {}), 409, 'conflict');
  // Overlap with another post's shift at the same hours.
  const post2 = await c.committee.post('/api/v1/posts', { name: uniq('测试岗'), kind: 'sorting' });
  const made2 = await c.committee.post(`/api/v1/posts/${post2.json.post.id}/shifts`,
    { from: dayPlus(1), to: dayPlus(1), times: [{ start: '12:00', end: '14:00' }], need: 5 });
  assert.equal(made2.status, 201, made2.text);
  const overlapping = listItems(await c.volunteer.get(`/api/v1/shifts?post_id=${post2.json.post.id}&from=${dayPlus(1)}&to=${dayPlus(1)}`))[0];
  const o = await c.volunteer.post(`/api/v1/shifts/${overlapping.id}/signup`, {});
  assertError(o, 409, 'conflict');
  assert.match(o.json.error.message, /overlap/);

  // Need 1: the block leader (also a volunteer) comes second and waits.
  const w = await c.block.post(`/api/v1/shifts/${day1[1].id}/signup`, {});
  assert.equal(w.status, 201, w.text);
  assert.equal(w.json.outcome, 'waitlist');
  assert.equal(w.json.shift.waitlist, 1);
  // Giving back passes the place to the waitlist in the same write.
  const back = await c.volunteer.del(`/api/v1/shifts/${day1[1].id}/signup`);
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.outcome, 'given_back_filled');
  const s = await c.committee.get(`/api/v1/shifts/${day1[1].id}`);
  assert.equal(s.json.shift.taken, 1);
  assert.equal(s.json.shift.people[0].source, 'waitlist');
  const blockVol = (await c.block.get('/api/v1/volunteers/me')).json.volunteer.id;
  assert.equal(s.json.shift.people[0].volunteer_id, blockVol);
  // The day-before answer: yes confirms, no frees the place (declined shows at risk).
  assert.equal((await c.block.post(`/api/v1/shifts/${day1[1].id}/confirm`, { answer: 'yes' })).json.outcome, 'confirmed');
  assertError(await c.block.post(`/api/v1/shifts/${day1[1].id}/confirm`, { answer: 'maybe' }), 400, 'validation_failed', 'answer');
  const no = await c.block.post(`/api/v1/shifts/${day1[1].id}/confirm`, { answer: 'no' });
  assert.equal(no.json.outcome, 'declined');
  const risk = await c.committee.get('/api/v1/shifts/at-risk?days=3');
  assert.equal(risk.status, 200, risk.text);
  const mine = risk.json.items.find((x) => x.id === day1[1].id);
  assert.ok(mine && mine.declined === 1 && mine.open === 1, JSON.stringify(mine));
  assertError(await c.volunteer.get('/api/v1/shifts/at-risk'), 403, 'forbidden');

  // A qualification is required: refused until recorded.
  const samp = await c.committee.post('/api/v1/posts', { name: uniq('采样'), kind: 'sampling' });
  await c.committee.post(`/api/v1/posts/${samp.json.post.id}/shifts`,
    { from: dayPlus(2), to: dayPlus(2), times: [{ start: '07:00', end: '07:30' }], need: 2, qualification: 'protective_suit' });
  const sampShift = listItems(await c.volunteer.get(`/api/v1/shifts?post_id=${samp.json.post.id}&from=${dayPlus(2)}&to=${dayPlus(2)}`))[0];
  const q = await c.volunteer.post(`/api/v1/shifts/${sampShift.id}/signup`, {});
  assertError(q, 409, 'conflict');
  assert.match(q.json.error.message, /qualification/);
  const vid = (await c.volunteer.get('/api/v1/volunteers/me')).json.volunteer.id;
  await c.committee.put(`/api/v1/volunteers/${vid}/qualifications/protective_suit`, { expires_on: dayPlus(30) });
  assert.equal((await c.volunteer.post(`/api/v1/shifts/${sampShift.id}/signup`, {})).status, 201);
  // My shifts, next first.
  const my = await c.volunteer.get('/api/v1/my/shifts');
  assert.equal(my.status, 200, my.text);
  const starts = my.json.upcoming.map((x) => x.starts_at);
  assert.deepEqual(starts, [...starts].sort());
  assert.ok(my.json.upcoming.some((x) => x.id === sampShift.id && x.my_state === 'assigned'));
});

test('exactly N places under a burst of sign-ups; the rest wait in order', async () => {
  const post = await c.committee.post('/api/v1/posts', { name: uniq('压测岗'), kind: 'gate' });
  await c.committee.post(`/api/v1/posts/${post.json.post.id}/shifts`,
    { from: dayPlus(2), to: dayPlus(2), times: [{ start: '20:00', end: '22:00' }], need: 3 });
  const shift = listItems(await c.committee.get(`/api/v1/shifts?post_id=${post.json.post.id}&from=${dayPlus(2)}&to=${dayPlus(2)}`))[0];
  // Twelve volunteers with accounts, approved.
  const clients = [];
  for (let i = 0; i < 12; i++) {
    const u = await createUser(c.committee, { roles: [{ role: 'resident', scope_id: c.resident.me.user.roles.find((r) => r.role === 'resident').scope_id }] })
      .catch(() => null);
    if (!u) break;
    const cl = await loggedIn(srv.url, u.username, u.password);
    const a = await cl.post('/api/v1/volunteers', { health: 'healthy', phone: `1391234${String(1000 + i)}` });
    assert.equal(a.status, 201, a.text);
    assert.equal((await c.committee.post(`/api/v1/volunteers/${a.json.volunteer.id}/state`, { state: 'approved' })).status, 200);
    clients.push(await loggedIn(srv.url, u.username, u.password));
  }
  assert.equal(clients.length, 12);
  const answers = await Promise.all(clients.map((cl) => cl.post(`/api/v1/shifts/${shift.id}/signup`, {})));
  assert.ok(answers.every((a) => a.status === 201), answers.map((a) => a.status).join());
  assert.equal(answers.filter((a) => a.json.outcome === 'assigned').length, 3);
  assert.equal(answers.filter((a) => a.json.outcome === 'waitlist').length, 9);
  const s = await c.committee.get(`/api/v1/shifts/${shift.id}`);
  assert.equal(s.json.shift.taken, 3);
  assert.equal(s.json.shift.waitlist, 9);
});

test('check-in and out by the post code credit verified hours and points', async () => {
  const post = await c.committee.post('/api/v1/posts', { name: uniq('扫码岗'), kind: 'gate' });
  const pid = post.json.post.id;
  const start = local(-90), end = local(150);
  const made = await c.committee.post(`/api/v1/posts/${pid}/shifts`,
    { from: start.day, to: start.day, times: [{ start: start.time, end: end.time }], need: 2 });
  assert.equal(made.status, 201, made.text);
  const shift = listItems(await c.committee.get(`/api/v1/shifts?post_id=${pid}&from=${start.day}&to=${start.day}`))[0];
  // It started: a volunteer can no longer sign up; a leader can put them on.
  assertError(await c.volunteer.post(`/api/v1/shifts/${shift.id}/signup`, {}), 409, 'conflict');
  const vid = (await c.volunteer.get('/api/v1/volunteers/me')).json.volunteer.id;
  assertError(await c.volunteer.post(`/api/v1/shifts/${shift.id}/assign`, { volunteer_id: vid }), 403, 'forbidden');
  const as = await c.block.post(`/api/v1/shifts/${shift.id}/assign`, { volunteer_id: vid });
  assert.equal(as.status, 201, as.text);
  const before = (await c.volunteer.get(`/api/v1/volunteers/${vid}/ledger`)).json;
  // The leader records the check-in at the shift's start (entered afterwards).
  assertError(await c.block.post(`/api/v1/shifts/${shift.id}/check`, { volunteer_id: vid, action: 'in', at: '2099-01-01T00:00:00Z' }),
    400, 'validation_failed', 'at');
  const checkIn = await c.block.post(`/api/v1/shifts/${shift.id}/check`, { volunteer_id: vid, action: 'in', at: shift.starts_at });
  assert.equal(checkIn.status, 200, checkIn.text);
  // The board shows who is on duty now.
  const board = await c.volunteer.get(`/api/v1/posts/${pid}`);
  assert.equal(board.json.post.on_duty, 1);
  assert.equal(board.json.post.now[0].people[0].volunteer_id, vid);
  // The volunteer scans the post's QR code: out.
  const code = await c.committee.get(`/api/v1/posts/${pid}/code`);
  assert.equal(code.status, 200, code.text);
  assert.ok(code.json.svg.startsWith('<svg'));
  assertError(await c.volunteer.get(`/api/v1/posts/${pid}/code`), 403, 'forbidden');
  assertError(await c.volunteer.post('/api/v1/checkin', { code: 'SWPOST:not-a-real-code-at-all' }), 400, 'validation_failed', 'code');
  const out = await c.volunteer.post('/api/v1/checkin', { code: code.json.payload });
  assert.equal(out.status, 200, out.text);
  assert.equal(out.json.outcome, 'checked_out');
  const after = (await c.volunteer.get(`/api/v1/volunteers/${vid}/ledger`)).json;
  const minutes = after.verified_minutes - before.verified_minutes;
  assert.ok(minutes >= 89 && minutes <= 91, `minutes credited: ${minutes}`);
  assert.equal(after.points - before.points, Math.floor((minutes * 10 + 30) / 60));
  // A second scan checks in again; checking out again does not credit twice.
  assert.equal((await c.volunteer.post('/api/v1/checkin', { code: code.json.payload })).json.outcome, 'checked_in');
  assert.equal((await c.volunteer.post('/api/v1/checkin', { code: code.json.payload })).json.outcome, 'checked_out');
  const again = (await c.volunteer.get(`/api/v1/volunteers/${vid}/ledger`)).json;
  assert.equal(again.points, after.points);
  // Another volunteer's ledger is out of sight.
  const other = (await c.block.get('/api/v1/volunteers/me')).json.volunteer.id;
  assertError(await c.volunteer.get(`/api/v1/volunteers/${other}/ledger`), 404, 'not_found');
  // The printable sign and the audit trail.
  const sheet = await c.committee.get(`/api/v1/posts/${pid}/sheet`);
  assert.equal(sheet.status, 200);
  assert.ok(sheet.text.includes('<svg'));
  const audit = await walkList(c.committee, '/api/v1/audit?action=shift.scan');
  assert.ok(audit.some((e) => e.target_id === shift.id));
});

test('settings: the sign-up window is the committee\'s', async () => {
  assertError(await c.volunteer.put('/api/v1/volunteer-settings', { signup_days_ahead: 7 }), 403, 'forbidden');
  assertError(await c.committee.put('/api/v1/volunteer-settings', { signup_days_ahead: 99 }), 400, 'validation_failed', 'signup_days_ahead');
  const r = await c.committee.put('/api/v1/volunteer-settings', { signup_days_ahead: 7 });
  assert.equal(r.status, 200, r.text);
  assert.equal((await c.volunteer.get('/api/v1/volunteer-settings')).json.settings.signup_days_ahead, 7);
  await c.committee.put('/api/v1/volunteer-settings', { signup_days_ahead: 3 });
});

test('a volunteer\'s calendar feed: a secret address, renewed to revoke', async () => {
  assertError(await c.resident.post('/api/v1/volunteers/me/calendar', {}), 403, 'forbidden');
  const r = await c.volunteer.post('/api/v1/volunteers/me/calendar', {});
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.path, /^\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
  const feed = await fetch(srv.url + r.json.path);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /text\/calendar/);
  const text = await feed.text();
  assert.match(text, /^BEGIN:VCALENDAR\r\n/);
  assert.match(text, /BEGIN:VEVENT\r\nUID:shift-\d+-\d+@shouwang/);
  assert.match(text, /DTSTART:\d{8}T\d{6}Z/);
  assert.ok(text.trimEnd().endsWith('END:VCALENDAR'));
  // Renewing revokes the old address; a made-up one is not found.
  const again = await c.volunteer.post('/api/v1/volunteers/me/calendar', {});
  assert.notEqual(again.json.path, r.json.path);
  assert.equal((await fetch(srv.url + r.json.path)).status, 404);
  assert.equal((await fetch(srv.url + again.json.path)).status, 200);
  assert.equal((await fetch(`${srv.url}/api/v1/calendar/${'x'.repeat(43)}.ics`)).status, 404);
});
