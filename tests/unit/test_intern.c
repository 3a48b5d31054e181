/* test_intern.c — the string set: a string added is found by its bytes and
 * hash, others are not (equal hash, other bytes; a prefix); the set grows
 * past many thousands and keeps every string; out of memory while growing
 * leaves it unchanged and usable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "intern.h"

static const ArbStr *mk(Arena *ar, const char *s) {
    return str_new(ar, s, strlen(s));
}

static const ArbStr *find(const Interner *t, const char *s) {
    return intern_find(t, s, strlen(s), str_hash(s, strlen(s)));
}

static void test_find_and_grow(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    Interner t;
    intern_init(&t, mem_default());
    assert_null(find(&t, "x"));
    const ArbStr *ab = mk(&ar, "ab");
    assert_int_equal(intern_add(&t, ab), 0);
    assert_ptr_equal(find(&t, "ab"), ab);
    assert_null(find(&t, "a"));
    assert_null(find(&t, "abc"));
    assert_null(intern_find(&t, "ba", 2, ab->hash)); /* same hash, other bytes */
    const ArbStr *empty = mk(&ar, "");
    assert_int_equal(intern_add(&t, empty), 0);
    assert_ptr_equal(intern_find(&t, "", 0, str_hash("", 0)), empty);
    char buf[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(buf, sizeof buf, "code%d", i);
        assert_int_equal(intern_add(&t, mk(&ar, buf)), 0);
    }
    assert_int_equal(t.n, 20002);
    assert_true(t.cap >= 2 * t.n);
    for (int i = 0; i < 20000; i += 7) {
        snprintf(buf, sizeof buf, "code%d", i);
        const ArbStr *s = find(&t, buf);
        assert_non_null(s);
        assert_string_equal(s->data, buf);
    }
    assert_ptr_equal(find(&t, "ab"), ab);
    assert_null(find(&t, "code20000"));
    intern_free(&t);
    assert_null(find(&t, "ab"));
    arena_free(&ar);
}

/* An allocator that fails after a given number of allocations. */
typedef struct Budget {
    int left;
} Budget;

static void *budget_alloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
    Budget *b = ud;
    if (new_size && b->left-- <= 0) return NULL;
    return mem_default_alloc(NULL, ptr, old_size, new_size);
}

static void test_out_of_memory(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    Budget budget = {1}; /* the first table only */
    Alloc a = {budget_alloc, &budget};
    Interner t;
    intern_init(&t, a);
    char buf[32];
    int i = 0, rc = 0;
    for (; rc == 0; i++) {
        snprintf(buf, sizeof buf, "s%d", i);
        rc = intern_add(&t, mk(&ar, buf));
    }
    assert_int_equal(rc, -1);
    assert_int_equal(t.n, (size_t)i - 1); /* the failed one is not in */
    assert_non_null(find(&t, "s0"));
    snprintf(buf, sizeof buf, "s%d", i - 2);
    assert_non_null(find(&t, buf));
    snprintf(buf, sizeof buf, "s%d", i - 1);
    assert_null(find(&t, buf));
    intern_free(&t);
    arena_free(&ar);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_and_grow),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
