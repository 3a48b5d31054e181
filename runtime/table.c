/* table.c — the key index of a table: exact and prefix keys in one hash map. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "strmap.h"

uint32_t table_index_cap(uint32_t nrows) {
    uint32_t cap = 16;
    while (cap < nrows * 2) cap *= 2;
    return cap;
}

int table_add_prefix_len(Table *t, uint32_t n) {
    uint8_t j = 0;
    while (j < t->nprefix_lens && t->prefix_lens[j] < n) j++;
    if (j < t->nprefix_lens && t->prefix_lens[j] == n) return 0;
    if (t->nprefix_lens == TABLE_MAX_PREFIX_LENS || n > UINT16_MAX) return -1;
    memmove(&t->prefix_lens[j + 1], &t->prefix_lens[j], (t->nprefix_lens - j) * sizeof(uint16_t));
    t->prefix_lens[j] = (uint16_t)n;
    t->nprefix_lens++;
    return 0;
}

TableKey *table_alloc_keys(Arena *ar, uint32_t n) {
    char *p = arena_alloc_raw(ar, (size_t)n * sizeof(TableKey) + 56);
    if (!p) return NULL;
    return (TableKey *)(p + ((64 - (uintptr_t)p % 64) % 64)); /* the arena's are 8-aligned */
}

/* Whether the key tk, of s's length, has s's bytes: a short key from the
 * entry alone, a long one's first 8 bytes there before the rest through its
 * pointer. */
static inline int key_bytes_eq(const TableKey *tk, const char *s, uint32_t n) {
    if (n <= TABLE_KEY_INLINE) return strmap_bytes_eq(tk->b.in, s, n);
    uint64_t x, y;
    memcpy(&x, tk->b.out.head, 8);
    memcpy(&y, s, 8);
    return x == y && strmap_bytes_eq(tk->b.out.data + 8, s + 8, n - 8);
}

const uint32_t *table_find(const Table *t, const char *s, uint32_t n, int prefix, uint32_t *count) {
    return table_find_hashed(t, s, n, prefix, str_hash(s, n), count);
}

const uint32_t *table_find_hashed(const Table *t, const char *s, uint32_t n, int prefix, uint32_t h,
                                  uint32_t *count) {
    *count = 0;
    if (!t->slots || n > TABLE_KEY_MAX_LEN) return NULL;
    h ^= prefix ? TABLE_PREFIX_SALT : 0; /* table_key_hash */
    uint32_t lenp = n | (prefix ? TABLE_KEY_PREFIX : 0);
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        TableSlot sl = t->slots[i];
        if (!sl.key) return NULL;
        if (sl.hash != h) continue;
        const TableKey *tk = &t->keys[sl.key - 1];
        if (tk->lenp == lenp && key_bytes_eq(tk, s, n)) {
            *count = tk->count;
            return tk->count == 1 ? &tk->row0 : t->rowids + tk->first;
        }
    }
}

int table_build_index(Table *t, Arena *ar) {
    t->nkeys = 0;
    t->nrowids = 0;
    t->nprefix_lens = 0;
    if (t->key_col < 0 || t->nrows == 0) return 0;
    uint32_t cap = table_index_cap(t->nrows);
    t->mask = cap - 1;
    t->slots = arena_alloc(ar, cap * sizeof(TableSlot));
    t->keys = table_alloc_keys(ar, t->nrows);
    uint32_t *row_key = arena_alloc(ar, t->nrows * sizeof(uint32_t));
    t->rowids = arena_alloc(ar, t->nrows * sizeof(uint32_t));
    if (!t->slots || !t->keys || !row_key || !t->rowids) return -1;
    /* 1: distinct keys (their rows counted in first), and the key of every row */
    for (uint32_t r = 0; r < t->nrows; r++) {
        const char *d;
        uint32_t n;
        int prefix = table_key_of_row(t, r, &d, &n);
        if (prefix < 0) {
            row_key[r] = UINT32_MAX;
            continue;
        }
        if (n > TABLE_KEY_MAX_LEN) return -1;
        uint32_t h = table_key_hash(d, n, prefix), i;
        uint32_t lenp = n | (prefix ? TABLE_KEY_PREFIX : 0);
        for (i = h & t->mask; t->slots[i].key; i = (i + 1) & t->mask) {
            TableKey *tk = &t->keys[t->slots[i].key - 1];
            if (t->slots[i].hash == h && tk->lenp == lenp && memcmp(table_key_bytes(tk), d, n) == 0)
                break;
        }
        if (!t->slots[i].key) {
            table_key_set(&t->keys[t->nkeys], d, n, prefix, 0, 0, 0);
            t->slots[i].hash = h;
            t->slots[i].key = ++t->nkeys;
            if (prefix && table_add_prefix_len(t, n)) return -1;
        }
        row_key[r] = t->slots[i].key - 1;
        t->keys[row_key[r]].first++;
    }
    /* 2: rows grouped by key, in file order within a key */
    uint32_t pos = 0;
    for (uint32_t k = 0; k < t->nkeys; k++) {
        uint32_t n = t->keys[k].first;
        t->keys[k].first = pos;
        pos += n;
    }
    for (uint32_t r = 0; r < t->nrows; r++) {
        if (row_key[r] == UINT32_MAX) continue;
        TableKey *tk = &t->keys[row_key[r]];
        if (tk->count == 0) tk->row0 = r;
        t->rowids[tk->first + tk->count++] = r;
        t->nrowids++;
    }
    return 0;
}
