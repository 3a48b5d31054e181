/* hash.h — the string hash every layer uses (FNV-1a): string maps, interned
 * strings, table indexes; and a cheap one for the keys of objects. */
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

/* A cheap hash of a short key (a JSON object's key, a field's name): its
 * length and three of its bytes.  For tables that compare keys in full, so
 * a collision costs only a comparison; not for strings that stay (those
 * take str_hash). */
static inline uint32_t key_hash(const char *s, size_t n) {
    uint32_t h = (uint32_t)n * 0x9E3779B1u;
    if (n) {
        h ^= (uint32_t)(unsigned char)s[0] * 0x85EBCA77u;
        h ^= (uint32_t)(unsigned char)s[n - 1] * 0xC2B2AE3Du;
        h ^= (uint32_t)(unsigned char)s[n / 2] * 0x27D4EB2Fu;
    }
    return h ^ (h >> 15);
}

#endif
