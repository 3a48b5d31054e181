/* sort.h — sorting the short arrays of one claim (its findings, its money
 * at risk): an insertion sort with the comparison inlined where the caller's
 * function is known, qsort above a handful of items.  Header only. */
#ifndef ARB_SORT_H
#define ARB_SORT_H

#include <stdlib.h>
#include <string.h>

/* Up to this many items the insertion sort runs; above, qsort. */
#define SORT_SMALL 16
/* The largest item sort_short handles (the callers' keys are 24 bytes). */
#define SORT_ITEM_MAX 64

/* Sorts base[0..n) of size-byte items (size <= SORT_ITEM_MAX) by cmp.  For
 * n <= SORT_SMALL the sort is stable and calls no function per comparison
 * once inlined; callers whose order must not depend on n make cmp a total
 * order (ties broken by position). */
static inline void sort_short(void *base, size_t n, size_t size,
                              int (*cmp)(const void *, const void *)) {
    if (n > SORT_SMALL || size > SORT_ITEM_MAX) {
        qsort(base, n, size, cmp);
        return;
    }
    char *b = base, x[SORT_ITEM_MAX];
    for (size_t a = 1; a < n; a++) {
        memcpy(x, b + a * size, size);
        size_t k = a;
        for (; k > 0 && cmp(b + (k - 1) * size, x) > 0; k--)
            memcpy(b + k * size, b + (k - 1) * size, size);
        memcpy(b + k * size, x, size);
    }
}

#endif
