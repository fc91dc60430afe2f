// Sweeps (排摸): the committee drafts a sweep of zone 1, opens it, the block leader of
// block 1 records households (answered, not at home, refused), progress and the lists
// follow at once, exports carry one column per question, and scope holds throughout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { readXlsx } from '../lib/xlsx.mjs';
import { assertError, loggedIn, listItems, walkList, getBytes, parseCsv } from '../lib/api-helpers.mjs';

let srv;
let committee, zone, block, volunteer, resident, committeeZh;
let zone1, block1;
let sweepId;
let block1Households;       // household ids of block 1 in the sweep
let otherBlockHousehold;    // a household of the sweep outside block 1
let otherBlockId;

const QUESTIONS = [
  { key: 'returned', label_zh: '近14天是否从外地返沪', label_en: 'Back in Shanghai within 14 days', type: 'yes_no', required: true },
  { key: 'from_city', label_zh: '出发城市', label_en: 'Came from', type: 'choice', choices: ['武汉', '北京', '其他'] },
];

function scopeOf(client, role) {
  const r = client.me.user.roles.find((x) => x.role === role);
  assert.ok(r, `${role} role of ${client.me.user.username}`);
  return r.scope_id;
}

before(async () => {
  srv = await startServer();
  committee = await loggedIn(srv.url, 'committee');
  committeeZh = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  zone = await loggedIn(srv.url, 'zone');
  block = await loggedIn(srv.url, 'block');
  volunteer = await loggedIn(srv.url, 'volunteer');
  resident = await loggedIn(srv.url, 'resident');
  zone1 = scopeOf(zone, 'zone_leader');
  block1 = scopeOf(block, 'block_leader');
});

after(async () => {
  if (srv) await srv.stop();
});

const put = (client, path, body) => client.req('PUT', path, body);

async function progress(client, by = 'block') {
  const r = await client.get(`/api/v1/sweeps/${sweepId}/progress?by=${by}`);
  const items = listItems(r, `progress by ${by}`);
  assert.ok(r.json.total, 'progress has a total');
  return { items, total: r.json.total };
}

function blockRow(items, id) {
  const row = items.find((x) => x.block_id === id);
  assert.ok(row, `block ${id} in progress: ${JSON.stringify(items.map((x) => x.block_id))}`);
  return row;
}

test('creating a sweep validates title, questions and target, naming the field', async () => {
  const base = { title: '返沪人员排摸', questions: QUESTIONS, target_kind: 'filter', target_filter: { zone_id: zone1 } };
  assertError(await committee.post('/api/v1/sweeps', { ...base, title: undefined }), 400, 'validation_failed', 'title');
  assertError(await committee.post('/api/v1/sweeps', { ...base, questions: [] }), 400, 'validation_failed', 'questions');
  assertError(await committee.post('/api/v1/sweeps', { ...base, questions: undefined }), 400, 'validation_failed', 'questions');
  assertError(await committee.post('/api/v1/sweeps', { ...base, questions: [QUESTIONS[0], { ...QUESTIONS[1], type: 'date' }] }),
    400, 'validation_failed', 'questions[1].type');
  assertError(await committee.post('/api/v1/sweeps', { ...base, questions: [{ ...QUESTIONS[1], choices: undefined }] }),
    400, 'validation_failed', 'questions[0].choices');
  assertError(await committee.post('/api/v1/sweeps', { ...base, questions: [QUESTIONS[0], { ...QUESTIONS[0] }] }),
    400, 'validation_failed', 'questions[1].key');
  assertError(await committee.post('/api/v1/sweeps', { ...base, questions: [{ ...QUESTIONS[0], key: 'Bad Key' }] }),
    400, 'validation_failed', 'questions[0].key');
  assertError(await committee.post('/api/v1/sweeps', { ...base, questions: [{ ...QUESTIONS[0], label_zh: undefined }] }),
    400, 'validation_failed', 'questions[0].label_zh');
  assertError(await committee.post('/api/v1/sweeps', { ...base, target_kind: 'everyone' }), 400, 'validation_failed', 'target_kind');
  assertError(await committee.post('/api/v1/sweeps', { ...base, target_filter: {} }), 400, 'validation_failed', 'target_filter');
  assertError(await committee.post('/api/v1/sweeps', { ...base, target_filter: { zone_id: 987654 } }),
    400, 'validation_failed', 'target_filter.zone_id');
  assertError(await committee.post('/api/v1/sweeps', { ...base, target_filter: { status: 'haunted' } }),
    400, 'validation_failed', 'target_filter.status');
  assertError(await committee.post('/api/v1/sweeps', { ...base, target_kind: 'list', target_filter: undefined, household_ids: [987654] }),
    400, 'validation_failed', 'household_ids');
  // The message follows the caller's language.
  const zh = await committeeZh.post('/api/v1/sweeps', { ...base, title: '' });
  assertError(zh, 400, 'validation_failed', 'title');
  assert.match(zh.json.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
  // Nothing was created by the failures.
  assert.equal(listItems(await committee.get('/api/v1/sweeps')).length, 0);
});

test('the committee creates "返沪人员排摸" for zone 1; leaders do not see the draft', async () => {
  const r = await committee.post('/api/v1/sweeps', {
    title: '返沪人员排摸', description: '排摸近14天从外地返沪的居民', questions: QUESTIONS,
    target_kind: 'filter', target_filter: { zone_id: zone1 },
  });
  assert.equal(r.status, 201, r.text);
  const s = r.json.sweep;
  sweepId = s.id;
  assert.ok(Number.isInteger(sweepId));
  assert.equal(s.title, '返沪人员排摸');
  assert.equal(s.state, 'draft');
  assert.equal(s.target_kind, 'filter');
  assert.deepEqual(s.target_filter, { zone_id: zone1 });
  assert.equal(s.questions.length, 2);
  assert.deepEqual(s.questions[1].choices, ['武汉', '北京', '其他']);
  assert.equal(s.questions[0].required, true);
  assert.equal(s.progress.targets, 0);

  const got = await committee.get(`/api/v1/sweeps/${sweepId}`);
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.json.sweep.questions, s.questions);

  assertError(await block.get(`/api/v1/sweeps/${sweepId}`), 404, 'not_found');
  assert.ok(!listItems(await block.get('/api/v1/sweeps')).some((x) => x.id === sweepId), 'no draft for a leader');
  // Recording on a draft: the committee sees it, but it is not open.
  assertError(await put(committee, `/api/v1/sweeps/${sweepId}/households/1`, { outcome: 'not_home' }), 409, 'conflict');
  // Only the committee opens, creates and closes.
  assertError(await block.post(`/api/v1/sweeps/${sweepId}/open`, {}), 403, 'forbidden');
  assertError(await zone.post('/api/v1/sweeps', { title: 'x', questions: QUESTIONS }), 403, 'forbidden');
});

test('opening materializes the households of zone 1 and cannot happen twice', async () => {
  const r = await committee.post(`/api/v1/sweeps/${sweepId}/open`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.sweep.state, 'open');
  assert.ok(r.json.sweep.opened_at);
  const targets = r.json.sweep.progress.targets;
  assert.ok(targets > 0, 'zone 1 has households');
  assert.equal(r.json.sweep.progress.remaining, targets);
  assert.equal(r.json.sweep.progress.percent, 0);
  assertError(await committee.post(`/api/v1/sweeps/${sweepId}/open`, {}), 409, 'conflict');

  // Every target is in zone 1; the zone leader sees exactly the same set.
  const all = await walkList(committee, `/api/v1/sweeps/${sweepId}/households`);
  assert.equal(all.length, targets);
  assert.ok(all.every((h) => h.zone_id === zone1), 'only zone 1 households');
  assert.ok(all.every((h) => h.outcome === 'pending'));
  const z = await progress(zone, 'zone');
  assert.equal(z.items.length, 1);
  assert.equal(z.items[0].zone_id, zone1);
  assert.equal(z.items[0].targets, targets);

  block1Households = all.filter((h) => h.block_id === block1).map((h) => h.household_id);
  assert.ok(block1Households.length >= 4, `block 1 has enough households: ${block1Households.length}`);
  const other = all.find((h) => h.block_id !== block1);
  assert.ok(other, 'zone 1 has another block');
  otherBlockHousehold = other.household_id;
  otherBlockId = other.block_id;
});

test('leaders list the open sweep with their own progress', async () => {
  const forBlock = listItems(await block.get('/api/v1/sweeps')).find((x) => x.id === sweepId);
  assert.ok(forBlock, 'the block leader sees the open sweep');
  assert.equal(forBlock.progress.targets, block1Households.length, 'counted over block 1 only');
  const forCommittee = listItems(await committee.get('/api/v1/sweeps')).find((x) => x.id === sweepId);
  assert.ok(forCommittee.progress.targets > forBlock.progress.targets);
  const one = await block.get(`/api/v1/sweeps/${sweepId}`);
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.sweep.questions.length, 2);
});

test('the block leader sees and lists only block 1', async () => {
  const p = await progress(block);
  assert.deepEqual(p.items.map((x) => x.block_id), [block1]);
  assert.equal(p.total.targets, block1Households.length);
  const list = await walkList(block, `/api/v1/sweeps/${sweepId}/households?state=pending`);
  assert.deepEqual(list.map((h) => h.household_id).sort((a, b) => a - b), [...block1Households].sort((a, b) => a - b));
  assert.ok(list.every((h) => h.block_id === block1));
  // Asking for another block gives nothing, not its households.
  const other = listItems(await block.get(`/api/v1/sweeps/${sweepId}/households?block_id=${otherBlockId}`));
  assert.equal(other.length, 0);
});

test('answers are validated against the question types, naming the question key', async () => {
  const h = block1Households[0];
  const path = `/api/v1/sweeps/${sweepId}/households/${h}`;
  assertError(await put(block, path, {}), 400, 'validation_failed', 'outcome');
  assertError(await put(block, path, { outcome: 'maybe' }), 400, 'validation_failed', 'outcome');
  assertError(await put(block, path, { outcome: 'answered', answers: { returned: 'yes' } }), 400, 'validation_failed', 'returned');
  assertError(await put(block, path, { outcome: 'answered', answers: { returned: true, from_city: '上海' } }),
    400, 'validation_failed', 'from_city');
  assertError(await put(block, path, { outcome: 'answered', answers: { returned: true, shoe_size: 42 } }),
    400, 'validation_failed', 'shoe_size');
  assertError(await put(block, path, { outcome: 'answered', answers: { from_city: '北京' } }), 400, 'validation_failed', 'returned');
  assertError(await put(block, path, { outcome: 'answered', answers: [true] }), 400, 'validation_failed', 'answers');
  assertError(await put(block, path, { outcome: 'not_home', answers: { returned: true } }), 400, 'validation_failed', 'answers');
  assertError(await put(block, path, { outcome: 'answered', answers: { returned: true }, method: 'pigeon' }),
    400, 'validation_failed', 'method');
  const p = await progress(block);
  assert.equal(p.total.answered + p.total.not_home + p.total.refused, 0, 'nothing recorded by the failures');
});

test('the block leader records answered, not at home and refused; progress follows at once', async () => {
  const [a, b, c] = block1Households;
  const before = await progress(block);
  const pendingBefore = listItems(await block.get(`/api/v1/sweeps/${sweepId}/households?state=pending&limit=500`)).length;

  const r1 = await put(block, `/api/v1/sweeps/${sweepId}/households/${a}`,
    { outcome: 'answered', answers: { returned: true, from_city: '武汉' }, note: '已居家隔离' });
  assert.equal(r1.status, 200, r1.text);
  assert.equal(r1.json.answer.outcome, 'answered');
  assert.deepEqual(r1.json.answer.answers, { from_city: '武汉', returned: true });
  assert.equal(r1.json.answer.recorded_by, block.me.user.id);
  let p = await progress(block);
  assert.equal(p.total.answered, 1);
  assert.equal(p.total.remaining, before.total.remaining - 1);

  const r2 = await put(block, `/api/v1/sweeps/${sweepId}/households/${b}`, { outcome: 'not_home' });
  assert.equal(r2.status, 200, r2.text);
  const r3 = await put(block, `/api/v1/sweeps/${sweepId}/households/${c}`, { outcome: 'refused', method: 'phone' });
  assert.equal(r3.status, 200, r3.text);

  p = await progress(block);
  const row = blockRow(p.items, block1);
  assert.equal(row.answered, 1);
  assert.equal(row.not_home, 1);
  assert.equal(row.refused, 1);
  assert.equal(row.pending, row.targets - 3);
  assert.equal(row.remaining, row.targets - 2, 'not at home is still to be reached');
  assert.equal(row.percent, Math.floor((2 * 1000) / row.targets) / 10);
  // The committee's view by block agrees for block 1.
  const cp = blockRow((await progress(committee)).items, block1);
  assert.deepEqual({ ...cp }, { ...row });

  // The pending list shrank by three; the lists by outcome hold the right households.
  const pendingAfter = listItems(await block.get(`/api/v1/sweeps/${sweepId}/households?state=pending&limit=500`));
  assert.equal(pendingAfter.length, pendingBefore - 3);
  assert.ok(!pendingAfter.some((h) => [a, b, c].includes(h.household_id)));
  const notHome = listItems(await block.get(`/api/v1/sweeps/${sweepId}/households?state=not_home`));
  assert.deepEqual(notHome.map((h) => h.household_id), [b]);
  const remaining = listItems(await block.get(`/api/v1/sweeps/${sweepId}/households?state=remaining&limit=500`));
  assert.equal(remaining.length, pendingBefore - 2);
  assertError(await block.get(`/api/v1/sweeps/${sweepId}/households?state=lost`), 400, 'validation_failed', 'state');
  assertError(await block.get(`/api/v1/sweeps/${sweepId}/progress?by=street`), 400, 'validation_failed', 'by');
});

test('a household outside the leader\'s scope is not found', async () => {
  assertError(await put(block, `/api/v1/sweeps/${sweepId}/households/${otherBlockHousehold}`,
    { outcome: 'answered', answers: { returned: false } }), 404, 'not_found');
  assertError(await block.get(`/api/v1/sweeps/${sweepId}/households/${otherBlockHousehold}`), 404, 'not_found');
  assertError(await put(block, `/api/v1/sweeps/${sweepId}/households/99999999`, { outcome: 'not_home' }), 404, 'not_found');
  assertError(await put(block, `/api/v1/sweeps/99999999/households/${block1Households[0]}`, { outcome: 'not_home' }),
    404, 'not_found');
  // The zone leader of zone 1 may record it.
  const r = await put(zone, `/api/v1/sweeps/${sweepId}/households/${otherBlockHousehold}`,
    { outcome: 'answered', answers: { returned: false } });
  assert.equal(r.status, 200, r.text);
  const p = await progress(block);
  assert.equal(p.total.answered, 1, 'the other block does not count for the block leader');
});

test('volunteers and residents are refused every sweep route', async () => {
  for (const c of [volunteer, resident]) {
    assertError(await c.get('/api/v1/sweeps'), 403, 'forbidden');
    assertError(await c.get(`/api/v1/sweeps/${sweepId}`), 403, 'forbidden');
    assertError(await c.get(`/api/v1/sweeps/${sweepId}/progress`), 403, 'forbidden');
    assertError(await c.get(`/api/v1/sweeps/${sweepId}/households`), 403, 'forbidden');
    assertError(await c.get(`/api/v1/sweeps/${sweepId}/results?format=csv`), 403, 'forbidden');
    assertError(await put(c, `/api/v1/sweeps/${sweepId}/households/${block1Households[3]}`, { outcome: 'not_home' }),
      403, 'forbidden');
    assertError(await c.post('/api/v1/sweeps', { title: 'x', questions: QUESTIONS }), 403, 'forbidden');
  }
});

test('results export: one column per question, in the caller\'s language', async () => {
  const json = await committee.get(`/api/v1/sweeps/${sweepId}/results`);
  const items = listItems(json, 'results');
  const a = items.find((x) => x.household_id === block1Households[0]);
  assert.ok(a, 'the answered household is in the results');
  assert.deepEqual(a.answers, { from_city: '武汉', returned: true });
  assert.ok(!items.some((x) => x.outcome === 'pending'), 'results hold recorded households only');
  assert.equal(json.json.questions.length, 2);

  const csv = await getBytes(committee, `/api/v1/sweeps/${sweepId}/results?format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  const rows = parseCsv(csv.body.toString('utf8').replace(/^\uFEFF/, ''));
  const header = rows[0];
  const qa = header.indexOf('Back in Shanghai within 14 days');
  const qb = header.indexOf('Came from');
  assert.ok(qa >= 0 && qb >= 0, `question columns in ${header}`);
  const line = rows.find((r) => r.includes('武汉'));
  assert.ok(line, 'the answer is exported');
  assert.equal(line[qa], 'yes');
  assert.equal(line[qb], '武汉');
  assert.equal(rows.length - 1, items.length, 'one line per recorded household');

  const zh = await getBytes(committeeZh, `/api/v1/sweeps/${sweepId}/results?format=csv`);
  assert.ok(zh.body.toString('utf8').includes('近14天是否从外地返沪'), 'Chinese question labels');
  const xlsx = await getBytes(committee, `/api/v1/sweeps/${sweepId}/results?format=xlsx`);
  assert.equal(xlsx.status, 200);
  const sheet = readXlsx(xlsx.body).filter((row) => row.some((c) => c !== ''));
  assert.deepEqual(sheet[0], header, 'the sheet has the CSV header');
  const sheetLine = sheet.find((r) => r.includes('武汉'));
  assert.ok(sheetLine, 'the answer is in the sheet');
  assert.equal(sheetLine[qa], 'yes');
  assert.equal(sheet.length - 1, items.length, 'one sheet row per recorded household');
  const print = await block.get(`/api/v1/sweeps/${sweepId}/households?state=pending&print=1`);
  assert.equal(print.status, 200);
  assert.match(print.headers.get('content-type'), /html/);

  // Progress and the sweep list export as tables too.
  const pcsv = parseCsv((await getBytes(committee, `/api/v1/sweeps/${sweepId}/progress?by=block&format=csv`)).body
    .toString('utf8').replace(/^\uFEFF/, ''));
  assert.ok(pcsv[0].includes('Block') && pcsv[0].includes('Remaining'), `progress header ${pcsv[0]}`);
  const scsv = (await getBytes(committee, '/api/v1/sweeps?format=csv')).body.toString('utf8');
  assert.ok(scsv.includes('返沪人员排摸'));
  // The block leader's export keeps the scope.
  const bcsv = parseCsv((await getBytes(block, `/api/v1/sweeps/${sweepId}/results?format=csv`)).body.toString('utf8'));
  assert.equal(bcsv.length - 1, 3, 'block 1 records only');
});

test('running block 1 to completion shows 100% for it; history keeps the earlier visit', async () => {
  const pending = await walkList(block, `/api/v1/sweeps/${sweepId}/households?state=remaining`);
  assert.ok(pending.length > 0);
  for (const h of pending) {
    const r = await put(block, `/api/v1/sweeps/${sweepId}/households/${h.household_id}`,
      { outcome: 'answered', answers: { returned: false } });
    assert.equal(r.status, 200, r.text);
  }
  const row = blockRow((await progress(committee)).items, block1);
  assert.equal(row.remaining, 0);
  assert.equal(row.not_home, 0);
  assert.equal(row.percent, 100);
  assert.equal(row.answered + row.refused, row.targets);
  const z = (await progress(committee, 'zone')).items[0];
  assert.ok(z.percent < 100, 'the zone as a whole is not done');
  assert.equal(listItems(await block.get(`/api/v1/sweeps/${sweepId}/households?state=remaining`)).length, 0);

  // The dashboard shows the sweep's progress in each viewer's own scope.
  const tile = async (client) => (await client.get('/api/v1/dashboard')).json.tiles.find((t) => t.key === `sweep_${sweepId}`);
  const blockTile = await tile(block);
  assert.equal(blockTile.value, 100, 'block 1 is done for its leader');
  assert.equal(blockTile.unit, '%');
  assert.ok(blockTile.label.includes('返沪人员排摸'));
  const zoneRow = (await progress(committee, 'zone')).items[0];
  assert.equal((await tile(committee)).value, Math.floor(((zoneRow.answered + zoneRow.refused) * 100) / zoneRow.targets));

  const hist = await block.get(`/api/v1/sweeps/${sweepId}/households/${block1Households[1]}`);
  assert.equal(hist.status, 200, hist.text);
  assert.equal(hist.json.household.outcome, 'answered');
  assert.deepEqual(hist.json.household.history.map((x) => [x.outcome, x.current]),
    [['answered', true], ['not_home', false]]);
});

test('closing stops recording with 409', async () => {
  assertError(await block.post(`/api/v1/sweeps/${sweepId}/close`, {}), 403, 'forbidden');
  const r = await committee.post(`/api/v1/sweeps/${sweepId}/close`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.sweep.state, 'closed');
  assertError(await put(block, `/api/v1/sweeps/${sweepId}/households/${block1Households[0]}`, { outcome: 'not_home' }),
    409, 'conflict');
  assertError(await committee.post(`/api/v1/sweeps/${sweepId}/close`, {}), 409, 'conflict');
  // Read routes still answer for a closed sweep.
  assert.equal((await block.get(`/api/v1/sweeps/${sweepId}/progress`)).status, 200);
  const audit = listItems(await committee.get('/api/v1/audit?action=sweep.record&limit=500'));
  assert.ok(audit.length >= block1Households.length, 'records are audited');
});

test('a sweep of a given list of households', async () => {
  const ids = [block1Households[0], otherBlockHousehold];
  const r = await committee.post('/api/v1/sweeps', { title: '重点人员回访', questions: [
    { key: 'temp', label_zh: '体温', label_en: 'Temperature', type: 'number' },
    { key: 'remark', label_zh: '情况说明', type: 'text' },
  ], target_kind: 'list', household_ids: [...ids, ids[0]] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.sweep.questions[1].label_en, '情况说明', 'label_en defaults to label_zh');
  const id = r.json.sweep.id;
  assert.deepEqual(r.json.sweep.target_filter.household_ids, [...ids].sort((x, y) => x - y), 'repeats dropped');
  const listed = listItems(await committee.get('/api/v1/sweeps?state=draft')).find((x) => x.id === id);
  assert.deepEqual(listed.target_filter, { household_count: 2 });
  const o = await committee.post(`/api/v1/sweeps/${id}/open`, {});
  assert.equal(o.status, 200, o.text);
  assert.equal(o.json.sweep.progress.targets, 2);
  const p = await block.get(`/api/v1/sweeps/${id}/progress`);
  assert.equal(p.json.total.targets, 1, 'the block leader counts their own household only');
  assertError(await put(block, `/api/v1/sweeps/${id}/households/${ids[0]}`, { outcome: 'answered', answers: { temp: 'hot' } }),
    400, 'validation_failed', 'temp');
  const ok = await put(block, `/api/v1/sweeps/${id}/households/${ids[0]}`,
    { outcome: 'answered', answers: { temp: 36.6, remark: '正常' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.answer.answers.temp, 36.6);
  // Concurrent records of one household: all succeed, exactly one stays current.
  const many = await Promise.all([1, 2, 3, 4, 5].map((n) => put(zone, `/api/v1/sweeps/${id}/households/${ids[1]}`,
    { outcome: 'answered', answers: { temp: 36 + n / 10 } })));
  for (const m of many) assert.equal(m.status, 200, m.text);
  const hist = (await committee.get(`/api/v1/sweeps/${id}/households/${ids[1]}`)).json.household.history;
  assert.equal(hist.length, 5);
  assert.equal(hist.filter((x) => x.current).length, 1);
  assert.equal((await committee.get(`/api/v1/sweeps/${id}/progress`)).json.total.answered, 2);
  const closed = listItems(await committee.get('/api/v1/sweeps?state=closed'));
  assert.deepEqual(closed.map((x) => x.id), [sweepId]);
});

test('a filter by block and household status targets exactly those households', async () => {
  const r = await committee.post('/api/v1/sweeps', { title: '在住户排摸', questions: [QUESTIONS[0]],
    target_kind: 'filter', target_filter: { block_id: block1, status: 'occupied' } });
  assert.equal(r.status, 201, r.text);
  const id = r.json.sweep.id;
  const o = await committee.post(`/api/v1/sweeps/${id}/open`, {});
  assert.equal(o.status, 200, o.text);
  const items = await walkList(committee, `/api/v1/sweeps/${id}/households`);
  assert.equal(items.length, o.json.sweep.progress.targets);
  assert.ok(items.length > 0 && items.length <= block1Households.length);
  assert.ok(items.every((h) => h.block_id === block1 && h.household_status === 'occupied'));
  // A filter that matches nothing cannot open.
  const none = await committee.post('/api/v1/sweeps', { title: '空', questions: [QUESTIONS[0]],
    target_kind: 'filter', target_filter: { block_id: block1, zone_id: zone1 + 1 } });
  assert.equal(none.status, 201, none.text);
  assertError(await committee.post(`/api/v1/sweeps/${none.json.sweep.id}/open`, {}), 409, 'conflict', 'target_filter');
  assert.equal((await committee.get(`/api/v1/sweeps/${none.json.sweep.id}`)).json.sweep.state, 'draft');
});
