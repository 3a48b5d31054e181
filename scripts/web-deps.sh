#!/usr/bin/env bash
# web-deps.sh [DIR] — installs the report's front-end and test tools from the
# npm registry into a cache directory outside git (default
# $ARB_WEB_CACHE, else ~/.cache/arbiter-web): Apache ECharts, whose
# echarts.min.js the build embeds into the `arbiter report` HTML (charts work
# offline, nothing is fetched at view time), and playwright-core, with which
# tests/e2e/report_browser.sh drives Debian's chromium.  Called by setup.sh;
# safe to run again (does nothing when the pinned versions are there).
set -euo pipefail
dir=${1:-${ARB_WEB_CACHE:-$HOME/.cache/arbiter-web}}
echarts=5.6.0 playwright=1.49.1
mkdir -p "$dir"
have() { [ -f "$dir/node_modules/$1/package.json" ] &&
  grep -q "\"version\": \"$2\"" "$dir/node_modules/$1/package.json"; }
if have echarts $echarts && have playwright-core $playwright; then exit 0; fi
[ -f "$dir/package.json" ] || echo '{"name":"arbiter-web-deps","private":true}' >"$dir/package.json"
(cd "$dir" && npm install --no-audit --no-fund --silent "echarts@$echarts" "playwright-core@$playwright")
echo "web-deps: echarts $echarts and playwright-core $playwright in $dir"
