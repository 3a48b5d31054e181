/* transcode.c — conversion to UTF-8 through iconv (see transcode.h). */
#include "transcode.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

int tc_encoding(const char *name) {
    static const struct {
        const char *name;
        int enc;
    } names[] = {{"utf-8", TC_UTF8},  {"utf8", TC_UTF8},      {"gb18030", TC_GB18030},
                 {"gbk", TC_GB18030}, {"gb2312", TC_GB18030}, {"cp936", TC_GB18030}};
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].name) == 0) return names[i].enc;
    return -1;
}

const char *tc_encoding_name(int enc) {
    return enc == TC_GB18030 ? "GB18030" : "UTF-8";
}

void tc_text_init(TcText *t, Alloc a) {
    memset(t, 0, sizeof *t);
    t->alloc = a;
}

void tc_text_clear(TcText *t) {
    t->len = t->nbad = 0;
    if (t->p) t->p[0] = 0;
}

void tc_text_free(TcText *t) {
    mem_free(t->alloc, t->p, t->cap);
    mem_free(t->alloc, t->bad, t->capbad * sizeof(TcBad));
    tc_text_init(t, t->alloc);
}

int tc_open(Transcoder *t, int enc) {
    t->enc = enc;
    t->cd = NULL;
    if (enc != TC_GB18030) {
        errno = EINVAL;
        return -1;
    }
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) return -1;
    t->cd = cd;
    return 0;
}

void tc_close(Transcoder *t) {
    if (t->cd) iconv_close((iconv_t)t->cd);
    t->cd = NULL;
}

/* Room for `more` bytes and the NUL after them. */
static int reserve(TcText *o, size_t more) {
    if (o->cap - o->len > more) return 0;
    size_t cap = o->cap ? o->cap : 4096;
    while (cap - o->len <= more) cap *= 2;
    char *p = mem_realloc(o->alloc, o->p, o->cap, cap);
    if (!p) return -1;
    o->p = p;
    o->cap = cap;
    return 0;
}

int tc_convert(Transcoder *t, const char *in, size_t n, size_t base, TcText *out) {
    iconv_t cd = (iconv_t)t->cd;
    char *ip = (char *)in;
    size_t il = n;
    /* for the line and column of an undecodable byte: lines counted so far */
    const char *counted = in, *line_start = in;
    uint64_t line = 1;
    iconv(cd, NULL, NULL, NULL, NULL); /* the initial state */
    if (reserve(out, n + n / 2 + 16)) return -1;
    for (;;) {
        char *op = out->p + out->len;
        size_t ol = out->cap - out->len - 1;
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        int err = r == (size_t)-1 ? errno : 0;
        out->len = (size_t)(op - out->p);
        out->p[out->len] = 0;
        if (!err) break;
        if (err == E2BIG) {
            if (reserve(out, il + il / 2 + 16)) return -1;
            continue;
        }
        /* EILSEQ, or EINVAL (a sequence cut by the end): one byte that
         * cannot be decoded; conversion goes on after it */
        if (il == 0) break;
        const char *nl;
        while ((nl = memchr(counted, '\n', (size_t)(ip - counted))) != NULL) {
            line++;
            counted = line_start = nl + 1;
        }
        counted = ip;
        if (mem_grow(out->alloc, (void **)&out->bad, sizeof(TcBad), &out->capbad, out->nbad + 1) ||
            reserve(out, il + il / 2 + 16))
            return -1;
        TcBad *b = &out->bad[out->nbad++];
        b->in_off = base + (size_t)(ip - in);
        b->out_off = out->len;
        b->line = line;
        b->col = (size_t)(ip - line_start) + 1;
        memcpy(out->p + out->len, "\xEF\xBF\xBD", 3);
        out->len += 3;
        out->p[out->len] = 0;
        ip++;
        il--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    return 0;
}

/* Adds an undecodable byte to t's list; -1 when out of memory. */
static int add_bad(TcText *t, size_t in_off, size_t out_off, uint64_t line, size_t col) {
    if (mem_grow(t->alloc, (void **)&t->bad, sizeof(TcBad), &t->capbad, t->nbad + 1)) return -1;
    t->bad[t->nbad++] = (TcBad){in_off, out_off, line, col};
    return 0;
}

int tc_decode_whole(int enc, char **text, size_t *len, Alloc a, TcText *bad) {
    if (enc == TC_UTF8) { /* the first invalid byte of each line */
        const char *t = *text, *counted = t, *line_start = t, *nl;
        uint64_t line = 1;
        size_t at = 0, k;
        while (at < *len && (k = utf8_check(t + at, *len - at)) != UTF8_VALID) {
            const char *b = t + at + k;
            while ((nl = memchr(counted, '\n', (size_t)(b - counted))) != NULL)
                line++, counted = line_start = nl + 1;
            counted = b;
            size_t off = (size_t)(b - t);
            if (add_bad(bad, off, off, line, (size_t)(b - line_start) + 1)) return -2;
            nl = memchr(b, '\n', *len - off);
            at = nl ? (size_t)(nl - t) : *len;
        }
        return 0;
    }
    Transcoder tc;
    if (tc_open(&tc, enc)) return -1;
    /* the UTF-8 is written into bad's text, then taken from it */
    tc_text_clear(bad);
    int rc = tc_convert(&tc, *text, *len, 0, bad);
    tc_close(&tc);
    char *u = rc ? NULL : mem_realloc(a, bad->p, bad->cap, bad->len + 1);
    if (!u) return -2;
    mem_free(a, *text, *len + 1);
    *text = u;
    *len = bad->len;
    bad->p = NULL;
    bad->len = bad->cap = 0;
    return 0;
}
