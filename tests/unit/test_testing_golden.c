/* test_testing_golden.c — tests of testing/golden.c (golden sets' files,
 * their comparison and rule coverage, for `arbiter test`) and testing/run.c
 * (rules run over a claims file into a findings set, for `arbiter test` and
 * `arbiter diff`).
 *
 * They are not in libarbiter (the CLI links them as arbiter_testing), so
 * they are compiled in here with findings_set.c, as test_findings_set.c
 * does; the engine is libarbiter's.
 *
 * What is checked: which claims file a set uses; expected findings loaded,
 * absent (an error, unless updating) or malformed; expected.jsonl rewritten
 * sorted only when it changes, and a write that cannot be made; the
 * comparison's heading and count; coverage (the rules not exercised, with
 * their places); a run's findings and titles, rejected records (counted,
 * told to the callback, the rest loaded), claims given as text, unreadable
 * claims; titles
 * replaced by a later run; temporary files under $TMPDIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "findings_set.c"
#include "golden.c"
#include "run.c"

/* A fresh temporary directory, its path in buf. */
static void temp_dir(char *buf, size_t cap) {
    const char *dir = getenv("TMPDIR");
    snprintf(buf, cap, "%s/test_golden-XXXXXX", dir && *dir ? dir : "/tmp");
    assert_non_null(mkdtemp(buf));
}

static void put_file(const char *dir, const char *name, const char *text) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The file's text (golden.c's read_all), in a static buffer. */
static const char *slurp(const char *path) {
    static FsBuf b;
    b.len = 0;
    if (b.p) b.p[0] = 0;
    assert_int_equal(read_all(path, &b), 0);
    return b.p ? b.p : "";
}

static void remove_tree(const char *dir) {
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static const char *const F1 = "{\"claim_id\":\"C2\",\"rule\":\"R.1\",\"category\":\"R\","
                              "\"category_code\":\"GZ1\",\"severity\":\"high\",\"nature\":"
                              "\"definite\",\"points\":1,\"line_no\":null,\"amount\":\"1.00\","
                              "\"message\":\"m\"}\n";
static const char *const F2 = "{\"claim_id\":\"C1\",\"rule\":\"R.1\",\"category\":\"R\","
                              "\"category_code\":\"GZ1\",\"severity\":\"high\",\"nature\":"
                              "\"definite\",\"points\":1,\"line_no\":null,\"amount\":\"2.00\","
                              "\"message\":\"m\"}\n";

static void test_find_claims(void **state) {
    (void)state;
    char dir[512], buf[1024], sub[1024];
    temp_dir(dir, sizeof dir);
    assert_int_equal(golden_find_claims(dir, buf, sizeof buf), -1);
    put_file(dir, "claims.csv", "");
    assert_int_equal(golden_find_claims(dir, buf, sizeof buf), 0);
    assert_string_equal(buf + strlen(dir), "/claims.csv");
    snprintf(sub, sizeof sub, "%s/claims", dir);
    assert_int_equal(mkdir(sub, 0700), 0); /* a directory named claims.jsonl is no file */
    put_file(sub, "claims.csv", "");
    assert_int_equal(golden_find_claims(dir, buf, sizeof buf), 0);
    assert_string_equal(buf + strlen(dir), "/claims/claims.csv");
    put_file(dir, "claims.jsonl", "");
    assert_int_equal(golden_find_claims(dir, buf, sizeof buf), 0);
    assert_string_equal(buf + strlen(dir), "/claims.jsonl");
    remove_tree(dir);
}

static void test_load_expected(void **state) {
    (void)state;
    char dir[512], path[1024], want[1200];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/expected.jsonl", dir);
    FindingSet s;
    FsBuf why;
    fs_init(&s);
    fsb_init(&why);
    assert_int_equal(golden_load_expected(path, 1, &s, &why), 0); /* absent, updating */
    assert_int_equal(s.n, 0);
    assert_int_equal(why.len, 0);
    assert_int_equal(golden_load_expected(path, 0, &s, &why), -1);
    snprintf(want, sizeof want, "no %s (run with --update to create it)", path);
    assert_string_equal(why.p, want);
    put_file(dir, "expected.jsonl", F1);
    why.len = 0;
    assert_int_equal(golden_load_expected(path, 0, &s, &why), 0);
    assert_int_equal(s.n, 1);
    fs_free(&s);
    fs_init(&s);
    put_file(dir, "expected.jsonl", "{\"claim_id\":\n");
    assert_int_equal(golden_load_expected(path, 1, &s, &why), -1);
    snprintf(want, sizeof want, "%s:1:", path);
    assert_memory_equal(why.p, want, strlen(want));
    fs_free(&s);
    fsb_free(&why);
    remove_tree(dir);
}

static void test_write_expected(void **state) {
    (void)state;
    char dir[512], path[1024], text[1024];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/expected.jsonl", dir);
    snprintf(text, sizeof text, "%s%s", F1, F2);
    FindingSet s;
    fs_init(&s);
    char err[256];
    assert_int_equal(fs_load_text(&s, "x", text, strlen(text), err, sizeof err), 0);
    assert_int_equal(golden_write_expected(path, &s), 1);
    snprintf(text, sizeof text, "%s%s", F2, F1); /* sorted: C1 first */
    assert_string_equal(slurp(path), text);
    assert_int_equal(golden_write_expected(path, &s), 0); /* unchanged */
    FindingSet empty;
    fs_init(&empty);
    assert_int_equal(golden_write_expected(path, &empty), 1);
    assert_string_equal(slurp(path), "");
    snprintf(path, sizeof path, "%s/no/such/dir/expected.jsonl", dir);
    assert_int_equal(golden_write_expected(path, &s), -1);
    fs_free(&s);
    remove_tree(dir);
}

static void test_compare(void **state) {
    (void)state;
    FindingSet a, b;
    fs_init(&a);
    fs_init(&b);
    char err[256];
    assert_int_equal(fs_load_text(&a, "a", F1, strlen(F1), err, sizeof err), 0);
    assert_int_equal(fs_load_text(&b, "b", F1, strlen(F1), err, sizeof err), 0);
    FsBuf r;
    fsb_init(&r);
    assert_int_equal(golden_compare("g", &a, &b, NULL, 0, 10, &r), 0);
    assert_int_equal(r.len, 0);
    assert_int_equal(fs_load_text(&b, "b", F2, strlen(F2), err, sizeof err), 0);
    assert_int_equal(golden_compare("g", &a, &b, NULL, 0, 10, &r), 1);
    assert_non_null(strstr(r.p, "golden g: 1 difference\n"));
    assert_non_null(strstr(r.p, "C1"));
    fsb_free(&r);
    fs_free(&a);
    fs_free(&b);
}

static const char *const RULES = "category R \"the R\" { code \"GZ1\" severity high }\n"
                                 "rule R.1 \"t\" in R\n"
                                 "  when claim.total_amount > 5.00\n"
                                 "  flag claim message \"big\"\n"
                                 "rule R.2 \"t\" in R\n"
                                 "  when claim.total_amount > 50.00\n"
                                 "  flag claim message \"bigger\"\n"
                                 "rule R.3 \"t\" in R\n"
                                 "  when claim.total_amount > 500.00\n"
                                 "  flag claim message \"biggest\"\n";

static arb_engine *engine(void) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e = NULL;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    assert_int_equal(arb_add_source(e, "golden.rules", RULES, strlen(RULES)), ARB_OK);
    if (arb_compile(e) != ARB_OK) fail_msg("the rules do not compile: %s", arb_errmsg(e));
    return e;
}

static void test_coverage(void **state) {
    (void)state;
    arb_engine *e = engine();
    GoldenRules r = {0};
    FsBuf missed;
    fsb_init(&missed);
    assert_int_equal(golden_coverage(e, &r, &missed), 3);
    missed.len = 0;
    golden_exercise(&r, "R.2");
    golden_exercise(&r, "OTHER.9");
    golden_exercise(&r, "R.2");
    assert_int_equal(golden_coverage(e, &r, &missed), 2);
    assert_string_equal(missed.p, "  golden.rules:2:6: R.1\n  golden.rules:8:6: R.3\n");
    golden_rules_free(&r);
    fsb_free(&missed);
    arb_engine_free(e);
}

#define CLAIM(id, total)                                                                           \
    "{\"claim_id\":\"" id "\",\"person_id\":\"P1\",\"care_type\":\"outpatient\","                  \
    "\"settle_time\":\"2025-03-01T09:00:00\",\"total_amount\":\"" total "\"}\n"

typedef struct Heard {
    int rejects, failures;
    unsigned long long line;
} Heard;

static void heard_reject(void *ud, const arb_reject *r) {
    Heard *h = ud;
    h->rejects++;
    h->line = (unsigned long long)r->line;
}

static void heard_failure(void *ud, const arb_rule_error *r) {
    (void)r;
    ((Heard *)ud)->failures++;
}

static void test_run_claims(void **state) {
    (void)state;
    char dir[512], claims[1024];
    temp_dir(dir, sizeof dir);
    setenv("TMPDIR", dir, 1);
    char tmp[1024];
    assert_int_equal(run_temp_path(tmp, sizeof tmp, "what"), 0);
    char want[2048];
    snprintf(want, sizeof want, "%s/arbiter-what-", dir);
    assert_memory_equal(tmp, want, strlen(want));
    unlink(tmp);
    arb_engine *e = engine();
    Heard h = {0};
    RunOptions o = {
        .threads = 2, .on_reject = heard_reject, .on_rule_error = heard_failure, .ud = &h};
    RunTitles titles = {0};
    run_titles_add(&titles, "R", "an older title");
    run_titles_add(&titles, "Q", NULL);
    FindingSet s;
    FsBuf why;
    fs_init(&s);
    fsb_init(&why);
    int loaded = 0;
    put_file(dir, "c.jsonl", CLAIM("C1", "10.00") CLAIM("C2", "100.00") CLAIM("C3", "1.00"));
    snprintf(claims, sizeof claims, "%s/c.jsonl", dir);
    assert_int_equal(run_claims(e, claims, &o, &s, &titles, &loaded, &why), RUN_OK);
    assert_int_equal(loaded, 1);
    assert_int_equal(why.len, 0);
    assert_int_equal(s.n, 3); /* C1: R.1; C2: R.1, R.2 */
    assert_int_equal(h.rejects + h.failures, 0);
    assert_int_equal(titles.n, 2);
    assert_string_equal(titles.items[0].name, "R");
    assert_string_equal(titles.items[0].title, "the R"); /* the run's title replaces it */
    assert_string_equal(titles.items[1].title, "");
    fs_free(&s);
    fs_init(&s);
    /* a rejected record: the rest is audited and loaded */
    put_file(dir, "c.jsonl", CLAIM("C1", "10.00") "{\"claim_id\":5}\n" CLAIM("C2", "100.00"));
    assert_int_equal(run_claims(e, claims, &o, &s, &titles, &loaded, &why), RUN_REJECTED);
    assert_int_equal(loaded, 1);
    assert_int_equal(s.n, 3);
    assert_int_equal(h.rejects, 1);
    assert_int_equal(h.line, 2);
    snprintf(want, sizeof want, "%s: 1 record rejected", claims);
    assert_string_equal(why.p, want);
    fs_free(&s);
    fs_init(&s);
    why.len = 0;
    /* claims given as text (an inline test's): its temporary file removed */
    fs_free(&s);
    fs_init(&s);
    why.len = 0;
    static const char text[] = CLAIM("T1", "60.00") "not json\n";
    assert_int_equal(run_claims_text(e, text, sizeof text - 1, &o, &s, &titles, &loaded, &why),
                     RUN_REJECTED);
    assert_int_equal(loaded, 1);
    assert_int_equal(s.n, 2); /* T1: R.1, R.2 */
    assert_string_equal(s.items[0].claim_id, "T1");
    assert_int_equal(h.rejects, 2);
    assert_int_equal(h.line, 2);
    snprintf(want, sizeof want, "%s/arbiter-test-", dir);
    assert_memory_equal(why.p, want, strlen(want));
    why.len = 0;
    /* unreadable claims: nothing loaded */
    snprintf(claims, sizeof claims, "%s/none.jsonl", dir);
    assert_int_equal(run_claims(e, claims, &o, &s, &titles, &loaded, &why), RUN_ERR_DATA);
    assert_int_equal(loaded, 0);
    assert_true(why.len > 0);
    fsb_free(&why);
    fs_free(&s);
    run_titles_free(&titles);
    arb_engine_free(e);
    unlink(claims);
    snprintf(claims, sizeof claims, "%s/c.jsonl", dir);
    unlink(claims);
    assert_int_equal(rmdir(dir), 0); /* no temporary file left behind */
    unsetenv("TMPDIR");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_claims),    cmocka_unit_test(test_load_expected),
        cmocka_unit_test(test_write_expected), cmocka_unit_test(test_compare),
        cmocka_unit_test(test_coverage),       cmocka_unit_test(test_run_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
