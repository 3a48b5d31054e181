/* vm.h — the bytecode interpreter.  One VM per thread; the Program it runs
 * is shared and never written.  A claim is checked by computing its derived
 * fields, then running every rule of the requested phases whose effective
 * range covers the claim's effective day (vm_effective_day). */
#ifndef ARB_VM_H
#define ARB_VM_H

#include <string.h>

#include "luart.h"
#include "program.h"
#include "regex.h"
#include "strbuf.h"

struct arb_evidence;

/* The earlier claims that made a finding (arbiter.h: their ids and as_of
 * times), oldest first, each once. */
typedef struct Evidence {
    uint32_t n;
    const struct arb_evidence *items;
} Evidence;

/* A finding's identity for vm_merge_findings: rule, flagged record, position. */
typedef struct MergeKey {
    uint32_t rule;
    uintptr_t target;
    size_t i;
} MergeKey;

typedef struct Finding {
    uint32_t rule;       /* index in Program.rules */
    Value key;           /* key of the flagged record (line_no), if the rule flags one */
    int64_t amount;      /* cents */
    const char *message; /* NUL-terminated, in the arena given to vm_check_claim */
    /* the history claims the rule found for this finding (NULL: none); in
     * the arena given to vm_check_claim */
    const Evidence *evidence;
    const Value *target;   /* the flagged record (the claim, a line) */
    const ArbStr *row_key; /* key of the row of the rule's first `match` (Rule.row_slot), or NULL */
    uint32_t nalso;        /* findings merged into this one (vm_merge_findings): */
    const char *const *also; /* their rows' keys, in the order they were found */
} Finding;

/* A rule that stopped because a Lua call failed (error, budget, memory,
 * wrong result type): the claim's other rules still run. */
typedef struct RuleFailure {
    uint32_t rule;
    const char *message; /* with the Lua traceback; in the arena of the claim */
} RuleFailure;

/* The item-code index's candidate rules of one code (run_index): rules
 * memo_rules[off .. off + n) of the VM, in rule order. */
typedef struct CandMemo {
    const ArbStr *code;
    uint32_t off, n;
    uint32_t gen; /* the slot is in use when this is the VM's memo_gen */
} CandMemo;
#define VM_HMEMO 4           /* history() lists kept for a claim */
#define VM_MEMO 64           /* slots, by the code's hash */

/* The item-code index's candidate rules of one code, kept across claims
 * (vm_index_candidates): the code's bytes are copied, so the entry outlives
 * the claim that brought it.  Codes longer than VM_CODE_MAX bytes or with
 * more than VM_CODE_CANDS candidates are looked up each time. */
#define VM_CODES 2048 /* slots, by the code's hash and the index */
#define VM_CODE_MAX 40
#define VM_CODE_CANDS 6
typedef struct CodeCands {
    const struct RuleIndex *ix; /* NULL: an empty slot */
    uint32_t hash;
    uint16_t len;
    uint16_t n;
    uint32_t cand[VM_CODE_CANDS]; /* in rule order, each once */
    char key[VM_CODE_MAX];
} CodeCands;

typedef struct VM {
    const Program *p;
    Alloc alloc;
    Value *stack;
    size_t stack_cap;
    Value *locals;
    size_t locals_cap;
    Finding *findings; /* findings of the claims checked since the last vm_clear */
    size_t nfindings, capfindings;
    StrBuf msg;     /* scratch for messages */
    uint32_t *cand; /* candidate rules of one record (item-code index) */
    size_t ncand, capcand;
    CandMemo *memo;    /* VM_MEMO slots: the candidates of the codes of the list being run */
    uint32_t memo_gen; /* the generation of memo's slots in use (one per list run) */
    uint32_t *memo_rules;
    CodeCands *codes; /* VM_CODES slots, made at the first look-up */
    size_t nmemo_rules, capmemo_rules;
    struct MergeKey *merge; /* scratch of vm_merge_findings */
    size_t capmerge;
    int no_index;                    /* run every rule on every record (for comparison) */
    const struct NativeCode *native; /* compiled rules, or NULL: interpret */
    /* explain: called at each probe with the values it watches */
    void (*trace)(void *ud, const Probe *p, const Value *values, const Value *locals);
    void *trace_ud;
    uint64_t rules_run;
    /* history(): the batch's per-person index and the claim's position in
     * it (NULL: every history is empty, as in single-claim sessions) */
    const struct HistIndex *hist;
    uint32_t hist_pos;
    int hist_oom; /* a history list could not be allocated */
    /* the claim's last VM_HMEMO history(dur) lists from hist, NULL ones
     * too (a rule asks again for each line, rules bound to lines take
     * turns): hmemo_n in use.  Forgotten, as SELECT's groups are, by
     * vm_select_forget, which each check and vm_run_rule begin with (no
     * derived field calls history(): lang/check.c) */
    const ArbList *hmemo[VM_HMEMO];
    int64_t hmemo_dur[VM_HMEMO];
    uint32_t hmemo_n, hmemo_next;
    /* history() from elsewhere (the history store, history/hsource.h):
     * asked when hist is NULL; NULL too: every history is empty */
    const ArbList *(*hist_fn)(void *ud, int64_t dur, Arena *ar, int *oom);
    void *hist_ud;
    /* evidence: the history claims noted (EVIDENCE) since the binding
     * being checked began (EVRESET); FLAG hands them to its finding */
    const Value **ev;
    size_t nev, capev;
    int ev_oom;       /* a claim could not be noted */
    int skip_prepare; /* derived fields are computed already (vm_prepare) */
    /* Lua: the state is made at the first call (one per VM, so per thread) */
    LuaRt *lua;
    LuaLimits lua_limits;
    int lua_broken;        /* the state could not be made: every call fails */
    uint64_t lua_seed;     /* the claim's seed for math.random (its id's hash) */
    int arith_overflow;    /* arithmetic of the rule being run went past int64 */
    int lua_reseed;        /* seed before the claim's next call */
    RuleFailure *failures; /* of the claims checked since the last vm_clear */
    size_t nfailures, capfailures;
    /* the effective-date chain after the as_of field (vm_effective_day):
     * the claim's admit_time, the `time` of its `lines` (-1: none) */
    int32_t eff_admit, eff_lines, eff_line_time;
    /* SELECT (vm_select): the groups of the lists met since the claim began */
    struct SelEntry *sel;
    size_t nsel, capsel;
    uint32_t sel_gen; /* the generation of the entries in use */
} VM;

int vm_init(VM *vm, const Program *p, Alloc a);
void vm_free(VM *vm);
/* Forgets the findings gathered so far. */
void vm_clear(VM *vm);

/* Checks one claim (its record; derived fields are written into it).
 * `phases` is a bit mask of phases (1 << PHASE_x).  Findings are appended to
 * vm->findings in rule order, one per rule and flagged record
 * (vm_merge_findings); their messages are allocated in ar.
 * Returns 0, or -1 when out of memory. */
int vm_check_claim(VM *vm, Value *claim, unsigned phases, Arena *ar);

/* SELECT: the items of list l whose string field f equals key, in list
 * order — copies of them in ar, grouped by the field at the second SELECT
 * of l and f since the claim began — or NULL when none (key missing
 * included).  At the first SELECT of l and f, a list of fewer than
 * VM_SELECT_MIN items, or one that could not be grouped for want of
 * memory, l is returned whole: the code that
 * loops over the result tests the field again, so more items than those
 * equal to key are never a wrong answer. */
#define VM_SELECT_MIN 8
const ArbList *vm_select(VM *vm, const ArbList *l, const ArbStr *key, int32_t f, Arena *ar);
/* SELDAY: the items of list l whose datetime field t falls on `day` (days
 * since the epoch), as vm_select: grouped by day at the second SELDAY of l
 * and t since the claim began, l whole before, NULL when none (day missing
 * included).  After a SELECT, it narrows a code's group to its lines of a
 * day; the code looping over the result tests the day again. */
const ArbList *vm_select_day(VM *vm, const ArbList *l, int64_t day, int32_t t, Arena *ar);
/* SELIN: the records of list h (claims from history()) whose list field lf
 * holds an item whose string field f equals key, each once, in h's order
 * (copies in ar, grouped at the second SELIN of those records, lf and f
 * since the claim began; h whole before), or NULL when none (key missing
 * included).  Before `p in h, x in p.lf where x.f == key ...`, it leaves
 * out the records whose items would all fail the first conjunct. */
const ArbList *vm_select_in(VM *vm, const ArbList *h, const ArbStr *key, int32_t lf, int32_t f,
                            Arena *ar);
/* Forgets the groups and the last history() list: the lists they were made
 * of are another claim's. */
void vm_select_forget(VM *vm);

/* The item-code index's candidates of one record, worked out before the
 * claim is checked (a prepared claim set, api/claimset.c): the record at
 * position rec of index `index`'s list, and the rules the index lists under
 * its code (exactly or by prefix), in rule order, each once. */
typedef struct VmCand {
    uint32_t index; /* in Program.indexes */
    uint32_t rec;   /* the record's position in the index's list */
    const uint32_t *rules;
    size_t nrules;
} VmCand;

/* vm_check_claim with the index's work done ahead: cands[0..ncands) are the
 * claim's records that have candidates (vm_index_candidates), in index
 * order, then record order within an index; a record with none is not
 * looked at.  Gives exactly vm_check_claim's findings when the candidates
 * are the index's (whatever vm->no_index says). */
int vm_check_claim_cands(VM *vm, Value *claim, unsigned phases, Arena *ar, const VmCand *cands,
                         size_t ncands);

/* The rules index ix lists under code s (exactly, then by each prefix length
 * present), in rule order, each once: into vm->cand[0..vm->ncand).  0, or -1
 * when out of memory. */
int vm_index_candidates(VM *vm, const RuleIndex *ix, const ArbStr *s);

/* One finding per rule and flagged record (a line, or the claim): of the
 * findings[from..] with one rule and one target, the first found is kept
 * (its amount, message and evidence: for a rule matching a table, the
 * first matching row in match order — rows of the exact key, then of
 * prefix keys from the shortest, each key's rows in table order) and the
 * others are dropped, their row keys listed in its `also` (in ar).  The
 * order of the findings kept does not change.  0, or -1 when out of
 * memory. */
int vm_merge_findings(VM *vm, size_t from, Arena *ar);

/* The day (days since 1970-01-01) a rule's effective range is judged
 * against for this claim: its as_of field (settle_time), else its
 * admit_time, else the earliest time of its lines (a pre-audit claim is not
 * settled yet); ARB_NULL when none is known (every rule applies).  The two
 * later fields are found by name in the schema (date or datetime). */
int64_t vm_effective_day(const VM *vm, const Value *claim);

/* Computes a claim's derived fields only (vm_check_claim does it too,
 * unless skip_prepare is set).  Returns 0, or -1 when out of memory. */
int vm_prepare(VM *vm, Value *claim, Arena *ar);
/* history(dur) of the claim being checked (the HISTORY instruction). */
const ArbList *vm_history(VM *vm, int64_t dur, Arena *ar);
/* MATCHESR: s matches the program's regex number re (false when either is
 * missing or re is out of range). */
int64_t vm_matches_regex(const Program *p, const ArbStr *s, int64_t re);

/* Whether s (not NULL) matches regex i of p (a pattern that does not
 * compile matches nothing). */
static inline int vm_regexec(const Program *p, uint32_t i, const ArbStr *s) {
    const Rx *re = program_regex(p, i);
    return re && rx_match(re, s->data, s->len);
}

/* Pieces shared by the interpreter and native code. */
int vm_set_has(const Table *t, const ArbStr *s);
/* Whether s is a member of the small set b (program_inline_sets). */
static inline int vm_small_has(const uint8_t *b, const ArbStr *s) {
    if (!s) return 0;
    const uint8_t *m = b + 1;
    for (uint32_t k = b[0]; k; k--, m += 1 + m[0])
        if (m[0] == s->len &&
            (!s->len || (m[1] == (uint8_t)s->data[0] && !memcmp(m + 1, s->data, s->len))))
            return 1;
    return 0;
}
/* Whether s is in set i of p (the INSET instruction). */
static inline int vm_inset(const Program *p, int32_t i, const ArbStr *s) {
    const uint8_t *b = p->small_sets ? p->small_sets[i] : NULL;
    return b ? vm_small_has(b, s) : vm_set_has(p->sets[i], s);
}
int vm_intset_has(const IntSet *s, int64_t v);
int64_t vm_age_years(int64_t birth, int64_t at);
int64_t vm_utf8_chars(const ArbStr *s);
/* Whether s starts with prefix (0 when either is missing). */
int64_t vm_starts_with(const ArbStr *s, const ArbStr *prefix);
/* The next row of a MATCH (state st[0..3]) into *var; 0 when no more. */
int vm_next_row(const Table *t, Value *st, Value *var);
/* EVIDENCE: notes claim record rec (from history) for the next finding;
 * EVRESET (rec NULL): forgets what was noted. */
void vm_evidence(VM *vm, const Value *rec);
/* Records a finding: args[0] amount, args[1..nargs] message values; the
 * evidence noted is sorted (oldest first), made unique and copied to it. */
int vm_flag(VM *vm, uint32_t rule, const Value *target, int32_t tmpl, int32_t nargs,
            const Value *args, Arena *ar);

/* Runs one rule on a claim whose derived fields are computed.  Returns 0,
 * -1 when out of memory, or 1 when a Lua call failed (the rule stopped;
 * the failure is in vm->failures). */
int vm_run_rule(VM *vm, uint32_t rule, const Value *claim, Arena *ar);

/* Calls Lua function fn for `rule` with its arguments; the result goes to
 * *out.  0, 1 (failed: recorded in vm->failures) or -1 (out of memory). */
int vm_lua_call(VM *vm, uint32_t rule, int32_t fn, const Value *args, Value *out, Arena *ar);

#endif
