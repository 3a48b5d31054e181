#!/usr/bin/env bash
# fuzz.sh — longer fuzzing than CI's: builds the fuzz configuration
# (build-fuzz/, clang, -DARB_FUZZ=ON) and runs every libFuzzer target for
# FUZZ_SECONDS (default 300) each on a copy of its kept corpus, printing per
# target the executions, coverage (cov, ft), corpus size and crashes, with a
# reproducer for each crash.  Targets may be named: bench/fuzz.sh fuzz_rules.
# To keep what a run found, merge it into the corpus by hand
# (fuzz_X -merge=1 tests/fuzz/corpus/X NEW_DIR), keeping the corpus small.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build-fuzz -DARB_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
exec bash scripts/fuzz.sh build-fuzz "${FUZZ_SECONDS:-300}" "$@"
