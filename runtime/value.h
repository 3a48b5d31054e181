/* value.h — the runtime representation of data: 8-byte values, interned-hash
 * strings, lists of records.
 *
 * Every scalar is one int64: bool (0/1), int, money (cents), date (days since
 * 1970-01-01), datetime (seconds since 1970-01-01T00:00:00), duration
 * (seconds), enum (member index).  Missing is ARB_NULL.  Strings (code, text)
 * are ArbStr pointers, NULL when missing.  A record is a run of Values, one
 * per field of its RecordType; a list holds n records of `width` values each. */
#ifndef ARB_VALUE_H
#define ARB_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "mem.h"

#define ARB_NULL INT64_MIN

typedef struct ArbStr {
    uint32_t len;
    uint32_t hash;
    char data[]; /* len bytes, NUL-terminated */
} ArbStr;

typedef union Value Value;

typedef struct ArbList {
    uint32_t n;     /* number of records */
    uint32_t width; /* values per record */
    Value *items;   /* n * width values */
} ArbList;

union Value {
    int64_t i;
    const ArbStr *s;
    const ArbList *l;
    const Value *rec;
    const void *p; /* VM-internal: iteration state */
};

/* Allocates a string in the arena; NULL when out of memory. */
const ArbStr *str_new(Arena *ar, const char *s, size_t n);

static inline int str_eq(const ArbStr *a, const ArbStr *b) {
    if (a == b) return 1;
    if (!a || !b) return 0;
    if (a->hash != b->hash || a->len != b->len) return 0;
    for (uint32_t i = 0; i < a->len; i++)
        if (a->data[i] != b->data[i]) return 0;
    return 1;
}

/* Byte-wise comparison, shorter first on a common prefix; NULL sorts first. */
int str_cmp(const ArbStr *a, const ArbStr *b);

static inline const Value *list_item(const ArbList *l, uint32_t i) {
    return l->items + (size_t)i * l->width;
}

#endif
