#!/usr/bin/env bash
# perf_ab.sh BEFORE_BUILD AFTER_BUILD [N_CLAIMS] [REPEAT] — A/B of two builds
# (e.g. main's and a branch's build directories) in one run, alternating
# them REPEAT times (default 5) on the same data, and printing each figure
# per build with the median ratio, since the machine is shared and noisy:
#   1. the JSON reader alone (bench_json_parse, best of 3 per round) on N
#      generated claims (default 30000; their names, departments and items
#      are Chinese) and on the same claims with longer Chinese item names
#      and departments (text-heavy input, as free-text fields are);
#   2. `arbiter check` of bench/every_line.rules (every line flagged twice:
#      writing findings dominates), user CPU seconds, findings compared;
#   3. `arbiter report` is bench/report.sh's (it takes several binaries).
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [ $# -lt 2 ]; then
  echo "usage: bench/perf_ab.sh BEFORE_BUILD AFTER_BUILD [N_CLAIMS] [REPEAT] (--help says more)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
before=$1 after=$2 n=${3:-30000} repeat=${4:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$after/arbiter" gen claims --n "$n" --seed 42 -o "$tmp/claims.jsonl"
sed 's/"item_name":"/"item_name":"长期医嘱用药说明按医嘱规定剂量服用，注意不良反应：/g
      s/"dept":"/"dept":"医院本部门诊医技科室/g' "$tmp/claims.jsonl" >"$tmp/zh.jsonl"
echo "$n claims, $(du -h "$tmp/claims.jsonl" | cut -f1); text-heavy: $(du -h "$tmp/zh.jsonl" | cut -f1)"
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
: >"$tmp/parse_b" && : >"$tmp/parse_a" && : >"$tmp/zh_b" && : >"$tmp/zh_a"
: >"$tmp/check_b" && : >"$tmp/check_a"
for ((k = 0; k < repeat; k++)); do
  for side in b a; do
    dir=$before && [ $side = a ] && dir=$after
    "$dir/bench_json_parse" stdlib-rules "$tmp/claims.jsonl" 3 |
      sed -n 's/.* = \([0-9.]*\) MB\/s.*/\1/p' >>"$tmp/parse_$side"
    "$dir/bench_json_parse" stdlib-rules "$tmp/zh.jsonl" 3 |
      sed -n 's/.* = \([0-9.]*\) MB\/s.*/\1/p' >>"$tmp/zh_$side"
    /usr/bin/time -f "%U" -o "$tmp/t" "$dir/arbiter" check bench/every_line.rules \
      --claims "$tmp/claims.jsonl" -o "$tmp/f_$side.jsonl" >/dev/null 2>&1
    cat "$tmp/t" >>"$tmp/check_$side"
  done
done
pb=$(median <"$tmp/parse_b") pa=$(median <"$tmp/parse_a")
zb=$(median <"$tmp/zh_b") za=$(median <"$tmp/zh_a")
cb=$(median <"$tmp/check_b") ca=$(median <"$tmp/check_a")
echo "JSON reader, median of $repeat: before $pb MB/s, after $pa MB/s: $(awk -v a="$pa" -v b="$pb" 'BEGIN {printf "%.2f", a / b}')x"
echo "JSON reader, text-heavy, median of $repeat: before $zb MB/s, after $za MB/s: $(awk -v a="$za" -v b="$zb" 'BEGIN {printf "%.2f", a / b}')x"
echo "check, $(wc -l <"$tmp/f_a.jsonl") findings, user CPU median of $repeat: before $cb s, after $ca s: $(awk -v a="$ca" -v b="$cb" 'BEGIN {printf "%.2f", b / a}')x less"
cmp -s "$tmp/f_b.jsonl" "$tmp/f_a.jsonl" && echo "findings: identical" || echo "findings: DIFFER"
