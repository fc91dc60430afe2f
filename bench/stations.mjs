// stations.mjs URL SECONDS — the testing-morning load against a running server that holds
// the 40,000-resident demo (康城): a round is opened with 16 stations, and 16 stations
// register at once, each its own sequence of tubes (10 a tube), each request one durable
// POST …/samples of a different person, for SECONDS (or until the round's people run
// out). Prints one JSON object: registrations/s, p50/p99 latency, errors, and the
// round's own counts read back (every acknowledged registration counted once).
// Loads go to 127.0.0.1 only and are bounded in time.
import http from 'node:http';
import { pct, session } from './session.mjs';
import { randomUUID } from 'node:crypto';

const [url, secondsArg] = process.argv.slice(2);
const SECONDS = Math.min(20, Math.max(1, Number(secondsArg) || 10));
const STATIONS = 16;
const sess = session(url);
const req = sess.req;
const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);

const login = await req('POST', '/api/v1/session', { username: 'lg-committee', password: 'shouwang-demo' });
if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
const round = await req('POST', '/api/v1/test-rounds', { name: 'bench', on_day: today, kind: 'pcr_pooled',
  pool_size: 10 });
if (round.status !== 201) throw new Error(`round: ${round.status} ${round.text}`);
const stations = [];
for (let k = 0; k < STATIONS; k++) {
  const s = await req('POST', `/api/v1/test-rounds/${round.json.id}/stations`, { name: `S${k + 1}`,
    opens_at: '07:00', closes_at: '11:00' });
  if (s.status !== 201) throw new Error(`station: ${s.status} ${s.text}`);
  stations.push(s.json.id);
}
if ((await req('POST', `/api/v1/test-rounds/${round.json.id}/open`)).status !== 200) throw new Error('open');
const people = (await req('GET', `/api/v1/test-stations/${stations[0]}/people`)).json.people.map((p) => p.resident_id);

// One keep-alive connection per station, as a phone keeps its own.
const agent = new http.Agent({ keepAlive: true, maxSockets: STATIONS });
const target = new URL(url);
function post(path, body) {
  return new Promise((resolve) => {
    const data = Buffer.from(JSON.stringify(body));
    const start = performance.now();
    const r = http.request({ host: target.hostname, port: target.port, path, method: 'POST', agent,
      headers: { Cookie: sess.cookie, 'X-CSRF-Token': sess.csrf, 'Content-Type': 'application/json',
        'Content-Length': data.length } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text, ms: performance.now() - start }));
    });
    r.on('error', (e) => resolve({ status: 0, text: String(e), ms: performance.now() - start }));
    r.end(data);
  });
}

let next = 0;
const lat = [];
const errors = {};
let acked = 0;
const deadline = performance.now() + SECONDS * 1000;
async function station(k) {
  let n = 0;
  while (performance.now() < deadline && next < people.length) {
    const resident = people[next++];
    const tube = `S${k + 1}-${String(Math.floor(n / 10) + 1).padStart(5, '0')}`;
    n++;
    const r = await post(`/api/v1/test-stations/${stations[k]}/samples`, { idem_key: randomUUID(),
      resident_id: resident, tube_code: tube });
    lat.push(r.ms);
    if (r.status === 201) acked++;
    else errors[`${r.status} ${r.text.slice(0, 80)}`] = (errors[`${r.status} ${r.text.slice(0, 80)}`] || 0) + 1;
  }
}
const t0 = performance.now();
await Promise.all(stations.map((_, k) => station(k)));
const wall = (performance.now() - t0) / 1000;
agent.destroy();
lat.sort((a, b) => a - b);
let counted = 0;
let tubes = 0;
for (const id of stations) {
  const s = (await req('GET', `/api/v1/test-stations/${id}/state`)).json;
  counted += s.counts.samples;
  tubes += s.counts.tubes;
}
console.log(JSON.stringify({ stations: STATIONS, seconds: +wall.toFixed(1), sent: lat.length, acked, counted, tubes,
  per_s: Math.round(acked / wall), p50_ms: +pct(lat, 0.5).toFixed(1), p99_ms: +pct(lat, 0.99).toFixed(1), errors }));
