#!/usr/bin/env bash
# threads_order.sh ARBITER SRC — the pipelined reader of `arbiter check`
# (JSON Lines streamed on several threads, api/batch.c) writes in input
# order: over 120,000 small claims (about 5 windows of input, hundreds of
# chunks, more than the queue holds), with rejected records, blank lines,
# repeated claim ids and rule errors scattered through them, the findings
# (JSON Lines and CSV), the rejects, the rule errors, the run's counts and
# the warnings about repeated ids (the ids scanned on the workers, noted in
# input order) are byte for byte the same with 1, 2, 3 and 8 threads.  So they are with a rule over the
# person's history (every claim read first, the derived fields computed and
# the claims checked in chunks on the workers), and in store mode (the
# spool checked in chunks on the workers).
set -uo pipefail
arbiter=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
cd "$tmp"
cat >t.rules <<'R'
category AGE "age" { code "AGE" severity high }
category OVF "overflow" { code "OVF" severity low }
rule AGE.1 in AGE for line in claim.lines when line.item_code in {"C3", "C7", "C11"} and claim.age >= 18
  flag line message "{line.item_code} at {claim.age}"
rule AGE.2 in AGE when claim.total_amount > 900 flag claim
rule OVF.1 in OVF for line in claim.lines when line.quantity > 8 and line.amount * 100000000000000000 > 0
  flag line message "never"
R
{ cat t.rules; echo 'rule HIS.1 in AGE when count(p in history(7d) where p.total_amount > 20) >= 4 flag claim'; } >h.rules
awk 'BEGIN {
  for (i = 1; i <= 120000; i++) {
    if (i % 997 == 0) { print "{\"id\": broken " i; continue }
    if (i % 1231 == 0) print "   "
    n = 1 + i % 3; lines = ""; total = 0
    for (k = 1; k <= n; k++) {
      q = 1 + (i * 7 + k) % 10; amt = q * 3; total += amt
      lines = lines (k > 1 ? "," : "") sprintf("{\"line_no\":%d,\"item_code\":\"C%d\",\"item_kind\":\"drug\",\"time\":\"2025-01-01T10:00:00\",\"quantity\":%d,\"unit_price\":\"3.00\",\"amount\":\"%d.00\"}", k, (i + k) % 13, q, amt)
    }
    if (i % 101 == 0) total += 1000
    id = i % 1499 == 0 ? i - 700 : i
    printf "{\"claim_id\":\"K%07d\",\"person_id\":\"P%05d\",\"sex\":\"F\",\"birth_date\":\"%d-03-01\",\"care_type\":\"outpatient\",\"facility_id\":\"H1\",\"admit_time\":\"2025-01-01T09:00:00\",\"settle_time\":\"2025-01-01T11:00:00\",\"total_amount\":\"%d.00\",\"lines\":[%s]}\n", id, i % 5000, 1950 + i % 70, total, lines
  }
}' >c.jsonl
[ "$(wc -c <c.jsonl)" -gt 30000000 ] && ok || bad "claims smaller than 4 windows: $(wc -c <c.jsonl) bytes"
rules=t.rules
run() { # NAME THREADS ARGS...
  local name=$1 t=$2
  shift 2
  "$arbiter" check $rules --claims c.jsonl --threads "$t" --rejects "$name.rej" \
    --rule-errors "$name.err" --summary "$name.sum" --quiet "$@" >/dev/null 2>"$name.log"
  echo $? >"$name.rc"
  # the counts of the summary, not its times nor the threads
  sed -e 's/"finished":"[^"]*",//; s/"[a-z_]*seconds":[0-9.e+-]*,\{0,1\}//g; s/"threads":[0-9]*,\{0,1\}//g' \
    -e 's/"[a-z_]*per_s[a-z_]*":[0-9.e+-]*,\{0,1\}//g' "$name.sum" >"$name.counts"
  grep "seen before" "$name.log" >"$name.dup"
}
run j1 1 -o j1.jsonl
[ "$(cat j1.rc)" = 3 ] && ok || bad "1 thread: exit $(cat j1.rc), not 3 (records rejected): $(tail -2 j1.log)"
[ "$(grep -c . j1.rej)" -eq 120 ] && ok || bad "rejects: $(grep -c . j1.rej), not 120"
[ "$(grep -c . j1.dup)" -gt 5 ] && grep -q '"duplicates":80,' j1.sum && ok ||
  bad "repeated ids: $(grep -c . j1.dup) warnings, or not 80 in the summary: $(cat j1.sum)"
[ -s j1.err ] && [ "$(grep -c . j1.jsonl)" -gt 40000 ] && ok || bad "too few findings or rule errors"
for t in 2 3 8; do
  run "j$t" "$t" -o "j$t.jsonl"
  for f in jsonl rej err counts dup rc; do
    cmp -s "j1.$f" "j$t.$f" && ok || bad "$t threads: the .$f differs from 1 thread's"
  done
done
run c1 1 -o c1.csv --format csv
run c3 3 -o c3.csv --format csv
cmp -s c1.csv c3.csv && ok || bad "CSV findings differ with 3 threads"
rules=h.rules
run h1 1 -o h1.jsonl
[ "$(grep -c HIS.1 h1.jsonl)" -gt 10000 ] && ok || bad "history rule: $(grep -c HIS.1 h1.jsonl) findings"
for t in 2 3; do
  run "h$t" "$t" -o "h$t.jsonl"
  for f in jsonl rej err counts dup rc; do
    cmp -s "h1.$f" "h$t.$f" && ok || bad "history, $t threads: the .$f differs from 1 thread's"
  done
done
# store mode (a temporary history store, as for a batch over
# --history-memory): the spool checked in chunks through the pipe, its
# windows read ahead in turns (more than three windows, more chunks than
# the queue holds)
run s1 1 -o s1.jsonl --history-memory 0
cmp -s h1.jsonl s1.jsonl && ok || bad "store mode, 1 thread: findings differ from the in-memory run's"
for t in 2 3; do
  run "s$t" "$t" -o "s$t.jsonl" --history-memory 0
  for f in jsonl rej err counts dup rc; do
    cmp -s "s1.$f" "s$t.$f" && ok || bad "store mode, $t threads: the .$f differs from 1 thread's"
  done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
