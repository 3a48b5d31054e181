/* fuzz_hcodec.c — libFuzzer target: a history-store record -> its decoder.
 * The input is a schema description and a record: two bytes (little
 * endian) giving the description's length, the description, then the
 * record (its description number, then the body).  The description is
 * planned onto the standard library's claim type (hcodec_plan) and the
 * record decoded; what decodes is encoded with the claim type's own
 * description and decoded again, and encoding that gives the same bytes:
 * the round trip is stable. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "hcodec.h"

static arb_engine *engine;
static const RecordType *claim_rt;
static StrBuf canon; /* the claim type's description */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    engine = fz_stdlib(0);
    claim_rt = engine->prog->claim;
    sb_init(&canon, engine->alloc);
    hcodec_describe(claim_rt, &canon);
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
    size_t body;
    Value *claim;
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
