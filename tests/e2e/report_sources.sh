#!/usr/bin/env bash
# report_sources.sh ARBITER SRC — where `arbiter report` takes its claims
# from (issue 15):
# (1) a history store: two batches recorded by `check --record`, then one
#     report over both findings files with --history equals one report over
#     the concatenated claims and findings (HTML, CSV, workbook), for a
#     year and for a quarter; --claims with --history counts a claim in both
#     once; a finding whose claim is in neither is refused with its line; a
#     claim checked again in a later batch counts with its later findings;
# (2) claims read through the library's readers give the report of their
#     canonical JSON twin, byte for byte: 3101 requests (--input nhsa3101),
#     a Chinese-header CSV export (--input his_csv_zh), GB18030 JSON Lines
#     (--encoding gb18030) and canonical CSV (claims.csv beside lines.csv);
#     a record check rejects is skipped and counted.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
lib=$src/stdlib-rules
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# same A B: the HTML, CSV tables and workbook of two report directories
# are the same (the workbook's members but its creation time)
same() {
  local a=$1 b=$2 what=$3 f
  for f in "$a"/*.html "$a"/*.csv; do
    cmp -s "$f" "$b/${f##*/}" || { bad "$what: ${f##*/} differs"; diff <(head -c 3000 "$f") <(head -c 3000 "$b/${f##*/}") | head -5; return; }
  done
  python3 - "$a/r.xlsx" "$b/r.xlsx" <<'EOF' || { bad "$what: the workbooks differ"; return; }
import sys, zipfile
a, b = (zipfile.ZipFile(p) for p in sys.argv[1:3])
assert a.namelist() == b.namelist(), "sheets"
for n in a.namelist():
    if n != "docProps/core.xml":
        assert a.read(n) == b.read(n), n
EOF
  ok
}
report() { "$arbiter" report --stdlib "$lib" -q "$@"; }
rules=("$src"/examples/rules/*.rules)

# ---- (1) the history store's claims as denominators
"$arbiter" gen claims --n 2400 --seed 21 -o all.jsonl
head -1300 all.jsonl >c1.jsonl
tail -n +1301 all.jsonl >c2.jsonl
"$arbiter" check "${rules[@]}" --stdlib "$lib" --claims c1.jsonl --history db --record -o f1.jsonl --quiet || bad "check --record 1: $?"
"$arbiter" check "${rules[@]}" --stdlib "$lib" --claims c2.jsonl --history db --record -o f2.jsonl --quiet || bad "check --record 2: $?"
cat f1.jsonl f2.jsonl >f12.jsonl
[ -s f1.jsonl ] && [ -s f2.jsonl ] && ok || bad "a batch gives no findings"
: >none.jsonl # --history brings the store's (no) 3103 answers: the same for the twin
for p in "" 2025Q2; do
  per=()
  [ -n "$p" ] && per=(--period "$p")
  rm -rf one two && mkdir one two
  report f12.jsonl --claims all.jsonl "${per[@]}" --feedback none.jsonl -o one/r.html --csv one --xlsx one/r.xlsx || bad "report --claims $p: $?"
  report f1.jsonl f2.jsonl --history db "${per[@]}" -o two/r.html --csv two --xlsx two/r.xlsx 2>sum || bad "report --history $p: $?"
  same one two "two batches in a store = the concatenated claims${p:+ ($p)}"
done
"$arbiter" report --stdlib "$lib" f1.jsonl f2.jsonl --history db -o two/r.html 2>sum
grep -q "^history: 2400 claims in the store, 2400 of them counted" sum && ok || { bad "store summary"; cat sum; }
grep -q "^report: 2400 claims audited" sum && ok || bad "claims audited"
# --claims and --history: a claim in both counts once
rm -rf three && mkdir three
report f1.jsonl f2.jsonl --history db --claims c2.jsonl -o three/r.html --csv three --xlsx three/r.xlsx || bad "--claims with --history: $?"
rm -rf one && mkdir one
report f12.jsonl --claims all.jsonl --feedback none.jsonl -o one/r.html --csv one --xlsx one/r.xlsx
same one three "--claims and --history together"
# only the first batch in the store, the second given as --claims
"$arbiter" check "${rules[@]}" --stdlib "$lib" --claims c1.jsonl --history db1 --record -o /dev/null --quiet
rm -rf four && mkdir four
report f1.jsonl f2.jsonl --history db1 --claims c2.jsonl -o four/r.html --csv four --xlsx four/r.xlsx || bad "store + the next batch: $?"
same one four "batch 1 in the store, batch 2 as --claims"
# a finding whose claim is in neither the claims nor the store
report f1.jsonl f2.jsonl --history db1 -o x.html 2>err && bad "a finding without its claim was taken"
grep -q "f2.jsonl:1: the finding's claim '.*' is in neither the claims nor the history store" err && ok || { bad "message"; cat err; }
# a claim checked again later counts with its later findings: a second
# file holding batch 1's first flagged claim's findings, each with 1 point
# more, then batch 2's findings, replaces that claim's findings of batch 1
id=$(head -1 f1.jsonl | jq -r .claim_id)
grep "\"claim_id\":\"$id\"" f1.jsonl | jq -c '.points += 1' >again.jsonl
cat f2.jsonl >>again.jsonl
n1=$(grep -c "\"claim_id\":\"$id\"" f1.jsonl)
rm -rf five && mkdir five
report f1.jsonl again.jsonl --history db --csv five || bad "a claim checked again: $?"
points() { awk -F, 'NR > 1 { s += $11 } END { print s + 0 }' "$1"; }
got=$(points five/by_dept.csv) want=$(points one/by_dept.csv)
[ "$((got - want))" -eq "$n1" ] && [ "$(wc -l <five/worklist_1_科室自查.csv)" -gt 0 ] && ok || bad "later findings: points $got, expected $want + $n1"
[ "$(cat five/worklist_*.csv | grep -c "$id")" -eq "$n1" ] && ok || bad "the claim's findings of batch 1 are counted too"
# a doctor's department is the one of the most claims, whatever the order:
# DX has a claim in 乙科 first, then two in 甲科
jq -c 'if .claim_id == "C00000001" then .doctor = "DX" | .dept = "乙科" | (.lines[]?.doctor) = "DX" | (.lines[]?.dept) = "乙科"
       elif .claim_id == "C00000002" or .claim_id == "C00000003" then .doctor = "DX" | .dept = "甲科" | (.lines[]?.doctor) = "DX" | (.lines[]?.dept) = "甲科"
       else . end' all.jsonl >dx.jsonl
report none.jsonl --claims dx.jsonl --top 100000 -o dx.html || bad "report dx: $?"
python3 - dx.html <<'PY' && ok || bad "doctor DX's department is not 甲科 (most claims)"
import json, re, sys
d = json.loads(re.search(r'id="report-data">(.*?)</script>', open(sys.argv[1]).read(), re.S).group(1))
rows = [x for x in d["doctors"] if x["key"] == "DX"]

sys.exit(0 if rows and rows[0].get("extra") == "甲科" and rows[0]["claims"] == 3 else 1)
PY
# usage
"$arbiter" report f1.jsonl f2.jsonl --claims all.jsonl -o x.html 2>err
[ $? -eq 2 ] && grep -q "several findings files need --history" err && ok || bad "several files without --history"
"$arbiter" report f1.jsonl -o x.html 2>err
[ $? -eq 2 ] && grep -q "give --claims, --history or both" err && ok || bad "no claims"

# ---- (2) claims through the library's readers = their canonical twin
"$arbiter" gen claims --n 500 --seed 11 -o g.jsonl
jq -c --arg form nhsa3101 -f "$src/bench/profiles_twins.jq" g.jsonl >g3101.jsonl
{ head -1 "$src/tests/data/his_csv_zh/export.csv"
  jq -r --arg form his_csv_zh -f "$src/bench/profiles_twins.jq" g.jsonl; } >gexp.csv
iconv -f utf-8 -t gb18030 g.jsonl >ggb.jsonl
mkdir gcsv && "$arbiter" gen claims --n 500 --seed 11 --format csv -o gcsv
"$arbiter" check "$lib" --stdlib "$lib" --claims g.jsonl -o g.out --quiet
[ -s g.out ] && ok || bad "no findings over the generated claims"
rm -rf canon && mkdir canon
report g.out --claims g.jsonl -o canon/r.html --csv canon --xlsx canon/r.xlsx || bad "canonical: $?"
while read -r name args; do
  rm -rf "$name" && mkdir "$name"
  # shellcheck disable=SC2086
  report g.out $args -o "$name/r.html" --csv "$name" --xlsx "$name/r.xlsx" || bad "$name: exit $?"
  same canon "$name" "$name claims = their canonical twin"
done <<EOF
nhsa3101 --claims g3101.jsonl --input nhsa3101
his --claims gexp.csv --input his_csv_zh
gb18030 --claims ggb.jsonl --encoding gb18030
csv --claims gcsv/claims.csv
EOF
# the repository's twins, with the findings of check --input itself
n3101=$src/tests/data/nhsa3101
"$arbiter" check "$lib" --stdlib "$lib" --input nhsa3101 --claims "$n3101/requests.jsonl" -o t.out --quiet 2>/dev/null
rm -rf ta tb && mkdir ta tb
report t.out --claims "$n3101/canonical.jsonl" -o ta/r.html --csv ta --xlsx ta/r.xlsx
report t.out --claims "$n3101/requests.jsonl" --input nhsa3101 -o tb/r.html --csv tb --xlsx tb/r.xlsx
same ta tb "tests/data/nhsa3101"
# a record check rejects is skipped, and counted
{ head -3 g3101.jsonl; echo '{"infno":"3101","input":'; tail -n +4 g3101.jsonl; } >gbad.jsonl
"$arbiter" report --stdlib "$lib" g.out --claims gbad.jsonl --input nhsa3101 -o bad.html 2>sum
grep -q "^claims: 1 records skipped that check rejects" sum && ok || { bad "rejected record not counted"; cat sum; }
grep -q "^report: 500 claims audited" sum && ok || bad "the other claims"
"$arbiter" report --stdlib "$lib" g.out --claims g.jsonl --input nosuch -o x.html 2>err
[ $? -eq 3 ] && grep -q "no input profile 'nosuch'" err && ok || { bad "unknown profile"; cat err; }

echo "report_sources: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
