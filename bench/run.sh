#!/usr/bin/env bash
# bench/run.sh [N] — builds optimised, generates N claims (default 200000),
# and prints, measured in this one run:
#   - JSON reader throughput alone (MB/s, claims/s),
#   - `arbiter check` end to end with the example library, 1 and 2 threads,
#   - the same claims as CSV.
# Figures go to stdout; see docs/performance.md for recorded ones.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
bash scripts/setup.sh
bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== generating $n claims"
build-bench/arbiter gen claims --n "$n" --seed 42 -o "$tmp/claims.jsonl"
mkdir "$tmp/csv" && build-bench/arbiter gen claims --n "$n" --seed 42 --format csv -o "$tmp/csv"
lines=$(python3 -c "import sys; print(sum(1 for _ in open('$tmp/csv/lines.csv')) - 1)")
echo "   $(du -h "$tmp/claims.jsonl" | cut -f1) JSON Lines, $lines claim lines"
echo "== JSON reader alone"
build-bench/bench_json_parse stdlib-rules "$tmp/claims.jsonl" 3
rules=(examples/rules/*.rules)
for t in 1 2; do
  echo "== arbiter check, JSON Lines, $t thread(s)"
  s=$(date +%s.%N)
  build-bench/arbiter check "${rules[@]}" --claims "$tmp/claims.jsonl" -o "$tmp/f$t.jsonl" --threads "$t" 2>&1 | grep -E "findings|claims/s"
  e=$(date +%s.%N)
  python3 -c "print('   %.0f claim lines/s end to end' % ($lines / ($e - $s)))"
done
echo "== arbiter check, JSON Lines, 1 thread, item-code index off"
build-bench/arbiter check "${rules[@]}" --claims "$tmp/claims.jsonl" -o "$tmp/fn.jsonl" --no-index 2>&1 | grep -E "claims/s"
cmp -s "$tmp/f1.jsonl" "$tmp/fn.jsonl" && echo "   index on and off: identical findings"
echo "== arbiter check, CSV, 1 thread"
build-bench/arbiter check "${rules[@]}" --claims "$tmp/csv/claims.csv" -o "$tmp/fc.jsonl" 2>&1 | grep -E "claims/s"
cmp -s "$tmp/f1.jsonl" "$tmp/f2.jsonl" && echo "   1 and 2 threads: identical findings"
cmp -s "$tmp/f1.jsonl" "$tmp/fc.jsonl" && echo "   JSON Lines and CSV: identical findings"
