/* hsource.c — history() from the history store (see hsource.h). */
#include "hsource.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "history.h"

int hsrc_init(HSource *s, const Program *p, HStore *store, HStore *stage, Alloc a) {
    memset(s, 0, sizeof *s);
    s->p = p;
    s->alloc = a;
    s->store = store;
    s->stage = stage;
    s->stage_reverses = 1;
    s->spool_fd = -1;
    return vm_init(&s->prep, p, a);
}

void hsrc_free(HSource *s) {
    hstore_abort(s->store_txn);
    hstore_abort(s->stage_txn);
    vm_free(&s->prep);
    mem_free(s->alloc, s->recs, s->caprecs * sizeof(HSrcItem));
    mem_free(s->alloc, s->buf, s->bufcap);
    memset(s, 0, sizeof *s);
    s->spool_fd = -1;
}

int hsrc_pread(int fd, char *p, size_t n, uint64_t off) {
    while (n) {
        ssize_t k = pread(fd, p, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        if (k == 0) return errno = EIO, -1;
        p += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

static int begin_one(HStore *st, HTxn **t, char *err, size_t errcap) {
    if (!st) return 0;
    if (*t) return hstore_renew(*t, err, errcap);
    return hstore_begin(st, 0, t, err, errcap);
}

int hsrc_begin(HSource *s, char *err, size_t errcap) {
    s->failed = 0;
    int rc = begin_one(s->store, &s->store_txn, err, errcap);
    return rc ? rc : begin_one(s->stage, &s->stage_txn, err, errcap);
}

void hsrc_release(HSource *s) {
    hstore_abort(s->store_txn);
    hstore_abort(s->stage_txn);
    s->store_txn = s->stage_txn = NULL;
}

void hsrc_end(HSource *s) {
    if (s->store_txn) hstore_reset(s->store_txn);
    if (s->stage_txn) hstore_reset(s->stage_txn);
}

void hsrc_set_claim(HSource *s, const Value *claim, uint32_t seq) {
    const char *why;
    HStore *any = s->store ? s->store : s->stage;
    s->fetched = 0;
    s->seq = seq;
    s->has_key = any && hstore_claim_key(any, claim, &s->person, &s->t, &s->claim_id, &why) == 0;
}

void hsrc_install(HSource *s, VM *vm) {
    vm->hist = NULL;
    vm->hist_fn = hsrc_list;
    vm->hist_ud = s;
}

typedef struct Collect {
    HSource *s;
    int from_stage;
    int oom;
} Collect;

static int collect(void *ud, const HRec *r) {
    Collect *c = ud;
    HSource *s = c->s;
    if (!c->from_stage) {
        if (r->claim_id_len == s->claim_id->len &&
            memcmp(r->claim_id, s->claim_id->data, r->claim_id_len) == 0)
            return 0; /* the claim itself, recorded earlier */
        if (s->stage_txn && hstore_has_id(s->stage_txn, r->claim_id, r->claim_id_len))
            return 0; /* replaced or reversed by the batch */
    } else if (s->stage_reverses &&
               hstore_is_reversed(s->stage_txn, r->claim_id, r->claim_id_len)) {
        return 0; /* reversed by the batch */
    }
    if (mem_grow(s->alloc, (void **)&s->recs, sizeof(HSrcItem), &s->caprecs, s->nrecs + 1)) {
        c->oom = 1;
        return 1;
    }
    const char *rec = r->rec;
    size_t len = r->rec_len, at = 0;
    if (c->from_stage && s->spool_fd >= 0) {
        uint64_t off;
        uint32_t m;
        if (hsrc_ref_get(rec, len, s->spool_len, &off, &m)) {
            s->failed = 1; /* not a reference into the spool: left out, reported */
            return 0;
        }
        if (mem_grow(s->alloc, (void **)&s->buf, 1, &s->bufcap, s->buflen + m + 1)) {
            c->oom = 1;
            return 1;
        }
        if (hsrc_pread(s->spool_fd, s->buf + s->buflen, m, off)) {
            s->failed = 1; /* the spool cannot be read: left out, reported */
            return 0;
        }
        rec = NULL; /* in s->buf, which may still move */
        at = s->buflen;
        len = m;
        s->buflen += m;
    }
    s->recs[s->nrecs++] = (HSrcItem){rec, len, at, r->t, (uint8_t)c->from_stage};
    return 0;
}

/* Reads the claim's history settled in [from, upto) — upto is s->t + 1 at
 * first (this claim's own moment included, up to its input position), then
 * the start of what was read before — in front of what was read before. */
static int fetch(HSource *s, int64_t from, Arena *ar, int *oom) {
    /* a read maps more of the file than it needs (the kernel maps the pages
     * around each one it faults in): in a batch, let them go now and then,
     * so memory does not grow with the stores */
    if (s->guard && ++s->reads >= 256) {
        s->reads = 0;
        if (hstore_guard_over(s->guard)) {
            if (s->store) hstore_release_pages(s->store);
            if (s->stage) hstore_release_pages(s->stage);
        }
    }
    int more = s->fetched; /* extend further back */
    int64_t to_t = more ? s->from - 1 : s->t;
    uint32_t store_seq = UINT32_MAX, stage_seq = more ? UINT32_MAX : s->seq;
    s->nrecs = 0;
    s->buflen = 0;
    Collect c = {s, 0, 0};
    if (s->store_txn && hstore_window(s->store_txn, s->person->data, s->person->len, from, to_t,
                                      store_seq, collect, &c))
        s->failed = 1;
    size_t nstore = s->nrecs;
    c.from_stage = 1;
    if (!c.oom && s->stage_txn &&
        hstore_window(s->stage_txn, s->person->data, s->person->len, from, to_t, stage_seq, collect,
                      &c))
        s->failed = 1;
    if (c.oom) return *oom = 1, -1;
    size_t n = s->nrecs, old = more ? s->n : 0;
    for (size_t i = nstore; i < n; i++)
        if (!s->recs[i].rec) s->recs[i].rec = s->buf + s->recs[i].at;
    uint32_t width = s->p->claim->nfields;
    Value *items = s->items;
    int64_t *times = s->times;
    if (n) { /* not zeroed: each claim decoded is set from its blank record
              * first, and only the k decoded and the old are read */
        items = arena_alloc_raw(ar, (n + old) * width * sizeof(Value));
        times = arena_alloc_raw(ar, (n + old) * sizeof(int64_t));
        if (!items || !times) return *oom = 1, -1;
    }
    /* merge the store's and the batch's runs, oldest first */
    size_t a = 0, b = nstore, k = 0;
    while (a < nstore || b < n) {
        const HSrcItem *it =
            b >= n || (a < nstore && s->recs[a].t <= s->recs[b].t) ? &s->recs[a++] : &s->recs[b++];
        Value *dst = items + k * width;
        /* only the fields the rules read from history, when the store's
         * handle is for the program checking (it always is) */
        HStore *st = it->from_stage ? s->stage : s->store;
        int hashed = it->from_stage && s->spool_fd >= 0;
        int rc = hstore_program(st) == s->p
                     ? hstore_decode_hist(st, it->rec, it->len, ar, dst, hashed)
                 : hashed ? hstore_decode_hashed(st, it->rec, it->len, ar, dst)
                          : hstore_decode_into(st, it->rec, it->len, ar, dst);
        if (rc == -2 || (rc == 0 && vm_prepare(&s->prep, dst, ar))) return *oom = 1, -1;
        if (rc) { /* a damaged record: left out, reported */
            s->failed = 1;
            continue;
        }
        times[k++] = it->t;
    }
    if (n && old) { /* what was read before follows */
        memcpy(items + k * width, s->items, old * width * sizeof(Value));
        memcpy(times + k, s->times, old * sizeof(int64_t));
    }
    s->items = items;
    s->times = times;
    s->n = (uint32_t)(k + old);
    s->from = from;
    s->fetched = 1;
    return 0;
}

const ArbList *hsrc_list(void *ud, int64_t dur, Arena *ar, int *oom) {
    HSource *s = ud;
    int64_t from;
    if (!s->has_key || hist_window_from(s->t, dur, &from)) return NULL;
    if ((!s->fetched || from < s->from) && fetch(s, from, ar, oom)) return NULL;
    /* the run settled from `from` on */
    uint32_t lo = 0, hi = s->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->times[mid] < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s->n) return NULL;
    ArbList *l = arena_alloc(ar, sizeof *l);
    if (!l) return *oom = 1, NULL;
    l->n = s->n - lo;
    l->width = s->p->claim->nfields;
    l->items = s->items + (size_t)lo * l->width;
    return l;
}
