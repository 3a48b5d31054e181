/* test_engine.c — the engine's public API beyond compiling and checking:
 * arb_jit_pays, the rule `check --backend auto` chooses the JIT by; and
 * the money at risk of a claim's findings (at_risk_cents), one line or the
 * claim flagged by several rules and by several lines. */
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

/* A claim's required fields but its id, person, total and lines. */
#define HDR                                                                                        \
    "\"sex\":\"M\",\"birth_date\":\"1960-01-01\",\"insurance_type\":\"employee\","                 \
    "\"care_type\":\"outpatient\",\"facility_id\":\"H1\",\"facility_level\":3,"                    \
    "\"admit_time\":\"2025-02-22T09:00:00\",\"settle_time\":\"2025-02-22T11:00:00\","
#define LINE(no, code, amount)                                                                     \
    "{\"line_no\":" #no ",\"item_code\":\"" code "\",\"item_kind\":\"drug\","                      \
    "\"time\":\"2025-02-22T10:00:00\",\"quantity\":1" amount "}"

/* Findings of the session's last check, collected. */
typedef struct Got {
    size_t n;
    char rule[8][16];
    int64_t line_no[8], amount[8], at_risk[8];
} Got;

static void collect(void *ud, const arb_finding *f) {
    Got *g = ud;
    assert_true(g->n < 8);
    snprintf(g->rule[g->n], sizeof g->rule[g->n], "%s", f->rule_id);
    g->line_no[g->n] = f->line_no;
    g->amount[g->n] = f->amount_cents;
    g->at_risk[g->n] = f->at_risk_cents;
    g->n++;
}

static void check_claim(arb_session *s, const char *json, Got *g) {
    memset(g, 0, sizeof *g);
    int rc = arb_session_check_json(s, json, strlen(json), ARB_PHASE_ALL, collect, g);
    if (rc != ARB_OK) fprintf(stderr, "%s\n", arb_session_errmsg(s));
    assert_int_equal(rc, ARB_OK);
}

/* A flagged line counts once, its finding of the largest amount (the
 * first of them) taking it, capped by the line's amount and the claim's;
 * the claim's own findings take what the lines left of the claim. */
static void test_at_risk(void **state) {
    (void)state;
    arb_engine *e =
        engine("category C \"c\" {}\n"
               "rule A.1 in C for line in claim.lines when line.item_code == \"X\" "
               "flag line amount 5.00\n"
               "rule A.2 in C for line in claim.lines when line.item_code == \"X\" "
               "flag line amount 9.00\n"
               "rule A.3 in C for line in claim.lines when line.item_code == \"X\" "
               "flag line amount 9.00\n"
               "rule B.1 in C when claim.total_amount > 0 and claim.person_id == \"PB\" "
               "flag claim amount 4.00\n"
               "rule B.2 in C when claim.total_amount > 0 and claim.person_id == \"PB\" "
               "flag claim amount 6.00\n");
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    Got g;
    /* one line, three findings: A.2 (the first of the largest) takes the
     * line's 8.00, not its 9.00 */
    check_claim(s,
                "{" HDR "\"claim_id\":\"C1\",\"person_id\":\"P\",\"total_amount\":\"20.00\","
                "\"lines\":[" LINE(1, "X", ",\"unit_price\":\"8.00\",\"amount\":\"8.00\"") "]}",
                &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.at_risk[0] + g.at_risk[1] + g.at_risk[2], 800);
    assert_int_equal(g.at_risk[1], 800);
    /* the claim's total below the line's amount caps it */
    check_claim(s,
                "{" HDR "\"claim_id\":\"C2\",\"person_id\":\"P\",\"total_amount\":\"7.00\","
                "\"lines\":[" LINE(1, "X", ",\"unit_price\":\"8.00\",\"amount\":\"8.00\"") "]}",
                &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.at_risk[0], 0);
    assert_int_equal(g.at_risk[1], 700);
    assert_int_equal(g.at_risk[2], 0);
    /* no line amount: the line puts nothing at risk */
    check_claim(s,
                "{" HDR "\"claim_id\":\"C3\",\"person_id\":\"P\",\"total_amount\":\"7.00\","
                "\"lines\":[" LINE(1, "X", "") "]}",
                &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.at_risk[0] + g.at_risk[1] + g.at_risk[2], 0);
    /* the claim alone, twice: B.2's 6.00 within the total of 5.00 */
    check_claim(s,
                "{" HDR "\"claim_id\":\"C4\",\"person_id\":\"PB\",\"total_amount\":\"5.00\","
                "\"lines\":[" LINE(1, "Y", ",\"unit_price\":\"5.00\",\"amount\":\"5.00\"") "]}",
                &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.at_risk[0], 0);
    assert_int_equal(g.at_risk[1], 500);
    /* two lines and the claim: the lines take 3.00 + 1.00 (their amounts),
     * the claim what is left of 5.00 */
    check_claim(s,
                "{" HDR "\"claim_id\":\"C5\",\"person_id\":\"PB\",\"total_amount\":\"5.00\","
                "\"lines\":[" LINE(1, "X", ",\"unit_price\":\"3.00\",\"amount\":\"3.00\"") "," LINE(
                    2, "X", ",\"unit_price\":\"1.00\",\"amount\":\"1.00\"") "]}",
                &g);
    assert_int_equal(g.n, 8);
    int64_t sum = 0, lines = 0;
    for (size_t i = 0; i < g.n; i++) {
        sum += g.at_risk[i];
        if (g.line_no[i] >= 0) lines += g.at_risk[i];
    }
    assert_int_equal(lines, 400);
    assert_int_equal(sum, 500);
    arb_session_free(s);
    arb_engine_free(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jit_pays),
        cmocka_unit_test(test_at_risk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
