/* scalar.h — exact parsing and formatting of scalar values: int, money
 * (fixed-point cents, never floating point), date, datetime, duration, bool,
 * enum members, strings.  Shared by the lexer (literals), the readers and the
 * writers so every part of the system spells values the same way. */
#ifndef ARB_SCALAR_H
#define ARB_SCALAR_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

#define SECS_PER_DAY 86400

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* Each returns 0 on success, -1 when the text is not a valid value.
 * Money accepts "12", "12.5", "12.50", "-3.00" (at most 2 decimals, or more
 * that are all zero).  Dates are YYYY-MM-DD; datetimes YYYY-MM-DD[T ]HH:MM[:SS]
 * (a bare date means midnight).  Durations are N followed by d, w or h. */
int scalar_parse_int(const char *s, size_t n, int64_t *out);
int scalar_parse_money(const char *s, size_t n, int64_t *out);
int scalar_parse_date(const char *s, size_t n, int64_t *out_days);
int scalar_parse_datetime(const char *s, size_t n, int64_t *out_secs);
int scalar_parse_duration(const char *s, size_t n, int64_t *out_secs);
int scalar_parse_bool(const char *s, size_t n, int64_t *out);
/* Index of the enum member that s spells exactly — its name, its label or
 * one of its codes — or -1.  Every reader of values (claims, tables, inline
 * tests) goes through it. */
int scalar_enum_index(const EnumType *e, const char *s, size_t n);
/* Index of the member named s (names only, as rules write them), or -1. */
int scalar_enum_member(const EnumType *e, const char *s, size_t n);
/* Lists the spellings scalar_enum_index accepts into buf, for messages:
 * `M (男, "1"), F (女, "2"), U (未知)`; cut with "..." at a member when
 * longer than cap.  Returns the length written. */
size_t scalar_enum_spellings(const EnumType *e, char *buf, size_t cap);

/* Parses text into a value of type t (a scalar type: bool, int, money, date,
 * datetime, duration, code, text, enum).  Empty text is null.  Strings are
 * allocated in ar.  Returns NULL on success, else a short static message such
 * as "not a valid money amount". */
const char *scalar_parse(const Type *t, const char *s, size_t n, Arena *ar, Value *out);

/* Formats v of type t into buf (always NUL-terminated when cap > 0) and
 * returns the length it needed.  Null formats as "" (or "null" when
 * json is set, where strings are also quoted and escaped).  Enum members
 * print as their labels when `labels` is set, else as member names. */
size_t scalar_format(const Type *t, Value v, int labels, int json, char *buf, size_t cap);

/* Appends s as a JSON string literal (quoted, escaped) to buf; returns the
 * length needed, like snprintf.  A byte of invalid UTF-8 is written as
 * U+FFFD: the output is always valid UTF-8. */
size_t scalar_json_quote(const char *s, size_t n, char *buf, size_t cap);

#endif
