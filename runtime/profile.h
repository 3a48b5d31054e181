/* profile.h — input profiles: how an outside format (the national 3101
 * request, a HIS export with Chinese headers) maps onto the claim schema.
 *
 * A Profile is declared in a rule file (`input NAME { ... }`,
 * docs/input.md), checked by the checker and kept in the Program (packs
 * carry it).  prof_new readies one for a claim schema; prof_read_json and
 * prof_csv_* then turn input into claim records, built straight from the
 * document's tree into the values the schema-directed reader
 * (json_reader.h) makes of the claim written in canonical form; what that
 * build does not take for sure is written as canonical JSON and read by
 * that reader (the slow way), so a claim read through a profile is exactly
 * the claim written in canonical form.  Problems name the input's field
 * path ("input.data.patient_dtos[0].fsi_encounter_dtos[1].fsi_order_dtos[2].cnt").
 *
 * JSON input is parsed into a tree of the profile's own (a request's
 * claims share its patient and envelope); what that parser does not take
 * goes to json-c, which allocates with malloc, not with the engine's
 * allocator, and frees every tree before a call returns. */
#ifndef ARB_PROFILE_H
#define ARB_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "input_notes.h"
#include "json_reader.h"
#include "mem.h"
#include "schema.h"
#include "strbuf.h"
#include "strmap.h"

enum { PROF_JSON = 1, PROF_CSV = 2 };

/* `dict NAME TYPE { "code" VALUE ... }`: codes of the input to values of
 * the field, as canonical text (an enum member's name, true/false, a
 * literal); to[k] NULL: the code means missing. */
typedef struct ProfDict {
    const char *name;
    uint32_t n;
    const char **from;
    const char **to;
} ProfDict;

/* One field of a record and where its value comes from. */
typedef struct ProfMap {
    uint32_t field;    /* in the record type */
    uint8_t position;  /* the record's 1-based position in its list */
    const char *path;  /* source path, or NULL */
    int32_t dict;      /* ProfDict index, or -1 */
    uint32_t nformats; /* date/datetime patterns (yyyy MM dd HH mm ss) */
    const char **formats;
    uint32_t nmissing; /* input values meaning missing (besides null and "") */
    const char **missing;
    const char *deflt; /* canonical text when the input gives no value, or NULL */
} ProfMap;

/* The claim ([0], list_field -1) or one of its lists. */
typedef struct ProfRecord {
    int32_t list_field;
    const char *path; /* a list's records, relative to the claim's source object */
    uint32_t nmaps;
    ProfMap *maps;
} ProfRecord;

typedef struct Profile {
    const char *name, *title;
    uint8_t format;     /* PROF_JSON or PROF_CSV */
    const char *claims; /* JSON: the path of the claims; CSV: the column grouping rows */
    uint32_t nignore;   /* input paths read as nothing, never counted */
    const char **ignore;
    uint32_t ndicts;
    ProfDict *dicts;
    uint32_t nrecords;
    ProfRecord *records;
} Profile;

/* Whether pattern is a date/datetime pattern prof understands (yyyy, MM,
 * dd, HH, mm, ss and literal characters; yyyy, MM and dd present). */
int prof_pattern_ok(const char *pattern);
/* Path syntax: `a.b[].c`, `$.a.b` (from the root); 0 when well formed. */
int prof_path_ok(const char *path);

typedef struct Prof Prof; /* a profile readied for a schema: immutable, shared by threads */

/* Readies profile pf for reading claims of type claim (the program's).
 * NULL when out of memory. */
Prof *prof_new(const Profile *pf, const RecordType *claim, Alloc a);
void prof_free(Prof *p);
const Profile *prof_profile(const Prof *p);

/* Scratch space of one thread. */
typedef struct ProfWork {
    Alloc alloc;
    StrBuf text;        /* a claim as canonical JSON */
    size_t (*marks)[2]; /* per value written: its offset in text, its path in paths */
    size_t nmarks, capmarks;
    StrBuf paths; /* NUL-terminated source paths */
    const Value **claims;
    size_t nclaims, capclaims;
    struct json_tokener *tok; /* JSON: json-c's parser, reused document to document */
    void *nodes;              /* the document being read as a tree (profile.c's PNode) */
    size_t nnodes, capnodes;
    char *strs; /* its strings */
    size_t nstrs, capstrs;
    Value *items; /* the direct build: a list's records so far */
    size_t capitems;
    int jsonc_only; /* for tests: every document read by json-c (the fallback) */
    int via_text;   /* for tests: every claim written as canonical JSON and read by the
                       schema's reader (the slow way), not built from the tree */
    uint64_t nslow; /* documents (CSV: claims) read again the slow way, for their
                       messages or for a value the direct build leaves to it */
} ProfWork;

void prof_work_init(ProfWork *w, Alloc a);
void prof_work_free(ProfWork *w);

/* Reads one JSON document p[0..n) (a 3101 request body) through profile p:
 * every claim it holds, built in ar, into w->claims / w->nclaims (0 claims
 * is no error).  o: strings shared, input fields no mapping reads counted
 * in o->notes (once for the document) or, with o->strict, errors.  Returns
 * 0; -1 with a message naming the field path (up to 5 problems) in errbuf
 * and the byte offset of the first in *err_off (the value's, when it can
 * be found); -2 when out of memory.  All or nothing: one bad claim rejects
 * the document. */
int prof_read_json(const Prof *p, ProfWork *w, const JsonReader *jr, const char *text, size_t n,
                   Arena *ar, const JsonrOptions *o, char *errbuf, size_t errcap, size_t *err_off);

/* CSV through a profile: one file, one row per line item; rows with the
 * same value in the grouping column are one claim (in the order of their
 * first row; the rows need not be next to each other).  Claim fields are
 * read from the group's first row; a list whose path is "rows[]" gets one
 * record per row of the group. */
typedef struct ProfCsv ProfCsv; /* read-only after open: shared by threads */

/* Opens the CSV file `path` in encoding enc (TC_UTF8 or TC_GB18030,
 * transcode.h).  UTF-8 is validated and GB18030 converted: a claim with an
 * undecodable byte in any of its rows is a rejected record (its message
 * says where the byte is), a header with one is an error. */
int prof_csv_open(ProfCsv **out, const Prof *p, const char *path, int enc, Alloc a, char *errbuf,
                  size_t errcap);
/* prof_csv_open that reads the file a window of claims at a time
 * (prof_csv_load), in memory flat in its size, when it can: after a first
 * pass (the grouping column only) has found the rows of each claim next to
 * each other (the usual export order; a row that belongs to no claim ends
 * the rows of the claim before it).  Otherwise the file is read whole as
 * prof_csv_open reads it (the same answers) if it holds at most
 * whole_limit bytes (0: PROF_CSV_WHOLE_LIMIT); bigger, the open fails,
 * naming the row out of place and saying how to sort the file.  Offsets
 * are 64-bit and start at text_base (0; tests: offsets past 4 GiB without
 * a file that big, messages then name those offsets). */
#define PROF_CSV_WHOLE_LIMIT ((uint64_t)256 << 20)
int prof_csv_open_stream(ProfCsv **out, const Prof *p, const char *path, int enc,
                         uint64_t whole_limit, uint64_t text_base, Alloc a, char *errbuf,
                         size_t errcap);
/* 1 when c reads its file a window at a time. */
int prof_csv_streamed(const ProfCsv *c);
/* Reads claims from..to (to at most prof_csv_count) for prof_csv_get and
 * prof_csv_raw, which then answer for those claims only (their texts valid
 * until the next load); windows are asked for in order, each from where
 * the last ended.  A no-op on a file read whole.  -1 on an error (errbuf
 * says which: the file could not be read, or changed since the first
 * pass). */
int prof_csv_load(ProfCsv *c, size_t from, size_t to, char *errbuf, size_t errcap);
void prof_csv_free(ProfCsv *c);
uint64_t prof_csv_bytes(const ProfCsv *c);
size_t prof_csv_count(const ProfCsv *c);
/* Builds claim i (into w->claims[0]); -1 with the message, the file and
 * the 1-based line of the (first) bad row; -2 when out of memory. */
int prof_csv_get(const ProfCsv *c, size_t i, ProfWork *w, const JsonReader *jr, Arena *ar,
                 const JsonrOptions *o, char *errbuf, size_t errcap, uint64_t *err_line);
/* The text of claim i's first row (for the reject file), and its line. */
void prof_csv_raw(const ProfCsv *c, size_t i, const char **p, size_t *n, uint64_t *line);

/* The profile named name among the program's, or NULL. */
struct Program;
const Profile *prof_find(const struct Program *prog, const char *name);

#endif
