#!/usr/bin/env bash
# peers_e2e_ab.sh BEFORE_ARBITER AFTER_ARBITER [N_CLAIMS] [REPEAT] — A/B of two
# `arbiter` executables end to end on bench/peers.sh's shared 10k-rule
# workload: `arbiter check --pack … --claims claims.jsonl -o findings.jsonl`
# on 1 and 2 threads, the builds alternating REPEAT times (default 5) in one
# run, since the machine is shared and noisy.  Each build runs its own pack
# of the 10k rules.  Prints per build and thread count the median wall
# seconds, claims/s and CPU seconds (user + system), and the ratios
# before ÷ after; checks that both builds write the same findings file and
# as many findings as bench/peers_expect.awk counts.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [ $# -lt 2 ]; then
  echo "usage: bench/peers_e2e_ab.sh BEFORE_ARBITER AFTER_ARBITER [N_CLAIMS] [REPEAT]" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
before=$(realpath "$1") after=$(realpath "$2") n=${3:-100000} repeat=${4:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 bench/peers_gen.py "$tmp" "$n"
read -r hits flagged < <(awk -f bench/peers_expect.awk "$tmp/rules.tsv" "$tmp/claims.jsonl")
echo "workload: $(wc -l <"$tmp/rules.tsv") rules, $n claims; expected $hits findings ($flagged lines flagged)"
for side in b a; do
  exe=$before && [ $side = a ] && exe=$after
  "$exe" compile "$tmp/peers.rules" -o "$tmp/peers_$side.arbpack" >/dev/null
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
for ((r = 1; r <= repeat; r++)); do
  for t in 1 2; do
    for side in b a; do
      exe=$before && [ $side = a ] && exe=$after
      /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$exe" check --pack "$tmp/peers_$side.arbpack" \
        --claims "$tmp/claims.jsonl" -o "$tmp/f_$side.jsonl" --threads $t >/dev/null 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; exit 1; }
      read -r wall user sys <"$tmp/time"
      echo "$wall" >>"$tmp/wall_${side}_$t"
      awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}' >>"$tmp/cpu_${side}_$t"
      got=$(wc -l <"$tmp/f_$side.jsonl")
      [ "$got" = "$hits" ] || { echo "$exe, $t threads: $got findings, expected $hits" >&2; exit 1; }
    done
    cmp -s "$tmp/f_b.jsonl" "$tmp/f_a.jsonl" || { echo "the findings files differ ($t threads)" >&2; exit 1; }
  done
done
printf "%-8s %-7s %8s %12s %8s\n" threads build wall_s claims/s cpu_s
for t in 1 2; do
  for side in b a; do
    w=$(median <"$tmp/wall_${side}_$t") c=$(median <"$tmp/cpu_${side}_$t")
    printf "%-8s %-7s %8.3f %12.0f %8.3f\n" $t "$([ $side = b ] && echo before || echo after)" "$w" \
      "$(awk -v n="$n" -v w="$w" 'BEGIN {print n / w}')" "$c"
  done
  wb=$(median <"$tmp/wall_b_$t") wa=$(median <"$tmp/wall_a_$t")
  cb=$(median <"$tmp/cpu_b_$t") ca=$(median <"$tmp/cpu_a_$t")
  echo "  $t thread(s): before ÷ after: wall $(awk -v a="$wb" -v b="$wa" 'BEGIN {printf "%.2f", a / b}')," \
    "CPU $(awk -v a="$cb" -v b="$ca" 'BEGIN {printf "%.2f", a / b}')"
done
echo "findings identical ($hits) in every run"
