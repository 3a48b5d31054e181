#!/usr/bin/env bash
# tables.sh ARBITER SRC — `extend table` and regex columns: a library adds
# rows to a table declared elsewhere (columns found by header name, in any
# order) and its inline tests see them; bad extend files and bad regex cells
# are errors at their place in the CSV; `x matches r.column` gives the same
# findings on the interpreter, the JIT and AOT code through a pack (the
# patterns survive the pack); regex is a column type only; diagnoses have a
# name in the JSON and CSV readers; `lint --stats` counts a rule's own
# table rows, not those matched inside an aggregate.
set -uo pipefail
arbiter=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$src/tests/data/tables
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
expect_rc() {
  if [ "$3" -eq "$2" ]; then ok; else bad "$1: exit code $3, expected $2"; sed 's/^/    | /' "$4"; fi
}
has() { if grep -qF -- "$3" "$2"; then ok; else bad "$1: no '$3' in:"; sed 's/^/    | /' "$2"; fi; }
S=(--stdlib "$src/stdlib-rules")

# 1. the library's inline tests, with the extended rows
"$arbiter" test "$d/lib/lib.rules" "${S[@]}" >"$tmp/out" 2>&1
expect_rc "extended library" 0 $? "$tmp/out"
has "extended library" "$tmp/out" "arbiter test: 5 inline tests: 5 passed, 0 failed"

# 2. errors in extend files and regex cells, positioned in the CSV
mkdir -p "$tmp/lib/tables"
cp "$d/indication.csv" "$tmp/"
cp "$d/base.rules" "$tmp/"
printf 'code,name,pattern_id\nX1,a,1\n' >"$tmp/lib/tables/nocol.csv"
printf 'code,name,pattern_id,pattern\nX1,a,1,(ok)\nX2,b,2,(unclosed\nX3,c,x,ok\n' >"$tmp/lib/tables/bad.csv"
cat >"$tmp/lib/bad.rules" <<'R'
import "../base.rules"
extend table drug_indication from "tables/nocol.csv"
extend table drug_indication from "tables/bad.csv"
extend table drug_indicatoin from "tables/bad.csv"
extend table drug_indication from "tables/none.csv"
schema thing { p regex }
R
"$arbiter" lint "$tmp/lib/bad.rules" "${S[@]}" >"$tmp/out" 2>&1
expect_rc "bad extends" 2 $? "$tmp/out"
has "missing column" "$tmp/out" "nocol.csv:1:1: error: column 'pattern' of table drug_indication is not in the header of"
has "bad regex" "$tmp/out" "bad.csv:3:8: error: column 'pattern' (regex): '(unclosed' is not a valid regular expression"
has "bad int" "$tmp/out" "bad.csv:4:6: error: column 'pattern_id' (int): 'x' is"
has "no such table" "$tmp/out" "bad.rules:4:14: error: 'extend table drug_indicatoin': no such table"
has "no such file" "$tmp/out" "bad.rules:5:35: error: cannot open"
has "regex in a schema" "$tmp/out" "bad.rules:6:18: error: regex is a type of table columns only"
printf 'code,name,pattern_id,pattern\nX1,a,1,[[:alpha:\n' >"$tmp/indication.csv"
"$arbiter" lint "$tmp/base.rules" "${S[@]}" >"$tmp/out" 2>&1
expect_rc "bad regex in the table" 2 $? "$tmp/out"
has "bad regex in the table" "$tmp/out" "indication.csv:2:8: error: column 'pattern' (regex)"
cat >"$tmp/use.rules" <<'R'
import "base.rules"
category X "x" { code "X" }
rule X.1 in X
  for line in claim.lines
  match r in drug_indication on line.item_code
  when line.item_name matches r.name
  flag line message "{r.pattern}"
R
cp "$d/indication.csv" "$tmp/"
"$arbiter" lint "$tmp/use.rules" "${S[@]}" >"$tmp/out" 2>&1
expect_rc "regex misuse" 2 $? "$tmp/out"
has "matches text" "$tmp/out" "use.rules:6:31: error: 'matches' needs a regular expression: a string literal or a table's regex column"
has "regex in a message" "$tmp/out" "use.rules:7:23: error: a message can show scalar values, not regex"

# 3. interpreter, JIT, AOT through a pack: the same findings; JSON and CSV
cat >"$tmp/claims.jsonl" <<'J'
{"claim_id":"C1","person_id":"P1","care_type":"outpatient","diagnoses":[{"code":"I10","name":"高血压"}],"lines":[{"line_no":1,"item_code":"XJ01CAA797E001010105925","amount":"10.00"},{"line_no":2,"item_code":"XL01AA01","amount":"20.00"}]}
{"claim_id":"C2","person_id":"P2","care_type":"outpatient","diagnoses":[{"code":"J18","name":"肺炎"},{"code":"C34","name":"肺癌"}],"lines":[{"line_no":1,"item_code":"XJ01CAA797E001010105925","amount":"10.00"},{"line_no":2,"item_code":"XL01AA01","amount":"20.00"},{"line_no":3,"item_code":"XB01AFL383A001010101767","amount":"5.00"}]}
{"claim_id":"C3","person_id":"P3","care_type":"outpatient","diagnoses":[{"code":"J18"}],"lines":[{"line_no":1,"item_code":"XJ01CAA797E001010105925","amount":"10.00"}]}
J
"$arbiter" check "$d/base.rules" --claims "$tmp/claims.jsonl" -o "$tmp/f_interp" --quiet "${S[@]}"
expect_rc "check interp" 0 $? "$tmp/f_interp"
[ "$(wc -l <"$tmp/f_interp")" -eq 3 ] && ok || bad "interp: 3 findings expected: $(cat "$tmp/f_interp")"
has "C1 line 1" "$tmp/f_interp" '"claim_id":"C1","rule":"DRUG_INDICATION.1","category":"DRUG_INDICATION","category_code":"NHSA2025-008","severity":"medium","nature":"suspicious","points":1,"line_no":1'
has "C2 line 3 (empty pattern)" "$tmp/f_interp" '"claim_id":"C2","rule":"DRUG_INDICATION.1","category":"DRUG_INDICATION","category_code":"NHSA2025-008","severity":"medium","nature":"suspicious","points":1,"line_no":3'
"$arbiter" check "$d/base.rules" --claims "$tmp/claims.jsonl" -o "$tmp/f_jit" --quiet --backend jit "${S[@]}"
cmp -s "$tmp/f_interp" "$tmp/f_jit" && ok || bad "JIT differs: $(diff "$tmp/f_interp" "$tmp/f_jit")"
"$arbiter" compile "$d/base.rules" -o "$tmp/p.arbpack" --native "${S[@]}" >"$tmp/out" 2>&1
expect_rc "compile --native" 0 $? "$tmp/out"
"$arbiter" check --pack "$tmp/p.arbpack" --claims "$tmp/claims.jsonl" -o "$tmp/f_pack" --quiet
cmp -s "$tmp/f_interp" "$tmp/f_pack" && ok || bad "pack (interp) differs: $(diff "$tmp/f_interp" "$tmp/f_pack")"
"$arbiter" check --pack "$tmp/p.arbpack" --backend native --claims "$tmp/claims.jsonl" -o "$tmp/f_aot" --quiet
cmp -s "$tmp/f_interp" "$tmp/f_aot" && ok || bad "AOT differs: $(diff "$tmp/f_interp" "$tmp/f_aot")"
# the same claims as CSV: diagnoses.csv has a name column
mkdir -p "$tmp/csv"
printf 'claim_id,person_id,care_type\nC1,P1,outpatient\nC2,P2,outpatient\nC3,P3,outpatient\n' >"$tmp/csv/claims.csv"
printf 'claim_id,line_no,item_code,amount\nC1,1,XJ01CAA797E001010105925,10.00\nC1,2,XL01AA01,20.00\nC2,1,XJ01CAA797E001010105925,10.00\nC2,2,XL01AA01,20.00\nC2,3,XB01AFL383A001010101767,5.00\nC3,1,XJ01CAA797E001010105925,10.00\n' >"$tmp/csv/lines.csv"
printf 'claim_id,code,name\nC1,I10,高血压\nC2,J18,肺炎\nC2,C34,肺癌\nC3,J18,\n' >"$tmp/csv/diagnoses.csv"
"$arbiter" check "$d/base.rules" --claims "$tmp/csv/claims.csv" -o "$tmp/f_csv" --quiet "${S[@]}"
expect_rc "check csv" 0 $? "$tmp/f_csv"
cmp -s "$tmp/f_interp" "$tmp/f_csv" && ok || bad "CSV differs: $(diff "$tmp/f_interp" "$tmp/f_csv")"

# rule rows in `lint --stats`: a rule's own match counts the table's rows;
# a match inside an aggregate does not make the rule one per row
printf 'code,grp\nA1,g\nA2,g\nA3,h\n' > "$tmp/surg.csv"
cat > "$tmp/rows.rules" <<'R'
category SD "x" { code "X" }
table surg from "surg.csv" { code code key  grp text }
rule SD.1 in SD when count(x in claim.lines, match q in surg on x.item_code) > 1 flag claim
rule SD.2 in SD for line in claim.lines match r in surg on line.item_code when line.quantity > 1 flag line
R
"$arbiter" lint --stats "$tmp/rows.rules" --stdlib "$src/stdlib-rules" > "$tmp/stats" 2>&1
grep -qE '^  SD +2 +4$' "$tmp/stats" && ok || bad "rule rows: $(grep -E '^  SD' "$tmp/stats")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
