// Login, cookies, logout, CSRF, bearer tokens, localisation, throttling, profile and
// password changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_USERS, DEMO_PASSWORD } from '../lib/server.mjs';
import { assertError, loggedIn, withoutCsrf, listItems, stopServer } from '../lib/api-helpers.mjs';

let srv;

before(async () => {
  srv = await startServer();
});

after(async () => {
  await stopServer(srv);
});

const EXPECTED_ROLE = {
  admin: 'superuser', committee: 'committee', zone: 'zone_leader',
  block: 'block_leader', volunteer: 'volunteer', resident: 'resident',
};

function assertMeShape(json, username) {
  assert.ok(json && json.user, 'user object');
  assert.ok(Number.isInteger(json.user.id));
  assert.equal(json.user.username, username);
  assert.equal(typeof json.user.display_name, 'string');
  assert.ok(['zh-CN', 'en'].includes(json.user.language), `language ${json.user.language}`);
  assert.ok(Array.isArray(json.user.roles) && json.user.roles.length > 0, 'roles');
  for (const r of json.user.roles) {
    assert.equal(typeof r.role, 'string');
    assert.equal(typeof r.scope_kind, 'string');
  }
  assert.ok('community' in json, 'community key');
  assert.ok('csrf_token' in json, 'csrf_token key');
}

test('each demo user logs in and GET /me returns the same user', async () => {
  for (const u of DEMO_USERS) {
    const c = new Client(srv.url);
    const r = await c.login(u);
    assert.equal(r.status, 200);
    assertMeShape(r.json, u);
    assert.equal(typeof r.json.csrf_token, 'string');
    assert.ok(r.json.csrf_token.length >= 16, 'csrf token is long enough');
    assert.ok(r.json.user.roles.some((x) => x.role === EXPECTED_ROLE[u]),
      `${u} holds ${EXPECTED_ROLE[u]}: ${JSON.stringify(r.json.user.roles)}`);
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 200);
    assertMeShape(me.json, u);
    assert.equal(me.json.user.id, r.json.user.id);
    assert.equal(me.json.csrf_token, r.json.csrf_token);
    if (u !== 'admin') {
      assert.ok(me.json.community && Number.isInteger(me.json.community.id), `${u} has a community`);
      assert.equal(me.json.user.community_id, me.json.community.id);
      assert.equal(typeof me.json.community.name, 'string');
      assert.equal(typeof me.json.community.timezone, 'string');
    }
  }
});

test('the session cookie is HttpOnly, SameSite=Strict, Path=/ and not Secure on plain http', async () => {
  const r = await fetch(srv.url + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'committee', password: DEMO_PASSWORD }),
  });
  await r.arrayBuffer();
  assert.equal(r.status, 200);
  const cookies = r.headers.getSetCookie();
  const sc = cookies.find((c) => c.startsWith('sw_session='));
  assert.ok(sc, `sw_session cookie set: ${cookies}`);
  assert.match(sc, /^sw_session=[^;]{16,}/, 'non-trivial session value');
  const attrs = sc.split(';').slice(1).map((a) => a.trim().toLowerCase());
  assert.ok(attrs.includes('httponly'), sc);
  assert.ok(attrs.includes('samesite=strict'), sc);
  assert.ok(attrs.includes('path=/'), sc);
  assert.ok(!attrs.includes('secure'), sc);
});

test('wrong password and unknown user answer the same 401 body', async () => {
  const c = new Client(srv.url);
  const wrong = await c.post('/api/v1/session', { username: 'committee', password: 'not-the-password' });
  const unknown = await c.post('/api/v1/session', { username: 'nobody-here', password: 'not-the-password' });
  assertError(wrong, 401, 'unauthenticated');
  assertError(unknown, 401, 'unauthenticated');
  assert.equal(wrong.text, unknown.text);
  assert.equal(wrong.json.error.field, undefined, 'no field hint on a failed login');
  assert.equal(wrong.headers.get('set-cookie'), null, 'no cookie on a failed login');
});

test('login with a missing field answers 400 naming it', async () => {
  const c = new Client(srv.url);
  assertError(await c.post('/api/v1/session', { username: 'committee' }), 400, 'validation_failed', 'password');
  assertError(await c.post('/api/v1/session', { password: DEMO_PASSWORD }), 400, 'validation_failed', 'username');
});

test('GET /me without a cookie answers 401 unauthenticated', async () => {
  const c = new Client(srv.url);
  assertError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  assertError(await c.get('/api/v1/me', { Cookie: 'sw_session=forged-value-123456' }), 401, 'unauthenticated');
});

test('logout ends the session and the old cookie stops working', async () => {
  const c = await loggedIn(srv.url, 'volunteer');
  const cookie = c.cookie;
  assert.ok(cookie);
  assert.equal((await c.get('/api/v1/me')).status, 200);
  const out = await fetch(srv.url + '/api/v1/session', {
    method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': c.csrf },
  });
  const outJson = await out.json();
  assert.equal(out.status, 200);
  assert.deepEqual(outJson, { ok: true });
  const cleared = out.headers.getSetCookie().find((s) => s.startsWith('sw_session='));
  assert.ok(cleared, 'the cookie is cleared');
  assert.ok(/^sw_session=;/.test(cleared) || /max-age=0/i.test(cleared) || /expires=thu, 01 jan 1970/i.test(cleared),
    `cleared cookie: ${cleared}`);
  const after = await fetch(srv.url + '/api/v1/me', { headers: { Cookie: cookie, 'Accept-Language': 'en' } });
  const afterJson = await after.json();
  assert.equal(after.status, 401);
  assert.equal(afterJson.error.code, 'unauthenticated');
});

test('CSRF: PATCH /me with the cookie needs the right X-CSRF-Token', async () => {
  const c = await loggedIn(srv.url, 'committee');
  const noToken = await withoutCsrf(c, 'PATCH', '/api/v1/me', { language: 'en' });
  assertError(noToken, 403, 'csrf_failed');
  const wrong = await c.patch('/api/v1/me', { language: 'en' }, { 'X-CSRF-Token': 'x' + c.csrf.slice(1) + 'x' });
  assertError(wrong, 403, 'csrf_failed');
  const empty = await c.patch('/api/v1/me', { language: 'en' }, { 'X-CSRF-Token': '' });
  assertError(empty, 403, 'csrf_failed');
  const ok = await c.patch('/api/v1/me', { language: 'en' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.user.language, 'en');
});

test('CSRF: the token of one session does not work for another', async () => {
  const a = await loggedIn(srv.url, 'committee');
  const b = await loggedIn(srv.url, 'committee');
  assert.notEqual(a.csrf, b.csrf, 'each session has its own CSRF token');
  const r = await a.patch('/api/v1/me', { language: 'en' }, { 'X-CSRF-Token': b.csrf });
  assertError(r, 403, 'csrf_failed');
});

test('bearer tokens: create, use without CSRF, list without secret, revoke', async () => {
  const c = await loggedIn(srv.url, 'block');
  const created = await c.post('/api/v1/tokens', { name: 'x' });
  assert.equal(created.status, 201, created.text);
  assert.equal(typeof created.json.token, 'string');
  assert.ok(created.json.token.length >= 20, 'token long enough');
  assert.ok(Number.isInteger(created.json.id));
  const { token, id } = created.json;

  const api = new Client(srv.url);
  api.bearer = token;
  const me = await api.get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.user.username, 'block');
  const patched = await api.patch('/api/v1/me', { display_name: 'Block via token' });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.user.display_name, 'Block via token');

  const list = await c.get('/api/v1/tokens');
  const items = listItems(list, 'tokens');
  const mine = items.find((t) => t.id === id);
  assert.ok(mine, 'the new token is listed');
  assert.equal(mine.name, 'x');
  assert.ok(!list.text.includes(token), 'the secret is never listed');
  assert.ok(!('token' in mine), 'no token field in the listing');

  const other = await loggedIn(srv.url, 'volunteer');
  const otherList = listItems(await other.get('/api/v1/tokens'), 'tokens of another user');
  assert.ok(!otherList.some((t) => t.id === id), 'tokens are listed for their owner only');
  const stolen = await other.del(`/api/v1/tokens/${id}`);
  assert.equal(stolen.status, 404, `another user cannot revoke: ${stolen.status} ${stolen.text}`);
  assert.equal((await api.get('/api/v1/me')).status, 200, 'still valid after the failed revoke');

  const del = await c.del(`/api/v1/tokens/${id}`);
  assert.ok(del.status === 200 || del.status === 204, `revoke: ${del.status} ${del.text}`);
  assertError(await api.get('/api/v1/me'), 401, 'unauthenticated');
});

test('a malformed or unknown bearer token answers 401', async () => {
  const api = new Client(srv.url);
  api.bearer = 'not-a-real-token-0123456789abcdef';
  assertError(await api.get('/api/v1/me'), 401, 'unauthenticated');
});

test('Accept-Language picks the language of error messages', async () => {
  const zh = await new Client(srv.url, 'zh-CN').get('/api/v1/me');
  const en = await new Client(srv.url, 'en').get('/api/v1/me');
  assertError(zh, 401, 'unauthenticated');
  assertError(en, 401, 'unauthenticated');
  assert.notEqual(zh.json.error.message, en.json.error.message);
  assert.match(zh.json.error.message, /[\u4e00-\u9fff]/);
  assert.doesNotMatch(en.json.error.message, /[\u4e00-\u9fff]/);
  const zhv = await new Client(srv.url, 'zh-CN').post('/api/v1/session', { username: 'committee' });
  const env = await new Client(srv.url, 'en-US,en;q=0.9').post('/api/v1/session', { username: 'committee' });
  assertError(zhv, 400, 'validation_failed', 'password');
  assertError(env, 400, 'validation_failed', 'password');
  assert.notEqual(zhv.json.error.message, env.json.error.message);
});

test('PATCH /me validates language and display_name', async () => {
  const c = await loggedIn(srv.url, 'resident');
  assertError(await c.patch('/api/v1/me', { language: 'xx' }), 400, 'validation_failed', 'language');
  assertError(await c.patch('/api/v1/me', { display_name: 'a'.repeat(65) }), 400, 'validation_failed', 'display_name');
  assertError(await c.patch('/api/v1/me', { display_name: '' }), 400, 'validation_failed', 'display_name');
  assertError(await c.patch('/api/v1/me', { display_name: 42 }), 400, 'validation_failed', 'display_name');
  const before = (await c.get('/api/v1/me')).json.user;
  const mixed = await c.patch('/api/v1/me', { display_name: 'Kept?', language: 'xx' });
  assertError(mixed, 400, 'validation_failed', 'language');
  const after = (await c.get('/api/v1/me')).json.user;
  assert.equal(after.display_name, before.display_name, 'a rejected PATCH changes nothing');

  const name64 = '居'.repeat(64);
  const ok = await c.patch('/api/v1/me', { display_name: name64, language: 'en' });
  assert.equal(ok.status, 200, `64 characters are allowed: ${ok.text}`);
  assert.equal(ok.json.user.display_name, name64);
  assert.equal(ok.json.user.language, 'en');
  const me = await c.get('/api/v1/me');
  assert.equal(me.json.user.display_name, name64);
  assert.equal(me.json.user.language, 'en');
});

test('PATCH /me ignores or refuses fields it does not own', async () => {
  const c = await loggedIn(srv.url, 'volunteer');
  const before = (await c.get('/api/v1/me')).json.user;
  const r = await c.patch('/api/v1/me', { username: 'hijacked', community_id: 999, id: 1,
    roles: [{ role: 'committee', scope_kind: 'community', scope_id: 1 }] });
  // Fields that are not the caller's own are ignored (a profile form may send them back).
  assert.equal(r.status, 200, r.text);
  const after = (await c.get('/api/v1/me')).json.user;
  assert.equal(after.id, before.id);
  assert.equal(after.username, 'volunteer');
  assert.equal(after.community_id, before.community_id);
  assert.deepEqual(after.roles, before.roles);
  assertError(await c.get('/api/v1/users'), 403, 'forbidden');
});

test('POST /me/password: wrong old password, short new one, then a real change', async () => {
  const c = await loggedIn(srv.url, 'zone');
  assertError(await c.post('/api/v1/me/password', { old_password: 'wrong-old-pass', new_password: 'brand-new-pass-1' }),
    400, 'validation_failed', 'old_password');
  assertError(await c.post('/api/v1/me/password', { old_password: DEMO_PASSWORD, new_password: 'short' }),
    400, 'validation_failed', 'new_password');
  const ok = await c.post('/api/v1/me/password', { old_password: DEMO_PASSWORD, new_password: 'brand-new-pass-1' });
  assert.equal(ok.status, 200, ok.text);

  const fresh = new Client(srv.url);
  const good = await fresh.post('/api/v1/session', { username: 'zone', password: 'brand-new-pass-1' });
  assert.equal(good.status, 200, good.text);
  const old = await new Client(srv.url).post('/api/v1/session', { username: 'zone', password: DEMO_PASSWORD });
  assertError(old, 401, 'unauthenticated');
});

// Last: it locks the resident account for the rest of this server's life.
test('throttling: 5 failures lock the account with 429 and Retry-After, even for the right password', async () => {
  const c = new Client(srv.url);
  for (let i = 1; i <= 5; i++) {
    const r = await c.post('/api/v1/session', { username: 'resident', password: `wrong-${i}-password` });
    assertError(r, 401, 'unauthenticated');
  }
  const sixth = await c.post('/api/v1/session', { username: 'resident', password: 'wrong-6-password' });
  assertError(sixth, 429, 'throttled');
  const retry = sixth.headers.get('retry-after');
  assert.match(retry || '', /^\d+$/, `Retry-After is a number of seconds: ${retry}`);
  assert.ok(Number(retry) > 0 && Number(retry) <= 15 * 60, `Retry-After ${retry}`);

  const right = await c.post('/api/v1/session', { username: 'resident', password: DEMO_PASSWORD });
  assertError(right, 429, 'throttled');
  assert.ok(right.headers.get('retry-after'));
  assert.equal(right.headers.get('set-cookie'), null);

  const otherAccount = await new Client(srv.url).post('/api/v1/session', { username: 'block', password: DEMO_PASSWORD });
  assert.equal(otherAccount.status, 200, 'another account is not throttled');
});

test('throttling: 20 failures from one address lock every account from it', async () => {
  const own = await startServer();
  try {
    const c = new Client(own.url);
    for (let i = 1; i <= 20; i++) {
      const r = await c.post('/api/v1/session', { username: `nobody-${i}`, password: 'wrong-password' },
        { 'X-Forwarded-For': `198.51.100.${i}` });
      assertError(r, 401, 'unauthenticated');
    }
    // X-Forwarded-For from an untrusted peer changes nothing.
    const next = await c.post('/api/v1/session', { username: 'nobody-21', password: 'wrong-password' },
      { 'X-Forwarded-For': '203.0.113.77' });
    assertError(next, 429, 'throttled');
    assert.match(next.headers.get('retry-after') || '', /^\d+$/);
    const right = await c.post('/api/v1/session', { username: 'committee', password: DEMO_PASSWORD });
    assertError(right, 429, 'throttled');
    assert.equal(right.headers.get('set-cookie'), null);
  } finally {
    await stopServer(own);
  }
});

test('behind a trusted proxy: Secure cookie over https, throttling by the forwarded address', async () => {
  const own = await startServer({ env: { SHOUWANG_TRUSTED_PROXIES: '127.0.0.1' } });
  try {
    const login = (headers, username = 'committee', password = DEMO_PASSWORD) => fetch(own.url + '/api/v1/session', {
      method: 'POST', headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ username, password }),
    }).then(async (r) => ({ status: r.status, cookies: r.headers.getSetCookie(), text: await r.text() }));
    const https = await login({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '192.0.2.10' });
    assert.equal(https.status, 200, https.text);
    const sc = https.cookies.find((x) => x.startsWith('sw_session='));
    assert.ok(sc && sc.split(';').map((a) => a.trim().toLowerCase()).includes('secure'), `Secure over https: ${sc}`);
    const plain = await login({ 'X-Forwarded-Proto': 'http', 'X-Forwarded-For': '192.0.2.10' });
    const sc2 = plain.cookies.find((x) => x.startsWith('sw_session='));
    assert.ok(sc2 && !sc2.split(';').map((a) => a.trim().toLowerCase()).includes('secure'), `no Secure over http: ${sc2}`);

    for (let i = 1; i <= 20; i++) {
      const r = await login({ 'X-Forwarded-For': '192.0.2.66' }, `ghost-${i}`, 'wrong-password');
      assert.equal(r.status, 401, r.text);
    }
    assert.equal((await login({ 'X-Forwarded-For': '192.0.2.66' }, 'ghost-21', 'wrong-password')).status, 429);
    assert.equal((await login({ 'X-Forwarded-For': '192.0.2.66' })).status, 429, 'that address is locked');
    assert.equal((await login({ 'X-Forwarded-For': '192.0.2.67' })).status, 200, 'another address is not');
  } finally {
    await stopServer(own);
  }
});

test('throttling holds under concurrency: a burst of guesses gets at most 5 evaluated', async () => {
  const own = await startServer();
  try {
    const burst = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      new Client(own.url).post('/api/v1/session', { username: 'volunteer', password: `burst-wrong-${i}` })));
    const statuses = burst.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 401 || s === 429), `statuses ${statuses}`);
    const evaluated = statuses.filter((s) => s === 401).length;
    assert.ok(evaluated <= 5, `at most 5 guesses evaluated, got ${evaluated} (${statuses})`);
    const right = await new Client(own.url).post('/api/v1/session', { username: 'volunteer', password: DEMO_PASSWORD });
    assertError(right, 429, 'throttled');
  } finally {
    await stopServer(own);
  }
});
