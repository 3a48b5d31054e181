/* hset.h — a set of 64-bit hashes (open addressing, linear probing, at most
 * half full): "seen before?" over millions of ids or keys in 8 bytes each,
 * where a false "seen" from two texts of one hash is acceptable to the
 * caller (the CSV reader's check that claim ids are unique, the report's
 * repeat findings). */
#ifndef ARB_HSET_H
#define ARB_HSET_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

typedef struct HSet {
    Alloc alloc;
    uint64_t *v; /* cap slots, 0 an empty one */
    size_t cap, n;
} HSet;

void hset_init(HSet *s, Alloc a);
/* Adds h (0 is taken as 1): 1 when it was there, 0 when added, -1 when out
 * of memory (the set is as it was). */
int hset_add(HSet *s, uint64_t h);
void hset_free(HSet *s);

#endif
