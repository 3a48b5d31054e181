#!/usr/bin/env bash
# plumbing.sh ARBITER SRC — input plumbing: `--claims -` reads standard
# input (check, check --history, history add; CSV refused); a claim_id seen
# twice is reported, counted, and rejected with --strict, the same for any
# thread count; --phase lists and a repeated --phase; the summary's count of
# the rules that ran; effective dates of a pre-audit claim.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lib=$src/stdlib-rules
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
"$arbiter" gen claims --n 300 --seed 2026 -o "$tmp/c.jsonl"

# --- standard input equals the file
"$arbiter" check "$lib" --claims "$tmp/c.jsonl" -o "$tmp/file.out" --quiet
cat "$tmp/c.jsonl" | "$arbiter" check "$lib" --claims - -o "$tmp/stdin.out" 2>"$tmp/err"
[ $? -eq 0 ] && ok || bad "stdin run failed: $(cat "$tmp/err")"
cmp -s "$tmp/file.out" "$tmp/stdin.out" && ok || bad "stdin findings differ from the file's"
grep -q "300 claims read = 300 audited" "$tmp/err" && ok || bad "stdin summary: $(head -1 "$tmp/err")"
[ -s "$tmp/file.out" ] && ok || bad "no findings at all: the comparison proves nothing"
# with a history store (read once, spooled), and into one
"$arbiter" history init "$tmp/h1" >/dev/null 2>&1 && "$arbiter" history init "$tmp/h2" >/dev/null 2>&1
"$arbiter" check "$lib" --claims "$tmp/c.jsonl" --history "$tmp/h1" -o "$tmp/hfile.out" --quiet
cat "$tmp/c.jsonl" | "$arbiter" check "$lib" --claims - --history "$tmp/h1" -o "$tmp/hstdin.out" --quiet
[ $? -eq 0 ] && cmp -s "$tmp/hfile.out" "$tmp/hstdin.out" && ok || bad "--history: stdin differs from the file"
"$arbiter" history add "$tmp/h1" --claims "$tmp/c.jsonl" --quiet
cat "$tmp/c.jsonl" | "$arbiter" history add "$tmp/h2" --claims - --quiet
[ $? -eq 0 ] && ok || bad "history add --claims - failed"
"$arbiter" history export "$tmp/h1" -o "$tmp/x1.jsonl" 2>/dev/null
"$arbiter" history export "$tmp/h2" -o "$tmp/x2.jsonl" 2>/dev/null
[ -s "$tmp/x1.jsonl" ] && cmp -s "$tmp/x1.jsonl" "$tmp/x2.jsonl" && ok || bad "history add: stdin stored something else"
# a rejected record from stdin is named <stdin>:LINE
{ head -3 "$tmp/c.jsonl"; echo '{"claim_id":'; } | "$arbiter" check "$lib" --claims - -o /dev/null \
  --rejects "$tmp/rej.jsonl" 2>"$tmp/err"
[ $? -eq 3 ] && grep -q '^<stdin>:4: rejected' "$tmp/err" && ok || bad "stdin reject not named: $(cat "$tmp/err")"
# CSV cannot come on standard input
"$arbiter" check "$lib" --claims - --input-format csv -o /dev/null </dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "standard input (-) must be JSON Lines" "$tmp/err" && ok || bad "CSV on stdin: $(cat "$tmp/err")"

# --- duplicate claim ids: lines 5 and 203 again at 21, 101 and the end
python3 - "$tmp/c.jsonl" "$tmp/d.jsonl" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
out = list(lines)
out.insert(20, lines[4])
out.insert(100, lines[4])
out.append(lines[200])
# a reversal may repeat the id it cancels: not a duplicate
out.append('{"claim_id":"%s","person_id":"P1","care_type":"outpatient","status":"reversed"}' % lines[10][13:22])
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out) + "\n")
PY
"$arbiter" check "$lib" --claims "$tmp/d.jsonl" -o "$tmp/d1.out" 2>"$tmp/err1"
rc=$?
[ $rc -eq 0 ] && ok || bad "duplicates alone should not fail the run (exit $rc)"
grep -q "d.jsonl:21: warning: claim_id 'C00000005' seen before, on line 5 (both claims audited)" "$tmp/err1" && ok || bad "first duplicate not reported: $(cat "$tmp/err1")"
grep -q "d.jsonl:101: warning: claim_id 'C00000005' seen before, on line 5" "$tmp/err1" && ok || bad "second duplicate not reported"
grep -q "d.jsonl:303: warning: claim_id 'C00000201' seen before, on line 203" "$tmp/err1" && ok || bad "third duplicate not reported"
[ "$(grep -c 'seen before, on line' "$tmp/err1")" -eq 3 ] && ok || bad "the reversal was taken for a duplicate"
grep -q "3 records with a claim_id seen before (both audited" "$tmp/err1" && ok || bad "duplicates not counted in the summary"
grep -q "304 claims read = 303 audited + 0 rejected + 1 reversals" "$tmp/err1" && ok || bad "duplicates not all audited: $(grep 'claims read' "$tmp/err1")"
# each copy gets its findings (SERVICE_PRICE reads no history, which the copies change)
[ "$(grep -c '"claim_id":"C00000005","rule":"SERVICE_PRICE.1"' "$tmp/d1.out")" -eq 3 ] && ok || bad "a duplicate's findings are missing"
"$arbiter" check "$lib" --claims "$tmp/d.jsonl" -o "$tmp/d3.out" --threads 3 2>"$tmp/err3"
cmp -s "$tmp/d1.out" "$tmp/d3.out" && ok || bad "1 and 3 threads give different findings"
diff <(grep -v ' s, ' "$tmp/err1") <(grep -v ' s, ' "$tmp/err3") >/dev/null && ok || bad "1 and 3 threads report differently"
"$arbiter" check "$lib" --claims "$tmp/d.jsonl" -o "$tmp/ds.out" --strict --rejects "$tmp/drej.jsonl" 2>"$tmp/errs"
rc=$?
[ $rc -eq 3 ] && ok || bad "--strict with duplicates: exit $rc, expected 3"
grep -q "d.jsonl:21: rejected: claim_id 'C00000005' seen before, on line 5 (rejected: --strict)" "$tmp/errs" && ok || bad "strict reject not reported: $(cat "$tmp/errs")"
grep -q "304 claims read = 300 audited + 3 rejected + 1 reversals" "$tmp/errs" && ok || bad "strict summary: $(grep 'claims read' "$tmp/errs")"
[ "$(wc -l < "$tmp/drej.jsonl")" -eq 3 ] && grep -q '"line":101' "$tmp/drej.jsonl" && ok || bad "strict rejects file"
cmp -s "$tmp/ds.out" "$tmp/file.out" && ok || bad "--strict: the first claims' findings are not the clean run's"
"$arbiter" check "$lib" --claims "$tmp/d.jsonl" -o "$tmp/ds3.out" --strict --threads 3 --rejects "$tmp/drej3.jsonl" 2>/dev/null
cmp -s "$tmp/ds.out" "$tmp/ds3.out" && cmp -s "$tmp/drej.jsonl" "$tmp/drej3.jsonl" && ok || bad "--strict: 1 and 3 threads differ"
# more than ten: ten shown, the rest counted
python3 - "$tmp/c.jsonl" "$tmp/many.jsonl" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines + lines[:25]) + "\n")
PY
"$arbiter" check "$lib" --claims "$tmp/many.jsonl" -o /dev/null --quiet 2>"$tmp/errm"
[ "$(grep -c 'warning: claim_id' "$tmp/errm")" -eq 10 ] && grep -q "15 more records with a claim_id seen before (the first 10 shown)" "$tmp/errm" && ok || bad "more than ten duplicates: $(cat "$tmp/errm")"

# --- phases
"$arbiter" check "$lib" --claims "$tmp/c.jsonl" -o "$tmp/sp.out" --phase settle,post 2>"$tmp/err"
[ $? -eq 0 ] && ok || bad "--phase settle,post failed"
n_sp=$(sed -n 's/^arbiter: \([0-9]*\) rules, \([0-9]*\) in phases settle,post; .*/\2/p' "$tmp/err")
[ -n "$n_sp" ] && ok || bad "summary does not count the rules that ran: $(head -1 "$tmp/err")"
"$arbiter" check "$lib" --claims "$tmp/c.jsonl" -o "$tmp/pre.out" --phase pre 2>"$tmp/err"
n_pre=$(sed -n 's/^arbiter: \([0-9]*\) rules, \([0-9]*\) in phase pre; .*/\2/p' "$tmp/err")
n_all=$(sed -n 's/^arbiter: \([0-9]*\) rules, .*/\1/p' "$tmp/err")
# the count is the rules whose phases meet the selection
n_exp=$(cat "$lib"/*.rules | python3 -c '
import re, sys
rules = re.split(r"^rule ", sys.stdin.read(), flags=re.M)[1:]
pre = 0
for r in rules:
    m = re.search(r"^\s*phase ([a-z ]+)$", r, re.M)
    if not m or "pre" in m.group(1).split(): pre += 1
print(pre)')
[ "$n_pre" = "$n_exp" ] && ok || bad "rules in phase pre: summary says '$n_pre', the files say $n_exp"
[ -n "$n_all" ] && [ "$n_pre" -lt "$n_all" ] && ok || bad "phase pre should select fewer rules than all ($n_pre of $n_all)"
"$arbiter" check "$lib" --claims "$tmp/c.jsonl" -o "$tmp/all.out" --phase post,settle,pre 2>"$tmp/err"
cmp -s "$tmp/all.out" "$tmp/file.out" && ok || bad "--phase with all three differs from no --phase"
grep -q "in phase" "$tmp/err" && bad "all phases: the summary should not single any out" || ok
# settle,post = the findings of settle plus those of post (no rule twice)
"$arbiter" check "$lib" --claims "$tmp/c.jsonl" -o "$tmp/s.out" --phase settle --quiet
"$arbiter" check "$lib" --claims "$tmp/c.jsonl" -o "$tmp/p.out" --phase post --quiet
[ "$(sort -u "$tmp/s.out" "$tmp/p.out" | wc -l)" -eq "$(wc -l < "$tmp/sp.out")" ] && ok || bad "settle,post is not the union of settle and post"
"$arbiter" check "$lib" --claims "$tmp/c.jsonl" -o /dev/null --phase pre --phase post 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "phase given twice" "$tmp/err" && ok || bad "a repeated --phase: $(cat "$tmp/err")"
"$arbiter" check "$lib" --claims "$tmp/c.jsonl" -o /dev/null --phase pre,bogus 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "unknown phase 'bogus'" "$tmp/err" && ok || bad "an unknown phase: $(cat "$tmp/err")"
"$arbiter" check "$lib" --claims "$tmp/c.jsonl" -o /dev/null --phase pre,pre 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "pre,pre should be an error"

# --- effective dates of a pre-audit claim (no settle_time)
cat > "$tmp/eff.rules" <<'RULES'
category PRICE_CAP "超限价收费" { code "GZ20000101001000" tier management }
rule OLD.1 "2024 年限价" in PRICE_CAP
  phase pre
  effective 2024-01-01 to 2024-12-31
  for line in claim.lines
  when line.unit_price > 100.00
  flag line
rule NEW.1 "2025 年限价" in PRICE_CAP
  phase pre
  effective 2025-01-01
  for line in claim.lines
  when line.unit_price > 100.00
  flag line
RULES
cat > "$tmp/pre.jsonl" <<'JSON'
{"claim_id":"A","person_id":"P1","care_type":"inpatient","admit_time":"2025-02-01T08:00:00","lines":[{"line_no":1,"item_code":"X","time":"2025-02-02T08:00:00","quantity":1,"unit_price":"150.00","amount":"150.00"}]}
{"claim_id":"B","person_id":"P2","care_type":"outpatient","lines":[{"line_no":1,"item_code":"X","time":"2024-12-31T08:00:00","quantity":1,"unit_price":"150.00","amount":"150.00"}]}
JSON
"$arbiter" check "$tmp/eff.rules" --claims "$tmp/pre.jsonl" -o "$tmp/eff.out" --phase pre --quiet
grep -q '"claim_id":"A","rule":"NEW.1"' "$tmp/eff.out" && ok || bad "a rule in force at admission did not fire"
grep -q '"claim_id":"A","rule":"OLD.1"' "$tmp/eff.out" && bad "a rule expired before admission fired on a pre-audit claim" || ok
grep -q '"claim_id":"B","rule":"OLD.1"' "$tmp/eff.out" && ok || bad "no admission: the line's time (2024) should select OLD.1"
grep -q '"claim_id":"B","rule":"NEW.1"' "$tmp/eff.out" && bad "no admission: NEW.1 was not in force on the line's day" || ok

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
