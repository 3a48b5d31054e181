#!/bin/bash
# run_e2e.sh — runs one end-to-end script (tests/e2e/*.sh) in an empty
# working directory of its own, and fails the test when the script leaves
# files there: a test writes into its own temporary directory, never into
# ctest's (an `arbiter check` without --rejects writes rejects.jsonl into
# the working directory, for one).
# A script that keeps something for people to look at (a screenshot) puts it
# under $ARB_E2E_ARTIFACTS, ctest's working directory.
# Usage: run_e2e.sh SCRIPT ARGS...   (the exit code is the script's: 77 skips)
script=$1
shift
export ARB_E2E_ARTIFACTS=$PWD
wd=$(mktemp -d "${TMPDIR:-/tmp}/arb-e2e-cwd.XXXXXX") || exit 1
cd "$wd" || exit 1
bash "$script" "$@"
rc=$?
cd / || exit 1
left=$(ls -A "$wd")
rm -rf "$wd"
if [ "$rc" -eq 0 ] && [ -n "$left" ]; then
    echo "FAIL: $(basename "$script") left files in its working directory: $left" >&2
    exit 1
fi
exit "$rc"
