/* lexer.re — the Arbiter lexer (re2c).  Produces {ptr, len, off} tokens;
 * keywords are matched here, before identifiers. */
#include <string.h>

#include "grammar.h"
#include "syntax.h"

void lex_init(Lexer *lx, const char *src, size_t len, uint32_t base) {
    lx->src = src;
    lx->cur = src;
    lx->lim = src + len;
    lx->base = base;
}

int lex_next(Lexer *lx, Token *t, ParseCtx *c) {
    const unsigned char *YYCURSOR, *YYMARKER, *start;
    YYCURSOR = (const unsigned char *)lx->cur;
    YYMARKER = YYCURSOR;
    for (;;) {
        start = YYCURSOR;
#define TOK(code)                                                                                  \
    do {                                                                                           \
        lx->cur = (const char *)YYCURSOR;                                                          \
        t->ptr = (const char *)start;                                                              \
        t->len = (uint32_t)(YYCURSOR - start);                                                     \
        t->off = lx->base + (uint32_t)((const char *)start - lx->src);                             \
        return (code);                                                                             \
    } while (0)
        /*!re2c
        re2c:define:YYCTYPE = "unsigned char";
        re2c:yyfill:enable = 0;

        digit = [0-9];
        ident = [A-Za-z_][A-Za-z0-9_]*;

        "\x00" {
            if ((const char *)YYCURSOR - 1 >= lx->lim) { YYCURSOR--; TOK(0); }
            diag_add(c->diags, DIAG_ERROR, c->file, lx->base + (uint32_t)((const char *)start - lx->src), 1,
                     "unexpected NUL byte");
            continue;
        }
        [ \t\r\n]+ { continue; }
        "#" [^\n\x00]* { continue; }

        "import"   { TOK(TK_IMPORT); }
        "enum"     { TOK(TK_ENUM); }
        "schema"   { TOK(TK_SCHEMA); }
        "extend"   { TOK(TK_EXTEND); }
        "category" { TOK(TK_CATEGORY); }
        "table"    { TOK(TK_TABLE); }
        "from"     { TOK(TK_FROM); }
        "define"   { TOK(TK_DEFINE); }
        "rule"     { TOK(TK_RULE); }
        "in"       { TOK(TK_IN); }
        "phase"    { TOK(TK_PHASE); }
        "effective" { TOK(TK_EFFECTIVE); }
        "to"       { TOK(TK_TO); }
        "severity" { TOK(TK_SEVERITY); }
        "nature"   { TOK(TK_NATURE); }
        "points"   { TOK(TK_POINTS); }
        "for"      { TOK(TK_FOR); }
        "match"    { TOK(TK_MATCH); }
        "on"       { TOK(TK_ON); }
        "when"     { TOK(TK_WHEN); }
        "if"       { TOK(TK_IF); }
        "then"     { TOK(TK_THEN); }
        "else"     { TOK(TK_ELSE); }
        "flag"     { TOK(TK_FLAG); }
        "amount"   { TOK(TK_AMOUNT); }
        "message"  { TOK(TK_MESSAGE); }
        "and"      { TOK(TK_AND); }
        "or"       { TOK(TK_OR); }
        "not"      { TOK(TK_NOT); }
        "matches"  { TOK(TK_MATCHES); }
        "true"     { TOK(TK_TRUE); }
        "false"    { TOK(TK_FALSE); }
        "list"     { TOK(TK_LIST); }
        "of"       { TOK(TK_OF); }
        "key"      { TOK(TK_KEY); }
        "prefix"   { TOK(TK_PREFIX); }
        "required" { TOK(TK_REQUIRED); }
        "at_risk"  { TOK(TK_AT_RISK); }
        "as_of"    { TOK(TK_AS_OF); }
        "count"    { TOK(TK_COUNT); }
        "exists"   { TOK(TK_EXISTS); }
        "any"      { TOK(TK_ANY); }
        "all"      { TOK(TK_ALL); }
        "sum"      { TOK(TK_SUM); }
        "min"      { TOK(TK_MIN); }
        "max"      { TOK(TK_MAX); }
        "where"    { TOK(TK_WHERE); }
        "lua"      { TOK(TK_LUA); }
        "codes"    { TOK(TK_CODES); }
        "encoding" { TOK(TK_ENCODING); }
        "input"    { TOK(TK_INPUT); }
        "dict"     { TOK(TK_DICT); }
        "format"   { TOK(TK_FORMAT); }
        "missing"  { TOK(TK_MISSING); }
        "default"  { TOK(TK_DEFAULT); }
        "position" { TOK(TK_POSITION); }
        "report"   { TOK(TK_REPORT); }

        "[[" ([^\]\x00] | "]" [^\]\x00])* "]]" { TOK(TK_LUASRC); }
        "test"     { TOK(TK_TEST); }

        ident { TOK(TK_IDENT); }

        digit{4} "-" digit{2} "-" digit{2} [T ] digit{2} ":" digit{2} (":" digit{2})? { TOK(TK_DATETIME); }
        digit{4} "-" digit{2} "-" digit{2} { TOK(TK_DATE); }
        digit+ [dwh] { TOK(TK_DURATION); }
        digit+ "." digit+ { TOK(TK_MONEY); }
        digit+ { TOK(TK_INT); }

        ["] ([^"\\\n\x00] | "\\" [^\n\x00])* ["] { TOK(TK_STRING); }
        ["] ([^"\\\n\x00] | "\\" [^\n\x00])* {
            diag_add(c->diags, DIAG_ERROR, c->file, lx->base + (uint32_t)((const char *)start - lx->src), 1,
                     "unterminated string (a string ends on the line where it starts)");
            continue;
        }

        "==" { TOK(TK_EQ); }
        "!=" { TOK(TK_NE); }
        "<=" { TOK(TK_LE); }
        ">=" { TOK(TK_GE); }
        "<"  { TOK(TK_LT); }
        ">"  { TOK(TK_GT); }
        "="  { TOK(TK_ASSIGN); }
        "+"  { TOK(TK_PLUS); }
        "-"  { TOK(TK_MINUS); }
        "*"  { TOK(TK_STAR); }
        "/"  { TOK(TK_SLASH); }
        "("  { TOK(TK_LPAREN); }
        ")"  { TOK(TK_RPAREN); }
        "{"  { TOK(TK_LBRACE); }
        "}"  { TOK(TK_RBRACE); }
        ","  { TOK(TK_COMMA); }
        "."  { TOK(TK_DOT); }
        ":"  { TOK(TK_COLON); }
        "["  { TOK(TK_LBRACKET); }
        "]"  { TOK(TK_RBRACKET); }

        * {
            /* one whole UTF-8 character, so the caret and message make sense */
            while (YYCURSOR < (const unsigned char *)lx->lim && (*YYCURSOR & 0xc0) == 0x80) YYCURSOR++;
            diag_add(c->diags, DIAG_ERROR, c->file, lx->base + (uint32_t)((const char *)start - lx->src),
                     (uint32_t)(YYCURSOR - start), "unexpected character '%.*s'",
                     (int)(YYCURSOR - start), (const char *)start);
            continue;
        }
        */
#undef TOK
    }
}
