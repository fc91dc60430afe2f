// Help requests: a resident asks for medicine and sees it acknowledged; a block leader
// asks for a resident without a smartphone (on behalf, audited); a phone call entered by
// the committee; the timeline; denials (another household, a resident acknowledging, a
// volunteer not assigned); escalation on time to the zone leader and then the committee,
// also across a restart; the assigned volunteer finishes; validation naming the field;
// an idempotent retry; the lists, exports and tiles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCli } from '../lib/server.mjs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { assertError, loggedIn, listItems, sleep, createUser, stopServer } from '../lib/api-helpers.mjs';

let srv;
const c = {};
let myBlock, blockResident, otherResident, neighbour, neighbourLogin;

async function until(fn, ms = 8000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(150);
  }
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  myBlock = c.block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const mine = await c.committee.get(`/api/v1/residents?block_id=${myBlock}&limit=50`);
  const residentHousehold = c.resident.me.user.roles.find((r) => r.role === 'resident').scope_id;
  blockResident = mine.json.items.find((r) => r.household_id !== residentHousehold);
  const blocks = await c.committee.get('/api/v1/blocks?limit=100');
  const far = blocks.json.items.find((b) => b.id !== myBlock && b.zone_id !== blocks.json.items[0].zone_id);
  otherResident = (await c.committee.get(`/api/v1/residents?block_id=${far.id}&limit=1`)).json.items[0];
  // A resident with a login in the demo block leader's block.
  const u = await createUser(c.committee, { roles: [{ role: 'resident', scope_id: blockResident.household_id }] });
  neighbourLogin = u;
  neighbour = await loggedIn(srv.url, u.username, u.password);
});
after(async () => { await stopServer(srv); });

test('a resident asks for medicine; the block leader acknowledges; the resident sees it', async () => {
  // The demo resident's block has no block leader with a login: their request goes to the zone leader.
  const z = await c.resident.post('/api/v1/help-requests', { kind: 'supplies', urgency: 'normal', summary: '买菜' });
  assert.equal(z.status, 201, z.text);
  assert.equal(z.json.request.level, 'zone');
  assertError(await c.block.get(`/api/v1/help-requests/${z.json.request.id}`), 404, 'not_found');
  assert.equal((await c.zone.post(`/api/v1/help-requests/${z.json.request.id}/events`, { action: 'acknowledge' }))
    .status, 200);
  c.resident = neighbour;
  const r = await c.resident.post('/api/v1/help-requests', { kind: 'medicine', urgency: 'normal',
    summary: '需要配降压药', details: { medicine: '氨氯地平 5mg', pharmacy: '社区卫生服务中心' } });
  assert.equal(r.status, 201, r.text);
  const req = r.json.request;
  assert.equal(req.state, 'new');
  assert.equal(req.level, 'block');
  assert.equal(req.channel, 'app');
  assert.equal(req.details.medicine, '氨氯地平 5mg');
  assert.equal(req.timeline[0].kind, 'created');
  // The block leader is told and sees it among the open ones of their blocks.
  const notes = await c.block.get('/api/v1/notifications?unread=1');
  assert.ok(notes.json.items.some((n) => n.kind === 'help_new' && n.link === `/help/${req.id}`), notes.text);
  const open = await c.block.get('/api/v1/help-requests?state=open');
  assert.ok(listItems(open).some((x) => x.id === req.id));
  // A resident cannot acknowledge; the block leader can, once.
  assertError(await c.resident.post(`/api/v1/help-requests/${req.id}/events`, { action: 'acknowledge' }), 403,
    'forbidden', 'action');
  const ack = await c.block.post(`/api/v1/help-requests/${req.id}/events`, { action: 'acknowledge' });
  assert.equal(ack.status, 200, ack.text);
  assert.equal(ack.json.request.state, 'acknowledged');
  assertError(await c.block.post(`/api/v1/help-requests/${req.id}/events`, { action: 'acknowledge' }), 409,
    'conflict', 'action');
  const seen = await c.resident.get(`/api/v1/help-requests/${req.id}`);
  assert.equal(seen.json.request.state, 'acknowledged');
  assert.deepEqual(seen.json.request.timeline.map((e) => e.kind), ['created', 'acknowledge']);
  assert.match(seen.json.request.timeline[1].by, /\(/);   // who, with their role
  const told = await c.resident.get('/api/v1/notifications?unread=1');
  assert.ok(told.json.items.some((n) => n.kind === 'help_acknowledged'));
  // The resident writes a message; the leader answers; the resident cancels.
  assert.equal((await c.resident.post(`/api/v1/help-requests/${req.id}/events`, { action: 'message',
    text: '下午在家' })).status, 200);
  const done = await c.block.post(`/api/v1/help-requests/${req.id}/events`, { action: 'done', text: '药已送到门口' });
  assert.equal(done.json.request.state, 'done');
  assertError(await c.resident.post(`/api/v1/help-requests/${req.id}/events`, { action: 'cancel' }), 409,
    'conflict', 'action');
  assert.equal((await c.resident.post(`/api/v1/help-requests/${req.id}/events`, { action: 'message',
    text: '收到，谢谢' })).status, 200);
});

test('a block leader asks for a resident without a smartphone; the committee takes a phone call', async () => {
  const r = await c.block.post('/api/v1/help-requests', { kind: 'supplies', urgency: 'normal',
    summary: '老人家里没有米了', resident_id: blockResident.id, channel: 'in_person' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.request.channel, 'on_behalf');
  assert.equal(r.json.request.on_behalf, true);
  assert.equal(r.json.request.resident_name, blockResident.name);
  const audit = await c.committee.get('/api/v1/audit?action=help.create&limit=5');
  if (audit.status === 200) assert.ok(audit.json.items.some((a) => a.target_id === r.json.request.id));
  // Outside the leader's blocks: not found as a requester.
  assertError(await c.block.post('/api/v1/help-requests', { kind: 'supplies', urgency: 'normal', summary: 'x',
    resident_id: otherResident.id }), 400, 'validation_failed', 'resident_id');
  // A resident cannot ask on someone else's behalf.
  assertError(await c.resident.post('/api/v1/help-requests', { kind: 'supplies', urgency: 'normal', summary: 'x',
    resident_id: otherResident.id }), 403, 'forbidden', 'resident_id');
  const phone = await c.committee.post('/api/v1/help-requests', { kind: 'medical_visit', urgency: 'urgent',
    summary: '临产，需要去医院', resident_id: otherResident.id, channel: 'phone', contact_phone: '13812345678' });
  assert.equal(phone.status, 201, phone.text);
  assert.equal(phone.json.request.channel, 'phone');
  assert.equal(phone.json.request.phone, '13812345678');
  // The block leader of another block, the resident and an unassigned volunteer: 404.
  for (const who of ['block', 'resident', 'volunteer'])
    assertError(await c[who].get(`/api/v1/help-requests/${phone.json.request.id}`), 404, 'not_found');
  // Handed to 120 with the time: acknowledged, never waiting on a volunteer.
  const h = await c.committee.post(`/api/v1/help-requests/${phone.json.request.id}/events`,
    { action: 'hand_over', to: 'emergency_120', text: '已拨打 120' });
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.request.handed_to, 'emergency_120');
  assert.ok(h.json.request.handed_at);
  assert.equal(h.json.request.state, 'acknowledged');
});

test('validation names the field; a retried request is not asked twice', async () => {
  const bad = [
    [{ urgency: 'normal', summary: 'x' }, 'kind'],
    [{ kind: 'pizza', urgency: 'normal', summary: 'x' }, 'kind'],
    [{ kind: 'medicine', urgency: 'soon', summary: 'x' }, 'urgency'],
    [{ kind: 'medicine', urgency: 'normal' }, 'summary'],
    [{ kind: 'medicine', urgency: 'normal', summary: 'x', details: { colour: 'red' } }, 'details.colour'],
    [{ kind: 'medicine', urgency: 'normal', summary: 'x', contact_phone: '1381234567' }, 'contact_phone'],
    [{ kind: 'medicine', urgency: 'normal', summary: 'x', channel: 'phone' }, 'channel'],
  ];
  for (const [body, field] of bad) assertError(await c.resident.post('/api/v1/help-requests', body), 400,
    'validation_failed', field);
  c.resident.lang = 'zh-CN';
  const zh = await c.resident.post('/api/v1/help-requests', { kind: 'pizza', urgency: 'normal', summary: 'x' });
  assert.match(zh.json.error.message, /类别/);
  c.resident.lang = 'en';
  const key = { 'Idempotency-Key': 'help-' + Date.now() };
  const body = { kind: 'repair', urgency: 'normal', summary: '水管漏水' };
  const a = await c.resident.post('/api/v1/help-requests', body, key);
  const b = await c.resident.post('/api/v1/help-requests', body, key);
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(a.json.request.id, b.json.request.id);
  const mine = listItems(await c.resident.get('/api/v1/help-requests?kind=repair&limit=100'));
  assert.equal(mine.filter((x) => x.summary === '水管漏水').length, 1);
  assertError(await c.resident.post(`/api/v1/help-requests/${a.json.request.id}/events`, { action: 'fly' }), 400,
    'validation_failed', 'action');
  assertError(await c.zone.post(`/api/v1/help-requests/${a.json.request.id}/events`, { action: 'decline' }), 400,
    'validation_failed', 'text');
});

test('an urgent request nobody acknowledges escalates on time: zone leader, then the committee', async () => {
  assertError(await c.zone.put('/api/v1/help-settings', { urgent_ack_s: 1, normal_ack_s: 60 }), 403, 'forbidden');
  assertError(await c.committee.put('/api/v1/help-settings', { urgent_ack_s: 100, normal_ack_s: 60 }), 400,
    'validation_failed', 'urgent_ack_s');
  assert.equal((await c.committee.put('/api/v1/help-settings', { urgent_ack_s: 2, normal_ack_s: 3600 })).status, 200);
  const r = await c.resident.post('/api/v1/help-requests', { kind: 'care', urgency: 'urgent', summary: '老人摔倒' });
  const id = r.json.request.id;
  assert.equal(r.json.request.overdue, false);
  const atZone = await until(async () => {
    const g = await c.zone.get(`/api/v1/help-requests/${id}`);
    return g.json.request.level === 'zone' ? g.json.request : null;
  });
  assert.ok(atZone, 'escalated to the zone leader');
  assert.equal(atZone.overdue, true);
  assert.equal(atZone.escalations, 1);
  assert.ok((await c.zone.get('/api/v1/notifications?unread=1')).json.items.some((n) => n.kind === 'help_escalated'
    && n.link === `/help/${id}`));
  const atCommittee = await until(async () => {
    const g = await c.committee.get(`/api/v1/help-requests/${id}`);
    return g.json.request.level === 'committee' ? g.json.request : null;
  });
  assert.ok(atCommittee, 'escalated to the committee');
  assert.deepEqual(atCommittee.timeline.map((e) => e.kind), ['created', 'escalated', 'escalated']);
  assert.match(atCommittee.timeline[1].by, /System|系统/);
  // Overdue everywhere: the list filter and the tile.
  assert.ok(listItems(await c.block.get('/api/v1/help-requests?overdue=1')).some((x) => x.id === id));
  const tiles = await c.committee.get('/api/v1/dashboard');
  const overdue = tiles.json.tiles.find((t) => t.key === 'help_overdue');
  assert.ok(overdue && overdue.value >= 1, tiles.text);
  // Stays put: three events, never a fourth.
  await sleep(2500);
  const still = await c.committee.get(`/api/v1/help-requests/${id}`);
  assert.equal(still.json.request.timeline.length, 3);
  // Acknowledged late by the block leader: no longer overdue.
  const ack = await c.block.post(`/api/v1/help-requests/${id}/events`, { action: 'acknowledge' });
  assert.equal(ack.json.request.overdue, false);
});

test('the escalation timer survives a restart', async () => {
  await stopServer(srv, { keepDb: true });
  srv = await startServer({ db: srv.db });
  for (const u of ['committee', 'zone', 'block']) c[u] = await loggedIn(srv.url, u);
  c.resident = await loggedIn(srv.url, neighbourLogin.username, neighbourLogin.password);
  await c.committee.put('/api/v1/help-settings', { urgent_ack_s: 3, normal_ack_s: 3600 });
  const r = await c.resident.post('/api/v1/help-requests', { kind: 'medicine', urgency: 'urgent', summary: '胰岛素用完' });
  const id = r.json.request.id;
  await stopServer(srv, { keepDb: true });
  await sleep(3500);   // the deadline passes while no server runs
  srv = await startServer({ db: srv.db });
  c.zone = await loggedIn(srv.url, 'zone');
  const g = await until(async () => {
    const x = await c.zone.get(`/api/v1/help-requests/${id}`);
    return x.json.request.level === 'zone' ? x.json.request : null;
  });
  assert.ok(g, 'escalated after the restart');
  assert.equal(g.timeline.filter((e) => e.kind === 'escalated').length, 1);
});

test('assigned to a volunteer, who sees it, starts and finishes it; exports and print', async () => {
  c.committee = await loggedIn(srv.url, 'committee');
  c.block = await loggedIn(srv.url, 'block');
  c.volunteer = await loggedIn(srv.url, 'volunteer');
  const mine = (await c.volunteer.get('/api/v1/volunteers/me')).json.volunteer;
  assert.ok(mine?.id, 'the demo volunteer has a record');
  const r = await c.block.post('/api/v1/help-requests', { kind: 'supplies', urgency: 'normal', summary: '代买蔬菜',
    resident_id: blockResident.id });
  const id = r.json.request.id;
  assertError(await c.volunteer.get(`/api/v1/help-requests/${id}`), 404, 'not_found');
  assertError(await c.block.post(`/api/v1/help-requests/${id}/events`, { action: 'assign', volunteer_id: 999999 }),
    400, 'validation_failed', 'volunteer_id');
  const a = await c.block.post(`/api/v1/help-requests/${id}/events`, { action: 'assign', volunteer_id: mine.id });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.request.assigned_volunteer.id, mine.id);
  assert.equal(a.json.request.state, 'acknowledged');
  const seen = await c.volunteer.get(`/api/v1/help-requests/${id}`);
  assert.equal(seen.status, 200);
  assert.ok(listItems(await c.volunteer.get('/api/v1/help-requests?assigned=me')).some((x) => x.id === id));
  assertError(await c.volunteer.post(`/api/v1/help-requests/${id}/events`, { action: 'decline', text: 'no' }), 403,
    'forbidden', 'action');
  assert.equal((await c.volunteer.post(`/api/v1/help-requests/${id}/events`, { action: 'start' })).status, 200);
  const d = await c.volunteer.post(`/api/v1/help-requests/${id}/events`, { action: 'done' });
  assert.equal(d.json.request.state, 'done');
  assert.ok(d.json.request.finished_at);
  const csv = await c.committee.get('/api/v1/help-requests?format=csv&kind=supplies');
  assert.equal(csv.status, 200);
  assert.match(csv.text, /代买蔬菜/);
  assert.match(csv.text, /Food and supplies|生活物资/);
  const print = await c.committee.get('/api/v1/help-requests?print=1&state=open');
  assert.equal(print.status, 200);
  assert.match(print.text, /<table/);
  assertError(await c.committee.get('/api/v1/help-requests?state=sleeping'), 400, 'validation_failed', 'state');
});

test('the demo has requests in every status, a few overdue', async () => {
  const all = listItems(await c.committee.get('/api/v1/help-requests?limit=200'));
  const states = new Set(all.map((x) => x.state));
  for (const s of ['new', 'acknowledged', 'in_progress', 'done', 'cancelled', 'declined']) assert.ok(states.has(s), s);
  assert.ok(all.some((x) => x.overdue && x.level === 'committee'));
  const resident = await loggedIn(srv.url, 'resident');
  const own = listItems(await resident.get('/api/v1/help-requests'));
  assert.ok(own.length >= 2 && own.every((x) => x.household_id === own[0].household_id));
});

test('an exit approval makes a pass that a gate checks; revoked, it no longer holds', async () => {
  const local = (min) => new Date(Date.now() + min * 60000 + 8 * 3600000).toISOString().slice(0, 16).replace('T', ' ');
  for (const u of ['committee', 'block', 'volunteer']) c[u] = await loggedIn(srv.url, u);
  c.resident = await loggedIn(srv.url, neighbourLogin.username, neighbourLogin.password);
  const r = await c.resident.post('/api/v1/help-requests', { kind: 'exit', urgency: 'normal', summary: '去医院复查',
    details: { destination: '市第六人民医院' } });
  const id = r.json.request.id;
  const body = { basis: 'hospital_call', basis_note: '医院来电确认周一上午复查', valid_from: local(-10), valid_to: local(240) };
  assertError(await c.block.post(`/api/v1/help-requests/${id}/pass`, body), 403, 'forbidden');
  assertError(await c.committee.post(`/api/v1/help-requests/${id}/pass`, { ...body, basis: 'vibes' }), 400,
    'validation_failed', 'basis');
  assertError(await c.committee.post(`/api/v1/help-requests/${id}/pass`, { ...body, valid_to: '2026-02-30 10:00' }),
    400, 'validation_failed', 'valid_to');
  assertError(await c.committee.post(`/api/v1/help-requests/${id}/pass`, { ...body, valid_to: local(-20) }), 400,
    'validation_failed', 'valid_to');
  const other = await c.resident.post('/api/v1/help-requests', { kind: 'repair', urgency: 'normal', summary: '门锁' });
  assertError(await c.committee.post(`/api/v1/help-requests/${other.json.request.id}/pass`, body), 409, 'conflict',
    'kind');
  const p = await c.committee.post(`/api/v1/help-requests/${id}/pass`, body);
  assert.equal(p.status, 201, p.text);
  assert.match(p.json.pass.payload, /^SWPASS:/);
  assert.match(p.json.pass.svg, /<svg/);
  assert.equal(p.json.pass.valid_now, true);
  // The household sees the request done and its pass, with the same code.
  const seen = await c.resident.get(`/api/v1/help-requests/${id}`);
  assert.equal(seen.json.request.state, 'done');
  assert.ok(seen.json.request.timeline.some((e) => e.kind === 'approved'));
  const mine = await c.resident.get(`/api/v1/help-requests/${id}/pass`);
  assert.equal(mine.json.pass.payload, p.json.pass.payload);
  assertError(await c.block.get(`/api/v1/help-requests/${other.json.request.id}/pass`), 404, 'not_found');
  // The gate: a volunteer checks it; a resident may not; an unknown code is 404.
  const ok = await c.volunteer.post('/api/v1/passes/check', { code: p.json.pass.payload });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.valid, true);
  assert.equal(ok.json.request_id, id);
  assertError(await c.resident.post('/api/v1/passes/check', { code: p.json.pass.payload }), 403, 'forbidden');
  assertError(await c.volunteer.post('/api/v1/passes/check', { code: 'SWPASS:nothing' }), 404, 'not_found', 'code');
  const audit = await c.committee.get('/api/v1/audit?action=help.pass_check&limit=50');
  assert.ok(audit.json.items.length >= 1);
  // Revoked: the gate says so.
  assert.equal((await c.committee.del(`/api/v1/help-requests/${id}/pass`)).status, 200);
  const no = await c.volunteer.post('/api/v1/passes/check', { code: p.json.pass.payload });
  assert.equal(no.json.valid, false);
  assert.equal(no.json.reason, 'revoked');
  assertError(await c.resident.get(`/api/v1/help-requests/${id}/pass`), 404, 'not_found');
});

test('a medicine run: red first, cards held and returned, money advanced and repaid, delivered closes the request', async () => {
  for (const u of ['committee', 'block', 'zone', 'volunteer']) c[u] = await loggedIn(srv.url, u);
  c.resident = await loggedIn(srv.url, neighbourLogin.username, neighbourLogin.password);
  const asked = await c.resident.post('/api/v1/help-requests', { kind: 'medicine', urgency: 'normal',
    summary: '胰岛素', details: { medicine: '门冬胰岛素 3 支', pharmacy: '社区卫生服务中心' } });
  const requestId = asked.json.request.id;
  const vid = (await c.volunteer.get('/api/v1/volunteers/me')).json.volunteer.id;
  assertError(await c.resident.post('/api/v1/medicine-runs', { name: 'x', place: 'y' }), 403, 'forbidden');
  assertError(await c.block.post('/api/v1/medicine-runs', { name: '周一配药' }), 400, 'validation_failed', 'place');
  const run = await c.block.post('/api/v1/medicine-runs', { name: '周一配药', place: '社区卫生服务中心',
    runner_volunteer_id: vid });
  assert.equal(run.status, 201, run.text);
  const rid = run.json.run.id;
  assertError(await c.block.post(`/api/v1/medicine-runs/${rid}/items`, { triage: 'purple', request_id: requestId }),
    400, 'validation_failed', 'triage');
  assertError(await c.block.post(`/api/v1/medicine-runs/${rid}/items`, { triage: 'red', resident_id: otherResident.id,
    medicines: 'x' }), 400, 'validation_failed', 'resident_id');
  const a = await c.block.post(`/api/v1/medicine-runs/${rid}/items`, { triage: 'green', resident_id: blockResident.id,
    medicines: '降压药 2 盒', card_kinds: 'insurance_card' });
  assert.equal(a.status, 201, a.text);
  const b = await c.block.post(`/api/v1/medicine-runs/${rid}/items`, { triage: 'red', request_id: requestId });
  assert.equal(b.status, 201, b.text);
  assertError(await c.block.post(`/api/v1/medicine-runs/${rid}/items`, { triage: 'red', request_id: requestId }), 409,
    'conflict', 'request_id');
  const items = b.json.run.items;
  assert.deepEqual(items.map((i) => i.triage), ['red', 'green']);
  assert.equal(items[0].medicines, '门冬胰岛素 3 支');
  assert.equal((await c.resident.get(`/api/v1/help-requests/${requestId}`)).json.request.state, 'in_progress');
  // The runner sees the whole run; another block's leader sees the run but not these lines.
  assert.equal((await c.volunteer.get(`/api/v1/medicine-runs/${rid}`)).json.run.items.length, 2);
  const lineId = items[0].id;
  const path = `/api/v1/medicine-runs/${rid}/items/${lineId}`;
  assertError(await c.block.patch(path, { card: 'returned' }), 409, 'conflict', 'card');
  let r = await c.block.patch(path, { card: 'received', advanced_fen: 12800 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.run.items[0].card_state, 'held');
  assertError(await c.block.patch(path, { repaid_fen: 20000 }), 400, 'validation_failed', 'repaid_fen');
  r = await c.volunteer.patch(path, { delivered: true });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.run.items[0].delivered_at);
  r = await c.block.patch(path, { card: 'returned', repaid_fen: 12800 });
  assert.equal(r.json.run.items[0].card_state, 'returned');
  assert.equal(r.json.run.items[0].owed_fen, 0);
  assertError(await c.volunteer.patch(path, { delivered: true }), 409, 'conflict', 'delivered');
  const done = await c.resident.get(`/api/v1/help-requests/${requestId}`);
  assert.equal(done.json.request.state, 'done');
  assert.ok(done.json.request.timeline.some((e) => e.kind === 'medicine_delivered'));
  const list = await c.committee.get('/api/v1/medicine-runs?format=csv');
  assert.match(list.text, /周一配药/);
});

async function upload(client, path, bytes) {
  const res = await fetch(client.url + path, { method: 'POST', body: bytes,
    headers: { Cookie: client.cookie, 'X-CSRF-Token': client.csrf, 'Content-Type': 'application/octet-stream',
      'Accept-Language': 'en' } });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : null };
}

test('attachments: sniffed, capped, served only to those who see the request, copied by the backup', async () => {
  for (const u of ['committee', 'block', 'volunteer']) c[u] = await loggedIn(srv.url, u);
  c.resident = await loggedIn(srv.url, neighbourLogin.username, neighbourLogin.password);
  const r = await c.resident.post('/api/v1/help-requests', { kind: 'medicine', urgency: 'normal', summary: '处方' });
  const id = r.json.request.id;
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('fake image body')]);
  const name = encodeURIComponent('处方.png');
  const bad = await upload(c.resident, `/api/v1/help-requests/${id}/attachments?name=x.png`, Buffer.from('MZ not an image'));
  assertError(bad, 400, 'validation_failed', 'file');
  const up = await upload(c.resident, `/api/v1/help-requests/${id}/attachments?name=${name}`, png);
  assert.equal(up.status, 201, up.text);
  const file = up.json.request.attachments[0];
  assert.equal(file.type, 'image/png');
  assert.equal(file.name, '处方.png');
  assert.equal(file.size, png.length);
  const got = await fetch(`${srv.url}/api/v1/help-requests/${id}/attachments/${file.id}`, { headers: { Cookie: c.block.cookie } });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await got.arrayBuffer()), png);
  assertError(await c.volunteer.get(`/api/v1/help-requests/${id}/attachments/${file.id}`), 404, 'not_found');
  assertError(await upload(c.volunteer, `/api/v1/help-requests/${id}/attachments`, png), 404, 'not_found');
  // The backup takes the files with the database.
  const out = join(srv.db.dir, 'backup.db');
  runCli(srv.db, ['backup', out]);
  assert.ok(existsSync(`${out}.files`));
  const community = readdirSync(`${out}.files`)[0];
  const copied = readdirSync(join(`${out}.files`, community));
  assert.equal(copied.length, 1);
  assert.deepEqual(readFileSync(join(`${out}.files`, community, copied[0])), png);
});

test('an urgent request and its escalations reach the chat groups that take them, once each', async () => {
  const hits = [];
  const rx = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => { data += d; });
    req.on('end', () => { hits.push({ id: req.headers['x-shouwang-event-id'], body: JSON.parse(data) }); res.end('{}'); });
  });
  await new Promise((ok) => rx.listen(0, '127.0.0.1', ok));
  try {
    for (const u of ['committee', 'block']) c[u] = await loggedIn(srv.url, u);
    c.resident = await loggedIn(srv.url, neighbourLogin.username, neighbourLogin.password);
    const ch = await c.committee.post('/api/v1/channels', { name: '居委值班群', kind: 'webhook',
      url: `http://127.0.0.1:${rx.address().port}/hook`, events: ['help.urgent', 'help.escalated'] });
    assert.equal(ch.status, 201, ch.text);
    await c.committee.put('/api/v1/help-settings', { urgent_ack_s: 1, normal_ack_s: 3600 });
    const r = await c.resident.post('/api/v1/help-requests', { kind: 'care', urgency: 'urgent', summary: '老人胸口疼' });
    const id = r.json.request.id;
    const want = [`help:${id}:urgent`, `help:${id}:esczone`, `help:${id}:esccommittee`];
    await until(async () => want.every((k) => hits.some((h) => h.id === k)), 15000);
    for (const k of want) assert.equal(hits.filter((h) => h.id === k).length, 1, k);
    const urgent = hits.find((h) => h.id === want[0]);
    assert.equal(urgent.body.event, 'help.urgent');
    assert.match(urgent.body.text, /老人胸口疼/);
    assert.match(urgent.body.link, new RegExp(`/help/${id}$`));
  } finally {
    rx.close();
  }
});

test('two server processes on one database escalate a request once', async () => {
  const second = await startServer({ db: srv.db });
  try {
    c.committee = await loggedIn(srv.url, 'committee');
    const resident2 = await loggedIn(second.url, neighbourLogin.username, neighbourLogin.password);
    await c.committee.put('/api/v1/help-settings', { urgent_ack_s: 1, normal_ack_s: 3600 });
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const r = await resident2.post('/api/v1/help-requests', { kind: 'care', urgency: 'urgent', summary: `两台服务器 ${i}` });
      ids.push(r.json.request.id);
    }
    const done = await until(async () => {
      for (const id of ids) {
        const g = await c.committee.get(`/api/v1/help-requests/${id}`);
        if (g.json.request.level !== 'committee') return false;
      }
      return true;
    }, 15000);
    assert.ok(done, 'all escalated to the committee');
    await sleep(1500);
    for (const id of ids) {
      const g = await c.committee.get(`/api/v1/help-requests/${id}`);
      assert.equal(g.json.request.timeline.filter((e) => e.kind === 'escalated').length, 2, `request ${id}`);
      assert.equal(g.json.request.escalations, 2);
    }
  } finally {
    await stopServer(second, { keepDb: true });
  }
});
