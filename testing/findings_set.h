/* findings_set.h — findings files held in memory, for `arbiter test` and
 * `arbiter diff`: loading a findings JSON Lines file (the flat format that
 * `arbiter check` writes), comparing two sets of findings regardless of
 * order, a readable report of the differences grouped by category and rule,
 * writing a set back as sorted JSON Lines, and JUnit XML.
 *
 * Not part of libarbiter's API: the CLI links it (arbiter_testing).  Free of
 * CLI and library dependencies (only the C library), so that unit tests can
 * compile it in.  Money is int64 cents, parsed exactly from the
 * decimal text; never floating point. */
#ifndef ARB_FINDINGS_SET_H
#define ARB_FINDINGS_SET_H

#include <stddef.h>
#include <stdint.h>

/* A growable text buffer.  On allocation failure `oom` is set and further
 * appends are dropped. */
typedef struct FsBuf {
    char *p;
    size_t len, cap;
    int oom;
} FsBuf;

void fsb_init(FsBuf *b);
void fsb_free(FsBuf *b);
void fsb_put(FsBuf *b, const char *s, size_t n);
void fsb_puts(FsBuf *b, const char *s);
void fsb_printf(FsBuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* One finding.  The strings live in `store`, owned by the finding. */
typedef struct FsFinding {
    const char *claim_id, *rule, *category, *category_code, *severity, *nature, *message;
    int64_t points;
    int64_t line_no; /* -1: null (the claim is flagged, not a line) */
    int64_t amount;  /* cents */
    /* "evidence": the JSON array of the earlier claims that made the
     * finding, as written ({"claim_id":..,"settle_time":..} objects); ""
     * when the finding has none */
    const char *evidence;
    /* "also_matched": the JSON array of the keys of the other table rows
     * that matched the flagged line, as written; "" when none */
    const char *also_matched;
    char *store;
} FsFinding;

typedef struct FindingSet {
    FsFinding *items;
    size_t n, cap;
} FindingSet;

void fs_init(FindingSet *s);
void fs_free(FindingSet *s);

/* Parses one JSON object (one line of a findings file) into *f.  Returns 0,
 * or -1 with the reason in err and the 0-based byte offset of the fault in
 * *col. */
int fs_parse_line(const char *p, size_t n, FsFinding *f, size_t *col, char *err, size_t cap);

/* Parses findings JSON Lines held in memory; blank lines are skipped.  On a
 * malformed line returns -1 with "NAME:LINE: column C: reason" in err. */
int fs_load_text(FindingSet *s, const char *name, const char *text, size_t len, char *err,
                 size_t cap);
/* Reads and parses a findings file.  Returns 0, -1 for a malformed line
 * (message as above) or -2 when the file cannot be read. */
int fs_load(FindingSet *s, const char *path, char *err, size_t cap);

/* Sorts a set: claim_id, rule, line_no, message, then every other field. */
void fs_sort(FindingSet *s);
/* Appends the set as JSON Lines, in the same format as `arbiter check`. */
void fs_write_jsonl(FsBuf *b, const FindingSet *s);

/* ------------------------------------------------------------- comparison */

enum { FS_ADDED, FS_REMOVED, FS_CHANGED };

/* One difference: a finding raised only in the actual set (ADDED), only in
 * the expected set (REMOVED), or in both with other contents (CHANGED). */
typedef struct FsChange {
    int kind;
    const FsFinding *expected; /* NULL for ADDED */
    const FsFinding *actual;   /* NULL for REMOVED */
} FsChange;

typedef struct FsDiff {
    FsChange *items;
    size_t n, cap;
    size_t added, removed, changed;
} FsDiff;

/* Compares two sets regardless of order (both are sorted in place).  A
 * finding is identified by claim_id + rule + line_no; findings sharing a key
 * are paired by equal message first, then in sorted order.  Paired findings
 * differing in amount, severity, message, category, nature, points,
 * evidence or also_matched are CHANGED.  The differences come sorted by
 * category, rule, kind, claim and line.  Returns 0, or -1 when out of memory (d is then empty).
 * Free with fs_diff_free. */
int fs_compare(FindingSet *expected, FindingSet *actual, FsDiff *d);
void fs_diff_free(FsDiff *d);

/* A category's title, shown next to its name in reports. */
typedef struct FsTitle {
    const char *name, *title;
} FsTitle;

/* Appends the report of d: per category and rule, the counts and money of
 * findings newly raised, no longer raised and changed, and at most
 * max_examples example findings per rule.  Lines are indented by two
 * spaces; the caller writes the heading. */
void fs_report(FsBuf *b, const FsDiff *d, const FsTitle *titles, size_t ntitles,
               size_t max_examples);

/* Writes cents as "-12.50". */
void fs_money(int64_t cents, char *buf, size_t cap);
/* a + b and a - b, held at the int64 range instead of overflowing (sums of
 * amounts read from files). */
int64_t fs_money_add(int64_t a, int64_t b);
int64_t fs_money_sub(int64_t a, int64_t b);
/* Parses "12.50", "-3", "0.5" into cents exactly; -1 when not such a number. */
int fs_parse_money(const char *s, size_t n, int64_t *cents);

/* ------------------------------------------------------------------ JUnit */

enum { FS_CASE_PASSED, FS_CASE_FAILED, FS_CASE_ERROR };

typedef struct FsCase {
    const char *name;      /* e.g. "golden examples/golden" */
    const char *classname; /* e.g. "golden" */
    int status;            /* FS_CASE_* */
    const char *message;   /* short reason for a failure or error */
    const char *text;      /* the report, or NULL */
    double seconds;
} FsCase;

/* Appends s with XML's special characters escaped; control characters XML
 * cannot hold and invalid UTF-8 become U+FFFD. */
void fs_xml_escape(FsBuf *b, const char *s);
/* Appends a JUnit XML document: one testsuite named `suite` holding cases. */
void fs_junit(FsBuf *b, const char *suite, const FsCase *cases, size_t n);

#endif
