/* test_regex.c — the regular expressions of rules and tables (runtime/
 * regex.h, RE2): regcomp's extended syntax and the Perl classes match as
 * documented, by UTF-8 character; a backreference or a syntax error is
 * refused with its character; the patterns that made the POSIX matcher
 * take minutes ((a+)+$ on 30,000 characters) finish at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "regex.h"

static int m(const char *pattern, const char *text) {
    char err[256];
    Rx *rx = rx_new(pattern, strlen(pattern), err, sizeof err);
    if (!rx) fail_msg("'%s' does not compile: %s", pattern, err);
    int r = rx_match(rx, text, strlen(text));
    rx_free(rx);
    return r;
}

static void test_syntax(void **state) {
    (void)state;
    assert_true(m("(注射|片)", "阿莫西林胶囊片"));
    assert_false(m("(注射|片)", "阿莫西林胶囊"));
    assert_true(m("^[[:digit:]]{3}-[[:alpha:]]+$", "123-abc"));
    assert_true(m("^\\d+$", "2025"));
    assert_false(m("^\\d+$", "20x5"));
    assert_true(m("\\bI10\\b", "dx I10 hypertension"));
    assert_false(m("\\bI10\\b", "I109"));
    /* '.' is one character of UTF-8, and matches a newline */
    assert_true(m("^..$", "肺炎"));
    assert_false(m("^.$", "肺炎"));
    assert_true(m("a.b", "a\nb"));
    /* an empty pattern, and one matching the empty text */
    assert_true(m("", "x"));
    assert_true(m("a*", ""));
    /* a subject with a NUL inside is matched whole */
    char err[64];
    Rx *rx = rx_new("b$", 2, err, sizeof err);
    assert_non_null(rx);
    assert_true(rx_match(rx, "a\0b", 3));
    rx_free(rx);
}

static void refused(const char *pattern, const char *want) {
    char err[256];
    Rx *rx = rx_new(pattern, strlen(pattern), err, sizeof err);
    if (rx) fail_msg("'%s' compiled", pattern);
    if (!strstr(err, want)) fail_msg("'%s': '%s', wanted '%s'", pattern, err, want);
}

static void test_refused(void **state) {
    (void)state;
    refused("^(a*)*\\1\\1\\1b$", "backreferences (\\1 at character 7) are not supported");
    refused("(肺炎|感染\\2)", "backreferences (\\2 at character 7)");
    refused("(abc", "missing )");
    refused("a{2,1}", "invalid repetition size: {2,1} (at character 2)");
}

static void test_linear(void **state) {
    (void)state;
    /* catastrophic for a backtracking matcher: here linear in the text */
    size_t n = 30000;
    char *s = malloc(n + 2);
    assert_non_null(s);
    memset(s, 'a', n);
    s[n] = 'b';
    s[n + 1] = 0;
    assert_false(m("(a+)+$x", s));
    assert_true(m("(a+)+b$", s));
    assert_false(m("^(a|aa)+$", s));
    assert_true(m("(a*)*(a*)*(a*)*b", s));
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
