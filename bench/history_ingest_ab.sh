#!/usr/bin/env bash
# bench/history_ingest_ab.sh [N...] — `history add` ingest, this arbiter
# against another (OLD=DIR, a build directory, default /work/main/build), in
# one run: for each batch size N (default 100000 300000), plain generated
# claims (`gen claims --n N --seed 3`, ~4 KB of JSON a claim) and the full
# reference library as a pack (stdlib-rules + `gen library --seed 1`), each
# arbiter adds the batch into a new store with --threads 1, ROUNDS times
# (default 3) alternating this / old.  Prints each run's wall and CPU
# (user + sys, from /usr/bin/time), claims per CPU second, and per size
# the best (least CPU) of each and the ratios this / old; then checks that
# both stores export the same JSON Lines byte for byte (EXPORT=0 skips it).
# THIS=DIR uses the arbiter built there instead of building build-bench.
# The machine may be shared: same-run ratios are what count.  Recorded
# figures: docs/performance.md ("History store").
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]})) || sizes=(100000 300000)
ROUNDS=${ROUNDS:-3}
EXPORT=${EXPORT:-1}
OLD=${OLD:-/work/main/build}
if [ -n "${THIS:-}" ]; then
  A=$(cd "$THIS" && pwd)/arbiter
else
  bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
  A=$PWD/build-bench/arbiter
fi
O=$(cd "$OLD" && pwd)/arbiter
[ -x "$O" ] || { echo "history_ingest_ab: no arbiter in OLD=$OLD" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/history_ingest_ab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

$A gen library --seed 1 -o "$tmp/lib" >/dev/null
$A compile stdlib-rules "$tmp/lib" -o "$tmp/lib.arbpack" >/dev/null 2>&1
echo "this: $A"
echo "old:  $O"
echo "history add --threads 1 of gen claims --n N --seed 3, full reference library pack; $ROUNDS rounds alternating"

# run WHO ARBITER N DB: one ingest; prints "wall cpu"
run() {
  rm -rf "$4"
  /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$2" history add "$4" --claims "$tmp/c.jsonl" \
    --pack "$tmp/lib.arbpack" --threads 1 --quiet >/dev/null 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; exit 1; }
  awk -v who="$1" -v n="$3" '{ c = $2 + $3
    printf "  %-4s wall %6.2f s  CPU %6.2f s (user %.2f, sys %.2f)  %7.0f claims per CPU second\n",
      who, $1, c, $2, $3, n / c
    print $1, c > "/dev/stderr" }' "$tmp/time" 2>>"$tmp/$1"
}

for N in "${sizes[@]}"; do
  echo
  echo "== $N claims"
  $A gen claims --n "$N" --seed 3 -o "$tmp/c.jsonl"
  : >"$tmp/this"
  : >"$tmp/old"
  for ((r = 1; r <= ROUNDS; r++)); do
    echo " round $r"
    if ((r % 2)); then
      run this "$A" "$N" "$tmp/db_this"
      run old "$O" "$N" "$tmp/db_old"
    else
      run old "$O" "$N" "$tmp/db_old"
      run this "$A" "$N" "$tmp/db_this"
    fi
  done
  awk -v n="$N" 'FNR == 1 { f++ }
    { if (f == 1) { if (!t || $2 < tc) { tc = $2; tw = $1 }; t = 1; st += $2; sn++ }
      else { if (!o || $2 < oc) { oc = $2; ow = $1 }; o = 1; so += $2; on++ } }
    END {
      printf " best of each: this %.2f s CPU (%.0f claims per CPU second), old %.2f s CPU (%.0f)\n",
        tc, n / tc, oc, n / oc
      printf " this / old: CPU %.2fx (best), %.2fx (mean); wall %.2fx (of the best-CPU runs)\n",
        tc / oc, (st / sn) / (so / on), tw / ow }' "$tmp/this" "$tmp/old"
  for db in this old; do
    # each store read by the arbiter that wrote it (their formats may differ)
    X=$A
    [ $db = old ] && X=$O
    $X history stats "$tmp/db_$db" | awk -v who="$db" '/^size/ { sub(/^size +/, ""); print "  store (" who "): " $0 }'
  done
  if ((EXPORT)); then
    $A history export "$tmp/db_this" -o "$tmp/e_this.jsonl" >/dev/null
    $O history export "$tmp/db_old" -o "$tmp/e_old.jsonl" >/dev/null
    if cmp -s "$tmp/e_this.jsonl" "$tmp/e_old.jsonl"; then
      echo " history export: byte-identical ($(wc -l <"$tmp/e_this.jsonl") claims)"
    else
      echo " history export: DIFFERENT"
    fi
    rm -f "$tmp/e_this.jsonl" "$tmp/e_old.jsonl"
  fi
  rm -rf "$tmp/db_this" "$tmp/db_old" "$tmp/c.jsonl"
done
