// The community registry: zones, blocks, households, residents, flags, travel, the
// lists leaders print, counts and dashboard tiles — with the scope of each role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { readXlsx } from '../lib/xlsx.mjs';
import { assertError, loggedIn, listItems, walkList, getBytes, parseCsv } from '../lib/api-helpers.mjs';

let srv;
const c = {};
let block1;        // the block leader's block
let block2;        // the resident's block (another block of zone 1)
let ownHousehold;  // the block leader's own household (block 1)
let residentHousehold;
let zone1;
let otherZoneBlock;
let outsider;      // a resident of block 2 with a phone

// GB 11643: 17 digits and the check character.
function cnId(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, ch, i) => s + Number(ch) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}
let seq = 100;
function freshId(date = '19800101') {
  seq += 1;
  return cnId(`110105${date}${String(seq).padStart(3, '0')}`);
}
function scopeOf(client, role) {
  return client.me.user.roles.find((r) => r.role === role).scope_id;
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  block1 = scopeOf(c.block, 'block_leader');
  ownHousehold = scopeOf(c.block, 'resident');
  residentHousehold = scopeOf(c.resident, 'resident');
  zone1 = scopeOf(c.zone, 'zone_leader');
  const hh = await c.committee.get(`/api/v1/households/${residentHousehold}`);
  assert.equal(hh.status, 200, hh.text);
  block2 = hh.json.household.block_id;
  assert.notEqual(block1, block2);
  const blocks = await walkList(c.committee, '/api/v1/blocks');
  otherZoneBlock = blocks.find((b) => b.zone_id !== zone1).id;
  outsider = hh.json.household.residents_list.find((r) => r.phone);
  assert.ok(outsider, 'a resident of block 2 with a phone');
});

after(async () => {
  if (srv) await srv.stop();
});

test('volunteers get 403 on registry routes; residents on leader routes', async () => {
  for (const p of ['/api/v1/zones', '/api/v1/blocks', '/api/v1/households', '/api/v1/residents',
    '/api/v1/registry/counts', `/api/v1/blocks/${block1}/care-list`, `/api/v1/residents/1/flags`]) {
    assertError(await c.volunteer.get(p), 403, 'forbidden');
  }
  assertError(await c.volunteer.post('/api/v1/residents', { household_id: ownHousehold, name: 'x' }), 403, 'forbidden');
  assertError(await c.resident.get('/api/v1/zones'), 403, 'forbidden');
  assertError(await c.resident.get(`/api/v1/blocks/${block2}/households`), 403, 'forbidden');
  assertError(await c.resident.post('/api/v1/households', { block_id: block2, room: 'x' }), 403, 'forbidden');
});

test('zones: committee sees all six, the zone leader one, the block leader the zone of the block', async () => {
  const all = listItems(await c.committee.get('/api/v1/zones'));
  assert.equal(all.length, 6);
  assert.ok(all.every((z) => z.blocks > 0 && z.households > 0 && z.residents > 0), JSON.stringify(all));
  const z = listItems(await c.zone.get('/api/v1/zones'));
  assert.deepEqual(z.map((x) => x.id), [zone1]);
  const b = listItems(await c.block.get('/api/v1/zones'));
  assert.deepEqual(b.map((x) => x.id), [zone1]);
  assert.equal(b[0].blocks, 1, 'the block leader counts only the own block');
});

test('blocks: scope, zone filter and one block', async () => {
  const all = await walkList(c.committee, '/api/v1/blocks', 20);
  assert.equal(all.length, 62);
  const inZone = listItems(await c.committee.get(`/api/v1/blocks?zone_id=${zone1}&limit=500`));
  assert.ok(inZone.length > 1 && inZone.every((x) => x.zone_id === zone1));
  const zoneView = await walkList(c.zone, '/api/v1/blocks');
  assert.deepEqual(zoneView.map((x) => x.id).sort(), inZone.map((x) => x.id).sort());
  const mine = listItems(await c.block.get('/api/v1/blocks'));
  assert.deepEqual(mine.map((x) => x.id), [block1]);
  assert.ok(mine[0].households > 0 && mine[0].residents > 0);
  const one = await c.block.get(`/api/v1/blocks/${block1}`);
  assert.equal(one.status, 200);
  assert.equal(one.json.block.id, block1);
  assertError(await c.block.get(`/api/v1/blocks/${block2}`), 404, 'not_found');
  assertError(await c.zone.get(`/api/v1/blocks/${otherZoneBlock}`), 404, 'not_found');
  assertError(await c.committee.get('/api/v1/blocks?zone_id=abc'), 400, 'validation_failed', 'zone_id');
});

test('structure writes are for committee staff', async () => {
  const z = await c.committee.post('/api/v1/zones', { name: '七片区' });
  assert.equal(z.status, 201, z.text);
  const b = await c.committee.post('/api/v1/blocks', { name: '32号楼1单元', zone_id: z.json.zone.id });
  assert.equal(b.status, 201, b.text);
  assert.equal(b.json.block.zone_id, z.json.zone.id);
  assertError(await c.committee.post('/api/v1/blocks', { name: 'x', kind: 'tower' }), 400, 'validation_failed', 'kind');
  assertError(await c.committee.post('/api/v1/blocks', { name: 'x', zone_id: 999999 }), 400, 'validation_failed', 'zone_id');
  const p = await c.committee.patch(`/api/v1/blocks/${b.json.block.id}`, { name: '32号楼一单元', kind: 'courtyard', zone_id: zone1 });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.block.kind, 'courtyard');
  assert.equal(p.json.block.zone_id, zone1);
  assertError(await c.zone.post('/api/v1/zones', { name: 'x' }), 403, 'forbidden');
  assertError(await c.block.patch(`/api/v1/blocks/${block1}`, { name: 'x' }), 403, 'forbidden');
  assertError(await c.block.post('/api/v1/blocks', { name: 'x' }), 403, 'forbidden');
});

test('households: scope, filters, own household for a resident', async () => {
  const mine = await walkList(c.block, '/api/v1/households');
  assert.ok(mine.length > 0 && mine.every((h) => h.block_id === block1));
  const zone = await walkList(c.zone, '/api/v1/households');
  assert.ok(zone.every((h) => h.zone_id === zone1) && zone.length > mine.length);
  const q = listItems(await c.committee.get(`/api/v1/households?block_id=${block1}&q=101`));
  assert.ok(q.length >= 1 && q.every((h) => h.room.includes('101') && h.block_id === block1));
  const vacant = listItems(await c.committee.get('/api/v1/households?status=vacant&limit=500'));
  assert.ok(vacant.length > 0 && vacant.every((h) => h.status === 'vacant'));
  assertError(await c.committee.get('/api/v1/households?status=burnt'), 400, 'validation_failed', 'status');

  const own = listItems(await c.resident.get('/api/v1/households'));
  assert.deepEqual(own.map((h) => h.id), [residentHousehold]);
  const one = await c.resident.get(`/api/v1/households/${residentHousehold}`);
  assert.equal(one.status, 200);
  const people = one.json.household.residents_list;
  assert.ok(people.length > 0);
  for (const r of people) {
    assert.match(r.id_masked, /\*/);
    assert.ok(!('id_number' in r) && !('id_cipher' in r) && !('id_hash' in r));
  }
  assertError(await c.resident.get(`/api/v1/households/${ownHousehold}`), 404, 'not_found');
  assertError(await c.block.get(`/api/v1/households/${residentHousehold}`), 404, 'not_found');
});

test('households: create within scope, update, block move is for staff and audited', async () => {
  const r = await c.block.post('/api/v1/households', { block_id: block1, room: '1号楼1单元701', phone: '021-64001234' });
  assert.equal(r.status, 201, r.text);
  const id = r.json.household.id;
  assertError(await c.block.post('/api/v1/households', { block_id: block1, room: '1号楼1单元701' }), 409, 'conflict', 'room');
  assertError(await c.block.post('/api/v1/households', { block_id: block2, room: 'x' }), 404, 'not_found');
  assertError(await c.block.post('/api/v1/households', { block_id: block1, room: 'y', phone: 'abc' }), 400,
    'validation_failed', 'phone');
  assertError(await c.block.post('/api/v1/households', { block_id: block1, room: 'y', status: 'gone' }), 400,
    'validation_failed', 'status');

  const p = await c.block.patch(`/api/v1/households/${id}`, { status: 'away', notes: '外出' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.household.status, 'away');
  assertError(await c.block.patch(`/api/v1/households/${residentHousehold}`, { status: 'away' }), 404, 'not_found');
  assertError(await c.block.patch(`/api/v1/households/${id}`, { block_id: block2 }), 403, 'forbidden');
  const m = await c.committee.patch(`/api/v1/households/${id}`, { block_id: block2 });
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.household.block_id, block2);
  assertError(await c.block.get(`/api/v1/households/${id}`), 404, 'not_found');
  const audit = await walkList(c.committee, '/api/v1/audit?action=household.update');
  const e = audit.find((a) => a.target_id === id && a.detail.to_block_id === block2);
  assert.ok(e, JSON.stringify(audit));
  assert.equal(e.detail.from_block_id, block1);
});

test('residents: scope of the block leader, search by phone, name and ID tail', async () => {
  assertError(await c.block.get(`/api/v1/residents/${outsider.id}`), 404, 'not_found');
  assert.equal((await c.committee.get(`/api/v1/residents/${outsider.id}`)).status, 200);
  const tail = outsider.phone.slice(-4);
  const byCommittee = await walkList(c.committee, `/api/v1/residents?q=${tail}`);
  assert.ok(byCommittee.some((r) => r.id === outsider.id), 'phone tail finds the resident');
  const byBlock = listItems(await c.block.get(`/api/v1/residents?q=${outsider.phone}`));
  assert.equal(byBlock.length, 0, 'outside the scope: no results');
  const byZone = listItems(await c.zone.get(`/api/v1/residents?q=${outsider.phone}`));
  assert.ok(byZone.some((r) => r.id === outsider.id), 'block 2 is in zone 1');

  const name = listItems(await c.committee.get(`/api/v1/residents?q=${encodeURIComponent(outsider.name)}`));
  assert.ok(name.some((r) => r.id === outsider.id));
  const idTail = outsider.id_masked.slice(-4);
  const tailHits = await walkList(c.committee, `/api/v1/residents?id_tail=${idTail}`);
  assert.ok(tailHits.some((r) => r.id === outsider.id));
  assert.ok(tailHits.every((r) => r.id_masked.toUpperCase().endsWith(idTail.toUpperCase())));
  assertError(await c.committee.get('/api/v1/residents?id_tail=12345'), 400, 'validation_failed', 'id_tail');

  const item = byCommittee.find((r) => r.id === outsider.id);
  for (const k of ['room', 'block_name', 'flags', 'id_masked']) assert.ok(k in item, k);
  assert.ok(Array.isArray(item.flags));
});

test('residents: filters and pagination', async () => {
  const ns = await walkList(c.committee, '/api/v1/residents?flag=no_smartphone');
  assert.ok(ns.length > 10 && ns.every((r) => r.flags.includes('no_smartphone')));
  const iso = await walkList(c.committee, '/api/v1/residents?isolation=current');
  assert.ok(iso.length > 0 && iso.every((r) => r.flags.includes('home_isolation')));
  const old = await walkList(c.committee, '/api/v1/residents?age_min=80&age_max=85');
  assert.ok(old.length > 0 && old.every((r) => r.age >= 80 && r.age <= 85), JSON.stringify(old.slice(0, 2)));
  const party = listItems(await c.committee.get(`/api/v1/residents?party_member=1&zone_id=${zone1}&limit=500`));
  assert.ok(party.length > 0 && party.every((r) => r.party_member === true && r.zone_id === zone1));
  assertError(await c.committee.get('/api/v1/residents?flag=tall'), 400, 'validation_failed', 'flag');
  assertError(await c.committee.get('/api/v1/residents?age_min=x'), 400, 'validation_failed', 'age_min');

  const all = listItems(await c.block.get('/api/v1/residents?limit=500'));
  assert.ok(all.every((r) => r.block_id === block1 || r.household_id === ownHousehold));
  const first = await c.block.get('/api/v1/residents?limit=5');
  assert.equal(listItems(first).length, 5);
  assert.equal(typeof first.json.next_cursor, 'string');
  const walked = await walkList(c.block, '/api/v1/residents', 5);
  assert.deepEqual(walked.map((r) => r.id), all.map((r) => r.id));
});

test('exports honour scope and masking; another block\'s list is 404', async () => {
  const csv = await getBytes(c.block, '/api/v1/residents?format=csv');
  assert.equal(csv.status, 200);
  const text = csv.body.subarray(3).toString('utf8');
  const rows = parseCsv(text).filter((r) => r.some((x) => x));
  const all = await walkList(c.block, '/api/v1/residents');
  assert.equal(rows.length, all.length + 1);
  assert.ok(!/\d{17}[\dX]/i.test(text), 'no full ID number in the CSV');
  assert.ok(!text.includes(outsider.phone), 'nothing from block 2');

  const print = await getBytes(c.block, `/api/v1/blocks/${block1}/households?print=1`);
  assert.equal(print.status, 200);
  assert.ok(!/\d{17}[\dX]/i.test(print.body.toString('utf8')));
  assert.ok(print.body.toString('utf8').includes('1号楼1单元101'));

  const xlsx = await getBytes(c.committee, `/api/v1/residents?block_id=${block2}&format=xlsx`);
  assert.equal(xlsx.status, 200);
  const cells = readXlsx(xlsx.body).flat();
  // Exports show the narrow mask (docs/SECURITY.md): digits 1-4 and the check character.
  const narrow = `${outsider.id_masked.slice(0, 4)}${'*'.repeat(13)}${outsider.id_masked.slice(-1)}`;
  assert.ok(cells.includes(narrow), 'masked IDs in the sheet');
  assert.ok(!cells.includes(outsider.id_masked), 'not the wider mask of the committee\'s screen');
  assert.ok(!cells.some((c) => /\d{17}[\dX]/i.test(c)), 'no full ID number in the XLSX');

  assertError(await c.block.get(`/api/v1/blocks/${block2}/households?format=csv`), 404, 'not_found');
  assertError(await c.block.get(`/api/v1/blocks/${block2}/care-list?print=1`), 404, 'not_found');
  const exports = await walkList(c.committee, '/api/v1/audit?action=export');
  assert.ok(exports.some((e) => e.detail.route === '/api/v1/residents'));
});

test('block lists: households with phones, care list, call list', async () => {
  const hh = await walkList(c.block, `/api/v1/blocks/${block1}/households`);
  assert.ok(hh.length > 0 && hh.every((h) => typeof h.phone === 'string' && 'people' in h));
  const care = await walkList(c.block, `/api/v1/blocks/${block1}/care-list`);
  assert.ok(care.length > 0 && care.every((r) => r.flags.length > 0));
  const call = await walkList(c.block, `/api/v1/blocks/${block1}/call-list`);
  assert.ok(call.length > 0);
  for (const r of call) for (const k of ['name', 'room', 'phone', 'relay']) assert.ok(k in r, k);
  assert.ok(call.some((r) => r.relay), 'a relay named');
  const csv = await getBytes(c.block, `/api/v1/blocks/${block1}/call-list?format=csv`);
  assert.equal(csv.status, 200);
  assert.ok(csv.body.toString('utf8').includes(call[0].name));
});

test('residents: create with validation naming the field, duplicate ID, reveal', async () => {
  const bad = [
    [{ household_id: ownHousehold, name: '王五', id_number: '110105198001011230' }, 'id_number'],
    [{ household_id: ownHousehold, name: '王五', phone: '12345' }, 'phone'],
    [{ household_id: ownHousehold }, 'name'],
    [{ name: '王五' }, 'household_id'],
    [{ household_id: ownHousehold, name: '王五', gender: 'x' }, 'gender'],
    [{ household_id: ownHousehold, name: '王五', birth_date: '1980-02-30' }, 'birth_date'],
    [{ household_id: ownHousehold, name: '王五', birth_date: new Date(Date.now() + 2 * 86400e3).toISOString().slice(0, 10) },
      'birth_date'],
    [{ household_id: ownHousehold, name: '王五', id_kind: 'card' }, 'id_kind'],
    [{ household_id: ownHousehold, name: '王五', languages: 'chinese!' }, 'languages'],
    [{ household_id: ownHousehold, name: '王五', owner: 'yes' }, 'owner'],
  ];
  for (const [body, field] of bad) {
    const r = await c.block.post('/api/v1/residents', body);
    assertError(r, 400, 'validation_failed', field);
  }
  const zh = await c.block.post('/api/v1/residents', { household_id: ownHousehold, name: '王五', phone: '12345' },
    { 'Accept-Language': 'zh-CN' });
  assert.match(zh.json.error.message, /[\u4e00-\u9fff]/);

  const id = freshId('19900315');
  const r = await c.block.post('/api/v1/residents', { household_id: ownHousehold, name: '王五', phone: '13912340001',
    id_number: id.toLowerCase(), languages: 'zh,en', party_member: true });
  assert.equal(r.status, 201, r.text);
  const res = r.json.resident;
  assert.equal(res.birth_year, 1990);
  // A leader sees digits 1-4 and the check character only, and no birth date.
  assert.equal(res.id_masked, `${id.slice(0, 4)}${'*'.repeat(13)}${id.slice(-1)}`);
  assert.equal(res.birth_date, null);
  assert.ok(!r.text.includes(id));
  // A number registered already is accepted (and listed as a duplicate for the
  // committee): refusing it would tell whether it lives outside the leader's scope.
  const twice = await c.block.post('/api/v1/residents', { household_id: ownHousehold, name: '重复', id_number: id });
  assert.equal(twice.status, 201, twice.text);
  assert.equal((await c.committee.del(`/api/v1/residents/${twice.json.resident.id}`)).status, 200);
  assertError(await c.block.post('/api/v1/residents', { household_id: residentHousehold, name: '外人' }), 404, 'not_found');

  const patched = await c.block.patch(`/api/v1/residents/${res.id}`, { phone: '13912340002', floating: true });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.resident.phone, '13912340002');
  assert.equal(patched.json.resident.floating, true);
  assertError(await c.block.patch(`/api/v1/residents/${res.id}`, { id_number: '110105198001011230' }), 400,
    'validation_failed', 'id_number');
  assertError(await c.block.patch(`/api/v1/residents/${outsider.id}`, { phone: '13912340003' }), 404, 'not_found');

  assertError(await c.block.post(`/api/v1/residents/${res.id}/reveal-id`, {}), 403, 'forbidden');
  assertError(await c.zone.post(`/api/v1/residents/${res.id}/reveal-id`, {}), 403, 'forbidden');
  const rev = await c.committee.post(`/api/v1/residents/${res.id}/reveal-id`, {});
  assert.equal(rev.status, 200, rev.text);
  assert.equal(rev.json.id_number, id);
  const audit = await walkList(c.committee, '/api/v1/audit?action=resident.reveal_id');
  const entry = audit.find((a) => a.target_id === res.id);
  assert.ok(entry, 'reveal audited');
  assert.equal(entry.target_type, 'resident');
  const log = await walkList(c.committee, '/api/v1/audit');
  assert.ok(!JSON.stringify(log).includes(id), 'no plaintext ID in the audit log');
  const created = log.find((a) => a.action === 'resident.create' && a.target_id === res.id);
  assert.equal(created.on_behalf_of, res.id, 'written on behalf of the resident');
});

test('flags: set, replace, clear, history', async () => {
  const r = await c.block.post('/api/v1/residents', { household_id: ownHousehold, name: '赵六' });
  assert.equal(r.status, 201, r.text);
  const id = r.json.resident.id;
  assertError(await c.block.post(`/api/v1/residents/${id}/flags`, { flag: 'pregnant', detail: {} }), 400,
    'validation_failed', 'detail.due_date');
  assertError(await c.block.post(`/api/v1/residents/${id}/flags`, { flag: 'tall' }), 400, 'validation_failed', 'flag');
  assertError(await c.block.post(`/api/v1/residents/${id}/flags`, { flag: 'no_smartphone', detail: {} }), 400,
    'validation_failed');
  assertError(await c.block.post(`/api/v1/residents/${id}/flags`, { flag: 'home_isolation',
    detail: { start: '2026-03-10', planned_end: '2026-03-01' } }), 400, 'validation_failed', 'detail.planned_end');
  let s = await c.block.post(`/api/v1/residents/${id}/flags`, { flag: 'chronic_illness',
    detail: { condition: '高血压', medicine: '缬沙坦胶囊' } });
  assert.equal(s.status, 201, s.text);
  s = await c.block.post(`/api/v1/residents/${id}/flags`, { flag: 'chronic_illness',
    detail: { condition: '糖尿病', medicine: '二甲双胍' } });
  assert.equal(s.status, 201, s.text);
  s = await c.block.post(`/api/v1/residents/${id}/flags`, { flag: 'no_smartphone',
    detail: { relay_user_id: c.block.me.user.id } });
  assert.equal(s.status, 201, s.text);
  s = await c.block.post(`/api/v1/residents/${id}/flags`, { flag: 'home_isolation',
    detail: { start: '2026-11-20', planned_end: '2026-12-04', reason: 'close_contact' } });
  assert.equal(s.status, 201, s.text);

  const current = listItems(await c.block.get(`/api/v1/residents/${id}/flags`));
  assert.deepEqual(current.map((f) => f.flag).sort(), ['chronic_illness', 'home_isolation', 'no_smartphone']);
  assert.equal(current.find((f) => f.flag === 'chronic_illness').detail.condition, '糖尿病');
  const del = await c.block.del(`/api/v1/residents/${id}/flags/home_isolation`);
  assert.equal(del.status, 200, del.text);
  assertError(await c.block.del(`/api/v1/residents/${id}/flags/home_isolation`), 404, 'not_found');
  const history = listItems(await c.block.get(`/api/v1/residents/${id}/flags?history=1`));
  assert.equal(history.length, 4);
  assert.equal(history.filter((f) => f.current).length, 2);
  assert.ok(history.filter((f) => !f.current).every((f) => f.cleared_at));

  const calls = await walkList(c.block, `/api/v1/blocks/${block1}/call-list`);
  assert.ok(calls.some((x) => x.id === id && x.relay === c.block.me.user.display_name));
  const care = await walkList(c.block, `/api/v1/blocks/${block1}/care-list`);
  assert.ok(care.some((x) => x.id === id && x.care_notes.includes('糖尿病')));
  const listed = await walkList(c.block, '/api/v1/residents?flag=chronic_illness');
  assert.ok(listed.some((x) => x.id === id));
  assertError(await c.block.post(`/api/v1/residents/${outsider.id}/flags`, { flag: 'bedridden' }), 404, 'not_found');
});

test('travel history', async () => {
  const r = await c.block.post('/api/v1/residents', { household_id: ownHousehold, name: '孙七' });
  const id = r.json.resident.id;
  assertError(await c.block.post(`/api/v1/residents/${id}/travel`, { place: '武汉', from_date: '2026-13-01' }), 400,
    'validation_failed', 'from_date');
  assertError(await c.block.post(`/api/v1/residents/${id}/travel`, { from_date: '2026-01-01' }), 400,
    'validation_failed', 'place');
  const t = await c.block.post(`/api/v1/residents/${id}/travel`, { place: '武汉', from_date: '2026-01-10', to_date: '2026-01-20' });
  assert.equal(t.status, 201, t.text);
  const items = listItems(await c.block.get(`/api/v1/residents/${id}/travel`));
  assert.equal(items.length, 1);
  assert.equal(items[0].place, '武汉');
  assertError(await c.block.get(`/api/v1/residents/${outsider.id}/travel`), 404, 'not_found');
});

test('moving a resident, and moving out', async () => {
  const target = (await walkList(c.block, '/api/v1/households')).find((h) => h.id !== ownHousehold).id;
  const r = await c.block.post('/api/v1/residents', { household_id: ownHousehold, name: '周八', id_number: freshId() });
  assert.equal(r.status, 201, r.text);
  const id = r.json.resident.id;
  const m = await c.block.post(`/api/v1/residents/${id}/move`, { household_id: target });
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.resident.household_id, target);
  assertError(await c.block.post(`/api/v1/residents/${id}/move`, { household_id: residentHousehold }), 404, 'not_found');
  const audit = await walkList(c.committee, '/api/v1/audit?action=resident.move');
  const e = audit.find((a) => a.target_id === id);
  assert.equal(e.detail.from_household_id, ownHousehold);
  assert.equal(e.detail.to_household_id, target);

  const out = await c.block.del(`/api/v1/residents/${id}`);
  assert.equal(out.status, 200, out.text);
  assert.equal(out.json.resident.moved_out, true);
  assertError(await c.block.del(`/api/v1/residents/${id}`), 409, 'conflict');
  const listed = await walkList(c.block, `/api/v1/residents?household_id=${target}`);
  assert.ok(!listed.some((x) => x.id === id), 'moved out: not listed');
  const withOut = await walkList(c.block, `/api/v1/residents?household_id=${target}&include_moved_out=1`);
  assert.ok(withOut.some((x) => x.id === id && x.moved_out));
  const back = await c.block.post(`/api/v1/residents/${id}/move`, { household_id: ownHousehold });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.resident.moved_out, false);
});

test('counts by block and by zone, scoped', async () => {
  const byBlock = listItems(await c.committee.get('/api/v1/registry/counts?by=block'));
  assert.ok(byBlock.length >= 62);
  const b1 = byBlock.find((x) => x.id === block1);
  for (const k of ['households', 'residents', 'alone_elderly', 'no_smartphone', 'chronic_illness', 'in_isolation']) {
    assert.equal(typeof b1[k], 'number', k);
  }
  const mine = listItems(await c.block.get('/api/v1/registry/counts'));
  assert.deepEqual(mine.map((x) => x.id), [block1]);
  assert.equal(mine[0].households, b1.households);
  assert.equal(mine[0].residents, b1.residents);
  const zones = listItems(await c.committee.get('/api/v1/registry/counts?by=zone'));
  assert.ok(zones.length >= 6);
  const total = byBlock.reduce((s, x) => s + x.residents, 0);
  assert.equal(zones.reduce((s, x) => s + x.residents, 0), total);
  const iso = await walkList(c.committee, '/api/v1/residents?isolation=current');
  assert.equal(byBlock.reduce((s, x) => s + x.in_isolation, 0), iso.length);
  const zoneView = listItems(await c.zone.get('/api/v1/registry/counts?by=zone'));
  assert.deepEqual(zoneView.map((x) => x.id), [zone1]);
  assertError(await c.committee.get('/api/v1/registry/counts?by=street'), 400, 'validation_failed', 'by');
  const csv = await getBytes(c.committee, '/api/v1/registry/counts?format=csv');
  assert.equal(csv.status, 200);
});

test('dashboard tiles: registry figures in the actor\'s scope', async () => {
  const tiles = async (client) => Object.fromEntries((await client.get('/api/v1/dashboard')).json.tiles.map((t) => [t.key, t.value]));
  const all = await tiles(c.committee);
  const mine = await tiles(c.block);
  for (const k of ['households', 'residents', 'alone_elderly', 'disabled', 'pregnant', 'chronic_illness', 'bedridden',
    'no_smartphone', 'in_isolation']) {
    assert.equal(typeof all[k], 'number', k);
    assert.equal(typeof mine[k], 'number', k);
  }
  assert.ok(all.households > mine.households && mine.households > 0);
  const counts = listItems(await c.block.get('/api/v1/registry/counts'));
  assert.equal(mine.residents, counts[0].residents);
  const vol = await tiles(c.volunteer);
  assert.ok(!('households' in vol));
});
