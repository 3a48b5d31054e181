"""arbiter — Python bindings of libarbiter, the Arbiter claim-audit library.

Pure Python over the shared library libarbiter.so through cffi's ABI mode:
nothing is compiled at install.  Typical use:

    import arbiter
    eng = arbiter.Engine.from_rules(["stdlib-rules"])       # or Engine.from_pack("lib.arbpack")
    for f in eng.check({"claim_id": "C1", ...}, phase="settle"):
        print(f["rule"], f["line_no"], f["amount"], f["message"])
    stats = eng.check_file("claims.jsonl", findings="findings.jsonl", threads=2)

Findings are the objects of a findings file (`arbiter check`), made by the
library's arb_finding_json: check(..., raw=True) gives the lines themselves,
byte for byte as the command writes them.

Errors are exceptions: RulesError (rule errors, with every diagnostic's
file:line:col), DataError (a claim that is not valid, with its column),
ArbiterError for the rest.

Threads: the GIL is released during every call into the library (cffi does
so for every C call), so checks in several Python threads run at once.  An
Engine is compiled or loaded once; then any number of threads may call
check() at once: each thread gets its own session (the C API's rule: one
arb_session per thread).  check_file() runs its own worker threads
(threads=N).  Do not close() an engine, or set its history, while checks run.
See docs/embedding.md, "Python".
"""

import json
import os
import threading
from collections import namedtuple

from ._lib import ffi, lib, lib_path

__all__ = [
    "ArbiterError",
    "RulesError",
    "DataError",
    "Diagnostic",
    "ClaimSet",
    "Engine",
    "History",
    "default_stdlib_dir",
    "lib_path",
    "parse_phases",
]

_CODE_NAMES = {
    lib.ARB_ERR_RULES: "rules",
    lib.ARB_ERR_DATA: "data",
    lib.ARB_ERR_IO: "io",
    lib.ARB_ERR_NOMEM: "nomem",
    lib.ARB_ERR_USAGE: "usage",
}


class ArbiterError(Exception):
    """A failed call: .code is the library's status (ARB_ERR_*: 2 rules,
    3 data, 4 I/O, 5 out of memory, 6 usage), .message its text."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def kind(self):
        return _CODE_NAMES.get(self.code, str(self.code))


Diagnostic = namedtuple(
    "Diagnostic", "severity file line col offset length message text"
)
Diagnostic.__doc__ = """One diagnostic of a compilation: severity ("error",
"warning", "note"), file (None when not tied to one), line and col (1-based),
the byte span (offset, length), the message, and text: the whole rendering
("file:line:col: error: message", the source line and a caret)."""


class RulesError(ArbiterError):
    """The rules have errors: .diagnostics lists them all (Diagnostic); the
    exception's text is their renderings, each file:line:col first."""

    def __init__(self, diagnostics, message=None):
        self.diagnostics = diagnostics
        text = message or "".join(d.text for d in diagnostics) or "rule errors"
        super().__init__(lib.ARB_ERR_RULES, text.rstrip("\n"))


class DataError(ArbiterError):
    """A claim that is not valid: .column is the byte of the problem
    (1-based) when the library names it, else None."""

    def __init__(self, message):
        super().__init__(lib.ARB_ERR_DATA, message)
        self.column = None
        if message.startswith("column "):
            num = message[7:].split(":", 1)[0]
            if num.isdigit():
                self.column = int(num)


_PHASES = {"pre": lib.ARB_PHASE_PRE, "settle": lib.ARB_PHASE_SETTLE, "post": lib.ARB_PHASE_POST}


def parse_phases(phase):
    """The ARB_PHASE_* bits of phase: None (all), "pre", "settle", "post",
    several comma-separated ("pre,settle"), a list of those, or the bits."""
    if phase is None:
        return 0
    if isinstance(phase, int):
        if phase < 0 or phase > lib.ARB_PHASE_ALL:
            raise ValueError(f"phase bits out of range: {phase}")
        return phase
    names = phase.split(",") if isinstance(phase, str) else list(phase)
    bits = 0
    for name in names:
        name = name.strip()
        if name not in _PHASES:
            raise ValueError(f"unknown phase '{name}' (pre, settle or post)")
        bits |= _PHASES[name]
    return bits


def _str(cdata):
    return ffi.string(cdata).decode("utf-8", "replace") if cdata != ffi.NULL else None


def _path(p):
    return os.fsencode(p) if p is not None else ffi.NULL


def default_stdlib_dir():
    """The standard library directory the library uses when none is given
    (arb_default_stdlib_dir)."""
    n = lib.arb_default_stdlib_dir(ffi.NULL, 0)
    buf = ffi.new("char[]", n + 1)
    lib.arb_default_stdlib_dir(buf, n + 1)
    return os.fsdecode(ffi.string(buf))


# --- callbacks (one set for the module; ud is a handle on a Python object) --

_tls = threading.local()


def _finding_text(f):
    buf = getattr(_tls, "buf", None)
    if buf is None:
        buf = _tls.buf = ffi.new("char[]", 4096)
    n = lib.arb_finding_json(f, buf, len(buf))
    if n == 0:
        raise MemoryError("arb_finding_json")
    if n >= len(buf):
        buf = _tls.buf = ffi.new("char[]", n + 1)
        lib.arb_finding_json(f, buf, len(buf))
    return ffi.unpack(buf, n).decode("utf-8")


@ffi.callback("void(void *, const arb_finding *)")
def _on_finding(ud, f):
    sink = ffi.from_handle(ud)
    try:
        sink.append(_finding_text(f))
    except BaseException as exc:  # raised again after the call
        sink.error = exc


@ffi.callback("void(void *, const arb_reject *)")
def _on_reject(ud, r):
    ffi.from_handle(ud).on_reject(
        {"file": _str(r.file), "line": int(r.line), "message": _str(r.message)}
    )


@ffi.callback("void(void *, const arb_rule_error *)")
def _on_rule_error(ud, r):
    ffi.from_handle(ud).on_rule_error(
        {
            "claim_id": _str(r.claim_id),
            "rule_id": _str(r.rule_id),
            "file": _str(r.file),
            "line": int(r.line),
            "message": _str(r.message),
        }
    )


@ffi.callback("void(void *, const arb_duplicate *)")
def _on_duplicate(ud, d):
    ffi.from_handle(ud).on_duplicate(
        {
            "claim_id": _str(d.claim_id),
            "file": _str(d.file),
            "first_line": int(d.first_line),
            "line": int(d.line),
        }
    )


@ffi.callback("void(void *, size_t, const arb_finding *)")
def _on_set_finding(ud, claim, f):
    sink = ffi.from_handle(ud)
    try:
        sink.append((int(claim), _finding_text(f)))
    except BaseException as exc:  # raised again after the call
        sink.error = exc


class _Findings(list):
    error = None


class _BatchSink:
    """What a batch's callbacks collect, and the user's own callbacks."""

    def __init__(self, on_reject=None, on_rule_error=None, on_duplicate=None):
        self.rejects, self.rule_errors, self.duplicates = [], [], []
        self.user = (on_reject, on_rule_error, on_duplicate)

    def on_reject(self, r):
        self.rejects.append(r)
        if self.user[0]:
            self.user[0](r)

    def on_rule_error(self, r):
        self.rule_errors.append(r)
        if self.user[1]:
            self.user[1](r)

    def on_duplicate(self, d):
        self.duplicates.append(d)
        if self.user[2]:
            self.user[2](d)


def _stats_dict(st, sink):
    out = {
        k: getattr(st, k)
        for k in (
            "records_read",
            "audited",
            "rejected",
            "rejected_rows",
            "lines",
            "findings",
            "claims_flagged",
            "claimed_cents",
            "line_cents",
            "at_risk_cents",
            "at_risk_lines_cents",
            "bytes",
            "seconds",
            "rule_errors",
            "lua_calls",
            "reversals",
            "recorded",
            "not_recorded",
            "rules_in_phases",
            "duplicates",
        )
    }
    out["totals_overflowed"] = bool(st.totals_overflowed)
    out["categories"] = [
        {
            "name": _str(c.name),
            "title": _str(c.title),
            "code": _str(c.code),
            "findings": c.findings,
            "amount_cents": c.amount_cents,
        }
        for c in (st.categories[i] for i in range(st.ncategories))
    ]
    out["ignored"] = [
        {
            "name": _str(g.name),
            "records": g.records,
            "derived": bool(g.derived),
            "formula": _str(g.formula),
        }
        for g in (st.ignored[i] for i in range(st.nignored))
    ]
    out["reject_list"] = sink.rejects
    out["rule_error_list"] = sink.rule_errors
    out["duplicate_list"] = sink.duplicates
    return out


def _unread(rc, st):
    """Whether an ARB_ERR_DATA run failed as a whole (the claims could not
    be read) rather than rejecting some records or failing rules on some."""
    return rc == lib.ARB_ERR_DATA and not (
        st.records_read or st.rejected or st.rejected_rows or st.rule_errors
    )


_FORMATS = {None: lib.ARB_FORMAT_AUTO, "jsonl": lib.ARB_FORMAT_JSONL, "csv": lib.ARB_FORMAT_CSV}


def _format(name):
    if name not in _FORMATS:
        raise ValueError(f"unknown format '{name}' (jsonl or csv)")
    return _FORMATS[name]


def _batch_options(
    claims,
    findings,
    phase,
    threads,
    rejects,
    history,
    record,
    strict,
    input_format,
    findings_format,
    encoding,
    input_profile,
    rule_errors,
    no_index,
    sink,
):
    """An arb_batch_options and the objects it points to (kept alive)."""
    o = ffi.new("arb_batch_options *")
    lib.arb_batch_options_init(o)
    keep = [o]

    def cstr(v, enc=os.fsencode):
        if v is None:
            return ffi.NULL
        c = ffi.new("char[]", enc(v))
        keep.append(c)
        return c

    o.claims_path = cstr(claims)
    o.findings_path = cstr(findings)
    o.rejects_path = cstr(rejects)
    o.rule_errors_path = cstr(rule_errors)
    o.input_format = _format(input_format)
    o.findings_format = _format(findings_format or "jsonl")
    o.phases = parse_phases(phase)
    o.threads = int(threads)
    o.no_index = 1 if no_index else 0
    o.strict = 1 if strict else 0
    o.record = 1 if record else 0
    o.encoding = cstr(encoding, str.encode)
    o.input_profile = cstr(input_profile, str.encode)
    if history is not None:
        o.history = history._handle()
    handle = ffi.new_handle(sink)
    keep.append(handle)
    o.ud = handle
    o.on_reject = _on_reject
    o.on_rule_error = _on_rule_error
    o.on_duplicate = _on_duplicate
    return o, keep


def _claim_bytes(claim):
    if isinstance(claim, dict):
        return json.dumps(claim, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if isinstance(claim, str):
        return claim.encode("utf-8")
    if isinstance(claim, (bytes, bytearray, memoryview)):
        return bytes(claim)
    raise TypeError("a claim is a dict, or its JSON text (str or bytes)")


class Engine:
    """Compiled rules, or a loaded rule pack, ready to check claims.

    Make one with Engine.from_rules, Engine.from_source or Engine.from_pack;
    close it (or use `with`) when done."""

    def __init__(self, stdlib=None, no_prelude=False, debug_info=False):
        """An empty engine (use the from_* constructors).  stdlib names the
        standard library directory (schema.rules); None: the environment's
        ARBITER_STDLIB, as the arbiter command, else the library's default
        (default_stdlib_dir())."""
        cfg = ffi.new("arb_config *")
        lib.arb_config_init(cfg)
        stdlib = stdlib if stdlib is not None else os.environ.get("ARBITER_STDLIB")
        self._stdlib = ffi.new("char[]", os.fsencode(stdlib)) if stdlib else None
        if self._stdlib is not None:
            cfg.stdlib_dir = self._stdlib
        cfg.no_prelude = 1 if no_prelude else 0
        cfg.debug_info = 1 if debug_info else 0
        out = ffi.new("arb_engine **")
        if lib.arb_engine_new(cfg, out) != lib.ARB_OK:
            raise MemoryError("arb_engine_new")
        self._e = out[0]
        self._lock = threading.Lock()
        self._sessions = []
        self._tls = threading.local()
        self._history = None
        self._histories = []  # opened on this engine: closed before it
        self._claimsets = []  # loaded for this engine's rules: freed before it

    # --- making one ------------------------------------------------------

    @classmethod
    def from_rules(cls, paths, stdlib=None, no_prelude=False, debug_info=False):
        """Compiles rule files: paths is one path or a list; a directory
        stands for its *.rules files in name order (not its subdirectories),
        as for the arbiter command; the standard library's schema.rules is
        loaded once, first.  RulesError with every diagnostic on errors;
        ArbiterError (io) when a file cannot be read."""
        eng = cls(stdlib, no_prelude, debug_info)
        try:
            if isinstance(paths, (str, bytes, os.PathLike)):
                paths = [paths]
            schema = eng._schema_real()
            for p in paths:
                eng._add_path(os.fspath(p), schema)
            eng._compile()
        except BaseException:
            eng.close()
            raise
        return eng

    @classmethod
    def from_source(cls, text, name="<string>", stdlib=None, no_prelude=False, debug_info=False):
        """Compiles rule text held in memory, named `name` in diagnostics."""
        eng = cls(stdlib, no_prelude, debug_info)
        try:
            data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
            eng._call(lib.arb_add_source(eng._e, name.encode("utf-8"), data, len(data)))
            eng._compile()
        except BaseException:
            eng.close()
            raise
        return eng

    @classmethod
    def from_pack(cls, path, native=None):
        """Loads a rule pack made by `arbiter compile` (and, when given, its
        native matchers, `arbiter compile --native`'s .so).  RulesError (with
        the reason) for a pack of another version, damaged, or whose sources
        changed."""
        eng = cls()
        try:
            rc = lib.arb_load_pack(eng._e, os.fsencode(path))
            if rc == lib.ARB_ERR_RULES:
                raise RulesError([], eng._errmsg())
            eng._call(rc)
            if native is not None:
                eng._call(lib.arb_load_native(eng._e, os.fsencode(native)))
        except BaseException:
            eng.close()
            raise
        return eng

    def _schema_real(self):
        d = os.fsdecode(ffi.string(self._stdlib)) if self._stdlib else default_stdlib_dir()
        p = os.path.join(d, "schema.rules")
        return os.path.realpath(p) if os.path.exists(p) else None

    def _add_path(self, path, schema):
        if os.path.isdir(path):
            names = sorted(
                os.path.join(path, n)
                for n in os.listdir(path)
                if n.endswith(".rules") and len(n) > 6 and not n.startswith(".")
            )
            if not names:
                raise ArbiterError(lib.ARB_ERR_IO, f"no .rules files in {path}")
            for n in names:
                self._add_path(n, schema)
            return
        if schema and os.path.exists(path) and os.path.realpath(path) == schema:
            return
        self._call(lib.arb_add_file(self._e, os.fsencode(path)))

    def _compile(self):
        rc = lib.arb_compile(self._e)
        if rc == lib.ARB_ERR_RULES:
            raise RulesError(self.diagnostics())
        self._call(rc)

    def diagnostics(self):
        """The diagnostics of the compilation (errors, warnings, notes)."""
        out = []
        err = ffi.new("arb_error *")
        for i in range(lib.arb_error_count(self._e)):
            lib.arb_error_get(self._e, i, err)
            n = lib.arb_error_render(self._e, i, ffi.NULL, 0)
            buf = ffi.new("char[]", n + 1)
            lib.arb_error_render(self._e, i, buf, n + 1)
            out.append(
                Diagnostic(
                    ("error", "warning", "note")[err.severity]
                    if 0 <= err.severity <= 2
                    else str(err.severity),
                    _str(err.file),
                    err.line,
                    err.col,
                    err.offset,
                    err.length,
                    _str(err.message),
                    ffi.string(buf).decode("utf-8", "replace"),
                )
            )
        return out

    # --- about it ----------------------------------------------------------

    def _errmsg(self):
        return _str(lib.arb_errmsg(self._e)) or "error"

    def _call(self, rc):
        if rc == lib.ARB_OK:
            return
        msg = self._errmsg()
        if rc == lib.ARB_ERR_DATA:
            raise DataError(msg)
        if rc == lib.ARB_ERR_NOMEM:
            raise MemoryError(msg)
        raise ArbiterError(rc, msg)

    def _live(self):
        if self._e is None:
            raise ArbiterError(lib.ARB_ERR_USAGE, "the engine is closed")
        return self._e

    @property
    def rule_ids(self):
        """The rules' ids, in rule order."""
        e = self._live()
        return [_str(lib.arb_rule_id(e, i)) for i in range(lib.arb_rule_count(e))]

    @property
    def pack_id(self):
        """The checksum of the rule pack last loaded or written (0: none)."""
        return int(lib.arb_pack_id(self._live()))

    def write_pack(self, path):
        """Writes the compiled rules to a rule pack (arbiter compile)."""
        self._call(lib.arb_write_pack(self._live(), os.fsencode(path)))

    # --- single claims -------------------------------------------------------

    def _session(self):
        e = self._live()
        s = getattr(self._tls, "session", None)
        if s is None:
            out = ffi.new("arb_session **")
            self._call(lib.arb_session_new(e, out))
            s = self._tls.session = out[0]
            with self._lock:
                self._sessions.append(s)
        return s

    def check(self, claim, phase=None, raw=False):
        """Checks one claim — a dict, or its JSON text — with the rules of
        `phase` (None: all; "pre", "settle", "post", "pre,settle", a list).
        Returns its findings in rule order, each the object a findings file
        holds (a dict; raw=True: the JSON text, byte for byte as `arbiter
        check` writes the line).  DataError when the claim is not valid.
        The calling thread's session is used (made on its first check): any
        number of threads may check at once."""
        data = _claim_bytes(claim)
        bits = parse_phases(phase)
        s = self._session()
        sink = _Findings()
        handle = ffi.new_handle(sink)
        rc = lib.arb_session_check_json(s, data, len(data), bits, _on_finding, handle)
        if sink.error is not None:
            raise sink.error
        if rc != lib.ARB_OK:
            msg = _str(lib.arb_session_errmsg(s)) or "error"
            if rc == lib.ARB_ERR_DATA:
                raise DataError(msg)
            raise ArbiterError(rc, msg)
        return list(sink) if raw else [json.loads(t) for t in sink]

    def record(self, claim):
        """Records one settled claim in the engine's history store (set with
        set_history, opened for writing): it replaces a stored claim with
        the same claim_id; a reversal removes the claim it names."""
        data = _claim_bytes(claim)
        s = self._session()
        rc = lib.arb_session_record_json(s, data, len(data))
        if rc != lib.ARB_OK:
            msg = _str(lib.arb_session_errmsg(s)) or self._errmsg()
            if rc == lib.ARB_ERR_DATA:
                raise DataError(msg)
            raise ArbiterError(rc, msg)

    # --- batches -------------------------------------------------------------

    def check_file(
        self,
        claims,
        findings=None,
        *,
        phase=None,
        threads=1,
        rejects=None,
        history=None,
        record=False,
        strict=False,
        input_format=None,
        findings_format=None,
        encoding=None,
        input_profile=None,
        rule_errors=None,
        no_index=False,
        on_reject=None,
        on_rule_error=None,
        on_duplicate=None,
    ):
        """Audits a claims file (JSON Lines, or claims.csv with its children
        beside it), as `arbiter check` does, writing the findings to
        `findings` (a path; None: none) in input order, then rule order.
        Returns the run's figures as a dict (arb_batch_stats: records_read,
        audited, rejected, findings, amounts in cents, seconds, categories,
        ...), with reject_list, rule_error_list and duplicate_list: the
        rejected records (file, line, message), the rules that failed on a
        claim, and the claim_ids seen twice.  Rejected records do not raise
        (the rest is audited; stats["rejected"] counts them); a run that
        cannot be done raises ArbiterError.  threads: worker threads (1:
        the calling thread).  history: a History; record=True adds the
        batch to it after auditing.  The on_* callables are called with
        each such record (a dict), on the calling thread, in input order."""
        e = self._live()
        sink = _BatchSink(on_reject, on_rule_error, on_duplicate)
        o, keep = _batch_options(
            claims,
            findings,
            phase,
            threads,
            rejects,
            history,
            record,
            strict,
            input_format,
            findings_format,
            encoding,
            input_profile,
            rule_errors,
            no_index,
            sink,
        )
        st = ffi.new("arb_batch_stats *")
        rc = lib.arb_check_file(e, o, st)
        del keep
        if rc not in (lib.ARB_OK, lib.ARB_ERR_DATA) or _unread(rc, st):
            self._call(rc)
        out = _stats_dict(st, sink)
        out["status"] = rc
        return out

    # --- claims held in memory -----------------------------------------------

    def load_claims(
        self,
        claims,
        *,
        input_format=None,
        encoding=None,
        input_profile=None,
        strict=False,
        on_reject=None,
    ):
        """Reads a claims file once into a prepared claim set (ClaimSet,
        arb_claimset_load): parsed as check_file reads it, derived fields
        computed, each line's item code looked up in the rules' index, so
        that checking it again and again (ClaimSet.check) gives check_file's
        findings without reading or parsing.  Rejected records do not raise:
        they are in the set's reject_list (and passed to on_reject), the
        rest is loaded."""
        return ClaimSet(self, claims, input_format, encoding, input_profile, strict, on_reject)

    # --- history -------------------------------------------------------------

    def open_history(self, path, write=False):
        """Opens a history store (a directory, or a postgresql:// URI) for
        these rules: History(self, path, write)."""
        return History(self, path, write)

    def set_history(self, history):
        """Makes single-claim checks (check, record) read history from
        `history` (a History; None: none).  Call it before checking, not
        while other threads check."""
        self._call(
            lib.arb_engine_set_history(
                self._live(), history._handle() if history is not None else ffi.NULL
            )
        )
        self._history = history

    # --- closing -------------------------------------------------------------

    def close(self):
        """Frees the sessions and the engine (after every check is done)."""
        if getattr(self, "_e", None) is None:
            return
        with self._lock:
            for s in self._sessions:
                lib.arb_session_free(s)
            self._sessions = []
            self._tls = threading.local()
        if self._history is not None:
            lib.arb_engine_set_history(self._e, ffi.NULL)
            self._history = None
        for h in list(self._histories):
            h.close()
        self._histories = []
        for c in list(getattr(self, "_claimsets", [])):
            c.close()
        self._claimsets = []
        lib.arb_engine_free(self._e)
        self._e = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class ClaimSet:
    """A prepared claim set (Engine.load_claims; docs/embedding.md): claims
    held in memory, read once, checked as often as needed with the rules the
    engine had when it was loaded.  len() is its number of claims.  Any
    number of threads may check it at once (each uses its own session);
    close it before the engine compiles again or is closed."""

    def __init__(self, engine, path, input_format, encoding, input_profile, strict, on_reject):
        self._engine = engine
        self._set = None
        self.reject_list = []
        sink = _BatchSink(on_reject)
        handle = ffi.new_handle(sink)
        o = ffi.new("arb_claimset_options *")
        lib.arb_claimset_options_init(o)
        o.input_format = _format(input_format)
        keep = []

        def cstr(v):
            if v is None:
                return ffi.NULL
            c = ffi.new("char[]", v.encode())
            keep.append(c)
            return c

        o.encoding = cstr(encoding)
        o.input_profile = cstr(input_profile)
        o.strict = 1 if strict else 0
        o.on_reject = _on_reject
        o.ud = handle
        out = ffi.new("arb_claimset **")
        rc = lib.arb_claimset_load(engine._live(), os.fsencode(path), o, out)
        del keep
        self.reject_list = sink.rejects
        if rc not in (lib.ARB_OK, lib.ARB_ERR_DATA) or out[0] == ffi.NULL:
            engine._call(rc)
        self._set = out[0]
        engine._claimsets.append(self)

    def __len__(self):
        return int(lib.arb_claimset_count(self._handle()))

    def _handle(self):
        if self._set is None:
            raise ArbiterError(lib.ARB_ERR_USAGE, "the claim set is closed")
        return self._set

    def info(self):
        """claims, rejected, lines, candidates, duplicates, history."""
        i = ffi.new("arb_claimset_info *")
        lib.arb_claimset_get_info(self._handle(), i)
        keys = ("claims", "rejected", "lines", "candidates", "duplicates", "history")
        return {k: int(getattr(i, k)) for k in keys}

    def check(self, phase=None, raw=False, count_only=False, start=0, stop=None):
        """Checks claims [start, stop) of the set with the rules of `phase`
        (as Engine.check).  Returns (findings, stats): the findings in input
        order, then rule order, each (claim position, finding) with the
        finding the object a findings file holds (a dict; raw=True: its JSON
        text, byte for byte as `arbiter check` writes it); with
        count_only=True the findings list is empty and only stats (a dict:
        claims, audited, reversals, findings, claims_flagged, rule_errors,
        rules_run, at_risk_cents, at_risk_lines_cents) count them."""
        h = self._handle()
        s = self._engine._session()
        sink = _Findings()
        handle = ffi.new_handle(sink)
        st = ffi.new("arb_claimset_stats *")
        stop = len(self) if stop is None else stop
        rc = lib.arb_claimset_check_range(
            s,
            h,
            start,
            stop,
            parse_phases(phase),
            ffi.NULL if count_only else _on_set_finding,
            handle,
            st,
        )
        if sink.error is not None:
            raise sink.error
        if rc != lib.ARB_OK:
            raise ArbiterError(rc, _str(lib.arb_session_errmsg(s)) or "error")
        stats = {
            k: int(getattr(st, k))
            for k in (
                "claims",
                "audited",
                "reversals",
                "findings",
                "claims_flagged",
                "rule_errors",
                "rules_run",
                "at_risk_cents",
                "at_risk_lines_cents",
            )
        }
        found = [(c, t if raw else json.loads(t)) for c, t in sink]
        return found, stats

    def close(self):
        """Frees the set (after the checks using it are done)."""
        if getattr(self, "_set", None) is not None:
            lib.arb_claimset_free(self._set)
            self._set = None
            if self in self._engine._claimsets:
                self._engine._claimsets.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class History:
    """A history store (docs/history.md): a directory holding an LMDB store,
    or a PostgreSQL database named by its postgresql:// URI, opened for an
    engine's rules.  Any number of threads and processes read at once; one
    writer at a time (LMDB).  Close it after the engine's checks are done."""

    def __init__(self, engine, path, write=False):
        self._engine = engine
        out = ffi.new("arb_history **")
        mode = lib.ARB_HISTORY_WRITE if write else lib.ARB_HISTORY_READONLY
        engine._call(lib.arb_history_open(engine._live(), os.fsencode(path), mode, out))
        self._h = out[0]
        self.path = path
        engine._histories.append(self)

    def _handle(self):
        if self._h is None:
            raise ArbiterError(lib.ARB_ERR_USAGE, "the history store is closed")
        return self._h

    def add_file(self, claims, *, threads=1, rejects=None, input_format=None, on_reject=None):
        """Adds a claims file to the store (arbiter history add); returns
        the figures as check_file does (recorded, rejected, reversals...)."""
        sink = _BatchSink(on_reject)
        o, keep = _batch_options(
            claims,
            None,
            None,
            threads,
            rejects,
            None,
            False,
            False,
            input_format,
            None,
            None,
            None,
            None,
            False,
            sink,
        )
        st = ffi.new("arb_batch_stats *")
        rc = lib.arb_history_add_file(self._handle(), o, st)
        del keep
        if rc not in (lib.ARB_OK, lib.ARB_ERR_DATA) or _unread(rc, st):
            self._engine._call(rc)
        out = _stats_dict(st, sink)
        out["status"] = rc
        return out

    def stats(self):
        """persons, claims, first_settle, last_settle (seconds since 1970;
        None when empty), file_bytes, used_bytes, schemas, feedback."""
        info = ffi.new("arb_history_info *")
        self._engine._call(lib.arb_history_stats(self._handle(), info))
        empty = info.claims == 0
        return {
            "persons": info.persons,
            "claims": info.claims,
            "first_settle": None if empty else info.first_settle,
            "last_settle": None if empty else info.last_settle,
            "file_bytes": info.file_bytes,
            "used_bytes": info.used_bytes,
            "schemas": info.schemas,
            "feedback": info.feedback,
        }

    def close(self):
        """Closes the store (after the checks using it are done)."""
        if getattr(self, "_h", None) is not None:
            eng = self._engine
            if eng._history is self and eng._e is not None:
                eng.set_history(None)
            lib.arb_history_close(self._h)
            self._h = None
            if self in eng._histories:
                eng._histories.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()
