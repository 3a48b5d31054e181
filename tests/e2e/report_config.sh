#!/usr/bin/env bash
# report_config.sh ARBITER SRC — the report configuration in the language
# (`report { ... }`, docs/language.md): the standard library's report.rules
# gives the same report, byte for byte, as the builder's built-in defaults;
# a library whose report changes the ladder (2/5/9) and the routes changes
# the ledger and the worklists accordingly (recomputed here from the
# findings with jq); --ledger overrides the period; a pack carries it; and
# lint and report refuse a bad configuration with its positions.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi; }
rows() { tail -n +2 "$1" | python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(sys.stdin)))"; }
export ARBITER_STDLIB="$src/stdlib-rules"

"$arbiter" gen claims --n 2500 --seed 11 -o claims.jsonl
"$arbiter" check "$src"/examples/rules/*.rules --claims claims.jsonl -o f.jsonl --quiet 2>/dev/null
n=$(wc -l <f.jsonl)
[ "$n" -gt 100 ] && ok || bad "only $n findings"

# 1. the standard library's report.rules = the built-in defaults, byte for byte
mkdir std builtin empty
"$arbiter" report f.jsonl --claims claims.jsonl -o std.html --csv std --quiet || bad "report exit $?"
ARBITER_STDLIB="$tmp/empty" "$arbiter" report f.jsonl --claims claims.jsonl -o builtin.html \
  --csv builtin --quiet || bad "report without a configuration: exit $?"
cmp -s std.html builtin.html && ok || bad "the HTML differs from the built-in defaults'"
diff -r std builtin >/dev/null && ok || bad "the CSV tables differ from the built-in defaults'"
mkdir std2
"$arbiter" report f.jsonl --claims claims.jsonl --csv std2 --rules "$src/stdlib-rules/report.rules" \
  --quiet || bad "--rules report.rules: exit $?"
diff -r std std2 >/dev/null && ok || bad "--rules with the stdlib's file gives another report"

# 2. a library with its own ladder and routes
mkdir lib
cat >lib/report.rules <<'R'
report {
  worklist "督办" when severity high or nature definite
  worklist "科室自查" otherwise
  ledger calendar_year {
    at 2 "提醒谈话"
    at 5 "警示约谈"
    at 9 "暂停医保支付资格"
  }
}
R
"$arbiter" lint lib >/dev/null 2>&1 && ok || bad "lint of the library's report"
mkdir own
"$arbiter" report f.jsonl --claims claims.jsonl --csv own --rules lib --quiet || bad "--rules exit $?"
esc=$(jq -s 'map(select(.severity == "high" or .nature == "definite")) | length' f.jsonl)
eq "督办 rows" "$(rows own/worklist_3_督办.csv)" "$esc"
eq "医保办复核 rows" "$(rows own/worklist_2_医保办复核.csv)" 0
eq "科室自查 rows" "$(rows own/worklist_1_科室自查.csv)" "$((n - esc))"
# the ledger: each doctor's points in the calendar year of the latest
# settle date, and the sanction of the highest threshold reached
year=$(jq -r '.settle_time // empty' claims.jsonl | sort | tail -1 | cut -c1-4)
jq -r --arg y "$year" 'select((.settle_date // "" | startswith($y)) and (.doctor // "") != "")
  | "\(.doctor) \(.points)"' f.jsonl |
  awk '{p[$1] += $2} END {for (d in p) if (p[d] > 0) {
    s = p[d] >= 9 ? "暂停医保支付资格" : p[d] >= 5 ? "警示约谈" : p[d] >= 2 ? "提醒谈话" : "";
    print d "," p[d] "," s}}' | sort >want.txt
tail -n +2 own/ledger.csv | python3 -c "
import csv, sys
for r in csv.reader(sys.stdin): print(f'{r[0]},{r[2]},{r[4]}')" | sort >got.txt
[ -s want.txt ] && ok || bad "no doctor has points (the test proves nothing)"
grep -q ',提醒谈话$' got.txt && ok || bad "no doctor at the new first step"
diff want.txt got.txt >/dev/null && ok || bad "ledger differs: $(diff want.txt got.txt | head -5)"
# the grade is the standard library's (the library declares none)
eq "grades unchanged" "$(md5sum <own/grades.csv)" "$(md5sum <std/grades.csv)"
# --ledger overrides the library's period
mkdir roll roll_std
"$arbiter" report f.jsonl --claims claims.jsonl --csv roll --rules lib --ledger rolling --quiet
cat >lib2.rules <<'R'
report {
  ledger rolling_12_months {
    at 2 "提醒谈话"
    at 5 "警示约谈"
    at 9 "暂停医保支付资格"
  }
  worklist "督办" when severity high or nature definite
  worklist "科室自查" otherwise
}
R
"$arbiter" report f.jsonl --claims claims.jsonl --csv roll_std --rules lib2.rules --quiet
diff roll/ledger.csv roll_std/ledger.csv >/dev/null && ok || bad "--ledger rolling is not rolling_12_months"

# 3. through a pack
"$arbiter" compile "$src/stdlib-rules/report.rules" lib -o lib.pack 2>/dev/null || bad "compile exit $?"
mkdir packed
"$arbiter" report f.jsonl --claims claims.jsonl --csv packed --pack lib.pack --quiet || bad "--pack exit $?"
diff -r own packed >/dev/null && ok || bad "the pack gives another report than its rules"

# 4. errors with positions: lint, and report refuses the library
cat >badlib.rules <<'R'
report {
  worklist "督办" when severity extreme
  worklist "医保办复核" when nature definite
  ledger calendar_year {
    at 5 "a"
    at 3 "b"
  }
  grade {
    indicator happiness weight 1 good 1 bad 2
    indicator repeat_share weight -1 good 5 bad 30
    cut A 90 B 95 C 60
  }
}
R
"$arbiter" lint badlib.rules >/dev/null 2>lint.err; eq "lint exit" $? 2
for want in "badlib.rules:2:31: error: unknown severity 'extreme'" \
  "badlib.rules:6:8: error: ledger thresholds must rise" \
  "badlib.rules:9:15: error: unknown indicator 'happiness'" \
  "badlib.rules:10:35: error: an indicator's weight is a number above 0" \
  "badlib.rules:11:5: error: grade cut-offs must fall"; do
  grep -qF "$want" lint.err && ok || bad "lint does not say: $want"
done
"$arbiter" report f.jsonl --claims claims.jsonl --csv own --rules badlib.rules 2>rep.err
eq "report with a bad library: exit" $? 2
grep -q "badlib.rules:2:31" rep.err && ok || bad "report does not show the error's position"
# unrouted findings, and in Chinese
printf 'report {\n  worklist "督办" when severity high\n}\n' >gap.rules
"$arbiter" --lang zh_CN lint gap.rules 2>gap.err; eq "lint of a gap: exit" $? 2
grep -q "gap.rules:2:3: .*严重程度为 low、性质为 suspicious" gap.err && ok || bad "gap not reported in Chinese: $(cat gap.err)"
# two in the library's own files
cp lib/report.rules again.rules
"$arbiter" lint lib again.rules 2>two.err; eq "two reports: exit" $? 2
grep -q "again.rules:1:1: error: report is declared twice" two.err && grep -q "lib/report.rules:1:1: note" two.err &&
  ok || bad "two reports: $(cat two.err)"
# usage
"$arbiter" report f.jsonl --claims claims.jsonl --csv own --rules lib --pack lib.pack 2>/dev/null
eq "--rules with --pack: exit" $? 2
"$arbiter" report --help | grep -q -- "--rules PATH" && ok || bad "--help does not show --rules"
# `report` may still name a field
printf 'schema audit { report code }\n' >field.rules
"$arbiter" lint field.rules >/dev/null 2>&1 && ok || bad "'report' no longer names a field"

echo "report_config: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
