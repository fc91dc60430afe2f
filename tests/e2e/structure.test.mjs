// The structure page in a real browser, on a phone: the committee of a new, empty
// community lays it out (a zone, a building and a courtyard in it, a courtyard without
// a zone), names the building's leader and a courtyard committee of three, and the block
// list shows it all; a block leader of the demo sees the page read-only.
import { newPage, login, assertFitsPhone, PHONE, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/server.mjs';
import { uniq } from '../lib/api-helpers.mjs';

let committee;        // {username, password} of the new community's committee member
const members = [];   // three accounts of the new community

// The demo server and one browser for this file, and what the tests share once they are up.
const env = useServerAndBrowser(undefined, async () => {
  const admin = new Client(env.server.url);
  await admin.login('admin');
  const made = await admin.post('/api/v1/communities', { name: uniq('空社区'), timezone: 'Asia/Shanghai' });
  assert.equal(made.status, 201, made.text);
  const community_id = made.json.community.id;
  committee = { username: uniq('layout-'), password: 'layout-pass-1' };
  const u = await admin.post('/api/v1/users', { ...committee, display_name: '布局员', roles: [{ role: 'committee' }], community_id });
  assert.equal(u.status, 201, u.text);
  // Three residents-to-be of the courtyard who already have accounts (volunteers).
  for (const name of ['院委甲', '院委乙', '院委丙']) {
    const m = await admin.post('/api/v1/users', { username: uniq('cy-'), display_name: name, password: 'member-pass-1',
      roles: [{ role: 'volunteer' }], community_id });
    assert.equal(m.status, 201, m.text);
    members.push(m.json.user);
  }
});

async function chooseAccount(page, slot, name) {
  const box = page.getByTestId(slot);
  await box.getByTestId(`${slot}-mode`).selectOption('user');
  await box.getByTestId(`${slot}-q`).fill(name);
  await box.getByTestId(`${slot}-search`).click();
  await box.getByTestId('structure-result').filter({ hasText: name }).click();
  await box.getByTestId(`${slot}-user`).waitFor();
}

test('a committee lays out an empty community in the browser', async (t) => {
  const page = await newPage(env.browser, t, env.server.url, PHONE, 'zh-CN');
  await login(page, env.server.url, committee.username, committee.password);
  await page.getByTestId('link-structure').click();
  await page.getByTestId('structure-page').waitFor();
  await page.getByTestId('structure-empty').waitFor();

  // A zone, renamed.
  await page.getByTestId('structure-zone-name').fill('东片');
  await page.getByTestId('structure-zone-create').click();
  const zone = page.getByTestId('structure-zone');
  await zone.waitFor();
  await zone.getByTestId('structure-zone-rename').click();
  await zone.getByTestId('structure-zone-rename-name').fill('东片区');
  await zone.getByTestId('structure-zone-rename-save').click();
  await page.locator('[data-testid="structure-zone-title"]', { hasText: '东片区' }).waitFor();

  // Two blocks in the zone (a building and a courtyard), one courtyard without a zone.
  const zoneId = await zone.getAttribute('data-id');
  for (const [name, kind, inZone] of [['1幢1单元', 'building', true], ['东院', 'courtyard', true], ['西院', 'courtyard', false]]) {
    await page.getByTestId('structure-block-name').fill(name);
    await page.getByTestId('structure-block-kind').selectOption(kind);
    await page.getByTestId('structure-block-zone').selectOption(inZone ? zoneId : '');
    await page.getByTestId('structure-block-create').click();
    await page.locator('[data-testid="structure-block-title"]', { hasText: name }).waitFor();
  }
  assert.equal(await zone.getByTestId('structure-block').count(), 2);
  await page.getByTestId('structure-no-zone').getByText('西院').waitFor();

  // The building's leader: an account.
  const building = page.locator('[data-testid="structure-block"][data-kind="building"]');
  await building.getByTestId('structure-block-set-leaders').click();
  await chooseAccount(page, 'structure-slot-leader', '院委甲');
  await page.getByTestId('structure-leaders-save').click();
  await building.getByTestId('structure-block-leaders').filter({ hasText: '院委甲' }).waitFor();

  // The courtyard's committee: two members are refused, three are taken, one chairs.
  const yard = page.locator('[data-testid="structure-block"]', { hasText: '东院' });
  await yard.getByTestId('structure-block-set-leaders').click();
  await page.getByTestId('structure-committee-form').waitFor();
  await chooseAccount(page, 'structure-slot-member-0', '院委甲');
  await chooseAccount(page, 'structure-slot-member-1', '院委乙');
  await page.getByTestId('structure-leaders-save').click();
  await page.getByTestId('structure-leaders-error').waitFor();
  assert.match(await page.getByTestId('structure-leaders-error').textContent(), /3 到 7/);
  await chooseAccount(page, 'structure-slot-member-2', '院委丙');
  await page.getByTestId('structure-chair-1').check();
  await page.getByTestId('structure-leaders-save').click();
  await yard.getByTestId('structure-block-leaders').filter({ hasText: '院委乙（院委会主任）' }).waitFor();
  const text = await yard.getByTestId('structure-block-leaders').textContent();
  assert.ok(text.includes('院委甲') && text.includes('院委丙'), text);
  await page.getByTestId('structure-summary').filter({ hasText: '其中 1 个楼组尚无负责人' }).waitFor();
  await assertFitsPhone(page, 'the structure page');

  // The block list (another feature's page) shows the new blocks under their zone.
  await page.goto(new URL('/registry/blocks', env.server.url).href);
  await page.getByTestId('blocks-page').waitFor();
  const names = await page.locator('[data-testid="block-item"] .card-title').allTextContents();
  assert.deepEqual(names.sort(), ['1幢1单元', '东院', '西院'].sort());
  await page.locator('[data-testid="zone-name"]', { hasText: '东片区' }).waitFor();

  // The accounts named now hold the blocks' scope.
  const api = new Client(env.server.url);
  await api.login(committee.username, committee.password);
  const blocks = (await api.get('/api/v1/blocks')).json.items;
  const yardId = blocks.find((b) => b.name === '东院').id;
  const users = (await api.get('/api/v1/users?limit=500')).json.items;
  const chair = users.find((u) => u.id === members[1].id);
  assert.ok(chair.roles.some((r) => r.role === 'block_leader' && r.scope_id === yardId), JSON.stringify(chair.roles));
  assert.deepEqual(page.pageErrors, []);
});

test('a block leader sees the structure read-only, for their block', async (t) => {
  const page = await newPage(env.browser, t, env.server.url, PHONE, 'en');
  await login(page, env.server.url, 'block');
  await page.getByTestId('link-structure').click();
  await page.getByTestId('structure-page').waitFor();
  await page.getByTestId('structure-block').first().waitFor();
  assert.equal(await page.getByTestId('structure-block').count(), 1);
  assert.equal(await page.getByTestId('structure-zone-form').count(), 0);
  assert.equal(await page.getByTestId('structure-block-set-leaders').count(), 0);
  // The texts come from the server in the app's language (Chinese until switched).
  const me = new Client(env.server.url);
  const name = (await me.login('block')).json.user.display_name;
  const leaders = await page.getByTestId('structure-block-leaders').textContent();
  assert.ok(leaders.startsWith(name), leaders);
  const zoneLeaders = await page.getByTestId('structure-zone-leaders').textContent();
  assert.ok(zoneLeaders.startsWith('周建国'), zoneLeaders);
  await assertFitsPhone(page, 'the read-only structure page');
  assert.deepEqual(page.pageErrors, []);
});
