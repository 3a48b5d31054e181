/* csv_claims.c — claims from claims.csv and its child files (see csv_claims.h). */
#include "csv_claims.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "i18n.h"
#include "scalar.h"
#include "strmap.h"
#include "transcode.h"
#include "utf8.h"

typedef struct Row {
    uint32_t start, end; /* byte range of the record in its file */
    uint64_t line;
    int32_t next; /* next child row of the same claim, -1 at the end */
    int32_t bad;  /* its first undecodable byte (index in CsvFile.spots), or -1 */
} Row;

/* A byte that is not of the file's encoding (invalid UTF-8, or not
 * GB18030): the first of its line. */
typedef struct Spot {
    size_t off;        /* in the text as read (converted: its U+FFFD) */
    uint64_t file_off; /* in the file */
    uint64_t line;     /* the file's */
    size_t col;        /* in bytes of the file's line */
} Spot;

/* A header column read as no field: none has its name, or a derived one. */
typedef struct IgnCol {
    uint32_t col;
    const char *name;     /* its path: "admit_date", "lines[].date" */
    const Field *derived; /* NULL: no field has the name */
} IgnCol;

typedef struct CsvFile {
    char *path;
    char *text; /* UTF-8 (converted when the file is not) */
    size_t len;
    uint64_t bytes; /* of the file */
    Spot *spots;    /* undecodable bytes, in order */
    size_t nspots, capspots;
    const RecordType *rt;
    int32_t *col_field; /* per header column: field index, or -1 */
    size_t ncols;
    int32_t join_col;   /* the claim id column */
    int32_t list_field; /* the claim field this file fills (-1: claims.csv) */
    IgnCol *ign;        /* columns read as no field, except the join column */
    size_t nign;
    Row *rows;
    size_t nrows, caprows;
} CsvFile;

typedef struct Orphan {
    const char *file;
    uint64_t line;
    char message[160];
} Orphan;

struct CsvClaims {
    Alloc alloc;
    int enc; /* TC_UTF8, TC_GB18030 */
    const RecordType *claim;
    CsvFile files[9]; /* [0] claims.csv, then one per list field */
    size_t nfiles;
    char **errs;    /* per claim: why it is rejected before parsing, or NULL */
    int32_t *heads; /* per claim and child file: first child row */
    Orphan *orphans;
    size_t norphans, caporphans;
    size_t max_field; /* bytes of one cell at most (0: CSVC_MAX_FIELD) */
    Arena ar;
};

/* Adds an undecodable byte at off of the text (file_off in the file), on
 * the file's line `line`, column col; -1 when out of memory. */
static int add_spot(CsvClaims *c, CsvFile *cf, size_t off, uint64_t file_off, uint64_t line,
                    size_t col) {
    if (mem_grow(c->alloc, (void **)&cf->spots, sizeof(Spot), &cf->capspots, cf->nspots + 1))
        return -1;
    cf->spots[cf->nspots++] = (Spot){off, file_off, line, col};
    return 0;
}

/* Makes a file's text UTF-8 (validated, or converted from c->enc), keeping
 * the first undecodable byte of each line. */
static int decode(CsvClaims *c, CsvFile *cf, char *errbuf, size_t errcap) {
    TcText bad;
    tc_text_init(&bad, c->alloc);
    int rc = tc_decode_whole(c->enc, &cf->text, &cf->len, c->alloc, &bad);
    if (rc == -1)
        snprintf(errbuf, errcap, _("cannot convert %s from %s: %s"), cf->path,
                 tc_encoding_name(c->enc), strerror(errno));
    for (size_t i = 0; i < bad.nbad && !rc; i++) {
        const TcBad *b = &bad.bad[i];
        if (cf->nspots && cf->spots[cf->nspots - 1].line == b->line) continue;
        rc = add_spot(c, cf, b->out_off, b->in_off, b->line, b->col);
    }
    tc_text_free(&bad);
    return rc ? -1 : 0;
}

/* A copy of mem[0..n) with a NUL after it, as read_file reads. */
static int copy_text(Alloc a, const CsvcText *mem, char **text, size_t *len) {
    *text = mem_alloc(a, mem->len + 1);
    if (!*text) return errno = ENOMEM, -1;
    if (mem->len) memcpy(*text, mem->text, mem->len);
    (*text)[mem->len] = 0;
    *len = mem->len;
    return 0;
}

/* Reads a file (or takes its text from mem) and its header, and splits it
 * into rows. */
static int load(CsvClaims *c, CsvFile *cf, const char *path, const CsvcText *mem,
                const RecordType *rt, int32_t list_field, char *errbuf, size_t errcap) {
    size_t pl = strlen(path);
    cf->path = mem_alloc(c->alloc, pl + 1);
    if (!cf->path) return -1;
    memcpy(cf->path, path, pl + 1);
    cf->rt = rt;
    cf->list_field = list_field;
    if (mem ? copy_text(c->alloc, mem, &cf->text, &cf->len)
            : mem_read_file(c->alloc, path, &cf->text, &cf->len)) {
        snprintf(errbuf, errcap, _("cannot read %s: %s"), path, strerror(errno));
        return -1;
    }
    cf->bytes = cf->len;
    if (decode(c, cf, errbuf, errcap)) {
        if (!*errbuf) snprintf(errbuf, errcap, _("out of memory reading %s"), path);
        return -1;
    }
    CsvReader r;
    csv_init(&r, cf->text, cf->len, c->alloc);
    uint64_t line;
    const char *e;
    int rc = csv_next(&r, &line, &e);
    if (rc <= 0) {
        snprintf(errbuf, errcap, "%s: %s", path,
                 rc == 0 ? _("empty file (a header row is needed)") : e);
        csv_free(&r);
        return -1;
    }
    cf->ncols = r.nfields;
    cf->col_field = mem_alloc(c->alloc, (r.nfields + 1) * sizeof(int32_t));
    if (!cf->col_field) return csv_free(&r), -1;
    const Field *key = &c->claim->fields[c->claim->key_field];
    cf->join_col = -1;
    cf->ign = mem_alloc(c->alloc, (r.nfields + 1) * sizeof(IgnCol));
    if (!cf->ign) return csv_free(&r), -1;
    for (size_t k = 0; k < r.nfields; k++) {
        int f = record_field_index(rt, r.fields[k].ptr, r.fields[k].len);
        int derived = f >= 0 && rt->fields[f].derived >= 0;
        if (f >= 0 && (derived || rt->fields[f].type.kind == TY_LIST)) f = -1;
        cf->col_field[k] = f;
        int join = r.fields[k].len == key->name_len &&
                   memcmp(r.fields[k].ptr, key->name, key->name_len) == 0;
        if (join) cf->join_col = (int32_t)k;
        if (f >= 0 || (join && list_field >= 0)) continue;
        /* read as nothing: named like the JSON keys, lines.csv's as lines[].x */
        char name[160];
        const char *list = list_field >= 0 ? c->claim->fields[list_field].name : NULL;
        size_t n =
            notes_path(name, sizeof name, &list, list ? 1 : 0, r.fields[k].ptr, r.fields[k].len);
        IgnCol *ic = &cf->ign[cf->nign++];
        ic->col = (uint32_t)k;
        ic->name = arena_strndup(&c->ar, name, n);
        int df = derived ? record_field_index(rt, r.fields[k].ptr, r.fields[k].len) : -1;
        ic->derived = df >= 0 ? &rt->fields[df] : NULL;
        if (!ic->name) return csv_free(&r), -1;
    }
    if (cf->join_col < 0) {
        snprintf(errbuf, errcap, _("%s: the header has no '%s' column"), path, key->name);
        csv_free(&r);
        return -1;
    }
    if (cf->nspots && cf->spots[0].off < (size_t)(r.pos - cf->text)) {
        const Spot *sp = &cf->spots[0];
        snprintf(errbuf, errcap, _("%s:%llu:%zu: invalid %s at byte %llu in the header"), path,
                 (unsigned long long)sp->line, sp->col, tc_encoding_name(c->enc),
                 (unsigned long long)sp->file_off);
        csv_free(&r);
        return -1;
    }
    size_t spot = 0;
    for (;;) {
        const char *start = r.pos;
        rc = csv_next(&r, &line, &e);
        if (rc == 0) break;
        /* skip the blank lines csv_next passed over */
        while (start < r.end && (*start == '\n' || *start == '\r')) start++;
        if (mem_grow(c->alloc, (void **)&cf->rows, sizeof(Row), &cf->caprows, cf->nrows + 1))
            return csv_free(&r), -1;
        Row *row = &cf->rows[cf->nrows++];
        row->start = (uint32_t)(start - cf->text);
        row->end = (uint32_t)(r.pos - cf->text);
        row->line = line;
        row->next = -1;
        row->bad = -1;
        while (spot < cf->nspots && cf->spots[spot].off < row->start) spot++;
        if (spot < cf->nspots && cf->spots[spot].off < row->end) row->bad = (int32_t)spot;
    }
    csv_free(&r);
    return 0;
}

static void add_orphan(CsvClaims *c, const char *file, uint64_t line, const char *fmt,
                       const char *arg) {
    if (mem_grow(c->alloc, (void **)&c->orphans, sizeof(Orphan), &c->caporphans, c->norphans + 1))
        return;
    Orphan *o = &c->orphans[c->norphans++];
    o->file = file;
    o->line = line;
    snprintf(o->message, sizeof o->message, _(fmt), arg);
}

/* Why a row with an undecodable byte is rejected: where the byte is (its
 * line too when the row spans lines and it is not on the first). */
static void spot_message(const CsvClaims *c, const CsvFile *cf, const Row *row, char *buf,
                         size_t cap) {
    const Spot *sp = &cf->spots[row->bad];
    int n = sp->line == row->line ? snprintf(buf, cap, _("column %zu: "), sp->col)
                                  : snprintf(buf, cap, _("line %llu, column %zu: "),
                                             (unsigned long long)sp->line, sp->col);
    if (n >= 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, _("invalid %s at byte %llu"), tc_encoding_name(c->enc),
                 (unsigned long long)sp->file_off);
}

/* Tokenizes one row (thread-safe: a reader of its own). */
static int row_fields(const CsvFile *cf, const Row *row, CsvReader *r, const char **err) {
    uint64_t line;
    csv_reset(r, cf->text + row->start, row->end - row->start);
    *err = "an empty row"; /* csv_next sets it only for a malformed one */
    int rc = csv_next(r, &line, err);
    return rc == 1 ? 0 : -1;
}

/* The claim_id of a child row that does not parse (an unterminated quote
 * later in it): the text of its join column when every cell up to and
 * including it is plain (no quote, no line break); 0, or -1 when not so. */
static int plain_id(const CsvFile *cf, const Row *row, const char **id, size_t *n) {
    const char *p = cf->text + row->start, *end = cf->text + row->end;
    for (int32_t col = 0; col < cf->join_col; col++) {
        while (p < end && *p != ',' && *p != '"' && *p != '\n' && *p != '\r') p++;
        if (p == end || *p != ',') return -1;
        p++;
    }
    const char *q = p;
    while (q < end && *q != ',' && *q != '"' && *q != '\n' && *q != '\r') q++;
    if ((q < end && *q == '"') || q == p) return -1;
    *id = p;
    *n = (size_t)(q - p);
    return 0;
}

/* csvc_open, csvc_open_ex (mem NULL) and csvc_open_mem (mem[0] claims.csv's
 * text, then nmem - 1 child files' texts), in encoding enc. */
static int open_claims(CsvClaims **out, const RecordType *claim_type, const char *claims_path,
                       const CsvcText *mem, size_t nmem, int enc, Alloc a, char *errbuf,
                       size_t errcap) {
    *out = NULL;
    if (errcap) *errbuf = 0;
    if (claim_type->key_field < 0) {
        snprintf(errbuf, errcap, _("the claim schema has no key field to join CSV files on"));
        return -1;
    }
    CsvClaims *c = mem_calloc(a, sizeof *c);
    if (!c) return snprintf(errbuf, errcap, _("out of memory")), -1;
    c->alloc = a;
    c->enc = enc;
    c->claim = claim_type;
    arena_init(&c->ar, a, 1 << 16);
    if (load(c, &c->files[0], claims_path, mem, claim_type, -1, errbuf, errcap)) {
        csvc_free(c);
        return -1;
    }
    c->nfiles = 1;
    /* child files beside claims.csv */
    const char *slash = strrchr(claims_path, '/');
    int dirlen = slash ? (int)(slash - claims_path) : 1;
    const char *dir = slash ? claims_path : ".";
    for (uint32_t f = 0; f < claim_type->nfields && c->nfiles < 9; f++) {
        const Field *fd = &claim_type->fields[f];
        if (fd->type.kind != TY_LIST) continue;
        char path[4096];
        snprintf(path, sizeof path, "%.*s/%s.csv", dirlen, dir, fd->name);
        const CsvcText *child = NULL;
        for (size_t k = 1; k < nmem && !child; k++)
            if (mem[k].name && strcmp(mem[k].name, fd->name) == 0) child = &mem[k];
        if (mem && !child) continue;
        FILE *probe = mem ? NULL : fopen(path, "rb");
        if (!mem && !probe) continue;
        if (probe) fclose(probe);
        if (load(c, &c->files[c->nfiles], path, child, fd->type.rec, (int32_t)f, errbuf, errcap)) {
            csvc_free(c);
            return -1;
        }
        c->nfiles++;
    }
    /* index claims by id; then attach child rows */
    size_t n = c->files[0].nrows;
    c->errs = mem_calloc(a, (n + 1) * sizeof(char *));
    c->heads = mem_alloc(a, (n + 1) * c->nfiles * sizeof(int32_t));
    StrMap ids;
    strmap_init(&ids, a);
    int oom = !c->errs || !c->heads;
    for (size_t i = 0; i < n * c->nfiles && !oom; i++) c->heads[i] = -1;
    CsvReader r;
    csv_init(&r, "", 0, a);
    const CsvFile *cf0 = &c->files[0];
    for (size_t i = 0; i < n && !oom; i++) {
        const char *e;
        if (row_fields(cf0, &cf0->rows[i], &r, &e)) {
            c->errs[i] = arena_strndup(&c->ar, e, strlen(e));
            continue;
        }
        if ((size_t)cf0->join_col >= r.nfields || r.fields[cf0->join_col].len == 0) continue;
        const char *id =
            arena_strndup(&c->ar, r.fields[cf0->join_col].ptr, r.fields[cf0->join_col].len);
        if (!id) {
            oom = 1;
            break;
        }
        void *prev = strmap_put(&ids, id, strlen(id), (void *)(uintptr_t)(i + 1), &oom);
        if (prev) {
            char m[160];
            snprintf(m, sizeof m, _("claim_id '%.60s' appears again (first on line %llu)"), id,
                     (unsigned long long)cf0->rows[(uintptr_t)prev - 1].line);
            c->errs[i] = arena_strndup(&c->ar, m, strlen(m));
        }
    }
    for (size_t fi = 1; fi < c->nfiles && !oom; fi++) {
        CsvFile *cf = &c->files[fi];
        int32_t *tail = mem_alloc(a, (n + 1) * sizeof(int32_t));
        if (!tail) {
            oom = 1;
            break;
        }
        for (size_t k = 0; k < cf->nrows; k++) {
            const char *e;
            Row *row = &cf->rows[k];
            if (row_fields(cf, row, &r, &e)) {
                /* a claim whose row is malformed is rejected whole, never
                 * audited on the rows that remain */
                const char *idp;
                size_t idn;
                uintptr_t owner =
                    plain_id(cf, row, &idp, &idn) ? 0 : (uintptr_t)strmap_get(&ids, idp, idn);
                if (owner) {
                    if (!c->errs[owner - 1]) {
                        const char *base = strrchr(cf->path, '/');
                        char m[400];
                        snprintf(m, sizeof m, _("its row on line %llu of %s is malformed: %s"),
                                 (unsigned long long)row->line, base ? base + 1 : cf->path, e);
                        c->errs[owner - 1] = arena_strndup(&c->ar, m, strlen(m));
                        if (!c->errs[owner - 1]) oom = 1;
                    }
                    continue;
                }
                add_orphan(c, cf->path, row->line, "malformed row: %s", e);
                continue;
            }
            if ((size_t)cf->join_col >= r.nfields) {
                add_orphan(c, cf->path, row->line, "%s", "the row has no claim_id cell");
                continue;
            }
            CsvField idf = r.fields[cf->join_col];
            uintptr_t ci = (uintptr_t)strmap_get(&ids, idf.ptr, idf.len);
            if (!ci && row->bad >= 0) { /* its claim id may be what is undecodable */
                char m[160];
                spot_message(c, cf, row, m, sizeof m);
                add_orphan(c, cf->path, row->line, "%s", m);
                continue;
            }
            if (!ci) {
                char id[64];
                snprintf(id, sizeof id, "%.*s", (int)(idf.len > 60 ? 60 : idf.len), idf.ptr);
                add_orphan(c, cf->path, row->line, "no claim with claim_id '%s' in claims.csv", id);
                continue;
            }
            size_t claim = ci - 1;
            int32_t *head = &c->heads[claim * c->nfiles + fi];
            if (*head < 0)
                *head = (int32_t)k;
            else
                cf->rows[tail[claim]].next = (int32_t)k;
            tail[claim] = (int32_t)k;
        }
        mem_free(a, tail, (n + 1) * sizeof(int32_t));
    }
    csv_free(&r);
    strmap_free(&ids);
    if (oom) {
        snprintf(errbuf, errcap, _("out of memory reading %s"), claims_path);
        csvc_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

int csvc_open(CsvClaims **out, const RecordType *claim_type, const char *claims_path, Alloc a,
              char *errbuf, size_t errcap) {
    return open_claims(out, claim_type, claims_path, NULL, 0, TC_UTF8, a, errbuf, errcap);
}

int csvc_open_ex(CsvClaims **out, const RecordType *claim_type, const char *claims_path, int enc,
                 Alloc a, char *errbuf, size_t errcap) {
    return open_claims(out, claim_type, claims_path, NULL, 0, enc, a, errbuf, errcap);
}

int csvc_open_mem(CsvClaims **out, const RecordType *claim_type, const CsvcText *claims,
                  const CsvcText *children, size_t nchildren, Alloc a, char *errbuf,
                  size_t errcap) {
    CsvcText mem[9];
    if (nchildren > 8) nchildren = 8;
    mem[0] = *claims;
    for (size_t k = 0; k < nchildren; k++) mem[k + 1] = children[k];
    return open_claims(out, claim_type, claims->name ? claims->name : "claims.csv", mem,
                       nchildren + 1, TC_UTF8, a, errbuf, errcap);
}

void csvc_free(CsvClaims *c) {
    if (!c) return;
    Alloc a = c->alloc;
    size_t n = c->files[0].nrows;
    for (size_t i = 0; i < 9; i++) {
        CsvFile *cf = &c->files[i];
        if (cf->path) mem_free(a, cf->path, strlen(cf->path) + 1);
        if (cf->text) mem_free(a, cf->text, cf->len + 1);
        mem_free(a, cf->spots, cf->capspots * sizeof(Spot));
        mem_free(a, cf->col_field, (cf->ncols + 1) * sizeof(int32_t));
        mem_free(a, cf->ign, (cf->ncols + 1) * sizeof(IgnCol));
        mem_free(a, cf->rows, cf->caprows * sizeof(Row));
    }
    mem_free(a, c->errs, (n + 1) * sizeof(char *));
    mem_free(a, c->heads, (n + 1) * c->nfiles * sizeof(int32_t));
    mem_free(a, c->orphans, c->caporphans * sizeof(Orphan));
    arena_free(&c->ar);
    mem_free(a, c, sizeof *c);
}

uint64_t csvc_bytes(const CsvClaims *c) {
    uint64_t n = 0;
    for (size_t i = 0; i < c->nfiles; i++) n += c->files[i].bytes;
    return n;
}

size_t csvc_count(const CsvClaims *c) {
    return c->files[0].nrows;
}

void csvc_raw(const CsvClaims *c, size_t i, const char **p, size_t *n) {
    const Row *row = &c->files[0].rows[i];
    *p = c->files[0].text + row->start;
    *n = row->end - row->start;
    while (*n && ((*p)[*n - 1] == '\n' || (*p)[*n - 1] == '\r')) (*n)--;
}

void csvc_set_max_field(CsvClaims *c, size_t bytes) {
    c->max_field = bytes;
}

size_t csvc_orphan_count(const CsvClaims *c) {
    return c->norphans;
}

void csvc_orphan(const CsvClaims *c, size_t k, const char **file, uint64_t *line,
                 const char **message) {
    *file = c->orphans[k].file;
    *line = c->orphans[k].line;
    *message = c->orphans[k].message;
}

static void set_missing(const RecordType *rt, Value *rec) {
    for (uint32_t f = 0; f < rt->nfields; f++) {
        uint8_t k = rt->fields[f].type.kind;
        if (type_is_string(k) || k == TY_LIST)
            rec[f].s = NULL;
        else
            rec[f].i = ARB_NULL;
    }
}

/* The problems of one claim: its message, up to CSVC_MAX_ERRORS of them
 * ("; " between them, those of a row after the first bad one prefixed with
 * their file and line), and where the first is. */
typedef struct Errs {
    char *buf;
    size_t cap, len;
    int n;
    const char *prefix; /* for the row being filled: "" or "lines.csv:7: " */
} Errs;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
add_err(Errs *e, const char *fmt, ...) {
    if (++e->n > CSVC_MAX_ERRORS || !e->cap) return;
    size_t k = e->len;
    if (e->n > 1 && k < e->cap) k += (size_t)snprintf(e->buf + k, e->cap - k, "; ");
    if (k < e->cap) k += (size_t)snprintf(e->buf + k, e->cap - k, "%s", e->prefix);
    if (k < e->cap) {
        va_list ap;
        va_start(ap, fmt);
        k += (size_t)vsnprintf(e->buf + k, e->cap - k, _(fmt), ap);
        va_end(ap);
    }
    e->len = k < e->cap ? k : e->cap - 1;
}

/* How csvc_get_ex reads. */
typedef struct Reading {
    StrMap *strings;
    InputNotes *notes;
    int strict;
} Reading;

/* Fills a record from one row's cells (strings shared through `strings`
 * unless NULL); checks required fields.  Adds the row's problems to e;
 * -1 when it has some. */
static int fill(const CsvClaims *c, const CsvFile *cf, const Row *row, CsvReader *r, Arena *ar,
                const Reading *rd, Value *rec, Errs *e) {
    const char *err;
    int before = e->n;
    set_missing(cf->rt, rec);
    if (row->bad >= 0) { /* its cells are not read: they are not text */
        char m[160];
        spot_message(c, cf, row, m, sizeof m);
        return add_err(e, "%s", m), -1;
    }
    if (row_fields(cf, row, r, &err)) return add_err(e, "malformed row: %s", err), -1;
    StrMap *strings = rd->strings;
    uint64_t named = 0; /* fields (the first 64) whose cell was an error */
    for (size_t k = 0; k < r->nfields && k < cf->ncols; k++) {
        int32_t f = cf->col_field[k];
        if (f < 0) continue;
        const Field *fd = &cf->rt->fields[f];
        const char *cell = r->fields[k].ptr;
        size_t n = r->fields[k].len;
        const char *nul = memchr(cell, 0, n);
        if (nul) { /* a NUL would cut the value short wherever it is used as a C string */
            if (f < 64) named |= 1ull << f;
            add_err(e, "column %zu '%s': a NUL byte in the cell (its byte %zu)", k + 1, fd->name,
                    (size_t)(nul - cell) + 1);
            continue;
        }
        size_t cap = c->max_field ? c->max_field : CSVC_MAX_FIELD;
        if (n > cap) { /* a cell no claim has: refused, not held */
            if (f < 64) named |= 1ull << f;
            add_err(e,
                    "column %zu '%s': a value of %zu bytes, over the limit of %zu bytes a field "
                    "(--max-field-bytes)",
                    k + 1, fd->name, n, cap);
            continue;
        }
        int shared = strings && n && type_is_string(fd->type.kind);
        if (shared && (rec[f].s = strmap_get(strings, cell, n)) != NULL) continue;
        const char *why = scalar_parse(&fd->type, cell, n, ar, &rec[f]);
        if (!why && shared) {
            int oom = 0; /* out of memory: this one is not shared, which is still right */
            strmap_put(strings, rec[f].s->data, n, (void *)rec[f].s, &oom);
        }
        if (why && f < 64) named |= 1ull << f; /* not "missing" as well */
        if (why && fd->type.kind == TY_ENUM) {
            char spell[160];
            scalar_enum_spellings(fd->type.enm, spell, sizeof spell);
            add_err(e, "column '%s': '%.*s' is not one of %s", fd->name, (int)(n > 40 ? 40 : n),
                    cell, spell);
        } else if (why) {
            add_err(e, "column '%s': '%.*s' is %s", fd->name, (int)(n > 40 ? 40 : n), cell, why);
        }
    }
    for (size_t i = 0; i < cf->nign; i++) {
        const IgnCol *ic = &cf->ign[i];
        if (!rd->strict) { /* counted when the cell has a value */
            if (rd->notes && ic->col < r->nfields && r->fields[ic->col].len)
                notes_add(rd->notes, ic->name, strlen(ic->name), ic->derived);
        } else if (ic->derived) {
            add_err(e, "column %u '%s' is a derived field (= %s), not read from input", ic->col + 1,
                    ic->derived->name,
                    ic->derived->formula && *ic->derived->formula ? ic->derived->formula : "...");
        } else {
            add_err(e, "column %u '%s' is not a field of %s", ic->col + 1,
                    strrchr(ic->name, '.') ? strrchr(ic->name, '.') + 1 : ic->name, cf->rt->name);
        }
    }
    if (r->nfields != cf->ncols)
        add_err(e, "the row has %zu cells, the header %zu", r->nfields, cf->ncols);
    for (uint32_t f = 0; f < cf->rt->nfields; f++) {
        const Field *fd = &cf->rt->fields[f];
        if (!fd->required || fd->type.kind == TY_LIST || (f < 64 && (named >> f & 1))) continue;
        int missing = type_is_string(fd->type.kind) ? rec[f].s == NULL : rec[f].i == ARB_NULL;
        if (missing) add_err(e, "missing required field '%s'", fd->name);
    }
    return e->n > before ? -1 : 0;
}

int csvc_get(const CsvClaims *c, size_t i, Arena *ar, StrMap *strings, const Value **out,
             char *errbuf, size_t errcap, const char **err_file, uint64_t *err_line) {
    return csvc_get_ex(c, i, ar, strings, NULL, 0, out, errbuf, errcap, err_file, err_line);
}

int csvc_get_ex(const CsvClaims *c, size_t i, Arena *ar, StrMap *strings, InputNotes *notes,
                int strict, const Value **out, char *errbuf, size_t errcap, const char **err_file,
                uint64_t *err_line) {
    const CsvFile *cf0 = &c->files[0];
    *err_file = cf0->path;
    *err_line = cf0->rows[i].line;
    if (c->errs[i]) return snprintf(errbuf, errcap, "%s", c->errs[i]), -1;
    if (notes) notes_next_record(notes);
    Reading rd = {strings, notes, strict};
    Errs e = {errbuf, errcap, 0, 0, ""};
    if (errcap) errbuf[0] = 0;
    CsvReader r;
    csv_init(&r, "", 0, c->alloc);
    Value *claim = arena_alloc(ar, c->claim->nfields * sizeof(Value));
    int oom = !claim;
    if (claim) fill(c, cf0, &cf0->rows[i], &r, ar, &rd, claim, &e);
    for (size_t fi = 1; fi < c->nfiles && !oom; fi++) {
        const CsvFile *cf = &c->files[fi];
        uint32_t n = 0;
        for (int32_t k = c->heads[i * c->nfiles + fi]; k >= 0; k = cf->rows[k].next) n++;
        ArbList *l = arena_alloc(ar, sizeof(ArbList));
        Value *items = arena_alloc(ar, ((size_t)n + 1) * cf->rt->nfields * sizeof(Value));
        if (!l || !items) {
            oom = 1;
            break;
        }
        l->n = n;
        l->width = cf->rt->nfields;
        l->items = items;
        uint32_t j = 0;
        for (int32_t k = c->heads[i * c->nfiles + fi]; k >= 0 && e.n <= CSVC_MAX_ERRORS;
             k = cf->rows[k].next, j++) {
            /* a row after the first bad one says where it is */
            char where[160] = "";
            if (e.n) {
                const char *base = strrchr(cf->path, '/');
                snprintf(where, sizeof where, "%s:%llu: ", base ? base + 1 : cf->path,
                         (unsigned long long)cf->rows[k].line);
            }
            e.prefix = where;
            int first = !e.n;
            if (fill(c, cf, &cf->rows[k], &r, ar, &rd, items + (size_t)j * l->width, &e) && first) {
                *err_file = cf->path;
                *err_line = cf->rows[k].line;
            }
            e.prefix = "";
        }
        claim[cf->list_field].l = l;
    }
    csv_free(&r);
    if (oom) return snprintf(errbuf, errcap, _("out of memory")), -1;
    if (e.n > CSVC_MAX_ERRORS && e.len + 1 < e.cap)
        snprintf(errbuf + e.len, errcap - e.len, _("; and more"));
    if (e.n) return -1;
    *out = claim;
    return 0;
}
