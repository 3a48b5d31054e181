/* json_writer.h — writes a record (a claim, with its lists) as one JSON
 * object in the readers' format, so that what is written reads back the
 * same (`arbiter history export` round-trips with `history add`). */
#ifndef ARB_JSON_WRITER_H
#define ARB_JSON_WRITER_H

#include "schema.h"
#include "strbuf.h"

/* Appends record r of type rt as a JSON object: its input fields (derived
 * fields are left out), missing ones omitted, enums by member name, money
 * as a decimal string, dates and datetimes as ISO text. */
void jsonw_record(const RecordType *rt, const Value *r, StrBuf *b);

#endif
