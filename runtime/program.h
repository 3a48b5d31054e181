/* program.h — a checked, compiled rule library: schema, categories, tables,
 * rules and their bytecode.  Immutable once built, so any number of threads
 * may run it at once.  Everything is allocated in the program's arena. */
#ifndef ARB_PROGRAM_H
#define ARB_PROGRAM_H

#include <stdatomic.h>
#include <stdint.h>

#include "arbiter.h" /* arb_report_config */
#include "opcodes.h"
#include "schema.h"
#include "table.h"

/* Category tiers, severities, natures and phases: one list each. */
#define ARB_TIERS(X) X(policy) X(management) X(medical)
#define ARB_SEVERITIES(X) X(low) X(medium) X(high)
#define ARB_NATURES(X) X(suspicious) X(definite)
#define ARB_PHASES(X) X(pre) X(settle) X(post)

#define X(n) TIER_##n,
enum { ARB_TIERS(X) TIER__COUNT };
#undef X
#define X(n) SEV_##n,
enum { ARB_SEVERITIES(X) SEV__COUNT };
#undef X
#define X(n) NAT_##n,
enum { ARB_NATURES(X) NAT__COUNT };
#undef X
#define X(n) PHASE_##n,
enum { ARB_PHASES(X) PHASE__COUNT };
#undef X
#define PHASE_ALL ((1u << PHASE__COUNT) - 1)

extern const char *const tier_names[TIER__COUNT];
extern const char *const severity_names[SEV__COUNT];
extern const char *const nature_names[NAT__COUNT];
extern const char *const phase_names[PHASE__COUNT];
/* Index of name in names[0..n), or -1. */
int name_index(const char *const *names, int n, const char *s, size_t len);

typedef struct Category {
    const char *name;  /* identifier in rules */
    const char *title; /* national name */
    const char *code;  /* national code, e.g. GZ10000301004000 */
    uint8_t tier, severity, nature;
    int32_t points;
} Category;

typedef struct TemplatePart {
    const char *text; /* literal text, or NULL for a value */
    uint32_t len;
    Type type; /* the value's type */
} TemplatePart;

typedef struct Template {
    uint32_t nparts;
    TemplatePart *parts;
} Template;

typedef struct IntSet {
    uint32_t n;
    int64_t *v; /* sorted */
} IntSet;

typedef struct Rule {
    const char *id;
    const char *title;
    uint32_t category;
    uint8_t phases; /* bit per phase */
    uint8_t severity, nature;
    int32_t points;
    int64_t eff_from, eff_to; /* days; ARB_NULL when open */
    int32_t key_field;        /* key field of the flagged record (-1: none) */
    uint8_t key_kind;         /* its TypeKind */
    uint8_t flags_claim;      /* flags the claim rather than one of its records */
    uint32_t entry;           /* first instruction */
    uint32_t code_end;
    /* the rule's operand vector, p->ops[ops .. ops + nops): the operands
     * that differ between rules of one shape (constant, set, table, pattern,
     * message and Lua function numbers) are slots in it, so rules equal up
     * to their constants share one copy of the code (see operand_varies) */
    uint32_t ops, nops;
    /* item-code index (see RuleIndex): the rule runs only for the records
     * whose field value is one of its keys, from bound_entry with the record
     * in local bound_slot */
    int32_t index; /* RuleIndex it is in, -1 when it scans */
    int32_t bound_slot;
    uint32_t bound_entry, bound_end;
    /* the row bound by the rule's first `match` clause: its local (-1: the
     * rule matches no table) and the key column of its table.  A finding
     * notes that row's key; findings merged into it list theirs
     * (also_matched) */
    int32_t row_slot, row_key_col;
    uint16_t nlocals, maxstack;
    int32_t file;
    uint32_t off, end; /* span of the rule's id */
} Rule;

/* Rules indexed on one field of the records of one claim list (lines by
 * item_code, diagnoses by code): `keys` is a two-column table (key, rule)
 * indexed on the key, prefix keys included, so a record finds the rules that
 * can match it with one probe per prefix length. */
typedef struct RuleIndex {
    int32_t list_field; /* claim field holding the list */
    int32_t field;      /* field of the list's records */
    Table *keys;        /* rows: key code, rule number */
} RuleIndex;

/* Debug information for `explain` (only with arb_config.debug_info): at
 * `pc` the VM reports the value(s) on the stack — the operands of a
 * comparison or membership test (PROBE_OPERANDS, 2 or 1 values), its result
 * (PROBE_RESULT), the value of a rule's `when` (PROBE_WHEN, with the
 * bindings in force), or the value of the left side of an `and`/`or` whose
 * right side (the probe's expression) was skipped (PROBE_SKIPPED; the left
 * side is the probe's operand a).  Only a short-circuit jump reaches a
 * PROBE_SKIPPED, and no jump lands on another probe of the right side. */
enum { PROBE_OPERANDS, PROBE_RESULT, PROBE_WHEN, PROBE_SKIPPED };

typedef struct ProbeBinding {
    int32_t slot;      /* local holding the record */
    int32_t key_field; /* its key field, -1 when none */
    const RecordType *rt;
    char name[24]; /* the variable's name in the rule */
} ProbeBinding;

typedef struct Probe {
    uint32_t pc;
    uint8_t kind, nvalues, nbind;
    int32_t file;
    uint32_t off, end;     /* the expression */
    uint32_t a_off, a_end; /* its left operand */
    uint32_t b_off, b_end; /* its right operand (2 values) */
    Type ta, tb;
    ProbeBinding bind[4];
} Probe;

/* Lua (see luart.h): a rule library's Lua modules, from `lua "file.lua"`
 * declarations or inline `lua [[ ... ]]` blocks, and the functions the
 * rules call, with the types the checker gave them. */
#define LUA_MAX_PARAMS 8

typedef struct LuaModule {
    const char *chunk; /* chunk name in Lua messages: the file as given */
    const char *name;  /* what `require` finds it by: the file name without .lua ("" inline) */
    const char *src;   /* the source (an inline block is padded so its lines are the rule file's) */
    uint32_t len;
} LuaModule;

typedef struct LuaFunc {
    const char *name;
    uint32_t module;
    uint32_t nparams;
    Type params[LUA_MAX_PARAMS]; /* scalars, records (claim, line, a table's rows), lists */
    Type result;                 /* bool int money date datetime duration code text */
} LuaFunc;
/* An inline test (`test "name" { claim {...} expect ... }` in a rule file):
 * its claims as JSON Lines in the readers' format (defaults filled in), and
 * expectations about the findings of the last claim.  Tests are kept for
 * `arbiter test`; rule packs do not carry them. */
typedef struct TestExpect {
    const char *rule; /* rule id */
    uint8_t negate;   /* expect no flag */
    int64_t line_no;  /* -1: any (or the claim) */
    int64_t amount;   /* cents; ARB_NULL: not checked */
    int32_t file;
    uint32_t off, end;
} TestExpect;

typedef struct InlineTest {
    const char *name;
    int32_t file;
    uint32_t off, end;
    const char *claims; /* JSON Lines, one claim a line */
    uint32_t claims_len, nclaims;
    const char *claim_id; /* the last claim's id */
    TestExpect *expects;
    uint32_t nexpects;
} InlineTest;

typedef struct Program {
    Arena ar;
    void *map; /* a loaded pack's mapping (strings and code point into it) */
    size_t map_size;
    int map_borrowed; /* map is the caller's memory (pack_load_mem): not unmapped */
    /* schema */
    EnumType **enums;
    uint32_t nenums;
    RecordType **records;
    uint32_t nrecords;
    const RecordType *claim; /* the root record type */
    /* rule library */
    Category *cats;
    uint32_t ncats;
    Table **tables;
    uint32_t ntables;
    Rule *rules;
    uint32_t nrules;
    /* code and constants */
    int32_t *code;
    uint32_t ncode;
    int32_t *ops; /* the rules' operand vectors (Rule.ops) */
    uint32_t nops;
    Value *consts;
    Type *const_types;
    uint32_t nconsts;
    Table **sets; /* string sets, as one-column tables */
    uint32_t nsets;
    /* per set, its members inline when it is small and has no prefix
     * members (program_inline_sets), else NULL: one or two cache lines to
     * read instead of the table, its slots, keys and their bytes */
    const uint8_t **small_sets;
    IntSet *intsets;
    uint32_t nintsets;
    struct Rx **regexes; /* regex.h */
    const char **regex_src;
    uint32_t nregexes;
    /* NULL: every regex is compiled (the compiler's own programs).  Packs
     * compile each pattern at its first use instead (REGEX_* states), so
     * loading a library with tens of thousands of patterns stays cheap. */
    _Atomic int *regex_state;
    Template *templates;
    uint32_t ntemplates;
    RuleIndex *indexes;
    uint32_t nindexes;
    Probe *probes; /* sorted by pc; NULL without debug information */
    uint32_t nprobes;
    uint8_t *probe_at;    /* per code word: 1 where a probe is */
    uint32_t *scan_rules; /* rules not in an index, in rule order */
    uint32_t nscan_rules;
    LuaModule *lua_modules;
    uint32_t nlua_modules;
    LuaFunc *lua_funcs;
    uint32_t nlua_funcs;
    /* derived fields of the claim and its records: computed before rules */
    uint32_t prepare_entry;             /* code that fills derived fields */
    uint32_t prepare_ops, prepare_nops; /* its operand vector */
    uint16_t prepare_nlocals, prepare_maxstack;
    int has_prepare;
    /* input profiles (`input NAME { ... }`, profile.h) */
    struct Profile *profiles;
    uint32_t nprofiles;
    /* the report configuration (`report { ... }`, report_cfg.h); its arrays
     * and strings are in the arena */
    arb_report_config report;
    /* inline tests (not in packs) */
    InlineTest *tests;
    uint32_t ntests;
} Program;

void program_free(Program *p);

/* A small set inline: the member count, then each member as its length
 * (one byte) and its bytes. */
#define SMALL_SET_MAX 16     /* members */
#define SMALL_SET_MAX_LEN 64 /* bytes of a member */

/* Fills p->small_sets from p->sets (in p's arena): sets of at most
 * SMALL_SET_MAX members, none a prefix nor longer than SMALL_SET_MAX_LEN.
 * Returns 0, or -1 when out of memory. */
int program_inline_sets(Program *p);

enum { REGEX_PENDING, REGEX_COMPILING, REGEX_READY, REGEX_BAD };

/* Regex i of p, compiled on first use when p came from a pack (safe to call
 * from several threads at once); NULL if the pattern does not compile. */
const struct Rx *program_regex(const Program *p, uint32_t i);

/* Counts for `arbiter lint --stats`.  A rule's shape is its bytecode with
 * constants, sets, tables and messages taken out: rules equal up to their
 * constants share a shape (and could share one compiled matcher).  A rule
 * indexed on a table's keys counts one rule row per key. */
typedef struct ProgramStats {
    uint32_t rules, shapes, shapes_of_one, largest_shape;
    uint32_t top_shapes[5]; /* rule counts of the five largest shapes */
    uint64_t rule_rows, index_keys;
    uint32_t indexed_rules, indexes;
} ProgramStats;

int program_stats(const Program *p, Alloc a, ProgramStats *out);

/* Whether operand i of instruction op may differ between rules of one shape
 * (constant, set, table, pattern, message and Lua function numbers).  Such
 * an operand is a slot in the running rule's operand vector: its value is
 * ops[operand]. */
int operand_varies(int op, int i);
/* Whether operand i of op is a code address. */
int operand_is_target(int op, int i);
/* The operand vector of rule r. */
static inline const int32_t *rule_ops(const Program *p, const Rule *r) {
    return p->ops + r->ops;
}
/* Hash of code[from..to) with jump targets taken relative to from;
 * code_equal compares two ranges the same way (equal code: one shape). */
uint64_t code_hash(const int32_t *code, uint32_t from, uint32_t to);
int code_equal(const int32_t *code, uint32_t a, uint32_t aend, uint32_t b, uint32_t bend);
/* Hash of code[from..to) with jump targets taken relative to from and, for
 * each constant, its kind (read through ops); shape_equal compares two
 * ranges the same way.  Rules with equal code but constants of different
 * kinds are different shapes. */
uint64_t shape_hash(const Program *p, uint32_t from, uint32_t to, const int32_t *ops);
int shape_equal(const Program *p, uint32_t a, uint32_t aend, const int32_t *aops, uint32_t b,
                uint32_t bend, const int32_t *bops);

#endif
