#!/usr/bin/env python3
"""settle_claims.py SRC.jsonl OUT.jsonl M — single claims at settlement for
bench_settle_latency: M claims of a stored batch (every len/M-th) moved
forward to settle on 2026-01-02 (every time field shifted by the same days,
claim_id C... renamed S...), so each sees its person's stored claims within
history(365d).  bench/history_store.sh and bench/history_pg.sh make their
latency sets with it."""
import datetime as dt, json, sys

src, out, m = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(src, encoding="utf-8").read().splitlines()
held = {}
for l in lines:
    p = json.loads(l)["person_id"]
    held[p] = held.get(p, 0) + 1
picked = lines[:: max(1, len(lines) // m)][:m]
target, hist = dt.date(2026, 1, 2), 0


def shift(v, days):
    t = dt.date if len(v) == 10 else dt.datetime
    return (t.fromisoformat(v) + dt.timedelta(days)).isoformat()


with open(out, "w", encoding="utf-8") as f:
    for l in picked:
        c = json.loads(l)
        days = (target - dt.date.fromisoformat(c["settle_time"][:10])).days
        for k in ("admit_time", "discharge_time", "settle_time", "upload_time"):
            if k in c:
                c[k] = shift(c[k], days)
        for x in c["lines"]:
            if "time" in x:
                x["time"] = shift(x["time"], days)
        for x in c["procedures"]:
            if "date" in x:
                x["date"] = shift(x["date"], days)
        c["claim_id"] = "S" + c["claim_id"][1:]
        hist += held[c["person_id"]]
        f.write(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n")
print(f"{len(picked)} claims of the stored batch moved to settle on {target}: their persons "
      f"hold {hist / len(picked):.1f} stored claims each, all within history(365d)")
