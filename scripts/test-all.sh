#!/usr/bin/env bash
# `make test`: unit tests, API tests on SQLite and on PostgreSQL,
# browser tests. Runs every stage even when one fails, then prints each stage's result
# and how long it took.
set -u
declare -A result seconds
order=(style unit api-sqlite api-pg e2e)
total_start=$SECONDS
for stage in "${order[@]}"; do
  start=$SECONDS
  if make --no-print-directory "$stage"; then result[$stage]=pass; else result[$stage]=FAIL; fi
  seconds[$stage]=$((SECONDS - start))
done
echo
echo "== make test summary"
rc=0
for stage in "${order[@]}"; do
  printf '  %-12s %-5s %4d s\n' "$stage" "${result[$stage]}" "${seconds[$stage]}"
  [ "${result[$stage]}" = pass ] || rc=1
done
printf '  %-12s %-5s %4d s\n' total "$([ $rc = 0 ] && echo pass || echo FAIL)" $((SECONDS - total_start))
exit $rc
