/* test_strmap.c — the string map: a key stored is found by its bytes, others
 * are not (a prefix, a longer key, the empty key until stored); putting a
 * key again keeps the first value and returns it; the map grows past many
 * thousands and keeps every key; out of memory while growing sets *oom and
 * leaves the map unchanged and usable; cleared, it forgets every key but
 * keeps its table, and takes keys again; a fast map does all the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_budget.h"
#include "strmap.h"

static void *get(const StrMap *m, const char *k) {
    return strmap_get(m, k, strlen(k));
}

static void test_put_get_grow(void **state) {
    (void)state;
    StrMap m;
    strmap_init(&m, mem_default());
    int oom = 0, one = 1, two = 2, three = 3;
    assert_null(get(&m, "x"));
    assert_null(strmap_put(&m, "ab", 2, &one, &oom));
    assert_ptr_equal(get(&m, "ab"), &one);
    assert_null(get(&m, "a"));
    assert_null(get(&m, "abc"));
    assert_null(get(&m, ""));
    assert_ptr_equal(strmap_put(&m, "ab", 2, &two, &oom), &one); /* the first stays */
    assert_ptr_equal(get(&m, "ab"), &one);
    assert_null(strmap_put(&m, "", 0, &three, &oom));
    assert_ptr_equal(get(&m, ""), &three);
    static char keys[20000][12];
    for (int i = 0; i < 20000; i++) {
        snprintf(keys[i], sizeof keys[i], "code%d", i);
        assert_null(strmap_put(&m, keys[i], strlen(keys[i]), keys[i], &oom));
    }
    assert_int_equal(oom, 0);
    assert_int_equal(m.n, 20002);
    assert_true(m.cap >= 2 * m.n);
    for (int i = 0; i < 20000; i += 7) assert_ptr_equal(get(&m, keys[i]), keys[i]);
    assert_ptr_equal(get(&m, "ab"), &one);
    assert_null(get(&m, "code20000"));
    strmap_free(&m);
    assert_null(get(&m, "ab"));
}

static void test_clear(void **state) {
    (void)state;
    StrMap m;
    strmap_init(&m, mem_default());
    strmap_clear(&m); /* empty: nothing to do */
    int oom = 0, one = 1, two = 2;
    static char keys[1000][12];
    for (int i = 0; i < 1000; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        assert_null(strmap_put(&m, keys[i], strlen(keys[i]), keys[i], &oom));
    }
    StrMapEntry *table = m.e;
    uint32_t cap = m.cap;
    strmap_clear(&m);
    assert_int_equal(m.n, 0);
    assert_ptr_equal(m.e, table); /* the table kept */
    assert_int_equal(m.cap, cap);
    for (int i = 0; i < 1000; i++) assert_null(get(&m, keys[i]));
    assert_null(strmap_put(&m, "k5", 2, &one, &oom)); /* new again */
    assert_ptr_equal(strmap_put(&m, "k5", 2, &two, &oom), &one);
    assert_int_equal(m.n, 1);
    assert_int_equal(oom, 0);
    strmap_free(&m);
}

static void test_out_of_memory(void **state) {
    (void)state;
    Budget budget = {1}; /* the first table only */
    Alloc a = {budget_alloc, &budget};
    StrMap m;
    strmap_init(&m, a);
    static char keys[200][8];
    int i = 0, oom = 0;
    for (; !oom && i < 200; i++) {
        snprintf(keys[i], sizeof keys[i], "s%d", i);
        strmap_put(&m, keys[i], strlen(keys[i]), keys[i], &oom);
    }
    assert_int_equal(oom, 1);
    assert_int_equal(m.n, (uint32_t)i - 1); /* the failed one is not in */
    assert_ptr_equal(get(&m, "s0"), keys[0]);
    assert_ptr_equal(get(&m, keys[i - 2]), keys[i - 2]);
    assert_null(get(&m, keys[i - 1]));
    strmap_free(&m);
}

/* A fast map (strmap_init_fast) keeps and finds keys as the other does,
 * keys of every length from 0 to 40 bytes that differ in one byte anywhere
 * among them; strmap_hash gives the hash its own functions use (a key put
 * with it is found by strmap_get, and the reverse), and tells keys apart
 * (no more than a few collisions among 20k codes). */
static void test_fast(void **state) {
    (void)state;
    for (int fast = 0; fast < 2; fast++) {
        StrMap m;
        if (fast)
            strmap_init_fast(&m, mem_default());
        else
            strmap_init(&m, mem_default());
        assert_int_equal(m.fast, fast);
        static char keys[41][41][40]; /* length n, byte i changed (i == n: none) */
        int oom = 0;
        for (int n = 0; n <= 40; n++)
            for (int i = 0; i <= n; i++) {
                for (int k = 0; k < n; k++) keys[n][i][k] = (char)('a' + k % 7);
                if (i < n) keys[n][i][i] = 'Z';
                void *v = &keys[n][i][0];
                if (i % 2)
                    assert_null(strmap_put(&m, keys[n][i], (size_t)n, v, &oom));
                else
                    assert_null(strmap_put_hashed(&m, keys[n][i], (size_t)n,
                                                  strmap_hash(&m, keys[n][i], (size_t)n), v, &oom));
            }
        assert_int_equal(oom, 0);
        assert_int_equal(m.n, 41 * 42 / 2);
        for (int n = 0; n <= 40; n++)
            for (int i = 0; i <= n; i++) {
                assert_ptr_equal(strmap_get(&m, keys[n][i], (size_t)n), &keys[n][i][0]);
                assert_ptr_equal(strmap_get_hashed(&m, keys[n][i], (size_t)n,
                                                   strmap_hash(&m, keys[n][i], (size_t)n)),
                                 &keys[n][i][0]);
            }
        assert_null(strmap_get(&m, "abcdefgabcdefgX", 15));
        strmap_free(&m);
    }
    assert_int_equal(strmap_hash(&(StrMap){.fast = 0}, "ab", 2), str_hash("ab", 2));
    /* the fast hash spreads codes over a table's slots */
    enum { N = 20000, BITS = 16 };
    static uint8_t used[1 << BITS];
    int same = 0;
    for (int i = 0; i < N; i++) {
        char code[24];
        int n = snprintf(code, sizeof code, "XB01AFL%06dA0010", i);
        uint32_t h = strmap_fast_hash(code, (size_t)n) & ((1u << BITS) - 1);
        same += used[h];
        used[h] = 1;
    }
    assert_true(same < N / 5); /* random: about N * N / 2^17, 3000 */
}

/* strmap_bytes_eq says what memcmp says of equality: every length up to
 * 40, equal, and differing in each one byte in turn (the first, the last,
 * inside the overlapping last word). */
static void test_bytes_eq(void **state) {
    (void)state;
    char a[48], b[48];
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n; i++) a[i] = b[i] = (char)('a' + (i * 7) % 26);
        assert_true(strmap_bytes_eq(a, b, n));
        for (size_t d = 0; d < n; d++) {
            b[d] ^= 0x20;
            assert_int_equal(strmap_bytes_eq(a, b, n), memcmp(a, b, n) == 0);
            assert_false(strmap_bytes_eq(a, b, n));
            b[d] ^= 0x20;
        }
    }
}

/* strmap_get_inline answers as strmap_get_hashed: an empty map (no table)
 * nothing; each key stored its value; a key not stored nothing, given its
 * own hash or a stored key's (the same hash, other bytes or another
 * length: the bytes decide), in a map full enough for probes to run on. */
static void test_get_inline(void **state) {
    (void)state;
    StrMap m;
    strmap_init_fast(&m, mem_default());
    assert_null(strmap_get_inline(&m, "a", 1, strmap_hash(&m, "a", 1)));
    static char keys[3000][24];
    int oom = 0;
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(keys[i], sizeof keys[i], "XB01%dA%d", i * 7919, i);
        assert_null(strmap_put(&m, keys[i], (size_t)n, keys[i], &oom));
    }
    for (int i = 0; i < 3000; i++) {
        size_t n = strlen(keys[i]);
        uint32_t h = strmap_hash(&m, keys[i], n);
        assert_ptr_equal(strmap_get_inline(&m, keys[i], n, h), keys[i]);
        assert_ptr_equal(strmap_get_inline(&m, keys[i], n, h),
                         strmap_get_hashed(&m, keys[i], n, h));
        char other[24];
        memcpy(other, keys[i], n);
        other[n - 1] ^= 1; /* the same length, the stored key's hash */
        assert_null(strmap_get_inline(&m, other, n, h));
        assert_null(strmap_get_inline(&m, keys[i], n - 1, h)); /* a prefix */
        assert_ptr_equal(strmap_get_inline(&m, other, n, strmap_hash(&m, other, n)),
                         strmap_get_hashed(&m, other, n, strmap_hash(&m, other, n)));
    }
    strmap_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_grow),  cmocka_unit_test(test_clear),
        cmocka_unit_test(test_out_of_memory), cmocka_unit_test(test_fast),
        cmocka_unit_test(test_bytes_eq),      cmocka_unit_test(test_get_inline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
