/* fuzz_profile_json.c — libFuzzer target: a national 3101 request body
 * through the standard library's nhsa3101 input profile (prof_read_json),
 * read twice: by the profile's own strict JSON parser (json-c only for what
 * it does not take) and by json-c alone.  Both must say the same: the same
 * result, message, byte offset, number of claims and canonical text of the
 * last claim; and each claim built is checked by the standard library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "profile.h"
#include "vm.h"

static arb_engine *engine;
static const Prof *prof;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    engine = fz_stdlib(0);
    prof = engine_profile(engine, "nhsa3101");
    fz_check(prof != NULL, "the standard library has no nhsa3101 profile");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ProfWork fast, slow;
    prof_work_init(&fast, engine->alloc);
    prof_work_init(&slow, engine->alloc);
    slow.jsonc_only = 1;
    Arena ar;
    arena_init(&ar, engine->alloc, 1 << 12);
    char e1[1024], e2[1024];
    size_t o1 = 0, o2 = 0;
    const char *t = (const char *)data;
    int r1 = prof_read_json(prof, &fast, engine->json, t, size, &ar, NULL, e1, sizeof e1, &o1);
    int r2 = prof_read_json(prof, &slow, engine->json, t, size, &ar, NULL, e2, sizeof e2, &o2);
    fz_check(r1 == r2, "result %d, json-c alone %d", r1, r2);
    if (r1 == -1) {
        fz_check(strcmp(e1, e2) == 0, "message '%s', json-c alone '%s'", e1, e2);
        fz_check(o1 == o2, "offset %zu, json-c alone %zu", o1, o2);
    }
    if (r1 == 0) {
        fz_check(fast.nclaims == slow.nclaims, "%zu claims, json-c alone %zu", fast.nclaims,
                 slow.nclaims);
        fz_check(fast.text.len == slow.text.len &&
                     memcmp(fast.text.p, slow.text.p, fast.text.len) == 0,
                 "claim text '%.*s', json-c alone '%.*s'", (int)fast.text.len, fast.text.p,
                 (int)slow.text.len, slow.text.p);
        VM vm;
        if (vm_init(&vm, engine->prog, engine->alloc)) abort();
        for (size_t i = 0; i < fast.nclaims && i < 16; i++) {
            vm_clear(&vm);
            if (vm_check_claim(&vm, (Value *)fast.claims[i], ARB_PHASE_ALL, &ar)) break;
        }
        vm_free(&vm);
    }
    arena_free(&ar);
    prof_work_free(&fast);
    prof_work_free(&slow);
    return 0;
}
