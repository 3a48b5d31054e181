#!/usr/bin/env bash
# real_data.sh ARBITER SRC — data as it comes: enums spelled by label (男/女,
# 职工医保) or national code ("1"/"2", insurance "310", care type "21") in
# claims (JSON and CSV), in a table's CSV and in inline tests; every bad
# field of a rejected record named; input fields the schema does not read
# (admit_date, lines[].date, the derived age) reported with their counts,
# rejected with their positions under --strict; 1 and 3 threads identical.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1 # check writes rejects.jsonl into the working directory
data=$src/tests/data/real_data
rules=$data/real_data.rules
std=(--stdlib "$src/stdlib-rules")
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
has() { grep -qF -- "$2" "$3" && ok || { bad "$1: no '$2' in $3"; sed 's/^/    /' "$3"; }; }
hasnt() { grep -qF -- "$2" "$3" && { bad "$1: '$2' in $3"; sed 's/^/    /' "$3"; } || ok; }

# 100 claims: sex, insurance and care type spelled every way, unknown fields
python3 - "$tmp" <<'PY'
import json, sys, os
d = sys.argv[1]
sexes = ["男", "女", "1", "2", "M", "F"]
insu = ["310", "职工医保", "390", "employee"]
care = ["11", "21", "门诊", "住院", "inpatient"]
with open(os.path.join(d, "claims.jsonl"), "w", encoding="utf-8") as f, \
     open(os.path.join(d, "claims.csv"), "w", encoding="utf-8") as c, \
     open(os.path.join(d, "lines.csv"), "w", encoding="utf-8") as l:
    c.write("claim_id,person_id,sex,insurance_type,care_type,admit_date\n")
    l.write("claim_id,line_no,item_code,quantity,unit_price,amount,date\n")
    for i in range(100):
        code = "XG03BAB0001010100001" if i % 2 else "XG03CAE0001010100002"
        rec = {"claim_id": "R%03d" % i, "person_id": "P%d" % i, "sex": sexes[i % 6],
               "insurance_type": insu[i % 4], "care_type": care[i % 5],
               "lines": [{"line_no": 1, "item_code": code, "quantity": 1,
                          "unit_price": 10.00, "amount": 10.00}]}
        if i % 4 == 0: rec["admit_date"] = "2025-01-02"
        if i % 10 == 0: rec["lines"][0]["date"] = "2025-01-03"
        if i == 7: rec["age"] = 40
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        c.write("%s,P%d,%s,%s,%s,%s\n" % (rec["claim_id"], i, rec["sex"], rec["insurance_type"],
                                          rec["care_type"], rec.get("admit_date", "")))
        l.write("%s,1,%s,1,10.00,10.00,%s\n" % (rec["claim_id"], code,
                                                 rec["lines"][0].get("date", "")))
PY

# every spelling is read: no rejects, findings as by member name
"$arbiter" check "$rules" --claims "$tmp/claims.jsonl" -o "$tmp/f1.jsonl" --rejects "$tmp/rej" "${std[@]}" 2>"$tmp/err1"
rc=$?
[ $rc -eq 0 ] && ok || { bad "exit $rc, expected 0"; cat "$tmp/err1"; }
has summary "100 claims read = 100 audited + 0 rejected" "$tmp/err1"
# sex alternates 男/女/1/2/M/F, the drug alternates: women given the men's drug (odd i, F) ...
want=$(python3 -c "print(sum(1 for i in range(100) if (i%2==1 and i%6 in (1,3,5)) or (i%2==0 and i%6 in (0,2,4))))")
n=$(grep -c '"rule":"DRUG_SEX.1"' "$tmp/f1.jsonl")
[ "$n" = "$want" ] && ok || bad "DRUG_SEX.1: $n findings, wanted $want"
want=$(python3 -c "print(sum(1 for i in range(100) if i%4 in (0,1,3) and i%5 in (1,3,4)))")
n=$(grep -c '"rule":"INSU.1"' "$tmp/f1.jsonl")
[ "$n" = "$want" ] && ok || bad "INSU.1: $n findings, wanted $want"
has "labels in messages" '"message":"职工医保 住院"' "$tmp/f1.jsonl"
# the fields that were not read, once each, with their records
has unknown "arbiter: warning: ignored input field 'admit_date' in 25 records" "$tmp/err1"
has unknown "arbiter: warning: ignored input field 'lines[].date' in 10 records" "$tmp/err1"
has derived "arbiter: warning: input field 'age' in 1 record is derived (= age_years(birth_date, date(coalesce(admit_time, settle_time))))" "$tmp/err1"
[ "$(grep -c 'warning' "$tmp/err1")" -eq 3 ] && ok || bad "one warning per field"
# even with --quiet
"$arbiter" check "$rules" --claims "$tmp/claims.jsonl" -o /dev/null --quiet "${std[@]}" 2>"$tmp/errq"
has quiet "ignored input field 'admit_date' in 25 records" "$tmp/errq"
hasnt quiet "claims read" "$tmp/errq"
# 3 threads: the same findings and the same summary lines
"$arbiter" check "$rules" --claims "$tmp/claims.jsonl" -o "$tmp/f3.jsonl" --threads 3 "${std[@]}" 2>"$tmp/err3"
cmp -s "$tmp/f1.jsonl" "$tmp/f3.jsonl" && ok || bad "findings differ with 3 threads"
cmp -s <(grep warning "$tmp/err1") <(grep warning "$tmp/err3") && ok || bad "warnings differ with 3 threads"

# CSV: the same claims, the same findings; lines.csv's date is lines[].date
"$arbiter" check "$rules" --claims "$tmp/claims.csv" -o "$tmp/fc.jsonl" --threads 3 "${std[@]}" 2>"$tmp/errc"
cmp -s "$tmp/f1.jsonl" "$tmp/fc.jsonl" && ok || bad "CSV findings differ from JSON"
has csv "ignored input field 'admit_date' in 25 records" "$tmp/errc"
has csv "ignored input field 'lines[].date' in 10 records" "$tmp/errc"

# --strict: each record with such a field is rejected, with its position
"$arbiter" check "$rules" --claims "$tmp/claims.jsonl" -o /dev/null --strict --rejects "$tmp/rej.jsonl" "${std[@]}" 2>"$tmp/errs"
rc=$?
[ $rc -eq 3 ] && ok || bad "--strict: exit $rc, expected 3"
has strict "100 claims read = 69 audited + 31 rejected" "$tmp/errs"
# the column of the first such key (lines come before admit_date in the record)
col=$(head -1 "$tmp/claims.jsonl" | python3 -c 'import sys; print(sys.stdin.buffer.read().index(b"\"date\"") + 1)')
has strict "claims.jsonl:1: rejected: column $col: lines[1]: 'date' is not a field of line; 'admit_date' is not a field of claim" "$tmp/errs"
col=$(sed -n 8p "$tmp/claims.jsonl" | python3 -c 'import sys; print(sys.stdin.buffer.read().index(b"\"age\"") + 1)')
has strict "claims.jsonl:8: rejected: column $col: 'age' is a derived field (= age_years(" "$tmp/errs"
hasnt strict "warning" "$tmp/errs"
"$arbiter" check "$rules" --claims "$tmp/claims.csv" -o /dev/null --strict --quiet "${std[@]}" 2>"$tmp/errsc"
has "strict CSV" "claims.csv:2: rejected: column 6 'admit_date' is not a field of claim; lines.csv:2: column 7 'date' is not a field of line" "$tmp/errsc"

# a rejected record names every bad field; the first one's column is reported
printf '%s\n' '{"claim_id":"X1","person_id":"P","sex":"女士","care_type":"99","insurance_type":"310","lines":[{"line_no":1,"item_code":"A","quantity":"many"}]}' >"$tmp/badv.jsonl"
"$arbiter" check "$rules" --claims "$tmp/badv.jsonl" -o /dev/null --quiet --rejects "$tmp/rejv" "${std[@]}" 2>"$tmp/errv"
has every "badv.jsonl:1: rejected: column 40: field 'sex': '女士' is not one of M (男, \"1\"), F (女, \"2\"), U (未知, \"0\", \"9\"); field 'care_type': '99' is not one of outpatient (普通门诊, \"11\", \"门诊\")" "$tmp/errv"
has every "; lines[1]: field 'quantity': expected an integer, got the string \"many\"" "$tmp/errv"
hasnt every "missing required field 'care_type'" "$tmp/errv"

# inline tests spell members by label and code
"$arbiter" test "$rules" "${std[@]}" >"$tmp/test" 2>&1 && ok || { bad "inline tests"; cat "$tmp/test"; }
# a pack carries the codes
"$arbiter" compile "$rules" -o "$tmp/r.arbpack" "${std[@]}" 2>/dev/null
"$arbiter" check --pack "$tmp/r.arbpack" --claims "$tmp/claims.jsonl" -o "$tmp/fp.jsonl" --quiet 2>/dev/null
cmp -s "$tmp/f1.jsonl" "$tmp/fp.jsonl" && ok || bad "pack findings differ"

# one spelling for two members is an error at both places
cat >"$tmp/dup.rules" <<'R'
enum grade {
  low  "低" codes "1"
  high "高" codes "1", "低"
}
R
"$arbiter" lint "$tmp/dup.rules" "${std[@]}" >"$tmp/lint" 2>&1
[ $? -eq 2 ] && ok || bad "lint of a duplicate code should fail"
has dup 'dup.rules:3:18: error: "1" already spells low of grade' "$tmp/lint"
has dup 'dup.rules:2:18: note: used here' "$tmp/lint"
has dup 'dup.rules:3:23: error: "低" already spells low of grade' "$tmp/lint"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
