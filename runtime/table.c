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

const uint32_t *table_find(const Table *t, const char *s, uint32_t n, int prefix, uint32_t *count) {
    return table_find_hashed(t, s, n, prefix, str_hash(s, n), count);
}

const uint32_t *table_find_hashed(const Table *t, const char *s, uint32_t n, int prefix, uint32_t h,
                                  uint32_t *count) {
    *count = 0;
    if (!t->slots) return NULL;
    h ^= prefix ? TABLE_PREFIX_SALT : 0; /* table_key_hash */
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        TableSlot sl = t->slots[i];
        if (!sl.key) return NULL;
        if (sl.hash != h) continue;
        const TableKey *tk = &t->keys[sl.key - 1];
        if (tk->len == n && tk->prefix == prefix && strmap_bytes_eq(tk->data, s, n)) {
            *count = tk->count;
            return t->rowids + tk->first;
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
    t->keys = arena_alloc(ar, t->nrows * sizeof(TableKey));
    uint32_t *row_key = arena_alloc(ar, t->nrows * sizeof(uint32_t));
    t->rowids = arena_alloc(ar, t->nrows * sizeof(uint32_t));
    if (!t->slots || !t->keys || !row_key || !t->rowids) return -1;
    /* 1: distinct keys, and the key of every row */
    for (uint32_t r = 0; r < t->nrows; r++) {
        const char *d;
        uint32_t n;
        int prefix = table_key_of_row(t, r, &d, &n);
        if (prefix < 0) {
            row_key[r] = UINT32_MAX;
            continue;
        }
        uint32_t h = table_key_hash(d, n, prefix), i;
        for (i = h & t->mask; t->slots[i].key; i = (i + 1) & t->mask) {
            TableKey *tk = &t->keys[t->slots[i].key - 1];
            if (t->slots[i].hash == h && tk->len == n && tk->prefix == prefix &&
                memcmp(tk->data, d, n) == 0)
                break;
        }
        if (!t->slots[i].key) {
            TableKey *tk = &t->keys[t->nkeys];
            tk->data = d;
            tk->len = n;
            tk->prefix = (uint8_t)prefix;
            t->slots[i].hash = h;
            t->slots[i].key = ++t->nkeys;
            if (prefix && table_add_prefix_len(t, n)) return -1;
        }
        row_key[r] = t->slots[i].key - 1;
        t->keys[row_key[r]].count++;
    }
    /* 2: rows grouped by key, in file order within a key */
    uint32_t pos = 0;
    for (uint32_t k = 0; k < t->nkeys; k++) {
        t->keys[k].first = pos;
        pos += t->keys[k].count;
        t->keys[k].count = 0;
    }
    for (uint32_t r = 0; r < t->nrows; r++) {
        if (row_key[r] == UINT32_MAX) continue;
        TableKey *tk = &t->keys[row_key[r]];
        t->rowids[tk->first + tk->count++] = r;
        t->nrowids++;
    }
    return 0;
}
