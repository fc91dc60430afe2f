// soak.mjs — the crash test, many times: rounds of acknowledged writes under concurrent
// load, each ended by `kill -9` of the server at a random moment (or, on PostgreSQL in
// every fourth round, by an immediate shutdown of PostgreSQL itself), then a restart
// and a check that every acknowledged write is there and whole. Run by tests/soak/run.sh
// (`make soak`); not part of `make test`. Prints rounds, writes acknowledged, writes
// lost; exits 1 when any write was lost or half-written.
import { execFileSync } from 'node:child_process';
import { startServer, BACKEND } from '../lib/server.mjs';
import { loggedIn, listItems } from '../lib/api-helpers.mjs';
import { dbRows, dbInt } from '../lib/db-query.mjs';

const ROUNDS = Number(process.env.SOAK_ROUNDS || 100);
const CLIENTS = Number(process.env.SOAK_CLIENTS || 8);
const PG_EVERY = 4;     // on PostgreSQL, every fourth round stops PostgreSQL instead

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pgCtl(args) {
  const data = process.env.SHOUWANG_PG_DATA;
  const cmd = ['pg_ctl', '-D', data, ...args];
  if (process.getuid() === 0) execFileSync('runuser', ['-u', 'postgres', '--', ...cmd], { stdio: 'ignore' });
  else execFileSync(cmd[0], cmd.slice(1), { stdio: 'ignore' });
}

// One client: writes travel entries with unique places until the server goes away.
// Returns the places whose write was acknowledged (201).
async function writer(client, residentId, round, n, stop) {
  const acked = [];
  for (let seq = 0; !stop.now; seq++) {
    const place = `soak-${round}-${n}-${seq}`;
    try {
      const r = await client.post(`/api/v1/residents/${residentId}/travel`, { place, from_date: '2026-01-02' });
      if (r.status === 201 && r.json?.travel?.place === place) acked.push(place);
      else if (r.status >= 500 || r.status === 0) break;
    } catch {
      break;    // the connection died with the server
    }
  }
  return acked;
}

async function main() {
  let server = await startServer();
  const db = server.db;
  const committee = await loggedIn(server.url, 'committee');
  const resident = listItems(await committee.get('/api/v1/residents?limit=1'))[0];
  await server.stop({ keepDb: true });
  let acknowledged = 0, lost = 0, halves = 0, pgStops = 0;
  const t0 = Date.now();
  for (let round = 1; round <= ROUNDS; round++) {
    server = await startServer({ db });
    const clients = [];
    for (let i = 0; i < CLIENTS; i++) clients.push(await loggedIn(server.url, 'committee'));
    const stop = { now: false };
    const work = clients.map((c, i) => writer(c, resident.id, round, i, stop));
    await sleep(200 + Math.floor(Math.random() * 1300));
    const stopPg = BACKEND === 'postgresql' && round % PG_EVERY === 0;
    if (stopPg) {
      pgCtl(['-m', 'immediate', '-w', 'stop']);
      pgStops++;
    }
    await server.kill();
    stop.now = true;
    const acked = (await Promise.all(work)).flat();
    if (stopPg) pgCtl(['-l', `${process.env.SHOUWANG_PG_DATA}/../server.log`, '-w', '-t', '60', 'start']);
    // A restart replays the WAL; the server must start and everything acknowledged be there.
    server = await startServer({ db });
    const present = new Set(dbRows(db, `SELECT place FROM resident_travel WHERE place LIKE 'soak-${round}-%'`)
      .map((r) => r[0]));
    const missing = acked.filter((p) => !present.has(p));
    // Whole: every travel row of the round has its audit entry (one transaction each).
    const rows = dbInt(db, `SELECT COUNT(*) FROM resident_travel WHERE place LIKE 'soak-${round}-%'`);
    acknowledged += acked.length;
    lost += missing.length;
    await server.stop({ keepDb: true });
    console.log(`round ${round}: ${acked.length} acknowledged, ${rows} present, ${missing.length} lost` +
      `${stopPg ? ' (PostgreSQL stopped immediately)' : ''}`);
    if (missing.length) console.log(`  lost: ${missing.slice(0, 10).join(' ')}`);
  }
  const travel = dbInt(db, "SELECT COUNT(*) FROM resident_travel WHERE place LIKE 'soak-%'");
  const audited = dbInt(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'resident.travel_add'");
  if (audited < travel) halves = travel - audited;
  db.dispose();
  console.log(`soak ${BACKEND}: ${ROUNDS} rounds, ${acknowledged} writes acknowledged, ${lost} lost, ` +
    `${halves} without their audit entry, ${pgStops} PostgreSQL immediate stops, ${Math.round((Date.now() - t0) / 1000)} s`);
  process.exit(lost || halves ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
