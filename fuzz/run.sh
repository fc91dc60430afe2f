#!/usr/bin/env bash
# run.sh — `make fuzz`: builds the libFuzzer targets and runs each for a bounded time.
#
#   fuzz/run.sh                 every target, FUZZ_SECONDS each (default 30)
#   fuzz/run.sh router          one target
#   fuzz/run.sh router FILE...  replays saved inputs (a crash artifact) once each
#
# Targets are linked with the library sources (src/ except main.c) built with clang,
# AddressSanitizer and UBSan. The committed seeds in fuzz/corpus/<target>/ are read
# only; what the fuzzer learns goes to a temporary corpus that is deleted afterwards.
# A crashing input is kept in build/fuzz/artifacts/ and the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${FUZZ_SECONDS:-30}
case $SECS in ''|*[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a whole number" >&2; exit 2;; esac
ALL=(router json csv xlsx multipart)
O=build/fuzz
ART=$O/artifacts

targets=("${ALL[@]}")
replay=()
if [ $# -gt 0 ]; then
  case " ${ALL[*]} " in *" $1 "*) ;; *) echo "fuzz: unknown target '$1' (${ALL[*]})" >&2; exit 2;; esac
  targets=("$1"); shift
  replay=("$@")
fi

command -v clang >/dev/null || { echo "fuzz: clang is missing (make deps)" >&2; exit 1; }

# The generated sources come from the main Makefile; then the targets themselves.
make --no-print-directory build/migrations.c build/webapp.c
bins=()
for t in "${targets[@]}"; do bins+=("$O/fuzz_$t"); done
make --no-print-directory -f fuzz/fuzz.mk -j"$(nproc)" "${bins[@]}"

# UBSan findings abort with a stack, like ASan's, so libFuzzer records them as crashes.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

if [ ${#replay[@]} -gt 0 ]; then
  exec "$O/fuzz_${targets[0]}" "${replay[@]}"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shouwang-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ART"

# Router dictionary: the fixed tokens plus every segment of the route patterns in src/.
{
  cat fuzz/router.dict
  grep -rhoE '"/api/v1/[^"]*"' src 2>/dev/null | tr -d '"' | tr '/' '\n' | grep -v '^$' \
    | sort -u | sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/'
} >"$WORK/router.dict"
for d in json csv xlsx multipart; do cp "fuzz/$d.dict" "$WORK/$d.dict"; done

failed=()
for t in "${targets[@]}"; do
  mkdir -p "$WORK/corpus-$t"
  log=$WORK/$t.log
  echo "fuzz: $t for ${SECS}s"
  rc=0
  maxlen=4096
  [ "$t" = xlsx ] && maxlen=32768     # a real workbook is a few KiB of ZIP
  "$O/fuzz_$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
    -print_final_stats=1 -dict="$WORK/$t.dict" -artifact_prefix="$ART/$t-" \
    "$WORK/corpus-$t" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    echo "fuzz: $t ok — ${runs:-?} runs, coverage ${cov:-?} edges, corpus $(find "$WORK/corpus-$t" -type f | wc -l) inputs"
  else
    failed+=("$t")
    echo "fuzz: $t FAILED (exit $rc); the report:" >&2
    # From the sanitizer's or libFuzzer's first line of the report to the end.
    report=$(awk '/^==[0-9]+==|runtime error:|deadly signal|^ALARM|out-of-memory/ { on = 1 } on' \
      "$log" | grep -v '^#[0-9]' | head -80)
    if [ -n "$report" ]; then echo "$report" >&2; else tail -40 "$log" >&2; fi
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    if [ -n "$artifact" ]; then
      echo "fuzz: input kept in $artifact; replay with: fuzz/run.sh $t $artifact" >&2
      echo "fuzz: input bytes (hex):" >&2
      od -An -tx1 -v "$artifact" | head -20 >&2
    fi
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crash"
