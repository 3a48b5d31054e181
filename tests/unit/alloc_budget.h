/* alloc_budget.h — for unit tests of out-of-memory paths: an allocator that
 * fails once a given number of allocations has been made. */
#ifndef ARB_TEST_ALLOC_BUDGET_H
#define ARB_TEST_ALLOC_BUDGET_H

#include "mem.h"

typedef struct Budget {
    int left; /* allocations that still succeed */
} Budget;

/* An arb_alloc_fn; ud is a Budget.  Frees always succeed. */
static inline void *budget_alloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
    Budget *b = ud;
    if (new_size && b->left-- <= 0) return NULL;
    return mem_default_alloc(NULL, ptr, old_size, new_size);
}

#endif
