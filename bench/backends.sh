#!/usr/bin/env bash
# backends.sh [BUILD] [REPEAT] — what `check --backend auto` decides from:
# CPU seconds (user + system, median of REPEAT, default 3) of `arbiter
# check --pack` on 1 thread with the interpreter, the JIT and the pack's
# native code (`compile --native`), on the standard library with the
# synthetic reference library (bench/library.sh's) at 1, 20,000 and 100,000
# claims, and on bench/peers.sh's 10k-rule workload at 1 and 100,000
# claims; then which backend auto picks for each (from the summary).  The
# JIT's start-up is the 1-claim row's jit - interp; what native code saves
# per MB is the large rows' interp - native (docs/performance.md, "Choosing
# a backend").
set -euo pipefail
cd "$(dirname "$0")/.."
b=$(cd "${1:-build}" && pwd) repeat=${2:-3}
A=$b/arbiter
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$A" gen library --seed 1 -o "$tmp/lib" >/dev/null 2>&1
"$A" compile stdlib-rules "$tmp/lib" --stdlib stdlib-rules -o "$tmp/lib.arbpack" --native >/dev/null 2>&1
"$A" gen claims --library "$tmp/lib" --n 100000 --seed 2 --violations 0.1 -o "$tmp/l100k.jsonl" >/dev/null 2>&1
head -n 20000 "$tmp/l100k.jsonl" >"$tmp/l20k.jsonl"
head -n 1 "$tmp/l100k.jsonl" >"$tmp/l1.jsonl"
python3 bench/peers_gen.py "$tmp/peers" 100000 >/dev/null
"$A" compile "$tmp/peers/peers.rules" --stdlib stdlib-rules -o "$tmp/peers.arbpack" --native >/dev/null 2>&1
mv "$tmp/peers/claims.jsonl" "$tmp/p100k.jsonl"
head -n 1 "$tmp/p100k.jsonl" >"$tmp/p1.jsonl"
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
printf '%-28s %8s %8s %8s  %s\n' "pack, claims" interp jit native "auto picks"
for row in "lib l1" "lib l20k" "lib l100k" "peers p1" "peers p100k"; do
  set -- $row
  pack=$tmp/$1.arbpack claims=$tmp/$2.jsonl
  out=()
  for be in interp jit native; do
    : >"$tmp/t"
    for ((k = 0; k < repeat; k++)); do
      /usr/bin/time -f "%U %S" -o "$tmp/t1" "$A" check --pack "$pack" --backend $be --threads 1 \
        --claims "$claims" -o /dev/null --quiet >/dev/null 2>&1 || true
      awk '{print $1 + $2}' "$tmp/t1" >>"$tmp/t"
    done
    out+=("$(median <"$tmp/t")")
  done
  "$A" check --pack "$pack" --threads 1 --claims "$claims" -o /dev/null --quiet --summary "$tmp/s" >/dev/null 2>&1 || true
  printf '%-28s %8s %8s %8s  %s\n' "$1, $2 ($(du -h "$claims" | cut -f1))" "${out[@]}" \
    "$(sed -n 's/.*"backend":"\([a-z]*\)".*/\1/p' "$tmp/s")"
done
