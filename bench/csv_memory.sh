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
# and forms, and the ratios take each one's least CPU and most RSS.
# FORMS (default "jsonl csv") picks the forms; "his" is a CSV export read
# through the input profile his_csv_zh (`check --input his_csv_zh`): N/10
# claims (`gen claims --seed 3`, written by bench/profiles_twins.jq, which
# is slow) ten times over with their claim and person ids renamed, so N
# claims; its findings are compared with its own first run's.  Big sizes
# take disk: ~6 GB per million claims (JSON Lines and CSV), deleted at the
# end.  Recorded figures: docs/performance.md ("CSV input").
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
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
FORMS=${FORMS:-jsonl csv}
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
  local prof=()
  [ "$form" = csv ] && claims=$tmp/c$n/claims.csv
  [ "$form" = his ] && claims=$tmp/his$n.csv prof=(--input his_csv_zh)
  rm -rf "$tmp/db"
  local args=(check --pack "$tmp/$b.arbpack" --claims "$claims" --threads "$THREADS" -o "$tmp/out.jsonl" "${prof[@]}")
  case $mode in
    store)
      "$a" history init "$tmp/db" --pack "$tmp/$b.arbpack" >/dev/null 2>&1
      args+=(--history "$tmp/db") ;;
    add)
      args=(history add "$tmp/db" --claims "$claims" --pack "$tmp/$b.arbpack" --threads "$THREADS" "${prof[@]}") ;;
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
  his=""
  if [[ " $FORMS " == *" his "* ]]; then
    "$NEW" gen claims --n $((n / 10)) --seed 3 -o "$tmp/h.jsonl"
    { head -1 tests/data/his_csv_zh/export.csv
      jq -r --arg form his_csv_zh -f bench/profiles_twins.jq "$tmp/h.jsonl"; } >"$tmp/h.csv"
    { head -1 "$tmp/h.csv"
      for r in 0 1 2 3 4 5 6 7 8 9; do
        tail -n +2 "$tmp/h.csv" | sed "s/^\([^,]*\),\([^,]*\),/\1r$r,\2r$r,/"
      done; } >"$tmp/his$n.csv"
    rm -f "$tmp/h.jsonl" "$tmp/h.csv"
    his=", his_csv_zh CSV $(du -m "$tmp/his$n.csv" | cut -f1) MB"
  fi
  echo
  echo "$n claims: JSON Lines $(du -m "$tmp/c$n.jsonl" | cut -f1) MB, CSV $(du -cm "$tmp/c$n"/*.csv | tail -1 | cut -f1) MB$his"
  printf '%-6s %-7s %-5s %8s %8s %8s\n' mode build form wall_s cpu_s rss_MB
  for mode in $MODES; do
    declare -A cpu=() rss=() ref=()
    for r in $(seq "$REPEAT"); do
    for form in $FORMS; do
      for b in "${builds[@]}"; do
        read -r w c m < <(run "$b" "$mode" "$form" "$n")
        # the least CPU of the rounds, the most RSS
        if [ -z "${cpu[$b.$form]:-}" ] || awk -v a="$c" -v b="${cpu[$b.$form]}" 'BEGIN { exit !(a < b) }'; then
          cpu[$b.$form]=$c
        fi
        [ -z "${rss[$b.$form]:-}" ] || [ "$m" -gt "${rss[$b.$form]}" ] && rss[$b.$form]=$m
        same=""
        rf=jsonl # the reference: the first run of JSON Lines (his: of his)
        [ "$form" = his ] && rf=his
        if [ -z "${ref[$rf]:-}" ]; then
          cp "$tmp/out.jsonl" "$tmp/ref.$rf.jsonl"
          ref[$rf]=1
        else
          cmp -s "$tmp/ref.$rf.jsonl" "$tmp/out.jsonl" && same="same output" || same="OUTPUT DIFFERS"
        fi
        printf '%-6s %-7s %-5s %8s %8s %8s  %s\n' "$mode" "$b" "$form" "$w" "$c" "$m" "$same"
      done
    done
    done
    for form in $FORMS; do
      [ -n "$BEFORE" ] && [ "$form" != jsonl ] || continue
      awk -v m="$mode" -v f="$form" -v c1="${cpu[NEW.$form]}" -v c0="${cpu[BEFORE.$form]}" \
        -v r1="${rss[NEW.$form]}" -v r0="${rss[BEFORE.$form]}" -v j="${rss[NEW.jsonl]:-0}" 'BEGIN {
        printf "%-6s %s NEW/BEFORE: cpu %.2f, rss %.2f", m, f, c1 / c0, r1 / r0
        if (j > 0) printf "; %s/JSON Lines rss (NEW) %.2f", f, r1 / j
        printf "\n" }'
    done
  done
  rm -rf "$tmp/c$n" "$tmp/c$n.jsonl" "$tmp/his$n.csv"
done
