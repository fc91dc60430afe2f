// Testing results in a real browser on a 360 px phone: the committee marks a tube of the
// latest round positive and opens its people, reveals their phones to call and moves a
// follow-up on; a resident reports the household's antigen results for an open round.
// Screenshots go to tests/output/screenshots/testing-results-*.png.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../lib/server.mjs';
import { dbRows, dbInt, cstDay } from '../lib/db-query.mjs';

const SHOTS = join(process.cwd(), 'output', 'screenshots');
async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `testing-results-${name}.png`), fullPage: true });
}

const ids = {};
const env = useServerAndBrowser(undefined, async () => {
  const committee = new Client(env.server.url);
  await committee.login('committee');
  ids.round = (await committee.get('/api/v1/test-followups?limit=1')).json.items[0].round_id;
});

test('the committee marks a tube positive and traces its people', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  page.on('dialog', (d) => d.accept());
  await login(page, env.server.url, 'committee');
  await page.goto(`${env.server.url}/testing/${ids.round}/results`);
  await page.getByTestId('results-summary').waitFor();
  await page.getByTestId('results-filter').selectOption('negative');
  const card = page.getByTestId('results-tube').first();
  await card.waitFor();
  const code = await card.getAttribute('data-code');
  await assertFitsPhone(page, 'results');
  await screenshot(page, 'tubes');
  await card.getByTestId('results-set-positive').click();
  await page.getByTestId('results-filter').selectOption('positive');
  const positive = page.getByTestId('results-tube').filter({ has: page.locator(`[data-code="${code}"]`) });
  const mine = page.locator(`[data-testid="results-tube"][data-code="${code}"]`);
  await mine.waitFor();
  assert.equal(await positive.count() >= 0, true);
  assert.match(await mine.getByTestId('results-badge').innerText(), /阳性/);
  await mine.locator('.results-card-name').click();
  await page.getByTestId('results-tube-page').waitFor();
  const people = page.getByTestId('results-person');
  await people.first().waitFor();
  const n = await people.count();
  assert.ok(n >= 1 && n <= 10, `${n} people`);
  assert.match(await people.first().innerText(), /\*\*\*\*/);
  await page.getByTestId('results-reveal').click();
  await page.getByTestId('results-call').first().waitFor();
  const tel = await page.getByTestId('results-call').first().getAttribute('href');
  assert.match(tel, /^tel:\d{11}$/);
  await assertFitsPhone(page, 'tube people');
  await screenshot(page, 'people');
  await people.first().getByTestId('results-fu-retest').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="results-fu-retest"]')
    ?.getAttribute('aria-pressed') === 'true');
  await page.goto(`${env.server.url}/testing/followups`);
  await page.getByTestId('results-fu-item').first().waitFor();
  await assertFitsPhone(page, 'follow-ups');
  await screenshot(page, 'followups');
});

test("a resident reports the household's antigen results", async (t) => {
  const cid = dbInt(env.server.db, `SELECT community_id FROM test_rounds WHERE id = ${ids.round}`);
  const now = Date.now() * 1000;
  dbRows(env.server.db, `INSERT INTO test_rounds (community_id, name, on_day, kind, pool_size, state, created_at, ` +
    `updated_at) VALUES (${cid}, '抗原自测（今日）', '${cstDay(0)}', 'antigen', 1, 'open', ${now}, ${now})`);
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'resident');
  await page.getByRole('link', { name: '上报抗原结果' }).first().click();
  await page.getByTestId('results-antigen-page').waitFor();
  const person = page.getByTestId('results-antigen-person').first();
  await person.waitFor();
  await assertFitsPhone(page, 'antigen');
  await screenshot(page, 'antigen');
  await person.getByTestId('results-antigen-negative').click();
  await person.getByTestId('results-antigen-reported').waitFor();
  assert.match(await person.innerText(), /阴性/);
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
  await person.getByTestId('results-antigen-photo').setInputFiles({ name: 'test.png', mimeType: 'image/png', buffer: png });
  await person.getByRole('link', { name: '查看照片' }).waitFor();
  await assertFitsPhone(page, 'antigen reported');
  await screenshot(page, 'antigen-reported');
  // The household's own record: the report just made, with the earlier rounds' samples.
  await page.goto(`${env.server.url}/home`);
  await page.getByRole('link', { name: '我家的检测记录' }).first().click();
  await page.getByTestId('results-mine-page').waitFor();
  const mine = page.getByTestId('results-mine-item');
  await mine.first().waitFor();
  assert.ok(await mine.count() >= 2, 'this round and earlier ones');
  assert.match(await mine.first().innerText(), /阴性/);
  await assertFitsPhone(page, 'our test results');
});
