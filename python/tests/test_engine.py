"""test_engine.py — compiling, loading packs, checking single claims and
files: the findings equal byte for byte those of the arbiter command."""

import json
import os

import arbiter
import pytest
from conftest import run_check


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def test_check_file_equals_cli(tmp_path, stdlib, claims, arbiter_bin):
    cli = str(tmp_path / "cli.jsonl")
    assert run_check(arbiter_bin, [stdlib], claims, cli) == 0
    with arbiter.Engine.from_rules([stdlib]) as eng:
        out = str(tmp_path / "py.jsonl")
        st = eng.check_file(claims, out, threads=2)
    assert open(out, "rb").read() == open(cli, "rb").read()
    assert st["status"] == 0
    assert st["records_read"] == st["audited"] == 300
    assert st["findings"] == len(read_lines(cli)) > 0
    assert sum(c["findings"] for c in st["categories"]) == st["findings"]


def test_check_one_claim_equals_cli(tmp_path, stdlib, claims, arbiter_bin):
    """A claim checked alone gives the lines `arbiter check` writes for a
    file holding only that claim (no history: the batch is the claim)."""
    eng = arbiter.Engine.from_rules(stdlib)
    lines = read_lines(claims)
    flagged = 0
    for i, line in enumerate(lines[:120]):
        raw = eng.check(line, raw=True)
        as_dict = eng.check(json.loads(line))
        assert as_dict == [json.loads(t) for t in raw]
        if not raw and i % 10:
            continue  # compare every flagged claim and every tenth other
        one = tmp_path / f"c{i}.jsonl"
        one.write_text(line + "\n", encoding="utf-8")
        out = str(tmp_path / f"f{i}.jsonl")
        run_check(arbiter_bin, [stdlib], str(one), out)
        assert read_lines(out) == raw, line[:40]
        flagged += bool(raw)
    assert flagged >= 5
    eng.close()


def test_finding_fields(stdlib, claims):
    eng = arbiter.Engine.from_rules(stdlib)
    found = [f for line in read_lines(claims) for f in eng.check(line)]
    assert found
    f = found[0]
    for key in ("claim_id", "rule", "category", "severity", "message"):
        assert key in f, f
    eng.close()


def test_phases(stdlib, claims):
    eng = arbiter.Engine.from_rules(stdlib)
    lines = read_lines(claims)
    fewer = set()
    for line in lines:
        every = eng.check(line)
        assert eng.check(line, phase="pre,settle,post") == every
        assert eng.check(line, phase=["pre", "settle", "post"]) == every
        for p in ("pre", "settle", "post"):
            some = eng.check(line, phase=p)
            assert all(f in every for f in some)
            if len(some) < len(every):
                fewer.add(p)
    assert fewer, "no phase left out any finding"
    with pytest.raises(ValueError, match="unknown phase 'later'"):
        eng.check(lines[0], phase="later")
    eng.close()


def test_pack(tmp_path, stdlib, claims, arbiter_bin):
    pack = str(tmp_path / "lib.arbpack")
    with arbiter.Engine.from_rules(stdlib) as eng:
        eng.write_pack(pack)
        ids = eng.rule_ids
        pid = eng.pack_id
    with arbiter.Engine.from_pack(pack) as eng:
        assert eng.rule_ids == ids and eng.pack_id == pid != 0
        out = str(tmp_path / "py.jsonl")
        eng.check_file(claims, out)
    cli = str(tmp_path / "cli.jsonl")
    run_check(arbiter_bin, ["--pack", pack], claims, cli)
    assert open(out, "rb").read() == open(cli, "rb").read()


def test_rejects_reported_with_lines(tmp_path, stdlib, claims):
    lines = read_lines(claims)[:5]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines[:2] + ['{"claim_id": 5'] + lines[2:]) + "\n", encoding="utf-8")
    seen = []
    with arbiter.Engine.from_rules(stdlib) as eng:
        st = eng.check_file(str(bad), rejects=str(tmp_path / "rej.jsonl"), on_reject=seen.append)
    assert st["status"] == arbiter.DataError(" ").code == 3
    assert st["rejected"] == 1 and st["audited"] == 5
    assert [(r["file"], r["line"]) for r in st["reject_list"]] == [(str(bad), 3)]
    assert seen == st["reject_list"]


def test_default_stdlib_is_the_source_tree():
    assert os.path.exists(os.path.join(arbiter.default_stdlib_dir(), "schema.rules"))


def test_help_of_the_module():
    assert "GIL" in arbiter.__doc__ and "thread" in arbiter.Engine.check.__doc__
