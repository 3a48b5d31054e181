#!/usr/bin/env bash
# lint_stats_scale.sh ARBITER SRC — `lint --stats` stays linear in the
# rules: 200,000 indexed rules (each under its own item code) are counted
# within 20 s (a quadratic count took about 40 s for them and minutes for a
# million; the linear one takes about one second), and the per-category rule
# rows add up to the total.
set -uo pipefail
arbiter=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/many.rules" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('category A "a" { code "A1" }\ncategory B "b" { code "B1" }\n')
    for i in range(200000):
        c = "A" if i % 2 else "B"
        f.write(f'rule {c}.{i} in {c} for line in claim.lines when line.item_code == "X{i}" flag line\n')
PY
timeout 20 "$arbiter" lint --stats "$tmp/many.rules" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: lint --stats exit $rc (124: over 20 s)"; tail -3 "$tmp/out"; exit 1; }
grep -Eq '^  A +100000 +100000$' "$tmp/out" && grep -Eq '^  B +100000 +100000$' "$tmp/out" &&
  grep -Eq '^  total +200000 +200000$' "$tmp/out" || { echo "FAIL: per-category counts"; tail -5 "$tmp/out"; exit 1; }
echo "lint_stats_scale: ok"
