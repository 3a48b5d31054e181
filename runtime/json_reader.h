/* json_reader.h — a schema-directed JSON parser for claims (JSON Lines).
 *
 * No document tree: the object's keys are looked up in the claim schema and
 * each value is parsed straight into the typed Value of its field (money
 * exactly, from the decimal text, never through a double).  Unknown keys are
 * skipped (counted, or rejected, with jsonr_parse_ex); derived fields are not
 * read; a key of a field given twice in one object, a NUL in a value
 * (\u0000 or a raw NUL) reject the record.  A record is rejected with a
 * message naming up to JSONR_MAX_ERRORS of its problems ("; " between them)
 * and the byte offset of the first. */
#ifndef ARB_JSON_READER_H
#define ARB_JSON_READER_H

#include "input_notes.h"
#include "schema.h"
#include "strmap.h"

/* Problems of one record named in its message; a malformed text stops the
 * parse at the first, wrong values do not. */
#define JSONR_MAX_ERRORS 5

typedef struct JsonReader JsonReader; /* immutable after creation: shared by threads */

/* Builds lookup tables for the claim record type and, recursively, the
 * record types of its list fields.  NULL when out of memory. */
JsonReader *jsonr_new(const RecordType *claim_type, Alloc a);
void jsonr_free(JsonReader *r);

/* Parses exactly one JSON object occupying p[0..n) (whitespace around it
 * allowed, nothing else) into a record allocated in ar.  Returns 0 and *out,
 * or -1 with a one-line message in errbuf and the byte offset of the
 * problem in *err_off; -2 when memory ran out (nothing need be wrong with
 * the record). */
int jsonr_parse(const JsonReader *r, const char *p, size_t n, Arena *ar, const Value **out,
                char *errbuf, size_t errcap, size_t *err_off);

/* jsonr_parse, with the codes and texts shared through `strings` (text ->
 * ArbStr; the strings of ar outlive it): a string equal to one read before
 * is not copied again.  For records kept a whole batch long. */
int jsonr_parse_shared(const JsonReader *r, const char *p, size_t n, Arena *ar, StrMap *strings,
                       const Value **out, char *errbuf, size_t errcap, size_t *err_off);

/* How jsonr_parse_ex reads. */
typedef struct JsonrOptions {
    StrMap *strings;   /* as for jsonr_parse_shared, or NULL */
    InputNotes *notes; /* keys read as no field (unknown, or derived) are counted here, or NULL */
    int strict;        /* such keys are errors of the record, at the key */
    uint64_t base;     /* where the text starts in its file: a byte of invalid UTF-8 is named
                          by its offset in the file, base + its offset in the text */
    size_t max_field;  /* bytes of one string value at most (longer: the record is
                          rejected); 0: JSONR_MAX_FIELD */
    int no_hash;       /* strings get no hash (0): for claims that are only encoded and
                          stored (history add), never compared or looked up; with
                          strings NULL */
} JsonrOptions;

/* The default limit on one string value: no field of a real claim comes
 * near it, and a record holding one is rejected rather than held. */
#define JSONR_MAX_FIELD ((size_t)1 << 20)

/* jsonr_parse with options (o may be NULL). */
int jsonr_parse_ex(const JsonReader *r, const char *p, size_t n, Arena *ar, const JsonrOptions *o,
                   const Value **out, char *errbuf, size_t errcap, size_t *err_off);

/* jsonr_parse_ex without its fast paths for common values (dates and
 * datetimes written in full, plain money amounts and integers, enum
 * spellings): the reading they must give, byte for byte (values, messages,
 * offsets), for tests and fuzzing. */
int jsonr_parse_reference(const JsonReader *r, const char *p, size_t n, Arena *ar,
                          const JsonrOptions *o, const Value **out, char *errbuf, size_t errcap,
                          size_t *err_off);

#endif
