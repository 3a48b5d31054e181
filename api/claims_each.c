/* claims_each.c — claims files read through the runtime's readers as
 * arb_check_file reads them (JSON Lines or CSV, an encoding, an input
 * profile), for the library's own use (claims_read: prepared claim sets,
 * api/claimset.c) and for readers above the library (the report):
 * arb_claims_each gives each claim as canonical JSON, and
 * arb_history_claims_each the claims of a history store.  Memory does not
 * grow with the claims unless they are kept (the store's pages read are let
 * go as the batches' reads let them go). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_claims.h"
#include "engine.h"
#include "history.h"
#include "i18n.h"
#include "json_reader.h"
#include "json_writer.h"
#include "profile.h"
#include "transcode.h"

typedef struct Each {
    arb_engine *e;
    int (*fn)(void *ud, const char *json, size_t len);
    void *ud;
    StrBuf b;
    ClaimsRead *cr; /* claims_read's caller, or NULL: arb_claims_each's */
    uint64_t claims, rejected;
    int stopped;
} Each;

/* Hands one claim to the caller (as canonical JSON for arb_claims_each);
 * -2 when out of memory, 1 to stop, else 0. */
static int emit(Each *x, const Value *claim, uint64_t line) {
    if (x->cr) {
        int rc = x->cr->take(x->cr->ud, claim, line);
        if (rc == -2) return -2;
        x->claims++;
        if (rc) return x->stopped = 1;
        return 0;
    }
    sb_clear(&x->b);
    jsonw_record(x->e->prog->claim, claim, &x->b);
    if (x->b.oom) return -2;
    x->claims++;
    if (x->fn(x->ud, x->b.p, x->b.len)) return x->stopped = 1;
    return 0;
}

/* Counts a rejected record and tells claims_read's caller where and why. */
static void rejected(Each *x, const char *file, uint64_t line, const char *msg) {
    x->rejected++;
    if (x->cr && x->cr->on_reject) x->cr->on_reject(x->cr->ud, file, line, msg);
}

static int ends_csv(const char *s) {
    size_t n = strlen(s);
    return n >= 4 && strcmp(s + n - 4, ".csv") == 0;
}

static int each_csv(Each *x, const arb_batch_options *o, const Prof *prof, int enc) {
    arb_engine *e = x->e;
    char msg[1024];
    CsvClaims *cc = NULL;
    ProfCsv *pc = NULL;
    if (prof ? prof_csv_open_stream(&pc, prof, o->claims_path, enc, 0, 0, e->alloc, msg, sizeof msg)
             : csvc_open_stream(&cc, e->prog->claim, o->claims_path, enc, 0, e->alloc, msg,
                                sizeof msg))
        return engine_fail(e, ARB_ERR_DATA, "%s", msg);
    if (cc) csvc_set_max_field(cc, o->max_field_bytes);
    Arena scratch, *ar = x->cr && x->cr->keep ? x->cr->keep : &scratch;
    StrMap *strings = x->cr ? x->cr->strings : NULL;
    arena_init(&scratch, e->alloc, 1 << 14);
    ProfWork pw;
    prof_work_init(&pw, e->alloc);
    int rc = ARB_OK;
    size_t n = pc ? prof_csv_count(pc) : csvc_count(cc);
    for (size_t i = 0; i < n && rc == ARB_OK && !x->stopped; i++) {
        if (ar == &scratch) arena_reset(&scratch);
        size_t to = i + 4096 < n ? i + 4096 : n; /* the next window of claims (streamed CSV) */
        if (i % 4096 == 0 && ((cc && csvc_load(cc, i, to, msg, sizeof msg)) ||
                              (pc && prof_csv_load(pc, i, to, msg, sizeof msg)))) {
            rc = engine_fail(e, ARB_ERR_DATA, "%s", msg);
            break;
        }
        if (pc) {
            uint64_t line;
            JsonrOptions jo = {strings, NULL, o->strict, 0, o->max_field_bytes, 0};
            int prc = prof_csv_get(pc, i, &pw, e->json, ar, &jo, msg, sizeof msg, &line);
            if (prc == -2) rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
            if (prc) {
                if (prc == -1) rejected(x, o->claims_path, line, msg);
                continue;
            }
            for (size_t k = 0; k < pw.nclaims && rc == ARB_OK && !x->stopped; k++)
                if (emit(x, pw.claims[k], line) == -2)
                    rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        } else {
            const Value *claim;
            const char *file;
            uint64_t line;
            if (csvc_get_ex(cc, i, ar, strings, NULL, o->strict, &claim, msg, sizeof msg, &file,
                            &line)) {
                rejected(x, file, line, msg);
                continue;
            }
            if (emit(x, claim, line) == -2) rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        }
    }
    for (size_t k = 0; cc && k < csvc_orphan_count(cc); k++) {
        const char *file, *m;
        uint64_t line;
        csvc_orphan(cc, k, &file, &line, &m);
        rejected(x, file, line, m);
    }
    prof_work_free(&pw);
    arena_free(&scratch);
    if (cc) csvc_free(cc);
    prof_csv_free(pc);
    return rc;
}

static int each_jsonl(Each *x, const arb_batch_options *o, const Prof *prof, int enc) {
    arb_engine *e = x->e;
    FILE *f = fopen(o->claims_path, "r");
    if (!f)
        return engine_fail(e, ARB_ERR_DATA, "cannot open %s: %s", o->claims_path, strerror(errno));
    Transcoder tc;
    TcText text;
    tc_text_init(&text, e->alloc);
    if (enc != TC_UTF8 && tc_open(&tc, enc)) {
        fclose(f);
        return engine_fail(e, ARB_ERR_USAGE, "cannot convert from %s: %s", tc_encoding_name(enc),
                           strerror(errno));
    }
    Arena scratch, *ar = x->cr && x->cr->keep ? x->cr->keep : &scratch;
    StrMap *strings = x->cr ? x->cr->strings : NULL;
    arena_init(&scratch, e->alloc, 1 << 14);
    ProfWork pw;
    prof_work_init(&pw, e->alloc);
    char *line = NULL, msg[1024], full[1100];
    size_t cap = 0;
    int rc = ARB_OK;
    ssize_t got;
    uint64_t lineno = 0, base = 0;
    while (rc == ARB_OK && !x->stopped && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        uint64_t at = base;
        base += (uint64_t)got;
        const char *p = line;
        size_t n = (size_t)got;
        if (enc != TC_UTF8) {
            tc_text_clear(&text);
            if (tc_convert(&tc, line, n, (size_t)at, &text)) {
                rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
                break;
            }
            if (text.nbad) { /* check rejects a record it cannot decode */
                snprintf(full, sizeof full, _("column %zu: invalid %s at byte %llu"),
                         text.bad[0].col, tc_encoding_name(enc),
                         (unsigned long long)text.bad[0].in_off);
                rejected(x, o->claims_path, lineno, full);
                continue;
            }
            p = text.p, n = text.len;
        }
        size_t lead = 0;
        while (n && (*p == ' ' || *p == '\t' || *p == '\r')) p++, n--, lead++;
        while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (!n) continue;
        if (ar == &scratch) arena_reset(&scratch);
        const Value *claim;
        size_t off = 0;
        JsonrOptions jo = {strings, NULL, o->strict, at + lead, o->max_field_bytes, 0};
        int prc = prof ? prof_read_json(prof, &pw, e->json, p, n, ar, &jo, msg, sizeof msg, &off)
                       : jsonr_parse_ex(e->json, p, n, ar, &jo, &claim, msg, sizeof msg, &off);
        if (prc == -2) {
            rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        } else if (prc) {
            snprintf(full, sizeof full, _("column %zu: %s"), off + 1, msg);
            rejected(x, o->claims_path, lineno, full);
        } else if (prof) {
            for (size_t k = 0; k < pw.nclaims && rc == ARB_OK && !x->stopped; k++)
                if (emit(x, pw.claims[k], lineno) == -2)
                    rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        } else if (emit(x, claim, lineno) == -2) {
            rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        }
    }
    if (rc == ARB_OK && ferror(f))
        rc = engine_fail(e, ARB_ERR_DATA, "cannot read %s: %s", o->claims_path, strerror(errno));
    free(line);
    prof_work_free(&pw);
    arena_free(&scratch);
    if (enc != TC_UTF8) tc_close(&tc);
    tc_text_free(&text);
    fclose(f);
    return rc;
}

/* The reading both entry points share. */
static int each_file(arb_engine *e, const arb_batch_options *o, Each *x) {
    if (!e->prog) return engine_fail(e, ARB_ERR_USAGE, "compile the rules before reading claims");
    if (!o->claims_path) return engine_fail(e, ARB_ERR_USAGE, "no claims file given");
    const Prof *prof = NULL;
    if (o->input_profile && !(prof = engine_profile(e, o->input_profile)))
        return engine_fail(e, ARB_ERR_USAGE, "no input profile '%s' in the rules",
                           o->input_profile);
    int enc = o->encoding ? tc_encoding(o->encoding) : TC_UTF8;
    if (enc < 0)
        return engine_fail(e, ARB_ERR_USAGE, "unknown encoding '%s' (utf-8, gb18030)", o->encoding);
    int csv = prof ? prof_profile(prof)->format == PROF_CSV
                   : o->input_format == ARB_FORMAT_CSV ||
                         (o->input_format == ARB_FORMAT_AUTO && ends_csv(o->claims_path));
    return csv ? each_csv(x, o, prof, enc) : each_jsonl(x, o, prof, enc);
}

int claims_read(arb_engine *e, const arb_batch_options *o, ClaimsRead *cr) {
    Each x;
    memset(&x, 0, sizeof x);
    x.e = e, x.cr = cr;
    int rc = each_file(e, o, &x);
    cr->claims = x.claims;
    cr->rejected = x.rejected;
    return rc;
}

int arb_claims_each(arb_engine *e, const arb_batch_options *o,
                    int (*fn)(void *ud, const char *json, size_t len), void *ud, uint64_t *claims,
                    uint64_t *rejected) {
    if (claims) *claims = 0;
    if (rejected) *rejected = 0;
    Each x;
    memset(&x, 0, sizeof x);
    x.e = e, x.fn = fn, x.ud = ud;
    sb_init(&x.b, e->alloc);
    int rc = each_file(e, o, &x);
    sb_free(&x.b);
    if (claims) *claims = x.claims;
    if (rejected) *rejected = x.rejected;
    return rc;
}

/* ------------------------------------------------------- the store's */

typedef struct HEach {
    Each *x;
    HStore *st;
    Arena ar;
    int rc;
    HMemGuard guard; /* the store's pages read are let go past 48 MB (hstore.h) */
} HEach;

static int history_one(void *ud, const HRec *r) {
    HEach *h = ud;
    Value *claim;
    arena_reset(&h->ar);
    int rc = hstore_decode(h->st, r, &h->ar, &claim);
    if (rc) {
        h->rc = engine_fail(h->x->e, rc == -2 ? ARB_ERR_NOMEM : ARB_ERR_DATA,
                            "%s: a stored claim (%.*s) is damaged", hstore_dir(h->st),
                            (int)(r->claim_id_len < 64 ? r->claim_id_len : 64), r->claim_id);
        return 1;
    }
    if (emit(h->x, claim, 0) == -2) {
        h->rc = engine_fail(h->x->e, ARB_ERR_NOMEM, "out of memory");
        return 1;
    }
    if ((h->x->claims & 1023) == 0 && hstore_guard_over(&h->guard)) {
        hstore_release_pages(h->st);
        hstore_guard_init(&h->guard, (size_t)48 << 20);
    }
    return h->x->stopped;
}

int arb_history_claims_each(arb_history *h, int (*fn)(void *ud, const char *json, size_t len),
                            void *ud, uint64_t *claims) {
    arb_engine *e = h->e;
    if (claims) *claims = 0;
    Each x;
    memset(&x, 0, sizeof x);
    x.e = e, x.fn = fn, x.ud = ud;
    sb_init(&x.b, e->alloc);
    HEach he;
    memset(&he, 0, sizeof he);
    he.x = &x, he.st = h->st, he.rc = ARB_OK;
    hstore_guard_init(&he.guard, (size_t)48 << 20);
    arena_init(&he.ar, e->alloc, 1 << 14);
    HTxn *t;
    char err[600];
    if (hstore_begin(h->st, 0, &t, err, sizeof err)) {
        he.rc = engine_fail(e, ARB_ERR_IO, "%s", err);
    } else {
        if (hstore_each(t, history_one, &he) && he.rc == ARB_OK && !x.stopped)
            he.rc = *hstore_txn_error(t) ? engine_fail(e, ARB_ERR_IO, "%s", hstore_txn_error(t))
                                         : engine_fail(e, ARB_ERR_IO, "%s: cannot read the store",
                                                       hstore_dir(h->st));
        hstore_abort(t);
    }
    sb_free(&x.b);
    arena_free(&he.ar);
    if (claims) *claims = x.claims;
    return he.rc;
}
