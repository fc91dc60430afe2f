// Accounts waiting for approval: a sign-up can log in before the committee links it to
// a household. It may read "me" (with its sign-up), log out and change its password;
// every other route answers 403 until it holds a role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, routeTable, uniq, stopServer } from '../lib/api-helpers.mjs';

const ANY_USER = ['GET /api/v1/me', 'DELETE /api/v1/session', 'POST /api/v1/me/password',
  'POST /api/v1/me/first-password'];

let srv;
let committee;

before(async () => {
  srv = await startServer();
  committee = await loggedIn(srv.url, 'committee');
});

after(async () => {
  await stopServer(srv);
});

// Signs up a new account and logs it in; returns {client, signup, username, password}.
async function signUp(password = 'pending-pass-1') {
  const username = uniq('pd-');
  const r = await new Client(srv.url).post('/api/v1/signup', { username, password, name: '陈待审',
    phone: '13800138000', claimed_address: '3号楼2单元 501' });
  assert.equal(r.status, 201, r.text);
  const client = await loggedIn(srv.url, username, password);
  return { client, signup: r.json.signup, username, password };
}

test('pending-1: /me answers an account without roles, with its sign-up', async () => {
  const { client, signup, username } = await signUp();
  assert.deepEqual(client.me.user.roles, []);
  const me = await client.get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.user.username, username);
  assert.deepEqual(me.json.user.roles, []);
  assert.equal(typeof me.json.csrf_token, 'string');
  const p = me.json.pending_signup;
  assert.ok(p, 'pending_signup present');
  assert.equal(p.id, signup.id);
  assert.equal(p.status, 'pending');
  assert.match(p.submitted_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(p.submitted_at) - Date.now()) < 5 * 60 * 1000, p.submitted_at);
  assert.equal(p.decided_at, null);
  assert.equal(p.community_id, committee.me.community.id);
  assert.equal(p.community_name, committee.me.community.name);
  assert.equal(p.name, '陈待审');
  assert.equal(p.phone, '13800138000');
  assert.equal(p.claimed_address, '3号楼2单元 501');
  // An account with roles gets no such field.
  const staff = await committee.get('/api/v1/me');
  assert.equal(staff.status, 200);
  assert.ok(!('pending_signup' in staff.json), 'no pending_signup for a staff account');
});

test('pending-2: every route but me, logout and password answers 403 to an account without roles', async () => {
  const { client } = await signUp();
  const routes = routeTable();
  const open = routes.filter((r) => r.any_user).map((r) => `${r.method} ${r.pattern}`).sort();
  assert.deepEqual(open, [...ANY_USER].sort(), 'exactly these routes are open to any logged-in user');
  const problems = [];
  for (const route of routes) {
    if (route.public || route.any_user) continue;
    const path = route.pattern.replace(/\{[^}]+\}/g, '1');
    const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
    const r = await client.req(route.method, path, body);
    if (r.status !== 403 || r.json?.error?.code !== 'forbidden') {
      problems.push(`${route.method} ${path}: ${r.status} ${r.text.slice(0, 120)}`);
    }
  }
  assert.deepEqual(problems, []);
  // The ones a person would try first, named: a registry list, a resident by id, exports.
  assertError(await client.get('/api/v1/households'), 403, 'forbidden');
  assertError(await client.get('/api/v1/residents'), 403, 'forbidden');
  const resident = listItems(await committee.get('/api/v1/residents?limit=1'))[0];
  assertError(await client.get(`/api/v1/residents/${resident.id}`), 403, 'forbidden');
  assertError(await client.get('/api/v1/residents?format=csv'), 403, 'forbidden');
  assertError(await client.get('/api/v1/households?print=1'), 403, 'forbidden');
  assertError(await client.post('/api/v1/users/export', {}), 403, 'forbidden');
  // Not even its own preferences: the account is only a request so far.
  assertError(await client.patch('/api/v1/me', { language: 'en' }), 403, 'forbidden');
  assertError(await client.get('/api/v1/tokens'), 403, 'forbidden');
  assertError(await client.get('/api/v1/dashboard'), 403, 'forbidden');
  // The session survived all of that.
  assert.equal((await client.get('/api/v1/me')).status, 200);
});

test('pending-3: CSRF still guards the writes open to an account without roles', async () => {
  const { client } = await signUp();
  const saved = client.csrf;
  client.csrf = null;
  assertError(await client.del('/api/v1/session'), 403, 'csrf_failed');
  assertError(await client.post('/api/v1/me/password', { old_password: 'pending-pass-1', new_password: 'pending-pass-2' }),
    403, 'csrf_failed');
  client.csrf = saved;
  assert.equal((await client.get('/api/v1/me')).status, 200);
});

test('pending-4: an account without roles changes its password and logs out', async () => {
  const { client, username } = await signUp();
  assertError(await client.post('/api/v1/me/password', { old_password: 'wrong-password', new_password: 'pending-pass-2' }),
    400, 'validation_failed', 'old_password');
  const pw = await client.post('/api/v1/me/password', { old_password: 'pending-pass-1', new_password: 'pending-pass-2' });
  assert.equal(pw.status, 200, pw.text);
  assertError(await client.get('/api/v1/me'), 401, 'unauthenticated');
  assert.equal((await new Client(srv.url).post('/api/v1/session', { username, password: 'pending-pass-1' })).status, 401);
  const again = await loggedIn(srv.url, username, 'pending-pass-2');
  assert.equal((await again.get('/api/v1/me')).json.pending_signup.status, 'pending');
  const out = await again.del('/api/v1/session');
  assert.equal(out.status, 200, out.text);
  assertError(await again.get('/api/v1/me'), 401, 'unauthenticated');
  // Audited like anyone's: the password change and the logout, under the account.
  const entries = listItems(await committee.get(`/api/v1/audit?user_id=${again.me.user.id}&limit=500`));
  const actions = entries.map((e) => e.action);
  assert.ok(actions.includes('me.password'), actions.join(','));
  assert.ok(actions.includes('logout'), actions.join(','));
});

test('pending-5: once approved, /me holds the resident role and no sign-up; the registry opens', async () => {
  const { client, signup } = await signUp();
  const household = listItems(await committee.get('/api/v1/households?limit=1'))[0];
  assertError(await client.get(`/api/v1/households/${household.id}`), 403, 'forbidden');
  const ap = await committee.post(`/api/v1/signups/${signup.id}/approve`, { household_id: household.id });
  assert.equal(ap.status, 200, ap.text);
  // The same session: roles are read on every request.
  const me = await client.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.deepEqual(me.json.user.roles.map((r) => [r.role, r.scope_kind, r.scope_id]),
    [['resident', 'household', household.id]]);
  assert.ok(!('pending_signup' in me.json), 'no pending_signup once a role is held');
  assert.equal((await client.get(`/api/v1/households/${household.id}`)).status, 200);
  assert.equal((await client.patch('/api/v1/me', { language: 'en' })).status, 200);
});

test('pending-6: a rejected sign-up keeps its login, reads the refusal and its reason, and nothing else', async () => {
  const { client, signup } = await signUp();
  const rj = await committee.post(`/api/v1/signups/${signup.id}/reject`, { reason: '请向楼组长索取邀请码' });
  assert.equal(rj.status, 200, rj.text);
  const me = await client.get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.deepEqual(me.json.user.roles, []);
  assert.equal(me.json.pending_signup.status, 'rejected');
  assert.equal(me.json.pending_signup.reason, '请向楼组长索取邀请码');
  assert.ok(me.json.pending_signup.decided_at);
  for (const path of ['/api/v1/households', '/api/v1/residents', '/api/v1/dashboard'])
    assertError(await client.get(path), 403, 'forbidden');
  // Rejected without a reason: the reason is null.
  const other = await signUp();
  assert.equal((await committee.post(`/api/v1/signups/${other.signup.id}/reject`, {})).status, 200);
  assert.equal((await other.client.get('/api/v1/me')).json.pending_signup.reason, null);
});
