// A testing station on a 360 px phone: the volunteer types a tube code, registers
// residents by a typed personal code and by name, fills a tube of 10 (the next tube is
// asked for), then loses the network: the page reloads from the service worker, three
// more are registered from the phone's own cache and wait ("3 条待同步"); the network
// comes back, they are sent, and the server counts every person once. Screenshots go to
// tests/output/screenshots/station-*.png.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../lib/server.mjs';
import { cstDay } from '../lib/db-query.mjs';

const SHOTS = join(process.cwd(), 'output', 'screenshots');
async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `station-${name}.png`), fullPage: true });
}

let committee, station, people, code;
const env = useServerAndBrowser({}, async ({ server }) => {
  committee = new Client(server.url);
  await committee.login('committee');
  const volunteer = new Client(server.url);
  const me = (await volunteer.login('volunteer')).json;
  const round = await committee.post('/api/v1/test-rounds', { name: '浏览器测试轮', on_day: cstDay(0),
    kind: 'pcr_pooled', pool_size: 10 });
  assert.equal(round.status, 201, round.text);
  const st = await committee.post(`/api/v1/test-rounds/${round.json.id}/stations`, { name: '东门采样点',
    opens_at: '07:00', closes_at: '11:00', staff: [{ user_id: me.user.id, duty: 'registrar' }] });
  assert.equal(st.status, 201, st.text);
  station = st.json.id;
  assert.equal((await committee.post(`/api/v1/test-rounds/${round.json.id}/open`)).status, 200);
  const cache = await volunteer.get(`/api/v1/test-stations/${station}/people`);
  // People whose name finds them alone, so that a search shows one row.
  const count = new Map();
  for (const p of cache.json.people) count.set(p.name, (count.get(p.name) || 0) + 1);
  people = cache.json.people.filter((p) => !p.sampled && !p.exempt && count.get(p.name) === 1).slice(0, 14);
  assert.equal(people.length, 14);
  const c = await committee.post(`/api/v1/residents/${people[0].resident_id}/scan-code`, {});
  assert.equal(c.status, 201, c.text);
  code = c.json.payload;
});

async function byName(page, p) {
  await page.getByTestId('station-search').fill(p.name);
  await page.getByTestId('station-search-go').click();
  await page.getByTestId(`station-register-${p.resident_id}`).click();
}

test('a station registers, fills a tube, works offline after a reload and syncs once', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'volunteer');
  await page.goto(`${env.server.url}/station`);
  await page.getByTestId('station-list-item').filter({ hasText: '东门采样点' }).getByRole('link').click();
  await page.getByTestId('station-need-tube').waitFor();
  await page.getByTestId('station-cache').waitFor();
  await assertFitsPhone(page, 'station');
  await page.getByTestId('station-tube-code').fill('E-0001');
  await page.getByTestId('station-tube-code').press('Enter');
  await page.getByTestId('station-tube-now').waitFor();

  // A personal code typed as a scanner would give it.
  await page.getByTestId('station-person-code').fill(code);
  await page.getByTestId('station-person-code').press('Enter');
  await page.getByTestId('station-ack-ok').filter({ hasText: '1 / 10' }).waitFor();
  assert.equal(await page.getByTestId('station-tube-count').innerText(), '1 / 10');
  // The same person again: shown in red, not counted.
  await page.getByTestId('station-person-code').fill(code);
  await page.getByTestId('station-person-code').press('Enter');
  await page.getByTestId('station-ack-dup').first().waitFor();
  assert.equal(await page.getByTestId('station-tube-count').innerText(), '1 / 10');
  await screenshot(page, 'duplicate');

  for (let i = 1; i < 10; i++) {
    await byName(page, people[i]);
    if (i < 9) await page.getByTestId('station-tube-count').filter({ hasText: `${i + 1} / 10` }).waitFor();
  }
  // Full: the next tube is asked for.
  await page.getByTestId('station-need-tube').waitFor();
  await assertFitsPhone(page, 'station, tube full');
  await screenshot(page, 'full');

  // The shell is precached and the people are on the phone: the network goes.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.context().setOffline(true);
  await page.reload();
  await page.getByTestId('station-page').waitFor();
  await page.getByTestId('station-online').filter({ hasText: '离线' }).waitFor();
  await page.getByTestId('station-cache').waitFor();
  await page.getByTestId('station-tube-code').fill('E-0002');
  await page.getByTestId('station-tube-code').press('Enter');
  for (let i = 10; i < 13; i++) await byName(page, people[i]);
  await page.getByTestId('station-waiting').filter({ hasText: '3 条待同步' }).waitFor();
  assert.equal(await page.getByTestId('station-tube-count').innerText(), '3 / 10');
  // The same person twice in the phone's own queue is caught at once.
  await byName(page, people[12]);
  await page.getByTestId('station-ack-dup').filter({ hasText: people[12].name }).waitFor();
  await page.getByTestId('station-waiting').filter({ hasText: '3 条待同步' }).waitFor();
  await assertFitsPhone(page, 'station offline');
  await screenshot(page, 'offline');

  await page.context().setOffline(false);
  await page.getByTestId('station-waiting').filter({ hasText: '0 条待同步' }).waitFor({ timeout: 30000 });
  await screenshot(page, 'synced');

  // The server counts each of the 13 once: 10 in the first tube, 3 in the second.
  const state = await committee.get(`/api/v1/test-stations/${station}/state`);
  assert.equal(state.status, 200, state.text);
  assert.equal(state.json.counts.samples, 13);
  assert.equal(state.json.counts.tubes, 2);
  assert.equal(state.json.tube.code, 'E-0002');
  assert.equal(state.json.tube.samples, 3);
  const names = state.json.last.map((x) => x.name);
  assert.equal(new Set(names).size, names.length, 'nobody twice');
  assert.deepEqual(page.pageErrors, []);
});
