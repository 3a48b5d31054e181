/* itest.c — inline tests: checks `test` declarations (fields known, literals
 * of the fields' types, required fields present, rules known) and renders
 * each test's claims as JSON Lines for the readers, with the documented
 * defaults filled in (claim_id T1, T2..., person_id P1, care_type
 * outpatient, settle_time, line_no, quantity, unit_price, amount, line time,
 * total_amount).  The claims then go through the normal batch path. */
#include "itest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "scalar.h"

#define MAX_DEPTH 8

typedef struct TB {
    Program *p;
    Alloc a;
    DiagList *diags;
    Arena tmp; /* values of one test; reset between tests */
    int *oom;
    StrMap compiled; /* rule id -> Rule (compiled rules) */
    /* line numbers of the claim being rendered (for `on line N` checks) */
    int64_t *line_nos;
    size_t nline_nos, capline_nos;
} TB;

/* The values written (or defaulted) for one record. */
typedef struct Rec {
    const RecordType *rt;
    const Node *node;
    Value *v;
    uint8_t *has;    /* a value is present */
    uint8_t *given;  /* written in the test (possibly as `missing`) */
    Node **lists;    /* TLIST nodes of list fields */
    StrBuf *listbuf; /* rendered JSON of list fields */
} Rec;

/* Defaults a claim passes down to its lines. */
typedef struct LineCtx {
    int64_t time; /* ARB_NULL: none */
    int64_t total;
    int total_bad; /* an overflow: leave total_amount missing */
} LineCtx;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
terr(TB *t, const Node *n, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diag_add(t->diags, DIAG_ERROR, n->file, n->off, n->end > n->off ? n->end - n->off : 1, "%s",
             buf);
}

/* "; did you mean 'x'?" when one of the candidates is close. */
static void consider(char *out, size_t cap, unsigned *best, Token t, const char *cand) {
    unsigned d = diag_edit_distance(t.ptr, t.len, cand, strlen(cand));
    if (d < *best && d < t.len) {
        *best = d;
        snprintf(out, cap, _("; did you mean '%s'?"), cand);
    }
}

/* The index of field `name` of rt when it has type kind `kind`, else -1. */
static int fidx(const RecordType *rt, const char *name, int kind) {
    int f = record_field_index(rt, name, strlen(name));
    if (f < 0 || rt->fields[f].derived >= 0) return -1;
    return kind < 0 || rt->fields[f].type.kind == kind ? f : -1;
}

static const char *type_text(const Type *ft, char *buf, size_t cap) {
    switch (ft->kind) {
    case TY_ENUM: {
        size_t k = (size_t)snprintf(buf, cap, "%s (", ft->enm->name);
        for (uint32_t i = 0; i < ft->enm->n && k + 24 < cap; i++)
            k += (size_t)snprintf(buf + k, cap - k, "%s%s", i ? ", " : "", ft->enm->members[i]);
        snprintf(buf + (k < cap ? k : cap - 1), cap - (k < cap ? k : cap - 1), ")");
        break;
    }
    case TY_LIST: snprintf(buf, cap, "a list of %s: [ { ... }, ... ]", ft->rec->name); break;
    case TY_MONEY: snprintf(buf, cap, "money (35.20)"); break;
    case TY_DATE: snprintf(buf, cap, "a date (2025-01-31)"); break;
    case TY_DATETIME: snprintf(buf, cap, "a datetime (2025-01-31T08:30:00)"); break;
    case TY_DURATION: snprintf(buf, cap, "a duration (15d)"); break;
    case TY_CODE:
    case TY_TEXT: snprintf(buf, cap, "%s (a string: \"...\")", type_kind_names[ft->kind]); break;
    case TY_BOOL: snprintf(buf, cap, "bool (true or false)"); break;
    default: snprintf(buf, cap, "%s", type_kind_names[ft->kind]);
    }
    return buf;
}

static const char *node_text(const Node *v) {
    switch (v->kind) {
    case N_INT: return "an integer";
    case N_MONEY: return "a money amount";
    case N_DATE: return "a date";
    case N_DATETIME: return "a datetime";
    case N_DURATION: return "a duration";
    case N_STRING: return "a string";
    case N_BOOL: return v->ival ? "true" : "false";
    case N_TLIST: return "a list";
    default: return "a name";
    }
}

static int is_missing(const Node *v) {
    return v->kind == N_NAME && tok_eq(v->name, "missing");
}

/* The value of literal v for field f; 0, or -1 after reporting an error. */
static int scalar_value(TB *t, const Node *v, const Field *f, Value *out) {
    const Type *ft = &f->type;
    int ok = 0;
    switch (ft->kind) {
    case TY_BOOL: ok = v->kind == N_BOOL, out->i = v->ival; break;
    case TY_INT: ok = v->kind == N_INT, out->i = v->ival; break;
    case TY_MONEY:
        if (v->kind == N_MONEY) ok = 1, out->i = v->ival;
        if (v->kind == N_INT) {
            ok = v->ival > INT64_MIN / 100 && v->ival < INT64_MAX / 100;
            out->i = ok ? v->ival * 100 : 0;
        }
        break;
    case TY_DATE: ok = v->kind == N_DATE, out->i = v->ival; break;
    case TY_DATETIME:
        if (v->kind == N_DATETIME) ok = 1, out->i = v->ival;
        if (v->kind == N_DATE) ok = 1, out->i = v->ival * SECS_PER_DAY;
        break;
    case TY_DURATION: ok = v->kind == N_DURATION, out->i = v->ival; break;
    case TY_CODE:
    case TY_TEXT:
        if (v->kind == N_STRING) {
            ok = 1;
            out->s = str_new(&t->tmp, v->str ? v->str : "", v->slen);
            if (!out->s) *t->oom = 1;
        }
        break;
    case TY_ENUM:
        if (v->kind == N_NAME || v->kind == N_STRING) {
            int k = v->kind == N_NAME ? scalar_enum_index(ft->enm, v->name.ptr, v->name.len)
                                      : scalar_enum_index(ft->enm, v->str, v->slen);
            if (k < 0) {
                char x[256];
                terr(t, v, "'%.*s' is not a member of %s",
                     v->kind == N_NAME ? (int)v->name.len : (int)v->slen,
                     v->kind == N_NAME ? v->name.ptr : v->str, type_text(ft, x, sizeof x));
                return -1;
            }
            ok = 1;
            out->i = k;
        }
        break;
    }
    if (ok) return 0;
    char x[256];
    if (v->kind == N_NAME && ft->kind != TY_ENUM)
        terr(t, v, "field '%s' is %s, not the name '%.*s' (write 'missing' for no value)", f->name,
             type_text(ft, x, sizeof x), (int)v->name.len, v->name.ptr);
    else
        terr(t, v, "field '%s' is %s, not %s", f->name, type_text(ft, x, sizeof x), node_text(v));
    return -1;
}

static int render_list(TB *t, const Node *list, const Field *f, StrBuf *out, LineCtx *lc,
                       int depth);

/* Collects the fields written in a record node: scalar values, and list
 * nodes (rendered later).  Returns the number of errors. */
static int collect(TB *t, const Node *node, const RecordType *rt, Rec *r) {
    uint32_t nf = rt->nfields;
    r->rt = rt;
    r->node = node;
    r->v = arena_alloc(&t->tmp, (nf + 1) * sizeof(Value));
    r->has = arena_alloc(&t->tmp, nf + 1);
    r->given = arena_alloc(&t->tmp, nf + 1);
    r->lists = arena_alloc(&t->tmp, (nf + 1) * sizeof(Node *));
    r->listbuf = arena_alloc(&t->tmp, (nf + 1) * sizeof(StrBuf));
    if (!r->v || !r->has || !r->given || !r->lists || !r->listbuf) {
        *t->oom = 1;
        return 1;
    }
    memset(r->has, 0, nf + 1);
    memset(r->given, 0, nf + 1);
    memset(r->lists, 0, (nf + 1) * sizeof(Node *));
    for (uint32_t f = 0; f < nf; f++) {
        r->v[f].i = ARB_NULL;
        if (type_is_string(rt->fields[f].type.kind)) r->v[f].s = NULL;
        sb_init(&r->listbuf[f], t->a);
    }
    int errors = 0;
    for (const Node *fn = node->list; fn; fn = fn->next) {
        int f = record_field_index(rt, fn->name.ptr, fn->name.len);
        if (f < 0) {
            char sug[128] = "";
            unsigned best = 3;
            for (uint32_t i = 0; i < nf; i++)
                if (rt->fields[i].derived < 0)
                    consider(sug, sizeof sug, &best, fn->name, rt->fields[i].name);
            diag_add(t->diags, DIAG_ERROR, fn->file, fn->name.off, fn->name.len,
                     "%s has no field '%.*s'%s", rt->name, (int)fn->name.len, fn->name.ptr, sug);
            errors++;
            continue;
        }
        const Field *fd = &rt->fields[f];
        if (fd->derived >= 0) {
            diag_add(t->diags, DIAG_ERROR, fn->file, fn->name.off, fn->name.len,
                     "'%s' is derived (computed from other fields); a test cannot set it",
                     fd->name);
            errors++;
            continue;
        }
        if (r->given[f]) {
            diag_add(t->diags, DIAG_ERROR, fn->file, fn->name.off, fn->name.len,
                     "'%s' is given twice", fd->name);
            errors++;
            continue;
        }
        r->given[f] = 1;
        const Node *v = fn->a;
        if (is_missing(v)) continue;
        if (fd->type.kind == TY_LIST) {
            if (v->kind != N_TLIST) {
                char x[256];
                terr(t, v, "field '%s' is %s, not %s", fd->name, type_text(&fd->type, x, sizeof x),
                     node_text(v));
                errors++;
                continue;
            }
            r->lists[f] = (Node *)v;
            r->has[f] = 1;
            continue;
        }
        if (v->kind == N_TLIST || scalar_value(t, v, fd, &r->v[f]) != 0) {
            if (v->kind == N_TLIST) {
                char x[256];
                terr(t, v, "field '%s' is %s, not a list", fd->name,
                     type_text(&fd->type, x, sizeof x));
            }
            errors++;
            continue;
        }
        r->has[f] = 1;
    }
    return errors;
}

static void set_str(TB *t, Rec *r, int f, const char *s) {
    if (f < 0 || r->given[f] || !type_is_string(r->rt->fields[f].type.kind)) return;
    r->v[f].s = str_new(&t->tmp, s, strlen(s));
    if (!r->v[f].s) *t->oom = 1;
    r->has[f] = r->v[f].s != NULL;
}

static void set_int(Rec *r, int f, int64_t v) {
    if (f < 0 || r->given[f] || v == ARB_NULL) return;
    r->v[f].i = v;
    r->has[f] = 1;
}

static int64_t get_int(const Rec *r, int f) {
    return f >= 0 && r->has[f] ? r->v[f].i : ARB_NULL;
}

/* Reports the required fields a record lacks; returns how many. */
static int check_required(TB *t, const Rec *r, const char *what) {
    int errors = 0;
    for (uint32_t f = 0; f < r->rt->nfields; f++) {
        const Field *fd = &r->rt->fields[f];
        if (!fd->required || fd->derived >= 0 || r->has[f]) continue;
        terr(t, r->node, "%s has no '%s' (a required field of %s)", what, fd->name, r->rt->name);
        errors++;
    }
    return errors;
}

/* Appends the record as a JSON object: its scalar values, then lists. */
static void emit(TB *t, StrBuf *b, const Rec *r) {
    (void)t;
    sb_putc(b, '{');
    int first = 1;
    for (uint32_t f = 0; f < r->rt->nfields; f++) {
        const Field *fd = &r->rt->fields[f];
        if (!r->has[f]) continue;
        sb_printf(b, "%s\"%s\":", first ? "" : ",", fd->name);
        first = 0;
        if (fd->type.kind == TY_LIST) {
            sb_putn(b, r->listbuf[f].p ? r->listbuf[f].p : "[]", r->listbuf[f].len);
            continue;
        }
        char tmp[128];
        size_t n = scalar_format(&fd->type, r->v[f], 0, 1, tmp, sizeof tmp);
        if (n < sizeof tmp) {
            sb_putn(b, tmp, n);
            continue;
        }
        char *w = sb_reserve(b, n + 1);
        if (!w) return;
        scalar_format(&fd->type, r->v[f], 0, 1, w, n + 1);
        b->len += n;
    }
    sb_putc(b, '}');
}

static void free_lists(Rec *r) {
    if (!r->listbuf) return;
    for (uint32_t f = 0; f < r->rt->nfields; f++) sb_free(&r->listbuf[f]);
}

/* One record of a list (a line when lc is set: with the line defaults). */
static int render_record(TB *t, const Node *node, const RecordType *rt, int pos, StrBuf *out,
                         LineCtx *lc, int depth) {
    Rec r;
    memset(&r, 0, sizeof r);
    int errors = collect(t, node, rt, &r);
    if (lc) {
        set_int(&r, fidx(rt, "line_no", TY_INT), pos);
        set_int(&r, fidx(rt, "quantity", TY_INT), 1);
        set_int(&r, fidx(rt, "unit_price", TY_MONEY), 0);
        int am = fidx(rt, "amount", TY_MONEY);
        int64_t price = get_int(&r, fidx(rt, "unit_price", TY_MONEY));
        int64_t qty = get_int(&r, fidx(rt, "quantity", TY_INT));
        int64_t amount;
        if (price != ARB_NULL && qty != ARB_NULL && !__builtin_mul_overflow(price, qty, &amount) &&
            amount != ARB_NULL)
            set_int(&r, am, amount);
        set_int(&r, fidx(rt, "time", TY_DATETIME), lc->time);
        int64_t a = get_int(&r, am);
        if (am >= 0 && a != ARB_NULL && __builtin_add_overflow(lc->total, a, &lc->total))
            lc->total_bad = 1;
        int64_t no = get_int(&r, rt->key_field >= 0 && rt->fields[rt->key_field].type.kind == TY_INT
                                     ? rt->key_field
                                     : -1);
        if (no != ARB_NULL && mem_grow(t->a, (void **)&t->line_nos, sizeof(int64_t),
                                       &t->capline_nos, t->nline_nos + 1) == 0)
            t->line_nos[t->nline_nos++] = no;
    }
    for (uint32_t f = 0; f < rt->nfields; f++)
        if (r.lists[f])
            errors += render_list(t, r.lists[f], &rt->fields[f], &r.listbuf[f], NULL, depth + 1);
    char what[64];
    snprintf(what, sizeof what, "%s %d", rt->name, pos);
    if (!errors) errors += check_required(t, &r, what);
    if (!errors) emit(t, out, &r);
    free_lists(&r);
    return errors;
}

static int render_list(TB *t, const Node *list, const Field *f, StrBuf *out, LineCtx *lc,
                       int depth) {
    if (depth > MAX_DEPTH) {
        terr(t, list, "records nested too deeply");
        return 1;
    }
    int errors = 0, pos = 0;
    sb_putc(out, '[');
    for (const Node *rn = list->list; rn; rn = rn->next) {
        if (pos) sb_putc(out, ',');
        errors += render_record(t, rn, f->type.rec, ++pos, out, lc, depth);
    }
    sb_putc(out, ']');
    return errors;
}

/* A claim of a test (the k-th, 1-based) as one JSON line.  *claim_id gets
 * its id (in t->tmp). */
static int render_claim(TB *t, const Node *node, int k, StrBuf *out, const char **claim_id) {
    const RecordType *ct = t->p->claim;
    Rec r;
    memset(&r, 0, sizeof r);
    int errors = collect(t, node, ct, &r);
    char id[32];
    snprintf(id, sizeof id, "T%d", k);
    set_str(t, &r, fidx(ct, "claim_id", -1), id);
    set_str(t, &r, fidx(ct, "person_id", -1), "P1");
    int care = fidx(ct, "care_type", TY_ENUM);
    if (care >= 0)
        set_int(&r, care, scalar_enum_index(ct->fields[care].type.enm, "outpatient", 10));
    int64_t settle;
    if (scalar_parse_datetime(ITEST_SETTLE_TIME, strlen(ITEST_SETTLE_TIME), &settle) == 0)
        set_int(&r, fidx(ct, "settle_time", TY_DATETIME), settle);
    LineCtx lc = {ARB_NULL, 0, 0};
    int64_t admit = get_int(&r, fidx(ct, "admit_time", TY_DATETIME));
    lc.time = admit != ARB_NULL ? admit : get_int(&r, fidx(ct, "settle_time", TY_DATETIME));
    int lines = fidx(ct, "lines", TY_LIST);
    t->nline_nos = 0;
    for (uint32_t f = 0; f < ct->nfields; f++)
        if (r.lists[f])
            errors += render_list(t, r.lists[f], &ct->fields[f], &r.listbuf[f],
                                  (int)f == lines ? &lc : NULL, 1);
    if (lines >= 0 && !lc.total_bad) set_int(&r, fidx(ct, "total_amount", TY_MONEY), lc.total);
    if (!errors) errors += check_required(t, &r, "the claim");
    if (!errors) {
        emit(t, out, &r);
        sb_putc(out, '\n');
    }
    int idf = ct->key_field;
    *claim_id =
        idf >= 0 && r.has[idf] && type_is_string(ct->fields[idf].type.kind) ? r.v[idf].s->data : "";
    free_lists(&r);
    return errors;
}

/* Checks one expectation; fills *x.  Returns the number of errors. */
static int check_expect(TB *t, const Node *e, const StrMap *rule_ids, int lines_known,
                        TestExpect *x) {
    int errors = 0;
    if (!tok_eq(e->c->name, "expect")) {
        terr(t, e->c, "a test holds 'claim { ... }' and 'expect [no] flag RULE' (not '%.*s')",
             (int)e->c->name.len, e->c->name.ptr);
        return 1;
    }
    if (e->d && !tok_eq(e->d->name, "no")) {
        terr(t, e->d, "write 'expect flag RULE' or 'expect no flag RULE'");
        return 1;
    }
    if (e->a && !tok_eq(e->a->b->name, "line")) {
        terr(t, e->a->b, "write 'on line N'");
        errors++;
    }
    Token id = e->name;
    if (!strmap_get(rule_ids, id.ptr, id.len)) {
        char sug[128] = "";
        unsigned best = 3;
        for (uint32_t i = 0; i < rule_ids->cap; i++)
            if (rule_ids->e[i].key) consider(sug, sizeof sug, &best, id, rule_ids->e[i].key);
        diag_add(t->diags, DIAG_ERROR, e->file, id.off, id.len, "unknown rule '%.*s'%s",
                 (int)id.len, id.ptr, sug);
        errors++;
    }
    const Rule *rule = strmap_get(&t->compiled, id.ptr, id.len);
    if (rule && e->a && (rule->flags_claim || rule->key_field < 0)) {
        terr(t, e->a, "rule %s flags the claim, not a line: drop 'on line %lld'", rule->id,
             (long long)e->a->ival);
        errors++;
    }
    if (e->a && lines_known && !errors) {
        size_t i = 0;
        while (i < t->nline_nos && t->line_nos[i] != e->a->ival) i++;
        if (i == t->nline_nos) {
            terr(t, e->a, "the last claim of the test has no line %lld", (long long)e->a->ival);
            errors++;
        }
    }
    if (e->b && e->op) {
        terr(t, e->b, "'expect no flag' takes no amount");
        errors++;
    }
    x->rule = arena_strndup(&t->p->ar, id.ptr, id.len);
    if (!x->rule) *t->oom = 1;
    x->negate = e->op;
    x->line_no = e->a ? e->a->ival : -1;
    x->amount = !e->b ? ARB_NULL : e->b->kind == N_MONEY ? e->b->ival : e->b->ival * 100;
    if (e->b && e->b->kind == N_INT &&
        (e->b->ival > INT64_MAX / 100 || e->b->ival < -INT64_MAX / 100))
        x->amount = ARB_NULL;
    x->file = e->file;
    x->off = e->off;
    x->end = e->end;
    return errors;
}

static void build_test(TB *t, const Node *d, const StrMap *rule_ids, InlineTest *out) {
    memset(out, 0, sizeof *out);
    out->name = arena_strndup(&t->p->ar, d->str ? d->str : "", d->slen);
    out->file = d->file;
    out->off = d->off;
    out->end = d->end;
    size_t nclaims = 0, nexpects = 0;
    for (const Node *it = d->list; it; it = it->next) {
        nclaims += it->kind == N_TRECORD;
        nexpects += it->kind == N_EXPECT;
    }
    if (!nclaims) terr(t, d->a, "test \"%s\" has no 'claim { ... }'", out->name);
    if (!nexpects) terr(t, d->a, "test \"%s\" has no 'expect' (expect [no] flag RULE)", out->name);
    out->expects = arena_alloc(&t->p->ar, (nexpects + 1) * sizeof(TestExpect));
    if (!out->name || !out->expects) {
        *t->oom = 1;
        return;
    }
    StrBuf json;
    sb_init(&json, t->a);
    int errors = 0, k = 0;
    const char *last_id = "";
    for (const Node *it = d->list; it; it = it->next) {
        if (it->kind != N_TRECORD) continue;
        if (!tok_eq(it->name, "claim")) {
            diag_add(t->diags, DIAG_ERROR, it->file, it->name.off, it->name.len,
                     "a test holds 'claim { ... }' and 'expect [no] flag RULE' (not '%.*s')",
                     (int)it->name.len, it->name.ptr);
            errors++;
            continue;
        }
        if (!t->p->claim) {
            terr(t, it, "no 'schema claim' is declared");
            errors++;
            break;
        }
        errors += render_claim(t, it, ++k, &json, &last_id);
    }
    int lines_known = !errors && t->p->claim && fidx(t->p->claim, "lines", TY_LIST) >= 0;
    for (const Node *it = d->list; it; it = it->next)
        if (it->kind == N_EXPECT)
            check_expect(t, it, rule_ids, lines_known, &out->expects[out->nexpects++]);
    out->nclaims = (uint32_t)k;
    out->claim_id = arena_strndup(&t->p->ar, last_id, strlen(last_id));
    out->claims = arena_strndup(&t->p->ar, json.p ? json.p : "", json.len);
    out->claims_len = (uint32_t)json.len;
    if (!out->claim_id || !out->claims || json.oom) *t->oom = 1;
    sb_free(&json);
}

void itest_build(Program *p, Alloc a, DiagList *diags, Node *const *decls, size_t n,
                 const StrMap *rule_ids, int *oom) {
    size_t ntests = 0;
    for (size_t i = 0; i < n; i++) ntests += decls[i]->kind == N_TEST;
    if (!ntests) return;
    TB t;
    memset(&t, 0, sizeof t);
    t.p = p;
    t.a = a;
    t.diags = diags;
    t.oom = oom;
    arena_init(&t.tmp, a, 1 << 14);
    strmap_init(&t.compiled, a);
    for (uint32_t i = 0; i < p->nrules; i++)
        strmap_put(&t.compiled, p->rules[i].id, strlen(p->rules[i].id), &p->rules[i], oom);
    p->tests = arena_alloc(&p->ar, ntests * sizeof(InlineTest));
    if (!p->tests) *oom = 1;
    for (size_t i = 0; i < n && p->tests && !*oom; i++) {
        if (decls[i]->kind != N_TEST) continue;
        arena_reset(&t.tmp);
        build_test(&t, decls[i], rule_ids, &p->tests[p->ntests++]);
    }
    mem_free(a, t.line_nos, t.capline_nos * sizeof(int64_t));
    strmap_free(&t.compiled);
    arena_free(&t.tmp);
}
