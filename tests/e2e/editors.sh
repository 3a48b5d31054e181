#!/usr/bin/env bash
# editors.sh ARBITER SRC — the editor support (editors/): the TextMate grammar
# tokenizes every stdlib rule file without an invalid scope or a keyword left
# bare, and its keywords (and the Vim file's) are the lexer's
# (editors/vscode/test/tokenize.js, with vscode-textmate and
# vscode-oniguruma from npm, installed into a cache outside the repository);
# Vim loads the syntax and ftdetect files without an error, when Vim is
# installed.  Skipped (77) when node or the npm packages cannot be had.
set -euo pipefail
src=$(cd "$2" && pwd)
cache=${ARB_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/arbiter-npm}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node and npm are not installed (scripts/setup.sh installs them)"
  exit 77
fi
mkdir -p "$cache/textmate"
if [ ! -d "$cache/textmate/node_modules/vscode-textmate" ] ||
  [ ! -d "$cache/textmate/node_modules/vscode-oniguruma" ]; then
  if ! (cd "$cache/textmate" && npm install --no-audit --no-fund --loglevel=error \
    --cache "$cache/npm-cache" vscode-textmate@9.4.0 vscode-oniguruma@2.0.1 >/dev/null); then
    echo "SKIP: npm could not install vscode-textmate and vscode-oniguruma into $cache/textmate"
    exit 77
  fi
fi
NODE_PATH="$cache/textmate/node_modules" node "$src/editors/vscode/test/tokenize.js" "$src"

# the extension's manifest names files that exist, and they are valid JSON
node -e '
const fs = require("fs"), path = require("path"), dir = process.argv[1];
const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json")));
const files = [pkg.main, ...pkg.contributes.languages.map((l) => l.configuration),
  ...pkg.contributes.grammars.map((g) => g.path)];
for (const f of files) JSON.parse(f.endsWith(".json") ? fs.readFileSync(path.join(dir, f)) : "{}");
for (const f of files) fs.accessSync(path.join(dir, f));
if (pkg.contributes.grammars[0].scopeName !== "source.arbiter") throw new Error("scope");
console.log("package.json: " + files.length + " files present");
' "$src/editors/vscode"

if command -v vim >/dev/null; then
  out=$(mktemp)
  trap 'rm -f "$out"' EXIT
  vim -Nu NONE -i NONE -es --cmd "set rtp^=$src/editors/vim" --cmd "filetype on" --cmd "syntax on" \
    -c "redir! > $out" -c 'echo &filetype . " " . b:current_syntax' -c "redir END" -c 'qa!' \
    "$src/stdlib-rules/08_drug_indication.rules" </dev/null || true
  if ! grep -q "arbiter arbiter" "$out"; then
    echo "FAIL: vim did not load the arbiter filetype and syntax: $(cat "$out")"
    exit 1
  fi
  echo "vim: filetype and syntax loaded"
fi
echo "editors: ok"
