#!/usr/bin/env bash
# history_pg.sh ARBITER SRC — the history store in PostgreSQL against the
# same in LMDB, through the CLI (needs the ctest fixture "pg": its URI in the
# file $ARB_PG_URI_FILE, or $ARB_PG_URI; skipped, exit 77, without one):
#  - differential: the same claims through `history add` and `check
#    --history` (and --record) with an LMDB store and a PostgreSQL store give
#    byte-identical findings (history test set, generated claims with the
#    standard library, a split batch, 1 and 2 threads), exports and stats;
#  - export -> add -> export gives the same file; replace and reversals;
#    prune; feedback (--add, export, stats) the same in both;
#  - several processes write one PostgreSQL store at once and all of it is
#    there; a check reads it while another process writes;
#  - refusals: a server that does not answer (host and port named, no
#    password), a database that is no store, read-only commands on it.
set -uo pipefail
arbiter=$1 src=$2
base=${ARB_PG_URI:-}
if [ -z "$base" ] && [ -n "${ARB_PG_URI_FILE:-}" ] && [ -f "$ARB_PG_URI_FILE" ]; then
  base=$(cat "$ARB_PG_URI_FILE")
fi
if [ -z "$base" ]; then
  echo "history_pg: no PostgreSQL (ARB_PG_URI_FILE or ARB_PG_URI): skipped"
  exit 77
fi
tmp=$(mktemp -d)
dbs=()
cleanup() {
  for db in "${dbs[@]}"; do psql "$base" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
d=$src/tests/data/history
std=(--stdlib "$src/stdlib-rules")
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
same() { if cmp -s "$1" "$2"; then ok; else bad "$3"; diff "$1" "$2" | head -5; fi; }

# A new empty database NAME; prints its URI.
newdb() {
  psql "$base" -qAtc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1
  psql "$base" -qAtc "CREATE DATABASE $1" >/dev/null || { echo "cannot create database $1" >&2; exit 1; }
  dbs+=("$1")
  echo "${base%/*}/$1"
}

# --- differential: the history test set, empty stores ----------------------
pg=$(newdb arb_e2e_a)
"$arbiter" history init "$pg" "${std[@]}" --quiet || bad "history init (PG): exit $?"
"$arbiter" history init lm "${std[@]}" --quiet || bad "history init (LMDB): exit $?"
for args in "" "--threads 2" "--backend jit --threads 2"; do
  "$arbiter" check "$d/history.rules" --claims "$d/claims.jsonl" -o p.jsonl --quiet --history "$pg" $args "${std[@]}" ||
    bad "check --history PG $args: exit $?"
  same "$d/expected.jsonl" p.jsonl "history set, --history PG (empty) $args"
done
"$arbiter" history stats "$pg" | grep -q "^claims    0$" && ok || bad "check without --record wrote to the PG store"

# --- split batch with --record: LMDB and PG --------------------------------
"$arbiter" gen claims --n 3000 --seed 5 -o gen5.jsonl 2>/dev/null
"$arbiter" gen claims --n 2000 --seed 6 -o gen6.jsonl 2>/dev/null
head -1500 gen5.jsonl > h1.jsonl
tail -n +1501 gen5.jsonl > h2.jsonl
for t in 1 2; do
  rm -rf lsplit
  ps=$(newdb arb_e2e_split$t)
  "$arbiter" check "$src/stdlib-rules" --claims h1.jsonl -o l1.jsonl --quiet --history lsplit --record --threads $t "${std[@]}" ||
    bad "check --record LMDB: exit $?"
  "$arbiter" check "$src/stdlib-rules" --claims h1.jsonl -o p1.jsonl --quiet --history "$ps" --record --threads $t "${std[@]}" ||
    bad "check --record PG: exit $?"
  same l1.jsonl p1.jsonl "split batch, first half ($t threads): PG findings differ from LMDB's"
  "$arbiter" check "$src/stdlib-rules" --claims h2.jsonl -o l2.jsonl --quiet --history lsplit --threads $t "${std[@]}"
  "$arbiter" check "$src/stdlib-rules" --claims h2.jsonl -o p2.jsonl --quiet --history "$ps" --threads $t "${std[@]}"
  same l2.jsonl p2.jsonl "split batch, second half ($t threads): PG findings differ from LMDB's"
  grep -q '"category":"SPLIT_ADMISSION"' l2.jsonl && grep -q '"category":"FREQUENT_PURCHASE"' l2.jsonl && ok ||
    bad "split batch: no history findings to compare"
  "$arbiter" history export lsplit -o le.jsonl --quiet "${std[@]}"
  "$arbiter" history export "$ps" -o pe.jsonl --quiet "${std[@]}"
  same le.jsonl pe.jsonl "check --record ($t threads): PG store differs from LMDB's"
done
# no staging directory is left anywhere near
ls -d stage.* arbiter-stage.* 2>/dev/null && bad "a staging directory was left" || ok

# --- history add, then check --history -------------------------------------
pg=$(newdb arb_e2e_b)
rm -rf lm
"$arbiter" history add lm --claims gen5.jsonl --quiet "${std[@]}" || bad "history add LMDB: exit $?"
"$arbiter" history add "$pg" --claims gen5.jsonl --quiet --commit-every 700 "${std[@]}" || bad "history add PG: exit $?"
for t in 1 2; do
  "$arbiter" check "$src/stdlib-rules" --claims gen6.jsonl -o l.jsonl --quiet --history lm --threads $t "${std[@]}"
  "$arbiter" check "$src/stdlib-rules" --claims gen6.jsonl -o p.jsonl --quiet --history "$pg" --threads $t "${std[@]}"
  same l.jsonl p.jsonl "history add then check --history ($t threads): PG differs from LMDB"
done
# the same claims checked against stores holding them (each claim's own
# record is not counted)
"$arbiter" check "$src/stdlib-rules" --claims gen5.jsonl -o l.jsonl --quiet --history lm "${std[@]}"
"$arbiter" check "$src/stdlib-rules" --claims gen5.jsonl -o p.jsonl --quiet --history "$pg" "${std[@]}"
same l.jsonl p.jsonl "re-check of stored claims: PG differs from LMDB"
[ -s p.jsonl ] && ok || bad "no findings to compare"

# --- export -> add -> export; replace, reversals, stats, prune -------------
"$arbiter" history export lm -o le1.jsonl --quiet "${std[@]}"
"$arbiter" history export "$pg" -o pe1.jsonl --quiet "${std[@]}" || bad "export PG: exit $?"
same le1.jsonl pe1.jsonl "export: PG differs from LMDB"
[ "$(grep -c . pe1.jsonl)" -eq 3000 ] && ok || bad "export PG: 3000 claims"
pg2=$(newdb arb_e2e_c)
"$arbiter" history add "$pg2" --claims pe1.jsonl --quiet "${std[@]}" || bad "add the export: exit $?"
"$arbiter" history export "$pg2" -o pe2.jsonl --quiet "${std[@]}"
same pe1.jsonl pe2.jsonl "PG: export -> add -> export is not the same"
"$arbiter" history add "$pg2" --claims gen5.jsonl --quiet "${std[@]}"
"$arbiter" history export "$pg2" -o pe3.jsonl --quiet "${std[@]}"
same pe1.jsonl pe3.jsonl "PG: adding the same claims again changed the store"
"$arbiter" history export "$pg" -o - --quiet "${std[@]}" > pe4.jsonl
same pe1.jsonl pe4.jsonl "PG: export to standard output"
first=$(head -1 gen5.jsonl)
id2=$(sed -n 2p gen5.jsonl | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["claim_id"])')
id3=$(sed -n 3p gen5.jsonl | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["claim_id"])')
python3 - "$first" "$id2" "$id3" > change.jsonl <<'PY'
import json, sys
c = json.loads(sys.argv[1]); c["total_amount"] = "123456.78"; print(json.dumps(c, ensure_ascii=False))
print(json.dumps({"claim_id": "R-" + sys.argv[2], "person_id": "P", "care_type": "outpatient", "reversal_of": sys.argv[2]}))
print(json.dumps({"claim_id": sys.argv[3], "person_id": "P", "care_type": "outpatient", "status": "reversed"}))
PY
"$arbiter" history add lm --claims change.jsonl --quiet "${std[@]}"
"$arbiter" history add "$pg" --claims change.jsonl "${std[@]}" 2> add.err || bad "add changes PG: exit $?"
grep -q "3 records read = 1 stored + 0 rejected + 2 reversals" add.err && ok || { bad "add summary PG"; cat add.err; }
"$arbiter" history export lm -o le5.jsonl --quiet "${std[@]}"
"$arbiter" history export "$pg" -o pe5.jsonl --quiet "${std[@]}"
same le5.jsonl pe5.jsonl "replace and reversals: PG differs from LMDB"
[ "$(grep -c . pe5.jsonl)" -eq 2998 ] && ok || bad "reversals PG: 2998 claims expected"
"$arbiter" history stats lm | grep -E "^(persons|claims|settled|schemas) " > ls.txt
"$arbiter" history stats "$pg" | grep -E "^(persons|claims|settled|schemas) " > ps.txt
same ls.txt ps.txt "stats: PG differs from LMDB"
"$arbiter" history stats "$pg" | grep -q "^store     postgresql://" && ok || bad "stats names the PG store"
"$arbiter" history prune lm --before 2025-04-01 --quiet "${std[@]}"
"$arbiter" history prune "$pg" --before 2025-04-01 "${std[@]}" 2> pr.err || bad "prune PG: exit $?"
grep -q "claims settled before 2025-04-01 removed" pr.err && ok || bad "prune PG summary"
"$arbiter" history export lm -o le6.jsonl --quiet "${std[@]}"
"$arbiter" history export "$pg" -o pe6.jsonl --quiet "${std[@]}"
same le6.jsonl pe6.jsonl "prune: PG differs from LMDB"
[ "$(grep -c . pe6.jsonl)" -lt 2998 ] && [ -s pe6.jsonl ] && ok || bad "prune PG removed nothing or all"

# --- feedback ----------------------------------------------------------------
cat > fb.jsonl <<'EOF'
{"jr_id":"J1","dspo_way":"1","dspo_way_rea":"已核实，属实","warn_type":"1","time":"2026-12-06T10:00:00Z","msgid":"m1"}
{ "jr_id" : "J2", "dspo_way" : "2",
{"jr_id":""}
{"jr_id":"J1","dspo_way":"2","dspo_way_rea":"second answer","warn_type":"1","time":"2026-12-06T11:00:00Z","msgid":"m2"}
{ "jr_id" : "J3",  "n" : [ 1, 2 ] }
EOF
cat > fb.want <<'EOF'
{"jr_id":"J1","dspo_way":"1","dspo_way_rea":"已核实，属实","warn_type":"1","time":"2026-12-06T10:00:00Z","msgid":"m1"}
{"jr_id":"J1","dspo_way":"2","dspo_way_rea":"second answer","warn_type":"1","time":"2026-12-06T11:00:00Z","msgid":"m2"}
{"jr_id":"J3","n":[1,2]}
EOF
for s in lm "$pg"; do
  "$arbiter" history feedback "$s" --add fb.jsonl "${std[@]}" 2> fb.err
  [ $? -eq 3 ] && ok || bad "feedback --add with refused lines: exit 3 expected ($s)"
  grep -q "fb.jsonl:2: refused: feedback: invalid JSON" fb.err && grep -q "fb.jsonl:3: refused: feedback: no jr_id" fb.err &&
    grep -q "3 answers added, 2 refused" fb.err && ok || { bad "feedback --add messages ($s)"; cat fb.err; }
  "$arbiter" history feedback "$s" "${std[@]}" > fo.jsonl || bad "feedback export to stdout: exit $?"
  same fb.want fo.jsonl "feedback export ($s)"
  "$arbiter" history feedback "$s" -o fo2.jsonl --quiet "${std[@]}" || bad "feedback -o: exit $?"
  same fb.want fo2.jsonl "feedback -o ($s)"
  "$arbiter" history stats "$s" | grep -q "^feedback  3$" && ok || bad "stats: feedback 3 ($s)"
done
"$arbiter" history feedback --help | grep -q "history feedback DB" && ok || bad "history feedback --help"

# --- several processes on one store -----------------------------------------
pg=$(newdb arb_e2e_multi)
"$arbiter" history init "$pg" "${std[@]}" --quiet
split -n l/4 -d gen6.jsonl part.
pids=()
for p in part.0*; do
  "$arbiter" history add "$pg" --claims "$p" --quiet --commit-every 100 --rejects "$p.rej" "${std[@]}" &
  pids+=($!)
done
# a check reads while they write
"$arbiter" check "$src/stdlib-rules" --claims gen5.jsonl -o /dev/null --quiet --history "$pg" "${std[@]}" ||
  bad "check --history while other processes write: exit $?"
for pid in "${pids[@]}"; do wait "$pid" || bad "concurrent history add: exit $?"; done
"$arbiter" history stats "$pg" | grep -q "^claims    2000$" && ok || bad "concurrent adds: 2000 claims expected"
rm -rf lm6
"$arbiter" history add lm6 --claims gen6.jsonl --quiet "${std[@]}"
"$arbiter" history export lm6 -o le7.jsonl --quiet "${std[@]}"
"$arbiter" history export "$pg" -o pe7.jsonl --quiet "${std[@]}"
same le7.jsonl pe7.jsonl "concurrent adds: the PG store differs from one LMDB add"

# --- refusals ----------------------------------------------------------------
"$arbiter" history stats "postgresql://arb:s3cret@127.0.0.1:1/nodb" "${std[@]}" 2> err.txt
rc=$?
[ $rc -eq 3 ] && grep -q '127.0.0.1' err.txt && grep -q 'port 1' err.txt && ! grep -q s3cret err.txt && ok ||
  { bad "a server that does not answer: exit $rc"; cat err.txt; }
"$arbiter" check "$d/history.rules" --claims "$d/claims.jsonl" --quiet -o /dev/null --history "postgres://127.0.0.1:1/x" "${std[@]}" 2> err.txt
[ $? -eq 3 ] && grep -q 'port 1' err.txt && ok || { bad "check --history with no server"; cat err.txt; }
empty=$(newdb arb_e2e_empty)
"$arbiter" history stats "$empty" "${std[@]}" 2> err.txt
[ $? -eq 3 ] && grep -q "not an Arbiter history store" err.txt && ok || { bad "a database with no store"; cat err.txt; }
"$arbiter" history export "$empty" -o x.jsonl "${std[@]}" 2>/dev/null
[ $? -eq 3 ] && [ ! -e x.jsonl ] && ok || bad "export of a database with no store"
n=$(psql "$empty" -qAtc "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'arbiter_%'")
[ "$n" = 0 ] && ok || bad "read-only commands made tables"
psql "$pg" -qAtc "UPDATE arbiter_meta SET value = 'arbiter-history 0' WHERE key = 'format'" >/dev/null
"$arbiter" history stats "$pg" "${std[@]}" 2> err.txt
[ $? -eq 3 ] && grep -q "arbiter-history 0" err.txt && grep -q "arbiter-history 1" err.txt && ok ||
  { bad "another format version"; cat err.txt; }

echo "history_pg: $pass passed, $fail failed"
[ $fail -eq 0 ]
