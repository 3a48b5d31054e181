#!/usr/bin/env bash
# bench/store_engines.sh [N] — the engine candidates for the per-person claim
# history store (LMDB, SQLite, RocksDB, as Debian 12 ships them) measured
# side by side in one run over N generated claims (default 100,000): ingest
# rate, point read of one person's year (p50, p99, reads/s), size on disk,
# and each engine's crash safety with the settings used.  The workload is
# described in bench/store_engines.c; recorded figures and the choice are in
# docs/architecture.md ("The history store engine").  The benchmark is built
# here, not by CMake, so the main build does not need SQLite or RocksDB.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
bash scripts/setup.sh
packages=(liblmdb-dev libsqlite3-dev librocksdb-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "store_engines: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -x build/arbiter ] || bash scripts/build.sh build >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build/arbiter gen claims --n "$n" --seed 3 -o "$tmp/claims.jsonl"
cc -O2 -std=c11 -Wall -Wextra -o "$tmp/store_engines" bench/store_engines.c -llmdb -lsqlite3 -lrocksdb
versions=$(dpkg-query -W -f='${Package} ${Version}, ' "${packages[@]}")
echo "engines: ${versions%, }"
echo "stores in $tmp: $(df --output=fstype,source "$tmp" | tail -1 | xargs), $(nproc) cores"
"$tmp/store_engines" "$tmp/claims.jsonl" "$tmp/stores" 100000
