/* position.c — byte offsets to and from LSP line/character positions
 * (UTF-16 code units); see position.h. */
#include "position.h"

#include <stdlib.h>

int linemap_init(LineMap *m, const char *text, size_t len) {
    m->text = text;
    m->len = len;
    size_t n = 1;
    for (size_t i = 0; i < len; i++) n += text[i] == '\n';
    m->starts = malloc(n * sizeof *m->starts);
    if (!m->starts) return -1;
    m->nlines = 0;
    m->starts[m->nlines++] = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n') m->starts[m->nlines++] = (uint32_t)(i + 1);
    return 0;
}

void linemap_free(LineMap *m) {
    free(m->starts);
    m->starts = NULL;
    m->nlines = 0;
}

/* The length in bytes of the UTF-8 sequence starting with byte c (1 for a
 * byte that cannot start one), and its UTF-16 length. */
static size_t seq_len(unsigned char c, uint32_t *units) {
    *units = 1;
    if (c < 0xc0 || c >= 0xf8) return 1;
    if (c < 0xe0) return 2;
    if (c < 0xf0) return 3;
    *units = 2;
    return 4;
}

uint32_t utf16_length(const char *text, size_t len) {
    uint32_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t u;
        size_t k = seq_len((unsigned char)text[i], &u);
        if (i + k > len) k = len - i;
        n += u;
        i += k;
    }
    return n;
}

void linemap_position(const LineMap *m, uint32_t off, uint32_t *line, uint32_t *character) {
    if (off > m->len) off = (uint32_t)m->len;
    /* the last line starting at or before off */
    size_t lo = 0, hi = m->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (m->starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    /* an offset inside a UTF-8 sequence: its start */
    while (off > m->starts[lo] && ((unsigned char)m->text[off] & 0xc0) == 0x80 && off < m->len)
        off--;
    *line = (uint32_t)lo;
    *character = utf16_length(m->text + m->starts[lo], off - m->starts[lo]);
}

uint32_t linemap_offset(const LineMap *m, uint32_t line, uint32_t character) {
    if (line >= m->nlines) return (uint32_t)m->len;
    size_t i = m->starts[line];
    size_t end = line + 1 < m->nlines ? m->starts[line + 1] - 1 : m->len; /* at the '\n' */
    uint32_t units = 0;
    while (i < end) {
        uint32_t u;
        size_t k = seq_len((unsigned char)m->text[i], &u);
        if (i + k > end) k = end - i;
        if (units + u > character) break;
        units += u;
        i += k;
    }
    return (uint32_t)i;
}
