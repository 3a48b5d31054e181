-- peers_lib.sql — the incumbent-SQL part of bench/peers.sh: five rules of three
-- example-library categories (DRUG_SEX.1 and SERVICE_SEX.1 of
-- examples/rules/item_sex.rules, WORK_INJURY_ONLY.1 and MATERNITY_ONLY.1 of
-- insurance.rules, FACILITY_LEVEL.1 of facility.rules) as one SQL query over tables claims,
-- lines and the rules' tables, one row per finding (claim, line, rule).  The
-- same text runs in SQLite and DuckDB (no semicolon in it: it is embedded in
-- scripts split at them).  A comparison with a missing value
-- is NULL, no finding, as in Arbiter.
SELECT l.claim_id, l.line_no, 'DRUG_SEX.1' FROM item_sex r JOIN lines l ON l.item_code = r.code JOIN claims c ON c.claim_id = l.claim_id
  WHERE r.kind IN ('drug', 'herb') AND c.sex != r.sex
UNION ALL SELECT l.claim_id, l.line_no, 'SERVICE_SEX.1' FROM item_sex r JOIN lines l ON l.item_code = r.code JOIN claims c ON c.claim_id = l.claim_id
  WHERE r.kind IN ('service', 'consumable') AND c.sex != r.sex
UNION ALL SELECT l.claim_id, l.line_no, 'WORK_INJURY_ONLY.1' FROM insurance_only r JOIN lines l ON l.item_code = r.code JOIN claims c ON c.claim_id = l.claim_id
  WHERE r.insurance = 'work_injury' AND c.insurance_type != 'work_injury'
UNION ALL SELECT l.claim_id, l.line_no, 'MATERNITY_ONLY.1' FROM insurance_only r JOIN lines l ON l.item_code = r.code JOIN claims c ON c.claim_id = l.claim_id
  WHERE r.insurance = 'maternity' AND c.insurance_type != 'maternity'
UNION ALL SELECT l.claim_id, l.line_no, 'FACILITY_LEVEL.1' FROM facility_level r JOIN lines l ON l.item_code = r.code JOIN claims c ON c.claim_id = l.claim_id
  WHERE c.facility_level < r.min_level
