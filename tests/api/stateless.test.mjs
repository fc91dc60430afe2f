// Two `shouwang serve` processes on one database, as a district runs them behind a
// balancer: what one process starts, the other honours. An Idempotency-Key retried on
// the other process writes once; failed logins count on both; deliveries to a chat
// group and scheduled bulletins go out once although both processes run the outbox and
// the timers; a write on one is read on the other at once; a background job started on
// one is followed and fetched on the other. (Sessions revoked on one
// process and refused on the other: session-cache.test.mjs; escalations fired once:
// help.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { startServer, Client } from '../lib/server.mjs';
import { jobOf, loggedIn, listItems, sleep, stopServer, waitJob } from '../lib/api-helpers.mjs';

const ENV = { SHOUWANG_OUTBOX_BACKOFF_MS: '200', SHOUWANG_OUTBOX_MAX_ATTEMPTS: '4' };
let a, b, rx;
const hits = [];

async function until(fn, ms = 20000) {
  for (const end = Date.now() + ms; ; await sleep(200)) {
    const v = await fn();
    if (v || Date.now() > end) return v;
  }
}

before(async () => {
  rx = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(req.headers['x-shouwang-event-id']);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"errcode":0}');
    });
  });
  await new Promise((ok) => rx.listen(0, '127.0.0.1', ok));
  a = await startServer({ env: ENV });
  b = await startServer({ db: a.db, env: ENV });
});
after(async () => {
  await stopServer(b, { keepDb: true });
  await stopServer(a);
  rx.close();
});

test('a write retried on the other process with the same Idempotency-Key is done once', async () => {
  const onA = await loggedIn(a.url, 'committee');
  const onB = new Client(b.url);
  onB.cookie = onA.cookie;
  onB.csrf = onA.csrf;
  const resident = listItems(await onA.get('/api/v1/residents?limit=1'))[0];
  const key = randomUUID();
  const body = { place: `stateless-${key}`, from_date: '2026-11-02' };
  const first = await onA.post(`/api/v1/residents/${resident.id}/travel`, body, { 'Idempotency-Key': key });
  assert.equal(first.status, 201, first.text);
  const again = await onB.post(`/api/v1/residents/${resident.id}/travel`, body, { 'Idempotency-Key': key });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.travel.id, first.json.travel.id, 'the first answer, replayed');
  const list = listItems(await onB.get(`/api/v1/residents/${resident.id}/travel?limit=100`));
  assert.equal(list.filter((t) => t.place === body.place).length, 1, 'one row, read on the other process');
});

test('failed logins are counted across both processes', async () => {
  let refused = 0;
  for (let i = 0; i < 30 && !refused; i++) {
    const srv = i % 2 ? b : a;
    const r = await new Client(srv.url).req('POST', '/api/v1/session', { username: 'zone', password: `wrong-${i}` });
    if (r.status === 429) refused = i + 1;
    else assert.equal(r.status, 401, r.text);
  }
  assert.ok(refused > 0, 'throttled at last');
  // The limit is the account's, not each process's: it is reached no later than it
  // would be on one process alone.
  const one = await startServer({ db: a.db, env: ENV });
  try {
    const r = await new Client(one.url).req('POST', '/api/v1/session', { username: 'zone', password: 'shouwang-demo' });
    assert.equal(r.status, 429, `a third process refuses too: ${r.status}`);
  } finally {
    await stopServer(one, { keepDb: true });
  }
});

test('a bulletin published, and one scheduled, reach the chat group once with two processes running the outbox',
  async () => {
    const committee = await loggedIn(a.url, 'committee');
    const ch = await committee.post('/api/v1/channels', { name: '两台服务器', kind: 'webhook',
      url: `http://127.0.0.1:${rx.address().port}/both`, events: ['bulletin.published'] });
    assert.equal(ch.status, 201, ch.text);
    const keys = [];
    for (let i = 0; i < 5; i++) {
      const r = await committee.post('/api/v1/bulletins', { kind: 'notice',
        texts: { 'zh-CN': { title: `两台服务器 ${i}`, body: '请留意。' } } });
      assert.equal(r.status, 201, r.text);
      keys.push(`bulletin:${r.json.bulletin.id}:v1`);
    }
    const at = new Date(Date.now() + 2000).toISOString().replace(/\.\d+Z$/, 'Z');
    const later = await committee.post('/api/v1/bulletins', { kind: 'notice', publish_at: at,
      texts: { 'zh-CN': { title: '定时发布', body: '两台服务器都在等这个时间。' } } });
    assert.equal(later.status, 201, later.text);
    keys.push(`bulletin:${later.json.bulletin.id}:v1`);
    assert.ok(await until(() => keys.every((k) => hits.includes(k))), `delivered: ${JSON.stringify(hits)}`);
    await sleep(2500);   // nothing more comes
    for (const k of keys) assert.equal(hits.filter((h) => h === k).length, 1, `${k} once: ${JSON.stringify(hits)}`);
  });

test('an export started on one process is followed and downloaded on the other', async () => {
  const onA = await loggedIn(a.url, 'committee');
  const onB = new Client(b.url);
  onB.cookie = onA.cookie;
  onB.csrf = onA.csrf;
  const job = jobOf(await onA.post('/api/v1/users/export', { format: 'csv' }));
  const { job: done } = await waitJob(onB, job.id);
  assert.equal(done.state, 'done', JSON.stringify(done));
  const file = await onB.get(`/api/v1/jobs/${job.id}/result`);
  assert.equal(file.status, 200);
  assert.match(file.text, /committee/);
});
