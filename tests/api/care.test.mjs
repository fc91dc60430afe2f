// Point-to-point care: leaders list the vulnerable residents of their scope (who has
// nobody), assign, change and end a carer; the carer sees only their people, records
// calls and visits, and a need becomes a help request in the same write; the
// not-checked-today list, print and exports; a lapse of two days is told to the block
// leader once, across restarts; a moved-out resident or a cleared flag ends the care;
// denials for residents, unassigned volunteers and other blocks; the demo's care.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, stopServer } from '../lib/api-helpers.mjs';

let srv;
const c = {};
let myBlock, volunteerId, blockId, mine, outside, spare;

function daysAgo(n) {
  const d = new Date(Date.now() + 8 * 3600e3 - n * 86400e3);   // the demo community is in Shanghai
  return d.toISOString().slice(0, 10);
}

async function loginAll() {
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
}

before(async () => {
  srv = await startServer();
  await loginAll();
  myBlock = c.block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  volunteerId = c.volunteer.me.user.id;
  blockId = c.block.me.user.id;
  // Three more people of block 1 become vulnerable: the demo gives most there a carer.
  const cared = new Set((await walkList(c.committee, '/api/v1/care/residents')).map((r) => r.id));
  const people = (await walkList(c.committee, `/api/v1/residents?block_id=${myBlock}`))
    .filter((r) => !cared.has(r.id) && r.household_id !== c.block.me.user.roles.find((x) => x.role === 'resident')
      ?.scope_id);
  for (const r of people.slice(0, 3)) {
    const f = await c.committee.post(`/api/v1/residents/${r.id}/flags`, { flag: 'alone_elderly' });
    assert.equal(f.status < 300, true, f.text);
  }
  const nobody = await walkList(c.committee, '/api/v1/care/residents?carer=none');
  const inMine = nobody.filter((r) => r.block_id === myBlock);
  assert.ok(inMine.length >= 3, 'block 1 has people without a carer');
  [mine, spare] = inMine;
  const blocks = (await c.committee.get('/api/v1/blocks?limit=100')).json.items;
  const myZone = blocks.find((b) => b.id === myBlock).zone_id;
  outside = nobody.find((r) => blocks.find((b) => b.id === r.block_id).zone_id !== myZone);
  assert.ok(outside, 'a resident with nobody in another zone');
});
after(async () => { await stopServer(srv); });

test('leaders see the vulnerable residents of their scope; filters, exports and print', async () => {
  const all = await walkList(c.committee, '/api/v1/care/residents');
  const own = await walkList(c.block, '/api/v1/care/residents');
  assert.ok(own.length > 0 && own.length < all.length);
  assert.ok(own.every((r) => r.block_id === myBlock));
  const zone = await walkList(c.zone, '/api/v1/care/residents');
  assert.ok(zone.length >= own.length && zone.length < all.length);
  assert.ok(all.every((r) => r.flags.length > 0 && r.flags_text));
  assert.ok(all.some((r) => r.assignment) && all.some((r) => !r.assignment));
  const none = listItems(await c.block.get('/api/v1/care/residents?carer=none'));
  assert.ok(none.every((r) => r.assignment === null && r.state_text === 'Nobody assigned'));
  const byBlock = await walkList(c.committee, `/api/v1/care/residents?block_id=${myBlock}`);
  assert.deepEqual(byBlock.map((r) => r.id), own.map((r) => r.id));
  const elderly = listItems(await c.committee.get('/api/v1/care/residents?flag=alone_elderly&limit=100'));
  assert.ok(elderly.length > 0 && elderly.every((r) => r.flags.includes('alone_elderly')));
  assertError(await c.committee.get('/api/v1/care/residents?flag=no_smartphone'), 400, 'validation_failed', 'flag');
  assertError(await c.committee.get('/api/v1/care/residents?carer=maybe'), 400, 'validation_failed', 'carer');
  assertError(await c.committee.get('/api/v1/care/residents?block_id=x'), 400, 'validation_failed', 'block_id');
  const csv = await c.block.get('/api/v1/care/residents?format=csv&carer=none');
  assert.equal(csv.status, 200);
  assert.match(csv.text, /Nobody assigned|无人关爱/);
  assert.ok(csv.text.includes(mine.name));
  const xlsx = await c.committee.get('/api/v1/care/residents?format=xlsx');
  assert.equal(xlsx.status, 200);
  const print = await c.block.get(`/api/v1/care/due?block_id=${myBlock}&print=1`);
  assert.equal(print.status, 200);
  assert.match(print.text, /<table/);
  // Residents have no access; a volunteer is no leader.
  for (const path of ['/api/v1/care/residents', '/api/v1/care/due', '/api/v1/care/carers', '/api/v1/care/mine'])
    assertError(await c.resident.get(path), 403, 'forbidden');
  assertError(await c.volunteer.get('/api/v1/care/residents'), 403, 'forbidden');
  assertError(await c.volunteer.get('/api/v1/care/due'), 403, 'forbidden');
});

test('assign, change and end a carer; validation names the field; scope', async () => {
  const carers = listItems(await c.block.get(`/api/v1/care/carers?q=${encodeURIComponent('刘子轩')}`));
  assert.ok(carers.some((x) => x.id === volunteerId), JSON.stringify(carers));
  const body = { resident_id: mine.id, carer_user_id: volunteerId, rhythm: 'daily_call', note: '耳背' };
  const bad = [
    [{ ...body, resident_id: undefined }, 'resident_id'],
    [{ ...body, carer_user_id: undefined }, 'carer_user_id'],
    [{ ...body, rhythm: 'hourly' }, 'rhythm'],
    [{ ...body, start_date: '2026-02-30' }, 'start_date'],
    [{ ...body, resident_id: outside.id }, 'resident_id'],
    [{ ...body, carer_user_id: c.resident.me.user.id }, 'carer_user_id'],
  ];
  for (const [b, field] of bad) assertError(await c.block.post('/api/v1/care/assignments', b), 400,
    'validation_failed', field);
  c.block.lang = 'zh-CN';
  const zh = await c.block.post('/api/v1/care/assignments', { ...body, rhythm: 'hourly' });
  assert.match(zh.json.error.message, /联系频次/);
  c.block.lang = 'en';
  assertError(await c.volunteer.post('/api/v1/care/assignments', body), 403, 'forbidden');
  assertError(await c.resident.post('/api/v1/care/assignments', body), 403, 'forbidden');

  // Before: the volunteer cannot see the resident.
  assertError(await c.volunteer.get(`/api/v1/care/residents/${mine.id}`), 404, 'not_found');
  const key = { 'Idempotency-Key': `care-${Date.now()}` };
  const a = await c.block.post('/api/v1/care/assignments', body, key);
  assert.equal(a.status, 201, a.text);
  const again = await c.block.post('/api/v1/care/assignments', body, key);
  assert.equal(again.json.assignment.id, a.json.assignment.id, 'a retried assignment is not made twice');
  assert.equal(a.json.assignment.rhythm, 'daily_call');
  assert.equal(a.json.assignment.start_date, daysAgo(0));
  const told = await c.volunteer.get('/api/v1/notifications?unread=1');
  assert.ok(told.json.items.some((n) => n.kind === 'care_assigned' && n.link === `/care/residents/${mine.id}`));
  const audit = await c.committee.get('/api/v1/audit?action=care.assign&limit=5');
  if (audit.status === 200) assert.ok(audit.json.items.some((x) => x.target_id === a.json.assignment.id));

  const people = listItems(await c.volunteer.get('/api/v1/care/mine?limit=200'));
  const p = people.find((x) => x.id === mine.id);
  assert.ok(p && p.due && p.room && p.phone !== undefined, JSON.stringify(p));
  assert.equal((await c.volunteer.get(`/api/v1/care/residents/${mine.id}`)).status, 200);

  // Changing the carer ends the old assignment; the history keeps both.
  const b = await c.committee.post('/api/v1/care/assignments', { ...body, carer_user_id: blockId,
    rhythm: 'twice_weekly_visit' });
  assert.equal(b.status, 201, b.text);
  assertError(await c.volunteer.get(`/api/v1/care/residents/${mine.id}`), 404, 'not_found');
  assert.ok(!listItems(await c.volunteer.get('/api/v1/care/mine?limit=200')).some((x) => x.id === mine.id));
  const hist = (await c.block.get(`/api/v1/care/residents/${mine.id}`)).json.resident;
  assert.equal(hist.assignments.length, 2);
  assert.equal(hist.assignments[1].end_reason, 'changed');
  assert.equal(hist.assignment.carer_user_id, blockId);

  // PATCH the rhythm; an empty body names a field; unknown or outside: 404.
  const patched = await c.block.patch(`/api/v1/care/assignments/${b.json.assignment.id}`, { rhythm: 'daily_visit' });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.assignment.rhythm, 'daily_visit');
  assertError(await c.block.patch(`/api/v1/care/assignments/${b.json.assignment.id}`, {}), 400,
    'validation_failed', 'rhythm');
  assertError(await c.block.patch('/api/v1/care/assignments/999999', { rhythm: 'daily_visit' }), 404, 'not_found');
  const far = await c.committee.post('/api/v1/care/assignments', { resident_id: outside.id, carer_user_id: volunteerId,
    rhythm: 'weekly_call' });
  assert.equal(far.status, 201, far.text);
  assertError(await c.block.post(`/api/v1/care/assignments/${far.json.assignment.id}/end`, {}), 404, 'not_found');
  assertError(await c.block.get(`/api/v1/care/residents/${outside.id}`), 404, 'not_found');
  // The volunteer is now the carer of the far one: they see it, and only it of that block.
  assert.equal((await c.volunteer.get(`/api/v1/care/residents/${outside.id}`)).status, 200);
  const ended = await c.committee.post(`/api/v1/care/assignments/${far.json.assignment.id}/end`, {});
  assert.equal(ended.status, 200, ended.text);
  assert.equal(ended.json.assignment.ended, true);
  assertError(await c.volunteer.get(`/api/v1/care/residents/${outside.id}`), 404, 'not_found');
  assertError(await c.committee.post(`/api/v1/care/assignments/${far.json.assignment.id}/end`, {}), 404, 'not_found');
  assert.ok(listItems(await c.committee.get(`/api/v1/care/residents?carer=none&block_id=${outside.block_id}`))
    .some((r) => r.id === outside.id));
});

test('check-ins: the carer records a call; a need becomes a help request in the same write', async () => {
  const a = await c.block.post('/api/v1/care/assignments', { resident_id: spare.id, carer_user_id: volunteerId,
    rhythm: 'daily_call' });
  assert.equal(a.status, 201, a.text);
  const path = `/api/v1/care/residents/${spare.id}/checkins`;
  const bad = [
    [{ outcome: 'fine' }, 'kind'],
    [{ kind: 'letter', outcome: 'fine' }, 'kind'],
    [{ kind: 'call' }, 'outcome'],
    [{ kind: 'call', outcome: 'happy' }, 'outcome'],
    [{ kind: 'call', outcome: 'needs' }, 'needs'],
    [{ kind: 'call', outcome: 'fine', help: { kind: 'medicine', urgency: 'normal', summary: 'x' } }, 'help'],
    [{ kind: 'call', outcome: 'needs', help: { kind: 'pizza', urgency: 'normal', summary: 'x' } }, 'help.kind'],
    [{ kind: 'call', outcome: 'needs', help: { kind: 'medicine', urgency: 'soon', summary: 'x' } }, 'help.urgency'],
    [{ kind: 'call', outcome: 'needs', help: { kind: 'medicine', urgency: 'normal' } }, 'help.summary'],
    [{ kind: 'call', outcome: 'fine', at: 'yesterday' }, 'at'],
    [{ kind: 'call', outcome: 'fine', at: '2020-01-01T00:00:00Z' }, 'at'],
  ];
  for (const [b, field] of bad) assertError(await c.volunteer.post(path, b), 400, 'validation_failed', field);
  // Not the carer, not a leader of the block: 404; a resident: 403.
  assertError(await c.volunteer.post(`/api/v1/care/residents/${mine.id}/checkins`, { kind: 'call', outcome: 'fine' }),
    404, 'not_found');
  assertError(await c.resident.post(path, { kind: 'call', outcome: 'fine' }), 403, 'forbidden');

  // Not reached: still due.
  const nr = await c.volunteer.post(path, { kind: 'call', outcome: 'not_reached' });
  assert.equal(nr.status, 201, nr.text);
  assert.ok(listItems(await c.volunteer.get('/api/v1/care/mine?limit=200')).find((x) => x.id === spare.id).due);
  assert.ok((await walkList(c.block, `/api/v1/care/due?block_id=${myBlock}`)).some((x) => x.id === spare.id));
  // Needs something: a help request, routed to the block leader and told.
  const n = await c.volunteer.post(path, { kind: 'visit', outcome: 'needs',
    help: { kind: 'medicine', urgency: 'normal', summary: '胰岛素快用完了，需要代配' } });
  assert.equal(n.status, 201, n.text);
  const helpId = n.json.help_request_id;
  assert.ok(Number.isInteger(helpId), n.text);
  assert.equal(n.json.checkin.needs, '胰岛素快用完了，需要代配');
  const req = (await c.block.get(`/api/v1/help-requests/${helpId}`)).json.request;
  assert.equal(req.state, 'new');
  assert.equal(req.level, 'block');
  assert.equal(req.kind, 'medicine');
  assert.equal(req.resident_name, spare.name);
  assert.equal(req.channel, 'on_behalf');
  assert.deepEqual(req.timeline.map((e) => e.kind), ['created']);
  const notes = await c.block.get('/api/v1/notifications?unread=1');
  assert.ok(notes.json.items.some((x) => x.kind === 'help_new' && x.link === `/help/${helpId}`));
  // Contacted today: no longer due.
  assert.ok(!listItems(await c.volunteer.get('/api/v1/care/mine?limit=200')).find((x) => x.id === spare.id).due);
  assert.ok(!(await walkList(c.block, '/api/v1/care/due')).some((x) => x.id === spare.id));
  // A retry with the same key records once.
  const key = { 'Idempotency-Key': `care-ci-${Date.now()}` };
  const r1 = await c.volunteer.post(path, { kind: 'call', outcome: 'fine' }, key);
  const r2 = await c.volunteer.post(path, { kind: 'call', outcome: 'fine' }, key);
  assert.equal(r1.json.checkin.id, r2.json.checkin.id);
  // A leader of the block records one too, marked as such.
  const l = await c.block.post(path, { kind: 'visit', outcome: 'fine' });
  assert.equal(l.status, 201, l.text);
  assert.equal(l.json.checkin.as_leader, true);
  const hist = (await c.volunteer.get(`/api/v1/care/residents/${spare.id}`)).json.resident;
  assert.equal(hist.checkins.length, 4);
  assert.equal(hist.checkins.find((k) => k.outcome === 'needs').help_request_id, helpId);
  assert.ok(hist.checkins.find((k) => k.as_leader));
  // The zone leader records in scope; another zone's leader would not (tested by scope above).
  assert.equal((await c.zone.post(path, { kind: 'call', outcome: 'fine' })).status, 201);
  const tiles = (await c.committee.get('/api/v1/dashboard')).json.tiles;
  for (const k of ['care_nobody', 'care_due', 'care_needs', 'care_missed'])
    assert.ok(tiles.some((t) => t.key === k), k);
  assert.ok(tiles.find((t) => t.key === 'care_needs').value >= 1);
});

test('a lapse of two days is told to the block leader once, across restarts; a contact clears it', async () => {
  const nobody = listItems(await c.block.get('/api/v1/care/residents?carer=none'));
  const who = nobody[0];
  assert.ok(who, 'one more resident of block 1 with nobody');
  const a = await c.block.post('/api/v1/care/assignments', { resident_id: who.id, carer_user_id: volunteerId,
    rhythm: 'daily_call', start_date: daysAgo(4) });
  assert.equal(a.status, 201, a.text);
  const missedOf = async (client) => (await client.get('/api/v1/notifications?limit=200')).json.items
    .filter((x) => x.kind === 'care_missed' && x.link === `/care/residents/${who.id}`);
  assert.equal((await missedOf(c.block)).length, 0);
  // The hourly upkeep runs when a server starts.
  await stopServer(srv, { keepDb: true });
  srv = await startServer({ db: srv.db });
  await loginAll();
  let told = [];
  for (let i = 0; i < 40 && !told.length; i++) {
    told = await missedOf(c.block);
    if (!told.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(told.length, 1, 'told once');
  const row = (await walkList(c.block, '/api/v1/care/due')).find((x) => x.id === who.id);
  assert.ok(row && row.missed && row.state_text === 'Missed running', JSON.stringify(row));
  // A second server start does not tell again.
  await stopServer(srv, { keepDb: true });
  srv = await startServer({ db: srv.db });
  await loginAll();
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await missedOf(c.block)).length, 1, 'still once');
  // A contact ends the lapse.
  assert.equal((await c.volunteer.post(`/api/v1/care/residents/${who.id}/checkins`, { kind: 'call',
    outcome: 'fine' })).status, 201);
  const after = listItems(await c.volunteer.get('/api/v1/care/mine?limit=200')).find((x) => x.id === who.id);
  assert.equal(after.missed, false);
  assert.equal(after.due, false);
});

test('a moved-out resident or a cleared flag is never due; the upkeep ends the care', async () => {
  const people = listItems(await c.volunteer.get('/api/v1/care/mine?limit=200'));
  const flagged = people.find((x) => x.id === spare.id);
  assert.ok(flagged);
  for (const f of flagged.flags)
    assert.equal((await c.committee.del(`/api/v1/residents/${spare.id}/flags/${f}`)).status, 200);
  assert.ok(!listItems(await c.volunteer.get('/api/v1/care/mine?limit=200')).some((x) => x.id === spare.id));
  assertError(await c.volunteer.get(`/api/v1/care/residents/${spare.id}`), 404, 'not_found');
  assertError(await c.volunteer.post(`/api/v1/care/residents/${spare.id}/checkins`, { kind: 'call',
    outcome: 'fine' }), 404, 'not_found');
  // Someone of the volunteer's moves out: gone from every list at once.
  const gone = listItems(await c.volunteer.get('/api/v1/care/mine?limit=200'))[0];
  assert.ok(gone);
  const out = await c.committee.del(`/api/v1/residents/${gone.id}`);
  assert.ok(out.status === 200 || out.status === 204, out.text);
  assert.ok(!listItems(await c.volunteer.get('/api/v1/care/mine?limit=200')).some((x) => x.id === gone.id));
  assert.ok(!(await walkList(c.committee, '/api/v1/care/due')).some((x) => x.id === gone.id));
  assert.ok(!(await walkList(c.committee, '/api/v1/care/residents')).some((x) => x.id === gone.id));
  // After the upkeep (a restart) the history says why each ended.
  await stopServer(srv, { keepDb: true });
  srv = await startServer({ db: srv.db });
  await loginAll();
  let reasons = [];
  for (let i = 0; i < 40 && !reasons.includes('flag_cleared'); i++) {
    const audit = await c.committee.get('/api/v1/audit?action=care.auto_end&limit=20');
    reasons = audit.status === 200 ? audit.json.items.map((x) => x.detail?.reason ?? JSON.stringify(x)) : ['flag_cleared'];
    if (!reasons.some((r) => String(r).includes('flag_cleared'))) await new Promise((r) => setTimeout(r, 100));
    else break;
  }
  assert.ok(reasons.some((r) => String(r).includes('flag_cleared')), JSON.stringify(reasons));
  assert.ok(reasons.some((r) => String(r).includes('moved_out')), JSON.stringify(reasons));
});

test('the demo: carers in the first blocks, a week of check-ins, one lapse, one need turned into a request', async () => {
  const all = await walkList(c.committee, '/api/v1/care/residents?carer=assigned');
  assert.ok(all.length >= 8, `${all.length} with a carer`);
  assert.ok(all.some((r) => r.carer_name === '刘子轩'));
  assert.ok(all.some((r) => r.assignment.carer_user_id === blockId));
  const due = await walkList(c.committee, '/api/v1/care/due');
  assert.ok(due.some((r) => r.missed), 'a lapse flagged by the upkeep');
  const withHelp = [];
  for (const r of all.slice(0, 20)) {
    const h = (await c.committee.get(`/api/v1/care/residents/${r.id}`)).json.resident;
    if (h.checkins.some((k) => k.help_request_id)) withHelp.push(r);
  }
  assert.ok(withHelp.length >= 1, 'a need became a help request');
  // A volunteer without any assignment sees an empty list.
  const other = await c.committee.post('/api/v1/users', { username: `carer${Date.now()}`, display_name: '新志愿者',
    password: 'test-pass-123', roles: [{ role: 'volunteer' }] });
  assert.equal(other.status, 201, other.text);
  const v = await loggedIn(srv.url, other.json.user.username, 'test-pass-123');
  assert.deepEqual(listItems(await v.get('/api/v1/care/mine')), []);
  assertError(await v.get(`/api/v1/care/residents/${all[0].id}`), 404, 'not_found');
});
