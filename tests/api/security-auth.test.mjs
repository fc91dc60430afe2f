// Security of accounts and the HTTP layer (issue 15, points 3, 5, 6, 8, 9, 11-14, 17):
// tokens that end with the password and expire, no secret kept for replay, refused
// public requests counted per address, a lockout that slows the attacker and not the
// owner, the query in the idempotency hash, same-origin JSON for public writes, strict
// query parameters, an escaped and redacted access log, JSON answers with the security
// headers for oversized heads, the CSP on HTML, the job retention, short idle limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, Client, DEMO_PASSWORD } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, uniq, rawRequest, jobOf, waitJob, getBytes, stopServer, sleep }
  from '../lib/api-helpers.mjs';
import { dbRows, dbInt } from '../lib/db-query.mjs';

let srv;
const c = {};
let block1;
let households1;

// The server trusts 127.0.0.1 as a proxy, so each test speaks from addresses of its own.
const from = (addr, extra = {}) => ({ 'X-Forwarded-For': addr, ...extra });

function scopeOf(client, role) {
  return client.me.user.roles.find((r) => r.role === role).scope_id;
}

function sqlOnDb(server, sql) {
  const [flag, target] = server.db.args;
  if (flag === '--pg') execFileSync('psql', [target, '-qc', sql]);
  else execFileSync('sqlite3', ['-cmd', '.timeout 5000', target, sql]);
}

// A login by raw fetch: status, the cookies set, the JSON answer.
async function rawLogin(url, username, password, headers = {}) {
  const r = await fetch(url + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
  const text = await r.text();
  const cookies = r.headers.getSetCookie();
  const cookie = (name) => {
    const sc = cookies.find((x) => x.startsWith(`${name}=`));
    return sc ? sc.split(';')[0] : null;
  };
  return { status: r.status, text, cookies, cookie, headers: r.headers };
}

// A resident account made with an invite code of block 1 (for the reset-code tests).
const usedHouseholds = [];
async function joinedResident() {
  // issuing is a POST (docs/SECURITY.md, printed codes); its answer is the sheet
  const html = (await c.block.post(`/api/v1/blocks/${block1}/door-plates`, {})).text;
  const re = /<section class="card [a-z]+" data-household-id="(\d+)">([\s\S]*?)<\/section>/g;
  for (const m of html.matchAll(re)) {
    const id = Number(m[1]);
    const code = (m[2].match(/data-invite-code>([0-9A-Z-]+)</) || [])[1];
    const h = households1.find((x) => x.id === id);
    if (!code || !h || !h.members.length || usedHouseholds.includes(id)) continue;
    usedHouseholds.push(id);
    const username = uniq('sec-');
    const person = h.members[0];
    const r = await new Client(srv.url).post('/api/v1/join', { code, username, password: 'first-pass-1', resident_id: person.id },
      from('192.0.2.200'));
    assert.equal(r.status, 201, r.text);
    return { username, password: 'first-pass-1', resident: person };
  }
  throw new Error('no household with an invite code left');
}

before(async () => {
  srv = await startServer({ env: { SHOUWANG_TRUSTED_PROXIES: '127.0.0.1' } });
  for (const u of ['committee', 'block', 'volunteer']) c[u] = await loggedIn(srv.url, u);
  block1 = scopeOf(c.block, 'block_leader');
  households1 = await walkList(c.committee, `/api/v1/blocks/${block1}/households`);
});

after(async () => {
  await stopServer(srv);
});

// ---------------------------------------------------------------- point 3: tokens

test('tokens: 90 days unless asked, at most a year; the last use is recorded and listed', async () => {
  const made = await c.volunteer.post('/api/v1/tokens', { name: 'default' });
  assert.equal(made.status, 201, made.text);
  const days = (Date.parse(made.json.expires_at) - Date.now()) / 86400e3;
  assert.ok(days > 89.9 && days < 90.1, `default expiry ${days} days`);
  const short = await c.volunteer.post('/api/v1/tokens', { name: 'short', expires_in_days: 7 });
  assert.equal(short.status, 201, short.text);
  assertError(await c.volunteer.post('/api/v1/tokens', { name: 'long', expires_in_days: 366 }), 400, 'validation_failed', 'expires_in_days');
  assertError(await c.volunteer.post('/api/v1/tokens', { name: 'none', expires_in_days: 0 }), 400, 'validation_failed', 'expires_in_days');

  let items = listItems(await c.volunteer.get('/api/v1/tokens'));
  const listed = items.find((t) => t.id === made.json.id);
  assert.ok(listed, 'the token is listed');
  assert.equal(listed.last_used_at, null, 'not used yet');
  assert.equal(listed.expires_at, made.json.expires_at);
  assert.equal(listed.token, undefined, 'the list never shows the secret');

  const bearer = new Client(srv.url);
  bearer.bearer = made.json.token;
  assert.equal((await bearer.get('/api/v1/me')).status, 200);
  let used = null;
  for (let i = 0; i < 50 && !used; i++) {
    await sleep(100);
    items = listItems(await c.volunteer.get('/api/v1/tokens'));
    used = items.find((t) => t.id === made.json.id).last_used_at;
  }
  assert.ok(used && Math.abs(Date.parse(used) - Date.now()) < 60e3, `last use recorded: ${used}`);
});

test('tokens: an expired token is refused and no longer listed', async () => {
  const made = await c.volunteer.post('/api/v1/tokens', { name: uniq('exp-') });
  const bearer = new Client(srv.url);
  bearer.bearer = made.json.token;
  assert.equal((await bearer.get('/api/v1/me')).status, 200);
  // Changed by another process, as another server on the same database would change it:
  // the row and the watched epoch in one transaction. The session cache honours it
  // within its stated bound of one second.
  const changedAt = Date.now();
  sqlOnDb(srv, `BEGIN; UPDATE api_tokens SET expires_at = created_at - 1 WHERE id = ${made.json.id}; ` +
    "UPDATE store_epochs SET n = n + 1 WHERE name = 'watched'; COMMIT;");
  let r = await bearer.get('/api/v1/me');
  while (r.status === 200 && Date.now() - changedAt < 3000) {
    await new Promise((ok) => setTimeout(ok, 100));
    r = await bearer.get('/api/v1/me');
  }
  assertError(r, 401, 'unauthenticated');
  assert.ok(Date.now() - changedAt < 1600, `refused ${Date.now() - changedAt} ms after the change`);
  assert.ok(!listItems(await c.volunteer.get('/api/v1/tokens')).some((t) => t.id === made.json.id));
});

test('tokens: a password change revokes them, says how many, and they cannot mint new ones', async () => {
  const u = { username: uniq('tok-'), password: 'token-owner-1' };
  const made = await c.committee.post('/api/v1/users', { ...u, display_name: 'Token Owner', roles: [{ role: 'volunteer' }] });
  assert.equal(made.status, 201, made.text);
  const owner = await loggedIn(srv.url, u.username, u.password);
  const t1 = await owner.post('/api/v1/tokens', { name: 'one' });
  const t2 = await owner.post('/api/v1/tokens', { name: 'two' });
  const bearer = new Client(srv.url);
  bearer.bearer = t1.json.token;
  assert.equal((await bearer.get('/api/v1/me')).status, 200);
  const other = await c.volunteer.post('/api/v1/tokens', { name: 'someone else' });

  const changed = await owner.post('/api/v1/me/password', { old_password: u.password, new_password: 'token-owner-2' });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.json.tokens_revoked, 2, 'both tokens of the account, and only those');
  assertError(await bearer.get('/api/v1/me'), 401, 'unauthenticated');
  assertError(await bearer.post('/api/v1/tokens', { name: 'minted' }), 401, 'unauthenticated');
  const b2 = new Client(srv.url);
  b2.bearer = t2.json.token;
  assertError(await b2.get('/api/v1/me'), 401, 'unauthenticated');
  const b3 = new Client(srv.url);
  b3.bearer = other.json.token;
  assert.equal((await b3.get('/api/v1/me')).status, 200, "another account's token still works");
  const entry = (await walkList(c.committee, '/api/v1/audit?action=me.password')).at(-1);
  assert.equal(entry.detail.tokens_revoked, 2);
});

test('tokens: a reset with a code ends them too', async () => {
  const r = await joinedResident();
  const owner = await loggedIn(srv.url, r.username, r.password);
  const t = await owner.post('/api/v1/tokens', { name: 'resident tool' });
  assert.equal(t.status, 201, t.text);
  const bearer = new Client(srv.url);
  bearer.bearer = t.json.token;
  assert.equal((await bearer.get('/api/v1/me')).status, 200);
  const issued = await c.block.post(`/api/v1/residents/${r.resident.id}/reset-code`, {});
  assert.equal(issued.status, 201, issued.text);
  const reset = await new Client(srv.url).post('/api/v1/password-reset',
    { username: r.username, code: issued.json.code, new_password: 'second-pass-1' }, from('192.0.2.201'));
  assert.equal(reset.status, 200, reset.text);
  assert.equal(reset.json.tokens_revoked, 1, 'the answer says how many tokens ended, once');
  assertError(await bearer.get('/api/v1/me'), 401, 'unauthenticated');
  const again = await loggedIn(srv.url, r.username, 'second-pass-1');
  assert.equal(listItems(await again.get('/api/v1/tokens')).length, 0, 'no working token is listed');
});

// ---------------------------------------------------------------- point 5: replays

test('replay: POST /tokens with a key answers 409 already done with the id; the token is not kept', async () => {
  const key = uniq('idem-');
  const first = await c.volunteer.post('/api/v1/tokens', { name: 'replayed' }, { 'Idempotency-Key': key });
  assert.equal(first.status, 201, first.text);
  const before = listItems(await c.volunteer.get('/api/v1/tokens?limit=500')).length;
  const second = await c.volunteer.post('/api/v1/tokens', { name: 'replayed' }, { 'Idempotency-Key': key });
  assertError(second, 409, 'idempotency_already_done');
  assert.equal(second.json.id, first.json.id, 'the answer names what was made');
  assert.ok(!second.text.includes(first.json.token), 'the token is not shown again');
  assert.equal(listItems(await c.volunteer.get('/api/v1/tokens?limit=500')).length, before, 'no second token');
  const kept = dbRows(srv.db, 'SELECT response FROM idempotency_keys').map((r) => r[0]).join('\n');
  assert.ok(!kept.includes(first.json.token), 'the token is not in idempotency_keys');
});

test('replay: scan codes and reset codes are not kept for replay either', async () => {
  const h = households1[0];
  const key = uniq('scan-');
  const first = await c.block.post(`/api/v1/households/${h.id}/scan-code`, {}, { 'Idempotency-Key': key });
  assert.equal(first.status, 201, first.text.slice(0, 200));
  const second = await c.block.post(`/api/v1/households/${h.id}/scan-code`, {}, { 'Idempotency-Key': key });
  assertError(second, 409, 'idempotency_already_done');
  assert.ok(!/SW1:/.test(second.text), 'no scan payload in the replay');

  const r = await joinedResident();
  const rkey = uniq('reset-');
  const issued = await c.block.post(`/api/v1/residents/${r.resident.id}/reset-code`, {}, { 'Idempotency-Key': rkey });
  assert.equal(issued.status, 201, issued.text);
  const again = await c.block.post(`/api/v1/residents/${r.resident.id}/reset-code`, {}, { 'Idempotency-Key': rkey });
  assertError(again, 409, 'idempotency_already_done');
  assert.ok(!again.text.includes(issued.json.code), 'the reset code is not shown again');
  const kept = dbRows(srv.db, 'SELECT response FROM idempotency_keys').map((x) => x[0]).join('\n');
  assert.ok(!kept.includes('SW1:') && !kept.includes(issued.json.code), 'no code rests in idempotency_keys');
});

// ---------------------------------------------------------------- point 6: probes and lockout

test('sign-up and join: refused attempts from one address are throttled, and names are not checked past it', async () => {
  const probe = (username, addr) => new Client(srv.url).post('/api/v1/signup',
    { username, name: '张三', phone: '13800138000', claimed_address: '1-101' }, from(addr));
  let throttledAt = 0;
  for (let i = 1; i <= 30 && !throttledAt; i++) {
    const r = await probe(i % 2 ? 'committee' : uniq('free-'), '198.51.100.10');
    if (r.status === 429) throttledAt = i;
    else assert.ok([400, 409].includes(r.status), `${r.status} ${r.text}`);
  }
  assert.ok(throttledAt > 0 && throttledAt <= 21, `sign-up probes throttled at ${throttledAt}`);
  const taken = await probe('committee', '198.51.100.10');
  assertError(taken, 429, 'throttled');
  assert.match(taken.headers.get('retry-after') || '', /^\d+$/);
  assert.equal((await probe('committee', '198.51.100.11')).status, 409, 'another address is not throttled');
  assert.equal((await rawLogin(srv.url, 'volunteer', DEMO_PASSWORD, from('198.51.100.10'))).status, 200,
    'login keeps its own counters');

  const join = (username, addr) => new Client(srv.url).post('/api/v1/join',
    { code: 'ZZZZZ-ZZZZZ', username, resident_id: 1 }, from(addr));
  throttledAt = 0;
  for (let i = 1; i <= 30 && !throttledAt; i++) {
    const r = await join(i % 2 ? 'committee' : uniq('free-'), '198.51.100.20');
    if (r.status === 429) throttledAt = i;
    else assert.ok([400, 404, 409].includes(r.status), `${r.status} ${r.text}`);
  }
  assert.ok(throttledAt > 0 && throttledAt <= 21, `join probes throttled at ${throttledAt}`);
  assertError(await join('committee', '198.51.100.20'), 429, 'throttled');
});

test('lockout: wrong passwords from one address lock that address, not the owner elsewhere', async () => {
  for (let i = 1; i <= 5; i++) {
    const r = await rawLogin(srv.url, 'committee', `wrong-${i}-password`, from('203.0.113.5'));
    assert.equal(r.status, 401, r.text);
  }
  const sixth = await rawLogin(srv.url, 'committee', 'wrong-6-password', from('203.0.113.5'));
  assert.equal(sixth.status, 429);
  assert.equal((await rawLogin(srv.url, 'committee', DEMO_PASSWORD, from('203.0.113.5'))).status, 429,
    'the guessing address stays locked even with the right password');
  const owner = await rawLogin(srv.url, 'committee', DEMO_PASSWORD, from('203.0.113.6'));
  assert.equal(owner.status, 200, `the owner at another address logs in: ${owner.text}`);
  const dev = owner.cookies.find((x) => x.startsWith('sw_device='));
  assert.ok(dev && /HttpOnly/i.test(dev) && /Path=\/api\/v1\/session/.test(dev), `device cookie: ${dev}`);
});

test('lockout: an account-wide lock passes a known device, and a right password there or a reset code lifts it', async () => {
  const r = await joinedResident();
  const first = await rawLogin(srv.url, r.username, r.password, from('203.0.113.30'));
  assert.equal(first.status, 200, first.text);
  const device = first.cookie('sw_device');
  assert.ok(device, 'a device cookie');
  // A spread-out attack: 4 guesses from each of 13 addresses (52 in all).
  let locked = false;
  for (let a = 0; a < 13 && !locked; a++) {
    for (let i = 0; i < 4 && !locked; i++) {
      const g = await rawLogin(srv.url, r.username, `guess-${a}-${i}-pw`, from(`198.18.0.${a + 1}`));
      if (g.status === 429) locked = true;
      else assert.equal(g.status, 401, g.text);
    }
  }
  assert.ok(locked, 'the account-wide lock engaged');
  assert.equal((await rawLogin(srv.url, r.username, r.password, from('203.0.113.31'))).status, 429,
    'a new device at a new address waits');
  const known = await rawLogin(srv.url, r.username, r.password, from('203.0.113.32', { Cookie: device }));
  assert.equal(known.status, 200, `the known device passes: ${known.text}`);
  assert.equal((await rawLogin(srv.url, r.username, r.password, from('203.0.113.33'))).status, 200,
    'the right password from the known device lifted the lock');

  // Locked again; this time a reset code lifts it.
  locked = false;
  for (let a = 0; a < 13 && !locked; a++) {
    for (let i = 0; i < 4 && !locked; i++) {
      const g = await rawLogin(srv.url, r.username, `again-${a}-${i}-pw`, from(`198.18.1.${a + 1}`));
      if (g.status === 429) locked = true;
    }
  }
  assert.ok(locked, 'locked again');
  const issued = await c.block.post(`/api/v1/residents/${r.resident.id}/reset-code`, {});
  assert.equal(issued.status, 201, issued.text);
  const reset = await new Client(srv.url).post('/api/v1/password-reset',
    { username: r.username, code: issued.json.code, new_password: 'after-reset-1' }, from('203.0.113.34'));
  assert.equal(reset.status, 200, reset.text);
  assert.equal((await rawLogin(srv.url, r.username, 'after-reset-1', from('203.0.113.35'))).status, 200,
    'the reset code lifted the lock');
});

// ---------------------------------------------------------------- point 8: idempotency and the query

test('idempotency: the same key with another query string answers 422', async () => {
  const key = uniq('q-');
  const first = await c.volunteer.patch('/api/v1/me?dry_run=1', { language: 'en' }, { 'Idempotency-Key': key });
  assert.equal(first.status, 200, first.text);
  const same = await c.volunteer.patch('/api/v1/me?dry_run=1', { language: 'en' }, { 'Idempotency-Key': key });
  assert.equal(same.status, 200);
  assert.equal(same.headers.get('idempotent-replayed'), 'true');
  const other = await c.volunteer.patch('/api/v1/me', { language: 'en' }, { 'Idempotency-Key': key });
  assertError(other, 422, 'idempotency_key_reused');
});

// ---------------------------------------------------------------- point 9: content type and origin

test('public writes take only JSON, and only from this server\'s own origin', async () => {
  const body = JSON.stringify({ username: 'committee', password: DEMO_PASSWORD });
  const post = (path, headers, b = body) => fetch(srv.url + path, { method: 'POST', headers: { ...from('192.0.2.90'), ...headers }, body: b })
    .then(async (r) => ({ status: r.status, json: JSON.parse(await r.text() || 'null'), headers: r.headers }));
  for (const path of ['/api/v1/session', '/api/v1/signup', '/api/v1/join', '/api/v1/password-reset']) {
    assertError(await post(path, { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type', 'Content-Type');
    assertError(await post(path, { 'Content-Type': 'application/x-www-form-urlencoded' }, 'username=committee'),
      415, 'unsupported_media_type', 'Content-Type');
    assertError(await post(path, { 'Content-Type': 'application/json', Origin: 'https://evil.example' }),
      403, 'origin_mismatch', 'Origin');
    assertError(await post(path, { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'cross-site' }),
      403, 'origin_mismatch', 'Origin');
  }
  const host = new URL(srv.url).host;
  assert.equal((await post('/api/v1/session', { 'Content-Type': 'application/json', Origin: `http://${host}` })).status, 200);
  assert.equal((await post('/api/v1/session', { 'Content-Type': 'application/json; charset=utf-8', 'Sec-Fetch-Site': 'same-origin' })).status, 200);
  assert.equal((await post('/api/v1/session', { 'Content-Type': 'application/json' })).status, 200, 'a client without Origin');
});

test('behind a proxy the configured public URL is an accepted origin', async () => {
  const own = await startServer({ env: { SHOUWANG_TRUSTED_PROXIES: '127.0.0.1', SHOUWANG_PUBLIC_URL: 'https://sw.example.org/' } });
  try {
    const login = (origin) => fetch(own.url + '/api/v1/session', {
      method: 'POST', body: JSON.stringify({ username: 'committee', password: DEMO_PASSWORD }),
      headers: { 'Content-Type': 'application/json', Origin: origin, 'X-Forwarded-Proto': 'https', Host: 'internal:8080' },
    }).then(async (r) => ({ status: r.status, json: JSON.parse(await r.text()) }));
    assert.equal((await login('https://sw.example.org')).status, 200);
    assertError(await login('https://sw.example.org.evil.example'), 403, 'origin_mismatch');
    assertError(await login('http://sw.example.org'), 403, 'origin_mismatch');
  } finally {
    await stopServer(own);
  }
});

// ---------------------------------------------------------------- point 11: query parameters

test('more than 64 query parameters answer 400, 64 are fine', async () => {
  const params = (n) => Array.from({ length: n }, (_, i) => `p${i}=${i}`).join('&');
  const ok = await c.committee.get(`/api/v1/users?${params(63)}&limit=2`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.items.length, 2, 'the 64th parameter (limit) is applied');
  assertError(await c.committee.get(`/api/v1/users?${params(64)}&role=committee`), 400, 'validation_failed', 'query');
});

// ---------------------------------------------------------------- point 12: access log

test('the access log escapes control characters and redacts invite codes and tokens', async () => {
  const own = await startServer({ env: { SHOUWANG_QUIET: '0' } });
  try {
    await fetch(own.url + '/api/v1/health%0A2026-01-01%20INFO%20forged').then((r) => r.text());
    await fetch(own.url + '/api/v1/join/ABCDE-FGHJK').then((r) => r.text());
    await fetch(own.url + '/join/ABCDE-FGHJK').then((r) => r.text());
    await fetch(own.url + '/api/v1/tokens/' + 'A'.repeat(43)).then((r) => r.text());
    await sleep(300);
    const log = own.stderr();
    assert.ok(!/\nforged|^2026-01-01 INFO forged/m.test(log.replace(/\\x0a2026/g, '')), 'no forged line');
    assert.match(log, /health\\x0a2026-01-01 INFO forged/, `escaped newline in: ${log.slice(-800)}`);
    assert.ok(!log.includes('ABCDE-FGHJK'), 'the invite code is not logged');
    assert.match(log, /\/api\/v1\/join\/\[code\]/);
    assert.match(log, /GET \/join\/\[code\]/);
    assert.ok(!log.includes('A'.repeat(43)), 'a token-like segment is not logged');
  } finally {
    await stopServer(own);
  }
});

// ---------------------------------------------------------------- point 13: oversized heads

test('an oversized head answers JSON with the security headers (431, 414)', async () => {
  const big = await rawRequest(srv.port,
    `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sw_session=${'c'.repeat(12 * 1024)}\r\nConnection: close`);
  assertError(big, 431, 'headers_too_large');
  assert.equal(big.headers['x-content-type-options'], 'nosniff');
  assert.equal(big.headers['x-frame-options'], 'DENY');
  const long = await rawRequest(srv.port, `GET /api/v1/health?q=${'x'.repeat(12 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close`);
  assertError(long, 414, 'uri_too_long');
  assert.equal(long.headers['x-content-type-options'], 'nosniff');
  assert.equal((await fetch(srv.url + '/api/v1/health')).status, 200, 'the server keeps serving');
});

// ---------------------------------------------------------------- point 14: CSP on HTML

test('HTML made by the API carries the strict Content-Security-Policy', async () => {
  for (const [client, path] of [[c.committee, '/api/v1/users?print=1'], [c.block, `/api/v1/blocks/${block1}/door-plates`],
    [c.block, `/api/v1/blocks/${block1}/personal-codes`]]) {
    const r = await client.get(path);
    assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 200)}`);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    const csp = r.headers.get('content-security-policy') || '';
    assert.match(csp, /default-src 'self'/, `${path}: CSP ${csp}`);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(!/script-src[^;]*unsafe-inline/.test(csp), 'no inline script');
  }
});

// ---------------------------------------------------------------- point 17

test('a malformed limit or cursor answers 400 naming it', async () => {
  assertError(await c.committee.get('/api/v1/users?limit=abc'), 400, 'validation_failed', 'limit');
  assertError(await c.committee.get('/api/v1/users?limit=10x'), 400, 'validation_failed', 'limit');
  assertError(await c.committee.get('/api/v1/users?cursor=!!!'), 400, 'validation_failed', 'cursor');
  assertError(await c.committee.get(`/api/v1/users?cursor=${Buffer.from('abc').toString('base64url')}`), 400, 'validation_failed', 'cursor');
  const page = await c.committee.get('/api/v1/users?limit=1');
  assert.equal(page.status, 200);
  assert.equal((await c.committee.get(`/api/v1/users?limit=1&cursor=${page.json.next_cursor}`)).status, 200);
});

test('export job results are dropped after the job retention', async () => {
  const own = await startServer();
  let restarted;
  let ownRunning = true;
  try {
    const committee = await loggedIn(own.url, 'committee');
    const job = jobOf(await committee.post('/api/v1/users/export', { format: 'csv' }));
    const { job: done } = await waitJob(committee, job.id);
    assert.equal(done.state, 'done');
    assert.equal((await getBytes(committee, `/api/v1/jobs/${job.id}/result`)).status, 200);
    await own.stop({ keepDb: true });
    ownRunning = false;
    sqlOnDb(own, `UPDATE jobs SET updated_at = updated_at - ${25 * 3600}000000 WHERE id = ${job.id}`);
    restarted = await startServer({ db: own.db });
    let left = 1;
    for (let i = 0; i < 50 && left; i++) {
      await sleep(100);
      left = dbInt(own.db, `SELECT COUNT(*) FROM jobs WHERE id = ${job.id} AND result_data IS NOT NULL`);
    }
    assert.equal(left, 0, 'the file is gone');
    const again = await loggedIn(restarted.url, 'committee');
    assert.equal((await getBytes(again, `/api/v1/jobs/${job.id}/result`)).status, 404);
    assert.equal((await again.get(`/api/v1/jobs/${job.id}`)).status, 200, 'the job row says what ran');
  } finally {
    if (ownRunning) await own.stop({ keepDb: true });
    if (restarted) await stopServer(restarted);
    own.db.dispose();
  }
});

// Long (about 65 s): a one-minute idle limit must not end a session that is in use.
test('a session with a one-minute idle limit stays alive while in use', async () => {
  const own = await startServer({ env: { SHOUWANG_SESSION_IDLE: '60' } });
  try {
    const user = await loggedIn(own.url, 'volunteer');
    const start = Date.now();
    while (Date.now() - start < 66e3) {
      await sleep(10e3);
      const r = await user.get('/api/v1/me');
      assert.equal(r.status, 200, `after ${Math.round((Date.now() - start) / 1000)} s: ${r.status}`);
    }
  } finally {
    await stopServer(own);
  }
});
