#!/usr/bin/env bash
# make_seeds.sh BUILD_DIR — (re)writes the kept seed corpora of the fuzz
# targets, tests/fuzz/corpus/TARGET/, from examples/, stdlib-rules/,
# tests/data and the docs; BUILD_DIR is a fuzz build (-DARB_FUZZ=ON), whose
# make_seeds makes the rule packs and history records.  The corpora are kept
# small: a few files per kind of input, none over 8 KB (packs: 32 KB).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: make_seeds.sh BUILD_DIR}
seeds=$build/tests/fuzz/make_seeds
out=tests/fuzz/corpus
rm -rf "$out"
mkdir -p "$out"/{rules,claim_json,csv_claims,table,pack,hcodec,nhsa,profile_csv}

# rules: fuzz_rules names its input stdlib-rules/fuzz.rules, so table paths
# are rewritten to be relative to stdlib-rules/
for f in examples/rules/*.rules; do
  sed 's|"\.\./tables/|"../examples/tables/|' "$f" >"$out/rules/examples_$(basename "$f")"
done
for f in tests/data/inline/*.rules; do
  sed 's|from "drug_sex.csv"|from "../tests/data/inline/drug_sex.csv"|' "$f" >"$out/rules/inline_$(basename "$f")"
done
sed 's|from "ten_errors_drugs.csv"|from "../tests/data/ten_errors_drugs.csv"|' tests/data/ten_errors.rules \
  >"$out/rules/ten_errors.rules"
sed 's|from "second_line.csv"|from "../tests/data/history/second_line.csv"|' tests/data/history/history.rules \
  >"$out/rules/history.rules"
for f in 03_herb_excluded 09_drug_max_days 25_service_dup_charge 26_service_unbundling \
  35_claim_info 49_split_admission 50_frequent_visits 68_drug_over_dose 69_duplicate_rx \
  74_drug_interaction; do
  cp "stdlib-rules/$f.rules" "$out/rules/stdlib_$f.rules"
done
# the rule examples of the language reference: each ```arbiter block
python3 - "$out/rules" <<'PY'
import re, sys
text = open("docs/language.md", encoding="utf-8").read()
blocks = re.findall(r"```arbiter\n(.*?)```", text, re.S)
for i, b in enumerate(blocks[:16]):
    open(f"{sys.argv[1]}/doc_language_{i:02d}.rules", "w", encoding="utf-8").write(b)
PY

# claim_json: one record a file
head -6 tests/data/history/claims.jsonl | split -l 1 -a 2 -d - "$out/claim_json/history_"
awk 'length($0) < 3000 && n < 3 { print > (dir "/golden_" NR); n++ }' dir="$out/claim_json" \
  examples/golden/claims.jsonl
printf '{"claim_id":"X","person_id":"P","care_type":"门诊","sex":"2","status":"已冲销","reversal_of":"Y",
"lines":[{"line_no":1,"item_code":"A","amount":"-1.50","time":"2025-02-29T25:00:00"}],"age":3}' \
  >"$out/claim_json/hand_labels_and_codes"

# csv_claims: claims.csv, lines.csv, diagnoses.csv, procedures.csv joined by form feeds
csv_seed() { # NAME CLAIM_IDS...
  local name=$1
  shift
  local pat
  pat="^(claim_id|$(IFS='|'; echo "$*")),"
  {
    grep -E "$pat" examples/claims/claims.csv
    printf '\f'
    grep -E "$pat" examples/claims/lines.csv | awk 'NR <= 13'
    printf '\f'
    grep -E "$pat" examples/claims/diagnoses.csv
    printf '\f'
    grep -E "$pat" examples/claims/procedures.csv
  } >"$out/csv_claims/$name"
}
csv_seed two C00000001 C00000002
csv_seed surgery C00000043 C00000044
printf 'claim_id,person_id,care_type,total_amount,dept\r\nA,P,inpatient,"1,000.00","内科, ""二"""\r\nA,P,outpatient,1,\r\n\fclaim_id,line_no,item_code,amount\nA,1,X,1.00\nB,1,Y,2\nA,x,,\n' \
  >"$out/csv_claims/quoted_dup_orphan"

# table: the columns fuzz_table declares, and tables as they are
printf 'code,name,kind,sex,price,n,from,at,ok,pattern\nXL02BBB085A001010100662,比卡鲁胺片,drug,M,12.30,30,2025-01-01,2025-03-01T10:00:00,true,^XL0\nXG01AF%%,"甲硝唑, 泡腾片",药品,2,1,1,,,false,\n003310130020000,疝修补,service,F,1100.00,2,2024-02-29,,no,(A|B)+\n' \
  >"$out/table/full"
for f in examples/tables/item_sex.csv examples/tables/price_ceiling.csv examples/tables/dept_only.csv \
  tests/data/docs/surgery.csv tests/data/tables/indication.csv; do
  awk 'NR <= 12' "$f" >"$out/table/$(basename "$f" .csv)"
done

# pack: rule files compiled to packs
for f in item_sex insurance age charges; do
  "$seeds" pack "$out/pack/$f.arbpack" "examples/rules/$f.rules"
done
"$seeds" pack "$out/pack/stdlib_09_68.arbpack" stdlib-rules/09_drug_max_days.rules \
  stdlib-rules/68_drug_over_dose.rules
"$seeds" pack "$out/pack/history.arbpack" tests/data/history/history.rules

# nhsa: national 3101 requests (one a file), a malformed set, a 3103 answer
i=0
while IFS= read -r l; do i=$((i + 1)); printf '%s' "$l" >"$out/nhsa/request_$i"; done <tests/data/nhsa3101/requests.jsonl
i=0
while IFS= read -r l; do i=$((i + 1)); printf '%s' "$l" >"$out/nhsa/bad_$i"; done <tests/data/nhsa3101/requests_bad.jsonl
printf '%s' '{"infno":"3103","input":{"data":{"warn_type":"1","warns":[{"warn_rslt_id":"J1","dspo_way":"1","dspo_way_rea":"x"},{"warn_rslt_id":"J2","dspo_way":2}]}}}' \
  >"$out/nhsa/feedback_1"

# profile_csv: the HIS export with Chinese headers, whole and its first rows
cp tests/data/his_csv_zh/export.csv "$out/profile_csv/export.csv"
head -4 tests/data/his_csv_zh/export.csv >"$out/profile_csv/short.csv"

# hcodec: history records of claims, after the claim type's description
"$seeds" hcodec "$out/hcodec" tests/data/history/claims.jsonl 6

find "$out" -type f -size +8k -not -path "$out/pack/*" -print -delete |
  sed 's/^/make_seeds: dropped (over 8 KB): /'
find "$out/pack" -type f -size +32k -print -delete | sed 's/^/make_seeds: dropped (over 32 KB): /'
echo "make_seeds: $(find "$out" -type f | wc -l) seeds, $(du -sk "$out" | cut -f1) KB"
