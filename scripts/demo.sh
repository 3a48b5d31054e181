#!/usr/bin/env bash
# demo.sh — the main job on a fresh machine: installs what is missing, builds,
# and audits the bundled sample claims with the example rule library.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build
mkdir -p out
set +e
build/arbiter check examples/rules/*.rules --claims examples/claims/claims.csv \
  -o out/findings.jsonl --rejects out/rejects.jsonl
rc=$?
set -e
echo "findings written to out/findings.jsonl (exit code $rc)"
exit $rc
