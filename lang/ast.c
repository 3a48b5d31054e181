/* ast.c — syntax tree constructors (called from the grammar's actions). */
#include "ast.h"

#include <string.h>

#include "i18n.h"
#include "scalar.h"

const char *const ast_kind_names[N__COUNT] = {
#define X(k) #k,
    AST_NODE_KINDS(X)
#undef X
};

const char *const ast_op_names[OP__COUNT] = {
#define X(e, s) s,
    AST_OPS(X)
#undef X
};

Token tok_join(Token a, Token b) {
    Token t = a;
    t.len = b.off + b.len - a.off;
    return t;
}

const char *tok_str(Arena *ar, Token t) {
    return arena_strndup(ar, t.ptr, t.len);
}

int tok_eq(Token t, const char *s) {
    return strlen(s) == t.len && memcmp(t.ptr, s, t.len) == 0;
}

NodeList ast_list(Node *first) {
    NodeList l = {first, first};
    return l;
}

NodeList ast_append(NodeList l, Node *n) {
    if (!n) return l;
    if (!l.head) return ast_list(n);
    l.tail->next = n;
    l.tail = n;
    return l;
}

/* A node spanning [t.off, end).  When the arena is exhausted it returns the
 * context's scratch node and marks the context; the driver reports it once. */
static Node *mk(ParseCtx *c, int kind, Token t, uint32_t end) {
    Node *n = arena_alloc(c->ar, sizeof(Node));
    if (!n) {
        c->out_of_memory = 1;
        memset(&c->oom_node, 0, sizeof c->oom_node);
        return &c->oom_node;
    }
    n->kind = (uint8_t)kind;
    n->file = c->file;
    n->name = t;
    n->off = t.off;
    n->end = end > t.off ? end : t.off + t.len;
    n->slot = -1;
    return n;
}

static uint32_t tend(Token t) {
    return t.off + t.len;
}

void ast_add_decl(ParseCtx *c, Node *decl) {
    if (c->stubs && decl->kind == N_RULE && !c->out_of_memory) {
        Node *stub = arena_alloc(c->stubs, sizeof(Node));
        if (stub) {
            stub->kind = N_RULE;
            stub->op = 1; /* a stub: parse [off, end) again */
            stub->file = c->file;
            stub->off = c->decl_start;
            stub->end = c->lookahead_off;
            stub->slot = -1;
            arena_release(c->ar, c->decl_mark);
            decl = stub;
        }
    }
    c->decls = ast_append(c->decls, decl);
}

Node *ast_import(ParseCtx *c, Token kw, Token path) {
    Node *n = mk(c, N_IMPORT, kw, tend(path));
    n->a = ast_string(c, path);
    return n;
}

Node *ast_enum(ParseCtx *c, Token kw, Token name, NodeList members, Token rbrace) {
    Node *n = mk(c, N_ENUM, name, tend(name));
    n->list = members.head;
    (void)kw;
    (void)rbrace;
    return n;
}

Node *ast_member(ParseCtx *c, Token name, Token *label) {
    Node *n = mk(c, N_MEMBER, name, tend(label ? *label : name));
    if (label) n->a = ast_string(c, *label);
    return n;
}

Node *ast_member_codes(ParseCtx *c, Node *member, NodeList codes) {
    (void)c;
    member->list = codes.head;
    if (codes.tail) member->end = codes.tail->end;
    return member;
}

Node *ast_schema(ParseCtx *c, Token kw, Token name, NodeList fields, Token rbrace, int extend) {
    Node *n = mk(c, N_SCHEMA, name, tend(name));
    n->op = (uint8_t)extend;
    n->list = fields.head;
    (void)kw;
    (void)rbrace;
    return n;
}

Node *ast_field(ParseCtx *c, Token name, Node *type, NodeList attrs, Node *derived) {
    Node *n = mk(c, N_FIELD, name, type->end);
    n->a = type;
    n->list = attrs.head;
    n->b = derived;
    return n;
}

Node *ast_type(ParseCtx *c, Token name, Token *list_kw) {
    Node *n = mk(c, N_TYPE, name, tend(name));
    if (list_kw) {
        n->op = 1;
        n->off = list_kw->off;
    }
    return n;
}

Node *ast_attr(ParseCtx *c, Token t, int op) {
    Node *n = mk(c, N_ATTR, t, tend(t));
    n->op = (uint8_t)op;
    return n;
}

Node *ast_category(ParseCtx *c, Token kw, Token name, Token *title, NodeList props, Token rbrace) {
    Node *n = mk(c, N_CATEGORY, name, tend(name));
    if (title) n->a = ast_string(c, *title);
    n->list = props.head;
    (void)kw;
    (void)rbrace;
    return n;
}

Node *ast_prop(ParseCtx *c, Token key, Node *value) {
    Node *n = mk(c, N_PROP, key, value->end);
    n->a = value;
    return n;
}

Node *ast_table(ParseCtx *c, Token kw, Token name, Token path, Token *encoding, NodeList columns,
                Token rbrace) {
    Node *n = mk(c, N_TABLE, name, tend(name));
    n->a = ast_string(c, path);
    if (encoding) n->c = ast_string(c, *encoding);
    n->list = columns.head;
    (void)kw;
    (void)rbrace;
    return n;
}

Node *ast_extend_table(ParseCtx *c, Token kw, Token name, Token path, Token *encoding) {
    Node *n = mk(c, N_TABLE, name, tend(name));
    n->op = 1;
    n->a = ast_string(c, path);
    if (encoding) n->c = ast_string(c, *encoding);
    (void)kw;
    return n;
}

Node *ast_define(ParseCtx *c, Token kw, Token name, NodeList params, Node *body) {
    Node *n = mk(c, N_DEFINE, name, tend(name));
    n->list = params.head;
    n->a = body;
    (void)kw;
    return n;
}

Node *ast_param(ParseCtx *c, Token name) {
    return mk(c, N_PARAM, name, tend(name));
}

Node *ast_rule(ParseCtx *c, Token kw, Token id, Token *title, Token category, NodeList clauses) {
    Node *n = mk(c, N_RULE, id, tend(id));
    if (title) n->a = ast_string(c, *title);
    n->b = ast_name(c, category);
    n->list = clauses.head;
    (void)kw;
    return n;
}

Node *ast_phase(ParseCtx *c, Token kw, NodeList names) {
    Node *n = mk(c, N_PHASE, kw, names.tail ? names.tail->end : tend(kw));
    n->list = names.head;
    return n;
}

Node *ast_effective(ParseCtx *c, Token kw, Token from, Token *to) {
    Node *n = mk(c, N_EFFECTIVE, kw, tend(to ? *to : from));
    n->a = ast_literal(c, N_DATE, from);
    if (to) n->b = ast_literal(c, N_DATE, *to);
    return n;
}

Node *ast_for(ParseCtx *c, Token kw, Token var, Node *coll) {
    Node *n = mk(c, N_FOR, var, tend(var));
    n->off = kw.off;
    n->a = coll;
    return n;
}

Node *ast_match(ParseCtx *c, Token kw, Token var, Token table, Node *key) {
    Node *n = mk(c, N_MATCH, var, tend(var));
    n->off = kw.off;
    n->a = ast_name(c, table);
    n->b = key;
    return n;
}

Node *ast_when(ParseCtx *c, Token kw, Node *cond) {
    Node *n = mk(c, N_WHEN, kw, cond->end);
    n->a = cond;
    return n;
}

Node *ast_flag(ParseCtx *c, Token kw, Token target) {
    Node *n = mk(c, N_FLAG, kw, tend(target));
    n->a = ast_name(c, target);
    return n;
}

Node *ast_flag_amount(ParseCtx *c, Node *flag, Node *amount) {
    if (flag->b)
        diag_add(c->diags, DIAG_ERROR, c->file, amount->off, amount->end - amount->off,
                 "a flag has one amount");
    flag->b = amount;
    return flag;
}

Node *ast_flag_message(ParseCtx *c, Node *flag, Token msg) {
    if (flag->c)
        diag_add(c->diags, DIAG_ERROR, c->file, msg.off, msg.len, "a flag has one message");
    flag->c = ast_string(c, msg);
    return flag;
}

Node *ast_test(ParseCtx *c, Token kw, Token name, NodeList items, Token rbrace) {
    Node *n = mk(c, N_TEST, kw, tend(rbrace));
    n->a = ast_string(c, name);
    n->str = n->a->str;
    n->slen = n->a->slen;
    n->list = items.head;
    return n;
}

Node *ast_tclaim(ParseCtx *c, Token word, Node *record) {
    (void)c;
    record->name = word;
    record->off = word.off;
    return record;
}

Node *ast_trecord(ParseCtx *c, Token lbrace, NodeList fields, Token rbrace) {
    Node *n = mk(c, N_TRECORD, lbrace, tend(rbrace));
    n->name.len = 0;
    n->list = fields.head;
    return n;
}

Node *ast_tfield(ParseCtx *c, Token name, Node *value) {
    Node *n = mk(c, N_TFIELD, name, value->end);
    n->a = value;
    return n;
}

Node *ast_tlist(ParseCtx *c, Token lbracket, NodeList records, Token rbracket) {
    Node *n = mk(c, N_TLIST, lbracket, tend(rbracket));
    n->list = records.head;
    return n;
}

Node *ast_expect(ParseCtx *c, Token word, Token *no, Token rule) {
    Node *n = mk(c, N_EXPECT, rule, tend(rule));
    n->off = word.off;
    n->c = ast_name(c, word);
    if (no) {
        n->d = ast_name(c, *no);
        n->op = 1;
    }
    return n;
}

Node *ast_expect_line(ParseCtx *c, Node *e, Token word, Token num) {
    if (e->a)
        diag_add(c->diags, DIAG_ERROR, c->file, word.off, num.off + num.len - word.off,
                 "an expectation names one line");
    Node *l = ast_literal(c, N_INT, num);
    l->off = word.off;
    l->b = ast_name(c, word); /* the word 'line' */
    e->a = l;
    e->end = l->end;
    return e;
}

Node *ast_expect_amount(ParseCtx *c, Node *e, Node *amount) {
    if (e->b)
        diag_add(c->diags, DIAG_ERROR, c->file, amount->off, amount->end - amount->off,
                 "an expectation has one amount");
    e->b = amount;
    e->end = amount->end;
    return e;
}

Node *ast_negative(ParseCtx *c, Token minus, Node *lit) {
    (void)c;
    lit->ival = lit->ival == INT64_MIN ? lit->ival : -lit->ival;
    lit->off = minus.off;
    return lit;
}

Node *ast_literal(ParseCtx *c, int kind, Token t) {
    Node *n = mk(c, kind, t, tend(t));
    int bad = 0;
    const char *what = "";
    switch (kind) {
    case N_INT:
        bad = scalar_parse_int(t.ptr, t.len, &n->ival), what = N_("integer out of range");
        break;
    case N_MONEY:
        bad = scalar_parse_money(t.ptr, t.len, &n->ival),
        what = N_("a money amount has at most 2 decimals");
        break;
    case N_DATE:
        bad = scalar_parse_date(t.ptr, t.len, &n->ival), what = N_("not a valid date");
        break;
    case N_DATETIME:
        bad = scalar_parse_datetime(t.ptr, t.len, &n->ival), what = N_("not a valid datetime");
        break;
    case N_DURATION:
        bad = scalar_parse_duration(t.ptr, t.len, &n->ival), what = N_("duration out of range");
        break;
    }
    if (bad) diag_add(c->diags, DIAG_ERROR, c->file, t.off, t.len, "%s", _(what));
    return n;
}

/* Unescapes a string literal; \{ and \} stand for braces in templates. */
Node *ast_string(ParseCtx *c, Token t) {
    Node *n = mk(c, N_STRING, t, tend(t));
    const char *s = t.ptr + 1;
    size_t len = t.len >= 2 ? t.len - 2 : 0;
    char *out = arena_alloc(c->ar, len + 1);
    if (!out) return n;
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\') {
            out[k++] = s[i];
            continue;
        }
        char e = s[++i];
        switch (e) {
        case 'n': out[k++] = '\n'; break;
        case 't': out[k++] = '\t'; break;
        case '"':
        case '\\':
        case '{':
        case '}': out[k++] = e; break;
        default:
            diag_add(c->diags, DIAG_ERROR, c->file, t.off + 1 + (uint32_t)i - 1, 2,
                     "unknown escape '\\%c' (use \\\" \\\\ \\n \\t \\{ \\})", e);
        }
    }
    out[k] = 0;
    n->str = out;
    n->slen = (uint32_t)k;
    return n;
}

Node *ast_bool(ParseCtx *c, Token t, int value) {
    Node *n = mk(c, N_BOOL, t, tend(t));
    n->ival = value;
    return n;
}

Node *ast_name(ParseCtx *c, Token t) {
    return mk(c, N_NAME, t, tend(t));
}

Node *ast_fieldref(ParseCtx *c, Node *obj, Token field) {
    Node *n = mk(c, N_FIELDREF, field, tend(field));
    n->off = obj->off;
    n->a = obj;
    return n;
}

Node *ast_call(ParseCtx *c, Token fn, NodeList args, Token rparen) {
    Node *n = mk(c, N_CALL, fn, tend(rparen));
    n->list = args.head;
    return n;
}

Node *ast_unary(ParseCtx *c, int op, Token optok, Node *a) {
    Node *n = mk(c, N_UNARY, optok, a->end);
    n->op = (uint8_t)op;
    n->a = a;
    return n;
}

Node *ast_cond(ParseCtx *c, Token kw, Node *cond, Node *then, Node *otherwise) {
    Node *n = mk(c, N_COND, kw, otherwise->end);
    n->a = cond;
    n->b = then;
    n->c = otherwise;
    return n;
}

Node *ast_binary(ParseCtx *c, int op, Node *a, Node *b) {
    Token t = {a->name.ptr, 0, a->off};
    Node *n = mk(c, N_BINARY, t, b->end);
    n->op = (uint8_t)op;
    n->a = a;
    n->b = b;
    return n;
}

Node *ast_paren(ParseCtx *c, Token lp, Node *e, Token rp) {
    (void)c;
    e->off = lp.off;
    e->end = tend(rp);
    return e;
}

Node *ast_set(ParseCtx *c, Token lbrace, NodeList elems, Token rbrace) {
    Node *n = mk(c, N_SET, lbrace, tend(rbrace));
    n->list = elems.head;
    return n;
}

Node *ast_binder(ParseCtx *c, Token var, Node *coll) {
    Node *n = mk(c, N_PARAM, var, coll->end);
    n->a = coll;
    return n;
}

Node *ast_agg(ParseCtx *c, Token kw, int op, Node *value, NodeList binds, Node *where,
              Token rparen) {
    Node *n = mk(c, N_AGG, kw, tend(rparen));
    n->op = (uint8_t)op;
    n->list = binds.head;
    n->b = where;
    n->c = value;
    return n;
}

Node *ast_lua(ParseCtx *c, Token kw, Token src, int is_inline, NodeList fns) {
    Node *n = mk(c, N_LUA, kw, tend(src));
    n->op = (uint8_t)is_inline;
    if (is_inline) {
        n->a = mk(c, N_STRING, src, tend(src));
        n->a->str = src.ptr + 2; /* inside [[ ]]; the source outlives the tree */
        n->a->slen = src.len - 4;
    } else {
        n->a = ast_string(c, src);
    }
    n->list = fns.head;
    return n;
}

Node *ast_luafn(ParseCtx *c, Token name, NodeList params, Token result) {
    Node *n = mk(c, N_LUAFN, name, tend(result));
    n->list = params.head;
    n->a = ast_type(c, result, NULL);
    return n;
}

Node *ast_lua_call(ParseCtx *c, Token kw, Token fn, NodeList args, Token rparen) {
    Node *n = mk(c, N_CALL, fn, tend(rparen));
    n->off = kw.off;
    n->op = 1;
    n->list = args.head;
    return n;
}

/* ------------------------------------------------------------ input profiles */

Node *ast_input(ParseCtx *c, Token kw, Token name, Token *title, NodeList items, Token rbrace) {
    Node *n = mk(c, N_INPUT, name, tend(name));
    if (title) n->a = ast_string(c, *title);
    n->list = items.head;
    (void)kw;
    (void)rbrace;
    return n;
}

Node *ast_pset(ParseCtx *c, Token key, NodeList values) {
    Node *n = mk(c, N_PSET, key, values.tail ? values.tail->end : tend(key));
    n->list = values.head;
    return n;
}

Node *ast_pset_word(ParseCtx *c, Token key, Token word) {
    Node *n = mk(c, N_PSET, key, tend(word));
    n->a = ast_name(c, word);
    return n;
}

Node *ast_dict(ParseCtx *c, Token kw, Token name, Token type, NodeList entries, Token rbrace) {
    Node *n = mk(c, N_DICT, name, tend(type));
    n->a = ast_name(c, type);
    n->list = entries.head;
    (void)kw;
    (void)rbrace;
    return n;
}

Node *ast_dentry(ParseCtx *c, Token code, Node *value) {
    Node *n = mk(c, N_DENTRY, code, value->end);
    n->a = ast_string(c, code);
    n->b = value;
    return n;
}

Node *ast_precord(ParseCtx *c, Token field, Token *path, NodeList maps, Token rbrace) {
    Node *n = mk(c, N_PRECORD, field, path ? tend(*path) : tend(field));
    if (path) n->a = ast_string(c, *path);
    n->list = maps.head;
    (void)rbrace;
    return n;
}

Node *ast_pmap(ParseCtx *c, Token field, NodeList opts) {
    Node *n = mk(c, N_PMAP, field, opts.tail ? opts.tail->end : tend(field));
    n->list = opts.head;
    return n;
}

Node *ast_popt(ParseCtx *c, Token kw, int kind, NodeList values) {
    Node *n = mk(c, N_POPT, kw, values.tail ? values.tail->end : tend(kw));
    n->op = (uint8_t)kind;
    n->list = values.head;
    if (kind == POPT_PATH) n->a = ast_string(c, kw);
    return n;
}

Node *ast_report(ParseCtx *c, Token kw, NodeList items, Token rbrace) {
    Node *n = mk(c, N_REPORT, kw, tend(kw));
    n->list = items.head;
    (void)rbrace;
    return n;
}

Node *ast_ritem(ParseCtx *c, Token key, Node *value, Node *b, NodeList list, Token *rbrace) {
    uint32_t end = rbrace      ? tend(*rbrace)
                   : list.tail ? list.tail->end
                   : b         ? b->end
                   : value     ? value->end
                               : tend(key);
    Node *n = mk(c, N_RITEM, key, end);
    n->a = value;
    n->b = b;
    n->list = list.head;
    return n;
}

NodeList ast_one(Node *n) {
    return ast_list(n);
}
