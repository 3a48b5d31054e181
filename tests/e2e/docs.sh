#!/usr/bin/env bash
# docs.sh ARBITER SRC — every ```arbiter block of docs/language.md is a test:
# each is checked with `arbiter lint` against the standard schema and must
# compile cleanly, and a block holding inline tests must pass `arbiter test`.
set -euo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/docs"
ln -s "$src/tests" "$tmp/tests"
python3 - "$src/docs/language.md" "$tmp/docs" <<'PY'
import sys, re
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"```arbiter\n(.*?)```", text, re.S)
for i, b in enumerate(blocks):
    open(f"{sys.argv[2]}/block{i:02d}.rules", "w", encoding="utf-8").write(b)
print(len(blocks))
PY
n=0 failed=0
for f in "$tmp"/docs/block*.rules; do
  n=$((n + 1))
  if ! "$arbiter" lint "$f" --stdlib "$src/stdlib-rules" 2>"$tmp/err"; then
    echo "FAIL: docs block $(basename "$f"):"; cat "$tmp/err"; sed 's/^/    | /' "$f"
    failed=$((failed + 1))
  elif grep -q '^test "' "$f" && ! "$arbiter" test "$f" --stdlib "$src/stdlib-rules" >"$tmp/out" 2>&1; then
    echo "FAIL: the inline tests of docs block $(basename "$f"):"; cat "$tmp/out"
    failed=$((failed + 1))
  fi
done
[ "$n" -ge 10 ] || { echo "only $n examples found in docs/language.md"; exit 1; }
echo "$((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
