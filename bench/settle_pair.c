/* settle_pair.c — single-claim settlement checks of two builds of
 * libarbiter.so in one process, claim by claim: each claim is checked by
 * A then B (B then A every other claim and round), each call timed by the
 * thread's CPU time, so both builds see the same machine at the same moment
 * (on a shared, loaded machine, runs minutes apart differ by ±25%).  Each
 * build loads its own pack (a pack names the sources it was compiled from,
 * and a build's compiler may emit instructions the other lacks) and opens
 * the same history store read-only.  One untimed round, then ROUNDS rounds;
 * prints, per build, the mean, p50, p99 and p999 of each claim's fastest
 * round, the findings of one round, and B/A.  STORE 0 checks with no store
 * (history empty).  With `cold`, B checks the claim half the file away
 * from the one A checks at each step, so that neither build checks a claim
 * the other has just read into the cache: each claim's stored history is
 * as cold as at a settlement (the claims between two checks of one claim
 * evict it), not warmed by the other build's check.  Usage:
 *   bench_settle_pair LIB_A.so LIB_B.so PACK_A[,PACK_B] DB CLAIMS.jsonl ROUNDS STORE [cold]
 * Figures: docs/performance.md ("inpatient stays at settlement: by day, by
 * claim"). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arbiter.h"

typedef struct Build {
    void (*config_init)(arb_config *);
    int (*engine_new)(const arb_config *, arb_engine **);
    int (*load_pack)(arb_engine *, const char *);
    const char *(*errmsg)(const arb_engine *);
    int (*history_open)(arb_engine *, const char *, unsigned, arb_history **);
    int (*set_history)(arb_engine *, arb_history *);
    int (*session_new)(arb_engine *, arb_session **);
    int (*check)(arb_session *, const char *, size_t, unsigned,
                 void (*)(void *, const arb_finding *), void *);
    arb_engine *e;
    arb_session *s;
    arb_history *h;
} Build;

static double cpu_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void count(void *ud, const arb_finding *f) {
    (void)f;
    (*(uint64_t *)ud)++;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void *sym(void *lib, const char *name) {
    void *p = dlsym(lib, name);
    if (!p) fprintf(stderr, "settle_pair: no %s\n", name), exit(2);
    return p;
}

/* Loads build b from the library at path, with pack and store db. */
static void load(Build *b, const char *path, const char *pack, const char *db, int store) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!lib) fprintf(stderr, "settle_pair: %s\n", dlerror()), exit(2);
    *(void **)&b->config_init = sym(lib, "arb_config_init");
    *(void **)&b->engine_new = sym(lib, "arb_engine_new");
    *(void **)&b->load_pack = sym(lib, "arb_load_pack");
    *(void **)&b->errmsg = sym(lib, "arb_errmsg");
    *(void **)&b->history_open = sym(lib, "arb_history_open");
    *(void **)&b->set_history = sym(lib, "arb_engine_set_history");
    *(void **)&b->session_new = sym(lib, "arb_session_new");
    *(void **)&b->check = sym(lib, "arb_session_check_json");
    arb_config c;
    b->config_init(&c);
    if (b->engine_new(&c, &b->e) != ARB_OK) fprintf(stderr, "settle_pair: no engine\n"), exit(4);
    if (b->load_pack(b->e, pack) != ARB_OK ||
        b->history_open(b->e, db, ARB_HISTORY_READONLY, &b->h) != ARB_OK)
        fprintf(stderr, "settle_pair: %s: %s\n", path, b->errmsg(b->e)), exit(2);
    if (store) b->set_history(b->e, b->h);
    if (b->session_new(b->e, &b->s) != ARB_OK)
        fprintf(stderr, "settle_pair: no session\n"), exit(4);
}

int main(int argc, char **argv) {
    if (argc != 8 && !(argc == 9 && strcmp(argv[8], "cold") == 0)) {
        fprintf(stderr, "usage: bench_settle_pair LIB_A.so LIB_B.so PACK_A[,PACK_B] DB "
                        "CLAIMS.jsonl ROUNDS STORE [cold]\n");
        return 2;
    }
    int cold = argc == 9;
    int rounds = atoi(argv[6]), store = atoi(argv[7]);
    char *pack_a = argv[3], *pack_b = strchr(argv[3], ',');
    if (pack_b)
        *pack_b++ = 0;
    else
        pack_b = pack_a;
    Build b[2];
    memset(b, 0, sizeof b);
    load(&b[0], argv[1], pack_a, argv[4], store);
    load(&b[1], argv[2], pack_b, argv[4], store);
    FILE *f = fopen(argv[5], "rb");
    if (!f) return perror(argv[5]), 3;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) return fclose(f), 3;
    fclose(f);
    size_t n = 0, cap = 1024, *off = malloc(cap * sizeof *off), *len = malloc(cap * sizeof *len);
    for (char *p = buf; p < buf + size;) {
        char *q = memchr(p, '\n', (size_t)(buf + size - p));
        if (!q) q = buf + size;
        if (q > p) {
            if (n == cap) {
                cap *= 2;
                off = realloc(off, cap * sizeof *off);
                len = realloc(len, cap * sizeof *len);
            }
            off[n] = (size_t)(p - buf);
            len[n++] = (size_t)(q - p);
        }
        p = q + 1;
    }
    if (!n || rounds < 1) return 3;
    double *best[2];
    uint64_t found[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        best[k] = malloc(n * sizeof(double));
        for (size_t i = 0; i < n; i++) best[k][i] = 1e300;
    }
    for (int r = -1; r < rounds; r++) /* round -1: warm-up, untimed */
        for (size_t i = 0; i < n; i++)
            for (int j = 0; j < 2; j++) {
                int k = (int)(((size_t)(r + 1) + i + (size_t)j) & 1);
                size_t x = cold && k ? (i + n / 2) % n : i; /* the claim build k checks */
                uint64_t c = 0;
                double t0 = cpu_us();
                int rc = b[k].check(b[k].s, buf + off[x], len[x], ARB_PHASE_ALL, count, &c);
                double t = cpu_us() - t0;
                if (rc != ARB_OK)
                    return fprintf(stderr, "settle_pair: claim %zu: error %d\n", x + 1, rc), 3;
                if (r >= 0 && t < best[k][x]) best[k][x] = t;
                if (r == 0) found[k] += c;
            }
    double mean[2], q[2][3];
    for (int k = 0; k < 2; k++) {
        double sum = 0;
        for (size_t i = 0; i < n; i++) sum += best[k][i];
        mean[k] = sum / (double)n;
        qsort(best[k], n, sizeof(double), cmp_double);
        q[k][0] = best[k][(n - 1) / 2];
        q[k][1] = best[k][(size_t)((double)(n - 1) * 0.99)];
        q[k][2] = best[k][(size_t)((double)(n - 1) * 0.999)];
    }
    printf("%zu claims, %d rounds, %s%s, µs of thread CPU time, each claim's fastest round\n", n,
           rounds, store ? "store" : "no store", cold ? ", cold (B half the file away)" : "");
    for (int k = 0; k < 2; k++)
        printf("%s  mean %7.1f  p50 %7.1f  p99 %7.1f  p999 %7.1f  findings %llu\n", k ? "B" : "A",
               mean[k], q[k][0], q[k][1], q[k][2], (unsigned long long)found[k]);
    printf("B/A  mean %.3f  p50 %.3f  p99 %.3f  p999 %.3f\n", mean[1] / mean[0], q[1][0] / q[0][0],
           q[1][1] / q[0][1], q[1][2] / q[0][2]);
    return 0;
}
