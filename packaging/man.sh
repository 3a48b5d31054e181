#!/usr/bin/env bash
# man.sh ARBITER SRC OUT VERSION — makes the man pages with pandoc:
# OUT/arbiter.1 from packaging/arbiter.1.md with every command's --help text
# (as the built ARBITER prints it) in place of its @COMMANDS@ line, and
# OUT/arbiter-rules.7 from docs/language.md, the rule language.
set -euo pipefail
bin=$1 src=$2 out=$3 version=$4
# the help texts in English, whatever the builder's locale (--lang, LANG)
export LC_ALL=C LANGUAGE=
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# each command's help as a subsection holding the text verbatim
while IFS='|' read -r title args; do
  printf '## %s\n\n```\n' "$title"
  # shellcheck disable=SC2086
  "$bin" $args --help
  printf '```\n\n'
done >"$tmp/commands.md" <<'LIST'
arbiter check|check
arbiter lint|lint
arbiter compile|compile
arbiter disasm|disasm
arbiter gen|gen
arbiter gen library|gen library
arbiter gen claims --library|gen claims --library DIR
arbiter test|test
arbiter diff|diff
arbiter explain|explain
arbiter import|import
arbiter score|score
arbiter history|history
arbiter serve|serve
arbiter report|report
arbiter fmt|fmt
arbiter lsp|lsp
LIST
sed -e '/^<!--/,/-->$/d' "$src/packaging/arbiter.1.md" | while IFS= read -r line; do
  if [ "$line" = "@COMMANDS@" ]; then cat "$tmp/commands.md"; else printf '%s\n' "$line"; fi
done >"$tmp/arbiter.1.md"
pandoc -s -f markdown-smart -t man -M title=ARBITER -M section=1 -M "footer=arbiter $version" \
  -M "header=Arbiter manual" -o "$out/arbiter.1" "$tmp/arbiter.1.md"

# the rule language: its first heading becomes NAME, the rest as written
{
  printf '# NAME\n\narbiter-rules - the Arbiter rule language for auditing medical-insurance claims\n\n'
  printf '# DESCRIPTION\n\n'
  sed -e '1{/^# /d}' "$src/docs/language.md"
  printf '\n# SEE ALSO\n\n**arbiter**(1); *docs/language.md* in the source repository, from which this page is made.\n'
} >"$tmp/arbiter-rules.md"
pandoc -s -f markdown-smart -t man -M title=ARBITER-RULES -M section=7 -M "footer=arbiter $version" \
  -M "header=Arbiter manual" -o "$out/arbiter-rules.7" "$tmp/arbiter-rules.md"
