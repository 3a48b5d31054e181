/* test_score.c — tests of testing/score.c, `arbiter score`'s findings
 * scored against the truth of labelled claims.
 *
 * score.c is not in libarbiter (the CLI links it as arbiter_testing), so it
 * is compiled in here, as test_findings_set.c does.
 *
 * What is checked: keys read from JSON Lines (claim_id, line_no or null,
 * category; other fields and nesting ignored; blank lines skipped; sorted,
 * duplicates dropped; categories named once across two files); each kind of
 * malformed line reported with its file, line and column; a missing file;
 * the tally (found, missed, false positives per category, categories in name
 * order); percentages and the minimum recall. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "score.c"

/* Writes text to a new temporary file; its path in buf. */
static void temp_file(char *buf, size_t cap, const char *text) {
    const char *dir = getenv("TMPDIR");
    snprintf(buf, cap, "%s/test_score-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(buf);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
}

/* Reads text as a keys file: SCORE_OK or the error, message in err. */
static int read_text(const char *text, ScoreKeys *ks, ScoreNames *names, char *err, size_t cap) {
    char path[512];
    temp_file(path, sizeof path, text);
    int rc = score_read_keys(path, ks, names, err, cap);
    unlink(path);
    return rc;
}

static void test_read_keys(void **state) {
    (void)state;
    ScoreKeys ks = {0};
    ScoreNames names = {0};
    char err[512];
    assert_int_equal(
        read_text("{\"claim_id\":\"C2\",\"line_no\":3,\"category\":\"B\",\"rule\":\"B.1\"}\n"
                  "\n   \n"
                  "{\"category\":\"A\",\"evidence\":[{\"claim_id\":\"X\"}],\"claim_id\":\"C1\","
                  "\"line_no\":null}\n"
                  "{\"claim_id\":\"C2\",\"line_no\":3,\"category\":\"B\",\"message\":\"again\"}\n"
                  "  {\"claim_id\": \"C1\", \"category\": \"B\"}",
                  &ks, &names, err, sizeof err),
        SCORE_OK);
    assert_int_equal(names.n, 2);
    assert_string_equal(names.v[0], "B");
    assert_string_equal(names.v[1], "A");
    assert_int_equal(ks.n, 3); /* the second C2:3:B is dropped */
    assert_string_equal(ks.v[0].claim, "C1");
    assert_int_equal(ks.v[0].line, -1);
    assert_int_equal(ks.v[0].cat, 0);
    assert_string_equal(ks.v[1].claim, "C1");
    assert_int_equal(ks.v[1].line, -1);
    assert_int_equal(ks.v[1].cat, 1); /* the evidence's claim_id is not the key's */
    assert_string_equal(ks.v[2].claim, "C2");
    assert_int_equal(ks.v[2].line, 3);
    assert_int_equal(ks.v[2].cat, 0);
    score_keys_free(&ks);
    score_names_free(&names);
}

/* The message a malformed line gets (its path replaced by F). */
static void check_error(const char *text, const char *want) {
    ScoreKeys ks = {0};
    ScoreNames names = {0};
    char path[512], err[1024], got[1024];
    temp_file(path, sizeof path, text);
    assert_int_equal(score_read_keys(path, &ks, &names, err, sizeof err), SCORE_ERR_DATA);
    size_t pl = strlen(path);
    assert_memory_equal(err, path, pl);
    snprintf(got, sizeof got, "F%s", err + pl);
    assert_string_equal(got, want);
    unlink(path);
    score_keys_free(&ks);
    score_names_free(&names);
}

static void test_malformed(void **state) {
    (void)state;
    check_error("{\"claim_id\":\"C1\",\"category\":\"A\"}\n  [1]\n",
                "F:2:3: error: not a JSON object\n");
    check_error("{\"category\":\"A\"}\n", "F:1:1: error: no \"claim_id\"\n");
    check_error("{\"claim_id\":\"C\"}\n", "F:1:1: error: no \"category\"\n");
    check_error("{\"claim_id\":7,\"category\":\"A\"}\n", "F:1:13: error: expected a string\n");
    check_error("{\"claim_id\":\"C\",\"category\":null}\n", "F:1:28: error: expected a string\n");
    check_error("{\"claim_id\":\"C\",\"line_no\":-2,\"category\":\"A\"}\n",
                "F:1:27: error: line_no must be a number or null\n");
    check_error("{\"claim_id\":\"C\",\"line_no\":\"x\",\"category\":\"A\"}\n",
                "F:1:27: error: line_no must be a number or null\n");
}

static void test_missing_file(void **state) {
    (void)state;
    ScoreKeys ks = {0};
    ScoreNames names = {0};
    char err[64];
    assert_int_equal(score_read_keys("/nonexistent/truth.jsonl", &ks, &names, err, sizeof err),
                     SCORE_ERR_OPEN);
    assert_int_equal(ks.n, 0);
}

static void test_tally(void **state) {
    (void)state;
    ScoreKeys found = {0}, truth = {0};
    ScoreNames names = {0};
    char err[512];
    /* Z: found on C1:1 and C3 (false), missed on C2:2; A: found on C4:1 */
    assert_int_equal(read_text("{\"claim_id\":\"C1\",\"line_no\":1,\"category\":\"Z\"}\n"
                               "{\"claim_id\":\"C3\",\"line_no\":null,\"category\":\"Z\"}\n"
                               "{\"claim_id\":\"C4\",\"line_no\":1,\"category\":\"A\"}\n"
                               "{\"claim_id\":\"C1\",\"line_no\":2,\"category\":\"Z\"}\n",
                               &found, &names, err, sizeof err),
                     SCORE_OK);
    assert_int_equal(read_text("{\"claim_id\":\"C1\",\"line_no\":1,\"category\":\"Z\"}\n"
                               "{\"claim_id\":\"C2\",\"line_no\":2,\"category\":\"Z\"}\n"
                               "{\"claim_id\":\"C4\",\"line_no\":1,\"category\":\"A\"}\n"
                               "{\"claim_id\":\"C5\",\"line_no\":0,\"category\":\"M\"}\n",
                               &truth, &names, err, sizeof err),
                     SCORE_OK);
    assert_int_equal(names.n, 3); /* Z, A, M */
    ScoreCount counts[3];
    size_t order[3];
    score_tally(&found, &truth, &names, counts, order);
    assert_string_equal(names.v[order[0]], "A");
    assert_string_equal(names.v[order[1]], "M");
    assert_string_equal(names.v[order[2]], "Z");
    const ScoreCount *a = &counts[order[0]], *m = &counts[order[1]], *z = &counts[order[2]];
    assert_int_equal(a->truth, 1);
    assert_int_equal(a->found, 1);
    assert_int_equal(a->false_pos, 0);
    assert_int_equal(m->truth, 1);
    assert_int_equal(m->found, 0);
    assert_int_equal(m->false_pos, 0);
    assert_int_equal(z->truth, 2);
    assert_int_equal(z->found, 1);
    assert_int_equal(z->false_pos, 2); /* C1:2 and C3 */
    assert_true(score_below(z, 600000));
    assert_false(score_below(z, 500000));
    assert_false(score_below(a, 1000000));
    ScoreCount none = {0, 0, 3};
    assert_false(score_below(&none, 1000000)); /* no truth lines: no recall */
    score_keys_free(&found);
    score_keys_free(&truth);
    score_names_free(&names);
}

static void test_pct(void **state) {
    (void)state;
    char b[32];
    score_pct(0, 0, b, sizeof b);
    assert_string_equal(b, "-");
    score_pct(2, 3, b, sizeof b);
    assert_string_equal(b, "66.7%");
    score_pct(1, 3, b, sizeof b);
    assert_string_equal(b, "33.3%");
    score_pct(5, 5, b, sizeof b);
    assert_string_equal(b, "100.0%");
    score_pct(1, 2000, b, sizeof b);
    assert_string_equal(b, "0.1%");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_keys),    cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_missing_file), cmocka_unit_test(test_tally),
        cmocka_unit_test(test_pct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
