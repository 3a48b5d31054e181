/* json_writer.h — writes a record (a claim, with its lists) as one JSON
 * object in the readers' format, so that what is written reads back the
 * same (`arbiter history export` round-trips with `history add`); and the
 * pieces findings are written with (strings, integers, money, a whole
 * finding), appended straight to a buffer: no formatted printing, which
 * took a quarter of a findings-heavy run. */
#ifndef ARB_JSON_WRITER_H
#define ARB_JSON_WRITER_H

#include "arbiter.h"
#include "schema.h"
#include "strbuf.h"

/* Appends record r of type rt as a JSON object: its input fields (derived
 * fields are left out), missing ones omitted, enums by member name, money
 * as a decimal string, dates and datetimes as ISO text. */
void jsonw_record(const RecordType *rt, const Value *r, StrBuf *b);

/* Appends s[0..n) as a JSON string, quoted, as scalar_json_quote writes it
 * (the same bytes): '"' and '\\' escaped, \n \t \r by name, other control
 * characters as \u00XX, well-formed UTF-8 as it is, each byte of ill-formed
 * UTF-8 as U+FFFD. */
void jsonw_str(StrBuf *b, const char *s, size_t n);

/* Appends v in decimal ("-12", "0"). */
void jsonw_int(StrBuf *b, int64_t v);

/* Appends an amount in cents as a decimal with two places ("-0.05",
 * "12.30"), unquoted. */
void jsonw_money(StrBuf *b, int64_t cents);

/* Appends finding f as one JSON object and a newline, in the findings
 * file's format (docs/findings.md). */
void jsonw_finding(StrBuf *b, const arb_finding *f);

/* What the findings of one claim share, written as JSON once per claim
 * rather than once per finding (jsonw_finding_with): the texts
 * (jsonw_claim_set), then, made at the first finding written, their pieces
 * of JSON.  A piece is used for a finding whose fields point at the very
 * texts it was made of; any other finding's fields are written as
 * jsonw_finding writes them. */
typedef struct JsonwClaim {
    const char *claim_id, *person_id, *facility_id, *dept, *doctor, *settle_date;
    const char *id; /* a buffer that holds 32 hex digits when a finding points at it */
    int ready;      /* the pieces below are made */
    /* {"claim_id":"…" */
    uint32_t nhead;
    char head[1600];
    /* ,"person_id":"…","facility_id":"…" — and ,"dept":"…","doctor":"…" of
     * the claim's own; 0: too long to keep, written each time */
    uint32_t nwho, ndd, ndate;
    char who[512], dd[512];
    char date[48]; /* ,"settle_date":"…" */
} JsonwClaim;

/* Sets the texts of c (they must outlive its use; claim_id at most 255
 * bytes) and forgets its pieces. */
void jsonw_claim_set(JsonwClaim *c, const char *claim_id, const char *person_id,
                     const char *facility_id, const char *dept, const char *doctor,
                     const char *settle_date, const char *id);

/* jsonw_finding, the same bytes, taking what f shares with the other
 * findings of its claim from c (NULL: jsonw_finding). */
void jsonw_finding_with(StrBuf *b, const arb_finding *f, JsonwClaim *c);

#endif
