/* peers_arbiter.c — Arbiter's in-memory figure in bench/peers.sh: rule
 * evaluation over claims already in memory through the public C API, as an
 * embedding program checks them (libarbiter.so only).  Loads a rule pack,
 * reads a JSON Lines file into memory, then checks every claim with
 * arb_session_check_json (ARB_PHASE_ALL) in one session, counting findings;
 * one untimed warm-up pass, then the best of ROUNDS timed passes.  The
 * timed work includes reading each claim's JSON text into Arbiter's typed
 * records (the session API takes JSON): the peers' in-memory figures start
 * from claims already parsed.  Prints "findings seconds".  Usage:
 *   peers_arbiter LIB.arbpack CLAIMS.jsonl [ROUNDS] */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arbiter.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_finding(void *ud, const arb_finding *f) {
    (void)f;
    (*(uint64_t *)ud)++;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: peers_arbiter LIB.arbpack CLAIMS.jsonl [ROUNDS]\n");
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
    FILE *f = fopen(argv[2], "rb");
    if (!f) return perror(argv[2]), 2;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) return 2;
    fclose(f);
    /* the claims' offsets and lengths */
    size_t n = 0, cap = 1024, *off = malloc(cap * sizeof(size_t)),
           *len = malloc(cap * sizeof(size_t));
    for (char *p = buf, *end = buf + size; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (k) {
            if (n == cap) {
                cap *= 2;
                off = realloc(off, cap * sizeof(size_t));
                len = realloc(len, cap * sizeof(size_t));
            }
            off[n] = (size_t)(p - buf);
            len[n++] = k;
        }
        p += k + 1;
    }
    double best = 1e9;
    uint64_t findings = 0;
    for (int r = 0; r <= rounds; r++) {
        findings = 0;
        double t0 = now();
        for (size_t i = 0; i < n; i++)
            if (arb_session_check_json(s, buf + off[i], len[i], ARB_PHASE_ALL, count_finding,
                                       &findings) != ARB_OK) {
                fprintf(stderr, "peers_arbiter: claim %zu: %s\n", i + 1, arb_session_errmsg(s));
                return 1;
            }
        double t = now() - t0;
        if (r > 0 && t < best) best = t; /* round 0 warms up */
    }
    printf("%llu %.6f\n", (unsigned long long)findings, best);
    arb_session_free(s);
    arb_engine_free(e);
    free(buf);
    free(off);
    free(len);
    return 0;
}
