"""test_claimset.py — prepared claim sets (Engine.load_claims, ClaimSet):
checked whole, in ranges and from two threads, they give the findings
`arbiter check` writes, byte for byte; rejected records are listed."""

import threading

import arbiter
from conftest import run_check


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def test_claimset_equals_cli(tmp_path, stdlib, claims, arbiter_bin):
    cli = str(tmp_path / "cli.jsonl")
    assert run_check(arbiter_bin, [stdlib], claims, cli) == 0
    want = read_lines(cli)
    assert want
    with arbiter.Engine.from_rules([stdlib]) as eng:
        cs = eng.load_claims(claims)
        assert len(cs) == 300
        assert cs.info()["claims"] == 300 and cs.info()["history"] == 1
        found, st = cs.check(raw=True)
        assert [t for _, t in found] == want
        assert st["findings"] == len(want) and st["audited"] == 300
        # the positions are the claims' in the file, in order
        ids = [line.split('"claim_id":"')[1].split('"')[0] for line in read_lines(claims)]
        assert all(f"\"claim_id\":\"{ids[c]}\"" in t for c, t in found)
        # two ranges make the whole; counting only gives the same totals
        a, _ = cs.check(raw=True, stop=150)
        b, _ = cs.check(raw=True, start=150)
        assert [t for _, t in a + b] == want
        _, only = cs.check(count_only=True)
        assert only == st
        # two threads at once, each over half of the set
        got = {}

        def half(k):
            got[k] = cs.check(raw=True, start=150 * k, stop=150 * (k + 1))[0]

        ts = [threading.Thread(target=half, args=(k,)) for k in (0, 1)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert [t for _, t in got[0] + got[1]] == want
        # as dicts
        dicts, _ = cs.check(phase="post")
        assert all(isinstance(f, dict) for _, f in dicts)


def test_claimset_rejects(tmp_path, stdlib, claims):
    lines = read_lines(claims)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines[:3] + ['{"claim_id": 1'] + lines[3:6]) + "\n", encoding="utf-8")
    seen = []
    with arbiter.Engine.from_rules([stdlib]) as eng:
        cs = eng.load_claims(str(bad), on_reject=seen.append)
        assert len(cs) == 6
        assert [r["line"] for r in cs.reject_list] == [4] == [r["line"] for r in seen]
        cs.close()
        try:
            cs.check()
            raise AssertionError("a closed set was checked")
        except arbiter.ArbiterError:
            pass
