// The command line: init, demo, online backup and restore, user administration, help
// and version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { startServer, freshDatabase, runCli, Client, DEMO_USERS, DEMO_PASSWORD } from '../lib/server.mjs';
import { loggedIn, createUser, listItems, runBin, runCliResult, uniq, stopServer } from '../lib/api-helpers.mjs';

let db;
let srv;

before(() => {
  db = freshDatabase();
  runCli(db, ['init']);
  runCli(db, ['demo']);
});

after(async () => {
  try {
    await stopServer(srv);
  } finally {
    if (db) db.dispose();
  }
});

async function canLogin(url, username, password = DEMO_PASSWORD) {
  const r = await new Client(url).post('/api/v1/session', { username, password });
  return r.status;
}

test('a database made by init and demo serves the demo users', async () => {
  srv = await startServer({ db });
  for (const u of DEMO_USERS) assert.equal(await canLogin(srv.url, u), 200, u);
  const h = await new Client(srv.url).get('/api/v1/health');
  assert.ok(h.json.migration >= 1);
});

test('init on an initialised database destroys nothing', async () => {
  runCliResult(db, ['init']);   /* refusing is fine too */
  for (const u of DEMO_USERS) assert.equal(await canLogin(srv.url, u), 200, u);
});

test('backup while serving, change, restore: the change is gone', async () => {
  const out = join(db.dir, 'backup.out');
  const committee = await loggedIn(srv.url, 'committee');
  const printed = runCli(db, ['backup', out]);
  assert.equal(typeof printed, 'string');
  assert.ok(existsSync(out), 'the backup file exists');
  assert.ok(statSync(out).size > 0, 'the backup is not empty');

  const added = await createUser(committee, { username: uniq('after-backup-'), display_name: 'After Backup',
    password: 'after-backup-1' });
  assert.equal(await canLogin(srv.url, added.username, added.password), 200);
  const renamed = await committee.patch('/api/v1/me', { display_name: 'Renamed After Backup' });
  assert.equal(renamed.status, 200);

  await stopServer(srv, { keepDb: true });
  srv = null;
  runCli(db, ['restore', out]);
  srv = await startServer({ db });

  assert.equal(await canLogin(srv.url, added.username, added.password), 401, 'the user made after the backup is gone');
  for (const u of DEMO_USERS) assert.equal(await canLogin(srv.url, u), 200, `${u} logs in after the restore`);
  const c = await loggedIn(srv.url, 'committee');
  assert.notEqual(c.me.user.display_name, 'Renamed After Backup');
  const users = listItems(await c.get('/api/v1/users?limit=500'));
  assert.ok(!users.some((u) => u.username === added.username));
  assert.ok(users.some((u) => u.username === 'volunteer'));
});

test('restore of a missing file fails and leaves the database alone', async () => {
  const r = runCliResult(db, ['restore', join(db.dir, 'no-such-backup')]);
  assert.notEqual(r.status, 0, 'restore fails');
  assert.match(r.stderr, /no-such-backup/, `names the file: ${r.stderr}`);
  assert.equal(await canLogin(srv.url, 'committee'), 200);
});

test('user add / passwd / list on the command line', async () => {
  const name = uniq('cli');
  runCli(db, ['user', 'add', '--community', '1', '--username', name, '--display-name', 'U 1',
    '--role', 'volunteer', '--password', 'secret-pass-1']);
  const c = new Client(srv.url);
  const r = await c.post('/api/v1/session', { username: name, password: 'secret-pass-1' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.display_name, 'U 1');
  assert.ok(r.json.user.roles.some((x) => x.role === 'volunteer'));
  assert.equal(r.json.user.community_id, 1);

  runCli(db, ['user', 'passwd', '--username', name, '--password', 'new-pass-22']);
  assert.equal(await canLogin(srv.url, name, 'new-pass-22'), 200);
  assert.equal(await canLogin(srv.url, name, 'secret-pass-1'), 401);

  const listed = runCli(db, ['user', 'list', '--community', '1']);
  assert.match(listed, new RegExp(`\\b${name}\\b`));
  assert.match(listed, /\bcommittee\b/);
  assert.doesNotMatch(listed, /argon2|secret-pass|new-pass/, 'no password material');
});

test('user add refuses a duplicate username and a weak password', () => {
  const dup = runCliResult(db, ['user', 'add', '--community', '1', '--username', 'committee',
    '--display-name', 'Dup', '--role', 'volunteer', '--password', 'secret-pass-1']);
  assert.notEqual(dup.status, 0, 'a duplicate username fails');
  assert.ok(dup.stderr.length > 0, 'and says why');
  const weakName = uniq('weak');
  const weak = runCliResult(db, ['user', 'add', '--community', '1', '--username', weakName,
    '--display-name', 'Weak', '--role', 'volunteer', '--password', 'short']);
  assert.notEqual(weak.status, 0, 'a short password fails');
  assert.match(weak.stderr, /password/i);
  assert.doesNotMatch(weak.stderr, /\berr\.[a-z_]+/, `a message, not an i18n key: ${weak.stderr}`);
  assert.doesNotMatch(runCli(db, ['user', 'list', '--community', '1']), new RegExp(weakName), 'nothing was created');
});

test('--help, serve --help and version', async () => {
  const help = runBin(['--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout + help.stderr, /usage/i);
  assert.match(help.stdout + help.stderr, /serve/);
  const serveHelp = runBin(['serve', '--help']);
  assert.equal(serveHelp.status, 0, serveHelp.stderr);
  assert.match(serveHelp.stdout + serveHelp.stderr, /usage/i);
  assert.match(serveHelp.stdout + serveHelp.stderr, /--listen/);
  const version = runBin(['version']);
  assert.equal(version.status, 0, version.stderr);
  const h = await new Client(srv.url).get('/api/v1/health');
  assert.ok(version.stdout.includes(h.json.version), `version prints ${h.json.version}: ${version.stdout}`);
  const bad = runBin(['no-such-command']);
  assert.notEqual(bad.status, 0, 'an unknown command fails');
});
