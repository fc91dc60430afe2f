// The rotation of the story in the 东环路 demo: 3巷22号's 28 households less the 4 away
// take the gate one a day over four rounds (96 days without a skip); forty days are
// recorded, with two skips, one of them already called on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase, runCli } from '../lib/server.mjs';
import { loggedIn, listItems } from '../lib/api-helpers.mjs';

let srv;
after(async () => { await srv?.stop(); });

function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

test('东环路 3巷22号: 24 households, 4 rounds, two skips so far', async () => {
  const db = freshDatabase();
  runCli(db, ['init']);
  runCli(db, ['demo', '--shape', 'donghuan']);
  srv = await startServer({ db });
  const committee = await loggedIn(srv.url, 'dh-committee');
  const list = listItems(await committee.get('/api/v1/rotations'));
  assert.equal(list.length, 1);
  const r = await committee.get(`/api/v1/rotations/${list[0].id}`);
  assert.equal(r.status, 200, r.text);
  const rot = r.json.rotation;
  assert.equal(rot.members, 24);
  assert.equal(rot.skipped, 2);
  // 96 days for 24 x 4 turns, less one day per skip.
  assert.equal(rot.ends_on, addDays(rot.starts_on, 96 - 1 - 2));
  assert.ok(rot.turns_recorded >= 40);
  // The block's own leader records the next day; the care list holds the one not yet called.
  const block = await loggedIn(srv.url, 'dh-block');
  const care = await block.get(`/api/v1/rotations/${list[0].id}/care`);
  assert.equal(care.status, 200, care.text);
  const open = (care.json.items || []).filter((x) => !x.care_called_at);
  assert.equal(open.length, 1);
  db.dispose();
});
