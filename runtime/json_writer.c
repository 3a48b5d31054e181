/* json_writer.c — records and findings as JSON objects (see
 * json_writer.h). */
#include "json_writer.h"

#include <string.h>

#include "scalar.h"
#include "utf8.h"

static void record(const RecordType *rt, const Value *r, StrBuf *b, int depth) {
    sb_putc(b, '{');
    int first = 1;
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        uint8_t k = fd->type.kind;
        Value v = r[f];
        if (fd->derived >= 0) continue;
        if (k == TY_LIST) {
            if (!v.l || depth >= ARB_MAX_LIST_NESTING) continue;
        } else if (type_is_string(k)) {
            if (!v.s) continue;
        } else if (!type_is_int64(k) || v.i == ARB_NULL) {
            continue;
        }
        if (!first) sb_putc(b, ',');
        first = 0;
        sb_putc(b, '"');
        sb_putn(b, fd->name, fd->name_len);
        sb_puts(b, "\":");
        if (k == TY_LIST) {
            sb_putc(b, '[');
            for (uint32_t i = 0; i < v.l->n; i++) {
                if (i) sb_putc(b, ',');
                record(fd->type.rec, list_item(v.l, i), b, depth + 1);
            }
            sb_putc(b, ']');
            continue;
        }
        size_t need = scalar_format(&fd->type, v, 0, 1, NULL, 0);
        char *w = sb_reserve(b, need + 1);
        if (!w) return;
        scalar_format(&fd->type, v, 0, 1, w, need + 1);
        b->len += need;
    }
    sb_putc(b, '}');
}

void jsonw_record(const RecordType *rt, const Value *r, StrBuf *b) {
    record(rt, r, b, 0);
}

void jsonw_str(StrBuf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    char *w = sb_reserve(b, 6 * n + 2); /* at most \u00XX a byte */
    if (!w) return;
    char *o = w;
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    *o++ = '"';
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
        memcpy(o, run, (size_t)(p - run));
        o += p - run;
        if (p >= end) break;
        unsigned c = *p;
        if (c >= 0x80) {
            int len = utf8_seq_len(p, end);
            if (len <= 0) { /* a byte of ill-formed UTF-8 */
                memcpy(o, "\xEF\xBF\xBD", 3);
                o += 3;
                p++;
            } else {
                memcpy(o, p, (size_t)len);
                o += len;
                p += len;
            }
            continue;
        }
        *o++ = '\\';
        if (c == '"' || c == '\\') {
            *o++ = (char)c;
        } else if (c == '\n') {
            *o++ = 'n';
        } else if (c == '\t') {
            *o++ = 't';
        } else if (c == '\r') {
            *o++ = 'r';
        } else {
            memcpy(o, "u00", 3);
            o[3] = hex[c >> 4];
            o[4] = hex[c & 15];
            o += 5;
        }
        p++;
    }
    *o++ = '"';
    b->len += (size_t)(o - w);
    b->p[b->len] = 0;
}

/* The decimal digits of v at the end of buf[0..20): returns where they start. */
static char *digits(uint64_t v, char *end) {
    char *d = end;
    do *--d = (char)('0' + v % 10);
    while (v /= 10);
    return d;
}

void jsonw_int(StrBuf *b, int64_t v) {
    char buf[24], *end = buf + sizeof buf;
    char *d = digits(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, end);
    if (v < 0) *--d = '-';
    sb_putn(b, d, (size_t)(end - d));
}

void jsonw_money(StrBuf *b, int64_t cents) {
    char buf[32], *end = buf + sizeof buf;
    uint64_t a = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
    char *d = end;
    *--d = (char)('0' + a % 10);
    *--d = (char)('0' + a / 10 % 10);
    *--d = '.';
    d = digits(a / 100, d);
    if (cents < 0) *--d = '-';
    sb_putn(b, d, (size_t)(end - d));
}

#define PUTLIT(b, lit) sb_putn(b, lit, sizeof lit - 1)

static void str(StrBuf *b, const char *s) {
    jsonw_str(b, s, strlen(s));
}

void jsonw_finding(StrBuf *b, const arb_finding *f) {
    PUTLIT(b, "{\"claim_id\":");
    str(b, f->claim_id);
    PUTLIT(b, ",\"rule\":");
    str(b, f->rule_id);
    /* category, severity and nature are names from the rules, as they are */
    PUTLIT(b, ",\"category\":\"");
    sb_puts(b, f->category);
    PUTLIT(b, "\",\"category_code\":");
    str(b, f->category_code);
    PUTLIT(b, ",\"severity\":\"");
    sb_puts(b, f->severity);
    PUTLIT(b, "\",\"nature\":\"");
    sb_puts(b, f->nature);
    PUTLIT(b, "\",\"points\":");
    jsonw_int(b, f->points);
    PUTLIT(b, ",\"line_no\":");
    if (f->line_no >= 0)
        jsonw_int(b, f->line_no);
    else
        PUTLIT(b, "null");
    PUTLIT(b, ",\"amount\":\"");
    jsonw_money(b, f->amount_cents);
    PUTLIT(b, "\",\"message\":");
    str(b, f->message);
    /* the other matched rows' keys; none: no key */
    for (size_t i = 0; i < f->nalso_matched; i++) {
        if (i)
            sb_putc(b, ',');
        else
            PUTLIT(b, ",\"also_matched\":[");
        str(b, f->also_matched[i]);
        if (i + 1 == f->nalso_matched) sb_putc(b, ']');
    }
    /* the earlier claims that made it; none: no key, as before evidence */
    static const Type when = {TY_DATETIME, 0, NULL, NULL, NULL};
    for (size_t i = 0; i < f->nevidence; i++) {
        char t[40];
        if (i)
            PUTLIT(b, "},{\"claim_id\":");
        else
            PUTLIT(b, ",\"evidence\":[{\"claim_id\":");
        str(b, f->evidence[i].claim_id);
        Value v = {.i = f->evidence[i].settle_time};
        scalar_format(&when, v, 0, 1, t, sizeof t);
        PUTLIT(b, ",\"settle_time\":");
        sb_puts(b, t);
        if (i + 1 == f->nevidence) PUTLIT(b, "}]");
    }
    /* what reports group by (arb_finding) */
    PUTLIT(b, ",\"finding_id\":");
    str(b, f->finding_id);
    PUTLIT(b, ",\"category_title\":");
    str(b, f->category_title);
    PUTLIT(b, ",\"tier\":");
    str(b, f->tier);
    PUTLIT(b, ",\"person_id\":");
    str(b, f->person_id);
    PUTLIT(b, ",\"facility_id\":");
    str(b, f->facility_id);
    PUTLIT(b, ",\"dept\":");
    str(b, f->dept);
    PUTLIT(b, ",\"doctor\":");
    str(b, f->doctor);
    PUTLIT(b, ",\"settle_date\":");
    str(b, f->settle_date);
    PUTLIT(b, ",\"at_risk\":\"");
    jsonw_money(b, f->at_risk_cents);
    PUTLIT(b, "\"}\n");
}
