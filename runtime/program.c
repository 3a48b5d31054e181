/* program.c — names of tiers, severities, natures and phases; freeing a
 * program; the disassembler. */
#include "program.h"

#include "regex.h"

#include <sched.h>

#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>

#include "scalar.h"

#define X(n) #n,
const char *const tier_names[TIER__COUNT] = {ARB_TIERS(X)};
const char *const severity_names[SEV__COUNT] = {ARB_SEVERITIES(X)};
const char *const nature_names[NAT__COUNT] = {ARB_NATURES(X)};
const char *const phase_names[PHASE__COUNT] = {ARB_PHASES(X)};
#undef X

const char *const opcode_names[OPC__COUNT] = {
#define X(name, n, sig, d) #name,
    ARB_OPCODES(X)
#undef X
};

const unsigned char opcode_nargs[OPC__COUNT] = {
#define X(name, n, sig, d) n,
    ARB_OPCODES(X)
#undef X
};

const char *const opcode_signatures[OPC__COUNT] = {
#define X(name, n, sig, d) sig,
    ARB_OPCODES(X)
#undef X
};

int opcode_pops(int op, const int32_t *args) {
    if (op == OPC_FLAG) return args[2] + 1; /* the amount and the message values */
    if (op == OPC_LUACALL) return args[1];
    return (int)(strchr(opcode_signatures[op], '>') - opcode_signatures[op]);
}

int opcode_stack_effect(int op, const int32_t *args) {
    if (op == OPC_FLAG) return -(args[2] + 1);
    if (op == OPC_LUACALL) return 1 - args[1];
    const char *sig = opcode_signatures[op], *gt = strchr(sig, '>');
    return (int)strlen(gt + 1) - (int)(gt - sig);
}

int name_index(const char *const *names, int n, const char *s, size_t len) {
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) return i;
    return -1;
}

const Rx *program_regex(const Program *p, uint32_t i) {
    if (!p->regex_state) return p->regexes[i];
    _Atomic int *st = &p->regex_state[i];
    int s = atomic_load_explicit(st, memory_order_acquire);
    if (s == REGEX_READY) return p->regexes[i];
    int expect = REGEX_PENDING;
    if (s == REGEX_PENDING && atomic_compare_exchange_strong(st, &expect, REGEX_COMPILING)) {
        p->regexes[i] = rx_new(p->regex_src[i], strlen(p->regex_src[i]), NULL, 0);
        int ok = p->regexes[i] != NULL;
        atomic_store_explicit(st, ok ? REGEX_READY : REGEX_BAD, memory_order_release);
        return p->regexes[i];
    }
    /* another thread is compiling it: wait (a pattern compiles in microseconds) */
    while ((s = atomic_load_explicit(st, memory_order_acquire)) == REGEX_COMPILING) sched_yield();
    return s == REGEX_READY ? p->regexes[i] : NULL;
}

int program_inline_sets(Program *p) {
    p->small_sets = arena_alloc(&p->ar, (p->nsets ? p->nsets : 1) * sizeof(uint8_t *));
    if (!p->small_sets) return -1;
    for (uint32_t i = 0; i < p->nsets; i++) {
        const Table *t = p->sets[i];
        p->small_sets[i] = NULL;
        if (t->key_col < 0 || t->key_prefix || t->nprefix_lens || t->nrows > SMALL_SET_MAX)
            continue;
        size_t size = 1, n = 0;
        int ok = 1;
        for (uint32_t r = 0; r < t->nrows && ok; r++) {
            const char *d;
            uint32_t len;
            int k = table_key_of_row(t, r, &d, &len);
            if (k < 0) continue; /* no key: never a member */
            ok = k == 0 && len <= SMALL_SET_MAX_LEN;
            size += 1 + len;
            n++;
        }
        if (!ok) continue;
        uint8_t *b = arena_alloc(&p->ar, size), *w = b + 1;
        if (!b) return -1;
        b[0] = (uint8_t)n;
        for (uint32_t r = 0; r < t->nrows; r++) {
            const char *d;
            uint32_t len;
            if (table_key_of_row(t, r, &d, &len) < 0) continue;
            *w++ = (uint8_t)len;
            memcpy(w, d, len);
            w += len;
        }
        p->small_sets[i] = b;
    }
    return 0;
}

void program_free(Program *p) {
    if (!p) return;
    Alloc a = p->ar.alloc;
    for (uint32_t i = 0; i < p->nregexes; i++)
        if (!p->regex_state || atomic_load(&p->regex_state[i]) == REGEX_READY)
            rx_free(p->regexes[i]);
    if (p->map && !p->map_borrowed) munmap(p->map, p->map_size);
    arena_free(&p->ar);
    mem_free(a, p, sizeof(Program));
}

int operand_varies(int op, int i) {
    switch (op) {
    case OPC_CONST:
    case OPC_INSET:
    case OPC_ININT:
    case OPC_INTABLE:
    case OPC_MATCHES: return 1;
    case OPC_MATCH: return i == 1;   /* the table */
    case OPC_NEXTROW: return i == 0; /* the table */
    case OPC_FLAG: return i == 1;    /* the message template */
    case OPC_LUACALL: return i == 0; /* the function */
    default: return 0;
    }
}

int operand_is_target(int op, int i) {
    return (op == OPC_JMP || op == OPC_JZ || op == OPC_JNZ || op == OPC_JZK || op == OPC_JNZK) ||
           ((op == OPC_NEXT || op == OPC_NEXTROW) && i == 3);
}

#define MIX(h, v) ((h) = ((h) ^ (uint64_t)(uint32_t)(v)) * 1099511628211ull)

uint64_t code_hash(const int32_t *code, uint32_t from, uint32_t to) {
    uint64_t h = 1469598103934665603ull;
    for (uint32_t pc = from; pc < to;) {
        int op = code[pc];
        MIX(h, op);
        for (int i = 0; i < opcode_nargs[op]; i++) {
            int32_t a = code[pc + 1 + i];
            MIX(h, operand_is_target(op, i) ? a - (int32_t)from : a);
        }
        pc += 1 + opcode_nargs[op];
    }
    return h;
}

int code_equal(const int32_t *code, uint32_t a, uint32_t aend, uint32_t b, uint32_t bend) {
    if (aend - a != bend - b) return 0;
    for (uint32_t k = 0; k < aend - a;) {
        int op = code[a + k];
        if (code[b + k] != op) return 0;
        for (int i = 0; i < opcode_nargs[op]; i++) {
            int32_t x = code[a + k + 1 + i], y = code[b + k + 1 + i];
            if (operand_is_target(op, i) ? x - (int32_t)a != y - (int32_t)b : x != y) return 0;
        }
        k += 1 + (uint32_t)opcode_nargs[op];
    }
    return 1;
}

uint64_t shape_hash(const Program *p, uint32_t from, uint32_t to, const int32_t *ops) {
    uint64_t h = code_hash(p->code, from, to);
    for (uint32_t pc = from; pc < to; pc += 1 + opcode_nargs[p->code[pc]])
        if (p->code[pc] == OPC_CONST) MIX(h, p->const_types[ops[p->code[pc + 1]]].kind);
    return h;
}
#undef MIX

int shape_equal(const Program *p, uint32_t a, uint32_t aend, const int32_t *aops, uint32_t b,
                uint32_t bend, const int32_t *bops) {
    if (!code_equal(p->code, a, aend, b, bend)) return 0;
    for (uint32_t pc = a; pc < aend; pc += 1 + opcode_nargs[p->code[pc]]) {
        int32_t k = p->code[pc + 1];
        if (p->code[pc] == OPC_CONST &&
            p->const_types[aops[k]].kind != p->const_types[bops[k]].kind)
            return 0;
    }
    return 1;
}

static int u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int program_stats(const Program *p, Alloc a, ProgramStats *out) {
    memset(out, 0, sizeof *out);
    out->rules = p->nrules;
    out->indexes = p->nindexes;
    uint64_t *h = mem_alloc(a, (p->nrules + 1) * sizeof(uint64_t));
    uint32_t *keys = mem_calloc(a, (p->nrules + 1) * sizeof(uint32_t));
    if (!h || !keys) {
        mem_free(a, h, (p->nrules + 1) * sizeof(uint64_t));
        mem_free(a, keys, (p->nrules + 1) * sizeof(uint32_t));
        return -1;
    }
    for (uint32_t x = 0; x < p->nindexes; x++) {
        const Table *t = p->indexes[x].keys;
        out->index_keys += t->nrows;
        for (uint32_t i = 0; i < t->nrows; i++) keys[table_row(t, i)[1].i]++;
    }
    for (uint32_t i = 0; i < p->nrules; i++) {
        h[i] = shape_hash(p, p->rules[i].entry, p->rules[i].code_end, rule_ops(p, &p->rules[i]));
        out->indexed_rules += p->rules[i].index >= 0;
        out->rule_rows += keys[i] ? keys[i] : 1;
    }
    qsort(h, p->nrules, sizeof(uint64_t), u64_cmp);
    for (uint32_t i = 0; i < p->nrules;) {
        uint32_t j = i;
        while (j < p->nrules && h[j] == h[i]) j++;
        out->shapes++;
        if (j - i == 1) out->shapes_of_one++;
        if (j - i > out->largest_shape) out->largest_shape = j - i;
        /* keep the five largest, in descending order */
        uint32_t size = j - i;
        for (int k = 0; k < 5; k++) {
            if (size <= out->top_shapes[k]) continue;
            uint32_t t = out->top_shapes[k];
            out->top_shapes[k] = size;
            size = t;
        }
        i = j;
    }
    mem_free(a, h, (p->nrules + 1) * sizeof(uint64_t));
    mem_free(a, keys, (p->nrules + 1) * sizeof(uint32_t));
    return 0;
}
