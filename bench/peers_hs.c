/* peers_hs.c — the Vectorscan peer of bench/peers.sh: the workload's rules as
 * one pattern per rule, ^(?:c1|c2|c3|c4|c5)$ with HS_FLAG_SINGLEMATCH, in
 * one block-mode database; each claim's item code is scanned, and the match
 * callback applies the rule's age test (Vectorscan has no notion of it).
 *
 *   peers_hs compile RULES.tsv DB      compile, serialise the database to DB
 *   peers_hs mem RULES.tsv DB CLAIMS   claims parsed first, then the scan
 *                                      timed alone (best of 3); prints
 *                                      "hits SECONDS"
 *   peers_hs run RULES.tsv DB CLAIMS OUT   end to end: read the JSON Lines,
 *                                      scan, write one finding per line
 *                                      "claim_id<TAB>rule_no" to OUT; prints
 *                                      the hits
 * The compiled database is stored as Vectorscan's serialised form, the
 * counterpart of an Arbiter rule pack, so that the end-to-end run loads it
 * rather than compiling 10,000 patterns again. */
#define _POSIX_C_SOURCE 200809L
#include <hs/hs.h>

#include "peers_claims.h"

typedef struct Ctx {
    const PeersRules *rules;
    int age;
    const char *claim;
    FILE *out;
    unsigned long long hits;
} Ctx;

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ud) {
    (void)from, (void)to, (void)flags;
    Ctx *c = ud;
    if (c->age >= c->rules->min_age[id]) {
        c->hits++;
        if (c->out) fprintf(c->out, "%s\t%d\n", c->claim, c->rules->no[id]);
    }
    return 0;
}

static hs_database_t *load_db(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return perror(path), NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) return fclose(f), NULL;
    fclose(f);
    hs_database_t *db = NULL;
    if (hs_deserialize_database(buf, (size_t)size, &db) != HS_SUCCESS) db = NULL;
    free(buf);
    return db;
}

static int compile(const PeersRules *r, const char *path) {
    char **pat = malloc(r->n * sizeof(char *));
    unsigned *flags = malloc(r->n * sizeof(unsigned)), *ids = malloc(r->n * sizeof(unsigned));
    for (size_t i = 0; i < r->n; i++) {
        char buf[512];
        const char *const *c = (const char *const *)r->code + 5 * i;
        snprintf(buf, sizeof buf, "^(?:%s|%s|%s|%s|%s)$", c[0], c[1], c[2], c[3], c[4]);
        pat[i] = strdup(buf);
        flags[i] = HS_FLAG_SINGLEMATCH;
        ids[i] = (unsigned)i;
    }
    hs_database_t *db;
    hs_compile_error_t *err;
    if (hs_compile_multi((const char *const *)pat, flags, ids, (unsigned)r->n, HS_MODE_BLOCK, NULL,
                         &db, &err) != HS_SUCCESS) {
        fprintf(stderr, "peers_hs: compile: %s\n", err->message);
        return 1;
    }
    char *bytes;
    size_t len;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return 1;
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) return perror(path), 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4 || (strcmp(argv[1], "mem") == 0 && argc != 5) ||
        (strcmp(argv[1], "run") == 0 && argc != 6)) {
        fprintf(stderr, "usage: peers_hs compile|mem|run RULES.tsv DB [CLAIMS [OUT]]\n");
        return 2;
    }
    PeersRules r;
    if (peers_read_rules(argv[2], &r) != 0) return 2;
    if (strcmp(argv[1], "compile") == 0) return compile(&r, argv[3]);
    hs_database_t *db = load_db(argv[3]);
    hs_scratch_t *scratch = NULL;
    if (!db || hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
        fprintf(stderr, "peers_hs: cannot load %s\n", argv[3]);
        return 2;
    }
    Ctx c = {.rules = &r};
    if (strcmp(argv[1], "mem") == 0) {
        PeersClaims cl;
        if (peers_read_claims(argv[4], &cl) != 0) return 2;
        size_t *len = malloc(cl.n * sizeof(size_t));
        for (size_t i = 0; i < cl.n; i++) len[i] = strlen(cl.code[i]);
        double best = 1e9;
        for (int round = 0; round < 3; round++) {
            c.hits = 0;
            double t0 = peers_now();
            for (size_t i = 0; i < cl.n; i++) {
                c.age = cl.age[i];
                c.claim = cl.id[i];
                hs_scan(db, cl.code[i], (unsigned)len[i], 0, scratch, on_match, &c);
            }
            double t = peers_now() - t0;
            if (t < best) best = t;
        }
        printf("%llu %.6f\n", c.hits, best);
        return 0;
    }
    /* run: end to end, one claim at a time as it is read */
    FILE *in = fopen(argv[4], "r");
    c.out = fopen(argv[5], "w");
    if (!in || !c.out) return perror("peers_hs"), 2;
    json_tokener *tok = json_tokener_new();
    PeersClaims one = {0};
    char *line = NULL;
    size_t cap = 0, no = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) > 0) {
        no++;
        one.n = 0;
        if (peers_add_claim(&one, tok, line, (size_t)n) != 0) {
            fprintf(stderr, "%s:%zu: not a claim of the workload\n", argv[4], no);
            return 2;
        }
        c.age = one.age[0];
        c.claim = one.id[0];
        hs_scan(db, one.code[0], (unsigned)strlen(one.code[0]), 0, scratch, on_match, &c);
        free(one.id[0]);
        free(one.code[0]);
    }
    if (fclose(c.out) != 0) return perror(argv[5]), 2;
    printf("%llu\n", c.hits);
    return 0;
}
