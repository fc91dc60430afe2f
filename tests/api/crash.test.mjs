// Durability: writes acknowledged before a kill -9 are all there after a restart, and
// every write is whole (its audit entry and idempotency record commit with it).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { loggedIn, walkList, uniq, stopServer } from '../lib/api-helpers.mjs';

const PATCHES = 400;
const TOKENS = 100;
const CONCURRENCY = 48;

let first;
let second;

after(async () => {
  try {
    await stopServer(second);
  } finally {
    if (first) {
      if (first.proc.exitCode === null && first.proc.signalCode === null) await first.kill();
      first.db.dispose();
    }
  }
});

test('acknowledged writes survive kill -9; nothing is half-written', async (t) => {
  const t0 = Date.now();
  const lap = (what) => t.diagnostic(`${what}: ${Date.now() - t0} ms`);
  first = await startServer();
  const c = await loggedIn(first.url, 'committee');
  const uid = c.me.user.id;

  // Which audit action a token creation writes, and that it points at the token.
  const beforeIds = new Set((await walkList(c, '/api/v1/audit')).map((e) => e.id));
  const probe = await c.post('/api/v1/tokens', { name: 'crash-probe' });
  assert.equal(probe.status, 201, probe.text);
  const fresh = (await walkList(c, '/api/v1/audit')).filter((e) => !beforeIds.has(e.id));
  assert.equal(fresh.length, 1, `one audit entry for a token creation: ${JSON.stringify(fresh)}`);
  const tokenAction = fresh[0].action;
  assert.equal(fresh[0].user_id, uid);
  assert.equal(fresh[0].target_id, probe.json.id, 'the entry names the token');

  // The storm: PATCH /me and POST /tokens interleaved, each with its own key.
  const run = uniq('');
  const ops = [];
  for (let i = 0, p = 0, t = 0; p < PATCHES || t < TOKENS; i++) {
    if (i % 5 === 4 && t < TOKENS) {
      ops.push({ kind: 'token', key: `crash-t-${run}-${t}`, body: { name: `crash-tok-${t}` } }); t++;
    } else if (p < PATCHES) {
      ops.push({ kind: 'patch', key: `crash-p-${run}-${p}`, body: { display_name: `crash-${p}` } }); p++;
    } else {
      ops.push({ kind: 'token', key: `crash-t-${run}-${t}`, body: { name: `crash-tok-${t}` } }); t++;
    }
  }
  const threshold = Math.floor(ops.length / 2);
  let next = 0;
  let acked = 0;
  let killed = null;
  let inFlightAtKill = 0;
  let inFlight = 0;
  const badAnswers = [];

  const send = (op) => (op.kind === 'patch'
    ? c.patch('/api/v1/me', op.body, { 'Idempotency-Key': op.key })
    : c.post('/api/v1/tokens', op.body, { 'Idempotency-Key': op.key }));

  async function worker() {
    while (!killed && next < ops.length) {
      const op = ops[next++];
      op.started = true;
      inFlight++;
      try {
        const r = await send(op);
        if (r.status >= 200 && r.status < 300) {
          op.acked = true;
          op.answer = r.json;
          acked++;
        } else {
          badAnswers.push(`${op.kind} ${op.key}: ${r.status} ${r.text.slice(0, 120)}`);
        }
      } catch {
        // Connection cut by the kill: not acknowledged.
      } finally {
        inFlight--;
      }
      if (!killed && acked >= threshold) {
        inFlightAtKill = inFlight;
        killed = first.kill();
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  assert.ok(killed, 'the server was killed mid-stream');
  const exit = await killed;
  assert.equal(exit.sig, 'SIGKILL');
  assert.deepEqual(badAnswers, [], 'every answer before the kill was a success');

  const started = ops.filter((o) => o.started);
  const ackedOps = ops.filter((o) => o.acked);
  assert.ok(started.length < ops.length, 'the kill came before the end of the stream');
  assert.ok(inFlightAtKill > 0, 'requests were in flight at the kill');

  t.diagnostic(`ops ${ops.length}, started ${started.length}, acknowledged ${ackedOps.length}, in flight at the kill ${inFlightAtKill}`);
  lap('killed');
  second = await startServer({ db: first.db, demo: false });
  lap('restarted');
  const c2 = await loggedIn(second.url, 'committee');

  // Every acknowledged token exists and works.
  const tokens = await walkList(c2, '/api/v1/tokens');
  const tokenIds = new Set(tokens.map((t) => t.id));
  const ackedTokens = ackedOps.filter((o) => o.kind === 'token');
  const missing = ackedTokens.filter((o) => !tokenIds.has(o.answer.id)).map((o) => o.key);
  assert.deepEqual(missing, [], 'acknowledged tokens are present');
  for (let i = 0; i < ackedTokens.length; i += 16) {
    await Promise.all(ackedTokens.slice(i, i + 16).map(async (o) => {
      const api = new Client(second.url);
      api.bearer = o.answer.token;
      const me = await api.get('/api/v1/me');
      assert.equal(me.status, 200, `token ${o.key} works after the restart`);
    }));
  }

  // Every acknowledged PATCH has its audit entry (counted: entries hold no names).
  const audit = await walkList(c2, `/api/v1/audit?user_id=${uid}`, 500);
  const mine = audit.filter((e) => e.user_id === uid);
  const updates = mine.filter((e) => e.action === 'me.update');
  const startedPatches = started.filter((o) => o.kind === 'patch');
  const ackedPatches = ackedOps.filter((o) => o.kind === 'patch');
  const byAction = await walkList(c2, '/api/v1/audit?action=me.update&limit=500', 500);
  assert.equal(byAction.filter((e) => e.user_id === uid).length, updates.length, 'the action filter agrees');
  assert.ok(updates.length >= ackedPatches.length,
    `audit entries ${updates.length} >= acknowledged patches ${ackedPatches.length}`);
  assert.ok(updates.length <= startedPatches.length,
    `audit entries ${updates.length} <= sent patches ${startedPatches.length}`);

  // Token creations and their audit entries match one to one.
  const tokenAudit = mine.filter((e) => e.action === tokenAction).map((e) => e.target_id);
  assert.equal(new Set(tokenAudit).size, tokenAudit.length, 'one entry per token');
  assert.deepEqual([...tokenAudit].sort((a, b) => a - b), [...tokenIds].sort((a, b) => a - b),
    'every token has its audit entry and every entry its token');

  // The display name is one of the names sent.
  const me = await c2.get('/api/v1/me');
  assert.ok(startedPatches.some((o) => o.body.display_name === me.json.user.display_name) ||
    me.json.user.display_name === c.me.user.display_name, `display_name ${me.json.user.display_name}`);

  lap('checked');
  // Retrying every sent request with its key: exactly the committed ones replay. A
  // token's answer holds the secret and is never kept: its retry answers 409 "already
  // done" with the token's id instead.
  let replayedPatches = 0;
  let replayedTokens = 0;
  for (let i = 0; i < started.length; i += 32) {
    await Promise.all(started.slice(i, i + 32).map(async (o) => {
      const r = o.kind === 'patch'
        ? await c2.patch('/api/v1/me', o.body, { 'Idempotency-Key': o.key })
        : await c2.post('/api/v1/tokens', o.body, { 'Idempotency-Key': o.key });
      const done = o.kind === 'token' && r.status === 409 && r.json?.error?.code === 'idempotency_already_done';
      assert.ok(done || (r.status >= 200 && r.status < 300), `retry ${o.key}: ${r.status} ${r.text}`);
      if (done && o.answer) assert.ok(!r.text.includes(o.answer.token), 'the secret is not shown again');
      const replayed = o.kind === 'token' ? done : r.headers.get('idempotent-replayed') === 'true';
      if (o.acked) {
        assert.ok(replayed, `acknowledged ${o.key} replays after the restart`);
        if (o.kind === 'token') assert.equal(r.json.id, o.answer.id);
      }
      if (replayed && o.kind === 'patch') replayedPatches++;
      if (replayed && o.kind === 'token') replayedTokens++;
    }));
  }
  lap('replayed');
  t.diagnostic(`audit me.update ${updates.length}, tokens ${tokenIds.size}, replayed ${replayedPatches}+${replayedTokens}`);
  assert.equal(replayedPatches, updates.length, 'idempotency records match the audit entries');
  assert.equal(replayedTokens, tokenIds.size - 1, 'idempotency records match the tokens (besides the probe)');
});
