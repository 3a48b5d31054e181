#!/usr/bin/env bash
# differential.sh ARBITER SRC — property test: random rule files (random
# expressions over the claim schema: comparisons, arithmetic, least and
# greatest, null handling, sets with prefixes, aggregates, defines, dates,
# arithmetic past int64 (the rule fails for the claim, in every backend),
# conditional expressions (`if c then a else b`, a missing c taking else)
# and enum labels (`label(claim.sex) == "女"`),
# and for seeds 4-6 the person's history in chained aggregates; a table
# with a regex column and
# `matches r.column`, its rows matched inside aggregates) over generated
# claims give byte-identical findings with the interpreter, the JIT and
# ahead-of-time native code (through a pack), with and without the item-code
# index, with 1 and 2 threads; and the same from a prepared claim set
# (arb_claimset_check) with the interpreter and the JIT.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$arbiter" gen claims --n 1500 --seed 77 -o "$tmp/gen.jsonl" || exit 1
# fewer persons, and some claims settled at the same moment, so histories
# are long and have ties
python3 - "$tmp/gen.jsonl" "$tmp/claims.jsonl" <<'PY'
import json, random, sys
rnd = random.Random(5)
prev = None
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for line in open(sys.argv[1], encoding="utf-8"):
        c = json.loads(line)
        c["person_id"] = "Q%03d" % rnd.randrange(120)
        if prev and rnd.random() < 0.1: c["settle_time"] = prev
        prev = c["settle_time"]
        f.write(json.dumps(c, ensure_ascii=False) + "\n")
PY
# a table with a regex column (an empty cell is missing: never matches)
cat >"$tmp/pat.csv" <<'CSV'
code,pattern,note
0012%,(注射|输液|护理),a
XJ%,(胶囊|片)$,b
Z%,,c
C07%,[[:digit:]]|导管,d
00%,费$,e
CSV
fail=0 pass=0
# Seeds 1-3 are rules over the claim alone, 4-6 add history(); a sanitizer
# build (ARB_SANITIZE=ON), where each seed costs several times as much, runs
# one seed of each half and the last.
seeds="1 2 3 4 5 6"
[ "${ARB_SANITIZE:-OFF}" = ON ] && seeds="1 4 6"
for seed in $seeds; do
  python3 - "$seed" "$tmp/r$seed.rules" <<'PY'
import random, sys
rnd = random.Random(int(sys.argv[1]))
codes = ["001204000060000", "001201000030000", "XJ01CAA797E001010105925", "ZA01CAX0351010101453",
         "001109000010300", "002501010150000", "C0709206153332102898", "XG03DBD084A001010102180"]
prefixes = ["0012%", "XJ%", "Z%", "00110900%", "C07%", "XG03%"]
def num_line(v):
    return rnd.choice([f"{v}.quantity", f"{v}.days_supply", f"{v}.line_no", "claim.age", "claim.facility_level",
                       f"len({v}.item_code)", "claim.los_days", f"days(claim.discharge_time - claim.admit_time)",
                       f"greatest({v}.quantity, claim.age)", f"least({v}.days_supply, {v}.line_no)"])
def money(v):
    return rnd.choice([f"{v}.amount", f"{v}.unit_price", "claim.total_amount", f"{v}.unit_price * {v}.quantity",
                       f"{rnd.randint(0, 500)}.{rnd.randint(10, 99)}", f"coalesce({v}.amount, 0.00)",
                       f"least({v}.amount, {rnd.randint(0, 300)})", f"greatest({v}.unit_price, claim.total_amount)",
                       f"{v}.amount * 100000000000000"])  # past int64 for amounts over 922.33: the rule fails
def cond(v, depth=0):
    k = rnd.randrange(13 if depth < 2 else 8)
    if k == 12:  # conditional expressions: a condition, a number, an amount, an enum, a text
        c = cond(v, depth + 1)
        return rnd.choice([
            f"(if {c} then {cond(v, depth + 1)} else {cond(v, depth + 1)})",
            f"(if {c} then {num_line(v)} else {rnd.randint(0, 9)}) {rnd.choice(['<','>','=='])} {rnd.randint(0, 20)}",
            f"(if {c} then {money(v)} else {money(v)}) {rnd.choice(['<','>'])} {money(v)}",
            f"(if {c} then claim.care_type else inpatient) == {rnd.choice(['outpatient','inpatient'])}",
            f"(if {c} then {v}.item_code else \"X\") {rnd.choice(['==','!='])} \"{rnd.choice(codes)}\"",
            f"label(claim.sex) {rnd.choice(['==','!='])} \"{rnd.choice(['男','女','未说明'])}\"",
            f"(missing(label(claim.care_type)) or label(claim.care_type) == \"住院\")"])
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
# seeds 4-6 add rules over the person's history (the batch then reads all
# claims first and builds the per-person index)
if int(sys.argv[1]) >= 4:
    def dur():
        return rnd.choice([f"{rnd.choice([1, 7, 15, 30, 90, 365])}d", f"{rnd.randint(1, 6)}w", "36h",
                           "claim.facility_level * 10d", "coalesce(claim.los_days, 3) * 2d"])
    for i in range(40, 52):
        shape = rnd.randrange(6)
        if shape == 0:
            out.append(f"rule R.{i} in R when count(p in history({dur()}) where p.care_type {rnd.choice(['==','!='])} claim.care_type) >= {rnd.randint(1, 3)} flag claim message \"{{count(p in history({dur()}))}}\"")
        elif shape == 1:
            out.append(f"rule R.{i} in R for line in claim.lines when line.quantity + sum(x.quantity for p in history({dur()}), x in p.lines where x.item_code == line.item_code) > {rnd.randint(1, 4)} flag line")
        elif shape == 2:
            out.append(f"rule R.{i} in R for line in claim.lines when exists(p in history({dur()}), x in p.lines where x.item_code == line.item_code and {cond('x', 1)}) flag line message \"{{line.item_code}}\"")
        elif shape == 3:
            out.append(f"rule R.{i} in R for p in history({dur()}) for x in p.lines when {cond('x', 1)} flag claim message \"{{p.claim_id}} {{x.line_no}} {{x.amount}}\"")
        elif shape == 4:
            agg = rnd.choice(["min", "max", "sum"])
            out.append(f"rule R.{i} in R when {agg}(x.amount for p in history({dur()}), x in p.lines, d in p.diagnoses where {cond('x', 1)}) > {rnd.randint(0, 300)}.00 flag claim amount coalesce({agg}(x.amount for p in history({dur()}), x in p.lines), 0.00)")
        else:
            out.append(f"rule R.{i} in R when claim.care_type == inpatient and all(p in history({dur()}) where p.care_type != inpatient or date(claim.admit_time) - date(p.discharge_time) > 15d) flag claim")
out.append('table pat from "pat.csv" { code code key  pattern regex }')
out.append('rule R.90 in R for line in claim.lines match r in pat on line.item_code when line.item_name matches r.pattern flag line message "{r.code}"')
out.append(f'rule R.91 in R for line in claim.lines match r in pat on line.item_code when not (line.item_name matches r.pattern) and {cond("line", 1)} flag line')
out.append('rule R.92 in R when count(x in claim.lines where exists(q in claim.lines where x.item_name matches "注射" and q.item_code in pat)) > 1 flag claim')
out.append('rule R.93 in R for line in claim.lines match r in pat on line.item_code when missing(r.pattern) or claim.dept matches r.pattern flag line')
# table rows matched inside aggregates (prefix keys: a code may match several)
out.append(f'rule R.94 in R for line in claim.lines when exists(x in claim.lines, match q in pat on x.item_code where x.line_no != line.line_no and {cond("x", 1)}) flag line')
out.append(f'rule R.95 in R when sum(x.amount for x in claim.lines, match q in pat on x.item_code where present(q.pattern) and {cond("x", 1)}) > {rnd.randint(0, 300)}.00 flag claim amount coalesce(sum(x.amount for x in claim.lines, match q in pat on x.item_code), 0.00)')
out.append('rule R.96 in R for line in claim.lines match r in pat on line.item_code when count(x in claim.lines, match q in pat on x.item_code where q.code == r.code) > 1 flag line message "{count(match q in pat on line.item_code)} {r.code}"')
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
  if ! "$arbiter" lint "$tmp/r$seed.rules" --stdlib "$src/stdlib-rules" 2>"$tmp/lint"; then
    echo "FAIL: random rules $seed do not compile:"; head -20 "$tmp/lint"; fail=$((fail + 1)); continue
  fi
  base=""
  for args in "--backend interp" "--backend jit" "--backend interp --no-index" "--backend jit --no-index" "--backend jit --threads 2"; do
    out="$tmp/f$seed${args// /_}"
    # exit 3 when a rule fails (arithmetic past int64): the same failures in
    # every backend (in another order with the index: it runs after the others)
    "$arbiter" check "$tmp/r$seed.rules" --claims "$tmp/claims.jsonl" -o "$out" $args --quiet --stdlib "$src/stdlib-rules" \
      --rule-errors "$out.err" 2>/dev/null
    rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 3 ] || { echo "FAIL: $args exit $rc"; fail=$((fail + 1)); }
    [ -f "$out.err" ] || : >"$out.err"
    if [ -n "$base" ] && [ "$(sort "$base.err")" != "$(sort "$out.err")" ]; then
      echo "FAIL: seed $seed: $args reports other rule failures than the interpreter"; fail=$((fail + 1))
    fi
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
  # a prepared claim set (arb_claimset_*, through the API's driver
  # tests/tools/claimset_findings.c): the interpreter, and the JIT on 2 threads
  if [ -n "${ARB_CLAIMSET_FINDINGS:-}" ] && [ -f "$tmp/r$seed.arbpack" ]; then
    for args in "" "--jit --threads 2"; do
      "$ARB_CLAIMSET_FINDINGS" "$tmp/r$seed.arbpack" "$tmp/claims.jsonl" $args >"$tmp/fc$seed" 2>/dev/null ||
        { echo "FAIL: seed $seed: claim set $args exit $?"; fail=$((fail + 1)); }
      if cmp -s "$base" "$tmp/fc$seed"; then pass=$((pass + 1)); else
        echo "FAIL: seed $seed: claim set $args differs from check"; diff "$base" "$tmp/fc$seed" | head -5; fail=$((fail + 1)); fi
    done
  fi
  [ -s "$base" ] || { echo "FAIL: seed $seed raised no finding (the test would prove nothing)"; fail=$((fail + 1)); }
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
