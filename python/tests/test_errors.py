"""test_errors.py — errors are exceptions carrying the diagnostics, with
file:line:col; bad claims name their column."""

import arbiter
import pytest

BAD = """# bad.rules: a rule reading a field the schema lacks
category T "test" {
  severity high  nature definite  points 1
}

rule T.1 "t" in T
  for line in claim.lines
  when line.no_such_field > 1
  flag line message "x"
"""


def test_rule_errors_have_positions(tmp_path):
    path = tmp_path / "bad.rules"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(arbiter.RulesError) as ei:
        arbiter.Engine.from_rules([str(path)])
    err = ei.value
    assert err.code == 2 and err.kind == "rules"
    errors = [d for d in err.diagnostics if d.severity == "error"]
    assert errors, err.diagnostics
    d = errors[0]
    assert d.file == str(path)
    assert d.line >= 1 and d.col >= 1
    # the position is where the text says, and the text is file:line:col first
    assert d.text.startswith(f"{path}:{d.line}:{d.col}: error: ")
    assert str(err).startswith(f"{path}:{d.line}:{d.col}: error: ")
    assert (d.line, d.col) == (8, 13)
    assert BAD.splitlines()[d.line - 1][d.col - 1 :].startswith("no_such_field")
    assert "no field 'no_such_field'" in d.message


def test_source_named_in_messages():
    with pytest.raises(arbiter.RulesError) as ei:
        arbiter.Engine.from_source("category {", name="inline.rules")
    d = ei.value.diagnostics[0]
    assert (d.file, d.line) == ("inline.rules", 1)
    assert str(ei.value).startswith(f"inline.rules:1:{d.col}: error: ")


def test_missing_rule_file(tmp_path):
    with pytest.raises(arbiter.ArbiterError) as ei:
        arbiter.Engine.from_rules([str(tmp_path / "none.rules")])
    assert "none.rules" in str(ei.value)
    assert not isinstance(ei.value, arbiter.RulesError)


def test_bad_pack(tmp_path):
    p = tmp_path / "x.arbpack"
    p.write_bytes(b"not a pack at all" * 10)
    with pytest.raises(arbiter.RulesError) as ei:
        arbiter.Engine.from_pack(str(p))
    assert str(ei.value)


def test_bad_claim_names_its_column(stdlib):
    eng = arbiter.Engine.from_rules(stdlib)
    with pytest.raises(arbiter.DataError) as ei:
        eng.check('{"claim_id": "C1", "lines": [}')
    assert ei.value.code == 3
    assert ei.value.column == 30, str(ei.value)
    assert str(ei.value).startswith("column 30: ")
    with pytest.raises(TypeError):
        eng.check(42)
    eng.close()
    with pytest.raises(arbiter.ArbiterError, match="closed"):
        eng.check("{}")


def test_unreadable_claims_file(tmp_path, stdlib):
    eng = arbiter.Engine.from_rules(stdlib)
    with pytest.raises(arbiter.DataError) as ei:
        eng.check_file(str(tmp_path / "absent.jsonl"))
    assert "absent.jsonl" in str(ei.value)
    eng.close()
