#!/usr/bin/env bash
# completion.sh ARBITER SRC — the bash completion cannot drift from the
# commands: every option a command's --help lists at the start of a line
# is offered when completing "arbiter CMD -", and every command of the main
# help is offered after "arbiter ".
set -uo pipefail
arbiter=$1 src=$2
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# shellcheck source=/dev/null
source "$src/packaging/arbiter.bash-completion"
compopt() { :; } # outside a completion, compopt complains
# complete WORDS...: what completion offers for the last word
complete_words() {
  COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
  _arbiter
  printf '%s\n' "${COMPREPLY[@]}"
}
export LC_ALL=C LANGUAGE=
cmds=$("$arbiter" --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
[ "$(echo "$cmds" | wc -l)" -ge 15 ] && ok || bad "only $(echo "$cmds" | wc -l) commands in the main help"
offered=$(complete_words arbiter "")
for c in $cmds; do
  grep -qx -- "$c" <<<"$offered" && ok || bad "'arbiter $c' is not completed"
done
# options: those a help lists at a line's start ("  --claims FILE", "  -o, --output FILE")
missing_opts() { # HELP WORDS...: the options HELP lists that completing WORDS - does not offer
  local help=$1 opts o missing=""
  shift
  opts=$(complete_words arbiter "$@" -)
  for o in $(grep -oE '^ {1,4}(-[a-zA-Z], )?--?[a-z][a-z0-9-]*' <<<"$help" | grep -oE -- '--?[a-z][a-z0-9-]*$' | sort -u); do
    [ "$o" = "-h" ] && continue
    grep -qx -- "$o" <<<"$opts" || missing="$missing $o"
  done
  printf '%s' "$missing"
}
check_opts() { # WORDS...: the command words
  local m
  m=$(missing_opts "$("$arbiter" "$@" --help 2>&1)" "$@")
  [ -z "$m" ] && ok || bad "arbiter $*: --help lists$m, completion does not offer it"
}
for c in $cmds; do
  case $c in help | gen | history | import) continue ;; esac
  check_opts "$c"
done
check_opts gen claims
check_opts gen library
check_opts import nhsa
check_opts history add
# and it can fail: an option the completion does not know is found
m=$(missing_opts "$(printf 'usage: arbiter report\n  --claims FILE  x\n  -o, --no-such-option FILE  x\n')" report)
[ "$m" = " --no-such-option" ] && ok || bad "an option completion lacks is not found: '$m'"
echo "completion: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
