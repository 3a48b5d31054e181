/* strmap.c — open-addressing string map with linear probing, keys hashed
 * by str_hash or (strmap_init_fast) strmap_fast_hash. */
#include "strmap.h"

#include <string.h>

#include "hash.h"

void strmap_init(StrMap *m, Alloc a) {
    memset(m, 0, sizeof *m);
    m->alloc = a;
}

void strmap_init_fast(StrMap *m, Alloc a) {
    strmap_init(m, a);
    m->fast = 1;
}

void strmap_free(StrMap *m) {
    mem_free(m->alloc, m->e, m->cap * sizeof(StrMapEntry));
    m->e = NULL;
    m->cap = m->n = 0;
}

void strmap_clear(StrMap *m) {
    if (m->n) memset(m->e, 0, m->cap * sizeof(StrMapEntry));
    m->n = 0;
}

static StrMapEntry *find(const StrMap *m, const char *key, uint32_t len, uint32_t h) {
    for (uint32_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        StrMapEntry *e = &m->e[i];
        if (!e->key || (e->hash == h && e->len == len && strmap_bytes_eq(e->key, key, len)))
            return e;
    }
}

void *strmap_get(const StrMap *m, const char *key, size_t len) {
    if (!m->cap) return NULL;
    StrMapEntry *e = find(m, key, (uint32_t)len, strmap_hash(m, key, len));
    return e->key ? e->value : NULL;
}

void *strmap_get_hashed(const StrMap *m, const char *key, size_t len, uint32_t hash) {
    if (!m->cap) return NULL;
    StrMapEntry *e = find(m, key, (uint32_t)len, hash);
    return e->key ? e->value : NULL;
}

void *strmap_put(StrMap *m, const char *key, size_t len, void *value, int *oom) {
    return strmap_put_hashed(m, key, len, strmap_hash(m, key, len), value, oom);
}

void *strmap_put_hashed(StrMap *m, const char *key, size_t len, uint32_t h, void *value, int *oom) {
    if ((m->n + 1) * 2 > m->cap) {
        uint32_t ncap = m->cap ? m->cap * 2 : 64;
        StrMapEntry *ne = mem_calloc(m->alloc, ncap * sizeof(StrMapEntry));
        if (!ne) {
            *oom = 1;
            return NULL;
        }
        StrMap nm = *m;
        nm.e = ne;
        nm.cap = ncap;
        for (uint32_t i = 0; i < m->cap; i++)
            if (m->e[i].key) *find(&nm, m->e[i].key, m->e[i].len, m->e[i].hash) = m->e[i];
        mem_free(m->alloc, m->e, m->cap * sizeof(StrMapEntry));
        m->e = ne;
        m->cap = ncap;
    }
    StrMapEntry *e = find(m, key, (uint32_t)len, h);
    if (e->key) return e->value;
    e->key = key;
    e->len = (uint32_t)len;
    e->hash = h;
    e->value = value;
    m->n++;
    return NULL;
}
