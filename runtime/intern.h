/* intern.h — a set of strings, for sharing equal values.  Records read into
 * one arena for a whole batch (history mode) hold one copy of each distinct
 * code or text (an item code, a department, a dose) instead of one per
 * occurrence.  Strings are immutable, so sharing them changes no result. */
#ifndef ARB_INTERN_H
#define ARB_INTERN_H

#include "value.h"

typedef struct InternSlot {
    uint32_t hash;   /* of str, kept here: most probes end without reading it */
    const ArbStr *s; /* NULL: empty */
} InternSlot;

typedef struct Interner {
    Alloc alloc;
    InternSlot *slots; /* open addressing, at most half full */
    size_t cap, n;
} Interner;

void intern_init(Interner *t, Alloc a);
void intern_free(Interner *t);

/* The string of the set equal to s[0..n) (whose hash is h), or NULL. */
const ArbStr *intern_find(const Interner *t, const char *s, size_t n, uint32_t h);

/* Adds str, which must outlive the set and not be in it.  0, or -1 when out
 * of memory (the set is unchanged and still usable). */
int intern_add(Interner *t, const ArbStr *str);

#endif
