/* hcodec.h — the history store's compact encoding of claim records.
 *
 * A claim is stored as its input fields (derived fields are computed again
 * when it is read back) in the order of a schema description: a byte string
 * naming every stored field of the claim record and, recursively, of its
 * lists, with each field's kind and, for enums, the member names.  The store
 * keeps every description it has used, numbered; a record starts with the
 * number of the description it was written with.  Reading maps the stored
 * fields onto the running program's record types by name, so a store
 * outlives schema changes: a field the program no longer has is skipped, a
 * field the store never had is missing (null), an enum member is found by
 * name.
 *
 * Values: int64 scalars as zigzag varints plus one (0: missing), strings as
 * a varint length plus one (0: missing) and the bytes, lists as a varint
 * count plus one (0: missing) followed by the items' fields.
 *
 * The hashed variant (hcodec_encode_hashed) puts each string's hash (its
 * ArbStr.hash, 4 bytes little-endian) between its length and its bytes, so
 * that decoding does not hash the string again.  It is for a batch's spool
 * (check --history), read back by the same program; it is never stored:
 * hcodec_unhash turns it into the plain encoding. */
#ifndef ARB_HCODEC_H
#define ARB_HCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"
#include "strbuf.h"

/* Appends the description of record type rt (its stored fields) to b. */
void hcodec_describe(const RecordType *rt, StrBuf *b);

/* Appends claim (a record of type rt, described by hcodec_describe) to b,
 * after `schema_no` (the number of its description in the store). */
void hcodec_encode(const RecordType *rt, uint32_t schema_no, const Value *claim, StrBuf *b);

/* As hcodec_encode, hashed (above). */
void hcodec_encode_hashed(const RecordType *rt, uint32_t schema_no, const Value *claim, StrBuf *b);

/* An encoding plan: rt's stored fields in order with their kinds, so that
 * encoding a record walks a short array instead of the record type's
 * fields.  Immutable once built: shared by threads. */
typedef struct HcEnc HcEnc;

/* Builds the encoding plan of rt in ar; NULL when memory ran out. */
HcEnc *hcodec_enc_plan(const RecordType *rt, Arena *ar);

/* As hcodec_encode (the same bytes), through plan e of rt. */
void hcodec_encode_with(const HcEnc *e, uint32_t schema_no, const Value *claim, StrBuf *b);

/* A decoding plan: one stored description mapped onto a program's record
 * type.  Built once per description, immutable: shared by threads. */
typedef struct HcPlan HcPlan;

/* Builds the plan for the description desc[0..n) onto rt in ar.  NULL when
 * the description is damaged or memory ran out (*damaged says which). */
HcPlan *hcodec_plan(const char *desc, size_t n, const RecordType *rt, Arena *ar, int *damaged);

/* As hcodec_plan, decoding only the fields of the program's records (of rt
 * and its lists' item types) for which keep(ud, type, field) is nonzero:
 * the others are skipped and left missing (null). */
HcPlan *hcodec_plan_keep(const char *desc, size_t n, const RecordType *rt,
                         int (*keep)(void *ud, const RecordType *rt, uint32_t f), void *ud,
                         Arena *ar, int *damaged);

/* The description number a record starts with; -1 when damaged.  *body is
 * set past it. */
int64_t hcodec_schema_no(const char *rec, size_t n, size_t *body);

/* Decodes the record body rec[0..n) (past its description number) with
 * plan into a claim record allocated in ar (derived fields missing).
 * Strings are copied into ar.  Returns 0, -1 when the record is damaged,
 * -2 when out of memory. */
int hcodec_decode(const HcPlan *plan, const char *rec, size_t n, Arena *ar, Value **out);

/* Decodes into dst, a record of plan's type already allocated (width
 * values); its lists and strings go into ar.  As hcodec_decode. */
int hcodec_decode_into(const HcPlan *plan, const char *rec, size_t n, Arena *ar, Value *dst);

/* As hcodec_decode_into, for a record body of the hashed variant. */
int hcodec_decode_into_hashed(const HcPlan *plan, const char *rec, size_t n, Arena *ar, Value *dst);

/* Appends the plain encoding of the hashed record body rec[0..n) (past its
 * description number) to b: 0, or -1 when it is damaged. */
int hcodec_unhash(const HcPlan *plan, const char *rec, size_t n, StrBuf *b);

/* Varints, for the store's keys and values. */
void hcodec_put_varint(StrBuf *b, uint64_t v);
/* Reads a varint at *p (< end); -1 when truncated. */
int hcodec_get_varint(const char **p, const char *end, uint64_t *v);

#endif
