/* test_hset.c — the set of 64-bit hashes: a hash added is found again and
 * others are not; 0 counts as 1; the set grows past many thousands keeping
 * every hash, including hashes that collide in the table's low bits; out of
 * memory while growing returns -1 and leaves the set as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_budget.h"
#include "hset.h"

static void test_add_find_grow(void **state) {
    (void)state;
    HSet s;
    hset_init(&s, mem_default());
    assert_int_equal(hset_add(&s, 42), 0);
    assert_int_equal(hset_add(&s, 42), 1);
    assert_int_equal(hset_add(&s, 43), 0);
    assert_int_equal(hset_add(&s, 0), 0); /* 0 is 1 */
    assert_int_equal(hset_add(&s, 1), 1); /* found without growing */
    /* same low bits (a multiple of every power-of-two capacity apart) */
    for (uint64_t i = 1; i <= 30000; i++) assert_int_equal(hset_add(&s, i << 32 | 7), 0);
    assert_int_equal(s.n, 30003);
    assert_true(s.cap >= 2 * s.n);
    for (uint64_t i = 1; i <= 30000; i += 13) assert_int_equal(hset_add(&s, i << 32 | 7), 1);
    assert_int_equal(hset_add(&s, 30001ull << 32 | 7), 0);
    assert_int_equal(hset_add(&s, 42), 1);
    hset_free(&s);
    assert_int_equal(s.n, 0);
    assert_int_equal(hset_add(&s, 42), 0); /* usable again after free */
    hset_free(&s);
}

static void test_out_of_memory(void **state) {
    (void)state;
    Budget budget = {1}; /* the first table only */
    HSet s;
    hset_init(&s, (Alloc){budget_alloc, &budget});
    int rc = 0;
    uint64_t i = 1;
    for (; rc == 0 && i < 5000; i++) rc = hset_add(&s, i);
    assert_int_equal(rc, -1);
    assert_int_equal(s.n, i - 2);         /* the failed one is not in */
    assert_int_equal(hset_add(&s, 1), 1); /* found without growing */
    budget.left = 1;
    assert_int_equal(hset_add(&s, i - 1), 0); /* it grows once memory is there */
    hset_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_find_grow),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
