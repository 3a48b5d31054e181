/* expect.h — judging an inline test (`test "name" { claim {...} expect ...
 * }`, docs/language.md "Tests") by its expectations, for `arbiter test`:
 * which `expect flag` / `expect no flag` lines the findings of the test's
 * last claim break, with a report of what was expected and what was found.
 * Not part of libarbiter's API: the CLI links it (arbiter_testing); nothing
 * here prints. */
#ifndef ARB_EXPECT_H
#define ARB_EXPECT_H

#include <stddef.h>

#include "arbiter.h"
#include "findings_set.h"

/* Judges act, the findings of inline test i of e (tt as arb_test_get gives
 * it), by the test's expectations.  Each failed one is appended to report
 * ("  FILE:L:C: expected flag R on line N\n    found: ...; findings of
 * claim C: ...\n", at most max_examples other findings listed), the first
 * one, short, to first ("expected flag R ...", when first is empty).
 * exercised (may be NULL) is called with the rule of each `expect flag`
 * (for --coverage).  Returns the number of failed expectations. */
size_t expect_judge(const arb_engine *e, size_t i, const arb_test *tt, const FindingSet *act,
                    size_t max_examples, void (*exercised)(void *ud, const char *rule_id), void *ud,
                    FsBuf *report, FsBuf *first);

/* Whether finding f of claim claim_id meets expectation x (its rule, its
 * line when x names one, and its amount when x names one and with_amount). */
int expect_matches(const arb_test_expect *x, const FsFinding *f, const char *claim_id,
                   int with_amount);

/* Appends "flag R on line N amount A" (or "no flag ...") for x. */
void expect_describe(FsBuf *b, const arb_test_expect *x);
/* Appends "R on line N amount A" (or "R on the claim amount A") for f. */
void expect_describe_finding(FsBuf *b, const FsFinding *f);

#endif
