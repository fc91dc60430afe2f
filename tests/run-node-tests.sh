#!/usr/bin/env bash
# run-node-tests.sh DIR — node's test runner over the test files of DIR, one file at a
# time, after making the demo database that every file's servers copy (lib/template.mjs);
# removes it afterwards. Run from tests/, with SHOUWANG_BIN and SHOUWANG_BACKEND set.
set -u
tmpl=$(node lib/template.mjs create) || { echo "run-node-tests: the demo database could not be made" >&2; exit 1; }
export SHOUWANG_TEMPLATE=$tmpl
node --test --test-concurrency=1 "$@"
rc=$?
node lib/template.mjs drop "$tmpl" || true
exit $rc
