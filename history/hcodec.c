/* hcodec.c — encoding and decoding claim records for the history store
 * (see hcodec.h). */
#include "hcodec.h"

#include <string.h>

#include "hash.h"

#define MAX_DEPTH ARB_MAX_LIST_NESTING

void hcodec_put_varint(StrBuf *b, uint64_t v) {
    char *w = b->cap - b->len >= 10 && !b->oom ? b->p + b->len : sb_reserve(b, 10);
    if (!w) return;
    size_t k = 0;
    while (v >= 0x80) {
        w[k++] = (char)(v | 0x80);
        v >>= 7;
    }
    w[k++] = (char)v;
    b->len += k;
}

int hcodec_get_varint(const char **p, const char *end, uint64_t *v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        unsigned char c = (unsigned char)*(*p)++;
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

static inline uint64_t zigzag(int64_t v) {
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}
static inline int64_t unzigzag(uint64_t u) {
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Kinds a stored field may have: scalars, strings and lists. */
static int storable(uint8_t k) {
    return type_is_int64(k) || type_is_string(k) || k == TY_LIST;
}

static void put_bytes(StrBuf *b, const char *s, size_t n) {
    hcodec_put_varint(b, n);
    sb_putn(b, s, n);
}

static void describe(const RecordType *rt, StrBuf *b, int depth) {
    uint32_t n = 0;
    for (uint32_t f = 0; f < rt->nfields; f++)
        n += rt->fields[f].derived < 0 && storable(rt->fields[f].type.kind);
    hcodec_put_varint(b, n);
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        uint8_t k = fd->type.kind;
        if (fd->derived >= 0 || !storable(k)) continue;
        put_bytes(b, fd->name, fd->name_len);
        sb_putc(b, (char)k);
        if (k == TY_ENUM) {
            hcodec_put_varint(b, fd->type.enm->n);
            for (uint32_t i = 0; i < fd->type.enm->n; i++)
                put_bytes(b, fd->type.enm->members[i], strlen(fd->type.enm->members[i]));
        } else if (k == TY_LIST) {
            if (depth < MAX_DEPTH)
                describe(fd->type.rec, b, depth + 1);
            else
                hcodec_put_varint(b, 0);
        }
    }
}

void hcodec_describe(const RecordType *rt, StrBuf *b) {
    describe(rt, b, 0);
}

static void encode(const RecordType *rt, const Value *r, StrBuf *b, int depth, int hashed) {
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        uint8_t k = fd->type.kind;
        if (fd->derived >= 0 || !storable(k)) continue;
        Value v = r[f];
        if (type_is_string(k)) {
            if (!v.s) {
                hcodec_put_varint(b, 0);
            } else {
                hcodec_put_varint(b, (uint64_t)v.s->len + 1);
                if (hashed) {
                    char h[4];
                    for (int i = 0; i < 4; i++) h[i] = (char)(v.s->hash >> (8 * i));
                    sb_putn(b, h, 4);
                }
                sb_putn(b, v.s->data, v.s->len);
            }
        } else if (k == TY_LIST) {
            if (!v.l || depth >= MAX_DEPTH) {
                hcodec_put_varint(b, 0);
                continue;
            }
            hcodec_put_varint(b, (uint64_t)v.l->n + 1);
            for (uint32_t i = 0; i < v.l->n; i++)
                encode(fd->type.rec, list_item(v.l, i), b, depth + 1, hashed);
        } else {
            hcodec_put_varint(b, v.i == ARB_NULL ? 0 : zigzag(v.i) + 1);
        }
    }
}

void hcodec_encode(const RecordType *rt, uint32_t schema_no, const Value *claim, StrBuf *b) {
    hcodec_put_varint(b, schema_no);
    encode(rt, claim, b, 0, 0);
}

void hcodec_encode_hashed(const RecordType *rt, uint32_t schema_no, const Value *claim, StrBuf *b) {
    hcodec_put_varint(b, schema_no);
    encode(rt, claim, b, 0, 1);
}

/* ------------------------------------------------------ encoding plans */

enum { ENC_INT, ENC_STR, ENC_LIST };

typedef struct HcEncField {
    uint32_t f;              /* field index */
    uint32_t how;            /* ENC_* */
    const struct HcEnc *sub; /* lists: the items' plan (NULL: past MAX_DEPTH, written missing) */
} HcEncField;

struct HcEnc {
    uint32_t n;
    HcEncField *fields;
};

static HcEnc *enc_plan(const RecordType *rt, Arena *ar, int depth) {
    HcEnc *e = arena_alloc(ar, sizeof *e);
    if (!e) return NULL;
    e->n = 0;
    e->fields = arena_alloc(ar, (rt->nfields ? rt->nfields : 1) * sizeof(HcEncField));
    if (!e->fields) return NULL;
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        uint8_t k = fd->type.kind;
        if (fd->derived >= 0 || !storable(k)) continue;
        HcEncField *x = &e->fields[e->n++];
        x->f = f;
        x->sub = NULL;
        x->how = type_is_string(k) ? ENC_STR : k == TY_LIST ? ENC_LIST : ENC_INT;
        if (k == TY_LIST && depth < MAX_DEPTH && !(x->sub = enc_plan(fd->type.rec, ar, depth + 1)))
            return NULL;
    }
    return e;
}

HcEnc *hcodec_enc_plan(const RecordType *rt, Arena *ar) {
    return enc_plan(rt, ar, 0);
}

/* A varint at w (room for 10 bytes); the bytes written. */
static inline size_t put_varint_at(char *w, uint64_t v) {
    size_t k = 0;
    while (v >= 0x80) {
        w[k++] = (char)(v | 0x80);
        v >>= 7;
    }
    w[k++] = (char)v;
    return k;
}

/* A write position with room for more than `need` bytes after w, which
 * is in b (b grown, and w moved with it, when there is not); NULL when
 * memory ran out (b->oom). */
static inline char *ensure(StrBuf *b, char *w, size_t need) {
    if ((size_t)(b->p + b->cap - w) > need) return w;
    b->len = (size_t)(w - b->p);
    return sb_reserve(b, need);
}

/* Writes record r through plan e at w (in b) and returns the position
 * after it (NULL: out of memory).  The bytes are written straight into
 * b's memory and b->len is set by the caller: room is made once for the
 * record's fields (10 bytes each, a varint's most) and again only for a
 * string's bytes and after a list's items. */
static char *encode_with(const HcEnc *e, const Value *r, StrBuf *b, char *w) {
    uint32_t nf = e->n;
    if (!(w = ensure(b, w, (size_t)nf * 10))) return NULL;
    for (uint32_t i = 0; i < nf; i++) {
        const HcEncField *x = &e->fields[i];
        Value v = r[x->f];
        if (x->how == ENC_STR) {
            if (!v.s) {
                *w++ = 0;
                continue;
            }
            size_t n = v.s->len, need = n + (size_t)(nf - i) * 10;
            if ((size_t)(b->p + b->cap - w) <= need && !(w = ensure(b, w, need))) return NULL;
            w += put_varint_at(w, (uint64_t)n + 1);
            memcpy(w, v.s->data, n);
            w += n;
        } else if (x->how == ENC_LIST) {
            if (!v.l || !x->sub) {
                *w++ = 0;
                continue;
            }
            w += put_varint_at(w, (uint64_t)v.l->n + 1);
            for (uint32_t j = 0; j < v.l->n; j++)
                if (!(w = encode_with(x->sub, list_item(v.l, j), b, w))) return NULL;
            if (!(w = ensure(b, w, (size_t)(nf - i) * 10))) return NULL;
        } else {
            w += put_varint_at(w, v.i == ARB_NULL ? 0 : zigzag(v.i) + 1);
        }
    }
    return w;
}

void hcodec_encode_with(const HcEnc *e, uint32_t schema_no, const Value *claim, StrBuf *b) {
    hcodec_put_varint(b, schema_no);
    if (b->oom) return;
    char *w = encode_with(e, claim, b, b->p + b->len);
    if (w) b->len = (size_t)(w - b->p);
}

/* ------------------------------------------------------------- decoding */

/* how a stored field is read (HcField.op) */
enum { HOP_INT, HOP_ENUM, HOP_STR, HOP_LIST };

typedef struct HcField {
    uint8_t kind;       /* stored kind */
    uint8_t op;         /* HOP_: from kind */
    int32_t target;     /* field of the program's record, -1: skipped */
    int32_t *enum_map;  /* stored member -> program member (-1: none) */
    uint32_t nmembers;  /* stored members */
    struct HcPlan *sub; /* lists: the items' plan */
} HcField;

struct HcPlan {
    const RecordType *rt; /* NULL: the values are skipped */
    uint32_t nfields;
    HcField *fields;
    Value *blank; /* rt->nfields values: every field missing */
};

typedef struct Cursor {
    const char *p, *end;
    Arena *ar;
    int damaged;
    int hashed; /* records: each string's hash follows its length */
    /* plans: which fields of the program's records to decode (NULL: all) */
    int (*keep)(void *ud, const RecordType *rt, uint32_t f);
    void *keep_ud;
} Cursor;

static int get_bytes(Cursor *c, const char **s, size_t *n) {
    uint64_t len;
    if (hcodec_get_varint(&c->p, c->end, &len) || len > (uint64_t)(c->end - c->p)) return -1;
    *s = c->p;
    *n = (size_t)len;
    c->p += len;
    return 0;
}

static int compatible(uint8_t stored, uint8_t prog) {
    return stored == prog || (type_is_string(stored) && type_is_string(prog));
}

static HcPlan *plan(Cursor *c, const RecordType *rt, int depth) {
    uint64_t n;
    if (depth > MAX_DEPTH || hcodec_get_varint(&c->p, c->end, &n) || n > 4096) {
        c->damaged = 1;
        return NULL;
    }
    HcPlan *pl = arena_alloc(c->ar, sizeof *pl);
    if (!pl) return NULL;
    pl->rt = rt;
    pl->nfields = (uint32_t)n;
    pl->fields = arena_alloc(c->ar, (n ? n : 1) * sizeof(HcField));
    pl->blank = NULL;
    if (!pl->fields) return NULL;
    if (rt) {
        pl->blank = arena_alloc(c->ar, (rt->nfields ? rt->nfields : 1) * sizeof(Value));
        if (!pl->blank) return NULL;
        for (uint32_t f = 0; f < rt->nfields; f++) {
            uint8_t k = rt->fields[f].type.kind;
            if (type_is_string(k) || k == TY_LIST)
                pl->blank[f].p = NULL;
            else
                pl->blank[f].i = ARB_NULL;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        HcField *hf = &pl->fields[i];
        memset(hf, 0, sizeof *hf);
        const char *name;
        size_t len;
        if (get_bytes(c, &name, &len) || c->p >= c->end) {
            c->damaged = 1;
            return NULL;
        }
        hf->kind = (uint8_t)*c->p++;
        if (!storable(hf->kind)) {
            c->damaged = 1;
            return NULL;
        }
        hf->op = type_is_string(hf->kind) ? HOP_STR
                 : hf->kind == TY_LIST    ? HOP_LIST
                 : hf->kind == TY_ENUM    ? HOP_ENUM
                                          : HOP_INT;
        int32_t t = rt ? record_field_index(rt, name, len) : -1;
        const Field *fd = t >= 0 ? &rt->fields[t] : NULL;
        if (fd && (fd->derived >= 0 || !compatible(hf->kind, fd->type.kind))) fd = NULL, t = -1;
        if (fd && c->keep && !c->keep(c->keep_ud, rt, (uint32_t)t))
            fd = NULL, t = -1; /* skipped: no code reads it */
        hf->target = t;
        if (hf->kind == TY_ENUM) {
            uint64_t m;
            if (hcodec_get_varint(&c->p, c->end, &m) || m > 65536) {
                c->damaged = 1;
                return NULL;
            }
            hf->nmembers = (uint32_t)m;
            hf->enum_map = arena_alloc(c->ar, (m ? m : 1) * sizeof(int32_t));
            if (!hf->enum_map) return NULL;
            for (uint32_t k = 0; k < m; k++) {
                const char *mn;
                size_t ml;
                if (get_bytes(c, &mn, &ml)) {
                    c->damaged = 1;
                    return NULL;
                }
                hf->enum_map[k] = -1;
                for (uint32_t q = 0; fd && q < fd->type.enm->n; q++)
                    if (strlen(fd->type.enm->members[q]) == ml &&
                        memcmp(fd->type.enm->members[q], mn, ml) == 0)
                        hf->enum_map[k] = (int32_t)q;
            }
        } else if (hf->kind == TY_LIST) {
            hf->sub = plan(c, fd ? fd->type.rec : NULL, depth + 1);
            if (!hf->sub) return NULL;
        }
    }
    return pl;
}

HcPlan *hcodec_plan(const char *desc, size_t n, const RecordType *rt, Arena *ar, int *damaged) {
    return hcodec_plan_keep(desc, n, rt, NULL, NULL, ar, damaged);
}

HcPlan *hcodec_plan_keep(const char *desc, size_t n, const RecordType *rt,
                         int (*keep)(void *ud, const RecordType *rt, uint32_t f), void *ud,
                         Arena *ar, int *damaged) {
    Cursor c = {desc, desc + n, ar, 0, 0, keep, ud};
    HcPlan *pl = plan(&c, rt, 0);
    if (pl && c.p != c.end) c.damaged = 1;
    *damaged = c.damaged;
    return c.damaged ? NULL : pl;
}

int64_t hcodec_schema_no(const char *rec, size_t n, size_t *body) {
    const char *p = rec;
    uint64_t v;
    if (hcodec_get_varint(&p, rec + n, &v) || v > INT32_MAX) return -1;
    *body = (size_t)(p - rec);
    return (int64_t)v;
}

/* Decodes one record's fields with pl into dst (NULL: skip them). */
/* The bytes of a value: a varint (hcodec_get_varint's), read inline; most
 * take one byte (0: missing, a short length, a small number or member),
 * times and amounts several. */
static inline __attribute__((always_inline)) int get_u(Cursor *c, uint64_t *u) {
    const unsigned char *p = (const unsigned char *)c->p, *end = (const unsigned char *)c->end;
    if (p < end && !(*p & 0x80)) {
        *u = *p;
        c->p++;
        return 0;
    }
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
        unsigned char b = *p++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *u = r;
            c->p = (const char *)p;
            return 0;
        }
    }
    return -1;
}

/* n bytes of the arena, 8-aligned, not zeroed: the bump inline, the rest
 * (a new chunk) through arena_alloc_raw. */
static inline void *bump(Arena *ar, size_t n) {
    n = (n + 7) & ~(size_t)7;
    if ((size_t)(ar->end - ar->ptr) < n) return arena_alloc_raw(ar, n);
    void *p = ar->ptr;
    ar->ptr += n;
    return p;
}

static int decode(Cursor *c, const HcPlan *pl, Value *dst) {
    const HcField *hf = pl->fields, *last = hf + pl->nfields;
    for (; hf < last; hf++) {
        uint64_t u;
        if (get_u(c, &u)) return -1;
        if (u == 0) continue; /* missing: the blank's null */
        Value *out = dst && hf->target >= 0 ? &dst[hf->target] : NULL;
        switch (hf->op) {
        case HOP_STR: {
            size_t len = (size_t)(u - 1), avail = (size_t)(c->end - c->p);
            if (u - 1 > (uint64_t)avail) return -1;
            const char *bytes = c->p;
            if (c->hashed) { /* the string's hash, then its bytes */
                if (avail - len < 4) return -1;
                bytes += 4;
            }
            if (out) {
                ArbStr *a = bump(c->ar, sizeof(ArbStr) + len + 1);
                if (!a) return -2;
                a->len = (uint32_t)len;
                if (c->hashed) {
                    const unsigned char *h = (const unsigned char *)c->p;
                    a->hash = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
                              (uint32_t)h[3] << 24;
                } else {
                    a->hash = str_hash(bytes, len);
                }
                memcpy(a->data, bytes, len);
                a->data[len] = 0;
                out->s = a;
            }
            c->p = bytes + len;
            break;
        }
        case HOP_LIST: {
            uint64_t n = u - 1;
            if (n > (uint64_t)(c->end - c->p)) return -1; /* each item takes a byte at least */
            const HcPlan *sub = hf->sub;
            if (!out) {
                for (uint64_t k = 0; k < n; k++) {
                    int rc = decode(c, sub, NULL);
                    if (rc) return rc;
                }
                break;
            }
            uint32_t width = sub->rt->nfields;
            /* the list and its items in one piece; every item is set from
             * the blank record below */
            ArbList *l =
                bump(c->ar, sizeof *l + (n ? n : 1) * width * sizeof(Value) + sizeof(Value));
            if (!l) return -2;
            Value *items = (Value *)(l + 1);
            l->n = (uint32_t)n;
            l->width = width;
            l->items = items;
            for (uint64_t k = 0; k < n; k++) {
                Value *item = items + k * width;
                memcpy(item, sub->blank, width * sizeof(Value));
                int rc = decode(c, sub, item);
                if (rc) return rc;
            }
            out->l = l;
            break;
        }
        case HOP_ENUM: {
            int64_t v = unzigzag(u - 1);
            /* a member past the stored enum's is damage, whether the
             * field is decoded or skipped (the same records are refused) */
            if (v < 0 || (uint64_t)v >= hf->nmembers) return -1;
            if (out && hf->enum_map[v] >= 0) /* else a member the program no longer has */
                out->i = hf->enum_map[v];
            break;
        }
        default:
            if (out) out->i = unzigzag(u - 1);
        }
    }
    return 0;
}

static int decode_into(const HcPlan *plan, const char *rec, size_t n, Arena *ar, Value *dst,
                       int hashed) {
    Cursor c = {rec, rec + n, ar, 0, hashed, NULL, NULL};
    memcpy(dst, plan->blank, plan->rt->nfields * sizeof(Value));
    int rc = decode(&c, plan, dst);
    if (rc == 0 && c.p != c.end) rc = -1;
    return rc;
}

int hcodec_decode_into(const HcPlan *plan, const char *rec, size_t n, Arena *ar, Value *dst) {
    return decode_into(plan, rec, n, ar, dst, 0);
}

int hcodec_decode_into_hashed(const HcPlan *plan, const char *rec, size_t n, Arena *ar,
                              Value *dst) {
    return decode_into(plan, rec, n, ar, dst, 1);
}

/* Copies one hashed record's fields (plan pl) at c to b without the
 * strings' hashes. */
static int unhash(Cursor *c, const HcPlan *pl, StrBuf *b) {
    for (uint32_t i = 0; i < pl->nfields; i++) {
        const HcField *hf = &pl->fields[i];
        uint64_t u;
        if (hcodec_get_varint(&c->p, c->end, &u)) return -1;
        hcodec_put_varint(b, u);
        if (u == 0) continue;
        if (type_is_string(hf->kind)) {
            size_t avail = (size_t)(c->end - c->p);
            if (u - 1 > (uint64_t)avail || avail - (size_t)(u - 1) < 4) return -1;
            sb_putn(b, c->p + 4, (size_t)(u - 1));
            c->p += 4 + (size_t)(u - 1);
        } else if (hf->kind == TY_LIST) {
            if (u - 1 > (uint64_t)(c->end - c->p)) return -1;
            for (uint64_t k = 0; k < u - 1; k++)
                if (unhash(c, hf->sub, b)) return -1;
        }
    }
    return 0;
}

int hcodec_unhash(const HcPlan *plan, const char *rec, size_t n, StrBuf *b) {
    Cursor c = {rec, rec + n, NULL, 0, 1, NULL, NULL};
    if (unhash(&c, plan, b)) return -1;
    return c.p == c.end ? 0 : -1;
}

int hcodec_decode(const HcPlan *plan, const char *rec, size_t n, Arena *ar, Value **out) {
    Value *dst = arena_alloc(ar, (plan->rt->nfields ? plan->rt->nfields : 1) * sizeof(Value));
    if (!dst) return -2;
    int rc = hcodec_decode_into(plan, rec, n, ar, dst);
    if (rc == 0) *out = dst;
    return rc;
}
