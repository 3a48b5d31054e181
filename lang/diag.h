/* diag.h — diagnostics: errors and warnings with a source span, kept as
 * values on the engine and rendered (file:line:col, source line, caret) only
 * when someone asks for the text. */
#ifndef ARB_DIAG_H
#define ARB_DIAG_H

#include <stdint.h>

#include "strbuf.h"

typedef struct Source {
    char *path; /* as given, for messages */
    char *text; /* NUL-terminated contents, UTF-8 (converted when the file is not) */
    size_t len;
    uint32_t skipped; /* bytes of the file before text: a byte-order mark (3), or 0 */
} Source;

enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

typedef struct Diag {
    uint8_t severity;
    int32_t file;      /* index into the source list, -1 when none */
    uint32_t off, len; /* byte span in that source */
    char *msg;
} Diag;

typedef struct DiagList {
    Alloc alloc;
    Diag *items;
    size_t n, cap;
    size_t errors;
} DiagList;

void diag_init(DiagList *d, Alloc a);
void diag_free(DiagList *d);
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
void diag_add(DiagList *d, int severity, int32_t file, uint32_t off, uint32_t len, const char *fmt,
              ...);

/* Terminal columns the UTF-8 text s[0..n) takes: East Asian wide characters
 * (CJK) count two, a byte of invalid UTF-8 one. */
uint32_t diag_text_width(const char *s, size_t n);

/* 1-based line and column (in characters) of a byte offset. */
void diag_line_col(const Source *src, uint32_t off, uint32_t *line, uint32_t *col);

/* Appends "path:line:col: error: message\n<source line>\n<caret>\n" to out. */
void diag_render(const Source *sources, size_t nsources, const Diag *d, StrBuf *out);

/* Edit distance between two short strings, for "did you mean" hints
 * (99 when either is longer than 40 bytes). */
unsigned diag_edit_distance(const char *a, size_t na, const char *b, size_t nb);

#endif
