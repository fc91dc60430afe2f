// Registry import on day one: a new community imports its GBK spreadsheet with zones,
// buildings, person types and flag columns in one go (dry run first); the zones and
// blocks are made by the import, bad phones and wrong dates are reported on their
// lines, a birth date that differs from the ID number is a warning to accept, and
// names that would spoof a printed list are refused (in the import and in forms).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, stopServer, listItems, waitJob, jobOf, getBytes } from '../lib/api-helpers.mjs';
import { dbRows, dbInt } from '../lib/db-query.mjs';

let srv;
let admin;
let fresh;        // committee of the new community (English)
let freshZh;      // the same account, Chinese
let community;
let demo;         // committee of the demo community

const PASSWORD = 'day-one-committee-1';

before(async () => {
  srv = await startServer();
  admin = await loggedIn(srv.url, 'admin');
  demo = await loggedIn(srv.url, 'committee');
  const made = await admin.post('/api/v1/communities', { name: '新苑社区', timezone: 'Asia/Shanghai' });
  assert.equal(made.status, 201, made.text);
  community = made.json.community.id;
  const u = await admin.post('/api/v1/users', { username: `xinyuan${Date.now() % 100000}`, display_name: '新苑居委',
    password: PASSWORD, roles: [{ role: 'committee' }], community_id: community });
  assert.equal(u.status, 201, u.text);
  fresh = await loggedIn(srv.url, u.json.user.username, PASSWORD);
  freshZh = await loggedIn(srv.url, u.json.user.username, PASSWORD, 'zh-CN');
});

after(async () => {
  await stopServer(srv);
});

// A valid GB 11643 number.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function cnId(y, m, d, seq, region = '310104') {
  const body = `${region}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
  const sum = [...body].reduce((a, c, i) => a + Number(c) * WEIGHTS[i], 0);
  return body + '10X98765432'[sum % 11];
}

// GBK, as Chinese Excel saves "CSV (逗号分隔)".
function gbk(text) {
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: Buffer.from(text, 'utf8') });
}

async function upload(client, query, body, type = 'text/csv') {
  const headers = { 'Accept-Language': client.lang, Cookie: client.cookie, 'X-CSRF-Token': client.csrf };
  if (type) headers['Content-Type'] = type;
  const res = await fetch(`${client.url}/api/v1/registry/import${query}`, { method: 'POST', headers, body });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

const HEADER = '序号,片区,楼组,房号,姓名,性别,出生日期,手机,身份证号,人员类型,与户主关系,独居老人,残疾,孕妇,慢性病,卧床,无智能手机,居家隔离';
const SHEN = cnId(1956, 3, 12, 123);
const GU = cnId(1958, 7, 1, 246);
const LU = cnId(1990, 4, 1, 311);
const WANG = cnId(1949, 9, 9, 402);
const XU = cnId(1985, 6, 15, 517);

// Lines 2..9. With bad: line 7 has a 10-digit "mobile", line 8 the 30th of February.
// Line 9 always gives a birth date one day off the ID number's (a warning).
function sheet({ bad }) {
  return [
    HEADER,
    `1,第1片区,101号,101室,沈建国,男,1956-03-12,13800138001,${SHEN},户籍,户主,√,,,高血压,,,`,
    `2,第1片区,101号,101室,顾秀英,女,1958,,${GU},常住,配偶,是,肢体二级,,,,,`,
    `3,第1片区,102号,201室,陆晓燕,女,1990-04-01,021-64001234,${LU},流动,户主,,,2027-03-01,,,,`,
    `4,第2片区,201号,301室,Anna Schmidt,女,1988-04-02,+4915112345678,C01X00T47,外籍,户主,,,,,,,`,
    `5,第2片区,201号,302室,王伟,男,1949-09-09,${bad ? '1390013900' : '13900139003'},${WANG},户籍,户主,1,,,,Y,Y,`,
    `6,第2片区,201号,302室,王小明,男,${bad ? '1990-02-30' : '1990-02-28'},,,暂住,子女,,,,,,,2026-12-01`,
    `7,第1片区,102号,202室,许海,男,1985-06-16,13700137003,${XU},户籍,户主,,,,,,,`,
  ].join('\r\n') + '\r\n';
}

async function zonesOf(client) {
  const r = await client.get('/api/v1/zones?limit=500');
  assert.equal(r.status, 200, r.text);
  return listItems(r);
}

async function blocksOf(client) {
  const r = await client.get('/api/v1/blocks?limit=500');
  assert.equal(r.status, 200, r.text);
  return listItems(r);
}

test('the dry run of a new community lists the zones and blocks it makes, and the bad lines', async () => {
  const r = await upload(fresh, '?dry_run=1', gbk(sheet({ bad: true })));
  assert.equal(r.status, 200, r.text);
  const d = r.json;
  assert.equal(d.encoding, 'gb18030');
  assert.deepEqual(d.mapping, {
    zone: '片区', block: '楼组', room: '房号', name: '姓名', gender: '性别', birth: '出生日期', phone: '手机',
    id_number: '身份证号', person_type: '人员类型', relation: '与户主关系', alone_elderly: '独居老人',
    disabled: '残疾', pregnant: '孕妇', chronic_illness: '慢性病', bedridden: '卧床', no_smartphone: '无智能手机',
    home_isolation: '居家隔离',
  });
  assert.deepEqual(d.unmapped_headers, []);
  assert.deepEqual(d.ignored_headers, ['序号']);
  // Room 302 has only rows with errors: it is not counted until they are fixed.
  assert.deepEqual(d.new_zones, [
    { name: '第1片区', blocks: 2, households: 3 },
    { name: '第2片区', blocks: 1, households: 1 },
  ]);
  assert.deepEqual(d.new_blocks, [
    { zone: '第1片区', name: '101号', kind: 'building', households: 1 },
    { zone: '第1片区', name: '102号', kind: 'building', households: 2 },
    { zone: '第2片区', name: '201号', kind: 'building', households: 1 },
  ]);
  const s = d.summary;
  assert.deepEqual([s.rows, s.zones_new, s.blocks_new, s.errors, s.warnings], [7, 2, 3, 2, 1], JSON.stringify(s));
  const byLine = Object.fromEntries(d.rows.map((x) => [x.line, x]));
  // the 10-digit mobile, on its line, naming the column and the reason
  assert.equal(byLine[6].action, 'error');
  assert.deepEqual(byLine[6].errors.map((e) => [e.column, e.field]), [['手机', 'phone']]);
  assert.match(byLine[6].errors[0].message, /mobile number has 11 digits/);
  // the impossible date says which part is wrong
  assert.equal(byLine[7].action, 'error');
  assert.deepEqual(byLine[7].errors.map((e) => [e.column, e.field]), [['出生日期', 'birth']]);
  assert.match(byLine[7].errors[0].message, /1990-02-30 does not exist: month 2 has no day 30/);
  // the birth date against the ID number: a warning, the row is still good
  assert.equal(byLine[8].action, 'create');
  assert.deepEqual(byLine[8].errors, []);
  assert.deepEqual(byLine[8].warnings.map((w) => [w.column, w.field]), [['出生日期', 'birth']]);
  assert.match(byLine[8].warnings[0].message, /1985-06-15/);
  for (const line of [2, 3, 4, 5]) assert.equal(byLine[line].action, 'create', JSON.stringify(byLine[line]));
  assert.deepEqual(await zonesOf(fresh), [], 'a dry run makes nothing');
  assert.deepEqual(await blocksOf(fresh), []);
});

test('the same lines in Chinese say 2月30日不存在 and name the 11 digits', async () => {
  const r = await upload(freshZh, '?dry_run=1', gbk(sheet({ bad: true })));
  assert.equal(r.status, 200, r.text);
  const byLine = Object.fromEntries(r.json.rows.map((x) => [x.line, x]));
  assert.match(byLine[7].errors[0].message, /1990年2月30日不存在/);
  assert.match(byLine[6].errors[0].message, /手机号应为 11 位数字/);
  assert.match(byLine[8].warnings[0].message, /与身份证号中的出生日期 1985-06-15 不一致/);
});

test('a real run with bad lines answers 422 and makes no zone, block or resident', async () => {
  const r = await upload(fresh, '', gbk(sheet({ bad: true })));
  assertError(r, 422, 'validation_failed');
  assert.equal(r.json.summary.errors, 2);
  assert.deepEqual(await zonesOf(fresh), []);
  assert.deepEqual(await blocksOf(fresh), []);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM residents WHERE community_id = ${community}`), 0);
});

test('warnings must be accepted; then zones, blocks, households, residents and flags are written at once', async () => {
  const file = gbk(sheet({ bad: false }));
  const dry = await upload(fresh, '?dry_run=1', file);
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual([dry.json.summary.errors, dry.json.summary.warnings], [0, 1]);

  const refused = await upload(fresh, '', file);
  assertError(refused, 422, 'validation_failed', 'accept_warnings');
  assert.match(refused.json.error.message, /warnings/);
  assert.deepEqual(await zonesOf(fresh), [], 'a refused run makes nothing');

  const bad = await upload(fresh, '?accept_warnings=1&block_kind=tower', file);
  assertError(bad, 400, 'validation_failed', 'block_kind');

  const r = await upload(fresh, '?accept_warnings=1&block_kind=courtyard', file);
  assert.equal(r.status, 200, r.text);
  const s = r.json.summary;
  assert.deepEqual([s.zones_new, s.blocks_new, s.households_new, s.residents_new, s.errors], [2, 3, 5, 7, 0],
    JSON.stringify(s));

  const zones = await zonesOf(fresh);
  assert.deepEqual(zones.map((z) => [z.name, z.blocks, z.households, z.residents]),
    [['第1片区', 2, 3, 4], ['第2片区', 1, 2, 3]]);
  const blocks = await blocksOf(fresh);
  assert.deepEqual(blocks.map((b) => [b.zone_name, b.name, b.kind]),
    [['第1片区', '101号', 'courtyard'], ['第1片区', '102号', 'courtyard'], ['第2片区', '201号', 'courtyard']]);
  // The other community sees none of it.
  assert.ok(!(await zonesOf(demo)).some((z) => z.name === '第1片区'));

  const people = Object.fromEntries(dbRows(srv.db,
    `SELECT name, COALESCE(person_type, ''), household_head, relation, floating, COALESCE(id_kind, ''), COALESCE(birth_date, ''), id FROM residents WHERE community_id = ${community}`)
    .map(([name, ...rest]) => [name, rest]));
  assert.deepEqual(people['沈建国'].slice(0, 5), ['registered', '1', '户主', '0', 'cn_id']);
  assert.deepEqual(people['顾秀英'].slice(0, 5), ['registered', '0', '配偶', '0', 'cn_id']);
  assert.deepEqual(people['陆晓燕'].slice(0, 5), ['floating', '1', '户主', '1', 'cn_id']);
  assert.deepEqual(people['Anna Schmidt'].slice(0, 5), ['foreign', '1', '户主', '0', 'passport']);
  assert.deepEqual(people['王小明'].slice(0, 5), ['floating', '0', '子女', '1', '']);
  // the accepted warning: the date of the column, as the user confirmed
  assert.equal(people['许海'][5], '1985-06-16');

  // flags, with the import as their source
  const flagsOf = async (name) => {
    const f = await fresh.get(`/api/v1/residents/${people[name][6]}/flags`);
    assert.equal(f.status, 200, f.text);
    return Object.fromEntries(listItems(f).map((x) => [x.flag, x.detail]));
  };
  assert.deepEqual(await flagsOf('沈建国'), { alone_elderly: {}, chronic_illness: { condition: '高血压' } });
  assert.deepEqual(await flagsOf('顾秀英'), { alone_elderly: {}, disabled: { kind: '肢体二级' } });
  assert.deepEqual(await flagsOf('陆晓燕'), { pregnant: { due_date: '2027-03-01' } });
  assert.deepEqual(await flagsOf('王伟'), { alone_elderly: {}, bedridden: {}, no_smartphone: {} });
  assert.deepEqual(await flagsOf('王小明'), { home_isolation: { start: '2026-12-01' } });
  assert.deepEqual(await flagsOf('许海'), {});
  const sources = dbRows(srv.db, `SELECT DISTINCT COALESCE(source, 'form') FROM resident_flags WHERE community_id = ${community}`);
  assert.deepEqual(sources, [['import']]);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM resident_flags WHERE community_id = ${community}`), 9);

  // The audit entry carries the counts, with the zones and blocks made.
  const audit = dbRows(srv.db, `SELECT detail FROM audit_log WHERE community_id = ${community} AND action = 'registry.import' ORDER BY id DESC LIMIT 1`);
  const detail = JSON.parse(audit[0][0]);
  assert.deepEqual([detail.zones_new, detail.blocks_new, detail.residents_new, detail.warnings], [2, 3, 7, 1]);
  assert.ok(!JSON.stringify(detail).includes('沈建国'));

  // Importing again changes nothing and makes nothing: the community now matches by name.
  const again = await upload(fresh, '?accept_warnings=1', file);
  assert.equal(again.status, 200, again.text);
  const s2 = again.json.summary;
  assert.deepEqual([s2.zones_new, s2.blocks_new, s2.households_new, s2.residents_new, s2.residents_changed, s2.unchanged],
    [0, 0, 0, 0, 0, 7], JSON.stringify(s2));
  assert.deepEqual(again.json.new_blocks, []);

  // A no clears a flag, a new fact replaces one; the history keeps both.
  const changed = sheet({ bad: false }).replace(`,户籍,户主,√,,,高血压,,,`, `,户籍,户主,否,,,糖尿病,,,`);
  const c = await upload(fresh, '?accept_warnings=1', gbk(changed));
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.summary.residents_changed, 1, JSON.stringify(c.json.summary));
  assert.deepEqual(await flagsOf('沈建国'), { chronic_illness: { condition: '糖尿病' } });
  const hist = await fresh.get(`/api/v1/residents/${people['沈建国'][6]}/flags?history=1`);
  assert.equal(listItems(hist).length, 3);
});

test('in a background job too: warnings not accepted write nothing, accepted ones make the courtyard', async () => {
  const csv = gbk(['片区,楼组,房号,姓名,出生日期,身份证号',
    `第3片区,东3院,1,柏青,1970-01-02,${cnId(1970, 1, 1, 611)}`].join('\r\n') + '\r\n');
  const refused = await upload(fresh, '?async=1', csv);
  assert.equal(refused.status, 202, refused.text);
  const { job } = await waitJob(fresh, jobOf(refused).id);
  assert.equal(job.state, 'done');
  assert.match(job.error, /warnings/);
  const report = JSON.parse((await getBytes(fresh, job.result.url)).body.toString('utf8'));
  assert.equal(report.summary.warnings, 1);
  assert.ok(!(await zonesOf(fresh)).some((z) => z.name === '第3片区'), 'nothing written');

  const ok = await upload(fresh, '?async=1&accept_warnings=1&block_kind=courtyard', csv);
  assert.equal(ok.status, 202, ok.text);
  const done = await waitJob(fresh, jobOf(ok).id);
  assert.equal(done.job.error, null);
  const made = (await blocksOf(fresh)).find((b) => b.name === '东3院');
  assert.deepEqual([made?.kind, made?.zone_name], ['courtyard', '第3片区']);
});

test('the head of household: a 户主 column with 是/否 or with the head\'s name on each row', async () => {
  const csv = gbk(['楼组,房号,姓名,户主', '101号,H1,沈一,沈一', '101号,H1,沈二,沈一', '101号,H2,顾一,是', '101号,H2,顾二,否',
    '101号,H3,许一,户主'].join('\n') + '\n');
  const r = await upload(fresh, '', csv);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.mapping.household_head, '户主');
  const heads = Object.fromEntries(dbRows(srv.db, `SELECT name, household_head FROM residents WHERE community_id = ${community} AND name IN ('沈一', '沈二', '顾一', '顾二', '许一')`));
  assert.deepEqual(heads, { 沈一: '1', 沈二: '0', 顾一: '1', 顾二: '0', 许一: '1' });
});

test('an existing community still matches its blocks by name and makes none', async () => {
  const csv = '楼组,房号,姓名,手机\n1号楼1单元,D901,测试甲,13600136001\n';
  const r = await upload(demo, '?dry_run=1', csv);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.summary.blocks_new, r.json.summary.zones_new, r.json.summary.errors], [0, 0, 0]);
  assert.deepEqual(r.json.new_blocks, []);
  // A block the community has, under a zone it does not have: a zone column mistake, not a new block.
  const z = await upload(demo, '?dry_run=1', '片区,楼组,房号,姓名\n第九片区,1号楼1单元,D902,测试乙\n');
  assert.equal(z.status, 200, z.text);
  assert.deepEqual([z.json.summary.zones_new, z.json.summary.blocks_new, z.json.summary.errors], [0, 0, 1]);
  assert.deepEqual(z.json.rows[0].errors.map((e) => [e.column, e.field]), [['楼组', 'block']]);
  assert.match(z.json.rows[0].errors[0].message, /not in the given zone/);
});

test('phones: landlines, extensions and + codes pass, the rest is refused on its line', async () => {
  const rows = [
    ['021-64001234-805', null], ['0571 8888 1234', null], ['+852 9123 4567', null], ['+86 138 0013 8000', null],
    ['2150001111', null],                      // a landline whose 0 a spreadsheet dropped
    ['64001234', /area code/], ['0085291234567', /\+ and its country code/], ['138001380001', /11 digits/],
    ['12812345678', /starting 13 to 19/], ['021-640012', /area code \(0 and 2-3 digits\) and 7-8 digits/],
  ];
  const csv = ['楼组,房号,姓名,手机', ...rows.map(([p], i) => `101号,P${i},电话${i},${p}`)].join('\n') + '\n';
  const r = await upload(fresh, '?dry_run=1', csv);
  assert.equal(r.status, 200, r.text);
  rows.forEach(([phone, why], i) => {
    const row = r.json.rows.find((x) => x.line === i + 2);
    if (!why) assert.deepEqual(row.errors, [], phone);
    else {
      assert.equal(row.errors[0].column, '手机', phone);
      assert.match(row.errors[0].message, why, phone);
    }
  });
});

test('names that would spoof a printed list are refused in the import, the rest normalised', async () => {
  const names = [
    ['张\u202e三', /text direction/], ['李\u200b四', /zero-width/], ['王\u2066五', /text direction/],
    ['\u00a0', /empty or only spaces/], ['\u3000 ', /empty or only spaces/], ['Jose\u0301', null],
  ];
  const csv = ['楼组,房号,姓名', ...names.map(([n], i) => `101号,N${i},"${n}"`), '101号,N9,"赵\n六"'].join('\n') + '\n';
  const r = await upload(fresh, '?dry_run=1', Buffer.from(csv, 'utf8'));
  assert.equal(r.status, 200, r.text);
  names.forEach(([n, why], i) => {
    const row = r.json.rows.find((x) => x.line === i + 2);
    if (!why) assert.deepEqual(row.errors, [], JSON.stringify(n));
    else {
      assert.deepEqual(row.errors.map((e) => [e.column, e.field]), [['姓名', 'name']], JSON.stringify(n));
      assert.match(row.errors[0].message, why);
    }
  });
  const nl = r.json.rows.find((x) => x.line === 8);
  assert.match(nl.errors[0].message, /line breaks/);
  // Zone, block and room names are printed too.
  const places = await upload(fresh, '?dry_run=1', Buffer.from('片区,楼组,房号,姓名\n第\u202e3片区,12号,1,甲\n第3片区,9\u200b号,2,乙\n第3片区,11号,3\u2066,丙\n', 'utf8'));
  assert.equal(places.status, 200, places.text);
  assert.deepEqual(places.json.rows.map((x) => x.errors.map((e) => e.field)), [['zone'], ['block'], ['room']]);
  assert.match(places.json.rows[0].errors[0].message, /text direction/);
  // A BOM inside a cell (the file's own BOM is not part of a cell)
  const bom = await upload(fresh, '?dry_run=1', Buffer.from('楼组,房号,姓名\n101号,B1,\ufeff钱七\n', 'utf8'));
  assert.match(bom.json.rows[0].errors[0].message, /BOM/);
});

test('forms: names and phones follow the same rules, with the field named', async () => {
  const blocks = await blocksOf(fresh);
  const h = await fresh.post('/api/v1/households', { block_id: blocks[0].id, room: 'F101' });
  assert.equal(h.status, 201, h.text);
  const household_id = h.json.household.id;
  for (const [name, why] of [['\u202eabc', /text direction/], ['赵\n六', /line breaks/], [' \u00a0', /empty/],
    ['孙\ufeff八', /BOM/]]) {
    const r = await fresh.post('/api/v1/residents', { household_id, name });
    assertError(r, 400, 'validation_failed', 'name');
    assert.match(r.json.error.message, why);
  }
  const zh = await freshZh.post('/api/v1/residents', { household_id, name: '张\u202e三' });
  assertError(zh, 400, 'validation_failed', 'name');
  assert.match(zh.json.error.message, /姓名不能包含改变文字方向的字符/);
  const bad = await fresh.post('/api/v1/residents', { household_id, name: '周九', phone: '1390013900' });
  assertError(bad, 400, 'validation_failed', 'phone');
  assert.match(bad.json.error.message, /11 digits/);
  const hh = await fresh.patch(`/api/v1/households/${household_id}`, { phone: '64001234' });
  assertError(hh, 400, 'validation_failed', 'phone');
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM residents WHERE household_id = ${household_id}`), 0, 'refused forms wrote nothing');

  const ok = await fresh.post('/api/v1/residents', { household_id, name: '  Jose\u0301  Garci\u0301a ', phone: '+85291234567' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.resident.name, 'Jos\u00e9 Garc\u00eda');
  assert.equal(ok.json.resident.phone, '+85291234567');
});

test('the demo community has a leader on every block and a leader and deputy in every zone', async () => {
  const tiles = (await demo.get('/api/v1/dashboard')).json.tiles;
  assert.equal(tiles.find((x) => x.key === 'blocks_without_leader')?.value, 0);
  const demoId = demo.me.user.community_id;
  const blocks = dbInt(srv.db, `SELECT COUNT(*) FROM blocks WHERE community_id = ${demoId}`);
  assert.equal(blocks, 62);
  assert.equal(dbInt(srv.db, `SELECT COUNT(DISTINCT block_id) FROM structure_leaders WHERE community_id = ${demoId} AND position = 'leader'`), 62);
  const zones = dbRows(srv.db, `SELECT z.name, (SELECT COUNT(*) FROM structure_leaders s WHERE s.zone_id = z.id AND s.position = 'leader'), (SELECT COUNT(*) FROM structure_leaders s WHERE s.zone_id = z.id AND s.position = 'deputy') FROM zones z WHERE z.community_id = ${demoId} ORDER BY z.sort_order`);
  assert.equal(zones.length, 6);
  for (const [name, leaders, deputies] of zones) assert.deepEqual([leaders, deputies], ['1', '1'], name);
  // most posts are held by residents without an account
  const withoutAccount = dbInt(srv.db, `SELECT COUNT(*) FROM structure_leaders WHERE community_id = ${demoId} AND user_id IS NULL`);
  const all = dbInt(srv.db, `SELECT COUNT(*) FROM structure_leaders WHERE community_id = ${demoId}`);
  assert.ok(withoutAccount > all * 0.9, `${withoutAccount} of ${all}`);
});
