/* csv_claims.c — claims from claims.csv and its child files (see csv_claims.h). */
#include "csv_claims.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "csvstream.h"
#include "hset.h"
#include "i18n.h"
#include "scalar.h"
#include "strmap.h"
#include "transcode.h"
#include "utf8.h"

typedef struct Row {
    uint64_t start, end; /* byte range of the record in its text (64-bit: a file may pass 4 GiB) */
    uint64_t line;
    int32_t next; /* next child row of the same claim, -1 at the end */
    int32_t bad;  /* its first undecodable byte (index in CsvFile.cs.spots), or -1 */
} Row;

/* A header column read as no field: none has its name, or a derived one. */
typedef struct IgnCol {
    uint32_t col;
    const char *name;     /* its path: "admit_date", "lines[].date" */
    const Field *derived; /* NULL: no field has the name */
} IgnCol;

typedef struct CsvFile {
    char *path;
    /* the text, UTF-8 (converted when the file is not), its undecodable
     * bytes; streamed: the text from cs.tbase on, read but not yet passed */
    CStream cs;
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
    /* streamed (csvc_open_stream, the child files in step with claims.csv):
     * rows, errs and heads hold the window wfrom..wto only */
    int streamed;
    size_t count;       /* records in claims.csv */
    size_t wfrom, wto;  /* the window loaded */
    size_t capwin;      /* claims errs and heads have room for */
    Arena war;          /* the window's ids and messages */
    uint64_t text_base; /* offset of the text's first byte (csvc_open_stream_at) */
    const char **ids;   /* per claim of the window: its claim_id, or NULL */
    size_t *idlens;
};

/* Makes a file's text UTF-8 (validated, or converted from c->enc), keeping
 * the first undecodable byte of each line. */
static int decode(CsvClaims *c, CsvFile *cf, char *errbuf, size_t errcap) {
    int rc = cstream_decode_whole(&cf->cs);
    if (rc == -1)
        snprintf(errbuf, errcap, _("cannot convert %s from %s: %s"), cf->path,
                 tc_encoding_name(c->enc), strerror(errno));
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

/* Reads the header (r holds its fields; it ends at offset hend of the
 * text): the column of each field, the join column, the columns read as
 * nothing.  -1 with errbuf set (empty when out of memory). */
static int header(CsvClaims *c, CsvFile *cf, const CsvReader *r, uint64_t hend, char *errbuf,
                  size_t errcap) {
    const RecordType *rt = cf->rt;
    int32_t list_field = cf->list_field;
    const char *path = cf->path;
    cf->ncols = r->nfields;
    cf->col_field = mem_alloc(c->alloc, (r->nfields + 1) * sizeof(int32_t));
    if (!cf->col_field) return -1;
    const Field *key = &c->claim->fields[c->claim->key_field];
    cf->join_col = -1;
    cf->ign = mem_alloc(c->alloc, (r->nfields + 1) * sizeof(IgnCol));
    if (!cf->ign) return -1;
    for (size_t k = 0; k < r->nfields; k++) {
        int f = record_field_index(rt, r->fields[k].ptr, r->fields[k].len);
        int derived = f >= 0 && rt->fields[f].derived >= 0;
        if (f >= 0 && (derived || rt->fields[f].type.kind == TY_LIST)) f = -1;
        cf->col_field[k] = f;
        int join = r->fields[k].len == key->name_len &&
                   memcmp(r->fields[k].ptr, key->name, key->name_len) == 0;
        if (join) cf->join_col = (int32_t)k;
        if (f >= 0 || (join && list_field >= 0)) continue;
        /* read as nothing: named like the JSON keys, lines.csv's as lines[].x */
        char name[160];
        const char *list = list_field >= 0 ? c->claim->fields[list_field].name : NULL;
        size_t n =
            notes_path(name, sizeof name, &list, list ? 1 : 0, r->fields[k].ptr, r->fields[k].len);
        IgnCol *ic = &cf->ign[cf->nign++];
        ic->col = (uint32_t)k;
        ic->name = arena_strndup(&c->ar, name, n);
        int df = derived ? record_field_index(rt, r->fields[k].ptr, r->fields[k].len) : -1;
        ic->derived = df >= 0 ? &rt->fields[df] : NULL;
        if (!ic->name) return -1;
    }
    if (cf->join_col < 0) {
        snprintf(errbuf, errcap, _("%s: the header has no '%s' column"), path, key->name);
        return -1;
    }
    if (cf->cs.nspots && cf->cs.spots[0].off < hend) {
        const CsSpot *sp = &cf->cs.spots[0];
        snprintf(errbuf, errcap, _("%s:%llu:%zu: invalid %s at byte %llu in the header"), path,
                 (unsigned long long)sp->line, sp->col, tc_encoding_name(c->enc),
                 (unsigned long long)sp->file_off);
        return -1;
    }
    return 0;
}

/* Names the file: its path, what it fills. */
static int file_init(CsvClaims *c, CsvFile *cf, const char *path, const RecordType *rt,
                     int32_t list_field) {
    cstream_init(&cf->cs, c->alloc, c->enc);
    size_t pl = strlen(path);
    cf->path = mem_alloc(c->alloc, pl + 1);
    if (!cf->path) return -1;
    memcpy(cf->path, path, pl + 1);
    cf->rt = rt;
    cf->list_field = list_field;
    return 0;
}

/* Reads a file (or takes its text from mem) and its header, and splits it
 * into rows. */
static int load(CsvClaims *c, CsvFile *cf, const char *path, const CsvcText *mem,
                const RecordType *rt, int32_t list_field, char *errbuf, size_t errcap) {
    if (file_init(c, cf, path, rt, list_field)) return -1;
    if (mem ? copy_text(c->alloc, mem, &cf->cs.text, &cf->cs.len)
            : mem_read_file(c->alloc, path, &cf->cs.text, &cf->cs.len)) {
        snprintf(errbuf, errcap, _("cannot read %s: %s"), path, strerror(errno));
        return -1;
    }
    cf->cs.bytes = cf->cs.len;
    cf->cs.cap = cf->cs.len + 1;
    if (decode(c, cf, errbuf, errcap)) {
        if (!*errbuf) snprintf(errbuf, errcap, _("out of memory reading %s"), path);
        return -1;
    }
    CsvReader r;
    csv_init(&r, cf->cs.text, cf->cs.len, c->alloc);
    uint64_t line;
    const char *e;
    int rc = csv_next(&r, &line, &e);
    if (rc <= 0) {
        snprintf(errbuf, errcap, "%s: %s", path,
                 rc == 0 ? _("empty file (a header row is needed)") : e);
        csv_free(&r);
        return -1;
    }
    if (header(c, cf, &r, (uint64_t)(r.pos - cf->cs.text), errbuf, errcap)) return csv_free(&r), -1;
    size_t spot = 0;
    for (;;) {
        const char *start = r.pos;
        rc = csv_next(&r, &line, &e);
        if (rc == 0) break;
        /* skip the blank lines csv_next passed over */
        while (start < r.end && (*start == '\n' || *start == '\r')) start++;
        if (cf->nrows >= (size_t)INT32_MAX) { /* rows are linked by int32_t */
            snprintf(errbuf, errcap, _("%s: more than %d rows"), path, INT32_MAX);
            return csv_free(&r), -1;
        }
        if (mem_grow(c->alloc, (void **)&cf->rows, sizeof(Row), &cf->caprows, cf->nrows + 1))
            return csv_free(&r), -1;
        Row *row = &cf->rows[cf->nrows++];
        row->start = (uint64_t)(start - cf->cs.text);
        row->end = (uint64_t)(r.pos - cf->cs.text);
        row->line = line;
        row->next = -1;
        row->bad = -1;
        while (spot < cf->cs.nspots && cf->cs.spots[spot].off < row->start) spot++;
        if (spot < cf->cs.nspots && cf->cs.spots[spot].off < row->end) row->bad = (int32_t)spot;
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
    const CsSpot *sp = &cf->cs.spots[row->bad];
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
    csv_reset(r, cf->cs.text + (row->start - cf->cs.tbase), (size_t)(row->end - row->start));
    *err = "an empty row"; /* csv_next sets it only for a malformed one */
    int rc = csv_next(r, &line, err);
    return rc == 1 ? 0 : -1;
}

/* The claim_id of a child row that does not parse (an unterminated quote
 * later in it): the text of its join column when every cell up to and
 * including it is plain (no quote, no line break); 0, or -1 when not so. */
static int plain_id(const CsvFile *cf, const Row *row, const char **id, size_t *n) {
    const char *p = cf->cs.text + (row->start - cf->cs.tbase),
               *end = cf->cs.text + (row->end - cf->cs.tbase);
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

/* A new CsvClaims of claim_type in encoding enc, its arenas' first blocks
 * ar_block and war_block bytes; NULL with the message in errbuf. */
static CsvClaims *new_claims(CsvClaims **out, const RecordType *claim_type, int enc,
                             size_t ar_block, size_t war_block, Alloc a, char *errbuf,
                             size_t errcap) {
    *out = NULL;
    if (errcap) *errbuf = 0;
    if (claim_type->key_field < 0) {
        snprintf(errbuf, errcap, _("the claim schema has no key field to join CSV files on"));
        return NULL;
    }
    CsvClaims *c = mem_calloc(a, sizeof *c);
    if (!c) return snprintf(errbuf, errcap, _("out of memory")), NULL;
    c->alloc = a;
    c->enc = enc;
    c->claim = claim_type;
    arena_init(&c->ar, a, ar_block);
    arena_init(&c->war, a, war_block);
    return c;
}

/* csvc_open, csvc_open_ex (mem NULL) and csvc_open_mem (mem[0] claims.csv's
 * text, then nmem - 1 child files' texts), in encoding enc. */
static int open_claims(CsvClaims **out, const RecordType *claim_type, const char *claims_path,
                       const CsvcText *mem, size_t nmem, int enc, Alloc a, char *errbuf,
                       size_t errcap) {
    CsvClaims *c = new_claims(out, claim_type, enc, 1 << 16, 1 << 12, a, errbuf, errcap);
    if (!c) return -1;
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
    c->wto = n;
    *out = c;
    return 0;
}

/* ------------------------------------------------------------ streamed */

/* Streamed, a file is read a piece at a time (base/csvstream.h): CsvFile.cs
 * keeps the text from the record being read on.  A record longer than
 * CSTREAM_MAX_RECORD (an unterminated quote swallowing the file) is not
 * streamed: the files are read whole, or refused when too big. */

/* The message of a stream's failure in errbuf (left empty when out of
 * memory). */
static void st_error(const CsvClaims *c, const CsvFile *cf, char *errbuf, size_t errcap) {
    if (cf->cs.error == CSTREAM_EREAD)
        snprintf(errbuf, errcap, _("cannot read %s: %s"), cf->path, strerror(cf->cs.errnum));
    else if (cf->cs.error == CSTREAM_ECONVERT)
        snprintf(errbuf, errcap, _("cannot convert %s from %s: %s"), cf->path,
                 tc_encoding_name(c->enc), strerror(cf->cs.errnum));
}

static int st_open(CsvClaims *c, CsvFile *cf, char *errbuf, size_t errcap) {
    if (cstream_open(&cf->cs, cf->path, c->text_base)) return st_error(c, cf, errbuf, errcap), -1;
    return 0;
}

/* Reads the record at the stream's position (csv_skim: the join column's
 * cell, rec->cell), reading on as needed: 1, 0 at the end, -1 on an error
 * (errbuf set; empty when out of memory), -2 when the record is longer
 * than CSTREAM_MAX_RECORD. */
static int st_read(CsvClaims *c, CsvFile *cf, CsRec *rec, char *errbuf, size_t errcap) {
    int rc = cstream_read(&cf->cs, (size_t)cf->join_col, rec);
    if (rc == -1) st_error(c, cf, errbuf, errcap);
    return rc;
}

/* Opens a file for streaming and reads its header. */
static int st_header(CsvClaims *c, CsvFile *cf, const char *path, const RecordType *rt,
                     int32_t list_field, char *errbuf, size_t errcap) {
    if (file_init(c, cf, path, rt, list_field) || st_open(c, cf, errbuf, errcap)) return -1;
    /* the header's end: a record with no join column yet (csv_skim of column 0) */
    CsRec h;
    cf->join_col = 0;
    int rc = st_read(c, cf, &h, errbuf, errcap);
    if (rc == -2) rc = 0, h.rc = -1, h.err = "unterminated quoted field";
    if (rc < 0) return -1;
    if (rc == 0 || h.rc < 0) {
        snprintf(errbuf, errcap, "%s: %s", path,
                 rc == 0 ? _("empty file (a header row is needed)") : h.err);
        return -1;
    }
    CsvReader r;
    csv_init(&r, cf->cs.text, (size_t)(h.end - cf->cs.tbase), c->alloc);
    uint64_t line;
    const char *e;
    rc = csv_next(&r, &line, &e);
    int bad = rc != 1 || header(c, cf, &r, h.end, errbuf, errcap);
    if (rc != 1) snprintf(errbuf, errcap, "%s: %s", path, rc == 0 ? "empty" : e);
    csv_free(&r);
    if (bad) return -1;
    cstream_take(&cf->cs, &h);
    return 0;
}

/* 64-bit FNV-1a of a claim id, never 0. */
static uint64_t id_hash(const char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
    return h ? h : 1;
}

/* Rewinds a streamed file to its first record (after the pre-pass). */
static int st_rewind(CsvClaims *c, CsvFile *cf, char *errbuf, size_t errcap) {
    char *path = cf->path;
    const RecordType *rt = cf->rt;
    int32_t lf = cf->list_field;
    cstream_free(&cf->cs);
    mem_free(c->alloc, cf->col_field, (cf->ncols + 1) * sizeof(int32_t));
    mem_free(c->alloc, cf->ign, (cf->ncols + 1) * sizeof(IgnCol));
    mem_free(c->alloc, cf->rows, cf->caprows * sizeof(Row));
    memset(cf, 0, sizeof *cf);
    int rc = st_header(c, cf, path, rt, lf, errbuf, errcap);
    mem_free(c->alloc, path, strlen(path) + 1);
    return rc;
}

/* The pre-pass: reads claims.csv and its child files once, in step, and
 * tells whether they can be streamed: claims.csv names no claim_id twice,
 * and each child row belongs to a claim at or after the previous row's
 * (rows grouped by claim, in claims.csv's order).  1 when so (c->count
 * set), 0 when not (why in `why`), -1 on an error (errbuf). */
static int prepass(CsvClaims *c, char *why, size_t whycap, char *errbuf, size_t errcap) {
    HSet set;
    hset_init(&set, c->alloc);
    CsRec pr, kr;
    int ok = 1, rc = 0;
    size_t n = 0;
    while (ok && (rc = st_read(c, &c->files[0], &pr, errbuf, errcap)) == 1) {
        cstream_take(&c->files[0].cs, &pr);
        n++;
        if (pr.rc != 1 || !pr.cell.len) continue; /* a claim no child row can join */
        int dup = hset_add(&set, id_hash(pr.cell.ptr, pr.cell.len));
        if (dup < 0) {
            rc = -1;
            break;
        }
        if (dup) {
            snprintf(why, whycap, _("%s:%llu: claim_id '%.*s' appears again"), c->files[0].path,
                     (unsigned long long)pr.line, (int)(pr.cell.len > 60 ? 60 : pr.cell.len),
                     pr.cell.ptr);
            ok = 0;
            break;
        }
        /* the child rows of this claim: those at each child file's position
         * (the parent's text does not move while the children are read) */
        const char *idp = pr.cell.ptr;
        size_t idn = pr.cell.len;
        for (size_t fi = 1; fi < c->nfiles && ok; fi++) {
            CsvFile *cf = &c->files[fi];
            int got;
            while ((got = st_read(c, cf, &kr, errbuf, errcap)) == 1 && kr.rc == 1 &&
                   kr.cell.len == idn && memcmp(kr.cell.ptr, idp, idn) == 0) {
                cstream_take(&cf->cs, &kr);
                if (cf->cs.pos - cf->cs.tbase > 8 * CSTREAM_PIECE) cstream_compact(&cf->cs);
            }
            if (got == -2) {
                snprintf(why, whycap, _("%s:%llu: a record over %zu MiB"), cf->path,
                         (unsigned long long)cf->cs.line, CSTREAM_MAX_RECORD >> 20);
                ok = 0;
            } else if (got < 0) {
                rc = -1;
                ok = 0;
            } else if (got == 1 && kr.rc != 1) {
                snprintf(why, whycap, _("%s:%llu: malformed row: %s"), cf->path,
                         (unsigned long long)kr.line, kr.err);
                ok = 0;
            }
        }
        if (c->files[0].cs.pos - c->files[0].cs.tbase > 8 * CSTREAM_PIECE)
            cstream_compact(&c->files[0].cs);
    }
    if (rc == -2) {
        snprintf(why, whycap, _("%s:%llu: a record over %zu MiB"), c->files[0].path,
                 (unsigned long long)c->files[0].cs.line, CSTREAM_MAX_RECORD >> 20);
        ok = 0, rc = 0;
    }
    hset_free(&set);
    if (rc < 0) return -1;
    for (size_t fi = 1; fi < c->nfiles && ok; fi++) {
        CsvFile *cf = &c->files[fi];
        int got = st_read(c, cf, &kr, errbuf, errcap);
        if (got < 0 && got != -2) return -1;
        if (got) {
            snprintf(why, whycap,
                     _("%s:%llu: the row's claim is not in claims.csv after the previous row's"),
                     cf->path, (unsigned long long)(got == 1 ? kr.line : cf->cs.line));
            ok = 0;
        }
    }
    c->count = n;
    return ok;
}

/* The window's room: rows, errs, heads and ids for n claims. */
static int window_room(CsvClaims *c, size_t n) {
    if (n <= c->capwin && c->errs) return 0;
    mem_free(c->alloc, c->errs, (c->capwin + 1) * sizeof(char *));
    mem_free(c->alloc, c->heads, (c->capwin + 1) * c->nfiles * sizeof(int32_t));
    mem_free(c->alloc, c->ids, (c->capwin + 1) * sizeof(char *));
    mem_free(c->alloc, c->idlens, (c->capwin + 1) * sizeof(size_t));
    c->idlens = mem_alloc(c->alloc, (n + 1) * sizeof(size_t));
    c->errs = mem_calloc(c->alloc, (n + 1) * sizeof(char *));
    c->heads = mem_alloc(c->alloc, (n + 1) * c->nfiles * sizeof(int32_t));
    c->ids = mem_alloc(c->alloc, (n + 1) * sizeof(char *));
    c->capwin = n;
    if (!c->errs || !c->heads || !c->ids || !c->idlens) {
        mem_free(c->alloc, c->idlens, (n + 1) * sizeof(size_t));
        c->idlens = NULL;
        mem_free(c->alloc, c->errs, (n + 1) * sizeof(char *));
        mem_free(c->alloc, c->heads, (n + 1) * c->nfiles * sizeof(int32_t));
        mem_free(c->alloc, c->ids, (n + 1) * sizeof(char *));
        c->errs = NULL;
        c->heads = NULL;
        c->ids = NULL;
        c->capwin = 0;
        return -1;
    }
    return 0;
}

static int add_row(CsvClaims *c, CsvFile *cf, const CsRec *rec) {
    if (cf->nrows >= (size_t)INT32_MAX ||
        mem_grow(c->alloc, (void **)&cf->rows, sizeof(Row), &cf->caprows, cf->nrows + 1))
        return -1;
    cf->rows[cf->nrows++] = (Row){rec->start, rec->end, rec->line, -1, rec->bad};
    return 0;
}

int csvc_load(CsvClaims *c, size_t from, size_t to, char *errbuf, size_t errcap) {
    if (errcap) *errbuf = 0;
    if (!c->streamed) return 0;
    if (from != c->wto || to < from || to > c->count) {
        snprintf(errbuf, errcap, _("%s: claims %zu to %zu asked, the next are from %zu"),
                 c->files[0].path, from + 1, to, c->wto + 1);
        return -1;
    }
    size_t n = to - from;
    c->wfrom = c->wto = from;
    arena_reset(&c->war);
    for (size_t fi = 0; fi < c->nfiles; fi++) {
        cstream_compact(&c->files[fi].cs);
        c->files[fi].nrows = 0;
    }
    if (window_room(c, n)) return snprintf(errbuf, errcap, _("out of memory")), -1;
    for (size_t k = 0; k < n * c->nfiles; k++) c->heads[k] = -1;
    CsvFile *cf0 = &c->files[0];
    CsvReader r;
    csv_init(&r, "", 0, c->alloc);
    CsRec rec;
    int rc = 0;
    for (size_t k = 0; k < n && !rc; k++) {
        int got = st_read(c, cf0, &rec, errbuf, errcap);
        if (got != 1 || add_row(c, cf0, &rec)) {
            rc = -1;
            if (got == 0 || got == -2)
                snprintf(errbuf, errcap, _("%s changed while it was read"), cf0->path);
            break;
        }
        cstream_take(&cf0->cs, &rec);
        c->errs[k] = NULL;
        c->ids[k] = NULL;
        const char *e;
        const Row *row = &cf0->rows[cf0->nrows - 1];
        if (row_fields(cf0, row, &r, &e)) {
            c->errs[k] = arena_strndup(&c->war, e, strlen(e));
            if (!c->errs[k]) rc = -1;
            continue;
        }
        if ((size_t)cf0->join_col >= r.nfields || r.fields[cf0->join_col].len == 0) continue;
        c->idlens[k] = r.fields[cf0->join_col].len;
        c->ids[k] = arena_strndup(&c->war, r.fields[cf0->join_col].ptr, c->idlens[k]);
        if (!c->ids[k]) rc = -1;
    }
    for (size_t fi = 1; fi < c->nfiles && !rc; fi++) {
        CsvFile *cf = &c->files[fi];
        size_t k = 0;
        int got;
        int32_t tail = -1;
        while ((got = st_read(c, cf, &rec, errbuf, errcap)) == 1) {
            if (rec.rc != 1) {
                got = -2;
                break;
            }
            size_t k0 = k;
            while (k < n && !(c->ids[k] && c->idlens[k] == rec.cell.len &&
                              memcmp(c->ids[k], rec.cell.ptr, rec.cell.len) == 0))
                k++;
            if (k == n) { /* a later window's */
                k = k0;
                break;
            }
            if (k != k0) tail = -1;
            if (add_row(c, cf, &rec)) {
                got = -1;
                break;
            }
            cstream_take(&cf->cs, &rec);
            int32_t at = (int32_t)cf->nrows - 1;
            if (tail < 0)
                c->heads[k * c->nfiles + fi] = at;
            else
                cf->rows[tail].next = at;
            tail = at;
        }
        if (got == -2) {
            snprintf(errbuf, errcap, _("%s changed while it was read"), cf->path);
            rc = -1;
        } else if (got < 0) {
            rc = -1;
        } else if (got == 1 && to == c->count) { /* rows left for no claim */
            snprintf(errbuf, errcap, _("%s changed while it was read"), cf->path);
            rc = -1;
        }
    }
    csv_free(&r);
    if (rc) {
        if (!*errbuf) snprintf(errbuf, errcap, _("out of memory"));
        c->wto = from;
        return -1;
    }
    c->wto = to;
    return 0;
}

int csvc_open_stream(CsvClaims **out, const RecordType *claim_type, const char *claims_path,
                     int enc, uint64_t whole_limit, Alloc a, char *errbuf, size_t errcap) {
    return csvc_open_stream_at(out, claim_type, claims_path, enc, whole_limit, 0, a, errbuf,
                               errcap);
}

int csvc_open_stream_at(CsvClaims **out, const RecordType *claim_type, const char *claims_path,
                        int enc, uint64_t whole_limit, uint64_t text_base, Alloc a, char *errbuf,
                        size_t errcap) {
    CsvClaims *c = new_claims(out, claim_type, enc, 1 << 12, 1 << 16, a, errbuf, errcap);
    if (!c) return -1;
    c->streamed = 1;
    c->text_base = text_base;
    int rc = st_header(c, &c->files[0], claims_path, claim_type, -1, errbuf, errcap);
    c->nfiles = 1;
    const char *slash = strrchr(claims_path, '/');
    int dirlen = slash ? (int)(slash - claims_path) : 1;
    const char *dir = slash ? claims_path : ".";
    for (uint32_t f = 0; !rc && f < claim_type->nfields && c->nfiles < 9; f++) {
        const Field *fd = &claim_type->fields[f];
        if (fd->type.kind != TY_LIST) continue;
        char path[4096];
        snprintf(path, sizeof path, "%.*s/%s.csv", dirlen, dir, fd->name);
        FILE *probe = fopen(path, "rb");
        if (!probe) continue;
        fclose(probe);
        rc = st_header(c, &c->files[c->nfiles], path, fd->type.rec, (int32_t)f, errbuf, errcap);
        c->nfiles++;
    }
    char why[512] = "";
    for (size_t fi = 0; fi < c->nfiles; fi++) c->files[fi].cs.prepass = 1;
    if (!rc) rc = prepass(c, why, sizeof why, errbuf, errcap) < 0 ? -1 : 0;
    for (size_t fi = 0; fi < c->nfiles; fi++) c->files[fi].cs.prepass = 0;
    int stream = !rc && !*why;
    for (size_t fi = 0; stream && fi < c->nfiles; fi++)
        if (st_rewind(c, &c->files[fi], errbuf, errcap)) rc = -1, stream = 0;
    if (rc) {
        if (!*errbuf) snprintf(errbuf, errcap, _("out of memory reading %s"), claims_path);
        csvc_free(c);
        return -1;
    }
    if (stream) {
        *out = c;
        return 0;
    }
    /* not in step: read whole, when not too big */
    uint64_t bytes = csvc_bytes(c);
    csvc_free(c);
    uint64_t limit = whole_limit ? whole_limit : CSVC_WHOLE_LIMIT;
    if (bytes > limit) {
        snprintf(errbuf, errcap,
                 _("%s: the CSV files (%llu MiB) are too big to be read whole (over %llu MiB), "
                   "and they cannot be read in step: %s. Sort each child file's rows by claim, "
                   "in the order of claims.csv, with every claim_id once in claims.csv"),
                 claims_path, (unsigned long long)(bytes >> 20), (unsigned long long)(limit >> 20),
                 why);
        return -1;
    }
    return open_claims(out, claim_type, claims_path, NULL, 0, enc, a, errbuf, errcap);
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
    size_t n = c->streamed ? c->capwin : c->files[0].nrows;
    for (size_t i = 0; i < 9; i++) {
        CsvFile *cf = &c->files[i];
        cstream_free(&cf->cs);
        if (cf->path) mem_free(a, cf->path, strlen(cf->path) + 1);
        mem_free(a, cf->col_field, (cf->ncols + 1) * sizeof(int32_t));
        mem_free(a, cf->ign, (cf->ncols + 1) * sizeof(IgnCol));
        mem_free(a, cf->rows, cf->caprows * sizeof(Row));
    }
    mem_free(a, c->errs, (n + 1) * sizeof(char *));
    mem_free(a, c->heads, (n + 1) * c->nfiles * sizeof(int32_t));
    mem_free(a, c->orphans, c->caporphans * sizeof(Orphan));
    mem_free(a, c->ids, (c->capwin + 1) * sizeof(char *));
    mem_free(a, c->idlens, (c->capwin + 1) * sizeof(size_t));
    arena_free(&c->war);
    arena_free(&c->ar);
    mem_free(a, c, sizeof *c);
}

uint64_t csvc_bytes(const CsvClaims *c) {
    uint64_t n = 0;
    for (size_t i = 0; i < c->nfiles; i++) n += c->files[i].cs.bytes;
    return n;
}

size_t csvc_count(const CsvClaims *c) {
    return c->streamed ? c->count : c->files[0].nrows;
}

void csvc_raw(const CsvClaims *c, size_t i, const char **p, size_t *n) {
    const Row *row = &c->files[0].rows[i - c->wfrom];
    *p = c->files[0].cs.text + (row->start - c->files[0].cs.tbase);
    *n = (size_t)(row->end - row->start);
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
    *err_line = 0;
    if (i < c->wfrom || i >= c->wto) /* streamed: a claim outside the window loaded */
        return snprintf(errbuf, errcap, _("claim %zu of %s is not loaded"), i + 1, cf0->path), -1;
    i -= c->wfrom;
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

int csvc_streamed(const CsvClaims *c) {
    return c->streamed;
}
