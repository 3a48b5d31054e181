/* claim_ids.c — the claim ids of a batch (see claim_ids.h). */
#include "claim_ids.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utf8.h"
#include "swar.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#define TOP_AVX2 1 /* the search for keys' ends 64 bytes a step, chosen at run time */
#include <immintrin.h>
#endif

/* Slots a block of a run (4 KB): the run's index keeps the first hash of
 * each block, and a lookup reads one block (two when a hash straddles). */
#define BLOCK_SLOTS 256
/* Bytes of a run read or written at a time when merging. */
#define MERGE_SLOTS 4096

void idset_init(IdSet *s, Alloc a) {
    memset(s, 0, sizeof *s);
    s->alloc = a;
}

static void run_drop(IdSet *s, IdRun *r) {
    if (r->fd >= 0) close(r->fd);
    mem_free(s->alloc, r->first, r->capblocks * sizeof(uint64_t));
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

void idset_free(IdSet *s) {
    mem_free(s->alloc, s->slots, s->cap * sizeof(IdSlot));
    s->slots = NULL;
    s->cap = s->n = 0;
    for (size_t i = 0; i < s->nruns; i++) run_drop(s, &s->runs[i]);
    s->nruns = 0;
    mem_free(s->alloc, s->bloom, s->bloom_bits / 8);
    s->bloom = NULL;
    s->bloom_bits = 0;
    mem_free(s->alloc, s->dir, s->dir ? strlen(s->dir) + 1 : 0);
    s->dir = NULL;
}

int idset_spill(IdSet *s, size_t max_mem_ids, const char *dir) {
    size_t cap = 16;
    while (cap * 3 / 4 < max_mem_ids && cap < ((size_t)1 << 40)) cap *= 2;
    s->max_cap = max_mem_ids ? cap : 0;
    mem_free(s->alloc, s->dir, s->dir ? strlen(s->dir) + 1 : 0);
    s->dir = NULL;
    if (!dir) return 0;
    size_t n = strlen(dir) + 1;
    if (!(s->dir = mem_alloc(s->alloc, n))) return -1;
    memcpy(s->dir, dir, n);
    return 0;
}

/* Two hashes of the bytes: FNV-1a with different bases and primes, each
 * finished with a 64-bit mix so that every bit depends on every byte. */
static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static void hash2(const char *id, size_t n, uint64_t *a, uint32_t *b) {
    uint64_t h = 0xcbf29ce484222325ull, g = 0x84222325cbf29ce4ull ^ n;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)id[i]) * 0x100000001b3ull;
        g = (g ^ (unsigned char)id[i]) * 0x9e3779b97f4a7c15ull;
    }
    *a = mix(h ^ n);
    *b = (uint32_t)(mix(g) >> 32);
}

/* The slot of (h, h2), or the empty one where it goes. */
static IdSlot *find(IdSlot *slots, size_t cap, uint64_t h, uint32_t h2) {
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].line && !(slots[i].h == h && slots[i].h2 == h2)) i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* ------------------------------------------------------------------ runs */

/* The filter's three bits for (h, h2): hash bits the table does not use
 * for its slot (the low bits of h), so they are independent of it. */
static void bloom_bits(const IdSet *s, uint64_t h, uint32_t h2, size_t b[3]) {
    size_t mask = s->bloom_bits - 1;
    b[0] = (size_t)h2 & mask;
    b[1] = (size_t)(h >> 24) & mask;
    b[2] = (size_t)((h >> 44) ^ ((uint64_t)h2 << 20)) & mask;
}

static void bloom_add(IdSet *s, uint64_t h, uint32_t h2) {
    size_t b[3];
    bloom_bits(s, h, h2, b);
    for (int i = 0; i < 3; i++) s->bloom[b[i] / 64] |= 1ull << (b[i] % 64);
}

/* 0: no run has (h, h2); 1: one may. */
static int bloom_may(const IdSet *s, uint64_t h, uint32_t h2) {
    size_t b[3];
    bloom_bits(s, h, h2, b);
    for (int i = 0; i < 3; i++)
        if (!(s->bloom[b[i] / 64] >> (b[i] % 64) & 1)) return 0;
    return 1;
}

static int slot_cmp(const void *a, const void *b) {
    const IdSlot *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->h2 < y->h2 ? -1 : x->h2 > y->h2;
}

static int slot_less(const IdSlot *x, const IdSlot *y) {
    return x->h < y->h || (x->h == y->h && x->h2 < y->h2);
}

static int pread_all(int fd, void *p, size_t n, uint64_t off) {
    char *c = p;
    while (n) {
        ssize_t k = pread(fd, c, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (k == 0) errno = EIO;
            return -1;
        }
        c += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (k == 0) errno = EIO;
            return -1;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

static int temp_in(IdSet *s, const char *dir) {
    size_t n = strlen(dir) + 32;
    char *path = mem_alloc(s->alloc, n);
    if (!path) return errno = ENOMEM, -1;
    snprintf(path, n, "%s/arbiter-ids.XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd >= 0) unlink(path);
    int e = errno;
    mem_free(s->alloc, path, n);
    errno = e;
    return fd;
}

/* A new, already unlinked file in s->dir, else in $TMPDIR or /tmp (as the
 * staging store falls back when the store's directory is read-only): its
 * descriptor, or -1. */
static int temp_file(IdSet *s) {
    const char *tmp = getenv("TMPDIR");
    int fd = s->dir ? temp_in(s, s->dir) : -1;
    if (fd < 0 && errno != ENOMEM) fd = temp_in(s, tmp && *tmp ? tmp : "/tmp");
    return fd;
}

/* Writes a sorted run a block at a time, keeping each block's first hash. */
typedef struct RunWriter {
    IdSet *s;
    IdRun r;
    IdSlot buf[MERGE_SLOTS];
    size_t nbuf;
} RunWriter;

static int rw_open(RunWriter *w, IdSet *s, size_t n) {
    memset(&w->r, 0, sizeof w->r);
    w->s = s;
    w->nbuf = 0;
    w->r.fd = -1;
    w->r.capblocks = n ? (n + BLOCK_SLOTS - 1) / BLOCK_SLOTS : 1;
    w->r.first = mem_alloc(s->alloc, w->r.capblocks * sizeof(uint64_t));
    if (!w->r.first) return w->r.capblocks = 0, errno = ENOMEM, -1;
    w->r.fd = temp_file(s);
    return w->r.fd < 0 ? -1 : 0;
}

static int rw_flush(RunWriter *w) {
    int rc = write_all(w->r.fd, w->buf, w->nbuf * sizeof(IdSlot));
    w->nbuf = 0;
    return rc;
}

static int rw_put(RunWriter *w, const IdSlot *x) {
    if (w->r.n % BLOCK_SLOTS == 0) w->r.first[w->r.nblocks++] = x->h;
    w->r.n++;
    w->buf[w->nbuf++] = *x;
    return w->nbuf == MERGE_SLOTS ? rw_flush(w) : 0;
}

/* Flushes the run into *out, or drops it: 0 or -1 (errno). */
static int rw_close(RunWriter *w, int ok, IdRun *out) {
    if (ok && rw_flush(w) == 0) {
        *out = w->r;
        return 0;
    }
    int e = errno; /* the failure's, kept past close() */
    run_drop(w->s, &w->r);
    errno = e;
    return -1;
}

/* Reads a run's slots in order, MERGE_SLOTS at a time. */
typedef struct RunReader {
    const IdRun *r;
    uint64_t at; /* slots read from the file */
    IdSlot buf[MERGE_SLOTS];
    size_t i, n;
    int err; /* errno of a failed read */
} RunReader;

/* The next slot, or NULL at the end or when a read failed (rd->err). */
static const IdSlot *rr_next(RunReader *rd) {
    if (rd->i == rd->n) {
        uint64_t left = rd->r->n - rd->at;
        size_t k = left < MERGE_SLOTS ? (size_t)left : MERGE_SLOTS;
        if (!k) return NULL;
        if (pread_all(rd->r->fd, rd->buf, k * sizeof(IdSlot), rd->at * sizeof(IdSlot))) {
            rd->err = errno ? errno : EIO;
            return NULL;
        }
        rd->at += k;
        rd->i = 0;
        rd->n = k;
    }
    return &rd->buf[rd->i++];
}

/* Merges the last two runs into one (no slot is in both). */
static int merge_last(IdSet *s) {
    IdRun *a = &s->runs[s->nruns - 2], *b = &s->runs[s->nruns - 1];
    struct M {
        RunReader ra, rb;
        RunWriter w;
    } *m = mem_alloc(s->alloc, sizeof *m);
    if (!m) return errno = ENOMEM, -1;
    memset(&m->ra, 0, sizeof m->ra);
    memset(&m->rb, 0, sizeof m->rb);
    m->ra.r = a;
    m->rb.r = b;
    int rc = rw_open(&m->w, s, (size_t)(a->n + b->n));
    const IdSlot *x = rc ? NULL : rr_next(&m->ra), *y = rc ? NULL : rr_next(&m->rb);
    while (!rc && (x || y)) {
        if (x && (!y || slot_less(x, y))) {
            rc = rw_put(&m->w, x);
            x = rr_next(&m->ra);
        } else {
            rc = rw_put(&m->w, y);
            y = rr_next(&m->rb);
        }
        if (!rc && (m->ra.err || m->rb.err)) rc = (errno = m->ra.err ? m->ra.err : m->rb.err, -1);
    }
    IdRun out;
    if (!(rc = rw_close(&m->w, !rc, &out))) {
        run_drop(s, a);
        run_drop(s, b);
        *a = out;
        s->nruns--;
    }
    mem_free(s->alloc, m, sizeof *m);
    return rc;
}

/* Writes the table's ids as a sorted run and empties the table; then
 * merges runs while the newest is at least half the one before, so that
 * there are about log2(ids / table) of them. */
static int spill(IdSet *s) {
    if (s->nruns == IDSET_MAX_RUNS) return errno = EMFILE, -1;
    if (!s->bloom) {
        /* as many bytes as the table: 128 bits a slot */
        s->bloom = mem_calloc(s->alloc, s->cap * sizeof(IdSlot));
        if (!s->bloom) return errno = ENOMEM, -1;
        s->bloom_bits = s->cap * sizeof(IdSlot) * 8;
    }
    size_t n = 0;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].line) s->slots[n++] = s->slots[i];
    for (size_t i = 0; i < n; i++) bloom_add(s, s->slots[i].h, s->slots[i].h2);
    qsort(s->slots, n, sizeof(IdSlot), slot_cmp);
    RunWriter *w = mem_alloc(s->alloc, sizeof *w);
    if (!w) return errno = ENOMEM, -1;
    int rc = rw_open(w, s, n);
    for (size_t i = 0; i < n && !rc; i++) rc = rw_put(w, &s->slots[i]);
    rc = rw_close(w, !rc, &s->runs[s->nruns]);
    if (!rc) s->nruns++;
    mem_free(s->alloc, w, sizeof *w);
    if (rc) return -1; /* the table's slots were moved: the set is only to be freed */
    memset(s->slots, 0, s->cap * sizeof(IdSlot));
    s->n = 0;
    while (s->nruns >= 2 && s->runs[s->nruns - 1].n * 2 >= s->runs[s->nruns - 2].n)
        if (merge_last(s)) return -1;
    return 0;
}

/* Looks (h, h2) up in run r: 1 found (*line), 0 not, -1 a read failed. */
static int run_find(const IdRun *r, uint64_t h, uint32_t h2, uint32_t *line) {
    /* the first block that may hold h: the last whose first hash is < h
     * (an equal hash may end the block before one that starts with it) */
    size_t lo = 0, hi = r->nblocks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->first[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t b = lo ? lo - 1 : 0;
    IdSlot buf[BLOCK_SLOTS];
    for (; b < r->nblocks && r->first[b] <= h; b++) {
        uint64_t from = (uint64_t)b * BLOCK_SLOTS;
        size_t k = r->n - from < BLOCK_SLOTS ? (size_t)(r->n - from) : BLOCK_SLOTS;
        if (pread_all(r->fd, buf, k * sizeof(IdSlot), from * sizeof(IdSlot))) return -1;
        for (size_t i = 0; i < k; i++) {
            if (buf[i].h > h) return 0;
            if (buf[i].h == h && buf[i].h2 == h2) return *line = buf[i].line, 1;
        }
    }
    return 0;
}

/* Looks (h, h2) up in the table, then in the runs: 1 found (*first), 0
 * not, -2 a run could not be read. */
static int lookup(const IdSet *s, uint64_t h, uint32_t h2, uint64_t *first) {
    if (s->cap) {
        const IdSlot *x = find(s->slots, s->cap, h, h2);
        if (x->line) {
            *first = x->line;
            return 1;
        }
    }
    for (size_t i = 0; i < s->nruns && bloom_may(s, h, h2); i++) {
        uint32_t l;
        int rc = run_find(&s->runs[i], h, h2, &l);
        if (rc < 0) return -2;
        if (rc) {
            *first = l;
            return 1;
        }
    }
    return 0;
}

int idset_has(const IdSet *s, const char *id, size_t n, uint64_t *first) {
    if (!s->n && !s->nruns) return 0;
    uint64_t h;
    uint32_t h2;
    hash2(id, n, &h, &h2);
    return lookup(s, h, h2, first);
}

int idset_add(IdSet *s, const char *id, size_t n, uint64_t line, uint64_t *first) {
    uint64_t h;
    uint32_t h2;
    hash2(id, n, &h, &h2);
    int seen = lookup(s, h, h2, first);
    if (seen) return seen;
    if ((s->n + 1) * 4 > s->cap * 3) {
        if (s->max_cap && s->cap >= s->max_cap) {
            if (spill(s)) return errno == ENOMEM ? -1 : -2;
        } else {
            size_t cap = s->cap ? s->cap * 2 : s->max_cap && s->max_cap < 1024 ? s->max_cap : 1024;
            IdSlot *slots = mem_calloc(s->alloc, cap * sizeof(IdSlot));
            if (!slots) return -1;
            for (size_t i = 0; i < s->cap; i++)
                if (s->slots[i].line)
                    *find(slots, cap, s->slots[i].h, s->slots[i].h2) = s->slots[i];
            mem_free(s->alloc, s->slots, s->cap * sizeof(IdSlot));
            s->slots = slots;
            s->cap = cap;
        }
    }
    IdSlot *x = find(s->slots, s->cap, h, h2);
    x->h = h;
    x->h2 = h2;
    x->line = line == 0 ? 1 : line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
    s->n++;
    return 0;
}

static size_t skip_ws(const char *p, size_t n, size_t i) {
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) i++;
    return i;
}

/* Nonzero when one of the 8 bytes of x is a quote or a backslash. */
static inline uint64_t quote_or_backslash(uint64_t x) {
    return swar_eq(x, '"') | swar_eq(x, '\\');
}

/* Past the string opening at p[i] ('"'); n+1 when it does not end.  The
 * bytes that are neither quote nor backslash are passed 8 at a time (a
 * request body's claims are mostly strings: a scan for a top-level key
 * goes over all of them). */
static size_t skip_string(const char *p, size_t n, size_t i) {
    for (i++; i < n;) {
        while (n - i >= 8) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            if (quote_or_backslash(x)) break;
            i += 8;
        }
        if (i >= n) break;
        if (p[i] == '\\')
            i += 2;
        else if (p[i] == '"')
            return i + 1;
        else
            i++;
    }
    return n + 1;
}

static int hexval(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* cp as UTF-8 into out[k..cap), cut at cap. */
static size_t put_utf8(char *out, size_t cap, size_t k, uint32_t cp) {
    char b[4];
    size_t m = utf8_put(b, cp);
    for (size_t j = 0; j < m && k < cap; j++) out[k++] = b[j];
    return k;
}

static uint32_t hex4(const char *p) {
    uint32_t v = 0;
    for (int j = 0; j < 4; j++) {
        int h = hexval(p[j]);
        if (h < 0) return UINT32_MAX;
        v = v << 4 | (uint32_t)h;
    }
    return v;
}

/* Decodes the string p[i..end) (between the quotes) into out. */
static size_t decode(const char *p, size_t i, size_t end, char *out, size_t cap) {
    size_t k = 0;
    while (i < end && k < cap) {
        if (p[i] != '\\') {
            out[k++] = p[i++];
            continue;
        }
        char c = i + 1 < end ? p[i + 1] : 0;
        i += 2;
        switch (c) {
        case 'b': out[k++] = '\b'; break;
        case 'f': out[k++] = '\f'; break;
        case 'n': out[k++] = '\n'; break;
        case 'r': out[k++] = '\r'; break;
        case 't': out[k++] = '\t'; break;
        case 'u': {
            uint32_t cp = i + 4 <= end ? hex4(p + i) : UINT32_MAX;
            if (cp == UINT32_MAX) return k;
            i += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= end && p[i] == '\\' && p[i + 1] == 'u') {
                uint32_t lo = hex4(p + i + 2);
                if (lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                }
            }
            k = put_utf8(out, cap, k, cp);
            break;
        }
        default: out[k++] = c; break; /* " \ / */
        }
    }
    return k;
}

/* Past the object or array opening at p[i] (nested brackets counted,
 * strings passed over); n+1 when it does not end.  With SSE2, 16 bytes at
 * a time: the quotes say which bytes are inside a string (a running xor of
 * the quote bits) and the brackets outside strings change the depth; a
 * block with a backslash goes byte by byte past it.  (A request body sent
 * through a profile is passed over whole by the scan for a top-level key.) */
static size_t skip_container(const char *p, size_t n, size_t i) {
    int depth = 0, in_str = 0;
    size_t slow_to = 0; /* byte by byte up to here (past a backslash) */
    while (i < n) {
#if defined(__SSE2__)
        if (i >= slow_to && n - i >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            unsigned bs = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
            if (bs) {
                slow_to = i + (size_t)__builtin_ctz(bs) + 2;
            } else {
                unsigned q = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
                unsigned op = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8('{')), _mm_cmpeq_epi8(v, _mm_set1_epi8('['))));
                unsigned cl = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8('}')), _mm_cmpeq_epi8(v, _mm_set1_epi8(']'))));
                unsigned in = q; /* bit j: inside a string after byte j */
                in ^= in << 1;
                in ^= in << 2;
                in ^= in << 4;
                in ^= in << 8;
                if (in_str) in = ~in;
                in &= 0xFFFF;
                op &= ~in;
                cl &= ~in;
                if (cl) {
                    for (unsigned m = op | cl; m; m &= m - 1) {
                        unsigned j = (unsigned)__builtin_ctz(m);
                        if (op >> j & 1)
                            depth++;
                        else if (--depth == 0)
                            return i + j + 1;
                    }
                } else {
                    for (; op; op &= op - 1) depth++; /* few: no popcount instruction assumed */
                }
                in_str = (int)(in >> 15 & 1);
                i += 16;
                continue;
            }
        }
#endif
        char c = p[i];
        if (in_str) {
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return i + 1;
        }
        i++;
    }
    return n + 1;
}

/* Past the value starting at p[i]: a string, an object or array (nested
 * brackets, strings skipped), or a bare scalar; n+1 when malformed. */
static size_t skip_value(const char *p, size_t n, size_t i) {
    if (i >= n) return n + 1;
    if (p[i] == '"') return skip_string(p, n, i);
    if (p[i] == '{' || p[i] == '[') return skip_container(p, n, i);
    while (i < n && p[i] != ',' && p[i] != '}' && p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
           p[i] != '\n')
        i++;
    return i;
}

/* The value at p[i..vend) into w (a string decoded). */
static void take(JsonTopWant *w, const char *p, size_t i, size_t vend) {
    if (p[i] == '"') {
        w->len = decode(p, i + 1, vend - 1, w->out, w->cap);
        w->found = 1;
    } else if (vend - i == 4 && memcmp(p + i, "null", 4) == 0) {
        w->found = 2;
    } else {
        w->len = vend - i < w->cap ? vend - i : w->cap;
        memcpy(w->out, p + i, w->len);
        w->found = 1;
    }
}

/* Whether the key w->key (w->klen bytes, not empty) is written, quoted,
 * at p[j] (the quote before it at p[j-1], j >= 1). */
static inline int quoted_at(const char *p, size_t n, size_t j, const JsonTopWant *w) {
    return p[j - 1] == '"' && j + w->klen < n && p[j + w->klen] == '"' &&
           memcmp(p + j, w->key, w->klen) == 0;
}

#define TEXT_KEYS_MAX 8 /* keys looked for at once by keys_in_text */
#define END_BYTES 4     /* keys' last bytes next_end looks for at once */

#if defined(TOP_AVX2)

/* The positions among the 32 at x (q: the 32 after each) where one of
 * the bytes in b0..b3 (when not two: else b0, b1) is followed by a quote. */
#define END_MASK256(x, q, two)                                                                     \
    ((uint32_t)_mm256_movemask_epi8(_mm256_and_si256(                                              \
        two ? _mm256_or_si256(_mm256_cmpeq_epi8(x, b0), _mm256_cmpeq_epi8(x, b1))                  \
            : _mm256_or_si256(                                                                     \
                  _mm256_or_si256(_mm256_cmpeq_epi8(x, b0), _mm256_cmpeq_epi8(x, b1)),             \
                  _mm256_or_si256(_mm256_cmpeq_epi8(x, b2), _mm256_cmpeq_epi8(x, b3))),            \
        _mm256_cmpeq_epi8(q, quote))))

/* next_end's search 64 positions a step with AVX2, from e while e + 65 <= n:
 * 1 with the first position in *at, else 0 with *at where it stopped. */
__attribute__((target("avx2"))) static int next_end_avx2(const char *p, size_t n, size_t e,
                                                         const unsigned char *b, size_t *at) {
    const __m256i b0 = _mm256_set1_epi8((char)b[0]), b1 = _mm256_set1_epi8((char)b[1]),
                  b2 = _mm256_set1_epi8((char)b[2]), b3 = _mm256_set1_epi8((char)b[3]),
                  quote = _mm256_set1_epi8('"');
    int two = b[2] == b[0] && b[3] == b[0]; /* two bytes (or one) looked for: two compares */
#define END_STEP(two)                                                                              \
    for (; e + 65 <= n; e += 64) {                                                                 \
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + e));                   \
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + e + 32));              \
        __m256i q0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + e + 1));               \
        __m256i q1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + e + 33));              \
        uint64_t m = END_MASK256(x0, q0, two) | (uint64_t)END_MASK256(x1, q1, two) << 32;          \
        if (m) {                                                                                   \
            *at = e + (size_t)__builtin_ctzll(m);                                                  \
            return 1;                                                                              \
        }                                                                                          \
    }
    if (two) {
        END_STEP(1)
    } else {
        END_STEP(0)
    }
#undef END_STEP
    *at = e;
    return 0;
}
#undef END_MASK256
#endif

/* The first position from e on (e >= 1) where one of the bytes b[0..4)
 * (repeated when fewer) is followed by a quote: where a key may end, its
 * last byte there; n when none.  avx2: the CPU has it. */
static size_t next_end(const char *p, size_t n, size_t e, const unsigned char *b, int avx2) {
#if defined(TOP_AVX2)
    size_t at;
    if (avx2) {
        if (next_end_avx2(p, n, e, b, &at)) return at;
        e = at;
    }
#else
    (void)avx2;
#endif
#if defined(__SSE2__)
    const __m128i b0 = _mm_set1_epi8((char)b[0]), b1 = _mm_set1_epi8((char)b[1]),
                  b2 = _mm_set1_epi8((char)b[2]), b3 = _mm_set1_epi8((char)b[3]),
                  quote = _mm_set1_epi8('"');
    for (; e + 33 <= n; e += 32) { /* 32 positions a step */
        __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)(p + e));
        __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + e + 16));
        __m128i q0 = _mm_loadu_si128((const __m128i *)(const void *)(p + e + 1));
        __m128i q1 = _mm_loadu_si128((const __m128i *)(const void *)(p + e + 17));
        __m128i l0 = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x0, b0), _mm_cmpeq_epi8(x0, b1)),
                                  _mm_or_si128(_mm_cmpeq_epi8(x0, b2), _mm_cmpeq_epi8(x0, b3)));
        __m128i l1 = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x1, b0), _mm_cmpeq_epi8(x1, b1)),
                                  _mm_or_si128(_mm_cmpeq_epi8(x1, b2), _mm_cmpeq_epi8(x1, b3)));
        uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_and_si128(l0, _mm_cmpeq_epi8(q0, quote))) |
                     (uint32_t)_mm_movemask_epi8(_mm_and_si128(l1, _mm_cmpeq_epi8(q1, quote)))
                         << 16;
        if (m) return e + (size_t)__builtin_ctz(m);
    }
#endif
    for (; e + 1 < n; e++) {
        unsigned char c = (unsigned char)p[e];
        if ((c == b[0] || c == b[1] || c == b[2] || c == b[3]) && p[e + 1] == '"') return e;
    }
    return n;
}

/* The wants among w[0..nw) (nw <= TEXT_KEYS_MAX) whose key occurs quoted
 * anywhere in p[0..n), as a bit each (an empty key: always).  A member is
 * matched by its raw key, so a key that is not in the text at all is no
 * member's: json_top_values need not read the object to its end for it.
 * Where a key's last byte is followed by a quote (next_end: 64 positions a
 * step with AVX2, 32 with SSE2, for up to END_BYTES last bytes at once:
 * few bytes of a claim's text end a string with one of those letters) the
 * rest of it is read; the search for a key ends where it is first found,
 * and goes on for the keys left. */
static unsigned keys_in_text(const char *p, size_t n, const JsonTopWant *w, size_t nw) {
    unsigned all = (1u << nw) - 1, found = 0;
    for (size_t k = 0; k < nw; k++)
        if (!w[k].klen) found |= 1u << k;
#if defined(TOP_AVX2)
    int avx2 = __builtin_cpu_supports("avx2");
#else
    int avx2 = 0;
#endif
    size_t e = 1; /* where a key may end: its quote opens at 0 or later */
    while (found != all && e + 1 < n) {
        /* the last bytes of the keys not found yet */
        unsigned char b[END_BYTES] = {0};
        int nb = 0;
        for (size_t k = 0; k < nw && nb <= END_BYTES; k++) {
            if (found >> k & 1) continue;
            unsigned char c = (unsigned char)w[k].key[w[k].klen - 1];
            int dup = 0;
            for (int i = 0; i < nb && i < END_BYTES; i++) dup |= b[i] == c;
            if (!dup) {
                if (nb < END_BYTES) b[nb] = c;
                nb++;
            }
        }
        if (nb > END_BYTES) break; /* too many: byte by byte, below */
        for (int i = nb; i < END_BYTES; i++) b[i] = b[0];
        size_t at = next_end(p, n, e, b, avx2);
        if (at >= n) return found;
        for (size_t k = 0; k < nw; k++)
            if (!(found >> k & 1) && at >= w[k].klen && p[at] == w[k].key[w[k].klen - 1] &&
                quoted_at(p, n, at + 1 - w[k].klen, &w[k]))
                found |= 1u << k;
        e = at + 1;
    }
    for (; found != all && e + 1 < n; e++)
        for (size_t k = 0; k < nw; k++)
            if (!(found >> k & 1) && e >= w[k].klen && p[e + 1] == '"' &&
                quoted_at(p, n, e + 1 - w[k].klen, &w[k]))
                found |= 1u << k;
    return found;
}

/* The pass of json_top_values; early: first leave out the keys that are not
 * in the text, and stop once the others are found. */
static int top_values(const char *p, size_t n, JsonTopWant *w, size_t nw, int early) {
    size_t left = nw, i = skip_ws(p, n, 0);
    for (size_t k = 0; k < nw; k++) w[k].found = 0, w[k].len = 0, w[k].klen = strlen(w[k].key);
    if (i >= n || p[i] != '{') return -1;
    if (early && nw <= TEXT_KEYS_MAX) {
        unsigned in = keys_in_text(p, n, w, nw);
        for (size_t k = 0; k < nw; k++) left -= !(in >> k & 1);
        if (!left) return 0;
    }
    i = skip_ws(p, n, i + 1);
    if (i < n && p[i] == '}') return 0;
    while (i < n) {
        if (p[i] != '"') return -1;
        size_t kend = skip_string(p, n, i);
        if (kend > n) return -1;
        JsonTopWant *match = NULL;
        for (size_t k = 0; k < nw && !match; k++)
            if (!w[k].found && kend - i - 2 == w[k].klen &&
                memcmp(p + i + 1, w[k].key, w[k].klen) == 0)
                match = &w[k];
        i = skip_ws(p, n, kend);
        if (i >= n || p[i] != ':') return -1;
        i = skip_ws(p, n, i + 1);
        size_t vend = skip_value(p, n, i);
        if (vend > n || vend == i) return -1;
        if (match) {
            take(match, p, i, vend);
            if (--left == 0) return 0;
        }
        i = skip_ws(p, n, vend);
        if (i < n && p[i] == ',') {
            i = skip_ws(p, n, i + 1);
            continue;
        }
        return i < n && p[i] == '}' ? 0 : -1;
    }
    return -1;
}

int json_top_values(const char *p, size_t n, JsonTopWant *w, size_t nw) {
    return top_values(p, n, w, nw, 1);
}

int json_top_value(const char *p, size_t n, const char *key, char *out, size_t cap, size_t *len) {
    JsonTopWant w = {.key = key, .out = out, .cap = cap};
    int rc = top_values(p, n, &w, 1, 0);
    if (w.found) *len = w.len;
    return w.found ? w.found : rc;
}
