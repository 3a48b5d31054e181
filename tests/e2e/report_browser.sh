#!/usr/bin/env bash
# report_browser.sh ARBITER SRC — a report made from the example library's
# findings, opened in a real headless Chromium (Debian's chromium driven by
# playwright-core, both installed by scripts/setup.sh): no console errors,
# every chart drew, the totals shown equal the findings file's (recomputed
# here with jq), a drill-down works; the screenshot goes to
# report_browser/report.png in the directory ctest runs tests in
# (ARB_E2E_ARTIFACTS, set by tests/run_e2e.sh).  Skips (77) without
# chromium, node or playwright-core.
set -uo pipefail
arbiter=$1 src=$2
cache=${ARB_WEB_CACHE:-$HOME/.cache/arbiter-web}
if ! command -v node >/dev/null || ! [ -x /usr/bin/chromium ] || ! [ -d "$cache/node_modules/playwright-core" ]; then
  echo "skip: chromium, node or playwright-core missing (scripts/setup.sh installs them)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=${ARB_E2E_ARTIFACTS:-$tmp}/report_browser
"$arbiter" gen claims --n 2000 --seed 2025 -o "$tmp/claims.jsonl"
"$arbiter" check "$src"/examples/rules/*.rules --claims "$tmp/claims.jsonl" -o "$tmp/f.jsonl" --quiet \
  --stdlib "$src/stdlib-rules" || { echo "FAIL: check exit $?"; exit 1; }
"$arbiter" report "$tmp/f.jsonl" --claims "$tmp/claims.jsonl" -o "$tmp/report.html" --quiet ||
  { echo "FAIL: report exit $?"; exit 1; }
# the totals, independently of the report: from the findings and claims files
jq -n --slurpfile f "$tmp/f.jsonl" --slurpfile c "$tmp/claims.jsonl" '{
  claims: ($c | length), claimed: ($c | map(.total_amount | tonumber) | add),
  findings: ($f | length), flagged: ($f | map(.claim_id) | unique | length),
  at_risk: ($f | map(.at_risk | tonumber) | add)}' >"$tmp/expect.json"
[ "$(jq .findings "$tmp/expect.json")" -gt 50 ] || { echo "FAIL: too few findings to test"; exit 1; }
node "$src/tests/e2e/report/browser.js" "$tmp/report.html" "$out" "$tmp/expect.json"
rc=$?
[ -s "$out/report.png" ] || { echo "FAIL: no screenshot"; rc=1; }
exit $rc
