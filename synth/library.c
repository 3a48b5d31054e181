/* library.c — the reference-library and labelled-claims framework (see
 * library.h): PRNG, national-format code allocator, blocked sample keys, CSV
 * writing and reading, the labelled claim model with its clean base-claim
 * builder, JSON Lines and truth writers, and the two generators
 * (lib_write_library, lib_write_claims). */
#include "library.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "scalar.h"

/* ------------------------------------------------------------------ PRNG */

static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void lib_rng_seed(LibRng *r, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

uint64_t lib_rng_next(LibRng *r) {
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

uint64_t lib_rng_below(LibRng *r, uint64_t n) {
    if (n <= 1) return 0;
    uint64_t lim = UINT64_MAX - UINT64_MAX % n, v;
    do v = lib_rng_next(r);
    while (v >= lim);
    return v % n;
}

int64_t lib_rng_range(LibRng *r, int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    return lo + (int64_t)lib_rng_below(r, (uint64_t)(hi - lo) + 1);
}

int lib_rng_chance(LibRng *r, unsigned permille) {
    return lib_rng_below(r, 1000) < permille;
}

const char *lib_rng_pick(LibRng *r, const char *const *items, size_t n) {
    if (!n)
        while (items[n]) n++;
    return items[lib_rng_below(r, n)];
}

/* ----------------------------------------------------------------- codes */

/* Character classes of each format: 'L' a capital letter, 'd' a digit,
 * anything else itself. */
static const char *const TEMPLATE[LIB_CODE__COUNT] = {
    "XLddLLLdddLdddddddddddd", /* western, 23 */
    "ZLddLLLddddddddddddd",    /* patent, 20 */
    "Tddddddddd",              /* herb, 10 */
    "ddddddddddddddd",         /* service, 15 */
    "Cddddddddddddddddddd",    /* consumable, 20 */
    "Ldd.dddxddd",             /* diagnosis, 11 */
    "dd.ddddxddd",             /* procedure, 11 */
};

/* Length of the prefix key (without '%') that keeps the whole stem. */
static const int PREFIX_LEN[LIB_CODE__COUNT] = {16, 15, 10, 11, 11, 5, 5};

/* ATC level-4 groups for western drugs and patent medicines. */
static const char *const ATC[] = {
    "A02BC", "A10BA", "A10BH", "B01AC", "C01DA", "C07AB", "C08CA", "C09AA", "C09CA", "C10AA",
    "J01CA", "J01DD", "J01FA", "J01MA", "L01XE", "L01BC", "L02BB", "L04AX", "M01AE", "N02BE",
    "N03AX", "N05BA", "N06AB", "R03AC", "R05CB", "R06AE", "G03DA", "G04CA", "H02AB", "S01LA"};
static const char *const ATC_Z[] = {"A01BA", "A04AA", "B02BA", "C05AA", "D02BA", "G01BA",
                                    "J01BA", "K03AB", "M05AA", "N01AA", "R01AA", "X01CA"};

static uint64_t code_hash(int kind, int owner, uint32_t index) {
    uint64_t x = ((uint64_t)kind << 48) ^ ((uint64_t)owner << 32) ^ index;
    return splitmix(&x);
}

void lib_code(LibCodeKind kind, int owner, uint32_t index, char *buf) {
    uint64_t h = code_hash((int)kind, owner, index);
    uint32_t v = (uint32_t)owner * LIB_MAX_INDEX + index % LIB_MAX_INDEX;
    char s[9];
    snprintf(s, sizeof s, "%08u", v % 100000000u);
    char tail[24];
    snprintf(tail, sizeof tail, "%020llu", (unsigned long long)(h % 10000000000000000000ULL));
    switch (kind) {
    case LIB_WESTERN:
        snprintf(buf, LIB_CODE_MAX, "X%s%c%.3s%c%.3s%.2s%.7s", ATC[h % 30],
                 'A' + (int)((h >> 8) % 26), s, 'A' + (int)((h >> 16) % 12), s + 3, s + 6,
                 tail + 3);
        break;
    case LIB_PATENT:
        snprintf(buf, LIB_CODE_MAX, "Z%s%c%s%.5s", ATC_Z[h % 12], 'A' + (int)((h >> 8) % 26), s,
                 tail + 5);
        break;
    case LIB_HERB: snprintf(buf, LIB_CODE_MAX, "T%c%s", '0' + (int)(h % 9) + 1, s); break;
    case LIB_SERVICE:
        snprintf(buf, LIB_CODE_MAX, "0%c%s%.5s", '1' + (int)(h % 4), s, tail + 4);
        buf[15] = 0;
        /* 2 + 8 + 5 = 15 */
        break;
    case LIB_CONSUMABLE:
        snprintf(buf, LIB_CODE_MAX, "C%02u%s%.9s", (unsigned)(h % 100), s, tail + 2);
        break;
    case LIB_DIAG: {
        uint32_t b = (uint32_t)owner * 250 + (index / 1000) % 250, i = index % 1000;
        snprintf(buf, LIB_CODE_MAX, "%c%02u.%u%02ux%03u", 'A' + (int)(b / 1000), (b / 10) % 100,
                 b % 10, (unsigned)(h % 100), i);
        break;
    }
    case LIB_PROC: {
        uint32_t b = (uint32_t)owner * 100 + (index / 1000) % 100, i = index % 1000;
        snprintf(buf, LIB_CODE_MAX, "%02u.%02u%02ux%03u", b / 100, b % 100, (unsigned)(h % 100), i);
        break;
    }
    default: buf[0] = 0;
    }
}

void lib_code_prefix(LibCodeKind kind, int owner, uint32_t index, char *buf) {
    lib_code(kind, owner, index, buf);
    int n = PREFIX_LEN[kind];
    buf[n] = '%';
    buf[n + 1] = 0;
}

void lib_code_expand(LibCodeKind kind, const char *key, LibRng *r, char *buf) {
    size_t n = strlen(key);
    if (!n || key[n - 1] != '%' || (int)kind < 0 || kind >= LIB_CODE__COUNT) {
        snprintf(buf, LIB_CODE_MAX, "%s", key);
        return;
    }
    n--;
    const char *t = TEMPLATE[kind];
    size_t tl = strlen(t);
    if (n > tl) n = tl;
    memcpy(buf, key, n);
    for (size_t i = n; i < tl; i++) {
        if (t[i] == 'L')
            buf[i] = (char)('A' + lib_rng_below(r, 26));
        else if (t[i] == 'd')
            buf[i] = (char)('0' + lib_rng_below(r, 10));
        else
            buf[i] = t[i];
    }
    buf[tl] = 0;
}

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}
static int is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}

int lib_code_kind(const char *code) {
    size_t n = strlen(code);
    int prefix = n && code[n - 1] == '%';
    if (prefix) n--;
    if (!n) return -1;
    if (n >= 3 && is_digit(code[0]) && is_digit(code[1]) && code[2] == '.') return LIB_PROC;
    if (is_upper(code[0]) && n >= 3 && is_digit(code[1]) && is_digit(code[2]) &&
        (n == 3 || code[3] == '.'))
        return LIB_DIAG;
    int digits = 1;
    for (size_t i = 0; i < n; i++) digits &= is_digit(code[i]);
    if (digits && (prefix ? n <= 15 : n == 15)) return LIB_SERVICE;
    static const struct {
        char c;
        size_t len;
        int kind;
    } K[] = {{'X', 23, LIB_WESTERN},
             {'Z', 20, LIB_PATENT},
             {'T', 10, LIB_HERB},
             {'C', 20, LIB_CONSUMABLE}};
    for (size_t k = 0; k < sizeof K / sizeof *K; k++)
        if (code[0] == K[k].c && (prefix ? n <= K[k].len : n == K[k].len)) return K[k].kind;
    return -1;
}

/* ----------------------------------------------------------- block set */

typedef struct StrVec {
    char **v;
    size_t n, cap;
    int sorted;
} StrVec;

struct LibBlock {
    StrVec exact, prefix; /* prefix keys stored without the '%' */
};

static int vec_push(StrVec *s, const char *x, size_t len) {
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        char **nv = realloc(s->v, nc * sizeof *nv);
        if (!nv) return -1;
        s->v = nv;
        s->cap = nc;
    }
    char *c = malloc(len + 1);
    if (!c) return -1;
    memcpy(c, x, len);
    c[len] = 0;
    s->v[s->n++] = c;
    s->sorted = 0;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void vec_sort(StrVec *s) {
    if (!s->sorted) qsort(s->v, s->n, sizeof *s->v, cmp_str);
    s->sorted = 1;
}

/* Index of the first element >= key. */
static size_t vec_lower(const StrVec *s, const char *key) {
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(s->v[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int vec_has(const StrVec *s, const char *key) {
    size_t i = vec_lower(s, key);
    return i < s->n && strcmp(s->v[i], key) == 0;
}

static void vec_free(StrVec *s) {
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

int lib_block_add(LibBlock *b, const char *code) {
    size_t n = strlen(code);
    if (!n) return 0;
    if (code[n - 1] == '%') return vec_push(&b->prefix, code, n - 1);
    return vec_push(&b->exact, code, n);
}

int lib_blocked(LibBlock *b, const char *code) {
    if (!b) return 0;
    vec_sort(&b->exact);
    vec_sort(&b->prefix);
    size_t n = strlen(code);
    char tmp[LIB_CODE_MAX * 4];
    if (n >= sizeof tmp) return 0;
    int prefix = n && code[n - 1] == '%';
    if (prefix) n--;
    /* a blocked prefix covering the code (or the query prefix) */
    for (size_t k = 0; k <= n; k++) {
        memcpy(tmp, code, k);
        tmp[k] = 0;
        if (vec_has(&b->prefix, tmp)) return 1;
    }
    memcpy(tmp, code, n);
    tmp[n] = 0;
    if (!prefix) return vec_has(&b->exact, tmp);
    /* the query prefix covers a blocked code or a blocked prefix */
    size_t i = vec_lower(&b->exact, tmp);
    if (i < b->exact.n && strncmp(b->exact.v[i], tmp, n) == 0) return 1;
    i = vec_lower(&b->prefix, tmp);
    if (i < b->prefix.n && strncmp(b->prefix.v[i], tmp, n) == 0) return 1;
    return 0;
}

void lib_block_free(LibBlock *b) {
    if (!b) return;
    vec_free(&b->exact);
    vec_free(&b->prefix);
    free(b);
}

/* ------------------------------------------------------------------ CSV */

static void table_free(LibTable *t) {
    if (!t) return;
    for (size_t j = 0; j < t->ncols; j++) free(t->cols[j]);
    free(t->cols);
    for (size_t i = 0; i < t->nrows; i++) {
        for (size_t j = 0; j < t->ncols; j++) free(t->rows[i][j]);
        free(t->rows[i]);
    }
    free(t->rows);
    free((char *)t->name);
    free(t);
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) return NULL;
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Reads a CSV file with a header row (RFC 4180 quoting) into a new table.
 * NULL with err: file:line:col of the problem. */
static LibTable *table_read(const char *path, const char *name, char *err, size_t errcap) {
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        snprintf(err, errcap, "cannot read %s: %s", path, strerror(errno ? errno : EIO));
        return NULL;
    }
    LibTable *t = calloc(1, sizeof *t);
    char *cell = malloc(len + 1);
    char **row = NULL;
    size_t rowcap = 0, ncells = 0, capr = 0;
    size_t line = 1, col = 1, p = 0;
    int ok = t && cell;
    if (ok) t->name = strdup(name);
    if (p + 3 <= len && memcmp(text, "\xEF\xBB\xBF", 3) == 0) p = 3;
    while (ok && p < len) {
        /* one record */
        size_t rec_line = line;
        ncells = 0;
        for (;;) {
            size_t cl = 0, cell_col = col, cell_line = line;
            if (p < len && text[p] == '"') {
                p++, col++;
                for (;;) {
                    if (p >= len) {
                        snprintf(err, errcap, "%s:%zu:%zu: unterminated quoted cell", path,
                                 cell_line, cell_col);
                        ok = 0;
                        break;
                    }
                    if (text[p] == '"') {
                        if (p + 1 < len && text[p + 1] == '"') {
                            cell[cl++] = '"';
                            p += 2, col += 2;
                            continue;
                        }
                        p++, col++;
                        break;
                    }
                    if (text[p] == '\n') line++, col = 0;
                    cell[cl++] = text[p++];
                    col++;
                }
                if (ok && p < len && text[p] != ',' && text[p] != '\n' && text[p] != '\r') {
                    snprintf(err, errcap, "%s:%zu:%zu: text after a closing quote", path, line,
                             col);
                    ok = 0;
                }
            } else {
                while (p < len && text[p] != ',' && text[p] != '\n' && text[p] != '\r') {
                    if (text[p] == '"') {
                        snprintf(err, errcap, "%s:%zu:%zu: quote inside an unquoted cell", path,
                                 line, col);
                        ok = 0;
                        break;
                    }
                    cell[cl++] = text[p++];
                    col++;
                }
            }
            if (!ok) break;
            if (ncells == rowcap) {
                rowcap = rowcap ? rowcap * 2 : 16;
                char **nr = realloc(row, rowcap * sizeof *nr);
                if (!nr) {
                    ok = 0;
                    snprintf(err, errcap, "out of memory reading %s", path);
                    break;
                }
                row = nr;
            }
            row[ncells] = malloc(cl + 1);
            if (!row[ncells]) {
                ok = 0;
                break;
            }
            memcpy(row[ncells], cell, cl);
            row[ncells++][cl] = 0;
            if (p < len && text[p] == ',') {
                p++, col++;
                continue;
            }
            if (p < len && text[p] == '\r') p++;
            if (p < len && text[p] == '\n') p++;
            line++, col = 1;
            break;
        }
        if (!ok) break;
        if (ncells == 1 && !row[0][0]) { /* blank line */
            free(row[0]);
            continue;
        }
        if (!t->cols) {
            t->cols = row;
            t->ncols = ncells;
            row = NULL;
            rowcap = 0;
            continue;
        }
        if (ncells != t->ncols) {
            snprintf(err, errcap, "%s:%zu:1: %zu cells, the header has %zu", path, rec_line, ncells,
                     t->ncols);
            for (size_t j = 0; j < ncells; j++) free(row[j]);
            ncells = 0;
            ok = 0;
            break;
        }
        if (t->nrows == capr) {
            capr = capr ? capr * 2 : 256;
            char ***nr = realloc(t->rows, capr * sizeof *nr);
            if (!nr) {
                ok = 0;
                break;
            }
            t->rows = nr;
        }
        t->rows[t->nrows++] = row;
        row = NULL;
        rowcap = 0;
    }
    if (ok && !t->cols) {
        snprintf(err, errcap, "%s:1:1: no header row", path);
        ok = 0;
    }
    if (row && !ok)
        for (size_t j = 0; j < ncells; j++) free(row[j]);
    free(row);
    free(cell);
    free(text);
    if (!ok) {
        if (t && !t->cols) free(t->cols);
        table_free(t);
        if (!err[0]) snprintf(err, errcap, "out of memory reading %s", path);
        return NULL;
    }
    return t;
}

int lib_col(const LibTable *t, const char *name) {
    for (size_t j = 0; j < t->ncols; j++)
        if (strcmp(t->cols[j], name) == 0) return (int)j;
    return -1;
}

const char *lib_cell(const LibTable *t, size_t row, const char *name) {
    int j = lib_col(t, name);
    return j < 0 || row >= t->nrows ? "" : t->rows[row][j];
}

LibBlock *lib_block_tables(const char *dir, char *err, size_t errcap) {
    LibBlock *b = calloc(1, sizeof *b);
    if (!b || !dir) return b;
    char path[4096];
    snprintf(path, sizeof path, "%s/tables", dir);
    DIR *d = opendir(path);
    if (!d) return b;
    struct dirent *de;
    int ok = 1;
    while (ok && (de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 4, ".csv") != 0) continue;
        char file[4400];
        snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        LibTable *t = table_read(file, de->d_name, err, errcap);
        if (!t) {
            ok = 0;
            break;
        }
        static const char *const COLS[] = {"code", "with_code", "first_line_code"};
        for (size_t k = 0; k < 3; k++) {
            int j = lib_col(t, COLS[k]);
            if (j < 0) continue;
            for (size_t i = 0; i < t->nrows && ok; i++) {
                const char *c = t->rows[i][j];
                /* first_line_code is a prefix stored without '%' */
                if (k == 2 && c[0]) {
                    char pk[LIB_CODE_MAX * 4];
                    snprintf(pk, sizeof pk, "%s%%", c);
                    ok = lib_block_add(b, pk) == 0;
                } else
                    ok = lib_block_add(b, c) == 0;
            }
        }
        table_free(t);
    }
    closedir(d);
    if (!ok) {
        lib_block_free(b);
        return NULL;
    }
    return b;
}

/* ----------------------------------------------------------- the claim */

#define DAY 86400
#define HOUR 3600

int64_t lib_days(int y, int m, int d) {
    return days_from_civil(y, (unsigned)m, (unsigned)d);
}

static void civil(int64_t z, int *y, int *m, int *d) {
    int64_t yy;
    unsigned mm, dd;
    civil_from_days(z, &yy, &mm, &dd);
    *y = (int)yy, *m = (int)mm, *d = (int)dd;
}

int64_t lib_date_of(int64_t t) {
    return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

int64_t lib_claim_ref_time(const LibClaim *c) {
    return c->admit_time != LIB_NONE ? c->admit_time : c->settle_time;
}

static int64_t age_at(int64_t birth, int64_t day) {
    int by, bm, bd, y, m, d;
    civil(birth, &by, &bm, &bd);
    civil(day, &y, &m, &d);
    return y - by - (m < bm || (m == bm && d < bd));
}

int64_t lib_claim_age(const LibClaim *c) {
    return age_at(c->birth_date, lib_date_of(lib_claim_ref_time(c)));
}

const LibTable *lib_own_table(LibInject *x) {
    const LibTable *t = lib_table(x, NULL);
    if (!t) lib_inject_error(x, "the library has no %s rows", lib_inject_category(x)->table);
    return t;
}

int64_t lib_cell_int(const LibTable *t, size_t i, const char *col) {
    const char *s = lib_cell(t, i, col);
    return *s ? strtoll(s, NULL, 10) : LIB_NONE;
}

int64_t lib_cell_money(const LibTable *t, size_t i, const char *col) {
    const char *s = lib_cell(t, i, col);
    int64_t v;
    return scalar_parse_money(s, strlen(s), &v) == 0 ? v : LIB_NONE;
}

int lib_injected(const LibLine *l, int *line_no) {
    if (!l) return 1;
    *line_no = l->line_no;
    return 0;
}

LibLine *lib_add_line(LibClaim *c, const char *code, const char *kind, const char *name,
                      int64_t quantity, int64_t unit_price) {
    if (c->nlines >= LIB_MAX_LINES) return NULL;
    LibLine *l = &c->lines[c->nlines];
    memset(l, 0, sizeof *l);
    l->line_no = ++c->nlines;
    snprintf(l->item_code, sizeof l->item_code, "%s", code);
    l->item_kind = kind;
    snprintf(l->item_name, sizeof l->item_name, "%s", name ? name : "");
    if (c->admit_time != LIB_NONE)
        l->time = c->admit_time + (600 * (int64_t)(l->line_no - 1)) % (6 * HOUR);
    else /* before settlement, the same day (settlement is after 08:00) */
        l->time = c->settle_time - HOUR + (120 * (int64_t)(l->line_no - 1)) % HOUR;
    l->quantity = quantity;
    l->unit_price = unit_price;
    l->amount = unit_price * quantity;
    l->days_supply = LIB_NONE;
    snprintf(l->dept, sizeof l->dept, "%s", c->dept);
    return l;
}

LibDiag *lib_add_diag(LibClaim *c, const char *code, const char *name, int is_main) {
    if (c->ndiags >= LIB_MAX_DIAGS) return NULL;
    LibDiag *d = &c->diags[c->ndiags++];
    snprintf(d->code, sizeof d->code, "%s", code);
    snprintf(d->name, sizeof d->name, "%s", name ? name : "");
    d->is_main = is_main;
    return d;
}

void lib_claim_finish(LibClaim *c) {
    int64_t total = 0;
    for (int i = 0; i < c->nlines; i++) {
        c->lines[i].line_no = i + 1;
        total += c->lines[i].amount;
    }
    c->total_amount = total;
    int share = 70;
    if (c->insurance_type && strcmp(c->insurance_type, "resident") == 0) share = 60;
    if (c->insurance_type && (strcmp(c->insurance_type, "work_injury") == 0 ||
                              strcmp(c->insurance_type, "maternity") == 0))
        share = 100;
    if (c->care_type && strcmp(c->care_type, "pharmacy") == 0) share = 50;
    c->fund_amount = total * share / 100;
}

void lib_want_init(LibWant *w) {
    memset(w, 0, sizeof *w);
    w->min_age = w->max_age = w->age_days_max = w->facility_level = LIB_NONE;
}

/* -------------------------------------------------------- JSON output */

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fputc('\\', f), fputc(ch, f);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void json_money(FILE *f, int64_t c) {
    int64_t a = c < 0 ? -c : c;
    fprintf(f, "\"%s%lld.%02lld\"", c < 0 ? "-" : "", (long long)(a / 100), (long long)(a % 100));
}

static void json_date(FILE *f, int64_t day) {
    int y, m, d;
    civil(day, &y, &m, &d);
    fprintf(f, "\"%04d-%02d-%02d\"", y, m, d);
}

static void json_time(FILE *f, int64_t t) {
    int64_t day = lib_date_of(t), s = t - day * DAY;
    int y, m, d;
    civil(day, &y, &m, &d);
    fprintf(f, "\"%04d-%02d-%02dT%02d:%02d:%02d\"", y, m, d, (int)(s / 3600), (int)(s / 60 % 60),
            (int)(s % 60));
}

void lib_claim_json(FILE *f, const LibClaim *c) {
    fputs("{\"claim_id\":", f);
    json_str(f, c->claim_id);
    fputs(",\"person_id\":", f);
    json_str(f, c->person_id);
    fprintf(f, ",\"sex\":\"%c\",\"birth_date\":", c->sex);
    json_date(f, c->birth_date);
    fprintf(f, ",\"insurance_type\":\"%s\",\"care_type\":\"%s\"", c->insurance_type, c->care_type);
    fputs(",\"facility_id\":", f);
    json_str(f, c->facility_id);
    if (c->facility_level != LIB_NONE)
        fprintf(f, ",\"facility_level\":%lld", (long long)c->facility_level);
    if (c->dept[0]) fputs(",\"dept\":", f), json_str(f, c->dept);
    if (c->doctor[0]) fputs(",\"doctor\":", f), json_str(f, c->doctor);
    if (c->admit_time != LIB_NONE) fputs(",\"admit_time\":", f), json_time(f, c->admit_time);
    if (c->discharge_time != LIB_NONE)
        fputs(",\"discharge_time\":", f), json_time(f, c->discharge_time);
    fputs(",\"settle_time\":", f);
    json_time(f, c->settle_time);
    fputs(",\"upload_time\":", f);
    json_time(f, c->upload_time);
    fputs(",\"total_amount\":", f);
    json_money(f, c->total_amount);
    fputs(",\"fund_amount\":", f);
    json_money(f, c->fund_amount);
    fputs(",\"diagnoses\":[", f);
    for (int i = 0; i < c->ndiags; i++) {
        const LibDiag *d = &c->diags[i];
        fputs(i ? ",{\"code\":" : "{\"code\":", f);
        json_str(f, d->code);
        if (d->name[0]) fputs(",\"name\":", f), json_str(f, d->name);
        fprintf(f, ",\"is_main\":%s}", d->is_main ? "true" : "false");
    }
    fputs("],\"procedures\":[", f);
    for (int i = 0; i < c->nprocs; i++) {
        const LibProc *p = &c->procs[i];
        fputs(i ? ",{\"code\":" : "{\"code\":", f);
        json_str(f, p->code);
        fputs(",\"date\":", f);
        json_date(f, p->date);
        fprintf(f, ",\"is_main\":%s", p->is_main ? "true" : "false");
        if (p->incision_group != LIB_NONE)
            fprintf(f, ",\"incision_group\":%lld", (long long)p->incision_group);
        fputc('}', f);
    }
    fputs("],\"lines\":[", f);
    for (int i = 0; i < c->nlines; i++) {
        const LibLine *l = &c->lines[i];
        fprintf(f, "%s{\"line_no\":%d,\"item_code\":", i ? "," : "", l->line_no);
        json_str(f, l->item_code);
        fprintf(f, ",\"item_kind\":\"%s\",\"item_name\":", l->item_kind);
        json_str(f, l->item_name);
        fputs(",\"time\":", f);
        json_time(f, l->time);
        fprintf(f, ",\"quantity\":%lld,\"unit_price\":", (long long)l->quantity);
        json_money(f, l->unit_price);
        fputs(",\"amount\":", f);
        json_money(f, l->amount);
        if (l->dept[0]) fputs(",\"dept\":", f), json_str(f, l->dept);
        if (l->days_supply != LIB_NONE)
            fprintf(f, ",\"days_supply\":%lld", (long long)l->days_supply);
        if (l->rx_group[0]) fputs(",\"rx_group\":", f), json_str(f, l->rx_group);
        fputc('}', f);
    }
    fputs("]}\n", f);
}

/* ------------------------------------------------------- categories */

static int cmp_cat(const void *a, const void *b) {
    const LibCategory *x = *(const LibCategory *const *)a, *y = *(const LibCategory *const *)b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

size_t lib_categories(const LibCategory **out, size_t cap) {
    const LibCategory *groups[] = {lib_drug_categories, lib_service_categories,
                                   lib_mgmt_medical_categories};
    size_t k = 0;
    for (size_t g = 0; g < 3; g++)
        for (const LibCategory *c = groups[g]; c->id && k < cap; c++) out[k++] = c;
    qsort(out, k, sizeof *out, cmp_cat);
    return k;
}

/* ------------------------------------------------------ neutral items */

static const char *const TERMS[] = {"高血压",
                                    "糖尿病",
                                    "社区获得性肺炎",
                                    "急性支气管炎",
                                    "慢性胃炎",
                                    "冠状动脉粥样硬化性心脏病",
                                    "心力衰竭",
                                    "脑梗死",
                                    "慢性肾脏病",
                                    "类风湿关节炎",
                                    "骨质疏松",
                                    "乳腺恶性肿瘤",
                                    "肺恶性肿瘤",
                                    "肝细胞癌",
                                    "胃恶性肿瘤",
                                    "结直肠恶性肿瘤",
                                    "急性髓系白血病",
                                    "弥漫大B细胞淋巴瘤",
                                    "甲状腺功能亢进症",
                                    "甲状腺功能减退症",
                                    "支气管哮喘",
                                    "慢性阻塞性肺疾病",
                                    "寻常型银屑病",
                                    "特应性皮炎",
                                    "痛风",
                                    "帕金森病",
                                    "癫痫",
                                    "抑郁发作",
                                    "精神分裂症",
                                    "阿尔茨海默病",
                                    "多发性硬化",
                                    "肝硬化",
                                    "慢性乙型病毒性肝炎",
                                    "慢性丙型病毒性肝炎",
                                    "肺结核",
                                    "缺铁性贫血",
                                    "血友病A",
                                    "良性前列腺增生",
                                    "子宫内膜异位症",
                                    "女性不孕症",
                                    "原发性开角型青光眼",
                                    "年龄相关性黄斑变性",
                                    "老年性白内障",
                                    "分泌性中耳炎",
                                    "慢性鼻窦炎",
                                    "急性扁桃体炎",
                                    "尿路感染",
                                    "肾病综合征",
                                    "系统性红斑狼疮",
                                    "强直性脊柱炎",
                                    "膝骨关节炎",
                                    "腰椎间盘突出症",
                                    "偏头痛",
                                    "带状疱疹",
                                    "变应性鼻炎",
                                    "慢性荨麻疹",
                                    "慢性胆囊炎",
                                    "急性胰腺炎",
                                    "急性阑尾炎",
                                    "克罗恩病",
                                    "溃疡性结肠炎",
                                    "房颤",
                                    "高脂血症",
                                    "睡眠障碍",
                                    "颈椎病",
                                    "病毒性结膜炎"};
enum { NTERMS = sizeof TERMS / sizeof *TERMS };

const char *const *lib_terms(size_t *n) {
    *n = NTERMS;
    return TERMS;
}

static const char *const DRUG_NAMES[] = {
    "维生素B6片", "复合维生素B片", "葡萄糖酸钙片", "甘草片",     "氯化钾缓释片", "乳酸菌素片",
    "蒙脱石散",   "碳酸氢钠片",    "维生素C片",    "多潘立酮片", "口服补液盐散", "叶酸片"};
static const char *const PATENT_NAMES[] = {"板蓝根颗粒", "感冒清热颗粒", "复方丹参片",
                                           "六味地黄丸", "藿香正气胶囊", "银黄颗粒"};
static const char *const SERVICE_NAMES[] = {
    "普通门诊诊查费", "血常规检查",  "尿常规检查", "肝功能检测", "肾功能检测",
    "心电图检查",     "胸部X线摄影", "静脉采血",   "换药",       "血糖测定"};
static const char *const CONS_NAMES[] = {"一次性使用输液器", "医用棉签", "一次性使用注射器",
                                         "医用纱布块"};
static const char *const DEPTS[] = {"心血管内科", "内分泌科", "呼吸内科", "消化内科",  "神经内科",
                                    "肾内科",     "普外科",   "骨科",     "妇产科",    "儿科",
                                    "眼科",       "皮肤科",   "中医科",   "全科医疗科"};

enum { NEUTRAL_POOL = 64 };

typedef struct Neutral {
    char code[LIB_CODE__COUNT][NEUTRAL_POOL][LIB_CODE_MAX];
} Neutral;

static int neutral_fill(Neutral *nt, LibBlock *b) {
    for (int k = 0; k < LIB_CODE__COUNT; k++) {
        uint32_t idx = 0;
        for (int i = 0; i < NEUTRAL_POOL; i++) {
            do {
                if (idx >= 5000) return -1;
                lib_code((LibCodeKind)k, LIB_NEUTRAL, idx++, nt->code[k][i]);
            } while (lib_blocked(b, nt->code[k][i]));
        }
    }
    return 0;
}

/* ------------------------------------------------------ generation contexts */

struct LibGen {
    const LibCategory *cat;
    LibRng rng;
    LibBlock *block;
    uint32_t next[LIB_CODE__COUNT];
    char *err;
    size_t errcap;
};

const LibCategory *lib_gen_category(const LibGen *g) {
    return g->cat;
}
LibRng *lib_gen_rng(LibGen *g) {
    return &g->rng;
}

static int gen_code(LibGen *g, LibCodeKind kind, char *buf, int prefix) {
    for (;;) {
        uint32_t limit = kind == LIB_PROC ? 100000 : LIB_MAX_INDEX;
        if (g->next[kind] >= limit)
            return lib_gen_error(g, "%s: out of codes of kind %d", g->cat->id, (int)kind);
        uint32_t i = g->next[kind]++;
        if (prefix) {
            lib_code_prefix(kind, g->cat->seq, i, buf);
            /* a prefix takes its whole stem: skip the indices it covers */
            if (kind == LIB_DIAG || kind == LIB_PROC) g->next[kind] = (i / 1000 + 1) * 1000;
        } else
            lib_code(kind, g->cat->seq, i, buf);
        if (!lib_blocked(g->block, buf)) return 0;
    }
}

int lib_gen_code(LibGen *g, LibCodeKind kind, char *buf) {
    return gen_code(g, kind, buf, 0);
}
int lib_gen_prefix(LibGen *g, LibCodeKind kind, char *buf) {
    return gen_code(g, kind, buf, 1);
}

int lib_gen_error(LibGen *g, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->err, g->errcap, fmt, ap);
    va_end(ap);
    return -1;
}

static int mkdir_p(const char *dir) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0777) && errno != EEXIST) return -1;
            *p = '/';
        }
    if (mkdir(tmp, 0777) && errno != EEXIST) return -1;
    return 0;
}

int lib_write_library(const char *dir, const LibOptions *o, uint64_t *counts, char *err,
                      size_t errcap) {
    err[0] = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/tables", dir);
    if (mkdir_p(path)) {
        snprintf(err, errcap, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    uint64_t rows = o->rows ? o->rows : 135000;
    if (rows > LIB_MAX_ROWS) {
        snprintf(err, errcap, "--rows at most %d", LIB_MAX_ROWS);
        return -1;
    }
    LibBlock *block = lib_block_tables(o->stdlib_dir, err, errcap);
    if (!block) {
        if (!err[0]) snprintf(err, errcap, "out of memory");
        return -1;
    }
    const LibCategory *cats[LIB_MAX_CATEGORIES];
    size_t n = lib_categories(cats, LIB_MAX_CATEGORIES);
    char(*cells)[LIB_CELL] = malloc(LIB_MAX_COLS * LIB_CELL);
    if (!cells) {
        lib_block_free(block);
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    snprintf(path, sizeof path, "%s/library.rules", dir);
    FILE *lib = fopen(path, "w");
    if (!lib) {
        snprintf(err, errcap, "cannot write %s: %s", path, strerror(errno));
        lib_block_free(block);
        free(cells);
        return -1;
    }
    fprintf(lib,
            "# library.rules — a SYNTHETIC reference library: every row in tables/ is made up\n"
            "# by `arbiter gen library --seed %llu --rows %llu` (kp column SYN-...). It is\n"
            "# not national data; it exists to test and measure the standard library at scale.\n"
            "# Load it after stdlib-rules: arbiter check stdlib-rules THIS_DIR --claims ...\n\n",
            (unsigned long long)o->seed, (unsigned long long)rows);
    uint64_t cum = 0;
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        const LibCategory *c = cats[k];
        if (counts) counts[k] = 0;
        if (!c->table || !c->row) continue;
        uint64_t before = cum * rows / 135000;
        cum += c->share;
        uint64_t m = cum * rows / 135000 - before;
        fprintf(lib, "extend table %s from \"tables/%s.csv\"\n", c->table, c->table);
        snprintf(path, sizeof path, "%s/tables/%s.csv", dir, c->table);
        FILE *f = fopen(path, "w");
        if (!f) {
            snprintf(err, errcap, "cannot write %s: %s", path, strerror(errno));
            rc = -1;
            break;
        }
        /* columns */
        char cols[LIB_MAX_COLS][64];
        size_t ncols = 0;
        for (const char *p = c->columns; *p && ncols < LIB_MAX_COLS;) {
            const char *e = strchr(p, ',');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            snprintf(cols[ncols++], 64, "%.*s", (int)l, p);
            p += l + (e ? 1 : 0);
        }
        int kp = -1;
        for (size_t j = 0; j < ncols; j++) {
            fprintf(f, "%s%s", j ? "," : "", cols[j]);
            if (strcmp(cols[j], "kp") == 0) kp = (int)j;
        }
        fputc('\n', f);
        LibGen g;
        memset(&g, 0, sizeof g);
        g.cat = c;
        g.block = block;
        g.err = err;
        g.errcap = errcap;
        lib_rng_seed(&g.rng, o->seed, 1000 + (uint64_t)c->seq);
        for (uint64_t i = 0; i < m; i++) {
            for (size_t j = 0; j < ncols; j++) cells[j][0] = 0;
            if (c->row(&g, (size_t)i, cells)) {
                rc = -1;
                break;
            }
            if (kp >= 0 && !cells[kp][0])
                snprintf(cells[kp], LIB_CELL, "SYN-%02d-%06llu", c->seq, (unsigned long long)i + 1);
            for (size_t j = 0; j < ncols; j++) {
                if (j) fputc(',', f);
                csv_put_cell(f, cells[j]);
            }
            fputc('\n', f);
        }
        if (counts) counts[k] = m;
        if (fclose(f) != 0 && rc == 0) {
            snprintf(err, errcap, "write error on %s: %s", path, strerror(errno));
            rc = -1;
        }
    }
    if (fclose(lib) != 0 && rc == 0) {
        snprintf(err, errcap, "write error on %s/library.rules", dir);
        rc = -1;
    }
    lib_block_free(block);
    free(cells);
    return rc;
}

/* ------------------------------------------------------------ injection */

enum { MAX_EARLIER = 4, MAX_TABLES = 128 };

struct LibInject {
    const LibCategory *cat;
    LibRng rng;
    LibTable *tables[MAX_TABLES];
    size_t ntables;
    Neutral *neutral;
    LibClaim earlier[MAX_EARLIER];
    int nearlier;
    uint64_t claim_no;
    char *err;
    size_t errcap;
};

const LibCategory *lib_inject_category(const LibInject *x) {
    return x->cat;
}
LibRng *lib_inject_rng(LibInject *x) {
    return &x->rng;
}

const LibTable *lib_table(const LibInject *x, const char *table) {
    if (!table) table = x->cat ? x->cat->table : NULL;
    if (!table) return NULL;
    for (size_t i = 0; i < x->ntables; i++)
        if (strcmp(x->tables[i]->name, table) == 0)
            return x->tables[i]->nrows ? x->tables[i] : NULL;
    return NULL;
}

size_t lib_pick_row(LibInject *x, const LibTable *t) {
    return (size_t)lib_rng_below(&x->rng, t->nrows);
}

void lib_key_code(LibInject *x, const char *key, char *buf) {
    int k = lib_code_kind(key);
    lib_code_expand((LibCodeKind)(k < 0 ? 0 : k), key, &x->rng, buf);
}

void lib_neutral_code(LibInject *x, LibCodeKind kind, char *buf) {
    memcpy(buf, x->neutral->code[kind][lib_rng_below(&x->rng, NEUTRAL_POOL)], LIB_CODE_MAX);
}

int lib_inject_error(LibInject *x, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err, x->errcap, fmt, ap);
    va_end(ap);
    return -1;
}

/* Picks distinct neutral codes of a kind for one claim. */
static void pick_distinct(LibRng *r, int *out, int n) {
    for (int i = 0; i < n; i++) {
        int v, dup;
        do {
            v = (int)lib_rng_below(r, NEUTRAL_POOL);
            dup = 0;
            for (int j = 0; j < i; j++) dup |= out[j] == v;
        } while (dup);
        out[i] = v;
    }
}

/* Builds a clean base claim into c, keeping claim_id and person_id.  The
 * settle day is `settle_day` (days since 1970) when >= 0, else drawn. */
static void build_base(const Neutral *nt, LibRng *r, LibClaim *c, const LibWant *w,
                       int64_t settle_day) {
    char cid[32], pid[32];
    memcpy(cid, c->claim_id, sizeof cid);
    memcpy(pid, c->person_id, sizeof pid);
    memset(c, 0, sizeof *c);
    memcpy(c->claim_id, cid, sizeof cid);
    memcpy(c->person_id, pid, sizeof pid);
    c->admit_time = c->discharge_time = LIB_NONE;

    /* care type */
    const char *care = w && w->care_type ? w->care_type : NULL;
    if (!care) {
        unsigned p = (unsigned)lib_rng_below(r, 100);
        care = p < 55   ? "outpatient"
               : p < 70 ? "chronic_outpatient"
               : p < 85 ? "inpatient"
               : p < 95 ? "pharmacy"
                        : "internet";
    }
    c->care_type = care;
    int inpatient = strcmp(care, "inpatient") == 0, pharmacy = strcmp(care, "pharmacy") == 0;

    /* times */
    if (settle_day < 0) settle_day = lib_days(2025, 1, 20) + lib_rng_range(r, 0, 330);
    int64_t stay = inpatient ? lib_rng_range(r, 2, 9) : 0;
    if (inpatient) {
        c->admit_time = (settle_day - stay) * DAY + lib_rng_range(r, 8 * HOUR, 16 * HOUR);
        c->discharge_time = settle_day * DAY + lib_rng_range(r, 8 * HOUR, 11 * HOUR);
        c->settle_time = c->discharge_time + lib_rng_range(r, 600, 3 * HOUR);
    } else
        c->settle_time = settle_day * DAY + lib_rng_range(r, 8 * HOUR, 17 * HOUR);
    c->upload_time = c->settle_time + lib_rng_range(r, 600, 6 * HOUR);
    int64_t ref_day = lib_date_of(lib_claim_ref_time(c));

    /* person */
    c->sex = w && w->sex ? w->sex : lib_rng_chance(r, 500) ? 'M' : 'F';
    int64_t lo = 1, hi = 90;
    if (w && w->min_age != LIB_NONE) lo = w->min_age;
    if (w && w->max_age != LIB_NONE) hi = w->max_age;
    if (hi < lo) hi = lo;
    if (w && w->age_days_max != LIB_NONE) {
        c->birth_date = ref_day - lib_rng_range(r, 1, w->age_days_max);
    } else {
        int64_t age = lib_rng_range(r, lo, hi);
        /* a birthday that gives exactly `age` years at ref_day */
        int y, m, d;
        civil(ref_day, &y, &m, &d);
        int64_t from = lib_days(y - (int)age - 1, m, d > 28 ? 28 : d) + 1;
        int64_t to = lib_days(y - (int)age, m, d > 28 ? 28 : d);
        c->birth_date = lib_rng_range(r, from, to);
        while (age_at(c->birth_date, ref_day) > age) c->birth_date++;
        while (age_at(c->birth_date, ref_day) < age) c->birth_date--;
    }
    int64_t age = age_at(c->birth_date, ref_day);
    if (w && w->insurance_type)
        c->insurance_type = w->insurance_type;
    else if (age >= 18 && age < 60 && lib_rng_chance(r, 30))
        c->insurance_type = "work_injury";
    else if (c->sex == 'F' && age >= 20 && age <= 42 && lib_rng_chance(r, 40))
        c->insurance_type = "maternity";
    else
        c->insurance_type =
            age >= 18 && age < 65 && lib_rng_chance(r, 600) ? "employee" : "resident";

    /* facility */
    if (pharmacy) {
        snprintf(c->facility_id, sizeof c->facility_id, "Y%04u", (unsigned)lib_rng_range(r, 1, 60));
        c->facility_level = LIB_NONE;
    } else {
        int64_t lvl = w && w->facility_level != LIB_NONE ? w->facility_level
                      : strcmp(care, "internet") == 0    ? 3
                                                         : lib_rng_range(r, 1, 3);
        c->facility_level = lvl;
        snprintf(c->facility_id, sizeof c->facility_id, "H%04u",
                 (unsigned)(lvl == 3   ? lib_rng_range(r, 1, 12)
                            : lvl == 2 ? lib_rng_range(r, 13, 52)
                                       : lib_rng_range(r, 53, 172)));
        const char *dept = w && w->dept ? w->dept : DEPTS[lib_rng_below(r, 14)];
        snprintf(c->dept, sizeof c->dept, "%s", dept);
        snprintf(c->doctor, sizeof c->doctor, "D%05u", (unsigned)lib_rng_range(r, 1, 99999));
    }

    /* diagnoses: main + 0-2 others, distinct neutral codes, names from the terms */
    int nd = 1 + (int)lib_rng_below(r, 3), di[3], ti[3];
    pick_distinct(r, di, nd);
    for (int i = 0; i < nd; i++) {
        int t, dup;
        do {
            t = (int)lib_rng_below(r, NTERMS);
            dup = 0;
            for (int j = 0; j < i; j++) dup |= ti[j] == t;
        } while (dup);
        ti[i] = t;
        lib_add_diag(c, nt->code[LIB_DIAG][di[i]], TERMS[t], i == 0);
    }

    /* lines */
    int no_drugs = w && w->no_drugs;
    if (inpatient) {
        for (int64_t d = 0; d < stay; d++) {
            LibLine *l = lib_add_line(c, nt->code[LIB_SERVICE][0], "service", "床位费", 1, 5000);
            l->time = (ref_day + d) * DAY + 20 * HOUR;
            if (d == 0) l->time = c->admit_time;
            l = lib_add_line(c, nt->code[LIB_SERVICE][1], "service", "Ⅱ级护理", 1, 2600);
            l->time = (ref_day + d) * DAY + 20 * HOUR + 600;
            if (d == 0) l->time = c->admit_time + 60;
        }
        int ns = 1 + (int)lib_rng_below(r, 3), si[3];
        pick_distinct(r, si, ns);
        for (int i = 0; i < ns; i++) {
            int k = 2 + si[i] % (NEUTRAL_POOL - 2);
            LibLine *l = lib_add_line(c, nt->code[LIB_SERVICE][k], "service", SERVICE_NAMES[k % 10],
                                      1, 1000 + 500 * (k % 9));
            l->time = c->admit_time + (i + 1) * HOUR;
        }
    } else if (!pharmacy) {
        lib_add_line(c, nt->code[LIB_SERVICE][2 + lib_rng_below(r, 8)], "service", "普通门诊诊查费",
                     1, 1000);
        if (lib_rng_chance(r, 400)) {
            int k = 10 + (int)lib_rng_below(r, NEUTRAL_POOL - 10);
            lib_add_line(c, nt->code[LIB_SERVICE][k], "service", SERVICE_NAMES[k % 10], 1,
                         800 + 300 * (k % 7));
        }
        if (lib_rng_chance(r, 150)) {
            int k = (int)lib_rng_below(r, NEUTRAL_POOL);
            lib_add_line(c, nt->code[LIB_CONSUMABLE][k], "consumable", CONS_NAMES[k % 4], 1,
                         250 + 50 * (k % 5));
        }
    }
    if (!no_drugs) {
        int ndrug = 1 + (int)lib_rng_below(r, 3), ix[3];
        pick_distinct(r, ix, ndrug);
        for (int i = 0; i < ndrug; i++) {
            int patent = ix[i] % 3 == 0;
            LibCodeKind k = patent ? LIB_PATENT : LIB_WESTERN;
            const char *name = patent ? PATENT_NAMES[ix[i] % 6] : DRUG_NAMES[ix[i] % 12];
            LibLine *l = lib_add_line(c, nt->code[k][ix[i]], "drug", name, lib_rng_range(r, 1, 3),
                                      800 + 150 * (ix[i] % 20));
            l->days_supply = strcmp(care, "chronic_outpatient") == 0 ? lib_rng_range(r, 14, 28)
                                                                     : lib_rng_range(r, 3, 7);
            if (inpatient) l->time = c->admit_time + (i + 2) * HOUR;
        }
    }
    lib_claim_finish(c);
}

void lib_rebuild(LibInject *x, LibClaim *c, const LibWant *w) {
    build_base(x->neutral, &x->rng, c, w, -1);
}

LibClaim *lib_earlier(LibInject *x, const LibClaim *c, int days_before, const LibWant *w) {
    if (x->nearlier >= MAX_EARLIER) return NULL;
    if (days_before < 1) days_before = 1;
    LibClaim *e = &x->earlier[x->nearlier];
    snprintf(e->claim_id, sizeof e->claim_id, "%.24sH%u", c->claim_id,
             (unsigned)(x->nearlier + 1) % 10u);
    memcpy(e->person_id, c->person_id, sizeof e->person_id);
    LibWant ww;
    if (w)
        ww = *w;
    else {
        lib_want_init(&ww);
        ww.care_type = "outpatient";
    }
    ww.no_drugs = 1;
    ww.sex = c->sex;
    ww.insurance_type = c->insurance_type;
    ww.min_age = ww.max_age = LIB_NONE;
    ww.age_days_max = LIB_NONE;
    int64_t day = lib_date_of(c->settle_time) - days_before;
    if (c->admit_time != LIB_NONE) day = lib_date_of(c->admit_time) - days_before;
    build_base(x->neutral, &x->rng, e, &ww, day);
    e->birth_date = c->birth_date;
    e->sex = c->sex;
    x->nearlier++;
    return e;
}

/* -------------------------------------------------------- labelled claims */

int lib_write_claims(FILE *out, FILE *truth, const LibClaimsOptions *o, char *err, size_t errcap) {
    err[0] = 0;
    const LibCategory *cats[LIB_MAX_CATEGORIES];
    size_t n = lib_categories(cats, LIB_MAX_CATEGORIES);
    LibInject *x = calloc(1, sizeof *x);
    LibClaim *c = calloc(1, sizeof *c);
    LibBlock *block = lib_block_tables(o->stdlib_dir, err, errcap);
    int rc = 0;
    if (!x || !c || !block || !(x->neutral = calloc(1, sizeof *x->neutral))) {
        if (!err[0]) snprintf(err, errcap, "out of memory");
        rc = -1;
        goto done;
    }
    x->err = err;
    x->errcap = errcap;
    /* the library's tables */
    for (size_t k = 0; k < n && rc == 0; k++) {
        const LibCategory *cat = cats[k];
        if (!cat->table || !o->library) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/tables/%s.csv", o->library, cat->table);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        LibTable *t = table_read(path, cat->table, err, errcap);
        if (!t) {
            rc = -1;
            break;
        }
        x->tables[x->ntables++] = t;
        static const char *const KEYS[] = {"code", "with_code"};
        for (size_t q = 0; q < 2 && rc == 0; q++) {
            int j = lib_col(t, KEYS[q]);
            for (size_t i = 0; j >= 0 && i < t->nrows; i++)
                if (lib_block_add(block, t->rows[i][j])) rc = -1;
        }
    }
    if (rc) goto done;
    if (neutral_fill(x->neutral, block)) {
        snprintf(err, errcap, "no neutral codes left outside the tables");
        rc = -1;
        goto done;
    }
    /* categories that take injections */
    const LibCategory *inj[128];
    size_t ninj = 0, injk[128];
    for (size_t k = 0; k < n; k++)
        if (cats[k]->inject) injk[ninj] = k, inj[ninj++] = cats[k];
    if (o->rate_ppm && !ninj) {
        snprintf(err, errcap, "no category can inject violations");
        rc = -1;
        goto done;
    }
    uint64_t done_inj = 0, nearlier = 0;
    for (uint64_t i = 1; i <= o->n && rc == 0; i++) {
        LibRng r;
        lib_rng_seed(&r, o->seed, i);
        memset(c, 0, sizeof *c);
        snprintf(c->claim_id, sizeof c->claim_id, "C%08llu", (unsigned long long)i);
        snprintf(c->person_id, sizeof c->person_id, "P%08llu", (unsigned long long)i);
        build_base(x->neutral, &r, c, NULL, -1);
        x->nearlier = 0;
        int line_no = -1;
        const LibCategory *cat = NULL;
        uint64_t want =
            (i * (uint64_t)o->rate_ppm) / 1000000 - ((i - 1) * (uint64_t)o->rate_ppm) / 1000000;
        if (want) {
            size_t ci = done_inj % ninj;
            cat = inj[ci];
            x->cat = cat;
            x->rng = r;
            x->claim_no = i;
            int res = 1;
            for (int attempt = 0; attempt < 50 && res == 1; attempt++) {
                x->nearlier = 0;
                if (attempt) build_base(x->neutral, &x->rng, c, NULL, -1);
                line_no = 0;
                res = cat->inject(x, c, &line_no);
            }
            if (res != 0) {
                if (res == 1)
                    snprintf(err, errcap, "%s: no claim could take the violation (library rows?)",
                             cat->id);
                rc = -1;
                break;
            }
            if (o->injected) o->injected[injk[ci]]++;
            done_inj++;
        }
        for (int e = 0; e < x->nearlier; e++) {
            lib_claim_finish(&x->earlier[e]);
            lib_claim_json(out, &x->earlier[e]);
        }
        nearlier += (uint64_t)x->nearlier;
        lib_claim_finish(c);
        lib_claim_json(out, c);
        if (cat && truth) {
            fputs("{\"claim_id\":", truth);
            json_str(truth, c->claim_id);
            if (line_no > 0)
                fprintf(truth, ",\"line_no\":%d", line_no);
            else
                fputs(",\"line_no\":null", truth);
            fprintf(truth, ",\"category\":\"%s\"}\n", cat->id);
        }
        if (ferror(out) || (truth && ferror(truth))) {
            snprintf(err, errcap, "write error: %s", strerror(errno));
            rc = -1;
        }
    }
    if (o->earlier) *o->earlier = nearlier;
done:
    if (x) {
        for (size_t t = 0; t < x->ntables; t++) table_free(x->tables[t]);
        free(x->neutral);
    }
    free(x);
    free(c);
    lib_block_free(block);
    return rc;
}
