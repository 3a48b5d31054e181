#!/usr/bin/env bash
# report.sh ARBITER SRC — `arbiter report`: its CSV tables agree with totals
# recomputed from the findings and claims (jq), money at risk counts each
# line once and never exceeds money claimed (per department, doctor,
# facility), --period keeps the period's claims, findings out of the claims'
# order are refused with their position, a failed run leaves old outputs,
# and usage errors.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi; }
"$arbiter" gen claims --n 1500 --seed 7 -o claims.jsonl
"$arbiter" check "$src"/examples/rules/*.rules --claims claims.jsonl -o f.jsonl --quiet --stdlib "$src/stdlib-rules" 2>/dev/null
"$arbiter" check "$src"/examples/rules/*.rules --claims claims.jsonl -o f3.jsonl --threads 3 --quiet --stdlib "$src/stdlib-rules" 2>/dev/null
cmp -s f.jsonl f3.jsonl && ok || bad "3 threads give other findings (ids included)"
mkdir csv
"$arbiter" report f.jsonl --claims claims.jsonl -o r.html --csv csv 2>sum || bad "report exit $?"
[ -s r.html ] && ok || bad "no HTML"
grep -q '<html lang="zh-CN">' r.html && ok || bad "not a Chinese HTML page"
grep -q 'echarts' r.html && ok || bad "ECharts is not inlined"
grep -Eq '<script[^>]+src=|<link[^>]+href=.http' r.html && bad "the report fetches something" || ok
# the HTML holds aggregates: far fewer finding ids than findings
n=$(wc -l <f.jsonl)
ids=$(grep -o '[0-9a-f]\{32\}' r.html | sort -u | wc -l)
[ "$ids" -le 150 ] && ok || bad "the HTML holds $ids finding ids"
# totals recomputed with jq
cents() { jq -s "map($1 | tonumber * 100 | round) | add // 0" "$2"; }
col() { # CSV FILE, 1-based column: its sum in cents (header and BOM skipped)
  tail -n +2 "$1" | python3 -c "import csv,sys; print(sum(round(float(r[$2-1])*100) for r in csv.reader(sys.stdin)))"; }
cnt() { tail -n +2 "$1" | python3 -c "import csv,sys; print(sum(int(r[$2-1]) for r in csv.reader(sys.stdin)))"; }
eq "claims by department" "$(cnt csv/by_dept.csv 2)" "$(grep -c . claims.jsonl)"
eq "findings by department" "$(cnt csv/by_dept.csv 6)" "$n"
eq "findings by doctor" "$(cnt csv/by_doctor.csv 6)" "$n"
eq "claimed by facility" "$(col csv/by_facility.csv 4)" "$(cents .total_amount claims.jsonl)"
eq "at risk by department" "$(col csv/by_dept.csv 8)" "$(cents .at_risk f.jsonl)"
eq "findings' amounts by department" "$(col csv/by_dept.csv 7)" "$(cents .amount f.jsonl)"
# at risk once per line: the findings' at_risk add up to check's summary
"$arbiter" check "$src"/examples/rules/*.rules --claims claims.jsonl -o /dev/null --summary s.json --quiet --stdlib "$src/stdlib-rules" 2>/dev/null
eq "at risk equals check's summary" "$(cents .at_risk f.jsonl)" \
  "$(jq '.at_risk | tonumber * 100 | round' s.json)"
# at risk never exceeds claimed, per group
for t in by_dept by_doctor by_facility; do
  over=$(tail -n +2 csv/$t.csv | python3 -c "import csv,sys; print(sum(1 for r in csv.reader(sys.stdin) if float(r[7]) > float(r[3]) and r[0]))")
  eq "$t: groups with more at risk than claimed" "$over" 0
done
rows=0
for w in csv/worklist_*.csv; do rows=$((rows + $(tail -n +2 "$w" | python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(sys.stdin)))"))); done
eq "worklist rows" "$rows" "$n"
eq "worklist files" "$(ls csv/worklist_*.csv | wc -l)" 3
head -c 3 csv/ledger.csv | od -An -tx1 | grep -q "ef bb bf" && ok || bad "CSV tables have no BOM"
grep -q "^﻿医师,科室,记分,违规条数,处理" csv/ledger.csv && ok || bad "ledger header"
# the workbook read back (zipfile + sheet XML): sheet names, totals
"$arbiter" report f.jsonl --claims claims.jsonl --xlsx r.xlsx --quiet || bad "--xlsx exit $?"
python3 - r.xlsx "$(cents .at_risk f.jsonl)" "$n" >xl.out <<'PY' && ok || bad "workbook: $(cat xl.out)"
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
want = ["汇总", "按科室", "按医师", "按机构", "记分台账", "机构等级", "科室自查", "医保办复核", "督办"]
assert names[:9] == want, names
assert any(n.startswith("督办-") for n in names), names
def col(i, c):
    x = z.read(f"xl/worksheets/sheet{i}.xml").decode()
    return [float(v) for r, v in re.findall(r'<c r="' + c + r'(\d+)"[^>]*><v>([^<]*)</v>', x) if r != "1"]
assert round(sum(col(2, "H")) * 100) == int(sys.argv[2]), (sum(col(2, "H")), sys.argv[2])
rows = sum(len(col(i, "L")) for i in (7, 8, 9))
assert rows == int(sys.argv[3]), (rows, sys.argv[3])
print("ok", len(names), "sheets")
PY
# the summary line
grep -q "report: $(grep -c . claims.jsonl) claims audited" sum && ok || bad "summary: $(cat sum)"
# --period: a quarter's claims only
"$arbiter" report f.jsonl --claims claims.jsonl --period 2025Q3 --csv csv --quiet || bad "--period exit $?"
# --csv makes its directory when missing (not its parent), and a file in
# the way is an error naming it
"$arbiter" report f.jsonl --claims claims.jsonl --period 2025Q3 --csv newcsv --quiet &&
  cmp -s csv/by_dept.csv newcsv/by_dept.csv && ok || bad "--csv into a missing directory"
"$arbiter" report f.jsonl --claims claims.jsonl --csv no/such/dir --quiet 2>mk.err
[ $? -ne 0 ] && grep -q "cannot make the directory no/such/dir" mk.err && ok || bad "--csv under a missing parent: $(cat mk.err)"
q3=$(jq -s '[.[] | select(.settle_time >= "2025-07-01" and .settle_time < "2025-10-01")] | length' claims.jsonl)
eq "claims of 2025Q3" "$(cnt csv/by_dept.csv 2)" "$q3"
q3f=$(jq -s '[.[] | select(.settle_date >= "2025-07-01" and .settle_date <= "2025-09-30")] | length' f.jsonl)
eq "findings of 2025Q3" "$(cnt csv/by_dept.csv 6)" "$q3f"
# findings out of the claims' order: refused with the position; old outputs stay
cp r.html r.old
(tail -n 1 f.jsonl; head -n -1 f.jsonl) >shuffled.jsonl
"$arbiter" report shuffled.jsonl --claims claims.jsonl -o r.html 2>err
eq "out of order: exit" "$?" 3
grep -q "shuffled.jsonl:2: the finding's claim" err && ok || bad "out of order: $(cat err)"
cmp -s r.html r.old && ok || bad "a failed run changed the old report"
# usage
"$arbiter" report --help | grep -q "usage: arbiter report" && ok || bad "--help"
"$arbiter" report f.jsonl -o x.html 2>/dev/null; eq "no --claims" $? 2
"$arbiter" report f.jsonl --claims claims.jsonl 2>/dev/null; eq "no output" $? 2
"$arbiter" report f.jsonl --claims claims.jsonl -o x.html --period 2025Q5 2>/dev/null; eq "bad period" $? 2
"$arbiter" report f.jsonl --claims claims.jsonl -o x.html --from 2025-09-01 --to 2025-01-01 2>/dev/null; eq "from after to" $? 2
"$arbiter" report missing.jsonl --claims claims.jsonl -o x.html 2>err; eq "missing findings" $? 3
grep -q "cannot read missing.jsonl" err && ok || bad "missing file message: $(cat err)"
# check --excel: CSV findings with a BOM
"$arbiter" check "$src"/examples/rules/*.rules --claims claims.jsonl -o f.csv --excel --quiet --stdlib "$src/stdlib-rules" 2>/dev/null
head -c 3 f.csv | od -An -tx1 | grep -q "ef bb bf" && ok || bad "--excel: no BOM"
head -1 f.csv | grep -q "claim_id,rule,.*,finding_id,category_title,tier,person_id,facility_id,dept,doctor,settle_date,at_risk" && ok || bad "--excel header: $(head -1 f.csv)"
eq "--excel rows" "$(($(python3 -c "import csv; print(sum(1 for _ in csv.reader(open('f.csv', encoding='utf-8-sig'))))") - 1))" "$n"
# 3103 feedback: the compliance rate of the facility grades and the
# overview, recomputed with jq; the latest answer to a warning counts, an
# answer to no finding of the period is counted apart, a bad answer is
# refused with its line, and --history reads the same answers from a store
jq -c '{jr_id: .finding_id, dspo_way: (if (.line_no // 0) % 3 == 0 then "1" else "2" end)}' f.jsonl >fb.jsonl
first=$(jq -r .finding_id f.jsonl | head -1)
# the first warning: followed at first, then answered again, not followed
sed -i '1s/"dspo_way":"1"/"dspo_way":"2"/' fb.jsonl
echo "{\"jr_id\":\"$first\",\"dspo_way\":\"1\",\"dspo_way_rea\":\"病情需要\"}" >>fb.jsonl
echo '{"jr_id":"no-such-warning","dspo_way":"2"}' >>fb.jsonl
mkdir fbcsv
"$arbiter" report f.jsonl --claims claims.jsonl --csv fbcsv -o fb.html --feedback fb.jsonl 2>sum || bad "--feedback exit $?"
# per facility with answered findings: the share followed by the latest
# answer (facilities without answers show none)
jq -s 'map({key: .jr_id, value: .dspo_way}) | from_entries' fb.jsonl >latest.json
jq -r --slurpfile w latest.json '[.facility_id, ($w[0][.finding_id] // "")] | @tsv' f.jsonl |
  awk -F'\t' '$2 != "" {a[$1]++; if ($2 == "2") f[$1]++} END {for (k in a) printf "%s,%.2f\n", k, 100 * f[k] / a[k]}' |
  sort >expect_rate
tail -n +2 fbcsv/grades.csv | python3 -c "import csv,sys; [print(r[0] + ',' + r[5]) for r in csv.reader(sys.stdin) if r[5]]" | sort >got_rate
if cmp -s expect_rate got_rate && [ -s got_rate ]; then ok; else bad "compliance by facility:"; diff expect_rate got_rate | head -5; fi
tail -n +2 csv/grades.csv | python3 -c "import csv,sys; sys.exit(any(r[5] for r in csv.reader(sys.stdin)))" && ok || bad "a compliance rate without feedback"
followed=$(jq -r --slurpfile w latest.json 'select($w[0][.finding_id] == "2") | 1' f.jsonl | wc -l)
grep -q "feedback: $((n + 2)) answers; $n findings of the period answered, $followed followed" sum && ok || bad "feedback summary: $(cat sum)"
grep -q "1 warnings answered are no finding of the period" sum && ok || bad "unmatched answer not counted: $(cat sum)"
grep -q '"answered":'"$n" fb.html && ok || bad "the HTML has no answered total"
echo '{"jr_id":"x","dspo_way":"3"}' >badfb.jsonl
"$arbiter" report f.jsonl --claims claims.jsonl -o x.html --feedback badfb.jsonl 2>err; eq "bad feedback: exit" $? 3
grep -q "badfb.jsonl:1: dspo_way '3'" err && ok || bad "bad feedback message: $(cat err)"
"$arbiter" history init store --quiet 2>/dev/null
"$arbiter" history feedback store --add fb.jsonl --quiet 2>/dev/null || bad "history feedback --add"
mkdir hcsv
"$arbiter" report f.jsonl --claims claims.jsonl --csv hcsv --history store --quiet || bad "--history exit $?"
cmp -s hcsv/grades.csv fbcsv/grades.csv && ok || bad "--history gives other grades than --feedback"
"$arbiter" report f.jsonl --claims claims.jsonl -o x.html --history store --feedback fb.jsonl 2>/dev/null; eq "--history with --feedback" $? 2
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
