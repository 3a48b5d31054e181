#!/usr/bin/env bash
# golden.sh ARBITER SRC — the example rule library over the bundled sample
# claims (examples/claims/, CSV) gives exactly the checked-in findings, with 1
# and 3 threads; the same claims generated as JSON Lines (they are `arbiter
# gen claims --n 1000 --seed 2025`) give the same findings.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ex=$src/examples
fail=0 pass=0
check() { # name, expected, got
  if cmp -s "$2" "$3"; then pass=$((pass + 1)); else
    echo "FAIL: $1"; diff "$2" "$3" | head -20; fail=$((fail + 1)); fi
}
"$arbiter" check "$ex"/rules/*.rules --claims "$ex/claims/claims.csv" -o "$tmp/f1.jsonl" --quiet --stdlib "$src/stdlib-rules"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: exit code $rc"; fail=$((fail + 1)); }
check "findings match examples/expected_findings.jsonl" "$ex/expected_findings.jsonl" "$tmp/f1.jsonl"
"$arbiter" check "$ex"/rules/*.rules --claims "$ex/claims/claims.csv" -o "$tmp/f3.jsonl" --threads 3 --quiet --stdlib "$src/stdlib-rules"
check "3 threads give the same findings" "$ex/expected_findings.jsonl" "$tmp/f3.jsonl"
"$arbiter" check "$ex"/rules/*.rules --claims "$ex/claims/claims.csv" -o "$tmp/fjit.jsonl" --backend jit --quiet --stdlib "$src/stdlib-rules"
check "the JIT gives the same findings" "$ex/expected_findings.jsonl" "$tmp/fjit.jsonl"
"$arbiter" gen claims --n 1000 --seed 2025 -o "$tmp/sample.jsonl"
"$arbiter" check "$ex"/rules/*.rules --claims "$tmp/sample.jsonl" -o "$tmp/fj.jsonl" --quiet --stdlib "$src/stdlib-rules"
check "the sample as JSON Lines gives the same findings" "$ex/expected_findings.jsonl" "$tmp/fj.jsonl"
# the findings must cover many categories: the golden set is not trivial
ncat=$(grep -o '"category":"[A-Z_]*"' "$ex/expected_findings.jsonl" | sort -u | wc -l)
[ "$ncat" -ge 10 ] && pass=$((pass + 1)) || { echo "FAIL: only $ncat categories flagged"; fail=$((fail + 1)); }
# JSON Lines and CSV readers agree on generated claims
"$arbiter" gen claims --n 3000 --seed 11 -o "$tmp/g.jsonl"
mkdir "$tmp/csv" && "$arbiter" gen claims --n 3000 --seed 11 --format csv -o "$tmp/csv"
"$arbiter" check "$ex"/rules/*.rules --claims "$tmp/g.jsonl" -o "$tmp/gj.jsonl" --quiet --stdlib "$src/stdlib-rules"
"$arbiter" check "$ex"/rules/*.rules --claims "$tmp/csv/claims.csv" -o "$tmp/gc.jsonl" --quiet --stdlib "$src/stdlib-rules"
check "CSV and JSON Lines input give the same findings" "$tmp/gj.jsonl" "$tmp/gc.jsonl"
# the item-code index only skips rules that cannot match: same findings without it
"$arbiter" check "$ex"/rules/*.rules --claims "$tmp/g.jsonl" -o "$tmp/gn.jsonl" --no-index --quiet --stdlib "$src/stdlib-rules"
check "the item-code index changes no finding" "$tmp/gj.jsonl" "$tmp/gn.jsonl"
[ -s "$tmp/gj.jsonl" ] && pass=$((pass + 1)) || { echo "FAIL: no findings on generated claims"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
