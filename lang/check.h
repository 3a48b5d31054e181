/* check.h — the checker: resolves names, checks types, loads tables, and
 * hands each checked rule to the code generator (CheckGen).  Reports every error it can
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

/* The code generator as the checker sees it.  The checker hands it each
 * rule as soon as it has checked it (and then releases the rule's syntax
 * tree), the derived fields, and the patterns and message templates it
 * meets.  compiler/ provides it (check_build, compile.h): lang/ includes
 * nothing of compiler/.  Each function stands for the cg_* function of
 * compile.h named in its comment, and returns what that one returns. */
typedef struct CheckGen {
    void *g;
    /* cg_init: the program is allocated (called once, before anything else) */
    void (*begin)(void *g, Program *p);
    /* cg_rule, then cg_rule_bound when r->index >= 0, then cg_rule_end;
     * evidence: the rule reads history(); decided: the conjunct of `when`
     * the index decides (true for every record it runs the rule on), or
     * NULL */
    int (*rule)(void *g, Node *clauses, Rule *r, int evidence, const Node *decided);
    /* cg_prepare */
    int (*prepare)(void *g, Node **fields, const int32_t *list_field, size_t n, int32_t loop_slot);
    /* cg_regex */
    int (*regex)(void *g, Node *at, const char *pattern);
    /* cg_regex_text, and the pattern as the program keeps it in *kept;
     * -2 (not -1) when out of memory */
    int (*regex_text)(void *g, const char *pattern, char *err, size_t cap, const char **kept);
    /* cg_template */
    int (*template_)(void *g, Template t);
    /* cg_finish (only when there were no errors) */
    int (*finish)(void *g);
    /* cg_free: called once, when begin was, before the program is freed */
    void (*end)(void *g);
} CheckGen;

/* Checks: the prelude (may be NULL), then each source given (indexes into
 * `sources`, files already read), following imports, and hands the checked
 * rules to gen.  Tables' CSV files and imported files are added to
 * `sources`.  With `index` (initialized by the caller), also fills it with
 * the declarations and uses of every named thing it resolves: schemas,
 * fields, enums and members, categories, tables and columns, defines,
 * rules, Lua functions and the variables rules bind (symindex.h); the index
 * keeps what it needs (names, details, spans), so it outlives the program.
 * Returns the program, or NULL when there were errors (all of them are in
 * diags).  check_build (compile.h) is the whole front end. */
Program *check_run(Alloc a, SourceList *sources, const int *files, size_t nfiles, DiagList *diags,
                   SymIndex *index, const CheckGen *gen);

#endif
