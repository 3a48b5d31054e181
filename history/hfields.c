/* hfields.c — the fields of history claims the rules read (see hfields.h). */
#include "hfields.h"

#include <stdlib.h>
#include <string.h>

#include "opcodes.h"

/* What a slot may hold: nothing of history's, a record of a history list,
 * a list of history records (the claims, or a list field of theirs), or
 * one of several of them (paths joined: code that uses such a slot is
 * not followed, every field is kept). */
enum { S_CLEAN, S_REC, S_LIST, S_ANY };

typedef struct Slot {
    uint8_t k;
    const RecordType *rt; /* S_REC: the record's type; S_LIST: its items' */
} Slot;

typedef struct Flow {
    const Program *p;
    HFields *h;
    int give_up;
} Flow;

static void add_type(HFields *h, const RecordType *rt, Arena *ar, int depth) {
    for (uint32_t i = 0; i < h->n; i++)
        if (h->rt[i] == rt) return;
    if (h->n == 16 || depth > 16) {
        h->all = 1;
        return;
    }
    uint8_t *m = arena_alloc(ar, rt->nfields ? rt->nfields : 1);
    if (!m) {
        h->all = 1;
        return;
    }
    h->rt[h->n] = rt;
    h->keep[h->n++] = m;
    for (uint32_t f = 0; f < rt->nfields; f++)
        if (rt->fields[f].type.kind == TY_LIST && rt->fields[f].type.rec)
            add_type(h, rt->fields[f].type.rec, ar, depth + 1);
}

static void mark(Flow *w, const RecordType *rt, int32_t f) {
    for (uint32_t i = 0; i < w->h->n; i++)
        if (w->h->rt[i] == rt) {
            if (f < 0 || (uint32_t)f >= rt->nfields) break;
            w->h->keep[i][f] = 1;
            return;
        }
    w->give_up = 1; /* a record type history cannot give, or a field past its end */
}

/* The slot a field read from slot r leaves: a list field of a history
 * record is a history list; anything else is not history's. */
static Slot field_of(Flow *w, Slot r, int32_t f) {
    Slot out = {S_CLEAN, NULL};
    if (r.k == S_LIST || r.k == S_ANY) {
        w->give_up = 1; /* a field of a list: not code the VM runs */
        return out;
    }
    if (r.k != S_REC) return out;
    mark(w, r.rt, f);
    if (w->give_up) return out;
    const Field *fd = &r.rt->fields[f];
    if (fd->type.kind == TY_LIST && fd->type.rec) out = (Slot){S_LIST, fd->type.rec};
    return out;
}

static int slot_eq(Slot a, Slot b) {
    return a.k == b.k && a.rt == b.rt;
}

/* Joins n slots of `in` (with stack depth sp) into the state at i. */
static int join(Flow *w, Slot *at, int *sp_at, unsigned char *have, uint32_t i, const Slot *in,
                int sp, uint32_t n) {
    if (!have[i]) {
        memcpy(at, in, n * sizeof(Slot));
        *sp_at = sp;
        have[i] = 1;
        return 1;
    }
    if (*sp_at != sp) {
        w->give_up = 1;
        return 0;
    }
    int changed = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (slot_eq(at[k], in[k]) || in[k].k == S_CLEAN || at[k].k == S_ANY) continue;
        /* two kinds of history values: harmless while the slot is not used */
        at[k] = at[k].k == S_CLEAN ? in[k] : (Slot){S_ANY, NULL};
        changed = 1;
    }
    return changed;
}

/* Follows code[from..to) entered with slot 0 (and bound, when >= 0) as
 * given; ops is its operand vector. */
static void flow(Flow *w, uint32_t from, uint32_t to, uint32_t nlocals, uint32_t maxstack,
                 Slot claim0) {
    const Program *p = w->p;
    if (to > p->ncode || from >= to || nlocals == 0) {
        w->give_up = 1;
        return;
    }
    uint32_t n = to - from, width = nlocals + maxstack + 1;
    if ((uint64_t)n * width > (1u << 24)) {
        w->give_up = 1;
        return;
    }
    Slot *st = calloc((size_t)n * width, sizeof(Slot)), *cur = calloc(width, sizeof(Slot));
    int *sps = calloc(n, sizeof(int));
    unsigned char *have = calloc(n, 1), *queued = calloc(n, 1);
    uint32_t *work = malloc(n * sizeof(uint32_t)), nw = 0;
    if (!st || !cur || !sps || !have || !queued || !work) {
        w->give_up = 1;
        goto out;
    }
    cur[0] = claim0;
    join(w, st, sps, have, 0, cur, 0, width);
    work[nw++] = from, queued[0] = 1;
#define AT(pc) (st + (size_t)((pc)-from) * width)
#define GO(t, s, spv)                                                                              \
    do {                                                                                           \
        uint32_t t_ = (t);                                                                         \
        if (t_ < from || t_ >= to) {                                                               \
            w->give_up = 1;                                                                        \
            break;                                                                                 \
        }                                                                                          \
        if (join(w, AT(t_), &sps[t_ - from], have, t_ - from, (s), (spv), nlocals + (spv)) &&      \
            !queued[t_ - from])                                                                    \
            work[nw++] = t_, queued[t_ - from] = 1;                                                \
    } while (0)
    while (nw && !w->give_up) {
        uint32_t pc = work[--nw];
        queued[pc - from] = 0;
        int sp = sps[pc - from];
        memcpy(cur, AT(pc), width * sizeof(Slot));
        Slot *L = cur, *S = cur + nlocals;
        int op = p->code[pc];
        if (op < 0 || op >= OPC__COUNT || pc + 1 + opcode_nargs[op] > to) {
            w->give_up = 1;
            break;
        }
        const int32_t *a = p->code + pc + 1;
        uint32_t next = pc + 1 + opcode_nargs[op];
        const Slot clean = {S_CLEAN, NULL};
        int pops = opcode_pops(op, a), push = opcode_stack_effect(op, a) + pops;
        if (pops < 0 || push < 0 || pops > sp || sp - pops + push > (int)maxstack) {
            w->give_up = 1;
            break;
        }
#define LOCAL_OK(x) ((x) >= 0 && (uint32_t)(x) < nlocals)
        switch (op) {
        case OPC_HALT: continue;
        case OPC_LOAD:
            if (!LOCAL_OK(a[0])) goto bad;
            S[sp++] = L[a[0]];
            break;
        case OPC_STORE:
            if (!LOCAL_OK(a[0])) goto bad;
            L[a[0]] = S[--sp];
            break;
        case OPC_FIELD: S[sp - 1] = field_of(w, S[sp - 1], a[0]); break;
        case OPC_LFIELD:
            if (!LOCAL_OK(a[0])) goto bad;
            S[sp++] = field_of(w, L[a[0]], a[1]);
            break;
        case OPC_POP: sp--; break;
        case OPC_STFIELD:
            if (!LOCAL_OK(a[0])) goto bad;
            sp--;
            break;
        case OPC_LOOP:
            if (!LOCAL_OK(a[0]) || !LOCAL_OK(a[1])) goto bad;
            L[a[0]] = S[--sp];
            L[a[1]] = clean;
            break;
        case OPC_NEXT:
            if (!LOCAL_OK(a[0]) || !LOCAL_OK(a[2])) goto bad;
            GO((uint32_t)a[3], cur, sp); /* done: the item local is not set */
            if (L[a[0]].k == S_REC || L[a[0]].k == S_ANY) goto bad;
            L[a[2]] = L[a[0]].k == S_LIST ? (Slot){S_REC, L[a[0]].rt} : clean;
            break;
        case OPC_MATCH:
            if (a[0] < 0 || (uint32_t)a[0] + 4 > nlocals) goto bad;
            sp--;
            for (int k = 0; k < 4; k++) L[a[0] + k] = clean;
            break;
        case OPC_NEXTROW:
            if (!LOCAL_OK(a[2])) goto bad;
            GO((uint32_t)a[3], cur, sp);
            L[a[2]] = clean;
            break;
        case OPC_HISTORY: S[sp - 1] = (Slot){S_LIST, p->claim}; break;
        case OPC_SELECT:
        case OPC_SELDAY:
            sp--; /* the key; the list stays, narrowed */
            if (S[sp - 1].k == S_REC || S[sp - 1].k == S_ANY) goto bad;
            if (S[sp - 1].k == S_LIST) mark(w, S[sp - 1].rt, a[0]);
            break;
        case OPC_SELIN:
            sp--;
            if (S[sp - 1].k == S_REC || S[sp - 1].k == S_ANY) goto bad;
            if (S[sp - 1].k == S_LIST) {
                const RecordType *rt = S[sp - 1].rt;
                mark(w, rt, a[0]);
                if (w->give_up || rt->fields[a[0]].type.kind != TY_LIST ||
                    !rt->fields[a[0]].type.rec)
                    goto bad;
                mark(w, rt->fields[a[0]].type.rec, a[1]);
            }
            break;
        case OPC_FLAG:
            if (a[0] != -1 && (!LOCAL_OK(a[0]) || L[a[0]].k != S_CLEAN)) goto bad;
            goto plain;
        case OPC_EVIDENCE:
            if (!LOCAL_OK(a[0])) goto bad;
            break; /* the key and as_of fields are kept */
        default:
        plain:
            /* numbers and strings: nothing of history's may go in */
            for (int k = 0; k < pops; k++)
                if (S[sp - 1 - k].k != S_CLEAN) goto bad;
            sp -= pops;
            for (int k = 0; k < push; k++) S[sp++] = clean;
            break;
        }
        if (w->give_up) break;
        switch (op) {
        case OPC_JMP: GO((uint32_t)a[0], cur, sp); break;
        case OPC_JZK:
        case OPC_JNZK:
            /* the target keeps the truth value (a number), the next not */
            S[sp] = clean;
            GO((uint32_t)a[0], cur, sp + 1);
            GO(next, cur, sp);
            break;
        case OPC_JZ:
        case OPC_JNZ:
            GO((uint32_t)a[0], cur, sp);
            GO(next, cur, sp);
            break;
        default: GO(next, cur, sp); break;
        }
        continue;
    bad:
        w->give_up = 1;
    }
#undef LOCAL_OK
#undef GO
#undef AT
out:
    free(st);
    free(cur);
    free(sps);
    free(have);
    free(queued);
    free(work);
}

int hfields_build(HFields *h, const Program *p, Arena *ar) {
    memset(h, 0, sizeof *h);
    add_type(h, p->claim, ar, 0);
    if (h->all) return h->n ? 0 : -1;
    Flow w = {p, h, 0};
    const Slot clean = {S_CLEAN, NULL}, hist = {S_REC, p->claim};
    /* rules of one shape share their code: follow it once */
    unsigned char *seen = calloc(p->ncode ? p->ncode : 1, 1);
    if (!seen) {
        h->all = 1;
        return -1;
    }
    for (uint32_t i = 0; i < p->nrules && !w.give_up; i++) {
        const Rule *r = &p->rules[i];
        if (r->entry < p->ncode && !seen[r->entry]) {
            seen[r->entry] = 1;
            flow(&w, r->entry, r->code_end, r->nlocals, r->maxstack, clean);
        }
        if (r->index >= 0 && !w.give_up && r->bound_entry < p->ncode && !seen[r->bound_entry]) {
            seen[r->bound_entry] = 1;
            flow(&w, r->bound_entry, r->bound_end, r->nlocals, r->maxstack, clean);
        }
    }
    free(seen);
    if (p->has_prepare && !w.give_up) {
        /* the derived fields' code runs on every history claim */
        uint32_t end = p->prepare_entry;
        while (end < p->ncode && p->code[end] != OPC_HALT) {
            int op = p->code[end];
            if (op < 0 || op >= OPC__COUNT) break;
            end += 1 + opcode_nargs[op];
        }
        flow(&w, p->prepare_entry, end < p->ncode ? end + 1 : p->ncode, p->prepare_nlocals,
             p->prepare_maxstack, hist);
    }
    /* a finding's evidence names a history claim by its key and as_of */
    const RecordType *ct = p->claim;
    if (ct->key_field >= 0) mark(&w, ct, ct->key_field);
    if (ct->as_of_field >= 0) mark(&w, ct, ct->as_of_field);
    if (w.give_up) h->all = 1;
    return 0;
}

int hfields_keep(const HFields *h, const RecordType *rt, uint32_t f) {
    if (h->all) return 1;
    for (uint32_t i = 0; i < h->n; i++)
        if (h->rt[i] == rt) return f < rt->nfields && h->keep[i][f];
    return 1;
}
