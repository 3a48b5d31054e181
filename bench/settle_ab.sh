#!/usr/bin/env bash
# bench/settle_ab.sh — single claims at settlement with history from a warm
# store (issue 11), A/B in one run: OLD (default /work/main/build, a build
# of main: its libarbiter and arbiter) against NEW (default build/, this
# tree's Release build), both timed by this tree's bench/settle_latency.c
# (compiled and linked against OLD's library with OLD's own flags, so the
# timing code is the same on both sides).  The full reference library
# (stdlib-rules + `gen library --seed 1`) is compiled to a pack by each
# side's arbiter from its own stdlib-rules; each side's store (written by
# its own arbiter) holds N (default 100000) claims of `gen claims --seed
# 3`, LAT_M (default 10000) of them moved to settle on 2026-01-02 (bench/settle_claims.py, the
# set bench/history_store.sh times).  RUNS (default 2) times: old
# interpreter, new interpreter, old JIT, new JIT (--jit), each ROUNDS
# (default 3) rounds per mode (no store / store), each call timed by the
# thread's CPU time (CPU=1, default; CPU=0: the wall clock).  Prints, per
# care type, p50/p99/p999 over the claims of each claim's fastest round,
# and new/old ratios.  Figures: docs/performance.md ("Single claims at
# settlement").
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=${OLD:-/work/main/build}
NEW=${NEW:-build}
N=${N:-100000}
LAT_M=${LAT_M:-10000}
RUNS=${RUNS:-2}
ROUNDS=${ROUNDS:-3}
CPU=${CPU:-1}
NEW=$(cd "$NEW" && pwd)
src=$PWD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle_ab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cmake --build "$NEW" --target arbiter_cli bench_settle_latency >/dev/null
old_src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$OLD/CMakeCache.txt")
# the old side: this tree's timing code against OLD's library
. bench/relink.sh
relink_bench "$OLD" bench_settle_latency "$src/bench/settle_latency.c" "$tmp/bench_old"
echo "old: $OLD ($(git -C "$old_src" log -1 --format='%h %s' | cut -c1-70))"
echo "new: $NEW ($(git log -1 --format='%h %s' | cut -c1-70)$(git diff --quiet HEAD || echo ', with changes'))"

"$NEW/arbiter" gen library --seed 1 -o "$tmp/lib" >/dev/null
"$OLD/arbiter" compile "$old_src/stdlib-rules" "$tmp/lib" -o "$tmp/old.arbpack" >/dev/null 2>&1
"$NEW/arbiter" compile stdlib-rules "$tmp/lib" -o "$tmp/new.arbpack" >/dev/null 2>&1
"$NEW/arbiter" gen claims --n "$N" --seed 3 -o "$tmp/c.jsonl"
# each side's store written by its own arbiter (their formats may differ)
"$OLD/arbiter" history add "$tmp/db_old" --claims "$tmp/c.jsonl" --pack "$tmp/old.arbpack" --quiet
"$NEW/arbiter" history add "$tmp/db_new" --claims "$tmp/c.jsonl" --pack "$tmp/new.arbpack" --quiet
python3 bench/settle_claims.py "$tmp/c.jsonl" "$tmp/settle.jsonl" "$LAT_M"
rm -f "$tmp/c.jsonl"
clk=$( ((CPU)) && echo --cpu || true)
echo "each call timed by $( ((CPU)) && echo "the thread's CPU time" || echo "the wall clock"); $RUNS runs x $ROUNDS rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= RUNS; r++)); do
  for jit in "" --jit; do
    for side in old new; do
      b=$tmp/bench_old
      [ $side = new ] && b=$NEW/bench_settle_latency
      "$b" --pack "$tmp/$side.arbpack" --history "$tmp/db_$side" --claims "$tmp/settle.jsonl" --rounds "$ROUNDS" \
        --per-claim "$tmp/pc_${side}${jit}_$r" $jit $clk >"$tmp/out" || { cat "$tmp/out"; exit 1; }
      echo "run $r, $side${jit:+ $jit}: findings $(awk '$1 == "no" { a = $NF } $1 == "store" && $2 != "/" { b = $NF } END { print a " no store, " b " store" }' "$tmp/out")"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$tmp" "$RUNS" <<'PY'
import json, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
kinds = [json.loads(l)["care_type"] for l in open(f"{tmp}/settle.jsonl", encoding="utf-8")]
order = sorted(set(kinds), key=kinds.count, reverse=True) + ["all"]
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, max(0, -(-len(v) * p // 1000) - 1))]
def load(name):
    rows = [l.split() for l in open(f"{tmp}/{name}").read().splitlines()[1:]]
    return [float(x[2]) for x in rows], [float(x[3]) for x in rows]
print("\nµs, each claim's fastest round; p50 / p99 / p999 over the claims of a care type")
for jit in ["", "--jit"]:
    for r in range(1, runs + 1):
        o, n = load(f"pc_old{jit}_{r}"), load(f"pc_new{jit}_{r}")
        print(f"\n{'JIT' if jit else 'interpreter'}, run {r}")
        print("%-20s %6s | %-22s %-22s | %-22s %-22s | %s" % ("care_type", "claims", "old none", "new none",
              "old store", "new store", "new/old store p50 p99 p999"))
        for k in order:
            idx = [i for i, c in enumerate(kinds) if c == k or k == "all"]
            f = lambda v: [q([v[i] for i in idx], p) for p in (500, 990, 999)]
            on, nn, os_, ns = f(o[0]), f(n[0]), f(o[1]), f(n[1])
            s = lambda t: "%6.1f %7.1f %7.1f" % tuple(t)
            print("%-20s %6d | %-22s %-22s | %-22s %-22s | %.2f %.2f %.2f" % (k, len(idx), s(on), s(nn), s(os_), s(ns),
                  ns[0] / os_[0], ns[1] / os_[1], ns[2] / os_[2]))
PY
