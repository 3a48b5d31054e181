#!/usr/bin/env bash
# sql_oracle.sh ARBITER SRC — the findings of a HIS export audited through
# the his_csv_zh profile (no converter) against an independent SQL oracle.
# The real national knowledge points (../shared/data/nhsa, skipped with 77
# when absent) are imported with `arbiter import nhsa`; python3 (fixed seed)
# writes a few thousand claims in the profile's own spelling (Chinese headers,
# 男/女/未知, 药品/中药饮片, "yyyy-MM-dd HH:mm:ss") with item codes drawn from
# the knowledge points and from elsewhere; sqlite3 computes the expected
# (claim, category, line) set for 67 药品区分性别使用, 65 药品儿童专用 and
# 3 中药饮片单复方均不予支付 by joins written from the knowledge points' own
# text, not from Arbiter's tables.  Also: the GB18030 twin gives the same
# findings, at risk <= claimed, one finding per (rule, claim, line).
set -uo pipefail
arbiter=$1 src=$2
kp=$src/../shared/data/nhsa/knowledge_points.json
if [ ! -f "$kp" ]; then
  echo "skipped: $kp not found"
  exit 77
fi
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

"$arbiter" import nhsa "$kp" -o "$tmp/lib" --quiet >/dev/null && ok || bad "import failed"

# the knowledge points, one row per (point, code), and the stdlib's own
# hand-written rows of the three tables (their codes are kept out of the
# claims: those rows are not the knowledge points')
python3 - "$kp" "$src/stdlib-rules/tables" "$tmp" <<'PY'
import csv, json, sys
kp, tables, tmp = sys.argv[1:4]
with open(f"{tmp}/kp.csv", "w", newline="") as f:
    w = csv.writer(f)
    for p in json.load(open(kp, encoding="utf-8")):
        codes = p.get("med_codes") or ([p["med_code"]] if p.get("med_code") else [])
        for c in codes:
            w.writerow([p["kp_id"], p["rule_class"], c, p.get("item_name") or "",
                        p.get("constraint") or "", p.get("detect_logic") or ""])
with open(f"{tmp}/hand.csv", "w", newline="") as f:
    w = csv.writer(f)
    for t in ("drug_sex", "drug_child_only", "herb_excluded"):
        for r in csv.DictReader(open(f"{tables}/{t}.csv", encoding="utf-8")):
            w.writerow([r["code"]])
PY

# What each category means, from the points' text (docs/importer.md says how
# the import reads it; this is written afresh, narrower: a point the simple
# reading below cannot judge is left out, and so is every code of it).
#  sex:   male words (前列腺 男性 阳痿 …) and no female word -> for men only;
#         female words (女性 妇 阴道 子宫 月经 孕 …) and no male word -> women.
#  child: no number in the name, constraint or detect_logic and no narrower
#         age word (新生儿 婴 幼儿) -> children only, i.e. under 18.
#  herb:  every listed code, always.
cat > "$tmp/judge.sql" <<'SQL'
.mode csv
create table kp(kp_id, cat, code, name, cons, logic);
.import KP kp
create table hand(code);
.import HAND hand
create view kpt as select *, name || ' ' || cons || ' ' || logic as t from kp;
create view sexpt as select code,
  case when m and not f then 'M' when f and not m then 'F' end as sex
  from (select code,
    (t like '%前列腺%' or t like '%男性%' or t like '%阳痿%' or t like '%勃起%' or t like '%遗精%'
     or t like '%早泄%' or t like '%睾%' or t like '%阴茎%' or t like '%阴囊%' or t like '%精子%') as m,
    (t like '%女性%' or t like '%妇%' or t like '%阴道%' or t like '%子宫%' or t like '%宫颈%'
     or t like '%卵巢%' or t like '%月经%' or t like '%痛经%' or t like '%孕%' or t like '%产后%'
     or t like '%哺乳%' or t like '%更年期%' or t like '%盆腔%' or t like '%带下%') as f
    from kpt where cat = '药品区分性别使用');
create table sex_code as select code, min(sex) as sex from sexpt group by code
  having count(sex) = count(*) and min(sex) = max(sex)
     and code not in (select code from hand);
create view childpt as select code,
  not (t glob '*[0-9０-９一二三四五六七八九十百]*' or t like '%新生儿%' or t like '%早产儿%'
       or t like '%婴%' or t like '%幼儿%') as plain
  from kpt where cat = '药品儿童专用';
create table child_code as select code from childpt group by code
  having min(plain) = 1 and code not in (select code from hand);
create table herb_code as select distinct code from kp where cat = '中药饮片单复方均不予支付'
  and code not in (select code from hand);
create table other_code as select distinct code from kp
  where code not in (select code from kp where cat in ('药品区分性别使用', '药品儿童专用',
          '中药饮片单复方均不予支付', '医疗服务项目区分性别使用'))
    and code not in (select code from hand);
.output SEXOUT
select * from sex_code order by code;
.output CHILDOUT
select * from child_code order by code;
.output HERBOUT
select * from herb_code order by code;
.output OTHEROUT
select * from other_code order by code;
SQL
sed -i "s|KP|$tmp/kp.csv|; s|HAND|$tmp/hand.csv|; s|SEXOUT|$tmp/sex.csv|; s|CHILDOUT|$tmp/child.csv|; s|HERBOUT|$tmp/herb.csv|; s|OTHEROUT|$tmp/other.csv|" "$tmp/judge.sql"
sqlite3 "$tmp/kp.db" < "$tmp/judge.sql" && ok || bad "sqlite3 judging the points failed"
for f in sex child herb other; do
  [ "$(wc -l < "$tmp/$f.csv")" -gt 20 ] && ok || bad "$f.csv has too few codes"
done

# the claims: a HIS export in his_csv_zh's spelling
python3 - "$tmp" <<'PY'
import csv, random, sys, datetime as dt
tmp = sys.argv[1]
rnd = random.Random(20251207)
rd = lambda n: [r for r in csv.reader(open(f"{tmp}/{n}.csv", encoding="utf-8"))]
sex = rd("sex"); child = [r[0] for r in rd("child")]; herb = [r[0] for r in rd("herb")]
other = [r[0] for r in rd("other")]
head = "住院号,病人ID,性别,出生日期,险种,医疗类别,医院编码,医院等级,科室,主治医生,入院时间,出院时间,结算时间,总金额,统筹支付,主诊断编码,主诊断名称,项目编码,项目名称,项目类别,费用时间,数量,单价,金额,开单科室,开单医生,医嘱号,处方号,用药天数,单次用量,频次,给药途径,备注".split(",")
rows = []
fmt = "%Y-%m-%d %H:%M:%S"
for i in range(3000):
    admit = dt.datetime(2025, 1, 1, 8) + dt.timedelta(days=rnd.randrange(300), minutes=rnd.randrange(600))
    pick = rnd.random()
    if pick < 0.15:   # born 18 years before admission, give or take a day
        d = admit.date()
        try: b = d.replace(year=d.year - 18)
        except ValueError: b = d.replace(year=d.year - 18, day=28)
        birth = b + dt.timedelta(days=rnd.choice([-1, 0, 1]))
    elif pick < 0.5:
        birth = admit.date() - dt.timedelta(days=rnd.randrange(1, 18 * 365))
    else:
        birth = admit.date() - dt.timedelta(days=rnd.randrange(18 * 365, 85 * 365))
    s = rnd.choice(["男"] * 9 + ["女"] * 9 + ["未知"])
    disch = admit + dt.timedelta(days=rnd.randrange(1, 10))
    settle = disch + dt.timedelta(hours=1)
    lines = []
    for n in range(rnd.randrange(1, 5)):
        k = rnd.random()
        if k < 0.3:
            code, kind = rnd.choice(sex)[0], "药品"
        elif k < 0.55:
            code, kind = rnd.choice(child), "药品"
        elif k < 0.65:
            code, kind = rnd.choice(herb), "中药饮片"
        else:
            code, kind = rnd.choice(other), "药品"
        q = rnd.randrange(1, 20); p = rnd.randrange(50, 20000) / 100
        lines.append((code, kind, q, p, round(q * p, 2)))
    total = sum(l[4] for l in lines)
    cid = f"ZY{i:05d}"
    for n, (code, kind, q, p, a) in enumerate(lines):
        t = admit + dt.timedelta(hours=n + 1)
        rows.append([cid, f"P{i:05d}", s, birth.isoformat(), "城镇职工基本医疗保险", "普通住院", "H001", "3",
                     "内科", "D1", admit.strftime(fmt), disch.strftime(fmt), settle.strftime(fmt),
                     f"{total:.2f}", f"{total * 0.7:.2f}", "J06.900", "急性上呼吸道感染", code, f"项目{code[-4:]}",
                     kind, t.strftime(fmt), str(q), f"{p:.2f}", f"{a:.2f}", "内科", "D1", f"YZ{i}-{n}", "", "", "", "", "", ""])
# a claim's rows need not be next to each other: swap some neighbours
for j in range(0, len(rows) - 1, 7):
    if rnd.random() < 0.5:
        rows[j], rows[j + 1] = rows[j + 1], rows[j]
with open(f"{tmp}/export.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(head)
    w.writerows(rows)
PY
[ $? -eq 0 ] && ok || bad "generating the claims failed"
iconv -f UTF-8 -t GB18030 "$tmp/export.csv" > "$tmp/export.gb.csv" && ok || bad "iconv failed"

check() { "$arbiter" check "$src/stdlib-rules" "$tmp/lib" --input his_csv_zh "$@"; }
check --claims "$tmp/export.csv" -o "$tmp/f.jsonl" 2>"$tmp/f.err" && ok || bad "check exited $?: $(head -5 "$tmp/f.err")"
# The GB18030 twin audits byte for byte like the UTF-8 export
check --claims "$tmp/export.gb.csv" --encoding gb18030 -o "$tmp/fgb.jsonl" 2>"$tmp/fgb.err" &&
  ok || bad "check (GB18030) exited $?: $(head -5 "$tmp/fgb.err")"
cmp -s "$tmp/f.jsonl" "$tmp/fgb.jsonl" && ok ||
  bad "the GB18030 twin's findings differ: $(diff "$tmp/f.jsonl" "$tmp/fgb.jsonl" | head -4)"
grep -q ' 3000 audited + 0 rejected' "$tmp/f.err" && ok || bad "summary: $(head -2 "$tmp/f.err")"

# at risk <= claimed; one finding per (rule, claim, line)
python3 - "$tmp/f.err" "$tmp/f.jsonl" "$tmp/got.csv" <<'PY' && ok || bad "summary or findings invariant broken"
import json, re, sys
err, fj, out = sys.argv[1:4]
s = open(err, encoding="utf-8").read()
claimed = float(re.search(r"claimed ([0-9.]+)", s).group(1))
risk = float(re.search(r"at risk ([0-9.]+)", s).group(1))
bad = 0
if not risk <= claimed:
    print(f"at risk {risk} > claimed {claimed}"); bad = 1
seen = set()
cats = {"DRUG_SEX", "DRUG_CHILD_ONLY", "HERB_EXCLUDED"}
got = set()
for l in open(fj, encoding="utf-8"):
    f = json.loads(l)
    k = (f["rule"], f["claim_id"], f.get("line_no"))
    if k in seen:
        print("two findings for", k); bad = 1
    seen.add(k)
    if float(f["at_risk"]) > float(f["amount"]) + 1e-9:
        print("at risk over the amount:", l.strip()); bad = 1
    if f["category"] in cats:
        got.add(f"{f['claim_id']},{f['category']},{f['line_no']}")
open(out, "w").write("".join(x + "\n" for x in sorted(got)))
sys.exit(bad)
PY

# the oracle: the claims' rows in a table, line numbers by position within
# the claim, the age in whole years at admission, and the three joins
cat > "$tmp/oracle.sql" <<'SQL'
.mode csv
create table raw(cid, pid, sex, birth, ins, care, fac, lvl, dept, doc, admit, disch, settle, total, fund,
  dx, dxname, code, iname, kind, t, q, p, amt, odept, odoc, ord, rx, days, dose, freq, route, note);
.import --skip 1 EXPORT raw
create view line as select cid, sex, code,
  row_number() over (partition by cid order by rowid) as line_no,
  (cast(strftime('%Y', admit) as int) - cast(strftime('%Y', birth) as int))
    - (strftime('%m-%d', admit) < strftime('%m-%d', birth)) as age
  from raw;
.output EXPECTED
select cid, 'DRUG_SEX', line_no from line join sex_code s using (code)
  where line.sex in ('男', '女') and line.sex != case s.sex when 'M' then '男' else '女' end
union select cid, 'DRUG_CHILD_ONLY', line_no from line join child_code using (code) where age >= 18
union select cid, 'HERB_EXCLUDED', line_no from line join herb_code using (code)
order by 1, 2, 3;
SQL
sed -i "s|EXPORT|$tmp/export.csv|; s|EXPECTED|$tmp/want.csv|" "$tmp/oracle.sql"
sqlite3 "$tmp/kp.db" < "$tmp/oracle.sql" && ok || bad "the SQL oracle failed"
sort -o "$tmp/want.csv" "$tmp/want.csv"
sort -o "$tmp/got.csv" "$tmp/got.csv"
n=$(wc -l < "$tmp/want.csv")
for c in DRUG_SEX DRUG_CHILD_ONLY HERB_EXCLUDED; do
  [ "$(grep -c ",$c," "$tmp/want.csv")" -gt 100 ] && ok || bad "the oracle expects too few $c findings"
done
if cmp -s "$tmp/want.csv" "$tmp/got.csv"; then
  ok
  echo "$n findings, equal to the SQL oracle's"
else
  bad "findings differ from the SQL oracle's ($n expected, $(wc -l < "$tmp/got.csv") found); first differences (< oracle, > arbiter):"
  diff "$tmp/want.csv" "$tmp/got.csv" | grep '^[<>]' | head -20
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
