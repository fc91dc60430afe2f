#!/usr/bin/env bash
# checksrc.sh — the house style that a compiler does not check, for every C file:
# a header comment naming the file first, lines of at most MAX characters, no trailing
# space, no tab, and none of the calls that overrun or hide errors (sprintf, strcpy,
# strcat, gets, atoi: use snprintf, memcpy with a length, strtol with an end check).
# Prints file:line: reason for each finding; exits 1 when there is any.
set -u
cd "$(dirname "$0")/.."
MAX=${CHECKSRC_MAX:-120}
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'fuzz/*.c' 'bench/*.c' 'scripts/*.c' 2>/dev/null)
[ -n "$files" ] || files=$(find src tests/unit fuzz bench scripts -name '*.[ch]')
# shellcheck disable=SC2086
MAX=$MAX perl -CSD -Mutf8 -ne '
  BEGIN { $max = $ENV{MAX}; $bad = 0 }
  chomp;
  if ($. == 1) {
    ($base = $ARGV) =~ s{.*/}{};
    if (index($_, "/* $base") != 0) { print "$ARGV:1: the first line is not a header comment naming $base\n"; $bad++ }
  }
  if (length($_) > $max) { printf "%s:%d: %d characters (at most %d)\n", $ARGV, $., length($_), $max; $bad++ }
  if (/[ \t]$/) { print "$ARGV:$.: trailing space\n"; $bad++ }
  if (/\t/) { print "$ARGV:$.: tab\n"; $bad++ }
  ($code = $_) =~ s/"(?:[^"\\]|\\.)*"/""/g;       # calls named inside strings do not count
  $code =~ s{//.*$}{};
  if ($code =~ /(?:^|[^_a-zA-Z0-9.>])(sprintf|strcpy|strcat|gets|atoi)\s*\(/) { print "$ARGV:$.: banned call $1\n"; $bad++ }
  close ARGV if eof;                               # line numbers restart for each file
  END { exit($bad ? 1 : 0) }
' $files
rc=$?
[ $rc -eq 0 ] && echo "checksrc: $(echo "$files" | wc -w) files clean"
exit $rc
