/* embed.c — embedding Arbiter: load a rule pack (and, optionally, its
 * native matchers made by `arbiter compile --native`) and check single claims
 * at settlement.  Links only libarbiter: no LLVM, no compiler at run time.
 * Usage: embed LIB.arbpack [LIB.arbpack.so] < claims.jsonl */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arbiter.h"

static void print_finding(void *ud, const arb_finding *f) {
    int *count = ud;
    (*count)++;
    printf("%s %s line %lld %lld.%02lld %s\n", f->claim_id, f->rule_id, (long long)f->line_no,
           (long long)(f->amount_cents / 100), (long long)(f->amount_cents % 100), f->message);
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: embed LIB.arbpack [LIB.arbpack.so] < claims.jsonl\n");
        return 2;
    }
    arb_engine *e;
    if (arb_engine_new(NULL, &e) != ARB_OK) return 4;
    if (arb_load_pack(e, argv[1]) != ARB_OK) {
        fprintf(stderr, "embed: %s\n", arb_errmsg(e));
        arb_engine_free(e);
        return 2;
    }
    if (argc == 3 && arb_load_native(e, argv[2]) != ARB_OK) {
        fprintf(stderr, "embed: %s\n", arb_errmsg(e));
        arb_engine_free(e);
        return 2;
    }
    arb_session *s;
    if (arb_session_new(e, &s) != ARB_OK) return 4;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int claims = 0, findings = 0, bad = 0;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        claims++;
        if (arb_session_check_json(s, line, (size_t)n, ARB_PHASE_SETTLE, print_finding,
                                   &findings) != ARB_OK) {
            fprintf(stderr, "embed: claim %d rejected: %s\n", claims, arb_session_errmsg(s));
            bad++;
        }
    }
    free(line);
    fprintf(stderr, "embed: %d claims, %d findings, %d rejected\n", claims, findings, bad);
    arb_session_free(s);
    arb_engine_free(e);
    return bad ? 3 : 0;
}
