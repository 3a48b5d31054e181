#!/usr/bin/env bash
# update-pot.sh SRC OUT.pot — extracts the translatable messages of Arbiter
# into a template: every _("..."), N_("...") and P_("...", "...", n)
# (base/i18n.h), and the
# literal format of the functions that translate their format: diag_add
# (6th argument), the checker's err and note (3rd), cli_usage_error (2nd),
# the readers' fail and bad (JSON, 3rd), add_err (CSV, 2nd) and conv_err (input
# profiles, 3rd), the public API's engine_fail (3rd), the report's rep_fail
# (2nd), the history store's fail (3rd), failf (3rd) and pg_fail (4th, what
# failed) and the CSV claims' add_orphan (4th).  CMake runs it into the build tree (po/arbiter.pot there);
# tests/e2e/po.sh runs it to check that po/zh_CN.po translates every message.
set -euo pipefail
src=$(cd "$1" && pwd)
out=$2
cd "$src"
# the sources with messages: the checker (lang/), the compiler's
# diagnostics, the shared utilities (base/), the readers and writers
# (runtime/), the public API (api/), inline-test reports (testing/), the
# reports' errors (report/), the history store (history/), the service's
# start-up errors (server/), the command line (cli/)
files=$(ls lang/*.c lang/*.re compiler/compile.c base/*.c runtime/*.c api/*.c testing/*.c report/*.c \
  history/*.c server/*.c cli/*.c \
  2>/dev/null | sort)
# "%s" (a message already put together) is no message
exclude=$(mktemp)
trap 'rm -f "$exclude"' EXIT
printf 'msgid "%%s"\nmsgstr ""\n' >"$exclude"
# shellcheck disable=SC2086
xgettext --language=C --from-code=UTF-8 --force-po --no-location --sort-output \
  --keyword=_ --keyword=N_ --keyword=P_:1,2 --keyword=err:3 --keyword=note:3 --keyword=diag_add:6 --keyword=cli_usage_error:2 \
  --keyword=fail:3 --keyword=bad:3 --keyword=add_err:2 --keyword=conv_err:3 \
  --keyword=engine_fail:3 --keyword=rep_fail:2 --keyword=failf:3 --keyword=pg_fail:4 \
  --keyword=add_orphan:4 \
  --package-name=arbiter --msgid-bugs-address=https://example.invalid/arbiter/issues \
  --exclude-file="$exclude" -o "$out" $files
sed -i 's/charset=CHARSET/charset=UTF-8/' "$out"
