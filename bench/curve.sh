#!/usr/bin/env bash
# bench/curve.sh — throughput of `arbiter check` (JSON Lines in, findings
# out) against batch size and against the number of rules, in one run:
#   - batch size: the full reference library (stdlib-rules + `gen library
#     --seed 1`, as a pack), --phase settle, over SIZES plain generated
#     claims (`gen claims --seed 3`; default "10000 100000"; add 1000000 on
#     a machine with the disk and the minutes: 1M claims are about 4 GB;
#     SIZES= skips it);
#   - rules: the shared workload of bench/peers.sh (bench/peers_gen.py: rules
#     "item code in a set of 5 and age >= N") with RULES rules (default
#     "1000 10000 135000"), as packs, over 100,000 one-line claims;
# each with --threads 1 and 2.  Printed per row: claims and claim lines,
# wall and CPU (user + sys) seconds, claim lines per second of wall time
# and per CPU second, peak RSS.  ARBITER=path runs that binary instead of
# building build-bench.  Figures recorded are in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES-10000 100000}
RULES=${RULES-1000 10000 135000}
if [ -z "${ARBITER:-}" ]; then
  bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
  ARBITER=build-bench/arbiter
fi
A=$(realpath "$ARBITER")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lines() { python3 -c "import json,sys; print(sum(len(json.loads(l).get('lines', [])) for l in open(sys.argv[1])))" "$1"; }
row() { # LABEL CLAIMS LINES THREADS ARGS...
  local label=$1 claims=$2 nl=$3 t=$4
  shift 4
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$A" check "$@" --threads "$t" -o "$tmp/f.jsonl" \
    --quiet >/dev/null 2>&1 || true
  read -r wall user sys kb <"$tmp/time"
  python3 - "$label" "$claims" "$nl" "$t" "$wall" "$user" "$sys" "$kb" <<'PY'
import sys
label, claims, nl, t, wall, user, sys_, kb = sys.argv[1:]
cpu = float(user) + float(sys_)
print(f"{label:24} {int(claims):>9,} {int(nl):>10,} {t:>2} {float(wall):7.2f} {cpu:7.2f} "
      f"{int(nl) / float(wall):>12,.0f} {int(nl) / cpu:>12,.0f} {int(kb) // 1024:>6}")
PY
}
echo "$(nproc) cores; $A"
printf '%-24s %9s %10s %2s %7s %7s %12s %12s %6s\n' workload claims lines th wall cpu "lines/s" "lines/cpu-s" MB
if [ -n "$SIZES" ]; then
  $A gen library --seed 1 -o "$tmp/lib" >/dev/null
  $A compile stdlib-rules "$tmp/lib" -o "$tmp/lib.arbpack" >/dev/null 2>&1
fi
for n in $SIZES; do
  $A gen claims --n "$n" --seed 3 -o "$tmp/c.jsonl" >/dev/null
  nl=$(lines "$tmp/c.jsonl")
  for t in 1 2; do
    row "full library, settle" "$n" "$nl" "$t" --pack "$tmp/lib.arbpack" --claims "$tmp/c.jsonl" --phase settle
  done
  rm -f "$tmp/c.jsonl"
done
for r in $RULES; do
  python3 bench/peers_gen.py "$tmp/p" 100000 "$r" >/dev/null
  $A compile "$tmp/p/peers.rules" -o "$tmp/p.arbpack" >/dev/null 2>&1
  for t in 1 2; do
    row "peers, $r rules" 100000 100000 "$t" --pack "$tmp/p.arbpack" --claims "$tmp/p/claims.jsonl"
  done
done
