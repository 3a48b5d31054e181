/* input_notes.c — counts of input fields the schema does not read (see
 * input_notes.h). */
#include "input_notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void notes_init(InputNotes *ns, Alloc a) {
    memset(ns, 0, sizeof *ns);
    ns->alloc = a;
    arena_init(&ns->ar, a, 4096);
    strmap_init(&ns->map, a);
}

void notes_free(InputNotes *ns) {
    strmap_free(&ns->map);
    arena_free(&ns->ar);
    mem_free(ns->alloc, ns->v, ns->cap * sizeof(InputNote));
    memset(ns, 0, sizeof *ns);
}

/* The note for name, made when new; NULL when out of memory. */
static InputNote *note_for(InputNotes *ns, const char *name, size_t len, const Field *derived) {
    uintptr_t k = (uintptr_t)strmap_get(&ns->map, name, len);
    if (k) return &ns->v[k - 1];
    if (ns->n >= INPUT_NOTES_MAX) {
        static const char other[] = "(other fields)";
        if (len != sizeof other - 1 || memcmp(name, other, len) != 0)
            return note_for(ns, other, sizeof other - 1, NULL);
    }
    if (mem_grow(ns->alloc, (void **)&ns->v, sizeof(InputNote), &ns->cap, ns->n + 1)) return NULL;
    char *copy = arena_strndup(&ns->ar, name, len);
    if (!copy) return NULL;
    int oom = 0;
    strmap_put(&ns->map, copy, len, (void *)(uintptr_t)(ns->n + 1), &oom);
    if (oom) return NULL;
    InputNote *n = &ns->v[ns->n++];
    n->name = copy;
    n->derived = derived;
    n->records = 0;
    n->last = 0;
    return n;
}

void notes_add(InputNotes *ns, const char *name, size_t len, const Field *derived) {
    InputNote *n = note_for(ns, name, len, derived);
    if (!n || n->last == ns->serial + 1) return;
    n->last = ns->serial + 1; /* serial 0 is a record too */
    n->records++;
}

int notes_merge(InputNotes *dst, const InputNotes *src) {
    for (size_t i = 0; i < src->n; i++) {
        const InputNote *s = &src->v[i];
        InputNote *d = note_for(dst, s->name, strlen(s->name), s->derived);
        if (!d) return -1;
        d->records += s->records;
    }
    return 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const InputNote *)a)->name, ((const InputNote *)b)->name);
}

void notes_sort(InputNotes *ns) {
    if (ns->n > 1) qsort(ns->v, ns->n, sizeof(InputNote), by_name);
    /* the map's indexes are stale now: rebuild it */
    strmap_free(&ns->map);
    strmap_init(&ns->map, ns->alloc);
    int oom = 0;
    for (size_t i = 0; i < ns->n; i++)
        strmap_put(&ns->map, ns->v[i].name, strlen(ns->v[i].name), (void *)(uintptr_t)(i + 1),
                   &oom);
}

size_t notes_path(char *buf, size_t cap, const char *const *lists, int nlists, const char *name,
                  size_t len) {
    size_t k = 0;
    for (int i = 0; i < nlists && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s[].", lists[i]);
    if (k < cap) k += (size_t)snprintf(buf + k, cap - k, "%.*s", (int)len, name);
    return k < cap ? k : cap - 1;
}
