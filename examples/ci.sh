#!/usr/bin/env bash
# ci.sh — the job a rule library's CI runs on every change: check the rules
# (arbiter lint) and their layout (arbiter fmt --check), run their inline tests and run them over the golden sets
# and compare with the expected findings (arbiter test, JUnit report for the
# CI to show), and, when the
# rules before the change are at hand, print the change's impact
# (arbiter diff).  See docs/testing.md.
#
# This directory is laid out like such a repository:
#   rules/*.rules    the rules (they read tables/*.csv) and their inline
#                    tests (test "..." { claim {...} expect ... })
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
#   COVERAGE     when 1: list the rules no inline test or golden set
#                exercises, and fail (exit 1) when there are any
#
# Exit codes: 0 all good; 1 a rule file is not in the canonical layout (run
# arbiter fmt on it), an inline test fails, or the findings differ
# from the golden sets (a regression, or an intended change whose
# expected.jsonl was not updated), or (COVERAGE=1) a rule is not exercised;
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

echo "== layout"
if ! "$ARBITER" fmt --check "$rules"/*.rules; then
  echo "These files are not in the canonical layout: run 'arbiter fmt' on them"
  echo "(or see the changes with 'arbiter fmt --diff')."
  exit 1
fi

echo "== inline tests and golden sets"
coverage=()
[ "${COVERAGE:-0}" = 1 ] && coverage=(--coverage)
"$ARBITER" test "$rules"/*.rules --golden "${golden[@]}" --junit "$report" "${coverage[@]}"
rc=$?
if [ $rc -eq 1 ]; then
  echo
  echo "An inline test failed, or the findings differ from the golden sets (report"
  echo "above; JUnit in $report). Fix the rules or the test; if a change of the"
  echo "golden findings is intended, update the expected findings and commit them:"
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
