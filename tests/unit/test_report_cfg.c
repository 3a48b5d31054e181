/* test_report_cfg.c — the report configuration in the language (`report {
 * ... }`): the standard library's defaults, a library's own sections
 * replacing them, every checker error at its line and column, the
 * configuration through a rule pack, and the evaluation of worklist
 * routes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arbiter.h"
#include "arbiter_report.h"
#include "report.h"

static const char *const SEV[] = {"low", "medium", "high"};
static const char *const NAT[] = {"suspicious", "definite"};
static const char *const TIER[] = {"policy", "management", "medical"};

/* An engine over the standard library's report.rules and `own` (may be
 * NULL), compiled; NULL when it did not compile (errors kept in *errs). */
static arb_engine *compile(const char *own, int with_std, arb_engine **errs) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    if (with_std) assert_int_equal(arb_add_file(e, ARB_STDLIB_DIR "/report.rules"), ARB_OK);
    if (own) assert_int_equal(arb_add_source(e, "own.rules", own, strlen(own)), ARB_OK);
    if (arb_compile(e) != ARB_OK) {
        if (errs) {
            *errs = e;
            return NULL;
        }
        char buf[1024];
        for (size_t i = 0; i < arb_error_count(e); i++) {
            arb_error_render(e, i, buf, sizeof buf);
            fprintf(stderr, "%s\n", buf);
        }
        fail_msg("did not compile");
    }
    return e;
}

static void test_stdlib_defaults(void **state) {
    (void)state;
    arb_engine *e = compile(NULL, 1, NULL);
    arb_report_config c;
    assert_int_equal(arb_engine_report_config(e, &c), ARB_OK);
    assert_int_equal(c.declared, 1);
    assert_int_equal(c.ledger_rolling, 0);
    /* exactly the builder's built-in defaults */
    size_t n;
    const arb_report_step *ladder = arb_report_default_ladder(&n);
    assert_int_equal(c.nsteps, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c.steps[i].points, ladder[i].points);
        assert_string_equal(c.steps[i].sanction, ladder[i].sanction);
    }
    const arb_report_indicator *ind = arb_report_default_indicators(&n);
    assert_int_equal(c.nindicators, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(c.indicators[i].name, ind[i].name);
        assert_string_equal(c.indicators[i].key, ind[i].key);
        assert_true(c.indicators[i].weight == ind[i].weight);
        assert_true(c.indicators[i].good == ind[i].good);
        assert_true(c.indicators[i].bad == ind[i].bad);
    }
    assert_true(c.grade_cut[0] == 90 && c.grade_cut[1] == 75 && c.grade_cut[2] == 60);
    assert_int_equal(c.nroutes, 3);
    assert_string_equal(c.routes[0].worklist, "督办");
    assert_int_equal(c.routes[2].ncond, 0); /* otherwise */
    for (int s = 0; s < 3; s++)
        for (int a = 0; a < 2; a++)
            for (int t = 0; t < 3; t++)
                assert_int_equal(
                    arb_report_route_level(c.routes, c.nroutes, SEV[s], NAT[a], TIER[t], "X"),
                    rep_level(SEV[s], NAT[a]));
    arb_engine_free(e);
}

static const char *const OWN = "category DRUG \"药品\" { tier policy }\n"
                               "report {\n"
                               "  worklist \"督办\" when category DRUG or tier medical\n"
                               "  worklist \"医保办复核\" when not (severity low)\n"
                               "  worklist \"科室自查\" otherwise\n"
                               "  ledger rolling_12_months {\n"
                               "    at 2 \"提醒\"\n"
                               "    at 5 \"约谈\"\n"
                               "    at 9 \"暂停\"\n"
                               "  }\n"
                               "}\n";

/* A library's own report replaces the sections it declares. */
static void check_own(const arb_report_config *c) {
    assert_int_equal(c->declared, 1);
    assert_int_equal(c->ledger_rolling, 1);
    assert_int_equal(c->nsteps, 3);
    assert_int_equal(c->steps[0].points, 2);
    assert_int_equal(c->steps[2].points, 9);
    assert_string_equal(c->steps[1].sanction, "约谈");
    assert_int_equal(c->nindicators, 5); /* the standard library's grade */
    assert_true(c->grade_cut[0] == 90);
    assert_int_equal(c->nroutes, 3);
    assert_int_equal(arb_report_route_level(c->routes, 3, "low", "suspicious", "policy", "DRUG"),
                     ARB_WORKLIST_ESCALATE);
    assert_int_equal(arb_report_route_level(c->routes, 3, "low", "definite", "medical", "X"),
                     ARB_WORKLIST_ESCALATE);
    assert_int_equal(arb_report_route_level(c->routes, 3, "medium", "suspicious", "policy", "X"),
                     ARB_WORKLIST_OFFICE);
    assert_int_equal(arb_report_route_level(c->routes, 3, "low", "definite", "policy", NULL),
                     ARB_WORKLIST_SELF);
}

static void test_own_replaces_sections(void **state) {
    (void)state;
    arb_engine *e = compile(OWN, 1, NULL);
    arb_report_config c;
    assert_int_equal(arb_engine_report_config(e, &c), ARB_OK);
    check_own(&c);
    /* into the builder's options; --ledger would override afterwards */
    arb_report_options o;
    arb_report_options_init(&o);
    arb_report_options_use(&o, &c);
    assert_ptr_equal(o.steps, c.steps);
    assert_int_equal(o.nroutes, 3);
    assert_int_equal(o.ledger_rolling, 1);
    arb_engine_free(e);
}

static void test_pack_round_trip(void **state) {
    (void)state;
    arb_engine *e = compile(OWN, 1, NULL);
    char path[] = "/tmp/test_report_cfg_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(arb_write_pack(e, path), ARB_OK);
    arb_engine_free(e);
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    arb_report_config c;
    assert_int_equal(arb_engine_report_config(e, &c), ARB_ERR_USAGE); /* nothing loaded */
    if (arb_load_pack(e, path) != ARB_OK) fail_msg("%s", arb_errmsg(e));
    assert_int_equal(arb_engine_report_config(e, &c), ARB_OK);
    check_own(&c);
    assert_string_equal(c.indicators[0].key, "findings_per_1000_claims");
    assert_string_equal(c.indicators[0].name, "每千单违规数");
    assert_true(c.indicators[1].weight == 0.30);
    arb_engine_free(e);
    unlink(path);
}

static void test_no_report(void **state) {
    (void)state;
    arb_engine *e = compile("category C \"c\" { }\n", 0, NULL);
    arb_report_config c;
    assert_int_equal(arb_engine_report_config(e, &c), ARB_OK);
    assert_int_equal(c.declared, 0);
    assert_int_equal(c.ledger_rolling, -1);
    assert_null(c.routes);
    assert_null(c.steps);
    arb_engine_free(e);
}

/* The i-th diagnostic of e is at line:col of own.rules and says text. */
static void expect_err(arb_engine *e, size_t i, uint32_t line, uint32_t col, const char *text) {
    arb_error x;
    if (i >= arb_error_count(e))
        fail_msg("only %zu diagnostics, wanted #%zu (%s)", arb_error_count(e), i, text);
    assert_int_equal(arb_error_get(e, i, &x), ARB_OK);
    if (x.line != line || x.col != col || !strstr(x.message, text))
        fail_msg("diagnostic %zu: got %u:%u '%s', wanted %u:%u '%s'", i, x.line, x.col, x.message,
                 line, col, text);
}

static void test_errors_have_positions(void **state) {
    (void)state;
    arb_engine *e = NULL;
    const char *src = "report {\n"
                      "  worklist \"督办\" when severity extreme and nature definite\n"
                      "  worklist \"总办\" when tier hospital\n"
                      "  worklist \"科室自查\" when colour red or category NOPE\n"
                      "  ledger weekly {\n"
                      "    at 8 \"a\"\n"
                      "    at 4 \"b\"\n"
                      "    at 0 \"c\"\n"
                      "  }\n"
                      "  grade {\n"
                      "    indicator happiness weight 1 good 1 bad 2\n"
                      "    indicator repeat_share weight 0 good 5 bad 30\n"
                      "    indicator definite_share weight \"x\" good 5 bad 30\n"
                      "    indicator compliance_rate weight 1 good 5 bad 5\n"
                      "    indicator repeat_share weight 1 good 5 bad 30\n"
                      "    cut A 90 B 95 C 60\n"
                      "    cut A 101 B 75 C 60\n"
                      "  }\n"
                      "  ledger calendar_year {\n"
                      "    at 1 \"x\"\n"
                      "  }\n"
                      "  budget { }\n"
                      "}\n"
                      "report {\n"
                      "}\n";
    assert_null(compile(src, 1, &e));
    size_t i = 0;
    expect_err(e, i++, 2, 31, "unknown severity 'extreme'");
    expect_err(e, i++, 3, 12, "unknown worklist \"总办\"");
    expect_err(e, i++, 3, 27, "unknown tier 'hospital'");
    expect_err(e, i++, 4, 24, "unknown route test 'colour'");
    expect_err(e, i++, 5, 10, "unknown ledger period 'weekly'");
    expect_err(e, i++, 7, 8, "ledger thresholds must rise: 4 comes after 8");
    expect_err(e, i++, 8, 8, "above 0");
    expect_err(e, i++, 11, 15, "unknown indicator 'happiness'");
    expect_err(e, i++, 12, 35, "weight is a number above 0");
    expect_err(e, i++, 13, 37, "'weight' takes a number");
    expect_err(e, i++, 14, 5, "good and bad values must differ");
    expect_err(e, i++, 15, 15, "'repeat_share' appears twice");
    expect_err(e, i++, 12, 15, "first declared here");
    expect_err(e, i++, 16, 5, "cut-offs must fall");
    expect_err(e, i++, 17, 5, "'cut' appears twice");
    expect_err(e, i++, 16, 5, "first declared here");
    expect_err(e, i++, 19, 3, "'ledger' appears twice");
    expect_err(e, i++, 5, 3, "first declared here");
    expect_err(e, i++, 22, 3, "unknown report section 'budget'");
    expect_err(e, i++, 24, 1, "report is declared twice");
    expect_err(e, i++, 1, 1, "first declared here");
    assert_int_equal(arb_error_count(e), i);
    arb_engine_free(e);
}

static void test_route_errors(void **state) {
    (void)state;
    arb_engine *e = NULL;
    /* high severity and definite nature do not cover low suspicious */
    assert_null(compile("report {\n"
                        "  worklist \"督办\" when severity high\n"
                        "  worklist \"医保办复核\" when nature definite\n"
                        "}\n",
                        1, &e));
    expect_err(e, 0, 2, 3, "severity low, nature suspicious and tier policy on no worklist");
    assert_int_equal(arb_error_count(e), 1);
    arb_engine_free(e);
    /* full coverage without `otherwise` is fine; a category test never
     * counts as coverage */
    arb_engine *ok = compile("report {\n"
                             "  worklist \"督办\" when severity high or nature definite\n"
                             "  worklist \"科室自查\" when not (severity high or nature definite)\n"
                             "}\n",
                             1, NULL);
    arb_engine_free(ok);
    assert_null(compile("category K \"k\" { }\n"
                        "report {\n"
                        "  worklist \"督办\" when category K or not (category K)\n"
                        "}\n",
                        1, &e));
    expect_err(e, 0, 3, 3, "on no worklist");
    arb_engine_free(e);
    /* a route after otherwise; ledger and grade without content */
    assert_null(compile("report {\n"
                        "  worklist \"科室自查\" otherwise\n"
                        "  worklist \"督办\" when severity high\n"
                        "  worklist \"督办\" sometimes\n"
                        "  ledger calendar_year { }\n"
                        "  grade { }\n"
                        "}\n",
                        1, &e));
    size_t i = 0;
    expect_err(e, i++, 3, 3, "a route after 'otherwise' is never taken");
    expect_err(e, i++, 2, 3, "first declared here");
    expect_err(e, i++, 4, 3, "a route after 'otherwise'");
    expect_err(e, i++, 2, 3, "first declared here");
    expect_err(e, i++, 4, 17, "'worklist \"NAME\" otherwise'");
    expect_err(e, i++, 5, 3, "the ledger has no steps");
    expect_err(e, i++, 6, 3, "the grade has no indicators");
    assert_int_equal(arb_error_count(e), i);
    arb_engine_free(e);
}

/* Conditions in postfix: not, and, or, and category names. */
static void test_route_level(void **state) {
    (void)state;
    static const arb_report_test c0[] = {
        {ARB_RT_CATEGORY, "A"}, {ARB_RT_TIER, "medical"}, {ARB_RT_NOT, NULL}, {ARB_RT_AND, NULL}};
    static const arb_report_route routes[] = {{ARB_WORKLIST_ESCALATE, "督办", c0, 4}};
    assert_int_equal(arb_report_route_level(routes, 1, "low", "definite", "policy", "A"), 2);
    assert_int_equal(arb_report_route_level(routes, 1, "low", "definite", "medical", "A"), -1);
    assert_int_equal(arb_report_route_level(routes, 1, "low", "definite", "policy", "B"), -1);
    assert_int_equal(arb_report_route_level(routes, 1, NULL, NULL, NULL, NULL), -1);
    assert_int_equal(arb_report_route_level(routes, 0, "low", "definite", "policy", "A"), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stdlib_defaults),       cmocka_unit_test(test_own_replaces_sections),
        cmocka_unit_test(test_pack_round_trip),       cmocka_unit_test(test_no_report),
        cmocka_unit_test(test_errors_have_positions), cmocka_unit_test(test_route_errors),
        cmocka_unit_test(test_route_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
