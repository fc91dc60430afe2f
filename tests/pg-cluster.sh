#!/usr/bin/env bash
# pg-cluster.sh — runs a command against a private, throwaway PostgreSQL cluster.
#
#   tests/pg-cluster.sh run CMD ARGS...
#
# Creates a cluster in a fresh temporary directory, starts it on a free loopback port,
# runs CMD with SHOUWANG_PG_BASE set to a libpq conninfo without dbname
# ("host=127.0.0.1 port=N user=postgres", trust auth) and the cluster's client
# programs first on PATH (PGHOST/PGPORT/PGUSER point at it too), then stops the cluster and deletes it whatever happened.
# Exits with CMD's status. Needs no system PostgreSQL service. When
# SHOUWANG_PG_BASE is already set, CMD simply runs against that server.
#
# PostgreSQL refuses to run as root, so as root the server runs as user postgres.
set -u

usage() { echo "usage: $0 run CMD [ARGS...]" >&2; exit 2; }
[ $# -ge 2 ] && [ "$1" = run ] || usage
shift

if [ -n "${SHOUWANG_PG_BASE:-}" ]; then
  exec "$@"
fi

pg_bin=""
for v in 15 16 17; do
  if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then pg_bin="/usr/lib/postgresql/$v/bin"; break; fi
done
if [ -z "$pg_bin" ]; then
  echo "pg-cluster.sh: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin" >&2
  exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/sw-pg.XXXXXX") || exit 1
data="$dir/data"
sock="$dir/sock"
mkdir -p "$sock"

if [ "$(id -u)" = 0 ]; then
  chown -R postgres:postgres "$dir"
  as_pg() { (cd "$dir" && runuser -u postgres -- "$@"); }
else
  as_pg() { (cd "$dir" && "$@"); }
fi

started=0
cleanup() {
  if [ "$started" = 1 ]; then
    as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      as_pg "$pg_bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! as_pg "$pg_bin/initdb" -D "$data" -U postgres --auth=trust --locale=C.UTF-8 \
      --encoding=UTF8 >"$dir/initdb.log" 2>&1; then
  echo "pg-cluster.sh: initdb failed:" >&2
  cat "$dir/initdb.log" >&2
  exit 1
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=""
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  p=$((20000 + RANDOM % 40001))
  port_in_use "$p" && continue
  # The log lives outside the data directory so a failed start can be shown.
  if as_pg "$pg_bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start \
       -o "-k $sock -p $p -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" \
       >/dev/null 2>&1; then
    port=$p
    started=1
    break
  fi
  # Another process may have taken the port between the check and the bind: retry
  # on a new one; any other start failure is final.
  if ! grep -qE 'could not (bind|create listen)' "$dir/server.log" 2>/dev/null; then
    break
  fi
  : >"$dir/server.log"
done
if [ -z "$port" ]; then
  echo "pg-cluster.sh: the PostgreSQL server did not start:" >&2
  cat "$dir/server.log" >&2 2>/dev/null
  exit 1
fi

export SHOUWANG_PG_BASE="host=127.0.0.1 port=$port user=postgres"
export SHOUWANG_PG_DATA="$data"   # for tests that stop and start the server itself (tests/soak)
# Plain createdb/dropdb/psql without a conninfo reach the same server.
export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres
export PATH="$pg_bin:$PATH"

"$@"
rc=$?
exit $rc
