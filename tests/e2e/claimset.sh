#!/usr/bin/env bash
# claimset.sh ARBITER SRC — prepared claim sets (arb_claimset_*, issue 14)
# give exactly `arbiter check`'s findings: the golden set (examples/ rules
# over the sample CSV claims, and expected_findings.jsonl), random claims
# with long per-person histories under the standard library (history()
# rules: the set is the history), and the generated reference library's
# labelled claims; each with the interpreter on one thread and the JIT on
# two (the set split between two sessions).  Rejected records are reported
# and counted, the rest checked as check does; a --strict duplicate is
# rejected.  The driver is tests/tools/claimset_findings.c
# ($ARB_CLAIMSET_FINDINGS, set by CMake).
set -uo pipefail
arbiter=$1 src=$2
tool=${ARB_CLAIMSET_FINDINGS:?set by CMake}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
std=(--stdlib "$src/stdlib-rules")
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
same() { # name, expected, got
  if cmp -s "$2" "$3"; then ok; else bad "$1"; diff "$2" "$3" | head -6; fi
}
# name pack claims check-args...: check's findings against the set's, interp and JIT
compare() {
  local name=$1 pack=$2 claims=$3
  shift 3
  "$arbiter" check --pack "$pack" --claims "$claims" -o "$tmp/check.jsonl" --quiet --threads 1 "$@" 2>/dev/null
  local rc=$?
  [ $rc -eq 0 ] || [ $rc -eq 3 ] || bad "$name: check exit $rc"
  [ -s "$tmp/check.jsonl" ] || bad "$name: check found nothing (the comparison would prove nothing)"
  for args in "" "--jit --threads 2"; do
    "$tool" "$pack" "$claims" $args >"$tmp/set.jsonl" 2>"$tmp/set.err"
    local trc=$?
    [ $trc -eq $((rc == 3 ? 3 : 0)) ] || [ $rc -eq 3 ] || { bad "$name $args: exit $trc"; cat "$tmp/set.err"; }
    same "$name: the claim set ${args:-(interpreter)} gives check's findings" "$tmp/check.jsonl" "$tmp/set.jsonl"
  done
}

# --- the golden set -------------------------------------------------------------
ex=$src/examples
"$arbiter" compile "$ex"/rules/*.rules -o "$tmp/ex.arbpack" "${std[@]}" || bad "compile examples"
"$tool" "$tmp/ex.arbpack" "$ex/claims/claims.csv" >"$tmp/golden.jsonl" 2>"$tmp/golden.err" || bad "golden: exit $?"
same "golden: the claim set gives expected_findings.jsonl" "$ex/expected_findings.jsonl" "$tmp/golden.jsonl"
compare golden-csv "$tmp/ex.arbpack" "$ex/claims/claims.csv"
"$arbiter" gen claims --n 1000 --seed 2025 -o "$tmp/sample.jsonl"
compare golden-jsonl "$tmp/ex.arbpack" "$tmp/sample.jsonl"

# --- random claims, long histories, the standard library's history() rules -------
"$arbiter" gen claims --n 3000 --seed 77 -o "$tmp/gen.jsonl" || bad "gen claims"
python3 - "$tmp/gen.jsonl" "$tmp/hist.jsonl" <<'PY'
import json, random, sys
rnd = random.Random(9)
prev = None
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    c = json.loads(line)
    c["person_id"] = "Q%03d" % rnd.randrange(150)
    if prev and rnd.random() < 0.1: c["settle_time"] = prev
    prev = c["settle_time"]
    out.append(c)
# a few reversals of earlier claims
for c in rnd.sample(out[:1000], 20):
    out.append({**c, "claim_id": c["claim_id"] + "R", "reversal_of": c["claim_id"], "status": "reversed"})
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for c in out: f.write(json.dumps(c, ensure_ascii=False) + "\n")
PY
"$arbiter" compile "$src/stdlib-rules" -o "$tmp/std.arbpack" "${std[@]}" || bad "compile stdlib"
"$tool" "$tmp/std.arbpack" "$tmp/hist.jsonl" 2>"$tmp/hist.err" >/dev/null
grep -q "history 1;" "$tmp/hist.err" && ok || { bad "the standard library's set is not indexed by person"; cat "$tmp/hist.err"; }
grep -q "reversals [1-9]" "$tmp/hist.err" && ok || bad "no reversal counted: $(cat "$tmp/hist.err")"
compare history "$tmp/std.arbpack" "$tmp/hist.jsonl"
for ph in 1 2 4; do # one phase at a time: the history is used only where a phase's rules call it
  "$arbiter" check --pack "$tmp/std.arbpack" --claims "$tmp/hist.jsonl" -o "$tmp/ph.jsonl" --quiet --threads 1 \
    --phase "$( case $ph in 1) echo pre;; 2) echo settle;; 4) echo post;; esac )" 2>/dev/null
  "$tool" "$tmp/std.arbpack" "$tmp/hist.jsonl" --phases $ph >"$tmp/phs.jsonl" 2>/dev/null
  same "phase mask $ph: the claim set gives check's findings" "$tmp/ph.jsonl" "$tmp/phs.jsonl"
done

# --- the reference library and its labelled claims -----------------------------
n=5000
case "$arbiter" in *asan*) n=1000 ;; esac
"$arbiter" gen library --seed 7 -o "$tmp/lib" "${std[@]}" 2>/dev/null || bad "gen library"
"$arbiter" compile "$src/stdlib-rules" "$tmp/lib" -o "$tmp/lib.arbpack" "${std[@]}" 2>/dev/null || bad "compile library"
"$arbiter" gen claims --library "$tmp/lib" --n $n --seed 11 --violations 0.1 -o "$tmp/lib.jsonl" "${std[@]}" 2>/dev/null ||
  bad "gen claims --library"
compare library "$tmp/lib.arbpack" "$tmp/lib.jsonl"

# --- rejected records ---------------------------------------------------------------
{ head -n 5 "$tmp/sample.jsonl"; echo '{"claim_id": 12'; head -n 10 "$tmp/sample.jsonl" | tail -n 5
  head -n 1 "$tmp/sample.jsonl"; } >"$tmp/bad.jsonl"
"$arbiter" check --pack "$tmp/ex.arbpack" --claims "$tmp/bad.jsonl" -o "$tmp/bad_check.jsonl" --quiet --rejects "$tmp/rej.jsonl" 2>/dev/null
"$tool" "$tmp/ex.arbpack" "$tmp/bad.jsonl" >"$tmp/bad_set.jsonl" 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 3 ] && ok || bad "a rejected record: exit $rc, not 3"
grep -q "bad.jsonl:6: rejected: column" "$tmp/bad.err" && ok || { bad "the rejected record is not reported by line"; cat "$tmp/bad.err"; }
grep -q "rejected 1 duplicates 1" "$tmp/bad.err" && ok || { bad "rejects or duplicates not counted"; cat "$tmp/bad.err"; }
same "rejects: the rest gives check's findings (the duplicate audited twice)" "$tmp/bad_check.jsonl" "$tmp/bad_set.jsonl"
"$arbiter" check --pack "$tmp/ex.arbpack" --claims "$tmp/bad.jsonl" -o "$tmp/bad_check.jsonl" --quiet --strict --rejects "$tmp/rej.jsonl" 2>/dev/null
"$tool" "$tmp/ex.arbpack" "$tmp/bad.jsonl" --strict >"$tmp/bad_set.jsonl" 2>"$tmp/bad.err"
grep -q "bad.jsonl:12: rejected: claim_id '.*' seen before, on line 1" "$tmp/bad.err" && ok ||
  { bad "--strict: the duplicate is not rejected"; cat "$tmp/bad.err"; }
same "--strict: the rest gives check's findings" "$tmp/bad_check.jsonl" "$tmp/bad_set.jsonl"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
