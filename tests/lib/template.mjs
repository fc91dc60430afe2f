// template.mjs — the demo database that a test stage copies for each server.
//
//   node lib/template.mjs create   makes it (init + demo), prints its name
//   node lib/template.mjs drop X   removes it
//
// SQLite: a file in a temporary folder; PostgreSQL: a database in the private cluster,
// copied with CREATE DATABASE … TEMPLATE. It is made by the binary under test, so a
// change to the migrations or the demo is always what the tests see.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { BACKEND, freshDatabase, runCli } from './server.mjs';

const [cmd, name] = process.argv.slice(2);
if (cmd === 'create') {
  const db = freshDatabase();
  runCli(db, ['init']);
  runCli(db, ['demo']);
  // the SQLite file is closed by the command, so a plain copy of it is consistent
  process.stdout.write(BACKEND === 'postgresql' ? db.args[1].match(/dbname=(\w+)/)[1] : db.args[1]);
} else if (cmd === 'drop' && name) {
  if (BACKEND === 'postgresql') {
    execFileSync('psql', [`${process.env.SHOUWANG_PG_BASE} dbname=postgres`, '-qc', `DROP DATABASE IF EXISTS ${name}`]);
  } else {
    rmSync(dirname(name), { recursive: true, force: true });
  }
} else {
  console.error('usage: node lib/template.mjs create | drop NAME');
  process.exit(2);
}
