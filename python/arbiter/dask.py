"""dask.py — post-audit beyond one machine on Dask distributed: the claims
are partitioned by person, each partition is audited on a worker through the
arbiter package (each worker loads the rule pack once), and the findings are
merged into the order of a single-machine `arbiter check`.

    python3 -m arbiter.dask check RULES_OR_PACK... --claims 'claims-*.jsonl' \\
        --scheduler tcp://HOST:8786 -o findings/

How (docs/scale-out.md):
  1. The client expands the --claims patterns (each one's files in name
     order, the patterns in the order given): their concatenation is the
     batch, as `cat FILES | arbiter check RULES --claims -` would read it.
     Rule files are compiled into a pack on the client; the pack's bytes
     are broadcast to the workers, which load it once each (cached by its
     checksum for the life of the worker process).
  2. split: one task per input file reads it (on the worker: the paths must
     be readable there) and deals its records to P partitions by a hash
     (CRC-32) of the record's person_id, each record with its place in the
     batch (file, line).  A person's claims all go to one partition, in
     batch order, so history() sees exactly what it sees on one machine.
  3. audit: one task per partition joins its records from every file in
     batch order, audits them with arb_check_file (one thread; with
     --history, the store: each worker reads its persons' history), and
     writes the partition's findings to OUT/parts/part-NNNNN.jsonl and the
     batch place of each finding to part-NNNNN.keys (each written to a
     temporary file and renamed: a task run again after a worker died
     writes the same files).
  4. merge: the client merges the parts by batch place (file, line), each
     claim's findings staying in rule order, into OUT/findings.jsonl: byte
     for byte the findings of one `arbiter check` of the batch.

Rejected records go to OUT/rejects.jsonl with their input file and line;
OUT/summary.json has the run's figures.  Exit status as `arbiter check`: 0,
2 rule errors, 3 records rejected (or rules that failed on claims), 4 I/O,
6 usage.

Lost workers: Dask runs a lost task again elsewhere (and the split tasks
whose results were on the lost worker), so the job completes with the same
findings while a worker remains.
"""

import argparse
import glob
import hashlib
import heapq
import json
import os
import re
import sys
import tempfile
import threading
import time
import zlib
from array import array

# place of a record in the batch: file index << _LINE_BITS | line (1-based)
_LINE_BITS = 40

_worker_lock = threading.Lock()
_worker_engines = {}  # pack checksum -> Engine (per worker process)
_worker_histories = {}  # (pack checksum, store, write) -> History


def _key_regex(key):
    return re.compile(rb'"' + re.escape(key.encode()) + rb'"\s*:\s*"((?:[^"\\]|\\.)*)"')


def person_of(line, key="person_id", _cache={}):
    """The value of `key` in a JSON claim record (bytes), as bytes; b"" when
    it has none or the record is not JSON (such a record is rejected by the
    audit, wherever it goes)."""
    rx = _cache.get(key)
    if rx is None:
        rx = _cache[key] = _key_regex(key)
    found = rx.findall(line)
    if len(found) == 1 and b"\\" not in found[0]:
        return found[0]
    try:  # escapes, nested keys of the same name: read the JSON
        v = json.loads(line).get(key)
    except (ValueError, AttributeError):
        return b""
    return v.encode("utf-8") if isinstance(v, str) else b""


def partition_of(person, nparts):
    """The partition of a person: CRC-32 of person_id, modulo nparts (the
    same in every process and on every machine)."""
    return zlib.crc32(person) % nparts


def split_file(file_index, path, nparts, key="person_id"):
    """Task: deals the records of one input file to nparts partitions.
    Returns, per partition, (the records' text, their batch places)."""
    bufs = [[] for _ in range(nparts)]
    places = [array("q") for _ in range(nparts)]
    base = file_index << _LINE_BITS
    with open(path, "rb") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            if not line.endswith(b"\n"):
                line += b"\n"
            p = partition_of(person_of(line, key), nparts)
            bufs[p].append(line)
            places[p].append(base | lineno)
    return [(b"".join(bufs[p]), places[p].tobytes()) for p in range(nparts)]


def take(split_result, p):
    """Task: partition p of a split_file result."""
    return split_result[p]


def _engine(pack):
    """The worker's engine for a pack (bytes), loaded once per process:
    (checksum, engine, whether this call loaded it)."""
    import arbiter

    digest = hashlib.sha256(pack).hexdigest()
    with _worker_lock:
        eng = _worker_engines.get(digest)
        loaded = eng is None
        if eng is None:
            path = os.path.join(tempfile.gettempdir(), f"arbiter-{os.getpid()}-{digest[:16]}.arbpack")
            tmp = path + ".tmp"
            with open(tmp, "wb") as f:
                f.write(pack)
            os.replace(tmp, path)
            eng = arbiter.Engine.from_pack(path)
            _worker_engines[digest] = eng
        return digest, eng, loaded


def _history(digest, eng, store, write):
    with _worker_lock:
        h = _worker_histories.get((digest, store, write))
        if h is None:
            h = eng.open_history(store, write=write)
            _worker_histories[(digest, store, write)] = h
        return h


def _write_atomic(path, data):
    tmp = f"{path}.tmp.{os.getpid()}.{threading.get_ident()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _finding_places(p, texts, places, findings):
    """The batch place of each finding's record.  Findings come in input
    order, so each is in the record the previous one was in or a later one:
    the record is found by searching the texts for its quoted claim_id from
    there (then checked: the record's own claim_id must be it), counting the
    records passed.  A claim_id written with escapes is not found so: then
    every record's claim_id is read."""
    try:
        return _finding_places_fast(p, texts, places, findings)
    except LookupError:
        pass
    ids = [person_of(rec, "claim_id") for text in texts for rec in text.splitlines()]
    keys = array("q")
    r = 0
    for line in findings:
        cid = json.loads(line)["claim_id"].encode("utf-8")
        while r < len(ids) and ids[r] != cid:
            r += 1
        if r == len(ids):
            raise RuntimeError(f"partition {p}: finding of a claim not found: {cid!r}")
        keys.append(places[r])
    return keys


def _finding_places_fast(p, texts, places, findings):
    keys = array("q")
    ci, pos, index = 0, 0, 0  # chunk, offset of the current record, its index
    for line in findings:
        cid = json.loads(line)["claim_id"].encode("utf-8")
        needle = b'"' + cid + b'"'
        while True:
            if ci == len(texts):
                raise LookupError(cid)
            text = texts[ci]
            j = text.find(needle, pos)
            if j < 0:  # on to the next chunk
                index += text.count(b"\n", pos)
                ci, pos = ci + 1, 0
                continue
            start = text.rfind(b"\n", 0, j) + 1
            end = text.find(b"\n", j)
            if person_of(text[start:end], "claim_id") == cid:
                index += text.count(b"\n", pos, start)
                pos = start
                break
            pos_next = end + 1  # the id elsewhere in a record: go on after it
            index += text.count(b"\n", pos, pos_next)
            pos = pos_next
        keys.append(places[index])
    return keys


def audit_partition(p, outdir, pack, phase, history, record, *chunks):
    """Task: audits partition p (its records from every file, in batch
    order) and writes OUT/parts/part-P.jsonl and .keys.  Returns the run's
    figures, with the rejected records at their batch places."""
    digest, eng, loaded = _engine(pack)
    places = array("q")
    with tempfile.TemporaryDirectory(prefix=f"arbiter-part{p}-") as tmp:
        claims = os.path.join(tmp, "claims.jsonl")
        with open(claims, "wb") as f:
            for text, pl in chunks:
                f.write(text)
                places.frombytes(pl)
        findings = os.path.join(tmp, "findings.jsonl")
        hist = _history(digest, eng, history, bool(record)) if history else None
        st = eng.check_file(
            claims,
            findings,
            phase=phase,
            threads=1,
            history=hist,
            record=bool(record),
            input_format="jsonl",
            rejects=os.path.join(tmp, "rejects.jsonl"),
        )
        with open(findings, "rb") as f:
            lines = f.read().splitlines(keepends=True)
    keys = _finding_places(p, [text for text, _ in chunks], places, lines)
    parts = os.path.join(outdir, "parts")
    _write_atomic(os.path.join(parts, f"part-{p:05d}.jsonl"), b"".join(lines))
    _write_atomic(os.path.join(parts, f"part-{p:05d}.keys"), keys.tobytes())
    st["partition"] = p
    st["reject_places"] = [
        (places[rj["line"] - 1], rj["message"]) for rj in st.pop("reject_list")
    ]
    st["worker_pid"] = os.getpid()
    st["pack_loaded"] = loaded
    for k in ("rule_error_list", "duplicate_list", "ignored"):
        st.pop(k, None)
    return st


def _parts(outdir, p):
    base = os.path.join(outdir, "parts", f"part-{p:05d}")
    keys = array("q")
    with open(base + ".keys", "rb") as f:
        keys.frombytes(f.read())
    with open(base + ".jsonl", "rb") as f:
        for k, line in zip(keys, f):
            yield k, line


def merge(outdir, nparts, path):
    """Merges the partitions' findings by batch place into path."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as out:
        for _, line in heapq.merge(*(_parts(outdir, p) for p in range(nparts)), key=lambda x: x[0]):
            out.write(line)
    os.replace(tmp, path)


_SUMS = (
    "records_read",
    "audited",
    "rejected",
    "lines",
    "findings",
    "claims_flagged",
    "claimed_cents",
    "line_cents",
    "at_risk_cents",
    "at_risk_lines_cents",
    "bytes",
    "rule_errors",
    "lua_calls",
    "reversals",
    "recorded",
    "not_recorded",
    "duplicates",
)


def _money(cents):
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"


def expand(patterns):
    """The input files: each pattern's matches in name order, patterns in
    the order given (a file named twice is read once)."""
    files, seen = [], set()
    for pat in patterns:
        matches = sorted(glob.glob(pat)) if glob.has_magic(pat) else [pat]
        if not matches:
            raise FileNotFoundError(f"no file matches {pat}")
        for m in matches:
            if not os.path.isfile(m):
                raise FileNotFoundError(f"no such file: {m}")
            a = os.path.abspath(m)
            if a not in seen:
                seen.add(a)
                files.append(a)
    return files


def run(
    client,
    rules,
    claims,
    outdir,
    partitions=None,
    phase=None,
    history=None,
    record=False,
    key="person_id",
    stdlib=None,
):
    """Runs the post-audit on a Dask client; returns the merged figures."""
    import arbiter

    t0 = time.time()
    files = expand(claims)
    os.makedirs(os.path.join(outdir, "parts"), exist_ok=True)
    for old in glob.glob(os.path.join(outdir, "parts", "part-*")):
        os.remove(old)
    # the rules: a pack as given, or compiled here (RulesError on errors)
    if len(rules) == 1 and rules[0].endswith(".arbpack"):
        arbiter.Engine.from_pack(rules[0]).close()  # refused here, not on every worker
        with open(rules[0], "rb") as f:
            pack = f.read()
    else:
        with arbiter.Engine.from_rules(rules, stdlib=stdlib) as eng, tempfile.TemporaryDirectory() as d:
            eng.write_pack(os.path.join(d, "rules.arbpack"))
            with open(os.path.join(d, "rules.arbpack"), "rb") as f:
                pack = f.read()
    arbiter.parse_phases(phase)  # a bad phase fails here
    if not partitions:
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        partitions = max(2, 4 * threads)
    pack_f = client.scatter(pack, broadcast=True)
    splits = [
        client.submit(split_file, i, path, partitions, key, key=f"arbiter-split-{i}-{path}")
        for i, path in enumerate(files)
    ]
    audits = []
    for p in range(partitions):
        chunks = [client.submit(take, s, p, key=f"arbiter-take-{p}-{s.key}") for s in splits]
        audits.append(
            client.submit(
                audit_partition,
                p,
                os.path.abspath(outdir),
                pack_f,
                phase,
                history,
                record,
                *chunks,
                key=f"arbiter-audit-{p}-{os.path.abspath(outdir)}",
                retries=2,
            )
        )
    results = client.gather(audits)
    t1 = time.time()
    merge(outdir, partitions, os.path.join(outdir, "findings.jsonl"))
    total = {k: sum(r[k] for r in results) for k in _SUMS}
    cats = {}
    for r in results:
        for c in r["categories"]:
            a = cats.setdefault(c["name"], dict(c, findings=0, amount_cents=0))
            a["findings"] += c["findings"]
            a["amount_cents"] += c["amount_cents"]
    total["categories"] = [c for c in cats.values() if c["findings"]]
    rejects = sorted(pl for r in results for pl in r["reject_places"])
    with open(os.path.join(outdir, "rejects.jsonl"), "w", encoding="utf-8") as f:
        for place, msg in rejects:
            fi, line = place >> _LINE_BITS, place & ((1 << _LINE_BITS) - 1)
            f.write(json.dumps({"file": files[fi], "line": line, "message": msg}, ensure_ascii=False) + "\n")
    total.update(
        files=len(files),
        partitions=partitions,
        workers=len({r["worker_pid"] for r in results}),
        pack_loads=sum(r["pack_loaded"] for r in results),
        seconds=round(time.time() - t0, 3),
        audit_seconds=round(t1 - t0, 3),
        complete=True,
    )
    with open(os.path.join(outdir, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(total, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return total


USAGE = """usage: python3 -m arbiter.dask check RULES... --claims PATTERN [--claims PATTERN...]
                                  --scheduler ADDRESS -o DIR [options]
       python3 -m arbiter.dask check --pack LIB.arbpack --claims PATTERN ...

Audits JSON Lines claims files on a Dask cluster, partitioned by person, and
writes DIR/findings.jsonl: the findings of `arbiter check` of the files'
concatenation, byte for byte (docs/scale-out.md)."""


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m arbiter.dask", usage=USAGE, description=None)
    sub = ap.add_subparsers(dest="cmd", metavar="check")
    c = sub.add_parser(
        "check",
        usage=USAGE,
        help="audit claims files on a Dask cluster",
        description="Audits claims on a Dask cluster (docs/scale-out.md). The input is the "
        "concatenation of the files the patterns match (each pattern's files in name order); "
        "the paths must be readable on every worker, and DIR writable by them all.",
    )
    c.add_argument("rules", nargs="*", metavar="RULES", help="rule files or directories (compiled on the client)")
    c.add_argument("--pack", help="a rule pack made by 'arbiter compile' instead of rule files")
    c.add_argument("--claims", action="append", required=True, metavar="PATTERN",
                   help="JSON Lines claims files (a glob; may be given several times)")
    c.add_argument("--scheduler", help="the Dask scheduler's address (tcp://HOST:PORT); "
                   "without it, a local cluster of --local processes")
    c.add_argument("--local", type=int, default=2, metavar="N",
                   help="without --scheduler: local worker processes, one thread each (default 2)")
    c.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="output directory: findings.jsonl, rejects.jsonl, summary.json, parts/")
    c.add_argument("--partitions", type=int, metavar="P",
                   help="partitions (default: 4 per worker thread)")
    c.add_argument("--phase", metavar="P[,P...]", help="pre, settle or post, or several comma-separated")
    c.add_argument("--history", metavar="DB", help="a history store every worker reads: a PostgreSQL URI "
                   "(several machines) or a store directory on this machine")
    c.add_argument("--record", action="store_true", help="add the batch to the --history store afterwards")
    c.add_argument("--key", default="person_id", help="the claims' person field (default person_id)")
    c.add_argument("--stdlib", metavar="DIR", help="the standard library (schema.rules)")
    c.add_argument("--quiet", action="store_true", help="no summary")
    args = ap.parse_args(argv)
    if args.cmd != "check":
        ap.print_help()
        return 6
    if bool(args.pack) == bool(args.rules):
        print("arbiter.dask check: give RULES or --pack (one of them)", file=sys.stderr)
        return 6
    if args.record and not args.history:
        print("arbiter.dask check: --record needs --history", file=sys.stderr)
        return 6

    import arbiter
    from distributed import Client, LocalCluster

    rules = [args.pack] if args.pack else args.rules
    cluster = None
    try:
        if args.scheduler:
            client = Client(args.scheduler)
        else:
            cluster = LocalCluster(n_workers=args.local, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        with client:
            st = run(client, rules, args.claims, args.output, args.partitions, args.phase,
                     args.history, args.record, args.key, args.stdlib)
    except arbiter.RulesError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as exc:
        print(f"arbiter.dask check: {exc}", file=sys.stderr)
        return 6 if isinstance(exc, ValueError) else 4
    finally:
        if cluster is not None:
            cluster.close()
    if not args.quiet:
        print(
            f"arbiter.dask: {st['records_read']} claims read = {st['audited']} audited + "
            f"{st['rejected']} rejected (+ {st['reversals']} reversals), {st['files']} files, "
            f"{st['partitions']} partitions on {st['workers']} workers\n"
            f"  {st['findings']} findings in {st['claims_flagged']} claims: findings total "
            f"{_money(st['at_risk_cents'])}\n"
            f"  {st['seconds']:.2f} s; findings in {os.path.join(args.output, 'findings.jsonl')}",
            file=sys.stderr,
        )
    return 3 if st["rejected"] or st["rule_errors"] else 0


if __name__ == "__main__":
    import arbiter.dask as _self  # the tasks by their module's name, not __main__'s

    sys.exit(_self.main())
