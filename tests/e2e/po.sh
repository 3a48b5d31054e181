#!/usr/bin/env bash
# po.sh ARBITER SRC — the Chinese catalog cannot drift: every message the
# sources mark (po/update-pot.sh, run here on the sources as they are) has a
# translation in po/zh_CN.po that is neither empty nor fuzzy, the printf
# format specifiers of each translation match its English (msgfmt
# --check-format), and the catalog has no translation left for a message
# that is gone.  A message added without its translation fails this test.
# And every command's --help is in Chinese under --lang zh_CN (and under
# LANG=zh_CN.UTF-8), and not under the default.
set -uo pipefail
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

bash "$src/po/update-pot.sh" "$src" "$tmp/arbiter.pot" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
n=$(grep -c '^msgid "' "$tmp/arbiter.pot")
[ "$n" -ge 250 ] && ok || bad "only $n messages extracted"

# the catalog merged with the template, without guessing: what the template
# has and the catalog lacks comes out untranslated
msgmerge --quiet --no-fuzzy-matching "$src/po/zh_CN.po" "$tmp/arbiter.pot" -o "$tmp/merged.po"
msgattrib --untranslated --no-obsolete "$tmp/merged.po" -o "$tmp/untranslated.po"
if grep -q '^msgid "[^"]' "$tmp/untranslated.po" 2>/dev/null; then
  bad "messages without a translation in po/zh_CN.po:"
  grep '^msgid "[^"]' "$tmp/untranslated.po" | sed 's/^/    | /'
else ok; fi
msgattrib --only-fuzzy "$src/po/zh_CN.po" -o "$tmp/fuzzy.po"
if grep -q '^msgid "[^"]' "$tmp/fuzzy.po" 2>/dev/null; then
  bad "fuzzy translations in po/zh_CN.po:"; grep '^msgid' "$tmp/fuzzy.po" | sed 's/^/    | /'
else ok; fi
msgattrib --only-obsolete "$tmp/merged.po" -o "$tmp/obsolete.po"
if grep -q '^#~ msgid "[^"]' "$tmp/obsolete.po" 2>/dev/null; then
  bad "translations of messages that are gone:"; grep '^#~ msgid' "$tmp/obsolete.po" | sed 's/^/    | /'
else ok; fi
# format specifiers, header, plurals
if msgfmt --check --check-format -o /dev/null "$src/po/zh_CN.po" 2>"$tmp/err"; then ok; else
  bad "msgfmt --check:"; sed 's/^/    | /' "$tmp/err"
fi
# and the check can fail: a translation with a wrong specifier is refused
sed '0,/^msgstr "%s 没有任何字段"$/s//msgstr "%d 没有任何字段"/' "$src/po/zh_CN.po" >"$tmp/broken.po"
cmp -s "$tmp/broken.po" "$src/po/zh_CN.po" && bad "the sample translation to break is gone"
msgfmt --check-format -o /dev/null "$tmp/broken.po" 2>/dev/null && bad "a wrong specifier passes" || ok
# no translation left in English
if grep -A1 '^msgid' "$src/po/zh_CN.po" | awk '/^msgid/{id=$0; next} /^msgstr/{s=$0; sub(/^msgid/,"msgstr",id); if (s == id && s != "msgstr \"\"" && s !~ /%s:%llu/) print s}' | grep -q .; then
  bad "translations equal to their English:"
else ok; fi

# every command's --help (the commands the main help lists, and the
# subcommands with a help of their own) is in Chinese under --lang zh_CN
# and under LANG=zh_CN.UTF-8, and in English by default: it has CJK text and
# differs from the English (the English report help names Chinese sheets)
arbiter=$1
# help_verdict EN ZH ENV_ZH: what is wrong with a command's helps, or nothing
# (here-strings, not pipes: grep -q leaves as soon as it matches, and under
# pipefail the writer's SIGPIPE would fail the test at random)
help_verdict() {
  if ! grep -q '^usage: arbiter' <<<"$1"; then echo "no English usage"
  elif ! grep -qP '^用法：' <<<"$2" || ! grep -qP '[\x{4e00}-\x{9fff}]{4}' <<<"$2"; then
    echo "no Chinese text under --lang zh_CN"
  elif [ "$2" = "$1" ]; then echo "the English under --lang zh_CN"
  elif [ "$3" != "$2" ]; then echo "under LANG=zh_CN.UTF-8 not the same as under --lang zh_CN"
  fi
}
cmds=$("$arbiter" --lang en --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
[ "$(echo "$cmds" | wc -l)" -ge 15 ] && ok || bad "only $(echo "$cmds" | wc -l) commands in the main help"
ncmd=0
while IFS= read -r c; do
  [ -n "$c" ] || continue
  ncmd=$((ncmd + 1))
  # shellcheck disable=SC2086
  en=$(LANGUAGE= LC_ALL= LC_MESSAGES= LANG=C "$arbiter" $c --help 2>&1)
  # shellcheck disable=SC2086
  zh=$("$arbiter" --lang zh_CN $c --help 2>&1)
  # shellcheck disable=SC2086
  env_zh=$(LANGUAGE= LC_ALL= LC_MESSAGES= LANG=zh_CN.UTF-8 "$arbiter" $c --help 2>&1)
  v=$(help_verdict "$en" "$zh" "$env_zh")
  [ -z "$v" ] && ok || bad "arbiter $c --help: $v"
done <<EOF_CMDS
$cmds
gen library
gen claims --library x
history add
history stats
history feedback
EOF_CMDS
[ "$ncmd" -ge 20 ] && ok || bad "only $ncmd helps checked"
# and the check can fail: a help left in English, or the same in both
en=$("$arbiter" --lang en check --help)
[ -n "$(help_verdict "$en" "$en" "$en")" ] && ok || bad "an English help passes as Chinese"
[ -n "$(help_verdict "$en" "用法：$en" "$en")" ] && ok || bad "a help without Chinese text passes"

echo "po: $pass passed, $fail failed ($n messages)"
[ "$fail" -eq 0 ]
