/* symindex.c — the symbol index: declarations and uses of named things,
 * keyed by "kind:name" (see symindex.h). */
#include "symindex.h"

#include <stdlib.h>
#include <string.h>

const char *const sym_kind_names[SK__COUNT] = {
#define X(e, s) s,
    SYM_KINDS(X)
#undef X
};

void symindex_init(SymIndex *ix, Alloc a) {
    memset(ix, 0, sizeof *ix);
    ix->alloc = a;
    arena_init(&ix->ar, a, 1 << 14);
    strmap_init(&ix->by_key, a);
}

void symindex_free(SymIndex *ix) {
    mem_free(ix->alloc, ix->defs, ix->capdefs * sizeof(SymDef));
    mem_free(ix->alloc, ix->uses, ix->capuses * sizeof(SymUse));
    strmap_free(&ix->by_key);
    arena_free(&ix->ar);
    memset(ix, 0, sizeof *ix);
}

const char *symindex_str(SymIndex *ix, const char *s, size_t len) {
    char *c = arena_strndup(&ix->ar, s ? s : "", s ? len : 0);
    if (!c) ix->oom = 1;
    return c;
}

int32_t symindex_find(const SymIndex *ix, const char *key) {
    void *v = strmap_get(&ix->by_key, key, strlen(key));
    return v ? (int32_t)((uintptr_t)v - 1) : -1;
}

int32_t symindex_def(SymIndex *ix, int kind, const char *key, const char *name, const char *detail,
                     int32_t file, uint32_t off, uint32_t len, uint32_t decl_off, uint32_t decl_end,
                     int32_t parent) {
    int32_t old = symindex_find(ix, key);
    if (old >= 0) return old;
    if (mem_grow(ix->alloc, (void **)&ix->defs, sizeof(SymDef), &ix->capdefs, ix->ndefs + 1)) {
        ix->oom = 1;
        return -1;
    }
    SymDef d = {0};
    d.kind = (uint8_t)kind;
    d.key = symindex_str(ix, key, strlen(key));
    d.name = symindex_str(ix, name, name ? strlen(name) : 0);
    d.detail = symindex_str(ix, detail, detail ? strlen(detail) : 0);
    if (!d.key || !d.name || !d.detail) return -1;
    d.file = file;
    d.off = off;
    d.len = len;
    d.decl_off = decl_off;
    d.decl_end = decl_end;
    d.parent = parent;
    d.aux_file = -1;
    int32_t i = (int32_t)ix->ndefs;
    strmap_put(&ix->by_key, d.key, strlen(d.key), (void *)(uintptr_t)(i + 1), &ix->oom);
    if (ix->oom) return -1;
    ix->defs[ix->ndefs++] = d;
    return i;
}

void symindex_use(SymIndex *ix, const char *key, int32_t file, uint32_t off, uint32_t len) {
    if (file < 0) return;
    if (mem_grow(ix->alloc, (void **)&ix->uses, sizeof(SymUse), &ix->capuses, ix->nuses + 1)) {
        ix->oom = 1;
        return;
    }
    int32_t d = symindex_find(ix, key);
    const char *k = d >= 0 ? NULL : symindex_str(ix, key, strlen(key));
    if (d < 0 && !k) return;
    ix->uses[ix->nuses++] = (SymUse){file, off, len, d >= 0 ? (uint32_t)d : UINT32_MAX, k};
}

static int use_cmp(const void *x, const void *y) {
    const SymUse *a = x, *b = y;
    if (a->file != b->file) return a->file < b->file ? -1 : 1;
    if (a->off != b->off) return a->off < b->off ? -1 : 1;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return a->def < b->def ? -1 : a->def > b->def;
}

void symindex_finish(SymIndex *ix) {
    size_t n = 0;
    for (size_t i = 0; i < ix->nuses; i++) {
        SymUse u = ix->uses[i];
        if (u.key) {
            int32_t d = symindex_find(ix, u.key);
            if (d < 0) continue;
            u.def = (uint32_t)d;
            u.key = NULL;
        }
        /* a use at the declared name itself is the declaration */
        if (ix->defs[u.def].file == u.file && ix->defs[u.def].off == u.off) continue;
        ix->uses[n++] = u;
    }
    ix->nuses = n;
    if (!ix->nuses) return;
    qsort(ix->uses, ix->nuses, sizeof(SymUse), use_cmp);
    size_t k = 1;
    for (size_t i = 1; i < ix->nuses; i++)
        if (use_cmp(&ix->uses[i], &ix->uses[k - 1]) != 0) ix->uses[k++] = ix->uses[i];
    ix->nuses = k;
}

int32_t symindex_at(const SymIndex *ix, int32_t file, uint32_t off, uint32_t *span_off,
                    uint32_t *span_len) {
    int32_t best = -1;
    uint32_t best_off = 0, best_len = UINT32_MAX;
    for (size_t i = 0; i < ix->nuses; i++) {
        const SymUse *u = &ix->uses[i];
        if (u->file == file && off >= u->off && off <= u->off + u->len && u->len < best_len) {
            best = (int32_t)u->def;
            best_off = u->off;
            best_len = u->len;
        }
    }
    for (size_t i = 0; i < ix->ndefs && best < 0; i++) {
        const SymDef *d = &ix->defs[i];
        if (d->file == file && off >= d->off && off <= d->off + d->len) {
            best = (int32_t)i;
            best_off = d->off;
            best_len = d->len;
        }
    }
    if (best >= 0 && span_off) *span_off = best_off;
    if (best >= 0 && span_len) *span_len = best_len;
    return best;
}
