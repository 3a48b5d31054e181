/* test_symindex.c — the symbol index (lang/symindex.c) as the checker
 * fills it: declarations with their spans and details, uses of fields,
 * columns, tables, enum members, categories, defines, rules and variables,
 * repeated uses dropped, and lookups by position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "compile.h"
#include "symindex.h"

static const char *const SCHEMA =
    "enum sex { M \"男\" codes \"1\" F \"女\" codes \"2\" }\n"
    "schema line { line_no int key  item_code code required  amount money at_risk }\n"
    "schema claim { claim_id code key  sex sex  lines list of line }\n";

static const char *const RULES =
    "category C \"测试类\" { code \"GZ1\" tier policy severity high nature definite points 2 }\n"
    "table t from \"t.csv\" { code code key  name text }\n"
    "define big(l) = l.amount > 10.00\n"
    "rule C.1 \"标题\" in C\n"
    "  for line in claim.lines\n"
    "  match r in t on line.item_code\n"
    "  when claim.sex == F and big(line) and big(line)\n"
    "  flag line message \"{r.name}\"\n"
    "test \"x\" { claim { sex: F } expect no flag C.1 }\n";

typedef struct Built {
    SourceList src;
    DiagList diags;
    SymIndex ix;
    int files[2];
} Built;

static void build(Built *b) {
    sources_init(&b->src, mem_default());
    diag_init(&b->diags, mem_default());
    symindex_init(&b->ix, mem_default());
    b->files[0] = sources_add_text(&b->src, "schema.rules", SCHEMA, strlen(SCHEMA));
    b->files[1] =
        sources_add_text(&b->src, ARB_TEST_DATA "/symindex/symindex.rules", RULES, strlen(RULES));
    Program *p = check_build_indexed(mem_default(), &b->src, b->files, 2, &b->diags, 0, &b->ix);
    for (size_t i = 0; i < b->diags.n; i++) fprintf(stderr, "diag: %s\n", b->diags.items[i].msg);
    assert_non_null(p);
    program_free(p);
}

static void drop(Built *b) {
    symindex_free(&b->ix);
    diag_free(&b->diags);
    sources_free(&b->src);
}

static uint32_t off_of(const char *text, const char *needle, int nth) {
    size_t n = strlen(text), k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(text + i, needle, k) == 0 && nth-- == 0) return (uint32_t)i;
    fail_msg("'%s' not found", needle);
    return 0;
}

static const SymDef *def(Built *b, const char *key) {
    int32_t i = symindex_find(&b->ix, key);
    if (i < 0) fail_msg("no symbol %s", key);
    return &b->ix.defs[i];
}

/* The number of uses of key in file 1 and whether one is at `at`. */
static size_t uses(Built *b, const char *key, uint32_t at, int *found) {
    int32_t d = symindex_find(&b->ix, key);
    size_t n = 0;
    *found = 0;
    for (size_t i = 0; i < b->ix.nuses; i++)
        if (b->ix.uses[i].def == (uint32_t)d && b->ix.uses[i].file == b->files[1]) {
            n++;
            *found |= b->ix.uses[i].off == at;
        }
    return n;
}

static void test_declarations(void **state) {
    (void)state;
    Built b;
    build(&b);
    const SymDef *d = def(&b, "field:line.item_code");
    assert_int_equal(d->kind, SK_FIELD);
    assert_int_equal(d->file, b.files[0]);
    assert_int_equal(d->off, off_of(SCHEMA, "item_code", 0));
    assert_int_equal(d->len, 9);
    assert_string_equal(d->detail, "line.item_code: code required");
    assert_string_equal(b.ix.defs[d->parent].key, "schema:line");
    assert_string_equal(def(&b, "field:claim.lines")->type_rec, "line");
    assert_string_equal(def(&b, "member:sex.F")->detail, "sex.F \"女\" codes \"2\"");
    assert_string_equal(def(&b, "enum:sex")->detail, "enum sex: M \"男\", F \"女\"");
    assert_string_equal(def(&b, "category:C")->detail,
                        "category C \"测试类\": code GZ1, tier policy, severity high, nature "
                        "definite, points 2");
    d = def(&b, "table:t");
    assert_string_equal(d->detail, "table t from \"t.csv\" (2 rows): code code key, name text");
    assert_true(d->aux_file >= 0);
    assert_non_null(strstr(b.src.items[d->aux_file].path, "t.csv"));
    assert_string_equal(def(&b, "column:t.name")->detail, "t.name: text");
    assert_string_equal(def(&b, "define:big")->detail, "define big(l)");
    d = def(&b, "rule:C.1");
    assert_string_equal(d->detail, "rule C.1 \"标题\" in C");
    assert_int_equal(d->off, off_of(RULES, "C.1", 0));
    assert_int_equal(d->decl_off, off_of(RULES, "rule C.1", 0));
    drop(&b);
}

static void test_uses(void **state) {
    (void)state;
    Built b;
    build(&b);
    int found;
    /* line.item_code in the match; line.amount in the define's body once
     * though the define is checked at both of its uses */
    assert_int_equal(uses(&b, "field:line.item_code", off_of(RULES, "item_code", 0), &found), 1);
    assert_true(found);
    assert_int_equal(uses(&b, "field:line.amount", off_of(RULES, "amount", 0), &found), 1);
    assert_true(found);
    assert_int_equal(uses(&b, "define:big", off_of(RULES, "big(line)", 1), &found), 2);
    assert_true(found);
    assert_int_equal(uses(&b, "table:t", off_of(RULES, "t on", 0), &found), 1);
    assert_true(found);
    assert_int_equal(uses(&b, "column:t.name", off_of(RULES, "name}", 0), &found), 1);
    assert_true(found);
    assert_int_equal(uses(&b, "member:sex.F", off_of(RULES, "F and", 0), &found), 1);
    assert_true(found);
    assert_int_equal(uses(&b, "category:C", off_of(RULES, "in C\n", 0) + 3, &found), 1);
    assert_true(found);
    assert_int_equal(uses(&b, "rule:C.1", off_of(RULES, "C.1 }", 0), &found), 1);
    assert_true(found);
    assert_int_equal(uses(&b, "schema:claim", off_of(RULES, "claim.lines", 0), &found), 2);
    assert_true(found);
    /* the variables: line (a record of schema line), r (a row of table t) */
    char key[64];
    snprintf(key, sizeof key, "var:%d:%u", b.files[1], off_of(RULES, "r in t", 0));
    const SymDef *r = def(&b, key);
    assert_string_equal(r->detail, "r: row of table t");
    assert_string_equal(r->type_rec, "t");
    assert_true(r->type_is_table);
    snprintf(key, sizeof key, "var:%d:%u", b.files[1], off_of(RULES, "line in", 0));
    /* line.item_code, big(line) twice, flag line */
    assert_int_equal(uses(&b, key, off_of(RULES, "line message", 0), &found), 4);
    assert_true(found);
    assert_string_equal(def(&b, key)->type_rec, "line");
    /* sorted by file and offset */
    for (size_t i = 1; i < b.ix.nuses; i++)
        assert_true(b.ix.uses[i - 1].file < b.ix.uses[i].file ||
                    (b.ix.uses[i - 1].file == b.ix.uses[i].file &&
                     b.ix.uses[i - 1].off <= b.ix.uses[i].off));
    /* at a position: the innermost use, else a declared name */
    uint32_t so = 0, sl = 0;
    int32_t at = symindex_at(&b.ix, b.files[1], off_of(RULES, "item_code", 0) + 3, &so, &sl);
    assert_int_equal(so, off_of(RULES, "item_code", 0));
    assert_int_equal(sl, 9);
    assert_string_equal(b.ix.defs[at].key, "field:line.item_code");
    at = symindex_at(&b.ix, b.files[1], off_of(RULES, "big(l)", 0) + 1, NULL, NULL);
    assert_string_equal(b.ix.defs[at].key, "define:big");
    assert_int_equal(symindex_at(&b.ix, b.files[1], off_of(RULES, "\"标题\"", 0) + 2, NULL, NULL),
                     -1);
    drop(&b);
}

static void test_index_alone(void **state) {
    (void)state;
    SymIndex ix;
    symindex_init(&ix, mem_default());
    /* a use before its declaration is resolved at finish; one of a key
     * nobody declares, and one at the declared name, are dropped */
    symindex_use(&ix, "table:a", 0, 40, 1);
    symindex_use(&ix, "table:nothing", 0, 50, 7);
    assert_int_equal(symindex_def(&ix, SK_TABLE, "table:a", "a", "table a", 0, 10, 1, 0, 20, -1),
                     0);
    assert_int_equal(symindex_def(&ix, SK_TABLE, "table:a", "a", "again", 0, 30, 1, 0, 20, -1), 0);
    symindex_use(&ix, "table:a", 0, 10, 1);
    symindex_use(&ix, "table:a", 0, 40, 1);
    symindex_finish(&ix);
    assert_int_equal(ix.nuses, 1);
    assert_int_equal(ix.uses[0].off, 40);
    assert_int_equal(ix.uses[0].def, 0);
    assert_string_equal(ix.defs[0].detail, "table a");
    assert_int_equal(symindex_at(&ix, 0, 41, NULL, NULL), 0);
    assert_int_equal(symindex_at(&ix, 0, 10, NULL, NULL), 0);
    assert_int_equal(symindex_at(&ix, 1, 10, NULL, NULL), -1);
    symindex_free(&ix);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declarations),
        cmocka_unit_test(test_uses),
        cmocka_unit_test(test_index_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
