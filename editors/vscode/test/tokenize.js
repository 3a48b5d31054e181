// tokenize.js SRC — checks the TextMate grammar (syntaxes/arbiter.tmLanguage.json)
// with vscode-textmate and vscode-oniguruma (NODE_PATH names where npm put them):
//  - its keywords are exactly the lexer's (lang/lexer.re), each in one group,
//    and so are the Vim syntax file's (editors/vim/syntax/arbiter.vim);
//  - its built-in functions are exactly the checker's (lang/check.h);
//  - every .rules file of stdlib-rules (and its input/) tokenizes without an
//    "invalid" scope and with no keyword left without a scope of its own.
"use strict";
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const src = process.argv[2];
const grammarPath = path.join(src, "editors/vscode/syntaxes/arbiter.tmLanguage.json");
const grammarJson = JSON.parse(fs.readFileSync(grammarPath, "utf8"));
const failures = [];
const fail = (m) => failures.push(m);

function sameSet(what, got, want) {
  const g = new Set(got), w = new Set(want);
  const missing = [...w].filter((k) => !g.has(k)), extra = [...g].filter((k) => !w.has(k));
  if (missing.length || extra.length)
    fail(`${what}: missing [${missing.join(" ")}], not in the lexer/checker [${extra.join(" ")}]`);
}

// --- keywords: the lexer's, the grammar's, the Vim file's
const lexer = fs.readFileSync(path.join(src, "lang/lexer.re"), "utf8");
const keywords = [...lexer.matchAll(/^\s*"([a-z_]+)"\s*\{ TOK\(TK_/gm)].map((m) => m[1]);
if (keywords.length < 50) fail(`only ${keywords.length} keywords read from lang/lexer.re`);
const words = (re) => re.match(/\(\?:([^)]*)\)/)[1].split("|");
const grammarKeywords = grammarJson.repository.keywords.patterns.flatMap((p) => words(p.match));
sameSet("grammar keywords", grammarKeywords, keywords);
if (new Set(grammarKeywords).size !== grammarKeywords.length) fail("a grammar keyword is in two groups");
const vim = fs.readFileSync(path.join(src, "editors/vim/syntax/arbiter.vim"), "utf8");
// (arbiterType holds the type names, which are not keywords)
const vimKeywords = [...vim.matchAll(/^syn keyword arbiter(?!Type )\w+ (.*)$/gm)].flatMap((m) =>
  m[1].trim().split(/\s+/));
sameSet("Vim keywords", vimKeywords, keywords);
const checkH = fs.readFileSync(path.join(src, "lang/check.h"), "utf8");
const builtins = [...checkH.matchAll(/^\s*X\(\w+, "(\w+)", \d\)/gm)].map((m) => m[1]);
sameSet("grammar built-in functions", words(grammarJson.repository.builtin.match), builtins);

// --- tokenizing
const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm")).buffer;
const registry = new vsctm.Registry({
  onigLib: oniguruma.loadWASM(wasm).then(() => ({
    createOnigScanner: (p) => new oniguruma.OnigScanner(p),
    createOnigString: (s) => new oniguruma.OnigString(s),
  })),
  loadGrammar: async (scope) =>
    scope === "source.arbiter" ? vsctm.parseRawGrammar(JSON.stringify(grammarJson), grammarPath) : null,
});

function tokenize(grammar, text, name, problems) {
  let stack = vsctm.INITIAL;
  const kw = new Set(keywords);
  const lines = text.split("\n");
  let ntokens = 0;
  lines.forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      ntokens++;
      const word = line.slice(t.startIndex, t.endIndex);
      const where = `${name}:${i + 1}:${t.startIndex + 1}`;
      if (t.scopes.some((s) => s.startsWith("invalid")))
        problems.push(`${where}: invalid '${word}' (${t.scopes.join(" ")})`);
      else if (kw.has(word.trim()) && t.scopes.length === 1)
        problems.push(`${where}: keyword '${word}' has no scope`);
    }
    stack = r.ruleStack;
  });
  return ntokens;
}

registry.loadGrammar("source.arbiter").then((grammar) => {
  // the check can fail: a character no rule knows is invalid
  const probe = [];
  tokenize(grammar, "rule X.1 in C\n  when a ; b\n", "probe", probe);
  if (probe.length !== 1 || !probe[0].includes("invalid ';'"))
    fail(`the probe with a stray ';' gave ${JSON.stringify(probe)}`);
  // every keyword alone on a line gets a scope of its own
  const kwProbe = [];
  tokenize(grammar, keywords.join("\n"), "keywords", kwProbe);
  for (const p of kwProbe) fail(p);

  const dir = path.join(src, "stdlib-rules");
  const files = [
    ...fs.readdirSync(dir).filter((f) => f.endsWith(".rules")).map((f) => path.join(dir, f)),
    ...fs.readdirSync(path.join(dir, "input")).filter((f) => f.endsWith(".rules"))
      .map((f) => path.join(dir, "input", f)),
  ].sort();
  let ntokens = 0;
  for (const f of files) {
    const problems = [];
    ntokens += tokenize(grammar, fs.readFileSync(f, "utf8"), path.relative(src, f), problems);
    for (const p of problems) fail(p);
  }
  if (files.length < 40) fail(`only ${files.length} stdlib files found`);
  if (failures.length) {
    for (const f of failures.slice(0, 50)) console.log("FAIL " + f);
    console.log(`${failures.length} failures`);
    process.exit(1);
  }
  console.log(`grammar: ${keywords.length} keywords as the lexer's (and the Vim file's), ` +
    `${builtins.length} built-ins; ${files.length} stdlib files, ${ntokens} tokens, none invalid`);
});
