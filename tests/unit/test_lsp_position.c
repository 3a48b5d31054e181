/* test_lsp_position.c — LSP positions (line, UTF-16 character) to and
 * from byte offsets (lsp/position.c), with ASCII, CJK (3 UTF-8 bytes, one
 * UTF-16 unit), astral characters (4 bytes, a surrogate pair: two units),
 * CRLF line ends and positions past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "position.h"

/* line 0: "ab" / line 1: "医保x" / line 2: "𠀀y😀z" / line 3: "" */
static const char TEXT[] = "ab\n\xe5\x8c\xbb\xe4\xbf\x9dx\n\xf0\xa0\x80\x80y\xf0\x9f\x98\x80z\n";

static void pos_of(const LineMap *m, uint32_t off, uint32_t line, uint32_t ch) {
    uint32_t l, c;
    linemap_position(m, off, &l, &c);
    assert_int_equal(l, line);
    assert_int_equal(c, ch);
}

static void test_offset_to_position(void **state) {
    (void)state;
    LineMap m;
    assert_int_equal(linemap_init(&m, TEXT, strlen(TEXT)), 0);
    assert_int_equal(m.nlines, 4);
    pos_of(&m, 0, 0, 0);
    pos_of(&m, 2, 0, 2);   /* the '\n' */
    pos_of(&m, 3, 1, 0);   /* 医 */
    pos_of(&m, 6, 1, 1);   /* 保: one unit per CJK character */
    pos_of(&m, 9, 1, 2);   /* x */
    pos_of(&m, 11, 2, 0);  /* 𠀀 (U+20000) */
    pos_of(&m, 15, 2, 2);  /* y: the astral character counted two */
    pos_of(&m, 16, 2, 3);  /* 😀 */
    pos_of(&m, 20, 2, 5);  /* z */
    pos_of(&m, 22, 3, 0);  /* the end: the last, empty line */
    pos_of(&m, 999, 3, 0); /* past the end: clamped */
    pos_of(&m, 4, 1, 0);   /* inside 医: its start */
    pos_of(&m, 13, 2, 0);  /* inside 𠀀 */
    linemap_free(&m);
}

static void test_position_to_offset(void **state) {
    (void)state;
    LineMap m;
    assert_int_equal(linemap_init(&m, TEXT, strlen(TEXT)), 0);
    assert_int_equal(linemap_offset(&m, 0, 0), 0);
    assert_int_equal(linemap_offset(&m, 0, 2), 2);
    assert_int_equal(linemap_offset(&m, 0, 50), 2); /* past the line: its end */
    assert_int_equal(linemap_offset(&m, 1, 1), 6);
    assert_int_equal(linemap_offset(&m, 1, 2), 9);
    assert_int_equal(linemap_offset(&m, 2, 2), 15);
    assert_int_equal(linemap_offset(&m, 2, 1), 11); /* inside a surrogate pair: its start */
    assert_int_equal(linemap_offset(&m, 2, 3), 16);
    assert_int_equal(linemap_offset(&m, 2, 5), 20);
    assert_int_equal(linemap_offset(&m, 3, 0), 22);
    assert_int_equal(linemap_offset(&m, 9, 0), 22); /* past the last line: the end */
    /* there and back for every character start */
    for (uint32_t off = 0; off <= strlen(TEXT); off++) {
        if (off < strlen(TEXT) && ((unsigned char)TEXT[off] & 0xc0) == 0x80) continue;
        uint32_t l, c;
        linemap_position(&m, off, &l, &c);
        assert_int_equal(linemap_offset(&m, l, c), off);
    }
    linemap_free(&m);
}

static void test_crlf_and_empty(void **state) {
    (void)state;
    LineMap m;
    const char *t = "a\r\n\xe4\xbf\x9d\r\n";
    assert_int_equal(linemap_init(&m, t, strlen(t)), 0);
    pos_of(&m, 1, 0, 1); /* the '\r' belongs to line 0 */
    pos_of(&m, 3, 1, 0);
    assert_int_equal(linemap_offset(&m, 1, 1), 6);
    assert_int_equal(linemap_offset(&m, 1, 9), 7); /* the line's end: the '\n' */
    linemap_free(&m);
    assert_int_equal(linemap_init(&m, "", 0), 0);
    pos_of(&m, 0, 0, 0);
    assert_int_equal(linemap_offset(&m, 0, 3), 0);
    linemap_free(&m);
    assert_int_equal(utf16_length("\xf0\x9f\x98\x80\xe5\x8c\xbb"
                                  "a",
                                  8),
                     4);
    assert_int_equal(utf16_length("\xff", 1), 1); /* an invalid byte: one unit */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offset_to_position),
        cmocka_unit_test(test_position_to_offset),
        cmocka_unit_test(test_crlf_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
