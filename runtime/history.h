/* history.h — per-person claim history, for `history(DURATION)` in rules.
 *
 * A batch that runs rules using history first reads every claim, then
 * builds a HistIndex: a copy of each claim's record, ordered by person_id,
 * then by as_of time (claim.settle_time), then by input order, so that the
 * history of a claim is a run of the records just before its own.
 * history(D) of the claim at position k is the run [j, k) of its person's
 * records whose as_of is at most D before its own (ties: earlier input
 * first) — an ArbList pointing into the index, oldest claim first.
 *
 * A claim without a person_id or an as_of has an empty history and is in no
 * other claim's history; nor are reversal records and the claims they
 * reverse (hist_reversal) anywhere in the batch.  The index is read-only once built, so any number
 * of threads may audit from it at once. */
#ifndef ARB_HISTORY_H
#define ARB_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "program.h"
#include "vm.h"

typedef struct HistIndex {
    Alloc alloc;
    Value *items;    /* n records of width values, in history order */
    uint32_t width;  /* values per claim record */
    uint32_t n;      /* claims */
    uint32_t *pos;   /* per claim in input order: its position in items */
    uint32_t *start; /* per position: the first position of its person's run */
    int64_t *t;      /* per position: as_of in seconds (ARB_NULL: missing) */
    uint8_t *out;    /* per position: 1 when in no history (a reversal, or a
                        claim the batch reverses); NULL when none is */
} HistIndex;

/* Builds the index over claims[0..n) (input order): copies the records.
 * Returns 0, or -1 when out of memory. */
int hist_build(HistIndex *h, const Program *p, Value *const *claims, size_t n, Alloc a);
/* hist_build in two steps, for several threads: the order (everything but
 * the copies), then the copies of claims[from..to) (input order), from
 * any thread, each claim once, before the index is read. */
int hist_build_order(HistIndex *h, const Program *p, Value *const *claims, size_t n, Alloc a);
void hist_copy(HistIndex *h, Value *const *claims, size_t from, size_t to);
void hist_free(HistIndex *h);

/* The index's copy of claim i (input order): audit this one, so that the
 * derived fields computed for it are seen by the claims whose history it is. */
static inline Value *hist_claim(const HistIndex *h, size_t i) {
    return h->items + (size_t)h->pos[i] * h->width;
}

/* Calendar periods: `history(calendar_year)` and its kin compile to these
 * durations, which no rolling duration can be (ARB_NULL is INT64_MIN; other
 * negative durations give an empty history).  The window is then the
 * calendar year, quarter or month holding the claim's as_of, from its first
 * day at 00:00:00. */
#define HIST_CAL_YEAR (INT64_MIN + 1)
#define HIST_CAL_QUARTER (INT64_MIN + 2)
#define HIST_CAL_MONTH (INT64_MIN + 3)

/* The window of history(dur) for a claim whose as_of is `now` (seconds
 * since the epoch, civil time): claims with as_of >= *from (and before the
 * claim) are in it.  dur is a span in seconds (the window reaches back that
 * far) or one of the HIST_CAL_* periods (it starts with the period holding
 * now).  Returns 0, or -1 when the history is empty (dur missing or another
 * negative value).  *from is INT64_MIN when the window has no lower bound
 * (it would overflow).  The one place that says what a window is: the
 * batch index and the history store both call it. */
int hist_window_from(int64_t now, int64_t dur, int64_t *from);

/* history(dur) of the claim at position pos: NULL when empty (or dur is
 * missing or negative), else a list allocated in ar.  Out of memory: NULL
 * and *oom set. */
const ArbList *hist_list(const HistIndex *h, uint32_t pos, int64_t dur, Arena *ar, int *oom);

/* For a caller holding a small batch in memory (explain, inline tests):
 * computes every claim's derived fields in the index (before any claim is
 * checked), then checks claim i (input order) with its history.  The VM's
 * history settings are restored afterwards.  0, or -1 when out of memory. */
int hist_prepare_all(const HistIndex *h, VM *vm, Arena *ar);
int hist_check_claim(const HistIndex *h, size_t i, VM *vm, unsigned phases, Arena *ar);

/* Reversals (docs/language.md, "History"): a claim record whose `status`
 * is `reversed` or whose `reversal_of` is set cancels a settled claim — the
 * one named by reversal_of, else its own claim_id.  Returns 1 and *target
 * (NULL when neither is there) for a reversal, 0 for any other record. */
typedef struct HistReversal {
    int32_t status, of, id; /* fields (-1: none) */
    int64_t reversed;       /* the status member `reversed` (-1: none) */
} HistReversal;
void hist_reversal_init(HistReversal *r, const Program *p);
int hist_reversal(const HistReversal *r, const Value *claim, const ArbStr **target);

/* Whether a rule of the program that runs in one of `phases` (a bit mask)
 * calls history() (has a HISTORY instruction). */
int hist_program_uses(const Program *p, unsigned phases);

#endif
