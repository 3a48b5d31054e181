/* hset.c — the set of 64-bit hashes (hset.h). */
#include "hset.h"

#include <string.h>

void hset_init(HSet *s, Alloc a) {
    memset(s, 0, sizeof *s);
    s->alloc = a;
}

/* The slot of h: where it is, or the empty slot it would go in. */
static size_t slot(const HSet *s, uint64_t h) {
    size_t j = (size_t)h & (s->cap - 1);
    while (s->v[j] && s->v[j] != h) j = (j + 1) & (s->cap - 1);
    return j;
}

int hset_add(HSet *s, uint64_t h) {
    if (!h) h = 1;
    if (s->cap && s->v[slot(s, h)] == h) return 1;
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        uint64_t *v = mem_calloc(s->alloc, cap * sizeof(uint64_t));
        if (!v) return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->v[i]) continue;
            size_t j = (size_t)s->v[i] & (cap - 1);
            while (v[j]) j = (j + 1) & (cap - 1);
            v[j] = s->v[i];
        }
        mem_free(s->alloc, s->v, s->cap * sizeof(uint64_t));
        s->v = v;
        s->cap = cap;
    }
    s->v[slot(s, h)] = h;
    s->n++;
    return 0;
}

void hset_free(HSet *s) {
    mem_free(s->alloc, s->v, s->cap * sizeof(uint64_t));
    s->v = NULL;
    s->cap = s->n = 0;
}
