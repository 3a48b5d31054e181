/* test_json_reader.c — the schema-directed JSON claim reader: every type,
 * missing and null values, nested lists, escapes, unknown keys, and the
 * errors (with their offsets) for malformed records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_reader.h"
#include "scalar.h"

static EnumType sex = {"sex", 3, (const char *[]){"M", "F", "U"},
                       (const char *[]){"男", "女", "未知"}};
static Field line_fields[] = {
    {"line_no", 7, {TY_INT, 0, NULL, NULL, NULL}, 1, 1, 0, 0, -1, 0},
    {"item_code", 9, {TY_CODE, 0, NULL, NULL, NULL}, 1, 0, 0, 0, -1, 0},
    {"amount", 6, {TY_MONEY, 0, NULL, NULL, NULL}, 0, 0, 1, 0, -1, 0},
    {"name", 4, {TY_TEXT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0},
};
static RecordType line_rt = {"line", 4, line_fields, 0, 2, -1};
static Field claim_fields[] = {
    {"claim_id", 8, {TY_CODE, 0, NULL, NULL, NULL}, 1, 1, 0, 0, -1, 0},
    {"sex", 3, {TY_ENUM, 0, &sex, NULL, NULL}, 0, 0, 0, 0, -1, 0},
    {"birth", 5, {TY_DATE, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0},
    {"settle", 6, {TY_DATETIME, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0},
    {"level", 5, {TY_INT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0},
    {"total", 5, {TY_MONEY, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0},
    {"urgent", 6, {TY_BOOL, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0},
    {"lines", 5, {TY_LIST, 0, NULL, &line_rt, NULL}, 0, 0, 0, 0, -1, 0},
    {"age", 3, {TY_INT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, 0, 0}, /* derived */
};
static RecordType claim_rt = {"claim", 9, claim_fields, 0, 5, 3};

typedef struct Ctx {
    JsonReader *r;
    Arena ar;
    char err[256];
    size_t off;
} Ctx;

static int setup(void **state) {
    Ctx *c = calloc(1, sizeof *c);
    c->r = jsonr_new(&claim_rt, mem_default());
    arena_init(&c->ar, mem_default(), 4096);
    *state = c;
    return c->r ? 0 : -1;
}

static int teardown(void **state) {
    Ctx *c = *state;
    jsonr_free(c->r);
    arena_free(&c->ar);
    free(c);
    return 0;
}

static const Value *parse(Ctx *c, const char *json) {
    const Value *v = NULL;
    c->err[0] = 0;
    if (jsonr_parse(c->r, json, strlen(json), &c->ar, &v, c->err, sizeof c->err, &c->off) != 0)
        return NULL;
    return v;
}

static void test_all_types(void **state) {
    Ctx *c = *state;
    const Value *v = parse(c, " {\"claim_id\":\"C1\",\"sex\":\"F\",\"birth\":\"1990-02-28\","
                              "\"settle\":\"2025-03-01T08:30:15\","
                              "\"level\":3,\"total\":\"1234.50\",\"urgent\":true,\"age\":99,"
                              "\"lines\":[{\"line_no\":1,\"item_code\":\"A\",\"amount\":12.5},"
                              "{\"line_no\":\"2\",\"item_code\":12345,\"amount\":\"0.07\",\"name\":"
                              "\"\\u786c\\ud83d\\ude00\\n\"}]} ");
    if (!v) fail_msg("%s", c->err);
    assert_string_equal(v[0].s->data, "C1");
    assert_int_equal(v[1].i, 1);
    assert_int_equal(v[2].i, days_from_civil(1990, 2, 28));
    assert_int_equal(v[3].i, days_from_civil(2025, 3, 1) * 86400 + 8 * 3600 + 30 * 60 + 15);
    assert_int_equal(v[4].i, 3);
    assert_int_equal(v[5].i, 123450);
    assert_int_equal(v[6].i, 1);
    assert_int_equal(v[8].i, ARB_NULL); /* derived: never read */
    const ArbList *l = v[7].l;
    assert_int_equal(l->n, 2);
    assert_int_equal(l->width, 4);
    assert_int_equal(list_item(l, 0)[2].i, 1250);
    assert_int_equal(list_item(l, 1)[0].i, 2);
    assert_string_equal(list_item(l, 1)[1].s->data, "12345");
    assert_int_equal(list_item(l, 1)[2].i, 7);
    assert_string_equal(list_item(l, 1)[3].s->data, "硬\xF0\x9F\x98\x80\n");
    assert_null(list_item(l, 0)[3].s);
}

static void test_missing_null_unknown(void **state) {
    Ctx *c = *state;
    const Value *v = parse(c, "{\"x\":{\"deep\":[1,{\"a\":null},\"s\\\"}\"]},\"claim_id\":\"C2\","
                              "\"sex\":null,\"lines\":[],\"zzz\":-1.5e3}");
    if (!v) fail_msg("%s", c->err);
    assert_int_equal(v[1].i, ARB_NULL);
    assert_int_equal(v[2].i, ARB_NULL);
    assert_int_equal(v[3].i, ARB_NULL);
    assert_int_equal(v[7].l->n, 0);
}

/* Each bad record: the message and where it points. */
static void expect_error(Ctx *c, const char *json, const char *msg, size_t off) {
    const Value *v = parse(c, json);
    if (v) fail_msg("accepted: %s", json);
    if (!strstr(c->err, msg)) fail_msg("message '%s' lacks '%s'", c->err, msg);
    if (c->off != off) fail_msg("'%s' at %zu, wanted %zu", c->err, c->off, off);
}

static void test_errors(void **state) {
    Ctx *c = *state;
    expect_error(c, "{\"claim_id\":\"C\",\"level\":\"x3\"}", "field 'level': expected an integer",
                 24);
    expect_error(c, "{\"sex\":\"F\"}", "missing required field 'claim_id'", 0);
    expect_error(c, "{\"claim_id\":\"C\",\"sex\":\"X\"}", "field 'sex': 'X' is not one of M, F, U",
                 22);
    expect_error(c, "{\"claim_id\":\"C\",\"total\":1.234}", "at most 2 decimals", 24);
    expect_error(c, "{\"claim_id\":\"C\",\"lines\":[{\"line_no\":1}]}",
                 "lines[1]: missing required field 'item_code'", 25);
    expect_error(c, "{\"claim_id\":\"C\",\"birth\":\"2025-02-30\"}", "not a valid date", 24);
    expect_error(c, "{\"claim_id\":\"C\",\"level\":3", "unexpected end of input", 25);
    expect_error(c, "{\"claim_id\":\"C\"} x", "text after the end", 17);
    expect_error(c, "{\"claim_id\" \"C\"}", "expected ':'", 12);
    expect_error(c, "{\"claim_id\":\"C\",\"lines\":{}}", "field 'lines': expected an array", 24);
    expect_error(c, "{\"claim_id\":\"a\\qb\"}", "invalid escape", 14);
    expect_error(c, "{\"claim_id\":\"\\ud800x\"}", "unpaired surrogate", 13);
    expect_error(c, "[1]", "a claim is a JSON object", 0);
    expect_error(c, "{\"claim_id\":\"C\",\"level\":99999999999999999999}", "expected an integer",
                 24);
    expect_error(c, "{\"claim_id\":\"C\",\"urgent\":\"yes\"}", "expected true or false", 25);
}

static void test_deep_nesting_is_refused(void **state) {
    Ctx *c = *state;
    char json[1200] = "{\"claim_id\":\"C\",\"x\":";
    size_t k = strlen(json);
    for (int i = 0; i < 100; i++) json[k++] = '[';
    for (int i = 0; i < 100; i++) json[k++] = ']';
    json[k++] = '}';
    json[k] = 0;
    assert_null(parse(c, json));
    assert_non_null(strstr(c->err, "nesting too deep"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_types),
        cmocka_unit_test(test_missing_null_unknown),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deep_nesting_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
