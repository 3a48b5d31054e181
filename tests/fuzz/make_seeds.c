/* make_seeds.c — writes the fuzz seeds that are made rather than copied
 * (tests/fuzz/make_seeds.sh runs it):
 *
 *   make_seeds pack OUT.arbpack RULES...   the rule files compiled (with the
 *                                          standard schema) into a pack
 *                                          listing no sources
 *   make_seeds hcodec OUTDIR CLAIMS.jsonl N   the first N claims as history
 *                                          records, each after the claim
 *                                          type's description (the input
 *                                          fuzz_hcodec reads) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "hcodec.h"
#include "pack.h"

static void write_file(const char *path, const char *a, size_t na, const char *b, size_t nb) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(a, 1, na, f) != na || (nb && fwrite(b, 1, nb, f) != nb) || fclose(f)) {
        fprintf(stderr, "make_seeds: cannot write %s\n", path);
        exit(1);
    }
}

static int make_pack(const char *out, char **rules, int n) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e;
    if (arb_engine_new(&cfg, &e) != ARB_OK) return 1;
    for (int i = 0; i < n; i++)
        if (arb_add_file(e, rules[i]) != ARB_OK) {
            fprintf(stderr, "make_seeds: %s\n", arb_errmsg(e));
            return 1;
        }
    if (arb_compile(e) != ARB_OK) {
        fprintf(stderr, "make_seeds: the rules do not compile\n");
        return 1;
    }
    StrBuf b;
    sb_init(&b, e->alloc);
    uint64_t sum;
    if (pack_write_mem(e->prog, NULL, 0, &b, &sum)) return 1;
    write_file(out, b.p, b.len, NULL, 0);
    sb_free(&b);
    arb_engine_free(e);
    return 0;
}

static int make_records(const char *outdir, const char *claims, int max) {
    arb_engine *e = fz_stdlib(1);
    StrBuf desc, rec;
    sb_init(&desc, e->alloc);
    sb_init(&rec, e->alloc);
    unsigned char len[2] = {0, 0};
    sb_putn(&desc, (const char *)len, 2);
    hcodec_describe(e->prog->claim, &desc);
    size_t dlen = desc.len - 2;
    desc.p[0] = (char)(dlen & 0xff), desc.p[1] = (char)(dlen >> 8);
    FILE *f = fopen(claims, "rb");
    if (!f) return 1;
    char line[1 << 16];
    int k = 0;
    while (k < max && fgets(line, sizeof line, f)) {
        Arena ar;
        arena_init(&ar, e->alloc, 1 << 12);
        const Value *v;
        char err[256];
        size_t off;
        if (jsonr_parse(e->json, line, strlen(line), &ar, &v, err, sizeof err, &off) == 0) {
            sb_clear(&rec);
            hcodec_encode(e->prog->claim, 1, v, &rec);
            char path[4096];
            snprintf(path, sizeof path, "%s/record_%02d", outdir, k++);
            write_file(path, desc.p, desc.len, rec.p, rec.len);
        }
        arena_free(&ar);
    }
    fclose(f);
    sb_free(&desc);
    sb_free(&rec);
    arb_engine_free(e);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "pack") == 0) return make_pack(argv[2], argv + 3, argc - 3);
    if (argc == 5 && strcmp(argv[1], "hcodec") == 0)
        return make_records(argv[2], argv[3], atoi(argv[4]));
    fprintf(stderr, "usage: make_seeds pack OUT RULES... | make_seeds hcodec OUTDIR CLAIMS N\n");
    return 2;
}
