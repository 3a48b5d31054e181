/* csv.h — an RFC 4180 CSV tokenizer over an in-memory buffer, and the
 * writing of one cell.
 *
 * Fields may be quoted ("a,b", "say ""hi"""); quoted fields may span lines.
 * Line endings are \n or \r\n.  A UTF-8 byte-order mark at the start is
 * skipped.  Each record reports the 1-based line number where it starts, so
 * errors point at the right line even after multi-line fields. */
#ifndef ARB_CSV_H
#define ARB_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mem.h"

typedef struct CsvField {
    const char *ptr; /* points into the buffer, or into the reader's scratch
                        space when the field had doubled quotes */
    size_t len;
} CsvField;

typedef struct CsvReader {
    const char *buf, *end, *pos;
    uint64_t line; /* 1-based line number of the next record */
    Alloc alloc;
    CsvField *fields; /* fields of the current record */
    size_t nfields, cap_fields;
    char *scratch; /* unescaped quoted fields */
    size_t scratch_len, scratch_cap;
} CsvReader;

void csv_init(CsvReader *r, const char *buf, size_t len, Alloc a);
void csv_free(CsvReader *r);
/* Points the reader at another buffer, keeping its allocations. */
void csv_reset(CsvReader *r, const char *buf, size_t len);

/* Reads the next record into r->fields / r->nfields.
 * Returns 1 when a record was read, 0 at end of input, -1 on a malformed
 * record (an unterminated quote, or text after a closing quote); then *err is
 * set to a static message, *rec_line to the record's line, and the reader has
 * skipped to the next line so the caller can go on.  Blank lines are skipped. */
int csv_next(CsvReader *r, uint64_t *rec_line, const char **err);

/* csv_next for a record of which only the number of fields (*nfields)
 * and field col (*cell; empty when there is no such field) are wanted:
 * the same answers, and a record with no quote is not tokenized field by
 * field into r->fields (which are then left as they were). */
int csv_skim(CsvReader *r, size_t col, uint64_t *rec_line, const char **err, CsvField *cell,
             size_t *nfields);

/* Writes s to f as one CSV cell: as it is, or quoted (quotes doubled) when
 * it holds a comma, a quote or a line break. */
void csv_put_cell(FILE *f, const char *s);

#endif
