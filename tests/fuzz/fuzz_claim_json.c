/* fuzz_claim_json.c — libFuzzer target: one JSON Lines record -> the claim
 * reader (plain, and strict with its notes) and the VM running the whole
 * standard library over it in a session. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "input_notes.h"
#include "json_reader.h"

static arb_engine *engine;
static arb_session *session;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    engine = fz_stdlib(0);
    if (arb_session_new(engine, &session) != ARB_OK) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *p = (const char *)data;
    size_t sum = 0;
    arb_session_check_json(session, p, size, ARB_PHASE_ALL, fz_on_finding, &sum);
    /* strict reading, with the fields read as nothing counted */
    Arena ar;
    arena_init(&ar, engine->alloc, 1 << 12);
    InputNotes notes;
    notes_init(&notes, engine->alloc);
    JsonrOptions o = {NULL, &notes, (int)(size & 1), 0, 0, 0};
    const Value *claim;
    char err[256];
    size_t off;
    if (jsonr_parse_ex(engine->json, p, size, &ar, &o, &claim, err, sizeof err, &off) == -1)
        fz_check(off <= size, "an error offset %zu past the record's %zu bytes", off, size);
    notes_free(&notes);
    arena_free(&ar);
    return 0;
}
