// Sweeps (排摸) in a real browser against the real server: the committee builds a sweep
// of one block (a server error shown beside its field on the way), opens it; the block
// leader records every household of that block on a 360 px phone (answered, not at
// home, refused, then the not-at-home one again); the committee sees the block at 100%,
// an empty not-reached list, and the results CSV with the answers.
import { newPage, login, assertFitsPhone, PHONE, DESKTOP, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { parseCsv } from '../lib/api-helpers.mjs';

const TITLE = '返沪人员排摸（楼组测试）';

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
  await page.getByTestId('question-0-key').fill('returned');
  await page.getByTestId('question-0-required').check();
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
  await page.getByTestId('question-1-key').fill('from_city');
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
  assert.deepEqual(sweep.questions.map((q) => [q.key, q.type]), [['returned', 'yes_no'], ['from_city', 'choice']]);
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
    const seen = outcomes.get(household) || [];
    if (seen.length === 0) distinct += 1;
    if (step === 0) await assertFitsPhone(page, 'record page');

    let outcome;
    if (seen.length === 0 && distinct === 1) {
      outcome = 'answered';
      // Answered without the required question: the error stands under that question.
      await page.getByTestId('outcome-answered').click();
      await page.getByTestId('record-save').click();
      await page.getByTestId('error-returned').waitFor();
      await page.getByTestId('answer-returned-true').click();
      await page.getByTestId('answer-from_city-武汉').click();
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
      await page.getByTestId('answer-returned-false').click();
      await page.getByTestId('method-phone').click();
    }
    outcomes.set(household, [...seen, outcome]);
    await page.getByTestId('record-save').click();
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
