/* utf8.h — UTF-8 as every reader checks it: well-formed sequences only (no
 * overlong forms, no UTF-16 surrogates, nothing above U+10FFFF, no sequence
 * cut short), and the byte-order mark a file may start with.  Only bytes
 * >= 0x80 need a look: ASCII text is valid as it is. */
#ifndef ARB_UTF8_H
#define ARB_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Writes code point cp (at most U+10FFFF) as UTF-8 at o (room for 4
 * bytes); returns its length, 1 to 4. */
static inline size_t utf8_put(char *o, uint32_t cp) {
    if (cp < 0x80) return o[0] = (char)cp, 1;
    if (cp < 0x800) return o[0] = (char)(0xC0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3F)), 2;
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* utf8_check's answer when the text is valid. */
#define UTF8_VALID ((size_t)-1)

/* Length of the well-formed sequence at q (q[0] >= 0x80, q < end): 2 to 4;
 * 0 when it is ill-formed, -1 when end comes inside it. */
static inline int utf8_seq_len(const unsigned char *q, const unsigned char *end) {
    unsigned c = q[0];
    int n = c >= 0xC2 && c < 0xE0 ? 2 : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xF0 && c < 0xF5 ? 4 : 0;
    if (!n) return 0;
    for (int i = 1; i < n; i++) {
        if (q + i >= end) return -1;
        if ((q[i] & 0xC0) != 0x80) return 0;
    }
    if (c == 0xE0 && q[1] < 0xA0) return 0; /* overlong */
    if (c == 0xED && q[1] > 0x9F) return 0; /* UTF-16 surrogate */
    if (c == 0xF0 && q[1] < 0x90) return 0; /* overlong */
    if (c == 0xF4 && q[1] > 0x8F) return 0; /* beyond U+10FFFF */
    return n;
}

/* Offset of the first byte of s[0..n) that does not begin (or is not part
 * of) a well-formed sequence, or UTF8_VALID.  A sequence cut by the end of
 * the text is invalid at its first byte. */
size_t utf8_check(const char *s, size_t n);

/* Bytes of the UTF-8 byte-order mark at the start of s[0..n): 3 or 0. */
size_t utf8_bom(const char *s, size_t n);

/* 1-based line of byte off of s (lines end with '\n'), and its 1-based
 * column in bytes from the line's start. */
void utf8_line_col(const char *s, size_t off, uint64_t *line, size_t *col);

#endif
