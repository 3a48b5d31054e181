/* test_fmt.c — the formatter (lang/fmt.c, arb_format): comments in every
 * position, blank lines, long lines, nested if/then/else, table, schema,
 * enum and category layout, Lua blocks kept byte for byte, idempotence, and
 * text that does not parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arbiter.h"
#include "fmt.h"

/* Formats src; checks that formatting the result again changes nothing and
 * returns the result (static buffer). */
static const char *fmt(const char *src) {
    static char res[8192];
    StrBuf out, err;
    sb_init(&out, mem_default());
    sb_init(&err, mem_default());
    int rc = fmt_format("t.rules", src, strlen(src), mem_default(), &out, &err);
    if (rc != FMT_OK) print_error("%.*s", (int)err.len, err.p);
    assert_int_equal(rc, FMT_OK);
    assert_true(out.len < sizeof res);
    memcpy(res, out.p, out.len);
    res[out.len] = 0;
    StrBuf again;
    sb_init(&again, mem_default());
    assert_int_equal(fmt_format("t.rules", res, out.len, mem_default(), &again, &err), FMT_OK);
    assert_int_equal(again.len, out.len);
    assert_memory_equal(again.p, out.p, out.len); /* idempotent */
    sb_free(&again);
    sb_free(&out);
    sb_free(&err);
    return res;
}

static void test_rule_layout(void **state) {
    (void)state;
    assert_string_equal(fmt("rule   X.1  \"t\"   in C\n"
                            "for line in claim.lines\n"
                            "        when line.quantity>2 and line.unit_price  >  1.00\n"
                            "  and not exists(d in claim.diagnoses where d.code==\"I10\")\n"
                            "flag line amount (line.unit_price-1.00)*line.quantity\n"
                            "   message \"{line.item_name} 单价{line.unit_price}元\"\n"),
                        "rule X.1 \"t\" in C\n"
                        "  for line in claim.lines\n"
                        "  when line.quantity > 2 and line.unit_price > 1.00\n"
                        "   and not exists(d in claim.diagnoses where d.code == \"I10\")\n"
                        "  flag line amount (line.unit_price - 1.00) * line.quantity\n"
                        "       message \"{line.item_name} 单价{line.unit_price}元\"\n");
    /* a clause written on the rule's line goes on its own line; so does a
     * declaration after another on one line */
    assert_string_equal(fmt("define a = 1 define b = -a\n"
                            "rule X.1 in C when claim.age > -1 flag claim\n"),
                        "define a = 1\n"
                        "define b = -a\n"
                        "rule X.1 in C\n"
                        "  when claim.age > -1\n"
                        "  flag claim\n");
    /* and/or continuing a where-condition: two columns in */
    assert_string_equal(fmt("rule X.1 in C\n"
                            "  for line in claim.lines\n"
                            "  when exists(x in claim.lines\n"
                            "  where x.line_no != line.line_no\n"
                            "  and x.item_code == line.item_code)\n"
                            "  flag line\n"),
                        "rule X.1 in C\n"
                        "  for line in claim.lines\n"
                        "  when exists(x in claim.lines\n"
                        "              where x.line_no != line.line_no\n"
                        "                and x.item_code == line.item_code)\n"
                        "  flag line\n");
}

static void test_comments(void **state) {
    (void)state;
    assert_string_equal(fmt("   # file header\n"
                            "#   kept as written\n"
                            "\n\n\n"
                            "  # before a table\n"
                            "table t from \"t.csv\" {   # after the brace\n"
                            "# a column\n"
                            "  code code key # the key\n"
                            "  name   text\n"
                            "      # before the closing brace\n"
                            "}\n"
                            "rule X.1 in C\n"
                            "# between clauses\n"
                            "  for line in claim.lines\n"
                            "  when line.quantity > 2 # trailing\n"
                            "     and (line.unit_price > 1.00 # in parentheses\n"
                            "       # a line of its own in parentheses\n"
                            "          or line.amount > 2.00)\n"
                            "  flag line\n"
                            "# at the end\n"
                            "\n\n"),
                        "# file header\n"
                        "#   kept as written\n"
                        "\n"
                        "# before a table\n"
                        "table t from \"t.csv\" {  # after the brace\n"
                        "  # a column\n"
                        "  code  code  key  # the key\n"
                        "  name  text\n"
                        "  # before the closing brace\n"
                        "}\n"
                        "rule X.1 in C\n"
                        "  # between clauses\n"
                        "  for line in claim.lines\n"
                        "  when line.quantity > 2        # trailing\n" /* aligned with the next */
                        "   and (line.unit_price > 1.00  # in parentheses\n"
                        "        # a line of its own in parentheses\n"
                        "        or line.amount > 2.00)\n"
                        "  flag line\n"
                        "# at the end\n");
    /* a '#' inside a string is not a comment */
    assert_string_equal(fmt("rule X.1 in C   when claim.dept == \"#3 病区\"   flag claim\n"),
                        "rule X.1 in C\n  when claim.dept == \"#3 病区\"\n  flag claim\n");
}

static void test_blocks(void **state) {
    (void)state;
    /* columns of a table, a schema and an enum line up (CJK counts two) */
    assert_string_equal(fmt("table price from \"p.csv\" {\ncode code key\nname text\n"
                            "max_price money\n}\n"),
                        "table price from \"p.csv\" {\n  code       code  key\n"
                        "  name       text\n  max_price  money\n}\n");
    assert_string_equal(fmt("extend schema line {\nward text\nbed_days int = 3\n\n"
                            "  parts list of line\n}\n"),
                        "extend schema line {\n  ward      text\n  bed_days  int = 3\n\n"
                        "  parts list of line\n}\n");
    assert_string_equal(fmt("enum care {\n op \"普通门诊\" codes \"11\",\"门诊\"\n"
                            " inpatient \"住院\" codes \"21\"\n pharmacy \"定点药店购药\"\n}\n"),
                        "enum care {\n"
                        "  op        \"普通门诊\"     codes \"11\", \"门诊\"\n"
                        "  inpatient \"住院\"         codes \"21\"\n"
                        "  pharmacy  \"定点药店购药\"\n"
                        "}\n");
    assert_string_equal(fmt("category C \"标题\" {\n code \"GZ1\" tier policy severity high\n}\n"),
                        "category C \"标题\" {\n  code \"GZ1\"  tier policy  severity high\n}\n");
    /* inline tests: records with spaces inside their braces and brackets */
    assert_string_equal(fmt("test \"one\" {\nclaim {\nsex: F,\nlines: [{item_code: \"A\", "
                            "quantity: -1},\n{item_code: \"B\"}]\n}\n"
                            "expect flag X.1 on line 1 amount 2.00\n}\n"),
                        "test \"one\" {\n"
                        "  claim {\n"
                        "    sex: F,\n"
                        "    lines: [ { item_code: \"A\", quantity: -1 },\n"
                        "             { item_code: \"B\" } ]\n"
                        "  }\n"
                        "  expect flag X.1 on line 1 amount 2.00\n"
                        "}\n");
}

static void test_nested_if(void **state) {
    (void)state;
    assert_string_equal(fmt("define cap(l) = if l.item_kind == drug\n"
                            "then (if claim.age < 18 then 10\n"
                            "else 20)\n"
                            "   else 30\n"),
                        "define cap(l) = if l.item_kind == drug\n"
                        "  then (if claim.age < 18 then 10\n"
                        "        else 20)\n"
                        "  else 30\n");
    assert_string_equal(fmt("rule X.1 in C\n  for line in claim.lines\n"
                            "  when line.quantity > if line.item_kind == drug then if claim.age "
                            "< 18 then 1 else 2 else 3\n  flag line\n"),
                        "rule X.1 in C\n  for line in claim.lines\n"
                        "  when line.quantity > if line.item_kind == drug then if claim.age < "
                        "18 then 1 else 2 else 3\n  flag line\n");
}

static void test_long_lines(void **state) {
    (void)state;
    /* a long line stays one line: line breaks are the author's */
    char src[2048], want[2048];
    strcpy(src, "rule X.1 in C\n  for line in claim.lines\n  when line.item_code in {");
    strcpy(want, src);
    for (int i = 0; i < 30; i++) {
        char code[32];
        snprintf(code, sizeof code, "%s\"C%03d\"", i ? ", " : "", i);
        strcat(want, code);
        snprintf(code, sizeof code, "%s\"C%03d\"", i ? " ,  " : "", i);
        strcat(src, code);
    }
    strcat(src, "}\n  flag line message \"");
    strcat(want, "}\n  flag line message \"");
    for (int i = 0; i < 40; i++) strcat(src, "很长的消息"), strcat(want, "很长的消息");
    strcat(src, "\"\n");
    strcat(want, "\"\n");
    assert_true(strlen(want) > 300);
    assert_string_equal(fmt(src), want);
}

static void test_lua_untouched(void **state) {
    (void)state;
    const char *src = "lua [[\n"
                      "function   twice(x)   return x*2 end  -- # not a comment of ours\n"
                      "   local t = { a=1 }\n"
                      "]]   {\n"
                      "twice(int)   int\n"
                      "}\n";
    assert_string_equal(fmt(src),
                        "lua [[\n"
                        "function   twice(x)   return x*2 end  -- # not a comment of ours\n"
                        "   local t = { a=1 }\n"
                        "]] {\n"
                        "  twice(int) int\n"
                        "}\n");
    assert_string_equal(fmt("lua   \"dose.lua\" {\n dose_ok(line,claim) bool\n}\n"),
                        "lua \"dose.lua\" {\n  dose_ok(line, claim) bool\n}\n");
}

static void test_syntax_error(void **state) {
    (void)state;
    const char *src = "rule X.1 in C\n  when claim.age > > 1\n";
    StrBuf out, err;
    sb_init(&out, mem_default());
    sb_init(&err, mem_default());
    assert_int_equal(fmt_format("bad.rules", src, strlen(src), mem_default(), &out, &err),
                     FMT_ERR_SYNTAX);
    assert_int_equal(out.len, 0);
    sb_putc(&err, 0);
    assert_non_null(strstr(err.p, "bad.rules:2:20: error: syntax error: unexpected '>'"));
    sb_free(&out);
    sb_free(&err);
}

static void test_api(void **state) {
    (void)state;
    char *out = NULL;
    size_t n = 0;
    const char *src = "define   a=1\n";
    assert_int_equal(arb_format("a.rules", src, strlen(src), &out, &n), ARB_OK);
    assert_string_equal(out, "define a = 1\n");
    assert_int_equal(n, 13);
    free(out);
    assert_int_equal(arb_format("a.rules", "define = 1", 10, &out, &n), ARB_ERR_RULES);
    assert_non_null(strstr(out, "a.rules:1:8: error:"));
    free(out);
    assert_int_equal(arb_format(NULL, src, 1, &out, &n), ARB_ERR_USAGE);
    assert_null(out);
    /* an empty file stays empty; a byte-order mark is kept */
    assert_int_equal(arb_format("e.rules", "", 0, &out, &n), ARB_OK);
    assert_int_equal(n, 0);
    free(out);
    assert_int_equal(arb_format("b.rules",
                                "\xEF\xBB\xBF"
                                "define a =1",
                                14, &out, &n),
                     ARB_OK);
    assert_string_equal(out, "\xEF\xBB\xBF"
                             "define a = 1\n");
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_layout),  cmocka_unit_test(test_comments),
        cmocka_unit_test(test_blocks),       cmocka_unit_test(test_nested_if),
        cmocka_unit_test(test_long_lines),   cmocka_unit_test(test_lua_untouched),
        cmocka_unit_test(test_syntax_error), cmocka_unit_test(test_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
