/* verify.c — the bytecode verifier (see verify.h). */
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

static int is_jump(int op) {
    return op == OPC_JMP || op == OPC_JZ || op == OPC_JNZ || op == OPC_JZK || op == OPC_JNZK;
}

/* Values an instruction takes off the stack. */
static int pops(int op, const int32_t *a) {
    switch (op) {
    case OPC_HALT:
    case OPC_CONST:
    case OPC_LOAD:
    case OPC_LFIELD:
    case OPC_JMP:
    case OPC_NEXT:
    case OPC_NEXTROW: return 0;
    case OPC_ADD:
    case OPC_SUB:
    case OPC_MUL:
    case OPC_DIV:
    case OPC_EQ:
    case OPC_NE:
    case OPC_LT:
    case OPC_LE:
    case OPC_GT:
    case OPC_GE:
    case OPC_SEQ:
    case OPC_SNE:
    case OPC_SLT:
    case OPC_SLE:
    case OPC_SGT:
    case OPC_SGE:
    case OPC_COAL:
    case OPC_SCOAL:
    case OPC_AGE:
    case OPC_STARTS:
    case OPC_MATCHESR: return 2;
    case OPC_FLAG: return a[2] + 1;
    case OPC_LUACALL: return a[1];
    default: return 1;
    }
}

/* Checks of the operands that vary between rules of a shape: each is a slot
 * in the rule's operand vector ops[0..nops), and the value there must name
 * a constant, set, table, pattern, message or Lua function that exists. */
static const char *check_varying(const Program *p, uint32_t pc, const int32_t *ops, uint32_t nops) {
    const int32_t *a = p->code + pc + 1;
    int op = p->code[pc];
    int32_t v[4] = {0, 0, 0, 0};
    for (int i = 0; i < opcode_nargs[op]; i++) {
        if (!operand_varies(op, i)) continue;
        if (a[i] < 0 || (uint32_t)a[i] >= nops) return "operand slot outside the operand vector";
        v[i] = ops[a[i]];
    }
#define IN(x, n) ((x) >= 0 && (uint32_t)(x) < (n))
    switch (op) {
    case OPC_CONST: return IN(v[0], p->nconsts) ? NULL : "constant out of range";
    case OPC_INSET: return IN(v[0], p->nsets) ? NULL : "set out of range";
    case OPC_ININT: return IN(v[0], p->nintsets) ? NULL : "set out of range";
    case OPC_INTABLE: return IN(v[0], p->ntables) ? NULL : "table out of range";
    case OPC_MATCHES: return IN(v[0], p->nregexes) ? NULL : "pattern out of range";
    case OPC_MATCH: return IN(v[1], p->ntables) ? NULL : "table out of range";
    case OPC_NEXTROW: return IN(v[0], p->ntables) ? NULL : "table out of range";
    case OPC_FLAG: {
        if (v[1] == -1) return a[2] == 0 ? NULL : "arguments without a message";
        if (!IN(v[1], p->ntemplates)) return "message out of range";
        uint32_t values = 0;
        for (uint32_t i = 0; i < p->templates[v[1]].nparts; i++)
            values += !p->templates[v[1]].parts[i].text;
        return values == (uint32_t)a[2] ? NULL : "message arguments do not match the message";
    }
    case OPC_LUACALL:
        if (!IN(v[0], p->nlua_funcs)) return "Lua function out of range";
        return a[1] == (int32_t)p->lua_funcs[v[0]].nparams
                   ? NULL
                   : "Lua call with the wrong argument count";
    default: return NULL;
    }
#undef IN
}

/* Whether instruction op has an operand that varies between rules. */
static int has_varying(int op) {
    for (int i = 0; i < opcode_nargs[op]; i++)
        if (operand_varies(op, i)) return 1;
    return 0;
}

/* Operand checks that do not depend on the stack; the varying ones only
 * when the operand vector is given. */
static const char *check_operands(const Program *p, uint32_t pc, uint32_t nlocals,
                                  const int32_t *ops, uint32_t nops) {
    const int32_t *a = p->code + pc + 1;
    int op = p->code[pc];
#define LOCAL(x) ((x) >= 0 && (uint32_t)(x) < nlocals)
    switch (op) {
    case OPC_LOAD:
    case OPC_STORE:
    case OPC_LFIELD:
    case OPC_STFIELD:
    case OPC_ACCADD:
    case OPC_ACCMIN:
    case OPC_ACCMAX:
        if (!LOCAL(a[0])) return "local out of range";
        break;
    case OPC_DIVK:
        if (a[0] == 0) return "division by a zero constant";
        break;
    case OPC_LOOP:
        if (!LOCAL(a[0]) || !LOCAL(a[1])) return "local out of range";
        break;
    case OPC_NEXT:
        if (!LOCAL(a[0]) || !LOCAL(a[1]) || !LOCAL(a[2])) return "local out of range";
        break;
    case OPC_MATCH:
        if (!LOCAL(a[0]) || !LOCAL(a[0] + 3)) return "local out of range";
        break;
    case OPC_NEXTROW:
        if (!LOCAL(a[1]) || !LOCAL(a[1] + 3) || !LOCAL(a[2])) return "local out of range";
        break;
    case OPC_FLAG:
        if (a[0] != -1 && !LOCAL(a[0])) return "local out of range";
        if (a[2] < 0) return "negative argument count";
        break;
    case OPC_LUACALL:
        if (a[1] < 0) return "negative argument count";
        break;
    default: break;
    }
#undef LOCAL
    return ops ? check_varying(p, pc, ops, nops) : NULL;
}

/* verify_code with scratch space for n + 1 entries supplied by the caller. */
static int verify_range(const Program *p, uint32_t from, uint32_t to, uint32_t nlocals,
                        uint32_t maxstack, const int32_t *ops, uint32_t nops, int *depth,
                        unsigned char *start, uint32_t *work, char *err, size_t errcap) {
    const int32_t *code = p->code;
    uint32_t n = to - from;
    memset(start, 0, n + 1);
    const char *why = NULL;
    uint32_t at = from;
    for (uint32_t pc = from; pc < to && !why;) {
        at = pc;
        if (code[pc] < 0 || code[pc] >= OPC__COUNT) {
            why = "unknown instruction";
            break; /* its length is unknown too */
        }
        uint32_t next = pc + 1 + opcode_nargs[code[pc]];
        if (next > to) {
            why = "instruction runs past the end";
        } else {
            start[pc - from] = 1;
            why = check_operands(p, pc, nlocals, ops, nops);
        }
        pc = next;
    }
    for (uint32_t i = 0; i < n; i++) depth[i] = -1;
    size_t nw = 0;
    if (!why) {
        depth[0] = 0;
        work[nw++] = from;
    }
#define GO(target, d)                                                                              \
    do {                                                                                           \
        uint32_t t_ = (uint32_t)(target);                                                          \
        int d_ = (d);                                                                              \
        if (t_ < from || t_ >= to || !start[t_ - from]) {                                          \
            why = "jump to no instruction";                                                        \
            break;                                                                                 \
        }                                                                                          \
        if (d_ < 0) {                                                                              \
            why = "the stack runs under";                                                          \
            break;                                                                                 \
        }                                                                                          \
        if ((uint32_t)d_ > maxstack) {                                                             \
            why = "the stack grows past its limit";                                                \
            break;                                                                                 \
        }                                                                                          \
        if (depth[t_ - from] < 0) {                                                                \
            depth[t_ - from] = d_;                                                                 \
            work[nw++] = t_;                                                                       \
        } else if (depth[t_ - from] != d_)                                                         \
            why = "the stack differs where paths join";                                            \
    } while (0)
    while (nw && !why) {
        uint32_t pc = work[--nw];
        at = pc;
        int op = code[pc], d = depth[pc - from];
        const int32_t *a = code + pc + 1;
        uint32_t next = pc + 1 + opcode_nargs[op];
        int e = opcode_stack_effect(op, a);
        if (d < pops(op, a)) {
            why = "the stack runs under";
            break;
        }
        if (op == OPC_HALT) continue;
        if (op == OPC_JMP) {
            GO(a[0], d);
        } else if (op == OPC_JZK || op == OPC_JNZK) {
            GO(a[0], d);
            GO(next, d - 1);
        } else if (is_jump(op)) {
            GO(a[0], d - 1);
            GO(next, d - 1);
        } else if (op == OPC_NEXT || op == OPC_NEXTROW) {
            GO(a[3], d);
            GO(next, d);
        } else {
            GO(next, d + e);
        }
    }
#undef GO
    if (why) {
        snprintf(err, errcap, "bytecode at %u: %s", at, why);
        return -1;
    }
    return 0;
}

int verify_code(const Program *p, uint32_t from, uint32_t to, uint32_t nlocals, uint32_t maxstack,
                const int32_t *ops, uint32_t nops, int *depth, char *err, size_t errcap) {
    if (from >= to || to > p->ncode) {
        snprintf(err, errcap, "code range %u..%u outside the program", from, to);
        return -1;
    }
    unsigned char *start = malloc(to - from + 1);
    uint32_t *work = malloc((to - from + 1) * sizeof(uint32_t));
    int rc = -1;
    if (start && work)
        rc = verify_range(p, from, to, nlocals, maxstack, ops, nops, depth, start, work, err,
                          errcap);
    else
        snprintf(err, errcap, "out of memory");
    free(start);
    free(work);
    return rc;
}

/* A code range verified once, for all the rules that share it: what it was
 * verified with and where its instructions with varying operands are (in
 * Verifier.sites), which are all that differs for the next rule. */
typedef struct Verified {
    uint32_t to, nlocals, maxstack;
    uint32_t sites, nsites;
} Verified;

typedef struct Verifier {
    const Program *p;
    int *depth;
    unsigned char *start;
    uint32_t *work;
    int32_t *at;     /* per code word: its Verified when a range starts there, else -1 */
    Verified *done;  /* one per range verified */
    uint32_t *sites; /* pcs */
    uint32_t ndone, nsites;
} Verifier;

/* Verifies code[from..to) for a rule with these locals, stack and operand
 * vector: in full the first time, afterwards only its varying operands. */
static int verify_shared(Verifier *v, uint32_t from, uint32_t to, uint32_t nlocals,
                         uint32_t maxstack, const int32_t *ops, uint32_t nops, char *err,
                         size_t errcap) {
    const Program *p = v->p;
    if (from >= to || to > p->ncode) {
        snprintf(err, errcap, "code range %u..%u outside the program", from, to);
        return -1;
    }
    int32_t k = v->at[from];
    if (k >= 0 && v->done[k].to == to && v->done[k].nlocals == nlocals &&
        v->done[k].maxstack == maxstack) {
        const Verified *d = &v->done[k];
        for (uint32_t i = 0; i < d->nsites; i++) {
            const char *why = check_varying(p, v->sites[d->sites + i], ops, nops);
            if (why) {
                snprintf(err, errcap, "bytecode at %u: %s", v->sites[d->sites + i], why);
                return -1;
            }
        }
        return 0;
    }
    if (verify_range(p, from, to, nlocals, maxstack, ops, nops, v->depth, v->start, v->work, err,
                     errcap) != 0)
        return -1;
    /* verified with other limits before, or ranges that overlap: not cached */
    if (k >= 0 || v->nsites + (to - from) > p->ncode + 1) return 0;
    v->at[from] = (int32_t)v->ndone;
    Verified *d = &v->done[v->ndone++];
    *d = (Verified){to, nlocals, maxstack, v->nsites, 0};
    for (uint32_t pc = from; pc < to; pc += 1 + opcode_nargs[p->code[pc]])
        if (has_varying(p->code[pc])) v->sites[v->nsites++] = pc, d->nsites++;
    return 0;
}

/* Whether [base, base + n) lies within the program's operand vectors. */
static int ops_in_range(const Program *p, uint32_t base, uint32_t n) {
    return base <= p->nops && n <= p->nops - base;
}

int verify_program(const Program *p, char *err, size_t errcap) {
    Verifier v = {p, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0};
    size_t n = (size_t)p->ncode + 1;
    v.depth = malloc(n * sizeof(int));
    v.start = malloc(n);
    v.work = malloc(n * sizeof(uint32_t));
    v.at = malloc(n * sizeof(int32_t));
    /* each range starts at its own word and holds its own sites */
    v.done = malloc(n * sizeof(Verified));
    v.sites = malloc(n * sizeof(uint32_t));
    int rc = -1;
    if (!v.depth || !v.start || !v.work || !v.at || !v.done || !v.sites) {
        snprintf(err, errcap, "out of memory");
        goto out;
    }
    memset(v.at, 0xff, n * sizeof(int32_t));
    rc = 0;
    for (uint32_t i = 0; i < p->nrules && rc == 0; i++) {
        const Rule *r = &p->rules[i];
        if (!ops_in_range(p, r->ops, r->nops)) {
            snprintf(err, errcap, "rule %s: operand vector out of range", r->id);
            rc = -1;
            break;
        }
        const int32_t *ops = rule_ops(p, r);
        rc = verify_shared(&v, r->entry, r->code_end, r->nlocals, r->maxstack, ops, r->nops, err,
                           errcap);
        if (rc == 0 && r->index >= 0)
            rc = verify_shared(&v, r->bound_entry, r->bound_end, r->nlocals, r->maxstack, ops,
                               r->nops, err, errcap);
        if (rc == 0 && r->index >= 0 &&
            (r->bound_slot < 0 || (uint32_t)r->bound_slot >= r->nlocals)) {
            snprintf(err, errcap, "rule %s: bound slot out of range", r->id);
            rc = -1;
        }
    }
    if (rc == 0 && p->has_prepare) {
        uint32_t end = p->prepare_entry;
        while (end < p->ncode && p->code[end] != OPC_HALT) {
            int op = p->code[end];
            if (op < 0 || op >= OPC__COUNT) break;
            end += 1 + opcode_nargs[op];
        }
        if (!ops_in_range(p, p->prepare_ops, p->prepare_nops)) {
            snprintf(err, errcap, "derived fields: operand vector out of range");
            rc = -1;
        } else {
            rc = verify_shared(&v, p->prepare_entry, end < p->ncode ? end + 1 : p->ncode,
                               p->prepare_nlocals, p->prepare_maxstack, p->ops + p->prepare_ops,
                               p->prepare_nops, err, errcap);
        }
    }
out:
    free(v.depth);
    free(v.start);
    free(v.work);
    free(v.at);
    free(v.done);
    free(v.sites);
    return rc;
}
