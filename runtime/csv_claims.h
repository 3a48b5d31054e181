/* csv_claims.h — claims as CSV: claims.csv plus one child file per list
 * field of the claim, named after the field (lines.csv, diagnoses.csv,
 * procedures.csv), in the same directory, joined on the claim's key column
 * (claim_id).  Columns map to fields by the header's names; unknown columns
 * and derived fields are never read (csvc_get_ex counts or rejects them), a
 * missing child file means no children. */
#ifndef ARB_CSV_CLAIMS_H
#define ARB_CSV_CLAIMS_H

#include "input_notes.h"
#include "schema.h"
#include "strmap.h"

/* Problems of one claim (its row and its child rows) named in its message. */
#define CSVC_MAX_ERRORS 5

typedef struct CsvClaims CsvClaims; /* read-only after open: csvc_get may run on several threads */

/* The longest cell a claim may have, in bytes (0: CSVC_MAX_FIELD, 1 MiB):
 * a longer one rejects its claim, naming the column. */
#define CSVC_MAX_FIELD ((size_t)1 << 20)
void csvc_set_max_field(CsvClaims *c, size_t bytes);

/* Reads the files and indexes the child rows by claim.  -1 when a file
 * cannot be read or a header lacks the join column (errbuf says which). */
int csvc_open(CsvClaims **out, const RecordType *claim_type, const char *claims_path, Alloc a,
              char *errbuf, size_t errcap);
/* csvc_open for files in encoding enc (transcode.h: TC_UTF8, TC_GB18030),
 * converted to UTF-8 as read.  Either way a row with a byte that cannot be
 * decoded (invalid UTF-8, or not GB18030) rejects its claim, the message
 * naming its line, column (in bytes of the file) and offset in the file;
 * in the header it fails the open. */
int csvc_open_ex(CsvClaims **out, const RecordType *claim_type, const char *claims_path, int enc,
                 Alloc a, char *errbuf, size_t errcap);
/* csvc_open_ex that reads the files a window at a time (csvc_load), in
 * memory flat in their size, when it can: after a first pass over them
 * (the join column only) has found every claim_id once in claims.csv, and
 * each child file's rows grouped by claim in claims.csv's order (a claim's
 * rows together; claims without rows may be left out).  When the files are
 * not so, they are read whole as csvc_open_ex reads them (the same
 * answers: orphans, duplicates, rows of a claim anywhere in the file) if
 * they hold at most whole_limit bytes (0: CSVC_WHOLE_LIMIT); bigger, the
 * open fails, saying why and how to sort them.  Offsets in the files are
 * 64-bit. */
#define CSVC_WHOLE_LIMIT ((uint64_t)256 << 20)
int csvc_open_stream(CsvClaims **out, const RecordType *claim_type, const char *claims_path,
                     int enc, uint64_t whole_limit, Alloc a, char *errbuf, size_t errcap);
/* csvc_open_stream whose offsets in the text and the files start at
 * text_base, not 0, as if that many bytes came before (tests: offsets past
 * 4 GiB without 4 GiB of files; messages then name those offsets). */
int csvc_open_stream_at(CsvClaims **out, const RecordType *claim_type, const char *claims_path,
                        int enc, uint64_t whole_limit, uint64_t text_base, Alloc a, char *errbuf,
                        size_t errcap);
/* Reads claims from..to (to at most csvc_count) for csvc_get and csvc_raw,
 * which then answer for those claims only; windows are asked for in order,
 * each from where the last ended, and those before it are forgotten.  A
 * no-op on files read whole.  -1 on an error (errbuf says which: the files
 * could not be read, or changed since the first pass). */
int csvc_load(CsvClaims *c, size_t from, size_t to, char *errbuf, size_t errcap);
/* 1 when c reads its files a window at a time. */
int csvc_streamed(const CsvClaims *c);
/* A CSV file held in memory: its name and text. */
typedef struct CsvcText {
    const char *name; /* claims.csv's path in messages; a child's list field ("lines") */
    const char *text;
    size_t len;
} CsvcText;
/* csvc_open over texts held in memory (copied): claims.csv's, and the child
 * files' (at most 8), each named by the claim's list field it fills; a list
 * field with none has no children.  Child files are named NAME.csv beside
 * claims->name in messages. */
int csvc_open_mem(CsvClaims **out, const RecordType *claim_type, const CsvcText *claims,
                  const CsvcText *children, size_t nchildren, Alloc a, char *errbuf, size_t errcap);
void csvc_free(CsvClaims *c);
/* Bytes read from all the files (as they are in the files). */
uint64_t csvc_bytes(const CsvClaims *c);
/* Records in claims.csv (malformed ones included). */
size_t csvc_count(const CsvClaims *c);
/* Builds claim i into ar (read whole, or in the window loaded); with `strings` (text -> ArbStr,
 * which the strings of ar outlive), a code or text equal to one read before is shared, not copied
 * (for claims kept a whole batch long).  On a problem in the claim row or any of its child rows
 * returns -1 with the message (up to CSVC_MAX_ERRORS problems, those of rows after the first bad
 * one prefixed with their file and line), and the file and 1-based line of the first bad row: the
 * whole claim is rejected. */
int csvc_get(const CsvClaims *c, size_t i, Arena *ar, StrMap *strings, const Value **out,
             char *errbuf, size_t errcap, const char **err_file, uint64_t *err_line);
/* csvc_get, counting the header columns read as no field (unknown names,
 * derived fields) in notes (may be NULL) for the claim's rows, or with
 * strict rejecting the claim for them. */
int csvc_get_ex(const CsvClaims *c, size_t i, Arena *ar, StrMap *strings, InputNotes *notes,
                int strict, const Value **out, char *errbuf, size_t errcap, const char **err_file,
                uint64_t *err_line);
/* The raw text of claim i's row (for the reject file). */
void csvc_raw(const CsvClaims *c, size_t i, const char **p, size_t *n);
/* Child rows that belong to no claim (or whose claim id cannot be read):
 * each is a rejected record of its own. */
size_t csvc_orphan_count(const CsvClaims *c);
void csvc_orphan(const CsvClaims *c, size_t k, const char **file, uint64_t *line,
                 const char **message);

#endif
