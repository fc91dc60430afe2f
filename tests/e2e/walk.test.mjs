// Every page of every role, in a real browser at 360 px and at desktop width, checked the
// way a person would notice trouble: accessibility (axe: no serious or critical
// violation), no raw value from the database (`occupied`, `block_leader`) and no UTC time
// (`…T08:00:00Z`) on a Chinese page, nothing wider than the phone. A page a role may not
// open shows "not found" and is passed over.
//
// KNOWN lists the checks that still fail, page by page: the test fails when one of them
// starts to pass (take it off the list) as well as when a new one appears, so the list
// only ever shrinks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { newPage, login, PHONE, DESKTOP, useServerAndBrowser } from '../lib/browser.mjs';
import { Client, DEMO_USERS } from '../lib/server.mjs';

const ids = {};
const env = useServerAndBrowser(undefined, async () => {
  const block = new Client(env.server.url);
  const me = (await block.login('block')).json;
  ids.block = me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  ids.ownHousehold = me.user.roles.find((r) => r.role === 'resident')?.scope_id;
  const committee = new Client(env.server.url);
  await committee.login('committee');
  const households = (await committee.get(`/api/v1/households?block_id=${ids.block}&limit=5`)).json.items;
  ids.household = households[0].id;
  const residents = (await committee.get(`/api/v1/residents?block_id=${ids.block}&limit=5`)).json.items;
  ids.resident = residents[0].id;
  const sweeps = (await committee.get('/api/v1/sweeps?limit=5')).json.items;
  ids.sweep = sweeps[0]?.id;
  ids.post = (await committee.get('/api/v1/posts?limit=1')).json.items[0]?.id;
  ids.team = (await committee.get('/api/v1/teams?limit=1')).json.items[0]?.id;
  ids.volunteer = (await block.get('/api/v1/volunteers/me')).json.volunteer?.id;
  ids.help = (await block.get('/api/v1/help-requests?limit=1')).json.items[0]?.id;
  ids.bulletin = (await committee.get('/api/v1/bulletins?kind=urgent&limit=1')).json.items[0]?.id;
  ids.cared = (await committee.get(`/api/v1/care/residents?carer=assigned&block_id=${ids.block}&limit=1`)).json
    .items[0]?.id;
  // A round with a station staffed by the volunteer, open, with a door-to-door row.
  const volunteer = new Client(env.server.url);
  const vme = (await volunteer.login('volunteer')).json;
  const round = (await committee.post('/api/v1/test-rounds', { name: '巡检核酸', on_day: '2026-12-09',
    kind: 'pcr_pooled' })).json;
  ids.round = round.id;
  ids.station = (await committee.post(`/api/v1/test-rounds/${round.id}/stations`, { name: '南门', opens_at: '07:00',
    closes_at: '11:00', staff: [{ user_id: vme.user.id, duty: 'registrar' }] })).json.id;
  await committee.post(`/api/v1/test-rounds/${round.id}/door-visits`, { resident_id: ids.resident, reason: 'other' });
  await committee.post(`/api/v1/test-rounds/${round.id}/open`);
  const followup = (await committee.get('/api/v1/test-followups?limit=1')).json.items[0];
  ids.resultRound = followup?.round_id;
  ids.tube = followup?.tube_id;
});

// Pages by path; :names are filled from ids above.
const PAGES = [
  '/home', '/dashboard', '/me', '/registry', '/registry/blocks', '/registry/blocks/:block',
  '/registry/households/:household', '/registry/residents/:resident', '/registry/my-household',
  '/registry/history/household/:household', '/registry/duplicates', '/registry/import', '/registry/structure',
  '/retention', '/signups', '/reset-codes', '/sweeps', '/sweeps/new', '/sweeps/:sweep',
  '/sweeps/:sweep/households', '/sweeps/:sweep/households/:household',
  '/volunteer', '/volunteer/checkin', '/volunteers', '/volunteers/shifts', '/volunteers/tasks', '/volunteers/posts',
  '/volunteers/posts/:post', '/volunteers/at-risk', '/volunteers/hours', '/volunteers/rosters', '/volunteers/teams',
  '/volunteers/teams/:team', '/volunteers/:volunteer', '/notifications', '/rotations', '/help', '/help/new',
  '/help/:help', '/help/gate', '/help/medicine',
  '/bulletins', '/bulletins/new', '/bulletins/:bulletin', '/bulletins/:bulletin/edit', '/bulletins/:bulletin/receipts',
  '/care', '/care/due', '/care/mine', '/care/residents/:cared',
  '/channels', '/testing', '/testing/new', '/testing/:round', '/testing/:round/coverage',
  '/testing/:round/not-tested', '/station', '/station/:station', '/station/conflicts/:round',
  '/testing/:resultRound/results', '/testing/tubes/:tube', '/testing/followups', '/testing/antigen', '/testing/mine',
];

// Printed lists (the API's print=1 pages), opened as each role would from the app.
const PRINTS = [
  '/api/v1/residents?block_id=:block&print=1', '/api/v1/households?block_id=:block&print=1',
  '/api/v1/blocks/:block/households?print=1', '/api/v1/blocks/:block/care-list?print=1',
  '/api/v1/blocks/:block/call-list?print=1', '/api/v1/sweeps/:sweep/households?state=pending&print=1',
  '/api/v1/sweeps/:sweep/results?print=1', '/api/v1/users?print=1', '/api/v1/audit?print=1',
  '/api/v1/residents/:resident/flag-history?print=1', '/api/v1/volunteers?print=1', '/api/v1/shifts?print=1',
  '/api/v1/tasks?print=1', '/api/v1/hours?print=1', '/api/v1/posts/:post/sheet', '/api/v1/teams?print=1',
  '/api/v1/help-requests?print=1',
  '/api/v1/bulletins/:bulletin/unread?print=1', '/api/v1/bulletins/:bulletin/print',
  '/api/v1/care/residents?print=1', '/api/v1/care/due?print=1', '/api/v1/care/mine?print=1',
  '/api/v1/test-rounds?print=1', '/api/v1/test-rounds/:round/not-tested?block_id=:block&print=1',
  '/api/v1/test-rounds/:round/door-visits?print=1',
  '/api/v1/test-rounds/:round/coverage/blocks?print=1', '/api/v1/test-rounds/:round/exemptions?print=1',
  '/api/v1/test-rounds/:resultRound/tubes?print=1', '/api/v1/test-followups?print=1', '/api/v1/me/tests?print=1',
  '/api/v1/test-stations?print=1', '/api/v1/test-rounds/:round/conflicts?print=1',
];

const KNOWN = new Set([
]);

// Enum values the API sends that must reach a Chinese page only translated.
const RAW = /\b(occupied|vacant|rented|building|courtyard|superuser|committee|zone_leader|block_leader|volunteer|resident|alone_elderly|home_isolation|chronic_illness|no_smartphone|bedridden|pregnant|disabled|hearing|vision|not_home|refused|answered|pending|draft|open|closed|registered|floating|foreign|zh|en)\b/;
const SNAKE = /\b[a-z]+(?:_[a-z]+)+\b/;
const UTC = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?Z/;

function fill(path) {
  return path.replace(/:(\w+)/g, (_, name) => String(ids[name]));
}

async function checkPage(page, label, username) {
  const problems = [];
  // The login's own name (the demo's are English words) is not a raw value.
  // So are the usernames of a printed list of accounts (the demo's are words like these).
  const text = (await page.evaluate(() => {
    for (const table of document.querySelectorAll('table')) {
      const col = [...table.querySelectorAll('th')].findIndex((th) => /^(用户名|Username)$/.test(th.textContent.trim()));
      if (col >= 0) for (const tr of table.querySelectorAll('tr')) tr.children[col]?.replaceChildren();
    }
    return document.body.innerText;
  })).split(username).join(' ');
  const raw = new Set([...text.matchAll(new RegExp(RAW.source, 'g')), ...text.matchAll(new RegExp(SNAKE.source, 'g'))]
    .map((m) => m[0]));
  for (const r of [...raw].sort()) problems.push(`raw:${r}`);
  const utc = text.match(UTC);
  if (utc) problems.push(`utc:${utc[0]}`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const isPrint = label.includes('/api/v1/');   // a sheet for paper: as wide as its table
  if (!isPrint && page.viewportSize().width === PHONE.width && width > PHONE.width) problems.push(`wide:${width}`);
  const axe = await new AxeBuilder({ page }).analyze();
  for (const v of axe.violations) {
    if (v.impact === 'serious' || v.impact === 'critical') problems.push(`axe:${v.id}`);
  }
  return problems.map((p) => `${label} ${p}`);
}

for (const username of DEMO_USERS) {
  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    test(`${username} at ${size}: every page`, async (t) => {
      const page = await newPage(env.browser, t, env.server.url, viewport);
      await login(page, env.server.url, username);
      const found = [];
      for (const pattern of PAGES) {
        const path = fill(pattern);
        if (path.includes('undefined')) continue;
        await page.goto(path);
        // The page has settled when its own content or "not found" is shown and no
        // request is pending.
        await page.waitForLoadState('networkidle');
        if (await page.getByTestId('not-found').count()) continue;
        found.push(...await checkPage(page, `${username} ${size} ${pattern}`, username));
      }
      for (const pattern of size === 'desktop' ? PRINTS : []) {
        const path = fill(pattern);
        if (path.includes('undefined')) continue;
        const res = await page.goto(path);
        if (res.status() !== 200) continue;     // not this role's list
        found.push(...await checkPage(page, `${username} ${size} ${pattern}`, username));
      }
      const unexpected = found.filter((f) => !KNOWN.has(f));
      const mine = [...KNOWN].filter((k) => k.startsWith(`${username} ${size} `));
      const fixed = mine.filter((k) => !found.includes(k));
      assert.deepEqual(unexpected, [], 'new problems');
      assert.deepEqual(fixed, [], 'fixed: take these off KNOWN');
      assert.deepEqual(page.pageErrors, []);
    });
  }
}
