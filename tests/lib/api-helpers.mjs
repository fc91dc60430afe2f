// Helpers shared by the API tests: error-shape checks, list walking, raw sockets for
// the limit tests, CSV parsing and a few ways to make users and clients.
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BIN, Client, DEMO_PASSWORD } from './server.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function uniq(prefix = 'u') {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

// Asserts the documented error shape {"error":{"code","message"[,"field"]}}.
export function assertError(res, status, code, field) {
  const where = `${res.status} ${String(res.text ?? '').slice(0, 300)}`;
  assert.equal(res.status, status, `status: ${where}`);
  assert.ok(res.json && typeof res.json === 'object', `JSON error body: ${where}`);
  assert.ok(res.json.error && typeof res.json.error === 'object', `error object: ${where}`);
  assert.equal(typeof res.json.error.code, 'string', `error.code: ${where}`);
  assert.equal(typeof res.json.error.message, 'string', `error.message: ${where}`);
  assert.ok(res.json.error.message.length > 0, `error.message not empty: ${where}`);
  if (code !== undefined) {
    if (Array.isArray(code)) assert.ok(code.includes(res.json.error.code), `code in ${code}: ${where}`);
    else assert.equal(res.json.error.code, code, `code: ${where}`);
  }
  if (field !== undefined) assert.equal(res.json.error.field, field, `field: ${where}`);
}

export function assertStatus(res, status, what = '') {
  const expected = Array.isArray(status) ? status : [status];
  assert.ok(expected.includes(res.status),
    `${what} expected ${expected.join('|')}, got ${res.status} ${String(res.text ?? '').slice(0, 300)}`);
}

// A client logged in as `username` (demo password by default).
export async function loggedIn(url, username, password = DEMO_PASSWORD, lang = 'en') {
  const c = new Client(url, lang);
  const r = await c.login(username, password);
  c.me = r.json;
  return c;
}

// Sends a request without the CSRF header even though the client holds a token.
export async function withoutCsrf(client, method, path, body, headers = {}) {
  const saved = client.csrf;
  client.csrf = null;
  try { return await client.req(method, path, body, headers); } finally { client.csrf = saved; }
}

// The items of a list reply, checking the documented list shape.
export function listItems(res, what = 'list') {
  assert.equal(res.status, 200, `${what}: ${res.status} ${String(res.text).slice(0, 300)}`);
  assert.ok(res.json && Array.isArray(res.json.items), `${what}: items array: ${String(res.text).slice(0, 300)}`);
  assert.ok('next_cursor' in res.json, `${what}: next_cursor present`);
  assert.ok(res.json.next_cursor === null || typeof res.json.next_cursor === 'string',
    `${what}: next_cursor is a string or null`);
  return res.json.items;
}

// Follows next_cursor until the end; returns every item (pages counted in .pages).
export async function walkList(client, path, limit = 500, maxPages = 1000) {
  const all = [];
  let cursor = null;
  let pages = 0;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const p = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await client.get(p);
    all.push(...listItems(res, p));
    cursor = res.json.next_cursor;
    pages += 1;
    assert.ok(pages <= maxPages, `${path}: too many pages`);
  } while (cursor);
  all.pages = pages;
  return all;
}

// Role names of a user item, whatever the list's representation (objects or names).
export function roleNames(item) {
  const r = item.roles;
  if (Array.isArray(r)) return r.map((x) => (typeof x === 'string' ? x : x.role));
  if (typeof r === 'string') return r.split(/[\s,;]+/).filter(Boolean);
  return [];
}

// The job object of a job reply ({"job": {...}}).
export function jobOf(res) {
  assert.ok(res.json && res.json.job && typeof res.json.job === 'object',
    `job reply: ${res.status} ${String(res.text).slice(0, 300)}`);
  return res.json.job;
}

// Polls GET /api/v1/jobs/{id} until the job is done or failed (bounded).
export async function waitJob(client, id, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  const seen = [];
  for (;;) {
    const res = await client.get(`/api/v1/jobs/${id}`);
    assert.equal(res.status, 200, `job ${id}: ${res.status} ${res.text}`);
    const job = jobOf(res);
    seen.push(job);
    if (job.state === 'done' || job.state === 'failed') return { job, seen };
    if (Date.now() > end) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

// Creates a user through POST /api/v1/users as `client` (a committee member).
export async function createUser(client, { username = uniq('t'), display_name = 'Test User',
  password = 'test-pass-123', roles = [{ role: 'volunteer' }] } = {}) {
  const res = await client.post('/api/v1/users', { username, display_name, password, roles });
  assert.ok(res.status === 201 || res.status === 200,
    `create user ${username}: ${res.status} ${String(res.text).slice(0, 300)}`);
  const id = res.json?.user?.id ?? res.json?.id;
  assert.ok(Number.isInteger(id), `created user id: ${res.text}`);
  return { id, username, password, display_name };
}

// GET as raw bytes (exports: fetch's text() would drop a BOM).
export async function getBytes(client, path, headers = {}) {
  const h = { 'Accept-Language': client.lang, ...headers };
  if (client.cookie) h.Cookie = client.cookie;
  if (client.bearer) h.Authorization = 'Bearer ' + client.bearer;
  const res = await fetch(client.url + path, { headers: h });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

// RFC 4180 CSV into rows of cells.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        quoted = false; i += 1; continue;
      }
      cell += ch; i += 1; continue;
    }
    if (ch === '"' && cell === '') { quoted = true; i += 1; continue; }
    if (ch === ',') { row.push(cell); cell = ''; i += 1; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { i += 1; continue; }
    if (ch === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 1; continue; }
    cell += ch; i += 1;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// The raw cells of the CSV line holding `needle` (quotes kept), for escape checks.
export function rawCsvLine(text, needle) {
  return text.split(/\r?\n/).find((l) => l.includes(needle));
}

// `shouwang routes --json`.
export function routeTable() {
  const out = execFileSync(BIN, ['routes', '--json'], { encoding: 'utf8' });
  const routes = JSON.parse(out);
  assert.ok(Array.isArray(routes) && routes.length > 0, 'routes --json prints a non-empty array');
  return routes;
}

// Runs the binary with args (no database); returns {status, stdout, stderr}.
export function runBin(args, env = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30000 });
  return { status: r.status, stdout: r.stdout || '', stderr: r.stderr || '' };
}

// Parses an HTTP/1.1 response from a buffer. Returns null while incomplete.
function parseResponse(buf, ended) {
  const sep = buf.indexOf('\r\n\r\n');
  if (sep < 0) return null;
  const head = buf.subarray(0, sep).toString('latin1').split('\r\n');
  const m = head[0].match(/^HTTP\/1\.[01] (\d{3})/);
  if (!m) throw new Error('not an HTTP response: ' + head[0]);
  const status = Number(m[1]);
  const headers = {};
  for (const line of head.slice(1)) {
    const k = line.indexOf(':');
    if (k > 0) headers[line.slice(0, k).trim().toLowerCase()] = line.slice(k + 1).trim();
  }
  const rest = buf.subarray(sep + 4);
  if (status >= 100 && status < 200) {
    const next = parseResponse(rest, ended);
    return next;
  }
  let body;
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (rest.length < n) return ended ? { status, headers, body: rest, truncated: true } : null;
    body = rest.subarray(0, n);
  } else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    const parts = [];
    let p = 0;
    for (;;) {
      const eol = rest.indexOf('\r\n', p);
      if (eol < 0) return ended ? { status, headers, body: Buffer.concat(parts), truncated: true } : null;
      const size = parseInt(rest.subarray(p, eol).toString('latin1'), 16);
      if (size === 0) break;
      if (rest.length < eol + 2 + size + 2) return ended ? { status, headers, body: Buffer.concat(parts), truncated: true } : null;
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      p = eol + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (status === 204 || status === 304) {
    body = Buffer.alloc(0);
  } else {
    if (!ended) return null;
    body = rest;
  }
  return { status, headers, body };
}

// One request on a fresh socket. `head` is the request line and headers (without the
// final blank line); `body` is written in chunks and stops early once a response
// arrives (the server may answer before reading everything). Resolves to
// {status, headers, body, text, json} or rejects when no response came.
export function rawRequest(port, head, body = null, { timeout = 15000, chunk = 65536 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let done = false;
    let answered = false;
    const finish = (ended, err) => {
      if (done) return;
      let parsed = null;
      try { parsed = parseResponse(buf, ended); } catch (e) { err = e; }
      if (!parsed) {
        if (ended) {
          done = true; clearTimeout(timer); sock.destroy();
          reject(err || new Error(`no HTTP response (${buf.length} bytes received)`));
        }
        return;
      }
      done = true; clearTimeout(timer); sock.destroy();
      const text = parsed.body.toString('utf8');
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      resolve({ ...parsed, text, json });
    };
    const timer = setTimeout(() => finish(true, new Error('raw request timed out')), timeout);
    sock.on('data', (d) => { answered = true; buf = Buffer.concat([buf, d]); finish(false); });
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', (e) => { if (!answered) setTimeout(() => finish(true, e), 50); });
    sock.on('connect', async () => {
      try {
        sock.write(head.replace(/(\r\n)*$/, '') + '\r\n\r\n');
        if (!body) return;
        const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
        await sleep(50);
        for (let off = 0; off < data.length && !answered && !sock.destroyed; off += chunk) {
          const ok = sock.write(data.subarray(off, off + chunk));
          if (!ok) await new Promise((r) => { sock.once('drain', r); sock.once('close', r); });
        }
      } catch { /* the server may close early; the response decides */ }
    });
  });
}

// Opens a socket and leaves it idle (optionally after a partial request).
export function idleSocket(port, partial = '') {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('idle socket connect timeout')); }, 5000);
    sock.on('error', () => { /* closed by the server: fine */ });
    sock.once('connect', () => { clearTimeout(timer); if (partial) sock.write(partial); resolve(sock); });
  });
}

// Runs a CLI command expected to fail, capturing its output instead of printing it.
// Same environment as runCli in server.mjs (the test field key included).
export function runCliResult(db, args) {
  const r = spawnSync(BIN, [...args, ...db.args], {
    encoding: 'utf8', timeout: 60000,
    env: { ...process.env, SHOUWANG_FIELD_KEY: 'k1:' + Buffer.alloc(32, 7).toString('base64') },
  });
  return { status: r.status, stdout: r.stdout || '', stderr: r.stderr || '' };
}

// Stops a server with SIGTERM and checks that it exits cleanly (status 0, no sanitizer
// report) within timeoutMs; a server that hangs is killed so the suite goes on.
export async function stopServer(srv, { timeoutMs = 20000, keepDb = false } = {}) {
  if (!srv) return;
  let timer;
  const stopped = srv.stop({ keepDb });
  const timedOut = await Promise.race([
    stopped.then(() => false),
    new Promise((r) => { timer = setTimeout(() => r(true), timeoutMs); }),
  ]);
  clearTimeout(timer);
  if (timedOut) srv.proc.kill('SIGKILL');
  const { code, sig } = await stopped;
  const tail = srv.stderr().slice(-3000);
  assert.ok(!timedOut, `the server did not exit within ${timeoutMs} ms of SIGTERM: ${tail}`);
  assert.doesNotMatch(srv.stderr(), /AddressSanitizer|LeakSanitizer|runtime error:/, `sanitizer report: ${tail}`);
  assert.equal(code, 0, `exit status ${code} (signal ${sig}): ${tail}`);
}
