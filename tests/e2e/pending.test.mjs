// Accounts waiting for approval and retry-safe writes, in a real browser against the
// real server: a resident who signed up sees what they sent and waits, then is let in
// once the committee approves; a write whose answer is lost on the way is retried with
// the same Idempotency-Key and done once.
import { newPage, submitLogin, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, DEMO_PASSWORD } from '../lib/server.mjs';
import { loggedIn, uniq } from '../lib/api-helpers.mjs';

// The demo server and one browser for this file, stopped after it.
const env = useServerAndBrowser();

function openPage(t) {
  return newPage(env.browser, t, env.server.url);
}

// Without a role there is no menu to wait for: the caller waits for its own page.
function login(page, username, password) {
  return submitLogin(page, env.server.url, username, password);
}

async function signUp(address) {
  const username = uniq('pe-');
  const password = 'pending-e2e-1';
  const r = await new Client(env.server.url).post('/api/v1/signup', { username, password, name: '赵等待',
    phone: '13700137000', claimed_address: address, language: 'zh-CN' });
  assert.equal(r.status, 201, r.text);
  return { username, password, id: r.json.signup.id };
}

async function residentsOf(api, householdId) {
  const r = await api.get(`/api/v1/households/${householdId}`);
  assert.equal(r.status, 200, r.text.slice(0, 200));
  return r.json.household.residents_list;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('pending-e2e-1: a sign-up waits on its own page, refreshes, and is let in once approved', async (t) => {
  const committee = await loggedIn(env.server.url, 'committee');
  const signup = await signUp('5号楼1单元 1203 室（靠电梯那一户）');
  const page = await openPage(t);
  await login(page, signup.username, signup.password);
  const pending = page.getByTestId('pending-page');
  await pending.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="pending-page"]').dataset.status === 'pending');
  assert.equal((await pending.locator('h1').textContent()).trim(), '等待居委会审核');
  assert.match(await page.getByTestId('pending-intro').textContent(), new RegExp(committee.me.community.name));
  assert.equal((await page.getByTestId('pending-address').textContent()).trim(), '5号楼1单元 1203 室（靠电梯那一户）');
  assert.equal((await page.getByTestId('pending-name').textContent()).trim(), '赵等待');
  assert.match(await page.getByTestId('pending-submitted-at').textContent(), /\d{4}/);
  await assertFitsPhone(page);

  // Any path shows the same page; a reload keeps it (no start-up error any more).
  await page.goto('/registry');
  await pending.waitFor();
  await page.reload();
  await pending.waitFor();
  assert.equal(await page.getByTestId('startup-error').count(), 0);

  // Refreshing before approval says it is still waiting.
  await page.getByTestId('pending-refresh').click();
  await page.getByTestId('pending-still').waitFor();

  // English is complete.
  await page.getByTestId('language-toggle').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="pending-page"] h1').textContent.trim() === 'Waiting for approval');
  assert.equal((await page.getByTestId('pending-refresh').textContent()).trim(), 'Refresh');
  await assertFitsPhone(page);

  // The committee links the account to a household; refresh lets the person in.
  const household = (await committee.get('/api/v1/households?limit=1')).json.items[0];
  const ap = await committee.post(`/api/v1/signups/${signup.id}/approve`, { household_id: household.id });
  assert.equal(ap.status, 200, ap.text);
  await page.getByTestId('pending-refresh').click();
  await page.getByTestId('home-resident').waitFor();
  assert.equal(new URL(page.url()).pathname, '/home');
  assert.equal(await page.getByTestId('pending-page').count(), 0);
  assert.deepEqual(page.pageErrors, []);
});

test('pending-e2e-rejected: staff refuse with a reason; the person reads it and is pointed to an invite code', async (t) => {
  const signup = await signUp('不存在的 99 号楼');
  const staff = await openPage(t);
  await login(staff, 'committee', DEMO_PASSWORD);
  await staff.getByTestId('main-nav').waitFor();
  await staff.goto('/signups');
  await staff.getByTestId(`signup-${signup.id}`).waitFor();
  await staff.getByTestId(`signup-reason-${signup.id}`).fill('地址不在本社区，请向楼组长索取邀请码');
  await staff.getByTestId(`signup-reject-${signup.id}`).click();
  await staff.getByTestId(`signup-${signup.id}`).waitFor({ state: 'detached' });

  const page = await openPage(t);
  await login(page, signup.username, signup.password);
  await page.getByTestId('pending-rejected').waitFor();
  assert.equal((await page.getByTestId('pending-reason').textContent()).includes('地址不在本社区，请向楼组长索取邀请码'), true);
  await page.getByTestId('pending-join').click();
  await page.waitForURL((url) => url.pathname === '/join');
  await assertFitsPhone(page);
  assert.deepEqual(page.pageErrors, []);
});

test('pending-e2e-2: a sign-up logs out from its page', async (t) => {
  const signup = await signUp('6号楼 101');
  const page = await openPage(t);
  await login(page, signup.username, signup.password);
  await page.getByTestId('pending-page').waitFor();
  await page.getByTestId('pending-logout').click();
  await page.getByTestId('login-page').waitFor();
  await page.reload();
  await page.getByTestId('login-page').waitFor();
  assert.deepEqual(page.pageErrors, []);
});

// The first attempt never reaches the server, the second does the write but its answer
// is lost, the third gets the stored answer back: three sends, one key, one resident.
test('pending-e2e-3: a write whose answer is lost is retried with the same Idempotency-Key and done once', async (t) => {
  const api = await loggedIn(env.server.url, 'zone');
  const household = (await api.get('/api/v1/households?limit=1')).json.items[0];
  const before = await residentsOf(api, household.id);
  const page = await openPage(t);
  await login(page, 'zone', DEMO_PASSWORD);
  await page.getByTestId('main-nav').waitFor();
  await page.goto(`/registry/households/${household.id}`);
  await page.getByTestId('household-page').waitFor();

  const sent = [];
  await page.route('**/api/v1/residents', async (route) => {
    const request = route.request();
    if (request.method() !== 'POST') return route.continue();
    sent.push({ key: request.headers()['idempotency-key'], body: request.postData() });
    if (sent.length === 1) return route.abort('failed');
    if (sent.length === 2) {
      const answer = await route.fetch();
      assert.equal(answer.status(), 201, 'the server did the write');
      return route.abort('failed');
    }
    return route.continue();
  });

  const name = '重试' + uniq('').slice(0, 4);
  await page.getByTestId('add-resident').locator('summary').click();
  const add = page.getByTestId('add-resident-form');
  await add.locator('input[name="name"]').fill(name);
  await add.locator('input[name="phone"]').fill('13912340077');
  await add.getByTestId('add-resident-submit').click();
  await page.getByTestId('resident-page').waitFor();
  await page.unroute('**/api/v1/residents');

  assert.equal(sent.length, 3, 'one send and two retries');
  assert.match(sent[0].key, UUID);
  assert.ok(sent.every((s) => s.key === sent[0].key), `one key: ${sent.map((s) => s.key)}`);
  assert.ok(sent.every((s) => s.body === sent[0].body), 'the same body each time');
  const after = await residentsOf(api, household.id);
  const added = after.filter((r) => r.name === name);
  assert.equal(added.length, 1, 'one resident recorded');
  assert.equal(after.length, before.length + 1);
  const shown = Number(await page.getByTestId('resident-page').getAttribute('data-id'));
  assert.equal(shown, added[0].id, 'the replayed answer names the resident the server made');
  assert.deepEqual(page.pageErrors, []);
});

test('pending-e2e-4: each logical write has its own key; past two retries the error is shown and nothing is written', async (t) => {
  const api = await loggedIn(env.server.url, 'zone');
  const household = (await api.get('/api/v1/households?limit=1')).json.items[0];
  const page = await openPage(t);
  await login(page, 'zone', DEMO_PASSWORD);
  await page.getByTestId('main-nav').waitFor();
  await page.goto(`/registry/households/${household.id}`);
  await page.getByTestId('household-page').waitFor();
  const before = await residentsOf(api, household.id);

  const keys = [];
  await page.route('**/api/v1/residents', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key']);
    return route.abort('failed');
  });
  const name = '断网' + uniq('').slice(0, 4);
  await page.getByTestId('add-resident').locator('summary').click();
  const add = page.getByTestId('add-resident-form');
  await add.locator('input[name="name"]').fill(name);
  await add.getByTestId('add-resident-submit').click();
  const error = add.getByTestId('form-error');
  await error.waitFor();
  assert.match(await error.textContent(), /网络|连接/);
  assert.equal(await add.getByTestId('add-resident-submit').isDisabled(), false);
  assert.equal(keys.length, 3, 'one send and two retries, then the error');
  assert.ok(keys.every((k) => k === keys[0]));

  // Pressing the button again is a new logical write: a new key, and now it goes through.
  await page.unroute('**/api/v1/residents');
  const second = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/residents') {
      second.push(request.headers()['idempotency-key']);
    }
  });
  await add.getByTestId('add-resident-submit').click();
  await page.getByTestId('resident-page').waitFor();
  assert.equal(second.length, 1);
  assert.match(second[0], UUID);
  assert.notEqual(second[0], keys[0]);
  const after = await residentsOf(api, household.id);
  assert.equal(after.filter((r) => r.name === name).length, 1);
  assert.equal(after.length, before.length + 1);

  // Logging in still works with the header on every write: the login above did it.
  assert.deepEqual(page.pageErrors, []);
});
