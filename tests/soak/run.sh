#!/usr/bin/env bash
# run.sh — `make soak`: the crash test repeated (tests/soak/soak.mjs), SOAK_ROUNDS rounds
# (default 100) on SQLite, then on a private PostgreSQL cluster (tests/pg-cluster.sh).
# Exits non-zero when a round lost an acknowledged write on either backend.
set -u
cd "$(dirname "$0")/.."
bin=${SHOUWANG_BIN:-../bin/shouwang}
rc=0
SHOUWANG_BIN=$bin SHOUWANG_BACKEND=sqlite node soak/soak.mjs || rc=1
SHOUWANG_BIN=$bin SHOUWANG_BACKEND=postgresql ./pg-cluster.sh run node soak/soak.mjs || rc=1
exit $rc
