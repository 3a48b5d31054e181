#!/usr/bin/env bash
# po.sh ARBITER SRC — the Chinese catalog cannot drift: every message the
# sources mark (po/update-pot.sh, run here on the sources as they are) has a
# translation in po/zh_CN.po that is neither empty nor fuzzy, the printf
# format specifiers of each translation match its English (msgfmt
# --check-format), and the catalog has no translation left for a message
# that is gone.  A message added without its translation fails this test.
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

echo "po: $pass passed, $fail failed ($n messages)"
[ "$fail" -eq 0 ]
