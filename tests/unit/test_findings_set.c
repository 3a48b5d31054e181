/* test_findings_set.c — tests of testing/findings_set.c, the findings files
 * behind `arbiter test` and `arbiter diff`.
 *
 * findings_set.c is not in libarbiter (the CLI links it as arbiter_testing),
 * so it is compiled in here (#include "findings_set.c"; the testing directory
 * is on the include path).
 *
 * What is checked: the line parser (every field, string escapes including
 * \uXXXX and surrogate pairs, null line_no, exact money, and each kind of
 * malformed line reported with its line and column); the comparison (order
 * does not matter, duplicates are paired by message then in order, changed
 * amount / message / severity are reported as changes); the report (groups,
 * counts, money, example limits); sorted JSON Lines output (the format of
 * `arbiter check`, read back unchanged); JUnit XML escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "findings_set.c"

/* A finding line in the format `arbiter check` writes. */
static const char *const LINE_A =
    "{\"claim_id\":\"C00000090\",\"rule\":\"PRICE_CEILING.1\",\"category\":\"PRICE_CEILING\","
    "\"category_code\":\"GZ10000102001000\",\"severity\":\"medium\",\"nature\":\"definite\","
    "\"points\":1,\"line_no\":1,\"amount\":\"5.60\",\"message\":\"血细胞分析 "
    "单价25.60元，限价20.00元\"}";

/* Builds a finding line from its varying parts. */
static char *line(const char *claim, const char *rule, const char *line_no, const char *amount,
                  const char *severity, const char *message) {
    static char buf[8][512];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, 512,
             "{\"claim_id\":\"%s\",\"rule\":\"%s\",\"category\":\"%.*s\",\"category_code\":\"X\","
             "\"severity\":\"%s\",\"nature\":\"definite\",\"points\":1,\"line_no\":%s,"
             "\"amount\":\"%s\",\"message\":\"%s\"}",
             claim, rule, (int)strcspn(rule, "."), rule, severity, line_no, amount, message);
    return b;
}

/* Loads newline-separated lines into s; asserts they parse. */
static void load(FindingSet *s, const char *text) {
    char err[256] = "";
    fs_init(s);
    int rc = fs_load_text(s, "t.jsonl", text, strlen(text), err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
}

/* Parses one line; returns 0 or -1 with err and the 1-based column. */
static int parse(const char *text, FsFinding *f, char *err, size_t *col) {
    int rc = fs_parse_line(text, strlen(text), f, col, err, 256);
    *col += 1;
    return rc;
}

/* ------------------------------------------------------------------ parser */

static void test_parse_fields(void **state) {
    (void)state;
    FsFinding f;
    char err[256];
    size_t col;
    assert_int_equal(parse(LINE_A, &f, err, &col), 0);
    assert_string_equal(f.claim_id, "C00000090");
    assert_string_equal(f.rule, "PRICE_CEILING.1");
    assert_string_equal(f.category, "PRICE_CEILING");
    assert_string_equal(f.category_code, "GZ10000102001000");
    assert_string_equal(f.severity, "medium");
    assert_string_equal(f.nature, "definite");
    assert_int_equal(f.points, 1);
    assert_int_equal(f.line_no, 1);
    assert_int_equal(f.amount, 560);
    assert_string_equal(f.message, "血细胞分析 单价25.60元，限价20.00元");
    free(f.store);
}

static void test_parse_escapes(void **state) {
    (void)state;
    FsFinding f;
    char err[256];
    size_t col;
    const char *text = "{\"claim_id\":\"C\\\"1\\\\\",\"rule\":\"R.1\",\"line_no\":null,"
                       "\"amount\":\"0.00\",\"message\":\"a\\nb\\tc\\/d \\u00e9 \\u4E2D "
                       "\\ud83d\\ude00 \\b\\f\\r\"}";
    assert_int_equal(parse(text, &f, err, &col), 0);
    assert_string_equal(f.claim_id, "C\"1\\");
    assert_string_equal(f.message, "a\nb\tc/d \xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80 \b\f\r");
    assert_int_equal(f.line_no, -1); /* null: the claim is flagged */
    assert_string_equal(f.category, "");
    free(f.store);
}

/* "evidence" (the earlier claims of a history finding): checked, kept as
 * written, written back after the message, and part of the content. */
static void test_parse_evidence(void **state) {
    (void)state;
    FsFinding f;
    char err[256];
    size_t col;
    const char *ev = "[{\"claim_id\":\"A1\",\"settle_time\":\"2025-03-05T11:00:00\"},"
                     "{\"claim_id\":\"A\\\"2\",\"settle_time\":\"2025-03-06T11:00:00\"}]";
    char text[512];
    snprintf(text, sizeof text,
             "{\"claim_id\":\"C\",\"rule\":\"R.1\",\"line_no\":null,\"amount\":\"0.00\","
             "\"message\":\"m\",\"evidence\":%s}",
             ev);
    assert_int_equal(parse(text, &f, err, &col), 0);
    assert_string_equal(f.evidence, ev);
    assert_string_equal(f.message, "m");
    FindingSet s, back;
    fs_init(&s);
    assert_int_equal(fs_load_text(&s, "t", text, strlen(text), err, sizeof err), 0);
    FsBuf b;
    fsb_init(&b);
    fs_write_jsonl(&b, &s);
    assert_non_null(strstr(b.p, "\"message\":\"m\",\"evidence\":[{\"claim_id\":\"A1\""));
    load(&back, b.p);
    FsDiff d;
    assert_int_equal(fs_compare(&s, &back, &d), 0);
    assert_int_equal(d.n, 0);
    fs_diff_free(&d);
    /* other evidence: the same finding, changed */
    char *e = strstr(b.p, "A1");
    e[1] = '9';
    fs_free(&back);
    load(&back, b.p);
    assert_int_equal(fs_compare(&s, &back, &d), 0);
    assert_int_equal(d.changed, 1);
    fs_diff_free(&d);
    fsb_free(&b);
    fs_free(&s);
    fs_free(&back);
    free(f.store);
    static const char *const bad[] = {
        "{\"evidence\":{}}",
        "{\"evidence\":[{\"claim_id\":\"A\"}]}",
        "{\"evidence\":[{\"claim_id\":\"A\",\"when\":\"x\"}]}",
        "{\"evidence\":[{\"claim_id\":\"A\",\"settle_time\":\"x\"}",
        "{\"evidence\":[{\"claim_id\":1,\"settle_time\":\"x\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(parse(bad[i], &f, err, &col), -1);
}

static void test_parse_amounts(void **state) {
    (void)state;
    int64_t c;
    assert_int_equal(fs_parse_money("12.50", 5, &c), 0);
    assert_int_equal(c, 1250);
    assert_int_equal(fs_parse_money("12.5", 4, &c), 0);
    assert_int_equal(c, 1250);
    assert_int_equal(fs_parse_money("12", 2, &c), 0);
    assert_int_equal(c, 1200);
    assert_int_equal(fs_parse_money("-3.07", 5, &c), 0);
    assert_int_equal(c, -307);
    assert_int_equal(fs_parse_money("0.10", 4, &c), 0);
    assert_int_equal(c, 10); /* exact: never through floating point */
    assert_int_equal(fs_parse_money("92233720368547758.07", 20, &c), 0);
    assert_true(c == INT64_MAX);
    assert_int_equal(fs_parse_money("92233720368547758.08", 20, &c), -1); /* too large */
    assert_int_equal(fs_parse_money("100000000000000000000", 21, &c), -1);
    const char *bad[] = {"", "-", "1.234", "1.", ".5", "1e3", "12a", "+1", " 1", "1,000.00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(fs_parse_money(bad[i], strlen(bad[i]), &c), -1);
    char m[32];
    fs_money(-5, m, sizeof m);
    assert_string_equal(m, "-0.05");
    fs_money(123456, m, sizeof m);
    assert_string_equal(m, "1234.56");
    fs_money(INT64_MIN, m, sizeof m);
    assert_string_equal(m, "-92233720368547758.08");
    /* sums hold at the int64 range instead of overflowing */
    assert_true(fs_money_add(INT64_MAX, 1) == INT64_MAX);
    assert_true(fs_money_add(INT64_MIN, -1) == INT64_MIN);
    assert_true(fs_money_add(-5, 7) == 2);
    assert_true(fs_money_sub(INT64_MIN, 1) == INT64_MIN);
    assert_true(fs_money_sub(1, INT64_MIN) == INT64_MAX);
    assert_true(fs_money_sub(5, 7) == -2);
    /* a bare number is accepted as well */
    FsFinding f;
    char err[256];
    size_t col;
    assert_int_equal(
        parse("{\"claim_id\":\"C\",\"rule\":\"R\",\"line_no\":0,\"amount\":4.5}", &f, err, &col),
        0);
    assert_int_equal(f.amount, 450);
    assert_int_equal(f.line_no, 0);
    free(f.store);
}

/* Each malformed line gives its reason at the right column. */
static void test_parse_errors(void **state) {
    (void)state;
    static const struct {
        const char *text;
        size_t col;
        const char *reason;
    } cases[] = {
        {"[1]", 1, "'{' expected"},
        {"{\"claim_id\":\"C\",\"rule\":\"R\",\"line_no\":1,\"amount\":\"1.00\"} x", 57,
         "text after"},
        {"{\"claim_id\":\"C\",\"rule\":\"R\",\"line_no\":1}", 1, "missing key \"amount\""},
        {"{\"claim_id\":\"C\",\"claim_id\":\"D\"}", 17, "given twice"},
        {"{\"claim\":\"C\"}", 2, "unknown key \"claim\""},
        {"{\"claim_id\":\"C\" \"rule\":\"R\"}", 17, "',' or '}' expected"},
        {"{\"claim_id\":\"C", 13, "unterminated string"},
        {"{\"claim_id\":\"a\\qb\"}", 15, "unknown escape"},
        {"{\"claim_id\":\"\\u12", 16, "truncated \\u escape"},
        {"{\"claim_id\":\"\\u12G4\"}", 16, "bad \\u escape"},
        {"{\"claim_id\":\"\\udc00\"}", 14, "lone low surrogate"},
        {"{\"claim_id\":\"\\ud800x\"}", 14, "high surrogate not followed"},
        {"{\"claim_id\":\"\\u0000\"}", 14, "\\u0000"},
        {"{\"claim_id\":\"a\tb\"}", 15, "control character"},
        {"{\"line_no\":-2}", 12, "line_no must be"},
        {"{\"line_no\":1.5}", 12, "whole number"},
        {"{\"line_no\":99999999999999999999}", 12, "too large"},
        {"{\"amount\":\"1.005\"}", 11, "amount must be"},
        {"{\"points\":\"1\"}", 11, "number expected"},
        {"{\"message\":12}", 12, "string expected"},
        {"{\"claim_id\",\"C\"}", 12, "':' expected"},
        {"{\"message\":\"x\",}", 16, "string expected"},
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FsFinding f;
        char err[256];
        size_t col;
        int rc = parse(cases[i].text, &f, err, &col);
        if (rc == -1 && col == cases[i].col && strstr(err, cases[i].reason)) continue;
        print_error("case %zu (%s): rc %d, column %zu, \"%s\"\n", i, cases[i].text, rc, col, err);
        wrong++;
    }
    assert_int_equal(wrong, 0);
}

/* A malformed line in a file is reported as NAME:LINE: column C: reason;
 * blank lines count, a BOM and CRLF line ends are accepted. */
static void test_load_reports_line(void **state) {
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "\xEF\xBB\xBF%s\r\n\n  %s\n{\"claim_id\":\"C\",oops}\n", LINE_A,
             LINE_A);
    FindingSet s;
    fs_init(&s);
    char err[256];
    assert_int_equal(fs_load_text(&s, "golden/expected.jsonl", text, strlen(text), err, sizeof err),
                     -1);
    assert_string_equal(err, "golden/expected.jsonl:4: column 17: string expected");
    fs_free(&s);
    /* the same without the bad line: two findings */
    snprintf(text, sizeof text, "%s\r\n\n%s", LINE_A, LINE_A);
    load(&s, text);
    assert_int_equal(s.n, 2);
    fs_free(&s);
    /* the column counts characters, not bytes */
    snprintf(text, sizeof text, "{\"message\":\"一二三\" x}");
    assert_int_equal(fs_load_text(&s, "f", text, strlen(text), err, sizeof err), -1);
    assert_string_equal(err, "f:1: column 18: ',' or '}' expected");
    fs_free(&s);
    /* a missing file */
    assert_int_equal(fs_load(&s, "/nonexistent/expected.jsonl", err, sizeof err), -2);
    assert_non_null(strstr(err, "cannot read /nonexistent/expected.jsonl"));
}

/* -------------------------------------------------------------- comparison */

static void diff_of(const char *expected, const char *actual, FsDiff *d, FindingSet *e,
                    FindingSet *a) {
    load(e, expected);
    load(a, actual);
    assert_int_equal(fs_compare(e, a, d), 0);
}

static void done(FsDiff *d, FindingSet *e, FindingSet *a) {
    fs_diff_free(d);
    fs_free(e);
    fs_free(a);
}

static void test_compare_order_insensitive(void **state) {
    (void)state;
    char ex[2048], ac[2048];
    const char *l1 = line("C1", "R.1", "1", "1.00", "low", "m1");
    const char *l2 = line("C1", "R.2", "null", "0.00", "low", "m2");
    const char *l3 = line("C2", "R.1", "10", "2.00", "low", "m3");
    const char *l4 = line("C2", "R.1", "9", "2.00", "low", "m4");
    snprintf(ex, sizeof ex, "%s\n%s\n%s\n%s\n", l1, l2, l3, l4);
    snprintf(ac, sizeof ac, "%s\n%s\n%s\n%s\n", l4, l2, l1, l3);
    FindingSet e, a;
    FsDiff d;
    diff_of(ex, ac, &d, &e, &a);
    assert_int_equal(d.n, 0);
    /* line 9 sorts before line 10: numbers, not text */
    assert_string_equal(e.items[2].message, "m4");
    done(&d, &e, &a);
}

static void test_compare_duplicates(void **state) {
    (void)state;
    char ex[2048], ac[2048];
    FindingSet e, a;
    FsDiff d;
    /* same key, messages in another order: no difference */
    snprintf(ex, sizeof ex, "%s\n%s\n", line("C1", "R.1", "3", "1.00", "low", "a"),
             line("C1", "R.1", "3", "2.00", "low", "b"));
    snprintf(ac, sizeof ac, "%s\n%s\n", line("C1", "R.1", "3", "2.00", "low", "b"),
             line("C1", "R.1", "3", "1.00", "low", "a"));
    diff_of(ex, ac, &d, &e, &a);
    assert_int_equal(d.n, 0);
    done(&d, &e, &a);
    /* a b -> b c: b pairs with b, then a with c (a changed message) */
    snprintf(ex, sizeof ex, "%s\n%s\n", line("C1", "R.1", "3", "1.00", "low", "a"),
             line("C1", "R.1", "3", "1.00", "low", "b"));
    snprintf(ac, sizeof ac, "%s\n%s\n", line("C1", "R.1", "3", "1.00", "low", "c"),
             line("C1", "R.1", "3", "1.00", "low", "b"));
    diff_of(ex, ac, &d, &e, &a);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.changed, 1);
    assert_string_equal(d.items[0].expected->message, "a");
    assert_string_equal(d.items[0].actual->message, "c");
    done(&d, &e, &a);
    /* the same finding twice, then once: one no longer raised */
    const char *x = line("C1", "R.1", "3", "1.00", "low", "x");
    snprintf(ex, sizeof ex, "%s\n%s\n", x, x);
    snprintf(ac, sizeof ac, "%s\n", x);
    diff_of(ex, ac, &d, &e, &a);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.removed, 1);
    done(&d, &e, &a);
    /* and the other way round: one newly raised */
    diff_of(ac, ex, &d, &e, &a);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.added, 1);
    assert_null(d.items[0].expected);
    done(&d, &e, &a);
}

static void test_compare_changes(void **state) {
    (void)state;
    char ex[4096], ac[4096];
    snprintf(ex, sizeof ex, "%s\n%s\n%s\n%s\n%s\n", line("C1", "A.1", "1", "3.00", "low", "m"),
             line("C2", "A.1", "1", "1.00", "low", "m"), line("C3", "A.1", "1", "1.00", "low", "m"),
             line("C4", "B.1", "2", "1.00", "low", "gone"),
             line("C5", "B.1", "null", "1.00", "low", "same"));
    snprintf(ac, sizeof ac, "%s\n%s\n%s\n%s\n%s\n", line("C1", "A.1", "1", "4.50", "low", "m"),
             line("C2", "A.1", "1", "1.00", "high", "m"),
             line("C3", "A.1", "1", "1.00", "low", "m2"),
             line("C4", "B.1", "3", "7.00", "low", "new"),
             line("C5", "B.1", "null", "1.00", "low", "same"));
    FindingSet e, a;
    FsDiff d;
    diff_of(ex, ac, &d, &e, &a);
    assert_int_equal(d.n, 5);
    assert_int_equal(d.changed, 3);
    assert_int_equal(d.added, 1);   /* C4 line 3 */
    assert_int_equal(d.removed, 1); /* C4 line 2: line_no is part of the identity */
    /* sorted by category, rule, kind, claim */
    assert_int_equal(d.items[0].kind, FS_CHANGED);
    assert_string_equal(d.items[0].actual->claim_id, "C1");
    assert_int_equal(d.items[3].kind, FS_ADDED);
    assert_int_equal(d.items[4].kind, FS_REMOVED);
    FsBuf b;
    fsb_init(&b);
    fs_report(&b, &d, (FsTitle[]){{"A", "类别甲"}}, 1, 10);
    const char *want = "  A (类别甲)  ~3 (+1.50)\n"
                       "    A.1  ~3 changed (+1.50)\n"
                       "      ~ C1 line 1  amount 3.00 -> 4.50\n"
                       "      ~ C2 line 1  severity low -> high\n"
                       "      ~ C3 line 1  message \"m\" -> \"m2\"\n"
                       "  B  +1 (+7.00)  -1 (-1.00)\n"
                       "    B.1  +1 newly raised (+7.00)   -1 no longer raised (-1.00)\n"
                       "      + C4 line 3  7.00  new\n"
                       "      - C4 line 2  1.00  gone\n";
    assert_string_equal(b.p, want);
    fsb_free(&b);
    done(&d, &e, &a);
}

/* At most max_examples example lines per rule, shared among the kinds. */
static void test_report_limits(void **state) {
    (void)state;
    FsBuf ex, ac;
    fsb_init(&ex);
    fsb_init(&ac);
    for (int i = 0; i < 25; i++) {
        char claim[16];
        snprintf(claim, sizeof claim, "C%02d", i);
        fsb_printf(&ac, "%s\n", line(claim, "R.1", "1", "1.00", "low", "new"));
    }
    fsb_printf(&ex, "%s\n", line("D1", "R.1", "null", "0.00", "low", "old"));
    FindingSet e, a;
    FsDiff d;
    diff_of(ex.p, ac.p, &d, &e, &a);
    FsBuf b;
    fsb_init(&b);
    fs_report(&b, &d, NULL, 0, 4);
    const char *want = "  R  +25 (+25.00)  -1 (-0.00)\n"
                       "    R.1  +25 newly raised (+25.00)   -1 no longer raised (-0.00)\n"
                       "      + C00 line 1  1.00  new\n"
                       "      + C01 line 1  1.00  new\n"
                       "      + C02 line 1  1.00  new\n"
                       "      ... and 22 more newly raised\n"
                       "      - D1 claim  0.00  old\n";
    assert_string_equal(b.p, want);
    fsb_free(&b);
    fsb_free(&ex);
    fsb_free(&ac);
    done(&d, &e, &a);
}

/* ------------------------------------------------------------------ output */

/* 1 when needle occurs in the line that starts at p and ends before next. */
static int in_line(const char *p, const char *next, const char *needle) {
    const char *hit = strstr(p, needle);
    return hit && hit < next;
}

static void test_write_sorted(void **state) {
    (void)state;
    char text[4096];
    snprintf(text, sizeof text, "%s\n%s\n%s\n%s\n",
             line("C2", "R.1", "null", "-1.50", "low", "tab\\there \\\"q\\\" \\u0001"), LINE_A,
             line("C1", "R.1", "12", "0.00", "low", "b"),
             line("C1", "R.1", "2", "0.00", "low", "a"));
    FindingSet s, back;
    load(&s, text);
    fs_sort(&s);
    FsBuf b;
    fsb_init(&b);
    fs_write_jsonl(&b, &s);
    /* sorted: claim, rule, line number (12 after 2); LINE_A comes out byte for byte */
    char *l2 = strchr(b.p, '\n') + 1, *l3 = strchr(l2, '\n') + 1, *l4 = strchr(l3, '\n') + 1;
    assert_true(strncmp(b.p, LINE_A, strlen(LINE_A)) == 0 && b.p[strlen(LINE_A)] == '\n');
    assert_true(strncmp(l2, "{\"claim_id\":\"C1\"", 16) == 0);
    assert_true(in_line(l2, l3, "\"line_no\":2,"));
    assert_true(strncmp(l3, "{\"claim_id\":\"C1\"", 16) == 0);
    assert_true(in_line(l3, l4, "\"line_no\":12,"));
    assert_non_null(
        strstr(l4, "\"line_no\":null,\"amount\":\"-1.50\",\"message\":\"tab\\there \\\"q\\\" "
                   "\\u0001\"}\n"));
    load(&back, b.p);
    FsDiff d;
    assert_int_equal(fs_compare(&s, &back, &d), 0);
    assert_int_equal(d.n, 0);
    fs_diff_free(&d);
    fsb_free(&b);
    fs_free(&s);
    fs_free(&back);
}

static void test_junit_escaping(void **state) {
    (void)state;
    FsCase cases[] = {
        {"golden 'a'", "golden", FS_CASE_PASSED, NULL, NULL, 0.5},
        {"golden <b>", "golden", FS_CASE_FAILED, "2 \"differences\"", "x < y & z\n\x01\xff 中", 1},
        {"golden c", NULL, FS_CASE_ERROR, "line1\nline2", NULL, 0},
    };
    FsBuf b;
    fsb_init(&b);
    fs_junit(&b, "arbiter", cases, 3);
    assert_non_null(strstr(b.p,
                           "<testsuite name=\"arbiter\" tests=\"3\" failures=\"1\" errors=\"1\" "
                           "time=\"1.500\">"));
    assert_non_null(strstr(
        b.p, "<testcase name=\"golden &apos;a&apos;\" classname=\"golden\" time=\"0.500\"/>"));
    assert_non_null(strstr(b.p, "<testcase name=\"golden &lt;b&gt;\""));
    assert_non_null(strstr(b.p, "<failure message=\"2 &quot;differences&quot;\">x &lt; y &amp; "
                                "z\n\xEF\xBF\xBD\xEF\xBF\xBD 中</failure>"));
    assert_non_null(strstr(b.p, "classname=\"arbiter\""));
    assert_non_null(strstr(b.p, "<error message=\"line1&#10;line2\"></error>"));
    fsb_free(&b);
    /* invalid UTF-8 of every kind becomes U+FFFD, one per byte */
    fsb_init(&b);
    fs_xml_escape(&b, "\xC0\xAF|\xED\xA0\x80|\xEF\xBF\xBE|\xF4\x90\x80\x80|\xE4\xB8|ok'");
    assert_non_null(strstr(b.p, "|ok'")); /* quotes need no escape in text */
    assert_null(strstr(b.p, "\xC0"));
    assert_null(strstr(b.p, "\xED\xA0"));
    fsb_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_fields),
        cmocka_unit_test(test_parse_escapes),
        cmocka_unit_test(test_parse_evidence),
        cmocka_unit_test(test_parse_amounts),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_load_reports_line),
        cmocka_unit_test(test_compare_order_insensitive),
        cmocka_unit_test(test_compare_duplicates),
        cmocka_unit_test(test_compare_changes),
        cmocka_unit_test(test_report_limits),
        cmocka_unit_test(test_write_sorted),
        cmocka_unit_test(test_junit_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
