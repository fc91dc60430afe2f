#!/usr/bin/env bash
# `make test`: unit tests, API tests on SQLite and on PostgreSQL, browser tests.
# Runs every stage even when one fails, then prints each stage's result.
set -u
declare -A result
order=(unit api-sqlite api-pg e2e)
for stage in "${order[@]}"; do
  if make --no-print-directory "$stage"; then result[$stage]=pass; else result[$stage]=FAIL; fi
done
echo
echo "== make test summary"
rc=0
for stage in "${order[@]}"; do
  printf '  %-12s %s\n' "$stage" "${result[$stage]}"
  [ "${result[$stage]}" = pass ] || rc=1
done
exit $rc
