/* claim_ids.c — the claim ids of a batch (see claim_ids.h). */
#include "claim_ids.h"

#include <string.h>

void idset_init(IdSet *s, Alloc a) {
    memset(s, 0, sizeof *s);
    s->alloc = a;
}

void idset_free(IdSet *s) {
    mem_free(s->alloc, s->slots, s->cap * sizeof(IdSlot));
    s->slots = NULL;
    s->cap = s->n = 0;
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

int idset_add(IdSet *s, const char *id, size_t n, uint64_t line, uint64_t *first) {
    uint64_t h;
    uint32_t h2;
    hash2(id, n, &h, &h2);
    if (s->cap) {
        IdSlot *x = find(s->slots, s->cap, h, h2);
        if (x->line) {
            *first = x->line;
            return 1;
        }
    }
    if ((s->n + 1) * 4 > s->cap * 3) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        IdSlot *slots = mem_calloc(s->alloc, cap * sizeof(IdSlot));
        if (!slots) return -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i].line) *find(slots, cap, s->slots[i].h, s->slots[i].h2) = s->slots[i];
        mem_free(s->alloc, s->slots, s->cap * sizeof(IdSlot));
        s->slots = slots;
        s->cap = cap;
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

/* Past the string opening at p[i] ('"'); n+1 when it does not end. */
static size_t skip_string(const char *p, size_t n, size_t i) {
    for (i++; i < n; i++) {
        if (p[i] == '\\')
            i++;
        else if (p[i] == '"')
            return i + 1;
    }
    return n + 1;
}

static int hexval(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static size_t put_utf8(char *out, size_t cap, size_t k, uint32_t cp) {
    char b[4];
    size_t m;
    if (cp < 0x80)
        b[0] = (char)cp, m = 1;
    else if (cp < 0x800)
        b[0] = (char)(0xc0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3f)), m = 2;
    else if (cp < 0x10000)
        b[0] = (char)(0xe0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
        b[2] = (char)(0x80 | (cp & 0x3f)), m = 3;
    else
        b[0] = (char)(0xf0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), m = 4;
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

/* Past the value starting at p[i]: a string, an object or array (nested
 * brackets, strings skipped), or a bare scalar; n+1 when malformed. */
static size_t skip_value(const char *p, size_t n, size_t i) {
    if (i >= n) return n + 1;
    if (p[i] == '"') return skip_string(p, n, i);
    if (p[i] == '{' || p[i] == '[') {
        int depth = 0;
        while (i < n) {
            char c = p[i];
            if (c == '"') {
                i = skip_string(p, n, i);
                continue;
            }
            if (c == '{' || c == '[') depth++;
            if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
            i++;
        }
        return n + 1;
    }
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

int json_top_values(const char *p, size_t n, JsonTopWant *w, size_t nw) {
    size_t left = nw, i = skip_ws(p, n, 0);
    for (size_t k = 0; k < nw; k++) w[k].found = 0, w[k].len = 0, w[k].klen = strlen(w[k].key);
    if (i >= n || p[i] != '{') return -1;
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

int json_top_value(const char *p, size_t n, const char *key, char *out, size_t cap, size_t *len) {
    JsonTopWant w = {.key = key, .out = out, .cap = cap};
    int rc = json_top_values(p, n, &w, 1);
    if (w.found) *len = w.len;
    return w.found ? w.found : rc;
}
