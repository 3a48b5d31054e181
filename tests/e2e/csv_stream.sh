#!/usr/bin/env bash
# csv_stream.sh ARBITER SRC — CSV input read a window at a time gives the
# findings of its JSON Lines twin (`gen claims --seed 11`, 10,000 claims:
# several windows of claims and several 1 MiB pieces of lines.csv): the
# example rules (no history), the standard library as a pack (history()
# from the batch in memory), `check --history` (store mode) and `history
# add` (the stores' exports compared); lines.csv with its claims in reverse
# order (not in step with claims.csv: read whole) gives the same findings;
# a bad line rejects its claim in both.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0 pass=0
same() { # name, expected, got
  if [ -s "$2" ] && cmp -s "$2" "$3"; then pass=$((pass + 1)); else
    echo "FAIL: $1"; diff "$2" "$3" | head -10; fail=$((fail + 1)); fi
}
std=(--stdlib "$src/stdlib-rules")
ex=("$src"/examples/rules/*.rules)
"$arbiter" gen claims --n 10000 --seed 11 -o g.jsonl
mkdir csv && "$arbiter" gen claims --n 10000 --seed 11 --format csv -o csv
"$arbiter" compile "$src/stdlib-rules" "${std[@]}" -o std.arbpack >/dev/null 2>&1 ||
  { echo "FAIL: compile stdlib-rules"; exit 1; }

# the example rules: no history
"$arbiter" check "${ex[@]}" "${std[@]}" --claims g.jsonl -o ej.jsonl --quiet
"$arbiter" check "${ex[@]}" "${std[@]}" --claims csv/claims.csv -o ec.jsonl --quiet
same "example rules: CSV = JSON Lines" ej.jsonl ec.jsonl
"$arbiter" check "${ex[@]}" "${std[@]}" --claims csv/claims.csv -o ec2.jsonl --quiet --threads 2
same "example rules, 2 threads: CSV = JSON Lines" ej.jsonl ec2.jsonl

# the standard library: history() from the batch held in memory
"$arbiter" check --pack std.arbpack --claims g.jsonl -o hj.jsonl --quiet
"$arbiter" check --pack std.arbpack --claims csv/claims.csv -o hc.jsonl --quiet
same "history in memory: CSV = JSON Lines" hj.jsonl hc.jsonl
grep -q '"category":"FREQUENT_PURCHASE"\|"category":"SPLIT_ADMISSION"' hc.jsonl && pass=$((pass + 1)) ||
  { echo "FAIL: no history finding"; fail=$((fail + 1)); }

# store mode, and history add
for form in jsonl csv; do
  claims=g.jsonl
  [ $form = csv ] && claims=csv/claims.csv
  "$arbiter" history init "db_$form" --pack std.arbpack >/dev/null 2>&1
  "$arbiter" check --pack std.arbpack --claims $claims --history "db_$form" -o "s_$form.jsonl" --quiet
  "$arbiter" history init "add_$form" --pack std.arbpack >/dev/null 2>&1
  "$arbiter" history add "add_$form" --claims $claims --pack std.arbpack >/dev/null 2>&1
  "$arbiter" history export "add_$form" -o "x_$form.jsonl" >/dev/null 2>&1
done
same "check --history: CSV = JSON Lines" s_jsonl.jsonl s_csv.jsonl
same "history add: CSV = JSON Lines" x_jsonl.jsonl x_csv.jsonl

# lines.csv not in step with claims.csv: read whole, the same findings
mkdir rev && cp csv/claims.csv csv/diagnoses.csv csv/procedures.csv rev/
{ head -1 csv/lines.csv; tail -n +2 csv/lines.csv | sort -s -t, -k1,1r; } >rev/lines.csv
"$arbiter" check "${ex[@]}" "${std[@]}" --claims rev/claims.csv -o er.jsonl --quiet
same "lines.csv in reverse claim order: the same findings" ej.jsonl er.jsonl

# a bad line (claim 7001, in the second window) rejects its claim, in step or not
for d in csv rev; do
  sed -i 's/^\(C00007001,2,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,\)[^,]*,/\1x,/' $d/lines.csv
  "$arbiter" check "${ex[@]}" "${std[@]}" --claims $d/claims.csv -o "b_$d.jsonl" --rejects "r_$d.jsonl" --quiet
done
same "a bad line: the same findings in step or not" b_csv.jsonl b_rev.jsonl
if [ "$(wc -l <r_csv.jsonl)" -eq 1 ] && grep -q 'C00007001' r_csv.jsonl && grep -q "'amount'" r_csv.jsonl &&
  [ "$(wc -l <r_rev.jsonl)" -eq 1 ] && grep -q 'C00007001' r_rev.jsonl; then
  pass=$((pass + 1))
else
  echo "FAIL: the bad line's claim is not the one rejected"; cat r_csv.jsonl r_rev.jsonl | head -4
  fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
