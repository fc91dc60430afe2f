// Reads the test database directly (sqlite3 or psql), for tests that must prove which
// rows a write left behind, not only what the API shows.
import { execFileSync } from 'node:child_process';

// Runs one SELECT against the server's database; returns rows as arrays of strings.
export function dbRows(db, sql) {
  const [kind, where] = db.args;
  const out = kind === '--pg'
    ? execFileSync('psql', [where, '-AtqF', '\t', '-c', sql], { encoding: 'utf8' })
    : execFileSync('sqlite3', ['-separator', '\t', where, sql], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.length).map((l) => l.split('\t'));
}

// The one integer a query returns (COUNT(*) and the like).
export function dbInt(db, sql) {
  const rows = dbRows(db, sql);
  return rows.length ? Number(rows[0][0]) : 0;
}

// The community's calendar day n days from today in China Standard Time ("YYYY-MM-DD"),
// the demo community's time zone.
export function cstDay(n = 0) {
  return new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
}
