/* fuzz_common.h — what the fuzz targets share: the standard library
 * compiled once, a few fixed claims to run rules over, and a check that
 * aborts (a crash libFuzzer reports) with a message. */
#ifndef ARB_FUZZ_COMMON_H
#define ARB_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "arbiter.h"
#include "engine.h"

/* An engine with every rule file of stdlib-rules/ compiled (the schema as
 * its prelude); with no_rules, the schema alone.  Aborts on failure. */
arb_engine *fz_stdlib(int no_rules);

/* Claims (JSON objects of the canonical schema) for targets that run rules:
 * FZ_NCLAIMS of them, with lines, diagnoses and procedures. */
#define FZ_NCLAIMS 3
extern const char *const fz_claims[FZ_NCLAIMS];

/* Aborts with "fuzz check failed: MSG" when cond is false: the invariant a
 * target asserts (a round trip, a pack that must load). */
void fz_check(int cond, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A finding callback that reads every field of the finding (so that a bad
 * string or evidence pointer is caught where it is made). */
void fz_on_finding(void *ud, const arb_finding *f);

#endif
