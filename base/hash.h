/* hash.h — the string hash every layer uses (FNV-1a): string maps, interned
 * strings, table indexes. */
#ifndef ARB_HASH_H
#define ARB_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a over the bytes; the same function everywhere (indexes rely on it). */
/* str_hash of a string continued by s[0..n), from the hash h of its start
 * (2166136261, the hash of "", to begin). */
static inline uint32_t str_hash_more(uint32_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static inline uint32_t str_hash(const char *s, size_t n) {
    return str_hash_more(2166136261u, s, n);
}

#endif
