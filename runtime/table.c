/* table.c — the key index of a table: exact and prefix keys in one hash map. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

static uint32_t key_hash(const char *s, uint32_t n, int prefix) {
    return str_hash(s, n) ^ (prefix ? 0x9e3779b9u : 0);
}

const uint32_t *table_find(const Table *t, const char *s, uint32_t n, int prefix, uint32_t *count) {
    *count = 0;
    if (!t->slots) return NULL;
    uint32_t h = key_hash(s, n, prefix);
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        TableSlot sl = t->slots[i];
        if (!sl.key) return NULL;
        if (sl.hash != h) continue;
        const TableKey *tk = &t->keys[sl.key - 1];
        if (tk->len == n && tk->prefix == prefix && memcmp(tk->data, s, n) == 0) {
            *count = tk->count;
            return t->rowids + tk->first;
        }
    }
}

int table_build_index(Table *t, Arena *ar) {
    t->nkeys = 0;
    t->nprefix_lens = 0;
    if (t->key_col < 0 || t->nrows == 0) return 0;
    uint32_t cap = 16;
    while (cap < t->nrows * 2) cap *= 2;
    t->mask = cap - 1;
    t->slots = arena_alloc(ar, cap * sizeof(TableSlot));
    t->keys = arena_alloc(ar, t->nrows * sizeof(TableKey));
    uint32_t *row_key = arena_alloc(ar, t->nrows * sizeof(uint32_t));
    t->rowids = arena_alloc(ar, t->nrows * sizeof(uint32_t));
    if (!t->slots || !t->keys || !row_key || !t->rowids) return -1;
    /* 1: distinct keys, and the key of every row */
    for (uint32_t r = 0; r < t->nrows; r++) {
        const ArbStr *s = table_row(t, r)[t->key_col].s;
        if (!s) {
            row_key[r] = UINT32_MAX;
            continue;
        }
        int pct = s->len > 0 && s->data[s->len - 1] == '%', prefix = pct || t->key_prefix;
        uint32_t n = s->len - (uint32_t)pct;
        uint32_t h = key_hash(s->data, n, prefix), i;
        for (i = h & t->mask; t->slots[i].key; i = (i + 1) & t->mask) {
            TableKey *tk = &t->keys[t->slots[i].key - 1];
            if (t->slots[i].hash == h && tk->len == n && tk->prefix == prefix &&
                memcmp(tk->data, s->data, n) == 0)
                break;
        }
        if (!t->slots[i].key) {
            TableKey *tk = &t->keys[t->nkeys];
            tk->data = s->data;
            tk->len = n;
            tk->prefix = (uint8_t)prefix;
            t->slots[i].hash = h;
            t->slots[i].key = ++t->nkeys;
            if (prefix) {
                uint8_t j = 0;
                while (j < t->nprefix_lens && t->prefix_lens[j] < n) j++;
                if (j == t->nprefix_lens || t->prefix_lens[j] != n) {
                    if (t->nprefix_lens == TABLE_MAX_PREFIX_LENS || n > UINT16_MAX) return -1;
                    memmove(&t->prefix_lens[j + 1], &t->prefix_lens[j],
                            (t->nprefix_lens - j) * sizeof(uint16_t));
                    t->prefix_lens[j] = (uint16_t)n;
                    t->nprefix_lens++;
                }
            }
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
    }
    return 0;
}
