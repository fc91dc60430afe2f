// Registration conflicts on a 360 px phone: two stations register the same person from
// their offline queues (the sync API, as a phone sends what waited), the round's page
// shows the count and links to the conflicts, the committee keeps the later registration,
// and the server then counts the person once, at the second station.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '../lib/server.mjs';
import { cstDay } from '../lib/db-query.mjs';

let committee, roundId, stA, stB, person;
const env = useServerAndBrowser({}, async ({ server }) => {
  committee = new Client(server.url);
  await committee.login('committee');
  const round = await committee.post('/api/v1/test-rounds', { name: '重复登记轮', on_day: cstDay(0),
    kind: 'pcr_pooled', pool_size: 10 });
  assert.equal(round.status, 201, round.text);
  roundId = round.json.id;
  const station = async (name) => {
    const r = await committee.post(`/api/v1/test-rounds/${roundId}/stations`, { name, opens_at: '07:00',
      closes_at: '11:00' });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  stA = await station('南门采样点');
  stB = await station('北门采样点');
  assert.equal((await committee.post(`/api/v1/test-rounds/${roundId}/open`)).status, 200);
  const cache = await committee.get(`/api/v1/test-stations/${stA}/people`);
  person = cache.json.people.find((p) => !p.sampled && !p.exempt);
  assert.ok(person, 'someone to register');
  const queued = (tube) => ({ items: [{ idem_key: randomUUID(), resident_id: person.resident_id, tube_code: tube,
    queued: true }] });
  const a = await committee.post(`/api/v1/test-stations/${stA}/sync`, queued('S-0001'));
  const b = await committee.post(`/api/v1/test-stations/${stB}/sync`, queued('N-0001'));
  assert.equal(a.json.results[0].status, 'counted', a.text);
  assert.equal(b.json.results[0].status, 'conflict', b.text);
});

test('a leader settles a registration conflict on the phone and the person counts once', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'committee');
  await page.goto(`${env.server.url}/testing/${roundId}`);
  const link = page.getByTestId('testing-conflicts-link');
  await link.filter({ hasText: '1' }).waitFor();
  await link.click();
  await page.getByTestId('station-conflicts-page').waitFor();
  const card = page.getByTestId('station-conflict').filter({ hasText: person.name });
  await card.getByTestId('station-conflict-counted').filter({ hasText: '南门采样点' }).waitFor();
  await card.getByTestId('station-conflict-this').filter({ hasText: 'N-0001' }).waitFor();
  await page.getByTestId('station-conflict-exports').waitFor();
  await assertFitsPhone(page, 'station conflicts');
  await card.getByTestId('station-keep-this').click();
  await page.getByTestId('station-conflicts-none').waitFor();

  // The later registration is the counted one now; the first tube counts one less.
  const open = await committee.get(`/api/v1/test-rounds/${roundId}/conflicts`);
  assert.equal(open.json.items.length, 0);
  const settled = await committee.get(`/api/v1/test-rounds/${roundId}/conflicts?settled=1`);
  assert.equal(settled.json.items.length, 1);
  const a = await committee.get(`/api/v1/test-stations/${stA}/state`);
  const b = await committee.get(`/api/v1/test-stations/${stB}/state`);
  assert.equal(a.json.counts.samples + b.json.counts.samples, 1);
  assert.equal(b.json.counts.samples, 1);
  const look = await committee.get(`/api/v1/test-stations/${stA}/lookup?q=${encodeURIComponent(person.name)}`);
  const me = look.json.items.find((x) => x.resident_id === person.resident_id);
  assert.equal(me.sampled, true);
  assert.equal(me.sampled_at.station, '北门采样点');

  // Back on the round's page the count is gone.
  await page.goto(`${env.server.url}/testing/${roundId}`);
  await page.getByTestId('testing-round-page').waitFor();
  await page.getByTestId('testing-stations').waitFor();
  assert.equal(await page.getByTestId('testing-conflicts-link').count(), 0);
});
