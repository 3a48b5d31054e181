/* claim_ids.h — the claim ids of a batch, for finding a claim_id seen twice
 * (and, in history add, a claim that a reversal met earlier in the batch
 * cancels): a set of hashes with the line each was first seen on, and a scan for a
 * top-level key of a JSON object (the id is read from the record's text, on
 * the reading thread, in input order, before the records are parsed).
 *
 * A slot holds a 64-bit hash of the id, a second 32-bit hash and the line
 * (16 bytes); the table doubles at 3/4 full, so 16 to 32 bytes a distinct
 * id.  Two different ids are taken for one when both hashes agree: with n
 * ids in a batch the chance that any pair does is about n^2 / 2^97 (1e-13
 * for 100 million claims).
 *
 * With a bound (idset_spill) the table stops growing at the first power of
 * two holding that many ids: when it is full, its slots are sorted and
 * written to a run, an unlinked temporary file, and the table starts again
 * empty.  An id is then looked up in the table and in each run (a binary
 * search of the run's index, 8 bytes a 4 KB block, then one block read
 * with pread: the page cache, not the process, holds the runs), unless
 * a Bloom filter of the runs' ids, as many bytes as the table (128 bits a
 * slot, 3 bits an id), says that no run has it: at 3 million ids and a 4 MB
 * table, 1.5% of new ids are looked for in the runs; far beyond, the
 * filter fills and every lookup reads the runs (slower, never wrong).  Runs are
 * merged while the newest is at least half the one before, so there are
 * about log2(ids / bound) of them.  The answers are the same as without a
 * bound: an id is only added when neither the table nor a run has it, so
 * it is in one place, with the line it was first seen on. */
#ifndef ARB_CLAIM_IDS_H
#define ARB_CLAIM_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

typedef struct IdSlot {
    uint64_t h;
    uint32_t h2;
    uint32_t line; /* 0: empty; lines past 2^32-1 are kept as 2^32-1 */
} IdSlot;

/* A sorted run of slots in a file, with the first hash of each block. */
typedef struct IdRun {
    int fd;
    uint64_t n;
    uint64_t *first;
    size_t nblocks, capblocks;
} IdRun;

#define IDSET_MAX_RUNS 64

typedef struct IdSet {
    Alloc alloc;
    IdSlot *slots;
    size_t cap, n;  /* cap: a power of two, or 0 */
    size_t max_cap; /* 0: no bound; else the table's largest cap */
    char *dir;      /* where runs go (NULL: $TMPDIR, else /tmp) */
    IdRun runs[IDSET_MAX_RUNS];
    size_t nruns;
    uint64_t *bloom; /* the runs' ids: a Bloom filter the table's size */
    size_t bloom_bits;
} IdSet;

void idset_init(IdSet *s, Alloc a);
/* Frees the table and closes (so deletes) the runs. */
void idset_free(IdSet *s);
/* Bounds the table to the first power of two that holds max_mem_ids ids at
 * 3/4 full (at least 16 slots; 16 bytes a slot), spilling into runs in
 * dir beyond (NULL: $TMPDIR, else /tmp); 0 lifts the bound.  Call before
 * the first idset_add.  0, or -1 when out of memory. */
int idset_spill(IdSet *s, size_t max_mem_ids, const char *dir);
/* Adds id[0..n) seen on `line` (1-based).  0 when new; 1 when seen before
 * (*first: the line it was first seen on); -1 when out of memory; -2 when a
 * run could not be written or read (errno says why).  After an error the
 * set is only to be freed. */
int idset_add(IdSet *s, const char *id, size_t n, uint64_t line, uint64_t *first);
/* Whether id[0..n) was added, without adding it: 1 (*first: the line it
 * was first seen on), 0 not, -2 when a run could not be read (errno).  An
 * empty set answers 0 without hashing. */
int idset_has(const IdSet *s, const char *id, size_t n, uint64_t *first);

/* Finds key (not escaped) among the top-level members of the JSON object
 * p[0..n).  Returns 1 with its value in out[0..*len) — a string decoded
 * (escapes resolved, truncated to cap), another scalar as written — 2 when
 * the value is null, 0 when the key is not there, -1 when the text is not
 * a JSON object (the reader will say why). */
int json_top_value(const char *p, size_t n, const char *key, char *out, size_t cap, size_t *len);

/* One key sought by json_top_values: the value goes to out[0..len) as
 * json_top_value puts it; found: 1 a value, 2 null, 0 not (yet) seen. */
typedef struct JsonTopWant {
    const char *key; /* not escaped */
    char *out;
    size_t cap;
    size_t len, klen; /* set by json_top_values */
    int found;
} JsonTopWant;

/* json_top_value for the keys w[0..nw) in one pass over the object: each
 * takes the first member of its name, and the pass stops once every key is
 * found that is in the text at all (a first, quicker search for each key,
 * quoted: a plain claim has no `reversal_of` or `status`, and its lines
 * need not be walked for them).  Returns 0, or -1 when the text is not a
 * JSON object as far as the pass read it (the keys found before the fault
 * keep their values, as json_top_value's separate passes would have). */
int json_top_values(const char *p, size_t n, JsonTopWant *w, size_t nw);

#endif
