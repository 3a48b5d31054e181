/* hapi.c — the public API of the history store (arb_history_* in
 * arbiter.h: open, attach, add, stats, prune, export, feedback; and
 * arb_session_record_json). */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "history.h"
#include "hstore.h"
#include "i18n.h"
#include "json_writer.h"
#include "outfile.h"
#include "utf8.h"

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
    h->writable = mode == ARB_HISTORY_WRITE;
    *out = h;
    return ARB_OK;
}

int arb_history_attach(arb_engine *e, arb_history *base, arb_history **out) {
    *out = NULL;
    if (!e->prog)
        return engine_fail(e, ARB_ERR_USAGE, "compile the rules before attaching a history store");
    if (!base) return engine_fail(e, ARB_ERR_USAGE, "no history store to attach to");
    arb_history *h = mem_calloc(e->alloc, sizeof *h);
    if (!h) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    char err[600];
    if (hstore_attach(&h->st, base->st, e->prog, e->alloc, err, sizeof err)) {
        mem_free(e->alloc, h, sizeof *h);
        return engine_fail(e, ARB_ERR_DATA, "%s", err);
    }
    h->e = e;
    h->writable = base->writable;
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
    out->feedback = s.feedback;
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
    OutFile f;
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
    int werr = outf_write(&x->f, x->b.p, x->b.len);
    if (werr) {
        x->rc = engine_fail(x->h->e, ARB_ERR_IO, "cannot write: %s", strerror(werr));
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
    outf_init(&x.f);
    int oerr = outf_open(&x.f, path, e->alloc);
    if (oerr) return engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", path, strerror(oerr));
    sb_init(&x.b, e->alloc);
    arena_init(&x.ar, e->alloc, 1 << 14);
    HTxn *t;
    char err[600];
    if (hstore_begin(h->st, 0, &t, err, sizeof err)) {
        x.rc = engine_fail(e, ARB_ERR_IO, "%s", err);
    } else {
        if (hstore_each(t, export_one, &x) && x.rc == ARB_OK)
            x.rc = *hstore_txn_error(t)
                       ? engine_fail(e, ARB_ERR_IO, "%s", hstore_txn_error(t))
                       : engine_fail(e, ARB_ERR_IO, "%s: cannot read the store", hstore_dir(h->st));
        hstore_abort(t);
    }
    /* a failed export leaves the file as it was */
    int cerr = 0;
    if (x.rc == ARB_OK)
        cerr = outf_commit(&x.f, 0);
    else
        outf_abort(&x.f);
    if (cerr) x.rc = engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", path, strerror(cerr));
    sb_free(&x.b);
    arena_free(&x.ar);
    *claims = x.n;
    return x.rc;
}

static int arbstr_cmp(const void *a, const void *b) {
    const ArbStr *x = *(const ArbStr *const *)a, *y = *(const ArbStr *const *)b;
    int c = memcmp(x->data, y->data, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Records claims[0..n) in the engine's store in one commit: a reversal
 * removes the claim it names, any other claim replaces one with its id.
 * Reversals win, as in a batch (history add, check --record): a claim that
 * a reversal among claims[0..n) names is not stored, wherever it is. */
static int record_claims(arb_session *s, const Value *const *claims, size_t n) {
    arb_engine *e = s->e;
    HStore *st = e->history->st;
    /* the ids the reversals name, sorted (exact: no hash) */
    const ArbStr **rev = NULL;
    size_t nrev = 0;
    for (size_t i = 0; i < n && n > 1; i++) {
        const ArbStr *target;
        if (!hist_reversal(&s->hrev, claims[i], &target) || !target) continue;
        if (!rev && !(rev = mem_alloc(e->alloc, n * sizeof *rev))) return ARB_ERR_NOMEM;
        rev[nrev++] = target;
    }
    if (nrev > 1) qsort(rev, nrev, sizeof *rev, arbstr_cmp);
    HTxn *t;
    int rc = ARB_OK;
    int brc = hstore_begin(st, 1, &t, s->errmsg, sizeof s->errmsg);
    if (brc) rc = brc == -2 ? ARB_ERR_NOMEM : ARB_ERR_IO;
    for (size_t i = 0; i < n && rc == ARB_OK; i++) {
        const ArbStr *target, *person, *id;
        const char *why;
        int64_t at;
        int r = 0;
        if (hist_reversal(&s->hrev, claims[i], &target)) {
            if (target)
                r = hstore_reverse(t, target->data, target->len, s->errmsg, sizeof s->errmsg);
        } else if (hstore_claim_key(st, claims[i], &person, &at, &id, &why)) {
            snprintf(s->errmsg, sizeof s->errmsg, _("cannot be stored in history: %s"), why);
            rc = ARB_ERR_DATA;
        } else if (!nrev || !bsearch(&id, rev, nrev, sizeof *rev, arbstr_cmp)) {
            r = hstore_put(t, claims[i], 0, &s->scratch, &why, s->errmsg, sizeof s->errmsg);
        }
        if (r < 0) rc = ARB_ERR_IO;
    }
    mem_free(e->alloc, rev, rev ? n * sizeof *rev : 0);
    if (brc) return rc;
    if (rc != ARB_OK) {
        hstore_abort(t);
        return rc;
    }
    return hstore_commit(t, s->errmsg, sizeof s->errmsg) ? ARB_ERR_IO : ARB_OK;
}

/* ------------------------------------------------------------ feedback */

/* json[0..n) (valid JSON) without the white space between its tokens, on
 * one line.  -1 when a string holds a raw control character (a JSON reader
 * may let it through; a JSON Lines file cannot hold a raw newline). */
static int compact_json(const char *json, size_t n, StrBuf *b) {
    int in_str = 0, esc = 0;
    for (size_t i = 0; i < n; i++) {
        char c = json[i];
        if (in_str) {
            if ((unsigned char)c < 0x20) return -1;
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            continue;
        } else if (c == '"') {
            in_str = 1;
        }
        sb_putc(b, c);
    }
    return 0;
}

int arb_history_feedback_add(arb_history *h, const char *json, size_t len) {
    arb_engine *e = h->e;
    if (!h->writable)
        return engine_fail(e, ARB_ERR_USAGE, "the history store %s is open read-only",
                           hstore_dir(h->st));
    if (len > (size_t)INT_MAX / 2)
        return engine_fail(e, ARB_ERR_DATA, "feedback: the JSON is too long (%zu bytes)", len);
    size_t bad = utf8_check(json, len);
    if (bad != UTF8_VALID)
        return engine_fail(e, ARB_ERR_DATA, "feedback: not UTF-8 at byte %zu", bad + 1);
    json_tokener *tok = json_tokener_new();
    if (!tok) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *root = json_tokener_parse_ex(tok, json, (int)len);
    enum json_tokener_error je = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    while (end < len &&
           (json[end] == ' ' || json[end] == '\t' || json[end] == '\n' || json[end] == '\r'))
        end++;
    int rc = ARB_OK;
    json_object *id = NULL;
    if (!root && je != json_tokener_success)
        rc = engine_fail(e, ARB_ERR_DATA, "feedback: invalid JSON: %s",
                         je == json_tokener_continue ? "the text ends inside the object"
                                                     : json_tokener_error_desc(je));
    else if (end != len)
        rc = engine_fail(e, ARB_ERR_DATA, "feedback: invalid JSON: text after the object");
    else if (!json_object_is_type(root, json_type_object))
        rc = engine_fail(e, ARB_ERR_DATA, "feedback: a JSON object is needed");
    else if (!json_object_object_get_ex(root, "jr_id", &id) ||
             !json_object_is_type(id, json_type_string) || json_object_get_string_len(id) == 0)
        rc = engine_fail(e, ARB_ERR_DATA, "feedback: no jr_id (a non-empty string) in the object");
    if (rc == ARB_OK) {
        StrBuf b;
        sb_init(&b, e->alloc);
        int cj = compact_json(json, len, &b);
        char err[600];
        if (cj)
            rc = engine_fail(e, ARB_ERR_DATA, "feedback: a control character in a JSON string");
        else if (b.oom)
            rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        else if (hstore_feedback_add(h->st, json_object_get_string(id),
                                     (size_t)json_object_get_string_len(id), b.p, b.len, err,
                                     sizeof err))
            rc = engine_fail(e, ARB_ERR_IO, "%s", err);
        sb_free(&b);
    }
    json_object_put(root);
    return rc;
}

typedef struct FbExport {
    OutFile f;
    uint64_t n;
    int err;
} FbExport;

static int export_feedback(void *ud, const char *json, size_t n) {
    FbExport *x = ud;
    x->err = outf_write(&x->f, json, n);
    if (!x->err) x->err = outf_write(&x->f, "\n", 1);
    if (x->err) return 1;
    x->n++;
    return 0;
}

int arb_history_feedback_export(arb_history *h, const char *path, uint64_t *n) {
    arb_engine *e = h->e;
    *n = 0;
    FbExport x;
    memset(&x, 0, sizeof x);
    outf_init(&x.f);
    int oerr = outf_open(&x.f, path, e->alloc);
    if (oerr) return engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", path, strerror(oerr));
    char err[600];
    int rc = ARB_OK;
    if (hstore_feedback_each(h->st, export_feedback, &x, err, sizeof err))
        rc = engine_fail(e, ARB_ERR_IO, "%s", err);
    else if (x.err)
        rc = engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", path, strerror(x.err));
    int cerr = 0;
    if (rc == ARB_OK)
        cerr = outf_commit(&x.f, 0);
    else
        outf_abort(&x.f);
    if (cerr) rc = engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", path, strerror(cerr));
    *n = rc == ARB_OK ? x.n : 0;
    return rc;
}

int arb_session_record_json(arb_session *s, const char *json, size_t len) {
    arb_engine *e = s->e;
    arena_reset(&s->ar);
    s->errmsg[0] = 0;
    s->nlast = 0;
    if (!e->history) {
        snprintf(s->errmsg, sizeof s->errmsg, "%s", _("no history store (arb_engine_set_history)"));
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
                 !s->e->history ? _("no history store (arb_engine_set_history)")
                                : _("no claim was checked to record"));
        return ARB_ERR_USAGE;
    }
    s->errmsg[0] = 0;
    int rc = record_claims(s, s->last, s->nlast);
    if (rc == ARB_OK && recorded) *recorded = s->nlast;
    return rc;
}
