/* csvstream.c — a CSV file's text decoded, read whole or streamed a piece
 * at a time (see csvstream.h). */
#include "csvstream.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

void cstream_init(CStream *s, Alloc a, int enc) {
    memset(s, 0, sizeof *s);
    s->alloc = a;
    s->enc = enc;
    s->piece = CSTREAM_PIECE;
    s->max_record = CSTREAM_MAX_RECORD;
}

void cstream_close(CStream *s) {
    if (!s->open) return;
    if (s->f) fclose(s->f);
    if (s->tc_open) tc_close(&s->tc);
    tc_text_free(&s->tt);
    csv_free(&s->r);
    mem_free(s->alloc, s->raw, s->capraw);
    s->f = NULL;
    s->tc_open = 0;
    s->raw = NULL;
    s->nraw = s->capraw = 0;
    s->open = 0;
}

void cstream_free(CStream *s) {
    cstream_close(s);
    mem_free(s->alloc, s->text, s->cap);
    mem_free(s->alloc, s->spots, s->capspots * sizeof(CsSpot));
    s->text = NULL;
    s->spots = NULL;
    s->len = s->cap = s->nspots = s->capspots = 0;
}

int cstream_spot_add(CStream *s, uint64_t off, uint64_t file_off, uint64_t line, size_t col) {
    if (s->nspots && s->spots[s->nspots - 1].line == line) return 0; /* the first of a line */
    if (mem_grow(s->alloc, (void **)&s->spots, sizeof(CsSpot), &s->capspots, s->nspots + 1))
        return -1;
    s->spots[s->nspots++] = (CsSpot){off, file_off, line, col};
    return 0;
}

int cstream_decode_whole(CStream *s) {
    TcText bad;
    tc_text_init(&bad, s->alloc);
    int rc = tc_decode_whole(s->enc, &s->text, &s->len, s->alloc, &bad);
    int err = errno; /* iconv's reason, for the caller */
    s->cap = s->len + 1;
    for (size_t i = 0; i < bad.nbad && !rc; i++) {
        const TcBad *b = &bad.bad[i];
        if (cstream_spot_add(s, b->out_off, b->in_off, b->line, b->col)) rc = -2;
    }
    tc_text_free(&bad);
    errno = err;
    return rc;
}

/* -1 with the failure noted (errno's value kept). */
static int fail(CStream *s, int error) {
    s->error = error;
    s->errnum = error == CSTREAM_NOMEM ? ENOMEM : errno;
    return -1;
}

int cstream_open(CStream *s, const char *path, uint64_t base) {
    cstream_close(s);
    s->open = 1;
    tc_text_init(&s->tt, s->alloc);
    csv_init(&s->r, "", 0, s->alloc);
    s->eof = 0;
    s->line = 1;
    s->raw_off = s->pos = s->text_end = s->tbase = base;
    s->len = 0;
    s->nspots = 0;
    s->spot = 0;
    if (!s->text) {
        s->text = mem_alloc(s->alloc, s->piece);
        if (!s->text) return fail(s, CSTREAM_NOMEM);
        s->cap = s->piece;
    }
    s->text[0] = 0;
    s->f = fopen(path, "rb");
    struct stat sb;
    if (!s->f || fstat(fileno(s->f), &sb)) return fail(s, CSTREAM_EREAD);
    s->bytes = (uint64_t)sb.st_size;
    if (s->enc != TC_UTF8) {
        if (tc_open(&s->tc, s->enc)) return fail(s, CSTREAM_ECONVERT);
        s->tc_open = 1;
    }
    return 0;
}

void cstream_compact(CStream *s) {
    size_t drop = (size_t)(s->pos - s->tbase);
    if (drop) {
        memmove(s->text, s->text + drop, s->len - drop + 1); /* the NUL too */
        s->len -= drop;
        s->tbase = s->pos;
    }
    size_t k = 0;
    while (k < s->nspots && s->spots[k].off < s->pos) k++;
    if (k) {
        memmove(s->spots, s->spots + k, (s->nspots - k) * sizeof(CsSpot));
        s->nspots -= k;
    }
    s->spot = 0;
}

/* Appends n bytes of UTF-8 to the text. */
static int append(CStream *s, const char *p, size_t n) {
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : s->piece;
        while (cap < s->len + n + 1) cap *= 2;
        char *t = mem_realloc(s->alloc, s->text, s->cap, cap);
        if (!t) return -1;
        s->text = t;
        s->cap = cap;
    }
    memcpy(s->text + s->len, p, n);
    s->len += n;
    s->text[s->len] = 0;
    return 0;
}

int cstream_fill(CStream *s) {
    size_t cut;
    for (;;) {
        if (s->eof && !s->nraw) return 0;
        if (!s->eof) {
            if (mem_grow(s->alloc, (void **)&s->raw, 1, &s->capraw, s->nraw + s->piece))
                return fail(s, CSTREAM_NOMEM);
            size_t got = fread(s->raw + s->nraw, 1, s->piece, s->f);
            if (got < s->piece) {
                if (ferror(s->f)) return fail(s, CSTREAM_EREAD);
                s->eof = 1;
            }
            s->nraw += got;
        }
        cut = s->nraw;
        if (!s->eof) {
            while (cut && s->raw[cut - 1] != '\n') cut--;
            if (!cut) continue; /* no line end yet: read on */
        }
        break;
    }
    size_t at = s->len;
    TcText *tt = &s->tt;
    tc_text_clear(tt);
    if (s->enc == TC_UTF8) {
        if (append(s, s->raw, cut)) return fail(s, CSTREAM_NOMEM);
        char *t = s->text + at;
        size_t n = cut;
        /* the first pass needs no spots: UTF-8 is not changed by its check */
        if (!s->prepass && tc_decode_whole(TC_UTF8, &t, &n, s->alloc, tt))
            return fail(s, CSTREAM_NOMEM);
    } else if (tc_convert(&s->tc, s->raw, cut, 0, tt) || append(s, tt->p, tt->len)) {
        return fail(s, CSTREAM_NOMEM);
    }
    /* the piece's first line: the lines from the stream's position to it
     * counted only when it has an undecodable byte */
    uint64_t first = s->line;
    for (const char *p = s->text + (s->pos - s->tbase), *e = s->text + at;
         tt->nbad && (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        first++;
    for (size_t i = 0; i < tt->nbad; i++) {
        const TcBad *b = &tt->bad[i];
        if (cstream_spot_add(s, s->text_end + b->out_off, s->raw_off + b->in_off,
                             first + b->line - 1, b->col))
            return fail(s, CSTREAM_NOMEM);
    }
    s->text_end += s->len - at;
    memmove(s->raw, s->raw + cut, s->nraw - cut);
    s->nraw -= cut;
    s->raw_off += cut;
    return 1;
}

int cstream_read(CStream *s, size_t col, CsRec *rec) {
    for (;;) {
        size_t off = (size_t)(s->pos - s->tbase), avail = s->len - off;
        const char *base = s->text + off;
        csv_reset(&s->r, base, avail);
        uint64_t l = 1;
        const char *err = NULL;
        CsvField cell = {NULL, 0};
        size_t nf = 0;
        int rc = avail ? csv_skim(&s->r, col, &l, &err, &cell, &nf) : 0;
        size_t used = (size_t)(s->r.pos - base);
        if (!(s->eof && !s->nraw)) { /* not the whole file read: is the record whole? */
            int more = rc == 0 ||
                       (rc < 0 && err && strcmp(err, "unterminated quoted field") == 0) || !used ||
                       base[used - 1] != '\n';
            if (more) {
                if (avail > s->max_record) return -2;
                if (cstream_fill(s) < 0) return -1;
                continue; /* at the end of the file: whole now */
            }
        }
        if (rc == 0) return 0;
        /* the blank lines csv_skim passed over are not the record's */
        size_t start = 0;
        while (start < used && (base[start] == '\n' || base[start] == '\r')) start++;
        rec->rc = rc;
        rec->pos = s->pos;
        rec->start = s->pos + start;
        rec->end = s->pos + used;
        rec->line = s->line + l - 1;
        rec->next_line = s->line + s->r.line - 1;
        rec->err = err;
        rec->cell = rc == 1 ? cell : (CsvField){NULL, 0};
        rec->nfields = nf;
        rec->bad = -1;
        while (s->spot < s->nspots && s->spots[s->spot].off < rec->start) s->spot++;
        if (s->spot < s->nspots && s->spots[s->spot].off < rec->end) rec->bad = (int32_t)s->spot;
        return 1;
    }
}

void cstream_take(CStream *s, const CsRec *rec) {
    s->pos = rec->end;
    s->line = rec->next_line;
}
