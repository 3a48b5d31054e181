/* fuzz_hcodec.c — libFuzzer target: a history-store record -> its decoder.
 * The input is a schema description and a record: two bytes (little
 * endian) giving the description's length, the description, then the
 * record (its description number, then the body).  The description is
 * planned onto the standard library's claim type (hcodec_plan) and the
 * record decoded; what decodes is encoded with the claim type's own
 * description and decoded again, and encoding that gives the same bytes:
 * the round trip is stable.  The record is also decoded with the plan that
 * keeps only the fields the standard library reads from history claims
 * (hcodec_plan_keep, hfields.h): it decodes exactly when the full plan
 * does, and the fields it keeps are the full decoding's. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "hcodec.h"
#include "hfields.h"

static arb_engine *engine;
static const RecordType *claim_rt;
static StrBuf canon; /* the claim type's description */
static HFields hf;   /* the fields the library reads from history */
static Arena hf_ar;

static int keep(void *ud, const RecordType *rt, uint32_t f) {
    return hfields_keep(ud, rt, f);
}

/* Whether the kept fields of a (kept plan) equal b's (full plan). */
static int same_kept(const RecordType *rt, const Value *a, const Value *b, int depth) {
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        if (fd->derived >= 0 || !hfields_keep(&hf, rt, f)) continue;
        if (type_is_string(fd->type.kind)) {
            if (!a[f].s != !b[f].s || (a[f].s && !str_eq(a[f].s, b[f].s))) return 0;
        } else if (fd->type.kind == TY_LIST) {
            if (!a[f].l != !b[f].l) return 0;
            if (!a[f].l || depth > 8) continue;
            if (a[f].l->n != b[f].l->n) return 0;
            for (uint32_t i = 0; i < a[f].l->n; i++)
                if (!same_kept(fd->type.rec, list_item(a[f].l, i), list_item(b[f].l, i), depth + 1))
                    return 0;
        } else if (type_is_int64(fd->type.kind) && a[f].i != b[f].i) {
            return 0;
        }
    }
    return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    engine = fz_stdlib(0);
    claim_rt = engine->prog->claim;
    sb_init(&canon, engine->alloc);
    hcodec_describe(claim_rt, &canon);
    arena_init(&hf_ar, engine->alloc, 1 << 12);
    hfields_build(&hf, engine->prog, &hf_ar);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    size_t dlen = (size_t)data[0] | (size_t)data[1] << 8;
    if (dlen > size - 2) dlen = size - 2;
    const char *desc = (const char *)data + 2, *rec = desc + dlen;
    size_t rlen = size - 2 - dlen;
    Arena ar;
    arena_init(&ar, engine->alloc, 1 << 12);
    int damaged;
    HcPlan *plan = hcodec_plan(desc, dlen, claim_rt, &ar, &damaged);
    int kdamaged;
    HcPlan *kplan = hcodec_plan_keep(desc, dlen, claim_rt, keep, &hf, &ar, &kdamaged);
    fz_check(!plan == !kplan, "the kept plan and the full plan disagree on the description");
    size_t body;
    Value *claim;
    if (plan && hcodec_schema_no(rec, rlen, &body) >= 0) {
        Value *full, *kept;
        int rf = hcodec_decode(plan, rec + body, rlen - body, &ar, &full);
        int rk = hcodec_decode(kplan, rec + body, rlen - body, &ar, &kept);
        fz_check(rf == rk, "the kept plan decodes (%d) where the full plan does not (%d)", rk, rf);
        fz_check(rf != 0 || same_kept(claim_rt, kept, full, 0),
                 "a field kept for history differs from the full decoding");
    }
    if (plan && hcodec_schema_no(rec, rlen, &body) >= 0 &&
        hcodec_decode(plan, rec + body, rlen - body, &ar, &claim) == 0) {
        HcPlan *own = hcodec_plan(canon.p, canon.len, claim_rt, &ar, &damaged);
        fz_check(own != NULL, "the claim type's own description does not plan");
        StrBuf once, twice;
        sb_init(&once, engine->alloc);
        sb_init(&twice, engine->alloc);
        hcodec_encode(claim_rt, 1, claim, &once);
        Value *again;
        fz_check(hcodec_schema_no(once.p, once.len, &body) == 1, "the description number");
        int rc = hcodec_decode(own, once.p + body, once.len - body, &ar, &again);
        fz_check(rc == 0, "a decoded claim, encoded again, does not decode (%d)", rc);
        hcodec_encode(claim_rt, 1, again, &twice);
        fz_check(once.len == twice.len && memcmp(once.p, twice.p, once.len) == 0,
                 "encode(decode(encode(claim))) differs from encode(claim): %zu, then %zu bytes",
                 once.len, twice.len);
        sb_free(&once);
        sb_free(&twice);
    }
    arena_free(&ar);
    return 0;
}
