"""test_history.py — the history store through the package: a batch
against a store equals `arbiter check --history`; a single claim checked
after its person's earlier claims were recorded sees them."""

import json
import subprocess

import arbiter


def test_check_file_with_history_equals_cli(tmp_path, stdlib, claims, arbiter_bin):
    with open(claims, encoding="utf-8") as f:
        lines = f.read().splitlines()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(lines[:150]) + "\n", encoding="utf-8")
    second.write_text("\n".join(lines[150:]) + "\n", encoding="utf-8")
    # the command: record the first half, audit the second against it
    cli_db = str(tmp_path / "cli_db")
    subprocess.run(
        [arbiter_bin, "history", "add", cli_db, "--claims", str(first)],
        check=True,
        capture_output=True,
    )
    cli_out = str(tmp_path / "cli.jsonl")
    subprocess.run(
        [arbiter_bin, "check", stdlib, "--claims", str(second), "--history", cli_db,
         "-o", cli_out, "--quiet"],
        check=True,
        capture_output=True,
    )
    # the package: the same, through History
    eng = arbiter.Engine.from_rules(stdlib)
    h = eng.open_history(str(tmp_path / "py_db"), write=True)
    st = h.add_file(str(first))
    assert st["recorded"] == 150 or st["records_read"] == 150
    info = h.stats()
    assert info["claims"] == 150 and info["persons"] > 0
    out = str(tmp_path / "py.jsonl")
    st = eng.check_file(str(second), out, history=h, record=True)
    assert st["audited"] == 150 and st["recorded"] == 150
    assert open(out, "rb").read() == open(cli_out, "rb").read()
    assert h.stats()["claims"] == 300
    h.close()
    eng.close()


def test_record_then_check_sees_history(tmp_path, stdlib, claims, arbiter_bin):
    """A finding of a history rule in the batch: recording the claims before
    it, one by one, then checking it alone gives the same finding."""
    batch = str(tmp_path / "batch.jsonl")
    subprocess.run(
        [arbiter_bin, "check", stdlib, "--claims", claims, "-o", batch, "--quiet"],
        capture_output=True,
    )
    with open(batch, encoding="utf-8") as f:
        found = [json.loads(x) for x in f]
    hist = [f for f in found if f.get("evidence")]
    assert hist, "no finding with evidence from history"
    target = hist[0]
    with open(claims, encoding="utf-8") as f:
        lines = f.read().splitlines()
    ids = [json.loads(x)["claim_id"] for x in lines]
    k = ids.index(target["claim_id"])

    eng = arbiter.Engine.from_rules(stdlib)
    before = eng.check(lines[k])
    assert target not in before  # alone, the claim has no history
    h = eng.open_history(str(tmp_path / "db"), write=True)
    eng.set_history(h)
    for x in lines[:k]:
        eng.record(x)
    after = eng.check(lines[k])
    assert target in after
    h.close()
    eng.close()
