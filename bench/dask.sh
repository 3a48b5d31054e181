#!/usr/bin/env bash
# bench/dask.sh [N] — the post-audit on Dask against one process, in one run
# over N generated claims (default 1,000,000) in 8 JSON Lines files, the
# standard library's rules:
#   single   `arbiter check` of the files' concatenation, one process, 1 thread
#            (and 2 threads, for reference);
#   dask 1   python3 -m arbiter.dask check on a scheduler and 1 worker
#            (1 thread), on 127.0.0.1;
#   dask 2   the same with 2 workers.
# Prints wall seconds, claims/s, the speed-up of 2 workers over 1, and the
# overhead of Dask against the single process (dask 1 / single): splitting
# by person in Python, moving the partitions, merging.  Each run's findings
# are checked to be identical to the single process's.  Recorded figures:
# docs/scale-out.md.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
bash scripts/setup.sh
bash scripts/build.sh build >/dev/null
A=$src/build/arbiter
py=/usr/bin/python3
N=${1:-1000000}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
export ARBITER_LIB=$src/build/libarbiter.so ARBITER_STDLIB=$src/stdlib-rules PYTHONPATH=$src/python
cd "$tmp"
$A gen claims --n "$N" --seed 3 -o all.jsonl 2>/dev/null
split -n l/8 -d --additional-suffix=.jsonl all.jsonl claims-
rm all.jsonl
bytes=$(cat claims-*.jsonl | wc -c)
awk -v n="$N" -v b="$bytes" -v c="$(nproc)" \
  'BEGIN { printf "%d claims, %.0f MB of JSON Lines in 8 files; %d cores\n\n", n, b / 1e6, c }'

secs() { "$py" -c 'import sys, time; print(f"{time.time():.3f}")'; }
t0=$(secs)
cat claims-*.jsonl | $A check "$src/stdlib-rules" --claims - -o single.jsonl --quiet --threads 1
t1=$(secs)
cat claims-*.jsonl | $A check "$src/stdlib-rules" --claims - -o single2.jsonl --quiet --threads 2
t2=$(secs)
single=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
single2=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sched=tcp://127.0.0.1:$port
dask scheduler --host 127.0.0.1 --port "$port" --no-dashboard >scheduler.log 2>&1 &
pids+=($!)
worker() {
  dask worker "$sched" --host 127.0.0.1 --nthreads 1 --nworkers 1 --no-nanny --no-dashboard \
    --local-directory "$tmp/$1" >"$1.log" 2>&1 &
  pids+=($!)
  "$py" -c "import sys; from distributed import Client; Client('$sched', timeout=60).wait_for_workers($2, timeout=60)"
}
dask_run() { # workers: wall seconds
  local a b
  a=$(secs)
  "$py" -m arbiter.dask check "$src/stdlib-rules" --claims "$tmp/claims-*.jsonl" --scheduler "$sched" \
    -o "out$1" --quiet
  b=$(secs)
  cmp -s "out$1/findings.jsonl" single.jsonl || {
    echo "dask.sh: the findings of $1 workers differ from the single process's" >&2
    exit 1
  }
  awk -v a="$a" -v b="$b" 'BEGIN { print b - a }'
}
worker w1 1
d1=$(dask_run 1)
worker w2 2
d2=$(dask_run 2)
cmp -s single.jsonl single2.jsonl || echo "dask.sh: 1 and 2 threads differ" >&2

printf '%-34s %9s %12s\n' "run" "wall s" "claims/s"
row() { awk -v l="$1" -v s="$2" -v n="$N" 'BEGIN { printf "%-34s %9.2f %12.0f\n", l, s, n / s }'; }
row "single process, 1 thread" "$single"
row "single process, 2 threads" "$single2"
row "dask, 1 worker (1 thread)" "$d1"
row "dask, 2 workers (1 thread each)" "$d2"
echo
awk -v s="$single" -v d1="$d1" -v d2="$d2" 'BEGIN {
  printf "speed-up, 2 workers over 1:          %.2fx\n", d1 / d2
  printf "overhead, dask 1 worker / single:    %.2fx (+%.2f s)\n", d1 / s, d1 - s
  printf "dask 2 workers / single process:     %.2fx\n", d2 / s
}'
echo "findings identical to the single process: yes ($(wc -l <single.jsonl) findings)"
