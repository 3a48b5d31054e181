/* test_engine.c — the engine's public API beyond compiling and checking:
 * arb_jit_pays, the rule `check --backend auto` chooses the JIT by. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arbiter.h"

static arb_engine *engine(const char *rules) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    if (rules) assert_int_equal(arb_add_source(e, "t.rules", rules, strlen(rules)), ARB_OK);
    assert_int_equal(arb_compile(e), ARB_OK);
    return e;
}

/* The JIT pays only for large batches, later with more threads, and for a
 * small library (little rule work to speed up) later than for a large one;
 * never for an engine with nothing compiled. */
static void test_jit_pays(void **state) {
    (void)state;
    const uint64_t MB = 1000000;
    arb_engine *small = engine(
        "category C \"c\" { code \"C\" }\n"
        "rule R in C for line in claim.lines when line.item_code in {\"A\", \"B\"} flag line\n");
    /* the standard library's rules: about 7,000 code words */
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *big;
    assert_int_equal(arb_engine_new(&cfg, &big), ARB_OK);
    DIR *d = opendir(ARB_STDLIB_DIR);
    assert_non_null(d);
    for (struct dirent *de; (de = readdir(d));) {
        size_t n = strlen(de->d_name);
        if (n < 7 || strcmp(de->d_name + n - 6, ".rules") || !strcmp(de->d_name, "schema.rules"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", ARB_STDLIB_DIR, de->d_name);
        assert_int_equal(arb_add_file(big, path), ARB_OK);
    }
    closedir(d);
    assert_int_equal(arb_compile(big), ARB_OK);
    assert_false(arb_jit_pays(small, 0, 1));
    assert_false(arb_jit_pays(big, 0, 1));
    assert_false(arb_jit_pays(big, 160 * MB, 1)); /* 100,000 claims: not worth it */
    assert_true(arb_jit_pays(big, 2000 * MB, 1));
    assert_false(arb_jit_pays(big, 2000 * MB, 4)); /* the compiling is not shared out */
    assert_true(arb_jit_pays(big, 8000 * MB, 4));
    assert_false(arb_jit_pays(small, 2000 * MB, 1)); /* little code, little gain */
    assert_true(arb_jit_pays(small, UINT64_MAX / 2, 1));
    arb_engine_free(small);
    arb_engine_free(big);
    arb_config_init(&cfg);
    arb_engine *none;
    assert_int_equal(arb_engine_new(&cfg, &none), ARB_OK);
    assert_false(arb_jit_pays(none, UINT64_MAX / 2, 1));
    arb_engine_free(none);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jit_pays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
