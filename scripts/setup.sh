#!/usr/bin/env bash
# setup.sh — installs what Arbiter needs to build and test on Debian 12, if
# it is missing.  Safe to run again; does nothing when all is there.
set -euo pipefail

# clang and libclang-rt-dev (libFuzzer, the sanitizers' runtimes) build the fuzz targets;
# libmicrohttpd and libssl (the x-tif signature) for arbiter serve; curl and wrk
# for its tests; h2o, civetweb and libevent for bench/http_libs.sh; g++ and
# libre2-dev for regular expressions (runtime/regex.cc); pandoc makes the man
# pages, dpkg-dev (dpkg-shlibdeps) the Debian package's dependencies; libpq-dev
# builds the history store's PostgreSQL backend, postgresql and nginx run its
# tests (and the service's behind a proxy); python3-cffi is what the Python
# package binds libarbiter.so with (ABI mode: no compiler), python3-pytest
# runs its tests, python3-distributed (Dask) runs the post-audit on a cluster
# (python/arbiter/dask.py);
# gettext (xgettext, msgfmt) makes the
# Chinese message catalog (po/)
packages=(build-essential cmake ninja-build pkg-config re2c lemon libcmocka-dev liblua5.4-dev liblmdb-dev libjson-c-dev llvm-19-dev python3
  clang libclang-rt-dev
  libmicrohttpd-dev libssl-dev curl wrk
  libh2o-evloop-dev libcivetweb-dev libevent-dev
  g++ libre2-dev pandoc dpkg-dev
  libpq-dev postgresql nginx
  python3-cffi python3-pytest python3-distributed
  gettext
  chromium fonts-noto-cjk jq libxlsxwriter-dev sqlite3 time)
# (node and npm, below:) install Apache ECharts (inlined into `arbiter report`) and
#   playwright-core (drives the browser test) from the npm registry, below;
# chromium: the headless browser tests/e2e/report_browser.sh opens reports in;
# fonts-noto-cjk: Chinese glyphs for that browser's screenshots;
# jq: the e2e tests recompute report totals from findings files with it;
# libxlsxwriter-dev: the Excel workbooks of `arbiter report --xlsx`;
# sqlite3: the independent SQL oracle of tests/e2e/sql_oracle.sh;
# time: /usr/bin/time, peak memory in tests/e2e/history_memory.sh and the benchmarks
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm: the editor support's build (editors/vscode/build.sh: the .vsix
# with @vscode/vsce) and test (vscode-textmate, tests/e2e/editors.sh) install
# their npm packages into a cache outside the tree.  Only when no node is
# installed already (a newer one from elsewhere is kept; @vscode/vsce needs
# Node 20, so on Debian 12's Node 18 the .vsix cannot be built, and the test
# still runs).
if ! command -v npm >/dev/null; then
  for p in nodejs npm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# the report's front-end and test tools from npm, into a cache outside git
# (~/.cache/arbiter-web, or $ARB_WEB_CACHE); CMake embeds echarts.min.js
bash "$(dirname "$0")/web-deps.sh"
