// Bulletins in a real browser on a phone: the committee writes an urgent bulletin in
// four languages to one zone; a resident of that zone reads it (their household's
// receipt is recorded) and switches to Japanese; the block leader sees who has not seen
// it and confirms a household by phone; the public page shows the public ones without a
// session. Screenshots go to tests/output/screenshots/bulletin-*.png.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../lib/server.mjs';

const SHOTS = join(process.cwd(), 'output', 'screenshots');
async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `bulletin-${name}.png`), fullPage: true });
}

const ids = {};
const env = useServerAndBrowser(undefined, async () => {
  const zone = new Client(env.server.url);
  const me = (await zone.login('zone')).json;
  ids.zone = me.user.roles.find((r) => r.role === 'zone_leader').scope_id;
  const committee = new Client(env.server.url);
  ids.community = (await committee.login('committee')).json.community.id;
  ids.zoneName = (await committee.get('/api/v1/zones?limit=100')).json.items.find((z) => z.id === ids.zone).name;
});

const TEXTS = {
  'zh-CN': ['紧急：今晚 20:00 前完成抗原自测', '请本片区居民今晚 20:00 前完成抗原自测，结果拍照发给楼组长。'],
  en: ['Urgent: antigen self-test before 20:00', 'Everyone in this zone: do an antigen self-test before 20:00 tonight.'],
  ja: ['緊急：今夜20時までに抗原検査', 'この地区の皆さんは今夜20時までに抗原検査を行ってください。'],
  ko: ['긴급: 오늘 밤 20시 전 항원 검사', '이 구역 주민께서는 오늘 밤 20시 전에 항원 검사를 해 주세요.'],
};

test('the committee writes an urgent bulletin in four languages to one zone', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'committee');
  await page.goto(`${env.server.url}/bulletins/new`);
  await page.getByTestId('bulletin-editor').waitFor();
  await page.getByTestId('editor-kind').selectOption('urgent');
  for (const [lang, [title, body]] of Object.entries(TEXTS)) {
    await page.fill(`input[name="title-${lang}"]`, title);
    await page.fill(`textarea[name="body-${lang}"]`, body);
  }
  await page.getByTestId('scope-zones').check();
  await page.getByTestId('zone-picker').getByLabel(ids.zoneName, { exact: true }).check();
  await assertFitsPhone(page, 'editor');
  await screenshot(page, 'editor');
  await page.getByTestId('editor-save').click();
  await page.getByTestId('bulletin-page').waitFor();
  await page.getByTestId('bulletin-title').waitFor();
  assert.equal(await page.getByTestId('bulletin-title').innerText(), TEXTS['zh-CN'][0]);
  ids.bulletin = Number(await page.getByTestId('bulletin').getAttribute('data-id'));
  assert.ok(ids.bulletin > 0);
  await assertFitsPhone(page, 'bulletin (staff)');
});

test('a resident of the zone reads it, in Japanese too', async (t) => {
  assert.ok(ids.bulletin, 'written by the test before');
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'resident');
  await page.goto(`${env.server.url}/bulletins`);
  const item = page.locator(`[data-testid="bulletin-item"][data-id="${ids.bulletin}"]`);
  await item.waitFor();
  await assertFitsPhone(page, 'bulletin list');
  await screenshot(page, 'list');
  await item.getByRole('link').click();
  await page.getByTestId('bulletin-receipt').waitFor();
  assert.match(await page.getByTestId('bulletin-body').innerText(), /抗原自测/);
  await page.getByTestId('text-lang-ja').click();
  await page.getByTestId('bulletin-title').filter({ hasText: '緊急' }).waitFor();
  await assertFitsPhone(page, 'bulletin');
  await screenshot(page, 'view');
});

test('the block leader sees who has not seen it and confirms a household by phone', async (t) => {
  assert.ok(ids.bulletin, 'written by the test before');
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'block');
  await page.goto(`${env.server.url}/bulletins/${ids.bulletin}/receipts`);
  await page.getByTestId('call-list').waitFor();
  const households = page.getByTestId('unread-household');
  await households.first().waitFor();
  const before = await households.count();
  const unread = Number(await page.getByTestId('total-unread').innerText());
  assert.ok(unread >= before && before > 0);
  await assertFitsPhone(page, 'receipts');
  await screenshot(page, 'receipts');
  await households.first().getByTestId('confirm-phone').click();
  await page.getByTestId('message').waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="unread-household"]').length === n - 1, before);
  assert.equal(await page.getByTestId('call-list-print').count(), 1);
  const block = new Client(env.server.url);
  await block.login('block');
  const counts = (await block.get(`/api/v1/bulletins/${ids.bulletin}/receipts`)).json;
  assert.equal(counts.totals.confirmed, 1);
  await screenshot(page, 'confirmed');
});

test('the public page needs no session and fits a phone', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await page.goto(`${env.server.url}/public/communities/${ids.community}/bulletins`);
  await page.getByTestId('public-bulletin').first().waitFor();
  assert.ok(await page.getByTestId('public-bulletin').count() >= 7);
  await page.getByTestId('text-lang-ko').click();
  await page.getByTestId('public-bulletin').first().filter({ hasText: /[가-힣]/ }).waitFor();
  await assertFitsPhone(page, 'public page');
  await screenshot(page, 'public');
  assert.deepEqual(page.pageErrors, []);
});

test('a scheduled time is the community time, whatever the phone says', async (t) => {
  // A phone set to another zone (New York) schedules "08:00" for 08:00 Shanghai time.
  const context = await env.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN',
    timezoneId: 'America/New_York' });
  t.after(() => context.close());
  const page = await context.newPage();
  await login(page, env.server.url, 'committee');
  await page.goto(`${env.server.url}/bulletins/new`);
  await page.getByTestId('bulletin-editor').waitFor();
  await page.fill('input[name="title-zh-CN"]', '明早八点开始第三轮核酸');
  await page.fill('textarea[name="body-zh-CN"]', '请各户按楼组顺序下楼。');
  const day = new Date(Date.now() + 2 * 86400000 + 8 * 3600000).toISOString().slice(0, 10);
  await page.fill('input[name="publish_at"]', `${day}T08:00`);
  await page.getByTestId('editor-save').click();
  // The answer shows the time as the community reads it (the page loads it after saving).
  await page.getByTestId('bulletin-page').getByText(`${day} 08:00`).first().waitFor();
});
