#!/usr/bin/env bash
# peers.sh ARBITER SRC — a smoke test of bench/peers.sh at a tiny size, with
# no network: the independent count (bench/peers_expect.awk) is right on a
# hand-made case (birthdays on both sides of 18 and 65); then on the
# generated workload (bench/peers_gen.py, 300 rules, 400 claims) `arbiter
# check` with the rules one per rule, from source and from a pack, and with
# the table-driven rule, finds exactly the expected counts.  The Vectorscan
# and CLIPS drivers are built and checked the same way when their Debian
# packages are installed (skipped otherwise).
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
expect() { awk -f "$src/bench/peers_expect.awk" "$@"; }

# the awk count on a case worked out by hand: rule 1 (>= 18) and rule 2 (>= 65)
# share code A; rule 3 (>= 0) has B.  Claims: 18 on the day (A: rule 1), 17
# the day before the birthday (A: none), 65 on the day (A: rules 1 and 2),
# 64 (A: rule 1), newborn (B: rule 3), code C (none)
printf '1\t18\tA X1 X2 X3 X4\n2\t65\tA X5 X6 X7 X8\n3\t0\tB X9 Y1 Y2 Y3\n' >"$tmp/hand.tsv"
claim() { printf '{"claim_id":"%s","birth_date":"%s","admit_time":"%sT09:00:00","lines":[{"item_code":"%s"}]}\n' "$@"; }
{
  claim K1 2007-06-01 2025-06-01 A
  claim K2 2007-06-02 2025-06-01 A
  claim K3 1960-03-15 2025-03-15 A
  claim K4 1960-03-16 2025-03-15 A
  claim K5 2025-03-15 2025-03-15 B
  claim K6 1990-01-01 2025-03-15 C
} >"$tmp/hand.jsonl"
got=$(expect "$tmp/hand.tsv" "$tmp/hand.jsonl")
[ "$got" = "5 4" ] && ok || bad "peers_expect.awk on the hand-made case: '$got', expected '5 4'"

python3 "$src/bench/peers_gen.py" "$tmp" 400 300 || bad "peers_gen.py failed"
read -r hits flagged < <(expect "$tmp/rules.tsv" "$tmp/claims.jsonl")
[ "${hits:-0}" -gt 0 ] && [ "$flagged" -gt 0 ] && [ "$hits" -gt "$flagged" ] && ok ||
  bad "the workload should have findings, some lines hit by several rules: $hits hits, $flagged lines"
count() { # findings file, then the run
  local out=$1
  shift
  "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; echo -1; return; }
  wc -l <"$out"
}
n=$(count "$tmp/f.jsonl" "$arbiter" check "$tmp/peers.rules" --claims "$tmp/claims.jsonl" -o "$tmp/f.jsonl")
[ "$n" = "$hits" ] && ok || bad "arbiter check, one rule per rule: $n findings, expected $hits"
"$arbiter" compile "$tmp/peers.rules" -o "$tmp/peers.arbpack" 2>/dev/null || bad "compile failed"
n=$(count "$tmp/fp.jsonl" "$arbiter" check --pack "$tmp/peers.arbpack" --claims "$tmp/claims.jsonl" -o "$tmp/fp.jsonl" --threads 2)
[ "$n" = "$hits" ] && ok || bad "arbiter check --pack: $n findings, expected $hits"
n=$(count "$tmp/ft.jsonl" "$arbiter" check "$tmp/table.rules" --claims "$tmp/claims.jsonl" -o "$tmp/ft.jsonl")
[ "$n" = "$flagged" ] && ok || bad "arbiter check, table-driven: $n findings, expected $flagged"

cflags=(-O2 -std=c11 -Wall -Wextra -Werror)
if [ -f /usr/include/hs/hs.h ] && [ -f /usr/include/json-c/json.h ]; then
  if cc "${cflags[@]}" -o "$tmp/peers_hs" "$src/bench/peers_hs.c" -lhs -ljson-c; then
    "$tmp/peers_hs" compile "$tmp/rules.tsv" "$tmp/hs.db" || bad "peers_hs compile failed"
    read -r n _ < <("$tmp/peers_hs" mem "$tmp/rules.tsv" "$tmp/hs.db" "$tmp/claims.jsonl")
    [ "$n" = "$hits" ] && ok || bad "Vectorscan in memory: $n, expected $hits"
    n=$(count "$tmp/hs.out" "$tmp/peers_hs" run "$tmp/rules.tsv" "$tmp/hs.db" "$tmp/claims.jsonl" "$tmp/hs.out")
    [ "$n" = "$hits" ] && ok || bad "Vectorscan end to end: $n, expected $hits"
  else
    bad "bench/peers_hs.c does not build"
  fi
else
  echo "skip: Vectorscan (libvectorscan-dev) not installed"
fi
if [ -f /usr/lib/libclips.a ] && [ -f /usr/include/json-c/json.h ]; then
  if cc "${cflags[@]}" -isystem /usr/include/clips -o "$tmp/peers_clips" "$src/bench/peers_clips.c" \
    /usr/lib/libclips.a -ljson-c -lm; then
    "$tmp/peers_clips" compile "$tmp/peers.clp" "$tmp/clips.img" >/dev/null 2>&1 || bad "peers_clips compile failed"
    read -r n _ < <("$tmp/peers_clips" mem "$tmp/clips.img" "$tmp/claims.jsonl")
    [ "$n" = "$hits" ] && ok || bad "CLIPS in memory: $n, expected $hits"
    n=$(count "$tmp/clips.out" "$tmp/peers_clips" run "$tmp/clips.img" "$tmp/claims.jsonl" "$tmp/clips.out")
    [ "$n" = "$hits" ] && ok || bad "CLIPS end to end: $n, expected $hits"
  else
    bad "bench/peers_clips.c does not build"
  fi
else
  echo "skip: CLIPS (libclips-dev) not installed"
fi
echo "peers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
