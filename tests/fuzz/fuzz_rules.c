/* fuzz_rules.c — libFuzzer target: rule source -> parse, check, compile;
 * diagnostics rendered; a compiled library written to a pack in memory,
 * which must load back (and write the same bytes again); the library's
 * inline tests' claims and a few fixed claims run through a session.  The
 * source is named stdlib-rules/fuzz.rules, so that the standard library's
 * table, Lua and import paths (the seeds) name files that exist. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "pack.h"

static char render[1 << 16];

/* Writes e's program to a pack in memory and loads it back: a library the
 * compiler accepted must make a pack the loader and verifier accept. */
static void pack_round_trip(arb_engine *e) {
    StrBuf b, again;
    sb_init(&b, e->alloc);
    sb_init(&again, e->alloc);
    uint64_t sum, got;
    fz_check(pack_write_mem(e->prog, NULL, 0, &b, &sum) == 0, "pack_write_mem: out of memory");
    uint64_t *copy = malloc(b.len + 8); /* 8-byte aligned, as a mapping is */
    if (!copy) abort();
    memcpy(copy, b.p, b.len);
    const PackSource *src;
    size_t nsrc;
    char err[512];
    Program *q =
        pack_load_mem(copy, b.len, "fuzz.arbpack", e->alloc, &src, &nsrc, &got, err, sizeof err);
    fz_check(q != NULL, "the pack of a compiled library is refused: %s", err);
    fz_check(got == sum, "the loaded pack's checksum differs");
    fz_check(pack_write_mem(q, NULL, 0, &again, &got) == 0, "pack_write_mem: out of memory");
    fz_check(again.len == b.len && memcmp(again.p, b.p, b.len) == 0,
             "a loaded pack written again differs (%zu bytes, then %zu)", b.len, again.len);
    program_free(q);
    free(copy);
    sb_free(&b);
    sb_free(&again);
}

static void run_claims(arb_engine *e) {
    arb_session *s;
    if (arb_session_new(e, &s) != ARB_OK) return;
    size_t sum = 0;
    for (size_t i = 0; i < FZ_NCLAIMS; i++)
        arb_session_check_json(s, fz_claims[i], strlen(fz_claims[i]), ARB_PHASE_ALL, fz_on_finding,
                               &sum);
    /* the inline tests' claims (JSON Lines made by the compiler) */
    for (size_t t = 0; t < arb_test_count(e); t++) {
        arb_test it;
        if (arb_test_get(e, t, &it) != ARB_OK) continue;
        for (size_t k = 0; k < it.nexpects; k++) {
            arb_test_expect x;
            arb_test_expect_get(e, t, k, &x);
        }
        const char *p = it.claims, *end = it.claims + it.claims_len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            if (n) arb_session_check_json(s, p, n, ARB_PHASE_ALL, fz_on_finding, &sum);
            p += n + 1;
        }
    }
    arb_session_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    cfg.debug_info = size & 1; /* what explain needs, on half the inputs */
    arb_engine *e;
    if (arb_engine_new(&cfg, &e) != ARB_OK) abort();
    if (arb_add_source(e, ARB_STDLIB_DIR "/fuzz.rules", (const char *)data, size) == ARB_OK &&
        arb_compile(e) == ARB_OK) {
        arb_stats st;
        arb_get_stats(e, &st);
        for (size_t c = 0; c < st.categories; c++) arb_category_rows(e, c, NULL, NULL, NULL);
        for (size_t r = 0; r < arb_rule_count(e); r++) {
            const char *file;
            uint32_t line, col;
            arb_rule_where(e, r, &file, &line, &col);
        }
        arb_disasm(e, NULL, render, sizeof render);
        pack_round_trip(e);
        run_claims(e);
    }
    for (size_t i = 0; i < arb_error_count(e); i++) arb_error_render(e, i, render, sizeof render);
    arb_engine_free(e);
    return 0;
}
