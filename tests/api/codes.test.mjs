// Codes and resident accounts: door-plate and personal code sheets, scan code lookup
// within scope, invite codes with which residents make their accounts, reset codes,
// sign-ups with approval, throttling of guesses, and the audit entries of each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, Client, BACKEND } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, createUser, uniq } from '../lib/api-helpers.mjs';

let srv;
const c = {};
let block1;        // the block leader's block
let block2;        // another block (the demo resident's)
let block2Leader;  // a block leader of block 2 only
let households1;   // households of block 1

function scopeOf(client, role) {
  return client.me.user.roles.find((r) => r.role === role).scope_id;
}

// Moves stored times back, as if days had passed: the server compares them with the
// real clock. Runs SQL on the test's own database with the backend's own client.
function sqlOnDb(sql) {
  const [flag, target] = srv.db.args;
  if (flag === '--pg') execFileSync('psql', [target, '-qc', sql]);
  else execFileSync('sqlite3', ['-cmd', '.timeout 5000', target, sql]);
}

// Sections of a sheet: [{id, html}] by data-household-id or data-resident-id.
function cards(html, attr) {
  const out = [];
  const re = new RegExp(`<section class="card [a-z]+" ${attr}="(\\d+)">([\\s\\S]*?)</section>`, 'g');
  for (const m of html.matchAll(re)) out.push({ id: Number(m[1]), html: m[2] });
  return out;
}

function inviteOf(card) {
  const m = card.html.match(/data-invite-code>([0-9A-Z-]+)</);
  return m ? m[1] : null;
}

function payloadOf(card) {
  const m = card.html.match(/class="payload">(SW1:[HR]:[0-9A-Z]+)</);
  return m ? m[1] : null;
}

function tryLogin(username, password) {
  return new Client(srv.url).post('/api/v1/session', { username, password });
}

async function audit(action) {
  const all = await walkList(c.committee, `/api/v1/audit?action=${encodeURIComponent(action)}`);
  return all;
}

async function printPlates(client, block) {
  const r = await client.post(`/api/v1/blocks/${block}/door-plates`, {});
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.headers.get('content-type'), /^text\/html/);
  return r.text;
}

before(async () => {
  // This file sends many refused public requests (wrong codes, used invites, taken
  // names) from one address on purpose; the per-address limit on refused public
  // requests is tested in security-auth.test.mjs.
  srv = await startServer({ env: { SHOUWANG_LOGIN_FAIL_ADDRESS: '1000' } });
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  block1 = scopeOf(c.block, 'block_leader');
  const hh = await c.committee.get(`/api/v1/households/${scopeOf(c.resident, 'resident')}`);
  assert.equal(hh.status, 200, hh.text);
  block2 = hh.json.household.block_id;
  assert.notEqual(block1, block2);
  const u = await createUser(c.committee, { username: uniq('bl2-'), password: 'block-two-pass',
    roles: [{ role: 'block_leader', scope_id: block2 }] });
  block2Leader = await loggedIn(srv.url, u.username, u.password);
  households1 = await walkList(c.committee, `/api/v1/blocks/${block1}/households`);
  assert.ok(households1.length >= 3, 'block 1 has households');
});

after(async () => {
  if (srv) await srv.stop();
});

test('codes-1: the door-plate sheet has one card and one scan QR per household of the block, nothing of others', async () => {
  const html = await printPlates(c.block, block1);
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /@page\{size:A4/);
  assert.doesNotMatch(html, /<script|<link|src="http/, 'no script and no external assets');
  const plates = cards(html, 'data-household-id');
  assert.deepEqual(plates.map((p) => p.id).sort((a, b) => a - b), households1.map((h) => h.id).sort((a, b) => a - b));
  assert.equal((html.match(/<figure data-kind="scan">/g) || []).length, households1.length);
  for (const p of plates) {
    assert.equal((p.html.match(/<figure data-kind="scan"><svg /g) || []).length, 1, 'one scan SVG per card');
    assert.match(payloadOf(p), /^SW1:H:[0-9A-Z]{16}$/);
    const h = households1.find((x) => x.id === p.id);
    assert.ok(p.html.includes(`<h2>${h.room}</h2>`), 'the room is on the card');
    if (h.residents > 0) {
      assert.match(inviteOf(p), /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
      assert.ok(p.html.includes(`/join?code=${inviteOf(p)}`), 'the invite URL is written out');
    }
  }
  const block2Households = await walkList(c.committee, `/api/v1/blocks/${block2}/households`);
  for (const h of block2Households) assert.ok(!html.includes(`data-household-id="${h.id}"`));
  // Distinct codes everywhere.
  const invites = plates.map(inviteOf).filter(Boolean);
  assert.equal(new Set(invites).size, invites.length);
  assert.equal(new Set(plates.map(payloadOf)).size, plates.length);

  // Printed again: the same codes, none issued.
  const again = cards(await printPlates(c.block, block1), 'data-household-id');
  assert.deepEqual(again.map(inviteOf), plates.map(inviteOf));
  assert.deepEqual(again.map(payloadOf), plates.map(payloadOf));

  const entries = (await audit('codes.door_plates')).filter((e) => e.target_id === block1);
  assert.equal(entries.length, 2);
  const d0 = typeof entries[0].detail === 'string' ? JSON.parse(entries[0].detail) : entries[0].detail;
  const d1 = typeof entries[1].detail === 'string' ? JSON.parse(entries[1].detail) : entries[1].detail;
  assert.equal(d0.households, households1.length);
  assert.equal(d0.invites_issued, households1.filter((h) => h.residents > 0).length);
  assert.equal(d0.scan_codes_made, households1.length);
  assert.equal(d1.invites_issued, 0);
  assert.equal(d1.scan_codes_made, 0);
  assert.doesNotMatch(JSON.stringify(entries), /SW1:|join\?code/, 'no code in the audit log');
});

test('codes-2: sheets answer 404 outside the scope and 403 to other roles; English by the request language', async () => {
  for (const path of [`/api/v1/blocks/${block2}/door-plates`, `/api/v1/blocks/${block2}/personal-codes`,
    '/api/v1/blocks/999999/door-plates']) {
    assertError(await c.block.get(path), 404, 'not_found');
  }
  for (const u of ['volunteer', 'resident']) {
    assertError(await c[u].get(`/api/v1/blocks/${block1}/door-plates`), 403, 'forbidden');
    assertError(await c[u].get(`/api/v1/blocks/${block1}/personal-codes`), 403, 'forbidden');
  }
  assertError(await new Client(srv.url).get(`/api/v1/blocks/${block1}/door-plates`), 401, 'unauthenticated');
  const zh = await loggedIn(srv.url, 'zone', undefined, 'zh-CN');
  const r = await zh.get(`/api/v1/blocks/${block1}/door-plates`);
  assert.equal(r.status, 200);
  assert.match(r.text, /<html lang="zh-CN">/);
  assert.match(r.text, /门牌码/);
  const en = await c.zone.get(`/api/v1/blocks/${block1}/door-plates`);
  assert.match(en.text, /<html lang="en">/);
  assert.match(en.text, /Door plates/);
});

test('codes-3: personal codes for residents without a smartphone; scanned codes resolve only within scope', async () => {
  const members = households1.flatMap((h) => h.members.map((m) => ({ ...m, household_id: h.id })));
  const person = members[members.length - 1];
  const other = members[0];
  const flag = await c.committee.post(`/api/v1/residents/${person.id}/flags`, { flag: 'no_smartphone', detail: { relay_name: '楼组长' } });
  assert.equal(flag.status, 201, flag.text);
  const r = await c.block.post(`/api/v1/blocks/${block1}/personal-codes`, {});
  assert.equal(r.status, 200, r.text.slice(0, 200));
  const list = cards(r.text, 'data-resident-id');
  const flagged = await walkList(c.committee, `/api/v1/blocks/${block1}/call-list`);
  assert.deepEqual(list.map((x) => x.id).sort(), flagged.map((x) => x.id).sort());
  const mine = list.find((x) => x.id === person.id);
  assert.ok(mine, 'the flagged resident has a card');
  assert.ok(!list.some((x) => x.id === other.id && !flagged.some((f) => f.id === other.id)));
  assert.ok(mine.html.includes(person.name));
  assert.doesNotMatch(r.text, /\d{17}[\dX]|\*{6,}/, 'no ID number on the cards');
  const payload = payloadOf(mine);
  assert.match(payload, /^SW1:R:/);
  const entries = (await audit('codes.personal_codes')).filter((e) => e.target_id === block1);
  assert.equal(entries.length, 1);

  // The block leader, the zone leader and the committee resolve it; the leader of another block does not.
  for (const who of ['block', 'zone', 'committee']) {
    const res = await c[who].get(`/api/v1/codes/resolve?payload=${encodeURIComponent(payload)}`);
    assert.equal(res.status, 200, `${who}: ${res.text}`);
    assert.equal(res.json.kind, 'resident');
    assert.equal(res.json.resident.id, person.id);
    assert.equal(res.json.resident.household_id, person.household_id);
  }
  assertError(await block2Leader.get(`/api/v1/codes/resolve?payload=${encodeURIComponent(payload)}`), 404, 'not_found');
  assertError(await c.volunteer.get(`/api/v1/codes/resolve?payload=${encodeURIComponent(payload)}`), 403, 'forbidden');
  assertError(await c.resident.get(`/api/v1/codes/resolve?payload=${encodeURIComponent(payload)}`), 403, 'forbidden');
  // Lower case and dashes read the same; a wrong code or a foreign payload does not.
  const typed = payload.slice(0, 6) + payload.slice(6).toLowerCase().replace(/(.{4})/g, '$1-').replace(/-$/, '');
  assert.equal((await c.block.get(`/api/v1/codes/resolve?payload=${encodeURIComponent(typed)}`)).json.resident.id, person.id);
  assertError(await c.block.get(`/api/v1/codes/resolve?payload=${encodeURIComponent('SW1:R:' + '2'.repeat(16))}`), 404, 'not_found');
  assertError(await c.block.get('/api/v1/codes/resolve?payload=hello'), 400, 'validation_failed', 'payload');
  assertError(await c.block.get('/api/v1/codes/resolve'), 400, 'validation_failed', 'payload');

  // A household's door code.
  const plates = cards(await printPlates(c.block, block1), 'data-household-id');
  const hp = payloadOf(plates[0]);
  const hres = await c.committee.get(`/api/v1/codes/resolve?payload=${encodeURIComponent(hp)}`);
  assert.equal(hres.status, 200, hres.text);
  assert.equal(hres.json.kind, 'household');
  assert.equal(hres.json.household.id, plates[0].id);
  assert.ok(Array.isArray(hres.json.household.residents));
  assertError(await block2Leader.get(`/api/v1/codes/resolve?payload=${encodeURIComponent(hp)}`), 404, 'not_found');
});

test('codes-4: a lost code is regenerated: the old one stops resolving; audited; scope and role enforced', async () => {
  const plates = cards(await printPlates(c.block, block1), 'data-household-id');
  const target = plates[1];
  const old = payloadOf(target);
  assertError(await block2Leader.post(`/api/v1/households/${target.id}/scan-code`, {}), 404, 'not_found');
  assertError(await c.volunteer.post(`/api/v1/households/${target.id}/scan-code`, {}), 403, 'forbidden');
  const r = await c.block.post(`/api/v1/households/${target.id}/scan-code`, {});
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.payload, /^SW1:H:[0-9A-Z]{16}$/);
  assert.notEqual(r.json.payload, old);
  assert.match(r.json.svg, /^<svg /);
  assertError(await c.block.get(`/api/v1/codes/resolve?payload=${encodeURIComponent(old)}`), 404, 'not_found');
  assert.equal((await c.block.get(`/api/v1/codes/resolve?payload=${encodeURIComponent(r.json.payload)}`)).json.household.id, target.id);
  const again = cards(await printPlates(c.block, block1), 'data-household-id').find((p) => p.id === target.id);
  assert.equal(payloadOf(again), r.json.payload, 'the next sheet prints the new code');
  const entries = (await audit('scan_code.regenerate')).filter((e) => e.target_id === target.id);
  assert.equal(entries.length, 1);
  assert.equal(entries[0].target_type, 'household');

  const member = households1.find((h) => h.members.length > 0).members[0];
  const rr = await c.zone.post(`/api/v1/residents/${member.id}/scan-code`, {});
  assert.equal(rr.status, 201, rr.text);
  assert.match(rr.json.payload, /^SW1:R:/);
  assertError(await block2Leader.post(`/api/v1/residents/${member.id}/scan-code`, {}), 404, 'not_found');
});

// A household of block 1 with at least two residents, and its current invite code.
async function householdWithInvite(minPeople = 2, skip = []) {
  const plates = cards(await printPlates(c.block, block1), 'data-household-id');
  const h = households1.find((x) => x.members.length >= minPeople && !skip.includes(x.id) &&
    inviteOf(plates.find((p) => p.id === x.id)));
  assert.ok(h, `a household with ${minPeople}+ residents and an invite`);
  return { household: h, code: inviteOf(plates.find((p) => p.id === h.id)) };
}

const used = [];

test('codes-5: an invite code makes one account per resident, logs in as resident of the household, then is used up', async () => {
  const { household, code } = await householdWithInvite(2);
  used.push(household.id);
  const anon = new Client(srv.url);
  const look = await anon.get(`/api/v1/join/${code}`);
  assert.equal(look.status, 200, look.text);
  assert.equal(look.json.invite.room, household.room);
  assert.equal(look.json.invite.residents.length, household.members.length);
  for (const p of look.json.invite.residents) {
    const real = household.members.find((m) => m.id === p.id);
    assert.ok(real);
    assert.ok(!p.name_masked.includes(real.name) || [...real.name].length < 2, 'names are masked');
    assert.equal([...p.name_masked][0], [...real.name][0]);
    assert.match(p.name_masked, /\*/);
    assert.equal(p.has_account, false);
    assert.equal(p.phone, undefined);
  }
  // Lower case, without the dash, reads the same.
  assert.equal((await anon.get(`/api/v1/join/${code.replace('-', '').toLowerCase()}`)).status, 200);

  const first = household.members[0];
  const u1 = uniq('res-');
  const j = await anon.post('/api/v1/join', { code, username: u1, password: 'resident-pass-1', resident_id: first.id });
  assert.equal(j.status, 201, j.text);
  assert.equal(j.json.user.username, u1);
  assert.equal(j.json.user.display_name, first.name);
  assert.deepEqual(j.json.user.roles.map((r) => [r.role, r.scope_kind, r.scope_id]), [['resident', 'household', household.id]]);
  assert.ok(j.json.csrf_token);
  assert.match(j.headers.get('set-cookie') || '', /sw_session=/);
  // The joined resident is logged in and sees their household.
  const me = await anon.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.user.username, u1);
  assert.equal((await anon.get(`/api/v1/households/${household.id}`)).status, 200);
  // And logs in with the new password.
  const again = await loggedIn(srv.url, u1, 'resident-pass-1');
  assert.equal(again.me.user.roles[0].scope_id, household.id);

  // The same resident cannot join twice; a username cannot be taken twice.
  const anon2 = new Client(srv.url);
  assertError(await anon2.post('/api/v1/join', { code, username: uniq('res-'), password: 'resident-pass-2', resident_id: first.id }),
    409, 'conflict', 'resident_id');
  assertError(await anon2.post('/api/v1/join', { code, username: u1, password: 'resident-pass-2', resident_id: household.members[1].id }),
    409, 'conflict', 'username');
  // A resident of another household is not offered by this code.
  const stranger = households1.find((h) => h.id !== household.id && h.members.length).members[0];
  assertError(await anon2.post('/api/v1/join', { code, username: uniq('res-'), password: 'resident-pass-2', resident_id: stranger.id }),
    400, 'validation_failed', 'resident_id');
  // Missing fields name the field.
  assertError(await anon2.post('/api/v1/join', { code, password: 'resident-pass-2', resident_id: first.id }), 400, 'validation_failed', 'username');
  assertError(await anon2.post('/api/v1/join', { code, username: uniq('r'), password: 'short', resident_id: household.members[1].id }),
    400, 'validation_failed', 'password');
  assertError(await anon2.post('/api/v1/join', { code, username: uniq('r'), password: 'resident-pass-2' }), 400, 'validation_failed', 'resident_id');

  const look2 = await anon2.get(`/api/v1/join/${code}`);
  assert.equal(look2.json.invite.residents.find((p) => p.id === first.id).has_account, true);

  // Everyone else of the household joins; then the code is used up.
  for (const m of household.members.slice(1)) {
    const r = await new Client(srv.url).post('/api/v1/join', { code, username: uniq('res-'), password: 'resident-pass-3', resident_id: m.id });
    assert.equal(r.status, 201, r.text);
  }
  assertError(await anon2.get(`/api/v1/join/${code}`), 409, 'conflict', 'code');
  const e = await anon2.get(`/api/v1/join/${code}`);
  assert.match(e.json.error.message, /already has an account/);
  // Its card no longer carries an invite.
  const plate = cards(await printPlates(c.block, block1), 'data-household-id').find((p) => p.id === household.id);
  assert.equal(inviteOf(plate), null);
  assert.match(plate.html, /Every resident of this household has an account/);

  const joins = (await audit('account.join')).filter((x) => JSON.stringify(x.detail).includes(`${household.id}`));
  assert.equal(joins.length, household.members.length);
  assert.doesNotMatch(JSON.stringify(joins), new RegExp(code));
});

test('codes-6: wrong and expired invite codes fail with clear errors', async () => {
  const anon = new Client(srv.url);
  const wrong = await anon.get('/api/v1/join/ZZZZZ-ZZZZZ');
  assertError(wrong, 404, 'not_found', 'code');
  assert.match(wrong.json.error.message, /not valid/);
  assertError(await anon.get('/api/v1/join/abc'), 404, 'not_found', 'code');
  assertError(await anon.post('/api/v1/join', { code: 'ZZZZZ-ZZZZY', username: uniq('r'), password: 'resident-pass-1', resident_id: 1 }),
    404, 'not_found', 'code');
  const failed = await audit('join_failed');
  // Entries without a community are the instance's; the committee sees its own only.
  assert.ok(Array.isArray(failed));

  const { household, code } = await householdWithInvite(1, used);
  used.push(household.id);
  // Thirty-one days pass.
  sqlOnDb(`UPDATE invite_codes SET expires_at = expires_at - ${31 * 86400}000000 WHERE household_id = ${household.id} AND revoked_at IS NULL`);
  const exp = await anon.get(`/api/v1/join/${code}`);
  assertError(exp, 409, 'conflict', 'code');
  assert.match(exp.json.error.message, /expired/);
  assertError(await anon.post('/api/v1/join', { code, username: uniq('r'), password: 'resident-pass-1', resident_id: household.members[0].id }),
    409, 'conflict', 'code');
  // The next sheet issues a fresh code for that household; the old one now reads as replaced.
  const plate = cards(await printPlates(c.block, block1), 'data-household-id').find((p) => p.id === household.id);
  const fresh = inviteOf(plate);
  assert.ok(fresh && fresh !== code);
  assert.equal((await anon.get(`/api/v1/join/${fresh}`)).status, 200);
  const old = await anon.get(`/api/v1/join/${code}`);
  assertError(old, 409, 'conflict', 'code');
  assert.match(old.json.error.message, /replaced/);
  const zh = await new Client(srv.url, 'zh-CN').get(`/api/v1/join/${code}`);
  assert.match(zh.json.error.message, /邀请码/);
});

test('codes-7: a leader issues a reset code; it works once and expires', async () => {
  const { household, code } = await householdWithInvite(1, used);
  used.push(household.id);
  const person = household.members[0];
  // No account yet.
  assertError(await c.block.post(`/api/v1/residents/${person.id}/reset-code`, {}), 409, 'conflict', 'resident_id');
  const username = uniq('rs-');
  assert.equal((await new Client(srv.url).post('/api/v1/join', { code, username, password: 'first-pass-1', resident_id: person.id })).status, 201);
  const session = await loggedIn(srv.url, username, 'first-pass-1');

  assertError(await block2Leader.post(`/api/v1/residents/${person.id}/reset-code`, {}), 404, 'not_found');
  assertError(await c.volunteer.post(`/api/v1/residents/${person.id}/reset-code`, {}), 403, 'forbidden');
  assertError(await c.resident.post(`/api/v1/residents/${person.id}/reset-code`, {}), 403, 'forbidden');
  const issued = await c.block.post(`/api/v1/residents/${person.id}/reset-code`, {});
  assert.equal(issued.status, 201, issued.text);
  assert.match(issued.json.code, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.equal(issued.json.username, username);
  const anon = new Client(srv.url);
  assertError(await anon.post('/api/v1/password-reset', { username, code: 'AAAA-AAAA', new_password: 'second-pass-1' }), 400, 'validation_failed', 'code');
  assertError(await anon.post('/api/v1/password-reset', { username, code: issued.json.code, new_password: 'short' }), 400, 'validation_failed', 'new_password');
  const ok = await anon.post('/api/v1/password-reset', { username, code: issued.json.code.toLowerCase(), new_password: 'second-pass-1' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await session.get('/api/v1/me')).status, 401, 'the old sessions ended');
  assert.equal((await tryLogin(username, 'first-pass-1')).status, 401);
  assert.equal((await tryLogin(username, 'second-pass-1')).status, 200);
  const again = await anon.post('/api/v1/password-reset', { username, code: issued.json.code, new_password: 'third-pass-11' });
  assertError(again, 409, 'conflict', 'code');
  assert.match(again.json.error.message, /already used/);

  // A newer code replaces an older; a code 25 hours old has expired.
  const a = await c.zone.post(`/api/v1/residents/${person.id}/reset-code`, {});
  const b = await c.committee.post(`/api/v1/residents/${person.id}/reset-code`, {});
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assertError(await anon.post('/api/v1/password-reset', { username, code: a.json.code, new_password: 'third-pass-11' }), 409, 'conflict', 'code');
  sqlOnDb(`UPDATE reset_codes SET expires_at = created_at - 3600000000 WHERE used_at IS NULL`);
  const exp = await anon.post('/api/v1/password-reset', { username, code: b.json.code, new_password: 'third-pass-11' });
  assertError(exp, 409, 'conflict', 'code');
  assert.match(exp.json.error.message, /expired/);

  // An account that also holds a staff or leader role is not reset by a code.
  sqlOnDb(`INSERT INTO role_assignments (community_id, user_id, role, scope_kind, scope_id, created_at) VALUES (${c.committee.me.community.id}, ${session.me.user.id}, 'volunteer', 'community', ${c.committee.me.community.id}, 0)`);
  assertError(await c.block.post(`/api/v1/residents/${person.id}/reset-code`, {}), 409, 'conflict', 'user');
  const issuedEntries = (await audit('reset_code.issue')).filter((e) => e.target_id === session.me.user.id);
  assert.equal(issuedEntries.length, 3);
  assert.equal(issuedEntries[0].on_behalf_of, person.id);
  assert.doesNotMatch(JSON.stringify(issuedEntries), new RegExp(issued.json.code));
  const resets = (await audit('password_reset')).filter((e) => e.target_id === session.me.user.id);
  assert.equal(resets.length, 1);
  const failed = (await audit('password_reset_failed')).filter((e) => e.target_id === session.me.user.id);
  assert.equal(failed.length, 1);
});

test('codes-8: sign-up waits for approval; approve gives the household role; reject leaves an account without a role', async () => {
  const anon = new Client(srv.url);
  const comms = await anon.get('/api/v1/signup/communities');
  assert.equal(comms.status, 200);
  assert.ok(comms.json.communities.some((x) => x.id === c.committee.me.community.id));
  const name1 = uniq('su-');
  const s1 = await anon.post('/api/v1/signup', { username: name1, password: 'signup-pass-1', name: '王小明',
    phone: '13912345678', claimed_address: '1号楼1单元 302' });
  assert.equal(s1.status, 201, s1.text);
  assert.equal(s1.json.signup.state, 'pending');
  assertError(await anon.post('/api/v1/signup', { username: name1, password: 'signup-pass-1', name: '王小明',
    phone: '13912345678', claimed_address: 'x' }), 409, 'conflict', 'username');
  assertError(await anon.post('/api/v1/signup', { username: uniq('su-'), password: 'signup-pass-1', name: '王',
    phone: '123', claimed_address: 'x' }), 400, 'validation_failed', 'phone');
  assertError(await anon.post('/api/v1/signup', { username: uniq('su-'), password: 'signup-pass-1', name: '王',
    phone: '13912345678', claimed_address: 'x', community_id: 999999 }), 400, 'validation_failed', 'community_id');
  // Logs in, without any role yet.
  const pending = await loggedIn(srv.url, name1, 'signup-pass-1');
  assert.deepEqual(pending.me.user.roles, []);
  assertError(await pending.get('/api/v1/households'), 403, 'forbidden');

  // Staff only.
  for (const u of ['zone', 'block', 'volunteer', 'resident']) {
    assertError(await c[u].get('/api/v1/signups'), 403, 'forbidden');
    assertError(await c[u].post(`/api/v1/signups/${s1.json.signup.id}/approve`, { household_id: 1 }), 403, 'forbidden');
    assertError(await c[u].post(`/api/v1/signups/${s1.json.signup.id}/reject`, {}), 403, 'forbidden');
  }
  const list = listItems(await c.committee.get('/api/v1/signups?state=pending'));
  const item = list.find((x) => x.id === s1.json.signup.id);
  assert.ok(item);
  assert.equal(item.claimed_address, '1号楼1单元 302');
  assert.equal(item.username, name1);
  const csv = await c.committee.get('/api/v1/signups?format=csv');
  assert.equal(csv.status, 200);
  assert.ok(csv.text.includes(name1));
  assertError(await c.committee.get('/api/v1/signups?state=maybe'), 400, 'validation_failed', 'state');

  const { household } = await householdWithInvite(1, used);
  used.push(household.id);
  const person = household.members[0];
  assertError(await c.committee.post(`/api/v1/signups/${s1.json.signup.id}/approve`, {}), 400, 'validation_failed', 'household_id');
  assertError(await c.committee.post(`/api/v1/signups/${s1.json.signup.id}/approve`, { household_id: 999999 }), 404, 'not_found');
  const ap = await c.committee.post(`/api/v1/signups/${s1.json.signup.id}/approve`, { household_id: household.id, resident_id: person.id });
  assert.equal(ap.status, 200, ap.text);
  assert.equal(ap.json.signup.state, 'approved');
  assert.equal(ap.json.signup.household_id, household.id);
  assertError(await c.committee.post(`/api/v1/signups/${s1.json.signup.id}/reject`, {}), 409, 'conflict', 'state');
  const approved = await loggedIn(srv.url, name1, 'signup-pass-1');
  assert.deepEqual(approved.me.user.roles.map((r) => [r.role, r.scope_id]), [['resident', household.id]]);
  assert.equal((await approved.get(`/api/v1/households/${household.id}`)).status, 200);
  // The resident is linked: a reset code can be issued for the account.
  assert.equal((await c.block.post(`/api/v1/residents/${person.id}/reset-code`, {})).status, 201);

  const name2 = uniq('su-');
  const s2 = await anon.post('/api/v1/signup', { username: name2, password: 'signup-pass-2', name: '李四',
    phone: '13912345679', claimed_address: '不存在的地址' });
  assert.equal(s2.status, 201);
  assertError(await c.committee.post(`/api/v1/signups/${s2.json.signup.id}/reject`, { reason: 'x'.repeat(201) }),
    400, 'validation_failed', 'reason');
  const rj = await c.committee.post(`/api/v1/signups/${s2.json.signup.id}/reject`, { reason: '地址不在本社区' });
  assert.equal(rj.status, 200, rj.text);
  assert.equal(rj.json.signup.state, 'rejected');
  assert.equal(rj.json.signup.reason, '地址不在本社区');
  // The account still logs in, to learn why, and reaches nothing else.
  const refused = await loggedIn(srv.url, name2, 'signup-pass-2');
  assert.deepEqual(refused.me.user.roles, []);
  assertError(await refused.get('/api/v1/households'), 403, 'forbidden');

  for (const action of ['signup.create', 'signup.approve', 'signup.reject']) {
    const entries = (await audit(action)).filter((e) => [s1.json.signup.id, s2.json.signup.id].includes(e.target_id));
    assert.ok(entries.length >= 1, action);
    assert.doesNotMatch(JSON.stringify(entries), /王小明|13912345678|1号楼1单元 302/, 'no personal data in the audit log');
  }
});

test('codes-8b: the committee sets how long invite codes stay valid', async () => {
  assert.equal((await c.block.get('/api/v1/codes/settings')).json.invite_days, 30);
  assertError(await c.block.patch('/api/v1/codes/settings', { invite_days: 7 }), 403, 'forbidden');
  assertError(await c.volunteer.get('/api/v1/codes/settings'), 403, 'forbidden');
  assertError(await c.committee.patch('/api/v1/codes/settings', { invite_days: 0 }), 400, 'validation_failed', 'invite_days');
  assertError(await c.committee.patch('/api/v1/codes/settings', { invite_days: 91 }), 400, 'validation_failed', 'invite_days');
  assertError(await c.committee.patch('/api/v1/codes/settings', {}), 400, 'validation_failed', 'invite_days');
  const r = await c.committee.patch('/api/v1/codes/settings', { invite_days: 7 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.invite_days, 7);
  assert.equal((await c.zone.get('/api/v1/codes/settings')).json.invite_days, 7);
  const { household } = await householdWithInvite(1, used);
  used.push(household.id);
  sqlOnDb(`UPDATE invite_codes SET expires_at = 0 WHERE household_id = ${household.id} AND revoked_at IS NULL`);
  const before = Date.now() * 1000;
  const plate = cards(await printPlates(c.block, block1), 'data-household-id').find((p) => p.id === household.id);
  const look = await new Client(srv.url).get(`/api/v1/join/${inviteOf(plate)}`);
  assert.equal(look.status, 200, look.text);
  const days = (look.json.invite.expires_at - before) / 86400e6;
  assert.ok(days > 6.99 && days < 7.01, `valid ${days} days`);
  const entries = (await audit('codes.settings'));
  assert.equal(entries.length, 1);
  assert.equal(entries[0].target_type, 'community');
});

test('codes-9: guessing invite and reset codes is throttled', async () => {
  const anon = new Client(srv.url);
  let throttledAt = 0;
  for (let i = 1; i <= 15 && !throttledAt; i++) {
    const r = await anon.get(`/api/v1/join/${String(i).padStart(5, '2')}-ZZZZZ`);
    if (r.status === 429) throttledAt = i;
    else assertError(r, 404, 'not_found');
  }
  assert.ok(throttledAt > 0 && throttledAt <= 11, `throttled at ${throttledAt}`);
  const t = await anon.get('/api/v1/join/ZZZZZ-ZZZZZ');
  assertError(t, 429, 'throttled');
  assert.match(t.headers.get('retry-after'), /^\d+$/);
  // Even a good code is refused while throttled.
  assertError(await anon.post('/api/v1/join', { code: 'ZZZZZ-ZZZZZ', username: uniq('r'), password: 'resident-pass-1', resident_id: 1 }),
    429, 'throttled');

  let resetAt = 0;
  for (let i = 1; i <= 10 && !resetAt; i++) {
    const r = await anon.post('/api/v1/password-reset', { username: 'resident', code: 'AAAA-AAAA', new_password: 'whatever-pass-1' });
    if (r.status === 429) resetAt = i;
    else assertError(r, 400, 'validation_failed', 'code');
  }
  assert.ok(resetAt > 0 && resetAt <= 6, `reset throttled at ${resetAt}`);
});

test('codes-10: printable codes need the field key', async () => {
  const bare = await startServer({ env: { SHOUWANG_FIELD_KEY: '' } });
  try {
    const block = await loggedIn(bare.url, 'block');
    const r = await block.post(`/api/v1/blocks/${scopeOf(block, 'block_leader')}/door-plates`, {});
    assertError(r, 503, 'unavailable', 'code');
  } finally {
    await bare.stop();
  }
});

void BACKEND;
void join;
