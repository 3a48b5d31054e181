#!/usr/bin/env bash
# test.sh — the whole test suite on a fresh machine: installs what is missing,
# builds, runs every test; then builds again with AddressSanitizer and
# UndefinedBehaviorSanitizer and runs every test there too; then builds the
# libFuzzer targets (clang) and runs each for FUZZ_SECONDS (default 60) on
# its kept corpus: a crash fails the suite and prints its reproducer.
# Each stage's header says when it began; at the end, passed or not, the
# time each stage took (the suite must stay well within CI's 45 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
stages=()
stage() { # NAME: closes the stage before, opens NAME ("" opens none)
  local now=$SECONDS took
  if [ -n "${stage_name:-}" ]; then
    took=$((now - stage_start))
    stages+=("$(printf '%3d min %02d s  %s' $((took / 60)) $((took % 60)) "$stage_name")")
  fi
  stage_name=$1 stage_start=$now
  [ -z "$1" ] || echo "== $1 ($(date -u +%H:%M:%S) UTC, ${now} s in) =="
}
summary() {
  local rc=$?
  stage ""
  if [ "$rc" -eq 0 ]; then echo "== passed in $((SECONDS / 60)) min $((SECONDS % 60)) s =="
  else echo "== FAILED (exit $rc) after $((SECONDS / 60)) min $((SECONDS % 60)) s =="; fi
  printf '   %s\n' "${stages[@]}"
}
trap summary EXIT
stage "set-up"
bash scripts/setup.sh
jobs=$(nproc)

stage "build (release)"
bash scripts/build.sh build
stage "test (release)"
ctest --test-dir build --output-on-failure -j "$jobs"

stage "build (ASan + UBSan)"
bash scripts/build.sh build-asan -DARB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
stage "test (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

stage "build (libFuzzer + ASan + UBSan)"
bash scripts/build.sh build-fuzz -DARB_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
stage "fuzz (${FUZZ_SECONDS:-60} s a target, ${FUZZ_JOBS:-$(nproc)} at a time)"
bash scripts/fuzz.sh build-fuzz "${FUZZ_SECONDS:-60}"
