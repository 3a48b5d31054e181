/* syntax.c — the parser driver: feeds tokens to the lemon parser, recovers
 * from syntax errors at the next declaration, parses template expressions. */
#include "syntax.h"

#include <string.h>

#include "grammar.h"

void parse_syntax_error(ParseCtx *c, int major, Token t) {
    if (c->syntax_error) return; /* one report per declaration */
    c->syntax_error = 1;
    if (major == 0) {
        diag_add(c->diags, DIAG_ERROR, c->file, t.off, 0, "unexpected end of input");
        return;
    }
    if (major == TK_STRING && t.len > 40)
        diag_add(c->diags, DIAG_ERROR, c->file, t.off, t.len, "syntax error: unexpected string");
    else
        diag_add(c->diags, DIAG_ERROR, c->file, t.off, t.len, "syntax error: unexpected '%.*s'",
                 (int)t.len, t.ptr);
}

void parse_stack_overflow(ParseCtx *c) {
    c->syntax_error = 1;
    diag_add(c->diags, DIAG_ERROR, c->file, 0, 0, "expression nested too deeply");
}

static int starts_decl(int tk) {
    switch (tk) {
    case TK_IMPORT:
    case TK_ENUM:
    case TK_SCHEMA:
    case TK_EXTEND:
    case TK_CATEGORY:
    case TK_TABLE:
    case TK_DEFINE:
    case TK_RULE:
    case TK_REPORT:
    case TK_TEST: return 1;
    default: return 0;
    }
}

int parse_file(ParseCtx *c, const char *src, size_t len) {
    return parse_text(c, src, len, 0);
}

int parse_text(ParseCtx *c, const char *src, size_t len, uint32_t base) {
    Lexer lx;
    lex_init(&lx, src, len, base);
    void *p = arena_alloc(c->ar, ArbParseSize());
    if (!p) {
        diag_add(c->diags, DIAG_ERROR, c->file, 0, 0, "out of memory");
        return 1;
    }
    ArbParseInit(p);
    int errors = 0;
    Token t;
    int tk;
    c->syntax_error = 0;
    do {
        tk = lex_next(&lx, &t, c);
        NodeList before = c->decls;
        c->lookahead_off = tk ? t.off : lx.base + (uint32_t)len;
        ArbParse(p, tk, t, c);
        if (starts_decl(tk)) {
            c->decl_mark = arena_mark(c->ar);
            c->decl_start = t.off;
        }
        if (c->syntax_error) {
            /* A declaration reduced while this token failed was cut short
             * (`when x = 1` reduces the rule at '='): drop it rather than
             * report its missing parts as further errors. */
            c->decls = before;
            if (before.tail) before.tail->next = NULL;
            /* Start over at the next declaration keyword. */
            errors++;
            ArbParseFinalize(p);
            ArbParseInit(p);
            c->syntax_error = 0;
            if (tk == 0) break;
            /* Resume at the failing token when it starts a declaration. */
            while (tk != 0 && !starts_decl(tk)) tk = lex_next(&lx, &t, c);
            c->lookahead_off = tk ? t.off : lx.base + (uint32_t)len;
            ArbParse(p, tk, t, c);
            if (starts_decl(tk)) {
                c->decl_mark = arena_mark(c->ar);
                c->decl_start = t.off;
            }
            if (c->syntax_error) { /* cannot happen at a declaration start */
                errors++;
                break;
            }
        }
    } while (tk != 0);
    ArbParseFinalize(p);
    if (c->out_of_memory) diag_add(c->diags, DIAG_ERROR, c->file, 0, 0, "out of memory");
    return errors;
}

Node *parse_expr(ParseCtx *c, const char *text, size_t len, uint32_t base) {
    /* The lexer needs a NUL-terminated buffer. */
    char *copy = arena_strndup(c->ar, text, len);
    if (!c->expr_parser) c->expr_parser = arena_alloc(c->ar, ArbParseSize());
    void *p = c->expr_parser;
    if (!copy || !p) return NULL;
    Lexer lx;
    lex_init(&lx, copy, len, base);
    ArbParseInit(p);
    c->expr = NULL;
    c->syntax_error = 0;
    Token t = {copy, 0, base};
    ArbParse(p, TK_EXPR_START, t, c);
    int tk;
    do {
        tk = lex_next(&lx, &t, c);
        ArbParse(p, tk, t, c);
    } while (tk != 0 && !c->syntax_error);
    ArbParseFinalize(p);
    Node *e = c->syntax_error ? NULL : c->expr;
    c->syntax_error = 0;
    return e;
}
