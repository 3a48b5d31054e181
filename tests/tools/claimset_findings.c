/* claimset_findings.c — a test driver for prepared claim sets
 * (arb_claimset_*, api/claimset.c), used by tests/e2e/claimset.sh: loads a
 * rule pack and a claims file into a claim set, checks it (on N threads,
 * each over its own range of the set through its own session) and writes
 * the findings as a JSON Lines findings file has them (arb_finding_json),
 * in set order, to standard output; rejected records and the stats go to
 * standard error.  Usage:
 *   claimset_findings PACK CLAIMS [--jit] [--threads N] [--phases MASK]
 *                     [--profile NAME] [--encoding ENC] [--strict] [--csv]
 * Exit: 0, 3 when records were rejected (findings written all the same),
 * 2 on any other failure. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arbiter.h"
#include "arbiter_jit.h"

typedef struct Part {
    arb_engine *e;
    const arb_claimset *set;
    size_t from, to;
    unsigned phases;
    char *out; /* findings, one a line */
    size_t len, cap;
    arb_claimset_stats st;
    int rc;
    char err[600];
} Part;

static void on_finding(void *ud, size_t claim, const arb_finding *f) {
    Part *p = ud;
    (void)claim;
    char buf[8192];
    size_t n = arb_finding_json(f, buf, sizeof buf);
    char *big = n >= sizeof buf ? malloc(n + 1) : NULL;
    if (big) arb_finding_json(f, big, n + 1);
    const char *s = big ? big : buf;
    if (p->len + n + 2 > p->cap) {
        p->cap = (p->len + n + 2) * 2;
        p->out = realloc(p->out, p->cap);
        if (!p->out) abort();
    }
    memcpy(p->out + p->len, s, n);
    p->len += n;
    p->out[p->len++] = '\n';
    free(big);
}

static void *run(void *arg) {
    Part *p = arg;
    arb_session *s;
    if ((p->rc = arb_session_new(p->e, &s)) != ARB_OK) return NULL;
    p->rc = arb_claimset_check_range(s, p->set, p->from, p->to, p->phases, on_finding, p, &p->st);
    snprintf(p->err, sizeof p->err, "%s", arb_session_errmsg(s));
    arb_session_free(s);
    return NULL;
}

static void on_reject(void *ud, const arb_reject *r) {
    (void)ud;
    fprintf(stderr, "%s:%llu: rejected: %s\n", r->file, (unsigned long long)r->line, r->message);
}

/* a + b, saturated as the library saturates its totals (a range's total may
 * already be INT64_MAX) */
static int64_t sat_add(int64_t a, int64_t b) {
    int64_t r;
    return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : -INT64_MAX) : r;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: claimset_findings PACK CLAIMS [--jit] [--threads N] "
                        "[--phases MASK] [--profile NAME] [--encoding ENC] [--strict] [--csv]\n");
        return 2;
    }
    int jit = 0, threads = 1;
    unsigned phases = 0;
    arb_claimset_options o;
    arb_claimset_options_init(&o);
    o.on_reject = on_reject;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--jit"))
            jit = 1;
        else if (!strcmp(argv[i], "--strict"))
            o.strict = 1;
        else if (!strcmp(argv[i], "--csv"))
            o.input_format = ARB_FORMAT_CSV;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--phases") && i + 1 < argc)
            phases = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
            o.input_profile = argv[++i];
        else if (!strcmp(argv[i], "--encoding") && i + 1 < argc)
            o.encoding = argv[++i];
        else {
            fprintf(stderr, "claimset_findings: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (threads < 1 || threads > 16) threads = 1;
    arb_engine *e;
    if (arb_engine_new(NULL, &e) != ARB_OK) return 2;
    if (arb_load_pack(e, argv[1]) != ARB_OK) {
        fprintf(stderr, "claimset_findings: %s\n", arb_errmsg(e));
        return 2;
    }
    arb_claimset *set;
    int lrc = arb_claimset_load(e, argv[2], &o, &set);
    if (lrc != ARB_OK && lrc != ARB_ERR_DATA) {
        fprintf(stderr, "claimset_findings: %s\n", arb_errmsg(e));
        return 2;
    }
    /* native code after the set is loaded: the sessions opened below use it */
    if (jit) {
        arb_jit_options jo;
        arb_jit_options_init(&jo);
        if (arb_use_jit(e, &jo) != ARB_OK) {
            fprintf(stderr, "claimset_findings: %s\n", arb_errmsg(e));
            return 2;
        }
    }
    size_t n = arb_claimset_count(set), per = (n + (size_t)threads - 1) / (size_t)threads;
    Part parts[16];
    pthread_t tid[16];
    memset(parts, 0, sizeof parts);
    for (int t = 0; t < threads; t++) {
        Part *p = &parts[t];
        p->e = e, p->set = set, p->phases = phases;
        p->from = (size_t)t * per < n ? (size_t)t * per : n;
        p->to = p->from + per < n ? p->from + per : n;
        if (pthread_create(&tid[t], NULL, run, p)) return 2;
    }
    arb_claimset_stats all;
    memset(&all, 0, sizeof all);
    int rc = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        Part *p = &parts[t];
        if (p->rc != ARB_OK) {
            fprintf(stderr, "claimset_findings: %s\n", p->err);
            rc = 2;
        }
        if (p->len) fwrite(p->out, 1, p->len, stdout);
        free(p->out);
        all.claims += p->st.claims, all.audited += p->st.audited;
        all.reversals += p->st.reversals, all.findings += p->st.findings;
        all.claims_flagged += p->st.claims_flagged, all.rule_errors += p->st.rule_errors;
        all.at_risk_cents = sat_add(all.at_risk_cents, p->st.at_risk_cents);
        all.at_risk_lines_cents = sat_add(all.at_risk_lines_cents, p->st.at_risk_lines_cents);
    }
    arb_claimset_info info;
    arb_claimset_get_info(set, &info);
    fprintf(stderr,
            "claims %llu rejected %llu duplicates %llu lines %llu candidates %llu history %d; "
            "audited %llu reversals %llu findings %llu flagged %llu rule_errors %llu at_risk "
            "%lld at_risk_lines %lld\n",
            (unsigned long long)info.claims, (unsigned long long)info.rejected,
            (unsigned long long)info.duplicates, (unsigned long long)info.lines,
            (unsigned long long)info.candidates, info.history, (unsigned long long)all.audited,
            (unsigned long long)all.reversals, (unsigned long long)all.findings,
            (unsigned long long)all.claims_flagged, (unsigned long long)all.rule_errors,
            (long long)all.at_risk_cents, (long long)all.at_risk_lines_cents);
    arb_claimset_free(set);
    arb_engine_free(e);
    if (rc) return rc;
    return lrc == ARB_ERR_DATA ? 3 : 0;
}
