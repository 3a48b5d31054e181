#!/usr/bin/env bash
# explain.sh ARBITER SRC — `arbiter explain` names the rules that fired on a
# claim with the values their conditions saw, explains a rule that did not
# fire with its first false condition (a comparison with its operands, or an
# exists() by itself), shows the right side of an `and`/`or` its left side
# decided as not evaluated, and reports an unknown claim (exit 3).
set -uo pipefail
arbiter=$1 src=$2
ex=$src/examples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
has() { if grep -qF -- "$1" <<< "$out"; then pass=$((pass + 1)); else echo "FAIL: missing: $1"; fail=$((fail + 1)); fi; }
out=$("$arbiter" explain "$ex"/rules/*.rules --claims "$ex/claims/claims.csv" --claim C00000007 --stdlib "$src/stdlib-rules")
has 'rule DRUG_CHILD.1 "儿童专用药品用于成人" in DRUG_CHILD (药品儿童专用): fired, 1 finding'
has 'claim.age >= r.age_under                  true   (claim.age = 27, r.age_under = 18)'
has '-> finding on line 1: 22.80, 小儿碳酸钙D3颗粒 限18岁以下儿童使用，患者27岁'
has 'line.days_supply > r.max_days             true   (line.days_supply = 10, r.max_days = 7)'
has '2 rules fired; 16 other rules evaluated and did not fire'
# the findings explain names are exactly those check raises for the claim
n=$(grep -c '"claim_id":"C00000007"' "$ex/expected_findings.jsonl")
[ "$(printf '%s' "$out" | grep -c -- '-> finding')" -eq "$n" ] && pass=$((pass + 1)) || { echo "FAIL: finding count differs from check"; fail=$((fail + 1)); }
out=$("$arbiter" explain "$ex"/rules/*.rules --claims "$ex/claims/claims.csv" --claim C00000007 --rule FEE_DATE.1 --stdlib "$src/stdlib-rules")
has 'did not fire'
has 'claim.care_type == inpatient              false  (claim.care_type = 定点药店购药, inpatient = 住院)   <- the first false condition'
"$arbiter" explain "$ex"/rules/*.rules --claims "$ex/claims/claims.csv" --claim NOPE --stdlib "$src/stdlib-rules" 2>/dev/null
[ $? -eq 3 ] && pass=$((pass + 1)) || { echo "FAIL: unknown claim should exit 3"; fail=$((fail + 1)); }
# JSON Lines input finds the same claim
"$arbiter" gen claims --n 1000 --seed 2025 > "$tmp/claims.jsonl"
out=$("$arbiter" explain "$ex"/rules/*.rules --claims "$tmp/claims.jsonl" --claim C00000007 --stdlib "$src/stdlib-rules")
has '2 rules fired; 16 other rules evaluated and did not fire'
# exists(...) is a condition of its own: its value is shown, and it can be
# the first false one
cat > "$tmp/one.jsonl" <<'J'
{"claim_id": "S1", "person_id": "P1", "sex": "F", "birth_date": "1970-01-01", "care_type": "inpatient", "admit_time": "2025-03-01T08:00:00", "discharge_time": "2025-03-08T10:00:00", "settle_time": "2025-03-08T11:00:00", "total_amount": "7400.00", "lines": [{"line_no": 1, "item_code": "003310130020000", "item_kind": "service", "time": "2025-03-02T11:00:00", "quantity": 1, "unit_price": "1100.00", "amount": "1100.00"}]}
J
out=$("$arbiter" explain "$src/stdlib-rules/15_surgery_discount.rules" --claims "$tmp/one.jsonl" --claim S1 --rule SURGERY_DISCOUNT.1 --stdlib "$src/stdlib-rules")
has 'line.unit_price > r.price / 2             true   (line.unit_price = 1100.00, r.price / 2 = 550.00)'
has 'exists(x in claim.lines, match q in surgery_discount on x.item_code…  false   <- the first false condition'
# `and` and `or`: a right side the left side decided is "not evaluated"
# (never shown with the left side's value); a right side that ran shows its
# operands.  A rule without a title prints without "".
cat > "$tmp/sc.rules" <<'R'
category C "cat" { code "X" }
rule C.1 in C
  when claim.dept == "A" or claim.facility_level > 5
  flag claim amount 0.00
rule C.2 "and" in C
  when claim.dept == "A" and claim.facility_level > 5
  flag claim amount 0.00
R
claim() { printf '{"claim_id": "%s", "person_id": "P1", "sex": "F", "birth_date": "1970-01-01", "care_type": "inpatient", "dept": "%s", "facility_level": %s, "admit_time": "2025-03-01T08:00:00", "discharge_time": "2025-03-08T10:00:00", "settle_time": "2025-03-08T11:00:00", "total_amount": "10.00", "lines": []}\n' "$@"; }
{ claim A3 A 3; claim B7 B 7; claim A7 A 7; } > "$tmp/sc.jsonl"
sc() { "$arbiter" explain "$tmp/sc.rules" --claims "$tmp/sc.jsonl" --claim "$1" --rule "$2" --stdlib "$src/stdlib-rules"; }
hasnt() { if grep -qF -- "$1" <<< "$out"; then echo "FAIL: unexpected: $1"; fail=$((fail + 1)); else pass=$((pass + 1)); fi; }
# or, left side true: the right side is skipped
out=$(sc A3 C.1)
has 'rule C.1 in C (cat): fired, 1 finding'
hasnt 'rule C.1 ""'
has 'claim.dept == "A"                         true   (claim.dept = A, "A" = A)'
has 'claim.facility_level > 5                  not evaluated  (claim.dept == "A" is true)'
hasnt 'claim.facility_level > 5                  true'
# or, left side false: the right side runs and shows its operands
out=$(sc B7 C.1)
has 'claim.dept == "A"                         false  (claim.dept = B, "A" = A)'
has 'claim.facility_level > 5                  true   (claim.facility_level = 7, 5 = 5)'
hasnt 'not evaluated'
# and, left side false: the right side is skipped
out=$(sc B7 C.2)
has 'rule C.2 "and" in C (cat): did not fire'
has 'claim.dept == "A"                         false  (claim.dept = B, "A" = A)   <- the first false condition'
has 'claim.facility_level > 5                  not evaluated  (claim.dept == "A" is false)'
hasnt 'claim.facility_level > 5                  false'
# and, left side true: the right side runs
out=$(sc A3 C.2)
has 'claim.facility_level > 5                  false  (claim.facility_level = 3, 5 = 5)   <- the first false condition'
hasnt 'not evaluated'
out=$(sc A7 C.2)
has 'claim.facility_level > 5                  true   (claim.facility_level = 7, 5 = 5)'
has '-> finding: 0.00'
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
