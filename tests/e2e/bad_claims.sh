#!/usr/bin/env bash
# bad_claims.sh ARBITER SRC — malformed records (bad JSON, wrong types, a
# missing claim_id, a truncated last line) are reported by line number,
# counted and written to the reject file; every other claim is audited and
# gives the same findings as in a clean file.  Money totals that overflow
# int64 are saturated with a warning.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ex=$src/examples
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
"$arbiter" gen claims --n 200 --seed 2025 -o "$tmp/clean.jsonl"
# damage copies of lines 10, 50, 120 and cut the last one short
python3 - "$tmp/clean.jsonl" "$tmp/dirty.jsonl" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
out = list(lines)
out[9] = out[9].replace('"care_type"', '"care_type" ', 1).replace('":', '"', 1)          # bad JSON
out[49] = out[49].replace('"quantity":', '"quantity":"many",  "x":', 1)                    # wrong type
import re
out[119] = re.sub(r'"claim_id":"[^"]*",', '', out[119], count=1)                          # no claim_id
out[-1] = out[-1][: len(out[-1]) // 2]                                                     # truncated
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out))                            # no final newline
PY
"$arbiter" check "$ex"/rules/*.rules --claims "$tmp/dirty.jsonl" -o "$tmp/dirty.out" --rejects "$tmp/rej.jsonl" --stdlib "$src/stdlib-rules" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && ok || bad "exit code $rc, expected 3"
for n in 10 50 120 200; do
  grep -q "dirty.jsonl:$n: rejected" "$tmp/err" && ok || bad "line $n not reported"
done
grep -q "200 claims read = 196 audited + 4 rejected" "$tmp/err" && ok || { bad "summary does not reconcile"; cat "$tmp/err"; }
[ "$(wc -l < "$tmp/rej.jsonl")" -eq 4 ] && ok || bad "reject file should hold 4 records"
grep -q '"error":"column [0-9]*: missing required field .claim_id.' "$tmp/rej.jsonl" && ok || bad "missing claim_id not named"
grep -q 'quantity' "$tmp/rej.jsonl" && ok || bad "wrong type not named"
# the 196 good claims give exactly the findings they give in the clean file
python3 - "$tmp/clean.jsonl" "$tmp/good.jsonl" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
keep = [l for i, l in enumerate(lines) if i not in (9, 49, 119, len(lines) - 1)]
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(keep) + "\n")
PY
"$arbiter" check "$ex"/rules/*.rules --claims "$tmp/good.jsonl" -o "$tmp/good.out" --quiet --stdlib "$src/stdlib-rules"
cmp -s "$tmp/good.out" "$tmp/dirty.out" && ok || bad "findings of the good claims differ"
# money totals that overflow int64 (two lines of 9e16 yuan, 9e18 cents each)
# saturate with a warning, never wrap to a negative sum
python3 - "$tmp/clean.jsonl" "$tmp/big.jsonl" <<'PY'
import json, sys
c = json.loads(open(sys.argv[1], encoding="utf-8").readline())
c["lines"] = c["lines"][:2]
for l in c["lines"]:
    l.update(amount="90000000000000000.00", unit_price="90000000000000000.00", quantity=1)
c["total_amount"] = "90000000000000000.00"
open(sys.argv[2], "w", encoding="utf-8").write(json.dumps(c, ensure_ascii=False) + "\n")
PY
"$arbiter" check "$ex"/rules/*.rules --claims "$tmp/big.jsonl" -o /dev/null --stdlib "$src/stdlib-rules" 2>"$tmp/big.err"
rc=$?
[ $rc -eq 0 ] && ok || bad "big amounts: exit code $rc"
grep -q "lines sum 92,233,720,368,547,758.07" "$tmp/big.err" && ! grep -q "sum -" "$tmp/big.err" && ok || { bad "lines sum not saturated"; cat "$tmp/big.err"; }
grep -q "warning: money totals overflowed" "$tmp/big.err" && ok || bad "no overflow warning"
grep -q "overflowed" "$tmp/err" && bad "overflow warning without an overflow" || ok
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
