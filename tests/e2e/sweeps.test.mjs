// Sweeps (排摸) in a real browser against the real server: the committee builds a sweep
// of one block (a server error shown beside its field on the way), opens it; the block
// leader records every household of that block on a 360 px phone (answered, not at
// home, refused, then the not-at-home one again), seeing who lives there and each save
// confirmed; the committee sees the block at 100%, an empty not-reached list, the tally
// per answer with the households behind a count, and the results CSV with the answers.
// A template fills a sweep of the 独居老人 households; a closed sweep's households not
// reached become a follow-up, a draft that is edited and deleted. Screenshots of the
// recording and results pages at 360 px go to tests/output/screenshots/.
import { newPage, login, assertFitsPhone, PHONE, DESKTOP, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../lib/server.mjs';
import { parseCsv } from '../lib/api-helpers.mjs';

const TITLE = '返沪人员排摸（楼组测试）';
const SHOTS = join(process.cwd(), 'output', 'screenshots');
// A time as the server sends it in JSON ("…T08:11:00Z"); never on a page.
const UTC_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?Z/;

// No UTC instant and no untranslated catalogue key on the page.
async function assertReadable(page, what) {
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, UTC_TIME, `${what}: a UTC time`);
  assert.doesNotMatch(text, /\b(sweeps|registry)\.[a-z_.]+/, `${what}: a catalogue key`);
}

async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(statSync(file).size > 5000, `${name}: a screenshot with content`);
}

let blockId;
let blockHouseholds;   // household ids of the block leader's block
let sweepId;

// The demo server and one browser for this file, and what the tests share once they are up.
const env = useServerAndBrowser(undefined, async () => {
  const block = new Client(env.server.url);
  const me = (await block.login('block')).json;
  blockId = me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const committee = new Client(env.server.url);
  await committee.login('committee');
  const households = await committee.get(`/api/v1/households?block_id=${blockId}&limit=500`);
  assert.equal(households.status, 200, households.text);
  blockHouseholds = households.json.items.map((h) => h.id);
  assert.ok(blockHouseholds.length >= 4, `block ${blockId} has ${blockHouseholds.length} households`);
});

function openPage(t, viewport = PHONE) {
  return newPage(env.browser, t, env.server.url, viewport);
}

test('committee builds a sweep of one block and opens it', async (t) => {
  const page = await openPage(t, DESKTOP);
  await login(page, env.server.url, 'committee');
  await page.getByTestId('link-sweeps').click();
  await page.getByTestId('sweeps-page').waitFor();
  await page.getByTestId('sweep-new').click();
  await page.getByTestId('sweep-new-page').waitFor();

  // No title: the server refuses, and its message stands beside the title field.
  await page.getByTestId('question-0-label_zh').fill('近14天是否从外地返沪');
  await page.getByTestId('question-0-label_en').fill('Back in Shanghai within 14 days');
  await page.getByTestId('question-0-required').check();
  // Questions are named by their labels; the field name answers are stored under is never asked.
  assert.equal(await page.locator('[data-testid$="-key"]').count(), 0);
  await page.getByTestId('sweep-create').click();
  const titleError = page.getByTestId('error-title');
  await titleError.waitFor();
  assert.match(await titleError.textContent(), /必填/);
  // Beside the field: in the same form row as the title input.
  assert.equal(await page.locator('.field:has(#sweep-title) [data-testid="error-title"]').count(), 1);
  assert.equal(await page.getByTestId('sweep-title').getAttribute('aria-invalid'), 'true');

  await page.getByTestId('sweep-title').fill(TITLE);
  await page.getByTestId('question-add').click();
  await page.getByTestId('question-1-label_zh').fill('出发城市');
  await page.getByTestId('question-1-label_en').fill('Came from');
  await page.getByTestId('question-1-type').selectOption('choice');
  // A choice question without choices: the error names question 2 and stands under it.
  await page.getByTestId('sweep-create').click();
  await page.getByTestId('error-question-1').waitFor();
  assert.equal(await page.getByTestId('error-title').count(), 0);
  await page.getByTestId('question-1-choices').fill('武汉\n北京\n其他');

  await page.getByTestId('target-filter').check();
  await page.getByTestId('target-block').locator(`option[value="${blockId}"]`).waitFor({ state: 'attached' });
  await page.getByTestId('target-block').selectOption(String(blockId));
  await page.getByTestId('sweep-create').click();

  const sweepPage = page.getByTestId('sweep-page');
  await sweepPage.waitFor();
  assert.equal(await sweepPage.getAttribute('data-state'), 'draft');
  sweepId = Number(new URL(page.url()).pathname.split('/').pop());
  assert.ok(sweepId > 0);
  assert.equal((await page.getByTestId('sweep-title-text').textContent()).trim(), TITLE);
  // The draft says whom it will reach and how many households.
  assert.equal(await page.getByTestId('sweep-target-line').getAttribute('data-count'), String(blockHouseholds.length));
  assert.match(await page.getByTestId('sweep-target-count').textContent(), new RegExp(`^${blockHouseholds.length} 户$`));
  await page.getByTestId('sweep-edit').waitFor();

  await page.getByTestId('sweep-open').click();
  await page.waitForSelector('[data-testid="sweep-page"][data-state="open"]');
  await page.getByTestId('sweep-close').waitFor();
  // The progress table holds exactly the one block, nothing reached yet.
  await page.waitForSelector('[data-testid="progress-row"]');
  const rows = await page.getByTestId('progress-row').evaluateAll((list) =>
    list.map((row) => [row.getAttribute('data-block'), row.getAttribute('data-percent')]));
  assert.deepEqual(rows, [[String(blockId), '0']]);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="remaining-item"]').length === n,
    blockHouseholds.length);

  // The server agrees: the sweep targets that block's households.
  const api = new Client(env.server.url);
  await api.login('committee');
  const sweep = (await api.get(`/api/v1/sweeps/${sweepId}`)).json.sweep;
  assert.equal(sweep.state, 'open');
  assert.deepEqual(sweep.target_filter, { block_id: blockId });
  assert.equal(sweep.progress.targets, blockHouseholds.length);
  assert.deepEqual(sweep.questions.map((q) => [q.key, q.type]), [['q1', 'yes_no'], ['q2', 'choice']]);
  assert.deepEqual(page.pageErrors, []);
});

test('block leader records every household of the block on a phone', async (t) => {
  assert.ok(sweepId, 'the sweep of the first test');
  const page = await openPage(t);
  await login(page, env.server.url, 'block');
  await page.getByTestId('link-sweeps').click();
  await page.getByTestId('sweeps-page').waitFor();
  const item = page.locator(`[data-testid="sweep-item"][data-id="${sweepId}"]`);
  await item.waitFor();
  await item.getByTestId('sweep-record-link').click();
  await page.getByTestId('sweep-households-page').waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="household-item"]').length === n,
    blockHouseholds.length);
  const listed = await page.getByTestId('household-item').evaluateAll((list) =>
    list.map((a) => Number(a.getAttribute('data-household'))));
  assert.deepEqual([...listed].sort((a, b) => a - b), [...blockHouseholds].sort((a, b) => a - b));
  await assertFitsPhone(page, 'household list');
  // Tap targets are big enough for a thumb.
  const height = await page.getByTestId('household-item').first().evaluate((a) => a.getBoundingClientRect().height);
  assert.ok(height >= 48, `household button is ${height}px tall`);

  await page.getByTestId('household-item').first().click();
  const outcomes = new Map();   // household id -> outcomes recorded in order
  let distinct = 0;
  for (let step = 0; step < blockHouseholds.length + 3; step++) {
    const record = page.getByTestId('sweep-record-page');
    await record.waitFor();
    const household = Number(await record.getAttribute('data-household'));
    const room = (await page.getByTestId('record-room').textContent()).trim();
    const seen = outcomes.get(household) || [];
    if (seen.length === 0) distinct += 1;
    // Who lives there, with their flags; the registry's people of this household.
    await page.locator('[data-testid="record-residents"], [data-testid="record-no-residents"]').first().waitFor();
    if (step === 0) await assertFitsPhone(page, 'record page');
    if (seen.length > 0) {
      // A second visit: who recorded last and when, on the community's clock.
      const last = await page.getByTestId('record-last').textContent();
      assert.match(last, /上次记录：.+ \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
      await screenshot(page, 'sweep-record-360');
    }
    await assertReadable(page, 'record page');

    let outcome;
    if (seen.length === 0 && distinct === 1) {
      outcome = 'answered';
      // Answered without the required question: the error stands under that question.
      await page.getByTestId('outcome-answered').click();
      await page.getByTestId('record-save').click();
      await page.getByTestId('error-q1').waitFor();
      await page.getByTestId('answer-q1-true').click();
      await page.getByTestId('answer-q2-武汉').click();
      await page.getByTestId('record-note').fill('已居家隔离');
    } else if (seen.length === 0 && distinct === 2) {
      outcome = 'not_home';
      await page.getByTestId('outcome-not_home').click();
    } else if (seen.length === 0 && distinct === 3) {
      outcome = 'refused';
      await page.getByTestId('outcome-refused').click();
    } else {
      outcome = 'answered';
      await page.getByTestId('outcome-answered').click();
      await page.getByTestId('answer-q1-false').click();
      await page.getByTestId('method-phone').click();
    }
    outcomes.set(household, [...seen, outcome]);
    await page.getByTestId('record-save').click();
    // The save is confirmed with the room before (and after) the next household opens.
    await page.waitForFunction((text) => {
      const node = document.querySelector('[data-testid="record-saved"]');
      return node && node.textContent.includes(text);
    }, `已保存 ${room}`);
    // Saved: the next household opens, or the all-done message when none is left.
    await page.waitForFunction((current) => {
      if (document.querySelector('[data-testid="sweep-record-finished"]')) return true;
      const node = document.querySelector('[data-testid="sweep-record-page"]');
      return node && Number(node.getAttribute('data-household')) !== current;
    }, household);
    if (await page.getByTestId('sweep-record-finished').count()) break;
  }
  await page.getByTestId('sweep-record-finished').waitFor();

  // Every household was recorded once, the one not at home twice (then answered).
  assert.equal(outcomes.size, blockHouseholds.length);
  const histories = [...outcomes.values()].map((list) => list.join('>'));
  assert.equal(histories.filter((h) => h === 'not_home>answered').length, 1, histories.join(' '));
  assert.equal(histories.filter((h) => h === 'refused').length, 1);

  await page.getByTestId('back-to-households').click();
  await page.getByTestId('sweep-households-page').waitFor();
  await page.waitForSelector('[data-testid="households-remaining"][data-remaining="0"]');
  const shown = await page.getByTestId('household-item').evaluateAll((list) =>
    list.map((a) => a.getAttribute('data-outcome')));
  assert.ok(!shown.includes('pending') && !shown.includes('not_home'), shown.join(','));

  // The server kept the earlier visit in the household's history.
  const api = new Client(env.server.url);
  await api.login('block');
  const [notHome] = [...outcomes.entries()].find(([, list]) => list.length === 2);
  const history = (await api.get(`/api/v1/sweeps/${sweepId}/households/${notHome}`)).json.household.history;
  assert.deepEqual(history.map((h) => [h.outcome, h.current]), [['answered', true], ['not_home', false]]);
  assert.equal(history[0].method, 'phone');
  assert.deepEqual(page.pageErrors, []);
});

test('committee sees the block at 100%, nobody left, and the answers in the CSV', async (t) => {
  assert.ok(sweepId, 'the sweep of the first test');
  const page = await openPage(t);
  await login(page, env.server.url, 'committee');
  await page.goto(`/sweeps/${sweepId}`);
  await page.getByTestId('sweep-page').waitFor();
  await page.waitForSelector(`[data-testid="progress-row"][data-block="${blockId}"][data-percent="100"]`);
  const row = page.locator(`[data-testid="progress-row"][data-block="${blockId}"]`);
  assert.equal(await row.getAttribute('data-remaining'), '0');
  await page.waitForSelector('[data-testid="sweep-total"][data-percent="100"]');
  await page.getByTestId('remaining-empty').waitFor();
  assert.equal(await page.getByTestId('remaining-item').count(), 0);

  // The tally: 是 once (the 武汉 household), 否 for every other answered household; tapping
  // a count lists the households behind it.
  const tally = page.getByTestId('sweep-tally');
  await tally.waitFor();
  const q1 = tally.locator('[data-testid="tally-question"][data-key="q1"]');
  await q1.locator('[data-testid="tally-row"][data-answer="true"][data-households="1"]').waitFor();
  const noCount = blockHouseholds.length - 2;
  const noRow = q1.locator(`[data-testid="tally-row"][data-answer="false"][data-households="${noCount}"]`);
  await noRow.waitFor();
  assert.equal((await noRow.getByTestId('tally-count').innerText()).replace(/\s+/g, ' ').trim(), `否 ${noCount} 户`);
  await noRow.getByTestId('tally-count').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="tally-household"]').length === n, noCount);
  const wuhanRow = tally.locator('[data-testid="tally-question"][data-key="q2"] [data-testid="tally-row"][data-answer="武汉"]');
  assert.equal(await wuhanRow.getAttribute('data-households'), '1');
  await assertFitsPhone(page, 'sweep page with the tally');
  await assertReadable(page, 'sweep page');
  await screenshot(page, 'sweep-results-360');
  const tallyPrint = await page.request.get(await page.getByTestId('tally-print').getAttribute('href'),
    { headers: { 'Accept-Language': 'zh-CN' } });
  assert.equal(tallyPrint.status(), 200);
  const printed = await tallyPrint.text();
  assert.ok(printed.includes(TITLE), 'the printed tally names the sweep');
  assert.ok(printed.includes('近14天是否从外地返沪'));
  const tallyCsv = await page.request.get(await page.getByTestId('tally-csv').getAttribute('href'),
    { headers: { 'Accept-Language': 'zh-CN' } });
  const tallyRows = parseCsv((await tallyCsv.text()).replace(/^\uFEFF/, ''));
  assert.deepEqual(tallyRows[0], ['问题', '回答', '户数', '已回答户数']);
  assert.ok(tallyRows.some((r) => r[1] === '武汉' && r[2] === '1'), 'the 武汉 count in the CSV');

  await page.getByTestId('progress-by-zone').click();
  await page.waitForSelector('[data-testid="progress-row"][data-zone]:not([data-zone=""])');
  await assertFitsPhone(page, 'sweep page');

  // The export link serves the CSV with one column per question, in Chinese.
  const href = await page.getByTestId('results-csv').getAttribute('href');
  const response = await page.request.get(href, { headers: { 'Accept-Language': 'zh-CN' } });
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /text\/csv/);
  const rows = parseCsv((await response.text()).replace(/^\uFEFF/, ''));
  const header = rows[0];
  const returned = header.indexOf('近14天是否从外地返沪');
  const city = header.indexOf('出发城市');
  assert.ok(returned >= 0 && city >= 0, `question columns in ${header}`);
  assert.equal(rows.length - 1, blockHouseholds.length, 'one line per recorded household');
  const wuhan = rows.filter((r) => r[city] === '武汉');
  assert.equal(wuhan.length, 1);
  assert.equal(wuhan[0][returned], '是');
  assert.ok(rows.some((r) => r.includes('已居家隔离')), 'the note is exported');
  assert.equal(rows.filter((r) => r[returned] === '否').length, blockHouseholds.length - 2);
  const xlsx = await page.request.get(await page.getByTestId('results-xlsx').getAttribute('href'));
  assert.equal(xlsx.status(), 200);
  assert.equal((await xlsx.body()).subarray(0, 2).toString('latin1'), 'PK');
  const print = await page.request.get(await page.getByTestId('remaining-print').getAttribute('href'));
  assert.equal(print.status(), 200);
  assert.match(print.headers()['content-type'], /html/);

  // Closing asks first; dismissing keeps the sweep open, accepting closes it.
  page.once('dialog', (dialog) => dialog.dismiss());
  await page.getByTestId('sweep-close').click();
  await page.waitForTimeout(300);
  assert.equal(await page.getByTestId('sweep-page').getAttribute('data-state'), 'open');
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByTestId('sweep-close').click();
  await page.waitForSelector('[data-testid="sweep-page"][data-state="closed"]');
  const api = new Client(env.server.url);
  await api.login('committee');
  assert.equal((await api.get(`/api/v1/sweeps/${sweepId}`)).json.sweep.state, 'closed');

  // A closed sweep takes no more records: the leader's form says so and cannot save.
  const leader = await openPage(t);
  await login(leader, env.server.url, 'block');
  await leader.goto(`/sweeps/${sweepId}/households/${blockHouseholds[0]}`);
  await leader.getByTestId('sweep-record-page').waitFor();
  assert.ok(await leader.getByTestId('record-save').isDisabled());
  await leader.getByTestId('sweep-not-open').waitFor();
  assert.deepEqual(page.pageErrors, []);
});

test('only the committee builds sweeps; volunteers have no sweep pages', async (t) => {
  const page = await openPage(t);
  await login(page, env.server.url, 'block');
  await page.goto('/sweeps');
  await page.getByTestId('sweeps-page').waitFor();
  assert.equal(await page.getByTestId('sweep-new').count(), 0);
  await page.goto('/sweeps/new');
  // /sweeps/new is the committee's; for a leader the path is a sweep id the server rejects.
  await page.locator('[data-testid="not-found"], [data-testid="error"]').first().waitFor();
  assert.equal(await page.getByTestId('sweep-new-page').count(), 0);

  const other = await openPage(t);
  await login(other, env.server.url, 'volunteer');
  assert.equal(await other.getByTestId('link-sweeps').count(), 0);
  await other.goto('/sweeps');
  await other.getByTestId('not-found').waitFor();
});

test('a template fills a sweep of every 独居老人 household; its draft shows target and count', async (t) => {
  const page = await openPage(t);
  await login(page, env.server.url, 'committee');
  await page.goto('/sweeps/new');
  await page.getByTestId('sweep-new-page').waitFor();
  await page.getByTestId('template-medicine').click();
  assert.equal(await page.getByTestId('sweep-title').inputValue(), '配药需求排摸');
  assert.equal(await page.getByTestId('question-1-type').inputValue(), 'multi');
  assert.match(await page.getByTestId('question-1-choices').inputValue(), /降压药/);
  await page.getByTestId('target-filter').check();
  await page.getByTestId('target-flag').selectOption('alone_elderly');
  await assertFitsPhone(page, 'new sweep form');
  await screenshot(page, 'sweep-new-360');
  await page.getByTestId('sweep-create').click();
  await page.getByTestId('sweep-page').waitFor();
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  const api = new Client(env.server.url);
  await api.login('committee');
  const sweep = (await api.get(`/api/v1/sweeps/${id}`)).json.sweep;
  assert.deepEqual(sweep.target_filter, { flag: 'alone_elderly' });
  assert.ok(sweep.target_count > 0, 'the demo has 独居老人 households');
  assert.equal(await page.getByTestId('sweep-target-line').getAttribute('data-count'), String(sweep.target_count));
  assert.match(await page.getByTestId('sweep-target-line').innerText(), /有.+的住户/);
  await assertReadable(page, 'draft page');
  await screenshot(page, 'sweep-draft-360');
  // The question list shows labels, never the stored field names.
  const shown = await page.locator('main').innerText();
  for (const q of sweep.questions) assert.ok(!shown.includes(q.key), `field name ${q.key} shown`);

  // Deleting the draft asks first, then goes back to the list.
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByTestId('sweep-delete').click();
  await page.getByTestId('sweeps-page').waitFor();
  assert.equal((await api.get(`/api/v1/sweeps/${id}`)).status, 404);
  assert.deepEqual(page.pageErrors, []);
});

test('a closed sweep\'s households not reached become a follow-up in one tap; the draft is edited', async (t) => {
  const api = new Client(env.server.url);
  await api.login('committee');
  const leader = new Client(env.server.url);
  await leader.login('block');
  const ids = blockHouseholds.slice(0, 3);
  const made = await api.post('/api/v1/sweeps', { title: '配药回访', questions: [{ label_zh: '是否需要配药', type: 'yes_no' }],
    target_kind: 'list', household_ids: ids });
  const first = made.json.sweep.id;
  assert.equal((await api.post(`/api/v1/sweeps/${first}/open`, {})).status, 200);
  assert.equal((await leader.req('PUT', `/api/v1/sweeps/${first}/households/${ids[0]}`,
    { outcome: 'answered', answers: { q1: true } })).status, 200);
  assert.equal((await leader.req('PUT', `/api/v1/sweeps/${first}/households/${ids[1]}`, { outcome: 'not_home' })).status, 200);
  assert.equal((await api.post(`/api/v1/sweeps/${first}/close`, {})).status, 200);

  const page = await openPage(t);
  await login(page, env.server.url, 'committee');
  await page.goto(`/sweeps/${first}`);
  await page.waitForSelector('[data-testid="sweep-page"][data-state="closed"]');
  const button = page.getByTestId('sweep-followup');
  assert.match(await button.innerText(), /2 户/);
  await button.click();
  await page.waitForSelector('[data-testid="sweep-page"][data-state="draft"]');
  const followup = Number(new URL(page.url()).pathname.split('/').pop());
  assert.notEqual(followup, first);
  assert.equal((await page.getByTestId('sweep-title-text').textContent()).trim(), '补访：配药回访');
  assert.equal(await page.getByTestId('sweep-target-line').getAttribute('data-count'), '2');
  await page.getByTestId('sweep-followup-of').waitFor();
  const f = (await api.get(`/api/v1/sweeps/${followup}`)).json.sweep;
  assert.deepEqual(f.target_filter.household_ids, [ids[1], ids[2]].sort((a, b) => a - b));

  // The draft is edited: a clearer title, a question added; the target stays.
  await page.getByTestId('sweep-edit').click();
  await page.getByTestId('sweep-new-page').waitFor();
  assert.equal(await page.getByTestId('sweep-title').inputValue(), '补访：配药回访');
  await page.getByTestId('sweep-title').fill('补访：配药回访（晚上）');
  await page.getByTestId('question-add').click();
  await page.getByTestId('question-1-label_zh').fill('需要哪类药');
  await page.getByTestId('question-1-type').selectOption('multi');
  await page.getByTestId('question-1-choices').fill('降压药\n降糖药');
  await page.getByTestId('sweep-create').click();
  await page.waitForSelector('[data-testid="sweep-page"][data-state="draft"]');
  assert.equal((await page.getByTestId('sweep-title-text').textContent()).trim(), '补访：配药回访（晚上）');
  const edited = (await api.get(`/api/v1/sweeps/${followup}`)).json.sweep;
  assert.deepEqual(edited.questions.map((q) => [q.key, q.type]), [['q1', 'yes_no'], ['q2', 'multi']]);
  assert.deepEqual(edited.target_filter.household_ids, f.target_filter.household_ids);
  assert.equal(edited.followup_of, first);

  // The first sweep leads to its follow-up and offers no second one.
  await page.getByTestId('sweep-followup-of').getByRole('link').click();
  await page.waitForSelector('[data-testid="sweep-page"][data-state="closed"]');
  await page.getByTestId('sweep-followup-link').waitFor();
  assert.equal(await page.getByTestId('sweep-followup').count(), 0);
  assert.deepEqual(page.pageErrors, []);
});

test('recording a 独居老人 household shows the flag beside the resident', async (t) => {
  const api = new Client(env.server.url);
  await api.login('committee');
  const made = await api.post('/api/v1/sweeps', { title: '独居老人探访', questions: [{ label_zh: '身体状况是否良好', type: 'yes_no' }],
    target_kind: 'filter', target_filter: { flag: 'alone_elderly' } });
  const id = made.json.sweep.id;
  assert.equal((await api.post(`/api/v1/sweeps/${id}/open`, {})).status, 200);
  const first = (await api.get(`/api/v1/sweeps/${id}/households?limit=1`)).json.items[0];
  const page = await openPage(t);
  await login(page, env.server.url, 'committee');
  await page.goto(`/sweeps/${id}/households/${first.household_id}`);
  await page.getByTestId('record-residents').waitFor();
  const chip = page.locator('[data-testid="record-flag"][data-flag="alone_elderly"]').first();
  await chip.waitFor();
  assert.equal((await chip.textContent()).trim(), '独居老人');
  await assertFitsPhone(page, 'record page with flags');
  await assertReadable(page, 'record page with flags');
  await screenshot(page, 'sweep-record-flags-360');
  assert.deepEqual(page.pageErrors, []);
});

test('the tally counts one block at a time when one is chosen', async (t) => {
  const api = new Client(env.server.url);
  await api.login('committee');
  const made = await api.post('/api/v1/sweeps', { title: '两栋楼统计', questions: [{ label_zh: '家中有人需要配药', type: 'yes_no' }] });
  const id = made.json.sweep.id;
  assert.equal((await api.post(`/api/v1/sweeps/${id}/open`, {})).status, 200);
  const all = (await api.get(`/api/v1/sweeps/${id}/households?limit=500`)).json.items;
  const mine = all.filter((h) => h.block_id === blockId).slice(0, 2);
  const other = all.find((h) => h.block_id !== blockId);
  for (const h of [...mine, other]) {
    const r = await api.req('PUT', `/api/v1/sweeps/${id}/households/${h.household_id}`, { outcome: 'answered', answers: { q1: true } });
    assert.equal(r.status, 200, r.text);
  }
  const page = await openPage(t);
  await login(page, env.server.url, 'committee');
  await page.goto(`/sweeps/${id}`);
  await page.waitForSelector('[data-testid="tally-row"][data-answer="true"][data-households="3"]');
  await page.getByTestId('tally-block').locator(`option[value="${blockId}"]`).waitFor({ state: 'attached' });
  await page.getByTestId('tally-block').selectOption(String(blockId));
  await page.waitForSelector('[data-testid="tally-row"][data-answer="true"][data-households="2"]');
  await page.locator('[data-testid="tally-row"][data-answer="true"] [data-testid="tally-count"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tally-household"]').length === 2);
  const listed = await page.getByTestId('tally-household').evaluateAll((list) => list.map((n) => Number(n.dataset.household)));
  assert.deepEqual(listed.sort((a, b) => a - b), mine.map((h) => h.household_id).sort((a, b) => a - b));
  const print = await page.getByTestId('tally-print').getAttribute('href');
  assert.match(print, new RegExp(`block_id=${blockId}`));
  assert.deepEqual(page.pageErrors, []);
});
