#!/usr/bin/env bash
# run.sh — `make bench`: measures shouwang against baselines taken in the same run.
#
# The machine is noisy (±15–25 % from run to run) and wrk shares the two cores with the
# server under load, so absolute figures mean little on their own; every target is a
# ratio against a baseline measured minutes earlier on the same machine:
#   1. bare libmicrohttpd (bench/bare_mhd.c) — the ceiling for an MHD server here
#   2. nginx, 2 workers, a 200-byte static file — a well-known reference
#   3. raw SQLite, WAL + synchronous=FULL, one row per transaction (bench/sqlite_raw.c)
#   4. shouwang: GET /health, GET /me, PATCH /me (durable writes), peak RSS
#   4b. the same GET /me and PATCH /me on PostgreSQL (a private cluster as
#      tests/pg-cluster.sh starts), beside raw libpq one-row commits from 8 clients
#      (bench/pg_raw.c); BENCH_NO_PG=1 skips them
#   5. the registry on the 40,000-resident demo: search (beside raw SQLite indexed
#      lookups on the same database) and an import of 10,000 GBK rows (beside a raw
#      SQLite bulk insert of the same rows in one transaction)
#   6. volunteers (bench/volunteers.sh) and 7. testing stations (bench/stations.sh):
#      16 stations registering at once, beside raw SQLite one-row commits
# A missed target is printed as MISS; the script fails only when it cannot measure.
#
# Environment: BENCH_QUICK=1 runs each load for 3 s instead of 10 s; BENCH_SECONDS=N
# sets it explicitly; SHOUWANG_BIN overrides bin/shouwang.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECONDS_EACH=10
[ "${BENCH_QUICK:-0}" = 1 ] && SECONDS_EACH=3
SECONDS_EACH=${BENCH_SECONDS:-$SECONDS_EACH}
case $SECONDS_EACH in ''|*[!0-9]*) echo "bench: BENCH_SECONDS must be a whole number" >&2; exit 2;; esac
if [ "$SECONDS_EACH" -lt 1 ] || [ "$SECONDS_EACH" -gt 60 ]; then
  echo "bench: each load runs 1..60 s" >&2; exit 2
fi
WRK_THREADS=2
WRK_CONNS=64
SW_BIN=${SHOUWANG_BIN:-$ROOT/bin/shouwang}
NGINX=/usr/sbin/nginx
BUILD=$ROOT/build/bench

for prog in wrk curl gcc pkg-config "$NGINX"; do
  command -v "$prog" >/dev/null || { echo "bench: $prog is missing (make deps)" >&2; exit 1; }
done

# Two benchmarks at once on two cores would measure each other; queue behind any other.
mkdir -p "$BUILD"
exec 9>"$BUILD/.lock"
if ! flock -n 9; then
  echo "bench: another bench is running; waiting for it (up to 10 min)"
  flock -w 600 9 || { echo "bench: gave up waiting" >&2; exit 1; }
fi

# Anything else busy on the two cores skews every figure: say so up front.
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD_BEFORE" 'BEGIN { exit !(l > 1.0) }'; then
  echo "bench: warning: load average $LOAD_BEFORE before starting; other work on the machine will skew the figures" >&2
fi

# The work directory sits under build/, on the same disk as real data: on a tmpfs
# /tmp a flush costs nothing and the durable-write figures would be meaningless.
WORK=$(mktemp -d "$BUILD/run.XXXXXX")
PIDS=()

declare -A STOPPED
stop_pid() {
  local pid=$1
  [ -z "${STOPPED[$pid]:-}" ] || return 0
  STOPPED[$pid]=1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  stop_pg_cluster
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits for "listening on http://127.0.0.1:PORT" in a log; prints PORT.
wait_listening() {
  local log=$1 pid=$2 port
  for _ in $(seq 200); do
    port=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*#\1#p' "$log" | head -1)
    if [ -n "$port" ]; then echo "$port"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# A private PostgreSQL cluster for the PostgreSQL rows, under the work directory (on
# the disk, not a tmpfs). tests/pg-cluster.sh owns it: it runs a waiting shell that
# writes the conninfo and returns when told to (or when this script is gone), and then
# stops and deletes the cluster itself.
PG_CLUSTER_PID=""
start_pg_cluster() {
  mkdir -p "$WORK/pg"
  chmod 711 "$WORK" "$WORK/pg"
  TMPDIR=$WORK/pg tests/pg-cluster.sh run bash -c '
    echo "$SHOUWANG_PG_BASE" >"$1.tmp" && mv "$1.tmp" "$1"
    while [ ! -e "$2" ] && kill -0 "$3" 2>/dev/null; do sleep 0.2; done' _ \
    "$WORK/pg.base" "$WORK/pg.stop" "$$" >"$WORK/pg-cluster.log" 2>&1 &
  PG_CLUSTER_PID=$!
  for _ in $(seq 600); do
    [ -s "$WORK/pg.base" ] && return 0
    kill -0 "$PG_CLUSTER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: the PostgreSQL cluster did not start:" >&2; cat "$WORK/pg-cluster.log" >&2
  return 1
}
stop_pg_cluster() {
  [ -n "$PG_CLUSTER_PID" ] || return 0
  touch "$WORK/pg.stop"
  wait "$PG_CLUSTER_PID" 2>/dev/null || true
  PG_CLUSTER_PID=""
}

# login URL PREFIX USER PASSWORD: sets PREFIX_COOKIE and PREFIX_CSRF from one login.
sw_login() {
  local url=$1 prefix=$2 user=$3 pw=$4 code cookie csrf
  code=$(curl -sS -o "$WORK/$prefix.json" -D "$WORK/$prefix.hdr" -w '%{http_code}' \
    -H 'Content-Type: application/json' \
    --data "{\"username\":\"$user\",\"password\":\"$pw\"}" "$url/api/v1/session")
  [ "$code" = 200 ] || { echo "bench: login of $user answered $code:" >&2; cat "$WORK/$prefix.json" >&2; exit 1; }
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: *\(sw_session=[^;[:space:]]*\).*/\1/p' "$WORK/$prefix.hdr" | head -1)
  csrf=$(grep -o '"csrf_token": *"[^"]*"' "$WORK/$prefix.json" | sed 's/.*: *"\([^"]*\)"/\1/' | head -1)
  [ -n "$cookie" ] && [ -n "$csrf" ] || { echo "bench: login of $user gave no session" >&2; exit 1; }
  printf -v "${prefix}_COOKIE" '%s' "$cookie"
  printf -v "${prefix}_CSRF" '%s' "$csrf"
}

# check_requests URL COOKIE CSRF: each benched request once by hand; a load of 4xx
# answers would measure nothing.
check_requests() {
  local url=$1 cookie=$2 csrf=$3 check method path code
  for check in GET:/api/v1/health GET:/api/v1/me PATCH:/api/v1/me; do
    method=${check%%:*} path=${check#*:}
    if [ "$method" = PATCH ]; then
      code=$(curl -sS -o "$WORK/check.json" -w '%{http_code}' -X PATCH -H "Cookie: $cookie" \
        -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
        --data '{"display_name":"Committee Chair Wang"}' "$url$path")
    else
      code=$(curl -sS -o "$WORK/check.json" -w '%{http_code}' -H "Cookie: $cookie" "$url$path")
    fi
    if [ "$code" != 200 ]; then
      echo "bench: $method $path answered $code:" >&2; cat "$WORK/check.json" >&2; exit 1
    fi
  done
}

# ---- build the baselines ----
CFLAGS_BENCH=(-std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -pthread)
build_c() {
  local out=$1 src=$2 pkg=$3
  if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
    # shellcheck disable=SC2046  # pkg-config prints several words on purpose
    gcc "${CFLAGS_BENCH[@]}" $(pkg-config --cflags "$pkg") -o "$out" "$src" $(pkg-config --libs "$pkg")
  fi
}
build_c "$BUILD/bare_mhd" bench/bare_mhd.c libmicrohttpd
build_c "$BUILD/sqlite_raw" bench/sqlite_raw.c sqlite3
[ -n "${BENCH_NO_PG:-}" ] || build_c "$BUILD/pg_raw" bench/pg_raw.c libpq

# ---- measuring ----
declare -A RPS P50 P99 BAD LABEL
ROWS=()

# Reads a wrk report; prints "rps p50_ms p99_ms non2xx socket_errors".
parse_wrk() {
  awk '
    function ms(v,   n, u) {
      n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n / 1000
      if (u == "ms") return n
      if (u == "s")  return n * 1000
      if (u == "m")  return n * 60000
      if (u == "h")  return n * 3600000
      return n
    }
    /^Requests\/sec:/               { rps = $2 }
    $1 == "50%"                     { p50 = ms($2) }
    $1 == "99%"                     { p99 = ms($2) }
    /Non-2xx or 3xx responses:/     { bad = $NF }
    /Socket errors:/                { gsub(",", ""); err = $4 + $6 + $8 + $10 }
    END {
      if (rps == "") exit 1
      printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, bad, err
    }' "$1"
}

# run_wrk KEY "label" URL [wrk args...]: one bounded load, results stored under KEY.
run_wrk() {
  local key=$1 label=$2 url=$3; shift 3
  local out="$WORK/wrk-$key.txt" rps p50 p99 bad err
  echo "bench: $label — wrk -t$WRK_THREADS -c$WRK_CONNS -d${SECONDS_EACH}s" >&2
  timeout $((SECONDS_EACH + 30)) wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${SECONDS_EACH}s" \
    --timeout 5s --latency "$@" "$url" >"$out" 2>&1 || {
      echo "bench: wrk failed for $label:" >&2; cat "$out" >&2; exit 1; }
  read -r rps p50 p99 bad err < <(parse_wrk "$out") || {
    echo "bench: cannot read wrk's report for $label:" >&2; cat "$out" >&2; exit 1; }
  RPS[$key]=$rps; P50[$key]=$p50; P99[$key]=$p99; BAD[$key]=$((bad + err)); LABEL[$key]=$label
  ROWS+=("$key")
}

# ---- 1. bare libmicrohttpd ----
"$BUILD/bare_mhd" 0 >"$WORK/bare.out" 2>"$WORK/bare.err" &
BARE_PID=$!; PIDS+=("$BARE_PID")
BARE_PORT=$(wait_listening "$WORK/bare.out" "$BARE_PID") || {
  echo "bench: bare_mhd did not start:" >&2; cat "$WORK/bare.err" >&2; exit 1; }
run_wrk bare "bare libmicrohttpd, 94 B JSON" "http://127.0.0.1:$BARE_PORT/"
stop_pid "$BARE_PID"

# ---- 2. nginx, static 200-byte file ----
NGX=$WORK/nginx
mkdir -p "$NGX/www" "$NGX/tmp" "$NGX/logs"
# Started as root, nginx's workers drop to its default user: they need to reach the file.
chmod 711 "$WORK" "$NGX"
chmod 755 "$NGX/www"
# Exactly 200 bytes of JSON: padding inside a string keeps it valid.
{ printf '{"static":"'; head -c 180 /dev/zero | tr '\0' 'x'; printf '","n":1}\n'; } >"$NGX/www/static.json"
chmod 644 "$NGX/www/static.json"
[ "$(wc -c <"$NGX/www/static.json")" -eq 200 ] || { echo "bench: static file is not 200 bytes" >&2; exit 1; }

start_nginx() {
  local port=$1
  cat >"$NGX/nginx.conf" <<EOF
# Generated by bench/run.sh for one run; everything lives under $NGX.
daemon off;
worker_processes 2;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    sendfile on;
    # Keep-alive without a per-connection request cap, as libmicrohttpd does: the
    # comparison is between servers, not between connection-recycling policies.
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    client_body_temp_path $NGX/tmp/body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $NGX/www;
    }
}
EOF
  "$NGINX" -c "$NGX/nginx.conf" -p "$NGX" -e "$NGX/logs/error.log" >"$NGX/logs/stdout" 2>&1 &
  NGINX_PID=$!; PIDS+=("$NGINX_PID")
}

# nginx cannot pick a free port itself: try a few random ones that nothing listens on.
NGINX_PORT=""
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 30000))
  [ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ] || continue
  start_nginx "$port"
  for _ in $(seq 50); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/static.json" 2>/dev/null; then
      NGINX_PORT=$port; break
    fi
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$NGINX_PORT" ] && break
  stop_pid "$NGINX_PID"
done
[ -n "$NGINX_PORT" ] || { echo "bench: nginx did not start:" >&2; tail -5 "$NGX/logs/error.log" >&2; exit 1; }
run_wrk nginx "nginx 2 workers, 200 B static" "http://127.0.0.1:$NGINX_PORT/static.json"
stop_pid "$NGINX_PID"

# ---- 3. raw SQLite, one row per durable transaction ----
echo "bench: raw SQLite, WAL + synchronous=FULL, 1 row/transaction, ${SECONDS_EACH}s" >&2
RAW_LINE=$("$BUILD/sqlite_raw" "$WORK/raw.db" "$SECONDS_EACH")
read -r RAW_RPS RAW_P50 RAW_P99 < <(echo "$RAW_LINE" | awk '{
  for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  print v["commits_per_s"], v["p50_ms"], v["p99_ms"] }')
[ -n "$RAW_P99" ] || { echo "bench: cannot read sqlite_raw: $RAW_LINE" >&2; exit 1; }
RPS[sqlite]=$RAW_RPS; P50[sqlite]=$RAW_P50; P99[sqlite]=$RAW_P99; BAD[sqlite]=0
LABEL[sqlite]="sqlite raw, commits/s"
ROWS+=(sqlite)
rm -f "$WORK"/raw.db*

# ---- 4. shouwang ----
HAVE_SW=0
RSS_LOGIN_KB=""; RSS_LOAD_KB=""
if [ ! -x "$SW_BIN" ]; then
  echo "bench: $SW_BIN is not built; shouwang rows skipped (make bin/shouwang)" >&2
else
  DB=$WORK/shouwang.db
  SHOUWANG_FIELD_KEY="k1:$(head -c 32 /dev/urandom | base64 -w0)"
  export SHOUWANG_FIELD_KEY
  "$SW_BIN" init --db "$DB" >"$WORK/init.log" 2>&1 || {
    echo "bench: shouwang init failed:" >&2; cat "$WORK/init.log" >&2; exit 1; }
  "$SW_BIN" demo --db "$DB" >"$WORK/demo.log" 2>&1 || {
    echo "bench: shouwang demo failed:" >&2; cat "$WORK/demo.log" >&2; exit 1; }

  SHOUWANG_QUIET=1 "$SW_BIN" serve --db "$DB" --listen 127.0.0.1:0 \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SW_PID=$!; PIDS+=("$SW_PID")
  SW_PORT=$(wait_listening "$WORK/serve.out" "$SW_PID") || {
    echo "bench: shouwang did not start:" >&2; cat "$WORK/serve.err" >&2; exit 1; }
  SW_URL=http://127.0.0.1:$SW_PORT

  # One login only: logins are throttled after failures, and one session is what a
  # busy user holds.
  sw_login "$SW_URL" SQ committee shouwang-demo
  SW_COOKIE=$SQ_COOKIE SW_CSRF=$SQ_CSRF
  export SW_COOKIE SW_CSRF
  RSS_LOGIN_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SW_PID/status")
  check_requests "$SW_URL" "$SW_COOKIE" "$SW_CSRF"

  run_wrk health "shouwang GET /health" "$SW_URL/api/v1/health"
  run_wrk me "shouwang GET /me" "$SW_URL/api/v1/me" -H "Cookie: $SW_COOKIE"
  run_wrk patch "shouwang PATCH /me, durable" "$SW_URL/api/v1/me" -s "$ROOT/bench/patch_me.lua"
  RSS_LOAD_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SW_PID/status")
  stop_pid "$SW_PID"
  HAVE_SW=1
fi

# ---- 4b. PostgreSQL: raw one-row commits from 8 clients, then GET /me and PATCH /me ----
HAVE_PG=0
if [ "$HAVE_SW" = 1 ] && [ -z "${BENCH_NO_PG:-}" ]; then
  start_pg_cluster || exit 1
  PG_BASE=$(cat "$WORK/pg.base")
  psql -q -v ON_ERROR_STOP=1 "$PG_BASE dbname=postgres" -c "CREATE DATABASE benchraw" -c "CREATE DATABASE benchsw" \
    >"$WORK/pg-create.log" 2>&1 || { echo "bench: CREATE DATABASE failed:" >&2; cat "$WORK/pg-create.log" >&2; exit 1; }
  echo "bench: raw PostgreSQL, 1 row/transaction, 8 clients, ${SECONDS_EACH}s" >&2
  PGRAW_LINE=$("$BUILD/pg_raw" "$PG_BASE dbname=benchraw" "$SECONDS_EACH" 8) || {
    echo "bench: pg_raw failed" >&2; exit 1; }
  read -r PGRAW_RPS PGRAW_P50 PGRAW_P99 < <(echo "$PGRAW_LINE" | awk '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["commits_per_s"], v["p50_ms"], v["p99_ms"] }')
  [ -n "$PGRAW_P99" ] || { echo "bench: cannot read pg_raw: $PGRAW_LINE" >&2; exit 1; }
  RPS[pgraw]=$PGRAW_RPS; P50[pgraw]=$PGRAW_P50; P99[pgraw]=$PGRAW_P99; BAD[pgraw]=0
  LABEL[pgraw]="pg raw, 8 clients, commits/s"
  ROWS+=(pgraw)

  PGC="$PG_BASE dbname=benchsw"
  "$SW_BIN" init --pg "$PGC" >"$WORK/pg-init.log" 2>&1 || {
    echo "bench: shouwang init (PostgreSQL) failed:" >&2; cat "$WORK/pg-init.log" >&2; exit 1; }
  "$SW_BIN" demo --pg "$PGC" >"$WORK/pg-demo.log" 2>&1 || {
    echo "bench: shouwang demo (PostgreSQL) failed:" >&2; cat "$WORK/pg-demo.log" >&2; exit 1; }
  SHOUWANG_QUIET=1 "$SW_BIN" serve --pg "$PGC" --listen 127.0.0.1:0 \
    >"$WORK/pg-serve.out" 2>"$WORK/pg-serve.err" &
  PSW_PID=$!; PIDS+=("$PSW_PID")
  PSW_PORT=$(wait_listening "$WORK/pg-serve.out" "$PSW_PID") || {
    echo "bench: shouwang (PostgreSQL) did not start:" >&2; cat "$WORK/pg-serve.err" >&2; exit 1; }
  PSW_URL=http://127.0.0.1:$PSW_PORT
  sw_login "$PSW_URL" PG committee shouwang-demo
  check_requests "$PSW_URL" "$PG_COOKIE" "$PG_CSRF"
  run_wrk pg_me "shouwang GET /me, PostgreSQL" "$PSW_URL/api/v1/me" -H "Cookie: $PG_COOKIE"
  SW_COOKIE=$PG_COOKIE SW_CSRF=$PG_CSRF \
    run_wrk pg_patch "shouwang PATCH /me, PG, durable" "$PSW_URL/api/v1/me" -s "$ROOT/bench/patch_me.lua"
  stop_pid "$PSW_PID"
  stop_pg_cluster
  HAVE_PG=1
fi

# ---- 5. registry: search on the 40,000-resident demo, import of 10,000 GBK rows ----
HAVE_REG=0
if [ -x "$SW_BIN" ]; then
  command -v sqlite3 >/dev/null || { echo "bench: sqlite3 is missing (make deps)" >&2; exit 1; }
  command -v iconv >/dev/null || { echo "bench: iconv is missing" >&2; exit 1; }
  RDB=$WORK/large.db
  "$SW_BIN" init --db "$RDB" >"$WORK/rinit.log" 2>&1 || {
    echo "bench: init of the large database failed:" >&2; cat "$WORK/rinit.log" >&2; exit 1; }
  echo "bench: loading the 40,000-resident demo" >&2
  T0=$(date +%s%N)
  timeout 300 "$SW_BIN" demo --shape large --db "$RDB" >"$WORK/large.log" 2>&1 || {
    echo "bench: shouwang demo --shape large failed:" >&2; cat "$WORK/large.log" >&2; exit 1; }
  LARGE_LOAD_MS=$(( ($(date +%s%N) - T0) / 1000000 ))
  # An empty community for the import, with its own committee login.
  "$SW_BIN" community add --name 导入演练 --username imp-committee --password shouwang-demo-import \
    --db "$RDB" >"$WORK/cadd.log" 2>&1 || {
    echo "bench: community add failed:" >&2; cat "$WORK/cadd.log" >&2; exit 1; }

  # 100 queries from the data itself, 25 of each kind: a given name (part of a name),
  # the last four digits of a phone, a room as written, the last four of an ID number.
  # hex() and awk percent-encode the UTF-8 bytes.
  sqlite3 -separator ' ' "$RDB" "SELECT hex(substr(r.name, 2)), substr(r.phone, -4), hex(h.room),
      substr(r.id_masked, -4) FROM residents r JOIN households h ON h.id = r.household_id
      WHERE r.community_id = (SELECT id FROM communities WHERE name = '康城') AND r.phone <> ''
      AND r.id % 797 = 0 ORDER BY r.id LIMIT 25" | awk '
    function pct(h,   out, i) { out = ""; for (i = 1; i < length(h); i += 2) out = out "%" substr(h, i, 2); return out }
    { print "/api/v1/residents?q=" pct($1); print "/api/v1/residents?q=" $2
      print "/api/v1/residents?q=" pct($3); print "/api/v1/residents?id_tail=" $4 }' >"$WORK/search.paths"
  [ "$(wc -l <"$WORK/search.paths")" -eq 100 ] || { echo "bench: could not draw 100 search queries" >&2; exit 1; }

  SHOUWANG_QUIET=1 "$SW_BIN" serve --db "$RDB" --listen 127.0.0.1:0 >"$WORK/rserve.out" 2>"$WORK/rserve.err" &
  RSW_PID=$!; PIDS+=("$RSW_PID")
  RSW_PORT=$(wait_listening "$WORK/rserve.out" "$RSW_PID") || {
    echo "bench: shouwang (large) did not start:" >&2; cat "$WORK/rserve.err" >&2; exit 1; }
  RSW_URL=http://127.0.0.1:$RSW_PORT

  sw_login "$RSW_URL" LG lg-committee shouwang-demo
  # Every query once by hand: each must answer 200 with at least one resident.
  while read -r path; do
    code=$(curl -sS -o "$WORK/q.json" -w '%{http_code}' -H "Cookie: $LG_COOKIE" "$RSW_URL$path")
    if [ "$code" != 200 ] || ! grep -q '"items": *\[ *{' "$WORK/q.json"; then
      echo "bench: GET $path answered $code without residents:" >&2; head -c 300 "$WORK/q.json" >&2; exit 1
    fi
  done <"$WORK/search.paths"
  # A committee office searches a few at a time, not 64 at once: at -c64 the figure
  # would be the queue, not the search. 8 connections: a full office staff.
  WRK_CONNS_SAVED=$WRK_CONNS; WRK_CONNS=8
  SW_COOKIE=$LG_COOKIE SW_SEARCH_PATHS=$WORK/search.paths \
    run_wrk search "shouwang search, 40,000 res, c8" "$RSW_URL/api/v1/residents" -s "$ROOT/bench/search.lua"
  WRK_CONNS=$WRK_CONNS_SAVED

  echo "bench: raw SQLite indexed lookups on the same database, ${SECONDS_EACH}s" >&2
  LOOK_LINE=$("$BUILD/sqlite_raw" lookup "$RDB" "$SECONDS_EACH")
  read -r LOOK_RPS LOOK_P50 LOOK_P99 < <(echo "$LOOK_LINE" | awk '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["lookups_per_s"], v["p50_ms"], v["p99_ms"] }')
  [ -n "$LOOK_P99" ] || { echo "bench: cannot read sqlite_raw lookup: $LOOK_LINE" >&2; exit 1; }
  RPS[lookup]=$LOOK_RPS; P50[lookup]=$LOOK_P50; P99[lookup]=$LOOK_P99; BAD[lookup]=0
  LABEL[lookup]="sqlite raw indexed lookup, 1 thr"
  ROWS+=(lookup)

  # 10,000 rows, 5,000 households in 20 blocks, valid GB 11643 numbers, unique phones
  # and birth dates; written as UTF-8, then turned into GBK as Chinese Excel saves it.
  sw_login "$RSW_URL" IMP imp-committee shouwang-demo-import
  for b in $(seq 20); do
    code=$(curl -sS -o "$WORK/b.json" -w '%{http_code}' -H "Cookie: $IMP_COOKIE" -H "X-CSRF-Token: $IMP_CSRF" \
      -H 'Content-Type: application/json' --data "{\"name\":\"${b}号楼\"}" "$RSW_URL/api/v1/blocks")
    [ "$code" = 201 ] || [ "$code" = 200 ] || { echo "bench: POST /blocks answered $code:" >&2; cat "$WORK/b.json" >&2; exit 1; }
  done
  awk 'BEGIN {
    split("张 王 陈 李 徐 周 朱 沈 陆 顾 吴 杨 黄 刘 孙 胡 钱 金 许 蔡", sn, " ")
    split("秀英 建国 丽华 志强 美玲 文杰 桂芳 海峰 玉兰 俊杰 慧敏 国强 晓燕 浩宇 欣怡 子轩", gn, " ")
    split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " ")
    print "楼组,房号,户状态,姓名,性别,出生日期,手机,身份证号"
    for (i = 0; i < 10000; i++) {
      hh = int(i / 2); blk = 1 + int(hh / 250); j = hh % 250
      room = sprintf("%d%02d", 1 + int(j / 10), 1 + j % 10)
      d = 1 + i % 28; m = 1 + int(i / 28) % 12; y = 1940 + int(i / 336)
      male = i % 2 == 0; seq = 100 + (i % 400) * 2 + (male ? 1 : 0)
      id = sprintf("310115%04d%02d%02d%03d", y, m, d, seq)
      sum = 0; for (k = 1; k <= 17; k++) sum += substr(id, k, 1) * w[k]
      id = id substr("10X98765432", sum % 11 + 1, 1)
      printf "%d号楼,%s,自住,%s%s,%s,%04d-%02d-%02d,139%08d,%s\n", blk, room, sn[1 + i % 20], gn[1 + int(i / 20) % 16],
        male ? "男" : "女", y, m, d, i, id
    } }' >"$WORK/import.csv"
  iconv -f UTF-8 -t GBK "$WORK/import.csv" >"$WORK/import-gbk.csv"
  echo "bench: POST /api/v1/registry/import, 10,000 GBK rows" >&2
  IMPORT_S=$(curl -sS -o "$WORK/import.json" -w '%{http_code} %{time_total}' -H "Cookie: $IMP_COOKIE" \
    -H "X-CSRF-Token: $IMP_CSRF" -H 'Content-Type: text/csv' --data-binary "@$WORK/import-gbk.csv" \
    "$RSW_URL/api/v1/registry/import")
  read -r code secs <<<"$IMPORT_S"
  if [ "$code" != 200 ] || ! grep -q '"residents_new": *10000' "$WORK/import.json"; then
    echo "bench: import answered $code:" >&2; head -c 600 "$WORK/import.json" >&2; exit 1
  fi
  IMPORT_MS=$(awk -v s="$secs" 'BEGIN { printf "%.0f", s * 1000 }')
  stop_pid "$RSW_PID"
  echo "bench: raw SQLite bulk insert of the same rows, one transaction" >&2
  BULK_LINE=$("$BUILD/sqlite_raw" bulk "$WORK/bulk.db" "$WORK/import.csv")
  BULK_MS=$(echo "$BULK_LINE" | sed -n 's/.*ms=\([0-9.]*\).*/\1/p')
  [ -n "$BULK_MS" ] || { echo "bench: cannot read sqlite_raw bulk: $BULK_LINE" >&2; exit 1; }
  rm -f "$WORK"/bulk.db* "$RDB"*
  HAVE_REG=1
fi

# ---- 6. report ----
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

echo
echo "Shouwang bench — wrk -t$WRK_THREADS -c$WRK_CONNS -d${SECONDS_EACH}s, $(nproc) cores, load average $LOAD_BEFORE before / $(cut -d' ' -f1 /proc/loadavg) after, $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-32s %10s %9s %9s %10s %10s %8s\n' "" "req/s" "p50 ms" "p99 ms" "req/s/bare" "p99/bare" "errors"
for key in "${ROWS[@]}"; do
  printf '%-32s %10s %9.2f %9.2f %10s %10s %8s\n' "${LABEL[$key]}" "${RPS[$key]}" \
    "${P50[$key]}" "${P99[$key]}" "$(ratio "${RPS[$key]}" "${RPS[bare]}")" \
    "$(ratio "${P99[$key]}" "${P99[bare]}")" "${BAD[$key]}"
done
echo "(errors: non-2xx answers plus socket errors; raw rows: commits/s and commit latency)"

if [ "$HAVE_SW" = 1 ]; then
  RSS_LOGIN_MB=$(awk -v k="$RSS_LOGIN_KB" 'BEGIN { printf "%.1f", k / 1024 }')
  RSS_LOAD_MB=$(awk -v k="$RSS_LOAD_KB" 'BEGIN { printf "%.1f", k / 1024 }')
  printf '%-32s %10s\n' "shouwang peak RSS after login" "$RSS_LOGIN_MB MB"
  printf '%-32s %10s\n' "shouwang peak RSS after load" "$RSS_LOAD_MB MB"
fi
if [ "$HAVE_REG" = 1 ]; then
  printf '%-32s %10s\n' "demo --shape large, 40,000 res." "$LARGE_LOAD_MS ms"
  printf '%-32s %10s %10s\n' "import 10,000 GBK rows" "$IMPORT_MS ms" "$(ratio "$IMPORT_MS" "$BULK_MS")x raw"
  printf '%-32s %10s\n' "sqlite raw bulk insert, 1 txn" "$(printf '%.0f' "$BULK_MS") ms"
fi

echo
echo "Targets"
# target "text" measured goal op [row...]: op ge/gt/le/lt; a row with errors misses.
target() {
  local text=$1 measured=$2 goal=$3 op=$4 verdict row; shift 4
  verdict=$(awk -v m="$measured" -v g="$goal" -v op="$op" 'BEGIN {
    m += 0; g += 0
    ok = (op == "ge") ? m >= g : (op == "gt") ? m > g : (op == "le") ? m <= g : m < g
    print ok ? "PASS" : "MISS" }')
  for row in "$@"; do
    if [ "${BAD[$row]:-0}" -ne 0 ]; then verdict="MISS (errors in ${LABEL[$row]})"; fi
  done
  printf '  %-44s %12s  %s\n' "$text" "$measured" "$verdict"
}
if [ "$HAVE_SW" = 1 ]; then
  target "/health req/s >= 0.8x bare" "$(ratio "${RPS[health]}" "${RPS[bare]}")x" 0.8 ge health
  target "/me req/s >= 0.5x bare" "$(ratio "${RPS[me]}" "${RPS[bare]}")x" 0.5 ge me
  target "/me req/s above nginx" "$(ratio "${RPS[me]}" "${RPS[nginx]}")x" 1 gt me
  target "/health p99 <= 1.5x bare p99" "$(ratio "${P99[health]}" "${P99[bare]}")x" 1.5 le health
  target "/me p99 <= 1.5x bare p99" "$(ratio "${P99[me]}" "${P99[bare]}")x" 1.5 le me
  target "durable writes/s >= 10x raw SQLite commits/s" "$(ratio "${RPS[patch]}" "${RPS[sqlite]}")x" 10 ge patch
  target "peak RSS < 64 MB" "$RSS_LOAD_MB MB" 64 lt
  if [ "$HAVE_PG" = 1 ]; then
    target "PG /me req/s >= 0.5x SQLite /me" "$(ratio "${RPS[pg_me]}" "${RPS[me]}")x" 0.5 ge pg_me me
    target "PG durable writes/s >= 1x raw PG 8 clients" "$(ratio "${RPS[pg_patch]}" "${RPS[pgraw]}")x" 1 ge pg_patch
  fi
  if [ "$HAVE_REG" = 1 ]; then
    target "search p99 < 5 ms (40,000 residents)" "${P99[search]} ms" 5 lt search
    printf '  %-44s %12s\n' "  search p99 / raw indexed lookup p99" "$(ratio "${P99[search]}" "${P99[lookup]}")x"
    target "import of 10,000 GBK rows < 2 s" "$IMPORT_MS ms" 2000 lt
    printf '  %-44s %12s\n' "  import / raw bulk insert" "$(ratio "$IMPORT_MS" "$BULK_MS")x"
  fi
else
  echo "  (shouwang not built: no targets checked)"
fi

# ---- 6. volunteers: task grabbing and the roster, on SQLite and PostgreSQL ----
if [ "$HAVE_SW" = 1 ]; then
  echo
  SHOUWANG_BIN="$SW_BIN" bench/volunteers.sh || echo "bench: the volunteer benches failed" >&2
fi

# ---- 7. testing stations: registrations from 16 stations at once, SQLite and PostgreSQL ----
if [ "$HAVE_SW" = 1 ]; then
  echo
  SHOUWANG_BIN="$SW_BIN" BENCH_SECONDS="$SECONDS_EACH" bench/stations.sh ||
    echo "bench: the station bench failed" >&2
fi
