#!/usr/bin/env bash
# history_fields.sh ARBITER SRC — history claims read from a store are
# decoded with only the fields the rules read there (history/hfields.c):
# rules that reach history claims' fields by many paths — a `define` taking
# a history claim, max/min/sum/count over history, derived fields of history
# claims (age, los_days), grouped reads (facility, day, a line's fields, a
# nested list's fields), coalesce, a rule's `for p in history(...)` binding
# — find exactly what they find with the history in memory: through the
# batch's staging store (hashed records) and through a store recorded by an
# earlier batch (plain records), on one thread and on two with the JIT.
# Each rule must fire somewhere, so a field the analysis misses (read as
# missing) changes the findings.
# The prologue (strict mode, $arbiter, $src, $tmp, std, ok, bad, finish): lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cat > t.rules <<'RULES'
category T "t" { code "GZ1" severity high }

define big(p) = p.fund_amount > 100.00

rule T.1 "define on a history claim" in T
  when exists(p in history(365d) where big(p))
  flag claim amount 0.00

rule T.2 "max over history" in T
  when max(p.total_amount for p in history(365d)) > claim.total_amount
  flag claim amount 0.00

rule T.3 "derived fields of history claims" in T
  when exists(p in history(365d) where p.age >= 60 and p.los_days > 3)
  flag claim amount 0.00

rule T.4 "facility and dept" in T
  when count(p in history(365d) where p.facility_id == claim.facility_id and p.dept == claim.dept) >= 2
  flag claim amount 0.00

rule T.5 "same day" in T
  when exists(p in history(30d) where date(p.upload_time) == date(claim.upload_time))
  flag claim amount 0.00

rule T.6 "lines of history claims" in T
  for line in claim.lines
  when exists(p in history(365d), x in p.lines where x.doctor == line.doctor and x.route == line.route and x.unit_price > 0)
  flag line

rule T.8 "procedures of history claims" in T
  when sum(q.incision_group for p in history(365d), q in p.procedures where not missing(q.date)) > 3
  flag claim amount 0.00

rule T.9 "coalesce" in T
  when exists(p in history(365d) where coalesce(p.doctor, "zz") == claim.doctor and p.sex == claim.sex and p.birth_date == claim.birth_date)
  flag claim amount 0.00

rule T.10 "min" in T
  when min(p.facility_level for p in history(365d) where p.insurance_type == claim.insurance_type) < 3
  flag claim amount 0.00

rule U.1 "a rule bound to history claims" in T
  for p in history(90d)
  when p.fund_amount > 500.00 and p.care_type == claim.care_type
  flag claim amount 0.00
RULES

"$arbiter" gen claims --n 3000 --seed 4 -o g.jsonl 2>/dev/null || bad "gen"
head -1500 g.jsonl > h1.jsonl
tail -n +1501 g.jsonl > h2.jsonl
"$arbiter" check t.rules --claims g.jsonl -o m.jsonl --quiet --rejects rj.jsonl "${std[@]}" ||
  bad "in memory: exit $?"
# every rule fires somewhere (else the comparison shows nothing of it)
for r in T.1 T.2 T.3 T.4 T.5 T.6 T.8 T.9 T.10 U.1; do
  grep -q "\"rule\":\"$r\"" m.jsonl && ok || bad "$r never fires in memory"
done
python3 - m.jsonl h2.jsonl > m2.jsonl <<'PY'
import json, sys
ids = {json.loads(l)["claim_id"] for l in open(sys.argv[2], encoding="utf-8")}
for l in open(sys.argv[1], encoding="utf-8"):
    if json.loads(l)["claim_id"] in ids: sys.stdout.write(l)
PY
for args in "--threads 1" "--threads 2 --backend jit"; do
  rm -rf empty split
  "$arbiter" history init empty "${std[@]}" --quiet || bad "history init"
  "$arbiter" check t.rules --claims g.jsonl -o s.jsonl --quiet --rejects rj.jsonl --history empty \
    $args "${std[@]}" || bad "staging store ($args): exit $?"
  cmp -s m.jsonl s.jsonl && ok || { bad "staging store ($args): findings differ"; diff m.jsonl s.jsonl | head -4 | cut -c1-160; }
  "$arbiter" history init split "${std[@]}" --quiet || bad "history init"
  "$arbiter" check t.rules --claims h1.jsonl -o /dev/null --quiet --rejects rj.jsonl --history split \
    --record "${std[@]}" || bad "record: exit $?"
  "$arbiter" check t.rules --claims h2.jsonl -o f2.jsonl --quiet --rejects rj.jsonl --history split \
    $args "${std[@]}" || bad "recorded store ($args): exit $?"
  cmp -s m2.jsonl f2.jsonl && ok || { bad "recorded store ($args): findings differ"; diff m2.jsonl f2.jsonl | head -4 | cut -c1-160; }
done
finish
