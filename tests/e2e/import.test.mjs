// The registry import page in a real browser against the real server: the committee
// uploads a GBK CSV with bad rows, reads them by line and column, uploads the fixed
// file, imports it with the job's progress, and the API then finds the residents.
// Also: a file with headers the vocabulary does not know is imported through the
// column mapping, and only the committee reaches the page.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Client } from '../lib/server.mjs';


// The demo server and one browser for this file, stopped after it.
const env = useServerAndBrowser();

function openPage(t) {
  return newPage(env.browser, t, env.server.url);
}

// A valid GB 11643 number (region 110105 is not drawn by the demo).
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function cnId(y, m, d, seq, region = '110105') {
  const body = `${region}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
  const sum = [...body].reduce((a, c, i) => a + Number(c) * WEIGHTS[i], 0);
  return body + '10X98765432'[sum % 11];
}
function badCheckDigit(id) {
  return id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
}
function gbk(text) {
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(text, 'utf8') });
}

const PEOPLE = [
  { block: '1号楼1单元', room: 'E701', name: '严素芬', gender: '女', birth: '1949', phone: '13811110001', id: cnId(1949, 5, 6, 701) },
  { block: '1号楼1单元', room: 'E701', name: '严国强', gender: '男', birth: '1947', phone: '', id: cnId(1947, 1, 9, 702) },
  { block: '1号楼2单元', room: 'E702', name: '葛小燕', gender: '女', birth: '1990-04-01', phone: '13811110002', id: cnId(1990, 4, 1, 703) },
  { block: '1号楼2单元', room: 'E703', name: '葛海', gender: '男', birth: '1988', phone: '13811110003', id: '' },
];

// Line 3 gets a wrong check digit and line 5 loses its room when `bad`.
function csv(bad) {
  const lines = ['楼组,房号,姓名,性别,出生年份,手机,身份证号,备注'];
  PEOPLE.forEach((p, index) => {
    const id = bad && index === 1 ? badCheckDigit(p.id) : p.id;
    const room = bad && index === 3 ? '' : p.room;
    lines.push([p.block, room, p.name, p.gender, p.birth, p.phone, id, '测试'].join(','));
  });
  return gbk(lines.join('\r\n') + '\r\n');
}

test('committee: a GBK CSV with bad rows, then the fixed file, imported with progress', async (t) => {
  const page = await openPage(t);
  await login(page, env.server.url, 'committee');
  await page.getByTestId('link-import').click();
  await page.getByTestId('import-page').waitFor();
  assert.equal(new URL(page.url()).pathname, '/registry/import');

  // Checking before choosing a file says so beside the file field.
  await page.getByTestId('import-check').click();
  await page.getByTestId('import-error').waitFor();

  await page.getByTestId('import-file').setInputFiles({ name: '名册.csv', mimeType: 'text/csv', buffer: csv(true) });
  await page.getByTestId('import-check').click();
  const report = page.getByTestId('import-report');
  await report.waitFor();
  assert.equal(await report.getAttribute('data-dry-run'), 'true');
  assert.match(await report.textContent(), /GB18030/i, 'the detected encoding is shown');
  assert.equal((await page.getByTestId('import-report-rows').textContent()).trim(), '4');
  assert.equal((await page.getByTestId('import-report-errors').textContent()).trim(), '2');

  // Every bad row with its line, column and a reason in Chinese (the UI language).
  const bad = await page.getByTestId('import-bad-row').evaluateAll((rows) => rows.map((row) => ({
    line: row.getAttribute('data-line'), column: row.getAttribute('data-column'), text: row.textContent })));
  assert.deepEqual(bad.map((b) => [b.line, b.column]), [['3', '身份证号'], ['5', '房号']]);
  assert.match(bad[0].text, /第 3 行/);
  assert.match(bad[0].text, /校验/, `Chinese reason: ${bad[0].text}`);
  assert.match(bad[1].text, /第 5 行/);
  assert.match(bad[1].text, /[\u4e00-\u9fff]/);

  // The detected mapping is shown for confirmation; the real import is not offered.
  await page.getByTestId('import-mapping').waitFor();
  // Every required column was found, so the editor is folded away until asked for.
  assert.equal(await page.getByTestId('import-map-room').count(), 0);
  await page.getByTestId('import-mapping-toggle').click();
  assert.equal(await page.getByTestId('import-map-id_number').inputValue(), '身份证号');
  assert.equal(await page.getByTestId('import-map-room').inputValue(), '房号');
  assert.equal(await page.getByTestId('import-map-zone').inputValue(), '');
  const mapped = await page.getByTestId('import-mapped').locator('li').evaluateAll((items) =>
    items.map((item) => item.getAttribute('data-field')));
  assert.deepEqual(mapped, ['block', 'room', 'name', 'gender', 'birth', 'phone', 'id_number']);
  assert.ok(await page.getByTestId('import-run').isDisabled(), 'import is refused while rows are bad');
  await page.getByTestId('import-fix-first').waitFor();
  await assertFitsPhone(page, 'the report');

  // Nothing was written by the check.
  const api = new Client(env.server.url);
  await api.login('committee');
  const none = await api.get(`/api/v1/residents?q=${encodeURIComponent('严素芬')}`);
  assert.equal(none.json.items.length, 0);

  await page.getByTestId('import-file').setInputFiles({ name: '名册-改.csv', mimeType: 'text/csv', buffer: csv(false) });
  await page.getByTestId('import-check').click();
  await page.getByTestId('import-report').waitFor();
  assert.equal((await page.getByTestId('import-report-errors').textContent()).trim(), '0');
  assert.equal((await page.getByTestId('import-report-residents_new').textContent()).trim(), '4');
  assert.equal((await page.getByTestId('import-report-households_new').textContent()).trim(), '3');
  assert.equal(await page.getByTestId('import-bad-row').count(), 0);

  const started = page.waitForResponse((response) =>
    new URL(response.url()).pathname === '/api/v1/registry/import' && response.request().method() === 'POST');
  await page.getByTestId('import-run').click();
  const answer = await started;
  assert.equal(answer.status(), 202, 'the import runs as a background job');
  assert.equal(new URL(answer.url()).searchParams.get('async'), '1');
  const progress = page.getByTestId('job-progress');
  await progress.waitFor();
  await page.waitForSelector('[data-testid="job-progress"][data-state="done"]');
  const result = page.getByTestId('import-result');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-dry-run'), 'false');
  assert.equal((await page.getByTestId('import-result-residents_new').textContent()).trim(), '4');
  assert.equal((await page.getByTestId('import-result-households_new').textContent()).trim(), '3');
  assert.equal((await page.getByTestId('import-result-errors').textContent()).trim(), '0');
  assert.match(await progress.textContent(), /4/, 'the progress names the rows');

  // The residents exist, in the right rooms, with the ID number masked.
  for (const person of PEOPLE) {
    const found = await api.get(`/api/v1/residents?q=${encodeURIComponent(person.name)}`);
    assert.equal(found.status, 200, found.text);
    const item = found.json.items.find((r) => r.name === person.name);
    assert.ok(item, `${person.name} imported`);
    assert.equal(item.room.endsWith(person.room), true, `${person.name} in ${item.room}`);
    assert.equal(item.block_name, person.block);
    if (person.id) assert.equal(item.id_masked.slice(-4), person.id.slice(-4));
  }
  assert.deepEqual(page.pageErrors, []);
});

test('committee: unknown headers are mapped by hand, then the file checks clean', async (t) => {
  const page = await openPage(t);
  await login(page, env.server.url, 'committee');
  await page.goto('/registry/import');
  await page.getByTestId('import-page').waitFor();
  const file = Buffer.from('Building,Flat,Full name\n2号楼1单元,M801,测试映射\n', 'utf8');
  await page.getByTestId('import-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: file });
  await page.getByTestId('import-check').click();

  // The server's refusal is shown beside the mapping, with the missing fields marked.
  await page.getByTestId('import-mapping-error').waitFor();
  assert.match(await page.getByTestId('import-mapping-error').textContent(), /房号/);
  assert.equal(await page.getByTestId('import-map-room').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('import-map-block').inputValue(), 'Building');
  await page.getByTestId('import-map-room').selectOption('Flat');
  await page.getByTestId('import-map-name').selectOption('Full name');
  await page.getByTestId('import-recheck').click();
  await page.getByTestId('import-report').waitFor();
  assert.equal((await page.getByTestId('import-report-residents_new').textContent()).trim(), '1');
  assert.equal((await page.getByTestId('import-report-errors').textContent()).trim(), '0');
  assert.equal(await page.getByTestId('import-mapping-error').count(), 0);
  assert.equal(await page.getByTestId('import-run').isDisabled(), false);
  assert.deepEqual(page.pageErrors, []);
});

test('leaders have no import page or link', async (t) => {
  const page = await openPage(t);
  await login(page, env.server.url, 'zone');
  await page.getByTestId('home-zone_leader').waitFor();
  assert.equal(await page.getByTestId('link-import').count(), 0);
  await page.goto('/registry/import');
  await page.getByTestId('not-found').waitFor();
  assert.deepEqual(page.pageErrors, []);
});

// A sheet as a committee keeps it on day one: a zone and a courtyard the community does
// not have yet, the person type and a flag column, and a birth date that differs from
// the ID number. The check lists what the import will make and the row to confirm; the
// import waits for the confirmation, and makes the block with the kind chosen.
function dayOneSheet() {
  return gbk([
    '片区,楼组,房号,姓名,出生日期,身份证号,人员类型,独居老人',
    `七片区,E1号院,E101,柏素琴,1950-05-06,${cnId(1950, 5, 6, 811)},户籍,√`,
    `七片区,E1号院,E102,柏海,1980-01-02,${cnId(1980, 1, 3, 812)},流动,`,
  ].join('\r\n') + '\r\n');
}

test('committee: new zone and courtyard, person type and flag columns, a date to confirm', async (t) => {
  const page = await openPage(t);
  await login(page, env.server.url, 'committee');
  await page.goto('/registry/import');
  await page.getByTestId('import-page').waitFor();
  await page.getByTestId('import-file').setInputFiles({ name: '新名册.csv', mimeType: 'text/csv', buffer: dayOneSheet() });
  await page.getByTestId('import-check').click();
  await page.getByTestId('import-report').waitFor();

  // The new columns are mapped like the others.
  const mapped = await page.getByTestId('import-mapped').locator('li').evaluateAll((items) =>
    items.map((item) => item.getAttribute('data-field')));
  assert.deepEqual(mapped, ['block', 'zone', 'room', 'name', 'birth', 'id_number', 'person_type', 'alone_elderly']);
  await page.getByTestId('import-mapping-toggle').click();
  assert.equal(await page.getByTestId('import-map-person_type').inputValue(), '人员类型');
  assert.equal(await page.getByTestId('import-map-alone_elderly').inputValue(), '独居老人');

  // What the import will make, with its households.
  assert.equal((await page.getByTestId('import-report-zones_new').textContent()).trim(), '1');
  assert.equal((await page.getByTestId('import-report-blocks_new').textContent()).trim(), '1');
  assert.equal(await page.getByTestId('import-new-zone').getAttribute('data-name'), '七片区');
  const block = page.getByTestId('import-new-block');
  assert.equal(await block.getAttribute('data-name'), 'E1号院');
  assert.match(await block.textContent(), /楼栋.*2 户/);

  // The row to confirm, on its line and column; the import waits for the yes.
  assert.equal((await page.getByTestId('import-report-warnings').textContent()).trim(), '1');
  const warning = page.getByTestId('import-warning-row');
  assert.equal(await warning.getAttribute('data-line'), '3');
  assert.equal(await warning.getAttribute('data-column'), '出生日期');
  assert.match(await warning.textContent(), /1980-01-03/);
  assert.ok(await page.getByTestId('import-run').isDisabled(), 'not before the warning is accepted');
  await page.getByTestId('import-block-kind-select').selectOption('courtyard');
  assert.match(await block.textContent(), /院落/);
  await page.getByTestId('import-accept-box').check();
  assert.equal(await page.getByTestId('import-run').isDisabled(), false);
  await assertFitsPhone(page, 'the report with new blocks and warnings');

  const started = page.waitForResponse((response) =>
    new URL(response.url()).pathname === '/api/v1/registry/import' && response.request().method() === 'POST');
  await page.getByTestId('import-run').click();
  const answer = await started;
  assert.equal(answer.status(), 202);
  const query = new URL(answer.url()).searchParams;
  assert.equal(query.get('accept_warnings'), '1');
  assert.equal(query.get('block_kind'), 'courtyard');
  await page.waitForSelector('[data-testid="job-progress"][data-state="done"]');
  await page.getByTestId('import-result').waitFor();
  assert.equal((await page.getByTestId('import-result-residents_new').textContent()).trim(), '2');
  assert.equal((await page.getByTestId('import-result-blocks_new').textContent()).trim(), '1');

  const api = new Client(env.server.url);
  await api.login('committee');
  const blocks = await api.get('/api/v1/blocks?limit=500');
  const made = blocks.json.items.find((b) => b.name === 'E1号院');
  assert.ok(made, 'the block was made');
  assert.deepEqual([made.kind, made.zone_name, made.households], ['courtyard', '七片区', 2]);
  const found = await api.get(`/api/v1/residents?q=${encodeURIComponent('柏素琴')}`);
  const flags = await api.get(`/api/v1/residents/${found.json.items[0].id}/flags`);
  assert.deepEqual(flags.json.items.map((f) => f.flag), ['alone_elderly']);
  assert.deepEqual(page.pageErrors, []);
});

test('a block leader\'s home names the block and the household, not their numbers', async (t) => {
  const page = await openPage(t);
  await login(page, env.server.url, 'block');
  await page.getByTestId('home-block_leader').waitFor();
  const scopes = page.getByTestId('role-scope');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="role-scope"]')]
    .every((el) => !el.textContent.includes('#')));
  const texts = await scopes.evaluateAll((els) => els.map((el) => [el.getAttribute('data-scope').split(':')[0], el.textContent]));
  const byKind = Object.fromEntries(texts);
  assert.equal(byKind.block, '1号楼1单元');
  assert.match(byKind.household, /^1号楼1单元\d+$/);
  assert.deepEqual(page.pageErrors, []);
});
