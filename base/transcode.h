/* transcode.h — text in another encoding to UTF-8, through iconv.
 *
 * The encodings are UTF-8 (nothing to convert: readers validate it) and
 * GB18030, which covers GBK and GB2312 (their names are aliases of it).
 * Conversion goes on past a byte that cannot be decoded: it becomes U+FFFD
 * in the output and is listed with its position in the input (offset, line
 * and column), so a reader can reject the record holding it, by the
 * original file's line, and read the rest.  Line ends are kept as they are,
 * so the output has the input's line numbers. */
#ifndef ARB_TRANSCODE_H
#define ARB_TRANSCODE_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

enum { TC_UTF8 = 0, TC_GB18030 = 1 };

/* The encoding a name stands for (any case): "utf-8" or "utf8" is TC_UTF8;
 * "gb18030", "gbk", "gb2312" and "cp936" are TC_GB18030; -1 otherwise. */
int tc_encoding(const char *name);
/* Its name in messages: "UTF-8", "GB18030". */
const char *tc_encoding_name(int enc);

/* A byte that could not be decoded. */
typedef struct TcBad {
    size_t in_off;  /* in the input (plus the base given to tc_convert) */
    size_t out_off; /* of the U+FFFD standing for it in the output */
    uint64_t line;  /* 1-based, counted from the input's start */
    size_t col;     /* 1-based, in bytes of the input's line */
} TcBad;

/* Converted text (NUL-terminated) and the bytes that could not be. */
typedef struct TcText {
    Alloc alloc;
    char *p;
    size_t len, cap;
    TcBad *bad;
    size_t nbad, capbad;
} TcText;

void tc_text_init(TcText *t, Alloc a);
/* Empties it, keeping its memory. */
void tc_text_clear(TcText *t);
void tc_text_free(TcText *t);

/* A converter from one encoding to UTF-8; one per thread. */
typedef struct Transcoder {
    void *cd; /* iconv_t */
    int enc;
} Transcoder;

/* Opens a converter for enc (not TC_UTF8).  0, or -1 when iconv cannot
 * (errno says why). */
int tc_open(Transcoder *t, int enc);
void tc_close(Transcoder *t);

/* Converts in[0..n), complete characters only (whole lines, a whole file):
 * a sequence cut by the end is undecodable.  The UTF-8 is appended to out,
 * each undecodable byte as U+FFFD, listed in out->bad with in_off = base +
 * its offset in `in`, and its line and column within `in`.  0, or -1 when
 * out of memory. */
int tc_convert(Transcoder *t, const char *in, size_t n, size_t base, TcText *out);

/* A whole file's text in enc made UTF-8: *text (*len bytes, allocated with
 * a as *len + 1, NUL-terminated) is converted in place, *text and *len
 * becoming the UTF-8's; for TC_UTF8 it stays as it is and is validated.
 * The bytes that cannot be decoded are listed in bad (the caller's, from
 * tc_text_init; its text is not used): for UTF-8 the first of each line,
 * for another encoding each, as tc_convert lists them (out_off in the new
 * text, in_off, line and col in the file).  0; -1 when iconv cannot open
 * the conversion (errno says why), the text left as it was; -2 when out
 * of memory. */
int tc_decode_whole(int enc, char **text, size_t *len, Alloc a, TcText *bad);

#endif
