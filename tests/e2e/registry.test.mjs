// The registry's pages in a real browser against the real server and the demo
// community: searching, a resident's flags and their history, a block's printable
// lists, what a block leader may and may not see, a resident's own household, English.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loggedIn } from '../lib/api-helpers.mjs';


// The demo server and one browser for this file, stopped after it.
const env = useServerAndBrowser();

// A fresh browser profile on a phone-sized screen; page errors are collected.
function openPage(t) {
  return newPage(env.browser, t, env.server.url);
}

function apiClient(username) {
  return loggedIn(env.server.url, username, undefined, 'zh-CN');
}

async function get(client, path) {
  const res = await client.get(path);
  assert.equal(res.status, 200, `${path}: ${res.status} ${String(res.text).slice(0, 200)}`);
  return res.json;
}

test('committee finds a resident by phone tail, sets and clears a flag, sees the history', async (t) => {
  const api = await apiClient('committee');
  // A resident with a phone and no chronic-illness flag, taken from the server.
  const residents = (await get(api, '/api/v1/residents?limit=200')).items;
  const resident = residents.find((r) => r.phone && r.phone.length >= 8 && !r.flags.includes('chronic_illness'));
  assert.ok(resident, 'a resident with a phone');
  const tail = resident.phone.slice(-4);
  const expected = (await get(api, `/api/v1/residents?q=${tail}&limit=50`)).items.map((r) => r.id);
  assert.ok(expected.includes(resident.id));

  const page = await openPage(t);
  await login(page, env.server.url, 'committee');
  await page.getByTestId('link-registry-search').click();
  await page.getByTestId('registry-page').waitFor();
  // The first load lists the residents in scope before any search.
  await page.getByTestId('resident-item').first().waitFor();
  // A filter the server refuses: its message appears beside that filter.
  const refused = await api.get('/api/v1/residents?id_tail=a%21');
  assert.equal(refused.status, 400);
  await page.getByTestId('search-filters').locator('summary').click();
  await page.fill('[data-testid="registry-search"] input[name="id_tail"]', 'a!');
  await page.getByTestId('search-submit').click();
  const tailError = page.getByTestId('error-id_tail');
  await tailError.waitFor();
  assert.equal((await tailError.textContent()).trim(), refused.json.error.message);
  assert.equal(refused.json.error.field, 'id_tail');
  await page.fill('[data-testid="registry-search"] input[name="id_tail"]', '');

  await page.fill('[data-testid="registry-search"] input[name="q"]', tail);
  await page.getByTestId('search-submit').click();
  await page.waitForURL((url) => url.search.includes(`q=${tail}`));
  const item = page.locator(`[data-testid="resident-item"][data-id="${resident.id}"]`);
  await item.waitFor();
  const shownIds = await page.getByTestId('resident-item').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.id)));
  assert.deepEqual(shownIds, expected, 'the page shows what the API finds');
  assert.ok((await item.textContent()).includes(resident.phone));
  // The export links carry the same search.
  const csv = await page.getByTestId('resident-exports').getByTestId('export-csv').getAttribute('href');
  assert.equal(csv, `/api/v1/residents?q=${tail}&format=csv`);
  await assertFitsPhone(page);

  await item.locator('a').click();
  await page.getByTestId('resident-page').waitFor();
  assert.equal((await page.getByTestId('resident-name').textContent()).trim(), resident.name);
  assert.equal((await page.getByTestId('resident-id-masked').textContent()).includes(resident.id_masked), true);
  assert.ok(!(await page.getByTestId('resident-facts').textContent()).match(/\d{17}[\dX]/), 'no clear ID number');
  await assertFitsPhone(page);

  // A required detail left out: the server's message appears beside that field.
  const form = page.getByTestId('flag-form');
  await form.locator('select[name="flag"]').selectOption('chronic_illness');
  await form.getByTestId('flag-submit').click();
  const fieldError = form.getByTestId('error-detail.condition');
  await fieldError.waitFor();
  assert.ok((await fieldError.textContent()).trim().length > 0);

  await form.locator('input[name="detail.condition"]').fill('高血压');
  await form.locator('input[name="detail.medicine"]').fill('硝苯地平');
  await form.getByTestId('flag-submit').click();
  const current = page.locator('[data-testid="current-flag"][data-flag="chronic_illness"]');
  await current.waitFor();
  assert.ok((await current.textContent()).includes('高血压'));
  let history = (await get(api, `/api/v1/residents/${resident.id}/flags?history=1`)).items;
  const entry = history.find((h) => h.flag === 'chronic_illness' && h.current);
  assert.ok(entry, 'the flag is set on the server');
  assert.equal(entry.detail.condition, '高血压');

  await page.getByTestId('clear-flag-chronic_illness').click();
  await current.waitFor({ state: 'detached' });
  const cleared = page.locator('[data-testid="flag-history-item"][data-flag="chronic_illness"][data-current="false"]');
  await cleared.waitFor();
  const clearedText = await cleared.textContent();
  assert.ok(clearedText.includes('高血压'), clearedText);
  assert.ok(clearedText.includes('陈慧敏'), `who set it: ${clearedText}`);
  assert.ok(clearedText.includes('已解除'), clearedText);
  history = (await get(api, `/api/v1/residents/${resident.id}/flags?history=1`)).items;
  assert.equal(history.filter((h) => h.flag === 'chronic_illness' && h.current).length, 0);
  assert.ok(history.some((h) => h.id === entry.id && h.cleared_at), 'the history keeps the cleared entry');

  // Committee staff may reveal the ID number once; the server audits it.
  await page.getByTestId('reveal-id-button').click();
  const revealed = (await page.getByTestId('revealed-id').textContent()).trim();
  assert.match(revealed, /^[0-9]{17}[0-9X]/);
  assert.ok(revealed.endsWith(resident.id_masked.slice(-4)));
  assert.deepEqual(page.pageErrors, []);
});

test('committee prints a block call list: the print link answers a printable page with the rows', async (t) => {
  const api = await apiClient('committee');
  const blocks = (await get(api, '/api/v1/registry/counts?by=block&limit=500')).items;
  const block = blocks.find((b) => b.no_smartphone > 0);
  assert.ok(block, 'a block with residents without smartphone');
  const rows = (await get(api, `/api/v1/blocks/${block.id}/call-list?limit=500`)).items;
  assert.equal(rows.length, block.no_smartphone);

  const page = await openPage(t);
  await login(page, env.server.url, 'committee');
  await page.goto('/registry/blocks');
  await page.getByTestId('blocks-page').waitFor();
  // Grouped by zone: the demo has zones.
  assert.ok(await page.getByTestId('zone-name').count() > 1);
  await page.locator(`[data-testid="block-item"][data-id="${block.id}"] a`).click();
  await page.getByTestId('block-page').waitFor();
  assert.equal((await page.getByTestId('block-name').textContent()).trim(), block.name);
  assert.equal(await page.getByTestId('door-plates').getAttribute('href'), `/api/v1/blocks/${block.id}/door-plates`);
  assert.equal(await page.getByTestId('personal-codes').getAttribute('href'), `/api/v1/blocks/${block.id}/personal-codes`);
  assert.equal(await page.getByTestId('door-plates').getAttribute('target'), '_blank');

  await page.getByTestId('tab-calls').click();
  await page.getByTestId('call-row').first().waitFor();
  assert.equal(await page.getByTestId('call-row').count(), rows.length);

  const exports = page.getByTestId('call-list-exports');
  assert.equal(await exports.getByTestId('export-xlsx').getAttribute('href'), `/api/v1/blocks/${block.id}/call-list?format=xlsx`);
  const [popup] = await Promise.all([page.waitForEvent('popup'), exports.getByTestId('export-print').click()]);
  await popup.waitForLoadState();
  assert.equal(new URL(popup.url()).pathname, `/api/v1/blocks/${block.id}/call-list`);
  const printed = await popup.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.textContent));
  assert.equal(printed.length, rows.length);
  for (const row of rows) {
    assert.ok(printed.some((line) => line.includes(row.name) && line.includes(row.phone)), `${row.name} printed`);
  }
  const csv = await page.request.get(await exports.getByTestId('export-csv').getAttribute('href'));
  assert.equal(csv.status(), 200);
  const csvText = await csv.text();
  for (const row of rows) assert.ok(csvText.includes(row.name), `${row.name} in CSV`);
  assert.deepEqual(page.pageErrors, []);
});

test('block leader sees only their blocks; another block and its residents stay hidden', async (t) => {
  const api = await apiClient('block');
  const mine = (await get(api, '/api/v1/blocks?limit=500')).items;
  const committee = await apiClient('committee');
  const all = (await get(committee, '/api/v1/blocks?limit=500')).items;
  const other = all.find((b) => !mine.some((m) => m.id === b.id));
  assert.ok(mine.length > 0 && other, 'the demo block leader has blocks and there are others');
  const stranger = (await get(committee, `/api/v1/residents?block_id=${other.id}&limit=1`)).items[0];

  const page = await openPage(t);
  await login(page, env.server.url, 'block');
  assert.equal(await page.getByTestId('nav-registry').count(), 1);
  await page.getByTestId('link-registry-blocks').click();
  await page.getByTestId('blocks-page').waitFor();
  await page.getByTestId('block-item').first().waitFor();
  const shown = await page.getByTestId('block-item').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.id)));
  assert.deepEqual(shown.sort(), mine.map((b) => b.id).sort());
  await assertFitsPhone(page);

  await page.goto(`/registry/blocks/${other.id}`);
  await page.getByTestId('not-found').waitFor();
  await page.goto(`/registry/residents/${stranger.id}`);
  await page.getByTestId('not-found').waitFor();

  await page.goto('/registry');
  await page.getByTestId('registry-page').waitFor();
  await page.fill('[data-testid="registry-search"] input[name="q"]', stranger.name);
  await page.getByTestId('search-submit').click();
  await page.getByTestId('results-empty').waitFor();
  assert.equal(await page.getByTestId('resident-item').count(), 0);
  // The same search by the committee does find them.
  assert.ok((await get(committee, `/api/v1/residents?q=${encodeURIComponent(stranger.name)}`)).items.some((r) => r.id === stranger.id));

  // Their own block opens; only committee staff may move a household to another
  // block, so a block leader's household form offers no block choice.
  await page.goto(`/registry/blocks/${mine[0].id}`);
  await page.getByTestId('block-page').waitFor();
  await page.getByTestId('block-household-row').first().locator('a').first().click();
  await page.getByTestId('household-page').waitFor();
  await page.getByTestId('edit-household').locator('summary').click();
  await page.getByTestId('household-form').waitFor();
  assert.equal(await page.getByTestId('household-form').locator('select[name="block_id"]').count(), 0);
  assert.deepEqual(page.pageErrors, []);
});

test('resident sees their own household and its people', async (t) => {
  const api = await apiClient('resident');
  const [household] = (await get(api, '/api/v1/households')).items;
  const people = (await get(api, `/api/v1/households/${household.id}`)).household.residents_list;

  const page = await openPage(t);
  await login(page, env.server.url, 'resident');
  assert.equal(await page.getByTestId('nav-registry').count(), 0);
  await page.getByTestId('link-registry-my-household').click();
  await page.getByTestId('my-household').waitFor();
  assert.ok((await page.getByTestId('household-room').textContent()).includes(household.room));
  const names = await page.getByTestId('household-resident').locator('.card-title').allTextContents();
  assert.deepEqual(names.map((n) => n.trim()), people.map((p) => p.name));
  // Read-only: no forms, and leader pages are not theirs.
  assert.equal(await page.locator('form').count(), 0);
  await page.goto('/registry');
  await page.getByTestId('not-found').waitFor();
  assert.deepEqual(page.pageErrors, []);
});

test('a block leader who is also a resident sees only their own household there', async (t) => {
  const api = await apiClient('block');
  const own = (await get(api, '/api/v1/me')).user.roles;
  const homes = own.filter((r) => r.role === 'resident').map((r) => r.scope_id);
  assert.equal(homes.length, 1, 'the demo block leader lives in one household');
  assert.ok((await get(api, '/api/v1/households?limit=500')).items.length > 1, 'as a leader they see more households');

  const page = await openPage(t);
  await login(page, env.server.url, 'block');
  await page.goto('/home/resident');
  await page.getByTestId('link-registry-my-household').click();
  await page.getByTestId('my-household').first().waitFor();
  const shown = await page.getByTestId('my-household').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.id)));
  assert.deepEqual(shown, homes);
  assert.deepEqual(page.pageErrors, []);
});

test('household edits show server errors beside the field; a resident is added', async (t) => {
  const api = await apiClient('zone');
  const [household] = (await get(api, '/api/v1/households?limit=1')).items;
  const page = await openPage(t);
  await login(page, env.server.url, 'zone');
  await page.goto(`/registry/households/${household.id}`);
  await page.getByTestId('household-page').waitFor();
  await page.getByTestId('edit-household').locator('summary').click();
  const form = page.getByTestId('household-form');
  await form.locator('input[name="phone"]').fill('12');
  await form.getByTestId('household-save').click();
  await form.getByTestId('error-phone').waitFor();

  await page.getByTestId('add-resident').locator('summary').click();
  const add = page.getByTestId('add-resident-form');
  await add.locator('input[name="name"]').fill('测试居民');
  await add.locator('input[name="phone"]').fill('139123');
  await add.getByTestId('add-resident-submit').click();
  await add.getByTestId('error-phone').waitFor();
  await add.locator('input[name="phone"]').fill('13912340001');
  await add.locator('input[name="birth_year"]').fill('1990');
  await add.getByTestId('add-resident-submit').click();
  await page.getByTestId('resident-page').waitFor();
  assert.equal((await page.getByTestId('resident-name').textContent()).trim(), '测试居民');
  const id = Number(await page.getByTestId('resident-page').getAttribute('data-id'));
  const created = (await get(api, `/api/v1/residents/${id}`)).resident;
  assert.equal(created.household_id, household.id);
  assert.equal(created.phone, '13912340001');
  // Zone leaders may not reveal ID numbers: the button is not offered.
  assert.equal(await page.getByTestId('reveal-id-button').count(), 0);

  // Home isolation: an end before the start is refused beside that field.
  const isolation = page.getByTestId('isolation-form');
  await isolation.locator('input[name="detail.start"]').fill('2026-11-20');
  await isolation.locator('input[name="detail.planned_end"]').fill('2026-11-10');
  await isolation.getByTestId('isolation-submit').click();
  await isolation.getByTestId('error-detail.planned_end').waitFor();
  await isolation.locator('input[name="detail.planned_end"]').fill('2026-12-04');
  await isolation.locator('input[name="detail.reason"]').fill('密接');
  await isolation.getByTestId('isolation-submit').click();
  await page.getByTestId('isolation-current').waitFor();
  assert.ok((await page.getByTestId('isolation-current').textContent()).includes('2026-12-04'));
  const isolated = (await get(api, `/api/v1/residents?isolation=current&q=${encodeURIComponent('测试居民')}`)).items;
  assert.deepEqual(isolated.map((r) => r.id), [id]);

  // Travel: listed after it is added.
  const travel = page.getByTestId('travel-form');
  await travel.locator('input[name="place"]').fill('杭州');
  await travel.locator('input[name="from_date"]').fill('2026-11-01');
  await travel.locator('input[name="to_date"]').fill('2026-11-03');
  await travel.getByTestId('travel-submit').click();
  await page.getByTestId('travel-item').first().waitFor();
  assert.ok((await page.getByTestId('travel-item').first().textContent()).includes('杭州'));
  assert.equal((await get(api, `/api/v1/residents/${id}/travel`)).items[0].place, '杭州');

  // Editing: a wrong phone is refused beside the field, a right one is saved.
  await page.getByTestId('edit-resident').locator('summary').click();
  const edit = page.getByTestId('resident-form');
  await edit.locator('input[name="phone"]').fill('abc');
  await edit.getByTestId('resident-save').click();
  await edit.getByTestId('error-phone').waitFor();
  await edit.locator('input[name="phone"]').fill('13912340002');
  await edit.getByTestId('resident-save').click();
  await edit.getByTestId('resident-saved').waitFor();
  // The record reloads after the save.
  await page.waitForFunction(() => document.querySelector('[data-testid="resident-phone"]').textContent.trim() === '13912340002');
  assert.equal((await get(api, `/api/v1/residents/${id}`)).resident.phone, '13912340002');
  await assertFitsPhone(page);

  // Moving out keeps the record, marked moved out.
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByTestId('move-out').click();
  await page.getByTestId('moved-out').waitFor();
  assert.equal((await get(api, `/api/v1/residents/${id}`)).resident.moved_out, true);
  assert.deepEqual(page.pageErrors, []);
});

test('the registry pages work in English', async (t) => {
  const page = await openPage(t);
  await login(page, env.server.url, 'zone');
  await page.goto('/registry/blocks');
  const heading = page.getByTestId('blocks-page').locator('h1');
  await heading.waitFor();
  assert.equal((await heading.textContent()).trim(), '楼组');
  await page.getByTestId('language-toggle').click();
  await page.getByText('Blocks', { exact: true }).first().waitFor();
  assert.equal((await heading.textContent()).trim(), 'Blocks');
  await page.getByTestId('nav-registry').click();
  await page.getByTestId('registry-page').waitFor();
  assert.equal((await page.getByTestId('registry-page').locator('h1').textContent()).trim(), 'Residents and households');
  assert.equal((await page.getByTestId('tab-households').textContent()).trim(), 'Households');
  await page.getByTestId('tab-households').click();
  await page.getByTestId('household-item').first().waitFor();
  assert.ok((await page.getByTestId('household-item').first().textContent()).match(/people/));
  assert.deepEqual(page.pageErrors, []);
});
