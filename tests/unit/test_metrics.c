/* test_metrics.c — the service's counters (server/metrics.c): requests by
 * endpoint and status class, the cumulative latency histogram, findings and
 * unknown keys by name (capped), label escaping, a failed reload's reason,
 * and counting from several threads at once. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static char *render(Metrics *m) {
    MetGauges g = {0xabcdef, 0.5, 1700000000, 1, 4096, 7, 2};
    size_t len;
    char *t = met_render(m, &g, &len);
    assert_non_null(t);
    assert_int_equal(strlen(t), len);
    return t;
}

static void test_counts(void **state) {
    (void)state;
    Metrics m;
    assert_int_equal(met_init(&m), 0);
    met_request(&m, EP_CHECK, 200, 0.0003);
    met_request(&m, EP_CHECK, 200, 0.002);
    met_request(&m, EP_CHECK, 400, 0.00005);
    met_request(&m, EP_NHSA_3101, -1, 2.0);
    met_finding(&m, "SPLIT_ADMISSION");
    met_finding(&m, "SPLIT_ADMISSION");
    met_unknown_key(&m, "a\"b\\c");
    met_reload_failed(&m, "pack x: damaged\nbadly");
    char *t = render(&m);
    assert_non_null(strstr(t, "arbiter_requests_total{endpoint=\"check\",status=\"2xx\"} 2\n"));
    assert_non_null(strstr(t, "arbiter_requests_total{endpoint=\"check\",status=\"4xx\"} 1\n"));
    assert_non_null(
        strstr(t, "arbiter_requests_total{endpoint=\"nhsa_3101\",status=\"infcode_-1\"} 1\n"));
    assert_non_null(strstr(t, "arbiter_request_errors_total{endpoint=\"check\"} 1\n"));
    assert_non_null(strstr(t, "arbiter_request_errors_total{endpoint=\"nhsa_3101\"} 1\n"));
    /* cumulative buckets: 0.00005 <= 0.0001; 0.0003 <= 0.0005; 0.002 <= 0.0025 */
    assert_non_null(
        strstr(t, "arbiter_request_duration_seconds_bucket{endpoint=\"check\",le=\"0.0001\"} 1\n"));
    assert_non_null(
        strstr(t, "arbiter_request_duration_seconds_bucket{endpoint=\"check\",le=\"0.0005\"} 2\n"));
    assert_non_null(
        strstr(t, "arbiter_request_duration_seconds_bucket{endpoint=\"check\",le=\"0.0025\"} 3\n"));
    assert_non_null(
        strstr(t, "arbiter_request_duration_seconds_bucket{endpoint=\"check\",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(t, "arbiter_request_duration_seconds_count{endpoint=\"check\"} 3\n"));
    assert_non_null(
        strstr(t, "arbiter_request_duration_seconds_bucket{endpoint=\"nhsa_3101\",le=\"1\"} 0\n"));
    assert_null(strstr(t, "endpoint=\"healthz\"")); /* no series for what never happened */
    assert_non_null(strstr(t, "arbiter_findings_total{category=\"SPLIT_ADMISSION\"} 2\n"));
    assert_non_null(strstr(t, "arbiter_unknown_input_keys_total{path=\"a\\\"b\\\\c\"} 1\n"));
    assert_non_null(strstr(t, "arbiter_reload_failures_total 1\n"));
    assert_non_null(strstr(t, "arbiter_last_reload_error{reason=\"pack x: damaged\\nbadly\"} 1\n"));
    assert_non_null(strstr(t, "arbiter_pack_info{pack_id=\"0000000000abcdef\"} 1\n"));
    assert_non_null(strstr(t, "arbiter_history_store_claims 7\n"));
    free(t);
    met_free(&m);
}

static void test_cap(void **state) {
    (void)state;
    Metrics m;
    assert_int_equal(met_init(&m), 0);
    char name[32];
    for (int i = 0; i < 600; i++) { /* ever-new keys do not grow memory without end */
        snprintf(name, sizeof name, "k%d", i);
        met_unknown_key(&m, name);
    }
    assert_true(m.unknown.n <= 513);
    char *t = render(&m);
    assert_non_null(strstr(t, "path=\"(other)\"} 88\n"));
    free(t);
    met_free(&m);
}

static void *hammer(void *ud) {
    Metrics *m = ud;
    for (int i = 0; i < 20000; i++) {
        met_request(m, EP_CHECK_BATCH, 200, 0.001);
        if (i % 10 == 0) met_finding(m, "X");
    }
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    Metrics m;
    assert_int_equal(met_init(&m), 0);
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, hammer, &m);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    char *text = render(&m);
    assert_non_null(
        strstr(text, "arbiter_requests_total{endpoint=\"check_batch\",status=\"2xx\"} 80000\n"));
    assert_non_null(strstr(text, "arbiter_findings_total{category=\"X\"} 8000\n"));
    free(text);
    met_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
