#!/usr/bin/env bash
# stage_threads.sh ARBITER SRC — the staging pass on several threads (the
# pipe: workers that live for the run parse and encode chunks while the
# main thread stores the claims read before, window by window, api/batch.c)
# stores what one thread stores.  `history add` of about 40 MB of small
# claims (ten 4 MB windows, hundreds of chunks, more than the pipe's queue
# holds) with malformed records, claims without a settle time (cannot be
# stored), repeated claim_ids (a claim replaced) and reversals scattered
# through them, with --commit-every 3000 (a commit every few windows): the
# exported store, the rejects file, the rejects reported on stderr in input
# order and the exit code are the same with 1, 2, 3 and 8 threads; so is a
# second `add` of the same batch over the store (every claim a replace).
# `check --history` over that store (the staging store written through the
# pipe) gives the same findings, rejects, counts and exit code with 1, 2
# and 3 threads.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cat >h.rules <<'R'
category AGE "age" { code "AGE" severity high }
rule AGE.1 in AGE for line in claim.lines when line.item_code in {"C3", "C7"} and claim.age >= 18
  flag line message "{line.item_code} at {claim.age}"
rule AGE.2 in AGE when count(p in history(30d) where p.total_amount > 20) >= 3 flag claim
R
awk 'BEGIN {
  for (i = 1; i <= 150000; i++) {
    if (i % 997 == 0) { print "{\"claim_id\": broken " i; continue }
    if (i % 1231 == 0) print "   "
    if (i % 2003 == 0) { # a reversal of a claim met before
      printf "{\"claim_id\":\"R%07d\",\"person_id\":\"P%05d\",\"care_type\":\"outpatient\",\"reversal_of\":\"K%07d\",\"settle_time\":\"2025-02-01T11:00:00\",\"lines\":[]}\n", i, i % 5000, i - 500
      continue
    }
    n = 1 + i % 3; lines = ""; total = 0
    for (k = 1; k <= n; k++) {
      q = 1 + (i * 7 + k) % 10; amt = q * 3; total += amt
      lines = lines (k > 1 ? "," : "") sprintf("{\"line_no\":%d,\"item_code\":\"C%d\",\"item_kind\":\"drug\",\"time\":\"2025-01-01T10:00:00\",\"quantity\":%d,\"unit_price\":\"3.00\",\"amount\":\"%d.00\"}", k, (i + k) % 13, q, amt)
    }
    id = i % 1499 == 0 ? i - 700 : i          # a claim_id met before: replaced
    settle = i % 1777 == 0 ? "" : sprintf("\"settle_time\":\"2025-01-%02dT11:00:00\",", 1 + i % 28)  # none: cannot be stored
    printf "{\"claim_id\":\"K%07d\",\"person_id\":\"P%05d\",\"sex\":\"F\",\"birth_date\":\"%d-03-01\",\"care_type\":\"outpatient\",\"facility_id\":\"H1\",\"admit_time\":\"2025-01-%02dT09:00:00\",%s\"total_amount\":\"%d.00\",\"lines\":[%s]}\n", id, i % 5000, 1950 + i % 70, 1 + i % 28, settle, total, lines
  }
}' >c.jsonl
[ "$(wc -c <c.jsonl)" -gt 40000000 ] && ok || bad "claims smaller than ten add windows: $(wc -c <c.jsonl) bytes"
"$arbiter" compile h.rules -o h.arbpack >/dev/null 2>&1 || { echo "FAIL: compile"; exit 1; }

add() { # NAME THREADS: history add into store NAME, then its export
  local name=$1 t=$2
  "$arbiter" history add "$name" --claims c.jsonl --pack h.arbpack --threads "$t" \
    --commit-every 3000 --rejects "$name.rej" >/dev/null 2>"$name.err"
  echo $? >"$name.rc"
  grep 'rejected:' "$name.err" >"$name.msgs"
  "$arbiter" history export "$name" -o "$name.jsonl" >/dev/null 2>&1 || bad "export $name"
}
add a1 1
[ "$(cat a1.rc)" = 3 ] && ok || bad "history add with rejects: exit $(cat a1.rc), not 3"
[ "$(wc -l <a1.jsonl)" -gt 100000 ] && ok || bad "too few claims stored: $(wc -l <a1.jsonl)"
[ "$(wc -l <a1.rej)" -gt 200 ] && ok || bad "too few rejects: $(wc -l <a1.rej)"
grep -q 'cannot be stored' a1.rej && ok || bad "no claim without a settle time rejected"
grep -q '"claim_id":"K0000001"' a1.jsonl && ok || bad "the first claim is not stored"
grep -q '"claim_id":"K0001503"' a1.jsonl && bad "a reversed claim is stored" || ok
for t in 2 3 8; do
  add "a$t" "$t"
  for f in jsonl rej msgs rc; do
    cmp -s "a1.$f" "a$t.$f" && ok || bad "history add, $t threads: the .$f differs from 1 thread's"
  done
done
# the same batch again over each store: every claim a replace
for t in 1 2; do
  "$arbiter" history add "a$t" --claims c.jsonl --pack h.arbpack --threads "$t" \
    --commit-every 3000 --rejects "again$t.rej" >/dev/null 2>&1
  "$arbiter" history export "a$t" -o "again$t.jsonl" >/dev/null 2>&1
done
cmp -s again1.jsonl again2.jsonl && ok || bad "history add again, 2 threads: the store differs from 1 thread's"
cmp -s again1.rej again2.rej && ok || bad "history add again, 2 threads: the rejects differ"
cmp -s a1.jsonl again1.jsonl && ok || bad "history add again: the store changed"

# check --history over the store: the staging pass through the pipe
for t in 1 2 3; do
  "$arbiter" check --pack h.arbpack --claims c.jsonl --history a1 --threads "$t" -o "s$t.jsonl" \
    --rejects "s$t.rej" --summary "s$t.sum" >/dev/null 2>"s$t.err"
  echo $? >"s$t.rc"
  sed -e 's/"finished":"[^"]*",//; s/"[a-z_]*seconds":[0-9.e+-]*,\{0,1\}//g; s/"threads":[0-9]*,\{0,1\}//g' \
    "s$t.sum" >"s$t.counts" 2>/dev/null
done
[ "$(wc -l <s1.jsonl)" -gt 1000 ] && ok || bad "too few findings to compare: $(wc -l <s1.jsonl)"
for t in 2 3; do
  for f in jsonl rej counts rc; do
    cmp -s "s1.$f" "s$t.$f" && ok || bad "check --history, $t threads: the .$f differs from 1 thread's"
  done
done
finish
