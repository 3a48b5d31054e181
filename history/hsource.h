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
 * settled within D. */
#ifndef ARB_HSOURCE_H
#define ARB_HSOURCE_H

#include "hstore.h"
#include "vm.h"

typedef struct HSrcItem {
    const char *rec;
    size_t len;
    int64_t t;
    uint8_t from_stage;
} HSrcItem;

typedef struct HSource {
    const Program *p;
    Alloc alloc;
    HStore *store, *stage; /* either may be NULL */
    HTxn *store_txn, *stage_txn;
    VM prep; /* computes the derived fields of history claims */
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
