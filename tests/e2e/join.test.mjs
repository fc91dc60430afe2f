// Residents make their own accounts in a real browser: the block leader prints the
// door-plate sheet (through the API), a resident opens the invite link from it on a
// phone, picks themselves, makes an account and lands on the resident home. Then the
// block leader issues a reset code on /reset-codes and the resident sets a new password
// on /reset.
import { newPage, login, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { loggedIn, uniq } from '../lib/api-helpers.mjs';


// The demo server and one browser for this file, stopped after it.
const env = useServerAndBrowser();

function openPage(t) {
  return newPage(env.browser, t, env.server.url);
}

// The first household of the block leader's sheet that carries an invite: its id,
// its invite URL and its residents (from the registry).
async function inviteFromSheet(block) {
  const blockId = block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const sheet = await block.post(`/api/v1/blocks/${blockId}/door-plates`, {});
  assert.equal(sheet.status, 200, sheet.text.slice(0, 200));
  const m = sheet.text.match(/data-household-id="(\d+)">(?:(?!<\/section>)[\s\S])*?<span class="small">(http[^<]+\/join\?code=[0-9A-Z-]+)<br>/);
  assert.ok(m, 'a card with an invite URL');
  const household = await block.get(`/api/v1/households/${m[1]}`);
  return { householdId: Number(m[1]), url: m[2], residents: household.json.household.residents_list };
}

let joined;

test('join-1: a resident opens the invite link, makes an account and lands on the resident home', async (t) => {
  const block = await loggedIn(env.server.url, 'block');
  const { householdId, url, residents } = await inviteFromSheet(block);
  assert.ok(url.startsWith(env.server.url + '/join?code='), url);
  const page = await openPage(t);
  await page.goto(url);
  await page.getByTestId('join-household').waitFor();
  const person = residents[0];
  await page.getByTestId(`join-person-${person.id}`).check();
  const username = uniq('e2e-');
  await page.getByTestId('join-username').fill(username);
  await page.getByTestId('join-password').fill('resident-e2e-1');
  await page.getByTestId('join-submit').click();
  const home = page.getByTestId('home-resident');
  await home.waitFor();
  assert.equal((await home.locator('h1').textContent()).trim(), '我家');
  assert.equal(new URL(page.url()).pathname, '/home');
  // The session is real: a reload stays logged in as the new resident.
  await page.reload();
  await page.getByTestId('home-resident').waitFor();
  assert.deepEqual(page.pageErrors, []);
  const me = await loggedIn(env.server.url, username, 'resident-e2e-1');
  assert.deepEqual(me.me.user.roles.map((r) => [r.role, r.scope_id]), [['resident', householdId]]);
  joined = { username, person };
});

test('join-2: a wrong code is explained on the page', async (t) => {
  const page = await openPage(t);
  await page.goto('/join?code=ZZZZZ-ZZZZ2');
  const error = page.getByTestId('join-error');
  await error.waitFor();
  assert.match(await error.textContent(), /邀请码不正确/);
  assert.deepEqual(page.pageErrors, []);
});

test('join-3: the block leader issues a reset code; the resident sets a new password with it', async (t) => {
  assert.ok(joined, 'join-1 made an account');
  const leader = await openPage(t);
  await login(leader, env.server.url, 'block');
  await leader.getByTestId('home-block_leader').waitFor();
  await leader.getByTestId('link-join-reset-codes').click();
  await leader.getByTestId('reset-codes-page').waitFor();
  await leader.getByTestId('reset-codes-query').fill(joined.person.name);
  await leader.getByTestId('reset-codes-search').click();
  await leader.getByTestId(`reset-codes-issue-${joined.person.id}`).click();
  const code = (await leader.getByTestId('reset-codes-code').textContent()).trim();
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);

  const page = await openPage(t);
  await page.goto('/reset');
  await page.getByTestId('reset-username').fill(joined.username);
  await page.getByTestId('reset-code').fill(code);
  await page.getByTestId('reset-password').fill('resident-e2e-2');
  await page.getByTestId('reset-submit').click();
  await page.getByTestId('reset-done').waitFor();
  assert.equal((await new Client(env.server.url).post('/api/v1/session', { username: joined.username, password: 'resident-e2e-2' })).status, 200);
  assert.deepEqual(leader.pageErrors, []);
  assert.deepEqual(page.pageErrors, []);
});
