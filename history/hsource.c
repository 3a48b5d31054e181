/* hsource.c — history() from the history store (see hsource.h). */
#include "hsource.h"

#include <stdio.h>
#include <string.h>

#include "history.h"

int hsrc_init(HSource *s, const Program *p, HStore *store, HStore *stage, Alloc a) {
    memset(s, 0, sizeof *s);
    s->p = p;
    s->alloc = a;
    s->store = store;
    s->stage = stage;
    return vm_init(&s->prep, p, a);
}

void hsrc_free(HSource *s) {
    hstore_abort(s->store_txn);
    hstore_abort(s->stage_txn);
    vm_free(&s->prep);
    mem_free(s->alloc, s->items, s->capitems * sizeof(HSrcItem));
    memset(s, 0, sizeof *s);
}

static int begin_one(HStore *st, HTxn **t, char *err, size_t errcap) {
    if (!st) return 0;
    if (*t) return hstore_renew(*t) ? (snprintf(err, errcap, "history store: cannot read"), -1) : 0;
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
    s->ncache = 0;
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
    } else if (hstore_has_id(s->stage_txn, r->claim_id, r->claim_id_len) == 2) {
        return 0; /* reversed by the batch */
    }
    if (mem_grow(s->alloc, (void **)&s->items, sizeof(HSrcItem), &s->capitems, s->nitems + 1)) {
        c->oom = 1;
        return 1;
    }
    s->items[s->nitems++] = (HSrcItem){r->rec, r->rec_len, r->t, (uint8_t)c->from_stage};
    return 0;
}

const ArbList *hsrc_list(void *ud, int64_t dur, Arena *ar, int *oom) {
    HSource *s = ud;
    int64_t from;
    if (!s->has_key || hist_window_from(s->t, dur, &from)) return NULL;
    for (int i = 0; i < s->ncache; i++)
        if (s->cache[i].dur == dur) return s->cache[i].l;
    /* a read maps more of the file than it needs (the kernel maps the pages
     * around each one it faults in): let them go now and then, so memory
     * does not grow with the stores */
    if (++s->reads >= 256) {
        s->reads = 0;
        if (s->store) hstore_release_pages(s->store);
        if (s->stage) hstore_release_pages(s->stage);
    }
    s->nitems = 0;
    Collect c = {s, 0, 0};
    size_t nstore = 0;
    if (s->store_txn && hstore_window(s->store_txn, s->person->data, s->person->len, from, s->t,
                                      UINT32_MAX, collect, &c))
        s->failed = 1;
    nstore = s->nitems;
    c.from_stage = 1;
    if (!c.oom && s->stage_txn &&
        hstore_window(s->stage_txn, s->person->data, s->person->len, from, s->t, s->seq, collect,
                      &c))
        s->failed = 1;
    if (c.oom) {
        *oom = 1;
        return NULL;
    }
    const ArbList *result = NULL;
    size_t n = s->nitems;
    if (n) {
        uint32_t width = s->p->claim->nfields;
        ArbList *l = arena_alloc(ar, sizeof *l);
        Value *items = arena_alloc(ar, n * width * sizeof(Value));
        if (!l || !items) {
            *oom = 1;
            return NULL;
        }
        /* merge the store's and the batch's runs, oldest first */
        size_t a = 0, b = nstore, k = 0;
        while (a < nstore || b < n) {
            const HSrcItem *it = b >= n || (a < nstore && s->items[a].t <= s->items[b].t)
                                     ? &s->items[a++]
                                     : &s->items[b++];
            HStore *from_store = it->from_stage ? s->stage : s->store;
            Value *dst = items + k * width;
            int rc = hstore_decode_into(from_store, it->rec, it->len, ar, dst);
            if (rc == -2 || (rc == 0 && vm_prepare(&s->prep, dst, ar))) {
                *oom = 1;
                return NULL;
            }
            if (rc) { /* a damaged record: left out, counted */
                s->failed = 1;
                continue;
            }
            k++;
        }
        l->n = (uint32_t)k;
        l->width = width;
        l->items = items;
        result = k ? l : NULL;
    }
    if (s->ncache < (int)(sizeof s->cache / sizeof s->cache[0])) {
        s->cache[s->ncache].dur = dur;
        s->cache[s->ncache].l = result;
        s->ncache++;
    }
    return result;
}
