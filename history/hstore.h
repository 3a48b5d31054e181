/* hstore.h — the persistent claim-history store: a directory (LMDB), or a
 * PostgreSQL database named by a connection string (postgresql://... or
 * postgres://...; hpg.h), behind one interface.
 *
 * LMDB layout: one LMDB environment in the directory, with named databases:
 *   meta    "format" -> the format version ("arbiter-history 1"); "schema.N"
 *           -> a schema description (hcodec.h) numbered N = 1, 2, ...
 *   claims  person_id 0x00 as_of(8 bytes, big-endian, sign flipped) seq(4
 *           bytes, big-endian) claim_id -> the encoded claim.  One person's
 *           claims sit together in time order, so a window of history is
 *           one ordered cursor range.  seq is 0 in a store (claim_id breaks
 *           ties); a batch's staging store (below) numbers claims in input
 *           order, as the in-memory history does.
 *   ids     claim_id -> its key in claims (replace and reverse by id)
 *   rev     claim_id -> "" : claims reversed (staging stores only; a store
 *           deletes a reversed claim at once)
 *   feedback  arrival number (8 bytes, big-endian) -> one JSON object: the
 *           3103 answers (hstore_feedback_add); a store made before them
 *           may lack this db (none yet)
 * The PostgreSQL store has the same contents in tables (hpg.h); a staging
 * store is always LMDB.
 *
 * An LMDB store has one writer at a time (LMDB serializes write
 * transactions, across processes too) and any number of readers, each of
 * which sees the last commit as of its transaction's start (a PostgreSQL
 * reader: as of each read, hpg.h).  A commit is atomic and durable (fsync)
 * unless the store is opened as staging; a killed process leaves the store
 * as of its last commit, with no recovery step.
 *
 * Handles: hstore_open makes the first handle on a store; hstore_attach
 * another on the same open store for another program (LMDB forbids opening
 * one environment twice in a process).  The handles share the environment
 * or connection pool, counted: it is closed with the last handle, whatever
 * the order. */
#ifndef ARB_HSTORE_H
#define ARB_HSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "hcodec.h"
#include "program.h"
#include "strbuf.h"

/* an LMDB store's format: 2 keeps each record in a table of its own
 * ("data", appended under a sequence number) and the claims table only
 * the number, so that a commit rewrites small leaves (1: records in the
 * claims table's leaves); a PostgreSQL store's is unchanged */
#define HSTORE_FORMAT "arbiter-history 2"
#define HSTORE_FORMAT_PG "arbiter-history 1"

typedef struct HStore HStore;
typedef struct HTxn HTxn;

enum {
    HSTORE_READONLY = 0,
    HSTORE_WRITE = 1,   /* create when absent */
    HSTORE_STAGING = 2, /* with WRITE: a batch's scratch store, no fsync, never replaces */
};

/* Opens (creating when writable) the store in dir — or in the PostgreSQL
 * database a postgresql:// URI names — for program p's claim schema.  0, or
 * -1 with a message in err (a store of another format version is refused,
 * naming both versions).  A PostgreSQL store cannot be HSTORE_STAGING. */
int hstore_open(HStore **out, const char *dir, int flags, const Program *p, Alloc a, char *err,
                size_t errcap);
/* Another handle on base's open store, for program p (registering p's
 * schema when base is writable and it is new), with base's flags.  0, or -1
 * (err). */
int hstore_attach(HStore **out, HStore *base, const Program *p, Alloc a, char *err, size_t errcap);
/* Closes a handle; the store itself with its last handle. */
void hstore_close(HStore *s);
/* Removes a closed store's files and its directory (a staging store). */
void hstore_remove_dir(const char *dir);
/* The directory, or the URI without its password (for messages). */
const char *hstore_dir(const HStore *s);
/* 1 for a PostgreSQL store (not a directory: no staging store beside it). */
int hstore_is_remote(const HStore *s);

/* Transactions: a write transaction (one at a time per store), or a read
 * transaction (any number, on any thread).  0, or -1 with the message in
 * err (-2 when out of memory). */
int hstore_begin(HStore *s, int write, HTxn **out, char *err, size_t errcap);
int hstore_commit(HTxn *t, char *err, size_t errcap);
void hstore_abort(HTxn *t);
/* A read transaction let go and renewed (sees the latest commit; a
 * PostgreSQL one gives its connection back to the pool and takes one
 * again).  hstore_renew: 0, or -1 (err). */
void hstore_reset(HTxn *t);
int hstore_renew(HTxn *t, char *err, size_t errcap);

/* What a claim is keyed by: its person, its as_of in seconds and its id.
 * 0, or -1 when it cannot be stored (no person_id, as_of or claim_id, or a
 * NUL byte in person_id): *why says which. */
int hstore_claim_key(const HStore *s, const Value *claim, const ArbStr **person, int64_t *t,
                     const ArbStr **claim_id, const char **why);

/* Stores claim (its key from hstore_claim_key) with sequence number seq,
 * replacing an earlier claim with the same id (except in a staging store,
 * which keeps both).  `scratch` is a buffer to encode into.  0, 1 when the
 * claim cannot be stored (*why), -1 on a store error (message in err). */
int hstore_put(HTxn *t, const Value *claim, uint32_t seq, StrBuf *scratch, const char **why,
               char *err, size_t errcap);
/* hstore_put with the claim already encoded (hcodec_encode with the
 * store's schema number, hstore_schema): encoding can then be done on
 * other threads. */
int hstore_put_encoded(HTxn *t, const Value *claim, uint32_t seq, const char *rec, size_t n,
                       const char **why, char *err, size_t errcap);
/* hstore_put_encoded in two steps, so that a batch's puts can be sorted by
 * key before they are made (fewer pages touched, in order):
 * hstore_key writes claim's key into key (cleared first): 0, 1 when the
 * claim cannot be stored (*why), -1 out of memory; hstore_put_key puts the
 * encoded record under it (a claim with the same claim_id replaced): 0, or
 * -1 on a store error (message in err). */
int hstore_key(const HStore *s, const Value *claim, uint32_t seq, StrBuf *key, const char **why);
int hstore_put_key(HTxn *t, const char *key, size_t kn, const char *rec, size_t n, char *err,
                   size_t errcap);
/* hstore_put_key in two steps, so that a commit's id entries can be put
 * sorted by claim_id and its records sorted by key (each table's pages
 * then touched in order): hstore_put_id puts the key's id entry, removing
 * the claim stored under that id before (a replacement); hstore_put_rec
 * the record under the key.  Both, in that order, for each key: then as
 * hstore_put_key.  (A PostgreSQL or staging store makes the whole put in
 * hstore_put_rec.)  0, or -1 on a store error (message in err). */
int hstore_put_id(HTxn *t, const char *key, size_t kn, char *err, size_t errcap);
int hstore_put_rec(HTxn *t, const char *key, size_t kn, const char *rec, size_t n, char *err,
                   size_t errcap);
/* The claim_id in a key made by hstore_key (*n its bytes); NULL when the
 * key is not one. */
const char *hstore_key_id(const char *key, size_t kn, size_t *n);
/* The schema number claims are written with in this store. */
uint32_t hstore_schema(const HStore *s);
/* The encoding plan of the program's claims (hcodec_encode_with: the bytes
 * of hcodec_encode, faster), shared by threads; NULL when memory ran out
 * (then hcodec_encode). */
const HcEnc *hstore_encoder(const HStore *s);

/* Removes the claim with this id (a reversal): 1 when there was one, 0
 * when not, -1 on error.  A staging store records the id as reversed. */
int hstore_reverse(HTxn *t, const char *claim_id, size_t n, char *err, size_t errcap);
/* Whether a claim with this id is stored (1), reversed in a staging store
 * (2) or neither (0). */
int hstore_has_id(HTxn *t, const char *claim_id, size_t n);
/* Whether a staging store records this id as reversed (1) or not (0): one
 * lookup where hstore_has_id may take two. */
int hstore_is_reversed(HTxn *t, const char *claim_id, size_t n);

/* One stored claim, as read: its key parts and encoded record. */
typedef struct HRec {
    const char *person;
    size_t person_len;
    int64_t t;
    uint32_t seq;
    const char *claim_id;
    size_t claim_id_len;
    const char *rec; /* encoded; valid until the transaction ends (PostgreSQL:
                        until its next read) */
    size_t rec_len;
} HRec;

/* Whether r, read from a staging store, is the last copy in input order
 * (the greatest seq) of its claim_id (1) or a claim_id given again later in
 * the batch (0).  1 for any other store. */
int hstore_staged_last(HTxn *t, const HRec *r);

/* Calls fn for each of person's claims with from <= t and (t, seq) <
 * (to_t, to_seq) — to_seq UINT32_MAX takes every claim at to_t — oldest
 * first.  fn returns nonzero to stop.  0, or -1 on error. */
int hstore_window(HTxn *t, const char *person, size_t person_len, int64_t from, int64_t to_t,
                  uint32_t to_seq, int (*fn)(void *ud, const HRec *r), void *ud);
/* Calls fn for every claim in key order (person, time).  0 or -1. */
int hstore_each(HTxn *t, int (*fn)(void *ud, const HRec *r), void *ud);
/* Why the last hstore_window or hstore_each on t failed (-1), for the
 * message: "" when it did not (or t is a PostgreSQL store's).  A claims
 * entry whose record is missing from the data table is reported as the
 * store's damage, naming the store, the claim_id and the person; so are
 * hstore_put, hstore_put_key, hstore_copy, hstore_reverse and hstore_prune
 * (in their err) when the claim they replace or remove lacks its record. */
const char *hstore_txn_error(const HTxn *t);

/* Calls fn for every claim id a staging store records as reversed. */
int hstore_each_reversed(HTxn *t, int (*fn)(void *ud, const char *id, size_t n), void *ud);

/* Copies a claim read from another store opened for the same program into
 * this one (replacing a claim with the same id).  0, or -1 (err). */
int hstore_copy(HTxn *t, const HStore *from, const HRec *r, StrBuf *scratch, char *err,
                size_t errcap);

/* Decodes a record read in this store into a claim for the store's
 * program (derived fields missing), in ar.  0, -1 damaged, -2 no memory.
 * A record of a schema registered since the handle was opened has its
 * description read from the store then (thread-safe). */
int hstore_decode(const HStore *s, const HRec *r, Arena *ar, Value **out);
/* The same into dst, a claim record already allocated. */
int hstore_decode_into(const HStore *s, const char *rec, size_t n, Arena *ar, Value *dst);
/* The same for a record of hcodec's hashed variant (a batch's spool,
 * encoded with hcodec_encode_hashed and this store's schema number). */
int hstore_decode_hashed(const HStore *s, const char *rec, size_t n, Arena *ar, Value *dst);
/* hstore_decode_into (hashed 0) or hstore_decode_hashed (1) for history():
 * only the fields the handle's program reads from history claims are
 * decoded, the others left missing (hfields.h).  Only for that program's
 * VM (hstore_program). */
int hstore_decode_hist(const HStore *s, const char *rec, size_t n, Arena *ar, Value *dst,
                       int hashed);
/* The program the handle was opened for. */
const Program *hstore_program(const HStore *s);
/* Writes the plain record of the hashed record rec[0..n) into out
 * (cleared first): 0, or -1 when it is damaged (-2: out of memory). */
int hstore_unhash(const HStore *s, const char *rec, size_t n, StrBuf *out);

/* Removes claims whose as_of is before `before` (seconds), committing every
 * `chunk` claims.  Returns the number removed, or -1 (message in err). */
int64_t hstore_prune(HStore *s, int64_t before, char *err, size_t errcap);

typedef struct HStoreStats {
    uint64_t persons, claims, reversed;
    int64_t first, last; /* as_of range in seconds (ARB_NULL when empty) */
    uint64_t file_bytes; /* data file size */
    uint64_t used_bytes; /* pages in use */
    uint32_t schemas;
    uint64_t feedback; /* 3103 answers kept */
} HStoreStats;
int hstore_stats(HStore *s, HStoreStats *st, char *err, size_t errcap);

/* The address range of the store's memory map, so a long run can let the
 * kernel drop the pages it has read (madvise) and stay flat in memory.
 * Nothing for a PostgreSQL store. */
void hstore_release_pages(HStore *s);

/* Feedback (the doctor's 3103 answers): adds one JSON object, in its own
 * durable commit, after every one added before (every answer kept);
 * jr_id is its "jr_id" (PostgreSQL keeps it in a column).  0, or -1 (err). */
int hstore_feedback_add(HStore *s, const char *jr_id, size_t jn, const char *json, size_t n,
                        char *err, size_t errcap);
/* Calls fn for each answer in arrival order (nonzero stops).  0 or -1. */
int hstore_feedback_each(HStore *s, int (*fn)(void *ud, const char *json, size_t n), void *ud,
                         char *err, size_t errcap);

/* An estimate of the bytes of pages a write transaction has made dirty
 * (LMDB holds them in memory until the commit; 0 for PostgreSQL): history
 * add commits early when it would go over its budget.  Page splits and
 * LMDB's free list are not counted: the true figure may be somewhat more. */
size_t hstore_txn_dirty(HTxn *t);

/* A budget for the stores' pages in memory.  LMDB reads through a memory
 * map, and the kernel maps the pages around each page a read touches, so
 * the resident size of a long run grows towards the size of its stores;
 * letting the pages go (hstore_release_pages) costs page faults when they
 * are read again.  A guard lets them go only when the process's resident
 * file-backed pages have grown by more than the budget since it was set. */
typedef struct HMemGuard {
    size_t base;   /* resident file-backed pages when set */
    size_t budget; /* pages */
} HMemGuard;
void hstore_guard_init(HMemGuard *g, size_t budget_bytes);
/* Whether the budget is exceeded (reads /proc/self/statm; 0 when it
 * cannot). */
int hstore_guard_over(const HMemGuard *g);

#endif
