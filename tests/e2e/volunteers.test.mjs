// Volunteers in a real browser on a 360 px phone: the volunteer signs up for an open
// shift and confirms it on their page, grabs a task, and checks out at a post by a photo
// of the post's QR code (decoded in the browser), seeing the hours and points credited;
// the committee approves a volunteer who applied; a leader credits a group. Screenshots
// go to tests/output/screenshots/volunteer-*.png.
import { newPage, login, assertFitsPhone, DESKTOP, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../lib/server.mjs';

const SHOTS = join(process.cwd(), 'output', 'screenshots');
async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `volunteer-${name}.png`), fullPage: true });
}
function local(minutesFromNow) {
  const iso = new Date(Date.now() + minutesFromNow * 60000 + 8 * 3600000).toISOString();
  return { day: iso.slice(0, 10), time: iso.slice(11, 16) };
}

let postId;
const env = useServerAndBrowser(undefined, async () => {
  // A post whose shift started 90 minutes ago; the block leader put the volunteer on it
  // and checked them in at the start (they had no phone with them then).
  const committee = new Client(env.server.url);
  await committee.login('committee');
  const volunteer = new Client(env.server.url);
  await volunteer.login('volunteer');
  const block = new Client(env.server.url);
  await block.login('block');
  const post = await committee.post('/api/v1/posts', { name: '西门岗', kind: 'gate', place: '西侧小门' });
  assert.equal(post.status, 201, post.text);
  postId = post.json.post.id;
  const start = local(-90), end = local(150);
  const made = await committee.post(`/api/v1/posts/${postId}/shifts`,
    { from: start.day, to: start.day, times: [{ start: start.time, end: end.time }], need: 2 });
  assert.equal(made.status, 201, made.text);
  const shift = (await committee.get(`/api/v1/shifts?post_id=${postId}&from=${start.day}&to=${start.day}`)).json.items[0];
  const vid = (await volunteer.get('/api/v1/volunteers/me')).json.volunteer.id;
  assert.equal((await block.post(`/api/v1/shifts/${shift.id}/assign`, { volunteer_id: vid })).status, 201);
  assert.equal((await block.post(`/api/v1/shifts/${shift.id}/check`, { volunteer_id: vid, action: 'in', at: shift.starts_at })).status, 200);
});

test('a volunteer signs up for a shift, confirms it and grabs a task on a phone', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'volunteer');
  await page.goto(`${env.server.url}/volunteers/shifts`);
  // A day shift the day after tomorrow: never overlapping the one the volunteer holds now
  // nor the early one of the swap test below.
  const later = local(2 * 24 * 60).day.split('-').map(Number);
  const open = page.getByTestId('shift-item').filter({ has: page.getByTestId('shift-signup') })
    .filter({ hasText: `${later[1]}月${later[2]}日 08:00–16:00` })
    .filter({ hasNot: page.locator('.vol-badge', { hasText: '培训' }) }).first();
  await open.waitFor();
  const post = await open.getAttribute('data-post');
  await open.getByTestId('shift-signup').click();
  await page.locator('[data-testid="shift-message"], [data-testid="shift-error"]').first().waitFor();
  assert.equal(await page.getByTestId('shift-message').count(), 1, await page.locator('main').innerText());
  assert.match(await page.getByTestId('shift-message').first().innerText(), /报名成功|候补/);
  await assertFitsPhone(page, 'shifts');
  await screenshot(page, 'shifts');

  await page.goto(`${env.server.url}/volunteer`);
  const mine = page.getByTestId('my-shift').filter({ hasText: post }).first();
  await mine.waitFor();
  await mine.getByTestId('shift-confirm').click();
  await page.getByText('已确认到岗').first().waitFor();
  await assertFitsPhone(page, 'volunteer home');

  await page.goto(`${env.server.url}/volunteers/tasks`);
  const task = page.getByTestId('task-item').filter({ has: page.getByTestId('task-claim') }).first();
  await task.waitFor();
  await task.getByTestId('task-claim').click();
  await page.getByTestId('task-message').first().waitFor();
  assert.match(await page.getByTestId('task-message').first().innerText(), /抢单成功/);
  await assertFitsPhone(page, 'tasks');
  await screenshot(page, 'tasks');
});

test('a volunteer checks out by a photo of the post\'s QR code and sees the hours credited', async (t) => {
  // The QR sign as printed, photographed: its code drawn as a PNG.
  const committeePage = await newPage(env.browser, t, env.server.url, DESKTOP);
  await login(committeePage, env.server.url, 'committee');
  await committeePage.goto(`${env.server.url}/api/v1/posts/${postId}/sheet`);
  const photo = await committeePage.locator('div.qr').screenshot();
  mkdirSync(SHOTS, { recursive: true });
  (await import('node:fs')).writeFileSync(join(SHOTS, 'volunteer-qr-photo.png'), photo);

  const page = await newPage(env.browser, t, env.server.url);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await login(page, env.server.url, 'volunteer');
  await page.goto(`${env.server.url}/volunteer`);
  const before = Number(await page.getByTestId('my-points').innerText());
  await page.getByTestId('link-checkin').click();
  await page.getByTestId('checkin-photo').setInputFiles({ name: 'qr.png', mimeType: 'image/png', buffer: photo });
  await page.locator('[data-testid="checkin-message"], [data-testid="checkin-error"], [data-testid="checkin-no-code"]').first()
    .waitFor().catch(() => assert.fail(`no answer: ${pageErrors.join('; ')} ${photo.length} bytes`));
  assert.equal(await page.getByTestId('checkin-message').count(), 1, await page.locator('main').innerText());
  assert.match(await page.getByTestId('checkin-message').innerText(), /签退成功/);
  await assertFitsPhone(page, 'check-in');
  await screenshot(page, 'checkin');
  await page.goto(`${env.server.url}/volunteer`);
  await page.getByTestId('my-points').waitFor();
  const after = Number(await page.getByTestId('my-points').innerText());
  assert.equal(after - before, 15, `points ${before} -> ${after}`);
  await screenshot(page, 'home');
});

test('the committee approves an applicant; a leader credits a group', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'committee');
  await page.goto(`${env.server.url}/volunteers?state=applied`);
  const first = page.getByTestId('volunteer-item').first();
  await first.waitFor();
  const id = await first.getAttribute('data-id');
  await first.getByTestId('volunteer-approve').click();
  await page.getByTestId('volunteers-message').waitFor();
  assert.match(await page.getByTestId('volunteers-message').innerText(), /已通过/);
  await assertFitsPhone(page, 'volunteers');
  await screenshot(page, 'list');

  const leader = await newPage(env.browser, t, env.server.url);
  await login(leader, env.server.url, 'block');
  await leader.goto(`${env.server.url}/volunteers/hours`);
  await leader.getByTestId('group-person').first().waitFor();
  const boxes = leader.getByTestId('group-person');
  const n = Math.min(3, await boxes.count());
  for (let i = 0; i < n; i++) await boxes.nth(i).check();
  await leader.getByTestId('group-submit').click();
  await leader.getByTestId('group-message').waitFor();
  assert.match(await leader.getByTestId('group-message').innerText(), new RegExp(`${n}`));
  await assertFitsPhone(leader, 'hours');
  await screenshot(leader, 'hours');
});

test('the bell counts a task that fits; the centre opens it', async (t) => {
  const committee = new Client(env.server.url);
  await committee.login('committee');
  const day = local(1440).day;
  const task = await committee.post('/api/v1/tasks', { title: '铃声测试任务', date: day, start: '14:00', end: '15:00',
    slots: 3, service_kind: 'care' });
  assert.equal(task.status, 201, task.text);
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'volunteer');
  await page.getByTestId('notify-count').waitFor();
  assert.ok(Number(await page.getByTestId('notify-count').innerText()) >= 1);
  await page.getByTestId('notify-bell').click();
  const item = page.getByTestId('notification').filter({ hasText: '铃声测试任务' });
  await item.waitFor();
  assert.equal(await item.getAttribute('data-read'), '0');
  await screenshot(page, 'notifications');
  await assertFitsPhone(page, 'notifications');
  await item.locator('button').first().click();
  await page.getByTestId('tasks-page').waitFor();
  const read = await committee.get('/api/v1/notifications');
  assert.equal(read.status, 200);
});

test('the committee makes a roster on a phone; a volunteer joins a team', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'committee');
  await page.goto(`${env.server.url}/volunteers/rosters`);
  await page.getByTestId('roster-generate').click();
  await page.getByTestId('roster-stats').waitFor();
  assert.match(await page.getByTestId('roster-stats').innerText(), /安排 \d+ 人次/);
  await screenshot(page, 'roster');
  await assertFitsPhone(page, 'rosters');
  await page.getByTestId('roster-publish').click();
  await page.getByTestId('roster-message').waitFor();
  assert.match(await page.getByTestId('roster-message').innerText(), /已发布/);

  const v = await newPage(env.browser, t, env.server.url);
  await login(v, env.server.url, 'volunteer');
  await v.goto(`${env.server.url}/volunteers/teams`);
  const team = v.getByTestId('team-item').filter({ hasText: '物资配送组' });
  await team.getByTestId('team-join').click();
  await team.locator('.message-ok').waitFor();
  await assertFitsPhone(v, 'teams');
  await screenshot(v, 'teams');
});

test('a volunteer asks a colleague by phone to take a shift; the colleague accepts from the notification', async (t) => {
  const committee = new Client(env.server.url);
  await committee.login('committee');
  const volunteer = new Client(env.server.url);
  await volunteer.login('volunteer');
  const day = local(2 * 1440).day;
  const post = await committee.post('/api/v1/posts', { name: '代班测试岗', kind: 'gate' });
  await committee.post(`/api/v1/posts/${post.json.post.id}/shifts`, { from: day, to: day, times: [{ start: '05:00', end: '06:00' }], need: 1 });
  const shift = (await committee.get(`/api/v1/shifts?post_id=${post.json.post.id}&from=${day}&to=${day}`)).json.items[0];
  assert.equal((await volunteer.post(`/api/v1/shifts/${shift.id}/signup`, {})).status, 201);

  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'volunteer');
  await page.goto(`${env.server.url}/volunteer`);
  const card = page.getByTestId('my-shift').filter({ hasText: '代班测试岗' });
  await card.getByTestId('swap-open').click();
  await card.getByTestId('swap-phone').fill('13900000202');
  await card.getByTestId('swap-send').click();
  await card.locator('.message-ok').waitFor();
  await assertFitsPhone(page, 'swap asked');

  const lead = await newPage(env.browser, t, env.server.url);
  await login(lead, env.server.url, 'teamlead');
  await lead.goto(`${env.server.url}/notifications`);
  const note = lead.getByTestId('notification').filter({ hasText: '代班测试岗' });
  await note.getByTestId('swap-accept').click();
  await lead.getByText(/已同意换班/).waitFor();
  await screenshot(lead, 'swap');
  const after = (await committee.get(`/api/v1/shifts/${shift.id}`)).json.shift;
  const me = (await volunteer.get('/api/v1/volunteers/me')).json.volunteer.id;
  assert.ok(after.people.every((p) => p.volunteer_id !== me || p.state !== 'assigned'));
  assert.equal(after.taken, 1);
});

test('a block leader signs up a resident without a smartphone and puts her on a shift; the committee records her training', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'block');
  await page.goto(`${env.server.url}/volunteers`);
  await page.getByTestId('signup-others').click();
  // A resident of the leader's block who is no volunteer yet: the first found by room.
  const block = new Client(env.server.url);
  const me = (await block.login('block')).json;
  const blockId = me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const vols = new Set((await block.get('/api/v1/volunteers?limit=500')).json.items.map((v) => v.resident_id));
  const resident = (await block.get(`/api/v1/residents?block_id=${blockId}&limit=100`)).json.items.find((r) => !vols.has(r.id));
  await page.getByTestId('resident-picker-q').fill(resident.name);
  await page.getByTestId('resident-picker').locator('button[type=submit]').click();
  await page.getByTestId('resident-picker-pick').first().click();
  await page.getByTestId('volunteers-message').waitFor();
  assert.match(await page.getByTestId('volunteers-message').innerText(), new RegExp(resident.name));
  await assertFitsPhone(page, 'sign up for others');

  // The committee approves her and records her protective-suit training on her page.
  const committee = new Client(env.server.url);
  await committee.login('committee');
  const v = (await committee.get(`/api/v1/volunteers?q=${encodeURIComponent(resident.name)}`)).json.items[0];
  assert.equal((await committee.post(`/api/v1/volunteers/${v.id}/state`, { state: 'approved' })).status, 200);
  const cp = await newPage(env.browser, t, env.server.url);
  await login(cp, env.server.url, 'committee');
  await cp.goto(`${env.server.url}/volunteers/${v.id}`);
  await cp.getByTestId('qualification-save').click();
  await cp.getByTestId('qualification').first().waitFor();
  assert.match(await cp.getByTestId('qualification').first().innerText(), /防护服/);
  await assertFitsPhone(cp, 'volunteer page');
  await screenshot(cp, 'profile');

  // The leader puts her on the next shift of a gate.
  const day = local(1440).day;
  const gate = (await committee.post('/api/v1/posts', { name: '临时岗', kind: 'gate' })).json.post;
  await committee.post(`/api/v1/posts/${gate.id}/shifts`, { from: day, to: day, times: [{ start: '09:00', end: '10:00' }], need: 2 });
  await page.goto(`${env.server.url}/volunteers/posts/${gate.id}`);
  const assign = page.getByTestId('assign-open').first();
  await assign.click();
  await page.getByTestId('assign-picker-q').fill(resident.name);
  await page.getByTestId('assign-picker').locator('button[type=submit]').click();
  await page.getByTestId('assign-picker-pick').first().click();
  await page.locator('[data-testid="assign-message"], [data-testid="post-board"] [role="alert"]').first().waitFor();
  assert.match(await page.getByTestId('post-board').innerText(), /已安排上岗/);
  await assertFitsPhone(page, 'post board');
});
