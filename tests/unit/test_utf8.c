/* test_utf8.c — UTF-8 validation: ASCII and well-formed sequences of 2 to 4
 * bytes pass; the offset of the first bad byte is found for a stray
 * continuation byte, an overlong form, a surrogate, a code point above
 * U+10FFFF, a sequence cut by the end or by another byte, and GBK text;
 * the BOM is recognised; lines and columns of an offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static size_t check(const char *s) {
    return utf8_check(s, strlen(s));
}

static void test_valid(void **state) {
    (void)state;
    assert_int_equal(check(""), UTF8_VALID);
    assert_int_equal(check("plain ASCII, long enough for the 8-byte path"), UTF8_VALID);
    assert_int_equal(check("\xC2\xA9 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80"), UTF8_VALID);
    assert_int_equal(check("\xEF\xBF\xBD\xF4\x8F\xBF\xBF\xED\x9F\xBF"), UTF8_VALID);
    assert_int_equal(check("abcdefgh\xE4\xB8\xAD"
                           "abcdefghijklmnop"),
                     UTF8_VALID);
}

static void test_invalid(void **state) {
    (void)state;
    assert_int_equal(check("ab\x80"), 2);                    /* stray continuation */
    assert_int_equal(check("\xC0\xAF"), 0);                  /* overlong '/' */
    assert_int_equal(check("x\xE0\x80\xAF"), 1);             /* overlong, 3 bytes */
    assert_int_equal(check("xy\xED\xA0\x80"), 2);            /* surrogate U+D800 */
    assert_int_equal(check("\xF4\x90\x80\x80"), 0);          /* above U+10FFFF */
    assert_int_equal(check("\xF5\x80\x80\x80"), 0);          /* no such lead byte */
    assert_int_equal(check("abcdefghij\xE4\xB8"), 10);       /* cut by the end */
    assert_int_equal(check("\xE4\xB8z"), 0);                 /* cut by another byte */
    assert_int_equal(check("\xE4\xB8\xAD\xFF"), 3);          /* never in UTF-8 */
    assert_int_equal(check("dept,\xC4\xDA\xBF\xC6"), 5);     /* GBK 内科 */
    assert_int_equal(check("0123456789abcdef\xD6\xD0"), 16); /* after the fast path */
    const char nul[] = {'a', 0, '\xC3'};
    assert_int_equal(utf8_check(nul, 3), 2); /* NUL is ASCII; the length counts */
}

static void test_bom(void **state) {
    (void)state;
    assert_int_equal(utf8_bom("\xEF\xBB\xBFx", 4), 3);
    assert_int_equal(utf8_bom("\xEF\xBB", 2), 0);
    assert_int_equal(utf8_bom("x\xEF\xBB\xBF", 4), 0);
}

static void test_line_col(void **state) {
    (void)state;
    const char *s = "ab\ncd\n\nxyz";
    uint64_t line;
    size_t col;
    utf8_line_col(s, 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    utf8_line_col(s, 4, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 2);
    utf8_line_col(s, 9, &line, &col);
    assert_int_equal(line, 4);
    assert_int_equal(col, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_line_col),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
