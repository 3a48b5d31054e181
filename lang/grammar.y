/* grammar.y — the Arbiter grammar (lemon).  Actions are one-line calls to
 * the ast_* constructors in ast.c; no logic lives here. */

%name ArbParse
%token_prefix TK_
%token_type {Token}
%default_type {Node *}
%extra_argument {ParseCtx *ctx}
%start_symbol program

%include {
#include <assert.h>
#include <stdlib.h>
#include "ast.h"
#include "syntax.h"
}

%syntax_error { parse_syntax_error(ctx, yymajor, TOKEN); }
%stack_overflow { parse_stack_overflow(ctx); }

/* Keywords that may also name fields, columns and the like. */
%fallback IDENT AMOUNT MESSAGE KEY REQUIRED AT_RISK AS_OF TO OF LIST FROM ON TEST CODES ENCODING INPUT DICT FORMAT MISSING DEFAULT POSITION REPORT.

%right ELSE.
%left OR.
%left AND.
%right NOT.
%nonassoc EQ NE LT LE GT GE IN MATCHES.
%left PLUS MINUS.
%left STAR SLASH.
%right UMINUS.
%left DOT.

%token EXPR_START.

program ::= decls.
program ::= EXPR_START expr(E). { ctx->expr = E; }

decls ::= .
decls ::= decls decl(D). { ast_add_decl(ctx, D); }

/* --- declarations --------------------------------------------------------- */
decl(A) ::= IMPORT(K) STRING(P). { A = ast_import(ctx, K, P); }
decl(A) ::= ENUM(K) IDENT(N) LBRACE members(M) RBRACE(R). { A = ast_enum(ctx, K, N, M, R); }
decl(A) ::= SCHEMA(K) IDENT(N) LBRACE fields(F) RBRACE(R). { A = ast_schema(ctx, K, N, F, R, 0); }
decl(A) ::= EXTEND(K) SCHEMA IDENT(N) LBRACE fields(F) RBRACE(R). { A = ast_schema(ctx, K, N, F, R, 1); }
decl(A) ::= CATEGORY(K) IDENT(N) LBRACE props(P) RBRACE(R). { A = ast_category(ctx, K, N, NULL, P, R); }
decl(A) ::= CATEGORY(K) IDENT(N) STRING(T) LBRACE props(P) RBRACE(R). { A = ast_category(ctx, K, N, &T, P, R); }
decl(A) ::= TABLE(K) IDENT(N) FROM STRING(P) LBRACE fields(F) RBRACE(R). { A = ast_table(ctx, K, N, P, NULL, F, R); }
decl(A) ::= TABLE(K) IDENT(N) FROM STRING(P) ENCODING STRING(E) LBRACE fields(F) RBRACE(R). { A = ast_table(ctx, K, N, P, &E, F, R); }
decl(A) ::= EXTEND(K) TABLE IDENT(N) FROM STRING(P). { A = ast_extend_table(ctx, K, N, P, NULL); }
decl(A) ::= EXTEND(K) TABLE IDENT(N) FROM STRING(P) ENCODING STRING(E). { A = ast_extend_table(ctx, K, N, P, &E); }
decl(A) ::= DEFINE(K) IDENT(N) ASSIGN expr(E). { A = ast_define(ctx, K, N, ast_list(NULL), E); }
decl(A) ::= DEFINE(K) IDENT(N) LPAREN params(P) RPAREN ASSIGN expr(E). { A = ast_define(ctx, K, N, P, E); }
decl(A) ::= RULE(K) rule_id(I) IN IDENT(C) clauses(L). { A = ast_rule(ctx, K, I, NULL, C, L); }
decl(A) ::= LUA(K) STRING(P) LBRACE luafns(F) RBRACE. { A = ast_lua(ctx, K, P, 0, F); }
decl(A) ::= LUA(K) LUASRC(P) LBRACE luafns(F) RBRACE. { A = ast_lua(ctx, K, P, 1, F); }

/* Lua functions a rule file uses: NAME(param types) result type */
%type luafns {NodeList}
luafns(A) ::= . { A = ast_list(NULL); }
luafns(A) ::= luafns(L) luafn(F). { A = ast_append(L, F); }
luafn(A) ::= IDENT(N) LPAREN luaparams(P) RPAREN IDENT(T). { A = ast_luafn(ctx, N, P, T); }
%type luaparams {NodeList}
luaparams(A) ::= . { A = ast_list(NULL); }
luaparams(A) ::= type(T). { A = ast_list(T); }
luaparams(A) ::= luaparams(L) COMMA type(T). { A = ast_append(L, T); }
decl(A) ::= RULE(K) rule_id(I) STRING(T) IN IDENT(C) clauses(L). { A = ast_rule(ctx, K, I, &T, C, L); }

decl(A) ::= TEST(K) STRING(N) LBRACE titems(L) RBRACE(R). { A = ast_test(ctx, K, N, L, R); }

/* --- input profiles (docs/input.md) ----------------------------------------- */
decl(A) ::= INPUT(K) IDENT(N) LBRACE pitems(L) RBRACE(R). { A = ast_input(ctx, K, N, NULL, L, R); }
decl(A) ::= INPUT(K) IDENT(N) STRING(T) LBRACE pitems(L) RBRACE(R). { A = ast_input(ctx, K, N, &T, L, R); }
%type pitems {NodeList}
pitems(A) ::= . { A = ast_list(NULL); }
pitems(A) ::= pitems(L) pitem(I). { A = ast_append(L, I); }
pitem(A) ::= IDENT(K) strs(V). { A = ast_pset(ctx, K, V); }
pitem(A) ::= FORMAT(K) IDENT(W). { A = ast_pset_word(ctx, K, W); }
pitem(A) ::= DICT(K) IDENT(N) IDENT(T) LBRACE dentries(L) RBRACE(R). { A = ast_dict(ctx, K, N, T, L, R); }
pitem(A) ::= IDENT(F) LBRACE pmaps(L) RBRACE(R). { A = ast_precord(ctx, F, NULL, L, R); }
pitem(A) ::= IDENT(F) STRING(P) LBRACE pmaps(L) RBRACE(R). { A = ast_precord(ctx, F, &P, L, R); }
%type strs {NodeList}
strs(A) ::= STRING(S). { A = ast_list(ast_string(ctx, S)); }
strs(A) ::= strs(L) COMMA STRING(S). { A = ast_append(L, ast_string(ctx, S)); }
%type dentries {NodeList}
dentries(A) ::= . { A = ast_list(NULL); }
dentries(A) ::= dentries(L) STRING(S) pval(V). { A = ast_append(L, ast_dentry(ctx, S, V)); }
%type pmaps {NodeList}
pmaps(A) ::= . { A = ast_list(NULL); }
pmaps(A) ::= pmaps(L) IDENT(F) popts(O). { A = ast_append(L, ast_pmap(ctx, F, O)); }
%type popts {NodeList}
popts(A) ::= . { A = ast_list(NULL); }
popts(A) ::= popts(L) popt(O). { A = ast_append(L, O); }
popt(A) ::= STRING(P). { A = ast_popt(ctx, P, POPT_PATH, ast_list(NULL)); }
popt(A) ::= POSITION(K). { A = ast_popt(ctx, K, POPT_POSITION, ast_list(NULL)); }
popt(A) ::= DICT(K) IDENT(N). { A = ast_popt(ctx, K, POPT_DICT, ast_one(ast_name(ctx, N))); }
popt(A) ::= FORMAT(K) strs(S). { A = ast_popt(ctx, K, POPT_FORMAT, S); }
popt(A) ::= MISSING(K) strs(S). { A = ast_popt(ctx, K, POPT_MISSING, S); }
popt(A) ::= DEFAULT(K) pval(V). { A = ast_popt(ctx, K, POPT_DEFAULT, ast_one(V)); }
pval(A) ::= tnum(V). { A = V; }
pval(A) ::= STRING(T). { A = ast_string(ctx, T); }
pval(A) ::= DATE(T). { A = ast_literal(ctx, N_DATE, T); }
pval(A) ::= DATETIME(T). { A = ast_literal(ctx, N_DATETIME, T); }
pval(A) ::= TRUE(T). { A = ast_bool(ctx, T, 1); }
pval(A) ::= FALSE(T). { A = ast_bool(ctx, T, 0); }
pval(A) ::= IDENT(T). { A = ast_name(ctx, T); }

/* --- report configuration (docs/language.md) -------------------------------
 * report { worklist "督办" when severity high and nature definite
 *          ledger calendar_year { at 4 "警示约谈" }
 *          grade { indicator NAME weight 0.3 good 20 bad 100  cut A 90 B 75 C 60 } } */
decl(A) ::= REPORT(K) LBRACE ritems(L) RBRACE(R). { A = ast_report(ctx, K, L, R); }
%type ritems {NodeList}
ritems(A) ::= . { A = ast_list(NULL); }
ritems(A) ::= ritems(L) ritem(I). { A = ast_append(L, I); }
ritem(A) ::= IDENT(K) STRING(W) WHEN rcond(C). { A = ast_ritem(ctx, K, ast_string(ctx, W), C, ast_list(NULL), NULL); }
ritem(A) ::= IDENT(K) STRING(W) IDENT(O). { A = ast_ritem(ctx, K, ast_string(ctx, W), ast_name(ctx, O), ast_list(NULL), NULL); }
ritem(A) ::= IDENT(K) IDENT(M) LBRACE rsubs(L) RBRACE(R). { A = ast_ritem(ctx, K, ast_name(ctx, M), NULL, L, &R); }
ritem(A) ::= IDENT(K) LBRACE rsubs(L) RBRACE(R). { A = ast_ritem(ctx, K, NULL, NULL, L, &R); }
%type rsubs {NodeList}
rsubs(A) ::= . { A = ast_list(NULL); }
rsubs(A) ::= rsubs(L) rsub(I). { A = ast_append(L, I); }
rsub(A) ::= IDENT(K) INT(P) STRING(S). { A = ast_ritem(ctx, K, ast_literal(ctx, N_INT, P), ast_string(ctx, S), ast_list(NULL), NULL); }
rsub(A) ::= IDENT(K) IDENT(N) rkv(X) rkv(Y) rkv(Z). { A = ast_ritem(ctx, K, ast_name(ctx, N), NULL, ast_append(ast_append(ast_list(X), Y), Z), NULL); }
rsub(A) ::= IDENT(K) rkv(X) rkv(Y) rkv(Z). { A = ast_ritem(ctx, K, NULL, NULL, ast_append(ast_append(ast_list(X), Y), Z), NULL); }
rkv(A) ::= IDENT(K) tnum(V). { A = ast_prop(ctx, K, V); }
rkv(A) ::= IDENT(K) STRING(V). { A = ast_prop(ctx, K, ast_string(ctx, V)); }
/* a route's condition: severity/nature/tier/category tests with and, or, not */
rcond(A) ::= rcond(L) OR rcond(R). { A = ast_binary(ctx, OP_OR, L, R); }
rcond(A) ::= rcond(L) AND rcond(R). { A = ast_binary(ctx, OP_AND, L, R); }
rcond(A) ::= NOT(K) rcond(E). { A = ast_unary(ctx, OP_NOT, K, E); }
rcond(A) ::= LPAREN(L) rcond(E) RPAREN(R). { A = ast_paren(ctx, L, E, R); }
rcond(A) ::= SEVERITY(K) IDENT(V). { A = ast_prop(ctx, K, ast_name(ctx, V)); }
rcond(A) ::= NATURE(K) IDENT(V). { A = ast_prop(ctx, K, ast_name(ctx, V)); }
rcond(A) ::= CATEGORY(K) IDENT(V). { A = ast_prop(ctx, K, ast_name(ctx, V)); }
rcond(A) ::= IDENT(K) IDENT(V). { A = ast_prop(ctx, K, ast_name(ctx, V)); }

%type members {NodeList}
members(A) ::= . { A = ast_list(NULL); }
members(A) ::= members(L) member(M). { A = ast_append(L, M); }
member(A) ::= IDENT(N). { A = ast_member(ctx, N, NULL); }
member(A) ::= IDENT(N) STRING(L). { A = ast_member(ctx, N, &L); }
member(A) ::= IDENT(N) STRING(L) CODES codes(C). { A = ast_member_codes(ctx, ast_member(ctx, N, &L), C); }
/* other spellings of a member in data: `M "男" codes "1", "01"` */
%type codes {NodeList}
codes(A) ::= STRING(S). { A = ast_list(ast_string(ctx, S)); }
codes(A) ::= codes(L) COMMA STRING(S). { A = ast_append(L, ast_string(ctx, S)); }

%type fields {NodeList}
fields(A) ::= . { A = ast_list(NULL); }
fields(A) ::= fields(L) field(F). { A = ast_append(L, F); }
field(A) ::= IDENT(N) type(T) attrs(S). { A = ast_field(ctx, N, T, S, NULL); }
field(A) ::= IDENT(N) type(T) ASSIGN expr(E). { A = ast_field(ctx, N, T, ast_list(NULL), E); }
type(A) ::= IDENT(N). { A = ast_type(ctx, N, NULL); }
type(A) ::= LIST(L) OF IDENT(N). { A = ast_type(ctx, N, &L); }

%type attrs {NodeList}
attrs(A) ::= . { A = ast_list(NULL); }
attrs(A) ::= attrs(L) attr(X). { A = ast_append(L, X); }
attr(A) ::= KEY(T). { A = ast_attr(ctx, T, OP_KEY); }
attr(A) ::= REQUIRED(T). { A = ast_attr(ctx, T, OP_REQUIRED); }
attr(A) ::= AT_RISK(T). { A = ast_attr(ctx, T, OP_AT_RISK); }
attr(A) ::= AS_OF(T). { A = ast_attr(ctx, T, OP_AS_OF); }
attr(A) ::= PREFIX(T). { A = ast_attr(ctx, T, OP_PREFIX); }

%type props {NodeList}
props(A) ::= . { A = ast_list(NULL); }
props(A) ::= props(L) prop(P). { A = ast_append(L, P); }
prop(A) ::= IDENT(K) propval(V). { A = ast_prop(ctx, K, V); }
prop(A) ::= SEVERITY(K) propval(V). { A = ast_prop(ctx, K, V); }
prop(A) ::= NATURE(K) propval(V). { A = ast_prop(ctx, K, V); }
prop(A) ::= POINTS(K) propval(V). { A = ast_prop(ctx, K, V); }
propval(A) ::= STRING(T). { A = ast_string(ctx, T); }
propval(A) ::= INT(T). { A = ast_literal(ctx, N_INT, T); }
propval(A) ::= IDENT(T). { A = ast_name(ctx, T); }

%type params {NodeList}
params(A) ::= IDENT(N). { A = ast_list(ast_param(ctx, N)); }
params(A) ::= params(L) COMMA IDENT(N). { A = ast_append(L, ast_param(ctx, N)); }

%type rule_id {Token}
rule_id(A) ::= IDENT(T). { A = T; }
rule_id(A) ::= rule_id(B) DOT IDENT(T). { A = tok_join(B, T); }
rule_id(A) ::= rule_id(B) DOT INT(T). { A = tok_join(B, T); }

/* --- inline tests ----------------------------------------------------------- */
%type titems {NodeList}
titems(A) ::= . { A = ast_list(NULL); }
titems(A) ::= titems(L) titem(I). { A = ast_append(L, I); }
titem(A) ::= IDENT(K) trecord(R). { A = ast_tclaim(ctx, K, R); }
titem(A) ::= expect(E). { A = E; }
expect(A) ::= IDENT(K) FLAG rule_id(I). { A = ast_expect(ctx, K, NULL, I); }
expect(A) ::= IDENT(K) IDENT(N) FLAG rule_id(I). { A = ast_expect(ctx, K, &N, I); }
expect(A) ::= expect(E) ON IDENT(L) INT(N). { A = ast_expect_line(ctx, E, L, N); }
expect(A) ::= expect(E) AMOUNT tnum(M). { A = ast_expect_amount(ctx, E, M); }

trecord(A) ::= LBRACE(L) tfields(F) RBRACE(R). { A = ast_trecord(ctx, L, F, R); }
%type tfields {NodeList}
tfields(A) ::= . { A = ast_list(NULL); }
tfields(A) ::= tfields(L) tfield(F). { A = ast_append(L, F); }
tfields(A) ::= tfields(L) COMMA. { A = L; }
tfield(A) ::= IDENT(N) COLON tval(V). { A = ast_tfield(ctx, N, V); }

tval(A) ::= tnum(V). { A = V; }
tval(A) ::= STRING(T). { A = ast_string(ctx, T); }
tval(A) ::= DATE(T). { A = ast_literal(ctx, N_DATE, T); }
tval(A) ::= DATETIME(T). { A = ast_literal(ctx, N_DATETIME, T); }
tval(A) ::= DURATION(T). { A = ast_literal(ctx, N_DURATION, T); }
tval(A) ::= TRUE(T). { A = ast_bool(ctx, T, 1); }
tval(A) ::= FALSE(T). { A = ast_bool(ctx, T, 0); }
tval(A) ::= IDENT(T). { A = ast_name(ctx, T); }
tval(A) ::= LBRACKET(L) trecords(E) RBRACKET(R). { A = ast_tlist(ctx, L, E, R); }
tnum(A) ::= INT(T). { A = ast_literal(ctx, N_INT, T); }
tnum(A) ::= MONEY(T). { A = ast_literal(ctx, N_MONEY, T); }
tnum(A) ::= MINUS(K) INT(T). { A = ast_negative(ctx, K, ast_literal(ctx, N_INT, T)); }
tnum(A) ::= MINUS(K) MONEY(T). { A = ast_negative(ctx, K, ast_literal(ctx, N_MONEY, T)); }
%type trecords {NodeList}
trecords(A) ::= . { A = ast_list(NULL); }
trecords(A) ::= trecords(L) trecord(R). { A = ast_append(L, R); }
trecords(A) ::= trecords(L) COMMA. { A = L; }

/* --- rule clauses ---------------------------------------------------------- */
%type clauses {NodeList}
clauses(A) ::= . { A = ast_list(NULL); }
clauses(A) ::= clauses(L) clause(C). { A = ast_append(L, C); }

clause(A) ::= PHASE(K) phases(P). { A = ast_phase(ctx, K, P); }
clause(A) ::= EFFECTIVE(K) DATE(F). { A = ast_effective(ctx, K, F, NULL); }
clause(A) ::= EFFECTIVE(K) DATE(F) TO DATE(T). { A = ast_effective(ctx, K, F, &T); }
clause(A) ::= SEVERITY(K) IDENT(V). { A = ast_prop(ctx, K, ast_name(ctx, V)); }
clause(A) ::= NATURE(K) IDENT(V). { A = ast_prop(ctx, K, ast_name(ctx, V)); }
clause(A) ::= POINTS(K) INT(V). { A = ast_prop(ctx, K, ast_literal(ctx, N_INT, V)); }
clause(A) ::= FOR(K) IDENT(V) IN expr(E). { A = ast_for(ctx, K, V, E); }
clause(A) ::= MATCH(K) IDENT(V) IN IDENT(T) ON expr(E). { A = ast_match(ctx, K, V, T, E); }
clause(A) ::= WHEN(K) expr(E). { A = ast_when(ctx, K, E); }
clause(A) ::= flag(F). { A = F; }

%type phases {NodeList}
phases(A) ::= IDENT(N). { A = ast_list(ast_name(ctx, N)); }
phases(A) ::= phases(L) IDENT(N). { A = ast_append(L, ast_name(ctx, N)); }

flag(A) ::= FLAG(K) IDENT(T). { A = ast_flag(ctx, K, T); }
flag(A) ::= flag(F) AMOUNT expr(E). { A = ast_flag_amount(ctx, F, E); }
flag(A) ::= flag(F) MESSAGE STRING(S). { A = ast_flag_message(ctx, F, S); }

/* --- expressions ------------------------------------------------------------ */
expr(A) ::= IF(K) expr(C) THEN expr(X) ELSE expr(Y). { A = ast_cond(ctx, K, C, X, Y); }
expr(A) ::= expr(L) OR expr(R). { A = ast_binary(ctx, OP_OR, L, R); }
expr(A) ::= expr(L) AND expr(R). { A = ast_binary(ctx, OP_AND, L, R); }
expr(A) ::= NOT(K) expr(E). { A = ast_unary(ctx, OP_NOT, K, E); }
expr(A) ::= expr(L) EQ expr(R). { A = ast_binary(ctx, OP_EQ, L, R); }
expr(A) ::= expr(L) NE expr(R). { A = ast_binary(ctx, OP_NE, L, R); }
expr(A) ::= expr(L) LT expr(R). { A = ast_binary(ctx, OP_LT, L, R); }
expr(A) ::= expr(L) LE expr(R). { A = ast_binary(ctx, OP_LE, L, R); }
expr(A) ::= expr(L) GT expr(R). { A = ast_binary(ctx, OP_GT, L, R); }
expr(A) ::= expr(L) GE expr(R). { A = ast_binary(ctx, OP_GE, L, R); }
expr(A) ::= expr(L) IN expr(R). { A = ast_binary(ctx, OP_IN, L, R); }
expr(A) ::= expr(L) NOT IN expr(R). [IN] { A = ast_binary(ctx, OP_NOTIN, L, R); }
expr(A) ::= expr(L) MATCHES expr(R). { A = ast_binary(ctx, OP_MATCHES, L, R); }
expr(A) ::= expr(L) PLUS expr(R). { A = ast_binary(ctx, OP_ADD, L, R); }
expr(A) ::= expr(L) MINUS expr(R). { A = ast_binary(ctx, OP_SUB, L, R); }
expr(A) ::= expr(L) STAR expr(R). { A = ast_binary(ctx, OP_MUL, L, R); }
expr(A) ::= expr(L) SLASH expr(R). { A = ast_binary(ctx, OP_DIV, L, R); }
expr(A) ::= MINUS(K) expr(E). [UMINUS] { A = ast_unary(ctx, OP_NEG, K, E); }
expr(A) ::= expr(E) DOT IDENT(F). { A = ast_fieldref(ctx, E, F); }
expr(A) ::= LPAREN(L) expr(E) RPAREN(R). { A = ast_paren(ctx, L, E, R); }
expr(A) ::= IDENT(N). { A = ast_name(ctx, N); }
expr(A) ::= IDENT(N) LPAREN args(L) RPAREN(R). { A = ast_call(ctx, N, L, R); }
expr(A) ::= LUA(K) DOT IDENT(N) LPAREN args(L) RPAREN(R). { A = ast_lua_call(ctx, K, N, L, R); }
expr(A) ::= STRING(T). { A = ast_string(ctx, T); }
expr(A) ::= TRUE(T). { A = ast_bool(ctx, T, 1); }
expr(A) ::= FALSE(T). { A = ast_bool(ctx, T, 0); }
expr(A) ::= INT(T). { A = ast_literal(ctx, N_INT, T); }
expr(A) ::= MONEY(T). { A = ast_literal(ctx, N_MONEY, T); }
expr(A) ::= DATE(T). { A = ast_literal(ctx, N_DATE, T); }
expr(A) ::= DATETIME(T). { A = ast_literal(ctx, N_DATETIME, T); }
expr(A) ::= DURATION(T). { A = ast_literal(ctx, N_DURATION, T); }
expr(A) ::= LBRACE(L) elems(E) RBRACE(R). { A = ast_set(ctx, L, E, R); }
expr(A) ::= COUNT(K) LPAREN binds(B) RPAREN(R). { A = ast_agg(ctx, K, OP_COUNT, NULL, B, NULL, R); }
expr(A) ::= COUNT(K) LPAREN binds(B) WHERE expr(W) RPAREN(R). { A = ast_agg(ctx, K, OP_COUNT, NULL, B, W, R); }
expr(A) ::= EXISTS(K) LPAREN binds(B) RPAREN(R). { A = ast_agg(ctx, K, OP_EXISTS, NULL, B, NULL, R); }
expr(A) ::= EXISTS(K) LPAREN binds(B) WHERE expr(W) RPAREN(R). { A = ast_agg(ctx, K, OP_EXISTS, NULL, B, W, R); }
expr(A) ::= ANY(K) LPAREN binds(B) RPAREN(R). { A = ast_agg(ctx, K, OP_EXISTS, NULL, B, NULL, R); }
expr(A) ::= ANY(K) LPAREN binds(B) WHERE expr(W) RPAREN(R). { A = ast_agg(ctx, K, OP_EXISTS, NULL, B, W, R); }
expr(A) ::= ALL(K) LPAREN binds(B) WHERE expr(W) RPAREN(R). { A = ast_agg(ctx, K, OP_ALL, NULL, B, W, R); }
expr(A) ::= SUM(K) LPAREN expr(E) FOR binds(B) RPAREN(R). { A = ast_agg(ctx, K, OP_SUM, E, B, NULL, R); }
expr(A) ::= SUM(K) LPAREN expr(E) FOR binds(B) WHERE expr(W) RPAREN(R). { A = ast_agg(ctx, K, OP_SUM, E, B, W, R); }
expr(A) ::= MIN(K) LPAREN expr(E) FOR binds(B) RPAREN(R). { A = ast_agg(ctx, K, OP_MIN, E, B, NULL, R); }
expr(A) ::= MIN(K) LPAREN expr(E) FOR binds(B) WHERE expr(W) RPAREN(R). { A = ast_agg(ctx, K, OP_MIN, E, B, W, R); }
expr(A) ::= MAX(K) LPAREN expr(E) FOR binds(B) RPAREN(R). { A = ast_agg(ctx, K, OP_MAX, E, B, NULL, R); }
expr(A) ::= MAX(K) LPAREN expr(E) FOR binds(B) WHERE expr(W) RPAREN(R). { A = ast_agg(ctx, K, OP_MAX, E, B, W, R); }

/* Binders of an aggregate: `x in L` or `match r in T on K`, each nesting in
 * the previous one and free to use its variable (`x in claim.lines, y in
 * x.parts`, `x in claim.lines, match q in T on x.item_code`). */
%type binds {NodeList}
binds(A) ::= bind(B). { A = ast_list(B); }
binds(A) ::= binds(L) COMMA bind(B). { A = ast_append(L, B); }
bind(A) ::= IDENT(V) IN expr(C). { A = ast_binder(ctx, V, C); }
bind(A) ::= MATCH(K) IDENT(V) IN IDENT(T) ON expr(E). { A = ast_match(ctx, K, V, T, E); }

%type args {NodeList}
args(A) ::= . { A = ast_list(NULL); }
args(A) ::= arglist(L). { A = L; }
%type arglist {NodeList}
arglist(A) ::= expr(E). { A = ast_list(E); }
arglist(A) ::= arglist(L) COMMA expr(E). { A = ast_append(L, E); }

%type elems {NodeList}
elems(A) ::= . { A = ast_list(NULL); }
elems(A) ::= arglist(L). { A = L; }

%code {
/* The parser object's size, so the driver can place it in its arena. */
size_t ArbParseSize(void) { return sizeof(yyParser); }
}
