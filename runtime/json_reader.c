/* json_reader.c — schema-directed JSON parsing of claims (see json_reader.h).
 *
 * One pass, no tree: keys are looked up in a small open-addressing table per
 * record type built once by jsonr_new, and each value is converted straight
 * into its field's Value.  Strings are validated (UTF-8, escapes, no control
 * characters) by one scan; those without escapes are copied once, straight
 * from the input, into an ArbStr.  Numbers are checked against the JSON
 * grammar and converted from their decimal text (money never goes through a
 * double).  Errors carry a message and the byte offset of the problem.
 * Fast paths read the common values (full dates and datetimes, plain money
 * and integers, enum spellings) and leave anything else to the general
 * code; jsonr_parse_reference reads without them, for tests. */
#include "json_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "input_notes.h"
#include "i18n.h"
#include "scalar.h"
#include "strmap.h"
#include "swar.h"
#include "utf8.h"

#define MAX_DEPTH 64 /* nesting of arrays and objects, skipped ones included */
#define MAX_LIST_NESTING ARB_MAX_LIST_NESTING /* lists of records inside lists of records */

/* A slot of a record type's key table: a field, with its name's length
 * and first 8 bytes (zero-padded, as a little-endian word would load
 * them), so that a key is matched by two compares (and the bytes past
 * its 8th compared only then). */
typedef struct JSlot {
    int32_t f; /* field index, or -1 */
    uint32_t len;
    uint64_t head;
} JSlot;

/* The first min(n, 8) bytes of s, zero-padded; avail: bytes readable at s
 * (at least n). */
static inline uint64_t key_head(const char *s, size_t n, size_t avail) {
    uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (avail >= 8) {
        memcpy(&w, s, 8);
        return n >= 8 ? w : w & ((1ull << (8 * n)) - 1); /* n < 8: no shift by 64 */
    }
#else
    (void)avail;
#endif
    memcpy(&w, s, n < 8 ? n : 8);
    return w;
}

/* One spelling of an enum member (its name, label or a code), for the
 * enum fast path: in scalar_enum_index's order, so the first match is its
 * answer. */
typedef struct JEnum {
    uint64_t head; /* key_head of the spelling */
    const char *s;
    uint32_t len;
    int32_t member;
} JEnum;

/* What the fast paths need of one field, packed together: its key as
 * written plainly ("name":) in two words with the masks of its bytes (keys
 * of up to 16 bytes so written), its kind, and an enum's spellings. */
typedef struct JField {
    uint64_t k0, k1, m0, m1;
    uint32_t glen;    /* bytes of "name": */
    uint8_t kind;     /* fd->type.kind */
    uint8_t derived;  /* never read from input */
    uint16_t nenum;   /* spellings in `enm` */
    const JEnum *enm; /* an enum field's spellings (NULL: none, or too many) */
} JField;

/* Lookup of one record type's fields by name. */
typedef struct JRec {
    const RecordType *rt;
    JField *jf; /* per field */
    uint32_t mask;
    JSlot *slots;           /* open addressing by key_hash */
    uint64_t *heads;        /* per field: key_head of its name */
    char **quoted;          /* per field: its key as written plainly, "name": */
    struct JRec **children; /* per field: the element record of a list field */
    Value *blank;           /* a record with every field missing */
    uint32_t *req;          /* fields that must be present (required or key) */
    uint32_t nreq;
} JRec;

struct JsonReader {
    Alloc alloc;
    Arena ar; /* everything of the reader */
    JRec *claim;
};

static int is_missing(uint8_t kind, Value v) {
    return type_is_string(kind) || kind == TY_LIST ? v.p == NULL : v.i == ARB_NULL;
}

/* Fills the fast paths' view of field fd (quoted: its key as written
 * plainly).  -1 when out of memory. */
static int build_field(JsonReader *r, JField *jf, const Field *fd, const char *quoted) {
    unsigned char kb[16] = {0}, mb[16] = {0};
    jf->glen = fd->name_len + 3;
    if (jf->glen <= 16) {
        memcpy(kb, quoted, jf->glen);
        memset(mb, 0xFF, jf->glen);
    }
    memcpy(&jf->k0, kb, 8);
    memcpy(&jf->k1, kb + 8, 8);
    memcpy(&jf->m0, mb, 8);
    memcpy(&jf->m1, mb + 8, 8);
    jf->kind = fd->type.kind;
    jf->derived = fd->derived >= 0;
    jf->nenum = 0;
    jf->enm = NULL;
    const EnumType *e = fd->type.enm;
    if (jf->kind != TY_ENUM || !e) return 0;
    size_t n = (size_t)e->n * 2 + e->ncodes;
    if (n > 64) return 0; /* a long enum: scalar_enum_index reads it */
    JEnum *t = arena_alloc(&r->ar, (n ? n : 1) * sizeof(JEnum));
    if (!t) return -1;
    size_t k = 0;
    /* members, then labels, then codes: scalar_enum_index's order */
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < e->n; i++) {
            const char *sp = pass ? (e->labels ? e->labels[i] : NULL) : e->members[i];
            if (sp)
                t[k++] = (JEnum){key_head(sp, strlen(sp), 0), sp, (uint32_t)strlen(sp), (int32_t)i};
        }
    for (uint32_t i = 0; i < e->ncodes; i++)
        if (e->codes[i])
            t[k++] = (JEnum){key_head(e->codes[i], strlen(e->codes[i]), 0), e->codes[i],
                             (uint32_t)strlen(e->codes[i]), (int32_t)e->code_member[i]};
    jf->enm = t;
    jf->nenum = (uint16_t)k;
    return 0;
}

/* Builds the lookup table of one record type and, recursively, of the
 * element types of its list fields. */
static JRec *build(JsonReader *r, const RecordType *rt, int depth) {
    if (depth > MAX_LIST_NESTING) return NULL;
    JRec *j = arena_alloc(&r->ar, sizeof(JRec));
    if (!j) return NULL;
    j->rt = rt;
    uint32_t cap = 16;
    while (cap < rt->nfields * 4) cap *= 2;
    j->mask = cap - 1;
    size_t nf = rt->nfields ? rt->nfields : 1;
    j->slots = arena_alloc(&r->ar, cap * sizeof(JSlot));
    j->children = arena_alloc(&r->ar, nf * sizeof(JRec *));
    j->blank = arena_alloc(&r->ar, nf * sizeof(Value));
    j->req = arena_alloc(&r->ar, nf * sizeof(uint32_t));
    j->heads = arena_alloc(&r->ar, nf * sizeof(uint64_t));
    j->quoted = arena_alloc(&r->ar, nf * sizeof(char *));
    j->jf = arena_alloc(&r->ar, nf * sizeof(JField));
    if (!j->slots || !j->children || !j->blank || !j->req || !j->heads || !j->quoted || !j->jf)
        return NULL;
    for (uint32_t i = 0; i < cap; i++) j->slots[i] = (JSlot){-1, 0, 0};
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        uint8_t k = fd->type.kind;
        if (type_is_string(k) || k == TY_LIST)
            j->blank[f].p = NULL;
        else
            j->blank[f].i = ARB_NULL;
        if ((fd->required || fd->key) && fd->derived < 0) j->req[j->nreq++] = f;
        uint32_t i = key_hash(fd->name, fd->name_len) & j->mask;
        while (j->slots[i].f >= 0) i = (i + 1) & j->mask;
        j->heads[f] = key_head(fd->name, fd->name_len, 0);
        if (!(j->quoted[f] = arena_alloc(&r->ar, fd->name_len + 3))) return NULL;
        j->quoted[f][0] = '"';
        memcpy(j->quoted[f] + 1, fd->name, fd->name_len);
        j->quoted[f][fd->name_len + 1] = '"';
        j->quoted[f][fd->name_len + 2] = ':';
        j->slots[i] = (JSlot){(int32_t)f, fd->name_len, j->heads[f]};
        if (build_field(r, &j->jf[f], fd, j->quoted[f])) return NULL;
        if (k == TY_LIST) {
            j->children[f] = build(r, fd->type.rec, depth + 1);
            if (!j->children[f]) return NULL;
        }
    }
    return j;
}

JsonReader *jsonr_new(const RecordType *claim_type, Alloc a) {
    JsonReader *r = mem_calloc(a, sizeof *r);
    if (!r) return NULL;
    r->alloc = a;
    arena_init(&r->ar, a, 4096);
    r->claim = build(r, claim_type, 0);
    if (!r->claim) {
        jsonr_free(r);
        return NULL;
    }
    return r;
}

void jsonr_free(JsonReader *r) {
    if (!r) return;
    arena_free(&r->ar);
    mem_free(r->alloc, r, sizeof *r);
}

/* The field named name[0..len), or -1; avail: bytes readable at name (at
 * least len); guess: the field tried first. */
static inline int find_field(const JRec *j, const char *name, size_t len, size_t avail, int guess) {
    uint64_t head = key_head(name, len, avail);
    /* keys mostly come in the schema's order: the field after the last one
     * read is tried first */
    if ((uint32_t)guess < j->rt->nfields && j->heads[guess] == head &&
        j->rt->fields[guess].name_len == len &&
        (len <= 8 || strmap_bytes_eq(j->rt->fields[guess].name + 8, name + 8, len - 8)))
        return guess;
    for (uint32_t i = key_hash(name, len) & j->mask;; i = (i + 1) & j->mask) {
        const JSlot *sl = &j->slots[i];
        if (sl->f < 0) return -1;
        if (sl->len == len && sl->head == head &&
            (len <= 8 || strmap_bytes_eq(j->rt->fields[sl->f].name + 8, name + 8, len - 8)))
            return sl->f;
    }
}

/* Look-ups in the shared strings held back at most: a record's plain
 * strings are looked up together when it has been read (pend_flush), each
 * slot fetched ahead when the string is read, so that their cache misses
 * (the map holds up to 16k strings) overlap instead of following one
 * another. */
#define PEND_MAX 8

/* Strings whose hash waits at most (P.unhashed). */
#define HASH_MAX 16

/* The last date (YYYY-MM-DD) the fast path read: its 10 bytes and days
 * (a claim's lines mostly share their day). */
typedef struct DateMemo {
    uint64_t w;  /* bytes 0..7 */
    uint16_t w2; /* bytes 8..9 */
    int valid;
    int64_t days;
} DateMemo;

/* The state of one parse. */
typedef struct P {
    const char *start, *p, *end;
    Arena *ar;
    char *err;
    size_t errcap, errlen;
    const char *errpos; /* set by the first error */
    int nerr;           /* errors found (the first JSONR_MAX_ERRORS are in err) */
    int hard;           /* one of them stopped the parse */
    int depth;
    int npath; /* list items we are inside, for "lines[3]: " in messages */
    struct {
        const char *field;
        uint32_t index; /* 1-based */
    } path[MAX_LIST_NESTING + 1];
    /* per list nesting level, the items read so far (reused from list to
     * list; a list gets an arena array of exactly its length at its end):
     * the claim's own lists start in `first`, on parse_ex's stack, and
     * move to the heap only when they outgrow it */
    Alloc alloc;
    struct {
        Value *v;
        size_t cap; /* in Values */
    } items[MAX_LIST_NESTING + 1];
    Value *first;
    StrMap *strings;   /* equal strings shared through it (text -> ArbStr), or NULL */
    int no_hash;       /* JsonrOptions.no_hash */
    InputNotes *notes; /* keys read as no field are counted here, or NULL */
    int strict;        /* such keys are errors */
    uint64_t base;     /* offset of the text in its file, for messages naming a byte */
    int oom;           /* the record failed for want of memory, not for its text */
    const char *field; /* the field whose string value is being scanned, or NULL */
    size_t max_field;  /* bytes of one string value at most */
    /* the list item read before the one being read (NULL: none, or not in
     * a list): with strings shared, a code or text equal to the same
     * field's there is that string again, without a look-up in `strings`
     * (a claim's lines mostly share their dept and doctor) */
    const Value *prev;
    /* with strings shared, the plain strings of the record being read
     * whose look-up in `strings` waits (make_str, pend_flush) */
    struct {
        const ArbStr **out;
        const char *at, *s;
        uint32_t n, h;
    } pend[PEND_MAX];
    int npend;
    int fast;      /* the value fast paths are taken (jsonr_parse_reference: not) */
    DateMemo date; /* for fast_value */
    /* with strings not shared, the strings whose hash (FNV-1a, a serial
     * chain of multiplies) waits, to be computed four at a time
     * (hash_flush) */
    ArbStr *unhashed[HASH_MAX];
    int nunhashed;
} P;

/* Adds an error to the message: prefixed with the list items it is in,
 * after "; " when not the first.  The first error's position is the one
 * reported. */
static void add_error(P *P_, const char *at, const char *fmt, va_list ap) {
    if (!P_->nerr++) P_->errpos = at;
    if (P_->nerr > JSONR_MAX_ERRORS || !P_->err || !P_->errcap) return;
    size_t k = P_->errlen, cap = P_->errcap;
    if (P_->nerr > 1 && k < cap) k += (size_t)snprintf(P_->err + k, cap - k, "; ");
    for (int i = 0; i < P_->npath && k < cap; i++)
        k += (size_t)snprintf(P_->err + k, cap - k, "%s%s[%u]", i ? "." : "", P_->path[i].field,
                              P_->path[i].index);
    if (P_->npath && k < cap) k += (size_t)snprintf(P_->err + k, cap - k, ": ");
    if (k < cap) k += (size_t)vsnprintf(P_->err + k, cap - k, _(fmt), ap);
    P_->errlen = k < cap ? k : cap - 1;
}

/* An error that ends the parse (the text cannot be followed further).
 * Always returns -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
fail(P *P_, const char *at, const char *fmt, ...) {
    if (P_->hard) return -1;
    P_->hard = 1;
    va_list ap;
    va_start(ap, fmt);
    add_error(P_, at, fmt, ap);
    va_end(ap);
    return -1;
}

/* An error in a value the parse has gone past (a wrong type, a bad
 * amount, an unknown enum spelling): the record is rejected, and the
 * parse goes on to name its other bad fields too.  Returns 0. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
bad(P *P_, const char *at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    add_error(P_, at, fmt, ap);
    va_end(ap);
    return 0;
}

/* Out of memory: an error of the reader, not of the record. */
static int oom_fail(P *P_, const char *at) {
    P_->oom = 1;
    return fail(P_, at, "out of memory");
}

static int eof_fail(P *P_) {
    return fail(P_, P_->end, "unexpected end of input (truncated record?)");
}

/* Copies at most ~40 bytes of s for a message: cut on a UTF-8 character
 * boundary, control characters shown as '?', "..." when cut. */
static const char *snip(char *dst, size_t cap, const char *s, size_t n) {
    size_t lim = cap - 4, k = 0;
    if (n > lim) {
        n = lim;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* not inside a character */
    } else {
        lim = 0;
    }
    for (size_t i = 0; i < n; i++) dst[k++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    if (lim) dst[k++] = '.', dst[k++] = '.', dst[k++] = '.';
    dst[k] = 0;
    return dst;
}

static inline void ws(P *P_) {
    while (P_->p < P_->end && (unsigned char)*P_->p <= ' ' &&
           (*P_->p == ' ' || *P_->p == '\t' || *P_->p == '\n' || *P_->p == '\r'))
        P_->p++;
}

/* Byte classes inside strings: 0 plain ASCII, 1 '"', 2 '\\', 3 control
 * character, 4 start of a multi-byte UTF-8 sequence (or an invalid byte). */
/* clang-format off */
static const uint8_t str_class[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};
/* clang-format on */

static int hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads 4 hex digits at q (the input has them); -1 when one is not hex. */
static int32_t hex4(const unsigned char *q) {
    int a = hexval(q[0]), b = hexval(q[1]), c = hexval(q[2]), d = hexval(q[3]);
    if ((a | b | c | d) < 0) return -1;
    return (int32_t)(a << 12 | b << 8 | c << 4 | d);
}

/* Nonzero when one of the 8 bytes may need a look: a quote, a backslash, a
 * control character or a byte >= 0x80 (false alarms are harmless). */
static inline uint64_t swar_special(uint64_t x) {
    return swar_eq(x, '"') | swar_eq(x, '\\') | swar_ctrl_or_high(x);
}

/* The first byte from q on that a string scan must look at (a quote, a
 * backslash, a control character or a byte >= 0x80), or end: 16 bytes a
 * step (SSE2), then 8 (SWAR), then one. */
static inline const unsigned char *skip_plain(const unsigned char *q, const unsigned char *end) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(' ');
    while (end - q >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
        /* signed: bytes >= 0x80 are negative, so below ' ' as well */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                                 _mm_cmplt_epi8(x, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask) return q + __builtin_ctz(mask);
        q += 16;
    }
#endif
    while (end - q >= 8) {
        uint64_t x;
        memcpy(&x, q, 8);
        if (swar_special(x)) break;
        q += 8;
    }
    while (q < end && !str_class[*q]) q++;
    return q;
}

/* Scans the string whose text *s starts (after its opening quote), from q
 * on (the bytes from *s to q are plain), checking it all (UTF-8, escapes,
 * surrogate pairs, no control characters), and leaves P_->p after the
 * closing quote.  *n gets the length of the raw text between the quotes.
 * Returns 0 when it has no escapes, 1 when it has some, -1 on an error. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
scan_string_from(P *P_, const unsigned char *q, const char **s, size_t *n) {
    const unsigned char *end = (const unsigned char *)P_->end;
    int esc = 0;
#if defined(__SSE2__)
    /* a run of 3-byte characters: the bits each byte must have, and their
     * values (byte 15, the next run's, any) */
    const __m128i cjk_mask =
        _mm_setr_epi8((char)0xF0, (char)0xC0, (char)0xC0, (char)0xF0, (char)0xC0, (char)0xC0,
                      (char)0xF0, (char)0xC0, (char)0xC0, (char)0xF0, (char)0xC0, (char)0xC0,
                      (char)0xF0, (char)0xC0, (char)0xC0, 0);
    const __m128i cjk_want =
        _mm_setr_epi8((char)0xE0, (char)0x80, (char)0x80, (char)0xE0, (char)0x80, (char)0x80,
                      (char)0xE0, (char)0x80, (char)0x80, (char)0xE0, (char)0x80, (char)0x80,
                      (char)0xE0, (char)0x80, (char)0x80, 0);
#endif
    for (;;) {
        /* q at a byte to look at (as scan_string_at leaves it, most
         * often), or in a plain run */
        if (q >= end || !str_class[*q]) {
#if defined(__SSE2__)
            /* the plain run 16 bytes a step; when its first stop is a quote, the
             * masks say so and the string ends without a look at the byte */
            const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                          space = _mm_set1_epi8(' ');
            while (end - q >= 16) {
                __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
                unsigned mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote));
                unsigned m = mq | (unsigned)_mm_movemask_epi8(_mm_or_si128(
                                      _mm_cmpeq_epi8(x, bslash), _mm_cmplt_epi8(x, space)));
                if (m) {
                    q += __builtin_ctz(m);
                    if (m & -m & mq) {
                        *n = (size_t)((const char *)q - *s);
                        P_->p = (const char *)q + 1;
                        return esc;
                    }
                    break;
                }
                q += 16;
            }
#endif
            q = skip_plain(q, end);
        }
        if (q >= end) return eof_fail(P_);
        switch (str_class[*q]) {
        case 1:
            *n = (size_t)((const char *)q - *s);
            P_->p = (const char *)q + 1;
            return esc;
        case 2: {
            esc = 1;
            if (end - q < 2) return eof_fail(P_);
            unsigned char e = q[1];
            if (e == 'u') {
                if (end - q < 6) return eof_fail(P_);
                int32_t cp = hex4(q + 2);
                if (cp < 0) return fail(P_, (const char *)q, "invalid \\u escape in a string");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (end - q < 7 || (q[6] == '\\' && end - q < 12)) return eof_fail(P_);
                    int32_t lo = q[6] == '\\' && q[7] == 'u' ? hex4(q + 8) : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return fail(P_, (const char *)q, "unpaired surrogate in a \\u escape");
                    q += 12;
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail(P_, (const char *)q, "unpaired surrogate in a \\u escape");
                } else {
                    q += 6;
                }
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                       e == 'r' || e == 't') {
                q += 2;
            } else if (e >= 0x20 && e < 0x7F) {
                return fail(P_, (const char *)q, "invalid escape '\\%c' in a string", e);
            } else {
                return fail(P_, (const char *)q, "invalid escape in a string");
            }
            break;
        }
        case 3:
            if (!*q) /* a NUL would cut the value short wherever it is used as a C string */
                return P_->field ? fail(P_, (const char *)q, "field '%s': a NUL byte in a string",
                                        P_->field)
                                 : fail(P_, (const char *)q, "a NUL byte in a string");
            return fail(P_, (const char *)q, "control character in a string (write it as \\u)");
        default:
            /* A run of multi-byte characters (Chinese text) is checked here
             * without going back to the byte classes: the common 3-byte
             * forms (leads E1..EC and EE..EF take any two continuation
             * bytes) two at a time by a mask over 8 bytes, or one at a
             * time, and 2-byte forms (leads C2..DF) inline; the rest (E0,
             * ED, 4-byte forms, errors) by utf8_seq_len. */
            do {
#if defined(__SSE2__)
                /* five 3-byte characters at a time: the leads (bytes 0, 3,
                 * ..., 12) E1..EC or EE..EF, the others continuation bytes;
                 * a step whose bytes are such up to a quote after a whole
                 * character ends the string there */
                while (end - q >= 16) {
                    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
                    __m128i form = _mm_cmpeq_epi8(_mm_and_si128(x, cjk_mask), cjk_want);
                    __m128i e0ed = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xE0)),
                                                _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xED)));
                    unsigned fm = (unsigned)_mm_movemask_epi8(form),
                             lead_bad = (unsigned)_mm_movemask_epi8(e0ed) & 0x1249;
                    if ((fm & 0x7FFF) == 0x7FFF && !lead_bad) {
                        q += 15;
                        continue;
                    }
                    unsigned mq =
                        (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
                    if (mq) {
                        unsigned k = (unsigned)__builtin_ctz(mq), before = (1u << k) - 1;
                        if (k % 3 == 0 && (fm & before) == before && !(lead_bad & before)) {
                            *n = (size_t)((const char *)q + k - *s);
                            P_->p = (const char *)q + k + 1;
                            return esc;
                        }
                    }
                    break;
                }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                /* two 3-byte characters at a time (CJK text is all such) */
                while (end - q >= 8) {
                    uint64_t x;
                    memcpy(&x, q, 8);
                    if ((x & 0x0000C0C0F0C0C0F0ull) != 0x00008080E08080E0ull) break;
                    unsigned a = q[0], b = q[3];
                    if (a == 0xE0 || a == 0xED || b == 0xE0 || b == 0xED) break;
                    q += 6;
                }
                if (q >= end || *q < 0x80) break;
#endif
                unsigned c = q[0];
                if (c >= 0xE1 && c != 0xED && c <= 0xEF && end - q >= 3 &&
                    ((q[1] & 0xC0) | (q[2] & 0xC0) << 8) == 0x8080) {
                    q += 3;
                    continue;
                }
                if (c >= 0xC2 && c <= 0xDF && end - q >= 2 && (q[1] & 0xC0) == 0x80) {
                    q += 2;
                    continue;
                }
                int k = utf8_seq_len(q, end);
                if (k < 0) return eof_fail(P_);
                if (k == 0)
                    return fail(
                        P_, (const char *)q, "invalid UTF-8 at byte %llu",
                        (unsigned long long)(P_->base + (uint64_t)((const char *)q - P_->start)));
                q += k;
            } while (q < end && *q >= 0x80);
        }
    }
}

/* Scans the string whose opening quote is at `open` (the text ending at
 * end), as scan_string_from (same answers); *s and *n get the raw text
 * between the quotes, *after the position after the closing quote; field:
 * the field whose value it is (for a NUL's message), or NULL.
 * Inline, a string whose first stop in its 16-byte steps is its closing
 * quote (most values and keys) ends here; anything else goes on in
 * scan_string_from, from that stop. */
static inline int scan_string_at(P *P_, const char *open, const char *end_, const char *field,
                                 const char **s, size_t *n, const char **after) {
    const unsigned char *q = (const unsigned char *)open + 1;
    *s = (const char *)q;
#if defined(__SSE2__)
    const unsigned char *end = (const unsigned char *)end_;
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(' ');
    while (end - q >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
        unsigned mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote));
        unsigned m = mq | (unsigned)_mm_movemask_epi8(
                              _mm_or_si128(_mm_cmpeq_epi8(x, bslash), _mm_cmplt_epi8(x, space)));
        if (m) {
            q += __builtin_ctz(m);
            if (m & -m & mq) {
                *n = (size_t)((const char *)q - *s);
                *after = (const char *)q + 1;
                return 0;
            }
            break;
        }
        q += 16;
    }
#else
    (void)end_;
#endif
    P_->field = field;
    int esc = scan_string_from(P_, q, s, n);
    P_->field = NULL;
    *after = P_->p;
    return esc;
}

/* Scans the string whose opening quote is at P_->p, as scan_string_at,
 * and leaves P_->p after it. */
static inline int scan_string(P *P_, const char **s, size_t *n) {
    const char *after = P_->p;
    int esc = scan_string_at(P_, P_->p, P_->end, P_->field, s, n, &after);
    P_->p = after;
    return esc;
}

/* Decodes the escapes of a string scan_string has checked into out (room
 * for n bytes: decoding never lengthens).  Returns the decoded length. */
static size_t unescape(const char *s, size_t n, char *out) {
    size_t k = 0;
    const char *e = s + n;
    while (s < e) {
        const char *bs = memchr(s, '\\', (size_t)(e - s));
        size_t plain = (size_t)((bs ? bs : e) - s);
        memcpy(out + k, s, plain);
        k += plain;
        if (!bs) break;
        s = bs + 2;
        switch (bs[1]) {
        case 'b': out[k++] = '\b'; break;
        case 'f': out[k++] = '\f'; break;
        case 'n': out[k++] = '\n'; break;
        case 'r': out[k++] = '\r'; break;
        case 't': out[k++] = '\t'; break;
        case 'u': {
            uint32_t cp = (uint32_t)hex4((const unsigned char *)s);
            s += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo = (uint32_t)hex4((const unsigned char *)s + 2);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                s += 6;
            }
            k += utf8_put(out + k, cp);
            break;
        }
        default: out[k++] = bs[1]; /* " \ / */
        }
    }
    return k;
}

/* The first \u0000 escape of a string scan_string has checked (its raw
 * text s[0..n)), or NULL. */
static const char *nul_escape(const char *s, size_t n) {
    const char *end = s + n;
    while ((s = memchr(s, '\\', (size_t)(end - s))) != NULL) {
        if (s[1] != 'u') {
            s += 2;
            continue;
        }
        if (hex4((const unsigned char *)s + 2) == 0) return s;
        s += 6;
    }
    return NULL;
}

/* Checks the number at P_->p against the JSON grammar and leaves P_->p after
 * it.  *is_int says it has neither a fraction nor an exponent. */
static int scan_number(P *P_, const char **s, size_t *n, int *is_int) {
    const char *q = P_->p, *end = P_->end;
    *s = q;
    *is_int = 1;
    if (q < end && *q == '-') q++;
    if (q >= end) return eof_fail(P_);
    if (*q == '0') {
        q++;
    } else if (*q >= '1' && *q <= '9') {
        while (q < end && *q >= '0' && *q <= '9') q++;
    } else {
        return fail(P_, *s, "invalid JSON value");
    }
    if (q < end && *q == '.') {
        *is_int = 0;
        if (++q >= end) return eof_fail(P_);
        if (*q < '0' || *q > '9') return fail(P_, *s, "invalid number");
        while (q < end && *q >= '0' && *q <= '9') q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        *is_int = 0;
        if (++q < end && (*q == '+' || *q == '-')) q++;
        if (q >= end) return eof_fail(P_);
        if (*q < '0' || *q > '9') return fail(P_, *s, "invalid number");
        while (q < end && *q >= '0' && *q <= '9') q++;
    }
    if (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
                    (*q >= 'A' && *q <= 'Z') || *q == '.' || *q == '+' || *q == '-'))
        return fail(P_, *s, "invalid number");
    *n = (size_t)(q - *s);
    P_->p = q;
    return 0;
}

/* Money from a JSON number in exponent form (1.5e2, 1.0E7): the decimal
 * point is moved in the digits, exactly, and the plain text parsed.
 * -1 when out of range or finer than a cent. */
static int money_from_exponent(const char *s, size_t n, int64_t *out) {
    char digits[64], plain[128];
    size_t nd = 0, k = 0, i = 0;
    int neg = s[0] == '-', all_zero = 1;
    long point = 0; /* digits before the decimal point */
    if (neg) i++;
    for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.') continue;
        if (nd == sizeof digits) return -1;
        if (s[i] != '0') all_zero = 0;
        digits[nd++] = s[i];
    }
    for (size_t j = neg; j < n && s[j] != '.' && s[j] != 'e' && s[j] != 'E'; j++) point++;
    int64_t e = 0;
    if (scalar_parse_int(s + i + 1, n - i - 1, &e) || e > 40 || e < -40) {
        if (!all_zero) return -1;
        e = 0;
    }
    if (all_zero) return *out = 0, 0;
    point += (long)e;
    if (neg) plain[k++] = '-';
    if (point <= 0) {
        plain[k++] = '0';
        plain[k++] = '.';
        for (long z = 0; z < -point; z++) plain[k++] = '0';
        memcpy(plain + k, digits, nd);
        k += nd;
    } else if ((size_t)point >= nd) {
        memcpy(plain + k, digits, nd);
        k += nd;
        for (long z = 0; z < point - (long)nd; z++) plain[k++] = '0';
    } else {
        memcpy(plain + k, digits, (size_t)point);
        k += (size_t)point;
        plain[k++] = '.';
        memcpy(plain + k, digits + point, nd - (size_t)point);
        k += nd - (size_t)point;
    }
    return scalar_parse_money(plain, k, out);
}

/* Matches a literal (true, false, null) at P_->p. */
static int literal(P *P_, const char *word, size_t n) {
    size_t left = (size_t)(P_->end - P_->p);
    if (left >= n && memcmp(P_->p, word, n) == 0) {
        P_->p += n;
        return 0;
    }
    if (left < n && memcmp(P_->p, word, left) == 0) return eof_fail(P_);
    return fail(P_, P_->p, "invalid JSON value");
}

static int skip_value(P *P_);

/* Skips an object or an array (any content, nesting limited). */
static int skip_container(P *P_) {
    char close = *P_->p == '{' ? '}' : ']';
    if (++P_->depth > MAX_DEPTH) return fail(P_, P_->p, "nesting too deep");
    P_->p++;
    ws(P_);
    if (P_->p < P_->end && *P_->p == close) {
        P_->p++;
        P_->depth--;
        return 0;
    }
    for (;;) {
        ws(P_);
        if (close == '}') {
            const char *s;
            size_t n;
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p != '"') return fail(P_, P_->p, "invalid JSON: expected a key in quotes");
            if (scan_string(P_, &s, &n) < 0) return -1;
            ws(P_);
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p != ':') return fail(P_, P_->p, "invalid JSON: expected ':' after a key");
            P_->p++;
        }
        if (skip_value(P_)) return -1;
        ws(P_);
        if (P_->p >= P_->end) return eof_fail(P_);
        if (*P_->p == ',') {
            P_->p++;
            continue;
        }
        if (*P_->p == close) {
            P_->p++;
            P_->depth--;
            return 0;
        }
        return fail(P_, P_->p, "invalid JSON: expected ',' or '%c'", close);
    }
}

static int skip_value(P *P_) {
    ws(P_);
    if (P_->p >= P_->end) return eof_fail(P_);
    const char *s;
    size_t n;
    int is_int;
    switch (*P_->p) {
    case '{':
    case '[': return skip_container(P_);
    case '"': return scan_string(P_, &s, &n) < 0 ? -1 : 0;
    case 't': return literal(P_, "true", 4);
    case 'f': return literal(P_, "false", 5);
    case 'n': return literal(P_, "null", 4);
    default: return scan_number(P_, &s, &n, &is_int);
    }
}

static const char *json_kind(char c) {
    switch (c) {
    case '"': return _("a string");
    case '{': return _("an object");
    case '[': return _("an array");
    case 't':
    case 'f': return _("true/false");
    case 'n': return "null";
    default: return _("a number");
    }
}

/* What a field of this kind expects, for messages. */
static const char *expected(uint8_t kind) {
    switch (kind) {
    case TY_BOOL: return _("true or false");
    case TY_INT: return _("an integer");
    case TY_MONEY: return _("a money amount");
    case TY_DATE: return _("a date string (YYYY-MM-DD)");
    case TY_DATETIME: return _("a datetime string (YYYY-MM-DDTHH:MM:SS)");
    case TY_DURATION: return _("a duration string (15d, 2w, 8h)");
    case TY_CODE:
    case TY_TEXT:
    case TY_ENUM: return _("a string");
    case TY_LIST: return _("an array of objects");
    default: return _("a value of another type");
    }
}

static int parse_record(P *P_, const JRec *j, Value *out);

/* Parses an array of objects into a list of records. */
static int parse_list(P *P_, const JRec *child, const Field *fd, const ArbList **out) {
    if (++P_->depth > MAX_DEPTH) return fail(P_, P_->p, "nesting too deep");
    P_->p++; /* '[' */
    uint32_t width = child->rt->nfields ? child->rt->nfields : 1, n = 0;
    size_t wbytes = (size_t)width * sizeof(Value);
    ArbList *l = arena_alloc_raw(P_->ar, sizeof(ArbList)); /* every member set at the end */
    if (!l) return oom_fail(P_, P_->p);
    int level = P_->npath; /* < MAX_LIST_NESTING + 1: the schema's lists nest no deeper */
    ws(P_);
    if (P_->p < P_->end && *P_->p == ']') {
        P_->p++;
    } else {
        int slot = P_->npath++;
        P_->path[slot].field = fd->name;
        for (;;) {
            ws(P_);
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p != '{') {
                P_->npath--;
                return fail(P_, P_->p, "field '%s': expected objects in the array, got %s",
                            fd->name, json_kind(*P_->p));
            }
            if (((size_t)n + 1) * width > P_->items[level].cap) {
                if (n >= UINT32_MAX / 2) return fail(P_, P_->p, "too many items in a list");
                size_t old = P_->items[level].cap, ncap = old ? old * 2 : 64 * (size_t)width;
                while (ncap < ((size_t)n + 1) * width) ncap *= 2;
                Value *cur = P_->items[level].v;
                int on_stack = cur == P_->first;
                Value *grown =
                    mem_realloc(P_->alloc, on_stack ? NULL : cur,
                                on_stack ? 0 : old * sizeof(Value), ncap * sizeof(Value));
                if (!grown) return oom_fail(P_, P_->p);
                if (on_stack && n) memcpy(grown, cur, (size_t)n * width * sizeof(Value));
                P_->items[level].v = grown;
                P_->items[level].cap = ncap;
            }
            P_->path[slot].index = n + 1;
            /* deeper lists use deeper levels: this one's items stay put */
            const Value *outer = P_->prev;
            P_->prev = n ? P_->items[level].v + (size_t)(n - 1) * width : NULL;
            int bad = parse_record(P_, child, P_->items[level].v + (size_t)n * width);
            P_->prev = outer;
            if (bad) return -1;
            n++;
            ws(P_);
            if (P_->p >= P_->end) return eof_fail(P_);
            if (*P_->p == ',') {
                P_->p++;
                continue;
            }
            if (*P_->p == ']') {
                P_->p++;
                break;
            }
            return fail(P_, P_->p, "invalid JSON: expected ',' or ']'");
        }
        P_->npath--;
    }
    /* n items: every byte written by the copy, so not zeroed first */
    Value *items = n ? arena_alloc_raw(P_->ar, n * wbytes) : arena_alloc(P_->ar, wbytes);
    if (!items) return oom_fail(P_, P_->p);
    if (n) memcpy(items, P_->items[level].v, n * wbytes);
    l->n = n;
    l->width = child->rt->nfields;
    l->items = items;
    *out = l;
    P_->depth--;
    return 0;
}

/* A new ArbStr holding s[0..n) (a string's raw text in the input), its
 * hash not set: laid out as arena_alloc would (the padding after the NUL
 * zeroed), copied 8 bytes a step when the input has the room.  NULL when
 * out of memory. */
static inline ArbStr *new_str(P *P_, const char *s, size_t n) {
    size_t words = (n + 8) >> 3; /* the data and its NUL, in words */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if ((size_t)(P_->end - s) >= words * 8) {
        ArbStr *a = arena_alloc_raw(P_->ar, sizeof(ArbStr) + words * 8);
        if (!a) return NULL;
        char *d = a->data;
        for (size_t i = 0; i + 1 < words; i++) memcpy(d + 8 * i, s + 8 * i, 8);
        /* the last word: the string's last n % 8 bytes, then zeros (the NUL) */
        uint64_t w = swar_load(s + 8 * (words - 1)) & ((1ull << (8 * (n & 7))) - 1);
        memcpy(d + 8 * (words - 1), &w, 8);
        a->len = (uint32_t)n;
        return a;
    }
#endif
    ArbStr *a = arena_alloc(P_->ar, sizeof(ArbStr) + n + 1);
    if (!a) return NULL;
    memcpy(a->data, s, n);
    a->data[n] = 0;
    a->len = (uint32_t)n;
    return a;
}

/* Two decimal digits at q as a number; *bad gets a nonzero bit when one is
 * not a digit. */
static inline unsigned digits2(const char *q, unsigned *bad) {
    unsigned a = (unsigned)(unsigned char)q[0] - '0', b = (unsigned)(unsigned char)q[1] - '0';
    *bad |= (a > 9) | (b > 9);
    return a * 10 + b;
}

/* The days of the date YYYY-MM-DD at q in *days; -1 when scalar_parse_date
 * would refuse it (*bad gets a nonzero bit when a digit is not one). */
static inline int fast_ymd(const char *q, unsigned *bad, int64_t *days) {
    static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y = digits2(q, bad) * 100 + digits2(q + 2, bad), m = digits2(q + 5, bad),
             d = digits2(q + 8, bad);
    *bad |= (q[4] != '-') | (q[7] != '-');
    if (*bad || y < 1800 || y > 2999 || m < 1 || m > 12 || d < 1) return -1;
    unsigned lim = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) lim = 29;
    if (d > lim) return -1;
    *days = days_from_civil((int64_t)y, m, d);
    return 0;
}

/* The plain string at q (after its opening quote) that ends within 16
 * bytes: its length, or -1 (longer, escaped, not ASCII, near the end of
 * the text: the slow path reads it). */
static inline int short_plain(const char *q, const char *end) {
#if defined(__SSE2__)
    if (end - q < 16) return -1;
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
    unsigned mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
    unsigned m =
        mq | (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')),
                                                      _mm_cmplt_epi8(x, _mm_set1_epi8(' '))));
    if (!m || !(m & -m & mq)) return -1;
    return __builtin_ctz(m);
#else
    (void)q;
    (void)end;
    return -1;
#endif
}

/* A number at q: '-'? then 0 or a digit 1-9 and up to `most` digits in
 * all, as JSON writes it; *q is left after the digits.  -1 when it is not
 * so (or longer). */
static inline int64_t fast_digits(const char **q, const char *end, int most) {
    const char *p = *q;
    if (p >= end) return -1;
    if (*p == '0') {
        *q = p + 1;
        return 0;
    }
    if (*p < '1' || *p > '9') return -1;
    int64_t v = 0;
    int k = 0;
    while (p < end && (unsigned)(unsigned char)*p - '0' <= 9) {
        if (++k > most) return -1;
        v = v * 10 + (*p++ - '0');
    }
    *q = p;
    return v;
}

/* The value of a field (jf) at `at` (c = *at, the text ending at end) read
 * by a fast path, which reads only the forms it knows and reads them as
 * the slow path (parse_field's switch) would: a date or datetime string
 * written in full, a money amount as a plain string or number, an
 * integer, an enum's spelling; max_field: P.max_field.  The position after
 * the value when read, NULL when the slow path must read it (*out
 * unchanged). */
static inline const char *fast_value(const JField *jf, char c, const char *at, const char *end,
                                     size_t max_field, DateMemo *dm, Value *out) {
    switch (jf->kind) {
    case TY_DATE:
    case TY_DATETIME: {
        size_t len = jf->kind == TY_DATE ? 10 : 19;
        if (c != '"' || (size_t)(end - at) < len + 2 || at[len + 1] != '"' || len > max_field)
            return NULL;
        unsigned bad = 0;
        int64_t days;
        /* the same 10 bytes as the date before: the same days (fast_ymd
         * reads nothing else) */
        uint64_t w = swar_load(at + 1);
        uint16_t w2;
        memcpy(&w2, at + 9, 2);
        if (dm->valid && dm->w == w && dm->w2 == w2) {
            days = dm->days;
        } else {
            if (fast_ymd(at + 1, &bad, &days)) return NULL;
            *dm = (DateMemo){w, w2, 1, days};
        }
        if (jf->kind == TY_DATE) {
            out->i = days;
        } else {
            const char *q = at + 11;
            unsigned hh = digits2(q + 1, &bad), mm = digits2(q + 4, &bad),
                     ss = digits2(q + 7, &bad);
            if (bad || q[0] != 'T' || q[3] != ':' || q[6] != ':' || hh > 23 || mm > 59 || ss > 59)
                return NULL;
            out->i = days * SECS_PER_DAY + (int64_t)(hh * 3600 + mm * 60 + ss);
        }
        return at + len + 2;
    }
    case TY_MONEY: {
        /* "12.30" (leading zeros allowed, as scalar_parse_money takes them)
         * or 12.30 (as JSON writes a number) */
        const char *q = at + (c == '"' || c == '-');
        int64_t whole = 0;
        if (c == '"') {
            int k = 0;
            while (q < end && (unsigned)(unsigned char)*q - '0' <= 9) {
                if (++k > 15) return NULL;
                whole = whole * 10 + (*q++ - '0');
            }
            if (!k) return NULL;
        } else if ((whole = fast_digits(&q, end, 15)) < 0) {
            return NULL;
        }
        int64_t cents = 0;
        if (q < end && *q == '.') {
            if (end - q < 3) return NULL; /* the point and two bytes after it */
            unsigned d1 = (unsigned)(unsigned char)q[1] - '0',
                     d2 = (unsigned)(unsigned char)q[2] - '0';
            if (d1 > 9) return NULL;
            if (d2 <= 9) {
                cents = d1 * 10 + d2;
                q += 3;
            } else {
                cents = d1 * 10;
                q += 2;
            }
        }
        if (q >= end) return NULL;
        if (c == '"') {
            if (*q != '"' || (size_t)(q - at - 1) > max_field) return NULL;
            q++;
        } else if (*q != ',' && *q != '}') {
            return NULL;
        }
        out->i = c == '-' ? -(whole * 100 + cents) : whole * 100 + cents;
        return q;
    }
    case TY_INT: {
        const char *q = at + (c == '-');
        int64_t v = fast_digits(&q, end, 18);
        if (v < 0 || q >= end || (*q != ',' && *q != '}')) return NULL;
        out->i = c == '-' ? -v : v;
        return q;
    }
    case TY_ENUM: {
        if (c != '"' || !jf->enm) return NULL;
        int n = short_plain(at + 1, end);
        if (n <= 0 || (size_t)n > max_field) return NULL;
        uint64_t head = key_head(at + 1, (size_t)n, (size_t)(end - at - 1));
        for (uint32_t i = 0; i < jf->nenum; i++) {
            const JEnum *e = &jf->enm[i];
            if (e->len == (uint32_t)n && e->head == head &&
                (n <= 8 || strmap_bytes_eq(e->s + 8, at + 9, (size_t)n - 8))) {
                out->i = e->member;
                return at + n + 2;
            }
        }
        return NULL;
    }
    default: return NULL;
    }
}

/* Sets the hashes (str_hash) of a, b, c and d: four FNV-1a chains side by
 * side over their common length, then each one's rest. */
static void hash4(ArbStr *a, ArbStr *b, ArbStr *c, ArbStr *d) {
    uint32_t ha = 2166136261u, hb = ha, hc = ha, hd = ha;
    uint32_t m = a->len < b->len ? a->len : b->len, m2 = c->len < d->len ? c->len : d->len;
    if (m2 < m) m = m2;
    const unsigned char *pa = (const unsigned char *)a->data, *pb = (const unsigned char *)b->data,
                        *pc = (const unsigned char *)c->data, *pd = (const unsigned char *)d->data;
    for (uint32_t i = 0; i < m; i++) {
        ha = (ha ^ pa[i]) * 16777619u;
        hb = (hb ^ pb[i]) * 16777619u;
        hc = (hc ^ pc[i]) * 16777619u;
        hd = (hd ^ pd[i]) * 16777619u;
    }
    a->hash = str_hash_more(ha, a->data + m, a->len - m);
    b->hash = str_hash_more(hb, b->data + m, b->len - m);
    c->hash = str_hash_more(hc, c->data + m, c->len - m);
    d->hash = str_hash_more(hd, d->data + m, d->len - m);
}

/* Sets the hashes of the strings that wait for theirs. */
static void hash_flush(P *P_) {
    int i = 0;
    for (; i + 4 <= P_->nunhashed; i += 4)
        hash4(P_->unhashed[i], P_->unhashed[i + 1], P_->unhashed[i + 2], P_->unhashed[i + 3]);
    for (; i < P_->nunhashed; i++)
        P_->unhashed[i]->hash = str_hash(P_->unhashed[i]->data, P_->unhashed[i]->len);
    P_->nunhashed = 0;
}

/* The plain string s[0..n) (of hash mh in P_->strings), not in the map: a
 * copy, stored in the map (out of line: most strings are found). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
intern_new(P *P_, const char *at, const char *s, uint32_t n, uint32_t mh, const ArbStr **out) {
    ArbStr *a = new_str(P_, s, n);
    if (!a) return oom_fail(P_, at);
    a->hash = str_hash(a->data, n); /* no_hash is never set with shared strings */
    *out = a;
    int oom = 0; /* out of memory: this one is not shared, which is still right */
    const ArbStr *known = strmap_put_hashed(P_->strings, a->data, n, mh, a, &oom);
    if (known) *out = known;
    return 0;
}

/* Looks up the strings held back (make_str), in the order they were read:
 * the one already read, else a copy, stored in the map. */
static int pend_flush(P *P_) {
    const StrMap *m = P_->strings;
    int k = P_->npend;
    P_->npend = 0;
    for (int i = 0; i < k; i++) {
        const char *s = P_->pend[i].s;
        uint32_t n = P_->pend[i].n, h = P_->pend[i].h;
        const ArbStr *v = strmap_get_inline(m, s, n, h);
        if (v)
            *P_->pend[i].out = v;
        else if (intern_new(P_, P_->pend[i].at, s, n, h, P_->pend[i].out))
            return -1;
    }
    return 0;
}

/* Notes string s[0..n) (hash mh in P_->strings) to be interned at the end
 * of the record, its ArbStr then stored in *out (NULL meanwhile); the
 * string's bucket is prefetched now.  0, or -1 when out of memory. */
static inline int pend_str(P *P_, const ArbStr **out, const char *at, const char *s, size_t n,
                           uint32_t mh) {
    if (P_->npend == PEND_MAX && pend_flush(P_)) return -1;
    strmap_prefetch(P_->strings, mh);
    P_->pend[P_->npend].out = out;
    P_->pend[P_->npend].at = at;
    P_->pend[P_->npend].s = s;
    P_->pend[P_->npend].n = (uint32_t)n;
    P_->pend[P_->npend].h = mh;
    P_->npend++;
    *out = NULL;
    return 0;
}

/* A code or text value from a string (decoding escapes) or a number's text;
 * with P_->strings, one already read is shared: a plain one's look-up waits
 * (*out NULL until then) for the end of its record or for PEND_MAX others. */
static int make_str(P *P_, const char *at, const char *s, size_t n, int esc, const ArbStr **out) {
    uint32_t mh =
        0; /* the string's hash in P_->strings: computed once, for the look-up and the put */
    if (P_->strings && !esc) {
        mh = strmap_hash(P_->strings, s, n);
        return pend_str(P_, out, at, s, n, mh);
    }
    ArbStr *a;
    size_t len = n;
    if (esc) {
        if (!(a = arena_alloc(P_->ar, sizeof(ArbStr) + n + 1))) return oom_fail(P_, at);
        len = unescape(s, n, a->data);
        a->data[len] = 0;
        a->len = (uint32_t)len;
    } else if (!(a = new_str(P_, s, n))) {
        return oom_fail(P_, at);
    }
    *out = a;
    if (P_->no_hash) {
        a->hash = 0;
    } else if (!P_->strings) { /* hashed later, with three others (hash_flush) */
        if (P_->nunhashed == HASH_MAX) hash_flush(P_);
        P_->unhashed[P_->nunhashed++] = a;
    } else {
        a->hash = str_hash(a->data, len);
    }
    if (P_->strings) {
        int oom = 0; /* out of memory: this one is not shared, which is still right */
        if (esc) mh = strmap_hash(P_->strings, a->data, len);
        const ArbStr *known = strmap_put_hashed(P_->strings, a->data, len, mh, a, &oom);
        if (known) *out = known; /* escaped: the copy just made stays unused */
    }
    return 0;
}

/* Reads the string value s[0..n) (its raw text, esc: with escapes; its
 * opening quote at `at`) of field f of a record into *out. */
static int string_value(P *P_, const JRec *j, int f, const char *at, const char *s, size_t n,
                        int esc, Value *out) {
    const Field *fd = &j->rt->fields[f];
    uint8_t kind = fd->type.kind;
    char buf[48];
    if (n == 0) { /* "" is missing, as an empty CSV cell is */
        if (kind == TY_LIST)
            return bad(P_, at, "field '%s': expected %s, got a string", fd->name, expected(kind));
        *out = j->blank[f];
        return 0;
    }
    if (n > P_->max_field) { /* a string no claim has: refused, not held */
        *out = j->blank[f];
        return bad(P_, at,
                   "field '%s': a value of %zu bytes, over the limit of %zu bytes a field "
                   "(--max-field-bytes)",
                   fd->name, n, P_->max_field);
    }
    const char *nul = esc ? nul_escape(s, n) : NULL;
    if (nul) { /* a NUL would cut the value short wherever it is used as a C string */
        *out = j->blank[f];
        return bad(P_, nul, "field '%s': a NUL character (\\u0000) in a string", fd->name);
    }
    if (type_is_string(kind)) {
        const ArbStr *pv = P_->prev && P_->strings ? P_->prev[f].s : NULL;
        if (pv && !esc && pv->len == n && strmap_bytes_eq(pv->data, s, n)) {
            out->s = pv;
            return 0;
        }
        return make_str(P_, at, s, n, esc, &out->s);
    }
    if (esc) { /* rare: a scalar written with escapes */
        char *d = arena_alloc(P_->ar, n);
        if (!d) return oom_fail(P_, at);
        n = unescape(s, n, d);
        s = d;
    }
    switch (kind) {
    case TY_INT:
        if (scalar_parse_int(s, n, &out->i))
            return bad(P_, at, "field '%s': expected an integer, got the string \"%s\"", fd->name,
                       snip(buf, sizeof buf, s, n));
        return 0;
    case TY_MONEY:
        if (scalar_parse_money(s, n, &out->i))
            return bad(P_, at, "field '%s': \"%s\" is not a money amount (at most 2 decimals)",
                       fd->name, snip(buf, sizeof buf, s, n));
        return 0;
    case TY_ENUM: {
        int k = scalar_enum_index(fd->type.enm, s, n);
        if (k >= 0) {
            out->i = k;
            return 0;
        }
        char members[160];
        scalar_enum_spellings(fd->type.enm, members, sizeof members);
        return bad(P_, at, "field '%s': '%s' is not one of %s", fd->name,
                   snip(buf, sizeof buf, s, n), members);
    }
    case TY_LIST:
        return bad(P_, at, "field '%s': expected %s, got a string", fd->name, expected(kind));
    default: {
        const char *why = scalar_parse(&fd->type, s, n, P_->ar, out);
        if (why)
            return bad(P_, at, "field '%s': \"%s\" is %s", fd->name, snip(buf, sizeof buf, s, n),
                       why);
        return 0;
    }
    }
}

/* make_str of a plain string (no escapes, 0 < n <= the field limit), for
 * the record loop: inline but for the map's look-up (with P_->strings)
 * and the hashes (without), which wait. */
static inline int plain_str(P *P_, const char *at, const char *s, size_t n, const ArbStr **out) {
    if (P_->strings) {
        uint32_t mh = strmap_hash(P_->strings, s, n);
        return pend_str(P_, out, at, s, n, mh);
    }
    ArbStr *a = new_str(P_, s, n);
    if (!a) return oom_fail(P_, at);
    *out = a;
    if (P_->no_hash) {
        a->hash = 0;
    } else { /* hashed later, with three others (hash_flush) */
        if (P_->nunhashed == HASH_MAX) hash_flush(P_);
        P_->unhashed[P_->nunhashed++] = a;
    }
    return 0;
}

/* Parses the value at P_->p into field f of a record (the general path:
 * the record loop has tried the fast paths). */
static int parse_field(P *P_, const JRec *j, int f, Value *out) {
    const Field *fd = &j->rt->fields[f];
    uint8_t kind = fd->type.kind;
    const char *at = P_->p;
    char c = *at, buf[48];
    const char *s;
    size_t n;
    int is_int;
    switch (c) {
    case 'n':
        if (literal(P_, "null", 4)) return -1;
        *out = j->blank[f];
        return 0;
    case 't':
    case 'f':
        if (c == 't' ? literal(P_, "true", 4) : literal(P_, "false", 5)) return -1;
        if (kind != TY_BOOL)
            return bad(P_, at, "field '%s': expected %s, got %s", fd->name, expected(kind),
                       c == 't' ? "true" : "false");
        out->i = c == 't';
        return 0;
    case '[':
        if (kind == TY_LIST) return parse_list(P_, j->children[f], fd, &out->l);
        /* fall through */
    case '{':
        if (skip_value(P_)) return -1;
        return bad(P_, at, "field '%s': expected %s, got %s", fd->name, expected(kind),
                   json_kind(c));
    case '"': {
        P_->field = fd->name;
        int esc = scan_string(P_, &s, &n);
        P_->field = NULL;
        if (esc < 0) return -1;
        return string_value(P_, j, f, at, s, n, esc, out);
    }
    default:
        if (scan_number(P_, &s, &n, &is_int)) return -1;
        switch (kind) {
        case TY_INT:
            if (!is_int)
                return bad(P_, at, "field '%s': expected an integer, got %s", fd->name,
                           snip(buf, sizeof buf, s, n));
            if (scalar_parse_int(s, n, &out->i))
                return bad(P_, at, "field '%s': the integer %s is out of range", fd->name,
                           snip(buf, sizeof buf, s, n));
            return 0;
        case TY_MONEY: {
            int bad = memchr(s, 'e', n) || memchr(s, 'E', n) ? money_from_exponent(s, n, &out->i)
                                                             : scalar_parse_money(s, n, &out->i);
            if (bad)
                return fail(P_, at,
                            "field '%s': %s is not a money amount (at most 2 decimals, or out "
                            "of range)",
                            fd->name, snip(buf, sizeof buf, s, n));
            return 0;
        }
        case TY_BOOL:
            if (n == 1 && (s[0] == '0' || s[0] == '1')) return out->i = s[0] - '0', 0;
            return bad(P_, at, "field '%s': expected true or false, got %s", fd->name,
                       snip(buf, sizeof buf, s, n));
        case TY_CODE: return make_str(P_, at, s, n, 0, &out->s);
        default:
            return bad(P_, at, "field '%s': expected %s, got a number", fd->name, expected(kind));
        }
    }
}

/* A key of j's record that is read as no field (f < 0: none has its name;
 * else a derived field): counted in P_->notes under its path, or with
 * strict an error at the key (its opening quote, before P_->p). */
static int unread_key(P *P_, const JRec *j, int f, const char *at, const char *key, size_t klen) {
    const Field *fd = f >= 0 ? &j->rt->fields[f] : NULL;
    if (P_->strict) {
        char buf[48];
        if (fd)
            return bad(P_, at, "'%s' is a derived field (= %s), not read from input", fd->name,
                       fd->formula && *fd->formula ? fd->formula : "...");
        return bad(P_, at, "'%s' is not a field of %s", snip(buf, sizeof buf, key, klen),
                   j->rt->name);
    }
    if (!P_->notes) return 0;
    /* a key with no value (null, "") drops nothing: not counted */
    if (*P_->p == 'n' || (P_->end - P_->p >= 2 && P_->p[0] == '"' && P_->p[1] == '"')) return 0;
    const char *lists[MAX_LIST_NESTING + 1];
    for (int i = 0; i < P_->npath; i++) lists[i] = P_->path[i].field;
    char name[160];
    size_t n = notes_path(name, sizeof name, lists, P_->npath, key, klen);
    notes_add(P_->notes, name, n, fd);
    return 0;
}

/* Whether the plain key of field g, "name": (jf), starts at p (at most
 * 16 bytes readable before end: the masked compare needs 16). */
static inline int key_is(const JRec *j, uint32_t g, const char *p, const char *end) {
    const JField *gf = &j->jf[g];
    if (gf->glen <= 16 && end - p >= 16) {
        /* keys of up to 16 bytes: two words compared under their masks */
        uint64_t a = swar_load(p), b = swar_load(p + 8);
        return (((a ^ gf->k0) & gf->m0) | ((b ^ gf->k1) & gf->m1)) == 0;
    }
    return (size_t)(end - p) >= gf->glen && strmap_bytes_eq(j->quoted[g], p, gf->glen);
}

/* p past any whitespace (the common case, none, is two compares). */
static inline const char *skip_ws(const char *p, const char *end) {
    while (p < end && (unsigned char)*p <= ' ' &&
           (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Parses an object at P_->p into a record of j's type: every field starts
 * missing; required and key fields must end up present.  The position is
 * kept in p through the loop and handed to P_->p only around the general
 * code (parse_field, the key scan, skipping, errors). */
static int parse_record(P *P_, const JRec *j, Value *out) {
    const RecordType *rt = j->rt;
    const char *open = P_->p, *p, *const end = P_->end;
    const int fast = P_->fast;
    const size_t max_field = P_->max_field;
    const uint32_t nfields = rt->nfields;
    uint64_t named = 0; /* fields (the first 64) whose value was an error */
    /* fields whose key was read (derived ones too): a key given twice rejects
     * the record (else the last would win silently); unknown keys are not
     * tracked */
    uint64_t seen0 = 0;                               /* the first 64 */
    uint64_t seen_small[4] = {0}, *seen = seen_small; /* the rest, by their word */
    uint32_t guess = 0;                               /* the field expected next */
    if (++P_->depth > MAX_DEPTH) return fail(P_, open, "nesting too deep");
    if (nfields > 64 * 4) {
        size_t words = (nfields + 63) / 64;
        if (!(seen = arena_alloc(P_->ar, words * sizeof(uint64_t)))) return oom_fail(P_, open);
        memset(seen, 0, words * sizeof(uint64_t));
    }
    memcpy(out, j->blank, nfields * sizeof(Value));
    /* with strings shared, the list item before this one (fixed while this
     * record is read: a nested list puts it back) */
    const Value *const prev = P_->strings ? P_->prev : NULL;
    p = skip_ws(open + 1, end); /* after '{' */
    if (p < end && *p == '}') {
        p++;
    } else {
        for (;;) {
            if (p >= end || *p != '"') { /* rare: whitespace, the end, not a key */
                p = skip_ws(p, end);
                if (p >= end) return eof_fail(P_);
                if (*p != '"') return fail(P_, p, "invalid JSON: expected a key in quotes");
            }
            const char *key, *keyat = p;
            size_t klen;
            int f = -1, twice = 0;
            /* the key expected next, or the one after it (a field left
             * out), written plainly: "name": (the scan below would find
             * just that); the reference reading always scans */
            if (fast && guess < nfields && key_is(j, guess, p, end))
                f = (int)guess;
            else if (fast && guess + 1 < nfields && key_is(j, guess + 1, p, end))
                f = (int)guess + 1;
            if (f >= 0) {
                key = NULL; /* keyat + 1, as the rare paths below set it */
                klen = 0;
                p += j->jf[f].glen;
            } else {
                const char *after;
                int esc = scan_string_at(P_, p, end, NULL, &key, &klen, &after);
                if (esc < 0) return -1;
                if (esc) {
                    char *d = arena_alloc(P_->ar, klen + 1);
                    if (!d) return oom_fail(P_, key);
                    klen = unescape(key, klen, d);
                    key = d;
                }
                p = skip_ws(after, end);
                if (p >= end) return eof_fail(P_);
                if (*p != ':') return fail(P_, p, "invalid JSON: expected ':' after a key");
                p++;
                f = find_field(j, key, klen, esc ? klen : (size_t)(end - key), (int)guess);
            }
            if (p >= end || (unsigned char)*p <= ' ') {
                p = skip_ws(p, end);
                if (p >= end) return eof_fail(P_);
            }
            const JField *jf = f >= 0 ? &j->jf[f] : NULL;
            if (jf) {
                guess = (uint32_t)f + 1;
                uint64_t bit = 1ull << (f & 63);
                if (f < 64) {
                    twice = (seen0 & bit) != 0;
                    seen0 |= bit;
                } else {
                    twice = (seen[f >> 6] & bit) != 0;
                    seen[f >> 6] |= bit;
                }
            }
            if ((twice || !jf || jf->derived) && !key)
                key = keyat + 1, klen = jf->glen - 3; /* the key matched as expected */
            if (twice) { /* the record is rejected: which value was meant? */
                char buf[48];
                bad(P_, keyat, "key '%s' given twice in one object",
                    snip(buf, sizeof buf, key, klen));
                P_->p = p;
                if (skip_value(P_)) return -1;
                p = P_->p;
            } else if (!jf || jf->derived) {
                P_->p = p;
                if (unread_key(P_, j, f, keyat, key, klen) || skip_value(P_)) return -1;
                p = P_->p;
            } else {
                const char *q;
                if (fast &&
                    (q = fast_value(jf, *p, p, end, max_field, &P_->date, &out[f])) != NULL) {
                    p = q;
                    goto next; /* a fast path adds no error */
                }
                int before = P_->nerr; /* a bad value is not "missing" as well */
                if (fast && *p == '"') {
                    /* a string: scanned here, read as parse_field reads it */
                    const char *s;
                    size_t n;
                    int esc = scan_string_at(P_, p, end, rt->fields[f].name, &s, &n, &q);
                    if (esc < 0) return -1;
                    const ArbStr *pv;
                    if (esc || n - 1 >= max_field || !type_is_string(jf->kind)) {
                        if (string_value(P_, j, f, p, s, n, esc, &out[f])) return -1;
                    } else if (prev && (pv = prev[f].s) != NULL && pv->len == n &&
                               strmap_bytes_eq(pv->data, s, n)) {
                        out[f].s = pv; /* as string_value reads it */
                    } else if (plain_str(P_, p, s, n, &out[f].s)) {
                        return -1;
                    }
                    p = q;
                } else {
                    P_->p = p;
                    if (parse_field(P_, j, f, &out[f])) return -1;
                    p = P_->p;
                }
                if (P_->nerr > before && f < 64)
                    named |= 1ull << f; /* a bad value: not "missing" as well */
            }
        next:
            if (p < end && *p == ',') { /* the common case first */
                p++;
                continue;
            }
            p = skip_ws(p, end);
            if (p >= end) return eof_fail(P_);
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '}') {
                p++;
                break;
            }
            return fail(P_, p, "invalid JSON: expected ',' or '}'");
        }
    }
    P_->p = p;
    if (P_->npend && pend_flush(P_)) return -1; /* the record's strings, before the check */
    for (uint32_t i = 0; i < j->nreq; i++) {
        const Field *fd = &rt->fields[j->req[i]];
        if (is_missing(fd->type.kind, out[j->req[i]]) &&
            !(j->req[i] < 64 && (named >> j->req[i] & 1)))
            bad(P_, open, "missing required field '%s'", fd->name);
    }
    P_->depth--;
    return 0;
}

/* The claim object in P_'s text (after jsonr_parse has set P_ up). */
static int parse_top(const JsonReader *r, P *P_, Arena *ar, const Value **out) {
    if (P_->end - P_->p >= 3 && memcmp(P_->p, "\xEF\xBB\xBF", 3) == 0) P_->p += 3; /* a BOM */
    ws(P_);
    if (P_->p >= P_->end) return fail(P_, P_->p, "empty record");
    if (*P_->p != '{')
        return fail(P_, P_->p, "a claim must be a JSON object, got %s",
                    *P_->p == '[' || *P_->p == '"' || *P_->p == 't' || *P_->p == 'f' ||
                            *P_->p == 'n' || *P_->p == '-' || (*P_->p >= '0' && *P_->p <= '9')
                        ? json_kind(*P_->p)
                        : _("something else"));
    size_t nf = r->claim->rt->nfields ? r->claim->rt->nfields : 1;
    /* parse_record writes every field (a blank record first) */
    Value *rec = r->claim->rt->nfields ? arena_alloc_raw(ar, nf * sizeof(Value))
                                       : arena_alloc(ar, sizeof(Value));
    if (!rec) return oom_fail(P_, P_->p);
    if (parse_record(P_, r->claim, rec)) return -1;
    ws(P_);
    if (P_->p != P_->end)
        return fail(P_, P_->p, "invalid JSON: text after the end of the claim object");
    *out = rec;
    return 0;
}

int jsonr_parse(const JsonReader *r, const char *p, size_t n, Arena *ar, const Value **out,
                char *errbuf, size_t errcap, size_t *err_off) {
    return jsonr_parse_ex(r, p, n, ar, NULL, out, errbuf, errcap, err_off);
}

int jsonr_parse_shared(const JsonReader *r, const char *p, size_t n, Arena *ar, StrMap *strings,
                       const Value **out, char *errbuf, size_t errcap, size_t *err_off) {
    JsonrOptions o = {strings, NULL, 0, 0, 0, 0};
    return jsonr_parse_ex(r, p, n, ar, &o, out, errbuf, errcap, err_off);
}

/* jsonr_parse_ex, with the value fast paths taken or not. */
static int parse_ex(const JsonReader *r, const char *p, size_t n, Arena *ar, const JsonrOptions *o,
                    const Value **out, char *errbuf, size_t errcap, size_t *err_off, int fast) {
    P P_;
    P_.fast = fast;
    P_.date.valid = 0;
    P_.strings = o ? o->strings : NULL;
    P_.no_hash = o && o->no_hash && !P_.strings;
    P_.notes = o ? o->notes : NULL;
    P_.strict = o ? o->strict : 0;
    P_.base = o ? o->base : 0;
    P_.max_field = o && o->max_field ? o->max_field : JSONR_MAX_FIELD;
    P_.oom = 0;
    P_.field = NULL;
    P_.prev = NULL;
    P_.npend = 0;
    P_.start = P_.p = p;
    P_.end = p + n;
    P_.ar = ar;
    P_.err = errbuf;
    P_.errcap = errcap;
    P_.errlen = 0;
    P_.errpos = NULL;
    P_.nerr = P_.hard = 0;
    P_.depth = P_.npath = 0;
    P_.alloc = r->alloc;
    memset(P_.items, 0, sizeof P_.items);
    Value first[1024]; /* 8 KB: a claim's lines, most often */
    P_.first = P_.items[0].v = first;
    P_.items[0].cap = sizeof first / sizeof *first;
    if (errbuf && errcap) errbuf[0] = 0;
    if (err_off) *err_off = 0;
    if (P_.notes) notes_next_record(P_.notes);
    P_.nunhashed = 0;
    int rc = parse_top(r, &P_, ar, out);
    hash_flush(&P_);
    for (int i = 0; i <= MAX_LIST_NESTING; i++)
        if (P_.items[i].v != first)
            mem_free(r->alloc, P_.items[i].v, P_.items[i].cap * sizeof(Value));
    if (P_.nerr > JSONR_MAX_ERRORS && errbuf && P_.errlen + 1 < errcap)
        snprintf(errbuf + P_.errlen, errcap - P_.errlen, "; and %d more",
                 P_.nerr - JSONR_MAX_ERRORS);
    if (P_.nerr) rc = -1;
    if (rc && err_off) *err_off = (size_t)(P_.errpos - p);
    return rc && P_.oom ? -2 : rc;
}

int jsonr_parse_ex(const JsonReader *r, const char *p, size_t n, Arena *ar, const JsonrOptions *o,
                   const Value **out, char *errbuf, size_t errcap, size_t *err_off) {
    return parse_ex(r, p, n, ar, o, out, errbuf, errcap, err_off, 1);
}

int jsonr_parse_reference(const JsonReader *r, const char *p, size_t n, Arena *ar,
                          const JsonrOptions *o, const Value **out, char *errbuf, size_t errcap,
                          size_t *err_off) {
    return parse_ex(r, p, n, ar, o, out, errbuf, errcap, err_off, 0);
}
