// Registry import: CSV (GBK and UTF-8) and XLSX files of households and residents,
// dry run and real run, all-or-nothing on errors, idempotent re-import, roles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, waitJob, jobOf, getBytes } from '../lib/api-helpers.mjs';

const FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let srv;
let committee;

before(async () => {
  srv = await startServer();
  committee = await loggedIn(srv.url, 'committee');
});

after(async () => {
  if (srv) await srv.stop();
});

// A valid GB 11643 number (region 110105 is not drawn by the demo).
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function cnId(y, m, d, seq, region = '110105') {
  const body = `${region}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
  const sum = [...body].reduce((a, c, i) => a + Number(c) * WEIGHTS[i], 0);
  return body + '10X98765432'[sum % 11];
}
function badCheckDigit(id) {
  const last = id[17] === '0' ? '1' : '0';
  return id.slice(0, 17) + last;
}

function gb18030(text) {
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(text, 'utf8') });
}

// POSTs a file body with the client's session, CSRF token and language.
async function upload(client, query, body, type = 'text/csv') {
  const headers = { 'Accept-Language': client.lang, Cookie: client.cookie, 'X-CSRF-Token': client.csrf };
  if (type) headers['Content-Type'] = type;
  const res = await fetch(`${client.url}/api/v1/registry/import${query}`, { method: 'POST', headers, body });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

async function counts(client) {
  const r = await client.get('/api/v1/dashboard');
  assert.equal(r.status, 200, r.text);
  const tile = (k) => r.json.tiles.find((t) => t.key === k)?.value;
  return { households: tile('households'), residents: tile('residents') };
}

const HEADER = '楼组,房号,户状态,姓名,性别,出生年份,手机,身份证号,与户主关系,党员,流动人口';
const ID1 = cnId(1956, 3, 12, 123);
const ID2 = cnId(1958, 7, 1, 246);
const ID3 = cnId(1985, 11, 30, 311);
const ID4 = cnId(2012, 2, 29, 402);

// Line 2..: the relation cell of line 3 holds a newline, so the records after it
// start one physical line later (line 5, 6, 7).
function residentsCsv({ bad }) {
  return [
    HEADER,
    `1号楼1单元,T101,自住,沈建国,男,1956,13800138001,${bad ? badCheckDigit(ID1) : ID1},户主,是,否`,
    `1号楼1单元,T101,,顾秀英,女,1958,,${ID2},"配偶\n（妻）",否,`,
    `1号楼2单元,T202,出租,"陆""小""明",男,1985-11-30,${bad ? '1390013900' : '13900139002'},${ID3},,否,是`,
    `1号楼2单元,T202,,陆梓涵,${bad ? 'X' : '女'},${bad ? '1850' : '2012'},,${ID4},子女,,`,
    '1号楼1单元,101,,许晓东,男,1990,13700137003,,租客,,是',
  ].join('\r\n') + '\r\n';
}

test('a dry run of a GBK CSV lists the bad rows with line and column', async () => {
  const before = await counts(committee);
  const r = await upload(committee, '?dry_run=1', gb18030(residentsCsv({ bad: true })), 'text/csv');
  assert.equal(r.status, 200, r.text);
  const d = r.json;
  assert.equal(d.dry_run, true);
  assert.equal(d.encoding, 'gb18030');
  assert.equal(d.mapping.block, '楼组');
  assert.equal(d.mapping.room, '房号');
  assert.equal(d.mapping.id_number, '身份证号');
  assert.equal(d.mapping.party_member, '党员');
  assert.equal(d.mapping.relation, '与户主关系');
  assert.deepEqual(d.unmapped_headers, []);
  assert.equal(d.summary.rows, 5);
  assert.equal(d.summary.errors, 3, JSON.stringify(d.summary));
  const byLine = Object.fromEntries(d.rows.map((x) => [x.line, x]));
  assert.deepEqual(Object.keys(byLine).map(Number).sort((a, b) => a - b), [2, 3, 5, 6, 7]);
  assert.equal(byLine[2].action, 'error');
  assert.deepEqual(byLine[2].errors.map((e) => [e.column, e.field]), [['身份证号', 'id_number']]);
  assert.match(byLine[2].errors[0].message, /check digit/);
  assert.equal(byLine[5].action, 'error');
  assert.deepEqual(byLine[5].errors.map((e) => [e.column, e.field]), [['手机', 'phone']]);
  assert.match(byLine[5].errors[0].message, /11 digits/);
  assert.equal(byLine[6].action, 'error');
  assert.deepEqual(byLine[6].errors.map((e) => e.column).sort(), ['出生年份', '性别'].sort());
  assert.equal(byLine[3].action, 'create');
  assert.equal(byLine[7].action, 'create');
  for (const row of d.rows) assert.equal(row.kind, 'resident');
  assert.deepEqual(await counts(committee), before, 'a dry run writes nothing');
});

test('error messages follow the language of the request', async () => {
  const zh = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  const r = await upload(zh, '?dry_run=1', gb18030(residentsCsv({ bad: true })));
  assert.equal(r.status, 200, r.text);
  const row = r.json.rows.find((x) => x.line === 5);
  assert.match(row.errors[0].message, /手机号/);
});

test('a real run with bad rows answers 422 with the report and writes nothing', async () => {
  const before = await counts(committee);
  const r = await upload(committee, '', gb18030(residentsCsv({ bad: true })));
  assertError(r, 422, 'validation_failed');
  assert.equal(r.json.dry_run, false);
  assert.equal(r.json.summary.errors, 3);
  assert.ok(r.json.rows.some((x) => x.line === 2 && x.errors[0].field === 'id_number'));
  assert.deepEqual(await counts(committee), before);
});

test('the fixed file imports; importing it again changes nothing', async () => {
  const before = await counts(committee);
  const file = gb18030(residentsCsv({ bad: false }));
  const dry = await upload(committee, '?dry_run=1', file);
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.json.summary.errors, 0, dry.text.slice(0, 500));

  const r = await upload(committee, '', file);
  assert.equal(r.status, 200, r.text);
  const s = r.json.summary;
  assert.equal(r.json.dry_run, false);
  assert.deepEqual([s.rows, s.households_new, s.residents_new, s.errors], [5, 2, 5, 0], JSON.stringify(s));
  assert.ok(r.json.rows.every((x) => x.action === 'create'));
  const mid = await counts(committee);
  assert.equal(mid.households, before.households + 2);
  assert.equal(mid.residents, before.residents + 5);

  const again = await upload(committee, '', file);
  assert.equal(again.status, 200, again.text);
  const s2 = again.json.summary;
  assert.deepEqual([s2.households_new, s2.households_changed, s2.residents_new, s2.residents_changed, s2.unchanged],
    [0, 0, 0, 0, 5], JSON.stringify(s2));
  assert.ok(again.json.rows.every((x) => x.action === 'unchanged'));
  assert.deepEqual(await counts(committee), mid);

  // The same rows as UTF-8 with BOM and LF line ends are the same rows.
  const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(residentsCsv({ bad: false }).replace(/\r\n/g, '\n'))]);
  const u = await upload(committee, '?dry_run=1', utf8, 'text/csv; charset=utf-8');
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.encoding, 'utf-8');
  assert.equal(u.json.summary.unchanged, 5, JSON.stringify(u.json.summary));
});

test('a changed phone and household status are updates, matched by ID', async () => {
  const csv = residentsCsv({ bad: false }).replace('13800138001', '13800138999').replace('T202,出租', 'T202,空置');
  const r = await upload(committee, '', gb18030(csv));
  assert.equal(r.status, 200, r.text);
  const s = r.json.summary;
  assert.deepEqual([s.residents_changed, s.households_changed, s.residents_new], [1, 1, 0], JSON.stringify(s));
  const actions = Object.fromEntries(r.json.rows.map((x) => [x.line, x.action]));
  assert.equal(actions[2], 'update');
  assert.equal(actions[5], 'update');
  assert.equal(actions[3], 'unchanged');
});

test('each import writes one audit entry with counts only', async () => {
  const r = await committee.get('/api/v1/audit?limit=500');
  assert.equal(r.status, 200, r.text);
  const entries = r.json.items.filter((x) => x.action === 'registry.import');
  const real = entries.filter((e) => e.detail.dry_run === false);
  assert.equal(real.length, 3, 'the two imports and the update; refusals leave none');
  assert.equal(entries.length - real.length, 4, 'the four dry runs so far');
  const text = JSON.stringify(entries);
  for (const secret of ['沈建国', ID1, '13800138', 'T101']) assert.ok(!text.includes(secret), `no ${secret} in the audit log`);
  assert.ok(real.some((e) => e.detail.residents_new === 5 && e.target_type === 'community'), text);
});

test('an XLSX file imports from the raw body and as multipart', async () => {
  const xlsx = readFileSync(`${FIXTURES}residents.xlsx`);
  const before = await counts(committee);
  const r = await upload(committee, '', xlsx, XLSX_TYPE);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.format, 'xlsx');
  assert.equal(r.json.mapping.zone, '片区');
  assert.equal(r.json.mapping.owner, '业主/租户');
  assert.deepEqual([r.json.summary.households_new, r.json.summary.residents_new], [2, 3], JSON.stringify(r.json.summary));
  assert.deepEqual(r.json.rows.map((x) => x.line), [2, 3, 5]);
  const after1 = await counts(committee);
  assert.equal(after1.residents, before.residents + 3);

  const form = new FormData();
  form.append('file', new Blob([xlsx], { type: XLSX_TYPE }), 'residents.xlsx');
  const m = await upload(committee, '', form, null);
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.summary.unchanged, 3, JSON.stringify(m.json.summary));
  assert.deepEqual(await counts(committee), after1);
});

test('headers the vocabulary does not know are mapped by the confirmed mapping', async () => {
  const csv = 'Building,Flat,Full name,Mobile\n2号楼1单元,M301,测试人,13600136000\n';
  const r = await upload(committee, '?dry_run=1', csv);
  assertError(r, 400, 'validation_failed', 'mapping');
  assert.deepEqual(r.json.missing, ['room', 'name']);
  assert.deepEqual(r.json.unmapped_headers, ['Flat', 'Full name']);

  const mapping = encodeURIComponent(JSON.stringify({ room: 'Flat', name: 'Full name' }));
  const ok = await upload(committee, `?dry_run=1&mapping=${mapping}`, csv);
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json.mapping, { block: 'Building', room: 'Flat', name: 'Full name', phone: 'Mobile' });
  assert.equal(ok.json.summary.residents_new, 1);

  const form = new FormData();
  form.append('mapping', JSON.stringify({ room: 'Flat', name: 'Full name' }));
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'people.csv');
  const mp = await upload(committee, '?dry_run=1', form, null);
  assert.equal(mp.status, 200, mp.text);
  assert.equal(mp.json.summary.residents_new, 1);

  const without = encodeURIComponent(JSON.stringify({ room: 'Flat', name: 'Full name', phone: null }));
  const np = await upload(committee, `?dry_run=1&mapping=${without}`, csv);
  assert.equal(np.status, 200, np.text);
  assert.ok(!('phone' in np.json.mapping), 'null leaves a field unmapped');
  assert.deepEqual(np.json.unmapped_headers, ['Mobile']);

  const bad = await upload(committee, `?dry_run=1&mapping=${encodeURIComponent('{"room":"Nope"}')}`, csv);
  assertError(bad, 400, 'validation_failed', 'mapping');
  assertError(await upload(committee, `?dry_run=1&mapping=${encodeURIComponent('{"shoe_size":"Flat"}')}`, csv),
    400, 'validation_failed', 'mapping');
  assertError(await upload(committee, `?dry_run=1&mapping=${encodeURIComponent('[1,2]')}`, csv),
    400, 'validation_failed', 'mapping');
});

test('files that are not tables are refused', async () => {
  assertError(await upload(committee, '?dry_run=1', '{}', 'application/json'), 415, 'unsupported_media_type');
  assertError(await upload(committee, '?dry_run=1', '', 'text/csv'), 400, 'validation_failed', 'file');
  assertError(await upload(committee, '?dry_run=1', Buffer.from('PK\x03\x04garbage-not-a-zip'), XLSX_TYPE),
    400, 'validation_failed', 'file');
  assertError(await upload(committee, '?dry_run=1', Buffer.from('d0cf11e0a1b11ae1000000000000', 'hex'),
    'application/vnd.ms-excel'), 400, 'validation_failed', 'file');
  // Windows browsers label .csv files application/vnd.ms-excel: still CSV.
  const winCsv = await upload(committee, '?dry_run=1', gb18030(residentsCsv({ bad: false })), 'application/vnd.ms-excel');
  assert.equal(winCsv.status, 200, winCsv.text);
  assert.equal(winCsv.json.format, 'csv');
  const unclosed = await upload(committee, '?dry_run=1', `${HEADER}\n1号楼1单元,T1,,"open quote\n`);
  assertError(unclosed, 400, 'validation_failed', 'file');
  assert.equal(unclosed.json.error.line, 2);
});

test('only the committee may import', async () => {
  const csv = gb18030(residentsCsv({ bad: false }));
  for (const u of ['block', 'zone', 'volunteer', 'resident']) {
    const c = await loggedIn(srv.url, u);
    assertError(await upload(c, '?dry_run=1', csv), 403, 'forbidden');
    assertError(await upload(c, '', csv), 403, 'forbidden');
  }
});

test('?async=1 imports in a background job with progress and the report as result', async () => {
  const rows = [HEADER];
  for (let i = 0; i < 3; i++) rows.push(`6号楼1单元,Q${i},自住,钱${i},男,1970,,${cnId(1970, 1, 1 + i, 555)},,,`);
  const good = gb18030(rows.join('\n'));
  const bad = gb18030(rows.join('\n').replace(cnId(1970, 1, 2, 555), badCheckDigit(cnId(1970, 1, 2, 555))));
  const before = await counts(committee);

  const refused = await upload(committee, '?async=1', bad);
  assert.equal(refused.status, 202, refused.text);
  assert.equal(jobOf(refused).kind, 'import');
  const { job: j1 } = await waitJob(committee, jobOf(refused).id);
  assert.equal(j1.state, 'done', JSON.stringify(j1));
  assert.ok(j1.error, 'a file with errors names the reason');
  const rep1 = JSON.parse((await getBytes(committee, j1.result.url)).body.toString('utf8'));
  assert.equal(rep1.summary.errors, 1);
  assert.equal(rep1.rows.find((x) => x.action === 'error').line, 3);
  assert.deepEqual(await counts(committee), before, 'nothing written');

  const started = await upload(committee, '?async=1', good);
  assert.equal(started.status, 202, started.text);
  const { job, seen } = await waitJob(committee, jobOf(started).id);
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.equal(job.error, null);
  assert.deepEqual([job.done, job.total], [3, 3]);
  for (const s of seen) assert.ok(['queued', 'running', 'done'].includes(s.state));
  const res = await getBytes(committee, job.result.url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') || '', /json/);
  const rep = JSON.parse(res.body.toString('utf8'));
  assert.equal(rep.summary.residents_new, 3, JSON.stringify(rep.summary));
  const after1 = await counts(committee);
  assert.equal(after1.residents, before.residents + 3);
  const audit = (await committee.get('/api/v1/audit?limit=500')).json.items;
  const result = audit.find((e) => e.action === 'registry.import.result' && String(e.target_id) === String(job.id));
  assert.ok(result && result.detail.residents_new === 3, JSON.stringify(audit.slice(-3)));
});

test('10,000 rows import in one request (timing printed)', async () => {
  const blocks = ['3号楼1单元', '3号楼2单元', '4号楼1单元', '4号楼2单元', '5号楼1单元'];
  const lines = [HEADER];
  for (let i = 0; i < 10000; i++) {
    const y = 1950 + (i % 50), m = 1 + (Math.floor(i / 50) % 12), d = 1 + (Math.floor(i / 600) % 28);
    const phone = `135${String(i).padStart(8, '0')}`;
    lines.push(`${blocks[i % 5]},P${Math.floor(i / 3)},自住,居民${i},${i % 2 ? '男' : '女'},${y},${phone},${cnId(y, m, d, 7)},,否,否`);
  }
  const file = Buffer.from(lines.join('\n') + '\n');
  const before = await counts(committee);
  let t = Date.now();
  const r = await upload(committee, '', file);
  const real = Date.now() - t;
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assert.equal(r.json.summary.residents_new, 10000, JSON.stringify(r.json.summary));
  assert.ok(r.json.rows.length <= 1000 && r.json.rows_truncated, 'the report lists at most 1000 rows');
  const after1 = await counts(committee);
  assert.equal(after1.residents, before.residents + 10000);
  t = Date.now();
  const again = await upload(committee, '', file);
  const second = Date.now() - t;
  assert.equal(again.status, 200);
  assert.equal(again.json.summary.unchanged, 10000);
  t = Date.now();
  const bg = await upload(committee, '?async=1&dry_run=1', file);
  assert.equal(bg.status, 202, bg.text);
  const { job, seen } = await waitJob(committee, jobOf(bg).id, 60000);
  const background = Date.now() - t;
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.deepEqual([job.done, job.total], [10000, 10000]);
  for (const s of seen) assert.ok(s.done <= s.total || s.total === 0, JSON.stringify(s));
  const rep = JSON.parse((await getBytes(committee, job.result.url)).body.toString('utf8'));
  assert.equal(rep.summary.unchanged, 10000);
  console.log(`background dry run of the same file: ${background} ms (${seen.length} polls)`);
  console.log(`import of 10,000 rows (${file.length} bytes): ${real} ms; re-import (all unchanged): ${second} ms`);
});
