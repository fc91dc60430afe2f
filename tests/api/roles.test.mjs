// The role matrix: every route from `shouwang routes --json`, without a session and as
// each demo user; then scope denials that the matrix cannot see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_USERS } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, routeTable, createUser, jobOf, waitJob, uniq, stopServer, runBin }
  from '../lib/api-helpers.mjs';
import { ROLE_ORDER, LEADER_ROLES } from '../../web/src/roles.js';

const routes = routeTable();
const serverRoles = JSON.parse(runBin(['roles', '--json']).stdout);
// What an allowed caller may get for the matrix's request (id 1 for reads, 999999 and an
// empty body for writes): a success, or one error that the request itself explains —
// a missing field, a record that is not there (or outside the caller's scope), or a
// body that is not the upload the route reads. Nothing else, and never 401 or 403.
const ALLOWED_ERRORS = { 400: 'validation_failed', 404: 'not_found', 415: 'unsupported_media_type' };
const UPLOAD_ROUTES = new Set(['POST /api/v1/registry/import']);
function allowedProblem(route, res) {
  if (res.status >= 200 && res.status < 300) return null;
  const code = ALLOWED_ERRORS[res.status];
  if (!code) return `status ${res.status}`;
  if (res.json?.error?.code !== code) return `${res.status} with code ${res.json?.error?.code}, not ${code}`;
  if (res.status === 400 && !res.json.error.field) return '400 without the field it is about';
  if (res.status === 415 && !UPLOAD_ROUTES.has(`${route.method} ${route.pattern}`)) return '415 on a JSON route';
  return null;
}

let srv;
const clients = {};
const roles = {};

before(async () => {
  // The matrix sends every public route refused requests from eight callers at one
  // address; the per-address limit on those is tested in security-auth.test.mjs.
  srv = await startServer({ env: { SHOUWANG_LOGIN_FAIL_ADDRESS: '1000' } });
  for (const u of DEMO_USERS) {
    clients[u] = await loggedIn(srv.url, u);
    roles[u] = clients[u].me.user.roles.map((r) => r.role);
  }
});

after(async () => {
  await stopServer(srv);
});

function concrete(route) {
  const id = route.write ? '999999' : '1';
  return route.pattern.replace(/\{[^}]+\}/g, id);
}

async function send(client, route) {
  const path = concrete(route);
  // A GET may be a write (a printed sheet that issues codes): it still has no body.
  const body = route.method !== 'GET' && (route.write || ['POST', 'PUT', 'PATCH'].includes(route.method)) ? {} : undefined;
  return client.req(route.method, path, body);
}

test('roles --json lists the roles once, and the web app knows the same ones in the same order', () => {
  assert.deepEqual(serverRoles.map((r) => r.name), ROLE_ORDER);
  const bits = serverRoles.map((r) => r.bit);
  assert.equal(new Set(bits).size, bits.length, 'one bit each');
  for (const r of serverRoles) {
    assert.ok(Number.isInteger(Math.log2(r.bit)), `${r.name} has one bit`);
    assert.ok(['global', 'community', 'zone', 'block', 'household'].includes(r.scope_kind), JSON.stringify(r));
  }
  const kinds = Object.fromEntries(serverRoles.map((r) => [r.name, r.scope_kind]));
  assert.equal(kinds.zone_leader, 'zone');
  assert.equal(kinds.block_leader, 'block');
  assert.equal(kinds.resident, 'household');
  for (const role of LEADER_ROLES) assert.ok(ROLE_ORDER.includes(role), `leader role ${role} is a role`);
  // The text form names the same roles.
  const text = runBin(['roles']).stdout.trim().split('\n').map((line) => line.split(/\s+/)[0]);
  assert.deepEqual(text, ROLE_ORDER);
});

test('routes --json describes every route', () => {
  const seen = new Set();
  for (const r of routes) {
    assert.ok(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method), JSON.stringify(r));
    assert.match(r.pattern, /^\/api\/v1\//, JSON.stringify(r));
    assert.ok(Array.isArray(r.roles), JSON.stringify(r));
    assert.equal(typeof r.public, 'boolean');
    assert.equal(typeof r.write, 'boolean');
    if (!r.public) assert.ok(r.roles.length > 0, `a private route names its roles: ${JSON.stringify(r)}`);
    for (const role of r.roles) {
      assert.ok(serverRoles.some((known) => known.name === role), `known role ${role}`);
    }
    const key = `${r.method} ${r.pattern}`;
    assert.ok(!seen.has(key), `listed once: ${key}`);
    seen.add(key);
  }
  for (const must of ['GET /api/v1/health', 'POST /api/v1/session', 'DELETE /api/v1/session', 'GET /api/v1/me',
    'PATCH /api/v1/me', 'POST /api/v1/me/password', 'POST /api/v1/tokens', 'GET /api/v1/tokens',
    'GET /api/v1/users', 'GET /api/v1/audit', 'GET /api/v1/jobs/{id}']) {
    assert.ok(seen.has(must), `route ${must} listed`);
  }
  const pub = new Set(routes.filter((r) => r.public).map((r) => `${r.method} ${r.pattern}`));
  assert.ok(pub.has('GET /api/v1/health') && pub.has('POST /api/v1/session'), 'health and login are public');
  for (const r of ['GET /api/v1/me', 'GET /api/v1/users', 'GET /api/v1/audit', 'DELETE /api/v1/session']) {
    assert.ok(!pub.has(r), `${r} is not public`);
  }
});

for (const route of routes) {
  test(`matrix: ${route.method} ${route.pattern}`, async () => {
    const problems = [];
    const statuses = new Set();     // answers of the allowed callers; a 404 is their scope
    const anon = new Client(srv.url);
    const r0 = await send(anon, route);
    if (route.public) {
      if (r0.status === 401 || r0.status === 403 || r0.status >= 500) problems.push(`anonymous on a public route: ${r0.status}`);
    } else if (r0.status !== 401 || r0.json?.error?.code !== 'unauthenticated') {
      problems.push(`anonymous: expected 401 unauthenticated, got ${r0.status} ${r0.text.slice(0, 120)}`);
    }

    for (const u of DEMO_USERS) {
      const allowed = route.public || roles[u].some((r) => route.roles.includes(r));
      let res = await send(clients[u], route);
      if (allowed && res.status === 401) {
        // An earlier route may have ended this session (logout): log in again once.
        if ((await clients[u].get('/api/v1/me')).status === 401) {
          clients[u] = await loggedIn(srv.url, u);
          res = await send(clients[u], route);
        }
      }
      if (allowed) {
        const problem = allowedProblem(route, res);
        if (problem) problems.push(`${u} (allowed): ${problem}: ${res.text.slice(0, 160)}`);
        statuses.add(res.status === 404 ? 'scope' : res.status);
      } else if (res.status !== 403 || res.json?.error?.code !== 'forbidden') {
        problems.push(`${u} (not allowed): expected 403 forbidden, got ${res.status} ${res.text.slice(0, 160)}`);
      }
      if (route.method === 'DELETE' && route.pattern === '/api/v1/session') {
        clients[u] = await loggedIn(srv.url, u);
      }
    }
    // Callers allowed by the role get the same answer, unless their scope hides the record.
    statuses.delete('scope');
    if (statuses.size > 1) problems.push(`allowed callers disagree: ${[...statuses]}`);
    assert.deepEqual(problems, [], `${route.method} ${route.pattern} [${route.roles}]`);
  });
}

test('writes without the CSRF header are refused before the role check matters', async () => {
  const c = await loggedIn(srv.url, 'committee');
  for (const route of routes.filter((r) => r.method !== 'GET' && !r.public)) {
    const path = concrete(route);
    const saved = c.csrf;
    c.csrf = null;
    const r = await c.req(route.method, path, route.method === 'DELETE' ? undefined : {});
    c.csrf = saved;
    assertError(r, 403, 'csrf_failed');
  }
  assert.equal((await c.get('/api/v1/me')).status, 200, 'the session survived');
});

test('leaders, volunteers and residents cannot read users or the audit log', async () => {
  for (const u of ['zone', 'block', 'volunteer', 'resident']) {
    const c = await loggedIn(srv.url, u);
    assertError(await c.get('/api/v1/users'), 403, 'forbidden');
    assertError(await c.get('/api/v1/audit'), 403, 'forbidden');
    assertError(await c.get('/api/v1/users?format=csv'), 403, 'forbidden');
    assertError(await c.post('/api/v1/users', { username: uniq('x'), display_name: 'X', password: 'long-enough-1', roles: [{ role: 'volunteer' }] }),
      403, 'forbidden');
  }
});

test('a bearer token carries its owner\'s roles, no more', async () => {
  const v = await loggedIn(srv.url, 'volunteer');
  const t = await v.post('/api/v1/tokens', { name: 'volunteer-int' });
  assert.equal(t.status, 201, t.text);
  const api = new Client(srv.url);
  api.bearer = t.json.token;
  assert.equal((await api.get('/api/v1/me')).status, 200);
  assertError(await api.get('/api/v1/users'), 403, 'forbidden');
  assertError(await api.get('/api/v1/audit'), 403, 'forbidden');
});

test('a committee member cannot see another user\'s job', async () => {
  const committee = await loggedIn(srv.url, 'committee');
  const other = await createUser(committee, { username: uniq('com2-'), display_name: 'Second Committee',
    password: 'second-committee-1', roles: [{ role: 'committee' }] });
  const c2 = await loggedIn(srv.url, other.username, other.password);
  assert.ok(c2.me.user.roles.some((r) => r.role === 'committee'), JSON.stringify(c2.me.user.roles));
  assert.equal(c2.me.user.community_id, committee.me.user.community_id);

  const started = await committee.post('/api/v1/users/export', { format: 'csv' });
  assert.equal(started.status, 202, started.text);
  const id = jobOf(started).id;
  assert.ok(id !== undefined && id !== null);
  assert.equal((await committee.get(`/api/v1/jobs/${id}`)).status, 200);
  assertError(await c2.get(`/api/v1/jobs/${id}`), 404, 'not_found');
  assertError(await c2.get(`/api/v1/jobs/${id}/result`), 404, 'not_found');
  assert.equal((await waitJob(committee, id)).job.state, 'done');
  assertError(await c2.get(`/api/v1/jobs/${id}/result`), 404, 'not_found');
});

test('the superuser lists communities; a committee member may not', async () => {
  const admin = await loggedIn(srv.url, 'admin');
  const r = await admin.get('/api/v1/communities');
  const items = listItems(r, 'communities');
  const committee = await loggedIn(srv.url, 'committee');
  const demo = items.find((c) => c.id === committee.me.community.id);
  assert.ok(demo, `the demo community is listed: ${r.text.slice(0, 300)}`);
  assert.equal(demo.name, committee.me.community.name);
  assertError(await committee.get('/api/v1/communities'), 403, 'forbidden');
  for (const u of ['zone', 'block', 'volunteer', 'resident']) {
    assertError(await (await loggedIn(srv.url, u)).get('/api/v1/communities'), 403, 'forbidden');
  }
});

test('communities do not see each other', async () => {
  const admin = await loggedIn(srv.url, 'admin');
  const committee = await loggedIn(srv.url, 'committee');
  const home = committee.me.community.id;
  const made = await admin.post('/api/v1/communities', { name: '另一个社区', timezone: 'Asia/Shanghai' });
  assert.equal(made.status, 201, made.text);
  const otherId = made.json.community.id;
  assert.ok(Number.isInteger(otherId) && otherId !== home);
  const listed = listItems(await admin.get('/api/v1/communities?limit=500'));
  assert.ok(listed.some((c) => c.id === otherId && c.name === '另一个社区'));

  // The superuser makes the other community's first committee member.
  const name = uniq('far-');
  const u = await admin.post('/api/v1/users', { username: name, display_name: 'Far Committee',
    password: 'far-committee-1', roles: [{ role: 'committee' }], community_id: otherId });
  assert.equal(u.status, 201, u.text);
  assert.equal(u.json.user.community_id, otherId);
  const far = await loggedIn(srv.url, name, 'far-committee-1');
  assert.equal(far.me.community.id, otherId);

  // Neither committee sees the other's people or audit entries.
  const homeUsers = listItems(await committee.get('/api/v1/users?limit=500'));
  assert.ok(!homeUsers.some((x) => x.username === name), 'the far member is not listed at home');
  const farUsers = listItems(await far.get('/api/v1/users?limit=500'));
  assert.deepEqual(farUsers.map((x) => x.username), [name], 'the far community holds only its member');
  const farAudit = listItems(await far.get('/api/v1/audit?limit=500'));
  assert.ok(!farAudit.some((e) => e.user_id === committee.me.user.id), 'no home entries in the far audit log');
  const homeAudit = listItems(await committee.get(`/api/v1/audit?user_id=${far.me.user.id}&limit=500`));
  assert.equal(homeAudit.length, 0, 'no far entries in the home audit log');
  const csv = await committee.get('/api/v1/users?format=csv');
  assert.ok(!csv.text.includes(name), 'exports keep the scope');

  // A committee member cannot place a user in another community.
  const sneaky = uniq('sneak-');
  const r = await committee.post('/api/v1/users', { username: sneaky, display_name: 'Sneaky',
    password: 'sneaky-pass-1', roles: [{ role: 'volunteer' }], community_id: otherId });
  // community_id from a committee member is ignored: the user lands in the caller's own community
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.user.community_id, home, 'community_id from a committee member is ignored');
  assert.ok(!listItems(await far.get('/api/v1/users?limit=500')).some((x) => x.username === sneaky));

  // A far committee member cannot revoke a home token or read a home job.
  const tok = await committee.post('/api/v1/tokens', { name: 'home-token' });
  assert.equal(tok.status, 201);
  assertError(await far.del(`/api/v1/tokens/${tok.json.id}`), 404, 'not_found');
  const job = await committee.post('/api/v1/users/export', { format: 'csv' });
  assert.equal(job.status, 202);
  assertError(await far.get(`/api/v1/jobs/${jobOf(job).id}`), 404, 'not_found');
  assert.equal((await waitJob(committee, jobOf(job).id)).job.state, 'done');
});
