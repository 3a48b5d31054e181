/* test_claimset.c — prepared claim sets (api/claimset.c): the findings of
 * arb_claimset_check are arb_check_file's, byte for byte as JSON (rule,
 * claim, line, amounts, messages, ids, at_risk shares), on the golden set
 * (examples/: its rules over the sample CSV claims) and on generated claims
 * under the standard library's history() rules (the set is the history),
 * and on rules the check runs inline (test_quick, and test_flat: claims
 * laid out flat, as thresholds and values change), and in brief
 * (arb_claimset_check_brief, arb_claimset_check_rows) the same findings as
 * numbers, in every phase, whole, in ranges and counted,
 * with the interpreter and the JIT; ranges add up to the whole; a set made
 * for rules compiled since is refused; rejected records are counted and
 * reported by line while the rest is loaded. */
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
#include "arbiter_jit.h"

#define EXAMPLES ARB_TEST_DATA "/../../examples"

typedef struct Text {
    char *p;
    size_t len, cap;
} Text;

/* Appends, growing the buffer by doubling: a realloc per finding copied the
 * whole text each time under ASan (whose realloc always moves), which made
 * this test run for half an hour there. */
static void put(Text *t, const char *s, size_t n) {
    if (t->len + n + 2 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 2) cap *= 2;
        t->p = realloc(t->p, cap);
        assert_non_null(t->p);
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = 0;
}

static void on_finding(void *ud, size_t claim, const arb_finding *f) {
    (void)claim;
    char buf[16384];
    size_t n = arb_finding_json(f, buf, sizeof buf);
    assert_true(n > 0 && n < sizeof buf);
    put(ud, buf, n);
    put(ud, "\n", 1);
}

/* Findings as "claim rule line amount at_risk" lines, from the full
 * findings and from arb_claimset_check_brief. */
typedef struct Briefs {
    const arb_engine *e;
    Text t;
} Briefs;

static void put_row(Text *t, size_t claim, const char *rule, int64_t line, int64_t amount,
                    int64_t risk) {
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%zu %s %lld %lld %lld\n", claim, rule, (long long)line,
                     (long long)amount, (long long)risk);
    put(t, buf, (size_t)n);
}

static void on_full_row(void *ud, size_t claim, const arb_finding *f) {
    Briefs *b = ud;
    put_row(&b->t, claim, f->rule_id, f->line_no, f->amount_cents, f->at_risk_cents);
}

static void on_brief_row(void *ud, const arb_finding_brief *f) {
    Briefs *b = ud;
    put_row(&b->t, f->claim, arb_rule_id(b->e, f->rule), f->line_no, f->amount_cents,
            f->at_risk_cents);
}

static void on_rows_row(void *ud, const arb_finding_brief *r, size_t n) {
    assert_true(n >= 1);
    for (size_t j = 0; j < n; j++) on_brief_row(ud, &r[j]);
}

static Text slurp(const char *path) {
    Text t = {0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) put(&t, buf, n);
    fclose(f);
    if (!t.p) put(&t, "", 0);
    return t;
}

static arb_engine *engine_of(const char *const *files, size_t n) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    for (size_t i = 0; i < n; i++) assert_int_equal(arb_add_file(e, files[i]), ARB_OK);
    assert_int_equal(arb_compile(e), ARB_OK);
    return e;
}

/* check's findings file for claims (in a temporary directory), in phases
 * (0: all). */
static Text check_phase_findings(arb_engine *e, const char *claims, unsigned phases,
                                 arb_batch_stats *st) {
    char dir[] = "/tmp/test_claimset.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f.jsonl", dir);
    arb_batch_options o;
    arb_batch_options_init(&o);
    o.claims_path = claims;
    o.findings_path = path;
    o.phases = phases;
    int rc = arb_check_file(e, &o, st);
    assert_true(rc == ARB_OK || rc == ARB_ERR_DATA);
    Text t = slurp(path);
    unlink(path);
    rmdir(dir);
    return t;
}

static Text check_findings(arb_engine *e, const char *claims, arb_batch_stats *st) {
    return check_phase_findings(e, claims, 0, st);
}

/* The set's findings equal check's, interpreted and (jit) compiled, whole
 * and in two ranges; its totals equal the batch's. */
static void same_as_check(arb_engine *e, const char *claims, int jit) {
    arb_batch_stats bst;
    Text want = check_findings(e, claims, &bst);
    assert_true(bst.findings > 0); /* else the comparison proves nothing */
    arb_claimset *set;
    assert_int_equal(arb_claimset_load(e, claims, NULL, &set), ARB_OK);
    if (jit) {
        arb_jit_options jo;
        arb_jit_options_init(&jo);
        assert_int_equal(arb_use_jit(e, &jo), ARB_OK);
    }
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    for (int round = 0; round < 2; round++) { /* a second check of the same set */
        Text got = {0};
        put(&got, "", 0);
        arb_claimset_stats st;
        assert_int_equal(arb_claimset_check(s, set, 0, on_finding, &got, &st), ARB_OK);
        assert_string_equal(want.p, got.p);
        assert_int_equal(st.findings, bst.findings);
        assert_int_equal(st.audited, bst.audited);
        assert_int_equal(st.claims_flagged, bst.claims_flagged);
        assert_int_equal(st.at_risk_cents, bst.at_risk_cents);
        assert_int_equal(st.at_risk_lines_cents, bst.at_risk_lines_cents);
        free(got.p);
    }
    /* two ranges make the whole; counting only gives the same totals */
    size_t n = arb_claimset_count(set), half = n / 2;
    Text got = {0};
    put(&got, "", 0);
    arb_claimset_stats a, b, c;
    assert_int_equal(arb_claimset_check_range(s, set, 0, half, 0, on_finding, &got, &a), ARB_OK);
    assert_int_equal(arb_claimset_check_range(s, set, half, n + 10, 0, on_finding, &got, &b),
                     ARB_OK);
    assert_string_equal(want.p, got.p);
    assert_int_equal(a.findings + b.findings, bst.findings);
    assert_int_equal(arb_claimset_check(s, set, 0, NULL, NULL, &c), ARB_OK);
    assert_int_equal(c.findings, bst.findings);
    assert_int_equal(c.at_risk_lines_cents, bst.at_risk_lines_cents);
    free(got.p);
    /* in brief: the same findings, rows of numbers */
    Briefs full = {e, {0}}, brief = {e, {0}};
    put(&full.t, "", 0);
    put(&brief.t, "", 0);
    assert_int_equal(arb_claimset_check(s, set, 0, on_full_row, &full, NULL), ARB_OK);
    assert_int_equal(arb_claimset_check_brief(s, set, 0, n, 0, on_brief_row, &brief, &c), ARB_OK);
    assert_true(full.t.len > 0);
    assert_string_equal(full.t.p, brief.t.p);
    assert_int_equal(c.findings, bst.findings);
    free(full.t.p);
    free(brief.t.p);
    arb_session_free(s);
    arb_claimset_free(set);
    free(want.p);
}

/* a and b count the same. */
static void same_stats(const arb_claimset_stats *a, const arb_claimset_stats *b) {
    assert_int_equal(a->claims, b->claims);
    assert_int_equal(a->audited, b->audited);
    assert_int_equal(a->reversals, b->reversals);
    assert_int_equal(a->findings, b->findings);
    assert_int_equal(a->claims_flagged, b->claims_flagged);
    assert_int_equal(a->rule_errors, b->rule_errors);
    assert_int_equal(a->rules_run, b->rules_run);
    assert_int_equal(a->at_risk_cents, b->at_risk_cents);
    assert_int_equal(a->at_risk_lines_cents, b->at_risk_lines_cents);
    assert_int_equal(a->totals_overflowed, b->totals_overflowed);
}

/* In phases (0: all): the findings in brief — whole, a buffer at a time
 * (arb_claimset_check_rows), in three ranges, and counted only — are the
 * full findings (arb_claimset_check, held to check's by same_as_check and
 * test_quick) as numbers, with the same totals, which are check's. */
static void same_in_brief(arb_engine *e, const char *claims, unsigned phases) {
    arb_batch_stats bst;
    Text want = check_phase_findings(e, claims, phases, &bst);
    free(want.p);
    arb_claimset *set;
    assert_int_equal(arb_claimset_load(e, claims, NULL, &set), ARB_OK);
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    size_t n = arb_claimset_count(set);
    Briefs full = {e, {0}}, brief = {e, {0}}, rows = {e, {0}}, parts = {e, {0}};
    put(&full.t, "", 0);
    put(&brief.t, "", 0);
    put(&rows.t, "", 0);
    put(&parts.t, "", 0);
    arb_claimset_stats sf, sb, sr, sc, p1, p2, p3;
    assert_int_equal(arb_claimset_check(s, set, phases, on_full_row, &full, &sf), ARB_OK);
    assert_true(full.t.len > 0); /* else the comparison proves nothing */
    assert_int_equal(sf.findings, bst.findings);
    assert_int_equal(sf.audited, bst.audited);
    assert_int_equal(sf.claims_flagged, bst.claims_flagged);
    assert_int_equal(sf.at_risk_cents, bst.at_risk_cents);
    assert_int_equal(sf.at_risk_lines_cents, bst.at_risk_lines_cents);
    assert_int_equal(arb_claimset_check_brief(s, set, 0, n, phases, on_brief_row, &brief, &sb),
                     ARB_OK);
    assert_string_equal(full.t.p, brief.t.p);
    same_stats(&sf, &sb);
    assert_int_equal(arb_claimset_check_rows(s, set, 0, n, phases, on_rows_row, &rows, &sr),
                     ARB_OK);
    assert_string_equal(full.t.p, rows.t.p);
    same_stats(&sf, &sr);
    assert_int_equal(arb_claimset_check_rows(s, set, 0, n, phases, NULL, NULL, &sc), ARB_OK);
    same_stats(&sf, &sc);
    assert_int_equal(arb_claimset_check_brief(s, set, 0, n, phases, NULL, NULL, &sc), ARB_OK);
    same_stats(&sf, &sc);
    /* ranges that start and end anywhere */
    size_t a = n / 3 + 1, b = 2 * n / 3 + 1;
    assert_int_equal(arb_claimset_check_rows(s, set, 0, a, phases, on_rows_row, &parts, &p1),
                     ARB_OK);
    assert_int_equal(arb_claimset_check_brief(s, set, a, b, phases, on_brief_row, &parts, &p2),
                     ARB_OK);
    assert_int_equal(arb_claimset_check_rows(s, set, b, n + 5, phases, on_rows_row, &parts, &p3),
                     ARB_OK);
    assert_string_equal(full.t.p, parts.t.p);
    assert_int_equal(p1.claims + p2.claims + p3.claims, sf.claims);
    assert_int_equal(p1.audited + p2.audited + p3.audited, sf.audited);
    assert_int_equal(p1.findings + p2.findings + p3.findings, sf.findings);
    assert_int_equal(p1.claims_flagged + p2.claims_flagged + p3.claims_flagged, sf.claims_flagged);
    assert_int_equal(p1.rules_run + p2.rules_run + p3.rules_run, sf.rules_run);
    assert_int_equal(p1.at_risk_lines_cents + p2.at_risk_lines_cents + p3.at_risk_lines_cents,
                     sf.at_risk_lines_cents);
    free(full.t.p);
    free(brief.t.p);
    free(rows.t.p);
    free(parts.t.p);
    arb_session_free(s);
    arb_claimset_free(set);
}

static const char *const example_rules[] = {
    EXAMPLES "/rules/age.rules",       EXAMPLES "/rules/charges.rules",
    EXAMPLES "/rules/coherence.rules", EXAMPLES "/rules/facility.rules",
    EXAMPLES "/rules/insurance.rules", EXAMPLES "/rules/item_sex.rules",
};

static void test_golden(void **state) {
    (void)state;
    arb_engine *e = engine_of(example_rules, 6);
    same_as_check(e, EXAMPLES "/claims/claims.csv", 0);
    /* and the checked-in expected findings */
    arb_claimset *set;
    assert_int_equal(arb_claimset_load(e, EXAMPLES "/claims/claims.csv", NULL, &set), ARB_OK);
    arb_claimset_info info;
    arb_claimset_get_info(set, &info);
    assert_int_equal(info.claims, 1000);
    assert_int_equal(info.rejected, 0);
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    Text got = {0};
    put(&got, "", 0);
    assert_int_equal(arb_claimset_check(s, set, 0, on_finding, &got, NULL), ARB_OK);
    Text want = slurp(EXAMPLES "/expected_findings.jsonl");
    assert_string_equal(want.p, got.p);
    free(want.p);
    free(got.p);
    /* rules compiled again: the set is refused, not read */
    assert_int_equal(arb_compile(e), ARB_OK);
    arb_session_free(s);
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    assert_int_equal(arb_claimset_check(s, set, 0, NULL, NULL, NULL), ARB_ERR_USAGE);
    assert_non_null(strstr(arb_session_errmsg(s), "load it again"));
    arb_session_free(s);
    arb_claimset_free(set);
    arb_engine_free(e);
}

static void test_golden_jit(void **state) {
    (void)state;
    arb_engine *e = engine_of(example_rules, 6);
    same_as_check(e, EXAMPLES "/claims/claims.csv", 1);
    arb_engine_free(e);
}

/* Generated claims of few persons under the standard library, whose rules
 * call history(): the set is the history. */
static void history_claims(const char *path) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 400; i++) {
        int person = i % 23, day = 1 + (i * 7) % 27, month = 1 + (i / 40) % 12;
        fprintf(f,
                "{\"claim_id\":\"C%04d\",\"person_id\":\"P%02d\",\"care_type\":\"%s\","
                "\"sex\":\"%s\",\"birth_date\":\"19%02d-03-04\",\"facility_id\":\"H1\","
                "\"facility_level\":%d,\"admit_time\":\"2025-%02d-%02dT08:00:00\","
                "\"discharge_time\":\"2025-%02d-%02dT10:00:00\","
                "\"settle_time\":\"2025-%02d-%02dT12:00:00\",\"total_amount\":\"%d.00\","
                "\"lines\":[{\"line_no\":1,\"item_code\":\"%s\",\"item_name\":\"x\","
                "\"quantity\":%d,\"unit_price\":\"12.50\",\"amount\":\"%d.00\","
                "\"time\":\"2025-%02d-%02dT09:00:00\"}]}\n",
                i, person, i % 3 ? "inpatient" : "outpatient", i % 2 ? "M" : "F", 30 + i % 60,
                1 + i % 3, month, day, month, day + (i % 2), month, day + (i % 2), 100 + i,
                i % 4 ? "001201000030000" : "XJ01CAA797E001010105925", 1 + i % 9, 50 + i % 40,
                month, day);
    }
    fclose(f);
}

static void test_history(void **state) {
    (void)state;
    char dir[] = "/tmp/test_claimset.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/h.jsonl", dir);
    history_claims(path);
    /* the standard library: compiled from its directory's files */
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s/*.rules", ARB_STDLIB_DIR);
    FILE *ls = popen(cmd, "r");
    assert_non_null(ls);
    char line[1024];
    while (fgets(line, sizeof line, ls)) {
        line[strcspn(line, "\n")] = 0;
        if (!strstr(line, "/schema.rules")) assert_int_equal(arb_add_file(e, line), ARB_OK);
    }
    pclose(ls);
    assert_int_equal(arb_compile(e), ARB_OK);
    arb_claimset *set;
    assert_int_equal(arb_claimset_load(e, path, NULL, &set), ARB_OK);
    arb_claimset_info info;
    arb_claimset_get_info(set, &info);
    assert_int_equal(info.history, 1);
    assert_int_equal(info.claims, 400);
    arb_claimset_free(set);
    same_as_check(e, path, 0);
    same_as_check(e, path, 1);
    arb_engine_free(e);
    unlink(path);
    rmdir(dir);
}

/* Claims of one or two lines billing quick.rules' codes: ages at each
 * rule's bound, missing fields (a missing amount is 0), amounts above the
 * line's and the claim's. */
static void quick_claims(const char *path) {
    static const char *const codes[] = {
        "001102000050000", "001201000040000", "001109000010300",         "C0302098414637203751",
        "003107010280000", "001204000060000", "XB05XAL416B001010103172", "002504030160000"};
    static const int ages[] = {0, 1, 13, 14, 17, 18, 39, 40, 59, 60, 70};
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 600; i++) {
        char lines[1024], level[32] = "", supply[32] = "", price[32] = "";
        if (i % 5) snprintf(level, sizeof level, "\"facility_level\":%d,", 1 + i % 3);
        if (i % 3 == 0) snprintf(supply, sizeof supply, "\"days_supply\":%d,", 5 + i % 4);
        if (i % 6 != 5) snprintf(price, sizeof price, "\"unit_price\":\"%d.00\",", 10 + i % 50);
        int n = snprintf(lines, sizeof lines,
                         "{\"line_no\":1,\"item_code\":\"%s\",\"item_name\":\"x\",%s"
                         "\"quantity\":%d,%s\"amount\":\"%d.00\","
                         "\"time\":\"2025-05-06T09:00:00\"}",
                         codes[i % 8], supply, i % 4, price, 20 + i % 30);
        if (i % 7 == 0)
            snprintf(lines + n, sizeof lines - (size_t)n,
                     ",{\"line_no\":2,\"item_code\":\"%s\",\"item_name\":\"y\","
                     "\"quantity\":%d,\"unit_price\":\"3.00\",\"amount\":\"%d.00\","
                     "\"time\":\"2025-05-06T10:00:00\"}",
                     codes[(i / 8 + 3) % 8], 1 + i % 3, 5 + i % 60);
        fprintf(f,
                "{\"claim_id\":\"Q%04d\",\"person_id\":\"P%03d\",\"care_type\":\"outpatient\","
                "\"sex\":\"F\",\"birth_date\":\"%d-05-06\",\"facility_id\":\"H1\",%s"
                "\"admit_time\":\"2025-05-06T08:00:00\",\"settle_time\":\"2025-05-06T12:00:00\","
                "\"total_amount\":\"%d.00\",\"fund_amount\":\"%d.00\",\"lines\":[%s]}\n",
                i, i % 97, 2025 - ages[i % 11], level, i % 4 ? 200 : 15, 5 + i % 90, lines);
    }
    fclose(f);
}

/* Rules the check runs inline (Quick in api/claimset.c: one integer test,
 * `flag line`, no message), of every test and on claim and line fields,
 * with a few others beside them, over claims of many lines: the findings
 * are check's, in every phase and each phase alone. */
static void test_quick(void **state) {
    (void)state;
    static const char *const rules[] = {ARB_TEST_DATA "/claimset/quick.rules"};
    const char *claims = EXAMPLES "/claims/claims.csv";
    arb_engine *e = engine_of(rules, 1);
    same_as_check(e, claims, 0);
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    arb_claimset *set;
    assert_int_equal(arb_claimset_load(e, claims, NULL, &set), ARB_OK);
    const unsigned phases[] = {ARB_PHASE_PRE, ARB_PHASE_SETTLE, ARB_PHASE_POST};
    for (int k = 0; k < 3; k++) {
        arb_batch_stats bst;
        Text want = check_phase_findings(e, claims, phases[k], &bst);
        assert_true(bst.findings > 0);
        Text got = {0};
        put(&got, "", 0);
        arb_claimset_stats st;
        assert_int_equal(arb_claimset_check(s, set, phases[k], on_finding, &got, &st), ARB_OK);
        assert_string_equal(want.p, got.p);
        assert_int_equal(st.findings, bst.findings);
        assert_int_equal(st.at_risk_cents, bst.at_risk_cents);
        assert_int_equal(st.at_risk_lines_cents, bst.at_risk_lines_cents);
        free(want.p);
        free(got.p);
        same_in_brief(e, claims, phases[k]);
    }
    arb_claimset_free(set);
    arb_session_free(s);
    arb_engine_free(e);
    e = engine_of(rules, 1);
    same_as_check(e, claims, 1);
    arb_engine_free(e);
    char dir[] = "/tmp/test_claimset.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/q.jsonl", dir);
    quick_claims(path);
    e = engine_of(rules, 1);
    same_as_check(e, path, 0);
    for (int k = 0; k < 3; k++) same_in_brief(e, path, phases[k]);
    arb_engine_free(e);
    unlink(path);
    rmdir(dir);
}

/* Claims for flat.rules (written by flat_rules): mostly one line, some
 * with a code no rule lists, some of two lines, reversal records, missing
 * ages, quantities, amounts and claim totals, amounts above the claim's;
 * ages and quantities at each rule's bound, moved by shift. */
static void flat_claims(const char *path, int shift) {
    static const char *const codes[] = {"F-A", "F-B", "F-C", "F-AB", "F-none"};
    static const int ages[] = {0, 1, 13, 14, 17, 18, 39, 40, 64, 65, 66, 80};
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 900; i++) {
        char lines[1024], birth[64] = "", qty[32] = "", amount[32] = "", total[32] = "";
        char rev[64] = "";
        if (i % 17 != 3)
            snprintf(birth, sizeof birth, "\"birth_date\":\"%d-05-06\",",
                     2025 - ages[(i + shift) % 12]);
        if (i % 13 != 5) snprintf(qty, sizeof qty, "\"quantity\":%d,", (i + shift) % 5);
        if (i % 11 != 7) snprintf(amount, sizeof amount, "\"amount\":\"%d.00\",", 5 + i % 70);
        if (i % 19 != 2)
            snprintf(total, sizeof total, "\"total_amount\":\"%d.00\",", i % 5 ? 300 : 12);
        if (i % 41 == 40) snprintf(rev, sizeof rev, "\"reversal_of\":\"C%04d\",", i - 3);
        int n = snprintf(lines, sizeof lines,
                         "{\"line_no\":%d,\"item_code\":\"%s\",\"item_name\":\"x\",%s%s"
                         "\"time\":\"2025-05-06T09:00:00\"}",
                         1 + i % 3, codes[(i / 2) % 5], qty, amount);
        if (i % 9 == 0)
            snprintf(lines + n, sizeof lines - (size_t)n,
                     ",{\"line_no\":7,\"item_code\":\"%s\",\"item_name\":\"y\","
                     "\"quantity\":%d,\"amount\":\"%d.00\",\"time\":\"2025-05-06T10:00:00\"}",
                     codes[(i / 9) % 4], i % 4, 3 + i % 40);
        fprintf(f,
                "{\"claim_id\":\"C%04d\",\"person_id\":\"P%03d\",\"care_type\":\"outpatient\","
                "\"sex\":\"F\",%s\"facility_id\":\"H1\",\"facility_level\":%d,%s"
                "\"admit_time\":\"2025-05-06T08:00:00\",\"settle_time\":\"2025-05-06T12:00:00\","
                "%s\"lines\":[%s]}\n",
                i, i % 97, birth, 1 + (i + shift) % 3, rev, total, lines);
    }
    fclose(f);
}

/* Rules of the quick shape only, every test on claim and line fields,
 * with thresholds t[0..5], some in one phase. */
static void flat_rules(const char *path, const int t[6]) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "category F \"flat\" { code \"F\" severity high }\n"
            "rule F.1 in F for line in claim.lines when line.item_code in {\"F-A\", \"F-AB\"} "
            "and claim.age >= %d flag line\n"
            "rule F.2 in F for line in claim.lines when line.item_code in {\"F-A\"} "
            "and claim.age < %d flag line\n"
            "rule F.3 in F for line in claim.lines when line.item_code in {\"F-B\", \"F-AB\"} "
            "and line.quantity > %d flag line\n"
            "rule F.4 in F for line in claim.lines when line.item_code in {\"F-B\"} "
            "and claim.facility_level != %d flag line\n"
            "rule F.5 in F for line in claim.lines when line.item_code in {\"F-A\", \"F-C\"} "
            "and claim.age == %d flag line\n"
            "rule F.6 in F for line in claim.lines when line.item_code in {\"F-C\", \"F-AB\"} "
            "and line.quantity <= %d flag line\n"
            "rule F.7 in F phase pre for line in claim.lines when line.item_code in {\"F-A\"} "
            "and claim.age >= 0 flag line\n"
            "rule F.8 in F phase settle post for line in claim.lines "
            "when line.item_code in {\"F-AB\", \"F-C\"} and line.quantity >= 1 flag line\n",
            t[0], t[1], t[2], t[3], t[4], t[5]);
    fclose(f);
}

/* Rules all of the quick shape, claims of one line mostly (the set lays
 * them out flat: Flat in api/claimset.c): whole, in ranges, in brief, a
 * buffer at a time and counted, in every phase and each alone, they are
 * check's findings; and again after the thresholds and the claims'
 * values change, interpreted and with the JIT. */
static void test_flat(void **state) {
    (void)state;
    static const int thresholds[][6] = {{18, 14, 1, 3, 40, 2}, {65, 1, 3, 1, 0, 0}};
    const unsigned phases[] = {0, ARB_PHASE_PRE, ARB_PHASE_SETTLE, ARB_PHASE_POST};
    char dir[] = "/tmp/test_claimset.XXXXXX", rules[64], claims[64];
    assert_non_null(mkdtemp(dir));
    snprintf(rules, sizeof rules, "%s/flat.rules", dir);
    snprintf(claims, sizeof claims, "%s/f.jsonl", dir);
    const char *files[] = {rules};
    for (int v = 0; v < 2; v++) {
        flat_rules(rules, thresholds[v]);
        for (int shift = 0; shift < 2; shift++) {
            flat_claims(claims, shift * 5);
            arb_engine *e = engine_of(files, 1);
            same_as_check(e, claims, 0);
            for (int k = 0; k < 4; k++) same_in_brief(e, claims, phases[k]);
            arb_engine_free(e);
        }
    }
    arb_engine *e = engine_of(files, 1);
    same_as_check(e, claims, 1);
    arb_engine_free(e);
    unlink(rules);
    unlink(claims);
    rmdir(dir);
}

/* A claim whose one line has more quick rules than a check's block of
 * Flats holds (FLAT_ROWS, 256): checked in brief it must still be checked
 * (it once looped for ever), with the findings of check; and a reversal
 * among such claims. */
static void test_flat_many_rules(void **state) {
    (void)state;
    char dir[] = "/tmp/test_claimset.XXXXXX", rules[64], claims[64];
    assert_non_null(mkdtemp(dir));
    snprintf(rules, sizeof rules, "%s/many.rules", dir);
    snprintf(claims, sizeof claims, "%s/m.jsonl", dir);
    FILE *f = fopen(rules, "w");
    assert_non_null(f);
    fprintf(f, "category F \"flat\" { code \"F\" severity high }\n");
    for (int k = 1; k <= 300; k++)
        fprintf(f,
                "rule F.%d in F for line in claim.lines when line.item_code in {\"F-A\"} and "
                "claim.age >= %d flag line\n",
                k, k % 3 ? 0 : 200);
    fclose(f);
    f = fopen(claims, "w");
    assert_non_null(f);
    for (int c = 0; c < 4; c++)
        fprintf(f,
                "{\"claim_id\":\"C%d\",\"person_id\":\"P%d\",\"care_type\":\"outpatient\","
                "\"sex\":\"F\",\"birth_date\":\"1990-05-06\",\"facility_id\":\"H1\","
                "\"facility_level\":1,\"admit_time\":\"2025-05-06T08:00:00\","
                "\"settle_time\":\"2025-05-06T12:00:00\",\"total_amount\":\"300.00\",%s"
                "\"lines\":[{\"line_no\":1,\"item_code\":\"F-A\",\"item_name\":\"x\","
                "\"quantity\":1,\"amount\":\"10.00\",\"time\":\"2025-05-06T09:00:00\"}]}\n",
                c, c, c == 2 ? "\"reversal_of\":\"C9\"," : "");
    fclose(f);
    const char *files[] = {rules};
    arb_engine *e = engine_of(files, 1);
    same_as_check(e, claims, 0);
    same_in_brief(e, claims, 0);
    arb_engine_free(e);
    unlink(rules);
    unlink(claims);
    rmdir(dir);
}

typedef struct Rejects {
    int n;
    uint64_t line;
    char msg[256];
} Rejects;

static void on_reject(void *ud, const arb_reject *r) {
    Rejects *x = ud;
    x->n++;
    x->line = r->line;
    snprintf(x->msg, sizeof x->msg, "%s", r->message);
}

static void test_rejects(void **state) {
    (void)state;
    char dir[] = "/tmp/test_claimset.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    const char *ok = "\"person_id\":\"P\",\"care_type\":\"outpatient\",\"lines\":[]}\n";
    fprintf(f, "{\"claim_id\":\"A\",%s\n{\"claim_id\": 12\n{\"claim_id\":\"B\",%s", ok, ok);
    fclose(f);
    arb_engine *e = engine_of(example_rules, 6);
    arb_claimset_options o;
    arb_claimset_options_init(&o);
    Rejects r = {0};
    o.on_reject = on_reject;
    o.ud = &r;
    arb_claimset *set = NULL;
    assert_int_equal(arb_claimset_load(e, path, &o, &set), ARB_ERR_DATA);
    assert_non_null(set);
    assert_int_equal(arb_claimset_count(set), 2);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.line, 3);
    assert_non_null(strstr(r.msg, "column"));
    assert_non_null(strstr(arb_errmsg(e), "1 record rejected"));
    arb_claimset_free(set);
    /* a file that cannot be read is an error without a set */
    assert_int_equal(arb_claimset_load(e, "/nonexistent/x.jsonl", NULL, &set), ARB_ERR_DATA);
    assert_null(set);
    arb_engine_free(e);
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),  cmocka_unit_test(test_golden_jit),
        cmocka_unit_test(test_history), cmocka_unit_test(test_quick),
        cmocka_unit_test(test_flat),    cmocka_unit_test(test_flat_many_rules),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
