#!/usr/bin/env bash
# import_nhsa.sh ARBITER SRC — `arbiter import nhsa` over the real national
# knowledge points, ../shared/data/nhsa/knowledge_points.json beside the
# repository (not in it).  Skipped (exit 77) when the file is absent.
# Checks the per-category figures the command prints (knowledge points,
# codes, points imported, table rows, points incomplete and their codes)
# against the numbers below, that incomplete.csv lists every incomplete point,
# that the category files of its own lint, and the whole library with the
# standard library once stdlib-rules has its category files.
set -uo pipefail
arbiter=$1 src=$2
kp=$src/../shared/data/nhsa/knowledge_points.json
if [ ! -f "$kp" ]; then
  echo "skipped: $kp not found"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

out=$("$arbiter" import nhsa "$kp" -o "$tmp/lib"); rc=$?
[ $rc -eq 0 ] && ok || bad "import exited $rc"
grep -q '3899 knowledge points, 30264 item codes, 21 categories' <<< "$out" && ok || bad "header: $out"
# seq id points codes imported rows incomplete incomplete-codes
while read -r seq id pts codes imp rows inc incc; do
  line=$(printf '%s\n' "$out" | awk -v s="$seq" -v i="$id" '$1 == s && $2 == i')
  got=$(printf '%s' "$line" | awk '{print $1, $2, $3, $4, $5, $6, $7, $8}')
  [ "$got" = "$seq $id $pts $codes $imp $rows $inc $incc" ] && ok || bad "expected '$seq $id $pts $codes $imp $rows $inc $incc', got '$got'"
done <<'TABLE'
1 DRUG_WORK_INJURY 18 179 18 95 0 0
2 DRUG_MATERNITY 6 57 6 30 0 0
3 HERB_EXCLUDED 37 37 37 37 0 0
4 HERB_SINGLE 116 116 116 116 0 0
5 DRUG_SECOND_LINE 110 601 0 0 110 601
7 DRUG_CHILD 24 65 24 45 0 0
8 DRUG_INDICATION 510 5064 467 4532 43 532
10 DRUG_COURSE 59 2317 59 1173 0 0
12 DRUG_FACILITY_LEVEL 123 1937 123 979 0 0
13 DRUG_CARE_TYPE 76 1511 76 807 0 0
15 SURGERY_DISCOUNT 378 378 0 0 378 378
23 SERVICE_COURSE 11 11 11 11 0 0
25 SERVICE_DUP_CHARGE 900 1800 900 900 0 0
27 SERVICE_PER_DAY 67 67 67 67 0 0
29 SERVICE_AGE 1 1 1 1 0 0
31 SERVICE_PERIOD 14 14 14 14 0 0
47 INTERNET_DRUG 22 232 22 232 0 0
65 DRUG_CHILD_ONLY 366 6427 366 4441 0 0
67 DRUG_SEX 640 9030 640 6590 0 0
80 SERVICE_CHILD_ONLY 30 30 30 30 0 0
81 SERVICE_SEX 391 390 390 390 1 0
TABLE
grep -qE '^ +total +3899 +30264 +3367 +20490 +532 +1511$' <<< "$out" && ok || bad "totals: $(printf '%s\n' "$out" | grep total)"

# every incomplete point is listed once, with a reason
n=$(($(wc -l < "$tmp/lib/incomplete.csv") - 1))
[ "$n" -eq 532 ] && ok || bad "incomplete.csv has $n points"
[ "$(cut -d, -f2 "$tmp/lib/incomplete.csv" | sort | uniq -d | wc -l)" -eq 0 ] && ok || bad "a point is listed twice"
# every table row count agrees with the report
for f in "$tmp"/lib/tables/*.csv; do
  t=$(basename "$f" .csv)
  rows=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1]))))" "$f")
  grep -qE " $rows +[0-9]+ +[0-9]+  (tables/$t.csv|[0-9]+_\*.rules)" <<< "$out" && ok || bad "$t.csv has $rows rows"
done
[ "$(grep -c '^extend table' "$tmp/lib/library.rules")" -eq 18 ] && ok || bad "library.rules should extend 18 tables"

# the category files of its own lint by themselves
out=$("$arbiter" lint --stdlib "$src/stdlib-rules" "$tmp"/lib/[0-9]*_*.rules 2>&1) && ok || bad "lint: $out"
# every cell has its stdlib type: library.rules against stub declarations of
# the stdlib tables (SPEC §2), once arbiter reads `extend table`
mkdir -p "$tmp/probe" "$tmp/stub/tables"
printf 'code\n' > "$tmp/probe/t.csv"
printf 'table t from "t.csv" {\n  code code key\n}\nextend table t from "t.csv"\n' > "$tmp/probe/extend.rules"
printf 'table r from "t.csv" {\n  code code key\n  p regex\n}\n' > "$tmp/probe/regex.rules"
if "$arbiter" lint --stdlib "$src/stdlib-rules" "$tmp/probe/extend.rules" >/dev/null 2>&1; then
  pattern_type=text
  "$arbiter" lint --stdlib "$src/stdlib-rules" "$tmp/probe/regex.rules" >/dev/null 2>&1 && pattern_type=regex
  stub() { # table, columns as "name type" after code and name
    local t=$1 h=code,name; shift
    { printf 'table %s from "tables/%s.csv" {\n  code code key\n  name text\n' "$t" "$t"
      for c in "$@"; do printf '  %s\n' "$c"; h="$h,${c%% *}"; done
      printf '  kp text\n  note text\n}\n'; } >> "$tmp/stub/stub.rules"
    printf '%s,kp,note\n' "$h" > "$tmp/stub/tables/$t.csv"
  }
  age="min_age int|age_under int|max_age_days int"
  IFS='|' read -r a1 a2 a3 <<< "$age"
  stub drug_work_injury "insurance insurance_type"
  stub drug_maternity "insurance insurance_type"
  stub herb_excluded
  stub herb_single
  stub drug_child "$a1" "$a2" "$a3"
  stub drug_indication "pattern_id int" "pattern $pattern_type"
  stub drug_course "max_days int"
  stub drug_facility_level "min_level int"
  stub drug_care_type "care care_type" "emergency_ok bool"
  stub service_course "max_days int"
  stub service_dup_charge "with_code code" "with_name text"
  stub service_per_day "unit text" "max_per_day int"
  stub service_age "$a1" "$a2" "$a3"
  stub service_period "period_days int" "max_in_period int"
  stub internet_drug "care care_type"
  stub drug_child_only "$a1" "$a2" "$a3"
  stub drug_sex "sex sex"
  stub service_sex "sex sex"
  out=$("$arbiter" lint --stdlib "$src/stdlib-rules" --stats "$tmp/stub/stub.rules" "$tmp"/lib/*.rules 2>&1) && ok || bad "library.rules against the stub tables: $(printf '%s' "$out" | head -20)"
  grep -qE 'tables +19 \(20490 rows\)' <<< "$out" && ok || bad "stats: $out"
else
  echo "note: this arbiter has no 'extend table' yet; library.rules not linted against stub tables"
fi

# and the whole library with the standard library's categories, once it has them
if ls "$src"/stdlib-rules/[0-9]*_*.rules >/dev/null 2>&1; then
  out=$("$arbiter" lint --stdlib "$src/stdlib-rules" "$src"/stdlib-rules/[0-9]*_*.rules "$tmp"/lib/*.rules 2>&1) && ok || bad "lint with the stdlib: $(printf '%s' "$out" | head -20)"
else
  echo "note: stdlib-rules has no category files yet; library.rules not linted"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
