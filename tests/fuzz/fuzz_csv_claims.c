/* fuzz_csv_claims.c — libFuzzer target: CSV claims -> the CSV reader
 * (csvc_open_mem).  The input is claims.csv, then lines.csv,
 * diagnoses.csv and procedures.csv, separated by form feeds ('\f'); a file
 * not given is absent.  Every claim is built (counting, or with strict
 * rejecting, columns read as no field), and every orphan row read. */
#include <stdlib.h>
#include <string.h>

#include "csv_claims.h"
#include "fuzz_common.h"
#include "input_notes.h"

static arb_engine *engine;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    engine = fz_stdlib(1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const NAMES[] = {"lines", "diagnoses", "procedures"};
    const char *p = (const char *)data, *end = p + size;
    CsvcText parts[4];
    size_t n = 0;
    while (n < 4) {
        const char *ff = n < 3 ? memchr(p, '\f', (size_t)(end - p)) : NULL; /* the last: the rest */
        parts[n].name = n ? NAMES[n - 1] : "claims.csv";
        parts[n].text = p;
        parts[n].len = (size_t)((ff ? ff : end) - p);
        n++;
        if (!ff) break;
        p = ff + 1;
    }
    CsvClaims *c;
    char err[512];
    if (csvc_open_mem(&c, engine->prog->claim, &parts[0], parts + 1, n - 1, engine->alloc, err,
                      sizeof err))
        return 0;
    Arena ar;
    arena_init(&ar, engine->alloc, 1 << 12);
    StrMap strings;
    strmap_init(&strings, engine->alloc);
    InputNotes notes;
    notes_init(&notes, engine->alloc);
    fz_check(csvc_bytes(c) == size - (n - 1), "csvc_bytes %llu of %zu bytes",
             (unsigned long long)csvc_bytes(c), size - (n - 1));
    size_t touched = 0;
    for (size_t i = 0; i < csvc_count(c); i++) {
        const Value *claim;
        const char *file = NULL, *raw;
        uint64_t line = 0;
        size_t rawn;
        int strict = (int)(i & 1);
        int rc = csvc_get_ex(c, i, &ar, (i & 2) ? &strings : NULL, &notes, strict, &claim, err,
                             sizeof err, &file, &line);
        if (rc) fz_check(file != NULL && line > 0, "claim %zu rejected with no file and line", i);
        csvc_raw(c, i, &raw, &rawn);
        for (size_t k = 0; k < rawn; k++) touched += (unsigned char)raw[k];
    }
    for (size_t k = 0; k < csvc_orphan_count(c); k++) {
        const char *file, *msg;
        uint64_t line;
        csvc_orphan(c, k, &file, &line, &msg);
        fz_check(strlen(file) > 0 && strlen(msg) > 0, "an orphan row without file or message");
    }
    (void)touched;
    notes_free(&notes);
    strmap_free(&strings);
    arena_free(&ar);
    csvc_free(c);
    return 0;
}
