/* test_parser.c — the lemon grammar and the parser driver: declarations,
 * spans, precedence, error recovery, template expressions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "syntax.h"

typedef struct Parsed {
    Arena ar;
    DiagList diags;
    ParseCtx c;
    int errors;
} Parsed;

static void parse_source(Parsed *p, const char *src) {
    memset(p, 0, sizeof *p);
    arena_init(&p->ar, mem_default(), 4096);
    diag_init(&p->diags, mem_default());
    p->c.ar = &p->ar;
    p->c.diags = &p->diags;
    p->c.src = src;
    p->errors = parse_file(&p->c, src, strlen(src));
}

static void done(Parsed *p) {
    arena_free(&p->ar);
    diag_free(&p->diags);
}

static int count(Node *n) {
    int k = 0;
    for (; n; n = n->next) k++;
    return k;
}

static void test_declarations(void **state) {
    (void)state;
    Parsed p;
    parse_source(
        &p,
        "import \"x.rules\"\n"
        "enum sex { M \"男\" F \"女\" }\n"
        "schema line { key int item_code code required amount money at_risk }\n"
        "category C \"标题\" { code \"GZ1\" severity high points 2 }\n"
        "table t from \"t.csv\" { code code key name text }\n"
        "define adult = claim.age >= 18\n"
        "define older(a, n) = a.age > n\n"
        "rule C.1 \"title\" in C phase pre settle for line in claim.lines when adult flag line\n");
    assert_int_equal(p.errors, 0);
    assert_int_equal(p.diags.n, 0);
    Node *d = p.c.decls.head;
    int kinds[] = {N_IMPORT, N_ENUM, N_SCHEMA, N_CATEGORY, N_TABLE, N_DEFINE, N_DEFINE, N_RULE};
    for (int i = 0; i < 8; i++, d = d->next) {
        assert_non_null(d);
        assert_int_equal(d->kind, kinds[i]);
    }
    d = p.c.decls.head->next->next; /* schema: 'key' here is a field name (fallback) */
    assert_int_equal(count(d->list), 3);
    assert_true(tok_eq(d->list->name, "key"));
    assert_int_equal(d->list->next->next->list->op, OP_AT_RISK);
    Node *rule = p.c.decls.tail;
    assert_true(tok_eq(rule->name, "C.1"));
    assert_int_equal(count(rule->list), 4); /* phase, for, when, flag */
    done(&p);
}

static void test_precedence_and_spans(void **state) {
    (void)state;
    Parsed p;
    parse_source(&p, "define x = not a.b == 1 + 2 * 3 and c in {\"A%\", \"B\"} or d\n");
    assert_int_equal(p.diags.n, 0);
    Node *e = p.c.decls.head->a;
    assert_int_equal(e->kind, N_BINARY);
    assert_int_equal(e->op, OP_OR);
    Node *and = e->a;
    assert_int_equal(and->op, OP_AND);
    Node *not = and->a;
    assert_int_equal(not ->kind, N_UNARY);
    Node *eq = not ->a;
    assert_int_equal(eq->op, OP_EQ);
    assert_int_equal(eq->b->op, OP_ADD);
    assert_int_equal(eq->b->b->op, OP_MUL);
    assert_int_equal(and->b->op, OP_IN);
    assert_int_equal(and->b->b->kind, N_SET);
    /* spans: the == node covers "a.b == 1 + 2 * 3" */
    assert_int_equal(eq->off, 15);
    assert_int_equal(eq->end, 31);
    done(&p);
}

static void test_aggregates(void **state) {
    (void)state;
    Parsed p;
    parse_source(
        &p,
        "define x = count(l in claim.lines where l.q > 1) + sum(l.amount for l in claim.lines)\n"
        "define y = exists(d in claim.diagnoses where d.code in {\"E11%\"})\n");
    assert_int_equal(p.diags.n, 0);
    Node *add = p.c.decls.head->a;
    assert_int_equal(add->a->kind, N_AGG);
    assert_int_equal(add->a->op, OP_COUNT);
    assert_non_null(add->a->b);
    assert_int_equal(add->b->op, OP_SUM);
    assert_null(add->b->b);
    assert_non_null(add->b->c);
    done(&p);
}

/* Binders, in list: PARAM nodes whose a is the list, or MATCH nodes (table
 * name in a, key in b); history(...) is an ordinary call. */
static void test_chained_binders(void **state) {
    (void)state;
    Parsed p;
    parse_source(&p, "define x = sum(x.q for h in history(365d), x in h.lines where x.q > 1)\n"
                     "define y = count(h in history(r.days * 1d), a in h.lines, b in a.parts)\n"
                     "define z = exists(l in claim.lines, match t in tab on l.code where t.n > 1)\n"
                     "define w = count(match t in tab on claim.code)\n");
    assert_int_equal(p.diags.n, 0);
    Node *sum = p.c.decls.head->a;
    assert_int_equal(sum->kind, N_AGG);
    assert_int_equal(sum->op, OP_SUM);
    Node *h = sum->list;
    assert_int_equal(h->kind, N_PARAM);
    assert_true(tok_eq(h->name, "h"));
    assert_int_equal(h->a->kind, N_CALL);
    assert_true(tok_eq(h->a->name, "history"));
    Node *x = h->next;
    assert_non_null(x);
    assert_int_equal(x->kind, N_PARAM);
    assert_true(tok_eq(x->name, "x"));
    assert_int_equal(x->a->kind, N_FIELDREF);
    assert_null(x->next);
    assert_non_null(sum->b);
    Node *cnt = p.c.decls.head->next->a;
    assert_int_equal(cnt->op, OP_COUNT);
    assert_null(cnt->b);
    assert_true(tok_eq(cnt->list->next->name, "a"));
    assert_true(tok_eq(cnt->list->next->next->name, "b"));
    assert_int_equal(cnt->list->a->list->kind, N_BINARY); /* r.days * 1d */
    Node *ex = p.c.decls.head->next->next->a;
    assert_int_equal(ex->op, OP_EXISTS);
    Node *m = ex->list->next;
    assert_int_equal(m->kind, N_MATCH);
    assert_true(tok_eq(m->name, "t"));
    assert_true(tok_eq(m->a->name, "tab"));
    assert_int_equal(m->b->kind, N_FIELDREF);
    assert_null(m->next);
    assert_non_null(ex->b);
    Node *w = p.c.decls.head->next->next->next->a;
    assert_int_equal(w->list->kind, N_MATCH);
    assert_null(w->list->next);
    done(&p);
}

static void test_recovery_reports_each_declaration(void **state) {
    (void)state;
    Parsed p;
    parse_source(&p, "rule A in C when flag line\n"       /* 'when' without a condition */
                     "rule B in C when x = 1 flag line\n" /* '=' instead of '==' */
                     "define ok = 1\n"
                     "table t from { }\n" /* no file name */
                     "define fine = 2\n");
    assert_int_equal(p.errors, 3);
    assert_int_equal(p.diags.n, 3);
    assert_int_equal(count(p.c.decls.head), 2); /* the two defines survive */
    assert_int_equal(p.diags.items[0].off, 17);
    assert_non_null(strstr(p.diags.items[1].msg, "'='"));
    done(&p);
}

static void test_inline_tests(void **state) {
    (void)state;
    Parsed p;
    parse_source(&p, "test \"two claims\" {\n"
                     "  claim { claim_id: \"A\", sex: F, amount: -1.50, n: -3, ok: true,\n"
                     "          d: 2025-03-01, t: 2025-03-01T09:00:00, dur: 15d, x: missing,\n"
                     "          lines: [ { item_code: \"X\" }, { quantity: 2, }, ] }\n"
                     "  claim { }\n"
                     "  expect flag R.1 on line 2 amount 12.50\n"
                     "  expect no flag R.2\n"
                     "}\n"
                     "rule R.1 in C flag claim\n"
                     "test \"broken\" { claim { a 1 } }\n"
                     "define after = 1\n");
    assert_int_equal(p.errors, 1); /* the broken test; the rest survives */
    assert_int_equal(count(p.c.decls.head), 3);
    Node *t = p.c.decls.head;
    assert_int_equal(t->kind, N_TEST);
    assert_string_equal(t->str, "two claims");
    assert_int_equal(count(t->list), 4);
    Node *c1 = t->list;
    assert_int_equal(c1->kind, N_TRECORD);
    assert_true(tok_eq(c1->name, "claim"));
    assert_int_equal(count(c1->list), 10);
    Node *f = c1->list->next->next; /* amount: -1.50 ('amount' is a field name here) */
    assert_true(tok_eq(f->name, "amount"));
    assert_int_equal(f->a->kind, N_MONEY);
    assert_int_equal(f->a->ival, -150);
    assert_int_equal(f->next->a->ival, -3);
    Node *lines = c1->list;
    while (lines->next) lines = lines->next;
    assert_int_equal(lines->a->kind, N_TLIST);
    assert_int_equal(count(lines->a->list), 2);
    Node *e = t->list->next->next;
    assert_int_equal(e->kind, N_EXPECT);
    assert_true(tok_eq(e->name, "R.1"));
    assert_int_equal(e->op, 0);
    assert_int_equal(e->a->ival, 2);
    assert_int_equal(e->b->ival, 1250);
    assert_int_equal(e->next->op, 1);
    assert_null(e->next->a);
    assert_int_equal(p.c.decls.tail->kind, N_DEFINE);
    done(&p);
}

static void test_template_expression(void **state) {
    (void)state;
    Parsed p;
    parse_source(&p, "");
    const char *text = "r.name + 1";
    Node *e = parse_expr(&p.c, text, strlen(text), 100);
    assert_non_null(e);
    assert_int_equal(e->kind, N_BINARY);
    assert_int_equal(e->off, 100);
    assert_int_equal(e->end, 110);
    assert_null(parse_expr(&p.c, "a +", 3, 0));
    done(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declarations),
        cmocka_unit_test(test_precedence_and_spans),
        cmocka_unit_test(test_aggregates),
        cmocka_unit_test(test_chained_binders),
        cmocka_unit_test(test_recovery_reports_each_declaration),
        cmocka_unit_test(test_template_expression),
        cmocka_unit_test(test_inline_tests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
