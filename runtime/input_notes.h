/* input_notes.h — input the schema does not read: object keys and CSV
 * columns that name no field ("admit_date", "lines[].date"), and derived
 * fields given in input ("age").  A reader counts, per name, the records
 * that had it; each worker thread keeps its own counts, merged at the end
 * of a batch, so the totals do not depend on the thread count. */
#ifndef ARB_INPUT_NOTES_H
#define ARB_INPUT_NOTES_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "schema.h"
#include "strmap.h"

/* Distinct names kept per set; others are counted under "(other fields)"
 * (input with ever-new keys must not grow memory without end). */
#define INPUT_NOTES_MAX 1000

typedef struct InputNote {
    const char *name;     /* the field's path in the input: "admit_date", "lines[].date" */
    const Field *derived; /* the derived field given, or NULL: a name of no field */
    uint64_t records;     /* records that had it */
    uint64_t last;        /* the record last counted (InputNotes.serial) */
} InputNote;

typedef struct InputNotes {
    Alloc alloc;
    Arena ar;   /* the names */
    StrMap map; /* name -> index + 1 */
    InputNote *v;
    size_t n, cap;
    uint64_t serial; /* the record being read */
} InputNotes;

void notes_init(InputNotes *ns, Alloc a);
void notes_free(InputNotes *ns);
/* Starts the next record: a name is counted once per record. */
static inline void notes_next_record(InputNotes *ns) {
    ns->serial++;
}
/* Counts name (len bytes) in the current record; derived: the derived field
 * it sets, or NULL.  Out of memory loses the count, nothing else. */
void notes_add(InputNotes *ns, const char *name, size_t len, const Field *derived);
/* Adds the counts of src to dst; -1 when out of memory. */
int notes_merge(InputNotes *dst, const InputNotes *src);
/* Sorts the notes by name (the order of the summary). */
void notes_sort(InputNotes *ns);
/* Writes the path of a field of a record inside lists into buf: the list
 * fields, each followed by "[].", then the name.  Returns its length (cut
 * to cap - 1). */
size_t notes_path(char *buf, size_t cap, const char *const *lists, int nlists, const char *name,
                  size_t len);

#endif
