/* run.h — rules run over a claims file into a findings set, for `arbiter
 * test` and `arbiter diff`: the batch (arb_check_file) writes its findings
 * to a temporary file, which is read back (findings_set.h); the categories'
 * titles the runs name are kept for the reports.
 *
 * Not part of libarbiter's API: the CLI links it (arbiter_testing).
 * Nothing here prints: rejected records and rule failures go to the
 * caller's callbacks, errors come back as values with a message. */
#ifndef ARB_RUN_H
#define ARB_RUN_H

#include <stddef.h>

#include "arbiter.h"
#include "findings_set.h"

/* Category titles seen in the runs. */
typedef struct RunTitles {
    FsTitle *items;
    size_t n, cap;
} RunTitles;

/* Adds a category's title; a later run's title replaces an earlier one (in
 * a diff, the new rules name the categories).  Out of memory, the title is
 * left out. */
void run_titles_add(RunTitles *t, const char *name, const char *title);
void run_titles_free(RunTitles *t);

/* Makes an empty temporary file, $TMPDIR/arbiter-WHAT-XXXXXX (TMPDIR
 * unset or empty: /tmp), its path in buf; 0, or -1 with errno set. */
int run_temp_path(char *buf, size_t cap, const char *what);

/* How the claims are read and who hears of rejects and rule failures. */
typedef struct RunOptions {
    int threads;
    /* NULL / 0 for canonical UTF-8, the format by the file's extension */
    const char *encoding, *input_profile;
    int input_format;
    void (*on_reject)(void *ud, const arb_reject *r);
    void (*on_rule_error)(void *ud, const arb_rule_error *r);
    void *ud;
} RunOptions;

/* What run_claims returns. */
enum {
    RUN_OK = 0,
    RUN_REJECTED, /* records were rejected: the rest was audited and loaded */
    RUN_ERR_DATA, /* the claims cannot be read (or the batch failed) */
    RUN_ERR_IO    /* a temporary file, or the findings cannot be read back */
};

/* Runs e over the claims and loads the findings into *out; *loaded is 1
 * when they were loaded (RUN_OK, RUN_REJECTED).  Every outcome but RUN_OK
 * is described in *why ("FILE: N records rejected", the engine's message,
 * or why the findings could not be read); titles gets the runs' category
 * titles. */
int run_claims(arb_engine *e, const char *claims, const RunOptions *o, FindingSet *out,
               RunTitles *titles, int *loaded, FsBuf *why);

/* run_claims over claims given as JSON Lines text (an inline test's),
 * written to a temporary file ($TMPDIR/arbiter-test-XXXXXX) removed after;
 * RUN_ERR_IO, described in *why, when that file cannot be made or
 * written. */
int run_claims_text(arb_engine *e, const char *text, size_t len, const RunOptions *o,
                    FindingSet *out, RunTitles *titles, int *loaded, FsBuf *why);

#endif
