// Background jobs: an export runs as a job, reports progress and offers its result.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DEMO_PASSWORD } from '../lib/server.mjs';
import { readXlsx } from '../lib/xlsx.mjs';
import {
  assertError, loggedIn, jobOf, waitJob, getBytes, parseCsv, createUser, listItems, uniq,
  stopServer,
} from '../lib/api-helpers.mjs';

let srv;
let committee;
let jobId;
let other;

before(async () => {
  srv = await startServer();
  committee = await loggedIn(srv.url, 'committee');
  const u = await createUser(committee, { username: uniq('jobs-'), display_name: 'Other Committee',
    password: 'other-committee-1', roles: [{ role: 'committee' }] });
  other = await loggedIn(srv.url, u.username, u.password);
});

after(async () => {
  await stopServer(srv);
});

test('POST /users/export answers 202 with a job', async () => {
  const r = await committee.post('/api/v1/users/export', { format: 'csv' });
  assert.equal(r.status, 202, r.text);
  const job = jobOf(r);
  assert.ok(job.id !== undefined && job.id !== null, r.text);
  jobId = job.id;
});

test('the job reaches done with progress fields', async () => {
  assert.ok(jobId !== undefined, 'a job was started');
  const { job, seen } = await waitJob(committee, jobId, 30000);
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.equal(String(job.id), String(jobId));
  for (const j of seen) {
    assert.ok(['queued', 'running', 'done'].includes(j.state), `state ${j.state}`);
    assert.ok(Number.isInteger(j.done) && j.done >= 0, `done: ${JSON.stringify(j)}`);
    assert.ok(Number.isInteger(j.total) && j.total >= 0, `total: ${JSON.stringify(j)}`);
    assert.ok(j.done <= j.total || j.total === 0, `done <= total: ${JSON.stringify(j)}`);
  }
  assert.ok(job.total >= 1, 'the export had work to do');
  assert.equal(job.done, job.total, 'a finished job is complete');
});

test('GET /jobs/{id}/result downloads the CSV', async () => {
  const r = await getBytes(committee, `/api/v1/jobs/${jobId}/result`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /^text\/csv/);
  assert.deepEqual([...r.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const rows = parseCsv(r.body.subarray(3).toString('utf8')).filter((x) => x.some((c) => c !== ''));
  const users = listItems(await committee.get('/api/v1/users?limit=500'));
  assert.equal(rows.length, users.length + 1, 'header and one row per user');
  for (const u of ['committee', 'volunteer', 'resident']) {
    assert.ok(rows.some((row) => row.includes(u)), `${u} exported`);
  }
});

test('an xlsx export job yields a spreadsheet', async () => {
  const r = await committee.post('/api/v1/users/export', { format: 'xlsx' });
  assert.equal(r.status, 202, r.text);
  const { job } = await waitJob(committee, jobOf(r).id, 30000);
  assert.equal(job.state, 'done');
  const res = await getBytes(committee, `/api/v1/jobs/${job.id}/result`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') || '', /spreadsheetml/);
  const rows = readXlsx(res.body).filter((row) => row.some((c) => c !== ''));
  const users = listItems(await committee.get('/api/v1/users?limit=500'));
  assert.equal(rows.length, users.length + 1, 'header and one row per user');
  for (const u of ['committee', 'volunteer', 'resident']) {
    assert.ok(rows.some((row) => row.includes(u)), `${u} in the sheet`);
  }
});

test('an export with an unknown format answers 400 naming format', async () => {
  assertError(await committee.post('/api/v1/users/export', { format: 'pdf' }), 400, 'validation_failed', 'format');
});

test('another user cannot see the job or its result', async () => {
  assertError(await other.get(`/api/v1/jobs/${jobId}`), 404, 'not_found');
  assertError(await other.get(`/api/v1/jobs/${jobId}/result`), 404, 'not_found');
  const volunteer = await loggedIn(srv.url, 'volunteer');
  const v = await volunteer.get(`/api/v1/jobs/${jobId}`);
  assert.ok(v.status === 404 || v.status === 403, `volunteer: ${v.status}`);
  assertError(v, v.status, v.status === 404 ? 'not_found' : 'forbidden');
});

test('an unknown job answers 404', async () => {
  assertError(await committee.get('/api/v1/jobs/999999'), 404, 'not_found');
  assertError(await committee.get('/api/v1/jobs/999999/result'), 404, 'not_found');
  const bad = await committee.get('/api/v1/jobs/not-a-number');
  assert.ok(bad.status === 404 || bad.status === 400, `non-numeric id: ${bad.status}`);
});

test('SIGTERM while export jobs run: the server exits cleanly', async () => {
  const own = await startServer();
  let stopped = false;
  try {
    const c = await loggedIn(own.url, 'committee', DEMO_PASSWORD);
    const started = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      c.post('/api/v1/users/export', { format: i % 2 ? 'xlsx' : 'csv' })));
    for (const r of started) assert.equal(r.status, 202, r.text);
    stopped = true;
    await stopServer(own, { timeoutMs: 15000 });
  } finally {
    if (!stopped) await own.stop();
  }
});
