// Resident search through the search terms (008_search.sql): every answer equals a
// plain filter over all residents, and every write that changes a name, phone, ID or
// room keeps the terms current (create, edit, household room, move, import, merge),
// and a database without terms gets them back when the server starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loggedIn, walkList, listItems, uniq } from '../lib/api-helpers.mjs';
import { dbInt, dbRows } from '../lib/db-query.mjs';

let srv;
const c = {};
let all;           // every resident, moved out too, as committee staff see them
let household;     // made here in the block leader's block
let block1;

const digitsOf = (s) => String(s ?? '').replace(/\D/g, '');
const phoneLike = (q) => /^[\d\s\-+()]+$/.test(q) && /\d/.test(q);

// What the search means, written plainly: name, room or phone contains the query
// (letters in any case), or a phone-like query's digits are in the phone's digits.
function expected(q) {
  const ql = q.toLowerCase();
  return all.filter((r) => r.name.toLowerCase().includes(ql) || r.room.toLowerCase().includes(ql) ||
    (r.phone ?? '').includes(ql) || (phoneLike(q) && (r.phone ?? '').replace(/-/g, '').includes(digitsOf(q))))
    .map((r) => r.id).sort((a, b) => a - b);
}

async function found(client, query, limit = 100) {
  const items = await walkList(client, `/api/v1/residents?include_moved_out=1&${query}`, limit);
  const ids = items.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, `${query}: no resident twice`);
  return ids.sort((a, b) => a - b);
}

const q = (text) => `q=${encodeURIComponent(text)}`;

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'block', 'volunteer']) c[u] = await loggedIn(srv.url, u);
  block1 = c.block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
  const h = await c.committee.post('/api/v1/households', { block_id: block1, room: `S-${uniq('')}` });
  assert.equal(h.status, 201, h.text);
  household = h.json.household.id;
  all = await walkList(c.committee, '/api/v1/residents?include_moved_out=1', 500);
  assert.ok(all.length > 500, `the demo has residents: ${all.length}`);
});

after(async () => {
  if (srv) await srv.stop();
});

test('every kind of query answers exactly what a filter over all residents answers', async () => {
  const sample = all.filter((r, i) => i % Math.floor(all.length / 8) === 0 && r.phone).slice(0, 8);
  assert.ok(sample.length >= 6);
  const queries = new Set(['号', '单元', '1-', '3-2', '13', 'zz-none', '+86', '(021)']);
  for (const r of sample) {
    const name = [...r.name];
    queries.add(r.name).add(name.at(-1)).add(name.slice(-2).join(''));
    const phone = r.phone;
    queries.add(phone).add(phone.slice(-4)).add(phone.slice(-3)).add(phone.slice(0, 3)).add(phone.slice(3, 8));
    queries.add(r.room).add(digitsOf(r.room)).add(r.room.slice(-3));
  }
  for (const text of queries) {
    assert.deepEqual(await found(c.committee, q(text)), expected(text), `q=${text}`);
  }
});

test('the ID tail, alone and with a query, pages without losing or repeating anyone', async () => {
  const withId = all.filter((r) => r.id_masked).slice(0, 40);
  for (const r of withId.filter((_, i) => i % 10 === 0)) {
    for (const n of [4, 2, 1]) {
      const tail = r.id_masked.slice(-n);
      const want = all.filter((x) => (x.id_masked ?? '').toUpperCase().endsWith(tail.toUpperCase()))
        .map((x) => x.id).sort((a, b) => a - b);
      assert.deepEqual(await found(c.committee, `id_tail=${tail.toLowerCase()}`, n === 1 ? 200 : 3), want, tail);
    }
    const both = `${q(r.name)}&id_tail=${r.id_masked.slice(-4)}`;
    const want = expected(r.name).filter((id) => all.find((x) => x.id === id).id_masked?.endsWith(r.id_masked.slice(-4)));
    assert.ok(want.includes(r.id));
    assert.deepEqual(await found(c.committee, both), want, both);
  }
  // A small page size walks the same set as a big one.
  const phone = all.find((r) => r.phone).phone.slice(-3);
  assert.deepEqual(await found(c.committee, q(phone), 2), expected(phone));
});

test('a block leader finds only residents of their blocks; a volunteer is refused', async () => {
  const mine = new Set((await walkList(c.block, '/api/v1/residents?include_moved_out=1', 500)).map((r) => r.id));
  const outside = all.find((r) => !mine.has(r.id) && r.phone);
  assert.deepEqual(await found(c.block, q(outside.phone)), [], 'another block\'s phone finds nothing');
  assert.deepEqual(await found(c.block, q(outside.name)),
    expected(outside.name).filter((id) => mine.has(id)), 'a name finds only their own');
  const inside = all.find((r) => mine.has(r.id) && r.phone);
  assert.ok((await found(c.block, q(inside.phone.slice(-4)))).includes(inside.id));
  assert.equal((await c.volunteer.get(`/api/v1/residents?${q(inside.phone)}`)).status, 403);
});

test('creating and editing a resident, and moving them, keep the search current', async () => {
  const phone = `139${String(Date.now()).slice(-8)}`;
  const made = await c.committee.post('/api/v1/residents', { household_id: household, name: '搜索测试员', phone });
  assert.equal(made.status, 201, made.text);
  const id = made.json.resident.id;
  assert.ok(dbInt(srv.db, `SELECT COUNT(*) FROM resident_terms WHERE resident_id = ${id}`) > 5, 'terms written');
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM resident_terms t JOIN residents r ON r.id = t.resident_id 
    WHERE t.resident_id = ${id} AND t.community_id <> r.community_id`), 0, 'terms carry the community');
  assert.ok((await found(c.committee, q(phone.slice(-4)))).includes(id));
  assert.ok((await found(c.committee, q('搜索测'))).includes(id));

  const newPhone = `137${String(Date.now() + 7).slice(-8)}`;
  const p = await c.committee.patch(`/api/v1/residents/${id}`, { phone: newPhone, name: '改名测试员' });
  assert.equal(p.status, 200, p.text);
  assert.ok(!(await found(c.committee, q(phone))).includes(id), 'the old phone no longer finds them');
  assert.ok((await found(c.committee, q(newPhone))).includes(id));
  assert.ok(!(await found(c.committee, q('搜索测'))).includes(id), 'nor the old name');
  assert.ok((await found(c.committee, q('改名测'))).includes(id));

  // The household's new room finds its residents; the old one does not.
  const room = `R${String(Date.now()).slice(-6)}`;
  const h = await c.committee.patch(`/api/v1/households/${household}`, { room });
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(await found(c.committee, q(room)), [id]);
  assert.deepEqual(await found(c.committee, q(String(Date.now()).slice(-6, -3) + 'zz')), []);

  // Moving to another household: found by the new room, not the old.
  const other = await c.committee.post('/api/v1/households', { block_id: block1, room: `Q${room.slice(1)}` });
  assert.equal(other.status, 201, other.text);
  const m = await c.committee.post(`/api/v1/residents/${id}/move`, { household_id: other.json.household.id });
  assert.equal(m.status, 200, m.text);
  assert.deepEqual(await found(c.committee, q(`Q${room.slice(1)}`)), [id]);
  assert.deepEqual(await found(c.committee, q(room)), []);
});

test('imported residents are found, and a merge passes the phone to the kept record', async () => {
  const blockName = (await c.committee.get(`/api/v1/blocks/${block1}`)).json.block.name;
  const tail = String(Date.now()).slice(-8);
  const csv = ['楼组,房号,姓名,手机', `${blockName},IMP${tail.slice(-4)},导入甲,136${tail}`].join('\r\n') + '\r\n';
  const r = await fetch(`${srv.url}/api/v1/registry/import`, {
    method: 'POST', body: csv,
    headers: { 'Content-Type': 'text/csv', Cookie: c.committee.cookie, 'X-CSRF-Token': c.committee.csrf },
  });
  assert.equal(r.status, 200, await r.text());
  const hit = listItems(await c.committee.get(`/api/v1/residents?${q(`136${tail}`)}`));
  assert.equal(hit.length, 1);
  assert.equal(hit[0].name, '导入甲');

  // A duplicate without a phone, then merged: the kept record carries the phone now.
  const keep = await c.committee.post('/api/v1/residents', { household_id: household, name: '合并乙' });
  const dupPhone = `135${String(Date.now() + 3).slice(-8)}`;
  const dup = await c.committee.post('/api/v1/residents', { household_id: household, name: '合并乙', phone: dupPhone });
  assert.equal(dup.status, 201, dup.text);
  const mg = await c.committee.post(`/api/v1/residents/${dup.json.resident.id}/merge`, { into: keep.json.resident.id });
  assert.equal(mg.status, 200, mg.text);
  const now = listItems(await c.committee.get(`/api/v1/residents?${q(dupPhone)}`)).map((x) => x.id);
  assert.deepEqual(now, [keep.json.resident.id], 'current residents: only the kept record');
});

test('a database whose terms are gone gets them back when the server starts', async () => {
  const phone = all.find((r) => r.phone).phone;
  const before = await found(c.committee, q(phone));
  await srv.stop({ keepDb: true });
  dbRows(srv.db, 'DELETE FROM resident_terms');
  dbRows(srv.db, 'DELETE FROM resident_terms_state');
  const db = srv.db;
  srv = await startServer({ db });
  c.committee = await loggedIn(srv.url, 'committee');
  assert.ok(dbInt(db, 'SELECT COUNT(*) FROM resident_terms') > all.length, 'terms rebuilt');
  assert.ok(dbInt(db, 'SELECT COUNT(*) FROM resident_terms_state') >= 1);
  assert.deepEqual(await found(c.committee, q(phone)), before);
  // The server started with opts.db leaves the database to this file.
  await srv.stop();
  srv = null;
  db.dispose();
});
