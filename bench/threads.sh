#!/usr/bin/env bash
# bench/threads.sh [N_CLAIMS] [ROUNDS] — how `arbiter check` scales from one
# thread to two, read against what the machine offers right now, in one run.
#
# Each round runs, in turn (the order of 1 and 2 threads alternating from
# round to round):
#   - the control, bench/spin.c: the same fixed CPU work on one thread, then
#     on two; S_ctl = t1 / t2 is the scaling two threads can get now (these
#     machines are shared: S_ctl well under 2 means another job had a core);
#   - `arbiter check` with --threads 1 and --threads 2 over N_CLAIMS claims
#     (default 100,000), JSON Lines in, findings out, for each workload:
#       full-settle  the full reference library (stdlib-rules + `gen library
#                    --seed 1`, as a pack), --phase settle, plain generated
#                    claims (`gen claims --seed 3`);
#       full-all     the same, every phase (history() in memory);
#       full-store   the same, every phase, as plain `check` runs a batch
#                    over --history-memory (128 MB): history() through a
#                    temporary store (the two rows above pass
#                    `--history-memory all` to keep the batch in memory);
#       peers-10k    the shared 10k-rule workload of bench/peers.sh.
# and, for full-settle, a second control: two 1-thread `arbiter check`
# processes at once (P), which share nothing but the machine.  Its CPU per
# process against one process alone (cpuP/cpu1) is what the hardware
# charges for running two such jobs side by side (shared L3 cache, memory
# bandwidth, page zeroing), which the spin loop does not feel; two threads
# can not be expected to cost less than that.
# Printed per workload: the medians of wall and CPU (user + sys) seconds
# for 1 and 2 threads, S = t1 / t2 (wall), S / S_ctl, claim lines per
# second per core (lines / CPU seconds of the 1-thread run), and whether
# the findings of 1 and 2 threads are byte-identical.  The target (issue
# 14): S >= 1.8 when S_ctl is about 2, that is S / S_ctl >= 0.9.
#
# WORKS="full-store peers-10k" runs only those workloads.
# ARBITER=path runs that binary instead of building build-bench; BASE=path
# runs a second binary (say /work/main/build/arbiter) alternately with it,
# for an A/B of the same rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
rounds=${2:-3}
if [ -z "${ARBITER:-}" ]; then
  bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
  ARBITER=build-bench/arbiter
fi
A=$(realpath "$ARBITER")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -pthread bench/spin.c -o "$tmp/spin"

bins=(A)
declare -A bin=([A]=$A)
if [ -n "${BASE:-}" ]; then
  bins+=(B)
  bin[B]=$(realpath "$BASE")
fi

$A gen library --seed 1 -o "$tmp/lib" >/dev/null
$A compile stdlib-rules "$tmp/lib" -o "$tmp/lib.arbpack" >/dev/null 2>&1
$A gen claims --n "$n" --seed 3 -o "$tmp/c.jsonl" >/dev/null
python3 bench/peers_gen.py "$tmp/peers" "$n" >/dev/null
$A compile "$tmp/peers/peers.rules" -o "$tmp/peers.arbpack" >/dev/null 2>&1
lines() { python3 -c "import json,sys; print(sum(len(json.loads(l).get('lines', [])) for l in open(sys.argv[1])))" "$1"; }
declare -A nlines=([full-settle]=$(lines "$tmp/c.jsonl") [full-all]=$(lines "$tmp/c.jsonl")
  [full-store]=$(lines "$tmp/c.jsonl") [peers-10k]=$(lines "$tmp/peers/claims.jsonl"))
declare -A args=(
  [full-settle]="--pack $tmp/lib.arbpack --claims $tmp/c.jsonl --phase settle --history-memory all"
  [full-all]="--pack $tmp/lib.arbpack --claims $tmp/c.jsonl --history-memory all"
  [full-store]="--pack $tmp/lib.arbpack --claims $tmp/c.jsonl --history-memory 0"
  [peers-10k]="--pack $tmp/peers.arbpack --claims $tmp/peers/claims.jsonl")
read -ra works <<<"${WORKS:-full-settle full-all full-store peers-10k}"
echo "$n claims; $(nproc) cores; $rounds rounds; A=$A${BASE:+; B=${bin[B]}}"

res=$tmp/results # workload bin threads round wall cpu md5
: >"$res"
run() { # workload bin threads round (threads P: two 1-thread processes at once)
  local w=$1 b=$2 t=$3 r=$4 out=$tmp/f_$1_$2_$3.jsonl
  if [ "$t" = P ]; then
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %U %S" -o "$tmp/time" bash -c \
      '"$1" check $2 --threads 1 -o "$3.a" --quiet & "$1" check $2 --threads 1 -o "$3" --quiet; wait' \
      - "${bin[$b]}" "${args[$w]}" "$out" >/dev/null 2>&1 || true
    read -r wall user sys < <(tail -n 1 "$tmp/time")
    echo "$w $b $t $r $wall $(python3 -c "print(($user + $sys) / 2)") $(md5sum <"$out.a" | cut -c1-12)" >>"$res"
    return
  fi
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S" -o "$tmp/time" "${bin[$b]}" check ${args[$w]} --threads "$t" \
    -o "$out" --quiet >/dev/null 2>&1 || true
  read -r wall user sys < <(tail -n 1 "$tmp/time")
  echo "$w $b $t $r $wall $(python3 -c "print($user + $sys)") $(md5sum <"$out" | cut -c1-12)" >>"$res"
}
for ((r = 1; r <= rounds; r++)); do
  echo "ctl - - $r $("$tmp/spin")" >>"$res"
  for w in "${works[@]}"; do
    order=(1 2)
    ((r % 2)) || order=(2 1)
    [ "$w" = full-settle ] && order+=(P)
    for t in "${order[@]}"; do
      for b in "${bins[@]}"; do run "$w" "$b" "$t" "$r"; done
    done
  done
  echo "ctl - - $r $("$tmp/spin")" >>"$res"
done

python3 - "$res" "${works[@]}" -- "${bins[@]}" <<PY
import statistics as st, sys
res, rest = sys.argv[1], sys.argv[2:]
works, bins = rest[:rest.index("--")], rest[rest.index("--") + 1:]
nlines = {"full-settle": ${nlines[full-settle]}, "full-all": ${nlines[full-all]},
          "full-store": ${nlines[full-store]}, "peers-10k": ${nlines[peers-10k]}}
rows = [l.split() for l in open(res)]
ctl = [float(r[6]) for r in rows if r[0] == "ctl"]
sctl = st.median(ctl)
print(f"control (spin loop): S_ctl = {sctl:.2f} median of {len(ctl)} ({min(ctl):.2f}-{max(ctl):.2f})")
print(f"{'workload':12} {'bin':3} {'lines':>8} {'wall1':>6} {'wall2':>6} {'cpu1':>6} {'cpu2':>6} {'S':>5} {'S/Sctl':>6} {'lines/s/core':>12} {'same':>4}")
for w in works:
    for b in bins:
        def med(t, k):
            return st.median(float(r[k]) for r in rows if r[0] == w and r[1] == b and r[2] == str(t))
        w1, w2, c1, c2 = med(1, 4), med(2, 4), med(1, 5), med(2, 5)
        md5 = {r[6] for r in rows if r[0] == w and r[1] == b}
        s = w1 / w2
        print(f"{w:12} {b:3} {nlines[w]:8d} {w1:6.2f} {w2:6.2f} {c1:6.2f} {c2:6.2f} {s:5.2f} {s / sctl:6.2f} {nlines[w] / c1:12,.0f} {'yes' if len(md5) == 1 else 'NO':>4}")
pairs = [(w, b) for w in works for b in bins if any(r[0] == w and r[1] == b and r[2] == "P" for r in rows)]
if pairs:
    print("two 1-thread processes at once (P): wallP, CPU per process, cpuP/cpu1 (what the hardware charges")
    print("for two jobs side by side), cpu2/cpuP (what two threads cost beyond that), S_proc = 2 wall1 / wallP")
for w, b in pairs:
    def med(t, k):
        return st.median(float(r[k]) for r in rows if r[0] == w and r[1] == b and r[2] == str(t))
    w1, c1, c2, wp, cp = med(1, 4), med(1, 5), med(2, 5), med("P", 4), med("P", 5)
    print(f"{w:12} {b:3} wallP {wp:6.2f} cpuP {cp:6.2f} cpuP/cpu1 {cp / c1:5.2f} cpu2/cpuP {c2 / cp:5.2f} S_proc {2 * w1 / wp:5.2f}")
PY
