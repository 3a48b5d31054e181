/* strbuf.h — a growable byte string allocated through the Alloc hook. */
#ifndef ARB_STRBUF_H
#define ARB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "mem.h"

typedef struct StrBuf {
    Alloc alloc;
    char *p;
    size_t len, cap;
    int oom; /* set once an allocation failed; later appends do nothing (until sb_clear) */
} StrBuf;

void sb_init(StrBuf *b, Alloc a);
void sb_free(StrBuf *b);
void sb_clear(StrBuf *b);
void sb_putn(StrBuf *b, const char *s, size_t n);
void sb_puts(StrBuf *b, const char *s);
void sb_putc(StrBuf *b, char c);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void sb_printf(StrBuf *b, const char *fmt, ...);
void sb_vprintf(StrBuf *b, const char *fmt, va_list ap);
/* Room for n more bytes; returns the write position or NULL. Advance with b->len += k. */
char *sb_reserve(StrBuf *b, size_t n);
/* NUL-terminated contents ("" when empty). */
const char *sb_str(StrBuf *b);

#endif
