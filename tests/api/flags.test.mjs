// Vulnerability flags with history: who set, changed and cleared each flag and when,
// with the scope of each role; merging and the retention purge keep the history right;
// ages and age bands on the community's own calendar day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, createUser, uniq, stopServer, parseCsv } from '../lib/api-helpers.mjs';

let srv;
const c = {};
let block1;        // the block leader's block
let block2;        // another block, with its own leader
let block2Leader;
let household;     // a household of block 1 made for this file

function scopeOf(client, role) {
  return client.me.user.roles.find((r) => r.role === role).scope_id;
}
function who(client) {
  return { id: client.me.user.id, name: client.me.user.display_name };
}

async function resident(client, body, householdId = household) {
  const r = await client.post('/api/v1/residents', { household_id: householdId, ...body });
  assert.equal(r.status, 201, r.text);
  return r.json.resident;
}

async function setFlag(client, id, flag, detail) {
  const r = await client.post(`/api/v1/residents/${id}/flags`, { flag, detail });
  assert.equal(r.status, 201, r.text);
  return r.json.flag;
}

async function clearFlag(client, id, flag) {
  const r = await client.del(`/api/v1/residents/${id}/flags/${flag}`);
  assert.equal(r.status, 200, r.text);
}

// The calendar day in a time zone, "YYYY-MM-DD", and the same day shifted by years/days.
function dayIn(tz, date = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}
function shift(day, years, days = 0) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y - years, m - 1, d + days)).toISOString().slice(0, 10);
}

before(async () => {
  srv = await startServer();
  for (const u of ['admin', 'committee', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  block1 = scopeOf(c.block, 'block_leader');
  const hh = await c.committee.get(`/api/v1/households/${scopeOf(c.resident, 'resident')}`);
  assert.equal(hh.status, 200, hh.text);
  block2 = hh.json.household.block_id;
  assert.notEqual(block1, block2);
  const u = await createUser(c.committee, { username: uniq('bl2-'), display_name: '二号楼组长', password: 'block-two-pass',
    roles: [{ role: 'block_leader', scope_id: block2 }] });
  block2Leader = await loggedIn(srv.url, u.username, u.password);
  const h = await c.committee.post('/api/v1/households', { block_id: block1, room: `F-${Date.now() % 100000}` });
  assert.equal(h.status, 201, h.text);
  household = h.json.household.id;
});

after(async () => {
  await stopServer(srv);
});

test('flags-1: set, change and clear as committee and block leader; the history names who and says what', async () => {
  const p = await resident(c.block, { name: '标记甲', birth_year: 1950 });
  const committee = who(c.committee), leader = who(c.block);
  assert.notEqual(committee.id, leader.id);

  const first = await setFlag(c.committee, p.id, 'chronic_illness', { condition: '高血压' });
  assert.equal(first.action, 'set');
  assert.equal(first.set_by, committee.id);
  assert.equal(first.set_by_name, committee.name);
  assert.equal(first.current, true);
  const changed = await setFlag(c.block, p.id, 'chronic_illness', { condition: '糖尿病', medicine: '二甲双胍' });
  assert.equal(changed.action, 'changed');
  assert.equal(changed.set_by_name, leader.name);
  await clearFlag(c.block, p.id, 'chronic_illness');
  await setFlag(c.block, p.id, 'alone_elderly', { caregiver: '女儿' });
  await clearFlag(c.committee, p.id, 'alone_elderly');
  await setFlag(c.committee, p.id, 'no_smartphone', { relay_name: '邻居老李' });

  // The changes, newest first.
  const events = listItems(await c.committee.get(`/api/v1/residents/${p.id}/flag-history`));
  assert.deepEqual(events.map((e) => [e.action, e.flag, e.by, e.by_name]), [
    ['set', 'no_smartphone', committee.id, committee.name],
    ['cleared', 'alone_elderly', committee.id, committee.name],
    ['set', 'alone_elderly', leader.id, leader.name],
    ['cleared', 'chronic_illness', leader.id, leader.name],
    ['changed', 'chronic_illness', leader.id, leader.name],
    ['set', 'chronic_illness', committee.id, committee.name],
  ]);
  assert.deepEqual(events[4].detail, { condition: '糖尿病', medicine: '二甲双胍' });
  assert.deepEqual(events[5].detail, { condition: '高血压' });
  assert.deepEqual(events[3].detail, events[4].detail, 'a clear shows the detail it ended');
  for (const e of events) {
    assert.match(e.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(e.label.length > 0, true);
  }
  const times = events.map((e) => e.at);
  assert.deepEqual([...times].sort().reverse(), times, 'newest first');
  assert.equal(events[1].action_text, 'Cleared');
  const zh = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  const zhEvents = listItems(await zh.get(`/api/v1/residents/${p.id}/flag-history`));
  assert.deepEqual(zhEvents.slice(0, 3).map((e) => e.action_text), ['设置', '解除', '设置']);
  assert.equal(zhEvents[4].action_text, '修改');

  // Pages of two walk the same changes in the same order.
  const paged = await walkList(c.block, `/api/v1/residents/${p.id}/flag-history`, 2);
  assert.equal(paged.pages, 3);
  assert.deepEqual(paged.map((e) => [e.action, e.entry_id]), events.map((e) => [e.action, e.entry_id]));

  // The entries: who set and who closed each, and which entry replaced it.
  const entries = listItems(await c.block.get(`/api/v1/residents/${p.id}/flags?history=1`));
  assert.equal(entries.length, 4);
  const [e1, e2, e3, e4] = entries;
  assert.equal(e1.cleared_by, leader.id);
  assert.equal(e1.cleared_by_name, leader.name);
  assert.equal(e1.replaced_by, e2.id);
  assert.equal(e2.replaced_by, null);
  assert.equal(e2.cleared_by_name, leader.name);
  assert.equal(e3.set_by_name, leader.name);
  assert.equal(e3.cleared_by_name, committee.name);
  assert.equal(e4.current, true);
  assert.equal(e4.cleared_by, null);
  assert.equal(e4.cleared_at, null);

  // The record itself: its current flags with who set them.
  const one = await c.block.get(`/api/v1/residents/${p.id}`);
  assert.equal(one.status, 200, one.text);
  assert.deepEqual(one.json.resident.flags, ['no_smartphone']);
  assert.deepEqual(one.json.resident.flag_entries.map((e) => [e.flag, e.set_by, e.set_by_name]),
    [['no_smartphone', committee.id, committee.name]]);

  // The printed and exported form of the history.
  const csv = await c.committee.get(`/api/v1/residents/${p.id}/flag-history?format=csv`);
  assert.equal(csv.status, 200, csv.text.slice(0, 200));
  const rows = parseCsv(csv.text.replace(/^\uFEFF/, ''));
  assert.equal(rows.length, 1 + events.length);
  assert.ok(rows.some((r) => r.includes('Changed') && r.includes(`${leader.name} (Block leader)`)), JSON.stringify(rows));
});

test('flags-2: scope: another block\'s leader gets 404, a volunteer 403 and no flags anywhere', async () => {
  const p = await resident(c.committee, { name: '标记乙', birth_year: 1940 });
  await setFlag(c.block, p.id, 'bedridden', {});
  for (const path of [`/api/v1/residents/${p.id}/flag-history`, `/api/v1/residents/${p.id}/flags?history=1`,
    `/api/v1/residents/${p.id}`]) {
    assertError(await block2Leader.get(path), 404, 'not_found');
    assertError(await c.volunteer.get(path), 403, 'forbidden');
    assertError(await c.resident.get(path), 404, 'not_found');
  }
  assertError(await block2Leader.post(`/api/v1/residents/${p.id}/flags`, { flag: 'disabled' }), 404, 'not_found');
  assertError(await block2Leader.del(`/api/v1/residents/${p.id}/flags/bedridden`), 404, 'not_found');
  assertError(await c.volunteer.post(`/api/v1/residents/${p.id}/flags`, { flag: 'disabled' }), 403, 'forbidden');
  assertError(await c.volunteer.del(`/api/v1/residents/${p.id}/flags/bedridden`), 403, 'forbidden');
  assertError(await c.resident.post(`/api/v1/residents/${p.id}/flags`, { flag: 'disabled' }), 403, 'forbidden');
  assertError(await c.volunteer.get('/api/v1/residents?flag=bedridden'), 403, 'forbidden');
  // The denied writes changed nothing.
  const events = listItems(await c.committee.get(`/api/v1/residents/${p.id}/flag-history`));
  assert.deepEqual(events.map((e) => [e.action, e.flag, e.by]), [['set', 'bedridden', who(c.block).id]]);
  // The leader of block 2 sees the history of a block-2 resident.
  const q = await c.committee.get(`/api/v1/households/${scopeOf(c.resident, 'resident')}`);
  const own = q.json.household.residents_list[0];
  await setFlag(block2Leader, own.id, 'disabled', { kind: '视力' });
  const mine = listItems(await block2Leader.get(`/api/v1/residents/${own.id}/flag-history`));
  assert.equal(mine[0].by_name, '二号楼组长');
  assertError(await c.block.get(`/api/v1/residents/${own.id}/flag-history`), 404, 'not_found');
  assertError(await c.committee.get('/api/v1/residents/999999/flag-history'), 404, 'not_found');
  assertError(await c.committee.get('/api/v1/residents/abc/flag-history'), 404, 'not_found');
});

test('flags-3: merging keeps both histories; the closed duplicate entry names the account that merged', async () => {
  const keep = await resident(c.committee, { name: '合并甲', birth_year: 1945 });
  const dup = await resident(c.committee, { name: '合并甲', birth_year: 1945 });
  await setFlag(c.block, keep.id, 'alone_elderly', {});
  await setFlag(c.block, dup.id, 'alone_elderly', { caregiver: '侄子' });
  await setFlag(c.block, dup.id, 'pregnant', { due_date: '2027-03-01' });
  const m = await c.committee.post(`/api/v1/residents/${dup.id}/merge`, { into: keep.id });
  assert.equal(m.status, 200, m.text);
  const events = listItems(await c.committee.get(`/api/v1/residents/${keep.id}/flag-history`));
  const committee = who(c.committee), leader = who(c.block);
  const cleared = events.filter((e) => e.action === 'cleared');
  assert.deepEqual(cleared.map((e) => [e.flag, e.by, e.by_name]), [['alone_elderly', committee.id, committee.name]]);
  assert.deepEqual(cleared[0].detail, { caregiver: '侄子' }, 'the duplicate\'s entry was the one closed');
  assert.equal(events.filter((e) => e.action === 'set').length, 3);
  assert.ok(events.filter((e) => e.action === 'set').every((e) => e.by === leader.id));
  const current = listItems(await c.committee.get(`/api/v1/residents/${keep.id}/flags`));
  assert.deepEqual(current.map((e) => e.flag).sort(), ['alone_elderly', 'pregnant']);
});

test('flags-4: age bands on the community\'s day: by birth date when known, by birth year otherwise', async () => {
  // Ages by the date are the committee's on screen; leaders go by the year alone
  // (docs/SECURITY.md, the masking rule), checked at the end.
  const today = dayIn('Asia/Shanghai');
  const year = Number(today.slice(0, 4));
  // Letters only: the search also matches the digits of a query against phone numbers.
  const tag = uniq('年龄').replace(/\d/g, (d) => 'ghijklmnop'[d]);
  const people = {
    d60: shift(today, 60),          // 60 today
    d59: shift(today, 60, 1),       // 60 tomorrow: still 59
    d70: shift(today, 70),          // 70 today
    d69: shift(today, 70, 1),       // 69 until tomorrow
    d80: shift(today, 80),
    d79: shift(today, 80, 1),
  };
  const aged = async (who = c.committee) => listItems(await who.get('/api/v1/registry/counts')).find((x) => x.id === block1).aged_60_plus;
  const agedBefore = await aged();
  const leaderAgedBefore = await aged(c.block);
  const ids = {};
  for (const [key, birth_date] of Object.entries(people)) ids[key] = (await resident(c.block, { name: `${tag}${key}`, birth_date })).id;
  ids.y60 = (await resident(c.block, { name: `${tag}y60`, birth_year: year - 60 })).id;
  ids.y70 = (await resident(c.block, { name: `${tag}y70`, birth_year: year - 70 })).id;
  ids.y59 = (await resident(c.block, { name: `${tag}y59`, birth_year: year - 59 })).id;
  const agesOf = async (who) => Object.fromEntries(listItems(await who.get(`/api/v1/residents?q=${encodeURIComponent(tag)}&limit=50`))
    .filter((r) => r.name.startsWith(tag)).map((r) => [r.name.slice(tag.length), r.age]));
  assert.deepEqual(await agesOf(c.committee), { d60: 60, d59: 59, d70: 70, d69: 69, d80: 80, d79: 79, y60: 60, y70: 70, y59: 59 });

  const band = async (query, who = c.committee) => listItems(await who.get(`/api/v1/residents?q=${encodeURIComponent(tag)}&limit=50&${query}`))
    .map((r) => r.name.slice(tag.length)).sort();
  assert.deepEqual(await band('age_min=60&age_max=69'), ['d60', 'd69', 'y60'].sort());
  assert.deepEqual(await band('age_min=70&age_max=79'), ['d70', 'd79', 'y70'].sort());
  assert.deepEqual(await band('age_min=80'), ['d80']);
  assert.deepEqual(await band('age_max=59'), ['d59', 'y59'].sort());
  assert.deepEqual(await band('age_min=60'), ['d60', 'd69', 'd70', 'd79', 'd80', 'y60', 'y70'].sort());
  // The counts of 60 and older take the same rule: seven of the nine.
  assert.equal(await aged(), agedBefore + 7);
  const zoneCounts = listItems(await c.committee.get('/api/v1/registry/counts?by=zone'));
  assert.ok(zoneCounts.every((z) => Number.isInteger(z.aged_60_plus) && z.aged_60_plus <= z.residents));
  // The household and the care list give the same ages.
  const hh = await c.committee.get(`/api/v1/households/${household}`);
  const inHouse = hh.json.household.residents_list.find((r) => r.id === ids.d59);
  assert.equal(inHouse.age, 59);
  await setFlag(c.block, ids.d59, 'alone_elderly', {});
  const care = await walkList(c.committee, `/api/v1/blocks/${block1}/care-list`);
  assert.equal(care.find((r) => r.id === ids.d59).age, 59);

  // A leader: ages, bands and counts by the birth year, the same on every day of it.
  const byYear = { y60: 60, y70: 70, y59: 59 };
  for (const [key, birth_date] of Object.entries(people)) byYear[key] = year - Number(birth_date.slice(0, 4));
  assert.deepEqual(await agesOf(c.block), byYear);
  const inBand = (lo, hi) => Object.keys(byYear).filter((k) => byYear[k] >= lo && byYear[k] <= hi).sort();
  assert.deepEqual(await band('age_max=59', c.block), inBand(0, 59));
  assert.deepEqual(await band('age_min=60&age_max=69', c.block), inBand(60, 69));
  assert.equal(await aged(c.block), leaderAgedBefore + inBand(60, 150).length);
  assert.equal((await walkList(c.block, `/api/v1/blocks/${block1}/care-list`)).find((r) => r.id === ids.d59).age, byYear.d59);
});

test('flags-5: a community far east and one far west of UTC see different ages on the same instant', async () => {
  // Kiritimati (UTC+14) and Pago Pago (UTC-11) are 25 hours apart: their calendar days
  // always differ, so one birth date is an age in one and the age less one in the other.
  const east = 'Pacific/Kiritimati', west = 'Pacific/Pago_Pago';
  const born = shift(dayIn(east), 60);
  const ages = {};
  for (const tz of [east, west]) {
    const made = await c.admin.post('/api/v1/communities', { name: `时区${tz}`, timezone: tz });
    assert.equal(made.status, 201, made.text);
    const u = await c.admin.post('/api/v1/users', { username: uniq('tz'), display_name: 'TZ', password: 'tz-committee-1',
      roles: [{ role: 'committee' }], community_id: made.json.community.id });
    assert.equal(u.status, 201, u.text);
    const staff = await loggedIn(srv.url, u.json.user.username, 'tz-committee-1');
    const b = await staff.post('/api/v1/blocks', { name: '1号楼' });
    const h = await staff.post('/api/v1/households', { block_id: b.json.block.id, room: '101' });
    const p = await resident(staff, { name: '时区居民', birth_date: born }, h.json.household.id);
    ages[tz] = p.age;
    const inBand = listItems(await staff.get('/api/v1/residents?age_min=60&age_max=69'));
    ages[`${tz} band`] = inBand.length;
  }
  assert.deepEqual(ages, { [east]: 60, [west]: 59, [`${east} band`]: 1, [`${west} band`]: 0 });
});

test('flags-6: the retention purge removes the history of health flags, names included', async () => {
  const p = await resident(c.block, { name: '保留期', birth_year: 1960 });
  await setFlag(c.block, p.id, 'pregnant', { due_date: '2027-01-01' });
  await setFlag(c.committee, p.id, 'pregnant', { due_date: '2027-01-15' });
  await setFlag(c.block, p.id, 'chronic_illness', { condition: '哮喘' });
  await clearFlag(c.committee, p.id, 'chronic_illness');
  await setFlag(c.block, p.id, 'alone_elderly', {});
  await clearFlag(c.block, p.id, 'alone_elderly');
  const ended = shift(dayIn('Asia/Shanghai'), 0, -10);
  assert.equal((await c.committee.patch('/api/v1/community/retention', { emergency_ended_on: ended, keep_days: 1 })).status, 200);
  const r = await c.committee.post('/api/v1/community/retention/purge', { dry_run: false });
  assert.equal(r.status, 200, r.text);
  const events = listItems(await c.committee.get(`/api/v1/residents/${p.id}/flag-history`));
  // Health: only the current pregnancy stays, without its detail and without a trace of
  // the entry it replaced; alone_elderly is not health data and keeps its history.
  assert.deepEqual(events.map((e) => [e.action, e.flag, e.by_name]), [
    ['cleared', 'alone_elderly', who(c.block).name],
    ['set', 'alone_elderly', who(c.block).name],
    ['set', 'pregnant', who(c.committee).name],
  ]);
  assert.deepEqual(events[2].detail, {});
  const entries = listItems(await c.committee.get(`/api/v1/residents/${p.id}/flags?history=1`));
  assert.deepEqual(entries.map((e) => e.flag), ['pregnant', 'alone_elderly']);
});

test('flags: who did it is shown with the role beside the name, so a display name cannot pass for staff', async () => {
  const p = await resident(c.block, { name: '标记角色', birth_year: 1952 });
  const leader = who(c.block);
  // A block leader who calls themself committee staff still shows as a block leader.
  const fake = '居委会主任';
  assert.equal((await c.block.patch('/api/v1/me', { display_name: fake })).status, 200);
  try {
    const set = await setFlag(c.block, p.id, 'alone_elderly', { caregiver: '儿子' });
    assert.equal(set.set_by_label, `${fake} (Block leader)`);
    const events = listItems(await c.committee.get(`/api/v1/residents/${p.id}/flag-history`));
    assert.equal(events[0].by_label, `${fake} (Block leader)`);
    const zh = await c.committee.get(`/api/v1/residents/${p.id}/flag-history`, { 'Accept-Language': 'zh-CN' });
    assert.equal(listItems(zh)[0].by_label, `${fake}（楼组长）`);
    const printed = await c.committee.get(`/api/v1/residents/${p.id}/flag-history?print=1`, { 'Accept-Language': 'zh-CN' });
    assert.equal(printed.status, 200);
    assert.ok(printed.text.includes(`${fake}（楼组长）`), 'the print shows the role beside the name');
  } finally {
    assert.equal((await c.block.patch('/api/v1/me', { display_name: leader.name })).status, 200);
  }
});
