#!/usr/bin/env bash
# bench/reader_ab.sh — the JSON claim reader and the settle phase, A/B in one
# run (issue 14): OLD (default /work/main/build, a build of main) against NEW
# (default build/, this tree's Release build).
#   1. bench/json_parse.c alone (the reader, no rules) over M (default
#      20,000) claims of `gen claims --seed 3`: this tree's json_parse.c is
#      compiled and linked against each side's library with that side's
#      flags (as bench/settle_ab.sh does), the best CPU time of 5 passes.
#   2. `arbiter check --pack LIB --claims C --phase settle --threads 1
#      --history-memory all` over N (default 100,000) claims, LIB the full
#      reference library (stdlib-rules + `gen library --seed 1`, compiled
#      by each side from its own stdlib-rules, as bench/threads.sh does):
#      user + sys seconds, claim lines per CPU second, findings compared.
# ROUNDS (default 3) rounds alternate old and new.  Prints each round and
# the medians' ratios new/old (CPU time: under 1 is faster).  The machine is
# shared: trust CPU time and the ratios of one run.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=${OLD:-/work/main/build}
NEW=${NEW:-build}
N=${N:-100000}
M=${M:-20000}
ROUNDS=${ROUNDS:-3}
NEW=$(cd "$NEW" && pwd)
src=$PWD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/reader_ab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cmake --build "$NEW" --target arbiter_cli bench_json_parse >/dev/null
old_src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$OLD/CMakeCache.txt")
. bench/relink.sh
for side in old new; do
  B=$OLD
  [ $side = new ] && B=$NEW
  relink_bench "$B" bench_json_parse "$src/bench/json_parse.c" "$tmp/jp_$side"
done
echo "old: $OLD ($(git -C "$old_src" log -1 --format='%h %s' | cut -c1-70))"
echo "new: $NEW ($(git log -1 --format='%h %s' | cut -c1-70)$(git diff --quiet HEAD || echo ', with changes'))"
"$NEW/arbiter" gen library --seed 1 -o "$tmp/lib" >/dev/null
(cd "$old_src" && "$OLD/arbiter" compile stdlib-rules "$tmp/lib" -o "$tmp/old.arbpack" >/dev/null 2>&1)
"$NEW/arbiter" compile stdlib-rules "$tmp/lib" -o "$tmp/new.arbpack" >/dev/null 2>&1
"$NEW/arbiter" gen claims --n "$N" --seed 3 -o "$tmp/c.jsonl" >/dev/null
head -n "$M" "$tmp/c.jsonl" >"$tmp/m.jsonl"
lines=$(grep -o '"line_no"' "$tmp/c.jsonl" | wc -l)
mlines=$(grep -o '"line_no"' "$tmp/m.jsonl" | wc -l)
echo "json_parse: $M claims, $mlines lines, $(($(stat -c %s "$tmp/m.jsonl") / 1000000)) MB; settle: $N claims, $lines lines; load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= ROUNDS; r++)); do
  for side in old new; do
    S=$old_src
    [ $side = new ] && S=$src
    c=$("$tmp/jp_$side" "$S/stdlib-rules" "$tmp/m.jsonl" 5 | sed -n 's/.*cpu best of [0-9]* \([0-9.]*\) s.*/\1/p')
    echo "round $r $side json_parse cpu $c s = $(awk -v l="$mlines" -v c="$c" 'BEGIN { printf "%.2fM lines/s", l / c / 1e6 }')" | tee -a "$tmp/jp"
  done
  for side in old new; do
    B=$OLD
    [ $side = new ] && B=$NEW
    mkdir -p "$tmp/o_$side"
    (cd "$tmp/o_$side" && /usr/bin/time -f "%U %S %e" -o "$tmp/t" "$B/arbiter" check --pack "$tmp/$side.arbpack" \
      --claims "$tmp/c.jsonl" --phase settle --threads 1 --history-memory all -o f.jsonl >/dev/null 2>&1)
    read -r u s e <"$tmp/t"
    echo "round $r $side settle user $u sys $s wall $e: $(awk -v l="$lines" -v u="$u" -v s="$s" 'BEGIN { printf "%.3fM lines per CPU second", l / (u + s) / 1e6 }')" | tee -a "$tmp/st"
  done
  cmp -s "$tmp/o_old/f.jsonl" "$tmp/o_new/f.jsonl" && echo "round $r: findings identical" || echo "round $r: FINDINGS DIFFER"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
jo=$(awk '$3 == "old" { print $6 }' "$tmp/jp" | med)
jn=$(awk '$3 == "new" { print $6 }' "$tmp/jp" | med)
so=$(awk '$3 == "old" { print $6 + $8 }' "$tmp/st" | med)
sn=$(awk '$3 == "new" { print $6 + $8 }' "$tmp/st" | med)
awk -v jo="$jo" -v jn="$jn" -v so="$so" -v sn="$sn" -v l="$lines" -v ml="$mlines" 'BEGIN {
  printf "median json_parse CPU: old %.3f s (%.2fM lines/s), new %.3f s (%.2fM lines/s): new/old %.2f\n", jo, ml / jo / 1e6, jn, ml / jn / 1e6, jn / jo
  printf "median settle CPU: old %.2f s (%.3fM lines/s), new %.2f s (%.3fM lines/s): new/old %.2f\n", so, l / so / 1e6, sn, l / sn / 1e6, sn / so }'
