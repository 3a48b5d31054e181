#!/usr/bin/env bash
# findings_once.sh ARBITER SRC — a rule raises one finding per claim and
# flagged line however many table rows match it: a table listing a code
# under an exact key and two prefixes flags the line once, with the first
# row in match order (exact key, then prefixes from the shortest) and the
# other rows' keys in also_matched — the same with the interpreter, the
# JIT and native code; a rule flagging the claim flags it once.  The
# summary's "at risk" counts each flagged line once, at most its amount
# (three rules on one line), and the claim's own findings at most what the
# lines left of its total; over generated claims it is never more than
# the claimed amount and equals what the findings say (recomputed here).
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
has() { if grep -qF -- "$2" "$1"; then ok; else bad "missing in $(basename "$1"): $2"; fi; }

cat >"$tmp/drug.csv" <<'CSV'
code,name,max_days
XA10%,biguanide,7
XA10B%,metformin,5
XA10BA02,metformin 500,3
QQ%,other,1
CSV
cat >"$tmp/once.rules" <<'R'
category DUP "重复" { code "X1" }
category RISK "风险" { code "X2" }
table drug from "drug.csv" {
  code code key
  name text
  max_days int
}
rule DUP.1 "超天数" in DUP
  for line in claim.lines
  match r in drug on line.item_code
  when line.days_supply > r.max_days
  flag line message "{r.name} 超过{r.max_days}天"
rule DUP.2 "限定药品" in DUP
  for line in claim.lines
  match r in drug on line.item_code
  flag claim amount 5.00 message "{r.name}"
# three rules on line 3 (12.00): 12.00, 30.00 (more than the line), 4.00
rule RISK.1 in RISK
  for line in claim.lines
  when line.item_code == "ZZ1"
  flag line
rule RISK.2 in RISK
  for line in claim.lines
  when line.item_code == "ZZ1"
  flag line amount 30.00
rule RISK.3 in RISK
  for line in claim.lines
  when line.item_code == "ZZ1"
  flag line amount 4.00
rule RISK.4 in RISK
  when claim.total_amount > 100.00
  flag claim amount 200.00
R
line() { printf '{"line_no": %s, "item_code": "%s", "item_kind": "drug", "time": "2025-03-02T11:00:00", "quantity": 1, "unit_price": "%s", "amount": "%s", "days_supply": 10}' "$1" "$2" "$3" "$3"; }
{
  printf '{"claim_id": "S1", "person_id": "P1", "sex": "F", "birth_date": "1970-01-01", "care_type": "outpatient", "settle_time": "2025-03-08T11:00:00", "total_amount": "42.00", "lines": [%s, %s, %s]}\n' \
    "$(line 1 XA10BA02 10.00)" "$(line 2 XA10C 20.00)" "$(line 3 ZZ1 12.00)"
  printf '{"claim_id": "S2", "person_id": "P2", "sex": "F", "birth_date": "1970-01-01", "care_type": "outpatient", "settle_time": "2025-03-08T11:00:00", "total_amount": "150.00", "lines": [%s]}\n' \
    "$(line 1 AB1 150.00)"
} >"$tmp/c.jsonl"
std=(--stdlib "$src/stdlib-rules")
"$arbiter" check "$tmp/once.rules" "${std[@]}" --claims "$tmp/c.jsonl" -o "$tmp/f.jsonl" 2>"$tmp/sum" || bad "check exit $?"
f=$tmp/f.jsonl
has "$f" '{"claim_id":"S1","rule":"DUP.1","category":"DUP","category_code":"X1","severity":"medium","nature":"suspicious","points":0,"line_no":1,"amount":"10.00","message":"metformin 500 超过3天","also_matched":["XA10%","XA10B%"],"finding_id":'
has "$f" '"rule":"DUP.1","category":"DUP","category_code":"X1","severity":"medium","nature":"suspicious","points":0,"line_no":2,"amount":"20.00","message":"biguanide 超过7天","finding_id":'
has "$f" '"rule":"DUP.2","category":"DUP","category_code":"X1","severity":"medium","nature":"suspicious","points":0,"line_no":null,"amount":"5.00","message":"metformin 500","also_matched":["XA10%","XA10B%","XA10%"],"finding_id":'
[ "$(grep -c '"rule":"DUP.1"' "$f")" = 2 ] && ok || bad "DUP.1: one finding per line"
[ "$(grep -c '"rule":"DUP.2"' "$f")" = 1 ] && ok || bad "DUP.2: one finding per claim"
[ "$(grep -c '"also_matched"' "$f")" = 2 ] && ok || bad "also_matched only where rows were merged"
# findings total 10 + 20 + 5 + 12 + 30 + 4 (S1) + 200 (S2) = 281.00; at risk:
# S1 lines 10 + 20 + 12 (line 3 once, at most its 12.00), the claim's 5.00
# capped at 42 - 42 = 0; S2 the claim's 200.00 capped at its 150.00
has "$tmp/sum" "7 findings in 2 claims: findings total 281.00; at risk 192.00 (each line once, at most its amount)"
has "$tmp/sum" "claimed 192.00"
# each finding's at_risk is its part of that: they add up to 192.00; a
# line's goes to its finding of the largest amount (line 3: RISK.2's 30.00,
# capped at 12.00; RISK.1 and RISK.3 get 0), S1's claim finding gets nothing
[ "$(jq -s 'map(.at_risk | tonumber * 100 | round) | add' "$f")" = 19200 ] && ok ||
  bad "at_risk of the findings does not add up to 192.00: $(jq -r .at_risk "$f" | tr '\n' ' ')"
[ "$(jq -r 'select(.line_no == 3) | .at_risk' "$f" | tr '\n' ' ')" = "0.00 12.00 0.00 " ] && ok ||
  bad "line 3's at_risk is not on its largest finding"
[ "$(jq -r 'select(.claim_id == "S2") | .at_risk' "$f")" = 150.00 ] && ok || bad "S2's at_risk is not capped at 150.00"
# the finding id: 32 hex digits, one per finding, the same on every run
[ "$(jq -r .finding_id "$f" | grep -cE '^[0-9a-f]{32}$')" = 7 ] && ok || bad "finding_id is not 32 hex digits"
[ "$(jq -r .finding_id "$f" | sort -u | wc -l)" = 7 ] && ok || bad "two findings share an id"
[ "$(jq -r 'select(.claim_id == "S1" and .line_no == 1) | .settle_date' "$f" | sort -u)" = 2025-03-08 ] && ok ||
  bad "settle_date"
# the JIT and native code (through a pack) agree byte for byte
"$arbiter" check "$tmp/once.rules" "${std[@]}" --claims "$tmp/c.jsonl" -o "$tmp/fj.jsonl" --backend jit --quiet
cmp -s "$f" "$tmp/fj.jsonl" && ok || bad "JIT differs"
"$arbiter" check "$tmp/once.rules" "${std[@]}" --claims "$tmp/c.jsonl" -o "$tmp/fn.jsonl" --no-index --quiet
cmp -s "$f" "$tmp/fn.jsonl" && ok || bad "--no-index differs"
"$arbiter" compile "$tmp/once.rules" "${std[@]}" -o "$tmp/p.arbpack" --native >/dev/null 2>&1 || bad "compile --native exit $?"
"$arbiter" check --pack "$tmp/p.arbpack" --claims "$tmp/c.jsonl" -o "$tmp/fp.jsonl" --quiet
cmp -s "$f" "$tmp/fp.jsonl" && ok || bad "pack (interpreted) differs"
"$arbiter" check --pack "$tmp/p.arbpack" --claims "$tmp/c.jsonl" -o "$tmp/fa.jsonl" --backend native --quiet
cmp -s "$f" "$tmp/fa.jsonl" && ok || bad "native code differs"
# explain counts the findings check gives and names the other rows
"$arbiter" explain "$tmp/once.rules" "${std[@]}" --claims "$tmp/c.jsonl" --claim S1 --rule DUP.1 >"$tmp/ex"
has "$tmp/ex" 'fired, 2 findings'
has "$tmp/ex" '-> finding on line 1: 10.00, metformin 500 超过3天 (also matched: XA10%, XA10B%)'
# a golden set holding also_matched reads back, and a change of it is a change
mkdir "$tmp/g" && cp "$tmp/c.jsonl" "$tmp/g/claims.jsonl" && cp "$f" "$tmp/g/expected.jsonl"
"$arbiter" test "$tmp/once.rules" "${std[@]}" --golden "$tmp/g" >"$tmp/t1" 2>&1 && ok || { bad "golden set with also_matched"; cat "$tmp/t1"; }
sed -i 's/"also_matched":\["XA10%","XA10B%"\]/"also_matched":["XA10B%"]/' "$tmp/g/expected.jsonl"
"$arbiter" test "$tmp/once.rules" "${std[@]}" --golden "$tmp/g" >"$tmp/t2" 2>&1 && bad "a changed also_matched passes" || ok

# property: over generated claims of the reference library, "at risk" is at
# most the claimed amount and is what the findings give, each line once
"$arbiter" gen library --seed 1 -o "$tmp/lib" >/dev/null 2>&1 || bad "gen library exit $?"
for seed in 1 2 3; do
  "$arbiter" gen claims --library "$tmp/lib" --n 1500 --seed $seed --violations 0.3 -o "$tmp/g$seed.jsonl" >/dev/null 2>&1 ||
    bad "gen claims exit $?"
  "$arbiter" check "$src/stdlib-rules" "$tmp/lib" --claims "$tmp/g$seed.jsonl" -o "$tmp/gf$seed.jsonl" 2>"$tmp/gs$seed"
  python3 - "$tmp/g$seed.jsonl" "$tmp/gf$seed.jsonl" "$tmp/gs$seed" <<'PY' && ok || bad "seed $seed: at risk"
import json, re, sys
from decimal import Decimal
cents = lambda s: int(Decimal(s.replace(",", "")) * 100)
claims = {}
for l in open(sys.argv[1], encoding="utf-8"):
    c = json.loads(l)
    claims[c["claim_id"]] = c
per = {}
seen = set()
for l in open(sys.argv[2], encoding="utf-8"):
    f = json.loads(l)
    ident = (f["claim_id"], f["rule"], f["line_no"])
    if ident in seen: sys.exit("two findings of %s" % (ident,))
    seen.add(ident)
    per.setdefault(f["claim_id"], []).append(f)
want = 0
for cid, fs in per.items():
    c = claims[cid]
    total = max(0, cents(c.get("total_amount") or "0"))
    amount = {ln["line_no"]: max(0, cents(ln.get("amount") or "0")) for ln in c["lines"]}
    best, rest = {}, 0
    for f in fs:
        a = max(0, cents(f["amount"]))
        if f["line_no"] is None: rest = max(rest, a)
        else: best[f["line_no"]] = max(best.get(f["line_no"], 0), a)
    lines = min(total, sum(min(a, amount[n]) for n, a in best.items()))
    want += lines + min(rest, total - lines)
text = open(sys.argv[3], encoding="utf-8").read()
claimed = cents(re.search(r"claimed ([-\d,.]+)", text).group(1))
got = cents(re.search(r"; at risk ([-\d,.]+) \(each line once", text).group(1))
total = cents(re.search(r"findings total ([-\d,.]+);", text).group(1))
print("claimed %d, findings total %d, at risk %d (recomputed %d)" % (claimed, total, got, want))
if got != want: sys.exit("at risk %d, the findings give %d" % (got, want))
if got > claimed: sys.exit("at risk %d above claimed %d" % (got, claimed))
PY
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
