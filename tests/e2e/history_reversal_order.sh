#!/usr/bin/env bash
# history_reversal_order.sh ARBITER SRC — within one batch reversals win,
# whatever the order: `history add F` leaves the store exactly as `check
# --record F` does (same rules, stores that start alike), for a reversal
# before its claim (in the same window and windows apart), after it, of a
# claim already in the store, of an unknown claim, two reversals of one
# claim, a claim met again after its reversal, a reversal by status (its
# own claim_id), and a claim_id given twice with no reversal (the last copy
# is kept) — as JSON Lines, from standard input, as canonical CSV,
# on two threads, in small commits, with the reversals' ids spilled to runs
# (ARBITER_ID_BUDGET=8); and the counts reconcile (read = stored + rejected
# + reversals, exit 3 for the rejected record).
# The prologue (strict mode, $arbiter, $src, $tmp, std, ok, bad, finish): lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
same() { if cmp -s "$1" "$2"; then ok; else bad "$3"; diff "$1" "$2" | cut -c1-120 | head -6; fi; }

# ~3,000 claims of ~4 KB: several 4 MB windows of history add
"$arbiter" gen claims --n 3000 --seed 9 -o gen.jsonl 2>/dev/null
"$arbiter" gen claims --n 5 --seed 10 -o pre0.jsonl 2>/dev/null
python3 - gen.jsonl pre0.jsonl <<'PY'
import json, sys
c = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
pre = [dict(json.loads(l), claim_id="S-%d" % i) for i, l in enumerate(open(sys.argv[2], encoding="utf-8"))]
out, nr = [], [0]
def rev(target, by_status=False):
    nr[0] += 1
    if by_status:  # cancels its own claim_id
        return {"claim_id": target, "person_id": "PR", "care_type": "outpatient", "status": "reversed"}
    return {"claim_id": "R-%d-%s" % (nr[0], target), "person_id": "PR", "care_type": "outpatient",
            "reversal_of": target}
id = lambda k: c[k]["claim_id"]
out.append(rev(id(2500)))          # before its claim, windows apart
out.append(rev(id(30)))            # two reversals before the claim
out.append(rev(id(30)))
out.append(rev("S-1"))             # a claim already in the store
out.append(rev("NOPE-0"))          # an unknown claim
out.append(rev(id(2600), True))    # by status, before the claim
for k, d in enumerate(c):
    if k == 50: out.append(rev(id(50)))     # just before, in the same window
    out.append(d)
    if k == 10: out.append(rev(id(10)))     # just after
    if k == 20: out += [rev(id(20)), rev(id(20))]  # two reversals after
    if k == 40: out.append(rev(id(40)))     # ... and the claim again below
    if k == 1500: out.append(dict(c[40], total_amount="40.00"))
    if k % 150 == 7: out.append(rev("NOPE-%d" % k))  # unknown ids, to spill the set
    # a claim_id given again with no reversal, under a person that sorts
    # first: the last copy in input order is kept, by add and by record
    if k == 1201: out.append(dict(c[1200], person_id="A-DUP-1", total_amount="12.00"))
    if k == 2900: out.append(dict(c[700], person_id="A-DUP-2", total_amount="7.00"))
out.append(rev(id(100)))           # after its claim, windows apart
out.append(dict(c[2500], total_amount="25.00"))  # again, after its reversal
with open("batch.jsonl", "w", encoding="utf-8") as f:
    for d in out: f.write(json.dumps(d, ensure_ascii=False) + "\n")
    f.write('{"claim_id": "BAD", "person_id": \n')  # rejected by both
with open("pre.jsonl", "w", encoding="utf-8") as f:
    for d in pre: f.write(json.dumps(d, ensure_ascii=False) + "\n")
isrev = lambda d: "reversal_of" in d or "status" in d
def expect(recs, name):
    ids = [d["claim_id"] for d in pre] + [d["claim_id"] for d in recs if not isrev(d)]
    gone = set(d.get("reversal_of", d["claim_id"]) for d in recs if isrev(d))
    open(name, "w").write("\n".join(sorted(set(ids) - gone)) + "\n")
expect(out, "want.txt")
nrev = sum(1 for d in out if isrev(d))
open("counts.txt", "w").write("%d %d %d\n" % (len(out) + 1, len(out) - nrev, nrev))
# canonical CSV of the same records (reversals: status, reversal_of); CSV
# rejects a claim_id met again (its children could not be told apart), so
# each claim_id once: the first
import os
seen = set()
out = [d for d in out if not (d["claim_id"] in seen or seen.add(d["claim_id"]))]
expect(out, "wantcsv.txt")
nrev = sum(1 for d in out if isrev(d))
open("countscsv.txt", "w").write("%d %d %d\n" % (len(out), len(out) - nrev, nrev))
os.makedirs("csv")
def cell(v):
    if v is None: return ""
    if isinstance(v, bool): return "true" if v else "false"
    s = str(v)
    return '"' + s.replace('"', '""') + '"' if any(x in s for x in ',"\n') else s
top = [k for k in c[0] if not isinstance(c[0][k], list)] + ["status", "reversal_of"]
kids = {"lines": None, "diagnoses": None, "procedures": None}
for k in kids:
    keys = []
    for d in c:
        for r in d.get(k, []):
            for x in r:
                if x not in keys: keys.append(x)
    kids[k] = keys
with open("csv/claims.csv", "w", encoding="utf-8") as f:
    f.write(",".join(top) + "\n")
    for d in out: f.write(",".join(cell(d.get(k)) for k in top) + "\n")
for k, keys in kids.items():
    with open("csv/%s.csv" % k, "w", encoding="utf-8") as f:
        f.write(",".join(["claim_id"] + keys) + "\n")
        for d in out:
            for r in d.get(k, []): f.write(",".join([cell(d["claim_id"])] + [cell(r.get(x)) for x in keys]) + "\n")
PY
read -r nread nstored nrev < counts.txt

# fresh stores that start alike: the pre-existing claims S-0..S-4
fresh() { rm -rf "$1"; "$arbiter" history add "$1" --claims pre.jsonl --quiet "${std[@]}" || bad "$1: pre add: exit $?"; }
ids() { python3 -c 'import json,sys; print("\n".join(sorted(json.loads(l)["claim_id"] for l in open(sys.argv[1]))))' "$1"; }

# check --record: the reference
fresh rec
"$arbiter" check "$src/stdlib-rules" --claims batch.jsonl -o /dev/null --rejects rj.jsonl --quiet --history rec --record "${std[@]}"
[ $? -eq 3 ] && ok || bad "check --record: exit 3 expected (a rejected record)"
"$arbiter" history export rec -o rec.jsonl --quiet "${std[@]}"
ids rec.jsonl > rec.ids
same want.txt rec.ids "check --record does not leave every claim a reversal of the batch names out"
python3 - rec.jsonl <<'PY' && ok || bad "check --record does not keep the last copy of a claim_id given twice"
import json, sys
p = {d["claim_id"]: d["person_id"] for d in map(json.loads, open(sys.argv[1], encoding="utf-8"))}
sys.exit(0 if sorted(v for v in p.values() if v.startswith("A-DUP")) == ["A-DUP-1", "A-DUP-2"] else 1)
PY

# history add, JSON Lines, in every way
add_case() { # NAME ARGS...: history add into a fresh store, compared with check --record
  local name=$1
  shift
  fresh a
  "$@" 2> add.err
  local rc=$?
  [ $rc -eq 3 ] && ok || { bad "$name: exit 3 expected, got $rc"; cat add.err; }
  "$arbiter" history export a -o a.jsonl --quiet "${std[@]}"
  same rec.jsonl a.jsonl "$name: history add differs from check --record"
  grep -q "$nread records read = $nstored stored + 1 rejected + $nrev reversals" add.err && ok ||
    { bad "$name: counts ($nread = $nstored + 1 + $nrev expected)"; cat add.err; }
}
add_case "jsonl" "$arbiter" history add a --claims batch.jsonl --rejects rj.jsonl "${std[@]}"
add_case "jsonl, 2 threads" "$arbiter" history add a --claims batch.jsonl --threads 2 --rejects rj.jsonl "${std[@]}"
add_case "jsonl, --commit-every 40" "$arbiter" history add a --claims batch.jsonl --commit-every 40 --rejects rj.jsonl "${std[@]}"
add_case "jsonl, ids spilled" env ARBITER_ID_BUDGET=8 "$arbiter" history add a --claims batch.jsonl --rejects rj.jsonl "${std[@]}"
add_case "stdin" sh -c '"$0" history add a --claims - --rejects rj.jsonl "$@" < batch.jsonl' "$arbiter" "${std[@]}"

# canonical CSV: the same rule (the bad line is not in it)
fresh rec
"$arbiter" check "$src/stdlib-rules" --claims csv/claims.csv -o /dev/null --rejects rj.jsonl --quiet --history rec --record "${std[@]}"
"$arbiter" history export rec -o reccsv.jsonl --quiet "${std[@]}"
ids reccsv.jsonl > reccsv.ids
same wantcsv.txt reccsv.ids "CSV: check --record does not leave every claim a reversal of the batch names out"
read -r nread nstored nrev < countscsv.txt
for t in 1 2; do
  fresh a
  "$arbiter" history add a --claims csv/claims.csv --threads $t --commit-every 100 --rejects rj.jsonl "${std[@]}" 2> add.err ||
    { bad "CSV add, $t threads: exit $?"; cat add.err; }
  "$arbiter" history export a -o a.jsonl --quiet "${std[@]}"
  same reccsv.jsonl a.jsonl "CSV, $t threads: history add differs from check --record"
  grep -q "$nread records read = $nstored stored + 0 rejected + $nrev reversals" add.err && ok ||
    { bad "CSV, $t threads: counts"; cat add.err; }
done
rm -f rj.jsonl
finish
