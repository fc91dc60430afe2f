// The retention page in a real browser: the committee sets the emergency's end in the
// past, runs a dry run, purges after confirming and sees the counts; the duplicates page
// merges a pair; leaders cannot open these pages.
import { newPage, login, PHONE, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';

let api;

// The demo server and one browser for this file, and what the tests share once they are up.
const env = useServerAndBrowser(undefined, async () => {
  api = new Client(env.server.url);
  await api.login('committee');
});

const day = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

// A phone-sized page in English, logged in, on its home.
async function openAs(t, username) {
  const page = await newPage(env.browser, t, env.server.url, PHONE, 'en');
  await login(page, env.server.url, username);
  await page.locator('[data-testid^="home-"]').first().waitFor();
  return page;
}

test('committee: emergency ended in the past, dry run, purge, counts', async (t) => {
  const hh = (await api.get('/api/v1/households?limit=1')).json.items[0];
  const r = await api.post('/api/v1/residents', { household_id: hh.id, name: '浏览器测试' });
  assert.equal(r.status, 201, r.text);
  const rid = r.json.resident.id;
  assert.equal((await api.post(`/api/v1/residents/${rid}/travel`, { place: '北京', from_date: day(-5) })).status, 201);
  assert.equal((await api.post(`/api/v1/residents/${rid}/flags`,
    { flag: 'home_isolation', detail: { start: day(-5) } })).status, 201);

  const page = await openAs(t, 'committee');
  await page.getByTestId('link-retention').click();
  await page.getByTestId('retention-page').waitFor();
  await page.getByTestId('retention-ongoing').uncheck();
  await page.fill('#emergency_ended_on', day(-40));
  await page.fill('#keep_days', '30');
  await page.getByTestId('retention-save').click();
  await page.getByTestId('retention-saved').waitFor();
  await page.waitForFunction((d) => document.querySelector('[data-testid="retention-kept-until"]')?.textContent === d, day(-10));

  await page.getByTestId('retention-dry-run').click();
  await page.getByTestId('retention-report').waitFor();
  const dryTravel = Number(await page.getByTestId('retention-count-travel').textContent());
  const dryIso = Number(await page.getByTestId('retention-count-isolation_flags').textContent());
  assert.ok(dryTravel >= 1 && dryIso >= 1, `${dryTravel} ${dryIso}`);
  assert.equal((await api.get(`/api/v1/residents/${rid}/travel`)).json.items.length, 1, 'the dry run removed nothing');

  await page.getByTestId('retention-purge').click();
  await page.getByTestId('retention-confirm').waitFor();
  await page.getByTestId('retention-confirm-yes').click();
  await page.locator('[data-testid="retention-report"][data-dry-run="false"]').waitFor();
  assert.equal(Number(await page.getByTestId('retention-count-travel').textContent()), dryTravel);
  assert.equal(Number(await page.getByTestId('retention-count-isolation_flags').textContent()), dryIso);
  assert.equal((await api.get(`/api/v1/residents/${rid}/travel`)).json.items.length, 0);
  assert.deepEqual(page.pageErrors, []);
});

test('committee merges a likely duplicate; its history shows the merge', async (t) => {
  const hh = (await api.get('/api/v1/households?limit=1')).json.items[0];
  const a = await api.post('/api/v1/residents', { household_id: hh.id, name: '页面重复', birth_year: 1955 });
  const b = await api.post('/api/v1/residents', { household_id: hh.id, name: '页面重复', birth_year: 1955, phone: '13700001234' });
  const dupId = b.json.resident.id;
  const page = await openAs(t, 'committee');
  await page.goto('/registry/duplicates');
  await page.getByTestId('duplicates-page').waitFor();
  // The pair may be on a later page of the demo's duplicates: walk to it, each time
  // waiting until the page's first pair has been replaced by the next page's.
  const list = page.getByTestId('duplicates-list');
  await list.waitFor();
  while (await page.getByTestId(`merge-${dupId}`).count() === 0) {
    const first = await list.locator('li').first().getAttribute('data-testid');
    await page.getByTestId('duplicates-next').click();
    await page.getByTestId(first).waitFor({ state: 'detached' });
    await list.waitFor();
  }
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByTestId(`merge-${dupId}`).click();
  await page.getByTestId('duplicates-merged').waitFor();
  const kept = (await api.get(`/api/v1/residents/${a.json.resident.id}`)).json.resident;
  assert.equal(kept.phone, '13700001234');
  await page.goto(`/registry/history/resident/${a.json.resident.id}`);
  await page.getByTestId('history-list').waitFor();
  assert.equal(await page.getByTestId('history-entry').first().locator('.card-title').textContent(), 'resident.merge');
  assert.deepEqual(page.pageErrors, []);
});

test('a block leader cannot open the retention or duplicates pages', async (t) => {
  const page = await openAs(t, 'block');
  assert.equal(await page.getByTestId('link-retention').count(), 0);
  await page.goto('/retention');
  await page.getByTestId('not-found').waitFor();
  await page.goto('/registry/duplicates');
  await page.getByTestId('not-found').waitFor();
});
