// Access follows the person: an account linked to a resident reaches that resident's
// household only while the person lives there (moving out, moving, a merge, a household
// left empty). Leader routes use the leader scope only, never the leader's own household
// as a resident. Masked ID numbers stay masked for every role below the committee and in
// every export: no combination of the fields such a role sees narrows a number below
// 10,000 candidates. An ID number registered elsewhere answers the same whatever the
// caller's scope. Printing door plates and personal codes issues codes with a POST only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, createUser, uniq, parseCsv } from '../lib/api-helpers.mjs';

let srv;
const c = {};
let block1;   // the demo block leader's block
let block2;   // the demo resident's block
let block2Leader;

function scopeOf(client, role) {
  return client.me.user.roles.find((r) => r.role === role).scope_id;
}

// A valid GB 11643 citizen ID number from its first 17 digits.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function checkChar(first17) {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * WEIGHTS[i];
  return '10X98765432'[s % 11];
}
function cnId(area, date, seq) {
  const first = `${area}${date.replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
  return first + checkChar(first);
}
let idSeq = 100;
function freshId(date = '1986-07-21', male = true) {
  idSeq += 2;
  return cnId('310104', date, idSeq + (male ? 1 : 0));
}

async function newHousehold(block, room = uniq('R')) {
  const r = await c.committee.post('/api/v1/households', { block_id: block, room });
  assert.equal(r.status, 201, r.text);
  return r.json.household;
}

async function newResident(household, fields = {}) {
  const r = await c.committee.post('/api/v1/residents', { household_id: household, name: uniq('居民'), ...fields });
  assert.equal(r.status, 201, r.text);
  return r.json.resident;
}

// An account linked to resident `residentId` of `householdId`, as staff approve a
// sign-up (resident 0: an account of the household without a resident record).
async function accountFor(householdId, residentId) {
  const anon = new Client(srv.url);
  const username = uniq('acc-');
  const password = 'access-pass-1';
  const s = await anon.post('/api/v1/signup', { username, password, name: '住户', phone: '13912345678',
    claimed_address: 'somewhere' });
  assert.equal(s.status, 201, s.text);
  const body = { household_id: householdId };
  if (residentId) body.resident_id = residentId;
  const ap = await c.committee.post(`/api/v1/signups/${s.json.signup.id}/approve`, body);
  assert.equal(ap.status, 200, ap.text);
  const client = await loggedIn(srv.url, username, password);
  return { client, username, password };
}

// Everything a resident account could read of household h (with member m): each must be
// refused now. No answer may carry the member's name.
async function assertNoAccess(client, h, m, secretName) {
  const paths = [`/api/v1/households/${h}`, `/api/v1/residents/${m}`, `/api/v1/residents/${m}/flags`,
    `/api/v1/residents/${m}/flags?history=1`, `/api/v1/residents/${m}/travel`, `/api/v1/residents/${m}/flag-history`,
    `/api/v1/residents?household_id=${h}`, `/api/v1/residents?household_id=${h}&format=csv`,
    `/api/v1/residents/${m}/flag-history?format=csv`, `/api/v1/households?format=csv`, '/api/v1/residents?format=csv',
    `/api/v1/residents?household_id=${h}&print=1`];
  for (const p of paths) {
    const r = await client.get(p);
    assert.ok(r.status === 403 || r.status === 404 || (r.status === 200 && !r.text.includes(secretName)),
      `${p}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.ok(!r.text.includes(secretName), `${p} leaks the member's name`);
  }
}

function residentRoles(client) {
  return client.me.user.roles.filter((r) => r.role === 'resident').map((r) => r.scope_id);
}

async function me(client) {
  const r = await client.get('/api/v1/me');
  assert.equal(r.status, 200, r.text);
  client.me = { ...client.me, user: r.json.user };
  return r.json.user;
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'block', 'resident', 'zone']) c[u] = await loggedIn(srv.url, u);
  block1 = scopeOf(c.block, 'block_leader');
  const hh = await c.committee.get(`/api/v1/households/${scopeOf(c.resident, 'resident')}`);
  block2 = hh.json.household.block_id;
  assert.notEqual(block1, block2);
  const u = await createUser(c.committee, { username: uniq('bl2-'), password: 'block-two-pass',
    roles: [{ role: 'block_leader', scope_id: block2 }] });
  block2Leader = await loggedIn(srv.url, u.username, u.password);
});

after(async () => {
  if (srv) await srv.stop();
});

test('access-1: a resident moved out loses the old household in the same write, on the session already open', async () => {
  const h = await newHousehold(block1);
  const me1 = await newResident(h.id);
  const other = await newResident(h.id, { name: uniq('孕妇'), phone: '13900001111' });
  assert.equal((await c.committee.post(`/api/v1/residents/${other.id}/flags`,
    { flag: 'pregnant', detail: { due_date: '2027-03-01', hospital: '妇幼保健院' } })).status, 201);
  assert.equal((await c.committee.post(`/api/v1/residents/${other.id}/travel`,
    { place: '武汉', from_date: '2026-11-01' })).status, 201);
  const acc = await accountFor(h.id, me1.id);
  // Before: the household, the member's flags and travel are the account's own.
  assert.equal((await acc.client.get(`/api/v1/households/${h.id}`)).status, 200);
  assert.equal((await acc.client.get(`/api/v1/residents/${other.id}/flags`)).status, 200);

  const out = await c.committee.del(`/api/v1/residents/${me1.id}`);
  assert.equal(out.status, 200, out.text);
  await assertNoAccess(acc.client, h.id, other.id, other.name);
  const user = await me(acc.client);
  assert.deepEqual(user.roles.filter((r) => r.role === 'resident'), [], 'the resident role is gone');
  // A fresh login gets nothing either.
  const again = await loggedIn(srv.url, acc.username, acc.password);
  await assertNoAccess(again, h.id, other.id, other.name);
  // The account is no longer linked: the leader can no longer issue it a reset code.
  assertError(await c.block.post(`/api/v1/residents/${me1.id}/reset-code`, {}), 409, 'conflict', 'resident_id');
});

test('access-2: a resident moved to another block reaches the new household only; a reset code from the new block leader reaches nothing old', async () => {
  const h = await newHousehold(block1);
  const mover = await newResident(h.id);
  const stay = await newResident(h.id, { name: uniq('留守') });
  assert.equal((await c.committee.post(`/api/v1/residents/${stay.id}/flags`,
    { flag: 'chronic_illness', detail: { condition: '糖尿病' } })).status, 201);
  const h2 = await newHousehold(block2);
  const acc = await accountFor(h.id, mover.id);
  assert.deepEqual(residentRoles(acc.client), [h.id]);

  const mv = await c.committee.post(`/api/v1/residents/${mover.id}/move`, { household_id: h2.id });
  assert.equal(mv.status, 200, mv.text);
  await assertNoAccess(acc.client, h.id, stay.id, stay.name);
  const user = await me(acc.client);
  assert.deepEqual(user.roles.filter((r) => r.role === 'resident').map((r) => r.scope_id), [h2.id],
    'the resident role points at the new household');
  const mine = await acc.client.get(`/api/v1/households/${h2.id}`);
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(mine.json.household.residents_list.map((r) => r.id), [mover.id]);

  // The new block's leader resets the password and logs in as the resident.
  const rc = await block2Leader.post(`/api/v1/residents/${mover.id}/reset-code`, {});
  assert.equal(rc.status, 201, rc.text);
  const anon = new Client(srv.url);
  assert.equal((await anon.post('/api/v1/password-reset',
    { username: acc.username, code: rc.json.code, new_password: 'taken-over-9' })).status, 200);
  const taken = await loggedIn(srv.url, acc.username, 'taken-over-9');
  await assertNoAccess(taken, h.id, stay.id, stay.name);
});

test('access-3: a merge moves the duplicate\'s account, its role and its link to the kept record\'s household', async () => {
  const hd = await newHousehold(block1);
  const dup = await newResident(hd.id, { name: '合并甲', birth_year: 1970 });
  const neighbour = await newResident(hd.id, { name: uniq('邻居') });
  const hk = await newHousehold(block2);
  const keep = await newResident(hk.id, { name: '合并甲', birth_year: 1970 });
  const acc = await accountFor(hd.id, dup.id);
  const m = await c.committee.post(`/api/v1/residents/${dup.id}/merge`, { into: keep.id });
  assert.equal(m.status, 200, m.text);
  await assertNoAccess(acc.client, hd.id, neighbour.id, neighbour.name);
  const user = await me(acc.client);
  assert.deepEqual(user.roles.filter((r) => r.role === 'resident').map((r) => r.scope_id), [hk.id]);
  assert.equal((await acc.client.get(`/api/v1/households/${hk.id}`)).status, 200);
});

test('access-4: a household left empty keeps no resident access, also for accounts without a resident record', async () => {
  const h = await newHousehold(block1);
  const only = await newResident(h.id, { name: uniq('独居') });
  const unlinked = await accountFor(h.id, 0);
  assert.equal((await unlinked.client.get(`/api/v1/households/${h.id}`)).status, 200);
  const h2 = await newHousehold(block1);
  assert.equal((await c.committee.post(`/api/v1/residents/${only.id}/move`, { household_id: h2.id })).status, 200);
  await assertNoAccess(unlinked.client, h.id, only.id, only.name);
  const user = await me(unlinked.client);
  assert.deepEqual(user.roles.filter((r) => r.role === 'resident'), []);
});

test('access-5: a resident moved by a registry import no longer reads the old household', async () => {
  const h = await newHousehold(block1);
  const number = freshId('1968-04-04', true);
  const mover = await newResident(h.id, { name: uniq('迁'), id_number: number });
  const stay = await newResident(h.id, { name: uniq('留') });
  const acc = await accountFor(h.id, mover.id);
  const h2 = await newHousehold(block2);
  const blockName = (await c.committee.get(`/api/v1/blocks/${block2}`)).json.block.name;
  const csv = `楼组,房号,姓名,身份证号\n${blockName},${h2.room},${mover.name},${number}\n`;
  const imp = await c.committee.req('POST', '/api/v1/registry/import', csv, { 'Content-Type': 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  assert.equal((await c.committee.get(`/api/v1/residents/${mover.id}`)).json.resident.household_id, h2.id, 'the import moved the resident');
  await assertNoAccess(acc.client, h.id, stay.id, stay.name);
  // ... and the account follows the person to the new household, in the import's write.
  const now = await acc.client.get(`/api/v1/households/${h2.id}`);
  assert.equal(now.status, 200, now.text);
  const roles = (await acc.client.get('/api/v1/me')).json.user.roles.filter((r) => r.role === 'resident');
  assert.deepEqual(roles.map((r) => r.scope_id), [h2.id], 'one resident role, over the new household');
});

test('scope-1: a block leader who is a resident elsewhere has no leader powers over the own household', async () => {
  const own = await newHousehold(block2);
  const ownMember = await newResident(own.id, { name: uniq('家人') });
  const leaderHh = await newHousehold(block1);
  const led = await newResident(leaderHh.id);
  const u = await createUser(c.committee, { username: uniq('blr-'), password: 'leader-res-1',
    roles: [{ role: 'block_leader', scope_id: block1 }, { role: 'resident', scope_id: own.id }] });
  const lr = await loggedIn(srv.url, u.username, u.password);
  // Reading the own household as a resident stays allowed.
  assert.equal((await lr.get(`/api/v1/households/${own.id}`)).status, 200);
  assert.equal((await lr.get(`/api/v1/residents/${ownMember.id}/flags`)).status, 200);
  // Leader routes do not reach it.
  assertError(await lr.patch(`/api/v1/households/${own.id}`, { notes: 'x' }), 404, 'not_found');
  assertError(await lr.post(`/api/v1/residents/${ownMember.id}/flags`, { flag: 'alone_elderly' }), 404, 'not_found');
  assertError(await lr.post(`/api/v1/residents/${ownMember.id}/travel`, { place: '北京', from_date: '2026-11-02' }), 404, 'not_found');
  assertError(await lr.patch(`/api/v1/residents/${ownMember.id}`, { phone: '13911112222' }), 404, 'not_found');
  assertError(await lr.post(`/api/v1/residents/${led.id}/move`, { household_id: own.id }), 404, 'not_found');
  assertError(await lr.post('/api/v1/residents', { household_id: own.id, name: '新人' }), 404, 'not_found');
  assertError(await lr.del(`/api/v1/residents/${ownMember.id}`), 404, 'not_found');
  assertError(await lr.get(`/api/v1/households/${own.id}/history`), 404, 'not_found');
  assertError(await lr.get(`/api/v1/residents/${ownMember.id}/history`), 404, 'not_found');
  assertError(await lr.post(`/api/v1/households/${own.id}/scan-code`, {}), 404, 'not_found');
  // A sweep of the other block: neither visible nor recordable.
  const sw = await c.committee.post('/api/v1/sweeps', { title: uniq('排摸'), target_kind: 'filter',
    target_filter: { block_id: block2 }, questions: [{ key: 'ok', label_zh: '好', type: 'yes_no' }] });
  assert.equal(sw.status, 201, sw.text);
  assert.equal((await c.committee.post(`/api/v1/sweeps/${sw.json.sweep.id}/open`, {})).status, 200);
  assertError(await lr.get(`/api/v1/sweeps/${sw.json.sweep.id}`), 404, 'not_found');
  assertError(await lr.get(`/api/v1/sweeps/${sw.json.sweep.id}/households/${own.id}`), 404, 'not_found');
  assertError(await lr.req('PUT', `/api/v1/sweeps/${sw.json.sweep.id}/households/${own.id}`, { outcome: 'not_home' }), 404, 'not_found');
  const sweeps = listItems(await lr.get('/api/v1/sweeps'));
  assert.ok(!sweeps.some((s) => s.id === sw.json.sweep.id), 'the other block\'s sweep is not listed');
  // Inside the leader's block everything still works.
  assert.equal((await lr.post(`/api/v1/residents/${led.id}/flags`, { flag: 'alone_elderly' })).status, 201);
});

// ---------------------------------------------------------------- masked ID numbers

// The numbers consistent with what a role sees, assuming the worst: the attacker knows
// the whole six-digit address code. Counts every birth date the visible fields allow,
// every sequence number of the visible gender, and keeps those whose every visible
// character (mask) matches.
function candidates(seen, area) {
  const mask = seen.id_masked;
  assert.equal(mask.length, 18, `mask ${mask}`);
  const dates = [];
  if (seen.birth_date) dates.push(seen.birth_date.replaceAll('-', ''));
  else {
    const y = seen.birth_year;
    for (let d = new Date(Date.UTC(y, 0, 1)); d.getUTCFullYear() === y; d.setUTCDate(d.getUTCDate() + 1))
      dates.push(d.toISOString().slice(0, 10).replaceAll('-', ''));
  }
  let n = 0;
  for (const date of dates) {
    for (let seq = 0; seq < 1000; seq++) {
      if (seen.gender === 'm' && seq % 2 === 0) continue;
      if (seen.gender === 'f' && seq % 2 === 1) continue;
      const first = `${area}${date}${String(seq).padStart(3, '0')}`;
      const full = first + checkChar(first);
      let ok = true;
      for (let i = 0; i < 18 && ok; i++) if (mask[i] !== '*' && mask[i] !== full[i]) ok = false;
      if (ok) n++;
    }
  }
  return n;
}

test('mask-1: below the committee, and in every export, no visible combination narrows an ID number below 10,000', async () => {
  const h = await newHousehold(block1);
  const people = [];
  for (const [date, male] of [['1952-02-29', true], ['1990-12-31', false], ['2001-01-01', true], ['1975-06-15', false]]) {
    const number = freshId(date, male);
    people.push({ number, r: await newResident(h.id, { name: uniq('证'), id_number: number }) });
  }
  const views = [];
  for (const who of ['block', 'zone']) {
    const list = listItems(await c[who].get(`/api/v1/residents?household_id=${h.id}`));
    const hh = (await c[who].get(`/api/v1/households/${h.id}`)).json.household.residents_list;
    for (const p of people) {
      const one = (await c[who].get(`/api/v1/residents/${p.r.id}`)).json.resident;
      for (const seen of [one, list.find((x) => x.id === p.r.id), hh.find((x) => x.id === p.r.id)]) {
        assert.equal(seen.birth_date ?? null, null, `${who} sees no birth date`);
        assert.equal(seen.age, new Date().getUTCFullYear() - seen.birth_year, 'the age tells nothing beyond the year');
        views.push({ who, seen, number: p.number });
      }
    }
  }
  // Exports, the committee's too: the CSV's masked column.
  for (const who of ['committee', 'block']) {
    const csv = parseCsv((await c[who].get(`/api/v1/residents?household_id=${h.id}&format=csv`)).text);
    const col = csv[0].findIndex((x) => /masked|脱敏/.test(x));
    assert.ok(col >= 0, 'masked ID column');
    for (const p of people) {
      const row = csv.find((x) => x[0] === String(p.r.id));
      views.push({ who: `${who} csv`, seen: { id_masked: row[col], birth_year: p.r.birth_year, gender: p.r.gender },
        number: p.number });
    }
  }
  for (const v of views) {
    assert.equal(v.seen.id_masked.slice(0, 4), v.number.slice(0, 4));
    const n = candidates(v.seen, v.number.slice(0, 6));
    assert.ok(n >= 10000, `${v.who}: ${v.seen.id_masked} leaves ${n} candidates`);
  }
  // The tail search cannot test hidden characters.
  assertError(await c.block.get(`/api/v1/residents?id_tail=${people[0].number.slice(-4)}`), 400, 'validation_failed', 'id_tail');
  const oneChar = listItems(await c.block.get(`/api/v1/residents?household_id=${h.id}&id_tail=${people[0].number.slice(-1)}`));
  assert.ok(oneChar.some((x) => x.id === people[0].r.id), 'the visible last character still searches');
  // The committee on screen keeps what it had, and finds by the last four.
  const mine = (await c.committee.get(`/api/v1/residents/${people[1].r.id}`)).json.resident;
  assert.equal(mine.birth_date, '1990-12-31');
  const found = listItems(await c.committee.get(`/api/v1/residents?id_tail=${people[1].number.slice(-4)}`));
  assert.ok(found.some((x) => x.id === people[1].r.id));
});

// ---------------------------------------------------------------- duplicates

test('dup-1: an ID number registered in another block answers as a new one, and is flagged for the committee', async () => {
  const h2 = await newHousehold(block2);
  const number = freshId('1980-05-05', true);
  const there = await newResident(h2.id, { id_number: number });
  const h1 = await newHousehold(block1);
  const fresh = await c.block.post('/api/v1/residents', { household_id: h1.id, name: uniq('新'), id_number: freshId('1980-05-05', true) });
  const dup = await c.block.post('/api/v1/residents', { household_id: h1.id, name: uniq('重'), id_number: number });
  assert.equal(fresh.status, 201, fresh.text);
  assert.equal(dup.status, 201, dup.text);
  assert.deepEqual(Object.keys(dup.json.resident).sort(), Object.keys(fresh.json.resident).sort(), 'the same answer');
  // Editing to the number: the same.
  const other = await c.block.post('/api/v1/residents', { household_id: h1.id, name: uniq('改') });
  const edit = await c.block.patch(`/api/v1/residents/${other.json.resident.id}`, { id_number: number });
  assert.equal(edit.status, 200, edit.text);
  const dups = await walkList(c.committee, '/api/v1/residents/duplicates');
  const pair = dups.filter((d) => d.reason === 'id_number' &&
    [d.keep_id, d.duplicate_id].includes(there.id));
  const others = new Set(pair.map((d) => (d.keep_id === there.id ? d.duplicate_id : d.keep_id)));
  assert.ok(others.has(dup.json.resident.id), 'the created duplicate is flagged');
  assert.ok(others.has(other.json.resident.id), 'the edited duplicate is flagged');
  // The leader's own duplicates list stays closed.
  assertError(await c.block.get('/api/v1/residents/duplicates'), 403, 'forbidden');
});

// ---------------------------------------------------------------- printed codes

test('print-1: GET door plates and personal codes shows what exists and issues nothing; POST issues, with CSRF', async () => {
  const h = await newHousehold(block2);
  await newResident(h.id);
  const noPhone = await newResident(h.id);
  assert.equal((await c.committee.post(`/api/v1/residents/${noPhone.id}/flags`,
    { flag: 'no_smartphone', detail: { relay_name: '邻居' } })).status, 201);
  const before = (await walkList(c.committee, '/api/v1/audit?action=codes.door_plates')).length;
  const look = await block2Leader.get(`/api/v1/blocks/${block2}/door-plates`);
  assert.equal(look.status, 200, look.text.slice(0, 200));
  const card = look.text.match(new RegExp(`data-household-id="${h.id}">([\\s\\S]*?)</section>`));
  assert.ok(card, 'the household has a card');
  assert.doesNotMatch(card[1], /SW1:H:|data-invite-code/, 'no code was issued by a GET');
  const looked = await block2Leader.get(`/api/v1/blocks/${block2}/personal-codes`);
  assert.equal(looked.status, 200);
  assert.doesNotMatch(looked.text.match(new RegExp(`data-resident-id="${noPhone.id}">([\\s\\S]*?)</section>`))?.[1] ?? '',
    /SW1:R:/, 'no personal code issued by a GET');
  assert.equal((await walkList(c.committee, '/api/v1/audit?action=codes.door_plates')).length, before, 'a GET writes nothing');
  // Without the CSRF header a cookie session cannot issue.
  const saved = block2Leader.csrf;
  block2Leader.csrf = null;
  const forged = await block2Leader.post(`/api/v1/blocks/${block2}/door-plates`, {});
  block2Leader.csrf = saved;
  assertError(forged, 403, 'csrf_failed');
  const issued = await block2Leader.post(`/api/v1/blocks/${block2}/door-plates`, {});
  assert.equal(issued.status, 200, issued.text.slice(0, 200));
  const payload = issued.text.match(new RegExp(`data-household-id="${h.id}">[\\s\\S]*?(SW1:H:[0-9A-Z]+)`))[1];
  const shown = await block2Leader.get(`/api/v1/blocks/${block2}/door-plates`);
  assert.ok(shown.text.includes(payload), 'the GET shows the issued code');
  assert.match(shown.text, /data-invite-code/);
  const cards = await block2Leader.post(`/api/v1/blocks/${block2}/personal-codes`, {});
  assert.equal(cards.status, 200);
  assert.match(cards.text, /SW1:R:/);
  // Other roles and other blocks: as before.
  assertError(await c.block.post(`/api/v1/blocks/${block2}/door-plates`, {}), 404, 'not_found');
  assertError(await c.resident.post(`/api/v1/blocks/${block2}/door-plates`, {}), 403, 'forbidden');
});
