/* diag.c — diagnostic list and rendering with line:col and a caret. */
#include "diag.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "utf8.h"

void diag_init(DiagList *d, Alloc a) {
    memset(d, 0, sizeof *d);
    d->alloc = a;
}

void diag_free(DiagList *d) {
    for (size_t i = 0; i < d->n; i++)
        mem_free(d->alloc, d->items[i].msg, strlen(d->items[i].msg) + 1);
    mem_free(d->alloc, d->items, d->cap * sizeof(Diag));
    d->items = NULL;
    d->n = d->cap = d->errors = 0;
}

void diag_add(DiagList *d, int severity, int32_t file, uint32_t off, uint32_t len, const char *fmt,
              ...) {
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, _(fmt), ap); /* in the user's language (i18n.h) */
    va_end(ap);
    if (mem_grow(d->alloc, (void **)&d->items, sizeof(Diag), &d->cap, d->n + 1)) return;
    size_t n = strlen(tmp);
    char *msg = mem_alloc(d->alloc, n + 1);
    if (!msg) return;
    memcpy(msg, tmp, n + 1);
    Diag *g = &d->items[d->n++];
    g->severity = (uint8_t)severity;
    g->file = file;
    g->off = off;
    g->len = len;
    g->msg = msg;
    if (severity == DIAG_ERROR) d->errors++;
}

/* Length of the character at s[i] (in s[0..end)): a byte of invalid UTF-8
 * is one character of its own. */
static int char_len(const char *s, uint32_t i, uint32_t end) {
    const unsigned char *q = (const unsigned char *)s + i;
    if (*q < 0x80) return 1;
    int n = utf8_seq_len(q, (const unsigned char *)s + end);
    return n > 0 ? n : 1;
}

/* Decodes the code point at s (len bytes available). */
static uint32_t utf8_cp(const unsigned char *s, int len) {
    if (len == 1) return s[0];
    if (len == 2) return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
    if (len == 3)
        return ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
    return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
           ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

/* Terminal columns a code point takes: 2 for East Asian wide characters. */
static int cp_width(uint32_t cp) {
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                   (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                   (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                   (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd)
               ? 2
               : 1;
}

uint32_t diag_text_width(const char *s, size_t n) {
    uint32_t w = 0;
    for (uint32_t i = 0; i < n;) {
        int k = char_len(s, i, (uint32_t)n);
        w += (uint32_t)cp_width(utf8_cp((const unsigned char *)s + i, k));
        i += (uint32_t)k;
    }
    return w;
}

void diag_line_col(const Source *src, uint32_t off, uint32_t *line, uint32_t *col) {
    uint32_t ln = 1, c = 1;
    if (off > src->len) off = (uint32_t)src->len;
    for (uint32_t i = 0; i < off;) {
        unsigned char ch = (unsigned char)src->text[i];
        if (ch == '\n') {
            ln++;
            c = 1;
            i++;
        } else {
            i += (uint32_t)char_len(src->text, i, (uint32_t)src->len);
            c++;
        }
    }
    *line = ln;
    *col = c;
}

void diag_render(const Source *sources, size_t nsources, const Diag *d, StrBuf *out) {
    static const char *const sev[] = {N_("error"), N_("warning"), N_("note")};
    if (d->file < 0 || (size_t)d->file >= nsources) {
        sb_printf(out, "arbiter: %s: %s\n", _(sev[d->severity]), d->msg);
        return;
    }
    const Source *src = &sources[d->file];
    uint32_t line, col;
    diag_line_col(src, d->off, &line, &col);
    sb_printf(out, "%s:%u:%u: %s: %s\n", src->path, line, col, _(sev[d->severity]), d->msg);
    /* the source line */
    uint32_t off = d->off > src->len ? (uint32_t)src->len : d->off;
    uint32_t start = off, end = off;
    while (start > 0 && src->text[start - 1] != '\n') start--;
    while (end < src->len && src->text[end] != '\n') end++;
    if (end > start && src->text[end - 1] == '\r') end--;
    sb_puts(out, "  ");
    for (uint32_t i = start; i < end;) { /* a byte of invalid UTF-8 shown as U+FFFD */
        int n = char_len(src->text, i, end);
        if (n == 1 && (unsigned char)src->text[i] >= 0x80)
            sb_puts(out, "\xEF\xBF\xBD");
        else
            sb_putn(out, src->text + i, (size_t)n);
        i += (uint32_t)n;
    }
    sb_puts(out, "\n  ");
    /* the caret under the span, aligned by display width; tabs are kept */
    for (uint32_t i = start; i < off && i < end;) {
        unsigned char ch = (unsigned char)src->text[i];
        int n = char_len(src->text, i, end);
        if (ch == '\t')
            sb_putc(out, '\t');
        else
            for (int w = cp_width(utf8_cp((const unsigned char *)src->text + i, n)); w > 0; w--)
                sb_putc(out, ' ');
        i += (uint32_t)n;
    }
    sb_putc(out, '^');
    uint32_t span_end = off + d->len;
    if (span_end > end) span_end = end;
    for (uint32_t i = off; i < span_end;) {
        int n = char_len(src->text, i, end);
        int w = cp_width(utf8_cp((const unsigned char *)src->text + i, n));
        if (i > off || w > 1)
            for (int k = (i == off) ? 1 : 0; k < w; k++) sb_putc(out, '~');
        i += (uint32_t)n;
    }
    sb_putc(out, '\n');
}

/* Edit distance, for "did you mean" hints (small strings only). */
unsigned diag_edit_distance(const char *a, size_t na, const char *b, size_t nb) {
    if (na > 40 || nb > 40) return 99;
    unsigned d[41][41];
    for (size_t i = 0; i <= na; i++) d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= nb; j++) d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            unsigned c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[na][nb];
}
