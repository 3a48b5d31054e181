#!/usr/bin/env bash
# reports_doc.sh ARBITER SRC — the ```sh examples of docs/reports.md run as
# written (in a scratch directory holding examples/, with `arbiter` on PATH)
# and succeed; the report's summary line has the shape the page shows, and
# the files they name are written.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" && ln -s "$arbiter" "$tmp/bin/arbiter" && ln -s "$src/examples" "$tmp/examples"
ln -s "$src/tests" "$tmp/tests"
export PATH="$tmp/bin:$PATH"
cd "$tmp" || exit 1
python3 - "$src/docs/reports.md" <<'PY' >blocks.sh
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
print("set -e")
for b in blocks:
    print(b)
PY
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
[ "$(grep -c '^arbiter' blocks.sh)" -ge 4 ] && ok || bad "too few examples in docs/reports.md"
bash blocks.sh 2>err && ok || { bad "the examples failed:"; cat err; }
grep -Eq '^report: 2000 claims audited, [0-9]+ flagged; [0-9]+ findings; claimed [0-9.]+, at risk [0-9.]+; [0-9]+ doctors reached a ledger step$' err &&
  ok || bad "summary line: $(cat err)"
# the figures on the page are those of the example
line=$(grep '^report: ' err | head -1)
grep -qF "$line" "$src/docs/reports.md" && ok || bad "docs/reports.md shows another summary than: $line"
# the history store's example: its lines as the page shows them
for l in "$(grep '^history: ' err)" "$(grep -B2 '^history: ' err | grep '^report: ')"; do
  [ -n "$l" ] && grep -qF "$l" "$src/docs/reports.md" && ok || bad "docs/reports.md does not show: '$l'"
done
for f in report.html report-2025Q3.html findings.csv tables/by_dept.csv tables/ledger.csv tables/grades.csv \
  tables/worklist_3_督办.csv report-store.html tables-store/by_dept.csv report-3101.html report-gb.html \
  tables-csv/by_dept.csv; do
  [ -s "$f" ] && ok || bad "$f not written"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
