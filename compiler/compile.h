/* compile.h — the code generator: checked syntax trees to bytecode.  The
 * checker calls it once per rule and once for the derived fields, through
 * the CheckGen that check_build gives it (check.h); check_build is the whole
 * front end: text to program. */
#ifndef ARB_COMPILE_H
#define ARB_COMPILE_H

#include "ast.h"
#include "check.h"
#include "program.h"

/* One copy of code shared by the rules of a shape (see cg_rule_end). */
typedef struct SharedCode {
    uint64_t hash;
    uint32_t entry, split, end; /* the rule's code, then its bound code from split */
} SharedCode;

typedef struct CodeGen {
    Alloc alloc;
    Program *p;
    DiagList *diags;
    int32_t *code;
    size_t ncode, capcode;
    int32_t *ops; /* operand vectors (Program.ops) */
    size_t nops, capops;
    size_t ops_base;    /* where the vector of the code being emitted starts */
    SharedCode *shared; /* hash set of the rules' code, by shape */
    size_t nshared, capshared;
    Value *consts;
    Type *const_types;
    size_t nconsts, capconsts;
    uint32_t *const_slots; /* hash set of constants (index + 1, 0 empty) */
    size_t capconst_slots;
    uint32_t *template_slots; /* hash set of templates, likewise */
    size_t captemplate_slots;
    Table **sets;
    size_t nsets, capsets;
    IntSet *intsets;
    size_t nintsets, capintsets;
    struct Rx **regexes; /* regex.h */
    const char **regex_src;
    size_t nregexes, capregexes;
    Template *templates;
    size_t ntemplates, captemplates;
    int depth, maxdepth; /* value stack depth while emitting */
    int debug;           /* record probes for `explain` */
    int in_aggregate;    /* no probes inside aggregates (too many) */
    int in_when;         /* compiling a rule's when (exists/all are probed there) */
    int in_prepare;      /* compiling derived fields (no SELECT: records are being written) */
    /* the rule reads history(): each binding starts with EVRESET, and the
     * claims its history aggregates find are noted (EVIDENCE) */
    int evidence;
    Probe *probes;
    size_t nprobes, capprobes;
    int oom;
} CodeGen;

void cg_init(CodeGen *g, Program *p, Alloc a, DiagList *diags);
/* Frees the buffers (after cg_finish has copied them, or on failure). */
void cg_free(CodeGen *g);

/* Emits a rule: binders (for, match), condition, flag.  `clauses` are the
 * rule's checked clause nodes; the Rule gets entry, code_end and maxstack.
 * With g->evidence set, the code notes the history claims behind each
 * finding: EVRESET where a binding's condition starts, EVIDENCE for the
 * item of a history() binder of an aggregate whose `where` held (or of a
 * `for` over history() when the rule flags). */
int cg_rule(CodeGen *g, Node *clauses, Rule *r);
/* Emits the same rule with its first `for` bound by the caller (the
 * item-code index runs it once per candidate line); sets bound_entry.
 * `decided`: the conjunct of `when` the index decides (it lists the rule
 * under exactly the records for which it holds), left out of this code
 * (not with probes), or NULL. */
int cg_rule_bound(CodeGen *g, Node *clauses, Rule *r, const Node *decided);
/* Ends a rule: when an earlier rule has the same code (the same shape: the
 * constants differ only in the operand vectors), the rule's new code is
 * dropped and it points at the earlier copy.  Not with probes (`explain`
 * needs each rule's code at its own addresses). */
int cg_rule_end(CodeGen *g, Rule *r);

/* Emits the code computing derived fields.  `fields` lists, per record type
 * in the order they must be computed, FIELD nodes with their checked
 * expressions; `list_field` says for each which claim list holds those
 * records (-1: the claim itself). */
int cg_prepare(CodeGen *g, Node **fields, const int32_t *list_field, size_t n, int32_t loop_slot);

/* Registers a compiled regular expression; returns its index or -1 and
 * reports the error at `at`. */
int cg_regex(CodeGen *g, Node *at, const char *pattern);
/* The same for a pattern from data (a regex column's cell): -1 with the
 * reason in err when it does not compile (or out of memory). */
int cg_regex_text(CodeGen *g, const char *pattern, char *err, size_t cap);
/* Registers a message template (or finds an equal one); returns its index
 * or -1. */
int cg_template(CodeGen *g, Template t);

/* Moves code and constants into the program. */
int cg_finish(CodeGen *g);

/* Checks and compiles: the prelude (may be NULL), then each source given
 * (indexes into `sources`, files already read), following imports.  Tables'
 * CSV files and imported files are added to `sources`.  Returns the program,
 * or NULL when there were errors (all of them are in diags).  The checker
 * (check_run) hands each rule to a code generator as soon as it is checked. */
Program *check_build(Alloc a, SourceList *sources, const int *files, size_t nfiles, DiagList *diags,
                     int debug_info);
/* check_build that also fills `index` (initialized by the caller) with the
 * declarations and uses of every named thing it resolves (check_run,
 * symindex.h).  The index keeps what it needs (names, details, spans), so
 * it outlives the program, which is NULL when there were errors, as for
 * check_build. */
Program *check_build_indexed(Alloc a, SourceList *sources, const int *files, size_t nfiles,
                             DiagList *diags, int debug_info, SymIndex *index);

#endif
