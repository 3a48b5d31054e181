/* test_report.c — the report builder (report/): the points ledger's steps
 * and the facility grades' cut-offs at and around each boundary, the
 * indicator scores, the worklist routes, and the aggregation of a small
 * findings file over its claims (money at risk once per line, periods, the
 * ledger period, findings out of order). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report.h"

static void test_ladder(void **state) {
    (void)state;
    size_t n;
    const arb_report_step *s = arb_report_default_ladder(&n);
    assert_int_equal(n, 3);
    int step;
    assert_null(arb_report_sanction(s, n, 0, &step));
    assert_int_equal(step, -1);
    assert_null(arb_report_sanction(s, n, 3, &step));
    assert_string_equal(arb_report_sanction(s, n, 4, &step), "警示约谈");
    assert_int_equal(step, 0);
    assert_string_equal(arb_report_sanction(s, n, 5, NULL), "警示约谈");
    assert_string_equal(arb_report_sanction(s, n, 7, NULL), "警示约谈");
    assert_string_equal(arb_report_sanction(s, n, 8, &step), "暂停医保支付资格3个月");
    assert_int_equal(step, 1);
    assert_string_equal(arb_report_sanction(s, n, 11, NULL), "暂停医保支付资格3个月");
    assert_string_equal(arb_report_sanction(s, n, 12, &step), "取消医保医师资格");
    assert_int_equal(step, 2);
    assert_string_equal(arb_report_sanction(s, n, 13, NULL), "取消医保医师资格");
    assert_string_equal(arb_report_sanction(s, n, 1000, NULL), "取消医保医师资格");
    assert_null(arb_report_sanction(s, n, -5, NULL));
    /* a ladder of one's own */
    arb_report_step mine[] = {{12, "暂停"}};
    assert_null(arb_report_sanction(mine, 1, 11, NULL));
    assert_string_equal(arb_report_sanction(mine, 1, 12, NULL), "暂停");
}

static void test_grades(void **state) {
    (void)state;
    double zero[3] = {0, 0, 0}, mine[3] = {80, 70, 50};
    assert_int_equal(arb_report_grade(zero, 100), 'A');
    assert_int_equal(arb_report_grade(zero, 90), 'A');
    assert_int_equal(arb_report_grade(zero, 89.999), 'B');
    assert_int_equal(arb_report_grade(zero, 75), 'B');
    assert_int_equal(arb_report_grade(zero, 74.999), 'C');
    assert_int_equal(arb_report_grade(zero, 60), 'C');
    assert_int_equal(arb_report_grade(zero, 59.999), 'D');
    assert_int_equal(arb_report_grade(zero, 0), 'D');
    assert_int_equal(arb_report_grade(NULL, 90), 'A');
    assert_int_equal(arb_report_grade(mine, 80), 'A');
    assert_int_equal(arb_report_grade(mine, 79.9), 'B');
    assert_int_equal(arb_report_grade(mine, 70), 'B');
    assert_int_equal(arb_report_grade(mine, 50), 'C');
    assert_int_equal(arb_report_grade(mine, 49.9), 'D');
}

static void test_indicators(void **state) {
    (void)state;
    size_t n;
    const arb_report_indicator *d = arb_report_default_indicators(&n);
    assert_int_equal(n, 5);
    /* lower is better: findings per 1,000 claims, 20 good, 100 bad */
    assert_true(arb_report_indicator_score(&d[0], 0) == 100);
    assert_true(arb_report_indicator_score(&d[0], 20) == 100);
    assert_true(arb_report_indicator_score(&d[0], 60) == 50);
    assert_true(arb_report_indicator_score(&d[0], 100) == 0);
    assert_true(arb_report_indicator_score(&d[0], 101) == 0);
    double s = arb_report_indicator_score(&d[0], 20.8);
    assert_true(s < 100 && s > 98.9);
    /* higher is better: the compliance rate, 95 good, 60 bad */
    assert_true(arb_report_indicator_score(&d[4], 100) == 100);
    assert_true(arb_report_indicator_score(&d[4], 95) == 100);
    assert_true(arb_report_indicator_score(&d[4], 77.5) == 50);
    assert_true(arb_report_indicator_score(&d[4], 60) == 0);
    assert_true(arb_report_indicator_score(&d[4], 10) == 0);
    arb_report_indicator flat = {"x", 1, 5, 5, NULL};
    assert_true(arb_report_indicator_score(&flat, 5) == 100);
    assert_true(arb_report_indicator_score(&flat, 5.01) == 0);
    double w = 0;
    for (size_t i = 0; i < 4; i++) w += d[i].weight;
    assert_true(w > 0.999 && w < 1.001); /* without feedback the four make the score */
}

static void test_levels(void **state) {
    (void)state;
    assert_int_equal(rep_level("high", "definite"), 2);
    assert_int_equal(rep_level("medium", "definite"), 1);
    assert_int_equal(rep_level("high", "suspicious"), 1);
    assert_int_equal(rep_level("medium", "suspicious"), 0);
    assert_int_equal(rep_level("low", "suspicious"), 0);
}

static char dir[64];

static void put(const char *name, const char *text) {
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char claims[] =
    "{\"claim_id\":\"C1\",\"dept\":\"内科\",\"doctor\":\"D1\",\"facility_id\":\"H1\","
    "\"settle_time\":\"2025-03-05T10:00:00\",\"total_amount\":\"100.00\",\"lines\":["
    "{\"line_no\":1,\"item_code\":\"X1\",\"item_kind\":\"drug\",\"item_name\":\"甲药\",\"amount\":"
    "\"30.00\"},"
    "{\"line_no\":2,\"item_code\":\"X2\",\"item_kind\":\"service\",\"amount\":\"70.00\"}]}\n"
    "{\"claim_id\":\"C2\",\"dept\":\"外科\",\"doctor\":\"D2\",\"facility_id\":\"H1\","
    "\"settle_time\":\"2025-08-01T10:00:00\",\"total_amount\":\"50.00\",\"lines\":["
    "{\"line_no\":1,\"item_code\":\"X1\",\"item_kind\":\"drug\",\"amount\":\"50.00\"}]}\n"
    "{\"claim_id\":\"C3\",\"dept\":\"内科\",\"doctor\":\"D1\",\"facility_id\":\"H2\","
    "\"settle_time\":\"2024-12-30T10:00:00\",\"total_amount\":\"20.00\",\"lines\":[]}\n";

/* C1 line 1 flagged twice (30.00 and 12.00: at risk once, 30.00), C1's
 * claim once (at_risk 0: the lines took it), C2 line 1 once; C3 is of the
 * year before */
#define F(claim, rule, line, amount, risk, sev, nat, pts, dept, doc, date)                         \
    "{\"claim_id\":\"" claim "\",\"rule\":\"" rule "\",\"category\":\"CAT\",\"severity\":\"" sev   \
    "\",\"nature\":\"" nat "\",\"points\":" pts ",\"line_no\":" line ",\"amount\":\"" amount       \
    "\",\"message\":\"m\",\"finding_id\":\"" claim rule line "\",\"category_title\":\"类\","      \
    "\"tier\":\"policy\",\"person_id\":\"P\",\"facility_id\":\"H1\",\"dept\":\"" dept              \
    "\",\"doctor\":\"" doc "\",\"settle_date\":\"" date "\",\"at_risk\":\"" risk "\"}\n"
static const char findings[] = F("C1", "R.1", "1", "30.00", "30.00", "high", "definite", "3",
                                 "内科", "D1", "2025-03-05")
    F("C1", "R.2", "1", "12.00", "0.00", "medium", "suspicious", "2", "内科", "D1", "2025-03-05") F(
        "C1", "R.3", "null", "80.00", "0.00", "high", "suspicious", "1", "内科", "D1", "2025-03-05")
        F("C2", "R.1", "1", "50.00", "50.00", "high", "definite", "3", "外科", "D2", "2025-08-01")
            F("C3", "R.1", "null", "5.00", "5.00", "low", "suspicious", "9", "内科", "D1",
              "2024-12-30");

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/arb-report-XXXXXX");
    assert_non_null(mkdtemp(dir));
    put("claims.jsonl", claims);
    put("f.jsonl", findings);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (getenv("KEEP")) return 0;
    return system(cmd) == 0 ? 0 : -1;
}

static int build(arb_report_options *o, arb_report_totals *t, char *err) {
    static char cp[128], fp[128];
    snprintf(cp, sizeof cp, "%s/claims.jsonl", dir);
    snprintf(fp, sizeof fp, "%s/f.jsonl", dir);
    o->claims_path = cp;
    if (!o->findings_path) o->findings_path = fp;
    o->csv_dir = dir;
    return arb_report_build(o, t, err, 512);
}

static char *slurp(const char *name) {
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void test_aggregate(void **state) {
    (void)state;
    arb_report_options o;
    arb_report_options_init(&o);
    arb_report_totals t;
    char err[512];
    assert_int_equal(build(&o, &t, err), 0);
    assert_int_equal(t.claims, 3);
    assert_int_equal(t.lines, 3);
    assert_int_equal(t.findings, 5);
    assert_int_equal(t.flagged_claims, 3);
    assert_int_equal(t.claimed_cents, 17000);
    assert_int_equal(t.amount_cents, 17700); /* the findings' amounts */
    assert_int_equal(t.at_risk_cents, 8500); /* once per line: 30 + 50 + 5 */
    assert_true(t.at_risk_cents <= t.claimed_cents);
    /* by department: 内科 two claims, 120.00 claimed, 35.00 at risk */
    const char *d = slurp("by_dept.csv");
    assert_non_null(strstr(d, "内科,2,2,120.00,2,4,127.00,35.00,1,1,15\n"));
    assert_non_null(strstr(d, "外科,1,1,50.00,1,1,50.00,50.00,1,1,3\n"));
    /* the ledger is the calendar year of the latest settle date (2025): D1
     * has 3 + 2 + 1 = 6 points (not C3's 9 of 2024), D2 3 */
    const char *l = slurp("ledger.csv");
    assert_non_null(strstr(l, "D1,内科,6,3,警示约谈\n"));
    assert_non_null(strstr(l, "D2,外科,3,1,\n"));
    /* worklists: 督办 R.1 twice (high, definite) + ... */
    const char *w = slurp("worklist_3_督办.csv");
    assert_non_null(
        strstr(w, "C1R.11,C1,2025-03-05,内科,D1,H1,R.1,类,high,definite,30.00,30.00,m"));
    assert_non_null(strstr(w, "C2R.11,C2"));
    assert_null(strstr(w, "R.2"));
    /* a repeat: same facility, person and rule (R.1 on P at H1, the third
     * time) */
    const char *f = slurp("by_facility.csv");
    assert_non_null(strstr(f, "H1,2,3,150.00,3,5,177.00,85.00,2,2,18\n"));
}

static void test_periods(void **state) {
    (void)state;
    arb_report_options o;
    arb_report_options_init(&o);
    arb_report_totals t;
    char err[512];
    o.from = "2025-07-01";
    o.to = "2025-09-30";
    assert_int_equal(build(&o, &t, err), 0);
    assert_int_equal(t.claims, 1);
    assert_int_equal(t.findings, 1);
    assert_int_equal(t.at_risk_cents, 5000);
    /* the ledger still covers 2025 up to the period's end */
    assert_non_null(strstr(slurp("ledger.csv"), "D1,内科,6,3,警示约谈\n"));
    /* rolling 12 months ending 2025-03-05: C3 (2024-12-30) counts too */
    arb_report_options_init(&o);
    o.to = "2025-03-05";
    o.ledger_rolling = 1;
    assert_int_equal(build(&o, &t, err), 0);
    assert_int_equal(t.claims, 2); /* C1 and C3 */
    assert_non_null(strstr(slurp("ledger.csv"), "D1,内科,15,4,取消医保医师资格\n"));
}

static void test_out_of_order(void **state) {
    (void)state;
    put("bad.jsonl", F("C2", "R.1", "1", "50.00", "50.00", "high", "definite", "3", "外科", "D2",
                       "2025-08-01") F("C1", "R.1", "1", "30.00", "30.00", "high", "definite", "3",
                                       "内科", "D1", "2025-03-05"));
    char p[128];
    snprintf(p, sizeof p, "%s/bad.jsonl", dir);
    arb_report_options o;
    arb_report_options_init(&o);
    o.findings_path = p;
    arb_report_totals t;
    char err[512];
    assert_int_equal(build(&o, &t, err), -1);
    assert_non_null(strstr(err, "bad.jsonl:2: the finding's claim 'C1'"));
    put("bad.jsonl", "{\"claim_id\":\n");
    assert_int_equal(build(&o, &t, err), -1);
    assert_non_null(strstr(err, "bad.jsonl:1: not a JSON object"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ladder),       cmocka_unit_test(test_grades),
        cmocka_unit_test(test_indicators),   cmocka_unit_test(test_levels),
        cmocka_unit_test(test_aggregate),    cmocka_unit_test(test_periods),
        cmocka_unit_test(test_out_of_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
