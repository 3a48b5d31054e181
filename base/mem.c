/* mem.c — default allocator, allocation wrappers, the bump arena, and
 * reading a whole file. */
#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *mem_default_alloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
    (void)ud;
    (void)old_size;
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, new_size);
}

Alloc mem_default(void) {
    Alloc a = {mem_default_alloc, NULL};
    return a;
}

void *mem_alloc(Alloc a, size_t n) {
    return a.fn(a.ud, NULL, 0, n ? n : 1);
}

void *mem_calloc(Alloc a, size_t n) {
    void *p = mem_alloc(a, n);
    if (p) memset(p, 0, n ? n : 1);
    return p;
}

void *mem_realloc(Alloc a, void *p, size_t old_size, size_t new_size) {
    return a.fn(a.ud, p, old_size, new_size ? new_size : 1);
}

void mem_free(Alloc a, void *p, size_t size) {
    if (p) a.fn(a.ud, p, size, 0);
}

int mem_grow(Alloc a, void **arr, size_t elem, size_t *cap, size_t need) {
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) ncap *= 2;
    void *p = mem_realloc(a, *arr, *cap * elem, ncap * elem);
    if (!p) return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

struct ArenaChunk {
    ArenaChunk *prev;
    size_t size; /* usable bytes after the header */
    /* data follows, 16-byte aligned */
};

#define CHUNK_HDR ((sizeof(ArenaChunk) + 15) & ~(size_t)15)

void arena_init(Arena *ar, Alloc a, size_t first_chunk) {
    ar->alloc = a;
    ar->head = NULL;
    ar->spare = NULL;
    ar->ptr = ar->end = NULL;
    ar->chunk_size = first_chunk ? first_chunk : 4096;
    ar->total = 0;
}

static int arena_new_chunk(Arena *ar, size_t need) {
    /* a chunk released earlier, when big enough */
    for (ArenaChunk **pp = &ar->spare; *pp; pp = &(*pp)->prev) {
        ArenaChunk *c = *pp;
        if (c->size < need) continue;
        *pp = c->prev;
        c->prev = ar->head;
        ar->head = c;
        ar->ptr = (char *)c + CHUNK_HDR;
        ar->end = ar->ptr + c->size;
        return 0;
    }
    size_t size = ar->chunk_size;
    while (size < need) size *= 2;
    ArenaChunk *c = mem_alloc(ar->alloc, CHUNK_HDR + size);
    if (!c) return -1;
    c->prev = ar->head;
    c->size = size;
    ar->head = c;
    ar->ptr = (char *)c + CHUNK_HDR;
    ar->end = ar->ptr + size;
    ar->total += size;
    if (ar->chunk_size < (1u << 24)) ar->chunk_size *= 2;
    return 0;
}

void *arena_alloc_raw(Arena *ar, size_t n) {
    if (n > SIZE_MAX - 7) return NULL; /* would round to a few bytes */
    n = (n + 7) & ~(size_t)7;
    if (n == 0) n = 8;
    if ((size_t)(ar->end - ar->ptr) < n) {
        if (arena_new_chunk(ar, n) != 0) return NULL;
    }
    void *p = ar->ptr;
    ar->ptr += n;
    return p;
}

void *arena_alloc(Arena *ar, size_t n) {
    void *p = arena_alloc_raw(ar, n);
    if (p) memset(p, 0, n ? (n + 7) & ~(size_t)7 : 8); /* the padding too */
    return p;
}

char *arena_strndup(Arena *ar, const char *s, size_t n) {
    char *p = arena_alloc(ar, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void arena_reset(Arena *ar) {
    if (!ar->head) return;
    /* Keep the newest (largest) chunk, free the older ones. */
    ArenaChunk *c = ar->head->prev;
    while (c) {
        ArenaChunk *prev = c->prev;
        ar->total -= c->size;
        mem_free(ar->alloc, c, CHUNK_HDR + c->size);
        c = prev;
    }
    ar->head->prev = NULL;
    ar->ptr = (char *)ar->head + CHUNK_HDR;
    ar->end = ar->ptr + ar->head->size;
}

void arena_free(Arena *ar) {
    while (ar->spare) {
        ArenaChunk *prev = ar->spare->prev;
        mem_free(ar->alloc, ar->spare, CHUNK_HDR + ar->spare->size);
        ar->spare = prev;
    }
    while (ar->head) {
        ArenaChunk *prev = ar->head->prev;
        mem_free(ar->alloc, ar->head, CHUNK_HDR + ar->head->size);
        ar->head = prev;
    }
    ar->ptr = ar->end = NULL;
    ar->total = 0;
}

ArenaMark arena_mark(const Arena *ar) {
    ArenaMark m = {ar->head, ar->ptr};
    return m;
}

void arena_release(Arena *ar, ArenaMark m) {
    /* newer chunks go to the spare list: the next allocations reuse them
     * (giving them back to malloc and asking again fragments the heap) */
    while (ar->head && ar->head != m.chunk) {
        ArenaChunk *c = ar->head;
        ar->head = c->prev;
        c->prev = ar->spare;
        ar->spare = c;
    }
    if (!ar->head) {
        ar->ptr = ar->end = NULL;
        return;
    }
    ar->ptr = m.ptr;
    ar->end = (char *)ar->head + CHUNK_HDR + ar->head->size;
}

int mem_read_file(Alloc a, const char *path, char **text, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = mem_alloc(a, cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = mem_realloc(a, buf, cap, cap * 2);
            if (!nb) {
                mem_free(a, buf, cap);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        mem_free(a, buf, cap);
        errno = bad ? EIO : ENOMEM;
        return -1;
    }
    buf[n] = 0;
    char *exact = mem_realloc(a, buf, cap, n + 1);
    *text = exact ? exact : buf;
    *len = n;
    if (!exact) mem_free(a, buf, cap), *text = NULL;
    return *text ? 0 : -1;
}
