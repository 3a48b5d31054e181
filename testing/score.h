/* score.h — findings scored against the truth of labelled claims, for
 * `arbiter score`: the keys (claim_id, line_no, category) read from two JSON
 * Lines files (arbiter check's findings, the truth `arbiter gen claims
 * --library` writes), matched, and counted per category (truth, found,
 * false positives), with recall and precision as text.
 *
 * Not part of libarbiter's API: the CLI links it (arbiter_testing); nothing
 * here prints.  Only the C library and base/i18n.h. */
#ifndef ARB_SCORE_H
#define ARB_SCORE_H

#include <stddef.h>
#include <stdint.h>

/* One key: a finding or a truth line. */
typedef struct ScoreKey {
    char *claim;
    long long line; /* -1: claim level */
    int cat;        /* index into the category names */
} ScoreKey;

/* A file's keys, sorted and without duplicates once read. */
typedef struct ScoreKeys {
    ScoreKey *v;
    size_t n, cap;
} ScoreKeys;

/* The category names met in the files, in the order first met. */
typedef struct ScoreNames {
    char **v;
    size_t n, cap;
} ScoreNames;

/* What score_read_keys returns. */
enum {
    SCORE_OK = 0,
    SCORE_ERR_OPEN, /* the file cannot be opened (errno says why) */
    SCORE_ERR_READ, /* a read error */
    SCORE_ERR_DATA, /* a malformed line: err holds "FILE:L:C: error: ...\n" */
    SCORE_ERR_NOMEM /* out of memory */
};

/* Reads (claim_id, line_no, category) from every line of a JSON Lines file
 * into ks (sorted, duplicates dropped), naming categories in names.  Blank
 * lines are skipped.  Returns SCORE_OK or one of SCORE_ERR_*; for
 * SCORE_ERR_DATA the message, translated, is in err. */
int score_read_keys(const char *path, ScoreKeys *ks, ScoreNames *names, char *err, size_t cap);
void score_keys_free(ScoreKeys *ks);
void score_names_free(ScoreNames *names);

/* One category's counts. */
typedef struct ScoreCount {
    uint64_t truth, found, false_pos; /* found: truth keys matched */
} ScoreCount;

/* Matches found against truth (both read by score_read_keys with the same
 * names) and fills counts[0..names->n) per category; order[0..names->n)
 * gets the categories in name order. */
void score_tally(const ScoreKeys *found, const ScoreKeys *truth, const ScoreNames *names,
                 ScoreCount *counts, size_t *order);

/* a / b as a percentage with one decimal ("83.3%"; "-" when b is 0). */
void score_pct(uint64_t a, uint64_t b, char *buf, size_t cap);

/* Whether a category's recall is below min_ppm millionths (never when it
 * has no truth lines). */
int score_below(const ScoreCount *c, uint32_t min_ppm);

#endif
