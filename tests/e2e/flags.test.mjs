// A resident's flag history in a real browser: a flag set by committee staff, changed and
// cleared by the block leader on the page; each history card names who set, changed and
// cleared the flag and when, in Chinese and in English, on a phone-sized screen.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, DEMO_PASSWORD } from '../lib/server.mjs';

// The demo server and one browser for this file, stopped after it.
const env = useServerAndBrowser();

async function apiClient(username) {
  const client = new Client(env.server.url, 'zh-CN');
  const r = await client.login(username);
  client.user = r.json.user;
  return client;
}

test('the block leader changes and clears a flag; the history names both people', async (t) => {
  const committee = await apiClient('committee');
  const leader = await apiClient('block');
  const block = leader.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const h = await committee.post('/api/v1/households', { block_id: block, room: `E-${Date.now() % 100000}` });
  assert.equal(h.status, 201, h.text);
  const p = await committee.post('/api/v1/residents', { household_id: h.json.household.id, name: '历史测试', birth_year: 1948 });
  assert.equal(p.status, 201, p.text);
  const id = p.json.resident.id;
  const set = await committee.post(`/api/v1/residents/${id}/flags`, { flag: 'chronic_illness', detail: { condition: '高血压' } });
  assert.equal(set.status, 201, set.text);
  const staffName = committee.user.display_name, leaderName = leader.user.display_name;
  assert.notEqual(staffName, leaderName);

  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'block');
  await page.goto(`/registry/residents/${id}`);
  await page.getByTestId('flags-section').waitFor();
  const first = page.locator('[data-testid="flag-history-item"][data-flag="chronic_illness"]');
  await first.waitFor();
  assert.ok((await first.getByTestId('flaghist-set').textContent()).includes(`设置：${staffName}`));

  // Set again with another condition: a change.
  const form = page.getByTestId('flag-form');
  await form.locator('select[name="flag"]').selectOption('chronic_illness');
  await form.locator('input[name="detail.condition"]').fill('糖尿病');
  await form.getByTestId('flag-submit').click();
  const changed = page.locator('[data-testid="flag-history-item"][data-flag="chronic_illness"][data-action="changed"]');
  await changed.waitFor();
  assert.ok((await changed.textContent()).includes('糖尿病'));
  assert.ok((await changed.getByTestId('flaghist-set').textContent()).includes(`修改：${leaderName}`));
  const replaced = page.locator('[data-testid="flag-history-item"][data-flag="chronic_illness"][data-action="set"]');
  const replacedState = await replaced.getByTestId('flag-history-state').textContent();
  assert.ok(replacedState.includes(`已修改：${leaderName}`), replacedState);

  // Clear it: the changed entry says who cleared it.
  await page.getByTestId('clear-flag-chronic_illness').click();
  await page.locator('[data-testid="current-flag"][data-flag="chronic_illness"]').waitFor({ state: 'detached' });
  const cleared = changed.locator('[data-testid="flag-history-state"][data-closed="cleared"]');
  await cleared.waitFor();
  assert.ok((await cleared.textContent()).includes(`已解除：${leaderName}`));
  // Every card gives a time too.
  for (const text of await page.getByTestId('flaghist-set').allTextContents()) assert.match(text, /\d{2}:\d{2}/);

  // The history is exported as the server's list of changes.
  const csv = await page.getByTestId('flaghist-exports').getByTestId('export-csv').getAttribute('href');
  assert.equal(csv, `/api/v1/residents/${id}/flag-history?format=csv`);
  await assertFitsPhone(page, 'resident page');

  // English.
  await page.getByTestId('language-toggle').click();
  await page.getByText('Flag history', { exact: true }).waitFor();
  await page.locator('[data-testid="flag-history-state"][data-closed="cleared"]', { hasText: `Cleared by ${leaderName}` }).waitFor();
  assert.ok((await replaced.getByTestId('flaghist-set').textContent()).includes(`Set by ${staffName}`));
  assert.ok((await changed.getByTestId('flaghist-set').textContent()).includes(`Changed by ${leaderName}`));
  assert.deepEqual(page.pageErrors, []);
});
