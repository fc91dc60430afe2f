// Sweeps that lead to the next step: a draft shows its target and household count and
// can be changed or deleted; a target can be every household with a resident flagged
// 独居老人; templates; multiple-choice answers; a tally per answer with the households
// behind each count (per block, printable, exportable); a closed sweep's households not
// reached become a follow-up sweep; the recording view names who lives there. Scope
// holds throughout: a block leader counts and lists their blocks only, a volunteer or
// resident nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { readXlsx } from '../lib/xlsx.mjs';
import { assertError, loggedIn, listItems, walkList, getBytes, parseCsv } from '../lib/api-helpers.mjs';

let srv;
let committee, committeeZh, zone, block, blockZh, volunteer, resident;
let zone1, block1;
let medicine;                // the medicine sweep of zone 1 (from the template)
let b1;                      // its households in block 1, id order
let other;                   // one of its households outside block 1

function scopeOf(client, role) {
  const r = client.me.user.roles.find((x) => x.role === role);
  assert.ok(r, `${role} role of ${client.me.user.username}`);
  return r.scope_id;
}

const put = (client, path, body) => client.req('PUT', path, body);
const del = (client, path) => client.req('DELETE', path);

async function audited(action, targetId) {
  const items = listItems(await committee.get(`/api/v1/audit?action=${action}&limit=500`), `audit ${action}`);
  assert.ok(items.some((e) => e.target_type === 'sweep' && e.target_id === targetId),
    `audit ${action} for sweep ${targetId}: ${JSON.stringify(items.slice(-3))}`);
}

function csvRows(res) {
  assert.equal(res.status, 200, String(res.body).slice(0, 300));
  return parseCsv(res.body.toString('utf8').replace(/^\uFEFF/, ''));
}

before(async () => {
  srv = await startServer();
  committee = await loggedIn(srv.url, 'committee');
  committeeZh = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  zone = await loggedIn(srv.url, 'zone');
  block = await loggedIn(srv.url, 'block');
  blockZh = await loggedIn(srv.url, 'block', undefined, 'zh-CN');
  volunteer = await loggedIn(srv.url, 'volunteer');
  resident = await loggedIn(srv.url, 'resident');
  zone1 = scopeOf(zone, 'zone_leader');
  block1 = scopeOf(block, 'block_leader');
});

after(async () => {
  if (srv) await srv.stop();
});

test('templates for returnees, medicine needs and vaccination, for the committee only', async () => {
  const zh = await committeeZh.get('/api/v1/sweeps/templates');
  assert.equal(zh.status, 200, zh.text);
  assert.deepEqual(zh.json.items.map((t) => t.key), ['returnees', 'medicine', 'vaccination']);
  const med = zh.json.items.find((t) => t.key === 'medicine');
  assert.equal(med.title, '配药需求排摸');
  const kinds = med.questions.find((q) => q.type === 'multi');
  assert.ok(kinds.choices.includes('降压药'), JSON.stringify(kinds));
  for (const t of zh.json.items) {
    for (const q of t.questions) assert.ok(q.label_zh && q.label_en, `labels in both languages: ${JSON.stringify(q)}`);
  }
  const en = await committee.get('/api/v1/sweeps/templates');
  assert.equal(en.json.items[1].title, 'Medicine needs');
  assert.ok(en.json.items[1].questions.find((q) => q.type === 'multi').choices.includes('Blood pressure'));
  for (const c of [zone, block, volunteer, resident]) assertError(await c.get('/api/v1/sweeps/templates'), 403, 'forbidden');
  // Every template is a sweep the server takes as it is, in either language.
  for (const [client, list] of [[committeeZh, zh.json.items], [committee, en.json.items]]) {
    for (const tpl of list) {
      const r = await client.post('/api/v1/sweeps', { title: tpl.title, description: tpl.description, questions: tpl.questions });
      assert.equal(r.status, 201, `${tpl.key}: ${r.text}`);
      assert.deepEqual(r.json.sweep.questions.map((q) => q.key), tpl.questions.map((q) => q.key));
      assert.equal((await client.req('DELETE', `/api/v1/sweeps/${r.json.sweep.id}`)).status, 200);
    }
  }
});

test('a draft targets every 独居老人 household, shows its count, and is changed or deleted by the committee only', async () => {
  const flagged = await walkList(committee, '/api/v1/residents?flag=alone_elderly');
  const households = new Set(flagged.map((r) => r.household_id));
  assert.ok(households.size > 0, 'the demo has residents flagged alone_elderly');

  const r = await committeeZh.post('/api/v1/sweeps', {
    title: '独居老人探访',
    // No keys: the server names the questions; people see the labels only.
    questions: [
      { label_zh: '身体状况', label_en: 'Health', type: 'choice', choices: ['良好', '一般', '需要就医'] },
      { label_zh: '需要哪些帮助', label_en: 'Help needed', type: 'multi', choices: ['买菜', '配药', '陪同就医'] },
    ],
    target_kind: 'filter', target_filter: { flag: 'alone_elderly' },
  });
  assert.equal(r.status, 201, r.text);
  const s = r.json.sweep;
  assert.deepEqual(s.questions.map((q) => q.key), ['q1', 'q2']);
  assert.deepEqual(s.target_filter, { flag: 'alone_elderly' });
  assert.equal(s.target_count, households.size, 'the count is the flagged households');
  assert.match(s.target_label, /^有.+的住户$/);
  const en = await committee.get(`/api/v1/sweeps/${s.id}`);
  assert.match(en.json.sweep.target_label, /^Households with a resident flagged /);
  await audited('sweep.create', s.id);

  // Leaders neither see nor change a draft; volunteers and residents are refused.
  assertError(await block.get(`/api/v1/sweeps/${s.id}`), 404, 'not_found');
  for (const c of [zone, block, volunteer, resident]) {
    assertError(await put(c, `/api/v1/sweeps/${s.id}`, { title: 'x', questions: s.questions }), 403, 'forbidden');
    assertError(await del(c, `/api/v1/sweeps/${s.id}`), 403, 'forbidden');
  }

  // Bad input names the field and changes nothing.
  assertError(await put(committee, `/api/v1/sweeps/${s.id}`, { title: '独居老人探访', questions: s.questions,
    target_kind: 'filter', target_filter: { flag: 'rich' } }), 400, 'validation_failed', 'target_filter.flag');
  assertError(await put(committee, `/api/v1/sweeps/${s.id}`, { title: '', questions: s.questions }),
    400, 'validation_failed', 'title');
  assertError(await put(committee, '/api/v1/sweeps/99999999', { title: 'x', questions: s.questions }), 404, 'not_found');
  assert.equal((await committee.get(`/api/v1/sweeps/${s.id}`)).json.sweep.title, '独居老人探访');

  // The flag within one block: the count follows the change.
  const flagBlock = flagged[0].block_id;
  const inBlock = new Set(flagged.filter((x) => x.block_id === flagBlock).map((x) => x.household_id));
  const u = await put(committee, `/api/v1/sweeps/${s.id}`, { title: '1号楼独居老人探访', questions: s.questions,
    target_kind: 'filter', target_filter: { flag: 'alone_elderly', block_id: flagBlock } });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.sweep.title, '1号楼独居老人探访');
  assert.equal(u.json.sweep.target_count, inBlock.size);
  assert.deepEqual(u.json.sweep.questions.map((q) => q.key), ['q1', 'q2'], 'keys kept on edit');
  await audited('sweep.update', s.id);

  {
    // Opened, it targets exactly those households and is no longer a draft to change.
    const o = await committee.post(`/api/v1/sweeps/${s.id}/open`, {});
    assert.equal(o.status, 200, o.text);
    const items = await walkList(committee, `/api/v1/sweeps/${s.id}/households`);
    assert.deepEqual(items.map((h) => h.household_id).sort((a, b) => a - b), [...inBlock].sort((a, b) => a - b));
    assertError(await put(committee, `/api/v1/sweeps/${s.id}`, { title: 'x', questions: s.questions }),
      409, 'conflict', 'state');
    assertError(await del(committee, `/api/v1/sweeps/${s.id}`), 409, 'conflict', 'state');
    assert.equal((await committee.get(`/api/v1/sweeps/${s.id}`)).json.sweep.state, 'open');
  }

  // A draft is deleted, audited, and gone.
  const d = await committee.post('/api/v1/sweeps', { title: '作废', questions: [{ label_zh: '是否在家', type: 'yes_no' }] });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.json.sweep.target_count, (await walkList(committee, '/api/v1/households')).length, 'all households');
  const gone = await del(committee, `/api/v1/sweeps/${d.json.sweep.id}`);
  assert.equal(gone.status, 200, gone.text);
  assert.equal(gone.json.deleted, true);
  assertError(await committee.get(`/api/v1/sweeps/${d.json.sweep.id}`), 404, 'not_found');
  assertError(await del(committee, `/api/v1/sweeps/${d.json.sweep.id}`), 404, 'not_found');
  await audited('sweep.delete', d.json.sweep.id);
});

test('multiple-choice answers are checked and kept in the order of the list', async () => {
  const tpl = (await committeeZh.get('/api/v1/sweeps/templates')).json.items.find((t) => t.key === 'medicine');
  const r = await committeeZh.post('/api/v1/sweeps', { title: tpl.title, description: tpl.description,
    questions: tpl.questions, target_kind: 'filter', target_filter: { zone_id: zone1 } });
  assert.equal(r.status, 201, r.text);
  const o = await committee.post(`/api/v1/sweeps/${r.json.sweep.id}/open`, {});
  assert.equal(o.status, 200, o.text);
  medicine = o.json.sweep;
  const all = await walkList(committee, `/api/v1/sweeps/${medicine.id}/households`);
  b1 = all.filter((h) => h.block_id === block1).map((h) => h.household_id);
  assert.ok(b1.length >= 4, 'block 1 has four households');
  other = all.find((h) => h.block_id !== block1).household_id;

  const path = (h) => `/api/v1/sweeps/${medicine.id}/households/${h}`;
  assertError(await put(block, path(b1[0]), { outcome: 'answered', answers: { needs_medicine: true, medicine_kinds: '降压药' } }),
    400, 'validation_failed', 'medicine_kinds');
  assertError(await put(block, path(b1[0]), { outcome: 'answered', answers: { needs_medicine: true, medicine_kinds: ['维生素'] } }),
    400, 'validation_failed', 'medicine_kinds');
  assertError(await put(block, path(b1[0]), { outcome: 'answered', answers: { medicine_kinds: [] } }),
    400, 'validation_failed', 'needs_medicine');
  const a = await put(block, path(b1[0]), { outcome: 'answered',
    answers: { needs_medicine: true, medicine_kinds: ['降糖药', '降压药', '降糖药'] } });
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(a.json.answer.answers.medicine_kinds, ['降压药', '降糖药']);
  assert.equal((await put(block, path(b1[1]), { outcome: 'answered',
    answers: { needs_medicine: true, medicine_kinds: ['降压药'], runs_out_soon: true } })).status, 200);
  assert.equal((await put(block, path(b1[2]), { outcome: 'not_home' })).status, 200);
  assert.equal((await put(zone, path(other), { outcome: 'answered', answers: { needs_medicine: false } })).status, 200);
  assertError(await put(block, path(other), { outcome: 'not_home' }), 404, 'not_found');
});

test('the recording view names who lives there with their flags, who recorded last and when', async () => {
  const r = await block.get(`/api/v1/sweeps/${medicine.id}/households/${b1[0]}`);
  assert.equal(r.status, 200, r.text);
  const h = r.json.household;
  assert.ok(Array.isArray(h.residents) && h.residents.length > 0, 'residents listed');
  for (const p of h.residents) {
    assert.equal(typeof p.name, 'string');
    assert.ok(Array.isArray(p.flags) && typeof p.flags_text === 'string');
    assert.equal(p.id_masked, undefined, 'no identity document on the doorstep view');
  }
  const people = listItems(await committee.get(`/api/v1/residents?household_id=${b1[0]}`));
  assert.deepEqual(h.residents.map((p) => p.id).sort(), people.map((p) => p.id).sort());
  assert.equal(h.recorded_by, block.me.user.display_name);
  assert.match(h.recorded_at, /Z$/, 'the JSON keeps the instant');
  assert.match(h.recorded_at_local, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'and the community clock for people');
  assertError(await block.get(`/api/v1/sweeps/${medicine.id}/households/${other}`), 404, 'not_found');
});

test('the tally counts households per answer over the caller\'s scope, per block, with the households behind each count', async () => {
  const t = await committeeZh.get(`/api/v1/sweeps/${medicine.id}/tally`);
  const rows = listItems(t, 'tally');
  assert.equal(t.json.answered, 3);
  const row = (items, key, answer) => items.find((x) => x.question_key === key && x.answer === answer);
  assert.equal(row(rows, 'medicine_kinds', '降压药').households, 2);
  assert.equal(row(rows, 'medicine_kinds', '降糖药').households, 1);
  assert.equal(row(rows, 'medicine_kinds', '抗肿瘤药').households, 0, 'an answer nobody gave shows 0');
  assert.equal(row(rows, 'needs_medicine', 'true').households, 2);
  assert.equal(row(rows, 'needs_medicine', 'false').households, 1);
  assert.equal(row(rows, 'needs_medicine', 'true').answer_label, '是');
  assert.equal(row(rows, 'medicine_kinds', '降压药').question, '需要哪类药');
  assert.ok(!rows.some((x) => x.question_key === 'medicine_detail'), 'text questions are not counted');

  // The block leader counts block 1 only; the zone leader the zone.
  const bt = await block.get(`/api/v1/sweeps/${medicine.id}/tally`);
  assert.equal(bt.json.answered, 2);
  assert.equal(row(listItems(bt), 'needs_medicine', 'false').households, 0);
  assert.equal((await zone.get(`/api/v1/sweeps/${medicine.id}/tally`)).json.answered, 3);

  // Per block.
  const pb = listItems(await committee.get(`/api/v1/sweeps/${medicine.id}/tally?by=block`));
  const mine = pb.filter((x) => x.block_id === block1);
  assert.equal(row(mine, 'medicine_kinds', '降压药').households, 2);
  assert.equal(row(mine, 'medicine_kinds', '降压药').answered, 2);
  assert.ok(pb.some((x) => x.block_id !== block1), 'other blocks of the zone are rows too');
  const oneBlock = listItems(await committee.get(`/api/v1/sweeps/${medicine.id}/tally?block_id=${block1}`));
  assert.equal(row(oneBlock, 'needs_medicine', 'false').households, 0);
  const blockRows = listItems(await block.get(`/api/v1/sweeps/${medicine.id}/tally?by=block`));
  assert.ok(blockRows.every((x) => x.block_id === block1), 'a block leader\'s rows are their block');

  // Tapping a count: the households behind it.
  const behind = listItems(await committee.get(
    `/api/v1/sweeps/${medicine.id}/households?question=medicine_kinds&answer=${encodeURIComponent('降压药')}`));
  assert.deepEqual(behind.map((h) => h.household_id), [b1[0], b1[1]]);
  const no = listItems(await committee.get(`/api/v1/sweeps/${medicine.id}/households?question=needs_medicine&answer=false`));
  assert.deepEqual(no.map((h) => h.household_id), [other]);
  assert.deepEqual(listItems(await block.get(
    `/api/v1/sweeps/${medicine.id}/households?question=needs_medicine&answer=false`)), [], 'scope holds');
  const paged = await committee.get(`/api/v1/sweeps/${medicine.id}/households?question=needs_medicine&answer=true&limit=1`);
  assert.equal(listItems(paged).length, 1);
  assert.ok(paged.json.next_cursor, 'a page of matches leads on');

  assertError(await committee.get(`/api/v1/sweeps/${medicine.id}/households?question=nope&answer=x`),
    400, 'validation_failed', 'question');
  assertError(await committee.get(`/api/v1/sweeps/${medicine.id}/households?question=medicine_detail&answer=x`),
    400, 'validation_failed', 'question');
  assertError(await committee.get(`/api/v1/sweeps/${medicine.id}/households?question=medicine_kinds`),
    400, 'validation_failed', 'answer');
  assertError(await committee.get(`/api/v1/sweeps/${medicine.id}/households?question=medicine_kinds&answer=x`),
    400, 'validation_failed', 'answer');
  assertError(await committee.get(`/api/v1/sweeps/${medicine.id}/tally?by=zone`), 400, 'validation_failed', 'by');
  assertError(await committee.get(`/api/v1/sweeps/${medicine.id}/tally?block_id=x`), 400, 'validation_failed', 'block_id');
  assertError(await committee.get('/api/v1/sweeps/99999999/tally'), 404, 'not_found');
  for (const c of [volunteer, resident]) assertError(await c.get(`/api/v1/sweeps/${medicine.id}/tally`), 403, 'forbidden');
});

test('the tally prints and exports like every list; results join several choices in one cell', async () => {
  const csv = csvRows(await getBytes(committeeZh, `/api/v1/sweeps/${medicine.id}/tally?by=block&format=csv`));
  assert.deepEqual(csv[0], ['楼组', '问题', '回答', '户数', '已回答户数']);
  assert.ok(csv.some((r) => r[2] === '降压药' && r[3] === '2'), 'the count of 降压药 in block 1');
  const xlsx = await getBytes(committee, `/api/v1/sweeps/${medicine.id}/tally?format=xlsx`);
  assert.equal(xlsx.status, 200);
  const sheet = readXlsx(xlsx.body).filter((r) => r.some((c) => c !== ''));
  assert.deepEqual(sheet[0], ['Question', 'Answer', 'Households', 'Households answered']);
  const print = await blockZh.get(`/api/v1/sweeps/${medicine.id}/tally?print=1&block_id=${block1}`);
  assert.equal(print.status, 200);
  assert.match(print.headers.get('content-type'), /html/);
  assert.ok(print.text.includes('配药需求排摸'), 'the sheet names the sweep');
  assert.ok(print.text.includes('降压药'));
  // Every sheet of a sweep names it, and the block when it is of one.
  const doorSheet = await blockZh.get(`/api/v1/sweeps/${medicine.id}/households?state=remaining&block_id=${block1}&print=1`);
  assert.equal(doorSheet.status, 200);
  const blockName = listItems(await block.get(`/api/v1/sweeps/${medicine.id}/progress`)).find((x) => x.block_id === block1).block_name;
  assert.ok(doorSheet.text.includes(`排摸住户清单 · 配药需求排摸 · ${blockName}`), 'the sheet names the sweep and block');
  const results = await committee.get(`/api/v1/sweeps/${medicine.id}/results?print=1`);
  assert.ok(results.text.includes('Sweep results · 配药需求排摸'));

  const res = csvRows(await getBytes(committeeZh, `/api/v1/sweeps/${medicine.id}/results?format=csv`));
  assert.ok(res.some((r) => r.includes('降压药、降糖药')), 'several choices in one cell');
  const times = res[0].indexOf('登记时间');
  assert.ok(times >= 0, `recorded column in ${res[0]}`);
  for (const r of res.slice(1)) assert.match(r[times], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'local time, not UTC');
  for (const c of [volunteer, resident]) {
    assertError(await c.get(`/api/v1/sweeps/${medicine.id}/tally?format=csv`), 403, 'forbidden');
  }
});

test('a closed sweep\'s households not reached become a follow-up sweep in one step', async () => {
  const path = `/api/v1/sweeps/${medicine.id}/followup`;
  assertError(await committee.post(path, {}), 409, 'conflict', 'state');     // still open
  assert.equal((await committee.post(`/api/v1/sweeps/${medicine.id}/close`, {})).status, 200);
  for (const c of [zone, block, volunteer, resident]) assertError(await c.post(path, {}), 403, 'forbidden');
  assertError(await committee.post('/api/v1/sweeps/99999999/followup', {}), 404, 'not_found');

  const remaining = (await walkList(committee, `/api/v1/sweeps/${medicine.id}/households?state=remaining`))
    .map((h) => h.household_id);
  const r = await committeeZh.post(path, {});
  assert.equal(r.status, 201, r.text);
  const f = r.json.sweep;
  assert.equal(f.title, '补访：配药需求排摸');
  assert.equal(f.state, 'draft');
  assert.equal(f.followup_of, medicine.id);
  assert.equal(f.followup_of_title, '配药需求排摸');
  assert.equal(f.target_kind, 'list');
  assert.deepEqual(f.target_filter.household_ids, remaining, 'exactly the households not reached');
  assert.equal(f.target_count, remaining.length);
  assert.ok(remaining.includes(b1[2]) && remaining.includes(b1[3]), 'not at home and never visited');
  assert.ok(!remaining.includes(b1[0]) && !remaining.includes(other), 'answered households stay out');
  assert.deepEqual(f.questions, medicine.questions, 'the same questions');
  assert.equal(f.target_label, '上次未排摸到的住户');
  await audited('sweep.followup', f.id);
  const first = (await committee.get(`/api/v1/sweeps/${medicine.id}`)).json.sweep;
  assert.deepEqual(first.followups.map((x) => x.id), [f.id], 'the first sweep leads to its follow-up');
  assertError(await committee.post(path, {}), 409, 'conflict', 'followup_of');

  // Leaders see it once open, their own households of it only.
  assertError(await block.get(`/api/v1/sweeps/${f.id}`), 404, 'not_found');
  assert.deepEqual((await block.get(`/api/v1/sweeps/${medicine.id}`)).json.sweep.followups, [], 'no draft for a leader');
  assert.equal((await committee.post(`/api/v1/sweeps/${f.id}/open`, {})).status, 200);
  const seen = (await block.get(`/api/v1/sweeps/${f.id}`)).json.sweep;
  assert.equal(seen.followup_of, medicine.id);
  const mine = (await walkList(block, `/api/v1/sweeps/${f.id}/households`)).map((h) => h.household_id);
  assert.deepEqual(mine, remaining.filter((id) => b1.includes(id)));
  assert.equal(seen.target_count, mine.length, 'an open sweep counts the leader\'s own households');
  assert.equal((await committee.get(`/api/v1/sweeps/${f.id}`)).json.sweep.target_count, remaining.length);
  assert.deepEqual((await block.get(`/api/v1/sweeps/${medicine.id}`)).json.sweep.followups.map((x) => x.id), [f.id]);
  for (const c of [volunteer, resident]) assertError(await c.get(`/api/v1/sweeps/${f.id}`), 403, 'forbidden');
});

test('a sweep that reached everyone has nothing to follow up', async () => {
  const r = await committee.post('/api/v1/sweeps', { title: 'one', questions: [{ label_zh: '在家', type: 'yes_no' }],
    target_kind: 'list', household_ids: [b1[0]] });
  const id = r.json.sweep.id;
  assert.equal((await committee.post(`/api/v1/sweeps/${id}/open`, {})).status, 200);
  assert.equal((await put(block, `/api/v1/sweeps/${id}/households/${b1[0]}`, { outcome: 'refused' })).status, 200);
  assert.equal((await committee.post(`/api/v1/sweeps/${id}/close`, {})).status, 200);
  assertError(await committee.post(`/api/v1/sweeps/${id}/followup`, {}), 409, 'conflict', 'state');
  assert.deepEqual((await committee.get(`/api/v1/sweeps/${id}`)).json.sweep.followups, []);
});
