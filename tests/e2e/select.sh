#!/usr/bin/env bash
# select.sh ARBITER SRC — an aggregate whose `where` begins with `x.F ==
# KEY` (F a code or text field of its last binder, KEY fields of other
# variables or a literal) loops only over the items whose F equals KEY
# (SELECT: the list grouped by F once per claim).  Twin rule files, one
# written so (SELECT in its bytecode) and one with the same conditions
# behind `true and` (no SELECT), give byte-identical findings over
# generated claims — long stays of ~50 lines, and histories of a few
# persons — with the interpreter, the JIT and ahead-of-time native code;
# the twin without SELECT is run by the interpreter only.  A `where` whose
# second conjunct is `date(x.T) == DAY` (T a datetime field) narrows the
# code's group to that day's items (SELDAY): R.1 and R.9.  Over `p in
# history(D), x in p.lines where x.F == KEY ...`, the loop over p takes
# only the claims with such an x (SELIN): R.5 and R.6.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$arbiter" gen claims --n 1200 --seed 41 -o "$tmp/gen.jsonl" || exit 1
# few persons: long histories; a few item names and times left out: missing keys
python3 - "$tmp/gen.jsonl" "$tmp/claims.jsonl" <<'PY'
import json, random, sys
rnd = random.Random(9)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for line in open(sys.argv[1], encoding="utf-8"):
        c = json.loads(line)
        c["person_id"] = "Q%02d" % rnd.randrange(40)
        for x in c["lines"]:
            if rnd.random() < 0.03: x.pop("item_name", None)
            if rnd.random() < 0.02: x.pop("time", None)
        f.write(json.dumps(c, ensure_ascii=False) + "\n")
PY
grep -q '"inpatient"' "$tmp/claims.jsonl" || { echo "FAIL: no inpatient claims (long lists) generated"; exit 1; }

# $1: the prefix each where gets ("" or "true and ")
rules() {
  local w=$1
  cat <<EOF
category R "r" { code "R1" }
rule R.1 in R for line in claim.lines
  when sum(x.quantity for x in claim.lines where ${w}x.item_code == line.item_code and date(x.time) == date(line.time)) > 1
  flag line amount line.unit_price
       message "{sum(x.quantity for x in claim.lines where ${w}x.item_code == line.item_code)}"
rule R.2 in R for line in claim.lines
  when exists(y in claim.lines where ${w}line.item_code == y.item_code and y.line_no < line.line_no)
  flag line
rule R.3 in R for line in claim.lines
  when count(x in claim.lines where ${w}x.item_name == line.item_name) > 2
  flag line message "{count(x in claim.lines where ${w}x.item_name == line.item_name)}"
rule R.4 in R
  when coalesce(max(x.amount for x in claim.lines where ${w}x.item_kind == drug and x.item_code == "001102000010000"), 0.00) > 1.00
    or coalesce(min(x.amount for x in claim.lines where ${w}"001102000010000" == x.item_code), 0.00) > 1.00
  flag claim amount 0.00
rule R.5 in R for line in claim.lines
  when line.item_kind == drug
   and exists(p in history(365d), x in p.lines where ${w}x.item_code == line.item_code and x.days_supply > 0
              and days_between(date(x.time), date(line.time)) < x.days_supply)
  flag line
rule R.6 in R for line in claim.lines
  when line.quantity + sum(x.quantity for p in history(90d), x in p.lines where ${w}x.item_code == line.item_code) > 3
  flag line message "{count(p in history(90d), x in p.lines where ${w}x.item_name == line.item_name)}"
rule R.7 in R for line in claim.lines
  when all(x in claim.lines where ${w}x.item_code == line.item_code) and line.quantity > 0
  flag line
rule R.8 in R for p in history(30d)
  when exists(x in p.lines, y in claim.lines where ${w}y.item_code == x.item_code and y.dept == p.dept)
  flag claim message "{p.claim_id}"
rule R.9 in R for line in claim.lines
  when count(x in claim.lines where ${w}x.item_code == line.item_code and date(line.time) == date(x.time)
             and x.line_no != line.line_no) > 0
  flag line message "{sum(x.quantity for x in claim.lines where ${w}line.item_code == x.item_code and date(x.time) == date(line.time) and x.quantity > 1)}"
EOF
}
rules "" >"$tmp/sel.rules"
rules "true and " >"$tmp/scan.rules"
nsel=$("$arbiter" disasm "$tmp/sel.rules" --stdlib "$src/stdlib-rules" | grep -c ' SELECT ')
nscan=$("$arbiter" disasm "$tmp/scan.rules" --stdlib "$src/stdlib-rules" | grep -c ' SELECT ')
nday=$("$arbiter" disasm "$tmp/sel.rules" --stdlib "$src/stdlib-rules" | grep -c ' SELDAY ')
nin=$("$arbiter" disasm "$tmp/sel.rules" --stdlib "$src/stdlib-rules" | grep -c ' SELIN ')
# R.1 (2), R.2, R.3 (2), R.4 (the min: the max begins with an enum test), R.5, R.6 (2),
# R.8 (y over claim.lines), R.9 (2); not R.7 (all).  SELDAY: R.1's when, R.9 (2)
[ "$nsel" -eq 12 ] || { echo "FAIL: $nsel SELECTs in the rules written for it, expected 12"; fail=1; }
[ "$nday" -eq 3 ] || { echo "FAIL: $nday SELDAYs in the rules written for it, expected 3"; fail=1; }
# SELIN: R.5, R.6 (2)
[ "$nin" -eq 3 ] || { echo "FAIL: $nin SELINs in the rules written for it, expected 3"; fail=1; }
[ "$nscan" -eq 0 ] || { echo "FAIL: $nscan SELECTs behind 'true and'"; fail=1; }

"$arbiter" check "$tmp/scan.rules" --claims "$tmp/claims.jsonl" -o "$tmp/f_scan" --quiet --backend interp \
  --stdlib "$src/stdlib-rules" || { echo "FAIL: check of the scanning twin"; exit 1; }
[ "$(wc -l <"$tmp/f_scan")" -gt 100 ] || { echo "FAIL: too few findings to compare"; fail=1; }
for r in 1 2 3 4 5 6 7 8 9; do
  grep -q "\"R.$r\"" "$tmp/f_scan" || { echo "FAIL: rule R.$r raised nothing (it would prove nothing)"; fail=1; }
done
for args in "--backend interp" "--backend jit" "--backend interp --no-index" "--backend jit --threads 2"; do
  out="$tmp/f${args// /_}"
  "$arbiter" check "$tmp/sel.rules" --claims "$tmp/claims.jsonl" -o "$out" $args --quiet \
    --stdlib "$src/stdlib-rules" || { echo "FAIL: check $args"; fail=1; continue; }
  cmp -s "$tmp/f_scan" "$out" || { echo "FAIL: SELECT with $args differs from the scan"; diff "$tmp/f_scan" "$out" | head -5; fail=1; }
done
if "$arbiter" compile "$tmp/sel.rules" -o "$tmp/sel.arbpack" --native --stdlib "$src/stdlib-rules" 2>/dev/null; then
  "$arbiter" check --pack "$tmp/sel.arbpack" --backend native --claims "$tmp/claims.jsonl" -o "$tmp/f_native" --quiet
  cmp -s "$tmp/f_scan" "$tmp/f_native" || { echo "FAIL: SELECT in native (AOT) code differs from the scan"; diff "$tmp/f_scan" "$tmp/f_native" | head -5; fail=1; }
else
  echo "FAIL: compile --native"; fail=1
fi
[ $fail -eq 0 ] && echo "select: SELECT and scan agree ($(wc -l <"$tmp/f_scan") findings, 5 backends)"
exit $fail
