#!/usr/bin/env bash
# lua.sh ARBITER SRC — rules that call Lua: a function that loops forever,
# one that allocates without end, one that raises and one that returns the
# wrong type are each reported (rule, claim, Lua traceback) while the rest of
# the batch is audited with nothing lost; the sandbox holds; interpreter, JIT
# and AOT give identical findings and failures; load-time Lua errors are
# reported by lint at both positions.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
data=$src/tests/data/lua
cp -r "$data" "$tmp/lua"
cd "$tmp"
lim=(--lua-memory 16 --lua-budget 200000)

"$arbiter" lint lua/lua.rules 2>/dev/null && ok || bad "lint lua.rules"
"$arbiter" gen claims --n 300 --seed 11 -o clean.jsonl
python3 - <<'PY'
import json
names = {5: "LOOP", 50: "HOG", 120: "BOOM", 250: "WRONG"}
with open("clean.jsonl") as f, open("dirty.jsonl", "w") as o:
    for i, l in enumerate(f):
        c = json.loads(l)
        if i in names: c["lines"][0]["item_name"] = names[i]
        o.write(json.dumps(c, ensure_ascii=False) + "\n")
PY
"$arbiter" check lua/lua.rules --claims clean.jsonl -o clean_f.jsonl --rule-errors clean_e.jsonl "${lim[@]}" 2>clean.err
[ $? -eq 0 ] && [ ! -e clean_e.jsonl ] && ok || bad "clean claims: failures: $(cat clean.err | head -5)"
[ -s clean_f.jsonl ] && ok || bad "no findings on clean claims"
grep -q '"rule":"LUA_T.8"' clean_f.jsonl && bad "the sandbox leaks (LUA_T.8 flagged)" || ok
grep -q '"rule":"LUA_T.9"' clean_f.jsonl && ok || bad "inline Lua block: no findings"
grep -q '"message":"DRUG:X' clean_f.jsonl && ok || bad "text result in a message"

for be in interp jit; do
  "$arbiter" check lua/lua.rules --claims dirty.jsonl -o "f_$be.jsonl" --rule-errors "e_$be.jsonl" \
    --backend $be "${lim[@]}" 2>"err_$be.txt"
  rc=$?
  [ $rc -eq 3 ] && ok || bad "$be: exit $rc, expected 3"
  # every other finding is there: the failures cost only the failing rules' runs
  cmp -s "f_$be.jsonl" clean_f.jsonl && ok || bad "$be: findings differ from the clean run"
  [ "$(wc -l < "e_$be.jsonl")" -eq 4 ] && ok || bad "$be: $(wc -l < "e_$be.jsonl") failures, expected 4"
  grep -q '"claim_id":"C00000006","rule":"LUA_T.4","error":"lua.spin: instruction budget: .*funcs.lua:[0-9]*: instruction budget of 200000 exhausted' "e_$be.jsonl" && ok || bad "$be: endless loop not reported"
  grep -q '"claim_id":"C00000051","rule":"LUA_T.5","error":"lua.hog: memory limit' "e_$be.jsonl" && ok || bad "$be: endless allocation not reported"
  grep -q '"claim_id":"C00000121","rule":"LUA_T.6","error":"lua.boom: error: .*funcs.lua:[0-9]*: cannot read dose .*stack traceback' "e_$be.jsonl" && ok || bad "$be: error without traceback"
  grep -q '"claim_id":"C00000251","rule":"LUA_T.7","error":"lua.wrong returned string where the rule expects int' "e_$be.jsonl" && ok || bad "$be: wrong type not reported"
  grep -q "lua.rules:[0-9]*: rule LUA_T.6 failed on claim C00000121: lua.boom" "err_$be.txt" && ok || bad "$be: no diagnostic on stderr"
  grep -q "300 claims read = 300 audited" "err_$be.txt" && grep -q "4 rule failures (Lua or arithmetic)" "err_$be.txt" && ok || bad "$be: summary: $(tail -4 "err_$be.txt")"
done
cmp -s e_interp.jsonl e_jit.jsonl && ok || bad "interp and JIT failures differ"

# ahead of time: the pack carries the Lua source; the .so calls Lua through the helper table
"$arbiter" compile lua/lua.rules -o lua.arbpack --native 2>/dev/null && ok || bad "compile --native"
for be in interp native; do
  "$arbiter" check --pack lua.arbpack --claims dirty.jsonl -o "p_$be.jsonl" --rule-errors "pe_$be.jsonl" \
    --backend $be "${lim[@]}" --quiet 2>/dev/null
  cmp -s "p_$be.jsonl" f_interp.jsonl && ok || bad "pack/$be findings differ"
  cmp -s "pe_$be.jsonl" e_interp.jsonl && ok || bad "pack/$be failures differ"
done
# threads: one Lua state each, same output
"$arbiter" check lua/lua.rules --claims dirty.jsonl -o f_t2.jsonl --rule-errors e_t2.jsonl --threads 2 "${lim[@]}" --quiet 2>/dev/null
cmp -s f_t2.jsonl f_interp.jsonl && cmp -s e_t2.jsonl e_interp.jsonl && ok || bad "2 threads differ"
# a changed Lua file makes the pack stale
echo "-- changed" >> lua/funcs.lua
out=$("$arbiter" check --pack lua.arbpack --claims clean.jsonl -o /dev/null 2>&1)
grep -q "funcs.lua has changed" <<< "$out" && ok || bad "stale pack not refused: $out"

# a record kept past its call cannot be read
"$arbiter" check lua/kept.rules --claims clean.jsonl -o /dev/null --quiet 2>kept.err
grep -q "rule LUA_K.1 failed on claim C00000002: lua.keep: error: .*used after the call" kept.err && ok || bad "kept record: $(head -3 kept.err)"

# require finds the library's own modules (a module returning a table), not os
"$arbiter" check lua/req/req.rules --claims clean.jsonl -o req.jsonl --quiet 2>req.err
[ $? -eq 0 ] && [ "$(wc -l < req.jsonl)" -eq "$(python3 -c "import json; print(sum(1 for l in open('clean.jsonl') for x in json.loads(l)['lines'] if x.get('quantity') is not None))")" ] && ok || bad "require: $(head -3 req.err)"

# load-time errors: both positions
"$arbiter" lint lua/lint/errors.rules > lint.out 2>&1
rc=$?
[ $rc -eq 2 ] && ok || bad "lint exit $rc"
expect() { grep -qF -- "$1" lint.out && ok || bad "lint output lacks: $1"; }
expect 'errors.rules:3:5: error: syntax error in Lua: '
expect 'bad.lua:4: unexpected symbol near'
expect 'bad.lua:4:1: note: Lua line 4'
expect 'errors.rules:13:3: note: Lua line 13'
expect "errors.rules:8:3: error: "
expect "good.lua does not define a function 'absent'"
expect "no Lua function 'nothere' is declared"
expect "argument 1 of lua.absent is claim; the declaration says line"

# the stdlib category that uses Lua for real: 超说明书用量开药 (dose × frequency text)
std=$src/stdlib-rules/68_drug_over_dose.rules
"$arbiter" check "$std" --claims lua/dose_claims.jsonl -o dose_interp.jsonl --quiet 2>/dev/null
cmp -s dose_interp.jsonl lua/dose_expected.jsonl && ok || bad "68_drug_over_dose: findings differ: $(diff dose_interp.jsonl lua/dose_expected.jsonl | head -5)"
"$arbiter" check "$std" --claims lua/dose_claims.jsonl -o dose_jit.jsonl --backend jit --quiet 2>/dev/null
cmp -s dose_jit.jsonl lua/dose_expected.jsonl && ok || bad "68_drug_over_dose: JIT differs"
"$arbiter" compile "$std" -o dose.arbpack --native 2>/dev/null
"$arbiter" check --pack dose.arbpack --claims lua/dose_claims.jsonl -o dose_aot.jsonl --backend native --quiet 2>/dev/null
cmp -s dose_aot.jsonl lua/dose_expected.jsonl && ok || bad "68_drug_over_dose: AOT differs"
for want in '"claim_id":"D1".*单次剂量90mg' '"claim_id":"D3".*1g tid 日剂量' '"claim_id":"D4".*"line_no":2' '"claim_id":"D6".*"line_no":2'; do
  grep -q "$want" lua/dose_expected.jsonl && ok || bad "dose_expected lacks $want"
done
for quiet in D2 D5; do
  grep -q "\"claim_id\":\"$quiet\"" lua/dose_expected.jsonl && bad "$quiet flagged" || ok
done

# math.random is seeded per claim: the same findings for 1 and 3 threads
# and for the claims in another order
cat >lua/rand.lua <<'EOF'
function pick(n) return math.random(1, 100) <= 30 end
function roll(n) return math.random(1, 1000000) end
EOF
cat >lua/rand.rules <<'EOF'
category LUA_R "random" { code "NHSA2025-097" tier medical }
lua "rand.lua" { pick(int) bool  roll(int) int }
rule LUA_R.1 in LUA_R when lua.pick(1) flag claim amount 0.00 message "{lua.roll(1)}"
EOF
"$arbiter" check lua/rand.rules --claims dirty.jsonl -o r1.jsonl --threads 1 --quiet 2>/dev/null
"$arbiter" check lua/rand.rules --claims dirty.jsonl -o r3.jsonl --threads 3 --quiet 2>/dev/null
tac dirty.jsonl >dirty_rev.jsonl
"$arbiter" check lua/rand.rules --claims dirty_rev.jsonl -o rr.jsonl --threads 2 --quiet 2>/dev/null
[ -s r1.jsonl ] && cmp -s r1.jsonl r3.jsonl && ok || bad "math.random: threads 1 and 3 differ"
[ "$(sort r1.jsonl)" = "$(sort rr.jsonl)" ] && ok || bad "math.random: another claim order changes the findings"

echo "lua: $pass passed, $fail failed"
[ $fail -eq 0 ]
