#!/usr/bin/env python3
# lsp.py ARBITER SRC — drives `arbiter lsp` as an editor would (a scripted
# LSP client: stdlib only, subprocess + json) through initialize, didOpen,
# didChange (an error appears with its range, the same as `arbiter lint`
# says, then clears), hover, definition, references, completion,
# documentSymbol, formatting, shutdown and exit, on the standard library's files, and
# checks the answers exactly.  Prints the re-check latency it measured
# (didChange to publishDiagnostics, every stdlib file).
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ARBITER, SRC = os.path.abspath(sys.argv[1]), pathlib.Path(sys.argv[2]).resolve()
STDLIB = SRC / "stdlib-rules"
failures = []


def check(what, got, want):
    if got != want:
        failures.append(what)
        print(f"FAIL {what}\n  got:  {json.dumps(got, ensure_ascii=False)}\n"
              f"  want: {json.dumps(want, ensure_ascii=False)}")


class Client:
    def __init__(self, *args):
        env = dict(os.environ, ARBITER_STDLIB=str(STDLIB))
        self.p = subprocess.Popen([ARBITER, "lsp", *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, env=env)
        self.id = 0
        self.pending = []

    def send(self, obj):
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def recv(self):
        headers = {}
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            line = line.decode().strip()
            if not line:
                break
            k, v = line.split(":", 1)
            headers[k.lower()] = v.strip()
        return json.loads(self.p.stdout.read(int(headers["content-length"])))

    def request(self, method, params):
        self.id += 1
        self.send({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        while True:
            m = self.recv()
            if m.get("id") == self.id and "method" not in m:
                return m
            self.pending.append(m)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri):
        """The next diagnostics published for uri."""
        while True:
            for i, m in enumerate(self.pending):
                if (m.get("method") == "textDocument/publishDiagnostics"
                        and m["params"]["uri"] == uri):
                    del self.pending[i]
                    return m["params"]["diagnostics"]
            self.pending.append(self.recv())

    def open(self, path, text=None):
        text = path.read_text() if text is None else text
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": path.as_uri(), "languageId": "arbiter", "version": 1, "text": text}})
        return self.diagnostics(path.as_uri())

    def change(self, path, text, version):
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": path.as_uri(), "version": version},
            "contentChanges": [{"text": text}]})
        return self.diagnostics(path.as_uri())

    def at(self, method, path, pos, **extra):
        return self.request(method, {"textDocument": {"uri": path.as_uri()},
                                     "position": pos, **extra})["result"]


def utf16(s):
    return len(s.encode("utf-16-le")) // 2


def pos(path, line_has, word, nth=0):
    """The LSP position of the nth `word` on the first line holding line_has."""
    for i, line in enumerate(path.read_text().split("\n")):
        if line_has in line:
            k = -1
            for _ in range(nth + 1):
                k = line.index(word, k + 1)
            return {"line": i, "character": utf16(line[:k])}
    raise AssertionError(f"{line_has!r} not in {path}")


def rng(p, length):
    return {"start": p, "end": {"line": p["line"], "character": p["character"] + length}}


def loc(path, p, length):
    return {"uri": path.as_uri(), "range": rng(p, length)}


def line_of(path, has):
    for i, line in enumerate(path.read_text().split("\n")):
        if has in line:
            return i, line
    raise AssertionError(has)


IND = STDLIB / "08_drug_indication.rules"
DOSE = STDLIB / "68_drug_over_dose.rules"
SCHEMA = STDLIB / "schema.rules"

c = Client()
init = c.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
check("initialize", init["result"], {
    "capabilities": {
        "textDocumentSync": {"openClose": True, "change": 1, "save": {"includeText": False}},
        "hoverProvider": True, "definitionProvider": True, "referencesProvider": True,
        "documentSymbolProvider": True, "documentFormattingProvider": True,
        "completionProvider": {"triggerCharacters": ["."]}},
    "serverInfo": {"name": "arbiter", "version": init["result"]["serverInfo"]["version"]}})
c.notify("initialized", {})

# --- diagnostics: none, then an error after CJK and an astral character, then none
text = IND.read_text()
check("didOpen: no diagnostics", c.open(IND), [])
good_msg = '"{r.name} 限适应症使用，本单诊断不符"'
bad_msg = '"𠀀限适应症使用，本单诊断不符 {r.nme}"'
bad = text.replace(good_msg, bad_msg)
assert bad != text
got = c.change(IND, bad, 2)
n, line = line_of(IND, "flag line message")
bad_line = line.replace(good_msg, bad_msg)
col16 = utf16(bad_line[:bad_line.index("nme")])
check("didChange: the error and its range (UTF-16)", got, [{
    "range": {"start": {"line": n, "character": col16},
              "end": {"line": n, "character": col16 + 3}},
    "severity": 1, "source": "arbiter",
    "message": "table drug_indication has no column 'nme'; did you mean 'name'?"}])
check("the astral character counts two", col16, 40)
# the same diagnostic as `arbiter lint` gives for that text (its column counts characters)
with tempfile.TemporaryDirectory() as tmp:
    lib = pathlib.Path(tmp) / "lib"
    shutil.copytree(STDLIB, lib)
    (lib / IND.name).write_text(bad)
    lint = subprocess.run([ARBITER, "lint", "--stdlib", str(lib), str(lib / IND.name)],
                          capture_output=True, text=True)
    m = re.search(r":(\d+):(\d+): error: (.*)", lint.stderr)
    check("lint: the same line, column and message",
          (int(m.group(1)) - 1, utf16(bad_line[:int(m.group(2)) - 1]), m.group(3)),
          (n, col16, got[0]["message"] if got else None))
check("didChange: fixed, the diagnostics clear", c.change(IND, text, 3), [])

# --- hover
p = pos(IND, "for line in claim.lines", "lines")
check("hover: a schema field", c.at("textDocument/hover", IND, p), {
    "contents": {"kind": "markdown", "value":
                 "```arbiter\nclaim.lines: list of line\n```\n\n"
                 f"schema.rules:{line_of(SCHEMA, 'lines           list of line')[0] + 1}: "
                 "`lines           list of line`"},
    "range": rng(p, 5)})
p = pos(IND, "match r in drug_indication", "item_code")
check("hover: line.item_code", c.at("textDocument/hover", IND, p)["contents"]["value"],
      "```arbiter\nline.item_code: code required\n```\n\n"
      f"schema.rules:{line_of(SCHEMA, 'item_code    code required')[0] + 1}: "
      "`item_code    code required`")
p = pos(IND, "match r in drug_indication", "drug_indication")
check("hover: a table and its columns", c.at("textDocument/hover", IND, p)["contents"]["value"],
      '```arbiter\ntable drug_indication from "tables/drug_indication.csv" (5 rows): '
      "code code key, name text, pattern_id int, pattern regex, kp text, note text\n```\n\n"
      '08_drug_indication.rules:14: `table drug_indication from "tables/drug_indication.csv" {`')
p = pos(IND, "d.name matches r.pattern", "pattern")
check("hover: a table column", c.at("textDocument/hover", IND, p)["contents"]["value"],
      "```arbiter\ndrug_indication.pattern: regex\n```\n\n"
      "08_drug_indication.rules:18: `pattern     regex`")
p = pos(IND, "rule DRUG_INDICATION.1", "DRUG_INDICATION", 1)
check("hover: a category", c.at("textDocument/hover", IND, p)["contents"]["value"],
      '```arbiter\ncategory DRUG_INDICATION "药品限适应症": code GZ10000101008000, tier policy, '
      "severity medium, nature suspicious, points 1\n```\n\n"
      '08_drug_indication.rules:10: `category DRUG_INDICATION "药品限适应症" {`')
p = pos(IND, "rule DRUG_INDICATION.1", "DRUG_INDICATION.1")
check("hover: a rule", c.at("textDocument/hover", IND, p)["contents"]["value"],
      '```arbiter\nrule DRUG_INDICATION.1 "药品超适应症使用" in DRUG_INDICATION\n```\n\n'
      '08_drug_indication.rules:23: `rule DRUG_INDICATION.1 "药品超适应症使用" in DRUG_INDICATION`')
p = pos(IND, "match r in drug_indication", "r")
check("hover: a rule's variable", c.at("textDocument/hover", IND, p)["contents"]["value"],
      "```arbiter\nr: row of table drug_indication\n```")
p = pos(IND, "flag line", "line")
check("hover: the flagged variable", c.at("textDocument/hover", IND, p)["contents"]["value"],
      "```arbiter\nline: line\n```")

SEX = STDLIB / "39_procedure_sex.rules"
F_LINE = line_of(SCHEMA, 'F "女"')[0] + 1
check("open 39_procedure_sex.rules", c.open(SEX), [])
p = pos(SEX, "when claim.sex in {M, F}", "F")
check("hover: an enum member with its label", c.at("textDocument/hover", SEX, p), {
    "contents": {"kind": "markdown", "value":
                 '```arbiter\nsex.F "女" codes "2"\n```\n\n'
                 f"schema.rules:{F_LINE}: "
                 '`F "女"   codes "2"`'},
    "range": rng(p, 1)})
p = pos(SEX, "when claim.sex in {M, F}", "sex")
check("hover: an enum field", c.at("textDocument/hover", SEX, p)["contents"]["value"]
      .split("\n")[1], "claim.sex: sex")
p = pos(SEX, "  sex   sex", "sex", 1)
check("hover: an enum (a column's type)", c.at("textDocument/hover", SEX, p)["contents"]["value"]
      .split("\n")[1], 'enum sex: M "男", F "女", U "未知"')

CRS = STDLIB / "10_drug_course.rules"
c.open(CRS)
p = pos(CRS, "define course_total", "course_before")
check("hover: a define", c.at("textDocument/hover", CRS, p)["contents"]["value"],
      "```arbiter\ndefine course_before(l)\n```\n\n10_drug_course.rules:"
      f"{line_of(CRS, 'define course_before')[0] + 1}: "
      f"`{line_of(CRS, 'define course_before')[1].strip()}`")
check("definition: a define", c.at("textDocument/definition", CRS, p),
      [loc(CRS, pos(CRS, "define course_before", "course_before"), len("course_before"))])

# the example of docs/editors.md is this answer
doc = (SRC / "docs" / "editors.md").read_text()
m = re.search(r"<!-- tests/e2e/lsp.py checks this answer -->\n```json\n(.*?)\n```\n", doc, re.S)
check("docs/editors.md: the hover example", c.at("textDocument/hover", IND,
                                                  {"line": 25, "character": 13}),
      json.loads(m.group(1)) if m else "no example found")

# --- definition
p = pos(IND, "match r in drug_indication", "drug_indication")
csv = STDLIB / "tables" / "drug_indication.csv"
check("definition: a table, and its CSV file", c.at("textDocument/definition", IND, p),
      [loc(IND, pos(IND, "table drug_indication from", "drug_indication"), 15),
       {"uri": csv.as_uri(), "range": rng({"line": 0, "character": 0}, 0)}])
p = pos(IND, "match r in drug_indication", "item_code")
check("definition: a schema field", c.at("textDocument/definition", IND, p),
      [loc(SCHEMA, pos(SCHEMA, "item_code    code required", "item_code"), 9)])
p = pos(IND, "rule DRUG_INDICATION.1", "DRUG_INDICATION", 1)
check("definition: a category", c.at("textDocument/definition", IND, p),
      [loc(IND, pos(IND, "category DRUG_INDICATION", "DRUG_INDICATION"), 15)])
p = pos(IND, "expect flag DRUG_INDICATION.1", "DRUG_INDICATION.1")
check("definition: a rule (from a test's expect)", c.at("textDocument/definition", IND, p),
      [loc(IND, pos(IND, "rule DRUG_INDICATION.1", "DRUG_INDICATION.1"), 17)])
check("open 68_drug_over_dose.rules", c.open(DOSE), [])
LUA = STDLIB / "68_drug_over_dose.lua"
p = pos(DOSE, "when present(lua.over_dose", "over_dose")
check("definition: a Lua function, its signature and its Lua source",
      c.at("textDocument/definition", DOSE, p),
      [loc(DOSE, pos(DOSE, "over_dose(line, drug_over_dose) text", "over_dose"), 9),
       loc(LUA, pos(LUA, "function over_dose(", "over_dose"), 9)])
check("hover: a Lua function", c.at("textDocument/hover", DOSE, p)["contents"]["value"]
      .split("\n")[1], "lua.over_dose(line, row of table drug_over_dose) text")

# --- references
p = pos(IND, "table drug_indication from", "drug_indication")
check("references: a table", c.at("textDocument/references", IND, p,
                                  context={"includeDeclaration": True}),
      [loc(IND, p, 15), loc(IND, pos(IND, "match r in drug_indication", "drug_indication"), 15)])
p = pos(IND, "rule DRUG_INDICATION.1", "DRUG_INDICATION.1")
check("references: a rule (its tests' expects)",
      c.at("textDocument/references", IND, p, context={"includeDeclaration": False}),
      [loc(IND, pos(IND, "expect flag DRUG_INDICATION.1", "DRUG_INDICATION.1"), 17),
       loc(IND, pos(IND, "expect no flag DRUG_INDICATION.1", "DRUG_INDICATION.1"), 17)])
# a schema field: every use in the library (the files are checked together)
p = pos(IND, "match r in drug_indication", "item_code")
refs = c.at("textDocument/references", IND, p, context={"includeDeclaration": False})
want = []
for f in sorted(STDLIB.glob("*.rules")):
    for i, line in enumerate(f.read_text().split("\n")):
        code = line.split("#")[0]
        for mm in re.finditer(r"\b(line|l|x|y|z|li|other)\.item_code\b", code):
            want.append((f.name, i, utf16(code[:mm.start(0) + len(mm.group(1)) + 1])))
got = sorted((pathlib.Path(r["uri"][7:]).name, r["range"]["start"]["line"],
              r["range"]["start"]["character"]) for r in refs)
check("references: line.item_code in 08_drug_indication.rules",
      ("08_drug_indication.rules", pos(IND, "match r in", "item_code")["line"],
       pos(IND, "match r in", "item_code")["character"]) in got, True)
check("references: line.item_code spans the library", len({g[0] for g in got}) >= 20, True)
check("references: every textual line.item_code is found",
      sorted(set(want) - set(got)), [])

# --- completion
n, line = line_of(IND, "flag line message")


def complete(prefix_line, character):
    t = "\n".join(text.split("\n")[:n] + [prefix_line] + text.split("\n")[n + 1:])
    c.change(IND, t, 10 + character)
    items = c.at("textDocument/completion", IND, {"line": n, "character": character})
    return [i["label"] for i in items], items


labels, _ = complete('  flag line message "{r.}"', 24)
check("completion after r. (while the line does not parse): the table's columns", labels,
      ["code", "name", "pattern_id", "pattern", "kp", "note"])
labels, items = complete('  flag line message "{line.', 27)
schema_text = SCHEMA.read_text()
block = re.search(r"schema line \{(.*?)\n\}", schema_text, re.S).group(1)
line_fields = [ln.split()[0] for ln in block.split("\n")
               if ln.strip() and not ln.strip().startswith("#")]
check("completion after line.: the fields of schema line", labels, line_fields)
check("completion item: detail", items[0], {"label": "line_no", "kind": 5,
                                            "detail": "line.line_no: int key required"})
labels, _ = complete("  flag line message claim.", 26)
block = re.search(r"schema claim \{(.*?)\n\}", schema_text, re.S).group(1)
claim_fields = [ln.split()[0] for ln in block.split("\n")
                if ln.strip() and not ln.strip().startswith("#")]
check("completion after claim.: the fields of schema claim", labels[:len(claim_fields)],
      claim_fields)
labels, items = complete("  ", 2)
kinds = {}
for i in items:
    kinds.setdefault(i["kind"], []).append(i["label"])
lexer = (SRC / "lang" / "lexer.re").read_text()
keywords = re.findall(r'^\s*"([a-z_]+)"\s*\{ TOK\(TK_', lexer, re.M)
check("completion: exactly the lexer's keywords", kinds.get(14), keywords)
check("completion: tables", "drug_indication" in kinds.get(7, []), True)
check("completion: categories of the library", {"DRUG_INDICATION", "DRUG_OVER_DOSE"} <=
      set(kinds.get(9, [])), True)
check("completion: enum members", {"M", "F", "inpatient", "drug"} <= set(kinds.get(20, [])),
      True)
check("completion: defines and built-ins", {"course_total", "present", "days_between"} <=
      set(kinds.get(3, [])), True)
c.change(IND, text, 99)

# --- document symbols
syms = c.request("textDocument/documentSymbol", {"textDocument": {"uri": IND.as_uri()}})["result"]
check("documentSymbol: names and kinds", [(s["name"], s["kind"]) for s in syms],
      [("DRUG_INDICATION", 2), ("drug_indication", 5), ("DRUG_INDICATION.1", 24)])
table = syms[1]
check("documentSymbol: a table's columns", [(k["name"], k["kind"]) for k in table["children"]],
      [("code", 7), ("name", 7), ("pattern_id", 7), ("pattern", 7), ("kp", 7), ("note", 7)])
t0 = line_of(IND, "table drug_indication from")[0]
check("documentSymbol: a table's range and name",
      (table["range"]["start"], table["range"]["end"]["line"], table["selectionRange"]),
      ({"line": t0, "character": 0}, t0 + 7,
       rng(pos(IND, "table drug_indication from", "drug_indication"), 15)))
r0 = line_of(IND, "rule DRUG_INDICATION.1")[0]
check("documentSymbol: a rule's range", (syms[2]["range"]["start"], syms[2]["range"]["end"]),
      ({"line": r0, "character": 0}, {"line": r0 + 6, "character": utf16(
          line_of(IND, "flag line message")[1])}))

# the report configuration's file: one symbol spanning the declaration
REP = STDLIB / "report.rules"
rep_text = REP.read_text(encoding="utf-8")
c.open(REP, rep_text)
syms = c.request("textDocument/documentSymbol", {"textDocument": {"uri": REP.as_uri()}})["result"]
p0 = line_of(REP, "report {")[0]
check("documentSymbol: the report declaration",
      [(s["name"], s["kind"], s["range"]["start"]["line"], s["range"]["end"]["line"])
       for s in syms], [("report", 19, p0, p0 + len(rep_text.split("report {")[1].split("\n")) - 2)])

# --- a file of another library, with a Chinese name (percent-encoded URI)
with tempfile.TemporaryDirectory() as tmp:
    f = pathlib.Path(tmp) / "测试规则.rules"
    src = ('category TESTS "测试类" { code "X" }\n'
           'rule T.1 "标题" in TESTS\n  for line in claim.lines\n'
           '  when line.item_name == "阿莫西林胶囊" and line.amont > 0\n  flag line\n')
    f.write_text(src)
    got = c.open(f, src)
    k = src.split("\n")[3].index("amont")
    check("a Chinese file name: diagnostics on its own URI", got, [{
        "range": rng({"line": 3, "character": k}, 5), "severity": 1, "source": "arbiter",
        "message": "line has no field 'amont'; did you mean 'amount'?"}])
    check("percent-encoded URI", "%E6%B5%8B" in f.as_uri(), True)
    check("after CJK text", k, 43)
    p = pos(f, "rule T.1", "TESTS")
    check("definition in a file with a Chinese name", c.at("textDocument/definition", f, p),
          [loc(f, pos(f, "category TESTS", "TESTS"), 5)])

# --- a file starting with a byte-order mark: the editor counts it as a character
with tempfile.TemporaryDirectory() as tmp:
    f = pathlib.Path(tmp) / "bom.rules"
    src = '\ufeffcategory B "b" { code "X" pointz 1 }\nrule B.1 in B\n  flag claim\n'
    f.write_text(src)
    got = c.open(f, src)
    k = src.index("pointz")
    check("a BOM: the range counts it", [(d["range"], d["message"][:34]) for d in got],
          [(rng({"line": 0, "character": k}, 8), "unknown category property 'pointz'")])
    p = {"line": 1, "character": src.split("\n")[1].rindex(" B") + 1}
    check("a BOM: definition on line 0", c.at("textDocument/definition", f, p),
          [loc(f, {"line": 0, "character": src.index("B ")}, 1)])

# --- formatting: the same text as `arbiter fmt`, as edits in UTF-16 positions
def offset16(text, p):
    """The index into text of an LSP position (UTF-16 characters)."""
    lines = text.split("\n")
    before = sum(len(l) + 1 for l in lines[:p["line"]])
    line, k, u = lines[p["line"]] if p["line"] < len(lines) else "", 0, 0
    while u < p["character"]:
        u += utf16(line[k])
        k += 1
    return before + k


def apply_edits(text, edits):
    for e in sorted(edits, key=lambda e: (e["range"]["start"]["line"],
                                          e["range"]["start"]["character"]), reverse=True):
        a, b = offset16(text, e["range"]["start"]), offset16(text, e["range"]["end"])
        text = text[:a] + e["newText"] + text[b:]
    return text


def formatting(path):
    return c.request("textDocument/formatting", {"textDocument": {"uri": path.as_uri()},
                                                 "options": {"tabSize": 2,
                                                             "insertSpaces": True}})


with tempfile.TemporaryDirectory() as tmp:
    # a stdlib file with Chinese text, misformatted: indentation gone, spaces
    # doubled around '=' and ',' outside strings, trailing blanks, three blank
    # lines; the last line has CJK text, so the end position counts UTF-16
    orig = IND.read_text()
    bad = []
    for ln in orig.split("\n"):
        ln = ln.lstrip(" ")
        if '"' not in ln and "#" not in ln:
            ln = ln.replace(" = ", "  =   ").replace(", ", " ,  ")
        bad.append(ln + ("   " if ln else ""))
    bad = "\n".join(bad).replace("\n\n", "\n\n\n\n", 1) + '\n# 结尾的注释：中文'
    f = pathlib.Path(tmp) / IND.name
    f.write_text(bad)
    want = subprocess.run([ARBITER, "fmt", "-"], input=bad, capture_output=True, text=True,
                          env=dict(os.environ, ARBITER_STDLIB=str(STDLIB)))
    check("fmt formats the misformatted copy", (want.returncode, want.stdout != bad), (0, True))
    c.open(f, bad)
    r = formatting(f)
    edits = r.get("result")
    check("formatting: one whole-document edit", (isinstance(edits, list), len(edits or [])), (True, 1))
    end = bad.split("\n")
    check("formatting: the edit's range ends at the text's end in UTF-16",
          edits[0]["range"] if edits else None,
          {"start": {"line": 0, "character": 0},
           "end": {"line": len(end) - 1, "character": utf16(end[-1])}})
    got = apply_edits(bad, edits or [])
    check("formatting: the result is `arbiter fmt`'s", got == want.stdout, True)
    c.change(f, got, 2)
    check("formatting a formatted file: no edits", formatting(f).get("result"), [])
    # a file that does not parse: an error, no edit
    broken = got.replace("rule DRUG_INDICATION.1", "rule DRUG_INDICATION.1 (", 1)
    c.change(f, broken, 3)
    r = formatting(f)
    check("formatting a file that does not parse: an error, no result",
          ("error" in r, r.get("result")), (True, None))
    check("formatting a document not open: an error",
          "error" in formatting(pathlib.Path(tmp) / "none.rules"), True)
    c.notify("textDocument/didClose", {"textDocument": {"uri": f.as_uri()}})

# --- an unknown request, latency, shutdown
r = c.request("textDocument/rename", {"textDocument": {"uri": IND.as_uri()},
                                      "position": {"line": 0, "character": 0}, "newName": "x"})
check("unknown request: MethodNotFound", r.get("error", {}).get("code"), -32601)

times = []
for i, f in enumerate(sorted(STDLIB.glob("*.rules"))):
    ftext = f.read_text()
    c.open(f, ftext)
    for k in range(3):
        t = time.perf_counter()
        d = c.change(f, ftext + " " * (k + 1), 2 + k)
        times.append((time.perf_counter() - t) * 1000)
        if d:
            failures.append(f"{f.name}: diagnostics {d}")
times.sort()
print(f"re-check latency, didChange to publishDiagnostics, {len(times)} changes over "
      f"{len(times) // 3} stdlib files (each checked with its whole directory): median "
      f"{statistics.median(times):.1f} ms, p90 {times[int(len(times) * 0.9)]:.1f} ms, "
      f"max {times[-1]:.1f} ms")
# generous: a shared or sanitized build is slower, and one change in a
# hundred may wait on the machine (a sanitized build under a load of 18 had
# one at 1.6 s, median 0.35 s); the figures are printed above
check("re-check latency under 1 s at p90", times[int(len(times) * 0.9)] < 1000, True)

check("shutdown", c.request("shutdown", None).get("result", "missing"), None)
c.notify("exit", None)
check("exit code after shutdown and exit", c.p.wait(timeout=10), 0)

# a library over two directories: a deployment's rule using the standard
# library's table and category; alone it has errors, with --library none
with tempfile.TemporaryDirectory() as tmp:
    f = pathlib.Path(tmp) / "local.rules"
    src = ("rule LOCAL.1 \"本地规则\" in DRUG_INDICATION\n  for line in claim.lines\n"
           "  match r in drug_indication on line.item_code\n  flag line\n")
    f.write_text(src)
    for args, init, want in [((), {}, 2), (("--library", str(STDLIB)), {}, 0),
                             ((), {"libraryDirs": [str(STDLIB)]}, 0)]:
        d = Client(*args)
        d.request("initialize", {"processId": None, "rootUri": None, "capabilities": {},
                                 "initializationOptions": init})
        got = d.open(f, src)
        check(f"--library {args} {init}: errors", len(got), want)
        if want == 0:
            p = pos(f, "match r in", "drug_indication")
            check("--library: definition in the other directory",
                  d.at("textDocument/definition", f, p)[0],
                  loc(IND, pos(IND, "table drug_indication from", "drug_indication"), 15))
        d.request("shutdown", None)
        d.notify("exit", None)
        check("exit", d.p.wait(timeout=10), 0)

# exit without shutdown: 1; a malformed header: 2
p = subprocess.run([ARBITER, "lsp"], input=b'Content-Length: 33\r\n\r\n{"jsonrpc":"2.0","method":"exit"}',
                   capture_output=True)
check("exit without shutdown", p.returncode, 1)
p = subprocess.run([ARBITER, "lsp"], input=b"Content-Length: x\r\n\r\n{}", capture_output=True)
check("a malformed header", p.returncode, 2)
p = subprocess.run([ARBITER, "lsp", "--help"], capture_output=True, text=True)
check("--help", (p.returncode, p.stdout.startswith("usage: arbiter lsp")), (0, True))

if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)
print("lsp: all checks passed")
