/* ast.h — tokens, syntax tree nodes and their constructors.
 *
 * Tokens are {ptr, len, off} slices of the source.  Every node carries its
 * byte span [off, end) in its file; line:col is computed only when a message
 * is printed.  All nodes live in the compilation's arena.  The grammar's
 * actions are one-line calls to the ast_* constructors below. */
#ifndef ARB_AST_H
#define ARB_AST_H

#include <stdint.h>

#include "diag.h"
#include "mem.h"
#include "schema.h"

typedef struct Token {
    const char *ptr;
    uint32_t len;
    uint32_t off;
} Token;

/* Every node kind, once. */
#define AST_NODE_KINDS(X)                                                                          \
    X(IMPORT)                                                                                      \
    X(ENUM)                                                                                        \
    X(MEMBER)                                                                                      \
    X(SCHEMA)                                                                                      \
    X(FIELD)                                                                                       \
    X(TYPE)                                                                                        \
    X(ATTR)                                                                                        \
    X(CATEGORY)                                                                                    \
    X(PROP)                                                                                        \
    X(TABLE)                                                                                       \
    X(DEFINE)                                                                                      \
    X(PARAM)                                                                                       \
    X(RULE)                                                                                        \
    X(PHASE)                                                                                       \
    X(EFFECTIVE)                                                                                   \
    X(FOR)                                                                                         \
    X(MATCH)                                                                                       \
    X(WHEN)                                                                                        \
    X(FLAG)                                                                                        \
    X(INT)                                                                                         \
    X(MONEY)                                                                                       \
    X(DATE)                                                                                        \
    X(DATETIME)                                                                                    \
    X(DURATION)                                                                                    \
    X(STRING)                                                                                      \
    X(BOOL)                                                                                        \
    X(NAME)                                                                                        \
    X(FIELDREF)                                                                                    \
    X(CALL)                                                                                        \
    X(UNARY)                                                                                       \
    X(BINARY)                                                                                      \
    X(SET)                                                                                         \
    X(AGG)                                                                                         \
    X(TEMPLATE)                                                                                    \
    X(LUA)                                                                                         \
    X(LUAFN)                                                                                       \
    X(TEST)                                                                                        \
    X(TRECORD)                                                                                     \
    X(TFIELD)                                                                                      \
    X(TLIST)                                                                                       \
    X(EXPECT)                                                                                      \
    X(INPUT)                                                                                       \
    X(PSET)                                                                                        \
    X(DICT)                                                                                        \
    X(DENTRY)                                                                                      \
    X(PRECORD)                                                                                     \
    X(PMAP)                                                                                        \
    X(POPT)                                                                                        \
    X(REPORT)                                                                                      \
    X(RITEM)                                                                                       \
    X(COND)

typedef enum NodeKind {
#define X(k) N_##k,
    AST_NODE_KINDS(X)
#undef X
        N__COUNT
} NodeKind;

extern const char *const ast_kind_names[N__COUNT];

/* Operators of UNARY / BINARY nodes, aggregate kinds of AGG nodes, and
 * attributes of ATTR nodes. */
#define AST_OPS(X)                                                                                 \
    X(OR, "or")                                                                                    \
    X(AND, "and")                                                                                  \
    X(NOT, "not")                                                                                  \
    X(EQ, "==")                                                                                    \
    X(NE, "!=")                                                                                    \
    X(LT, "<")                                                                                     \
    X(LE, "<=")                                                                                    \
    X(GT, ">")                                                                                     \
    X(GE, ">=")                                                                                    \
    X(IN, "in")                                                                                    \
    X(NOTIN, "not in")                                                                             \
    X(MATCHES, "matches")                                                                          \
    X(ADD, "+")                                                                                    \
    X(SUB, "-")                                                                                    \
    X(MUL, "*")                                                                                    \
    X(DIV, "/")                                                                                    \
    X(NEG, "-")                                                                                    \
    X(COUNT, "count")                                                                              \
    X(EXISTS, "exists")                                                                            \
    X(ALL, "all")                                                                                  \
    X(SUM, "sum")                                                                                  \
    X(MIN, "min")                                                                                  \
    X(MAX, "max")                                                                                  \
    X(KEY, "key")                                                                                  \
    X(REQUIRED, "required")                                                                        \
    X(AT_RISK, "at_risk")                                                                          \
    X(AS_OF, "as_of")                                                                              \
    X(PREFIX, "prefix")                                                                            \
    X(TODT, "datetime")                                                                            \
    X(TOMONEY, "money")

typedef enum AstOp {
#define X(e, s) OP_##e,
    AST_OPS(X)
#undef X
        OP__COUNT
} AstOp;

extern const char *const ast_op_names[OP__COUNT];

typedef struct Node Node;
struct Node {
    uint8_t kind; /* NodeKind */
    uint8_t op;   /* AstOp, or a flag for the kind (TYPE: is a list; SCHEMA: extend) */
    int32_t file;
    uint32_t off, end; /* byte span */
    Token name;        /* identifier, or the raw token of a literal */
    const char *str;   /* STRING: unescaped text (NUL-terminated) */
    uint32_t slen;
    int64_t ival;        /* INT/MONEY/DATE/DATETIME/DURATION/BOOL value */
    Node *a, *b, *c, *d; /* children; meaning depends on the kind */
    Node *list;          /* first of a child list (linked by next) */
    Node *next;          /* next sibling in a list */
    /* filled in by the checker */
    Type type;
    uint8_t res;  /* how a NAME/CALL resolved (RES_* in check.h) */
    int32_t slot; /* local slot / field index / builtin id, -1 if none */
    void *ref;    /* resolved declaration */
};

typedef struct NodeList {
    Node *head, *tail;
} NodeList;

typedef struct ParseCtx {
    Arena *ar;
    DiagList *diags;
    int32_t file;
    const char *src;
    NodeList decls; /* top-level declarations parsed so far */
    Node *expr;     /* result when parsing a lone expression (templates) */
    int syntax_error;
    int out_of_memory;
    void *expr_parser; /* parser object reused by parse_expr */
    /* Deferred rules: with stubs set, a rule's syntax tree is dropped once
     * parsed and a stub with its span is kept instead (allocated in stubs);
     * the checker parses each rule again when it gets to it, one at a time,
     * so a library's trees never all live at once. */
    Arena *stubs;
    ArenaMark decl_mark; /* the arena before the current declaration */
    uint32_t decl_start, lookahead_off;
    Node oom_node; /* handed out once the arena is exhausted */
} ParseCtx;

Token tok_join(Token a, Token b);
NodeList ast_list(Node *first);
NodeList ast_append(NodeList l, Node *n);

void ast_add_decl(ParseCtx *c, Node *decl);
Node *ast_import(ParseCtx *c, Token kw, Token path);
Node *ast_enum(ParseCtx *c, Token kw, Token name, NodeList members, Token rbrace);
/* A MEMBER: name, a = its label STRING, list = its codes (STRINGs). */
Node *ast_member(ParseCtx *c, Token name, Token *label);
Node *ast_member_codes(ParseCtx *c, Node *member, NodeList codes);
Node *ast_schema(ParseCtx *c, Token kw, Token name, NodeList fields, Token rbrace, int extend);
Node *ast_field(ParseCtx *c, Token name, Node *type, NodeList attrs, Node *derived);
Node *ast_type(ParseCtx *c, Token name, Token *list_kw);
Node *ast_attr(ParseCtx *c, Token t, int op);
Node *ast_category(ParseCtx *c, Token kw, Token name, Token *title, NodeList props, Token rbrace);
Node *ast_prop(ParseCtx *c, Token key, Node *value);
/* A TABLE: a = its file (STRING), c = the file's encoding (STRING) when
 * declared (`encoding "gb18030"`), list = its columns. */
Node *ast_table(ParseCtx *c, Token kw, Token name, Token path, Token *encoding, NodeList columns,
                Token rbrace);
/* `extend table NAME from "file.csv"`: a TABLE node with op 1 and no columns. */
Node *ast_extend_table(ParseCtx *c, Token kw, Token name, Token path, Token *encoding);
Node *ast_define(ParseCtx *c, Token kw, Token name, NodeList params, Node *body);
Node *ast_param(ParseCtx *c, Token name);
Node *ast_rule(ParseCtx *c, Token kw, Token id, Token *title, Token category, NodeList clauses);
Node *ast_phase(ParseCtx *c, Token kw, NodeList names);
Node *ast_effective(ParseCtx *c, Token kw, Token from, Token *to);
Node *ast_for(ParseCtx *c, Token kw, Token var, Node *coll);
Node *ast_match(ParseCtx *c, Token kw, Token var, Token table, Node *key);
Node *ast_when(ParseCtx *c, Token kw, Node *cond);
Node *ast_flag(ParseCtx *c, Token kw, Token target);
Node *ast_flag_amount(ParseCtx *c, Node *flag, Node *amount);
Node *ast_flag_message(ParseCtx *c, Node *flag, Token msg);

/* `lua "file.lua" { fn(types) type ... }` (inline: the source is a [[...]]
 * token); a LUA node's a is the path or source STRING (op 1: inline), its
 * list the LUAFN signatures (list: parameter TYPE nodes, a: result TYPE). */
Node *ast_lua(ParseCtx *c, Token kw, Token src, int is_inline, NodeList fns);
Node *ast_luafn(ParseCtx *c, Token name, NodeList params, Token result);
/* `lua.NAME(args)`: a CALL node with op 1. */
Node *ast_lua_call(ParseCtx *c, Token kw, Token fn, NodeList args, Token rparen);
/* Inline tests: `test "name" { claim {...} ... expect [no] flag RULE ... }`.
 * TEST: str = name (a = its STRING node), list = items (TRECORD claims and
 * EXPECTs).  TRECORD: name = the word before it ('claim'), list = TFIELDs.
 * TFIELD: name = field, a = value (a literal, NAME, or TLIST of TRECORDs).
 * EXPECT: name = rule id, op = 1 for 'no', c = the 'expect' word (NAME),
 * d = the 'no' word (NAME) or NULL, a = line number (INT) or NULL, b =
 * amount (INT or MONEY) or NULL. */
Node *ast_test(ParseCtx *c, Token kw, Token name, NodeList items, Token rbrace);
Node *ast_tclaim(ParseCtx *c, Token word, Node *record);
Node *ast_trecord(ParseCtx *c, Token lbrace, NodeList fields, Token rbrace);
Node *ast_tfield(ParseCtx *c, Token name, Node *value);
Node *ast_tlist(ParseCtx *c, Token lbracket, NodeList records, Token rbracket);
Node *ast_expect(ParseCtx *c, Token word, Token *no, Token rule);
Node *ast_expect_line(ParseCtx *c, Node *e, Token word, Token n);
Node *ast_expect_amount(ParseCtx *c, Node *e, Node *amount);
/* -N of an INT or MONEY literal. */
Node *ast_negative(ParseCtx *c, Token minus, Node *lit);

Node *ast_literal(ParseCtx *c, int kind, Token t);
Node *ast_string(ParseCtx *c, Token t);
Node *ast_bool(ParseCtx *c, Token t, int value);
Node *ast_name(ParseCtx *c, Token t);
Node *ast_fieldref(ParseCtx *c, Node *obj, Token field);
Node *ast_call(ParseCtx *c, Token fn, NodeList args, Token rparen);
Node *ast_unary(ParseCtx *c, int op, Token optok, Node *a);
/* if c then a else b: a = c, b = a, c = b */
Node *ast_cond(ParseCtx *c, Token kw, Node *cond, Node *then, Node *otherwise);
Node *ast_binary(ParseCtx *c, int op, Node *a, Node *b);
Node *ast_paren(ParseCtx *c, Token lp, Node *e, Token rp);
Node *ast_set(ParseCtx *c, Token lbrace, NodeList elems, Token rbrace);
/* `x in L`, a binder of an aggregate (a PARAM node, the list in a); its
 * other binder is `match r in T on K` (a MATCH node, as the rule clause). */
Node *ast_binder(ParseCtx *c, Token var, Node *coll);
/* An aggregate: its binders in list (each loops inside the previous one),
 * where-condition in b, value (sum/min/max) in c. */
Node *ast_agg(ParseCtx *c, Token kw, int op, Node *value, NodeList binds, Node *where,
              Token rparen);

/* Input profiles (`input NAME ["title"] { ... }`, docs/input.md).
 * INPUT: name, a = title STRING or NULL, list = its items: PSET, DICT and
 * PRECORD nodes.  PSET (`claims "path"`, `group "col"`, `ignore "a", "b"`,
 * `format json`): name = the setting, list = STRING values, a = the word
 * (NAME) of `format WORD`.  DICT (`dict NAME TYPE { "code" VALUE ... }`):
 * name, a = the type (NAME), list = DENTRY (a = the code STRING, b = the
 * value: a literal or NAME).  PRECORD (`claim { ... }`, `lines "path" {
 * ... }`): name = the schema field ('claim' for the claim itself), a = the
 * path STRING or NULL, list = PMAPs.  PMAP: name = the field, list = POPTs.
 * POPT: op = a PoptKind, list = its values (STRINGs; DICT: a NAME;
 * DEFAULT: one literal or NAME). */
#define AST_POPTS(X)                                                                               \
    X(PATH, "path")                                                                                \
    X(POSITION, "position")                                                                        \
    X(DICT, "dict")                                                                                \
    X(FORMAT, "format")                                                                            \
    X(MISSING, "missing")                                                                          \
    X(DEFAULT, "default")

typedef enum PoptKind {
#define X(e, s) POPT_##e,
    AST_POPTS(X)
#undef X
        POPT__COUNT
} PoptKind;

Node *ast_input(ParseCtx *c, Token kw, Token name, Token *title, NodeList items, Token rbrace);
Node *ast_pset(ParseCtx *c, Token key, NodeList values);
Node *ast_pset_word(ParseCtx *c, Token key, Token word);
Node *ast_dict(ParseCtx *c, Token kw, Token name, Token type, NodeList entries, Token rbrace);
Node *ast_dentry(ParseCtx *c, Token code, Node *value);
Node *ast_precord(ParseCtx *c, Token field, Token *path, NodeList maps, Token rbrace);
Node *ast_pmap(ParseCtx *c, Token field, NodeList opts);
/* An option of a mapping; kw is its word (the path STRING for POPT_PATH). */
Node *ast_popt(ParseCtx *c, Token kw, int kind, NodeList values);
/* A list of one node (for `dict NAME`, `default VALUE`). */
NodeList ast_one(Node *n);

/* The report configuration (`report { ... }`, docs/language.md).  REPORT:
 * name = the `report` word, list = RITEMs.  RITEM: name = its word
 * (worklist, ledger, grade; inside: at, indicator, cut); a = its value (the
 * worklist STRING, the ledger period NAME, the step's points INT, the
 * indicator's NAME, or NULL); b = a route's condition (PROP tests under
 * BINARY and/or, UNARY not), the NAME after a worklist (`otherwise`), or a
 * step's sanction STRING; list = the items inside its braces (RITEMs), or
 * the `key value` PROPs of an indicator or cut. */
Node *ast_report(ParseCtx *c, Token kw, NodeList items, Token rbrace);
Node *ast_ritem(ParseCtx *c, Token key, Node *value, Node *b, NodeList list, Token *rbrace);

/* Copies out the text of a token as a NUL-terminated arena string. */
const char *tok_str(Arena *ar, Token t);
int tok_eq(Token t, const char *s);

#endif
