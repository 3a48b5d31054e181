"""test_layout.py — the package's C declarations (arbiter/_lib.py) lay out
every structure as include/arbiter.h does: cffi parses the header itself
(comments and preprocessor lines taken out) and the sizes and offsets of
each field must agree, so a field added to the header and not to the
package fails here instead of corrupting memory."""

import os
import re

import cffi
from arbiter import _lib


def header_ffi(src):
    with open(os.path.join(src, "include", "arbiter.h"), encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    text = text.replace('extern "C" {', "")
    # the closing brace of extern "C", left alone on its line at the end
    text = text.rstrip().rstrip("}")
    ffi = cffi.FFI()
    ffi.cdef(text)
    return ffi


def test_structs_match_the_header(src):
    hdr = header_ffi(src)
    for name in _lib.STRUCTS:
        ours, theirs = _lib.ffi.typeof(name), hdr.typeof(name)
        assert _lib.ffi.sizeof(ours) == hdr.sizeof(theirs), name
        our_fields = [(f, t.offset, _lib.ffi.sizeof(t.type)) for f, t in ours.fields]
        their_fields = [(f, t.offset, hdr.sizeof(t.type)) for f, t in theirs.fields]
        assert our_fields == their_fields, name


def test_functions_match_the_header(src):
    hdr = header_ffi(src)
    hlib = hdr.dlopen(_lib.lib_path)
    ours = [n for n in dir(_lib.lib) if n.startswith("arb_")]
    assert len(ours) >= 30
    for n in ours:
        assert _lib.ffi.typeof(getattr(_lib.lib, n)).cname == hdr.typeof(getattr(hlib, n)).cname, n
