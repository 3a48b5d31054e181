/* intern.c — a set of strings, for sharing equal values (see intern.h). */
#include "intern.h"

#include <string.h>

void intern_init(Interner *t, Alloc a) {
    memset(t, 0, sizeof *t);
    t->alloc = a;
}

void intern_free(Interner *t) {
    mem_free(t->alloc, t->slots, t->cap * sizeof(InternSlot));
    t->slots = NULL;
    t->cap = t->n = 0;
}

const ArbStr *intern_find(const Interner *t, const char *s, size_t n, uint32_t h) {
    if (!t->cap) return NULL;
    for (size_t k = h & (t->cap - 1);; k = (k + 1) & (t->cap - 1)) {
        const InternSlot *e = &t->slots[k];
        if (!e->s) return NULL;
        if (e->hash == h && e->s->len == n && memcmp(e->s->data, s, n) == 0) return e->s;
    }
}

/* Places str in slots (a power of two of them, with room). */
static void place(InternSlot *slots, size_t cap, const ArbStr *str) {
    size_t k = str->hash & (cap - 1);
    while (slots[k].s) k = (k + 1) & (cap - 1);
    slots[k].hash = str->hash;
    slots[k].s = str;
}

int intern_add(Interner *t, const ArbStr *str) {
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        InternSlot *slots = mem_calloc(t->alloc, cap * sizeof(InternSlot));
        if (!slots) return -1;
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i].s) place(slots, cap, t->slots[i].s);
        mem_free(t->alloc, t->slots, t->cap * sizeof(InternSlot));
        t->slots = slots;
        t->cap = cap;
    }
    place(t->slots, t->cap, str);
    t->n++;
    return 0;
}
