/* strmap.h — an open-addressing map from byte strings to pointers, for
 * symbol tables (names of tables, categories, rules...) and for the strings
 * readers share (interning).  Keys are not copied: they must outlive the
 * map.  A map hashes its keys with str_hash (FNV-1a, one byte at a time),
 * or, made by strmap_init_fast, with a hash that takes 8 bytes at a time
 * (for interning, where hashing every string read was the cost); the
 * order of the entries in the table differs between the two. */
#ifndef ARB_STRMAP_H
#define ARB_STRMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hash.h"
#include "mem.h"

typedef struct StrMapEntry {
    const char *key;
    uint32_t len, hash;
    void *value;
} StrMapEntry;

typedef struct StrMap {
    Alloc alloc;
    StrMapEntry *e;
    uint32_t cap, n;
    int fast; /* keys hashed by strmap_fast_hash, not str_hash */
} StrMap;

void strmap_init(StrMap *m, Alloc a);
/* strmap_init for a map hashed by strmap_fast_hash. */
void strmap_init_fast(StrMap *m, Alloc a);

/* The hash of a fast map: the same strings as str_hash tells apart, cheaper
 * (8 bytes a step), not the same values. */
static inline uint32_t strmap_fast_hash(const char *s, size_t n) {
    uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15ull, w;
    while (n > 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    if (n >= 4) { /* 4..8 bytes: two 4-byte reads, overlapping */
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        w = (uint64_t)a << 32 | b;
    } else { /* 0..3 bytes */
        w = n ? (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n / 2] << 8 |
                    (unsigned char)s[n - 1]
              : 0;
    }
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    h *= 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32);
}

/* Whether a[0..n) and b[0..n) are the same bytes: memcmp's answer for
 * equality, inline, 8 bytes a step (the last step overlapping the one
 * before) for the short strings that keys and codes are, so that no call
 * is made for them. */
static inline int strmap_bytes_eq(const char *a, const char *b, size_t n) {
    uint64_t x, y;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y) return 0;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) { /* 4..7 bytes: two 4-byte reads, overlapping */
        uint32_t x1, y1, x2, y2;
        memcpy(&x1, a, 4);
        memcpy(&y1, b, 4);
        memcpy(&x2, a + n - 4, 4);
        memcpy(&y2, b + n - 4, 4);
        return x1 == y1 && x2 == y2;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* The hash m gives to a key: for strmap_get_hashed and strmap_put_hashed,
 * so that a key looked up and then stored is hashed once. */
static inline uint32_t strmap_hash(const StrMap *m, const char *key, size_t len) {
    return m->fast ? strmap_fast_hash(key, len) : str_hash(key, len);
}

/* Starts bringing into the cache the slot a look-up of hash h reads first
 * (a hint: nothing when the map is empty or the compiler has no prefetch). */
static inline void strmap_prefetch(const StrMap *m, uint32_t h) {
#if defined(__GNUC__)
    if (m->cap) __builtin_prefetch(&m->e[h & (m->cap - 1)]);
#else
    (void)m;
    (void)h;
#endif
}

/* strmap_get_hashed, inline: for the interning map's look-ups, one for each
 * string a reader shares (a hit is one slot most often; the hash stored
 * in the slot, then the length, are compared before the bytes). */
static inline void *strmap_get_inline(const StrMap *m, const char *key, size_t len, uint32_t hash) {
    if (!m->cap) return NULL;
    for (uint32_t i = hash & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        const StrMapEntry *e = &m->e[i];
        if (!e->key) return NULL;
        if (e->hash == hash && e->len == len && strmap_bytes_eq(e->key, key, len)) return e->value;
    }
}

void strmap_free(StrMap *m);
/* Forgets every entry, keeping the table (no allocation). */
void strmap_clear(StrMap *m);
/* The value stored under key, or NULL. */
void *strmap_get(const StrMap *m, const char *key, size_t len);
/* strmap_get with the key's strmap_hash already known. */
void *strmap_get_hashed(const StrMap *m, const char *key, size_t len, uint32_t hash);
/* Stores value under key unless present; returns the value already there
 * (not replacing it), NULL when newly stored.  *oom is set on failure. */
void *strmap_put(StrMap *m, const char *key, size_t len, void *value, int *oom);
/* strmap_put with the key's strmap_hash already known. */
void *strmap_put_hashed(StrMap *m, const char *key, size_t len, uint32_t hash, void *value,
                        int *oom);

#endif
