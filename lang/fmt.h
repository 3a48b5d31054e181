/* fmt.h — the formatter: rule-file text in, the same tokens and comments in
 * the canonical layout out (docs/language.md, "Formatting"). */
#ifndef ARB_FMT_H
#define ARB_FMT_H

#include <stddef.h>

#include "strbuf.h"

enum {
    FMT_OK = 0,
    FMT_ERR_SYNTAX = 1, /* the text does not parse: err holds the diagnostics */
    FMT_ERR_NOMEM = 2,
    FMT_ERR_INTERNAL = 3, /* the result would not have the same tokens (a bug): err says where */
};

/* Formats text[0..len) (the file `name`, for messages) into out.  Line
 * breaks are the author's, blank lines kept up to one, comments kept; the
 * indentation, the spaces between tokens and the alignment of table, schema,
 * enum and input-profile columns are the canonical ones.  Text that does not
 * parse is refused (FMT_ERR_SYNTAX, err gets file:line:col diagnostics with
 * carets).  The result always holds exactly the tokens of the input, in
 * order (checked before returning). */
int fmt_format(const char *name, const char *text, size_t len, Alloc a, StrBuf *out, StrBuf *err);

#endif
