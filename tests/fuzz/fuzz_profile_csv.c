/* fuzz_profile_csv.c — libFuzzer target: a HIS export (one CSV file, one
 * row per line item, Chinese headers) -> the standard library's his_csv_zh
 * input profile grouping rows into claims (prof_csv_open, prof_csv_get),
 * each claim built twice, straight from its rows and through canonical
 * text read by the schema's reader (the slow way), with the same result,
 * message, line and values; and the standard library checking each claim
 * built.  The CSV is written
 * to a file in a temporary directory (the profile reads files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "json_writer.h"
#include "profile.h"
#include "transcode.h"
#include "vm.h"

static arb_engine *engine;
static const Prof *prof;
static char dir[64], path[128];

static void remove_dir(void) {
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    engine = fz_stdlib(0);
    prof = engine_profile(engine, "his_csv_zh");
    fz_check(prof != NULL, "the standard library has no his_csv_zh profile");
    snprintf(dir, sizeof dir, "/tmp/arb_fuzz_pcsv.XXXXXX");
    if (!mkdtemp(dir)) abort();
    snprintf(path, sizeof path, "%s/export.csv", dir);
    atexit(remove_dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    ProfCsv *pc;
    char err[600];
    if (prof_csv_open(&pc, prof, path, TC_UTF8, engine->alloc, err, sizeof err)) return 0;
    ProfWork w, tw;
    prof_work_init(&w, engine->alloc);
    prof_work_init(&tw, engine->alloc);
    tw.via_text = 1;
    Arena ar, tar;
    arena_init(&ar, engine->alloc, 1 << 12);
    arena_init(&tar, engine->alloc, 1 << 12);
    StrBuf t1, t2;
    sb_init(&t1, engine->alloc);
    sb_init(&t2, engine->alloc);
    char terr[600];
    VM vm;
    if (vm_init(&vm, engine->prog, engine->alloc)) abort();
    size_t n = prof_csv_count(pc);
    for (size_t i = 0; i < n && i < 64; i++) {
        uint64_t line = 0;
        arena_reset(&ar);
        int rc = prof_csv_get(pc, i, &w, engine->json, &ar, NULL, err, sizeof err, &line);
        if (rc == -2) break;
        uint64_t tline = 0;
        arena_reset(&tar);
        int trc = prof_csv_get(pc, i, &tw, engine->json, &tar, NULL, terr, sizeof terr, &tline);
        if (trc == -2) break;
        fz_check(rc == trc && line == tline, "claim %zu: %d at line %llu, through text %d at %llu",
                 i, rc, (unsigned long long)line, trc, (unsigned long long)tline);
        if (rc) fz_check(strcmp(err, terr) == 0, "message '%s', through text '%s'", err, terr);
        if (rc == 0) {
            sb_clear(&t1);
            sb_clear(&t2);
            jsonw_record(engine->prog->claim, w.claims[0], &t1);
            jsonw_record(engine->prog->claim, tw.claims[0], &t2);
            fz_check(t1.len == t2.len && memcmp(t1.p, t2.p, t1.len) == 0,
                     "claim '%.*s', through text '%.*s'", (int)t1.len, t1.p, (int)t2.len, t2.p);
        }
        const char *raw;
        size_t rn;
        uint64_t rl;
        prof_csv_raw(pc, i, &raw, &rn, &rl);
        fz_check(rl >= 1, "claim %zu has no line", i);
        if (rc != 0) {
            fz_check(line >= 1, "a rejected claim names no line: %s", err);
            continue;
        }
        vm_clear(&vm);
        if (vm_check_claim(&vm, (Value *)w.claims[0], ARB_PHASE_ALL, &ar)) break;
    }
    vm_free(&vm);
    sb_free(&t1);
    sb_free(&t2);
    arena_free(&ar);
    arena_free(&tar);
    prof_work_free(&w);
    prof_work_free(&tw);
    prof_csv_free(pc);
    return 0;
}
