#!/usr/bin/env bash
# output_files.sh ARBITER SRC — check's output files are replaced whole or
# not at all: a run without rejects (or rule errors) leaves an existing
# rejects.jsonl (rule-error file) as it is; /dev/null, a character device
# and a FIFO given as outputs are written in place and never removed; an
# output that is the claims file (directly or through a link), a CSV child
# file beside claims.csv, or another output is refused with exit 2 before
# anything is written, and the input is unchanged; a run that fails or is
# killed (kill -9) leaves the previous findings byte for byte; a file's mode
# and a symbolic link survive a run; findings to a pipe closed early (| head
# -1) exit 4 without a message; gen claims -o (plain and labelled) and
# compile -o follow the same rules.  A batch where a rule fails on every
# claim shows the first 20 failures (and the first 20 rejects) on standard
# error and counts the rest; the files keep them all.
set -uo pipefail
arbiter=$1 src=$2
case $arbiter in /*) ;; *) arbiter=$PWD/$arbiter ;; esac
case $src in /*) ;; *) src=$PWD/$src ;; esac
tmp=$(mktemp -d)
bgpid=
trap '[ -n "$bgpid" ] && kill -9 "$bgpid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
rules=("$src"/examples/rules/*.rules --stdlib "$src/stdlib-rules")
check() { "$arbiter" check "${rules[@]}" "$@"; }
no_temp() { ls -A "$1" | grep -q '^\.' && bad "$2: temporary file left: $(ls -A "$1" | grep '^\.')" || ok; }
cd "$tmp"

"$arbiter" gen claims --n 300 --seed 7 -o clean.jsonl
{ head -n 20 clean.jsonl; echo '{"claim_id": broken'; tail -n +21 clean.jsonl; } >dirty.jsonl

# --- a clean run leaves an existing rejects.jsonl (the default) alone -------
echo "my own notes" >rejects.jsonl
cp rejects.jsonl notes.bak
check --claims clean.jsonl -o f.jsonl --quiet
rc=$?
[ $rc -eq 0 ] && ok || bad "clean run: exit $rc"
cmp -s rejects.jsonl notes.bak && ok || bad "a clean run changed rejects.jsonl"
[ -s f.jsonl ] && ok || bad "no findings written"
no_temp . "clean run"
# a run with rejects replaces it with exactly this run's rejects
check --claims dirty.jsonl -o f2.jsonl --quiet 2>/dev/null
[ $? -eq 3 ] && ok || bad "dirty run: exit code"
[ "$(wc -l <rejects.jsonl)" -eq 1 ] && grep -q '"line":21' rejects.jsonl && ok ||
  bad "rejects.jsonl should hold the one reject: $(cat rejects.jsonl)"
no_temp . "dirty run"

# --- rule errors: same rule ----------------------------------------------------
cp -r "$src/tests/data/lua" lua
echo "old failures" >errs.jsonl
"$arbiter" check lua/lua.rules --claims clean.jsonl -o lf.jsonl --rule-errors errs.jsonl \
  --lua-memory 16 --lua-budget 200000 --quiet
[ $? -eq 0 ] && [ "$(cat errs.jsonl)" = "old failures" ] && ok || bad "a run without rule errors changed the rule-error file"

# --- devices and FIFOs are written in place, never removed -------------------
if [ "$(id -u)" -eq 0 ] && mknod "$tmp/null" c 1 3 2>/dev/null; then
  check --claims dirty.jsonl -o "$tmp/null" --rejects "$tmp/null" --quiet 2>/dev/null
  [ $? -eq 3 ] && ok || bad "rejects to a private null device: exit code"
  [ -c "$tmp/null" ] && ok || bad "a private null device (mknod) was removed or replaced"
  if [ -c "$tmp/null" ]; then # only then risk the real one
    check --claims dirty.jsonl -o /dev/null --rejects /dev/null --quiet 2>/dev/null
    [ $? -eq 3 ] && ok || bad "rejects to /dev/null: exit code"
    [ -c /dev/null ] && ok || bad "/dev/null is no longer a character device"
  fi
else
  check --claims dirty.jsonl -o /dev/null --rejects /dev/null --quiet 2>/dev/null
  [ $? -eq 3 ] && [ -c /dev/null ] && ok || bad "rejects to /dev/null"
fi
mkfifo fifo
timeout 60 cat fifo >from_fifo & # the reader (bounded: the test must not hang)
check --claims dirty.jsonl -o f3.jsonl --rejects fifo --quiet 2>/dev/null
[ $? -eq 3 ] && ok || bad "rejects to a FIFO: exit code"
wait
[ -p fifo ] && ok || bad "the FIFO was removed or replaced"
grep -q '"line":21' from_fifo && ok || bad "the reject did not go through the FIFO"

# --- an output that is an input is refused; the input is unchanged ----------
cp clean.jsonl orig.jsonl
check --claims clean.jsonl --rejects clean.jsonl -o f4.jsonl --quiet 2>err
rc=$?
[ $rc -eq 2 ] && ok || bad "--rejects = claims: exit $rc, expected 2"
grep -q "clean.jsonl.*clean.jsonl" err && ok || bad "--rejects = claims: message does not name both: $(cat err)"
cmp -s clean.jsonl orig.jsonl && ok || bad "--rejects = claims: the claims file changed"
[ ! -e f4.jsonl ] && ok || bad "--rejects = claims: findings written all the same"
check --claims clean.jsonl -o clean.jsonl --quiet 2>err
rc=$?
[ $rc -eq 2 ] && ok || bad "-o = claims: exit $rc, expected 2"
grep -q "findings file clean.jsonl is the claims file clean.jsonl" err && ok || bad "-o = claims: message: $(cat err)"
cmp -s clean.jsonl orig.jsonl && ok || bad "-o = claims: the claims file changed"
ln -s clean.jsonl link.jsonl
check --claims link.jsonl -o "$tmp/clean.jsonl" --quiet 2>err
[ $? -eq 2 ] && cmp -s clean.jsonl orig.jsonl && ok || bad "-o = claims through a link: not refused"
check --claims clean.jsonl --rule-errors ./clean.jsonl --quiet >/dev/null 2>err
[ $? -eq 2 ] && cmp -s clean.jsonl orig.jsonl && ok || bad "--rule-errors = claims: not refused"
check --claims clean.jsonl -o same.jsonl --rejects ./same.jsonl --quiet 2>err
[ $? -eq 2 ] && [ ! -e same.jsonl ] && ok || bad "-o = --rejects (not existing yet): not refused"
"$arbiter" gen claims --n 50 --seed 3 --format csv -o csv
cp -r csv csv.orig
for out in csv/lines.csv csv/diagnoses.csv csv/procedures.csv; do
  check --claims csv/claims.csv -o "$out" --quiet 2>err
  rc=$?
  [ $rc -eq 2 ] && ok || bad "-o $out (CSV input): exit $rc, expected 2"
  grep -q "$out" err && grep -q "csv/claims.csv" err && ok || bad "-o $out: message: $(cat err)"
done
check --claims csv/claims.csv -o f5.jsonl --rejects csv/lines.csv --quiet 2>/dev/null
[ $? -eq 2 ] && ok || bad "--rejects lines.csv (CSV input): not refused"
diff -r csv csv.orig >/dev/null && ok || bad "the CSV input changed"

# --- a failed run leaves the old findings and no temporary file --------------
mkdir fails && cp f.jsonl fails/f.jsonl && cp f.jsonl old.jsonl && cd fails
check --claims "$tmp" -o f.jsonl --quiet 2>/dev/null # a directory: cannot be read
[ $? -eq 3 ] && ok || bad "claims a directory: exit code"
cmp -s f.jsonl ../old.jsonl && ok || bad "a failed run changed the findings file"
[ ! -e rejects.jsonl ] && ok || bad "a failed run wrote rejects.jsonl"
no_temp . "failed run"
cd ..

# --- mode and symbolic links are kept --------------------------------------
chmod 640 f.jsonl
ln -s f.jsonl flink.jsonl
check --claims dirty.jsonl -o flink.jsonl --rejects rej.jsonl --quiet 2>/dev/null
[ -L flink.jsonl ] && ok || bad "the symbolic link was replaced by a file"
cmp -s f.jsonl f2.jsonl && ok || bad "the findings did not go where the link points"
[ "$(stat -c %a f.jsonl)" = 640 ] && ok || bad "mode not kept: $(stat -c %a f.jsonl)"
(umask 027 && check --claims clean.jsonl -o new.jsonl --quiet)
[ "$(stat -c %a new.jsonl)" = 640 ] && ok || bad "a new file's mode ignores the umask: $(stat -c %a new.jsonl)"

# --- kill -9 in the middle: the previous findings stay byte for byte ---------
"$arbiter" gen claims --n 200000 --seed 1 -o big.jsonl
mkdir killed && cp old.jsonl killed/f.jsonl
check --claims big.jsonl -o killed/f.jsonl --rejects killed/rej.jsonl --quiet 2>/dev/null &
bgpid=$!
for _ in $(seq 1 600); do # until findings are being written to the temporary file
  t=$(ls -A killed | grep '^\.f\.jsonl\.' | head -1)
  [ -n "$t" ] && [ -s "killed/$t" ] && break
  sleep 0.05
done
{ kill -9 $bgpid && wait $bgpid; } 2>/dev/null
bgpid=
[ -n "$t" ] && ok || bad "kill -9: no temporary file seen while running"
cmp -s killed/f.jsonl old.jsonl && ok || bad "kill -9: the findings file changed"
[ ! -e killed/rej.jsonl ] && ok || bad "kill -9: a reject file appeared"
rm -f killed/.f.jsonl.* # what kill -9 leaves (documented: safe to delete)

# --- findings to a pipe closed early: exit 4, no message --------------------
head -n 50000 big.jsonl >pipe.jsonl
check --claims pipe.jsonl -o - 2>pipe.err | head -1 >first.txt
rc=${PIPESTATUS[0]}
[ $rc -eq 4 ] && ok || bad "| head -1: exit $rc, expected 4"
[ ! -s pipe.err ] && ok || bad "| head -1: message: $(cat pipe.err)"
grep -q '"claim_id"' first.txt && ok || bad "| head -1: no finding came through"
"$arbiter" gen claims --n 50000 --seed 1 2>gen.err | head -1 >/dev/null
rc=${PIPESTATUS[0]}
[ $rc -eq 4 ] && [ ! -s gen.err ] && ok || bad "gen claims | head -1: exit $rc, $(cat gen.err)"

# --- gen claims -o and compile -o --------------------------------------------
cp old.jsonl g.jsonl
"$arbiter" gen claims --n 10 --seed 1 -o g.jsonl && ! cmp -s g.jsonl old.jsonl && ok || bad "gen claims -o"
no_temp . "gen claims"
"$arbiter" gen claims --library nolib --n 5 -o t.jsonl --truth ./t.jsonl 2>/dev/null
[ $? -eq 2 ] && [ ! -e t.jsonl ] && ok || bad "gen claims --library: -o = --truth not refused"
mkdir ro && cp old.jsonl ro/g.jsonl && chmod 555 ro
if [ "$(id -u)" -ne 0 ]; then
  "$arbiter" gen claims --n 10 --seed 1 -o ro/g.jsonl 2>/dev/null
  [ $? -eq 4 ] && cmp -s ro/g.jsonl old.jsonl && ok || bad "gen claims -o in a read-only directory"
fi
chmod 755 ro
mkdir ex && cp -r "$src/examples/rules" "$src/examples/tables" ex/
cp ex/rules/age.rules age.orig
"$arbiter" compile ex/rules/*.rules --stdlib "$src/stdlib-rules" -o ex/rules/age.rules 2>err
rc=$?
[ $rc -eq 2 ] && cmp -s ex/rules/age.rules age.orig && grep -q "age.rules" err && ok ||
  bad "compile -o a rule file: exit $rc, $(cat err)"
"$arbiter" compile ex/rules/*.rules --stdlib "$src/stdlib-rules" -o lib.arbpack 2>/dev/null && [ -s lib.arbpack ] && ok || bad "compile -o"
check --claims clean.jsonl -o f.jsonl --quiet && "$arbiter" check --pack lib.arbpack --claims clean.jsonl -o fp.jsonl --quiet &&
  cmp -s f.jsonl fp.jsonl && ok || bad "the pack written through a temporary file gives other findings"
no_temp . "compile"

# --summary: written whole after the findings, saying the run completed;
# a run that fails leaves none (and an old one is kept, not half replaced)
check --claims clean.jsonl -o sf.jsonl --summary run.json --quiet 2>/dev/null
python3 - sf.jsonl run.json <<'PY' && ok || bad "--summary: not the run's figures"
import json, sys
s = json.load(open(sys.argv[2]))
n = sum(1 for _ in open(sys.argv[1]))
assert s["complete"] is True and s["exit_code"] == 0 and s["findings"] == n and s["claims_read"] == 300, s
PY
cp run.json run.keep
check --claims clean.jsonl -o nodir/f.jsonl --summary run.json --quiet 2>/dev/null
[ $? -eq 4 ] && cmp -s run.json run.keep && ok || bad "--summary written for a failed run"
check --claims clean.jsonl -o sf.jsonl --summary sf.jsonl --quiet 2>/dev/null
[ $? -eq 2 ] && ok || bad "--summary naming the findings file not refused"
no_temp . "summary"

# 300 rule failures and 30 rejects: 20 of each shown, the rest counted
cat >ovf.rules <<'R'
category OVF "overflow" { code "X1" tier medical severity low nature definite points 1 }
rule OVF.1 "overflow" in OVF
  for line in claim.lines
  when line.amount * 100000000000000000 > 0
  flag line message "never"
R
{ for i in $(seq 30); do echo '{"claim_id": broken'; done; cat clean.jsonl; } >many_bad.jsonl
"$arbiter" check ovf.rules --stdlib "$src/stdlib-rules" --claims many_bad.jsonl -o ovf.jsonl \
  --rule-errors ovf_err.jsonl --rejects ovf_rej.jsonl 2>ovf.err
rc=$?
[ $rc -eq 3 ] && ok || bad "overflow on every claim: exit $rc, not 3"
[ "$(grep -c 'rule OVF.1 failed on claim' ovf.err)" -eq 20 ] && [ "$(grep -c . ovf_err.jsonl)" -eq 300 ] &&
  grep -q "arbiter: 280 more rule failures, not shown (the first 20 are); all in ovf_err.jsonl" ovf.err &&
  ok || bad "rule failures: not 20 shown and 280 counted: $(tail -3 ovf.err)"
[ "$(grep -c ': rejected: ' ovf.err)" -eq 20 ] && [ "$(grep -c . ovf_rej.jsonl)" -eq 30 ] &&
  grep -q "arbiter: 10 more rejected records, not shown (the first 20 are); all in ovf_rej.jsonl" ovf.err &&
  ok || bad "rejects: not 20 shown and 10 counted: $(tail -3 ovf.err)"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
