/* compile.c — code generation: checked syntax trees to stack bytecode.
 *
 * A rule compiles to nested loops, one per binder (`for` over a list, `match`
 * over a table's rows), with the condition and the flag innermost:
 *
 *     LOOP / NEXT ... MATCH / NEXTROW ... <when> JZ next; <flag>; JMP next ... HALT
 */
#include "compile.h"

#include "regex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "scalar.h"

void cg_init(CodeGen *g, Program *p, Alloc a, DiagList *diags) {
    memset(g, 0, sizeof *g);
    g->alloc = a;
    g->p = p;
    g->diags = diags;
}

void cg_free(CodeGen *g) {
    Alloc a = g->alloc;
    mem_free(a, g->code, g->capcode * sizeof(int32_t));
    mem_free(a, g->ops, g->capops * sizeof(int32_t));
    mem_free(a, g->shared, g->capshared * sizeof(SharedCode));
    mem_free(a, g->const_slots, g->capconst_slots * sizeof(uint32_t));
    mem_free(a, g->template_slots, g->captemplate_slots * sizeof(uint32_t));
    mem_free(a, g->consts, g->capconsts * sizeof(Value));
    mem_free(a, g->const_types, g->capconsts * sizeof(Type));
    mem_free(a, g->sets, g->capsets * sizeof(Table *));
    mem_free(a, g->intsets, g->capintsets * sizeof(IntSet));
    if (g->regexes && g->p && g->p->regexes != g->regexes)
        for (size_t i = 0; i < g->nregexes; i++) rx_free(g->regexes[i]);
    mem_free(a, g->regexes, g->capregexes * sizeof(Rx *));
    mem_free(a, g->regex_src, g->capregexes * sizeof(char *));
    mem_free(a, g->templates, g->captemplates * sizeof(Template));
    mem_free(a, g->probes, g->capprobes * sizeof(Probe));
    memset(g, 0, sizeof *g);
}

/* Puts the value of a varying operand in the operand vector of the code
 * being emitted; returns its slot there, which the code holds instead. */
static int32_t op_slot(CodeGen *g, int32_t v) {
    if (mem_grow(g->alloc, (void **)&g->ops, sizeof(int32_t), &g->capops, g->nops + 1)) {
        g->oom = 1;
        return 0;
    }
    g->ops[g->nops] = v;
    return (int32_t)(g->nops++ - g->ops_base);
}

/* Appends an instruction; returns the position of its first operand. */
static size_t emit(CodeGen *g, int op, int nargs, int32_t a, int32_t b, int32_t c, int32_t d) {
    if (mem_grow(g->alloc, (void **)&g->code, sizeof(int32_t), &g->capcode, g->ncode + 5)) {
        g->oom = 1;
        return 0;
    }
    int32_t args[4] = {a, b, c, d};
    g->code[g->ncode++] = op;
    size_t at = g->ncode;
    for (int i = 0; i < nargs; i++)
        g->code[g->ncode++] = operand_varies(op, i) ? op_slot(g, args[i]) : args[i];
    g->depth += opcode_stack_effect(op, args);
    if (g->depth > g->maxdepth) g->maxdepth = g->depth;
    return at;
}

#define E0(g, op) emit(g, OPC_##op, 0, 0, 0, 0, 0)
#define E1(g, op, a) emit(g, OPC_##op, 1, a, 0, 0, 0)
#define E2(g, op, a, b) emit(g, OPC_##op, 2, a, b, 0, 0)

static void patch(CodeGen *g, size_t at, size_t target) {
    if (!g->oom) g->code[at] = (int32_t)target;
}

/* A hash set of indexes (stored + 1; 0 is empty) into an array the caller
 * knows, with hash_of / equal_to reading that array. */
typedef struct IndexSet {
    uint32_t **slots;
    size_t *cap;
    uint64_t (*hash_of)(const CodeGen *g, uint32_t i);
    int (*equal_to)(const CodeGen *g, uint32_t i, const void *key);
} IndexSet;

/* The index of an entry equal to key (with hash h), or -1; when there is
 * none, `add` (the index the caller is about to fill) is entered. */
static int64_t index_set_find(CodeGen *g, IndexSet s, size_t count, uint64_t h, const void *key,
                              uint32_t add) {
    if ((count + 1) * 2 > *s.cap) {
        size_t ncap = *s.cap ? *s.cap * 2 : 1024;
        uint32_t *ns = mem_calloc(g->alloc, ncap * sizeof(uint32_t));
        if (!ns) {
            g->oom = 1;
            return -1;
        }
        for (size_t i = 0; i < *s.cap; i++) {
            uint32_t e = (*s.slots)[i];
            if (!e) continue;
            size_t k = s.hash_of(g, e - 1) & (ncap - 1);
            while (ns[k]) k = (k + 1) & (ncap - 1);
            ns[k] = e;
        }
        mem_free(g->alloc, *s.slots, *s.cap * sizeof(uint32_t));
        *s.slots = ns;
        *s.cap = ncap;
    }
    size_t k = h & (*s.cap - 1);
    for (uint32_t e; (e = (*s.slots)[k]) != 0; k = (k + 1) & (*s.cap - 1))
        if (s.equal_to(g, e - 1, key)) return e - 1;
    (*s.slots)[k] = add + 1;
    return -1;
}

static uint64_t mix(uint64_t h, uint64_t v) {
    h = (h ^ v) * 1099511628211ull;
    return h ^ (h >> 31);
}

static uint64_t type_hash(uint64_t h, const Type *t) {
    h = mix(h, t->kind | (uint64_t)t->elem << 8);
    return mix(mix(mix(h, (uintptr_t)t->enm), (uintptr_t)t->rec), (uintptr_t)t->table);
}

static int type_same(const Type *a, const Type *b) {
    return a->kind == b->kind && a->elem == b->elem && a->enm == b->enm && a->rec == b->rec &&
           a->table == b->table;
}

typedef struct ConstKey {
    Value v;
    Type t;
} ConstKey;

static uint64_t const_hash(Value v, const Type *t) {
    uint64_t h = type_hash(1469598103934665603ull, t);
    if (!type_is_string(t->kind)) return mix(h, (uint64_t)v.i);
    return v.s ? mix(h, v.s->hash | (uint64_t)v.s->len << 32) : mix(h, 1);
}

static uint64_t const_hash_of(const CodeGen *g, uint32_t i) {
    return const_hash(g->consts[i], &g->const_types[i]);
}

static int const_equal_to(const CodeGen *g, uint32_t i, const void *key) {
    const ConstKey *k = key;
    if (!type_same(&g->const_types[i], &k->t)) return 0;
    Value v = g->consts[i];
    if (!type_is_string(k->t.kind)) return v.i == k->v.i;
    if (!v.s || !k->v.s) return v.s == k->v.s;
    return v.s->len == k->v.s->len && memcmp(v.s->data, k->v.s->data, v.s->len) == 0;
}

/* The index of constant v of type t: equal constants are stored once. */
static int32_t add_const(CodeGen *g, Value v, Type t) {
    ConstKey key = {v, t};
    IndexSet set = {&g->const_slots, &g->capconst_slots, const_hash_of, const_equal_to};
    int64_t found =
        index_set_find(g, set, g->nconsts, const_hash(v, &t), &key, (uint32_t)g->nconsts);
    if (found >= 0 || g->oom) return (int32_t)(found >= 0 ? found : 0);
    size_t cap = g->capconsts;
    if (mem_grow(g->alloc, (void **)&g->consts, sizeof(Value), &g->capconsts, g->nconsts + 1)) {
        g->oom = 1;
        return 0;
    }
    if (g->capconsts != cap) {
        Type *nt =
            mem_realloc(g->alloc, g->const_types, cap * sizeof(Type), g->capconsts * sizeof(Type));
        if (!nt) {
            g->oom = 1;
            return 0;
        }
        g->const_types = nt;
    }
    g->consts[g->nconsts] = v;
    g->const_types[g->nconsts] = t;
    return (int32_t)g->nconsts++;
}

static void push_int(CodeGen *g, int64_t i, int kind) {
    Value v;
    v.i = i;
    Type t = {(uint8_t)kind, 0, NULL, NULL, NULL};
    E1(g, CONST, add_const(g, v, t));
}

int cg_regex(CodeGen *g, Node *at, const char *pattern) {
    char msg[256];
    int k = cg_regex_text(g, pattern, msg, sizeof msg);
    if (k < 0 && !g->oom)
        diag_add(g->diags, DIAG_ERROR, at->file, at->off, at->end - at->off,
                 "bad regular expression: %s", msg);
    return k;
}

int cg_regex_text(CodeGen *g, const char *pattern, char *err, size_t errcap) {
    snprintf(err, errcap, "out of memory");
    size_t old = g->capregexes;
    if (mem_grow(g->alloc, (void **)&g->regexes, sizeof(Rx *), &g->capregexes, g->nregexes + 1)) {
        g->oom = 1;
        return -1;
    }
    size_t cap = g->capregexes;
    /* regex_src grows in step with regexes */
    const char **ns = cap == old ? g->regex_src
                                 : mem_realloc(g->alloc, g->regex_src, old * sizeof(char *),
                                               cap * sizeof(char *));
    if (!ns) {
        g->oom = 1;
        return -1;
    }
    g->regex_src = ns;
    g->regexes[g->nregexes] = rx_new(pattern, strlen(pattern), err, errcap);
    if (!g->regexes[g->nregexes]) return -1;
    g->regex_src[g->nregexes] = arena_strndup(&g->p->ar, pattern, strlen(pattern));
    if (!g->regex_src[g->nregexes]) {
        rx_free(g->regexes[g->nregexes]);
        g->oom = 1;
        return -1;
    }
    return (int)g->nregexes++;
}

static uint64_t template_hash(const Template *t) {
    uint64_t h = mix(1469598103934665603ull, t->nparts);
    for (uint32_t i = 0; i < t->nparts; i++) {
        const TemplatePart *p = &t->parts[i];
        h = p->text ? mix(h, str_hash(p->text, p->len)) : type_hash(mix(h, 0), &p->type);
    }
    return h;
}

static uint64_t template_hash_of(const CodeGen *g, uint32_t i) {
    return template_hash(&g->templates[i]);
}

static int template_equal_to(const CodeGen *g, uint32_t i, const void *key) {
    const Template *a = &g->templates[i], *b = key;
    if (a->nparts != b->nparts) return 0;
    for (uint32_t k = 0; k < a->nparts; k++) {
        const TemplatePart *x = &a->parts[k], *y = &b->parts[k];
        if (!x->text != !y->text) return 0;
        if (x->text ? x->len != y->len || memcmp(x->text, y->text, x->len) != 0
                    : !type_same(&x->type, &y->type))
            return 0;
    }
    return 1;
}

int cg_template(CodeGen *g, Template t) {
    IndexSet set = {&g->template_slots, &g->captemplate_slots, template_hash_of, template_equal_to};
    int64_t found =
        index_set_find(g, set, g->ntemplates, template_hash(&t), &t, (uint32_t)g->ntemplates);
    if (found >= 0) return (int)found;
    if (g->oom) return -1;
    if (mem_grow(g->alloc, (void **)&g->templates, sizeof(Template), &g->captemplates,
                 g->ntemplates + 1)) {
        g->oom = 1;
        return -1;
    }
    g->templates[g->ntemplates] = t;
    return (int)g->ntemplates++;
}

/* Records a probe at the next instruction (debug builds of a program). */
static Probe *probe(CodeGen *g, int kind, const Node *n, const Node *a, const Node *b) {
    if (!g->debug || g->in_aggregate) return NULL;
    if (mem_grow(g->alloc, (void **)&g->probes, sizeof(Probe), &g->capprobes, g->nprobes + 1)) {
        g->oom = 1;
        return NULL;
    }
    Probe *p = &g->probes[g->nprobes++];
    memset(p, 0, sizeof *p);
    p->pc = (uint32_t)g->ncode;
    p->kind = (uint8_t)kind;
    p->nvalues = kind == PROBE_OPERANDS ? (b ? 2 : 1) : 1;
    p->file = n->file;
    p->off = n->off;
    p->end = n->end;
    if (a) p->a_off = a->off, p->a_end = a->end, p->ta = a->type;
    if (b) p->b_off = b->off, p->b_end = b->end, p->tb = b->type;
    if (kind == PROBE_RESULT) p->ta = n->type;
    return p;
}

static Node *unwrap(Node *n) {
    while (n && n->res == RES_INLINE && n->a) n = n->a;
    return n;
}

static int int64_cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* A constant set: strings become a one-column indexed table (members ending
 * in '%' are prefixes); enum members, ints and bools a sorted int set. */
static void cg_set_test(CodeGen *g, Node *set, int string_elems) {
    Arena *ar = &g->p->ar;
    size_t n = 0;
    for (Node *e = set->list; e; e = e->next) n++;
    if (string_elems) {
        Table *t = arena_alloc(ar, sizeof(Table));
        Field *f = arena_alloc(ar, sizeof(Field));
        Value *rows = arena_alloc(ar, (n ? n : 1) * sizeof(Value));
        if (!t || !f || !rows) {
            g->oom = 1;
            return;
        }
        f->name = "member";
        f->name_len = 6;
        f->type.kind = TY_CODE;
        f->key = 1;
        t->name = "set";
        t->rt.name = "set";
        t->rt.nfields = 1;
        t->rt.fields = f;
        t->rt.key_field = t->key_col = 0;
        t->rt.at_risk_field = t->rt.as_of_field = -1;
        size_t k = 0;
        for (Node *e = set->list; e; e = e->next) {
            Node *u = unwrap(e);
            rows[k++].s = str_new(ar, u->str, u->slen);
        }
        t->rows = rows;
        t->nrows = (uint32_t)k;
        if (table_build_index(t, ar))
            diag_add(g->diags, DIAG_ERROR, set->file, set->off, set->end - set->off,
                     "set has too many different prefix lengths");
        if (mem_grow(g->alloc, (void **)&g->sets, sizeof(Table *), &g->capsets, g->nsets + 1)) {
            g->oom = 1;
            return;
        }
        g->sets[g->nsets] = t;
        E1(g, INSET, (int32_t)g->nsets++);
        return;
    }
    IntSet s;
    s.n = (uint32_t)n;
    s.v = arena_alloc(ar, (n ? n : 1) * sizeof(int64_t));
    if (!s.v) {
        g->oom = 1;
        return;
    }
    size_t k = 0;
    for (Node *e = set->list; e; e = e->next) {
        Node *u = unwrap(e);
        if (u->kind == N_UNARY)
            s.v[k++] = -u->a->ival;
        else
            s.v[k++] = u->ival;
    }
    qsort(s.v, n, sizeof(int64_t), int64_cmp);
    if (mem_grow(g->alloc, (void **)&g->intsets, sizeof(IntSet), &g->capintsets, g->nintsets + 1)) {
        g->oom = 1;
        return;
    }
    g->intsets[g->nintsets] = s;
    E1(g, ININT, (int32_t)g->nintsets++);
}

static void cg_expr(CodeGen *g, Node *n);

static void cg_agg_body(CodeGen *g, Node *n);

/* Starts the loop of a binder: a rule's `for` or `match` clause, or an
 * aggregate's further binder (`y in x.M`, `match r in T on x.F`).  *top is
 * where the next item is taken; *end the word of NEXT/NEXTROW to patch with
 * the loop's exit. */
static void cg_binder(CodeGen *g, Node *b, size_t *top, size_t *end) {
    if (b->kind == N_MATCH) {
        const Table *t = b->a->ref;
        uint32_t ti = 0;
        while (ti < g->p->ntables && g->p->tables[ti] != t) ti++;
        cg_expr(g, b->b);
        E2(g, MATCH, b->slot + 1, (int32_t)ti);
        *top = g->ncode;
        *end = emit(g, OPC_NEXTROW, 4, (int32_t)ti, b->slot + 1, b->slot, 0) + 3;
    } else {
        cg_expr(g, b->a);
        E2(g, LOOP, b->slot + 1, b->slot + 2);
        *top = g->ncode;
        *end = emit(g, OPC_NEXT, 4, b->slot + 1, b->slot + 2, b->slot, 0) + 3;
    }
}

/* Aggregates, without probes inside (one per item would drown the rest);
 * in a when, the result of exists/all is a condition of its own for
 * explain. */
static void cg_agg(CodeGen *g, Node *n) {
    g->in_aggregate++;
    cg_agg_body(g, n);
    g->in_aggregate--;
    if (g->in_when && (n->op == OP_EXISTS || n->op == OP_ALL))
        probe(g, PROBE_RESULT, n, NULL, NULL);
}

/* Whether a binder's list is history(...) (maybe through a define). */
static int is_history(const Node *b) {
    if (b->kind == N_MATCH) return 0;
    const Node *e = unwrap(b->a);
    return e && e->kind == N_CALL && e->op != 1 && e->res == RES_BUILTIN && e->slot == BI_HISTORY;
}

/* Notes the claims of an aggregate's history() binders as evidence (the
 * item being accumulated: its `where` held). */
static void cg_evidence(CodeGen *g, Node *n) {
    if (!g->evidence) return;
    for (Node *b = n->list; b; b = b->next)
        if (is_history(b)) E1(g, EVIDENCE, b->slot);
}

static int has_history_binder(const Node *n) {
    for (const Node *b = n->list; b; b = b->next)
        if (is_history(b)) return 1;
    return 0;
}

/* Whether key expression e reads only fields of variables other than the
 * binder's slots [lo, lo + 2] and string literals: nothing that can fail,
 * note evidence or change between the binder's items. */
static int pure_key(Node *e, int32_t lo) {
    e = unwrap(e);
    if (!e) return 0;
    if (e->kind == N_STRING) return 1;
    if (e->kind == N_NAME) return e->res == RES_VAR && (e->slot < lo || e->slot > lo + 2);
    return e->kind == N_FIELDREF && pure_key(e->a, lo);
}

/* An aggregate's last binder b over a list loops only over the items whose
 * string field F equals a key when its `where` begins with `b.F == KEY`
 * (or `KEY == b.F`), KEY being pure (pure_key): the other items fail that
 * first conjunct, and nothing else of the `where` is evaluated for them.
 * Returns KEY and sets *field, or NULL.  Not for `all` (its `where` is what
 * it tests, not a filter), history() binders (their claims are evidence),
 * table matches, or derived fields. */
static Node *select_key(const CodeGen *g, const Node *n, const Node *b, int32_t *field) {
    if (g->in_prepare || n->op == OP_ALL || !n->b || b->next || b->kind == N_MATCH || is_history(b))
        return NULL;
    Node *c = unwrap(n->b);
    while (c && c->kind == N_BINARY && c->op == OP_AND) c = unwrap(c->a);
    if (!c || c->kind != N_BINARY || c->op != OP_EQ || !type_is_string(c->a->type.kind))
        return NULL;
    for (int side = 0; side < 2; side++) {
        Node *x = unwrap(side ? c->b : c->a), *key = side ? c->a : c->b;
        if (x->kind != N_FIELDREF || !type_is_string(x->type.kind)) continue;
        Node *v = unwrap(x->a);
        if (v->kind != N_NAME || v->res != RES_VAR || v->slot != b->slot) continue;
        if (!pure_key(key, b->slot)) continue;
        *field = x->slot;
        return key;
    }
    return NULL;
}

/* For binder b followed by the last binder x over `b.LF` (a list field of
 * b's record) where select_key holds for x with a KEY that does not read b
 * either: KEY, and *lf, *f (LF and x's field F).  The loop over b then
 * takes only the records with an item whose F equals KEY (SELIN): the
 * others would give no x past the first conjunct.  NULL otherwise. */
static Node *select_in_key(const CodeGen *g, const Node *n, const Node *b, int32_t *lf,
                           int32_t *f) {
    const Node *x = b->next;
    if (!x || x->next || b->kind == N_MATCH || x->kind == N_MATCH) return NULL;
    Node *key = select_key(g, n, x, f);
    if (!key || !pure_key(key, b->slot)) return NULL;
    Node *lst = unwrap(x->a);
    if (!lst || lst->kind != N_FIELDREF || lst->type.kind != TY_LIST) return NULL;
    Node *v = unwrap(lst->a);
    if (!v || v->kind != N_NAME || v->res != RES_VAR || v->slot != b->slot) return NULL;
    if (lst->slot < 0 || lst->slot > 0xfff || *f < 0 || *f > 0xfff) return NULL; /* in_field */
    *lf = lst->slot;
    return key;
}

/* Whether e is date(E) of a datetime E: its day. */
static Node *date_of_datetime(Node *e) {
    e = unwrap(e);
    if (!e || e->kind != N_CALL || e->op == 1 || e->res != RES_BUILTIN || e->slot != BI_DATE ||
        !e->list || e->list->next || e->list->type.kind != TY_DATETIME)
        return NULL;
    return unwrap(e->list);
}

/* After select_key, a `where` whose second conjunct is `date(b.T) == KEY2`
 * (or `KEY2 == date(b.T)`), T a datetime field of binder b and KEY2
 * date(E) of a pure datetime E or a pure date field, narrows the code's
 * group to the items of that day: SELDAY.  Returns KEY2 and sets *field, or
 * NULL. */
static Node *select_day_key(const Node *n, const Node *b, int32_t *field) {
    Node *c = unwrap(n->b), *parent = NULL;
    while (c && c->kind == N_BINARY && c->op == OP_AND) parent = c, c = unwrap(c->a);
    Node *c2 = parent ? unwrap(parent->b) : NULL;
    if (!c2 || c2->kind != N_BINARY || c2->op != OP_EQ || c2->a->type.kind != TY_DATE ||
        c2->b->type.kind != TY_DATE)
        return NULL;
    for (int side = 0; side < 2; side++) {
        Node *x = date_of_datetime(side ? c2->b : c2->a), *key = side ? c2->a : c2->b;
        if (!x || x->kind != N_FIELDREF) continue;
        Node *v = unwrap(x->a);
        if (v->kind != N_NAME || v->res != RES_VAR || v->slot != b->slot) continue;
        Node *kd = date_of_datetime(key), *ku = unwrap(key);
        if (kd ? !(kd->kind == N_FIELDREF && pure_key(kd, b->slot))
               : !(ku && ku->kind == N_FIELDREF && pure_key(ku, b->slot)))
            continue;
        *field = x->slot;
        return key;
    }
    return NULL;
}

static void cg_agg_body(CodeGen *g, Node *n) {
    int32_t acc = n->slot;
    int kind = n->type.kind;
    switch (n->op) {
    case OP_ALL: push_int(g, 1, TY_BOOL); break;
    case OP_MIN:
    case OP_MAX: push_int(g, ARB_NULL, kind); break;
    default: push_int(g, 0, kind);
    }
    E1(g, STORE, acc);
    /* each binder loops inside the previous one: `top` is the innermost
     * loop's next item, and its end goes on with the enclosing loop */
    size_t outer[16], ends[16], top = 0, end = 0;
    int nouter = 0;
    for (Node *b = n->list; b && nouter < 15; b = b->next) { /* the checker allows 16 */
        if (b != n->list) {
            outer[nouter] = top;
            ends[nouter++] = end;
        }
        int32_t field, lf, f2;
        Node *key = select_key(g, n, b, &field), *key2;
        if (!key && (key2 = select_in_key(g, n, b, &lf, &f2))) {
            /* `b in L, x in b.LF where x.F == KEY ...`: only b's with such an x */
            cg_expr(g, b->a);
            cg_expr(g, key2);
            E2(g, SELIN, lf, f2);
            E2(g, LOOP, b->slot + 1, b->slot + 2);
            top = g->ncode;
            end = emit(g, OPC_NEXT, 4, b->slot + 1, b->slot + 2, b->slot, 0) + 3;
            continue;
        }
        if (key) { /* the items whose field equals the key: SELECT, then as cg_binder */
            cg_expr(g, b->a);
            cg_expr(g, key);
            E1(g, SELECT, field);
            int32_t tfield;
            Node *day = select_day_key(n, b, &tfield);
            if (day) { /* and of the key's day: SELDAY */
                cg_expr(g, day);
                E1(g, SELDAY, tfield);
            }
            E2(g, LOOP, b->slot + 1, b->slot + 2);
            top = g->ncode;
            end = emit(g, OPC_NEXT, 4, b->slot + 1, b->slot + 2, b->slot, 0) + 3;
            continue;
        }
        cg_binder(g, b, &top, &end);
    }
    size_t brk = 0;
    if (n->op == OP_ALL && g->evidence && has_history_binder(n)) {
        /* all(p in history(D) where C): the claims for which C held */
        cg_expr(g, n->b);
        size_t fails = E1(g, JZ, 0);
        cg_evidence(g, n);
        E1(g, JMP, (int32_t)top);
        patch(g, fails, g->ncode);
        push_int(g, 0, TY_BOOL);
        E1(g, STORE, acc);
        brk = E1(g, JMP, 0);
    } else if (n->op == OP_ALL) {
        cg_expr(g, n->b);
        E1(g, JNZ, (int32_t)top);
        push_int(g, 0, TY_BOOL);
        E1(g, STORE, acc);
        brk = E1(g, JMP, 0);
    } else {
        if (n->b) {
            cg_expr(g, n->b);
            E1(g, JZ, (int32_t)top);
        }
        cg_evidence(g, n);
        switch (n->op) {
        case OP_COUNT:
            push_int(g, 1, TY_INT);
            E1(g, ACCADD, acc);
            break;
        case OP_EXISTS:
            push_int(g, 1, TY_BOOL);
            E1(g, STORE, acc);
            brk = E1(g, JMP, 0);
            break;
        case OP_SUM:
            cg_expr(g, n->c);
            E1(g, ACCADD, acc);
            break;
        case OP_MIN:
            cg_expr(g, n->c);
            E1(g, ACCMIN, acc);
            break;
        case OP_MAX:
            cg_expr(g, n->c);
            E1(g, ACCMAX, acc);
            break;
        }
    }
    if (!brk) E1(g, JMP, (int32_t)top);
    for (int k = nouter - 1; k >= 0; k--) {
        /* the inner loop is done: next item of the enclosing one */
        patch(g, end, g->ncode);
        E1(g, JMP, (int32_t)outer[k]);
        end = ends[k];
    }
    patch(g, end, g->ncode);
    if (brk) patch(g, brk, g->ncode);
    E1(g, LOAD, acc);
}

static void cg_binary(CodeGen *g, Node *n) {
    int op = n->op;
    if (op == OP_AND || op == OP_OR) {
        cg_expr(g, n->a);
        size_t j = op == OP_AND ? E1(g, JZK, 0) : E1(g, JNZK, 0);
        cg_expr(g, n->b);
        if (!g->debug || g->in_aggregate) {
            patch(g, j, g->ncode);
            return;
        }
        /* explain: the short-circuit jump must not land on b's last probe
         * (which would report b with a's value): it lands on a probe of its
         * own saying b was not evaluated, and both paths meet after it */
        size_t ran = E1(g, JMP, 0);
        patch(g, j, g->ncode);
        probe(g, PROBE_SKIPPED, n->b, n->a, NULL);
        size_t skipped = E1(g, JMP, 0);
        patch(g, ran, g->ncode);
        patch(g, skipped, g->ncode);
        return;
    }
    if (op == OP_IN || op == OP_NOTIN) {
        cg_expr(g, n->a);
        probe(g, PROBE_OPERANDS, n, n->a, NULL);
        Node *rhs = unwrap(n->b);
        if (rhs->type.kind == TY_TABLE) {
            const Table *t = rhs->ref;
            uint32_t ti = 0;
            while (ti < g->p->ntables && g->p->tables[ti] != t) ti++;
            E1(g, INTABLE, (int32_t)ti);
        } else {
            cg_set_test(g, rhs, type_is_string(n->a->type.kind));
        }
        if (op == OP_NOTIN) E0(g, NOT);
        probe(g, PROBE_RESULT, n, NULL, NULL);
        return;
    }
    if (op == OP_MATCHES && n->b->type.kind == TY_REGEX) { /* x matches r.column */
        cg_expr(g, n->a);
        probe(g, PROBE_OPERANDS, n, n->a, NULL);
        cg_expr(g, n->b);
        E0(g, MATCHESR);
        probe(g, PROBE_RESULT, n, NULL, NULL);
        return;
    }
    if (op == OP_MATCHES) {
        cg_expr(g, n->a);
        probe(g, PROBE_OPERANDS, n, n->a, NULL);
        E1(g, MATCHES, n->slot);
        probe(g, PROBE_RESULT, n, NULL, NULL);
        return;
    }
    int ka = n->a->type.kind, kb = n->b->type.kind;
    int str = type_is_string(ka);
    if (op >= OP_EQ && op <= OP_GE) {
        /* one table indexed twice (not a pointer chosen between two arrays,
         * which GCC 12's object-size check misreads at -O2) */
        static const uint8_t cmp[2][6] = {{OPC_EQ, OPC_NE, OPC_LT, OPC_LE, OPC_GT, OPC_GE},
                                          {OPC_SEQ, OPC_SNE, OPC_SLT, OPC_SLE, OPC_SGT, OPC_SGE}};
        cg_expr(g, n->a);
        cg_expr(g, n->b);
        probe(g, PROBE_OPERANDS, n, n->a, n->b);
        emit(g, cmp[str != 0][op - OP_EQ], 0, 0, 0, 0, 0);
        probe(g, PROBE_RESULT, n, NULL, NULL);
        return;
    }
    cg_expr(g, n->a);
    if (ka == TY_DURATION && kb == TY_DATE) E1(g, DIVK, SECS_PER_DAY);
    cg_expr(g, n->b);
    if (ka == TY_DATE && kb == TY_DURATION) E1(g, DIVK, SECS_PER_DAY);
    switch (op) {
    case OP_ADD: E0(g, ADD); break;
    case OP_SUB:
        E0(g, SUB);
        if (ka == TY_DATE && kb == TY_DATE) E1(g, MULK, SECS_PER_DAY);
        break;
    case OP_MUL: E0(g, MUL); break;
    case OP_DIV: E0(g, DIV); break;
    }
}

static void cg_builtin(CodeGen *g, Node *n) {
    Node *a = n->list, *b = a ? a->next : NULL;
    int dt = a && a->type.kind == TY_DATETIME;
    switch (n->slot) {
    case BI_DATE:
        cg_expr(g, a);
        if (dt) E1(g, DIVK, SECS_PER_DAY);
        return;
    case BI_YEAR:
    case BI_MONTH:
        cg_expr(g, a);
        if (dt) E1(g, DIVK, SECS_PER_DAY);
        n->slot == BI_YEAR ? E0(g, YEAR) : E0(g, MONTH);
        return;
    case BI_AGE_YEARS: cg_expr(g, a), cg_expr(g, b), E0(g, AGE); return;
    case BI_DAYS_BETWEEN: cg_expr(g, b), cg_expr(g, a), E0(g, SUB); return;
    case BI_DAYS: cg_expr(g, a), E1(g, DIVK, SECS_PER_DAY); return;
    case BI_HOURS: cg_expr(g, a), E1(g, DIVK, 3600); return;
    case BI_COALESCE:
        cg_expr(g, a), cg_expr(g, b);
        type_is_string(a->type.kind) ? E0(g, SCOAL) : E0(g, COAL);
        return;
    case BI_MISSING:
    case BI_PRESENT:
        cg_expr(g, a);
        type_is_string(a->type.kind) ? E0(g, SISNULL) : E0(g, ISNULL);
        if (n->slot == BI_PRESENT) E0(g, NOT);
        return;
    case BI_ABS: cg_expr(g, a), E0(g, ABS); return;
    case BI_LEN: cg_expr(g, a), E0(g, LEN); return;
    case BI_HISTORY: cg_expr(g, a), E0(g, HISTORY); return;
    case BI_STARTS_WITH: cg_expr(g, a), cg_expr(g, b), E0(g, STARTS); return;
    case BI_LEAST: cg_expr(g, a), cg_expr(g, b), E0(g, LEAST); return;
    case BI_GREATEST: cg_expr(g, a), cg_expr(g, b), E0(g, GREATEST); return;
    case BI_LABEL: { /* each member's label (its name if none), missing for a missing value */
        const EnumType *en = a->type.enm;
        Type text = {TY_TEXT, 0, NULL, NULL, NULL};
        size_t *ends = mem_alloc(g->alloc, (en->n + 1) * sizeof(size_t));
        if (!ends) {
            g->oom = 1;
            return;
        }
        Value v;
        for (uint32_t k = 0; k < en->n; k++) {
            cg_expr(g, a);
            push_int(g, k, TY_INT);
            E0(g, EQ);
            size_t next = E1(g, JZ, 0);
            const char *l = en->labels && en->labels[k] ? en->labels[k] : en->members[k];
            v.s = str_new(&g->p->ar, l, strlen(l));
            if (!v.s) g->oom = 1;
            E1(g, CONST, add_const(g, v, text));
            ends[k] = E1(g, JMP, 0);
            patch(g, next, g->ncode);
        }
        v.s = NULL;
        E1(g, CONST, add_const(g, v, text));
        for (uint32_t k = 0; k < en->n; k++) patch(g, ends[k], g->ncode);
        mem_free(g->alloc, ends, (en->n + 1) * sizeof(size_t));
        return;
    }
    }
}

static void cg_expr(CodeGen *g, Node *n) {
    if (g->oom) return;
    Value v;
    switch (n->kind) {
    case N_INT:
    case N_MONEY:
    case N_DATE:
    case N_DATETIME:
    case N_DURATION:
    case N_BOOL: push_int(g, n->ival, n->type.kind); return;
    case N_STRING:
        v.s = str_new(&g->p->ar, n->str, n->slen);
        if (!v.s) g->oom = 1;
        E1(g, CONST, add_const(g, v, n->type));
        return;
    case N_NAME:
        switch (n->res) {
        case RES_VAR: E1(g, LOAD, n->slot); return;
        case RES_FIELD: E2(g, LFIELD, n->slot, (int32_t)n->ival); return;
        case RES_INLINE: cg_expr(g, n->a); return;
        case RES_CONST:
            v.i = n->ival;
            E1(g, CONST, add_const(g, v, n->type)); /* keeps the enum, for disasm */
            return;
        }
        break;
    case N_FIELDREF: {
        Node *obj = unwrap(n->a);
        if (obj->kind == N_NAME && obj->res == RES_VAR) {
            E2(g, LFIELD, obj->slot, n->slot);
        } else {
            cg_expr(g, n->a);
            E1(g, FIELD, n->slot);
        }
        return;
    }
    case N_CALL:
        if (n->op == 1) { /* lua.NAME(args): the arguments, then the call */
            int32_t nargs = 0;
            for (Node *a = n->list; a; a = a->next, nargs++) cg_expr(g, a);
            E2(g, LUACALL, n->slot, nargs);
        } else if (n->res == RES_INLINE)
            cg_expr(g, n->a);
        else
            cg_builtin(g, n);
        return;
    case N_UNARY:
        cg_expr(g, n->a);
        switch (n->op) {
        case OP_NOT: E0(g, NOT); break;
        case OP_NEG: E0(g, NEG); break;
        case OP_TODT: E1(g, MULK, SECS_PER_DAY); break;
        case OP_TOMONEY: E1(g, MULK, 100); break;
        }
        return;
    case N_BINARY: cg_binary(g, n); return;
    case N_COND: { /* a missing condition takes the else branch, as JZ does */
        cg_expr(g, n->a);
        size_t otherwise = E1(g, JZ, 0);
        cg_expr(g, n->b);
        size_t done = E1(g, JMP, 0);
        patch(g, otherwise, g->ncode);
        cg_expr(g, n->c); /* explain shows the tests of the branch taken */
        patch(g, done, g->ncode);
        return;
    }
    case N_AGG: cg_agg(g, n); return;
    }
    diag_add(g->diags, DIAG_ERROR, n->file, n->off, n->end - n->off,
             "internal error: cannot compile this expression");
}

/* Emits a jump to the top of binder level `k`; with the first binder bound
 * by the caller (tops[0] == NO_TOP) "next line" means the end of the code,
 * so the jump is recorded in `halts` and patched there. */
#define NO_TOP ((size_t)-1)
static void jump_to_level(CodeGen *g, int op, const size_t *tops, int k, size_t *halts,
                          int *nhalts) {
    if (k < 0 || tops[k] == NO_TOP) {
        halts[(*nhalts)++] = emit(g, op, 1, 0, 0, 0, 0);
        return;
    }
    emit(g, op, 1, (int32_t)tops[k], 0, 0, 0);
}

/* Emits condition e (an `and` chain) without its first conjunct, which is
 * `decided` (known true where the code runs): as cg_expr would, since
 * `true and x` is x.  Returns 0 when nothing is left to test (e is that
 * conjunct), 1 when the rest's value is pushed.  When decided is not e's
 * first conjunct, e is emitted whole. */
static int cg_undecided(CodeGen *g, Node *e, const Node *decided) {
    if (unwrap(e) == decided) return 0;
    if (e->kind == N_BINARY && e->op == OP_AND && e->res != RES_INLINE) {
        if (!cg_undecided(g, e->a, decided)) {
            cg_expr(g, e->b);
            return 1;
        }
        size_t j = E1(g, JZK, 0);
        cg_expr(g, e->b);
        patch(g, j, g->ncode);
        return 1;
    }
    cg_expr(g, e);
    return 1;
}

/* Emits a rule.  With `bound` set the first binder (a `for`) is not emitted:
 * the caller puts the record in its slot and runs the code once for it (the
 * item-code index does that for the lines that can match); `decided` is
 * then the conjunct of `when` the index has tested already (or NULL), left
 * out unless probes are recorded (`explain` shows it). */
static int cg_rule_code(CodeGen *g, Node *clauses, int bound, const Node *decided, uint32_t *entry,
                        uint32_t *end, uint16_t *maxstack) {
    size_t tops[32], ends[32], halts[40];
    int nb = 0, nhalts = 0, reset = 0;
    g->depth = g->maxdepth = 0;
    *entry = (uint32_t)g->ncode;
    for (Node *cl = clauses; cl; cl = cl->next) {
        if (cl->kind == N_FOR || cl->kind == N_MATCH) {
            if (nb == 32) {
                diag_add(g->diags, DIAG_ERROR, cl->file, cl->off, cl->end - cl->off,
                         "too many nested for/match clauses (at most 32)");
                return -1;
            }
            if (cl->kind == N_FOR && bound && nb == 0) {
                tops[nb] = NO_TOP;
                ends[nb] = NO_TOP;
            } else {
                cg_binder(g, cl, &tops[nb], &ends[nb]);
            }
            nb++;
            continue;
        }
        if (g->evidence && !reset && (cl->kind == N_WHEN || cl->kind == N_FLAG)) {
            /* a binding starts: what it finds is its own */
            E0(g, EVRESET);
            reset = 1;
        }
        if (cl->kind == N_WHEN && bound && decided && !g->debug) {
            if (cg_undecided(g, cl->a, decided))
                jump_to_level(g, OPC_JZ, tops, nb - 1, halts, &nhalts);
        } else if (cl->kind == N_WHEN) {
            g->in_when = 1;
            cg_expr(g, cl->a);
            g->in_when = 0;
            Probe *pr = probe(g, PROBE_WHEN, cl->a, NULL, NULL);
            for (Node *b = clauses; pr && b != cl && pr->nbind < 4; b = b->next) {
                if (b->kind != N_FOR && b->kind != N_MATCH) continue;
                ProbeBinding *pb = &pr->bind[pr->nbind++];
                pb->slot = b->slot;
                pb->rt =
                    b->kind == N_FOR ? unwrap(b->a)->type.rec : &((const Table *)b->a->ref)->rt;
                pb->key_field = pb->rt ? (b->kind == N_FOR ? pb->rt->key_field
                                                           : ((const Table *)b->a->ref)->key_col)
                                       : -1;
                snprintf(pb->name, sizeof pb->name, "%.*s", (int)b->name.len, b->name.ptr);
            }
            jump_to_level(g, OPC_JZ, tops, nb - 1, halts, &nhalts);
        } else if (cl->kind == N_FLAG) {
            /* a `for p in history(D)`: p made the finding */
            for (Node *b = clauses; g->evidence && b != cl; b = b->next)
                if (b->kind == N_FOR && is_history(b)) E1(g, EVIDENCE, b->slot);
            if (cl->b)
                cg_expr(g, cl->b);
            else
                push_int(g, 0, TY_MONEY);
            int nargs = 0;
            for (Node *e = cl->d; e; e = e->next, nargs++) cg_expr(g, e);
            emit(g, OPC_FLAG, 3, (int32_t)cl->slot, (int32_t)cl->ival, nargs, 0);
        }
    }
    for (int i = nb - 1; i >= 0; i--) {
        if (tops[i] == NO_TOP) continue; /* bound: falls through to HALT */
        E1(g, JMP, (int32_t)tops[i]);
        patch(g, ends[i], g->ncode);
    }
    for (int i = 0; i < nhalts; i++) patch(g, halts[i], g->ncode);
    E0(g, HALT);
    *end = (uint32_t)g->ncode;
    *maxstack = (uint16_t)(g->maxdepth + 1);
    return g->oom ? -1 : 0;
}

int cg_rule(CodeGen *g, Node *clauses, Rule *r) {
    r->row_slot = r->row_key_col = -1;
    for (Node *cl = clauses; cl; cl = cl->next) {
        if (cl->kind != N_MATCH) continue;
        const Table *t = cl->a->ref;
        if (t && t->key_col >= 0) r->row_slot = cl->slot, r->row_key_col = t->key_col;
        break;
    }
    g->ops_base = g->nops;
    r->ops = (uint32_t)g->nops;
    int rc = cg_rule_code(g, clauses, 0, NULL, &r->entry, &r->code_end, &r->maxstack);
    r->nops = (uint32_t)(g->nops - r->ops);
    return rc;
}

int cg_rule_bound(CodeGen *g, Node *clauses, Rule *r, const Node *decided) {
    uint16_t maxstack;
    int rc = cg_rule_code(g, clauses, 1, decided, &r->bound_entry, &r->bound_end, &maxstack);
    if (maxstack > r->maxstack) r->maxstack = maxstack;
    r->nops = (uint32_t)(g->nops - r->ops);
    return rc;
}

int cg_rule_end(CodeGen *g, Rule *r) {
    uint32_t entry = r->entry, split = r->code_end, end = r->index >= 0 ? r->bound_end : split;
    /* only the code just emitted, in one piece */
    if (g->debug || g->oom || end != g->ncode || (r->index >= 0 && r->bound_entry != split))
        return g->oom ? -1 : 0;
    if ((g->nshared + 1) * 2 > g->capshared) {
        size_t ncap = g->capshared ? g->capshared * 2 : 1024;
        SharedCode *ns = mem_calloc(g->alloc, ncap * sizeof(SharedCode));
        if (!ns) {
            g->oom = 1;
            return -1;
        }
        for (size_t i = 0; i < g->capshared; i++) {
            if (!g->shared[i].end) continue;
            size_t k = g->shared[i].hash & (ncap - 1);
            while (ns[k].end) k = (k + 1) & (ncap - 1);
            ns[k] = g->shared[i];
        }
        mem_free(g->alloc, g->shared, g->capshared * sizeof(SharedCode));
        g->shared = ns;
        g->capshared = ncap;
    }
    uint64_t h = mix(code_hash(g->code, entry, end), split - entry);
    size_t k = h & (g->capshared - 1);
    for (; g->shared[k].end; k = (k + 1) & (g->capshared - 1)) {
        const SharedCode *c = &g->shared[k];
        if (c->hash != h || c->split - c->entry != split - entry ||
            !code_equal(g->code, c->entry, c->end, entry, end))
            continue;
        g->ncode = entry; /* the same code is already there */
        r->entry = c->entry;
        r->code_end = c->split;
        if (r->index >= 0) r->bound_entry = c->split, r->bound_end = c->end;
        return 0;
    }
    g->shared[k] = (SharedCode){h, entry, split, end};
    g->nshared++;
    return 0;
}

int cg_prepare(CodeGen *g, Node **fields, const int32_t *list_field, size_t n, int32_t base) {
    g->depth = g->maxdepth = 0;
    g->ops_base = g->nops;
    g->p->prepare_ops = (uint32_t)g->nops;
    g->p->prepare_entry = (uint32_t)g->ncode;
    g->in_prepare = 1;
    int32_t var = base + 1, list = base + 2, idx = base + 3;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && list_field[j] == list_field[i]) j++;
        if (list_field[i] >= 0) {
            E2(g, LFIELD, base, list_field[i]);
            E2(g, LOOP, list, idx);
            size_t top = g->ncode;
            size_t end = emit(g, OPC_NEXT, 4, list, idx, var, 0) + 3;
            for (size_t k = i; k < j; k++) {
                cg_expr(g, fields[k]->b);
                E2(g, STFIELD, var, fields[k]->slot);
            }
            E1(g, JMP, (int32_t)top);
            patch(g, end, g->ncode);
        } else {
            for (size_t k = i; k < j; k++) {
                cg_expr(g, fields[k]->b);
                E2(g, STFIELD, base, fields[k]->slot);
            }
        }
        i = j;
    }
    E0(g, HALT);
    g->in_prepare = 0;
    g->p->prepare_nops = (uint32_t)(g->nops - g->p->prepare_ops);
    g->p->prepare_maxstack = (uint16_t)(g->maxdepth + 1);
    return g->oom ? -1 : 0;
}

int cg_finish(CodeGen *g) {
    Program *p = g->p;
    Arena *ar = &p->ar;
    if (g->oom) return -1;
#define MOVE(dst, src, n, T)                                                                       \
    do {                                                                                           \
        dst = arena_alloc(ar, ((n) ? (n) : 1) * sizeof(T));                                        \
        if (!dst) return -1;                                                                       \
        if (n) memcpy(dst, src, (n) * sizeof(T));                                                  \
    } while (0)
    MOVE(p->code, g->code, g->ncode, int32_t);
    p->ncode = (uint32_t)g->ncode;
    MOVE(p->ops, g->ops, g->nops, int32_t);
    p->nops = (uint32_t)g->nops;
    MOVE(p->consts, g->consts, g->nconsts, Value);
    MOVE(p->const_types, g->const_types, g->nconsts, Type);
    p->nconsts = (uint32_t)g->nconsts;
    MOVE(p->sets, g->sets, g->nsets, Table *);
    p->nsets = (uint32_t)g->nsets;
    if (program_inline_sets(p)) return -1;
    MOVE(p->intsets, g->intsets, g->nintsets, IntSet);
    p->nintsets = (uint32_t)g->nintsets;
    MOVE(p->regexes, g->regexes, g->nregexes, Rx *);
    MOVE(p->regex_src, g->regex_src, g->nregexes, const char *);
    p->nregexes = (uint32_t)g->nregexes;
    MOVE(p->templates, g->templates, g->ntemplates, Template);
    p->ntemplates = (uint32_t)g->ntemplates;
    if (g->debug) {
        /* probes come out in code order: rules are emitted one after another */
        MOVE(p->probes, g->probes, g->nprobes, Probe);
        p->nprobes = (uint32_t)g->nprobes;
        p->probe_at = arena_alloc(ar, p->ncode + 1);
        if (!p->probe_at) return -1;
        for (size_t i = 0; i < g->nprobes; i++) p->probe_at[g->probes[i].pc] = 1;
    }
#undef MOVE
    /* the compiled regexes now belong to the program */
    g->nregexes = 0;
    return 0;
}

/* ------------------------------------------- the checker's code generator */

/* What check_build hands the checker (CheckGen in check.h): a code
 * generator, started once the checker has allocated the program. */
typedef struct Build {
    CodeGen cg;
    Alloc alloc;
    DiagList *diags;
    int debug;
} Build;

static void build_begin(void *g, Program *p) {
    Build *b = g;
    cg_init(&b->cg, p, b->alloc, b->diags);
    b->cg.debug = b->debug;
}

static int build_rule(void *g, Node *clauses, Rule *r, int evidence, const Node *decided) {
    CodeGen *cg = &((Build *)g)->cg;
    cg->evidence = evidence;
    if (cg_rule(cg, clauses, r) != 0) return -1;
    if (r->index >= 0 && cg_rule_bound(cg, clauses, r, decided) != 0) return -1;
    return cg_rule_end(cg, r);
}

static int build_prepare(void *g, Node **fields, const int32_t *list_field, size_t n,
                         int32_t loop_slot) {
    return cg_prepare(&((Build *)g)->cg, fields, list_field, n, loop_slot);
}

static int build_regex(void *g, Node *at, const char *pattern) {
    return cg_regex(&((Build *)g)->cg, at, pattern);
}

static int build_regex_text(void *g, const char *pattern, char *err, size_t cap,
                            const char **kept) {
    CodeGen *cg = &((Build *)g)->cg;
    int k = cg_regex_text(cg, pattern, err, cap);
    if (k < 0) return cg->oom ? -2 : -1;
    *kept = cg->regex_src[k];
    return k;
}

static int build_template(void *g, Template t) {
    return cg_template(&((Build *)g)->cg, t);
}

static int build_finish(void *g) {
    return cg_finish(&((Build *)g)->cg);
}

static void build_end(void *g) {
    cg_free(&((Build *)g)->cg);
}

Program *check_build_indexed(Alloc a, SourceList *sources, const int *files, size_t nfiles,
                             DiagList *diags, int debug_info, SymIndex *index) {
    Build b;
    memset(&b, 0, sizeof b);
    b.alloc = a;
    b.diags = diags;
    b.debug = debug_info;
    CheckGen gen = {&b,          build_begin,      build_rule,     build_prepare,
                    build_regex, build_regex_text, build_template, build_finish,
                    build_end};
    return check_run(a, sources, files, nfiles, diags, index, &gen);
}

Program *check_build(Alloc a, SourceList *sources, const int *files, size_t nfiles, DiagList *diags,
                     int debug_info) {
    return check_build_indexed(a, sources, files, nfiles, diags, debug_info, NULL);
}
