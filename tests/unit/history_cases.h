/* history_cases.h — cases of the public history-store API that every
 * backend must pass, run by test_hstore.c on an LMDB directory and by
 * test_hpg.c on a PostgreSQL database (include after cmocka.h and
 * engine.h; each case takes an empty store's name):
 *  - hc_attach_case: a second engine, compiled from rules with a field more
 *    in the claim schema, attaches to the first engine's open store, reads
 *    the claims the first recorded, records one with the new field, which
 *    the first engine then reads too (a schema registered after it opened);
 *    the base handle and its engine go first, the attached handle still
 *    works, then it is closed (ASan: nothing leaks, nothing is used after
 *    it is freed);
 *  - hc_feedback_case: 3103 answers kept in arrival order, every one (a
 *    second answer to a jr_id beside the first), white space between tokens
 *    removed, refused without a non-empty string jr_id or when not one JSON
 *    object, refused by a read-only handle, exported as JSON Lines, counted
 *    by arb_history_stats. */
#ifndef ARB_TEST_HISTORY_CASES_H
#define ARB_TEST_HISTORY_CASES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An engine compiled from src over the standard schema. */
static inline arb_engine *hc_engine(const char *src) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e = NULL;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    assert_int_equal(arb_add_source(e, "cases.rules", src, strlen(src)), ARB_OK);
    if (arb_compile(e) != ARB_OK) {
        for (size_t i = 0; i < arb_error_count(e); i++) {
            char buf[2048];
            arb_error_render(e, i, buf, sizeof buf);
            fprintf(stderr, "%s", buf);
        }
        fail_msg("the rules do not compile");
    }
    return e;
}

/* FREQ.1's message (the count and total of the person's claims in the 30
 * days before) for the claim; "-" when it did not fire. */
static const char *const HC_RULES =
    "category FREQ \"频繁就诊\" { code \"T-FREQ\" severity low nature suspicious points 1 }\n"
    "rule FREQ.1 \"30日内\" in FREQ\n"
    "  when count(p in history(30d)) >= 1\n"
    "  flag claim amount 0.00 message \"{count(p in history(30d))}:{sum(p.total_amount for p in "
    "history(30d))}\"\n";

typedef struct HcFound {
    char msg[128];
} HcFound;

static inline void hc_on_finding(void *ud, const arb_finding *f) {
    HcFound *x = ud;
    if (strcmp(f->rule_id, "FREQ.1") == 0) snprintf(x->msg, sizeof x->msg, "%s", f->message);
}

static inline const char *hc_check(arb_session *s, const char *json, HcFound *x) {
    snprintf(x->msg, sizeof x->msg, "-");
    int rc = arb_session_check_json(s, json, strlen(json), ARB_PHASE_ALL, hc_on_finding, x);
    if (rc != ARB_OK) fail_msg("check: %d %s", rc, arb_session_errmsg(s));
    return x->msg;
}

static inline void hc_record(arb_session *s, const char *json) {
    int rc = arb_session_record_json(s, json, strlen(json));
    if (rc != ARB_OK) fail_msg("record: %d %s", rc, arb_session_errmsg(s));
}

#define HC_CLAIM(id, settle, total, more)                                                          \
    "{\"claim_id\":\"" id "\",\"person_id\":\"P1\",\"care_type\":\"outpatient\","                  \
    "\"settle_time\":\"" settle "\",\"total_amount\":\"" total "\"" more "}"

/* The ward (the attached engine's extra field) of claim id, read through
 * handle h: "" when the claim has none, NULL when there is no such claim. */
typedef struct HcWard {
    const HStore *s;
    const char *id;
    int32_t field;
    Arena ar;
    char ward[32];
    int found;
} HcWard;

static inline int hc_ward_one(void *ud, const HRec *r) {
    HcWard *w = ud;
    if (r->claim_id_len != strlen(w->id) || memcmp(r->claim_id, w->id, r->claim_id_len) != 0)
        return 0;
    Value *c = NULL;
    assert_int_equal(hstore_decode(w->s, r, &w->ar, &c), 0);
    const ArbStr *v = c[w->field].s;
    snprintf(w->ward, sizeof w->ward, "%.*s", v ? (int)v->len : 0, v ? v->data : "");
    w->found = 1;
    return 1;
}

static inline const char *hc_ward(arb_history *h, const char *id, char *buf, size_t cap) {
    HcWard w;
    memset(&w, 0, sizeof w);
    w.s = h->st;
    w.id = id;
    w.field = record_field_index(h->e->prog->claim, "ward", 4);
    assert_true(w.field >= 0);
    arena_init(&w.ar, mem_default(), 4096);
    HTxn *t;
    char err[600];
    if (hstore_begin(h->st, 0, &t, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(hstore_each(t, hc_ward_one, &w), 0);
    hstore_abort(t);
    arena_free(&w.ar);
    if (!w.found) return NULL;
    snprintf(buf, cap, "%s", w.ward);
    return buf;
}

static inline void hc_attach_case(const char *where) {
    arb_engine *ea = hc_engine(HC_RULES);
    char both[2048];
    snprintf(both, sizeof both, "extend schema claim { ward text }\n%s", HC_RULES);
    arb_engine *eb = hc_engine(both);
    arb_history *ha = NULL, *hb = NULL;
    if (arb_history_open(ea, where, ARB_HISTORY_WRITE, &ha) != ARB_OK)
        fail_msg("open %s: %s", where, arb_errmsg(ea));
    /* an engine with no rules cannot attach */
    arb_engine *none;
    assert_int_equal(arb_engine_new(NULL, &none), ARB_OK);
    arb_history *hn = NULL;
    assert_int_equal(arb_history_attach(none, ha, &hn), ARB_ERR_USAGE);
    assert_null(hn);
    arb_engine_free(none);

    assert_int_equal(arb_engine_set_history(ea, ha), ARB_OK);
    arb_session *sa, *sb;
    assert_int_equal(arb_session_new(ea, &sa), ARB_OK);
    hc_record(sa, HC_CLAIM("C1", "2025-03-01T09:00:00", "10.00", ""));
    hc_record(sa, HC_CLAIM("C2", "2025-03-10T09:00:00", "20.00", ""));

    if (arb_history_attach(eb, ha, &hb) != ARB_OK) fail_msg("attach: %s", arb_errmsg(eb));
    /* a handle belongs to its engine */
    assert_int_equal(arb_engine_set_history(ea, hb), ARB_ERR_USAGE);
    assert_int_equal(arb_engine_set_history(eb, hb), ARB_OK);
    assert_int_equal(arb_session_new(eb, &sb), ARB_OK);
    HcFound x;
    const char *c3 = HC_CLAIM("C3", "2025-03-20T10:00:00", "1.00", "");
    assert_string_equal(hc_check(sb, c3, &x), "2:30.00");
    /* the attached engine records a claim with its new field ... */
    hc_record(sb, HC_CLAIM("W1", "2025-03-15T09:00:00", "5.00", ",\"ward\":\"W9\""));
    assert_string_equal(hc_check(sb, c3, &x), "3:35.00");
    /* ... which the first engine reads (a schema registered since it opened) */
    assert_string_equal(hc_check(sa, c3, &x), "3:35.00");
    arb_history_info in;
    assert_int_equal(arb_history_stats(hb, &in), ARB_OK);
    assert_int_equal(in.claims, 3);
    assert_int_equal(in.schemas, 2);

    /* the base handle and its engine go first */
    arb_session_free(sa);
    arb_history_close(ha);
    arb_engine_free(ea);
    assert_string_equal(hc_check(sb, c3, &x), "3:35.00");
    hc_record(sb, HC_CLAIM("W2", "2025-03-16T09:00:00", "7.00", ",\"ward\":\"W8\""));
    assert_string_equal(hc_check(sb, c3, &x), "4:42.00");
    char buf[32];
    assert_string_equal(hc_ward(hb, "W1", buf, sizeof buf), "W9");
    assert_string_equal(hc_ward(hb, "W2", buf, sizeof buf), "W8");
    assert_string_equal(hc_ward(hb, "C1", buf, sizeof buf), ""); /* written without it */
    assert_null(hc_ward(hb, "C9", buf, sizeof buf));
    arb_session_free(sb);
    arb_history_close(hb);

    /* the store, opened again, holds all of it */
    assert_int_equal(arb_history_open(eb, where, ARB_HISTORY_READONLY, &hb), ARB_OK);
    assert_int_equal(arb_history_stats(hb, &in), ARB_OK);
    assert_int_equal(in.claims, 4);
    assert_string_equal(hc_ward(hb, "W2", buf, sizeof buf), "W8");
    /* attached to a read-only handle: read-only */
    arb_engine *ec = hc_engine(HC_RULES);
    arb_history *hc = NULL;
    assert_int_equal(arb_history_attach(ec, hb, &hc), ARB_OK);
    arb_history_close(hb);
    assert_int_equal(arb_history_feedback_add(hc, "{\"jr_id\":\"x\"}", 13), ARB_ERR_USAGE);
    assert_int_equal(arb_history_stats(hc, &in), ARB_OK);
    assert_int_equal(in.claims, 4);
    arb_history_close(hc);
    arb_engine_free(ec);
    arb_engine_free(eb);
}

/* The whole text of a file (freed by the caller). */
static inline char *hc_slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static inline void hc_feedback_case(const char *where, const char *out_path) {
    arb_engine *e = hc_engine("");
    arb_history *h;
    if (arb_history_open(e, where, ARB_HISTORY_WRITE, &h) != ARB_OK)
        fail_msg("open %s: %s", where, arb_errmsg(e));
    arb_history_info in;
    assert_int_equal(arb_history_stats(h, &in), ARB_OK);
    assert_int_equal(in.feedback, 0);
    uint64_t n = 99;
    assert_int_equal(arb_history_feedback_export(h, out_path, &n), ARB_OK);
    assert_int_equal(n, 0);
    const char *a1 = "{\"jr_id\":\"J1\",\"dspo_way\":\"1\",\"dspo_way_rea\":\"已核实 ok\","
                     "\"warn_type\":\"1\",\"time\":\"2026-12-06T10:00:00Z\",\"msgid\":\"m1\"}";
    const char *a2 = "{\n  \"jr_id\" : \"J2\",\t\"n\": [1, 2.50, true, null],\n"
                     "  \"s\": \"a \\\" b\\\\ {\"\n}\n";
    const char *a3 = "{\"jr_id\":\"J1\",\"dspo_way\":\"2\"}";
    assert_int_equal(arb_history_feedback_add(h, a1, strlen(a1)), ARB_OK);
    assert_int_equal(arb_history_feedback_add(h, a2, strlen(a2)), ARB_OK);
    assert_int_equal(arb_history_feedback_add(h, a3, strlen(a3)), ARB_OK);
    /* refused: no jr_id, an empty one, not a string, not an object, not
     * JSON, two objects, a raw newline in a string, not UTF-8 */
    static const char *const bad[] = {
        "{\"dspo_way\":\"1\"}",  "{\"jr_id\":\"\"}",     "{\"jr_id\":7}",
        "[\"jr_id\"]",           "{\"jr_id\":\"J3\"",    "not json",
        "{\"jr_id\":\"J3\"} {}", "{\"jr_id\":\"J\n3\"}", "{\"jr_id\":\"\xff\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = arb_history_feedback_add(h, bad[i], strlen(bad[i]));
        if (rc != ARB_ERR_DATA) fail_msg("feedback %s: %d, wanted ARB_ERR_DATA", bad[i], rc);
        assert_true(strlen(arb_errmsg(e)) > 0);
    }
    assert_int_equal(arb_history_feedback_add(h, bad[0], strlen(bad[0])), ARB_ERR_DATA);
    assert_non_null(strstr(arb_errmsg(e), "jr_id"));
    assert_int_equal(arb_history_stats(h, &in), ARB_OK);
    assert_int_equal(in.feedback, 3);
    assert_int_equal(arb_history_feedback_export(h, out_path, &n), ARB_OK);
    assert_int_equal(n, 3);
    char *text = hc_slurp(out_path);
    char want[1024];
    snprintf(want, sizeof want, "%s\n%s\n%s\n", a1,
             "{\"jr_id\":\"J2\",\"n\":[1,2.50,true,null],\"s\":\"a \\\" b\\\\ {\"}", a3);
    assert_string_equal(text, want);
    free(text);
    arb_history_close(h);
    /* kept: a new handle, read-only, sees them; cannot add */
    assert_int_equal(arb_history_open(e, where, ARB_HISTORY_READONLY, &h), ARB_OK);
    assert_int_equal(arb_history_feedback_add(h, a1, strlen(a1)), ARB_ERR_USAGE);
    assert_int_equal(arb_history_stats(h, &in), ARB_OK);
    assert_int_equal(in.feedback, 3);
    /* an export that cannot be written leaves nothing */
    assert_int_equal(arb_history_feedback_export(h, "/nonexistent-dir/x.jsonl", &n), ARB_ERR_IO);
    arb_history_close(h);
    arb_engine_free(e);
}

#endif
