/* mem.h — the allocator hook every module allocates through, and a chunked
 * bump arena.  The hook has lua_Alloc's shape: fn(ud, ptr, old, new); new == 0
 * frees.  Nothing here keeps global state. */
#ifndef ARB_MEM_H
#define ARB_MEM_H

#include <stddef.h>
#include <stdint.h>

typedef void *(*arb_alloc_fn)(void *ud, void *ptr, size_t old_size, size_t new_size);

typedef struct Alloc {
    arb_alloc_fn fn;
    void *ud;
} Alloc;

/* The default hook: realloc/free from the C library. */
void *mem_default_alloc(void *ud, void *ptr, size_t old_size, size_t new_size);
Alloc mem_default(void);

/* Thin wrappers; they return NULL on failure like malloc does. */
void *mem_alloc(Alloc a, size_t n);
void *mem_calloc(Alloc a, size_t n);
void *mem_realloc(Alloc a, void *p, size_t old_size, size_t new_size);
void mem_free(Alloc a, void *p, size_t size);

/* A growable array helper: ensures *cap >= need, growing geometrically.
 * Returns 0 on success, -1 when out of memory (the array is unchanged). */
int mem_grow(Alloc a, void **arr, size_t elem, size_t *cap, size_t need);

/* Arena: chunked bump allocator; everything is freed together. */
typedef struct ArenaChunk ArenaChunk;
typedef struct Arena {
    Alloc alloc;
    ArenaChunk *head;  /* current chunk, linked to older ones */
    ArenaChunk *spare; /* chunks given back by arena_release, for reuse */
    char *ptr, *end;   /* free space in the current chunk */
    size_t chunk_size; /* size of the next chunk to allocate */
    size_t total;      /* bytes held in chunks, for stats */
} Arena;

void arena_init(Arena *ar, Alloc a, size_t first_chunk);
/* Returns 8-byte aligned zeroed memory, or NULL when out of memory. */
void *arena_alloc(Arena *ar, size_t n);
/* As arena_alloc, not zeroed: for memory the caller sets in full. */
void *arena_alloc_raw(Arena *ar, size_t n);
/* Copies n bytes and appends a NUL. */
char *arena_strndup(Arena *ar, const char *s, size_t n);
/* A position in an arena; arena_release frees everything allocated since. */
typedef struct ArenaMark {
    ArenaChunk *chunk;
    char *ptr;
} ArenaMark;
ArenaMark arena_mark(const Arena *ar);
void arena_release(Arena *ar, ArenaMark m);

/* Frees all chunks but the newest and rewinds; memory is reused. */
void arena_reset(Arena *ar);
void arena_free(Arena *ar);

/* Reads a whole file into a buffer of *len + 1 bytes (NUL-terminated),
 * freed with mem_free(a, *text, *len + 1).  0, or -1 with errno set (EIO,
 * ENOMEM, or fopen's). */
int mem_read_file(Alloc a, const char *path, char **text, size_t *len);

#endif
