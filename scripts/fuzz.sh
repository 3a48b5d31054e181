#!/usr/bin/env bash
# fuzz.sh BUILD_DIR [SECONDS] [TARGET...] — runs the libFuzzer targets of a
# fuzz build (-DARB_FUZZ=ON, tests/fuzz/) for SECONDS each (default
# $FUZZ_SECONDS, else 60), every one on a copy of its kept corpus
# (tests/fuzz/corpus/NAME/) in a temporary directory: nothing is written
# into the tree.  TARGET names (fuzz_rules, ...) pick targets; default all.
# Prints per target the executions, coverage (cov: edges, ft: features),
# corpus size and crashes; for a crash, leak, timeout (-timeout=10) or
# out-of-memory (-rss_limit_mb=2048), the input as base64 and the command
# that reruns it.  Exits 1 when any target failed.
# Targets run FUZZ_JOBS at a time (default: the number of cores), each on
# one core for its SECONDS; the report is printed in the targets' order.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: fuzz.sh BUILD_DIR [SECONDS] [TARGET...]}
seconds=${2:-${FUZZ_SECONDS:-60}}
shift $(($# >= 2 ? 2 : 1))
targets=("$@")
if ((${#targets[@]} == 0)); then
  for t in tests/fuzz/fuzz_*.c; do
    t=$(basename "$t" .c)
    [ "$t" = fuzz_common ] || targets+=("$t")
  done
fi

dict_of() {
  case $1 in
    fuzz_rules) echo tests/fuzz/dict/rules.dict ;;
    fuzz_claim_json | fuzz_nhsa | fuzz_profile_json) echo tests/fuzz/dict/json.dict ;;
    fuzz_csv_claims | fuzz_table | fuzz_profile_csv) echo tests/fuzz/dict/csv.dict ;;
  esac
}

work=$(mktemp -d /tmp/arb_fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
jobs=${FUZZ_JOBS:-$(nproc)}

# fuzz_one TARGET: runs it; its table row and, on failure, what to rerun
# go to $work/NAME/report, and "ok" to $work/NAME/passed when it passed
fuzz_one() {
  local t=$1 bin=$build/tests/fuzz/$1 name=${1#fuzz_}
  local report=$work/$name/report
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  if [ ! -x "$bin" ]; then
    echo "fuzz: $bin is missing (build with -DARB_FUZZ=ON)" >"$report"
    return 1
  fi
  cp -r "tests/fuzz/corpus/$name/." "$work/$name/corpus/"
  local seeds args dict log rc execs last cov ft corpus found f
  seeds=$(find "$work/$name/corpus" -type f | wc -l)
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$work/$name/artifacts/")
  dict=$(dict_of "$t")
  [ -n "$dict" ] && args+=(-dict="$dict")
  log=$work/$name/log
  ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" "${args[@]}" "$work/$name/corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(find "$work/$name/corpus" -type f | wc -l)
  mapfile -t found < <(find "$work/$name/artifacts" -type f \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  {
    printf '%-18s %10s %8s %8s %8s %8s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
      "$seeds -> $corpus" "${#found[@]}"
    if ((rc != 0 || ${#found[@]} > 0)); then
      echo "---- $t failed (exit $rc); the end of its log:"
      grep -v -E '^#[0-9]+|^INFO: ' "$log" | tail -60
      for f in "${found[@]}"; do
        echo "---- reproducer $(basename "$f") ($(wc -c <"$f") bytes); to rerun it:"
        echo "  base64 -d >/tmp/$(basename "$f") <<'B64'"
        base64 -w 76 "$f" | sed 's/^/  /'
        echo "  B64"
        echo "  $bin /tmp/$(basename "$f")"
      done
    fi
  } >"$report"
  if ((rc == 0 && ${#found[@]} == 0)); then echo ok >"$work/$name/passed"; fi
}

running=0
for t in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait
failed=0
printf '%-18s %10s %8s %8s %8s %8s\n' target execs cov ft corpus crashes
for t in "${targets[@]}"; do
  report=$work/${t#fuzz_}/report
  if [ -s "$report" ]; then cat "$report"; else echo "$t: no report (the run died)"; fi
  [ -f "$work/${t#fuzz_}/passed" ] || failed=1
done
exit $failed
