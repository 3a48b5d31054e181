/* profile.c — reading input through a profile (see profile.h): JSON read
 * into a tree by a strict parser of its own (json-c for the rest), CSV rows
 * grouped into claims in the same tree; each claim built straight from the
 * tree along the profile's paths (or, the slow way, written as canonical
 * JSON and read by json_reader); the keys no mapping reads found object by
 * object. */
#include "profile.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "csvstream.h"
#include "hash.h"
#include "hset.h"
#include "i18n.h"
#include "program.h"
#include "strmap.h"
#include "scalar.h"
#include "swar.h"
#include "transcode.h"
#include "utf8.h"

#define PROF_MAX_SEGS 16
#define PROF_MAX_ERRORS 5

/* snprintf for paths: a path cut short only shortens a message. */
static void pathf(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* v in decimal at out (room for 21 bytes), NUL-terminated; its length. */
static size_t u64_text(char *out, uint64_t v) {
    char t[24];
    size_t n = 0;
    do t[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (size_t i = 0; i < n; i++) out[i] = t[n - 1 - i];
    out[n] = 0;
    return n;
}

/* ------------------------------------------------------------------ paths */

typedef struct Seg {
    const char *name; /* NUL-terminated */
    uint32_t len, hash;
    uint8_t arr; /* `name[]` */
} Seg;

/* A path readied for walking: from the object at hand (anchor -2), from
 * the root (-1), or from the current element of the claims path's array
 * segment `anchor`. */
typedef struct PPath {
    int32_t anchor;
    uint32_t nseg;
    Seg *seg;
    const char *text; /* the rest, as written (for messages): "a.b" */
} PPath;

/* Splits path into segments (allocated in ar).  -1 when malformed. */
static int split_path(Arena *ar, const char *path, int *absolute, Seg *out, uint32_t *n) {
    *absolute = 0;
    *n = 0;
    if (strcmp(path, ".") == 0) return 0;
    if (path[0] == '$') {
        if (path[1] != '.') return -1;
        *absolute = 1;
        path += 2;
    }
    const char *s = path;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        int arr = len >= 2 && s[len - 2] == '[' && s[len - 1] == ']';
        size_t nlen = arr ? len - 2 : len;
        if (nlen == 0 || *n >= PROF_MAX_SEGS || memchr(s, '[', nlen) || memchr(s, ']', nlen))
            return -1;
        if (ar) {
            char *name = arena_strndup(ar, s, nlen);
            if (!name) return -1;
            out[*n].name = name;
            out[*n].len = (uint32_t)nlen;
            out[*n].hash = key_hash(name, nlen);
            out[*n].arr = (uint8_t)arr;
        }
        (*n)++;
        if (!dot) return 0;
        s = dot + 1;
    }
}

int prof_path_ok(const char *path) {
    int abs;
    uint32_t n;
    Seg segs[PROF_MAX_SEGS];
    (void)segs;
    return split_path(NULL, path, &abs, NULL, &n);
}

/* A date/datetime pattern read once: its parts in order, each a field
 * (slot 0-5: y M d H m s, of width digits) or a literal byte. */
#define PAT_MAX 32
typedef struct Pat {
    uint8_t n;
    int8_t slot[PAT_MAX]; /* -1: the literal lit[] */
    uint8_t width[PAT_MAX];
    char lit[PAT_MAX];
} Pat;

/* Compiles pattern pat: "yyyy", "MM", "dd", "HH", "mm" and "ss" are
 * fields, any other byte a literal.  -1 when it has over PAT_MAX parts. */
static int pat_compile(const char *pat, Pat *out) {
    out->n = 0;
    for (const char *p = pat; *p; p++) {
        int slot = -1, width = 2;
        if (strncmp(p, "yyyy", 4) == 0)
            slot = 0, width = 4;
        else if (strncmp(p, "MM", 2) == 0)
            slot = 1;
        else if (strncmp(p, "dd", 2) == 0)
            slot = 2;
        else if (strncmp(p, "HH", 2) == 0)
            slot = 3;
        else if (strncmp(p, "mm", 2) == 0)
            slot = 4;
        else if (strncmp(p, "ss", 2) == 0)
            slot = 5;
        if (out->n == PAT_MAX) return -1;
        out->slot[out->n] = (int8_t)slot;
        out->width[out->n] = (uint8_t)(slot < 0 ? 1 : width);
        out->lit[out->n] = *p;
        out->n++;
        if (slot >= 0) p += width - 1;
    }
    return 0;
}

int prof_pattern_ok(const char *p) {
    Pat pt;
    if (pat_compile(p, &pt)) return 0;
    int seen[6] = {0, 0, 0, 0, 0, 0};
    for (uint8_t j = 0; j < pt.n; j++) {
        if (pt.slot[j] >= 0)
            seen[pt.slot[j]]++;
        else if (strchr("yMdHms", pt.lit[j]))
            return 0; /* a lone y, M, d, H, m or s */
    }
    return seen[0] == 1 && seen[1] == 1 && seen[2] == 1;
}

/* Reads s (n bytes) by the compiled pattern pt into canonical text
 * ("YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" for datetimes).  -1 when it does
 * not match. */
static int by_pat(const Pat *pt, const char *s, size_t n, int datetime, char *out, size_t cap) {
    int v[6] = {0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (uint8_t j = 0; j < pt->n; j++) {
        if (pt->slot[j] < 0) {
            if (i >= n || s[i] != pt->lit[j]) return -1;
            i++;
            continue;
        }
        int x = 0;
        for (int k = 0; k < pt->width[j]; k++, i++) {
            if (i >= n || s[i] < '0' || s[i] > '9') return -1;
            x = x * 10 + (s[i] - '0');
        }
        v[pt->slot[j]] = x;
    }
    if (i != n) return -1;
    size_t len = datetime ? 19 : 10;
    if (cap <= len) return -1;
    out[0] = (char)('0' + v[0] / 1000), out[1] = (char)('0' + v[0] / 100 % 10);
    out[2] = (char)('0' + v[0] / 10 % 10), out[3] = (char)('0' + v[0] % 10);
    static const char sep[6] = {0, '-', '-', 'T', ':', ':'};
    for (int k = 1; k < 6 && (size_t)(3 * k + 3) < len + 1; k++) {
        out[3 * k + 1] = sep[k];
        out[3 * k + 2] = (char)('0' + v[k] / 10);
        out[3 * k + 3] = (char)('0' + v[k] % 10);
    }
    out[len] = 0;
    return 0;
}

/* ---------------------------------------------------------------- readying */

typedef struct RMap {
    const ProfMap *m;
    const Field *fd;
    PPath path;
    int32_t want;      /* its key in the record's object: a slot of fill_slots, or -1 (walked) */
    Pat *pats;         /* its formats compiled (NULL: one was too long, none match) */
    uint32_t *dictlen; /* its dict's codes' lengths, or NULL */
} RMap;

typedef struct RRec {
    const ProfRecord *r;
    const RecordType *rt;
    const char *field; /* the claim's list field ("" for the claim) */
    PPath path;
    RMap *maps;
    uint32_t nmaps;
    Value *blank;  /* the record with every field missing (the direct build) */
    uint32_t *req; /* fields the reader requires (required or key, not derived) */
    uint32_t nreq;
    /* the keys of the record's object its mappings and (the claim) its
     * lists read, found in one pass over the object (fill_slots): */
    uint32_t nwant, wmask;
    int32_t *wtab;    /* by key_hash: the first want of a key, or -1 */
    const Seg **wseg; /* per want: its key */
    int32_t *wnext;   /* the next want of the same key, or -1 */
    int32_t lwant;    /* a list: its want in the claim's record, or -1 */
} RRec;

struct Prof {
    Alloc alloc;
    Arena ar;
    const Profile *pf;
    const RecordType *claim;
    PPath claims; /* JSON */
    RRec *recs;
    uint32_t nrecs;
    StrMap leaves;        /* generic paths of the values read ("a.b[].c"); CSV: columns */
    StrMap containers;    /* their prefixes, and the arrays walked ("a.b[]") */
    StrMap ignores;       /* the `ignore` paths, exactly */
    StrMap kinds;         /* the three above in one, for unread_keys: a path ->
                             its KIND_* bits (one lookup per key of the input) */
    int direct;           /* claims may be built straight from the tree (see direct_claim) */
    struct SNode *snodes; /* JSON: the containers of the input, [0] the document */
    uint32_t nsnodes;
    int oom;
};

const Profile *prof_profile(const Prof *p) {
    return p->pf;
}

const Profile *prof_find(const Program *prog, const char *name) {
    for (uint32_t i = 0; prog && i < prog->nprofiles; i++)
        if (strcmp(prog->profiles[i].name, name) == 0) return &prog->profiles[i];
    return NULL;
}

static int ready_path(Prof *P, const char *text, PPath *out) {
    Seg segs[PROF_MAX_SEGS];
    int abs;
    uint32_t n;
    memset(out, 0, sizeof *out);
    out->anchor = -2;
    out->text = text;
    if (P->pf->format == PROF_CSV) { /* a column name, as it is */
        out->seg = arena_alloc(&P->ar, sizeof(Seg));
        if (!out->seg) return -1;
        out->seg->name = text;
        out->seg->arr = strcmp(text, "rows[]") == 0;
        if (out->seg->arr) out->seg->name = "rows";
        out->seg->len = (uint32_t)strlen(out->seg->name);
        out->seg->hash = key_hash(out->seg->name, out->seg->len);
        out->nseg = strcmp(text, ".") == 0 ? 0 : 1;
        return 0;
    }
    Arena *ar = &P->ar;
    if (split_path(ar, text, &abs, segs, &n)) return -1;
    uint32_t from = 0;
    if (abs) {
        out->anchor = -1;
        for (uint32_t i = 0; i < n && i < P->claims.nseg; i++) {
            if (strcmp(segs[i].name, P->claims.seg[i].name) || segs[i].arr != P->claims.seg[i].arr)
                break;
            if (segs[i].arr) out->anchor = (int32_t)i, from = i + 1;
        }
    }
    out->nseg = n - from;
    out->seg = arena_alloc(ar, (out->nseg + 1) * sizeof(Seg));
    if (!out->seg) return -1;
    memcpy(out->seg, segs + from, out->nseg * sizeof(Seg));
    return 0;
}

/* Records generic path g (and its prefixes as containers). */
static void note_generic(Prof *P, const char *g, int leaf) {
    char *c = arena_strndup(&P->ar, g, strlen(g));
    if (!c) {
        P->oom = 1;
        return;
    }
    strmap_put(leaf ? &P->leaves : &P->containers, c, strlen(c), c, &P->oom);
    for (char *d = c + strlen(c); d > c; d--)
        if (*d == '.') strmap_put(&P->containers, c, (size_t)(d - c), c, &P->oom);
}

/* A container of the input at a generic path ("input.data",
 * "input.data.patient_dtos[]"): the keys of its objects the profile knows,
 * each with its KIND_* bits and the containers below it, so that the keys
 * of a document are judged object by object, with no path built. */
typedef struct SKey {
    const char *key;
    uint32_t klen, khash;
    uint8_t kind;
    int32_t obj, arr; /* KIND_OBJ: the container path.key; KIND_ARR: path.key[]; else -1 */
} SKey;

typedef struct SNode {
    const char *path; /* generic, "" for the document */
    uint32_t plen;
    SKey *keys;
    uint32_t nkeys, mask;
    int32_t *tab; /* keys by key_hash, or -1 */
} SNode;

#define KIND_ARR 1  /* path + "[]" is a container */
#define KIND_OBJ 2  /* path is a container */
#define KIND_READ 4 /* path is read by a mapping, or ignored */

static void kind_add(Prof *P, const char *k, size_t n, uint8_t bit) {
    uint8_t *f = strmap_get(&P->kinds, k, n);
    if (!f) {
        if (!(f = arena_alloc(&P->ar, 1))) {
            P->oom = 1;
            return;
        }
        *f = 0;
        strmap_put(&P->kinds, k, n, f, &P->oom);
    }
    *f |= bit;
}

static void kinds_of(Prof *P, const StrMap *m, uint8_t bit) {
    for (uint32_t i = 0; i < m->cap; i++) {
        const StrMapEntry *e = &m->e[i];
        if (!e->key) continue;
        kind_add(P, e->key, e->len, bit);
        if (bit == KIND_OBJ && e->len >= 2 && memcmp(e->key + e->len - 2, "[]", 2) == 0)
            kind_add(P, e->key, e->len - 2, KIND_ARR);
    }
}

/* The container at generic path p (n bytes), made when new; -1 out of memory. */
static int32_t snode_at(Prof *P, const char *p, size_t n, uint32_t *cap) {
    for (uint32_t i = 0; i < P->nsnodes; i++)
        if (P->snodes[i].plen == n && memcmp(P->snodes[i].path, p, n) == 0) return (int32_t)i;
    if (P->nsnodes == *cap) {
        SNode *g = arena_alloc(&P->ar, 2 * *cap * sizeof(SNode));
        if (!g) return -1;
        memcpy(g, P->snodes, P->nsnodes * sizeof(SNode));
        P->snodes = g;
        *cap *= 2;
    }
    char *c = arena_strndup(&P->ar, p, n);
    if (!c) return -1;
    SNode *sn = &P->snodes[P->nsnodes];
    memset(sn, 0, sizeof *sn);
    sn->path = c;
    sn->plen = (uint32_t)n;
    return (int32_t)P->nsnodes++;
}

/* The container at generic path p (n bytes), or -1. */
static int32_t snode_find(const Prof *P, const char *p, size_t n) {
    for (uint32_t i = 0; i < P->nsnodes; i++)
        if (P->snodes[i].plen == n && memcmp(P->snodes[i].path, p, n) == 0) return (int32_t)i;
    return -1;
}

/* The containers of the input and their keys, from P->kinds: a path
 * "a.b" with its bits is key "b" of the container "a".  A path whose last
 * key ends in "[]" is only reached by unread_keys' fallback (a key of the
 * input written so). */
static int ready_snodes(Prof *P) {
    uint32_t cap = 8;
    P->snodes = arena_alloc(&P->ar, cap * sizeof(SNode));
    if (!P->snodes || snode_at(P, "", 0, &cap) < 0) return -1;
    for (int pass = 0; pass < 3; pass++) {
        for (uint32_t i = 0; i < P->kinds.cap; i++) {
            const StrMapEntry *e = &P->kinds.e[i];
            if (!e->key) continue;
            uint8_t kind = *(const uint8_t *)e->value;
            const char *p = e->key;
            size_t n = e->len, d = n;
            while (d > 0 && p[d - 1] != '.') d--;
            int32_t parent = snode_at(P, p, d ? d - 1 : 0, &cap), obj = -1, arr = -1;
            if (parent < 0) return -1;
            if (kind & KIND_OBJ) obj = snode_at(P, p, n, &cap);
            if (kind & KIND_ARR) {
                char *pa = arena_alloc(&P->ar, n + 3);
                if (!pa) return -1;
                memcpy(pa, p, n);
                memcpy(pa + n, "[]", 3);
                arr = snode_at(P, pa, n + 2, &cap);
            }
            if (((kind & KIND_OBJ) && obj < 0) || ((kind & KIND_ARR) && arr < 0)) return -1;
            if (n - d >= 2 && memcmp(p + n - 2, "[]", 2) == 0) continue;
            SNode *sn = &P->snodes[parent];
            if (pass == 0) { /* count */
                sn->nkeys++;
            } else if (pass == 1) { /* then place */
                SKey *k = &sn->keys[sn->mask++];
                k->key = p + d;
                k->klen = (uint32_t)(n - d);
                k->khash = key_hash(k->key, k->klen);
                k->kind = kind;
                k->obj = obj;
                k->arr = arr;
            }
        }
        for (uint32_t j = 0; j < P->nsnodes && pass < 2; j++) {
            SNode *sn = &P->snodes[j];
            if (pass == 0) {
                sn->keys = arena_alloc(&P->ar, (sn->nkeys + 1) * sizeof(SKey));
                if (!sn->keys) return -1;
                sn->mask = 0; /* keys placed so far */
                continue;
            }
            uint32_t tcap = 8;
            while (tcap < 2 * sn->nkeys) tcap *= 2;
            sn->mask = tcap - 1;
            sn->tab = arena_alloc(&P->ar, tcap * sizeof(int32_t));
            if (!sn->tab) return -1;
            memset(sn->tab, 0xff, tcap * sizeof(int32_t));
            for (uint32_t k = 0; k < sn->nkeys; k++) {
                uint32_t t = sn->keys[k].khash & sn->mask;
                while (sn->tab[t] >= 0) t = (t + 1) & sn->mask;
                sn->tab[t] = (int32_t)k;
            }
        }
    }
    return 0;
}

static const char *join(Prof *P, const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = arena_alloc(&P->ar, n);
    if (!s) return P->oom = 1, "";
    if (!*a)
        snprintf(s, n, "%s", b);
    else if (!*b || strcmp(b, ".") == 0)
        snprintf(s, n, "%s", a);
    else
        snprintf(s, n, "%s.%s", a, b);
    return s;
}

#define PROF_MAX_WANTS 64

/* The wants of record rr (and of the claim, its lists' keys). */
static int ready_wants(Prof *P, RRec *rr, int claim) {
    uint32_t n = 0;
    for (uint32_t k = 0; k < rr->nmaps; k++) {
        RMap *rm = &rr->maps[k];
        rm->want = -1;
        if (rm->m->path && !rm->m->position && rm->path.anchor == -2 && rm->path.nseg == 1)
            rm->want = (int32_t)n++;
    }
    for (uint32_t i = 1; claim && i < P->nrecs; i++) {
        RRec *lr = &P->recs[i];
        lr->lwant = -1;
        if (lr->path.anchor == -2 && lr->path.nseg == 1) lr->lwant = (int32_t)n++;
    }
    if (n > PROF_MAX_WANTS) { /* walked, all of them */
        for (uint32_t k = 0; k < rr->nmaps; k++) rr->maps[k].want = -1;
        for (uint32_t i = 1; claim && i < P->nrecs; i++) P->recs[i].lwant = -1;
        n = 0;
    }
    uint32_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    rr->nwant = n;
    rr->wmask = cap - 1;
    rr->wtab = arena_alloc(&P->ar, cap * sizeof(int32_t));
    rr->wseg = arena_alloc(&P->ar, (n + 1) * sizeof(Seg *));
    rr->wnext = arena_alloc(&P->ar, (n + 1) * sizeof(int32_t));
    if (!rr->wtab || !rr->wseg || !rr->wnext) return -1;
    memset(rr->wtab, 0xff, cap * sizeof(int32_t));
    for (uint32_t k = 0; k < rr->nmaps; k++)
        if (rr->maps[k].want >= 0) rr->wseg[rr->maps[k].want] = &rr->maps[k].path.seg[0];
    for (uint32_t i = 1; claim && i < P->nrecs; i++)
        if (P->recs[i].lwant >= 0) rr->wseg[P->recs[i].lwant] = &P->recs[i].path.seg[0];
    for (uint32_t w = 0; w < n; w++) {
        const Seg *g = rr->wseg[w];
        rr->wnext[w] = -1;
        uint32_t t = g->hash & rr->wmask;
        for (; rr->wtab[t] >= 0; t = (t + 1) & rr->wmask) {
            const Seg *o = rr->wseg[rr->wtab[t]];
            if (o->len == g->len && memcmp(o->name, g->name, g->len) == 0) break;
        }
        if (rr->wtab[t] < 0) {
            rr->wtab[t] = (int32_t)w;
        } else { /* a key read twice: at the end of its chain */
            int32_t e = rr->wtab[t];
            while (rr->wnext[e] >= 0) e = rr->wnext[e];
            rr->wnext[e] = (int32_t)w;
        }
    }
    return 0;
}

/* Readies the direct build: each record's blank and required fields.  0
 * when the profile writes a claim the direct build would not read as the
 * reader does: a field given twice (a list read by two records, two
 * mappings of one field), a derived field or a list read as a value. */
static int direct_ok(Prof *P) {
    int ok = 1;
    uint8_t *lists = arena_alloc(&P->ar, P->claim->nfields + 1); /* the claim's fields read */
    if (!lists) return P->oom = 1, 0;
    memset(lists, 0, P->claim->nfields + 1);
    for (uint32_t i = 0; i < P->nrecs; i++) {
        RRec *rr = &P->recs[i];
        const RecordType *rt = rr->rt;
        size_t nf = rt->nfields ? rt->nfields : 1;
        rr->blank = arena_alloc(&P->ar, nf * sizeof(Value));
        rr->req = arena_alloc(&P->ar, nf * sizeof(uint32_t));
        uint8_t *seen = arena_alloc(&P->ar, nf);
        if (!rr->blank || !rr->req || !seen) return P->oom = 1, 0;
        memset(seen, 0, nf);
        if (ready_wants(P, rr, i == 0)) return P->oom = 1, 0;
        for (uint32_t f = 0; f < rt->nfields; f++) {
            const Field *fd = &rt->fields[f];
            if (type_is_string(fd->type.kind) || fd->type.kind == TY_LIST)
                rr->blank[f].p = NULL;
            else
                rr->blank[f].i = ARB_NULL;
            if ((fd->required || fd->key) && fd->derived < 0) rr->req[rr->nreq++] = f;
        }
        for (uint32_t k = 0; k < rr->nmaps; k++) {
            const RMap *rm = &rr->maps[k];
            if (seen[rm->m->field]++ || rm->fd->derived >= 0 || rm->fd->type.kind == TY_LIST)
                ok = 0;
        }
        if (i == 0) {
            for (uint32_t k = 0; k < rr->nmaps; k++) lists[rr->maps[k].m->field] = 1;
            continue;
        }
        int lf = rr->r->list_field;
        if (lf < 0 || (uint32_t)lf >= P->claim->nfields || lists[lf]++ ||
            P->claim->fields[lf].type.kind != TY_LIST)
            ok = 0;
    }
    if (!P->nrecs || P->recs[0].r->list_field >= 0) ok = 0;
    return ok;
}

Prof *prof_new(const Profile *pf, const RecordType *claim, Alloc a) {
    Prof *P = mem_calloc(a, sizeof(Prof));
    if (!P) return NULL;
    P->alloc = a;
    P->pf = pf;
    P->claim = claim;
    arena_init(&P->ar, a, 1 << 12);
    strmap_init(&P->leaves, a);
    strmap_init(&P->containers, a);
    strmap_init(&P->ignores, a);
    strmap_init(&P->kinds, a);
    for (uint32_t k = 0; k < pf->nignore; k++)
        strmap_put(&P->ignores, pf->ignore[k], strlen(pf->ignore[k]), (void *)P, &P->oom);
    int bad = 0;
    const char *cgen = "";
    if (pf->format == PROF_JSON) {
        Seg segs[PROF_MAX_SEGS];
        int abs;
        uint32_t n;
        bad |= split_path(&P->ar, pf->claims, &abs, segs, &n);
        P->claims.anchor = -1;
        P->claims.nseg = n;
        P->claims.seg = arena_alloc(&P->ar, (n + 1) * sizeof(Seg));
        if (P->claims.seg) memcpy(P->claims.seg, segs, n * sizeof(Seg));
        P->claims.text = pf->claims;
        cgen = pf->claims;
        note_generic(P, cgen, 0);
    }
    P->recs = arena_alloc(&P->ar, (pf->nrecords + 1) * sizeof(RRec));
    if (!P->recs || (pf->format == PROF_JSON && !P->claims.seg)) bad = 1;
    for (uint32_t i = 0; !bad && i < pf->nrecords; i++) {
        const ProfRecord *r = &pf->records[i];
        RRec *rr = &P->recs[P->nrecs++];
        memset(rr, 0, sizeof *rr);
        rr->r = r;
        rr->rt = r->list_field < 0 ? claim : claim->fields[r->list_field].type.rec;
        rr->field = r->list_field < 0 ? "" : claim->fields[r->list_field].name;
        const char *rgen = cgen;
        if (r->list_field >= 0) {
            bad |= ready_path(P, r->path, &rr->path);
            rgen = pf->format == PROF_JSON ? join(P, cgen, r->path) : r->path;
            if (pf->format == PROF_JSON) note_generic(P, rgen, 0);
        }
        rr->maps = arena_alloc(&P->ar, (r->nmaps + 1) * sizeof(RMap));
        if (!rr->maps) bad = 1;
        for (uint32_t k = 0; !bad && k < r->nmaps; k++) {
            const ProfMap *m = &r->maps[k];
            RMap *rm = &rr->maps[rr->nmaps++];
            rm->m = m;
            rm->fd = &rr->rt->fields[m->field];
            memset(&rm->path, 0, sizeof rm->path);
            rm->pats = m->nformats ? arena_alloc(&P->ar, m->nformats * sizeof(Pat)) : NULL;
            for (uint32_t f = 0; rm->pats && f < m->nformats; f++)
                if (pat_compile(m->formats[f], &rm->pats[f])) rm->pats = NULL;
            const ProfDict *d = m->dict >= 0 ? &pf->dicts[m->dict] : NULL;
            rm->dictlen = d ? arena_alloc(&P->ar, (d->n + 1) * sizeof(uint32_t)) : NULL;
            for (uint32_t f = 0; rm->dictlen && f < d->n; f++)
                rm->dictlen[f] = (uint32_t)strlen(d->from[f]);
            if (!m->path) continue;
            bad |= ready_path(P, m->path, &rm->path);
            if (pf->format == PROF_CSV)
                note_generic(P, m->path, 1);
            else
                note_generic(P, m->path[0] == '$' ? m->path + 2 : join(P, rgen, m->path), 1);
        }
    }
    P->direct = !bad && direct_ok(P);
    kinds_of(P, &P->containers, KIND_OBJ);
    kinds_of(P, &P->leaves, KIND_READ);
    kinds_of(P, &P->ignores, KIND_READ);
    if (!bad && !P->oom && pf->format == PROF_JSON && ready_snodes(P)) P->oom = 1;
    if (bad || P->oom) {
        prof_free(P);
        return NULL;
    }
    return P;
}

void prof_free(Prof *P) {
    if (!P) return;
    strmap_free(&P->leaves);
    strmap_free(&P->containers);
    strmap_free(&P->ignores);
    strmap_free(&P->kinds);
    arena_free(&P->ar);
    mem_free(P->alloc, P, sizeof *P);
}

/* ------------------------------------------------------- the document tree */

/* A document is read into a tree of PNodes in w->nodes (children by index);
 * its strings and numbers point into the text read, and those with escapes
 * (or from json-c, or a CSV row) are written unescaped in w->strs: no
 * allocation per value, and both buffers are reused from document to
 * document.  A string's bytes are s[0..len), not NUL-terminated.  The
 * parser takes strict JSON of the usual shape only; anything else (json-c's
 * leniencies, a duplicate key, an integer json-c would rewrite, an error)
 * goes to json-c, whose tree is copied into PNodes, or whose error is
 * reported, so that what is read and what is said stay json-c's. */
enum { PN_NULL, PN_BOOL, PN_NUM, PN_STR, PN_OBJ, PN_ARR };

typedef struct PNode {
    uint8_t type, truth;
    uint32_t klen, khash; /* as a member of an object: its key */
    const char *key;
    const char *s;  /* string or number (as written): s[0..len) */
    size_t len;     /* its bytes; object, array: the number of children */
    int32_t first;  /* object, array: the first child, -1 if none */
    int32_t parent; /* as a member of an object: the object, else -1 */
    int32_t next;   /* the next child of the same parent, -1 at the end */
} PNode;

#define PN_MAX_DEPTH 30 /* json-c's default limit is 32 */

typedef struct PParse {
    ProfWork *w;
    const char *t;
    size_t n, i;
    int depth;
    int fail; /* not strict JSON of the usual shape (or out of memory: oom) */
    int oom;
} PParse;

static int32_t pn_new(ProfWork *w, uint8_t type, int *oom) {
    if (w->nnodes == w->capnodes &&
        mem_grow(w->alloc, (void **)&w->nodes, sizeof(PNode), &w->capnodes, w->nnodes + 1)) {
        *oom = 1;
        return -1;
    }
    PNode *p = &((PNode *)w->nodes)[w->nnodes];
    memset(p, 0, sizeof *p);
    p->type = type;
    p->first = p->next = p->parent = -1;
    p->key = p->s = "";
    return (int32_t)w->nnodes++;
}

#define PN(w, i) (&((PNode *)(w)->nodes)[i])

/* Links node c as the next member of container `parent`, after *last (-1:
 * none yet), and counts it. */
static void pn_append(ProfWork *w, int32_t parent, int32_t *last, int32_t c) {
    if (*last < 0)
        PN(w, parent)->first = c;
    else
        PN(w, *last)->next = c;
    *last = c;
    PN(w, parent)->len++;
}

/* Room for k more bytes of strings (never moved while a document is read:
 * reserved before). */
static char *pn_str(ProfWork *w, size_t k) {
    if (w->nstrs + k > w->capstrs) return NULL;
    char *s = w->strs + w->nstrs;
    w->nstrs += k;
    return s;
}

static int pn_reserve(ProfWork *w, size_t k) {
    w->nnodes = 0;
    w->nstrs = 0;
    if (k <= w->capstrs) return 0;
    char *s = mem_realloc(w->alloc, w->strs, w->capstrs, k);
    if (!s) return -1;
    w->strs = s;
    w->capstrs = k;
    return 0;
}

static void pp_ws(PParse *p) {
    while (p->i < p->n &&
           (p->t[p->i] == ' ' || p->t[p->i] == '\t' || p->t[p->i] == '\n' || p->t[p->i] == '\r'))
        p->i++;
}

static int hexval(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* A string at p->i (the quote): copied unescaped into w->strs. */
static const char *pp_string(PParse *p, size_t *len) {
    const char *t = p->t;
    size_t i = p->i + 1, start = i;
    while (p->n - i >= 8) { /* 8 bytes at a time to the first '"', '\\' or control byte */
        uint64_t x = swar_load(t + i);
        if (swar_eq(x, '"') | swar_eq(x, '\\') | swar_below(x, 0x20)) break;
        i += 8;
    }
    while (i < p->n && t[i] != '"' && t[i] != '\\' && (unsigned char)t[i] >= 0x20) i++;
    if (i < p->n && t[i] == '"') { /* no escapes, the common case: the text itself */
        *len = i - start;
        p->i = i + 1;
        return t + start;
    }
    char *s = pn_str(p->w, 0), *o = s;
    size_t k = start;
    for (;;) {
        if (k >= p->n || (unsigned char)t[k] < 0x20) return p->fail = 1, NULL;
        char c = t[k];
        if (c == '"') break;
        if (c != '\\') {
            *o++ = c, k++;
            continue;
        }
        if (k + 1 >= p->n) return p->fail = 1, NULL;
        char e = t[k + 1];
        k += 2;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned u = 0;
            for (int j = 0; j < 4; j++) {
                int h = k + (size_t)j < p->n ? hexval(t[k + (size_t)j]) : -1;
                if (h < 0) return p->fail = 1, NULL;
                u = u * 16 + (unsigned)h;
            }
            k += 4;
            if (u == 0 || (u >= 0xD800 && u <= 0xDFFF)) return p->fail = 1, NULL;
            if (u < 0x80) {
                *o++ = (char)u;
            } else if (u < 0x800) {
                *o++ = (char)(0xC0 | (u >> 6));
                *o++ = (char)(0x80 | (u & 0x3F));
            } else {
                *o++ = (char)(0xE0 | (u >> 12));
                *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
                *o++ = (char)(0x80 | (u & 0x3F));
            }
            break;
        }
        default: return p->fail = 1, NULL;
        }
    }
    /* the text had k - start bytes for these: o - s <= k - start */
    *o = 0;
    *len = (size_t)(o - s);
    p->w->nstrs += *len + 1;
    if (p->w->nstrs > p->w->capstrs) return p->fail = 1, NULL;
    p->i = k + 1;
    return s;
}

static int32_t pp_value(PParse *p);

static int32_t pp_number(PParse *p) {
    const char *t = p->t;
    size_t i = p->i, start = i, digits = 0;
    int dbl = 0;
    if (i < p->n && t[i] == '-') i++;
    if (i < p->n && t[i] == '0') {
        i++, digits++;
    } else {
        while (i < p->n && t[i] >= '0' && t[i] <= '9') i++, digits++;
    }
    if (!digits) return p->fail = 1, -1;
    if (i < p->n && t[i] == '.') {
        dbl = 1, i++;
        size_t f = i;
        while (i < p->n && t[i] >= '0' && t[i] <= '9') i++;
        if (i == f) return p->fail = 1, -1;
    }
    if (i < p->n && (t[i] == 'e' || t[i] == 'E')) {
        dbl = 1, i++;
        if (i < p->n && (t[i] == '+' || t[i] == '-')) i++;
        size_t f = i;
        while (i < p->n && t[i] >= '0' && t[i] <= '9') i++;
        if (i == f || i - f > 2) return p->fail = 1, -1;
    }
    /* json-c writes an integer anew ("-0" as 0; a long one saturated) */
    if (!dbl && (digits > 18 || (i - start == 2 && t[start] == '-' && t[start + 1] == '0')))
        return p->fail = 1, -1;
    if (i - start > 40) return p->fail = 1, -1;
    int32_t k = pn_new(p->w, PN_NUM, &p->oom);
    if (k < 0) return p->fail = 1, -1;
    PN(p->w, k)->s = t + start;
    PN(p->w, k)->len = i - start;
    p->i = i;
    return k;
}

static int32_t pp_word(PParse *p, const char *word, uint8_t type, uint8_t truth) {
    size_t l = strlen(word);
    if (p->n - p->i < l || memcmp(p->t + p->i, word, l) != 0) return p->fail = 1, -1;
    p->i += l;
    int32_t k = pn_new(p->w, type, &p->oom);
    if (k < 0) return p->fail = 1, -1;
    PN(p->w, k)->truth = truth;
    PN(p->w, k)->s = truth ? "true" : "false";
    PN(p->w, k)->len = truth ? 4 : 5;
    return k;
}

static int32_t pp_container(PParse *p, int obj) {
    int32_t k = pn_new(p->w, obj ? PN_OBJ : PN_ARR, &p->oom);
    if (k < 0 || ++p->depth > PN_MAX_DEPTH) return p->fail = 1, -1;
    p->i++;
    pp_ws(p);
    int32_t last = -1;
    size_t count = 0;
    uint64_t seen[4] = {0, 0, 0, 0}; /* the keys' hashes so far, 1 bit each */
    if (p->i < p->n && p->t[p->i] == (obj ? '}' : ']')) {
        p->i++;
        p->depth--;
        return k;
    }
    for (;;) {
        const char *key = NULL;
        size_t kl = 0;
        uint32_t kh = 0;
        if (obj) {
            if (p->i >= p->n || p->t[p->i] != '"' || !(key = pp_string(p, &kl)))
                return p->fail = 1, -1;
            kh = key_hash(key, kl); /* (no NUL in it: \\u0000 goes to json-c) */
            uint64_t bit = (uint64_t)1 << (kh & 63);
            if (seen[(kh >> 6) & 3] & bit) /* maybe seen: look */
                for (int32_t c = PN(p->w, k)->first; c >= 0; c = PN(p->w, c)->next)
                    if (PN(p->w, c)->khash == kh && PN(p->w, c)->klen == kl &&
                        memcmp(PN(p->w, c)->key, key, kl) == 0)
                        return p->fail = 1, -1; /* a duplicate key: json-c keeps the last */
            seen[(kh >> 6) & 3] |= bit;
            pp_ws(p);
            if (p->i >= p->n || p->t[p->i] != ':') return p->fail = 1, -1;
            p->i++;
        }
        pp_ws(p);
        int32_t v = pp_value(p);
        if (v < 0) return p->fail = 1, -1;
        PNode *vn = PN(p->w, v);
        if (obj) vn->key = key, vn->klen = (uint32_t)kl, vn->khash = kh, vn->parent = k;
        if (last < 0)
            PN(p->w, k)->first = v;
        else
            PN(p->w, last)->next = v;
        last = v;
        count++;
        pp_ws(p);
        if (p->i < p->n && p->t[p->i] == ',') {
            p->i++;
            pp_ws(p);
            continue;
        }
        if (p->i < p->n && p->t[p->i] == (obj ? '}' : ']')) {
            p->i++;
            break;
        }
        return p->fail = 1, -1;
    }
    PN(p->w, k)->len = count;
    p->depth--;
    return k;
}

static int32_t pp_value(PParse *p) {
    if (p->fail || p->i >= p->n) return p->fail = 1, -1;
    switch (p->t[p->i]) {
    case '{': return pp_container(p, 1);
    case '[': return pp_container(p, 0);
    case '"': {
        size_t l;
        const char *s = pp_string(p, &l);
        if (!s) return -1;
        int32_t k = pn_new(p->w, PN_STR, &p->oom);
        if (k < 0) return p->fail = 1, -1;
        PN(p->w, k)->s = s;
        PN(p->w, k)->len = l;
        return k;
    }
    case 't': return pp_word(p, "true", PN_BOOL, 1);
    case 'f': return pp_word(p, "false", PN_BOOL, 0);
    case 'n': return pp_word(p, "null", PN_NULL, 0);
    default: return pp_number(p);
    }
}

/* Parses t[0..n) as one JSON object and nothing after it; -1 when it is
 * not strict JSON of that shape (json-c is asked then); -2 out of memory. */
static int32_t pn_parse(ProfWork *w, const char *t, size_t n) {
    if (pn_reserve(w, n + 1)) return -2;
    PParse p = {w, t, n, 0, 0, 0, 0};
    pp_ws(&p);
    if (p.i >= n || t[p.i] != '{') return -1;
    int32_t root = pp_value(&p);
    if (p.oom) return -2;
    if (p.fail || root < 0) return -1;
    pp_ws(&p);
    return p.i == n ? root : -1;
}

/* json-c's tree o as PNodes (strings in w->strs, reserved before). */
static size_t jc_size(json_object *o) {
    size_t k = 1;
    switch (json_object_get_type(o)) {
    case json_type_object: {
        json_object_object_foreach(o, key, v) k += strlen(key) + 1 + jc_size(v);
        return k;
    }
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(o); i++)
            k += jc_size(json_object_array_get_idx(o, i));
        return k;
    case json_type_string: return k + (size_t)json_object_get_string_len(o);
    case json_type_int:
    case json_type_double: return k + strlen(json_object_get_string(o));
    default: return k;
    }
}

static int32_t jc_copy(ProfWork *w, json_object *o, int *oom) {
    json_type jt = json_object_get_type(o);
    int32_t k = pn_new(w,
                       jt == json_type_object    ? PN_OBJ
                       : jt == json_type_array   ? PN_ARR
                       : jt == json_type_string  ? PN_STR
                       : jt == json_type_boolean ? PN_BOOL
                       : jt == json_type_null    ? PN_NULL
                                                 : PN_NUM,
                       oom);
    if (k < 0) return -1;
    int32_t last = -1;
    if (jt == json_type_object) {
        json_object_object_foreach(o, key, v) {
            size_t kl = strlen(key);
            char *ks = pn_str(w, kl + 1);
            int32_t c = jc_copy(w, v, oom);
            if (c < 0 || !ks) return *oom = 1, -1;
            memcpy(ks, key, kl + 1);
            PN(w, c)->key = ks;
            PN(w, c)->klen = (uint32_t)kl;
            PN(w, c)->khash = key_hash(ks, kl);
            PN(w, c)->parent = k;
            pn_append(w, k, &last, c);
        }
    } else if (jt == json_type_array) {
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            int32_t c = jc_copy(w, json_object_array_get_idx(o, i), oom);
            if (c < 0) return -1;
            pn_append(w, k, &last, c);
        }
    } else if (jt == json_type_boolean) {
        PN(w, k)->truth = (uint8_t)json_object_get_boolean(o);
        PN(w, k)->s = PN(w, k)->truth ? "true" : "false";
        PN(w, k)->len = PN(w, k)->truth ? 4 : 5;
    } else if (jt != json_type_null) {
        size_t l = jt == json_type_string ? (size_t)json_object_get_string_len(o)
                                          : strlen(json_object_get_string(o));
        char *s = pn_str(w, l + 1);
        if (!s) return *oom = 1, -1;
        memcpy(s, json_object_get_string(o), l);
        s[l] = 0;
        PN(w, k)->s = s;
        PN(w, k)->len = l;
    }
    return k;
}

/* The member key (kl bytes, key_hash kh) of object node o; NULL if none.
 * Looked for one member after the other: the records' own keys are found
 * in one pass over the object (fill_slots), this is for the few others. */
static const PNode *pn_get(const ProfWork *w, const PNode *o, const char *key, size_t kl,
                           uint32_t kh) {
    const PNode *N = w->nodes;
    for (int32_t c = o->first; c >= 0; c = N[c].next)
        if (N[c].khash == kh && N[c].klen == kl && strmap_bytes_eq(N[c].key, key, kl)) return &N[c];
    return NULL;
}

void prof_work_init(ProfWork *w, Alloc a) {
    memset(w, 0, sizeof *w);
    w->alloc = a;
    sb_init(&w->text, a);
    sb_init(&w->paths, a);
}

void prof_work_free(ProfWork *w) {
    sb_free(&w->text);
    sb_free(&w->paths);
    if (w->tok) json_tokener_free(w->tok);
    mem_free(w->alloc, w->nodes, w->capnodes * sizeof(PNode));
    mem_free(w->alloc, w->strs, w->capstrs);
    mem_free(w->alloc, w->marks, w->capmarks * sizeof *w->marks);
    mem_free(w->alloc, w->claims, w->capclaims * sizeof *w->claims);
    mem_free(w->alloc, w->items, w->capitems * sizeof(Value));
    memset(w, 0, sizeof *w);
}

/* ------------------------------------------------------------- converting */

/* One document being converted. */
typedef struct Conv {
    const Prof *P;
    ProfWork *w;
    const PNode *N;                        /* the document's nodes */
    const PNode *chain[PROF_MAX_SEGS + 1]; /* current element of each array segment of `claims`;
                                              [PROF_MAX_SEGS]: the root */
    char chainp[PROF_MAX_SEGS][256];       /* and its path */
    StrBuf errs;
    int nerr;
    char first_path[256];
    int paths;            /* 0: the fast pass, no paths built, claims built directly; a
                             document with a problem is converted again with paths (1),
                             through canonical text, for its messages */
    int slow;             /* the fast pass met a value the direct build leaves to the slow way */
    int32_t *const *csvw; /* CSV: per record, its wants' children by position (or NULL) */
    int oom;
} Conv;

/* pathf for a path of the document, built only when x->paths. */
#define CPATHF(x, out, cap, ...)                                                                   \
    do {                                                                                           \
        if ((x)->paths)                                                                            \
            pathf(out, cap, __VA_ARGS__);                                                          \
        else                                                                                       \
            (out)[0] = 0;                                                                          \
    } while (0)

static void conv_err(Conv *x, const char *path, const char *fmt, ...) {
    if (x->nerr == 0) pathf(x->first_path, sizeof x->first_path, "%s", path);
    if (x->nerr++ >= PROF_MAX_ERRORS) return;
    if (x->errs.len) sb_puts(&x->errs, "; ");
    if (*path) sb_printf(&x->errs, "%s: ", path);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&x->errs, _(fmt), ap);
    va_end(ap);
}

static void mark(Conv *x, const char *path) {
    ProfWork *w = x->w;
    if (!x->paths) return;
    if (mem_grow(w->alloc, (void **)&w->marks, sizeof *w->marks, &w->capmarks, w->nmarks + 1)) {
        x->oom = 1;
        return;
    }
    w->marks[w->nmarks][0] = w->text.len;
    w->marks[w->nmarks][1] = w->paths.len;
    w->nmarks++;
    sb_puts(&w->paths, path);
    sb_putc(&w->paths, 0);
}

static const char *kind_name(const PNode *v) {
    switch (v ? v->type : PN_NULL) {
    case PN_OBJ: return _("an object");
    case PN_ARR: return _("an array");
    case PN_STR: return _("a string");
    case PN_BOOL: return _("true/false");
    default: return _("a number");
    }
}

/* Follows segs from o (objects only); NULL when absent. */
static const PNode *walk(const Conv *x, const PNode *o, const Seg *s, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        if (!o || o->type != PN_OBJ) return NULL;
        if (!(o = pn_get(x->w, o, s[i].name, s[i].len, s[i].hash))) return NULL;
    }
    return o;
}

/* The path of a value: base, then the segments. */
static void value_path(Conv *x, const char *base, const PPath *pp, char *out, size_t cap) {
    out[0] = 0;
    if (!x->paths) return;
    if (x->P->pf->format == PROF_CSV) {
        pathf(out, cap, "%s%s%s", base, *base ? " " : "", pp->text);
        return;
    }
    const char *b = pp->anchor == -2 ? base : pp->anchor == -1 ? "" : x->chainp[pp->anchor];
    size_t k = (size_t)snprintf(out, cap, "%s", b);
    for (uint32_t i = 0; i < pp->nseg && k < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%s", k ? "." : "", pp->seg[i].name);
}

/* The elements of an array value (a lone object is one; null, "" and
 * absent are none); -1 for anything else. */
static int elements(const PNode *v, size_t *n) {
    *n = 0;
    if (!v || v->type == PN_NULL) return 0;
    if (v->type == PN_ARR) return *n = v->len, 0;
    if (v->type == PN_OBJ) return *n = 1, 0;
    if (v->type == PN_STR && v->len == 0) return 0;
    return -1;
}

/* The first element of v (elements() said it has some), and the one after e. */
static const PNode *first_element(const Conv *x, const PNode *v) {
    return v->type == PN_ARR ? (v->first >= 0 ? &x->N[v->first] : NULL) : v;
}

static const PNode *next_element(const Conv *x, const PNode *v, const PNode *e) {
    return v->type == PN_ARR && e->next >= 0 ? &x->N[e->next] : NULL;
}

/* s as a JSON string: ASCII that needs no escape copied as it is, the rest
 * quoted in one pass into room for the worst case (an escaped control
 * byte, 6 bytes, or U+FFFD per byte). */
static void put_quoted(StrBuf *b, const char *s, size_t n) {
    size_t i = 0;
    while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x80 && s[i] != '"' &&
           s[i] != '\\')
        i++;
    char *w = sb_reserve(b, i == n ? n + 3 : 6 * n + 3);
    if (!w) return;
    if (i == n) {
        w[0] = '"';
        memcpy(w + 1, s, n);
        w[n + 1] = '"';
        b->len += n + 2;
        return;
    }
    b->len += scalar_json_quote(s, n, w, 6 * n + 3);
}

/* The text of field rm of the record at o (path base), as put_field writes
 * it: *s, *n (NULL: the input gives no value), *raw (a JSON number, written
 * unquoted).  num and conv: room for a position and a converted date.
 * -1 after a message naming path. */
static int field_text(Conv *x, const RMap *rm, const PNode *v, const char *base, size_t position,
                      char *path, size_t pathcap, char *num, char *conv, const char **sp,
                      size_t *np, int *rawp) {
    const ProfMap *m = rm->m;
    uint8_t kind = rm->fd->type.kind;
    const char *s = NULL;
    size_t n = 0;
    int raw = 0;
    path[0] = 0;
    if (m->position) {
        n = u64_text(num, position);
        s = num;
        raw = 1;
        CPATHF(x, path, pathcap, "%s", base);
    } else if (m->path) {
        if (x->paths) value_path(x, base, &rm->path, path, pathcap);
        switch (v ? v->type : PN_NULL) {
        case PN_NULL: break;
        case PN_STR:
            s = v->s;
            n = v->len;
            break;
        case PN_NUM:
            s = v->s; /* the number as written */
            n = v->len;
            raw = kind == TY_MONEY || kind == TY_INT;
            break;
        case PN_BOOL:
            s = v->s;
            n = v->len;
            break;
        default:
            conv_err(x, path, "expected a value for '%s', got %s", rm->fd->name, kind_name(v));
            return -1;
        }
        for (uint32_t k = 0; s && k < m->nmissing; k++)
            if (strlen(m->missing[k]) == n && memcmp(m->missing[k], s, n) == 0) s = NULL;
        if (s && n == 0) s = NULL;
        int dict_hit = 0;
        if (s && m->dict >= 0) {
            const ProfDict *d = &x->P->pf->dicts[m->dict];
            for (uint32_t k = 0; k < d->n; k++)
                if ((rm->dictlen ? rm->dictlen[k] : strlen(d->from[k])) == n &&
                    memcmp(d->from[k], s, n) == 0) {
                    s = d->to[k];
                    n = s ? strlen(s) : 0;
                    raw = 0;
                    dict_hit = 1;
                    break;
                }
        }
        if (s && !dict_hit && m->nformats) {
            int ok = 0;
            for (uint32_t k = 0; k < m->nformats && !ok; k++)
                ok = rm->pats && by_pat(&rm->pats[k], s, n, kind == TY_DATETIME, conv, 40) == 0;
            if (!ok) {
                char pats[200];
                size_t pk = 0;
                pats[0] = 0;
                for (uint32_t k = 0; k < m->nformats && pk < sizeof pats; k++)
                    pk += (size_t)snprintf(pats + pk, sizeof pats - pk, "%s%s", k ? _(" or ") : "",
                                           m->formats[k]);
                conv_err(x, path, "'%.*s' is not a %s written %s", (int)(n > 40 ? 40 : n), s,
                         kind == TY_DATE ? "date" : "datetime", pats);
                return -1;
            }
            s = conv;
            n = strlen(conv);
        }
        if (s && kind == TY_INT) { /* "2.00" counts 2 */
            const char *dot = memchr(s, '.', n);
            size_t z = dot ? (size_t)(dot - s) + 1 : n;
            while (dot && z < n && s[z] == '0') z++;
            if (dot && z == n && dot > s) n = (size_t)(dot - s);
        }
    }
    *sp = s;
    *np = n;
    *rawp = raw;
    return 0;
}

/* The node field rm of the record at o reads (NULL: absent); slot: what
 * fill_slots found in o, or NULL to look. */
static const PNode *map_node(const Conv *x, const RMap *rm, const PNode *o,
                             const PNode *const *slot) {
    if (!rm->m->path || rm->m->position) return NULL;
    if (slot && rm->want >= 0) return slot[rm->want];
    const PNode *start = rm->path.anchor == -2   ? o
                         : rm->path.anchor == -1 ? x->chain[PROF_MAX_SEGS]
                                                 : x->chain[rm->path.anchor];
    return walk(x, start, rm->path.seg, rm->path.nseg);
}

/* Writes field rm of the record at o (path base) as `"name":value`, or
 * nothing when it has no value. */
static int put_field(Conv *x, const RMap *rm, const PNode *o, const char *base, size_t position,
                     int *first) {
    const ProfMap *m = rm->m;
    uint8_t kind = rm->fd->type.kind;
    char path[512], num[32], conv[40];
    const char *s;
    size_t n;
    int raw;
    if (field_text(x, rm, map_node(x, rm, o, NULL), base, position, path, sizeof path, num, conv,
                   &s, &n, &raw))
        return 1;
    int given = s != NULL && !m->position;
    /* the value as the field's type: a bad one is named by its path here */
    if (given && !type_is_string(kind) && !(raw && (memchr(s, 'e', n) || memchr(s, 'E', n)))) {
        Value v;
        const char *why = scalar_parse(&rm->fd->type, s, n, NULL, &v);
        if (why && kind == TY_ENUM) {
            char members[200];
            scalar_enum_spellings(rm->fd->type.enm, members, sizeof members);
            conv_err(x, path, "'%.*s' is not a %s: %s", (int)(n > 40 ? 40 : n), s,
                     rm->fd->type.enm->name, members);
            return 1;
        }
        if (why) {
            conv_err(x, path, "'%.*s' for %s is %s", (int)(n > 40 ? 40 : n), s, rm->fd->name, why);
            return 1;
        }
    }
    if (!s && m->deflt) {
        s = m->deflt;
        n = strlen(s);
        raw = 0;
    }
    if (!s) return 0;
    StrBuf *b = &x->w->text;
    if (!*first) sb_putc(b, ',');
    *first = 0;
    put_quoted(b, rm->fd->name, strlen(rm->fd->name));
    sb_putc(b, ':');
    mark(x, path);
    if (raw)
        sb_putn(b, s, n);
    else
        put_quoted(b, s, n);
    return given;
}

/* Writes the record at o; a record of a list with no value from the input
 * (an empty object, a row without a diagnosis) is left out: 0. */
static int put_record(Conv *x, const RRec *rr, const PNode *o, const char *base, size_t position) {
    StrBuf *b = &x->w->text;
    size_t len0 = b->len, marks0 = x->w->nmarks;
    mark(x, base);
    sb_putc(b, '{');
    int first = 1, given = 0;
    for (uint32_t k = 0; k < rr->nmaps; k++)
        given += put_field(x, &rr->maps[k], o, base, position, &first);
    if (rr->r->list_field >= 0 && !given) {
        b->len = len0;
        x->w->nmarks = marks0;
        return 0;
    }
    if (rr->r->list_field < 0) {
        for (uint32_t i = 1; i < x->P->nrecs; i++) {
            const RRec *lr = &x->P->recs[i];
            char lpath[512];
            const PNode *arr = o;
            size_t n = 1;
            if (lr->path.nseg) {
                value_path(x, base, &lr->path, lpath, sizeof lpath);
                arr = walk(x, o, lr->path.seg, lr->path.nseg);
                if (elements(arr, &n)) {
                    conv_err(x, lpath, "expected an array of %s, got %s", lr->field,
                             kind_name(arr));
                    continue;
                }
            } else {
                CPATHF(x, lpath, sizeof lpath, "%s", base);
            }
            if (!n) continue;
            size_t at = b->len;
            sb_putc(b, first ? '"' : ',');
            if (!first) sb_putc(b, '"');
            sb_puts(b, lr->field);
            sb_puts(b, "\":[");
            size_t put = 0;
            const PNode *e = first_element(x, arr);
            for (size_t k = 0; k < n && e; k++, e = next_element(x, arr, e)) {
                char epath[600];
                if (!x->paths) {
                    epath[0] = 0;
                } else if (x->P->pf->format == PROF_CSV && lr->path.nseg) {
                    const PNode *ln = e->type == PN_OBJ
                                          ? pn_get(x->w, e, "\x01line", 5, key_hash("\x01line", 5))
                                          : NULL;
                    pathf(epath, sizeof epath, "line %s:", ln ? ln->s : "?");
                } else if (lr->path.nseg && arr->type == PN_ARR) {
                    pathf(epath, sizeof epath, "%s[%zu]", lpath, k);
                } else {
                    pathf(epath, sizeof epath, "%s", lpath);
                }
                size_t comma = b->len;
                if (put) sb_putc(b, ',');
                if (put_record(x, lr, e, epath, k + 1))
                    put++;
                else
                    b->len = comma;
            }
            if (!put) {
                b->len = at;
                continue;
            }
            first = 0;
            sb_putc(b, ']');
        }
    }
    mark(x, base);
    sb_putc(b, '}');
    return 1;
}

/* ------------------------------------------------------ the direct build */

/* The claims of a document (or a CSV group) are built straight from its
 * tree, with no canonical text between: each value is what the schema's
 * reader (json_reader.c) makes of the text put_field writes for it.  Only
 * what is read the same way for sure is built so: a value the reader would
 * refuse, or read in a way of its own (a string it would escape or mend, an
 * amount in exponent form), makes the document go the slow way (x->slow),
 * where the canonical text is written and read as before, so the claims
 * and every message stay what they were. */

/* A JSON number (RFC 8259's grammar, as json_reader takes it): 1, and
 * *is_int when it has neither fraction nor exponent; 0 if not one. */
static int json_number(const char *s, size_t n, int *is_int) {
    size_t i = 0;
    *is_int = 1;
    if (i < n && s[i] == '-') i++;
    if (i >= n) return 0;
    if (s[i] == '0')
        i++;
    else if (s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        *is_int = 0;
        if (++i >= n || s[i] < '0' || s[i] > '9') return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        *is_int = 0;
        if (++i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= n || s[i] < '0' || s[i] > '9') return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    }
    return i == n;
}

/* Whether s[0..n) is written in a JSON string as it is (put_quoted copies
 * it; the reader takes it back unchanged, with no escape to decode): well
 * formed UTF-8, no control character, no '"' or '\\'. */
static int plain_text(const char *s, size_t n) {
    const unsigned char *q = (const unsigned char *)s, *end = q + n;
    while (end - q >= 8) { /* 8 plain ASCII bytes at a time */
        uint64_t x = swar_load(q);
        if (swar_eq(x, '"') | swar_eq(x, '\\') | swar_ctrl_or_high(x)) break;
        q += 8;
    }
    while (q < end) {
        unsigned c = *q;
        if (c < 0x80) {
            if (c < 0x20 || c == '"' || c == '\\') return 0;
            q++;
            continue;
        }
        int k = utf8_seq_len(q, end);
        if (k <= 0) return 0;
        q += k;
    }
    return 1;
}

/* A code or text as the reader's make_str makes it: shared through
 * o->strings when one is given. */
static int direct_str(Arena *ar, StrMap *strings, const char *s, size_t n, const ArbStr **out) {
    if (strings && (*out = strmap_get(strings, s, n)) != NULL) return 0;
    ArbStr *a = arena_alloc(ar, sizeof(ArbStr) + n + 1);
    if (!a) return -2;
    memcpy(a->data, s, n);
    a->data[n] = 0;
    a->len = (uint32_t)n;
    a->hash = str_hash(a->data, n);
    *out = a;
    if (strings) {
        int oom = 0; /* out of memory: this one is not shared, which is still right */
        const ArbStr *known = strmap_put(strings, a->data, n, a, &oom);
        if (known) *out = known;
    }
    return 0;
}

/* The value of field fd from s[0..n) written as put_field writes it (raw:
 * a JSON number, else a string), as the reader reads that.  -1: not for
 * the direct build (the slow way decides); -2: out of memory. */
static int direct_value(const Field *fd, const char *s, size_t n, int raw, Arena *ar,
                        const JsonrOptions *o, Value *out) {
    uint8_t kind = fd->type.kind;
    if (raw) {
        int is_int;
        if (!json_number(s, n, &is_int)) return -1;
        switch (kind) {
        case TY_INT: return !is_int || scalar_parse_int(s, n, &out->i) ? -1 : 0;
        case TY_MONEY:
            return memchr(s, 'e', n) || memchr(s, 'E', n) || scalar_parse_money(s, n, &out->i) ? -1
                                                                                               : 0;
        case TY_CODE: return direct_str(ar, o->strings, s, n, &out->s);
        default: return -1;
        }
    }
    if (n == 0) { /* "" is missing */
        if (kind == TY_LIST) return -1;
        if (type_is_string(kind))
            out->p = NULL;
        else
            out->i = ARB_NULL;
        return 0;
    }
    size_t max = o->max_field ? o->max_field : JSONR_MAX_FIELD;
    if (n > max || !plain_text(s, n)) return -1;
    switch (kind) {
    case TY_CODE:
    case TY_TEXT: return direct_str(ar, o->strings, s, n, &out->s);
    case TY_INT: return scalar_parse_int(s, n, &out->i) ? -1 : 0;
    case TY_MONEY: return scalar_parse_money(s, n, &out->i) ? -1 : 0;
    case TY_ENUM: {
        int k = scalar_enum_index(fd->type.enm, s, n);
        if (k < 0) return -1;
        out->i = k;
        return 0;
    }
    case TY_BOOL:
    case TY_DATE:
    case TY_DATETIME:
    case TY_DURATION: return scalar_parse(&fd->type, s, n, NULL, out) ? -1 : 0;
    default: return -1;
    }
}

/* The members of object o that record rr reads by their key (walk's
 * answers, in one pass over o): slot[want], NULL when absent. */
static void fill_slots(const Conv *x, const RRec *rr, const PNode *o, const PNode **slot) {
    for (uint32_t k = 0; k < rr->nwant; k++) slot[k] = NULL;
    if (!o || o->type != PN_OBJ || !rr->nwant) return;
    const PNode *N = x->N;
    const int32_t *cw = x->csvw ? x->csvw[rr - x->P->recs] : NULL;
    if (cw) { /* a CSV row: its cells are its children in the order of the columns */
        for (uint32_t k = 0; k < rr->nwant; k++) slot[k] = cw[k] >= 0 ? o + 1 + cw[k] : NULL;
        return;
    }
    for (int32_t c = o->first; c >= 0; c = N[c].next) {
        const PNode *v = &N[c];
        for (uint32_t t = v->khash & rr->wmask; rr->wtab[t] >= 0; t = (t + 1) & rr->wmask) {
            const Seg *g = rr->wseg[rr->wtab[t]];
            if (g->hash != v->khash || g->len != v->klen ||
                !strmap_bytes_eq(g->name, v->key, g->len))
                continue;
            for (int32_t w = rr->wtab[t]; w >= 0; w = rr->wnext[w]) slot[w] = v;
            break;
        }
    }
}

/* Builds the record of rr at o into out.  Returns how many of its fields
 * the input gave (a list's record with none is left out), -1 when the
 * document goes the slow way, -2 when out of memory. */
static int direct_record(Conv *x, const RRec *rr, const PNode *o, size_t position, Value *out,
                         Arena *ar, const JsonrOptions *opt) {
    memcpy(out, rr->blank, rr->rt->nfields * sizeof(Value));
    int given = 0;
    const PNode *slot[PROF_MAX_WANTS];
    fill_slots(x, rr, o, slot);
    for (uint32_t k = 0; k < rr->nmaps; k++) {
        const RMap *rm = &rr->maps[k];
        char path[8], num[32], conv[40];
        const char *s;
        size_t n;
        int raw;
        if (field_text(x, rm, map_node(x, rm, o, slot), "", position, path, sizeof path, num, conv,
                       &s, &n, &raw))
            return -1;
        if (s && !rm->m->position) given++;
        if (!s && rm->m->deflt) s = rm->m->deflt, n = strlen(s), raw = 0;
        if (!s) continue;
        int rc = direct_value(rm->fd, s, n, raw, ar, opt, &out[rm->m->field]);
        if (rc) return rc;
    }
    if (rr->r->list_field >= 0 && !given) return 0;
    for (uint32_t i = 0; i < rr->nreq; i++) {
        const Field *fd = &rr->rt->fields[rr->req[i]];
        const Value *v = &out[rr->req[i]];
        if (type_is_string(fd->type.kind) || fd->type.kind == TY_LIST ? !v->p : v->i == ARB_NULL)
            return -1; /* the reader names it */
    }
    if (rr->r->list_field >= 0) return given;
    ProfWork *w = x->w;
    for (uint32_t i = 1; i < x->P->nrecs; i++) {
        const RRec *lr = &x->P->recs[i];
        const PNode *arr = o;
        size_t n = 1;
        if (lr->path.nseg) {
            arr = lr->lwant >= 0 ? slot[lr->lwant] : walk(x, o, lr->path.seg, lr->path.nseg);
            if (elements(arr, &n)) return -1;
        }
        if (!n) continue;
        size_t width = lr->rt->nfields ? lr->rt->nfields : 1, put = 0;
        const PNode *e = first_element(x, arr);
        for (size_t k = 0; k < n && e; k++, e = next_element(x, arr, e)) {
            if (mem_grow(w->alloc, (void **)&w->items, sizeof(Value), &w->capitems,
                         (put + 1) * width))
                return -2;
            int rc = direct_record(x, lr, e, k + 1, w->items + put * width, ar, opt);
            if (rc < 0) return rc;
            if (rc) put++;
        }
        if (!put) continue;
        ArbList *l = arena_alloc(ar, sizeof(ArbList));
        Value *items = arena_alloc(ar, put * width * sizeof(Value));
        if (!l || !items) return -2;
        memcpy(items, w->items, put * width * sizeof(Value));
        l->n = (uint32_t)put;
        l->width = lr->rt->nfields;
        l->items = items;
        out[lr->r->list_field].l = l;
    }
    return 1;
}

/* One claim built straight from its object o. */
static int direct_claim(Conv *x, const PNode *o, Arena *ar, const JsonrOptions *opt) {
    ProfWork *w = x->w;
    const RecordType *ct = x->P->claim;
    Value *claim = arena_alloc(ar, (ct->nfields ? ct->nfields : 1) * sizeof(Value));
    if (!claim) return -2;
    int rc = direct_record(x, &x->P->recs[0], o, 0, claim, ar, opt);
    if (rc < 0) return rc;
    if (mem_grow(w->alloc, (void **)&w->claims, sizeof *w->claims, &w->capclaims, w->nclaims + 1))
        return -2;
    w->claims[w->nclaims++] = claim;
    return 0;
}

/* Reads the canonical text of one claim with the schema's reader. */
static int read_claim(Conv *x, const JsonReader *jr, Arena *ar, const JsonrOptions *o) {
    ProfWork *w = x->w;
    if (w->text.oom || w->paths.oom || x->oom) return -2;
    const Value *claim;
    char msg[1024];
    size_t off = 0;
    JsonrOptions jo = {o ? o->strings : NULL, NULL, 0, 0, o ? o->max_field : 0, 0};
    int rc = jsonr_parse_ex(jr, w->text.p, w->text.len, ar, &jo, &claim, msg, sizeof msg, &off);
    if (rc == -2) return -2;
    if (rc) {
        const char *path = "";
        for (size_t k = 0; k < w->nmarks && w->marks[k][0] <= off; k++)
            path = w->paths.p + w->marks[k][1];
        conv_err(x, path, "%s", msg);
        return -1;
    }
    if (mem_grow(w->alloc, (void **)&w->claims, sizeof *w->claims, &w->capclaims, w->nclaims + 1))
        return -2;
    w->claims[w->nclaims++] = claim;
    return 0;
}

static void one_claim(Conv *x, const PNode *o, const char *path, const JsonReader *jr, Arena *ar,
                      const JsonrOptions *opt, int *rc) {
    if (!x->paths && x->P->direct && !x->w->via_text) {
        if (x->slow || x->nerr) return; /* the document goes the slow way anyway */
        int r = direct_claim(x, o, ar, opt);
        if (r == -2) *rc = -2;
        if (r == -1) x->slow = 1;
        return;
    }
    sb_clear(&x->w->text);
    sb_clear(&x->w->paths);
    x->w->nmarks = 0;
    int before = x->nerr;
    put_record(x, &x->P->recs[0], o, path, 0);
    if (x->nerr != before) return; /* the value problems say it all */
    int r = read_claim(x, jr, ar, opt);
    if (r == -2) *rc = -2;
}

/* After a fast pass that met a problem: forgets its messages and claims,
 * so that the document is converted again, this time building the paths
 * the messages name (the same conversion, so the same problems). */
static int again(Conv *x, int rc) {
    if ((!x->nerr && !x->slow) || rc == -2 || x->paths) return 0;
    sb_clear(&x->errs);
    x->nerr = 0;
    x->slow = 0;
    x->w->nslow++;
    x->first_path[0] = 0;
    x->w->nclaims = 0;
    x->paths = 1;
    return 1;
}

/* Walks the claims path from segment i at object o (path so far). */
static void claims_at(Conv *x, const PNode *o, uint32_t i, const char *path, const JsonReader *jr,
                      Arena *ar, const JsonrOptions *opt, int *rc) {
    const PPath *cp = &x->P->claims;
    if (*rc == -2) return;
    if (i == cp->nseg) {
        one_claim(x, o, path, jr, ar, opt, rc);
        return;
    }
    char sub[256];
    CPATHF(x, sub, sizeof sub, "%s%s%s", path, *path ? "." : "", cp->seg[i].name);
    const PNode *v = NULL;
    if (!o || o->type != PN_OBJ) {
        conv_err(x, path, "expected an object, got %s", o ? kind_name(o) : _("nothing"));
        return;
    }
    if (!(v = pn_get(x->w, o, cp->seg[i].name, cp->seg[i].len, cp->seg[i].hash)) ||
        (!cp->seg[i].arr && v->type == PN_NULL)) {
        conv_err(x, sub, "missing (the claims are at %s)", cp->text);
        return;
    }
    if (!cp->seg[i].arr) {
        claims_at(x, v, i + 1, sub, jr, ar, opt, rc);
        return;
    }
    size_t n;
    if (elements(v, &n)) {
        conv_err(x, sub, "expected an array (or one object), got %s", kind_name(v));
        return;
    }
    const PNode *e = first_element(x, v);
    for (size_t k = 0; k < n && e; k++, e = next_element(x, v, e)) {
        x->chain[i] = e;
        if (v->type == PN_ARR)
            CPATHF(x, x->chainp[i], sizeof x->chainp[i], "%s[%zu]", sub, k);
        else
            CPATHF(x, x->chainp[i], sizeof x->chainp[i], "%s", sub);
        claims_at(x, e, i + 1, x->chainp[i], jr, ar, opt, rc);
    }
}

static int ignored(const Profile *pf, const char *g) {
    size_t n = strlen(g);
    for (uint32_t k = 0; k < pf->nignore; k++) {
        size_t l = strlen(pf->ignore[k]);
        if (l <= n && memcmp(pf->ignore[k], g, l) == 0 && (g[l] == 0 || g[l] == '.' || g[l] == '['))
            return 1;
    }
    return 0;
}

static int empty_value(const PNode *v) {
    switch (v ? v->type : PN_NULL) {
    case PN_NULL: return 1;
    case PN_STR:
    case PN_ARR:
    case PN_OBJ: return v->len == 0;
    default: return 0;
    }
}

/* Counts (or, strict, reports) the keys under o (an object of container
 * sn) that no mapping reads. */
static void unread_keys(Conv *x, const PNode *o, int32_t sn, const JsonrOptions *opt) {
    const Prof *P = x->P;
    const SNode *S = &P->snodes[sn];
    for (int32_t c = o->first; c >= 0; c = x->N[c].next) {
        const PNode *v = &x->N[c];
        const char *key = v->key;
        size_t kl = v->klen, gl = S->plen, n = gl + (gl ? 1 : 0) + kl;
        if (n + 3 >= 512) continue; /* a path too long to name */
        uint8_t kind = 0;
        int32_t obj = -1, arr = -1;
        const SKey *sk = NULL;
        for (uint32_t t = v->khash & S->mask; S->tab[t] >= 0; t = (t + 1) & S->mask) {
            const SKey *k = &S->keys[S->tab[t]];
            if (k->khash == v->khash && k->klen == kl && strmap_bytes_eq(k->key, key, kl)) {
                sk = k;
                break;
            }
        }
        int pathlike = 0; /* (a key of the table is not: its keys hold no '.', '[' or ']') */
        for (size_t i = 0; !sk && i < kl; i++)
            pathlike |= key[i] == '.' || key[i] == '[' || key[i] == ']';
        if (sk) {
            kind = sk->kind, obj = sk->obj, arr = sk->arr;
        } else if (pathlike) {
            /* a key that reads as a path of its own: looked up as one */
            char sub[512];
            memcpy(sub, S->path, gl);
            if (gl) sub[gl] = '.';
            memcpy(sub + n - kl, key, kl);
            const uint8_t *kf = strmap_get(&P->kinds, sub, n);
            kind = kf ? *kf : 0;
            memcpy(sub + n, "[]", 3);
            if (kind & KIND_ARR) arr = snode_find(P, sub, n + 2);
            if (kind & KIND_OBJ) obj = snode_find(P, sub, n);
            if (((kind & KIND_ARR) && arr < 0) || ((kind & KIND_OBJ) && obj < 0)) continue;
        }
        if (kind & KIND_ARR) {
            size_t k;
            if (elements(v, &k) == 0 && k)
                for (const PNode *e = first_element(x, v); e; e = next_element(x, v, e))
                    if (e->type == PN_OBJ) unread_keys(x, e, arr, opt);
            continue;
        }
        if (kind & KIND_OBJ) {
            if (v->type == PN_OBJ) unread_keys(x, v, obj, opt);
            continue;
        }
        if ((kind & KIND_READ) || empty_value(v)) continue;
        char sub[512];
        memcpy(sub, S->path, gl);
        if (gl) sub[gl] = '.';
        memcpy(sub + n - kl, key, kl);
        sub[n] = 0;
        /* an ignored path is met exactly (the walk does not go below one);
         * the scan of the list is for the rare key no mapping reads */
        if (ignored(P->pf, sub)) continue;
        if (opt->strict)
            conv_err(x, sub, "'%s' is read by no field of input %s", sub + n - kl, P->pf->name);
        else if (opt->notes)
            notes_add(opt->notes, sub, n, NULL);
    }
}

static int finish(Conv *x, int rc, char *errbuf, size_t errcap) {
    if (x->errs.oom) rc = -2;
    if (rc == 0 && x->nerr) rc = -1;
    if (rc == -1 && errbuf && errcap) {
        snprintf(errbuf, errcap, "%s", sb_str(&x->errs));
        if (x->nerr > PROF_MAX_ERRORS) {
            size_t l = strlen(errbuf);
            snprintf(errbuf + l, errcap - l, "; and %d more", x->nerr - PROF_MAX_ERRORS);
        }
    }
    sb_free(&x->errs);
    return rc;
}

/* The byte offset of the value at a path such as "a.b[2].c" in text, or
 * where the search stopped; used for messages only. */
static size_t skip_ws(const char *t, size_t n, size_t i) {
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) i++;
    return i;
}

static size_t skip_json(const char *t, size_t n, size_t i) {
    int depth = 0;
    i = skip_ws(t, n, i);
    do {
        if (i >= n) return n;
        char c = t[i];
        if (c == '"') {
            for (i++; i < n && t[i] != '"'; i++)
                if (t[i] == '\\') i++;
            i++;
        } else if (c == '{' || c == '[') {
            depth++, i++;
        } else if (c == '}' || c == ']') {
            depth--, i++;
        } else if (depth == 0) {
            while (i < n && !strchr(",}] \t\r\n", t[i])) i++;
        } else {
            i++;
        }
    } while (depth > 0);
    return i;
}

static size_t locate(const char *t, size_t n, const char *path) {
    size_t i = skip_ws(t, n, 0);
    while (*path && i < n) {
        const char *end = path + strcspn(path, ".[");
        size_t klen = (size_t)(end - path);
        if (klen) { /* a key of the object at i */
            if (t[i] != '{') return i;
            i = skip_ws(t, n, i + 1);
            int found = 0;
            while (i < n && t[i] == '"') {
                size_t ks = i + 1, ke = ks;
                while (ke < n && t[ke] != '"') ke += t[ke] == '\\' ? 2 : 1;
                i = skip_ws(t, n, ke + 1);
                if (i < n && t[i] == ':') i = skip_ws(t, n, i + 1);
                if (ke - ks == klen && memcmp(t + ks, path, klen) == 0) {
                    found = 1;
                    break;
                }
                i = skip_ws(t, n, skip_json(t, n, i));
                if (i < n && t[i] == ',') i = skip_ws(t, n, i + 1);
            }
            if (!found) return i;
        }
        path = end;
        if (*path == '[') { /* element k of the array at i */
            size_t k = (size_t)strtoul(path + 1, NULL, 10);
            path = strchr(path, ']');
            path = path ? path + 1 : "";
            if (t[i] == '[') {
                i = skip_ws(t, n, i + 1);
                for (size_t e = 0; e < k && i < n; e++) {
                    i = skip_ws(t, n, skip_json(t, n, i));
                    if (i < n && t[i] == ',') i = skip_ws(t, n, i + 1);
                }
            }
        }
        if (*path == '.') path++;
    }
    return i;
}

int prof_read_json(const Prof *P, ProfWork *w, const JsonReader *jr, const char *text, size_t n,
                   Arena *ar, const JsonrOptions *o, char *errbuf, size_t errcap, size_t *err_off) {
    Conv x;
    memset(&x, 0, sizeof x);
    x.P = P;
    x.w = w;
    sb_init(&x.errs, w->alloc);
    w->nclaims = 0;
    if (err_off) *err_off = 0;
    if (errbuf && errcap) errbuf[0] = 0;
    JsonrOptions none = {NULL, NULL, 0, 0, 0, 0};
    if (!o) o = &none;
    if (o->notes) notes_next_record(o->notes);
    size_t start = n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    int32_t top = w->jsonc_only ? -1 : pn_parse(w, text + start, n - start);
    if (top == -2) return finish(&x, -2, errbuf, errcap);
    json_object *root = NULL;
    enum json_tokener_error je = json_tokener_success;
    size_t end = n;
    if (top < 0) { /* not of the usual shape: json-c reads it, or says why not */
        if (!w->tok && !(w->tok = json_tokener_new())) return finish(&x, -2, errbuf, errcap);
        json_tokener *tok = w->tok;
        json_tokener_reset(tok);
        root = json_tokener_parse_ex(tok, text + start, (int)(n - start));
        je = json_tokener_get_error(tok);
        end = start + json_tokener_get_parse_end(tok);
    }
    int rc = 0;
    if (top >= 0) {
        /* read by pn_parse */
    } else if (!root && je == json_tokener_success) { /* the text is "null" */
        conv_err(&x, "", "a request must be a JSON object, got null");
    } else if (!root) {
        conv_err(&x, "", "invalid JSON: %s",
                 je == json_tokener_continue ? "the text ends inside the request"
                                             : json_tokener_error_desc(je));
        if (err_off) *err_off = end;
    } else if (skip_ws(text, n, end) != n) {
        conv_err(&x, "", "invalid JSON: text after the end of the request");
        if (err_off) *err_off = skip_ws(text, n, end);
    } else if (pn_reserve(w, jc_size(root)) || (top = jc_copy(w, root, &x.oom)) < 0) {
        rc = -2;
    } else if (PN(w, top)->type != PN_OBJ) {
        conv_err(&x, "", "a request must be a JSON object, got %s", kind_name(PN(w, top)));
        top = -1;
    }
    json_object_put(root);
    if (top >= 0 && rc == 0) {
        x.N = w->nodes;
        const PNode *doc = &x.N[top];
        x.chain[PROF_MAX_SEGS] = doc;
        claims_at(&x, doc, 0, "", jr, ar, o, &rc);
        if (again(&x, rc)) claims_at(&x, doc, 0, "", jr, ar, o, &rc);
        if (rc == 0 && (o->notes || o->strict)) unread_keys(&x, doc, 0, o);
        if (x.nerr && err_off) *err_off = locate(text, n, x.first_path);
    }
    if (x.oom) rc = -2;
    return finish(&x, rc, errbuf, errcap);
}

/* -------------------------------------------------------------------- CSV */

typedef struct CRow {
    uint64_t start, end; /* in the text: 64-bit, a file may pass 4 GiB */
    uint64_t line;
    int32_t next; /* next row of the same claim, -1 at the end */
} CRow;

typedef struct CGroup {
    int32_t head, tail;
    const char *err; /* a row that could not be read: a rejected record of its own */
} CGroup;

struct ProfCsv {
    Alloc alloc;
    const Prof *P;
    char *path;
    /* the text, UTF-8 (converted when the file is not), and its undecodable
     * bytes; streamed: the text from cs.tbase on, read a piece at a time */
    CStream cs;
    char **cols; /* header names */
    size_t ncols;
    int32_t key_col;
    const char **unread; /* columns no mapping reads */
    size_t nunread;
    uint32_t *colhash, *collen; /* key_hash and length of each header name */
    uint8_t *colskip;           /* COL_SKIP_* bits: a cell that is not a member of its row */
    int32_t **wchild;           /* per record of the profile: its wants' positions among the
                                   children of the row node it is built from (NULL: looked up) */
    int32_t *uchild;            /* per unread column: the position of its cell in a row */
    int uchild_ok;              /* uchild is right (no column is named "\x01line") */
    CRow *rows;
    size_t nrows, caprows;
    CGroup *groups;
    size_t ngroups, capgroups;
    Arena ar;
    int enc;
    /* streamed: rows and groups are those of claims wfrom..wto
     * (prof_csv_load), whose messages are in war */
    int streamed;
    size_t count, wfrom, wto;
    char *curkey; /* the grouping cell of the window's last claim */
    size_t ncurkey, capcurkey;
    Arena war;
};

/* As json-c's objects did: a later column of the same name replaces an
 * earlier one, the row's line replaces a column "\x01line", and the rows
 * of a claim replace a column "rows" of its first row. */
#define COL_SKIP_ROW 1
#define COL_SKIP_HEAD 2
#define COL_DROP_HEAD 4 /* read by nothing in the claim's row (csv_children) */
#define COL_DROP_ROW 8  /* read by nothing in a line's row */
#define HEAD_SKIP (COL_SKIP_ROW | COL_SKIP_HEAD | COL_DROP_HEAD) /* the claim's row node */
#define ROW_SKIP (COL_SKIP_ROW | COL_DROP_ROW)                   /* a line's */

static int add_group(ProfCsv *c, const char *err) {
    if (mem_grow(c->alloc, (void **)&c->groups, sizeof(CGroup), &c->capgroups, c->ngroups + 1))
        return -1;
    c->groups[c->ngroups++] = (CGroup){-1, -1, err};
    return 0;
}

/* The position of the member named name among the children of a row node
 * built with skip (row_node; the claim's, COL_SKIP_HEAD too, has its rows
 * last), or -1. */
static int32_t csv_child(const ProfCsv *c, uint8_t skip, const char *name, size_t len) {
    int32_t at = 0;
    for (size_t k = 0; k < c->ncols; k++) {
        if (c->colskip[k] & skip) continue;
        if (c->collen[k] == len && memcmp(c->cols[k], name, len) == 0) return at;
        at++;
    }
    if (len == 5 && memcmp(name, "\x01line", 5) == 0) return at;
    if ((skip & COL_SKIP_HEAD) && len == 4 && memcmp(name, "rows", 4) == 0) return at + 1;
    return -1;
}

/* The column of the member named name in a row node built with skip, or
 * -1 (none; or the line, or the rows). */
static int32_t csv_col(const ProfCsv *c, uint8_t skip, const char *name, size_t len) {
    for (size_t k = 0; k < c->ncols; k++)
        if (!(c->colskip[k] & skip) && c->collen[k] == len && memcmp(c->cols[k], name, len) == 0)
            return (int32_t)k;
    return -1;
}

/* Where the records' keys and the unread columns are in a row node; and
 * the columns a row node leaves out because nothing reads them there (the
 * claim's columns in the rows of its lines, and the lines' in the claim's
 * row), unless a record is read from elsewhere. */
static int csv_children(ProfCsv *c) {
    const Prof *P = c->P;
    c->wchild = arena_alloc(&c->ar, (P->nrecs + 1) * sizeof(int32_t *));
    c->uchild = arena_alloc(&c->ar, (c->ncols + 1) * sizeof(int32_t));
    uint8_t *mode = arena_alloc(&c->ar, P->nrecs + 1), *need = arena_alloc(&c->ar, c->ncols + 1);
    if (!c->wchild || !c->uchild || !mode || !need) return -1;
    memset(need, 0, c->ncols + 1);
    int prune = 1;
    for (uint32_t i = 0; i < P->nrecs; i++) {
        const RRec *rr = &P->recs[i];
        c->wchild[i] = NULL;
        mode[i] = 0;
        if (i == 0 || rr->path.nseg == 0) /* the claim's row */
            mode[i] = COL_SKIP_ROW | COL_SKIP_HEAD;
        else if (rr->path.seg[0].arr && strcmp(rr->path.seg[0].name, "rows") == 0)
            mode[i] = COL_SKIP_ROW;
        if (!mode[i]) {
            prune = 0;
            continue;
        }
        for (uint32_t k = 0; k < rr->nwant; k++) {
            int32_t col = csv_col(c, mode[i], rr->wseg[k]->name, rr->wseg[k]->len);
            if (col >= 0) need[col] |= mode[i] & COL_SKIP_HEAD ? 1 : 2;
        }
        for (uint32_t k = 0; k < rr->nmaps; k++) /* looked up by walk() */
            if (rr->maps[k].want < 0 && rr->maps[k].m->path && !rr->maps[k].m->position) prune = 0;
    }
    c->uchild_ok = 1;
    for (size_t k = 0; k < c->nunread; k++) {
        int32_t col = csv_col(c, COL_SKIP_ROW, c->unread[k], strlen(c->unread[k]));
        if (col >= 0) need[col] |= 2;
        if (col < 0 || strcmp(c->unread[k], "\x01line") == 0) c->uchild_ok = prune = 0;
    }
    for (size_t k = 0; prune && k < c->ncols; k++)
        c->colskip[k] |= (need[k] & 1 ? 0 : COL_DROP_HEAD) | (need[k] & 2 ? 0 : COL_DROP_ROW);
    for (uint32_t i = 0; i < P->nrecs; i++) {
        const RRec *rr = &P->recs[i];
        if (!mode[i]) continue;
        uint8_t skip = mode[i] & COL_SKIP_HEAD ? HEAD_SKIP : ROW_SKIP;
        int32_t *w = arena_alloc(&c->ar, (rr->nwant + 1) * sizeof(int32_t));
        if (!w) return -1;
        for (uint32_t k = 0; k < rr->nwant; k++)
            w[k] = csv_child(c, skip, rr->wseg[k]->name, rr->wseg[k]->len);
        c->wchild[i] = w;
    }
    for (size_t k = 0; c->uchild_ok && k < c->nunread; k++)
        c->uchild[k] = csv_child(c, ROW_SKIP, c->unread[k], strlen(c->unread[k]));
    return 0;
}

/* The text's undecodable bytes, the first of each line: UTF-8 checked, or
 * GB18030 converted to UTF-8 in place of c->cs.text.  0, -1 with errbuf
 * set, -2 out of memory. */
static int csv_decode(ProfCsv *c, char *errbuf, size_t errcap) {
    int rc = cstream_decode_whole(&c->cs);
    if (rc == -1)
        snprintf(errbuf, errcap, _("cannot convert %s from %s: %s"), c->path,
                 tc_encoding_name(c->enc), strerror(errno));
    return rc;
}

/* Why a claim whose row (first row on line `head`) holds the undecodable
 * byte s is rejected (the message in ar). */
static char *spot_text(Arena *ar, const CsSpot *s, uint64_t head, int enc) {
    char m[256];
    int n = s->line == head ? snprintf(m, sizeof m, _("column %zu: "), s->col)
                            : snprintf(m, sizeof m, _("line %llu, column %zu: "),
                                       (unsigned long long)s->line, s->col);
    if (n >= 0 && (size_t)n < sizeof m)
        snprintf(m + n, sizeof m - (size_t)n, _("invalid %s at byte %llu"), tc_encoding_name(enc),
                 (unsigned long long)s->file_off);
    return arena_strndup(ar, m, strlen(m));
}

/* The header's columns (r has just read it): 0, -1 with errbuf set, -2
 * out of memory. */
static int csv_columns(ProfCsv *c, const CsvReader *r, char *errbuf, size_t errcap) {
    const Prof *P = c->P;
    c->ncols = r->nfields;
    c->cols = arena_alloc(&c->ar, (c->ncols + 1) * sizeof(char *));
    c->unread = arena_alloc(&c->ar, (c->ncols + 1) * sizeof(char *));
    for (size_t k = 0; c->cols && c->unread && k < c->ncols; k++) {
        c->cols[k] = arena_strndup(&c->ar, r->fields[k].ptr, r->fields[k].len);
        if (!c->cols[k]) break;
        if (strcmp(c->cols[k], P->pf->claims) == 0) c->key_col = (int32_t)k;
        if (!strmap_get(&P->leaves, c->cols[k], strlen(c->cols[k])) && !ignored(P->pf, c->cols[k]))
            c->unread[c->nunread++] = c->cols[k];
    }
    c->colhash = arena_alloc(&c->ar, (c->ncols + 1) * sizeof(uint32_t));
    c->collen = arena_alloc(&c->ar, (c->ncols + 1) * sizeof(uint32_t));
    c->colskip = arena_alloc(&c->ar, c->ncols + 1);
    if (!c->cols || !c->unread || !c->colhash || !c->collen || !c->colskip) return -2;
    for (size_t k = 0; k < c->ncols; k++) {
        if (!c->cols[k]) return -2;
        c->collen[k] = (uint32_t)strlen(c->cols[k]);
        c->colhash[k] = key_hash(c->cols[k], c->collen[k]);
        c->colskip[k] = strcmp(c->cols[k], "\x01line") == 0 ? COL_SKIP_ROW
                        : strcmp(c->cols[k], "rows") == 0   ? COL_SKIP_HEAD
                                                            : 0;
        for (size_t j = 0; j < k; j++)
            if (strcmp(c->cols[j], c->cols[k]) == 0) c->colskip[j] |= COL_SKIP_ROW;
    }
    if (csv_children(c)) return -2;
    if (c->key_col < 0) {
        snprintf(errbuf, errcap, "%s: no column '%s' (input %s groups rows into claims by it)",
                 c->path, P->pf->claims, P->pf->name);
        return -1;
    }
    return 0;
}

/* A row that belongs to no claim (got < 0: malformed, why; nf cells): its
 * message in ar, or NULL for a good row; *oom set when out of memory. */
static char *row_problem(const ProfCsv *c, Arena *ar, int got, const char *why, size_t nf,
                         size_t keylen, int *oom) {
    if (got > 0 && nf == c->ncols && keylen) return NULL;
    char m[256];
    if (got < 0)
        snprintf(m, sizeof m, "%s", why);
    else if (nf != c->ncols)
        snprintf(m, sizeof m, "%zu cells, the header has %zu", nf, c->ncols);
    else
        snprintf(m, sizeof m, "no %s: the row belongs to no claim", c->P->pf->claims);
    char *msg = arena_strndup(ar, m, strlen(m));
    if (!msg) *oom = 1;
    return msg;
}

/* Adds the row start..end (first line `line`) to the end of group g; a row
 * with an undecodable byte (the first spot at *spot or after) rejects its
 * claim whole.  -1 when out of memory. */
static int csv_link(ProfCsv *c, Arena *ar, int32_t g, uint64_t start, uint64_t end, uint64_t line,
                    size_t *spot) {
    if (mem_grow(c->alloc, (void **)&c->rows, sizeof(CRow), &c->caprows, c->nrows + 1)) return -1;
    CRow *row = &c->rows[c->nrows];
    *row = (CRow){start, end, line, -1};
    CGroup *gr = &c->groups[g];
    while (*spot < c->cs.nspots && c->cs.spots[*spot].off < start) (*spot)++;
    if (*spot < c->cs.nspots && c->cs.spots[*spot].off < end && !gr->err &&
        !(gr->err = spot_text(ar, &c->cs.spots[*spot],
                              gr->head >= 0 ? c->rows[gr->head].line : line, c->enc)))
        return -1;
    if (gr->tail >= 0)
        c->rows[gr->tail].next = (int32_t)c->nrows;
    else
        gr->head = (int32_t)c->nrows;
    gr->tail = (int32_t)c->nrows;
    c->nrows++;
    return 0;
}

int prof_csv_open(ProfCsv **out, const Prof *P, const char *path, int enc, Alloc a, char *errbuf,
                  size_t errcap) {
    ProfCsv *c = mem_calloc(a, sizeof(ProfCsv));
    *out = NULL;
    if (!c) return snprintf(errbuf, errcap, "out of memory"), -1;
    c->alloc = a;
    c->P = P;
    c->enc = enc;
    cstream_init(&c->cs, a, enc);
    arena_init(&c->ar, a, 1 << 14);
    arena_init(&c->war, a, 1 << 12);
    c->key_col = -1;
    if (mem_read_file(a, path, &c->cs.text, &c->cs.len)) {
        snprintf(errbuf, errcap, "cannot read %s", path);
        prof_csv_free(c);
        return -1;
    }
    c->cs.cap = c->cs.len + 1;
    c->cs.bytes = c->cs.len;
    c->path = arena_strndup(&c->ar, path, strlen(path));
    int dec = c->path ? csv_decode(c, errbuf, errcap) : -2;
    if (dec) {
        if (dec == -2) snprintf(errbuf, errcap, "out of memory reading %s", path);
        prof_csv_free(c);
        return -1;
    }
    c->cs.cap = c->cs.len + 1;
    CsvReader r;
    csv_init(&r, c->cs.text, c->cs.len, a);
    uint64_t line;
    const char *why;
    int got = csv_next(&r, &line, &why);
    int rc = 0, oom = 0;
    size_t spot = 0; /* the next undecodable byte, past the header */
    if (got != 1) {
        snprintf(errbuf, errcap, "%s: %s", path, got == 0 ? "empty file (no header)" : why);
        rc = -1;
    } else if (c->cs.nspots && c->cs.spots[0].off < (size_t)(r.pos - r.buf)) {
        snprintf(errbuf, errcap, _("%s:%llu:%zu: invalid %s at byte %llu in the header"), path,
                 (unsigned long long)c->cs.spots[0].line, c->cs.spots[0].col, tc_encoding_name(enc),
                 (unsigned long long)c->cs.spots[0].file_off);
        rc = -1;
    } else {
        rc = csv_columns(c, &r, errbuf, errcap);
        if (rc == -2) oom = 1;
    }
    StrMap byid;
    strmap_init(&byid, a);
    while (rc == 0 && !oom) {
        uint64_t start = (uint64_t)(r.pos - r.buf);
        CsvField key;
        size_t nf = 0;
        got = csv_skim(&r, (size_t)c->key_col, &line, &why, &key, &nf);
        if (got == 0) break;
        if (c->nrows >= (size_t)INT32_MAX) { /* rows are linked by int32_t */
            snprintf(errbuf, errcap, _("%s: more than %d rows"), path, INT32_MAX);
            rc = -1;
            break;
        }
        char *msg = row_problem(c, &c->ar, got, why, nf, got > 0 ? key.len : 0, &oom);
        if (oom) break;
        int32_t g;
        if (msg) {
            if (add_group(c, msg)) oom = 1;
            g = (int32_t)c->ngroups - 1;
        } else {
            void *found = strmap_get(&byid, key.ptr, key.len);
            if (found) {
                g = (int32_t)((intptr_t)found - 1);
            } else {
                char *k = arena_strndup(&c->ar, key.ptr, key.len);
                if (!k || add_group(c, NULL)) {
                    oom = 1;
                    break;
                }
                g = (int32_t)c->ngroups - 1;
                strmap_put(&byid, k, key.len, (void *)(intptr_t)(g + 1), &oom);
            }
        }
        if (oom || csv_link(c, &c->ar, g, start, (uint64_t)(r.pos - r.buf), line, &spot)) {
            oom = 1;
            break;
        }
    }
    strmap_free(&byid);
    csv_free(&r);
    if (oom) snprintf(errbuf, errcap, "out of memory reading %s", path), rc = -1;
    if (rc) {
        prof_csv_free(c);
        return -1;
    }
    c->count = c->ngroups;
    *out = c;
    return 0;
}

/* ------------------------------------------------------- CSV, streamed */

/* The file is read a piece at a time (base/csvstream.h).  A row longer
 * than CSTREAM_MAX_RECORD (an unterminated quote swallowing the file) is
 * not streamed: the file is read whole, or refused when too big. */

/* Opens the file at its start (again), nothing read. */
static int ps_open(ProfCsv *c, uint64_t base, char *errbuf, size_t errcap) {
    if (!cstream_open(&c->cs, c->path, base)) return 0;
    if (c->cs.error == CSTREAM_NOMEM)
        snprintf(errbuf, errcap, "out of memory reading %s", c->path);
    else if (c->cs.error == CSTREAM_EREAD)
        snprintf(errbuf, errcap, "cannot read %s", c->path);
    else
        snprintf(errbuf, errcap, _("cannot convert %s from %s: %s"), c->path,
                 tc_encoding_name(c->enc), strerror(c->cs.errnum));
    return -1;
}

/* Reads the row at the stream's position (csv_skim of column col),
 * reading on as needed: 1, 0 at the end, -1 on an error (errbuf set; empty
 * when out of memory), -2 when the row is longer than CSTREAM_MAX_RECORD. */
static int ps_read(ProfCsv *c, size_t col, CsRec *rec, char *errbuf, size_t errcap) {
    int rc = cstream_read(&c->cs, col, rec);
    if (rc == -1 && c->cs.error == CSTREAM_EREAD)
        snprintf(errbuf, errcap, "cannot read %s", c->path);
    return rc;
}

/* Reads the header (the first time: its columns). */
static int ps_header(ProfCsv *c, int first, char *errbuf, size_t errcap) {
    CsRec h;
    int rc = ps_read(c, 0, &h, errbuf, errcap);
    if (rc == -2) rc = 1, h.rc = -1, h.err = "unterminated quoted field";
    if (rc < 0) {
        if (!*errbuf) snprintf(errbuf, errcap, "out of memory reading %s", c->path);
        return -1;
    }
    if (rc == 0 || h.rc < 0)
        return snprintf(errbuf, errcap, "%s: %s", c->path,
                        rc == 0 ? "empty file (no header)" : h.err),
               -1;
    if (c->cs.nspots && c->cs.spots[0].off < h.end)
        return snprintf(errbuf, errcap, _("%s:%llu:%zu: invalid %s at byte %llu in the header"),
                        c->path, (unsigned long long)c->cs.spots[0].line, c->cs.spots[0].col,
                        tc_encoding_name(c->enc), (unsigned long long)c->cs.spots[0].file_off),
               -1;
    if (first) {
        CsvReader r;
        csv_init(&r, c->cs.text + (h.pos - c->cs.tbase), (size_t)(h.end - h.pos), c->alloc);
        uint64_t line;
        const char *why;
        int got = csv_next(&r, &line, &why);
        rc = got == 1 ? csv_columns(c, &r, errbuf, errcap) : -1;
        if (got != 1) snprintf(errbuf, errcap, "%s: %s", c->path, why);
        if (rc == -2) snprintf(errbuf, errcap, "out of memory reading %s", c->path);
        csv_free(&r);
        if (rc) return -1;
    }
    cstream_take(&c->cs, &h);
    return 0;
}

/* 64-bit FNV-1a of a grouping cell. */
static uint64_t group_hash(const char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
    return h;
}

static int set_curkey(ProfCsv *c, const char *p, size_t n) {
    if (mem_grow(c->alloc, (void **)&c->curkey, 1, &c->capcurkey, n + 1)) return -1;
    memcpy(c->curkey, p, n);
    c->ncurkey = n;
    return 0;
}

/* The first pass: whether the rows of each claim are next to each other
 * (a row that belongs to no claim ends the rows of the claim before it).
 * 1 when so (c->count set), 0 when not (why says where), -1 on an error
 * (errbuf; empty when out of memory). */
static int ps_prepass(ProfCsv *c, char *why, size_t whycap, char *errbuf, size_t errcap) {
    HSet set;
    hset_init(&set, c->alloc);
    size_t n = 0;
    int rc, ok = 1, open = 0;
    CsRec rec;
    while (ok && (rc = ps_read(c, (size_t)c->key_col, &rec, errbuf, errcap)) == 1) {
        int bad = rec.rc < 0 || rec.nfields != c->ncols || !rec.cell.len;
        if (bad) {
            n++;
            open = 0;
        } else if (!open || rec.cell.len != c->ncurkey ||
                   memcmp(rec.cell.ptr, c->curkey, rec.cell.len) != 0) {
            int dup = hset_add(&set, group_hash(rec.cell.ptr, rec.cell.len));
            if (dup < 0 || set_curkey(c, rec.cell.ptr, rec.cell.len)) {
                rc = -1;
                break;
            }
            if (dup) {
                snprintf(why, whycap, _("%s:%llu: a row of %s '%.*s' after rows of other claims"),
                         c->path, (unsigned long long)rec.line, c->P->pf->claims,
                         (int)(rec.cell.len > 60 ? 60 : rec.cell.len), rec.cell.ptr);
                ok = 0;
                break;
            }
            n++;
            open = 1;
        }
        cstream_take(&c->cs, &rec);
        if (c->cs.pos - c->cs.tbase > 8 * CSTREAM_PIECE) cstream_compact(&c->cs);
    }
    hset_free(&set);
    if (ok && rc == -2) {
        snprintf(why, whycap, _("%s:%llu: a record over %zu MiB"), c->path,
                 (unsigned long long)c->cs.line, CSTREAM_MAX_RECORD >> 20);
        ok = 0;
    } else if (ok && rc < 0) {
        return -1;
    }
    c->count = n;
    return ok;
}

int prof_csv_open_stream(ProfCsv **out, const Prof *P, const char *path, int enc,
                         uint64_t whole_limit, uint64_t text_base, Alloc a, char *errbuf,
                         size_t errcap) {
    ProfCsv *c = mem_calloc(a, sizeof(ProfCsv));
    *out = NULL;
    if (errcap) *errbuf = 0;
    if (!c) return snprintf(errbuf, errcap, "out of memory"), -1;
    c->alloc = a;
    c->P = P;
    c->enc = enc;
    cstream_init(&c->cs, a, enc);
    c->streamed = 1;
    arena_init(&c->ar, a, 1 << 14);
    arena_init(&c->war, a, 1 << 12);
    c->key_col = -1;
    c->path = arena_strndup(&c->ar, path, strlen(path));
    char why[512] = "";
    int rc = !c->path ? (snprintf(errbuf, errcap, "out of memory reading %s", path), -1)
             : ps_open(c, text_base, errbuf, errcap) || ps_header(c, 1, errbuf, errcap) ? -1
                                                                                        : 0;
    c->cs.prepass = 1;
    if (!rc) rc = ps_prepass(c, why, sizeof why, errbuf, errcap) < 0 ? -1 : 0;
    c->cs.prepass = 0;
    int stream = !rc && !*why;
    if (stream && (ps_open(c, text_base, errbuf, errcap) || ps_header(c, 0, errbuf, errcap)))
        rc = -1;
    uint64_t bytes = c->cs.bytes;
    if (rc || !stream) {
        if (rc && !*errbuf) snprintf(errbuf, errcap, "out of memory reading %s", path);
        prof_csv_free(c);
        if (rc) return -1;
        /* not grouped: read whole, when not too big */
        uint64_t limit = whole_limit ? whole_limit : PROF_CSV_WHOLE_LIMIT;
        if (bytes > limit) {
            snprintf(errbuf, errcap,
                     _("%s: the CSV file (%llu MiB) is too big to be read whole (over %llu MiB), "
                       "and its rows are not grouped by claim: %s. Sort the rows by the column "
                       "'%s', keeping the order of each claim's rows"),
                     path, (unsigned long long)(bytes >> 20), (unsigned long long)(limit >> 20),
                     why, P->pf->claims);
            return -1;
        }
        return prof_csv_open(out, P, path, enc, a, errbuf, errcap);
    }
    *out = c;
    return 0;
}

int prof_csv_streamed(const ProfCsv *c) {
    return c->streamed;
}

int prof_csv_load(ProfCsv *c, size_t from, size_t to, char *errbuf, size_t errcap) {
    if (errcap) *errbuf = 0;
    if (!c->streamed) return 0;
    if (from != c->wto || to < from || to > c->count) {
        snprintf(errbuf, errcap, _("%s: claims %zu to %zu asked, the next are from %zu"), c->path,
                 from + 1, to, c->wto + 1);
        return -1;
    }
    size_t n = to - from;
    cstream_compact(&c->cs);
    c->nrows = c->ngroups = 0;
    arena_reset(&c->war);
    c->wfrom = from;
    int rc = 0, got, oom = 0, open = 0;
    size_t spot = 0;
    CsRec rec;
    while ((got = ps_read(c, (size_t)c->key_col, &rec, errbuf, errcap)) == 1) {
        char *msg = row_problem(c, &c->war, rec.rc, rec.err, rec.nfields, rec.cell.len, &oom);
        if (oom) break;
        int32_t g = (int32_t)c->ngroups - 1;
        if (msg || !open || rec.cell.len != c->ncurkey ||
            memcmp(rec.cell.ptr, c->curkey, rec.cell.len) != 0) { /* the next claim */
            if (c->ngroups == n) break;                           /* the next window's */
            if (add_group(c, msg) || (!msg && set_curkey(c, rec.cell.ptr, rec.cell.len))) {
                oom = 1;
                break;
            }
            open = !msg;
            g = (int32_t)c->ngroups - 1;
        }
        if (csv_link(c, &c->war, g, rec.pos, rec.end, rec.line, &spot)) {
            oom = 1;
            break;
        }
        cstream_take(&c->cs, &rec);
    }
    if (oom) {
        snprintf(errbuf, errcap, "out of memory reading %s", c->path);
        rc = -1;
    } else if (got < 0 && got != -2) {
        if (!*errbuf) snprintf(errbuf, errcap, "out of memory reading %s", c->path);
        rc = -1;
    } else if (got == -2 || c->ngroups != n || (got == 1 && to == c->count)) {
        snprintf(errbuf, errcap, _("%s changed while it was read"), c->path);
        rc = -1;
    }
    if (rc) {
        c->nrows = c->ngroups = 0;
        c->wto = c->wfrom = from;
        return -1;
    }
    c->wto = to;
    return 0;
}

void prof_csv_free(ProfCsv *c) {
    if (!c) return;
    cstream_free(&c->cs);
    mem_free(c->alloc, c->rows, c->caprows * sizeof(CRow));
    mem_free(c->alloc, c->groups, c->capgroups * sizeof(CGroup));
    mem_free(c->alloc, c->curkey, c->capcurkey);
    arena_free(&c->ar);
    arena_free(&c->war);
    mem_free(c->alloc, c, sizeof *c);
}

uint64_t prof_csv_bytes(const ProfCsv *c) {
    return c->cs.bytes;
}

size_t prof_csv_count(const ProfCsv *c) {
    return c->count;
}

/* Claim i's group (streamed: i in the window loaded). */
static const CGroup *csv_group(const ProfCsv *c, size_t i) {
    return &c->groups[i - c->wfrom];
}

void prof_csv_raw(const ProfCsv *c, size_t i, const char **p, size_t *n, uint64_t *line) {
    const CGroup *g = csv_group(c, i);
    const CRow *r = &c->rows[g->head];
    const char *s = c->cs.text + (r->start - c->cs.tbase);
    size_t e = (size_t)(r->end - r->start);
    while (e > 0 && (s[e - 1] == '\n' || s[e - 1] == '\r')) e--;
    *p = s;
    *n = e;
    if (line) *line = r->line;
}

/* A row of the CSV as an object node {column: cell, "\x01line": its line};
 * skip: the COL_SKIP_* bit of the columns left out.  -1: out of memory (or
 * a row that no longer reads). */
static int32_t row_node(const ProfCsv *c, CsvReader *r, const CRow *row, ProfWork *w, uint8_t skip,
                        int *oom) {
    csv_reset(r, c->cs.text + (row->start - c->cs.tbase), (size_t)(row->end - row->start));
    uint64_t line;
    const char *why;
    if (csv_next(r, &line, &why) != 1) return -1;
    int32_t o = pn_new(w, PN_OBJ, oom), last = -1;
    if (o < 0) return -1;
    for (size_t k = 0; k <= r->nfields && k <= c->ncols; k++) {
        int at_line = k == r->nfields || k == c->ncols;
        if (!at_line && (c->colskip[k] & skip)) continue;
        int32_t v = pn_new(w, at_line ? PN_NUM : PN_STR, oom);
        size_t len = at_line ? 24 : r->fields[k].len;
        const char *f = at_line ? NULL : r->fields[k].ptr;
        /* a cell as it is in the file is not copied (a quoted one with
         * doubled quotes is: the reader's scratch space is reused) */
        int in_text = f && f >= c->cs.text && f + len <= c->cs.text + c->cs.len;
        char *s = in_text ? NULL : pn_str(w, len + 1);
        if (v < 0 || (!in_text && !s)) return *oom = 1, -1;
        PNode *vn = PN(w, v);
        if (at_line) {
            len = u64_text(s, row->line);
            vn->key = "\x01line";
            vn->parent = o;
            vn->klen = 5;
            vn->khash = key_hash("\x01line", 5);
        } else {
            if (!in_text) {
                memcpy(s, f, len);
                s[len] = 0;
            }
            vn->key = c->cols[k];
            vn->parent = o;
            vn->klen = c->collen[k];
            vn->khash = c->colhash[k];
        }
        vn->s = in_text ? f : s;
        vn->len = len;
        pn_append(w, o, &last, v);
        if (at_line) break;
    }
    PN(w, o)->next = -1;
    return o;
}

int prof_csv_get(const ProfCsv *c, size_t i, ProfWork *w, const JsonReader *jr, Arena *ar,
                 const JsonrOptions *o, char *errbuf, size_t errcap, uint64_t *err_line) {
    const CGroup *g = csv_group(c, i);
    *err_line = c->rows[g->head].line;
    w->nclaims = 0;
    if (g->err) {
        snprintf(errbuf, errcap, "%s", g->err);
        return -1;
    }
    Conv x;
    memset(&x, 0, sizeof x);
    x.P = c->P;
    x.w = w;
    sb_init(&x.errs, w->alloc);
    JsonrOptions none = {NULL, NULL, 0, 0, 0, 0};
    if (!o) o = &none;
    /* room for the cells of the group's rows, its first row twice */
    size_t room = 0;
    for (int32_t k = g->head; k >= 0; k = c->rows[k].next)
        room += c->rows[k].end - c->rows[k].start + c->ncols + 32;
    room += c->rows[g->head].end - c->rows[g->head].start + c->ncols + 32;
    int rc = pn_reserve(w, room) ? -2 : 0;
    CsvReader r;
    csv_init(&r, c->cs.text, 0, w->alloc);
    int32_t claim = rc ? -1 : row_node(c, &r, &c->rows[g->head], w, HEAD_SKIP, &x.oom);
    int32_t rows = claim < 0 ? -1 : pn_new(w, PN_ARR, &x.oom), last = -1;
    if (rows < 0) rc = -2;
    for (int32_t k = g->head; k >= 0 && rc == 0; k = c->rows[k].next) {
        int32_t ro = row_node(c, &r, &c->rows[k], w, ROW_SKIP, &x.oom);
        if (ro < 0) {
            rc = -2;
            break;
        }
        pn_append(w, rows, &last, ro);
    }
    csv_free(&r);
    if (rc == 0) { /* the rows, the last member of the claim */
        PNode *rn = PN(w, rows);
        rn->key = "rows";
        rn->parent = claim;
        rn->klen = 4;
        rn->khash = key_hash("rows", 4);
        int32_t m = PN(w, claim)->first;
        if (m < 0)
            PN(w, claim)->first = rows;
        else {
            while (PN(w, m)->next >= 0) m = PN(w, m)->next;
            PN(w, m)->next = rows;
        }
        PN(w, claim)->len++;
    }
    if (rc == 0) {
        x.N = w->nodes;
        const PNode *cn = &x.N[claim], *all = &x.N[rows];
        char base[64]; /* "line N:", for messages */
        memcpy(base, "line ", 5);
        size_t bl = 5 + u64_text(base + 5, *err_line);
        memcpy(base + bl, ":", 2);
        x.chain[PROF_MAX_SEGS] = cn;
        x.csvw = c->wchild;
        one_claim(&x, cn, base, jr, ar, o, &rc);
        if (again(&x, rc)) one_claim(&x, cn, base, jr, ar, o, &rc);
        if (o->notes) notes_next_record(o->notes);
        for (size_t k = 0; k < c->nunread && rc == 0; k++) {
            int has = 0; /* a cell of any of the claim's rows */
            size_t ul = strlen(c->unread[k]);
            uint32_t uh = key_hash(c->unread[k], ul);
            for (int32_t j = all->first; j >= 0 && !has; j = x.N[j].next) {
                const PNode *v = c->uchild_ok ? &x.N[j + 1 + c->uchild[k]]
                                              : pn_get(x.w, &x.N[j], c->unread[k], ul, uh);
                has = v && !empty_value(v);
            }
            if (!has) continue;
            if (o->strict)
                conv_err(&x, base, "column '%s' is read by no field of input %s", c->unread[k],
                         c->P->pf->name);
            else if (o->notes)
                notes_add(o->notes, c->unread[k], strlen(c->unread[k]), NULL);
        }
    }
    if (x.oom) rc = -2;
    return finish(&x, rc, errbuf, errcap);
}
