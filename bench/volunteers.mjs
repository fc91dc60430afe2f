// volunteers.mjs URL TOKENS — the volunteer benches against a running demo server:
//   grab: a task with 50 slots and 1,000 claims sent at once, each by another volunteer
//         (bearer tokens from volunteers_fixture.py); prints granted, full, errors,
//         claims/s, p50/p99 latency, and the task's own count read back;
//   roster: 6 new posts x 3 shifts a day x 14 days, need 2 each, filled from the
//         corps (~1,300 serving volunteers with the fixture's), 5 runs: the server's
//         own generation time (stats.generate_ms) and the request time, medians.
// Prints one JSON object. Loads go to 127.0.0.1 only and are bounded in count.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { pct, session } from './session.mjs';

const [url, tokensFile] = process.argv.slice(2);
const tokens = readFileSync(tokensFile, 'utf8').split('\n').filter(Boolean);
const sess = session(url);
const req = sess.req;
function day(offset) { return new Date(Date.now() + offset * 86400000 + 8 * 3600000).toISOString().slice(0, 10); }
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const login = await req('POST', '/api/v1/session', { username: 'committee', password: 'shouwang-demo' });
if (login.status !== 200) throw new Error(`login: ${login.status}`);

// ---- grab ----
const task = await req('POST', '/api/v1/tasks', { title: 'bench', date: day(1), start: '09:00', end: '11:00',
  slots: 50, service_kind: 'delivery' });
if (task.status !== 201) throw new Error(`task: ${task.status} ${task.text}`);
const id = task.json.task.id;
// The 1,000 claims are sent at once over a keep-alive pool of 64 connections (as wrk
// -c64 does for the other rows): a phone's claim waits for a connection, not for 999
// TCP handshakes, and the latency measured is the server's, queue included.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const target = new URL(url);
// Resolves {status, body, ms}: ms from the moment the request has a connection (as wrk
// times a request on its connection), so the client's own queue is not counted.
function claim(path, token) {
  return new Promise((resolve) => {
    let sent = 0;
    const r = http.request({ host: target.hostname, port: target.port, path, method: 'POST', agent,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': 2 } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body, ms: performance.now() - sent }));
    });
    r.on('socket', () => { sent = performance.now(); });
    r.on('error', (e) => resolve({ status: 0, body: String(e), ms: performance.now() - sent }));
    r.end('{}');
  });
}
// GETs path as the volunteer holding token; rejects on anything but 200.
function fetchOnce(path, token) {
  return new Promise((resolve, reject) => {
    http.get({ host: target.hostname, port: target.port, path, agent, headers: { Authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`))));
      }).on('error', reject);
  });
}
const claimers = tokens.slice(0, 1000);
// The server has served claims before, as one that has run for a while has: five
// claims on another task first, so the burst does not also measure the statements'
// first preparation on the writer's connection (about 10 ms on PostgreSQL).
const warm = await req('POST', '/api/v1/tasks', { title: 'bench warm-up', date: day(1), start: '12:00', end: '13:00',
  slots: 5, service_kind: 'delivery' });
if (warm.status !== 201) throw new Error(`warm-up task: ${warm.status} ${warm.text}`);
for (const tok of claimers.slice(0, 5)) {
  const r = await claim(`/api/v1/tasks/${warm.json.task.id}/claim`, tok);
  if (r.status !== 201) throw new Error(`warm-up claim: ${r.status} ${r.body}`);
}
// Each volunteer has the task open before the burst, as they would: the notification
// "a task that fits me" brings them to it, and claiming is the tap that follows. Their
// first request of the day (the session read, its last-use write) is not the claim's.
await Promise.all(claimers.map((tok) => fetchOnce(`/api/v1/tasks/${id}`, tok)));
await new Promise((r) => setTimeout(r, 500));
const lat = [];
const others = {};
const t0 = performance.now();
const answers = await Promise.all(claimers.map(async (tok) => {
  const r = await claim(`/api/v1/tasks/${id}/claim`, tok);
  lat.push(r.ms);
  const word = r.status === 409 && r.body.includes('"full"') ? 'full' : String(r.status);
  if (word !== '201' && word !== 'full') others[`${r.status} ${r.body.slice(0, 80)}`] = (others[`${r.status} ${r.body.slice(0, 80)}`] || 0) + 1;
  return word;
}));
const wall = performance.now() - t0;
agent.destroy();
lat.sort((a, b) => a - b);
const after = await req('GET', `/api/v1/tasks/${id}`);
const grab = {
  claims: claimers.length, granted: answers.filter((a) => a === '201').length,
  full: answers.filter((a) => a === 'full').length,
  other: answers.filter((a) => a !== '201' && a !== 'full').length,
  task_claimed: after.json.task.claimed, task_people: after.json.task.people.filter((p) => p.state === 'claimed').length,
  others, claims_per_s: Math.round(claimers.length / (wall / 1000)), p50_ms: +pct(lat, 0.5).toFixed(1), p99_ms: +pct(lat, 0.99).toFixed(1),
};

// ---- roster ----
const postIds = [];
for (let k = 0; k < 6; k++) {
  const p = await req('POST', '/api/v1/posts', { name: `bench post ${k + 1}`, kind: 'gate' });
  postIds.push(p.json.post.id);
  const made = await req('POST', `/api/v1/posts/${p.json.post.id}/shifts`, { from: day(40), to: day(53),
    times: [{ start: '00:00', end: '08:00' }, { start: '08:00', end: '16:00' }, { start: '16:00', end: '00:00' }], need: 2 });
  if (made.status !== 201) throw new Error(`shifts: ${made.status} ${made.text}`);
}
const gen = [], reqMs = [];
let last = null;
for (let run = 0; run < 5; run++) {
  const s = performance.now();
  const r = await req('POST', '/api/v1/rosters', { from: day(40), to: day(53), post_ids: postIds });
  reqMs.push(performance.now() - s);
  if (r.status !== 201) throw new Error(`roster: ${r.status} ${r.text}`);
  gen.push(r.json.roster.stats.generate_ms);
  last = r.json.roster;
  await req('DELETE', `/api/v1/rosters/${last.id}`);
}
const roster = { shifts: last.stats.shifts, places: last.entries, unfilled: last.unfilled.length,
  volunteers: last.stats.volunteers, generate_ms: median(gen), request_ms: +median(reqMs).toFixed(1),
  min_hours: last.stats.min_hours, max_hours: last.stats.max_hours };
console.log(JSON.stringify({ grab, roster }));
