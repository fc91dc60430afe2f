// Day one for a committee and its block leaders: logins made from the app (from a post
// on the structure page, from a resident's record) with a printed slip holding a
// one-time password and a one-time login link, the forced first password, who may make
// logins for whom, logins that are phone numbers or Chinese names, and the structure's
// own day-one repairs: a block name twice in one zone, deleting an empty block or zone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, uniq } from '../lib/api-helpers.mjs';
import { dbRows } from '../lib/db-query.mjs';

if (!Client.prototype.put) Client.prototype.put = function put(p, b, h) { return this.req('PUT', p, b, h); };

let srv;
const c = {};
let zone1;          // the zone login's zone
let otherZone;      // a zone the zone login does not lead
let phoneSeq = 0;

// A mobile number no other test uses.
function newPhone() {
  phoneSeq += 1;
  return `137${String(Date.now() % 1e6).padStart(6, '0')}${String(phoneSeq).padStart(2, '0')}`;
}

// A block in `zone` with one household and one resident; the building's leader post
// holds the resident alone (no account). Returns {block, household, resident, post}.
async function blockWithLeader(zone, name = uniq('登录楼')) {
  const b = await c.committee.post('/api/v1/blocks', { name, zone_id: zone });
  assert.equal(b.status, 201, b.text);
  const h = await c.committee.post('/api/v1/households', { block_id: b.json.block.id, room: '101' });
  assert.equal(h.status, 201, h.text);
  const r = await c.committee.post('/api/v1/residents', { household_id: h.json.household.id, name: '赵杭杰',
    birth_year: 1961, phone: newPhone() });
  assert.equal(r.status, 201, r.text);
  const set = await c.committee.put(`/api/v1/blocks/${b.json.block.id}/leaders`,
    { leader: { resident_id: r.json.resident.id } });
  assert.equal(set.status, 200, set.text);
  return { block: b.json.block, household: h.json.household, resident: r.json.resident, post: set.json.leaders[0] };
}

async function loginWith(username, password) {
  const cl = new Client(srv.url);
  const r = await cl.post('/api/v1/session', { username, password });
  return { cl, r };
}

function scopeOf(client, role) {
  return client.me.user.roles.find((r) => r.role === role).scope_id;
}

async function auditOf(client, action, targetId) {
  const items = await walkList(client, `/api/v1/audit?action=${encodeURIComponent(action)}`);
  return items.filter((e) => targetId === undefined || e.target_id === targetId);
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  c.committeeZh = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  zone1 = scopeOf(c.zone, 'zone_leader');
  const zones = listItems(await c.committee.get('/api/v1/zones'));
  otherZone = zones.find((z) => z.id !== zone1).id;
});

after(async () => {
  if (srv) await srv.stop();
});

test('structure: a second block of the same name in one zone is refused with 409 naming name', async () => {
  const name = uniq('重名楼');
  const first = await c.committee.post('/api/v1/blocks', { name, zone_id: zone1 });
  assert.equal(first.status, 201, first.text);
  const again = await c.committee.post('/api/v1/blocks', { name: ` ${name.toUpperCase()} `, zone_id: zone1 });
  assertError(again, 409, 'conflict', 'name');
  assert.match(again.json.error.message, /already has a block of this name/);
  const zh = await c.committeeZh.post('/api/v1/blocks', { name, zone_id: zone1 });
  assertError(zh, 409, 'conflict', 'name');
  assert.match(zh.json.error.message, /同名的楼组/);
  // The same name in another zone is another block.
  const elsewhere = await c.committee.post('/api/v1/blocks', { name, zone_id: otherZone });
  assert.equal(elsewhere.status, 201, elsewhere.text);
  // Moving that one into the first zone, or renaming a block there to the name, is refused too.
  assertError(await c.committee.patch(`/api/v1/blocks/${elsewhere.json.block.id}`, { zone_id: zone1 }), 409,
    'conflict', 'name');
  const third = await c.committee.post('/api/v1/blocks', { name: uniq('另一楼'), zone_id: zone1 });
  assertError(await c.committee.patch(`/api/v1/blocks/${third.json.block.id}`, { name }), 409, 'conflict', 'name');
  // Nothing changed: one block of that name in zone 1.
  const inZone = listItems(await c.committee.get(`/api/v1/blocks?zone_id=${zone1}&limit=500`));
  assert.equal(inZone.filter((b) => b.name === name).length, 1);
  // Renaming a block to its own name is no conflict.
  const same = await c.committee.patch(`/api/v1/blocks/${first.json.block.id}`, { name });
  assert.equal(same.status, 200, same.text);
});

test('structure: an empty block and an empty zone can be deleted (audited); not when they hold something', async () => {
  const zone = await c.committee.post('/api/v1/zones', { name: uniq('待删片区') });
  assert.equal(zone.status, 201, zone.text);
  const zid = zone.json.zone.id;
  const block = await c.committee.post('/api/v1/blocks', { name: uniq('待删楼'), zone_id: zid });
  const bid = block.json.block.id;
  const house = await c.committee.post('/api/v1/households', { block_id: bid, room: '101' });
  assert.equal(house.status, 201, house.text);

  // Denied to leaders and others.
  for (const who of ['zone', 'block', 'volunteer', 'resident']) {
    assertError(await c[who].del(`/api/v1/blocks/${bid}`), 403, 'forbidden');
    assertError(await c[who].del(`/api/v1/zones/${zid}`), 403, 'forbidden');
  }
  // Not empty: 409 and nothing changes.
  const busy = await c.committee.del(`/api/v1/blocks/${bid}`);
  assertError(busy, 409, 'conflict', 'households');
  assertError(await c.committeeZh.del(`/api/v1/blocks/${bid}`), 409, 'conflict', 'households');
  assertError(await c.committee.del(`/api/v1/zones/${zid}`), 409, 'conflict', 'blocks');
  assert.equal((await c.committee.get(`/api/v1/blocks/${bid}`)).status, 200);

  // Emptied (the household moved to another block), the block goes, then the zone.
  const other = await c.committee.post('/api/v1/blocks', { name: uniq('接收楼'), zone_id: zone1 });
  const moved = await c.committee.patch(`/api/v1/households/${house.json.household.id}`,
    { block_id: other.json.block.id });
  assert.equal(moved.status, 200, moved.text);
  const gone = await c.committee.del(`/api/v1/blocks/${bid}`);
  assert.equal(gone.status, 200, gone.text);
  assertError(await c.committee.get(`/api/v1/blocks/${bid}`), 404, 'not_found');
  assertError(await c.committee.del(`/api/v1/blocks/${bid}`), 404, 'not_found');
  const zoneGone = await c.committee.del(`/api/v1/zones/${zid}`);
  assert.equal(zoneGone.status, 200, zoneGone.text);
  assertError(await c.committee.get(`/api/v1/zones/${zid}`), 404, 'not_found');
  assert.equal((await auditOf(c.committee, 'block.delete', bid)).length, 1);
  assert.equal((await auditOf(c.committee, 'zone.delete', zid)).length, 1);
});

test('structure: deleting an empty block takes its posts and the scope they gave', async () => {
  const block = await c.committee.post('/api/v1/blocks', { name: uniq('有组长的空楼'), zone_id: zone1 });
  const bid = block.json.block.id;
  const made = await c.committee.post('/api/v1/users', { username: uniq('lead-'), display_name: '临时组长',
    password: 'temp-pass-123', roles: [{ role: 'volunteer' }] });
  assert.equal(made.status, 201, made.text);
  const uid = made.json.user.id;
  const set = await c.committee.put(`/api/v1/blocks/${bid}/leaders`, { leader: { user_id: uid } });
  assert.equal(set.status, 200, set.text);
  const gone = await c.committee.del(`/api/v1/blocks/${bid}`);
  assert.equal(gone.status, 200, gone.text);
  const users = listItems(await c.committee.get(`/api/v1/users?q=${encodeURIComponent(made.json.user.username)}`));
  assert.deepEqual(users[0].roles.map((r) => r.role), ['volunteer']);
  const entry = (await auditOf(c.committee, 'block.delete', bid))[0];
  assert.deepEqual(entry.detail.removed_user_ids, [uid]);
});

// Logins as people type them on a phone: a mobile number, a name in Chinese. One
// account whatever the width or case; login and its throttling use the same form.
test('logins: a phone number and a Chinese name are logins; full-width and case forms are the same account', async () => {
  const phone = `139${String(Date.now()).slice(-8)}`;
  const name = '赵杭杰' + String.fromCharCode(0x4e00 + (Date.now() % 5000));
  const made = [];
  for (const username of [phone, name]) {
    const r = await c.committee.post('/api/v1/users', { username, display_name: '赵杭杰', password: 'phone-pass-123',
      roles: [{ role: 'volunteer' }] });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.user.username, username);
    made.push(r.json.user);
  }
  // Full-width digits (a Chinese keyboard) name the same login: taken.
  const wide = phone.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  assertError(await c.committee.post('/api/v1/users', { username: wide, display_name: 'x', password: 'phone-pass-123',
    roles: [{ role: 'volunteer' }] }), 409, 'conflict', 'username');
  const upper = uniq('Lower.');
  const u1 = await c.committee.post('/api/v1/users', { username: upper, display_name: 'x', password: 'phone-pass-123',
    roles: [{ role: 'volunteer' }] });
  assert.equal(u1.status, 201, u1.text);
  assert.equal(u1.json.user.username, upper.toLowerCase());
  assertError(await c.committee.post('/api/v1/users', { username: upper.toLowerCase(), display_name: 'x',
    password: 'phone-pass-123', roles: [{ role: 'volunteer' }] }), 409, 'conflict', 'username');
  // Refused: spaces inside, other signs, a single character, both languages.
  for (const bad of ['赵 杭杰', 'a@b.cn', '赵', '😀😀😀']) {
    const r = await c.committee.post('/api/v1/users', { username: bad, display_name: 'x', password: 'phone-pass-123',
      roles: [{ role: 'volunteer' }] });
    assertError(r, 400, 'validation_failed', 'username');
  }
  const zh = await c.committeeZh.post('/api/v1/users', { username: 'a@b.cn', display_name: 'x',
    password: 'phone-pass-123', roles: [{ role: 'volunteer' }] });
  assert.match(zh.json.error.message, /手机号或中文姓名/);
  // Log in with each, as typed and in full width.
  for (const username of [phone, wide, name, upper.toUpperCase()]) {
    const cl = new Client(srv.url);
    const r = await cl.post('/api/v1/session', { username, password: 'phone-pass-123' });
    assert.equal(r.status, 200, `${username}: ${r.text}`);
  }
});

test('logins: throttling counts a Chinese login in all its forms together', async () => {
  const name = '钱塘江' + String.fromCharCode(0x4e00 + (Date.now() % 1000));
  const r = await c.committee.post('/api/v1/users', { username: name, display_name: name, password: 'right-pass-123',
    roles: [{ role: 'volunteer' }] });
  assert.equal(r.status, 201, r.text);
  const cl = new Client(srv.url);
  // Five wrong passwords, under the name and its NFC-equal form with a space around it.
  for (let i = 0; i < 5; i++) {
    const typed = i % 2 ? ` ${name} ` : name;
    assertError(await cl.post('/api/v1/session', { username: typed, password: `wrong-${i}-pass` }), 401,
      'unauthenticated');
  }
  const locked = await cl.post('/api/v1/session', { username: name, password: 'right-pass-123' });
  assertError(locked, 429, 'throttled');
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
});


// ---------------------------------------------------------------- logins from the app

test('logins: committee staff make a block leader\'s login from the post; the one-time password works once and forces a change', async () => {
  const { block, resident, post } = await blockWithLeader(zone1);
  const phone = resident.phone;
  const made = await c.committee.post(`/api/v1/posts/${post.id}/login`, { username: phone });
  assert.equal(made.status, 201, made.text);
  const { user, slip } = made.json;
  assert.equal(user.username, phone);
  assert.equal(user.display_name, '赵杭杰');
  assert.match(slip.password, /^\d{5} \d{5}$/);
  assert.match(slip.link, /\/first-login\?token=[A-Za-z0-9_-]{43}$/);
  assert.equal(slip.url, `/api/v1/login-slips/${slip.id}`);
  // The post now names the account; the account leads the block and is the resident.
  const leaders = await c.committee.get(`/api/v1/blocks/${block.id}/leaders`);
  assert.equal(leaders.json.leaders[0].user.id, user.id);
  assert.equal(leaders.json.leaders[0].user.username, phone);
  const listed = listItems(await c.committee.get(`/api/v1/users?q=${phone}`))[0];
  assert.deepEqual(listed.roles.map((r) => `${r.role}:${r.scope_id}`).sort(),
    [`block_leader:${block.id}`, `resident:${resident.household_id}`].sort());

  // The printed slip: community, name, post, login, password, the QR of the link.
  const page = await c.committee.get(slip.url);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  for (const part of ['阳光绿园', '赵杭杰', block.name, phone, slip.password, 'data-kind="login"', '<svg'])
    assert.ok(page.text.includes(part), `slip shows ${part}`);
  assert.ok(!page.text.includes('<script'), 'no script on the slip');

  // The one-time password, typed without the space: a session that must set its password.
  const first = await loginWith(phone, slip.password.replace(' ', ''));
  assert.equal(first.r.status, 200, first.r.text);
  assert.equal(first.r.json.user.must_change_password, true);
  const me = await first.cl.get('/api/v1/me');
  assert.equal(me.json.user.must_change_password, true);
  for (const path of ['/api/v1/dashboard', `/api/v1/blocks/${block.id}/households`, '/api/v1/tokens'])
    assertError(await first.cl.get(path), 403, 'password_change_required');
  assertError(await first.cl.patch('/api/v1/me', { language: 'en' }), 403, 'password_change_required');
  // Works once: the same password again is refused, and the slip no longer prints.
  const again = await loginWith(phone, slip.password);
  assertError(again.r, 401, 'unauthenticated');
  assert.match(again.r.json.error.message, /used, has expired or was replaced/);
  assertError(await c.committee.get(slip.url), 409, 'conflict', 'slip');
  // Setting the password: a short one is refused; then a fresh session, and the home works.
  assertError(await first.cl.post('/api/v1/me/first-password', { new_password: 'short' }), 400,
    'validation_failed', 'new_password');
  const oldCookie = first.cl.cookie;
  const set = await first.cl.post('/api/v1/me/first-password', { new_password: 'leader-own-pass-1' });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.user.must_change_password, false);
  assert.notEqual(first.cl.cookie, oldCookie);
  assert.equal((await first.cl.get('/api/v1/dashboard')).status, 200);
  assert.equal((await first.cl.get(`/api/v1/blocks/${block.id}/households`)).status, 200);
  assertError(await first.cl.post('/api/v1/me/first-password', { new_password: 'another-pass-12' }), 409,
    'conflict', 'new_password');
  const own = await loginWith(phone, 'leader-own-pass-1');
  assert.equal(own.r.status, 200, own.r.text);
  assert.equal(own.r.json.user.must_change_password, false);

  // All of it in the audit log, without the secrets.
  const created = (await auditOf(c.committee, 'login.create', user.id))[0];
  assert.deepEqual(created.detail, { post_id: post.id, slip_id: slip.id, revoked_slip_ids: [], tokens_revoked: 0 });
  assert.equal(created.on_behalf_of, resident.id);
  const logins = await auditOf(c.committee, 'login', user.id);
  assert.ok(logins.some((e) => e.detail.slip_id === slip.id));
  assert.equal((await auditOf(c.committee, 'me.first_password', user.id)).length, 1);
  const failed = (await auditOf(c.committee, 'login_failed', user.id)).map((e) => e.detail.reason);
  assert.ok(failed.includes('slip_spent'));
  const all = JSON.stringify(await walkList(c.committee, '/api/v1/audit'));
  assert.ok(!all.includes(slip.password.replace(' ', '')) && !all.includes(slip.link.split('=')[1]));
});

test('logins: the QR link logs in once; a new slip revokes the old one and ends the sessions', async () => {
  const { post } = await blockWithLeader(zone1);
  const username = '钱' + String.fromCharCode(0x4e00 + (Date.now() % 4000)) + '英';
  const made = await c.committee.post(`/api/v1/posts/${post.id}/login`, { username });
  assert.equal(made.status, 201, made.text);
  const { user, slip } = made.json;
  const token = slip.link.split('token=')[1];
  const cl = new Client(srv.url);
  const viaLink = await cl.post('/api/v1/session/link', { token });
  assert.equal(viaLink.status, 200, viaLink.text);
  assert.equal(viaLink.json.user.id, user.id);
  assert.equal(viaLink.json.user.must_change_password, true);
  assertError(await cl.get('/api/v1/dashboard'), 403, 'password_change_required');
  assertError(await new Client(srv.url).post('/api/v1/session/link', { token }), 409, 'conflict', 'token');
  assertError(await new Client(srv.url).post('/api/v1/session/link', { token: 'x'.repeat(43) }), 404, 'not_found',
    'token');
  // The link spent the slip: its password no longer logs in either.
  assertError((await loginWith(username, slip.password)).r, 401, 'unauthenticated');
  assert.equal((await cl.post('/api/v1/me/first-password', { new_password: 'link-own-pass-1' })).status, 200);
  const session = await loginWith(username, 'link-own-pass-1');
  assert.equal(session.r.status, 200);

  // Reset: a new slip. The old password and every session of the account end.
  const second = await c.committee.post(`/api/v1/users/${user.id}/login-slip`, {});
  assert.equal(second.status, 201, second.text);
  assertError(await session.cl.get('/api/v1/me'), 401, 'unauthenticated');
  assertError(await cl.get('/api/v1/me'), 401, 'unauthenticated');
  assertError((await loginWith(username, 'link-own-pass-1')).r, 401, 'unauthenticated');
  // A third slip revokes the second, unused: neither its password, link nor page work.
  const third = await c.committee.post(`/api/v1/users/${user.id}/login-slip`, {});
  assert.equal(third.status, 201, third.text);
  assertError(await c.committee.get(second.json.slip.url), 409, 'conflict', 'slip');
  assertError(await new Client(srv.url).post('/api/v1/session/link',
    { token: second.json.slip.link.split('token=')[1] }), 409, 'conflict', 'token');
  assert.equal((await c.committee.get(third.json.slip.url)).status, 200);
  const ok = await loginWith(username, third.json.slip.password);
  assert.equal(ok.r.status, 200, ok.r.text);
  assert.equal(ok.r.json.user.must_change_password, true);
  const issued = await auditOf(c.committee, 'login_slip.issue', user.id);
  assert.deepEqual(issued.map((e) => e.detail.slip_id), [second.json.slip.id, third.json.slip.id]);
  // The first slip was used (by its link), not revoked; the second was revoked by the third.
  assert.deepEqual(issued.map((e) => e.detail.revoked_slip_ids), [[], [second.json.slip.id]]);
});

test('logins: a slip expires after 7 days', async () => {
  const { post } = await blockWithLeader(zone1);
  const username = newPhone();
  const made = await c.committee.post(`/api/v1/posts/${post.id}/login`, { username });
  assert.equal(made.status, 201, made.text);
  const { slip } = made.json;
  const days = (slip.expires_at - Date.now() * 1000) / 86400e6;
  assert.ok(days > 6.99 && days <= 7, `expires in ${days} days`);
  // Seven days pass for this slip.
  dbRows(srv.db, `UPDATE login_slips SET expires_at = 1 WHERE id = ${slip.id}`);
  const late = await loginWith(username, slip.password);
  assertError(late.r, 401, 'unauthenticated');
  assertError(await new Client(srv.url).post('/api/v1/session/link', { token: slip.link.split('token=')[1] }), 409,
    'conflict', 'token');
  assertError(await c.committee.get(slip.url), 409, 'conflict', 'slip');
});

test('logins: who may make them — zone leader for the blocks of the zone only, block leader none', async () => {
  const inZone = await blockWithLeader(zone1);
  const outside = await blockWithLeader(otherZone);
  // Denied by role: block leader, volunteer, resident (403), for every kind of login.
  for (const who of ['block', 'volunteer', 'resident']) {
    assertError(await c[who].post(`/api/v1/posts/${inZone.post.id}/login`, { username: newPhone() }), 403, 'forbidden');
    assertError(await c[who].post(`/api/v1/residents/${inZone.resident.id}/login`, { username: newPhone() }), 403,
      'forbidden');
    assertError(await c[who].post(`/api/v1/users/${c.resident.me.user.id}/login-slip`, {}), 403, 'forbidden');
  }
  // A zone leader: not for another zone's block (404), nor for the zone's own posts.
  assertError(await c.zone.post(`/api/v1/posts/${outside.post.id}/login`, { username: newPhone() }), 404, 'not_found');
  const zonePosts = await c.committee.get(`/api/v1/zones/${zone1}/leaders`);
  for (const p of zonePosts.json.leaders)
    assertError(await c.zone.post(`/api/v1/posts/${p.id}/login`, { username: newPhone() }), 404, 'not_found');
  assertError(await c.zone.post(`/api/v1/residents/${outside.resident.id}/login`, { username: newPhone() }), 404,
    'not_found');
  // Nothing was made by the refusals.
  const outsideLeaders = await c.committee.get(`/api/v1/blocks/${outside.block.id}/leaders`);
  assert.equal(outsideLeaders.json.leaders[0].user, null);
  // Granted: a post of a block of the zone.
  const username = newPhone();
  const made = await c.zone.post(`/api/v1/posts/${inZone.post.id}/login`, { username });
  assert.equal(made.status, 201, made.text);
  // The zone leader prints their own slip; another zone leader's... the committee sees all.
  assert.equal((await c.zone.get(made.json.slip.url)).status, 200);
  assertError(await c.block.get(made.json.slip.url), 403, 'forbidden');
  // New slips: for the account they made (its roles all lie in the zone), not for staff or outside.
  const again = await c.zone.post(`/api/v1/users/${made.json.user.id}/login-slip`, {});
  assert.equal(again.status, 201, again.text);
  assertError(await c.zone.post(`/api/v1/users/${c.committee.me.user.id}/login-slip`, {}), 409, 'conflict', 'user_id');
  assertError(await c.zone.post(`/api/v1/users/${c.volunteer.me.user.id}/login-slip`, {}), 404, 'not_found');
  assertError(await c.zone.post(`/api/v1/users/${c.zone.me.user.id}/login-slip`, {}), 404, 'not_found');
  const outMade = await c.committee.post(`/api/v1/posts/${outside.post.id}/login`, { username: newPhone() });
  assert.equal(outMade.status, 201, outMade.text);
  assertError(await c.zone.post(`/api/v1/users/${outMade.json.user.id}/login-slip`, {}), 404, 'not_found');
  assertError(await c.zone.get(outMade.json.slip.url), 404, 'not_found');
  // Committee staff: staff accounts get no slip.
  assertError(await c.committee.post(`/api/v1/users/${c.committee.me.user.id}/login-slip`, {}), 409, 'conflict',
    'user_id');
});

test('logins: from a resident\'s record, as a resident or a volunteer; an existing login is named, not doubled', async () => {
  const { household, resident, post, block } = await blockWithLeader(zone1);
  // A second resident of the household gets a resident login from the zone leader.
  const r2 = await c.committee.post('/api/v1/residents', { household_id: household.id, name: '孙丽娟', birth_year: 1990,
    phone: newPhone() });
  assert.equal(r2.status, 201, r2.text);
  assertError(await c.zone.post(`/api/v1/residents/${r2.json.resident.id}/login`, { username: newPhone(),
    role: 'volunteer' }), 403, 'forbidden', 'role');
  assertError(await c.committee.post(`/api/v1/residents/${r2.json.resident.id}/login`, {}), 400, 'validation_failed',
    'username');
  assertError(await c.committee.post(`/api/v1/residents/${r2.json.resident.id}/login`, { username: 'x y' }), 400,
    'validation_failed', 'username');
  assertError(await c.committee.post(`/api/v1/residents/${r2.json.resident.id}/login`, { username: 'committee' }), 409,
    'conflict', 'username');
  const mine = await c.zone.post(`/api/v1/residents/${r2.json.resident.id}/login`, { username: '孙丽娟' });
  assert.equal(mine.status, 201, mine.text);
  const roles = listItems(await c.committee.get(`/api/v1/users?q=${encodeURIComponent('孙丽娟')}`))
    .find((u) => u.id === mine.json.user.id).roles.map((r) => r.role);
  assert.deepEqual(roles, ['resident']);
  // The same resident again: 409 naming the account.
  const twice = await c.committee.post(`/api/v1/residents/${r2.json.resident.id}/login`, { username: newPhone() });
  assertError(twice, 409, 'conflict', 'resident_id');
  assert.equal(twice.json.user_id, mine.json.user.id);
  // The leader as a volunteer, made by the committee from her record: resident + volunteer.
  const vol = await c.committee.post(`/api/v1/residents/${resident.id}/login`, { username: newPhone(),
    role: 'volunteer' });
  assert.equal(vol.status, 201, vol.text);
  const vroles = listItems(await c.committee.get(`/api/v1/users?q=${vol.json.user.username}`))[0].roles
    .map((r) => r.role).sort();
  assert.deepEqual(vroles, ['resident', 'volunteer']);
  // Her post now takes that login instead of making a second one; then names it.
  const linked = await c.committee.post(`/api/v1/posts/${post.id}/login`, { username: newPhone() });
  assert.equal(linked.status, 200, linked.text);
  assert.equal(linked.json.linked, true);
  assert.equal(linked.json.user.id, vol.json.user.id);
  const leaders = await c.committee.get(`/api/v1/blocks/${block.id}/leaders`);
  assert.equal(leaders.json.leaders[0].user.id, vol.json.user.id);
  const has = await c.committee.post(`/api/v1/posts/${post.id}/login`, { username: newPhone() });
  assertError(has, 409, 'conflict', 'user_id');
  assert.equal(has.json.user_id, vol.json.user.id);
  // A login of a post must be a valid login name and free.
  const other = await blockWithLeader(zone1);
  assertError(await c.committee.post(`/api/v1/posts/${other.post.id}/login`, {}), 400, 'validation_failed', 'username');
  assertError(await c.committee.post(`/api/v1/posts/${other.post.id}/login`, { username: vol.json.user.username }),
    409, 'conflict', 'username');
});

test('logins: changing the one-time password on the account page (old password: the slip\'s) also ends the gate', async () => {
  const { post } = await blockWithLeader(zone1);
  const username = newPhone();
  const made = await c.committee.post(`/api/v1/posts/${post.id}/login`, { username });
  assert.equal(made.status, 201, made.text);
  const otp = made.json.slip.password.replace(' ', '');
  const first = await loginWith(username, otp);
  assert.equal(first.r.status, 200, first.r.text);
  const changed = await first.cl.post('/api/v1/me/password', { old_password: otp, new_password: 'page-own-pass-1' });
  assert.equal(changed.status, 200, changed.text);
  const again = await loginWith(username, 'page-own-pass-1');
  assert.equal(again.r.status, 200, again.r.text);
  assert.equal(again.r.json.user.must_change_password, false);
  assert.equal((await again.cl.get('/api/v1/dashboard')).status, 200);
});

test('logins: the one-time password is throttled like any password', async () => {
  const { post } = await blockWithLeader(zone1);
  const username = newPhone();
  const made = await c.committee.post(`/api/v1/posts/${post.id}/login`, { username });
  assert.equal(made.status, 201, made.text);
  const cl = new Client(srv.url);
  for (let i = 0; i < 5; i++)
    assertError(await cl.post('/api/v1/session', { username, password: `${i}000000000` }), 401, 'unauthenticated');
  const locked = await cl.post('/api/v1/session', { username, password: made.json.slip.password });
  assertError(locked, 429, 'throttled');
  // Refused while throttled, the slip is still unused: its page still prints.
  assert.equal((await c.committee.get(made.json.slip.url)).status, 200);
});

// ---------------------------------------------------------------- sign-ups

test('sign-ups: the household search starts from the address given, with each household\'s members', async () => {
  const blockName = uniq('申请楼');
  const b = await c.committee.post('/api/v1/blocks', { name: blockName, zone_id: zone1 });
  assert.equal(b.status, 201, b.text);
  const rooms = {};
  for (const room of ['1201', '1202']) {
    const h = await c.committee.post('/api/v1/households', { block_id: b.json.block.id, room });
    assert.equal(h.status, 201, h.text);
    rooms[room] = h.json.household.id;
  }
  const wifePhone = newPhone();
  const wife = await c.committee.post('/api/v1/residents', { household_id: rooms['1201'], name: '周雅琴', birth_year: 1972,
    phone: wifePhone });
  const husband = await c.committee.post('/api/v1/residents', { household_id: rooms['1201'], name: '吴国华',
    birth_year: 1970 });
  assert.equal(husband.status, 201, husband.text);
  const anon = new Client(srv.url);
  const signup = await anon.post('/api/v1/signup', { username: uniq('su-'), password: 'signup-pass-1', name: '吴国华',
    phone: newPhone(), claimed_address: `${blockName} 1201室`, community_id: c.committee.me.community.id });
  assert.equal(signup.status, 201, signup.text);
  const sid = signup.json.signup.id;

  const found = await c.committee.get(`/api/v1/signups/${sid}/households`);
  assert.equal(found.status, 200, found.text);
  assert.equal(found.json.searched, `${blockName} 1201室`);
  const first = found.json.items[0];
  assert.equal(first.id, rooms['1201']);
  assert.deepEqual(first.matched, ['room', 'block']);
  assert.deepEqual(first.residents.map((r) => [r.name, r.has_account]), [['周雅琴', false], ['吴国华', false]]);
  // The neighbour of the same block comes after, matched by the block only.
  const next = found.json.items.find((h) => h.id === rooms['1202']);
  assert.deepEqual(next.matched, ['block']);
  assert.ok(found.json.items.indexOf(next) > 0);
  // Other words than the address given; a phone of a member ranks first.
  const other = await c.committee.get(`/api/v1/signups/${sid}/households?q=${encodeURIComponent(`${blockName} 1202`)}`);
  assert.equal(other.json.items[0].id, rooms['1202']);
  const byPhone = await anon.post('/api/v1/signup', { username: uniq('su-'), password: 'signup-pass-1', name: '周雅琴',
    phone: wifePhone, claimed_address: '不记得门牌', community_id: c.committee.me.community.id });
  assert.equal(byPhone.status, 201, byPhone.text);
  const phoneFound = await c.committee.get(`/api/v1/signups/${byPhone.json.signup.id}/households`);
  assert.equal(phoneFound.json.items[0].id, rooms['1201']);
  assert.deepEqual(phoneFound.json.items[0].matched, ['phone']);
  // Committee only; another community's sign-up is not found.
  for (const who of ['zone', 'block', 'volunteer', 'resident'])
    assertError(await c[who].get(`/api/v1/signups/${sid}/households`), 403, 'forbidden');
  assertError(await c.committee.get('/api/v1/signups/999999/households'), 404, 'not_found');

  // Approval answers the decided sign-up with the household it was linked to.
  const approved = await c.committee.post(`/api/v1/signups/${sid}/approve`, { household_id: rooms['1201'],
    resident_id: husband.json.resident.id });
  assert.equal(approved.status, 200, approved.text);
  assert.equal(approved.json.signup.state, 'approved');
  assert.equal(approved.json.signup.room, '1201');
  assert.equal(approved.json.signup.block_name, blockName);
  const pending = listItems(await c.committee.get('/api/v1/signups?state=pending&limit=500'));
  assert.ok(!pending.some((x) => x.id === sid));
  const after = await c.committee.get(`/api/v1/signups/${byPhone.json.signup.id}/households`);
  assert.deepEqual(after.json.items[0].residents.map((r) => [r.name, r.has_account]),
    [['周雅琴', false], ['吴国华', true]]);
  assert.equal(wife.status, 201);
});
