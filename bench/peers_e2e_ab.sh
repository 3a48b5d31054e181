#!/usr/bin/env bash
# peers_e2e_ab.sh BEFORE_ARBITER AFTER_ARBITER [N_CLAIMS] [REPEAT] — A/B of two
# `arbiter` executables end to end on bench/peers.sh's shared 10k-rule
# workload: `arbiter check --pack … --claims claims.jsonl -o findings.jsonl`
# on 1 and 2 threads, the builds alternating REPEAT times (default 5) in one
# run, since the machine is shared and noisy.  Each build runs its own pack
# of the 10k rules.  Prints per build and thread count the median wall
# seconds, claims/s and CPU seconds (user + system), and the ratios
# before ÷ after; checks that both builds write the same findings file and
# as many findings as bench/peers_expect.awk counts.  With Vectorscan
# installed (bench/peers.sh installs it; PEERS_E2E_VECTORSCAN=0 leaves it
# out) each round also runs its in-memory scan (bench/peers_hs.c; the
# rules take minutes to compile, once: the database is kept in
# $ARB_PEERS_CACHE, default ~/.cache/arbiter-peers), and the end-to-end rates
# are put against its rate of the same run (issue 14's target: 2 threads
# end to end >= Vectorscan in memory).
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,/^set -euo/{/^set/d;s/^# \{0,1\}//;p}' "$0"
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
hs=
if [ "${PEERS_E2E_VECTORSCAN:-1}" != 0 ] && [ -f /usr/include/hs/hs.h ]; then
  cc -O2 -std=c11 -Wall -Wextra -Werror -o "$tmp/peers_hs" bench/peers_hs.c -lhs -ljson-c
  # the compiled database is kept outside the tree, by the rules' and the
  # library's versions, for the next run
  cache=${ARB_PEERS_CACHE:-$HOME/.cache/arbiter-peers}
  key=$( (cat "$tmp/rules.tsv" bench/peers_hs.c; dpkg-query -W -f='${Version}' libvectorscan5 2>/dev/null) |
    sha256sum | cut -c1-16)
  if [ -s "$cache/hs-$key.db" ]; then
    cp "$cache/hs-$key.db" "$tmp/hs.db"
  else
    echo "compiling the rules for Vectorscan (minutes; kept in $cache for the next run)"
    "$tmp/peers_hs" compile "$tmp/rules.tsv" "$tmp/hs.db" >/dev/null
    mkdir -p "$cache" && cp "$tmp/hs.db" "$cache/hs-$key.db.tmp" && mv "$cache/hs-$key.db.tmp" "$cache/hs-$key.db"
  fi
  hs=$tmp/peers_hs
fi
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
for ((r = 1; r <= repeat; r++)); do
  if [ -n "$hs" ]; then
    read -r got secs < <("$hs" mem "$tmp/rules.tsv" "$tmp/hs.db" "$tmp/claims.jsonl")
    [ "$got" = "$hits" ] || { echo "Vectorscan: $got findings, expected $hits" >&2; exit 1; }
    awk -v n="$n" -v s="$secs" 'BEGIN {print n / s}' >>"$tmp/hs_rate"
  fi
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
if [ -n "$hs" ]; then
  v=$(median <"$tmp/hs_rate")
  printf "Vectorscan in memory (median of the rounds): %.0f claims/s\n" "$v"
  for t in 1 2; do
    for side in b a; do
      w=$(median <"$tmp/wall_${side}_$t")
      echo "  $([ $side = b ] && echo before || echo after), $t thread(s), end to end ÷ Vectorscan in memory:" \
        "$(awk -v n="$n" -v w="$w" -v v="$v" 'BEGIN {printf "%.2f", n / w / v}')"
    done
  done
fi
echo "findings identical ($hits) in every run"
