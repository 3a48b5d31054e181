/* test_cli_util.c — what the CLI's commands share (cli/cli_util.c, included
 * here): parsing and naming --phase lists, whole numbers of options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli_util.c"

static void test_parse_phases(void **state) {
    (void)state;
    unsigned ph = 0;
    const char *bad = NULL;
    size_t badlen = 0;
    assert_int_equal(cli_parse_phases("pre", &ph, &bad, &badlen), 0);
    assert_int_equal(ph, ARB_PHASE_PRE);
    assert_int_equal(cli_parse_phases("settle,post", &ph, &bad, &badlen), 0);
    assert_int_equal(ph, ARB_PHASE_SETTLE | ARB_PHASE_POST);
    assert_int_equal(cli_parse_phases("post,pre,settle", &ph, &bad, &badlen), 0);
    assert_int_equal(ph, ARB_PHASE_ALL);
    const char *s = "pre,sett";
    assert_int_equal(cli_parse_phases(s, &ph, &bad, &badlen), -1);
    assert_ptr_equal(bad, s + 4);
    assert_int_equal(badlen, 4);
    assert_int_equal(cli_parse_phases("pre,", &ph, &bad, &badlen), -1);
    assert_int_equal(badlen, 0);
    assert_int_equal(cli_parse_phases("", &ph, &bad, &badlen), -1);
    s = "pre,post,pre";
    assert_int_equal(cli_parse_phases(s, &ph, &bad, &badlen), -2);
    assert_ptr_equal(bad, s + 9);
    assert_int_equal(badlen, 3);
}

static void test_phase_names(void **state) {
    (void)state;
    char buf[32];
    cli_phase_names(ARB_PHASE_SETTLE | ARB_PHASE_POST, buf, sizeof buf);
    assert_string_equal(buf, "settle,post");
    cli_phase_names(ARB_PHASE_PRE, buf, sizeof buf);
    assert_string_equal(buf, "pre");
    cli_phase_names(ARB_PHASE_ALL, buf, sizeof buf);
    assert_string_equal(buf, "pre,settle,post");
}

static void test_parse_u64(void **state) {
    (void)state;
    uint64_t v = 7;
    assert_int_equal(cli_parse_u64("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cli_parse_u64("18446744073709551615", &v), 0);
    assert_true(v == UINT64_MAX);
    v = 7;
    assert_int_equal(cli_parse_u64("18446744073709551616", &v), -1); /* out of range */
    assert_int_equal(cli_parse_u64("", &v), -1);
    assert_int_equal(cli_parse_u64("-1", &v), -1);
    assert_int_equal(cli_parse_u64("12x", &v), -1);
    assert_int_equal(cli_parse_u64("1.5", &v), -1);
    assert_int_equal(v, 7); /* untouched when refused */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_phases),
        cmocka_unit_test(test_phase_names),
        cmocka_unit_test(test_parse_u64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
