/* fmt.c — the formatter (`arbiter fmt`, arb_format): a token stream with its
 * comments, laid out again by rules per construct (docs/language.md,
 * "Formatting").
 *
 * The text is parsed first (text that does not parse is refused), then
 * lexed again with the gaps between tokens scanned for comments and line
 * breaks.  Line breaks are the author's (a declaration, and a rule's clause,
 * always starts a line); what is canonical is the indentation, the spaces
 * between tokens, blank lines (at most one) and the alignment of columns in
 * schema, table, enum and input-profile blocks.  A construct the formatter
 * knows nothing about keeps its line breaks and gets the generic spacing and
 * bracket indentation, so new syntax is formatted faithfully.  Before the
 * result is returned it is lexed again and its tokens and comments compared
 * with the input's: formatting never changes a token. */
#include "fmt.h"

#include <string.h>

#include "grammar.h"
#include "syntax.h"

enum { FI_COMMENT = -1 };

typedef struct Item {
    int tk; /* TK_*, or FI_COMMENT */
    uint32_t off, len;
    uint32_t nl; /* line breaks between the previous item and this one */
} Item;

typedef struct Items {
    Alloc a;
    Item *v;
    size_t n, cap;
    int oom;
} Items;

/* kinds of declaration the layout knows */
enum { D_NONE, D_RULE, D_DEFINE, D_TABLE, D_SCHEMA, D_ENUM, D_CATEGORY, D_INPUT, D_TEST, D_OTHER };

typedef struct Open {
    int tk;          /* the opening bracket */
    int block;       /* it ended its line: the contents are a block */
    int line_indent; /* indentation of the line it is on */
    int col;         /* its column */
    int align_col;   /* column of the token after it (not a block) */
    int pending;     /* align_col not known yet */
    int where;       /* a `where` inside it so far */
    long entry;      /* the last entry line of the block (not a continuation), or -1 */
} Open;

/* One output line: code (cells and a trailing comment) or a comment. */
typedef struct OLine {
    int indent;
    int blank_before;
    int comment_only;
    int eligible; /* may align its cells with its neighbours */
    int ncell;    /* 1..3 */
    size_t cell[3], cell_len[3];
    int sep[3]; /* spaces before cell k (k > 0) when not aligned */
    uint32_t cell_w[3];
    size_t com, com_len; /* trailing (or whole-line) comment; com_len 0: none */
    long cont_of;        /* a block entry's continuation: the entry line, or -1 */
    int col2;            /* its second token's column less the indentation, or -1 */
    int pad;             /* spaces after the widest aligned cell */
} OLine;

typedef struct Fmt {
    const char *src;
    Items it;
    StrBuf txt; /* the cells' and comments' text */
    OLine *lines;
    size_t nlines, cap;
    int oom;
    Open st[256];
    int depth;
    int kind;               /* D_* of the current declaration */
    int head_col, head_len; /* the current clause (or declaration) keyword */
} Fmt;

static void items_push(Items *it, int tk, uint32_t off, uint32_t len, uint32_t nl) {
    if (mem_grow(it->a, (void **)&it->v, sizeof(Item), &it->cap, it->n + 1)) {
        it->oom = 1;
        return;
    }
    it->v[it->n++] = (Item){tk, off, len, nl};
}

/* Scans src[from..to), whitespace and comments only, into items; returns
 * the line breaks after the last comment. */
static uint32_t scan_gap(Items *it, const char *src, uint32_t from, uint32_t to, uint32_t nl) {
    for (uint32_t i = from; i < to; i++) {
        if (src[i] == '\n') {
            nl++;
        } else if (src[i] == '#') {
            uint32_t e = i;
            while (e < to && src[e] != '\n') e++;
            uint32_t t = e;
            while (t > i && (src[t - 1] == ' ' || src[t - 1] == '\t' || src[t - 1] == '\r')) t--;
            items_push(it, FI_COMMENT, i, t - i, nl);
            nl = 0;
            i = e - 1;
        }
    }
    return nl;
}

/* Lexes text (NUL-terminated) into tokens and comments.  Returns the lexer's
 * error count. */
static int collect(const char *text, size_t len, Items *it, DiagList *dl, Arena *ar) {
    ParseCtx pc;
    memset(&pc, 0, sizeof pc);
    pc.ar = ar;
    pc.diags = dl;
    pc.src = text;
    Lexer lx;
    lex_init(&lx, text, len, 0);
    size_t errs = dl->errors;
    uint32_t prev = 0, nl = 0;
    Token t;
    int tk;
    while ((tk = lex_next(&lx, &t, &pc)) != 0) {
        nl = scan_gap(it, text, prev, t.off, nl);
        items_push(it, tk, t.off, t.len, nl);
        nl = 0;
        prev = t.off + t.len;
    }
    scan_gap(it, text, prev, (uint32_t)len, nl);
    return (int)(dl->errors - errs);
}

static int is_word(const Fmt *F, size_t i) {
    const Item *x = &F->it.v[i];
    if (x->tk == FI_COMMENT || !x->len) return 0;
    char c = F->src[x->off];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int tok_is(const Fmt *F, size_t i, int tk) {
    return i < F->it.n && F->it.v[i].tk == tk;
}

/* The previous token (not comment) before i, or -1. */
static long prev_tok(const Fmt *F, size_t i) {
    long k = (long)i - 1;
    while (k >= 0 && F->it.v[k].tk == FI_COMMENT) k--;
    return k;
}

static size_t next_tok(const Fmt *F, size_t i) {
    size_t k = i + 1;
    while (k < F->it.n && F->it.v[k].tk == FI_COMMENT) k++;
    return k;
}

static int is_open(int tk) {
    return tk == TK_LPAREN || tk == TK_LBRACKET || tk == TK_LBRACE;
}

static int is_close(int tk) {
    return tk == TK_RPAREN || tk == TK_RBRACKET || tk == TK_RBRACE;
}

static int is_clause(int tk) {
    switch (tk) {
    case TK_PHASE:
    case TK_EFFECTIVE:
    case TK_SEVERITY:
    case TK_NATURE:
    case TK_POINTS:
    case TK_FOR:
    case TK_MATCH:
    case TK_WHEN:
    case TK_FLAG: return 1;
    default: return 0;
    }
}

/* Keywords that go on inside a declaration (never start one). */
static int continues(int tk) {
    switch (tk) {
    case TK_AND:
    case TK_OR:
    case TK_NOT:
    case TK_IF:
    case TK_THEN:
    case TK_ELSE:
    case TK_IN:
    case TK_MATCHES:
    case TK_AMOUNT:
    case TK_MESSAGE:
    case TK_ON:
    case TK_FROM:
    case TK_ENCODING:
    case TK_TO:
    case TK_OF:
    case TK_LIST:
    case TK_WHERE:
    case TK_TRUE:
    case TK_FALSE:
    case TK_COUNT:
    case TK_EXISTS:
    case TK_ANY:
    case TK_ALL:
    case TK_SUM:
    case TK_MIN:
    case TK_MAX: return 1;
    default: return is_clause(tk);
    }
}

/* Does token i (at bracket depth 0) start a declaration?  The known
 * declaration keywords do; so does any other keyword at the start of a line
 * that cannot go on a declaration (syntax added later). */
static int starts_decl(const Fmt *F, size_t i, int line_start) {
    const Item *x = &F->it.v[i];
    long p = prev_tok(F, i);
    if (p >= 0 && (F->it.v[p].tk == TK_DOT || F->it.v[p].tk == TK_EXTEND)) return 0;
    if (tok_is(F, next_tok(F, i), TK_DOT)) return 0;
    switch (x->tk) {
    case TK_IMPORT:
    case TK_ENUM:
    case TK_SCHEMA:
    case TK_EXTEND:
    case TK_CATEGORY:
    case TK_TABLE:
    case TK_DEFINE:
    case TK_RULE:
    case TK_LUA: return 1;
    case TK_TEST: return tok_is(F, next_tok(F, i), TK_STRING);
    case TK_INPUT: return tok_is(F, next_tok(F, i), TK_IDENT);
    case TK_IDENT: return 0;
    default: return line_start && is_word(F, i) && !continues(x->tk);
    }
}

static int decl_kind(const Fmt *F, size_t i) {
    switch (F->it.v[i].tk) {
    case TK_RULE: return D_RULE;
    case TK_DEFINE: return D_DEFINE;
    case TK_TABLE: return D_TABLE;
    case TK_SCHEMA: return D_SCHEMA;
    case TK_ENUM: return D_ENUM;
    case TK_CATEGORY: return D_CATEGORY;
    case TK_INPUT: return D_INPUT;
    case TK_TEST: return D_TEST;
    case TK_EXTEND: return tok_is(F, next_tok(F, i), TK_SCHEMA) ? D_SCHEMA : D_TABLE;
    default: return D_OTHER;
    }
}

/* Forces a line break before each declaration and each rule clause. */
static void force_breaks(Fmt *F) {
    int depth = 0, kind = D_NONE;
    for (size_t i = 0; i < F->it.n; i++) {
        Item *x = &F->it.v[i];
        if (x->tk == FI_COMMENT) continue;
        int line_start = i == 0 || x->nl > 0;
        if (depth == 0 && starts_decl(F, i, line_start)) {
            kind = decl_kind(F, i);
            if (i > 0 && !x->nl) x->nl = 1;
        } else if (depth == 0 && kind == D_RULE && is_clause(x->tk) && !x->nl) {
            x->nl = 1;
        }
        if (is_open(x->tk)) depth++;
        if (is_close(x->tk) && depth > 0) depth--;
    }
    /* a token after a comment is on the next line */
    for (size_t i = 1; i < F->it.n; i++)
        if (F->it.v[i - 1].tk == FI_COMMENT && !F->it.v[i].nl) F->it.v[i].nl = 1;
}

/* Does the value before token i end an operand (so a '-' at i is binary)? */
static int ends_operand(const Fmt *F, long p) {
    if (p < 0) return 0;
    int tk = F->it.v[p].tk;
    switch (tk) {
    case TK_IDENT:
    case TK_INT:
    case TK_MONEY:
    case TK_DATE:
    case TK_DATETIME:
    case TK_DURATION:
    case TK_STRING:
    case TK_TRUE:
    case TK_FALSE:
    case TK_RPAREN:
    case TK_RBRACKET:
    case TK_RBRACE: return 1;
    default: break;
    }
    long pp = prev_tok(F, (size_t)p);
    return is_word(F, (size_t)p) && pp >= 0 && F->it.v[pp].tk == TK_DOT;
}

static int is_attr(int tk) {
    return tk == TK_KEY || tk == TK_REQUIRED || tk == TK_AT_RISK || tk == TK_AS_OF ||
           tk == TK_PREFIX;
}

static int is_agg(int tk) {
    return tk == TK_COUNT || tk == TK_EXISTS || tk == TK_ANY || tk == TK_ALL || tk == TK_SUM ||
           tk == TK_MIN || tk == TK_MAX;
}

/* Spaces between token p and token c, the k-th token of its line. */
static int space_between(const Fmt *F, size_t p, size_t c, int k) {
    int a = F->it.v[p].tk, b = F->it.v[c].tk;
    int loose = F->kind == D_TEST || F->kind == D_INPUT; /* `{ a: 1 }`, `[ {...} ]` */
    const Open *top = F->depth ? &F->st[F->depth - 1] : NULL;
    if (F->kind == D_CATEGORY && top && top->block && top->tk == TK_LBRACE && F->depth == 1)
        return k % 2 == 0 ? 2 : 1; /* code "X"  tier policy  severity medium */
    if (a == TK_DOT || b == TK_DOT) return 0;
    if (b == TK_COMMA || b == TK_RPAREN || b == TK_COLON) return 0;
    if (b == TK_LPAREN) /* f(x), exists(...), missing(x); but `amount (a + b)` */
        return (a == TK_IDENT || is_agg(a) || (is_word(F, p) && !continues(a))) ? 0 : 1;
    if (a == TK_LPAREN) return 0;
    if (a == TK_LBRACKET || b == TK_RBRACKET)
        return loose && !(a == TK_LBRACKET && b == TK_RBRACKET);
    if (a == TK_LBRACE && b == TK_RBRACE) return 0;
    if (a == TK_LBRACE || b == TK_RBRACE) return loose || (top && top->block);
    if (a == TK_MINUS && !ends_operand(F, prev_tok(F, p))) return 0;         /* -1, -x */
    if (F->kind == D_TABLE && is_attr(b) && !is_attr(a) && k >= 2) return 2; /* code  code  key */
    return 1;
}

static int line_push(Fmt *F, OLine l) {
    if (mem_grow(F->txt.alloc, (void **)&F->lines, sizeof(OLine), &F->cap, F->nlines + 1)) {
        F->oom = 1;
        return -1;
    }
    F->lines[F->nlines++] = l;
    return 0;
}

/* Column after text t[0..n) starting at column col (a token may span
 * lines: a Lua block). */
static int advance(int col, const char *t, size_t n) {
    const char *nl = NULL;
    for (size_t i = 0; i < n; i++)
        if (t[i] == '\n') nl = t + i;
    if (nl) return (int)diag_text_width(nl + 1, (size_t)(t + n - nl - 1));
    return col + (int)diag_text_width(t, n);
}

/* Does the line starting at token b go on with the block's last entry: the
 * entry ended with a comma, or (input profiles) the line starts with a
 * field's option (`missing "..."` under `discharge_time "..." format ...`)? */
static int continues_entry(const Fmt *F, size_t b, const Open *top) {
    long p = prev_tok(F, b);
    if (p >= 0 && F->it.v[p].tk == TK_COMMA) return F->kind != D_TEST; /* test fields: `a: 1,` */
    (void)top;
    if (F->kind != D_INPUT || F->depth < 2) return 0;
    int tk = F->it.v[b].tk;
    return tk == TK_MISSING || tk == TK_FORMAT || tk == TK_DEFAULT || tk == TK_POSITION ||
           tk == TK_DICT;
}

/* Lays out the line made of items [b, e). */
static void lay_line(Fmt *F, size_t b, size_t e, size_t *pending_from) {
    Item *v = F->it.v;
    int blank = b > 0 && v[b].nl >= 2 && F->nlines > 0;
    if (v[b].tk == FI_COMMENT) { /* a comment line: indented like what follows */
        OLine l;
        memset(&l, 0, sizeof l);
        l.indent = -1;
        l.cont_of = -1;
        l.blank_before = blank;
        l.comment_only = 1;
        l.com = F->txt.len;
        l.com_len = v[b].len;
        sb_putn(&F->txt, F->src + v[b].off, v[b].len);
        line_push(F, l);
        return;
    }
    /* indentation */
    int indent;
    long cont = -1;
    int first = v[b].tk;
    Open *top = F->depth ? &F->st[F->depth - 1] : NULL;
    int comment_indent;
    if (!top && starts_decl(F, b, 1)) {
        F->kind = decl_kind(F, b);
        indent = 0;
        F->head_col = 0;
        F->head_len = (int)v[b].len;
        comment_indent = 0;
    } else if (!top) {
        if (F->kind == D_RULE && is_clause(first)) {
            indent = 2;
            F->head_col = 2;
            F->head_len = (int)v[b].len;
        } else if (F->kind == D_RULE) { /* under the clause's first operand */
            indent = F->head_col + F->head_len + 1;
            if (first == TK_AND || first == TK_OR) indent -= (int)v[b].len + 1;
        } else {
            indent = 2;
        }
        comment_indent = indent;
    } else {
        int inner = top->block ? top->line_indent + 2 : top->align_col;
        if (is_close(first))
            indent = top->block ? top->line_indent : top->col;
        else if (!top->block && top->where && (first == TK_AND || first == TK_OR))
            indent = inner + 2; /* and/or going on with a where-condition */
        else
            indent = inner;
        comment_indent = inner;
        if (top->block && !is_close(first) && top->entry >= 0 && continues_entry(F, b, top)) {
            cont = top->entry;
        }
    }
    for (size_t k = *pending_from; k < F->nlines; k++)
        if (F->lines[k].indent < 0) F->lines[k].indent = comment_indent;
    *pending_from = F->nlines + 1;

    OLine l;
    memset(&l, 0, sizeof l);
    l.indent = cont >= 0 ? indent + 4 : indent;
    l.blank_before = blank;
    l.cont_of = cont;
    l.col2 = -1;
    l.ncell = 1;
    l.cell[0] = F->txt.len;
    int start_depth = F->depth;
    int align_kind =
        F->kind == D_TABLE || F->kind == D_SCHEMA || F->kind == D_ENUM || F->kind == D_INPUT;
    int ncells_max = F->kind == D_ENUM ? 3 : 2;
    /* input profiles: the fields of records and dicts, not the settings */
    if (F->kind == D_INPUT && F->depth < 2) align_kind = 0;
    l.eligible =
        align_kind && top && top->block && top->tk == TK_LBRACE && !is_close(first) && cont < 0;
    if (top && top->block && !is_close(first) && cont < 0) top->entry = (long)F->nlines;
    l.pad = F->kind == D_ENUM || first == TK_STRING ? 1 : 2; /* enums, dicts: one */
    int col = l.indent, ntok = 0, multi = 0, min_depth = F->depth;
    size_t last_tok = b;
    for (size_t i = b; i < e; i++)
        if (v[i].tk != FI_COMMENT) last_tok = i;
    long prev = -1;
    for (size_t i = b; i < e; i++) {
        if (v[i].tk == FI_COMMENT) continue; /* the last item: below */
        int sp = prev < 0 ? 0 : space_between(F, (size_t)prev, i, ntok);
        if (prev >= 0 && l.eligible && l.ncell < ncells_max && ntok == l.ncell) {
            /* a new cell */
            l.cell_len[l.ncell - 1] = F->txt.len - l.cell[l.ncell - 1];
            l.sep[l.ncell] = sp;
            l.cell[l.ncell++] = F->txt.len;
        } else {
            for (int s = 0; s < sp; s++) sb_putc(&F->txt, ' ');
        }
        col += sp;
        if (ntok == 1) l.col2 = col - l.indent;
        if (v[i].tk == TK_WHERE && F->depth) F->st[F->depth - 1].where = 1;
        if (F->depth && F->st[F->depth - 1].pending) {
            F->st[F->depth - 1].align_col = col;
            F->st[F->depth - 1].pending = 0;
        }
        const char *t = F->src + v[i].off;
        sb_putn(&F->txt, t, v[i].len);
        if (memchr(t, '\n', v[i].len)) multi = 1;
        int at = col;
        col = advance(col, t, v[i].len);
        if (is_open(v[i].tk)) {
            if (F->depth < (int)(sizeof F->st / sizeof F->st[0])) {
                Open o = {v[i].tk, i == last_tok, l.indent, at, at + 1, i != last_tok, 0, -1};
                F->st[F->depth++] = o;
            }
        } else if (is_close(v[i].tk) && F->depth > 0) {
            F->depth--;
            if (F->depth < min_depth) min_depth = F->depth;
        }
        prev = (long)i;
        ntok++;
    }
    l.cell_len[l.ncell - 1] = F->txt.len - l.cell[l.ncell - 1];
    if (v[e - 1].tk == FI_COMMENT) {
        l.com = F->txt.len;
        l.com_len = v[e - 1].len;
        sb_putn(&F->txt, F->src + v[e - 1].off, v[e - 1].len);
    }
    for (int k = 0; k < l.ncell; k++)
        l.cell_w[k] = diag_text_width(F->txt.p + l.cell[k], l.cell_len[k]);
    if (multi || F->depth != start_depth || min_depth < start_depth || l.ncell < 2) l.eligible = 0;
    line_push(F, l);
}

/* Column alignment over runs of eligible lines: consecutive, no blank line
 * between (comment lines do not break a run), the same indentation. */
static void align_runs(Fmt *F) {
    size_t i = 0;
    while (i < F->nlines) {
        OLine *l = &F->lines[i];
        if (!l->eligible) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < F->nlines) {
            OLine *m = &F->lines[j];
            if (m->blank_before) break;
            if (!m->comment_only && m->cont_of < 0 && (!m->eligible || m->indent != l->indent))
                break;
            j++;
        }
        uint32_t w[2] = {0, 0};
        size_t entries = 0;
        for (size_t k = i; k < j; k++) {
            OLine *m = &F->lines[k];
            if (!m->eligible) continue;
            entries++;
            if (m->cell_w[0] > w[0]) w[0] = m->cell_w[0];
            if (m->ncell >= 2 && m->cell_w[1] > w[1]) w[1] = m->cell_w[1];
        }
        for (size_t k = i; k < j && entries > 1; k++) {
            OLine *m = &F->lines[k];
            if (!m->eligible) continue;
            m->sep[1] = (int)(w[0] - m->cell_w[0]) + m->pad;
            if (m->ncell == 3) m->sep[2] = (int)(w[1] - m->cell_w[1]) + m->pad;
        }
        i = j;
    }
}

/* A block entry's continuation lines go under the entry's second cell. */
static void place_continuations(Fmt *F) {
    for (size_t i = 0; i < F->nlines; i++) {
        OLine *l = &F->lines[i];
        if (l->comment_only || l->cont_of < 0) continue;
        const OLine *en = &F->lines[l->cont_of];
        l->indent = en->ncell >= 2  ? en->indent + (int)en->cell_w[0] + en->sep[1]
                    : en->col2 >= 0 ? en->indent + en->col2
                                    : en->indent + 4;
    }
}

static uint32_t content_width(const OLine *l) {
    if (!l->ncell) return 0;
    uint32_t w = (uint32_t)l->indent;
    for (int k = 0; k < l->ncell; k++) w += (k ? (uint32_t)l->sep[k] : 0) + l->cell_w[k];
    return w;
}

static void emit(Fmt *F, StrBuf *out) {
    /* trailing comments of consecutive lines are aligned */
    size_t i = 0;
    while (i < F->nlines) {
        OLine *l = &F->lines[i];
        if (l->blank_before) sb_putc(out, '\n');
        if (l->comment_only) {
            for (int s = 0; s < (l->indent > 0 ? l->indent : 0); s++) sb_putc(out, ' ');
            sb_putn(out, F->txt.p + l->com, l->com_len);
            sb_putc(out, '\n');
            i++;
            continue;
        }
        for (int s = 0; s < l->indent; s++) sb_putc(out, ' ');
        for (int k = 0; k < l->ncell; k++) {
            if (k)
                for (int s = 0; s < l->sep[k]; s++) sb_putc(out, ' ');
            sb_putn(out, F->txt.p + l->cell[k], l->cell_len[k]);
        }
        if (l->com_len) {
            /* the column of the comments of this and the following lines
             * that have one, each next to the other */
            uint32_t w = content_width(l);
            size_t j = i;
            while (j > 0 && !F->lines[j - 1].comment_only && F->lines[j - 1].com_len &&
                   !F->lines[j].blank_before)
                j--;
            for (size_t k = j; k < F->nlines; k++) {
                const OLine *m = &F->lines[k];
                if (m->comment_only || !m->com_len || (k > j && m->blank_before)) break;
                if (content_width(m) > w) w = content_width(m);
            }
            for (uint32_t s = content_width(l); s < w + 2; s++) sb_putc(out, ' ');
            sb_putn(out, F->txt.p + l->com, l->com_len);
        }
        sb_putc(out, '\n');
        i++;
    }
}

static void render_diags(const char *name, const char *text, size_t len, const DiagList *dl,
                         StrBuf *err) {
    Source s = {(char *)name, (char *)text, len, 0};
    for (size_t i = 0; i < dl->n; i++) diag_render(&s, 1, &dl->items[i], err);
}

/* Same tokens and comments, in the same order? */
static long same_tokens(const char *a, const Items *x, const char *b, const Items *y) {
    size_t n = x->n < y->n ? x->n : y->n;
    for (size_t i = 0; i < n; i++) {
        const Item *p = &x->v[i], *q = &y->v[i];
        if (p->tk != q->tk || p->len != q->len || memcmp(a + p->off, b + q->off, p->len))
            return (long)i;
    }
    return x->n == y->n ? -1 : (long)n;
}

int fmt_format(const char *name, const char *text, size_t len, Alloc a, StrBuf *out, StrBuf *err) {
    int rc = FMT_OK;
    Arena ar;
    arena_init(&ar, a, 1 << 16);
    DiagList dl;
    diag_init(&dl, a);
    Fmt F;
    memset(&F, 0, sizeof F);
    F.it.a = a;
    sb_init(&F.txt, a);
    Items again = {a, NULL, 0, 0, 0};
    /* a byte-order mark is kept as it is */
    size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    char *copy = arena_strndup(&ar, text + bom, len - bom);
    size_t n = len - bom;
    if (!copy) {
        rc = FMT_ERR_NOMEM;
        goto done;
    }
    F.src = copy;
    {
        ParseCtx pc;
        memset(&pc, 0, sizeof pc);
        pc.ar = &ar;
        pc.diags = &dl;
        pc.src = copy;
        parse_file(&pc, copy, n);
        if (pc.out_of_memory) {
            rc = FMT_ERR_NOMEM;
            goto done;
        }
    }
    if (dl.errors) {
        render_diags(name, copy, n, &dl, err);
        rc = FMT_ERR_SYNTAX;
        goto done;
    }
    collect(copy, n, &F.it, &dl, &ar);
    if (F.it.oom) {
        rc = FMT_ERR_NOMEM;
        goto done;
    }
    force_breaks(&F);
    size_t pending = 0;
    for (size_t b = 0; b < F.it.n;) {
        size_t e = b + 1;
        while (e < F.it.n && F.it.v[e].nl == 0) e++;
        lay_line(&F, b, e, &pending);
        b = e;
    }
    for (size_t k = 0; k < F.nlines; k++)
        if (F.lines[k].indent < 0) F.lines[k].indent = 0;
    if (F.oom || F.txt.oom) {
        rc = FMT_ERR_NOMEM;
        goto done;
    }
    align_runs(&F);
    place_continuations(&F);
    size_t start = out->len;
    if (bom) sb_putn(out, text, 3);
    emit(&F, out);
    if (out->oom) {
        rc = FMT_ERR_NOMEM;
        goto done;
    }
    /* the check: the result has the input's tokens and comments */
    {
        size_t rn = out->len - start - bom;
        char *rcopy = arena_strndup(&ar, rn ? out->p + start + bom : "", rn);
        if (!rcopy) {
            rc = FMT_ERR_NOMEM;
            goto done;
        }
        DiagList dl2;
        diag_init(&dl2, a);
        int lexerr = collect(rcopy, rn, &again, &dl2, &ar);
        diag_free(&dl2);
        long bad = lexerr ? 0 : same_tokens(copy, &F.it, rcopy, &again);
        if (again.oom) {
            rc = FMT_ERR_NOMEM;
        } else if (bad >= 0) {
            uint32_t off = (size_t)bad < F.it.n ? F.it.v[bad].off : (uint32_t)n;
            diag_add(&dl, DIAG_ERROR, 0, off, 1,
                     "internal error: formatting would change this token (please report it)");
            render_diags(name, copy, n, &dl, err);
            out->len = start;
            rc = FMT_ERR_INTERNAL;
        }
    }
done:
    mem_free(a, F.it.v, F.it.cap * sizeof(Item));
    mem_free(a, again.v, again.cap * sizeof(Item));
    mem_free(a, F.lines, F.cap * sizeof(OLine));
    sb_free(&F.txt);
    diag_free(&dl);
    arena_free(&ar);
    return rc;
}
