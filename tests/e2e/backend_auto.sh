#!/usr/bin/env bash
# backend_auto.sh ARBITER SRC — `check --backend auto` (the default): a
# pack's native code when PACK.so was made for it and is the user's own
# (not when others may write it, not when made for another pack), the JIT
# only when the claims file is large enough for compiling to pay
# (arb_jit_pays, tested in test_engine), else the interpreter; the
# findings are the interpreter's in every case.  --threads defaults to the
# number of cores.  The summary (--summary) says which backend ran.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
cd "$tmp"
"$arbiter" gen claims --n 200 --seed 3 -o c.jsonl 2>/dev/null || exit 1
cat >one.rules <<'R'
category PEER "one rule" { code "PEER" severity high }
rule P.1 in PEER for line in claim.lines when line.item_code in {"001204000060000", "XA1"}
  and claim.age >= 1 flag line
R
cat >two.rules <<'R'
category PEER "another rule" { code "PEER" severity high }
rule P.2 in PEER for line in claim.lines when claim.age >= 2 flag line
R
"$arbiter" compile one.rules -o one.arbpack --native 2>/dev/null && ok || bad "compile --native"
"$arbiter" compile two.rules -o two.arbpack --native 2>/dev/null && ok || bad "compile --native (two)"
"$arbiter" check one.rules --claims c.jsonl -o want.jsonl --backend interp --threads 1 --quiet ||
  bad "interp run"
[ -s want.jsonl ] && ok || bad "no findings to compare"
# run NAME ARGS...: check into NAME.jsonl with a summary; prints the backend
run() {
  local name=$1
  shift
  "$arbiter" check "$@" -o "$name.jsonl" --summary "$name.sum" --quiet 2>"$name.err"
  local rc=$?
  [ $rc -eq 0 ] || bad "$name: exit $rc: $(cat "$name.err")"
  sed -n 's/.*"backend":"\([a-z]*\)".*/\1/p' "$name.sum"
}
same() { cmp -s "$1.jsonl" want.jsonl && ok || bad "$1: findings differ from the interpreter's"; }
expect() { [ "$2" = "$3" ] && ok || bad "$1: backend '$2', expected '$3'"; }

# a pack with its own native code beside it, the user's, not writable by others
chmod 644 one.arbpack.so
expect native "$(run native --pack one.arbpack --claims c.jsonl)" native
same native
# writable by the group: not taken unasked
chmod 664 one.arbpack.so
expect groupw "$(run groupw --pack one.arbpack --claims c.jsonl)" interp
same groupw
chmod 644 one.arbpack.so
# made for another pack: refused, the interpreter runs, no error
cp one.arbpack.so one.keep.so
cp two.arbpack.so one.arbpack.so
chmod 644 one.arbpack.so
expect stale "$(run stale --pack one.arbpack --claims c.jsonl)" interp
same stale
# none there
rm one.arbpack.so
expect none "$(run none --pack one.arbpack --claims c.jsonl)" interp
same none
# asked for: the interpreter, whatever is there
cp one.keep.so one.arbpack.so
chmod 644 one.arbpack.so
expect asked "$(run asked --pack one.arbpack --claims c.jsonl --backend interp)" interp

# the JIT pays only for a batch of about a gigabyte per thread and more
# (test_engine checks arb_jit_pays's answers): not for 41 MB (the claims,
# then 40 MB of blank space the reader skips) of a one-rule library, even on
# one thread, nor for 60 KB
head -n 100 c.jsonl >big.jsonl
head -c 40000000 /dev/zero | tr '\0' ' ' >>big.jsonl
printf '\n' >>big.jsonl
tail -n 100 c.jsonl >>big.jsonl
cp want.jsonl want.keep
"$arbiter" check one.rules --claims big.jsonl -o want.jsonl --backend interp --threads 1 --quiet
expect big1 "$(run big1 one.rules --claims big.jsonl --threads 1)" interp
same big1
# asked for, the JIT runs and finds the same
expect jit "$(run jit one.rules --claims big.jsonl --threads 1 --backend jit)" jit
same jit
cp want.keep want.jsonl
expect small "$(run small one.rules --claims c.jsonl --threads 1)" interp
same small
# from standard input the size is not known: the interpreter
"$arbiter" check one.rules --claims - -o stdin.jsonl --summary stdin.sum --threads 1 --quiet <big.jsonl
grep -q '"backend":"interp"' stdin.sum && ok || bad "standard input: $(cat stdin.sum)"

# --threads: the number of cores by default
cores=$(getconf _NPROCESSORS_ONLN)
[ "$cores" -gt 64 ] && cores=64
run threads one.rules --claims c.jsonl >/dev/null
grep -q "\"threads\":$cores}" threads.sum && ok || bad "default threads: $(cat threads.sum), cores $cores"
same threads
# an unknown backend names auto among the choices
out=$("$arbiter" check one.rules --claims c.jsonl --backend fast 2>&1)
[ $? -eq 2 ] && grep -q "auto, interp, jit, native" <<<"$out" && ok || bad "unknown backend: $out"

echo "backend_auto: $pass passed, $fail failed"
[ $fail -eq 0 ]
