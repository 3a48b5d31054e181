#!/usr/bin/env bash
# ci.sh — the job a rule library's CI runs on every change: check the rules
# (arbiter lint), run them over the golden sets and compare with the expected
# findings (arbiter test, JUnit report for the CI to show), and, when the
# rules before the change are at hand, print the change's impact
# (arbiter diff).  See docs/testing.md.
#
# This directory is laid out like such a repository:
#   rules/*.rules    the rules (they read tables/*.csv)
#   golden/          a golden set: claims.jsonl + expected.jsonl
#                    (a library with several sets keeps one directory each
#                    and sets GOLDEN="golden/*/")
#
# Environment (all optional):
#   ARBITER      the arbiter command (default: arbiter on PATH, else this
#                repository's build/arbiter)
#   RULES        the rules directory (default: rules/ beside this script)
#   GOLDEN       golden set directories, space-separated, globs allowed
#                (default: golden/ beside this script)
#   REPORT       the JUnit file to write (default: report.xml)
#   BASE_RULES   the rules before the change (e.g. a checkout of the target
#                branch): then the impact over the golden claims is printed
#
# Exit codes: 0 all good; 1 the findings differ from the golden sets (a
# regression, or an intended change whose expected.jsonl was not updated);
# 2 the rules have errors; 3 golden claims unreadable.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${ARBITER:-}" ]; then
  if command -v arbiter >/dev/null; then ARBITER=arbiter; else ARBITER=$here/../build/arbiter; fi
fi
rules=${RULES:-$here/rules}
report=${REPORT:-report.xml}
# shellcheck disable=SC2206  # GOLDEN is a list with globs
golden=(${GOLDEN:-$here/golden})

echo "== lint"
"$ARBITER" lint "$rules"/*.rules || exit $?

echo "== golden sets"
"$ARBITER" test "$rules"/*.rules --golden "${golden[@]}" --junit "$report"
rc=$?
if [ $rc -eq 1 ]; then
  echo
  echo "The findings differ from the golden sets (report above; JUnit in $report)."
  echo "If the change is intended, update the expected findings and commit them:"
  echo "  arbiter test $rules/*.rules --golden ${golden[*]} --update"
fi

if [ -n "${BASE_RULES:-}" ] && [ ! -e "$BASE_RULES" ]; then
  echo "== no impact report: BASE_RULES $BASE_RULES does not exist"
elif [ -n "${BASE_RULES:-}" ]; then
  echo "== impact of the change over the golden claims"
  for set in "${golden[@]}"; do
    for claims in "$set/claims.jsonl" "$set/claims/claims.csv" "$set/claims.csv"; do
      [ -f "$claims" ] || continue
      "$ARBITER" diff "$BASE_RULES" "$rules" --claims "$claims"
      d=$?
      [ $d -le 1 ] || rc=$d # 1 only says the findings change: test decides
      break
    done
  done
fi
exit $rc
