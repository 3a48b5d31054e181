/* hsource.h — history() read from the history store, for one thread.
 *
 * The history of a claim is the same person's earlier claims within the
 * window (history.h, hist_window_from), from two places:
 *  - the store: claims recorded by earlier runs, settled at or before this
 *    claim's as_of — except the claim itself (same claim_id) and, in a
 *    batch, claims the batch replaces (same claim_id) or reverses;
 *  - the batch's staging store (check --history): the batch's own claims
 *    before this one in (as_of, input order), except those the batch
 *    reverses — exactly what the in-memory history of a batch holds.
 * The two are merged oldest first (a stored claim before a batch claim of
 * the same time), decoded into the claim's arena and given their derived
 * fields.  A claim's history is read once, a year and a day back (or as far
 * as the longest window asked for): each history(D) is the run of it
 * settled within D.
 *
 * A batch's staging store may hold, instead of each claim's encoding, where
 * it is in the batch's spool (hsrc_ref_put: 8 bytes of offset and 4 of
 * length, little-endian): the claims are then encoded once, into the spool,
 * and the staging B-tree stays small.  HSource.spool_fd is then the spool's
 * file, and records of the staging store are read from it with pread into
 * a buffer of the HSource's (the spool's records are of hcodec's hashed
 * variant: hstore_decode_hashed): not through a memory map, whose pages (the
 * kernel maps 16 around each one faulted in) would count against the
 * process's resident file pages and make the stores' pages be let go and
 * faulted in again. */
#ifndef ARB_HSOURCE_H
#define ARB_HSOURCE_H

#include "hstore.h"
#include "vm.h"

#define HSRC_REF 12 /* bytes of a reference into the spool */

/* Writes the reference to the claim at off, n bytes long, into w. */
static inline void hsrc_ref_put(char *w, uint64_t off, uint32_t n) {
    for (int i = 0; i < 8; i++) w[i] = (char)(off >> (8 * i));
    for (int i = 0; i < 4; i++) w[8 + i] = (char)(n >> (8 * i));
}

/* Where the claim a reference ref[0..n) names is in a spool of len bytes:
 * 0, or -1 when it is not a reference into it. */
static inline int hsrc_ref_get(const char *ref, size_t n, uint64_t len, uint64_t *at,
                               uint32_t *recn) {
    if (n != HSRC_REF) return -1;
    const unsigned char *u = (const unsigned char *)ref;
    uint64_t off = 0;
    uint32_t m = 0;
    for (int i = 7; i >= 0; i--) off = off << 8 | u[i];
    for (int i = 3; i >= 0; i--) m = m << 8 | u[8 + i];
    if (off > len || m > len - off) return -1;
    *at = off;
    *recn = m;
    return 0;
}

/* Reads n bytes at off of fd into p (pread, resumed): 0, or -1 (errno set;
 * EIO at an early end of file). */
int hsrc_pread(int fd, char *p, size_t n, uint64_t off);

typedef struct HSrcItem {
    const char *rec; /* NULL: at `at` in HSource.buf (read from the spool) */
    size_t len, at;
    int64_t t;
    uint8_t from_stage;
} HSrcItem;

typedef struct HSource {
    const Program *p;
    Alloc alloc;
    HStore *store, *stage; /* either may be NULL */
    int spool_fd;          /* >= 0: the stage's records are references into this file */
    uint64_t spool_len;    /* its bytes */
    char *buf;             /* the spool's records of one window, read */
    size_t buflen, bufcap;
    HTxn *store_txn, *stage_txn;
    int stage_reverses; /* 0: the stage records no reversal (none to look up) */
    VM prep;            /* computes the derived fields of history claims */
    /* the claim being checked */
    int has_key;
    const ArbStr *person, *claim_id;
    int64_t t;
    uint32_t seq;
    /* the claims read for the claim being checked: every one settled from
     * `from` on (at least a year and a day back), oldest first, with their
     * times; a shorter window is a run at its end */
    int fetched;
    int64_t from;
    Value *items;
    int64_t *times;
    uint32_t n;
    HSrcItem *recs; /* scratch: records of one window */
    size_t nrecs, caprecs;
    int failed;             /* the store could not be read */
    uint32_t reads;         /* windows read since the memory guard was looked at */
    const HMemGuard *guard; /* let the stores' pages go when it is over (NULL: never) */
} HSource;

/* 0, or -1 when out of memory. */
int hsrc_init(HSource *s, const Program *p, HStore *store, HStore *stage, Alloc a);
void hsrc_free(HSource *s);
/* Starts (or renews) read transactions: the latest commits become visible;
 * clears `failed`.  0, or -1 with a message in err (-2: out of memory). */
int hsrc_begin(HSource *s, char *err, size_t errcap);
/* Lets the read transactions go (between windows, so writers can reuse
 * pages); hsrc_begin renews them. */
void hsrc_end(HSource *s);
/* Ends the read transactions (a session between calls: its store may be
 * closed before the next). */
void hsrc_release(HSource *s);
/* The claim about to be checked, and its position in the batch (input
 * order; any value in single-claim checks). */
void hsrc_set_claim(HSource *s, const Value *claim, uint32_t seq);
/* Makes vm read history() from s. */
void hsrc_install(HSource *s, VM *vm);
/* The VM's history callback. */
const ArbList *hsrc_list(void *ud, int64_t dur, Arena *ar, int *oom);

#endif
