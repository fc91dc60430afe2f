// The session cache (src/http/auth.c): who a cookie or token belongs to is kept in
// memory after the first request, and every change that matters is honoured — at once
// when this server made it, within one second when another process on the same
// database did (docs/ARCHITECTURE.md, "Session cache").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, loggedIn, createUser, uniq, stopServer, sleep } from '../lib/api-helpers.mjs';

let a, b;          // two servers on one database
let committee;

before(async () => {
  a = await startServer();
  b = await startServer({ db: a.db });
  committee = await loggedIn(a.url, 'committee');
});

after(async () => {
  await stopServer(b, { keepDb: true });
  await stopServer(a);
});

// Warms the cache: the same session asks a few times.
async function warm(client) {
  for (let i = 0; i < 3; i++) assert.equal((await client.get('/api/v1/me')).status, 200);
}

// The same session, spoken to another server.
function sameSessionOn(server, client) {
  const other = new Client(server.url);
  other.cookie = client.cookie;
  other.csrf = client.csrf;
  return other;
}

// Polls until `check` holds; answers how many ms that took (or fails after 3 s).
async function within(check, what) {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    assert.ok(Date.now() - start < 3000, `${what}: still not honoured after 3 s`);
    await sleep(50);
  }
}

test('a changed display name shows at once on the server that made the change', async () => {
  const u = await createUser(committee, { username: uniq('cache-') });
  const me = await loggedIn(a.url, u.username, u.password);
  await warm(me);
  const name = '新名字' + uniq('');
  assert.equal((await me.patch('/api/v1/me', { display_name: name })).status, 200);
  assert.equal((await me.get('/api/v1/me')).json.user.display_name, name);
});

test('a logout is refused at once here, and within a second on the other server', async () => {
  const u = await createUser(committee, { username: uniq('cache-') });
  const me = await loggedIn(a.url, u.username, u.password);
  await warm(me);
  const onB = sameSessionOn(b, me);
  await warm(onB);
  const copy = me.cookie;
  assert.equal((await me.del('/api/v1/session')).status < 300, true);
  const stale = new Client(a.url);
  stale.cookie = copy;
  assertError(await stale.get('/api/v1/me'), 401, 'unauthenticated');
  const ms = await within(async () => (await onB.get('/api/v1/me')).status === 401, 'logout on the other server');
  assert.ok(ms < 1600, `the other server refused the session after ${ms} ms`);
});

test('a password changed on one server ends the other sessions on both within a second', async () => {
  const u = await createUser(committee, { username: uniq('cache-') });
  const onA = await loggedIn(a.url, u.username, u.password);
  const onB = await loggedIn(b.url, u.username, u.password);
  await warm(onA);
  await warm(onB);
  const changed = await onB.post('/api/v1/me/password', { old_password: u.password, new_password: 'changed-pass-456' });
  assert.equal(changed.status, 200, changed.text);
  const ms = await within(async () => (await onA.get('/api/v1/me')).status === 401, 'password change');
  assert.ok(ms < 1600, `the session on the first server was refused after ${ms} ms`);
  const again = await loggedIn(a.url, u.username, 'changed-pass-456');
  assert.equal((await again.get('/api/v1/me')).status, 200, 'the new password works');
});

test('a revoked token is refused at once, and within a second on the other server', async () => {
  const u = await createUser(committee, { username: uniq('cache-') });
  const owner = await loggedIn(a.url, u.username, u.password);
  const made = await owner.post('/api/v1/tokens', { name: 'cache' });
  assert.equal(made.status, 201, made.text);
  const onA = new Client(a.url);
  onA.bearer = made.json.token;
  const onB = new Client(b.url);
  onB.bearer = made.json.token;
  await warm(onA);
  await warm(onB);
  assert.ok((await owner.del(`/api/v1/tokens/${made.json.id}`)).status < 300);
  assertError(await onA.get('/api/v1/me'), 401, 'unauthenticated');
  const ms = await within(async () => (await onB.get('/api/v1/me')).status === 401, 'token revocation');
  assert.ok(ms < 1600, `the other server refused the token after ${ms} ms`);
});

test('the cache is per session: another user is never answered from it', async () => {
  const u1 = await createUser(committee, { username: uniq('cache-') });
  const u2 = await createUser(committee, { username: uniq('cache-') });
  const c1 = await loggedIn(a.url, u1.username, u1.password);
  const c2 = await loggedIn(a.url, u2.username, u2.password);
  await warm(c1);
  await warm(c2);
  assert.equal((await c1.get('/api/v1/me')).json.user.username, u1.username);
  assert.equal((await c2.get('/api/v1/me')).json.user.username, u2.username);
  const forged = new Client(a.url);
  forged.cookie = c1.cookie.slice(0, -2) + (c1.cookie.endsWith('AA') ? 'BB' : 'AA');
  assertError(await forged.get('/api/v1/me'), 401, 'unauthenticated');
});
