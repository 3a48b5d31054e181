#!/usr/bin/env bash
# serve_docs.sh ARBITER SRC — the "Try it" block of docs/serve.md runs as
# written (the port changed to a free one) and gives the answers the text
# after it describes.
set -uo pipefail
arbiter=$1 src=$(realpath "$2")
tmp=$(mktemp -d)
trap 'kill %1 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/work"
ln -s "$(realpath "$arbiter")" "$tmp/bin/arbiter"
ln -s "$src/stdlib-rules" "$tmp/work/stdlib-rules"
ln -s "$src/tests" "$tmp/work/tests"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$src/docs/serve.md" "$port" >"$tmp/block.sh" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
part = text[text.index("## Try it"):]
block = re.search(r"```sh\n(.*?)```", part, re.S).group(1)
print(block.replace("8600", sys.argv[2]))
PY
(cd "$tmp/work" && PATH="$tmp/bin:$PATH" bash -e "$tmp/block.sh") >"$tmp/out" 2>"$tmp/err"
rc=$?
fail=0
bad() { echo "FAIL: $*"; fail=1; }
[ $rc -eq 0 ] || { bad "the block exits $rc"; cat "$tmp/err"; }
grep -q '^{"status":"ok","pack_id":"[0-9a-f]*","history":true}' "$tmp/out" || bad "healthz answer"
python3 - "$tmp/out" <<'PY' || bad "the claim's findings are not the three the text names"
import json, sys
answers = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
f = answers[1]["findings"]
rules = sorted(x["rule"] for x in f)
assert rules == ["CLAIM_INFO.1", "CLAIM_INFO.4", "SERVICE_PRICE.1"], rules
n = answers[2]
assert n["infcode"] == 0 and n["err_msg"] == "" and n["output"]["result"][0]["jr_id"], n
PY
grep -q '"endpoint":"nhsa_3101"' "$tmp/work/access.log" || bad "access.log"
grep -q "stopped" "$tmp/err" || bad "serve did not stop on SIGTERM"
[ $fail -eq 0 ] && echo "serve docs: the block runs as documented"
exit $fail
