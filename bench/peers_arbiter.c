/* peers_arbiter.c — Arbiter's in-memory figure in bench/peers.sh: rule
 * evaluation over claims already in memory through the public C API, as an
 * embedding program checks them (libarbiter.so only).  Loads a rule pack,
 * then by default loads the JSON Lines file into a prepared claim set
 * (arb_claimset_load: parsed, derived fields computed, item codes looked up
 * in the rules' index, untimed, as the peers load and parse theirs) and
 * times arb_claimset_check_rows over it (ARB_PHASE_ALL, one session),
 * keeping every finding as a row (claim, rule, line, amount, at risk) in
 * an array, as the SQL peers' CREATE TABLE … AS SELECT keeps theirs; it
 * also reports the least CPU of a pass that only counts (cpu_count).  With --sessions it times what
 * an embedder without claim sets does: the file's text in memory, each claim checked with
 * arb_session_check_json, which parses the claim's JSON inside the timed
 * loop.  One untimed warm-up pass, then the best of ROUNDS timed passes.
 * Prints "findings seconds" on standard output, and on standard error the
 * best pass's CPU seconds, the least CPU seconds of any timed pass (on a
 * shared machine the figure least disturbed by waiting for a core), that
 * of a pass only counting, and the untimed load's wall and CPU seconds.  Usage:
 *   peers_arbiter [--sessions | --count] LIB.arbpack CLAIMS.jsonl [ROUNDS] */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arbiter.h"

/* absent from builds before them (bench/peers_ab.sh runs --count there;
 * without arb_claimset_check_rows the rows come one at a time) */
#pragma weak arb_claimset_check_brief
#pragma weak arb_claimset_check_rows

static double now(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_finding(void *ud, const arb_finding *f) {
    (void)f;
    (*(uint64_t *)ud)++;
}

/* The findings kept as rows. */
typedef struct Rows {
    arb_finding_brief *r;
    size_t n, cap;
} Rows;

static void keep_row(void *ud, const arb_finding_brief *b) {
    Rows *rows = ud;
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? 2 * rows->cap : 4096;
        rows->r = realloc(rows->r, rows->cap * sizeof *rows->r);
        if (!rows->r) abort();
    }
    rows->r[rows->n++] = *b;
}

static void keep_rows(void *ud, const arb_finding_brief *b, size_t n) {
    Rows *rows = ud;
    if (rows->n + n > rows->cap) {
        while (rows->n + n > rows->cap) rows->cap = rows->cap ? 2 * rows->cap : 4096;
        rows->r = realloc(rows->r, rows->cap * sizeof *rows->r);
        if (!rows->r) abort();
    }
    memcpy(rows->r + rows->n, b, n * sizeof *b);
    rows->n += n;
}

/* The file's text, and each line's offset and length. */
typedef struct Lines {
    char *buf;
    size_t n, *off, *len;
} Lines;

static int read_lines(const char *path, Lines *l) {
    FILE *f = fopen(path, "rb");
    if (!f) return perror(path), -1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    l->buf = malloc((size_t)size + 1);
    if (!l->buf || fread(l->buf, 1, (size_t)size, f) != (size_t)size) return -1;
    fclose(f);
    size_t cap = 1024;
    l->n = 0;
    l->off = malloc(cap * sizeof(size_t));
    l->len = malloc(cap * sizeof(size_t));
    for (char *p = l->buf, *end = l->buf + size; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (k) {
            if (l->n == cap) {
                cap *= 2;
                l->off = realloc(l->off, cap * sizeof(size_t));
                l->len = realloc(l->len, cap * sizeof(size_t));
            }
            l->off[l->n] = (size_t)(p - l->buf);
            l->len[l->n++] = k;
        }
        p += k + 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    int sessions = argc > 1 && strcmp(argv[1], "--sessions") == 0;
    argv += sessions, argc -= sessions;
    /* --count: the timed pass only counts (arb_claimset_check), as builds
     * without arb_claimset_check_brief can (bench/peers_ab.sh) */
    int count = !sessions && argc > 1 && strcmp(argv[1], "--count") == 0;
    argv += count, argc -= count;
    if (argc < 3 || argc > 4) {
        fprintf(stderr,
                "usage: peers_arbiter [--sessions | --count] LIB.arbpack CLAIMS.jsonl [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    arb_config cfg;
    arb_config_init(&cfg);
    arb_engine *e;
    arb_session *s;
    if (arb_engine_new(&cfg, &e) != ARB_OK) return 2;
    if (arb_load_pack(e, argv[1]) != ARB_OK || arb_session_new(e, &s) != ARB_OK) {
        fprintf(stderr, "peers_arbiter: %s: %s\n", argv[1], arb_errmsg(e));
        return 2;
    }
    Lines l = {0};
    arb_claimset *set = NULL;
    double t0 = now(CLOCK_MONOTONIC), u0 = now(CLOCK_PROCESS_CPUTIME_ID);
    if (sessions ? read_lines(argv[2], &l) : arb_claimset_load(e, argv[2], NULL, &set)) {
        fprintf(stderr, "peers_arbiter: %s: %s\n", argv[2], sessions ? "" : arb_errmsg(e));
        return 2;
    }
    double load = now(CLOCK_MONOTONIC) - t0, load_cpu = now(CLOCK_PROCESS_CPUTIME_ID) - u0;
    double best = 1e9, best_cpu = 0, min_cpu = 1e9, count_cpu = 1e9;
    uint64_t findings = 0;
    Rows rows = {0};
    for (int r = 0; r <= rounds; r++) {
        findings = 0;
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        if (sessions) {
            for (size_t i = 0; i < l.n; i++)
                if (arb_session_check_json(s, l.buf + l.off[i], l.len[i], ARB_PHASE_ALL,
                                           count_finding, &findings) != ARB_OK) {
                    fprintf(stderr, "peers_arbiter: claim %zu: %s\n", i + 1, arb_session_errmsg(s));
                    return 1;
                }
        } else {
            arb_claimset_stats st;
            rows.n = 0;
            size_t n = arb_claimset_count(set);
            if ((count ? arb_claimset_check(s, set, ARB_PHASE_ALL, NULL, NULL, &st)
                 : arb_claimset_check_rows
                     ? arb_claimset_check_rows(s, set, 0, n, ARB_PHASE_ALL, keep_rows, &rows, &st)
                     : arb_claimset_check_brief(s, set, 0, n, ARB_PHASE_ALL, keep_row, &rows,
                                                &st)) != ARB_OK) {
                fprintf(stderr, "peers_arbiter: %s\n", arb_session_errmsg(s));
                return 1;
            }
            findings = count ? st.findings : rows.n;
        }
        double t = now(CLOCK_MONOTONIC) - w0, c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (r > 0 && t < best) best = t, best_cpu = c; /* round 0 warms up */
        if (r > 0 && c < min_cpu) min_cpu = c;
        if (!sessions && r > 0) { /* the same pass, only counting */
            arb_claimset_stats st;
            double c1 = now(CLOCK_PROCESS_CPUTIME_ID);
            if (arb_claimset_check(s, set, ARB_PHASE_ALL, NULL, NULL, &st) != ARB_OK ||
                st.findings != findings)
                return 1;
            c1 = now(CLOCK_PROCESS_CPUTIME_ID) - c1;
            if (c1 < count_cpu) count_cpu = c1;
        }
    }
    printf("%llu %.6f\n", (unsigned long long)findings, best);
    fprintf(stderr, "cpu %.6f cpu_min %.6f cpu_count %.6f load %.6f load_cpu %.6f\n", best_cpu,
            min_cpu, sessions ? min_cpu : count_cpu, load, load_cpu);
    arb_claimset_free(set);
    arb_session_free(s);
    arb_engine_free(e);
    free(l.buf);
    free(l.off);
    free(l.len);
    free(rows.r);
    return 0;
}
