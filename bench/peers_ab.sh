#!/usr/bin/env bash
# peers_ab.sh BEFORE_BUILD AFTER_BUILD [N_CLAIMS] [REPEAT] — A/B of two builds
# (build directories, e.g. main's and a branch's) on bench/peers.sh's shared
# 10k-rule workload, in one run, alternating the builds REPEAT times (default
# 3) on the same data, since the machine is shared and noisy:
#   1. rule evaluation over claims in memory (bench/peers_arbiter.c --count, counting findings, against
#      each build's libarbiter.so, each build's own pack of the 10k rules and
#      of the one-table rule), claims/s, best of 3 passes a round (wall
#      clock), and the user CPU seconds of the whole process (pack load,
#      reading the file, a warm-up pass and the 3 passes: the figure to
#      trust on a loaded machine);
#   2. `arbiter check` of the same pack, file to file, 1 thread, user CPU s;
#   3. the same with --no-index over the first 5,000 claims: every rule runs
#      on every line, so every line tests the 10k rules' sets of 5 codes.
# Prints each figure per build, the median of the rounds and the ratio, and
# checks that both builds find as many findings as bench/peers_expect.awk.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [ $# -lt 2 ]; then
  echo "usage: bench/peers_ab.sh BEFORE_BUILD AFTER_BUILD [N_CLAIMS] [REPEAT]" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
before=$(cd "$1" && pwd) after=$(cd "$2" && pwd) n=${3:-100000} repeat=${4:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 bench/peers_gen.py "$tmp" "$n"
read -r hits flagged < <(awk -f bench/peers_expect.awk "$tmp/rules.tsv" "$tmp/claims.jsonl")
echo "workload: $(wc -l <"$tmp/rules.tsv") rules, $n claims; expected $hits findings ($flagged lines flagged)"
for side in b a; do
  dir=$before && [ $side = a ] && dir=$after
  cc -O2 -std=c11 -Iinclude -o "$tmp/pa_$side" bench/peers_arbiter.c -L"$dir" -larbiter -Wl,-rpath,"$dir"
  "$dir/arbiter" compile "$tmp/peers.rules" --stdlib stdlib-rules -o "$tmp/peers_$side.arbpack" >/dev/null 2>&1
  "$dir/arbiter" compile "$tmp/table.rules" --stdlib stdlib-rules -o "$tmp/table_$side.arbpack" >/dev/null 2>&1
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
head -n 5000 "$tmp/claims.jsonl" >"$tmp/c5k.jsonl"
for f in mem_b mem_a mcpu_b mcpu_a tab_b tab_a chk_b chk_a nix_b nix_a; do : >"$tmp/$f"; done
for ((k = 0; k < repeat; k++)); do
  for side in b a; do
    dir=$before && [ $side = a ] && dir=$after
    /usr/bin/time -f "%U" -o "$tmp/t" "$tmp/pa_$side" --count "$tmp/peers_$side.arbpack" "$tmp/claims.jsonl" 3 >"$tmp/out"
    read -r got s <"$tmp/out"
    cat "$tmp/t" >>"$tmp/mcpu_$side"
    [ "$got" = "$hits" ] || { echo "peers_ab: $side found $got, expected $hits" >&2; exit 1; }
    awk -v n="$n" -v s="$s" 'BEGIN {printf "%.0f\n", n / s}' >>"$tmp/mem_$side"
    read -r got s < <("$tmp/pa_$side" --count "$tmp/table_$side.arbpack" "$tmp/claims.jsonl" 3)
    [ "$got" = "$flagged" ] || { echo "peers_ab: $side (table) found $got, expected $flagged" >&2; exit 1; }
    awk -v n="$n" -v s="$s" 'BEGIN {printf "%.0f\n", n / s}' >>"$tmp/tab_$side"
    /usr/bin/time -f "%U" -o "$tmp/t" "$dir/arbiter" check --pack "$tmp/peers_$side.arbpack" \
      --threads 1 --backend interp --claims "$tmp/claims.jsonl" -o "$tmp/f_$side.jsonl" >/dev/null 2>&1 || true
    [ "$(wc -l <"$tmp/f_$side.jsonl")" = "$hits" ] || { echo "peers_ab: $side check found $(wc -l <"$tmp/f_$side.jsonl")" >&2; exit 1; }
    cat "$tmp/t" >>"$tmp/chk_$side"
    /usr/bin/time -f "%U" -o "$tmp/t" "$dir/arbiter" check --pack "$tmp/peers_$side.arbpack" --no-index \
      --threads 1 --backend interp --claims "$tmp/c5k.jsonl" -o "$tmp/n_$side.jsonl" >/dev/null 2>&1 || true
    cat "$tmp/t" >>"$tmp/nix_$side"
  done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
mb=$(median <"$tmp/mem_b") ma=$(median <"$tmp/mem_a")
tb=$(median <"$tmp/tab_b") ta=$(median <"$tmp/tab_a")
cb=$(median <"$tmp/chk_b") ca=$(median <"$tmp/chk_a")
nb=$(median <"$tmp/nix_b") na=$(median <"$tmp/nix_a")
pb=$(median <"$tmp/mcpu_b") pa=$(median <"$tmp/mcpu_a")
echo "in memory, 10k rules, claims/s, median of $repeat: before $mb, after $ma: $(ratio "$ma" "$mb")x"
echo "in memory, 10k rules, process user CPU s, median of $repeat: before $pb, after $pa: $(ratio "$pb" "$pa")x less"
echo "in memory, one table, claims/s, median of $repeat: before $tb, after $ta: $(ratio "$ta" "$tb")x"
echo "check, 10k rules, 1 thread, user CPU s, median of $repeat: before $cb, after $ca: $(ratio "$cb" "$ca")x less"
echo "check --no-index, 5,000 claims, 1 thread, user CPU s, median of $repeat: before $nb, after $na: $(ratio "$nb" "$na")x less"
cmp -s <(sort "$tmp/f_b.jsonl") <(sort "$tmp/f_a.jsonl") && cmp -s "$tmp/n_b.jsonl" "$tmp/n_a.jsonl" &&
  echo "findings: identical" || echo "findings: DIFFER"
