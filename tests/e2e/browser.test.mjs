// The web app in a real browser against the real server with the demo community:
// login per role, the navigation each role gets, logout, language switch, login errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, submitLogin, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { startServer, Client, DEMO_USERS, DEMO_PASSWORD } from '../lib/server.mjs';

// What each demo login must see: the home of its highest role and exactly these
// navigation entries (the entries of roles it does not hold must be absent).
const EXPECTED = {
  admin: { home: 'superuser', nav: ['home', 'me'] },
  committee: { home: 'committee', nav: ['home', 'dashboard', 'bulletins', 'registry', 'help', 'sweeps', 'care', 'testing', 'rotations', 'volunteers', 'me'] },
  zone: { home: 'zone_leader', nav: ['home', 'dashboard', 'bulletins', 'registry', 'help', 'sweeps', 'care', 'testing', 'rotations', 'volunteers', 'me'] },
  // The block leader also volunteers: her own volunteer page is in her navigation.
  block: { home: 'block_leader', nav: ['home', 'dashboard', 'bulletins', 'registry', 'help', 'sweeps', 'care', 'testing', 'rotations', 'volunteers',
    'volunteer', 'me'] },
  volunteer: { home: 'volunteer', nav: ['home', 'bulletins', 'volunteer', 'me'] },
  resident: { home: 'resident', nav: ['home', 'bulletins', 'me'] },
};

const HEADINGS = {
  superuser: { 'zh-CN': '实例管理', en: 'Instance administration' },
  committee: { 'zh-CN': '居委工作台', en: 'Committee desk' },
  zone_leader: { 'zh-CN': '片区', en: 'My zone' },
  block_leader: { 'zh-CN': '楼组', en: 'My blocks' },
  volunteer: { 'zh-CN': '志愿者', en: 'My shifts and tasks' },
  resident: { 'zh-CN': '我家', en: 'My household' },
};

// The demo server and one browser for this file, stopped after it.
const env = useServerAndBrowser();

// A fresh browser profile (no cookie, no stored language) on a phone-sized screen.
// Uncaught page errors are collected so that each test can assert there were none.
function openPage(t, baseUrl = env.server.url) {
  return newPage(env.browser, t, baseUrl);
}

function waitForLanguageSave(page) {
  return page.waitForResponse((response) =>
    new URL(response.url()).pathname === '/api/v1/me' && response.request().method() === 'PATCH');
}

async function navKeys(page) {
  const ids = await page.getByTestId('main-nav').locator('[data-testid^="nav-"]').evaluateAll(
    (links) => links.map((link) => link.getAttribute('data-testid')));
  return ids.map((id) => id.slice('nav-'.length));
}

async function rolesFromServer(username) {
  const client = new Client(env.server.url);
  const me = await client.login(username);
  await client.del('/api/v1/session');
  return me.json.user.roles;
}

for (const username of DEMO_USERS) {
  test(`${username}: logs in through the form, sees its home and nav, logs out`, async (t) => {
    const expected = EXPECTED[username];
    const page = await openPage(t);
    await submitLogin(page, env.server.url, username, DEMO_PASSWORD);

    const home = page.getByTestId(`home-${expected.home}`);
    await home.waitFor();
    assert.equal(new URL(page.url()).pathname, '/home');
    assert.equal((await home.locator('h1').textContent()).trim(), HEADINGS[expected.home]['zh-CN']);

    assert.deepEqual(await navKeys(page), expected.nav, 'navigation entries');

    // Every role the server lists is shown, even when the home is the highest one's.
    const roles = await rolesFromServer(username);
    const shownRoles = await home.getByTestId('role-list').locator('li[data-role]').evaluateAll(
      (items) => items.map((item) => item.getAttribute('data-role')));
    assert.deepEqual(shownRoles.sort(), roles.map((r) => r.role).sort(), 'role list');

    if (expected.home === 'superuser') {
      // The communities come from the server; the demo loads at least one.
      await home.getByTestId('community-item').first().waitFor();
      assert.ok(await home.getByTestId('community-item').count() >= 1);
    } else {
      // Figures or the friendly empty state, never an error.
      await home.locator('[data-testid="dashboard-tiles"], [data-testid="dashboard-empty"]').first().waitFor();
      assert.equal(await home.getByTestId('error').count(), 0, 'dashboard error shown');
    }

    // Designed for 360 px phones: nothing may force sideways scrolling.
    await assertFitsPhone(page);

    if (!expected.nav.includes('dashboard')) {
      // A page the role may not use is not reachable by typing its address either.
      await page.goto('/dashboard');
      await page.getByTestId('not-found').waitFor();
    }

    await page.getByTestId('logout').click();
    await page.getByTestId('login-page').waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.getByTestId('main-nav').count(), 0);

    // The session is gone on the server too: reloading a private page goes to login.
    await page.goto('/home');
    await page.getByTestId('login-page').waitFor();
    assert.deepEqual(page.pageErrors, []);
  });
}

test('committee dashboard page shows the figures the server reports', async (t) => {
  const client = new Client(env.server.url, 'zh-CN');
  await client.login('committee');
  const { tiles } = (await client.get('/api/v1/dashboard')).json;

  const page = await openPage(t);
  await submitLogin(page, env.server.url, 'committee', DEMO_PASSWORD);
  await page.getByTestId('home-committee').waitFor();
  await page.getByTestId('nav-dashboard').click();
  await page.getByTestId('dashboard-page').waitFor();
  if (tiles.length === 0) {
    await page.getByTestId('dashboard-page').getByTestId('dashboard-empty').waitFor();
  } else {
    const shown = page.getByTestId('dashboard-page').locator('[data-testid^="tile-"]');
    await shown.first().waitFor();
    assert.equal(await shown.count(), tiles.length);
    const first = page.getByTestId(`tile-${tiles[0].key}`);
    assert.ok((await first.textContent()).includes(tiles[0].label));
  }
  assert.equal(await page.getByTestId('error').count(), 0);
  assert.deepEqual(page.pageErrors, []);
});

test('language switches from zh-CN to English and back, and is saved to the account', async (t) => {
  const page = await openPage(t);
  const acceptLanguages = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) acceptLanguages.push(request.headers()['accept-language']);
  });

  await submitLogin(page, env.server.url, 'committee', DEMO_PASSWORD);
  const heading = page.getByTestId('home-committee').locator('h1');
  await heading.waitFor();
  assert.equal((await heading.textContent()).trim(), '居委工作台');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.ok(acceptLanguages.length > 0 && acceptLanguages.every((value) => value === 'zh-CN'), `sent ${acceptLanguages}`);

  acceptLanguages.length = 0;
  const savedEnglish = waitForLanguageSave(page);
  await page.getByTestId('language-toggle').click();
  await page.getByText('Committee desk', { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal((await page.getByTestId('nav-me').textContent()).trim(), 'My account');
  // The switch is saved on the server (PATCH /me), after which requests ask for English.
  assert.equal((await savedEnglish).status(), 200);
  await page.getByTestId('nav-me').click();
  await page.getByTestId('me-page').waitFor();
  assert.ok(acceptLanguages.length > 0 && acceptLanguages.every((value) => value === 'en'), `sent ${acceptLanguages}`);

  // A new browser (nothing in local storage) gets English from the account.
  const otherPage = await openPage(t);
  await submitLogin(otherPage, env.server.url, 'committee', DEMO_PASSWORD);
  await otherPage.getByText('Committee desk', { exact: true }).waitFor();

  // And back to Chinese, which survives a reload.
  await page.goto('/home');
  await page.getByText('Committee desk', { exact: true }).waitFor();
  const savedChinese = waitForLanguageSave(page);
  await page.getByTestId('language-toggle').click();
  await page.getByText('居委工作台', { exact: true }).waitFor();
  assert.equal((await savedChinese).status(), 200);
  await page.reload();
  await page.getByText('居委工作台', { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');

  const client = new Client(env.server.url);
  const me = await client.login('committee');
  assert.equal(me.json.user.language, 'zh-CN');
  assert.deepEqual(page.pageErrors, []);
  assert.deepEqual(otherPage.pageErrors, []);
});

test('display name is edited on the me page', async (t) => {
  const page = await openPage(t);
  await submitLogin(page, env.server.url, 'volunteer', DEMO_PASSWORD);
  await page.getByTestId('home-volunteer').waitFor();
  await page.getByTestId('nav-me').click();
  await page.getByTestId('me-page').waitFor();
  assert.equal((await page.getByTestId('me-username').textContent()).trim(), 'volunteer');
  await page.fill('#display_name', '小陈 (志愿者)');
  await page.getByTestId('me-save').click();
  await page.getByTestId('me-saved').waitFor();
  await page.reload();
  await page.getByTestId('me-page').waitFor();
  assert.equal(await page.inputValue('#display_name'), '小陈 (志愿者)');
  assert.deepEqual(page.pageErrors, []);
});

test('the me page lists API tokens with their expiry and last use; a new one is shown once', async (t) => {
  const page = await openPage(t);
  await submitLogin(page, env.server.url, 'zone', DEMO_PASSWORD);
  await page.getByTestId('nav-me').click();
  await page.getByTestId('token-list').waitFor();
  await page.fill('input[name="token_name"]', 'e2e sync');
  await page.fill('input[name="token_days"]', '30');
  await page.getByTestId('token-list').locator('button[type="submit"]').click();
  const secret = (await page.getByTestId('token-secret').textContent()).trim();
  assert.match(secret, /^[A-Za-z0-9_-]{40,}$/);
  const row = page.getByTestId('token-row').filter({ hasText: 'e2e sync' });
  await row.waitFor();
  // Used once by a program: the page shows a last-use time after a reload.
  const bearer = new Client(env.server.url);
  bearer.bearer = secret;
  assert.equal((await bearer.get('/api/v1/me')).status, 200);
  await page.waitForTimeout(500);
  await page.reload();
  await page.getByTestId('token-row').filter({ hasText: 'e2e sync' }).waitFor();
  assert.equal(await page.getByTestId('token-secret').count(), 0, 'the token is not shown again');
  const used = (await page.getByTestId('token-row').filter({ hasText: 'e2e sync' }).getByTestId('token-last-used')
    .textContent()).trim();
  assert.ok(used && !['never', '从未'].includes(used), `last use shown: ${used}`);
  assert.deepEqual(page.pageErrors, []);
});

test('a wrong password shows the server message in the chosen language', async (t) => {
  const page = await openPage(t);
  await submitLogin(page, env.server.url, 'resident', 'not-the-password');
  const error = page.getByTestId('login-error');
  await error.waitFor();
  assert.equal(await error.getAttribute('data-status'), '401');
  const chinese = (await error.textContent()).trim();
  assert.ok(chinese.length > 0, 'message is shown');
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.getByTestId('main-nav').count(), 0);

  await page.getByTestId('language-toggle').click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.fill('#password', 'still-not-the-password');
  await page.getByTestId('login-submit').click();
  await page.waitForFunction((before) => {
    const node = document.querySelector('[data-testid="login-error"]');
    return node && node.textContent.trim() !== before;
  }, chinese);
  const english = (await error.textContent()).trim();
  assert.ok(english.length > 0);
  assert.doesNotMatch(english, /[\u4e00-\u9fff]/, `English message expected, got ${english}`);
  assert.deepEqual(page.pageErrors, []);
});

test('too many failed logins show the retry message (429)', async (t) => {
  // Its own server, so the failures counted here cannot throttle the other tests.
  const throttledServer = await startServer();
  t.after(() => throttledServer.stop());
  const client = new Client(throttledServer.url, 'zh-CN');
  let last;
  for (let attempt = 0; attempt < 6; attempt++) {
    last = await client.post('/api/v1/session', { username: 'block', password: 'wrong-password' });
  }
  assert.equal(last.status, 429, 'server throttles after 5 failures');

  const page = await openPage(t, throttledServer.url);
  await submitLogin(page, throttledServer.url, 'block', DEMO_PASSWORD);
  const error = page.getByTestId('login-error');
  await error.waitFor();
  assert.equal(await error.getAttribute('data-status'), '429');
  assert.ok((await error.textContent()).trim().length > 0);
  if (last.headers.get('retry-after')) await page.getByTestId('login-retry').waitFor();
  assert.equal(await page.getByTestId('main-nav').count(), 0);
  assert.deepEqual(page.pageErrors, []);
});
