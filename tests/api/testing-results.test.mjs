// Testing rounds, results and tracing, on the demo's rounds: the summary against the
// rows; tubes listed, filtered, exported and printed in the leader's scope; a typed
// result opening (and, corrected, removing) follow-ups; the lab's CSV and XLSX import
// with its preview and all-or-nothing refusal; a tube's people with the audited reveal
// of their phones; follow-up updates; antigen self-reports and reports on behalf;
// a household's own results; the dashboard tiles; and the denials on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, walkList, stopServer, waitJob, jobOf, getBytes } from '../lib/api-helpers.mjs';
import { dbRows, dbInt, cstDay } from '../lib/db-query.mjs';
import { readXlsx } from '../lib/xlsx.mjs';

let srv;
const c = {};
let rounds, latest, earlier, today, antigenClosed, positiveTube, myBlock;

async function upload(client, path, name, bytes, type) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  const headers = { 'Accept-Language': client.lang, Cookie: client.cookie, 'X-CSRF-Token': client.csrf };
  const res = await fetch(client.url + path, { method: 'POST', headers, body: form });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

// A minimal .xlsx (stored ZIP, inline strings): what a lab's spreadsheet program writes
// in substance, so that the XLSX path of the import is exercised by a file not ours.
const CRC = Array.from({ length: 256 }, (_, n) => {
  let c2 = n;
  for (let k = 0; k < 8; k++) c2 = c2 & 1 ? 0xedb88320 ^ (c2 >>> 1) : c2 >>> 1;
  return c2 >>> 0;
});
function crc32(buf) {
  let x = 0xffffffff;
  for (const b of buf) x = CRC[(x ^ b) & 0xff] ^ (x >>> 8);
  return (x ^ 0xffffffff) >>> 0;
}
function zip(files) {
  const locals = [], centrals = [];
  let offset = 0;
  for (const [name, text] of files) {
    const data = Buffer.from(text, 'utf8'), packed = deflateRawSync(data), fname = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fname.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10); central.writeUInt32LE(crc, 16); central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24); central.writeUInt16LE(fname.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, fname, packed);
    centrals.push(central, fname);
    offset += 30 + fname.length + packed.length;
  }
  const cd = Buffer.concat(centrals), end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
function xlsx(rows) {
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const col = (i) => String.fromCharCode(65 + i);
  const sheet = rows.map((r, i) => `<row r="${i + 1}">${r.map((v, j) =>
    `<c r="${col(j)}${i + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`).join('')}</row>`).join('');
  const ns = 'http://schemas.openxmlformats.org';
  return zip([
    ['[Content_Types].xml', `<?xml version="1.0"?><Types xmlns="${ns}/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/></Types>'],
    ['_rels/.rels', `<?xml version="1.0"?><Relationships xmlns="${ns}/package/2006/relationships">` +
      `<Relationship Id="r1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
      '</Relationships>'],
    ['xl/workbook.xml', `<?xml version="1.0"?><workbook xmlns="${ns}/spreadsheetml/2006/main" ` +
      `xmlns:r="${ns}/officeDocument/2006/relationships"><sheets><sheet name="结果" sheetId="1" r:id="r1"/>` +
      '</sheets></workbook>'],
    ['xl/_rels/workbook.xml.rels', `<?xml version="1.0"?><Relationships xmlns="${ns}/package/2006/relationships">` +
      `<Relationship Id="r1" Type="${ns}/officeDocument/2006/relationships/worksheet" ` +
      'Target="worksheets/sheet1.xml"/></Relationships>'],
    ['xl/worksheets/sheet1.xml', `<?xml version="1.0"?><worksheet xmlns="${ns}/spreadsheetml/2006/main">` +
      `<sheetData>${sheet}</sheetData></worksheet>`],
  ]);
}

const tubeResult = (id) => dbRows(srv.db, `SELECT COALESCE(result, '') FROM test_tubes WHERE id = ${id}`)[0][0];

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  myBlock = c.block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  rounds = dbRows(srv.db, 'SELECT id, kind, state, on_day FROM test_rounds ORDER BY id')
    .map(([id, kind, state, day]) => ({ id: Number(id), kind, state, day }));
  const pcr = rounds.filter((r) => r.kind === 'pcr_pooled');
  latest = pcr.filter((r) => r.state === 'closed').at(-1);
  earlier = pcr.filter((r) => r.state === 'closed')[1];
  today = pcr.find((r) => r.state === 'open');
  antigenClosed = rounds.find((r) => r.kind === 'antigen');
  positiveTube = dbInt(srv.db, `SELECT id FROM test_tubes WHERE round_id = ${latest.id} AND result = 'positive'`);
});
after(async () => { await stopServer(srv); });

test('the demo: three closed pooled rounds, today half done, yesterday an antigen round', () => {
  assert.equal(rounds.filter((r) => r.kind === 'pcr_pooled' && r.state === 'closed').length, 3);
  assert.deepEqual([today.day, antigenClosed.day, latest.day], [cstDay(0), cstDay(-1), cstDay(-2)]);
  assert.equal(antigenClosed.state, 'closed');
  assert.ok(positiveTube > 0);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_tubes WHERE result = 'positive'`), 1);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_tubes WHERE round_id = ${today.id} AND closed_at IS NULL`), 1);
  assert.equal(dbInt(srv.db, `SELECT samples FROM test_tubes WHERE round_id = ${today.id} AND closed_at IS NULL`), 6);
  const staffed = dbRows(srv.db, `SELECT u.username FROM test_station_staff f JOIN test_stations s ON s.id = ` +
    `f.station_id JOIN users u ON u.id = f.user_id WHERE s.round_id = ${today.id} ORDER BY u.username`).flat();
  assert.deepEqual(staffed, ['teamlead', 'volunteer']);
  assert.ok(dbInt(srv.db, `SELECT COUNT(*) FROM test_calls WHERE round_id = ${today.id}`) >= 3);
  const own = c.resident.me.user.roles.find((r) => r.role === 'resident').scope_id;
  assert.ok(dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE round_id = ${antigenClosed.id} AND ` +
    `household_id = ${own} AND via = 'self'`) > 0);
});

test('the summary agrees with the rows; leaders see their scope', async () => {
  const s = (await c.committee.get(`/api/v1/test-rounds/${latest.id}/summary`)).json;
  const r = latest.id;
  const expected = dbInt(srv.db, `SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id ` +
    `WHERE r.moved_out_at IS NULL AND h.status IN ('occupied', 'rented_out') AND h.community_id = ` +
    `(SELECT community_id FROM test_rounds WHERE id = ${r})`);
  assert.equal(s.coverage.expected, expected);
  assert.equal(s.sampled, dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE round_id = ${r} AND state = 'counted'`));
  assert.equal(s.coverage.exempt, dbInt(srv.db, `SELECT COUNT(*) FROM test_exemptions WHERE round_id = ${r}`));
  assert.equal(s.coverage.to_test, s.coverage.expected - s.coverage.sampled - s.coverage.exempt);
  assert.ok(s.coverage.percent >= 85 && s.coverage.percent <= 95, `coverage ${s.coverage.percent}`);
  assert.equal(s.tubes.total, dbInt(srv.db, `SELECT COUNT(*) FROM test_tubes WHERE round_id = ${r}`));
  assert.equal(s.tubes.positive, 1);
  assert.equal(s.tubes.negative, s.tubes.total - 1);
  assert.equal(s.boxes.total, 2);
  assert.equal(s.boxes.closed, 2);
  assert.equal(s.positives.people, 10);
  assert.deepEqual(s.followups, { open: 5, retest: 3, cleared: 1, isolated: 1 });
  const t = (await c.committee.get(`/api/v1/test-rounds/${today.id}/summary`)).json;
  assert.equal(t.tubes.open, 1);
  assert.equal(t.tubes.pending, t.tubes.total);
  assert.equal(t.boxes.open, 2);
  assert.ok(t.coverage.percent >= 40 && t.coverage.percent <= 60, `today ${t.coverage.percent}`);
  const b = (await c.block.get(`/api/v1/test-rounds/${latest.id}/summary`)).json;
  assert.ok(b.coverage.expected > 0 && b.coverage.expected < s.coverage.expected);
  assert.equal(b.coverage.expected, dbInt(srv.db, `SELECT COUNT(*) FROM residents r JOIN households h ON h.id = ` +
    `r.household_id WHERE r.moved_out_at IS NULL AND h.status IN ('occupied', 'rented_out') AND h.block_id = ` +
    `${myBlock}`));
  assertError(await c.volunteer.get(`/api/v1/test-rounds/${latest.id}/summary`), 403, 'forbidden');
  assertError(await c.resident.get(`/api/v1/test-rounds/${latest.id}/summary`), 403, 'forbidden');
  assertError(await c.committee.get('/api/v1/test-rounds/999999/summary'), 404, 'not_found');
});

test('tubes: filters, scope, exports and print', async () => {
  const all = await walkList(c.committee, `/api/v1/test-rounds/${latest.id}/tubes`);
  assert.equal(all.length, dbInt(srv.db, `SELECT COUNT(*) FROM test_tubes WHERE round_id = ${latest.id}`));
  const pos = listItems(await c.committee.get(`/api/v1/test-rounds/${latest.id}/tubes?result=positive`));
  assert.deepEqual(pos.map((t) => t.id), [positiveTube]);
  assert.equal(pos[0].samples, 10);
  assert.equal(pos[0].result_text, 'Positive');
  const station = all[0].station_id;
  const byStation = await walkList(c.committee, `/api/v1/test-rounds/${latest.id}/tubes?station_id=${station}`);
  assert.ok(byStation.length > 0 && byStation.length < all.length && byStation.every((t) => t.station_id === station));
  const open = listItems(await c.committee.get(`/api/v1/test-rounds/${today.id}/tubes?state=open`));
  assert.equal(open.length, 1);
  assert.equal(open[0].box_id, null);
  const pending = await walkList(c.committee, `/api/v1/test-rounds/${today.id}/tubes?result=none&state=closed`);
  assert.ok(pending.length > 0 && pending.every((t) => t.result === null && t.state === 'closed' && t.box_id));
  const mine = await walkList(c.block, `/api/v1/test-rounds/${latest.id}/tubes`);
  assert.ok(mine.length > 0 && mine.length < all.length, `${mine.length} of ${all.length}`);
  assert.ok(mine.some((t) => t.id === positiveTube));
  const csv = await c.committee.get(`/api/v1/test-rounds/${latest.id}/tubes?format=csv&result=positive`);
  assert.equal(csv.status, 200);
  assert.ok(csv.text.includes(pos[0].code) && /Positive/.test(csv.text));
  const x = await fetch(`${srv.url}/api/v1/test-rounds/${latest.id}/tubes?format=xlsx&result=positive`,
    { headers: { Cookie: c.committee.cookie, 'Accept-Language': 'en' } });
  assert.equal(x.status, 200);
  const sheet = readXlsx(Buffer.from(await x.arrayBuffer()));
  assert.ok(sheet.some((row) => row.includes(pos[0].code)));
  const print = await c.block.get(`/api/v1/test-rounds/${latest.id}/tubes?print=1`);
  assert.equal(print.status, 200);
  assert.match(print.text, /<table/);
  assertError(await c.committee.get(`/api/v1/test-rounds/${latest.id}/tubes?result=maybe`), 400,
    'validation_failed', 'result');
  assertError(await c.committee.get(`/api/v1/test-rounds/${latest.id}/tubes?state=half`), 400,
    'validation_failed', 'state');
  assertError(await c.committee.get(`/api/v1/test-rounds/${latest.id}/tubes?box_id=x`), 400,
    'validation_failed', 'box_id');
  assertError(await c.volunteer.get(`/api/v1/test-rounds/${latest.id}/tubes`), 403, 'forbidden');
});

test("a tube's people: ten, phones masked until the audited reveal; outside the scope not found", async () => {
  const r = await c.committee.get(`/api/v1/test-tubes/${positiveTube}/people`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.people.length, 10);
  assert.ok(r.json.people.every((p) => p.in_scope && p.room && p.block_name && /\*{4}/.test(p.phone)));
  assert.deepEqual(r.json.people.map((p) => p.followup.state).sort(),
    ['cleared', 'isolated', 'open', 'open', 'open', 'open', 'open', 'retest', 'retest', 'retest']);
  const rv = await c.committee.post(`/api/v1/test-tubes/${positiveTube}/people/reveal`, {});
  assert.equal(rv.status, 200, rv.text);
  assert.equal(rv.json.people.length, 10);
  assert.ok(rv.json.people.every((p) => /^1\d{10}$/.test(p.phone) && p.phone_full));
  const audit = await c.committee.get('/api/v1/audit?action=testing.trace_reveal&limit=5');
  assert.ok(audit.json.items.some((e) => e.target_type === 'test_tube' && e.target_id === positiveTube &&
    e.detail.phones_revealed === 10), audit.text);
  // The demo block leader leads the positive tube's block.
  const b = await c.block.post(`/api/v1/test-tubes/${positiveTube}/people/reveal`, {});
  assert.equal(b.status, 200, b.text);
  assert.ok(b.json.people.some((p) => p.in_scope && p.phone_full));
  // A tube none of whose people live in the block leader's block: not found for them.
  const other = dbInt(srv.db, `SELECT t.id FROM test_tubes t WHERE t.round_id = ${latest.id} AND t.samples > 0 AND ` +
    `NOT EXISTS (SELECT 1 FROM test_samples s JOIN households h ON h.id = s.household_id WHERE s.tube_id = t.id ` +
    `AND h.block_id = ${myBlock}) ORDER BY t.id LIMIT 1`);
  assertError(await c.block.get(`/api/v1/test-tubes/${other}/people`), 404, 'not_found');
  assertError(await c.block.post(`/api/v1/test-tubes/${other}/people/reveal`, {}), 404, 'not_found');
  assertError(await c.committee.get('/api/v1/test-tubes/999999/people'), 404, 'not_found');
  assertError(await c.volunteer.get(`/api/v1/test-tubes/${positiveTube}/people`), 403, 'forbidden');
  assertError(await c.resident.get(`/api/v1/test-tubes/${positiveTube}/people`), 403, 'forbidden');
});

test('a typed positive opens follow-ups, corrected it removes the untouched ones; retries count once', async () => {
  const [tube, samples] = dbRows(srv.db, `SELECT id, samples FROM test_tubes WHERE round_id = ${latest.id} AND ` +
    `result = 'negative' AND samples = 10 ORDER BY id DESC LIMIT 1`)[0].map(Number);
  const key = { 'Idempotency-Key': `pos-${tube}` };
  const r = await c.committee.put(`/api/v1/test-tubes/${tube}/result`, { result: 'positive' }, key);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.followups_opened, samples);
  assert.equal(r.json.tube.result, 'positive');
  assert.equal(r.json.tube.result_source, 'entered');
  const again = await c.committee.put(`/api/v1/test-tubes/${tube}/result`, { result: 'positive' }, key);
  assert.equal(again.status, 200);
  assert.equal(again.json.followups_opened, samples);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_followups WHERE tube_id = ${tube}`), samples);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM audit_log WHERE action = 'testing.tube_result' AND ` +
    `target_id = ${tube}`), 1);
  // One of them is worked on; the correction leaves that one and removes the rest.
  const fu = dbInt(srv.db, `SELECT MIN(id) FROM test_followups WHERE tube_id = ${tube}`);
  const p = await c.committee.patch(`/api/v1/test-followups/${fu}`, { state: 'retest', note: '已单采' });
  assert.equal(p.status, 200, p.text);
  const back = await c.committee.put(`/api/v1/test-tubes/${tube}/result`, { result: 'negative' });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.followups_removed, samples - 1);
  assert.deepEqual(dbRows(srv.db, `SELECT id, state FROM test_followups WHERE tube_id = ${tube}`),
    [[String(fu), 'retest']]);
  assertError(await c.committee.put(`/api/v1/test-tubes/${tube}/result`, { result: 'maybe' }), 400,
    'validation_failed', 'result');
  assertError(await c.committee.put(`/api/v1/test-tubes/${tube}/result`, {}), 400, 'validation_failed', 'result');
  const openTube = dbInt(srv.db, `SELECT id FROM test_tubes WHERE round_id = ${today.id} AND closed_at IS NULL`);
  assertError(await c.committee.put(`/api/v1/test-tubes/${openTube}/result`, { result: 'negative' }), 409,
    'conflict', 'result');
  assertError(await c.committee.put('/api/v1/test-tubes/999999/result', { result: 'negative' }), 404, 'not_found');
  assertError(await c.block.put(`/api/v1/test-tubes/${tube}/result`, { result: 'negative' }), 403, 'forbidden');
  const zh = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  const m = await zh.put(`/api/v1/test-tubes/${tube}/result`, { result: '阴' });
  assertError(m, 400, 'validation_failed', 'result');
  assert.match(m.json.error.message, /阴性/);
});

test("the lab's file: preview, all or nothing, CSV and XLSX", async () => {
  const tubes = dbRows(srv.db, `SELECT id, code FROM test_tubes WHERE round_id = ${earlier.id} AND samples = 10 ` +
    `ORDER BY id LIMIT 4`).map(([id, code]) => ({ id: Number(id), code }));
  const path = `/api/v1/test-rounds/${earlier.id}/results/import`;
  const csv = `管码,结果\n${tubes[0].code},阳性\n${tubes[1].code},阴性\n${tubes[2].code},negative\nNOSUCH1,阴性\n`;
  const dry = await upload(c.committee, `${path}?dry_run=1`, 'lab.csv', csv, 'text/csv');
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.json.dry_run, true);
  assert.deepEqual(dry.json.counts, { negative: 2, positive: 1, invalid: 0 });
  assert.deepEqual(dry.json.unknown_codes, [{ line: 5, code: 'NOSUCH1' }]);
  assert.equal(dry.json.changes, 1);
  assert.equal(tubeResult(tubes[0].id), 'negative');
  // One bad row (and an unknown code): 422 naming the rows, and nothing changes.
  const badCsv = `tube,result\n${tubes[0].code},pos\n${tubes[1].code},maybe\nNOSUCH1,neg\n`;
  const bad = await upload(c.committee, path, 'lab.csv', badCsv, 'text/csv');
  assertError(bad, 422, 'validation_failed', 'file');
  assert.deepEqual(bad.json.error.report.bad_rows.map((r) => [r.line, r.reason]), [[3, 'result'], [4, 'unknown']]);
  assert.equal(tubeResult(tubes[0].id), 'negative');
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_followups WHERE tube_id = ${tubes[0].id}`), 0);
  const good = `试管编码,检测结果\n${tubes[0].code},阳性\n${tubes[1].code},阴性\n`;
  const ok = await upload(c.committee, path, 'lab.csv', good, 'text/csv');
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.followups_opened, 10);
  assert.equal(tubeResult(tubes[0].id), 'positive');
  assert.equal(dbRows(srv.db, `SELECT result_source FROM test_tubes WHERE id = ${tubes[0].id}`)[0][0], 'imported');
  const book = xlsx([['序号', '管码', '结果'], ['1', tubes[0].code, '阴性'], ['2', tubes[3].code, '无效']]);
  const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const xr = await upload(c.committee, path, 'lab.xlsx', book, type);
  assert.equal(xr.status, 200, xr.text);
  assert.deepEqual(xr.json.counts, { negative: 1, positive: 0, invalid: 1 });
  assert.equal(xr.json.followups_removed, 10);
  assert.equal(tubeResult(tubes[3].id), 'invalid');
  // A long file in the background: progress on the job, the report as its result.
  const all = dbRows(srv.db, `SELECT code FROM test_tubes WHERE round_id = ${earlier.id} ORDER BY id`).map(([x]) => x);
  const long = `管码,结果\n${all.map((x) => `${x},阴性`).join('\n')}\n`;
  const bg = await upload(c.committee, `${path}?async=1`, 'lab.csv', long, 'text/csv');
  assert.equal(bg.status, 202, bg.text);
  const { job, seen } = await waitJob(c.committee, jobOf(bg).id);
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.deepEqual([job.done, job.total], [all.length, all.length]);
  assert.ok(seen.every((x) => ['queued', 'running', 'done'].includes(x.state)));
  const rep = JSON.parse((await getBytes(c.committee, job.result.url)).body.toString('utf8'));
  assert.equal(rep.counts.negative, all.length);
  assert.equal(tubeResult(tubes[3].id), 'negative');
  const refused = await upload(c.committee, `${path}?async=1`, 'lab.csv', `${long}NOSUCH2,阳性\n`, 'text/csv');
  const { job: j2 } = await waitJob(c.committee, jobOf(refused).id);
  assert.equal(j2.state, 'done');
  assert.ok(j2.error);
  const rep2 = JSON.parse((await getBytes(c.committee, j2.result.url)).body.toString('utf8'));
  assert.deepEqual(rep2.error.report.bad_rows.map((x) => x.reason), ['unknown']);
  assertError(await upload(c.committee, path, 'lab.csv', 'a,b\n1,2\n', 'text/csv'), 422, 'validation_failed', 'file');
  assertError(await upload(c.committee, `/api/v1/test-rounds/${antigenClosed.id}/results/import`, 'lab.csv', good,
    'text/csv'), 422, 'validation_failed', 'file');
  assertError(await upload(c.block, path, 'lab.csv', good, 'text/csv'), 403, 'forbidden');
});

test('follow-ups: the list in scope, updates with history, denials', async () => {
  const all = await walkList(c.committee, '/api/v1/test-followups?state=active');
  assert.ok(all.length >= 8 && all.every((f) => f.state === 'open' || f.state === 'retest'));
  assert.ok(all.every((f) => /\*{4}/.test(f.phone)));
  const mine = await walkList(c.block, '/api/v1/test-followups');
  assert.ok(mine.length > 0 && mine.every((f) => f.block_id === myBlock));
  const round = await walkList(c.committee, `/api/v1/test-followups?round_id=${latest.id}&block_id=${myBlock}`);
  assert.ok(round.length >= 10 && round.every((f) => f.round_id === latest.id));
  const csv = await c.committee.get('/api/v1/test-followups?format=csv&state=active');
  assert.equal(csv.status, 200);
  const print = await c.zone.get('/api/v1/test-followups?print=1');
  assert.equal(print.status, 200);
  const f = mine.find((x) => x.state === 'open');
  const p = await c.block.patch(`/api/v1/test-followups/${f.id}`, { state: 'isolated', note: '已转运' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.followup.state, 'isolated');
  assert.ok(p.json.followup.ended_at);
  const re = await c.block.patch(`/api/v1/test-followups/${f.id}`, { state: 'open' });
  assert.equal(re.json.followup.ended_at, null);
  const hist = await c.committee.get(`/api/v1/audit?action=testing.followup&limit=20`);
  assert.ok(hist.json.items.filter((e) => e.target_id === f.id).length >= 2);
  assertError(await c.block.patch(`/api/v1/test-followups/${f.id}`, { state: 'gone' }), 400, 'validation_failed',
    'state');
  assertError(await c.block.patch(`/api/v1/test-followups/${f.id}`, {}), 400, 'validation_failed', 'state');
  assertError(await c.committee.get('/api/v1/test-followups?state=x'), 400, 'validation_failed', 'state');
  const outside = all.find((x) => x.block_id !== myBlock);
  assert.ok(outside, 'a follow-up outside the block');
  assertError(await c.block.patch(`/api/v1/test-followups/${outside.id}`, { note: 'x' }), 404, 'not_found');
  assertError(await c.volunteer.get('/api/v1/test-followups'), 403, 'forbidden');
  assertError(await c.resident.patch(`/api/v1/test-followups/${f.id}`, { note: 'x' }), 403, 'forbidden');
});

test('antigen: a household reports for its people, a leader on behalf, once a person a round', async () => {
  const cid = dbInt(srv.db, `SELECT community_id FROM test_rounds WHERE id = ${today.id}`);
  const now = Date.now() * 1000;
  dbRows(srv.db, `INSERT INTO test_rounds (community_id, name, on_day, kind, pool_size, state, created_at, ` +
    `updated_at) VALUES (${cid}, '抗原自测（今日）', '${cstDay(0)}', 'antigen', 1, 'open', ${now}, ${now})`);
  const open = dbInt(srv.db, `SELECT MAX(id) FROM test_rounds WHERE kind = 'antigen'`);
  const own = c.resident.me.user.roles.find((r) => r.role === 'resident').scope_id;
  const family = dbRows(srv.db, `SELECT id FROM residents WHERE household_id = ${own} AND moved_out_at IS NULL ` +
    `ORDER BY id`).map(([id]) => Number(id));
  assert.ok(family.length >= 1);
  const path = `/api/v1/test-rounds/${open}/antigen`;
  const r = await c.resident.post(path, { resident_id: family[0], result: 'negative' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.sample.via, 'self');
  const page = (await c.resident.get('/api/v1/me/antigen')).json.rounds;
  assert.deepEqual(page.map((x) => x.id), [open]);
  assert.deepEqual(page[0].people.map((p) => p.resident_id), family);
  assert.equal(page[0].people[0].reported.result, 'negative');
  assert.ok(page[0].people.slice(1).every((p) => p.reported === null));
  const twice = await c.resident.post(path, { resident_id: family[0], result: 'positive' });
  assertError(twice, 409, 'conflict', 'resident_id');
  assert.ok(twice.json.error.reported_by && twice.json.error.reported_at);
  assert.equal(dbRows(srv.db, `SELECT result FROM test_samples WHERE round_id = ${open} AND resident_id = ` +
    `${family[0]}`)[0][0], 'negative');
  // Someone of the block leader's block, of neither the resident's nor the leader's household.
  const leaderOwn = c.block.me.user.roles.find((x) => x.role === 'resident').scope_id;
  const stranger = dbInt(srv.db, `SELECT MIN(r.id) FROM residents r JOIN households h ON h.id = r.household_id ` +
    `WHERE h.id NOT IN (${own}, ${leaderOwn}) AND r.moved_out_at IS NULL AND h.block_id = ${myBlock} AND ` +
    `h.status = 'occupied'`);
  assertError(await c.resident.post(path, { resident_id: stranger, result: 'negative' }), 404, 'not_found');
  assertError(await c.resident.post(`/api/v1/test-rounds/${antigenClosed.id}/antigen`,
    { resident_id: family[0], result: 'negative' }), 409, 'conflict', 'round');
  assertError(await c.resident.post(`/api/v1/test-rounds/${today.id}/antigen`,
    { resident_id: family[0], result: 'negative' }), 422, 'validation_failed', 'round');
  assertError(await c.resident.post(path, { resident_id: family[0], result: 'unsure' }), 400, 'validation_failed',
    'result');
  assertError(await c.resident.post(path, { resident_id: family[0], result: 'negative', taken_at: 'now' }), 400,
    'validation_failed', 'taken_at');
  // The block leader reports a positive for someone of their block: on behalf, a follow-up opens.
  const lb = await c.block.post(path, { resident_id: stranger, result: 'positive' });
  assert.equal(lb.status, 201, lb.text);
  assert.equal(lb.json.sample.via, 'leader');
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_followups WHERE round_id = ${open} AND resident_id = ` +
    `${stranger} AND state = 'open'`), 1);
  const far = dbInt(srv.db, `SELECT MIN(r.id) FROM residents r JOIN households h ON h.id = r.household_id JOIN ` +
    `blocks b ON b.id = h.block_id WHERE r.moved_out_at IS NULL AND b.zone_id <> (SELECT zone_id FROM blocks ` +
    `WHERE id = ${myBlock})`);
  assertError(await c.block.post(path, { resident_id: far, result: 'negative' }), 404, 'not_found');
  assertError(await c.volunteer.post(path, { resident_id: family[0], result: 'negative' }), 403, 'forbidden');
  const strangerHh = dbInt(srv.db, `SELECT household_id FROM residents WHERE id = ${stranger}`);
  const forThem = (await c.block.get(`/api/v1/me/antigen?household_id=${strangerHh}`)).json.rounds[0];
  assert.equal(forThem.people.find((p) => p.resident_id === stranger).reported.result, 'positive');
  const farHh = dbInt(srv.db, `SELECT household_id FROM residents WHERE id = ${far}`);
  assertError(await c.block.get(`/api/v1/me/antigen?household_id=${farHh}`), 404, 'not_found');
  assertError(await c.resident.get(`/api/v1/me/antigen?household_id=${strangerHh}`), 404, 'not_found');
  assertError(await c.volunteer.get('/api/v1/me/antigen'), 403, 'forbidden');
  // A photo of the test: an image by its bytes, at most one a report, seen by who sees it.
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
  const sid = r.json.sample.id;
  const sendPhoto = (client, id, body) => fetch(`${srv.url}/api/v1/test-samples/${id}/photo`, { method: 'POST', body,
    headers: { Cookie: client.cookie, 'X-CSRF-Token': client.csrf, 'Content-Type': 'application/octet-stream' } });
  const getPhoto = (client, id) => fetch(`${srv.url}/api/v1/test-samples/${id}/photo`,
    { headers: { Cookie: client.cookie } });
  const up = await sendPhoto(c.resident, sid, png);
  assert.equal(up.status, 201, await up.text());
  const got = await getPhoto(c.resident, sid);
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await got.arrayBuffer()), png);
  assert.equal((await getPhoto(c.committee, sid)).status, 200);
  assert.equal((await getPhoto(c.block, sid)).status, 404);
  assert.equal((await sendPhoto(c.resident, sid, png)).status, 409);
  const pdf = await sendPhoto(c.resident, sid, '%PDF-1.4 x');
  assert.equal(pdf.status, 400);
  assert.equal((await pdf.json()).error.field, 'file');
  const leaderSample = lb.json.sample.id;
  assert.equal((await sendPhoto(c.resident, leaderSample, png)).status, 404);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE id = ${leaderSample} AND photo_path IS NULL`), 1);
  assert.equal((await sendPhoto(c.volunteer, sid, png)).status, 403);
  const list = listItems(await c.committee.get(`${path}?limit=50`));
  assert.ok(list.some((a) => a.resident_id === stranger && a.via === 'leader' && a.result === 'positive'));
  assert.ok(list.some((a) => a.resident_id === family[0] && a.via === 'self' &&
    a.photo === `/api/v1/test-samples/${sid}/photo`));
  const mineOnly = listItems(await c.block.get(`${path}?limit=50`));
  assert.ok(mineOnly.every((a) => a.block_name));
  assertError(await c.resident.get(path), 403, 'forbidden');
});

test('a household sees its own results, nothing else', async () => {
  const own = c.resident.me.user.roles.find((r) => r.role === 'resident').scope_id;
  const items = await walkList(c.resident, '/api/v1/me/tests');
  const expected = dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE household_id = ${own} AND ` +
    `state = 'counted'`);
  assert.equal(items.length, expected);
  assert.ok(items.some((i) => i.kind === 'antigen' && i.result === 'negative'));
  assert.ok(items.some((i) => i.kind === 'pcr_pooled' && i.result === 'negative'));
  assert.ok(items.some((i) => i.round_id === today.id && i.result === null) ||
    !dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE household_id = ${own} AND round_id = ${today.id}`));
  const blockOwn = c.block.me.user.roles.find((r) => r.role === 'resident').scope_id;
  const theirs = await walkList(c.block, '/api/v1/me/tests');
  assert.equal(theirs.length, dbInt(srv.db, `SELECT COUNT(*) FROM test_samples WHERE household_id = ${blockOwn} AND ` +
    `state = 'counted'`));
  assertError(await c.committee.get('/api/v1/me/tests'), 403, 'forbidden');
  assertError(await c.volunteer.get('/api/v1/me/tests'), 403, 'forbidden');
});

test("the dashboard: today's coverage, the people not tested and the open follow-ups, each a link", async () => {
  const tiles = (await c.committee.get('/api/v1/dashboard')).json.tiles;
  const cov = tiles.find((t) => t.key === 'testing_coverage');
  const summary = (await c.committee.get(`/api/v1/test-rounds/${today.id}/summary`)).json;
  assert.equal(cov.value, summary.coverage.percent);
  assert.equal(cov.link, `/testing/${today.id}/coverage`);
  const nt = tiles.find((t) => t.key === 'testing_not_tested');
  assert.equal(nt.value, summary.coverage.to_test);
  assert.equal(nt.link, `/testing/${today.id}/not-tested`);
  assert.equal(tiles.find((t) => t.key === 'testing_followups').link, '/testing/followups');
  const mine = (await c.block.get('/api/v1/dashboard')).json.tiles;
  assert.ok(mine.find((t) => t.key === 'testing_not_tested').value < nt.value);
  const none = (await c.volunteer.get('/api/v1/dashboard')).json.tiles || [];
  assert.ok(!none.some((t) => t.key.startsWith('testing_')));
});
