/* position.h — positions in a text for the Language Server Protocol: byte
 * offsets (how the checker's spans count) to and from LSP positions (a
 * 0-based line and a 0-based character counted in UTF-16 code units, so a
 * CJK character counts 1 and a character outside the Basic Multilingual
 * Plane, such as an emoji or a rare CJK ideograph of Extension B, counts 2). */
#ifndef ARB_LSP_POSITION_H
#define ARB_LSP_POSITION_H

#include <stddef.h>
#include <stdint.h>

/* The start of every line of a text (a line ends at '\n'; a '\r' before it
 * belongs to the line's end and counts as a character). */
typedef struct LineMap {
    const char *text; /* not copied: it must outlive the map */
    size_t len;
    uint32_t *starts; /* byte offset of each line's first byte */
    size_t nlines;
} LineMap;

/* 0, or -1 when out of memory. */
int linemap_init(LineMap *m, const char *text, size_t len);
void linemap_free(LineMap *m);

/* The LSP position of byte offset off (clamped to the text's end; an offset
 * inside a UTF-8 sequence counts as the start of its character). */
void linemap_position(const LineMap *m, uint32_t off, uint32_t *line, uint32_t *character);
/* The byte offset of an LSP position: a line past the last is the text's
 * end, a character past the line's end is the line's end (before its '\n'),
 * and a character in the middle of a surrogate pair is the pair's start. */
uint32_t linemap_offset(const LineMap *m, uint32_t line, uint32_t character);

/* UTF-16 code units of text[0..len) (an invalid byte counts as one unit). */
uint32_t utf16_length(const char *text, size_t len);

#endif
