#!/usr/bin/env bash
# lib.sh — the prologue shared by end-to-end scripts that take ARBITER SRC
# (not a test itself: tests/CMakeLists.txt leaves it out). A script sources
# it first thing, `source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"`, and gets:
# strict mode (set -uo pipefail), $arbiter and $src from its arguments, a
# temporary directory $tmp removed on exit and made the working directory,
# std=(--stdlib "$src/stdlib-rules"), the counters pass and fail with ok and
# bad MESSAGE to count a check, and finish to print the counts and end with
# the script's status (0 when nothing failed).
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
std=(--stdlib "$src/stdlib-rules")
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
