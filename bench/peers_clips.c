/* peers_clips.c — the CLIPS peer of bench/peers.sh, embedding Debian's
 * libclips (6.30): the workload's rules as one defrule per rule (peers.clp,
 * made by peers_gen.py: the code a disjunction of 5 strings, the age a test
 * constraint, the action a call of the C function `hit`).  Each claim is a
 * fact built with the C API (EnvCreateFact, no string parsing); facts are
 * asserted a batch at a time, the rules run, and the batch is retracted, so
 * working memory stays small.
 *
 *   peers_clips compile RULES.clp IMAGE   load the rules, bsave the image
 *   peers_clips mem IMAGE CLAIMS          claims parsed first; the asserts,
 *                                         runs and retracts timed alone;
 *                                         prints "hits SECONDS"
 *   peers_clips run IMAGE CLAIMS OUT      end to end: read the JSON Lines,
 *                                         run, write "claim_id<TAB>rule_no"
 *                                         per finding to OUT; prints the hits
 * The bsave image (CLIPS's binary form of the rules) is the counterpart of
 * an Arbiter rule pack. */
#define _POSIX_C_SOURCE 200809L
#include <clips.h>

#include "peers_claims.h"

enum { BATCH = 1000 };

/* the findings: the one environment of this process */
static unsigned long long hits;
static FILE *out;

static int hit(void *env) {
    hits++;
    if (out) fprintf(out, "%s\t%lld\n", EnvRtnLexeme(env, 1), EnvRtnLong(env, 2));
    return 0;
}

static void *new_env(void) {
    void *env = CreateEnvironment();
    EnvDefineFunction2(env, "hit", 'i', hit, "hit", "22");
    return env;
}

/* Asserts claims [from, to) of cl, runs the rules, retracts them. */
static void run_batch(void *env, void *tmpl, const PeersClaims *cl, size_t from, size_t to) {
    void *facts[BATCH];
    for (size_t i = from; i < to; i++) {
        void *f = EnvCreateFact(env, tmpl);
        DATA_OBJECT v;
        v.type = SYMBOL;
        v.value = EnvAddSymbol(env, cl->id[i]); /* strings and symbols share the table */
        EnvPutFactSlot(env, f, "id", &v);
        v.type = STRING;
        v.value = EnvAddSymbol(env, cl->code[i]);
        EnvPutFactSlot(env, f, "code", &v);
        v.type = INTEGER;
        v.value = EnvAddLong(env, cl->age[i]);
        EnvPutFactSlot(env, f, "age", &v);
        facts[i - from] = EnvAssert(env, f);
    }
    EnvRun(env, -1);
    for (size_t i = from; i < to; i++) EnvRetract(env, facts[i - from]);
}

int main(int argc, char **argv) {
    if (argc < 4 || (strcmp(argv[1], "run") == 0 && argc != 5)) {
        fprintf(stderr, "usage: peers_clips compile RULES.clp IMAGE | mem IMAGE CLAIMS | run "
                        "IMAGE CLAIMS OUT\n");
        return 2;
    }
    void *env = new_env();
    if (strcmp(argv[1], "compile") == 0) {
        if (EnvLoad(env, argv[2]) != 1) return fprintf(stderr, "cannot load %s\n", argv[2]), 2;
        return EnvBsave(env, argv[3]) ? 0 : 2;
    }
    if (!EnvBload(env, argv[2])) return fprintf(stderr, "cannot bload %s\n", argv[2]), 2;
    EnvReset(env);
    void *tmpl = EnvFindDeftemplate(env, "claim");
    if (!tmpl) return fprintf(stderr, "no deftemplate claim\n"), 2;
    PeersClaims cl;
    if (strcmp(argv[1], "mem") == 0) {
        if (peers_read_claims(argv[3], &cl) != 0) return 2;
        double t0 = peers_now();
        for (size_t i = 0; i < cl.n; i += BATCH)
            run_batch(env, tmpl, &cl, i, i + BATCH < cl.n ? i + BATCH : cl.n);
        printf("%llu %.6f\n", hits, peers_now() - t0);
        return 0;
    }
    /* run: end to end, a batch at a time as it is read */
    FILE *in = fopen(argv[3], "r");
    out = fopen(argv[4], "w");
    if (!in || !out) return perror("peers_clips"), 2;
    json_tokener *tok = json_tokener_new();
    memset(&cl, 0, sizeof cl);
    char *line = NULL;
    size_t cap = 0, no = 0;
    ssize_t n;
    for (;;) {
        n = getline(&line, &cap, in);
        if (n > 0) {
            no++;
            if (peers_add_claim(&cl, tok, line, (size_t)n) != 0) {
                fprintf(stderr, "%s:%zu: not a claim of the workload\n", argv[3], no);
                return 2;
            }
        }
        if (cl.n == BATCH || (n <= 0 && cl.n)) {
            run_batch(env, tmpl, &cl, 0, cl.n);
            for (size_t i = 0; i < cl.n; i++) free(cl.id[i]), free(cl.code[i]);
            cl.n = 0;
        }
        if (n <= 0) break;
    }
    if (fclose(out) != 0) return perror(argv[4]), 2;
    printf("%llu\n", hits);
    return 0;
}
