/* value.c — string allocation/comparison, record field lookup, type names. */
#include "value.h"

#include <string.h>

#include "schema.h"

const char *const type_kind_names[TY__COUNT] = {
#define X(e, s) s,
    ARB_TYPE_KINDS(X)
#undef X
};

const ArbStr *str_new(Arena *ar, const char *s, size_t n) {
    ArbStr *p = arena_alloc(ar, sizeof(ArbStr) + n + 1);
    if (!p) return NULL;
    p->len = (uint32_t)n;
    p->hash = str_hash(s, n);
    memcpy(p->data, s, n);
    p->data[n] = 0;
    return p;
}

int str_cmp(const ArbStr *a, const ArbStr *b) {
    if (!a || !b) return a ? 1 : (b ? -1 : 0);
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->data, b->data, n);
    if (c) return c;
    return a->len < b->len ? -1 : (a->len > b->len);
}

int record_field_index(const RecordType *rt, const char *name, size_t len) {
    for (uint32_t i = 0; i < rt->nfields; i++)
        if (rt->fields[i].name_len == len && memcmp(rt->fields[i].name, name, len) == 0)
            return (int)i;
    return -1;
}
