#!/usr/bin/env bash
# dup_store.sh ARBITER SRC — a claim_id seen twice, found by `check
# --history` (store mode: the ids in a bounded table spilling sorted runs
# to disk, runtime/claim_ids.h) exactly as by the in-memory run: the same
# warnings (which line repeats which), the same summary, the same --strict
# rejects, for 1 and 3 threads, on a batch of three reading windows (8 MB
# each) with repeats near and far; $ARBITER_ID_BUDGET=8 makes the table
# spill every dozen ids, the default keeps this batch in memory.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lib=$src/stdlib-rules
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
"$arbiter" gen claims --n 6000 --seed 2026 -o "$tmp/c.jsonl"
# repeats: line 5 in the second and third windows, 2100 at the end, 4000
# ten lines on, 5990 right after; a reversal repeating an id is none
/usr/bin/python3 - "$tmp/c.jsonl" "$tmp/d.jsonl" "$tmp/expect" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
out = list(lines)
out.insert(2500, lines[4])
out.insert(4500, lines[4])
out.insert(4010, lines[3999])
out.insert(5995, lines[5989])
out.append(lines[2099])
rev = json.loads(lines[10])
out.append(json.dumps({"claim_id": rev["claim_id"], "person_id": rev["person_id"],
                       "care_type": "outpatient", "status": "reversed"}))
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out) + "\n")
first, exp = {}, []
for no, l in enumerate(out, 1):
    c = json.loads(l)
    if c.get("status") == "reversed":
        continue
    i = c["claim_id"]
    if i in first:
        exp.append("d.jsonl:%d: warning: claim_id '%s' seen before, on line %d (both claims audited)"
                   % (no, i, first[i]))
    else:
        first[i] = no
open(sys.argv[3], "w").write("\n".join(exp) + "\n")
PY
[ "$(stat -c %s "$tmp/d.jsonl")" -gt $((16 << 20)) ] && ok || bad "the batch is not three windows"
[ "$(wc -l <"$tmp/expect")" -eq 5 ] && ok || bad "expected repeats: $(cat "$tmp/expect")"
warnings() { grep -o 'd\.jsonl:[0-9]*: warning: claim_id .*' "$1"; }
summary() { grep -E 'claims read =|claim_id seen before' "$1" | sed 's/; rejects in .*//'; }

"$arbiter" check "$lib" --claims "$tmp/d.jsonl" -o "$tmp/m1.out" 2>"$tmp/m1.err"
[ $? -eq 0 ] && ok || bad "in-memory run failed: $(tail -3 "$tmp/m1.err")"
diff <(warnings "$tmp/m1.err") "$tmp/expect" >/dev/null && ok || bad "in-memory warnings: $(warnings "$tmp/m1.err")"
grep -q "5 records with a claim_id seen before" "$tmp/m1.err" && ok || bad "in-memory count: $(summary "$tmp/m1.err")"
for run in "8 1" "8 3" "0 1" "0 3"; do
  set -- $run
  budget=$1 threads=$2 tag="budget $1, $2 thread(s)"
  rm -rf "$tmp/h"
  "$arbiter" history init "$tmp/h" >/dev/null 2>&1
  if [ "$budget" = 0 ]; then
    "$arbiter" check "$lib" --claims "$tmp/d.jsonl" --history "$tmp/h" --threads "$threads" -o "$tmp/s.out" 2>"$tmp/s.err"
  else
    ARBITER_ID_BUDGET=$budget "$arbiter" check "$lib" --claims "$tmp/d.jsonl" --history "$tmp/h" --threads "$threads" -o "$tmp/s.out" 2>"$tmp/s.err"
  fi
  [ $? -eq 0 ] && ok || bad "store run ($tag) failed: $(tail -3 "$tmp/s.err")"
  diff <(warnings "$tmp/s.err") "$tmp/expect" >/dev/null && ok || bad "store warnings ($tag): $(warnings "$tmp/s.err")"
  diff <(summary "$tmp/m1.err") <(summary "$tmp/s.err") >/dev/null && ok || bad "store summary ($tag): $(summary "$tmp/s.err")"
  [ -f "$tmp/s1.out" ] || cp "$tmp/s.out" "$tmp/s1.out"
  cmp -s "$tmp/s1.out" "$tmp/s.out" && ok || bad "store findings ($tag) differ from budget 8, 1 thread"
  ls "$tmp/h" | grep -q arbiter-ids && bad "a run of ids left in the store ($tag)" || ok
done
[ -s "$tmp/s1.out" ] && ok || bad "no findings: the comparison proves nothing"

# --strict: the repeats rejected, the same in both modes
"$arbiter" check "$lib" --claims "$tmp/d.jsonl" -o "$tmp/ms.out" --strict --rejects "$tmp/mrej.jsonl" 2>"$tmp/ms.err"
[ $? -eq 3 ] && ok || bad "--strict in memory: exit not 3"
[ "$(wc -l <"$tmp/mrej.jsonl")" -eq 5 ] && ok || bad "--strict in memory: $(wc -l <"$tmp/mrej.jsonl") rejects"
for threads in 1 3; do
  rm -rf "$tmp/h"
  "$arbiter" history init "$tmp/h" >/dev/null 2>&1
  ARBITER_ID_BUDGET=8 "$arbiter" check "$lib" --claims "$tmp/d.jsonl" --history "$tmp/h" --threads $threads \
    -o "$tmp/ss.out" --strict --rejects "$tmp/srej.jsonl" 2>"$tmp/ss.err"
  [ $? -eq 3 ] && ok || bad "--strict in store mode, $threads thread(s): exit not 3"
  cmp -s "$tmp/mrej.jsonl" "$tmp/srej.jsonl" && ok || bad "--strict rejects differ, $threads thread(s)"
  diff <(grep 'rejected: claim_id' "$tmp/ms.err") <(grep 'rejected: claim_id' "$tmp/ss.err") >/dev/null && ok ||
    bad "--strict messages differ, $threads thread(s)"
  diff <(summary "$tmp/ms.err") <(summary "$tmp/ss.err") >/dev/null && ok || bad "--strict summary differs, $threads thread(s)"
done
echo "dup_store: $pass passed, $fail failed"
[ $fail -eq 0 ]
