/* test_lexer.c — the re2c lexer: token kinds, spans, literals, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "grammar.h"
#include "syntax.h"

typedef struct Lexed {
    int codes[64];
    Token toks[64];
    int n;
    DiagList diags;
} Lexed;

static void lex_all(Lexed *out, const char *src) {
    memset(out, 0, sizeof *out);
    diag_init(&out->diags, mem_default());
    ParseCtx c;
    memset(&c, 0, sizeof c);
    c.diags = &out->diags;
    Lexer lx;
    lex_init(&lx, src, strlen(src), 0);
    int tk;
    while ((tk = lex_next(&lx, &out->toks[out->n], &c)) != 0 && out->n < 63)
        out->codes[out->n++] = tk;
}

static void test_keywords_and_identifiers(void **state) {
    (void)state;
    Lexed l;
    lex_all(&l, "rule rules for format when_x flag in index");
    /* `format` is a keyword of input profiles; the parser takes it (and the
     * other profile words) as a name wherever a keyword cannot stand */
    int want[] = {TK_RULE, TK_IDENT, TK_FOR, TK_FORMAT, TK_IDENT, TK_FLAG, TK_IN, TK_IDENT};
    assert_int_equal(l.n, 8);
    for (int i = 0; i < 8; i++) assert_int_equal(l.codes[i], want[i]);
    assert_int_equal(l.toks[1].off, 5);
    assert_int_equal(l.toks[1].len, 5);
    assert_memory_equal(l.toks[1].ptr, "rules", 5);
    diag_free(&l.diags);
}

static void test_literals(void **state) {
    (void)state;
    Lexed l;
    lex_all(&l, "42 12.50 2025-01-31 2025-01-31T08:30 15d 2w 8h \"a\\\"b\"");
    int want[] = {TK_INT,      TK_MONEY,    TK_DATE,     TK_DATETIME,
                  TK_DURATION, TK_DURATION, TK_DURATION, TK_STRING};
    assert_int_equal(l.n, 8);
    for (int i = 0; i < 8; i++) assert_int_equal(l.codes[i], want[i]);
    assert_int_equal(l.toks[3].len, 16);
    assert_int_equal(l.toks[7].len, 6);
    assert_int_equal(l.diags.n, 0);
    diag_free(&l.diags);
}

static void test_operators_and_comments(void **state) {
    (void)state;
    Lexed l;
    lex_all(&l, "a == b # comment == here\n!= <= >= < > = + - * / ( ) { } , .");
    int want[] = {TK_IDENT,  TK_EQ,     TK_IDENT,  TK_NE,    TK_LE,   TK_GE,    TK_LT,
                  TK_GT,     TK_ASSIGN, TK_PLUS,   TK_MINUS, TK_STAR, TK_SLASH, TK_LPAREN,
                  TK_RPAREN, TK_LBRACE, TK_RBRACE, TK_COMMA, TK_DOT};
    assert_int_equal(l.n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < l.n; i++) assert_int_equal(l.codes[i], want[i]);
    assert_int_equal(l.toks[3].off, 25); /* "!=" on the second line */
    diag_free(&l.diags);
}

static void test_utf8_in_strings(void **state) {
    (void)state;
    Lexed l;
    lex_all(&l, "\"限女性使用\" x");
    assert_int_equal(l.n, 2);
    assert_int_equal(l.codes[0], TK_STRING);
    assert_int_equal(l.toks[0].len, 17);
    assert_int_equal(l.toks[1].off, 18);
    diag_free(&l.diags);
}

static void test_errors_are_reported_and_skipped(void **state) {
    (void)state;
    Lexed l;
    lex_all(&l, "a @ b\n\"open\nc ￥ d");
    /* a b c d survive; '@', the unterminated string and '￥' are errors */
    assert_int_equal(l.n, 4);
    assert_int_equal(l.diags.n, 3);
    assert_int_equal(l.diags.items[0].off, 2);
    assert_non_null(strstr(l.diags.items[1].msg, "unterminated string"));
    assert_int_equal(l.diags.items[2].len, 3); /* one whole UTF-8 character */
    diag_free(&l.diags);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keywords_and_identifiers),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_operators_and_comments),
        cmocka_unit_test(test_utf8_in_strings),
        cmocka_unit_test(test_errors_are_reported_and_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
