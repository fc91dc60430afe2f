// Background work on the server's one pool: bounded (past its queue a job start answers
// 503 busy and leaves no job), and stopped cleanly: SIGTERM while imports run waits for
// them, fails what was still queued, and no import is ever half-written — after a
// restart each job is done with all its rows or failed with none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, jobOf, sleep, stopServer } from '../lib/api-helpers.mjs';
import { dbRows, dbInt } from '../lib/db-query.mjs';

const HEADER = '楼组,房号,户状态,姓名,性别,出生年份,手机,身份证号,与户主关系,党员,流动人口';
const BLOCKS = ['3号楼1单元', '3号楼2单元', '4号楼1单元', '4号楼2单元', '5号楼1单元'];
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function cnId(y, m, d, seq) {
  const body = `110105${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
  const sum = [...body].reduce((a, c, i) => a + Number(c) * WEIGHTS[i], 0);
  return body + '10X98765432'[sum % 11];
}

// File n: `rows` new residents in rooms and ID numbers no other file uses.
function importFile(n, rows) {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const y = 1950 + (i % 50), m = 1 + (Math.floor(i / 50) % 12), d = 1 + (Math.floor(i / 600) % 28);
    lines.push(`${BLOCKS[i % 5]},F${n}R${Math.floor(i / 3)},自住,居民${n}-${i},${i % 2 ? '男' : '女'},${y},,${cnId(y, m, d, 900 + n)},,否,否`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

async function startImport(client, body) {
  const res = await fetch(`${client.url}/api/v1/registry/import?async=1`, {
    method: 'POST', body,
    headers: { 'Content-Type': 'text/csv', Cookie: client.cookie, 'X-CSRF-Token': client.csrf, 'Accept-Language': 'en' },
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

const residents = (db) => dbInt(db, 'SELECT COUNT(*) FROM residents');
const jobRow = (db, id) => {
  const [row] = dbRows(db, `SELECT state, COALESCE(error, '') FROM jobs WHERE id = ${Number(id)}`);
  return { state: row[0], error: row[1] };
};

// After the server exited: every job ended (the exit did not leave one queued or
// running), and each one's rows are all there or none are.
function assertEnded(db, ids, rowsEach, before) {
  let done = 0;
  for (const id of ids) {
    const j = jobRow(db, id);
    assert.ok(j.state === 'done' || j.state === 'failed', `job ${id} left ${j.state}`);
    if (j.state === 'done') done++;
    else assert.match(j.error, /restarted|stopped/, `job ${id}: ${j.error}`);
  }
  assert.equal(residents(db), before + done * rowsEach, `${done} of ${ids.length} imports written, each whole`);
  return done;
}

test('SIGTERM during an import: shutdown waits for it; after a restart it is done or failed, never half-written', async () => {
  const srv = await startServer();
  let again = null;
  try {
    const c = await loggedIn(srv.url, 'committee');
    const before = residents(srv.db);
    const r = await startImport(c, importFile(1, 4000));
    assert.equal(r.status, 202, r.text);
    const id = jobOf(r).id;
    // Once the rows are read, the plan and the one-transaction write follow: SIGTERM
    // aims at the write (a shutdown before it starts fails the job instead).
    for (const end = Date.now() + 30000; ;) {
      const j = jobOf(await c.get(`/api/v1/jobs/${id}`));
      if (j.state === 'done' || j.state === 'failed') break;
      if (j.total > 0 && j.done === j.total) { await sleep(400); break; }
      assert.ok(Date.now() < end, `job still ${j.state} ${j.done}/${j.total}`);
      await sleep(20);
    }
    await stopServer(srv, { keepDb: true, timeoutMs: 40000 });
    const done = assertEnded(srv.db, [id], 4000, before);
    console.log(`import stopped by SIGTERM: ${done ? 'finished before the exit' : 'failed, nothing written'}`);

    again = await startServer({ db: srv.db });
    const c2 = await loggedIn(again.url, 'committee');
    const j = jobOf(await c2.get(`/api/v1/jobs/${id}`));
    assert.equal(j.state, done ? 'done' : 'failed', JSON.stringify(j));
    if (done) assert.ok(j.result && j.result.url, 'the report is kept');
    assert.equal(residents(srv.db), before + (done ? 4000 : 0));
  } finally {
    if (again) await stopServer(again);
    else if (srv.proc.exitCode === null) await srv.stop({ keepDb: true });
    srv.db.dispose();
  }
});

test('past the queue a job start answers 503 busy and leaves no job; at SIGTERM the queued one is failed', async () => {
  // Two workers and one place in the queue: three jobs are taken, the fourth is not.
  const srv = await startServer({ env: { SHOUWANG_JOB_QUEUE: '1' } });
  try {
    const c = await loggedIn(srv.url, 'committee');
    const before = residents(srv.db);
    const jobsBefore = dbInt(srv.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'import'");
    const ids = [];
    for (let n = 2; n <= 4; n++) {
      const r = await startImport(c, importFile(n, 3000));
      assert.equal(r.status, 202, r.text);
      ids.push(jobOf(r).id);
    }
    const busy = await startImport(c, importFile(5, 3000));
    assertError(busy, 503, 'busy');
    assert.equal(busy.headers.get('retry-after'), '30');
    assert.equal(dbInt(srv.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'import'"), jobsBefore + 3, 'no row for the refused one');

    await stopServer(srv, { keepDb: true, timeoutMs: 40000 });
    const done = assertEnded(srv.db, ids, 3000, before);
    assert.equal(jobRow(srv.db, ids[2]).state, 'failed', 'the queued job did not start after SIGTERM');
    console.log(`three jobs at SIGTERM: ${done} finished, ${3 - done} failed`);
  } finally {
    if (srv.proc.exitCode === null) await srv.stop({ keepDb: true });
    srv.db.dispose();
  }
});

test('a job left running by a killed server is failed at the next start, its rows all or none', async () => {
  const srv = await startServer();
  let again = null;
  try {
    const c = await loggedIn(srv.url, 'committee');
    const before = residents(srv.db);
    const r = await startImport(c, importFile(6, 3000));
    assert.equal(r.status, 202, r.text);
    const id = jobOf(r).id;
    for (const end = Date.now() + 30000; ;) {
      const j = jobOf(await c.get(`/api/v1/jobs/${id}`));
      if (j.state !== 'queued') break;
      assert.ok(Date.now() < end, 'the job started');
      await sleep(20);
    }
    await srv.kill();
    const left = jobRow(srv.db, id);
    // On PostgreSQL another server may share the database: a row counts as abandoned
    // once its heartbeat is two minutes old. Age it instead of waiting.
    if (srv.db.args[0] === '--pg') {
      dbRows(srv.db, `UPDATE jobs SET updated_at = updated_at - 300000000 WHERE id = ${Number(id)}`);
    }
    again = await startServer({ db: srv.db });
    const c2 = await loggedIn(again.url, 'committee');
    const j = jobOf(await c2.get(`/api/v1/jobs/${id}`));
    if (left.state === 'done') {
      assert.equal(j.state, 'done');
      assert.equal(residents(srv.db), before + 3000);
    } else {
      assert.equal(j.state, 'failed', JSON.stringify(j));
      // In the language of the user who started it (the demo committee's: Chinese).
      assert.equal(j.error, '服务器重启，任务已中断，请重新提交');
      assert.equal(residents(srv.db), before, 'nothing of it written');
    }
    console.log(`killed while ${left.state}: ${j.state} after the restart`);
  } finally {
    if (again) await stopServer(again);
    srv.db.dispose();
  }
});
