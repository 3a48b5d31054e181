#!/usr/bin/env bash
# encodings.sh ARBITER SRC — every reader checks its encoding.  The example
# claims converted to GB18030 (iconv) audit byte for byte like their UTF-8
# twin with --encoding gb18030 (1 and 3 threads, and as JSON Lines), and
# without it are rejected, never audited; a GBK record among UTF-8 JSON
# Lines is rejected alone, by its line; an undecodable byte in GB18030
# claims names its line and byte; a rule file with a BOM lints; a GBK rule
# file or table CSV is an error at its place unless it declares its
# encoding, and then gives the same findings; a Lua file is checked too.
# explain and diff take --encoding and then read GB18030 claims (CSV and
# JSON Lines) as their UTF-8 twins.  CSV through an input profile takes
# --encoding too, and rejects a claim with an undecodable byte by its place.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ex=$src/examples
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
same() { cmp -s "$2" "$3" && ok || bad "$1"; }
utf8() { python3 -c "import sys; open(sys.argv[1], 'rb').read().decode('utf-8')" "$1" 2>/dev/null; }
run() { "$arbiter" check "$@" --quiet --stdlib "$src/stdlib-rules"; }
rules=("$ex"/rules/*.rules)

# --- CSV claims: a GB18030 twin audits the same -----------------------------
mkdir "$tmp/gb"
for f in "$ex"/claims/*.csv; do iconv -f UTF-8 -t GB18030 "$f" >"$tmp/gb/$(basename "$f")"; done
cmp -s "$ex/claims/claims.csv" "$tmp/gb/claims.csv" && bad "the GB18030 copy is not different"
run "${rules[@]}" --claims "$ex/claims/claims.csv" -o "$tmp/f_utf8.jsonl" && ok || bad "UTF-8 run failed"
run "${rules[@]}" --claims "$tmp/gb/claims.csv" -o "$tmp/f_gb1.jsonl" --encoding gb18030 --rejects "$tmp/r_gb.jsonl" &&
  ok || bad "GB18030 run failed"
same "GB18030 CSV: findings differ from the UTF-8 twin" "$tmp/f_utf8.jsonl" "$tmp/f_gb1.jsonl"
[ -e "$tmp/r_gb.jsonl" ] && bad "GB18030 CSV: records rejected"
run "${rules[@]}" --claims "$tmp/gb/claims.csv" -o "$tmp/f_gb3.jsonl" --encoding GBK --threads 3
same "GB18030 CSV, 3 threads (gbk as the name): findings differ" "$tmp/f_utf8.jsonl" "$tmp/f_gb3.jsonl"
# without --encoding: rejected with a position, not audited
run "${rules[@]}" --claims "$tmp/gb/claims.csv" -o "$tmp/f_raw.jsonl" --rejects "$tmp/r_raw.jsonl" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && ok || bad "GBK CSV read as UTF-8: exit $rc, expected 3"
n=$(wc -l <"$tmp/r_raw.jsonl" 2>/dev/null || echo 0)
[ "$n" -gt 0 ] && ok || bad "GBK CSV read as UTF-8: nothing rejected"
[ -s "$tmp/f_raw.jsonl" ] && bad "GBK CSV read as UTF-8: findings written"
grep -q '"file":"[^"]*claims.csv","line":2,"error":"column [0-9]*: invalid UTF-8 at byte [0-9]*' "$tmp/r_raw.jsonl" &&
  ok || bad "GBK CSV: claim on line 2 not rejected with its column and byte"
utf8 "$tmp/r_raw.jsonl" && ok || bad "the reject file is not valid UTF-8"
# an unknown encoding is a usage error
run "${rules[@]}" --claims "$tmp/gb/claims.csv" --encoding latin9 -o "$tmp/x" 2>/dev/null
[ $? -eq 2 ] && ok || bad "--encoding latin9 is not a usage error"

# --- JSON Lines -------------------------------------------------------------
"$arbiter" gen claims --n 40 --seed 11 -o "$tmp/c.jsonl"
run "${rules[@]}" --claims "$tmp/c.jsonl" -o "$tmp/fj_utf8.jsonl" && ok || bad "JSON Lines run failed"
iconv -f UTF-8 -t GB18030 "$tmp/c.jsonl" >"$tmp/c_gb.jsonl"
for t in 1 3; do
  run "${rules[@]}" --claims "$tmp/c_gb.jsonl" -o "$tmp/fj_gb$t.jsonl" --encoding gb18030 --threads $t
  same "GB18030 JSON Lines, $t thread(s): findings differ" "$tmp/fj_utf8.jsonl" "$tmp/fj_gb$t.jsonl"
done
# one GBK record (line 7) among UTF-8 ones: that record alone is rejected
python3 - "$tmp/c.jsonl" "$tmp/mixed.jsonl" "$tmp/c_gb.jsonl" "$tmp/gb_bad.jsonl" <<'PY'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
mixed = list(lines)
mixed[6] = lines[6].decode("utf-8").encode("gb18030")
open(sys.argv[2], "wb").write(b"\n".join(mixed))
# GB18030 claims with one byte that is not GB18030 (0xFF) on line 5
gb = open(sys.argv[3], "rb").read().split(b"\n")
i = gb[4].index(b'"dept":"') + 8
gb[4] = gb[4][:i] + b"\xff" + gb[4][i:]
open(sys.argv[4], "wb").write(b"\n".join(gb))
PY
for t in 1 3; do
  run "${rules[@]}" --claims "$tmp/mixed.jsonl" -o "$tmp/fm$t.jsonl" --rejects "$tmp/rm$t.jsonl" --threads $t 2>/dev/null
  [ $? -eq 3 ] && ok || bad "mixed JSON Lines: exit code not 3"
  [ "$(wc -l <"$tmp/rm$t.jsonl")" -eq 1 ] && ok || bad "mixed JSON Lines: not exactly one reject"
  grep -q '"line":7,"error":"column [0-9]*: invalid UTF-8 at byte [0-9]*"' "$tmp/rm$t.jsonl" &&
    ok || bad "mixed JSON Lines: line 7 not rejected for its encoding"
  utf8 "$tmp/rm$t.jsonl" && ok || bad "mixed JSON Lines: the reject file is not valid UTF-8"
done
same "mixed JSON Lines: 1 and 3 threads differ" "$tmp/fm1.jsonl" "$tmp/fm3.jsonl"
grep -v '"claim_id":"C00000007"' "$tmp/fj_utf8.jsonl" >"$tmp/fj_no7.jsonl"
same "mixed JSON Lines: the other claims' findings changed" "$tmp/fj_no7.jsonl" "$tmp/fm1.jsonl"
byte=$(python3 - "$tmp/c_gb.jsonl" <<'PY'
import sys
gb = open(sys.argv[1], "rb").read().split(b"\n")
print(sum(len(l) + 1 for l in gb[:4]) + gb[4].index(b'"dept":"') + 8)
PY
)
run "${rules[@]}" --claims "$tmp/gb_bad.jsonl" -o "$tmp/fb.jsonl" --rejects "$tmp/rb.jsonl" --encoding gb18030 2>/dev/null
[ $? -eq 3 ] && ok || bad "undecodable GB18030: exit code not 3"
grep -q "\"line\":5,\"error\":\"column [0-9]*: invalid GB18030 at byte $byte\"" "$tmp/rb.jsonl" &&
  ok || { bad "undecodable GB18030: line 5, byte $byte not named"; cat "$tmp/rb.jsonl"; }
grep -v '"claim_id":"C00000005"' "$tmp/fj_utf8.jsonl" >"$tmp/fj_no5.jsonl"
same "undecodable GB18030: the other claims' findings changed" "$tmp/fj_no5.jsonl" "$tmp/fb.jsonl"

# history mode (the standard library's rules use history()) and the history
# store: JSON Lines and CSV are converted
"$arbiter" gen claims --n 30 --seed 3 -o "$tmp/h.jsonl"
iconv -f UTF-8 -t GB18030 "$tmp/h.jsonl" >"$tmp/h_gb.jsonl"
run "$src/stdlib-rules" --claims "$tmp/h.jsonl" -o "$tmp/fh_utf8.jsonl"
run "$src/stdlib-rules" --claims "$tmp/h_gb.jsonl" -o "$tmp/fh_gb.jsonl" --encoding gb18030
same "history mode, GB18030 JSON Lines: findings differ" "$tmp/fh_utf8.jsonl" "$tmp/fh_gb.jsonl"
run "$src/stdlib-rules" --claims "$ex/claims/claims.csv" -o "$tmp/fhc_utf8.jsonl"
run "$src/stdlib-rules" --claims "$tmp/gb/claims.csv" -o "$tmp/fhc_gb.jsonl" --encoding gb18030
same "history mode, GB18030 CSV: findings differ" "$tmp/fhc_utf8.jsonl" "$tmp/fhc_gb.jsonl"
"$arbiter" history init "$tmp/hs" --quiet --stdlib "$src/stdlib-rules"
run "$src/stdlib-rules" --claims "$tmp/gb/claims.csv" -o "$tmp/fhs_gb.jsonl" --encoding gb18030 --history "$tmp/hs"
same "history store, GB18030 CSV: findings differ" "$tmp/fhc_utf8.jsonl" "$tmp/fhs_gb.jsonl"
run "$src/stdlib-rules" --claims "$tmp/h_gb.jsonl" -o "$tmp/fhs_gbj.jsonl" --encoding gb18030 --history "$tmp/hs"
same "history store, GB18030 JSON Lines: findings differ" "$tmp/fh_utf8.jsonl" "$tmp/fhs_gbj.jsonl"

# --- CSV through an input profile (his_csv_zh) -------------------------------
hx=$src/tests/data/his_csv_zh/export.csv
iconv -f UTF-8 -t GB18030 "$hx" >"$tmp/hx_gb.csv"
prof() { run "$src/stdlib-rules" --input his_csv_zh "$@"; }
prof --claims "$hx" -o "$tmp/hx_u.jsonl" --rejects "$tmp/hx_ur.jsonl" 2>/dev/null
for t in 1 3; do
  prof --claims "$tmp/hx_gb.csv" --encoding gb18030 --threads $t -o "$tmp/hx_g$t.jsonl" --rejects "$tmp/hx_gr$t.jsonl" 2>/dev/null
  same "his_csv_zh GB18030 ($t threads): findings differ from the UTF-8 export" "$tmp/hx_u.jsonl" "$tmp/hx_g$t.jsonl"
done
[ -s "$tmp/hx_u.jsonl" ] && ok || bad "his_csv_zh: no findings to compare"
"$arbiter" history init "$tmp/hxs" --quiet --stdlib "$src/stdlib-rules"
prof --claims "$tmp/hx_gb.csv" --encoding gb18030 --history "$tmp/hxs" -o "$tmp/hx_gs.jsonl" 2>/dev/null
same "his_csv_zh GB18030 with --history: findings differ" "$tmp/hx_u.jsonl" "$tmp/hx_gs.jsonl"
# without --encoding the GB18030 header is not UTF-8: refused, with its place
prof --claims "$tmp/hx_gb.csv" -o "$tmp/hx_x.jsonl" 2>"$tmp/hx_x.err"
rc=$?
[ $rc -ne 0 ] && grep -q "hx_gb.csv:1:[0-9]*: invalid UTF-8 at byte [0-9]* in the header" "$tmp/hx_x.err" && ok ||
  bad "his_csv_zh GB18030 without --encoding: exit $rc, $(head -2 "$tmp/hx_x.err")"
# a GBK item name in one claim's row of a UTF-8 export: that claim is
# rejected by its place, the others audited as before
python3 - "$hx" "$tmp/hx_bad.csv" <<'PY'
import sys
rows = open(sys.argv[1], "rb").read().split(b"\n")
rows[2] = rows[2].replace("经阴道B超检查".encode(), "经阴道B超检查".encode("gb18030"))
open(sys.argv[2], "wb").write(b"\n".join(rows))
PY
prof --claims "$tmp/hx_bad.csv" -o "$tmp/hx_b.jsonl" --rejects "$tmp/hx_br.jsonl" 2>"$tmp/hx_b.err"
rc=$?
[ $rc -eq 3 ] && grep -q '"line":3' "$tmp/hx_br.jsonl" && grep -q "invalid UTF-8 at byte" "$tmp/hx_br.jsonl" &&
  ! grep -q '"claim_id":"Z002"' "$tmp/hx_b.jsonl" && grep -q '"claim_id":"Z001"' "$tmp/hx_b.jsonl" && ok ||
  bad "his_csv_zh with a GBK cell: exit $rc (3), $(cat "$tmp/hx_br.jsonl" | head -2)"
utf8 "$tmp/hx_b.jsonl" && ok || bad "his_csv_zh with a GBK cell: findings not UTF-8"

# --- rule files -------------------------------------------------------------
mkdir -p "$tmp/lib/rules" && cp "$ex"/rules/*.rules "$tmp/lib/rules/" && cp -r "$ex/tables" "$tmp/lib/"
lint() { "$arbiter" lint "$tmp"/lib/rules/*.rules --stdlib "$src/stdlib-rules" >"$tmp/lint" 2>&1; }
{ printf '\xEF\xBB\xBF'; cat "$ex/rules/age.rules"; } >"$tmp/lib/rules/age.rules"
lint && ok || { bad "a rule file with a BOM does not lint"; cat "$tmp/lint"; }
printf '\xEF\xBB\xBFcategory X "y" { bogus 1 }\n' >"$tmp/bom.rules"
"$arbiter" lint "$tmp/bom.rules" --stdlib "$src/stdlib-rules" >"$tmp/lint" 2>&1
grep -q "bom.rules:1:18: error" "$tmp/lint" && ok || bad "after a BOM, columns are not those of the text"
iconv -f UTF-8 -t GB18030 "$ex/rules/facility.rules" >"$tmp/lib/rules/facility.rules"
lint
[ $? -eq 2 ] && ok || bad "a GBK rule file without a declaration lints"
grep -q "facility.rules:1:[0-9]*: error: invalid UTF-8 at byte [0-9]*" "$tmp/lint" && ok ||
  { bad "GBK rule file: no error with its position"; cat "$tmp/lint"; }
{ echo "# encoding: gb18030"; cat "$tmp/lib/rules/facility.rules"; } >"$tmp/x" && mv "$tmp/x" "$tmp/lib/rules/facility.rules"
lint && ok || { bad "a GBK rule file declaring its encoding does not lint"; cat "$tmp/lint"; }
run "$tmp"/lib/rules/*.rules --claims "$ex/claims/claims.csv" -o "$tmp/f_rules.jsonl"
same "GBK rule file: findings differ" "$tmp/f_utf8.jsonl" "$tmp/f_rules.jsonl"

# --- table CSV --------------------------------------------------------------
iconv -f UTF-8 -t GB18030 "$ex/tables/dept_only.csv" >"$tmp/lib/tables/dept_only.csv"
lint
[ $? -eq 2 ] && ok || bad "a GBK table CSV without a declaration lints"
grep -q "dept_only.csv:2:[0-9]*: error: invalid UTF-8 at byte [0-9]*" "$tmp/lint" && ok ||
  { bad "GBK table: no error with its position"; cat "$tmp/lint"; }
sed -i 's|from "../tables/dept_only.csv" {|from "../tables/dept_only.csv" encoding "gb18030" {|' "$tmp/lib/rules/facility.rules"
lint && ok || { bad "a GBK table declared gb18030 does not lint"; cat "$tmp/lint"; }
run "$tmp"/lib/rules/*.rules --claims "$ex/claims/claims.csv" -o "$tmp/f_table.jsonl"
same "GBK table: findings differ" "$tmp/f_utf8.jsonl" "$tmp/f_table.jsonl"

# --- Lua files --------------------------------------------------------------
printf '\xEF\xBB\xBFfunction ok(x) return true end\n' >"$tmp/bom.lua"
printf 'lua "bom.lua" { ok(int) bool }\n' >"$tmp/lua1.rules"
"$arbiter" lint "$tmp/lua1.rules" --stdlib "$src/stdlib-rules" >/dev/null 2>&1 && ok || bad "a Lua file with a BOM does not lint"
printf 'function ok(x) return true end\n-- \xC4\xDA\n' >"$tmp/gbk.lua"
printf 'lua "gbk.lua" { ok(int) bool }\n' >"$tmp/lua2.rules"
"$arbiter" lint "$tmp/lua2.rules" --stdlib "$src/stdlib-rules" >"$tmp/lint" 2>&1
grep -q "gbk.lua:2:4: error: invalid UTF-8 at byte 34" "$tmp/lint" && ok || bad "a GBK Lua file: no error at its position"

# --- explain and diff --encoding ----------------------------------------------
id=$(head -1 "$ex/expected_findings.jsonl" | sed 's/^{"claim_id":"\([^"]*\)".*/\1/')
"$arbiter" explain "${rules[@]}" --stdlib "$src/stdlib-rules" --claims "$ex/claims/claims.csv" --claim "$id" >"$tmp/x_u.txt"
"$arbiter" explain "${rules[@]}" --stdlib "$src/stdlib-rules" --claims "$tmp/gb/claims.csv" --claim "$id" --encoding gb18030 >"$tmp/x_g.txt"
grep -q "fired" "$tmp/x_u.txt" && cmp -s "$tmp/x_u.txt" "$tmp/x_g.txt" && ok || bad "explain --encoding gb18030 (CSV) differs from UTF-8"
"$arbiter" explain "${rules[@]}" --stdlib "$src/stdlib-rules" --claims "$tmp/gb/claims.csv" --claim "$id" >/dev/null 2>&1
[ $? -eq 3 ] && ok || bad "explain of GBK CSV without --encoding: not exit 3"
"$arbiter" gen claims --n 60 --seed 11 -o "$tmp/g.jsonl" 2>/dev/null
iconv -f UTF-8 -t GB18030 "$tmp/g.jsonl" >"$tmp/g_gb.jsonl"
run "$src/stdlib-rules" --claims "$tmp/g.jsonl" -o "$tmp/g_f.jsonl"
id=$(head -1 "$tmp/g_f.jsonl" | sed 's/^{"claim_id":"\([^"]*\)".*/\1/')
"$arbiter" explain "$src/stdlib-rules" --stdlib "$src/stdlib-rules" --claims "$tmp/g.jsonl" --claim "$id" >"$tmp/y_u.txt"
"$arbiter" explain "$src/stdlib-rules" --stdlib "$src/stdlib-rules" --claims "$tmp/g_gb.jsonl" --claim "$id" --encoding gbk >"$tmp/y_g.txt"
grep -q "fired" "$tmp/y_u.txt" && cmp -s "$tmp/y_u.txt" "$tmp/y_g.txt" && ok || bad "explain --encoding gbk (JSON Lines) differs from UTF-8"
mkdir -p "$tmp/dl/old" && cp "${rules[@]}" "$tmp/dl/old/" && cp -r "$ex/tables" "$tmp/dl/tables" && cp -r "$tmp/dl/old" "$tmp/dl/new"
sed -i 's/when line.days_supply > r.max_days$/when line.days_supply > r.max_days + 5/' "$tmp/dl/new/charges.rules"
"$arbiter" diff "$tmp/dl/old" "$tmp/dl/new" --stdlib "$src/stdlib-rules" --claims "$ex/claims/claims.csv" >"$tmp/d_u.txt" 2>&1
rc_u=$?
"$arbiter" diff "$tmp/dl/old" "$tmp/dl/new" --stdlib "$src/stdlib-rules" --claims "$tmp/gb/claims.csv" --encoding gb18030 >"$tmp/d_g.txt" 2>&1
rc_g=$?
[ $rc_u -eq 1 ] && [ $rc_g -eq 1 ] && cmp -s "$tmp/d_u.txt" "$tmp/d_g.txt" && ok || bad "diff --encoding gb18030: exit $rc_u/$rc_g or output differs"
"$arbiter" diff "$tmp/dl/old" "$tmp/dl/new" --stdlib "$src/stdlib-rules" --claims "$tmp/gb/claims.csv" >/dev/null 2>"$tmp/d_raw.err"
rc=$?
[ $rc -eq 3 ] && [ "$(grep -c ': rejected: ' "$tmp/d_raw.err")" -le 20 ] && grep -q "more rejects and rule failures, not shown" "$tmp/d_raw.err" && ok ||
  bad "diff of GBK claims without --encoding: exit $rc (3), or rejects not capped at 20"

echo "encodings: $pass passed, $fail failed"
[ $fail -eq 0 ]
