#!/usr/bin/env bash
# lint_stats_scale.sh ARBITER SRC — `lint --stats` stays linear in the
# rules: 200,000 indexed rules (each under its own item code) take at most 8
# times as long as 50,000 (linear: 4 times; the quadratic count this guards
# against took 16 times: about 40 s for 200,000 against 2.5 s), measured in
# the same run, so that a loaded machine or a sanitizer build slows both
# alike; and the per-category rule rows add up to the total.
set -uo pipefail
arbiter=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen() { # N FILE
  python3 - "$1" "$2" <<'PY'
import sys
n = int(sys.argv[1])
with open(sys.argv[2], "w") as f:
    f.write('category A "a" { code "A1" }\ncategory B "b" { code "B1" }\n')
    for i in range(n):
        c = "A" if i % 2 else "B"
        f.write(f'rule {c}.{i} in {c} for line in claim.lines when line.item_code == "X{i}" flag line\n')
PY
}
gen 50000 "$tmp/small.rules"
gen 200000 "$tmp/many.rules"
now() { date +%s.%N; }
# the best of two runs each, alternating
best_small=999999 best_many=999999
for _ in 1 2; do
  for f in small many; do
    t0=$(now)
    timeout 600 "$arbiter" lint --stats "$tmp/$f.rules" >"$tmp/$f.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] || { echo "FAIL: lint --stats $f exit $rc (124: over 600 s)"; tail -3 "$tmp/$f.out"; exit 1; }
    t=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {print b - a}')
    if [ "$f" = small ]; then
      best_small=$(awk -v t="$t" -v b="$best_small" 'BEGIN {print (t < b ? t : b)}')
    else
      best_many=$(awk -v t="$t" -v b="$best_many" 'BEGIN {print (t < b ? t : b)}')
    fi
  done
done
ratio=$(awk -v m="$best_many" -v s="$best_small" 'BEGIN {printf "%.2f", m / s}')
echo "lint --stats: 50,000 rules ${best_small}s, 200,000 rules ${best_many}s: ${ratio}x"
awk -v r="$ratio" 'BEGIN {exit !(r <= 8)}' || { echo "FAIL: 4 times the rules took ${ratio} times as long (linear: 4)"; exit 1; }
grep -Eq '^  A +100000 +100000$' "$tmp/many.out" && grep -Eq '^  B +100000 +100000$' "$tmp/many.out" &&
  grep -Eq '^  total +200000 +200000$' "$tmp/many.out" || { echo "FAIL: per-category counts"; tail -5 "$tmp/many.out"; exit 1; }
echo "lint_stats_scale: ok"
