#!/usr/bin/env bash
# fmt.sh ARBITER SRC — `arbiter fmt`: every rule file of the standard
# library, the examples and tests/data is formatted idempotently (fmt of
# formatted text is unchanged), and the formatted rules compile to the same
# program (differential: the bytecode of every rule from `disasm`, `lint
# --stats`, the inline tests' report, the findings over the example claims
# and the pack's size are the same before and after); the checked-in
# libraries are already formatted (`fmt --check`); --check, --diff, `-` and
# a syntax error give the documented output and exit codes.
set -uo pipefail
arbiter=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
expect_rc() {
  if [ "$3" -eq "$2" ]; then ok; else bad "$1: exit code $3, expected $2"; sed 's/^/    | /' "$4"; fi
}
has() { if grep -qF -- "$3" "$2"; then ok; else bad "$1: no '$3' in:"; sed 's/^/    | /' "$2"; fi; }
same() { if cmp -s "$2" "$3"; then ok; else bad "$1 differs:"; diff "$2" "$3" | head -20 | sed 's/^/    | /'; fi; }

# 1. every rule file: formatted once, then again: unchanged.  A file fmt
#    refuses must be one that does not parse (lint fails on it too).
n=0
while IFS= read -r f; do
  if "$arbiter" fmt - <"$f" >"$tmp/once" 2>"$tmp/err"; then
    "$arbiter" fmt - <"$tmp/once" >"$tmp/twice" 2>>"$tmp/err"
    if cmp -s "$tmp/once" "$tmp/twice"; then ok; else bad "not idempotent: $f"; diff "$tmp/once" "$tmp/twice" | head; fi
    n=$((n + 1))
  else
    if "$arbiter" lint "$f" --stdlib "$src/stdlib-rules" >/dev/null 2>&1; then
      bad "fmt refused $f, which lints clean:"; sed 's/^/    | /' "$tmp/err"
    else ok; fi
  fi
done < <(find "$src/stdlib-rules" "$src/examples" "$src/tests/data" -name '*.rules' | sort)
[ "$n" -ge 60 ] && ok || bad "only $n rule files formatted"

# 2. differential: the same program before and after formatting
snapshot() { # snapshot OUT STDLIB RULES...
  local out=$1 std=$2
  shift 2
  "$arbiter" disasm "$@" --stdlib "$std" >"$out.disasm" 2>&1
  "$arbiter" lint --stats "$@" --stdlib "$std" >"$out.stats" 2>&1
  "$arbiter" test "$@" --stdlib "$std" >"$out.test" 2>&1
  "$arbiter" compile "$@" --stdlib "$std" -o "$out.arbpack" >/dev/null 2>&1
  stat -c %s "$out.arbpack" >"$out.size" 2>/dev/null
}
cp -r "$src/stdlib-rules" "$tmp/std"
cp -r "$src/examples" "$tmp/ex"
snapshot "$tmp/std-before" "$tmp/std" "$tmp/std"
snapshot "$tmp/ex-before" "$tmp/std" "$tmp"/ex/rules/*.rules
"$arbiter" check "$tmp"/ex/rules/*.rules --stdlib "$tmp/std" --claims "$tmp/ex/claims/claims.csv" \
  -o "$tmp/f-before.jsonl" >/dev/null 2>&1
# spoil the layout first, so that formatting has work to do everywhere
for f in "$tmp"/std/*.rules "$tmp"/std/input/*.rules "$tmp"/ex/rules/*.rules; do
  sed -i -E 's/^  (for|when|flag|match|phase) /\1   /; s/^  ([a-z_]+)  +/     \1 /; s/^(define [a-z_]+)\(/\1 ( /' "$f"
done
"$arbiter" fmt "$tmp/std" "$tmp"/ex/rules/*.rules >"$tmp/out" 2>&1
expect_rc "fmt in place" 0 $? "$tmp/out"
snapshot "$tmp/std-after" "$tmp/std" "$tmp/std"
snapshot "$tmp/ex-after" "$tmp/std" "$tmp"/ex/rules/*.rules
"$arbiter" check "$tmp"/ex/rules/*.rules --stdlib "$tmp/std" --claims "$tmp/ex/claims/claims.csv" \
  -o "$tmp/f-after.jsonl" >/dev/null 2>&1
for s in std ex; do
  for k in disasm stats test size; do same "$s $k" "$tmp/$s-before.$k" "$tmp/$s-after.$k"; done
done
same "example findings" "$tmp/f-before.jsonl" "$tmp/f-after.jsonl"
[ "$(grep -c "^rule " "$tmp/std-after.disasm")" -ge 50 ] && ok || bad "stdlib disasm lists too few rules"
has "inline tests ran" "$tmp/std-after.test" "passed"
# back to the checked-in text: formatting the spoiled copy gave exactly it
for f in "$src"/stdlib-rules/*.rules "$src"/stdlib-rules/input/*.rules "$src"/examples/rules/*.rules; do
  rel=${f#"$src"/}
  rel=${rel/stdlib-rules/std}
  rel=${rel/examples/ex}
  same "formatted $rel" "$f" "$tmp/$rel"
done

# tests/data rule files that compile: each alone, before and after
while IFS= read -r f; do
  d=$tmp/data/$(basename "$(dirname "$f")")
  rm -rf "$d" && mkdir -p "$d" && cp -r "$(dirname "$f")"/. "$d"
  g=$d/$(basename "$f")
  "$arbiter" lint "$g" --stdlib "$src/stdlib-rules" >/dev/null 2>&1 || continue
  "$arbiter" disasm "$g" --stdlib "$src/stdlib-rules" >"$tmp/d1" 2>&1
  "$arbiter" fmt "$g" >"$tmp/out" 2>&1
  "$arbiter" disasm "$g" --stdlib "$src/stdlib-rules" >"$tmp/d2" 2>&1
  same "disasm of ${f#"$src"/}" "$tmp/d1" "$tmp/d2"
done < <(find "$src/tests/data" -name '*.rules' | sort)

# 3. the checked-in libraries are formatted
"$arbiter" fmt --check "$src/stdlib-rules" "$src/examples/rules" >"$tmp/out" 2>&1
expect_rc "stdlib and examples formatted" 0 $? "$tmp/out"

# 4. --check lists what would change (exit 1) and writes nothing; --diff
#    prints a unified diff; a file that does not parse: file:line:col, exit 2
mkdir "$tmp/c"
printf 'category C "t" {\n  code "X" tier policy\n}\nrule C.1 in C\n  for line in claim.lines\n      when line.quantity>2\n  flag line\n' >"$tmp/c/a.rules"
cp "$tmp/c/a.rules" "$tmp/c/a.orig"
"$arbiter" fmt --check "$tmp/c/a.rules" >"$tmp/out" 2>&1
expect_rc "--check on an unformatted file" 1 $? "$tmp/out"
has "--check names it" "$tmp/out" "$tmp/c/a.rules"
same "--check writes nothing" "$tmp/c/a.orig" "$tmp/c/a.rules"
"$arbiter" fmt --diff "$tmp/c/a.rules" >"$tmp/out" 2>&1
expect_rc "--diff" 1 $? "$tmp/out"
has "--diff shows the new line" "$tmp/out" "+  when line.quantity > 2"
has "--diff shows the old line" "$tmp/out" "-      when line.quantity>2"
"$arbiter" fmt - <"$tmp/c/a.rules" >"$tmp/out" 2>&1
expect_rc "stdin" 0 $? "$tmp/out"
has "stdin to stdout" "$tmp/out" '  code "X"  tier policy'
"$arbiter" fmt "$tmp/c" >"$tmp/out" 2>&1
expect_rc "a directory, in place" 0 $? "$tmp/out"
"$arbiter" fmt --check "$tmp/c/a.rules" >"$tmp/out" 2>&1
expect_rc "--check after fmt" 0 $? "$tmp/out"
printf 'rule R.1 in C\n  when claim.total_amount > > 1\n' >"$tmp/c/bad.rules"
cp "$tmp/c/bad.rules" "$tmp/c/bad.orig"
"$arbiter" fmt "$tmp/c/bad.rules" >"$tmp/out" 2>&1
expect_rc "syntax error" 2 $? "$tmp/out"
has "syntax error position" "$tmp/out" "bad.rules:2:29: error: syntax error: unexpected '>'"
same "a file with a syntax error is left alone" "$tmp/c/bad.orig" "$tmp/c/bad.rules"
"$arbiter" fmt --bogus x >"$tmp/out" 2>&1
expect_rc "unknown option" 2 $? "$tmp/out"
"$arbiter" fmt --help >"$tmp/out" 2>&1
expect_rc "--help" 0 $? "$tmp/out"
has "--help" "$tmp/out" "usage: arbiter fmt"

# 5. the example of docs/language.md ("Formatting"): the text before is
#    formatted as the text after
python3 - "$src/docs/language.md" "$tmp" <<'PY'
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<!-- fmt-example -->\n```text\n(.*?)```\n.*?```arbiter\n(.*?)```", t, re.S)
open(sys.argv[2] + "/doc-before.rules", "w", encoding="utf-8").write(m.group(1))
open(sys.argv[2] + "/doc-after.rules", "w", encoding="utf-8").write(m.group(2))
PY
"$arbiter" fmt - <"$tmp/doc-before.rules" >"$tmp/doc-got.rules" 2>&1
same "the docs example" "$tmp/doc-after.rules" "$tmp/doc-got.rules"

echo "fmt: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
