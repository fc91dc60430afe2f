import { readFileSync } from 'node:fs';
import { startServer } from '/work/wt/import-day1/tests/lib/server.mjs';
import { loggedIn } from '/work/wt/import-day1/tests/lib/api-helpers.mjs';
const srv = await startServer();
const c = await loggedIn(srv.url, 'committee');
const body = readFileSync(process.argv[2]);
const res = await fetch(`${srv.url}/api/v1/registry/import${process.argv[3] || '?dry_run=1'}`, { method: 'POST', headers: { 'Accept-Language': 'zh-CN', Cookie: c.cookie, 'X-CSRF-Token': c.csrf, 'Content-Type': process.argv[4] || 'text/csv' }, body });
console.log(res.status, JSON.stringify(await res.json(), null, 1).slice(0, 6000));
await srv.stop();
