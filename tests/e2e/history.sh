#!/usr/bin/env bash
# history.sh ARBITER SRC — rules over a person's earlier claims
# (history(DURATION)): a re-admission within 15 days, a fourth visit in 7
# days, cumulative course days across claims and a second-line drug without
# a first-line one in the last year are flagged, their near
# misses are not; every backend (interpreter, JIT, AOT native code, threads,
# no index) and both input formats give the same findings; rejected records
# are counted and left out of every history; history rules run in any
# phase (--phase settle audits with the batch's history as --phase post
# does; a rule's phase clause limits it as usual); the duration may be
# computed (a table column) or a calendar period; findings name the
# earlier claims that made them (evidence); explain sees the history too.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$src/tests/data/history
std=(--stdlib "$src/stdlib-rules")
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
same() { if cmp -s "$1" "$2"; then ok; else bad "$3"; diff "$1" "$2" | head -5; fi; }

"$arbiter" check "$d/history.rules" --claims "$d/claims.jsonl" -o "$tmp/interp" --quiet "${std[@]}" || bad "check exit $?"
same "$d/expected.jsonl" "$tmp/interp" "findings differ from expected.jsonl"
for id in A3 W4 E3 V3 W3 D1 D2 G2 H2; do   # near misses and earlier claims
  grep -q "^{\"claim_id\":\"$id\"" "$tmp/interp" && bad "$id should not be flagged" || ok
done
for args in "--backend jit" "--threads 4" "--backend jit --threads 3" "--no-index" "--phase post"; do
  "$arbiter" check "$d/history.rules" --claims "$d/claims.jsonl" -o "$tmp/o" --quiet $args "${std[@]}"
  same "$d/expected.jsonl" "$tmp/o" "$args differs"
done
if "$arbiter" compile "$d/history.rules" -o "$tmp/h.arbpack" --native "${std[@]}" 2>/dev/null; then
  "$arbiter" check --pack "$tmp/h.arbpack" --backend native --claims "$d/claims.jsonl" -o "$tmp/o" --quiet --threads 2
  same "$d/expected.jsonl" "$tmp/o" "native (AOT) differs"
  "$arbiter" check --pack "$tmp/h.arbpack" --backend interp --claims "$d/claims.jsonl" -o "$tmp/o" --quiet
  same "$d/expected.jsonl" "$tmp/o" "pack (interpreter) differs"
else bad "compile --native failed"; fi

# history at settlement: the rules (no phase clause: all phases) run with
# the batch as the history, as in the post phase
for ph in settle pre; do
  "$arbiter" check "$d/history.rules" --claims "$d/claims.jsonl" -o "$tmp/o" --quiet --phase $ph "${std[@]}"
  same "$d/expected.jsonl" "$tmp/o" "--phase $ph differs"
done

# the same claims as CSV files
python3 "$d/to_csv.py" "$d/claims.jsonl" "$tmp/csv"
"$arbiter" check "$d/history.rules" --claims "$tmp/csv/claims.csv" -o "$tmp/o" --quiet --threads 2 "${std[@]}"
same "$d/expected.jsonl" "$tmp/o" "CSV input differs"
# a bad CSV row and a line of no claim: counted, reported by line, left out
# of every history; the same with 1 and 3 threads reading
cp -r "$tmp/csv" "$tmp/csvbad"
sed -i '2s/,inpatient,/,nonsense,/' "$tmp/csvbad/claims.csv"
echo "NOPE,1,001102000010100,service,2025-03-01T09:00:00,1,10.00,10.00," >> "$tmp/csvbad/lines.csv"
for t in 1 3; do
  "$arbiter" check "$d/history.rules" --claims "$tmp/csvbad/claims.csv" -o "$tmp/cb$t" --rejects "$tmp/cr$t" --quiet --threads $t "${std[@]}" 2>/dev/null
  [ $? -eq 3 ] && ok || bad "CSV rejects ($t threads): exit code should be 3"
done
same "$tmp/cb1" "$tmp/cb3" "CSV findings with rejects, 3 threads"
same "$tmp/cr1" "$tmp/cr3" "CSV rejects, 3 threads"
[ "$(grep -c . "$tmp/cr1")" -eq 2 ] && grep -q '"line":2,' "$tmp/cr1" && ok || { bad "CSV rejects: the bad row and the orphan line"; cat "$tmp/cr1"; }
grep -q '^{"claim_id":"A2"' "$tmp/cb1" && bad "CSV: A2 flagged although A1 was rejected" || ok

# a rejected record is counted, reported by line and is in no history:
# without A1, A2 is no re-admission
{ sed -n 1p "$d/claims.jsonl" | sed 's/"person_id"/"person_id" 1/'; sed 1d "$d/claims.jsonl"; echo '{"claim_id": "X"'; } > "$tmp/dirty.jsonl"
"$arbiter" check "$d/history.rules" --claims "$tmp/dirty.jsonl" -o "$tmp/o" --rejects "$tmp/rej" --quiet "${std[@]}" 2>/dev/null
[ $? -eq 3 ] && ok || bad "rejects: exit code should be 3"
[ "$(grep -c . "$tmp/rej")" -eq 2 ] && ok || bad "rejects: 2 records expected"
last=$(($(grep -c . "$d/claims.jsonl") + 1))
grep -q '"line":1,' "$tmp/rej" && grep -q "\"line\":$last," "$tmp/rej" && ok || bad "rejects: line numbers"
grep -v '"A2"' "$d/expected.jsonl" > "$tmp/exp2"
same "$tmp/exp2" "$tmp/o" "findings with rejects differ"
# read on several workers: the same findings and rejects, in input order
"$arbiter" check "$d/history.rules" --claims "$tmp/dirty.jsonl" -o "$tmp/o3" --rejects "$tmp/rej3" --quiet --threads 3 "${std[@]}" 2>/dev/null
same "$tmp/o" "$tmp/o3" "findings with rejects, 3 threads"
same "$tmp/rej" "$tmp/rej3" "rejects, 3 threads"

# a rule's phase clause limits a history rule as any other: this one runs
# at settlement only
cat > "$tmp/phase.rules" <<'R'
category F "频繁就诊" { code "X" }
rule F.1 in F
  phase settle
  when claim.care_type == outpatient and count(p in history(7d) where p.care_type == outpatient) >= 3
  flag claim
R
"$arbiter" check "$tmp/phase.rules" --claims "$d/claims.jsonl" -o "$tmp/o" --quiet --phase settle "${std[@]}" || bad "phase settle: exit $?"
[ "$(grep -o '^{"claim_id":"[A-Z0-9]*"' "$tmp/o" | cut -c2- | tr '\n' ' ')" = '"claim_id":"V4" ' ] && ok || bad "phase settle: flagged $(grep -o '^{"claim_id":"[A-Z0-9]*"' "$tmp/o" | cut -c2- | tr '\n' ' ')"
"$arbiter" check "$tmp/phase.rules" --claims "$d/claims.jsonl" -o "$tmp/o" --quiet --phase post "${std[@]}" || bad "phase post: exit $?"
[ -s "$tmp/o" ] && bad "a settle-only rule ran in the post phase" || ok

# the duration may be computed: a period per item from a table
cat > "$tmp/period.csv" <<'C'
code,period_days,max_in_period
001102000010100,5,2
C
cat > "$tmp/period.rules" <<'R'
category SERVICE_PERIOD "周期超频次" { code "NHSA2025-031" }
table service_period from "period.csv" {
  code code key
  period_days int
  max_in_period int
}
rule SERVICE_PERIOD.1 in SERVICE_PERIOD
  for line in claim.lines
  match r in service_period on line.item_code
  when line.quantity + sum(x.quantity for p in history(r.period_days * 1d), x in p.lines
                           where x.item_code == line.item_code) > r.max_in_period
  flag line
R
for args in "--backend interp" "--backend jit"; do
  "$arbiter" check "$tmp/period.rules" --claims "$d/claims.jsonl" -o "$tmp/o" --quiet $args "${std[@]}" || bad "period: exit $?"
  [ "$(grep -o '^{"claim_id":"[A-Z0-9]*"' "$tmp/o" | cut -c2- | tr '\n' ' ')" = '"claim_id":"V3" "claim_id":"V4" "claim_id":"W3" ' ] && ok || { bad "period ($args): flagged $(grep -o '^{"claim_id":"[A-Z0-9]*"' "$tmp/o" | cut -c2- | tr '\n' ' ')"; }
done

# calendar periods: the claims of this claim's year, quarter, month (E2's
# only earlier claim is of 2024); every backend the same
cat > "$tmp/cal.rules" <<'R'
category CAL "日历周期" { code "X" }
rule CAL.1 in CAL
  when count(p in history(calendar_year)) >= 1
  flag claim message "{count(p in history(calendar_year))} {count(p in history(calendar_quarter))} {count(p in history(calendar_month))}"
R
"$arbiter" check "$tmp/cal.rules" --claims "$d/claims.jsonl" -o "$tmp/cal" --quiet "${std[@]}" || bad "calendar: exit $?"
for id_msg in "D3:2 2 0" "A2:1 1 1" "A3:2 0 0" "V4:3 3 3"; do
  grep -q "^{\"claim_id\":\"${id_msg%%:*}\".*\"message\":\"${id_msg#*:}\"" "$tmp/cal" && ok || bad "calendar: ${id_msg%%:*} should say ${id_msg#*:}"
done
grep -q '^{"claim_id":"E2"' "$tmp/cal" && bad "calendar: E2's earlier claim is of another year" || ok
"$arbiter" check "$tmp/cal.rules" --claims "$d/claims.jsonl" -o "$tmp/o" --quiet --backend jit --threads 2 "${std[@]}"
same "$tmp/cal" "$tmp/o" "calendar: JIT differs"
if "$arbiter" compile "$tmp/cal.rules" -o "$tmp/cal.arbpack" --native "${std[@]}" 2>/dev/null; then
  "$arbiter" check --pack "$tmp/cal.arbpack" --backend native --claims "$d/claims.jsonl" -o "$tmp/o" --quiet
  same "$tmp/cal" "$tmp/o" "calendar: native (AOT) differs"
else bad "calendar: compile --native failed"; fi
"$arbiter" lint "$tmp/cal.rules" "${std[@]}" >/dev/null 2>&1 && ok || bad "calendar: lint"
sed -i 's/history(calendar_month)/history(calendar_mnth)/' "$tmp/cal.rules"
"$arbiter" lint "$tmp/cal.rules" "${std[@]}" 2>"$tmp/err"
grep -q "cal.rules:4:.*error: unknown period 'calendar_mnth'; did you mean 'calendar_month'?" "$tmp/err" && ok || { bad "calendar: misspelling"; cat "$tmp/err"; }

# evidence: a finding names the earlier claims its aggregates over
# history found (where held), deduplicated, oldest first; each binding of
# a rule its own (Q3's line 1 found Q1 but was not flagged); a `for p in
# history` finding names p; all() names the claims it held for; not exists
# and rules without history name none (the key is left out); every
# backend, thread count and the index give the same
cat > "$tmp/ev.jsonl" <<'J'
{"claim_id": "Q3", "person_id": "Q", "care_type": "outpatient", "settle_time": "2025-03-10T10:00:00", "lines": [{"line_no": 1, "item_code": "001102000010100", "quantity": 1, "unit_price": "10.00", "amount": "10.00"}, {"line_no": 2, "item_code": "001102000010200", "quantity": 1, "unit_price": "10.00", "amount": "10.00"}]}
{"claim_id": "Q1", "person_id": "Q", "care_type": "outpatient", "settle_time": "2025-01-10T10:00:00", "lines": [{"line_no": 1, "item_code": "001102000010100", "quantity": 1, "unit_price": "10.00", "amount": "10.00"}]}
{"claim_id": "Q2", "person_id": "Q", "care_type": "outpatient", "settle_time": "2025-02-10T10:00:00", "lines": [{"line_no": 1, "item_code": "001102000010200", "quantity": 2, "unit_price": "10.00", "amount": "20.00"}]}
J
cat > "$tmp/ev.rules" <<'R'
category EV "证据" { code "X" }
define seen(l) = sum(x.quantity for p in history(365d), x in p.lines where x.item_code == l.item_code)
rule EV.1 in EV
  for line in claim.lines
  when seen(line) >= 1 and line.item_code == "001102000010200"
  flag line message "{seen(line)}"
rule EV.2 in EV
  for p in history(365d)
  when p.claim_id == "Q1"
  flag claim message "{p.claim_id}"
rule EV.3 in EV
  when count(p in history(365d)) >= 1 and all(p in history(365d) where p.person_id == claim.person_id)
  flag claim
rule EV.4 in EV
  when not exists(p in history(365d) where p.claim_id == "ZZ")
  flag claim
rule EV.5 in EV
  when claim.claim_id == "Q3"
  flag claim
R
"$arbiter" check "$tmp/ev.rules" --claims "$tmp/ev.jsonl" -o "$tmp/ev" --quiet "${std[@]}" || bad "evidence: exit $?"
python3 - "$tmp/ev" > "$tmp/evgot" <<'PY'
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    f = json.loads(l)
    ev = f.get("evidence")
    print(f["rule"], f["claim_id"], f["line_no"], "-" if ev is None else " ".join(e["claim_id"] + "@" + e["settle_time"] for e in ev))
PY
cat > "$tmp/evwant" <<'W'
EV.1 Q3 2 Q2@2025-02-10T10:00:00
EV.2 Q3 None Q1@2025-01-10T10:00:00
EV.3 Q3 None Q1@2025-01-10T10:00:00 Q2@2025-02-10T10:00:00
EV.4 Q3 None -
EV.5 Q3 None -
EV.4 Q1 None -
EV.2 Q2 None Q1@2025-01-10T10:00:00
EV.3 Q2 None Q1@2025-01-10T10:00:00
EV.4 Q2 None -
W
same "$tmp/evwant" "$tmp/evgot" "evidence lists"
for args in "--backend jit" "--backend jit --threads 3" "--no-index" "--phase settle"; do
  "$arbiter" check "$tmp/ev.rules" --claims "$tmp/ev.jsonl" -o "$tmp/o" --quiet $args "${std[@]}"
  same "$tmp/ev" "$tmp/o" "evidence: $args differs"
done
if "$arbiter" compile "$tmp/ev.rules" -o "$tmp/ev.arbpack" --native "${std[@]}" 2>/dev/null; then
  "$arbiter" check --pack "$tmp/ev.arbpack" --backend native --claims "$tmp/ev.jsonl" -o "$tmp/o" --quiet
  same "$tmp/ev" "$tmp/o" "evidence: native (AOT) differs"
else bad "evidence: compile --native failed"; fi

# explain reads the whole file for the history; on a failure the exit
# status and what it printed are shown (a crash prints nothing by itself)
explained() { # WHAT PATTERN: the last explain's output has PATTERN
  if [ "$rc" -eq 0 ] && grep -qF -- "$2" <<< "$out"; then ok; else
    bad "$1: exit $rc, output:"; printf '%s\n' "$out" | head -20
  fi
}
out=$("$arbiter" explain "$d/history.rules" --claims "$d/claims.jsonl" --claim D3 "${std[@]}"); rc=$?
explained "explain D3" 'DRUG_COURSE.1 "累计用药天数超过疗程" in DRUG_COURSE (超疗程用药): fired, 1 finding'
explained "explain D3 finding" '-> finding on line 1: 10.00, 累计35天，超过30天'
out=$("$arbiter" explain "$d/history.rules" --claims "$tmp/csv/claims.csv" --claim A2 --rule SPLIT_ADMISSION.1 "${std[@]}"); rc=$?
explained "explain A2 (CSV)" 'fired, 1 finding'
# CSV findings carry the evidence and the other matched keys as JSON does
"$arbiter" check "$d/history.rules" --claims "$d/claims.jsonl" -o "$tmp/f.csv" --format csv --quiet "${std[@]}"
python3 - "$tmp/f.csv" "$d/expected.jsonl" <<'PY' && ok || bad "CSV findings: evidence or also_matched differ from JSON"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
want = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(rows) == len(want), (len(rows), len(want))
for r, w in zip(rows, want):
    ev = ";".join(f'{e["claim_id"]}@{e["settle_time"]}' for e in w.get("evidence", []))
    assert r["evidence"] == ev, (r["evidence"], ev)
    assert r["also_matched"] == ";".join(w.get("also_matched", [])), r
assert any(r["evidence"] for r in rows)
PY
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
