#!/usr/bin/env bash
# lint_zh.sh ARBITER SRC — messages in Chinese: `lint` of the ten-mistakes
# file (tests/data/ten_errors.rules) in English and in Chinese reports the
# same errors at the same file:line:col, with the same source lines and
# carets (a caret under text after 汉字 stands where the terminal shows it:
# two columns a character), and Chinese words in place of the English; the
# language comes from --lang, else LANGUAGE / LC_ALL / LC_MESSAGES / LANG,
# and English stays the default.  And the library's, the rule pack's and
# the report's errors, `arbiter explain`, the history store's, the CSV
# claims reader's and `arbiter serve`'s start-up errors come out in Chinese too.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
has() { if grep -qF -- "$3" "$2"; then ok; else bad "$1: no '$3' in:"; sed 's/^/    | /' "$2"; fi; }
lacks() { if grep -qF -- "$3" "$2"; then bad "$1: '$3' in:"; sed 's/^/    | /' "$2"; else ok; fi; }
same() { if cmp -s "$2" "$3"; then ok; else bad "$1 differ:"; diff "$2" "$3" | head -20 | sed 's/^/    | /'; fi; }
f=$src/tests/data/ten_errors.rules
run() { # run OUT [VAR=VALUE...] -- [ARGS...]: lint the file with only those variables set
  local out=$1 vars=()
  shift
  while [ "$1" != -- ]; do vars+=("$1"); shift; done
  shift
  env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "${vars[@]}" "$arbiter" "$@" lint "$f" \
    --stdlib "$src/stdlib-rules" >"$out" 2>&1
}

run "$tmp/en" -- ; rc_en=$?
run "$tmp/zh" -- --lang zh_CN; rc_zh=$?
# --lang after the command works too, as a global option
env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$arbiter" lint "$f" --stdlib "$src/stdlib-rules" --lang=zh_CN >"$tmp/zh2" 2>&1
[ "$rc_en" -eq 2 ] && [ "$rc_zh" -eq 2 ] && ok || bad "exit codes $rc_en (en), $rc_zh (zh), expected 2"
same "--lang before and after the command" "$tmp/zh" "$tmp/zh2"

# positions: the file:line:col of every message, in order
pos() { grep -oE '^[^ ]+:[0-9]+:[0-9]+: ' "$1"; }
pos "$tmp/en" >"$tmp/en.pos"
pos "$tmp/zh" >"$tmp/zh.pos"
[ "$(wc -l <"$tmp/en.pos")" -eq 11 ] && ok || bad "expected 11 messages (10 errors, a note): $(wc -l <"$tmp/en.pos")"
same "positions in English and Chinese" "$tmp/en.pos" "$tmp/zh.pos"
# the source lines and carets are the same lines
grep -v -E '^[^ ]+:[0-9]+:[0-9]+: |^arbiter lint' "$tmp/en" >"$tmp/en.src"
grep -v -E '^[^ ]+:[0-9]+:[0-9]+: |^arbiter lint' "$tmp/zh" >"$tmp/zh.src"
same "source lines and carets" "$tmp/en.src" "$tmp/zh.src"
# the caret under 'abc' in "X002,乙药,abc": column 9 counts 乙药 as two
# characters, and the caret stands at display column 12 (two spaces of
# indentation + "X002," 5 + 乙药 4 + "," 1)
has "the CSV cell's position" "$tmp/zh" "ten_errors_drugs.csv:3:9: 错误: 列 'max_price'（money）：'abc' 有误：不是有效的金额（最多两位小数）"
grep -A2 'ten_errors_drugs.csv:3:9' "$tmp/zh" | tail -1 >"$tmp/caret"
[ "$(cat "$tmp/caret")" = "            ^~~" ] && ok || bad "caret line '$(cat "$tmp/caret")'"

# translated messages
has "label" "$tmp/zh" "ten_errors.rules:34:30: 错误: 语法错误：此处不应出现 '='"
has "hint" "$tmp/zh" "错误: line 没有字段 'item_cod'；是否应为 'item_code'？"
has "enum" "$tmp/zh" "错误: 'X' 不是 sex 的成员（成员有：M, F, U）"
has "category" "$tmp/zh" "错误: 未知的类别 'NOPE'"
has "duplicate" "$tmp/zh" "错误: 规则编号 'R1' 重复使用"
has "note" "$tmp/zh" "注: 首次使用于此"
has "operator" "$tmp/zh" "错误: '+'：int 与 code 不能一起运算"
has "money literal" "$tmp/zh" "错误: 金额最多两位小数"
has "summary" "$tmp/zh" "arbiter lint：10 处错误；未执行任何操作"
lacks "no English label" "$tmp/zh" ": error:"
has "English" "$tmp/en" "ten_errors.rules:34:30: error: syntax error: unexpected '='"
has "English summary" "$tmp/en" "arbiter lint: 10 errors; nothing was run"

# the environment chooses, --lang overrides; English is the default
for v in LANG LC_MESSAGES LC_ALL LANGUAGE; do
  run "$tmp/env" "$v=zh_CN.UTF-8" --
  same "$v=zh_CN.UTF-8" "$tmp/zh" "$tmp/env"
done
run "$tmp/env" LANG=zh_CN.UTF-8 -- --lang en
same "LANG=zh_CN.UTF-8 --lang en" "$tmp/en" "$tmp/env"
run "$tmp/env" LANG=en_US.UTF-8 --
same "LANG=en_US.UTF-8" "$tmp/en" "$tmp/env"
env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$arbiter" --lang fr lint "$f" >"$tmp/out" 2>&1
[ $? -eq 2 ] && ok || bad "--lang fr: not a usage error"
has "--lang fr" "$tmp/out" "--lang takes zh_CN or en, not 'fr'"
# a usage error and the C library's messages in Chinese
env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$arbiter" --lang zh_CN lint --bogus >"$tmp/out" 2>&1
has "usage error" "$tmp/out" "arbiter lint: 未知的选项或缺少取值：'--bogus'"
has "usage hint" "$tmp/out" "用法请运行 'arbiter lint --help'。"
env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$arbiter" --lang zh_CN fmt "$tmp/none.rules" >"$tmp/out" 2>&1
has "strerror" "$tmp/out" "arbiter fmt：无法读取 $tmp/none.rules：没有那个文件或目录"

# beyond lint: the library's errors (engine_fail, api/), the rule pack's,
# the report's and the text of `arbiter explain` in Chinese, the values,
# rule ids and source text as they are; by default the same English
ex=$src/examples
z() { env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$arbiter" --lang zh_CN "$@"; }
e() { env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$arbiter" "$@"; }
z check --pack "$tmp/none.arbpack" --claims "$ex/claims/claims.csv" -o "$tmp/f.jsonl" >"$tmp/out" 2>&1
has "missing pack" "$tmp/out" "无法打开 $tmp/none.arbpack：没有那个文件或目录"
e check --pack "$tmp/none.arbpack" --claims "$ex/claims/claims.csv" -o "$tmp/f.jsonl" >"$tmp/out" 2>&1
has "missing pack (English)" "$tmp/out" "cannot open $tmp/none.arbpack: No such file or directory"
printf 'hello' >"$tmp/bad.arbpack"
z check --pack "$tmp/bad.arbpack" --claims "$ex/claims/claims.csv" -o "$tmp/f.jsonl" >"$tmp/out" 2>&1
has "not a pack" "$tmp/out" "$tmp/bad.arbpack 不是规则包（过短）"
"$arbiter" gen claims --n 3 --seed 1 >"$tmp/c.jsonl"
z check "$ex"/rules/*.rules --stdlib "$src/stdlib-rules" --claims "$tmp/c.jsonl" -o "$tmp/c.jsonl" >"$tmp/out" 2>&1
[ $? -eq 2 ] && ok || bad "an output over the input: not a usage error"
has "output over the input" "$tmp/out" "疑点文件 $tmp/c.jsonl 就是结算单文件 $tmp/c.jsonl：拒绝覆盖"
e check "$ex"/rules/*.rules --stdlib "$src/stdlib-rules" --claims "$tmp/c.jsonl" -o "$tmp/c.jsonl" >"$tmp/out" 2>&1
has "output over the input (English)" "$tmp/out" "the findings file $tmp/c.jsonl is the claims file $tmp/c.jsonl: refusing to overwrite it"
z report "$tmp/c.jsonl" --claims "$tmp/none.jsonl" -o "$tmp/r.html" >"$tmp/out" 2>&1
has "report error" "$tmp/out" "无法读取 $tmp/none.jsonl：没有那个文件或目录"
e report "$tmp/c.jsonl" --claims "$tmp/none.jsonl" -o "$tmp/r.html" >"$tmp/out" 2>&1
has "report error (English)" "$tmp/out" "cannot read $tmp/none.jsonl: No such file or directory"
xp() { # xp z|e [ARGS...]: explain a claim of the example, in Chinese or by default
  local run=$1
  shift
  "$run" explain "$ex"/rules/*.rules --claims "$ex/claims/claims.csv" --stdlib "$src/stdlib-rules" "$@"
}
xp z --claim NOPE >"$tmp/out" 2>&1
has "explain: no claim" "$tmp/out" "$ex/claims/claims.csv 中没有结算单 'NOPE'"
xp z --claim C00000007 >"$tmp/xzh" 2>&1
xp e --claim C00000007 >"$tmp/xen" 2>&1
e --lang en explain "$ex"/rules/*.rules --claims "$ex/claims/claims.csv" --stdlib "$src/stdlib-rules" --claim C00000007 >"$tmp/xen2" 2>&1
same "explain by default and with --lang en" "$tmp/xen" "$tmp/xen2"
has "explain (English)" "$tmp/xen" 'rule DRUG_CHILD.1 "儿童专用药品用于成人" in DRUG_CHILD (药品儿童专用): fired, 1 finding'
has "explain heading" "$tmp/xzh" '规则 DRUG_CHILD.1 "儿童专用药品用于成人"，类别 DRUG_CHILD（药品儿童专用）：已触发，1 条疑点'
has "explain iteration" "$tmp/xzh" 'line=1, r=XA12AXX128N001010101438：when 条件成立'
has "explain test" "$tmp/xzh" 'claim.age >= r.age_under                  成立   (claim.age = 27, r.age_under = 18)'
has "explain finding" "$tmp/xzh" '-> 疑点，明细 1: 22.80, 小儿碳酸钙D3颗粒 限18岁以下儿童使用，患者27岁'
has "explain summary" "$tmp/xzh" '2 条规则触发；另有 16 条规则已求值但未触发'
# the same lines, each translated
[ "$(wc -l <"$tmp/xzh")" -eq "$(wc -l <"$tmp/xen")" ] && ok || bad "explain: not as many lines in Chinese as in English"
for w in fired finding true 'the claim' 'rules'; do lacks "explain: no English" "$tmp/xzh" "$w"; done
xp z --claim C00000007 --rule FEE_DATE.1 >"$tmp/out" 2>&1
has "explain: did not fire" "$tmp/out" '（计费日期与住院时间不符）：未触发'
has "explain: the first false condition" "$tmp/out" 'claim.care_type == inpatient              不成立  (claim.care_type = 定点药店购药, inpatient = 住院)   <- 第一个不成立的条件'
has "explain: not evaluated" "$tmp/out" '未求值  （claim.care_type == inpatient 不成立）'

# the history store's, the CSV claims reader's and `arbiter serve`'s
# start-up errors in Chinese, the same English by default
z history stats "$tmp/nostore" >"$tmp/out" 2>&1
has "history: no store" "$tmp/out" "arbiter history：无法打开历史库 $tmp/nostore：没有那个文件或目录"
mkdir "$tmp/emptydir"
z history stats "$tmp/emptydir" >"$tmp/out" 2>&1
has "history: not a store" "$tmp/out" "arbiter history：$tmp/emptydir 不是 Arbiter 历史库（其中没有 data.mdb）"
if command -v mdb_load >/dev/null; then
  e history init "$tmp/st" >/dev/null 2>&1
  printf 'format\narbiter-history 0\n' | mdb_load -T -s meta "$tmp/st"
  z history stats "$tmp/st" >"$tmp/out" 2>&1
  has "history: another format" "$tmp/out" "历史库 $tmp/st 的格式为 'arbiter-history 0'；本 arbiter 读取的格式为 'arbiter-history 2'（请用写入它的 arbiter 导出，再重新添加）"
  e history stats "$tmp/st" >"$tmp/out" 2>&1
  has "history: another format (English)" "$tmp/out" "arbiter history: the history store $tmp/st has format 'arbiter-history 0'; this arbiter reads"
fi
mkdir "$tmp/csv"
cp "$ex"/claims/*.csv "$tmp/csv/"
sed -i '1s/claim_id/claimid/' "$tmp/csv/lines.csv"
z check "$ex"/rules/*.rules --stdlib "$src/stdlib-rules" --claims "$tmp/csv/claims.csv" -o "$tmp/f.jsonl" >"$tmp/out" 2>&1
has "CSV header" "$tmp/out" "$tmp/csv/lines.csv：表头中没有 'claim_id' 列"
e check "$ex"/rules/*.rules --stdlib "$src/stdlib-rules" --claims "$tmp/csv/claims.csv" -o "$tmp/f.jsonl" >"$tmp/out" 2>&1
has "CSV header (English)" "$tmp/out" "$tmp/csv/lines.csv: the header has no 'claim_id' column"
z serve --pack "$tmp/none.arbpack" --listen 127.0.0.1:0 >"$tmp/out" 2>&1
has "serve: no pack" "$tmp/out" "arbiter serve：规则包 $tmp/none.arbpack：无法打开 $tmp/none.arbpack：没有那个文件或目录"
z serve --pack "$tmp/none.arbpack" --listen bogus >"$tmp/out" 2>&1
has "serve: --listen" "$tmp/out" "arbiter serve：--listen bogus：应为 主机:端口（如 127.0.0.1:8600、[::1]:8600）"

echo "lint_zh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
