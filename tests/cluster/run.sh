#!/usr/bin/env bash
# run.sh — `make cluster-test`: Shouwang on a highly available PostgreSQL, on loopback.
#
#   etcd ─ Patroni node1 (PostgreSQL 15) ┐  synchronous replication
#          Patroni node2 (PostgreSQL 15) ┘
#   haproxy :pg   → the node whose Patroni says /primary
#   shouwang ×2   → haproxy :pg          haproxy :web → the two shouwang processes
#   pgbouncer     → haproxy :pg          a third shouwang through pgbouncer (session mode)
#
# A write load goes through haproxy :web (tests/cluster/load.mjs) while the primary's
# postmaster is killed (kill -9), and later the whole node of the next primary (its
# Patroni and PostgreSQL, kill -9). Every acknowledged write is then read back; the test
# prints acknowledged, lost (must be 0), the longest time without a write, and the
# errors the clients saw. Not part of `make test`: it installs its Debian packages
# (scripts/deps.sh cluster) and needs about two minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/deps.sh cluster >/dev/null
[ -x bin/shouwang ] || make -s bin/shouwang

pg_bin=$(ls -d /usr/lib/postgresql/1[5-7]/bin | head -1)
dir=$(mktemp -d /tmp/sw-cluster.XXXXXX)
chmod 755 "$dir"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  pkill -9 -f -- "$dir/" 2>/dev/null || true   # postgres children started by Patroni
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick() {   # a free port in 20000..59999
  local p
  while :; do p=$((20000 + RANDOM % 40000)); port_free "$p" && { echo "$p"; return; }; done
}
ETCD=$(pick); ETCD_PEER=$(pick); PG1=$(pick); PG2=$(pick); API1=$(pick); API2=$(pick)
HA_PG=$(pick); HA_WEB=$(pick); SW1=$(pick); SW2=$(pick); SW3=$(pick); BOUNCER=$(pick)
as_pg() { runuser -u postgres -- "$@"; }
log() { printf '%s cluster: %s\n' "$(date +%T)" "$*"; }

log "etcd on 127.0.0.1:$ETCD"
etcd --name e1 --data-dir "$dir/etcd" --listen-client-urls "http://127.0.0.1:$ETCD" \
  --advertise-client-urls "http://127.0.0.1:$ETCD" --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-cluster "e1=http://127.0.0.1:$ETCD_PEER" \
  --enable-v2=true >"$dir/etcd.log" 2>&1 &
pids+=($!)

node_conf() {   # name pgport apiport
  mkdir -p "$dir/$1"
  cat >"$dir/$1/patroni.yml" <<YML
scope: shouwang-$$
name: $1
restapi:
  listen: 127.0.0.1:$3
  connect_address: 127.0.0.1:$3
etcd3:
  hosts: 127.0.0.1:$ETCD
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    master_start_timeout: 0
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 200
        wal_log_hints: "on"
        fsync: "on"
        synchronous_commit: "on"
  initdb:
  - encoding: UTF8
  - locale: C.UTF-8
  pg_hba:
  - host replication replicator 127.0.0.1/32 trust
  - host all all 127.0.0.1/32 trust
  - local all all trust
postgresql:
  listen: 127.0.0.1:$2
  connect_address: 127.0.0.1:$2
  data_dir: $dir/$1/data
  bin_dir: $pg_bin
  pgpass: $dir/$1/pgpass
  authentication:
    replication: {username: replicator, password: rep}
    superuser: {username: postgres, password: pg}
    rewind: {username: postgres, password: pg}
  parameters:
    unix_socket_directories: $dir/$1
YML
  chown -R postgres:postgres "$dir/$1"
}
node_conf node1 "$PG1" "$API1"
node_conf node2 "$PG2" "$API2"
for i in 1 2; do
  (cd "$dir" && exec runuser -u postgres -- patroni "$dir/node$i/patroni.yml" >"$dir/node$i/patroni.log" 2>&1) &
  pids+=($!)
  disown   # killed on purpose below: no job report
  sleep 2   # node1 bootstraps; node2 then clones it
done

cat >"$dir/haproxy.cfg" <<CFG
global
  maxconn 2000
defaults
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  timeout check 1s
listen postgres
  mode tcp
  bind 127.0.0.1:$HA_PG
  option httpchk GET /primary
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2 on-marked-down shutdown-sessions
  server node1 127.0.0.1:$PG1 check port $API1
  server node2 127.0.0.1:$PG2 check port $API2
listen web
  mode http
  bind 127.0.0.1:$HA_WEB
  balance roundrobin
  option httpchk GET /api/v1/health
  default-server inter 1s fall 2 rise 1
  server sw1 127.0.0.1:$SW1 check
  server sw2 127.0.0.1:$SW2 check
CFG
haproxy -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
pids+=($!)

api() { curl -fsS "http://127.0.0.1:$1$2" 2>/dev/null; }
wait_for() {   # seconds description command...
  local t=$1 what=$2; shift 2
  for _ in $(seq $((t * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  log "timed out waiting for $what"; for f in "$dir"/node*/patroni.log; do tail -n 20 "$f"; done; return 1
}
sync_ok() {   # a leader and a synchronous standby that is streaming
  api "$API1" /cluster | python3 -c '
import json, sys
m = json.load(sys.stdin)["members"]
ok = any(x["role"] == "leader" and x["state"] == "running" for x in m) and \
     any(x["role"] == "sync_standby" and x["state"] in ("running", "streaming") for x in m)
sys.exit(0 if ok else 1)' || api "$API2" /cluster | python3 -c '
import json, sys
m = json.load(sys.stdin)["members"]
ok = any(x["role"] == "leader" and x["state"] == "running" for x in m) and \
     any(x["role"] == "sync_standby" and x["state"] in ("running", "streaming") for x in m)
sys.exit(0 if ok else 1)'
}
wait_for 90 "a primary with a synchronous standby" sync_ok
log "Patroni: a primary and a synchronous standby"

export PGPASSWORD=pg
PGBASE="host=127.0.0.1 port=$HA_PG user=postgres"
psql "$PGBASE dbname=postgres" -qc "CREATE DATABASE shouwang" >/dev/null
CONN="$PGBASE dbname=shouwang"
export SHOUWANG_FIELD_KEY="k1:$(head -c 32 /dev/urandom | base64)"
export SHOUWANG_QUIET=1
bin/shouwang init --pg "$CONN" >/dev/null
bin/shouwang demo --pg "$CONN" >/dev/null
for p in "$SW1" "$SW2"; do
  SHOUWANG_LISTEN="127.0.0.1:$p" bin/shouwang serve --pg "$CONN" >"$dir/sw-$p.log" 2>&1 &
  pids+=($!)
done
wait_for 30 "both shouwang processes" curl -fsS "http://127.0.0.1:$HA_WEB/api/v1/health"
sleep 2
log "two shouwang processes behind haproxy on 127.0.0.1:$HA_WEB"

# The node whose Patroni answers /primary with 200 (none while a failover is on).
leader_node() {
  if curl -fsS "http://127.0.0.1:$API1/primary" >/dev/null 2>&1; then echo node1
  elif curl -fsS "http://127.0.0.1:$API2/primary" >/dev/null 2>&1; then echo node2; fi
}
other() { [ "$1" = node1 ] && echo node2 || echo node1; }
api_of() { [ "$1" = node1 ] && echo "$API1" || echo "$API2"; }
is_primary() { curl -fsS "http://127.0.0.1:$(api_of "$1")/primary" >/dev/null 2>&1; }
postmaster_of() { head -1 "$dir/$1/data/postmaster.pid"; }

# The load runs in the background and writes its figures at the end.
node tests/cluster/load.mjs "http://127.0.0.1:$HA_WEB" "$dir/acked.json" 75 &
load=$!
sleep 15
first=$(leader_node)
[ -n "$first" ] || { log "no primary"; exit 1; }
log "kill -9 of the postmaster of the primary ($first)"
kill -9 "$(postmaster_of "$first")"
wait_for 60 "the standby promoted" is_primary "$(other "$first")"
log "$(other "$first") promoted"
wait_for 90 "$first back as synchronous standby" sync_ok
log "$first back as synchronous standby"
sleep 10
second=$(leader_node)
log "kill -9 of the whole node $second (Patroni and PostgreSQL)"
# Patroni (and the runuser that started it), then the postmaster and its children.
pkill -9 -f -- "patroni $dir/$second/patroni.yml" || true
pkill -9 -f -- "-D $dir/$second/data" || true
kill -9 "$(postmaster_of "$second")" 2>/dev/null || true
wait_for 60 "the other node promoted" is_primary "$(other "$second")"
log "$(other "$second") promoted (after the leader key expired)"
wait "$load"

# pgbouncer in session mode in front of the primary: the writers and readers keep
# their server connection for the whole session, so the named prepared statements
# each connection makes stay on the server that knows them (transaction pooling would
# hand a statement to a server connection that never prepared it).
cat >"$dir/pgbouncer.ini" <<INI
[databases]
shouwang = host=127.0.0.1 port=$HA_PG dbname=shouwang
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = session
max_client_conn = 200
default_pool_size = 40
unix_socket_dir =
INI
echo '"postgres" "pg"' >"$dir/userlist.txt"
chown postgres:postgres "$dir/pgbouncer.ini" "$dir/userlist.txt"
(cd "$dir" && exec runuser -u postgres -- pgbouncer "$dir/pgbouncer.ini" >"$dir/pgbouncer.log" 2>&1) &
pids+=($!)
disown
sleep 1
SHOUWANG_LISTEN="127.0.0.1:$SW3" bin/shouwang serve --pg "host=127.0.0.1 port=$BOUNCER user=postgres dbname=shouwang" \
  >"$dir/sw-bouncer.log" 2>&1 &
pids+=($!)
wait_for 30 "shouwang through pgbouncer" curl -fsS "http://127.0.0.1:$SW3/api/v1/health"
node tests/cluster/load.mjs "http://127.0.0.1:$SW3" "$dir/acked-bouncer.json" 8 >"$dir/bouncer-load.log"
log "through pgbouncer (session pooling): $(tail -1 "$dir/bouncer-load.log")"

# Every acknowledged write, read back from the primary now in charge.
node tests/cluster/check.mjs "$CONN" "$dir/acked.json" "$dir/acked-bouncer.json"
