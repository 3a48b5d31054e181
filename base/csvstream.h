/* csvstream.h — a CSV file's text, decoded to UTF-8, read whole or a
 * piece at a time.
 *
 * A CStream holds a text (UTF-8, NUL after it) and the bytes of the file
 * that could not be decoded ("spots": the first of each line).  Read whole,
 * the caller puts the file's text in it and cstream_decode_whole makes it
 * UTF-8.  Streamed (cstream_open), the file is read `piece` bytes at a
 * time; each piece is cut after its last line end (a character of UTF-8 or
 * GB18030 never holds the byte '\n', nor a line end's '\r'), decoded
 * (UTF-8 validated, GB18030 converted) and appended to the text, which
 * keeps the text from tbase on: offsets are in the whole text (64-bit: a
 * file may pass 4 GiB), text[0] being offset tbase.  cstream_read reads
 * the record at the stream's position with csv_skim, reading on when the
 * record is cut; cstream_take passes it; cstream_compact drops the text
 * before the position.  Nothing is printed: a failure is -1 with the
 * stream's `error` (and errno's value in `errnum`) for the caller to word. */
#ifndef ARB_CSVSTREAM_H
#define ARB_CSVSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"
#include "mem.h"
#include "transcode.h"

/* The bytes read at a time. */
#define CSTREAM_PIECE ((size_t)1 << 20)
/* A record longer than this (an unterminated quote swallowing the file) is
 * refused (cstream_read: -2). */
#define CSTREAM_MAX_RECORD ((size_t)64 << 20)

/* CStream.error: why the last call failed. */
enum { CSTREAM_NOMEM = 1, CSTREAM_EREAD, CSTREAM_ECONVERT };

/* A byte that is not of the file's encoding (invalid UTF-8, or not
 * GB18030): the first of its line. */
typedef struct CsSpot {
    uint64_t off;      /* in the whole text (converted: its U+FFFD) */
    uint64_t file_off; /* in the file (plus the base given to cstream_open) */
    uint64_t line;     /* the file's */
    size_t col;        /* in bytes of the file's line */
} CsSpot;

/* One record read from a stream (not yet passed: cstream_take passes it). */
typedef struct CsRec {
    int rc;              /* 1, or -1 malformed (err says why) */
    uint64_t pos;        /* where the read began (the blank lines before the record included) */
    uint64_t start, end; /* the record in the whole text, the blank lines before it left out */
    uint64_t line;       /* the file's line of its first byte */
    uint64_t next_line;  /* the file's line at end */
    const char *err;
    CsvField cell;  /* the column asked for (valid until the stream reads on) */
    size_t nfields; /* its cells */
    int32_t bad;    /* index in spots of its first undecodable byte, or -1 */
} CsRec;

typedef struct CStream {
    Alloc alloc;
    int enc; /* TC_UTF8, TC_GB18030 */
    /* the text: text[0..len) is the whole text's tbase..tbase + len */
    char *text;
    size_t len, cap; /* cap: bytes allocated */
    uint64_t tbase;
    CsSpot *spots; /* in order, the first of each line */
    size_t nspots, capspots;
    uint64_t bytes; /* of the file (streamed: set by cstream_open) */
    /* streamed */
    size_t piece, max_record; /* CSTREAM_PIECE, CSTREAM_MAX_RECORD unless changed */
    int prepass;              /* set by the caller: UTF-8 is not checked (no spots) */
    int error, errnum;        /* the last failure: CSTREAM_*, errno's value */
    int open;
    FILE *f;
    Transcoder tc; /* GB18030 */
    int tc_open;
    TcText tt; /* a decoded piece */
    char *raw; /* read but not decoded: a line cut by the piece */
    size_t nraw, capraw;
    uint64_t raw_off;  /* where raw[0] is in the file (plus the base) */
    uint64_t text_end; /* offset in the whole text of the end of text */
    int eof;
    uint64_t pos;  /* the next record, in the whole text */
    uint64_t line; /* the file's line at pos */
    size_t spot;   /* first spot at pos or after (cstream_read's) */
    CsvReader r;
} CStream;

/* An empty stream of text in enc. */
void cstream_init(CStream *s, Alloc a, int enc);
/* Frees everything: the file's state, the text and the spots. */
void cstream_free(CStream *s);
/* Closes the file (the text and spots are kept). */
void cstream_close(CStream *s);

/* Adds an undecodable byte, unless the last one is on the same line.  0,
 * or -1 when out of memory. */
int cstream_spot_add(CStream *s, uint64_t off, uint64_t file_off, uint64_t line, size_t col);
/* Makes the text (the whole file's, text[len] allocated, cap its size)
 * UTF-8, as tc_decode_whole does, its undecodable bytes added as spots; cap
 * becomes len + 1.  0; -1 when iconv cannot open the conversion (errno
 * says why); -2 when out of memory. */
int cstream_decode_whole(CStream *s);

/* Opens path for streaming (again: what was read is dropped), its text
 * starting at offset base of the whole text (a file's offsets in spots are
 * plus base too), nothing read yet.  0, or -1 (error: CSTREAM_NOMEM,
 * CSTREAM_EREAD when it cannot be opened, CSTREAM_ECONVERT when iconv
 * cannot convert from enc). */
int cstream_open(CStream *s, const char *path, uint64_t base);
/* Reads and decodes one more piece: 1, 0 at the end of the file, -1 on an
 * error (CSTREAM_EREAD, CSTREAM_NOMEM). */
int cstream_fill(CStream *s);
/* Reads the record at the stream's position (csv_skim of column col),
 * reading on as needed: 1, 0 at the end, -1 on an error (as
 * cstream_fill's), -2 when the record is longer than max_record. */
int cstream_read(CStream *s, size_t col, CsRec *rec);
/* Passes the record cstream_read read. */
void cstream_take(CStream *s, const CsRec *rec);
/* Drops the text before the stream's position (records read before are no
 * longer valid) and the spots in it. */
void cstream_compact(CStream *s);

#endif
