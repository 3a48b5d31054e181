/* history.c — the per-person claim index behind history(DURATION) (see
 * history.h). */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "scalar.h"
#include "strmap.h"

typedef struct SortKey {
    const ArbStr *person;
    uint32_t hash; /* str_hash of person (0: none) */
    uint32_t i;    /* input order */
    int64_t t;
} SortKey;

/* Groups the claims by person, each person's in time (then input) order.
 * The persons go by the hash of their id first: which person comes first
 * does not matter, and most comparisons are settled without reading the
 * ids (scattered in memory: the sort of 50,000 claims spent most of its
 * time waiting for them). */
static int key_cmp(const void *a, const void *b) {
    const SortKey *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    int c = str_cmp(x->person, y->person);
    if (c) return c;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int build(HistIndex *h, const Program *p, Value *const *claims, size_t n, Alloc a,
                 int copy) {
    memset(h, 0, sizeof *h);
    h->alloc = a;
    const RecordType *ct = p->claim;
    h->width = ct->nfields;
    h->n = (uint32_t)n;
    int32_t pf = record_field_index(ct, "person_id", 9);
    if (pf >= 0 && !type_is_string(ct->fields[pf].type.kind)) pf = -1;
    int32_t tf = ct->as_of_field;
    int64_t scale = tf >= 0 && ct->fields[tf].type.kind == TY_DATE ? SECS_PER_DAY : 1;
    size_t m = n ? n : 1;
    SortKey *k = mem_alloc(a, m * sizeof(SortKey));
    h->items = mem_alloc(a, m * h->width * sizeof(Value) + sizeof(Value));
    h->pos = mem_alloc(a, m * sizeof(uint32_t));
    h->start = mem_alloc(a, m * sizeof(uint32_t));
    h->t = mem_alloc(a, m * sizeof(int64_t));
    if (!k || !h->items || !h->pos || !h->start || !h->t) {
        mem_free(a, k, m * sizeof(SortKey));
        hist_free(h);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        k[i].person = pf >= 0 ? claims[i][pf].s : NULL;
        k[i].hash = k[i].person ? str_hash(k[i].person->data, k[i].person->len) : 0;
        int64_t t = tf >= 0 ? claims[i][tf].i : ARB_NULL;
        if (t != ARB_NULL && __builtin_mul_overflow(t, scale, &t)) t = ARB_NULL;
        k[i].t = t;
        k[i].i = (uint32_t)i;
    }
    /* reversal records and the claims they reverse are in no history */
    StrMap rev;
    strmap_init(&rev, a);
    HistReversal hr;
    hist_reversal_init(&hr, p);
    int oom = 0, any = 0;
    for (size_t i = 0; i < n && !oom; i++) {
        const ArbStr *target;
        if (hist_reversal(&hr, claims[i], &target) && target)
            strmap_put(&rev, target->data, target->len, (void *)target, &oom);
    }
    int32_t idf = ct->key_field >= 0 && type_is_string(ct->fields[ct->key_field].type.kind)
                      ? ct->key_field
                      : -1;
    for (size_t i = 0; i < n && !oom; i++) {
        const ArbStr *target, *id = idf >= 0 ? claims[i][idf].s : NULL;
        if (hist_reversal(&hr, claims[i], &target) || (id && strmap_get(&rev, id->data, id->len))) {
            if (!any && !(h->out = mem_calloc(a, m))) oom = 1;
            any = 1;
        }
    }
    if (oom) {
        strmap_free(&rev);
        mem_free(a, k, m * sizeof(SortKey));
        hist_free(h);
        return -1;
    }
    qsort(k, n, sizeof(SortKey), key_cmp);
    for (size_t j = 0; j < n; j++) {
        uint32_t i = k[j].i;
        if (copy) memcpy(h->items + j * h->width, claims[i], h->width * sizeof(Value));
        h->pos[i] = (uint32_t)j;
        h->t[j] = k[j].t;
        if (any) {
            const ArbStr *target, *id = idf >= 0 ? claims[i][idf].s : NULL;
            h->out[j] = hist_reversal(&hr, claims[i], &target) ||
                        (id && strmap_get(&rev, id->data, id->len));
        }
        /* a new run unless the same person and both times known */
        int same = j > 0 && k[j].person && k[j].t != ARB_NULL && k[j - 1].t != ARB_NULL &&
                   str_eq(k[j].person, k[j - 1].person);
        h->start[j] = same ? h->start[j - 1] : (uint32_t)j;
    }
    mem_free(a, k, m * sizeof(SortKey));
    strmap_free(&rev);
    return 0;
}

int hist_build(HistIndex *h, const Program *p, Value *const *claims, size_t n, Alloc a) {
    return build(h, p, claims, n, a, 1);
}

int hist_build_order(HistIndex *h, const Program *p, Value *const *claims, size_t n, Alloc a) {
    return build(h, p, claims, n, a, 0);
}

void hist_copy(HistIndex *h, Value *const *claims, size_t from, size_t to) {
    for (size_t i = from; i < to && i < h->n; i++)
        memcpy(hist_claim(h, i), claims[i], h->width * sizeof(Value));
}

void hist_free(HistIndex *h) {
    size_t m = h->n ? h->n : 1;
    mem_free(h->alloc, h->items, m * h->width * sizeof(Value) + sizeof(Value));
    mem_free(h->alloc, h->pos, m * sizeof(uint32_t));
    mem_free(h->alloc, h->start, m * sizeof(uint32_t));
    mem_free(h->alloc, h->t, m * sizeof(int64_t));
    mem_free(h->alloc, h->out, m);
    memset(h, 0, sizeof *h);
}

int hist_window_from(int64_t now, int64_t dur, int64_t *from) {
    if (dur == HIST_CAL_YEAR || dur == HIST_CAL_QUARTER || dur == HIST_CAL_MONTH) {
        int64_t day = now / SECS_PER_DAY, y;
        if (now % SECS_PER_DAY < 0) day--; /* before 1970: round down */
        unsigned m, d;
        civil_from_days(day, &y, &m, &d);
        if (dur == HIST_CAL_YEAR)
            m = 1;
        else if (dur == HIST_CAL_QUARTER)
            m = (m - 1) / 3 * 3 + 1;
        if (__builtin_mul_overflow(days_from_civil(y, m, 1), SECS_PER_DAY, from)) *from = INT64_MIN;
        return 0;
    }
    if (dur == ARB_NULL || dur < 0) return -1;
    if (__builtin_sub_overflow(now, dur, from)) *from = INT64_MIN;
    return 0;
}

const ArbList *hist_list(const HistIndex *h, uint32_t pos, int64_t dur, Arena *ar, int *oom) {
    if (!h || pos >= h->n) return NULL;
    int64_t now = h->t[pos], from;
    uint32_t lo = h->start[pos], hi = pos;
    if (now == ARB_NULL || lo == pos || hist_window_from(now, dur, &from)) return NULL;
    if (from != INT64_MIN) {
        /* the first position whose time is >= from */
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (h->t[mid] < from)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    uint32_t kept = pos - lo;
    for (uint32_t j = lo; h->out && j < pos; j++) kept -= h->out[j];
    if (kept == 0) return NULL;
    ArbList *l = arena_alloc(ar, sizeof(ArbList));
    if (!l) {
        *oom = 1;
        return NULL;
    }
    l->n = kept;
    l->width = h->width;
    l->items = h->items + (size_t)lo * h->width;
    if (kept < pos - lo) { /* leave out reversals and reversed claims */
        Value *items = arena_alloc(ar, (size_t)kept * h->width * sizeof(Value));
        if (!items) {
            *oom = 1;
            return NULL;
        }
        for (uint32_t j = lo, d = 0; j < pos; j++)
            if (!h->out[j])
                memcpy(items + (size_t)d++ * h->width, h->items + (size_t)j * h->width,
                       h->width * sizeof(Value));
        l->items = items;
    }
    return l;
}

int hist_prepare_all(const HistIndex *h, VM *vm, Arena *ar) {
    for (uint32_t i = 0; i < h->n; i++)
        if (vm_prepare(vm, h->items + (size_t)i * h->width, ar)) return -1;
    return 0;
}

int hist_check_claim(const HistIndex *h, size_t i, VM *vm, unsigned phases, Arena *ar) {
    const struct HistIndex *hist = vm->hist;
    uint32_t pos = vm->hist_pos;
    int skip = vm->skip_prepare;
    vm->hist = h;
    vm->hist_pos = h->pos[i];
    vm->skip_prepare = 1;
    int rc = vm_check_claim(vm, hist_claim(h, i), phases, ar);
    vm->hist = hist;
    vm->hist_pos = pos;
    vm->skip_prepare = skip;
    return rc;
}

void hist_reversal_init(HistReversal *r, const Program *p) {
    const RecordType *ct = p->claim;
    r->status = record_field_index(ct, "status", 6);
    r->of = record_field_index(ct, "reversal_of", 11);
    r->id = ct->key_field;
    r->reversed = -1;
    if (r->of >= 0 && !type_is_string(ct->fields[r->of].type.kind)) r->of = -1;
    if (r->id >= 0 && !type_is_string(ct->fields[r->id].type.kind)) r->id = -1;
    if (r->status >= 0 && ct->fields[r->status].type.kind == TY_ENUM) {
        const EnumType *en = ct->fields[r->status].type.enm;
        for (uint32_t k = 0; k < en->n; k++)
            if (strcmp(en->members[k], "reversed") == 0) r->reversed = k;
    }
}

int hist_reversal(const HistReversal *r, const Value *claim, const ArbStr **target) {
    const ArbStr *of = r->of >= 0 ? claim[r->of].s : NULL;
    if (!of && !(r->reversed >= 0 && claim[r->status].i == r->reversed)) return 0;
    *target = of ? of : r->id >= 0 ? claim[r->id].s : NULL;
    return 1;
}

static int range_uses(const Program *p, uint32_t from, uint32_t to) {
    for (uint32_t pc = from; pc < to && pc < p->ncode;) {
        int op = p->code[pc];
        if (op < 0 || op >= OPC__COUNT) return 0;
        if (op == OPC_HISTORY) return 1;
        pc += 1 + opcode_nargs[op];
    }
    return 0;
}

int hist_program_uses(const Program *p, unsigned phases) {
    for (uint32_t i = 0; i < p->nrules; i++) {
        const Rule *r = &p->rules[i];
        if ((r->phases & phases) && range_uses(p, r->entry, r->code_end)) return 1;
    }
    return 0;
}
