// Prints that say where and when, in the language chosen in the app: the header names
// the community, the block, the local time and who printed; ?lang= and the app's
// sw_lang cookie choose the language; an unknown ?lang= is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, loggedIn, stopServer } from '../lib/api-helpers.mjs';
import { dbRows } from '../lib/db-query.mjs';

let srv;
let block;
let blockId;

before(async () => {
  srv = await startServer();
  block = await loggedIn(srv.url, 'block', undefined, 'zh-CN');
  blockId = block.me.user.roles.find((r) => r.role === 'block_leader').scope_id;
});

after(async () => {
  await stopServer(srv);
});

// "2026-12-04 02:29" in China Standard Time, the demo community's zone, to the minute.
function localMinute(offsetMinutes = 0) {
  const d = new Date(Date.now() + (8 * 60 + offsetMinutes) * 60000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

test('a block list printed says which community and block, when in local time, and who printed it', async () => {
  const [[blockName]] = dbRows(srv.db, `SELECT name FROM blocks WHERE id = ${blockId}`);
  const [[community]] = dbRows(srv.db, 'SELECT name FROM communities WHERE id = 1');
  for (const list of ['care-list', 'call-list', 'households']) {
    const before = localMinute(0);
    const r = await block.get(`/api/v1/blocks/${blockId}/${list}?print=1`);
    const after = localMinute(0);
    assert.equal(r.status, 200, r.text.slice(0, 200));
    const h1 = r.text.match(/<h1>([^<]*)<\/h1>/)[1];
    assert.ok(h1.includes(blockName), `${list}: the title names the block: ${h1}`);
    const meta = r.text.match(/<p class="print-meta">([^<]*)<\/p>/)[1];
    assert.ok(meta.includes(community), `${list}: ${meta}`);
    assert.ok(meta.includes(before) || meta.includes(after), `${list}: local time ${before} in ${meta}`);
    assert.ok(meta.includes(block.me.user.display_name), `${list}: who printed: ${meta}`);
    assert.ok(!/\d{4}-\d\d-\d\dT\d\d:\d\d/.test(r.text), `${list}: no UTC time on paper`);
  }
});

test('prints follow the language chosen in the app: ?lang=, else the sw_lang cookie, else the browser', async () => {
  const zh = await block.get(`/api/v1/blocks/${blockId}/care-list?print=1`);
  assert.match(zh.text, /<html lang="zh-CN">/);
  const en = await block.get(`/api/v1/blocks/${blockId}/care-list?print=1&lang=en`);
  assert.match(en.text, /<html lang="en">/);
  assert.match(en.text, /Printed/i);
  const cookie = new Client(srv.url, 'zh-CN');
  cookie.cookie = `${block.cookie}; sw_lang=en`;
  const viaCookie = await cookie.get(`/api/v1/blocks/${blockId}/care-list?print=1`);
  assert.match(viaCookie.text, /<html lang="en">/, 'the app language wins over the browser');
  assertError(await block.get(`/api/v1/blocks/${blockId}/care-list?print=1&lang=fr`), 400, 'validation_failed', 'lang');
  const csv = await block.get(`/api/v1/blocks/${blockId}/care-list?format=csv&lang=en`);
  assert.equal(csv.status, 200);
  assert.ok(!/[\u4e00-\u9fff]/.test(csv.text.split('\n')[0]), `an English header row: ${csv.text.split('\n')[0]}`);
});

test('a resident sees the block leader of their own household, with a phone to call; not another household', async () => {
  const resident = await loggedIn(srv.url, 'resident');
  const own = resident.me.user.roles.find((r) => r.role === 'resident').scope_id;
  const r = await resident.get(`/api/v1/households/${own}`);
  assert.equal(r.status, 200, r.text);
  const leaders = r.json.household.block_leaders;
  const posts = dbRows(srv.db, `SELECT COUNT(*) FROM structure_leaders s JOIN households h ON h.block_id = s.block_id
    WHERE h.id = ${own} AND s.position IN ('leader', 'deputy')`)[0][0];
  assert.equal(leaders.length, Number(posts), JSON.stringify(leaders));
  assert.ok(leaders.length >= 1, 'the demo block has a leader');
  assert.ok(leaders.every((l) => l.name && ['leader', 'deputy'].includes(l.position)), JSON.stringify(leaders));
  const [[other]] = dbRows(srv.db, `SELECT id FROM households WHERE community_id = 1 AND id <> ${own} LIMIT 1`);
  assertError(await resident.get(`/api/v1/households/${other}`), 404, 'not_found');
});
