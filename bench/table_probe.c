/* table_probe.c — table_find_hashed (runtime/table.h) alone: a one-column
 * table of NKEYS item codes indexed as a pack's would be, then NPROBES
 * look-ups of keys it holds (hits, in a random order) and NPROBES of codes
 * of the same shapes it does not hold (misses), each string's hash known
 * beforehand as a claim's interned code has it.  Two key shapes: "short"
 * (the peers' workload: 7, 14 and 15 bytes) and "long" (23 bytes, national
 * drug codes).  Prints, per shape, CPU ns a hit and a miss (best of ROUNDS
 * passes) and a checksum of the rows found, which two builds must share.
 * Built by bench/table_probe_ab.sh against each build's libarbiter.a.
 * Usage: table_probe [NKEYS (131072)] [NPROBES (2000000)] [ROUNDS (5)] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "table.h"

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t rnd(uint64_t *s) {
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*s >> 33);
}

/* The i-th code of a shape; odd i are never put in the table. */
static uint32_t code(char *buf, int longer, uint32_t i) {
    int n;
    if (longer)
        n = sprintf(buf, "XJ%02uCAA%03uE%03u%08u", i % 97, i % 1000, i % 7, i);
    else if (i % 3 == 0)
        n = sprintf(buf, "XA%02u%c%05uE001", i % 97, "ABCDEFGH"[i % 8], i % 100000 + i / 100000);
    else if (i % 3 == 1)
        n = sprintf(buf, "00%07u%06u", i * 7919u % 10000000u, i);
    else
        n = sprintf(buf, "C%06u", i);
    return (uint32_t)n;
}

typedef struct Query {
    const char *s;
    uint32_t n, h;
} Query;

static double pass(const Table *t, const Query *q, uint32_t nq, uint64_t *sum) {
    double t0 = cpu_seconds();
    uint64_t acc = 0;
    for (uint32_t i = 0; i < nq; i++) {
        uint32_t c;
        const uint32_t *rows = table_find_hashed(t, q[i].s, q[i].n, 0, q[i].h, &c);
        acc += c ? rows[0] + 1u : 0u;
    }
    *sum += acc;
    return cpu_seconds() - t0;
}

int main(int argc, char **argv) {
    uint32_t nkeys = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 131072;
    uint32_t nprobes = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 2000000;
    int rounds = argc > 3 ? atoi(argv[3]) : 5;
    for (int longer = 0; longer < 2; longer++) {
        Arena ar;
        arena_init(&ar, mem_default(), 1 << 20);
        Field f;
        memset(&f, 0, sizeof f);
        f.name = "code";
        f.name_len = 4;
        f.type.kind = TY_CODE;
        Table t;
        memset(&t, 0, sizeof t);
        t.rt.nfields = 1;
        t.rt.fields = &f;
        t.key_col = 0;
        t.nrows = nkeys;
        t.rows = arena_alloc(&ar, (size_t)nkeys * sizeof(Value));
        char buf[64];
        /* the rows in a shuffled order of codes, as a table's file lists them */
        uint64_t seed = 42;
        uint32_t *perm = malloc((size_t)nkeys * sizeof(uint32_t));
        for (uint32_t i = 0; i < nkeys; i++) perm[i] = i;
        for (uint32_t i = nkeys; i > 1; i--) {
            uint32_t j = rnd(&seed) % i, x = perm[i - 1];
            perm[i - 1] = perm[j], perm[j] = x;
        }
        for (uint32_t r = 0; r < nkeys; r++) {
            uint32_t n = code(buf, longer, 2 * perm[r]);
            t.rows[r].s = str_new(&ar, buf, n);
        }
        if (table_build_index(&t, &ar)) return 1;
        /* queries: hits and misses in random orders, strings side by side */
        Query *hit = malloc((size_t)nprobes * sizeof(Query)),
              *miss = malloc((size_t)nprobes * sizeof(Query));
        char *text = malloc((size_t)nprobes * 2 * 32);
        if (!perm || !hit || !miss || !text) return 1;
        for (uint32_t i = 0; i < nprobes; i++) {
            char *a = text + (size_t)i * 64, *b = a + 32;
            uint32_t k = rnd(&seed) % nkeys;
            uint32_t n = code(a, longer, 2 * k);
            hit[i] = (Query){a, n, str_hash(a, n)};
            n = code(b, longer, 2 * (rnd(&seed) % nkeys) + 1);
            miss[i] = (Query){b, n, str_hash(b, n)};
        }
        double best_hit = 1e9, best_miss = 1e9;
        uint64_t sum = 0;
        for (int r = 0; r < rounds; r++) {
            uint64_t s = 0;
            double h = pass(&t, hit, nprobes, &s), m = pass(&t, miss, nprobes, &s);
            best_hit = h < best_hit ? h : best_hit;
            best_miss = m < best_miss ? m : best_miss;
            if (r == 0) sum = s;
        }
        printf("%s keys %u: hit %.1f ns, miss %.1f ns, checksum %llu\n", longer ? "long" : "short",
               nkeys, best_hit * 1e9 / nprobes, best_miss * 1e9 / nprobes, (unsigned long long)sum);
        free(perm), free(hit), free(miss), free(text);
        arena_free(&ar);
    }
    return 0;
}
