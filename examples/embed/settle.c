/* settle.c — history at settlement: load a rule pack, open a history store,
 * and for each claim (JSON Lines on standard input, in settlement order)
 * check it against the person's stored history, then record it as settled,
 * as a settlement service does.  A second stay admitted within 15 days of
 * an earlier discharge is flagged (split admission) at its own settlement.
 *
 * Several threads may check at once, each with its own session, while one
 * records: a check sees the store as of the last commit before it began.
 *
 * Usage: settle LIB.arbpack HISTORY_DIR < claims.jsonl */
#include <stdio.h>
#include <stdlib.h>

#include "arbiter.h"

static void print_finding(void *ud, const arb_finding *f) {
    int *count = ud;
    (*count)++;
    printf("%s %s line %lld %lld.%02lld %s\n", f->claim_id, f->rule_id, (long long)f->line_no,
           (long long)(f->amount_cents / 100), (long long)(f->amount_cents % 100), f->message);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: settle LIB.arbpack HISTORY_DIR < claims.jsonl\n");
        return 2;
    }
    arb_engine *e;
    if (arb_engine_new(NULL, &e) != ARB_OK) return 4;
    if (arb_load_pack(e, argv[1]) != ARB_OK) {
        fprintf(stderr, "settle: %s\n", arb_errmsg(e));
        arb_engine_free(e);
        return 2;
    }
    arb_history *h;
    if (arb_history_open(e, argv[2], ARB_HISTORY_WRITE, &h) != ARB_OK) {
        fprintf(stderr, "settle: %s\n", arb_errmsg(e));
        arb_engine_free(e);
        return 3;
    }
    arb_engine_set_history(e, h);
    arb_session *s;
    if (arb_session_new(e, &s) != ARB_OK) return 4;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int claims = 0, findings = 0, bad = 0;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        claims++;
        /* the settlement check: this phase's rules, history from the store */
        if (arb_session_check_json(s, line, (size_t)n, ARB_PHASE_SETTLE | ARB_PHASE_POST,
                                   print_finding, &findings) != ARB_OK ||
            arb_session_record_json(s, line, (size_t)n) != ARB_OK) {
            fprintf(stderr, "settle: claim %d: %s\n", claims, arb_session_errmsg(s));
            bad++;
        }
    }
    free(line);
    fprintf(stderr, "settle: %d claims, %d findings, %d rejected\n", claims, findings, bad);
    arb_session_free(s);
    arb_history_close(h);
    arb_engine_free(e);
    return bad ? 3 : 0;
}
