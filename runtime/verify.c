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
    case OPC_STARTS: return 2;
    case OPC_FLAG: return a[2] + 1;
    case OPC_LUACALL: return a[1];
    default: return 1;
    }
}

/* Operand checks that do not depend on the stack. */
static const char *check_operands(const Program *p, uint32_t pc, uint32_t nlocals) {
    const int32_t *a = p->code + pc + 1;
    int op = p->code[pc];
#define LOCAL(x) ((x) >= 0 && (uint32_t)(x) < nlocals)
    switch (op) {
    case OPC_CONST:
        return a[0] >= 0 && (uint32_t)a[0] < p->nconsts ? NULL : "constant out of range";
    case OPC_LOAD:
    case OPC_STORE:
    case OPC_LFIELD:
    case OPC_STFIELD:
    case OPC_ACCADD:
    case OPC_ACCMIN:
    case OPC_ACCMAX: return LOCAL(a[0]) ? NULL : "local out of range";
    case OPC_MULK:
    case OPC_DIVK: return op == OPC_DIVK && a[0] == 0 ? "division by a zero constant" : NULL;
    case OPC_INSET: return a[0] >= 0 && (uint32_t)a[0] < p->nsets ? NULL : "set out of range";
    case OPC_ININT: return a[0] >= 0 && (uint32_t)a[0] < p->nintsets ? NULL : "set out of range";
    case OPC_INTABLE: return a[0] >= 0 && (uint32_t)a[0] < p->ntables ? NULL : "table out of range";
    case OPC_MATCHES:
        return a[0] >= 0 && (uint32_t)a[0] < p->nregexes ? NULL : "pattern out of range";
    case OPC_LOOP: return LOCAL(a[0]) && LOCAL(a[1]) ? NULL : "local out of range";
    case OPC_NEXT: return LOCAL(a[0]) && LOCAL(a[1]) && LOCAL(a[2]) ? NULL : "local out of range";
    case OPC_MATCH:
        if (!(a[1] >= 0 && (uint32_t)a[1] < p->ntables)) return "table out of range";
        return LOCAL(a[0]) && LOCAL(a[0] + 3) ? NULL : "local out of range";
    case OPC_NEXTROW:
        if (!(a[0] >= 0 && (uint32_t)a[0] < p->ntables)) return "table out of range";
        return LOCAL(a[1]) && LOCAL(a[1] + 3) && LOCAL(a[2]) ? NULL : "local out of range";
    case OPC_FLAG: {
        if (a[0] != -1 && !LOCAL(a[0])) return "local out of range";
        if (a[2] < 0) return "negative argument count";
        if (a[1] == -1) return a[2] == 0 ? NULL : "arguments without a message";
        if (a[1] < 0 || (uint32_t)a[1] >= p->ntemplates) return "message out of range";
        uint32_t values = 0;
        for (uint32_t i = 0; i < p->templates[a[1]].nparts; i++)
            values += !p->templates[a[1]].parts[i].text;
        return values == (uint32_t)a[2] ? NULL : "message arguments do not match the message";
    }
    case OPC_LUACALL:
        if (!(a[0] >= 0 && (uint32_t)a[0] < p->nlua_funcs)) return "Lua function out of range";
        return a[1] == (int32_t)p->lua_funcs[a[0]].nparams
                   ? NULL
                   : "Lua call with the wrong argument count";
    default: return NULL;
    }
#undef LOCAL
}

/* verify_code with scratch space for n + 1 entries supplied by the caller. */
static int verify_range(const Program *p, uint32_t from, uint32_t to, uint32_t nlocals,
                        uint32_t maxstack, int *depth, unsigned char *start, uint32_t *work,
                        char *err, size_t errcap) {
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
            why = check_operands(p, pc, nlocals);
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
                int *depth, char *err, size_t errcap) {
    if (from >= to || to > p->ncode) {
        snprintf(err, errcap, "code range %u..%u outside the program", from, to);
        return -1;
    }
    unsigned char *start = malloc(to - from + 1);
    uint32_t *work = malloc((to - from + 1) * sizeof(uint32_t));
    int rc = -1;
    if (start && work)
        rc = verify_range(p, from, to, nlocals, maxstack, depth, start, work, err, errcap);
    else
        snprintf(err, errcap, "out of memory");
    free(start);
    free(work);
    return rc;
}

/* Checks a rule's range lies in the program, then verifies it. */
static int check_range(const Program *p, uint32_t from, uint32_t to, uint32_t nlocals,
                       uint32_t maxstack, int *depth, unsigned char *start, uint32_t *work,
                       char *err, size_t errcap) {
    if (from >= to || to > p->ncode) {
        snprintf(err, errcap, "code range %u..%u outside the program", from, to);
        return -1;
    }
    return verify_range(p, from, to, nlocals, maxstack, depth, start, work, err, errcap);
}

int verify_program(const Program *p, char *err, size_t errcap) {
    int *depth = malloc((p->ncode + 1) * sizeof(int));
    unsigned char *start = malloc(p->ncode + 1);
    uint32_t *work = malloc((p->ncode + 1) * sizeof(uint32_t));
    if (!depth || !start || !work) {
        free(depth);
        free(start);
        free(work);
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    int rc = 0;
    for (uint32_t i = 0; i < p->nrules && rc == 0; i++) {
        const Rule *r = &p->rules[i];
        rc = check_range(p, r->entry, r->code_end, r->nlocals, r->maxstack, depth, start, work, err,
                         errcap);
        if (rc == 0 && r->index >= 0)
            rc = check_range(p, r->bound_entry, r->bound_end, r->nlocals, r->maxstack, depth, start,
                             work, err, errcap);
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
        rc = check_range(p, p->prepare_entry, end < p->ncode ? end + 1 : p->ncode,
                         p->prepare_nlocals, p->prepare_maxstack, depth, start, work, err, errcap);
    }
    free(depth);
    free(start);
    free(work);
    return rc;
}
