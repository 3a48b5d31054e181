/* verify.c — the bytecode verifier (see verify.h).  The helpers return their
 * reasons marked N_() (untranslated); the messages put together from them
 * translate them with _() where they are printed into err. */
#include "verify.h"

#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

static int is_jump(int op) {
    return op == OPC_JMP || op == OPC_JZ || op == OPC_JNZ || op == OPC_JZK || op == OPC_JNZK;
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
        if (a[i] < 0 || (uint32_t)a[i] >= nops)
            return N_("operand slot outside the operand vector");
        v[i] = ops[a[i]];
    }
#define IN(x, n) ((x) >= 0 && (uint32_t)(x) < (n))
    switch (op) {
    case OPC_CONST: return IN(v[0], p->nconsts) ? NULL : N_("constant out of range");
    case OPC_INSET: return IN(v[0], p->nsets) ? NULL : N_("set out of range");
    case OPC_ININT: return IN(v[0], p->nintsets) ? NULL : N_("set out of range");
    case OPC_INTABLE: return IN(v[0], p->ntables) ? NULL : N_("table out of range");
    case OPC_MATCHES: return IN(v[0], p->nregexes) ? NULL : N_("pattern out of range");
    case OPC_MATCH: return IN(v[1], p->ntables) ? NULL : N_("table out of range");
    case OPC_NEXTROW: return IN(v[0], p->ntables) ? NULL : N_("table out of range");
    case OPC_FLAG: {
        if (v[1] == -1) return a[2] == 0 ? NULL : N_("arguments without a message");
        if (!IN(v[1], p->ntemplates)) return N_("message out of range");
        uint32_t values = 0;
        for (uint32_t i = 0; i < p->templates[v[1]].nparts; i++)
            values += !p->templates[v[1]].parts[i].text;
        return values == (uint32_t)a[2] ? NULL : N_("message arguments do not match the message");
    }
    case OPC_LUACALL:
        if (!IN(v[0], p->nlua_funcs)) return N_("Lua function out of range");
        return a[1] == (int32_t)p->lua_funcs[v[0]].nparams
                   ? NULL
                   : N_("Lua call with the wrong argument count");
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
    case OPC_EVIDENCE:
        if (!LOCAL(a[0])) return N_("local out of range");
        break;
    case OPC_DIVK:
        if (a[0] == 0) return N_("division by a zero constant");
        break;
    case OPC_LOOP:
        if (!LOCAL(a[0]) || !LOCAL(a[1])) return N_("local out of range");
        break;
    case OPC_NEXT:
        if (!LOCAL(a[0]) || !LOCAL(a[1]) || !LOCAL(a[2])) return N_("local out of range");
        break;
    case OPC_MATCH:
        if (!LOCAL(a[0]) || !LOCAL(a[0] + 3)) return N_("local out of range");
        break;
    case OPC_NEXTROW:
        if (!LOCAL(a[1]) || !LOCAL(a[1] + 3) || !LOCAL(a[2])) return N_("local out of range");
        break;
    case OPC_FLAG:
        if (a[0] != -1 && !LOCAL(a[0])) return N_("local out of range");
        if (a[2] < 0) return N_("negative argument count");
        break;
    case OPC_LUACALL:
        if (a[1] < 0) return N_("negative argument count");
        break;
    default: break;
    }
#undef LOCAL
    return ops ? check_varying(p, pc, ops, nops) : NULL;
}

/* verify_code with scratch space for n + 1 entries supplied by the caller. */
static int verify_range(const Program *p, uint32_t from, uint32_t to, uint32_t nlocals,
                        uint32_t maxstack, const int32_t *ops, uint32_t nops, int *depth,
                        unsigned char *start, uint32_t *work, uint32_t *loop_end, char *err,
                        size_t errcap) {
    const int32_t *code = p->code;
    uint32_t n = to - from;
    memset(start, 0, n + 1);
    const char *why = NULL;
    uint32_t at = from, nloops = 0; /* work[] holds the loops around pc, innermost last */
    for (uint32_t pc = from; pc < to && !why;) {
        at = pc;
        if (code[pc] < 0 || code[pc] >= OPC__COUNT) {
            why = N_("unknown instruction");
            break; /* its length is unknown too */
        }
        uint32_t next = pc + 1 + opcode_nargs[code[pc]];
        loop_end[pc - from] = 0;
        if (next > to) {
            why = N_("instruction runs past the end");
        } else {
            start[pc - from] = 1;
            why = check_operands(p, pc, nlocals, ops, nops);
        }
        /* a loop is its next step (NEXT, NEXTROW) up to where it exits;
         * loops nest or follow one another, never overlap */
        if (!why && (code[pc] == OPC_NEXT || code[pc] == OPC_NEXTROW)) {
            uint32_t end = (uint32_t)code[pc + 4];
            if (code[pc + 4] <= (int32_t)pc || end > to) {
                why = N_("a loop exits to no place after it");
                break;
            }
            while (nloops && loop_end[work[nloops - 1] - from] <= pc) nloops--;
            if (nloops && loop_end[work[nloops - 1] - from] < end) {
                why = N_("loops overlap");
                break;
            }
            loop_end[pc - from] = end;
            work[nloops++] = pc;
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
            why = N_("jump to no instruction");                                                    \
            break;                                                                                 \
        }                                                                                          \
        if (d_ < 0) {                                                                              \
            why = N_("the stack runs under");                                                      \
            break;                                                                                 \
        }                                                                                          \
        if ((uint32_t)d_ > maxstack) {                                                             \
            why = N_("the stack grows past its limit");                                            \
            break;                                                                                 \
        }                                                                                          \
        if (depth[t_ - from] < 0) {                                                                \
            depth[t_ - from] = d_;                                                                 \
            work[nw++] = t_;                                                                       \
        } else if (depth[t_ - from] != d_)                                                         \
            why = N_("the stack differs where paths join");                                        \
    } while (0)
    while (nw && !why) {
        uint32_t pc = work[--nw];
        at = pc;
        int op = code[pc], d = depth[pc - from];
        const int32_t *a = code + pc + 1;
        uint32_t next = pc + 1 + opcode_nargs[op];
        int e = opcode_stack_effect(op, a);
        if (d < opcode_pops(op, a)) {
            why = N_("the stack runs under");
            break;
        }
        if (op == OPC_HALT) continue;
        /* back only from inside a loop to its next step, which makes
         * progress (see the type pass): all code ends */
        if (is_jump(op) && a[0] <= (int32_t)pc && a[0] >= (int32_t)from &&
            start[a[0] - (int32_t)from] && loop_end[a[0] - (int32_t)from] <= pc) {
            why = N_("jumps back to something other than the next step of a loop it is in");
            break;
        }
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
        snprintf(err, errcap, _("bytecode at %u: %s"), at, _(why));
        return -1;
    }
    return 0;
}

int verify_code(const Program *p, uint32_t from, uint32_t to, uint32_t nlocals, uint32_t maxstack,
                const int32_t *ops, uint32_t nops, int *depth, char *err, size_t errcap) {
    if (from >= to || to > p->ncode) {
        snprintf(err, errcap, _("code range %u..%u outside the program"), from, to);
        return -1;
    }
    unsigned char *start = malloc(to - from + 1);
    uint32_t *work = malloc((to - from + 1) * sizeof(uint32_t));
    uint32_t *loop_end = malloc((to - from + 1) * sizeof(uint32_t));
    int rc = -1;
    if (start && work && loop_end)
        rc = verify_range(p, from, to, nlocals, maxstack, ops, nops, depth, start, work, loop_end,
                          err, errcap);
    else
        snprintf(err, errcap, _("out of memory"));
    free(start);
    free(work);
    free(loop_end);
    return rc;
}

/* ------------------------------------------------------------------ types
 *
 * Values are untyped 8-byte words to the VM: a string, a list or a record is
 * a pointer, so code that used a number as one would crash it.  This pass
 * follows what each local and stack slot holds along every path (a data
 * flow over the instructions, joining at jump targets) and refuses code
 * that uses a value as something it is not, reads a local no path has set,
 * reads a field past a record's end, writes anything but a derived field of
 * claim data, or disturbs the state of a list loop or a table match. */

enum { T_BAD, T_I64, T_STR, T_LIST, T_DATA, T_ROW, T_IDX, T_RS };

typedef struct Ty {
    uint8_t k;       /* T_* */
    uint8_t part;    /* T_RS: which of the match's four locals */
    uint32_t at;     /* T_IDX, T_RS: the LOOP or MATCH that set it */
    const void *ref; /* RecordType of T_LIST and T_DATA; Table of T_ROW and T_RS */
} Ty;

static Ty ty(uint8_t k, const void *ref) {
    Ty t = {k, 0, 0, ref};
    return t;
}

static int ty_eq(Ty a, Ty b) {
    return a.k == b.k && a.part == b.part && a.at == b.at && a.ref == b.ref;
}

/* What a value of declared type t holds (T_BAD: nothing code may use). */
static Ty ty_of(const Type *t) {
    if (type_is_int64(t->kind) || t->kind == TY_REGEX) return ty(T_I64, NULL);
    if (type_is_string(t->kind)) return ty(T_STR, NULL);
    if (t->kind == TY_LIST && t->rec) return ty(T_LIST, t->rec);
    return ty(T_BAD, NULL);
}

/* A Lua function's parameter: records are claim data or a table's rows. */
static Ty ty_of_param(const Type *t) {
    if (t->kind == TY_RECORD && t->table) return ty(T_ROW, t->table);
    if (t->kind == TY_RECORD && t->rec) return ty(T_DATA, t->rec);
    return ty_of(t);
}

/* The record type of a record value, or NULL. */
static const RecordType *record_of(Ty t) {
    if (t.k == T_DATA) return t.ref;
    if (t.k == T_ROW) return &((const Table *)t.ref)->rt;
    return NULL;
}

/* What the type pass needs besides the code: the locals set on entry and
 * the key field a finding reads from the flagged record. */
typedef struct TypeCtx {
    const int32_t *ops;
    uint32_t nlocals, maxstack;
    int32_t bound_slot; /* -1: none */
    const RecordType *bound_rt;
    int32_t key_field; /* -1: none (or the rule flags the claim) */
    uint8_t key_kind;
    /* the local a finding reads a matched row's key from (Rule.row_slot,
     * -1: none) and that key's column */
    int32_t row_slot, row_key_col;
} TypeCtx;

/* Applies the instruction at pc to the slots cur (locals, then the stack
 * of sp values).  For NEXT and NEXTROW *bind gets the local the next item
 * goes to and *bound its type (only on the path that falls through). */
static const char *type_step(const Program *p, const TypeCtx *c, uint32_t pc, Ty *cur, int *spp,
                             int32_t *bind, Ty *bound) {
    const int32_t *a = p->code + pc + 1;
    int op = p->code[pc], sp = *spp;
    Ty *L = cur, *S = cur + c->nlocals;
    const Ty i64 = ty(T_I64, NULL), str = ty(T_STR, NULL);
    *bind = -1;
#define TOP(n) S[sp - 1 - (n)]
#define WANT(n, kind, what)                                                                        \
    do {                                                                                           \
        if (TOP(n).k != (kind)) return (what);                                                     \
    } while (0)
    switch (op) {
    case OPC_CONST: {
        Ty t = ty_of(&p->const_types[c->ops[a[0]]]);
        if (t.k != T_I64 && t.k != T_STR) return N_("a constant of a kind no instruction takes");
        S[sp++] = t;
        break;
    }
    case OPC_LOAD:
        if (L[a[0]].k == T_BAD) return N_("reads a local no path has set");
        if (L[a[0]].k == T_RS) return N_("reads the state of a table match");
        S[sp++] = L[a[0]].k == T_IDX ? i64 : L[a[0]];
        break;
    case OPC_STORE: L[a[0]] = S[--sp]; break;
    case OPC_POP: sp--; break;
    case OPC_FIELD:
    case OPC_LFIELD: {
        const RecordType *rt = record_of(op == OPC_FIELD ? TOP(0) : L[a[0]]);
        int32_t f = op == OPC_FIELD ? a[0] : a[1];
        if (!rt) return N_("expects a record");
        if (f < 0 || (uint32_t)f >= rt->nfields) return N_("field out of range");
        if (op == OPC_FIELD) sp--;
        S[sp++] = ty_of(&rt->fields[f].type);
        break;
    }
    case OPC_STFIELD: {
        if (L[a[0]].k != T_DATA) return N_("writes into something other than claim data");
        const RecordType *rt = L[a[0]].ref;
        if (a[1] < 0 || (uint32_t)a[1] >= rt->nfields) return N_("field out of range");
        const Field *fd = &rt->fields[a[1]];
        if (fd->derived < 0) return N_("writes a field that is not derived");
        Ty want = ty_of(&fd->type);
        if (want.k == T_BAD || !ty_eq(TOP(0), want)) return N_("stores a value of another type");
        sp--;
        break;
    }
    case OPC_LOOP:
        WANT(0, T_LIST, N_("expects a list"));
        L[a[0]] = S[--sp];
        L[a[1]] = (Ty){T_IDX, 0, pc, NULL};
        break;
    case OPC_NEXT:
        /* the index was set by a LOOP before this step and not reset since:
         * every pass through the step moves it on, so the loop ends */
        if (L[a[0]].k != T_LIST) return N_("expects a list");
        if (L[a[1]].k != T_IDX || L[a[1]].at >= pc)
            return N_("the index of a list loop was changed");
        *bind = a[2];
        *bound = ty(T_DATA, L[a[0]].ref);
        break;
    case OPC_MATCH: {
        WANT(0, T_STR, N_("expects a string"));
        const Table *t = p->tables[c->ops[a[1]]];
        sp--;
        for (int k = 0; k < 4; k++) L[a[0] + k] = (Ty){T_RS, (uint8_t)k, pc, t};
        break;
    }
    case OPC_NEXTROW: {
        /* likewise: set by a MATCH before this step, of this table */
        const Table *t = p->tables[c->ops[a[0]]];
        uint32_t m = L[a[1]].at;
        for (int k = 0; k < 4; k++)
            if (m >= pc || !ty_eq(L[a[1] + k], (Ty){T_RS, (uint8_t)k, m, t}))
                return N_("the state of a table match was changed or is another table's");
        *bind = a[2];
        *bound = ty(T_ROW, t);
        break;
    }
    case OPC_ACCADD:
    case OPC_ACCMIN:
    case OPC_ACCMAX:
        WANT(0, T_I64, N_("expects a number"));
        if (L[a[0]].k != T_I64) return N_("accumulates into a local that holds no number");
        sp--;
        break;
    case OPC_FLAG: {
        const RecordType *rt = p->claim;
        if (a[0] != -1) {
            if (L[a[0]].k != T_DATA) return N_("flags something other than claim data");
            rt = L[a[0]].ref;
        }
        if (c->key_field >= 0 && ((uint32_t)c->key_field >= rt->nfields ||
                                  rt->fields[c->key_field].type.kind != c->key_kind))
            return N_("the flagged record has no such key field");
        if (c->row_slot >= 0) {
            const Table *t = L[c->row_slot].k == T_ROW ? L[c->row_slot].ref : NULL;
            if (!t || t->key_col != c->row_key_col || t->key_col < 0 ||
                !type_is_string(t->rt.fields[t->key_col].type.kind))
                return N_("the matched row of a finding is no keyed table's row");
        }
        int32_t nargs = a[2], tmpl = c->ops[a[1]];
        if (!ty_eq(TOP(nargs), i64)) return N_("expects an amount");
        for (uint32_t i = 0, k = 0; tmpl >= 0 && i < p->templates[tmpl].nparts; i++) {
            const TemplatePart *tp = &p->templates[tmpl].parts[i];
            if (tp->text) continue;
            Ty want = ty_of(&tp->type);
            if (want.k == T_BAD || !ty_eq(TOP(nargs - 1 - (int32_t)k++), want))
                return N_("message value of another type than its message takes");
        }
        sp -= nargs + 1;
        break;
    }
    case OPC_EVIDENCE:
        if (L[a[0]].k != T_DATA || L[a[0]].ref != p->claim)
            return N_("notes something other than a claim");
        break;
    case OPC_SELECT: {
        WANT(0, T_STR, N_("expects a string"));
        WANT(1, T_LIST, N_("expects a list"));
        const RecordType *rt = TOP(1).ref;
        if (a[0] < 0 || (uint32_t)a[0] >= rt->nfields) return N_("field out of range");
        if (!type_is_string(rt->fields[a[0]].type.kind)) return N_("expects a string");
        sp--;
        break;
    }
    case OPC_SELIN: {
        WANT(0, T_STR, N_("expects a string"));
        WANT(1, T_LIST, N_("expects a list"));
        const RecordType *rt = TOP(1).ref;
        if (a[0] < 0 || (uint32_t)a[0] >= rt->nfields || rt->fields[a[0]].type.kind != TY_LIST)
            return N_("field out of range");
        const RecordType *it = rt->fields[a[0]].type.rec;
        if (a[1] < 0 || (uint32_t)a[1] >= it->nfields) return N_("field out of range");
        if (!type_is_string(it->fields[a[1]].type.kind)) return N_("expects a string");
        sp--;
        break;
    }
    case OPC_SELDAY: {
        WANT(0, T_I64, N_("expects a day"));
        WANT(1, T_LIST, N_("expects a list"));
        const RecordType *rt = TOP(1).ref;
        if (a[0] < 0 || (uint32_t)a[0] >= rt->nfields) return N_("field out of range");
        if (rt->fields[a[0]].type.kind != TY_DATETIME) return N_("expects a datetime");
        sp--;
        break;
    }
    case OPC_HISTORY:
        WANT(0, T_I64, N_("expects a duration"));
        TOP(0) = ty(T_LIST, p->claim);
        break;
    case OPC_LUACALL: {
        const LuaFunc *f = &p->lua_funcs[c->ops[a[0]]];
        for (uint32_t k = 0; k < f->nparams; k++) {
            Ty want = ty_of_param(&f->params[k]);
            if (want.k == T_BAD || !ty_eq(TOP(f->nparams - 1 - k), want))
                return N_("Lua argument of another type than the function takes");
        }
        Ty r = ty_of(&f->result);
        if (r.k != T_I64 && r.k != T_STR) return N_("Lua result of a kind no instruction takes");
        sp -= (int)f->nparams;
        S[sp++] = r;
        break;
    }
    default: {
        /* the rest by their signatures: numbers and strings in and out */
        const char *sig = opcode_signatures[op], *gt = strchr(sig, '>');
        int n = (int)(gt - sig);
        for (int k = 0; k < n; k++) {
            uint8_t want = sig[k] == 'i' ? T_I64 : sig[k] == 's' ? T_STR : T_LIST;
            if (sig[k] != '*' && TOP(n - 1 - k).k != want)
                return want == T_I64   ? N_("expects a number")
                       : want == T_STR ? N_("expects a string")
                                       : N_("expects a list");
        }
        sp -= n;
        for (const char *o = gt + 1; *o; o++) S[sp++] = *o == 's' ? str : i64;
        break;
    }
    }
#undef TOP
#undef WANT
    *spp = sp;
    return NULL;
}

/* Joins state `in` (sp values on the stack) into the state at pc; returns
 * whether it changed (or was new). */
static int type_join(Ty *at, unsigned char *have, uint32_t i, const Ty *in, uint32_t n) {
    if (!have[i]) {
        memcpy(at, in, n * sizeof(Ty));
        have[i] = 1;
        return 1;
    }
    int changed = 0;
    for (uint32_t k = 0; k < n; k++)
        if (at[k].k != T_BAD && !ty_eq(at[k], in[k])) at[k] = ty(T_BAD, NULL), changed = 1;
    return changed;
}

/* The type pass over code[from..to), which verify_range has accepted
 * (depth[] holds its stack depths). */
static int verify_types(const Program *p, uint32_t from, uint32_t to, const TypeCtx *c,
                        const int *depth, char *err, size_t errcap) {
    uint32_t n = to - from, w = c->nlocals + c->maxstack + 1;
    if ((uint64_t)n * w > (1u << 26)) {
        snprintf(err, errcap, _("code at %u: too large to verify"), from);
        return -1;
    }
    Ty *st = calloc((size_t)n * w, sizeof(Ty)), *cur = calloc(w, sizeof(Ty));
    unsigned char *have = calloc(n, 1), *queued = calloc(n, 1);
    uint32_t *work = malloc(n * sizeof(uint32_t)), nw = 0;
    const char *why = NULL;
    uint32_t at = from;
    if (!st || !cur || !have || !queued || !work) {
        why = N_("out of memory");
        goto out;
    }
    /* entry: the claim in local 0, a bound rule's record in its slot */
    cur[0] = ty(T_DATA, p->claim);
    if (c->bound_slot >= 0) cur[c->bound_slot] = ty(T_DATA, c->bound_rt);
    type_join(st, have, 0, cur, c->nlocals);
    work[nw++] = from, queued[0] = 1;
    while (nw && !why) {
        uint32_t pc = work[--nw];
        queued[pc - from] = 0;
        at = pc;
        int sp = depth[pc - from];
        memcpy(cur, st + (size_t)(pc - from) * w, (c->nlocals + (uint32_t)sp) * sizeof(Ty));
        int32_t bind;
        Ty bound;
        int op = p->code[pc];
        const int32_t *a = p->code + pc + 1;
        if ((why = type_step(p, c, pc, cur, &sp, &bind, &bound)) != NULL) break;
        uint32_t next = pc + 1 + opcode_nargs[op], succ[2];
        int nsucc = 0;
        if (op == OPC_HALT) continue;
        if (op == OPC_JMP) {
            succ[nsucc++] = (uint32_t)a[0];
        } else if (op == OPC_JZK || op == OPC_JNZK) {
            /* the target keeps the truth value, the next instruction not */
            uint32_t t = (uint32_t)a[0];
            if (type_join(st + (size_t)(t - from) * w, have, t - from, cur,
                          c->nlocals + (uint32_t)depth[t - from]) &&
                !queued[t - from])
                work[nw++] = t, queued[t - from] = 1;
            succ[nsucc++] = next;
        } else if (op == OPC_JZ || op == OPC_JNZ) {
            succ[nsucc++] = (uint32_t)a[0], succ[nsucc++] = next;
        } else if (op == OPC_NEXT || op == OPC_NEXTROW) {
            uint32_t t = (uint32_t)a[3]; /* done: the item local is not set */
            if (type_join(st + (size_t)(t - from) * w, have, t - from, cur,
                          c->nlocals + (uint32_t)depth[t - from]) &&
                !queued[t - from])
                work[nw++] = t, queued[t - from] = 1;
            cur[bind] = bound;
            succ[nsucc++] = next;
        } else {
            succ[nsucc++] = next;
        }
        for (int k = 0; k < nsucc; k++) {
            uint32_t t = succ[k];
            if (type_join(st + (size_t)(t - from) * w, have, t - from, cur,
                          c->nlocals + (uint32_t)depth[t - from]) &&
                !queued[t - from])
                work[nw++] = t, queued[t - from] = 1;
        }
    }
out:
    free(st);
    free(cur);
    free(have);
    free(queued);
    free(work);
    if (why) {
        snprintf(err, errcap, _("bytecode at %u: %s"), at, _(why));
        return -1;
    }
    return 0;
}

/* Whether a rule's operand at a varying site (slot value x) can stand for
 * the one the shared code was verified with (y) without changing what any
 * slot holds: a constant or message values of the same types, the same
 * table or Lua function; sets and patterns only need to exist. */
static int same_types(const Program *p, int op, int32_t x, int32_t y) {
    switch (op) {
    case OPC_CONST: return ty_eq(ty_of(&p->const_types[x]), ty_of(&p->const_types[y]));
    case OPC_FLAG: {
        if (x < 0 || y < 0) return x == y;
        const Template *tx = &p->templates[x], *ty_ = &p->templates[y];
        uint32_t i = 0, j = 0;
        for (;; i++, j++) {
            while (i < tx->nparts && tx->parts[i].text) i++;
            while (j < ty_->nparts && ty_->parts[j].text) j++;
            if (i == tx->nparts || j == ty_->nparts) return i == tx->nparts && j == ty_->nparts;
            if (!ty_eq(ty_of(&tx->parts[i].type), ty_of(&ty_->parts[j].type))) return 0;
        }
    }
    case OPC_MATCH:
    case OPC_NEXTROW:
    case OPC_LUACALL: return x == y;
    default: return 1;
    }
}

/* A code range verified in full once, for all the rules that share it: what
 * it was verified with, and where its instructions with varying operands
 * are (in Verifier.sites), which are all that differs for the next rule. */
typedef struct Verified {
    uint32_t to;
    TypeCtx c;
    uint32_t sites, nsites;
} Verified;

typedef struct Verifier {
    const Program *p;
    int *depth;
    unsigned char *start;
    uint32_t *work, *loop_end;
    int32_t *at;     /* per code word: its Verified when a range starts there, else -1 */
    Verified *done;  /* one per range verified */
    uint32_t *sites; /* pcs */
    uint32_t ndone, nsites;
} Verifier;

/* Whether rule code with context c may take the fast path of d: the same
 * limits and entry state, and at every varying site an operand that exists
 * and holds what the verified rule's did.  *why is set when an operand is
 * out of range (the code is refused). */
static int fast_path(const Program *p, const Verified *d, uint32_t to, const TypeCtx *c,
                     uint32_t nops, const Verifier *v, const char **why, uint32_t *at) {
    const TypeCtx *r = &d->c;
    if (d->to != to || r->nlocals != c->nlocals || r->maxstack != c->maxstack ||
        r->bound_slot != c->bound_slot || r->bound_rt != c->bound_rt ||
        r->key_field != c->key_field || r->key_kind != c->key_kind || r->row_slot != c->row_slot ||
        r->row_key_col != c->row_key_col)
        return 0;
    for (uint32_t i = 0; i < d->nsites; i++) {
        uint32_t pc = v->sites[d->sites + i];
        *at = pc;
        if ((*why = check_varying(p, pc, c->ops, nops)) != NULL) return 0;
        int op = p->code[pc];
        for (int k = 0; k < opcode_nargs[op]; k++) {
            if (!operand_varies(op, k)) continue;
            int32_t slot = p->code[pc + 1 + k];
            if (!same_types(p, op, c->ops[slot], r->ops[slot])) return 0;
        }
    }
    return 1;
}

/* Verifies code[from..to) for a rule (context c, operand vector of nops
 * slots): in full the first time, afterwards only its varying operands
 * when they hold what the first rule's did (in full again otherwise). */
static int verify_shared(Verifier *v, uint32_t from, uint32_t to, const TypeCtx *c, uint32_t nops,
                         char *err, size_t errcap) {
    const Program *p = v->p;
    if (from >= to || to > p->ncode) {
        snprintf(err, errcap, _("code range %u..%u outside the program"), from, to);
        return -1;
    }
    int32_t k = v->at[from];
    if (k >= 0) {
        const char *why = NULL;
        uint32_t at = from;
        if (fast_path(p, &v->done[k], to, c, nops, v, &why, &at)) return 0;
        if (why) {
            snprintf(err, errcap, _("bytecode at %u: %s"), at, _(why));
            return -1;
        }
    }
    if (verify_range(p, from, to, c->nlocals, c->maxstack, c->ops, nops, v->depth, v->start,
                     v->work, v->loop_end, err, errcap) != 0 ||
        verify_types(p, from, to, c, v->depth, err, errcap) != 0)
        return -1;
    /* verified with other operands or limits before, or ranges that overlap: not cached */
    if (k >= 0 || v->nsites + (to - from) > p->ncode + 1) return 0;
    v->at[from] = (int32_t)v->ndone;
    Verified *d = &v->done[v->ndone++];
    *d = (Verified){to, *c, v->nsites, 0};
    for (uint32_t pc = from; pc < to; pc += 1 + opcode_nargs[p->code[pc]])
        if (has_varying(p->code[pc])) v->sites[v->nsites++] = pc, d->nsites++;
    return 0;
}

/* Whether [base, base + n) lies within the program's operand vectors. */
static int ops_in_range(const Program *p, uint32_t base, uint32_t n) {
    return base <= p->nops && n <= p->nops - base;
}

/* The i-th of the program's tables, sets and rule indexes' key tables. */
static const Table *table_at(const Program *p, uint32_t i) {
    if (i < p->ntables) return p->tables[i];
    i -= p->ntables;
    if (i < p->nsets) return p->sets[i];
    return p->indexes[i - p->nsets].keys;
}

/* hk[k] = table_key_hash of keys[k], for k < n: four keys at a time
 * through their common length, so the multiplications of four hashes
 * overlap (FNV-1a is one serial chain a key). */
static void key_hashes(const TableKey *keys, uint32_t n, uint32_t *hk) {
    uint32_t k = 0;
    for (; k + 4 <= n; k += 4) {
        const TableKey *a = keys + k;
        uint32_t m = table_key_len(&a[0]);
        for (int j = 1; j < 4; j++) m = table_key_len(&a[j]) < m ? table_key_len(&a[j]) : m;
        uint32_t h0 = 2166136261u, h1 = h0, h2 = h0, h3 = h0;
        const unsigned char *d0 = (const unsigned char *)table_key_bytes(&a[0]),
                            *d1 = (const unsigned char *)table_key_bytes(&a[1]),
                            *d2 = (const unsigned char *)table_key_bytes(&a[2]),
                            *d3 = (const unsigned char *)table_key_bytes(&a[3]);
        for (uint32_t i = 0; i < m; i++) {
            h0 = (h0 ^ d0[i]) * 16777619u;
            h1 = (h1 ^ d1[i]) * 16777619u;
            h2 = (h2 ^ d2[i]) * 16777619u;
            h3 = (h3 ^ d3[i]) * 16777619u;
        }
        const uint32_t h[4] = {h0, h1, h2, h3};
        for (int j = 0; j < 4; j++)
            hk[k + j] = str_hash_more(h[j], table_key_bytes(&a[j]) + m, table_key_len(&a[j]) - m) ^
                        (table_key_prefix(&a[j]) ? TABLE_PREFIX_SALT : 0);
    }
    for (; k < n; k++)
        hk[k] = table_key_hash(table_key_bytes(&keys[k]), table_key_len(&keys[k]),
                               table_key_prefix(&keys[k]));
}

/* The key index of a table against its rows (a pack stores the index as
 * built; a wrong one would make lookups miss rows or return others):
 *  - the slots are as many as table_index_cap gives, each key sits in
 *    exactly one, and the keys' ranges tile the rowids in order;
 *  - the rowids list every row that has a key exactly once, ascending
 *    within a key (the first the key's row0), and every row listed under a
 *    key has that key's bytes (those kept in the key);
 *  - each slot's hash is its key's, recomputed, and no empty slot lies
 *    between the slot a key's hash points at and the key's slot, so a probe
 *    for the key reaches it;
 *  - no slot a probe passes before reaching a key holds an equal key.
 * That is what table_build_index would have built, up to where keys sit in
 * the slots: a lookup finds every row it would have found, and no other.
 * The keys and rows are read in order and the slots in one sweep (no
 * probe at random), and the slots passed over between a key's home and its
 * slot are those an insertion would have passed.  Returns NULL or what is
 * wrong; seen holds max(nrows, nkeys) / 8 + 1 bytes and hk nkeys hashes. */
static const char *verify_index(const Table *t, uint8_t *seen, uint32_t *hk) {
    if (t->key_col < 0 || t->nrows == 0) return t->nkeys ? N_("keys without a key column") : NULL;
    if (!t->slots || !t->rowids || (!t->keys && t->nkeys)) return N_("no key index");
    uint32_t cap = table_index_cap(t->nrows);
    if (t->mask != cap - 1 || t->nkeys > t->nrowids || t->nrowids > t->nrows)
        return N_("key index of the wrong size");
    /* the ranges tile the rowids; the rows under a key have its bytes */
    memset(seen, 0, t->nrows / 8 + 1);
    uint32_t pos = 0;
    for (uint32_t k = 0; k < t->nkeys; k++) {
        const TableKey *tk = &t->keys[k];
        if (tk->first != pos || tk->count == 0 || tk->count > t->nrowids - pos)
            return N_("key ranges do not tile the rows");
        pos += tk->count;
        for (uint32_t j = tk->first; j < pos; j++) {
            uint32_t r = t->rowids[j];
            const char *d;
            uint32_t n;
            if (r >= t->nrows || (seen[r / 8] >> (r % 8) & 1) ||
                (j > tk->first ? r <= t->rowids[j - 1] : r != tk->row0))
                return N_("row ids out of range, repeated or out of order");
            seen[r / 8] |= (uint8_t)(1u << (r % 8));
            if (table_key_of_row(t, r, &d, &n) != table_key_prefix(tk) || n != table_key_len(tk) ||
                memcmp(d, table_key_bytes(tk), n) != 0)
                return N_("a row listed under another key");
        }
    }
    if (pos != t->nrowids) return N_("key ranges do not tile the rows");
    key_hashes(t->keys, t->nkeys, hk);
    for (uint32_t r = 0; r < t->nrows; r++)
        if (!(seen[r / 8] >> (r % 8) & 1) && table_row(t, r)[t->key_col].s)
            return N_("a row with a key missing from the index");
    /* one sweep of the slots from an empty one (there is one: nkeys <=
     * nrows < cap) */
    uint32_t e = 0;
    while (e < cap && t->slots[e].key) e++;
    if (e == cap) return N_("key index full");
    memset(seen, 0, t->nkeys / 8 + 1);
    uint32_t used = 0, run = 0; /* run: full slots since the last empty one */
    for (uint32_t step = 1; step <= cap; step++) {
        uint32_t i = (e + step) & t->mask;
        TableSlot sl = t->slots[i];
        if (!sl.key) {
            run = 0;
            continue;
        }
        uint32_t k = sl.key - 1;
        if (k >= t->nkeys || (seen[k / 8] >> (k % 8) & 1)) return N_("key slot out of range");
        seen[k / 8] |= (uint8_t)(1u << (k % 8));
        used++;
        if (sl.hash != hk[k]) return N_("a key stored with a wrong hash");
        uint32_t home = sl.hash & t->mask, dist = (i - home) & t->mask;
        if (dist > run++) return N_("a key its probe does not reach");
        const TableKey *tk = &t->keys[k];
        for (uint32_t j = home; j != i; j = (j + 1) & t->mask) {
            const TableSlot *o = &t->slots[j];
            const TableKey *ok = &t->keys[o->key - 1];
            if (o->hash == sl.hash && ok->lenp == tk->lenp &&
                memcmp(table_key_bytes(ok), table_key_bytes(tk), table_key_len(tk)) == 0)
                return N_("a key stored twice");
        }
    }
    if (used != t->nkeys) return N_("keys missing from the slots");
    return NULL;
}

/* verify_index of every table, set and rule index. */
static int verify_tables(const Program *p, char *err, size_t errcap) {
    uint32_t most = 0, nt = p->ntables + p->nsets + p->nindexes;
    for (uint32_t i = 0; i < nt; i++) {
        const Table *t = table_at(p, i);
        if (t) most = t->nrows > most ? t->nrows : most;
    }
    uint8_t *seen = malloc(most / 8 + 1);
    uint32_t *hk = malloc(((size_t)most + 1) * sizeof(uint32_t));
    int rc = 0;
    if (!seen || !hk) {
        snprintf(err, errcap, _("out of memory"));
        rc = -1;
    }
    for (uint32_t i = 0; i < nt && rc == 0; i++) {
        const Table *t = table_at(p, i);
        const char *why = t ? verify_index(t, seen, hk) : NULL;
        if (why) {
            snprintf(err, errcap, _("table %s: %s"), t->name ? t->name : "?", _(why));
            rc = -1;
        }
    }
    free(seen);
    free(hk);
    return rc;
}

int verify_program(const Program *p, char *err, size_t errcap) {
    Verifier v = {p, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0};
    size_t n = (size_t)p->ncode + 1;
    v.depth = malloc(n * sizeof(int));
    v.start = malloc(n);
    v.work = malloc(n * sizeof(uint32_t));
    v.loop_end = malloc(n * sizeof(uint32_t));
    v.at = malloc(n * sizeof(int32_t));
    /* each range starts at its own word and holds its own sites */
    v.done = malloc(n * sizeof(Verified));
    v.sites = malloc(n * sizeof(uint32_t));
    int rc = -1;
    if (!v.depth || !v.start || !v.work || !v.loop_end || !v.at || !v.done || !v.sites) {
        snprintf(err, errcap, _("out of memory"));
        goto out;
    }
    memset(v.at, 0xff, n * sizeof(int32_t));
    rc = verify_tables(p, err, errcap);
    for (uint32_t i = 0; i < p->nrules && rc == 0; i++) {
        const Rule *r = &p->rules[i];
        if (!ops_in_range(p, r->ops, r->nops)) {
            snprintf(err, errcap, _("rule %s: operand vector out of range"), r->id);
            rc = -1;
            break;
        }
        TypeCtx c = {.ops = rule_ops(p, r),
                     .nlocals = r->nlocals,
                     .maxstack = r->maxstack,
                     .bound_slot = -1,
                     .key_field = r->flags_claim ? -1 : r->key_field,
                     .key_kind = r->key_kind,
                     .row_slot = r->row_slot,
                     .row_key_col = r->row_key_col};
        if (r->row_slot < -1 || (r->row_slot >= 0 && (uint32_t)r->row_slot >= r->nlocals)) {
            snprintf(err, errcap, _("rule %s: matched row slot out of range"), r->id);
            rc = -1;
            break;
        }
        rc = verify_shared(&v, r->entry, r->code_end, &c, r->nops, err, errcap);
        if (rc != 0 || r->index < 0) continue;
        if (r->bound_slot < 0 || (uint32_t)r->bound_slot >= r->nlocals ||
            (uint32_t)r->index >= p->nindexes) {
            snprintf(err, errcap, _("rule %s: bound slot or index out of range"), r->id);
            rc = -1;
            break;
        }
        /* the bound record: an item of the indexed list (checked at load) */
        c.bound_slot = r->bound_slot;
        c.bound_rt = p->claim->fields[p->indexes[r->index].list_field].type.rec;
        rc = verify_shared(&v, r->bound_entry, r->bound_end, &c, r->nops, err, errcap);
    }
    if (rc == 0 && p->has_prepare) {
        uint32_t end = p->prepare_entry;
        while (end < p->ncode && p->code[end] != OPC_HALT) {
            int op = p->code[end];
            if (op < 0 || op >= OPC__COUNT) break;
            end += 1 + opcode_nargs[op];
        }
        if (!ops_in_range(p, p->prepare_ops, p->prepare_nops)) {
            snprintf(err, errcap, _("derived fields: operand vector out of range"));
            rc = -1;
        } else {
            TypeCtx c = {.ops = p->ops + p->prepare_ops,
                         .nlocals = p->prepare_nlocals,
                         .maxstack = p->prepare_maxstack,
                         .bound_slot = -1,
                         .key_field = -1,
                         .row_slot = -1,
                         .row_key_col = -1};
            rc = verify_shared(&v, p->prepare_entry, end < p->ncode ? end + 1 : p->ncode, &c,
                               p->prepare_nops, err, errcap);
        }
    }
out:
    free(v.depth);
    free(v.start);
    free(v.work);
    free(v.loop_end);
    free(v.at);
    free(v.done);
    free(v.sites);
    return rc;
}
