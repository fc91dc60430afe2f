// check.mjs CONNINFO ACKED.json... — reads every acknowledged write back from the
// database (through haproxy: the primary in charge now) and prints acknowledged, lost
// and doubled. Exits 1 when any acknowledged write is lost or any is there twice.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const [conninfo, ...files] = process.argv.slice(2);
const acked = files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')));
const rows = execFileSync('psql', [conninfo, '-Atc',
  "SELECT place, COUNT(*) FROM resident_travel WHERE place LIKE 'cluster-%' GROUP BY place"],
{ encoding: 'utf8', maxBuffer: 256 << 20 }).trim().split('\n').filter(Boolean);
const count = new Map(rows.map((r) => { const [p, n] = r.split('|'); return [p, Number(n)]; }));
const lost = acked.filter((p) => !count.has(p));
const doubled = [...count.values()].filter((n) => n > 1).length;
console.log(JSON.stringify({ acknowledged: acked.length, found: acked.length - lost.length, lost: lost.length,
  doubled, stored_rows: rows.length }));
if (lost.length) console.log(`lost: ${lost.slice(0, 20).join(' ')}`);
process.exit(lost.length || doubled ? 1 : 0);
