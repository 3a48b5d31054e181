#!/usr/bin/env bash
# profiles.sh [BUILD_DIR] [N_CLAIMS] [REPEAT] — claims/s of the same claims
# read three ways, side by side: canonical JSON Lines, national 3101
# request bodies through the stdlib profile nhsa3101, and a Chinese-header
# CSV export through his_csv_zh (the twins are written by
# bench/profiles_twins.jq from `arbiter gen claims`).  The standard library
# is compiled into a pack once; each form is checked with --threads 1,
# alternating the forms REPEAT times (default 5) since the machine is shared,
# and the median CPU time (user + sys) of each is turned into claims/s.
# Prints the figures and the ratios profile/canonical.  Defaults: build,
# 50000 claims.  BEFORE=DIR (another build, e.g. main's) is measured in the
# same rounds, for a before/after; DATA=DIR keeps the twins there and reuses
# them in a later run (the conversion with jq takes minutes).
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
cd "$(dirname "$0")/.."
build=${1:-build} n=${2:-50000} repeat=${3:-5}
arbiter=$build/arbiter
[ -x "$arbiter" ] || { echo "profiles.sh: no $arbiter (build first)" >&2; exit 2; }
command -v jq >/dev/null || { echo "profiles.sh: needs jq" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=${DATA:-$tmp}
mkdir -p "$data"
if [ ! -s "$data/export.csv" ] || [ "$(wc -l <"$data/canonical.jsonl")" -ne "$n" ]; then
  "$arbiter" gen claims --n "$n" --seed 42 -o "$data/canonical.jsonl"
  jq -c --arg form nhsa3101 -f bench/profiles_twins.jq "$data/canonical.jsonl" >"$data/requests.jsonl"
  { head -1 tests/data/his_csv_zh/export.csv
    jq -r --arg form his_csv_zh -f bench/profiles_twins.jq "$data/canonical.jsonl"; } >"$data/export.csv"
fi
builds=("$build")
[ -n "${BEFORE:-}" ] && builds=("$BEFORE" "$build")
pack() { echo "$tmp/${1//\//_}.arbpack"; } # a pack per build: a build reads its own
for b in "${builds[@]}"; do
  "$b/arbiter" compile stdlib-rules --stdlib stdlib-rules -o "$(pack "$b")" >/dev/null 2>&1
done
echo "$n claims: canonical $(du -h "$data/canonical.jsonl" | cut -f1), 3101 $(du -h "$data/requests.jsonl" | cut -f1), CSV $(du -h "$data/export.csv" | cut -f1)"
forms=(canonical nhsa3101 his_csv_zh)
args() {
  case $1 in
    canonical) echo "--claims $data/canonical.jsonl" ;;
    nhsa3101) echo "--input nhsa3101 --claims $data/requests.jsonl" ;;
    his_csv_zh) echo "--input his_csv_zh --claims $data/export.csv" ;;
  esac
}
for f in "${forms[@]}"; do
  # shellcheck disable=SC2046
  for b in "${builds[@]}"; do
    # shellcheck disable=SC2046
    "$b/arbiter" check --pack "$(pack "$b")" $(args "$f") -o /dev/null 2>"$tmp/$f.sum" || true
    grep -q "$n claims read = $n audited + 0 rejected" "$tmp/$f.sum" ||
      { echo "profiles.sh: $b, $f: not all $n claims audited:" >&2; head -3 "$tmp/$f.sum" >&2; exit 1; }
  done
done
for ((r = 0; r < repeat; r++)); do
  for b in "${builds[@]}"; do
    for f in "${forms[@]}"; do
      # shellcheck disable=SC2046
      /usr/bin/time -f "%U %S" -o "$tmp/t" "$b/arbiter" check --pack "$(pack "$b")" \
        --threads 1 --quiet $(args "$f") -o /dev/null 2>/dev/null || true
      awk '{print $1 + $2}' "$tmp/t" >>"$tmp/${b//\//_}.$f.cpu"
    done
  done
done
median() { sort -g "$1" | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
for b in "${builds[@]}"; do
  echo "$b:"
  printf '  %-12s %10s %12s %10s\n' form "cpu s" "claims/s" "ratio"
  c0=$(median "$tmp/${b//\//_}.canonical.cpu")
  for f in "${forms[@]}"; do
    c=$(median "$tmp/${b//\//_}.$f.cpu")
    awk -v f="$f" -v c="$c" -v c0="$c0" -v n="$n" \
      'BEGIN {printf "  %-12s %10.2f %12.0f %10.2f\n", f, c, (c > 0 ? n / c : 0), (c > 0 ? c0 / c : 0)}'
  done
done
echo "(median of $repeat, --threads 1; ratio: claims/s over canonical's)"
