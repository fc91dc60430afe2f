// Health endpoint, unknown routes and methods, and the embedded web app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, BACKEND } from '../lib/server.mjs';
import { assertError, stopServer } from '../lib/api-helpers.mjs';

let srv;
let anon;

before(async () => {
  srv = await startServer();
  anon = new Client(srv.url);
});

after(async () => {
  await stopServer(srv);
});

test('GET /api/v1/health reports status, version, backend and migration', async () => {
  const r = await anon.get('/api/v1/health');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /application\/json/);
  assert.equal(r.json.status, 'ok');
  assert.equal(typeof r.json.version, 'string');
  assert.match(r.json.version, /^\d+\.\d+\.\d+/);
  assert.equal(r.json.backend, BACKEND);
  assert.ok(Number.isInteger(r.json.migration), `migration is an integer: ${r.text}`);
  assert.ok(r.json.migration >= 1, `migration >= 1: ${r.text}`);
});

test('health needs no session and ignores a bogus cookie', async () => {
  const r = await anon.get('/api/v1/health', { Cookie: 'sw_session=bogus' });
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
});

test('an unknown /api path answers 404 not_found in the error shape', async () => {
  for (const p of ['/api/v1/no-such-thing', '/api/v1/health/extra', '/api/unknown', '/api/v2/health', '/api', '/api/']) {
    const r = await anon.get(p);
    assertError(r, 404, 'not_found');
    assert.match(r.headers.get('content-type') || '', /application\/json/, p);
  }
});

test('an unknown /api path is not the web app', async () => {
  const r = await anon.get('/api/unknown');
  assert.equal(r.status, 404);
  assert.doesNotMatch(r.headers.get('content-type') || '', /text\/html/);
  assert.doesNotMatch(r.text, /<html/i);
});

test('a known path under another method answers 405 method_not_allowed', async () => {
  const r = await anon.req('DELETE', '/api/v1/health');
  assertError(r, 405, 'method_not_allowed');
  const r2 = await anon.req('PUT', '/api/v1/session', { username: 'x', password: 'y' });
  assertError(r2, 405, 'method_not_allowed');
});

test('error messages default to zh-CN when Accept-Language is absent', async () => {
  const zh = await fetch(srv.url + '/api/v1/no-such-thing');
  const zhJson = await zh.json();
  const en = await fetch(srv.url + '/api/v1/no-such-thing', { headers: { 'Accept-Language': 'en' } });
  const enJson = await en.json();
  assert.equal(zh.status, 404);
  assert.equal(en.status, 404);
  assert.match(zhJson.error.message, /[\u4e00-\u9fff]/, 'zh-CN message has Chinese characters');
  assert.doesNotMatch(enJson.error.message, /[\u4e00-\u9fff]/, 'English message has none');
});

test('GET / serves the web app with ETag and Cache-Control', async () => {
  const r = await fetch(srv.url + '/');
  const text = await r.text();
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /^text\/html/);
  assert.match(text, /<html/i);
  assert.match(text, /id="app"/);
  const etag = r.headers.get('etag');
  assert.ok(etag && etag.length > 2, 'ETag present');
  assert.ok(r.headers.get('cache-control'), 'Cache-Control present');
});

test('If-None-Match with the ETag answers 304 without a body', async () => {
  const first = await fetch(srv.url + '/');
  await first.arrayBuffer();
  const etag = first.headers.get('etag');
  assert.ok(etag);
  const r = await fetch(srv.url + '/', { headers: { 'If-None-Match': etag } });
  const body = await r.arrayBuffer();
  assert.equal(r.status, 304);
  assert.equal(body.byteLength, 0);
  const other = await fetch(srv.url + '/', { headers: { 'If-None-Match': '"not-the-etag"' } });
  await other.arrayBuffer();
  assert.equal(other.status, 200);
});

test('an unknown non-API path serves index.html (SPA fallback)', async () => {
  const index = await fetch(srv.url + '/');
  const indexText = await index.text();
  for (const p of ['/home', '/me', '/some/deep/route']) {
    const r = await fetch(srv.url + p);
    const text = await r.text();
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get('content-type') || '', /^text\/html/, p);
    assert.equal(text, indexText, `${p} is index.html`);
  }
});

test('assets referenced by index.html are served', async () => {
  const text = await (await fetch(srv.url + '/')).text();
  const refs = [...text.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length > 0, 'index.html references assets');
  for (const ref of refs) {
    const r = await fetch(srv.url + ref);
    const body = await r.arrayBuffer();
    assert.equal(r.status, 200, ref);
    assert.ok(body.byteLength > 0, ref);
    assert.doesNotMatch(r.headers.get('content-type') || '', /^text\/html/, `${ref} is not index.html`);
  }
});

test('paths that climb out of the web app never reach the file system', async () => {
  for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd',
    '/..%5c..%5cetc%5cpasswd']) {
    const r = await fetch(srv.url + p);
    const text = await r.text();
    assert.ok([200, 400, 404].includes(r.status), `${p}: ${r.status}`);
    assert.doesNotMatch(text, /root:.*:0:0:/, p);
  }
});
