/* hfields.h — which fields of the claims history() gives the rules are
 * ever read, so that the history store decodes only those (issue 11).
 *
 * A claim of a person's history is decoded from the store for the rules
 * that call history(); most of its fields (item names, doctors, diagnoses)
 * no rule reads there.  hfields_build follows the program's bytecode — each
 * rule's code, its item-code index entry, and the derived fields' code,
 * which runs on every history claim — as a data flow over what each local
 * and stack slot may hold: a list history() gave, a record of such a list,
 * a list field of such a record, or anything else.  Every field read from a
 * history record (FIELD, LFIELD, and the fields SELECT, SELDAY and SELIN
 * group by) is kept, with the claim's key and as_of fields (a finding's
 * evidence names the history claims by them).  The flow is conservative:
 * when a history record or list reaches anything it cannot follow (a Lua
 * call, a finding raised on it, a slot that may hold two kinds of them,
 * code it cannot read), every field is kept.  A field never kept is missing
 * (null) in the history claims, where no code can see it. */
#ifndef ARB_HFIELDS_H
#define ARB_HFIELDS_H

#include <stdint.h>

#include "mem.h"
#include "program.h"

typedef struct HFields {
    int all;                  /* every field is kept (the flow gave up) */
    uint32_t n;               /* record types: the claim and its lists' items */
    const RecordType *rt[16]; /* (nested lists past 16 types: all) */
    uint8_t *keep[16];        /* per type: per field 1 when read */
} HFields;

/* Works out the fields of p's history claims the program reads, into h
 * (its masks in ar).  0, or -1 when out of memory (h->all is then set). */
int hfields_build(HFields *h, const Program *p, Arena *ar);

/* Whether field f of record type rt is read from history claims. */
int hfields_keep(const HFields *h, const RecordType *rt, uint32_t f);

#endif
