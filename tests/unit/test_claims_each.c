/* test_claims_each.c — arb_claims_each and arb_history_claims_each
 * (api/claims_each.c): claims read through the library's readers come out
 * as the canonical JSON of their canonical twin (3101 requests, a
 * Chinese-header CSV export, GB18030, canonical CSV), in input order, with
 * the records check rejects skipped and counted; a store's claims come out
 * as arb_history_export writes them. */
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

typedef struct Got {
    char *text; /* the claims, one a line */
    size_t len, n;
    size_t stop_after; /* 0: never */
} Got;

static int collect(void *ud, const char *json, size_t len) {
    Got *g = ud;
    assert_null(memchr(json, '\n', len));
    g->text = realloc(g->text, g->len + len + 2);
    assert_non_null(g->text);
    memcpy(g->text + g->len, json, len);
    g->len += len;
    g->text[g->len++] = '\n';
    g->text[g->len] = 0;
    g->n++;
    return g->stop_after && g->n == g->stop_after;
}

static arb_engine *stdlib_engine(void) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e = NULL;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    assert_int_equal(arb_add_file(e, ARB_STDLIB_DIR "/schema.rules"), ARB_OK);
    assert_int_equal(arb_compile(e), ARB_OK);
    return e;
}

/* The claims of path read with these options; *rejected set. */
static Got read_claims(arb_engine *e, const char *path, const char *profile, const char *enc,
                       uint64_t *rejected) {
    arb_batch_options o;
    arb_batch_options_init(&o);
    o.claims_path = path;
    o.input_profile = profile;
    o.encoding = enc;
    Got g = {0};
    uint64_t n = 0;
    int rc = arb_claims_each(e, &o, collect, &g, &n, rejected);
    if (rc != ARB_OK) fail_msg("%s: %s", path, arb_errmsg(e));
    assert_int_equal(n, g.n);
    return g;
}

static void write_file(const char *path, const char *text, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* The twins of tests/data give the same canonical claims. */
static void test_profile_twins(void **state) {
    (void)state;
    arb_engine *e = stdlib_engine();
    uint64_t rej = 9;
    Got canon = read_claims(e, ARB_TEST_DATA "/nhsa3101/canonical.jsonl", NULL, NULL, &rej);
    assert_int_equal(rej, 0);
    assert_int_equal(canon.n, 3);
    Got req = read_claims(e, ARB_TEST_DATA "/nhsa3101/requests.jsonl", "nhsa3101", NULL, &rej);
    assert_int_equal(rej, 0);
    assert_string_equal(req.text, canon.text);
    /* a malformed request is one rejected record, the rest read */
    Got bad = read_claims(e, ARB_TEST_DATA "/nhsa3101/requests_bad.jsonl", "nhsa3101", NULL, &rej);
    assert_int_equal(rej, 2);
    assert_string_equal(bad.text, canon.text);
    Got hc = read_claims(e, ARB_TEST_DATA "/his_csv_zh/canonical.jsonl", NULL, NULL, &rej);
    Got hx = read_claims(e, ARB_TEST_DATA "/his_csv_zh/export.csv", "his_csv_zh", NULL, &rej);
    assert_int_equal(hc.n, 2);
    assert_string_equal(hx.text, hc.text);
    /* stopping after the first */
    arb_batch_options o;
    arb_batch_options_init(&o);
    o.claims_path = ARB_TEST_DATA "/nhsa3101/canonical.jsonl";
    Got one = {0};
    one.stop_after = 1;
    uint64_t n = 0;
    assert_int_equal(arb_claims_each(e, &o, collect, &one, &n, NULL), ARB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(strncmp(one.text, canon.text, one.len), 0);
    /* an unknown profile, an unknown encoding */
    o.input_profile = "nosuch";
    assert_int_equal(arb_claims_each(e, &o, collect, &one, NULL, NULL), ARB_ERR_USAGE);
    o.input_profile = NULL, o.encoding = "latin9";
    assert_int_equal(arb_claims_each(e, &o, collect, &one, NULL, NULL), ARB_ERR_USAGE);
    free(canon.text), free(req.text), free(bad.text), free(hc.text), free(hx.text);
    free(one.text);
    arb_engine_free(e);
}

/* GB18030 JSON Lines and canonical CSV. */
static void test_encoding_and_csv(void **state) {
    (void)state;
    arb_engine *e = stdlib_engine();
    char dir[256];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/arb_claims_each_XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
    char utf8[512], gb[512], csv[512], lines[512];
    snprintf(utf8, sizeof utf8, "%s/u.jsonl", dir);
    snprintf(gb, sizeof gb, "%s/g.jsonl", dir);
    snprintf(csv, sizeof csv, "%s/claims.csv", dir);
    snprintf(lines, sizeof lines, "%s/lines.csv", dir);
    const char *u = "{\"claim_id\":\"C1\",\"person_id\":\"P1\",\"care_type\":\"outpatient\","
                    "\"dept\":\"\xe5\x86\x85\xe7\xa7\x91\",\"settle_time\":\"2025-03-01T09:00:00\","
                    "\"total_amount\":\"10.00\"}\n";
    write_file(utf8, u, strlen(u));
    /* the same in GB18030 (内科: C4 DA BF C6), then a line with a byte that
     * is no GB18030 (0x80 alone) */
    const char *g = "{\"claim_id\":\"C1\",\"person_id\":\"P1\",\"care_type\":\"outpatient\","
                    "\"dept\":\"\xc4\xda\xbf\xc6\",\"settle_time\":\"2025-03-01T09:00:00\","
                    "\"total_amount\":\"10.00\"}\n"
                    "{\"claim_id\":\"C2\",\"dept\":\"\x80\"}\n";
    write_file(gb, g, strlen(g));
    uint64_t rej = 9;
    Got gu = read_claims(e, utf8, NULL, NULL, &rej);
    assert_int_equal(gu.n, 1);
    assert_non_null(strstr(gu.text, "\"dept\":\"\xe5\x86\x85\xe7\xa7\x91\""));
    Got gg = read_claims(e, gb, NULL, "gb18030", &rej);
    assert_int_equal(rej, 1);
    assert_string_equal(gg.text, gu.text);
    /* read as UTF-8, the GB18030 bytes are rejected, both records */
    Got gx = read_claims(e, gb, NULL, NULL, &rej);
    assert_int_equal(gx.n, 0);
    assert_int_equal(rej, 2);
    /* canonical CSV: claims.csv with lines.csv beside it */
    const char *c = "claim_id,person_id,care_type,dept,settle_time,total_amount\n"
                    "C1,P1,outpatient,\xe5\x86\x85\xe7\xa7\x91,2025-03-01T09:00:00,10.00\n";
    const char *l = "claim_id,line_no,item_code,item_kind,amount\nC1,1,X01,drug,10.00\n";
    write_file(csv, c, strlen(c));
    write_file(lines, l, strlen(l));
    Got gc = read_claims(e, csv, NULL, NULL, &rej);
    assert_int_equal(rej, 0);
    assert_int_equal(gc.n, 1);
    assert_non_null(strstr(gc.text, "\"dept\":\"\xe5\x86\x85\xe7\xa7\x91\""));
    assert_non_null(strstr(gc.text, "\"item_code\":\"X01\""));
    unlink(utf8), unlink(gb), unlink(csv), unlink(lines), rmdir(dir);
    free(gu.text), free(gg.text), free(gx.text), free(gc.text);
    arb_engine_free(e);
}

/* A store's claims: what arb_history_export writes, line for line. */
static void test_history_claims(void **state) {
    (void)state;
    arb_engine *e = stdlib_engine();
    char dir[256], path[300];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/arb_claims_each_XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
    arb_history *h;
    assert_int_equal(arb_history_open(e, dir, ARB_HISTORY_WRITE, &h), ARB_OK);
    assert_int_equal(arb_engine_set_history(e, h), ARB_OK);
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    const char *claims[] = {
        "{\"claim_id\":\"C2\",\"person_id\":\"P2\",\"care_type\":\"outpatient\","
        "\"settle_time\":\"2025-03-02T09:00:00\",\"total_amount\":\"2.00\"}",
        "{\"claim_id\":\"C1\",\"person_id\":\"P1\",\"care_type\":\"outpatient\","
        "\"settle_time\":\"2025-03-01T09:00:00\",\"total_amount\":\"1.00\","
        "\"lines\":[{\"line_no\":1,\"item_code\":\"X\",\"item_kind\":\"drug\",\"amount\":\"1.00\"}]"
        "}",
        "{\"claim_id\":\"C3\",\"person_id\":\"P1\",\"care_type\":\"outpatient\","
        "\"settle_time\":\"2025-02-01T09:00:00\",\"total_amount\":\"3.00\"}",
    };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(arb_session_record_json(s, claims[i], strlen(claims[i])), ARB_OK);
    Got g = {0};
    uint64_t n = 0;
    assert_int_equal(arb_history_claims_each(h, collect, &g, &n), ARB_OK);
    assert_int_equal(n, 3);
    snprintf(path, sizeof path, "%s.jsonl", dir);
    uint64_t m = 0;
    assert_int_equal(arb_history_export(h, path, &m), ARB_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[4096];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = 0;
    fclose(f);
    assert_string_equal(g.text, buf);
    /* by person and time: P1's C3, C1, then P2's C2 */
    char *c3 = strstr(g.text, "\"C3\""), *c1 = strstr(g.text, "\"C1\""),
         *c2 = strstr(g.text, "\"C2\"");
    assert_true(c3 && c1 && c2 && c3 < c1 && c1 < c2);
    /* stopping */
    Got one = {0};
    one.stop_after = 2;
    assert_int_equal(arb_history_claims_each(h, collect, &one, &n), ARB_OK);
    assert_int_equal(n, 2);
    unlink(path);
    free(g.text), free(one.text);
    arb_session_free(s);
    arb_history_close(h);
    arb_engine_free(e);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_twins),
        cmocka_unit_test(test_encoding_and_csv),
        cmocka_unit_test(test_history_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
