#!/usr/bin/env bash
# inline_tests.sh ARBITER SRC — inline `test` blocks: passing tests (defaults,
# `missing`, amounts, several claims forming a batch for history()) pass on
# the interpreter, the JIT and with threads; failing expectations are
# reported at the test's and the expectation's file:line:col with what was
# found, exit 1; JUnit has one testcase per inline test (and per golden set);
# lint reports test errors with positions; --coverage lists unexercised
# rules (file:line:col) and exits 1; no tests and no golden sets is a usage
# error.
set -uo pipefail
arbiter=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$src/tests/data/inline
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
expect_rc() {
  if [ "$3" -eq "$2" ]; then ok; else bad "$1: exit code $3, expected $2"; sed 's/^/    | /' "$4"; fi
}
has() { if grep -qF -- "$3" "$2"; then ok; else bad "$1: no '$3' in:"; sed 's/^/    | /' "$2"; fi; }
t() { "$arbiter" test "$@" --stdlib "$src/stdlib-rules" >"$tmp/out" 2>"$tmp/err"; }

# 1. passing tests, every backend and thread count
for opts in "" "--backend jit" "--threads 3"; do
  t "$d/pass.rules" $opts
  expect_rc "pass.rules $opts" 0 $? "$tmp/out"
  has "pass.rules $opts" "$tmp/out" "arbiter test: 4 inline tests: 4 passed, 0 failed"
done

# 2. failing expectations: positions, expected and found
t "$d/fail.rules"
expect_rc "fail.rules" 1 $? "$tmp/out"
has "failed test" "$tmp/out" "$d/fail.rules:4:1: test \"wrong expectations\" failed"
has "no flag" "$tmp/out" "  $d/fail.rules:9:3: expected no flag DRUG_SEX.1"
has "no flag found" "$tmp/out" "    found: DRUG_SEX.1 on line 1 amount 30.00 \"药品限定性别\"; claim T1 has no other findings"
has "amount" "$tmp/out" "  $d/fail.rules:10:3: expected flag DRUG_SEX.1 on line 1 amount 1.00"
has "amount found" "$tmp/out" "    found: DRUG_SEX.1 on line 1 amount 30.00; claim T1 has no other findings"
has "flag" "$tmp/out" "  $d/fail.rules:11:3: expected flag TOTAL.1"
has "flag found" "$tmp/out" "    found: no finding of TOTAL.1; findings of claim T1: DRUG_SEX.1 on line 1 amount 30.00"
has "summary" "$tmp/out" "arbiter test: 5 inline tests: 4 passed, 1 failed"
t "$d/fail.rules" --backend jit
cp "$tmp/out" "$tmp/out_jit"
t "$d/fail.rules"
cmp -s "$tmp/out" "$tmp/out_jit" && ok || bad "the JIT reports otherwise: $(diff "$tmp/out" "$tmp/out_jit")"

# 3. JUnit: one testcase per inline test and per golden set
t "$d/fail.rules" --junit "$tmp/report.xml"
expect_rc "junit" 1 $? "$tmp/out"
python3 - "$tmp/report.xml" <<'PY' && ok || bad "JUnit report"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
cases = suite.findall("testcase")
assert suite.get("tests") == "5" and suite.get("failures") == "1", suite.attrib
names = [c.get("name") for c in cases]
assert 'test "wrong expectations"' in names, names
f = [c for c in cases if c.get("name") == 'test "wrong expectations"'][0]
assert f.get("classname").endswith("fail.rules"), f.get("classname")
assert f.find("failure").get("message") == "expected no flag DRUG_SEX.1", f.find("failure").attrib
assert "expected flag TOTAL.1" in f.find("failure").text
PY
ex=$src/examples
t "$ex"/rules/*.rules --golden "$ex/golden" --junit "$tmp/both.xml"
expect_rc "examples: inline tests and golden set" 0 $? "$tmp/out"
has "examples: inline tests" "$tmp/out" "arbiter test: 7 inline tests: 7 passed, 0 failed"
python3 - "$tmp/both.xml" <<'PY' && ok || bad "JUnit with a golden set"
import sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().find("testsuite").findall("testcase")
assert [c.get("classname") for c in cases].count("golden") == 1
assert len(cases) == 8, len(cases)
assert 'test "consultation billed above its ceiling"' in [c.get("name") for c in cases]
PY

# 4. lint: errors in test blocks, with positions
"$arbiter" lint "$d/lint.rules" --stdlib "$src/stdlib-rules" >"$tmp/out" 2>&1
expect_rc "lint" 2 $? "$tmp/out"
has "enum" "$tmp/out" "lint.rules:6:10: error: 'X' is not a member of sex (M, F, U)"
has "type" "$tmp/out" "lint.rules:6:25: error: field 'birth_date' is a date (2025-01-31), not a datetime"
has "derived" "$tmp/out" "lint.rules:6:43: error: 'age' is derived"
has "unknown field" "$tmp/out" "lint.rules:6:51: error: claim has no field 'item_cod'"
has "line field" "$tmp/out" "lint.rules:7:26: error: field 'quantity' is int, not a money amount"
has "twice" "$tmp/out" "lint.rules:7:51: error: 'item_code' is given twice"
has "unknown rule" "$tmp/out" "lint.rules:9:15: error: unknown rule 'DRUG_SEX.2'; did you mean 'DRUG_SEX.1'?"
has "claim rule on a line" "$tmp/out" "lint.rules:10:26: error: rule TOTAL.1 flags the claim, not a line"
has "no claim" "$tmp/out" "lint.rules:13:6: error: test \"nothing\" has no 'claim { ... }'"
has "caret" "$tmp/out" "                                          ^~~"
cat >"$tmp/noline.rules" <<'R'
import "DATA/pass.rules"
test "no such line" {
  claim { lines: [ { item_code: "A" } ] }
  expect no flag DRUG_SEX.1 on line 2
}
test "required" {
  claim { lines: [ { quantity: 2 } ] }
  expect no flag DRUG_SEX.1
}
R
sed -i "s|DATA|$d|" "$tmp/noline.rules"
"$arbiter" lint "$tmp/noline.rules" --stdlib "$src/stdlib-rules" >"$tmp/out" 2>&1
expect_rc "lint lines" 2 $? "$tmp/out"
has "no such line" "$tmp/out" "noline.rules:4:32: error: the last claim of the test has no line 2"
has "required" "$tmp/out" "noline.rules:7:20: error: line 1 has no 'item_code' (a required field of line)"

# 5. --coverage
t "$d/pass.rules" --coverage
expect_rc "coverage complete" 0 $? "$tmp/out"
has "coverage complete" "$tmp/out" "coverage: 4 of 4 rules exercised by inline tests or golden sets"
cat >"$tmp/cov.rules" <<'R'
import "DATA/pass.rules"
category EXTRA "extra" { code "X" }
rule EXTRA.1 in EXTRA
  when claim.total_amount > 1000000
  flag claim
R
sed -i "s|DATA|$d|" "$tmp/cov.rules"
t "$tmp/cov.rules" --coverage
expect_rc "coverage incomplete" 1 $? "$tmp/out"
has "coverage incomplete" "$tmp/out" "coverage: 4 of 5 rules exercised"
has "coverage lists the rule" "$tmp/out" "  $tmp/cov.rules:3:6: EXTRA.1"
t "$tmp/cov.rules"
expect_rc "no coverage asked" 0 $? "$tmp/out"
# golden sets count: the example rules are exercised by their golden set
t "$ex"/rules/*.rules --golden "$ex/golden" --coverage
has "golden coverage" "$tmp/out" "rules exercised by inline tests or golden sets"
grep -q "DIAG_SEX.1$" "$tmp/out" && bad "DIAG_SEX.1 has golden findings but is listed" || ok

# 6. nothing to test
t "$ex"/rules/age.rules
expect_rc "nothing to test" 2 $? "$tmp/err"
has "nothing to test" "$tmp/err" "the rules have no inline tests and no golden sets are given"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
