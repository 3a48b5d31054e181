/* csv.c — RFC 4180 CSV tokenizer (see csv.h). */
#include "csv.h"

#include <stddef.h>
#include <string.h>

void csv_init(CsvReader *r, const char *buf, size_t len, Alloc a) {
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->end = buf + len;
    r->pos = buf;
    r->line = 1;
    r->alloc = a;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) r->pos += 3;
}

void csv_reset(CsvReader *r, const char *buf, size_t len) {
    r->buf = r->pos = buf;
    r->end = buf + len;
    r->line = 1;
    r->nfields = 0;
    r->scratch_len = 0;
}

void csv_free(CsvReader *r) {
    mem_free(r->alloc, r->fields, r->cap_fields * sizeof(CsvField));
    mem_free(r->alloc, r->scratch, r->scratch_cap);
    r->fields = NULL;
    r->scratch = NULL;
    r->cap_fields = r->scratch_cap = 0;
}

static int push_field(CsvReader *r, const char *p, size_t n) {
    if (mem_grow(r->alloc, (void **)&r->fields, sizeof(CsvField), &r->cap_fields, r->nfields + 1))
        return -1;
    r->fields[r->nfields].ptr = p;
    r->fields[r->nfields].len = n;
    r->nfields++;
    return 0;
}

/* Skips to the start of the next line after an error. */
static void skip_line(CsvReader *r) {
    while (r->pos < r->end && *r->pos != '\n') r->pos++;
    if (r->pos < r->end) {
        r->pos++;
        r->line++;
    }
}

int csv_next(CsvReader *r, uint64_t *rec_line, const char **err) {
    /* blank lines are not records */
    while (r->pos < r->end && (*r->pos == '\n' || *r->pos == '\r')) {
        if (*r->pos == '\n') r->line++;
        r->pos++;
    }
    if (r->pos >= r->end) return 0;
    *rec_line = r->line;
    r->nfields = 0;
    /* Unescaped quoted fields go to scratch; make sure it can hold the whole
     * rest of the record so field pointers into it stay valid. */
    size_t rest = (size_t)(r->end - r->pos);
    if (rest + 1 > r->scratch_cap) {
        size_t cap = r->scratch_cap ? r->scratch_cap : 256;
        while (cap < rest + 1) cap *= 2;
        char *s = mem_realloc(r->alloc, r->scratch, r->scratch_cap, cap);
        if (!s) {
            *err = "out of memory";
            skip_line(r);
            return -1;
        }
        r->scratch = s;
        r->scratch_cap = cap;
    }
    r->scratch_len = 0;
    for (;;) {
        const char *p = r->pos;
        if (p < r->end && *p == '"') {
            /* quoted field */
            char *out = r->scratch + r->scratch_len;
            size_t n = 0;
            p++;
            for (;;) {
                if (p >= r->end) {
                    *err = "unterminated quoted field";
                    r->pos = r->end;
                    return -1;
                }
                if (*p == '"') {
                    if (p + 1 < r->end && p[1] == '"') {
                        out[n++] = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (*p == '\n') r->line++;
                out[n++] = *p++;
            }
            r->scratch_len += n;
            /* without doubled quotes the text is in the buffer as is: point
             * there, so errors can name the cell's position */
            const char *text = out;
            if (p - r->pos == (ptrdiff_t)n + 2) text = r->pos + 1;
            if (push_field(r, text, n)) {
                *err = "out of memory";
                skip_line(r);
                return -1;
            }
            if (p < r->end && *p == '\r') p++;
            if (p < r->end && *p != ',' && *p != '\n') {
                r->pos = p;
                *err = "text after a closing quote";
                skip_line(r);
                return -1;
            }
        } else {
            const char *s = p;
            while (p < r->end && *p != ',' && *p != '\n') p++;
            size_t n = (size_t)(p - s);
            if (n && s[n - 1] == '\r' && (p >= r->end || *p == '\n')) n--;
            if (push_field(r, s, n)) {
                *err = "out of memory";
                skip_line(r);
                return -1;
            }
        }
        if (p < r->end && *p == ',') {
            r->pos = p + 1;
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
