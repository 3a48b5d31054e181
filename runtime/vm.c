/* vm.c — the bytecode interpreter (see opcodes.h for the instruction set). */
#include "vm.h"

#include <stdlib.h>
#include <string.h>

#include "arbiter.h"
#include "history.h"
#include "native.h"
#include "scalar.h"
#include "sort.h"
#include "strmap.h"

/* SELECT's groups: for each list and string field a SELECT has met since
 * the claim began, a mark (key NULL) saying how far the list is grouped by
 * the field and, once grouped, an entry per value of the field (key)
 * holding the items with that value.  Open addressing, linear probing, at
 * most half full; a slot is in use when its generation is the VM's (so
 * forgetting them all is one increment). */
typedef struct SelEntry {
    const ArbList *list;
    union {
        const ArbStr *key; /* SELECT: NULL for the mark */
        int64_t day;       /* SELDAY (field < 0): ARB_NULL for the mark */
    };
    int32_t field; /* SELECT: the field; SELDAY: day_field(the field); SELIN: in_field */
    uint32_t gen;
    uint32_t n;     /* the group's items; for the mark, a SEL_ state */
    uint32_t hn;    /* SELIN: the records of the list (list is their first) */
    uint32_t lastp; /* SELIN, while grouping: the last record counted or copied */
    ArbList *group; /* in the claim's arena */
} SelEntry;

int vm_init(VM *vm, const Program *p, Alloc a) {
    memset(vm, 0, sizeof *vm);
    vm->p = p;
    vm->alloc = a;
    size_t st = p->prepare_maxstack + 8, lc = p->prepare_nlocals + 8;
    for (uint32_t i = 0; i < p->nrules; i++) {
        if (p->rules[i].maxstack + 8u > st) st = p->rules[i].maxstack + 8u;
        if (p->rules[i].nlocals + 8u > lc) lc = p->rules[i].nlocals + 8u;
    }
    vm->stack = mem_alloc(a, st * sizeof(Value));
    vm->locals = mem_alloc(a, lc * sizeof(Value));
    vm->stack_cap = st;
    vm->locals_cap = lc;
    sb_init(&vm->msg, a);
    /* the effective-date chain, by name (vm_effective_day) */
    const RecordType *ct = p->claim;
    vm->eff_admit = vm->eff_lines = vm->eff_line_time = -1;
    int32_t f = ct ? record_field_index(ct, "admit_time", 10) : -1;
    if (f >= 0 && (ct->fields[f].type.kind == TY_DATE || ct->fields[f].type.kind == TY_DATETIME))
        vm->eff_admit = f;
    f = ct ? record_field_index(ct, "lines", 5) : -1;
    if (f >= 0 && ct->fields[f].type.kind == TY_LIST && ct->fields[f].type.rec) {
        const RecordType *lt = ct->fields[f].type.rec;
        int32_t t = record_field_index(lt, "time", 4);
        if (t >= 0 &&
            (lt->fields[t].type.kind == TY_DATE || lt->fields[t].type.kind == TY_DATETIME))
            vm->eff_lines = f, vm->eff_line_time = t;
    }
    return vm->stack && vm->locals ? 0 : -1;
}

void vm_free(VM *vm) {
    luart_free(vm->lua);
    mem_free(vm->alloc, vm->failures, vm->capfailures * sizeof(RuleFailure));
    mem_free(vm->alloc, vm->stack, vm->stack_cap * sizeof(Value));
    mem_free(vm->alloc, vm->locals, vm->locals_cap * sizeof(Value));
    mem_free(vm->alloc, vm->findings, vm->capfindings * sizeof(Finding));
    mem_free(vm->alloc, vm->cand, vm->capcand * sizeof(uint32_t));
    mem_free(vm->alloc, vm->merge, vm->capmerge * sizeof(MergeKey));
    mem_free(vm->alloc, vm->ev, vm->capev * sizeof(const Value *));
    mem_free(vm->alloc, vm->sel, vm->capsel * sizeof(SelEntry));
    mem_free(vm->alloc, vm->memo, VM_MEMO * sizeof(CandMemo));
    mem_free(vm->alloc, vm->codes, VM_CODES * sizeof(CodeCands));
    mem_free(vm->alloc, vm->memo_rules, vm->capmemo_rules * sizeof(uint32_t));
    sb_free(&vm->msg);
    memset(vm, 0, sizeof *vm);
}

enum { SEL_GROUPED, SEL_FAILED, SEL_SEEN };

static uint64_t sel_hash(const ArbList *l, int32_t f, const ArbStr *k) {
    uint64_t h = ((uint64_t)(uintptr_t)l >> 3) * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)(uint32_t)f * 0xC2B2AE3D27D4EB4Full;
    if (k) h ^= (uint64_t)k->hash * 0x165667B19E3779F9ull;
    return h ^ (h >> 31);
}

/* The entry of (l, f, k), or the free slot where it would go. */
static SelEntry *sel_slot(const VM *vm, const ArbList *l, int32_t f, const ArbStr *k) {
    size_t mask = vm->capsel - 1;
    for (size_t i = sel_hash(l, f, k) & mask;; i = (i + 1) & mask) {
        SelEntry *e = &vm->sel[i];
        if (e->gen != vm->sel_gen) return e;
        if (e->list == l && e->field == f && (k ? e->key && str_eq(e->key, k) : !e->key)) return e;
    }
}

/* SELDAY's entries share the table, apart from SELECT's by their field;
 * SELIN's too (a string key, as SELECT's). */
static int32_t day_field(int32_t t) {
    return -2 - t;
}

static int is_day_field(int32_t f) {
    return f < 0 && f > INT32_MIN / 2;
}

static int32_t in_field(int32_t lf, int32_t f) {
    return INT32_MIN + (int32_t)(((uint32_t)lf & 0xfff) << 12 | ((uint32_t)f & 0xfff));
}

static uint64_t seld_hash(const ArbList *l, int32_t f, int64_t day) {
    uint64_t h = ((uint64_t)(uintptr_t)l >> 3) * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)(uint32_t)f * 0xC2B2AE3D27D4EB4Full;
    h ^= (uint64_t)day * 0x165667B19E3779F9ull;
    return h ^ (h >> 31);
}

/* The entry of (l, f, day) (f from day_field), or the free slot where it
 * would go. */
static SelEntry *seld_slot(const VM *vm, const ArbList *l, int32_t f, int64_t day) {
    size_t mask = vm->capsel - 1;
    for (size_t i = seld_hash(l, f, day) & mask;; i = (i + 1) & mask) {
        SelEntry *e = &vm->sel[i];
        if (e->gen != vm->sel_gen) return e;
        if (e->list == l && e->field == f && e->day == day) return e;
    }
}

/* Takes the free slot e for (l, f, k). */
static SelEntry *sel_take(VM *vm, SelEntry *e, const ArbList *l, int32_t f, const ArbStr *k) {
    *e = (SelEntry){l, {.key = k}, f, vm->sel_gen, 0, 0, 0, NULL};
    vm->nsel++;
    return e;
}

/* Takes the free slot e for (l, f, day). */
static SelEntry *seld_take(VM *vm, SelEntry *e, const ArbList *l, int32_t f, int64_t day) {
    *e = (SelEntry){l, {.day = day}, f, vm->sel_gen, 0, 0, 0, NULL};
    vm->nsel++;
    return e;
}

/* Room for `more` entries. */
static int sel_reserve(VM *vm, size_t more) {
    if ((vm->nsel + more) * 2 <= vm->capsel) return 0;
    size_t cap = vm->capsel ? vm->capsel : 64, oldcap = vm->capsel;
    while ((vm->nsel + more) * 2 > cap) cap *= 2;
    SelEntry *old = vm->sel, *t = mem_alloc(vm->alloc, cap * sizeof(SelEntry));
    if (!t) return -1;
    memset(t, 0, cap * sizeof(SelEntry));
    vm->sel = t;
    vm->capsel = cap;
    uint32_t gen = vm->sel_gen;
    vm->sel_gen = 1; /* the new table's slots are free (generation 0) */
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].gen == gen) {
            SelEntry *e = is_day_field(old[i].field)
                              ? seld_slot(vm, old[i].list, old[i].field, old[i].day)
                              : sel_slot(vm, old[i].list, old[i].field, old[i].key);
            *e = old[i];
            e->gen = 1;
        }
    mem_free(vm->alloc, old, oldcap * sizeof(SelEntry));
    return 0;
}

void vm_select_forget(VM *vm) {
    vm->hmemo_n = 0;
    if (!vm->nsel) return;
    vm->nsel = 0;
    if (++vm->sel_gen == 0) { /* wrapped: the old generations could look current */
        memset(vm->sel, 0, vm->capsel * sizeof(SelEntry));
        vm->sel_gen = 1;
    }
}

/* The day of a datetime value (ARB_NULL stays). */
static inline int64_t day_of_time(int64_t t) {
    if (t == ARB_NULL) return ARB_NULL;
    int64_t q = t / SECS_PER_DAY;
    return t % SECS_PER_DAY < 0 ? q - 1 : q; /* floor, as DIVK */
}

/* The entry of item `it` of l in a grouping by string field f, or by the
 * day of datetime field f when by_day; NULL when that value is null.  With
 * `groups`, a free slot is taken and counted there. */
static inline SelEntry *group_entry(VM *vm, const ArbList *l, const Value *it, int32_t f,
                                    int by_day, size_t *groups) {
    SelEntry *e;
    if (by_day) {
        int64_t d = day_of_time(it[f].i);
        if (d == ARB_NULL) return NULL;
        e = seld_slot(vm, l, day_field(f), d);
        if (groups && e->gen != vm->sel_gen) {
            seld_take(vm, e, l, day_field(f), d);
            ++*groups;
        }
    } else {
        const ArbStr *k = it[f].s;
        if (!k) return NULL;
        e = sel_slot(vm, l, f, k);
        if (groups && e->gen != vm->sel_gen) {
            sel_take(vm, e, l, f, k);
            ++*groups;
        }
    }
    return e;
}

/* Groups l's items by string field f, or by the day of datetime field f
 * when by_day: an entry per value (counted, then filled in list order).
 * 0, or -1 when out of memory. */
static int sel_group(VM *vm, const ArbList *l, int32_t f, int by_day, Arena *ar) {
    if (sel_reserve(vm, (size_t)l->n + 1)) return -1;
    size_t keyed = 0, groups = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        SelEntry *e = group_entry(vm, l, list_item(l, i), f, by_day, &groups);
        if (!e) continue;
        e->n++;
        keyed++;
    }
    ArbList *gl = groups ? arena_alloc(ar, groups * sizeof(ArbList)) : NULL;
    Value *vals = keyed ? arena_alloc(ar, keyed * l->width * sizeof(Value)) : NULL;
    if ((groups && !gl) || (keyed && !vals)) return -1;
    for (uint32_t i = 0; i < l->n; i++) {
        const Value *it = list_item(l, i);
        SelEntry *e = group_entry(vm, l, it, f, by_day, NULL);
        if (!e) continue;
        if (!e->group) {
            e->group = gl++;
            e->group->n = 0;
            e->group->width = l->width;
            e->group->items = vals;
            vals += (size_t)e->n * l->width;
        }
        memcpy(e->group->items + (size_t)e->group->n++ * l->width, it, l->width * sizeof(Value));
    }
    return 0;
}

/* The entry marking whether l is grouped by field f (by the day of f when
 * by_day). */
static SelEntry *sel_mark(const VM *vm, const ArbList *l, int32_t f, int by_day) {
    return by_day ? seld_slot(vm, l, day_field(f), ARB_NULL) : sel_slot(vm, l, f, NULL);
}

/* A list is grouped the second time a SELECT meets it (with that field)
 * during a claim: the first SELECT returns it whole, so a list looped over
 * once costs no more than the scan.  1 when l is grouped (look the key up),
 * 0 when the caller takes l whole. */
static int sel_grouped(VM *vm, const ArbList *l, int32_t f, int by_day, Arena *ar) {
    if (l->n < VM_SELECT_MIN || sel_reserve(vm, 1)) return 0;
    SelEntry *m = sel_mark(vm, l, f, by_day);
    if (m->gen != vm->sel_gen) {
        if (by_day)
            seld_take(vm, m, l, day_field(f), ARB_NULL)->n = SEL_SEEN;
        else
            sel_take(vm, m, l, f, NULL)->n = SEL_SEEN;
        return 0;
    }
    if (m->n == SEL_SEEN) {
        int failed = sel_group(vm, l, f, by_day, ar) != 0;
        m = sel_mark(vm, l, f, by_day); /* the table may have grown */
        m->n = failed ? SEL_FAILED : SEL_GROUPED;
    }
    return m->n != SEL_FAILED;
}

const ArbList *vm_select(VM *vm, const ArbList *l, const ArbStr *key, int32_t f, Arena *ar) {
    if (!l || !key) return NULL;                 /* x.f == key holds for no item */
    if (!sel_grouped(vm, l, f, 0, ar)) return l; /* the whole list */
    const SelEntry *e = sel_slot(vm, l, f, key);
    return e->gen == vm->sel_gen ? e->group : NULL;
}

const ArbList *vm_select_day(VM *vm, const ArbList *l, int64_t day, int32_t t, Arena *ar) {
    if (!l || day == ARB_NULL) return NULL;      /* date(x.t) == day holds for no item */
    if (!sel_grouped(vm, l, t, 1, ar)) return l; /* the whole list */
    const SelEntry *e = seld_slot(vm, l, day_field(t), day);
    return e->gen == vm->sel_gen ? e->group : NULL;
}

/* SELIN's entries: keyed by the list's first record and count (history()
 * gives a new ArbList at each call, over the same records), field and key. */
static SelEntry *seli_slot(const VM *vm, const Value *items, uint32_t hn, int32_t f,
                           const ArbStr *k) {
    const ArbList *l = (const ArbList *)(const void *)items;
    size_t mask = vm->capsel - 1;
    for (size_t i = sel_hash(l, f, k) & mask;; i = (i + 1) & mask) {
        SelEntry *e = &vm->sel[i];
        if (e->gen != vm->sel_gen) return e;
        if (e->list == l && e->field == f && e->hn == hn &&
            (k ? e->key && str_eq(e->key, k) : !e->key))
            return e;
    }
}

static SelEntry *seli_take(VM *vm, SelEntry *e, const Value *items, uint32_t hn, int32_t f,
                           const ArbStr *k) {
    sel_take(vm, e, (const ArbList *)(const void *)items, f, k);
    e->hn = hn;
    return e;
}

/* Groups h's records by the values of string field f of the items of
 * their list field lf: a record once per value, in h's order.  0, or -1
 * when out of memory. */
static int seli_group(VM *vm, const ArbList *h, int32_t lf, int32_t f, Arena *ar) {
    int32_t ff = in_field(lf, f);
    size_t keyed = 0, groups = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        const ArbList *l = list_item(h, i)[lf].l;
        if (!l) continue;
        if (sel_reserve(vm, (size_t)l->n + 1)) return -1;
        for (uint32_t j = 0; j < l->n; j++) {
            const ArbStr *k = list_item(l, j)[f].s;
            if (!k) continue;
            SelEntry *e = seli_slot(vm, h->items, h->n, ff, k);
            if (e->gen != vm->sel_gen) {
                seli_take(vm, e, h->items, h->n, ff, k);
                groups++;
            }
            if (e->lastp == i + 1) continue;
            e->lastp = i + 1;
            e->n++;
            keyed++;
        }
    }
    ArbList *gl = groups ? arena_alloc(ar, groups * sizeof(ArbList)) : NULL;
    Value *vals = keyed ? arena_alloc(ar, keyed * h->width * sizeof(Value)) : NULL;
    if ((groups && !gl) || (keyed && !vals)) return -1;
    for (uint32_t i = 0; i < h->n; i++) {
        const Value *rec = list_item(h, i);
        const ArbList *l = rec[lf].l;
        for (uint32_t j = 0; l && j < l->n; j++) {
            const ArbStr *k = list_item(l, j)[f].s;
            if (!k) continue;
            SelEntry *e = seli_slot(vm, h->items, h->n, ff, k);
            if (e->lastp == ~(i + 1)) continue;
            e->lastp = ~(i + 1);
            if (!e->group) {
                e->group = gl++;
                e->group->n = 0;
                e->group->width = h->width;
                e->group->items = vals;
                vals += (size_t)e->n * h->width;
            }
            memcpy(e->group->items + (size_t)e->group->n++ * h->width, rec,
                   h->width * sizeof(Value));
        }
    }
    return 0;
}

const ArbList *vm_select_in(VM *vm, const ArbList *h, const ArbStr *key, int32_t lf, int32_t f,
                            Arena *ar) {
    if (!h || !key) return NULL; /* x.f == key holds for no item of any record */
    if (!h->n || lf > 0xfff || f > 0xfff || sel_reserve(vm, 1)) return h; /* in_field: 12 bits */
    int32_t ff = in_field(lf, f);
    SelEntry *m = seli_slot(vm, h->items, h->n, ff, NULL);
    if (m->gen != vm->sel_gen) {
        seli_take(vm, m, h->items, h->n, ff, NULL)->n = SEL_SEEN;
        return h;
    }
    if (m->n == SEL_SEEN) {
        int failed = seli_group(vm, h, lf, f, ar) != 0;
        m = seli_slot(vm, h->items, h->n, ff, NULL); /* the table may have grown */
        m->n = failed ? SEL_FAILED : SEL_GROUPED;
    }
    if (m->n == SEL_FAILED) return h; /* every record */
    const SelEntry *e = seli_slot(vm, h->items, h->n, ff, key);
    return e->gen == vm->sel_gen ? e->group : NULL;
}

void vm_clear(VM *vm) {
    vm->nfindings = 0;
    vm->nfailures = 0;
}

static int add_failure(VM *vm, uint32_t rule, const char *msg, Arena *ar) {
    if (mem_grow(vm->alloc, (void **)&vm->failures, sizeof(RuleFailure), &vm->capfailures,
                 vm->nfailures + 1))
        return -1;
    RuleFailure *f = &vm->failures[vm->nfailures];
    f->rule = rule;
    f->message = arena_strndup(ar, msg, strlen(msg));
    if (!f->message) return -1;
    vm->nfailures++;
    return 1;
}

int vm_lua_call(VM *vm, uint32_t rule, int32_t fn, const Value *args, Value *out, Arena *ar) {
    if (!vm->lua && !vm->lua_broken) {
        LuaLoadError e;
        vm->lua = luart_new(vm->p, vm->alloc, vm->lua_limits, &e);
        if (!vm->lua) {
            vm->lua_broken = 1;
            return add_failure(vm, rule, e.msg, ar);
        }
    }
    if (!vm->lua) return add_failure(vm, rule, "the Lua state could not be made", ar);
    if (vm->lua_reseed) {
        vm->lua_reseed = 0;
        if (luart_seed(vm->lua, vm->lua_seed))
            return add_failure(vm, rule, "math.randomseed failed", ar);
    }
    int rc = luart_call(vm->lua, (uint32_t)fn, args, out, ar);
    if (rc < 0) return -1;
    if (!rc) return 0;
    rc = add_failure(vm, rule, luart_error(vm->lua), ar);
    if (luart_exhausted(vm->lua)) { /* Lua keeps what fills it: start afresh */
        luart_free(vm->lua);
        vm->lua = NULL;
    }
    return rc;
}

static inline int64_t floor_div(int64_t a, int64_t k) {
    int64_t q = a / k;
    if ((a % k) != 0 && ((a < 0) != (k < 0))) q--;
    return q;
}

/* Whole years from birth to at (both days since the epoch). */
int64_t vm_age_years(int64_t birth, int64_t at) {
    int64_t y1, y2;
    unsigned m1, d1, m2, d2;
    civil_from_days(birth, &y1, &m1, &d1);
    civil_from_days(at, &y2, &m2, &d2);
    int64_t age = y2 - y1;
    if (m2 < m1 || (m2 == m1 && d2 < d1)) age--;
    return age;
}

/* The str_hash of s's first t->prefix_lens[i] bytes, from h, that of its
 * first t->prefix_lens[i - 1] bytes (i > 0): the prefixes of a code are
 * hashed as one pass over it. */
static inline uint32_t prefix_hash(const Table *t, const ArbStr *s, uint32_t i, uint32_t h) {
    uint32_t to = t->prefix_lens[i];
    if (i == 0) return str_hash(s->data, to);
    uint32_t from = t->prefix_lens[i - 1];
    return str_hash_more(h, s->data + from, to - from);
}

int vm_set_has(const Table *t, const ArbStr *s) {
    uint32_t n, h = 0;
    if (!s) return 0;
    if (table_find_hashed(t, s->data, s->len, 0, s->hash, &n)) return 1;
    for (uint8_t i = 0; i < t->nprefix_lens && t->prefix_lens[i] <= s->len; i++) {
        h = prefix_hash(t, s, i, h);
        if (table_find_hashed(t, s->data, t->prefix_lens[i], 1, h, &n)) return 1;
    }
    return 0;
}

int vm_intset_has(const IntSet *s, int64_t v) {
    uint32_t lo = 0, hi = s->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (s->v[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->v[lo] == v;
}

int64_t vm_starts_with(const ArbStr *s, const ArbStr *prefix) {
    return s && prefix && s->len >= prefix->len && memcmp(s->data, prefix->data, prefix->len) == 0;
}

int64_t vm_utf8_chars(const ArbStr *s) {
    int64_t n = 0;
    for (uint32_t i = 0; i < s->len; i++) n += ((unsigned char)s->data[i] & 0xc0) != 0x80;
    return n;
}

/* Formats a finding's message from its template and argument values. */
static const char *format_message(VM *vm, const Template *t, const Value *args, Arena *ar) {
    StrBuf *b = &vm->msg;
    sb_clear(b);
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->nparts; i++) {
        const TemplatePart *tp = &t->parts[i];
        if (tp->text) {
            sb_putn(b, tp->text, tp->len);
            continue;
        }
        char buf[128];
        Value v = args[k++];
        if (type_is_string(tp->type.kind)) {
            if (v.s) sb_putn(b, v.s->data, v.s->len);
            continue;
        }
        size_t n = scalar_format(&tp->type, v, 1, 0, buf, sizeof buf);
        sb_putn(b, buf, n < sizeof buf ? n : sizeof buf - 1);
    }
    if (b->oom) return NULL;
    return arena_strndup(ar, b->len ? b->p : "", b->len);
}

/* st: the key, the stage, the next row id and the rows left at this stage.
 * The stage is st[1]'s low 32 bits (-1 before the exact key, set so by
 * MATCH; 0 the exact key; k the prefix of t->prefix_lens[k - 1] bytes);
 * from stage 1 on, its high 32 bits hold that prefix's str_hash, continued
 * at the next stage. */
int vm_next_row(const Table *t, Value *st, Value *var) {
    const ArbStr *key = st[0].s;
    if (!key) return 0;
    while (st[3].i == 0) {
        uint64_t word = (uint64_t)st[1].i;
        int32_t stage = (int32_t)(uint32_t)word + 1;
        uint32_t h = (uint32_t)(word >> 32), n = 0;
        const uint32_t *rows = NULL;
        if (stage == 0) {
            rows = table_find_hashed(t, key->data, key->len, 0, key->hash, &n);
        } else if (stage <= t->nprefix_lens && t->prefix_lens[stage - 1] <= key->len) {
            h = prefix_hash(t, key, (uint32_t)stage - 1, h);
            rows = table_find_hashed(t, key->data, t->prefix_lens[stage - 1], 1, h, &n);
        } else {
            st[1].i = (int64_t)((uint64_t)h << 32 | (uint32_t)stage);
            return 0;
        }
        st[1].i = (int64_t)((uint64_t)h << 32 | (uint32_t)stage);
        st[2].p = rows;
        st[3].i = n;
    }
    const uint32_t *rows = st[2].p;
    var->rec = table_row(t, rows[0]);
    st[2].p = rows + 1;
    st[3].i--;
    return 1;
}

void vm_evidence(VM *vm, const Value *rec) {
    if (!rec) {
        vm->nev = 0;
        return;
    }
    if (vm->nev && vm->ev[vm->nev - 1] == rec) return; /* the next line of the same claim */
    if (mem_grow(vm->alloc, (void **)&vm->ev, sizeof(const Value *), &vm->capev, vm->nev + 1)) {
        vm->ev_oom = 1;
        return;
    }
    vm->ev[vm->nev++] = rec;
}

typedef struct EvKey {
    int64_t t; /* as_of in seconds */
    const Value *rec;
    const ArbStr *id; /* the claim's key, when a string */
} EvKey;

static int ev_cmp(const void *a, const void *b) {
    const EvKey *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    int c = str_cmp(x->id, y->id);
    if (c) return c;
    /* the same claim may sit in two lists; else the index's order */
    return x->rec < y->rec ? -1 : x->rec > y->rec;
}

/* The evidence noted, oldest first, each claim once, in ar; NULL when none
 * (or out of memory: *oom set). */
static const Evidence *take_evidence(VM *vm, Arena *ar, int *oom) {
    if (!vm->nev) return NULL;
    const RecordType *ct = vm->p->claim;
    int32_t tf = ct->as_of_field, kf = ct->key_field;
    int64_t scale = tf >= 0 && ct->fields[tf].type.kind == TY_DATE ? SECS_PER_DAY : 1;
    int str_key = kf >= 0 && type_is_string(ct->fields[kf].type.kind);
    EvKey *k = arena_alloc(ar, vm->nev * sizeof(EvKey));
    Evidence *e = arena_alloc(ar, sizeof(Evidence));
    arb_evidence *items = arena_alloc(ar, vm->nev * sizeof(arb_evidence));
    if (!k || !e || !items) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < vm->nev; i++) {
        const Value *r = vm->ev[i];
        int64_t t = tf >= 0 ? r[tf].i : ARB_NULL;
        if (t != ARB_NULL && __builtin_mul_overflow(t, scale, &t)) t = ARB_NULL;
        k[i] = (EvKey){t, r, str_key ? r[kf].s : NULL};
    }
    qsort(k, vm->nev, sizeof(EvKey), ev_cmp);
    uint32_t n = 0;
    for (size_t i = 0; i < vm->nev; i++) {
        if (i && (k[i].rec == k[i - 1].rec ||
                  (k[i].id && k[i].t == k[i - 1].t && str_cmp(k[i].id, k[i - 1].id) == 0)))
            continue;
        char buf[128];
        const char *id = "";
        if (kf >= 0) {
            scalar_format(&ct->fields[kf].type, k[i].rec[kf], 0, 0, buf, sizeof buf);
            id = arena_strndup(ar, buf, strlen(buf));
            if (!id) {
                *oom = 1;
                return NULL;
            }
        }
        items[n].claim_id = id;
        items[n].settle_time = k[i].t;
        n++;
    }
    e->n = n;
    e->items = items;
    return e;
}

int vm_flag(VM *vm, uint32_t rule, const Value *target, int32_t tmpl, int32_t nargs,
            const Value *args, Arena *ar) {
    const Rule *r = &vm->p->rules[rule];
    (void)nargs;
    if (mem_grow(vm->alloc, (void **)&vm->findings, sizeof(Finding), &vm->capfindings,
                 vm->nfindings + 1))
        return -1;
    Finding *f = &vm->findings[vm->nfindings];
    f->rule = rule;
    f->target = target;
    f->row_key = r->row_slot >= 0 && vm->locals[r->row_slot].rec
                     ? vm->locals[r->row_slot].rec[r->row_key_col].s
                     : NULL;
    f->nalso = 0;
    f->also = NULL;
    f->key.i = ARB_NULL;
    if (r->key_field >= 0 && !r->flags_claim) f->key = target[r->key_field];
    f->amount = args[0].i == ARB_NULL ? 0 : args[0].i;
    f->message = r->title; /* no message: the rule's title */
    if (tmpl >= 0) {
        f->message = format_message(vm, &vm->p->templates[tmpl], &args[1], ar);
        if (!f->message) return -1;
    }
    int oom = 0;
    f->evidence = take_evidence(vm, ar, &oom);
    if (oom) return -1;
    vm->nfindings++;
    return 0;
}

#define NUL ARB_NULL
#define BIN_INT(expr)                                                                              \
    do {                                                                                           \
        int64_t x = S[sp - 2].i, y = S[sp - 1].i;                                                  \
        sp--;                                                                                      \
        S[sp - 1].i = (x == NUL || y == NUL) ? NUL : (expr);                                       \
    } while (0)
#define CMP_INT(op)                                                                                \
    do {                                                                                           \
        int64_t x = S[sp - 2].i, y = S[sp - 1].i;                                                  \
        sp--;                                                                                      \
        S[sp - 1].i = x != NUL && y != NUL && (x op y);                                            \
    } while (0)
#define CMP_STR(op)                                                                                \
    do {                                                                                           \
        const ArbStr *x = S[sp - 2].s, *y = S[sp - 1].s;                                           \
        sp--;                                                                                      \
        S[sp - 1].i = x && y && (str_cmp(x, y) op 0);                                              \
    } while (0)

/* Fused dispatch (the interpreter only; the code is unchanged, so the JIT
 * and AOT code and explain's probes see the same instructions).  Without a
 * trace, a test (SEQ, EQ, LT, ...) followed by a JZ or JZK takes the jump
 * itself, and a taken JZK whose target is another JZK or a JZ follows it
 * at once: the value it keeps is false, so those would only jump on.  The
 * inner scans of long claims (`exists(x in claim.lines where x.item_code
 * == l.item_code and ...)`) go from six dispatches an item to three. */
static inline uint32_t thread_false(const int32_t *code, uint32_t pc, size_t *sp) {
    for (;;) {
        if (code[pc] == OPC_JZK) {
            pc = (uint32_t)code[pc + 1];
        } else if (code[pc] == OPC_JZ) {
            --*sp;
            return (uint32_t)code[pc + 1];
        } else {
            return pc;
        }
    }
}
#define FUSE_JUMP()                                                                                \
    do {                                                                                           \
        int32_t nx = code[pc];                                                                     \
        if (!fuse || (nx != OPC_JZK && nx != OPC_JZ)) break;                                       \
        if (S[sp - 1].i > 0) {                                                                     \
            sp--;                                                                                  \
            pc += 2;                                                                               \
        } else if (nx == OPC_JZ) {                                                                 \
            sp--;                                                                                  \
            pc = (uint32_t)code[pc + 1];                                                           \
        } else {                                                                                   \
            S[sp - 1].i = 0;                                                                       \
            pc = thread_false(code, (uint32_t)code[pc + 1], &sp);                                  \
        }                                                                                          \
    } while (0)

/* Arithmetic past int64 (about 92 trillion yuan in cents) is noted: the
 * rule fails for the claim, reported as a Lua failure is (vm_check_claim),
 * never a quiet "missing" */
static int64_t add_ovf(VM *vm, int64_t x, int64_t y) {
    int64_t r;
    if (!__builtin_add_overflow(x, y, &r) && r != NUL) return r;
    vm->arith_overflow = 1;
    return NUL;
}
static int64_t sub_ovf(VM *vm, int64_t x, int64_t y) {
    int64_t r;
    if (!__builtin_sub_overflow(x, y, &r) && r != NUL) return r;
    vm->arith_overflow = 1;
    return NUL;
}
static int64_t mul_ovf(VM *vm, int64_t x, int64_t y) {
    int64_t r;
    if (!__builtin_mul_overflow(x, y, &r) && r != NUL) return r;
    vm->arith_overflow = 1;
    return NUL;
}

/* Reports every probe at pc to the trace callback. */
static void probe_hit(VM *vm, uint32_t pc, const Value *S, size_t sp, const Value *L) {
    const Program *p = vm->p;
    uint32_t lo = 0, hi = p->nprobes;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (p->probes[mid].pc < pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < p->nprobes && p->probes[lo].pc == pc; lo++)
        if (sp >= p->probes[lo].nvalues)
            vm->trace(vm->trace_ud, &p->probes[lo], S + sp - p->probes[lo].nvalues, L);
}

/* Each opcode's operand count as a constant, so that an instruction's
 * handler steps over its operands without a table look-up. */
enum {
#define X(name, n, sig, d) NARGS_##name = n,
    ARB_OPCODES(X)
#undef X
};

/* The interpreter is threaded where the compiler takes labels as values
 * (GCC, Clang): each handler ends by jumping through the table to the next
 * one, so every handler has its own indirect jump for the branch predictor
 * to learn, and steps pc over its operands by a constant.  Elsewhere it is
 * a switch in a loop.  OP(X) opens instruction X's handler (pc already at
 * the next instruction, a its first operand); NEXT() goes to the next
 * instruction. */
#if defined(__GNUC__)
#define VM_THREADED 1
#define OP(name) op_##name : pc += 1 + NARGS_##name;
#define NEXT()                                                                                     \
    do {                                                                                           \
        if (__builtin_expect(!fuse, 0) && vm->trace && p->probe_at && p->probe_at[pc])             \
            probe_hit(vm, pc, S, sp, L);                                                           \
        ip = code + pc;                                                                            \
        a = ip[1];                                                                                 \
        if (__builtin_expect((uint32_t)ip[0] >= OPC__COUNT, 0)) return -1;                         \
        goto *jump[ip[0]];                                                                         \
    } while (0)
#else
#define VM_THREADED 0
#define OP(name)                                                                                   \
    case OPC_##name:                                                                               \
        pc += 1 + NARGS_##name;
#define NEXT() break
#endif

/* Runs code from pc until HALT with the claim in local 0; ops is the
 * operand vector of the code (varying operands are slots in it). */
static int run(VM *vm, uint32_t pc, const int32_t *ops, const Value *claim, uint32_t rule,
               Arena *ar) {
    const Program *p = vm->p;
    const int32_t *code = p->code;
    Value *S = vm->stack, *L = vm->locals;
    size_t sp = 0;
    const int fuse = !(vm->trace && p->probe_at);
    const int32_t *ip;
    int32_t a;
    L[0].rec = claim;
#if VM_THREADED
    static const void *const jump[OPC__COUNT] = {
#define X(name, n, sig, d) [OPC_##name] = &&op_##name,
        ARB_OPCODES(X)
#undef X
    };
    NEXT();
    {
#else
    for (;;) {
        if (vm->trace && p->probe_at && p->probe_at[pc]) probe_hit(vm, pc, S, sp, L);
        ip = code + pc;
        a = ip[1];
        switch ((Opcode)ip[0]) {
#endif
        /* OP(X) is a case label, which clang-format does not know: formatted by hand */
        /* clang-format off */
        OP(HALT) return 0;
        OP(CONST) S[sp++] = p->consts[ops[a]]; NEXT();
        OP(LOAD) S[sp++] = L[a]; NEXT();
        OP(STORE) L[a] = S[--sp]; NEXT();
        OP(POP) sp--; NEXT();
        OP(FIELD) S[sp - 1] = S[sp - 1].rec[a]; NEXT();
        OP(LFIELD)
            S[sp++] = L[a].rec[ip[2]];
            if (fuse && code[pc] == OPC_LFIELD) { /* two fields, compared next */
                S[sp++] = L[code[pc + 1]].rec[code[pc + 2]];
                pc += 3;
            }
            NEXT();
        OP(STFIELD) ((Value *)L[a].rec)[ip[2]] = S[--sp]; NEXT();
        OP(ADD) BIN_INT(add_ovf(vm, x, y)); NEXT();
        OP(SUB) BIN_INT(sub_ovf(vm, x, y)); NEXT();
        OP(MUL) BIN_INT(mul_ovf(vm, x, y)); NEXT();
        OP(DIV) BIN_INT(y == 0 ? NUL : x / y); NEXT();
        OP(NEG) S[sp - 1].i = S[sp - 1].i == NUL ? NUL : -S[sp - 1].i; NEXT();
        OP(MULK)
            if (S[sp - 1].i != NUL) S[sp - 1].i = mul_ovf(vm, S[sp - 1].i, a);
            NEXT();
        OP(DIVK) /* date(t) of a datetime divides by a day's seconds: a constant
                          divisor the C compiler turns into a multiply, not an idiv */
            if (S[sp - 1].i != NUL)
                S[sp - 1].i = a == SECS_PER_DAY ? floor_div(S[sp - 1].i, SECS_PER_DAY)
                                                : floor_div(S[sp - 1].i, a);
            NEXT();
        OP(EQ)
            CMP_INT(==);
            FUSE_JUMP();
            NEXT();
        OP(NE)
            CMP_INT(!=);
            FUSE_JUMP();
            NEXT();
        OP(LT)
            CMP_INT(<);
            FUSE_JUMP();
            NEXT();
        OP(LE)
            CMP_INT(<=);
            FUSE_JUMP();
            NEXT();
        OP(GT)
            CMP_INT(>);
            FUSE_JUMP();
            NEXT();
        OP(GE)
            CMP_INT(>=);
            FUSE_JUMP();
            NEXT();
        OP(SEQ) {
            const ArbStr *x = S[sp - 2].s, *y = S[sp - 1].s;
            sp--;
            S[sp - 1].i = x && y && str_eq(x, y);
            FUSE_JUMP();
            NEXT();
        }
        OP(SNE) {
            const ArbStr *x = S[sp - 2].s, *y = S[sp - 1].s;
            sp--;
            S[sp - 1].i = x && y && !str_eq(x, y);
            NEXT();
        }
        OP(SLT) CMP_STR(<); NEXT();
        OP(SLE) CMP_STR(<=); NEXT();
        OP(SGT) CMP_STR(>); NEXT();
        OP(SGE) CMP_STR(>=); NEXT();
        OP(NOT) S[sp - 1].i = !(S[sp - 1].i > 0); NEXT();
        OP(JMP) pc = (uint32_t)a; NEXT();
        OP(JZ)
            if (!(S[--sp].i > 0)) pc = (uint32_t)a;
            NEXT();
        OP(JNZ)
            if (S[--sp].i > 0) pc = (uint32_t)a;
            NEXT();
        OP(JZK)
            if (!(S[sp - 1].i > 0)) {
                S[sp - 1].i = 0;
                pc = fuse ? thread_false(code, (uint32_t)a, &sp) : (uint32_t)a;
            } else
                sp--;
            NEXT();
        OP(JNZK)
            if (S[sp - 1].i > 0)
                pc = (uint32_t)a;
            else
                sp--;
            NEXT();
        OP(ISNULL) S[sp - 1].i = S[sp - 1].i == NUL; NEXT();
        OP(SISNULL) S[sp - 1].i = S[sp - 1].s == NULL; NEXT();
        OP(COAL)
            sp--;
            if (S[sp - 1].i == NUL) S[sp - 1] = S[sp];
            NEXT();
        OP(SCOAL)
            sp--;
            if (!S[sp - 1].s) S[sp - 1] = S[sp];
            NEXT();
        OP(INSET) S[sp - 1].i = vm_inset(p, ops[a], S[sp - 1].s); NEXT();
        OP(INTABLE) S[sp - 1].i = vm_set_has(p->tables[ops[a]], S[sp - 1].s); NEXT();
        OP(ININT)
            S[sp - 1].i = S[sp - 1].i != NUL && vm_intset_has(&p->intsets[ops[a]], S[sp - 1].i);
            NEXT();
        OP(MATCHES) {
            const ArbStr *s = S[sp - 1].s;
            S[sp - 1].i = s && vm_regexec(p, (uint32_t)ops[a], s);
            NEXT();
        }
        OP(AGE) BIN_INT(vm_age_years(x, y)); NEXT();
        OP(YEAR)
            if (S[sp - 1].i != NUL) {
                int64_t y;
                unsigned m, d;
                civil_from_days(S[sp - 1].i, &y, &m, &d);
                S[sp - 1].i = y;
            }
            NEXT();
        OP(MONTH)
            if (S[sp - 1].i != NUL) {
                int64_t y;
                unsigned m, d;
                civil_from_days(S[sp - 1].i, &y, &m, &d);
                S[sp - 1].i = (int64_t)m;
            }
            NEXT();
        OP(ABS)
            if (S[sp - 1].i != NUL && S[sp - 1].i < 0) S[sp - 1].i = -S[sp - 1].i;
            NEXT();
        OP(LEN) S[sp - 1].i = S[sp - 1].s ? vm_utf8_chars(S[sp - 1].s) : NUL; NEXT();
        OP(SELECT)
            sp--;
            S[sp - 1].l = vm_select(vm, S[sp - 1].l, S[sp].s, a, ar);
            NEXT();
        OP(SELDAY)
            sp--;
            S[sp - 1].l = vm_select_day(vm, S[sp - 1].l, S[sp].i, a, ar);
            NEXT();
        OP(SELIN)
            sp--;
            S[sp - 1].l = vm_select_in(vm, S[sp - 1].l, S[sp].s, a, ip[2], ar);
            NEXT();
        OP(LOOP)
            L[a] = S[--sp];
            L[ip[2]].i = -1;
            NEXT();
        OP(NEXT) {
            const ArbList *l = L[a].l;
            int64_t i = ++L[ip[2]].i;
            if (!l || i >= (int64_t)l->n)
                pc = (uint32_t)ip[4];
            else
                L[ip[3]].rec = list_item(l, (uint32_t)i);
            NEXT();
        }
        OP(MATCH)
            L[a] = S[--sp];
            L[a + 1].i = -1;
            L[a + 3].i = 0;
            NEXT();
        OP(NEXTROW)
            if (!vm_next_row(p->tables[ops[a]], &L[ip[2]], &L[ip[3]])) pc = (uint32_t)ip[4];
            NEXT();
        OP(ACCADD) {
            Value v = S[--sp];
            if (v.i != NUL && L[a].i != NUL) L[a].i = add_ovf(vm, L[a].i, v.i);
            NEXT();
        }
        OP(ACCMIN) {
            Value v = S[--sp];
            if (v.i != NUL && (L[a].i == NUL || v.i < L[a].i)) L[a] = v;
            NEXT();
        }
        OP(ACCMAX) {
            Value v = S[--sp];
            if (v.i != NUL && (L[a].i == NUL || v.i > L[a].i)) L[a] = v;
            NEXT();
        }
        OP(LUACALL) {
            sp -= (size_t)ip[2];
            int rc = vm_lua_call(vm, rule, ops[a], &S[sp], &S[sp], ar);
            if (rc) return rc;
            sp++;
            NEXT();
        }
        OP(FLAG) {
            int32_t nargs = ip[3];
            sp -= (size_t)nargs + 1;
            if (vm_flag(vm, rule, a < 0 ? claim : L[a].rec, ops[ip[2]], nargs, &S[sp], ar))
                return -1;
            NEXT();
        }
        OP(HISTORY) S[sp - 1].l = vm_history(vm, S[sp - 1].i, ar); NEXT();
        OP(STARTS) {
            const ArbStr *x = S[sp - 2].s, *y = S[sp - 1].s;
            sp--;
            S[sp - 1].i = vm_starts_with(x, y);
            NEXT();
        }
        OP(EVRESET) vm->nev = 0; NEXT();
        OP(EVIDENCE) vm_evidence(vm, L[a].rec); NEXT();
        OP(LEAST) BIN_INT(x < y ? x : y); NEXT();
        OP(GREATEST) BIN_INT(x > y ? x : y); NEXT();
        OP(MATCHESR)
            sp--;
            S[sp - 1].i = vm_matches_regex(p, S[sp - 1].s, S[sp].i);
            NEXT();
        /* clang-format on */
#if !VM_THREADED
    default: return -1;
    }
#endif
}
return -1;
}
#undef OP
#undef NEXT

int64_t vm_matches_regex(const Program *p, const ArbStr *s, int64_t re) {
    /* the number comes from a regex column; checked all the same */
    return s && re >= 0 && (uint64_t)re < p->nregexes && vm_regexec(p, (uint32_t)re, s);
}

const ArbList *vm_history(VM *vm, int64_t dur, Arena *ar) {
    if (vm->hist) {
        for (uint32_t k = 0; k < vm->hmemo_n; k++)
            if (vm->hmemo_dur[k] == dur) return vm->hmemo[k];
        int oom = 0;
        const ArbList *l = hist_list(vm->hist, vm->hist_pos, dur, ar, &oom);
        if (oom) {
            vm->hist_oom = 1;
            return NULL;
        }
        uint32_t k = vm->hmemo_n < VM_HMEMO ? vm->hmemo_n++ : vm->hmemo_next++ % VM_HMEMO;
        vm->hmemo[k] = l;
        vm->hmemo_dur[k] = dur;
        return l;
    }
    return vm->hist_fn ? vm->hist_fn(vm->hist_ud, dur, ar, &vm->hist_oom) : NULL;
}

int vm_prepare(VM *vm, Value *claim, Arena *ar) {
    const Program *p = vm->p;
    return p->has_prepare ? run(vm, p->prepare_entry, p->ops + p->prepare_ops, claim, 0, ar) : 0;
}

/* A rule whose arithmetic went past int64 fails for the claim (its
 * findings dropped), reported as a failed Lua call is: rc 1. */
static int overflowed(VM *vm, uint32_t rule, int rc, Arena *ar) {
    if (rc != 0 || !vm->arith_overflow) return rc;
    vm->arith_overflow = 0;
    return add_failure(vm, rule,
                       "arithmetic past the range of 64-bit values (amounts beyond "
                       "92,233,720,368,547,758.07): the rule is not judged for this claim",
                       ar);
}

static int run_rule(VM *vm, uint32_t rule, const Value *claim, Arena *ar) {
    vm->rules_run++;
    vm->nev = 0;
    vm->arith_overflow = 0;
    const Rule *r = &vm->p->rules[rule];
    int rc = vm->native && vm->native->entry[rule]
                 ? native_run(vm, vm->native->entry[rule], rule, claim, ar)
                 : run(vm, r->entry, rule_ops(vm->p, r), claim, rule, ar);
    return overflowed(vm, rule, rc, ar);
}

int vm_run_rule(VM *vm, uint32_t rule, const Value *claim, Arena *ar) {
    vm_select_forget(vm); /* the claim or its arena may be new */
    return run_rule(vm, rule, claim, ar);
}

/* Whether rule r runs for a claim of this phase and as_of day. */
static int rule_applies(const Rule *r, unsigned phases, int64_t as_of) {
    if (!(r->phases & phases)) return 0;
    return as_of == ARB_NULL || !((r->eff_from != ARB_NULL && as_of < r->eff_from) ||
                                  (r->eff_to != ARB_NULL && as_of > r->eff_to));
}

/* Adds the rules an index lists under key s[0..n) (of str_hash h) to the
 * candidates. */
static int add_candidates(VM *vm, const Table *t, const char *s, uint32_t n, int prefix,
                          uint32_t h) {
    uint32_t count;
    const uint32_t *rows = table_find_hashed(t, s, n, prefix, h, &count);
    if (!count) return 0;
    if (mem_grow(vm->alloc, (void **)&vm->cand, sizeof(uint32_t), &vm->capcand, vm->ncand + count))
        return -1;
    for (uint32_t k = 0; k < count; k++)
        vm->cand[vm->ncand++] = (uint32_t)table_row(t, rows[k])[1].i;
    return 0;
}

/* Whether rule failed on this claim already (a failure since failures[ffrom]). */
static int failed_before(const VM *vm, size_t ffrom, uint32_t rule) {
    for (size_t k = ffrom; k < vm->nfailures; k++)
        if (vm->failures[k].rule == rule) return 1;
    return 0;
}

/* Removes rule's findings from findings[from..]: a rule that fails stops for
 * the whole claim, as it does when it runs over the claim in one go. */
static void drop_rule(VM *vm, size_t from, uint32_t rule) {
    size_t w = from;
    for (size_t k = from; k < vm->nfindings; k++)
        if (vm->findings[k].rule != rule) vm->findings[w++] = vm->findings[k];
    vm->nfindings = w;
}

/* The slot of s under ix among the VM's kept codes, or NULL when s is too
 * long to keep or the slots could not be made (then it is looked up). */
static CodeCands *code_slot(VM *vm, const RuleIndex *ix, const ArbStr *s) {
    if (s->len > VM_CODE_MAX) return NULL;
    if (!vm->codes && !(vm->codes = mem_calloc(vm->alloc, VM_CODES * sizeof(CodeCands))))
        return NULL;
    uint32_t h = s->hash ^ (uint32_t)((uintptr_t)ix >> 4) * 0x9E3779B1u;
    return &vm->codes[(h ^ h >> 16) & (VM_CODES - 1)];
}

int vm_index_candidates(VM *vm, const RuleIndex *ix, const ArbStr *s) {
    const Table *t = ix->keys;
    vm->ncand = 0;
    /* a code seen in an earlier claim: its candidates are kept (the index
     * does not change, so they are what the look-ups below would find) */
    CodeCands *kept = code_slot(vm, ix, s);
    if (kept && kept->ix == ix && kept->hash == s->hash && kept->len == s->len &&
        strmap_bytes_eq(kept->key, s->data, s->len)) {
        if (mem_grow(vm->alloc, (void **)&vm->cand, sizeof(uint32_t), &vm->capcand, kept->n))
            return -1;
        if (kept->n) memcpy(vm->cand, kept->cand, kept->n * sizeof(uint32_t));
        vm->ncand = kept->n;
        return 0;
    }
    uint32_t h = 0;
    if (add_candidates(vm, t, s->data, s->len, 0, s->hash)) return -1;
    for (uint8_t k = 0; k < t->nprefix_lens && t->prefix_lens[k] <= s->len; k++) {
        h = prefix_hash(t, s, k, h);
        if (add_candidates(vm, t, s->data, t->prefix_lens[k], 1, h)) return -1;
    }
    /* in rule order, each rule once */
    for (size_t a = 1; a < vm->ncand; a++) {
        uint32_t x = vm->cand[a];
        size_t b = a;
        while (b > 0 && vm->cand[b - 1] > x) vm->cand[b] = vm->cand[b - 1], b--;
        vm->cand[b] = x;
    }
    size_t w = 0;
    for (size_t k = 0; k < vm->ncand; k++)
        if (!k || vm->cand[k] != vm->cand[w - 1]) vm->cand[w++] = vm->cand[k];
    vm->ncand = w;
    if (kept && w <= VM_CODE_CANDS) {
        kept->ix = ix;
        kept->hash = s->hash;
        kept->len = (uint16_t)s->len;
        kept->n = (uint16_t)w;
        if (w) memcpy(kept->cand, vm->cand, w * sizeof(uint32_t)); /* vm->cand NULL when none yet */
        memcpy(kept->key, s->data, s->len);
    }
    return 0;
}

/* Runs the bound code of the candidate rules cand[0..n) (in rule order, each
 * once) for record rec.  Findings from findings[from..] and failures from
 * failures[ffrom..] are this claim's. */
static int run_candidates(VM *vm, const Value *rec, const uint32_t *cand, size_t n,
                          const Value *claim, unsigned phases, int64_t as_of, Arena *ar,
                          size_t from, size_t ffrom) {
    const Program *p = vm->p;
    for (size_t k = 0; k < n; k++) {
        uint32_t ri = cand[k];
        const Rule *r = &p->rules[ri];
        if (!rule_applies(r, phases, as_of) || failed_before(vm, ffrom, ri)) continue;
        vm->rules_run++;
        vm->locals[r->bound_slot].rec = rec;
        vm->nev = 0;
        vm->arith_overflow = 0;
        size_t before = vm->nfindings;
        int rc = vm->native && vm->native->bound[ri]
                     ? native_run(vm, vm->native->bound[ri], ri, claim, ar)
                     : run(vm, r->bound_entry, rule_ops(vm->p, r), claim, ri, ar);
        rc = overflowed(vm, ri, rc, ar);
        if (rc < 0) return -1;
        if (rc > 0) { /* failed (Lua, arithmetic): nothing of the rule for this claim */
            vm->nfindings = before;
            drop_rule(vm, from, ri);
        }
    }
    return 0;
}

/* Runs the indexed rules: for each record of the index's list, only the
 * rules listed under its field value (exactly or by prefix), each once. */
/* Findings from findings[from..] and failures from failures[ffrom..] are
 * this claim's. */
static int run_index(VM *vm, const RuleIndex *ix, const Value *claim, unsigned phases,
                     int64_t as_of, Arena *ar, size_t from, size_t ffrom) {
    const ArbList *l = claim[ix->list_field].l;
    if (!l) return 0;
    /* a code's candidates are looked up once in the list (a long stay bills
     * a few dozen codes over many lines): the memo remembers them by code */
    if (!vm->memo && !(vm->memo = mem_calloc(vm->alloc, VM_MEMO * sizeof(CandMemo)))) return -1;
    /* the slots of earlier lists are of older generations: none cleared */
    if (++vm->memo_gen == 0) { /* wrapped: old generations could look current */
        memset(vm->memo, 0, VM_MEMO * sizeof(CandMemo));
        vm->memo_gen = 1;
    }
    vm->nmemo_rules = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        const Value *rec = list_item(l, i);
        const ArbStr *s = rec[ix->field].s;
        /* the next line's code, whose hash is read next: seldom in the cache */
        if (i + 1 < l->n) __builtin_prefetch(list_item(l, i + 1)[ix->field].s);
        if (!s) continue;
        CandMemo *m = &vm->memo[s->hash & (VM_MEMO - 1)];
        if (m->gen == vm->memo_gen && str_eq(m->code, s)) {
            if (mem_grow(vm->alloc, (void **)&vm->cand, sizeof(uint32_t), &vm->capcand, m->n))
                return -1;
            if (m->n) memcpy(vm->cand, vm->memo_rules + m->off, m->n * sizeof(uint32_t));
            vm->ncand = m->n;
        } else {
            if (vm_index_candidates(vm, ix, s)) return -1;
            if (mem_grow(vm->alloc, (void **)&vm->memo_rules, sizeof(uint32_t), &vm->capmemo_rules,
                         vm->nmemo_rules + vm->ncand))
                return -1;
            if (vm->ncand)
                memcpy(vm->memo_rules + vm->nmemo_rules, vm->cand, vm->ncand * sizeof(uint32_t));
            *m = (CandMemo){s, (uint32_t)vm->nmemo_rules, (uint32_t)vm->ncand, vm->memo_gen};
            vm->nmemo_rules += vm->ncand;
        }
        if (run_candidates(vm, rec, vm->cand, vm->ncand, claim, phases, as_of, ar, from, ffrom))
            return -1;
    }
    return 0;
}

/* Orders findings[from..] by rule, keeping the order within a rule, so the
 * indexed run gives what the rule-by-rule run gives. */
static void sort_by_rule(VM *vm, size_t from) {
    Finding *f = vm->findings;
    for (size_t a = from + 1; a < vm->nfindings; a++) {
        Finding x = f[a];
        size_t b = a;
        while (b > from && f[b - 1].rule > x.rule) f[b] = f[b - 1], b--;
        f[b] = x;
    }
}

static int merge_cmp(const void *a, const void *b) {
    const MergeKey *x = a, *y = b;
    if (x->rule != y->rule) return x->rule < y->rule ? -1 : 1;
    if (x->target != y->target) return x->target < y->target ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int vm_merge_findings(VM *vm, size_t from, Arena *ar) {
    Finding *f = vm->findings;
    size_t n = vm->nfindings - from, dropped = 0;
    if (n < 2) return 0;
    if (mem_grow(vm->alloc, (void **)&vm->merge, sizeof(MergeKey), &vm->capmerge, n)) return -1;
    MergeKey *m = vm->merge;
    for (size_t i = 0; i < n; i++)
        m[i] = (MergeKey){f[from + i].rule, (uintptr_t)f[from + i].target, from + i};
    sort_short(m, n, sizeof(MergeKey), merge_cmp); /* a claim's few: no call per comparison */
    for (size_t a = 0, b; a < n; a = b) {
        uint32_t keys = 0;
        for (b = a + 1; b < n && m[b].rule == m[a].rule && m[b].target == m[a].target; b++)
            keys += f[m[b].i].row_key != NULL;
        if (b - a == 1) continue;
        const char **also = keys ? arena_alloc(ar, keys * sizeof(const char *)) : NULL;
        if (keys && !also) return -1;
        f[m[a].i].nalso = keys;
        f[m[a].i].also = also;
        for (size_t k = a + 1; k < b; k++) {
            if (f[m[k].i].row_key) *also++ = f[m[k].i].row_key->data;
            f[m[k].i].rule = UINT32_MAX; /* dropped */
        }
        dropped += b - a - 1;
    }
    if (!dropped) return 0;
    size_t w = from;
    for (size_t i = from; i < vm->nfindings; i++)
        if (f[i].rule != UINT32_MAX) f[w++] = f[i];
    vm->nfindings = w;
    return 0;
}

/* A date or datetime field's value as a day (ARB_NULL stays). */
static int64_t day_of(const Field *f, int64_t v) {
    return v != ARB_NULL && f->type.kind == TY_DATETIME ? floor_div(v, SECS_PER_DAY) : v;
}

int64_t vm_effective_day(const VM *vm, const Value *claim) {
    const RecordType *ct = vm->p->claim;
    if (ct->as_of_field >= 0 && claim[ct->as_of_field].i != ARB_NULL)
        return day_of(&ct->fields[ct->as_of_field], claim[ct->as_of_field].i);
    if (vm->eff_admit >= 0 && claim[vm->eff_admit].i != ARB_NULL)
        return day_of(&ct->fields[vm->eff_admit], claim[vm->eff_admit].i);
    const ArbList *l = vm->eff_lines >= 0 ? claim[vm->eff_lines].l : NULL;
    int64_t first = ARB_NULL;
    for (uint32_t i = 0; l && i < l->n; i++) {
        int64_t t = list_item(l, i)[vm->eff_line_time].i;
        if (t != ARB_NULL && (first == ARB_NULL || t < first)) first = t;
    }
    if (first == ARB_NULL) return ARB_NULL;
    return day_of(&ct->fields[vm->eff_lines].type.rec->fields[vm->eff_line_time], first);
}

/* vm_check_claim; with pre set, the index's candidates are cands[0..ncands)
 * (vm_check_claim_cands). */
static int check_claim(VM *vm, Value *claim, unsigned phases, Arena *ar, int pre,
                       const VmCand *cands, size_t ncands) {
    const Program *p = vm->p;
    vm_select_forget(vm); /* another claim, maybe another arena */
    if (!vm->skip_prepare && vm_prepare(vm, claim, ar) < 0) return -1;
    vm->hist_oom = 0;
    vm->ev_oom = 0;
    int64_t as_of = vm_effective_day(vm, claim);
    size_t from = vm->nfindings, ffrom = vm->nfailures;
    if (p->nlua_funcs) { /* math.random: the same for a claim, whatever ran before it */
        int32_t kf = p->claim->key_field;
        const ArbStr *id =
            kf >= 0 && type_is_string(p->claim->fields[kf].type.kind) ? claim[kf].s : NULL;
        vm->lua_seed = id ? str_hash(id->data, id->len) * 0x9E3779B97F4A7C15ull + id->len : 1;
        vm->lua_reseed = 1;
    }
    /* without the index every rule scans; with it only the unindexed ones */
    uint32_t n = vm->no_index ? p->nrules : p->nscan_rules;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = vm->no_index ? k : p->scan_rules[k];
        if (!rule_applies(&p->rules[i], phases, as_of)) continue;
        size_t before = vm->nfindings;
        int rc = run_rule(vm, i, claim, ar);
        if (rc < 0) return -1;
        if (rc > 0) vm->nfindings = before; /* a failed Lua call: this run found nothing */
    }
    if (pre) {
        for (size_t k = 0; k < ncands; k++) {
            const VmCand *c = &cands[k];
            const Value *rec = list_item(claim[p->indexes[c->index].list_field].l, c->rec);
            if (run_candidates(vm, rec, c->rules, c->nrules, claim, phases, as_of, ar, from, ffrom))
                return -1;
        }
        sort_by_rule(vm, from);
    } else if (!vm->no_index && p->nindexes) {
        for (uint32_t x = 0; x < p->nindexes; x++)
            if (run_index(vm, &p->indexes[x], claim, phases, as_of, ar, from, ffrom)) return -1;
        sort_by_rule(vm, from);
    }
    if (vm_merge_findings(vm, from, ar)) return -1;
    return vm->hist_oom || vm->ev_oom ? -1 : 0;
}

int vm_check_claim(VM *vm, Value *claim, unsigned phases, Arena *ar) {
    return check_claim(vm, claim, phases, ar, 0, NULL, 0);
}

int vm_check_claim_cands(VM *vm, Value *claim, unsigned phases, Arena *ar, const VmCand *cands,
                         size_t ncands) {
    return check_claim(vm, claim, phases, ar, 1, cands, ncands);
}
