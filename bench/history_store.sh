#!/usr/bin/env bash
# bench/history_store.sh [N...] — the persistent history store (history/)
# measured in one run with the full reference library (stdlib-rules + `gen
# library --seed 1`, as a pack) over plain generated claims (`gen claims
# --seed 3`, ~4 KB of JSON a claim) at each batch size N (default 100000
# 300000):
#   ingest     `history add` of the N claims into a new store: claims/s of
#              wall time, CPU, peak RSS, and the store's bytes per claim
#              (`history stats`);
#   check      `check --history` against an empty store (store mode: the
#              batch is streamed twice, through a staging store) and, up to
#              MEM_MAX claims (default 300000), the in-memory history run
#              (no --history: the batch is read whole), alternated REPEAT
#              times (default 3; once above MEM_MAX), best wall of each:
#              wall, CPU, peak RSS (with the sampled peak of anonymous and
#              file-backed memory: LMDB's map counts as the latter), the
#              store / in-memory ratios, and cmp of the two findings files;
#   latency    bench_settle_latency (bench/settle_latency.c): a store holding
#              the 100,000-claim batch, and LAT_M (default 10000) claims of
#              the same persons — claims of that batch moved forward to
#              settle on 2026-01-02 (every time field shifted by the same
#              days, claim_id C… renamed S…) — checked one at a time, store
#              against no store, p50/p99/p999 in µs, and the same by care
#              type; LAT_JIT=1 measures it again with the rules as native
#              code (bench_settle_latency --jit).
# THREADS (default 1) is passed to history add and check.  INGEST=0 skips
# the ingest and LAT=0 the latency (to measure check --history alone at big
# sizes); the environment reaches arbiter (ARBITER_ID_BUDGET=1000000000000
# keeps every claim id in memory, as before 2026-12-06: A/B of its RSS).
# OLD=DIR (a build directory of another arbiter, e.g. /work/main/build) runs
# that arbiter's ingest and check --history in the same run, alternated with
# this one's, and prints this / old ratios of CPU.  Recorded figures:
# docs/performance.md ("History store").  Big sizes take disk: 4 GB of JSON
# and ~2.3 GB of store per million claims, deleted as the run goes.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]})) || sizes=(100000 300000)
REPEAT=${REPEAT:-3}
MEM_MAX=${MEM_MAX:-300000}
LAT_M=${LAT_M:-10000}
THREADS=${THREADS:-1}
INGEST=${INGEST:-1}
LAT=${LAT:-1}
LAT_JIT=${LAT_JIT:-0}
OLD=${OLD:-}
bash scripts/setup.sh
bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
A=$PWD/build-bench/arbiter
L=$PWD/build-bench/bench_settle_latency
O=
if [ -n "$OLD" ]; then
  O=$(cd "$OLD" && pwd)/arbiter
  [ -x "$O" ] || { echo "history_store: no arbiter in OLD=$OLD" >&2; exit 2; }
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/history_store.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# measure OUT CMD...: runs CMD (output to $tmp/out.log), sampling its
# /proc status every 0.1 s; writes "wall cpu maxrss_kb anon_kb file_kb" to OUT
measure() {
  local out=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" \
    bash -c 'echo $$ > "$0"; exec "$@"' "$tmp/pid" "$@" >"$tmp/out.log" 2>&1 &
  local tp=$! pid="" anon=0 file=0 a f
  while [ -z "$pid" ] && kill -0 "$tp" 2>/dev/null; do
    pid=$(cat "$tmp/pid" 2>/dev/null || true)
  done
  while [ -n "$pid" ] && read -r a f < <(awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
      END { if (a != "") print a, f }' "/proc/$pid/status" 2>/dev/null) && [ -n "$a" ]; do
    ((a > anon)) && anon=$a
    ((f > file)) && file=$f
    sleep 0.1
  done
  local rc=0
  wait "$tp" || rc=$?
  rm -f "$tmp/pid"
  if ((rc)); then
    echo "history_store: failed ($rc): $*" >&2
    cat "$tmp/out.log" >&2
    exit 1
  fi
  awk -v a="$anon" -v f="$file" '{ print $1, $2 + $3, $4, a, f }' "$tmp/time" >"$out"
}
# best of the lines of a measure file by wall time
best() { awk 'NR == 1 || $1 < w { w = $1; l = $0 } END { print l }' "$1"; }

$A gen library --seed 1 -o "$tmp/lib" >/dev/null
$A compile stdlib-rules "$tmp/lib" -o "$tmp/lib.arbpack" >/dev/null 2>&1
P=(--pack "$tmp/lib.arbpack")
echo "full reference library: $($A lint --stats stdlib-rules "$tmp/lib" 2>&1 | grep -E '^(rules|rule rows) ' | tr -s ' ' | paste -sd ';')"
echo "claims: gen claims --n N --seed 3 (plain); $THREADS thread(s); best of $REPEAT up to $MEM_MAX claims, else one run"

# the in-memory history run: a batch over 128 MB of input would otherwise go
# through a temporary store (check --history-memory, since 2026-12-07)
INMEM=$($A check --help 2>&1 | grep -q -- --history-memory && echo "--history-memory all")

# latency NCLAIMS_FILE DB: single claims at settlement, store against none
latency() {
  python3 bench/settle_claims.py "$1" "$tmp/settle.jsonl" "$LAT_M" | sed 's/^/  /'
  local jit
  for jit in "" $(((LAT_JIT)) && echo --jit); do
    "$L" "${P[@]}" --history "$2" --claims "$tmp/settle.jsonl" --per-claim "$tmp/per_claim.txt" $jit |
      sed 's/^/  /'
    python3 - "$tmp/settle.jsonl" "$tmp/per_claim.txt" <<'PY'
import json, sys
kinds = [json.loads(l)["care_type"] for l in open(sys.argv[1], encoding="utf-8")]
rows = [l.split() for l in open(sys.argv[2]).read().splitlines()[1:]]
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, max(0, -(-len(v) * p // 100) - 1))]
print("  by care type (fastest of the rounds per claim):")
print("  %-20s %6s %9s %9s %11s %11s %9s" % ("care_type", "claims", "KB_JSON", "p50_none", "p50_store",
      "p99_none", "p99_store"))
for k in sorted(set(kinds), key=kinds.count, reverse=True) + ["all"]:
    r = [x for x, c in zip(rows, kinds) if c == k or k == "all"]
    b, n, s = [int(x[1]) for x in r], [float(x[2]) for x in r], [float(x[3]) for x in r]
    print("  %-20s %6d %9.1f %9.1f %11.1f %11.1f %9.1f" % (k, len(r), sum(b) / len(r) / 1000,
          q(n, 50), q(s, 50), q(n, 99), q(s, 99)))
PY
  done
}

lat_done=0
rows=()
for N in "${sizes[@]}"; do
  echo
  echo "== $N claims"
  c=$tmp/c.jsonl
  $A gen claims --n "$N" --seed 3 -o "$c"
  echo "  $(awk -v b="$(stat -c %s "$c")" 'BEGIN { printf "%.0f MB of JSON Lines", b / 1e6 }')"

  # ingest: history add into a new store
  rm -rf "$tmp/db"
  w=- cpu=- m=- bpc=-
  if ((INGEST)); then
  measure "$tmp/ingest" $A history add "$tmp/db" --claims "$c" "${P[@]}" --threads "$THREADS"
  bpc=$($A history stats "$tmp/db" | awk '/^size/ { for (i = 1; i <= NF; i++) if ($i == "bytes") print $(i - 1) }')
  mb=$(du -sm "$tmp/db" | cut -f1)
  read -r w cpu m an fi <"$tmp/ingest"
  awk -v n="$N" -v w="$w" -v c="$cpu" -v m="$m" -v b="$bpc" -v d="$mb" 'BEGIN {
    printf "  ingest (history add): %.2f s wall, %.2f s CPU: %.0f claims/s (%.0f per CPU second); peak RSS %.0f MB; store %d MB, %s bytes a claim\n",
      w, c, n / w, n / c, m / 1024, d, b }'

  if [ -n "$O" ]; then
    rm -rf "$tmp/dbo"
    measure "$tmp/ingest_old" $O history add "$tmp/dbo" --claims "$c" "${P[@]}" --threads "$THREADS"
    rm -rf "$tmp/dbo"
    read -r ow ocpu om oan ofi <"$tmp/ingest_old"
    awk -v n="$N" -v w="$ow" -v c="$ocpu" -v m="$om" -v nc="$cpu" 'BEGIN {
      printf "  ingest, OLD arbiter:  %.2f s wall, %.2f s CPU: %.0f claims/s (%.0f per CPU second); peak RSS %.0f MB; CPU this / old %.2fx\n",
        w, c, n / w, n / c, m / 1024, nc / c }'
  fi
  fi
  if ((N == 100000 && INGEST && LAT)); then
    echo "  single claims at settlement, store of this batch (warm):"
    latency "$c" "$tmp/db"
    lat_done=1
  fi
  rm -rf "$tmp/db"

  # check --history (empty store) against the in-memory history run
  $A history init "$tmp/db0" "${P[@]}" >/dev/null 2>&1
  # OLD's empty store made by OLD (the formats may differ)
  [ -n "$OLD" ] && $O history init "$tmp/db0_old" "${P[@]}" >/dev/null 2>&1
  : >"$tmp/store"
  : >"$tmp/mem"
  : >"$tmp/old"
  reps=$REPEAT
  ((N <= MEM_MAX)) || reps=1
  for ((r = 0; r < reps; r++)); do
    if ((N <= MEM_MAX)); then
      measure "$tmp/m1" $A check "${P[@]}" --claims "$c" -o "$tmp/f_mem.jsonl" --quiet --threads "$THREADS" $INMEM
      cat "$tmp/m1" >>"$tmp/mem"
    fi
    measure "$tmp/m1" $A check "${P[@]}" --claims "$c" --history "$tmp/db0" -o "$tmp/f_store.jsonl" --quiet --threads "$THREADS"
    cat "$tmp/m1" >>"$tmp/store"
    if [ -n "$O" ]; then
      measure "$tmp/m1" $O check "${P[@]}" --claims "$c" --history "$tmp/db0_old" -o "$tmp/f_old.jsonl" --quiet --threads "$THREADS"
      cat "$tmp/m1" >>"$tmp/old"
    fi
  done
  s=$(best "$tmp/store")
  findings=$(wc -l <"$tmp/f_store.jsonl")
  if ((N <= MEM_MAX)); then
    mem=$(best "$tmp/mem")
    if cmp -s "$tmp/f_mem.jsonl" "$tmp/f_store.jsonl"; then same="byte-identical"; else same="DIFFERENT"; fi
  else
    mem="- - - - -"
    same="(no in-memory run)"
  fi
  printf '  %-10s %8s %8s %9s %9s %9s\n' run wall_s cpu_s peak_MB anon_MB file_MB
  for x in "in-memory:$mem" "store:$s"; do
    awk -v n="${x%%:*}" -v v="${x#*:}" 'BEGIN { split(v, a, " ")
      if (a[1] == "-") printf "  %-10s %8s %8s %9s %9s %9s\n", n, "-", "-", "-", "-", "-"
      else printf "  %-10s %8.2f %8.2f %9.0f %9.0f %9.0f\n", n, a[1], a[2], a[3] / 1024, a[4] / 1024, a[5] / 1024 }'
  done
  echo "  findings: $findings, store against in-memory: $same"
  if [ -n "$O" ]; then
    o=$(best "$tmp/old")
    if cmp -s "$tmp/f_old.jsonl" "$tmp/f_store.jsonl"; then osame="byte-identical"; else osame="DIFFERENT"; fi
    awk -v s="$s" -v o="$o" -v m="${mem:-}" -v memrun="$((N <= MEM_MAX))" -v same="$osame" 'BEGIN {
      split(s, S, " "); split(o, O, " "); split(m, M, " ")
      printf "  OLD store: %.2f s wall, %.2f s CPU, peak RSS %.0f MB (anon %.0f, file %.0f); findings %s\n",
        O[1], O[2], O[3] / 1024, O[4] / 1024, O[5] / 1024, same
      printf "  this / OLD store mode: wall %.2fx, CPU %.2fx, peak RSS %.2fx\n", S[1] / O[1], S[2] / O[2], S[3] / O[3]
      if (memrun) printf "  OLD store / in-memory: CPU %.2fx\n", O[2] / M[2] }'
  fi
  if ((N <= MEM_MAX)); then
    awk -v s="$s" -v m="$mem" 'BEGIN { split(s, S, " "); split(m, M, " ")
      printf "  store / in-memory: wall %.2fx, CPU %.2fx, peak RSS %.2fx\n", S[1] / M[1], S[2] / M[2], S[3] / M[3] }'
  fi
  rows+=("$N $s $mem $w $cpu $m $bpc")
  rm -rf "$tmp/db0" "$tmp/db0_old" "$c" "$tmp"/f_*.jsonl
done

if ((!lat_done && LAT)); then
  echo
  echo "== single claims at settlement, store of 100000 claims (warm)"
  $A gen claims --n 100000 --seed 3 -o "$tmp/c.jsonl"
  $A history add "$tmp/db" --claims "$tmp/c.jsonl" "${P[@]}" --quiet
  latency "$tmp/c.jsonl" "$tmp/db"
  rm -rf "$tmp/db" "$tmp/c.jsonl"
fi

echo
echo "== summary ($THREADS thread(s); peak RSS in MB; - where not run)"
printf '%10s %9s %9s %9s %9s %10s %10s %9s %8s %12s %9s\n' claims store_s mem_s wall_x cpu_x \
  store_RSS mem_RSS store_anon ingest/s ingest_RSS B/claim
for r in "${rows[@]}"; do
  # N | store: wall cpu rss anon file | mem: wall cpu rss anon file | ingest: wall cpu rss bpc
  awk -v r="$r" 'BEGIN { split(r, a, " ")
    mem = a[7] != "-"
    ing = a[12] != "-"
    printf "%10d %9.2f %9s %9s %9s %10.0f %10s %9.0f %8s %12s %9s\n", a[1], a[2],
      mem ? sprintf("%.2f", a[7]) : "-", mem ? sprintf("%.2f", a[2] / a[7]) : "-",
      mem ? sprintf("%.2f", a[3] / a[8]) : "-", a[4] / 1024, mem ? sprintf("%.0f", a[9] / 1024) : "-",
      a[5] / 1024, ing ? sprintf("%.0f", a[1] / a[12]) : "-", ing ? sprintf("%.0f", a[14] / 1024) : "-", a[15] }'
done
