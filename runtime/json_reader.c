/* json_reader.c — schema-directed JSON parsing of claims (see json_reader.h). */
#include "json_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scalar.h"

#define MAX_DEPTH 64

/* Lookup of one record type's fields by name. */
typedef struct JRec {
    const RecordType *rt;
    uint32_t mask;
    int32_t *slots;         /* field index, or -1; open addressing by name hash */
    struct JRec **children; /* per field: the element record of a list field */
} JRec;

struct JsonReader {
    Alloc alloc;
    Arena ar; /* everything of the reader */
    JRec *claim;
};

static JRec *build(JsonReader *r, const RecordType *rt, int depth) {
    if (depth > 8) return NULL;
    JRec *j = arena_alloc(&r->ar, sizeof(JRec));
    if (!j) return NULL;
    j->rt = rt;
    uint32_t cap = 16;
    while (cap < rt->nfields * 4) cap *= 2;
    j->mask = cap - 1;
    j->slots = arena_alloc(&r->ar, cap * sizeof(int32_t));
    j->children = arena_alloc(&r->ar, (rt->nfields + 1) * sizeof(JRec *));
    if (!j->slots || !j->children) return NULL;
    for (uint32_t i = 0; i < cap; i++) j->slots[i] = -1;
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        uint32_t h = str_hash(fd->name, fd->name_len);
        uint32_t i = h & j->mask;
        while (j->slots[i] >= 0) i = (i + 1) & j->mask;
        j->slots[i] = (int32_t)f;
        if (fd->type.kind == TY_LIST) {
            j->children[f] = build(r, fd->type.rec, depth + 1);
            if (!j->children[f]) return NULL;
        }
    }
    return j;
}

JsonReader *jsonr_new(const RecordType *claim_type, Alloc a) {
    JsonReader *r = mem_calloc(a, sizeof *r);
    if (!r) return NULL;
    r->alloc = a;
    arena_init(&r->ar, a, 4096);
    r->claim = build(r, claim_type, 0);
    if (!r->claim) {
        jsonr_free(r);
        return NULL;
    }
    return r;
}

void jsonr_free(JsonReader *r) {
    if (!r) return;
    arena_free(&r->ar);
    mem_free(r->alloc, r, sizeof *r);
}

static int find_field(const JRec *j, const char *name, size_t len) {
    uint32_t h = str_hash(name, len);
    for (uint32_t i = h & j->mask;; i = (i + 1) & j->mask) {
        int32_t f = j->slots[i];
        if (f < 0) return -1;
        const Field *fd = &j->rt->fields[f];
        if (fd->name_len == len && memcmp(fd->name, name, len) == 0) return f;
    }
}

typedef struct P {
    const char *start, *p, *end;
    Arena *ar;
    char *err;
    size_t errcap;
    const char *errpos;
    int depth;
    char path[96]; /* "lines[3]: " while inside a list item */
} P;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
fail(P *P_, const char *at, const char *fmt, ...) {
    if (P_->errpos) return -1; /* keep the first error */
    P_->errpos = at;
    size_t k = (size_t)snprintf(P_->err, P_->errcap, "%s", P_->path);
    if (k < P_->errcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(P_->err + k, P_->errcap - k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static void ws(P *P_) {
    while (P_->p < P_->end && (*P_->p == ' ' || *P_->p == '\t' || *P_->p == '\n' || *P_->p == '\r'))
        P_->p++;
}

static int eof_fail(P *P_) {
    return fail(P_, P_->end, "unexpected end of input (truncated record?)");
}

/* Appends code point cp as UTF-8. */
static size_t put_utf8(char *o, uint32_t cp) {
    if (cp < 0x80) return o[0] = (char)cp, 1;
    if (cp < 0x800) return o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3f)), 2;
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int hex4(const char *s, uint32_t *out) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Parses a string at P_->p (at the opening quote).  Strings without escapes
 * are returned in place (copy = 0); others are decoded into the arena. */
static int parse_string(P *P_, const char **out, size_t *len) {
    const char *s = ++P_->p, *q = s;
    while (q < P_->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20) q++;
    if (q < P_->end && *q == '"') {
        *out = s;
        *len = (size_t)(q - s);
        P_->p = q + 1;
        return 0;
    }
    /* slow path: escapes; the decoded text is never longer than the source */
    const char *e = q;
    while (e < P_->end && *e != '"') e += (*e == '\\' && e + 1 < P_->end) ? 2 : 1;
    char *buf = arena_alloc(P_->ar, (size_t)(e - s) + 1);
    if (!buf) return fail(P_, s, "out of memory");
    size_t k = (size_t)(q - s);
    memcpy(buf, s, k);
    const char *c = q;
    while (c < P_->end && *c != '"') {
        unsigned char ch = (unsigned char)*c;
        if (ch < 0x20) return fail(P_, c, "control character in a string");
        if (ch != '\\') {
            buf[k++] = (char)ch;
            c++;
            continue;
        }
        if (c + 1 >= P_->end) return eof_fail(P_);
        char esc = c[1];
        c += 2;
        switch (esc) {
        case '"': buf[k++] = '"'; break;
        case '\\': buf[k++] = '\\'; break;
        case '/': buf[k++] = '/'; break;
        case 'b': buf[k++] = '\b'; break;
        case 'f': buf[k++] = '\f'; break;
        case 'n': buf[k++] = '\n'; break;
        case 'r': buf[k++] = '\r'; break;
        case 't': buf[k++] = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (P_->end - c < 4 || hex4(c, &cp)) return fail(P_, c - 2, "bad \\u escape");
            c += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (P_->end - c < 6 || c[0] != '\\' || c[1] != 'u' || hex4(c + 2, &lo) ||
                    lo < 0xdc00 || lo > 0xdfff)
                    return fail(P_, c - 6, "unpaired surrogate in \\u escape");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                c += 6;
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return fail(P_, c - 6, "unpaired surrogate in \\u escape");
            }
            k += put_utf8(buf + k, cp);
            break;
        }
        default: return fail(P_, c - 2, "invalid escape '\\%c'", esc);
        }
    }
    if (c >= P_->end) return eof_fail(P_);
    buf[k] = 0;
    *out = buf;
    *len = k;
    P_->p = c + 1;
    return 0;
}

/* Scans a number token; returns its length (0 if none). */
static size_t number_len(P *P_) {
    const char *q = P_->p;
    if (q < P_->end && *q == '-') q++;
    while (q < P_->end && ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' ||
                           *q == '+' || *q == '-'))
        q++;
    return (size_t)(q - P_->p);
}

static int lit(P *P_, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(P_->end - P_->p) >= n && memcmp(P_->p, word, n) == 0) {
        P_->p += n;
        return 1;
    }
    return 0;
}

static int skip_value(P *P_);

static int skip_container(P *P_, char close) {
    if (++P_->depth > MAX_DEPTH) return fail(P_, P_->p, "nesting too deep");
    P_->p++;
    ws(P_);
    if (P_->p < P_->end && *P_->p == close) {
        P_->p++;
        P_->depth--;
        return 0;
    }
    for (;;) {
        ws(P_);
        if (close == '}') {
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p != '"') return fail(P_, P_->p, "invalid JSON: expected a key");
            const char *s;
            size_t n;
            if (parse_string(P_, &s, &n)) return -1;
            ws(P_);
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p != ':') return fail(P_, P_->p, "invalid JSON: expected ':'");
            P_->p++;
        }
        if (skip_value(P_)) return -1;
        ws(P_);
        if (P_->p >= P_->end) return eof_fail(P_);
        if (*P_->p == ',') {
            P_->p++;
            continue;
        }
        if (*P_->p == close) {
            P_->p++;
            P_->depth--;
            return 0;
        }
        return fail(P_, P_->p, "invalid JSON: expected ',' or '%c'", close);
    }
}

static int skip_value(P *P_) {
    ws(P_);
    if (P_->p >= P_->end) return eof_fail(P_);
    const char *s;
    size_t n;
    switch (*P_->p) {
    case '{': return skip_container(P_, '}');
    case '[': return skip_container(P_, ']');
    case '"': return parse_string(P_, &s, &n);
    case 't': return lit(P_, "true") ? 0 : fail(P_, P_->p, "invalid JSON value");
    case 'f': return lit(P_, "false") ? 0 : fail(P_, P_->p, "invalid JSON value");
    case 'n': return lit(P_, "null") ? 0 : fail(P_, P_->p, "invalid JSON value");
    default:
        n = number_len(P_);
        if (!n) return fail(P_, P_->p, "invalid JSON value");
        P_->p += n;
        return 0;
    }
}

static const char *json_kind(char c) {
    switch (c) {
    case '"': return "a string";
    case '{': return "an object";
    case '[': return "an array";
    case 't':
    case 'f': return "true/false";
    default: return "a number";
    }
}

static int parse_record(P *P_, const JRec *j, Value *out);

/* Parses an array of objects into a list of records. */
static int parse_list(P *P_, const JRec *child, const Field *fd, const ArbList **out) {
    if (++P_->depth > MAX_DEPTH) return fail(P_, P_->p, "nesting too deep");
    P_->p++;
    uint32_t width = child->rt->nfields, n = 0, cap = 8;
    Value *items = arena_alloc(P_->ar, cap * width * sizeof(Value));
    if (!items) return fail(P_, P_->p, "out of memory");
    ws(P_);
    if (P_->p < P_->end && *P_->p == ']') {
        P_->p++;
    } else {
        for (;;) {
            ws(P_);
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p != '{')
                return fail(P_, P_->p, "field '%s': expected objects in the array, got %s",
                            fd->name, json_kind(*P_->p));
            if (n == cap) {
                Value *grown = arena_alloc(P_->ar, cap * 2 * width * sizeof(Value));
                if (!grown) return fail(P_, P_->p, "out of memory");
                memcpy(grown, items, cap * width * sizeof(Value));
                items = grown;
                cap *= 2;
            }
            size_t plen = strlen(P_->path);
            char saved[sizeof P_->path];
            memcpy(saved, P_->path, sizeof saved);
            snprintf(P_->path + plen, sizeof P_->path - plen, "%s[%u]: ", fd->name, n + 1);
            int rc = parse_record(P_, child, items + (size_t)n * width);
            memcpy(P_->path, saved, sizeof saved);
            if (rc) return -1;
            n++;
            ws(P_);
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p == ',') {
                P_->p++;
                continue;
            }
            if (*P_->p == ']') {
                P_->p++;
                break;
            }
            return fail(P_, P_->p, "invalid JSON: expected ',' or ']'");
        }
    }
    ArbList *l = arena_alloc(P_->ar, sizeof(ArbList));
    if (!l) return fail(P_, P_->p, "out of memory");
    l->n = n;
    l->width = width;
    l->items = items;
    *out = l;
    P_->depth--;
    return 0;
}

/* Parses a value into field fd of a record. */
static int parse_field(P *P_, const JRec *j, int f, Value *out) {
    const Field *fd = &j->rt->fields[f];
    uint8_t kind = fd->type.kind;
    const char *at = P_->p;
    if (lit(P_, "null")) {
        if (type_is_string(kind))
            out->s = NULL;
        else if (kind == TY_LIST)
            out->l = NULL;
        else
            out->i = ARB_NULL;
        return 0;
    }
    char c = *P_->p;
    if (kind == TY_LIST) {
        if (c != '[')
            return fail(P_, at, "field '%s': expected an array, got %s", fd->name, json_kind(c));
        return parse_list(P_, j->children[f], fd, &out->l);
    }
    if (c == '{' || c == '[')
        return fail(P_, at, "field '%s': expected %s, got %s", fd->name, type_kind_names[kind],
                    json_kind(c));
    if (kind == TY_BOOL) {
        if (lit(P_, "true")) return out->i = 1, 0;
        if (lit(P_, "false")) return out->i = 0, 0;
    }
    const char *s;
    size_t n;
    int is_string = c == '"';
    if (is_string) {
        if (parse_string(P_, &s, &n)) return -1;
    } else {
        n = number_len(P_);
        if (!n) {
            if (c == 't' || c == 'f') {
                lit(P_, c == 't' ? "true" : "false");
                return fail(P_, at, "field '%s': expected %s, got true/false", fd->name,
                            kind == TY_ENUM ? "a string" : type_kind_names[kind]);
            }
            return fail(P_, at, "invalid JSON value");
        }
        s = P_->p;
        P_->p += n;
    }
    switch (kind) {
    case TY_CODE:
    case TY_TEXT:
        if (!is_string && kind == TY_TEXT)
            return fail(P_, at, "field '%s': expected a string, got a number", fd->name);
        out->s = str_new(P_->ar, s, n);
        return out->s ? 0 : fail(P_, at, "out of memory");
    case TY_INT:
        if (scalar_parse_int(s, n, &out->i))
            return fail(P_, at, "field '%s': expected an integer, got %s%.*s%s", fd->name,
                        is_string ? "\"" : "", (int)(n > 40 ? 40 : n), s, is_string ? "\"" : "");
        return 0;
    case TY_MONEY:
        if (scalar_parse_money(s, n, &out->i))
            return fail(
                P_, at, "field '%s': expected a money amount (at most 2 decimals), got %s%.*s%s",
                fd->name, is_string ? "\"" : "", (int)(n > 40 ? 40 : n), s, is_string ? "\"" : "");
        return 0;
    case TY_BOOL:
        if (!is_string && n == 1 && (s[0] == '0' || s[0] == '1')) return out->i = s[0] - '0', 0;
        return fail(P_, at, "field '%s': expected true or false", fd->name);
    case TY_ENUM: {
        if (!is_string)
            return fail(P_, at, "field '%s': expected a string, got a number", fd->name);
        int k = scalar_enum_index(fd->type.enm, s, n);
        if (k < 0) {
            char members[256];
            size_t m = 0;
            for (uint32_t i = 0; i < fd->type.enm->n && m < sizeof members - 32; i++)
                m += (size_t)snprintf(members + m, sizeof members - m, "%s%s", i ? ", " : "",
                                      fd->type.enm->members[i]);
            return fail(P_, at, "field '%s': '%.*s' is not one of %s", fd->name,
                        (int)(n > 40 ? 40 : n), s, members);
        }
        out->i = k;
        return 0;
    }
    default: {
        if (!is_string)
            return fail(P_, at, "field '%s': expected a %s string, got a number", fd->name,
                        type_kind_names[kind]);
        const char *why = scalar_parse(&fd->type, s, n, P_->ar, out);
        if (why)
            return fail(P_, at, "field '%s': \"%.*s\" is %s", fd->name, (int)(n > 40 ? 40 : n), s,
                        why);
        return 0;
    }
    }
}

/* Parses an object into a record of j's type (all fields start missing). */
static int parse_record(P *P_, const JRec *j, Value *out) {
    const RecordType *rt = j->rt;
    const char *open = P_->p;
    if (++P_->depth > MAX_DEPTH) return fail(P_, P_->p, "nesting too deep");
    for (uint32_t f = 0; f < rt->nfields; f++) {
        uint8_t k = rt->fields[f].type.kind;
        if (type_is_string(k) || k == TY_LIST)
            out[f].s = NULL;
        else
            out[f].i = ARB_NULL;
    }
    P_->p++; /* '{' */
    ws(P_);
    if (P_->p < P_->end && *P_->p == '}') {
        P_->p++;
    } else {
        for (;;) {
            ws(P_);
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p != '"') return fail(P_, P_->p, "invalid JSON: expected a key in quotes");
            const char *key;
            size_t klen;
            if (parse_string(P_, &key, &klen)) return -1;
            ws(P_);
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p != ':') return fail(P_, P_->p, "invalid JSON: expected ':' after a key");
            P_->p++;
            ws(P_);
            if (P_->p >= P_->end) return eof_fail(P_);
            int f = find_field(j, key, klen);
            if (f < 0 || rt->fields[f].derived >= 0) {
                if (skip_value(P_)) return -1;
            } else if (parse_field(P_, j, f, &out[f])) {
                return -1;
            }
            ws(P_);
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p == ',') {
                P_->p++;
                continue;
            }
            if (*P_->p == '}') {
                P_->p++;
                break;
            }
            return fail(P_, P_->p, "invalid JSON: expected ',' or '}'");
        }
    }
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        if (!fd->required) continue;
        int missing = type_is_string(fd->type.kind) || fd->type.kind == TY_LIST
                          ? out[f].s == NULL
                          : out[f].i == ARB_NULL;
        if (missing) return fail(P_, open, "missing required field '%s'", fd->name);
    }
    P_->depth--;
    return 0;
}

int jsonr_parse(const JsonReader *r, const char *p, size_t n, Arena *ar, const Value **out,
                char *errbuf, size_t errcap, size_t *err_off) {
    P P_;
    memset(&P_, 0, sizeof P_);
    P_.start = P_.p = p;
    P_.end = p + n;
    P_.ar = ar;
    P_.err = errbuf;
    P_.errcap = errcap;
    if (errcap) errbuf[0] = 0;
    *err_off = 0;
    ws(&P_);
    if (P_.p >= P_.end) {
        fail(&P_, P_.p, "empty record");
    } else if (*P_.p != '{') {
        fail(&P_, P_.p, "a claim is a JSON object, this starts with '%c'", *P_.p);
    } else {
        Value *rec = arena_alloc(ar, r->claim->rt->nfields * sizeof(Value));
        if (!rec) return fail(&P_, P_.p, "out of memory"), *err_off = 0, -1;
        if (parse_record(&P_, r->claim, rec) == 0) {
            ws(&P_);
            if (P_.p != P_.end)
                fail(&P_, P_.p, "text after the end of the claim object");
            else {
                *out = rec;
                return 0;
            }
        }
    }
    *err_off = (size_t)(P_.errpos - p);
    return -1;
}
