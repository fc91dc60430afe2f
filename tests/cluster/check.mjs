// check.mjs CONNINFO ACKED.json... — reads every acknowledged write back from the
// database (through haproxy: the primary in charge now): the travel entries and the
// task claims. Prints acknowledged, lost and doubled; exits 1 when any acknowledged
// write is lost or any is there twice.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const [conninfo, ...files] = process.argv.slice(2);
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
const acked = runs.flatMap((r) => r.places);
const claimed = runs.flatMap((r) => r.claims);
const sampled = runs.flatMap((r) => r.samples || []);
const query = (sql) => execFileSync('psql', [conninfo, '-Atc', sql], { encoding: 'utf8', maxBuffer: 256 << 20 })
  .trim().split('\n').filter(Boolean).map((line) => line.split('|'));
const rows = query("SELECT place, COUNT(*) FROM resident_travel WHERE place LIKE 'cluster-%' GROUP BY place");
const count = new Map(rows.map(([p, n]) => [p, Number(n)]));
const lost = acked.filter((p) => !count.has(p));
const doubled = [...count.values()].filter((n) => n > 1).length;
const held = new Map(query("SELECT c.task_id, COUNT(*) FROM task_claims c JOIN tasks t ON t.id = c.task_id " +
  "WHERE t.title LIKE 'cluster claim %' AND c.state = 'claimed' GROUP BY c.task_id").map(([t, n]) => [Number(t),
  Number(n)]));
const claimsLost = claimed.filter((t) => !held.has(t));
const counted = new Map(query("SELECT s.resident_id, COUNT(*) FROM test_samples s JOIN test_tubes t ON t.id = s.tube_id " +
  "WHERE t.code LIKE 'CL-%' AND s.state = 'counted' GROUP BY s.resident_id").map(([r, n]) => [Number(r), Number(n)]));
const samplesLost = sampled.filter((r) => !counted.has(r));
const claimsDoubled = [...held.values()].filter((n) => n > 1).length;
console.log(JSON.stringify({ acknowledged: acked.length, found: acked.length - lost.length, lost: lost.length,
  doubled, claims_acknowledged: claimed.length, claims_lost: claimsLost.length, claims_doubled: claimsDoubled,
  registrations_acknowledged: sampled.length, registrations_lost: samplesLost.length }));
if (lost.length) console.log(`lost: ${lost.slice(0, 20).join(' ')}`);
if (claimsLost.length) console.log(`claims lost: ${claimsLost.slice(0, 20).join(' ')}`);
if (samplesLost.length) console.log(`registrations lost: ${samplesLost.slice(0, 20).join(' ')}`);
process.exit(lost.length || doubled || claimsLost.length || claimsDoubled || samplesLost.length ? 1 : 0);
