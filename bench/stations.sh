#!/usr/bin/env bash
# stations.sh — the testing-station bench (part of `make bench`): 16 stations register
# at once on the 40,000-resident demo, each registration a durable POST …/samples with
# its tube check, on SQLite and on a private PostgreSQL cluster (tests/pg-cluster.sh);
# registrations/s beside raw SQLite one-row commits (bench/sqlite_raw.c), p50/p99.
# Targets: >= 10x raw SQLite on SQLite, p99 < 50 ms. BENCH_SECONDS (default 10, at most
# 20) per backend; BENCH_NO_PG=1 skips PostgreSQL. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SW_BIN=${SHOUWANG_BIN:-bin/shouwang}
SECS=${BENCH_SECONDS:-10}
case $SECS in ''|*[!0-9]*) echo "bench: BENCH_SECONDS must be a whole number" >&2; exit 2;; esac
[ "$SECS" -le 20 ] || SECS=20
mkdir -p build/bench
WORK=$(mktemp -d "$PWD/build/bench-st.XXXXXX")
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
export SHOUWANG_FIELD_KEY="k1:$(head -c 32 /dev/urandom | base64 -w0)"

RAW=build/bench/sqlite_raw
if [ ! -x "$RAW" ] || [ bench/sqlite_raw.c -nt "$RAW" ]; then
  # shellcheck disable=SC2046  # pkg-config prints several words on purpose
  gcc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -pthread $(pkg-config --cflags sqlite3) -o "$RAW" \
    bench/sqlite_raw.c $(pkg-config --libs sqlite3)
fi

# one_backend NAME DBARGS... : the large demo, served, the load, the figures.
one_backend() {
  local name=$1; shift
  "$SW_BIN" init "$@" >"$WORK/$name-init.log" 2>&1
  "$SW_BIN" demo --shape large "$@" >"$WORK/$name-demo.log" 2>&1
  SHOUWANG_QUIET=1 "$SW_BIN" serve "$@" --listen 127.0.0.1:0 >"$WORK/$name-serve.out" 2>"$WORK/$name-serve.err" &
  PID=$!
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/$name-serve.out" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "bench: shouwang ($name) did not start" >&2; cat "$WORK/$name-serve.err" >&2; exit 1; }
  node bench/stations.mjs "http://127.0.0.1:$port" "$SECS" >"$WORK/$name.json"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")), n = process.argv[2];
    const raw = Number(process.argv[3]), v = (ok) => ok ? "PASS" : "MISS";
    console.log(`  ${n.padEnd(10)} ${r.stations} stations, ${r.seconds} s: ${r.acked} registrations acknowledged of ${r.sent}, ${r.counted} counted in ${r.tubes} tubes`);
    console.log(`  ${"".padEnd(10)} ${r.per_s} registrations/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms; ${(r.per_s / raw).toFixed(1)}x raw SQLite (${raw} commits/s)`);
    if (Object.keys(r.errors).length) console.log(`  ${"".padEnd(10)} errors: ${JSON.stringify(r.errors)}`);
    console.log(`  ${"".padEnd(10)} every acknowledged registration counted once  ${v(r.acked === r.counted)}`);
    if (n === "sqlite") console.log(`  ${"".padEnd(10)} registrations/s >= 10x raw SQLite          ${v(r.per_s >= 10 * raw)}`);
    console.log(`  ${"".padEnd(10)} p99 < 50 ms                                 ${v(r.p99_ms < 50)}`);
  ' "$WORK/$name.json" "$name" "$RAW_RPS"
}

# The PostgreSQL run is this script again inside the cluster, with the raw rate given.
if [ "${1:-}" = --pg-inner ]; then one_backend postgresql --pg "$2"; exit 0; fi

RAW_LINE=$("$RAW" "$WORK/raw.db" "$SECS")
RAW_RPS=$(echo "$RAW_LINE" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "commits_per_s") print kv[2] } }')
[ -n "$RAW_RPS" ] || { echo "bench: cannot read sqlite_raw: $RAW_LINE" >&2; exit 1; }
export RAW_RPS

echo "Testing stations (16 stations registering at once, 40,000 residents; raw SQLite ${RAW_RPS} commits/s)"
one_backend sqlite --db "$WORK/st.db"
if [ -z "${BENCH_NO_PG:-}" ]; then
  tests/pg-cluster.sh run bash -c '
    psql -q "$SHOUWANG_PG_BASE dbname=postgres" -c "CREATE DATABASE benchst" &&
    exec "$0" --pg-inner "$SHOUWANG_PG_BASE dbname=benchst"' "$0"
fi
