#!/usr/bin/env bash
# startup_ab.sh BEFORE_BUILD AFTER_BUILD [REPEAT] [ROUNDS] — A/B of the
# `arbiter` command's start-up in two builds (build directories), in one run:
# the CPU time (perf stat's task-clock, mean of REPEAT runs, default 20) of
#   version  `arbiter --version`
#   interp   `arbiter check` of a small file (examples/rules/age.rules over
#            200 generated claims, --backend interp, 1 thread)
#   jit      the same with --backend jit (LLVM loaded and the rules compiled)
# alternating the builds ROUNDS times (default 3); prints every round's
# figures, the median per build and the ratio AFTER / BEFORE.  The machine
# may be shared: same-run ratios are what count.  Recorded figures:
# docs/performance.md ("2026-12-08 — the command starts without LLVM").
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help || $# -lt 2 ]]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -ge 2 ] || exit 2
  exit 0
fi
cd "$(dirname "$0")/.."
before=$(cd "$1" && pwd) after=$(cd "$2" && pwd) repeat=${3:-20} rounds=${4:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$after/arbiter" gen claims --n 200 --seed 3 -o "$tmp/claims.jsonl" 2>/dev/null
rules=examples/rules/age.rules

# task-clock in ms, mean of $repeat runs of the command
cpu_ms() {
  perf stat -x, -e task-clock -r "$repeat" -- "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}'
}
run() { # build case
  local a=$1/arbiter
  case $2 in
    version) cpu_ms "$a" --version ;;
    interp | jit)
      cpu_ms "$a" check "$rules" --claims "$tmp/claims.jsonl" --backend "$2" --threads 1 \
        -o "$tmp/f.jsonl" --quiet ;;
  esac
}
declare -A all
for r in $(seq "$rounds"); do
  for c in version interp jit; do
    for side in before after; do
      dir=$before
      [ $side = after ] && dir=$after
      v=$(run "$dir" $c)
      all[$c.$side]+="$v "
      printf 'round %d  %-8s %-6s %8.2f ms\n' "$r" "$c" "$side" "$v"
    done
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf '\n%-8s %12s %12s %8s\n' case "before ms" "after ms" ratio
for c in version interp jit; do
  b=$(median <<<"${all[$c.before]}") a=$(median <<<"${all[$c.after]}")
  printf '%-8s %12.2f %12.2f %8.3f\n' "$c" "$b" "$a" "$(awk -v a="$a" -v b="$b" 'BEGIN {print a / b}')"
done
