#!/usr/bin/env bash
# test.sh — the whole test suite on a fresh machine: installs what is missing,
# builds, runs every test; then builds again with AddressSanitizer and
# UndefinedBehaviorSanitizer and runs every test there too; then builds the
# libFuzzer targets (clang) and runs each for FUZZ_SECONDS (default 60) on
# its kept corpus: a crash fails the suite and prints its reproducer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)

echo "== build and test (release) =="
bash scripts/build.sh build
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== build and test (ASan + UBSan) =="
bash scripts/build.sh build-asan -DARB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

echo "== fuzz (libFuzzer + ASan + UBSan, ${FUZZ_SECONDS:-60} s a target) =="
bash scripts/build.sh build-fuzz -DARB_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
bash scripts/fuzz.sh build-fuzz "${FUZZ_SECONDS:-60}"
