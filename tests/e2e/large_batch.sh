#!/usr/bin/env bash
# large_batch.sh ARBITER SRC — 100,000 generated claims through `arbiter
# check` (in the sanitizer build this is the "no ASan/UBSan report" check),
# reconciling read = audited, and giving the same findings with 2 threads.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
"$arbiter" gen claims --n 100000 --seed 3 -o "$tmp/c.jsonl" || { echo "gen failed"; exit 1; }
"$arbiter" check "$src"/examples/rules/*.rules --claims "$tmp/c.jsonl" -o "$tmp/f1" --stdlib "$src/stdlib-rules" 2>"$tmp/err1"
rc=$?
[ $rc -eq 0 ] && pass=$((pass + 1)) || { echo "FAIL: exit $rc"; cat "$tmp/err1"; fail=$((fail + 1)); }
grep -q "100000 claims read = 100000 audited + 0 rejected" "$tmp/err1" && pass=$((pass + 1)) || { echo "FAIL: summary"; cat "$tmp/err1"; fail=$((fail + 1)); }
"$arbiter" check "$src"/examples/rules/*.rules --claims "$tmp/c.jsonl" -o "$tmp/f2" --threads 2 --quiet --stdlib "$src/stdlib-rules"
cmp -s "$tmp/f1" "$tmp/f2" && pass=$((pass + 1)) || { echo "FAIL: 2 threads differ"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
