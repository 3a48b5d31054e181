/* golden.h — golden regression sets and rule coverage, for `arbiter test`:
 * a set is a directory holding claims (claims.jsonl, claims/claims.csv or
 * claims.csv) and expected.jsonl (findings as `arbiter check` writes them);
 * finding its files, loading and rewriting (--update) its expected
 * findings, comparing them with the findings the rules give now; and the
 * rules no inline test or golden set exercises (--coverage).
 *
 * Not part of libarbiter's API: the CLI links it (arbiter_testing); nothing
 * here prints. */
#ifndef ARB_GOLDEN_H
#define ARB_GOLDEN_H

#include <stddef.h>

#include "arbiter.h"
#include "findings_set.h"

/* The claims of a golden set, into buf: the first of claims.jsonl,
 * claims/claims.csv and claims.csv that is a file.  0, or -1 when none
 * is. */
int golden_find_claims(const char *dir, char *buf, size_t cap);

/* Loads a set's expected findings from path; when the file is absent and
 * update is set, the set is left empty.  0, or -1 with the reason in why
 * ("no PATH (run with --update to create it)" or the malformed line). */
int golden_load_expected(const char *path, int update, FindingSet *s, FsBuf *why);

/* Writes the set, sorted, to path (through PATH.tmp, renamed) when the file
 * does not hold exactly that already.  1 written, 0 unchanged, -1 with
 * errno set. */
int golden_write_expected(const char *path, FindingSet *s);

/* Compares a set's expected findings with the actual ones (both sorted in
 * place) and, when they differ, appends to report the heading ("golden
 * NAME: N differences") and fs_report's lines (at most max_examples examples
 * per rule).  Returns the number of differences, or -1 when out of
 * memory. */
long golden_compare(const char *name, FindingSet *expected, FindingSet *actual,
                    const FsTitle *titles, size_t ntitles, size_t max_examples, FsBuf *report);

/* The rule ids a run exercised, for --coverage. */
typedef struct GoldenRules {
    char **v;
    size_t n, cap;
} GoldenRules;

/* Notes that a test or set exercises rule (out of memory: left out). */
void golden_exercise(GoldenRules *r, const char *rule);
void golden_rules_free(GoldenRules *r);

/* Appends to missed a line per rule of e that r does not hold ("  FILE:L:C:
 * ID\n", or "  ID\n" when the rule has no place), in the engine's order,
 * and returns how many; r is sorted. */
size_t golden_coverage(const arb_engine *e, GoldenRules *r, FsBuf *missed);

#endif
