#!/usr/bin/env bash
# lib_service.sh ARBITER SRC — the service-policy and consumable categories
# (14-31, 33) against their synthetic library: a small library (13,500
# rows) and 19,000 labelled claims with a violation in every other claim
# (round-robin over all categories); every violation injected for one of
# these categories must be found (recall 100%) and none of their findings
# may fall outside the truth (precision 100%).  The JIT gives the same
# findings as the interpreter, and the inline tests of these files pass.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
std=(--stdlib "$src/stdlib-rules")
cats="SERVICE_PRICE SURGERY_DISCOUNT SERVICE_WORK_INJURY SERVICE_MATERNITY SERVICE_CHILD
SERVICE_INDICATION SERVICE_DEPT SERVICE_CARE_TYPE SERVICE_COURSE SERVICE_FACILITY_LEVEL
SERVICE_DUP_CHARGE SERVICE_UNBUNDLING SERVICE_PER_DAY SERVICE_ANNUAL_CAP SERVICE_AGE
SERVICE_CONSUMABLE SERVICE_PERIOD CONSUMABLE_CHILD"

files=()
for f in "$src"/stdlib-rules/{1[4-9],2[0-9],3[0-3]}_*.rules; do [ -e "$f" ] && files+=("$f"); done
[ "${#files[@]}" -eq 18 ] || bad "expected 18 category files, found ${#files[@]}"
"$arbiter" test "${files[@]}" "${std[@]}" > "$tmp/t" 2>&1 && ok || { bad "inline tests"; cat "$tmp/t"; }

"$arbiter" gen library --seed 11 --rows 13500 -o "$tmp/lib" "${std[@]}" 2> /dev/null || bad "gen library exit $?"
"$arbiter" gen claims --library "$tmp/lib" --n 19000 --seed 12 --violations 0.5 \
  -o "$tmp/claims.jsonl" "${std[@]}" 2> /dev/null || bad "gen claims exit $?"
"$arbiter" check "$src/stdlib-rules" "$tmp/lib" --claims "$tmp/claims.jsonl" -o "$tmp/f" \
  --quiet "${std[@]}" || bad "check exit $?"
"$arbiter" score "$tmp/f" "$tmp/claims.truth.jsonl" > "$tmp/score" || bad "score exit $?"
for c in $cats; do
  row=$(grep "^$c " "$tmp/score")
  if [ -z "$row" ]; then bad "$c: no truth lines"; continue; fi
  read -r _ truth found missed fp _ <<< "$row"
  if [ "$truth" -gt 0 ] && [ "$found" = "$truth" ] && [ "$missed" = 0 ] && [ "$fp" = 0 ]; then ok
  else bad "$c: truth $truth found $found missed $missed false+ $fp"; fi
done

"$arbiter" check "$src/stdlib-rules" "$tmp/lib" --claims "$tmp/claims.jsonl" -o "$tmp/fj" --quiet \
  --backend jit "${std[@]}" 2> "$tmp/e"
if [ -s "$tmp/f" ] && cmp -s "$tmp/f" "$tmp/fj"; then ok; else bad "jit findings differ from the interpreter's"; head -3 "$tmp/e"; fi

# three undiscounted operations through one incision: the second and the
# third are flagged once each, not once per line ranked above them
cat > "$tmp/three.jsonl" <<'J'
{"claim_id": "S3", "person_id": "P1", "sex": "F", "birth_date": "1970-01-01", "care_type": "inpatient", "admit_time": "2025-03-01T08:00:00", "discharge_time": "2025-03-08T10:00:00", "settle_time": "2025-03-08T11:00:00", "total_amount": "7400.00", "lines": [{"line_no": 1, "item_code": "003310040120000", "item_kind": "service", "time": "2025-03-02T09:00:00", "quantity": 1, "unit_price": "4800.00", "amount": "4800.00"}, {"line_no": 2, "item_code": "003310060020000", "item_kind": "service", "time": "2025-03-02T10:00:00", "quantity": 1, "unit_price": "1500.00", "amount": "1500.00"}, {"line_no": 3, "item_code": "003310130020000", "item_kind": "service", "time": "2025-03-02T11:00:00", "quantity": 1, "unit_price": "1100.00", "amount": "1100.00"}]}
J
for b in interp jit; do
  "$arbiter" check "$src/stdlib-rules/15_surgery_discount.rules" --claims "$tmp/three.jsonl" -o "$tmp/s3" --quiet --backend $b "${std[@]}"
  got=$(grep -o '"line_no":[0-9]*,"amount":"[0-9.]*"' "$tmp/s3" | tr '\n' ' ')
  [ "$got" = '"line_no":2,"amount":"750.00" "line_no":3,"amount":"550.00" ' ] && ok || bad "three operations ($b): $got"
done

echo "lib_service: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
