#!/usr/bin/env bash
# report.sh ARBITER [N_FINDINGS] — times `arbiter report` over N findings
# (default 1,000,000) and the claims they came from (N/4 claims of 4 lines,
# each line flagged once; 500 doctors in 20 departments and 50 facilities,
# settle dates over 2025), written here with awk, and shows the peak memory
# (GNU time): the report's memory follows the groups, not the findings.
# More binaries after N (e.g. a build before a change) are timed on the same
# data in the same run, alternating, REPEAT times each (default 1), and their
# HTML, CSV and xlsx outputs (of one more run each, with --xlsx) compared
# with the first's.  HISTORY=1: the claims are also added to a history store
# (arbiter history add, not timed) and the report over the store (--history)
# is timed against the one over the claims file, outputs compared.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [ $# -lt 1 ]; then
  echo "usage: bench/report.sh ARBITER [N_FINDINGS] [ARBITER...] (--help says more)" >&2
  exit 2
fi
arbiter=$1 n=${2:-1000000}
others=("${@:3}")
repeat=${REPEAT:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
claims=$((n / 4))
awk -v n="$claims" -v cf="$tmp/claims.jsonl" -v ff="$tmp/f.jsonl" 'BEGIN {
  for (i = 0; i < n; i++) {
    dept = "科室" (i % 20); doc = "D" (i % 500); fac = "H" (i % 50);
    m = 1 + (i % 12); d = 1 + (i % 28);
    date = sprintf("2025-%02d-%02d", m, d);
    lines = "";
    for (l = 1; l <= 4; l++)
      lines = lines (l > 1 ? "," : "") sprintf("{\"line_no\":%d,\"item_code\":\"X%04d\",\"item_kind\":\"drug\",\"item_name\":\"药%d\",\"amount\":\"25.00\"}", l, (i * 7 + l) % 3000, l);
    printf "{\"claim_id\":\"C%d\",\"person_id\":\"P%d\",\"care_type\":\"outpatient\",\"dept\":\"%s\",\"doctor\":\"%s\",\"facility_id\":\"%s\",\"settle_time\":\"%sT10:00:00\",\"total_amount\":\"100.00\",\"lines\":[%s]}\n", i, i % 100000, dept, doc, fac, date, lines > cf;
    for (l = 1; l <= 4; l++)
      printf "{\"claim_id\":\"C%d\",\"rule\":\"R.%d\",\"category\":\"CAT%d\",\"category_code\":\"\",\"severity\":\"%s\",\"nature\":\"%s\",\"points\":1,\"line_no\":%d,\"amount\":\"25.00\",\"message\":\"m\",\"finding_id\":\"%032d\",\"category_title\":\"类别%d\",\"tier\":\"policy\",\"person_id\":\"P%d\",\"facility_id\":\"%s\",\"dept\":\"%s\",\"doctor\":\"%s\",\"settle_date\":\"%s\",\"at_risk\":\"25.00\"}\n", i, l + (i % 40), (l + i) % 30, (l == 1 ? "high" : "medium"), (l % 2 ? "definite" : "suspicious"), l, i * 4 + l, (l + i) % 30, i % 100000, fac, dept, doc, date > ff;
  }
}'
echo "$(wc -l <"$tmp/f.jsonl") findings ($(du -h "$tmp/f.jsonl" | cut -f1)), $claims claims ($(du -h "$tmp/claims.jsonl" | cut -f1))"
run() { # run BINARY TAG [--xlsx FILE]
  rm -rf "$tmp/csv$2" && mkdir "$tmp/csv$2"
  /usr/bin/time -f "$1 report: %e s (user %U s), peak %M KB" "$1" report "$tmp/f.jsonl" --claims "$tmp/claims.jsonl" \
    -o "$tmp/r$2.html" --csv "$tmp/csv$2" --quiet "${@:3}" 2>&1
}
for ((k = 0; k < repeat; k++)); do
  run "$arbiter" 0
  for i in "${!others[@]}"; do run "${others[$i]}" $((i + 1)); done
done
echo "HTML $(du -h "$tmp/r0.html" | cut -f1)"
((${#others[@]})) && run "$arbiter" 0 --xlsx "$tmp/r0.xlsx" >/dev/null
for i in "${!others[@]}"; do
  t=$((i + 1))
  run "${others[$i]}" $t --xlsx "$tmp/r$t.xlsx" >/dev/null
  # the workbook's metadata holds its creation time: compare the sheets
  mkdir -p "$tmp/x0" "$tmp/x$t"
  (cd "$tmp/x0" && unzip -qo ../r0.xlsx 'xl/worksheets/*' 'xl/sharedStrings.xml' 2>/dev/null || true)
  (cd "$tmp/x$t" && unzip -qo "../r$t.xlsx" 'xl/worksheets/*' 'xl/sharedStrings.xml' 2>/dev/null || true)
  if cmp -s "$tmp/r0.html" "$tmp/r$t.html" && diff -r "$tmp/csv0" "$tmp/csv$t" >/dev/null &&
    diff -r "$tmp/x0" "$tmp/x$t" >/dev/null; then
    echo "${others[$i]}: HTML, CSV and xlsx sheets identical to $arbiter's"
  else
    echo "${others[$i]}: OUTPUTS DIFFER from $arbiter's"
  fi
done
if [ "${HISTORY:-0}" = 1 ]; then
  "$arbiter" history add "$tmp/store" --claims "$tmp/claims.jsonl" >/dev/null 2>&1
  : >"$tmp/none.jsonl" # --history brings the store's (no) 3103 answers
  hrun() { # hrun TAG ARGS...: the report over the claims file or the store
    rm -rf "$tmp/h$1" && mkdir "$tmp/h$1"
    /usr/bin/time -f "$arbiter report ${*:2}: %e s (user %U s), peak %M KB" "$arbiter" report "$tmp/f.jsonl" \
      -o "$tmp/h$1/r.html" --csv "$tmp/h$1" --quiet "${@:2}" 2>&1 | sed "s|$tmp/||g"
  }
  for ((k = 0; k < repeat; k++)); do
    hrun c --claims "$tmp/claims.jsonl" --feedback "$tmp/none.jsonl"
    hrun s --history "$tmp/store"
  done
  if diff -r "$tmp/hc" "$tmp/hs" >/dev/null; then
    echo "--history: HTML and CSV identical to --claims'"
  else
    echo "--history: OUTPUTS DIFFER from --claims'"
  fi
fi
