/* strbuf.c — growable byte strings. */
#include "strbuf.h"

#include <stdio.h>
#include <string.h>

void sb_init(StrBuf *b, Alloc a) {
    b->alloc = a;
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

void sb_free(StrBuf *b) {
    mem_free(b->alloc, b->p, b->cap);
    b->p = NULL;
    b->len = b->cap = 0;
}

void sb_clear(StrBuf *b) {
    b->len = 0;
    b->oom = 0; /* a failed append is forgotten with what it failed to add */
}

char *sb_reserve(StrBuf *b, size_t n) {
    if (b->oom) return NULL;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < b->len + n + 1) ncap *= 2;
        char *p = mem_realloc(b->alloc, b->p, b->cap, ncap);
        if (!p) {
            b->oom = 1;
            return NULL;
        }
        b->p = p;
        b->cap = ncap;
    }
    return b->p + b->len;
}

void sb_putn(StrBuf *b, const char *s, size_t n) {
    char *w = sb_reserve(b, n);
    if (!w) return;
    memcpy(w, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void sb_puts(StrBuf *b, const char *s) {
    sb_putn(b, s, strlen(s));
}

void sb_putc(StrBuf *b, char c) {
    sb_putn(b, &c, 1);
}

void sb_vprintf(StrBuf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sb_putn(b, tmp, (size_t)n);
    } else {
        char *w = sb_reserve(b, (size_t)n);
        if (w) {
            vsnprintf(w, (size_t)n + 1, fmt, ap2);
            b->len += (size_t)n;
        }
    }
    va_end(ap2);
}

void sb_printf(StrBuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *sb_str(StrBuf *b) {
    return b->p ? b->p : "";
}
