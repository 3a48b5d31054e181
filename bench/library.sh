#!/usr/bin/env bash
# bench/library.sh [N_CLAIMS] — the standard library with the synthetic
# reference library (`arbiter gen library`, ~136,000 rule rows) end to end,
# measured in one run: library generation, text -> ready engine, pack size
# and load time, labelled claims, and the check per backend (source
# interpreter, JIT, pack interpreter, pack AOT native), with recall and
# precision from `arbiter score`.  Figures go to stdout; recorded ones are in
# docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
bash scripts/setup.sh
bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
A=build-bench/arbiter
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# seconds and peak MB of a command: "S MB"
measure() {
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>&1 || true
  awk '{printf "%s %d\n", $1, $2 / 1024}' "$tmp/time"
}

read -r t mb < <(measure $A gen library --seed 1 -o "$tmp/lib")
echo "gen library (SYNTHETIC)        ${t} s  ${mb} MB"
$A lint --stats stdlib-rules "$tmp/lib" 2>&1 | grep -E "^(rules|rule rows|shapes|tables) "
read -r t mb < <(measure $A lint stdlib-rules "$tmp/lib")
echo "text -> ready engine (lint)    ${t} s  ${mb} MB"
$A compile stdlib-rules "$tmp/lib" -o "$tmp/lib.arbpack" --native >/dev/null 2>&1
echo "pack                           $(( $(stat -c %s "$tmp/lib.arbpack") / 1048576 )) MB (+ $(( $(stat -c %s "$tmp/lib.arbpack.so") / 1024 )) KB native)"
read -r t mb < <(measure $A gen claims --library "$tmp/lib" --n "$n" --seed 2 --violations 0.1 -o "$tmp/c.jsonl")
echo "gen claims --library ($n)  ${t} s  ${mb} MB"
head -n 1 "$tmp/c.jsonl" > "$tmp/one.jsonl"
best=9
for _ in 1 2 3 4 5; do
  read -r t _ < <(measure build-bench/arbiter_embed "$tmp/lib.arbpack" < "$tmp/one.jsonl")
  best=$(python3 -c "print(min($best, $t))")
done
echo "pack load + one claim (libarbiter only), best of 5: ${best} s"

echo "check over $n labelled claims (2 threads):"
for mode in "source interp" "source jit" "pack interp" "pack native"; do
  set -- $mode
  if [ "$1" = source ]; then src=(stdlib-rules "$tmp/lib"); else src=(--pack "$tmp/lib.arbpack"); fi
  read -r t mb < <(measure $A check "${src[@]}" --backend "$2" --threads 2 --claims "$tmp/c.jsonl" -o "$tmp/f_$1_$2.jsonl")
  printf '  %-14s %6s s  %5s MB  %s\n' "$1 $2" "$t" "$mb" "$(md5sum < "$tmp/f_$1_$2.jsonl" | cut -c1-12)"
done
$A score "$tmp/f_source_interp.jsonl" "$tmp/c.truth.jsonl" | tail -n 1
