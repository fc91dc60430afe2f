// The instance administrator's page at phone size: a community added with its first
// committee account in one form, its name changed, and the new committee member logs
// in to a community of their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, submitLogin, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { uniq } from '../lib/api-helpers.mjs';

const env = useServerAndBrowser();

test('the administrator adds a community and its first committee account, then renames it', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await submitLogin(page, env.server.url, 'admin');
  const home = page.getByTestId('home-superuser');
  await home.getByTestId('community-item').first().waitFor();
  const before = await home.getByTestId('community-item').count();

  await home.getByTestId('community-add').click();
  // A taken login is named in the form, and nothing is made.
  await page.getByTestId('community-name').fill('新华社区');
  await page.getByTestId('community-username').fill('committee');
  await page.getByTestId('community-display-name').fill('王书记');
  await page.getByTestId('community-password').fill('first-pass-2026');
  await page.getByTestId('community-save').click();
  await page.getByTestId('community-error').waitFor();
  assert.equal(await page.getByTestId('community-username').getAttribute('aria-invalid'), 'true');

  const username = uniq('xh-');
  await page.getByTestId('community-username').fill(username);
  await page.getByTestId('community-save').click();
  await page.getByTestId('community-made').waitFor();
  assert.match(await page.getByTestId('community-made').textContent(), new RegExp(username));
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="community-item"]').length === n, before + 1);
  const item = home.getByTestId('community-item').filter({ hasText: '新华社区' });
  assert.match(await item.textContent(), /居委会账号 1 个/);
  await assertFitsPhone(page, 'communities with the form used');

  await item.getByTestId('community-edit').click();
  await item.getByTestId('community-name').fill('新华社区（东区）');
  await item.getByTestId('community-save').click();
  await home.getByTestId('community-item').filter({ hasText: '新华社区（东区）' }).waitFor();

  // The new member's own community: the committee desk, nothing of the demo's.
  await page.getByTestId('logout').click();
  await page.getByTestId('login-page').waitFor();
  await submitLogin(page, env.server.url, username, 'first-pass-2026');
  await page.getByTestId('home-committee').waitFor();
  assert.ok(!(await page.textContent('body')).includes('阳光绿园'), 'no word of another community');
});
