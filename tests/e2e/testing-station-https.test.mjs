// The station page on a phone over HTTPS, as on a testing day: a certificate made by
// `shouwang tls selfsigned`, pinned in the browser by its key's hash (as a phone that
// installed ca.crt trusts it), so the service worker registers. A volunteer registers
// one person online, the network goes, the page reloads from the service worker, two
// more wait on the phone, and once the network is back the server counts all three once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { BIN, Client } from '../lib/server.mjs';
import { cstDay } from '../lib/db-query.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sw-station-https-'));
execFileSync(BIN, ['tls', 'selfsigned', '--out', dir, '--name', 'localhost', '--name', '127.0.0.1']);
const pem = readFileSync(join(dir, 'server.crt'), 'utf8');
const cert = new X509Certificate(pem.slice(0, pem.indexOf('-----END CERTIFICATE-----') + 25));
const pin = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');

let committee, stationId, people;
const env = useServerAndBrowser({ tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key') } },
  async ({ server }) => {
    // The test's own client talks to the self-signed server too.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    committee = new Client(server.url);
    await committee.login('committee');
    const volunteer = new Client(server.url);
    const me = (await volunteer.login('volunteer')).json;
    const round = await committee.post('/api/v1/test-rounds', { name: 'HTTPS 采样轮', on_day: cstDay(0),
      kind: 'pcr_pooled', pool_size: 10 });
    assert.equal(round.status, 201, round.text);
    const st = await committee.post(`/api/v1/test-rounds/${round.json.id}/stations`, { name: '西门采样点',
      opens_at: '07:00', closes_at: '11:00', staff: [{ user_id: me.user.id, duty: 'registrar' }] });
    assert.equal(st.status, 201, st.text);
    stationId = st.json.id;
    assert.equal((await committee.post(`/api/v1/test-rounds/${round.json.id}/open`)).status, 200);
    const all = (await volunteer.get(`/api/v1/test-stations/${stationId}/people`)).json.people;
    const seen = new Map();
    for (const p of all) seen.set(p.name, (seen.get(p.name) || 0) + 1);
    people = all.filter((p) => !p.sampled && !p.exempt && seen.get(p.name) === 1).slice(0, 3);
    assert.equal(people.length, 3);
  }, [`--ignore-certificate-errors-spki-list=${pin}`]);
after(() => rmSync(dir, { recursive: true, force: true }));

async function register(page, p) {
  await page.getByTestId('station-search').fill(p.name);
  await page.getByTestId('station-search-go').click();
  await page.getByTestId(`station-register-${p.resident_id}`).click();
}

test('over HTTPS a station registers, reloads offline from its service worker and syncs once', async (t) => {
  assert.match(env.server.url, /^https:\/\//);
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'volunteer');
  await page.goto(`${env.server.url}/station/${stationId}`);
  assert.equal(await page.evaluate(() => window.isSecureContext), true);
  await page.getByTestId('station-need-tube').waitFor();
  await page.getByTestId('station-cache').waitFor();
  await page.getByTestId('station-tube-code').fill('W-0001');
  await page.getByTestId('station-tube-code').press('Enter');
  await page.getByTestId('station-tube-now').waitFor();
  await register(page, people[0]);
  await page.getByTestId('station-tube-count').filter({ hasText: '1 / 10' }).waitFor();

  // The service worker has taken the page: with no network the reload comes from it.
  const scope = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.scope));
  assert.equal(scope, `${env.server.url}/`);
  await page.context().setOffline(true);
  await page.reload();
  await page.getByTestId('station-page').waitFor();
  await page.getByTestId('station-online').filter({ hasText: '离线' }).waitFor();
  await page.getByTestId('station-cache').waitFor();
  // The open tube is remembered on the phone.
  await page.getByTestId('station-tube-now').filter({ hasText: 'W-0001' }).waitFor();
  for (const p of people.slice(1)) await register(page, p);
  await page.getByTestId('station-waiting').filter({ hasText: '2 条待同步' }).waitFor();
  await assertFitsPhone(page, 'station offline over HTTPS');

  await page.context().setOffline(false);
  await page.getByTestId('station-waiting').filter({ hasText: '0 条待同步' }).waitFor({ timeout: 30000 });
  const state = await committee.get(`/api/v1/test-stations/${stationId}/state`);
  assert.equal(state.status, 200, state.text);
  assert.equal(state.json.counts.samples, 3);
  assert.equal(state.json.counts.conflicts, 0);
  assert.deepEqual(state.json.last.map((x) => x.name).sort(), people.map((p) => p.name).sort());
});
