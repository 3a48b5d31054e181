/* test_hfields.c — which fields of history claims the rules read
 * (history/hfields.c), and history claims decoded with only those
 * (hcodec_plan_keep). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "hcodec.h"
#include "hfields.h"
#include "hstore.h"
#include "json_reader.h"

#include "history_cases.h"

static int field(const RecordType *rt, const char *name) {
    int f = record_field_index(rt, name, strlen(name));
    if (f < 0) fail_msg("no field %s in %s", name, rt->name);
    return f;
}

static const RecordType *list_type(const RecordType *rt, const char *name) {
    return rt->fields[field(rt, name)].type.rec;
}

static int keep_cb(void *ud, const RecordType *rt, uint32_t f) {
    return hfields_keep(ud, rt, f);
}

static int keeps(const HFields *h, const RecordType *rt, const char *name) {
    return hfields_keep(h, rt, (uint32_t)field(rt, name));
}

/* A rule reading history: what it reads there is kept, what only the
 * claim being checked reads is not; the derived fields' inputs, the key
 * and as_of are kept. */
static void test_reads(void **state) {
    (void)state;
    arb_engine *e =
        hc_engine("category H \"h\" { code \"GZ1\" severity high }\n"
                  "rule H.1 \"t\" in H\n"
                  "  for line in claim.lines\n"
                  "  when exists(p in history(90d), x in p.lines\n"
                  "              where x.item_code == line.item_code and x.days_supply > 0\n"
                  "                and p.care_type == inpatient)\n"
                  "  flag line message \"{line.item_name} {line.dept}\"\n");
    const Program *p = e->prog;
    Arena ar;
    arena_init(&ar, e->alloc, 4096);
    HFields h;
    assert_int_equal(hfields_build(&h, p, &ar), 0);
    assert_false(h.all);
    const RecordType *ct = p->claim, *lt = list_type(ct, "lines");
    assert_true(keeps(&h, ct, "lines"));
    assert_true(keeps(&h, ct, "care_type"));
    assert_true(keeps(&h, ct, "claim_id"));    /* evidence */
    assert_true(keeps(&h, ct, "settle_time")); /* as_of */
    assert_true(keeps(&h, ct, "birth_date"));  /* the derived age */
    assert_true(keeps(&h, ct, "discharge_time"));
    assert_true(keeps(&h, lt, "item_code"));
    assert_true(keeps(&h, lt, "days_supply"));
    assert_false(keeps(&h, lt, "item_name")); /* read from the claim's lines only */
    assert_false(keeps(&h, lt, "dept"));
    assert_false(keeps(&h, lt, "doctor"));
    assert_false(keeps(&h, ct, "diagnoses"));
    assert_false(keeps(&h, ct, "facility_id"));

    /* a history claim decoded with the plan: kept fields as stored,
     * the others missing */
    const char *json = "{\"claim_id\":\"C1\",\"person_id\":\"P1\",\"care_type\":\"inpatient\","
                       "\"facility_id\":\"F9\",\"settle_time\":\"2025-03-01T10:00:00\","
                       "\"diagnoses\":[{\"code\":\"J18.9\"}],"
                       "\"lines\":[{\"line_no\":1,\"item_code\":\"X1\",\"item_name\":\"name\","
                       "\"dept\":\"d\",\"days_supply\":7}]}";
    const Value *claim;
    char err[256];
    size_t off;
    assert_int_equal(jsonr_parse(e->json, json, strlen(json), &ar, &claim, err, sizeof err, &off),
                     0);
    StrBuf desc, rec;
    sb_init(&desc, e->alloc);
    sb_init(&rec, e->alloc);
    hcodec_describe(ct, &desc);
    hcodec_encode(ct, 1, claim, &rec);
    int damaged = 0;
    HcPlan *pl = hcodec_plan_keep(desc.p, desc.len, ct, keep_cb, &h, &ar, &damaged);
    assert_non_null(pl);
    size_t body;
    assert_int_equal(hcodec_schema_no(rec.p, rec.len, &body), 1);
    Value *dst = arena_alloc(&ar, ct->nfields * sizeof(Value));
    assert_int_equal(hcodec_decode_into(pl, rec.p + body, rec.len - body, &ar, dst), 0);
    assert_string_equal(dst[field(ct, "claim_id")].s->data, "C1");
    assert_null(dst[field(ct, "facility_id")].s);
    assert_null(dst[field(ct, "diagnoses")].l);
    const ArbList *l = dst[field(ct, "lines")].l;
    assert_non_null(l);
    assert_int_equal(l->n, 1);
    const Value *x = list_item(l, 0);
    assert_string_equal(x[field(lt, "item_code")].s->data, "X1");
    assert_int_equal(x[field(lt, "item_code")].s->hash, str_hash("X1", 2));
    assert_int_equal(x[field(lt, "days_supply")].i, 7);
    assert_null(x[field(lt, "item_name")].s);
    assert_null(x[field(lt, "dept")].s);
    assert_int_equal(x[field(lt, "line_no")].i, ARB_NULL);
    sb_free(&desc);
    sb_free(&rec);
    arena_free(&ar);
    arb_engine_free(e);
}

/* The groups of SELECT, SELDAY and SELIN over history read their fields;
 * a rule with no history() keeps only the key and as_of. */
static void test_grouped_and_none(void **state) {
    (void)state;
    arb_engine *e = hc_engine("category G \"g\" { code \"GZ1\" severity high }\n"
                              "rule G.1 \"t\" in G\n"
                              "  for line in claim.lines\n"
                              "  when sum(x.quantity for p in history(365d), x in p.lines\n"
                              "          where x.item_code == line.item_code) > 3\n"
                              "  flag line\n"
                              "rule N.1 \"t\" in G\n"
                              "  for line in claim.lines\n"
                              "  when line.route == \"iv\"\n"
                              "  flag line\n");
    Arena ar;
    arena_init(&ar, e->alloc, 4096);
    HFields h;
    assert_int_equal(hfields_build(&h, e->prog, &ar), 0);
    assert_false(h.all);
    const RecordType *ct = e->prog->claim, *lt = list_type(ct, "lines");
    assert_true(keeps(&h, lt, "item_code"));
    assert_true(keeps(&h, lt, "quantity"));
    assert_false(keeps(&h, lt, "route"));
    assert_false(keeps(&h, lt, "unit_price"));
    arena_free(&ar);
    arb_engine_free(e);
}

/* A rule bound to history claims (`for p in history(...)`) and a
 * `define` given a history claim read their fields there too; the claim's
 * own fields compared with them are not read from history. */
static void test_binding_and_define(void **state) {
    (void)state;
    arb_engine *e = hc_engine("category B \"b\" { code \"GZ1\" severity high }\n"
                              "define big(p) = p.fund_amount > 100.00\n"
                              "rule B.1 \"t\" in B\n"
                              "  for p in history(90d)\n"
                              "  when big(p) and p.facility_id == claim.dept\n"
                              "  flag claim amount 0.00\n");
    Arena ar;
    arena_init(&ar, e->alloc, 4096);
    HFields h;
    assert_int_equal(hfields_build(&h, e->prog, &ar), 0);
    assert_false(h.all);
    const RecordType *ct = e->prog->claim;
    assert_true(keeps(&h, ct, "fund_amount"));
    assert_true(keeps(&h, ct, "facility_id"));
    assert_false(keeps(&h, ct, "dept")); /* read from the claim checked only */
    assert_false(keeps(&h, ct, "total_amount"));
    assert_false(keeps(&h, ct, "lines"));
    arena_free(&ar);
    arb_engine_free(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads),
        cmocka_unit_test(test_grouped_and_none),
        cmocka_unit_test(test_binding_and_define),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
