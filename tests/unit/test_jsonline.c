/* test_jsonline.c — the report's JSON Lines record reader (report/jsonline):
 * value types as json-c gives them, string decoding (escapes, surrogate
 * pairs, \u0000), repeated keys, a top-level array's elements, nested
 * values checked and skipped, what it rejects (with the offset), and a
 * document reused from a long line to a short one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonline.h"

static int parse(JlineDoc *d, const char *s) {
    return jline_parse(d, s, strlen(s));
}

static const JlineVal *get(const JlineDoc *d, const char *key) {
    return jline_get(d, JLINE_TOP, key);
}

static void test_types(void **state) {
    (void)state;
    JlineDoc d;
    jline_init(&d);
    assert_int_equal(parse(&d, " {\"s\":\"ab\",\"i\":-42,\"z\":-0,\"f\":1.5,\"e\":2e3,\"t\":true,"
                               "\"n\":null,\"o\":{\"x\":[1,{\"y\":2}]},\"b\":false} "),
                     0);
    assert_int_equal(get(&d, "s")->type, JLINE_STRING);
    assert_string_equal(get(&d, "s")->s, "ab");
    assert_int_equal(get(&d, "s")->n, 2);
    assert_int_equal(get(&d, "i")->type, JLINE_INT);
    assert_int_equal(get(&d, "i")->i, -42);
    assert_int_equal(get(&d, "z")->type, JLINE_INT);
    assert_int_equal(get(&d, "f")->type, JLINE_DOUBLE);
    assert_true(get(&d, "f")->d == 1.5);
    assert_int_equal(get(&d, "e")->type, JLINE_DOUBLE);
    assert_true(get(&d, "e")->d == 2000.0);
    assert_int_equal(get(&d, "t")->type, JLINE_BOOLEAN);
    assert_int_equal(get(&d, "t")->i, 1);
    assert_int_equal(get(&d, "b")->i, 0);
    assert_int_equal(get(&d, "n")->type, JLINE_NULL);
    assert_int_equal(get(&d, "o")->type, JLINE_OBJECT);
    /* members of nested objects are not the top's */
    assert_null(get(&d, "x"));
    assert_null(get(&d, "y"));
    assert_null(get(&d, "missing"));
    /* int64 at its limits; beyond them a double, as json-c */
    assert_int_equal(parse(&d, "{\"a\":9223372036854775807,\"b\":-9223372036854775808,"
                               "\"c\":99999999999999999999}"),
                     0);
    assert_int_equal(get(&d, "a")->i, INT64_MAX);
    assert_int_equal(get(&d, "b")->i, INT64_MIN);
    assert_int_equal(get(&d, "c")->type, JLINE_DOUBLE);
    assert_true(get(&d, "c")->d > 9.9e19);
    assert_int_equal(parse(&d, "{}"), 0);
    assert_null(get(&d, "a"));
    jline_free(&d);
}

static void test_strings(void **state) {
    (void)state;
    JlineDoc d;
    jline_init(&d);
    assert_int_equal(
        parse(&d, "{\"a\":\"x\\\"\\\\\\/\\b\\f\\n\\r\\ty\",\"b\":\"\\u00e9\\u4e2d"
                  "\\ud83d\\ude00\",\"c\":\"\xe5\x8c\xbb\xe4\xbf\x9d\",\"d\":\"p\\u0000q\","
                  "\"\\u006b\":1}"),
        0);
    assert_string_equal(get(&d, "a")->s, "x\"\\/\b\f\n\r\ty");
    assert_int_equal(get(&d, "a")->n, 10);
    assert_string_equal(get(&d, "b")->s, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80");
    assert_string_equal(get(&d, "c")->s, "\xe5\x8c\xbb\xe4\xbf\x9d");
    /* \u0000 ends the C string, as json_object_get_string's */
    assert_string_equal(get(&d, "d")->s, "p");
    assert_int_equal(get(&d, "d")->n, 1);
    /* keys are decoded */
    assert_non_null(get(&d, "k"));
    jline_free(&d);
}

static void test_repeated_keys(void **state) {
    (void)state;
    JlineDoc d;
    jline_init(&d);
    assert_int_equal(parse(&d, "{\"k\":\"first\",\"l\":[{\"k\":\"inner\"}],\"k\":\"last\"}"), 0);
    assert_string_equal(get(&d, "k")->s, "last");
    const JlineVal *l = get(&d, "l");
    assert_string_equal(jline_get(&d, l->first, "k")->s, "inner");
    jline_free(&d);
}

static void test_elements(void **state) {
    (void)state;
    JlineDoc d;
    jline_init(&d);
    assert_int_equal(parse(&d, "{\"id\":\"C1\",\"lines\":[{\"line_no\":1,\"item_code\":\"A\","
                               "\"sub\":{\"item_code\":\"no\"},\"arr\":[{\"q\":1}]},7,"
                               "{\"line_no\":2,\"item_code\":\"B\",\"item_code\":\"B2\"},{}],"
                               "\"empty\":[],\"after\":\"x\"}"),
                     0);
    const JlineVal *l = get(&d, "lines");
    assert_int_equal(l->type, JLINE_ARRAY);
    assert_int_equal(l->count, 4);
    assert_int_equal(jline_get(&d, l->first, "line_no")->i, 1);
    assert_string_equal(jline_get(&d, l->first, "item_code")->s, "A");
    assert_int_equal(jline_get(&d, l->first, "sub")->type, JLINE_OBJECT);
    /* the element's own array is typed, not recorded */
    assert_int_equal(jline_get(&d, l->first, "arr")->type, JLINE_ARRAY);
    assert_int_equal(jline_get(&d, l->first, "arr")->count, 0);
    assert_null(jline_get(&d, l->first, "q"));
    /* an element that is not an object has no members */
    assert_null(jline_get(&d, l->first + 1, "line_no"));
    assert_string_equal(jline_get(&d, l->first + 2, "item_code")->s, "B2");
    assert_null(jline_get(&d, l->first + 3, "item_code"));
    assert_null(jline_get(&d, l->first + 4, "item_code")); /* past the end */
    assert_int_equal(get(&d, "empty")->count, 0);
    assert_string_equal(get(&d, "after")->s, "x");
    /* the top's members are not the elements' */
    assert_null(get(&d, "line_no"));
    jline_free(&d);
}

static void test_rejects(void **state) {
    (void)state;
    static const struct {
        const char *json;
        size_t off;
    } bad[] = {
        {"", 0},
        {"[1]", 0},
        {"\"s\"", 0},
        {"{\"a\":1} x", 8},
        {"{\"a\":1}{}", 7},
        {"{\"a\":1,}", 7},
        {"{\"a\" 1}", 5},
        {"{a:1}", 1},
        {"{\"a\":01}", 6},
        {"{\"a\":1.}", 7},
        {"{\"a\":-}", 6},
        {"{\"a\":1e}", 7},
        {"{\"a\":+1}", 5},
        {"{\"a\":tru}", 5},
        {"{\"a\":nul}", 5},
        {"{\"a\":\"x\\q\"}", 7},
        {"{\"a\":\"\\u12g4\"}", 6},
        {"{\"a\":\"\\ud800\"}", 6},
        {"{\"a\":\"\\udc00\"}", 6},
        {"{\"a\":\"\\ud800\\u0041\"}", 6},
        {"{\"a\":\"x\ty\"}", 7},
        {"{\"a\":\"\xc0\x80\"}", 6},
        {"{\"a\":\"\xed\xa0\x80\"}", 6},
        {"{\"a\":\"\xe4\xb8\"}", 6},
        {"{\"a\":\"abc", 9},
        {"{\"a\":[1,2}", 9},
        {"{\"a\":[1 2]}", 8},
        {"{\"l\":[{\"x\":1,}]}", 13},
    };
    JlineDoc d;
    jline_init(&d);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = parse(&d, bad[i].json);
        if (rc != -1) fail_msg("accepted: %s", bad[i].json);
        if (d.err_off != bad[i].off)
            fail_msg("%s: at %zu, wanted %zu", bad[i].json, d.err_off, bad[i].off);
    }
    /* nesting: 62 levels in are fine, 64 are not */
    char deep[200];
    size_t k = 0;
    deep[k++] = '{', deep[k++] = '"', deep[k++] = 'a', deep[k++] = '"', deep[k++] = ':';
    for (int i = 0; i < 62; i++) deep[k++] = '[';
    for (int i = 0; i < 62; i++) deep[k++] = ']';
    deep[k++] = '}';
    assert_int_equal(jline_parse(&d, deep, k), 0);
    k = 5;
    for (int i = 0; i < 64; i++) deep[k++] = '[';
    for (int i = 0; i < 64; i++) deep[k++] = ']';
    deep[k++] = '}';
    assert_int_equal(jline_parse(&d, deep, k), -1);
    jline_free(&d);
}

static void test_reuse(void **state) {
    (void)state;
    JlineDoc d;
    jline_init(&d);
    /* a long line with many members and elements, then a short one */
    size_t cap = 1 << 16, k = 0;
    char *big = malloc(cap);
    assert_non_null(big);
    k += (size_t)snprintf(big + k, cap - k, "{\"lines\":[");
    for (int i = 0; i < 500; i++)
        k += (size_t)snprintf(big + k, cap - k, "%s{\"line_no\":%d,\"n\":\"\xe8\x8d\xaf%d\"}",
                              i ? "," : "", i, i);
    k += (size_t)snprintf(big + k, cap - k, "]");
    for (int i = 0; i < 100; i++) k += (size_t)snprintf(big + k, cap - k, ",\"k%d\":%d", i, i);
    k += (size_t)snprintf(big + k, cap - k, "}");
    assert_int_equal(jline_parse(&d, big, k), 0);
    const JlineVal *l = get(&d, "lines");
    assert_int_equal(l->count, 500);
    assert_string_equal(jline_get(&d, l->first + 499, "n")->s, "\xe8\x8d\xaf"
                                                               "499");
    assert_int_equal(get(&d, "k99")->i, 99);
    free(big);
    assert_int_equal(parse(&d, "{\"a\":\"b\"}"), 0);
    assert_string_equal(get(&d, "a")->s, "b");
    assert_null(get(&d, "k99"));
    assert_null(get(&d, "lines"));
    jline_free(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),         cmocka_unit_test(test_strings),
        cmocka_unit_test(test_repeated_keys), cmocka_unit_test(test_elements),
        cmocka_unit_test(test_rejects),       cmocka_unit_test(test_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
