/* hapi.c — the public API of the history store (arb_history_* in
 * arbiter.h, and arb_session_record_json). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "history.h"
#include "json_writer.h"

int arb_history_open(arb_engine *e, const char *dir, int mode, arb_history **out) {
    *out = NULL;
    if (!e->prog)
        return engine_fail(e, ARB_ERR_USAGE, "compile the rules before opening a history store");
    arb_history *h = mem_calloc(e->alloc, sizeof *h);
    if (!h) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    char err[600];
    if (hstore_open(&h->st, dir, mode == ARB_HISTORY_WRITE ? HSTORE_WRITE : HSTORE_READONLY,
                    e->prog, e->alloc, err, sizeof err)) {
        mem_free(e->alloc, h, sizeof *h);
        return engine_fail(e, ARB_ERR_DATA, "%s", err);
    }
    h->e = e;
    *out = h;
    return ARB_OK;
}

void arb_history_close(arb_history *h) {
    if (!h) return;
    if (h->e->history == h) h->e->history = NULL;
    h->e->history_gen++;
    hstore_close(h->st);
    mem_free(h->e->alloc, h, sizeof *h);
}

int arb_engine_set_history(arb_engine *e, arb_history *h) {
    if (h && h->e != e)
        return engine_fail(e, ARB_ERR_USAGE, "the history store was opened for another engine");
    e->history = h;
    e->history_gen++;
    return ARB_OK;
}

int arb_history_add_file(arb_history *h, const arb_batch_options *o, arb_batch_stats *st) {
    arb_batch_options opt = *o;
    opt.findings_path = NULL;
    opt.history = NULL;
    return batch_run(h->e, &opt, st, h->st);
}

int arb_history_stats(arb_history *h, arb_history_info *out) {
    HStoreStats s;
    char err[600];
    memset(out, 0, sizeof *out);
    if (hstore_stats(h->st, &s, err, sizeof err)) return engine_fail(h->e, ARB_ERR_IO, "%s", err);
    out->persons = s.persons;
    out->claims = s.claims;
    out->first_settle = s.first;
    out->last_settle = s.last;
    out->file_bytes = s.file_bytes;
    out->used_bytes = s.used_bytes;
    out->schemas = s.schemas;
    return ARB_OK;
}

int arb_history_prune(arb_history *h, int64_t before, uint64_t *removed) {
    char err[600];
    int64_t n = hstore_prune(h->st, before, err, sizeof err);
    *removed = n > 0 ? (uint64_t)n : 0;
    return n < 0 ? engine_fail(h->e, ARB_ERR_IO, "%s", err) : ARB_OK;
}

typedef struct Export {
    arb_history *h;
    FILE *f;
    StrBuf b;
    Arena ar;
    uint64_t n;
    int rc;
} Export;

static int export_one(void *ud, const HRec *r) {
    Export *x = ud;
    Value *claim;
    arena_reset(&x->ar);
    int rc = hstore_decode(x->h->st, r, &x->ar, &claim);
    if (rc) {
        x->rc = engine_fail(x->h->e, rc == -2 ? ARB_ERR_NOMEM : ARB_ERR_DATA,
                            "%s: a stored claim (%.*s) is damaged", hstore_dir(x->h->st),
                            (int)(r->claim_id_len < 64 ? r->claim_id_len : 64), r->claim_id);
        return 1;
    }
    sb_clear(&x->b);
    jsonw_record(x->h->e->prog->claim, claim, &x->b);
    sb_putc(&x->b, '\n');
    if (x->b.oom) {
        x->rc = engine_fail(x->h->e, ARB_ERR_NOMEM, "out of memory");
        return 1;
    }
    if (fwrite(x->b.p, 1, x->b.len, x->f) != x->b.len) {
        x->rc = engine_fail(x->h->e, ARB_ERR_IO, "cannot write: %s", strerror(errno));
        return 1;
    }
    x->n++;
    return 0;
}

int arb_history_export(arb_history *h, const char *path, uint64_t *claims) {
    arb_engine *e = h->e;
    *claims = 0;
    Export x;
    memset(&x, 0, sizeof x);
    x.h = h;
    int to_stdout = strcmp(path, "-") == 0;
    x.f = to_stdout ? stdout : fopen(path, "w");
    if (!x.f) return engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    sb_init(&x.b, e->alloc);
    arena_init(&x.ar, e->alloc, 1 << 14);
    HTxn *t;
    char err[600];
    if (hstore_begin(h->st, 0, &t, err, sizeof err)) {
        x.rc = engine_fail(e, ARB_ERR_IO, "%s", err);
    } else {
        if (hstore_each(t, export_one, &x) && x.rc == ARB_OK)
            x.rc = engine_fail(e, ARB_ERR_IO, "%s: cannot read the store", hstore_dir(h->st));
        hstore_abort(t);
    }
    if (to_stdout ? fflush(x.f) != 0 : fclose(x.f) != 0)
        if (x.rc == ARB_OK) x.rc = engine_fail(e, ARB_ERR_IO, "cannot write %s", path);
    sb_free(&x.b);
    arena_free(&x.ar);
    *claims = x.n;
    return x.rc;
}

/* Records claims[0..n) in the engine's store in one commit: a reversal
 * removes the claim it names, any other claim replaces one with its id. */
static int record_claims(arb_session *s, const Value *const *claims, size_t n) {
    HTxn *t;
    int brc = hstore_begin(s->e->history->st, 1, &t, s->errmsg, sizeof s->errmsg);
    if (brc) return brc == -2 ? ARB_ERR_NOMEM : ARB_ERR_IO;
    for (size_t i = 0; i < n; i++) {
        const ArbStr *target;
        const char *why;
        int rc;
        int reversal = hist_reversal(&s->hrev, claims[i], &target);
        if (reversal)
            rc = target ? hstore_reverse(t, target->data, target->len, s->errmsg,
                                         sizeof s->errmsg)
                        : 0;
        else
            rc = hstore_put(t, claims[i], 0, &s->scratch, &why, s->errmsg, sizeof s->errmsg);
        if (rc == 1 && !reversal) {
            snprintf(s->errmsg, sizeof s->errmsg, "cannot be stored in history: %s", why);
            hstore_abort(t);
            return ARB_ERR_DATA;
        }
        if (rc < 0) {
            hstore_abort(t);
            return ARB_ERR_IO;
        }
    }
    return hstore_commit(t, s->errmsg, sizeof s->errmsg) ? ARB_ERR_IO : ARB_OK;
}

int arb_session_record_json(arb_session *s, const char *json, size_t len) {
    arb_engine *e = s->e;
    arena_reset(&s->ar);
    s->errmsg[0] = 0;
    s->nlast = 0;
    if (!e->history) {
        snprintf(s->errmsg, sizeof s->errmsg, "no history store (arb_engine_set_history)");
        return ARB_ERR_USAGE;
    }
    const Value *claim;
    size_t off = 0;
    int prc = jsonr_parse(e->json, json, len, &s->ar, &claim, s->errmsg, sizeof s->errmsg, &off);
    if (prc) return prc == -2 ? ARB_ERR_NOMEM : ARB_ERR_DATA;
    return record_claims(s, &claim, 1);
}

int arb_session_record_last(arb_session *s, size_t *recorded) {
    if (recorded) *recorded = 0;
    if (!s->e->history || !s->nlast) {
        snprintf(s->errmsg, sizeof s->errmsg, "%s",
                 !s->e->history ? "no history store (arb_engine_set_history)"
                                : "no claim was checked to record");
        return ARB_ERR_USAGE;
    }
    s->errmsg[0] = 0;
    int rc = record_claims(s, s->last, s->nlast);
    if (rc == ARB_OK && recorded) *recorded = s->nlast;
    return rc;
}
