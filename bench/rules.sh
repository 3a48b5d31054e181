#!/usr/bin/env bash
# bench/rules.sh — rule-library scale, measured in one run:
#   - text -> ready engine (lint) time and peak memory for 1k / 10k / 135k
#     rules written one per item code (the shape the brief calls out: rules
#     equal up to their constants), and the JIT's extra time;
#   - rule-evaluation throughput (claim lines/s) per backend, with the
#     item-code index on and off, for each library size.
# Index-off runs on large libraries are slow by nature, so they use fewer
# claims.  Figures go to stdout; recorded ones are in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
A=build-bench/arbiter
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$A gen claims --n 20000 --seed 9 -o "$tmp/claims.jsonl"
head -n 1000 "$tmp/claims.jsonl" > "$tmp/claims1k.jsonl"
head -n 1 "$tmp/claims.jsonl" > "$tmp/one.jsonl"
python3 - "$tmp" <<'PY'
import json, random, sys
tmp = sys.argv[1]
codes = sorted({l["item_code"] for c in map(json.loads, open(f"{tmp}/claims.jsonl")) for l in c.get("lines", [])})
rnd = random.Random(5)
for n in (1000, 10000, 135000):
    with open(f"{tmp}/r{n}.rules", "w") as f:
        f.write('category AGE "限年龄" { code "X" severity high }\n')
        for i in range(n):
            # the first 1,000 rules name codes the claims use (so every size has
            # the same rules that can fire); the rest name other codes
            code = rnd.choice(codes) if i < 1000 else "X%02d%s%06d" % (rnd.randrange(100), rnd.choice("ABCDEFGH"), i)
            lim = rnd.choice([1, 6, 12, 14, 18, 60])
            f.write(f'rule AGE.{i} in AGE for line in claim.lines when line.item_code == "{code}" and claim.age >= {lim} '
                    f'flag line message "{{line.item_code}} 限{lim}岁以下"\n')
PY
lines=$(python3 -c "import json; print(sum(len(json.loads(l).get('lines', [])) for l in open('$tmp/claims.jsonl')))")
lines1k=$(python3 -c "import json; print(sum(len(json.loads(l).get('lines', [])) for l in open('$tmp/claims1k.jsonl')))")
secs() { python3 -c "import sys; print(sys.argv[1])" "$1"; }
echo "rules    lint(s)  peak(MB)  jit(s)  pack(MB) load(s) | lines/s: interp  jit  native  interp-noindex  jit-noindex"
for n in 1000 10000 135000; do
  /usr/bin/time -f "%e %M" -o "$tmp/time" $A lint "$tmp/r$n.rules" >/dev/null 2>&1
  lint=$(cat "$tmp/time")
  t_lint=${lint% *}; mb=$(( ${lint#* } / 1024 ))
  # check's own summary times the audit alone (after compiling): use it
  run() { # backend, claims file, extra
    $A check "$tmp/r$n.rules" --claims "$2" -o "$tmp/out_$1$3" --backend "$1" $3 2>&1 >/dev/null |
      sed -n 's/^  \([0-9.]*\) s, .*claims\/s.*/\1/p'; }
  /usr/bin/time -f "%e" -o "$tmp/time" $A check "$tmp/r$n.rules" --claims "$tmp/one.jsonl" -o /dev/null --backend interp --quiet
  t0=$(cat "$tmp/time")
  /usr/bin/time -f "%e" -o "$tmp/time" $A check "$tmp/r$n.rules" --claims "$tmp/one.jsonl" -o /dev/null --backend jit --quiet
  t1=$(cat "$tmp/time")
  $A compile "$tmp/r$n.rules" -o "$tmp/r$n.arbpack" --native 2>/dev/null
  pmb=$(( $(stat -c %s "$tmp/r$n.arbpack") / 1048576 ))
  # pack load: the embedding example (libarbiter only) with one claim, minus nothing: an upper bound
  /usr/bin/time -f "%e" -o "$tmp/time" build-bench/arbiter_embed "$tmp/r$n.arbpack" < "$tmp/one.jsonl" >/dev/null 2>&1
  tload=$(cat "$tmp/time")
  ti=$(run interp "$tmp/claims.jsonl" ""); tj=$(run jit "$tmp/claims.jsonl" "")
  tn=$($A check --pack "$tmp/r$n.arbpack" --backend native --claims "$tmp/claims.jsonl" -o "$tmp/out_native" 2>&1 >/dev/null |
      sed -n 's/^  \([0-9.]*\) s, .*claims\/s.*/\1/p')
  tin=$(run interp "$tmp/claims1k.jsonl" "--no-index"); tjn=$(run jit "$tmp/claims1k.jsonl" "--no-index")
  python3 - "$n" "$t_lint" "$mb" "$t0" "$t1" "$ti" "$tj" "$tin" "$tjn" "$tn" "$pmb" "$tload" "$lines" "$lines1k" <<'PY'
import sys
n, lint, mb, t0, t1, ti, tj, tin, tjn, tn, pmb, tload, lines, lines1k = sys.argv[1:]
lint, t0, t1, ti, tj, tin, tjn, tn, tload = map(float, (lint, t0, t1, ti, tj, tin, tjn, tn, tload)); lines, lines1k = int(lines), int(lines1k)
print(f"{n:>6}  {lint:7.2f}  {mb:>8}  {max(t1 - t0, 0):6.2f}  {pmb:>8}  {tload:6.2f} | {lines/ti:14,.0f}  {lines/tj:9,.0f}  {lines/tn:9,.0f}  {lines1k/tin:14,.0f}  {lines1k/tjn:11,.0f}")
PY
  cmp -s "$tmp/out_interp" "$tmp/out_jit" || echo "   !! interp and jit findings differ"
  cmp -s "$tmp/out_interp" "$tmp/out_native" || echo "   !! interp and native findings differ"
done
echo "(lines/s: the audit alone, reading JSON included, compiling excluded; index-off columns use 1,000 claims;"
echo " load: the embedding example (libarbiter only) loading the pack and checking one claim)"
