# to_csv.py CLAIMS.jsonl DIR — writes the history test claims as CSV input
# (DIR/claims.csv and DIR/lines.csv), for the tests that compare CSV input
# with JSON Lines (tests/e2e/history.sh, history_store.sh).
import json, os, sys

os.makedirs(sys.argv[2])
cl = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
hc = ["claim_id", "person_id", "sex", "birth_date", "care_type", "admit_time", "discharge_time", "settle_time", "total_amount"]
hl = ["claim_id", "line_no", "item_code", "item_kind", "time", "quantity", "unit_price", "amount", "days_supply"]
with open(sys.argv[2] + "/claims.csv", "w", encoding="utf-8") as f:
    f.write(",".join(hc) + "\n")
    for c in cl:
        f.write(",".join(str(c.get(k, "")) for k in hc) + "\n")
with open(sys.argv[2] + "/lines.csv", "w", encoding="utf-8") as f:
    f.write(",".join(hl) + "\n")
    for c in cl:
        for l in c["lines"]:
            f.write(",".join(str(c["claim_id"] if k == "claim_id" else l.get(k, "")) for k in hl) + "\n")
