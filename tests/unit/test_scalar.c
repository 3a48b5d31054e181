/* test_scalar.c — scalar_format (runtime/scalar) of money and text, which
 * are written without printf: the same bytes and the same return value as
 * the snprintf they replace, at every buffer size (truncation), for amounts
 * at their limits and text with and without room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scalar.h"

/* scalar_format against want (what snprintf wrote with a large buffer) at
 * every capacity from 0 to past its length. */
static void check(const Type *t, Value v, int json, const char *want) {
    size_t n = strlen(want);
    for (size_t cap = 0; cap <= n + 2; cap++) {
        char buf[64];
        memset(buf, 'X', sizeof buf);
        size_t got = scalar_format(t, v, 0, json, buf, cap);
        assert_int_equal(got, n);
        if (cap) {
            size_t k = n < cap - 1 ? n : cap - 1;
            assert_memory_equal(buf, want, k);
            assert_int_equal(buf[k], 0);
        }
        assert_int_equal(buf[cap], 'X'); /* nothing written past cap */
    }
}

static void test_money(void **state) {
    (void)state;
    const Type money = {TY_MONEY, 0, NULL, NULL, NULL};
    static const int64_t cents[] = {0,   1,    -1,     9,       10,        -10,          99,
                                    100, -105, 123456, -123456, INT64_MAX, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof cents / sizeof *cents; i++) {
        int64_t c = cents[i];
        uint64_t a = c < 0 ? 0 - (uint64_t)c : (uint64_t)c;
        for (int json = 0; json < 2; json++) {
            char want[64];
            snprintf(want, sizeof want, json ? "\"%s%llu.%02llu\"" : "%s%llu.%02llu",
                     c < 0 ? "-" : "", (unsigned long long)(a / 100),
                     (unsigned long long)(a % 100));
            check(&money, (Value){.i = c}, json, want);
        }
    }
}

static void test_text(void **state) {
    (void)state;
    const Type text = {TY_TEXT, 0, NULL, NULL, NULL};
    Arena ar;
    arena_init(&ar, mem_default(), 1024);
    static const char *const cases[] = {"", "a", "C00000001",
                                        "\xe5\x8c\xbb\xe4\xbf\x9d\xe5\xb1\x80"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check(&text, (Value){.s = str_new(&ar, cases[i], strlen(cases[i]))}, 0, cases[i]);
    arena_free(&ar);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
