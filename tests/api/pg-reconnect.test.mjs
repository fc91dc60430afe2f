// The database goes away and comes back (a failover, a restart): requests in flight
// fail cleanly with 503 and a Retry-After, nothing is acknowledged that was not
// committed, health says `degraded` meanwhile, and the server reconnects by itself.
// PostgreSQL only: the test stops and starts the private cluster pg-cluster.sh runs
// (tests run one file at a time, so no other test is using it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, Client, BACKEND } from '../lib/server.mjs';
import { loggedIn, listItems, sleep, stopServer } from '../lib/api-helpers.mjs';

const PG = BACKEND === 'postgresql';
let srv;

function pgCtl(args) {
  const cmd = ['pg_ctl', '-D', process.env.SHOUWANG_PG_DATA, ...args];
  if (process.getuid() === 0) execFileSync('runuser', ['-u', 'postgres', '--', ...cmd], { stdio: 'ignore' });
  else execFileSync(cmd[0], cmd.slice(1), { stdio: 'ignore' });
}
const pgStop = () => pgCtl(['-m', 'immediate', '-w', 'stop']);
const pgStart = () => pgCtl(['-l', `${process.env.SHOUWANG_PG_DATA}/../server.log`, '-w', '-t', '60', 'start']);

// Polls until fn() is true or the time is up; returns whether it became true.
async function eventually(fn, ms = 20000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) if (await fn()) return true;
  return false;
}

before(async () => { if (PG) srv = await startServer(); });
after(async () => { if (srv) await stopServer(srv); });

test('the database stopped and started again: 503 with Retry-After meanwhile, then work as before',
  { skip: !PG && 'PostgreSQL only' }, async () => {
    const anon = new Client(srv.url);
    const committee = await loggedIn(srv.url, 'committee');
    const before = listItems(await committee.get('/api/v1/residents?limit=1'))[0];
    assert.ok(before, 'the demo has residents');
    assert.equal((await anon.get('/api/v1/health')).json.status, 'ok');

    pgStop();
    try {
      // A read that needs the database: 503, never a 500 or a logout (401).
      const read = await committee.get('/api/v1/residents?limit=1');
      assert.equal(read.status, 503, `read while down: ${read.status} ${read.text}`);
      assert.equal(read.json.error.code, 'unavailable');
      assert.ok(Number(read.headers.get('retry-after')) >= 1, 'Retry-After on a read');
      // A write: not acknowledged.
      const write = await committee.patch('/api/v1/me', { display_name: 'Written while down' });
      assert.equal(write.status, 503, `write while down: ${write.status} ${write.text}`);
      assert.ok(Number(write.headers.get('retry-after')) >= 1, 'Retry-After on a write');
      // A new login cannot be checked either: 503, not "wrong password".
      const login = await new Client(srv.url).req('POST', '/api/v1/session',
        { username: 'zone', password: 'shouwang-demo' });
      assert.equal(login.status, 503, `login while down: ${login.status} ${login.text}`);
      // Health tells the balancer to send work elsewhere.
      assert.ok(await eventually(async () => (await anon.get('/api/v1/health')).json?.status === 'degraded', 5000),
        'health says degraded while the database is away');
      const health = await anon.get('/api/v1/health');
      assert.equal(health.status, 503);
      assert.equal(health.json.database, 'unreachable');
    } finally {
      pgStart();
    }
    // Back by itself, without a restart of the server.
    assert.ok(await eventually(async () => (await committee.get('/api/v1/residents?limit=1')).status === 200),
      'reads work again');
    assert.ok(await eventually(async () => (await anon.get('/api/v1/health')).json?.status === 'ok'),
      'health is ok again');
    const me = await committee.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.notEqual(me.json.user.display_name, 'Written while down', 'the refused write was not applied');
    const w = await committee.patch('/api/v1/me', { display_name: 'After the failover' });
    assert.equal(w.status, 200, `write after: ${w.status} ${w.text}`);
    assert.equal((await committee.get('/api/v1/me')).json.user.display_name, 'After the failover');
  });

test('a connection string with several hosts reaches the one that takes writes',
  { skip: !PG && 'PostgreSQL only' }, async () => {
    // The first host is a port nobody listens on; libpq tries the next, and
    // target_session_attrs=read-write makes it skip any standby.
    const base = process.env.SHOUWANG_PG_BASE;
    const port = /port=(\d+)/.exec(base)[1];
    const db = /dbname=(\S+)/.exec(srv.db.args[1])[1];
    const multi = `host=127.0.0.1,127.0.0.1 port=1,${port} user=postgres dbname=${db} ` +
      'target_session_attrs=read-write';
    const second = await startServer({ db: { ...srv.db, args: ['--pg', multi], dispose() {} } });
    try {
      const c = await loggedIn(second.url, 'committee');
      const w = await c.patch('/api/v1/me', { display_name: 'Via two hosts' });
      assert.equal(w.status, 200, `${w.status} ${w.text}`);
      assert.equal((await c.get('/api/v1/me')).json.user.display_name, 'Via two hosts');
    } finally {
      await stopServer(second, { keepDb: true });
    }
  });
