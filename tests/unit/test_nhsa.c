/* test_nhsa.c — the national interface module of the service
 * (server/nhsa.c): reading envelopes (numbers as strings, a BOM, bad JSON
 * with its column), trig_scen to phases (codes, lists, the stage of the
 * other transaction, unknown codes), the x-tif signature (a vector computed
 * independently with Python's hashlib; a wrong one, a stale timestamp,
 * missing headers), jr_id stability, the answer's shape (infcode the
 * number 0, err_msg "", result [] and never null, money with two
 * decimals), and 3103 warns (single object, bad dspo_way, all or nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nhsa.h"

static void test_read(void **state) {
    (void)state;
    NhsaRequest r;
    char err[256];
    const char *body =
        "\xEF\xBB\xBF{\"infno\": 3102, \"msgid\": \"M1\", \"mdtrtarea_admvs\": "
        "\"440100\", \"input\": {\"data\": {\"task_id\": \"T9\", \"trig_scen\": 8}}}";
    assert_int_equal(nhsa_request_read(&r, body, strlen(body), err, sizeof err), 0);
    assert_string_equal(r.infno, "3102");
    assert_string_equal(r.msgid, "M1");
    assert_string_equal(r.admdvs, "440100");
    assert_string_equal(r.task_id, "T9");
    assert_string_equal(r.trig_scen, "8");
    nhsa_request_free(&r);

    const char *cut = "{\"infno\": \"3101\", \"input\": {";
    assert_int_equal(nhsa_request_read(&r, cut, strlen(cut), err, sizeof err), -1);
    assert_non_null(strstr(err, "column"));
    const char *broken = "{\"infno\": \"3101\",, }";
    assert_int_equal(nhsa_request_read(&r, broken, strlen(broken), err, sizeof err), -1);
    assert_non_null(strstr(err, "column 18"));
    assert_int_equal(nhsa_request_read(&r, "[1]", 3, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a JSON object"));
    assert_int_equal(nhsa_request_read(&r, "{} x", 4, err, sizeof err), -1);
    assert_non_null(strstr(err, "column 4"));
    assert_int_equal(nhsa_request_read(&r, "", 0, err, sizeof err), -1);
}

static unsigned phases(const char *trig, int infno, int *mismatch, char *err) {
    char body[256];
    snprintf(body, sizeof body, "{\"input\":{\"data\":{\"trig_scen\":%s}}}", trig);
    NhsaRequest r;
    assert_int_equal(nhsa_request_read(&r, body, strlen(body), err, 200), 0);
    unsigned p = nhsa_phases(&r, infno, mismatch, err, 200);
    nhsa_request_free(&r);
    return p;
}

static void test_phases(void **state) {
    (void)state;
    int mm;
    char err[200];
    assert_int_equal(phases("\"4\"", 3101, &mm, err), ARB_PHASE_PRE);
    assert_int_equal(mm, 0);
    assert_int_equal(phases("9", 3102, &mm, err), ARB_PHASE_SETTLE);
    assert_int_equal(phases("\"1,2\"", 3101, &mm, err), ARB_PHASE_PRE);
    assert_int_equal(phases("\" 2 , 7 \"", 3101, &mm, err), ARB_PHASE_PRE | ARB_PHASE_SETTLE);
    assert_int_equal(mm, 0);
    /* no trig_scen: the transaction decides */
    assert_int_equal(phases("null", 3102, &mm, err), ARB_PHASE_SETTLE);
    assert_int_equal(phases("\"\"", 3101, &mm, err), ARB_PHASE_PRE);
    /* a 3102 sent with a 事前 code (one client does): both, and said */
    assert_int_equal(phases("\"1\"", 3102, &mm, err), ARB_PHASE_PRE | ARB_PHASE_SETTLE);
    assert_int_equal(mm, 1);
    assert_int_equal(phases("\"23\"", 3101, &mm, err), 0);
    assert_non_null(strstr(err, "'23'"));
    assert_int_equal(phases("\"0\"", 3101, &mm, err), 0);
    assert_int_equal(phases("\"2,x\"", 3101, &mm, err), 0);
    assert_non_null(strstr(err, "'x'"));
}

static void test_signature(void **state) {
    (void)state;
    char err[200];
    /* hashlib.sha256(("1700000000" + "sec" + "nonce" + "1700000000").encode()).hexdigest() */
    const char *good = "350de8a7e293a9cfe5e3ddcbb05fa161bdfbbceb6e45858bfc83f81cd26f78ed";
    assert_int_equal(
        nhsa_verify_signature("sec", "1700000000", "nonce", good, 1700000100, 300, err, 200), 0);
    char upper[65];
    for (int i = 0; i < 65; i++)
        upper[i] = (char)(good[i] >= 'a' && good[i] <= 'f' ? good[i] - 32 : good[i]);
    assert_int_equal(
        nhsa_verify_signature("sec", "1700000000", "nonce", upper, 1700000100, 300, err, 200), 0);
    assert_int_equal(
        nhsa_verify_signature("sek", "1700000000", "nonce", good, 1700000100, 300, err, 200), -1);
    assert_non_null(strstr(err, "does not match"));
    assert_int_equal(
        nhsa_verify_signature("sec", "1700000000", "nonce", good, 1700001000, 300, err, 200), -1);
    assert_non_null(strstr(err, "timestamp"));
    assert_int_equal(
        nhsa_verify_signature("sec", "17000x", "nonce", good, 1700000100, 300, err, 200), -1);
    assert_int_equal(nhsa_verify_signature("sec", NULL, "n", good, 0, 300, err, 200), -1);
    assert_non_null(strstr(err, "x-tif-timestamp"));
    assert_int_equal(
        nhsa_verify_signature("sec", "1700000000", "nonce", "abc", 1700000100, 300, err, 200), -1);
}

static void test_answer(void **state) {
    (void)state;
    NhsaAnswer a;
    assert_int_equal(nhsa_answer_init(&a, "440100", 42, 0), 0);
    size_t len;
    const char *t = nhsa_answer_text(&a, &len);
    assert_non_null(strstr(t, "\"infcode\":0,"));
    assert_non_null(strstr(t, "\"err_msg\":\"\""));
    assert_non_null(strstr(t, "\"output\":{\"result\":[]}"));
    assert_non_null(strstr(t, "\"inf_refmsgid\":\"440100"));
    assert_non_null(strstr(t, "0000000042\""));
    arb_evidence ev = {"A1", 1741172400}; /* 2025-03-05 11:00 */
    arb_finding f;
    memset(&f, 0, sizeof f);
    f.claim_id = "M1";
    f.rule_id = "SPLIT_ADMISSION.1";
    f.rule_title = "出院后15日内再次入院";
    f.category = "SPLIT_ADMISSION";
    f.category_title = "分解住院";
    f.category_code = "GZ1";
    f.severity = "medium";
    f.nature = "suspicious";
    f.line_no = 2;
    f.amount_cents = 1205;
    f.message = "msg";
    f.finding_id = "0123456789abcdef0123456789abcdef";
    f.nevidence = 1;
    f.evidence = &ev;
    arb_input_finding in = {&f, 0, "P1", "RX2", 1};
    nhsa_answer_finding(&a, &in, "T1");
    t = nhsa_answer_text(&a, &len);
    assert_non_null(strstr(t, "\"jr_id\":\"0123456789abcdef0123456789abcdef\""));
    assert_non_null(strstr(t, "\"rule_name\":\"出院后15日内再次入院\""));
    assert_non_null(strstr(t, "\"vola_amt\":12.05,"));
    assert_non_null(strstr(t, "\"rx_id\":\"RX2\",\"vola_item_type\":\"1\",\"vola_amt\":12.05"));
    assert_non_null(strstr(t, "\"sev_deg\":\"3\""));
    assert_non_null(strstr(t, "\"vola_evid\":\"分解住院（GZ1）；相关就诊：A1（2025-03-05）\""));
    assert_non_null(strstr(t, "\"vola_bhvr_type\":\"2\""));
    assert_non_null(strstr(t, "\"task_id\":\"T1\""));
    f.nature = "definite";
    assert_string_equal(nhsa_sev_deg(&f), "1");
    f.nature = "suspicious";
    f.severity = "high";
    assert_string_equal(nhsa_sev_deg(&f), "2");
    nhsa_answer_fail(&a, "boom");
    t = nhsa_answer_text(&a, &len);
    assert_non_null(strstr(t, "\"infcode\":-1,"));
    assert_non_null(strstr(t, "\"err_msg\":\"boom\""));
    assert_non_null(strstr(t, "\"result\":[]"));
    nhsa_answer_free(&a);
}

typedef struct Got {
    int n;
    char last[512];
} Got;

static int record(void *ud, const char *json, size_t len, char *err, size_t errcap) {
    (void)err, (void)errcap;
    Got *g = ud;
    g->n++;
    snprintf(g->last, sizeof g->last, "%.*s", (int)len, json);
    return 0;
}

static int feedback(const char *body, Got *g, char *err) {
    NhsaRequest r;
    assert_int_equal(nhsa_request_read(&r, body, strlen(body), err, 300), 0);
    memset(g, 0, sizeof *g);
    int n = nhsa_feedback_each(&r, "2026-01-01T00:00:00Z", record, g, err, 300);
    nhsa_request_free(&r);
    return n;
}

static void test_feedback(void **state) {
    (void)state;
    Got g;
    char err[300];
    assert_int_equal(
        feedback("{\"msgid\":\"M\",\"input\":{\"data\":{\"warn_type\":2,\"warns\":"
                 "{\"warn_rslt_id\":\"J1\",\"dspo_way\":1,\"dspo_way_rea\":\"病情需要\"}}}}",
                 &g, err),
        1);
    assert_int_equal(g.n, 1);
    assert_non_null(strstr(g.last,
                           "\"jr_id\":\"J1\",\"dspo_way\":\"1\",\"dspo_way_rea\":\"病情需要\","
                           "\"warn_type\":\"2\",\"msgid\":\"M\""));
    /* a bad second answer: nothing recorded, the field named */
    assert_int_equal(
        feedback("{\"input\":{\"data\":{\"warns\":[{\"warn_rslt_id\":\"J1\",\"dspo_way\":"
                 "\"2\"},{\"warn_rslt_id\":\"J2\",\"dspo_way\":\"3\"}]}}}",
                 &g, err),
        -1);
    assert_int_equal(g.n, 0);
    assert_non_null(strstr(err, "warns[1].dspo_way"));
    assert_int_equal(feedback("{\"input\":{\"data\":{\"warns\":[{\"dspo_way\":\"2\"}]}}}", &g, err),
                     -1);
    assert_non_null(strstr(err, "warns[0].warn_rslt_id"));
    assert_int_equal(feedback("{\"input\":{\"data\":{\"warns\":[]}}}", &g, err), -1);
    assert_int_equal(feedback("{\"input\":{}}", &g, err), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read),      cmocka_unit_test(test_phases),
        cmocka_unit_test(test_signature), cmocka_unit_test(test_answer),
        cmocka_unit_test(test_feedback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
