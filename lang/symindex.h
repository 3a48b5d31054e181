/* symindex.h — the symbol index: where each named thing of a rule library is
 * declared (schemas and their fields, enums and their members, categories,
 * tables and their columns, defines, rules, Lua functions, the variables a
 * rule binds) and where each of them is used.  The checker fills it while it
 * resolves names (check_build_indexed); editors' tools (the language server)
 * read it for hover, go to definition, find references, completion and
 * document symbols.
 *
 * A declaration is identified by a key "kind:name" that is the same in every
 * compilation ("field:line.item_code", "column:drug_indication.code",
 * "member:sex.M", "table:drug_indication", "var:RULE_ID/line@1234"), so the
 * indexes of several compilations (one per file of a library) can be joined.
 * Spans are byte offsets into the checker's source list. */
#ifndef ARB_SYMINDEX_H
#define ARB_SYMINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "strmap.h"

#define SYM_KINDS(X)                                                                               \
    X(SCHEMA, "schema")                                                                            \
    X(FIELD, "field")                                                                              \
    X(ENUM, "enum")                                                                                \
    X(MEMBER, "member")                                                                            \
    X(CATEGORY, "category")                                                                        \
    X(TABLE, "table")                                                                              \
    X(COLUMN, "column")                                                                            \
    X(DEFINE, "define")                                                                            \
    X(RULE, "rule")                                                                                \
    X(LUAFN, "luafn")                                                                              \
    X(REPORT, "report")                                                                            \
    X(VAR, "var")

typedef enum SymKind {
#define X(e, s) SK_##e,
    SYM_KINDS(X)
#undef X
        SK__COUNT
} SymKind;

extern const char *const sym_kind_names[SK__COUNT];

typedef struct SymDef {
    uint8_t kind;                /* SymKind */
    const char *key;             /* "kind:name", unique in the index */
    const char *name;            /* the name as written ("item_code", "M", "DRUG_SEX.1") */
    const char *detail;          /* one line for a hover: type, label, code... */
    int32_t file;                /* source of the declaration, -1 when none */
    uint32_t off, len;           /* the declared name */
    uint32_t decl_off, decl_end; /* the whole declaration */
    int32_t parent;              /* the schema, enum or table it belongs to; -1 */
    int32_t aux_file;            /* a table: its CSV file (source index), else -1 */
    const char *type_rec;        /* a field or variable of records: the schema or table name */
    uint8_t type_is_table;       /* type_rec names a table (the variable is a row) */
} SymDef;

typedef struct SymUse {
    int32_t file;
    uint32_t off, len;
    uint32_t def;    /* index into defs (after symindex_finish) */
    const char *key; /* the key used, until symindex_finish resolves it */
} SymUse;

typedef struct SymIndex {
    Alloc alloc;
    Arena ar; /* the strings */
    SymDef *defs;
    size_t ndefs, capdefs;
    SymUse *uses;
    size_t nuses, capuses;
    StrMap by_key;
    int oom;
} SymIndex;

void symindex_init(SymIndex *ix, Alloc a);
void symindex_free(SymIndex *ix);

/* Declares a symbol; returns its index, or the index already declared under
 * the same key (the first declaration wins), or -1 when out of memory.
 * Strings are copied. */
int32_t symindex_def(SymIndex *ix, int kind, const char *key, const char *name, const char *detail,
                     int32_t file, uint32_t off, uint32_t len, uint32_t decl_off, uint32_t decl_end,
                     int32_t parent);
/* Records a use of the symbol declared under key; the key is resolved by
 * symindex_finish (a use of a key nothing declares is dropped then), so uses
 * may be recorded before their declarations. */
void symindex_use(SymIndex *ix, const char *key, int32_t file, uint32_t off, uint32_t len);
/* The symbol declared under key, or -1. */
int32_t symindex_find(const SymIndex *ix, const char *key);
/* Resolves the uses' keys, drops those of undeclared keys and those at a
 * declared name, sorts the uses by file and offset and drops repeated ones
 * (a define's body is checked at every use).  Call once when the checker is
 * done, before symindex_at. */
void symindex_finish(SymIndex *ix);
/* The symbol whose declared name or one of whose uses covers byte `off` of
 * file (from its first byte to just past its last, as a cursor at a word's
 * end is on it; the shortest span wins, and a use wins over a declared
 * name), -1 when none.  The span found goes to *span_off and *span_len when
 * they are not NULL. */
int32_t symindex_at(const SymIndex *ix, int32_t file, uint32_t off, uint32_t *span_off,
                    uint32_t *span_len);

/* Copies a string into the index's arena (NULL when out of memory). */
const char *symindex_str(SymIndex *ix, const char *s, size_t len);

#endif
