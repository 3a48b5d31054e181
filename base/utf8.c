/* utf8.c — UTF-8 validation, the byte-order mark, line and column of an
 * offset (see utf8.h).  ASCII goes 8 bytes at a time. */
#include "utf8.h"

#include <string.h>

#include "swar.h"

size_t utf8_check(const char *s, size_t n) {
    const unsigned char *q = (const unsigned char *)s, *end = q + n;
    for (;;) {
        while (end - q >= 8 && !swar_high(swar_load(q))) q += 8;
        while (q < end && *q < 0x80) q++;
        if (q >= end) return UTF8_VALID;
        int k = utf8_seq_len(q, end);
        if (k <= 0) return (size_t)(q - (const unsigned char *)s);
        q += k;
    }
}

size_t utf8_bom(const char *s, size_t n) {
    return n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

void utf8_line_col(const char *s, size_t off, uint64_t *line, size_t *col) {
    uint64_t ln = 1;
    const char *start = s, *p = s, *e = s + off, *nl;
    while ((nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        ln++;
        p = nl + 1;
        start = p;
    }
    *line = ln;
    *col = (size_t)(e - start) + 1;
}
