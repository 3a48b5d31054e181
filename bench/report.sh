#!/usr/bin/env bash
# report.sh ARBITER [N_FINDINGS] — times `arbiter report` over N findings
# (default 1,000,000) and the claims they came from (N/4 claims of 4 lines,
# each line flagged once; 500 doctors in 20 departments and 50 facilities,
# settle dates over 2025), written here with awk, and shows the peak memory
# (GNU time): the report's memory follows the groups, not the findings.
set -euo pipefail
arbiter=$1 n=${2:-1000000}
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
mkdir "$tmp/csv"
/usr/bin/time -f "report: %e s, peak %M KB" "$arbiter" report "$tmp/f.jsonl" --claims "$tmp/claims.jsonl" \
  -o "$tmp/r.html" --csv "$tmp/csv" --quiet
echo "HTML $(du -h "$tmp/r.html" | cut -f1)"
