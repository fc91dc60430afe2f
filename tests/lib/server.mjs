// Starts the real shouwang binary on a random loopback port against a fresh database
// (SQLite file in a temp dir, or a new database in the private PostgreSQL cluster that
// pg-cluster.sh started), loads the demo community, and stops it afterwards.
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export const BIN = resolve(process.env.SHOUWANG_BIN || '../bin/shouwang');
export const BACKEND = process.env.SHOUWANG_BACKEND || 'sqlite';
export const DEMO_PASSWORD = 'shouwang-demo';
export const DEMO_USERS = ['admin', 'committee', 'zone', 'block', 'volunteer', 'resident'];
const FIELD_KEY = 'k1:' + Buffer.alloc(32, 7).toString('base64');

// A database that already holds the demo, made once per test stage by
// tests/run-node-tests.sh (lib/template.mjs): a SQLite file, or a PostgreSQL database
// name. Copying it replaces `init` and `demo` in every file that starts a demo server.
export const TEMPLATE = process.env.SHOUWANG_TEMPLATE || '';

// A database for one server: returns {args, env, dispose}. With `template`, a copy of
// that demo database instead of an empty one.
export function freshDatabase({ template = '' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sw-test-'));
  if (BACKEND === 'postgresql') {
    const base = process.env.SHOUWANG_PG_BASE;
    if (!base) throw new Error('SHOUWANG_PG_BASE is not set: run under tests/pg-cluster.sh');
    const name = 'sw_' + randomBytes(6).toString('hex');
    const from = template ? ` TEMPLATE ${template}` : '';
    execFileSync('psql', [`${base} dbname=postgres`, '-qc', `CREATE DATABASE ${name}${from}`]);
    return { args: ['--pg', `${base} dbname=${name}`], dir,
             dispose() { rmSync(dir, { recursive: true, force: true }); } };
  }
  const file = join(dir, 'test.db');
  if (template) copyFileSync(template, file);
  return { args: ['--db', file], dir,
           dispose() { rmSync(dir, { recursive: true, force: true }); } };
}

// The stage's demo database when there is one (and it still exists), else ''.
function demoTemplate() {
  if (!TEMPLATE) return '';
  if (BACKEND === 'postgresql') return TEMPLATE;
  return existsSync(TEMPLATE) ? TEMPLATE : '';
}

export function runCli(db, args, extraEnv = {}) {
  return execFileSync(BIN, [...args, ...db.args], {
    env: { ...process.env, SHOUWANG_FIELD_KEY: FIELD_KEY, SHOUWANG_FILES_DIR: join(db.dir, 'files'), ...extraEnv },
    encoding: 'utf8' });
}

// Starts `shouwang serve`; resolves to {url, port, proc, db, stop(), kill()}.
// opts.demo (default true) loads the demo data first; opts.db reuses a database;
// opts.args adds serve flags; opts.env adds environment. opts.tls = {cert, key,
// redirect} serves HTTPS with that certificate and key (url is then https://…), and
// with redirect: true also the plain-HTTP redirect on a port of its own (redirectPort).
export async function startServer(opts = {}) {
  const template = !opts.db && opts.demo !== false ? demoTemplate() : '';
  const db = opts.db || freshDatabase({ template });
  if (!opts.db && !template) {
    runCli(db, ['init']);
    if (opts.demo !== false) runCli(db, ['demo']);
  }
  const env = { ...process.env, SHOUWANG_FIELD_KEY: FIELD_KEY, SHOUWANG_QUIET: '1',
    SHOUWANG_FILES_DIR: join(db.dir, 'files'), ...(opts.env || {}) };
  const tlsArgs = opts.tls ? ['--tls-cert', opts.tls.cert, '--tls-key', opts.tls.key,
    ...(opts.tls.redirect ? ['--redirect-listen', '127.0.0.1:0'] : [])] : [];
  const proc = spawn(BIN, ['serve', ...db.args, '--listen', '127.0.0.1:0', ...tlsArgs, ...(opts.args || [])],
                     { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; if (process.env.SHOUWANG_TEST_VERBOSE) process.stderr.write(d); });
  let redirectPort = 0;
  const port = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('server did not start: ' + stderr)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on https?:\/\/127\.0\.0\.1:(\d+)/);
      const r = out.match(/redirecting http:\/\/127\.0\.0\.1:(\d+) to HTTPS/);
      if (r) redirectPort = Number(r[1]);
      if (m && (!opts.tls?.redirect || r)) { clearTimeout(timer); ok(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const exited = new Promise((r) => proc.on('exit', (code, sig) => r({ code, sig })));
  return {
    url, port, redirectPort, proc, db, stderr: () => stderr,
    async stop({ keepDb = false } = {}) {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const r = await exited;
      if (!keepDb && !opts.db) db.dispose();
      return r;
    },
    async kill() { proc.kill('SIGKILL'); return exited; },
  };
}

// A tiny client that keeps the cookie and CSRF token like the web app does. opts.fetch
// replaces the global fetch (HTTPS with a certificate of the test's own).
export class Client {
  constructor(url, lang = 'en', opts = {}) {
    this.url = url; this.cookie = null; this.csrf = null; this.lang = lang; this.bearer = null;
    this.fetch = opts.fetch || fetch;
  }
  async req(method, path, body, headers = {}) {
    const h = { 'Accept-Language': this.lang, ...headers };
    if (body !== undefined && typeof body !== 'string') { h['Content-Type'] = 'application/json'; body = JSON.stringify(body); }
    if (this.cookie) h.Cookie = this.cookie;
    if (this.bearer) h.Authorization = 'Bearer ' + this.bearer;
    if (this.csrf && method !== 'GET' && !('X-CSRF-Token' in headers)) h['X-CSRF-Token'] = this.csrf;
    const res = await this.fetch(this.url + path, { method, headers: h, body });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) { const m = setCookie.match(/sw_session=([^;]*)/); if (m) this.cookie = m[1] ? `sw_session=${m[1]}` : null; }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON (exports) */ }
    if (json && json.csrf_token) this.csrf = json.csrf_token;
    return { status: res.status, headers: res.headers, json, text };
  }
  get(p, h) { return this.req('GET', p, undefined, h); }
  post(p, b, h) { return this.req('POST', p, b, h); }
  patch(p, b, h) { return this.req('PATCH', p, b, h); }
  put(p, b, h) { return this.req('PUT', p, b, h); }
  del(p, h) { return this.req('DELETE', p, undefined, h); }
  async login(username, password = DEMO_PASSWORD) {
    const r = await this.post('/api/v1/session', { username, password });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
    return r;
  }
}
