// Many communities on one instance: the superuser adds a community with its first
// committee account in one write and keeps its name and time zone; and no answer ever
// mixes two communities, also when both committees work at once on a database that
// holds two demo communities (阳光绿园 and 东环路).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase, runCli } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, routeTable, sleep, stopServer, uniq } from '../lib/api-helpers.mjs';

let srv;
before(async () => {
  const db = freshDatabase();
  runCli(db, ['init']);
  runCli(db, ['demo']);
  runCli(db, ['demo', '--shape', 'donghuan']);
  srv = await startServer({ db });
});
after(async () => { await stopServer(srv); });

test('the superuser adds a community with its first committee account, and keeps its name and time zone', async () => {
  const admin = await loggedIn(srv.url, 'admin');
  const username = uniq('jwh-');
  const r = await admin.post('/api/v1/communities', { name: '新华社区', timezone: 'Asia/Urumqi',
    committee: { username, display_name: '新华居委会 王书记', password: 'first-pass-2026' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.community.name, '新华社区');
  assert.equal(r.json.community.timezone, 'Asia/Urumqi');
  assert.equal(r.json.community.committee_accounts, 1);
  assert.equal(r.json.committee.username, username);
  const id = r.json.community.id;

  const listed = listItems(await admin.get('/api/v1/communities?limit=100')).find((c) => c.id === id);
  assert.equal(listed.committee_accounts, 1);

  // The new committee member logs in and sees an empty community of their own.
  const member = await loggedIn(srv.url, username, 'first-pass-2026');
  assert.ok(member.me.user.roles.some((x) => x.role === 'committee'));
  assert.deepEqual(listItems(await member.get('/api/v1/residents?limit=5')), []);
  assert.equal((await member.get('/api/v1/me')).json.community.id, id);

  // Settings: name and time zone.
  const p = await admin.patch(`/api/v1/communities/${id}`, { name: '新华社区（东区）', timezone: 'Asia/Shanghai' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.community.name, '新华社区（东区）');
  assert.equal((await admin.get(`/api/v1/communities/${id}`)).json.community.timezone, 'Asia/Shanghai');
  const audit = listItems(await admin.get('/api/v1/audit?action=community.update&limit=100'));
  assert.ok(audit.some((a) => a.target_id === id), 'the change is audited');

  // A community without a committee account yet is listed as such.
  const bare = await admin.post('/api/v1/communities', { name: '空社区' });
  assert.equal(bare.status, 201, bare.text);
  assert.equal(bare.json.community.committee_accounts, 0);
  assert.equal(bare.json.committee, undefined);
});

test('bad input names the field; nothing is half-written; only the superuser may', async () => {
  const admin = await loggedIn(srv.url, 'admin');
  const before = listItems(await admin.get('/api/v1/communities?limit=100')).length;
  assertError(await admin.post('/api/v1/communities', {}), 400, 'validation_failed', 'name');
  assertError(await admin.post('/api/v1/communities', { name: 'x', timezone: 'Mars/Base' }), 400,
    'validation_failed', 'timezone');
  assertError(await admin.post('/api/v1/communities', { name: 'x', committee: 'nope' }), 400,
    'validation_failed', 'committee');
  assertError(await admin.post('/api/v1/communities', { name: 'x', committee: { username: 'new-committee', display_name: 'x' } }),
    400, 'validation_failed', 'committee.password');
  assertError(await admin.post('/api/v1/communities', { name: 'x',
    committee: { username: 'new-committee', display_name: 'x', password: 'short' } }), 400, 'validation_failed',
  'committee.password');
  // A taken username: 409, and the community is not made either.
  assertError(await admin.post('/api/v1/communities', { name: '重名社区',
    committee: { username: 'committee', display_name: 'x', password: 'first-pass-2026' } }), 409, 'conflict',
  'committee.username');
  assert.equal(listItems(await admin.get('/api/v1/communities?limit=100')).length, before, 'nothing was made');
  assertError(await admin.patch('/api/v1/communities/999999', { name: 'x' }), 404, 'not_found');
  assertError(await admin.patch('/api/v1/communities/1', { timezone: 'Nowhere/City' }), 400, 'validation_failed',
    'timezone');
  const committee = await loggedIn(srv.url, 'committee');
  assertError(await committee.post('/api/v1/communities', { name: 'x' }), 403, 'forbidden');
  assertError(await committee.patch('/api/v1/communities/1', { name: 'x' }), 403, 'forbidden');
  assertError(await committee.get('/api/v1/communities/1'), 403, 'forbidden');
});

// Every key community_id anywhere in an answer, and the names of communities.
function communityIds(value, out = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => communityIds(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'community_id' && Number.isInteger(v)) out.add(v);
      communityIds(v, out);
    }
  }
  return out;
}
const itemIds = (json) => new Set((json?.items || []).map((x) => x.id).filter(Number.isInteger));

test('no answer mixes two communities while both committees work at once', async () => {
  const a = await loggedIn(srv.url, 'committee');
  const b = await loggedIn(srv.url, 'dh-committee');
  const ca = a.me.community, cb = b.me.community;
  assert.notEqual(ca.id, cb.id);
  // Every list a committee may read without a path parameter.
  const lists = routeTable().filter((r) => r.method === 'GET' && !r.pattern.includes('{') &&
    r.roles.includes('committee') && r.pattern !== '/api/v1/health').map((r) => r.pattern);
  assert.ok(lists.length >= 40, `${lists.length} lists`);
  const seen = { a: new Map(), b: new Map() };
  // Two rounds; in each, both committees read every list at once, eight at a time,
  // while both keep writing travel entries (the batched writer and session cache busy).
  const residentA = listItems(await a.get('/api/v1/residents?limit=1'))[0].id;
  const residentB = listItems(await b.get('/api/v1/residents?limit=1'))[0].id;
  let writing = true;
  // A kept-alive connection the server closes as idle (60 s) just as a request goes
  // out fails in the client: like the app, the writer sends again on a new one.
  const writer = async (c, resident) => {
    let n = 0, status = 0;
    while (writing) {
      try {
        const r = await c.post(`/api/v1/residents/${resident}/travel`, { place: `mix-${n}`, from_date: '2026-11-02' });
        status = r.status;
        if (status !== 201) return { n, status, text: r.text };
        n++;
      } catch {
        await sleep(50);
      }
    }
    return { n, status: 201 };
  };
  const writers = [writer(a, residentA), writer(b, residentB)];
  for (let round = 0; round < 2; round++) {
    const jobs = lists.flatMap((p) => [['a', a, p], ['b', b, p]]);
    for (let i = 0; i < jobs.length; i += 8) {
      await Promise.all(jobs.slice(i, i + 8).map(async ([who, c, p]) => {
        const url = `${p}${p.includes('?') ? '&' : '?'}limit=50`;
        const r = await c.get(url).catch(() => c.get(url));   // once more on a connection closed as idle
        if (r.status !== 200 || !r.json) return;
        const own = who === 'a' ? ca : cb, other = who === 'a' ? cb : ca;
        for (const id of communityIds(r.json)) assert.equal(id, own.id, `${who} ${p}: community_id ${id}`);
        assert.ok(!r.text.includes(other.name), `${who} ${p} names ${other.name}`);
        const ids = seen[who].get(p) || new Set();
        for (const x of itemIds(r.json)) ids.add(x);
        seen[who].set(p, ids);
      }));
    }
  }
  writing = false;
  const written = await Promise.all(writers);
  for (const w of written) assert.equal(w.status, 201, `a write meanwhile: ${w.status} ${w.text || ''}`);
  assert.ok(written.every((w) => w.n > 0), 'both wrote meanwhile');
  // Rows are numbered across the instance: a row two committees both saw would be shared.
  let compared = 0;
  for (const [p, ids] of seen.a) {
    const other = seen.b.get(p);
    if (!other || !ids.size || !other.size || p === '/api/v1/communities') continue;
    const both = [...ids].filter((x) => other.has(x));
    assert.deepEqual(both, [], `${p}: ids seen by both communities`);
    compared++;
  }
  assert.ok(compared >= 10, `${compared} lists compared`);
});
