"""test_docs.py — the Python examples of docs/embedding.md: each ```python
block followed by a ```text block is run where lib.arbpack and claims.jsonl
are made as the document says (`arbiter compile` of the standard library,
`arbiter gen claims --n 100 --seed 7`), and prints exactly that text."""

import os
import re
import subprocess
import sys



def examples(src):
    with open(os.path.join(src, "docs", "embedding.md"), encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"```python\n(.*?)```\n\n```text\n(.*?)```", text, re.S)


def test_examples_print_what_the_doc_says(tmp_path, src, stdlib, arbiter_bin):
    found = examples(src)
    assert len(found) >= 2
    subprocess.run(
        [arbiter_bin, "compile", stdlib, "-o", str(tmp_path / "lib.arbpack")],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [arbiter_bin, "gen", "claims", "--n", "100", "--seed", "7", "-o", str(tmp_path / "claims.jsonl")],
        check=True,
        capture_output=True,
    )
    for i, (code, want) in enumerate(found):
        script = tmp_path / f"example{i}.py"
        script.write_text(code, encoding="utf-8")
        r = subprocess.run(
            [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert r.returncode == 0, r.stderr
        assert r.stdout == want, f"example {i}:\n{r.stdout}"
