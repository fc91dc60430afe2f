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
  code=$(curl -sS -o "$WORK/login.json" -D "$WORK/login.hdr" -w '%{http_code}' \
    -H 'Content-Type: application/json' \
    --data '{"username":"committee","password":"shouwang-demo"}' "$SW_URL/api/v1/session")
  [ "$code" = 200 ] || { echo "bench: login answered $code:" >&2; cat "$WORK/login.json" >&2; exit 1; }
  SW_COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: *\(sw_session=[^;[:space:]]*\).*/\1/p' "$WORK/login.hdr" | head -1)
  SW_CSRF=$(grep -o '"csrf_token": *"[^"]*"' "$WORK/login.json" | sed 's/.*: *"\([^"]*\)"/\1/' | head -1)
  if [ -z "$SW_COOKIE" ] || [ -z "$SW_CSRF" ]; then
    echo "bench: login gave no sw_session cookie or csrf_token" >&2; exit 1
  fi
  export SW_COOKIE SW_CSRF
  RSS_LOGIN_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SW_PID/status")

  # Check each request once by hand: a load of 4xx answers would measure nothing.
  for check in GET:/api/v1/health GET:/api/v1/me PATCH:/api/v1/me; do
    method=${check%%:*} path=${check#*:}
    if [ "$method" = PATCH ]; then
      code=$(curl -sS -o "$WORK/check.json" -w '%{http_code}' -X PATCH -H "Cookie: $SW_COOKIE" \
        -H "X-CSRF-Token: $SW_CSRF" -H 'Content-Type: application/json' \
        --data '{"display_name":"Committee Chair Wang"}' "$SW_URL$path")
    else
      code=$(curl -sS -o "$WORK/check.json" -w '%{http_code}' -H "Cookie: $SW_COOKIE" "$SW_URL$path")
    fi
    if [ "$code" != 200 ]; then
      echo "bench: $method $path answered $code:" >&2; cat "$WORK/check.json" >&2; exit 1
    fi
  done

  run_wrk health "shouwang GET /health" "$SW_URL/api/v1/health"
  run_wrk me "shouwang GET /me" "$SW_URL/api/v1/me" -H "Cookie: $SW_COOKIE"
  run_wrk patch "shouwang PATCH /me, durable" "$SW_URL/api/v1/me" -s "$ROOT/bench/patch_me.lua"
  RSS_LOAD_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SW_PID/status")
  stop_pid "$SW_PID"
  HAVE_SW=1
fi

# ---- 5. report ----
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

echo
echo "Shouwang bench — wrk -t$WRK_THREADS -c$WRK_CONNS -d${SECONDS_EACH}s, $(nproc) cores, load average $LOAD_BEFORE before / $(cut -d' ' -f1 /proc/loadavg) after, $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-32s %10s %9s %9s %10s %10s %8s\n' "" "req/s" "p50 ms" "p99 ms" "req/s/bare" "p99/bare" "errors"
for key in "${ROWS[@]}"; do
  printf '%-32s %10s %9.2f %9.2f %10s %10s %8s\n' "${LABEL[$key]}" "${RPS[$key]}" \
    "${P50[$key]}" "${P99[$key]}" "$(ratio "${RPS[$key]}" "${RPS[bare]}")" \
    "$(ratio "${P99[$key]}" "${P99[bare]}")" "${BAD[$key]}"
done
echo "(errors: non-2xx answers plus socket errors; sqlite row: commits/s and commit latency)"

if [ "$HAVE_SW" = 1 ]; then
  RSS_LOGIN_MB=$(awk -v k="$RSS_LOGIN_KB" 'BEGIN { printf "%.1f", k / 1024 }')
  RSS_LOAD_MB=$(awk -v k="$RSS_LOAD_KB" 'BEGIN { printf "%.1f", k / 1024 }')
  printf '%-32s %10s\n' "shouwang peak RSS after login" "$RSS_LOGIN_MB MB"
  printf '%-32s %10s\n' "shouwang peak RSS after load" "$RSS_LOAD_MB MB"
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
else
  echo "  (shouwang not built: no targets checked)"
fi
