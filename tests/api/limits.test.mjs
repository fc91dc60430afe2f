// Request limits: body size, header size, malformed JSON, connection limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, rawRequest, idleSocket, sleep, stopServer } from '../lib/api-helpers.mjs';

let srv;
let committee;

before(async () => {
  srv = await startServer();
  committee = await loggedIn(srv.url, 'committee');
});

after(async () => {
  await stopServer(srv);
});

const MiB = 1024 * 1024;

function post(path, len, extra = '') {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${len}\r\nConnection: close${extra ? '\r\n' + extra : ''}`;
}

// A syntactically valid JSON object of exactly n bytes.
function bigJson(n) {
  const prefix = '{"username":"committee","password":"';
  const suffix = '"}';
  return prefix + 'x'.repeat(n - prefix.length - suffix.length) + suffix;
}

test('a body over 1 MiB answers 413 body_too_large', async () => {
  const body = bigJson(MiB + 4096);
  const r = await rawRequest(srv.port, post('/api/v1/session', Buffer.byteLength(body)), body);
  assertError(r, 413, 'body_too_large');
  assert.match(r.headers['content-type'] || '', /application\/json/);
});

test('an authenticated write over 1 MiB answers 413 and changes nothing', async () => {
  const body = JSON.stringify({ display_name: 'y'.repeat(MiB + 100) });
  const head = `PATCH /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nCookie: ${committee.cookie}\r\n` +
    `X-CSRF-Token: ${committee.csrf}\r\nConnection: close`;
  const r = await rawRequest(srv.port, head, body);
  assertError(r, 413, 'body_too_large');
  const me = await committee.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.ok(me.json.user.display_name.length < 100);
});

test('a chunked body over 1 MiB answers 413 too', async () => {
  const piece = 'z'.repeat(64 * 1024);
  let chunks = '';
  for (let i = 0; i < 18; i++) chunks += `${(piece.length).toString(16)}\r\n${piece}\r\n`;
  chunks += '0\r\n\r\n';
  const head = 'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\nConnection: close';
  const r = await rawRequest(srv.port, head, chunks);
  assertError(r, 413, 'body_too_large');
});

test('headers over the limit (a 64 KiB cookie) answer 431', async () => {
  const head = `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sw_session=${'c'.repeat(64 * 1024)}\r\n` +
    'Connection: close';
  const r = await rawRequest(srv.port, head);
  assert.equal(r.status, 431, `status ${r.status} ${r.text.slice(0, 200)}`);
  const after = await fetch(srv.url + '/api/v1/health');
  assert.equal(after.status, 200, 'the server keeps serving');
  await after.arrayBuffer();
});

test('malformed JSON answers 400 bad_json', async () => {
  for (const body of ['{"username": "committee", ', '{username: 1}', 'not json at all', '{"a":1}}']) {
    const r = await committee.post('/api/v1/session', body, { 'Content-Type': 'application/json' });
    assertError(r, 400, 'bad_json');
  }
  const w = await committee.req('PATCH', '/api/v1/me', '{"display_name": "x"', { 'Content-Type': 'application/json' });
  assertError(w, 400, 'bad_json');
});

test('invalid UTF-8 in a JSON body answers 400', async () => {
  const body = Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","password":"x"}')]);
  const r = await rawRequest(srv.port, post('/api/v1/session', body.length), body);
  assertError(r, 400);
});

test('JSON that is not an object answers 400', async () => {
  for (const body of ['[]', '[{"username":"committee"}]', '"committee"', '42', 'null', 'true']) {
    const r = await committee.post('/api/v1/session', body, { 'Content-Type': 'application/json' });
    assertError(r, 400, ['bad_json', 'validation_failed']);
  }
  const w = await committee.req('PATCH', '/api/v1/me', '["display_name"]', { 'Content-Type': 'application/json' });
  assertError(w, 400, ['bad_json', 'validation_failed']);
});

test('deeply nested JSON answers 400, not a crash', async () => {
  const depth = 1500;
  const body = '{"username":' + '['.repeat(depth) + ']'.repeat(depth) + ',"password":"x"}';
  const r = await committee.post('/api/v1/session', body, { 'Content-Type': 'application/json' });
  assertError(r, 400, ['bad_json', 'validation_failed']);
  assert.equal((await committee.get('/api/v1/me')).status, 200, 'the server is fine');
});

test('a NUL inside a JSON string answers 400', async () => {
  const r = await committee.req('PATCH', '/api/v1/me', '{"display_name":"a\\u0000b"}', { 'Content-Type': 'application/json' });
  assertError(r, 400, ['bad_json', 'validation_failed']);
  const me = await committee.get('/api/v1/me');
  assert.ok(!me.json.user.display_name.startsWith('a'), 'nothing stored');
});

test('many query parameters and a long query string do not break a list', async () => {
  const many = Array.from({ length: 200 }, (_, i) => `p${i}=${i}`).join('&');
  const r = await committee.get(`/api/v1/users?${many}&limit=2`);
  assert.ok(r.status === 200 || r.status === 400, `${r.status} ${r.text.slice(0, 200)}`);
  if (r.status === 400) assertError(r, 400);
  const q = await committee.get(`/api/v1/users?q=${'%25'.repeat(300)}${'_'.repeat(300)}`);
  assert.equal(q.status, 200, q.text.slice(0, 200));
  assert.ok(Array.isArray(q.json.items));
});

test('an empty body on a JSON write answers 400', async () => {
  const r = await committee.req('POST', '/api/v1/session', '', { 'Content-Type': 'application/json' });
  assertError(r, 400, ['bad_json', 'validation_failed']);
});

test('past the connection limit the server answers 503, and recovers', async () => {
  const small = await startServer({ args: ['--conn-limit', '4'] });
  const sockets = [];
  try {
    const health = 'GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close';
    const ok = await rawRequest(small.port, health);
    assert.equal(ok.status, 200, 'serves below the limit');
    await sleep(200);

    for (let i = 0; i < 8; i++) {
      sockets.push(await idleSocket(small.port, i % 2 ? 'GET /api/v1/health HTTP/1.1\r\nHost: 127' : ''));
    }
    await sleep(300);
    const r = await rawRequest(small.port, health, null, { timeout: 10000 });
    assertError(r, 503, 'unavailable');

    for (const s of sockets) s.destroy();
    sockets.length = 0;
    let status = 0;
    const end = Date.now() + 10000;
    while (Date.now() < end) {
      try {
        status = (await rawRequest(small.port, health, null, { timeout: 3000 })).status;
      } catch { status = 0; }
      if (status === 200) break;
      await sleep(200);
    }
    assert.equal(status, 200, 'serves again once the idle connections are gone');
  } finally {
    for (const s of sockets) s.destroy();
    await stopServer(small);
  }
});
