/* native.c — the runtime side of native rules: the helper table compiled
 * code calls, running a native rule, and grouping code ranges by shape. */
#include "native.h"

#include <stdlib.h>
#include <string.h>

#include "scalar.h"

static int64_t h_set_has(NativeCtx *c, int32_t set, const ArbStr *s) {
    return vm_inset(c->vm->p, set, s);
}

static int64_t h_table_has(NativeCtx *c, int32_t table, const ArbStr *s) {
    return vm_set_has(c->vm->p->tables[table], s);
}

static int64_t h_intset_has(NativeCtx *c, int32_t set, int64_t v) {
    return v != ARB_NULL && vm_intset_has(&c->vm->p->intsets[set], v);
}

static int64_t h_matches(NativeCtx *c, int32_t re, const ArbStr *s) {
    return s && vm_regexec(c->vm->p, (uint32_t)re, s);
}

static int64_t h_str_cmp(const ArbStr *a, const ArbStr *b) {
    int r = str_cmp(a, b);
    return r < 0 ? -1 : r > 0;
}

static int64_t h_year(int64_t days) {
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    return y;
}

static int64_t h_month(int64_t days) {
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    return m;
}

static void h_match_start(Value *st, const ArbStr *key) {
    st[0].s = key;
    st[1].i = -1;
    st[3].i = 0;
}

static int64_t h_next_row(NativeCtx *c, int32_t table, Value *st, Value *var) {
    return vm_next_row(c->vm->p->tables[table], st, var);
}

static int64_t h_flag(NativeCtx *c, const Value *target, int32_t tmpl, int32_t nargs,
                      const Value *args) {
    return vm_flag(c->vm, c->rule, target ? target : c->claim, tmpl, nargs, args, c->ar);
}

static const ArbList *h_history(NativeCtx *c, int64_t dur) {
    return vm_history(c->vm, dur, c->ar);
}

static int64_t h_lua_call(NativeCtx *c, int32_t fn, int32_t nargs, Value *args) {
    (void)nargs;
    return vm_lua_call(c->vm, c->rule, fn, args, args, c->ar);
}

static int64_t h_matches_regex(NativeCtx *c, const ArbStr *s, int64_t re) {
    return vm_matches_regex(c->vm->p, s, re);
}

static void h_evidence(NativeCtx *c, const Value *rec) {
    vm_evidence(c->vm, rec);
}

static void h_overflow(NativeCtx *c) {
    c->vm->arith_overflow = 1;
}

static const ArbList *h_select(NativeCtx *c, const ArbList *l, const ArbStr *key, int32_t f) {
    return vm_select(c->vm, l, key, f, c->ar);
}

static const ArbList *h_select_day(NativeCtx *c, const ArbList *l, int64_t day, int32_t t) {
    return vm_select_day(c->vm, l, day, t, c->ar);
}

static const ArbList *h_select_in(NativeCtx *c, const ArbList *h, const ArbStr *key, int32_t lff) {
    return vm_select_in(c->vm, h, key, lff >> 16, lff & 0xffff, c->ar);
}

const NativeHelpers native_helpers = {
    h_set_has,  h_table_has,     h_intset_has,  h_matches,  h_str_cmp, vm_age_years, h_year,
    h_month,    vm_utf8_chars,   h_match_start, h_next_row, h_flag,    h_history,    vm_starts_with,
    h_lua_call, h_matches_regex, h_evidence,    h_overflow, h_select,  h_select_day, h_select_in,
};

int native_run(VM *vm, NativeFn fn, uint32_t rule, const Value *claim, Arena *ar) {
    NativeCtx c = {&native_helpers, vm->p->consts, vm, ar, claim, rule};
    vm->locals[0].rec = claim;
    return fn(&c, rule_ops(vm->p, &vm->p->rules[rule]), vm->locals);
}

typedef struct Keyed {
    uint64_t hash;
    uint32_t i;
} Keyed;

static int keyed_cmp(const void *a, const void *b) {
    const Keyed *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int native_group_shapes(const Program *p, const uint32_t *from, const uint32_t *to,
                        const uint32_t *rule, uint32_t n, uint32_t *rep, Alloc a) {
    Keyed *k = mem_alloc(a, (n + 1) * sizeof(Keyed));
    if (!k) return -1;
    for (uint32_t i = 0; i < n; i++) {
        k[i].hash = shape_hash(p, from[i], to[i], rule_ops(p, &p->rules[rule[i]]));
        k[i].i = i;
    }
    qsort(k, n, sizeof(Keyed), keyed_cmp);
    /* within a run of equal hashes, match each range against the earlier
     * representatives (hashes can collide) */
    for (uint32_t s = 0; s < n;) {
        uint32_t e = s;
        while (e < n && k[e].hash == k[s].hash) e++;
        for (uint32_t x = s; x < e; x++) {
            uint32_t i = k[x].i;
            rep[i] = i;
            for (uint32_t y = s; y < x; y++) {
                uint32_t j = k[y].i;
                if (rep[j] == j && shape_equal(p, from[j], to[j], rule_ops(p, &p->rules[rule[j]]),
                                               from[i], to[i], rule_ops(p, &p->rules[rule[i]]))) {
                    rep[i] = j;
                    break;
                }
            }
        }
        s = e;
    }
    mem_free(a, k, (n + 1) * sizeof(Keyed));
    return 0;
}
