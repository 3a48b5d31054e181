#!/usr/bin/env python3
"""nhsa_stays.py REQUESTS.jsonl OUTDIR PATIENT ID1 ID2 — two 3102 requests
(settlement, trig_scen 8) of one inpatient's stays, 10 days apart, made
from the first 3101 request of REQUESTS.jsonl: OUTDIR/ID1.json is a stay of
2025-03-01 to 03-05, OUTDIR/ID2.json one of 2025-03-15 to 03-18 (a split
admission when the first is in the person's history)."""
import json
import sys

src, out, patient, first, second = sys.argv[1:6]
base = json.loads(open(src, encoding="utf-8").readline())


def stay(mid, adm, dscg, settle):
    d = json.loads(json.dumps(base))
    d["infno"] = "3102"
    d["inf_time"] = settle
    d["input"]["data"]["trig_scen"] = "8"
    p = d["input"]["data"]["patient_dtos"]
    p = p[0] if isinstance(p, list) else p
    p["patn_id"] = patient
    e = p["fsi_encounter_dtos"]
    e = e[0] if isinstance(e, list) else e
    e.update(mdtrt_id=mid, med_type="21", adm_date=adm, dscg_date=dscg)
    return d


for mid, adm, dscg, settle in [(first, "2025-03-01 09:00:00", "2025-03-05 10:00:00", "2025-03-05 11:00:00"),
                               (second, "2025-03-15 09:00:00", "2025-03-18 10:00:00", "2025-03-18 11:00:00")]:
    with open(f"{out}/{mid}.json", "w", encoding="utf-8") as f:
        json.dump(stay(mid, adm, dscg, settle), f, ensure_ascii=False)
