/* table.h — a typed table loaded from CSV and its key index.
 *
 * Rows use the record layout (one Value per column), so a matched row is used
 * like any record.  The key column is indexed by hash; a key ending in '%' is
 * a prefix key ("XL02BBA326%" covers every code that starts so), and so is
 * every key of a column declared `key prefix`; prefix keys are found by
 * probing each distinct prefix length present in the table.
 *
 * A pack stores the index as built (slots, rowids and each key's range of
 * rowids): loading points at it and the verifier checks it against the rows
 * (verify.h). */
#ifndef ARB_TABLE_H
#define ARB_TABLE_H

#include <string.h>

#include "schema.h"

/* A key of the index, 32 bytes (two a cache line; the array is aligned to
 * 64): its length and kind, its rows, and its bytes in the entry itself when
 * they are TABLE_KEY_INLINE or fewer (every item code of the peers' workload,
 * most of the reference library's), so that a probe's hit reads the slot and
 * this entry and nothing else: not the key's bytes through a pointer, and not
 * Table.rowids for a key of one row (row0).  A longer key keeps its first 8
 * bytes here and points at all of them (its first row's). */
#define TABLE_KEY_INLINE 16
#define TABLE_KEY_PREFIX 0x80000000u /* in lenp: a prefix key */
#define TABLE_KEY_MAX_LEN 0x7fffffffu

typedef struct TableKey {
    uint32_t lenp;  /* the key's length (without a prefix key's '%') | TABLE_KEY_PREFIX */
    uint32_t count; /* its rows: Table.rowids[first .. first + count) */
    uint32_t first;
    uint32_t row0; /* Table.rowids[first] */
    union {
        char in[TABLE_KEY_INLINE]; /* length <= TABLE_KEY_INLINE: the bytes, zero padded */
        struct {
            const char *data; /* longer: all the bytes (the first row's) */
            char head[8];     /* and the first 8 */
        } out;
    } b;
} TableKey;

static inline uint32_t table_key_len(const TableKey *tk) {
    return tk->lenp & TABLE_KEY_MAX_LEN;
}

/* 1 for a prefix key, 0 for an exact one. */
static inline int table_key_prefix(const TableKey *tk) {
    return (tk->lenp & TABLE_KEY_PREFIX) != 0;
}

/* The key's bytes (table_key_len of them). */
static inline const char *table_key_bytes(const TableKey *tk) {
    return table_key_len(tk) <= TABLE_KEY_INLINE ? tk->b.in : tk->b.out.data;
}

/* Sets *tk to the key data[0..len) (prefix or not) with rows
 * rowids[first .. first + count) (row0 the first of them).  Returns 0, or -1
 * when len is over TABLE_KEY_MAX_LEN.  data must outlive the key when len is
 * over TABLE_KEY_INLINE.  In line, with word copies: a pack's load sets every
 * key so. */
static inline int table_key_set(TableKey *tk, const char *data, uint32_t len, int prefix,
                                uint32_t first, uint32_t count, uint32_t row0) {
    if (len > TABLE_KEY_MAX_LEN) return -1;
    tk->lenp = len | (prefix ? TABLE_KEY_PREFIX : 0);
    tk->count = count;
    tk->first = first;
    tk->row0 = row0;
    memset(&tk->b, 0, sizeof tk->b);
    if (len > TABLE_KEY_INLINE) {
        tk->b.out.data = data;
        memcpy(tk->b.out.head, data, sizeof tk->b.out.head);
    } else if (len >= 8) { /* two 8-byte copies, overlapping */
        memcpy(tk->b.in, data, 8);
        memcpy(tk->b.in + len - 8, data + len - 8, 8);
    } else if (len >= 4) {
        memcpy(tk->b.in, data, 4);
        memcpy(tk->b.in + len - 4, data + len - 4, 4);
    } else {
        for (uint32_t i = 0; i < len; i++) tk->b.in[i] = data[i];
    }
    return 0;
}

/* An array of n keys from ar, aligned to 64 bytes (not zeroed: each is set
 * with table_key_set), or NULL. */
TableKey *table_alloc_keys(Arena *ar, uint32_t n);

/* A slot of the index: the key's hash beside its number, so that a probe
 * passes over other keys without reading them (one cache line a probe, the
 * key's entry read only when the whole hash agrees: a miss is decided in the
 * slots but for a 32-bit collision, and then mostly by the entry's length
 * or first bytes). */
typedef struct TableSlot {
    uint32_t hash;
    uint32_t key; /* key index + 1; 0 when empty */
} TableSlot;

#define TABLE_MAX_PREFIX_LENS 32

struct Table {
    const char *name;
    const char *path;
    RecordType rt; /* the columns */
    uint32_t nrows;
    Value *rows;        /* nrows * rt.nfields */
    int32_t key_col;    /* -1 when the table has no key column */
    uint8_t key_prefix; /* every key is a prefix, with or without a trailing '%' (key prefix) */
    /* index */
    TableKey *keys;
    uint32_t nkeys;
    TableSlot *slots; /* open addressing, linear probing, at most half full */
    uint32_t mask;
    uint32_t *rowids; /* rows grouped by key */
    uint32_t nrowids; /* the rows with a key */
    uint8_t nprefix_lens;
    uint16_t prefix_lens[TABLE_MAX_PREFIX_LENS]; /* ascending */
};

/* Builds the index over the key column; allocations come from ar.
 * Returns 0, or -1 when out of memory, when there are more distinct prefix
 * lengths than TABLE_MAX_PREFIX_LENS or when a key is over
 * TABLE_KEY_MAX_LEN bytes. */
int table_build_index(Table *t, Arena *ar);

/* Mixed into the hash of a prefix key, so it hashes apart from the exact
 * key of the same bytes. */
#define TABLE_PREFIX_SALT 0x9e3779b9u

/* The hash of a key in the index. */
static inline uint32_t table_key_hash(const char *s, uint32_t n, int prefix) {
    return str_hash(s, n) ^ (prefix ? TABLE_PREFIX_SALT : 0);
}

/* The number of slots of the index of a table of nrows rows: a power of
 * two, at least 16 and at least twice nrows. */
uint32_t table_index_cap(uint32_t nrows);

/* The key of row r: sets *data and *len (without a trailing '%') and
 * returns 1 for a prefix key, 0 for an exact one, -1 when the row has no
 * key. */
static inline int table_key_of_row(const Table *t, uint32_t r, const char **data, uint32_t *len) {
    const ArbStr *s = t->rows[(size_t)r * t->rt.nfields + (size_t)t->key_col].s;
    if (!s) return -1;
    int pct = s->len > 0 && s->data[s->len - 1] == '%';
    *data = s->data;
    *len = s->len - (uint32_t)pct;
    return pct || t->key_prefix;
}

/* Adds n to the prefix lengths of t (kept ascending, without repeats).
 * Returns 0, or -1 when there would be more than TABLE_MAX_PREFIX_LENS. */
int table_add_prefix_len(Table *t, uint32_t n);

/* Rows whose key equals s[0..n) exactly (prefix == 0), or whose prefix key is
 * exactly s[0..n) (prefix == 1).  Returns the row ids (in Table.rowids, or
 * the key's row0 for a key of one row) and sets *count; NULL and 0 when
 * there is no such key. */
const uint32_t *table_find(const Table *t, const char *s, uint32_t n, int prefix, uint32_t *count);

/* table_find with h = str_hash(s, n) already known: an ArbStr's own hash for
 * its exact key, str_hash_more from one prefix length to the next for its
 * prefixes, so a code looked up at every prefix length is hashed once. */
const uint32_t *table_find_hashed(const Table *t, const char *s, uint32_t n, int prefix, uint32_t h,
                                  uint32_t *count);

static inline const Value *table_row(const Table *t, uint32_t i) {
    return t->rows + (size_t)i * t->rt.nfields;
}

#endif
