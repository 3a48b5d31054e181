#!/usr/bin/env bash
# library_ab.sh BEFORE_BUILD AFTER_BUILD [N_CLAIMS] [REPEAT] — A/B of two
# builds (build directories) on the standard library with the synthetic
# reference library (`arbiter gen library --seed 1`, ~136,000 rule rows;
# bench/library.sh's workload), in one run: each build compiles its own
# pack, then `arbiter check --pack` of N_CLAIMS labelled claims (default
# 100000) with the interpreter on 1 thread, alternating the builds REPEAT
# times (default 3); prints user CPU seconds per build (median) with the
# ratio, and whether the findings are identical.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [ $# -lt 2 ]; then
  echo "usage: bench/library_ab.sh BEFORE_BUILD AFTER_BUILD [N_CLAIMS] [REPEAT]" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
before=$(cd "$1" && pwd) after=$(cd "$2" && pwd) n=${3:-100000} repeat=${4:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$after/arbiter" gen library --seed 1 -o "$tmp/lib" >/dev/null 2>&1
"$after/arbiter" gen claims --library "$tmp/lib" --n "$n" --seed 2 --violations 0.1 -o "$tmp/c.jsonl" >/dev/null 2>&1
for side in b a; do
  dir=$before && [ $side = a ] && dir=$after
  "$dir/arbiter" compile stdlib-rules "$tmp/lib" --stdlib stdlib-rules -o "$tmp/lib_$side.arbpack" >/dev/null 2>&1
done
echo "reference library, $n claims ($(du -h "$tmp/c.jsonl" | cut -f1))"
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
: >"$tmp/t_b" && : >"$tmp/t_a"
for ((k = 0; k < repeat; k++)); do
  for side in b a; do
    dir=$before && [ $side = a ] && dir=$after
    /usr/bin/time -f "%U" -o "$tmp/t" "$dir/arbiter" check --pack "$tmp/lib_$side.arbpack" --backend interp \
      --threads 1 --claims "$tmp/c.jsonl" -o "$tmp/f_$side.jsonl" --quiet >/dev/null 2>&1
    cat "$tmp/t" >>"$tmp/t_$side"
  done
done
b=$(median <"$tmp/t_b") a=$(median <"$tmp/t_a")
echo "check --pack, interpreter, 1 thread, $(wc -l <"$tmp/f_a.jsonl") findings, user CPU median of $repeat:" \
  "before $b s, after $a s: $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}')x less"
cmp -s "$tmp/f_b.jsonl" "$tmp/f_a.jsonl" && echo "findings: identical" || echo "findings: DIFFER"
