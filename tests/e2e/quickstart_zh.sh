#!/usr/bin/env bash
# quickstart_zh.sh ARBITER SRC — docs/zh/快速入门.md (the Chinese quick
# start) works as written: in an empty directory, with `arbiter` on PATH and
# no language set but what the text sets, each block marked
# `<!-- 文件: PATH -->` is written to PATH, and each ```sh block runs in
# order (bash -e) and exits 0, or with the code a `<!-- 退出码: N -->` mark
# before it says; the ```text block after a `<!-- 输出 -->` mark holds lines
# the block's output must have, each whole (stdout and stderr).  ```bash
# blocks (installing) are not run.
set -uo pipefail
arbiter=$1 src=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/work"
ln -s "$(realpath "$arbiter")" "$tmp/bin/arbiter"
PATH="$tmp/bin:$PATH" \
  python3 - "$src/docs/zh/快速入门.md" "$tmp/work" <<'PY'
import os, re, subprocess, sys
doc, work = sys.argv[1], sys.argv[2]
text = open(doc, encoding="utf-8").read()
env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
failed = steps = 0
# the blocks in order, with the mark just before each
items = list(re.finditer(r"(?:<!-- (文件|退出码|输出)(?:: ([^>]*?))? -->\n)?```(\w*)\n(.*?)```", text, re.S))
prefix = ""  # the exports so far (a block's `export` holds for the next ones)
last_out = None
for m in items:
    mark, arg, lang, body = m.group(1), m.group(2), m.group(3), m.group(4)
    if mark == "文件":
        path = os.path.join(work, arg.strip())
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w", encoding="utf-8").write(body)
        continue
    if mark == "输出":
        steps += 1
        got = (last_out or "").splitlines()
        for want in body.splitlines():
            if want.strip() and want not in got:
                print(f"FAIL: output line not there: {want!r}\n    output:\n" +
                      "\n".join("    | " + l for l in got))
                failed += 1
        continue
    if lang != "sh":
        continue
    steps += 1
    want_rc = int(arg) if mark == "退出码" else 0
    p = subprocess.run(["bash", "-e", "-c", prefix + body], cwd=work, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    last_out = p.stdout.decode("utf-8", "replace")
    prefix += "".join(l + "\n" for l in body.splitlines() if l.startswith("export "))
    if p.returncode != want_rc:
        print(f"FAIL: block exits {p.returncode}, expected {want_rc}:\n{body}\n    output:\n" +
              "\n".join("    | " + l for l in last_out.splitlines()))
        failed += 1
if steps < 10:
    print(f"FAIL: only {steps} steps found")
    failed += 1
print(f"quickstart_zh: {steps} steps, {failed} failed")
sys.exit(1 if failed else 0)
PY
