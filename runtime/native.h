/* native.h — the interface between the VM and natively compiled rules (JIT
 * now, shared objects later).  Nothing here links LLVM.
 *
 * Rules equal up to their constants share a shape (program_stats); one native
 * function is compiled per shape.  It receives the rule's operand vector, from
 * which it reads the operands that differ between rules of the shape
 * (constant, set, table and message numbers), so one function serves every
 * rule of the shape.  Work that is not a few instructions (set and table
 * lookups, regular expressions, findings) is done by calling back into the
 * runtime through the helper table in NativeCtx. */
#ifndef ARB_NATIVE_H
#define ARB_NATIVE_H

#include "vm.h"

typedef struct NativeCtx NativeCtx;

/* A compiled shape: ops is the running rule's operand vector, locals the
 * frame (local 0 holds the claim, a bound rule's record is preset).
 * Returns 0, -1 when out of memory, or 1 when a Lua call failed. */
typedef int (*NativeFn)(NativeCtx *ctx, const int32_t *ops, Value *locals);

/* The runtime's helpers, called by native code.  Their order is part of the
 * ABI between the runtime and compiled code: append only. */
typedef struct NativeHelpers {
    int64_t (*set_has)(NativeCtx *c, int32_t set, const ArbStr *s);
    int64_t (*table_has)(NativeCtx *c, int32_t table, const ArbStr *s);
    int64_t (*intset_has)(NativeCtx *c, int32_t set, int64_t v);
    int64_t (*matches)(NativeCtx *c, int32_t regex, const ArbStr *s);
    int64_t (*str_cmp)(const ArbStr *a, const ArbStr *b); /* -1/0/1; callers check NULL */
    int64_t (*age)(int64_t birth, int64_t at);
    int64_t (*year)(int64_t days);
    int64_t (*month)(int64_t days);
    int64_t (*len)(const ArbStr *s);
    /* MATCH: starts the row iteration in state[0..3] for key */
    void (*match_start)(Value *state, const ArbStr *key);
    /* NEXTROW: binds the next matching row to *var; 0 when there is none */
    int64_t (*next_row)(NativeCtx *c, int32_t table, Value *state, Value *var);
    /* FLAG: args[0] is the amount, args[1..nargs] the message values */
    int64_t (*flag)(NativeCtx *c, const Value *target, int32_t tmpl, int32_t nargs,
                    const Value *args);
    /* HISTORY: the claim's history within dur (a list, NULL when empty) */
    const ArbList *(*history)(NativeCtx *c, int64_t dur);
    /* STARTS: whether s starts with prefix (0 when either is NULL) */
    int64_t (*starts_with)(const ArbStr *s, const ArbStr *prefix);
    /* LUACALL: function fn with args[0..nargs); the result replaces args[0].
     * 0, 1 when the call failed (the rule stops: return 1), -1 out of memory */
    int64_t (*lua_call)(NativeCtx *c, int32_t fn, int32_t nargs, Value *args);
    /* MATCHESR: s matches regex number re (a regex column's value) */
    int64_t (*matches_regex)(NativeCtx *c, const ArbStr *s, int64_t re);
    /* EVIDENCE: notes claim record rec; EVRESET: rec is NULL (vm_evidence) */
    void (*evidence)(NativeCtx *c, const Value *rec);
    /* ADD, SUB, MUL, MULK, ACCADD: a result past int64 (the rule fails) */
    void (*overflow)(NativeCtx *c);
    /* SELECT: the items of list l whose field f equals key (vm_select) */
    const ArbList *(*select)(NativeCtx *c, const ArbList *l, const ArbStr *key, int32_t f);
    /* SELDAY: the items of list l whose datetime field t is on day (vm_select_day) */
    const ArbList *(*select_day)(NativeCtx *c, const ArbList *l, int64_t day, int32_t t);
    /* SELIN: the records of h with an item of list field lf whose field f equals key
     * (vm_select_in); lf and f in one word, lf << 16 | f */
    const ArbList *(*select_in)(NativeCtx *c, const ArbList *h, const ArbStr *key, int32_t lff);
} NativeHelpers;

struct NativeCtx {
    const NativeHelpers *h; /* offset 0: read by compiled code */
    const Value *consts;    /* offset 8: the program's constants */
    VM *vm;
    Arena *ar;
    const Value *claim;
    uint32_t rule;
};

/* Native functions of a program: per rule, for its entry and bound entry
 * (NULL where none). */
typedef struct NativeCode {
    NativeFn *entry;
    NativeFn *bound;
    uint32_t nrules;
    uint32_t shapes; /* functions compiled */
} NativeCode;

extern const NativeHelpers native_helpers;

/* A shared object made by `arbiter compile --native` exports, as C data:
 * NATIVE_SYM_INFO (a NativeInfo) and, per rule, the functions of its entry
 * and bound entry (NULL where none).  The runtime loads it with dlopen and
 * refuses one of another format, rule count or pack. */
#define NATIVE_FORMAT                                                                              \
    7 /* 2: matches_regex helper; 3: helpers history, starts_with, lua_call, matches_regex in that \
         order; 4: shape functions take the rule's operand vector; 5: evidence helper;             \
         6: select helper; 7: select_day and select_in helpers */
#define NATIVE_SYM_INFO "arbiter_native_info"
#define NATIVE_SYM_ENTRY "arbiter_native_entry"
#define NATIVE_SYM_BOUND "arbiter_native_bound"

typedef struct NativeInfo {
    uint32_t format;
    uint32_t nrules;
    uint64_t pack_checksum; /* the pack it was compiled with */
} NativeInfo;

/* Runs rule `rule` natively with fn: the function of its entry, or of its
 * bound entry with the record already in its slot. */
int native_run(VM *vm, NativeFn fn, uint32_t rule, const Value *claim, Arena *ar);

/* Shape grouping: for each of the n code ranges [from[i], to[i]), run with
 * the operand vector of rule rule[i], the index of the first range with the
 * same shape (itself when it is the first).  Returns 0 or -1 when out of
 * memory. */
int native_group_shapes(const Program *p, const uint32_t *from, const uint32_t *to,
                        const uint32_t *rule, uint32_t n, uint32_t *rep, Alloc a);

#endif
