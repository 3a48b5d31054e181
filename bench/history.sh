#!/usr/bin/env bash
# bench/history.sh [N] — what rules over a person's history cost, measured
# in one run over N generated claims (default 100,000):
#   streaming  4 rules that read only the claim itself: claims are read in
#              windows and checked as they come (memory stays flat);
#   history    the 4 rules of tests/data/history/history.rules (re-admission,
#              frequent visits, course days, second-line drugs): every claim
#              is read first, a per-person index is built, then the claims
#              are checked from it.
# Each with 1 and 2 threads: wall and CPU seconds (best of 3), MB/s of JSON,
# peak resident memory, and history's ratios to streaming.  Recorded
# figures: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
A=build-bench/arbiter
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
N=${1:-100000}
$A gen claims --n "$N" --seed 3 -o "$tmp/claims.jsonl"
bytes=$(stat -c %s "$tmp/claims.jsonl")
cat > "$tmp/streaming.rules" <<'R'
category S "streaming" { code "S" }
rule S.1 in S when claim.care_type == inpatient and claim.los_days > 30 flag claim
rule S.2 in S for line in claim.lines when line.quantity > 50 flag line
rule S.3 in S for line in claim.lines
  when line.days_supply > 30 and sum(x.days_supply for x in claim.lines where x.item_code == line.item_code) > 60
  flag line
rule S.4 in S when count(x in claim.lines where x.item_kind == drug) > 12 flag claim
R
# best of 3 by wall time: "wall cpu maxrss_kb"
run() { # rules, threads
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$A" check "$1" --claims "$tmp/claims.jsonl" \
      -o /dev/null --quiet --threads "$2" --stdlib stdlib-rules
    cat "$tmp/t"
  done | awk 'NR == 1 || $1 < w { w = $1; c = $2 + $3; m = $4 } END { print w, c, m }'
}
awk -v n="$N" -v b="$bytes" 'BEGIN { printf "%d claims, %.0f MB of JSON Lines\n\n", n, b / 1e6 }'
printf '%-10s %7s %8s %8s %8s %10s\n' mode threads wall_s cpu_s MB/s peak_MB
for t in 1 2; do
  s=$(run "$tmp/streaming.rules" "$t")
  h=$(run tests/data/history/history.rules "$t")
  awk -v t="$t" -v b="$bytes" -v s="$s" -v h="$h" 'BEGIN {
    split(s, S, " "); split(h, H, " ")
    printf "%-10s %7d %8.2f %8.2f %8.0f %10.0f\n", "streaming", t, S[1], S[2], b / 1e6 / S[1], S[3] / 1024
    printf "%-10s %7d %8.2f %8.2f %8.0f %10.0f\n", "history", t, H[1], H[2], b / 1e6 / H[1], H[3] / 1024
    printf "  history / streaming, %d thread(s): wall %.2fx, cpu %.2fx, memory %.1fx\n", t,
      H[1] / S[1], H[2] / S[2], H[3] / S[3] }'
done
