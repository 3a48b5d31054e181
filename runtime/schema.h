/* schema.h — types and record layouts shared by the checker, the compiler,
 * the readers and the VM.  A RecordType is built by the checker from a
 * `schema` (or `table`) declaration; readers fill records field by field. */
#ifndef ARB_SCHEMA_H
#define ARB_SCHEMA_H

#include <stdint.h>

#include "value.h"

/* Every kind of type, once.  X(ENUM_NAME, "spelling") */
#define ARB_TYPE_KINDS(X)                                                                          \
    X(BOOL, "bool")                                                                                \
    X(INT, "int")                                                                                  \
    X(MONEY, "money")                                                                              \
    X(DATE, "date")                                                                                \
    X(DATETIME, "datetime")                                                                        \
    X(DURATION, "duration")                                                                        \
    X(CODE, "code")                                                                                \
    X(TEXT, "text")                                                                                \
    X(ENUM, "enum")                                                                                \
    X(LIST, "list")                                                                                \
    X(RECORD, "record")                                                                            \
    X(SET, "set")                                                                                  \
    X(TABLE, "table")                                                                              \
    X(NULLT, "null")                                                                               \
    X(ERROR, "<error>")                                                                            \
    X(REGEX, "regex") /* a table column: compiled patterns, held as their number */

typedef enum TypeKind {
#define X(e, s) TY_##e,
    ARB_TYPE_KINDS(X)
#undef X
        TY__COUNT
} TypeKind;

extern const char *const type_kind_names[TY__COUNT];

typedef struct EnumType {
    const char *name;
    uint32_t n;
    const char **members; /* spelling in data and rules */
    const char **labels;  /* display text in messages (member name if none) */
    /* other spellings data may use (`M "男" codes "1", "01"`): the national
     * codes of the members, all ncodes of them, code_member[k] saying whose */
    uint32_t ncodes;
    const char **codes;
    const uint32_t *code_member;
} EnumType;

typedef struct RecordType RecordType;
typedef struct Table Table;

typedef struct Type {
    uint8_t kind;          /* TypeKind */
    uint8_t elem;          /* for SET: the element TypeKind */
    const EnumType *enm;   /* for ENUM, and SET of ENUM */
    const RecordType *rec; /* for LIST and RECORD: the record type */
    const Table *table;    /* for TABLE, and RECORD rows of a table */
} Type;

/* Scalars held as int64 (everything but strings, lists, records). */
static inline int type_is_int64(uint8_t k) {
    return k == TY_BOOL || k == TY_INT || k == TY_MONEY || k == TY_DATE || k == TY_DATETIME ||
           k == TY_DURATION || k == TY_ENUM;
}
static inline int type_is_string(uint8_t k) {
    return k == TY_CODE || k == TY_TEXT;
}

typedef struct Field {
    const char *name;
    uint32_t name_len;
    Type type;
    uint8_t required;  /* a record without it is rejected */
    uint8_t key;       /* identifies the record (claim_id, line_no) / table join key */
    uint8_t at_risk;   /* default amount of a finding on this record */
    uint8_t as_of;     /* the date effective-date ranges are checked against */
    int32_t derived;   /* >= 0: computed by the program (index of its code), not read */
    uint32_t decl_off; /* byte offset of the declaration, for messages */
    const char *formula; /* a derived field's expression as written (NULL otherwise) */
} Field;

struct RecordType {
    const char *name;
    uint32_t nfields;
    Field *fields;
    int32_t key_field;     /* -1 when none */
    int32_t at_risk_field; /* -1 when none */
    int32_t as_of_field;   /* -1 when none */
};

/* Lists of records may hold records with lists of their own, this many
 * levels deep below the claim (the readers keep a path of this length). */
#define ARB_MAX_LIST_NESTING 8

/* Linear lookup by name; returns the field index or -1. */
int record_field_index(const RecordType *rt, const char *name, size_t len);

#endif
