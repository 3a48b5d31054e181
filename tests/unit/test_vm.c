/* test_vm.c — the interpreter: rules compiled from text run on claims built
 * by hand; findings, amounts, messages, null semantics, aggregates, dates,
 * phases and effective dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arbiter.h"
#include "check.h"
#include "compile.h"
#include "history.h"
#include "scalar.h"
#include "vm.h"

static const char *const SCHEMA =
    "enum sex { M \"男\" F \"女\" }\n"
    "schema line { line_no int key  item_code code required  amount money at_risk  time datetime  "
    "qty int }\n"
    "schema diagnosis { code code }\n"
    "schema claim { claim_id code key  sex sex  birth date  admit datetime  discharge datetime\n"
    "  settle datetime as_of  total money at_risk  person_id code  admit_time datetime\n"
    "  lines list of line  diagnoses list of "
    "diagnosis\n"
    "  age int = age_years(birth, date(settle))\n"
    "  stay int = days_between(date(admit), date(discharge)) }\n"
    "category C \"测试\" { code \"GZ1\" severity high nature definite points 2 }\n";

typedef struct Env {
    SourceList src;
    DiagList diags;
    Program *p;
    VM vm;
    Arena ar;
    const RecordType *ct, *lt;
} Env;

static void setup_env(Env *e, const char *rules) {
    memset(e, 0, sizeof *e);
    sources_init(&e->src, mem_default());
    diag_init(&e->diags, mem_default());
    int files[2];
    files[0] = sources_add_text(&e->src, "schema.rules", SCHEMA, strlen(SCHEMA));
    /* named inside the test data directory so tables resolve there */
    files[1] = sources_add_text(&e->src, ARB_TEST_DATA "/docs/t.rules", rules, strlen(rules));
    e->p = check_build(mem_default(), &e->src, files, 2, &e->diags, 0);
    for (size_t i = 0; i < e->diags.n; i++) fprintf(stderr, "diag: %s\n", e->diags.items[i].msg);
    assert_non_null(e->p);
    assert_int_equal(vm_init(&e->vm, e->p, mem_default()), 0);
    arena_init(&e->ar, mem_default(), 4096);
    e->ct = e->p->claim;
    e->lt = e->ct->fields[record_field_index(e->ct, "lines", 5)].type.rec;
}

static void teardown_env(Env *e) {
    vm_free(&e->vm);
    arena_free(&e->ar);
    program_free(e->p);
    sources_free(&e->src);
    diag_free(&e->diags);
}

static Value *new_record(Env *e, const RecordType *rt) {
    Value *r = arena_alloc(&e->ar, rt->nfields * sizeof(Value));
    for (uint32_t i = 0; i < rt->nfields; i++) {
        if (type_is_int64(rt->fields[i].type.kind))
            r[i].i = ARB_NULL;
        else
            r[i].s = NULL;
    }
    return r;
}

/* Sets a field from text, the way a reader would. */
static void set(Env *e, Value *rec, const RecordType *rt, const char *field, const char *text) {
    int f = record_field_index(rt, field, strlen(field));
    assert_true(f >= 0);
    assert_null(scalar_parse(&rt->fields[f].type, text, strlen(text), &e->ar, &rec[f]));
}

static Value *new_claim(Env *e, const char *sex, const char *birth) {
    Value *c = new_record(e, e->ct);
    set(e, c, e->ct, "claim_id", "C1");
    if (sex) set(e, c, e->ct, "sex", sex);
    if (birth) set(e, c, e->ct, "birth", birth);
    set(e, c, e->ct, "admit", "2025-03-01T08:00:00");
    set(e, c, e->ct, "discharge", "2025-03-05T10:00:00");
    set(e, c, e->ct, "settle", "2025-03-05T12:00:00");
    return c;
}

/* Gives the claim n lines: codes[i], amounts[i], times[i]. */
static void add_lines(Env *e, Value *c, int n, const char *const *codes, const char *const *amounts,
                      const char *const *times) {
    ArbList *l = arena_alloc(&e->ar, sizeof(ArbList));
    l->n = (uint32_t)n;
    l->width = e->lt->nfields;
    l->items = arena_alloc(&e->ar, (size_t)n * l->width * sizeof(Value));
    for (int i = 0; i < n; i++) {
        Value *r = l->items + (size_t)i * l->width;
        for (uint32_t k = 0; k < l->width; k++) {
            if (type_is_int64(e->lt->fields[k].type.kind))
                r[k].i = ARB_NULL;
            else
                r[k].s = NULL;
        }
        char no[16];
        snprintf(no, sizeof no, "%d", i + 1);
        set(e, r, e->lt, "line_no", no);
        set(e, r, e->lt, "item_code", codes[i]);
        set(e, r, e->lt, "amount", amounts[i]);
        set(e, r, e->lt, "time", times ? times[i] : "2025-03-02T09:00:00");
        set(e, r, e->lt, "qty", "2");
    }
    c[record_field_index(e->ct, "lines", 5)].l = l;
}

static size_t run(Env *e, Value *claim, unsigned phases) {
    vm_clear(&e->vm);
    assert_int_equal(vm_check_claim(&e->vm, claim, phases, &e->ar), 0);
    return e->vm.nfindings;
}

static void test_attribute_restriction(void **state) {
    (void)state;
    Env e;
    setup_env(&e, "rule C.1 in C for line in claim.lines\n"
                  "  when line.item_code in {\"XG03%\", \"Y1\"} and claim.sex != F\n"
                  "  flag line message \"{line.item_code} 限女性, 患者{claim.sex}, {claim.age}岁, "
                  "{line.amount}\"\n");
    const char *codes[] = {"XG03AB0001", "ZZ", "Y1"}, *amounts[] = {"12.50", "3.00", "7"};
    Value *man = new_claim(&e, "M", "1980-06-01");
    add_lines(&e, man, 3, codes, amounts, NULL);
    assert_int_equal(run(&e, man, PHASE_ALL), 2);
    assert_int_equal(e.vm.findings[0].key.i, 1);
    assert_int_equal(e.vm.findings[0].amount, 1250);
    assert_string_equal(e.vm.findings[0].message, "XG03AB0001 限女性, 患者男, 44岁, 12.50");
    assert_int_equal(e.vm.findings[1].key.i, 3);
    Value *woman = new_claim(&e, "F", "1980-06-01");
    add_lines(&e, woman, 3, codes, amounts, NULL);
    assert_int_equal(run(&e, woman, PHASE_ALL), 0);
    /* a missing sex compares false: no finding */
    Value *unknown = new_claim(&e, NULL, NULL);
    add_lines(&e, unknown, 3, codes, amounts, NULL);
    assert_int_equal(run(&e, unknown, PHASE_ALL), 0);
    teardown_env(&e);
}

static void test_aggregates_run(void **state) {
    (void)state;
    Env e;
    setup_env(&e,
              "rule A in C when count(l in claim.lines where l.amount > 5) == 2 flag claim amount "
              "sum(l.amount for l in claim.lines)\n"
              "rule B in C when exists(l in claim.lines where l.item_code == \"B\") flag claim\n"
              "rule D in C when all(l in claim.lines where l.qty == 2) flag claim\n"
              "rule E in C when max(l.amount for l in claim.lines) - min(l.amount for l in "
              "claim.lines) == 9.00 flag claim\n"
              "rule G in C when count(l in claim.lines) == 0 flag claim message \"empty\"\n");
    const char *codes[] = {"A", "B", "C"}, *amounts[] = {"10.00", "6.00", "1.00"};
    Value *c = new_claim(&e, "M", "1990-01-01");
    add_lines(&e, c, 3, codes, amounts, NULL);
    assert_int_equal(run(&e, c, PHASE_ALL), 4);
    assert_string_equal(e.p->rules[e.vm.findings[0].rule].id, "A");
    assert_int_equal(e.vm.findings[0].amount, 1700);
    assert_int_equal(e.vm.findings[0].key.i, ARB_NULL);
    assert_string_equal(e.p->rules[e.vm.findings[3].rule].id, "E");
    Value *empty = new_claim(&e, "M", "1990-01-01");
    assert_int_equal(run(&e, empty, PHASE_ALL), 2); /* all() over nothing is true, and G */
    assert_string_equal(e.vm.findings[1].message, "empty");
    teardown_env(&e);
}

static void test_dates_and_durations(void **state) {
    (void)state;
    Env e;
    setup_env(
        &e,
        "rule OUT in C for line in claim.lines\n"
        "  when date(line.time) < date(claim.admit) or date(line.time) > date(claim.discharge)\n"
        "  flag line\n"
        "rule LONG in C when claim.discharge - claim.admit > 3d and claim.stay == 4 and "
        "claim.settle - 2h > claim.discharge - 1d flag claim\n"
        "rule DAY in C for line in claim.lines when date(line.time) - date(claim.admit) == 2d and "
        "year(line.time) == 2025 and month(line.time) == 3 flag line\n");
    const char *codes[] = {"A", "B", "C"}, *amounts[] = {"1", "1", "1"};
    const char *times[] = {"2025-02-28T23:59:00", "2025-03-03T00:00:00", "2025-03-06T00:00:01"};
    Value *c = new_claim(&e, "M", "1990-01-01");
    add_lines(&e, c, 3, codes, amounts, times);
    assert_int_equal(run(&e, c, PHASE_ALL), 4);
    assert_int_equal(e.vm.findings[0].key.i, 1);
    assert_int_equal(e.vm.findings[1].key.i, 3);
    assert_string_equal(e.p->rules[e.vm.findings[2].rule].id, "LONG");
    assert_int_equal(e.vm.findings[3].key.i, 2);
    teardown_env(&e);
}

static void test_phases_and_effective_dates(void **state) {
    (void)state;
    Env e;
    setup_env(&e, "rule PRE in C phase pre flag claim\n"
                  "rule POST in C phase settle post flag claim\n"
                  "rule OLD in C effective 2024-01-01 to 2024-12-31 flag claim\n"
                  "rule NEW in C effective 2025-03-05 flag claim\n");
    Value *c = new_claim(&e, "M", "1990-01-01");
    assert_int_equal(run(&e, c, 1u << PHASE_pre), 2);  /* PRE, NEW */
    assert_int_equal(run(&e, c, 1u << PHASE_post), 2); /* POST, NEW */
    assert_int_equal(run(&e, c, PHASE_ALL), 3);
    teardown_env(&e);
}

/* Without a settle time (pre-audit) a rule's effective range is judged
 * against admit_time, else the earliest line time; with neither, every
 * rule applies. */
static void test_effective_day_chain(void **state) {
    (void)state;
    Env e;
    setup_env(&e, "rule OLD in C effective 2024-01-01 to 2024-12-31 flag claim\n"
                  "rule NEW in C effective 2025-01-01 flag claim\n");
    Value *c = new_claim(&e, "M", "1990-01-01");
    int settle = record_field_index(e.ct, "settle", 6);
    int admit = record_field_index(e.ct, "admit_time", 10);
    const char *codes[] = {"A", "B"}, *amounts[] = {"1.00", "2.00"};
    const char *times[] = {"2025-01-02T09:00:00", "2024-12-31T23:00:00"};
    add_lines(&e, c, 2, codes, amounts, times);
    /* settled: the settle day, whatever the admission */
    set(&e, c, e.ct, "admit_time", "2024-12-30T08:00:00");
    assert_int_equal(vm_effective_day(&e.vm, c), 20152); /* 2025-03-05 */
    assert_int_equal(run(&e, c, PHASE_ALL), 1);
    assert_string_equal(e.p->rules[e.vm.findings[0].rule].id, "NEW");
    /* pre-audit: the admission day */
    c[settle].i = ARB_NULL;
    assert_int_equal(vm_effective_day(&e.vm, c), 20087); /* 2024-12-30 */
    assert_int_equal(run(&e, c, PHASE_ALL), 1);
    assert_string_equal(e.p->rules[e.vm.findings[0].rule].id, "OLD");
    set(&e, c, e.ct, "admit_time", "2025-01-01T00:00:00");
    assert_int_equal(run(&e, c, PHASE_ALL), 1);
    assert_string_equal(e.p->rules[e.vm.findings[0].rule].id, "NEW");
    /* no admission either: the earliest line (2024-12-31, the second) */
    c[admit].i = ARB_NULL;
    assert_int_equal(vm_effective_day(&e.vm, c), 20088);
    assert_int_equal(run(&e, c, PHASE_ALL), 1);
    assert_string_equal(e.p->rules[e.vm.findings[0].rule].id, "OLD");
    /* no time at all: every rule applies */
    c[record_field_index(e.ct, "lines", 5)].l = NULL;
    assert_true(vm_effective_day(&e.vm, c) == ARB_NULL);
    assert_int_equal(run(&e, c, PHASE_ALL), 2);
    teardown_env(&e);
}

/* Arithmetic past int64 fails the rule for the claim (reported, its
 * findings dropped), never a quiet "missing"; division by zero is missing. */
static void test_arithmetic_overflow_fails_the_rule(void **state) {
    (void)state;
    Env e;
    setup_env(
        &e,
        "rule BIG in C for line in claim.lines when line.amount * 1000000000000 > 0.00 flag line\n"
        "rule DIV in C for line in claim.lines when line.qty / 0 == 0 or missing(line.qty / 0) "
        "flag line\n");
    const char *codes[] = {"A", "B"}, *amounts[] = {"900000000000.00", "1.00"};
    Value *c = new_claim(&e, "M", "1990-01-01");
    add_lines(&e, c, 2, codes, amounts, NULL);
    assert_int_equal(run(&e, c, PHASE_ALL), 2); /* DIV on both; BIG failed */
    assert_int_equal(e.vm.nfailures, 1);
    assert_string_equal(e.p->rules[e.vm.failures[0].rule].id, "BIG");
    assert_non_null(strstr(e.vm.failures[0].message, "past the range of 64-bit values"));
    teardown_env(&e);
}

/* least(a, b) and greatest(a, b): the smaller and larger of two values of
 * one kind (an int next to money counts as yuan); missing when either is. */
static void test_least_greatest(void **state) {
    (void)state;
    Env e;
    setup_env(&e,
              "rule L in C for line in claim.lines flag line amount least(line.amount, 2)\n"
              "  message \"{least(line.qty, 3)} {greatest(line.qty, 3)} "
              "{greatest(line.amount, 1.50)} {least(-line.qty, greatest(line.qty, 0))} "
              "{least(date(claim.settle), 2025-02-01)} {missing(least(line.qty, line.qty))}\"\n");
    const char *codes[] = {"A", "B"}, *amounts[] = {"1.00", "5.00"};
    Value *c = new_claim(&e, "M", "1990-01-01");
    set(&e, c, e.ct, "settle", "2025-03-01T10:00:00");
    add_lines(&e, c, 2, codes, amounts, NULL);
    const ArbList *l = c[record_field_index(e.ct, "lines", 5)].l;
    set(&e, (Value *)list_item(l, 0), e.lt, "qty", ""); /* missing */
    set(&e, (Value *)list_item(l, 1), e.lt, "qty", "7");
    assert_int_equal(run(&e, c, PHASE_ALL), 2);
    assert_int_equal(e.vm.findings[0].amount, 100); /* least(1.00, 2) */
    assert_string_equal(e.vm.findings[0].message, "  1.50  2025-02-01 true");
    assert_int_equal(e.vm.findings[1].amount, 200); /* least(5.00, 2) */
    assert_string_equal(e.vm.findings[1].message, "3 7 5.00 -7 2025-02-01 false");
    teardown_env(&e);
}

static void test_match_exact_and_prefix_keys(void **state) {
    (void)state;
    Env e;
    setup_env(&e,
              "table drug_sex from \"drug_sex.csv\" { code code key  name text  sex sex }\n"
              "rule S.1 in C for line in claim.lines match r in drug_sex on line.item_code\n"
              "  when claim.sex != r.sex flag line message \"{r.name}限{r.sex}\"\n"
              "rule S.2 in C for line in claim.lines when line.item_code in drug_sex flag line\n");
    /* exact key, a code covered by the prefix key XG03CAA0002%, an unknown code */
    const char *codes[] = {"XG03DAH0001010101234", "XG03CAA0002123456789012", "XG03CAA0001",
                           "XG03BAB0001010100001"};
    const char *amounts[] = {"1", "2", "3", "4"};
    Value *man = new_claim(&e, "M", "1980-06-01");
    add_lines(&e, man, 4, codes, amounts, NULL);
    assert_int_equal(run(&e, man, PHASE_ALL), 5);
    assert_string_equal(e.vm.findings[0].message, "黄体酮注射液限女");
    assert_int_equal(e.vm.findings[1].key.i, 2);
    assert_string_equal(e.vm.findings[1].message, "己烯雌酚限女");
    /* S.2: membership, lines 1, 2 and 4 */
    assert_int_equal(e.vm.findings[2].key.i, 1);
    assert_int_equal(e.vm.findings[4].key.i, 4);
    teardown_env(&e);
}

/* history(): the person's earlier claims within the duration (ties by
 * input order), in chained aggregates and `for`; empty without an index. */
static void test_starts_with(void **state) {
    (void)state;
    Env e;
    setup_env(&e, "rule P in C for line in claim.lines when starts_with(line.item_code, \"XA1\")\n"
                  "  and not starts_with(line.item_code, \"XA10\") and not starts_with(\"X\", "
                  "line.item_code) flag line\n");
    const char *codes[] = {"XA11", "XA10B", "XA1", "X", "ZXA1"},
               *amounts[] = {"1", "1", "1", "1", "1"};
    Value *c = new_claim(&e, "M", "1990-01-01");
    add_lines(&e, c, 5, codes, amounts, NULL);
    assert_int_equal(run(&e, c, PHASE_ALL), 2); /* XA11 and XA1 (a string starts with itself) */
    assert_int_equal(e.vm.findings[0].key.i, 1);
    assert_int_equal(e.vm.findings[1].key.i, 3);
    teardown_env(&e);
}

static void test_history(void **state) {
    (void)state;
    Env e;
    setup_env(&e, "rule H in C when count(p in history(10d)) >= 1\n"
                  "  flag claim message \"{count(p in history(10d))} {count(p in history(3d))}\"\n"
                  "rule S in C when sum(x.qty for p in history(30d), x in p.lines\n"
                  "  where x.item_code == \"A\") >= 4 flag claim\n"
                  "rule X in C when exists(p in history(365d), x in p.lines where x.item_code == "
                  "\"B\" and p.claim_id != claim.claim_id) flag claim\n"
                  "rule Y in C when not exists(p in history(1d)) and any(p in history(5d))"
                  " flag claim\n"
                  "rule F in C for p in history(2d) for l in p.lines flag claim message "
                  "\"{p.claim_id}/{l.line_no}\"\n");
    /* P1: 03-01, 03-05, 03-08, 03-08 (same time); P2: 03-06; no person: 03-09 */
    const char *ids[] = {"K0", "K1", "K2", "K3", "K4", "K5"};
    const char *persons[] = {"P1", "P1", "P2", "P1", "P1", NULL};
    const char *settle[] = {"2025-03-01T12:00:00", "2025-03-05T12:00:00", "2025-03-06T12:00:00",
                            "2025-03-08T12:00:00", "2025-03-08T12:00:00", "2025-03-09T12:00:00"};
    const char *codes[] = {"A", "B"}, *amounts[] = {"1", "1"};
    Value *claims[6];
    for (int i = 0; i < 6; i++) {
        claims[i] = new_claim(&e, "M", "1990-01-01");
        set(&e, claims[i], e.ct, "claim_id", ids[i]);
        set(&e, claims[i], e.ct, "settle", settle[i]);
        if (persons[i]) set(&e, claims[i], e.ct, "person_id", persons[i]);
        add_lines(&e, claims[i], i == 0 ? 2 : 1, codes, amounts, NULL);
    }
    /* a single claim (a session) has no history */
    assert_int_equal(run(&e, claims[4], PHASE_ALL), 0);
    HistIndex h;
    assert_int_equal(hist_build(&h, e.p, claims, 6, mem_default()), 0);
    int oom = 0;
    const ArbList *l = hist_list(&h, h.pos[4], 3 * 86400, &e.ar, &oom);
    assert_non_null(l);
    assert_int_equal(l->n, 2); /* K1 (exactly 3 days before) and K3 (same time, earlier input) */
    assert_string_equal(list_item(l, 0)[0].s->data, "K1");
    assert_string_equal(list_item(l, 1)[0].s->data, "K3");
    assert_null(hist_list(&h, h.pos[3], 3 * 86400 - 1, &e.ar, &oom)); /* K1 is just out */
    assert_null(hist_list(&h, h.pos[0], 86400 * 365, &e.ar, &oom));   /* the first claim */
    assert_null(hist_list(&h, h.pos[5], 86400 * 365, &e.ar, &oom));   /* no person_id */
    assert_null(hist_list(&h, h.pos[2], 86400 * 365, &e.ar, &oom));   /* P2's only claim */
    assert_null(hist_list(&h, h.pos[4], ARB_NULL, &e.ar, &oom));      /* missing duration */
    assert_int_equal(oom, 0);
    { /* in two steps (several threads): the order, then the copies in pieces */
        HistIndex h2;
        assert_int_equal(hist_build_order(&h2, e.p, claims, 6, mem_default()), 0);
        hist_copy(&h2, claims, 3, 6);
        hist_copy(&h2, claims, 0, 3);
        assert_int_equal(h2.n, h.n);
        assert_memory_equal(h2.pos, h.pos, 6 * sizeof *h.pos);
        assert_memory_equal(h2.start, h.start, 6 * sizeof *h.start);
        assert_memory_equal(h2.items, h.items, 6 * h.width * sizeof(Value));
        hist_free(&h2);
    }
    e.vm.hist = &h;
    e.vm.hist_pos = h.pos[0];
    assert_int_equal(run(&e, hist_claim(&h, 0), PHASE_ALL), 0);
    e.vm.hist_pos = h.pos[1];
    /* H (K0), X (K0 has B), Y (nothing within a day, K0 within 5) */
    assert_int_equal(run(&e, hist_claim(&h, 1), PHASE_ALL), 3);
    assert_string_equal(e.p->rules[e.vm.findings[2].rule].id, "Y");
    assert_string_equal(e.vm.findings[0].message, "1 0");
    assert_string_equal(e.p->rules[e.vm.findings[1].rule].id, "X");
    e.vm.hist_pos = h.pos[4];
    assert_int_equal(run(&e, hist_claim(&h, 4), PHASE_ALL), 4);
    assert_string_equal(e.vm.findings[0].message, "3 2"); /* 10 days: K0, K1, K3; 3 days: K1, K3 */
    /* S: A x2 on K0, K1, K3 within 30 days: 6; X: K0 */
    assert_string_equal(e.p->rules[e.vm.findings[1].rule].id, "S");
    assert_string_equal(e.p->rules[e.vm.findings[2].rule].id, "X");
    assert_string_equal(e.vm.findings[3].message, "K3/1"); /* F: within 2 days only K3 */
    /* evidence: the claims the aggregates found, oldest first, each once */
    const Evidence *ev = e.vm.findings[1].evidence; /* S: A on K0, K1, K3 */
    assert_non_null(ev);
    assert_int_equal(ev->n, 3);
    assert_string_equal(ev->items[0].claim_id, "K0");
    assert_string_equal(ev->items[1].claim_id, "K1");
    assert_string_equal(ev->items[2].claim_id, "K3");
    int64_t t;
    assert_int_equal(scalar_parse_datetime("2025-03-05T12:00:00", 19, &t), 0);
    assert_int_equal(ev->items[1].settle_time, t);
    ev = e.vm.findings[2].evidence; /* X: B on K0 */
    assert_true(ev && ev->n == 1 && strcmp(ev->items[0].claim_id, "K0") == 0);
    ev = e.vm.findings[3].evidence; /* F: for p in history(2d): K3 */
    assert_true(ev && ev->n == 1 && strcmp(ev->items[0].claim_id, "K3") == 0);
    /* the same through the helper for in-memory batches */
    e.vm.hist = NULL;
    vm_clear(&e.vm);
    assert_int_equal(hist_prepare_all(&h, &e.vm, &e.ar), 0);
    assert_int_equal(hist_check_claim(&h, 4, &e.vm, PHASE_ALL, &e.ar), 0);
    assert_int_equal(e.vm.nfindings, 4);
    assert_null(e.vm.hist);
    e.vm.hist = &h;
    /* history rules run in any phase (here all: no phase clause) */
    assert_int_equal(run(&e, hist_claim(&h, 4), 1u << PHASE_settle), 4);
    e.vm.hist = NULL;
    hist_free(&h);
    teardown_env(&e);
}

static int64_t at(const char *datetime) {
    int64_t t;
    assert_int_equal(scalar_parse_datetime(datetime, strlen(datetime), &t), 0);
    return t;
}

/* hist_window_from: rolling durations reach back that far; calendar
 * periods start at 00:00:00 of the first day of the year, quarter or month
 * holding the claim's time; other negative durations give no window. */
static void test_history_window(void **state) {
    (void)state;
    int64_t from, now = at("2025-08-15T10:30:00");
    assert_int_equal(hist_window_from(now, 86400, &from), 0);
    assert_int_equal(from, at("2025-08-14T10:30:00"));
    assert_int_equal(hist_window_from(now, HIST_CAL_YEAR, &from), 0);
    assert_int_equal(from, at("2025-01-01T00:00:00"));
    assert_int_equal(hist_window_from(now, HIST_CAL_QUARTER, &from), 0);
    assert_int_equal(from, at("2025-07-01T00:00:00"));
    assert_int_equal(hist_window_from(now, HIST_CAL_MONTH, &from), 0);
    assert_int_equal(from, at("2025-08-01T00:00:00"));
    /* the first and last moments of periods */
    assert_int_equal(hist_window_from(at("2025-01-01T00:00:00"), HIST_CAL_YEAR, &from), 0);
    assert_int_equal(from, at("2025-01-01T00:00:00"));
    assert_int_equal(hist_window_from(at("2024-12-31T23:59:59"), HIST_CAL_YEAR, &from), 0);
    assert_int_equal(from, at("2024-01-01T00:00:00"));
    assert_int_equal(hist_window_from(at("2025-03-31T23:59:59"), HIST_CAL_QUARTER, &from), 0);
    assert_int_equal(from, at("2025-01-01T00:00:00"));
    assert_int_equal(hist_window_from(at("2025-04-01T00:00:00"), HIST_CAL_QUARTER, &from), 0);
    assert_int_equal(from, at("2025-04-01T00:00:00"));
    assert_int_equal(hist_window_from(at("2025-12-31T12:00:00"), HIST_CAL_QUARTER, &from), 0);
    assert_int_equal(from, at("2025-10-01T00:00:00"));
    assert_int_equal(hist_window_from(at("2024-02-29T08:00:00"), HIST_CAL_MONTH, &from), 0);
    assert_int_equal(from, at("2024-02-01T00:00:00"));
    /* before 1970 (negative times) */
    assert_int_equal(hist_window_from(at("1969-12-31T23:00:00"), HIST_CAL_MONTH, &from), 0);
    assert_int_equal(from, at("1969-12-01T00:00:00"));
    /* no window: missing, negative; no lower bound: overflow */
    assert_int_equal(hist_window_from(now, ARB_NULL, &from), -1);
    assert_int_equal(hist_window_from(now, -1, &from), -1);
    assert_int_equal(hist_window_from(now, HIST_CAL_MONTH + 1, &from), -1);
    assert_int_equal(hist_window_from(-10, INT64_MAX, &from), 0);
    assert_int_equal(from, INT64_MIN);
}

/* history(calendar_year/quarter/month) in rules: the claims of the period
 * of this claim's settlement, whatever their distance. */
static void test_history_calendar(void **state) {
    (void)state;
    Env e;
    setup_env(&e, "rule Y in C when count(p in history(calendar_year)) >= 0\n"
                  "  flag claim message \"{count(p in history(calendar_year))} "
                  "{count(p in history(calendar_quarter))} {count(p in history(calendar_month))} "
                  "{count(p in history(365d))}\"\n");
    const char *settle[] = {"2024-12-31T23:59:59", "2025-01-01T00:00:00", "2025-03-30T08:00:00",
                            "2025-04-02T09:00:00", "2025-04-20T09:00:00"};
    Value *claims[5];
    for (int i = 0; i < 5; i++) {
        claims[i] = new_claim(&e, "M", "1990-01-01");
        set(&e, claims[i], e.ct, "settle", settle[i]);
        set(&e, claims[i], e.ct, "person_id", "P1");
    }
    HistIndex h;
    assert_int_equal(hist_build(&h, e.p, claims, 5, mem_default()), 0);
    assert_int_equal(hist_prepare_all(&h, &e.vm, &e.ar), 0);
    const char *want[] = {"0 0 0 0", "0 0 0 1", "1 1 0 2", "2 0 0 3", "3 1 1 4"};
    for (int i = 0; i < 5; i++) {
        vm_clear(&e.vm);
        assert_int_equal(hist_check_claim(&h, (size_t)i, &e.vm, PHASE_ALL, &e.ar), 0);
        assert_int_equal(e.vm.nfindings, 1);
        assert_string_equal(e.vm.findings[0].message, want[i]);
    }
    hist_free(&h);
    teardown_env(&e);
}

/* Whether rule id's code for one record (the item-code index's) holds op. */
static int bound_has(const Env *e, const char *id, int op) {
    for (uint32_t i = 0; i < e->p->nrules; i++) {
        const Rule *r = &e->p->rules[i];
        if (strcmp(r->id, id) != 0) continue;
        assert_true(r->index >= 0);
        for (uint32_t pc = r->bound_entry; pc < r->bound_end;
             pc += 1 + opcode_nargs[e->p->code[pc]])
            if (e->p->code[pc] == op) return 1;
        return 0;
    }
    fail_msg("no rule %s", id);
    return 0;
}

/* A rule reached through the item-code index does not test the conjunct
 * the index decided again (a set, a table, a string without '%'), but keeps
 * `== "X%"` (an exact test, which the index takes as a prefix); with and
 * without the index the findings are the same. */
static void test_index_decides_its_conjunct(void **state) {
    (void)state;
    Env e;
    setup_env(&e,
              "table drug_sex from \"drug_sex.csv\" { code code key  name text  sex sex }\n"
              "rule SET in C for line in claim.lines when line.item_code in {\"XA1\", \"XB%\"}\n"
              "  and line.qty > 1 flag line\n"
              "rule PCT in C for line in claim.lines when line.qty > 1 and line.item_code == "
              "\"XA%\" flag line\n"
              "rule EQ in C for line in claim.lines when \"XA1\" == line.item_code flag line\n"
              "rule TAB in C for line in claim.lines when line.item_code in drug_sex and "
              "claim.sex == M flag line\n");
    assert_false(bound_has(&e, "SET", OPC_INSET));
    assert_true(bound_has(&e, "PCT", OPC_SEQ));
    assert_false(bound_has(&e, "EQ", OPC_SEQ));
    assert_false(bound_has(&e, "TAB", OPC_INTABLE));
    const char *codes[] = {"XA1", "XA%", "XA12", "XB7", "XG03CAA0002123456789012", "XG03CAA0001"};
    const char *amounts[] = {"1", "2", "3", "4", "5", "6"};
    Value *c = new_claim(&e, "M", "1980-06-01");
    add_lines(&e, c, 6, codes, amounts, NULL);
    size_t n = run(&e, c, PHASE_ALL);
    /* SET: XA1, XB7; PCT: the line "XA%"; EQ: XA1; TAB: the prefix-key line */
    assert_int_equal(n, 5);
    int64_t keys[8];
    uint32_t rules[8];
    for (size_t i = 0; i < n; i++)
        keys[i] = e.vm.findings[i].key.i, rules[i] = e.vm.findings[i].rule;
    e.vm.no_index = 1;
    assert_int_equal(run(&e, c, PHASE_ALL), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e.vm.findings[i].key.i, keys[i]);
        assert_int_equal(e.vm.findings[i].rule, rules[i]);
    }
    assert_int_equal(e.vm.findings[2].key.i, 2); /* PCT on "XA%" only */
    teardown_env(&e);
}

/* The item-code index's candidates of a code are kept across claims
 * (VM.codes): every look-up, kept or not, gives what a VM that never saw
 * the code gives.  Codes sharing a slot, a code longer than VM_CODE_MAX
 * and one with more than VM_CODE_CANDS candidates included. */
static void test_index_candidates_kept(void **state) {
    (void)state;
    Env e;
    char rules[2048] = "";
    /* seven rules on XA1: more than VM_CODE_CANDS */
    for (int i = 0; i < 7; i++)
        snprintf(rules + strlen(rules), sizeof rules - strlen(rules),
                 "rule R%d in C for line in claim.lines when line.item_code == \"XA1\" flag line\n",
                 i);
    snprintf(rules + strlen(rules), sizeof rules - strlen(rules),
             "rule P in C for line in claim.lines when line.item_code in {\"XB%%\", \"XB12%%\"} "
             "flag line\n"
             "rule Q in C for line in claim.lines when line.item_code in {\"XB7\", \"XC1\"} flag "
             "line\n"
             "rule L in C for line in claim.lines when line.item_code == "
             "\"XLONG00000111112222233333444445555566666\" flag line\n");
    setup_env(&e, rules);
    assert_int_equal(e.p->nindexes, 1);
    const RuleIndex *ix = &e.p->indexes[0];
    VM fresh;
    char code[64];
    int kept = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 6000; i++) {
            if (i == 0)
                snprintf(code, sizeof code, "XA1");
            else if (i == 1)
                snprintf(code, sizeof code, "XLONG00000111112222233333444445555566666");
            else if (i % 3 == 0)
                snprintf(code, sizeof code, "XB%d", i);
            else if (i % 3 == 1)
                snprintf(code, sizeof code, "XC%d", i % 40);
            else
                snprintf(code, sizeof code, "Z%d", i);
            /* a new string each time: the claim that brought it is gone */
            const ArbStr *s = str_new(&e.ar, code, strlen(code));
            assert_int_equal(vm_index_candidates(&e.vm, ix, s), 0);
            assert_int_equal(vm_init(&fresh, e.p, mem_default()), 0);
            assert_int_equal(vm_index_candidates(&fresh, ix, s), 0);
            assert_int_equal(e.vm.ncand, fresh.ncand);
            for (size_t k = 0; k < fresh.ncand; k++) assert_int_equal(e.vm.cand[k], fresh.cand[k]);
            if (i == 0) assert_int_equal(fresh.ncand, 7);
            if (i == 1) assert_int_equal(fresh.ncand, 1);
            vm_free(&fresh);
        }
        arena_reset(&e.ar);
    }
    assert_non_null(e.vm.codes);
    for (size_t i = 0; i < VM_CODES; i++) kept += e.vm.codes[i].ix != NULL;
    assert_true(kept > VM_CODES / 2);
    teardown_env(&e);
}

/* The index's per-list memo (run_index) forgets the codes of the claim
 * before by its generation, not by clearing its slots: claims checked one
 * after another by one VM find what each finds with a fresh VM. */
static void test_index_memo_across_claims(void **state) {
    (void)state;
    Env e;
    setup_env(&e, "rule R1 in C for line in claim.lines when line.item_code == \"A1\" flag line\n"
                  "rule R2 in C for line in claim.lines when line.item_code == \"A2\" flag line\n"
                  "rule R3 in C for line in claim.lines when line.item_code in {\"A%\"} flag line\n"
                  "rule R4 in C for line in claim.lines when line.item_code == \"B1\" flag line\n"
                  "rule R5 in C for line in claim.lines when line.item_code in {\"B1\", \"C1\"} "
                  "flag line\n");
    assert_int_equal(e.p->nindexes, 1);
    static const char *const pool[] = {"A1", "A2", "B1", "B2", "C1", "A3"};
    const char *codes[8], *amounts[8] = {"1", "1", "1", "1", "1", "1", "1", "1"};
    uint32_t seed = 7;
    for (int c = 0; c < 400; c++) {
        int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 6;
        for (int i = 0; i < n; i++)
            codes[i] = pool[((seed = seed * 1103515245u + 12345u) >> 16) % 6];
        Value *claim = new_claim(&e, "M", "1990-01-01");
        add_lines(&e, claim, n, codes, amounts, NULL);
        size_t got = run(&e, claim, PHASE_ALL);
        VM fresh;
        assert_int_equal(vm_init(&fresh, e.p, mem_default()), 0);
        assert_int_equal(vm_check_claim(&fresh, claim, PHASE_ALL, &e.ar), 0);
        assert_int_equal(got, fresh.nfindings);
        for (size_t k = 0; k < got; k++) {
            assert_int_equal(e.vm.findings[k].rule, fresh.findings[k].rule);
            assert_ptr_equal(e.vm.findings[k].target, fresh.findings[k].target);
        }
        vm_free(&fresh);
    }
    teardown_env(&e);
}

/* Small sets of exact members are kept inline (program_inline_sets) and
 * answer as the set's table does; sets with prefix members or more than
 * SMALL_SET_MAX members stay tables. */
static void test_small_sets_inline(void **state) {
    (void)state;
    Env e;
    setup_env(
        &e,
        "rule A in C for line in claim.lines when line.item_code in {\"XA1\", \"B\", \"XA12\", "
        "\"\", \"XA1\"} flag line\n"
        "rule B in C for line in claim.lines when line.item_code in {\"XA%\", \"B\"} flag line\n"
        "rule D in C for line in claim.lines when line.item_code in {\"1\", \"2\", \"3\", \"4\", "
        "\"5\", \"6\", \"7\", \"8\", \"9\", \"10\", \"11\", \"12\", \"13\", \"14\", \"15\", "
        "\"16\", \"17\"} flag line\n"
        "rule E in C for line in claim.lines when line.item_code in {\"B\"} flag line\n");
    assert_int_equal(e.p->nsets, 4);
    assert_non_null(e.p->small_sets[0]);
    assert_null(e.p->small_sets[1]); /* a prefix member */
    assert_null(e.p->small_sets[2]); /* 17 members */
    assert_non_null(e.p->small_sets[3]);
    const char *probes[] = {"XA1", "XA12", "XA", "XA123", "B",  "",  "b",
                            "XA2", "XB1",  "1",  "17",    "18", "BB"};
    for (uint32_t i = 0; i < e.p->nsets; i++)
        for (size_t k = 0; k < sizeof probes / sizeof *probes; k++) {
            const ArbStr *s = str_new(&e.ar, probes[k], (uint32_t)strlen(probes[k]));
            assert_int_equal(vm_inset(e.p, (int32_t)i, s), vm_set_has(e.p->sets[i], s));
        }
    const ArbStr *xa1 = str_new(&e.ar, "XA1", 3), *xa = str_new(&e.ar, "XA", 2),
                 *empty = str_new(&e.ar, "", 0);
    assert_true(vm_inset(e.p, 0, xa1));
    assert_false(vm_inset(e.p, 0, xa));
    assert_true(vm_inset(e.p, 0, empty));
    assert_false(vm_inset(e.p, 3, empty));
    assert_false(vm_inset(e.p, 0, NULL));
    teardown_env(&e);
}

/* SELECT (vm_select): a list grouped by a string field once per claim, at
 * the second SELECT of it (the first gives it whole); the items equal to a
 * key in list order, NULL for none or a missing key, a short list returned
 * whole; forgotten by vm_select_forget. */
static void test_select_groups(void **state) {
    (void)state;
    Env e;
    setup_env(&e, "rule R in C when claim.total > 0 flag claim\n");
    const char *codes[12] = {"A", "B", "A", "C", "A", "B", "D", "A", "C", "B", "E", "A"};
    const char *amounts[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"};
    Value *c = new_claim(&e, "M", NULL);
    add_lines(&e, c, 12, codes, amounts, NULL);
    int32_t lf = record_field_index(e.ct, "lines", 5),
            cf = record_field_index(e.lt, "item_code", 9),
            af = record_field_index(e.lt, "amount", 6);
    ArbList *l = (ArbList *)c[lf].l;
    l->items[(size_t)6 * l->width + cf].s = NULL; /* line 7: no code */
    const ArbStr *a = str_new(&e.ar, "A", 1), *b = str_new(&e.ar, "B", 1),
                 *z = str_new(&e.ar, "Z", 1);
    assert_ptr_equal(vm_select(&e.vm, l, a, cf, &e.ar), l); /* met once: the whole list */
    const ArbList *ga = vm_select(&e.vm, l, a, cf, &e.ar);
    assert_non_null(ga);
    assert_ptr_not_equal(ga, l);
    assert_int_equal(ga->n, 5);
    assert_int_equal(ga->width, l->width);
    int64_t want[5] = {100, 300, 500, 800, 1200};
    for (uint32_t i = 0; i < ga->n; i++) assert_int_equal(list_item(ga, i)[af].i, want[i]);
    const ArbList *gb = vm_select(&e.vm, l, b, cf, &e.ar);
    assert_int_equal(gb->n, 3);
    assert_int_equal(list_item(gb, 2)[af].i, 1000);
    assert_ptr_equal(vm_select(&e.vm, l, a, cf, &e.ar), ga); /* grouped once */
    assert_null(vm_select(&e.vm, l, z, cf, &e.ar));
    assert_null(vm_select(&e.vm, l, NULL, cf, &e.ar)); /* a missing key equals nothing */
    assert_null(vm_select(&e.vm, NULL, a, cf, &e.ar));
    ArbList short_list = {VM_SELECT_MIN - 1, l->width, l->items};
    assert_ptr_equal(vm_select(&e.vm, &short_list, a, cf, &e.ar), &short_list);
    /* another claim's list at the same address: grouped again */
    vm_select_forget(&e.vm);
    l->items[(size_t)1 * l->width + cf].s = a;
    assert_ptr_equal(vm_select(&e.vm, l, b, cf, &e.ar), l);
    assert_int_equal(vm_select(&e.vm, l, a, cf, &e.ar)->n, 6);
    assert_int_equal(vm_select(&e.vm, l, b, cf, &e.ar)->n, 2);
    teardown_env(&e);
}

/* SELDAY (vm_select_day): a list grouped by the day of a datetime field, at
 * the second SELDAY of the list (the first gives it whole); times before
 * 1970 fall on the day they are in (floor, as date() gives); a missing time
 * is on no day, and a missing day selects nothing. */
static void test_select_day_groups(void **state) {
    (void)state;
    Env e;
    setup_env(&e, "rule R in C when claim.total > 0 flag claim\n");
    const char *codes[10] = {"A", "A", "A", "A", "A", "A", "A", "A", "A", "A"};
    const char *amounts[10] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};
    const char *times[10] = {"2025-03-02T09:00:00", "2025-03-03T00:00:00", "2025-03-02T23:59:59",
                             "1969-12-31T23:00:00", "2025-03-03T10:00:00", "1970-01-01T00:00:00",
                             "2025-03-02T00:00:00", "1969-12-31T00:00:01", "2025-03-04T09:00:00",
                             "2025-03-02T12:00:00"};
    Value *c = new_claim(&e, "M", NULL);
    add_lines(&e, c, 10, codes, amounts, times);
    int32_t lf = record_field_index(e.ct, "lines", 5), tf = record_field_index(e.lt, "time", 4),
            af = record_field_index(e.lt, "amount", 6);
    ArbList *l = (ArbList *)c[lf].l;
    l->items[(size_t)8 * l->width + tf].i = ARB_NULL; /* line 9: no time */
    int64_t mar2 = list_item(l, 0)[tf].i / SECS_PER_DAY;
    assert_ptr_equal(vm_select_day(&e.vm, l, mar2, tf, &e.ar), l); /* met once: whole */
    const ArbList *g = vm_select_day(&e.vm, l, mar2, tf, &e.ar);
    assert_int_equal(g->n, 4); /* lines 1, 3, 7, 10 */
    int64_t want[4] = {100, 300, 700, 1000};
    for (uint32_t i = 0; i < g->n; i++) assert_int_equal(list_item(g, i)[af].i, want[i]);
    assert_int_equal(vm_select_day(&e.vm, l, mar2 + 1, tf, &e.ar)->n, 2); /* lines 2, 5 */
    assert_int_equal(vm_select_day(&e.vm, l, -1, tf, &e.ar)->n, 2);       /* lines 4, 8 */
    assert_int_equal(vm_select_day(&e.vm, l, 0, tf, &e.ar)->n, 1);        /* line 6 */
    assert_null(vm_select_day(&e.vm, l, mar2 + 2, tf, &e.ar));            /* line 9 has no time */
    assert_null(vm_select_day(&e.vm, l, ARB_NULL, tf, &e.ar));
    assert_ptr_equal(vm_select_day(&e.vm, l, mar2, tf, &e.ar), g); /* grouped once */
    /* SELECT's groups of the same list and SELDAY's live side by side */
    int32_t cf = record_field_index(e.lt, "item_code", 9);
    const ArbStr *a = str_new(&e.ar, "A", 1);
    assert_ptr_equal(vm_select(&e.vm, l, a, cf, &e.ar), l);
    assert_int_equal(vm_select(&e.vm, l, a, cf, &e.ar)->n, 10);
    assert_ptr_equal(vm_select_day(&e.vm, l, mar2, tf, &e.ar), g);
    teardown_env(&e);
}

/* An aggregate whose where begins with `x.F == key` compiles to SELECT and
 * gives what the same condition behind `true and` (a scan) gives. */
static void test_select_rule_twin(void **state) {
    (void)state;
    Env e;
    setup_env(
        &e,
        "rule S in C for line in claim.lines\n"
        "  when sum(x.qty for x in claim.lines where x.item_code == line.item_code\n"
        "           and date(x.time) == date(line.time)) > 2\n"
        "  flag line message \"{count(x in claim.lines where x.item_code == line.item_code)}\"\n"
        "rule T in C for line in claim.lines\n"
        "  when sum(x.qty for x in claim.lines where true and x.item_code == line.item_code\n"
        "           and date(x.time) == date(line.time)) > 2\n"
        "  flag line message \"{count(x in claim.lines where true and x.item_code == "
        "line.item_code)}\"\n");
    int selects[2] = {0, 0};
    for (uint32_t r = 0; r < 2; r++) {
        const Rule *rl = &e.p->rules[r];
        for (uint32_t pc = rl->entry; pc < rl->code_end; pc += 1 + opcode_nargs[e.p->code[pc]])
            selects[r] += e.p->code[pc] == OPC_SELECT;
    }
    assert_int_equal(selects[0], 2);
    assert_int_equal(selects[1], 0);
    const char *codes[10] = {"A", "B", "A", "C", "A", "B", "A", "C", "B", "A"};
    const char *amounts[10] = {"1", "1", "1", "1", "1", "1", "1", "1", "1", "1"};
    const char *times[10] = {"2025-03-02T09:00:00", "2025-03-02T09:00:00", "2025-03-02T19:00:00",
                             "2025-03-03T09:00:00", "2025-03-03T09:00:00", "2025-03-03T10:00:00",
                             "2025-03-03T11:00:00", "2025-03-03T12:00:00", "2025-03-02T09:00:00",
                             "2025-03-04T09:00:00"};
    Value *c = new_claim(&e, "M", NULL);
    add_lines(&e, c, 10, codes, amounts, times);
    size_t n = run(&e, c, PHASE_ALL);
    /* two units a line: A on 2 March (lines 1, 3), B on 2 March (2, 9), A on
     * 3 March (5, 7) and C on 3 March (4, 8), by each rule */
    assert_int_equal(n, 16);
    size_t s = 0, t = 0;
    for (size_t i = 0; i < n; i++) *(e.vm.findings[i].rule == 0 ? &s : &t) += 1;
    assert_int_equal(s, 8);
    assert_int_equal(t, 8);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(e.vm.findings[i].key.i, e.vm.findings[i + 8].key.i);
        assert_string_equal(e.vm.findings[i].message, e.vm.findings[i + 8].message);
    }
    assert_string_equal(e.vm.findings[0].message, "5"); /* line 1: five lines of code A */
    teardown_env(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attribute_restriction),
        cmocka_unit_test(test_aggregates_run),
        cmocka_unit_test(test_dates_and_durations),
        cmocka_unit_test(test_phases_and_effective_dates),
        cmocka_unit_test(test_effective_day_chain),
        cmocka_unit_test(test_arithmetic_overflow_fails_the_rule),
        cmocka_unit_test(test_least_greatest),
        cmocka_unit_test(test_match_exact_and_prefix_keys),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_history_window),
        cmocka_unit_test(test_history_calendar),
        cmocka_unit_test(test_starts_with),
        cmocka_unit_test(test_index_decides_its_conjunct),
        cmocka_unit_test(test_index_candidates_kept),
        cmocka_unit_test(test_index_memo_across_claims),
        cmocka_unit_test(test_small_sets_inline),
        cmocka_unit_test(test_select_groups),
        cmocka_unit_test(test_select_day_groups),
        cmocka_unit_test(test_select_rule_twin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
