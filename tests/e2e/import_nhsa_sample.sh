#!/usr/bin/env bash
# import_nhsa_sample.sh ARBITER SRC — `arbiter import nhsa` over the small
# hand-written sample in tests/data/nhsa/ (always runs): the per-category
# report, the tables with the stdlib's columns, library.rules, the category
# file of a category the stdlib lacks (linted, and run over two claims),
# incomplete.csv, the same bytes on a second run, and the errors (malformed
# JSON with file:line:col, missing file, usage) with their exit codes.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
has() { if grep -qE -- "$1" <<< "$out"; then ok; else bad "missing /$1/ in: $out"; fi; }
sample=$src/tests/data/nhsa/sample_knowledge_points.json

out=$("$arbiter" import nhsa "$sample" -o "$tmp/lib"); rc=$?
[ $rc -eq 0 ] && ok || bad "import exited $rc"
# seq, category, points, codes, imported, rows, incomplete, incomplete codes
has '17 knowledge points, 20 item codes, 14 categories'
has '^ +5  DRUG_SECOND_LINE +1 +1 +0 +0 +1 +1  \(no rows\)'
has '^ +7  DRUG_CHILD +1 +1 +1 +1 +0 +0  tables/drug_child.csv'
has '^ +15  SURGERY_DISCOUNT +1 +1 +0 +0 +1 +1 '
has '^ +25  SERVICE_DUP_CHARGE +2 +3 +1 +1 +1 +1  tables/service_dup_charge.csv'
has '^ +65  DRUG_CHILD_ONLY +1 +2 +1 +2 +0 +0 '
has '^ +67  DRUG_SEX +3 +4 +2 +3 +1 +1  tables/drug_sex.csv'
has '^ +80  SERVICE_CHILD_ONLY +1 +1 +1 +1 +0 +0  80_\*.rules'
has '^ +-  \? +1 +1 +0 +0 +1 +1  \(category unknown\) 示例未知类别'
has '^ +total +17 +20 +12 +14 +5 +5$'

# tables: exactly the stdlib's columns
want() { # file, expected content
  if [ "$(cat "$tmp/lib/$1")" = "$2" ]; then ok; else bad "$1 is:"; cat "$tmp/lib/$1"; fi
}
want tables/drug_sex.csv "code,name,sex,kp,note
XG03ZZA901A001010100001,示例调经片,F,KP-SAMPLE-01,用于月经不调，经期腹痛。
XG03ZZA901A001020100001,示例调经片,F,KP-SAMPLE-01,用于月经不调，经期腹痛。
XG04ZZB902A001010100001,示例前列片,M,KP-SAMPLE-02,用于良性前列腺增生。"
want tables/drug_child.csv "code,name,min_age,age_under,max_age_days,kp,note
XR03ZZM905M002010100001,示例口溶膜,2,15,,KP-SAMPLE-05,限：1.2岁至14岁儿童哮喘的预防。"
want tables/drug_course.csv "code,name,max_days,kp,note
XB01ZZA906B002010100001,示例注射液,14,KP-SAMPLE-06,限急性脑梗死，支付不超过14天。"
want tables/service_dup_charge.csv "code,name,with_code,with_name,kp,note
002599000010000,示例电解质测定,003199000010000,示例功能试验,KP-SAMPLE-07,含电解质测定"
want tables/service_per_day.csv "code,name,unit,max_per_day,kp,note
001199000010000,示例监护费,日,1,KP-SAMPLE-10,日"
want tables/drug_work_injury.csv "code,name,insurance,kp,note
XD03ZZB911C001010100001,示例烧伤膏,work_injury,KP-SAMPLE-11,限工伤保险"
want tables/drug_care_type.csv "code,name,care,emergency_ok,kp,note
ZA07ZZA9120101000001,示例急救丸,inpatient,true,KP-SAMPLE-12,限急诊或住院患者。"
want tables/drug_facility_level.csv "code,name,min_level,kp,note
ZA12ZZX9130101000001,示例通络注射液,2,KP-SAMPLE-13,限二级及以上医疗机构。"
want tables/drug_indication.csv "code,name,pattern_id,pattern,kp,note
XL01ZZA914A001010100001,示例替尼片,1,(非小细胞肺癌|乳腺癌),KP-SAMPLE-14,限：1.非小细胞肺癌；2.乳腺癌。"
[ ! -e "$tmp/lib/tables/drug_second_line.csv" ] && ok || bad "a table without rows was written"
out=$(cat "$tmp/lib/library.rules")
has '^extend table drug_sex from "tables/drug_sex.csv"'
has '^extend table drug_indication from "tables/drug_indication.csv"'
[ "$(grep -c '^extend table' "$tmp/lib/library.rules")" -eq 10 ] && ok || bad "library.rules should extend 10 tables"
if grep -q service_child_only "$tmp/lib/library.rules"; then bad "a non-stdlib table in library.rules"; else ok; fi
# incomplete.csv: a header and one line per incomplete point, in category order
out=$(cat "$tmp/lib/incomplete.csv")
[ "$(wc -l < "$tmp/lib/incomplete.csv")" -eq 6 ] && ok || bad "incomplete.csv: $out"
has '^category,kp_id,item_name,codes,first_code,reason,constraint$'
has '^DRUG_SECOND_LINE,KP-SAMPLE-15,'
has '^SURGERY_DISCOUNT,KP-SAMPLE-09,示例胆囊切除术,1,003310990010000,no price in the knowledge point \(surgery_group 肝胆手术组 derived'
has '^DRUG_SEX,KP-SAMPLE-03,示例止痛片,1,XN02ZZC903A001010100001,no word of the text names a sex,'
[ "$(sed -n 2p "$tmp/lib/incomplete.csv" | cut -d, -f1)" = DRUG_SECOND_LINE ] && ok || bad "incomplete.csv not in category order"

# the category file of its own lints and flags what it should
"$arbiter" lint --stdlib "$src/stdlib-rules" "$tmp/lib/80_service_child_only.rules" >/dev/null 2>&1 && ok || bad "80_service_child_only.rules does not lint"
cat > "$tmp/claims.jsonl" <<'JSON'
{"claim_id":"NB1","person_id":"P1","sex":"F","birth_date":"2025-06-01","insurance_type":"resident","care_type":"inpatient","facility_id":"H1","facility_level":3,"dept":"新生儿科","admit_time":"2025-06-10T08:00:00","discharge_time":"2025-06-12T08:00:00","settle_time":"2025-06-12T09:00:00","total_amount":"30.00","diagnoses":[{"code":"P07.300","is_main":true}],"procedures":[],"lines":[{"line_no":1,"item_code":"001299000010000","item_kind":"service","item_name":"示例新生儿护理","time":"2025-06-10T09:00:00","quantity":1,"unit_price":"30.00","amount":"30.00"}]}
{"claim_id":"OLD1","person_id":"P2","sex":"M","birth_date":"2023-01-01","insurance_type":"resident","care_type":"inpatient","facility_id":"H1","facility_level":3,"dept":"儿科","admit_time":"2025-06-10T08:00:00","discharge_time":"2025-06-12T08:00:00","settle_time":"2025-06-12T09:00:00","total_amount":"30.00","diagnoses":[{"code":"J18.900","is_main":true}],"procedures":[],"lines":[{"line_no":1,"item_code":"001299000010000","item_kind":"service","item_name":"示例新生儿护理","time":"2025-06-10T09:00:00","quantity":1,"unit_price":"30.00","amount":"30.00"}]}
JSON
out=$("$arbiter" check --stdlib "$src/stdlib-rules" "$tmp/lib/80_service_child_only.rules" --claims "$tmp/claims.jsonl" --quiet)
has '"claim_id":"OLD1".*"rule":"SERVICE_CHILD_ONLY.3"'
if grep -q '"claim_id":"NB1"' <<< "$out"; then bad "a newborn was flagged: $out"; else ok; fi

# library.rules against stub declarations of the stdlib tables (SPEC §2
# columns and types), once arbiter reads `extend table` (the pattern column
# is `regex` once arbiter has regex columns, `text` before)
mkdir -p "$tmp/probe" "$tmp/stub/tables"
printf 'code\n' > "$tmp/probe/t.csv"
printf 'table t from "t.csv" {\n  code code key\n}\nextend table t from "t.csv"\n' > "$tmp/probe/extend.rules"
printf 'table r from "t.csv" {\n  code code key\n  p regex\n}\n' > "$tmp/probe/regex.rules"
if "$arbiter" lint --stdlib "$src/stdlib-rules" "$tmp/probe/extend.rules" >/dev/null 2>&1; then
  pattern_type=text
  "$arbiter" lint --stdlib "$src/stdlib-rules" "$tmp/probe/regex.rules" >/dev/null 2>&1 && pattern_type=regex
  stub() { # table, columns as "name type" pairs after code and name
    local t=$1; shift
    { printf 'table %s from "tables/%s.csv" {\n  code code key\n  name text\n' "$t" "$t"
      for c in "$@"; do printf '  %s\n' "$c"; done
      printf '  kp text\n  note text\n}\n'; } >> "$tmp/stub/stub.rules"
    local h=code,name
    for c in "$@"; do h="$h,${c%% *}"; done
    printf '%s,kp,note\n' "$h" > "$tmp/stub/tables/$t.csv"
  }
  stub drug_work_injury "insurance insurance_type"
  stub drug_child "min_age int" "age_under int" "max_age_days int"
  stub drug_indication "pattern_id int" "pattern $pattern_type"
  stub drug_course "max_days int"
  stub drug_facility_level "min_level int"
  stub drug_care_type "care care_type" "emergency_ok bool"
  stub service_dup_charge "with_code code" "with_name text"
  stub service_per_day "unit text" "max_per_day int"
  stub drug_child_only "min_age int" "age_under int" "max_age_days int"
  stub drug_sex "sex sex"
  out=$("$arbiter" lint --stdlib "$src/stdlib-rules" --stats "$tmp/stub/stub.rules" "$tmp"/lib/*.rules 2>&1) && ok || bad "library.rules against the stub tables: $out"
  has 'tables +11 \(14 rows\)'
  # a stub row with the wrong type is reported in the imported CSV
  sed -i 's/^XG04ZZB902A001010100001,示例前列片,M,/XG04ZZB902A001010100001,示例前列片,Q,/' "$tmp/lib/tables/drug_sex.csv"
  out=$("$arbiter" lint --stdlib "$src/stdlib-rules" "$tmp/stub/stub.rules" "$tmp"/lib/*.rules 2>&1); rc=$?
  [ $rc -eq 2 ] && ok || bad "a bad cell in an extended table: rc $rc"
  has 'drug_sex.csv:4:'
  sed -i 's/^XG04ZZB902A001010100001,示例前列片,Q,/XG04ZZB902A001010100001,示例前列片,M,/' "$tmp/lib/tables/drug_sex.csv"
else
  echo "note: this arbiter has no 'extend table' yet; library.rules not linted against stub tables"
fi

# with the standard library's categories (once stdlib-rules has them)
if ls "$src"/stdlib-rules/[0-9]*_*.rules >/dev/null 2>&1; then
  out=$("$arbiter" lint --stdlib "$src/stdlib-rules" "$src"/stdlib-rules/[0-9]*_*.rules "$tmp"/lib/*.rules 2>&1) && ok || bad "lint with the stdlib: $out"
else
  echo "note: stdlib-rules has no category files yet; library.rules not linted"
fi

# --prefix-keys: a drug point's codes as one key of the drug's name and form
"$arbiter" import nhsa "$sample" -o "$tmp/prefix" --prefix-keys --quiet && ok || bad "--prefix-keys failed"
want_pk() { if [ "$(cat "$tmp/prefix/$1")" = "$2" ]; then ok; else bad "$1 is:"; cat "$tmp/prefix/$1"; fi; }
want_pk tables/drug_child_only.csv "code,name,min_age,age_under,max_age_days,kp,note
ZA01ZZX9040%,示例小儿感冒颗粒,,18,,KP-SAMPLE-04,用于小儿风热感冒。"
want_pk tables/drug_sex.csv "code,name,sex,kp,note
XG03ZZA901A0010%,示例调经片,F,KP-SAMPLE-01,用于月经不调，经期腹痛。
XG04ZZB902A001010100001,示例前列片,M,KP-SAMPLE-02,用于良性前列腺增生。"

# the same bytes on a second run
"$arbiter" import nhsa "$sample" -o "$tmp/again" --quiet && ok || bad "second run failed"
diff -r "$tmp/lib" "$tmp/again" >/dev/null && ok || bad "a second run differs"

# a local price list completes the surgery rows
printf 'code,name,price\n003310990010000,示例胆囊切除术,1200.50\n' > "$tmp/prices.csv"
out=$("$arbiter" import nhsa "$sample" -o "$tmp/priced" --prices "$tmp/prices.csv"); rc=$?
[ $rc -eq 0 ] && ok || bad "import with --prices exited $rc"
has '^ +15  SURGERY_DISCOUNT +1 +1 +1 +1 +0 +0  tables/surgery_discount.csv'
want_at() { if [ "$(cat "$1")" = "$2" ]; then ok; else bad "$1 is:"; cat "$1"; fi; }
want_at "$tmp/priced/tables/surgery_discount.csv" "code,name,surgery_group,price,kp,note
003310990010000,示例胆囊切除术,肝胆手术组,1200.50,KP-SAMPLE-09,肝胆手术组"
printf 'code,price\nX,12.345\n' > "$tmp/badprices.csv"
out=$("$arbiter" import nhsa "$sample" -o "$tmp/x" --prices "$tmp/badprices.csv" 2>&1); rc=$?
[ $rc -eq 3 ] && ok || bad "a bad price list exited $rc"
has 'badprices.csv:2: error: the price is not an amount of yuan with at most two decimals'

# errors
printf '[\n  {"rule_class": "药品区分性别使用",\n   "med_codes": ["X1" "X2"]}\n]\n' > "$tmp/bad.json"
out=$("$arbiter" import nhsa "$tmp/bad.json" -o "$tmp/x" 2>&1); rc=$?
[ $rc -eq 3 ] && ok || bad "malformed JSON exited $rc"
has "bad.json:3:23: error: expected ',' or '\]' after an array element"
out=$("$arbiter" import nhsa "$tmp/none.json" -o "$tmp/x" 2>&1); rc=$?
[ $rc -eq 4 ] && ok || bad "a missing file exited $rc"
has 'cannot read .*none.json: No such file or directory'
out=$("$arbiter" import nhsa "$sample" 2>&1); rc=$?
[ $rc -eq 2 ] && ok || bad "no -o exited $rc"
has 'no output directory given \(-o DIR\)'
out=$("$arbiter" import cms "$sample" -o "$tmp/x" 2>&1); rc=$?
[ $rc -eq 2 ] && ok || bad "an unknown source exited $rc"
has "unknown source 'cms'"
out=$("$arbiter" import nhsa "$sample" -o "$tmp/x" --child-age 99 2>&1); rc=$?
[ $rc -eq 2 ] && ok || bad "a bad --child-age exited $rc"
out=$("$arbiter" import --help); rc=$?
[ $rc -eq 0 ] && ok || bad "--help exited $rc"
has '^usage: arbiter import nhsa KNOWLEDGE_POINTS.json -o DIR'
out=$("$arbiter" help import); has '^usage: arbiter import nhsa'
out=$("$arbiter" --help); has 'import +turn the national knowledge points'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
