"""test_threads.py — several Python threads check at once with one engine
(a session each) and get what one thread gets; the GIL is released during
calls into the library."""

import os
import subprocess
import sys
import textwrap
import threading

import arbiter


def test_threads_check_at_once(stdlib, claims):
    with open(claims, encoding="utf-8") as f:
        lines = f.read().splitlines()
    eng = arbiter.Engine.from_rules(stdlib)
    expected = [eng.check(line, raw=True) for line in lines]
    assert sum(map(len, expected)) > 0
    results = {}
    barrier = threading.Barrier(4)

    def work(k):
        barrier.wait()
        out = []
        for _ in range(3):
            # each thread walks the claims from another place
            order = list(range(k * 70, len(lines))) + list(range(k * 70))
            got = {i: eng.check(lines[i], raw=True) for i in order}
            out.append([got[i] for i in range(len(lines))])
        results[k] = out

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(eng._sessions) >= 4  # one session per thread (and the main one)
    for k in range(4):
        for run in results[k]:
            assert run == expected
    eng.close()


def test_gil_released_during_check_file(tmp_path, claims):
    """arb_check_file reads claims from a FIFO that another Python thread
    writes: were the GIL held during the call, the writer could not run and
    the call would wait forever (the child is killed after 60 s)."""
    fifo = str(tmp_path / "claims.jsonl")
    os.mkfifo(fifo)
    script = textwrap.dedent(
        f"""
        import threading, arbiter
        eng = arbiter.Engine.from_rules({os.environ["ARBITER_STDLIB"]!r})
        def writer():
            with open({claims!r}, "rb") as src, open({fifo!r}, "wb") as dst:
                dst.write(src.read())
        st = {{}}
        def check():
            st.update(eng.check_file({fifo!r}, input_format="jsonl"))
        t = threading.Thread(target=check)
        t.start()           # blocks in C opening the FIFO for reading
        writer()            # runs only if that call let go of the GIL
        t.join()
        print(st["audited"])
        """
    )
    r = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "300"
