#!/usr/bin/env bash
# test_cmd.sh ARBITER SRC — `arbiter test` and `arbiter diff`: the example
# golden set passes; changing one constant (a table's price ceiling, or an
# amount in a rule) makes `test` fail and name exactly the findings that
# changed, under that rule only, and reverting makes it pass; --update
# rewrites expected.jsonl (sorted) so that the next run passes; --junit
# writes well-formed XML with a failure element; the result is the same with
# 1 and 3 threads; `diff` reports the same change; bad golden sets give the
# documented exit codes; examples/ci.sh works.
set -uo pipefail
arbiter=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ex=$src/examples
golden=$ex/golden
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# expect NAME WANT_RC GOT_RC OUTPUT_FILE
expect_rc() {
  if [ "$3" -eq "$2" ]; then ok; else bad "$1: exit code $3, expected $2"; sed 's/^/    | /' "$4"; fi
}
# has NAME FILE TEXT: FILE holds TEXT (a fixed string)
has() { if grep -qF -- "$3" "$2"; then ok; else bad "$1: no '$3' in:"; sed 's/^/    | /' "$2"; fi; }
# rule_lines FILE: the rule lines of a report ("    RULE.N  ...")
rule_lines() { grep -E '^    [A-Z_]+\.[0-9]+  ' "$1"; }
t() { "$arbiter" test "$@" --stdlib "$src/stdlib-rules" >"$tmp/out" 2>"$tmp/err"; }

# 1. the example golden set passes
t "$ex"/rules/*.rules --golden "$golden"
expect_rc "examples golden set" 0 $? "$tmp/out"
has "examples golden set" "$tmp/out" "golden $golden: ok, 29 findings"
has "summary" "$tmp/out" "arbiter test: 1 golden set: 1 passed, 0 failed"
t "$ex/rules" --golden "$golden/"          # a directory of rules, a trailing slash
expect_rc "rules as a directory" 0 $? "$tmp/out"

# 2. one constant in a table: the price ceiling of 血细胞分析 20.00 -> 22.00
cp -r "$ex/rules" "$ex/tables" "$tmp/"
cp "$tmp/tables/price_ceiling.csv" "$tmp/price_ceiling.orig"
sed -i 's/^002501010150000,血细胞分析,20.00$/002501010150000,血细胞分析,22.00/' "$tmp/tables/price_ceiling.csv"
cmp -s "$tmp/tables/price_ceiling.csv" "$tmp/price_ceiling.orig" && bad "the table was not changed"
t "$tmp"/rules/*.rules --golden "$golden"
expect_rc "changed price ceiling" 1 $? "$tmp/out"
cp "$tmp/out" "$tmp/report_price"
has "changed price ceiling" "$tmp/out" "golden $golden: 1 difference"
has "changed price ceiling" "$tmp/out" "  PRICE_CEILING (医疗服务项目超限定单价收费)  ~1 (-2.00)"
has "changed price ceiling" "$tmp/out" "    PRICE_CEILING.1  ~1 changed (-2.00)"
has "changed price ceiling" "$tmp/out" "      ~ C00000090 line 1  amount 5.60 -> 3.60; message \"血细胞分析 单价25.60元，限价20.00元\" -> \"血细胞分析 单价25.60元，限价22.00元\""
[ "$(rule_lines "$tmp/out" | wc -l)" -eq 1 ] && ok || bad "changed price ceiling: other rules reported: $(rule_lines "$tmp/out")"
[ "$(grep -c '^      [-+~] ' "$tmp/out")" -eq 1 ] && ok || bad "changed price ceiling: more than one finding listed"
has "changed price ceiling" "$tmp/out" "arbiter test: 1 golden set: 0 passed, 1 failed"
# the same with 3 threads and with the JIT: byte for byte
t "$tmp"/rules/*.rules --golden "$golden" --threads 3
cmp -s "$tmp/out" "$tmp/report_price" && ok || bad "3 threads give another report: $(diff "$tmp/report_price" "$tmp/out")"
t "$tmp"/rules/*.rules --golden "$golden" --threads 1 --backend jit
cmp -s "$tmp/out" "$tmp/report_price" && ok || bad "the JIT gives another report: $(diff "$tmp/report_price" "$tmp/out")"
# revert: passes again
cp "$tmp/price_ceiling.orig" "$tmp/tables/price_ceiling.csv"
t "$tmp"/rules/*.rules --golden "$golden"
expect_rc "reverted price ceiling" 0 $? "$tmp/out"

# 3. one constant in a rule: DIAG_SEX.1 flags claims with amount 0.00 -> 1.00
cp "$tmp/rules/coherence.rules" "$tmp/coherence.orig"
sed -i '/^rule DIAG_SEX\.1/,/flag/ s/amount 0\.00/amount 1.00/' "$tmp/rules/coherence.rules"
[ "$(diff "$tmp/coherence.orig" "$tmp/rules/coherence.rules" | grep -c '^>')" -eq 1 ] && ok || bad "the rule edit did not change exactly one line"
t "$tmp"/rules/*.rules --golden "$golden" --threads 1
expect_rc "changed rule constant" 1 $? "$tmp/out"
cp "$tmp/out" "$tmp/report_rule"
has "changed rule constant" "$tmp/out" "golden $golden: 3 differences"
has "changed rule constant" "$tmp/out" "    DIAG_SEX.1  ~3 changed (+3.00)"
for c in C00000083 C00000092 C00000228; do
  has "changed rule constant" "$tmp/out" "      ~ $c claim  amount 0.00 -> 1.00"
done
[ "$(rule_lines "$tmp/out" | wc -l)" -eq 1 ] && ok || bad "changed rule constant: other rules reported: $(rule_lines "$tmp/out")"
t "$tmp"/rules/*.rules --golden "$golden" --threads 3
cmp -s "$tmp/out" "$tmp/report_rule" && ok || bad "3 threads give another report"

# 4. --junit: well-formed XML, one golden testcase with a failure holding the
# report (the example rules' inline tests are testcases of their own)
t "$tmp"/rules/*.rules --golden "$golden" --junit "$tmp/report.xml"
python3 - "$tmp/report.xml" <<'PY' && ok || bad "JUnit XML (failing run)"
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
suites = doc.getElementsByTagName("testsuite")
assert len(suites) == 1 and suites[0].getAttribute("name") == "arbiter", "one testsuite 'arbiter'"
assert suites[0].getAttribute("failures") == "1"
cases = [c for c in doc.getElementsByTagName("testcase") if c.getAttribute("classname") == "golden"]
assert len(cases) == 1 and cases[0].getAttribute("name").startswith("golden "), "one golden testcase"
assert int(suites[0].getAttribute("tests")) == len(doc.getElementsByTagName("testcase"))
failures = cases[0].getElementsByTagName("failure")
assert len(failures) == 1, "a failure element"
text = "".join(n.data for n in failures[0].childNodes)
assert "DIAG_SEX.1  ~3 changed (+3.00)" in text and "C00000228" in text, text
PY
cp "$tmp/coherence.orig" "$tmp/rules/coherence.rules"
t "$tmp"/rules/*.rules --golden "$golden" --junit "$tmp/pass.xml"
python3 - "$tmp/pass.xml" <<'PY' && ok || bad "JUnit XML (passing run)"
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
assert len([c for c in doc.getElementsByTagName("testcase") if c.getAttribute("classname") == "golden"]) == 1
assert not doc.getElementsByTagName("failure") and not doc.getElementsByTagName("error")
PY

# 5. --update rewrites expected.jsonl (sorted) so that the next run passes
mkdir "$tmp/set" && cp "$golden/claims.jsonl" "$golden/expected.jsonl" "$tmp/set/"
sed -i '/^rule DIAG_SEX\.1/,/flag/ s/amount 0\.00/amount 1.00/' "$tmp/rules/coherence.rules"
t "$tmp"/rules/*.rules --golden "$tmp/set" --update
expect_rc "--update" 0 $? "$tmp/out"
has "--update reports the change" "$tmp/out" "    DIAG_SEX.1  ~3 changed (+3.00)"
has "--update says so" "$tmp/out" "golden $tmp/set: expected.jsonl updated, 29 findings"
[ "$(grep -c '"rule":"DIAG_SEX.1".*"amount":"1.00"' "$tmp/set/expected.jsonl")" -eq 3 ] && ok || bad "--update did not write the new amounts"
python3 - "$tmp/set/expected.jsonl" <<'PY' && ok || bad "--update did not sort expected.jsonl"
import sys, json
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
keys = [(r["claim_id"], r["rule"], -1 if r["line_no"] is None else r["line_no"], r["message"]) for r in rows]
assert keys == sorted(keys) and len(rows) == 29
PY
t "$tmp"/rules/*.rules --golden "$tmp/set"
expect_rc "run after --update" 0 $? "$tmp/out"
cp "$tmp/set/expected.jsonl" "$tmp/updated.jsonl"
t "$tmp"/rules/*.rules --golden "$tmp/set" --update  # nothing to change: the file is left alone
cmp -s "$tmp/set/expected.jsonl" "$tmp/updated.jsonl" && ok || bad "a second --update changed the file"
t "$ex"/rules/*.rules --golden "$tmp/set"             # the old rules now differ the other way
expect_rc "old rules against the updated set" 1 $? "$tmp/out"
has "old rules against the updated set" "$tmp/out" "      ~ C00000083 claim  amount 1.00 -> 0.00"
cp "$tmp/coherence.orig" "$tmp/rules/coherence.rules"

# 6. several sets, and the CSV layouts (claims/claims.csv, claims.csv)
mkdir -p "$tmp/csv1/claims" "$tmp/csv2"
"$arbiter" gen claims --n 200 --seed 7 --format csv -o "$tmp/csv1/claims"
cp "$tmp/csv1/claims/"*.csv "$tmp/csv2/"
t "$ex"/rules/*.rules --golden "$tmp/csv1" "$tmp/csv2" --update
expect_rc "CSV sets --update" 0 $? "$tmp/out"
"$arbiter" check "$ex"/rules/*.rules --claims "$tmp/csv2/claims.csv" -o "$tmp/csv_check.jsonl" --quiet --stdlib "$src/stdlib-rules"
# (a golden set keeps what it compares, not the fields reports group by)
strip='del(.finding_id,.category_title,.tier,.person_id,.facility_id,.dept,.doctor,.settle_date,.at_risk)'
cmp -s <(jq -c "$strip" "$tmp/csv_check.jsonl" | sort) <(sort "$tmp/csv2/expected.jsonl") && ok || bad "the CSV set's expected.jsonl differs from 'arbiter check'"
[ -s "$tmp/csv1/expected.jsonl" ] && cmp -s "$tmp/csv1/expected.jsonl" "$tmp/csv2/expected.jsonl" && ok || bad "the two CSV layouts differ"
t "$ex"/rules/*.rules --golden "$golden" "$tmp/csv1" --golden "$tmp/csv2" --threads 2
expect_rc "three sets" 0 $? "$tmp/out"
has "three sets" "$tmp/out" "arbiter test: 3 golden sets: 3 passed, 0 failed"

# 7. arbiter diff: the same change, and no change
sed -i 's/^002501010150000,血细胞分析,20.00$/002501010150000,血细胞分析,22.00/' "$tmp/tables/price_ceiling.csv"
"$arbiter" diff "$ex/rules" "$tmp/rules" --claims "$golden/claims.jsonl" --stdlib "$src/stdlib-rules" >"$tmp/diff" 2>"$tmp/err"
expect_rc "diff of a changed price ceiling" 1 $? "$tmp/diff"
has "diff heading" "$tmp/diff" "diff $ex/rules -> $tmp/rules: 1 difference"
has "diff summary" "$tmp/diff" "summary: findings 29 -> 29 (+0), 1 claim affected, money at risk 11,092.20 -> 11,090.20 (-2.00)"
cmp -s <(grep '^  ' "$tmp/diff") <(grep '^  ' "$tmp/report_price") && ok || bad "diff and test report the change differently"
"$arbiter" diff "$ex/rules" "$tmp/rules" --claims "$golden/claims.jsonl" --threads 3 --stdlib "$src/stdlib-rules" >"$tmp/diff3" 2>&1
cmp -s "$tmp/diff" "$tmp/diff3" && ok || bad "diff with 3 threads differs"
"$arbiter" diff "$tmp/rules" "$ex/rules" --claims "$golden/claims.jsonl" --stdlib "$src/stdlib-rules" >"$tmp/diff" 2>&1
has "diff the other way" "$tmp/diff" "      ~ C00000090 line 1  amount 3.60 -> 5.60"
cp "$tmp/price_ceiling.orig" "$tmp/tables/price_ceiling.csv"
"$arbiter" diff "$ex/rules" "$tmp/rules" --claims "$golden/claims.jsonl" --stdlib "$src/stdlib-rules" >"$tmp/diff" 2>&1
expect_rc "diff of identical rules" 0 $? "$tmp/diff"
has "diff of identical rules" "$tmp/diff" "no differences"
has "diff of identical rules" "$tmp/diff" "summary: findings 29 -> 29 (+0), 0 claims affected"
# a rule removed: its findings are no longer raised
rm "$tmp/rules/insurance.rules"
"$arbiter" diff "$ex/rules" "$tmp/rules" --claims "$golden/claims.jsonl" --stdlib "$src/stdlib-rules" >"$tmp/diff" 2>&1
expect_rc "diff with a rule file removed" 1 $? "$tmp/diff"
has "diff with a rule file removed" "$tmp/diff" "    WORK_INJURY_ONLY.1  -1 no longer raised (-23.80)"
cp "$ex/rules/insurance.rules" "$tmp/rules/"

# 8. errors: exit codes and messages
mkdir "$tmp/bad" && cp "$golden/claims.jsonl" "$golden/expected.jsonl" "$tmp/bad/"
sed -i '5s/"amount":"[0-9.]*"/"amount":"1.234"/' "$tmp/bad/expected.jsonl"
t "$ex"/rules/*.rules --golden "$tmp/bad"
expect_rc "malformed expected.jsonl" 2 $? "$tmp/err"
has "malformed expected.jsonl" "$tmp/err" "$tmp/bad/expected.jsonl:5: column"
has "malformed expected.jsonl" "$tmp/err" "amount must be"
t "$ex"/rules/*.rules --golden "$tmp/bad" --update
expect_rc "malformed expected.jsonl with --update" 2 $? "$tmp/err"
rm "$tmp/bad/expected.jsonl"
t "$ex"/rules/*.rules --golden "$tmp/bad"
expect_rc "no expected.jsonl" 2 $? "$tmp/err"
has "no expected.jsonl" "$tmp/err" "run with --update to create it"
mkdir "$tmp/empty"
t "$ex"/rules/*.rules --golden "$tmp/empty"
expect_rc "no claims" 3 $? "$tmp/err"
mkdir "$tmp/rej" && cp "$golden/expected.jsonl" "$tmp/rej/"
sed '10s/"claim_id"/"claim_idx"/' "$golden/claims.jsonl" >"$tmp/rej/claims.jsonl"
t "$ex"/rules/*.rules --golden "$tmp/rej" --junit "$tmp/rej.xml"
expect_rc "a rejected record" 3 $? "$tmp/err"
has "a rejected record" "$tmp/err" "claims.jsonl:10: rejected"
python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); assert len(d.getElementsByTagName("error")) == 1' "$tmp/rej.xml" && ok || bad "JUnit: no error element for rejected records"
# hostile amounts: sums hold, nothing overflows (the ASan + UBSan build runs this too)
mkdir "$tmp/huge" && cp "$golden/claims.jsonl" "$golden/expected.jsonl" "$tmp/huge/"
for c in X1 X2; do
  echo "{\"claim_id\":\"$c\",\"rule\":\"R.1\",\"category\":\"R\",\"line_no\":null,\"amount\":\"92233720368547758.07\",\"message\":\"\\u4e2d\"}" >>"$tmp/huge/expected.jsonl"
done
t "$ex"/rules/*.rules --golden "$tmp/huge"
expect_rc "huge amounts" 1 $? "$tmp/out"
has "huge amounts" "$tmp/out" "    R.1  -2 no longer raised (-92233720368547758.07)"
has "huge amounts" "$tmp/out" "      - X1 claim  92233720368547758.07  中"
t "$ex"/rules/*.rules --golden "$tmp/nonexistent"
expect_rc "a golden set that does not exist" 2 $? "$tmp/err"
echo 'rule X.1 "x" in NOPE' >"$tmp/broken.rules"
t "$tmp/broken.rules" --golden "$golden"
expect_rc "rules with errors" 2 $? "$tmp/err"
t "$ex"/rules/age.rules # no inline tests, no golden sets: nothing to test
expect_rc "no --golden" 2 $? "$tmp/err"
t --golden "$golden"
expect_rc "no rules" 2 $? "$tmp/err"
t "$ex"/rules/*.rules --golden "$golden" --threads 0
expect_rc "--threads 0" 2 $? "$tmp/err"
"$arbiter" diff "$ex/rules" --claims "$golden/claims.jsonl" >"$tmp/out" 2>&1
expect_rc "diff with one rule set" 2 $? "$tmp/out"
"$arbiter" diff "$ex/rules" "$tmp/empty" --claims "$golden/claims.jsonl" >"$tmp/out" 2>&1
expect_rc "diff with a directory without rules" 2 $? "$tmp/out"
has "diff with a directory without rules" "$tmp/out" "no .rules files in $tmp/empty"
"$arbiter" diff "$ex/rules" "$ex/rules" --claims "$tmp/nonexistent.jsonl" >"$tmp/out" 2>&1
expect_rc "diff of unreadable claims" 3 $? "$tmp/out"
"$arbiter" test --help >"$tmp/out" && grep -q -- "--golden DIR" "$tmp/out" && ok || bad "test --help"
"$arbiter" diff --help >"$tmp/out" && grep -q "OLD_RULES NEW_RULES" "$tmp/out" && ok || bad "diff --help"

# 9. the sample CI script: passes as is; fails on a changed rule and shows its impact
mkdir "$tmp/ci" && cd "$tmp/ci" || exit 1
ARBITER=$arbiter ARBITER_STDLIB=$src/stdlib-rules bash "$ex/ci.sh" >"$tmp/out" 2>&1
expect_rc "examples/ci.sh" 0 $? "$tmp/out"
[ -s "$tmp/ci/report.xml" ] && ok || bad "examples/ci.sh wrote no report.xml"
sed -i '/^rule DIAG_SEX\.1/,/flag/ s/amount 0\.00/amount 1.00/' "$tmp/rules/coherence.rules"
ARBITER=$arbiter ARBITER_STDLIB=$src/stdlib-rules RULES=$tmp/rules BASE_RULES=$ex/rules \
  bash "$ex/ci.sh" >"$tmp/out" 2>&1
expect_rc "examples/ci.sh with a changed rule" 1 $? "$tmp/out"
has "examples/ci.sh with a changed rule" "$tmp/out" "summary: findings 29 -> 29 (+0), 3 claims affected"
cd "$src" || exit 1

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
