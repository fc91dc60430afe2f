// A block leader's first day on a 360 px phone: the home names the block (never
// "楼组 #n"), puts an open sweep first with how many households are left, and reaches
// the call list and care list in one tap, where every phone number is a tel: link.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { dbRows } from '../lib/db-query.mjs';

let blockId;
let blockName;
let sweepId;

const env = useServerAndBrowser(undefined, async () => {
  const block = new Client(env.server.url);
  const me = (await block.login('block')).json;
  blockId = me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  [[blockName]] = dbRows(env.server.db, `SELECT name FROM blocks WHERE id = ${blockId}`);
  const committee = new Client(env.server.url);
  await committee.login('committee');
  const households = await committee.get(`/api/v1/households?block_id=${blockId}&limit=500`);
  const made = await committee.post('/api/v1/sweeps', { title: '第一天排摸', questions: [
    { key: 'ok', label_zh: '是否安好', type: 'yes_no' }], target_kind: 'list',
  household_ids: households.json.items.map((h) => h.id) });
  assert.equal(made.status, 201, made.text);
  sweepId = made.json.sweep.id;
  assert.equal((await committee.post(`/api/v1/sweeps/${sweepId}/open`, {})).status, 200);
});

test('the block leader home names the block and puts the open sweep first', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'block');
  const home = page.getByTestId('home-block_leader');
  await home.waitFor();
  const text = await home.innerText();
  assert.ok(text.includes(blockName), `the home names ${blockName}: ${text.slice(0, 300)}`);
  assert.doesNotMatch(text, /楼组 #\d/, 'no block number instead of its name');
  const go = page.getByTestId(`next-sweep-${sweepId}`);
  await go.waitFor();
  assert.match(await go.innerText(), /去排摸：第一天排摸（剩 \d+ 户）/);
  await assertFitsPhone(page, 'block leader home');
  await go.click();
  await page.waitForURL(new RegExp(`/sweeps/${sweepId}/households`));
});

test('the call list is one tap from home and every phone is a tel: link', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'block');
  await page.getByTestId(`next-block-${blockId}`).getByRole('link', { name: '电话名单' }).click();
  await page.getByTestId('call-list').waitFor();
  const phones = page.getByTestId('call-phone');
  await phones.first().waitFor();
  const hrefs = await phones.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length > 0 && hrefs.every((h) => /^tel:\+?\d{5,}$/.test(h)), JSON.stringify(hrefs.slice(0, 5)));
  await assertFitsPhone(page, 'call list');
});

test('every figure on the home is a link to what it counts: 慢性病 opens those residents', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'block');
  const tile = page.getByTestId('tile-chronic_illness');
  await tile.waitFor();
  const count = Number((await tile.locator('.tile-value').innerText()).match(/\d+/)[0]);
  const links = await page.getByTestId('dashboard-tiles').locator('li').evaluateAll(
    (lis) => lis.map((li) => [li.dataset.testid, Boolean(li.querySelector('a[href]'))]));
  assert.ok(links.every(([, linked]) => linked), `tiles without a link: ${JSON.stringify(links.filter((l) => !l[1]))}`);
  await tile.getByRole('link').click();
  await page.waitForURL(/\/registry\?flag=chronic_illness/);
  await page.getByTestId('resident-results').waitFor();
  const items = page.getByTestId('resident-item');
  if (count > 0) await items.first().waitFor();
  assert.equal(await items.count(), count, 'the list shows exactly the residents the tile counted');
});
