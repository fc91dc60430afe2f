// The community's structure: zones and blocks laid out from nothing, zone leader and
// deputy, a building's leader, a courtyard committee of 3-7 residents, the scope a post
// gives to an account (and takes back), leaders_text in the lists, the dashboard tile,
// denials by role (403) and by scope (404), and the audit entries (ids only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, createUser, uniq } from '../lib/api-helpers.mjs';

// The shared client has no PUT helper; this suite adds one for itself.
if (!Client.prototype.put) Client.prototype.put = function put(p, b, h) { return this.req('PUT', p, b, h); };

let srv;
const c = {};
let zone1;          // the zone login's zone (一片区)
let otherZone;      // a zone the zone login does not lead
let block1;         // the block login's block (in zone 1)
let block2;         // another block of zone 1 (the resident login's)
let zone1Resident;  // a resident of block 2, zone 1, with a phone
let farResident;    // a resident of another zone
let courtyard;      // a courtyard made in zone 1 for these tests
const courtyardResidents = [];

function scopeOf(client, role) {
  return client.me.user.roles.find((r) => r.role === role).scope_id;
}

async function tile(client, key) {
  const r = await client.get('/api/v1/dashboard');
  assert.equal(r.status, 200, r.text);
  const t = r.json.tiles.find((x) => x.key === key);
  assert.ok(t, `tile ${key}: ${r.text.slice(0, 300)}`);
  return t.value;
}

async function auditOf(client, action, targetId) {
  const items = await walkList(client, `/api/v1/audit?action=${action}`);
  return items.filter((e) => e.target_id === targetId);
}

before(async () => {
  srv = await startServer();
  for (const u of ['admin', 'committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  zone1 = scopeOf(c.zone, 'zone_leader');
  block1 = scopeOf(c.block, 'block_leader');
  const hh = await c.committee.get(`/api/v1/households/${scopeOf(c.resident, 'resident')}`);
  assert.equal(hh.status, 200, hh.text);
  block2 = hh.json.household.block_id;
  zone1Resident = hh.json.household.residents_list.find((r) => r.phone);
  assert.ok(zone1Resident, 'a resident of block 2 with a phone');
  const zones = listItems(await c.committee.get('/api/v1/zones'));
  otherZone = zones.find((z) => z.id !== zone1).id;
  const far = listItems(await c.committee.get(`/api/v1/residents?zone_id=${otherZone}&limit=5`));
  farResident = far[0];
  assert.ok(farResident);

  // A courtyard in zone 1 with eight households of one resident each.
  const made = await c.committee.post('/api/v1/blocks', { name: '测试院落', kind: 'courtyard', zone_id: zone1 });
  assert.equal(made.status, 201, made.text);
  courtyard = made.json.block.id;
  for (let i = 0; i < 8; i++) {
    const h = await c.committee.post('/api/v1/households', { block_id: courtyard, room: `${i + 1}号` });
    assert.equal(h.status, 201, h.text);
    const r = await c.committee.post('/api/v1/residents', { household_id: h.json.household.id, name: `院委候选${i + 1}`,
      birth_year: 1950 + i, phone: `1390000${String(1000 + i)}` });
    assert.equal(r.status, 201, r.text);
    courtyardResidents.push(r.json.resident.id);
  }
});

after(async () => {
  if (srv) await srv.stop();
});

test('1. a committee lays out an empty community: zones, blocks, renames and moves', async () => {
  const made = await c.admin.post('/api/v1/communities', { name: uniq('新社区'), timezone: 'Asia/Shanghai' });
  assert.equal(made.status, 201, made.text);
  const username = uniq('lay-');
  const u = await c.admin.post('/api/v1/users', { username, display_name: '布局员', password: 'layout-pass-1',
    roles: [{ role: 'committee' }], community_id: made.json.community.id });
  assert.equal(u.status, 201, u.text);
  const com = await loggedIn(srv.url, username, 'layout-pass-1');
  assert.deepEqual(listItems(await com.get('/api/v1/zones')), []);
  assert.deepEqual(listItems(await com.get('/api/v1/blocks')), []);

  const z1 = (await com.post('/api/v1/zones', { name: '东片' })).json.zone;
  const z2 = (await com.post('/api/v1/zones', { name: '西片' })).json.zone;
  const renamed = await com.patch(`/api/v1/zones/${z1.id}`, { name: '东片区', sort_order: 5 });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.json.zone.name, '东片区');
  assert.equal(renamed.json.zone.sort_order, 5);
  assert.deepEqual(renamed.json.zone.leaders, []);
  assertError(await com.patch(`/api/v1/zones/${z1.id}`, { name: '' }), 400, 'validation_failed', 'name');
  assertError(await com.patch(`/api/v1/zones/${z1.id}`, { sort_order: 'x' }), 400, 'validation_failed', 'sort_order');
  assertError(await com.patch('/api/v1/zones/999999', { name: 'x' }), 404, 'not_found');
  // Another community's zone is not found, for reading or writing.
  assertError(await com.patch(`/api/v1/zones/${zone1}`, { name: 'x' }), 404, 'not_found');
  assertError(await com.get(`/api/v1/zones/${zone1}`), 404, 'not_found');
  assertError(await c.committee.get(`/api/v1/zones/${z1.id}`), 404, 'not_found');

  const b1 = await com.post('/api/v1/blocks', { name: '1幢', kind: 'building', zone_id: z1.id });
  const b2 = await com.post('/api/v1/blocks', { name: '北院', kind: 'courtyard' });
  assert.equal(b1.status, 201, b1.text);
  assert.equal(b2.status, 201, b2.text);
  assert.equal(b2.json.block.zone_id, null);
  const moved = await com.patch(`/api/v1/blocks/${b1.json.block.id}`, { zone_id: z2.id });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.block.zone_id, z2.id);
  // Into a zone and out of it again: null means no zone.
  const into = await com.patch(`/api/v1/blocks/${b2.json.block.id}`, { zone_id: z1.id });
  assert.equal(into.json.block.zone_id, z1.id);
  const out = await com.patch(`/api/v1/blocks/${b2.json.block.id}`, { zone_id: null });
  assert.equal(out.status, 200, out.text);
  assert.equal(out.json.block.zone_id, null);
  const blocks = listItems(await com.get('/api/v1/blocks'));
  assert.deepEqual(blocks.map((b) => [b.name, b.kind, b.zone_id, b.leaders_text]),
    [['1幢', 'building', z2.id, ''], ['北院', 'courtyard', null, '']]);
  assert.equal(await tile(com, 'blocks_without_leader'), 2);

  const audit = await auditOf(com, 'zone.update', z1.id);
  assert.equal(audit.length, 1);
  assert.deepEqual(audit[0].detail, { fields: ['name', 'sort_order'] });
});

test('2. zone leader and deputy: set, read in scope, validated', async () => {
  const zoneUser = c.zone.me.user.id;
  // The demo records the zone login as leader and a resident without an account as deputy.
  const demo = await c.zone.get(`/api/v1/zones/${zone1}/leaders`);
  assert.equal(demo.status, 200, demo.text);
  assert.deepEqual(demo.json.leaders.map((p) => [p.position, p.user?.id ?? null, Boolean(p.resident)]),
    [['leader', zoneUser, false], ['deputy', null, true]]);
  assert.ok(demo.json.leaders[1].resident.phone, 'the deputy is reached by phone');
  const before = await tile(c.committee, 'blocks_without_leader');
  const put = await c.committee.put(`/api/v1/zones/${zone1}/leaders`, {
    leader: { user_id: zoneUser }, deputy: { resident_id: zone1Resident.id } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.zone_id, zone1);
  const [leader, deputy] = put.json.leaders;
  assert.equal(leader.position, 'leader');
  assert.equal(leader.user.id, zoneUser);
  assert.equal(leader.resident, null);
  assert.equal(deputy.position, 'deputy');
  assert.equal(deputy.user, null);
  assert.equal(deputy.resident.id, zone1Resident.id);
  assert.equal(deputy.resident.name, zone1Resident.name);
  assert.equal(deputy.resident.phone, zone1Resident.phone);
  assert.equal(deputy.resident.block_id, block2);
  assert.ok(deputy.resident.room);
  assert.equal(await tile(c.committee, 'blocks_without_leader'), before, 'zone posts lead no block');

  // Read by the zone leader and a block leader of the zone; the zone list and the zone.
  for (const who of ['committee', 'zone', 'block']) {
    const r = await c[who].get(`/api/v1/zones/${zone1}/leaders`);
    assert.equal(r.status, 200, `${who}: ${r.text}`);
    assert.deepEqual(r.json.leaders.map((p) => p.position), ['leader', 'deputy']);
  }
  const z = await c.zone.get(`/api/v1/zones/${zone1}`);
  assert.equal(z.status, 200, z.text);
  assert.equal(z.json.zone.leaders.length, 2);
  assert.ok(z.json.zone.leaders_text.includes(zone1Resident.name), z.json.zone.leaders_text);
  const listed = listItems(await c.committee.get('/api/v1/zones')).find((x) => x.id === zone1);
  assert.ok(listed.leaders_text.includes(c.zone.me.user.display_name) && listed.leaders_text.includes(zone1Resident.name),
    listed.leaders_text);
  const zh = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  const listedZh = listItems(await zh.get('/api/v1/zones')).find((x) => x.id === zone1);
  assert.ok(listedZh.leaders_text.includes('副片区长'), listedZh.leaders_text);
  const csv = await c.committee.get('/api/v1/zones?format=csv');
  assert.equal(csv.status, 200);
  assert.ok(csv.text.includes('Leaders') && csv.text.includes(zone1Resident.name), 'the printed list has the leaders');

  // Errors name the field.
  assertError(await c.committee.put(`/api/v1/zones/${zone1}/leaders`, {}), 400, 'validation_failed', 'leader');
  assertError(await c.committee.put(`/api/v1/zones/${zone1}/leaders`, { leader: { user_id: zoneUser }, deputy: { resident_id: farResident.id } }),
    400, 'validation_failed', 'deputy.resident_id');
  assertError(await c.committee.put(`/api/v1/zones/${zone1}/leaders`, { leader: {} }), 400, 'validation_failed', 'leader');
  assertError(await c.committee.put(`/api/v1/zones/${zone1}/leaders`, { leader: { resident_id: 'x' } }),
    400, 'validation_failed', 'leader.resident_id');
  assertError(await c.committee.put(`/api/v1/zones/${zone1}/leaders`, { leader: { user_id: 999999 } }),
    400, 'validation_failed', 'leader.user_id');
  assertError(await c.committee.put(`/api/v1/zones/${zone1}/leaders`, { leader: { user_id: zoneUser }, deputy: { user_id: zoneUser } }),
    400, 'validation_failed', 'deputy');
  // The message is in the reader's language.
  const zhErr = await zh.put(`/api/v1/zones/${zone1}/leaders`, { leader: { user_id: zoneUser }, deputy: { resident_id: farResident.id } });
  assertError(zhErr, 400, 'validation_failed', 'deputy.resident_id');
  assert.match(zhErr.json.error.message, /片区/);
  // Nothing changed by the refused requests.
  assert.equal((await c.committee.get(`/api/v1/zones/${zone1}/leaders`)).json.leaders.length, 2);
  // The zone login still holds its scope: its post names it.
  const me = await c.zone.get('/api/v1/me');
  assert.ok(me.json.user.roles.some((r) => r.role === 'zone_leader' && r.scope_id === zone1));

  const audit = await auditOf(c.committee, 'zone.leaders_set', zone1);
  assert.equal(audit.length, 1);
  assert.equal(audit[0].target_type, 'zone');
  assert.deepEqual(audit[0].detail.posts, [{ position: 'leader', resident_id: null, user_id: zoneUser },
    { position: 'deputy', resident_id: zone1Resident.id, user_id: null }]);
  assert.ok(!JSON.stringify(audit[0].detail).includes(zone1Resident.name), 'no names in the audit log');
});

test('3. a building has one leader; the tile counts blocks without one', async () => {
  // The demo gives every block a leader: block 2 starts without one here.
  assert.equal((await c.committee.put(`/api/v1/blocks/${block2}/leaders`, { leader: null })).status, 200);
  const before = await tile(c.committee, 'blocks_without_leader');
  const put = await c.committee.put(`/api/v1/blocks/${block2}/leaders`, { leader: { resident_id: zone1Resident.id } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.kind, 'building');
  assert.deepEqual(put.json.leaders.map((p) => [p.position, p.resident.id, p.user]), [['leader', zone1Resident.id, null]]);
  assert.equal(await tile(c.committee, 'blocks_without_leader'), before - 1);
  const again = await c.committee.put(`/api/v1/blocks/${block2}/leaders`, { leader: { resident_id: zone1Resident.id } });
  assert.equal(again.status, 200, 'PUT again: the same set');
  assert.equal(again.json.leaders.length, 1);
  const listed = (await walkList(c.committee, '/api/v1/blocks')).find((b) => b.id === block2);
  assert.ok(listed.leaders_text.startsWith(zone1Resident.name), listed.leaders_text);

  // A leader from the same zone but another block is accepted; from another zone not.
  assertError(await c.committee.put(`/api/v1/blocks/${block2}/leaders`, { leader: { resident_id: farResident.id } }),
    400, 'validation_failed', 'leader.resident_id');
  assertError(await c.committee.put(`/api/v1/blocks/${block2}/leaders`, { members: [] }), 400, 'validation_failed', 'members');
  assertError(await c.committee.put(`/api/v1/blocks/${block2}/leaders`, {}), 400, 'validation_failed', 'leader');
  // The demo's block leader is recorded, with her account and her resident record.
  const own = await c.block.get(`/api/v1/blocks/${block1}/leaders`);
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.leaders[0].user.id, c.block.me.user.id);
  assert.ok(own.json.leaders[0].resident, 'the block leader is also a resident');

  const cleared = await c.committee.put(`/api/v1/blocks/${block2}/leaders`, { leader: null });
  assert.equal(cleared.status, 200);
  assert.deepEqual(cleared.json.leaders, []);
  assert.equal(await tile(c.committee, 'blocks_without_leader'), before);
});

test('4. a courtyard committee has 3 to 7 members, residents of the courtyard, one chair at most', async () => {
  const url = `/api/v1/blocks/${courtyard}/leaders`;
  const members = (n, from = 0) => courtyardResidents.slice(from, from + n).map((id) => ({ resident_id: id }));
  assertError(await c.committee.put(url, { members: members(2) }), 400, 'validation_failed', 'members');
  assertError(await c.committee.put(url, { members: members(8) }), 400, 'validation_failed', 'members');
  assertError(await c.committee.put(url, { leader: { resident_id: courtyardResidents[0] } }), 400, 'validation_failed', 'leader');
  assertError(await c.committee.put(url, { members: 'all' }), 400, 'validation_failed', 'members');
  assertError(await c.committee.put(url, {}), 400, 'validation_failed', 'members');
  const two = members(3);
  two[0].leader = true;
  two[1].leader = true;
  assertError(await c.committee.put(url, { members: two }), 400, 'validation_failed', 'members');
  const outside = members(3);
  outside[1] = { resident_id: zone1Resident.id };
  assertError(await c.committee.put(url, { members: outside }), 400, 'validation_failed', 'members[1].resident_id');
  const dup = members(3);
  dup[2] = { resident_id: courtyardResidents[0] };
  assertError(await c.committee.put(url, { members: dup }), 400, 'validation_failed', 'members');
  assert.deepEqual((await c.committee.get(url)).json.leaders, [], 'refused sets change nothing');

  for (const n of [3, 7]) {
    const set = members(n);
    set[n - 1].leader = true;
    const r = await c.committee.put(url, { members: set });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.kind, 'courtyard');
    assert.equal(r.json.leaders.length, n);
    assert.equal(r.json.leaders[0].position, 'leader', 'the chair comes first');
    assert.equal(r.json.leaders[0].resident.id, courtyardResidents[n - 1]);
    // Residents without an account: name and phone, no account, no access.
    for (const p of r.json.leaders) {
      assert.equal(p.user, null);
      assert.match(p.resident.name, /^院委候选/);
      assert.match(p.resident.phone, /^1390000/);
    }
    assert.deepEqual(r.json.leaders.slice(1).map((p) => p.position), Array(n - 1).fill('member'));
  }
  const listed = (await walkList(c.committee, '/api/v1/blocks')).find((b) => b.id === courtyard);
  assert.equal(listed.leaders_text.split(', ').length, 7, listed.leaders_text);
  assert.ok(listed.leaders_text.startsWith('院委候选7 (chair)'), listed.leaders_text);
  // The zone leader reads it (zone scope); the block leader of another block does not.
  assert.equal((await c.zone.get(url)).status, 200);
  assertError(await c.block.get(url), 404, 'not_found');
});

test('5. an account\'s post grants the block\'s scope and removing the post takes it back', async () => {
  // A leader of a block in another zone: not of the courtyard.
  const otherBlock = listItems(await c.committee.get(`/api/v1/blocks?zone_id=${otherZone}&limit=1`))[0].id;
  const u = await createUser(c.committee, { username: uniq('cy-'), display_name: '院委账号',
    password: 'courtyard-pass-1', roles: [{ role: 'block_leader', scope_id: otherBlock }] });
  const member = await loggedIn(srv.url, u.username, u.password);
  assertError(await member.get(`/api/v1/blocks/${courtyard}/households`), 404, 'not_found');

  const url = `/api/v1/blocks/${courtyard}/leaders`;
  const set = [{ resident_id: courtyardResidents[0], user_id: u.id, leader: true },
    { resident_id: courtyardResidents[1] }, { resident_id: courtyardResidents[2] }];
  const r = await c.committee.put(url, { members: set });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.leaders[0].user.id, u.id);
  assert.equal(r.json.leaders[0].user.display_name, '院委账号');
  assert.equal(r.json.leaders[0].resident.id, courtyardResidents[0]);

  const hh = await member.get(`/api/v1/blocks/${courtyard}/households`);
  assert.equal(hh.status, 200, hh.text);
  assert.equal(listItems(hh).length, 8);
  const people = listItems(await member.get(`/api/v1/residents?block_id=${courtyard}`));
  assert.equal(people.length, 8);
  // The same set again: nothing granted a second time.
  assert.equal((await c.committee.put(url, { members: set })).status, 200);

  // Another committee without the account: the scope goes, the other block stays.
  const r2 = await c.committee.put(url, { members: courtyardResidents.slice(3, 6).map((id) => ({ resident_id: id })) });
  assert.equal(r2.status, 200, r2.text);
  assertError(await member.get(`/api/v1/blocks/${courtyard}/households`), 404, 'not_found');
  assertError(await member.get(`/api/v1/blocks/${courtyard}/leaders`), 404, 'not_found');
  assert.equal(listItems(await member.get(`/api/v1/residents?block_id=${courtyard}`)).length, 0);
  const roles = (await member.get('/api/v1/me')).json.user.roles;
  assert.deepEqual(roles.map((x) => [x.role, x.scope_id]), [['block_leader', otherBlock]]);

  const audit = await auditOf(c.committee, 'block.leaders_set', courtyard);
  const granted = audit.filter((e) => e.detail.granted_user_ids.includes(u.id));
  const removed = audit.filter((e) => e.detail.removed_user_ids.includes(u.id));
  assert.equal(granted.length, 1, JSON.stringify(audit.map((e) => e.detail)));
  assert.equal(removed.length, 1);
  assert.equal(removed[0].target_type, 'block');

  // An account of another community cannot hold a post here.
  const far = await c.admin.post('/api/v1/communities', { name: uniq('远方'), timezone: 'Asia/Shanghai' });
  const farUser = await c.admin.post('/api/v1/users', { username: uniq('far-'), display_name: 'Far', password: 'far-pass-123',
    roles: [{ role: 'committee' }], community_id: far.json.community.id });
  assertError(await c.committee.put(`/api/v1/blocks/${block2}/leaders`, { leader: { user_id: farUser.json.user.id } }),
    400, 'validation_failed', 'leader.user_id');
  const farCom = await loggedIn(srv.url, farUser.json.user.username, 'far-pass-123');
  assertError(await farCom.get(`/api/v1/blocks/${courtyard}/leaders`), 404, 'not_found');
  assertError(await farCom.put(`/api/v1/blocks/${courtyard}/leaders`, { members: [] }), 404, 'not_found');
  assertError(await farCom.put(`/api/v1/zones/${zone1}/leaders`, { leader: null }), 404, 'not_found');
});

test('6. roles: writes are the committee\'s (403), reads stop at the scope (404)', async () => {
  for (const who of ['zone', 'block', 'volunteer', 'resident']) {
    assertError(await c[who].put(`/api/v1/zones/${zone1}/leaders`, { leader: null }), 403, 'forbidden');
    assertError(await c[who].put(`/api/v1/blocks/${block1}/leaders`, { leader: null }), 403, 'forbidden');
    assertError(await c[who].patch(`/api/v1/zones/${zone1}`, { name: 'x' }), 403, 'forbidden');
  }
  for (const who of ['volunteer', 'resident']) {
    assertError(await c[who].get(`/api/v1/zones/${zone1}/leaders`), 403, 'forbidden');
    assertError(await c[who].get(`/api/v1/blocks/${block1}/leaders`), 403, 'forbidden');
    assertError(await c[who].get(`/api/v1/zones/${zone1}`), 403, 'forbidden');
  }
  // Another block's leader and another zone's leader: not found.
  assertError(await c.block.get(`/api/v1/blocks/${block2}/leaders`), 404, 'not_found');
  assertError(await c.block.get(`/api/v1/zones/${otherZone}/leaders`), 404, 'not_found');
  assertError(await c.zone.get(`/api/v1/zones/${otherZone}`), 404, 'not_found');
  const otherBlock = listItems(await c.committee.get(`/api/v1/blocks?zone_id=${otherZone}&limit=1`))[0].id;
  assertError(await c.zone.get(`/api/v1/blocks/${otherBlock}/leaders`), 404, 'not_found');
  assertError(await c.committee.get('/api/v1/blocks/999999/leaders'), 404, 'not_found');
  assertError(await c.committee.put('/api/v1/blocks/999999/leaders', { leader: null }), 404, 'not_found');
  // The block leader's tile counts only their block.
  assert.equal(await tile(c.block, 'blocks_without_leader'), 0);
});
