/* check.h — the checker: resolves names, checks types, loads tables, and
 * hands each checked rule to the code generator.  Reports every error it can
 * find in one run, as diagnostics with spans. */
#ifndef ARB_CHECK_H
#define ARB_CHECK_H

#include "ast.h"
#include "diag.h"
#include "program.h"
#include "symindex.h"

/* How a NAME or CALL node resolved. */
enum {
    RES_NONE,
    RES_VAR,     /* a local slot (node->slot) */
    RES_FIELD,   /* field ival of the implicit record in local slot (derived fields) */
    RES_INLINE,  /* a define: node->a is the checked, inlined body */
    RES_CONST,   /* a constant: enum member index (ival) */
    RES_TABLE,   /* a table (ref) */
    RES_BUILTIN, /* a builtin function (slot = BuiltinId) */
};

/* The builtin functions: id, name, number of arguments. */
#define ARB_BUILTINS(X)                                                                            \
    X(DATE, "date", 1)                                                                             \
    X(YEAR, "year", 1)                                                                             \
    X(MONTH, "month", 1)                                                                           \
    X(AGE_YEARS, "age_years", 2)                                                                   \
    X(DAYS_BETWEEN, "days_between", 2)                                                             \
    X(DAYS, "days", 1)                                                                             \
    X(HOURS, "hours", 1)                                                                           \
    X(COALESCE, "coalesce", 2)                                                                     \
    X(MISSING, "missing", 1)                                                                       \
    X(PRESENT, "present", 1)                                                                       \
    X(ABS, "abs", 1)                                                                               \
    X(LEN, "len", 1)                                                                               \
    X(HISTORY, "history", 1)                                                                       \
    X(STARTS_WITH, "starts_with", 2)                                                               \
    X(LEAST, "least", 2)                                                                           \
    X(GREATEST, "greatest", 2)                                                                     \
    X(LABEL, "label", 1)

typedef enum BuiltinId {
#define X(e, s, n) BI_##e,
    ARB_BUILTINS(X)
#undef X
        BI__COUNT
} BuiltinId;

/* The files a compilation read, kept for rendering diagnostics. */
typedef struct SourceList {
    Alloc alloc;
    Source *items;
    size_t n, cap;
} SourceList;

void sources_init(SourceList *s, Alloc a);
void sources_free(SourceList *s);
/* Reads a file into the list; returns its index, or -1 (message in err). */
int sources_add_file(SourceList *s, const char *path, char *err, size_t errcap);
/* Adds text under a name; returns its index or -1 when out of memory. */
int sources_add_text(SourceList *s, const char *name, const char *text, size_t len);

/* Checks and compiles: the prelude (may be NULL), then each source given
 * (indexes into `sources`, files already read), following imports.  Tables'
 * CSV files and imported files are added to `sources`.  Returns the program,
 * or NULL when there were errors (all of them are in diags). */
Program *check_build(Alloc a, SourceList *sources, const int *files, size_t nfiles, DiagList *diags,
                     int debug_info);
/* check_build that also fills `index` (initialized by the caller) with the
 * declarations and uses of every named thing it resolves: schemas, fields,
 * enums and members, categories, tables and columns, defines, rules, Lua
 * functions and the variables rules bind (symindex.h).  The index keeps
 * what it needs (names, details, spans), so it outlives the program, which
 * is NULL when there were errors, as for check_build. */
Program *check_build_indexed(Alloc a, SourceList *sources, const int *files, size_t nfiles,
                             DiagList *diags, int debug_info, SymIndex *index);

#endif
