// Lists: pagination, filters, exports (CSV, XLSX, print) and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { readXlsx } from '../lib/xlsx.mjs';
import {
  assertError, loggedIn, listItems, walkList, roleNames, createUser, getBytes, parseCsv,
  rawCsvLine, uniq,
  stopServer,
} from '../lib/api-helpers.mjs';

let srv;
let committee;
let allUsers;

before(async () => {
  srv = await startServer();
  committee = await loggedIn(srv.url, 'committee');
  // A few more users so that pagination has several pages.
  for (let i = 0; i < 4; i++) {
    await createUser(committee, { username: uniq(`list${i}-`), display_name: `List User ${i}` });
  }
  allUsers = listItems(await committee.get('/api/v1/users?limit=500'), 'users');
});

after(async () => {
  await stopServer(srv);
});

async function exportCount() {
  return (await walkList(committee, '/api/v1/audit?action=export')).filter((e) => e.action === 'export').length;
}

test('GET /users lists the community with the documented list shape', async () => {
  const names = allUsers.map((u) => u.username);
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) {
    assert.ok(names.includes(u), `${u} listed: ${names}`);
  }
  for (const u of allUsers) {
    assert.ok(Number.isInteger(u.id));
    assert.equal(typeof u.username, 'string');
    assert.equal(typeof u.display_name, 'string');
    assert.ok(!('password_hash' in u) && !('password' in u), 'no password material');
  }
  const r = await committee.get('/api/v1/users?limit=500');
  assert.equal(r.json.next_cursor, null, 'one page holds everything');
  assert.ok(!/argon2/.test(r.text), 'no password hash in the reply');
});

test('pagination: limit=2 gives 2 items and a cursor; the walk returns every user once', async () => {
  const first = await committee.get('/api/v1/users?limit=2');
  const page1 = listItems(first, 'page 1');
  assert.equal(page1.length, 2);
  assert.equal(typeof first.json.next_cursor, 'string');
  assert.ok(first.json.next_cursor.length > 0);
  const second = await committee.get(`/api/v1/users?limit=2&cursor=${encodeURIComponent(first.json.next_cursor)}`);
  const page2 = listItems(second, 'page 2');
  assert.ok(page2.length > 0);
  const ids1 = new Set(page1.map((u) => u.id));
  assert.ok(page2.every((u) => !ids1.has(u.id)), 'the second page has other users');

  const walked = await walkList(committee, '/api/v1/users', 2);
  const ids = walked.map((u) => u.id);
  assert.equal(new Set(ids).size, ids.length, 'no user twice');
  assert.deepEqual([...ids].sort((a, b) => a - b), allUsers.map((u) => u.id).sort((a, b) => a - b));
  assert.equal(walked.pages, Math.ceil(allUsers.length / 2), 'no empty trailing page');
});

test('the default page size is 50 and limit stays within 1..500', async () => {
  const r = await committee.get('/api/v1/users');
  assert.equal(listItems(r).length, Math.min(50, allUsers.length));
  // Out of range: refused naming the field, or clamped into 1..500.
  for (const bad of ['0', '501', '-1', 'abc', '99999999999999999999']) {
    const b = await committee.get(`/api/v1/users?limit=${bad}`);
    if (b.status === 400) assertError(b, 400, 'validation_failed', 'limit');
    else {
      const n = listItems(b, `limit=${bad}`).length;
      assert.ok(n >= 1 && n <= 500, `limit=${bad} gave ${n} items`);
    }
  }
});

test('a forged cursor is refused with 400 or ignored, never a fault', async () => {
  for (const bad of ['%00%01garbage', 'AAAA', '-5', '%FF%FE', 'x'.repeat(2000)]) {
    const r = await committee.get(`/api/v1/users?cursor=${bad}`);
    if (r.status === 400) assertError(r, 400, 'validation_failed', 'cursor');
    else listItems(r, `cursor=${bad.slice(0, 20)}`);
  }
});

test('filter ?role=block_leader', async () => {
  const items = listItems(await committee.get('/api/v1/users?role=block_leader&limit=500'));
  assert.ok(items.length >= 1);
  assert.ok(items.some((u) => u.username === 'block'));
  assert.ok(!items.some((u) => u.username === 'volunteer' || u.username === 'committee'));
  for (const u of items) {
    if (u.roles !== undefined) assert.ok(roleNames(u).includes('block_leader'), JSON.stringify(u));
  }
});

test('search ?q= by username', async () => {
  const items = listItems(await committee.get('/api/v1/users?q=volunt&limit=500'));
  assert.ok(items.some((u) => u.username === 'volunteer'), JSON.stringify(items));
  assert.ok(!items.some((u) => u.username === 'committee'));
  const none = listItems(await committee.get(`/api/v1/users?q=${uniq('nomatch')}`));
  assert.equal(none.length, 0);
});

test('?format=csv exports UTF-8 with BOM and a header row, and is audited', async () => {
  const before = await exportCount();
  const r = await getBytes(committee, '/api/v1/users?format=csv');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /^text\/csv/);
  assert.deepEqual([...r.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 BOM');
  const text = r.body.subarray(3).toString('utf8');
  const rows = parseCsv(text).filter((row) => row.some((c) => c !== ''));
  assert.equal(rows.length, allUsers.length + 1, 'a header row and one row per user');
  const header = rows[0];
  assert.ok(header.length >= 2, 'several columns');
  assert.ok(!header.includes('committee') && !header.includes('volunteer'), 'the header is not a data row');
  for (const row of rows.slice(1)) assert.equal(row.length, header.length, 'rows as wide as the header');
  assert.ok(rows.some((row) => row.includes('volunteer')), 'usernames in the rows');
  assert.equal(await exportCount(), before + 1, 'one export audit entry');
});

test('?format=xlsx exports a spreadsheet', async () => {
  const before = await exportCount();
  const r = await getBytes(committee, '/api/v1/users?format=xlsx');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /spreadsheetml/);
  const rows = readXlsx(r.body).filter((row) => row.some((c) => c !== ''));
  const csv = parseCsv((await getBytes(committee, '/api/v1/users?format=csv')).body.toString('utf8')
    .replace(/^\uFEFF/, '')).filter((row) => row.some((c) => c !== ''));
  assert.deepEqual(rows, csv, 'the sheet holds the same cells as the CSV export');
  assert.ok(rows.some((row) => row.includes('volunteer')), 'usernames in the cells');
  assert.equal(await exportCount(), before + 2, 'both exports audited');
});

test('?print=1 answers a printable HTML table, audited', async () => {
  const all = (await walkList(committee, '/api/v1/audit')).length;
  const r = await getBytes(committee, '/api/v1/users?print=1');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /^text\/html/);
  const html = r.body.toString('utf8');
  assert.match(html, /<table/i);
  assert.match(html, /volunteer/);
  assert.equal((await walkList(committee, '/api/v1/audit')).length, all + 1, 'the print is audited');
});

test('an unknown export format answers 400', async () => {
  assertError(await committee.get('/api/v1/users?format=pdf'), 400, 'validation_failed', 'format');
});

test('CSV cells starting with = + - @ are escaped', async () => {
  const nasty = ['=cmd()', '+SUM(A1)', '-2+3', '@import'];
  const made = [];
  for (const dn of nasty) made.push(await createUser(committee, { username: uniq('csv-'), display_name: dn }));
  const r = await getBytes(committee, '/api/v1/users?format=csv&limit=500');
  assert.equal(r.status, 200);
  const text = r.body.subarray(3).toString('utf8');
  const rows = parseCsv(text);
  for (const row of rows) {
    for (const cell of row) assert.ok(!/^[=+\-@]/.test(cell), `unescaped cell ${JSON.stringify(cell)}`);
  }
  for (const [i, u] of made.entries()) {
    const row = rows.find((x) => x.includes(u.username));
    assert.ok(row, `${u.username} exported`);
    assert.ok(row.includes(`'${nasty[i]}`), `escaped cell for ${nasty[i]}: ${JSON.stringify(row)}`);
    const raw = rawCsvLine(text, u.username);
    assert.ok(!raw.split(',').some((c) => c.startsWith('=')), `raw line: ${raw}`);
  }
});

test('GET /audit lists entries and filters by action and user_id', async () => {
  const volunteer = await loggedIn(srv.url, 'volunteer');
  const p = await volunteer.patch('/api/v1/me', { display_name: 'Audited Volunteer' });
  assert.equal(p.status, 200);
  const vid = volunteer.me.user.id;

  const all = await walkList(committee, '/api/v1/audit');
  assert.ok(all.length > 0);
  for (const e of all) {
    assert.ok(Number.isInteger(e.id));
    assert.equal(typeof e.action, 'string');
  }
  assert.equal(new Set(all.map((e) => e.id)).size, all.length, 'each entry once');
  const ids = all.map((e) => e.id);
  const asc = [...ids].sort((a, b) => a - b);
  const desc = [...asc].reverse();
  assert.ok(JSON.stringify(ids) === JSON.stringify(asc) || JSON.stringify(ids) === JSON.stringify(desc),
    'ordered by id');
  assert.ok(!JSON.stringify(all).includes('Audited Volunteer'), 'no personal data in the audit log');

  const upd = listItems(await committee.get('/api/v1/audit?action=me.update&limit=500'));
  assert.ok(upd.length >= 1);
  assert.ok(upd.every((e) => e.action === 'me.update'));
  assert.ok(upd.some((e) => e.user_id === vid));

  const byUser = listItems(await committee.get(`/api/v1/audit?user_id=${vid}&limit=500`));
  assert.ok(byUser.length >= 1);
  assert.ok(byUser.every((e) => e.user_id === vid), JSON.stringify(byUser.slice(0, 3)));

  const both = listItems(await committee.get(`/api/v1/audit?user_id=${vid}&action=export&limit=500`));
  assert.equal(both.length, 0, 'the volunteer exported nothing');

  const page = await committee.get('/api/v1/audit?limit=1');
  assert.equal(listItems(page).length, 1);
  assert.equal(typeof page.json.next_cursor, 'string');
});

test('nobody can change or delete the audit log', async () => {
  for (const who of ['committee', 'admin']) {
    const c = await loggedIn(srv.url, who);
    const before = await walkList(committee, '/api/v1/audit');
    const first = before.find((e) => e.id === 1) || before[0];
    for (const [m, body] of [['PATCH', { action: 'forged' }], ['DELETE', undefined], ['PUT', { action: 'forged' }]]) {
      const r = await c.req(m, `/api/v1/audit/${first.id}`, body);
      // /audit/{id} exists for no method: an unknown path is 404, whatever the method
      assertError(r, 404, 'not_found');
    }
    const r = await c.req('DELETE', '/api/v1/audit');
    assertError(r, 405, 'method_not_allowed');
    const after = await walkList(committee, '/api/v1/audit');
    const same = after.find((e) => e.id === first.id);
    assert.deepEqual(same, first, 'the entry is unchanged');
  }
});
