/* spin.c — the CPU-bound control of bench/threads.sh: the same fixed work
 * (a xorshift loop, no memory traffic) done on one thread, then split over
 * two, in one process.  Prints "t1 t2 S" (wall seconds, S = t1 / t2): the
 * scaling the machine offers to two threads right now, against which a
 * program's own 2-thread scaling is read (these machines are shared).
 *
 *     spin [ITERATIONS]      (default 100,000,000) */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct Job {
    uint64_t n, x;
} Job;

static void *spin(void *arg) {
    Job *j = arg;
    uint64_t x = j->x;
    for (uint64_t i = 0; i < j->n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    j->x = x; /* kept, so the loop is not optimized away */
    return NULL;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000000ull;
    Job one = {n, 88172645463325252ull};
    double t0 = now();
    spin(&one);
    double t1 = now() - t0;
    Job two[2] = {{n / 2, 1}, {n - n / 2, 2}};
    pthread_t th;
    t0 = now();
    if (pthread_create(&th, NULL, spin, &two[0]) != 0) return 1;
    spin(&two[1]);
    pthread_join(th, NULL);
    double t2 = now() - t0;
    printf("%.3f %.3f %.3f\n", t1, t2, t1 / t2);
    return (one.x ^ two[0].x ^ two[1].x) == 42; /* uses the results */
}
