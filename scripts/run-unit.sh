#!/usr/bin/env bash
# Runs every C unit test binary; exits non-zero when any fails.
set -u
fail=0
for t in "$@"; do
  echo "== $t"
  "$t" || fail=1
done
exit $fail
