#!/usr/bin/env bash
# table_probe_ab.sh BEFORE_BUILD AFTER_BUILD [ROUNDS] [NKEYS] [NPROBES] — A/B
# of the index probe alone (bench/table_probe.c: table_find_hashed over a
# table of NKEYS item codes, default 131072 as the reference library's
# item-code index, NPROBES hits and as many misses, default 2000000) for two
# builds, in one run: the driver is compiled against each build's
# libarbiter.a and its own sources' headers (the index's layout may differ),
# and the two alternate ROUNDS times (default 5).  Prints each run, then per
# shape (short and long keys) the median CPU ns a hit and a miss per build
# and their ratio (before / after), and whether the rows found agree.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [ $# -lt 2 ]; then
  echo "usage: bench/table_probe_ab.sh BEFORE_BUILD AFTER_BUILD [ROUNDS] [NKEYS] [NPROBES]" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
before=$(realpath "$1") after=$(realpath "$2") rounds=${3:-5} nkeys=${4:-131072} nprobes=${5:-2000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for side in b a; do
  dir=$before && [ $side = a ] && dir=$after
  src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$dir/CMakeCache.txt")
  cc -O3 -DNDEBUG -std=c11 -D_DEFAULT_SOURCE -pthread -I"$src/base" -I"$src/runtime" -I"$src/include" \
    -o "$tmp/probe_$side" bench/table_probe.c "$dir/libarbiter.a" -lm -ldl -llua5.4 -llmdb -ljson-c -lre2 -lpq
done
: >"$tmp/out_b" && : >"$tmp/out_a"
for ((k = 0; k < rounds; k++)); do
  for side in b a; do
    "$tmp/probe_$side" "$nkeys" "$nprobes" 3 | tee -a "$tmp/out_$side" | sed "s/^/$side: /"
  done
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
for shape in short long; do
  for what in hit miss; do
    col=5 && [ $what = miss ] && col=8
    b=$(grep "^$shape" "$tmp/out_b" | awk -v c=$col '{print $c}' | median)
    a=$(grep "^$shape" "$tmp/out_a" | awk -v c=$col '{print $c}' | median)
    awk -v s=$shape -v w=$what -v b="$b" -v a="$a" \
      'BEGIN {printf "%-5s %-4s before %6.1f ns  after %6.1f ns  before/after %.2f\n", s, w, b, a, b / a}'
  done
done
sb=$(awk '{print $1, $NF}' "$tmp/out_b" | sort -u) sa=$(awk '{print $1, $NF}' "$tmp/out_a" | sort -u)
[ "$sb" = "$sa" ] && echo "rows found: identical" || { echo "rows found: DIFFER"; exit 1; }
