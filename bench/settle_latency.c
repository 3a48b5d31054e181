/* settle_latency.c — single-claim latency at settlement with history() read
 * from a warm history store, against the same checks with no store (history
 * empty), in one process.  Loads a pack (or compiles rule files), opens the
 * store read-only, and checks each claim of a JSON Lines file one at a time
 * with arb_session_check_json (ARB_PHASE_ALL), timing every call with
 * clock_gettime.  One untimed warm-up pass per mode, then ROUNDS rounds that
 * alternate the two modes (no store, store) so that both see the same
 * machine; prints p50/p99/p999/max in microseconds per mode and the ratios.
 * --per-claim FILE writes, for each claim, its line number in the input, its
 * bytes of JSON and its fastest time of the rounds in each mode (to see
 * which claims make the tail).  --jit runs the rules as native code
 * (arb_use_jit, compiled before any claim: a settlement service would do so
 * once at load) instead of the interpreter.  --cpu times each call by the
 * thread's CPU time (CLOCK_THREAD_CPUTIME_ID) instead of the wall clock:
 * on a shared, loaded machine the wall clock's tail is the scheduler's.
 * Usage:
 *   bench_settle_latency (--pack LIB.arbpack | RULES...) [--stdlib DIR]
 *                        --history DB --claims FILE.jsonl [--rounds R]
 *                        [--per-claim FILE] [--jit] [--cpu] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arbiter.h"
#include "arbiter_jit.h"

static double clock_us(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void count_finding(void *ud, const arb_finding *f) {
    (void)f;
    (*(uint64_t *)ud)++;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of n sorted samples, nearest rank. */
static double quantile(const double *v, size_t n, double q) {
    size_t k = (size_t)(q * (double)n + 0.999999);
    if (k < 1) k = 1;
    if (k > n) k = n;
    return v[k - 1];
}

typedef struct Lines {
    char *buf;
    size_t *off, *len;
    size_t n;
} Lines;

static int read_lines(const char *path, Lines *ls) {
    FILE *f = fopen(path, "rb");
    if (!f) return perror(path), -1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    ls->buf = malloc((size_t)size + 1);
    if (!ls->buf || fread(ls->buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        return fprintf(stderr, "%s: cannot read\n", path), -1;
    }
    fclose(f);
    size_t cap = 1024;
    ls->off = malloc(cap * sizeof(size_t));
    ls->len = malloc(cap * sizeof(size_t));
    ls->n = 0;
    for (char *p = ls->buf, *end = ls->buf + size; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n) {
            if (ls->n == cap) {
                cap *= 2;
                ls->off = realloc(ls->off, cap * sizeof(size_t));
                ls->len = realloc(ls->len, cap * sizeof(size_t));
            }
            if (!ls->off || !ls->len) return fprintf(stderr, "out of memory\n"), -1;
            ls->off[ls->n] = (size_t)(p - ls->buf);
            ls->len[ls->n] = n;
            ls->n++;
        }
        p += n + 1;
    }
    return 0;
}

/* Checks every claim once; times each call into t (may be NULL).  Returns
 * the number of findings, or UINT64_MAX when a claim failed. */
static uint64_t pass(arb_session *s, const Lines *ls, double *t, clockid_t clk) {
    uint64_t findings = 0;
    for (size_t i = 0; i < ls->n; i++) {
        double t0 = clock_us(clk);
        int rc = arb_session_check_json(s, ls->buf + ls->off[i], ls->len[i], ARB_PHASE_ALL,
                                        count_finding, &findings);
        double t1 = clock_us(clk);
        if (rc != ARB_OK) {
            fprintf(stderr, "settle_latency: claim %zu: %s\n", i + 1, arb_session_errmsg(s));
            return UINT64_MAX;
        }
        if (t) t[i] = t1 - t0;
    }
    return findings;
}

int main(int argc, char **argv) {
    const char *pack = NULL, *stdlib = NULL, *db = NULL, *claims = NULL, *per_claim = NULL;
    const char **rules = calloc((size_t)argc, sizeof *rules);
    int nrules = 0, rounds = 3, jit = 0;
    clockid_t clk = CLOCK_MONOTONIC;
    for (int i = 1; i < argc; i++) {
        int more = i + 1 < argc;
        if (strcmp(argv[i], "--pack") == 0 && more)
            pack = argv[++i];
        else if (strcmp(argv[i], "--stdlib") == 0 && more)
            stdlib = argv[++i];
        else if (strcmp(argv[i], "--history") == 0 && more)
            db = argv[++i];
        else if (strcmp(argv[i], "--claims") == 0 && more)
            claims = argv[++i];
        else if (strcmp(argv[i], "--per-claim") == 0 && more)
            per_claim = argv[++i];
        else if (strcmp(argv[i], "--rounds") == 0 && more)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--jit") == 0)
            jit = 1;
        else if (strcmp(argv[i], "--cpu") == 0)
            clk = CLOCK_THREAD_CPUTIME_ID;
        else if (argv[i][0] != '-')
            rules[nrules++] = argv[i];
        else
            pack = NULL, claims = NULL, i = argc; /* unknown option: usage below */
    }
    if ((!pack) == (!nrules) || !db || !claims || rounds < 1) {
        fprintf(stderr,
                "usage: bench_settle_latency (--pack LIB.arbpack | RULES...) [--stdlib "
                "DIR] --history DB --claims FILE.jsonl [--rounds R] [--per-claim FILE] [--jit] "
                "[--cpu]\n");
        return 2;
    }
    arb_config cfg;
    arb_config_init(&cfg);
    if (stdlib) cfg.stdlib_dir = stdlib;
    arb_engine *e;
    if (arb_engine_new(&cfg, &e) != ARB_OK) return 4;
    int rc = ARB_OK;
    if (pack) {
        rc = arb_load_pack(e, pack);
    } else {
        for (int i = 0; i < nrules && rc == ARB_OK; i++) rc = arb_add_file(e, rules[i]);
        if (rc == ARB_OK) rc = arb_compile(e);
    }
    if (rc != ARB_OK) {
        fprintf(stderr, "settle_latency: cannot load the rules: %s\n", arb_errmsg(e));
        return 2;
    }
    double jit_ms = 0;
    if (jit) {
        arb_jit_options jo;
        arb_jit_options_init(&jo);
        double t0 = now_us();
        if (arb_use_jit(e, &jo) != ARB_OK) {
            fprintf(stderr, "settle_latency: %s\n", arb_errmsg(e));
            return 4;
        }
        jit_ms = (now_us() - t0) / 1e3;
    }
    arb_history *h;
    if (arb_history_open(e, db, ARB_HISTORY_READONLY, &h) != ARB_OK) {
        fprintf(stderr, "settle_latency: %s\n", arb_errmsg(e));
        return 3;
    }
    Lines ls;
    if (read_lines(claims, &ls) || ls.n == 0) return 3;
    arb_session *s;
    if (arb_session_new(e, &s) != ARB_OK) return 4;

    /* samples[0]: no store, samples[1]: store; rounds × claims each */
    double *samples[2];
    uint64_t findings[2] = {0, 0};
    for (int m = 0; m < 2; m++) {
        samples[m] = malloc((size_t)rounds * ls.n * sizeof(double));
        if (!samples[m]) return 4;
        arb_engine_set_history(e, m ? h : NULL);
        if (pass(s, &ls, NULL, clk) == UINT64_MAX) return 3; /* warm-up: caches, store pages */
    }
    for (int r = 0; r < rounds; r++)
        for (int m = 0; m < 2; m++) {
            arb_engine_set_history(e, m ? h : NULL);
            /* the first call after a switch sets the session's store reader
             * up: not part of a settlement, so not timed */
            if (pass(s, &(Lines){ls.buf, ls.off, ls.len, 1}, NULL, clk) == UINT64_MAX) return 3;
            findings[m] = pass(s, &ls, samples[m] + (size_t)r * ls.n, clk);
            if (findings[m] == UINT64_MAX) return 3;
        }

    if (per_claim) {
        FILE *f = fopen(per_claim, "w");
        if (!f) return perror(per_claim), 4;
        fprintf(f, "claim bytes no_store_us store_us\n");
        for (size_t i = 0; i < ls.n; i++) {
            double best[2];
            for (int m = 0; m < 2; m++) {
                best[m] = samples[m][i];
                for (int r = 1; r < rounds; r++)
                    if (samples[m][(size_t)r * ls.n + i] < best[m])
                        best[m] = samples[m][(size_t)r * ls.n + i];
            }
            fprintf(f, "%zu %zu %.1f %.1f\n", i + 1, ls.len[i], best[0], best[1]);
        }
        fclose(f);
    }
    const char *name[2] = {"no store", "store"};
    double q[2][5];
    printf("%zu claims x %d rounds, one at a time (arb_session_check_json, all phases), %s, %s\n",
           ls.n, rounds, jit ? "native code (arb_use_jit)" : "interpreter",
           clk == CLOCK_MONOTONIC ? "wall clock" : "thread CPU time");
    if (jit) printf("native code compiled in %.0f ms before the first claim\n", jit_ms);
    printf("%-9s %9s %9s %9s %9s %9s %10s\n", "history", "p50_us", "p99_us", "p999_us", "max_us",
           "mean_us", "findings");
    for (int m = 0; m < 2; m++) {
        size_t n = (size_t)rounds * ls.n;
        double sum = 0;
        for (size_t i = 0; i < n; i++) sum += samples[m][i];
        qsort(samples[m], n, sizeof(double), cmp_double);
        q[m][0] = quantile(samples[m], n, 0.50);
        q[m][1] = quantile(samples[m], n, 0.99);
        q[m][2] = quantile(samples[m], n, 0.999);
        q[m][3] = samples[m][n - 1];
        q[m][4] = sum / (double)n;
        printf("%-9s %9.1f %9.1f %9.1f %9.1f %9.1f %10llu\n", name[m], q[m][0], q[m][1], q[m][2],
               q[m][3], q[m][4], (unsigned long long)findings[m]);
    }
    printf("store / no store: p50 %.2fx, p99 %.2fx, p999 %.2fx, mean %.2fx\n", q[1][0] / q[0][0],
           q[1][1] / q[0][1], q[1][2] / q[0][2], q[1][4] / q[0][4]);

    for (int m = 0; m < 2; m++) free(samples[m]);
    arb_session_free(s);
    arb_engine_set_history(e, NULL);
    arb_history_close(h);
    arb_engine_free(e);
    free(ls.buf);
    free(ls.off);
    free(ls.len);
    free(rules);
    return 0;
}
