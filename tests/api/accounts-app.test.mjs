// Day one for a committee and its block leaders: logins made from the app (from a post
// on the structure page, from a resident's record) with a printed slip holding a
// one-time password and a one-time login link, the forced first password, who may make
// logins for whom, logins that are phone numbers or Chinese names, and the structure's
// own day-one repairs: a block name twice in one zone, deleting an empty block or zone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, uniq } from '../lib/api-helpers.mjs';

if (!Client.prototype.put) Client.prototype.put = function put(p, b, h) { return this.req('PUT', p, b, h); };

let srv;
const c = {};
let zone1;          // the zone login's zone
let otherZone;      // a zone the zone login does not lead

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
