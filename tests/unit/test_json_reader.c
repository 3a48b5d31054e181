/* test_json_reader.c — the schema-directed JSON claim reader: every field
 * type, missing / null / empty values, derived fields, nested lists, escapes
 * and UTF-8, unknown keys with nested values, numbers at their limits, money
 * in exponent form, and the errors (message and byte offset) of malformed
 * records: truncation at every byte, trailing garbage, wrong types, invalid
 * escapes, required fields, nesting depth; out-of-memory in jsonr_new. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_budget.h"
#include "json_reader.h"
#include "utf8.h"
#include "scalar.h"
#include "strmap.h"

static const char *sex_members[] = {"M", "F", "U"};
static const char *sex_labels[] = {"男", "女", "未知"};
static const char *sex_codes[] = {"1", "2", "0", "9"};
static const uint32_t sex_code_member[] = {0, 1, 2, 2};
static EnumType sex = {"sex", 3, sex_members, sex_labels, 4, sex_codes, sex_code_member};

/* line: line_no is a key (not marked required: the key alone must do) */
static Field line_fields[] = {
    {"line_no", 7, {TY_INT, 0, NULL, NULL, NULL}, 0, 1, 0, 0, -1, 0, NULL},
    {"item_code", 9, {TY_CODE, 0, NULL, NULL, NULL}, 1, 0, 0, 0, -1, 0, NULL},
    {"amount", 6, {TY_MONEY, 0, NULL, NULL, NULL}, 0, 0, 1, 0, -1, 0, NULL},
    {"name", 4, {TY_TEXT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"qty", 3, {TY_INT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
};
static RecordType line_rt = {"line", 5, line_fields, 0, 2, -1};
static Field diag_fields[] = {
    {"code", 4, {TY_CODE, 0, NULL, NULL, NULL}, 1, 0, 0, 0, -1, 0, NULL},
    {"is_main", 7, {TY_BOOL, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
};
static RecordType diag_rt = {"diagnosis", 2, diag_fields, -1, -1, -1};
enum {
    C_ID,
    C_PERSON,
    C_SEX,
    C_BIRTH,
    C_SETTLE,
    C_LEVEL,
    C_TOTAL,
    C_URGENT,
    C_STAY,
    C_NOTE,
    C_LINES,
    C_DIAGS,
    C_AGE,
    C__N
};
static Field claim_fields[] = {
    {"claim_id", 8, {TY_CODE, 0, NULL, NULL, NULL}, 1, 1, 0, 0, -1, 0, NULL},
    {"person_id", 9, {TY_CODE, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"sex", 3, {TY_ENUM, 0, &sex, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"birth", 5, {TY_DATE, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"settle", 6, {TY_DATETIME, 0, NULL, NULL, NULL}, 0, 0, 0, 1, -1, 0, NULL},
    {"level", 5, {TY_INT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"total", 5, {TY_MONEY, 0, NULL, NULL, NULL}, 0, 0, 1, 0, -1, 0, NULL},
    {"urgent", 6, {TY_BOOL, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"stay", 4, {TY_DURATION, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"note", 4, {TY_TEXT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"lines", 5, {TY_LIST, 0, NULL, &line_rt, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"diagnoses", 9, {TY_LIST, 0, NULL, &diag_rt, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"age", 3, {TY_INT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, 0, 0, "age_years(birth)"}, /* derived */
};
static RecordType claim_rt = {"claim", C__N, claim_fields, C_ID, C_TOTAL, C_SETTLE};

typedef struct Ctx {
    JsonReader *r;
    Arena ar;
    char err[1024];
    size_t off;
} Ctx;

static int setup(void **state) {
    Ctx *c = calloc(1, sizeof *c);
    if (!c) return -1;
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

static const Value *parse_n(Ctx *c, const char *json, size_t n) {
    const Value *v = NULL;
    c->err[0] = 0;
    c->off = (size_t)-1;
    if (jsonr_parse(c->r, json, n, &c->ar, &v, c->err, sizeof c->err, &c->off) != 0) return NULL;
    return v;
}

static const Value *parse(Ctx *c, const char *json) {
    return parse_n(c, json, strlen(json));
}

/* Parses a record that must be accepted. */
static const Value *ok(Ctx *c, const char *json) {
    const Value *v = parse(c, json);
    if (!v) fail_msg("rejected: %s\n  error: %s at %zu", json, c->err, c->off);
    return v;
}

/* A record that must be rejected with msg (a substring) at byte off. */
static void bad(Ctx *c, const char *json, const char *msg, size_t off) {
    const Value *v = parse(c, json);
    if (v) fail_msg("accepted: %s", json);
    if (!strstr(c->err, msg)) fail_msg("%s\n  message '%s' lacks '%s'", json, c->err, msg);
    if (c->off != off) fail_msg("%s\n  '%s' at %zu, wanted %zu", json, c->err, c->off, off);
}

/* The offset of the first occurrence of needle in json. */
static size_t at(const char *json, const char *needle) {
    const char *p = strstr(json, needle);
    assert_non_null(p);
    return (size_t)(p - json);
}

static void test_every_type(void **state) {
    Ctx *c = *state;
    const Value *v = ok(c, " {\"claim_id\":\"C1\",\"person_id\":\"P9\",\"sex\":\"F\","
                           "\"birth\":\"1990-02-28\",\"settle\":\"2025-03-01T08:30:15\","
                           "\"level\":3,\"total\":\"1234.50\",\"urgent\":true,\"stay\":\"15d\","
                           "\"note\":\"住院 3 天\",\"age\":99,"
                           "\"lines\":[{\"line_no\":1,\"item_code\":\"A\",\"amount\":12.5,"
                           "\"qty\":-7},"
                           "{\"line_no\":\"2\",\"item_code\":12345,\"amount\":\"0.07\"}],"
                           "\"diagnoses\":[{\"code\":\"I48.x00\",\"is_main\":1},"
                           "{\"code\":\"E11\",\"is_main\":false}]}\r\n");
    assert_string_equal(v[C_ID].s->data, "C1");
    assert_int_equal(v[C_ID].s->len, 2);
    assert_int_equal(v[C_ID].s->hash, str_hash("C1", 2));
    assert_string_equal(v[C_PERSON].s->data, "P9");
    assert_int_equal(v[C_SEX].i, 1);
    assert_int_equal(v[C_BIRTH].i, days_from_civil(1990, 2, 28));
    assert_int_equal(v[C_SETTLE].i, days_from_civil(2025, 3, 1) * 86400 + 8 * 3600 + 30 * 60 + 15);
    assert_int_equal(v[C_LEVEL].i, 3);
    assert_int_equal(v[C_TOTAL].i, 123450);
    assert_int_equal(v[C_URGENT].i, 1);
    assert_int_equal(v[C_STAY].i, 15 * 86400);
    assert_string_equal(v[C_NOTE].s->data, "住院 3 天");
    assert_int_equal(v[C_AGE].i, ARB_NULL); /* derived: never read */
    const ArbList *l = v[C_LINES].l;
    assert_non_null(l);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->width, 5);
    assert_int_equal(list_item(l, 0)[0].i, 1);
    assert_string_equal(list_item(l, 0)[1].s->data, "A");
    assert_int_equal(list_item(l, 0)[2].i, 1250);
    assert_null(list_item(l, 0)[3].s);
    assert_int_equal(list_item(l, 0)[4].i, -7);
    assert_int_equal(list_item(l, 1)[0].i, 2);
    assert_string_equal(list_item(l, 1)[1].s->data, "12345"); /* a number as a code */
    assert_int_equal(list_item(l, 1)[2].i, 7);
    assert_int_equal(list_item(l, 1)[4].i, ARB_NULL);
    const ArbList *d = v[C_DIAGS].l;
    assert_int_equal(d->n, 2);
    assert_int_equal(d->width, 2);
    assert_string_equal(list_item(d, 0)[0].s->data, "I48.x00");
    assert_int_equal(list_item(d, 0)[1].i, 1);
    assert_int_equal(list_item(d, 1)[1].i, 0);
}

static void test_missing_null_and_empty(void **state) {
    Ctx *c = *state;
    /* only the key: everything else missing */
    const Value *v = ok(c, "{\"claim_id\":\"C2\"}");
    for (int f = 1; f < C__N; f++) {
        uint8_t k = claim_fields[f].type.kind;
        if (type_is_string(k) || k == TY_LIST)
            assert_null(v[f].p);
        else
            assert_int_equal(v[f].i, ARB_NULL);
    }
    /* explicit nulls, and "" (missing, as an empty CSV cell is) */
    v = ok(c, "{\"claim_id\":\"C3\",\"person_id\":null,\"sex\":null,\"birth\":\"\",\"settle\":null,"
              "\"level\":\"\",\"total\":null,\"urgent\":null,\"stay\":\"\",\"note\":\"\","
              "\"lines\":null,\"diagnoses\":[]}");
    assert_null(v[C_PERSON].s);
    assert_int_equal(v[C_SEX].i, ARB_NULL);
    assert_int_equal(v[C_BIRTH].i, ARB_NULL);
    assert_int_equal(v[C_SETTLE].i, ARB_NULL);
    assert_int_equal(v[C_LEVEL].i, ARB_NULL);
    assert_int_equal(v[C_TOTAL].i, ARB_NULL);
    assert_int_equal(v[C_URGENT].i, ARB_NULL);
    assert_int_equal(v[C_STAY].i, ARB_NULL);
    assert_null(v[C_NOTE].s);
    assert_null(v[C_LINES].l);
    assert_non_null(v[C_DIAGS].l);
    assert_int_equal(v[C_DIAGS].l->n, 0);
    /* an empty object is only missing its required key */
    bad(c, "{}", "missing required field 'claim_id'", 0);
    bad(c, " { } ", "missing required field 'claim_id'", 1);
}

static void test_derived_and_unknown_keys_skipped(void **state) {
    Ctx *c = *state;
    const Value *v =
        ok(c, "{\"x\":{\"deep\":[1,{\"a\":null,\"b\":[true,false,[]]},\"s\\\"}]\\u00e9\"]},"
              "\"age\":{\"derived\":\"never read\",\"even\":[\"wrong types\"]},"
              "\"claim_id\":\"C2\",\"zzz\":-1.5e+3,\"yyy\":\"硬\",\"e\":[],\"o\":{},\"n\":null,"
              "\"CLAIM_ID\":\"other case\",\"level\":2}");
    assert_string_equal(v[C_ID].s->data, "C2");
    assert_int_equal(v[C_LEVEL].i, 2);
    assert_int_equal(v[C_AGE].i, ARB_NULL);
    /* a derived field with a value of the right type is not read either */
    v = ok(c, "{\"claim_id\":\"C\",\"age\":42}");
    assert_int_equal(v[C_AGE].i, ARB_NULL);
    /* a skipped value must still be valid JSON */
    const char *j = "{\"claim_id\":\"C\",\"x\":[1,2,}";
    bad(c, j, "invalid JSON", at(j, "}"));
    j = "{\"claim_id\":\"C\",\"x\":{\"a\" 1}}";
    bad(c, j, "expected ':'", at(j, " 1") + 1);
    j = "{\"claim_id\":\"C\",\"x\":[01]}";
    bad(c, j, "invalid number", at(j, "01"));
    j = "{\"claim_id\":\"C\",\"x\":\"a\\qb\"}";
    bad(c, j, "invalid escape '\\q'", at(j, "\\q"));
    j = "{\"claim_id\":\"C\",\"x\":[nul]}";
    bad(c, j, "invalid JSON value", at(j, "nul"));
    j = "{\"claim_id\":\"C\",\"x\":{1:2}}";
    bad(c, j, "expected a key in quotes", at(j, "1:2"));
}

static void test_escapes_and_unicode(void **state) {
    Ctx *c = *state;
    const Value *v =
        ok(c, "{\"claim_\\u0069d\":\"C\\\"1\\\\\",\"note\":\"a\\/b\\b\\f\\n\\r\\t\\u00e9\\u786C"
              "\\ud83d\\ude00\\uD834\\uDD1E end\",\"person_id\":\"纯中文无转义\"}");
    assert_string_equal(v[C_ID].s->data, "C\"1\\"); /* the key had an escape too */
    assert_int_equal(v[C_ID].s->hash, str_hash("C\"1\\", 4));
    assert_string_equal(v[C_NOTE].s->data,
                        "a/b\b\f\n\r\t\xC3\xA9\xE7\xA1\xAC\xF0\x9F\x98\x80\xF0\x9D\x84\x9E end");
    assert_int_equal(v[C_NOTE].s->len, strlen(v[C_NOTE].s->data));
    assert_string_equal(v[C_PERSON].s->data, "纯中文无转义");
    /* a long string crosses the 8-byte fast path in every alignment */
    char json[512], want[64];
    for (int len = 0; len < 40; len++) {
        for (int k = 0; k < len; k++) want[k] = (char)('a' + k % 26);
        want[len] = 0;
        snprintf(json, sizeof json, "{\"claim_id\":\"%s\\t%s\"}", want, want);
        v = ok(c, json);
        assert_int_equal(v[C_ID].s->len, 2 * len + 1);
        assert_memory_equal(v[C_ID].s->data, want, (size_t)len);
        assert_int_equal(v[C_ID].s->data[len], '\t');
    }
}

/* A NUL (\u0000) would cut a value at it wherever it is a C string (two
 * claims "a\u0000b" and "a\u0000c" reported as one "a"): rejected in every
 * field, at the escape, in the claim and in its list items. */
static void test_nul_rejected(void **state) {
    Ctx *c = *state;
    const char *j;
    j = "{\"claim_id\":\"a\\u0000b\"}";
    bad(c, j, "field 'claim_id': a NUL character (\\u0000)", at(j, "\\u0000"));
    j = "{\"claim_id\":\"C1\",\"note\":\"x\\n\\\\u0000\\u0000\"}"; /* \\u0000 is no NUL */
    bad(c, j, "field 'note': a NUL character", at(j, "\\u0000\""));
    j = "{\"claim_id\":\"C1\",\"lines\":[{\"line_no\":1,\"item_code\":\"\\u0000\"}]}";
    bad(c, j, "lines[1]: field 'item_code': a NUL character", at(j, "\\u0000"));
    j = "{\"claim_id\":\"C1\",\"birth\":\"1990-01-0\\u0000\"}";
    bad(c, j, "field 'birth': a NUL character", at(j, "\\u0000"));
    static const char raw[] = "{\"claim_id\":\"C1\",\"note\":\"a\0b\"}"; /* a raw NUL byte */
    const Value *v = parse_n(c, raw, sizeof raw - 1);
    assert_null(v);
    assert_non_null(strstr(c->err, "field 'note': a NUL byte in a string"));
    assert_int_equal(c->off, strlen(raw));
    /* the escape of a backslash followed by u0000 is text, and \u0001 is kept */
    v = ok(c, "{\"claim_id\":\"a\\\\u0000\\u0001\"}");
    assert_string_equal(v[C_ID].s->data, "a\\u0000\x01");
}

/* A key given twice in one object rejects the record at its second
 * occurrence (else the last would win: "lines":[...],"lines":[] audited no
 * lines), at any level; the same key in two objects is fine. */
static void test_duplicate_keys(void **state) {
    Ctx *c = *state;
    const char *j;
    j = "{\"claim_id\":\"C1\",\"lines\":[{\"line_no\":1,\"item_code\":\"A\"}],\"lines\":[]}";
    bad(c, j, "key 'lines' given twice in one object", at(j, "\"lines\":[]"));
    j = "{\"claim_id\":\"C1\",\"claim_id\":\"C2\"}";
    bad(c, j, "key 'claim_id' given twice", at(j, "\"claim_id\":\"C2"));
    j = "{\"claim_\\u0069d\":\"C1\",\"note\":null,\"claim_id\":\"C2\"}"; /* the same key */
    bad(c, j, "key 'claim_id' given twice", at(j, "\"claim_id\""));
    j = "{\"claim_id\":\"C1\",\"lines\":[{\"line_no\":1,\"item_code\":\"A\"},"
        "{\"line_no\":2,\"item_code\":\"A\",\"amount\":1,\"item_code\":\"B\"}]}";
    bad(c, j, "lines[2]: key 'item_code' given twice", at(j, "\"item_code\":\"B"));
    j = "{\"claim_id\":\"C1\",\"age\":1,\"age\":2}"; /* a derived field's key too */
    bad(c, j, "key 'age' given twice", at(j, "\"age\":2"));
    /* the same key in sibling and nested objects, and unknown keys twice, are fine */
    const Value *v = ok(c, "{\"claim_id\":\"C1\",\"lines\":[{\"line_no\":1,\"item_code\":\"A\"},"
                           "{\"line_no\":2,\"item_code\":\"B\"}],\"x\":{\"a\":1,\"a\":2},\"x\":3}");
    assert_int_equal(v[C_LINES].l->n, 2);
}

static void test_bad_strings(void **state) {
    Ctx *c = *state;
    const Value *v;
    const char *j;
    j = "{\"claim_id\":\"a\\qb\"}";
    bad(c, j, "invalid escape '\\q'", at(j, "\\q"));
    j = "{\"claim_id\":\"a\\x41\"}";
    bad(c, j, "invalid escape", at(j, "\\x"));
    j = "{\"claim_id\":\"a\\u12G4\"}";
    bad(c, j, "invalid \\u escape", at(j, "\\u"));
    j = "{\"claim_id\":\"\\ud800x\"}";
    bad(c, j, "unpaired surrogate", at(j, "\\u"));
    j = "{\"claim_id\":\"\\ud800\\u0041\"}";
    bad(c, j, "unpaired surrogate", at(j, "\\u"));
    j = "{\"claim_id\":\"ok\\udc00\"}";
    bad(c, j, "unpaired surrogate", at(j, "\\u"));
    j = "{\"claim_id\":\"a\tb\"}"; /* a raw tab */
    bad(c, j, "control character", at(j, "\t"));
    j = "{\"claim_id\":\"a\nb\"}";
    bad(c, j, "control character", at(j, "\n"));
    j = "{\"claim_id\":\"a\x01\"}";
    bad(c, j, "control character", at(j, "\x01"));
    /* ill-formed UTF-8: lone continuation, overlong, surrogate, too big, bad lead */
    const char *bytes[] = {"\x80",
                           "\xC0\x80",
                           "\xC1\xBF",
                           "\xE0\x80\x80",
                           "\xED\xA0\x80",
                           "\xF4\x90\x80\x80",
                           "\xF5\x80\x80\x80",
                           "\xFF",
                           "\xE7\xA1",
                           "\xC3("};
    for (size_t i = 0; i < sizeof bytes / sizeof *bytes; i++) {
        char json[64];
        snprintf(json, sizeof json, "{\"claim_id\":\"ab%s\"}", bytes[i]);
        bad(c, json, "invalid UTF-8", 15);
    }
    /* ... also after a run of multi-byte characters (the scanner's fast
     * path for Chinese text), at the same offset as a byte at a time */
    const char *runs[] = {"\xE4\xB8\xAD\xE6\x96\x87", "\xC3\xA9\xC3\xA9\xC3\xA9",
                          "\xE4\xB8\xAD\xC3\xA9\x21", "\xEF\xBF\xBD\xE0\xA0\x80",
                          "\xED\x9F\xBF\xF0\x9F"};
    for (size_t r = 0; r < sizeof runs / sizeof *runs; r++)
        for (size_t i = 0; i < sizeof bytes / sizeof *bytes; i++) {
            char json[64];
            int pre = snprintf(json, sizeof json, "{\"claim_id\":\"%s", runs[r]);
            snprintf(json + pre, sizeof json - (size_t)pre, "%s\"}", bytes[i]);
            /* the last run ends in a 4-byte character cut short: the
             * error is there */
            bad(c, json, "invalid UTF-8", r == 4 ? 16 : (size_t)pre);
        }
    v = ok(c, "{\"claim_id\":\"\xE4\xB8\xAD\xE6\x96\x87\xC3\xA9\xE0\xA0\x80\xED\x9F\xBF"
              "\xF0\x9F\x98\x80"
              "ab\xE4\xB8\xAD\"}");
    assert_int_equal(v[C_ID].s->len, 6 + 2 + 3 + 3 + 4 + 2 + 3);
    /* ... also in keys and in skipped values */
    bad(c, "{\"\xC0\x80\":1,\"claim_id\":\"C\"}", "invalid UTF-8", 2);
    bad(c, "{\"claim_id\":\"C\",\"x\":[\"\xFF\"]}", "invalid UTF-8", 22);
    /* 4-byte characters at the limits are fine */
    v = ok(c, "{\"claim_id\":\"\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBF\"}");
    assert_int_equal(v[C_ID].s->len, 11);
}

static void test_numbers(void **state) {
    Ctx *c = *state;
    const Value *v = ok(c, "{\"claim_id\":\"C\",\"level\":9223372036854775807}");
    assert_int_equal(v[C_LEVEL].i, INT64_MAX);
    v = ok(c, "{\"claim_id\":\"C\",\"level\":-0}");
    assert_int_equal(v[C_LEVEL].i, 0);
    v = ok(c, "{\"claim_id\":\"C\",\"level\":\"-42\"}");
    assert_int_equal(v[C_LEVEL].i, -42);
    const char *j;
    j = "{\"claim_id\":\"C\",\"level\":9223372036854775808}";
    bad(c, j, "field 'level': the integer 9223372036854775808 is out of range", at(j, "922"));
    j = "{\"claim_id\":\"C\",\"level\":99999999999999999999999999}";
    bad(c, j, "out of range", at(j, "999"));
    j = "{\"claim_id\":\"C\",\"level\":1.0}";
    bad(c, j, "field 'level': expected an integer, got 1.0", at(j, "1.0"));
    j = "{\"claim_id\":\"C\",\"level\":1e2}";
    bad(c, j, "expected an integer, got 1e2", at(j, "1e2"));
    j = "{\"claim_id\":\"C\",\"level\":\"x3\"}";
    bad(c, j, "field 'level': expected an integer, got the string \"x3\"", at(j, "\"x3"));
    j = "{\"claim_id\":\"C\",\"level\":01}";
    bad(c, j, "invalid number", at(j, "01"));
    j = "{\"claim_id\":\"C\",\"level\":+1}";
    bad(c, j, "invalid JSON value", at(j, "+1"));
    j = "{\"claim_id\":\"C\",\"level\":.5}";
    bad(c, j, "invalid JSON value", at(j, ".5"));
    j = "{\"claim_id\":\"C\",\"level\":1.x}";
    bad(c, j, "invalid number", at(j, "1.x"));
    j = "{\"claim_id\":\"C\",\"level\":-x}";
    bad(c, j, "invalid JSON value", at(j, "-x"));
    j = "{\"claim_id\":\"C\",\"level\":12abc}";
    bad(c, j, "invalid number", at(j, "12abc"));
    j = "{\"claim_id\":\"C\",\"level\":1e+}";
    bad(c, j, "invalid number", at(j, "1e+"));
    /* a number as a code keeps its text; not as text */
    v = ok(c, "{\"claim_id\":-1.5e3}");
    assert_string_equal(v[C_ID].s->data, "-1.5e3");
    j = "{\"claim_id\":\"C\",\"note\":12}";
    bad(c, j, "field 'note': expected a string, got a number", at(j, "12"));
}

/* Money is exact: from strings and numbers, never through a double. */
static void test_money(void **state) {
    Ctx *c = *state;
    static const struct {
        const char *text;
        int64_t cents;
    } good[] = {
        {"12", 1200},
        {"12.5", 1250},
        {"\"12.50\"", 1250},
        {"-3.00", -300},
        {"\"-3\"", -300},
        {"0.07", 7},
        {"1.230", 123}, /* more decimals, all zero */
        {"0.1", 10},
        {"1.5e2", 15000},
        {"1.0E7", 1000000000}, /* as Java writes ten million */
        {"1e-2", 1},
        {"-2.5E-1", -25},
        {"123.45e+1", 123450},
        {"0e999", 0},
        {"92233720368547758.07", INT64_MAX},
        {"19999999.99", 1999999999},
    };
    char json[128];
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        snprintf(json, sizeof json, "{\"claim_id\":\"C\",\"total\":%s}", good[i].text);
        const Value *v = ok(c, json);
        if (v[C_TOTAL].i != good[i].cents)
            fail_msg("%s: %lld cents, wanted %lld", good[i].text, (long long)v[C_TOTAL].i,
                     (long long)good[i].cents);
    }
    static const char *rejected[] = {"1.234",
                                     "\"12.345\"",
                                     "1e-3",
                                     "1e30",
                                     "\"1e2\"",
                                     "\"12,50\"",
                                     "\"abc\"",
                                     "1.5e-40",
                                     "92233720368547758.08",
                                     "\"\xC2\xA5\"",
                                     "99999999999999999999"};
    for (size_t i = 0; i < sizeof rejected / sizeof *rejected; i++) {
        snprintf(json, sizeof json, "{\"claim_id\":\"C\",\"total\":%s}", rejected[i]);
        bad(c, json, "field 'total'", 24);
        if (!strstr(c->err, "not a money amount")) fail_msg("%s: %s", rejected[i], c->err);
    }
}

static void test_dates_bools_enums(void **state) {
    Ctx *c = *state;
    const Value *v = ok(c, "{\"claim_id\":\"C\",\"birth\":\"2024-02-29\",\"settle\":\"2025-03-01 "
                           "08:30\",\"urgent\":0,\"stay\":\"2w\",\"sex\":\"U\"}");
    assert_int_equal(v[C_BIRTH].i, days_from_civil(2024, 2, 29));
    assert_int_equal(v[C_SETTLE].i, days_from_civil(2025, 3, 1) * 86400 + 8 * 3600 + 30 * 60);
    assert_int_equal(v[C_URGENT].i, 0);
    assert_int_equal(v[C_STAY].i, 14 * 86400);
    assert_int_equal(v[C_SEX].i, 2);
    v = ok(c, "{\"claim_id\":\"C\",\"settle\":\"2025-03-01\",\"urgent\":\"true\"}");
    assert_int_equal(v[C_SETTLE].i, days_from_civil(2025, 3, 1) * 86400);
    assert_int_equal(v[C_URGENT].i, 1);
    const char *j;
    j = "{\"claim_id\":\"C\",\"birth\":\"2025-02-29\"}";
    bad(c, j, "field 'birth': \"2025-02-29\" is not a valid date", at(j, "\"2025"));
    j = "{\"claim_id\":\"C\",\"birth\":20250101}";
    bad(c, j, "field 'birth': expected a date string", at(j, "2025"));
    j = "{\"claim_id\":\"C\",\"settle\":\"2025-03-01T24:00\"}";
    bad(c, j, "not a valid datetime", at(j, "\"2025"));
    j = "{\"claim_id\":\"C\",\"stay\":15}";
    bad(c, j, "expected a duration string", at(j, "15"));
    j = "{\"claim_id\":\"C\",\"urgent\":2}";
    bad(c, j, "field 'urgent': expected true or false, got 2", at(j, "2}"));
    j = "{\"claim_id\":\"C\",\"urgent\":\"yes\"}";
    bad(c, j, "field 'urgent': \"yes\" is not a valid bool", at(j, "\"yes"));
    j = "{\"claim_id\":\"C\",\"level\":true}";
    bad(c, j, "field 'level': expected an integer, got true", at(j, "true"));
    j = "{\"claim_id\":\"C\",\"sex\":\"X\"}";
    bad(c, j, "field 'sex': 'X' is not one of M (男, \"1\"), F (女, \"2\"), U (未知, \"0\", \"9\")",
        at(j, "\"X"));
    assert_string_equal(
        c->err,
        "field 'sex': 'X' is not one of M (男, \"1\"), F (女, \"2\"), U (未知, \"0\", \"9\")");
    j = "{\"claim_id\":\"C\",\"sex\":\"m\"}";
    bad(c, j, "'m' is not one of M (男", at(j, "\"m"));
    j = "{\"claim_id\":\"C\",\"sex\":1}";
    bad(c, j, "field 'sex': expected a string, got a number", at(j, "1}"));
    /* long and multi-line values are cut, on a character boundary, in messages */
    j = "{\"claim_id\":\"C\",\"sex\":\"很长很长很长很长很长很长很长很长很长很长很长很长\\n\"}";
    bad(c, j, "...' is not one of", at(j, "\"很"));
    assert_null(strchr(c->err, '\n'));
    assert_non_null(strstr(c->err, "'很长很长很长很长很长很长很长..."));
}

/* A member is spelled by its name, its label or one of its codes, exactly. */
static void test_enum_labels_and_codes(void **state) {
    Ctx *c = *state;
    static const char *const spell[][2] = {{"M", "0"},  {"男", "0"}, {"1", "0"},    {"F", "1"},
                                           {"女", "1"}, {"2", "1"},  {"未知", "2"}, {"0", "2"},
                                           {"9", "2"},  {"U", "2"}};
    for (size_t i = 0; i < sizeof spell / sizeof spell[0]; i++) {
        char j[96];
        snprintf(j, sizeof j, "{\"claim_id\":\"C\",\"sex\":\"%s\"}", spell[i][0]);
        const Value *v = ok(c, j);
        assert_int_equal(v[C_SEX].i, atoi(spell[i][1]));
    }
    /* no trimming, no case folding, no partial match */
    static const char *const wrong[] = {" F", "女 ", "f", "01", "女性", "1.0"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        char j[96];
        snprintf(j, sizeof j, "{\"claim_id\":\"C\",\"sex\":\"%s\"}", wrong[i]);
        bad(c, j, "is not one of M (男, \"1\")", at(j, "\"sex\":") + 6);
    }
    assert_int_equal(scalar_enum_member(&sex, "男", strlen("男")), -1); /* rules name members */
    char buf[24];
    scalar_enum_spellings(&sex, buf, sizeof buf); /* cut at a member */
    assert_string_equal(buf, "M (男, \"1\"), ...");
}

/* A record's bad values are all named (up to JSONR_MAX_ERRORS), the first
 * one's offset reported; a bad required value is not "missing" as well. */
static void test_several_errors(void **state) {
    Ctx *c = *state;
    const char *j = "{\"claim_id\":\"C\",\"sex\":\"X\",\"level\":\"high\",\"lines\":"
                    "[{\"line_no\":1,\"item_code\":\"A\",\"amount\":\"1.234\"},"
                    "{\"line_no\":2,\"item_code\":[1],\"qty\":1.5}]}";
    bad(c, j, "field 'sex': 'X' is not one of", at(j, "\"X"));
    assert_non_null(
        strstr(c->err, "; field 'level': expected an integer, got the string \"high\""));
    assert_non_null(strstr(c->err, "; lines[1]: field 'amount': \"1.234\" is not a money amount"));
    assert_non_null(
        strstr(c->err, "; lines[2]: field 'item_code': expected a string, got an array"));
    assert_non_null(strstr(c->err, "; lines[2]: field 'qty': expected an integer, got 1.5"));
    assert_null(strstr(c->err, "missing required field 'item_code'"));
    assert_null(strstr(c->err, "more"));
    /* six: five named, the sixth counted */
    j = "{\"claim_id\":\"C\",\"sex\":\"X\",\"level\":\"a\",\"total\":\"b\",\"urgent\":\"c\","
        "\"stay\":\"d\",\"birth\":\"e\"}";
    bad(c, j, "; and 1 more", at(j, "\"X"));
    assert_null(strstr(c->err, "'birth'"));
    /* a syntax error after a bad value ends the parse; the first offset stays */
    j = "{\"claim_id\":\"C\",\"sex\":\"X\",\"level\":3 4}";
    bad(c, j, "'X' is not one of", at(j, "\"X"));
    assert_non_null(strstr(c->err, "; invalid JSON"));
}

/* Keys read as no field: counted by path once per record (not when null or
 * ""), derived fields apart; with strict, errors at the key. */
static void test_unread_keys_counted_or_strict(void **state) {
    Ctx *c = *state;
    InputNotes ns;
    notes_init(&ns, mem_default());
    JsonrOptions o = {NULL, &ns, 0, 0, 0, 0};
    const char *recs[] = {
        "{\"claim_id\":\"A\",\"admit_date\":\"2025-01-02\",\"age\":40,"
        "\"lines\":[{\"line_no\":1,\"item_code\":\"X\",\"date\":1},"
        "{\"line_no\":2,\"item_code\":\"Y\",\"date\":2}]}",
        ("{\"claim_id\":\"B\",\"admit_date\":null,"
         "\"lines\":[{\"line_no\":1,\"item_code\":\"X\",\"date\":\"\"}]}"),
        "{\"claim_id\":\"C\",\"admit_date\":{\"a\":1},\"diagnoses\":[{\"code\":\"I10\",\"x\":[]}]}",
    };
    for (size_t i = 0; i < 3; i++) {
        const Value *v;
        assert_int_equal(jsonr_parse_ex(c->r, recs[i], strlen(recs[i]), &c->ar, &o, &v, c->err,
                                        sizeof c->err, &c->off),
                         0);
    }
    notes_sort(&ns);
    assert_int_equal(ns.n, 4);
    assert_string_equal(ns.v[0].name, "admit_date");
    assert_int_equal(ns.v[0].records, 2);
    assert_string_equal(ns.v[1].name, "age");
    assert_int_equal(ns.v[1].records, 1);
    assert_non_null(ns.v[1].derived);
    assert_string_equal(ns.v[1].derived->formula, "age_years(birth)");
    assert_string_equal(ns.v[2].name, "diagnoses[].x");
    assert_string_equal(ns.v[3].name, "lines[].date");
    assert_int_equal(ns.v[3].records, 1); /* two lines, one record; "" is no value */
    assert_null(ns.v[0].derived);
    /* merged counts add up */
    InputNotes all;
    notes_init(&all, mem_default());
    assert_int_equal(notes_merge(&all, &ns), 0);
    assert_int_equal(notes_merge(&all, &ns), 0);
    notes_sort(&all);
    assert_int_equal(all.v[0].records, 4);
    notes_free(&all);
    notes_free(&ns);
    /* strict: every such key is an error of the record, at the key */
    JsonrOptions so = {NULL, NULL, 1, 0, 0, 0};
    const Value *v;
    const char *j = recs[0];
    assert_int_equal(
        jsonr_parse_ex(c->r, j, strlen(j), &c->ar, &so, &v, c->err, sizeof c->err, &c->off), -1);
    assert_int_equal(c->off, at(j, "\"admit_date"));
    assert_string_equal(c->err, "'admit_date' is not a field of claim; 'age' is a derived field "
                                "(= age_years(birth)), not read from input; lines[1]: 'date' is "
                                "not a field of line; lines[2]: 'date' is not a field of line");
}

/* A string longer than the limit rejects the record at the value, naming
 * the field; the default limit is 1 MiB; a larger one lets it through. */
static void test_field_limit(void **state) {
    Ctx *c = *state;
    const Value *v;
    JsonrOptions small = {NULL, NULL, 0, 0, 8, 0};
    const char *j = "{\"claim_id\":\"C\",\"lines\":[{\"line_no\":1,\"item_code\":\"123456789\"}]}";
    assert_int_equal(
        jsonr_parse_ex(c->r, j, strlen(j), &c->ar, &small, &v, c->err, sizeof c->err, &c->off), -1);
    assert_int_equal(c->off, at(j, "\"123456789"));
    assert_non_null(strstr(c->err, "lines[1]: field 'item_code': a value of 9 bytes, over the "
                                   "limit of 8 bytes a field"));
    JsonrOptions enough = {NULL, NULL, 0, 0, 9, 0};
    assert_int_equal(
        jsonr_parse_ex(c->r, j, strlen(j), &c->ar, &enough, &v, c->err, sizeof c->err, &c->off), 0);
    /* the default: 1 MiB */
    size_t n = JSONR_MAX_FIELD + 1;
    char *big = malloc(n + 64);
    assert_non_null(big);
    int k = snprintf(big, 64, "{\"claim_id\":\"");
    memset(big + k, 'x', n);
    memcpy(big + k + n, "\"}", 3);
    assert_int_equal(
        jsonr_parse(c->r, big, strlen(big), &c->ar, &v, c->err, sizeof c->err, &c->off), -1);
    assert_non_null(strstr(c->err, "over the limit of 1048576 bytes"));
    free(big);
}

/* no_hash: the same strings, with hash 0 (claims only encoded); shared
 * strings (a StrMap) keep their hashes whatever it says. */
static void test_no_hash(void **state) {
    Ctx *c = *state;
    const Value *v;
    const char *j = "{\"claim_id\":\"C7\",\"note\":\"住院\",\"lines\":[{\"line_no\":1,"
                    "\"item_code\":\"A\\u0042\"}]}";
    JsonrOptions nh = {NULL, NULL, 0, 0, 0, 1};
    assert_int_equal(
        jsonr_parse_ex(c->r, j, strlen(j), &c->ar, &nh, &v, c->err, sizeof c->err, &c->off), 0);
    assert_string_equal(v[C_ID].s->data, "C7");
    assert_int_equal(v[C_ID].s->hash, 0);
    assert_string_equal(v[C_NOTE].s->data, "住院");
    assert_int_equal(v[C_NOTE].s->hash, 0);
    const Value *line = list_item(v[C_LINES].l, 0);
    assert_string_equal(line[1].s->data, "AB");
    assert_int_equal(line[1].s->hash, 0);
    JsonrOptions hashed = {NULL, NULL, 0, 0, 0, 0};
    assert_int_equal(
        jsonr_parse_ex(c->r, j, strlen(j), &c->ar, &hashed, &v, c->err, sizeof c->err, &c->off), 0);
    assert_int_equal(v[C_ID].s->hash, str_hash("C7", 2));
    line = list_item(v[C_LINES].l, 0);
    assert_int_equal(line[1].s->hash, str_hash("AB", 2));
    StrMap m;
    strmap_init(&m, mem_default());
    JsonrOptions shared = {&m, NULL, 0, 0, 0, 1};
    assert_int_equal(
        jsonr_parse_ex(c->r, j, strlen(j), &c->ar, &shared, &v, c->err, sizeof c->err, &c->off), 0);
    assert_int_equal(v[C_NOTE].s->hash, str_hash("住院", strlen("住院")));
    strmap_free(&m);
}

static void test_wrong_json_types(void **state) {
    Ctx *c = *state;
    const char *j;
    j = "{\"claim_id\":\"C\",\"level\":{}}";
    bad(c, j, "field 'level': expected an integer, got an object", at(j, "{}"));
    j = "{\"claim_id\":[\"C\"]}";
    bad(c, j, "field 'claim_id': expected a string, got an array", at(j, "["));
    j = "{\"claim_id\":\"C\",\"lines\":{}}";
    bad(c, j, "field 'lines': expected an array of objects, got an object", at(j, "{}"));
    j = "{\"claim_id\":\"C\",\"lines\":\"x\"}";
    bad(c, j, "field 'lines': expected an array of objects, got a string", at(j, "\"x"));
    j = "{\"claim_id\":\"C\",\"lines\":3}";
    bad(c, j, "field 'lines': expected an array of objects, got a number", at(j, "3}"));
    j = "{\"claim_id\":\"C\",\"lines\":[1]}";
    bad(c, j, "field 'lines': expected objects in the array, got a number", at(j, "1]"));
    j = "{\"claim_id\":\"C\",\"lines\":[{\"item_code\":\"A\",\"line_no\":1},null]}";
    bad(c, j, "field 'lines': expected objects in the array, got null", at(j, "null"));
    j = "{\"claim_id\":\"C\",\"lines\":[{\"item_code\":\"A\",\"line_no\":1,\"qty\":\"x\"}]}";
    bad(c, j, "lines[1]: field 'qty': expected an integer", at(j, "\"x"));
}

static void test_required_fields(void **state) {
    Ctx *c = *state;
    bad(c, "{\"sex\":\"F\"}", "missing required field 'claim_id'", 0);
    bad(c, "{\"claim_id\":null}", "missing required field 'claim_id'", 0);
    bad(c, "{\"claim_id\":\"\"}", "missing required field 'claim_id'", 0);
    const char *j = "{\"claim_id\":\"C\",\"lines\":[{\"line_no\":1,\"item_code\":\"A\"},"
                    "{\"line_no\":2,\"item_code\":\"B\"},{\"line_no\":3}]}";
    bad(c, j, "lines[3]: missing required field 'item_code'", at(j, "{\"line_no\":3"));
    assert_string_equal(c->err, "lines[3]: missing required field 'item_code'");
    /* line_no is a key: required without being marked so */
    j = "{\"claim_id\":\"C\",\"lines\":[{\"item_code\":\"A\"}]}";
    bad(c, j, "lines[1]: missing required field 'line_no'", at(j, "[{") + 1);
    j = "{\"claim_id\":\"C\",\"diagnoses\":[{\"code\":\"X\"},{\"is_main\":true}]}";
    bad(c, j, "diagnoses[2]: missing required field 'code'", at(j, "{\"is_main"));
    /* after a list, messages have no list prefix */
    j = "{\"claim_id\":\"C\",\"lines\":[{\"line_no\":1,\"item_code\":\"A\"}],\"level\":\"x\"}";
    bad(c, j, "field 'level'", at(j, "\"x"));
    assert_null(strstr(c->err, "lines["));
}

/* Every proper prefix of a good record is a truncated one. */
static void test_truncated_everywhere(void **state) {
    Ctx *c = *state;
    const char *j = "{\"claim_id\":\"C\\u00e9\\ud83d\\ude00硬\",\"total\":-12.5e1,\"urgent\":true,"
                    "\"sex\":null,\"x\":[false,{\"k\":[]}],"
                    "\"lines\":[{\"line_no\":1,\"item_code\":\"A\\n\"}]}";
    size_t n = strlen(j);
    assert_non_null(parse_n(c, j, n));
    for (size_t k = 1; k < n; k++) {
        char *copy = malloc(k); /* exactly k bytes: ASan sees any read past them */
        memcpy(copy, j, k);
        const Value *v = parse_n(c, copy, k);
        free(copy);
        if (v) fail_msg("prefix of %zu bytes accepted", k);
        if (!strstr(c->err, "unexpected end of input (truncated record?)") || c->off != k)
            fail_msg("prefix of %zu bytes: '%s' at %zu", k, c->err, c->off);
    }
    bad(c, "", "empty record", 0);
    bad(c, " \n\t", "empty record", 3);
}

static void test_structure_errors(void **state) {
    Ctx *c = *state;
    const char *j;
    j = "{\"claim_id\":\"C\"} x";
    bad(c, j, "text after the end of the claim object", at(j, "x"));
    j = "{\"claim_id\":\"C\"}{\"claim_id\":\"D\"}";
    bad(c, j, "text after the end", at(j, "}{") + 1);
    j = "{\"claim_id\":\"C\",}";
    bad(c, j, "expected a key in quotes", at(j, "}"));
    j = "{\"claim_id\" \"C\"}";
    bad(c, j, "expected ':' after a key", at(j, " \"C") + 1);
    j = "{\"claim_id\":\"C\" \"level\":1}";
    bad(c, j, "invalid JSON: expected ',' or '}'", at(j, "\"level"));
    j = "{\"claim_id\":\"C\",\"lines\":[{\"line_no\":1,\"item_code\":\"A\"} {}]}";
    bad(c, j, "expected ',' or ']'", at(j, " {}") + 1);
    j = "{'claim_id':'C'}";
    bad(c, j, "expected a key in quotes", 1);
    bad(c, "[1]", "a claim must be a JSON object, got an array", 0);
    bad(c, "  \"C\"", "a claim must be a JSON object, got a string", 2);
    bad(c, "42", "got a number", 0);
    bad(c, "null", "got null", 0);
    bad(c, "<claim/>", "got something else", 0);
    /* whitespace of every JSON kind around tokens, and a byte-order mark */
    const Value *v = ok(c, "\xEF\xBB\xBF \t{ \"claim_id\" :\r\n\"C\" , \"lines\" : [ ] }\n ");
    assert_int_equal(v[C_LINES].l->n, 0);
    /* a duplicate key: rejected (test_duplicate_keys) */
    j = "{\"claim_id\":\"C\",\"level\":1,\"level\":2}";
    bad(c, j, "key 'level' given twice", at(j, "\"level\":2"));
}

static void test_nesting_limit(void **state) {
    Ctx *c = *state;
    char json[1200];
    for (int depth = 60; depth <= 100; depth += 40) {
        /* arrays and objects alternately: [{"a":[{"a":...}]}] */
        size_t k = (size_t)snprintf(json, sizeof json, "{\"claim_id\":\"C\",\"x\":");
        for (int i = 0; i < depth; i++) k += (size_t)snprintf(json + k, 8, i % 2 ? "{\"a\":" : "[");
        json[k++] = '0';
        for (int i = depth - 1; i >= 0; i--) json[k++] = i % 2 ? '}' : ']';
        json[k++] = '}';
        json[k] = 0;
        const Value *v = parse(c, json);
        if (depth == 60 && !v) fail_msg("depth 60 refused: %s", c->err);
        if (depth == 100) {
            assert_null(v);
            assert_non_null(strstr(c->err, "nesting too deep"));
        }
    }
}

/* A list longer than the first allocation: items stay contiguous. */
static void test_long_list(void **state) {
    Ctx *c = *state;
    size_t cap = 1 << 16, k = 0;
    char *json = malloc(cap);
    k += (size_t)snprintf(json + k, cap - k, "{\"claim_id\":\"C\",\"lines\":[");
    for (int i = 0; i < 1000; i++)
        k += (size_t)snprintf(json + k, cap - k, "%s{\"line_no\":%d,\"item_code\":\"I%d\"}",
                              i ? "," : "", i + 1, i);
    k += (size_t)snprintf(json + k, cap - k, "]}");
    const Value *v = parse_n(c, json, k);
    free(json);
    if (!v) fail_msg("%s", c->err);
    const ArbList *l = v[C_LINES].l;
    assert_int_equal(l->n, 1000);
    for (uint32_t i = 0; i < 1000; i++) {
        char want[16];
        snprintf(want, sizeof want, "I%u", i);
        assert_int_equal(list_item(l, i)[0].i, i + 1);
        assert_string_equal(list_item(l, i)[1].s->data, want);
    }
}

/* With a string set, equal codes and texts of any records are one string
 * (an escaped one too); values are unchanged; without it each is a copy. */
static void shared_strings(Ctx *c, int fast) {
    StrMap strings;
    if (fast)
        strmap_init_fast(&strings, mem_default());
    else
        strmap_init(&strings, mem_default());
    const char *a = "{\"claim_id\":\"C1\",\"person_id\":\"P\",\"note\":\"a\\u0062\",\"lines\":["
                    "{\"line_no\":1,\"item_code\":\"X1\",\"name\":\"P\"},"
                    "{\"line_no\":2,\"item_code\":\"X1\",\"name\":\"ab\"}]}";
    const char *b = "{\"claim_id\":\"C2\",\"person_id\":\"P\",\"note\":\"ab\",\"lines\":["
                    "{\"line_no\":1,\"item_code\":\"X1\"}]}";
    const Value *x, *y;
    char err[128];
    size_t off;
    assert_int_equal(
        jsonr_parse_shared(c->r, a, strlen(a), &c->ar, &strings, &x, err, sizeof err, &off), 0);
    assert_int_equal(
        jsonr_parse_shared(c->r, b, strlen(b), &c->ar, &strings, &y, err, sizeof err, &off), 0);
    const Value *xl = x[C_LINES].l->items, *yl = y[C_LINES].l->items;
    assert_string_equal(xl[1].s->data, "X1");
    assert_ptr_equal(xl[1].s, xl[5 + 1].s); /* item_code of both lines */
    assert_ptr_equal(xl[1].s, yl[1].s);     /* and of the other claim */
    assert_ptr_equal(x[C_PERSON].s, y[C_PERSON].s);
    assert_ptr_equal(x[C_PERSON].s, xl[3].s); /* a code and a text alike */
    assert_string_equal(x[C_NOTE].s->data, "ab");
    assert_ptr_equal(x[C_NOTE].s, y[C_NOTE].s);
    assert_ptr_equal(x[C_NOTE].s, xl[5 + 3].s);
    assert_int_equal(x[C_NOTE].s->hash, str_hash("ab", 2));
    assert_true(x[C_ID].s != y[C_ID].s);
    assert_int_equal(strings.n, 5); /* C1 P ab X1 C2 */
    strmap_free(&strings);
    /* without: copies */
    const Value *z = ok(c, a);
    assert_true(z[C_LINES].l->items[1].s != z[C_LINES].l->items[5 + 1].s);
}

/* Strings shared through a map of either hash (the batch's are fast). */
static void test_shared_strings(void **state) {
    shared_strings(*state, 0);
    shared_strings(*state, 1);
}

/* With strings shared, a line's code or text equal to the line before's is
 * that string (no look-up); one that differs, in its last byte or its
 * length, or is escaped, or missing, is read as itself. */
static void test_shared_strings_prev_line(void **state) {
    Ctx *c = *state;
    StrMap strings;
    strmap_init_fast(&strings, mem_default());
    const char *a = "{\"claim_id\":\"C1\",\"lines\":["
                    "{\"line_no\":1,\"item_code\":\"X1234567890\",\"name\":\"ab\"},"
                    "{\"line_no\":2,\"item_code\":\"X1234567890\",\"name\":\"a\\u0062\"},"
                    "{\"line_no\":3,\"item_code\":\"X1234567891\",\"name\":\"ac\"},"
                    "{\"line_no\":4,\"item_code\":\"X123456789\",\"name\":\"\"},"
                    "{\"line_no\":5,\"item_code\":\"X123456789\"},"
                    "{\"line_no\":6,\"item_code\":\"X123456789\",\"name\":\"ac\"}]}";
    static const char *const codes[] = {"X1234567890", "X1234567890", "X1234567891",
                                        "X123456789",  "X123456789",  "X123456789"};
    static const char *const names[] = {"ab", "ab", "ac", NULL, NULL, "ac"};
    const Value *x;
    char err[128];
    size_t off;
    assert_int_equal(
        jsonr_parse_shared(c->r, a, strlen(a), &c->ar, &strings, &x, err, sizeof err, &off), 0);
    const ArbList *l = x[C_LINES].l;
    assert_int_equal(l->n, 6);
    for (uint32_t i = 0; i < l->n; i++) {
        const Value *it = list_item(l, i);
        assert_string_equal(it[1].s->data, codes[i]);
        assert_int_equal(it[1].s->hash, str_hash(codes[i], strlen(codes[i])));
        if (names[i])
            assert_string_equal(it[3].s->data, names[i]);
        else
            assert_null(it[3].s);
        if (i && strcmp(codes[i], codes[i - 1]) == 0) assert_ptr_equal(it[1].s, it[1 - 5].s);
    }
    assert_ptr_equal(list_item(l, 0)[3].s, list_item(l, 1)[3].s);
    assert_ptr_equal(list_item(l, 2)[3].s, list_item(l, 5)[3].s);
    strmap_free(&strings);
}

/* The key expected next (the schema's order) is taken as written plainly,
 * "name":, and read as any other key when it is not: spaced from its colon,
 * escaped, longer or shorter than the name, or cut short at the end; a
 * derived field so expected is still not read, a repeated key refused. */
static void test_expected_key(void **state) {
    Ctx *c = *state;
    static const char *const same[] = {
        "{\"claim_id\":\"C1\",\"person_id\":\"P\",\"sex\":\"M\"}",
        "{\"claim_id\" :\"C1\",\"person_id\"\t: \"P\",\"sex\" : \"M\"}",
        "{\"claim\\u005fid\":\"C1\",\"person\\u005fid\":\"P\",\"se\\u0078\":\"M\"}",
    };
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        const Value *v = ok(c, same[i]);
        assert_string_equal(v[C_ID].s->data, "C1");
        assert_string_equal(v[C_PERSON].s->data, "P");
        assert_int_equal(v[C_SEX].i, 0);
    }
    const Value *v = ok(c, "{\"claim_id\":\"C1\",\"person_ids\":\"Q\",\"person_i\":\"R\"}");
    assert_null(v[C_PERSON].s); /* neither is person_id */
    bad(c, "{\"claim_id\":\"C1\",\"person_id\":\"P\",\"person_id\":\"P\"}", "given twice", 33);
    v = ok(c, "{\"claim_id\":\"C1\",\"stay\":\"1h\",\"note\":\"n\",\"lines\":[],"
              "\"diagnoses\":[],\"age\":3}");
    assert_int_equal(v[C_AGE].i, ARB_NULL); /* derived: not read */
    bad(c, "{\"claim_id\":\"C1\",\"person_id\"", "unexpected end", 28);
}

/* Keys are matched by length, first 8 bytes and the rest: names that share
 * their first 8 bytes, or differ only past them, or are a prefix of one
 * another; keys in the schema's order, reversed and shuffled; a key read
 * from the last bytes of an exactly sized buffer (no read past it); a key
 * written with escapes. */
static void test_key_lookup(void **state) {
    (void)state;
    static Field fields[] = {
        {"facility_id", 11, {TY_CODE, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
        {"facility_level", 14, {TY_INT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
        {"facility", 8, {TY_CODE, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
        {"facilit", 7, {TY_INT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
        {"a", 1, {TY_INT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    };
    static RecordType rt = {"rec", 5, fields, -1, -1, -1};
    JsonReader *r = jsonr_new(&rt, mem_default());
    assert_non_null(r);
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    const char *texts[] = {
        "{\"facility_id\":\"H1\",\"facility_level\":3,\"facility\":\"F\",\"facilit\":7,\"a\":9}",
        "{\"a\":9,\"facilit\":7,\"facility\":\"F\",\"facility_level\":3,\"facility_id\":\"H1\"}",
        "{\"facility\":\"F\",\"a\":9,\"facility_id\":\"H1\",\"facilit\":7,\"facility_level\":3}",
        "{\"facility_\\u0069d\":\"H1\",\"facility_level\":3,\"f\\u0061cility\":\"F\",\"facilit\":7,"
        "\"\\u0061\":9}",
    };
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        size_t n = strlen(texts[t]);
        char *exact = malloc(n); /* no NUL after it: a read past the end is caught by ASan */
        assert_non_null(exact);
        memcpy(exact, texts[t], n);
        const Value *v;
        char err[256];
        size_t off;
        if (jsonr_parse(r, exact, n, &ar, &v, err, sizeof err, &off))
            fail_msg("%s rejected: %s", texts[t], err);
        assert_string_equal(v[0].s->data, "H1");
        assert_int_equal(v[1].i, 3);
        assert_string_equal(v[2].s->data, "F");
        assert_int_equal(v[3].i, 7);
        assert_int_equal(v[4].i, 9);
        free(exact);
    }
    /* near misses are unknown keys (strict: named), not one of the fields */
    /* (facilityXid, facility_Xd, facility_lXvel: the same length, first,
     * middle and last bytes as a field's name, so the same table slot) */
    const char *miss[] = {"facility_ix",  "facility_leve",  "facilityX",
                          "faciliy",      "facilit_",       "b",
                          "facility_id_", "Facility_id",    "facilityXid",
                          "facility_Xd",  "facility_lXvel", "facilitX"};
    /* after "a" (the last field) by the table; after facility_id, whose
     * next field is tried first, by that guess, then the table */
    for (size_t k = 0; k < 2 * sizeof miss / sizeof *miss; k++) {
        char text[96], want[64];
        const char *key = miss[k / 2];
        int n = snprintf(text, sizeof text,
                         k & 1 ? "{\"facility_id\":\"H\",\"%s\":2}" : "{\"a\":1,\"%s\":2}", key);
        snprintf(want, sizeof want, "'%s' is not a field of rec", key);
        char *exact = malloc((size_t)n);
        assert_non_null(exact);
        memcpy(exact, text, (size_t)n);
        JsonrOptions o = {NULL, NULL, 1, 0, 0, 0};
        const Value *v;
        char err[256];
        size_t off;
        assert_int_equal(jsonr_parse_ex(r, exact, (size_t)n, &ar, &o, &v, err, sizeof err, &off),
                         -1);
        if (!strstr(err, want)) fail_msg("%s: '%s' lacks '%s'", text, err, want);
        assert_int_equal(off, k & 1 ? 19 : 7);
        free(exact);
    }
    /* the smallest record, its key in the buffer's last 5 bytes */
    char tiny[7] = {'{', '"', 'a', '"', ':', '5', '}'};
    const Value *v;
    char err[256];
    size_t off;
    assert_int_equal(jsonr_parse(r, tiny, sizeof tiny, &ar, &v, err, sizeof err, &off), 0);
    assert_int_equal(v[4].i, 5);
    arena_free(&ar);
    jsonr_free(r);
}

/* Out of memory is not the record's fault: -2, not -1, at any allocation. */
static void test_parse_out_of_memory(void **state) {
    Ctx *c = *state;
    const char *j = "{\"claim_id\":\"C\",\"note\":\"a\\u0062\",\"lines\":[{\"line_no\":1,"
                    "\"item_code\":\"X\"},{\"line_no\":2,\"item_code\":\"Y\"}]}";
    int succeeded = 0;
    for (int n = 0; n < 64 && !succeeded; n++) {
        Budget b = {n};
        Arena ar;
        arena_init(&ar, (Alloc){budget_alloc, &b}, 16);
        const Value *v;
        char err[128];
        size_t off;
        int rc = jsonr_parse(c->r, j, strlen(j), &ar, &v, err, sizeof err, &off);
        if (rc == 0) {
            succeeded = 1;
            assert_string_equal(v[C_NOTE].s->data, "ab");
        } else {
            assert_int_equal(rc, -2);
            assert_non_null(strstr(err, "out of memory"));
        }
        arena_free(&ar);
    }
    assert_true(succeeded);
}

static void test_small_error_buffer(void **state) {
    Ctx *c = *state;
    const char *j = "{\"claim_id\":\"C\",\"lines\":[{\"line_no\":1}]}";
    char small[12];
    memset(small, 'x', sizeof small);
    const Value *v;
    size_t off;
    assert_int_equal(jsonr_parse(c->r, j, strlen(j), &c->ar, &v, small, sizeof small, &off), -1);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, "lines[1]: m", 11);
    assert_int_equal(off, at(j, "[{") + 1);
    /* no buffer at all */
    assert_int_equal(jsonr_parse(c->r, j, strlen(j), &c->ar, &v, NULL, 0, &off), -1);
    assert_int_equal(off, at(j, "[{") + 1);
}

static void test_new_out_of_memory(void **state) {
    (void)state;
    int succeeded = 0;
    for (int n = 0; n < 64 && !succeeded; n++) {
        Budget b = {n};
        JsonReader *r = jsonr_new(&claim_rt, (Alloc){budget_alloc, &b});
        if (r) succeeded = 1;
        jsonr_free(r); /* also NULL; the leak checker sees the failures */
    }
    assert_true(succeeded);
}

/* Whether records a and b of type rt hold the same values (strings by
 * their bytes and hashes). */
static int same_values(const RecordType *rt, const Value *a, const Value *b) {
    for (uint32_t f = 0; f < rt->nfields; f++) {
        uint8_t k = rt->fields[f].type.kind;
        if (type_is_string(k)) {
            const ArbStr *x = a[f].s, *y = b[f].s;
            if (!x != !y) return 0;
            if (x && (x->len != y->len || x->hash != y->hash || memcmp(x->data, y->data, x->len) ||
                      x->data[x->len] || y->data[y->len]))
                return 0;
        } else if (k == TY_LIST) {
            const ArbList *x = a[f].l, *y = b[f].l;
            if (!x != !y) return 0;
            if (!x) continue;
            if (x->n != y->n || x->width != y->width) return 0;
            for (uint32_t i = 0; i < x->n; i++)
                if (!same_values(rt->fields[f].type.rec, list_item(x, i), list_item(y, i)))
                    return 0;
        } else if (a[f].i != b[f].i) {
            return 0;
        }
    }
    return 1;
}

/* Reads json (copied into a buffer of exactly its size: nothing past it
 * is readable) with the fast paths and by the reference reading, with
 * options o, and checks that both give the same answer, message, offset
 * and values.  Returns the answer; *v the record read (fast paths). */
static int same_as_reference(Ctx *c, const char *json, const JsonrOptions *o, const Value **v) {
    size_t n = strlen(json);
    char *buf = malloc(n ? n : 1), err_ref[1024];
    assert_non_null(buf);
    memcpy(buf, json, n);
    const Value *fast = NULL, *ref = NULL;
    size_t off_ref = (size_t)-1;
    c->err[0] = 0;
    c->off = (size_t)-1;
    int rf = jsonr_parse_ex(c->r, buf, n, &c->ar, o, &fast, c->err, sizeof c->err, &c->off);
    int rr =
        jsonr_parse_reference(c->r, buf, n, &c->ar, o, &ref, err_ref, sizeof err_ref, &off_ref);
    if (rf != rr)
        fail_msg("%s\n  fast paths %d (%s), reference %d (%s)", json, rf, c->err, rr, err_ref);
    if (rr == 0 && !same_values(&claim_rt, fast, ref)) fail_msg("%s\n  values differ", json);
    if (rr != 0 && (strcmp(c->err, err_ref) != 0 || c->off != off_ref))
        fail_msg("%s\n  fast paths: %s at %zu\n  reference:  %s at %zu", json, c->err, c->off,
                 err_ref, off_ref);
    free(buf);
    if (v) *v = rr == 0 ? fast : NULL;
    return rr;
}

/* The value fast paths (dates and datetimes written in full, plain money
 * strings and numbers, integers, enum spellings) against the reference
 * reading: valid values, values at their limits and values just off them,
 * each in the middle of a record, last in it (the text ending within a
 * few bytes), before spaces, in a list's item, with no field limit and
 * with one of 5 and 19 bytes. */
static void test_fast_paths_match_reference(void **state) {
    Ctx *c = *state;
    static const char *const dates[] = {"\"2024-02-29\"",
                                        "\"2023-02-29\"",
                                        "\"1900-02-29\"",
                                        "\"2000-02-29\"",
                                        "\"1799-12-31\"",
                                        "\"1800-01-01\"",
                                        "\"2999-12-31\"",
                                        "\"3000-01-01\"",
                                        "\"2024-13-01\"",
                                        "\"2024-00-10\"",
                                        "\"2024-04-31\"",
                                        "\"2024-04-30\"",
                                        "\"2024-04-00\"",
                                        "\"2024-4-01\"",
                                        "\"2024/04/01\"",
                                        "\"2024-04-0a\"",
                                        "\"2024-04-01 \"",
                                        "\"2024-04-01T00:00:00\"",
                                        "\"\"",
                                        "null",
                                        "20240401",
                                        "\"２０２４-04-01\"",
                                        "\"2024-04-01\\u0000\"",
                                        "\"2024-0\\u0034-01\"",
                                        "\"2024-04-01",
                                        "\"2024-04-01\"x",
                                        "\":024-04-01\"",
                                        "\"/024-04-01\"",
                                        "\"2024-12-31\""};
    static const char *const datetimes[] = {"\"2025-03-01T08:30:15\"",
                                            "\"2025-03-01 08:30:15\"",
                                            "\"2025-03-01T24:00:00\"",
                                            "\"2025-03-01T23:60:00\"",
                                            "\"2025-03-01T23:59:60\"",
                                            "\"2025-03-01T23:59:59\"",
                                            "\"2025-03-01T00:00:00\"",
                                            "\"2025-03-01T23:59\"",
                                            "\"2025-03-01\"",
                                            "\"2025-03-01T08:30:1a\"",
                                            "\"2025-03-01t08:30:15\"",
                                            "\"2025-03-01T08-30-15\"",
                                            "\"2024-02-29T23:59:59\"",
                                            "\"2023-02-29T00:00:00\"",
                                            "\"2025-03-01T08:30:15Z\"",
                                            "\"2025-03-01T08:30:15",
                                            "\"1799-12-31T23:59:59\"",
                                            "\"2999-12-31T23:59:59\"",
                                            "\"2025-03-01T0:30:15\"",
                                            "\"2025-03-01T08:30:1\"",
                                            "\"2025-03-01T08:3:150\"",
                                            "\"\"",
                                            "null",
                                            "\"2025-03-01T08:30:15\\u0000\"",
                                            "\"2025-03-01T08:30:\\u0031\\u0035\""};
    static const char *const ints[] = {"0",
                                       "-0",
                                       "7",
                                       "-7",
                                       "007",
                                       "-",
                                       "-a",
                                       "123456789012345678",
                                       "-123456789012345678",
                                       "1234567890123456789",
                                       "9223372036854775807",
                                       "9223372036854775808",
                                       "-9223372036854775808",
                                       "-9223372036854775809",
                                       "1.0",
                                       "1e2",
                                       "1E2",
                                       "\"12\"",
                                       "1x",
                                       "12 ",
                                       "true",
                                       "null",
                                       "1",
                                       "10",
                                       "00",
                                       "-01",
                                       "1.",
                                       "1-",
                                       "1+",
                                       "12",
                                       "\"\""};
    static const char *const money[] = {"\"1234.50\"",
                                        "\"0012.3\"",
                                        "\"12.\"",
                                        "\"12.345\"",
                                        "\"12.340\"",
                                        "\".5\"",
                                        "\"-5.00\"",
                                        "\"+5\"",
                                        "\"999999999999999\"",
                                        "\"9999999999999999\"",
                                        "\"99999999999999999999\"",
                                        "\"92233720368547758.07\"",
                                        "\"92233720368547758.08\"",
                                        "\"1.5e2\"",
                                        "\"12 \"",
                                        "\"12.3x\"",
                                        "\"1\"",
                                        "\"0\"",
                                        "\"0.00\"",
                                        "\"00\"",
                                        "12.5",
                                        "0.5",
                                        "-0.5",
                                        "012.5",
                                        "12.50",
                                        "12.500",
                                        "12.501",
                                        "1.5e2",
                                        "15E1",
                                        "1.5E-1",
                                        "-",
                                        "-.5",
                                        "1.",
                                        "1.x",
                                        "999999999999999.99",
                                        "9999999999999999",
                                        "-999999999999999.99",
                                        "92233720368547758.07",
                                        "12 ",
                                        "0",
                                        "-0",
                                        "00",
                                        "12",
                                        "12.3",
                                        "12.3.4",
                                        "12.3-",
                                        "1-",
                                        "12,",
                                        "\"\"",
                                        "null",
                                        "true",
                                        "\"12.30\\u0000\"",
                                        "\"1\\u0032.30\"",
                                        "\"12.30"};
    static const char *const sexes[] = {
        "\"M\"", "\"F\"",  "\"U\"", "\"男\"", "\"1\"",        "\"9\"",       "\"0\"",
        "\"X\"", "\"MM\"", "\"\"",  "\"m\"",  "\"M\\u0000\"", "\"\\u004d\"", "\"未知\"",
        "\"M ",  "null",   "1",     "\"2\"",  "\"M\\\"\""};
    static const struct {
        const char *key;
        const char *const *vals;
        size_t n;
    } sets[] = {{"birth", dates, sizeof dates / sizeof *dates},
                {"settle", datetimes, sizeof datetimes / sizeof *datetimes},
                {"level", ints, sizeof ints / sizeof *ints},
                {"total", money, sizeof money / sizeof *money},
                {"sex", sexes, sizeof sexes / sizeof *sexes}};
    static const char *const forms[] = {
        "{\"claim_id\":\"C1\",\"%s\":%s,\"note\":\"x\"}",
        "{\"claim_id\":\"C1\",\"%s\":%s}",
        "{\"claim_id\":\"C1\",\"%s\":%s }",
        "{\"claim_id\":\"C1\",\"%s\":%s",
        "{\"%s\":%s}",
        "{\"claim_id\":\"C1\",\"%s\":%s,\"note\":\"0123456789abcdefghij\"}"};
    static const char *const line_forms[] = {
        "{\"claim_id\":\"C1\",\"lines\":[{\"line_no\":%s,\"item_code\":\"A\",\"amount\":%s}]}",
        "{\"claim_id\":\"C1\",\"lines\":[{\"line_no\":%s,\"amount\":%s,\"item_code\":\"A\"}]}",
        "{\"claim_id\":\"C1\",\"lines\":[{\"line_no\":%s,\"item_code\":\"A\",\"amount\":%s},{"
        "\"line_no\":2,\"item_code\":\"A\"}]}"};
    JsonrOptions lim[3] = {
        {NULL, NULL, 0, 0, 0, 0}, {NULL, NULL, 0, 0, 5, 0}, {NULL, NULL, 1, 0, 19, 0}};
    char json[512];
    size_t checked = 0;
    for (size_t k = 0; k < sizeof sets / sizeof *sets; k++)
        for (size_t i = 0; i < sets[k].n; i++)
            for (size_t fm = 0; fm < sizeof forms / sizeof *forms; fm++)
                for (int l = 0; l < 3; l++) {
                    snprintf(json, sizeof json, forms[fm], sets[k].key, sets[k].vals[i]);
                    same_as_reference(c, json, &lim[l], NULL);
                    checked++;
                }
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        for (size_t m = 0; m < sizeof money / sizeof *money; m += 3)
            for (size_t fm = 0; fm < sizeof line_forms / sizeof *line_forms; fm++) {
                snprintf(json, sizeof json, line_forms[fm], ints[i], money[m]);
                same_as_reference(c, json, &lim[0], NULL);
                checked++;
            }
    assert_true(checked > 3000);
}

/* The fast paths' values, against scalar.c's parsers: a leap day, the
 * ends of a day and of the years read, money with leading zeros and one
 * decimal, integers at 18 digits, enum members, labels and codes. */
static void test_fast_path_values(void **state) {
    Ctx *c = *state;
    const Value *v;
    int64_t want;
    assert_int_equal(same_as_reference(c,
                                       "{\"claim_id\":\"C1\",\"birth\":\"2024-02-29\",\"settle\":"
                                       "\"2024-02-29T23:59:59\",\"level\":-123456789012345678,"
                                       "\"total\":\"0012.3\",\"sex\":\"U\",\"lines\":[{\"line_no\":"
                                       "0,\"item_code\":\"A\",\"amount\":-0.5,\"qty\":10}]}",
                                       NULL, &v),
                     0);
    assert_int_equal(scalar_parse_date("2024-02-29", 10, &want), 0);
    assert_int_equal(v[C_BIRTH].i, want);
    assert_int_equal(scalar_parse_datetime("2024-02-29T23:59:59", 19, &want), 0);
    assert_int_equal(v[C_SETTLE].i, want);
    assert_int_equal(v[C_LEVEL].i, -123456789012345678ll);
    assert_int_equal(v[C_TOTAL].i, 1230);
    assert_int_equal(v[C_SEX].i, 2);
    const ArbList *l = v[C_LINES].l;
    assert_int_equal(list_item(l, 0)[0].i, 0);
    assert_int_equal(list_item(l, 0)[2].i, -50);
    assert_int_equal(list_item(l, 0)[4].i, 10);
    static const struct {
        const char *text;
        int member;
    } spellings[] = {{"M", 0}, {"F", 1}, {"U", 2}, {"1", 0},
                     {"2", 1}, {"0", 2}, {"9", 2}, {"男", 0}};
    char json[128];
    for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++) {
        snprintf(json, sizeof json, "{\"claim_id\":\"C1\",\"sex\":\"%s\",\"note\":\"n\"}",
                 spellings[i].text);
        assert_int_equal(same_as_reference(c, json, NULL, &v), 0);
        assert_int_equal(v[C_SEX].i, spellings[i].member);
    }
    assert_int_equal(same_as_reference(c,
                                       "{\"claim_id\":\"C1\",\"birth\":\"1800-01-01\",\"settle\":"
                                       "\"2999-12-31T23:59:59\",\"total\":999999999999999.99}",
                                       NULL, &v),
                     0);
    assert_int_equal(scalar_parse_date("1800-01-01", 10, &want), 0);
    assert_int_equal(v[C_BIRTH].i, want);
    assert_int_equal(scalar_parse_datetime("2999-12-31T23:59:59", 19, &want), 0);
    assert_int_equal(v[C_SETTLE].i, want);
    assert_int_equal(v[C_TOTAL].i, 99999999999999999ll);
}

/* An enum spelling longer than the field limit is refused as the slow
 * path refuses it; one within it is read; a spelling past the first 8
 * bytes is compared whole. */
static void test_fast_enum_field_limit(void **state) {
    (void)state;
    static const char *members[] = {"outpatient", "inpatient", "inpatient_long_stay"};
    static EnumType care = {"care", 3, members, NULL, 0, NULL, NULL};
    static Field fields[] = {
        {"care", 4, {TY_ENUM, 0, &care, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
        {"note", 4, {TY_TEXT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    };
    static RecordType rt = {"rec", 2, fields, -1, -1, -1};
    JsonReader *r = jsonr_new(&rt, mem_default());
    assert_non_null(r);
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    static const struct {
        const char *json;
        size_t limit;
        int rc;
        int64_t member;
    } cases[] = {
        {"{\"care\":\"inpatient\",\"note\":\"x\"}", 8, -1, 0},
        {"{\"care\":\"inpatient\",\"note\":\"x\"}", 9, 0, 1},
        {"{\"care\":\"outpatient\",\"note\":\"x\"}", 0, 0, 0},
        {"{\"care\":\"inpatient_long_stay\",\"note\":\"x\"}", 0, 0, 2},
        {"{\"care\":\"inpatient_long_stax\",\"note\":\"x\"}", 0, -1, 0},
        {"{\"care\":\"inpatienX\",\"note\":\"x\"}", 0, -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        JsonrOptions o = {NULL, NULL, 0, 0, cases[i].limit, 0};
        const Value *v = NULL, *ref = NULL;
        char err[256], err_ref[256];
        size_t off = 0, off_ref = 0;
        size_t n = strlen(cases[i].json);
        int rc = jsonr_parse_ex(r, cases[i].json, n, &ar, &o, &v, err, sizeof err, &off);
        int rr = jsonr_parse_reference(r, cases[i].json, n, &ar, &o, &ref, err_ref, sizeof err_ref,
                                       &off_ref);
        assert_int_equal(rc, cases[i].rc);
        assert_int_equal(rr, cases[i].rc);
        if (rc == 0)
            assert_int_equal(v[0].i, cases[i].member);
        else
            assert_string_equal(err, err_ref);
    }
    arena_free(&ar);
    jsonr_free(r);
}

/* Without shared strings, hashes are set four strings at a time at the
 * end of a record: every string of records of 1 to 40 lines (codes of 1
 * to 29 bytes, names of 0 to 29, so the four differ in length) has str_hash's
 * hash. */
static void test_hashes_of_many_strings(void **state) {
    Ctx *c = *state;
    char *json = malloc(1 << 14);
    assert_non_null(json);
    for (int lines = 1; lines <= 40; lines++) {
        size_t k = (size_t)sprintf(json, "{\"claim_id\":\"C%d\",\"note\":\"%.*s\",\"lines\":[",
                                   lines, lines % 30, "abcdefghijklmnopqrstuvwxyz0123");
        for (int i = 0; i < lines; i++)
            k += (size_t)sprintf(
                json + k, "%s{\"line_no\":%d,\"item_code\":\"%.*s\",\"name\":\"%.*s\"}",
                i ? "," : "", i + 1, 1 + (i * 7 + lines) % 29, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123",
                (i * 11 + 3) % 30, "zyxwvutsrqponmlkjihgfedcba9876");
        sprintf(json + k, "]}");
        const Value *v;
        assert_int_equal(same_as_reference(c, json, NULL, &v), 0);
        const ArbStr *strs[2] = {v[C_ID].s, v[C_NOTE].s};
        for (int i = 0; i < 2; i++)
            if (strs[i]) assert_int_equal(strs[i]->hash, str_hash(strs[i]->data, strs[i]->len));
        for (uint32_t i = 0; i < v[C_LINES].l->n; i++) {
            const Value *it = list_item(v[C_LINES].l, i);
            for (int f = 1; f <= 3; f += 2)
                if (it[f].s) assert_int_equal(it[f].s->hash, str_hash(it[f].s->data, it[f].s->len));
        }
    }
    free(json);
}

/* A string value scanned 16 bytes a step: every byte value in every lane
 * of the first two steps (a quote ends the string there, a backslash
 * starts an escape, a control byte or a lone byte >= 0x80 is refused at
 * its offset, the rest is text), and plain strings ending at every offset
 * near the steps' boundaries, the record ending right after them. */
static void test_string_scan_every_byte(void **state) {
    Ctx *c = *state;
    char json[256], text[64];
    for (int pos = 0; pos < 34; pos++)
        for (int b = 1; b < 256; b++) {
            memset(text, 'a', 40);
            text[pos] = (char)b;
            text[40] = 0;
            int len = snprintf(json, sizeof json, "{\"claim_id\":\"C1\",\"note\":\"%s\"}", text);
            size_t boff = (size_t)len - 2 - 40 + (size_t)pos; /* the byte's offset */
            const Value *v;
            int rc = same_as_reference(c, json, NULL, &v);
            if (b == '"') {
                assert_int_not_equal(rc, 0);
                assert_int_equal(c->off, boff + 1);
            } else if (b == '\\') {
                assert_int_not_equal(rc, 0);
                assert_non_null(strstr(c->err, "invalid escape '\\a'"));
                assert_int_equal(c->off, boff);
            } else if (b < 0x20 || b >= 0x80) {
                assert_int_not_equal(rc, 0);
                assert_non_null(strstr(c->err, b < 0x20 ? "control character" : "invalid UTF-8"));
                assert_int_equal(c->off, boff);
            } else {
                assert_int_equal(rc, 0);
                assert_int_equal(v[C_NOTE].s->len, 40);
                assert_memory_equal(v[C_NOTE].s->data, text, 41);
            }
        }
    StrMap m;
    strmap_init_fast(&m, mem_default());
    JsonrOptions shared = {&m, NULL, 0, 0, 0, 0};
    for (int n = 1; n < 50; n++)
        for (int tail = 0; tail < 2; tail++) {
            for (int i = 0; i < n; i++) text[i] = (char)('A' + (i * 7 + n) % 26);
            text[n] = 0;
            snprintf(json, sizeof json,
                     tail
                         ? "{\"claim_id\":\"C1\",\"note\":\"%s\"}"
                         : "{\"claim_id\":\"C1\",\"lines\":[{\"line_no\":1,\"item_code\":\"%s\"}]}",
                     text);
            for (int sh = 0; sh < 2; sh++) {
                const Value *v;
                assert_int_equal(same_as_reference(c, json, sh ? &shared : NULL, &v), 0);
                const ArbStr *s = tail ? v[C_NOTE].s : list_item(v[C_LINES].l, 0)[1].s;
                assert_int_equal(s->len, n);
                assert_memory_equal(s->data, text, (size_t)n + 1);
                assert_int_equal(s->hash, str_hash(text, (size_t)n));
                /* laid out as arena_alloc would: the padding after the NUL is zero */
                for (size_t k = (size_t)n + 1; k < (((size_t)n + 8) & ~(size_t)7); k++)
                    assert_int_equal(s->data[k], 0);
            }
        }
    strmap_free(&m);
}

/* The string scan's UTF-8 checks (five 3-byte characters at a time, two
 * at a time, one) against utf8_check: runs of 1 to 13 three-byte
 * characters (E0 and ED leads at their limits among them), each byte of
 * each replaced by every value from 0x80 to 0xFF, by 'A' and by a quote,
 * the string last in the text or followed by a short or a long field:
 * accepted exactly when utf8_check finds it valid, else rejected at the
 * byte it names; cut by a quote, valid up to it, rejected after it. */
static void test_utf8_runs(void **state) {
    Ctx *c = *state;
    static const char *const chars[] = {"左",           "\xE0\xA0\x80", "氧", "\xED\x9F\xBF",
                                        "\xE1\x80\x80", "\xEC\xBF\xBF", "氟", "\xEE\x80\x80",
                                        "\xEF\xBF\xBF", "\xED\x80\x80", "沙", "\xE0\xBF\xBF"};
    const size_t nchars = sizeof chars / sizeof *chars;
    char json[256], text[64];
    size_t checked = 0, accepted = 0;
    for (size_t k = 1; k <= 13; k++)
        for (int form = 0; form < 3; form++)
            for (size_t pos = 0; pos < 3 * k; pos++)
                for (int b = 0x7E; b < 0x100; b++) {
                    static const char *const forms[] = {
                        "{\"claim_id\":\"C1\",\"note\":\"%s\"}",
                        "{\"claim_id\":\"C1\",\"note\":\"%s\",\"sex\":\"M\"}",
                        "{\"claim_id\":\"C1\",\"note\":\"%s\",\"person_id\":\"P0000000000\"}"};
                    static const size_t after[] = {2, 12, 28}; /* bytes after the text */
                    for (size_t i = 0; i < k; i++) memcpy(text + 3 * i, chars[(i + k) % nchars], 3);
                    text[3 * k] = 0;
                    text[pos] = (char)(b == 0x7E ? '"' : b == 0x7F ? 'A' : b);
                    int len = snprintf(json, sizeof json, forms[form], text);
                    size_t start = (size_t)len - after[form] - 3 * k; /* the note's text */
                    size_t bad = utf8_check(text, b == 0x7E ? pos : 3 * k);
                    const Value *v;
                    int rc = same_as_reference(c, json, NULL, &v);
                    checked++;
                    if (b == 0x7E && bad == UTF8_VALID) { /* a string cut short */
                        assert_int_not_equal(rc, 0);
                        assert_non_null(strstr(c->err, "expected ',' or '}'"));
                        assert_int_equal(c->off, start + pos + 1);
                    } else if (bad == UTF8_VALID) {
                        accepted++;
                        assert_int_equal(rc, 0);
                        assert_int_equal(v[C_NOTE].s->len, 3 * k);
                        assert_memory_equal(v[C_NOTE].s->data, text, 3 * k + 1);
                    } else {
                        assert_int_not_equal(rc, 0);
                        assert_non_null(strstr(c->err, "invalid UTF-8"));
                        assert_int_equal(c->off, start + bad);
                    }
                }
    assert_true(checked > 50000 && accepted > 1000 && accepted < checked);
}

/* The record loop's key matching (the key expected next, the one after
 * it, the scan and table) against the reference reading, which always
 * scans: every subset of the claim's fields in the schema's order (a line
 * list's items with a subset of theirs), as written, with one key repeated
 * two and three keys on, with a key spaced from its colon, escaped, or
 * followed by an unknown one, plainly, strict, and with a field limit. */
static void test_keys_match_reference(void **state) {
    Ctx *c = *state;
    static const char *const kv[C__N] = {"\"claim_id\":\"C1\"",
                                         "\"person_id\":\"P\"",
                                         "\"sex\":\"M\"",
                                         "\"birth\":\"2024-01-01\"",
                                         "\"settle\":\"2025-01-01T00:00:00\"",
                                         "\"level\":3",
                                         "\"total\":\"1.00\"",
                                         "\"urgent\":true",
                                         "\"stay\":\"1h\"",
                                         "\"note\":\"n\"",
                                         NULL /* lines: built below */,
                                         "\"diagnoses\":[{\"code\":\"A\"}]",
                                         "\"age\":3"};
    static const char *const line_kv[] = {"\"line_no\":1", "\"item_code\":\"X\"",
                                          "\"amount\":\"2.50\"", "\"name\":\"左\"", "\"qty\":2"};
    JsonrOptions opts[3] = {
        {NULL, NULL, 0, 0, 0, 0}, {NULL, NULL, 1, 0, 0, 0}, {NULL, NULL, 0, 0, 2, 0}};
    char json[2048], lines[256];
    size_t checked = 0, accepted = 0;
    for (uint32_t mask = 0; mask < (1u << C__N); mask += 1 + (mask & 3))
        for (int variant = 0; variant < 7; variant++) {
            uint32_t lm = (mask * 7 + (uint32_t)variant) & 31;
            size_t k = (size_t)snprintf(lines, sizeof lines, "\"lines\":[");
            for (int item = 0; item < 2; item++) {
                k += (size_t)snprintf(lines + k, sizeof lines - k, "%s{", item ? "," : "");
                int first = 1;
                for (int f = 0; f < 5; f++)
                    if (lm >> f & 1 || (item && f == 0)) {
                        k += (size_t)snprintf(lines + k, sizeof lines - k, "%s%s", first ? "" : ",",
                                              line_kv[f]);
                        first = 0;
                    }
                k += (size_t)snprintf(lines + k, sizeof lines - k, "}");
            }
            snprintf(lines + k, sizeof lines - k, "]");
            size_t n = (size_t)snprintf(json, sizeof json, "{");
            int nkeys = 0, repeat = -1;
            for (int f = 0; f < C__N; f++) {
                if (!(mask >> f & 1)) continue;
                const char *item = f == C_LINES ? lines : kv[f];
                char alt[300];
                if (variant == 2 && nkeys == 1) { /* spaced from its colon */
                    const char *colon = strchr(item + 1, '"') + 1;
                    snprintf(alt, sizeof alt, "%.*s \t%s", (int)(colon - item), item, colon);
                    item = alt;
                } else if (variant == 3 && nkeys == 1) { /* its first letter escaped */
                    snprintf(alt, sizeof alt, "\"\\u%04x%s", (unsigned char)item[1], item + 2);
                    item = alt;
                }
                n += (size_t)snprintf(json + n, sizeof json - n, "%s%s", nkeys ? "," : "", item);
                if (variant == 4 && nkeys == 0)
                    n += (size_t)snprintf(json + n, sizeof json - n, ",\"zz\":1");
                if (variant == 1 && nkeys == 0) repeat = f;
                if (variant == 1 && nkeys == 2 && repeat >= 0) /* the first again */
                    n += (size_t)snprintf(json + n, sizeof json - n, ",%s",
                                          repeat == C_LINES ? lines : kv[repeat]);
                nkeys++;
            }
            snprintf(json + n, sizeof json - n, "}");
            if (variant >= 5) { /* spaced as Python writes JSON, or with newlines */
                char spaced[2048];
                size_t k2 = 0;
                int in_str = 0;
                for (const char *q = json; *q; q++) {
                    spaced[k2++] = *q;
                    if (*q == '"' && (q == json || q[-1] != '\\')) in_str = !in_str;
                    if (!in_str && (*q == ',' || *q == ':' || (variant == 6 && *q == '{')))
                        spaced[k2++] = variant == 5 ? ' ' : '\n';
                }
                spaced[k2] = 0;
                memcpy(json, spaced, k2 + 1);
            }
            for (int o = 0; o < 3; o++) {
                checked++;
                accepted += same_as_reference(c, json, &opts[o], NULL) == 0;
            }
        }
    assert_true(checked > 10000 && accepted > 1000 && accepted < checked);
}

/* A record of 300 fields: the keys read are tracked in a word (the first
 * 64), in words on the stack (up to 256) and in the arena (past that);
 * each given twice is rejected at its second key, and all read once are
 * read, in order and backwards. */
static void test_wide_record(void **state) {
    (void)state;
    enum { NF = 300 };
    static Field fields[NF];
    static char names[NF][8];
    for (int f = 0; f < NF; f++) {
        snprintf(names[f], sizeof names[f], "f%d", f);
        fields[f] = (Field){
            names[f], (uint32_t)strlen(names[f]), {TY_INT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0,
            NULL};
    }
    static RecordType rt = {"wide", NF, fields, -1, -1, -1};
    JsonReader *r = jsonr_new(&rt, mem_default());
    assert_non_null(r);
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    static char text[NF * 16 + 64];
    char err[256];
    size_t off;
    const Value *v;
    for (int back = 0; back < 2; back++) {
        size_t n = 0;
        for (int i = 0; i < NF; i++) {
            int f = back ? NF - 1 - i : i;
            n += (size_t)snprintf(text + n, sizeof text - n, "%s\"f%d\":%d", i ? "," : "{", f, f);
        }
        n += (size_t)snprintf(text + n, sizeof text - n, "}");
        if (jsonr_parse(r, text, n, &ar, &v, err, sizeof err, &off)) fail_msg("rejected: %s", err);
        for (int f = 0; f < NF; f++) assert_int_equal(v[f].i, f);
    }
    static const int twice[] = {0, 5, 63, 64, 127, 200, 255, 256, 299};
    for (size_t t = 0; t < sizeof twice / sizeof *twice; t++)
        for (int fast = 0; fast < 2; fast++) {
            int d = twice[t];
            /* d, then d + 1 (or d - 1), then d again: the guess, then not */
            int other = d + 1 < NF ? d + 1 : d - 1;
            int n = snprintf(text, sizeof text, "{\"f%d\":1,\"f%d\":2,\"f%d\":3}", d, other, d);
            char want[64];
            snprintf(want, sizeof want, "key 'f%d' given twice in one object", d);
            int rc = fast ? jsonr_parse(r, text, (size_t)n, &ar, &v, err, sizeof err, &off)
                          : jsonr_parse_reference(r, text, (size_t)n, &ar, NULL, &v, err,
                                                  sizeof err, &off);
            assert_int_equal(rc, -1);
            assert_string_equal(err, want);
            assert_int_equal(off, (size_t)(strrchr(text, ',') - text) + 1);
        }
    arena_free(&ar);
    jsonr_free(r);
}

/* The date fast path's memory of the last date read: a second date equal
 * to the first but in one byte (each of the 10, each of a set of bytes),
 * a date then a datetime and the other way round, against the reference
 * reading; and equal dates give equal days. */
static void test_date_memo(void **state) {
    Ctx *c = *state;
    static const char *const firsts[] = {"2024-02-28", "2024-02-29", "2023-02-28",
                                         "1800-01-01", "2999-12-31", "2024-13-01"};
    static const char repl[] = "0123456789-/xT ";
    char json[256], second[16];
    size_t checked = 0, accepted = 0;
    for (size_t a = 0; a < sizeof firsts / sizeof *firsts; a++)
        for (int i = 0; i < 10; i++)
            for (size_t r = 0; r < sizeof repl - 1; r++)
                for (int order = 0; order < 2; order++) {
                    memcpy(second, firsts[a], 11);
                    second[i] = repl[r];
                    snprintf(
                        json, sizeof json,
                        order ? "{\"claim_id\":\"C1\",\"settle\":\"%sT01:02:03\",\"birth\":\"%s\"}"
                              : "{\"claim_id\":\"C1\",\"birth\":\"%s\",\"settle\":\"%sT01:02:03\"}",
                        order ? second : firsts[a], order ? firsts[a] : second);
                    const Value *v;
                    int rc = same_as_reference(c, json, NULL, &v);
                    checked++;
                    if (rc == 0) {
                        accepted++;
                        if (!strcmp(second, firsts[a]))
                            assert_int_equal(v[C_SETTLE].i, v[C_BIRTH].i * SECS_PER_DAY + 3723);
                    }
                }
    assert_true(checked > 1500 && accepted > 100 && accepted < checked);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type),
        cmocka_unit_test(test_missing_null_and_empty),
        cmocka_unit_test(test_derived_and_unknown_keys_skipped),
        cmocka_unit_test(test_escapes_and_unicode),
        cmocka_unit_test(test_bad_strings),
        cmocka_unit_test(test_nul_rejected),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_money),
        cmocka_unit_test(test_dates_bools_enums),
        cmocka_unit_test(test_enum_labels_and_codes),
        cmocka_unit_test(test_several_errors),
        cmocka_unit_test(test_unread_keys_counted_or_strict),
        cmocka_unit_test(test_wrong_json_types),
        cmocka_unit_test(test_required_fields),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_long_list),
        cmocka_unit_test(test_shared_strings),
        cmocka_unit_test(test_shared_strings_prev_line),
        cmocka_unit_test(test_expected_key),
        cmocka_unit_test(test_keys_match_reference),
        cmocka_unit_test(test_key_lookup),
        cmocka_unit_test(test_wide_record),
        cmocka_unit_test(test_parse_out_of_memory),
        cmocka_unit_test(test_small_error_buffer),
        cmocka_unit_test(test_field_limit),
        cmocka_unit_test(test_no_hash),
        cmocka_unit_test(test_new_out_of_memory),
        cmocka_unit_test(test_fast_paths_match_reference),
        cmocka_unit_test(test_fast_path_values),
        cmocka_unit_test(test_date_memo),
        cmocka_unit_test(test_fast_enum_field_limit),
        cmocka_unit_test(test_string_scan_every_byte),
        cmocka_unit_test(test_utf8_runs),
        cmocka_unit_test(test_hashes_of_many_strings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
