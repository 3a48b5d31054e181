/* pack_load.c — times arb_load_pack of one pack in process: N loads into
 * fresh engines, prints the median, min and max wall time and the median
 * and min CPU time of the process, in milliseconds.
 * Usage: pack_load PACK [N] (bench/pack_load.sh builds and runs it). */
#include <arbiter.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: pack_load PACK [N]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 30;
    if (n < 1) n = 1;
    double *t = calloc((size_t)n, sizeof *t), *c = calloc((size_t)n, sizeof *c);
    if (!t || !c) return 1;
    for (int i = 0; i < n; i++) {
        arb_config cfg;
        arb_config_init(&cfg);
        arb_engine *e;
        if (arb_engine_new(&cfg, &e) != ARB_OK) return 1;
        double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
        int rc = arb_load_pack(e, argv[1]);
        t[i] = now_ms(CLOCK_MONOTONIC) - t0;
        c[i] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (rc != ARB_OK) {
            fprintf(stderr, "pack_load: %s\n", arb_errmsg(e));
            return 1;
        }
        arb_engine_free(e);
    }
    qsort(t, (size_t)n, sizeof *t, cmp);
    qsort(c, (size_t)n, sizeof *c, cmp);
    printf(
        "pack load: median %.2f ms (min %.2f, max %.2f); CPU median %.2f ms (min %.2f); %d loads\n",
        t[n / 2], t[0], t[n - 1], c[n / 2], c[0], n);
    free(t);
    free(c);
    return 0;
}
