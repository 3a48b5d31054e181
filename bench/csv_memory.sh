#!/usr/bin/env bash
# bench/csv_memory.sh [N...] — peak RSS and time of CSV input against its
# JSON Lines twin (`gen claims --seed 3`, the same claims), with the full
# reference library (stdlib-rules + `gen library --seed 1`, as a pack), at
# each batch size N (default 100000 1000000), in three modes:
#   check   `check` with no store (the library uses history(): the batch's
#           claims are held in memory, read window by window),
#   store   `check --history DB` against an empty store (store mode),
#   add     `history add` into an empty store;
# each for JSON Lines and CSV, with this build (NEW, default build/arbiter)
# and, when BEFORE=DIR/arbiter is given (e.g. a build of main), with it
# too, alternated in one run: wall, CPU (user + sys), peak RSS, and the
# ratios NEW/BEFORE for CSV (CPU and RSS).  The findings of each run are
# compared with cmp against the first run's of the same mode (JSON Lines,
# NEW).  MODES (default "check store add") picks the modes; THREADS
# (default 1) is passed on; REPEAT (default 1) rounds alternate the builds
# and forms, and the ratios take each one's least CPU and most RSS.  Big sizes take disk: ~6 GB per million claims
# (JSON Lines and CSV), deleted at the end.  Recorded figures:
# docs/performance.md ("CSV input").
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]})) || sizes=(100000 1000000)
NEW=${NEW:-$PWD/build/arbiter}
BEFORE=${BEFORE:-}
MODES=${MODES:-check store add}
THREADS=${THREADS:-1}
REPEAT=${REPEAT:-1}
[ -x "$NEW" ] || { echo "csv_memory.sh: no $NEW (build first)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csv_memory.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$NEW" gen library --seed 1 -o "$tmp/lib" >/dev/null
builds=(NEW)
[ -n "$BEFORE" ] && builds=(BEFORE NEW)
bin() { if [ "$1" = NEW ]; then echo "$NEW"; else echo "$BEFORE"; fi; }
for b in "${builds[@]}"; do # a pack per build: each reads its own
  "$(bin "$b")" compile stdlib-rules "$tmp/lib" --stdlib stdlib-rules -o "$tmp/$b.arbpack" >/dev/null 2>&1
done
# run BUILD MODE FORM N: prints "wall cpu rss_mb"
run() {
  local b=$1 mode=$2 form=$3 n=$4 a claims
  a=$(bin "$b")
  claims=$tmp/c$n.jsonl
  [ "$form" = csv ] && claims=$tmp/c$n/claims.csv
  rm -rf "$tmp/db"
  local args=(check --pack "$tmp/$b.arbpack" --claims "$claims" --threads "$THREADS" -o "$tmp/out.jsonl")
  case $mode in
    store)
      "$a" history init "$tmp/db" --pack "$tmp/$b.arbpack" >/dev/null 2>&1
      args+=(--history "$tmp/db") ;;
    add)
      args=(history add "$tmp/db" --claims "$claims" --pack "$tmp/$b.arbpack" --threads "$THREADS") ;;
  esac
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$a" "${args[@]}" >"$tmp/log" 2>&1 ||
    { echo "csv_memory.sh: $b $mode $form failed:" >&2; tail -3 "$tmp/log" >&2; exit 1; }
  if [ "$mode" = add ]; then
    "$a" history export "$tmp/db" -o "$tmp/out.jsonl" >/dev/null 2>&1
  fi
  read -r w u s m <"$tmp/time"
  awk -v w="$w" -v u="$u" -v s="$s" -v m="$m" 'BEGIN { printf "%.2f %.2f %.0f\n", w, u + s, m / 1024 }'
}
echo "threads $THREADS; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${sizes[@]}"; do
  "$NEW" gen claims --n "$n" --seed 3 -o "$tmp/c$n.jsonl"
  mkdir -p "$tmp/c$n" && "$NEW" gen claims --n "$n" --seed 3 --format csv -o "$tmp/c$n"
  echo
  echo "$n claims: JSON Lines $(du -m "$tmp/c$n.jsonl" | cut -f1) MB, CSV $(du -cm "$tmp/c$n"/*.csv | tail -1 | cut -f1) MB"
  printf '%-6s %-7s %-5s %8s %8s %8s\n' mode build form wall_s cpu_s rss_MB
  for mode in $MODES; do
    declare -A cpu=() rss=()
    ref=""
    for r in $(seq "$REPEAT"); do
    for form in jsonl csv; do
      for b in "${builds[@]}"; do
        read -r w c m < <(run "$b" "$mode" "$form" "$n")
        # the least CPU of the rounds, the most RSS
        if [ -z "${cpu[$b.$form]:-}" ] || awk -v a="$c" -v b="${cpu[$b.$form]}" 'BEGIN { exit !(a < b) }'; then
          cpu[$b.$form]=$c
        fi
        [ -z "${rss[$b.$form]:-}" ] || [ "$m" -gt "${rss[$b.$form]}" ] && rss[$b.$form]=$m
        same=""
        if [ -z "$ref" ]; then
          cp "$tmp/out.jsonl" "$tmp/ref.jsonl"
          ref=1
        else
          cmp -s "$tmp/ref.jsonl" "$tmp/out.jsonl" && same="same output" || same="OUTPUT DIFFERS"
        fi
        printf '%-6s %-7s %-5s %8s %8s %8s  %s\n' "$mode" "$b" "$form" "$w" "$c" "$m" "$same"
      done
    done
    done
    if [ -n "$BEFORE" ]; then
      awk -v m="$mode" -v c1="${cpu[NEW.csv]}" -v c0="${cpu[BEFORE.csv]}" -v r1="${rss[NEW.csv]}" \
        -v r0="${rss[BEFORE.csv]}" -v j="${rss[NEW.jsonl]}" 'BEGIN {
        printf "%-6s CSV NEW/BEFORE: cpu %.2f, rss %.2f; CSV/JSON Lines rss (NEW) %.2f\n",
          m, c1 / c0, r1 / r0, r1 / j }'
    fi
  done
  rm -rf "$tmp/c$n" "$tmp/c$n.jsonl"
done
