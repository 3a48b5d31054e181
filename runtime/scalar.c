/* scalar.c — exact parsing/formatting of scalars (see scalar.h). */
#include "scalar.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "utf8.h"

/* Howard Hinnant's days-from-civil algorithm. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* Reads exactly `count` digits at s[*i]. */
static int read_digits(const char *s, size_t n, size_t *i, int count, int64_t *out) {
    int64_t v = 0;
    for (int k = 0; k < count; k++) {
        if (*i >= n || !is_digit(s[*i])) return -1;
        v = v * 10 + (s[(*i)++] - '0');
    }
    *out = v;
    return 0;
}

int scalar_parse_int(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i >= n) return -1;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (!is_digit(s[i])) return -1;
        if (v > (uint64_t)INT64_MAX / 10) return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > (uint64_t)INT64_MAX) return -1;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int scalar_parse_money(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i >= n || !is_digit(s[i])) return -1;
    uint64_t whole = 0;
    for (; i < n && is_digit(s[i]); i++) {
        if (whole > (uint64_t)(INT64_MAX / 100) / 10) return -1;
        whole = whole * 10 + (uint64_t)(s[i] - '0');
    }
    int64_t cents = 0;
    if (i < n && s[i] == '.') {
        i++;
        int digits = 0;
        if (i >= n || !is_digit(s[i])) return -1;
        for (; i < n && is_digit(s[i]); i++, digits++) {
            if (digits < 2)
                cents = cents * 10 + (s[i] - '0');
            else if (s[i] != '0')
                return -1; /* a fraction of a cent */
        }
        if (digits == 1) cents *= 10;
    }
    if (i != n) return -1;
    if (whole * 100 + (uint64_t)cents > (uint64_t)INT64_MAX) return -1;
    int64_t v = (int64_t)whole * 100 + cents;
    *out = neg ? -v : v;
    return 0;
}

static int valid_ymd(int64_t y, int64_t m, int64_t d) {
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1800 || y > 2999 || m < 1 || m > 12 || d < 1) return 0;
    unsigned lim = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) lim = 29;
    return d <= lim;
}

/* Parses YYYY-MM-DD at the start of s; *i is left after it. */
static int parse_ymd(const char *s, size_t n, size_t *i, int64_t *days) {
    int64_t y, m, d;
    if (read_digits(s, n, i, 4, &y) || *i >= n || s[(*i)++] != '-') return -1;
    if (read_digits(s, n, i, 2, &m) || *i >= n || s[(*i)++] != '-') return -1;
    if (read_digits(s, n, i, 2, &d)) return -1;
    if (!valid_ymd(y, m, d)) return -1;
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

int scalar_parse_date(const char *s, size_t n, int64_t *out_days) {
    size_t i = 0;
    if (parse_ymd(s, n, &i, out_days)) return -1;
    return i == n ? 0 : -1;
}

int scalar_parse_datetime(const char *s, size_t n, int64_t *out_secs) {
    size_t i = 0;
    int64_t days, hh = 0, mm = 0, ss = 0;
    if (parse_ymd(s, n, &i, &days)) return -1;
    if (i < n) {
        if (s[i] != 'T' && s[i] != ' ') return -1;
        i++;
        if (read_digits(s, n, &i, 2, &hh) || i >= n || s[i++] != ':') return -1;
        if (read_digits(s, n, &i, 2, &mm)) return -1;
        if (i < n && s[i] == ':') {
            i++;
            if (read_digits(s, n, &i, 2, &ss)) return -1;
        }
        if (i != n || hh > 23 || mm > 59 || ss > 59) return -1;
    }
    *out_secs = days * SECS_PER_DAY + hh * 3600 + mm * 60 + ss;
    return 0;
}

int scalar_parse_duration(const char *s, size_t n, int64_t *out_secs) {
    if (n < 2) return -1;
    int64_t v;
    if (scalar_parse_int(s, n - 1, &v) || v < 0 || v > 1000000) return -1;
    switch (s[n - 1]) {
    case 'd': *out_secs = v * SECS_PER_DAY; return 0;
    case 'w': *out_secs = v * 7 * SECS_PER_DAY; return 0;
    case 'h': *out_secs = v * 3600; return 0;
    default: return -1;
    }
}

int scalar_parse_bool(const char *s, size_t n, int64_t *out) {
    if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && s[0] == '1')) {
        *out = 1;
        return 0;
    }
    if ((n == 5 && memcmp(s, "false", 5) == 0) || (n == 1 && s[0] == '0')) {
        *out = 0;
        return 0;
    }
    return -1;
}

static int same(const char *a, const char *s, size_t n) {
    return a && strlen(a) == n && memcmp(a, s, n) == 0;
}

int scalar_enum_member(const EnumType *e, const char *s, size_t n) {
    for (uint32_t i = 0; i < e->n; i++)
        if (same(e->members[i], s, n)) return (int)i;
    return -1;
}

int scalar_enum_index(const EnumType *e, const char *s, size_t n) {
    int k = scalar_enum_member(e, s, n);
    if (k >= 0) return k;
    for (uint32_t i = 0; i < e->n; i++)
        if (e->labels && same(e->labels[i], s, n)) return (int)i;
    for (uint32_t i = 0; i < e->ncodes; i++)
        if (same(e->codes[i], s, n)) return (int)e->code_member[i];
    return -1;
}

size_t scalar_enum_spellings(const EnumType *e, char *buf, size_t cap) {
    size_t k = 0;
    if (!cap) return 0;
    buf[0] = 0;
    for (uint32_t i = 0; i < e->n; i++) {
        char one[256];
        size_t m = (size_t)snprintf(one, sizeof one, "%s%s", i ? ", " : "", e->members[i]);
        int extra = 0;
        if (e->labels && e->labels[i] && strcmp(e->labels[i], e->members[i]) != 0 && m < sizeof one)
            m += (size_t)snprintf(one + m, sizeof one - m, " (%s", e->labels[i]), extra = 1;
        for (uint32_t c = 0; c < e->ncodes && m < sizeof one; c++)
            if (e->code_member[c] == i)
                m += (size_t)snprintf(one + m, sizeof one - m, "%s\"%s\"", extra++ ? ", " : " (",
                                      e->codes[c]);
        if (extra && m < sizeof one) m += (size_t)snprintf(one + m, sizeof one - m, ")");
        if (m >= sizeof one || k + m + 6 > cap) { /* no room: ", ..." ends the list */
            if (k + 6 <= cap) k += (size_t)snprintf(buf + k, cap - k, "%s...", i ? ", " : "");
            break;
        }
        memcpy(buf + k, one, m + 1);
        k += m;
    }
    return k;
}

const char *scalar_parse(const Type *t, const char *s, size_t n, Arena *ar, Value *out) {
    if (n == 0) {
        if (type_is_string(t->kind))
            out->s = NULL;
        else
            out->i = ARB_NULL;
        return NULL;
    }
    switch (t->kind) {
    case TY_BOOL:
        return scalar_parse_bool(s, n, &out->i) ? _("not a valid bool (true/false)") : NULL;
    case TY_INT: return scalar_parse_int(s, n, &out->i) ? _("not a valid integer") : NULL;
    case TY_MONEY:
        return scalar_parse_money(s, n, &out->i)
                   ? _("not a valid money amount (at most 2 decimals)")
                   : NULL;
    case TY_DATE:
        return scalar_parse_date(s, n, &out->i) ? _("not a valid date (YYYY-MM-DD)") : NULL;
    case TY_DATETIME:
        return scalar_parse_datetime(s, n, &out->i)
                   ? _("not a valid datetime (YYYY-MM-DDTHH:MM:SS)")
                   : NULL;
    case TY_DURATION:
        return scalar_parse_duration(s, n, &out->i) ? _("not a valid duration (15d, 2w, 8h)")
                                                    : NULL;
    case TY_CODE:
    case TY_TEXT: out->s = str_new(ar, s, n); return out->s ? NULL : _("out of memory");
    case TY_ENUM: {
        int k = scalar_enum_index(t->enm, s, n);
        if (k < 0) return _("not a member of the enum");
        out->i = k;
        return NULL;
    }
    default: return _("values of this type cannot be read from text");
    }
}

size_t scalar_json_quote(const char *s, size_t n, char *buf, size_t cap) {
    size_t k = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (k + 1 < cap) buf[k] = (c);                                                             \
        k++;                                                                                       \
    } while (0)
    PUT('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT((char)c);
        } else if (c == '\n') {
            PUT('\\');
            PUT('n');
        } else if (c == '\t') {
            PUT('\\');
            PUT('t');
        } else if (c == '\r') {
            PUT('\\');
            PUT('r');
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            for (int j = 0; esc[j]; j++) PUT(esc[j]);
        } else if (c >= 0x80) { /* a character as it is; a byte of invalid UTF-8 as U+FFFD */
            int len = utf8_seq_len((const unsigned char *)s + i, (const unsigned char *)s + n);
            if (len <= 0) {
                PUT('\xEF');
                PUT('\xBF');
                PUT('\xBD');
                continue;
            }
            for (int j = 0; j < len; j++) PUT(s[i + j]);
            i += (size_t)len - 1;
        } else {
            PUT((char)c);
        }
    }
    PUT('"');
#undef PUT
    if (cap) buf[k < cap ? k : cap - 1] = 0;
    return k;
}

/* snprintf(buf, cap, "%s", s) without printf (messages and findings format
 * text this way for every finding). */
static size_t put_str(char *buf, size_t cap, const char *s) {
    size_t n = strlen(s);
    if (cap) {
        size_t k = n < cap - 1 ? n : cap - 1;
        memcpy(buf, s, k);
        buf[k] = 0;
    }
    return n;
}

/* snprintf(buf, cap, json ? "\"%s%lld.%02lld\"" : "%s%lld.%02lld", ...) of an
 * amount in cents, without printf. */
static size_t put_money(char *buf, size_t cap, int64_t c, int json) {
    char t[32], *e = t + sizeof t, *o = e;
    uint64_t a = c < 0 ? 0 - (uint64_t)c : (uint64_t)c;
    if (json) *--o = '"';
    *--o = (char)('0' + a % 10);
    *--o = (char)('0' + a / 10 % 10);
    *--o = '.';
    a /= 100;
    do *--o = (char)('0' + a % 10);
    while (a /= 10);
    if (c < 0) *--o = '-';
    if (json) *--o = '"';
    size_t n = (size_t)(e - o);
    if (cap) {
        size_t k = n < cap - 1 ? n : cap - 1;
        memcpy(buf, o, k);
        buf[k] = 0;
    }
    return n;
}

size_t scalar_format(const Type *t, Value v, int labels, int json, char *buf, size_t cap) {
    int isnull = type_is_string(t->kind) ? v.s == NULL : v.i == ARB_NULL;
    if (isnull) return (size_t)snprintf(buf, cap, "%s", json ? "null" : "");
    int64_t y;
    unsigned m, d;
    switch (t->kind) {
    case TY_BOOL: return (size_t)snprintf(buf, cap, "%s", v.i ? "true" : "false");
    case TY_INT: return (size_t)snprintf(buf, cap, "%lld", (long long)v.i);
    case TY_MONEY: return put_money(buf, cap, v.i, json);
    case TY_DATE:
        civil_from_days(v.i, &y, &m, &d);
        return (size_t)snprintf(buf, cap, json ? "\"%04lld-%02u-%02u\"" : "%04lld-%02u-%02u",
                                (long long)y, m, d);
    case TY_DATETIME: {
        int64_t days = v.i / SECS_PER_DAY, secs = v.i % SECS_PER_DAY;
        if (secs < 0) secs += SECS_PER_DAY, days--;
        civil_from_days(days, &y, &m, &d);
        return (size_t)snprintf(
            buf, cap,
            json ? "\"%04lld-%02u-%02uT%02d:%02d:%02d\"" : "%04lld-%02u-%02uT%02d:%02d:%02d",
            (long long)y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    }
    case TY_DURATION: {
        const char *q = json ? "\"" : "";
        if (v.i % SECS_PER_DAY == 0)
            return (size_t)snprintf(buf, cap, "%s%lldd%s", q, (long long)(v.i / SECS_PER_DAY), q);
        if (v.i % 3600 == 0)
            return (size_t)snprintf(buf, cap, "%s%lldh%s", q, (long long)(v.i / 3600), q);
        return (size_t)snprintf(buf, cap, "%s%llds%s", q, (long long)v.i, q);
    }
    case TY_CODE:
    case TY_TEXT:
        if (json) return scalar_json_quote(v.s->data, v.s->len, buf, cap);
        return put_str(buf, cap, v.s->data);
    case TY_ENUM: {
        const char *s = (v.i >= 0 && (uint64_t)v.i < t->enm->n)
                            ? (labels ? t->enm->labels[v.i] : t->enm->members[v.i])
                            : "?";
        if (json) return scalar_json_quote(s, strlen(s), buf, cap);
        return (size_t)snprintf(buf, cap, "%s", s);
    }
    default: return (size_t)snprintf(buf, cap, "%s", json ? "null" : "?");
    }
}
