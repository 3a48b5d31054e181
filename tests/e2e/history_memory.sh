#!/usr/bin/env bash
# history_memory.sh ARBITER SRC — without --history, rules calling history()
# hold a batch in memory only up to --history-memory MB of input; a larger
# one, or one from a pipe, goes through a temporary store in $TMPDIR, with
# the same findings byte for byte (the standard library as a pack, 4,000
# generated claims, as JSON Lines, from a pipe, as CSV, on 1 and 2
# threads); the summary says so; the temporary store is gone afterwards;
# 'all' keeps a piped batch in memory; a bad value is a usage error; and
# the temporary store is really used: the run's peak memory is below the
# in-memory run's (the batch's 16 MB of JSON are not held); history add of
# 10,000 claims as CSV peaks within 16 MB of the same claims as JSON Lines.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
same() { # name, expected, got
  if [ -s "$2" ] && cmp -s "$2" "$3"; then ok; else bad "$1"; diff "$2" "$3" | head -5; fi
}
std=(--stdlib "$src/stdlib-rules")
"$arbiter" gen claims --n 4000 --seed 5 -o c.jsonl
mkdir csv && "$arbiter" gen claims --n 4000 --seed 5 --format csv -o csv
"$arbiter" compile "$src/stdlib-rules" "${std[@]}" -o std.arbpack >/dev/null 2>&1 ||
  { echo "FAIL: compile stdlib-rules"; exit 1; }
mkdir t
export TMPDIR=$tmp/t
run() { # out, args...
  local out=$1
  shift
  "$arbiter" check --pack std.arbpack -o "$out" "$@" 2>"$out.err"
}

run mem.jsonl --claims c.jsonl --threads 1
grep -q 'temporary store' mem.jsonl.err && bad "a small batch went through a temporary store" || ok
[ "$(wc -l <mem.jsonl)" -gt 100 ] && ok || bad "too few findings to compare: $(wc -l <mem.jsonl)"

run t1.jsonl --claims c.jsonl --threads 1 --history-memory 0
same "temporary store = in memory (1 thread)" mem.jsonl t1.jsonl
grep -q 'history() read through a temporary store' t1.jsonl.err && ok || bad "no word of the temporary store"
run t2.jsonl --claims c.jsonl --threads 2 --history-memory 0
same "temporary store = in memory (2 threads)" mem.jsonl t2.jsonl

"$arbiter" check --pack std.arbpack -o p.jsonl --claims - --threads 1 <c.jsonl 2>p.err  # a file: its size is known
grep -q 'temporary store' p.err && bad "stdin from a small file went through a temporary store" || ok
cat c.jsonl | "$arbiter" check --pack std.arbpack -o pipe.jsonl --claims - --threads 2 2>pipe.err
same "a pipe through a temporary store = in memory" mem.jsonl pipe.jsonl
grep -q 'temporary store' pipe.err && ok || bad "a pipe did not go through a temporary store"
cat c.jsonl | "$arbiter" check --pack std.arbpack -o all.jsonl --claims - --history-memory all 2>all.err
same "a pipe held in memory with 'all'" mem.jsonl all.jsonl
grep -q 'temporary store' all.err && bad "'all' went through a temporary store" || ok

run cm.jsonl --claims csv/claims.csv --threads 1
run ct.jsonl --claims csv/claims.csv --threads 2 --history-memory 0
same "CSV: temporary store = in memory" cm.jsonl ct.jsonl
same "CSV = JSON Lines" mem.jsonl cm.jsonl

peak() { # --history-memory value: the run's peak resident memory in KB
  /usr/bin/time -f %M "$arbiter" check --pack std.arbpack --claims c.jsonl -o /dev/null \
    --threads 1 --history-memory "$1" 2>&1 >/dev/null | tail -1
}
# (not under the sanitizers, whose quarantine keeps freed memory)
case "$arbiter" in
  *asan*) ;;
  *)
    m1=$(peak all) m0=$(peak 0)
    [ "$m0" -lt $((m1 - 4000)) ] && ok || bad "peak memory with the temporary store $m0 KB, in memory $m1 KB"
    # history add of canonical CSV holds a window of claims as JSON Lines'
    # does: its peak is within 16 MB of the same claims' as JSON Lines (a
    # window of 4,096 claims held 32 MB more at 10,000 claims)
    "$arbiter" gen claims --n 10000 --seed 5 -o a.jsonl
    mkdir acsv && "$arbiter" gen claims --n 10000 --seed 5 --format csv -o acsv
    addpeak() { # store, claims: the add's peak resident memory in KB
      /usr/bin/time -f %M "$arbiter" history add "$1" --claims "$2" --pack std.arbpack \
        --threads 1 2>&1 >/dev/null | tail -1
    }
    aj=$(addpeak addj a.jsonl) ac=$(addpeak addc acsv/claims.csv)
    [ "$ac" -le $((aj + 16000)) ] && ok ||
      bad "history add's peak memory: CSV $ac KB, JSON Lines $aj KB"
    "$arbiter" history export addj -o addj.jsonl 2>/dev/null
    "$arbiter" history export addc -o addc.jsonl 2>/dev/null
    same "history add: CSV = JSON Lines" addj.jsonl addc.jsonl
    ;;
esac
[ -z "$(ls -A t)" ] && ok || bad "temporary files left in TMPDIR: $(ls -A t)"

"$arbiter" check --pack std.arbpack --claims c.jsonl -o /dev/null --history-memory lots 2>e.err
rc=$?
[ $rc -eq 2 ] && grep -q "history-memory takes megabytes or 'all', not 'lots'" e.err && ok ||
  bad "a bad --history-memory: exit $rc, $(cat e.err)"
"$arbiter" check --help | grep -q -- '--history-memory MB' && ok || bad "--help does not say --history-memory"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
