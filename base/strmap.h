/* strmap.h — an open-addressing map from byte strings to pointers, for
 * symbol tables (names of tables, categories, rules...).  Keys are not
 * copied: they must outlive the map. */
#ifndef ARB_STRMAP_H
#define ARB_STRMAP_H

#include <stddef.h>
#include <stdint.h>

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
} StrMap;

void strmap_init(StrMap *m, Alloc a);
void strmap_free(StrMap *m);
/* Forgets every entry, keeping the table (no allocation). */
void strmap_clear(StrMap *m);
/* The value stored under key, or NULL. */
void *strmap_get(const StrMap *m, const char *key, size_t len);
/* strmap_get with the key's str_hash already known (a path hashed as it is
 * built). */
void *strmap_get_hashed(const StrMap *m, const char *key, size_t len, uint32_t hash);
/* Stores value under key unless present; returns the value already there
 * (not replacing it), NULL when newly stored.  *oom is set on failure. */
void *strmap_put(StrMap *m, const char *key, size_t len, void *value, int *oom);

#endif
