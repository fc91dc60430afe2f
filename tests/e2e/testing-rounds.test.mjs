// Testing rounds in a real browser on a 360 px phone: the committee sets a round up
// (name, day, kind, one station) and opens it; the block leader watches the coverage of
// their block, which follows a registration, and marks a call on the not-tested list.
// Screenshots go to tests/output/screenshots/testing-*.png.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../lib/server.mjs';

const SHOTS = join(process.cwd(), 'output', 'screenshots');
async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `testing-${name}.png`), fullPage: true });
}

const env = useServerAndBrowser();
let roundId;

test('the committee sets a round up on a phone and opens it', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'committee');
  await page.goto(`${env.server.url}/testing`);
  await page.getByTestId('testing-rounds-page').waitFor();
  await page.getByTestId('testing-new').click();
  await page.getByTestId('testing-new-page').waitFor();
  await page.getByTestId('testing-name').fill('第 41 轮全员核酸');
  await page.getByTestId('testing-day').fill('2026-12-08');
  await page.getByTestId('testing-station-name').fill('南门广场');
  await page.getByTestId('testing-staff-pick').selectOption({ index: 1 });
  await assertFitsPhone(page, 'new round');
  await screenshot(page, 'new');
  await page.getByTestId('testing-create').click();
  await page.getByTestId('testing-round-page').waitFor();
  roundId = Number(new URL(page.url()).pathname.split('/').pop());
  assert.ok(roundId > 0, page.url());
  assert.match(await page.getByTestId('testing-state').innerText(), /筹备中/);
  assert.match(await page.getByTestId('testing-station').innerText(), /南门广场[\s\S]*07:00–11:00/);
  await page.getByTestId('testing-open').click();
  await page.getByTestId('testing-state').filter({ hasText: '采样中' }).waitFor();
  await assertFitsPhone(page, 'open round');
  await screenshot(page, 'round');
  await page.goto(`${env.server.url}/testing`);
  await page.getByTestId('testing-round').filter({ hasText: '第 41 轮全员核酸' }).filter({ hasText: '采样中' })
    .waitFor();
});

test('the block leader sees the coverage of their block and marks a call', async (t) => {
  assert.ok(roundId, 'the round of the first test');
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'block');
  await page.goto(`${env.server.url}/testing/${roundId}/coverage`);
  await page.getByTestId('testing-coverage-page').waitFor();
  const expected = Number(await page.getByTestId('testing-expected').innerText());
  assert.ok(expected > 0);
  assert.equal(Number(await page.getByTestId('testing-to_test').innerText()), expected);
  assert.equal(await page.getByTestId('testing-block').count(), 1, 'a block leader sees their block');
  await assertFitsPhone(page, 'coverage');
  await screenshot(page, 'coverage');

  await page.getByTestId('testing-not-tested-link').click();
  await page.getByTestId('testing-not-tested-page').waitFor();
  const person = page.getByTestId('testing-person').first();
  await person.waitFor();
  assert.match(await person.getByTestId('testing-phone').getAttribute('href'), /^tel:\d+$/);
  assert.match(await person.getByTestId('testing-last-call').innerText(), /尚未联系/);
  const who = await person.getAttribute('data-id');
  await person.getByTestId('testing-call-coming').click();
  await page.locator(`[data-testid="testing-person"][data-id="${who}"] [data-testid="testing-last-call"]`)
    .filter({ hasText: '马上来' }).waitFor();
  await assertFitsPhone(page, 'not tested');
  await screenshot(page, 'not-tested');

  // The mark is the API's too: one call, by the block leader.
  const block = new Client(env.server.url);
  await block.login('block');
  const called = (await block.get(`/api/v1/test-rounds/${roundId}/not-tested?called=1`)).json.items;
  assert.deepEqual(called.map((p) => String(p.resident_id)), [who]);
  assert.equal(called[0].last_call, 'coming');
});
