/* test_json_writer.c — the appenders findings are written with
 * (runtime/json_writer): strings byte for byte as scalar_json_quote writes
 * them (escapes, control characters, ill-formed UTF-8; each byte value in
 * every lane of the 8 bytes the writer tests at once), integers and money
 * at their limits, and a whole finding (with and without evidence and
 * other matched rows) against its expected text; strings of every length
 * up to three words with each byte value at each place (the writer tests
 * a short string as one word, a tail as the word that ends it); and
 * findings written with a claim's pieces (jsonw_finding_with) byte for
 * byte as without them, whichever of the finding's fields are the claim's
 * texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_writer.h"
#include "scalar.h"

static void check_str(const char *s, size_t n) {
    char want[512];
    size_t k = scalar_json_quote(s, n, want, sizeof want);
    assert_true(k < sizeof want);
    StrBuf b;
    sb_init(&b, mem_default());
    sb_puts(&b, "x"); /* appends after what is there */
    jsonw_str(&b, s, n);
    assert_int_equal(b.len, k + 1);
    assert_memory_equal(b.p + 1, want, k);
    assert_int_equal(b.p[b.len], 0);
    sb_free(&b);
}

static void test_str_as_scalar_json_quote(void **state) {
    (void)state;
    static const char *const cases[] = {
        "",
        "plain",
        "a\"b\\c",
        "line\nfeed\ttab\rcr",
        "\x01\x08\x0c\x1f\x7f",
        "\xe5\x8c\xbb\xe4\xbf\x9d \xe7\x9b\x91\xe7\xae\xa1",
        "\xc3\xa9\xf0\x9f\x98\x80",
        "bad \x80 lone, \xc0\x80 overlong, \xed\xa0\x80 surrogate, \xe4\xb8 cut",
        "\xff\xfe",
        "\xf4\x90\x80\x80",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) check_str(cases[i], strlen(cases[i]));
    /* a NUL inside the given length is a control character too */
    check_str("a\0b", 3);
    /* every byte value, alone and after a 3-byte character */
    for (int c = 1; c < 256; c++) {
        char s[8] = {(char)c, 0};
        check_str(s, 1);
        char t[8] = {'\xe4', '\xb8', '\xad', (char)c, 'z', 0};
        check_str(t, 5);
    }
    /* every byte value in each of the lanes of the 8 bytes tested at once,
     * in strings of plain text longer than a word */
    for (int c = 0; c < 256; c++) {
        for (size_t at = 0; at < 20; at++) {
            char u[24];
            for (size_t k = 0; k < sizeof u; k++) u[k] = (char)('A' + k % 26);
            u[at] = (char)c;
            check_str(u, sizeof u);
            check_str(u + 1, sizeof u - 1);
        }
    }
}

static void test_str_lengths(void **state) {
    (void)state;
    for (size_t n = 0; n <= 24; n++) {
        char u[32] = {0};
        for (size_t k = 0; k < n; k++) u[k] = (char)('a' + k % 26);
        check_str(u, n);
        for (size_t at = 0; at < n; at++) {
            for (int c = 0; c < 256; c++) {
                u[at] = (char)c;
                check_str(u, n);
            }
            u[at] = (char)('a' + at % 26);
        }
    }
}

/* A finding's rule id u (NUL-terminated, n bytes) written as jsonw_str
 * writes it: the finding's pieces test short strings in line. */
static void check_finding_str(const char *u, size_t n) {
    arb_finding f;
    memset(&f, 0, sizeof f);
    f.claim_id = f.category = f.category_code = f.severity = f.nature = f.message = "";
    f.finding_id = f.category_title = f.tier = f.person_id = f.facility_id = "";
    f.dept = f.doctor = f.settle_date = "";
    f.rule_id = u;
    StrBuf got, want;
    sb_init(&got, mem_default());
    sb_init(&want, mem_default());
    jsonw_finding(&got, &f);
    sb_puts(&want, "{\"claim_id\":\"\",\"rule\":");
    jsonw_str(&want, u, n);
    assert_true(got.len > want.len);
    assert_memory_equal(got.p, want.p, want.len);
    assert_memory_equal(got.p + want.len, ",\"category\":\"\",", 15);
    sb_free(&got);
    sb_free(&want);
}

static void test_finding_str_lengths(void **state) {
    (void)state;
    for (size_t n = 0; n <= 24; n++) {
        char u[32] = {0};
        for (size_t k = 0; k < n; k++) u[k] = (char)('a' + k % 26);
        check_finding_str(u, n);
        for (size_t at = 0; at < n; at++) {
            for (int c = 1; c < 256; c++) {
                u[at] = (char)c;
                check_finding_str(u, n);
            }
            u[at] = (char)('a' + at % 26);
        }
    }
}

static const char *text(StrBuf *b) {
    return b->len ? b->p : "";
}

static void test_numbers(void **state) {
    (void)state;
    static const struct {
        int64_t v;
        const char *i, *m;
    } cases[] = {
        {0, "0", "0.00"},
        {5, "5", "0.05"},
        {-5, "-5", "-0.05"},
        {10, "10", "0.10"},
        {1234, "1234", "12.34"},
        {-100, "-100", "-1.00"},
        {INT64_MAX, "9223372036854775807", "92233720368547758.07"},
        {INT64_MIN, "-9223372036854775808", "-92233720368547758.08"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        StrBuf b;
        sb_init(&b, mem_default());
        jsonw_int(&b, cases[i].v);
        assert_string_equal(text(&b), cases[i].i);
        sb_clear(&b);
        jsonw_money(&b, cases[i].v);
        assert_string_equal(text(&b), cases[i].m);
        sb_free(&b);
    }
}

static void test_finding(void **state) {
    (void)state;
    arb_finding f;
    memset(&f, 0, sizeof f);
    f.claim_id = "C1";
    f.rule_id = "R.1";
    f.category = "CAT";
    f.category_code = "GZ\"1";
    f.severity = "high";
    f.nature = "definite";
    f.points = -3;
    f.line_no = -1;
    f.amount_cents = -1205;
    f.message = "\xe8\x8d\xaf\n";
    f.finding_id = "abc";
    f.category_title = "\xe5\x88\x86";
    f.tier = "policy";
    f.person_id = "P";
    f.facility_id = "H";
    f.dept = "";
    f.doctor = "D";
    f.settle_date = "2025-01-02";
    f.at_risk_cents = 7;
    StrBuf b;
    sb_init(&b, mem_default());
    jsonw_finding(&b, &f);
    assert_string_equal(
        text(&b), "{\"claim_id\":\"C1\",\"rule\":\"R.1\",\"category\":\"CAT\",\"category_code\":"
                  "\"GZ\\\"1\",\"severity\":\"high\",\"nature\":\"definite\",\"points\":-3,"
                  "\"line_no\":null,\"amount\":\"-12.05\",\"message\":\"\xe8\x8d\xaf\\n\","
                  "\"finding_id\":\"abc\",\"category_title\":\"\xe5\x88\x86\",\"tier\":\"policy\","
                  "\"person_id\":\"P\",\"facility_id\":\"H\",\"dept\":\"\",\"doctor\":\"D\","
                  "\"settle_date\":\"2025-01-02\",\"at_risk\":\"0.07\"}\n");
    /* with a line, other matched rows and evidence */
    const char *also[] = {"K2", "K3"};
    arb_evidence ev[] = {{"C0", 86400}, {"C\\9", 0}};
    f.line_no = 12;
    f.points = 2;
    f.nalso_matched = 2;
    f.also_matched = also;
    f.nevidence = 2;
    f.evidence = ev;
    sb_clear(&b);
    jsonw_finding(&b, &f);
    assert_non_null(strstr(text(&b), "\"points\":2,\"line_no\":12,"));
    assert_non_null(strstr(text(&b), "\"message\":\"\xe8\x8d\xaf\\n\",\"also_matched\":[\"K2\","
                                     "\"K3\"],\"evidence\":[{\"claim_id\":\"C0\",\"settle_time\":"
                                     "\"1970-01-02T00:00:00\"},{\"claim_id\":\"C\\\\9\","
                                     "\"settle_time\":\"1970-01-01T00:00:00\"}],\"finding_id\""));
    sb_free(&b);
}

/* jsonw_finding_with against jsonw_finding, for f (fields of c's texts
 * or not, as the caller set them). */
static void same_with(const arb_finding *f, JsonwClaim *c) {
    StrBuf a, b;
    sb_init(&a, mem_default());
    sb_init(&b, mem_default());
    jsonw_finding(&a, f);
    jsonw_finding_with(&b, f, c);
    jsonw_finding_with(&b, f, c); /* the pieces made at the first, used at the second */
    assert_int_equal(b.len, 2 * a.len);
    assert_memory_equal(b.p, a.p, a.len);
    assert_memory_equal(b.p + a.len, a.p, a.len);
    sb_free(&a);
    sb_free(&b);
}

static void test_finding_with(void **state) {
    (void)state;
    static char claim_id[256] = "K\"1", person[700] = "P\xe5\x88\x86", fac[8] = "H\n", dept[8] = "",
                doctor[8] = "D", date[11] = "2025-01-02",
                id[33] = "0123456789abcdef0123456789abcdef";
    arb_finding f;
    memset(&f, 0, sizeof f);
    f.rule_id = "R.1";
    f.category = "CAT";
    f.category_code = "GZ1";
    f.severity = "high";
    f.nature = "definite";
    f.line_no = 3;
    f.amount_cents = 1205;
    f.message = "m";
    f.category_title = "t";
    f.tier = "policy";
    f.at_risk_cents = 7;
    JsonwClaim c;
    /* every field the claim's */
    jsonw_claim_set(&c, claim_id, person, fac, dept, doctor, date, id);
    f.claim_id = claim_id, f.person_id = person, f.facility_id = fac, f.dept = dept;
    f.doctor = doctor, f.settle_date = date, f.finding_id = id;
    same_with(&f, &c);
    /* the pieces are of the texts when they were made: a field that is
     * another text (a line's department, another id) is written as it is */
    char dept2[] = "L\\", id2[] = "x\"y", person2[] = "Q", date2[] = "";
    f.dept = dept2;
    same_with(&f, &c);
    f.dept = dept, f.doctor = dept2;
    same_with(&f, &c);
    f.finding_id = id2, f.person_id = person2, f.settle_date = date2, f.claim_id = "C2";
    same_with(&f, &c);
    f.person_id = person, f.facility_id = "H2";
    same_with(&f, &c);
    /* texts too long to keep a piece of, and the longest claim id */
    memset(person, 'p', sizeof person - 1);
    memset(claim_id, '"', sizeof claim_id - 1);
    jsonw_claim_set(&c, claim_id, person, fac, dept, doctor, date, id);
    f.claim_id = claim_id, f.person_id = person, f.facility_id = fac, f.dept = dept;
    f.doctor = doctor, f.settle_date = date, f.finding_id = id;
    same_with(&f, &c);
    /* jsonw_claim_set forgets the pieces: new texts in the same buffers */
    memcpy(claim_id, "K2", 3);
    memcpy(person, "P2", 3);
    jsonw_claim_set(&c, claim_id, person, fac, dept, doctor, date, id);
    same_with(&f, &c);
    /* no pieces at all */
    same_with(&f, NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_as_scalar_json_quote),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_finding),
        cmocka_unit_test(test_str_lengths),
        cmocka_unit_test(test_finding_str_lengths),
        cmocka_unit_test(test_finding_with),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
