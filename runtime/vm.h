/* vm.h — the bytecode interpreter.  One VM per thread; the Program it runs
 * is shared and never written.  A claim is checked by computing its derived
 * fields, then running every rule of the requested phases whose effective
 * range covers the claim's as_of date. */
#ifndef ARB_VM_H
#define ARB_VM_H

#include "program.h"
#include "strbuf.h"

typedef struct Finding {
    uint32_t rule;       /* index in Program.rules */
    Value key;           /* key of the flagged record (line_no), if the rule flags one */
    int64_t amount;      /* cents */
    const char *message; /* NUL-terminated, in the arena given to vm_check_claim */
    uint32_t message_len;
} Finding;

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
    int no_index; /* run every rule on every record (for comparison) */
    uint64_t rules_run;
} VM;

int vm_init(VM *vm, const Program *p, Alloc a);
void vm_free(VM *vm);
/* Forgets the findings gathered so far. */
void vm_clear(VM *vm);

/* Checks one claim (its record; derived fields are written into it).
 * `phases` is a bit mask of phases (1 << PHASE_x).  Findings are appended to
 * vm->findings in rule order; their messages are allocated in ar.
 * Returns 0, or -1 when out of memory. */
int vm_check_claim(VM *vm, Value *claim, unsigned phases, Arena *ar);

/* Runs one rule on a claim whose derived fields are computed. */
int vm_run_rule(VM *vm, uint32_t rule, const Value *claim, Arena *ar);

#endif
