/* claim_ids.c — the batch's set of claim ids (runtime/claim_ids.h) alone:
 * N ids (every 1000th repeats an earlier one), unbounded as a plain check
 * keeps them, or bounded as check --history does (spilling sorted runs to
 * $TMPDIR): CPU µs an id, duplicates found, runs left.  Peak memory: run it
 * under /usr/bin/time -f %M.  Usage:
 *   bench_claim_ids N [MAX_IDS_IN_MEMORY (0: unbounded; default 196608)] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "claim_ids.h"

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_claim_ids N [MAX_IDS_IN_MEMORY]\n");
        return 2;
    }
    size_t n = strtoull(argv[1], NULL, 10);
    size_t budget = argc > 2 ? strtoull(argv[2], NULL, 10) : 196608;
    IdSet s;
    idset_init(&s, mem_default());
    if (budget && idset_spill(&s, budget, NULL)) return 1;
    double t0 = cpu_seconds();
    size_t dups = 0;
    for (size_t i = 1; i <= n; i++) {
        char id[32];
        uint64_t first;
        int k = snprintf(id, sizeof id, "C%09zu", i % 1000 == 0 ? i / 2 : i);
        int rc = idset_add(&s, id, (size_t)k, i, &first);
        if (rc < 0) {
            fprintf(stderr, "bench_claim_ids: %s\n", rc == -1 ? "out of memory" : "I/O error");
            return 1;
        }
        dups += rc == 1;
    }
    double t = cpu_seconds() - t0;
    printf("%zu ids, %s: %.3f s CPU, %.2f µs an id, %zu repeats found, %zu runs\n", n,
           budget ? "bounded" : "unbounded", t, t / (double)n * 1e6, dups, s.nruns);
    idset_free(&s);
    return 0;
}
