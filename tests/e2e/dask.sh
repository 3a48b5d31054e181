#!/usr/bin/env bash
# dask.sh ARBITER SRC — post-audit on Dask (python3 -m arbiter.dask): a
# `dask scheduler` and two `dask worker` processes on 127.0.0.1 (one thread
# each, free ports, stopped on exit) audit generated claims split across
# five files; the merged findings equal byte for byte those of one
# `arbiter check` of the files' concatenation, history findings included
# (each person's claims in one partition).  Then the same with one worker
# killed (SIGKILL) while the job runs: it completes with the same findings.
# Then a history store read by both workers equals `arbiter check --history`,
# and a rejected record is reported with its own file and line.
# ARB_BUILD_DIR is the build directory (its libarbiter.so is used).
set -uo pipefail
arbiter=$1 src=$2
build=${ARB_BUILD_DIR:-$(dirname "$arbiter")}
py=${ARB_PYTHON:-/usr/bin/python3}
"$py" -c 'import cffi, distributed' || {
  echo "dask: $py lacks cffi or distributed (bash scripts/setup.sh installs python3-cffi, python3-distributed)"
  exit 1
}
# in a sanitizer build, the Python processes (client, scheduler, workers)
# get the sanitizers' runtimes preloaded (san prefixes their commands)
preload=
if [ "${ARB_SANITIZE:-OFF}" = ON ]; then
  cc=${ARB_CC:-cc}
  preload="$($cc -print-file-name=libasan.so):$($cc -print-file-name=libubsan.so)"
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
san=(env "LD_PRELOAD=$preload") # env execs the command: $! is its pid
export ARBITER_LIB=$build/libarbiter.so ARBITER_STDLIB=$src/stdlib-rules
export PYTHONPATH=$src/python${PYTHONPATH:+:$PYTHONPATH}
export DASK_DISTRIBUTED__WORKER__DAEMON=False
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
cd "$tmp" || exit 1

free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
sched=tcp://127.0.0.1:$port
"${san[@]}" dask scheduler --host 127.0.0.1 --port "$port" --no-dashboard >scheduler.log 2>&1 &
pids+=($!)
worker() { # name: starts a worker, its pid in $wpid
  "${san[@]}" dask worker "$sched" --host 127.0.0.1 --nthreads 1 --nworkers 1 --no-nanny --no-dashboard \
    --name "$1" --local-directory "$tmp/$1" >"$1.log" 2>&1 &
  wpid=$!
  pids+=("$wpid")
}
worker w1
worker w2
w2=$wpid
"${san[@]}" "$py" - "$sched" <<'PY' || bad "the workers did not join the scheduler: $(tail -3 scheduler.log w1.log w2.log)"
import sys
from distributed import Client
with Client(sys.argv[1], timeout=60) as c:
    c.wait_for_workers(2, timeout=60)
PY

# claims in five files; one machine: the concatenation through arbiter check
"$arbiter" gen claims --n 20000 --seed 5 -o all.jsonl 2>/dev/null
split -n l/5 -d --additional-suffix=.jsonl all.jsonl claims-
cat claims-0*.jsonl | "$arbiter" check "$src/stdlib-rules" --claims - -o expected.jsonl --quiet
[ "$(grep -c '"evidence"' expected.jsonl)" -gt 10 ] && ok || bad "too few history findings to judge the partitioning"

run() { # out [options]: python3 -m arbiter.dask check of the five files
  local out=$1
  shift
  "${san[@]}" "$py" -m arbiter.dask check "$src/stdlib-rules" --claims "$tmp/claims-0*.jsonl" \
    --scheduler "$sched" -o "$out" "$@"
}
run out1 >run1.log 2>&1 && ok || bad "dask run: $(cat run1.log)"
cmp -s out1/findings.jsonl expected.jsonl && ok || bad "dask findings differ from arbiter check's"
grep -q '"audited": 20000' out1/summary.json && ok || bad "summary: $(cat out1/summary.json)"
grep -q '"workers": 2,' out1/summary.json && ok || bad "not both workers audited: $(cat out1/summary.json)"
grep -q '"pack_loads": 2,' out1/summary.json && ok || bad "the pack not loaded once per worker: $(cat out1/summary.json)"
ls out1/parts/part-*.jsonl >/dev/null 2>&1 && ok || bad "no per-partition findings"

# a worker killed mid-run
run out2 --partitions 48 >run2.log 2>&1 &
job=$!
for _ in $(seq 1 600); do
  ls out2/parts/*.keys >/dev/null 2>&1 && break
  sleep 0.05
done
done_parts=$(ls out2/parts/*.keys 2>/dev/null | wc -l)
if kill -0 $job 2>/dev/null && [ "$done_parts" -lt 48 ]; then
  ok
else
  bad "the job was over before a worker could be killed ($done_parts parts)"
fi
kill -9 "$w2"
wait "$w2" 2>/dev/null
wait "$job" && ok || bad "the job failed after a worker was killed: $(cat run2.log)"
kill -0 "$w2" 2>/dev/null && bad "worker 2 still alive" || ok
cmp -s out2/findings.jsonl expected.jsonl && ok || bad "findings differ after a worker was killed"
[ "$(ls out2/parts/*.keys | wc -l)" -eq 48 ] && ok || bad "not every partition was audited"
worker w3 # back to two workers

# a history store: the first file recorded, the rest audited against it
"$arbiter" history add db --claims claims-00.jsonl >/dev/null 2>&1
cat claims-0[1-4].jsonl | "$arbiter" check "$src/stdlib-rules" --claims - --history db -o hexpected.jsonl --quiet
"${san[@]}" "$py" -m arbiter.dask check "$src/stdlib-rules" --claims "$tmp/claims-0[1-4].jsonl" \
  --scheduler "$sched" -o out3 --history "$tmp/db" >run3.log 2>&1 && ok || bad "dask --history: $(cat run3.log)"
cmp -s out3/findings.jsonl hexpected.jsonl && ok || bad "dask --history findings differ from arbiter check --history"
cmp -s out3/findings.jsonl expected.jsonl && bad "the history store changed nothing" || ok

# a rejected record: reported with its file and line; exit 3 as arbiter check
sed -i '7s/.*/{"claim_id": 12/' claims-03.jsonl
run out4 >run4.log 2>&1
[ $? -eq 3 ] && ok || bad "a rejected record: exit 3 expected: $(cat run4.log)"
grep -q "\"file\": \"$tmp/claims-03.jsonl\", \"line\": 7," out4/rejects.jsonl && ok ||
  bad "reject not at claims-03.jsonl:7: $(cat out4/rejects.jsonl)"
cat claims-0*.jsonl | "$arbiter" check "$src/stdlib-rules" --claims - -o expected4.jsonl --quiet 2>/dev/null
cmp -s out4/findings.jsonl expected4.jsonl && ok || bad "findings with a rejected record differ"

# a rule pack given in place of the rules; more partitions than claims (most
# empty) and an empty file
head -3 claims-00.jsonl >tiny.jsonl
: >empty.jsonl
"$arbiter" compile "$src/stdlib-rules" -o lib.arbpack >/dev/null 2>&1
"$arbiter" check --pack lib.arbpack --claims tiny.jsonl -o tiny_expected.jsonl --quiet
"${san[@]}" "$py" -m arbiter.dask check "$tmp/lib.arbpack" --claims "$tmp/tiny.jsonl" --claims "$tmp/empty.jsonl" \
  --scheduler "$sched" -o out6 --partitions 8 >run6.log 2>&1 && ok || bad "dask, a pack, empty partitions: $(cat run6.log)"
cmp -s out6/findings.jsonl tiny_expected.jsonl && ok || bad "findings (pack, empty partitions) differ"
grep -q '"audited": 3,' out6/summary.json && ok || bad "summary (tiny): $(cat out6/summary.json)"

# usage
"${san[@]}" "$py" -m arbiter.dask check --help | grep -q -- "--scheduler" && ok || bad "no --help"
"${san[@]}" "$py" -m arbiter.dask check --claims x -o y >/dev/null 2>&1
[ $? -eq 6 ] && ok || bad "no rules: exit 6 expected"
echo 'rule X' >bad.rules
"${san[@]}" "$py" -m arbiter.dask check bad.rules --claims "$tmp/claims-00.jsonl" --scheduler "$sched" -o out5 2>err5.txt
[ $? -eq 2 ] && grep -q "^bad.rules:[0-9]*:[0-9]*: error: " err5.txt && ok || bad "rule errors: exit 2 with file:line expected: $(cat err5.txt)"

echo "dask: $pass passed, $fail failed"
[ $fail -eq 0 ]
