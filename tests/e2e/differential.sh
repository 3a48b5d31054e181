#!/usr/bin/env bash
# differential.sh ARBITER SRC — property test: random rule files (random
# expressions over the claim schema: comparisons, arithmetic, null handling,
# sets with prefixes, aggregates, defines, dates) over generated claims give
# byte-identical findings with the interpreter, the JIT and ahead-of-time
# native code (through a pack), with and without the item-code index, with 1
# and 2 threads.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$arbiter" gen claims --n 1500 --seed 77 -o "$tmp/claims.jsonl" || exit 1
fail=0 pass=0
for seed in 1 2 3 4 5 6; do
  python3 - "$seed" "$tmp/r$seed.rules" <<'PY'
import random, sys
rnd = random.Random(int(sys.argv[1]))
codes = ["001204000060000", "001201000030000", "XJ01CAA797E001010105925", "ZA01CAX0351010101453",
         "001109000010300", "002501010150000", "C0709206153332102898", "XG03DBD084A001010102180"]
prefixes = ["0012%", "XJ%", "Z%", "00110900%", "C07%", "XG03%"]
def num_line(v):
    return rnd.choice([f"{v}.quantity", f"{v}.days_supply", f"{v}.line_no", "claim.age", "claim.facility_level",
                       f"len({v}.item_code)", "claim.los_days", f"days(claim.discharge_time - claim.admit_time)"])
def money(v):
    return rnd.choice([f"{v}.amount", f"{v}.unit_price", "claim.total_amount", f"{v}.unit_price * {v}.quantity",
                       f"{rnd.randint(0, 500)}.{rnd.randint(10, 99)}", f"coalesce({v}.amount, 0.00)"])
def cond(v, depth=0):
    k = rnd.randrange(12 if depth < 2 else 8)
    if k == 0: return f"{num_line(v)} {rnd.choice(['<','<=','>','>=','==','!='])} {rnd.randint(0, 40)}"
    if k == 1: return f"{money(v)} {rnd.choice(['<','>','>=','!='])} {money(v)}"
    if k == 2: return f"{v}.item_code in {{{', '.join(repr(c).replace(chr(39), chr(34)) for c in rnd.sample(codes + prefixes, 3))}}}"
    if k == 3: return f"{v}.item_code == \"{rnd.choice(codes)}\""
    if k == 4: return f"claim.sex {rnd.choice(['==','!='])} {rnd.choice(['M','F','U'])}"
    if k == 5: return f"claim.care_type in {{{', '.join(rnd.sample(['outpatient','inpatient','pharmacy','internet','chronic_outpatient'], 2))}}}"
    if k == 6: return f"date({v}.time) {rnd.choice(['<','>','=='])} date(claim.admit_time) + {rnd.randint(0,5)}d"
    if k == 7: return rnd.choice([f"missing({v}.days_supply)", f"present(claim.discharge_time)", f"{v}.item_name matches \"(注射|片)\""])
    if k == 8: return f"not ({cond(v, depth + 1)})"
    if k == 9: return f"({cond(v, depth + 1)} {rnd.choice(['and','or'])} {cond(v, depth + 1)})"
    if k == 10:
        w = "x%d" % depth
        agg = rnd.choice(["count", "exists", "all"])
        inner = cond(w, depth + 1)
        if agg == "count": return f"count({w} in claim.lines where {inner}) {rnd.choice(['>','<=','=='])} {rnd.randint(0, 6)}"
        return f"{agg}({w} in claim.lines where {inner})"
    w = "y%d" % depth
    agg = rnd.choice(["sum", "min", "max"])
    return f"{agg}({w}.amount for {w} in claim.lines where {cond(w, depth + 1)}) {rnd.choice(['>','<'])} {money(v)}"
out = ['category R "random" { code "T" }', f"define pick(l) = {cond('l')}"]
for i in range(40):
    shape = rnd.randrange(4)
    if shape == 0:
        out.append(f"rule R.{i} in R for line in claim.lines when {cond('line')} flag line message \"{{line.item_code}} {{line.amount}} {{claim.age}}\"")
    elif shape == 1:
        out.append(f"rule R.{i} in R for line in claim.lines when line.item_code in {{\"{rnd.choice(prefixes)}\"}} and {cond('line')} flag line amount {money('line')}")
    elif shape == 2:
        out.append(f"rule R.{i} in R when {cond('claim').replace('claim.quantity','claim.facility_level').replace('claim.days_supply','claim.age').replace('claim.line_no','claim.age').replace('claim.amount','claim.total_amount').replace('claim.unit_price','claim.fund_amount').replace('claim.item_code','claim.claim_id').replace('claim.time','claim.settle_time').replace('claim.item_name','claim.dept')} flag claim")
    else:
        out.append(f"rule R.{i} in R for line in claim.lines when pick(line) and {cond('line')} flag line")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
  if ! "$arbiter" lint "$tmp/r$seed.rules" --stdlib "$src/stdlib-rules" 2>"$tmp/lint"; then
    echo "FAIL: random rules $seed do not compile:"; head -20 "$tmp/lint"; fail=$((fail + 1)); continue
  fi
  base=""
  for args in "--backend interp" "--backend jit" "--backend interp --no-index" "--backend jit --no-index" "--backend jit --threads 2"; do
    out="$tmp/f$seed${args// /_}"
    "$arbiter" check "$tmp/r$seed.rules" --claims "$tmp/claims.jsonl" -o "$out" $args --quiet --stdlib "$src/stdlib-rules" || { echo "FAIL: $args exit $?"; fail=$((fail + 1)); }
    if [ -z "$base" ]; then base=$out; continue; fi
    if cmp -s "$base" "$out"; then pass=$((pass + 1)); else
      echo "FAIL: seed $seed: $args differs from the interpreter"; diff "$base" "$out" | head -5; fail=$((fail + 1)); fi
  done
  # ahead-of-time native code, through a pack
  if "$arbiter" compile "$tmp/r$seed.rules" -o "$tmp/r$seed.arbpack" --native --stdlib "$src/stdlib-rules" 2>/dev/null; then
    "$arbiter" check --pack "$tmp/r$seed.arbpack" --backend native --claims "$tmp/claims.jsonl" -o "$tmp/fn$seed" --quiet
    if cmp -s "$base" "$tmp/fn$seed"; then pass=$((pass + 1)); else
      echo "FAIL: seed $seed: native (AOT) differs from the interpreter"; diff "$base" "$tmp/fn$seed" | head -5; fail=$((fail + 1)); fi
  else
    echo "FAIL: seed $seed: compile --native failed"; fail=$((fail + 1))
  fi
  [ -s "$base" ] || { echo "FAIL: seed $seed raised no finding (the test would prove nothing)"; fail=$((fail + 1)); }
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
