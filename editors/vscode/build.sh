#!/usr/bin/env bash
# build.sh [OUT.vsix] — packages the VS Code extension (editors/vscode) as a
# .vsix with @vscode/vsce.  npm installs into a cache directory outside the
# repository ($ARB_NPM_CACHE, default ~/.cache/arbiter-npm): the tool, and a
# staged copy of the extension with its dependency (vscode-languageclient);
# nothing is written into the source tree but OUT (default:
# build/arbiter-rules.vsix at the top of the repository).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/build/arbiter-rules.vsix}
cache=${ARB_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/arbiter-npm}
VSCE_VERSION=3.9.2 # the last @vscode/vsce for Node 20 (Debian 12 has 18; see scripts/setup.sh)
npm_flags=(--no-audit --no-fund --loglevel=error --cache "$cache/npm-cache")

mkdir -p "$cache/vsce" "$(dirname "$out")"
if [ ! -x "$cache/vsce/node_modules/.bin/vsce" ]; then
  echo "build.sh: npm install @vscode/vsce@$VSCE_VERSION into $cache/vsce"
  (cd "$cache/vsce" && npm install "${npm_flags[@]}" "@vscode/vsce@$VSCE_VERSION" >/dev/null)
fi
stage="$cache/stage"
rm -rf "$stage"
mkdir -p "$stage"
cp -r "$here/package.json" "$here/extension.js" "$here/language-configuration.json" \
  "$here/README.md" "$here/.vscodeignore" "$here/syntaxes" "$stage/"
(cd "$stage" && npm install "${npm_flags[@]}" --omit=dev >/dev/null)
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$stage" && "$cache/vsce/node_modules/.bin/vsce" package --allow-missing-repository \
  --skip-license -o "$out_abs" >/dev/null)
echo "build.sh: wrote $out_abs"
