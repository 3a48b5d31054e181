/* findings_set.c — findings files in memory: a small parser for the flat
 * findings JSON Lines format, order-insensitive comparison of two sets, the
 * grouped report of differences, sorted JSON Lines output and JUnit XML.
 * See findings_set.h. */
#include "findings_set.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ text buffer */

void fsb_init(FsBuf *b) {
    memset(b, 0, sizeof *b);
}

void fsb_free(FsBuf *b) {
    free(b->p);
    fsb_init(b);
}

/* Makes room for n more bytes and a NUL; 0 or -1 (and oom set). */
static int fsb_reserve(FsBuf *b, size_t n) {
    if (b->oom) return -1;
    if (b->len + n + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void fsb_put(FsBuf *b, const char *s, size_t n) {
    if (fsb_reserve(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void fsb_puts(FsBuf *b, const char *s) {
    fsb_put(b, s, strlen(s));
}

void fsb_printf(FsBuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || fsb_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* ------------------------------------------------------------------ money */

void fs_money(int64_t cents, char *buf, size_t cap) {
    uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    snprintf(buf, cap, "%s%llu.%02llu", cents < 0 ? "-" : "", (unsigned long long)(a / 100),
             (unsigned long long)(a % 100));
}

int64_t fs_money_add(int64_t a, int64_t b) {
    if (b > 0 && a > INT64_MAX - b) return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b) return INT64_MIN;
    return a + b;
}

int64_t fs_money_sub(int64_t a, int64_t b) {
    if (b < 0 && a > INT64_MAX + b) return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b) return INT64_MIN;
    return a - b;
}

int fs_parse_money(const char *s, size_t n, int64_t *cents) {
    size_t i = 0;
    int neg = 0;
    if (i < n && s[i] == '-') neg = 1, i++;
    size_t digits = 0;
    uint64_t v = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (v > (uint64_t)INT64_MAX / 1000) return -1; /* room for the cents */
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (!digits) return -1;
    uint64_t frac = 0;
    int nfrac = 0;
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (++nfrac > 2) return -1;
            frac = frac * 10 + (uint64_t)(s[i] - '0');
        }
        if (!nfrac) return -1;
    }
    if (i != n) return -1;
    if (nfrac == 1) frac *= 10;
    if (v * 100 + frac > (uint64_t)INT64_MAX) return -1;
    int64_t c = (int64_t)(v * 100 + frac);
    *cents = neg ? -c : c;
    return 0;
}

/* ----------------------------------------------------------------- parser */

typedef struct Parser {
    const char *p;
    size_t n, i;
    char *store; /* unescaped strings go here */
    size_t used;
    const char *err;
    char errbuf[96];
    size_t at; /* where the error is */
} Parser;

static int fail_at(Parser *ps, size_t at, const char *msg) {
    if (!ps->err) {
        ps->err = msg;
        ps->at = at;
    }
    return -1;
}

static int fail_here(Parser *ps, const char *msg) {
    return fail_at(ps, ps->i, msg);
}

static void skip_space(Parser *ps) {
    while (ps->i < ps->n && (ps->p[ps->i] == ' ' || ps->p[ps->i] == '\t' || ps->p[ps->i] == '\r' ||
                             ps->p[ps->i] == '\n'))
        ps->i++;
}

static int hex4(Parser *ps, unsigned *out) {
    if (ps->n - ps->i < 4) return fail_here(ps, "truncated \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = ps->p[ps->i + (size_t)k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return fail_here(ps, "bad \\u escape (4 hex digits expected)");
        v = v * 16 + (unsigned)d;
    }
    ps->i += 4;
    *out = v;
    return 0;
}

static void put_utf8(Parser *ps, unsigned cp) {
    char *o = ps->store + ps->used;
    if (cp < 0x80) {
        o[0] = (char)cp;
        ps->used += 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        ps->used += 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        ps->used += 3;
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        ps->used += 4;
    }
}

/* Decodes \uXXXX (ps->i just past the 'u'), pairing surrogates. */
static int unicode_escape(Parser *ps) {
    size_t start = ps->i - 2;
    unsigned cp;
    if (hex4(ps, &cp)) return -1;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail_at(ps, start, "lone low surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned lo;
        if (ps->n - ps->i < 2 || ps->p[ps->i] != '\\' || ps->p[ps->i + 1] != 'u')
            return fail_at(ps, start, "high surrogate not followed by a low one");
        ps->i += 2;
        if (hex4(ps, &lo)) return -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail_at(ps, start, "high surrogate not followed by a low one");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp == 0) return fail_at(ps, start, "\\u0000 is not allowed in a string");
    put_utf8(ps, cp);
    return 0;
}

/* Parses a JSON string into the store; *out points to it (NUL-terminated). */
static int parse_string(Parser *ps, const char **out) {
    if (ps->i >= ps->n || ps->p[ps->i] != '"') return fail_here(ps, "string expected");
    size_t open = ps->i++;
    char *start = ps->store + ps->used;
    for (;;) {
        if (ps->i >= ps->n) return fail_at(ps, open, "unterminated string");
        unsigned char c = (unsigned char)ps->p[ps->i];
        if (c == '"') break;
        if (c < 0x20) return fail_here(ps, "control character in a string (escape it)");
        ps->i++;
        if (c != '\\') {
            ps->store[ps->used++] = (char)c;
            continue;
        }
        if (ps->i >= ps->n) return fail_at(ps, open, "unterminated string");
        char e = ps->p[ps->i++];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *hit = e ? strchr(from, e) : NULL;
        if (hit)
            ps->store[ps->used++] = to[hit - from];
        else if (e == 'u') {
            if (unicode_escape(ps)) return -1;
        } else
            return fail_at(ps, ps->i - 2, "unknown escape in a string");
    }
    ps->i++;
    ps->store[ps->used++] = 0;
    *out = start;
    return 0;
}

/* Parses a JSON number token; *s and *len give its text. */
static int number_token(Parser *ps, const char **s, size_t *len) {
    size_t b = ps->i;
    if (ps->i < ps->n && ps->p[ps->i] == '-') ps->i++;
    while (ps->i < ps->n && ((ps->p[ps->i] >= '0' && ps->p[ps->i] <= '9') || ps->p[ps->i] == '.' ||
                             ps->p[ps->i] == 'e' || ps->p[ps->i] == 'E' || ps->p[ps->i] == '+' ||
                             ps->p[ps->i] == '-'))
        ps->i++;
    if (ps->i == b) return fail_here(ps, "number expected");
    *s = ps->p + b;
    *len = ps->i - b;
    return 0;
}

static int parse_int(Parser *ps, int64_t *out) {
    size_t at = ps->i;
    const char *s;
    size_t len;
    if (number_token(ps, &s, &len)) return -1;
    size_t k = s[0] == '-';
    if (k == len) return fail_at(ps, at, "whole number expected");
    int64_t v = 0;
    for (; k < len; k++) {
        if (s[k] < '0' || s[k] > '9') return fail_at(ps, at, "whole number expected");
        if (v > (INT64_MAX - 9) / 10) return fail_at(ps, at, "number too large");
        v = v * 10 + (s[k] - '0');
    }
    *out = s[0] == '-' ? -v : v;
    return 0;
}

static int parse_null(Parser *ps) {
    if (ps->n - ps->i >= 4 && memcmp(ps->p + ps->i, "null", 4) == 0) {
        ps->i += 4;
        return 1;
    }
    return 0;
}

/* amount: "12.50" (the format arbiter writes) or a bare number 12.5. */
static int parse_amount(Parser *ps, int64_t *cents) {
    size_t at = ps->i;
    const char *s;
    size_t len;
    if (ps->i < ps->n && ps->p[ps->i] == '"') {
        if (parse_string(ps, &s)) return -1;
        len = strlen(s);
    } else if (number_token(ps, &s, &len)) {
        return -1;
    }
    if (fs_parse_money(s, len, cents))
        return fail_at(ps, at, "amount must be a decimal like \"12.50\" (at most 2 decimals)");
    return 0;
}

enum {
    K_CLAIM,
    K_RULE,
    K_CATEGORY,
    K_CODE,
    K_SEVERITY,
    K_NATURE,
    K_MESSAGE,
    K_POINTS,
    K_LINE,
    K_AMOUNT,
    K_EVIDENCE,
    K_ALSO,
    /* what reports group by (arb_finding): read, checked as strings (at_risk
     * as an amount) and not compared: they follow from the claim and the rule */
    K_REPORT_FIRST,
    K_AT_RISK = K_REPORT_FIRST + 8,
    K_COUNT
};
static const char *const KEYS[K_COUNT] = {
    "claim_id",   "rule",           "category", "category_code", "severity",    "nature",
    "message",    "points",         "line_no",  "amount",        "evidence",    "also_matched",
    "finding_id", "category_title", "tier",     "person_id",     "facility_id", "dept",
    "doctor",     "settle_date",    "at_risk"};

/* "evidence": [{"claim_id": "A1", "settle_time": "2025-01-03T10:00:00"}, ...];
 * checked, then kept as written. */
static int parse_evidence(Parser *ps, const char **out) {
    size_t from = ps->i, used = ps->used;
    if (ps->i >= ps->n || ps->p[ps->i] != '[') return fail_here(ps, "'[' expected (evidence)");
    ps->i++;
    skip_space(ps);
    while (ps->i < ps->n && ps->p[ps->i] != ']') {
        if (ps->p[ps->i] != '{') return fail_here(ps, "'{' expected (an evidence claim)");
        ps->i++;
        int seen = 0;
        for (;;) {
            skip_space(ps);
            size_t at = ps->i;
            const char *key, *val;
            if (parse_string(ps, &key)) return -1;
            int k = strcmp(key, "claim_id") == 0 ? 1 : strcmp(key, "settle_time") == 0 ? 2 : 0;
            if (!k || (seen & k))
                return fail_at(ps, at, "an evidence claim has \"claim_id\" and \"settle_time\"");
            seen |= k;
            skip_space(ps);
            if (ps->i >= ps->n || ps->p[ps->i] != ':') return fail_here(ps, "':' expected");
            ps->i++;
            skip_space(ps);
            if (parse_string(ps, &val)) return -1;
            skip_space(ps);
            if (ps->i < ps->n && ps->p[ps->i] == ',') {
                ps->i++;
                continue;
            }
            if (ps->i < ps->n && ps->p[ps->i] == '}') break;
            return fail_here(ps, "',' or '}' expected");
        }
        if (seen != 3)
            return fail_here(ps, "an evidence claim has \"claim_id\" and \"settle_time\"");
        ps->i++;
        skip_space(ps);
        if (ps->i < ps->n && ps->p[ps->i] == ',') {
            ps->i++;
            skip_space(ps);
        } else if (ps->i >= ps->n || ps->p[ps->i] != ']')
            return fail_here(ps, "',' or ']' expected");
    }
    if (ps->i >= ps->n) return fail_at(ps, from, "unterminated evidence");
    ps->i++;
    /* the strings checked are dropped; the text is kept (it is no longer
     * than what was read) */
    ps->used = used;
    char *s = ps->store + ps->used;
    memcpy(s, ps->p + from, ps->i - from);
    s[ps->i - from] = 0;
    ps->used += ps->i - from + 1;
    *out = s;
    return 0;
}

/* "also_matched": ["XA10B%", ...]; checked, then kept as written. */
static int parse_also(Parser *ps, const char **out) {
    size_t from = ps->i, used = ps->used;
    if (ps->i >= ps->n || ps->p[ps->i] != '[') return fail_here(ps, "'[' expected (also_matched)");
    ps->i++;
    skip_space(ps);
    while (ps->i < ps->n && ps->p[ps->i] != ']') {
        const char *key;
        if (parse_string(ps, &key)) return -1;
        skip_space(ps);
        if (ps->i < ps->n && ps->p[ps->i] == ',') {
            ps->i++;
            skip_space(ps);
        } else if (ps->i >= ps->n || ps->p[ps->i] != ']')
            return fail_here(ps, "',' or ']' expected");
    }
    if (ps->i >= ps->n) return fail_at(ps, from, "unterminated also_matched");
    ps->i++;
    ps->used = used;
    char *s = ps->store + ps->used;
    memcpy(s, ps->p + from, ps->i - from);
    s[ps->i - from] = 0;
    ps->used += ps->i - from + 1;
    *out = s;
    return 0;
}

static int key_index(const char *k) {
    for (int i = 0; i < K_COUNT; i++)
        if (strcmp(KEYS[i], k) == 0) return i;
    return -1;
}

/* Parses the value of key k into f. */
static int parse_value(Parser *ps, int k, FsFinding *f) {
    const char **str[] = {&f->claim_id, &f->rule,   &f->category, &f->category_code,
                          &f->severity, &f->nature, &f->message};
    if (k <= K_MESSAGE) return parse_string(ps, str[k]);
    if (k == K_POINTS) return parse_int(ps, &f->points);
    if (k == K_AMOUNT) return parse_amount(ps, &f->amount);
    if (k == K_EVIDENCE) return parse_evidence(ps, &f->evidence);
    if (k == K_ALSO) return parse_also(ps, &f->also_matched);
    if (k == K_AT_RISK) {
        int64_t ignored;
        return parse_amount(ps, &ignored);
    }
    if (k >= K_REPORT_FIRST) {
        const char *ignored;
        return parse_string(ps, &ignored);
    }
    if (parse_null(ps)) {
        f->line_no = -1;
        return 0;
    }
    size_t at = ps->i;
    if (parse_int(ps, &f->line_no)) return -1;
    if (f->line_no < 0) return fail_at(ps, at, "line_no must be a line number or null");
    return 0;
}

/* Parses the members of the object; `seen` marks the keys found. */
static int parse_members(Parser *ps, FsFinding *f, int *seen) {
    skip_space(ps);
    if (ps->i < ps->n && ps->p[ps->i] == '}') return 0;
    for (;;) {
        skip_space(ps);
        size_t at = ps->i;
        const char *key;
        if (parse_string(ps, &key)) return -1;
        int k = key_index(key);
        if (k < 0) {
            snprintf(ps->errbuf, sizeof ps->errbuf, "unknown key \"%.60s\"", key);
            return fail_at(ps, at, ps->errbuf);
        }
        if (seen[k]) {
            snprintf(ps->errbuf, sizeof ps->errbuf, "key \"%s\" given twice", KEYS[k]);
            return fail_at(ps, at, ps->errbuf);
        }
        seen[k] = 1;
        skip_space(ps);
        if (ps->i >= ps->n || ps->p[ps->i] != ':') return fail_here(ps, "':' expected");
        ps->i++;
        skip_space(ps);
        if (parse_value(ps, k, f)) return -1;
        skip_space(ps);
        if (ps->i < ps->n && ps->p[ps->i] == ',') {
            ps->i++;
            continue;
        }
        if (ps->i < ps->n && ps->p[ps->i] == '}') return 0;
        return fail_here(ps, "',' or '}' expected");
    }
}

static int parse_object(Parser *ps, FsFinding *f) {
    int seen[K_COUNT] = {0};
    skip_space(ps);
    if (ps->i >= ps->n || ps->p[ps->i] != '{')
        return fail_here(ps, "'{' expected: one JSON object a line");
    ps->i++;
    if (parse_members(ps, f, seen)) return -1;
    ps->i++; /* '}' */
    skip_space(ps);
    if (ps->i < ps->n) return fail_here(ps, "text after the object");
    const int required[] = {K_CLAIM, K_RULE, K_LINE, K_AMOUNT};
    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        if (seen[required[r]]) continue;
        snprintf(ps->errbuf, sizeof ps->errbuf, "missing key \"%s\"", KEYS[required[r]]);
        return fail_at(ps, 0, ps->errbuf);
    }
    return 0;
}

int fs_parse_line(const char *p, size_t n, FsFinding *f, size_t *col, char *err, size_t cap) {
    memset(f, 0, sizeof *f);
    f->claim_id = f->rule = f->category = f->category_code = "";
    f->severity = f->nature = f->message = f->evidence = f->also_matched = "";
    f->line_no = -1;
    /* unescaped strings (with their NULs) never outgrow the line */
    Parser ps = {.p = p, .n = n, .store = malloc(n + 1)};
    if (!ps.store) {
        snprintf(err, cap, "out of memory");
        *col = 0;
        return -1;
    }
    if (parse_object(&ps, f) == 0) {
        f->store = ps.store;
        return 0;
    }
    free(ps.store);
    memset(f, 0, sizeof *f);
    snprintf(err, cap, "%s", ps.err);
    *col = ps.at;
    return -1;
}

void fs_init(FindingSet *s) {
    memset(s, 0, sizeof *s);
}

void fs_free(FindingSet *s) {
    for (size_t i = 0; i < s->n; i++) free(s->items[i].store);
    free(s->items);
    fs_init(s);
}

static int fs_push(FindingSet *s, const FsFinding *f) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        FsFinding *p = realloc(s->items, cap * sizeof *p);
        if (!p) return -1;
        s->items = p;
        s->cap = cap;
    }
    s->items[s->n++] = *f;
    return 0;
}

/* Column of byte offset `off` in a line, counting UTF-8 characters. */
static size_t char_column(const char *p, size_t off) {
    size_t col = 1;
    for (size_t i = 0; i < off; i++)
        if (((unsigned char)p[i] & 0xC0) != 0x80) col++;
    return col;
}

int fs_load_text(FindingSet *s, const char *name, const char *text, size_t len, char *err,
                 size_t cap) {
    size_t pos = 0, line = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) pos = 3; /* a BOM */
    while (pos < len) {
        line++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t start = pos, b = pos, e = end;
        while (b < e && (text[b] == ' ' || text[b] == '\t' || text[b] == '\r')) b++;
        while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r')) e--;
        pos = end + 1;
        if (b == e) continue;
        FsFinding f;
        size_t col;
        char why[160];
        if (fs_parse_line(text + b, e - b, &f, &col, why, sizeof why)) {
            snprintf(err, cap, "%s:%zu: column %zu: %s", name, line,
                     char_column(text + start, b - start + col), why);
            return -1;
        }
        if (fs_push(s, &f)) {
            free(f.store);
            snprintf(err, cap, "%s: out of memory", name);
            return -1;
        }
    }
    return 0;
}

int fs_load(FindingSet *s, const char *path, char *err, size_t cap) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
        return -2;
    }
    FsBuf b;
    fsb_init(&b);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) fsb_put(&b, chunk, got);
    int bad = ferror(fp) || b.oom;
    fclose(fp);
    if (bad) {
        snprintf(err, cap, "cannot read %s: %s", path, b.oom ? "out of memory" : "read error");
        fsb_free(&b);
        return -2;
    }
    int rc = fs_load_text(s, path, b.p ? b.p : "", b.len, err, cap);
    fsb_free(&b);
    return rc;
}

/* ---------------------------------------------------------------- sorting */

static int cmp_int(int64_t a, int64_t b) {
    return a < b ? -1 : a > b;
}

/* Order of the identity: claim_id, rule, line_no. */
static int key_cmp(const FsFinding *a, const FsFinding *b) {
    int c = strcmp(a->claim_id, b->claim_id);
    if (!c) c = strcmp(a->rule, b->rule);
    if (!c) c = cmp_int(a->line_no, b->line_no);
    return c;
}

/* Everything but the identity. */
static int content_cmp(const FsFinding *a, const FsFinding *b) {
    int c = strcmp(a->message, b->message);
    if (!c) c = cmp_int(a->amount, b->amount);
    if (!c) c = strcmp(a->severity, b->severity);
    if (!c) c = strcmp(a->category, b->category);
    if (!c) c = strcmp(a->category_code, b->category_code);
    if (!c) c = strcmp(a->nature, b->nature);
    if (!c) c = cmp_int(a->points, b->points);
    if (!c) c = strcmp(a->evidence, b->evidence);
    if (!c) c = strcmp(a->also_matched, b->also_matched);
    return c;
}

static int finding_cmp(const void *pa, const void *pb) {
    const FsFinding *a = pa, *b = pb;
    int c = key_cmp(a, b);
    return c ? c : content_cmp(a, b);
}

void fs_sort(FindingSet *s) {
    if (s->n > 1) qsort(s->items, s->n, sizeof *s->items, finding_cmp);
}

/* Appends s as a JSON string, escaped as `arbiter check` does. */
static void json_str(FsBuf *b, const char *s) {
    fsb_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            fsb_put(b, e, 2);
        } else if (c == '\n')
            fsb_puts(b, "\\n");
        else if (c == '\t')
            fsb_puts(b, "\\t");
        else if (c == '\r')
            fsb_puts(b, "\\r");
        else if (c < 0x20)
            fsb_printf(b, "\\u%04x", c);
        else
            fsb_put(b, s, 1);
    }
    fsb_put(b, "\"", 1);
}

void fs_write_jsonl(FsBuf *b, const FindingSet *s) {
    for (size_t i = 0; i < s->n; i++) {
        const FsFinding *f = &s->items[i];
        char amount[32];
        fs_money(f->amount, amount, sizeof amount);
        fsb_puts(b, "{\"claim_id\":");
        json_str(b, f->claim_id);
        fsb_puts(b, ",\"rule\":");
        json_str(b, f->rule);
        fsb_puts(b, ",\"category\":");
        json_str(b, f->category);
        fsb_puts(b, ",\"category_code\":");
        json_str(b, f->category_code);
        fsb_puts(b, ",\"severity\":");
        json_str(b, f->severity);
        fsb_puts(b, ",\"nature\":");
        json_str(b, f->nature);
        fsb_printf(b, ",\"points\":%lld,\"line_no\":", (long long)f->points);
        if (f->line_no >= 0)
            fsb_printf(b, "%lld", (long long)f->line_no);
        else
            fsb_puts(b, "null");
        fsb_printf(b, ",\"amount\":\"%s\",\"message\":", amount);
        json_str(b, f->message);
        if (*f->also_matched) {
            fsb_puts(b, ",\"also_matched\":");
            fsb_puts(b, f->also_matched);
        }
        if (*f->evidence) {
            fsb_puts(b, ",\"evidence\":");
            fsb_puts(b, f->evidence);
        }
        fsb_puts(b, "}\n");
    }
}

/* ------------------------------------------------------------- comparison */

static int diff_push(FsDiff *d, int kind, const FsFinding *e, const FsFinding *a) {
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        FsChange *p = realloc(d->items, cap * sizeof *p);
        if (!p) return -1;
        d->items = p;
        d->cap = cap;
    }
    d->items[d->n++] = (FsChange){kind, e, a};
    if (kind == FS_ADDED) d->added++;
    if (kind == FS_REMOVED) d->removed++;
    if (kind == FS_CHANGED) d->changed++;
    return 0;
}

/* A pair with the same identity: changed when any reported field differs. */
static int pair(FsDiff *d, const FsFinding *e, const FsFinding *a) {
    if (content_cmp(e, a) == 0) return 0;
    return diff_push(d, FS_CHANGED, e, a);
}

/* Pairs the findings sharing one identity: E[0..ne) expected, A[0..na)
 * actual, each sorted by message.  Equal messages first, then in order. */
static int compare_group(FsDiff *d, const FsFinding *E, size_t ne, const FsFinding *A, size_t na,
                         unsigned char *eu, unsigned char *au) {
    size_t i = 0, j = 0;
    while (i < ne && j < na) {
        int c = strcmp(E[i].message, A[j].message);
        if (c < 0)
            i++;
        else if (c > 0)
            j++;
        else {
            eu[i] = au[j] = 1;
            if (pair(d, &E[i++], &A[j++])) return -1;
        }
    }
    i = j = 0;
    for (;;) {
        while (i < ne && eu[i]) i++;
        while (j < na && au[j]) j++;
        if (i >= ne || j >= na) break;
        eu[i] = au[j] = 1;
        if (pair(d, &E[i], &A[j])) return -1;
    }
    for (i = 0; i < ne; i++)
        if (!eu[i] && diff_push(d, FS_REMOVED, &E[i], NULL)) return -1;
    for (j = 0; j < na; j++)
        if (!au[j] && diff_push(d, FS_ADDED, NULL, &A[j])) return -1;
    return 0;
}

static const FsFinding *shown(const FsChange *c) {
    return c->actual ? c->actual : c->expected;
}

/* Report order: category, rule, kind, claim, line, message. */
static int change_cmp(const void *pa, const void *pb) {
    const FsChange *a = pa, *b = pb;
    const FsFinding *fa = shown(a), *fb = shown(b);
    int c = strcmp(fa->category, fb->category);
    if (!c) c = strcmp(fa->rule, fb->rule);
    if (!c) c = cmp_int(a->kind, b->kind);
    if (!c) c = finding_cmp(fa, fb);
    return c;
}

/* Length of the run of findings sharing s[from]'s identity. */
static size_t group_end(const FindingSet *s, size_t from) {
    size_t to = from;
    while (to < s->n && key_cmp(&s->items[from], &s->items[to]) == 0) to++;
    return to;
}

int fs_compare(FindingSet *expected, FindingSet *actual, FsDiff *d) {
    memset(d, 0, sizeof *d);
    fs_sort(expected);
    fs_sort(actual);
    unsigned char *eu = calloc(expected->n + 1, 1), *au = calloc(actual->n + 1, 1);
    size_t i = 0, j = 0;
    int rc = eu && au ? 0 : -1;
    while (rc == 0 && (i < expected->n || j < actual->n)) {
        int c = i >= expected->n ? 1
                : j >= actual->n ? -1
                                 : key_cmp(&expected->items[i], &actual->items[j]);
        size_t ie = c <= 0 ? group_end(expected, i) : i;
        size_t je = c >= 0 ? group_end(actual, j) : j;
        rc = compare_group(d, expected->items + i, ie - i, actual->items + j, je - j, eu + i,
                           au + j);
        i = ie;
        j = je;
    }
    free(eu);
    free(au);
    if (rc) {
        fs_diff_free(d);
        return -1;
    }
    if (d->n > 1) qsort(d->items, d->n, sizeof *d->items, change_cmp);
    return 0;
}

void fs_diff_free(FsDiff *d) {
    free(d->items);
    memset(d, 0, sizeof *d);
}

/* ----------------------------------------------------------------- report */

/* Counts and money of one group of changes (a category or a rule). */
typedef struct Tally {
    size_t added, removed, changed;
    int64_t added_cents, removed_cents, changed_cents;
} Tally;

static void tally_add(Tally *t, const FsChange *c) {
    if (c->kind == FS_ADDED) {
        t->added++;
        t->added_cents = fs_money_add(t->added_cents, c->actual->amount);
    } else if (c->kind == FS_REMOVED) {
        t->removed++;
        t->removed_cents = fs_money_add(t->removed_cents, c->expected->amount);
    } else {
        t->changed++;
        int64_t delta = fs_money_sub(c->actual->amount, c->expected->amount);
        t->changed_cents = fs_money_add(t->changed_cents, delta);
    }
}

/* Writes cents with an explicit sign, "+12.50"; `negate` shows -cents
 * ("-12.50" for 1250, "-0.00" for 0). */
static void signed_money(int64_t cents, int negate, char *buf, size_t cap) {
    char m[32];
    fs_money(cents, m, sizeof m);
    int neg = (cents < 0) != (negate != 0);
    snprintf(buf, cap, "%c%s", neg ? '-' : '+', m[0] == '-' ? m + 1 : m);
}

/* "+2 newly raised (+45.20)   -1 no longer raised (-12.00)   ~1 changed (+1.50)";
 * `words` 0 gives the short form "+2 (+45.20)  -1 (-12.00)  ~1 (+1.50)". */
static void tally_text(FsBuf *b, const Tally *t, int words) {
    char m[40];
    const char *sep = "";
    const char *gap = words ? "   " : "  ";
    if (t->added) {
        signed_money(t->added_cents, 0, m, sizeof m);
        fsb_printf(b, "+%zu%s (%s)", t->added, words ? " newly raised" : "", m);
        sep = gap;
    }
    if (t->removed) {
        signed_money(t->removed_cents, 1, m, sizeof m);
        fsb_printf(b, "%s-%zu%s (%s)", sep, t->removed, words ? " no longer raised" : "", m);
        sep = gap;
    }
    if (t->changed) {
        fsb_printf(b, "%s~%zu%s", sep, t->changed, words ? " changed" : "");
        signed_money(t->changed_cents, 0, m, sizeof m);
        if (t->changed_cents) fsb_printf(b, " (%s)", m);
    }
}

/* Appends at most max_chars characters of a UTF-8 string, then "...". */
static void put_clipped(FsBuf *b, const char *s, size_t max_chars) {
    size_t i = 0, chars = 0;
    while (s[i] && chars < max_chars) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80) i++;
        chars++;
    }
    fsb_put(b, s, i);
    if (s[i]) fsb_puts(b, "...");
}

static void where_text(FsBuf *b, const FsFinding *f) {
    if (f->line_no >= 0)
        fsb_printf(b, "%s line %lld", f->claim_id, (long long)f->line_no);
    else
        fsb_printf(b, "%s claim", f->claim_id);
}

/* "amount 3.00 -> 4.50; severity low -> high; message "a" -> "b"" */
static void changed_fields(FsBuf *b, const FsFinding *e, const FsFinding *a) {
    const char *sep = "";
    char m1[32], m2[32];
    if (e->amount != a->amount) {
        fs_money(e->amount, m1, sizeof m1);
        fs_money(a->amount, m2, sizeof m2);
        fsb_printf(b, "amount %s -> %s", m1, m2);
        sep = "; ";
    }
    const char *names[] = {"severity", "category", "category_code", "nature"};
    const char *olds[] = {e->severity, e->category, e->category_code, e->nature};
    const char *news[] = {a->severity, a->category, a->category_code, a->nature};
    for (int k = 0; k < 4; k++) {
        if (strcmp(olds[k], news[k]) == 0) continue;
        fsb_printf(b, "%s%s %s -> %s", sep, names[k], olds[k], news[k]);
        sep = "; ";
    }
    if (e->points != a->points) {
        fsb_printf(b, "%spoints %lld -> %lld", sep, (long long)e->points, (long long)a->points);
        sep = "; ";
    }
    if (strcmp(e->message, a->message) != 0) {
        fsb_printf(b, "%smessage \"", sep);
        put_clipped(b, e->message, 60);
        fsb_puts(b, "\" -> \"");
        put_clipped(b, a->message, 60);
        fsb_puts(b, "\"");
    }
}

static void example_line(FsBuf *b, const FsChange *c) {
    const FsFinding *f = shown(c);
    char m[32];
    fsb_puts(b, c->kind == FS_ADDED ? "      + " : c->kind == FS_REMOVED ? "      - " : "      ~ ");
    where_text(b, f);
    fsb_puts(b, "  ");
    if (c->kind == FS_CHANGED) {
        changed_fields(b, c->expected, c->actual);
    } else {
        fs_money(f->amount, m, sizeof m);
        fsb_printf(b, "%s  ", m);
        put_clipped(b, f->message, 80);
    }
    fsb_puts(b, "\n");
}

static size_t same_field_run(const FsDiff *d, size_t from, int rule_too) {
    const FsFinding *f0 = shown(&d->items[from]);
    size_t to = from;
    while (to < d->n) {
        const FsFinding *f = shown(&d->items[to]);
        if (strcmp(f->category, f0->category) != 0) break;
        if (rule_too && strcmp(f->rule, f0->rule) != 0) break;
        to++;
    }
    return to;
}

/* Shares max_examples among the kinds of change, round robin, so that each
 * kind present gets examples shown. */
static void example_quotas(const size_t count[3], size_t max_examples, size_t quota[3]) {
    size_t left = max_examples;
    quota[0] = quota[1] = quota[2] = 0;
    for (int more = 1; more && left;) {
        more = 0;
        for (int k = 0; k < 3 && left; k++)
            if (quota[k] < count[k]) quota[k]++, left--, more = 1;
    }
}

static void rule_block(FsBuf *b, const FsDiff *d, size_t from, size_t to, size_t max_examples) {
    static const char *const kinds[] = {"newly raised", "no longer raised", "changed"};
    Tally t = {0};
    size_t count[3] = {0, 0, 0}, quota[3], shown_of[3] = {0, 0, 0};
    for (size_t i = from; i < to; i++) {
        tally_add(&t, &d->items[i]);
        count[d->items[i].kind]++;
    }
    fsb_printf(b, "    %s  ", shown(&d->items[from])->rule);
    tally_text(b, &t, 1);
    fsb_puts(b, "\n");
    example_quotas(count, max_examples, quota);
    for (size_t i = from; i < to; i++) {
        int k = d->items[i].kind;
        if (shown_of[k]++ < quota[k]) example_line(b, &d->items[i]);
        if (shown_of[k] == count[k] && count[k] > quota[k])
            fsb_printf(b, "      ... and %zu more %s\n", count[k] - quota[k], kinds[k]);
    }
}

void fs_report(FsBuf *b, const FsDiff *d, const FsTitle *titles, size_t ntitles,
               size_t max_examples) {
    for (size_t c = 0; c < d->n;) {
        size_t cend = same_field_run(d, c, 0);
        const char *cat = shown(&d->items[c])->category;
        Tally t = {0};
        for (size_t i = c; i < cend; i++) tally_add(&t, &d->items[i]);
        fsb_printf(b, "  %s", cat[0] ? cat : "(no category)");
        for (size_t k = 0; k < ntitles; k++)
            if (titles[k].name && titles[k].title && titles[k].title[0] &&
                strcmp(titles[k].name, cat) == 0) {
                fsb_printf(b, " (%s)", titles[k].title);
                break;
            }
        fsb_puts(b, "  ");
        tally_text(b, &t, 0);
        fsb_puts(b, "\n");
        for (size_t r = c; r < cend;) {
            size_t rend = same_field_run(d, r, 1);
            rule_block(b, d, r, rend, max_examples);
            r = rend;
        }
        c = cend;
    }
}

/* ------------------------------------------------------------------ JUnit */

/* Length of the valid UTF-8 sequence at s that XML may hold, or 0. */
static size_t xml_char_len(const unsigned char *s) {
    unsigned char c = s[0];
    if (c < 0x80) return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
    size_t n = c >= 0xC2 && c <= 0xDF   ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80) return 0;
    if (n == 3 && c == 0xE0 && s[1] < 0xA0) return 0;                  /* overlong */
    if (n == 3 && c == 0xED && s[1] >= 0xA0) return 0;                 /* surrogate */
    if (n == 3 && c == 0xEF && s[1] == 0xBF && s[2] >= 0xBE) return 0; /* U+FFFE, U+FFFF */
    if (n == 4 && c == 0xF0 && s[1] < 0x90) return 0;                  /* overlong */
    if (n == 4 && c == 0xF4 && s[1] >= 0x90) return 0;                 /* past U+10FFFF */
    return n;
}

static void xml_escape(FsBuf *b, const char *s, int attr) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const char *ent = *p == '&'            ? "&amp;"
                          : *p == '<'          ? "&lt;"
                          : *p == '>'          ? "&gt;"
                          : attr && *p == '"'  ? "&quot;"
                          : attr && *p == '\'' ? "&apos;"
                          : attr && *p == '\n' ? "&#10;"
                          : attr && *p == '\r' ? "&#13;"
                          : attr && *p == '\t' ? "&#9;"
                                               : NULL;
        if (ent) {
            fsb_puts(b, ent);
            p++;
            continue;
        }
        size_t n = xml_char_len(p);
        if (n) {
            fsb_put(b, (const char *)p, n);
            p += n;
        } else {
            fsb_puts(b, "\xEF\xBF\xBD");
            p++;
        }
    }
}

void fs_xml_escape(FsBuf *b, const char *s) {
    xml_escape(b, s, 0);
}

void fs_junit(FsBuf *b, const char *suite, const FsCase *cases, size_t n) {
    size_t failures = 0, errors = 0;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        failures += cases[i].status == FS_CASE_FAILED;
        errors += cases[i].status == FS_CASE_ERROR;
        total += cases[i].seconds;
    }
    fsb_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"");
    xml_escape(b, suite, 1);
    fsb_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", n, failures,
               errors, total);
    for (size_t i = 0; i < n; i++) {
        const FsCase *c = &cases[i];
        fsb_puts(b, "    <testcase name=\"");
        xml_escape(b, c->name ? c->name : "", 1);
        fsb_puts(b, "\" classname=\"");
        xml_escape(b, c->classname ? c->classname : suite, 1);
        fsb_printf(b, "\" time=\"%.3f\"", c->seconds);
        if (c->status == FS_CASE_PASSED) {
            fsb_puts(b, "/>\n");
            continue;
        }
        const char *tag = c->status == FS_CASE_FAILED ? "failure" : "error";
        fsb_printf(b, ">\n      <%s message=\"", tag);
        xml_escape(b, c->message ? c->message : "", 1);
        fsb_puts(b, "\">");
        if (c->text) xml_escape(b, c->text, 0);
        fsb_printf(b, "</%s>\n    </testcase>\n", tag);
    }
    fsb_puts(b, "  </testsuite>\n</testsuites>\n");
}
