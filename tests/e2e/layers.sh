#!/usr/bin/env bash
# layers.sh — the rule of who may include whom (docs/architecture.md,
# "Layers"), checked over the sources: every #include "..." of a layer's
# files must name a header of its own folder, of include/ (the public
# headers) or of a folder the layer may use.  Names each file and line that
# breaks the rule.  The build enforces the same rule for libarbiter's layers
# (each object library sees only the include directories below it); this
# test also covers the modules above the API and says which file is wrong.
#
#   layers.sh ARBITER SRC    the test: SRC passes, and a copy of it with
#                            wrong includes put in fails, naming them
#   layers.sh --check DIR    checks the tree at DIR only (exit 1: a file breaks the rule)
set -euo pipefail

# layer: the folders its files may include from, besides their own and include/
declare -A MAY=(
  [base]=""
  [runtime]="base"
  [history]="base runtime"
  [lang]="base runtime"
  [compiler]="base runtime lang"
  [api]="base runtime history lang compiler"
  # above the API: the libraries the command links, and the command
  [server]="base"
  [report]="base"
  [import]="base"
  [testing]="base"
  [synth]="base runtime"
  [lsp]="base runtime lang compiler"
  [cli]="base runtime synth import testing server lsp report"
  [examples/embed]=""
)
# files that sit above their folder's layer (with the folders they may use)
declare -A FILE_MAY=(
  # not in libarbiter: arbiter_jit plugs native code into an engine
  [compiler/jit.c]="base runtime history lang compiler api"
)
# every folder a header may be found in, in the order a name is looked up
ALL="base runtime history lang compiler api server report import testing synth lsp cli include"

# where the header named $1 lives: the first of the folders $2 that has it
# (grammar.h is made from lang/grammar.y in the build tree)
find_header() {
  local name=$1 d
  for d in $2; do
    if [[ -f $root/$d/$name ]] || [[ $name == grammar.h && $d == lang ]]; then
      echo "$d"
      return
    fi
  done
}

check_tree() {
  root=$1
  local bad=0 layer f line num name own may found
  for layer in "${!MAY[@]}"; do
    [[ -d $root/$layer ]] || continue
    for f in "$root/$layer"/*.c "$root/$layer"/*.cc "$root/$layer"/*.h "$root/$layer"/*.y \
      "$root/$layer"/*.re; do
      [[ -f $f ]] || continue
      local rel=${f#"$root"/}
      may=${FILE_MAY[$rel]-${MAY[$layer]}}
      while IFS=: read -r num line; do
        [[ $line =~ \"([^\"]+)\" ]] && name=${BASH_REMATCH[1]}
        own=$(find_header "$name" "$layer include $may")
        [[ -n $own ]] && continue
        found=$(find_header "$name" "$ALL")
        # shellcheck disable=SC2086 # $may: a list of folders
        echo "$rel:$num: includes ${found:-?}/$name, but $layer/ may include only from $layer/," \
          "include/${may:+$(printf ', %s/' $may)}"
        bad=$((bad + 1))
      done < <(grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" || true)
    done
  done
  return $((bad > 0))
}

if [[ ${1-} == --check ]]; then
  check_tree "$2"
  exit
fi

src=$2
# 1. the tree as it is keeps the rule
if ! out=$(check_tree "$src"); then
  echo "layers: these includes break the layering (docs/architecture.md, \"Layers\"):"
  echo "$out"
  exit 1
fi
echo "layers: $src keeps the rule"

# 2. the check fails, naming file and line, when a layer includes from above
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in $ALL examples; do cp -r "$src/$d" "$tmp/"; done
echo '#include "check.h"' >>"$tmp/runtime/vm.c"   # runtime -> lang
echo '#include "engine.h"' >>"$tmp/lang/fmt.c"    # lang -> api
echo '#include "compile.h"' >>"$tmp/lang/syntax.c" # lang -> compiler
echo '#include "vm.h"' >>"$tmp/base/strbuf.h"     # base -> runtime
echo '#include "hstore.h"' >>"$tmp/runtime/pack.c" # runtime -> history
echo '#include "engine.h"' >>"$tmp/server/slot.c" # the service -> api internals
if out=$(check_tree "$tmp"); then
  echo "layers: FAIL: wrong includes were not found"
  exit 1
fi
got=$(sort <<<"$out")
want=$(
  sort <<EOF
base/strbuf.h:$(wc -l <"$tmp/base/strbuf.h"): includes runtime/vm.h, but base/ may include only from base/, include/
lang/fmt.c:$(wc -l <"$tmp/lang/fmt.c"): includes api/engine.h, but lang/ may include only from lang/, include/, base/, runtime/
lang/syntax.c:$(wc -l <"$tmp/lang/syntax.c"): includes compiler/compile.h, but lang/ may include only from lang/, include/, base/, runtime/
runtime/pack.c:$(wc -l <"$tmp/runtime/pack.c"): includes history/hstore.h, but runtime/ may include only from runtime/, include/, base/
runtime/vm.c:$(wc -l <"$tmp/runtime/vm.c"): includes lang/check.h, but runtime/ may include only from runtime/, include/, base/
server/slot.c:$(wc -l <"$tmp/server/slot.c"): includes api/engine.h, but server/ may include only from server/, include/, base/
EOF
)
if [[ $got != "$want" ]]; then
  echo "layers: FAIL: wrong includes reported as"
  echo "$got"
  echo "expected"
  echo "$want"
  exit 1
fi
echo "layers: wrong includes are found and named:"
echo "$got"
