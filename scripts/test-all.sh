#!/usr/bin/env bash
# `make test`: style, unit tests, API tests on SQLite and on PostgreSQL, browser tests.
# Runs every stage even when one fails, then prints each stage's result and how long it
# took.
#
# The unit and the two API stages run side by side: each starts its own servers on
# random loopback ports and its own private PostgreSQL cluster, and they spend much of
# their time waiting on fsync, so together they take about half as long as one after
# another. Their output goes to build/test-logs/<stage>.log and is printed, whole and in
# order, once they are all done. The browser tests come last, alone (they need the CPU).
# SHOUWANG_TEST_SERIAL=1 runs every stage one after another, output as it comes.
set -u
cd "$(dirname "$0")/.."
declare -A result seconds
order=(style unit api-sqlite api-pg e2e)
together=(unit api-sqlite api-pg)
logs=build/test-logs
total_start=$SECONDS

run_stage() {
  local stage=$1 start=$SECONDS
  if make --no-print-directory "$stage"; then result[$stage]=pass; else result[$stage]=FAIL; fi
  seconds[$stage]=$((SECONDS - start))
}

if [ "${SHOUWANG_TEST_SERIAL:-0}" = 1 ]; then
  for stage in "${order[@]}"; do run_stage "$stage"; done
else
  run_stage style
  mkdir -p "$logs"
  declare -A pid
  group_start=$SECONDS
  for stage in "${together[@]}"; do
    ( start=$SECONDS
      if make --no-print-directory "$stage" >"$logs/$stage.log" 2>&1; then r=pass; else r=FAIL; fi
      echo "$r $((SECONDS - start))" >"$logs/$stage.result" ) &
    pid[$stage]=$!
  done
  echo "== unit, api-sqlite and api-pg running side by side (logs in $logs/)"
  for stage in "${together[@]}"; do
    wait "${pid[$stage]}"
    read -r result[$stage] seconds[$stage] <"$logs/$stage.result" || { result[$stage]=FAIL; seconds[$stage]=0; }
  done
  for stage in "${together[@]}"; do
    echo "== $stage (${result[$stage]}, ${seconds[$stage]} s)"
    cat "$logs/$stage.log"
  done
  echo "== the three side by side took $((SECONDS - group_start)) s"
  run_stage e2e
fi

echo
echo "== make test summary"
rc=0
for stage in "${order[@]}"; do
  printf '  %-12s %-5s %4d s\n' "$stage" "${result[$stage]}" "${seconds[$stage]}"
  [ "${result[$stage]}" = pass ] || rc=1
done
printf '  %-12s %-5s %4d s\n' total "$([ $rc = 0 ] && echo pass || echo FAIL)" $((SECONDS - total_start))
exit $rc
