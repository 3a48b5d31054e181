/* swar.h — tests on the 8 bytes of a 64-bit word at once (SIMD within a
 * register), for the readers' fast paths: the JSON reader's and the input
 * profile's string scans, the claim-id scan, the CSV cell scan and UTF-8
 * validation.
 *
 * Each test returns the word with the high bit of a flagged byte set, and 0
 * when no byte is flagged.  The lowest flagged byte is always a true one, so
 * __builtin_ctzll(m) >> 3 (little-endian) finds the first match; a flag
 * above it may be false (a borrow from a lower match), which callers that
 * only stop and look byte by byte need not care about. */
#ifndef ARB_SWAR_H
#define ARB_SWAR_H

#include <stdint.h>
#include <string.h>

#define SWAR_ONES 0x0101010101010101ull
#define SWAR_HIGHS 0x8080808080808080ull

/* The 8 bytes at p as one word (any alignment). */
static inline uint64_t swar_load(const void *p) {
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* Bytes equal to c. */
static inline uint64_t swar_eq(uint64_t x, unsigned char c) {
    uint64_t y = x ^ (SWAR_ONES * c);
    return (y - SWAR_ONES) & ~y & SWAR_HIGHS;
}

/* Bytes below c (c at most 0x80). */
static inline uint64_t swar_below(uint64_t x, unsigned char c) {
    return (x - SWAR_ONES * c) & ~x & SWAR_HIGHS;
}

/* Bytes of 0x80 and above (not ASCII). */
static inline uint64_t swar_high(uint64_t x) {
    return x & SWAR_HIGHS;
}

/* Control bytes (below 0x20) and bytes of 0x80 and above: what a JSON
 * string's plain-ASCII fast path must stop at, besides '"' and '\\'. */
static inline uint64_t swar_ctrl_or_high(uint64_t x) {
    return ((x - SWAR_ONES * 0x20) | x) & SWAR_HIGHS;
}

#endif
