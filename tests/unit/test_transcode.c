/* test_transcode.c — GB18030 to UTF-8 through iconv: the encoding names and
 * their aliases; GBK text and a four-byte GB18030 sequence convert, lines
 * kept; an undecodable byte becomes U+FFFD and is listed with its offset
 * (plus the base), line and column in the input and its offset in the
 * output, and conversion goes on; a sequence cut by the end is undecodable;
 * the output grows past its first size; a converter is reused; a whole
 * file is converted in place, or validated as UTF-8 line by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transcode.h"
#include "utf8.h"

static void test_names(void **state) {
    (void)state;
    assert_int_equal(tc_encoding("utf-8"), TC_UTF8);
    assert_int_equal(tc_encoding("UTF8"), TC_UTF8);
    assert_int_equal(tc_encoding("GB18030"), TC_GB18030);
    assert_int_equal(tc_encoding("gbk"), TC_GB18030);
    assert_int_equal(tc_encoding("gb2312"), TC_GB18030);
    assert_int_equal(tc_encoding("latin1"), -1);
    assert_int_equal(tc_encoding(NULL), -1);
    assert_string_equal(tc_encoding_name(TC_GB18030), "GB18030");
    assert_string_equal(tc_encoding_name(TC_UTF8), "UTF-8");
    Transcoder t;
    assert_int_equal(tc_open(&t, TC_UTF8), -1); /* nothing to convert */
}

static void test_convert(void **state) {
    (void)state;
    Transcoder t;
    assert_int_equal(tc_open(&t, TC_GB18030), 0);
    TcText o;
    tc_text_init(&o, mem_default());
    /* 内科 (GBK), a line end, U+0080 and U+1F600 as four-byte GB18030
     * sequences, € as a two-byte one */
    const char in[] = "a,\xC4\xDA\xBF\xC6\n\x81\x30\x81\x30\x94\x39\xFC\x36\xA2\xE3";
    assert_int_equal(tc_convert(&t, in, sizeof in - 1, 0, &o), 0);
    assert_int_equal(o.nbad, 0);
    assert_string_equal(o.p, "a,\xE5\x86\x85\xE7\xA7\x91\n\xC2\x80\xF0\x9F\x98\x80\xE2\x82\xAC");
    assert_int_equal(utf8_check(o.p, o.len), UTF8_VALID);
    /* appended after what is there */
    assert_int_equal(tc_convert(&t, "xy", 2, 0, &o), 0);
    assert_int_equal(o.len, 20);
    assert_string_equal(o.p + o.len - 2, "xy");
    tc_text_free(&o);
    tc_close(&t);
}

static void test_undecodable(void **state) {
    (void)state;
    Transcoder t;
    assert_int_equal(tc_open(&t, TC_GB18030), 0);
    TcText o;
    tc_text_init(&o, mem_default());
    /* 0xFF is never GB18030; 0x81 0x20 is a lead byte before a space;
     * the input ends inside a two-byte sequence */
    const char in[] = "ok\n\xC4\xDA\xFFz\nab\x81 c\n\xC4";
    assert_int_equal(tc_convert(&t, in, sizeof in - 1, 100, &o), 0);
    assert_int_equal(o.nbad, 3);
    assert_int_equal(o.bad[0].in_off, 100 + 5);
    assert_int_equal(o.bad[0].line, 2);
    assert_int_equal(o.bad[0].col, 3);
    assert_memory_equal(o.p + o.bad[0].out_off, "\xEF\xBF\xBD", 3);
    assert_int_equal(o.bad[1].in_off, 100 + 10);
    assert_int_equal(o.bad[1].line, 3);
    assert_int_equal(o.bad[1].col, 3);
    assert_int_equal(o.bad[2].line, 4);
    assert_int_equal(o.bad[2].col, 1);
    assert_string_equal(o.p, "ok\n\xE5\x86\x85\xEF\xBF\xBDz\nab\xEF\xBF\xBD c\n\xEF\xBF\xBD");
    assert_int_equal(utf8_check(o.p, o.len), UTF8_VALID);
    tc_text_clear(&o);
    assert_int_equal(o.len, 0);
    assert_int_equal(o.nbad, 0);
    tc_text_free(&o);
    tc_close(&t);
}

static void test_grows(void **state) {
    (void)state;
    Transcoder t;
    assert_int_equal(tc_open(&t, TC_GB18030), 0);
    TcText o;
    tc_text_init(&o, mem_default());
    static char in[60000];
    for (size_t i = 0; i + 1 < sizeof in; i += 2) in[i] = '\xFF', in[i + 1] = '\xD6';
    assert_int_equal(tc_convert(&t, in, sizeof in, 0, &o), 0);
    /* each 0xFF undecodable (3 bytes out); 0xFF 0xD6 ... never pairs up,
     * the last 0xD6 is cut by the end */
    assert_true(o.nbad >= sizeof in / 2);
    assert_int_equal(utf8_check(o.p, o.len), UTF8_VALID);
    tc_text_free(&o);
    tc_close(&t);
}

/* A whole file's text: GB18030 converted in place with its bad bytes
 * listed; UTF-8 left as it is with the first invalid byte of each line. */
static void test_decode_whole(void **state) {
    (void)state;
    Alloc a = mem_default();
    const char gb[] = "\xC4\xDA\xBF\xC6,1\nx\xFF,2\n"; /* 内科,1 / x<bad>,2 */
    char *t = mem_alloc(a, sizeof gb);
    memcpy(t, gb, sizeof gb);
    size_t n = sizeof gb - 1;
    TcText bad;
    tc_text_init(&bad, a);
    assert_int_equal(tc_decode_whole(TC_GB18030, &t, &n, a, &bad), 0);
    assert_string_equal(t, "\xE5\x86\x85\xE7\xA7\x91,1\nx\xEF\xBF\xBD,2\n");
    assert_int_equal(n, strlen(t));
    assert_int_equal(bad.nbad, 1);
    assert_int_equal(bad.bad[0].in_off, 8);
    assert_int_equal(bad.bad[0].out_off, 10);
    assert_int_equal(bad.bad[0].line, 2);
    assert_int_equal(bad.bad[0].col, 2);
    tc_text_free(&bad);
    mem_free(a, t, n + 1);
    /* UTF-8: two bad bytes on line 1 give one entry, line 3 another */
    const char u8[] = "a\xFF\xFE"
                      "b\nok\n\xC3";
    t = mem_alloc(a, sizeof u8);
    memcpy(t, u8, sizeof u8);
    n = sizeof u8 - 1;
    tc_text_init(&bad, a);
    assert_int_equal(tc_decode_whole(TC_UTF8, &t, &n, a, &bad), 0);
    assert_memory_equal(t, u8, sizeof u8);
    assert_int_equal(bad.nbad, 2);
    assert_int_equal(bad.bad[0].in_off, 1);
    assert_int_equal(bad.bad[0].line, 1);
    assert_int_equal(bad.bad[0].col, 2);
    assert_int_equal(bad.bad[1].in_off, 8);
    assert_int_equal(bad.bad[1].line, 3);
    assert_int_equal(bad.bad[1].col, 1);
    tc_text_free(&bad);
    mem_free(a, t, n + 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_undecodable),  cmocka_unit_test(test_grows),
        cmocka_unit_test(test_decode_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
