/* itest.h — inline tests: checks `test "name" { claim {...} expect ... }`
 * declarations against the schema and the rules, and turns each into an
 * InlineTest of the program (its claims as JSON Lines with the defaults
 * filled in, and its expectations).  Errors are diagnostics with spans. */
#ifndef ARB_ITEST_H
#define ARB_ITEST_H

#include "ast.h"
#include "diag.h"
#include "program.h"
#include "strmap.h"

/* Checks the TEST declarations among decls[0..n) and stores them in
 * p->tests (allocated in p->ar).  rule_ids maps every declared rule id
 * (compiled or not) to its declaration; p->rules[0..p->nrules) are the
 * rules compiled so far.  Sets *oom when out of memory. */
void itest_build(Program *p, Alloc a, DiagList *diags, Node *const *decls, size_t n,
                 const StrMap *rule_ids, int *oom);

/* The default settle_time of a test claim, and the like (docs/language.md,
 * "Tests"). */
#define ITEST_SETTLE_TIME "2025-06-30T12:00:00"

#endif
