/* check.c — the checker.  It reads the files (following imports), builds the
 * schema, categories and tables, resolves names, checks types, inlines
 * defines and hands every correct rule to the code generator.  It keeps going
 * after an error so one run reports all it can find. */
#include "check.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "history.h"
#include "i18n.h"
#include "luart.h"
#include "profile.h"
#include "itest.h"
#include "report_cfg.h"
#include "syntax.h"
#include "scalar.h"
#include "strmap.h"
#include "symindex.h"
#include "transcode.h"
#include "utf8.h"
#include "verify.h"

/* ---------------------------------------------------------------- sources */

void sources_init(SourceList *s, Alloc a) {
    memset(s, 0, sizeof *s);
    s->alloc = a;
}

void sources_free(SourceList *s) {
    for (size_t i = 0; i < s->n; i++) {
        mem_free(s->alloc, s->items[i].path, strlen(s->items[i].path) + 1);
        mem_free(s->alloc, s->items[i].text, s->items[i].len + 1);
    }
    mem_free(s->alloc, s->items, s->cap * sizeof(Source));
    memset(s, 0, sizeof *s);
}

int sources_add_text(SourceList *s, const char *name, const char *text, size_t len) {
    if (mem_grow(s->alloc, (void **)&s->items, sizeof(Source), &s->cap, s->n + 1)) return -1;
    size_t bom = utf8_bom(text, len); /* skipped: positions are the text's */
    text += bom;
    len -= bom;
    size_t nl = strlen(name);
    char *path = mem_alloc(s->alloc, nl + 1);
    char *copy = mem_alloc(s->alloc, len + 1);
    if (!path || !copy) {
        mem_free(s->alloc, path, nl + 1);
        mem_free(s->alloc, copy, len + 1);
        return -1;
    }
    memcpy(path, name, nl + 1);
    memcpy(copy, text, len);
    copy[len] = 0;
    s->items[s->n].path = path;
    s->items[s->n].text = copy;
    s->items[s->n].len = len;
    s->items[s->n].skipped = (uint32_t)bom;
    return (int)s->n++;
}

int sources_add_file(SourceList *s, const char *path, char *err, size_t errcap) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, _("cannot open %s: %s"), path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = mem_alloc(s->alloc, cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *nb = mem_realloc(s->alloc, buf, cap, cap * 2);
            if (!nb) {
                mem_free(s->alloc, buf, cap);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int rd_err = ferror(f);
    fclose(f);
    if (!buf || rd_err) {
        mem_free(s->alloc, buf, cap);
        snprintf(err, errcap, _("cannot read %s"), path);
        return -1;
    }
    int idx = sources_add_text(s, path, buf, len);
    mem_free(s->alloc, buf, cap);
    if (idx < 0) snprintf(err, errcap, _("out of memory reading %s"), path);
    return idx;
}

/* ---------------------------------------------------------------- checker */

enum { SYM_ENUM = 1, SYM_RECORD, SYM_CATEGORY, SYM_TABLE, SYM_DEFINE, SYM_SCALAR };

typedef struct Sym {
    uint8_t kind;
    uint8_t scalar; /* SYM_SCALAR: the TypeKind */
    void *ptr;      /* EnumType, RecordType, Table, or the DEFINE node */
    uint32_t index; /* category index */
    Node *decl;
} Sym;

enum { SV_VAR, SV_ALIAS, SV_BARRIER, SV_IMPLICIT };

typedef struct ScopeVar {
    Token name;
    uint8_t kind;
    uint8_t global; /* stays visible inside defines (the claim) */
    int32_t slot;
    Type type;
    Node *alias;
} ScopeVar;

typedef struct IndexEntry {
    int32_t group;
    const ArbStr *key; /* ends in '%' for a prefix */
    uint32_t rule;
} IndexEntry;

typedef struct Checker {
    Alloc alloc;
    Arena *ar; /* syntax trees: freed after the build */
    Program *p;
    DiagList *diags;
    SourceList *src;
    StrMap globals;
    StrMap rule_ids;
    Node **decls;
    size_t ndecls, capdecls;
    ScopeVar *scope;
    size_t nscope, capscope;
    int32_t next_slot, max_slot;
    int define_depth;
    const CheckGen *gen;  /* the code generator (check.h) */
    IndexEntry *ientries; /* keys of the item-code index, one per rule and key */
    size_t nientries, capientries;
    int32_t igroups[16][2]; /* (list field, field) of each RuleIndex */
    int nigroups;
    void *expr_parser;  /* one parser object for all message expressions */
    Arena *stubs;       /* rule stubs: each rule is parsed again when checked */
    int in_derived;     /* checking derived fields (no history or Lua calls there) */
    int reads_history;  /* the rule being checked calls history() */
    Node **lua_decls;   /* per LuaModule: its declaration; per LuaFunc: its signature */
    int32_t *lua_files; /* per LuaModule: its source file, for notes */
    Node **lua_fn_nodes;
    SymIndex *ix;              /* the symbol index being filled, or NULL */
    char stdlib_dir[PATH_MAX]; /* the standard library's directory (real path), or "" */
    int oom;
} Checker;

static const Type T_ERR = {TY_ERROR, 0, NULL, NULL, NULL};

static Type ty(int kind) {
    Type t = {(uint8_t)kind, 0, NULL, NULL, NULL};
    return t;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
err(Checker *C, const Node *n, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, _(fmt), ap); /* translated (i18n.h) */
    va_end(ap);
    diag_add(C->diags, DIAG_ERROR, n->file, n->off, n->end > n->off ? n->end - n->off : 1, "%s",
             buf);
}

static void note(Checker *C, const Node *n, const char *msg) {
    diag_add(C->diags, DIAG_NOTE, n->file, n->off, n->end > n->off ? n->end - n->off : 1, "%s",
             _(msg));
}

static const char *pstr(Checker *C, Token t) {
    const char *s = arena_strndup(&C->p->ar, t.ptr, t.len);
    if (!s) C->oom = 1;
    return s ? s : "";
}

/* Copies a string of the syntax tree (which is freed after the build) into
 * the program. */
static const char *pcopy(Checker *C, const char *s) {
    const char *c = arena_strndup(&C->p->ar, s, strlen(s));
    if (!c) C->oom = 1;
    return c ? c : "";
}

/* Describes a type for messages: "money", "enum sex", "record line". */
static const char *type_name(Type t, char *buf, size_t cap) {
    switch (t.kind) {
    case TY_ENUM: snprintf(buf, cap, "%s", t.enm->name); break;
    case TY_LIST: snprintf(buf, cap, "list of %s", t.rec ? t.rec->name : "?"); break;
    case TY_RECORD:
        if (t.table)
            snprintf(buf, cap, "row of table %s", t.table->name);
        else
            snprintf(buf, cap, "%s", t.rec ? t.rec->name : "record");
        break;
    case TY_SET: snprintf(buf, cap, "set of %s", type_kind_names[t.elem]); break;
    case TY_TABLE: snprintf(buf, cap, "table %s", t.table ? t.table->name : "?"); break;
    default: snprintf(buf, cap, "%s", type_kind_names[t.kind]);
    }
    return buf;
}

/* ", did you mean 'x'?" when a candidate is close, else "". */
static void suggest(char *out, size_t cap, Token t, const char *const *cands, size_t n) {
    out[0] = 0;
    unsigned best = 3;
    for (size_t i = 0; i < n; i++) {
        unsigned d = diag_edit_distance(t.ptr, t.len, cands[i], strlen(cands[i]));
        if (d < best && d < t.len) {
            best = d;
            snprintf(out, cap, _("; did you mean '%s'?"), cands[i]);
        }
    }
}

static Sym *global(Checker *C, Token t) {
    return strmap_get(&C->globals, t.ptr, t.len);
}

/* Declares a global name; reports a duplicate. */
static Sym *declare(Checker *C, Node *decl, int kind, void *ptr) {
    Sym *s = arena_alloc(C->ar, sizeof(Sym));
    if (!s) {
        C->oom = 1;
        return NULL;
    }
    s->kind = (uint8_t)kind;
    s->ptr = ptr;
    s->decl = decl;
    Sym *old = strmap_put(&C->globals, decl->name.ptr, decl->name.len, s, &C->oom);
    if (old) {
        if (old->kind == SYM_SCALAR)
            err(C, decl, "'%.*s' is a built-in type name", (int)decl->name.len, decl->name.ptr);
        else {
            err(C, decl, "'%.*s' is declared twice", (int)decl->name.len, decl->name.ptr);
            if (old->decl) note(C, old->decl, "first declared here");
        }
        return NULL;
    }
    return s;
}

/* ---------------------------------------------------------------- scopes */

static void push_var(Checker *C, ScopeVar v) {
    if (mem_grow(C->alloc, (void **)&C->scope, sizeof(ScopeVar), &C->capscope, C->nscope + 1)) {
        C->oom = 1;
        return;
    }
    C->scope[C->nscope++] = v;
}

static int32_t alloc_slots(Checker *C, int n) {
    int32_t s = C->next_slot;
    C->next_slot += n;
    if (C->next_slot > C->max_slot) C->max_slot = C->next_slot;
    return s;
}

static ScopeVar *lookup_var(Checker *C, Token name) {
    int barrier = 0;
    for (size_t i = C->nscope; i-- > 0;) {
        ScopeVar *v = &C->scope[i];
        if (v->kind == SV_BARRIER) {
            barrier = 1;
            continue;
        }
        if (barrier && !v->global) continue;
        if (v->kind == SV_IMPLICIT) {
            if (record_field_index(v->type.rec, name.ptr, name.len) >= 0) return v;
            continue;
        }
        if (v->name.len == name.len && memcmp(v->name.ptr, name.ptr, name.len) == 0) return v;
    }
    return NULL;
}

/* ----------------------------------------------------------- symbol index */

/* Records a use of the symbol "kind:a[.b]" at [off, off+len) of file. */
static void ix_use(Checker *C, const char *kind, const char *a, size_t alen, const char *b,
                   size_t blen, int32_t file, uint32_t off, uint32_t len) {
    if (!C->ix) return;
    char key[512];
    if (b)
        snprintf(key, sizeof key, "%s:%.*s.%.*s", kind, (int)alen, a, (int)blen, b);
    else
        snprintf(key, sizeof key, "%s:%.*s", kind, (int)alen, a);
    symindex_use(C->ix, key, file, off, len);
}

/* The key of the variable a rule or an aggregate binds at token t. */
static void ix_var_key(char *key, size_t cap, int32_t file, Token t) {
    snprintf(key, cap, "var:%d:%u", (int)file, (unsigned)t.off);
}

/* Declares a variable bound at token t (a for, match or aggregate binder). */
static void ix_var(Checker *C, int32_t file, Token t, Type vt) {
    if (!C->ix || !t.ptr) return;
    char key[64], x[96], name[128], detail[256];
    ix_var_key(key, sizeof key, file, t);
    snprintf(name, sizeof name, "%.*s", (int)t.len, t.ptr);
    snprintf(detail, sizeof detail, "%s: %s", name,
             vt.kind == TY_ERROR ? "?" : type_name(vt, x, sizeof x));
    int32_t d = symindex_def(C->ix, SK_VAR, key, name, detail, file, t.off, t.len, t.off,
                             t.off + t.len, -1);
    if (d >= 0 && vt.kind == TY_RECORD && vt.rec) {
        C->ix->defs[d].type_rec = symindex_str(C->ix, vt.table ? vt.table->name : vt.rec->name,
                                               strlen(vt.table ? vt.table->name : vt.rec->name));
        C->ix->defs[d].type_is_table = vt.table != NULL;
    }
}

/* ------------------------------------------------------------ expressions */

static Type check_expr(Checker *C, Node *n, const Type *hint);

/* A copy of a define's body, so each use is checked and compiled on its own. */
static Node *clone(Checker *C, const Node *n) {
    if (!n) return NULL;
    Node *c = arena_alloc(C->ar, sizeof(Node));
    if (!c) {
        C->oom = 1;
        return NULL;
    }
    *c = *n;
    c->a = clone(C, n->a);
    c->b = clone(C, n->b);
    c->c = clone(C, n->c);
    c->d = clone(C, n->d);
    c->list = clone(C, n->list);
    c->next = clone(C, n->next);
    return c;
}

static int is_numeric_kind(int k) {
    return k == TY_INT || k == TY_MONEY || k == TY_DURATION;
}

static int same_type(Type a, Type b) {
    if (a.kind != b.kind) return 0;
    if (a.kind == TY_ENUM) return a.enm == b.enm;
    return 1;
}

/* Wraps n in a conversion (date -> datetime, int -> money). */
static Node *convert(Checker *C, Node *n, int op, int kind) {
    Node *w = arena_alloc(C->ar, sizeof(Node));
    if (!w) {
        C->oom = 1;
        return n;
    }
    *w = *n;
    memset(n, 0, sizeof *n);
    n->kind = N_UNARY;
    n->op = (uint8_t)op;
    n->file = w->file;
    n->off = w->off;
    n->end = w->end;
    n->a = w;
    n->next = w->next;
    w->next = NULL;
    n->type = ty(kind);
    n->slot = -1;
    return n;
}

/* Makes a and b comparable: promotes date to datetime and int to money. */
static int unify(Checker *C, Node *a, Node *b) {
    Type ta = a->type, tb = b->type;
    if (same_type(ta, tb)) return 1;
    if (type_is_string(ta.kind) && type_is_string(tb.kind)) return 1;
    if (ta.kind == TY_DATE && tb.kind == TY_DATETIME) return convert(C, a, OP_TODT, TY_DATETIME), 1;
    if (ta.kind == TY_DATETIME && tb.kind == TY_DATE) return convert(C, b, OP_TODT, TY_DATETIME), 1;
    if (ta.kind == TY_INT && tb.kind == TY_MONEY) return convert(C, a, OP_TOMONEY, TY_MONEY), 1;
    if (ta.kind == TY_MONEY && tb.kind == TY_INT) return convert(C, b, OP_TOMONEY, TY_MONEY), 1;
    return 0;
}

static void type_mismatch(Checker *C, Node *at, const char *what, Type a, Type b) {
    char x[96], y[96];
    err(C, at, "%s: %s and %s do not go together", what, type_name(a, x, sizeof x),
        type_name(b, y, sizeof y));
}

/* The node a define reference stands for (following inlining). */
static Node *unwrap(Node *n) {
    while (n && n->res == RES_INLINE && n->a) n = n->a;
    return n;
}

static Type check_name(Checker *C, Node *n, const Type *hint) {
    ScopeVar *v = lookup_var(C, n->name);
    if (v) {
        if (v->kind == SV_VAR && C->ix) {
            char key[64];
            if (v->global)
                snprintf(key, sizeof key, "schema:claim");
            else
                ix_var_key(key, sizeof key, n->file, v->name);
            symindex_use(C->ix, key, n->file, n->name.off, n->name.len);
        }
        if (v->kind == SV_VAR) {
            n->res = RES_VAR;
            n->slot = v->slot;
            return n->type = v->type;
        }
        if (v->kind == SV_ALIAS) {
            n->res = RES_INLINE;
            n->a = v->alias;
            return n->type = v->alias->type;
        }
        /* a field of the record a derived field belongs to */
        int f = record_field_index(v->type.rec, n->name.ptr, n->name.len);
        ix_use(C, "field", v->type.rec->name, strlen(v->type.rec->name), n->name.ptr, n->name.len,
               n->file, n->name.off, n->name.len);
        n->res = RES_FIELD;
        n->slot = v->slot;
        n->ival = f;
        return n->type = v->type.rec->fields[f].type;
    }
    if (hint && hint->kind == TY_ENUM) {
        int k = scalar_enum_member(hint->enm, n->name.ptr, n->name.len);
        if (k >= 0) {
            ix_use(C, "member", hint->enm->name, strlen(hint->enm->name), n->name.ptr, n->name.len,
                   n->file, n->name.off, n->name.len);
            n->res = RES_CONST;
            n->ival = k;
            return n->type = *hint;
        }
    }
    Sym *s = global(C, n->name);
    if (s && s->kind == SYM_DEFINE)
        ix_use(C, "define", n->name.ptr, n->name.len, NULL, 0, n->file, n->name.off, n->name.len);
    if (s && s->kind == SYM_TABLE)
        ix_use(C, "table", n->name.ptr, n->name.len, NULL, 0, n->file, n->name.off, n->name.len);
    if (s && s->kind == SYM_DEFINE) {
        Node *d = s->ptr;
        if (d->list) {
            err(C, n, "'%.*s' takes arguments: write %.*s(...)", (int)n->name.len, n->name.ptr,
                (int)n->name.len, n->name.ptr);
            return n->type = T_ERR;
        }
        if (C->define_depth > 32) {
            err(C, n, "'%.*s' refers to itself", (int)n->name.len, n->name.ptr);
            return n->type = T_ERR;
        }
        ScopeVar bar = {{0}, SV_BARRIER, 0, 0, {0}, NULL};
        size_t mark = C->nscope;
        push_var(C, bar);
        C->define_depth++;
        n->res = RES_INLINE;
        n->a = clone(C, d->a);
        Type t = n->a ? check_expr(C, n->a, hint) : T_ERR;
        C->define_depth--;
        C->nscope = mark;
        return n->type = t;
    }
    if (s && s->kind == SYM_TABLE) {
        n->res = RES_TABLE;
        n->ref = s->ptr;
        Type t = ty(TY_TABLE);
        t.table = s->ptr;
        return n->type = t;
    }
    if (hint && hint->kind == TY_ENUM) {
        char buf[512];
        size_t k = 0;
        for (uint32_t i = 0; i < hint->enm->n && k < sizeof buf - 40; i++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? ", " : "",
                                  hint->enm->members[i]);
        err(C, n, "'%.*s' is not a member of %s (members: %s)", (int)n->name.len, n->name.ptr,
            hint->enm->name, buf);
        return n->type = T_ERR;
    }
    /* collect visible names for a hint */
    const char *cands[64];
    size_t nc = 0;
    for (size_t i = 0; i < C->nscope && nc < 64; i++)
        if (C->scope[i].kind == SV_VAR || C->scope[i].kind == SV_ALIAS)
            cands[nc++] = arena_strndup(C->ar, C->scope[i].name.ptr, C->scope[i].name.len);
    char sug[128];
    suggest(sug, sizeof sug, n->name, cands, nc);
    err(C, n, "unknown name '%.*s'%s", (int)n->name.len, n->name.ptr, sug);
    return n->type = T_ERR;
}

static Type check_fieldref(Checker *C, Node *n) {
    Type ot = check_expr(C, n->a, NULL);
    if (ot.kind == TY_ERROR) return n->type = T_ERR;
    if (ot.kind != TY_RECORD) {
        char x[96];
        err(C, n, "%s has no fields", type_name(ot, x, sizeof x));
        return n->type = T_ERR;
    }
    int f = record_field_index(ot.rec, n->name.ptr, n->name.len);
    if (f < 0) {
        const char *cands[256];
        size_t nc = 0;
        for (uint32_t i = 0; i < ot.rec->nfields && nc < 256; i++)
            cands[nc++] = ot.rec->fields[i].name;
        char sug[128];
        suggest(sug, sizeof sug, n->name, cands, nc);
        /* point at the field name, not the whole path */
        if (ot.table)
            diag_add(C->diags, DIAG_ERROR, n->file, n->name.off, n->name.len,
                     "table %s has no column '%.*s'%s", ot.table->name, (int)n->name.len,
                     n->name.ptr, sug);
        else
            diag_add(C->diags, DIAG_ERROR, n->file, n->name.off, n->name.len,
                     "%s has no field '%.*s'%s", ot.rec->name, (int)n->name.len, n->name.ptr, sug);
        return n->type = T_ERR;
    }
    if (ot.table)
        ix_use(C, "column", ot.table->name, strlen(ot.table->name), n->name.ptr, n->name.len,
               n->file, n->name.off, n->name.len);
    else
        ix_use(C, "field", ot.rec->name, strlen(ot.rec->name), n->name.ptr, n->name.len, n->file,
               n->name.off, n->name.len);
    n->slot = f;
    return n->type = ot.rec->fields[f].type;
}

static int is_const_elem(Node *e) {
    e = unwrap(e);
    return e->kind == N_STRING || e->kind == N_INT || (e->kind == N_NAME && e->res == RES_CONST) ||
           (e->kind == N_UNARY && e->op == OP_NEG && e->a->kind == N_INT);
}

static Type check_set(Checker *C, Node *n, const Type *hint) {
    Type elem = hint ? *hint : T_ERR;
    int have = hint != NULL, bad = 0;
    for (Node *e = n->list; e; e = e->next) {
        Type t = check_expr(C, e, have ? &elem : NULL);
        if (t.kind == TY_ERROR) {
            bad = 1;
            continue;
        }
        if (!is_const_elem(e)) {
            err(C, e, "set members must be constants");
            bad = 1;
            continue;
        }
        if (!have) {
            elem = t;
            have = 1;
        } else if (!same_type(elem, t) && !(type_is_string(elem.kind) && type_is_string(t.kind))) {
            type_mismatch(C, e, "set member", elem, t);
            bad = 1;
        }
    }
    /* a set with a bad member is an error as a whole, so no rule that uses it
     * is compiled with the member missing */
    if (bad) return n->type = T_ERR;
    Type st = ty(TY_SET);
    st.elem = have ? elem.kind : TY_CODE;
    st.enm = elem.enm;
    return n->type = st;
}

/* Checks x in S / x not in S. */
static Type check_in(Checker *C, Node *n) {
    Type lt = check_expr(C, n->a, NULL);
    Type rt = check_expr(C, n->b, lt.kind == TY_ERROR ? NULL : &lt);
    if (lt.kind == TY_ERROR || rt.kind == TY_ERROR) return n->type = T_ERR;
    if (rt.kind == TY_TABLE) {
        const Table *t = rt.table;
        if (t->key_col < 0) {
            err(C, n->b, "table %s has no key column to look %s up in", t->name,
                type_kind_names[lt.kind]);
            return n->type = T_ERR;
        }
        if (!type_is_string(lt.kind)) {
            type_mismatch(C, n, "'in'", lt, t->rt.fields[t->key_col].type);
            return n->type = T_ERR;
        }
        return n->type = ty(TY_BOOL);
    }
    if (rt.kind != TY_SET) {
        char x[96];
        err(C, n->b, "'in' needs a set or a table on its right, not %s",
            type_name(rt, x, sizeof x));
        return n->type = T_ERR;
    }
    int ok = (type_is_string(lt.kind) && type_is_string(rt.elem)) ||
             (lt.kind == TY_ENUM && rt.elem == TY_ENUM && lt.enm == rt.enm) ||
             (lt.kind == rt.elem && (lt.kind == TY_INT || lt.kind == TY_BOOL));
    Node *set = unwrap(n->b);
    if (!ok && set->kind == N_SET && !set->list) ok = 1; /* the empty set */
    if (!ok) {
        Type et = ty(rt.elem);
        et.enm = rt.enm;
        type_mismatch(C, n, "'in'", lt, et);
        return n->type = T_ERR;
    }
    return n->type = ty(TY_BOOL);
}

static Type check_binary(Checker *C, Node *n) {
    int op = n->op;
    if (op == OP_IN || op == OP_NOTIN) return check_in(C, n);
    if (op == OP_AND || op == OP_OR) {
        Type a = check_expr(C, n->a, NULL), b = check_expr(C, n->b, NULL);
        if (a.kind == TY_ERROR || b.kind == TY_ERROR) return n->type = T_ERR;
        if (a.kind != TY_BOOL || b.kind != TY_BOOL) {
            Node *bad = a.kind != TY_BOOL ? n->a : n->b;
            char x[96];
            err(C, bad, "'%s' needs true/false on both sides, this is %s", ast_op_names[op],
                type_name(bad->type, x, sizeof x));
            return n->type = T_ERR;
        }
        return n->type = ty(TY_BOOL);
    }
    if (op == OP_MATCHES) {
        Type a = check_expr(C, n->a, NULL);
        check_expr(C, n->b, NULL);
        Node *pat = unwrap(n->b);
        if (a.kind == TY_ERROR) return n->type = T_ERR;
        if (!type_is_string(a.kind)) {
            char x[96];
            err(C, n->a, "'matches' needs text or a code on its left, not %s",
                type_name(a, x, sizeof x));
            return n->type = T_ERR;
        }
        if (n->b->type.kind == TY_REGEX) return n->type = ty(TY_BOOL); /* r.column */
        if (pat->kind != N_STRING) {
            if (n->b->type.kind != TY_ERROR)
                err(C, n->b,
                    "'matches' needs a regular expression: a string literal or a table's regex "
                    "column");
            return n->type = T_ERR;
        }
        n->slot = C->gen->regex(C->gen->g, pat, pat->str);
        return n->type = n->slot < 0 ? T_ERR : ty(TY_BOOL);
    }
    /* comparisons and arithmetic: enums take members from the other side */
    Node *first = n->a, *second = n->b;
    if ((first->kind == N_NAME || first->kind == N_STRING) && second->kind != N_NAME &&
        second->kind != N_STRING) {
        first = n->b;
        second = n->a;
    }
    Type ft = check_expr(C, first, NULL);
    Type st = check_expr(C, second, ft.kind == TY_ENUM ? &ft : NULL);
    if (ft.kind == TY_ERROR || st.kind == TY_ERROR) return n->type = T_ERR;
    Type a = n->a->type, b = n->b->type;
    switch (op) {
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        if (!unify(C, n->a, n->b)) {
            type_mismatch(C, n, "comparison", a, b);
            return n->type = T_ERR;
        }
        if (op != OP_EQ && op != OP_NE &&
            (n->a->type.kind == TY_BOOL || n->a->type.kind == TY_ENUM ||
             n->a->type.kind == TY_RECORD || n->a->type.kind == TY_LIST)) {
            err(C, n, "values of type %s have no order", type_kind_names[n->a->type.kind]);
            return n->type = T_ERR;
        }
        if (n->a->type.kind == TY_RECORD || n->a->type.kind == TY_LIST ||
            n->a->type.kind == TY_SET || n->a->type.kind == TY_TABLE) {
            err(C, n, "records, lists, sets and tables cannot be compared");
            return n->type = T_ERR;
        }
        return n->type = ty(TY_BOOL);
    case OP_ADD:
    case OP_SUB: {
        int ka = a.kind, kb = b.kind;
        if (ka == kb && is_numeric_kind(ka)) return n->type = a;
        if ((ka == TY_INT && kb == TY_MONEY) || (ka == TY_MONEY && kb == TY_INT)) {
            unify(C, n->a, n->b);
            return n->type = ty(TY_MONEY);
        }
        if ((ka == TY_DATE || ka == TY_DATETIME) && kb == TY_DURATION) return n->type = a;
        if (op == OP_ADD && ka == TY_DURATION && (kb == TY_DATE || kb == TY_DATETIME))
            return n->type = b;
        if (op == OP_SUB && (ka == TY_DATE || ka == TY_DATETIME) &&
            (kb == TY_DATE || kb == TY_DATETIME)) {
            unify(C, n->a, n->b);
            return n->type = ty(TY_DURATION);
        }
        type_mismatch(C, n, op == OP_ADD ? "'+'" : "'-'", a, b);
        return n->type = T_ERR;
    }
    case OP_MUL:
        if (a.kind == TY_INT && is_numeric_kind(b.kind)) return n->type = b;
        if (b.kind == TY_INT && is_numeric_kind(a.kind)) return n->type = a;
        type_mismatch(C, n, "'*'", a, b);
        return n->type = T_ERR;
    case OP_DIV:
        if (b.kind == TY_INT && is_numeric_kind(a.kind)) return n->type = a;
        if (a.kind == b.kind && is_numeric_kind(a.kind)) return n->type = ty(TY_INT);
        type_mismatch(C, n, "'/'", a, b);
        return n->type = T_ERR;
    }
    err(C, n, "unsupported operator");
    return n->type = T_ERR;
}

static const char *const builtin_names[BI__COUNT] = {
#define X(e, s, n) s,
    ARB_BUILTINS(X)
#undef X
};

/* Checks a builtin call's arguments; returns its type. */
static Type check_builtin(Checker *C, Node *n, int bi, Type *args, int nargs) {
    static const signed char arity[BI__COUNT] = {
#define X(e, s, n) n,
        ARB_BUILTINS(X)
#undef X
    };
    if (nargs != arity[bi]) {
        err(C, n, "%s() takes %d argument%s, not %d", builtin_names[bi], arity[bi],
            arity[bi] == 1 ? "" : "s", nargs);
        return T_ERR;
    }
    for (int i = 0; i < nargs; i++)
        if (args[i].kind == TY_ERROR) return T_ERR;
    Node *a0 = n->list, *a1 = a0 ? a0->next : NULL;
    char x[96];
    switch (bi) {
    case BI_DATE:
    case BI_YEAR:
    case BI_MONTH:
        if (args[0].kind != TY_DATE && args[0].kind != TY_DATETIME) break;
        return ty(bi == BI_DATE ? TY_DATE : TY_INT);
    case BI_AGE_YEARS:
    case BI_DAYS_BETWEEN:
        if (args[0].kind != TY_DATE || args[1].kind != TY_DATE) {
            err(C, n, "%s() takes two dates", builtin_names[bi]);
            return T_ERR;
        }
        return ty(TY_INT);
    case BI_DAYS:
    case BI_HOURS:
        if (args[0].kind != TY_DURATION) break;
        return ty(TY_INT);
    case BI_COALESCE:
        if (!unify(C, a0, a1) || a0->type.kind == TY_RECORD || a0->type.kind == TY_LIST ||
            a0->type.kind == TY_SET || a0->type.kind == TY_TABLE) {
            type_mismatch(C, n, "coalesce()", args[0], args[1]);
            return T_ERR;
        }
        return a0->type;
    case BI_MISSING:
    case BI_PRESENT:
        if (!type_is_int64(args[0].kind) && !type_is_string(args[0].kind) &&
            args[0].kind != TY_REGEX)
            break;
        return ty(TY_BOOL);
    case BI_ABS:
        if (!is_numeric_kind(args[0].kind)) break;
        return args[0];
    case BI_LEN:
        if (!type_is_string(args[0].kind)) break;
        return ty(TY_INT);
    case BI_LEAST:
    case BI_GREATEST:
        /* numbers, dates or times of one kind (an int next to money is yuan) */
        if (!unify(C, a0, a1) || (!is_numeric_kind(a0->type.kind) && a0->type.kind != TY_DATE &&
                                  a0->type.kind != TY_DATETIME)) {
            char y[96];
            err(C, n,
                "%s() takes two numbers, amounts, durations, dates or times of one kind, not "
                "%s and %s",
                builtin_names[bi], type_name(args[0], x, sizeof x),
                type_name(args[1], y, sizeof y));
            return T_ERR;
        }
        return a0->type;
    case BI_LABEL:
        if (args[0].kind != TY_ENUM) {
            err(C, n, "label() takes an enum value (claim.sex, claim.care_type), not %s",
                type_name(args[0], x, sizeof x));
            return T_ERR;
        }
        return ty(TY_TEXT);
    case BI_STARTS_WITH:
        if (!type_is_string(args[0].kind) || !type_is_string(args[1].kind)) {
            err(C, n, "starts_with() takes two codes or texts");
            return T_ERR;
        }
        return ty(TY_BOOL);
    case BI_HISTORY: {
        if (args[0].kind != TY_DURATION) {
            err(C, n,
                "history() takes a duration such as 30d or a calendar period (calendar_year, "
                "calendar_quarter, calendar_month), not %s",
                type_name(args[0], x, sizeof x));
            return T_ERR;
        }
        if (C->in_derived) {
            err(C, n, "history() cannot be used in a derived field");
            return T_ERR;
        }
        C->reads_history = 1;
        Type t = ty(TY_LIST);
        t.rec = C->p->claim;
        return t;
    }
    }
    err(C, n, "%s() does not take %s", builtin_names[bi], type_name(args[0], x, sizeof x));
    return T_ERR;
}

static Type check_lua_call(Checker *C, Node *n);

/* The calendar periods history() takes besides durations, and the
 * durations they compile to (history.h). */
static const char *const calendar_names[] = {"calendar_year", "calendar_quarter", "calendar_month"};
static const int64_t calendar_durations[] = {HIST_CAL_YEAR, HIST_CAL_QUARTER, HIST_CAL_MONTH};

/* history(NAME) where NAME is no variable or global: a calendar period, or
 * a misspelling of one.  Returns 1 when it handled the argument (resolved,
 * or reported), 0 when the argument is checked as any expression. */
static int check_calendar(Checker *C, Node *a) {
    if (a->kind != N_NAME || lookup_var(C, a->name) || global(C, a->name)) return 0;
    for (size_t i = 0; i < sizeof calendar_names / sizeof *calendar_names; i++) {
        if (!tok_eq(a->name, calendar_names[i])) continue;
        a->res = RES_CONST;
        a->ival = calendar_durations[i];
        a->type = ty(TY_DURATION);
        return 1;
    }
    char sug[128];
    suggest(sug, sizeof sug, a->name, calendar_names,
            sizeof calendar_names / sizeof *calendar_names);
    if (!sug[0]) return 0;
    err(C, a, "unknown period '%.*s'%s", (int)a->name.len, a->name.ptr, sug);
    a->type = T_ERR;
    return 1;
}

static Type check_call(Checker *C, Node *n, const Type *hint) {
    Type args[8];
    int nargs = 0;
    if (n->op == 1) return n->type = check_lua_call(C, n);
    for (int bi = 0; bi < BI__COUNT; bi++) {
        if (!tok_eq(n->name, builtin_names[bi])) continue;
        for (Node *a = n->list; a; a = a->next) {
            if (bi == BI_HISTORY && check_calendar(C, a)) {
                if (nargs < 8) args[nargs] = a->type;
                nargs++;
                continue;
            }
            Type t = check_expr(C, a, NULL);
            if (nargs < 8) args[nargs] = t;
            nargs++;
        }
        n->res = RES_BUILTIN;
        n->slot = bi;
        return n->type = check_builtin(C, n, bi, args, nargs > 8 ? 8 : nargs);
    }
    Sym *s = global(C, n->name);
    if (!s || s->kind != SYM_DEFINE) {
        char sug[128];
        suggest(sug, sizeof sug, n->name, builtin_names, BI__COUNT);
        err(C, n, "unknown function '%.*s'%s", (int)n->name.len, n->name.ptr, sug);
        for (Node *a = n->list; a; a = a->next) check_expr(C, a, NULL);
        return n->type = T_ERR;
    }
    ix_use(C, "define", n->name.ptr, n->name.len, NULL, 0, n->file, n->name.off, n->name.len);
    Node *d = s->ptr;
    int nparams = 0;
    for (Node *p = d->list; p; p = p->next) nparams++;
    for (Node *a = n->list; a; a = a->next) nargs++;
    if (nargs != nparams) {
        err(C, n, "'%.*s' takes %d argument%s, not %d", (int)n->name.len, n->name.ptr, nparams,
            nparams == 1 ? "" : "s", nargs);
        return n->type = T_ERR;
    }
    if (C->define_depth > 32) {
        err(C, n, "'%.*s' refers to itself", (int)n->name.len, n->name.ptr);
        return n->type = T_ERR;
    }
    int bad = 0;
    for (Node *a = n->list; a; a = a->next) bad |= check_expr(C, a, NULL).kind == TY_ERROR;
    if (bad) return n->type = T_ERR;
    size_t mark = C->nscope;
    ScopeVar bar = {{0}, SV_BARRIER, 0, 0, {0}, NULL};
    push_var(C, bar);
    Node *a = n->list;
    for (Node *p = d->list; p; p = p->next, a = a->next) {
        ScopeVar v = {p->name, SV_ALIAS, 0, -1, a->type, a};
        push_var(C, v);
    }
    C->define_depth++;
    n->res = RES_INLINE;
    n->a = clone(C, d->a);
    Type t = n->a ? check_expr(C, n->a, hint) : T_ERR;
    C->define_depth--;
    C->nscope = mark;
    /* the arguments are compiled where the body uses them, not here */
    return n->type = t;
}

/* `match VAR in TABLE on KEY`, a rule's clause or an aggregate's binder:
 * resolves the table, checks the key, gives the variable its slots (var,
 * then key, stage, rows, remaining) and brings it into scope.  0 on an
 * error (reported). */
static int check_match(Checker *C, Node *m) {
    int ok = 1;
    Sym *ts = global(C, m->a->name);
    Type vt = T_ERR;
    if (!ts || ts->kind != SYM_TABLE) {
        err(C, m->a, "unknown table '%.*s'", (int)m->a->name.len, m->a->name.ptr);
        ok = 0;
    } else {
        Table *t = ts->ptr;
        ix_use(C, "table", m->a->name.ptr, m->a->name.len, NULL, 0, m->a->file, m->a->name.off,
               m->a->name.len);
        m->a->ref = t;
        vt = ty(TY_RECORD);
        vt.rec = &t->rt;
        vt.table = t;
        if (t->key_col < 0) {
            err(C, m->a, "table %s has no key column to match on (mark one 'key')", t->name);
            ok = 0;
        }
    }
    Type kt = check_expr(C, m->b, NULL);
    if (kt.kind != TY_ERROR && !type_is_string(kt.kind)) {
        char x[96];
        err(C, m->b, "a table is matched on a code or text, not %s", type_name(kt, x, sizeof x));
        ok = 0;
    }
    if (kt.kind == TY_ERROR) ok = 0;
    m->slot = alloc_slots(C, 5);
    ix_var(C, m->file, m->name, vt);
    ScopeVar v = {m->name, SV_VAR, 0, m->slot, vt, NULL};
    push_var(C, v);
    return ok;
}

static Type check_agg(Checker *C, Node *n) {
    int32_t saved = C->next_slot;
    n->slot = alloc_slots(C, 1); /* the accumulator */
    size_t mark = C->nscope;
    Type result = ty(n->op == OP_COUNT ? TY_INT : TY_BOOL);
    /* the binders: each loops inside the previous one */
    int nbinders = 0;
    for (Node *b = n->list; b; b = b->next) {
        if (++nbinders > 16) {
            err(C, b, "an aggregate has at most 16 binders");
            result = T_ERR;
            break;
        }
        if (b->kind == N_MATCH) {
            if (!check_match(C, b)) result = T_ERR;
            continue;
        }
        Type bt = check_expr(C, b->a, NULL);
        Type bv = ty(TY_RECORD);
        if (bt.kind == TY_LIST) {
            bv.rec = bt.rec;
        } else {
            if (bt.kind != TY_ERROR) {
                char x[96];
                err(C, b->a, "%s needs a list such as %s, not %s", ast_op_names[n->op],
                    b == n->list ? "claim.lines" : "x.lines", type_name(bt, x, sizeof x));
            }
            result = T_ERR;
            bv = T_ERR;
        }
        b->slot = alloc_slots(C, 3); /* var, list, index */
        ix_var(C, b->file, b->name, bv);
        ScopeVar bvar = {b->name, SV_VAR, 0, b->slot, bv, NULL};
        push_var(C, bvar);
    }
    if (n->b) {
        Type wt = check_expr(C, n->b, NULL);
        if (wt.kind != TY_ERROR && wt.kind != TY_BOOL) {
            err(C, n->b, "'where' needs a condition (true/false)");
            result = T_ERR;
        }
        if (wt.kind == TY_ERROR) result = T_ERR;
    }
    if (n->c) {
        Type et = check_expr(C, n->c, NULL);
        if (et.kind == TY_ERROR)
            result = T_ERR;
        else if (n->op == OP_SUM && !is_numeric_kind(et.kind)) {
            char x[96];
            err(C, n->c, "sum needs numbers (int, money, duration), not %s",
                type_name(et, x, sizeof x));
            result = T_ERR;
        } else if ((n->op == OP_MIN || n->op == OP_MAX) &&
                   !(is_numeric_kind(et.kind) || et.kind == TY_DATE || et.kind == TY_DATETIME)) {
            char x[96];
            err(C, n->c, "%s needs numbers or dates, not %s", ast_op_names[n->op],
                type_name(et, x, sizeof x));
            result = T_ERR;
        } else if (result.kind != TY_ERROR) {
            result = et;
        }
    }
    C->nscope = mark;
    (void)saved; /* slots stay reserved: nested loops must not share them */
    return n->type = result;
}

static Type check_expr(Checker *C, Node *n, const Type *hint) {
    if (C->oom) return n->type = T_ERR;
    switch (n->kind) {
    case N_INT: return n->type = ty(TY_INT);
    case N_MONEY: return n->type = ty(TY_MONEY);
    case N_DATE: return n->type = ty(TY_DATE);
    case N_DATETIME: return n->type = ty(TY_DATETIME);
    case N_DURATION: return n->type = ty(TY_DURATION);
    case N_BOOL: return n->type = ty(TY_BOOL);
    case N_STRING:
        if (hint && hint->kind == TY_ENUM) {
            int k = scalar_enum_index(hint->enm, n->str, n->slen);
            if (k < 0) {
                err(C, n, "\"%s\" is not a member of %s", n->str, hint->enm->name);
                return n->type = T_ERR;
            }
            n->kind = N_NAME;
            n->res = RES_CONST;
            n->ival = k;
            return n->type = *hint;
        }
        return n->type = ty(hint && hint->kind == TY_TEXT ? TY_TEXT : TY_CODE);
    case N_NAME: return check_name(C, n, hint);
    case N_FIELDREF: return check_fieldref(C, n);
    case N_CALL: return check_call(C, n, hint);
    case N_SET: return check_set(C, n, hint && hint->kind != TY_SET ? hint : NULL);
    case N_AGG: return check_agg(C, n);
    case N_BINARY: return check_binary(C, n);
    case N_COND: {
        Type t = check_expr(C, n->a, NULL);
        /* an enum member named bare (inpatient, "M") in one branch takes the
         * other branch's enum: that one is checked first */
        Node *first = n->b, *second = n->c;
        if (!hint && (n->b->kind == N_NAME || n->b->kind == N_STRING)) first = n->c, second = n->b;
        Type x = check_expr(C, first, hint);
        Type y = check_expr(C, second, hint ? hint : x.kind == TY_ENUM ? &x : NULL);
        if (t.kind == TY_ERROR || x.kind == TY_ERROR || y.kind == TY_ERROR) return n->type = T_ERR;
        char b1[96], b2[96];
        if (t.kind != TY_BOOL) {
            err(C, n->a, "the condition of 'if' must be true or false, not %s",
                type_name(t, b1, sizeof b1));
            return n->type = T_ERR;
        }
        if (!unify(C, n->b, n->c) || x.kind == TY_RECORD || x.kind == TY_LIST || x.kind == TY_SET ||
            x.kind == TY_TABLE || x.kind == TY_REGEX) {
            err(C, n, "'then' gives %s and 'else' gives %s: both must be of one type",
                type_name(n->b->type, b1, sizeof b1), type_name(n->c->type, b2, sizeof b2));
            return n->type = T_ERR;
        }
        /* code and text: text */
        return n->type = n->c->type.kind == TY_TEXT ? n->c->type : n->b->type;
    }
    case N_UNARY: {
        Type t = check_expr(C, n->a, NULL);
        if (t.kind == TY_ERROR) return n->type = T_ERR;
        if (n->op == OP_NOT) {
            if (t.kind != TY_BOOL) {
                char x[96];
                err(C, n, "'not' needs a condition (true/false), not %s",
                    type_name(t, x, sizeof x));
                return n->type = T_ERR;
            }
            return n->type = t;
        }
        if (n->op == OP_NEG && !is_numeric_kind(t.kind)) {
            char x[96];
            err(C, n, "cannot negate %s", type_name(t, x, sizeof x));
            return n->type = T_ERR;
        }
        return n->type = t;
    }
    default: err(C, n, "not an expression"); return n->type = T_ERR;
    }
}

/* ------------------------------------------------------------- schema pass */

static Type resolve_type(Checker *C, Node *tn) {
    Sym *s = global(C, tn->name);
    if (s && (s->kind == SYM_RECORD || s->kind == SYM_ENUM))
        ix_use(C, s->kind == SYM_RECORD ? "schema" : "enum", tn->name.ptr, tn->name.len, NULL, 0,
               tn->file, tn->name.off, tn->name.len);
    if (tn->op) { /* list of RECORD */
        if (!s || s->kind != SYM_RECORD) {
            err(C, tn, "unknown schema '%.*s' (a list holds records of a schema)",
                (int)tn->name.len, tn->name.ptr);
            return T_ERR;
        }
        Type t = ty(TY_LIST);
        t.rec = s->ptr;
        return t;
    }
    if (s && s->kind == SYM_SCALAR) return ty(s->scalar);
    if (s && s->kind == SYM_ENUM) {
        Type t = ty(TY_ENUM);
        t.enm = s->ptr;
        return t;
    }
    if (s && s->kind == SYM_RECORD) {
        err(C, tn, "a field holds a list of records: write 'list of %.*s'", (int)tn->name.len,
            tn->name.ptr);
        return T_ERR;
    }
    err(C, tn, "unknown type '%.*s' (bool int money date datetime duration code text, or an enum)",
        (int)tn->name.len, tn->name.ptr);
    return T_ERR;
}

/* Builds a record type's fields from FIELD nodes (a schema and its extends,
 * or a table's columns). */
static int build_fields(Checker *C, RecordType *rt, Node **fnodes, size_t n, int is_table,
                        uint8_t *key_prefix) {
    rt->fields = arena_alloc(&C->p->ar, (n ? n : 1) * sizeof(Field));
    if (!rt->fields) return C->oom = 1, -1;
    rt->nfields = 0;
    rt->key_field = rt->at_risk_field = rt->as_of_field = -1;
    for (size_t i = 0; i < n; i++) {
        Node *fn = fnodes[i];
        if (record_field_index(rt, fn->name.ptr, fn->name.len) >= 0) {
            err(C, fn, "'%.*s' is declared twice in %s", (int)fn->name.len, fn->name.ptr, rt->name);
            continue;
        }
        Field *f = &rt->fields[rt->nfields];
        f->name = pstr(C, fn->name);
        f->name_len = fn->name.len;
        f->type = resolve_type(C, fn->a);
        f->derived = -1;
        f->decl_off = fn->off;
        if (is_table && f->type.kind == TY_LIST) err(C, fn->a, "a table column cannot hold a list");
        if (!is_table && f->type.kind == TY_REGEX)
            err(C, fn->a, "regex is a type of table columns only (a pattern per row)");
        for (Node *a = fn->list; a; a = a->next) {
            int32_t *slot = NULL;
            switch (a->op) {
            case OP_KEY: f->key = f->required = 1, slot = &rt->key_field; break;
            case OP_REQUIRED: f->required = 1; break;
            case OP_AT_RISK: f->at_risk = 1, slot = &rt->at_risk_field; break;
            case OP_AS_OF: f->as_of = 1, slot = &rt->as_of_field; break;
            case OP_PREFIX:
                if (!is_table || !f->key)
                    err(C, a,
                        "'prefix' follows 'key' on a table's key column: every key is then a "
                        "prefix (code code key prefix)");
                else if (key_prefix)
                    *key_prefix = 1;
                break;
            }
            if (is_table && a->op != OP_KEY && a->op != OP_PREFIX)
                err(C, a, "a table column takes only 'key' (and 'key prefix')");
            if (slot && *slot >= 0)
                err(C, a, "only one field of %s can be '%s'", rt->name, ast_op_names[a->op]);
            else if (slot)
                *slot = (int32_t)rt->nfields;
        }
        if (f->key && !type_is_string(f->type.kind) && is_table)
            err(C, fn->a, "a table's key column must be of type code or text");
        if (f->at_risk && f->type.kind != TY_MONEY) err(C, fn, "an at_risk field must be money");
        if (f->as_of && f->type.kind != TY_DATE && f->type.kind != TY_DATETIME)
            err(C, fn, "an as_of field must be a date or datetime");
        rt->nfields++;
    }
    return 0;
}

static void add_decl(Checker *C, Node *d) {
    if (mem_grow(C->alloc, (void **)&C->decls, sizeof(Node *), &C->capdecls, C->ndecls + 1)) {
        C->oom = 1;
        return;
    }
    C->decls[C->ndecls++] = d;
}

/* Resolves path relative to the directory of file `from`. */
static void relative_path(Checker *C, int from, const char *path, char *out, size_t cap) {
    if (path[0] == '/' || from < 0) {
        snprintf(out, cap, "%s", path);
        return;
    }
    const char *fp = C->src->items[from].path;
    const char *slash = strrchr(fp, '/');
    if (!slash)
        snprintf(out, cap, "%s", path);
    else
        snprintf(out, cap, "%.*s/%s", (int)(slash - fp), fp, path);
}

/* Undecodable bytes reported per file: the first of each line, up to this. */
#define MAX_ENCODING_ERRORS 3

/* Makes source `file` UTF-8: converts it from enc, or checks that it is
 * UTF-8 already.  Each undecodable byte (the first of a line, up to
 * MAX_ENCODING_ERRORS) is an error at its place, naming its offset in the
 * file; `hint` follows the first.  Returns the number reported. */
static size_t source_to_utf8(Checker *C, int file, int enc, const char *hint) {
    Source *src = &C->src->items[file];
    size_t n = 0;
    if (enc == TC_UTF8) {
        size_t at = 0, k;
        while (n < MAX_ENCODING_ERRORS && at < src->len &&
               (k = utf8_check(src->text + at, src->len - at)) != UTF8_VALID) {
            size_t off = at + k;
            diag_add(C->diags, DIAG_ERROR, file, (uint32_t)off, 1, "invalid UTF-8 at byte %zu%s",
                     off + src->skipped, n ? "" : hint);
            n++;
            const char *nl = memchr(src->text + off, '\n', src->len - off);
            at = nl ? (size_t)(nl - src->text) : src->len;
        }
        return n;
    }
    Transcoder tc;
    if (tc_open(&tc, enc)) {
        diag_add(C->diags, DIAG_ERROR, file, 0, 0, "cannot convert from %s: %s",
                 tc_encoding_name(enc), strerror(errno));
        return 1;
    }
    TcText out;
    tc_text_init(&out, C->src->alloc);
    int rc = tc_convert(&tc, src->text, src->len, src->skipped, &out);
    tc_close(&tc);
    char *text = rc ? NULL : mem_realloc(C->src->alloc, out.p, out.cap, out.len + 1);
    if (!text) {
        tc_text_free(&out);
        C->oom = 1;
        return 1;
    }
    out.p = NULL;
    out.cap = 0;
    mem_free(C->src->alloc, src->text, src->len + 1);
    src->text = text;
    src->len = out.len;
    uint64_t last = 0;
    for (size_t i = 0; i < out.nbad && n < MAX_ENCODING_ERRORS; i++) {
        const TcBad *b = &out.bad[i];
        if (b->line == last) continue;
        last = b->line;
        diag_add(C->diags, DIAG_ERROR, file, (uint32_t)b->out_off, 3, "invalid %s at byte %zu",
                 tc_encoding_name(enc), b->in_off);
        n++;
    }
    tc_text_free(&out);
    return n;
}

/* The encoding a rule file declares in its first line, as a comment such
 * as `# encoding: gb18030` (`coding` and `=` do as well); TC_UTF8 when it
 * declares none.  -1 after reporting one it does not know. */
static int declared_encoding(Checker *C, int file) {
    const Source *src = &C->src->items[file];
    const char *t = src->text, *eol = memchr(t, '\n', src->len);
    size_t n = eol ? (size_t)(eol - t) : src->len;
    if (!n || t[0] != '#') return TC_UTF8;
    for (size_t i = 1; i + 7 <= n; i++) {
        if (memcmp(t + i, "coding", 6) != 0 || (t[i + 6] != ':' && t[i + 6] != '=')) continue;
        size_t s = i + 7;
        while (s < n && (t[s] == ' ' || t[s] == '\t')) s++;
        size_t e = s;
        while (e < n && (isalnum((unsigned char)t[e]) || t[e] == '-' || t[e] == '_' || t[e] == '.'))
            e++;
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(e - s < 31 ? e - s : 31), t + s);
        int enc = tc_encoding(name);
        if (enc < 0)
            diag_add(C->diags, DIAG_ERROR, file, (uint32_t)s, (uint32_t)(e > s ? e - s : 1),
                     "unknown encoding '%s' (utf-8, gb18030)", name);
        return enc;
    }
    return TC_UTF8;
}

/* Parses a file and, recursively, the files it imports. */
static void load_file(Checker *C, int file, StrMap *seen) {
    /* UTF-8, or what its first line declares: converted before it is read */
    int enc = declared_encoding(C, file);
    if (enc < 0 ||
        source_to_utf8(C, file, enc,
                       " (a rule file in GB18030 says so in its first line: # encoding: gb18030)"))
        return;
    ParseCtx pc;
    memset(&pc, 0, sizeof pc);
    pc.ar = C->ar;
    pc.stubs = C->stubs;
    pc.diags = C->diags;
    pc.file = file;
    pc.src = C->src->items[file].text;
    parse_file(&pc, C->src->items[file].text, C->src->items[file].len);
    for (Node *d = pc.decls.head; d; d = d->next) {
        if (d->kind != N_IMPORT) {
            add_decl(C, d);
            continue;
        }
        char path[4096], real[PATH_MAX];
        relative_path(C, file, d->a->str, path, sizeof path);
        if (!realpath(path, real)) {
            err(C, d->a, "cannot import \"%s\": %s", d->a->str, strerror(errno));
            continue;
        }
        char *key = arena_strndup(C->ar, real, strlen(real));
        if (!key || strmap_get(seen, key, strlen(key))) continue;
        strmap_put(seen, key, strlen(key), d, &C->oom);
        char msg[512];
        int idx = sources_add_file(C->src, path, msg, sizeof msg);
        if (idx < 0) {
            err(C, d->a, "%s", msg);
            continue;
        }
        load_file(C, idx, seen);
    }
}

static void declare_builtin_types(Checker *C) {
    static const uint8_t kinds[] = {TY_BOOL,     TY_INT,  TY_MONEY, TY_DATE, TY_DATETIME,
                                    TY_DURATION, TY_CODE, TY_TEXT,  TY_REGEX};
    for (size_t i = 0; i < sizeof kinds; i++) {
        Sym *s = arena_alloc(C->ar, sizeof(Sym));
        if (!s) return;
        s->kind = SYM_SCALAR;
        s->scalar = kinds[i];
        const char *name = type_kind_names[kinds[i]];
        strmap_put(&C->globals, name, strlen(name), s, &C->oom);
    }
}

/* The spellings of an enum's members in data, for finding one used twice:
 * the node that declares it (a member name, a label or a code), and whose. */
typedef struct Spelling {
    const char *text;
    size_t len;
    const Node *at;
    uint32_t member;
} Spelling;

/* Reports a spelling that another member already uses (one member may
 * spell itself twice: `M "M"`).  Adds it to sp otherwise. */
static void add_spelling(Checker *C, const EnumType *e, Spelling *sp, size_t *nsp, Spelling s) {
    for (size_t i = 0; i < *nsp; i++) {
        if (sp[i].len != s.len || memcmp(sp[i].text, s.text, s.len) != 0) continue;
        if (sp[i].member == s.member) return;
        err(C, s.at, "\"%.*s\" already spells %s of %s: each label and code names one member",
            (int)s.len, s.text, e->members[sp[i].member], e->name);
        note(C, sp[i].at, "used here");
        return;
    }
    sp[(*nsp)++] = s;
}

static void pass_enums(Checker *C) {
    size_t count = 0;
    for (size_t i = 0; i < C->ndecls; i++) count += C->decls[i]->kind == N_ENUM;
    C->p->enums = arena_alloc(&C->p->ar, (count + 1) * sizeof(EnumType *));
    if (!C->p->enums) return;
    for (size_t i = 0; i < C->ndecls; i++) {
        Node *d = C->decls[i];
        if (d->kind != N_ENUM) continue;
        EnumType *e = arena_alloc(&C->p->ar, sizeof(EnumType));
        if (!e) return;
        e->name = pstr(C, d->name);
        uint32_t n = 0, ncodes = 0;
        for (Node *m = d->list; m; m = m->next) {
            n++;
            for (Node *c = m->list; c; c = c->next) ncodes++;
        }
        e->members = arena_alloc(&C->p->ar, (n + 1) * sizeof(char *));
        e->labels = arena_alloc(&C->p->ar, (n + 1) * sizeof(char *));
        const char **codes = arena_alloc(&C->p->ar, (ncodes + 1) * sizeof(char *));
        uint32_t *owner = arena_alloc(&C->p->ar, (ncodes + 1) * sizeof(uint32_t));
        Spelling *sp = arena_alloc(C->ar, (2 * n + ncodes + 1) * sizeof(Spelling));
        if (!e->members || !e->labels || !codes || !owner || !sp) {
            C->oom = 1;
            return;
        }
        e->codes = codes;
        e->code_member = owner;
        size_t nsp = 0;
        for (Node *m = d->list; m; m = m->next) {
            const char *name = pstr(C, m->name);
            if (scalar_enum_member(e, m->name.ptr, m->name.len) >= 0) {
                err(C, m, "'%s' is a member of %s twice", name, e->name);
                continue;
            }
            uint32_t k = e->n++;
            e->members[k] = name;
            e->labels[k] = m->a ? pcopy(C, m->a->str) : name;
            add_spelling(C, e, sp, &nsp, (Spelling){name, m->name.len, m, k});
            if (m->a && m->a->slen)
                add_spelling(C, e, sp, &nsp, (Spelling){m->a->str, m->a->slen, m->a, k});
            for (Node *c = m->list; c; c = c->next) {
                if (!c->slen) {
                    err(C, c, "an empty code: an empty value is missing, never a member");
                    continue;
                }
                add_spelling(C, e, sp, &nsp, (Spelling){c->str, c->slen, c, k});
                codes[e->ncodes] = pcopy(C, c->str);
                owner[e->ncodes++] = k;
            }
        }
        if (!e->n) err(C, d, "enum %s has no members", e->name);
        if (declare(C, d, SYM_ENUM, e)) C->p->enums[C->p->nenums++] = e;
    }
}

/* Schema declarations and their extensions become record types. */
/* The declaration of field f of record type rt (a schema or an extend). */
static const Node *field_decl(Checker *C, const RecordType *rt, uint32_t f) {
    const Field *fd = &rt->fields[f];
    for (size_t i = 0; i < C->ndecls; i++) {
        const Node *d = C->decls[i];
        if (d->kind != N_SCHEMA || !tok_eq(d->name, rt->name)) continue;
        for (const Node *n = d->list; n; n = n->next)
            if (n->off == fd->decl_off && n->name.len == fd->name_len &&
                memcmp(n->name.ptr, fd->name, fd->name_len) == 0)
                return n;
    }
    return NULL;
}

/* Lists of records nest at most ARB_MAX_LIST_NESTING deep below the claim,
 * so a schema cannot hold a list of itself; returns -1 after reporting. */
static int check_nesting(Checker *C, const RecordType *rt, int depth) {
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        if (fd->type.kind != TY_LIST || !fd->type.rec) continue;
        if (depth + 1 > ARB_MAX_LIST_NESTING) {
            const Node *n = field_decl(C, rt, f);
            if (n)
                err(C, n,
                    "lists of records nest more than %d deep here (does '%s' hold a list of "
                    "itself?)",
                    ARB_MAX_LIST_NESTING, fd->type.rec->name);
            return -1;
        }
        if (check_nesting(C, fd->type.rec, depth + 1) != 0) return -1;
    }
    return 0;
}

static void pass_schemas(Checker *C) {
    size_t nrec = 0;
    for (size_t i = 0; i < C->ndecls; i++)
        if (C->decls[i]->kind == N_SCHEMA && !C->decls[i]->op) nrec++;
    C->p->records = arena_alloc(&C->p->ar, (nrec + 1) * sizeof(RecordType *));
    if (!C->p->records) return;
    for (size_t i = 0; i < C->ndecls; i++) {
        Node *d = C->decls[i];
        if (d->kind != N_SCHEMA || d->op) continue;
        RecordType *rt = arena_alloc(&C->p->ar, sizeof(RecordType));
        if (!rt) return;
        rt->name = pstr(C, d->name);
        if (declare(C, d, SYM_RECORD, rt)) C->p->records[C->p->nrecords++] = rt;
        d->ref = rt;
    }
    for (uint32_t r = 0; r < C->p->nrecords; r++) {
        RecordType *rt = C->p->records[r];
        Node **fields = NULL;
        size_t nf = 0, cap = 0;
        for (size_t i = 0; i < C->ndecls; i++) {
            Node *d = C->decls[i];
            if (d->kind != N_SCHEMA || !tok_eq(d->name, rt->name)) continue;
            if (d->op && !d->ref) d->ref = rt;
            for (Node *f = d->list; f; f = f->next) {
                if (mem_grow(C->alloc, (void **)&fields, sizeof(Node *), &cap, nf + 1)) {
                    C->oom = 1;
                    break;
                }
                fields[nf++] = f;
            }
        }
        build_fields(C, rt, fields, nf, 0, NULL);
        mem_free(C->alloc, fields, cap * sizeof(Node *));
    }
    for (size_t i = 0; i < C->ndecls; i++) {
        Node *d = C->decls[i];
        if (d->kind == N_SCHEMA && d->op && !d->ref)
            err(C, d, "'extend schema %.*s': no such schema", (int)d->name.len, d->name.ptr);
    }
    Sym *claim = strmap_get(&C->globals, "claim", 5);
    if (claim && claim->kind == SYM_RECORD) C->p->claim = claim->ptr;
    if (C->p->claim) check_nesting(C, C->p->claim, 0);
}

static void pass_categories(Checker *C) {
    size_t n = 0;
    for (size_t i = 0; i < C->ndecls; i++) n += C->decls[i]->kind == N_CATEGORY;
    C->p->cats = arena_alloc(&C->p->ar, (n + 1) * sizeof(Category));
    if (!C->p->cats) return;
    for (size_t i = 0; i < C->ndecls; i++) {
        Node *d = C->decls[i];
        if (d->kind != N_CATEGORY) continue;
        Category *c = &C->p->cats[C->p->ncats];
        c->name = pstr(C, d->name);
        c->title = d->a ? pcopy(C, d->a->str) : c->name;
        c->code = "";
        c->severity = SEV_medium;
        c->nature = NAT_suspicious;
        c->tier = TIER_policy;
        for (Node *p = d->list; p; p = p->next) {
            Node *v = p->a;
            const char *val = v->kind == N_STRING ? pcopy(C, v->str) : pstr(C, v->name);
            size_t vl = strlen(val);
            int k = -2;
            if (tok_eq(p->name, "code"))
                c->code = val, k = 0;
            else if (tok_eq(p->name, "tier"))
                k = name_index(tier_names, TIER__COUNT, val, vl),
                c->tier = (uint8_t)(k < 0 ? 0 : k);
            else if (tok_eq(p->name, "severity"))
                k = name_index(severity_names, SEV__COUNT, val, vl),
                c->severity = (uint8_t)(k < 0 ? 0 : k);
            else if (tok_eq(p->name, "nature"))
                k = name_index(nature_names, NAT__COUNT, val, vl),
                c->nature = (uint8_t)(k < 0 ? 0 : k);
            else if (tok_eq(p->name, "points")) {
                if (v->kind != N_INT || v->ival < 0 || v->ival > 100)
                    err(C, v, "points is a whole number from 0 to 100");
                c->points = (int32_t)v->ival;
                k = 0;
            } else if (tok_eq(p->name, "title"))
                c->title = val, k = 0;
            if (k == -2)
                err(C, p,
                    "unknown category property '%.*s' (code, title, tier, severity, nature, "
                    "points)",
                    (int)p->name.len, p->name.ptr);
            else if (k == -1)
                err(C, v, "'%s' is not a valid %.*s", val, (int)p->name.len, p->name.ptr);
        }
        Sym *s = declare(C, d, SYM_CATEGORY, c);
        if (s) s->index = C->p->ncats++;
    }
}

/* The rows of a table being read: its own CSV file's, then those of each
 * `extend table`. */
typedef struct TableRows {
    Value *rows;
    size_t nrows, cap;
    uint32_t (*pos)[2]; /* per row: the file and byte offset of its key cell */
    size_t cappos;
    int bad_rows;
    int loaded;      /* the table's own file was read without errors */
    StrMap *regexes; /* pattern -> its number + 1, shared by all tables */
} TableRows;

/* A regex column's cell: compiled once (equal patterns share one), held as
 * its number; empty is missing.  NULL, or why the pattern is bad (in buf). */
static const char *regex_cell(Checker *C, TableRows *tr, const char *s, size_t n, Value *out,
                              char *buf, size_t cap) {
    if (n == 0) {
        out->i = ARB_NULL;
        return NULL;
    }
    void *known = strmap_get(tr->regexes, s, n);
    if (known) {
        out->i = (int64_t)(uintptr_t)known - 1;
        return NULL;
    }
    char *pat = arena_strndup(C->ar, s, n);
    if (!pat) {
        C->oom = 1;
        return "out of memory";
    }
    char msg[200];
    const char *kept;
    int k = C->gen->regex_text(C->gen->g, pat, msg, sizeof msg, &kept);
    if (k < 0) {
        if (k == -2) C->oom = 1;
        snprintf(buf, cap, "not a valid regular expression (%s)", msg);
        return buf;
    }
    strmap_put(tr->regexes, kept, n, (void *)(uintptr_t)(k + 1), &C->oom);
    out->i = k;
    return NULL;
}

/* Reads a CSV file (the table's own, or an `extend table`'s when d is one)
 * into typed rows appended to tr.  Columns are found by header name. */
static void load_table(Checker *C, Node *d, Table *t, TableRows *tr) {
    char path[4096], msg[512];
    relative_path(C, d->file, d->a->str, path, sizeof path);
    int file = sources_add_file(C->src, path, msg, sizeof msg);
    if (file < 0) {
        err(C, d->a, "%s", msg);
        return;
    }
    t->path = C->src->items[file].path;
    int enc = d->c ? tc_encoding(d->c->str) : TC_UTF8;
    if (enc < 0) {
        err(C, d->c, "unknown encoding '%s' (utf-8, gb18030)", d->c->str);
        tr->bad_rows++;
        return;
    }
    if (source_to_utf8(C, file, enc,
                       " (a table file in GB18030 is declared so: table T from \"t.csv\" encoding "
                       "\"gb18030\" { ... })")) {
        tr->bad_rows++;
        return;
    }
    const Source *src = &C->src->items[file];
    CsvReader r;
    csv_init(&r, src->text, src->len, C->alloc);
    uint64_t line;
    const char *e;
    int rc = csv_next(&r, &line, &e);
    if (rc <= 0) {
        diag_add(C->diags, DIAG_ERROR, file, 0, 0, "%s",
                 rc == 0 ? "empty table file: a header row naming the columns is needed" : e);
        csv_free(&r);
        return;
    }
    uint32_t nf = t->rt.nfields;
    int32_t *col_of = arena_alloc(C->ar, (nf + 1) * sizeof(int32_t));
    if (!col_of) {
        csv_free(&r);
        return;
    }
    int missing = 0;
    for (uint32_t f = 0; f < nf; f++) {
        col_of[f] = -1;
        for (size_t c = 0; c < r.nfields; c++)
            if (r.fields[c].len == t->rt.fields[f].name_len &&
                memcmp(r.fields[c].ptr, t->rt.fields[f].name, r.fields[c].len) == 0)
                col_of[f] = (int32_t)c;
        if (col_of[f] < 0) {
            if (d->op) /* an extend: point at the CSV file's header */
                diag_add(C->diags, DIAG_ERROR, file, 0, (uint32_t)strcspn(src->text, "\r\n"),
                         "column '%s' of table %s is not in the header of %s", t->rt.fields[f].name,
                         t->name, path);
            else
                diag_add(C->diags, DIAG_ERROR, d->file, t->rt.fields[f].decl_off,
                         t->rt.fields[f].name_len, "column '%s' is not in the header of %s",
                         t->rt.fields[f].name, path);
            missing = 1;
        }
    }
    if (missing) {
        csv_free(&r);
        tr->bad_rows++;
        return;
    }
    size_t nrows = tr->nrows;
    int bad_rows = 0;
    while ((rc = csv_next(&r, &line, &e)) != 0) {
        if (rc < 0) {
            diag_add(C->diags, DIAG_ERROR, file, 0, 0, "%s:%llu: %s", path,
                     (unsigned long long)line, e);
            bad_rows++;
            continue;
        }
        if (mem_grow(C->alloc, (void **)&tr->rows, nf * sizeof(Value), &tr->cap, nrows + 1)) {
            C->oom = 1;
            break;
        }
        Value *row = tr->rows + nrows * nf;
        int ok = 1;
        for (uint32_t f = 0; f < nf; f++) {
            if ((size_t)col_of[f] >= r.nfields) {
                /* the line has too few cells: point at its end */
                const char *last = r.nfields
                                       ? r.fields[r.nfields - 1].ptr + r.fields[r.nfields - 1].len
                                       : src->text;
                uint32_t off = (last >= src->text && last <= src->text + src->len)
                                   ? (uint32_t)(last - src->text)
                                   : 0;
                diag_add(C->diags, DIAG_ERROR, file, off, 1,
                         "row has %zu cells, column '%s' is missing", r.nfields,
                         t->rt.fields[f].name);
                ok = 0;
                break;
            }
            CsvField cell = r.fields[col_of[f]];
            char rx[256];
            const char *why =
                t->rt.fields[f].type.kind == TY_REGEX
                    ? regex_cell(C, tr, cell.ptr, cell.len, &row[f], rx, sizeof rx)
                    : scalar_parse(&t->rt.fields[f].type, cell.ptr, cell.len, &C->p->ar, &row[f]);
            if (why) {
                uint32_t off = (cell.ptr >= src->text && cell.ptr <= src->text + src->len)
                                   ? (uint32_t)(cell.ptr - src->text)
                                   : 0;
                char x[96];
                diag_add(C->diags, DIAG_ERROR, file, off, (uint32_t)(cell.len ? cell.len : 1),
                         "column '%s' (%s): '%.*s' is %s", t->rt.fields[f].name,
                         type_name(t->rt.fields[f].type, x, sizeof x),
                         (int)(cell.len > 60 ? 60 : cell.len), cell.ptr, why);
                ok = 0;
            }
        }
        if (ok && t->key_col >= 0) {
            if (mem_grow(C->alloc, (void **)&tr->pos, sizeof *tr->pos, &tr->cappos, nrows + 1)) {
                C->oom = 1;
                break;
            }
            const char *kc = r.fields[col_of[t->key_col]].ptr;
            tr->pos[nrows][0] = (uint32_t)file;
            tr->pos[nrows][1] =
                kc >= src->text && kc <= src->text + src->len ? (uint32_t)(kc - src->text) : 0;
        }
        if (ok)
            nrows++;
        else if (++bad_rows >= 50) {
            diag_add(C->diags, DIAG_ERROR, file, 0, 0, "too many bad rows in %s; stopping here",
                     path);
            break;
        }
    }
    csv_free(&r);
    tr->nrows = nrows;
    tr->bad_rows += bad_rows;
}

typedef struct KeyAt {
    const char *k;
    uint32_t n;
    uint8_t prefix;
    uint32_t row;
} KeyAt;

static int keyat_cmp(const void *x, const void *y) {
    const KeyAt *a = x, *b = y;
    uint32_t n = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->k, b->k, n);
    if (c) return c;
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    if (a->prefix != b->prefix) return a->prefix < b->prefix ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* "file.csv:3:1" of row i's key cell. */
static void key_place(Checker *C, const TableRows *tr, size_t i, char *out, size_t cap) {
    const Source *src = &C->src->items[tr->pos[i][0]];
    uint32_t l, c;
    diag_line_col(src, tr->pos[i][1], &l, &c);
    snprintf(out, cap, "%s:%u:%u", src->path, l, c);
}

static int rows_equal(const Table *t, const Value *a, const Value *b) {
    for (uint32_t f = 0; f < t->rt.nfields; f++) {
        if (type_is_string(t->rt.fields[f].type.kind)) {
            const ArbStr *x = a[f].s, *y = b[f].s;
            if (!x != !y || (x && (x->len != y->len || memcmp(x->data, y->data, x->len)))) return 0;
        } else if (a[f].i != b[f].i) {
            return 0;
        }
    }
    return 1;
}

/* Warns, with both places in the CSV files, about a row that repeats an
 * earlier one (every column equal) and a key that lies under a prefix key
 * of another row (a code then matches both: "XL02%" and "XL02BBA326%").
 * Several rows under one key are not warned about: a table may list a key
 * once per pair, dose or indication. */
static void check_keys(Checker *C, const Table *t, const TableRows *tr) {
    if (t->key_col < 0 || !tr->pos || tr->nrows < 2) return;
    uint32_t nf = t->rt.nfields;
    KeyAt *v = mem_alloc(C->alloc, tr->nrows * sizeof(KeyAt));
    if (!v) {
        C->oom = 1;
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < tr->nrows; i++) {
        const ArbStr *s = tr->rows[i * nf + (size_t)t->key_col].s;
        if (!s) continue;
        int pct = s->len && s->data[s->len - 1] == '%';
        v[n++] =
            (KeyAt){s->data, s->len - (uint32_t)pct, (uint8_t)(pct || t->key_prefix), (uint32_t)i};
    }
    qsort(v, n, sizeof *v, keyat_cmp);
    enum { SHOWN = 10 };
    size_t warned = 0, more = 0;
    char here[600], there[600];
    for (size_t i = 0; i < n; i++) {
        /* the same key again: a repeated row when every column is equal */
        for (size_t j = i; j > 0 && v[j - 1].n == v[i].n && v[j - 1].prefix == v[i].prefix &&
                           !memcmp(v[j - 1].k, v[i].k, v[i].n);
             j--) {
            if (!rows_equal(t, tr->rows + (size_t)v[j - 1].row * nf,
                            tr->rows + (size_t)v[i].row * nf))
                continue;
            if (warned++ >= SHOWN) {
                more++;
                break;
            }
            key_place(C, tr, v[j - 1].row, there, sizeof there);
            diag_add(C->diags, DIAG_WARNING, (int)tr->pos[v[i].row][0], tr->pos[v[i].row][1],
                     v[i].n + (v[i].prefix && !t->key_prefix),
                     "table %s: this row repeats the row at %s", t->name, there);
            break;
        }
        if (!v[i].prefix || (i > 0 && v[i - 1].prefix && v[i - 1].n == v[i].n &&
                             !memcmp(v[i - 1].k, v[i].k, v[i].n)))
            continue; /* (a prefix's keys are told once, at its first row) */
        /* keys under this prefix (its own further rows aside) */
        for (size_t j = i + 1; j < n && v[j].n >= v[i].n && !memcmp(v[j].k, v[i].k, v[i].n); j++) {
            if (v[j].n == v[i].n && v[j].prefix) continue;
            if (warned++ >= SHOWN) {
                more++;
                continue;
            }
            key_place(C, tr, v[i].row, there, sizeof there);
            key_place(C, tr, v[j].row, here, sizeof here);
            diag_add(C->diags, DIAG_WARNING, (int)tr->pos[v[j].row][0], tr->pos[v[j].row][1],
                     v[j].n ? v[j].n : 1,
                     "table %s: the key '%.*s%s' lies under the prefix '%.*s' at %s: a code "
                     "starting so matches both rows (one finding, the other in also_matched)",
                     t->name, (int)v[j].n, v[j].k, v[j].prefix && !t->key_prefix ? "%" : "",
                     (int)v[i].n, v[i].k, there);
        }
    }
    if (more)
        diag_add(C->diags, DIAG_WARNING, (int)tr->pos[0][0], 0, 0,
                 "table %s: %zu more keys repeated or nested (the first %d are shown)", t->name,
                 more, SHOWN);
    mem_free(C->alloc, v, tr->nrows * sizeof(KeyAt));
}

/* Moves a table's rows into the program and indexes its key column. */
static void finish_table(Checker *C, Node *d, Table *t, TableRows *tr) {
    check_keys(C, t, tr);
    mem_free(C->alloc, tr->pos, tr->cappos * sizeof *tr->pos);
    tr->pos = NULL;
    uint32_t nf = t->rt.nfields;
    t->nrows = (uint32_t)tr->nrows;
    t->rows = arena_alloc(&C->p->ar, (tr->nrows ? tr->nrows : 1) * nf * sizeof(Value));
    if (t->rows && tr->nrows) memcpy(t->rows, tr->rows, tr->nrows * nf * sizeof(Value));
    mem_free(C->alloc, tr->rows, tr->cap * nf * sizeof(Value));
    tr->rows = NULL;
    if (!t->rows) C->oom = 1;
    if (tr->loaded && !tr->bad_rows && t->rows && table_build_index(t, &C->p->ar))
        err(C, d, "cannot index table %s (too many different key prefix lengths?)", t->name);
}

static void pass_tables(Checker *C) {
    size_t n = 0;
    for (size_t i = 0; i < C->ndecls; i++) n += C->decls[i]->kind == N_TABLE && !C->decls[i]->op;
    C->p->tables = arena_alloc(&C->p->ar, (n + 1) * sizeof(Table *));
    TableRows *trs = mem_calloc(C->alloc, (n + 1) * sizeof(TableRows));
    StrMap regexes;
    strmap_init(&regexes, C->alloc);
    for (size_t k = 0; trs && k <= n; k++) trs[k].regexes = &regexes;
    Node **tdecl = mem_calloc(C->alloc, (n + 1) * sizeof(Node *));
    if (!C->p->tables || !trs || !tdecl) {
        mem_free(C->alloc, trs, (n + 1) * sizeof(TableRows));
        mem_free(C->alloc, tdecl, (n + 1) * sizeof(Node *));
        C->oom = 1;
        return;
    }
    for (size_t i = 0; i < C->ndecls; i++) {
        Node *d = C->decls[i];
        if (d->kind != N_TABLE || d->op) continue;
        Table *t = arena_alloc(&C->p->ar, sizeof(Table));
        if (!t) return;
        t->name = pstr(C, d->name);
        t->rt.name = t->name;
        t->key_col = -1;
        size_t nf = 0;
        for (Node *f = d->list; f; f = f->next) nf++;
        Node **fields = arena_alloc(C->ar, (nf + 1) * sizeof(Node *));
        if (!fields) return;
        nf = 0;
        for (Node *f = d->list; f; f = f->next) {
            if (f->b) err(C, f->b, "a table column cannot be derived");
            fields[nf++] = f;
        }
        size_t errs = C->diags->errors;
        build_fields(C, &t->rt, fields, nf, 1, &t->key_prefix);
        t->key_col = t->rt.key_field;
        uint32_t k = C->p->ntables;
        if (C->diags->errors == errs) {
            load_table(C, d, t, &trs[k]);
            trs[k].loaded = !trs[k].bad_rows;
        }
        tdecl[k] = d;
        C->p->tables[k] = t;
        if (declare(C, d, SYM_TABLE, t)) {
            C->p->ntables++;
        } else {
            mem_free(C->alloc, trs[k].rows, trs[k].cap * t->rt.nfields * sizeof(Value));
            mem_free(C->alloc, trs[k].pos, trs[k].cappos * sizeof *trs[k].pos);
            memset(&trs[k], 0, sizeof trs[k]);
            trs[k].regexes = &regexes;
        }
    }
    /* extend table NAME from "file.csv": more rows for a table declared
     * anywhere in the library */
    for (size_t i = 0; i < C->ndecls; i++) {
        Node *d = C->decls[i];
        if (d->kind != N_TABLE || !d->op) continue;
        Sym *s = global(C, d->name);
        if (!s || s->kind != SYM_TABLE) {
            err(C, d, "'extend table %.*s': no such table", (int)d->name.len, d->name.ptr);
            continue;
        }
        uint32_t k = 0;
        while (k < C->p->ntables && C->p->tables[k] != s->ptr) k++;
        if (k < C->p->ntables && trs[k].loaded) load_table(C, d, s->ptr, &trs[k]);
    }
    for (uint32_t k = 0; k < C->p->ntables; k++)
        finish_table(C, tdecl[k], C->p->tables[k], &trs[k]);
    mem_free(C->alloc, trs, (n + 1) * sizeof(TableRows));
    mem_free(C->alloc, tdecl, (n + 1) * sizeof(Node *));
    strmap_free(&regexes);
}

static void pass_defines(Checker *C) {
    for (size_t i = 0; i < C->ndecls; i++) {
        Node *d = C->decls[i];
        if (d->kind == N_DEFINE) declare(C, d, SYM_DEFINE, d);
    }
}

/* ------------------------------------------------------------------ Lua */

/* A Lua signature's type: parameters may also be records (a schema's
 * name: claim, line, ...; a table's name: its rows) and lists. */
static Type lua_type(Checker *C, Node *tn, int is_result) {
    Sym *s = global(C, tn->name);
    int structured = tn->op || (s && (s->kind == SYM_RECORD || s->kind == SYM_TABLE));
    if (structured && is_result) {
        err(C, tn,
            "a Lua function returns bool, int, money, date, datetime, duration, code, text or an "
            "enum");
        return T_ERR;
    }
    if (!tn->op && s && s->kind == SYM_RECORD) {
        Type t = ty(TY_RECORD);
        t.rec = s->ptr;
        return t;
    }
    if (!tn->op && s && s->kind == SYM_TABLE) {
        Table *tb = s->ptr;
        Type t = ty(TY_RECORD);
        t.rec = &tb->rt;
        t.table = tb;
        return t;
    }
    return resolve_type(C, tn);
}

/* Reads the Lua modules and signatures, then loads the modules in a
 * sandboxed state to report syntax errors, errors while running them and
 * functions they do not define, at the declaration and in the Lua file. */
static void pass_lua(Checker *C) {
    Program *p = C->p;
    size_t nmod = 0, nfn = 0;
    for (size_t i = 0; i < C->ndecls; i++) {
        if (C->decls[i]->kind != N_LUA) continue;
        nmod++;
        for (Node *f = C->decls[i]->list; f; f = f->next) nfn++;
    }
    if (!nmod) return;
    p->lua_modules = arena_alloc(&p->ar, nmod * sizeof(LuaModule));
    p->lua_funcs = arena_alloc(&p->ar, (nfn ? nfn : 1) * sizeof(LuaFunc));
    C->lua_decls = arena_alloc(C->ar, nmod * sizeof(Node *));
    C->lua_files = arena_alloc(C->ar, nmod * sizeof(int32_t));
    C->lua_fn_nodes = arena_alloc(C->ar, (nfn ? nfn : 1) * sizeof(Node *));
    if (!p->lua_modules || !p->lua_funcs || !C->lua_decls || !C->lua_files || !C->lua_fn_nodes) {
        C->oom = 1;
        return;
    }
    size_t errs = C->diags->errors;
    for (size_t i = 0; i < C->ndecls; i++) {
        Node *d = C->decls[i];
        if (d->kind != N_LUA) continue;
        uint32_t m = p->nlua_modules;
        LuaModule *mod = &p->lua_modules[m];
        memset(mod, 0, sizeof *mod);
        const Source *rf = &C->src->items[d->file];
        if (d->op) { /* inline: pad with newlines so Lua's line numbers are the file's */
            uint32_t line, col;
            diag_line_col(rf, d->a->off, &line, &col);
            char *buf = arena_alloc(&p->ar, line + d->a->slen + 1);
            if (!buf) {
                C->oom = 1;
                return;
            }
            memset(buf, '\n', line - 1);
            memcpy(buf + line - 1, d->a->str, d->a->slen);
            buf[line - 1 + d->a->slen] = 0;
            mod->src = buf;
            mod->len = line - 1 + d->a->slen;
            mod->chunk = pcopy(C, rf->path);
            mod->name = "";
            C->lua_files[m] = d->file;
        } else {
            char path[4096], msg[512];
            relative_path(C, d->file, d->a->str, path, sizeof path);
            int idx = sources_add_file(C->src, path, msg, sizeof msg);
            if (idx < 0) {
                err(C, d->a, "cannot read Lua module \"%s\": %s", d->a->str, strerror(errno));
                continue;
            }
            if (source_to_utf8(C, idx, TC_UTF8, "")) continue; /* Lua files are UTF-8 */
            const Source *ls = &C->src->items[idx];
            mod->src = arena_strndup(&p->ar, ls->text, ls->len);
            mod->len = (uint32_t)ls->len;
            mod->chunk = pcopy(C, path);
            const char *base = strrchr(path, '/');
            base = base ? base + 1 : path;
            size_t bl = strlen(base);
            if (bl > 4 && strcmp(base + bl - 4, ".lua") == 0) bl -= 4;
            mod->name = arena_strndup(&p->ar, base, bl);
            if (!mod->src || !mod->name) C->oom = 1;
            C->lua_files[m] = idx;
        }
        C->lua_decls[m] = d;
        p->nlua_modules++;
        for (Node *f = d->list; f; f = f->next) {
            LuaFunc *fn = &p->lua_funcs[p->nlua_funcs];
            memset(fn, 0, sizeof *fn);
            fn->name = pstr(C, f->name);
            fn->module = m;
            for (uint32_t k = 0; k < p->nlua_funcs; k++)
                if (strcmp(p->lua_funcs[k].name, fn->name) == 0) {
                    err(C, f, "Lua function '%s' is declared twice", fn->name);
                    note(C, C->lua_fn_nodes[k], "first declared here");
                }
            for (Node *t = f->list; t; t = t->next) {
                if (fn->nparams == LUA_MAX_PARAMS) {
                    err(C, t, "a Lua function takes at most %d arguments", LUA_MAX_PARAMS);
                    break;
                }
                fn->params[fn->nparams++] = lua_type(C, t, 0);
            }
            fn->result = lua_type(C, f->a, 1);
            C->lua_fn_nodes[p->nlua_funcs++] = f;
        }
    }
    if (C->diags->errors != errs || C->oom) return;
    /* Load them all; after an error, load again without the module (or
     * function) at fault, so one run reports every such error. */
    Program tmp = *p;
    LuaModule *mods = arena_alloc(C->ar, p->nlua_modules * sizeof(LuaModule));
    LuaFunc *fns = arena_alloc(C->ar, (p->nlua_funcs + 1) * sizeof(LuaFunc));
    uint32_t *orig = arena_alloc(C->ar, (p->nlua_funcs + 1) * sizeof(uint32_t));
    if (!mods || !fns || !orig) {
        C->oom = 1;
        return;
    }
    memcpy(mods, p->lua_modules, p->nlua_modules * sizeof(LuaModule));
    memcpy(fns, p->lua_funcs, p->nlua_funcs * sizeof(LuaFunc));
    for (uint32_t k = 0; k < p->nlua_funcs; k++) orig[k] = k;
    tmp.lua_modules = mods;
    tmp.lua_funcs = fns;
    for (uint32_t tries = 0; tries <= p->nlua_modules + p->nlua_funcs; tries++) {
        LuaLoadError e;
        LuaLimits lim = {0, 0, 0};
        LuaRt *rt = luart_new(&tmp, C->alloc, lim, &e);
        if (rt) {
            luart_free(rt);
            return;
        }
        if (e.kind == LUA_LOAD_MISSING) {
            err(C, C->lua_fn_nodes[orig[e.func]], "%s", e.msg);
            note(C, C->lua_decls[e.module], "the Lua module is declared here");
            memmove(&fns[e.func], &fns[e.func + 1],
                    (tmp.nlua_funcs - e.func - 1) * sizeof(LuaFunc));
            memmove(&orig[e.func], &orig[e.func + 1],
                    (tmp.nlua_funcs - e.func - 1) * sizeof(uint32_t));
            tmp.nlua_funcs--;
            continue;
        }
        if (e.module < 0) {
            diag_add(C->diags, DIAG_ERROR, -1, 0, 0, "Lua: %s", e.msg);
            return;
        }
        Node *d = C->lua_decls[e.module];
        const char *what = e.kind == LUA_LOAD_SYNTAX  ? "syntax error in Lua"
                           : e.kind == LUA_LOAD_NOMEM ? "Lua module ran out of memory while loading"
                                                      : "Lua module failed while loading";
        err(C, d->op ? d : d->a, "%s: %s", what, e.msg);
        int32_t lf = C->lua_files[e.module];
        if (e.line > 0 && lf >= 0) {
            const Source *ls = &C->src->items[lf];
            /* the start of line e.line in the Lua file (or the rule file, inline) */
            uint32_t off = 0;
            for (int32_t l = 1; l < e.line && off < ls->len; off++)
                if (ls->text[off] == '\n') l++;
            while (off < ls->len && (ls->text[off] == ' ' || ls->text[off] == '\t')) off++;
            uint32_t end = off;
            while (end < ls->len && ls->text[end] != '\n') end++;
            diag_add(C->diags, DIAG_NOTE, lf, off, end > off ? end - off : 1, "Lua line %d",
                     (int)e.line);
        }
        /* that module is reported: load the others without it */
        mods[e.module].src = "";
        mods[e.module].len = 0;
        uint32_t w = 0;
        for (uint32_t k = 0; k < tmp.nlua_funcs; k++)
            if (fns[k].module != (uint32_t)e.module) fns[w] = fns[k], orig[w++] = orig[k];
        tmp.nlua_funcs = w;
    }
}

static Type check_lua_call(Checker *C, Node *n) {
    const Program *p = C->p;
    int32_t f = -1;
    for (uint32_t k = 0; k < p->nlua_funcs; k++)
        if (tok_eq(n->name, p->lua_funcs[k].name)) f = (int32_t)k;
    int nargs = 0;
    for (Node *a = n->list; a; a = a->next) nargs++;
    if (f < 0) {
        err(C, n,
            "no Lua function '%.*s' is declared (declare it: lua \"file.lua\" { %.*s(types) "
            "type })",
            (int)n->name.len, n->name.ptr, (int)n->name.len, n->name.ptr);
        for (Node *a = n->list; a; a = a->next) check_expr(C, a, NULL);
        return T_ERR;
    }
    if (C->in_derived) {
        err(C, n, "Lua functions may be called from rules, not from derived fields");
        return T_ERR;
    }
    const LuaFunc *fn = &p->lua_funcs[f];
    ix_use(C, "luafn", n->name.ptr, n->name.len, NULL, 0, n->file, n->name.off, n->name.len);
    if ((uint32_t)nargs != fn->nparams) {
        err(C, n, "lua.%s takes %u argument%s, not %d", fn->name, fn->nparams,
            fn->nparams == 1 ? "" : "s", nargs);
        for (Node *a = n->list; a; a = a->next) check_expr(C, a, NULL);
        return T_ERR;
    }
    int bad = 0, i = 0;
    for (Node *a = n->list; a; a = a->next, i++) {
        const Type *pt = &fn->params[i];
        Type t = check_expr(C, a, pt);
        if (t.kind == TY_ERROR || pt->kind == TY_ERROR) {
            bad = 1;
            continue;
        }
        int ok = same_type(t, *pt);
        if (ok && t.kind == TY_RECORD)
            ok = pt->table ? t.table == pt->table : (t.rec == pt->rec && !t.table);
        if (ok && t.kind == TY_LIST) ok = t.rec == pt->rec;
        if (!ok && type_is_string(t.kind) && type_is_string(pt->kind)) ok = 1;
        if (!ok && t.kind == TY_INT && pt->kind == TY_MONEY)
            ok = 1, convert(C, a, OP_TOMONEY, TY_MONEY);
        if (!ok && t.kind == TY_DATE && pt->kind == TY_DATETIME)
            ok = 1, convert(C, a, OP_TODT, TY_DATETIME);
        if (!ok) {
            char x[96], y[96];
            err(C, a, "argument %d of lua.%s is %s; the declaration says %s", i + 1, fn->name,
                type_name(t, x, sizeof x), type_name(*pt, y, sizeof y));
            bad = 1;
        }
    }
    n->slot = f;
    return bad ? T_ERR : fn->result;
}

/* ------------------------------------------------------------- derived */

/* A derived field's expression as written, runs of white space (and
 * comments) made one space: for the warning about input that sets it. */
static const char *formula_text(Checker *C, const Node *e) {
    const Source *src = &C->src->items[e->file];
    if (e->end <= e->off || e->end > src->len) return NULL;
    char *out = arena_alloc(&C->p->ar, e->end - e->off + 1);
    if (!out) return C->oom = 1, NULL;
    size_t k = 0;
    for (const char *q = src->text + e->off, *end = src->text + e->end; q < end; q++) {
        if (*q == '"') { /* a string, as it is */
            out[k++] = *q;
            while (q + 1 < end && q[1] != '"') {
                out[k++] = *++q;
                if (*q == '\\' && q + 1 < end) out[k++] = *++q;
            }
            if (q + 1 < end) out[k++] = *++q;
            continue;
        }
        if (*q == '#') {
            while (q + 1 < end && q[1] != '\n') q++;
            continue;
        }
        if (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') {
            if (k && out[k - 1] != ' ') out[k++] = ' ';
            continue;
        }
        out[k++] = *q;
    }
    while (k && out[k - 1] == ' ') k--;
    out[k] = 0;
    return out;
}

/* Checks derived fields; returns FIELD nodes in evaluation order. */
static void pass_derived(Checker *C) {
    Node *order[256];
    int32_t list_field[256];
    size_t n = 0;
    const RecordType *claim = C->p->claim;
    if (!claim) return;
    int32_t base = 0;
    C->next_slot = C->max_slot = 0;
    base = alloc_slots(C, 4); /* claim, loop var, list, index */
    /* records of claim lists first, then the claim */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t lf = 0; lf < (pass ? 1 : claim->nfields); lf++) {
            const RecordType *rt;
            int32_t slot;
            if (pass == 0) {
                if (claim->fields[lf].type.kind != TY_LIST) continue;
                rt = claim->fields[lf].type.rec;
                slot = base + 1;
            } else {
                rt = claim;
                slot = base;
            }
            Node *schema = NULL;
            for (size_t i = 0; i < C->ndecls; i++) {
                Node *d = C->decls[i];
                if (d->kind != N_SCHEMA || d->ref != rt) continue;
                for (Node *f = d->list; f; f = f->next) {
                    if (!f->b) continue;
                    schema = d;
                    int fi = record_field_index(rt, f->name.ptr, f->name.len);
                    if (fi < 0) continue;
                    Field *field = (Field *)&rt->fields[fi];
                    size_t mark = C->nscope;
                    Type it = ty(TY_RECORD);
                    it.rec = rt;
                    ScopeVar self = {{0}, SV_IMPLICIT, 1, slot, it, NULL};
                    ScopeVar cv = {
                        {"claim", 5, 0}, SV_VAR, 1, base, {TY_RECORD, 0, NULL, claim, NULL}, NULL};
                    push_var(C, cv);
                    push_var(C, self);
                    C->in_derived = 1;
                    Type t = check_expr(C, f->b, &field->type);
                    C->in_derived = 0;
                    C->nscope = mark;
                    if (t.kind == TY_ERROR) continue;
                    if (!same_type(t, field->type)) {
                        if (t.kind == TY_INT && field->type.kind == TY_MONEY)
                            convert(C, f->b, OP_TOMONEY, TY_MONEY);
                        else if (t.kind == TY_DATE && field->type.kind == TY_DATETIME)
                            convert(C, f->b, OP_TODT, TY_DATETIME);
                        else {
                            type_mismatch(C, f, "derived field", field->type, t);
                            continue;
                        }
                    }
                    if (n < 256) {
                        field->derived = (int32_t)n;
                        field->formula = formula_text(C, f->b);
                        f->slot = fi;
                        f->ref = (void *)rt;
                        list_field[n] = pass ? -1 : (int32_t)lf;
                        order[n++] = f;
                    }
                }
            }
            (void)schema;
        }
    }
    if (n) {
        C->p->has_prepare = 1;
        C->gen->prepare(C->gen->g, order, list_field, n, base);
        C->p->prepare_nlocals = (uint16_t)C->max_slot;
    }
}

/* ---------------------------------------------------------- input profiles */

/* The canonical text of literal v as a value of type t (a dict's value, a
 * default): an enum member's name, true/false, a number, date or string as
 * the readers take it.  NULL after an error; the word `missing` gives NULL
 * with *missing set (where allowed). */
static const char *input_value(Checker *C, Node *v, Type t, int *missing) {
    char buf[64], tn[64];
    *missing = 0;
    if (v->kind == N_NAME && tok_eq(v->name, "missing")) {
        *missing = 1;
        return NULL;
    }
    if (t.kind == TY_ENUM && (v->kind == N_NAME || v->kind == N_STRING)) {
        int k = v->kind == N_NAME ? scalar_enum_member(t.enm, v->name.ptr, v->name.len)
                                  : scalar_enum_index(t.enm, v->str, v->slen);
        if (k < 0) {
            char members[200];
            scalar_enum_spellings(t.enm, members, sizeof members);
            err(C, v, "'%.*s' is not one of %s",
                v->kind == N_NAME ? (int)v->name.len : (int)v->slen,
                v->kind == N_NAME ? v->name.ptr : v->str, members);
            return NULL;
        }
        return t.enm->members[k];
    }
    Value val = {.i = ARB_NULL};
    int ok = 0;
    switch (v->kind) {
    case N_BOOL: ok = t.kind == TY_BOOL, val.i = v->ival; break;
    case N_INT:
        ok = t.kind == TY_INT || t.kind == TY_MONEY;
        val.i = t.kind == TY_MONEY ? v->ival * 100 : v->ival;
        break;
    case N_MONEY: ok = t.kind == TY_MONEY, val.i = v->ival; break;
    case N_DATE:
        ok = t.kind == TY_DATE || t.kind == TY_DATETIME;
        val.i = t.kind == TY_DATETIME ? v->ival * SECS_PER_DAY : v->ival;
        break;
    case N_DATETIME: ok = t.kind == TY_DATETIME, val.i = v->ival; break;
    case N_STRING: {
        if (type_is_string(t.kind)) return pcopy(C, v->str);
        const char *why = scalar_parse(&t, v->str, v->slen, C->ar, &val);
        if (why) {
            err(C, v, "\"%s\" is %s", v->str, why);
            return NULL;
        }
        ok = 1;
        break;
    }
    default: break;
    }
    if (!ok) {
        err(C, v, "this value is not a %s", type_name(t, tn, sizeof tn));
        return NULL;
    }
    scalar_format(&t, val, 0, 0, buf, sizeof buf);
    return pcopy(C, buf);
}

static const char **input_strings(Checker *C, Node *list, uint32_t *n) {
    uint32_t k = 0;
    for (Node *s = list; s; s = s->next) k++;
    const char **v = arena_alloc(&C->p->ar, (k + 1) * sizeof(char *));
    if (!v) return C->oom = 1, NULL;
    *n = 0;
    for (Node *s = list; s; s = s->next) v[(*n)++] = pcopy(C, s->str);
    return v;
}

static void input_dict(Checker *C, Node *d, ProfDict *pd) {
    pd->name = pstr(C, d->name);
    Sym *s = global(C, d->a->name);
    Type t = T_ERR;
    if (s && s->kind == SYM_ENUM) {
        t = ty(TY_ENUM);
        t.enm = s->ptr;
    } else if (s && s->kind == SYM_SCALAR && s->scalar != TY_REGEX) {
        t = ty(s->scalar);
    } else {
        err(C, d->a, "unknown type '%.*s' (a dict gives values of an enum or a scalar type)",
            (int)d->a->name.len, d->a->name.ptr);
    }
    d->type = t;
    uint32_t n = 0;
    for (Node *e = d->list; e; e = e->next) n++;
    pd->from = arena_alloc(&C->p->ar, (n + 1) * sizeof(char *));
    pd->to = arena_alloc(&C->p->ar, (n + 1) * sizeof(char *));
    if (!pd->from || !pd->to) {
        C->oom = 1;
        return;
    }
    for (Node *e = d->list; e; e = e->next) {
        for (uint32_t k = 0; k < pd->n; k++)
            if (strcmp(pd->from[k], e->a->str) == 0) {
                err(C, e->a, "\"%s\" is in dict %s twice", e->a->str, pd->name);
                break;
            }
        int missing = 0;
        const char *to = t.kind == TY_ERROR ? NULL : input_value(C, e->b, t, &missing);
        if (!to && !missing) continue;
        pd->from[pd->n] = pcopy(C, e->a->str);
        pd->to[pd->n++] = to;
    }
}

/* Whether path runs through arrays only along the claims path (JSON). */
static int input_path_along(const char *path, const char *claims) {
    if (path[0] != '$') return strstr(path, "[]") == NULL;
    path += 2; /* "$." */
    const char *last = strstr(path, "[]");
    if (!last) return 1;
    const char *end = path;
    for (const char *q = path; (q = strstr(q, "[]")); q += 2) end = q + 2;
    /* everything up to the last [] must be a prefix of the claims path */
    size_t n = (size_t)(end - path);
    return strncmp(path, claims, n) == 0 && (claims[n] == 0 || claims[n] == '.');
}

static void input_record(Checker *C, Profile *pf, const Node *profile_node, Node *r,
                         ProfRecord *pr) {
    const RecordType *claim = C->p->claim;
    const RecordType *rt = claim;
    pr->list_field = -1;
    if (!tok_eq(r->name, "claim")) {
        int f = record_field_index(claim, r->name.ptr, r->name.len);
        if (f < 0 || claim->fields[f].type.kind != TY_LIST) {
            err(C, r,
                "'%.*s' is not a list of the claim (a profile maps 'claim { ... }' and the "
                "claim's lists: 'lines \"path[]\" { ... }')",
                (int)r->name.len, r->name.ptr);
            return;
        }
        pr->list_field = f;
        rt = claim->fields[f].type.rec;
        if (!r->a) {
            err(C, r, "where are the %.*s? write '%.*s \"path[]\" { ... }'", (int)r->name.len,
                r->name.ptr, (int)r->name.len, r->name.ptr);
            return;
        }
        pr->path = pcopy(C, r->a->str);
        if (pf->format == PROF_JSON &&
            (strcmp(pr->path, ".") != 0 && (prof_path_ok(pr->path) || pr->path[0] == '$')))
            err(C, r->a,
                "a list's path is relative to the claim's object: `name[]`, `a.b[]` or "
                "\".\" (the claim's object itself)");
        if (pf->format == PROF_CSV && strcmp(pr->path, "rows[]") != 0 && strcmp(pr->path, "."))
            err(C, r->a,
                "in a CSV profile a list is \"rows[]\" (a record per row of the claim) "
                "or \".\" (one record from the claim's first row)");
    } else if (r->a) {
        err(C, r->a, "the claim's records are where `claims` says; 'claim { ... }' takes no path");
    }
    uint32_t n = 0;
    for (Node *m = r->list; m; m = m->next) n++;
    pr->maps = arena_alloc(&C->p->ar, (n + 1) * sizeof(ProfMap));
    if (!pr->maps) {
        C->oom = 1;
        return;
    }
    for (Node *m = r->list; m; m = m->next) {
        int f = record_field_index(rt, m->name.ptr, m->name.len);
        if (f < 0) {
            err(C, m, "%s has no field '%.*s'", rt->name, (int)m->name.len, m->name.ptr);
            continue;
        }
        const Field *fd = &rt->fields[f];
        if (fd->derived >= 0) {
            err(C, m, "'%s' is a derived field (= %s): it is computed, never read", fd->name,
                fd->formula ? fd->formula : "...");
            continue;
        }
        if (fd->type.kind == TY_LIST) {
            err(C, m, "'%s' is a list: map it with its own block, '%s \"path[]\" { ... }'",
                fd->name, fd->name);
            continue;
        }
        int dup = 0;
        for (uint32_t k = 0; k < pr->nmaps; k++) dup |= pr->maps[k].field == (uint32_t)f;
        if (dup) {
            err(C, m, "'%s' is mapped twice", fd->name);
            continue;
        }
        ProfMap *pm = &pr->maps[pr->nmaps++];
        memset(pm, 0, sizeof *pm);
        pm->field = (uint32_t)f;
        pm->dict = -1;
        for (Node *o = m->list; o; o = o->next) {
            switch (o->op) {
            case POPT_PATH:
            case POPT_POSITION:
                if (pm->path || pm->position) {
                    err(C, o, "'%s' has two sources", fd->name);
                    break;
                }
                if (o->op == POPT_POSITION) {
                    pm->position = 1;
                    if (pr->list_field < 0)
                        err(C, o, "'position' is a record's place in its list: not for the claim");
                    else if (fd->type.kind != TY_INT)
                        err(C, o, "'position' is an int; '%s' is not", fd->name);
                    break;
                }
                pm->path = pcopy(C, o->a->str);
                if (pf->format == PROF_JSON &&
                    (prof_path_ok(pm->path) ||
                     !input_path_along(pm->path, pf->claims ? pf->claims : "")))
                    err(C, o->a,
                        "a field's path names one value: `name`, `a.b`, or `$.a.b` from "
                        "the root, through no arrays but those of `claims`");
                break;
            case POPT_DICT: {
                for (uint32_t k = 0; k < pf->ndicts; k++)
                    if (tok_eq(o->list->name, pf->dicts[k].name)) pm->dict = (int32_t)k;
                if (pm->dict < 0) {
                    err(C, o->list, "no dict '%.*s' in input %s", (int)o->list->name.len,
                        o->list->name.ptr, pf->name);
                    break;
                }
                for (Node *d = profile_node->list; d; d = d->next)
                    if (d->kind == N_DICT && tok_eq(d->name, pf->dicts[pm->dict].name) &&
                        d->type.kind != TY_ERROR && !same_type(d->type, fd->type)) {
                        char a[64], b[64];
                        err(C, o->list, "dict %s gives %s values; '%s' is %s",
                            pf->dicts[pm->dict].name, type_name(d->type, a, sizeof a), fd->name,
                            type_name(fd->type, b, sizeof b));
                    }
                break;
            }
            case POPT_FORMAT:
                if (fd->type.kind != TY_DATE && fd->type.kind != TY_DATETIME) {
                    err(C, o, "'format' is for dates and datetimes; '%s' is not one", fd->name);
                    break;
                }
                pm->formats = input_strings(C, o->list, &pm->nformats);
                for (Node *s = o->list; s; s = s->next)
                    if (!prof_pattern_ok(s->str))
                        err(C, s,
                            "not a date pattern: yyyy MM dd, optionally HH mm ss, and "
                            "literal characters (\"yyyy-MM-dd HH:mm:ss\")");
                break;
            case POPT_MISSING: pm->missing = input_strings(C, o->list, &pm->nmissing); break;
            case POPT_DEFAULT: {
                int missing = 0;
                pm->deflt = input_value(C, o->list, fd->type, &missing);
                if (missing) err(C, o->list, "a missing default is no default: leave it out");
                break;
            }
            }
        }
        if (!pm->path && !pm->position && !pm->deflt)
            err(C, m, "where does '%s' come from? give a path, 'position' or a 'default'",
                fd->name);
    }
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        if (!fd->required || fd->derived >= 0) continue;
        int mapped = 0;
        for (uint32_t k = 0; k < pr->nmaps; k++) mapped |= pr->maps[k].field == f;
        if (!mapped)
            err(C, r, "input %s does not map '%s', which %s requires", pf->name, fd->name,
                rt->name);
    }
}

static void pass_inputs(Checker *C) {
    uint32_t n = 0;
    for (size_t i = 0; i < C->ndecls; i++) n += C->decls[i]->kind == N_INPUT;
    C->p->profiles = arena_alloc(&C->p->ar, (n + 1) * sizeof(Profile));
    if (!C->p->profiles) {
        C->oom = 1;
        return;
    }
    if (n && !C->p->claim) {
        err(C, C->decls[0], "an input profile needs the claim schema");
        return;
    }
    for (size_t i = 0; i < C->ndecls; i++) {
        Node *d = C->decls[i];
        if (d->kind != N_INPUT) continue;
        int dup = 0;
        for (uint32_t k = 0; k < C->p->nprofiles && !dup; k++)
            dup = tok_eq(d->name, C->p->profiles[k].name);
        if (dup) {
            err(C, d, "input '%.*s' is declared twice", (int)d->name.len, d->name.ptr);
            continue;
        }
        Profile *pf = &C->p->profiles[C->p->nprofiles++];
        memset(pf, 0, sizeof *pf);
        pf->name = pstr(C, d->name);
        pf->title = d->a ? pcopy(C, d->a->str) : "";
        pf->format = PROF_JSON;
        uint32_t nd = 0, nr = 0;
        for (Node *it = d->list; it; it = it->next) {
            nd += it->kind == N_DICT;
            nr += it->kind == N_PRECORD;
        }
        pf->dicts = arena_alloc(&C->p->ar, (nd + 1) * sizeof(ProfDict));
        pf->records = arena_alloc(&C->p->ar, (nr + 1) * sizeof(ProfRecord));
        if (!pf->dicts || !pf->records) {
            C->oom = 1;
            return;
        }
        for (Node *it = d->list; it; it = it->next) {
            if (it->kind != N_PSET) continue;
            if (it->a) { /* format WORD */
                if (tok_eq(it->a->name, "json"))
                    pf->format = PROF_JSON;
                else if (tok_eq(it->a->name, "csv"))
                    pf->format = PROF_CSV;
                else
                    err(C, it->a, "format is json or csv");
            } else if (tok_eq(it->name, "claims") || tok_eq(it->name, "group")) {
                if (pf->claims) err(C, it, "where the claims are is said twice");
                if (it->list->next) err(C, it->list->next, "one path only");
                pf->claims = pcopy(C, it->list->str);
            } else if (tok_eq(it->name, "ignore")) { /* several add up */
                uint32_t n2 = 0;
                const char **more = input_strings(C, it->list, &n2);
                const char **all = arena_alloc(&C->p->ar, (pf->nignore + n2 + 1) * sizeof(char *));
                if (!more || !all) {
                    C->oom = 1;
                    return;
                }
                if (pf->nignore) memcpy(all, pf->ignore, pf->nignore * sizeof(char *));
                memcpy(all + pf->nignore, more, n2 * sizeof(char *));
                pf->ignore = all;
                pf->nignore += n2;
            } else {
                err(C, it,
                    "unknown setting '%.*s' (format, claims, group, ignore, dict, claim, "
                    "or a list of the claim)",
                    (int)it->name.len, it->name.ptr);
            }
        }
        if (pf->format == PROF_JSON && !pf->claims)
            err(C, d, "input %s: where are the claims? add 'claims \"path[]\"'", pf->name);
        else if (pf->format == PROF_CSV && !pf->claims)
            err(C, d, "input %s: which column groups rows into claims? add 'group \"column\"'",
                pf->name);
        else if (pf->format == PROF_JSON && prof_path_ok(pf->claims))
            err(C, d, "input %s: the claims path is not a path (`a.b[].c[]`)", pf->name);
        if (pf->claims && pf->claims[0] == '$')
            err(C, d, "the claims path starts at the root: leave out '$.'");
        for (Node *it = d->list; it; it = it->next)
            if (it->kind == N_DICT) {
                for (uint32_t k = 0; k < pf->ndicts; k++)
                    if (tok_eq(it->name, pf->dicts[k].name))
                        err(C, it, "dict '%s' is declared twice", pf->dicts[k].name);
                input_dict(C, it, &pf->dicts[pf->ndicts++]);
            }
        int has_claim = 0;
        for (Node *it = d->list; it; it = it->next) {
            if (it->kind != N_PRECORD) continue;
            int is_claim = tok_eq(it->name, "claim");
            if (is_claim && has_claim) err(C, it, "'claim { ... }' is given twice");
            for (uint32_t k = 0; k < pf->nrecords && !is_claim; k++)
                if (pf->records[k].list_field >= 0 &&
                    tok_eq(it->name, C->p->claim->fields[pf->records[k].list_field].name))
                    err(C, it, "'%.*s' is mapped twice", (int)it->name.len, it->name.ptr);
            ProfRecord pr;
            memset(&pr, 0, sizeof pr);
            input_record(C, pf, d, it, &pr);
            if (is_claim) { /* the claim comes first */
                has_claim = 1;
                memmove(pf->records + 1, pf->records, pf->nrecords * sizeof(ProfRecord));
                pf->records[0] = pr;
                pf->nrecords++;
            } else {
                pf->records[pf->nrecords++] = pr;
            }
        }
        if (!has_claim) err(C, d, "input %s has no 'claim { ... }'", pf->name);
    }
}

/* ------------------------------------------------------------------ rules */

/* Splits a message string into literal text and {expr} parts, parses and
 * checks each expression, and registers the template. */
static int check_template(Checker *C, Node *msg, Node **exprs_out) {
    const char *raw = msg->name.ptr + 1;
    uint32_t rawlen = msg->name.len >= 2 ? msg->name.len - 2 : 0;
    uint32_t base = msg->name.off + 1;
    TemplatePart parts[64];
    uint32_t np = 0;
    NodeList exprs = {NULL, NULL};
    char *lit = arena_alloc(&C->p->ar, rawlen + 1);
    if (!lit) return C->oom = 1, -1;
    uint32_t litlen = 0, litstart = 0;
    int ok = 1;
    for (uint32_t i = 0; i <= rawlen; i++) {
        int at_end = i == rawlen;
        if (!at_end && raw[i] == '\\' && i + 1 < rawlen) {
            char e = raw[++i];
            lit[litlen++] = e == 'n' ? '\n' : e == 't' ? '\t' : e;
            continue;
        }
        if (!at_end && raw[i] != '{') {
            lit[litlen++] = raw[i];
            continue;
        }
        if (litlen > litstart && np < 64) {
            parts[np].text = lit + litstart;
            parts[np].len = litlen - litstart;
            parts[np].type = ty(TY_TEXT);
            np++;
        }
        litstart = litlen;
        if (at_end) break;
        uint32_t j = i + 1;
        while (j < rawlen && raw[j] != '}') j++;
        if (j >= rawlen) {
            diag_add(C->diags, DIAG_ERROR, msg->file, base + i, 1,
                     "'{' without a closing '}' in message (write \\{ for a brace)");
            ok = 0;
            break;
        }
        ParseCtx pc;
        memset(&pc, 0, sizeof pc);
        pc.ar = C->ar;
        pc.diags = C->diags;
        pc.file = msg->file;
        pc.expr_parser = C->expr_parser;
        Node *e = parse_expr(&pc, raw + i + 1, j - i - 1, base + i + 1);
        C->expr_parser = pc.expr_parser;
        if (!e) {
            if (j == i + 1)
                diag_add(C->diags, DIAG_ERROR, msg->file, base + i, 2, "empty {} in message");
            ok = 0;
        } else {
            Type t = check_expr(C, e, NULL);
            if (t.kind == TY_ERROR)
                ok = 0;
            else if (!type_is_int64(t.kind) && !type_is_string(t.kind)) {
                char x[96];
                err(C, e, "a message can show scalar values, not %s", type_name(t, x, sizeof x));
                ok = 0;
            } else if (np < 64) {
                parts[np].text = NULL;
                parts[np].len = 0;
                parts[np].type = t;
                np++;
                exprs = ast_append(exprs, e);
            }
        }
        i = j;
    }
    if (np >= 64) {
        err(C, msg, "a message has at most 64 parts");
        ok = 0;
    }
    if (!ok) return -1;
    Template t;
    t.nparts = np;
    t.parts = arena_alloc(&C->p->ar, (np ? np : 1) * sizeof(TemplatePart));
    if (!t.parts) return C->oom = 1, -1;
    memcpy(t.parts, parts, np * sizeof(TemplatePart));
    *exprs_out = exprs.head;
    return C->gen->template_(C->gen->g, t);
}

/* Checks a FLAG clause: target, amount, message. */
static int check_flag(Checker *C, Node *fl) {
    Node *target = fl->a;
    ScopeVar *v = lookup_var(C, target->name);
    int ok = 1;
    if (!v || v->kind != SV_VAR || v->type.kind != TY_RECORD || v->type.table) {
        err(C, target, "'flag' names the claim or a 'for' variable, not '%.*s'",
            (int)target->name.len, target->name.ptr);
        return 0;
    }
    if (v->slot != 0 && v->type.rec == C->p->claim) {
        err(C, target,
            "'%.*s' is another claim (from history): findings are raised on this "
            "claim or its records; write 'flag claim'",
            (int)target->name.len, target->name.ptr);
        return 0;
    }
    if (C->ix) {
        char key[64];
        if (v->global)
            snprintf(key, sizeof key, "schema:claim");
        else
            ix_var_key(key, sizeof key, target->file, v->name);
        symindex_use(C->ix, key, target->file, target->name.off, target->name.len);
    }
    target->res = RES_VAR;
    target->slot = v->slot;
    target->type = v->type;
    fl->slot = v->slot == 0 ? -1 : v->slot;
    fl->res = (uint8_t)(v->slot == 0);
    fl->ref = (void *)v->type.rec;
    if (fl->b) {
        Type t = check_expr(C, fl->b, NULL);
        if (t.kind == TY_INT) convert(C, fl->b, OP_TOMONEY, TY_MONEY), t = ty(TY_MONEY);
        if (t.kind != TY_ERROR && t.kind != TY_MONEY) {
            char x[96];
            err(C, fl->b, "the amount of a finding is money, not %s", type_name(t, x, sizeof x));
            ok = 0;
        }
        if (t.kind == TY_ERROR) ok = 0;
    } else if (v->type.rec->at_risk_field >= 0) {
        /* the default amount: the target's at_risk field */
        Node *fr = arena_alloc(C->ar, sizeof(Node));
        if (!fr) return C->oom = 1, 0;
        *fr = *target;
        fr->kind = N_FIELDREF;
        fr->a = target;
        fr->slot = v->type.rec->at_risk_field;
        fr->type = ty(TY_MONEY);
        fl->b = fr;
    }
    fl->ival = -1;
    if (fl->c) {
        Node *exprs = NULL;
        int ti = check_template(C, fl->c, &exprs);
        if (ti < 0) ok = 0;
        fl->ival = ti;
        fl->d = exprs;
    }
    return ok;
}

/* ------------------------------------------------------------ indexing */

/* The field n reads from the record in local `var`, or -1. */
static int32_t var_field(Node *n, int32_t var) {
    n = unwrap(n);
    if (!n || n->kind != N_FIELDREF || !type_is_string(n->type.kind)) return -1;
    Node *o = unwrap(n->a);
    return o->kind == N_NAME && o->res == RES_VAR && o->slot == var ? n->slot : -1;
}

static int index_group(Checker *C, int32_t list_field, int32_t field) {
    for (int i = 0; i < C->nigroups; i++)
        if (C->igroups[i][0] == list_field && C->igroups[i][1] == field) return i;
    if (C->nigroups == 16) return -1;
    C->igroups[C->nigroups][0] = list_field;
    C->igroups[C->nigroups][1] = field;
    return C->nigroups++;
}

static void add_key(Checker *C, int group, const ArbStr *key, uint32_t rule) {
    if (!key) return;
    if (mem_grow(C->alloc, (void **)&C->ientries, sizeof(IndexEntry), &C->capientries,
                 C->nientries + 1)) {
        C->oom = 1;
        return;
    }
    IndexEntry *e = &C->ientries[C->nientries++];
    e->group = group;
    e->key = key;
    e->rule = rule;
}

static void add_table_keys(Checker *C, int group, const Table *t, uint32_t rule) {
    for (uint32_t i = 0; i < t->nrows; i++) {
        const ArbStr *k = table_row(t, i)[t->key_col].s;
        if (k && t->key_prefix && !(k->len && k->data[k->len - 1] == '%')) {
            /* a bare key of a `key prefix` column: listed in the index as the prefix it is */
            char *pct = arena_alloc(&C->p->ar, (size_t)k->len + 1);
            if (!pct) {
                C->oom = 1;
                return;
            }
            memcpy(pct, k->data, k->len);
            pct[k->len] = '%';
            k = str_new(&C->p->ar, pct, k->len + 1);
            if (!k) C->oom = 1;
        }
        add_key(C, group, k, rule);
    }
}

static const ArbStr *key_str(Checker *C, Node *str) {
    const ArbStr *k = str_new(&C->p->ar, str->str, str->slen);
    if (!k) C->oom = 1;
    return k;
}

/* Finds a conjunct of `when` that pins `var.field` to constants or table
 * keys: `x.f == "C"`, `x.f in {...}`, `x.f in TABLE`.  Adds the keys and
 * returns their group, or -1 when there is no such conjunct.  The group
 * may get no key from the rule (a table with no rows): the rule can never
 * fire then, and being listed under no key it never runs. */
static int index_conjunct(Checker *C, Node *e, int32_t var, int32_t list_field, uint32_t rule,
                          Node **hit) {
    e = unwrap(e);
    if (e->kind != N_BINARY) return -1;
    if (e->op == OP_AND) {
        int g = index_conjunct(C, e->a, var, list_field, rule, hit);
        return g >= 0 ? g : index_conjunct(C, e->b, var, list_field, rule, hit);
    }
    *hit = e;
    int32_t f = var_field(e->a, var);
    Node *other = unwrap(e->b);
    if (f < 0 && e->op == OP_EQ) {
        f = var_field(e->b, var);
        other = unwrap(e->a);
    }
    if (f < 0) return -1;
    int g;
    if (e->op == OP_EQ && other->kind == N_STRING) {
        if ((g = index_group(C, list_field, f)) < 0) return -1;
        add_key(C, g, key_str(C, other), rule);
        return g;
    }
    if (e->op == OP_IN && other->kind == N_SET && type_is_string(other->type.elem)) {
        if ((g = index_group(C, list_field, f)) < 0) return -1;
        for (Node *m = other->list; m; m = m->next) add_key(C, g, key_str(C, unwrap(m)), rule);
        return g;
    }
    if (e->op == OP_IN && other->res == RES_TABLE) {
        if ((g = index_group(C, list_field, f)) < 0) return -1;
        add_table_keys(C, g, other->ref, rule);
        return g;
    }
    return -1;
}

/* Moves conjunct `hit` of the `and` chain e to its front (when it is one
 * of e's own conjuncts, not inside a define): the run with the index, which
 * skips the records the conjunct rules out, and the run without it then
 * evaluate the same conjuncts on the same records — a failure (Lua, or
 * arithmetic) can only come from records both runs look at. */
static Node *hoist_conjunct(Checker *C, Node *e, Node *hit) {
    Node *parts[64];
    int n = 0, at = -1;
    Node *tmpl = NULL;
    /* the chain's conjuncts, left to right */
    Node *stack[64];
    int sp = 0;
    stack[sp++] = e;
    while (sp) {
        Node *x = stack[--sp];
        if (x->kind == N_BINARY && x->op == OP_AND && x->res != RES_INLINE && sp < 62) {
            tmpl = x;
            stack[sp++] = x->b;
            stack[sp++] = x->a;
            continue;
        }
        if (n == 64) return e;
        if (unwrap(x) == hit) at = n;
        parts[n++] = x;
    }
    if (at <= 0 || !tmpl) return e; /* first already, or not at this level */
    Node *first = parts[at];
    for (int k = at; k > 0; k--) parts[k] = parts[k - 1];
    parts[0] = first;
    Node *acc = parts[n - 1];
    for (int k = n - 2; k >= 0; k--) { /* right-nested, as the parser builds it */
        Node *a = arena_alloc(C->ar, sizeof(Node));
        if (!a) return e;
        *a = *tmpl;
        a->a = parts[k];
        a->b = acc;
        acc = a;
    }
    return acc;
}

/* Whether the index lists a rule under exactly the records for which the
 * conjunct `hit` (found by index_conjunct) holds: membership in a set or a
 * table is tested with the index's own rules (exact keys, and prefix keys
 * ending in '%'), and so is equality with a string that does not end in
 * '%' (the index takes "X%" as a prefix, `==` does not). */
static int index_decides(Node *hit) {
    if (hit->op == OP_IN) return 1;
    Node *s = unwrap(hit->b)->kind == N_STRING ? unwrap(hit->b) : unwrap(hit->a);
    return s->kind == N_STRING && !(s->slen && s->str[s->slen - 1] == '%');
}

/* Decides whether a rule can be indexed: its first binder is `for x in
 * claim.LIST` and either the next binder matches a table on x.FIELD or a
 * conjunct of `when` pins x.FIELD.  Returns the group, sets *slot to x and
 * *decided to the conjunct when the index decides it (index_decides): the
 * code for one record leaves it out (the index ran it), NULL otherwise. */
static int index_rule(Checker *C, Node *clauses, uint32_t rule, int32_t *slot, Node **decided) {
    *decided = NULL;
    Node *first = NULL, *second = NULL, *when = NULL;
    for (Node *cl = clauses; cl; cl = cl->next) {
        if (cl->kind == N_FOR || cl->kind == N_MATCH) {
            if (!first)
                first = cl;
            else if (!second)
                second = cl;
        }
        if (cl->kind == N_WHEN) when = cl;
    }
    if (!first || first->kind != N_FOR) return -1;
    Node *coll = unwrap(first->a);
    if (coll->kind != N_FIELDREF) return -1;
    Node *obj = unwrap(coll->a);
    if (obj->kind != N_NAME || obj->res != RES_VAR || obj->slot != 0) return -1;
    int32_t list_field = coll->slot, var = first->slot;
    int32_t f;
    if (second && second->kind == N_MATCH && (f = var_field(second->b, var)) >= 0) {
        int g = index_group(C, list_field, f);
        if (g < 0) return -1;
        add_table_keys(C, g, second->a->ref, rule);
        *slot = var;
        return g;
    }
    Node *hit = NULL;
    int g = when ? index_conjunct(C, when->a, var, list_field, rule, &hit) : -1;
    if (g >= 0) {
        *slot = var;
        if (hit) when->a = hoist_conjunct(C, when->a, hit);
        if (hit && index_decides(hit)) *decided = hit;
    }
    return g;
}

/* Builds the RuleIndex tables from the collected keys.  A group whose keys
 * cannot be indexed (too many prefix lengths) leaves its rules scanning. */
static void build_indexes(Checker *C) {
    Program *p = C->p;
    p->indexes = arena_alloc(&p->ar, (size_t)(C->nigroups + 1) * sizeof(RuleIndex));
    if (!p->indexes) return;
    Field *cols = arena_alloc(&p->ar, 2 * sizeof(Field));
    if (!cols) {
        C->oom = 1;
        return;
    }
    cols[0] = (Field){"key", 3, {TY_CODE, 0, NULL, NULL, NULL}, 1, 1, 0, 0, -1, 0, NULL};
    cols[1] = (Field){"rule", 4, {TY_INT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL};
    for (int g = 0; g < C->nigroups; g++) {
        size_t n = 0;
        for (size_t i = 0; i < C->nientries; i++) n += C->ientries[i].group == g;
        Table *t = arena_alloc(&p->ar, sizeof(Table));
        Value *rows = arena_alloc(&p->ar, (n + 1) * 2 * sizeof(Value));
        if (!t || !rows) {
            C->oom = 1;
            return;
        }
        t->name = "rule index";
        t->rt.name = t->name;
        t->rt.nfields = 2;
        t->rt.fields = cols;
        t->rt.key_field = t->key_col = 0;
        t->rt.at_risk_field = t->rt.as_of_field = -1;
        t->rows = rows;
        for (size_t i = 0; i < C->nientries; i++) {
            if (C->ientries[i].group != g) continue;
            rows[2 * t->nrows].s = C->ientries[i].key;
            rows[2 * t->nrows + 1].i = C->ientries[i].rule;
            t->nrows++;
        }
        int32_t gi = (int32_t)p->nindexes;
        if (table_build_index(t, &p->ar) != 0) {
            for (uint32_t r = 0; r < p->nrules; r++)
                if (p->rules[r].index == g) p->rules[r].index = -1;
            continue;
        }
        for (uint32_t r = 0; r < p->nrules; r++)
            if (p->rules[r].index == g) p->rules[r].index = gi;
        p->indexes[p->nindexes].list_field = C->igroups[g][0];
        p->indexes[p->nindexes].field = C->igroups[g][1];
        p->indexes[p->nindexes].keys = t;
        p->nindexes++;
    }
}

/* ------------------------------------------------- symbol index: declarations */

/* A field's or column's hover line: "line.item_code: code required". */
static void ix_field_detail(const char *owner, const Field *f, char *out, size_t cap) {
    char x[96];
    int k = snprintf(out, cap, "%s.%.*s: %s", owner, (int)f->name_len, f->name,
                     type_name(f->type, x, sizeof x));
    if (k < 0 || (size_t)k >= cap) return;
    const char *attrs[] = {f->key ? " key" : "", f->required ? " required" : "",
                           f->at_risk ? " at_risk" : "", f->as_of ? " as_of" : ""};
    for (size_t i = 0; i < 4 && (size_t)k < cap; i++)
        k += snprintf(out + k, cap - (size_t)k, "%s", attrs[i]);
    if (f->formula && (size_t)k < cap) snprintf(out + k, cap - (size_t)k, " = %s", f->formula);
}

/* The source index of a path a table or Lua module was read from, -1. */
static int32_t ix_source_of(Checker *C, const char *path) {
    for (size_t i = 0; path && i < C->src->n; i++)
        if (C->src->items[i].path == path || strcmp(C->src->items[i].path, path) == 0)
            return (int32_t)i;
    return -1;
}

static int32_t ix_def(Checker *C, int kind, const char *key, const char *name, const char *detail,
                      const Node *at, Token t, int32_t parent) {
    return symindex_def(C->ix, kind, key, name, detail, at->file, t.off, t.len, at->off, at->end,
                        parent);
}

/* Declares every named thing of the library but rules and variables (those
 * are declared as they are checked), and records the uses outside rules
 * and expressions: extend schema/table, expect flag RULE. */
static void ix_defs(Checker *C) {
    char key[512], name[256], detail[2048];
    for (size_t i = 0; i < C->ndecls && !C->ix->oom; i++) {
        Node *d = C->decls[i];
        Sym *s = d->kind == N_RULE || d->kind == N_TEST ? NULL : global(C, d->name);
        snprintf(name, sizeof name, "%.*s", (int)d->name.len, d->name.ptr);
        switch (d->kind) {
        case N_REPORT: /* the report configuration: one per file at most */
            snprintf(key, sizeof key, "report:%d:%u", (int)d->file, (unsigned)d->off);
            ix_def(C, SK_REPORT, key, "report", "report configuration: worklists, ledger, grade", d,
                   d->name, -1);
            break;
        case N_ENUM: {
            if (!s || s->kind != SYM_ENUM || s->decl != d) break;
            const EnumType *e = s->ptr;
            int k = snprintf(detail, sizeof detail, "enum %s:", e->name);
            for (uint32_t m = 0; m < e->n && k > 0 && (size_t)k < sizeof detail; m++)
                k += snprintf(detail + k, sizeof detail - (size_t)k, "%s %s \"%s\"", m ? "," : "",
                              e->members[m], e->labels[m]);
            snprintf(key, sizeof key, "enum:%s", name);
            int32_t ed = ix_def(C, SK_ENUM, key, name, detail, d, d->name, -1);
            for (Node *m = d->list; m; m = m->next) {
                int mi = scalar_enum_member(e, m->name.ptr, m->name.len);
                if (mi < 0) continue;
                k = snprintf(detail, sizeof detail, "%s.%s \"%s\"", e->name, e->members[mi],
                             e->labels[mi]);
                const char *sep = " codes ";
                for (uint32_t c = 0; c < e->ncodes && k > 0 && (size_t)k < sizeof detail; c++)
                    if (e->code_member[c] == (uint32_t)mi) {
                        k += snprintf(detail + k, sizeof detail - (size_t)k, "%s\"%s\"", sep,
                                      e->codes[c]);
                        sep = ", ";
                    }
                snprintf(key, sizeof key, "member:%s.%s", e->name, e->members[mi]);
                ix_def(C, SK_MEMBER, key, e->members[mi], detail, m, m->name, ed);
            }
            break;
        }
        case N_SCHEMA: {
            Sym *rs = global(C, d->name);
            if (!rs || rs->kind != SYM_RECORD) break;
            const RecordType *rt = rs->ptr;
            snprintf(key, sizeof key, "schema:%s", name);
            if (d->op) /* extend schema NAME */
                symindex_use(C->ix, key, d->file, d->name.off, d->name.len);
            snprintf(detail, sizeof detail, "schema %s (%u fields)", rt->name, rt->nfields);
            int32_t sd = d->op ? symindex_find(C->ix, key)
                               : ix_def(C, SK_SCHEMA, key, name, detail, d, d->name, -1);
            for (Node *f = d->list; f; f = f->next) {
                int fi = record_field_index(rt, f->name.ptr, f->name.len);
                if (fi < 0 || rt->fields[fi].decl_off != f->off) continue;
                ix_field_detail(rt->name, &rt->fields[fi], detail, sizeof detail);
                snprintf(key, sizeof key, "field:%s.%.*s", rt->name, (int)f->name.len, f->name.ptr);
                snprintf(name, sizeof name, "%.*s", (int)f->name.len, f->name.ptr);
                int32_t fd = ix_def(C, SK_FIELD, key, name, detail, f, f->name, sd);
                if (fd >= 0 && rt->fields[fi].type.kind == TY_LIST && rt->fields[fi].type.rec)
                    C->ix->defs[fd].type_rec = symindex_str(C->ix, rt->fields[fi].type.rec->name,
                                                            strlen(rt->fields[fi].type.rec->name));
            }
            break;
        }
        case N_CATEGORY: {
            if (!s || s->kind != SYM_CATEGORY || s->decl != d) break;
            const Category *c = &C->p->cats[s->index];
            snprintf(detail, sizeof detail,
                     "category %s \"%s\": code %s, tier %s, severity %s, nature %s, points %d",
                     c->name, c->title, c->code[0] ? c->code : "(none)", tier_names[c->tier],
                     severity_names[c->severity], nature_names[c->nature], (int)c->points);
            snprintf(key, sizeof key, "category:%s", name);
            ix_def(C, SK_CATEGORY, key, name, detail, d, d->name, -1);
            break;
        }
        case N_TABLE: {
            snprintf(key, sizeof key, "table:%s", name);
            if (d->op) { /* extend table NAME from "file.csv" */
                symindex_use(C->ix, key, d->file, d->name.off, d->name.len);
                break;
            }
            if (!s || s->kind != SYM_TABLE || s->decl != d) break;
            const Table *t = s->ptr;
            int k = snprintf(detail, sizeof detail, "table %s from \"%s\" (%u rows):", t->name,
                             d->a ? d->a->str : "", t->nrows);
            for (uint32_t c = 0; c < t->rt.nfields && k > 0 && (size_t)k < sizeof detail; c++) {
                char x[96];
                k += snprintf(detail + k, sizeof detail - (size_t)k, "%s %s %s%s", c ? "," : "",
                              t->rt.fields[c].name, type_name(t->rt.fields[c].type, x, sizeof x),
                              t->rt.fields[c].key ? " key" : "");
            }
            int32_t td = ix_def(C, SK_TABLE, key, name, detail, d, d->name, -1);
            if (td >= 0) C->ix->defs[td].aux_file = ix_source_of(C, t->path);
            for (Node *f = d->list; f; f = f->next) {
                int fi = record_field_index(&t->rt, f->name.ptr, f->name.len);
                if (fi < 0) continue;
                ix_field_detail(t->name, &t->rt.fields[fi], detail, sizeof detail);
                snprintf(key, sizeof key, "column:%s.%.*s", t->name, (int)f->name.len, f->name.ptr);
                snprintf(name, sizeof name, "%.*s", (int)f->name.len, f->name.ptr);
                ix_def(C, SK_COLUMN, key, name, detail, f, f->name, td);
            }
            break;
        }
        case N_DEFINE: {
            if (!s || s->kind != SYM_DEFINE || s->decl != d) break;
            int k = snprintf(detail, sizeof detail, "define %s", name);
            if (d->list && k > 0 && (size_t)k < sizeof detail) {
                for (Node *p = d->list; p && (size_t)k < sizeof detail; p = p->next)
                    k += snprintf(detail + k, sizeof detail - (size_t)k, "%s%.*s",
                                  p == d->list ? "(" : ", ", (int)p->name.len, p->name.ptr);
                if ((size_t)k < sizeof detail) snprintf(detail + k, sizeof detail - (size_t)k, ")");
            }
            snprintf(key, sizeof key, "define:%s", name);
            ix_def(C, SK_DEFINE, key, name, detail, d, d->name, -1);
            break;
        }
        case N_TEST:
            for (Node *it = d->list; it; it = it->next)
                if (it->kind == N_EXPECT)
                    ix_use(C, "rule", it->name.ptr, it->name.len, NULL, 0, it->file, it->name.off,
                           it->name.len);
            break;
        default: break;
        }
    }
    const Program *p = C->p;
    for (uint32_t k = 0; k < p->nlua_funcs && C->lua_fn_nodes; k++) {
        const LuaFunc *fn = &p->lua_funcs[k];
        const Node *f = C->lua_fn_nodes[k];
        char x[96];
        int n = snprintf(detail, sizeof detail, "lua.%s(", fn->name);
        for (uint32_t a = 0; a < fn->nparams && n > 0 && (size_t)n < sizeof detail; a++)
            n += snprintf(detail + n, sizeof detail - (size_t)n, "%s%s", a ? ", " : "",
                          type_name(fn->params[a], x, sizeof x));
        if (n > 0 && (size_t)n < sizeof detail)
            snprintf(detail + n, sizeof detail - (size_t)n, ") %s",
                     type_name(fn->result, x, sizeof x));
        snprintf(key, sizeof key, "luafn:%s", fn->name);
        int32_t ld = ix_def(C, SK_LUAFN, key, fn->name, detail, f, f->name, -1);
        if (ld >= 0 && C->lua_files && fn->module < p->nlua_modules &&
            C->lua_files[fn->module] != f->file)
            C->ix->defs[ld].aux_file = C->lua_files[fn->module];
    }
}

/* Declares a rule as it is checked and records its category's use. */
static void ix_rule(Checker *C, const Node *d, const Node *stub, const Rule *r) {
    if (!C->ix) return;
    char key[512], detail[1024];
    snprintf(key, sizeof key, "rule:%s", r->id);
    snprintf(detail, sizeof detail, "rule %s \"%s\" in %.*s", r->id, r->title, (int)d->b->name.len,
             d->b->name.ptr);
    symindex_def(C->ix, SK_RULE, key, r->id, detail, d->file, d->name.off, d->name.len, stub->off,
                 stub->end, -1);
    ix_use(C, "category", d->b->name.ptr, d->b->name.len, NULL, 0, d->b->file, d->b->name.off,
           d->b->name.len);
}

static void check_rule(Checker *C, Node *d, Node *stub);

/* Parses a rule again from its stub, checks and compiles it, then frees its
 * syntax tree: a library's rules are never all in memory as trees. */
static void check_rule_stub(Checker *C, Node *stub) {
    ArenaMark m = arena_mark(C->ar);
    const Source *src = &C->src->items[stub->file];
    /* the first parse reported the rule's lexical and literal errors already */
    DiagList again;
    diag_init(&again, C->alloc);
    ParseCtx pc;
    memset(&pc, 0, sizeof pc);
    pc.ar = C->ar;
    pc.diags = &again;
    pc.file = stub->file;
    pc.src = src->text;
    char *text = arena_strndup(C->ar, src->text + stub->off, stub->end - stub->off);
    if (!text) {
        C->oom = 1;
        diag_free(&again);
        return;
    }
    parse_text(&pc, text, stub->end - stub->off, stub->off);
    diag_free(&again);
    if (pc.out_of_memory)
        C->oom = 1;
    else if (pc.decls.head && pc.decls.head->kind == N_RULE)
        check_rule(C, pc.decls.head, stub);
    arena_release(C->ar, m);
}

static void check_rule(Checker *C, Node *d, Node *stub) {
    Rule r;
    memset(&r, 0, sizeof r);
    r.id = pstr(C, d->name);
    r.title = d->a ? pcopy(C, d->a->str) : "";
    r.phases = PHASE_ALL;
    r.eff_from = r.eff_to = ARB_NULL;
    r.file = d->file;
    r.off = d->off;
    r.end = d->end;
    int ok = 1;
    Node *prev = strmap_put(&C->rule_ids, r.id, strlen(r.id), stub, &C->oom);
    if (prev) {
        err(C, d, "rule id '%s' is used twice", r.id);
        note(C, prev, "first used here");
        ok = 0;
    }
    Sym *cs = global(C, d->b->name);
    ix_rule(C, d, stub, &r);
    if (!cs || cs->kind != SYM_CATEGORY) {
        const char *cands[256];
        size_t nc = 0;
        for (uint32_t i = 0; i < C->p->ncats && nc < 256; i++) cands[nc++] = C->p->cats[i].name;
        char sug[128];
        suggest(sug, sizeof sug, d->b->name, cands, nc);
        err(C, d->b, "unknown category '%.*s'%s", (int)d->b->name.len, d->b->name.ptr, sug);
        ok = 0;
    } else {
        Category *cat = cs->ptr;
        r.category = cs->index;
        r.severity = cat->severity;
        r.nature = cat->nature;
        r.points = cat->points;
    }
    if (!C->p->claim) {
        err(C, d, "no 'schema claim' is declared (is the standard library's schema.rules loaded?)");
        return;
    }
    C->nscope = 0;
    C->next_slot = C->max_slot = 0;
    ScopeVar cv = {{"claim", 5, 0},
                   SV_VAR,
                   1,
                   alloc_slots(C, 1),
                   {TY_RECORD, 0, NULL, C->p->claim, NULL},
                   NULL};
    push_var(C, cv);
    C->reads_history = 0;
    /* clause order: header (phase, effective, severity...), binders, when, flag */
    int stage = 0, nflags = 0, nwhen = 0;
    for (Node *cl = d->list; cl; cl = cl->next) {
        int cstage = cl->kind == N_PHASE || cl->kind == N_EFFECTIVE || cl->kind == N_PROP ? 0
                     : cl->kind == N_FOR || cl->kind == N_MATCH                           ? 1
                     : cl->kind == N_WHEN                                                 ? 2
                                                                                          : 3;
        if (cstage < stage) {
            static const char *const order[] = {"phase/effective/severity/nature/points",
                                                "for/match", "when", "flag"};
            err(C, cl,
                "this clause comes too late: a rule's clauses go in the order %s, %s, %s, %s",
                order[0], order[1], order[2], order[3]);
            ok = 0;
        }
        stage = cstage > stage ? cstage : stage;
        switch (cl->kind) {
        case N_PHASE:
            r.phases = 0;
            for (Node *p = cl->list; p; p = p->next) {
                int k = name_index(phase_names, PHASE__COUNT, p->name.ptr, p->name.len);
                if (k < 0)
                    err(C, p, "unknown phase '%.*s' (pre, settle, post)", (int)p->name.len,
                        p->name.ptr),
                        ok = 0;
                else
                    r.phases |= (uint8_t)(1u << k);
            }
            break;
        case N_EFFECTIVE:
            r.eff_from = cl->a->ival;
            if (cl->b) r.eff_to = cl->b->ival;
            if (cl->b && r.eff_to < r.eff_from)
                err(C, cl, "the effective range ends before it starts"), ok = 0;
            break;
        case N_PROP: {
            Node *v = cl->a;
            if (tok_eq(cl->name, "points"))
                r.points = (int32_t)v->ival;
            else {
                int sev = tok_eq(cl->name, "severity");
                int k = sev ? name_index(severity_names, SEV__COUNT, v->name.ptr, v->name.len)
                            : name_index(nature_names, NAT__COUNT, v->name.ptr, v->name.len);
                if (k < 0)
                    err(C, v,
                        sev ? "unknown severity (low, medium, high)"
                            : "unknown nature (suspicious, definite)"),
                        ok = 0;
                else if (sev)
                    r.severity = (uint8_t)k;
                else
                    r.nature = (uint8_t)k;
            }
            break;
        }
        case N_FOR: {
            Type t = check_expr(C, cl->a, NULL);
            Type vt = ty(TY_RECORD);
            if (t.kind == TY_LIST)
                vt.rec = t.rec;
            else if (t.kind != TY_ERROR) {
                char x[96];
                err(C, cl->a, "'for' needs a list such as claim.lines, not %s",
                    type_name(t, x, sizeof x));
            }
            if (t.kind != TY_LIST) {
                ok = 0;
                vt = T_ERR;
            }
            cl->slot = alloc_slots(C, 3); /* var, list, index */
            ix_var(C, cl->file, cl->name, vt);
            ScopeVar v = {cl->name, SV_VAR, 0, cl->slot, vt, NULL};
            push_var(C, v);
            break;
        }
        case N_MATCH:
            if (!check_match(C, cl)) ok = 0;
            break;
        case N_WHEN: {
            Type t = check_expr(C, cl->a, NULL);
            if (t.kind != TY_ERROR && t.kind != TY_BOOL) {
                char x[96];
                err(C, cl->a, "'when' needs a condition (true/false), not %s",
                    type_name(t, x, sizeof x));
            }
            if (t.kind != TY_BOOL) ok = 0;
            if (++nwhen > 1)
                err(C, cl, "a rule has one 'when' (join conditions with 'and')"), ok = 0;
            break;
        }
        case N_FLAG:
            if (++nflags > 1) err(C, cl, "a rule flags once"), ok = 0;
            if (!check_flag(C, cl)) ok = 0;
            break;
        default: err(C, cl, "unexpected clause"); ok = 0;
        }
    }
    if (!nflags) {
        err(C, d, "rule '%s' never flags anything: add 'flag line' or 'flag claim'", r.id);
        ok = 0;
    }
    if (!ok || C->oom) return;
    r.nlocals = (uint16_t)C->max_slot;
    r.key_field = -1;
    for (Node *cl = d->list; cl; cl = cl->next) {
        if (cl->kind != N_FLAG) continue;
        const RecordType *rt = cl->ref;
        r.flags_claim = cl->res;
        r.key_field = rt->key_field;
        if (rt->key_field >= 0) r.key_kind = rt->fields[rt->key_field].type.kind;
    }
    /* decided first: it may put the index's conjunct first in `when`, for
     * both the rule's code and its code for one record */
    Node *decided;
    r.index = index_rule(C, d->list, C->p->nrules, &r.bound_slot, &decided);
    if (C->gen->rule(C->gen->g, d->list, &r, C->reads_history, decided) != 0) return;
    C->p->rules[C->p->nrules++] = r; /* room for every rule was made up front */
}

/* --------------------------------------------------------------- driver */

/* ------------------------------------------------------ report configuration */

/* Is `file` in the standard library's directory (that of the schema.rules
 * the engine loads first)? */
static int in_stdlib(Checker *C, int32_t file) {
    char real[PATH_MAX];
    if (!C->stdlib_dir[0] || file < 0 || !realpath(C->src->items[file].path, real)) return 0;
    char *slash = strrchr(real, '/');
    if (!slash) return 0;
    *slash = 0;
    return strcmp(real, C->stdlib_dir) == 0;
}

/* The word a report item starts with (its span alone), for messages about
 * the whole item. */
static Node word_of(const Node *it) {
    Node w = *it;
    w.end = w.off + w.name.len;
    return w;
}

/* One `report` declaration's sections, before the library's own replaces
 * the standard library's. */
typedef struct RSect {
    arb_report_route *routes;
    size_t nroutes;
    int ledger; /* declared */
    int rolling;
    arb_report_step *steps;
    size_t nsteps;
    int grade; /* declared */
    arb_report_indicator *inds;
    size_t ninds;
    double cut[3];
} RSect;

static int rnum(const Node *v, double *out) {
    if (v->kind == N_INT) return *out = (double)v->ival, 0;
    if (v->kind == N_MONEY) return *out = (double)v->ival / 100.0, 0;
    return -1;
}

enum { RCOND_MAX = 32 };

/* A route's condition into postfix tests out[*k..]; 0, or -1 on an error
 * (reported). */
static int route_tests(Checker *C, Node *n, arb_report_test *out, size_t *k, size_t *leaves) {
    if (n->kind == N_BINARY || n->kind == N_UNARY) {
        if (route_tests(C, n->a, out, k, leaves)) return -1;
        if (n->kind == N_BINARY && route_tests(C, n->b, out, k, leaves)) return -1;
        out[*k].value = NULL;
        out[(*k)++].op = n->op == OP_AND ? ARB_RT_AND : n->op == OP_OR ? ARB_RT_OR : ARB_RT_NOT;
        return 0;
    }
    if (++*leaves > RCOND_MAX) {
        err(C, n, "a route's condition has at most 32 tests");
        return -1;
    }
    Token v = n->a->name;
    arb_report_test *t = &out[(*k)++];
    t->value = pstr(C, v);
    if (tok_eq(n->name, "severity")) {
        t->op = ARB_RT_SEVERITY;
        if (name_index(severity_names, SEV__COUNT, v.ptr, v.len) >= 0) return 0;
        err(C, n->a, "unknown %s '%.*s' (%s)", "severity", (int)v.len, v.ptr, "low, medium, high");
    } else if (tok_eq(n->name, "nature")) {
        t->op = ARB_RT_NATURE;
        if (name_index(nature_names, NAT__COUNT, v.ptr, v.len) >= 0) return 0;
        err(C, n->a, "unknown %s '%.*s' (%s)", "nature", (int)v.len, v.ptr, "suspicious, definite");
    } else if (tok_eq(n->name, "tier")) {
        t->op = ARB_RT_TIER;
        if (name_index(tier_names, TIER__COUNT, v.ptr, v.len) >= 0) return 0;
        err(C, n->a, "unknown %s '%.*s' (%s)", "tier", (int)v.len, v.ptr,
            "policy, management, medical");
    } else if (tok_eq(n->name, "category")) {
        t->op = ARB_RT_CATEGORY;
        Sym *s = global(C, v);
        if (s && s->kind == SYM_CATEGORY) return 0;
        err(C, n->a, "unknown category '%.*s' (not declared in the library)", (int)v.len, v.ptr);
    } else {
        err(C, n, "unknown route test '%.*s' (severity, nature, tier, category)", (int)n->name.len,
            n->name.ptr);
    }
    return -1;
}

/* Does every severity × nature × tier reach a worklist, whatever the
 * category?  Reports the first that does not, at `at`. */
static void route_coverage(Checker *C, const RSect *s, const Node *at) {
    for (int sv = 0; sv < SEV__COUNT; sv++)
        for (int na = 0; na < NAT__COUNT; na++)
            for (int ti = 0; ti < TIER__COUNT; ti++) {
                int ok = 0;
                for (size_t r = 0; r < s->nroutes && !ok; r++)
                    ok = rcfg_eval(s->routes[r].cond, s->routes[r].ncond, severity_names[sv],
                                   nature_names[na], tier_names[ti], NULL) == 1;
                if (ok) continue;
                err(C, at,
                    "the worklist routes put findings of severity %s, nature %s and tier %s on "
                    "no worklist: add 'worklist \"科室自查\" otherwise' at the end",
                    severity_names[sv], nature_names[na], tier_names[ti]);
                return;
            }
}

static void report_worklist(Checker *C, Node *it, RSect *s, Node **otherwise) {
    if (!it->a || it->a->kind != N_STRING || !it->b) {
        err(C, it,
            "a worklist route is 'worklist \"NAME\" when CONDITION' or 'worklist \"NAME\" "
            "otherwise'");
        return;
    }
    int lv = rcfg_index(rcfg_level_names, RCFG_LEVELS, it->a->str, strlen(it->a->str));
    if (lv < 0) err(C, it->a, "unknown worklist \"%s\" (科室自查, 医保办复核, 督办)", it->a->str);
    if (*otherwise) {
        err(C, it, "a route after 'otherwise' is never taken");
        note(C, *otherwise, "first declared here");
    }
    int is_otherwise = it->b->kind == N_NAME;
    if (is_otherwise && !tok_eq(it->b->name, "otherwise")) {
        err(C, it->b,
            "a worklist route is 'worklist \"NAME\" when CONDITION' or 'worklist \"NAME\" "
            "otherwise'");
        return;
    }
    arb_report_test tests[2 * RCOND_MAX];
    size_t k = 0, leaves = 0;
    if (!is_otherwise && route_tests(C, it->b, tests, &k, &leaves)) return;
    if (is_otherwise && !*otherwise) *otherwise = it;
    if (lv < 0) return;
    arb_report_route *nr = arena_alloc(&C->p->ar, (s->nroutes + 1) * sizeof *nr);
    arb_report_test *cond = k ? arena_alloc(&C->p->ar, k * sizeof *cond) : NULL;
    if (!nr || (k && !cond)) {
        C->oom = 1;
        return;
    }
    if (s->nroutes) memcpy(nr, s->routes, s->nroutes * sizeof *nr);
    if (k) memcpy(cond, tests, k * sizeof *cond);
    nr[s->nroutes++] = (arb_report_route){lv, rcfg_level_names[lv], cond, k};
    s->routes = nr;
}

static void report_ledger(Checker *C, Node *it, RSect *s) {
    if (!it->a || it->a->kind != N_NAME || it->b) {
        err(C, it, "a ledger is 'ledger PERIOD { at POINTS \"SANCTION\" ... }'");
        return;
    }
    s->ledger = 1;
    if (tok_eq(it->a->name, "calendar_year"))
        s->rolling = 0;
    else if (tok_eq(it->a->name, "rolling_12_months"))
        s->rolling = 1;
    else
        err(C, it->a, "unknown %s '%.*s' (%s)", "ledger period", (int)it->a->name.len,
            it->a->name.ptr, "calendar_year, rolling_12_months");
    size_t n = 0;
    for (Node *x = it->list; x; x = x->next) n++;
    s->steps = arena_alloc(&C->p->ar, (n + 1) * sizeof *s->steps);
    if (!s->steps) {
        C->oom = 1;
        return;
    }
    const Node *prev = NULL;
    for (Node *x = it->list; x; x = x->next) {
        if (!tok_eq(x->name, "at") || !x->a || x->a->kind != N_INT || !x->b ||
            x->b->kind != N_STRING) {
            err(C, x, "a ledger step is 'at POINTS \"SANCTION\"'");
            continue;
        }
        if (x->a->ival <= 0 || x->a->ival > INT32_MAX) {
            err(C, x->a, "a ledger threshold is a number of points above 0");
            continue;
        }
        if (prev && x->a->ival <= prev->ival) {
            err(C, x->a, "ledger thresholds must rise: %lld comes after %lld",
                (long long)x->a->ival, (long long)prev->ival);
            continue;
        }
        prev = x->a;
        s->steps[s->nsteps++] = (arb_report_step){(int32_t)x->a->ival, pcopy(C, x->b->str)};
    }
    Node w = word_of(it);
    if (!it->list) err(C, &w, "the ledger has no steps");
}

static void report_indicator(Checker *C, Node *x, RSect *s, Node **seen) {
    Token nm = x->a->name;
    int k = rcfg_index(rcfg_indicator_keys, RCFG_INDICATORS, nm.ptr, nm.len);
    if (k < 0) {
        err(C, x->a, "unknown %s '%.*s' (%s)", "indicator", (int)nm.len, nm.ptr,
            "findings_per_1000_claims, at_risk_per_claim, repeat_share, definite_share, "
            "compliance_rate");
        return;
    }
    if (seen[k]) {
        err(C, x->a, "'%.*s' appears twice in the report", (int)nm.len, nm.ptr);
        note(C, seen[k], "first declared here");
        return;
    }
    seen[k] = x->a;
    double v[3] = {0, 0, 0};
    int have[3] = {0, 0, 0}, bad = 0;
    static const char *const keys[3] = {"weight", "good", "bad"};
    for (Node *p = x->list; p; p = p->next) {
        int j = rcfg_index(keys, 3, p->name.ptr, p->name.len);
        if (j < 0 || have[j]) {
            err(C, p, "an indicator takes weight, good and bad, each once ('%.*s')",
                (int)p->name.len, p->name.ptr);
            bad = 1;
            continue;
        }
        have[j] = 1;
        if (rnum(p->a, &v[j])) {
            err(C, p->a, "'%.*s' takes a number", (int)p->name.len, p->name.ptr);
            bad = 1;
        } else if (j == 0 && v[0] <= 0) {
            err(C, p->a, "an indicator's weight is a number above 0");
            bad = 1;
        }
    }
    if (!bad && v[1] == v[2]) {
        err(C, x, "an indicator's good and bad values must differ");
        bad = 1;
    }
    if (bad) return;
    s->inds[s->ninds++] =
        (arb_report_indicator){rcfg_indicator_names[k], v[0], v[1], v[2], rcfg_indicator_keys[k]};
}

static void report_cut(Checker *C, Node *x, RSect *s) {
    static const char *const keys[3] = {"A", "B", "C"};
    double v[3] = {0, 0, 0};
    int have[3] = {0, 0, 0}, bad = 0;
    for (Node *p = x->list; p; p = p->next) {
        int j = rcfg_index(keys, 3, p->name.ptr, p->name.len);
        if (j < 0 || have[j]) {
            err(C, p, "cut takes A, B and C, each once ('%.*s')", (int)p->name.len, p->name.ptr);
            bad = 1;
            continue;
        }
        have[j] = 1;
        if (rnum(p->a, &v[j])) {
            err(C, p->a, "'%.*s' takes a number", (int)p->name.len, p->name.ptr);
            bad = 1;
        } else if (v[j] < 0 || v[j] > 100) {
            err(C, p->a, "a grade cut-off is from 0 to 100");
            bad = 1;
        }
    }
    if (!bad && !(v[0] > v[1] && v[1] > v[2])) {
        err(C, x, "grade cut-offs must fall: A above B above C");
        bad = 1;
    }
    if (!bad) memcpy(s->cut, v, sizeof v);
}

static void report_grade(Checker *C, Node *it, RSect *s) {
    if (it->a || it->b) {
        err(C, it,
            "a grade is 'grade { indicator NAME weight W good G bad B ... cut A 90 B 75 C 60 }'");
        return;
    }
    s->grade = 1;
    s->inds = arena_alloc(&C->p->ar, (RCFG_INDICATORS + 1) * sizeof *s->inds);
    if (!s->inds) {
        C->oom = 1;
        return;
    }
    Node *seen[RCFG_INDICATORS] = {0}, *cut = NULL;
    int nind = 0;
    for (Node *x = it->list; x; x = x->next) {
        if (tok_eq(x->name, "indicator") && x->a && x->a->kind == N_NAME && x->list) {
            nind++;
            report_indicator(C, x, s, seen);
        } else if (tok_eq(x->name, "cut") && !x->a && x->list) {
            if (cut) {
                Node w = word_of(x), f = word_of(cut);
                err(C, &w, "'%.*s' appears twice in the report", (int)x->name.len, x->name.ptr);
                note(C, &f, "first declared here");
                continue;
            }
            cut = x;
            report_cut(C, x, s);
        } else {
            err(C, x,
                "a grade is 'grade { indicator NAME weight W good G bad B ... cut A 90 B 75 C 60 "
                "}'");
        }
    }
    Node w = word_of(it);
    if (!nind) err(C, &w, "the grade has no indicators");
}

/* One `report` declaration into s. */
static void report_decl(Checker *C, Node *d, RSect *s) {
    Node *ledger = NULL, *grade = NULL, *otherwise = NULL, *first_route = NULL;
    size_t errs = C->diags->errors;
    for (Node *it = d->list; it; it = it->next) {
        if (tok_eq(it->name, "worklist")) {
            if (!first_route) first_route = it;
            report_worklist(C, it, s, &otherwise);
        } else if (tok_eq(it->name, "ledger") || tok_eq(it->name, "grade")) {
            Node **prev = tok_eq(it->name, "ledger") ? &ledger : &grade;
            if (*prev) {
                Node w = word_of(it), f = word_of(*prev);
                err(C, &w, "'%.*s' appears twice in the report", (int)it->name.len, it->name.ptr);
                note(C, &f, "first declared here");
                continue;
            }
            *prev = it;
            if (prev == &ledger)
                report_ledger(C, it, s);
            else
                report_grade(C, it, s);
        } else {
            err(C, it, "unknown report section '%.*s' (worklist, ledger, grade)", (int)it->name.len,
                it->name.ptr);
        }
    }
    if (first_route && C->diags->errors == errs) route_coverage(C, s, first_route);
}

/* The `report` declarations: at most one in the standard library and one
 * in the library's own files; the latter's sections replace the former's
 * (the worklist routes all together, the ledger, the grade). */
static void pass_report(Checker *C) {
    Node *decl[2] = {NULL, NULL};
    RSect sect[2];
    memset(sect, 0, sizeof sect);
    arb_report_config *rc = &C->p->report;
    memset(rc, 0, sizeof *rc);
    rc->ledger_rolling = -1;
    for (size_t i = 0; i < C->ndecls; i++) {
        Node *d = C->decls[i];
        if (d->kind != N_REPORT) continue;
        int own = !in_stdlib(C, d->file);
        if (decl[own]) {
            err(C, d,
                "report is declared twice (the standard library may have one, and the library's "
                "own files one)");
            note(C, decl[own], "first declared here");
            continue;
        }
        decl[own] = d;
        size_t errs = C->diags->errors;
        report_decl(C, d, &sect[own]);
        if (C->diags->errors != errs) memset(&sect[own], 0, sizeof sect[own]);
    }
    for (int own = 0; own < 2; own++) {
        const RSect *s = &sect[own];
        if (!decl[own]) continue;
        rc->declared = 1;
        if (s->nroutes) rc->routes = s->routes, rc->nroutes = s->nroutes;
        if (s->ledger) {
            rc->ledger_rolling = s->rolling;
            rc->steps = s->steps, rc->nsteps = s->nsteps;
        }
        if (s->grade) {
            rc->indicators = s->inds, rc->nindicators = s->ninds;
            memcpy(rc->grade_cut, s->cut, sizeof s->cut);
        }
    }
}

Program *check_run(Alloc a, SourceList *sources, const int *files, size_t nfiles, DiagList *diags,
                   SymIndex *index, const CheckGen *gen) {
    Program *p = mem_calloc(a, sizeof(Program));
    if (!p) {
        diag_add(diags, DIAG_ERROR, -1, 0, 0, "out of memory");
        return NULL;
    }
    arena_init(&p->ar, a, 1 << 16);
    Arena ast, stubs;
    arena_init(&ast, a, 1 << 16);
    arena_init(&stubs, a, 1 << 14);
    Checker C;
    memset(&C, 0, sizeof C);
    C.alloc = a;
    C.ar = &ast;
    C.stubs = &stubs;
    C.p = p;
    C.diags = diags;
    C.src = sources;
    C.ix = index;
    strmap_init(&C.globals, a);
    strmap_init(&C.rule_ids, a);
    C.gen = gen;
    gen->begin(gen->g, p);
    declare_builtin_types(&C);

    /* the standard library is the directory of the schema.rules loaded first */
    if (nfiles) {
        const char *first = sources->items[files[0]].path, *base = strrchr(first, '/');
        if (strcmp(base ? base + 1 : first, "schema.rules") == 0 && realpath(first, C.stdlib_dir)) {
            char *slash = strrchr(C.stdlib_dir, '/');
            if (slash) *slash = 0;
        } else {
            C.stdlib_dir[0] = 0;
        }
    }

    StrMap seen;
    strmap_init(&seen, a);
    for (size_t i = 0; i < nfiles; i++) {
        char real[PATH_MAX];
        const char *path = sources->items[files[i]].path;
        if (realpath(path, real)) {
            char *key = arena_strndup(&ast, real, strlen(real));
            if (key && strmap_get(&seen, key, strlen(key))) continue;
            if (key) strmap_put(&seen, key, strlen(key), (void *)path, &C.oom);
        }
        load_file(&C, files[i], &seen);
    }
    strmap_free(&seen);

    pass_enums(&C);
    pass_schemas(&C);
    pass_categories(&C);
    pass_tables(&C);
    pass_lua(&C);
    pass_defines(&C);
    C.in_derived = 1;
    pass_derived(&C);
    C.in_derived = 0;
    pass_inputs(&C);
    pass_report(&C);
    if (C.ix) ix_defs(&C);

    size_t nrules = 0;
    for (size_t i = 0; i < C.ndecls; i++) nrules += C.decls[i]->kind == N_RULE;
    size_t rcap = nrules ? nrules : 1;
    p->rules = mem_alloc(a, rcap * sizeof(Rule));
    if (!p->rules) C.oom = 1;
    C.expr_parser = arena_alloc(&ast, ArbParseSize()); /* before any rule's mark */
    for (size_t i = 0; i < C.ndecls && !C.oom; i++) {
        Node *d = C.decls[i];
        if (d->kind != N_RULE) continue;
        if (d->op)
            check_rule_stub(&C, d);
        else
            check_rule(&C, d, d);
    }
    itest_build(p, a, diags, C.decls, C.ndecls, &C.rule_ids, &C.oom);
    if (C.ix) symindex_finish(C.ix);
    if (!C.oom && !diags->errors) build_indexes(&C);
    p->scan_rules = arena_alloc(&p->ar, (p->nrules + 1) * sizeof(uint32_t));
    if (!p->scan_rules) C.oom = 1;
    for (uint32_t i = 0; i < p->nrules && p->scan_rules; i++)
        if (p->rules[i].index < 0) p->scan_rules[p->nscan_rules++] = i;
    if (C.oom) diag_add(diags, DIAG_ERROR, -1, 0, 0, "out of memory");

    int failed = diags->errors > 0 || gen->finish(gen->g) != 0;
    char why[256];
    if (!failed && verify_program(p, why, sizeof why) != 0) {
        /* the compiler's own output must verify: anything else is a bug here */
        diag_add(diags, DIAG_ERROR, -1, 0, 0, "internal error: %s", why);
        failed = 1;
    }
    gen->end(gen->g);
    strmap_free(&C.globals);
    strmap_free(&C.rule_ids);
    mem_free(a, C.decls, C.capdecls * sizeof(Node *));
    mem_free(a, C.scope, C.capscope * sizeof(ScopeVar));
    mem_free(a, C.ientries, C.capientries * sizeof(IndexEntry));
    /* rules were collected in a heap array; move them into the arena */
    Rule *rules = p->rules;
    p->rules = arena_alloc(&p->ar, rcap * sizeof(Rule));
    if (p->rules && rules) memcpy(p->rules, rules, p->nrules * sizeof(Rule));
    mem_free(a, rules, rcap * sizeof(Rule));
    arena_free(&ast);
    arena_free(&stubs);
    if (failed || !p->rules) {
        program_free(p);
        return NULL;
    }
    return p;
}
