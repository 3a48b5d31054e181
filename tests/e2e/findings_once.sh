#!/usr/bin/env bash
# findings_once.sh ARBITER SRC — a rule raises one finding per claim and
# flagged line however many table rows match it: a table listing a code
# under an exact key and two prefixes flags the line once, with the first
# row in match order (exact key, then prefixes from the shortest) and the
# other rows' keys in also_matched — the same with the interpreter, the
# JIT and native code; a rule flagging the claim flags it once.
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
has "$f" '{"claim_id":"S1","rule":"DUP.1","category":"DUP","category_code":"X1","severity":"medium","nature":"suspicious","points":0,"line_no":1,"amount":"10.00","message":"metformin 500 超过3天","also_matched":["XA10%","XA10B%"]}'
has "$f" '"rule":"DUP.1","category":"DUP","category_code":"X1","severity":"medium","nature":"suspicious","points":0,"line_no":2,"amount":"20.00","message":"biguanide 超过7天"}'
has "$f" '"rule":"DUP.2","category":"DUP","category_code":"X1","severity":"medium","nature":"suspicious","points":0,"line_no":null,"amount":"5.00","message":"metformin 500","also_matched":["XA10%","XA10B%","XA10%"]}'
[ "$(grep -c '"rule":"DUP.1"' "$f")" = 2 ] && ok || bad "DUP.1: one finding per line"
[ "$(grep -c '"rule":"DUP.2"' "$f")" = 1 ] && ok || bad "DUP.2: one finding per claim"
[ "$(grep -c '"also_matched"' "$f")" = 2 ] && ok || bad "also_matched only where rows were merged"
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
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
