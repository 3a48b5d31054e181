/* regex.h — the regular expressions of rules (`x matches "..."`) and of
 * tables' regex columns, on RE2 (Debian libre2) through a small C++ adapter
 * (regex.cc).
 *
 * RE2 matches in time linear in the text, whatever the pattern: there is no
 * backtracking, so no pattern can stall a run ((a+)+$ against 30,000 a's
 * takes microseconds).  The price is that backreferences (\1) cannot be
 * written; a pattern using one is refused with its position.
 *
 * Syntax: POSIX extended expressions as regcomp(3) reads them ((a|b), [...],
 * [[:digit:]], {m,n}, ^, $), plus Perl's \d \s \w and \b.  `.` matches any
 * character, newline included; the text is UTF-8 and matched by character.
 * A compiled expression is immutable and may be matched from any number of
 * threads at once.  Memory comes from the C++ allocator, not arb_config's. */
#ifndef ARB_REGEX_H
#define ARB_REGEX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Rx Rx;

/* Compiles pattern[0..n).  NULL when it is not a valid expression (or out
 * of memory), with the reason in err: "backreferences (\1 at character 7)
 * are not supported: ...", "missing ) at character 12". */
Rx *rx_new(const char *pattern, size_t n, char *err, size_t errcap);
/* Whether the expression matches somewhere in s[0..n): 1 or 0. */
int rx_match(const Rx *rx, const char *s, size_t n);
void rx_free(Rx *rx);

#ifdef __cplusplus
}
#endif

#endif
