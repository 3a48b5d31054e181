/* fuzz_profile_json.c — libFuzzer target: a national 3101 request body
 * through the standard library's nhsa3101 input profile (prof_read_json),
 * read three times: by the profile's own strict JSON parser (json-c only
 * for what it does not take) with the claims built straight from its tree;
 * by json-c alone; and with each claim written as canonical JSON and read
 * by the schema's reader (the slow way).  All must say the same: the same
 * result, message, byte offset, number of claims and the claims' values
 * (written by json_writer); and each claim built is checked by the
 * standard library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "json_writer.h"
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

/* The claims w holds, written by json_writer, into b. */
static void claims_text(const ProfWork *w, StrBuf *b) {
    sb_clear(b);
    for (size_t i = 0; i < w->nclaims; i++) {
        jsonw_record(engine->prog->claim, w->claims[i], b);
        sb_putc(b, '\n');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ProfWork w[3];
    for (int k = 0; k < 3; k++) prof_work_init(&w[k], engine->alloc);
    w[1].jsonc_only = 1;
    w[2].via_text = 1;
    static const char *const how[3] = {"", "json-c alone", "through canonical text"};
    Arena ar[3];
    StrBuf text[3];
    char e[3][1024];
    size_t o[3] = {0, 0, 0};
    int r[3];
    const char *t = (const char *)data;
    for (int k = 0; k < 3; k++) {
        arena_init(&ar[k], engine->alloc, 1 << 12);
        sb_init(&text[k], engine->alloc);
        r[k] = prof_read_json(prof, &w[k], engine->json, t, size, &ar[k], NULL, e[k], sizeof e[k],
                              &o[k]);
        claims_text(&w[k], &text[k]);
    }
    for (int k = 1; k < 3; k++) {
        fz_check(r[0] == r[k], "result %d, %s %d", r[0], how[k], r[k]);
        if (r[0] == -1) {
            fz_check(strcmp(e[0], e[k]) == 0, "message '%s', %s '%s'", e[0], how[k], e[k]);
            fz_check(o[0] == o[k], "offset %zu, %s %zu", o[0], how[k], o[k]);
        }
        if (r[0] == 0) {
            fz_check(w[0].nclaims == w[k].nclaims, "%zu claims, %s %zu", w[0].nclaims, how[k],
                     w[k].nclaims);
            fz_check(text[0].len == text[k].len && memcmp(text[0].p, text[k].p, text[0].len) == 0,
                     "claims '%.*s', %s '%.*s'", (int)text[0].len, text[0].p, how[k],
                     (int)text[k].len, text[k].p);
        }
    }
    if (r[0] == 0) {
        VM vm;
        if (vm_init(&vm, engine->prog, engine->alloc)) abort();
        for (size_t i = 0; i < w[0].nclaims && i < 16; i++) {
            vm_clear(&vm);
            if (vm_check_claim(&vm, (Value *)w[0].claims[i], ARB_PHASE_ALL, &ar[0])) break;
        }
        vm_free(&vm);
    }
    for (int k = 0; k < 3; k++) {
        sb_free(&text[k]);
        arena_free(&ar[k]);
        prof_work_free(&w[k]);
    }
    return 0;
}
