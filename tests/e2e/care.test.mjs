// Point-to-point care in a real browser on a 360 px phone: the demo volunteer opens "my
// people today", taps the phone number's card and records a visit that needed
// something, which becomes a help request; the committee names a carer for someone who
// had nobody; the not-checked-today list. Screenshots go to
// tests/output/screenshots/care-*.png.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../lib/server.mjs';

const SHOTS = join(process.cwd(), 'output', 'screenshots');
async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `care-${name}.png`), fullPage: true });
}

const env = useServerAndBrowser();

test('a carer records a visit on a phone; the need becomes a help request', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'volunteer');
  await page.goto(`${env.server.url}/care/mine`);
  await page.getByTestId('care-mine-summary').waitFor();
  const card = page.getByTestId('care-item').filter({ has: page.getByTestId('care-checkin') }).first();
  await card.waitFor();
  const name = (await card.locator('.care-card-name').innerText()).trim();
  const tel = await card.getByTestId('care-phone').getAttribute('href');
  assert.match(tel, /^tel:\d+$/);
  await assertFitsPhone(page, 'my people');
  await screenshot(page, 'mine');
  await card.getByTestId('care-kind-visit').click();
  await card.getByTestId('care-needs').click();
  await card.getByTestId('care-needs-text').fill('降压药只剩一天的量，请帮忙代配');
  await assertFitsPhone(page, 'needs form');
  await screenshot(page, 'needs');
  await card.getByTestId('care-needs-submit').click();
  const done = page.getByTestId('care-mine-recorded');
  await done.waitFor();
  const text = await done.innerText();
  assert.match(text, new RegExp(name));
  const id = Number(text.match(/编号 (\d+)/)?.[1]);
  assert.ok(id > 0, text);
  await screenshot(page, 'recorded');

  // The request exists, for that resident, with the block's leaders.
  const committee = new Client(env.server.url);
  await committee.login('committee');
  const req = (await committee.get(`/api/v1/help-requests/${id}`)).json.request;
  assert.equal(req.resident_name, name);
  assert.equal(req.kind, 'medicine');
  assert.equal(req.summary, '降压药只剩一天的量，请帮忙代配');

  // The resident's care page shows the visit and the request it became.
  await page.getByTestId('care-item').filter({ hasText: name }).locator('.care-card-name').click();
  await page.getByTestId('care-resident-page').waitFor();
  const first = page.getByTestId('care-history').locator('li').first();
  assert.match(await first.innerText(), /上门 · 有需求/);
  assert.match(await first.innerText(), new RegExp(`求助 ${id}`));
  await assertFitsPhone(page, 'resident care');
  await screenshot(page, 'resident');
});

test('the committee names a carer for someone who had nobody; the not-checked-today list', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'committee');
  await page.goto(`${env.server.url}/care?carer=none`);
  const card = page.getByTestId('care-item').first();
  await card.waitFor();
  await assertFitsPhone(page, 'care list');
  await screenshot(page, 'list');
  const name = (await card.locator('.care-card-name').innerText()).trim();
  await card.locator('.care-card-name').click();
  await page.getByTestId('care-resident-page').waitFor();
  await page.getByTestId('care-carer-q').fill('刘子轩');
  await page.getByTestId('care-carer-search').click();
  await page.getByTestId('care-carer-pick').first().click();
  await page.getByTestId('care-carer-picked').waitFor();
  await page.getByTestId('care-rhythm').selectOption('daily_call');
  await assertFitsPhone(page, 'assign');
  await screenshot(page, 'assign');
  await page.getByTestId('care-assign-submit').click();
  await page.getByTestId('care-carer-name').filter({ hasText: '刘子轩' }).waitFor();
  assert.match(await page.locator('h1').innerText(), new RegExp(name));

  await page.goto(`${env.server.url}/care/due`);
  await page.getByTestId('care-item').first().waitFor();
  assert.ok(await page.getByTestId('care-item').filter({ hasText: name }).count() === 1, 'due from today');
  await assertFitsPhone(page, 'due');
  await screenshot(page, 'due');
});
