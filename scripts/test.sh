#!/usr/bin/env bash
# test.sh — the whole test suite on a fresh machine: installs what is missing,
# builds, runs every test; then builds again with AddressSanitizer and
# UndefinedBehaviorSanitizer and runs every test there too.
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
