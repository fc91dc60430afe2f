// Day one in a real browser, on a phone: the committee makes a login for a new block
// leader from the structure page and prints the slip; the leader logs in with her phone
// number and the slip's one-time password, sets her own password and lands on her home.
// The committee also deletes an empty block after confirming. Screenshots of the slip and
// the pages at 360 px go to tests/output/screenshots/.
import { newPage, login, submitLogin, assertFitsPhone, PHONE, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../lib/server.mjs';
import { uniq } from '../lib/api-helpers.mjs';

if (!Client.prototype.put) Client.prototype.put = function put(p, b, h) { return this.req('PUT', p, b, h); };

const OUT = join(process.cwd(), 'output', 'screenshots');
const phone = `136${String(Date.now() % 1e8).padStart(8, '0')}`;
let block;          // the new block, its leader post held by a resident without a login
let emptyBlock;     // a block without households
let signup;         // a sign-up whose address names room 302 of the new block
let qian;           // the resident of room 302 who signed up
let sun;            // another resident of room 302, without a login

const env = useServerAndBrowser(undefined, async () => {
  const committee = new Client(env.server.url);
  await committee.login('committee');
  const me = await committee.get('/api/v1/me');
  assert.equal(me.status, 200);
  const zones = await committee.get('/api/v1/zones');
  const zone = zones.json.items[0].id;
  const b = await committee.post('/api/v1/blocks', { name: uniq('新楼'), zone_id: zone });
  assert.equal(b.status, 201, b.text);
  block = b.json.block;
  const h = await committee.post('/api/v1/households', { block_id: block.id, room: '301' });
  const r = await committee.post('/api/v1/residents', { household_id: h.json.household.id, name: '赵杭杰',
    birth_year: 1963, phone });
  assert.equal(r.status, 201, r.text);
  const set = await committee.put(`/api/v1/blocks/${block.id}/leaders`, { leader: { resident_id: r.json.resident.id } });
  assert.equal(set.status, 200, set.text);
  const e = await committee.post('/api/v1/blocks', { name: uniq('空楼'), zone_id: zone });
  emptyBlock = e.json.block;
  const h302 = await committee.post('/api/v1/households', { block_id: block.id, room: '302' });
  qian = (await committee.post('/api/v1/residents', { household_id: h302.json.household.id, name: '钱美华',
    birth_year: 1980 })).json.resident;
  sun = (await committee.post('/api/v1/residents', { household_id: h302.json.household.id, name: '孙志强',
    birth_year: 1978 })).json.resident;
  const s = await new Client(env.server.url).post('/api/v1/signup', { username: uniq('qian-'), password: 'qian-pass-123',
    name: '钱美华', phone: '13988887777', claimed_address: `${block.name} 302室`, community_id: me.json.community.id });
  assert.equal(s.status, 201, s.text);
  signup = s.json.signup;
});

// A screenshot of a page, or of one part of it (a locator: the structure page is long).
async function shot(target, name) {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, name);
  await target.screenshot(target.locator ? { path: file, fullPage: true } : { path: file });
  assert.ok(statSync(file).size > 5000, `${name} has content`);
}

test('a committee makes a block leader\'s login; she logs in with her phone number and sets her password', async (t) => {
  const page = await newPage(env.browser, t, env.server.url, PHONE, 'zh-CN');
  await login(page, env.server.url, 'committee');
  await page.goto(new URL('/registry/structure', env.server.url).href);
  const row = page.locator(`[data-testid="structure-block"][data-id="${block.id}"]`);
  await row.getByTestId('structure-block-logins').click();
  const form = row.getByTestId('post-login-form');
  // The login name offered is the leader's mobile number.
  assert.equal(await form.getByTestId('post-login-form-username').inputValue(), phone);
  await assertFitsPhone(page, 'the structure page with the logins panel');
  await shot(row, 'structure-logins-360.png');
  const [slip] = await Promise.all([
    page.context().waitForEvent('page'),
    form.getByTestId('post-login-form-submit').click(),
  ]);
  const password = (await row.getByTestId('login-made-password').textContent()).trim();
  await shot(row, 'structure-login-made-360.png');
  assert.match(password, /^\d{5} \d{5}$/);
  assert.equal((await row.getByTestId('login-made-username').textContent()).trim(), phone);

  // The printed slip, at 360 px: community, name, post, login, password, QR code.
  await slip.waitForURL(/\/api\/v1\/login-slips\/\d+$/);
  await slip.setViewportSize(PHONE);
  const text = await slip.locator('main').textContent();
  for (const part of ['阳光绿园', '赵杭杰', block.name, '楼组长', phone, password]) assert.ok(text.includes(part), part);
  assert.equal(await slip.locator('figure[data-kind="login"] svg').count(), 1);
  await assertFitsPhone(slip, 'the slip');
  await shot(slip, 'login-slip-360.png');

  // The leader, on her own phone: the phone number and the one-time password.
  const leader = await newPage(env.browser, t, env.server.url, PHONE, 'zh-CN');
  await submitLogin(leader, env.server.url, phone, password);
  await leader.getByTestId('set-password-page').waitFor();
  assert.ok((await leader.getByTestId('set-password-page').textContent()).includes('赵杭杰'));
  await assertFitsPhone(leader, 'the set-password page');
  await shot(leader, 'set-password-360.png');
  // Any other page shows the same until she has set it.
  await leader.goto(new URL('/registry/structure', env.server.url).href);
  await leader.getByTestId('set-password-page').waitFor();
  await leader.getByTestId('set-password-new').fill('zhao-own-pass-1');
  await leader.getByTestId('set-password-repeat').fill('zhao-own-pass-2');
  await leader.getByTestId('set-password-submit').click();
  await leader.getByTestId('set-password-mismatch').waitFor();
  await leader.getByTestId('set-password-repeat').fill('zhao-own-pass-1');
  await leader.getByTestId('set-password-submit').click();
  await leader.getByTestId('main-nav').waitFor();
  await leader.waitForURL(/\/home/);
  // Her home names her block (the block leader's scope, read by name).
  await leader.locator(`[data-testid="role-scope"][data-scope="block:${block.id}"]`, { hasText: block.name }).waitFor();
  await assertFitsPhone(leader, 'her home');
  await shot(leader, 'new-leader-home-360.png');

  // Her own password works from now on; the slip's does not.
  const later = await newPage(env.browser, t, env.server.url, PHONE, 'zh-CN');
  await submitLogin(later, env.server.url, phone, password);
  await later.getByTestId('login-error').waitFor();
  await login(later, env.server.url, phone, 'zhao-own-pass-1');
  assert.deepEqual(page.pageErrors, []);
  assert.deepEqual(leader.pageErrors, []);
});

test('the committee deletes an empty block after confirming', async (t) => {
  const page = await newPage(env.browser, t, env.server.url, PHONE, 'zh-CN');
  await login(page, env.server.url, 'committee');
  await page.goto(new URL('/registry/structure', env.server.url).href);
  const row = page.locator(`[data-testid="structure-block"][data-id="${emptyBlock.id}"]`);
  // A block with households offers no delete button.
  await page.locator(`[data-testid="structure-block"][data-id="${block.id}"]`).waitFor();
  assert.equal(await page.locator(`[data-testid="structure-block"][data-id="${block.id}"] [data-testid="structure-block-delete"]`).count(), 0);
  let asked = '';
  page.once('dialog', (dialog) => { asked = dialog.message(); dialog.dismiss(); });
  await row.getByTestId('structure-block-delete').click();
  await page.waitForTimeout(200);
  assert.ok(asked.includes(emptyBlock.name), asked);
  assert.equal(await row.count(), 1, 'dismissed: the block stays');
  page.once('dialog', (dialog) => dialog.accept());
  await row.getByTestId('structure-block-delete').click();
  await row.waitFor({ state: 'detached' });
  assert.deepEqual(page.pageErrors, []);
});

test('approving a sign-up starts from the address given, shows the members and says it was done', async (t) => {
  const page = await newPage(env.browser, t, env.server.url, PHONE, 'zh-CN');
  await login(page, env.server.url, 'committee');
  await page.goto(new URL('/signups', env.server.url).href);
  const item = page.getByTestId(`signup-${signup.id}`);
  // Found at once from the address given: room 302 of the block, with its two members.
  const first = item.locator('[data-testid^="signup-household-"]').first();
  await first.waitFor();
  assert.ok((await first.textContent()).includes(`${block.name} 302`));
  const members = await first.getByTestId('signup-household-members').textContent();
  assert.ok(members.includes('钱美华') && members.includes('孙志强'), members);
  assert.equal(await item.getByTestId(`signup-search-${signup.id}`).inputValue(), `${block.name} 302室`);
  await first.locator('button').click();
  await item.getByTestId(`signup-resident-${signup.id}`).selectOption(String(qian.id));
  await assertFitsPhone(page, 'the sign-ups page');
  await shot(item, 'signup-approve-360.png');
  await item.getByTestId(`signup-approve-${signup.id}`).click();
  const done = page.getByTestId('signups-done');
  await done.waitFor();
  const said = await done.textContent();
  assert.ok(said.includes('已批准') && said.includes('钱美华') && said.includes(`${block.name} 302`), said);
  await item.waitFor({ state: 'detached' });
  assert.deepEqual(page.pageErrors, []);
});

test('a login from a resident\'s record, with a Chinese name as the login', async (t) => {
  const page = await newPage(env.browser, t, env.server.url, PHONE, 'zh-CN');
  await login(page, env.server.url, 'committee');
  await page.goto(new URL(`/registry/residents/${sun.id}`, env.server.url).href);
  const box = page.getByTestId('resident-login');
  await box.getByTestId('resident-login-form-username').fill('孙志强');
  await box.getByTestId('resident-login-form-role').selectOption('volunteer');
  const [slip] = await Promise.all([
    page.context().waitForEvent('page'),
    box.getByTestId('resident-login-form-submit').click(),
  ]);
  const password = (await box.getByTestId('login-made-password').textContent()).trim();
  await slip.waitForURL(/\/api\/v1\/login-slips\/\d+$/);
  assert.ok((await slip.locator('main').textContent()).includes('志愿者'));
  await assertFitsPhone(page, 'the resident page with the login made');
  await shot(box, 'resident-login-made-360.png');
  // Reloaded, the record shows the login and offers a new slip instead of the form.
  await page.reload();
  await page.getByTestId('resident-login-has').waitFor();
  assert.ok((await page.getByTestId('resident-login-has').textContent()).includes('孙志强'));
  const he = await newPage(env.browser, t, env.server.url, PHONE, 'zh-CN');
  await submitLogin(he, env.server.url, '孙志强', password);
  await he.getByTestId('set-password-page').waitFor();

  // A new slip (he lost the first): its QR link opens "set your password" at once; the
  // link works once.
  const committee = new Client(env.server.url);
  await committee.login('committee');
  const again = await committee.post(`/api/v1/users/${await accountOf(committee, sun.id)}/login-slip`, {});
  assert.equal(again.status, 201, again.text);
  const viaQr = await newPage(env.browser, t, env.server.url, PHONE, 'zh-CN');
  await viaQr.goto(again.json.slip.link);
  await viaQr.getByTestId('set-password-page').waitFor();
  const twice = await newPage(env.browser, t, env.server.url, PHONE, 'zh-CN');
  await twice.goto(again.json.slip.link);
  await twice.getByTestId('first-login-error').waitFor();
  await assertFitsPhone(twice, 'a spent login link');
  await shot(twice, 'first-login-spent-360.png');
  assert.deepEqual(page.pageErrors, []);
  assert.deepEqual(viaQr.pageErrors, []);
});

async function accountOf(client, residentId) {
  const r = await client.get(`/api/v1/residents/${residentId}`);
  return r.json.resident.account.user_id;
}
