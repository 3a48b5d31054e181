#!/usr/bin/env bash
# pack_load.sh BEFORE_BUILD AFTER_BUILD [ROUNDS] [LOADS] — A/B of pack load
# time in process for two builds (e.g. main's and a branch's build
# directories) in one run: the full reference library (`arbiter gen library
# --seed 1`, ~136,000 rule rows) with the standard library is compiled to a
# pack by each build's arbiter, then bench/pack_load.c, linked against each
# build's libarbiter.so, loads it LOADS times (default 30) into fresh
# engines; the two alternate ROUNDS times (default 5).  Printed per build:
# the median over rounds of the median wall and CPU milliseconds per load,
# and the pack's size.  The machine is shared: CPU time is the steadier
# figure.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [ $# -lt 2 ]; then
  echo "usage: bench/pack_load.sh BEFORE_BUILD AFTER_BUILD [ROUNDS] [LOADS] (--help says more)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
before=$(realpath "$1") after=$(realpath "$2") rounds=${3:-5} loads=${4:-30}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$after/arbiter" gen library --seed 1 -o "$tmp/lib" >/dev/null
for side in b a; do
  dir=$before && [ $side = a ] && dir=$after
  # each build with the standard library of its own sources
  src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$dir/CMakeCache.txt")
  if ! "$dir/arbiter" compile "$src/stdlib-rules" "$tmp/lib" -o "$tmp/$side.arbpack" >"$tmp/log" 2>&1; then
    tail -n 3 "$tmp/log" >&2
    exit 1
  fi
  cc -O2 -Iinclude bench/pack_load.c -o "$tmp/load_$side" -L"$dir" -larbiter -Wl,-rpath,"$dir"
  : >"$tmp/wall_$side" && : >"$tmp/cpu_$side"
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
for ((k = 0; k < rounds; k++)); do
  for side in b a; do
    out=$("$tmp/load_$side" "$tmp/$side.arbpack" "$loads")
    sed -n 's/^pack load: median \([0-9.]*\) ms.*/\1/p' <<<"$out" >>"$tmp/wall_$side"
    sed -n 's/.*CPU median \([0-9.]*\) ms.*/\1/p' <<<"$out" >>"$tmp/cpu_$side"
  done
done
for side in b a; do
  name=before && [ $side = a ] && name=after
  printf '%-7s pack %5.1f MB   load: wall %6.2f ms   CPU %6.2f ms  (median of %d rounds of %d loads)\n' \
    "$name" "$(echo "$(stat -c %s "$tmp/$side.arbpack") / 1048576" | bc -l)" \
    "$(median <"$tmp/wall_$side")" "$(median <"$tmp/cpu_$side")" "$rounds" "$loads"
done
echo "CPU after/before: $(echo "$(median <"$tmp/cpu_a") / $(median <"$tmp/cpu_b")" | bc -l | cut -c1-5)"
