/* test_library.c — unit tests of the reference-library framework
 * (synth/library.c: code formats, uniqueness and disjointness of the code
 * allocator, prefix keys, blocked sample keys, CSV reading) and of
 * `arbiter score`'s arguments and exit codes (cli/cmd_library.c; the scoring
 * itself, testing/score.c, in test_score.c).  The sources are compiled in
 * (#include; the synth, cli and testing directories are on the include
 * path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_util.c"
#include "cmd_library.c"
#include "lib_drug.c"
#include "lib_mgmt_medical.c"
#include "lib_service.c"
#include "library.c"
#include "score.c"

static const size_t LEN[LIB_CODE__COUNT] = {23, 20, 10, 15, 20, 11, 11};

static int cmp_s(const void *a, const void *b) {
    return strcmp((const char *)a, (const char *)b);
}

/* Every kind: the national length and character classes, lib_code_kind
 * recognises it, and codes are distinct over owners and indices. */
static void test_formats_and_uniqueness(void **state) {
    (void)state;
    static const int owners[] = {0, 1, 8, 54, 67, 99};
    enum { PER = 700 };
    for (int k = 0; k < LIB_CODE__COUNT; k++) {
        size_t n = 0;
        char(*all)[LIB_CODE_MAX] = malloc(sizeof *all * 6 * PER);
        assert_non_null(all);
        for (int o = 0; o < 6; o++)
            for (uint32_t i = 0; i < PER; i++) {
                uint32_t idx = i * 131 % (k == LIB_PROC ? 100000 : LIB_MAX_INDEX);
                lib_code((LibCodeKind)k, owners[o], idx, all[n]);
                assert_int_equal(strlen(all[n]), LEN[k]);
                const char *t = TEMPLATE[k];
                for (size_t j = 0; j < LEN[k]; j++) {
                    char c = all[n][j];
                    if (t[j] == 'd')
                        assert_true(c >= '0' && c <= '9');
                    else if (t[j] == 'L')
                        assert_true(c >= 'A' && c <= 'Z');
                    else
                        assert_int_equal(c, t[j]);
                }
                assert_int_equal(lib_code_kind(all[n]), k);
                n++;
            }
        qsort(all, n, sizeof *all, cmp_s);
        for (size_t i = 1; i < n; i++) assert_string_not_equal(all[i - 1], all[i]);
        free(all);
    }
    assert_int_equal(lib_code_kind("K35.800x001"), LIB_DIAG);
    assert_int_equal(lib_code_kind("O80%"), LIB_DIAG);
    assert_int_equal(lib_code_kind("68.4100x001"), LIB_PROC);
    assert_int_equal(lib_code_kind("XL02BBA326A001010102180"), LIB_WESTERN);
    assert_int_equal(lib_code_kind("XL02BBA326%"), LIB_WESTERN);
    assert_int_equal(lib_code_kind("001203000010000"), LIB_SERVICE);
    assert_int_equal(lib_code_kind("C1234567890123456789"), LIB_CONSUMABLE);
    assert_int_equal(lib_code_kind("Q"), -1);
}

/* A prefix key covers its own owner's codes of the same stem and never a
 * code of another owner. */
static void test_prefix_keys(void **state) {
    (void)state;
    LibRng r;
    lib_rng_seed(&r, 5, 1);
    for (int k = 0; k < LIB_CODE__COUNT; k++) {
        char key[LIB_CODE_MAX], code[LIB_CODE_MAX], other[LIB_CODE_MAX];
        lib_code_prefix((LibCodeKind)k, 7, 1234, key);
        size_t pl = strlen(key) - 1;
        assert_int_equal(key[pl], '%');
        lib_code((LibCodeKind)k, 7, 1234, code);
        assert_memory_equal(key, code, pl); /* covers its own code */
        lib_code_expand((LibCodeKind)k, key, &r, code);
        assert_int_equal(strlen(code), LEN[k]);
        assert_memory_equal(key, code, pl);
        for (int o = 0; o < 100; o++)
            for (uint32_t i = 0; i < 3000; i += 97) {
                if (o == 7) continue;
                lib_code((LibCodeKind)k, o, i, other);
                assert_true(memcmp(key, other, pl) != 0);
            }
    }
}

static void test_blocked(void **state) {
    (void)state;
    LibBlock *b = calloc(1, sizeof *b);
    assert_non_null(b);
    assert_int_equal(lib_block_add(b, "O80%"), 0);
    assert_int_equal(lib_block_add(b, "XL02BBB085A001010100662"), 0);
    assert_true(lib_blocked(b, "O80.000x001"));
    assert_true(lib_blocked(b, "O8%"));    /* a wider prefix covers the blocked one */
    assert_true(lib_blocked(b, "O80.1%")); /* inside a blocked prefix */
    assert_false(lib_blocked(b, "O81.000x001"));
    assert_true(lib_blocked(b, "XL02BBB085A001010100662"));
    assert_true(lib_blocked(b, "XL02BBB085%"));
    assert_false(lib_blocked(b, "XL02BBB086A001010100662"));
    lib_block_free(b);
    /* the stdlib's sample rows are read and blocked */
    char err[256] = "";
    b = lib_block_tables(ARB_STDLIB_DIR, err, sizeof err);
    assert_non_null(b);
    assert_true(lib_blocked(b, "XJ07BGR041B002010101234"));
    /* no neutral code is blocked, and none matches a library row */
    Neutral *nt = calloc(1, sizeof *nt);
    assert_int_equal(neutral_fill(nt, b), 0);
    for (int k = 0; k < LIB_CODE__COUNT; k++)
        for (int i = 0; i < NEUTRAL_POOL; i++) assert_false(lib_blocked(b, nt->code[k][i]));
    free(nt);
    lib_block_free(b);
}

static char *write_tmp(const char *text) {
    char *path = strdup("/tmp/arb_test_libXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_csv_read(void **state) {
    (void)state;
    char err[256] = "";
    char *p = write_tmp("code,name,note\nA1,\"x, \"\"y\"\"\",\n\nB2,z,w\n");
    LibTable *t = table_read(p, "t", err, sizeof err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 2);
    assert_string_equal(lib_cell(t, 0, "name"), "x, \"y\"");
    assert_string_equal(lib_cell(t, 1, "note"), "w");
    assert_string_equal(lib_cell(t, 1, "nope"), "");
    table_free(t);
    unlink(p);
    free(p);
    p = write_tmp("code,name\nA1,b\nA2,b,c\n");
    assert_null(table_read(p, "t", err, sizeof err));
    assert_non_null(strstr(err, ":3:1: 3 cells"));
    unlink(p);
    free(p);
    p = write_tmp("code,name\nA1,\"b\n");
    assert_null(table_read(p, "t", err, sizeof err));
    assert_non_null(strstr(err, ":2:4: unterminated"));
    unlink(p);
    free(p);
}

/* The base claims are clean and reconcile. */
static void test_base_claims(void **state) {
    (void)state;
    Neutral *nt = calloc(1, sizeof *nt);
    assert_int_equal(neutral_fill(nt, NULL), 0);
    LibClaim *c = calloc(1, sizeof *c);
    for (uint64_t i = 1; i <= 2000; i++) {
        LibRng r;
        lib_rng_seed(&r, 9, i);
        build_base(nt, &r, c, NULL, -1);
        int64_t sum = 0;
        int drugs = 0, main = 0;
        for (int l = 0; l < c->nlines; l++) {
            assert_int_equal(c->lines[l].amount, c->lines[l].quantity * c->lines[l].unit_price);
            assert_true(c->lines[l].quantity > 0);
            sum += c->lines[l].amount;
            drugs += strcmp(c->lines[l].item_kind, "drug") == 0;
            if (c->admit_time != LIB_NONE) {
                assert_true(lib_date_of(c->lines[l].time) >= lib_date_of(c->admit_time));
                assert_true(lib_date_of(c->lines[l].time) <= lib_date_of(c->discharge_time));
            }
        }
        for (int d = 0; d < c->ndiags; d++) main += c->diags[d].is_main;
        assert_int_equal(main, 1);
        assert_int_equal(sum, c->total_amount);
        assert_true(c->fund_amount <= c->total_amount);
        assert_true(drugs <= 4);
        assert_true(lib_claim_age(c) >= 1);
    }
    free(c);
    free(nt);
}

static void test_fraction(void **state) {
    (void)state;
    uint32_t v;
    assert_int_equal(parse_fraction("0.1", &v), 0);
    assert_int_equal(v, 100000);
    assert_int_equal(parse_fraction("1", &v), 0);
    assert_int_equal(v, 1000000);
    assert_int_equal(parse_fraction(".25", &v), 0);
    assert_int_equal(v, 250000);
    assert_int_equal(parse_fraction("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(parse_fraction("1.5", &v), -1);
    assert_int_equal(parse_fraction("x", &v), -1);
    assert_int_equal(parse_fraction("", &v), -1);
}

static void test_score(void **state) {
    (void)state;
    char *truth = write_tmp("{\"claim_id\":\"A\",\"line_no\":1,\"category\":\"X\"}\n"
                            "{\"claim_id\":\"B\",\"line_no\":null,\"category\":\"X\"}\n");
    char *found =
        write_tmp("{\"claim_id\":\"A\",\"category\":\"X\",\"line_no\":1,\"x\":{\"a\":1}}\n"
                  "{\"claim_id\":\"A\",\"category\":\"X\",\"line_no\":1}\n"
                  "{\"claim_id\":\"B\",\"category\":\"X\",\"line_no\":2}\n");
    FILE *saved = stdout;
    stdout = fopen("/dev/null", "w");
    char *a1[] = {found, truth};
    assert_int_equal(cmd_score(2, a1), 0);
    char *a2[] = {found, truth, "--min-recall", "0.5"};
    assert_int_equal(cmd_score(4, a2), 0);
    char *a3[] = {found, truth, "--min-recall", "0.51"};
    assert_int_equal(cmd_score(4, a3), 1);
    char *a4[] = {found};
    assert_int_equal(cmd_score(1, a4), 2);
    fclose(stdout);
    stdout = saved;
    /* the keys themselves: test_score.c */
    unlink(truth);
    unlink(found);
    free(truth);
    free(found);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats_and_uniqueness),
        cmocka_unit_test(test_prefix_keys),
        cmocka_unit_test(test_blocked),
        cmocka_unit_test(test_csv_read),
        cmocka_unit_test(test_base_claims),
        cmocka_unit_test(test_fraction),
        cmocka_unit_test(test_score),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
