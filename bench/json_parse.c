/* json_parse.c — throughput of the claim JSON reader alone (no rules), on a
 * JSON Lines file: MB/s and claims/s on one core, by the wall clock and by
 * the process's CPU time (the best of REPEAT passes each; on a shared
 * machine the CPU time is the figure to trust).  Usage:
 *   json_parse SCHEMA_DIR CLAIMS.jsonl [REPEAT] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arbiter.h"
#include "engine.h"

static double now_of(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: json_parse STDLIB_DIR CLAIMS.jsonl [REPEAT]\n");
        return 2;
    }
    int repeat = argc > 3 ? atoi(argv[3]) : 3;
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = argv[1];
    arb_engine *e;
    if (arb_engine_new(&cfg, &e) || arb_compile(e)) {
        fprintf(stderr, "cannot load the schema from %s\n", argv[1]);
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) return perror(argv[2]), 2;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) return 2;
    fclose(f);
    Arena ar;
    arena_init(&ar, mem_default(), 1 << 16);
    char err[256];
    double best = 1e9, best_cpu = 1e9;
    size_t claims = 0, bad = 0;
    for (int r = 0; r < repeat; r++) {
        double t0 = now_of(CLOCK_MONOTONIC), c0 = now_of(CLOCK_PROCESS_CPUTIME_ID);
        claims = bad = 0;
        for (char *p = buf, *end = buf + size; p < end;) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            const Value *rec;
            size_t off;
            arena_reset(&ar);
            if (n && jsonr_parse(e->json, p, n, &ar, &rec, err, sizeof err, &off) != 0) bad++;
            claims++;
            p += n + 1;
        }
        double t = now_of(CLOCK_MONOTONIC) - t0, c = now_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (t < best) best = t;
        if (c < best_cpu) best_cpu = c;
    }
    printf("json_parse: %.1f MB in %zu claims (%zu rejected): best of %d %.3f s = %.0f MB/s, %.0f "
           "claims/s\n",
           size / 1e6, claims, bad, repeat, best, size / 1e6 / best, claims / best);
    printf("json_parse: cpu best of %d %.3f s = %.0f MB/s, %.0f claims/s\n", repeat, best_cpu,
           size / 1e6 / best_cpu, claims / best_cpu);
    arena_free(&ar);
    free(buf);
    arb_engine_free(e);
    return 0;
}
