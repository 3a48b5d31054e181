#!/usr/bin/env bash
# history_store.sh ARBITER SRC — the persistent history store (arbiter
# history, check --history/--record):
#  - differential: with an empty store, check --history gives byte-identical
#    findings to the in-memory history run (history test set on every
#    backend and thread count, CSV input, the golden set, generated claims
#    with the standard library, reversals);
#  - split batch: check --record of the first half, then check --history of
#    the second half gives the second half's findings of one run over both;
#  - history add / export round-trip, idempotent by claim_id, replace,
#    reversals, prune, stats, rejects (position, reject file, counts);
#  - crash safety: kill -9 at random moments of `history add` and of
#    `check --record` leaves a readable store holding whole commits of what
#    a clean run stores; running again completes it.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
d=$src/tests/data/history
std=(--stdlib "$src/stdlib-rules")
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
same() { if cmp -s "$1" "$2"; then ok; else bad "$3"; diff "$1" "$2" | head -5; fi; }

# --- differential: empty store = in-memory history -------------------------
"$arbiter" history init empty "${std[@]}" --quiet || bad "history init: exit $?"
for args in "" "--backend jit" "--threads 3" "--backend jit --threads 2" "--no-index"; do
  "$arbiter" check "$d/history.rules" --claims "$d/claims.jsonl" -o o.jsonl --quiet --history empty $args "${std[@]}" ||
    bad "check --history $args: exit $?"
  same "$d/expected.jsonl" o.jsonl "history set, --history empty $args"
done
"$arbiter" history stats empty | grep -q "^claims    0$" && ok || bad "check without --record wrote to the store"

# the same claims as CSV
python3 "$d/to_csv.py" "$d/claims.jsonl" csv
for t in 1 2; do
  "$arbiter" check "$d/history.rules" --claims csv/claims.csv -o o.jsonl --quiet --history empty --threads $t "${std[@]}"
  same "$d/expected.jsonl" o.jsonl "CSV input, --history empty, $t threads"
done

# the golden set (no history rules: the store mode's streaming must agree)
"$arbiter" check "$src/examples/rules/"*.rules --claims "$src/examples/golden/claims.jsonl" -o g1.jsonl --quiet "${std[@]}"
"$arbiter" check "$src/examples/rules/"*.rules --claims "$src/examples/golden/claims.jsonl" -o g2.jsonl --quiet --history empty "${std[@]}"
same g1.jsonl g2.jsonl "golden set, --history empty"
[ -s g1.jsonl ] && ok || bad "golden set gave no findings"

# generated claims with the standard library (its history categories)
for seed in 5 6; do
  "$arbiter" gen claims --n 3000 --seed $seed -o gen$seed.jsonl 2>/dev/null
  "$arbiter" check "$src/stdlib-rules" --claims gen$seed.jsonl -o m.jsonl --quiet "${std[@]}"
  for t in 1 2; do
    "$arbiter" check "$src/stdlib-rules" --claims gen$seed.jsonl -o s.jsonl --quiet --history empty --threads $t "${std[@]}"
    same m.jsonl s.jsonl "stdlib, seed $seed, $t threads: --history empty differs from in-memory"
  done
  grep -q '"category":"SPLIT_ADMISSION"' m.jsonl && grep -q '"category":"FREQUENT_PURCHASE"' m.jsonl && ok ||
    bad "seed $seed: no history findings to compare"
done

# a claim longer than store mode's windows (2 MB of JSON read, 2 MB of the
# spool checked, each buffer twice that): read and checked whole, as in memory
python3 - gen5.jsonl huge.jsonl <<'PY'
import json, sys
rows = open(sys.argv[1], encoding="utf-8").read().splitlines()[:40]
c = json.loads(rows[20])
lines, size, n = c["lines"], len(rows[20].encode()), 0
while size < 9_000_000:
    x = dict(lines[n % len(lines)])
    x["line_no"] = len(c["lines"]) + 1
    c["lines"].append(x)
    size += len(json.dumps(x, ensure_ascii=False).encode()) + 1
    n += 1
rows[20] = json.dumps(c, ensure_ascii=False, separators=(",", ":"))
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(rows) + "\n")
PY
"$arbiter" check "$src/stdlib-rules" --claims huge.jsonl -o m.jsonl --quiet "${std[@]}"
timeout 300 "$arbiter" check "$src/stdlib-rules" --claims huge.jsonl -o s.jsonl --quiet --history empty "${std[@]}" ||
  bad "a 7 MB claim, --history empty: exit $?"
same m.jsonl s.jsonl "a 7 MB claim: --history empty differs from in-memory"
[ "$(grep -c '"claim_id"' m.jsonl)" -gt 0 ] && ok || bad "a 7 MB claim: no findings to compare"

# labelled claims of the (synthetic) reference library, 136k rule rows
"$arbiter" gen library --seed 1 -o lib > /dev/null 2>&1
"$arbiter" gen claims --library lib --n 3000 --seed 2 --violations 0.1 -o lc.jsonl > /dev/null 2>&1
"$arbiter" check "$src/stdlib-rules" lib --claims lc.jsonl -o m.jsonl --quiet "${std[@]}"
"$arbiter" check "$src/stdlib-rules" lib --claims lc.jsonl -o s.jsonl --quiet --history empty --threads 2 "${std[@]}"
same m.jsonl s.jsonl "labelled library claims: --history empty differs from in-memory"
grep -q '"evidence":\[' m.jsonl && ok || bad "labelled library claims: no finding with evidence to compare"
head -1500 lc.jsonl > l1.jsonl
tail -n +1501 lc.jsonl > l2.jsonl
"$arbiter" check "$src/stdlib-rules" lib --claims l1.jsonl -o /dev/null --quiet --history lsplit --record "${std[@]}"
"$arbiter" check "$src/stdlib-rules" lib --claims l2.jsonl -o f2.jsonl --quiet --history lsplit "${std[@]}"
python3 - l2.jsonl m.jsonl > whole2.jsonl <<'PY'
import json, sys
ids = {json.loads(l)["claim_id"] for l in open(sys.argv[1], encoding="utf-8")}
for l in open(sys.argv[2], encoding="utf-8"):
    if json.loads(l)["claim_id"] in ids: sys.stdout.write(l)
PY
same whole2.jsonl f2.jsonl "labelled library claims, split batch: the second half differs"

# --- split batch -------------------------------------------------------------
for seed in 5 6; do
  rm -rf split
  head -1500 gen$seed.jsonl > h1.jsonl
  tail -n +1501 gen$seed.jsonl > h2.jsonl
  "$arbiter" check "$src/stdlib-rules" --claims gen$seed.jsonl -o whole.jsonl --quiet "${std[@]}"
  "$arbiter" check "$src/stdlib-rules" --claims h1.jsonl -o f1.jsonl --quiet --history split --record "${std[@]}" ||
    bad "check --record: exit $?"
  "$arbiter" check "$src/stdlib-rules" --claims h2.jsonl -o f2.jsonl --quiet --history split --threads 2 "${std[@]}"
  python3 - h2.jsonl whole.jsonl > whole2.jsonl <<'PY'
import json, sys
ids = {json.loads(l)["claim_id"] for l in open(sys.argv[1], encoding="utf-8")}
for l in open(sys.argv[2], encoding="utf-8"):
    if json.loads(l)["claim_id"] in ids: sys.stdout.write(l)
PY
  same whole2.jsonl f2.jsonl "split batch (seed $seed): the second half's findings differ from one run over both"
  [ -s f2.jsonl ] && ok || bad "split batch: no findings"
done
"$arbiter" history stats split | grep -q "^claims    1500$" && ok || bad "split: 1500 claims recorded"

# --- history add, export, replace, reversals, prune, rejects ----------------
"$arbiter" history add db --claims gen5.jsonl --quiet "${std[@]}" || bad "history add: exit $?"
"$arbiter" history export db -o e1.jsonl --quiet "${std[@]}" || bad "history export: exit $?"
[ "$(grep -c . e1.jsonl)" -eq 3000 ] && ok || bad "export: 3000 claims"
"$arbiter" history add db2 --claims e1.jsonl --quiet "${std[@]}"
"$arbiter" history export db2 -o e2.jsonl --quiet "${std[@]}"
same e1.jsonl e2.jsonl "export -> add -> export is not the same"
"$arbiter" history add db2 --claims gen5.jsonl --quiet "${std[@]}"
"$arbiter" history export db2 -o e3.jsonl --quiet "${std[@]}"
same e1.jsonl e3.jsonl "adding the same claims again changed the store"
# the exported claims are the input claims (as the reader sees them)
python3 - gen5.jsonl e1.jsonl <<'PY' && ok || bad "export differs from the input claims"
import json, sys
def norm(v):
    if isinstance(v, dict): return {k: norm(x) for k, x in v.items() if x not in (None, "")}
    if isinstance(v, list): return [norm(x) for x in v]
    if isinstance(v, (int, float)) and not isinstance(v, bool): return str(v)
    return v
a = {json.loads(l)["claim_id"]: norm(json.loads(l)) for l in open(sys.argv[1], encoding="utf-8")}
b = {json.loads(l)["claim_id"]: norm(json.loads(l)) for l in open(sys.argv[2], encoding="utf-8")}
bad = [k for k in a if a[k] != b.get(k)]
for k in bad[:3]: print(k, a[k], b.get(k), file=sys.stderr)
sys.exit(1 if bad or len(a) != len(b) else 0)
PY
# replace by claim_id, and reversals (both spellings)
first=$(head -1 gen5.jsonl)
id1=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["claim_id"])' "$first")
id2=$(sed -n 2p gen5.jsonl | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["claim_id"])')
id3=$(sed -n 3p gen5.jsonl | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["claim_id"])')
python3 - "$first" "$id2" "$id3" > change.jsonl <<'PY'
import json, sys
c = json.loads(sys.argv[1]); c["total_amount"] = "123456.78"; print(json.dumps(c, ensure_ascii=False))
print(json.dumps({"claim_id": "R-" + sys.argv[2], "person_id": "P", "care_type": "outpatient", "reversal_of": sys.argv[2]}))
print(json.dumps({"claim_id": sys.argv[3], "person_id": "P", "care_type": "outpatient", "status": "reversed"}))
PY
"$arbiter" history add db --claims change.jsonl "${std[@]}" 2> add.err || bad "add changes: exit $?"
grep -q "3 records read = 1 stored + 0 rejected + 2 reversals" add.err && ok || { bad "add summary"; cat add.err; }
"$arbiter" history export db -o e4.jsonl --quiet "${std[@]}"
[ "$(grep -c . e4.jsonl)" -eq 2998 ] && ok || bad "reversals: 2998 claims expected, $(grep -c . e4.jsonl)"
grep -q "\"claim_id\":\"$id1\".*\"total_amount\":\"123456.78\"" e4.jsonl && ok || bad "replace by claim_id"
grep -q "\"claim_id\":\"$id2\"" e4.jsonl && bad "reversal_of did not remove $id2" || ok
grep -q "\"claim_id\":\"$id3\"" e4.jsonl && bad "status reversed did not remove $id3" || ok
# one claim_id met several times in a commit (history add sorts a commit's
# puts by key): the store is what adding the records one at a time makes,
# then the file's reversals again (reversals win within a batch, whatever
# the order: tests/e2e/history_reversal_order.sh)
python3 - gen5.jsonl > order.jsonl <<'PY'
import json, sys
c = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")][:8]
def out(d, **kw):
    d = dict(d, **kw); print(json.dumps(d, ensure_ascii=False))
x, y, z = c[0]["claim_id"], c[1]["claim_id"], c[2]["claim_id"]
out(c[0], person_id="PZZ")                    # X under a key sorting last ...
out(c[0], person_id="PAA", total_amount="1")  # ... replaced by one sorting first
out(c[1], person_id="PBB")
out({"claim_id": "R-" + y, "person_id": "P", "care_type": "outpatient", "reversal_of": y})
out(c[1], person_id="PCC", total_amount="2")  # Y put, reversed, put again: out
out({"claim_id": "R-" + z, "person_id": "P", "care_type": "outpatient", "reversal_of": z})
out(c[2], person_id="PAB")                    # Z reversed (not stored yet), then put: out
for d in c[3:]: out(d)
out(c[3], person_id="PZY", total_amount="3")
out(c[4], status="reversed")                  # put, then reversed by status
PY
"$arbiter" history add ord1 --claims order.jsonl --quiet "${std[@]}" || bad "history add order.jsonl: exit $?"
i=0
while IFS= read -r line; do
  i=$((i + 1))
  printf '%s\n' "$line" > one.jsonl
  "$arbiter" history add ord2 --claims one.jsonl --quiet "${std[@]}" || bad "history add line $i: exit $?"
done < order.jsonl
grep -E '"reversal_of"|"status"' order.jsonl > revs.jsonl
"$arbiter" history add ord2 --claims revs.jsonl --quiet "${std[@]}" || bad "history add revs.jsonl: exit $?"
"$arbiter" history export ord1 -o o1.jsonl --quiet "${std[@]}"
"$arbiter" history export ord2 -o o2.jsonl --quiet "${std[@]}"
same o2.jsonl o1.jsonl "one claim_id met several times in a commit: not as added in input order"
[ "$(grep -c . o1.jsonl)" -eq 5 ] && grep -q '"person_id":"PAA"' o1.jsonl && ! grep -q '"person_id":"PCC"' o1.jsonl &&
  ! grep -q '"person_id":"PAB"' o1.jsonl && grep -q '"person_id":"PZY"' o1.jsonl && ok ||
  { bad "several puts of one claim_id: the last should win, a reversed one none"; cat o1.jsonl | cut -c1-80; }
rm -rf ord1 ord2 one.jsonl order.jsonl revs.jsonl o1.jsonl o2.jsonl
# reversals in a batch: not audited, out of every history, the same in both modes
"$arbiter" check "$src/stdlib-rules" --claims <(cat gen5.jsonl change.jsonl) -o m.jsonl --quiet "${std[@]}"
"$arbiter" check "$src/stdlib-rules" --claims <(cat gen5.jsonl change.jsonl) -o s.jsonl --quiet --history empty "${std[@]}"
same m.jsonl s.jsonl "batch with reversals: --history differs from in-memory"
grep -q "\"claim_id\":\"R-$id2\"" m.jsonl && bad "a reversal record was audited" || ok
# stats and prune
"$arbiter" history stats db > st.txt || bad "stats: exit $?"
grep -q "^claims    2998$" st.txt && grep -q "^persons   " st.txt && grep -q "bytes a claim" st.txt && ok || { bad "stats"; cat st.txt; }
"$arbiter" history prune db --before 2025-04-01 "${std[@]}" --quiet || bad "prune: exit $?"
"$arbiter" history export db -o e5.jsonl --quiet "${std[@]}"
python3 - e4.jsonl e5.jsonl <<'PY' && ok || bad "prune removed the wrong claims"
import json, sys
keep = [l for l in open(sys.argv[1]) if json.loads(l)["settle_time"] >= "2025-04-01"]
got = open(sys.argv[2]).readlines()
sys.exit(0 if sorted(keep) == sorted(got) and 0 < len(got) < 2998 else 1)
PY
# rejects: a malformed record and a claim with no settle time
{ head -3 gen6.jsonl; echo '{"claim_id": "BAD", "person_id": 1}'; echo '{"claim_id": "NOTIME", "person_id": "P9", "care_type": "outpatient"}'; } > dirty.jsonl
"$arbiter" history add db3 --claims dirty.jsonl --rejects rej.jsonl "${std[@]}" 2> add.err
[ $? -eq 3 ] && ok || bad "add with rejects: exit code should be 3"
grep -q "5 records read = 3 stored + 2 rejected + 0 reversals" add.err && ok || { bad "add rejects summary"; cat add.err; }
grep -q "dirty.jsonl:4: rejected:" add.err && grep -q "dirty.jsonl:5: rejected: cannot be stored in history: no settle time" add.err && ok ||
  { bad "add rejects: positions"; cat add.err; }
[ "$(grep -c . rej.jsonl)" -eq 2 ] && grep -q '"line":5,' rej.jsonl && ok || bad "add rejects: reject file"
# check --history with rejects: the same findings, rejects and exit code
for t in 1 2; do
  "$arbiter" check "$src/stdlib-rules" --claims dirty.jsonl -o m.jsonl --rejects rm.jsonl --quiet --threads $t "${std[@]}" 2>/dev/null
  rcm=$?
  "$arbiter" check "$src/stdlib-rules" --claims dirty.jsonl -o s.jsonl --rejects rs.jsonl --quiet --threads $t --history empty "${std[@]}" 2>/dev/null
  rcs=$?
  [ $rcm -eq 3 ] && [ $rcs -eq 3 ] && ok || bad "check --history with rejects: exit $rcs (in-memory $rcm)"
  same m.jsonl s.jsonl "check --history with rejects ($t threads): findings"
  same rm.jsonl rs.jsonl "check --history with rejects ($t threads): reject file"
done
# usage and refusals
"$arbiter" check "$d/history.rules" --claims "$d/claims.jsonl" --record "${std[@]}" 2>/dev/null
[ $? -eq 2 ] && ok || bad "--record without --history should be a usage error"
"$arbiter" check "$d/history.rules" --claims "$d/claims.jsonl" --history nowhere --quiet "${std[@]}" 2> err.txt
[ $? -eq 3 ] && grep -q "nowhere" err.txt && ok || bad "a missing store should be refused"
mkdir notastore
"$arbiter" history stats notastore "${std[@]}" 2> err.txt
[ $? -eq 3 ] && grep -q "not an Arbiter history store" err.txt && ok || { bad "a directory that is no store"; cat err.txt; }
"$arbiter" history --help | grep -q "usage: arbiter history" && ok || bad "history --help"

# --- history at settlement through the C API (examples/embed/settle.c) ------
settle=$(dirname "$arbiter")/arbiter_settle
if [ -x "$settle" ]; then
  "$arbiter" compile "$d/history.rules" -o h.arbpack "${std[@]}" 2>/dev/null
  sed -n 1p "$d/claims.jsonl" | "$settle" h.arbpack sdb > s1.out 2>/dev/null || bad "settle A1: exit $?"
  [ -s s1.out ] && bad "A1 flagged at settlement with no history" || ok
  sed -n 2p "$d/claims.jsonl" | "$settle" h.arbpack sdb > s2.out 2>/dev/null || bad "settle A2: exit $?"
  grep -q "^A2 SPLIT_ADMISSION.1 " s2.out && ok || { bad "split admission not flagged at settlement against the stay recorded earlier"; cat s2.out; }
  # the whole set settled one claim at a time, in settlement order: the
  # findings of check
  rm -rf sdb
  python3 -c 'import json, sys; cl = open(sys.argv[1]).readlines(); cl.sort(key=lambda l: json.loads(l)["settle_time"]); sys.stdout.writelines(cl)' "$d/claims.jsonl" > sorted.jsonl
  "$settle" h.arbpack sdb < sorted.jsonl > s3.out 2>/dev/null || bad "settle: exit $?"
  python3 - "$d/expected.jsonl" s3.out <<'PY' && ok || bad "settlement findings differ from check's"
import json, sys
want = sorted((j["claim_id"], j["rule"]) for j in map(json.loads, open(sys.argv[1])))
got = sorted(tuple(l.split()[:2]) for l in open(sys.argv[2]))
sys.exit(0 if want == got else 1)
PY
else
  bad "no arbiter_settle next to $arbiter"
fi

# --- crash safety: kill -9 at random moments --------------------------------
# 8 kills of each kind; 3 in a sanitizer build (ARB_SANITIZE=ON), where each
# round costs several times as much and the kills prove nothing more.
kills=8
[ "${ARB_SANITIZE:-OFF}" = ON ] && kills=3
"$arbiter" gen claims --n 6000 --seed 8 -o big.jsonl 2>/dev/null # ~3 windows of 8 MB
"$arbiter" history add clean --claims big.jsonl --quiet "${std[@]}"
"$arbiter" history export clean -o clean.jsonl --quiet "${std[@]}"
start=$(date +%s%N)
"$arbiter" history add timing --claims big.jsonl --quiet --commit-every 1000 "${std[@]}"
full=$((($(date +%s%N) - start) / 1000000)) # ms
checkpart() { # STORE WHAT: readable, whole commits of the clean store
  if ! "$arbiter" history stats "$1" > /dev/null 2>err.txt; then bad "$2: store unreadable"; cat err.txt; return; fi
  "$arbiter" history export "$1" -o part.jsonl --quiet "${std[@]}" || { bad "$2: export failed"; return; }
  python3 - part.jsonl clean.jsonl big.jsonl "$3" <<'PY' && ok || bad "$2: not a whole-commit part of the clean store"
import json, sys
part = open(sys.argv[1]).readlines()
clean = {json.loads(l)["claim_id"]: l for l in open(sys.argv[2])}
order = [json.loads(l)["claim_id"] for l in open(sys.argv[3])]
ids = [json.loads(l)["claim_id"] for l in part]
if any(clean.get(i) != l for i, l in zip(ids, part)): sys.exit(1)
mode = sys.argv[4]
if mode == "add":      # windows commit in input order: a prefix of the input
    sys.exit(0 if set(ids) == set(order[:len(ids)]) else 1)
every = int(mode)      # --record: commits of `every` claims
sys.exit(0 if len(ids) % every == 0 or len(ids) == len(clean) else 1)
PY
}
for i in $(seq 1 $kills); do
  rm -rf k
  "$arbiter" history add k --claims big.jsonl --quiet --commit-every 1000 "${std[@]}" &
  pid=$!
  sleep "$(python3 -c "import random; print(random.uniform(0, $full / 1000.0 * 1.1))")"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  checkpart k "kill -9 in history add ($i)" add
  "$arbiter" history add k --claims big.jsonl --quiet "${std[@]}" || bad "add again after kill: exit $?"
  "$arbiter" history export k -o again.jsonl --quiet "${std[@]}"
  same clean.jsonl again.jsonl "add after kill ($i) does not complete the store"
done
"$arbiter" check "$src/stdlib-rules" --claims big.jsonl -o /dev/null --quiet --history rec --record --commit-every 250 "${std[@]}"
"$arbiter" history export rec -o recclean.jsonl --quiet "${std[@]}"
same clean.jsonl recclean.jsonl "check --record stores what history add stores"
start=$(date +%s%N)
"$arbiter" check "$src/stdlib-rules" --claims big.jsonl -o /dev/null --quiet --history rec2 --record --commit-every 250 "${std[@]}"
full=$((($(date +%s%N) - start) / 1000000))
for i in $(seq 1 $kills); do
  rm -rf k
  "$arbiter" check "$src/stdlib-rules" --claims big.jsonl -o /dev/null --quiet --history k --record --commit-every 250 "${std[@]}" &
  pid=$!
  # the recording is the last part of the run: kill mostly there
  sleep "$(python3 -c "import random; print(random.uniform(0.5, 1.05) * $full / 1000.0)")"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  if [ -d k ]; then checkpart k "kill -9 in check --record ($i)" 250; fi
  "$arbiter" check "$src/stdlib-rules" --claims big.jsonl -o again.f --quiet --history k --record --commit-every 250 "${std[@]}" ||
    bad "check --record again after kill: exit $?"
  "$arbiter" history export k -o again.jsonl --quiet "${std[@]}"
  same clean.jsonl again.jsonl "check --record after kill ($i) does not complete the store"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
