/* report_cfg.h — the report configuration of a rule library (`report {
 * ... }`, docs/language.md): the worklist levels and indicators it may
 * name, and the evaluation of worklist routes (arb_report_route_level in
 * arbiter.h; the checker's coverage test uses the three-valued form). */
#ifndef ARB_REPORT_CFG_H
#define ARB_REPORT_CFG_H

#include <stddef.h>

#include "arbiter.h"

enum { RCFG_LEVELS = 3, RCFG_INDICATORS = 5 };

/* The worklist levels' names, by ARB_WORKLIST_* (科室自查, 医保办复核,
 * 督办). */
extern const char *const rcfg_level_names[RCFG_LEVELS];
/* The indicators' keys (findings_per_1000_claims, ...) and the names the
 * report shows (每千单违规数, ...), in the report's default order. */
extern const char *const rcfg_indicator_keys[RCFG_INDICATORS];
extern const char *const rcfg_indicator_names[RCFG_INDICATORS];

/* Index of s in names[0..n), or -1. */
int rcfg_index(const char *const *names, int n, const char *s, size_t len);

/* A route's condition cond[0..n) for a finding: 1 holds, 0 does not, 2
 * unknown (a category test when category is NULL: "any category"); -1
 * when the postfix sequence is malformed. */
int rcfg_eval(const arb_report_test *cond, size_t n, const char *severity, const char *nature,
              const char *tier, const char *category);

#endif
