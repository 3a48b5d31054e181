/* impact.h — the impact of a rule change, for `arbiter diff`: the report of
 * the findings the new rules raise, no longer raise and change over the same
 * claims, by category and rule, and a summary line (findings, claims
 * affected, money at risk before and after).  Not part of libarbiter's API:
 * the CLI links it (arbiter_testing); nothing here prints. */
#ifndef ARB_IMPACT_H
#define ARB_IMPACT_H

#include <stddef.h>
#include <stdint.h>

#include "findings_set.h"

/* Appends to b the heading ("diff OLD -> NEW: N differences"), the report of
 * the differences between old_set and new_set (fs_report: at most
 * max_examples examples per rule, categories named with titles) and the
 * summary line.  Both sets are sorted.  Returns the number of differences,
 * or -1 when out of memory (nothing appended). */
long impact_report(FsBuf *b, const char *old_name, const char *new_name, FindingSet *old_set,
                   FindingSet *new_set, const FsTitle *titles, size_t ntitles, size_t max_examples);

/* Writes cents with thousands separators, for summaries: "-11,092.20". */
void impact_money(int64_t cents, char *buf, size_t cap);

#endif
