/* test_checker.c — name resolution, types and diagnostics of the checker:
 * every mistake is reported at the right place, as many as there are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "compile.h"
#include "history.h"
#include "table.h"

/* A small schema every test starts from. */
static const char *const SCHEMA =
    "enum sex { M \"男\" F \"女\" }\n"
    "schema line { line_no int key  item_code code required  amount money at_risk  time datetime  "
    "qty int }\n"
    "schema diagnosis { code code }\n"
    "schema claim { claim_id code key  sex sex  birth date  admit datetime  settle datetime as_of\n"
    "  lines list of line  diagnoses list of diagnosis\n"
    "  age int = age_years(birth, date(settle)) }\n"
    "category C \"测试\" { code \"GZ1\" severity high nature definite points 2 }\n";

typedef struct Built {
    SourceList src;
    DiagList diags;
    Program *p;
} Built;

static void build(Built *b, const char *rules) {
    sources_init(&b->src, mem_default());
    diag_init(&b->diags, mem_default());
    int files[2];
    files[0] = sources_add_text(&b->src, "schema.rules", SCHEMA, strlen(SCHEMA));
    files[1] = sources_add_text(&b->src, "t.rules", rules, strlen(rules));
    b->p = check_build(mem_default(), &b->src, files, 2, &b->diags, 0);
}

static void done(Built *b) {
    program_free(b->p);
    sources_free(&b->src);
    diag_free(&b->diags);
}

/* The i-th diagnostic is an error at line:col of t.rules containing text. */
static void expect_diag(Built *b, size_t i, uint32_t line, uint32_t col, const char *text) {
    if (i >= b->diags.n) fail_msg("only %zu diagnostics, wanted #%zu (%s)", b->diags.n, i, text);
    const Diag *d = &b->diags.items[i];
    uint32_t l, c;
    diag_line_col(&b->src.items[d->file], d->off, &l, &c);
    if (l != line || c != col || !strstr(d->msg, text))
        fail_msg("diagnostic %zu: got %u:%u '%s', wanted %u:%u '%s'", i, l, c, d->msg, line, col,
                 text);
}

static void test_good_rules_compile(void **state) {
    (void)state;
    Built b;
    build(&b, "define adult = claim.age >= 18\n"
              "define big(l, n) = l.amount > n\n"
              "rule C.1 \"t\" in C\n"
              "  for line in claim.lines\n"
              "  when claim.sex == F and adult and big(line, 100) and line.item_code in {\"X1%\", "
              "\"Y\"}\n"
              "  flag line message \"{line.item_code} {claim.sex} {line.amount}\"\n"
              "rule C.2 in C when count(l in claim.lines where l.qty > 2) > 1 and\n"
              "  not exists(d in claim.diagnoses where d.code matches \"^E1[01]\") flag claim "
              "amount 10.00\n");
    if (!b.p)
        for (size_t i = 0; i < b.diags.n; i++) fprintf(stderr, "%s\n", b.diags.items[i].msg);
    assert_non_null(b.p);
    assert_int_equal(b.p->nrules, 2);
    assert_string_equal(b.p->rules[0].id, "C.1");
    assert_int_equal(b.p->rules[0].severity, SEV_high);
    assert_int_equal(b.p->rules[1].flags_claim, 1);
    done(&b);
}

static void test_many_errors_in_one_run(void **state) {
    (void)state;
    Built b;
    build(&b, "rule A in C\n"
              "  for line in claim.lines\n"
              "  when line.item_cod == \"X\"\n" /* 3:13 unknown field, with a hint */
              "  flag line\n"
              "rule B in C when claim.sex == X flag claim\n" /* 5:31 not a member */
              "rule C in D flag claim\n"                     /* 6:11 unknown category */
              "rule A in C flag claim\n"                     /* 7:6 duplicate id (+ a note) */
              "rule E in C when claim.age + \"x\" > 1 flag claim\n" /* 8:18 int + code */
              "rule F in C when claim.age flag claim\n"             /* 9:18 when needs bool */
              "rule G in C when foo(1) flag claim\n");              /* 10:18 unknown function */
    assert_null(b.p);
    expect_diag(&b, 0, 3, 13, "line has no field 'item_cod'; did you mean 'item_code'?");
    expect_diag(&b, 1, 5, 31, "'X' is not a member of sex");
    expect_diag(&b, 2, 6, 11, "unknown category 'D'");
    expect_diag(&b, 3, 7, 6, "rule id 'A' is used twice");
    expect_diag(&b, 5, 8, 18, "do not go together");
    expect_diag(&b, 6, 9, 18, "'when' needs a condition");
    expect_diag(&b, 7, 10, 18, "unknown function 'foo'");
    assert_int_equal(b.diags.errors, 7);
    done(&b);
}

/* A set with a bad member is an error as a whole: reported once, at the
 * member, and a rule using it is not compiled with the member left out (it
 * was, with a null string, which the fuzzer found). */
static void test_set_with_a_bad_member(void **state) {
    (void)state;
    Built b;
    build(&b, "define s = {\"N40%\", \"C61%\" - \"C62%\"}\n" /* 1:21 code - code */
              "rule A in C for line in claim.lines when line.item_code in s flag line\n"
              "rule B in C for line in claim.lines\n"
              "  when line.item_code in {\"X\", claim.sex} flag line\n"); /* 4:32 */
    assert_null(b.p);
    expect_diag(&b, 0, 1, 21, "do not go together");
    expect_diag(&b, 1, 4, 32, "set members must be constants");
    assert_int_equal(b.diags.errors, 2);
    done(&b);
}

static void test_clause_order_and_flag_target(void **state) {
    (void)state;
    Built b;
    build(&b, "rule A in C when claim.age > 1 for line in claim.lines flag line\n"
              "rule B in C for line in claim.lines flag x\n"
              "rule D in C when claim.age > 1\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 32, "comes too late");
    expect_diag(&b, 1, 2, 42, "'flag' names the claim or a 'for' variable");
    expect_diag(&b, 2, 3, 6, "never flags anything");
    done(&b);
}

static void test_define_hygiene_and_recursion(void **state) {
    (void)state;
    Built b;
    build(&b, "define uses_line = line.amount > 1\n" /* 'line' is not visible inside a define */
              "define loop = loop\n"
              "rule A in C for line in claim.lines when uses_line flag line\n"
              "rule B in C when loop flag claim\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 20, "unknown name 'line'");
    assert_true(b.diags.n >= 2);
    int found = 0;
    for (size_t i = 0; i < b.diags.n; i++)
        found |= strstr(b.diags.items[i].msg, "refers to itself") != NULL;
    assert_true(found);
    done(&b);
}

/* history(): a list of claims, in any phase (by default all, like any
 * rule), durations only, not in derived fields; chained binders see the
 * earlier variables. */
static void test_history(void **state) {
    (void)state;
    Built b;
    build(&b, "rule H.1 in C when count(p in history(30d), x in p.lines where x.qty > 1) > 2\n"
              "  flag claim message \"{sum(x.amount for p in history(2w), x in p.lines)}\"\n"
              "rule H.2 in C for p in history(claim.age * 1d) when p.sex != claim.sex flag claim\n"
              "rule H.3 in C phase post when exists(p in history(8h) where p.age > 1) flag claim\n"
              "rule N.1 in C when count(l in claim.lines) > 0 flag claim\n");
    for (size_t i = 0; i < b.diags.n; i++) fprintf(stderr, "diag: %s\n", b.diags.items[i].msg);
    assert_non_null(b.p);
    assert_int_equal(b.p->rules[0].phases, PHASE_ALL); /* the default, as for any rule */
    assert_int_equal(b.p->rules[1].phases, PHASE_ALL);
    assert_int_equal(b.p->rules[2].phases, 1u << PHASE_post);
    assert_int_equal(b.p->rules[3].phases, PHASE_ALL);
    done(&b);
    build(&b, "rule S.1 in C phase pre settle when count(p in history(7d)) > 1 flag claim\n");
    assert_non_null(b.p); /* history at settlement: the store gives a claim's history */
    assert_int_equal(b.p->rules[0].phases, 1u << PHASE_pre | 1u << PHASE_settle);
    done(&b);
    build(&b, "rule E.2 in C when count(p in history(7)) > 1 flag claim\n"
              "rule E.3 in C when count(p in history(7d), x in p.sex) > 1 flag claim\n"
              "rule E.4 in C when count(p in history(7d), x in p.lines where p.qty > 1) > 1 "
              "flag claim\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 31, "history() takes a duration such as 30d or a calendar period");
    expect_diag(&b, 1, 2, 49, "count needs a list such as x.lines, not sex");
    expect_diag(&b, 2, 3, 65, "claim has no field 'qty'");
    done(&b);
}

/* history(calendar_year) and its kin: known names inside history() only,
 * compiled to the HIST_CAL_* durations; a misspelling is an error with a
 * suggestion; a variable or define of that name is used as such. */
static void test_history_calendar(void **state) {
    (void)state;
    Built b;
    build(&b, "rule Y in C when count(p in history(calendar_year)) > 2 flag claim\n"
              "rule Q in C when count(p in history(calendar_quarter)) > 2 flag claim\n"
              "rule M in C when count(p in history(calendar_month)) > 2 flag claim\n");
    assert_non_null(b.p);
    int64_t want[] = {HIST_CAL_YEAR, HIST_CAL_QUARTER, HIST_CAL_MONTH};
    for (int i = 0; i < 3; i++) {
        const Rule *r = &b.p->rules[i];
        int found = 0;
        for (uint32_t pc = r->entry; pc < r->code_end; pc += 1 + opcode_nargs[b.p->code[pc]]) {
            if (b.p->code[pc] != OPC_CONST) continue;
            int32_t k = rule_ops(b.p, r)[b.p->code[pc + 1]];
            found |= b.p->consts[k].i == want[i] && b.p->const_types[k].kind == TY_DURATION;
        }
        assert_true(found);
    }
    done(&b);
    build(&b, "rule E.1 in C when count(p in history(calender_year)) > 2 flag claim\n"
              "rule E.2 in C when count(p in history(calendar_year * 2)) > 2 flag claim\n"
              "rule E.3 in C when calendar_month > 1d flag claim\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 39, "unknown period 'calender_year'; did you mean 'calendar_year'?");
    expect_diag(&b, 1, 2, 39, "calendar_year");
    expect_diag(&b, 2, 3, 20, "calendar_month");
    done(&b);
    build(&b, "define calendar_month = 30d\n"
              "rule D in C when count(p in history(calendar_month)) > 2 flag claim\n");
    assert_non_null(b.p); /* the define */
    done(&b);
}

/* least() and greatest(): two values of one ordered kind; the result has
 * that kind (money when an int meets money). */
static void test_least_greatest(void **state) {
    (void)state;
    Built b;
    build(&b, "rule L in C for l in claim.lines flag l amount least(l.amount, 100)\n"
              "  message \"{greatest(l.qty, 2)} {least(claim.birth, 2000-01-01)}\"\n");
    assert_non_null(b.p);
    done(&b);
    build(&b, "rule E.1 in C when least(claim.sex, 1) == 1 flag claim\n"
              "rule E.2 in C when greatest(1d, 2) == 1d flag claim\n"
              "rule E.3 in C when least(1) == 1 flag claim\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 20, "least() takes two numbers, amounts, durations, dates or times");
    expect_diag(&b, 1, 2, 20, "greatest() takes two numbers");
    expect_diag(&b, 2, 3, 20, "least() takes 2 arguments, not 1");
    done(&b);
}

static void test_key_prefix(void **state) {
    (void)state;
    Built b;
    build(&b, "table t from \"" ARB_TEST_DATA "/tables/indication.csv\" {\n"
              "  code code key prefix  name text }\n"
              "rule P.1 in C for line in claim.lines when line.item_code in t flag line\n");
    assert_int_equal(b.diags.errors, 0);
    assert_non_null(b.p);
    assert_int_equal(b.p->tables[0]->key_prefix, 1);
    uint32_t n;
    /* every key is a prefix: bare ones and the one written with '%' alike */
    assert_non_null(table_find(b.p->tables[0], "XJ01CAA797E001010105925", 23, 1, &n));
    assert_int_equal(n, 1);
    assert_non_null(table_find(b.p->tables[0], "XL01", 4, 1, &n));
    assert_null(table_find(b.p->tables[0], "XJ01CAA797E001010105925", 23, 0, &n));
    done(&b);
    build(&b, "table t from \"" ARB_TEST_DATA "/tables/indication.csv\" {\n"
              "  code code prefix  name text }\n"
              "schema extra { x code prefix }\n");
    assert_null(b.p);
    expect_diag(&b, 0, 3, 23, "'prefix' follows 'key' on a table's key column");
    expect_diag(&b, 1, 2, 13, "'prefix' follows 'key'");
    done(&b);
}

static void test_conditional_and_label(void **state) {
    (void)state;
    Built b;
    build(&b, "define d = if claim.sex == M then 1 else 2\n"
              "rule K.1 in C for l in claim.lines\n"
              "  when (if l.qty > 1 then l.amount else 3) > 2.00 and label(claim.sex) == \"女\"\n"
              "   and (if d == 1 then claim.sex else F) == M\n"
              "   and (if d == 2 then M else claim.sex) != F\n"
              "  flag l amount if l.qty > 1 then l.amount else 0\n"
              "  message \"{label(claim.sex)} {if d == 1 then l.item_code else l.item_code}\"\n");
    assert_non_null(b.p);
    done(&b);
    build(&b, "rule E.1 in C when (if claim.age then 1 else 2) == 1 flag claim\n"
              "rule E.2 in C when (if claim.age > 1 then 1 else claim.sex) == 1 flag claim\n"
              "rule E.3 in C when label(claim.age) == \"x\" flag claim\n"
              "rule E.4 in C when (if claim.age > 1 then 1 else claim.lines) == 1 flag claim\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 24, "the condition of 'if' must be true or false, not int");
    expect_diag(&b, 1, 2, 20, "'then' gives int and 'else' gives sex: both must be of one type");
    expect_diag(&b, 2, 3, 20, "label() takes an enum value");
    expect_diag(&b, 3, 4, 20, "both must be of one type");
    done(&b);
}

static void test_history_not_in_derived_fields(void **state) {
    (void)state;
    Built b;
    build(&b, "rule F.1 in C for p in history(7d) flag p\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 41, "'p' is another claim (from history)");
    done(&b);
    build(&b, "extend schema claim { seen int = count(p in history(7d)) }\n"
              "rule N.1 in C when claim.seen > 0 flag claim\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 45, "history() cannot be used in a derived field");
    done(&b);
}

/* A schema holding a list of itself (lists nesting without end) is an
 * error at the field, not a silent failure later in the readers. */
static void test_lists_nest_boundedly(void **state) {
    (void)state;
    Built b;
    build(&b, "schema part { no int key  parts list of part }\n"
              "extend schema claim { parts list of part }\n"
              "rule P.1 in C for x in claim.parts when x.no > 1 flag x\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 27, "does 'part' hold a list of itself?");
    done(&b);
    build(&b, "schema leaf { n int }\n"
              "schema part { no int key  leaves list of leaf }\n"
              "extend schema claim { parts list of part }\n"
              "rule P.1 in C for x in claim.parts when count(y in x.leaves) > 1 flag x\n");
    assert_non_null(b.p);
    done(&b);
}

static void test_inline_tests(void **state) {
    (void)state;
    Built b;
    build(&b,
          "rule L.1 in C for line in claim.lines when line.qty > 1 flag line\n"
          "rule K.1 in C when claim.sex == F flag claim\n"
          "test \"t\" {\n"
          "  claim { claim_id: \"A\", admit: 2025-03-01T09:00, lines: [ { item_code: \"X\" } ] }\n"
          "  claim { sex: F, lines: [ { item_code: \"Y\", qty: 2, amount: 3 },\n"
          "                          { item_code: \"Z\", time: missing } ] }\n"
          "  expect flag L.1 on line 1 amount 3.00\n"
          "  expect no flag K.1\n"
          "}\n");
    assert_null(b.diags.n ? b.diags.items[0].msg : NULL);
    assert_non_null(b.p);
    assert_int_equal(b.p->ntests, 1);
    const InlineTest *t = &b.p->tests[0];
    assert_string_equal(t->name, "t");
    assert_int_equal(t->nclaims, 2);
    assert_string_equal(t->claim_id, "T2");
    /* this schema has no person_id, care_type, settle_time, admit_time or
     * quantity: only the defaults whose fields exist are filled in */
    assert_string_equal(
        t->claims, "{\"claim_id\":\"A\",\"admit\":\"2025-03-01T09:00:00\",\"lines\":[{\"line_"
                   "no\":1,\"item_code\":\"X\"}]}\n"
                   "{\"claim_id\":\"T2\",\"sex\":\"F\",\"lines\":[{\"line_no\":1,\"item_code\":"
                   "\"Y\",\"amount\":\"3.00\",\"qty\":2},{\"line_no\":2,\"item_code\":\"Z\"}]}\n");
    assert_int_equal(t->nexpects, 2);
    assert_string_equal(t->expects[0].rule, "L.1");
    assert_int_equal(t->expects[0].line_no, 1);
    assert_int_equal(t->expects[0].amount, 300);
    assert_int_equal(t->expects[1].negate, 1);
    assert_int_equal(t->expects[1].line_no, -1);
    assert_true(t->expects[1].amount == INT64_MIN);
    done(&b);

    build(&b, "rule K.1 in C when claim.sex == F flag claim\n"
              "test \"bad\" {\n"
              "  claim { sex: X, birth: 2025-01-01T10:00, age: 3, nope: 1,\n"
              "          lines: [ { qty: 1.5 }, { item_code: \"A\", item_code: \"B\" } ] }\n"
              "  expect flag K.2\n"
              "  expect flag K.1 on line 1\n"
              "  expext flag K.1\n"
              "}\n"
              "test \"empty\" { }\n");
    assert_null(b.p);
    expect_diag(&b, 0, 3, 16, "'X' is not a member of sex");
    expect_diag(&b, 1, 3, 26, "field 'birth' is a date (2025-01-31), not a datetime");
    expect_diag(&b, 2, 3, 44, "'age' is derived");
    expect_diag(&b, 3, 3, 52, "claim has no field 'nope'");
    expect_diag(&b, 4, 4, 27, "field 'qty' is int, not a money amount");
    expect_diag(&b, 5, 4, 52, "'item_code' is given twice");
    expect_diag(&b, 6, 5, 15, "unknown rule 'K.2'; did you mean 'K.1'?");
    expect_diag(&b, 7, 6, 22, "rule K.1 flags the claim, not a line");
    expect_diag(&b, 8, 7, 3, "a test holds 'claim { ... }' and 'expect [no] flag RULE'");
    expect_diag(&b, 9, 9, 6, "test \"empty\" has no 'claim { ... }'");
    done(&b);

    build(&b, "test \"required\" { claim { lines: [ { qty: 2 } ] } expect no flag K.1 }\n"
              "rule K.1 in C when claim.sex == F flag claim\n");
    expect_diag(&b, 0, 1, 36, "line 1 has no 'item_code' (a required field of line)");
    done(&b);
}

/* `match r in T on K` as a binder of an aggregate: checked as the rule
 * clause (the table, a string key), first or after a list binder. */
static void test_match_in_aggregates(void **state) {
    (void)state;
    Built b;
    build(&b,
          "table t from \"" ARB_TEST_DATA "/tables/indication.csv\" {\n"
          "  code code key  name text  pattern_id int  pattern regex }\n"
          "rule M.1 in C for line in claim.lines\n"
          "  when exists(x in claim.lines, match q in t on x.item_code where q.pattern_id > 1)\n"
          "   and count(match q in t on line.item_code) > 0 flag line\n");
    for (size_t i = 0; i < b.diags.n; i++) fprintf(stderr, "diag: %s\n", b.diags.items[i].msg);
    assert_non_null(b.p);
    done(&b);
    build(&b,
          "table t from \"" ARB_TEST_DATA "/tables/indication.csv\" {\n"
          "  code code key  name text  pattern_id int  pattern regex }\n"
          "rule M.1 in C when exists(x in claim.lines, match q in u on x.item_code) flag claim\n"
          "rule M.2 in C when exists(x in claim.lines, match q in t on x.amount) flag claim\n"
          "rule M.3 in C when exists(match q in t on claim.claim_id where q.nme == \"a\")\n"
          "  flag claim\n");
    assert_null(b.p);
    expect_diag(&b, 0, 3, 56, "unknown table 'u'");
    expect_diag(&b, 1, 4, 61, "a table is matched on a code or text, not money");
    expect_diag(&b, 2, 5, 66, "table t has no column 'nme'; did you mean 'name'?");
    done(&b);
}

static void test_regex_column_and_extend_table(void **state) {
    (void)state;
    Built b;
    build(&b, "table t from \"" ARB_TEST_DATA "/tables/indication.csv\" {\n"
              "  code code key  name text  pattern_id int  pattern regex }\n"
              "extend table t from \"" ARB_TEST_DATA "/tables/lib/tables/more.csv\"\n"
              "extend table t from \"" ARB_TEST_DATA "/tables/indication.csv\"\n"
              "rule R.1 in C for line in claim.lines match r in t on line.item_code\n"
              "  when line.item_code matches r.pattern flag line\n");
    /* the file extended again repeats its rows, and the extension's key
     * lies under a prefix key: warnings naming both places */
    assert_int_equal(b.diags.errors, 0);
    assert_int_equal(b.diags.n, 4);
    int repeats = 0, nested = 0;
    for (size_t i = 0; i < b.diags.n; i++) {
        const Diag *d = &b.diags.items[i];
        assert_int_equal(d->severity, DIAG_WARNING);
        repeats +=
            strstr(d->msg, "this row repeats the row at") && strstr(d->msg, "indication.csv:");
        nested += strstr(d->msg, "the key 'XL01XC99999' lies under the prefix 'XL01' at") &&
                  strstr(d->msg, "indication.csv:3:1");
    }
    assert_int_equal(repeats, 3);
    assert_int_equal(nested, 1);
    assert_non_null(b.p);
    const Table *t = b.p->tables[0];
    assert_int_equal(t->nrows, 7); /* 3 + 1 extended + the same 3 again */
    /* equal patterns share one compiled expression; an empty cell is missing */
    assert_int_equal(b.p->nregexes, 3);
    assert_int_equal(t->rows[3 * 4 + 3].i, 2);
    assert_true(t->rows[2 * 4 + 3].i == INT64_MIN);
    assert_int_equal(t->rows[4 * 4 + 3].i, t->rows[0 * 4 + 3].i);
    assert_string_equal(b.p->regex_src[2], "(胃癌|肺癌)");
    done(&b);

    build(&b, "schema s { p regex }\n"
              "table t from \"" ARB_TEST_DATA "/tables/indication.csv\" {\n"
              "  code code key  name text  pattern_id int  pattern regex }\n"
              "extend table u from \"x.csv\"\n"
              "rule R.1 in C for line in claim.lines match r in t on line.item_code\n"
              "  when line.item_code matches r.name flag line message \"{r.pattern}\"\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 14, "regex is a type of table columns only");
    expect_diag(&b, 1, 4, 14, "'extend table u': no such table");
    expect_diag(&b, 2, 6, 31, "'matches' needs a regular expression");
    expect_diag(&b, 3, 6, 58, "a message can show scalar values, not regex");
    done(&b);
}

/* A rule pinning a line's code to a table with a header and no rows: it
 * is indexed under no key (it can never fire), not a crash (the checker
 * once read the first of the rule's index keys, which did not exist). */
static void test_index_on_an_empty_table(void **state) {
    (void)state;
    Built b;
    build(&b,
          "table t from \"" ARB_TEST_DATA "/tables/header_only.csv\" { code code key  name text }\n"
          "rule R.1 in C for line in claim.lines when line.item_code in t flag line\n"
          "rule R.2 in C for line in claim.lines\n"
          "  when line.qty > 1 and line.item_code in t and line.item_code == \"X\" flag line\n");
    assert_int_equal(b.diags.n, 0);
    assert_non_null(b.p);
    assert_int_equal(b.p->tables[0]->nrows, 0);
    assert_int_equal(b.p->nrules, 2);
    for (uint32_t r = 0; r < 2; r++) {
        assert_true(b.p->rules[r].index >= 0);
        assert_int_equal(b.p->indexes[b.p->rules[r].index].keys->nrows, 0);
    }
    done(&b);
}

static void test_template_errors(void **state) {
    (void)state;
    Built b;
    build(&b, "rule A in C for line in claim.lines flag line message \"{line.nope} and {\"\n");
    assert_null(b.p);
    expect_diag(&b, 0, 1, 62, "line has no field 'nope'");
    expect_diag(&b, 1, 1, 72, "without a closing");
    done(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_rules_compile),
        cmocka_unit_test(test_many_errors_in_one_run),
        cmocka_unit_test(test_set_with_a_bad_member),
        cmocka_unit_test(test_clause_order_and_flag_target),
        cmocka_unit_test(test_define_hygiene_and_recursion),
        cmocka_unit_test(test_template_errors),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_history_calendar),
        cmocka_unit_test(test_least_greatest),
        cmocka_unit_test(test_history_not_in_derived_fields),
        cmocka_unit_test(test_lists_nest_boundedly),
        cmocka_unit_test(test_inline_tests),
        cmocka_unit_test(test_match_in_aggregates),
        cmocka_unit_test(test_regex_column_and_extend_table),
        cmocka_unit_test(test_index_on_an_empty_table),
        cmocka_unit_test(test_conditional_and_label),
        cmocka_unit_test(test_key_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
