// The registry's "done when" story, start to end, in a real browser against the real
// server and the demo community: a committee user imports a GBK CSV exported from Excel
// with a few bad rows, reads the dry-run report, fixes the file, imports it, finds a
// resident by the last digits of the phone, prints the call list of one block, runs a
// sweep of that block to 100%; then the block's leader sees only that block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { newPage, login, assertFitsPhone, DESKTOP, useServerAndBrowser } from '../lib/browser.mjs';
import { loggedIn, createUser, walkList } from '../lib/api-helpers.mjs';

// Two new units of a building the demo does not have, so that every figure below comes
// from this file alone.
const BLOCKS = ['32号楼1单元', '32号楼2单元'];
const ROOMS = ['101', '102', '201', '202', '301'];
const SURNAMES = ['陈', '林', '黄', '吴', '徐', '孙', '朱', '马', '胡', '郭'];
const GIVEN = [['建国', '桂英', '志强', '雨萱'], ['德华', '秀兰', '伟', '子涵']];

// A valid GB 11643 number (region 310115, Pudong; the demo draws other regions).
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function cnId(year, month, day, seq) {
  const body = `310115${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
  const sum = [...body].reduce((a, c, i) => a + Number(c) * WEIGHTS[i], 0);
  return body + '10X98765432'[sum % 11];
}

// 40 people: two blocks of five households of four (two parents, a grandparent, a
// child without a phone of their own). Tails of the phones are 4000, 4113, 4226, …
// so that each is unique in this file.
const PEOPLE = [];
for (let i = 0; i < 40; i++) {
  const block = BLOCKS[Math.floor(i / 20)];
  const household = Math.floor(i / 4);
  const member = i % 4;
  const year = [1968, 1970, 1942, 2012][member];
  PEOPLE.push({
    block,
    room: ROOMS[household % 5],
    name: SURNAMES[household] + GIVEN[household % 2][member],
    gender: member % 2 === 0 ? '男' : '女',
    birth: member === 0 ? String(year) : `${year}/${1 + (i % 12)}/${1 + (i % 28)}`,
    phone: member === 3 ? '' : `1390071${4000 + i * 113}`,
    id: member === 1 ? '' : cnId(year, 1 + (i % 12), 1 + (i % 28), 100 + i),
    relation: ['户主', '配偶', '父亲', '子女'][member],
    status: household % 5 === 4 ? '出租' : '自住',
    note: member === 2 ? '"独居,需关注"' : '',
  });
}

// The three rows Excel users get wrong, by index in PEOPLE; the file line is index + 2.
const BAD = [
  { index: 6, column: '身份证号', spoil: (p) => ({ ...p, id: p.id.slice(0, 17) + (p.id[17] === '0' ? '1' : '0') }) },
  { index: 17, column: '房号', spoil: (p) => ({ ...p, room: '' }) },
  { index: 30, column: '手机', spoil: (p) => ({ ...p, phone: '12812345678' }) },
];

// What Chinese Excel saves as "CSV": GB18030 bytes, CRLF, a Chinese header row.
function csvFile(withMistakes) {
  const lines = ['楼组,房号,姓名,性别,出生日期,手机,身份证号,与户主关系,居住状态,备注'];
  PEOPLE.forEach((person, index) => {
    const bad = withMistakes ? BAD.find((b) => b.index === index) : null;
    const p = bad ? bad.spoil(person) : person;
    lines.push([p.block, p.room, p.name, p.gender, p.birth, p.phone, p.id, p.relation, p.status, p.note].join(','));
  });
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(lines.join('\r\n') + '\r\n', 'utf8') });
}

// The demo server and one browser for this file, stopped after it.
const env = useServerAndBrowser();

async function get(client, path) {
  const res = await client.get(path);
  assert.equal(res.status, 200, `${path}: ${res.status} ${String(res.text).slice(0, 200)}`);
  return res.json;
}

// Households and residents of the whole community, as the committee's API counts them.
async function communityTotals(api) {
  const rows = await walkList(api, '/api/v1/registry/counts?by=block');
  return rows.reduce((sum, row) => ({ households: sum.households + row.households, residents: sum.residents + row.residents }),
    { households: 0, residents: 0 });
}

const text = async (locator) => (await locator.textContent()).trim();

// Presses a check button of the import page and waits for the server's dry-run answer
// and then for the report it shows (not the one of the file before).
async function checkFile(page, button) {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/registry/import');
  await page.getByTestId(button).click();
  const answer = await answered;
  assert.equal(answer.status(), 200, await answer.text());
  assert.equal(new URL(answer.url()).searchParams.get('dry_run'), '1', 'a check never writes');
  const rows = String((await answer.json()).summary.rows);
  await page.waitForFunction((n) => document.querySelector('[data-testid="import-report-rows"]')?.textContent.trim() === n, rows);
  return answer;
}

test('the registry story: import with a dry run, search, call list, sweep, block leader scope', async (t) => {
  // How long each part took, printed at the end (the whole must stay well under a minute).
  let last = Date.now();
  const took = [];
  const mark = (part) => { const now = Date.now(); took.push(`${part} ${now - last} ms`); last = now; };
  const api = await loggedIn(env.server.url, 'committee', undefined, 'zh-CN');
  // The committee has set up the two units in the first zone before importing people
  // (through the API: an import matches blocks by name and no page creates blocks).
  const [zone] = (await get(api, '/api/v1/zones?limit=1')).items;
  const blockIds = [];
  for (const name of BLOCKS) {
    const made = await api.post('/api/v1/blocks', { name, zone_id: zone.id });
    assert.equal(made.status, 201, made.text);
    blockIds.push(made.json.block.id);
  }
  const [blockA, blockB] = blockIds;
  const totals = await communityTotals(api);

  mark('setup');
  // ---- 1. The file with mistakes: the dry run lists them and writes nothing.
  const page = await newPage(env.browser, t, env.server.url, DESKTOP);
  await login(page, env.server.url, 'committee');
  await page.getByTestId('link-import').click();
  await page.getByTestId('import-page').waitFor();
  await page.getByTestId('import-file').setInputFiles({ name: '32号楼名册.csv', mimeType: 'text/csv', buffer: csvFile(true) });
  await checkFile(page, 'import-check');
  const report = page.getByTestId('import-report');
  assert.equal(await report.getAttribute('data-dry-run'), 'true');
  assert.match(await report.textContent(), /GB18030/i);
  assert.equal(await text(page.getByTestId('import-report-rows')), '40');
  assert.equal(await text(page.getByTestId('import-report-errors')), '3');

  // The detected mapping, opened and confirmed as it is.
  await page.getByTestId('import-mapping').waitFor();
  await page.getByTestId('import-mapping-toggle').click();
  const expectedMapping = { block: '楼组', room: '房号', name: '姓名', gender: '性别', birth: '出生日期', phone: '手机',
    id_number: '身份证号', household_status: '居住状态', zone: '' };
  for (const [field, header] of Object.entries(expectedMapping)) {
    assert.equal(await page.getByTestId(`import-map-${field}`).inputValue(), header, `mapping of ${field}`);
  }
  const answer = await checkFile(page, 'import-recheck');
  const sentMapping = JSON.parse(new URL(answer.url()).searchParams.get('mapping'));
  assert.equal(sentMapping.room, '房号', 'the confirmed mapping is what the check used');

  // Each bad row: its line in the file, its column, and the reason in Chinese.
  const badRows = await page.getByTestId('import-bad-row').evaluateAll((rows) => rows.map((row) => ({
    line: Number(row.getAttribute('data-line')), column: row.getAttribute('data-column'), text: row.textContent })));
  assert.deepEqual(badRows.map((b) => [b.line, b.column]), BAD.map((b) => [b.index + 2, b.column]));
  for (const row of badRows) {
    assert.ok(row.text.includes(`第 ${row.line} 行`), row.text);
    assert.match(row.text, /[\u4e00-\u9fff]{2,}$/, `a reason in Chinese: ${row.text}`);
  }
  assert.match(badRows[0].text, /校验/);
  assert.ok(await page.getByTestId('import-run').isDisabled(), 'no import while rows are bad');
  assert.deepEqual(await communityTotals(api), totals, 'the dry run wrote nothing');
  assert.equal((await get(api, `/api/v1/blocks/${blockA}`)).block.residents, 0);

  mark('dry run with bad rows');
  // ---- 2. The fixed file: a clean check, then the import as a job with its progress.
  await page.getByTestId('import-file').setInputFiles({ name: '32号楼名册-改.csv', mimeType: 'text/csv', buffer: csvFile(false) });
  await checkFile(page, 'import-check');
  assert.equal(await text(page.getByTestId('import-report-errors')), '0');
  assert.equal(await text(page.getByTestId('import-report-residents_new')), '40');
  assert.equal(await text(page.getByTestId('import-report-households_new')), '10');
  assert.equal(await page.getByTestId('import-bad-row').count(), 0);
  assert.deepEqual(await communityTotals(api), totals, 'the clean dry run wrote nothing either');
  await page.getByTestId('import-run').click();
  await page.getByTestId('job-progress').waitFor();
  await page.waitForSelector('[data-testid="job-progress"][data-state="done"]');
  await page.getByTestId('import-result').waitFor();
  assert.equal(await page.getByTestId('import-result').getAttribute('data-dry-run'), 'false');
  assert.equal(await text(page.getByTestId('import-result-residents_new')), '40');
  assert.equal(await text(page.getByTestId('import-result-errors')), '0');
  const afterImport = await communityTotals(api);
  assert.deepEqual(afterImport, { households: totals.households + 10, residents: totals.residents + 40 });
  for (const id of blockIds) {
    const block = (await get(api, `/api/v1/blocks/${id}`)).block;
    assert.deepEqual([block.households, block.residents], [5, 20], block.name);
  }
  const rented = (await get(api, `/api/v1/households?block_id=${blockA}&status=rented_out`)).items;
  assert.deepEqual(rented.map((h) => h.room), ['301'], 'the 居住状态 column was read');

  mark('fixed file imported');
  // ---- 3. The registry finds a resident by the last four digits of the phone.
  const wanted = PEOPLE[6];    // the grandparent whose ID number was wrong at first, in block A
  const tail = wanted.phone.slice(-4);
  const expected = (await get(api, `/api/v1/residents?q=${tail}&limit=50`)).items;
  const resident = expected.find((r) => r.name === wanted.name);
  assert.ok(resident && resident.block_id === blockA, `${wanted.name} found by ${tail} through the API`);
  await page.getByTestId('nav-registry').click();
  await page.getByTestId('registry-page').waitFor();
  await page.fill('[data-testid="registry-search"] input[name="q"]', tail);
  await page.getByTestId('search-submit').click();
  await page.waitForURL((url) => url.search.includes(`q=${tail}`));
  const item = page.locator(`[data-testid="resident-item"][data-id="${resident.id}"]`);
  await item.waitFor();
  // Exactly what the API finds, once the list shown before the search has gone.
  await page.waitForFunction((ids) => [...document.querySelectorAll('[data-testid="resident-item"]')]
    .map((n) => n.dataset.id).join() === ids, expected.map((r) => r.id).join());
  await item.locator('a').first().click();
  await page.getByTestId('resident-page').waitFor();
  assert.equal(await text(page.getByTestId('resident-name')), wanted.name);
  assert.equal(await text(page.getByTestId('resident-phone')), wanted.phone);
  assert.ok((await page.getByTestId('resident-id-masked').textContent()).includes(wanted.id.slice(-4)));

  // The import cannot say who has no smartphone: the committee flags it here.
  const flagForm = page.getByTestId('flag-form');
  await flagForm.locator('select[name="flag"]').selectOption('no_smartphone');
  await flagForm.locator('input[name="detail.relay_name"]').fill('楼组长');
  await flagForm.getByTestId('flag-submit').click();
  await page.locator('[data-testid="current-flag"][data-flag="no_smartphone"]').waitFor();

  mark('search and flag');
  // ---- 4. The block's call list, on screen and as it prints.
  const callRows = (await get(api, `/api/v1/blocks/${blockA}/call-list?limit=500`)).items;
  assert.deepEqual(callRows.map((r) => r.id), [resident.id]);
  await page.goto('/registry/blocks');
  await page.getByTestId('blocks-page').waitFor();
  await page.locator(`[data-testid="block-item"][data-id="${blockA}"] a`).click();
  await page.getByTestId('block-page').waitFor();
  assert.equal(await text(page.getByTestId('block-name')), BLOCKS[0]);
  await page.getByTestId('tab-calls').click();
  const callRow = page.getByTestId('call-row');
  await callRow.first().waitFor();
  assert.equal(await callRow.count(), 1);
  assert.ok((await callRow.textContent()).includes(wanted.name));
  assert.ok((await callRow.textContent()).includes(wanted.phone));
  assert.ok((await callRow.textContent()).includes('楼组长'), 'the relay is on the list');
  await page.emulateMedia({ media: 'print' });
  assert.ok(await callRow.isVisible(), 'the row prints');
  assert.ok(await page.getByTestId('block-name').isVisible(), 'the block name prints');
  for (const id of ['main-nav', 'block-sheets', 'call-list-exports']) {
    assert.equal(await page.getByTestId(id).isVisible(), false, `${id} is not printed`);
  }
  await page.emulateMedia({ media: 'screen' });
  // The server's print page holds the same rows.
  const printHref = await page.getByTestId('call-list-exports').getByTestId('export-print').getAttribute('href');
  const printed = await page.request.get(printHref);
  assert.equal(printed.status(), 200);
  assert.match(printed.headers()['content-type'], /html/);
  const printedHtml = await printed.text();
  assert.ok(printedHtml.includes(wanted.name) && printedHtml.includes(wanted.phone), 'the print page lists the resident');

  mark('call list');
  // ---- 5. A sweep of that block, created on the desktop, recorded on a phone.
  await page.goto('/sweeps/new');
  await page.getByTestId('sweep-new-page').waitFor();
  await page.getByTestId('sweep-title').fill('32号楼1单元 返沪排摸');
  await page.getByTestId('question-0-label_zh').fill('近14天是否从外地返沪');
  await page.getByTestId('question-0-required').check();
  await page.getByTestId('target-filter').check();
  await page.getByTestId('target-block').locator(`option[value="${blockA}"]`).waitFor({ state: 'attached' });
  await page.getByTestId('target-block').selectOption(String(blockA));
  await page.getByTestId('sweep-create').click();
  await page.getByTestId('sweep-page').waitFor();
  const sweepId = Number(new URL(page.url()).pathname.split('/').pop());
  assert.ok(sweepId > 0);
  await page.getByTestId('sweep-open').click();
  await page.waitForSelector('[data-testid="sweep-page"][data-state="open"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="remaining-item"]').length === 5);

  const phone = await newPage(env.browser, t, env.server.url);
  await login(phone, env.server.url, 'committee');
  await phone.goto(`/sweeps/${sweepId}/households`);
  await phone.getByTestId('sweep-households-page').waitFor();
  await phone.waitForFunction(() => document.querySelectorAll('[data-testid="household-item"]').length === 5);
  await assertFitsPhone(phone, 'the household list');

  // One household answers, the next is not at home; the list then puts the three never
  // visited first, then the one not at home, and the answered one last.
  const outcomeOrder = () => phone.getByTestId('household-item').evaluateAll((list) => list.map((a) => a.dataset.outcome));
  const recordOne = async (outcome) => {
    const record = phone.getByTestId('sweep-record-page');
    await record.waitFor();
    const household = Number(await record.getAttribute('data-household'));
    await phone.getByTestId(`outcome-${outcome}`).click();
    if (outcome === 'answered') await phone.getByTestId('answer-q1-false').click();
    await phone.getByTestId('record-save').click();
    await phone.waitForFunction((current) => {
      if (document.querySelector('[data-testid="sweep-record-finished"]')) return true;
      const node = document.querySelector('[data-testid="sweep-record-page"]');
      return node && Number(node.getAttribute('data-household')) !== current;
    }, household);
    return household;
  };
  await phone.getByTestId('household-item').first().click();
  await recordOne('answered');
  await recordOne('not_home');
  await phone.goto(`/sweeps/${sweepId}/households`);
  await phone.waitForSelector('[data-testid="households-remaining"][data-remaining="4"]');
  assert.deepEqual(await outcomeOrder(), ['pending', 'pending', 'pending', 'not_home', 'answered']);

  // Then every household still to be reached, in the order offered, until none is left.
  await phone.getByTestId('household-item').first().click();
  for (let step = 0; step < 10 && await phone.getByTestId('sweep-record-finished').count() === 0; step++) {
    await recordOne('answered');
  }
  await phone.getByTestId('sweep-record-finished').waitFor();
  await phone.getByTestId('back-to-households').click();
  await phone.waitForSelector('[data-testid="households-remaining"][data-remaining="0"]');
  assert.equal(await phone.getByTestId('households-progress').getAttribute('aria-valuenow'), '100');
  assert.deepEqual(await outcomeOrder(), Array(5).fill('answered'));

  await page.reload();
  await page.waitForSelector('[data-testid="sweep-total"][data-percent="100"]');
  await page.waitForSelector(`[data-testid="progress-row"][data-block="${blockA}"][data-percent="100"]`);
  await page.getByTestId('remaining-empty').waitFor();
  const progress = (await get(api, `/api/v1/sweeps/${sweepId}`)).sweep.progress;
  assert.deepEqual([progress.targets, progress.answered, progress.remaining, progress.percent], [5, 5, 0, 100]);

  mark('sweep');
  // ---- 6. The block's leader sees that block and nothing else.
  const leader = await createUser(api, { display_name: '32号楼1单元楼组长', roles: [{ role: 'block_leader', scope_id: blockA }] });
  const stranger = PEOPLE[25];   // block B
  const strangerId = (await get(api, `/api/v1/residents?block_id=${blockB}&q=${encodeURIComponent(stranger.name)}`)).items
    .find((r) => r.name === stranger.name).id;
  const demoStranger = (await get(api, '/api/v1/residents?limit=1')).items[0];
  assert.notEqual(demoStranger.block_id, blockA);

  const leaderPage = await newPage(env.browser, t, env.server.url);
  await login(leaderPage, env.server.url, leader.username, leader.password);
  await leaderPage.goto('/registry/blocks');
  await leaderPage.getByTestId('blocks-page').waitFor();
  await leaderPage.getByTestId('block-item').first().waitFor();
  const blocksShown = await leaderPage.getByTestId('block-item').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.id)));
  assert.deepEqual(blocksShown, [blockA]);
  await assertFitsPhone(leaderPage, 'the leader\'s blocks');
  for (const id of [strangerId, demoStranger.id]) {
    await leaderPage.goto(`/registry/residents/${id}`);
    await leaderPage.getByTestId('not-found').waitFor();
  }
  await leaderPage.goto(`/registry/blocks/${blockB}`);
  await leaderPage.getByTestId('not-found').waitFor();
  await leaderPage.goto('/registry');
  await leaderPage.getByTestId('registry-page').waitFor();
  await leaderPage.fill('[data-testid="registry-search"] input[name="q"]', stranger.name);
  await leaderPage.getByTestId('search-submit').click();
  await leaderPage.getByTestId('results-empty').waitFor();
  assert.equal(await leaderPage.getByTestId('resident-item').count(), 0);
  // Their own resident is found by the same kind of search.
  await leaderPage.fill('[data-testid="registry-search"] input[name="q"]', tail);
  await leaderPage.getByTestId('search-submit').click();
  await leaderPage.locator(`[data-testid="resident-item"][data-id="${resident.id}"]`).waitFor();
  const leaderShown = await leaderPage.getByTestId('resident-item').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.id)));
  assert.deepEqual(leaderShown, [resident.id], 'only their block\'s resident with that tail');
  // And the server agrees with what the pages showed.
  const leaderApi = await loggedIn(env.server.url, leader.username, leader.password);
  assert.equal((await leaderApi.get(`/api/v1/residents/${strangerId}`)).status, 404);
  assert.deepEqual((await get(leaderApi, '/api/v1/blocks')).items.map((b) => b.id), [blockA]);

  for (const p of [page, phone, leaderPage]) assert.deepEqual(p.pageErrors, []);
  mark('block leader');
  t.diagnostic(took.join(', '));
});
