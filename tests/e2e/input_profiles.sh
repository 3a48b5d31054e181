#!/usr/bin/env bash
# input_profiles.sh ARBITER SRC — claims read through the standard
# library's input profiles give the findings of the same claims written in
# canonical form: 3101 requests (tests/data/nhsa3101, written from the
# national field list: numbers as strings, nulls, a single-object
# patient_dtos, empty fsi_operation_dtos, long-term and current orders) and
# a CSV export with Chinese headers (tests/data/his_csv_zh).  A malformed
# request is one rejected record naming its line and field path; the rest
# is audited.  A pack carries the profiles; 1 and 3 threads agree.  explain
# and diff read through a profile too (--input), as check does; so do
# `history add --input` and `check --input --history` (a CSV profile too):
# the store and the findings equal those of the canonical twins.  A
# claim_id seen twice in a batch read through a profile (two documents with
# the same encounters, two CSV groups giving one id) is reported as in
# canonical input: a warning naming the later record's line and the first
# one's, counted in the summary, the later claim rejected under --strict;
# the same for 1 and 3 threads, streaming, in memory with history() and
# with a history store.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1 # check writes rejects.jsonl into the working directory
lib=$src/stdlib-rules
n3101=$src/tests/data/nhsa3101
his=$src/tests/data/his_csv_zh
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { "$arbiter" check "$lib" --stdlib "$lib" --quiet "$@"; }

# (1) 3101 requests = their canonical twin
check --input nhsa3101 --claims "$n3101/requests.jsonl" -o "$tmp/3101.out" 2>"$tmp/3101.err"
rc=$?
[ $rc -eq 0 ] && ok || { bad "nhsa3101: exit code $rc"; cat "$tmp/3101.err"; }
check --claims "$n3101/canonical.jsonl" -o "$tmp/canon.out"
[ -s "$tmp/canon.out" ] && ok || bad "the canonical twin gives no findings"
cmp -s "$tmp/3101.out" "$tmp/canon.out" && ok || { bad "nhsa3101 findings differ from the canonical twin"; diff "$tmp/3101.out" "$tmp/canon.out"; }
# 2 requests, 3 encounters: 3 claims; the client's own key is counted, the
# national fields the schema does not hold are not
"$arbiter" check "$lib" --stdlib "$lib" --input nhsa3101 --claims "$n3101/requests.jsonl" -o /dev/null 2>"$tmp/sum"
grep -q "3 claims read = 3 audited + 0 rejected" "$tmp/sum" && ok || { bad "3101 summary"; cat "$tmp/sum"; }
grep -q "ignored input field 'mode' in 1 record" "$tmp/sum" && ok || bad "unknown key 'mode' not counted"
[ "$(grep -c 'ignored input field' "$tmp/sum")" -eq 1 ] && ok || bad "national fields reported as unknown"
# --strict: the client's own key rejects its request
check --strict --input nhsa3101 --claims "$n3101/requests.jsonl" -o /dev/null 2>"$tmp/strict"
grep -q "requests.jsonl:1: rejected: .*mode.*read by no field" "$tmp/strict" && ok || { bad "--strict"; cat "$tmp/strict"; }

# (2) a malformed request is rejected with its line and field path, the rest audited
check --input nhsa3101 --claims "$n3101/requests_bad.jsonl" -o "$tmp/bad.out" --rejects "$tmp/rej.jsonl" 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 3 ] && ok || bad "malformed request: exit code $rc, expected 3"
grep -q "requests_bad.jsonl:2: rejected: column [0-9]*: input.data.patient_dtos\[0\].gend: '5' is not a sex" "$tmp/bad.err" && ok || { bad "bad gend not named"; cat "$tmp/bad.err"; }
grep -q "input.data.patient_dtos\[0\].fsi_encounter_dtos.fsi_order_dtos\[1\].cnt: '两盒' for quantity" "$tmp/bad.err" && ok || bad "bad cnt not named"
grep -q "requests_bad.jsonl:4: rejected: column [0-9]*: invalid JSON" "$tmp/bad.err" && ok || bad "truncated request not reported"
[ "$(wc -l < "$tmp/rej.jsonl")" -eq 2 ] && ok || bad "reject file should hold 2 records"
cmp -s "$tmp/bad.out" "$tmp/canon.out" && ok || bad "the good requests around a bad one give other findings"

# (3) the Chinese-header CSV export = its canonical twin
check --input his_csv_zh --claims "$his/export.csv" -o "$tmp/his.out" 2>"$tmp/his.err"
check --claims "$his/canonical.jsonl" -o "$tmp/hcanon.out"
[ -s "$tmp/hcanon.out" ] && ok || bad "the CSV twin gives no findings"
cmp -s "$tmp/his.out" "$tmp/hcanon.out" && ok || { bad "his_csv_zh findings differ from the canonical twin"; diff "$tmp/his.out" "$tmp/hcanon.out"; }
# a bad cell names its line and column; the other claim is audited
sed 's/^Z002,P2002,男,1960-08-01/Z002,P2002,男,1960-13-01/' "$his/export.csv" > "$tmp/bad.csv"
"$arbiter" check "$lib" --stdlib "$lib" --input his_csv_zh --claims "$tmp/bad.csv" -o "$tmp/hbad.out" 2>"$tmp/hbad.err"
grep -q "bad.csv:3: rejected: line 3: 出生日期" "$tmp/hbad.err" && ok || { bad "bad CSV cell not named"; cat "$tmp/hbad.err"; }
grep -q "2 claims read = 1 audited + 1 rejected" "$tmp/hbad.err" && ok || bad "CSV summary with a bad claim"

# (4) a pack carries the profiles
"$arbiter" compile "$lib" --stdlib "$lib" -o "$tmp/lib.arbpack" >/dev/null 2>&1
"$arbiter" check --pack "$tmp/lib.arbpack" --quiet --input nhsa3101 --claims "$n3101/requests.jsonl" -o "$tmp/pack.out" 2>/dev/null
cmp -s "$tmp/pack.out" "$tmp/canon.out" && ok || bad "a pack reads 3101 requests differently"
"$arbiter" check --pack "$tmp/lib.arbpack" --quiet --input his_csv_zh --claims "$his/export.csv" -o "$tmp/pack2.out" 2>/dev/null
cmp -s "$tmp/pack2.out" "$tmp/hcanon.out" && ok || bad "a pack reads the CSV export differently"
"$arbiter" check --pack "$tmp/lib.arbpack" --quiet --input nosuch --claims "$n3101/requests.jsonl" -o /dev/null 2>"$tmp/nosuch"
grep -q "no input profile 'nosuch'" "$tmp/nosuch" && ok || bad "an unknown profile is not named"

# (5) 1 and 3 threads give the same findings and rejects
check --threads 3 --input nhsa3101 --claims "$n3101/requests_bad.jsonl" -o "$tmp/bad3.out" --rejects "$tmp/rej3.jsonl" 2>/dev/null
cmp -s "$tmp/bad3.out" "$tmp/bad.out" && cmp -s "$tmp/rej3.jsonl" "$tmp/rej.jsonl" && ok || bad "3 threads differ (3101)"
check --threads 3 --input his_csv_zh --claims "$his/export.csv" -o "$tmp/his3.out" 2>/dev/null
cmp -s "$tmp/his3.out" "$tmp/his.out" && ok || bad "3 threads differ (CSV)"

# (6) explain --input and diff --input: the same as their canonical twins
ex() { "$arbiter" explain "$lib" --stdlib "$lib" "$@"; }
for pair in "nhsa3101 $n3101/requests.jsonl $n3101/canonical.jsonl" "his_csv_zh $his/export.csv $his/canonical.jsonl"; do
  set -- $pair
  id=$(head -1 "$tmp/canon.out" | sed 's/^{"claim_id":"\([^"]*\)".*/\1/')
  [ "$1" = his_csv_zh ] && id=$(head -1 "$tmp/his.out" | sed 's/^{"claim_id":"\([^"]*\)".*/\1/')
  ex --claims "$3" --claim "$id" >"$tmp/x_canon.txt" 2>&1
  ex --input "$1" --claims "$2" --claim "$id" >"$tmp/x_prof.txt" 2>&1
  grep -q "fired, 1 finding" "$tmp/x_canon.txt" && cmp -s "$tmp/x_canon.txt" "$tmp/x_prof.txt" && ok ||
    { bad "explain --input $1 differs from the canonical claim $id"; diff "$tmp/x_canon.txt" "$tmp/x_prof.txt" | head; }
  "$arbiter" diff "$lib" "$lib" --stdlib "$lib" --input "$1" --claims "$2" >"$tmp/d.txt" 2>&1
  rc=$?
  [ $rc -eq 0 ] && grep -q "findings \([0-9]*\) -> \1 (+0)" "$tmp/d.txt" && ! grep -q "findings 0 ->" "$tmp/d.txt" && ok ||
    { bad "diff --input $1: exit $rc"; cat "$tmp/d.txt"; }
done
ex --input nosuch --claims "$his/export.csv" --claim X >/dev/null 2>"$tmp/x.err"
[ $? -eq 2 ] && grep -q "no input profile 'nosuch'" "$tmp/x.err" && ok || bad "explain --input nosuch: $(cat "$tmp/x.err")"

# (7) profiles into a history store: history add --input, check --history --input
for pair in "nhsa3101 $n3101/requests.jsonl $n3101/canonical.jsonl" "his_csv_zh $his/export.csv $his/canonical.jsonl"; do
  set -- $pair
  rm -rf "$tmp/hp" "$tmp/hc"
  "$arbiter" history add "$tmp/hp" --stdlib "$lib" --input "$1" --claims "$2" 2>/dev/null && ok || bad "history add --input $1 failed"
  "$arbiter" history add "$tmp/hc" --stdlib "$lib" --claims "$3" 2>/dev/null
  "$arbiter" history export "$tmp/hp" -o "$tmp/ep.jsonl" 2>/dev/null
  "$arbiter" history export "$tmp/hc" -o "$tmp/ec.jsonl" 2>/dev/null
  [ -s "$tmp/ep.jsonl" ] && cmp -s "$tmp/ep.jsonl" "$tmp/ec.jsonl" && ok || bad "history add --input $1: the store differs from the canonical twin's"
  check --input "$1" --claims "$2" --history "$tmp/hc" -o "$tmp/hp.out" 2>/dev/null
  check --claims "$3" --history "$tmp/hc" -o "$tmp/hc.out" 2>/dev/null
  [ -s "$tmp/hc.out" ] && cmp -s "$tmp/hp.out" "$tmp/hc.out" && ok || bad "check --history --input $1: findings differ from the canonical twin's"
done

# (8) a claim_id seen twice through a profile: warned (or rejected under
# --strict) in input order, the same in every mode and for any thread count.
# d.jsonl: request 1 (two encounters, its client key 'mode' dropped) and
# request 2, each twice; dup.csv: a profile grouping by 病人ID, so one more
# row of Z001 under another patient is a second claim Z001.
/usr/bin/python3 - "$n3101/requests.jsonl" "$tmp/d.jsonl" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
r[0].pop("mode")
rows = [json.dumps(x, ensure_ascii=False) for x in (r[0], r[1], r[0], r[1])]
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(rows) + "\n")
PY
cp -r "$lib" "$tmp/lib"
sed -e 's/^input his_csv_zh /input his_by_person /' -e 's/^  group "住院号"/  group "病人ID"\n  ignore "备注"/' \
  "$lib/input/his_csv_zh.rules" >"$tmp/lib/input/his_by_person.rules"
echo 'import "input/his_by_person.rules"' >>"$tmp/lib/schema.rules"
# the same rules without history(): streaming
cp -r "$tmp/lib" "$tmp/flat"
for f in "$tmp"/flat/*.rules; do grep -q "history(" "$f" && rm "$f"; done
{ cat "$his/export.csv"; sed -n 2p "$his/export.csv" | sed 's/^Z001,P1001,/Z001,P9001,/'; } >"$tmp/dup.csv"
printf '%s\n' \
  "d.jsonl:3: warning: claim_id 'M2025061201' seen before, on line 1 (both claims audited)" \
  "d.jsonl:3: warning: claim_id 'M2025060301' seen before, on line 1 (both claims audited)" \
  "d.jsonl:4: warning: claim_id 'M2025061502' seen before, on line 2 (both claims audited)" \
  "6 claims read = 6 audited + 0 rejected" \
  "3 records with a claim_id seen before (both audited; --strict rejects the later)" >"$tmp/exp_d"
printf '%s\n' \
  "d.jsonl:3: rejected: claim_id 'M2025061201' seen before, on line 1 (rejected: --strict)" \
  "d.jsonl:3: rejected: claim_id 'M2025060301' seen before, on line 1 (rejected: --strict)" \
  "d.jsonl:4: rejected: claim_id 'M2025061502' seen before, on line 2 (rejected: --strict)" \
  "6 claims read = 3 audited + 3 rejected" \
  "3 records with a claim_id seen before (rejected: --strict)" >"$tmp/exp_d_strict"
printf '%s\n' \
  "dup.csv:6: warning: claim_id 'Z001' seen before, on line 2 (both claims audited)" \
  "3 claims read = 3 audited + 0 rejected" \
  "1 record with a claim_id seen before (both audited; --strict rejects the later)" >"$tmp/exp_c"
printf '%s\n' \
  "dup.csv:6: rejected: claim_id 'Z001' seen before, on line 2 (rejected: --strict)" \
  "3 claims read = 2 audited + 1 rejected" \
  "1 record with a claim_id seen before (rejected: --strict)" >"$tmp/exp_c_strict"
for case in "nhsa3101 d.jsonl exp_d" "his_by_person dup.csv exp_c"; do
  set -- $case
  for rules in lib flat; do
    for store in "" store; do
      for threads in 1 3; do
        for strict in "" --strict; do
          what="$1 $rules ${store:-memory} threads=$threads ${strict:-lenient}"
          hist=()
          if [ -n "$store" ]; then
            rm -rf "$tmp/hs" && "$arbiter" history init "$tmp/hs" >/dev/null 2>&1
            hist=(--history "$tmp/hs")
          fi
          rm -f "$tmp/drej.jsonl"
          "$arbiter" check "$tmp/$rules" --stdlib "$tmp/$rules" --input "$1" --claims "$tmp/$2" \
            --threads $threads $strict "${hist[@]}" -o /dev/null --rejects "$tmp/drej.jsonl" 2>"$tmp/dup.err"
          grep -E "seen before|claims read" "$tmp/dup.err" |
            sed -e "s|^$tmp/||" -e 's/^arbiter: [0-9]* rules, //' -e 's/; rejects in .*//' -e 's/^ *//' >"$tmp/dup.got"
          exp="$tmp/$3${strict:+_strict}"
          cmp -s "$tmp/dup.got" "$exp" && ok || { bad "duplicates through $what"; diff "$exp" "$tmp/dup.got"; }
          if [ -n "$strict" ]; then
            [ "$(grep -c 'seen before' "$tmp/drej.jsonl" 2>/dev/null)" = "$(grep -c ": rejected: " "$exp")" ] && ok ||
              bad "duplicates through $what: the reject file"
          fi
        done
      done
    done
  done
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
