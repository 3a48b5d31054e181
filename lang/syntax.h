/* syntax.h — the lexer and the parser driver: source text in, declarations
 * (or one expression) out, syntax errors recorded as diagnostics. */
#ifndef ARB_SYNTAX_H
#define ARB_SYNTAX_H

#include "ast.h"

typedef struct Lexer {
    const char *src; /* NUL-terminated */
    const char *cur; /* next byte to scan */
    const char *lim; /* the terminating NUL */
    uint32_t base;   /* offset of src within its file (for sub-expressions) */
} Lexer;

void lex_init(Lexer *lx, const char *src, size_t len, uint32_t base);
/* Scans the next token into *t and returns its code (TK_*), 0 at the end.
 * An invalid character or unterminated string becomes a diagnostic and is
 * skipped. */
int lex_next(Lexer *lx, Token *t, ParseCtx *c);

/* Parses a whole file; the declarations land in c->decls.  After a syntax
 * error it skips to the next declaration keyword and goes on, so one run
 * reports as many errors as it can.  Returns the number of syntax errors. */
int parse_file(ParseCtx *c, const char *src, size_t len);
/* The same for text that starts at byte `base` of file c->file. */
int parse_text(ParseCtx *c, const char *src, size_t len, uint32_t base);

/* Parses text[0..len) — which starts at byte `base` of file c->file — as one
 * expression (used for {expr} in message templates).  NULL on error. */
Node *parse_expr(ParseCtx *c, const char *text, size_t len, uint32_t base);

/* Called by the generated parser. */
void parse_syntax_error(ParseCtx *c, int major, Token t);
void parse_stack_overflow(ParseCtx *c);

/* The generated parser's entry points (lemon). */
size_t ArbParseSize(void);
void ArbParseInit(void *p);
void ArbParseFinalize(void *p);
void ArbParse(void *p, int major, Token minor, ParseCtx *ctx);

#endif
