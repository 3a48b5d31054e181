"""test_dask_parts.py — the pieces of arbiter.dask that need no cluster:
reading the person of a record, dealing records to partitions (a person
whole in one, in batch order), and finding each finding's record in a
partition, escaped claim_ids and ids quoted in other fields included."""

import json
from array import array

from arbiter import dask as ad


def test_person_of():
    assert ad.person_of(b'{"claim_id":"C1","person_id":"P7","lines":[]}') == b"P7"
    assert ad.person_of(b'{"person_id" : "P 8"}') == b"P 8"
    # escapes, and the key again in a nested object: read as JSON
    assert ad.person_of(b'{"person_id":"P\\u00e9"}') == "Pé".encode()
    assert ad.person_of(b'{"x":{"person_id":"Q"},"person_id":"P9"}') == b"P9"
    assert ad.person_of(b'{"claim_id":"C1"}') == b""
    assert ad.person_of(b'{"claim_id": 5') == b""  # not JSON: rejected where it goes
    assert ad.person_of(b'{"claim_id":"C1"}', "claim_id") == b"C1"


def test_split_keeps_persons_whole_and_in_order(tmp_path):
    recs = [
        json.dumps({"claim_id": f"C{i}", "person_id": f"P{i % 7}"}).encode() for i in range(100)
    ]
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\n".join(recs[:50]) + b"\n\n" + b"\n".join(recs[50:]))  # a blank line
    parts = ad.split_file(3, str(path), 4)
    seen = {}
    total = 0
    for p, (text, pl) in enumerate(parts):
        places = array("q")
        places.frombytes(pl)
        lines = text.splitlines()
        assert len(lines) == len(places)
        assert list(places) == sorted(places)  # batch order
        for line, place in zip(lines, places):
            assert place >> 40 == 3
            n = place & ((1 << 40) - 1)
            i = n - 1 if n <= 50 else n - 2  # line 51 is blank
            assert line == recs[i]
            person = json.loads(line)["person_id"]
            assert seen.setdefault(person, p) == p  # one partition per person
            assert p == ad.partition_of(person.encode(), 4)
        total += len(lines)
    assert total == 100 and len(seen) == 7


def test_finding_places():
    texts = [
        b'{"claim_id":"A","person_id":"P"}\n{"claim_id":"B","reversal_of":"C"}\n',
        b'{"claim_id":"C"}\n{"claim_id":"C\\u00e9"}\n{"claim_id":"D"}\n',
    ]
    places = array("q", [10, 11, 12, 13, 14])
    f = lambda cid: json.dumps({"claim_id": cid}).encode()
    # "C" is quoted in B's reversal_of first: the record checked is C's own
    assert list(ad._finding_places(0, texts, places, [f("A"), f("A"), f("C"), f("D")])) == [
        10,
        10,
        12,
        14,
    ]
    # an escaped claim_id: found by reading every record's
    assert list(ad._finding_places(0, texts, places, [f("B"), f("Cé"), f("D")])) == [11, 13, 14]
