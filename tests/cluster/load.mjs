// load.mjs URL OUT SECONDS — the cluster test's write load through URL for SECONDS:
// eight clients, each a committee session, write travel entries with unique places,
// a committee and a volunteer post tasks and claim them (a task of one slot each,
// claimed by the demo volunteer), and a sampling station of the demo's open testing
// round registers the people not yet sampled, ten to a tube. Each write carries an Idempotency-Key and is retried
// with the same key after a connection error or a 5xx (a failover on the way) until it
// is acknowledged (201) or the run ends. OUT gets the acknowledged places and claimed
// tasks; stdout the figures: acknowledged, the longest time between two
// acknowledgements, and the errors seen.
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Client } from '../lib/server.mjs';

const [url, out, seconds] = [process.argv[2], process.argv[3], Number(process.argv[4] || 60)];
const CLIENTS = 8;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const acked = [];
const errors = {};
const end = Date.now() + seconds * 1000;

const claims = [];
const samples = [];

async function login(username = 'committee') {
  for (;;) {
    const c = new Client(url);
    try {
      const r = await c.post('/api/v1/session', { username, password: 'shouwang-demo' });
      if (r.status === 200) return c;
    } catch { /* the balancer may have no server yet */ }
    await sleep(500);
  }
}

// Sends one write until it is acknowledged (the answer's JSON) or given up (null).
async function acknowledged(c, path, body) {
  const key = randomUUID();
  for (;;) {
    let status;
    try {
      const r = await c.post(path, body, { 'Idempotency-Key': key });
      status = r.status;
      if (status === 201) return r.json;
      if (r.json?.error?.code) status = `${status} ${r.json.error.code}`;   // which refusal, not only its number
    } catch (e) {
      status = e.cause?.code || 'network';
    }
    errors[status] = (errors[status] || 0) + 1;
    if (Date.now() > end + 30000) return null;   // given up: not acknowledged, not counted
    await sleep(250);
  }
}

async function client(n, resident) {
  const c = await login();
  for (let seq = 0; Date.now() < end; seq++) {
    const place = `cluster-${n}-${seq}-${randomUUID().slice(0, 8)}`;
    if (await acknowledged(c, `/api/v1/residents/${resident}/travel`, { place, from_date: '2026-11-20' }))
      acked.push({ place, at: Date.now() });
  }
}

async function claimer() {
  const committee = await login('committee');
  const volunteer = await login('volunteer');
  const day = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
  for (let seq = 0; Date.now() < end; seq++) {
    const made = await acknowledged(committee, '/api/v1/tasks', { title: `cluster claim ${seq}`, date: day,
      start: '09:00', end: '10:00', slots: 1, service_kind: 'delivery' });
    if (!made) break;
    if (await acknowledged(volunteer, `/api/v1/tasks/${made.task.id}/claim`, {})) claims.push(made.task.id);
  }
}

// The demo volunteer's station of today's open round registers its people in turn.
async function station() {
  const v = await login('volunteer');
  const list = await v.get('/api/v1/test-stations?limit=50');
  const st = (list.json?.items || []).find((x) => x.round_state === 'open' || x.state === 'open') ||
    (list.json?.items || [])[0];
  if (!st) return;
  const people = (await v.get(`/api/v1/test-stations/${st.id}/people`)).json?.people || [];
  const todo = people.filter((p) => !p.sampled && !p.exempt);
  const run = randomUUID().slice(0, 6);
  for (let i = 0; i < todo.length && Date.now() < end; i++) {
    const body = { idem_key: randomUUID(), resident_id: todo[i].resident_id,
      tube_code: `CL-${run}-${Math.floor(i / 10)}` };
    const answer = await acknowledged(v, `/api/v1/test-stations/${st.id}/samples`, body);
    if (answer?.status === 'counted') samples.push(todo[i].resident_id);
  }
}

const first = await login();
const residents = await first.get('/api/v1/residents?limit=1');
const resident = residents.json.items[0].id;
const t0 = Date.now();
await Promise.all([claimer(), station(), ...Array.from({ length: CLIENTS }, (_, n) => client(n, resident))]);
const times = [t0, ...acked.map((a) => a.at).sort((x, y) => x - y)];
let gap = 0;
for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
writeFileSync(out, JSON.stringify({ places: acked.map((a) => a.place), claims, samples }));
console.log(JSON.stringify({ acknowledged: acked.length, claims: claims.length, registrations: samples.length,
  per_second: Math.round(acked.length / seconds),
  longest_without_writes_s: gap / 1000, errors }));
