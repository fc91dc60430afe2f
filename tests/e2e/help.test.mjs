// Help requests in a real browser on a 360 px phone: the demo resident asks for
// medicine and sees it acknowledged by the zone leader (their block leader has no
// login); the block leader asks for a resident without a smartphone. Screenshots go to
// tests/output/screenshots/help-*.png.
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../lib/server.mjs';

const SHOTS = join(process.cwd(), 'output', 'screenshots');
async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `help-${name}.png`), fullPage: true });
}

let noPhone;
const env = useServerAndBrowser(undefined, async () => {
  const block = new Client(env.server.url);
  const me = await block.login('block');
  const blockId = me.json.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const calls = await block.get(`/api/v1/blocks/${blockId}/call-list?limit=5`);
  noPhone = calls.json.items[0] || (await block.get(`/api/v1/residents?block_id=${blockId}&limit=1`)).json.items[0];
});

test('a resident asks for medicine on a phone and sees it acknowledged', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'resident');
  await page.goto(`${env.server.url}/help/new`);
  await page.getByTestId('help-kind-medicine').click();
  await page.getByTestId('help-detail-medicine').fill('苯磺酸氨氯地平片 5mg 两盒');
  await page.getByTestId('help-summary').fill('降压药只剩两天的量了');
  await assertFitsPhone(page, 'ask');
  await screenshot(page, 'ask');
  await page.getByTestId('help-submit').click();
  await page.getByTestId('help-request-page').waitFor();
  assert.match(await page.getByTestId('help-state').innerText(), /待响应/);
  // A photo of the prescription goes with it.
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64)]);
  await page.getByTestId('help-file').setInputFiles({ name: '处方.png', mimeType: 'image/png', buffer: png });
  await page.getByTestId('help-attachments').getByText('处方.png').waitFor();
  const url = page.url();

  const zone = await newPage(env.browser, t, env.server.url);
  await login(zone, env.server.url, 'zone');
  await zone.goto(`${env.server.url}/help`);
  const item = zone.getByTestId('help-item').filter({ hasText: '降压药只剩两天的量了' });
  await item.click();
  await zone.getByTestId('help-acknowledge').click();
  await zone.getByTestId('help-state').filter({ hasText: '已响应' }).waitFor();
  await assertFitsPhone(zone, 'leader request');
  await screenshot(zone, 'leader');

  await page.goto(url);
  await page.getByTestId('help-state').filter({ hasText: '已响应' }).waitFor();
  const steps = await page.getByTestId('help-timeline').locator('li').allInnerTexts();
  assert.equal(steps.length, 3);
  assert.match(steps[1], /附件/);
  assert.match(steps[2], /已响应/);
  await assertFitsPhone(page, 'request');
  await screenshot(page, 'acknowledged');
});

test('a block leader asks for a resident without a smartphone', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'block');
  await page.goto(`${env.server.url}/help/new`);
  await page.getByTestId('help-resident-q').fill(noPhone.name);
  await page.getByTestId('help-resident').getByRole('button', { name: '查找' }).click();
  await page.getByTestId('help-resident-pick').first().click();
  await page.getByTestId('help-for-picked').waitFor();
  await page.getByTestId('help-kind-supplies').click();
  await page.getByTestId('help-summary').fill('家里没有米了，请帮忙代买');
  await assertFitsPhone(page, 'on behalf');
  await page.getByTestId('help-submit').click();
  await page.getByTestId('help-request-page').waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /代为提出/);
  assert.match(text, new RegExp(noPhone.name));
  await screenshot(page, 'on-behalf');
});

test('the committee approves an exit; the resident shows the pass; a gate volunteer checks it', async (t) => {
  const resident = new Client(env.server.url);
  await resident.login('resident');
  const asked = await resident.post('/api/v1/help-requests', { kind: 'exit', urgency: 'normal',
    summary: '周一去医院复查', details: { destination: '市第六人民医院' } });
  const id = asked.json.request.id;
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'committee');
  await page.goto(`${env.server.url}/help/${id}`);
  await page.getByTestId('help-pass-approve').click();
  await page.getByTestId('help-pass').locator('svg').waitFor();
  // The pass and the request are read again side by side: the state may come second.
  await page.getByTestId('help-state').filter({ hasText: '已完成' }).waitFor({ timeout: 5000 }).catch(() => {});
  assert.match(await page.getByTestId('help-state').innerText(), /已完成/);
  await assertFitsPhone(page, 'pass approved');

  const home = await newPage(env.browser, t, env.server.url);
  await login(home, env.server.url, 'resident');
  await home.goto(`${env.server.url}/help/${id}`);
  await home.getByTestId('help-pass').locator('svg').waitFor();
  await assertFitsPhone(home, 'pass shown');
  await screenshot(home, 'pass');

  const code = (await resident.get(`/api/v1/help-requests/${id}/pass`)).json.pass.payload;
  const gate = await newPage(env.browser, t, env.server.url);
  await login(gate, env.server.url, 'volunteer');
  await gate.goto(`${env.server.url}/help/gate`);
  await gate.getByTestId('help-gate-code').fill(code);
  await gate.getByRole('button', { name: '查验', exact: true }).click();
  const answer = gate.getByTestId('help-gate-answer');
  await answer.waitFor();
  assert.match(await answer.innerText(), /可以通行/);
  await assertFitsPhone(gate, 'gate');
  await screenshot(gate, 'gate');
});

test('a block leader runs a medicine trip: red first, cards and delivery recorded', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await login(page, env.server.url, 'block');
  await page.goto(`${env.server.url}/help/medicine`);
  await page.getByTestId('medicine-name').fill('12月5日 社区卫生服务中心');
  await page.getByTestId('medicine-place').fill('社区卫生服务中心');
  await page.getByTestId('medicine-create').click();
  await page.getByTestId('medicine-run-page').waitFor();
  await page.getByTestId('medicine-triage').selectOption('red');
  await page.getByTestId('medicine-take').first().click();
  const line = page.getByTestId('medicine-line').first();
  await line.waitFor();
  assert.equal(await line.getAttribute('data-triage'), 'red');
  await line.getByTestId('medicine-card-in').click();
  await line.getByTestId('medicine-card-out').waitFor();
  await line.getByTestId('medicine-deliver').click();
  await page.getByTestId('medicine-line').first().getByText(/送达/).first().waitFor();
  await assertFitsPhone(page, 'medicine run');
  await screenshot(page, 'medicine');
});
