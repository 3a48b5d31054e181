/* import_nhsa.c — `arbiter import nhsa`: turns the national knowledge points
 * (NHSA 两库, knowledge_points.json) into rows for this project's rule library.
 *
 * Each row is one item code of a knowledge point with the parameters of its
 * category, derived from the free-text fields `constraint` and `detect_logic`
 * (and the item name) by small table-driven phrase matchers: sex, age limits,
 * newborn days, units per day, course days, periods, facility level,
 * insurance, care type, department, surgery groups (prices from --prices),
 * A×B pairs, indication patterns.  For a category stdlib-rules has, the rows
 * go to DIR/tables/<table>.csv with exactly the stdlib table's columns (code,
 * name, parameters, kp, note) and DIR/library.rules extends that table with
 * them; a category it lacks gets DIR/<NN>_<id>.rules of its own (category,
 * table, rules).  A knowledge point whose parameters cannot all be derived is
 * left out and listed in DIR/incomplete.csv with the reason; the command
 * prints the per-category figures.  See docs/importer.md.
 *
 * The file holds: a small strict JSON parser (a flat node array; errors carry
 * the byte offset, reported as line and column), the text matchers, the
 * category table, the per-shape derivations, table columns and the rule
 * templates of the non-stdlib categories, the writer and the price list.
 * No globals; nothing printed: the command (cli/cmd_import.c) prints the
 * report this fills. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "import_nhsa.h"

/* ------------------------------------------------------------------------ */
/* A growable byte buffer.                                                   */

typedef struct Buf {
    char *p;
    size_t n, cap;
    int oom;
} Buf;

static void buf_reserve(Buf *b, size_t extra) {
    if (b->oom || b->n + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void buf_add(Buf *b, const char *s, size_t n) {
    buf_reserve(b, n);
    if (b->oom) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void buf_puts(Buf *b, const char *s) {
    buf_add(b, s, strlen(s));
}

static void buf_printf(Buf *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if ((size_t)k < sizeof tmp) {
        buf_add(b, tmp, (size_t)k);
        return;
    }
    buf_reserve(b, (size_t)k);
    if (b->oom) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* Appends s as one CSV cell: quoted when it holds a comma, quote or line
 * break; line breaks become spaces so that every row is one line. */
static void buf_csv(Buf *b, const char *s) {
    if (!s) return;
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote) buf_add(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            buf_add(b, "\"\"", 2);
        else if (*p == '\r' || *p == '\n')
            buf_add(b, " ", 1);
        else
            buf_add(b, p, 1);
    }
    if (quote) buf_add(b, "\"", 1);
}

/* ------------------------------------------------------------------------ */
/* JSON: a strict RFC 8259 parser into a flat array of nodes.  Strings are   */
/* decoded (escapes, surrogate pairs) into one side buffer, NUL-terminated.  */

enum { JS_NULL, JS_FALSE, JS_TRUE, JS_NUM, JS_STR, JS_ARR, JS_OBJ };

typedef struct JsNode {
    uint8_t type;
    int32_t first, next; /* first child, next sibling; -1 = none */
    uint32_t count;      /* children of an array or object */
    const char *key;     /* member name (decoded) when in an object */
    const char *s;       /* string (decoded) or number text (not terminated) */
    size_t len;
    size_t off; /* byte offset of the value in the input */
} JsNode;

typedef struct JsDoc {
    JsNode *nodes;
    size_t n, cap;
    char *strs; /* decoded strings */
    size_t slen, scap;
    const char *src;
    size_t len, pos;
    int depth;
    size_t err_off;
    char err[200]; /* the message once parsing failed (at err_off) */
} JsDoc;

#define JS_MAX_DEPTH 256

static const char *const JS_TYPE_NAMES[] = {"null",     "false",    "true",     "a number",
                                            "a string", "an array", "an object"};

/* 1-based line and column (in characters) of a byte offset. */
static void js_linecol(const char *src, size_t len, size_t off, unsigned long *line,
                       unsigned long *col) {
    unsigned long l = 1, c = 1;
    if (off > len) off = len;
    for (size_t i = 0; i < off; i++) {
        if (src[i] == '\n')
            l++, c = 1;
        else if (((unsigned char)src[i] & 0xC0) != 0x80)
            c++;
    }
    *line = l;
    *col = c;
}

static int js_fail(JsDoc *d, size_t off, const char *fmt, ...) {
    if (d->err[0]) return -1;
    char msg[150];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    d->err_off = off;
    snprintf(d->err, sizeof d->err, "%s", msg);
    return -1;
}

static void js_ws(JsDoc *d) {
    while (d->pos < d->len) {
        char c = d->src[d->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        d->pos++;
    }
}

static int32_t js_node(JsDoc *d, int type, size_t off) {
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        JsNode *p = realloc(d->nodes, cap * sizeof *p);
        if (!p) return js_fail(d, off, "out of memory");
        d->nodes = p;
        d->cap = cap;
    }
    if (d->n >= INT32_MAX) return js_fail(d, off, "too many values");
    JsNode *x = &d->nodes[d->n];
    memset(x, 0, sizeof *x);
    x->type = (uint8_t)type;
    x->first = x->next = -1;
    x->off = off;
    return (int32_t)d->n++;
}

static int js_hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t utf8_put(char *o, unsigned cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the well-formed UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n) {
    unsigned c = p[0];
    size_t k;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, min = 0x10000;
    else
        return 0;
    if (n < k) return 0;
    unsigned cp = c & (0x7F >> k);
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return k;
}

/* Parses a string at d->pos (on the opening quote) into the side buffer. */
static int js_string(JsDoc *d, const char **out, size_t *outlen) {
    size_t start = d->pos++;
    char *o = d->strs + d->slen;
    size_t k = 0;
    while (1) {
        if (d->pos >= d->len) return js_fail(d, start, "unterminated string");
        unsigned char c = (unsigned char)d->src[d->pos];
        if (c == '"') {
            d->pos++;
            break;
        }
        if (c < 0x20) return js_fail(d, d->pos, "control character in a string (escape it)");
        if (c == '\\') {
            if (d->pos + 1 >= d->len) return js_fail(d, start, "unterminated string");
            char e = d->src[d->pos + 1];
            const char *simple = strchr("\"\\/bfnrt", e);
            if (e && simple) {
                static const char map[] = "\"\\/\b\f\n\r\t";
                o[k++] = map[simple - "\"\\/bfnrt"];
                d->pos += 2;
                continue;
            }
            if (e != 'u')
                return js_fail(d, d->pos, "invalid escape '\\%c' in a string",
                               e >= 0x20 && e < 0x7F ? e : '?');
            unsigned cp, lo;
            if (d->pos + 6 > d->len || js_hex4(d->src + d->pos + 2, &cp))
                return js_fail(d, d->pos, "invalid \\u escape (four hex digits needed)");
            size_t esc = d->pos;
            d->pos += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (d->pos + 6 > d->len || d->src[d->pos] != '\\' || d->src[d->pos + 1] != 'u' ||
                    js_hex4(d->src + d->pos + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return js_fail(d, esc, "unpaired UTF-16 surrogate in a \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                d->pos += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return js_fail(d, esc, "unpaired UTF-16 surrogate in a \\u escape");
            }
            if (cp == 0) return js_fail(d, esc, "\\u0000 (a NUL character) is not accepted");
            k += utf8_put(o + k, cp);
            continue;
        }
        size_t n = utf8_seq((const unsigned char *)d->src + d->pos, d->len - d->pos);
        if (!n) return js_fail(d, d->pos, "invalid UTF-8 in a string");
        memcpy(o + k, d->src + d->pos, n);
        k += n;
        d->pos += n;
    }
    o[k] = 0;
    *out = o;
    *outlen = k;
    d->slen += k + 1;
    return 0;
}

static int32_t js_value(JsDoc *d);

static int js_number(JsDoc *d, size_t start) {
    const char *s = d->src;
    size_t p = d->pos, n = d->len;
    if (p < n && s[p] == '-') p++;
    if (p < n && s[p] == '0')
        p++;
    else if (p < n && s[p] >= '1' && s[p] <= '9')
        while (p < n && s[p] >= '0' && s[p] <= '9') p++;
    else
        return js_fail(d, start, "invalid number");
    if (p < n && s[p] == '.') {
        p++;
        if (p >= n || s[p] < '0' || s[p] > '9') return js_fail(d, start, "invalid number");
        while (p < n && s[p] >= '0' && s[p] <= '9') p++;
    }
    if (p < n && (s[p] == 'e' || s[p] == 'E')) {
        p++;
        if (p < n && (s[p] == '+' || s[p] == '-')) p++;
        if (p >= n || s[p] < '0' || s[p] > '9') return js_fail(d, start, "invalid number");
        while (p < n && s[p] >= '0' && s[p] <= '9') p++;
    }
    d->pos = p;
    return 0;
}

/* Parses the elements of an array or the members of an object. */
static int js_container(JsDoc *d, int32_t self, int obj) {
    char close = obj ? '}' : ']';
    if (++d->depth > JS_MAX_DEPTH)
        return js_fail(d, d->pos, "nesting deeper than %d levels", JS_MAX_DEPTH);
    d->pos++;
    js_ws(d);
    if (d->pos < d->len && d->src[d->pos] == close) {
        d->pos++;
        d->depth--;
        return 0;
    }
    int32_t last = -1;
    while (1) {
        const char *key = NULL;
        size_t klen;
        js_ws(d);
        if (obj) {
            if (d->pos >= d->len || d->src[d->pos] != '"')
                return js_fail(d, d->pos, "expected a member name (a string)");
            if (js_string(d, &key, &klen)) return -1;
            js_ws(d);
            if (d->pos >= d->len || d->src[d->pos] != ':')
                return js_fail(d, d->pos, "expected ':' after a member name");
            d->pos++;
        }
        int32_t v = js_value(d);
        if (v < 0) return -1;
        d->nodes[v].key = key;
        if (last < 0)
            d->nodes[self].first = v;
        else
            d->nodes[last].next = v;
        last = v;
        d->nodes[self].count++;
        js_ws(d);
        if (d->pos < d->len && d->src[d->pos] == ',') {
            d->pos++;
            continue;
        }
        if (d->pos < d->len && d->src[d->pos] == close) {
            d->pos++;
            d->depth--;
            return 0;
        }
        return js_fail(d, d->pos,
                       obj ? "expected ',' or '}' after an object member"
                           : "expected ',' or ']' after an array element");
    }
}

static int32_t js_value(JsDoc *d) {
    js_ws(d);
    size_t start = d->pos;
    if (d->pos >= d->len) return js_fail(d, d->pos, "unexpected end of input: a value is missing");
    char c = d->src[d->pos];
    int32_t x;
    switch (c) {
    case '{':
    case '[':
        x = js_node(d, c == '{' ? JS_OBJ : JS_ARR, start);
        if (x < 0 || js_container(d, x, c == '{')) return -1;
        return x;
    case '"': {
        x = js_node(d, JS_STR, start);
        if (x < 0) return -1;
        const char *s;
        size_t n;
        if (js_string(d, &s, &n)) return -1;
        d->nodes[x].s = s;
        d->nodes[x].len = n;
        return x;
    }
    case 't':
    case 'f':
    case 'n': {
        static const char *const words[] = {"true", "false", "null"};
        static const int types[] = {JS_TRUE, JS_FALSE, JS_NULL};
        for (int i = 0; i < 3; i++) {
            size_t n = strlen(words[i]);
            if (d->len - d->pos >= n && memcmp(d->src + d->pos, words[i], n) == 0) {
                d->pos += n;
                return js_node(d, types[i], start);
            }
        }
        return js_fail(d, start,
                       "expected a value (true, false, null, a number, a string, "
                       "an array or an object)");
    }
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            x = js_node(d, JS_NUM, start);
            if (x < 0 || js_number(d, start)) return -1;
            d->nodes[x].s = d->src + start;
            d->nodes[x].len = d->pos - start;
            return x;
        }
        return js_fail(d, start,
                       "expected a value (true, false, null, a number, a string, "
                       "an array or an object)");
    }
}

static void js_free(JsDoc *d) {
    free(d->nodes);
    free(d->strs);
    memset(d, 0, sizeof *d);
}

/* Parses one JSON document.  0, or -1 with d->err set ("line L, column C:
 * ...").  The document's strings point into d; free it with js_free. */
static int js_parse(JsDoc *d, const char *src, size_t len) {
    memset(d, 0, sizeof *d);
    d->src = src;
    d->len = len;
    d->scap = len + 1;
    d->strs = malloc(d->scap);
    if (!d->strs) return js_fail(d, 0, "out of memory");
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) d->pos = 3;
    js_ws(d);
    if (d->pos >= len) return js_fail(d, d->pos, "empty input: no JSON document");
    if (js_value(d) < 0) return -1;
    js_ws(d);
    if (d->pos < len) return js_fail(d, d->pos, "unexpected text after the JSON document");
    return 0;
}

/* The member of an object with this name, or NULL. */
static const JsNode *js_get(const JsDoc *d, const JsNode *obj, const char *key) {
    if (!obj || obj->type != JS_OBJ) return NULL;
    for (int32_t i = obj->first; i >= 0; i = d->nodes[i].next)
        if (d->nodes[i].key && strcmp(d->nodes[i].key, key) == 0) return &d->nodes[i];
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Knowledge points.                                                         */

typedef struct Kp {
    const char *kp_id, *rule_class, *gz_code, *level1, *item_name, *constraint, *detect_logic;
    const char **codes;
    size_t ncodes;
    size_t index; /* 1-based record number */
    size_t off;   /* byte offset of the record */
} Kp;

/* Reads a string-or-null member; -1 (with an error) when it has another type. */
static int kp_str(JsDoc *d, const JsNode *obj, size_t idx, const char *key, const char **out) {
    const JsNode *v = js_get(d, obj, key);
    *out = NULL;
    if (!v || v->type == JS_NULL) return 0;
    if (v->type != JS_STR)
        return js_fail(d, v->off, "knowledge point %zu: '%s' must be a string or null, not %s", idx,
                       key, JS_TYPE_NAMES[v->type]);
    *out = v->s;
    return 0;
}

/* Turns the parsed document into knowledge points: an array of objects with
 * string (or null) fields and med_codes an array of strings.  -1 with d->err
 * on a document of the wrong shape. */
static int kp_read_all(JsDoc *d, Kp **out, size_t *nout) {
    *out = NULL;
    *nout = 0;
    const JsNode *root = &d->nodes[0];
    if (root->type != JS_ARR)
        return js_fail(d, root->off, "the document must be an array of knowledge points, not %s",
                       JS_TYPE_NAMES[root->type]);
    Kp *kps = calloc(root->count ? root->count : 1, sizeof *kps);
    if (!kps) return js_fail(d, 0, "out of memory");
    size_t n = 0;
    for (int32_t i = root->first; i >= 0; i = d->nodes[i].next) {
        const JsNode *o = &d->nodes[i];
        Kp *k = &kps[n];
        k->index = n + 1;
        k->off = o->off;
        if (o->type != JS_OBJ) {
            js_fail(d, o->off, "knowledge point %zu must be an object, not %s", k->index,
                    JS_TYPE_NAMES[o->type]);
            goto fail;
        }
        if (kp_str(d, o, k->index, "kp_id", &k->kp_id) ||
            kp_str(d, o, k->index, "rule_class", &k->rule_class) ||
            kp_str(d, o, k->index, "gz_code", &k->gz_code) ||
            kp_str(d, o, k->index, "level1", &k->level1) ||
            kp_str(d, o, k->index, "item_name", &k->item_name) ||
            kp_str(d, o, k->index, "constraint", &k->constraint) ||
            kp_str(d, o, k->index, "detect_logic", &k->detect_logic))
            goto fail;
        if (!k->rule_class) {
            js_fail(d, o->off, "knowledge point %zu has no 'rule_class' (its category)", k->index);
            goto fail;
        }
        const JsNode *codes = js_get(d, o, "med_codes");
        if (codes && codes->type != JS_NULL) {
            if (codes->type != JS_ARR) {
                js_fail(d, codes->off, "knowledge point %zu: 'med_codes' must be an array, not %s",
                        k->index, JS_TYPE_NAMES[codes->type]);
                goto fail;
            }
            k->codes = calloc(codes->count ? codes->count : 1, sizeof *k->codes);
            if (!k->codes) {
                js_fail(d, o->off, "out of memory");
                goto fail;
            }
            for (int32_t j = codes->first; j >= 0; j = d->nodes[j].next) {
                if (d->nodes[j].type != JS_STR) {
                    js_fail(d, d->nodes[j].off,
                            "knowledge point %zu: 'med_codes' must hold strings, not %s", k->index,
                            JS_TYPE_NAMES[d->nodes[j].type]);
                    n++; /* so that its codes are freed */
                    goto fail;
                }
                k->codes[k->ncodes++] = d->nodes[j].s;
            }
        } else {
            const char *one;
            if (kp_str(d, o, k->index, "med_code", &one)) goto fail;
            if (one) {
                k->codes = calloc(1, sizeof *k->codes);
                if (!k->codes) {
                    js_fail(d, o->off, "out of memory");
                    goto fail;
                }
                k->codes[k->ncodes++] = one;
            }
        }
        n++;
    }
    *out = kps;
    *nout = n;
    return 0;
fail:
    for (size_t j = 0; j < n; j++) free(kps[j].codes);
    free(kps);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Text matching.  Templates are UTF-8 strings in which                      */
/*   #  is a whole number: ASCII or full-width digits, or Chinese numerals   */
/*   &  is an amount of money with at most two decimals (to cents)           */
/*   @  is a time unit (天 日 周 星期 个月 月 年), read as its length in days */
/*   ~  is a range separator (- － — – ~ ～ 至 到)                          */
/* and every other byte stands for itself.                                   */

typedef struct TCap {
    long num[4];
    int nnum;
    long unit_days;
    int64_t cents;
} TCap;

static int starts(const char *s, const char *w) {
    return strncmp(s, w, strlen(w)) == 0;
}

/* The value of one Chinese numeral character at s (3 bytes), or -1;
 * 10 and 100 are the multipliers 十 and 百. */
static int cn_digit(const char *s) {
    static const char *const DIG[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    for (int i = 0; i < 10; i++)
        if (starts(s, DIG[i])) return i;
    if (starts(s, "〇")) return 0;
    if (starts(s, "两")) return 2;
    if (starts(s, "十")) return 10;
    if (starts(s, "百")) return 100;
    return -1;
}

/* Whether s starts with a digit of any kind (used to avoid matching inside a
 * number). */
static int is_digit_at(const char *s) {
    unsigned char c = (unsigned char)s[0];
    if (c >= '0' && c <= '9') return 1;
    if (c == 0xEF && (unsigned char)s[1] == 0xBC && (unsigned char)s[2] >= 0x90 &&
        (unsigned char)s[2] <= 0x99)
        return 1;
    return cn_digit(s) >= 0;
}

/* Reads a whole number at s; returns the bytes read (0: none). */
static size_t parse_num(const char *s, long *v) {
    const char *p = s;
    long x = 0;
    int nd = 0;
    while (1) {
        unsigned char c = (unsigned char)*p;
        if (c >= '0' && c <= '9') {
            if (nd < 9) x = x * 10 + (c - '0');
            p++, nd++;
        } else if (c == 0xEF && (unsigned char)p[1] == 0xBC && (unsigned char)p[2] >= 0x90 &&
                   (unsigned char)p[2] <= 0x99) {
            if (nd < 9) x = x * 10 + ((unsigned char)p[2] - 0x90);
            p += 3, nd++;
        } else {
            break;
        }
    }
    if (nd) {
        *v = x;
        return (size_t)(p - s);
    }
    long total = 0, cur = 0;
    int any = 0;
    for (int d; (d = cn_digit(p)) >= 0; p += 3, any = 1) {
        if (d == 10 || d == 100) {
            total += (cur ? cur : 1) * d;
            cur = 0;
        } else {
            cur = d;
        }
    }
    if (!any) return 0;
    *v = total + cur;
    return (size_t)(p - s);
}

/* Reads money (123, 123.5, 123.45) at s into cents; bytes read or 0. */
static size_t parse_money(const char *s, int64_t *cents) {
    const char *p = s;
    int64_t y = 0;
    int nd = 0;
    while (*p >= '0' && *p <= '9' && nd < 12) y = y * 10 + (*p++ - '0'), nd++;
    if (!nd) return 0;
    int64_t c = 0;
    if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
        c = (p[1] - '0') * 10;
        p += 2;
        if (*p >= '0' && *p <= '9') c += *p++ - '0';
        if (*p >= '0' && *p <= '9') return 0; /* more than two decimals */
    }
    *cents = y * 100 + c;
    return (size_t)(p - s);
}

static size_t parse_unit(const char *s, long *days) {
    static const struct {
        const char *w;
        long days;
    } U[] = {{"个月", 30}, {"星期", 7}, {"天", 1}, {"日", 1}, {"周", 7}, {"月", 30}, {"年", 365}};
    for (size_t i = 0; i < sizeof U / sizeof U[0]; i++)
        if (starts(s, U[i].w)) {
            *days = U[i].days;
            return strlen(U[i].w);
        }
    return 0;
}

static size_t parse_sep(const char *s) {
    static const char *const SEP[] = {"-", "－", "—", "–", "~", "～", "至", "到"};
    for (size_t i = 0; i < sizeof SEP / sizeof SEP[0]; i++)
        if (starts(s, SEP[i])) return strlen(SEP[i]);
    return 0;
}

/* Matches template t at s; returns the bytes of s matched (0: no match). */
static size_t tpl_at(const char *t, const char *s, TCap *cap) {
    const char *p = s;
    memset(cap, 0, sizeof *cap);
    for (; *t; t++) {
        size_t n = 0;
        if (*t == '#') {
            long v;
            n = parse_num(p, &v);
            if (n && cap->nnum < 4) cap->num[cap->nnum++] = v;
        } else if (*t == '&') {
            n = parse_money(p, &cap->cents);
        } else if (*t == '@') {
            n = parse_unit(p, &cap->unit_days);
        } else if (*t == '~') {
            n = parse_sep(p);
        } else {
            n = *p == *t ? 1 : 0;
        }
        if (!n) return 0;
        p += n;
    }
    return (size_t)(p - s);
}

/* The first match of any template of a list in text order: at each position
 * the templates are tried in list order.  Returns the template's index or -1. */
static int tpl_first(const char *const *tpls, size_t ntpl, const char *s, TCap *cap,
                     const char **at) {
    if (!s) return -1;
    for (const char *p = s; *p; p++) {
        if (((unsigned char)*p & 0xC0) == 0x80) continue;
        for (size_t i = 0; i < ntpl; i++) {
            if ((tpls[i][0] == '#' || tpls[i][0] == '&') && p > s) {
                const char *q = p - 1;
                while (q > s && ((unsigned char)*q & 0xC0) == 0x80) q--;
                if (is_digit_at(q)) continue;
            }
            size_t n = tpl_at(tpls[i], p, cap);
            if (n) {
                if (at) *at = p + n;
                return (int)i;
            }
        }
    }
    return -1;
}

/* ------------------------------------------------------------------------ */
/* The rule categories the importer knows: the national name, the code of    */
/* the 1.0 framework (or the 2025 catalog number when it has none), the      */
/* identifier and file name used here, tier and defaults, and the shape.     */

enum Shape {
    SH_SEX,         /* code -> sex */
    SH_AGE,         /* code -> allowed ages (min_age, age_under, max_age_days) */
    SH_AGE_FORBID,  /* code -> forbidden ages, stored as the allowed ones */
    SH_INSURANCE,   /* code -> the only insurance type that pays */
    SH_CARE,        /* code -> the only care type (emergency allowed or not) */
    SH_FORBID_CARE, /* code -> a care type where it must not be used */
    SH_LEVEL,       /* code -> minimum facility level */
    SH_DEPT,        /* code -> the only department */
    SH_COURSE,      /* code -> max days of use within a claim */
    SH_DAYS_SUPPLY, /* code -> max days supplied by one line */
    SH_PER_DAY,     /* code -> max units per day */
    SH_PERIOD,      /* code -> max units within a period of days */
    SH_PAIR,   /* code B -> code A (with_code): not billable with A (day or claim: the rule says) */
    SH_GROUP,  /* code -> surgery group (second and later discounted) */
    SH_LISTED, /* code: never paid by the fund */
    SH_HERB_SINGLE, /* code: not paid alone or in a prescription of such herbs only */
    SH_SECOND_LINE, /* code -> the first-line drug (a code prefix) that must come first */
    SH_INDICATION,  /* code -> indication text and a diagnosis-name pattern */
    SH_PRICE,       /* code -> unit price ceiling */
    SH_ANNUAL_CAP,  /* code -> the most paid for it in a year */
    SH__COUNT
};

/* tier, severity, nature and points are used only in the file of a category
 * the stdlib lacks (the stdlib's own files decide them for the others). */
typedef struct CatSpec {
    int stdlib;       /* 1: stdlib-rules has the category and its table */
    const char *name; /* national rule_class */
    const char *gz;   /* national code (framework 1.0), or NULL */
    int seq;          /* number in the 2025 catalog of 88 */
    const char *id;   /* category identifier in the rules */
    const char *file; /* table name (tables/<file>.csv) */
    const char *tier, *severity, *nature;
    int points;
    int shape;
} CatSpec;

/* clang-format off */
static const CatSpec CATS[] = {
    {1, "药品限工伤保险", "GZ10000101001000", 1, "DRUG_WORK_INJURY", "drug_work_injury", "policy", "high", "definite", 2, SH_INSURANCE},
    {1, "药品限生育保险", "GZ10000101002000", 2, "DRUG_MATERNITY", "drug_maternity", "policy", "high", "definite", 2, SH_INSURANCE},
    {1, "中药饮片单复方均不予支付", "GZ10000101003000", 3, "HERB_EXCLUDED", "herb_excluded", "policy", "high", "definite", 2, SH_LISTED},
    {1, "中药饮片单方使用不予支付", "GZ10000101004000", 4, "HERB_SINGLE", "herb_single", "policy", "medium", "definite", 1, SH_HERB_SINGLE},
    {1, "药品限二线使用", "GZ10000101005000", 5, "DRUG_SECOND_LINE", "drug_second_line", "policy", "low", "suspicious", 1, SH_SECOND_LINE},
    {1, "药品限新生儿使用", "GZ10000101006000", 6, "DRUG_NEWBORN", "drug_newborn", "policy", "medium", "definite", 1, SH_AGE},
    {1, "药品限儿童使用", "GZ10000101007000", 7, "DRUG_CHILD", "drug_child", "policy", "medium", "definite", 1, SH_AGE},
    {1, "药品限适应症", "GZ10000101008000", 8, "DRUG_INDICATION", "drug_indication", "policy", "medium", "suspicious", 1, SH_INDICATION},
    {1, "药品限最大开药天数/开药量", NULL, 9, "DRUG_MAX_DAYS", "drug_max_days", "policy", "low", "definite", 1, SH_DAYS_SUPPLY},
    {1, "药品限支付疗程", "GZ10000101010000", 10, "DRUG_COURSE", "drug_course", "policy", "medium", "definite", 1, SH_COURSE},
    {1, "药品限医疗机构级别", "GZ10000101012000", 12, "DRUG_FACILITY_LEVEL", "drug_facility_level", "policy", "medium", "definite", 1, SH_LEVEL},
    {1, "药品限就医方式", NULL, 13, "DRUG_CARE_TYPE", "drug_care_type", "policy", "medium", "definite", 1, SH_CARE},
    {1, "医疗服务项目超限定单价收费", "GZ10000102001000", 14, "SERVICE_PRICE", "service_price", "policy", "medium", "definite", 1, SH_PRICE},
    {1, "手术项目未按规定折价收费", "GZ10000102002000", 15, "SURGERY_DISCOUNT", "surgery_discount", "policy", "medium", "suspicious", 1, SH_GROUP},
    {1, "医疗服务项目限工伤保险", "GZ10000102003000", 16, "SERVICE_WORK_INJURY", "service_work_injury", "policy", "high", "definite", 2, SH_INSURANCE},
    {1, "医疗服务项目限生育保险", "GZ10000102004000", 17, "SERVICE_MATERNITY", "service_maternity", "policy", "high", "definite", 2, SH_INSURANCE},
    {0, "医疗服务项目限新生儿使用", "GZ10000102005000", 18, "SERVICE_NEWBORN", "service_newborn", "policy", "medium", "definite", 1, SH_AGE},
    {1, "医疗服务项目限儿童使用", "GZ10000102006000", 19, "SERVICE_CHILD", "service_child", "policy", "medium", "definite", 1, SH_AGE},
    {1, "医疗服务项目限适应症", "GZ10000102007000", 20, "SERVICE_INDICATION", "service_indication", "policy", "medium", "suspicious", 1, SH_INDICATION},
    {1, "医疗服务项目限科室使用", "GZ10000102008000", 21, "SERVICE_DEPT", "service_dept", "policy", "low", "suspicious", 1, SH_DEPT},
    {1, "医疗服务项目限就医方式", "GZ10000102009000", 22, "SERVICE_CARE_TYPE", "service_care_type", "policy", "medium", "definite", 1, SH_CARE},
    {1, "医疗服务项目限支付疗程", "GZ10000102010000", 23, "SERVICE_COURSE", "service_course", "policy", "medium", "definite", 1, SH_COURSE},
    {1, "医疗服务项目限医疗机构级别", "GZ10000102011000", 24, "SERVICE_FACILITY_LEVEL", "service_facility_level", "policy", "medium", "definite", 1, SH_LEVEL},
    {1, "医疗服务项目重复收费", "GZ10000102012000", 25, "SERVICE_DUP_CHARGE", "service_dup_charge", "policy", "medium", "definite", 1, SH_PAIR},
    {1, "医疗服务项目分解收费", "GZ10000102013000", 26, "SERVICE_UNBUNDLING", "service_unbundling", "policy", "medium", "definite", 1, SH_PAIR},
    {1, "医疗服务项目限定频次", "GZ10000102014000", 27, "SERVICE_PER_DAY", "service_per_day", "policy", "medium", "definite", 1, SH_PER_DAY},
    {1, "医疗服务项目超限定报销总额", "GZ10000102015000", 28, "SERVICE_ANNUAL_CAP", "service_annual_cap", "policy", "medium", "definite", 1, SH_ANNUAL_CAP},
    {1, "医疗服务项目限年龄", NULL, 29, "SERVICE_AGE", "service_age", "policy", "medium", "definite", 1, SH_AGE},
    {1, "医疗服务项目与医用耗材重复收费", NULL, 30, "SERVICE_CONSUMABLE", "service_consumable", "policy", "medium", "definite", 1, SH_PAIR},
    {1, "医疗服务项目周期超频次", NULL, 31, "SERVICE_PERIOD", "service_period", "policy", "medium", "definite", 1, SH_PERIOD},
    {0, "耗材限新生儿使用", "GZ10000103001000", 32, "CONSUMABLE_NEWBORN", "consumable_newborn", "policy", "medium", "definite", 1, SH_AGE},
    {1, "耗材限儿童使用", "GZ10000103002000", 33, "CONSUMABLE_CHILD", "consumable_child", "policy", "medium", "definite", 1, SH_AGE},
    {1, "手术操作编码与性别不符", "GZ10000201005000", 39, "PROCEDURE_SEX", "procedure_sex", "management", "high", "definite", 2, SH_SEX},
    {1, "超互联网医院药品支付范围", NULL, 47, "INTERNET_DRUG", "internet_drug", "management", "high", "definite", 2, SH_FORBID_CARE},
    {1, "诊断与患者性别不符", "GZ10000204006000", 54, "DIAG_SEX", "diag_sex", "management", "high", "definite", 2, SH_SEX},
    {1, "诊断与患者年龄不符", "GZ10000204007000", 55, "DIAG_AGE", "diag_age", "management", "medium", "definite", 1, SH_AGE},
    {1, "药品儿童专用", "GZ10000301002000", 65, "DRUG_CHILD_ONLY", "drug_child_only", "medical", "medium", "definite", 1, SH_AGE},
    {0, "药品儿童禁用", "GZ10000301003000", 66, "DRUG_CHILD_FORBIDDEN", "drug_child_forbidden", "medical", "high", "definite", 2, SH_AGE_FORBID},
    {1, "药品区分性别使用", "GZ10000301004000", 67, "DRUG_SEX", "drug_sex", "medical", "high", "definite", 2, SH_SEX},
    {0, "老年人用药安全", "GZ10000301009000", 72, "DRUG_ELDERLY", "drug_elderly", "medical", "medium", "suspicious", 1, SH_AGE_FORBID},
    {1, "重复开药", "GZ10000301006000", 69, "DUPLICATE_RX", "duplicate_rx", "medical", "medium", "suspicious", 1, SH_LISTED},
    {1, "药品相互作用", "GZ10000301011000", 74, "DRUG_INTERACTION", "drug_interaction", "medical", "medium", "suspicious", 1, SH_PAIR},
    {1, "中药饮片配伍禁忌", "GZ10000301012000", 75, "HERB_INCOMPATIBLE", "herb_incompatible", "medical", "high", "definite", 2, SH_PAIR},
    {0, "医疗服务项目儿童专用", "GZ10000302003000", 80, "SERVICE_CHILD_ONLY", "service_child_only", "medical", "medium", "definite", 1, SH_AGE},
    {1, "医疗服务项目区分性别使用", "GZ10000302004000", 81, "SERVICE_SEX", "service_sex", "medical", "high", "definite", 2, SH_SEX},
    {0, "医用耗材与科室不符", "GZ10000303002000", 85, "CONSUMABLE_DEPT", "consumable_dept", "medical", "low", "suspicious", 1, SH_DEPT},
    {0, "医用耗材与性别不符", NULL, 87, "CONSUMABLE_SEX", "consumable_sex", "medical", "high", "definite", 2, SH_SEX},
};
/* clang-format on */
#define NCATS (sizeof CATS / sizeof CATS[0])

/* The category of a knowledge point: by national name, else by code. */
static const CatSpec *cat_find(const char *rule_class, const char *gz) {
    for (size_t i = 0; i < NCATS; i++)
        if (rule_class && strcmp(CATS[i].name, rule_class) == 0) return &CATS[i];
    for (size_t i = 0; i < NCATS; i++)
        if (gz && CATS[i].gz && strcmp(CATS[i].gz, gz) == 0) return &CATS[i];
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Derivations.  Each fills the parameters of its shape from the text of a   */
/* knowledge point and returns NULL, or the reason it could not (the row is  */
/* then incomplete).                                                         */

/* The price of a code in the list: 0 and *cents, or -1. */
static int price_of(const ImpPriceList *l, const char *code, int64_t *cents) {
    size_t lo = 0, hi = l ? l->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(l->codes[mid], code);
        if (!c) {
            *cents = l->cents[mid];
            return 0;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

typedef struct Derived {
    char sex;                             /* 'M' / 'F' */
    int min_age, age_under, max_age_days; /* -1 = none */
    int insurance;                        /* 1 work_injury, 2 maternity */
    const char *care;                     /* care_type member */
    int emergency_ok;                     /* an emergency department may use it */
    int min_level;                        /* 1..3 */
    char dept[64];                        /* department name */
    int max_days;                         /* course days or days supplied */
    const char *unit;                     /* billing unit (per-day limits) */
    int max_per_day;                      /* units per day */
    int period_days, max_in_period;       /* units within a period */
    char group[128];                      /* surgery group */
    char name_a[256], name_b[256];        /* names of a pair (A×B) */
    int64_t max_price;                    /* cents */
    char pattern[1024];                   /* indication: (term|term|...) */
    char why[256];                        /* reason text when incomplete */
} Derived;

static const char *const INSURANCE_NAMES[] = {"", "work_injury", "maternity"};

static void derived_init(Derived *d) {
    memset(d, 0, sizeof *d);
    d->min_age = d->age_under = d->max_age_days = -1;
}

/* --- sex: weighted keywords, longest first; 0-weight entries mask words that
 * contain a keyword but say nothing about sex (促黄体 in LHRH, herb names). */
typedef struct SexWord {
    const char *w;
    char sex;
    int weight;
} SexWord;

/* clang-format off */
static const SexWord SEX_WORDS[] = {
    {"男子更年期", 'M', 3}, {"促黄体", 0, 0}, {"女贞", 0, 0}, {"男女", 0, 0}, {"妇幼", 0, 0},
    {"限女性", 'F', 6}, {"限男性", 'M', 6},
    {"女性", 'F', 3}, {"妇女", 'F', 3}, {"妇科", 'F', 3}, {"妇人", 'F', 3}, {"阴道", 'F', 3},
    {"外阴", 'F', 3}, {"子宫", 'F', 3}, {"宫颈", 'F', 3}, {"宫腔", 'F', 3}, {"卵巢", 'F', 3},
    {"输卵管", 'F', 3}, {"月经", 'F', 3}, {"痛经", 'F', 3}, {"经期", 'F', 3}, {"闭经", 'F', 3},
    {"调经", 'F', 3}, {"经水", 'F', 3}, {"经血", 'F', 3}, {"行经", 'F', 3}, {"带下", 'F', 3},
    {"白带", 'F', 3}, {"妊娠", 'F', 3}, {"孕", 'F', 3}, {"产后", 'F', 3}, {"产前", 'F', 3},
    {"产妇", 'F', 3}, {"分娩", 'F', 3}, {"流产", 'F', 3}, {"早产", 'F', 3}, {"引产", 'F', 3},
    {"助产", 'F', 3}, {"剖宫", 'F', 3}, {"哺乳", 'F', 3}, {"催乳", 'F', 3}, {"乳汁", 'F', 3},
    {"下乳", 'F', 3}, {"通乳", 'F', 3}, {"绝经", 'F', 3}, {"更年期", 'F', 3}, {"盆腔", 'F', 3},
    {"附件炎", 'F', 3}, {"胎", 'F', 3}, {"恶露", 'F', 3}, {"崩漏", 'F', 3}, {"宫缩", 'F', 3},
    {"阴唇", 'F', 3}, {"乳腺", 'F', 1}, {"乳房", 'F', 1}, {"乳癖", 'F', 1}, {"雌", 'F', 1},
    {"女", 'F', 1}, {"妇", 'F', 1},
    {"男性", 'M', 3}, {"前列腺", 'M', 3}, {"阳痿", 'M', 3}, {"勃起", 'M', 3}, {"遗精", 'M', 3},
    {"早泄", 'M', 3}, {"睾", 'M', 3}, {"阴茎", 'M', 3}, {"阴囊", 'M', 3}, {"精子", 'M', 3},
    {"精液", 'M', 3}, {"少精", 'M', 3}, {"弱精", 'M', 3}, {"附睾", 'M', 3}, {"包皮", 'M', 3},
    {"精索", 'M', 3}, {"输精管", 'M', 3}, {"男", 'M', 1},
};
/* clang-format on */

static void sex_score(const char *s, int *f, int *m) {
    if (!s) return;
    for (const char *p = s; *p;) {
        const SexWord *best = NULL;
        size_t bl = 0;
        for (size_t i = 0; i < sizeof SEX_WORDS / sizeof SEX_WORDS[0]; i++) {
            size_t l = strlen(SEX_WORDS[i].w);
            if (l > bl && strncmp(p, SEX_WORDS[i].w, l) == 0) best = &SEX_WORDS[i], bl = l;
        }
        if (best) {
            if (best->sex == 'F') *f += best->weight;
            if (best->sex == 'M') *m += best->weight;
            p += bl;
        } else {
            p++;
        }
    }
}

static const char *derive_sex(const Kp *k, Derived *d) {
    int f = 0, m = 0;
    sex_score(k->constraint, &f, &m);
    sex_score(k->item_name, &f, &m);
    sex_score(k->detect_logic, &f, &m);
    if (f > 0 && f >= 3 * m)
        d->sex = 'F';
    else if (m > 0 && m >= 3 * f)
        d->sex = 'M';
    else if (!f && !m)
        return "no word of the text names a sex";
    else {
        snprintf(d->why, sizeof d->why, "sex is ambiguous (female words weigh %d, male %d)", f, m);
        return d->why;
    }
    return NULL;
}

/* --- ages.  Each match gives an age range [lo, hi): years, or days for the
 * newborn period; the ranges of a text are united. */
enum { AG_RANGE_EXCL, AG_RANGE_INCL, AG_MIN, AG_UNDER, AG_UNDER_INCL, AG_UNDER_MONTHS, AG_DAYS };

/* clang-format off */
static const char *const AGE_TPL[] = {
    "#岁~#岁以下", "#周岁~#周岁以下", "#~#周岁以下", "#~#岁以下",
    "#岁~#岁", "#周岁~#周岁", "#~#周岁", "#~#岁",
    "#岁及#岁以上", "#周岁及以上", "#岁及以上", "#周岁以上", "#岁以上", "≥#周岁", "≥#岁",
    "#周岁及以下", "#岁及以下", "≤#岁",
    "#周岁以下", "#岁以下", "#周岁以内", "#岁以内", "<#岁", "＜#岁", "不满#周岁", "不满#岁",
    "#个月以下", "#个月以内", "#月龄以下", "#月龄以内",
    "出生#天以内", "出生后#天内", "出生#天内",
};
static const int AGE_KIND[] = {
    AG_RANGE_EXCL, AG_RANGE_EXCL, AG_RANGE_EXCL, AG_RANGE_EXCL,
    AG_RANGE_INCL, AG_RANGE_INCL, AG_RANGE_INCL, AG_RANGE_INCL,
    AG_MIN, AG_MIN, AG_MIN, AG_MIN, AG_MIN, AG_MIN, AG_MIN,
    AG_UNDER_INCL, AG_UNDER_INCL, AG_UNDER_INCL,
    AG_UNDER, AG_UNDER, AG_UNDER, AG_UNDER, AG_UNDER, AG_UNDER, AG_UNDER, AG_UNDER,
    AG_UNDER_MONTHS, AG_UNDER_MONTHS, AG_UNDER_MONTHS, AG_UNDER_MONTHS,
    AG_DAYS, AG_DAYS, AG_DAYS,
};
/* clang-format on */

/* Age words, longest first: the range in years [lo, hi) (hi -1 = the child
 * age), or newborn (28 days). */
enum { AW_YEARS, AW_CHILD, AW_NEWBORN };
static const struct {
    const char *w;
    int kind, lo, hi;
} AGE_WORDS[] = {
    {"法定就业年龄", AW_YEARS, 16, 60}, {"新生儿", AW_NEWBORN, 0, 0}, {"早产儿", AW_NEWBORN, 0, 0},
    {"婴幼儿", AW_YEARS, 0, 3},         {"老年", AW_YEARS, 65, 1000}, {"婴儿", AW_YEARS, 0, 1},
    {"幼儿", AW_YEARS, 0, 3},           {"儿童", AW_CHILD, 0, 0},     {"小儿", AW_CHILD, 0, 0},
    {"患儿", AW_CHILD, 0, 0},           {"青少年", AW_CHILD, 0, 0},
};

/* An age range: lo in years, hi in days (so that the newborn period and
 * years compare); hi < 0: no upper limit. */
typedef struct AgeRange {
    int n;
    long lo, hi_days;
} AgeRange;

static void age_add(AgeRange *r, long lo, long hi_days) {
    if (!r->n) {
        r->lo = lo;
        r->hi_days = hi_days;
    } else {
        if (lo < r->lo) r->lo = lo;
        if (r->hi_days >= 0 && (hi_days < 0 || hi_days > r->hi_days)) r->hi_days = hi_days;
    }
    r->n++;
}

static void age_numeric(const char *s, AgeRange *r) {
    if (!s) return;
    const char *p = s;
    TCap c;
    int i;
    size_t ntpl = sizeof AGE_TPL / sizeof AGE_TPL[0];
    while ((i = tpl_first(AGE_TPL, ntpl, p, &c, &p)) >= 0) {
        long a = c.num[0], b = c.nnum > 1 ? c.num[1] : 0;
        switch (AGE_KIND[i]) {
        case AG_RANGE_EXCL: age_add(r, a, b * 365); break;
        case AG_RANGE_INCL: age_add(r, a, (b + 1) * 365); break;
        case AG_MIN: age_add(r, a, -1); break;
        case AG_UNDER: age_add(r, 0, a * 365); break;
        case AG_UNDER_INCL: age_add(r, 0, (a + 1) * 365); break;
        case AG_UNDER_MONTHS: age_add(r, 0, a % 12 == 0 ? a / 12 * 365 : a * 30); break;
        case AG_DAYS: age_add(r, 0, a); break;
        }
    }
}

static void age_words(const char *s, int child_age, AgeRange *r) {
    if (!s) return;
    for (const char *p = s; *p;) {
        size_t best = 0, bl = 0;
        for (size_t i = 0; i < sizeof AGE_WORDS / sizeof AGE_WORDS[0]; i++) {
            size_t l = strlen(AGE_WORDS[i].w);
            if (l > bl && strncmp(p, AGE_WORDS[i].w, l) == 0) best = i, bl = l;
        }
        if (!bl) {
            p++;
            continue;
        }
        p += bl;
        switch (AGE_WORDS[best].kind) {
        case AW_NEWBORN: age_add(r, 0, 28); break;
        case AW_CHILD: age_add(r, 0, (long)child_age * 365); break;
        default:
            age_add(r, AGE_WORDS[best].lo,
                    AGE_WORDS[best].hi >= 1000 ? -1 : (long)AGE_WORDS[best].hi * 365);
        }
    }
}

/* Allowed ages (forbid = 0) or forbidden ages (forbid = 1, stored as the
 * allowed complement) from the constraint and the item name.  Numbers win
 * over words: "限3-12岁…儿童" is 3 to 12, not any child. */
static const char *derive_age(const Kp *k, const ImpOptions *o, int forbid, Derived *d) {
    AgeRange r = {0, 0, 0}, w = {0, 0, 0};
    age_numeric(k->constraint, &r);
    age_numeric(k->item_name, &r);
    age_words(k->constraint, o->child_age, &w);
    age_words(k->item_name, o->child_age, &w);
    if (!w.n) age_words(k->detect_logic, o->child_age, &w); /* 超出儿童年龄限制 */
    if (!r.n)
        r = w;
    else if (r.hi_days < 0 && w.n && w.hi_days >= 0 && !forbid && !strstr(k->constraint, "成人") &&
             !strstr(k->constraint, "成年"))
        r.hi_days = w.hi_days; /* 3岁及以上…儿童: 3 to the child age */
    if (!r.n) return "no age limit in the text";
    int hi_years = r.hi_days >= 0 && r.hi_days % 365 == 0;
    if (!forbid) {
        if (r.lo > 0) d->min_age = (int)r.lo;
        if (r.hi_days >= 0) {
            if (hi_years)
                d->age_under = (int)(r.hi_days / 365);
            else
                d->max_age_days = (int)r.hi_days;
        }
        if (d->min_age < 0 && d->age_under < 0 && d->max_age_days < 0)
            return "the age range in the text has no limit";
        return NULL;
    }
    /* forbidden [lo, hi): allowed is [hi, ...) or [0, lo) */
    if (r.lo == 0 && r.hi_days >= 0 && hi_years) {
        d->min_age = (int)(r.hi_days / 365);
        return NULL;
    }
    if (r.lo > 0 && r.hi_days < 0) {
        d->age_under = (int)r.lo;
        return NULL;
    }
    return "the forbidden ages are not an open range in whole years";
}

/* --- insurance and care type: keywords. */
static const char *derive_insurance(const Kp *k, Derived *d) {
    const char *texts[] = {k->constraint, k->detect_logic, k->rule_class};
    for (int i = 0; i < 3; i++) {
        if (!texts[i]) continue;
        if (strstr(texts[i], "工伤")) {
            d->insurance = 1;
            return NULL;
        }
        if (strstr(texts[i], "生育")) {
            d->insurance = 2;
            return NULL;
        }
    }
    return "no insurance type (工伤/生育) in the text";
}

static const struct {
    const char *w;
    const char *care;
    int emergency;
} CARE_WORDS[] = {
    {"急诊或住院", "inpatient", 1}, {"住院或急诊", "inpatient", 1},
    {"住院", "inpatient", 0},       {"门诊慢特病", "chronic_outpatient", 0},
    {"门诊", "outpatient", 0},      {"定点药店", "pharmacy", 0},
    {"互联网", "internet", 0},
};

static const char *derive_care(const Kp *k, Derived *d) {
    const char *texts[] = {k->constraint, k->detect_logic};
    for (int t = 0; t < 2; t++) {
        if (!texts[t]) continue;
        for (const char *p = texts[t]; *p; p++)
            for (size_t i = 0; i < sizeof CARE_WORDS / sizeof CARE_WORDS[0]; i++)
                if (starts(p, CARE_WORDS[i].w)) {
                    d->care = CARE_WORDS[i].care;
                    d->emergency_ok = CARE_WORDS[i].emergency;
                    return NULL;
                }
    }
    return "no care type (住院/门诊/急诊/互联网) in the text";
}

/* --- facility level: the lowest level any template names. */
static const char *derive_level(const Kp *k, Derived *d) {
    static const char *const T[] = {"#级及以上",   "#级以上",     "#级医院",
                                    "#级综合医院", "#级医疗机构", "#级专科医院"};
    int best = 0;
    const char *p = k->constraint;
    TCap c;
    while (p && tpl_first(T, sizeof T / sizeof T[0], p, &c, &p) >= 0)
        if (c.num[0] >= 1 && c.num[0] <= 3 && (!best || c.num[0] < best)) best = (int)c.num[0];
    if (!best) return "no facility level (二级/三级) in the text";
    d->min_level = best;
    return NULL;
}

/* --- department: 限…科 (up to 10 characters before 科). */
static const char *derive_dept(const Kp *k, Derived *d) {
    const char *s = k->constraint;
    for (const char *p = s ? strstr(s, "限") : NULL; p; p = strstr(p + 1, "限")) {
        const char *q = p + strlen("限");
        for (int n = 0; n < 10 && (unsigned char)*q >= 0xE4; n++) {
            if (starts(q, "科")) {
                size_t len = (size_t)(q - (p + 3)) + 3;
                if (len > 3 && len < sizeof d->dept) {
                    memcpy(d->dept, p + 3, len);
                    d->dept[len] = 0;
                    return NULL;
                }
                break;
            }
            if (starts(q, "，") || starts(q, "。") || starts(q, "、") || starts(q, "的")) break;
            q += 3;
        }
    }
    return "no department (限…科) in the text";
}

/* --- course of treatment: the first "支付不超过N天" and the like. */
static const char *derive_course(const Kp *k, Derived *d) {
    static const char *const T[] = {"支付不超过#@",   "最多支付#@",   "疗程不超过#@",
                                    "总时间不超过#@", "使用不超过#@", "用药不超过#@"};
    TCap c;
    const char *s = k->constraint;
    if (tpl_first(T, sizeof T / sizeof T[0], s, &c, NULL) < 0)
        return "no course length (支付不超过N天) in the text";
    long days = c.num[0] * c.unit_days;
    if (c.unit_days == 30 && c.num[0] % 12 == 0) days = c.num[0] / 12 * 365; /* 12个月 */
    if (days <= 0 || days > 3650) return "the course length is out of range";
    d->max_days = (int)days;
    return NULL;
}

static const char *derive_days_supply(const Kp *k, Derived *d) {
    static const char *const T[] = {"开药量不超过#@", "最多开#@", "开药不超过#@", "不超过#@用量",
                                    "不超过#@"};
    TCap c;
    if (tpl_first(T, sizeof T / sizeof T[0], k->constraint, &c, NULL) < 0)
        return "no days of supply (不超过N天) in the text";
    long days = c.num[0] * c.unit_days;
    if (days <= 0 || days > 3650) return "the days of supply are out of range";
    d->max_days = (int)days;
    return NULL;
}

/* --- units per day: a number in the text, or the billing unit itself (an
 * item billed per day is billed at most once a day, per hour 24 times). */
static const char *derive_per_day(const Kp *k, Derived *d) {
    static const char *const T[] = {"每日最多#次",   "每天最多#次", "每日不超过#次",
                                    "每天不超过#次", "每日限#次",   "每日#次",
                                    "每天#次",       "#次/日",      "#次/天"};
    TCap c;
    if (tpl_first(T, sizeof T / sizeof T[0], k->constraint, &c, NULL) >= 0 && c.num[0] > 0) {
        d->max_per_day = (int)c.num[0];
        return NULL;
    }
    static const struct {
        const char *unit;
        int n;
    } U[] = {{"日", 1}, {"天", 1}, {"床日", 1}, {"每日", 1}, {"小时", 24}};
    const char *s = k->constraint ? k->constraint : "";
    while (*s == ' ') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n')) n--;
    for (size_t i = 0; i < sizeof U / sizeof U[0]; i++)
        if (n == strlen(U[i].unit) && strncmp(s, U[i].unit, n) == 0) {
            d->unit = U[i].unit;
            d->max_per_day = U[i].n;
            return NULL;
        }
    return "no per-day limit (a number, or a billing unit 日/天/小时) in the text";
}

/* --- period limits: a minimum interval, or at most N per week/month/year. */
static const char *derive_period(const Kp *k, Derived *d) {
    static const char *const T[] = {"间隔时间不短于#@",
                                    "间隔时间不少于#@",
                                    "间隔不短于#@",
                                    "间隔不少于#@",
                                    "每周最多支付#次",
                                    "每周最多#次",
                                    "每周限#次",
                                    "每月最多支付#次",
                                    "每月最多#次",
                                    "每年最多支付#次",
                                    "每年最多#次",
                                    "近#~#@",
                                    "近#@"};
    TCap c;
    int i = tpl_first(T, sizeof T / sizeof T[0], k->constraint, &c, NULL);
    if (i < 0) return "no period (间隔不短于N天, 每周最多N次) in the text";
    if (i < 4 || i >= 11) {
        d->period_days = (int)(c.num[0] * c.unit_days);
        d->max_in_period = 1;
    } else {
        d->period_days = i < 7 ? 7 : i < 9 ? 30 : 365;
        d->max_in_period = (int)c.num[0];
    }
    if (d->period_days <= 0 || d->period_days > 3650 || d->max_in_period <= 0)
        return "the period is out of range";
    return NULL;
}

/* --- price ceiling in yuan. */
static const char *derive_price(const Kp *k, Derived *d) {
    static const char *const T[] = {"限价&元", "最高&元", "不超过&元", "上限&元", "&元"};
    TCap c;
    if (tpl_first(T, sizeof T / sizeof T[0], k->constraint, &c, NULL) < 0 || c.cents <= 0)
        return "no price (N元) in the text";
    d->max_price = c.cents;
    return NULL;
}

/* --- surgery group: the constraint names it (肝胆手术组). */
static const char *derive_group(const Kp *k, const ImpOptions *o, Derived *d) {
    const char *s = k->constraint;
    if (!s) return "no surgery group in the text";
    size_t n = strlen(s);
    while (n >= 3 && strncmp(s + n - 3, "。", 3) == 0) n -= 3;
    if (n < 3 || n >= sizeof d->group || strncmp(s + n - 3, "组", 3) != 0)
        return "no surgery group (…组) in the text";
    memcpy(d->group, s, n);
    d->group[n] = 0;
    /* the table also needs the full price of each surgery, which is local
     * (provincial price lists), never in a knowledge point: --prices */
    for (size_t i = 0; i < k->ncodes; i++) {
        if (price_of(o->prices, k->codes[i], &d->max_price) == 0) continue;
        if (o->prices)
            snprintf(d->why, sizeof d->why,
                     "no price for %s in the price list (surgery_group %s derived)", k->codes[i],
                     d->group);
        else
            snprintf(d->why, sizeof d->why,
                     "no price in the knowledge point (surgery_group %s derived; prices "
                     "come from a local price list: --prices)",
                     d->group);
        return d->why;
    }
    return NULL;
}

/* --- second-line drugs: the stdlib rule needs the first-line drug as a code
 * prefix; the texts name a treatment (一线含氟尿嘧啶类方案, 传统DMARDs), never
 * a code, so every such point is incomplete. */
static const char *derive_second_line(const Kp *k, Derived *d) {
    (void)k;
    (void)d;
    return "no first-line drug code in the text (it names a treatment, not a code)";
}

/* --- pairs: two codes; the item name reads "A×B". */
static const char *derive_pair(const Kp *k, Derived *d) {
    if (k->ncodes != 2) {
        snprintf(d->why, sizeof d->why, "a pair needs exactly two codes, the point has %zu",
                 k->ncodes);
        return d->why;
    }
    if (strcmp(k->codes[0], k->codes[1]) == 0) return "both codes of the pair are the same";
    const char *name = k->item_name ? k->item_name : "";
    const char *x = strstr(name, "×");
    size_t xl = strlen("×");
    if (!x) x = strstr(name, "*"), xl = 1;
    if (x) {
        size_t a = (size_t)(x - name);
        snprintf(d->name_a, sizeof d->name_a, "%.*s", (int)a, name);
        snprintf(d->name_b, sizeof d->name_b, "%s", x + xl);
    } else {
        snprintf(d->name_a, sizeof d->name_a, "%s", k->codes[0]);
        snprintf(d->name_b, sizeof d->name_b, "%s", name);
    }
    return NULL;
}

/* --- indications: disease names, one or more per clause of the first
 * sentence.  A term is a run of word characters ending in a disease suffix,
 * cut at a stop character, with leading qualifiers removed. */
/* Disease-name endings; those marked 1 may stand alone as a name (白血病),
 * the others need a word before them (肺癌, not 癌). */
static const struct {
    const char *w;
    int alone;
} DISEASE_SUFFIX[] = {
    {"综合征", 0}, {"白血病", 1}, {"淋巴瘤", 1}, {"骨髓瘤", 1},   {"骨质疏松", 1},
    {"心绞痛", 1}, {"纤维化", 0}, {"血友病", 1}, {"荨麻疹", 1},   {"幽门螺杆菌", 1},
    {"疾病", 0},   {"癌", 0},     {"瘤", 0},     {"病", 0},       {"炎", 0},
    {"症", 0},     {"感染", 0},   {"衰竭", 0},   {"不全", 0},     {"梗死", 0},
    {"梗塞", 0},   {"高压", 0},   {"溃疡", 0},   {"硬化", 0},     {"哮喘", 1},
    {"贫血", 0},   {"骨折", 0},   {"便秘", 0},   {"中毒", 0},     {"损伤", 0},
    {"出血", 0},   {"水肿", 0},   {"结核", 1},   {"萎缩", 0},     {"狼疮", 0},
    {"痛风", 1},   {"疱疹", 0},   {"休克", 0},   {"昏迷", 0},     {"卒中", 0},
    {"癫痫", 1},   {"阻塞", 0},   {"湿疹", 1},   {"痤疮", 1},     {"畸形", 0},
    {"低下", 0},   {"减退", 0},   {"亢进", 0},   {"结石", 0},     {"呕吐", 0},
    {"高血压", 1}, {"增生", 0},   {"烧伤", 1},   {"排异反应", 1}, {"排斥反应", 1},
    {"减少", 0},   {"障碍", 0},   {"肌无力", 1}, {"流感", 1},     {"房颤", 1},
    {"血栓", 0},   {"栓塞", 0},   {"破伤风", 1}, {"心律失常", 1}, {"血脂异常", 1},
    {"腹水", 0},   {"丙肝", 1},   {"乙肝", 1},
};
/* A disease ending followed by one of these is not a disease (病毒, 病情,
 * 疾病活动, 疾病进展). */
static const char *const NOT_BEFORE[] = {"毒", "情", "活动",   "进展", "控制",
                                         "灶", "变", "肌无力", "嗜"};
/* Terms that name no disease on their own. */
static const char *const JUNK_TERMS[] = {"疾病", "重症", "癌症", "病情", "炎症", "感染", "发症"};
static const char *const STOP_CHARS[] = {
    "的", "或", "和", "及", "与", "伴", "并", "、", "，", "限", "于", "在", "对", "为", "用", "由",
    "因", "致", "等", "者", "期", "后", "经", "以", "如", "含", "其", "患", "且", "有", "治", "疗",
    "：", "；", "至", "岁", "月", "个", "是", "即", "无", "过", "之", "上", "下", "曾", "但"};
/* Leading qualifiers removed from a term; a term is also cut after the
 * markers (HER2阳性乳腺癌 -> 乳腺癌). */
static const char *const QUALIFIERS[] = {
    "局部晚期", "不可切除", "新诊断", "转移性", "复发性", "难治性", "中重度", "轻中度",
    "活动性",   "进展性",   "持续性", "晚期",   "早期",   "复发",   "难治",   "成人",
    "成年",     "重度",     "中度",   "轻度",   "初治",   "急性",   "慢性",   "重症",
    "严重",     "明确",     "确诊",   "既往",   "诊断",   "出现",   "发生",   "术后",
    "术前",     "新发",     "青少年", "儿童",   "型",     "列",     "抗",     "包括"};
static const char *const CUT_AFTER[] = {"阳性", "阴性", "突变", "缺失"};

static int is_word_char(const char *p) {
    unsigned char c = (unsigned char)*p;
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return 1;
    if (c >= 0xE4 && c <= 0xE9) { /* CJK unified ideographs U+4E00..U+9FFF */
        for (size_t i = 0; i < sizeof STOP_CHARS / sizeof STOP_CHARS[0]; i++)
            if (starts(p, STOP_CHARS[i])) return 0;
        return 1;
    }
    return 0;
}

/* Start of the character before p (s is the string start). */
static const char *prev_char(const char *s, const char *p) {
    if (p <= s) return NULL;
    p--;
    while (p > s && ((unsigned char)*p & 0xC0) == 0x80) p--;
    return p;
}

/* Appends term [b, e) to the alternation in d->pattern (which holds "(" and
 * the terms so far, separated by '|') unless it is there already.  -1 when
 * the pattern would be too long. */
static int pattern_add(Derived *d, size_t *plen, const char *b, const char *e) {
    size_t len = (size_t)(e - b);
    for (const char *q = d->pattern + 1; q < d->pattern + *plen;) {
        const char *bar = memchr(q, '|', (size_t)(d->pattern + *plen - q));
        const char *te = bar ? bar : d->pattern + *plen;
        if ((size_t)(te - q) == len && memcmp(q, b, len) == 0) return 0;
        q = te + 1;
    }
    if (*plen + len + 3 >= sizeof d->pattern) return -1;
    if (*plen > 1) d->pattern[(*plen)++] = '|';
    memcpy(d->pattern + *plen, b, len);
    *plen += len;
    d->pattern[*plen] = 0;
    return 0;
}

/* Adds the disease terms of clause [s, e) to the pattern; returns how many
 * it found (-1: the pattern is too long). */
static int indication_terms(const char *s, const char *e, Derived *d, size_t *plen) {
    int found = 0;
    for (const char *p = s; p < e;) {
        size_t sl = 0;
        int alone = 0;
        for (size_t i = 0; i < sizeof DISEASE_SUFFIX / sizeof DISEASE_SUFFIX[0]; i++) {
            size_t l = strlen(DISEASE_SUFFIX[i].w);
            if (l > sl && p + l <= e && strncmp(p, DISEASE_SUFFIX[i].w, l) == 0)
                sl = l, alone = DISEASE_SUFFIX[i].alone;
        }
        if (!sl) {
            p++;
            continue;
        }
        const char *sfx = p, *end = p + sl, *b = p;
        while (end + 3 <= e && starts(end, "症")) end += 3; /* 癌症 */
        p = end;
        int not_disease = 0;
        for (size_t i = 0; i < sizeof NOT_BEFORE / sizeof NOT_BEFORE[0]; i++)
            if (end < e && starts(end, NOT_BEFORE[i])) not_disease = 1;
        if (not_disease) continue;
        for (const char *q; (q = prev_char(s, b)) && is_word_char(q);) b = q;
        for (size_t i = 0; i < sizeof CUT_AFTER / sizeof CUT_AFTER[0]; i++)
            for (const char *q; (q = strstr(b, CUT_AFTER[i])) && q + strlen(CUT_AFTER[i]) <= sfx;)
                b = q + strlen(CUT_AFTER[i]);
        for (int again = 1; again;) {
            again = 0;
            for (size_t i = 0; i < sizeof QUALIFIERS / sizeof QUALIFIERS[0]; i++) {
                size_t l = strlen(QUALIFIERS[i]);
                if (b + l <= sfx && strncmp(b, QUALIFIERS[i], l) == 0) b += l, again = 1;
            }
            if (b + 3 <= sfx && starts(b, "性")) b += 3, again = 1;
        }
        size_t chars = 0;
        for (const char *q = b; q < end; q++) chars += ((unsigned char)*q & 0xC0) != 0x80;
        if (chars < 2 || chars > 16) continue;
        if (b == sfx && !alone) continue; /* a bare ending such as 溃疡 */
        int junk = 0;
        for (size_t i = 0; i < sizeof JUNK_TERMS / sizeof JUNK_TERMS[0]; i++)
            if ((size_t)(end - b) == strlen(JUNK_TERMS[i]) && starts(b, JUNK_TERMS[i])) junk = 1;
        if (end - b >= 6 && starts(end - 6, "发病")) junk = 1; /* 心肌梗死发病 */
        if (junk) continue;
        found++;
        if (pattern_add(d, plen, b, end)) return -1;
    }
    return found;
}

/* Whether [b, e) contains the word w. */
static int has_within(const char *b, const char *e, const char *w) {
    size_t n = strlen(w);
    for (const char *p = b; p + n <= e; p++)
        if (memcmp(p, w, n) == 0) return 1;
    return 0;
}

/* Whether p starts a numbered item ("1." "2、") of an enumeration. */
static size_t item_number(const char *s, const char *p) {
    if (*p < '1' || *p > '9') return 0;
    if (p > s && p[-1] >= '0' && p[-1] <= '9') return 0;
    const char *q = p;
    while (*q >= '0' && *q <= '9') q++;
    if (*q == '.' && !(q[1] >= '0' && q[1] <= '9')) return (size_t)(q + 1 - p);
    /* "1、" only where a list may start (not in "基因1、2、3型") */
    const char *b = prev_char(s, p);
    if (starts(q, "、") && (!b || starts(b, "：") || starts(b, "；") || *b == ':' || *b == ';'))
        return (size_t)(q + 3 - p);
    return 0;
}

/* Indication: the first sentence of the constraint, without parenthesised
 * parts, cut into clauses at ；/; and at numbered items; every clause must
 * name at least one disease, and the pattern is the alternation of all the
 * names: (非小细胞肺癌|乳腺癌). */
static const char *derive_indication(const Kp *k, Derived *d) {
    const char *s = k->constraint;
    if (!s || !*s) return "no indication text";
    char text[4096];
    size_t n = 0;
    int depth = 0;
    for (const char *p = s; *p && n + 4 < sizeof text;) {
        if (starts(p, "。") || *p == '\n') break;
        if (*p == '(' || starts(p, "（")) {
            depth++;
            p += *p == '(' ? 1 : 3;
        } else if ((*p == ')' || starts(p, "）")) && depth) {
            depth--;
            p += *p == ')' ? 1 : 3;
        } else if (depth) {
            p++;
        } else {
            text[n++] = *p++;
        }
    }
    text[n] = 0;
    d->pattern[0] = '(';
    d->pattern[1] = 0;
    size_t plen = 1;
    int clause = 0;
    const char *c = text;
    while (*c) {
        /* one clause: [b, e) */
        const char *b = c;
        size_t num = item_number(text, b);
        b += num;
        const char *e = b;
        while (*e && !starts(e, "；") && *e != ';' && !item_number(text, e)) e++;
        c = starts(e, "；") ? e + 3 : *e == ';' ? e + 1 : e;
        if (starts(b, "限：") || starts(b, "限:")) b += starts(b, "限：") ? 6 : 4;
        int has_text = 0;
        for (const char *q = b; q < e; q++) has_text |= (unsigned char)*q >= 0xE4;
        if (!has_text || (starts(b, "限") && b + 3 >= e)) continue;
        clause++;
        int t = indication_terms(b, e, d, &plen);
        if (t < 0) return "the indication names too many diseases for one pattern";
        /* an introduction to the numbered items (…引起的下列感染：1.…) */
        if (t == 0 && (has_within(b, e, "下列") || has_within(b, e, "以下")) &&
            item_number(text, e))
            continue;
        if (t == 0) {
            snprintf(d->why, sizeof d->why,
                     "indication clause %d names no disease (it reads as free text)", clause);
            return d->why;
        }
    }
    if (plen <= 1) return "no disease name in the indication";
    d->pattern[plen++] = ')';
    d->pattern[plen] = 0;
    return NULL;
}

/* Derives the parameters of a knowledge point for its category's shape. */
static const char *derive(const CatSpec *c, const Kp *k, const ImpOptions *o, Derived *d) {
    derived_init(d);
    switch (c->shape) {
    case SH_SEX: return derive_sex(k, d);
    case SH_AGE: return derive_age(k, o, 0, d);
    case SH_AGE_FORBID: return derive_age(k, o, 1, d);
    case SH_INSURANCE: return derive_insurance(k, d);
    case SH_CARE: return derive_care(k, d);
    case SH_FORBID_CARE: {
        const char *why = derive_care(k, d);
        if (!why && strcmp(d->care, "internet") != 0 && k->detect_logic &&
            strstr(k->detect_logic, "互联网"))
            d->care = "internet";
        return why;
    }
    case SH_LEVEL: return derive_level(k, d);
    case SH_DEPT: return derive_dept(k, d);
    case SH_COURSE: return derive_course(k, d);
    case SH_DAYS_SUPPLY: return derive_days_supply(k, d);
    case SH_PER_DAY: return derive_per_day(k, d);
    case SH_PERIOD: return derive_period(k, d);
    case SH_PAIR: return derive_pair(k, d);
    case SH_GROUP: return derive_group(k, o, d);
    case SH_SECOND_LINE: return derive_second_line(k, d);
    case SH_INDICATION: return derive_indication(k, d);
    case SH_PRICE:
    case SH_ANNUAL_CAP: return derive_price(k, d);
    default: return NULL; /* listed, herb single, review: no parameters */
    }
}

/* ------------------------------------------------------------------------ */
/* Tables: the columns of each shape (after the key `code`; every table ends  */
/* with `kp` and `note`, the knowledge point's id and constraint text).       */

typedef struct Col {
    const char *name, *type;
} Col;

static const Col *shape_cols(int shape) {
    static const Col SEX[] = {{"name", "text"}, {"sex", "sex"}, {0, 0}};
    static const Col AGE[] = {{"name", "text"},
                              {"min_age", "int"},
                              {"age_under", "int"},
                              {"max_age_days", "int"},
                              {0, 0}};
    static const Col INS[] = {{"name", "text"}, {"insurance", "insurance_type"}, {0, 0}};
    static const Col CARE[] = {
        {"name", "text"}, {"care", "care_type"}, {"emergency_ok", "bool"}, {0, 0}};
    static const Col FCARE[] = {{"name", "text"}, {"care", "care_type"}, {0, 0}};
    static const Col LEVEL[] = {{"name", "text"}, {"min_level", "int"}, {0, 0}};
    static const Col DEPT[] = {{"name", "text"}, {"dept", "text"}, {0, 0}};
    static const Col DAYS[] = {{"name", "text"}, {"max_days", "int"}, {0, 0}};
    static const Col PERDAY[] = {
        {"name", "text"}, {"unit", "text"}, {"max_per_day", "int"}, {0, 0}};
    static const Col PERIOD[] = {
        {"name", "text"}, {"period_days", "int"}, {"max_in_period", "int"}, {0, 0}};
    static const Col PAIR[] = {
        {"name", "text"}, {"with_code", "code"}, {"with_name", "text"}, {0, 0}};
    static const Col GROUP[] = {
        {"name", "text"}, {"surgery_group", "text"}, {"price", "money"}, {0, 0}};
    static const Col SECOND[] = {
        {"name", "text"}, {"first_line_code", "code"}, {"first_line_name", "text"}, {0, 0}};
    static const Col NAME[] = {{"name", "text"}, {0, 0}};
    static const Col IND[] = {
        {"name", "text"}, {"pattern_id", "int"}, {"pattern", "regex"}, {0, 0}};
    static const Col PRICE[] = {{"name", "text"}, {"max_price", "money"}, {0, 0}};
    static const Col CAP[] = {{"name", "text"}, {"max_amount", "money"}, {0, 0}};
    switch (shape) {
    case SH_SEX: return SEX;
    case SH_AGE:
    case SH_AGE_FORBID: return AGE;
    case SH_INSURANCE: return INS;
    case SH_CARE: return CARE;
    case SH_FORBID_CARE: return FCARE;
    case SH_LEVEL: return LEVEL;
    case SH_DEPT: return DEPT;
    case SH_COURSE:
    case SH_DAYS_SUPPLY: return DAYS;
    case SH_PER_DAY: return PERDAY;
    case SH_PERIOD: return PERIOD;
    case SH_PAIR: return PAIR;
    case SH_GROUP: return GROUP;
    case SH_SECOND_LINE: return SECOND;
    case SH_INDICATION: return IND;
    case SH_PRICE: return PRICE;
    case SH_ANNUAL_CAP: return CAP;
    default: return NAME;
    }
}

static void put_int(Buf *b, int v) {
    if (v >= 0) buf_printf(b, "%d", v);
}

/* Appends the parameter cells of one row (after the key; kp and note
 * follow). */
static void row_cells(Buf *b, int shape, const Kp *k, const Derived *d, int pattern_id, int names) {
    const Col *cols = shape_cols(shape);
    int pair = shape == SH_PAIR;
    for (const Col *c = cols; c->name; c++) {
        const char *n = c->name;
        size_t nl = strlen(n);
        if (!names && nl >= 4 && strcmp(n + nl - 4, "name") == 0) continue;
        buf_add(b, ",", 1);
        if (strcmp(n, "name") == 0)
            buf_csv(b, pair ? d->name_b : k->item_name);
        else if (strcmp(n, "sex") == 0)
            buf_add(b, &d->sex, 1);
        else if (strcmp(n, "min_age") == 0)
            put_int(b, d->min_age);
        else if (strcmp(n, "age_under") == 0)
            put_int(b, d->age_under);
        else if (strcmp(n, "max_age_days") == 0)
            put_int(b, d->max_age_days);
        else if (strcmp(n, "insurance") == 0)
            buf_puts(b, INSURANCE_NAMES[d->insurance]);
        else if (strcmp(n, "care") == 0)
            buf_puts(b, d->care);
        else if (strcmp(n, "emergency_ok") == 0)
            buf_puts(b, d->emergency_ok ? "true" : "false");
        else if (strcmp(n, "min_level") == 0)
            put_int(b, d->min_level);
        else if (strcmp(n, "dept") == 0)
            buf_csv(b, d->dept);
        else if (strcmp(n, "max_days") == 0)
            put_int(b, d->max_days);
        else if (strcmp(n, "unit") == 0)
            buf_csv(b, d->unit);
        else if (strcmp(n, "max_per_day") == 0)
            put_int(b, d->max_per_day);
        else if (strcmp(n, "period_days") == 0)
            put_int(b, d->period_days);
        else if (strcmp(n, "max_in_period") == 0)
            put_int(b, d->max_in_period);
        else if (strcmp(n, "with_code") == 0)
            buf_csv(b, k->codes[0]);
        else if (strcmp(n, "with_name") == 0)
            buf_csv(b, d->name_a);
        else if (strcmp(n, "surgery_group") == 0)
            buf_csv(b, d->group);
        else if (strcmp(n, "pattern_id") == 0)
            put_int(b, pattern_id);
        else if (strcmp(n, "pattern") == 0)
            buf_csv(b, d->pattern);
        else if (strcmp(n, "price") == 0 || strcmp(n, "max_price") == 0 ||
                 strcmp(n, "max_amount") == 0)
            buf_printf(b, "%lld.%02lld", (long long)(d->max_price / 100),
                       (long long)(d->max_price % 100));
    }
}

/* ------------------------------------------------------------------------ */
/* Rule templates for the categories stdlib-rules does not have (they get a  */
/* file of their own).  $ID is the category, $T the table (also the prefix   */
/* of defines), $TITLE the national name.  Only the shapes of those          */
/* categories need one: sex, ages and departments.                          */

static const char *shape_rules(int shape) {
    switch (shape) {
    case SH_SEX:
        return "rule $ID.1 \"$TITLE\" in $ID\n"
               "  phase pre settle post\n"
               "  for line in claim.lines\n"
               "  match r in $T on line.item_code\n"
               "  when claim.sex in {M, F} and claim.sex != r.sex\n"
               "  flag line message \"{r.name} 限{r.sex}性使用，患者性别{claim.sex}\"\n";
    case SH_AGE:
    case SH_AGE_FORBID:
        return "define $T_days_old = days_between(claim.birth_date,\n"
               "                                  date(coalesce(claim.admit_time, "
               "claim.settle_time)))\n\n"
               "rule $ID.1 \"超出限定年龄上限\" in $ID\n"
               "  phase pre settle post\n"
               "  for line in claim.lines\n"
               "  match r in $T on line.item_code\n"
               "  when claim.age >= r.age_under\n"
               "  flag line message \"{r.name} 限{r.age_under}岁以下使用，患者{claim.age}岁\"\n\n"
               "rule $ID.2 \"低于限定年龄下限\" in $ID\n"
               "  phase pre settle post\n"
               "  for line in claim.lines\n"
               "  match r in $T on line.item_code\n"
               "  when claim.age < r.min_age\n"
               "  flag line message \"{r.name} 限{r.min_age}岁及以上使用，患者{claim.age}岁\"\n\n"
               "rule $ID.3 \"超出新生儿期\" in $ID\n"
               "  phase pre settle post\n"
               "  for line in claim.lines\n"
               "  match r in $T on line.item_code\n"
               "  when $T_days_old > r.max_age_days\n"
               "  flag line message \"{r.name} 限出生{r.max_age_days}天内使用，患者出生"
               "{$T_days_old}天\"\n";
    case SH_DEPT:
        return "rule $ID.1 \"$TITLE\" in $ID\n"
               "  for line in claim.lines\n"
               "  match r in $T on line.item_code\n"
               "  when coalesce(line.dept, claim.dept) != r.dept\n"
               "  flag line message \"{r.name} 限{r.dept}使用，开具科室"
               "{coalesce(line.dept, claim.dept)}\"\n";
    default: return NULL; /* a category of this shape is in stdlib-rules */
    }
}

/* Writes template t with $ID, $T and $TITLE replaced. */
static void put_template(Buf *b, const char *t, const CatSpec *c, const char *title) {
    if (!t) return;
    for (const char *p = t; *p; p++) {
        if (*p == '$' && starts(p, "$ID")) {
            buf_puts(b, c->id);
            p += 2;
        } else if (*p == '$' && starts(p, "$TITLE")) {
            buf_puts(b, title);
            p += 5;
        } else if (*p == '$' && starts(p, "$T")) {
            buf_puts(b, c->file);
            p += 1;
        } else {
            buf_add(b, p, 1);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Collecting rows per category.                                             */

/* A set of strings (row texts), for de-duplication. */
typedef struct StrSet {
    char **slots;
    size_t cap, n;
} StrSet;

static uint64_t fnv(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Adds s (owned by the caller) unless present: 1 added, 0 present, -1 OOM. */
static int set_add(StrSet *t, char *s) {
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        char **slots = calloc(cap, sizeof *slots);
        if (!slots) return -1;
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i]) {
                size_t j = fnv(t->slots[i]) & (cap - 1);
                while (slots[j]) j = (j + 1) & (cap - 1);
                slots[j] = t->slots[i];
            }
        free(t->slots);
        t->slots = slots;
        t->cap = cap;
    }
    size_t j = fnv(s) & (t->cap - 1);
    for (; t->slots[j]; j = (j + 1) & (t->cap - 1))
        if (strcmp(t->slots[j], s) == 0) return 0;
    t->slots[j] = s;
    t->n++;
    return 1;
}

typedef struct CatOut {
    const CatSpec *spec;    /* NULL: a category the importer does not know */
    const char *rule_class; /* as in the file */
    const char *gz;         /* first national code seen */
    const char *level1;     /* first tier seen (政策类 ...) */
    size_t read, imported, incomplete, codes, incomplete_codes;
    Buf inc;     /* its lines of incomplete.csv */
    char **rows; /* table rows (CSV lines, no newline) */
    size_t nrows, caprows;
    StrSet seen;
    char **patterns; /* indication patterns, by id - 1 */
    size_t npat, cappat;
} CatOut;

typedef struct Import {
    const ImpOptions *o;
    CatOut *cats;
    size_t ncats, capcats;
    int oom;
} Import;

static CatOut *import_cat(Import *im, const Kp *k) {
    const CatSpec *spec = cat_find(k->rule_class, k->gz_code);
    for (size_t i = 0; i < im->ncats; i++) {
        CatOut *c = &im->cats[i];
        if (spec ? c->spec == spec : (!c->spec && strcmp(c->rule_class, k->rule_class) == 0))
            return c;
    }
    if (im->ncats == im->capcats) {
        size_t cap = im->capcats ? im->capcats * 2 : 32;
        CatOut *p = realloc(im->cats, cap * sizeof *p);
        if (!p) return NULL;
        im->cats = p;
        im->capcats = cap;
    }
    CatOut *c = &im->cats[im->ncats++];
    memset(c, 0, sizeof *c);
    c->spec = spec;
    c->rule_class = k->rule_class;
    c->gz = k->gz_code;
    c->level1 = k->level1;
    return c;
}

#define INCOMPLETE_HEADER "category,kp_id,item_name,codes,first_code,reason,constraint\n"

/* Lists a knowledge point in incomplete.csv: its category (the identifier,
 * or the national name when the importer does not know it), the point, how
 * many codes it has and the first, why it is incomplete and its text. */
static void import_incomplete(CatOut *c, const Kp *k, const char *why) {
    Buf *b = &c->inc;
    buf_csv(b, c->spec ? c->spec->id : k->rule_class);
    buf_add(b, ",", 1);
    buf_csv(b, k->kp_id);
    buf_add(b, ",", 1);
    buf_csv(b, k->item_name);
    buf_printf(b, ",%zu,", k->ncodes);
    buf_csv(b, k->ncodes ? k->codes[0] : "");
    buf_add(b, ",", 1);
    buf_csv(b, why);
    buf_add(b, ",", 1);
    buf_csv(b, k->constraint);
    buf_add(b, "\n", 1);
    c->incomplete++;
    c->incomplete_codes += k->ncodes;
}

/* Full length of a national code by its first character (0: unknown). */
static size_t code_full_len(char c) {
    switch (c) {
    case 'X': return 23;
    case 'Z': return 20;
    case 'T': return 10;
    case 'C': return 20;
    default: return c >= '0' && c <= '9' ? 15 : 0;
    }
}

/* Checks a code and writes its table key into key (CODE or CODE%): NULL, or
 * why the code cannot be a key. */
static const char *code_key(const char *code, char *key, size_t cap) {
    size_t n = strlen(code);
    while (n && code[n - 1] == ' ') n--;
    while (n && *code == ' ') code++, n--;
    int prefix = n && (code[n - 1] == '%' || code[n - 1] == '*');
    size_t body = n - (size_t)prefix;
    if (!body || body + 2 > cap) return "an empty or over-long item code";
    for (size_t i = 0; i < body; i++) {
        char ch = code[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              ch == '.' || ch == '-' || ch == '_'))
            return "an item code with characters other than letters, digits, . - _";
    }
    /* a national item code shorter than its kind's length is a prefix (not a
     * diagnosis or procedure code: those have a dot, or are ICD categories) */
    size_t full = memchr(code, '.', body) ? 0 : code_full_len(code[0]);
    if (full && body < full) prefix = 1;
    memcpy(key, code, body);
    if (prefix) key[body++] = '%';
    key[body] = 0;
    return NULL;
}

/* The key a knowledge point's codes collapse into with --prefix-keys: the
 * longest common prefix of at least 2 drug codes when it keeps the drug's
 * name and dosage form (11 characters); else 0. */
static size_t collapse_len(const Kp *k) {
    if (k->ncodes < 2) return 0;
    const char *a = k->codes[0];
    if (a[0] != 'X' && a[0] != 'Z') return 0;
    size_t l = strlen(a);
    for (size_t i = 1; i < k->ncodes; i++) {
        size_t j = 0;
        while (j < l && a[j] == k->codes[i][j]) j++;
        l = j;
        if (strlen(k->codes[i]) != strlen(a)) return 0;
    }
    return l >= 11 && l < strlen(a) ? l : 0;
}

/* Adds the row of one key unless a row with the same key and parameters is
 * there already (the same code in two points of a category, say two batches):
 * the first point's kp and note are kept.  -1 when out of memory. */
static int add_row(CatOut *c, const char *key, const Kp *k, const Derived *d, int pattern_id) {
    /* the same key with the same parameters is one row, whatever the names */
    Buf b = {0};
    buf_csv(&b, key);
    row_cells(&b, c->spec->shape, k, d, pattern_id, 0);
    if (b.oom) return -1;
    int r = set_add(&c->seen, b.p);
    if (r <= 0) {
        free(b.p);
        return r;
    }
    Buf full = {0};
    buf_csv(&full, key);
    row_cells(&full, c->spec->shape, k, d, pattern_id, 1);
    buf_add(&full, ",", 1);
    buf_csv(&full, k->kp_id);
    buf_add(&full, ",", 1);
    buf_csv(&full, k->constraint);
    if (full.oom) return -1;
    if (c->nrows == c->caprows) {
        size_t cap = c->caprows ? c->caprows * 2 : 256;
        char **p = realloc(c->rows, cap * sizeof *p);
        if (!p) {
            free(full.p);
            return -1;
        }
        c->rows = p;
        c->caprows = cap;
    }
    c->rows[c->nrows++] = full.p;
    return 0;
}

static int pattern_id(CatOut *c, const char *pattern) {
    for (size_t i = 0; i < c->npat; i++)
        if (strcmp(c->patterns[i], pattern) == 0) return (int)i + 1;
    if (c->npat == c->cappat) {
        size_t cap = c->cappat ? c->cappat * 2 : 64;
        char **p = realloc(c->patterns, cap * sizeof *p);
        if (!p) return -1;
        c->patterns = p;
        c->cappat = cap;
    }
    c->patterns[c->npat] = strdup(pattern);
    if (!c->patterns[c->npat]) return -1;
    return (int)++c->npat;
}

/* Imports one knowledge point: derives its parameters and adds a row per
 * code, or lists it as incomplete.  -1 when out of memory. */
static int import_kp(Import *im, const Kp *k) {
    CatOut *c = import_cat(im, k);
    if (!c) return -1;
    c->read++;
    c->codes += k->ncodes;
    if (!c->spec) {
        import_incomplete(c, k, "category not known to the importer");
        return 0;
    }
    if (!k->ncodes) {
        import_incomplete(c, k, "no item codes");
        return 0;
    }
    Derived d;
    const char *why = derive(c->spec, k, im->o, &d);
    if (why) {
        import_incomplete(c, k, why);
        return 0;
    }
    char key[128];
    int shape = c->spec->shape;
    int pair = shape == SH_PAIR;
    /* validate all codes first: a bad one makes the point incomplete */
    for (size_t i = 0; i < k->ncodes; i++) {
        const char *bad = code_key(k->codes[i], key, sizeof key);
        if (bad) {
            import_incomplete(c, k, bad);
            return 0;
        }
    }
    int pid = 0;
    if (shape == SH_INDICATION && (pid = pattern_id(c, d.pattern)) < 0) return -1;
    size_t cl = im->o->prefix_keys && !pair ? collapse_len(k) : 0;
    if (cl) {
        snprintf(key, sizeof key, "%.*s%%", (int)cl, k->codes[0]);
        if (add_row(c, key, k, &d, pid)) return -1;
    } else if (pair) {
        code_key(k->codes[1], key, sizeof key);
        if (add_row(c, key, k, &d, pid)) return -1;
    } else {
        for (size_t i = 0; i < k->ncodes; i++) {
            code_key(k->codes[i], key, sizeof key);
            if (shape == SH_GROUP) price_of(im->o->prices, k->codes[i], &d.max_price);
            if (add_row(c, key, k, &d, pid)) return -1;
        }
    }
    c->imported++;
    return 0;
}

static void import_free(Import *im) {
    for (size_t i = 0; i < im->ncats; i++) {
        CatOut *c = &im->cats[i];
        for (size_t j = 0; j < c->nrows; j++) free(c->rows[j]);
        free(c->rows);
        for (size_t j = 0; j < c->seen.cap; j++) free(c->seen.slots[j]);
        free(c->seen.slots);
        for (size_t j = 0; j < c->npat; j++) free(c->patterns[j]);
        free(c->patterns);
        free(c->inc.p);
    }
    free(im->cats);
    memset(im, 0, sizeof *im);
}

/* ------------------------------------------------------------------------ */
/* Writing the library.                                                      */

static int write_file(const char *path, const char *data, size_t n, char *err, size_t errcap) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errcap, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    size_t w = n ? fwrite(data, 1, n, f) : 0;
    if (w != n || fclose(f) != 0) {
        if (w != n) fclose(f);
        snprintf(err, errcap, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *dir, char *err, size_t errcap) {
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) {
        snprintf(err, errcap, "directory name too long");
        return -1;
    }
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0777);
            *s = '/';
        }
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errcap, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errcap, "%s is not a directory", dir);
        return -1;
    }
    return 0;
}

static const char *tier_of(const CatOut *c) {
    if (c->level1) {
        if (strcmp(c->level1, "政策类") == 0) return "policy";
        if (strcmp(c->level1, "管理类") == 0) return "management";
        if (strcmp(c->level1, "医疗类") == 0) return "medical";
    }
    return c->spec->tier;
}

/* The national code of a category: the file's gz_code, else the 1.0 code the
 * importer knows, else NHSA2025-0NN (the 2025 catalog number). */
static const char *cat_code(const CatOut *c, char *buf, size_t cap) {
    if (c->gz) return c->gz;
    if (!c->spec) return "-";
    if (c->spec->gz) return c->spec->gz;
    snprintf(buf, cap, "NHSA2025-%03d", c->spec->seq);
    return buf;
}

/* Writes DIR/tables/<table>.csv of one category: the stdlib's columns (code,
 * name, the parameters, kp, note), one row per line. */
static int write_table(const char *dir, const CatOut *c, char *err, size_t errcap) {
    Buf t = {0};
    buf_puts(&t, "code");
    for (const Col *col = shape_cols(c->spec->shape); col->name; col++)
        buf_printf(&t, ",%s", col->name);
    buf_puts(&t, ",kp,note\n");
    for (size_t i = 0; i < c->nrows; i++) {
        buf_puts(&t, c->rows[i]);
        buf_add(&t, "\n", 1);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/tables/%s.csv", dir, c->spec->file);
    int rc = t.oom ? (snprintf(err, errcap, "out of memory"), -1)
                   : write_file(path, t.p, t.n, err, errcap);
    free(t.p);
    return rc;
}

/* Writes DIR/<NN>_<id>.rules for a category stdlib-rules does not have: the
 * category, its table and its rules. */
static int write_category_file(const char *dir, const CatOut *c, const char *source, char *err,
                               size_t errcap) {
    const CatSpec *s = c->spec;
    char codebuf[32], path[4096];
    const char *code = cat_code(c, codebuf, sizeof codebuf);
    Buf r = {0};
    char lower[64];
    size_t n = 0;
    for (const char *p = s->id; *p && n + 1 < sizeof lower; p++)
        lower[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    lower[n] = 0;
    buf_printf(&r,
               "# %02d_%s.rules — %s (%s, no. %d of the 2025 national catalog), a\n"
               "# category stdlib-rules does not have.  Generated by `arbiter import nhsa`\n"
               "# from %s: %zu knowledge points, %zu imported, %zu incomplete (see\n"
               "# incomplete.csv); %zu table rows.\n\n",
               s->seq, lower, c->rule_class, code, s->seq, source, c->read, c->imported,
               c->incomplete, c->nrows);
    buf_printf(&r,
               "category %s \"%s\" {\n  code \"%s\"  tier %s  severity %s  nature %s  points %d\n"
               "}\n\n",
               s->id, c->rule_class, code, tier_of(c), s->severity, s->nature, s->points);
    buf_printf(&r, "table %s from \"tables/%s.csv\" {\n  code  code  key\n", s->file, s->file);
    for (const Col *col = shape_cols(s->shape); col->name; col++)
        buf_printf(&r, "  %s  %s\n", col->name, col->type);
    buf_puts(&r, "  kp  text\n  note  text\n}\n\n");
    put_template(&r, shape_rules(s->shape), s, c->rule_class);
    snprintf(path, sizeof path, "%s/%02d_%s.rules", dir, s->seq, lower);
    int rc = r.oom ? (snprintf(err, errcap, "out of memory"), -1)
                   : write_file(path, r.p, r.n, err, errcap);
    free(r.p);
    return rc;
}

static int cat_order(const void *a, const void *b) {
    const CatOut *x = a, *y = b;
    int sx = x->spec ? x->spec->seq : 1000, sy = y->spec ? y->spec->seq : 1000;
    if (sx != sy) return sx < sy ? -1 : 1;
    return strcmp(x->rule_class, y->rule_class);
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Writes the library of an import into dir: the tables, library.rules (an
 * `extend table` per stdlib table with rows), the category files of the
 * others and incomplete.csv.  0, or -1 with err. */
static int write_library(const Import *im, const char *dir, const char *source, char *err,
                         size_t errcap) {
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/tables", dir);
    if (make_dirs(dir, err, errcap) || make_dirs(sub, err, errcap)) return -1;
    Buf lib = {0};
    buf_printf(&lib,
               "# library.rules — rows for the standard library's tables, imported by\n"
               "# `arbiter import nhsa` from %s (the national knowledge points:\n"
               "# real national data, not synthetic).  Load it with stdlib-rules:\n"
               "#   arbiter lint stdlib-rules DIR\n"
               "# Knowledge points that could not be completed are in incomplete.csv.\n\n",
               source);
    int rc = 0;
    for (size_t i = 0; i < im->ncats && !rc; i++) {
        const CatOut *c = &im->cats[i];
        if (!c->spec || !c->nrows) continue;
        rc = write_table(dir, c, err, errcap);
        if (!rc && c->spec->stdlib)
            buf_printf(&lib, "extend table %s from \"tables/%s.csv\"  # %02d %s, %zu rows\n",
                       c->spec->file, c->spec->file, c->spec->seq, c->spec->id, c->nrows);
        else if (!rc)
            rc = write_category_file(dir, c, source, err, errcap);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/library.rules", dir);
    if (!rc && lib.oom) rc = (snprintf(err, errcap, "out of memory"), -1);
    if (!rc) rc = write_file(path, lib.p, lib.n, err, errcap);
    free(lib.p);
    /* incomplete.csv: the header, then each category's points in order */
    Buf inc = {0};
    buf_puts(&inc, INCOMPLETE_HEADER);
    for (size_t i = 0; i < im->ncats; i++)
        if (im->cats[i].inc.n) buf_add(&inc, im->cats[i].inc.p, im->cats[i].inc.n);
    for (size_t i = 0; i < im->ncats; i++) inc.oom |= im->cats[i].inc.oom;
    snprintf(path, sizeof path, "%s/incomplete.csv", dir);
    if (!rc && inc.oom) rc = (snprintf(err, errcap, "out of memory"), -1);
    if (!rc) rc = write_file(path, inc.p, inc.n, err, errcap);
    free(inc.p);
    return rc;
}

void imp_report_free(ImpReport *r) {
    for (size_t i = 0; i < r->ncats; i++) free(r->cats[i].rule_class);
    free(r->cats);
    memset(r, 0, sizeof *r);
}

/* The per-category figures of an import; -1 when out of memory. */
static int fill_report(ImpReport *r, const Import *im, size_t nkp, size_t ncodes) {
    r->points = nkp;
    r->codes = ncodes;
    r->cats = calloc(im->ncats ? im->ncats : 1, sizeof *r->cats);
    if (!r->cats) return -1;
    for (size_t i = 0; i < im->ncats; i++) {
        const CatOut *c = &im->cats[i];
        ImpCategory *o = &r->cats[r->ncats++];
        if (c->spec) {
            o->id = c->spec->id;
            o->seq = c->spec->seq;
            o->stdlib = c->spec->stdlib;
            o->table = c->spec->file;
        }
        if (!(o->rule_class = strdup(c->rule_class))) return -1;
        o->points = c->read;
        o->codes = c->codes;
        o->imported = c->imported;
        o->rows = c->nrows;
        o->incomplete = c->incomplete;
        o->incomplete_codes = c->incomplete_codes;
    }
    return 0;
}

int imp_nhsa(const char *src, size_t len, const char *name, const char *dir, const ImpOptions *o,
             ImpReport *report, char *err, size_t errcap) {
    if (report) memset(report, 0, sizeof *report);
    JsDoc d;
    Kp *kps = NULL;
    size_t nkp = 0;
    if (js_parse(&d, src, len) || kp_read_all(&d, &kps, &nkp)) {
        unsigned long line, col;
        js_linecol(src, len, d.err_off, &line, &col);
        snprintf(err, errcap, "%s:%lu:%lu: error: %s", name, line, col, d.err);
        js_free(&d);
        return IMP_DATA;
    }
    Import im;
    memset(&im, 0, sizeof im);
    im.o = o;
    int rc = IMP_OK;
    size_t ncodes = 0;
    for (size_t i = 0; i < nkp && rc == IMP_OK; i++) {
        ncodes += kps[i].ncodes;
        if (import_kp(&im, &kps[i])) {
            snprintf(err, errcap, "out of memory");
            rc = IMP_IO;
        }
    }
    if (rc == IMP_OK) {
        qsort(im.cats, im.ncats, sizeof *im.cats, cat_order);
        if (write_library(&im, dir, base_name(name), err, errcap)) rc = IMP_IO;
    }
    if (rc == IMP_OK && report && fill_report(report, &im, nkp, ncodes)) {
        imp_report_free(report);
        snprintf(err, errcap, "out of memory");
        rc = IMP_IO;
    }
    import_free(&im);
    for (size_t i = 0; i < nkp; i++) free(kps[i].codes);
    free(kps);
    js_free(&d);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Files and the price list.                                                 */

char *imp_read_file(const char *path, size_t *len, char *err, size_t errcap) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap);
    while (p) {
        if (n + 1 >= cap) {
            char *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
            cap *= 2;
        }
        size_t r = fread(p + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!p || bad) {
        free(p);
        snprintf(err, errcap, "cannot read %s: %s", path, p ? strerror(errno) : "out of memory");
        return NULL;
    }
    p[n] = 0;
    *len = n;
    return p;
}

void imp_prices_free(ImpPriceList *l) {
    for (size_t i = 0; i < l->n; i++) free(l->codes[i]);
    free(l->codes);
    free(l->cents);
    memset(l, 0, sizeof *l);
}

static int price_order(const void *a, const void *b) {
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

int imp_prices_load(const char *path, ImpPriceList *out, char *err, size_t errcap) {
    memset(out, 0, sizeof *out);
    size_t len;
    char *text = imp_read_file(path, &len, err, errcap);
    if (!text) return IMP_IO;
    CsvReader r;
    csv_init(&r, text, len, mem_default());
    uint64_t line;
    const char *e;
    int code_col = -1, price_col = -1, rc = IMP_OK;
    size_t cap = 0;
    char **codes = NULL;
    int64_t *cents = NULL;
    int got;
    while (rc == IMP_OK && (got = csv_next(&r, &line, &e)) != 0) {
        if (got < 0) {
            snprintf(err, errcap, "%s:%llu: error: %s", path, (unsigned long long)line, e);
            rc = IMP_DATA;
            break;
        }
        if (code_col < 0) { /* the header */
            for (size_t i = 0; i < r.nfields; i++) {
                if (r.fields[i].len == 4 && memcmp(r.fields[i].ptr, "code", 4) == 0)
                    code_col = (int)i;
                if (r.fields[i].len == 5 && memcmp(r.fields[i].ptr, "price", 5) == 0)
                    price_col = (int)i;
            }
            if (code_col < 0 || price_col < 0) {
                snprintf(err, errcap,
                         "%s:%llu: error: the header must name the columns code "
                         "and price",
                         path, (unsigned long long)line);
                rc = IMP_DATA;
            }
            continue;
        }
        size_t need = (size_t)(code_col > price_col ? code_col : price_col) + 1;
        char cell[64];
        int64_t c = 0;
        const CsvField *pf = need <= r.nfields ? &r.fields[price_col] : NULL;
        if (pf && pf->len < sizeof cell) {
            memcpy(cell, pf->ptr, pf->len);
            cell[pf->len] = 0;
        }
        if (!pf || pf->len >= sizeof cell || parse_money(cell, &c) != pf->len || !pf->len) {
            snprintf(err, errcap, "%s:%llu: error: %s", path, (unsigned long long)line,
                     pf ? "the price is not an amount of yuan with at most two decimals"
                        : "the row has no price cell");
            rc = IMP_DATA;
            break;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 256;
            char **nc = realloc(codes, cap * sizeof *nc);
            if (nc) codes = nc;
            int64_t *np = nc ? realloc(cents, cap * sizeof *np) : NULL;
            if (np) cents = np;
            if (!nc || !np) {
                snprintf(err, errcap, "out of memory");
                rc = IMP_IO;
                break;
            }
        }
        const CsvField *cf = &r.fields[code_col];
        codes[out->n] = malloc(cf->len + 1);
        if (!codes[out->n]) {
            snprintf(err, errcap, "out of memory");
            rc = IMP_IO;
            break;
        }
        memcpy(codes[out->n], cf->ptr, cf->len);
        codes[out->n][cf->len] = 0;
        cents[out->n++] = c;
    }
    csv_free(&r);
    free(text);
    out->codes = codes;
    out->cents = cents;
    if (rc == IMP_OK && code_col < 0) {
        snprintf(err, errcap,
                 "%s: error: the file is empty (a header naming code and price "
                 "is needed)",
                 path);
        rc = IMP_DATA;
    }
    if (rc != IMP_OK) {
        imp_prices_free(out);
        return rc;
    }
    /* sort codes and prices together: sort an index of pointers into codes */
    char ***idx = malloc((out->n ? out->n : 1) * sizeof *idx);
    char **sc = malloc((out->n ? out->n : 1) * sizeof *sc);
    int64_t *sp = malloc((out->n ? out->n : 1) * sizeof *sp);
    if (!idx || !sc || !sp) {
        free(idx), free(sc), free(sp);
        imp_prices_free(out);
        snprintf(err, errcap, "out of memory");
        return IMP_IO;
    }
    for (size_t i = 0; i < out->n; i++) idx[i] = &out->codes[i];
    qsort(idx, out->n, sizeof *idx, price_order);
    for (size_t i = 0; i < out->n; i++) {
        size_t j = (size_t)(idx[i] - out->codes);
        sc[i] = out->codes[j];
        sp[i] = out->cents[j];
    }
    free(idx);
    free(out->codes);
    free(out->cents);
    out->codes = sc;
    out->cents = sp;
    return IMP_OK;
}
