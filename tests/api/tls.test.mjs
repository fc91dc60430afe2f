// HTTPS served by the server itself: a certificate made by `shouwang tls selfsigned`,
// health, login and a write over TLS (the served certificate pinned), HSTS and Secure
// cookies over TLS only, the plain-HTTP redirect, and the settings refused at start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, Client, startServer, freshDatabase } from '../lib/server.mjs';
import { assertError, uniq, stopServer } from '../lib/api-helpers.mjs';

let dir, ca, served, srv, plain;

// The served certificate, pinned: the first one in server.crt.
function firstCert(pem) {
  return new X509Certificate(pem.slice(0, pem.indexOf('-----END CERTIFICATE-----') + 25));
}

// One request over node:https (or http), answered like fetch's Response; every TLS
// answer is checked to come with the pinned certificate.
function call(url, { method = 'GET', headers = {}, body, trust = ca, servername } = {}) {
  const u = new URL(url);
  const tls = u.protocol === 'https:';
  return new Promise((ok, fail) => {
    const opts = { method, headers: { ...headers }, host: u.hostname, port: u.port, path: u.pathname + u.search };
    if (tls) Object.assign(opts, { ca: trust || undefined, servername, agent: false });
    if (body !== undefined) opts.headers['Content-Length'] = Buffer.byteLength(body);
    const req = (tls ? httpsRequest : httpRequest)(opts, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const peer = tls ? res.socket.getPeerCertificate() : null;
        ok({ status: res.statusCode, headers: new Headers(Object.entries(res.headers).flatMap(([k, v]) =>
          (Array.isArray(v) ? v : [v]).map((x) => [k, x]))), text: async () => text, body: text, peer });
      });
    });
    req.on('error', fail);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function pinnedFetch(url, init = {}) {
  const r = await call(url, init);
  assert.equal(r.peer.fingerprint256, served.fingerprint256, 'the served certificate is the one made');
  return r;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-tls-'));
  const out = execFileSync(BIN, ['tls', 'selfsigned', '--out', dir, '--name', 'localhost', '--name', '127.0.0.1',
                                 '--name', '::1'], { encoding: 'utf8' });
  assert.match(out, /server\.crt/);
  ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  served = firstCert(readFileSync(join(dir, 'server.crt'), 'utf8'));
  srv = await startServer({ tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), redirect: true } });
});

after(async () => {
  await stopServer(srv);
  if (plain) await stopServer(plain);
  rmSync(dir, { recursive: true, force: true });
});

test('tls selfsigned: a server certificate for the names given, signed by the CA file, key 0600', () => {
  const caCert = new X509Certificate(ca);
  assert.ok(caCert.ca, 'ca.crt is a certificate authority');
  assert.ok(!served.ca, 'the server certificate is not one');
  assert.ok(served.verify(caCert.publicKey), 'signed by ca.crt');
  assert.equal(served.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  assert.equal(statSync(join(dir, 'server.key')).mode & 0o777, 0o600);
  const span = (Date.parse(served.validTo) - Date.parse(served.validFrom)) / 86400e3;
  assert.equal(span, 825, 'valid 825 days from notBefore to notAfter (Apple takes at most 825)');
  assert.ok(Date.parse(served.validFrom) <= Date.now(), 'valid already');
});

test('tls selfsigned refuses to replace existing files without --force, and a bad name', () => {
  const again = spawnSync(BIN, ['tls', 'selfsigned', '--out', dir], { encoding: 'utf8' });
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /server\.key exists; give --force/);
  assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), ca, 'ca.crt unchanged');
  const bad = spawnSync(BIN, ['tls', 'selfsigned', '--out', dir, '--force', '--name', 'a b'], { encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /invalid --name a b/);
  assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), ca, 'ca.crt unchanged');
});

test('health over TLS, by address and by name, with HSTS', async () => {
  for (const [url, servername] of [[srv.url, undefined], [`https://localhost:${srv.port}`, 'localhost']]) {
    const r = await pinnedFetch(url + '/api/v1/health', { servername });
    assert.equal(r.status, 200, r.body);
    assert.equal(JSON.parse(r.body).status, 'ok');
    assert.equal(r.headers.get('strict-transport-security'), 'max-age=31536000');
  }
  const page = await pinnedFetch(srv.url + '/');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('strict-transport-security'), 'max-age=31536000', 'the web app too');
});

test('a client that does not trust ca.crt refuses the connection', async () => {
  await assert.rejects(call(srv.url + '/api/v1/health', { trust: null }),
    (e) => /SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY/.test(e.code), 'untrusted certificate refused');
});

test('login over TLS sets a Secure, HttpOnly cookie; a write and its read-back work', async () => {
  const c = new Client(srv.url, 'en', { fetch: pinnedFetch });
  const r = await c.login('committee');
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /sw_session=[^;]+;.*HttpOnly/);
  assert.match(cookie, /; Secure/);
  const username = uniq('tls-');
  const created = await c.post('/api/v1/users', { username, display_name: 'Over TLS', password: 'over-tls-pass-1',
                                                  roles: [{ role: 'volunteer' }] });
  assert.ok(created.status === 201 || created.status === 200, created.text);
  const list = await c.get('/api/v1/users?limit=500');
  assert.ok(list.json.items.some((u) => u.username === username), 'the new user is listed');
  assertError(await c.post('/api/v1/users', { username, display_name: 'x', password: 'over-tls-pass-1',
                                              roles: [{ role: 'volunteer' }] }, { 'X-CSRF-Token': 'wrong' }),
              403, 'csrf_failed');
});

test('plain HTTP on the redirect port answers 308 to the same path on HTTPS, and nothing else', async () => {
  const base = `http://127.0.0.1:${srv.redirectPort}`;
  const r = await call(`${base}/login?next=a%20b&x`);
  assert.equal(r.status, 308);
  assert.equal(r.headers.get('location'), `https://127.0.0.1:${srv.port}/login?next=a%20b&x`);
  assert.equal(r.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');
  const byName = await call(`${base}/api/v1/health`, { headers: { Host: `localhost:${srv.redirectPort}` } });
  assert.equal(byName.headers.get('location'), `https://localhost:${srv.port}/api/v1/health`);
  // A login posted over plain HTTP is not served there: no session, no cookie.
  const post = await call(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                      body: JSON.stringify({ username: 'committee', password: 'shouwang-demo' }) });
  assert.equal(post.status, 308);
  assert.equal(post.headers.get('set-cookie'), null);
  const bad = await call(`${base}/`, { headers: { Host: 'evil.example/path' } });
  assert.equal(bad.status, 400, 'a Host that is not a plain name is refused');
  assert.equal(bad.headers.get('location'), null);
});

test('without TLS: no HSTS, no Secure cookie, and X-Forwarded-Proto believed only from a trusted proxy', async () => {
  plain = await startServer({ env: { SHOUWANG_TRUSTED_PROXIES: '127.0.0.2' } });
  const proto = { 'X-Forwarded-Proto': 'https' };
  for (const headers of [{}, proto]) {
    const c = new Client(plain.url);
    const r = await c.post('/api/v1/session', { username: 'committee', password: 'shouwang-demo' }, headers);
    assert.equal(r.status, 200, r.text);
    assert.doesNotMatch(r.headers.get('set-cookie'), /Secure/, JSON.stringify(headers));
    assert.equal(r.headers.get('strict-transport-security'), null, JSON.stringify(headers));
  }
  await stopServer(plain);
  // Behind a proxy at 127.0.0.1 that says the client came over HTTPS.
  plain = await startServer({ env: { SHOUWANG_TRUSTED_PROXIES: '127.0.0.1' } });
  const c = new Client(plain.url);
  const r = await c.post('/api/v1/session', { username: 'committee', password: 'shouwang-demo' }, proto);
  assert.match(r.headers.get('set-cookie'), /; Secure/);
  assert.equal(r.headers.get('strict-transport-security'), 'max-age=31536000');
  const health = await c.get('/api/v1/health');
  assert.equal(health.headers.get('strict-transport-security'), null, 'a request the proxy sent over plain HTTP');
});

test('serve refuses a key that does not match, a missing file and a redirect without TLS', () => {
  const db = freshDatabase();
  try {
    const run = (...args) => spawnSync(BIN, ['serve', ...db.args, '--listen', '127.0.0.1:0', ...args],
                                       { encoding: 'utf8', timeout: 20000, env: { ...process.env, SHOUWANG_QUIET: '1' } });
    const mismatch = run('--tls-cert', join(dir, 'ca.crt'), '--tls-key', join(dir, 'server.key'));
    assert.notEqual(mismatch.status, 0);
    assert.match(mismatch.stderr, /tls_cert .*ca\.crt.*do not match/);
    const missing = run('--tls-cert', join(dir, 'none.crt'), '--tls-key', join(dir, 'server.key'));
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /cannot open tls_cert .*none\.crt/);
    const half = run('--tls-cert', join(dir, 'server.crt'));
    assert.notEqual(half.status, 0);
    assert.match(half.stderr, /both tls_cert and tls_key/);
    const redirect = run('--redirect-listen', '127.0.0.1:0');
    assert.notEqual(redirect.status, 0);
    assert.match(redirect.stderr, /redirect_listen needs tls_cert and tls_key/);
  } finally {
    db.dispose();
  }
});
