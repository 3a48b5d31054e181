#!/usr/bin/env bash
# bench/lua.sh — what calling Lua from rules costs, measured in one run:
#   1. per call: 10 rules scanning every line, each calling a Lua function
#      (with an int, with the line record read through its proxy), against
#      the same 10 rules with the Lua call replaced by arithmetic; the
#      difference divided by the calls made;
#   2. a library of 1,000 rules written one per item code (bench/rules.sh's
#      shape) where 1% (10 rules) also call Lua, against the same library
#      with no Lua, per backend (interpreter, JIT, AOT native).
# Times are CPU seconds of whole `arbiter check` runs, best of 5 (reading
# JSON and compiling included; both sides of a comparison do the same of
# those).  Recorded figures: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
A=build-bench/arbiter
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
N=${1:-20000}
$A gen claims --n "$N" --seed 9 -o "$tmp/claims.jsonl"
lines=$(python3 -c "import json; print(sum(len(json.loads(l).get('lines', [])) for l in open('$tmp/claims.jsonl')))")

cat > "$tmp/f.lua" <<'EOF'
function neg(q) return q ~= nil and q < -1 end
function rec(line) local q = line.quantity return q ~= nil and q < -1 end
function dose_ok(line, claim)
  -- a little real work: the line's daily units from its frequency text
  local per = ({qd = 1, bid = 2, tid = 3, qid = 4})[line.frequency or ""] or 1
  return (line.quantity or 0) * per < 10000 and claim.age ~= nil
end
EOF
python3 - "$tmp" <<'PY'
import json, random, sys
tmp = sys.argv[1]
head = 'category B "bench" { code "X" }\nlua "f.lua" { neg(int) bool  rec(line) bool  dose_ok(line, claim) bool }\n'
for kind in ("base", "neg", "rec"):
    with open(f"{tmp}/call_{kind}.rules", "w") as f:
        f.write(head)
        for i in range(10):
            cond = {"base": f"line.quantity + {i} < -1", "neg": f"lua.neg(line.quantity + {i})",
                    "rec": "lua.rec(line)"}[kind]
            f.write(f"rule B.{i} in B for line in claim.lines when {cond} flag line\n")
codes = sorted({l["item_code"] for c in map(json.loads, open(f"{tmp}/claims.jsonl")) for l in c.get("lines", [])})
for pct in (0, 1):
    rnd = random.Random(5)
    with open(f"{tmp}/lib{pct}.rules", "w") as f:
        f.write(head)
        for i in range(1000):
            code = rnd.choice(codes)
            lim = rnd.choice([1, 6, 12, 14, 18, 60])
            lua = " and lua.dose_ok(line, claim)" if pct and i % 100 == 0 else ""
            f.write(f'rule B.{i} in B for line in claim.lines when line.item_code == "{code}"{lua} and claim.age >= {lim} '
                    f'flag line message "{{line.item_code}} 限{lim}岁以下"\n')
PY
# CPU seconds (user + sys) of the whole run and Lua calls from the summary.
# CPU time, not wall time: the machines are shared and busy; compiling is
# the same for both sides of every comparison, so it cancels out.
run() { # out, rules or --pack PACK, extra args...
  local o=$1; shift
  /usr/bin/time -f "%U %S" -o "$tmp/cpu" $A check "$@" --claims "$tmp/claims.jsonl" -o "$o" 2>"$tmp/sum" >/dev/null || true
  local calls
  calls=$(awk '/ Lua calls;/ {print $1}' "$tmp/sum")
  awk -v c="${calls:-0}" '{printf "%.3f %s\n", $1 + $2, c}' "$tmp/cpu"
}
best() { # the fastest of 5 runs: prints "secs calls"
  local b="" c=0
  for _ in 1 2 3 4 5; do
    read -r s k < <(run "$@")
    if [ -z "$b" ] || python3 -c "import sys; sys.exit(0 if float('$s') < float('$b') else 1)"; then b=$s; c=$k; fi
  done
  echo "$b $c"
}
echo "== per call ($N claims, $lines lines, 10 rules on every line) =="
printf "%-8s %-44s %8s %10s %12s\n" backend rule secs "Lua calls" "ns per call"
for be in interp jit; do
  read -r tb _ < <(best "$tmp/o_base_$be" "$tmp/call_base.rules" --backend $be)
  for kind in neg rec; do
    read -r tk calls < <(best "$tmp/o_${kind}_$be" "$tmp/call_$kind.rules" --backend $be)
    desc=$([ $kind = neg ] && echo "lua.neg(line.quantity + i) (an int)" || echo "lua.rec(line) (record proxy, one field read)")
    python3 -c "
tb, tk, calls = float('$tb'), float('$tk'), int('$calls')
print(f'%-8s %-44s %8.2f %10s %12.0f' % ('$be', '$desc', tk, f'{calls:,}', (tk - tb) / calls * 1e9 if calls else 0))" | tee -a "$tmp/percall"
  done
  printf "%-8s %-44s %8.2f\n" $be "no Lua (line.quantity + i < -1)" "$tb"
done

echo
echo "== 1,000 rules by item code, 1% of them calling lua.dose_ok(line, claim) =="
$A compile "$tmp/lib0.rules" -o "$tmp/lib0.arbpack" --native 2>/dev/null
$A compile "$tmp/lib1.rules" -o "$tmp/lib1.arbpack" --native 2>/dev/null
rec_ns=$(awk '/lua.rec/ {n = $NF} END {print n + 0}' "$tmp/percall")
printf "%-8s %16s %16s %8s %12s %14s\n" backend "lines/s no Lua" "lines/s 1% Lua" ratio "Lua calls" "Lua share est."
for be in interp jit native; do
  if [ $be = native ]; then
    read -r t0 _ < <(best "$tmp/o0_$be" --pack "$tmp/lib0.arbpack" --backend native)
    read -r t1 calls < <(best "$tmp/o1_$be" --pack "$tmp/lib1.arbpack" --backend native)
  else
    read -r t0 _ < <(best "$tmp/o0_$be" "$tmp/lib0.rules" --backend $be)
    read -r t1 calls < <(best "$tmp/o1_$be" "$tmp/lib1.rules" --backend $be)
  fi
  python3 -c "
t0, t1, n, calls = float('$t0'), float('$t1'), int('$lines'), int('$calls')
est = calls * float('$rec_ns') / 1e9 / t1 * 100
print('%-8s %16s %16s %8.2f %12s %13.2f%%' % ('$be', f'{n/t0:,.0f}', f'{n/t1:,.0f}', t0 / t1, f'{calls:,}', est))"
done
cmp -s "$tmp/o1_interp" "$tmp/o1_jit" || echo "   !! interp and jit findings differ"
cmp -s "$tmp/o1_interp" "$tmp/o1_native" || echo "   !! interp and native findings differ"
echo "(lines/s: claim lines per CPU second of the whole run; ratio: with 1% Lua rules / without;"
echo " Lua share est.: Lua calls x the measured cost of a record call / the run's CPU time)"
