#!/usr/bin/env python3
"""peers_gen.py — the shared 10k-rule workload of bench/peers.sh, generated
with a fixed seed, written once for every engine.

    peers_gen.py OUT_DIR N_CLAIMS [N_RULES] [SEED]

N_RULES rules (default 10,000), each "the line's item code is one of a set
of 5 codes and the patient's age >= N" (N in {0, 18, 65}), over a universe
of 20,000 codes; N_CLAIMS claims (JSON Lines, Arbiter's canonical claim
schema, docs/input.md) with one line each, its code drawn from the
universe, the age following from birth_date and admit_time (full years, as
the schema's `age` is computed).  Writes into OUT_DIR:

  rules.tsv        rule_no <TAB> min_age <TAB> 5 codes separated by spaces
                   (the one source every other form is made from)
  rule_codes.csv   code,rule_no,min_age: the rules as one table (SQL)
  peers.rules      Arbiter: one rule per workload rule
  table.rules      Arbiter: one rule over the table peer_rules.csv
  peer_rules.csv   code,rule_no,min_age (the table's file)
  peers.clp        CLIPS: a deftemplate and one defrule per rule
                   (codes as strings: some are all digits)
  claims.jsonl     the claims

The expected count is not computed here: bench/peers_expect.awk computes it
from rules.tsv and claims.jsonl on its own."""
import json
import os
import random
import sys

out, n_claims = sys.argv[1], int(sys.argv[2])
n_rules = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 14
rnd = random.Random(seed)
os.makedirs(out, exist_ok=True)

UNIVERSE = 20000
# national-code-like item codes of a few lengths (letters and digits only, so
# that they need no quoting in any engine's syntax)
codes = []
for i in range(UNIVERSE):
    kind = i % 3
    if kind == 0:
        codes.append("XA%02d%s%05dE001" % (i % 97, "ABCDEFGH"[i % 8], i))
    elif kind == 1:
        codes.append("00%07d%06d" % (i * 7919 % 10000000, i))
    else:
        codes.append("C%05d%s" % (i, "MZ"[i % 2]))

rules = []
for r in range(n_rules):
    rules.append((r + 1, rnd.choice((0, 18, 65)), rnd.sample(codes, 5)))

with open(f"{out}/rules.tsv", "w") as f:
    for no, age, cs in rules:
        f.write(f"{no}\t{age}\t{' '.join(cs)}\n")
for name in ("rule_codes.csv", "peer_rules.csv"):
    with open(f"{out}/{name}", "w") as f:
        f.write("code,rule_no,min_age\n")
        for no, age, cs in rules:
            for c in cs:
                f.write(f"{c},{no},{age}\n")

with open(f"{out}/peers.rules", "w") as f:
    f.write('category PEER "peer workload" { code "PEER" severity high }\n')
    for no, age, cs in rules:
        s = ", ".join(f'"{c}"' for c in cs)
        f.write(f"rule PEER.{no} in PEER for line in claim.lines "
                f"when line.item_code in {{{s}}} and claim.age >= {age} flag line\n")

with open(f"{out}/table.rules", "w") as f:
    f.write('category PEERT "peer workload, one table" { code "PEERT" severity high }\n'
            'table peer_rules from "peer_rules.csv" {\n'
            '  code     code  key\n  rule_no  int\n  min_age  int\n}\n'
            "rule PEERT.1 in PEERT for line in claim.lines match r in peer_rules on line.item_code\n"
            "  when claim.age >= r.min_age flag line\n")

with open(f"{out}/peers.clp", "w") as f:
    f.write("(deftemplate claim (slot id) (slot code) (slot age))\n")
    for no, age, cs in rules:
        alts = "|".join('"%s"' % c for c in cs)
        f.write(f"(defrule R{no} (claim (id ?i) (code {alts}) (age ?a&:(>= ?a {age})))"
                f" => (hit ?i {no}))\n")

with open(f"{out}/claims.jsonl", "w") as f:
    for i in range(n_claims):
        month, day = rnd.randint(1, 12), rnd.randint(1, 28)
        admit = f"2025-{month:02d}-{day:02d}"
        # ages 0..99; a fifth of the claims are born on a day near the
        # admission day, so that birthdays around 18 and 65 are exercised
        by = 2025 - rnd.randint(0, 99)
        if rnd.random() < 0.2:
            bm, bd = month, max(1, min(28, day + rnd.choice((-1, 0, 1))))
        else:
            bm, bd = rnd.randint(1, 12), rnd.randint(1, 28)
        if (by, bm, bd) > (2025, month, day):
            by, bm, bd = 2025, month, day
        code = rnd.choice(codes)
        claim = {
            "claim_id": "K%08d" % (i + 1),
            "person_id": "P%07d" % rnd.randrange(1, 1 + max(1, n_claims // 3)),
            "sex": rnd.choice("MF"),
            "birth_date": f"{by:04d}-{bm:02d}-{bd:02d}",
            "insurance_type": "employee",
            "care_type": "outpatient",
            "facility_id": "H%04d" % rnd.randrange(1, 200),
            "facility_level": rnd.randint(1, 3),
            "admit_time": f"{admit}T09:{rnd.randrange(60):02d}:00",
            "settle_time": f"{admit}T11:00:00",
            "total_amount": "20.00",
            "lines": [{"line_no": 1, "item_code": code, "item_kind": "drug",
                       "time": f"{admit}T10:00:00", "quantity": 2,
                       "unit_price": "10.00", "amount": "20.00"}],
        }
        f.write(json.dumps(claim, ensure_ascii=False, separators=(",", ":")) + "\n")
