/* csv.c — an RFC 4180 CSV tokenizer over an in-memory buffer, and the
 * writing of one cell (see csv.h).
 *
 * Fields point into the buffer whenever they can: unquoted fields and quoted
 * fields without doubled quotes are not copied.  Only fields with doubled
 * quotes are unescaped into the reader's scratch space, which grows with the
 * record (not with the buffer). */
#include "csv.h"

#include <stddef.h>
#include <string.h>

#include "swar.h"

static const char *skip_bom(const char *buf, size_t len) {
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) return buf + 3;
    return buf;
}

void csv_init(CsvReader *r, const char *buf, size_t len, Alloc a) {
    memset(r, 0, sizeof *r);
    r->alloc = a;
    csv_reset(r, buf, len);
}

void csv_reset(CsvReader *r, const char *buf, size_t len) {
    r->buf = buf;
    r->end = buf + len;
    r->pos = skip_bom(buf, len);
    r->line = 1;
    r->nfields = 0;
    r->scratch_len = 0;
}

void csv_free(CsvReader *r) {
    mem_free(r->alloc, r->fields, r->cap_fields * sizeof(CsvField));
    mem_free(r->alloc, r->scratch, r->scratch_cap);
    r->fields = NULL;
    r->scratch = NULL;
    r->cap_fields = r->nfields = r->scratch_cap = r->scratch_len = 0;
}

static int push_field(CsvReader *r, const char *p, size_t n) {
    if (r->nfields == r->cap_fields &&
        mem_grow(r->alloc, (void **)&r->fields, sizeof(CsvField), &r->cap_fields, r->nfields + 1))
        return -1;
    r->fields[r->nfields].ptr = p;
    r->fields[r->nfields].len = n;
    r->nfields++;
    return 0;
}

/* Makes room for `more` bytes in scratch.  Fields of the current record that
 * already point into scratch are moved along with it. */
static int scratch_reserve(CsvReader *r, size_t more) {
    if (r->scratch_len + more <= r->scratch_cap) return 0;
    size_t cap = r->scratch_cap ? r->scratch_cap : 256;
    while (cap < r->scratch_len + more) cap *= 2;
    char *s = mem_alloc(r->alloc, cap);
    if (!s) return -1;
    if (r->scratch) {
        memcpy(s, r->scratch, r->scratch_len);
        uintptr_t lo = (uintptr_t)r->scratch, hi = lo + r->scratch_len;
        for (size_t k = 0; k < r->nfields; k++) {
            uintptr_t q = (uintptr_t)r->fields[k].ptr;
            if (q >= lo && q < hi) r->fields[k].ptr = s + (q - lo);
        }
        mem_free(r->alloc, r->scratch, r->scratch_cap);
    }
    r->scratch = s;
    r->scratch_cap = cap;
    return 0;
}

/* Skips past the end of the line holding p (after an error). */
static void skip_line_from(CsvReader *r, const char *p) {
    const char *nl = memchr(p, '\n', (size_t)(r->end - p));
    if (nl) {
        r->pos = nl + 1;
        r->line++;
    } else {
        r->pos = r->end;
    }
}

static size_t count_newlines(const char *p, const char *e) {
    size_t n = 0;
    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) n++, p++;
    return n;
}

/* Reads a quoted field starting at the opening quote *pp.  Returns 0 and
 * leaves *pp after the closing quote; -1 when the quote is not closed. */
static int quoted_field(CsvReader *r, const char **pp, const char **text, size_t *len) {
    const char *s = *pp + 1, *e = s;
    for (;;) {
        e = memchr(e, '"', (size_t)(r->end - e));
        if (!e) return -1;
        if (e + 1 < r->end && e[1] == '"') break; /* a doubled quote: unescape */
        /* the whole field is in the buffer as is */
        r->line += count_newlines(s, e);
        *text = s;
        *len = (size_t)(e - s);
        *pp = e + 1;
        return 0;
    }
    /* slow path: copy the pieces between doubled quotes into scratch; the
     * unescaped text is shorter than what is left of the buffer */
    const char *c = s;
    size_t start = r->scratch_len;
    for (;;) {
        e = memchr(c, '"', (size_t)(r->end - c));
        if (!e) return -1;
        size_t piece = (size_t)(e - c);
        if (scratch_reserve(r, piece + 1)) return -2;
        memcpy(r->scratch + r->scratch_len, c, piece);
        r->scratch_len += piece;
        if (e + 1 < r->end && e[1] == '"') {
            r->scratch[r->scratch_len++] = '"';
            c = e + 2;
            continue;
        }
        r->line += count_newlines(s, e);
        *text = r->scratch + start;
        *len = r->scratch_len - start;
        *pp = e + 1;
        return 0;
    }
}

/* Tokenizes one record (see csv.h).  On an unterminated quote the record is
 * taken to be its first line only, and reading goes on with the next line. */
int csv_next(CsvReader *r, uint64_t *rec_line, const char **err) {
    /* blank lines are not records */
    while (r->pos < r->end && (*r->pos == '\n' || *r->pos == '\r')) {
        if (*r->pos == '\n') r->line++;
        r->pos++;
    }
    if (r->pos >= r->end) return 0;
    const char *rec_start = r->pos;
    uint64_t start_line = r->line;
    *rec_line = start_line;
    r->nfields = 0;
    r->scratch_len = 0;
    const char *p = r->pos;
    for (;;) {
        const char *text;
        size_t n;
        if (p < r->end && *p == '"') {
            int rc = quoted_field(r, &p, &text, &n);
            if (rc) {
                *err = rc == -1 ? "unterminated quoted field" : "out of memory";
                r->line = start_line;
                skip_line_from(r, rec_start);
                return -1;
            }
            /* after the closing quote: a separator, a line end or the end */
            if (p < r->end && *p == '\r' && (p + 1 == r->end || p[1] == '\n')) p++;
            if (p < r->end && *p != ',' && *p != '\n') {
                *err = "text after a closing quote";
                skip_line_from(r, p);
                return -1;
            }
        } else {
            const char *s = p;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* 8 bytes at a time to the first ',' or '\n': the lowest byte
             * flagged is the first (a flag above it may be false) */
            while (r->end - p >= 8) {
                uint64_t x = swar_load(p), m = swar_eq(x, ',') | swar_eq(x, '\n');
                if (m) {
                    p += __builtin_ctzll(m) >> 3;
                    break;
                }
                p += 8;
            }
#endif
            while (p < r->end && *p != ',' && *p != '\n') p++;
            text = s;
            n = (size_t)(p - s);
            if (n && s[n - 1] == '\r' && (p >= r->end || *p == '\n')) n--;
        }
        if (push_field(r, text, n)) {
            *err = "out of memory";
            skip_line_from(r, p < r->end ? p : r->end);
            return -1;
        }
        if (p < r->end && *p == ',') {
            p++;
            continue;
        }
        /* end of record */
        if (p < r->end) {
            p++; /* '\n' */
            r->line++;
        }
        r->pos = p;
        return 1;
    }
}

int csv_skim(CsvReader *r, size_t col, uint64_t *rec_line, const char **err, CsvField *cell,
             size_t *nfields) {
    while (r->pos < r->end && (*r->pos == '\n' || *r->pos == '\r')) { /* as csv_next */
        if (*r->pos == '\n') r->line++;
        r->pos++;
    }
    if (r->pos >= r->end) return 0;
    const char *p = r->pos, *nl = memchr(p, '\n', (size_t)(r->end - p)), *e = nl ? nl : r->end;
    if (memchr(p, '"', (size_t)(e - p))) { /* quotes: read as csv_next reads them */
        int got = csv_next(r, rec_line, err);
        if (got == 1) {
            *nfields = r->nfields;
            *cell = col < r->nfields ? r->fields[col] : (CsvField){NULL, 0};
        }
        return got;
    }
    /* the fields are what lies between commas; the last loses a '\r' before
     * the line's end, as csv_next's does */
    size_t k = 0;
    const char *s = p, *q = p;
    cell->ptr = NULL;
    cell->len = 0;
    for (;;) {
        q = memchr(q, ',', (size_t)(e - q));
        const char *fe = q ? q : e;
        if (k == col) {
            size_t n = (size_t)(fe - s);
            if (!q && n && s[n - 1] == '\r') n--;
            cell->ptr = s;
            cell->len = n;
        }
        k++;
        if (!q) break;
        s = ++q;
    }
    *rec_line = r->line;
    *nfields = k;
    if (nl) {
        r->pos = nl + 1;
        r->line++;
    } else {
        r->pos = r->end;
    }
    return 1;
}

void csv_put_cell(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
