#!/usr/bin/env bash
# errors.sh ARBITER SRC — a rule file with ten different mistakes yields ten
# diagnostics at the right line:col, each with its source line and a caret,
# exit code 2, and no crash.
set -uo pipefail
arbiter=$1 src=$2
cd "$src/tests/data"
out=$("$arbiter" lint ten_errors.rules --stdlib "$src/stdlib-rules" 2>&1)
rc=$?
fail=0
[ "$rc" -eq 2 ] || { echo "exit code $rc, expected 2"; fail=1; }
got=$(printf '%s\n' "$out" | grep ': error: ' | sort)
want=$(sort ten_errors.expected)
if [ "$got" != "$want" ]; then
  echo "diagnostics differ:"; diff <(echo "$want") <(echo "$got"); fail=1
fi
# every error is followed by its source line and a caret line
carets=$(printf '%s\n' "$out" | grep -A2 ': error: ' | grep -c '^ *\^')
[ "$carets" -eq 10 ] || { echo "expected 10 carets, found $carets"; fail=1; }
printf '%s\n' "$out" | grep -q "^arbiter lint: 10 errors" || { echo "missing the count line"; fail=1; }
[ $fail -eq 0 ] && echo "1 passed, 0 failed" || { echo "$out"; echo "0 passed, 1 failed"; }
exit $fail
