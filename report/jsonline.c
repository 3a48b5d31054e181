/* jsonline.c — one JSON Lines record read for the report (see jsonline.h):
 * a single recursive-descent pass that checks the JSON grammar (strings:
 * escapes, surrogate pairs, well-formed UTF-8, no control characters;
 * numbers: the JSON number syntax) and records the top-level members and
 * the members of a top-level array's elements, decoding their strings into
 * one buffer sized from the line (decoding never lengthens a string, so the
 * buffer never moves while a line is parsed). */
#include "jsonline.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define JLINE_MAX_DEPTH 64

typedef struct St {
    JlineDoc *d;
    const unsigned char *p, *end, *start;
    int oom;
} St;

void jline_init(JlineDoc *d) {
    memset(d, 0, sizeof *d);
}

void jline_free(JlineDoc *d) {
    free(d->f);
    free(d->o);
    free(d->buf);
    memset(d, 0, sizeof *d);
}

static int bad(St *st) {
    st->d->err_off = (size_t)(st->p - st->start);
    return -1;
}

static void ws(St *st) {
    while (st->p < st->end && (*st->p == ' ' || *st->p == '\t' || *st->p == '\n' || *st->p == '\r'))
        st->p++;
}

static int hex(unsigned c) {
    return c >= '0' && c <= '9'   ? (int)c - '0'
           : c >= 'a' && c <= 'f' ? (int)c - 'a' + 10
           : c >= 'A' && c <= 'F' ? (int)c - 'A' + 10
                                  : -1;
}

static int32_t hex4(const unsigned char *q) {
    int a = hex(q[0]), b = hex(q[1]), c = hex(q[2]), e = hex(q[3]);
    return (a | b | c | e) < 0 ? -1 : (int32_t)(a << 12 | b << 8 | c << 4 | e);
}

/* The string whose opening quote is at st->p; when out is set, its decoded
 * text goes to the document's buffer: *out, *outn (NUL-terminated). */
static int string(St *st, const char **out, size_t *outn) {
    JlineDoc *d = st->d;
    const unsigned char *q = st->p + 1, *end = st->end;
    char *o = out ? d->buf + d->nbuf : NULL;
    size_t k = 0;
    int nul = 0; /* a \u0000 was decoded */
    for (;;) {
        const unsigned char *run = q;
        while (q < end && *q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\') q++;
        if (o) memcpy(o + k, run, (size_t)(q - run)), k += (size_t)(q - run);
        if (q >= end) return st->p = q, bad(st);
        unsigned c = *q;
        if (c == '"') break;
        if (c < 0x20) return st->p = q, bad(st);
        if (c >= 0x80) {
            int len = utf8_seq_len(q, end);
            if (len <= 0) return st->p = q, bad(st);
            if (o) memcpy(o + k, q, (size_t)len), k += (size_t)len;
            q += len;
            continue;
        }
        /* a backslash */
        if (end - q < 2) return st->p = q, bad(st);
        unsigned e = q[1];
        char ch = 0;
        switch (e) {
        case '"': ch = '"'; break;
        case '\\': ch = '\\'; break;
        case '/': ch = '/'; break;
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 't': ch = '\t'; break;
        case 'u': {
            if (end - q < 6) return st->p = q, bad(st);
            int32_t cp = hex4(q + 2);
            if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return st->p = q, bad(st);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int32_t lo = end - q >= 12 && q[6] == '\\' && q[7] == 'u' ? hex4(q + 8) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF) return st->p = q, bad(st);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                q += 12;
            } else {
                q += 6;
            }
            nul |= cp == 0;
            if (o) k += utf8_put(o + k, (uint32_t)cp);
            continue;
        }
        default: return st->p = q, bad(st);
        }
        if (o) o[k++] = ch;
        q += 2;
    }
    st->p = q + 1;
    if (o) {
        o[k] = 0;
        /* a \u0000 ends the C string early, as json-c's get_string does */
        *out = o;
        *outn = nul ? strlen(o) : k;
        d->nbuf += k + 1;
    }
    return 0;
}

static int digits(St *st) {
    const unsigned char *b = st->p;
    while (st->p < st->end && *st->p >= '0' && *st->p <= '9') st->p++;
    return st->p > b ? 0 : bad(st);
}

static int number(St *st, JlineVal *v) {
    const unsigned char *b = st->p;
    int is_int = 1;
    if (*st->p == '-') st->p++;
    if (st->p < st->end && *st->p == '0')
        st->p++;
    else if (digits(st) < 0)
        return -1;
    if (st->p < st->end && *st->p == '.') {
        st->p++, is_int = 0;
        if (digits(st) < 0) return -1;
    }
    if (st->p < st->end && (*st->p == 'e' || *st->p == 'E')) {
        st->p++, is_int = 0;
        if (st->p < st->end && (*st->p == '+' || *st->p == '-')) st->p++;
        if (digits(st) < 0) return -1;
    }
    if (!v) return 0;
    if (is_int) {
        const unsigned char *q = b + (*b == '-');
        uint64_t m = 0;
        int over = 0;
        for (; q < st->p; q++) {
            unsigned dg = *q - '0';
            if (m > (UINT64_MAX - dg) / 10) over = 1;
            m = m * 10 + dg;
        }
        int neg = *b == '-';
        if (!over && (neg ? m <= (uint64_t)INT64_MAX + 1 : m <= (uint64_t)INT64_MAX)) {
            v->type = JLINE_INT;
            v->i = neg ? (int64_t)(0 - m) : (int64_t)m;
            return 0;
        }
    }
    char tmp[64];
    size_t n = (size_t)(st->p - b);
    char *t = n < sizeof tmp ? tmp : malloc(n + 1);
    if (!t) return st->oom = 1, -1;
    memcpy(t, b, n);
    t[n] = 0;
    v->type = JLINE_DOUBLE;
    v->d = strtod(t, NULL);
    if (t != tmp) free(t);
    return 0;
}

static int literal(St *st, const char *word, size_t n) {
    if ((size_t)(st->end - st->p) < n || memcmp(st->p, word, n) != 0) return bad(st);
    st->p += n;
    return 0;
}

static int value(St *st, JlineVal *v, int depth, int elems);

static int grow(St *st, void **a, size_t *cap, size_t n, size_t size) {
    if (n < *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 32;
    void *g = realloc(*a, nc * size);
    if (!g) return st->oom = 1, -1;
    *a = g, *cap = nc;
    return 0;
}

/* An object at st->p.  obj: where its members are recorded (JLINE_TOP,
 * an element of a top-level array) or UINT32_MAX (checked only). */
static int object(St *st, int depth, uint32_t obj) {
    JlineDoc *d = st->d;
    if (depth >= JLINE_MAX_DEPTH) return bad(st);
    st->p++; /* '{' */
    ws(st);
    if (st->p < st->end && *st->p == '}') return st->p++, 0;
    for (;;) {
        if (st->p >= st->end || *st->p != '"') return bad(st);
        size_t fi = 0;
        if (obj != UINT32_MAX) {
            const char *key = NULL;
            size_t klen = 0;
            if (grow(st, (void **)&d->f, &d->capf, d->nf, sizeof *d->f) < 0) return -1;
            fi = d->nf++;
            if (string(st, &key, &klen) < 0) return -1;
            memset(&d->f[fi], 0, sizeof d->f[fi]);
            d->f[fi].key = key;
            d->f[fi].klen = klen;
            d->f[fi].obj = obj;
            d->o[obj].count++;
        } else if (string(st, NULL, NULL) < 0) {
            return -1;
        }
        ws(st);
        if (st->p >= st->end || *st->p != ':') return bad(st);
        st->p++;
        ws(st);
        if (obj != UINT32_MAX) {
            JlineVal tmp; /* d->f may move while the value is read */
            memset(&tmp, 0, sizeof tmp);
            if (value(st, &tmp, depth + 1, obj == JLINE_TOP) < 0) return -1;
            d->f[fi].v = tmp;
        } else if (value(st, NULL, depth + 1, 0) < 0) {
            return -1;
        }
        ws(st);
        if (st->p < st->end && *st->p == ',') {
            st->p++;
            ws(st);
            continue;
        }
        if (st->p < st->end && *st->p == '}') return st->p++, 0;
        return bad(st);
    }
}

/* A value at st->p, typed (and its string decoded) into v when v is set;
 * when elems is set, an array's elements are recorded as objects. */
static int value(St *st, JlineVal *v, int depth, int elems) {
    JlineDoc *d = st->d;
    if (depth >= JLINE_MAX_DEPTH || st->p >= st->end) return bad(st);
    unsigned c = *st->p;
    if (c == '"') {
        if (v) v->type = JLINE_STRING;
        return string(st, v ? &v->s : NULL, v ? &v->n : NULL);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number(st, v);
    if (c == 't' || c == 'f' || c == 'n') {
        const char *w = c == 't' ? "true" : c == 'f' ? "false" : "null";
        if (literal(st, w, strlen(w)) < 0) return -1;
        if (v) v->type = c == 'n' ? JLINE_NULL : JLINE_BOOLEAN, v->i = c == 't';
        return 0;
    }
    if (c == '{') {
        if (v) v->type = JLINE_OBJECT;
        return object(st, depth, UINT32_MAX);
    }
    if (c != '[') return bad(st);
    if (v) v->type = JLINE_ARRAY;
    int record = v && elems;
    if (record) v->first = (uint32_t)d->no;
    st->p++;
    ws(st);
    if (st->p < st->end && *st->p == ']') return st->p++, 0;
    for (;;) {
        if (record) {
            if (grow(st, (void **)&d->o, &d->capo, d->no, sizeof *d->o) < 0) return -1;
            uint32_t e = (uint32_t)d->no++;
            d->o[e].first = (uint32_t)d->nf; /* its members are recorded in one go */
            d->o[e].count = 0;
            v->count++;
            if (st->p < st->end && *st->p == '{') {
                if (object(st, depth + 1, e) < 0) return -1;
            } else if (value(st, NULL, depth + 1, 0) < 0) {
                return -1;
            }
        } else if (value(st, NULL, depth + 1, 0) < 0) {
            return -1;
        }
        ws(st);
        if (st->p < st->end && *st->p == ',') {
            st->p++;
            ws(st);
            continue;
        }
        if (st->p < st->end && *st->p == ']') return st->p++, 0;
        return bad(st);
    }
}

int jline_parse(JlineDoc *d, const char *s, size_t n) {
    St st = {d, (const unsigned char *)s, (const unsigned char *)s + n, (const unsigned char *)s,
             0};
    d->nf = d->no = d->nbuf = 0;
    d->err_off = 0;
    if (n + 1 > d->capbuf) {
        char *b = realloc(d->buf, n + 1);
        if (!b) return -2;
        d->buf = b, d->capbuf = n + 1;
    }
    if (d->capo == 0) {
        d->o = malloc(32 * sizeof *d->o);
        if (!d->o) return -2;
        d->capo = 32;
    }
    d->o[0].first = 0;
    d->o[0].count = 0;
    d->no = 1;
    ws(&st);
    if (st.p >= st.end || *st.p != '{') return bad(&st);
    int rc = object(&st, 0, JLINE_TOP);
    if (rc == 0) {
        ws(&st);
        if (st.p != st.end) rc = bad(&st);
    }
    return st.oom ? -2 : rc;
}

const JlineVal *jline_get(const JlineDoc *d, uint32_t obj, const char *key) {
    if (obj >= d->no) return NULL;
    size_t klen = strlen(key);
    const JlineObj *o = &d->o[obj];
    if (obj == JLINE_TOP) {
        /* the top's members are interleaved with its elements' members */
        for (size_t i = d->nf; i-- > 0;) {
            const JlineField *f = &d->f[i];
            if (f->obj == JLINE_TOP && f->klen == klen && memcmp(f->key, key, klen) == 0)
                return &f->v;
        }
        return NULL;
    }
    for (uint32_t i = o->count; i-- > 0;) {
        const JlineField *f = &d->f[o->first + i];
        if (f->klen == klen && memcmp(f->key, key, klen) == 0) return &f->v;
    }
    return NULL;
}
