// Idempotency-Key: replay, reuse with another request, per-user keys, concurrency.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, walkList, uniq, stopServer } from '../lib/api-helpers.mjs';

let srv;
let committee;

before(async () => {
  srv = await startServer();
  committee = await loggedIn(srv.url, 'committee');
});

after(async () => {
  await stopServer(srv);
});

// me.update audit entries written for one user.
async function meUpdates(userId) {
  const items = await walkList(committee, `/api/v1/audit?action=me.update&user_id=${userId}`);
  return items.filter((e) => e.action === 'me.update' && e.user_id === userId);
}

test('the same key and body replays the first answer and writes once', async () => {
  const c = await loggedIn(srv.url, 'committee');
  const uid = c.me.user.id;
  const before = (await meUpdates(uid)).length;
  const key = uniq('k-');
  const body = { display_name: 'Idem One' };
  const first = await c.patch('/api/v1/me', body, { 'Idempotency-Key': key });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.headers.get('idempotent-replayed'), null, 'the first answer is not a replay');
  assert.equal(first.json.user.display_name, 'Idem One');

  // A change in between must not show up in the replay.
  const between = await c.patch('/api/v1/me', { display_name: 'Changed Between' });
  assert.equal(between.status, 200);

  const second = await c.patch('/api/v1/me', body, { 'Idempotency-Key': key });
  assert.equal(second.status, first.status);
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(second.json, first.json);
  assert.equal((await c.get('/api/v1/me')).json.user.display_name, 'Changed Between',
    'the replay wrote nothing');

  const entries = await meUpdates(uid);
  assert.equal(entries.length - before, 2, 'one entry for the keyed write, one for the write in between');
});

test('a replay writes no audit entry', async () => {
  const c = await loggedIn(srv.url, 'committee');
  const uid = c.me.user.id;
  const key = uniq('k-');
  const body = { display_name: 'Idem Audit' };
  const before = (await meUpdates(uid)).length;
  for (let i = 0; i < 3; i++) {
    const r = await c.patch('/api/v1/me', body, { 'Idempotency-Key': key });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('idempotent-replayed'), i === 0 ? null : 'true');
  }
  assert.equal((await meUpdates(uid)).length - before, 1, 'exactly one audit entry');
});

test('the same key with a different body, method or path answers 422 idempotency_key_reused', async () => {
  const c = await loggedIn(srv.url, 'committee');
  const key = uniq('k-');
  const first = await c.patch('/api/v1/me', { display_name: 'Reuse A' }, { 'Idempotency-Key': key });
  assert.equal(first.status, 200, first.text);
  const otherBody = await c.patch('/api/v1/me', { display_name: 'Reuse B' }, { 'Idempotency-Key': key });
  assertError(otherBody, 422, 'idempotency_key_reused');
  const otherRoute = await c.post('/api/v1/tokens', { name: 'reuse' }, { 'Idempotency-Key': key });
  assertError(otherRoute, 422, 'idempotency_key_reused');
  assert.equal((await c.get('/api/v1/me')).json.user.display_name, 'Reuse A', 'nothing else was written');
  const tokens = await walkList(c, '/api/v1/tokens');
  assert.ok(!tokens.some((t) => t.name === 'reuse'), 'no token was created');
});

test('keys belong to one user: another user with the same key is independent', async () => {
  const a = await loggedIn(srv.url, 'committee');
  const b = await loggedIn(srv.url, 'volunteer');
  const key = uniq('shared-');
  const ra = await a.patch('/api/v1/me', { display_name: 'Shared A' }, { 'Idempotency-Key': key });
  assert.equal(ra.status, 200, ra.text);
  const rb = await b.patch('/api/v1/me', { display_name: 'Shared B' }, { 'Idempotency-Key': key });
  assert.equal(rb.status, 200, rb.text);
  assert.equal(rb.headers.get('idempotent-replayed'), null);
  assert.equal(rb.json.user.username, 'volunteer');
  assert.equal(rb.json.user.display_name, 'Shared B');
  // The same body from the other user is not a replay of the first either.
  const rb2 = await b.patch('/api/v1/me', { display_name: 'Shared A' }, { 'Idempotency-Key': uniq('k-') });
  assert.equal(rb2.status, 200);
  const rc = await b.patch('/api/v1/me', { display_name: 'Shared A' }, { 'Idempotency-Key': key });
  assertError(rc, 422, 'idempotency_key_reused');
  assert.equal((await a.get('/api/v1/me')).json.user.display_name, 'Shared A');
});

test('an Idempotency-Key over 128 characters or empty is refused with 400', async () => {
  const c = await loggedIn(srv.url, 'committee');
  assertError(await c.patch('/api/v1/me', { display_name: 'Empty Key' }, { 'Idempotency-Key': '' }),
    400, 'validation_failed');
  assertError(await c.patch('/api/v1/me', { display_name: 'Long Key' }, { 'Idempotency-Key': 'k'.repeat(129) }),
    400, 'validation_failed');
  const ok = await c.patch('/api/v1/me', { display_name: 'Max Key' }, { 'Idempotency-Key': 'k'.repeat(128) });
  assert.equal(ok.status, 200, `a 128-character key is allowed: ${ok.text}`);
});

test('a failed first request is not stored: the retry runs again', async () => {
  const c = await loggedIn(srv.url, 'committee');
  const key = uniq('k-');
  const bad = await c.patch('/api/v1/me', { language: 'xx' }, { 'Idempotency-Key': key });
  assertError(bad, 400, 'validation_failed', 'language');
  const again = await c.patch('/api/v1/me', { language: 'xx' }, { 'Idempotency-Key': key });
  assertError(again, 400, 'validation_failed', 'language');
  assert.equal(again.headers.get('idempotent-replayed'), null);
});

test('concurrent identical requests with one key never write twice', async () => {
  const c = await loggedIn(srv.url, 'committee');
  const uid = c.me.user.id;
  const rounds = 8;
  const before = (await meUpdates(uid)).length;
  for (let i = 0; i < rounds; i++) {
    const key = uniq('conc-');
    const body = { display_name: `Concurrent ${i}` };
    const answers = await Promise.all(
      [0, 1, 2].map(() => c.patch('/api/v1/me', body, { 'Idempotency-Key': key })));
    const fresh = answers.filter((r) => r.status === 200 && r.headers.get('idempotent-replayed') !== 'true');
    assert.equal(fresh.length, 1, `exactly one real write: ${answers.map((r) => r.status)}`);
    for (const r of answers) {
      if (r === fresh[0]) continue;
      if (r.status === 409) assertError(r, 409, 'idempotency_in_progress');
      else {
        assert.equal(r.status, 200, r.text);
        assert.equal(r.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(r.json, fresh[0].json);
      }
    }
  }
  assert.equal((await meUpdates(uid)).length - before, rounds, 'one audit entry per key');
});
