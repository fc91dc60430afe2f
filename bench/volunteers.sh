#!/usr/bin/env bash
# volunteers.sh — the volunteer benches (part of `make bench`), on SQLite and on a
# private PostgreSQL cluster (tests/pg-cluster.sh): 1,000 claims at once on a task with
# 50 slots (exactly 50 granted, claims/s, p99 < 50 ms) and the roster of 6 posts x 3
# shifts x 14 days from the demo's corps (< 100 ms). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SW_BIN=${SHOUWANG_BIN:-bin/shouwang}
WORK=$(mktemp -d "$PWD/build/bench-vol.XXXXXX")
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
export SHOUWANG_FIELD_KEY="k1:$(head -c 32 /dev/urandom | base64 -w0)"

# one_backend NAME DBARGS... : load the demo and the fixture, serve, run the loads.
one_backend() {
  local name=$1; shift
  "$SW_BIN" init "$@" >"$WORK/$name-init.log" 2>&1
  "$SW_BIN" demo "$@" >"$WORK/$name-demo.log" 2>&1
  python3 bench/volunteers_fixture.py 1000 "$WORK/$name-tokens" >"$WORK/$name-fixture.sql"
  if [ "$name" = sqlite ]; then sqlite3 "$2" <"$WORK/$name-fixture.sql"
  else psql -q -v ON_ERROR_STOP=1 "$2" -f "$WORK/$name-fixture.sql" >/dev/null; fi
  SHOUWANG_QUIET=1 "$SW_BIN" serve "$@" --listen 127.0.0.1:0 >"$WORK/$name-serve.out" 2>"$WORK/$name-serve.err" &
  PID=$!
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/$name-serve.out" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "bench: shouwang ($name) did not start" >&2; cat "$WORK/$name-serve.err" >&2; exit 1; }
  node bench/volunteers.mjs "http://127.0.0.1:$port" "$WORK/$name-tokens" >"$WORK/$name.json"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")), n = process.argv[2];
    const g = r.grab, o = r.roster, v = (ok) => ok ? "PASS" : "MISS";
    console.log(`  ${n.padEnd(10)} grab: ${g.claims} claims at once on 50 slots: granted ${g.granted}, full ${g.full}, other ${g.other}; task says ${g.task_claimed} (${g.task_people} people)`);
    console.log(`  ${"".padEnd(10)}       ${g.claims_per_s} claims/s, p50 ${g.p50_ms} ms, p99 ${g.p99_ms} ms`);
    console.log(`  ${"".padEnd(10)} roster: ${o.shifts} shifts, ${o.places} places from ${o.volunteers} volunteers, ${o.unfilled} short; generation ${o.generate_ms} ms (request ${o.request_ms} ms), hours ${o.min_hours}-${o.max_hours}`);
    console.log(`  ${"".padEnd(10)} exactly 50 granted, no overbooking          ${v(g.granted === 50 && g.task_claimed === 50 && g.task_people === 50)}`);
    console.log(`  ${"".padEnd(10)} claim p99 < 50 ms                           ${v(g.p99_ms < 50)}`);
    console.log(`  ${"".padEnd(10)} roster generation < 100 ms                  ${v(o.generate_ms < 100)}`);
  ' "$WORK/$name.json" "$name"
}

if [ "${1:-}" = --pg-inner ]; then one_backend postgresql --pg "$2"; exit 0; fi

echo "Volunteers (1,000 volunteers with tokens added to the demo)"
one_backend sqlite --db "$WORK/vol.db"
if [ -z "${BENCH_NO_PG:-}" ]; then
  tests/pg-cluster.sh run bash -c '
    psql -q "$SHOUWANG_PG_BASE dbname=postgres" -c "CREATE DATABASE benchvol" &&
    exec "$0" --pg-inner "$SHOUWANG_PG_BASE dbname=benchvol"' "$0"
fi
