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

/* Whether none of the 8 bytes of x needs escaping: each is 0x20..0x7f and
 * neither '"' nor '\\' (bit tricks: a byte below 0x20, a byte with its high
 * bit, a byte equal to '"' or '\\' each sets a high bit of the mask). */
static inline int plain8(uint64_t x) {
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"'), s = x ^ (ones * '\\');
    uint64_t m = ((x - ones * 0x20) & ~x) | x | ((q - ones) & ~q) | ((s - ones) & ~s);
    return (m & high) == 0;
}

/* Writes p[0..end) escaped (jsonw_str, without the quotes) at o, which has
 * room for 6 bytes an input byte; returns the end.  Plain text goes 8 bytes
 * at a time, its last few bytes as the 8 that end it (bytes written twice,
 * the same), so that a short string costs one or two tests of a word. */
static char *escape(char *o, const unsigned char *p, const unsigned char *end) {
    static const char hex[] = "0123456789abcdef";
    if (end - p >= 4 && end - p < 8) { /* its first 4 bytes and its last 4, tested as one word */
        uint32_t a, z;
        memcpy(&a, p, 4);
        memcpy(&z, end - 4, 4);
        if (plain8(a | (uint64_t)z << 32)) {
            memcpy(o, &a, 4);
            memcpy(o + (end - p) - 4, &z, 4);
            return o + (end - p);
        }
    } else if (end - p >= 8) {
        uint64_t x;
        while (end - p >= 8 && (memcpy(&x, p, 8), plain8(x))) {
            memcpy(o, p, 8);
            p += 8, o += 8;
        }
        if (p == end) return o;
        size_t back = end - p < 8 ? 8 - (size_t)(end - p) : 0; /* 0: a word to escape */
        if (back && (memcpy(&x, end - 8, 8), plain8(x))) {
            memcpy(o - back, end - 8, 8);
            return o + (8 - back);
        }
    }
    while (p < end) {
        for (uint64_t x; end - p >= 8 && (memcpy(&x, p, 8), plain8(x)); p += 8, o += 8)
            memcpy(o, p, 8);
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') *o++ = (char)*p++;
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
    return o;
}

void jsonw_str(StrBuf *b, const char *s, size_t n) {
    char *w = sb_reserve(b, 6 * n + 2); /* at most \u00XX a byte */
    if (!w) return;
    char *o = w;
    *o++ = '"';
    o = escape(o, (const unsigned char *)s, (const unsigned char *)s + n);
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

/* The pieces of a finding written at o, in room reserved beforehand (the
 * bound below): no call and no check per piece. */
#define LIT(o, lit) (memcpy(o, lit, sizeof lit - 1), (o) += sizeof lit - 1)

static inline char *put_raw(char *o, const char *s, size_t n) {
    memcpy(o, s, n);
    return o + n;
}

/* s[0..n) as a JSON string at o: plain text of 4 to 16 bytes tested as
 * two words (overlapping) in line, anything else through escape. */
static inline char *put_str(char *o, const char *s, size_t n) {
    *o++ = '"';
    if (n >= 8 && n <= 16) {
        uint64_t a, z;
        memcpy(&a, s, 8);
        memcpy(&z, s + n - 8, 8);
        if (plain8(a) && plain8(z)) {
            memcpy(o, &a, 8);
            memcpy(o + n - 8, &z, 8);
            o += n;
            *o++ = '"';
            return o;
        }
    } else if (n >= 4 && n < 8) {
        uint32_t a, z;
        memcpy(&a, s, 4);
        memcpy(&z, s + n - 4, 4);
        if (plain8(a | (uint64_t)z << 32)) {
            memcpy(o, &a, 4);
            memcpy(o + n - 4, &z, 4);
            o += n;
            *o++ = '"';
            return o;
        }
    }
    if (n) o = escape(o, (const unsigned char *)s, (const unsigned char *)s + n);
    *o++ = '"';
    return o;
}

static inline char *put_int(char *o, int64_t v) {
    char buf[24], *end = buf + sizeof buf;
    char *d = digits(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, end);
    if (v < 0) *--d = '-';
    return put_raw(o, d, (size_t)(end - d));
}

static inline char *put_money(char *o, int64_t cents) {
    char buf[32], *end = buf + sizeof buf;
    uint64_t a = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
    char *d = end;
    *--d = (char)('0' + a % 10);
    *--d = (char)('0' + a / 10 % 10);
    *--d = '.';
    d = digits(a / 100, d);
    if (cents < 0) *--d = '-';
    return put_raw(o, d, (size_t)(end - d));
}

/* The room for at most 48 bytes of numbers and the literal text of a
 * finding (each part's under 160), and each string's 6 bytes a byte. */
#define FIXED_ROOM 512

void jsonw_claim_set(JsonwClaim *c, const char *claim_id, const char *person_id,
                     const char *facility_id, const char *dept, const char *doctor,
                     const char *settle_date, const char *id) {
    c->claim_id = claim_id;
    c->person_id = person_id;
    c->facility_id = facility_id;
    c->dept = dept;
    c->doctor = doctor;
    c->settle_date = settle_date;
    c->id = id;
    c->ready = 0;
}

/* Appends lit and s as a JSON string to buf[*n..cap); 0, or -1 (nothing
 * appended) when it might not fit. */
static int piece(char *buf, size_t cap, uint32_t *n, const char *lit, size_t nlit, const char *s) {
    size_t ns = strlen(s);
    if (ns > cap || *n + nlit + 6 * ns + 2 > cap) return -1;
    char *o = put_raw(buf + *n, lit, nlit);
    o = put_str(o, s, ns);
    *n = (uint32_t)(o - buf);
    return 0;
}

#define PIECE(c, buf, n, lit, s) piece((c)->buf, sizeof(c)->buf, &(c)->n, lit, sizeof lit - 1, s)

/* The pieces of JSON of c's texts (a piece that does not fit: 0). */
static void claim_pieces(JsonwClaim *c) {
    c->nhead = c->nwho = c->ndd = c->ndate = 0;
    if (PIECE(c, head, nhead, "{\"claim_id\":", c->claim_id)) c->nhead = 0;
    if (PIECE(c, who, nwho, ",\"person_id\":", c->person_id) ||
        PIECE(c, who, nwho, ",\"facility_id\":", c->facility_id))
        c->nwho = 0;
    if (PIECE(c, dd, ndd, ",\"dept\":", c->dept) || PIECE(c, dd, ndd, ",\"doctor\":", c->doctor))
        c->ndd = 0;
    if (PIECE(c, date, ndate, ",\"settle_date\":", c->settle_date)) c->ndate = 0;
    c->ready = 1;
}

void jsonw_finding(StrBuf *b, const arb_finding *f) {
    jsonw_finding_with(b, f, NULL);
}

void jsonw_finding_with(StrBuf *b, const arb_finding *f, JsonwClaim *c) {
    if (c && !c->ready) claim_pieces(c);
    /* the claim's pieces, where the finding's fields are their texts */
    int head = c && c->nhead && f->claim_id == c->claim_id;
    int who = c && c->nwho && f->person_id == c->person_id && f->facility_id == c->facility_id;
    int dd = c && c->ndd && f->dept == c->dept && f->doctor == c->doctor;
    int date = c && c->ndate && f->settle_date == c->settle_date;
    int hex = c && c->id && f->finding_id == c->id; /* 32 hex digits: nothing to escape */
    /* up to the message */
    size_t nclaim = head ? c->nhead : strlen(f->claim_id), nrule = strlen(f->rule_id),
           ncat = strlen(f->category), ncode = strlen(f->category_code), nsev = strlen(f->severity),
           nnat = strlen(f->nature), nmsg = strlen(f->message);
    char *w = sb_reserve(b, FIXED_ROOM + 6 * (nclaim + nrule + ncode + nmsg) + ncat + nsev + nnat);
    if (!w) return;
    char *o = w;
    if (head) {
        o = put_raw(o, c->head, c->nhead);
    } else {
        LIT(o, "{\"claim_id\":");
        o = put_str(o, f->claim_id, nclaim);
    }
    LIT(o, ",\"rule\":");
    o = put_str(o, f->rule_id, nrule);
    /* category, severity and nature are names from the rules, as they are */
    LIT(o, ",\"category\":\"");
    o = put_raw(o, f->category, ncat);
    LIT(o, "\",\"category_code\":");
    o = put_str(o, f->category_code, ncode);
    LIT(o, ",\"severity\":\"");
    o = put_raw(o, f->severity, nsev);
    LIT(o, "\",\"nature\":\"");
    o = put_raw(o, f->nature, nnat);
    LIT(o, "\",\"points\":");
    o = put_int(o, f->points);
    LIT(o, ",\"line_no\":");
    if (f->line_no >= 0)
        o = put_int(o, f->line_no);
    else
        LIT(o, "null");
    LIT(o, ",\"amount\":\"");
    o = put_money(o, f->amount_cents);
    LIT(o, "\",\"message\":");
    o = put_str(o, f->message, nmsg);
    b->len += (size_t)(o - w);
    b->p[b->len] = 0;
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
    size_t nid = hex ? 32 : strlen(f->finding_id), ntitle = strlen(f->category_title),
           ntier = strlen(f->tier), nperson = who ? c->nwho : strlen(f->person_id),
           nfac = who ? 0 : strlen(f->facility_id), ndept = dd ? c->ndd : strlen(f->dept),
           ndoc = dd ? 0 : strlen(f->doctor), ndate = date ? c->ndate : strlen(f->settle_date);
    w = sb_reserve(b,
                   FIXED_ROOM + 6 * (nid + ntitle + ntier + nperson + nfac + ndept + ndoc + ndate));
    if (!w) return;
    o = w;
    LIT(o, ",\"finding_id\":");
    if (hex) {
        *o++ = '"';
        o = put_raw(o, f->finding_id, 32);
        *o++ = '"';
    } else {
        o = put_str(o, f->finding_id, nid);
    }
    LIT(o, ",\"category_title\":");
    o = put_str(o, f->category_title, ntitle);
    LIT(o, ",\"tier\":");
    o = put_str(o, f->tier, ntier);
    if (who) {
        o = put_raw(o, c->who, c->nwho);
    } else {
        LIT(o, ",\"person_id\":");
        o = put_str(o, f->person_id, nperson);
        LIT(o, ",\"facility_id\":");
        o = put_str(o, f->facility_id, nfac);
    }
    if (dd) {
        o = put_raw(o, c->dd, c->ndd);
    } else {
        LIT(o, ",\"dept\":");
        o = put_str(o, f->dept, ndept);
        LIT(o, ",\"doctor\":");
        o = put_str(o, f->doctor, ndoc);
    }
    if (date) {
        o = put_raw(o, c->date, c->ndate);
    } else {
        LIT(o, ",\"settle_date\":");
        o = put_str(o, f->settle_date, ndate);
    }
    LIT(o, ",\"at_risk\":\"");
    o = put_money(o, f->at_risk_cents);
    LIT(o, "\"}\n");
    b->len += (size_t)(o - w);
    b->p[b->len] = 0;
}
