/* test_gen.c — tests of the synthetic claim generator (synth/gen.c).
 *
 * The generator is not in libarbiter (the CLI links it as arbiter_synth), so
 * this test compiles it in (#include "gen.c"; the synth directory is on the
 * include path).  Build it alone (after a build, for libarbiter.a) with:
 *   gcc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
 *       -Wno-unused-parameter -Isynth -Iruntime -Iinclude tests/unit/test_gen.c \
 *       build/libarbiter.a $(pkg-config --cflags --libs cmocka lua5.4 lmdb json-c) -lm
 *
 * What is checked: the catalog and diagnosis tables (code formats, the
 * restriction attributes rule tables need); determinism (same options, same
 * bytes; a golden digest); every JSON line parses (a small strict JSON parser
 * below) with the canonical keys in order and the right value formats; money
 * reconciles; inpatient bed fees are one per day of stay; settle times are
 * ordered within 2025; persons are stable; an independent checker finds each
 * anomaly kind in exactly the claims the generator says it injected it into,
 * at a rate within a plausible band; the CSV files are consistent with each
 * other and with the JSON output; write errors are reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gen.c"

/* FNV-1a 64 of the JSON Lines for {.n = 500, .seed = 1}; see test_determinism. */
#define GOLDEN_DIGEST 0xec76f3a71c7450edull

/* ------------------------------------------------------------------------ */
/* A small strict JSON parser: a flat array of nodes per document.           */

enum { J_NULL, J_TRUE, J_FALSE, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct JNode {
    int type;
    const char *key; /* member name (raw), when in an object */
    size_t key_len;
    const char *s; /* string contents (raw, between the quotes) or number text */
    size_t len;
    int first, next; /* first child, next sibling (-1 = none) */
} JNode;

typedef struct JDoc {
    JNode *nodes;
    int n, cap;
    const char *p, *end;
    int err;
} JDoc;

static void j_ws(JDoc *d) {
    while (d->p < d->end && (*d->p == ' ' || *d->p == '\t' || *d->p == '\n' || *d->p == '\r'))
        d->p++;
}

static int j_new(JDoc *d, int type) {
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1024;
        d->nodes = realloc(d->nodes, (size_t)d->cap * sizeof *d->nodes);
        assert_non_null(d->nodes);
    }
    JNode *x = &d->nodes[d->n];
    memset(x, 0, sizeof *x);
    x->type = type;
    x->first = x->next = -1;
    return d->n++;
}

/* Scans a string at d->p (on the opening quote); sets s and len to the raw contents. */
static int j_string(JDoc *d, const char **s, size_t *len) {
    if (d->p >= d->end || *d->p != '"') return -1;
    const char *start = ++d->p;
    while (d->p < d->end && *d->p != '"') {
        unsigned char ch = (unsigned char)*d->p;
        if (ch < 0x20) return -1;
        if (ch == '\\') {
            d->p++;
            if (d->p >= d->end) return -1;
            if (*d->p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (d->p + i >= d->end || !strchr("0123456789abcdefABCDEF", d->p[i])) return -1;
                d->p += 4;
            } else if (!strchr("\"\\/bfnrt", *d->p)) {
                return -1;
            }
        }
        d->p++;
    }
    if (d->p >= d->end) return -1;
    *s = start;
    *len = (size_t)(d->p - start);
    d->p++;
    return 0;
}

static int j_value(JDoc *d);

static int j_link(JDoc *d, int parent, int *last, int child) {
    if (child < 0) return -1;
    if (*last < 0)
        d->nodes[parent].first = child;
    else
        d->nodes[*last].next = child;
    *last = child;
    return 0;
}

static int j_value(JDoc *d) {
    j_ws(d);
    if (d->p >= d->end) return -1;
    char c = *d->p;
    if (c == '{' || c == '[') {
        int obj = c == '{', me = j_new(d, obj ? J_OBJ : J_ARR), last = -1;
        d->p++;
        j_ws(d);
        if (d->p < d->end && *d->p == (obj ? '}' : ']')) {
            d->p++;
            return me;
        }
        for (;;) {
            const char *k = NULL;
            size_t kl = 0;
            if (obj) {
                j_ws(d);
                if (j_string(d, &k, &kl)) return -1;
                j_ws(d);
                if (d->p >= d->end || *d->p != ':') return -1;
                d->p++;
            }
            int v = j_value(d);
            if (v < 0 || j_link(d, me, &last, v)) return -1;
            d->nodes[v].key = k;
            d->nodes[v].key_len = kl;
            j_ws(d);
            if (d->p < d->end && *d->p == ',') {
                d->p++;
                continue;
            }
            if (d->p < d->end && *d->p == (obj ? '}' : ']')) {
                d->p++;
                return me;
            }
            return -1;
        }
    }
    if (c == '"') {
        int me = j_new(d, J_STR);
        const char *s;
        size_t l;
        if (j_string(d, &s, &l)) return -1;
        d->nodes[me].s = s;
        d->nodes[me].len = l;
        return me;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *s = d->p;
        if (*d->p == '-') d->p++;
        if (d->p >= d->end || *d->p < '0' || *d->p > '9') return -1;
        if (*d->p == '0')
            d->p++;
        else
            while (d->p < d->end && *d->p >= '0' && *d->p <= '9') d->p++;
        if (d->p < d->end && *d->p == '.') {
            d->p++;
            if (d->p >= d->end || *d->p < '0' || *d->p > '9') return -1;
            while (d->p < d->end && *d->p >= '0' && *d->p <= '9') d->p++;
        }
        int me = j_new(d, J_NUM);
        d->nodes[me].s = s;
        d->nodes[me].len = (size_t)(d->p - s);
        return me;
    }
    static const struct {
        const char *w;
        int t;
    } lit[] = {{"true", J_TRUE}, {"false", J_FALSE}, {"null", J_NULL}};
    for (int i = 0; i < 3; i++) {
        size_t l = strlen(lit[i].w);
        if ((size_t)(d->end - d->p) >= l && memcmp(d->p, lit[i].w, l) == 0) {
            d->p += l;
            return j_new(d, lit[i].t);
        }
    }
    return -1;
}

/* Parses one document; returns the root node or -1. */
static int j_parse(JDoc *d, const char *s, size_t len) {
    d->n = 0;
    d->p = s;
    d->end = s + len;
    int root = j_value(d);
    j_ws(d);
    return root >= 0 && d->p == d->end ? root : -1;
}

static int j_get(const JDoc *d, int obj, const char *key) {
    size_t kl = strlen(key);
    for (int c = d->nodes[obj].first; c >= 0; c = d->nodes[c].next)
        if (d->nodes[c].key_len == kl && memcmp(d->nodes[c].key, key, kl) == 0) return c;
    return -1;
}

static int j_count(const JDoc *d, int arr) {
    int n = 0;
    for (int c = d->nodes[arr].first; c >= 0; c = d->nodes[c].next) n++;
    return n;
}

/* Copies a string node into buf (NUL-terminated). */
static const char *j_str(const JDoc *d, int node, char *buf, size_t cap) {
    assert_true(node >= 0 && d->nodes[node].type == J_STR);
    assert_true(d->nodes[node].len < cap);
    memcpy(buf, d->nodes[node].s, d->nodes[node].len);
    buf[d->nodes[node].len] = 0;
    return buf;
}

static int64_t j_int(const JDoc *d, int node) {
    assert_true(node >= 0 && d->nodes[node].type == J_NUM);
    char buf[32];
    assert_true(d->nodes[node].len < sizeof buf);
    memcpy(buf, d->nodes[node].s, d->nodes[node].len);
    buf[d->nodes[node].len] = 0;
    assert_null(strchr(buf, '.'));
    return strtoll(buf, NULL, 10);
}

/* ------------------------------------------------------------------------ */
/* Value formats.                                                            */

/* "123.45" -> cents; -1 when not digits '.' two digits. */
static int64_t parse_money(const char *s) {
    int64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9') return -1;
    while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    if (*p++ != '.') return -1;
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2]) return -1;
    return v * 100 + (p[0] - '0') * 10 + (p[1] - '0');
}

static int digits(const char *s, int n) {
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* "YYYY-MM-DD" -> day number; INT64_MIN when malformed. */
static int64_t parse_date(const char *s) {
    if (strlen(s) < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return INT64_MIN;
    int y = atoi(s);
    unsigned m = (unsigned)atoi(s + 5), d = (unsigned)atoi(s + 8);
    if (m < 1 || m > 12 || d < 1 || d > 31) return INT64_MIN;
    return days_from_civil(y, m, d);
}

/* "YYYY-MM-DDTHH:MM:SS" -> seconds; INT64_MIN when malformed. */
static int64_t parse_dt(const char *s) {
    if (strlen(s) != 19 || s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return INT64_MIN;
    int64_t day = parse_date(s);
    if (day == INT64_MIN) return INT64_MIN;
    int h = atoi(s + 11), mi = atoi(s + 14), se = atoi(s + 17);
    if (h > 23 || mi > 59 || se > 59) return INT64_MIN;
    return day * DAY + h * HOUR + mi * MINUTE + se;
}

/* ------------------------------------------------------------------------ */
/* Lookup tables for the checker.                                            */

static int cat_index(const char *code) {
    /* open addressing over the catalog codes, built on first use */
    static int16_t table[1024];
    static int built;
    size_t n;
    const GenItem *cat = gen_catalog(&n);
    uint64_t h;
    if (!built) {
        for (int i = 0; i < 1024; i++) table[i] = -1;
        for (size_t i = 0; i < n; i++) {
            h = 1469598103934665603ull;
            for (const char *p = cat[i].code; *p; p++)
                h = (h ^ (unsigned char)*p) * 1099511628211ull;
            size_t s = h & 1023;
            while (table[s] >= 0) s = (s + 1) & 1023;
            table[s] = (int16_t)i;
        }
        built = 1;
    }
    h = 1469598103934665603ull;
    for (const char *p = code; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (size_t s = h & 1023;; s = (s + 1) & 1023) {
        if (table[s] < 0) return -1;
        if (strcmp(cat[table[s]].code, code) == 0) return table[s];
    }
}

static int diag_index(const char *code) {
    size_t n;
    const GenDiag *d = gen_diagnoses(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].code, code) == 0) return (int)i;
    return -1;
}

typedef struct PersonRec {
    char id[32];
    char sex;
    int64_t birth;
    char ins[32];
    int64_t last_disc_day; /* INT64_MIN: no inpatient stay seen */
} PersonRec;

#define PTAB (1 << 16)

typedef struct Checker {
    uint64_t first_id, claims, lines;
    uint64_t detected[GEN_AN__COUNT];
    uint64_t care[5], over_cap, age0, age_max, persons, bed_lines;
    int64_t last_settle;
    uint32_t item_uses[512];
    PersonRec *ptab;
    JDoc doc;
} Checker;

static PersonRec *person_rec(Checker *ck, const char *id) {
    uint64_t h = 1469598103934665603ull;
    for (const char *p = id; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (size_t s = h & (PTAB - 1);; s = (s + 1) & (PTAB - 1)) {
        if (!ck->ptab[s].id[0]) {
            snprintf(ck->ptab[s].id, sizeof ck->ptab[s].id, "%s", id);
            ck->ptab[s].last_disc_day = INT64_MIN;
            ck->persons++;
            return &ck->ptab[s];
        }
        if (strcmp(ck->ptab[s].id, id) == 0) return &ck->ptab[s];
    }
}

static const char *const CLAIM_KEYS[] = {
    "claim_id",       "person_id",   "sex",          "birth_date",
    "insurance_type", "care_type",   "facility_id",  "facility_level",
    "dept",           "doctor",      "admit_time",   "discharge_time",
    "settle_time",    "upload_time", "total_amount", "fund_amount",
    "diagnoses",      "procedures",  "lines"};
static const char *const LINE_KEYS[] = {"line_no",   "item_code", "item_kind",   "item_name",
                                        "time",      "quantity",  "unit_price",  "amount",
                                        "dept",      "doctor",    "days_supply", "dose",
                                        "frequency", "route",     "order_no",    "rx_group"};

/* Checks that the object's keys are known, in canonical order, without
 * duplicates, and that the required ones are there. */
static void check_keys(const JDoc *d, int obj, const char *const *keys, size_t nkeys,
                       const char *const *required) {
    size_t at = 0;
    for (int c = d->nodes[obj].first; c >= 0; c = d->nodes[c].next) {
        size_t k = at;
        while (k < nkeys && !(strlen(keys[k]) == d->nodes[c].key_len &&
                              memcmp(keys[k], d->nodes[c].key, d->nodes[c].key_len) == 0))
            k++;
        if (k == nkeys)
            fail_msg("unknown or out-of-order key %.*s", (int)d->nodes[c].key_len, d->nodes[c].key);
        assert_int_not_equal(d->nodes[c].type, J_NULL); /* nulls are omitted */
        at = k + 1;
    }
    for (; *required; required++)
        if (j_get(d, obj, *required) < 0) fail_msg("missing key %s", *required);
}

static int str_in(const char *s, const char *const *set, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, set[i]) == 0) return (int)i;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* The checker: validates one JSON line and detects anomalies independently  */
/* from the catalog and diagnosis attributes.                                 */

typedef struct CLine {
    int item;
    int64_t time, day, price, amount;
    int64_t qty, days;
    char dept[64];
} CLine;

static void check_claim(Checker *ck, const char *text, size_t len) {
    static CLine L[MAX_LINES + 64];
    JDoc *d = &ck->doc;
    int root = j_parse(d, text, len);
    if (root < 0) fail_msg("claim %llu is not valid JSON", (unsigned long long)ck->claims + 1);
    assert_int_equal(d->nodes[root].type, J_OBJ);
    static const char *const req[] = {
        "claim_id",    "person_id",   "sex",         "birth_date",  "insurance_type",
        "care_type",   "facility_id", "settle_time", "upload_time", "total_amount",
        "fund_amount", "diagnoses",   "procedures",  "lines",       NULL};
    check_keys(d, root, CLAIM_KEYS, sizeof CLAIM_KEYS / sizeof *CLAIM_KEYS, req);
    char buf[256], sexs[8], ins[32], care[32], dept[64] = "";
    size_t nitems;
    const GenItem *cat = gen_catalog(&nitems);
    const GenDiag *diags = gen_diagnoses(NULL);

    /* header */
    char want_id[32];
    snprintf(want_id, sizeof want_id, "C%08llu", (unsigned long long)(ck->first_id + ck->claims));
    assert_string_equal(j_str(d, j_get(d, root, "claim_id"), buf, sizeof buf), want_id);
    char pid[32];
    j_str(d, j_get(d, root, "person_id"), pid, sizeof pid);
    assert_true(pid[0] == 'P' && strlen(pid) >= 8 && digits(pid + 1, (int)strlen(pid) - 1));
    j_str(d, j_get(d, root, "sex"), sexs, sizeof sexs);
    assert_true(str_in(sexs, SEX_NAMES, 3) >= 0);
    int64_t birth = parse_date(j_str(d, j_get(d, root, "birth_date"), buf, sizeof buf));
    assert_true(birth != INT64_MIN && strlen(buf) == 10);
    j_str(d, j_get(d, root, "insurance_type"), ins, sizeof ins);
    int ins_i = str_in(ins, INS_NAMES, 4);
    assert_true(ins_i >= 0);
    j_str(d, j_get(d, root, "care_type"), care, sizeof care);
    int care_i = str_in(care, CARE_NAMES, 5);
    assert_true(care_i >= 0);
    ck->care[care_i]++;
    j_str(d, j_get(d, root, "facility_id"), buf, sizeof buf);
    int nlevel = j_get(d, root, "facility_level"), ndept = j_get(d, root, "dept"),
        ndoc = j_get(d, root, "doctor");
    int level = nlevel >= 0 ? (int)j_int(d, nlevel) : 0;
    if (care_i == CARE_PHARM) {
        assert_true(buf[0] == 'Y' && nlevel < 0 && ndept < 0 && ndoc < 0);
    } else {
        assert_true(buf[0] == 'H' && level >= 1 && level <= 3 && ndept >= 0 && ndoc >= 0);
        j_str(d, ndept, dept, sizeof dept);
        assert_true(str_in(dept, DEPTS, NDEPTS) >= 0);
        j_str(d, ndoc, buf, sizeof buf);
        assert_true(buf[0] == 'D' && strlen(buf) == 6 && digits(buf + 1, 5));
    }
    int nad = j_get(d, root, "admit_time"), ndis = j_get(d, root, "discharge_time");
    int64_t settle = parse_dt(j_str(d, j_get(d, root, "settle_time"), buf, sizeof buf));
    int64_t upload = parse_dt(j_str(d, j_get(d, root, "upload_time"), buf, sizeof buf));
    int64_t admit = nad >= 0 ? parse_dt(j_str(d, nad, buf, sizeof buf)) : INT64_MIN;
    int64_t disc = ndis >= 0 ? parse_dt(j_str(d, ndis, buf, sizeof buf)) : INT64_MIN;
    assert_true(settle != INT64_MIN && upload != INT64_MIN);
    assert_true(settle >= ck->last_settle); /* ordered by settle time */
    ck->last_settle = settle;
    assert_true(settle >= days_from_civil(2025, 1, 1) * DAY &&
                settle < days_from_civil(2026, 1, 1) * DAY);
    assert_true(upload > settle);
    if (care_i == CARE_INP) {
        assert_true(admit != INT64_MIN && disc != INT64_MIN);
        assert_true(admit < disc && disc <= settle);
        assert_true(floor_div(disc, DAY) - floor_div(admit, DAY) >= 1);
        assert_true(floor_div(disc, DAY) - floor_div(admit, DAY) <= 30);
    } else {
        assert_int_equal(ndis, -1);
        if (care_i == CARE_PHARM)
            assert_int_equal(nad, -1);
        else
            assert_true(admit != INT64_MIN && admit <= settle);
    }
    int64_t admit_day = admit != INT64_MIN ? floor_div(admit, DAY) : floor_div(settle, DAY);
    int64_t disc_day = disc != INT64_MIN ? floor_div(disc, DAY) : admit_day;
    int age = age_years(birth, admit_day);
    assert_true(age >= 0 && age <= 96);
    if (age == 0) ck->age0++;
    if ((uint64_t)age > ck->age_max) ck->age_max = (uint64_t)age;
    int64_t total = parse_money(j_str(d, j_get(d, root, "total_amount"), buf, sizeof buf));
    int64_t fund = parse_money(j_str(d, j_get(d, root, "fund_amount"), buf, sizeof buf));
    assert_true(total >= 0 && fund >= 0 && fund <= total);

    /* persons are stable */
    PersonRec *pr = person_rec(ck, pid);
    if (pr->sex) {
        assert_int_equal(pr->sex, sexs[0]);
        assert_true(pr->birth == birth);
        assert_string_equal(pr->ins, ins);
    } else {
        pr->sex = sexs[0];
        pr->birth = birth;
        snprintf(pr->ins, sizeof pr->ins, "%s", ins);
    }

    /* diagnoses */
    int an[GEN_AN__COUNT] = {0};
    int ndiag = j_get(d, root, "diagnoses"), mains = 0, idx = 0;
    assert_int_equal(d->nodes[ndiag].type, J_ARR);
    assert_true(j_count(d, ndiag) >= 1);
    for (int x = d->nodes[ndiag].first; x >= 0; x = d->nodes[x].next, idx++) {
        static const char *const dk[] = {"code", "is_main"};
        static const char *const dreq[] = {"code", "is_main", NULL};
        check_keys(d, x, dk, 2, dreq);
        int di = diag_index(j_str(d, j_get(d, x, "code"), buf, sizeof buf));
        assert_true(di >= 0);
        int is_main = d->nodes[j_get(d, x, "is_main")].type == J_TRUE;
        assert_int_equal(is_main, idx == 0);
        mains += is_main;
        const GenDiag *g = &diags[di];
        if (g->sex_only && sexs[0] != g->sex_only) an[GEN_AN_DIAG_SEX] = 1;
        if ((g->min_age && age < g->min_age) || (g->age_under && age >= g->age_under))
            an[GEN_AN_DIAG_AGE] = 1;
    }
    assert_int_equal(mains, 1);

    /* procedures */
    int nproc = j_get(d, root, "procedures");
    assert_int_equal(d->nodes[nproc].type, J_ARR);
    if (care_i != CARE_INP) assert_int_equal(j_count(d, nproc), 0);
    for (int x = d->nodes[nproc].first; x >= 0; x = d->nodes[x].next) {
        static const char *const pk[] = {"code", "date", "is_main", "incision_group"};
        static const char *const preq[] = {"code", "date", "is_main", "incision_group", NULL};
        check_keys(d, x, pk, 4, preq);
        assert_true(strlen(j_str(d, j_get(d, x, "code"), buf, sizeof buf)) >= 5);
        int64_t pd = parse_date(j_str(d, j_get(d, x, "date"), buf, sizeof buf));
        assert_true(pd >= admit_day && pd <= disc_day);
        assert_true(j_int(d, j_get(d, x, "incision_group")) >= 1);
    }

    /* lines */
    int nlines_node = j_get(d, root, "lines");
    assert_int_equal(d->nodes[nlines_node].type, J_ARR);
    int nl = 0;
    int64_t sum = 0, prev_time = INT64_MIN;
    for (int x = d->nodes[nlines_node].first; x >= 0; x = d->nodes[x].next, nl++) {
        static const char *const lreq[] = {"line_no",    "item_code", "item_kind",
                                           "item_name",  "time",      "quantity",
                                           "unit_price", "amount",    NULL};
        check_keys(d, x, LINE_KEYS, sizeof LINE_KEYS / sizeof *LINE_KEYS, lreq);
        assert_true(nl < MAX_LINES + 64);
        CLine *l = &L[nl];
        assert_int_equal(j_int(d, j_get(d, x, "line_no")), nl + 1);
        l->item = cat_index(j_str(d, j_get(d, x, "item_code"), buf, sizeof buf));
        if (l->item < 0) fail_msg("unknown item code %s", buf);
        const GenItem *it = &cat[l->item];
        assert_string_equal(j_str(d, j_get(d, x, "item_kind"), buf, sizeof buf), it->kind);
        assert_string_equal(j_str(d, j_get(d, x, "item_name"), buf, sizeof buf), it->name);
        l->time = parse_dt(j_str(d, j_get(d, x, "time"), buf, sizeof buf));
        assert_true(l->time != INT64_MIN);
        assert_true(l->time >= prev_time); /* lines in time order */
        prev_time = l->time;
        l->day = floor_div(l->time, DAY);
        l->qty = j_int(d, j_get(d, x, "quantity"));
        assert_true(l->qty >= 1);
        l->price = parse_money(j_str(d, j_get(d, x, "unit_price"), buf, sizeof buf));
        l->amount = parse_money(j_str(d, j_get(d, x, "amount"), buf, sizeof buf));
        assert_true(l->price > 0 && l->amount == l->price * l->qty);
        sum += l->amount;
        int nd = j_get(d, x, "dept");
        if (nd >= 0)
            j_str(d, nd, l->dept, sizeof l->dept);
        else
            l->dept[0] = 0;
        int nds = j_get(d, x, "days_supply");
        l->days = nds >= 0 ? j_int(d, nds) : 0;
        int drugish = strcmp(it->kind, "drug") == 0 || strcmp(it->kind, "herb") == 0;
        if (drugish) {
            assert_true(l->days >= 1);
            assert_string_equal(j_str(d, j_get(d, x, "dose"), buf, sizeof buf), it->dose);
            assert_string_equal(j_str(d, j_get(d, x, "frequency"), buf, sizeof buf), it->frequency);
            assert_string_equal(j_str(d, j_get(d, x, "route"), buf, sizeof buf), it->route);
        } else {
            assert_true(j_get(d, x, "dose") < 0 && j_get(d, x, "route") < 0 && nds < 0);
        }
        if (l->item < 512) ck->item_uses[l->item]++;
        /* per-line restriction checks */
        if (it->sex_only && sexs[0] != it->sex_only)
            an[drugish ? GEN_AN_SEX_DRUG : GEN_AN_SEX_SERVICE] = 1;
        if (it->age_under && age >= it->age_under)
            an[drugish ? GEN_AN_CHILD_DRUG : GEN_AN_CHILD_SERVICE] = 1;
        if (it->min_age && age < it->min_age) an[GEN_AN_MIN_AGE] = 1;
        if (it->only_insurance && strcmp(it->only_insurance, ins) != 0) an[GEN_AN_INSURANCE] = 1;
        if (it->min_facility_level && level && level < it->min_facility_level)
            an[GEN_AN_FACILITY_LEVEL] = 1;
        if (it->only_care && strcmp(it->only_care, care) != 0) an[GEN_AN_CARE_TYPE] = 1;
        if (it->dept_only && strcmp(it->dept_only, l->dept[0] ? l->dept : dept) != 0)
            an[GEN_AN_DEPT] = 1;
        if (it->price_ceiling_cents && l->price > it->price_ceiling_cents)
            an[GEN_AN_PRICE_CEILING] = 1;
        if (it->max_days_supply && l->days > it->max_days_supply) an[GEN_AN_DAYS_SUPPLY] = 1;
        if (care_i == CARE_INP && (l->day < admit_day || l->day > disc_day))
            an[GEN_AN_OUTSIDE_STAY] = 1;
    }
    assert_true(nl >= 1);
    assert_true(sum == total); /* money reconciles */
    ck->lines += (uint64_t)nl;
    if (care_i != CARE_INP && nl > OUT_CAP) ck->over_cap++;

    /* per-day quantities, pairs, bed fees */
    int bed_days = 0;
    for (int i = 0; i < nl; i++) {
        const GenItem *it = &cat[L[i].item];
        if (strncmp(it->code, "001109", 6) == 0) {
            bed_days++;
            ck->bed_lines++;
            assert_true(care_i == CARE_INP);
            assert_true(L[i].day >= admit_day && L[i].day < disc_day);
            for (int j = 0; j < i; j++)
                if (strncmp(cat[L[j].item].code, "001109", 6) == 0)
                    assert_true(L[j].day != L[i].day);
        }
        if (it->max_per_day) {
            int64_t q = 0;
            for (int j = 0; j < nl; j++)
                if (L[j].item == L[i].item && L[j].day == L[i].day) q += L[j].qty;
            if (q > it->max_per_day) an[GEN_AN_PER_DAY] = 1;
        }
        if (it->pair_code) {
            int other = cat_index(it->pair_code);
            assert_true(other >= 0);
            for (int j = 0; j < nl; j++)
                if (L[j].item == other && L[j].day == L[i].day) {
                    int both_svc =
                        strcmp(it->kind, "service") == 0 && strcmp(cat[other].kind, "service") == 0;
                    an[both_svc ? GEN_AN_PAIR_SAME_DAY : GEN_AN_SERVICE_CONSUMABLE] = 1;
                }
        }
    }
    if (care_i == CARE_INP) assert_int_equal(bed_days, disc_day - admit_day); /* one per day */

    /* re-admission within 1-15 days of the person's previous discharge */
    if (care_i == CARE_INP) {
        if (pr->last_disc_day != INT64_MIN && admit_day - pr->last_disc_day >= 1 &&
            admit_day - pr->last_disc_day <= 15)
            an[GEN_AN_READMISSION] = 1;
        pr->last_disc_day = disc_day;
    }
    for (int k = 0; k < GEN_AN__COUNT; k++) ck->detected[k] += (uint64_t)an[k];
    ck->claims++;
}

static void checker_init(Checker *ck, uint64_t first_id) {
    memset(ck, 0, sizeof *ck);
    ck->first_id = first_id;
    ck->last_settle = INT64_MIN;
    ck->ptab = calloc(PTAB, sizeof *ck->ptab);
    assert_non_null(ck->ptab);
}

static void checker_free(Checker *ck) {
    free(ck->ptab);
    free(ck->doc.nodes);
}

/* Runs the generator into memory. */
static char *gen_mem(const GenOptions *o, size_t *len) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    assert_int_equal(gen_claims_jsonl(f, o), 0);
    assert_int_equal(fclose(f), 0);
    *len = n;
    return buf;
}

static uint64_t fnv1a(const char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* ------------------------------------------------------------------------ */
/* Tests.                                                                    */

static int starts_digits(const char *s, size_t n) {
    return strlen(s) == n && digits(s, (int)n);
}

static void test_catalog(void **state) {
    (void)state;
    size_t n;
    const GenItem *cat = gen_catalog(&n);
    assert_true(n >= 280 && n <= 400);
    int have_drug = 0, have_herb = 0, have_svc = 0, have_cons = 0;
    int sexF_drug = 0, sexM_drug = 0, sexF_svc = 0, sexM_svc = 0, child_drug = 0, child_svc = 0;
    int wi = 0, mat = 0, lvl2 = 0, lvl3 = 0, care = 0, dept = 0, perday = 0, ceil = 0, days7 = 0,
        days30 = 0, pair_ss = 0, pair_sc = 0, minage = 0;
    for (size_t i = 0; i < n; i++) {
        const GenItem *x = &cat[i];
        assert_non_null(x->code);
        assert_non_null(x->name);
        assert_true(x->price_cents > 0);
        assert_int_equal(cat_index(x->code), (int)i); /* codes are unique */
        assert_ptr_equal(gen_item_by_code(x->code), x);
        if (strcmp(x->kind, "drug") == 0) {
            have_drug++;
            assert_true((x->code[0] == 'X' && strlen(x->code) == 23) ||
                        (x->code[0] == 'Z' && strlen(x->code) == 20));
            assert_non_null(x->dose);
            assert_non_null(x->frequency);
            assert_non_null(x->route);
        } else if (strcmp(x->kind, "herb") == 0) {
            have_herb++;
            assert_true(x->code[0] == 'T' && strlen(x->code) == 10 && digits(x->code + 1, 9));
        } else if (strcmp(x->kind, "service") == 0) {
            have_svc++;
            assert_true(starts_digits(x->code, 15));
        } else {
            assert_string_equal(x->kind, "consumable");
            have_cons++;
            assert_true(x->code[0] == 'C' && strlen(x->code) == 20);
        }
        int drugish = x->kind[0] == 'd' || x->kind[0] == 'h';
        if (x->sex_only == 'F') drugish ? sexF_drug++ : sexF_svc++;
        if (x->sex_only == 'M') drugish ? sexM_drug++ : sexM_svc++;
        if (x->sex_only) assert_true(x->sex_only == 'F' || x->sex_only == 'M');
        if (x->age_under) drugish ? child_drug++ : child_svc++;
        if (x->min_age) minage++;
        if (x->only_insurance && strcmp(x->only_insurance, "work_injury") == 0) wi++;
        if (x->only_insurance && strcmp(x->only_insurance, "maternity") == 0) mat++;
        if (x->min_facility_level == 2) lvl2++;
        if (x->min_facility_level == 3) lvl3++;
        if (x->only_care) care++;
        if (x->dept_only) dept++;
        if (x->max_per_day) perday++;
        if (x->price_ceiling_cents) {
            ceil++;
            assert_true(x->price_ceiling_cents >= x->price_cents);
        }
        if (x->max_days_supply && x->max_days_supply <= 7) days7++;
        if (x->max_days_supply >= 30) days30++;
        if (x->pair_code) {
            const GenItem *y = gen_item_by_code(x->pair_code);
            assert_non_null(y);
            if (strcmp(x->kind, "service") == 0 && strcmp(y->kind, "service") == 0)
                pair_ss++;
            else
                pair_sc++;
        }
    }
    assert_true(have_drug >= 120 && have_herb >= 20 && have_svc >= 80 && have_cons >= 20);
    assert_true(sexF_drug >= 3 && sexM_drug >= 3 && sexF_svc >= 3 && sexM_svc >= 2);
    assert_true(child_drug >= 5 && child_svc >= 3 && minage >= 2);
    assert_true(wi >= 2 && mat >= 2 && lvl2 >= 3 && lvl3 >= 3 && care >= 2 && dept >= 5);
    assert_true(perday >= 10 && ceil >= 80 && days7 >= 5 && days30 >= 1 && pair_ss >= 2 &&
                pair_sc >= 1);
    /* the examples named in the brief */
    const char *F_items[] = {"黄体酮注射液", "己烯雌酚片", "宫颈细胞学计算机辅助诊断"};
    const char *M_items[] = {"丙酸睾酮注射液", "前列腺按摩"};
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < 3; j++)
            if (strcmp(cat[i].name, F_items[j]) == 0) assert_int_equal(cat[i].sex_only, 'F');
        for (int j = 0; j < 2; j++)
            if (strcmp(cat[i].name, M_items[j]) == 0) assert_int_equal(cat[i].sex_only, 'M');
        if (strcmp(cat[i].name, "静脉输液") == 0) assert_int_equal(cat[i].max_per_day, 1);
        if (strncmp(cat[i].code, "001109", 6) == 0) assert_int_equal(cat[i].max_per_day, 1);
        if (strcmp(cat[i].name, "特级护理") == 0)
            assert_string_equal(gen_item_by_code(cat[i].pair_code)->name, "Ⅰ级护理");
        if (strcmp(cat[i].name, "小儿豉翘清热颗粒") == 0) assert_int_equal(cat[i].age_under, 18);
    }
    assert_null(gen_item_by_code("no such code"));
}

static void test_diagnoses(void **state) {
    (void)state;
    size_t n;
    const GenDiag *d = gen_diagnoses(&n);
    assert_true(n >= 55 && n <= 90);
    const char *must[] = {"I10.x00", "E11.900", "J18.900", "O80.000",
                          "N40.x00", "C34.900", "K35.800"};
    for (size_t j = 0; j < sizeof must / sizeof *must; j++) assert_true(diag_index(must[j]) >= 0);
    for (size_t i = 0; i < n; i++) {
        const char *c = d[i].code;
        assert_true(strlen(c) == 7 && c[0] >= 'A' && c[0] <= 'Z' && digits(c + 1, 2) &&
                    c[3] == '.');
        assert_true(str_in(d[i].dept, DEPTS, NDEPTS) >= 0);
        for (size_t j = 0; j < i; j++) assert_string_not_equal(d[j].code, c);
    }
    assert_int_equal(d[diag_index("O80.000")].sex_only, 'F');
    assert_int_equal(d[diag_index("N40.x00")].sex_only, 'M');
    assert_int_equal(d[diag_index("P59.900")].age_under, 1);
    size_t na;
    const GenAnomaly *an = gen_anomalies(&na);
    assert_int_equal(na, GEN_AN__COUNT);
    for (size_t i = 0; i < na; i++)
        assert_true(an[i].name && an[i].permille >= 5 && an[i].permille <= 20);
}

static void test_determinism(void **state) {
    (void)state;
    GenOptions o = {.n = 3000, .seed = 42, .first_id = 1};
    size_t l1, l2, l3;
    char *a = gen_mem(&o, &l1), *b = gen_mem(&o, &l2);
    assert_true(l1 > 0 && l1 == l2 && memcmp(a, b, l1) == 0);
    o.seed = 43;
    char *c = gen_mem(&o, &l3);
    assert_true(l3 != l1 || memcmp(a, c, l1) != 0);
    /* first_id only renumbers claims (and their order numbers) */
    GenOptions o2 = {.n = 3, .seed = 42, .first_id = 500};
    size_t l4;
    char *e = gen_mem(&o2, &l4);
    assert_true(strncmp(e, "{\"claim_id\":\"C00000500\"", 23) == 0);
    free(a);
    free(b);
    free(c);
    free(e);
    /* the same bytes on every machine: a golden digest of a small run.  After
     * an intended change to the generator, update the value printed here. */
    GenOptions og = {.n = 500, .seed = 1};
    size_t lg;
    char *gbuf = gen_mem(&og, &lg);
    uint64_t h = fnv1a(gbuf, lg);
    free(gbuf);
    if (h != GOLDEN_DIGEST)
        print_message("golden digest of n=500 seed=1: 0x%016llxull\n", (unsigned long long)h);
    assert_true(h == GOLDEN_DIGEST);
}

static void test_empty(void **state) {
    (void)state;
    GenOptions o = {.n = 0, .seed = 1};
    size_t len;
    char *s = gen_mem(&o, &len);
    assert_int_equal(len, 0);
    free(s);
    GenOptions o1 = {.n = 1, .seed = 9};
    s = gen_mem(&o1, &len);
    assert_true(len > 0 && s[len - 1] == '\n' && memchr(s, '\n', len) == s + len - 1);
    free(s);
}

/* The main property test: 20,000 claims, every line checked, every anomaly
 * detected independently in exactly the claims it was injected into. */
static void test_claims_and_anomalies(void **state) {
    (void)state;
    GenStats st;
    GenOptions o = {.n = 20000, .seed = 2025, .first_id = 1, .stats = &st};
    size_t len;
    char *text = gen_mem(&o, &len);
    Checker ck;
    checker_init(&ck, 1);
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        check_claim(&ck, p, (size_t)(nl - p));
        p = nl + 1;
    }
    assert_int_equal(ck.claims, 20000);
    assert_int_equal(st.claims, 20000);
    assert_int_equal(st.lines, ck.lines);
    /* care type mix: 60 / 15 / 15 / 7 / 3 % */
    const double want[5] = {0.60, 0.15, 0.15, 0.07, 0.03};
    for (int k = 0; k < 5; k++) {
        double share = (double)ck.care[k] / (double)ck.claims;
        assert_true(share > want[k] * 0.85 && share < want[k] * 1.15);
        assert_int_equal(st.by_care[k], ck.care[k]);
    }
    /* people have several claims; ages span newborns to the very old */
    assert_true(ck.persons < ck.claims / 2);
    assert_true(ck.age0 > 0 && ck.age_max >= 90);
    /* outpatient claims have at most 8 lines unless an anomaly added one */
    assert_true(ck.over_cap < ck.claims / 50);
    assert_true(ck.bed_lines > 0);
    /* anomalies: found exactly where injected, at plausible rates */
    size_t na;
    const GenAnomaly *an = gen_anomalies(&na);
    for (size_t k = 0; k < na; k++) {
        double expect = (double)st.eligible[k] * an[k].permille / 1000.0;
        print_message("  %-20s eligible %6llu injected %4llu detected %4llu (expected ~%.0f)\n",
                      an[k].name, (unsigned long long)st.eligible[k],
                      (unsigned long long)st.injected[k], (unsigned long long)ck.detected[k],
                      expect);
        assert_true(st.injected[k] > 0);
        assert_true((double)st.injected[k] >= expect * 0.5 - 4);
        assert_true((double)st.injected[k] <= expect * 1.6 + 4);
        if (k == GEN_AN_READMISSION) /* chance re-admissions happen too */
            assert_true(ck.detected[k] >= st.injected[k] &&
                        ck.detected[k] <= 3 * st.injected[k] + 20);
        else
            assert_int_equal(ck.detected[k], st.injected[k]);
    }
    /* Zipf-like popularity: the most used drug far more than the median one */
    size_t n;
    const GenItem *cat = gen_catalog(&n);
    uint32_t used[512], nu = 0, top = 0;
    for (size_t i = 0; i < n && i < 512; i++)
        if (strcmp(cat[i].kind, "drug") == 0 && ck.item_uses[i]) {
            used[nu++] = ck.item_uses[i];
            if (ck.item_uses[i] > top) top = ck.item_uses[i];
        }
    uint32_t below = 0, med_guess = top / 10;
    for (uint32_t i = 0; i < nu; i++) below += used[i] < med_guess;
    assert_true(nu > 100);
    assert_true(below >
                nu / 2); /* more than half the drugs are used < 1/10 as often as the top one */
    checker_free(&ck);
    free(text);
}

/* ------------------------------------------------------------------------ */
/* CSV.                                                                      */

typedef struct Csv {
    char *buf;
    size_t len, pos;
    char *fields[32];
    int nf;
    char scratch[8192];
} Csv;

static void csv_load(Csv *c, const char *path) {
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 20;
    c->buf = malloc(cap);
    size_t r;
    while ((r = fread(c->buf + c->len, 1, cap - c->len, f)) > 0) {
        c->len += r;
        if (c->len == cap) c->buf = realloc(c->buf, cap *= 2);
    }
    fclose(f);
}

/* Reads one RFC 4180 record into fields (NUL-terminated copies in scratch);
 * returns 0 at end. */
static int csv_next(Csv *c) {
    if (c->pos >= c->len) return 0;
    c->nf = 0;
    size_t s = 0;
    for (;;) {
        assert_true(c->nf < 32);
        c->fields[c->nf++] = c->scratch + s;
        if (c->pos < c->len && c->buf[c->pos] == '"') {
            c->pos++;
            for (;;) {
                assert_true(c->pos < c->len);
                if (c->buf[c->pos] == '"') {
                    if (c->pos + 1 < c->len && c->buf[c->pos + 1] == '"') {
                        c->scratch[s++] = '"';
                        c->pos += 2;
                        continue;
                    }
                    c->pos++;
                    break;
                }
                c->scratch[s++] = c->buf[c->pos++];
            }
        } else {
            while (c->pos < c->len && c->buf[c->pos] != ',' && c->buf[c->pos] != '\n') {
                assert_true(c->buf[c->pos] != '"');
                c->scratch[s++] = c->buf[c->pos++];
            }
        }
        c->scratch[s++] = 0;
        assert_true(s < sizeof c->scratch - 256);
        if (c->pos >= c->len) return 1;
        char ch = c->buf[c->pos++];
        if (ch == '\n') return 1;
        assert_int_equal(ch, ',');
    }
}

typedef struct CsvClaim {
    char id[16];
    int64_t total, sum;
    int lines, diags;
} CsvClaim;

static CsvClaim *find_claim(CsvClaim *v, int n, const char *id) {
    /* claims are numbered C00000001.. in order */
    int i = atoi(id + 1) - 1;
    if (i < 0 || i >= n || strcmp(v[i].id, id) != 0) return NULL;
    return &v[i];
}

static void test_csv(void **state) {
    (void)state;
    char dir[] = "/tmp/arbiter_gen_XXXXXX";
    assert_non_null(mkdtemp(dir));
    enum { N = 3000 };
    GenOptions o = {.n = N, .seed = 77};
    assert_int_equal(gen_claims_csv(dir, &o), 0);
    char path[256];
    static CsvClaim claims[N];
    int nclaims = 0;
    Csv c;
    const int ncols[4] = {16, 17, 3, 5};
    for (int f = 0; f < 4; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, CSV_FILES[f]);
        csv_load(&c, path);
        assert_int_equal(csv_next(&c), 1);
        /* the header is the canonical field names */
        char hdr[512] = "";
        for (int i = 0; i < c.nf; i++) {
            if (i) strcat(hdr, ",");
            strcat(hdr, c.fields[i]);
        }
        strcat(hdr, "\n");
        assert_string_equal(hdr, CSV_HEADERS[f]);
        assert_int_equal(c.nf, ncols[f]);
        while (csv_next(&c)) {
            assert_int_equal(c.nf, ncols[f]); /* consistent column counts */
            if (f == 0) {
                assert_true(nclaims < N);
                CsvClaim *x = &claims[nclaims++];
                snprintf(x->id, sizeof x->id, "%s", c.fields[0]);
                assert_non_null(find_claim(claims, nclaims, c.fields[0])); /* unique, in order */
                x->total = parse_money(c.fields[14]);
                assert_true(x->total >= 0);
                assert_true(parse_dt(c.fields[12]) != INT64_MIN);
                continue;
            }
            CsvClaim *x =
                find_claim(claims, nclaims, c.fields[0]); /* child rows reference claims */
            assert_non_null(x);
            if (f == 1) {
                x->lines++;
                assert_int_equal(atoi(c.fields[1]), x->lines);
                assert_true(cat_index(c.fields[2]) >= 0);
                int64_t price = parse_money(c.fields[7]), amount = parse_money(c.fields[8]);
                assert_true(price > 0 && amount == price * atoll(c.fields[6]));
                x->sum += amount;
            } else if (f == 2) {
                x->diags++;
                assert_true(diag_index(c.fields[1]) >= 0);
                assert_string_equal(c.fields[2], x->diags == 1 ? "true" : "false");
            } else {
                assert_true(parse_date(c.fields[2]) != INT64_MIN);
                assert_true(strcmp(c.fields[3], "true") == 0 || strcmp(c.fields[3], "false") == 0);
            }
        }
        free(c.buf);
        unlink(path);
    }
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(nclaims, N);
    /* the CSV files describe the same claims as the JSON output */
    size_t len;
    char *text = gen_mem(&o, &len);
    JDoc d = {0};
    int i = 0;
    for (const char *p = text, *end = text + len; p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        int root = j_parse(&d, p, (size_t)(nl - p));
        assert_true(root >= 0);
        char buf[64];
        assert_string_equal(j_str(&d, j_get(&d, root, "claim_id"), buf, sizeof buf), claims[i].id);
        assert_true(parse_money(j_str(&d, j_get(&d, root, "total_amount"), buf, sizeof buf)) ==
                    claims[i].total);
        assert_int_equal(j_count(&d, j_get(&d, root, "lines")), claims[i].lines);
        assert_int_equal(j_count(&d, j_get(&d, root, "diagnoses")), claims[i].diags);
        assert_true(claims[i].sum == claims[i].total);
        p = nl + 1;
    }
    assert_int_equal(i, N);
    free(d.nodes);
    free(text);
}

static void test_errors(void **state) {
    (void)state;
    GenOptions o = {.n = 2000, .seed = 1};
    FILE *f = fopen("/dev/full", "w");
    if (f) {
        errno = 0;
        assert_int_equal(gen_claims_jsonl(f, &o), -1);
        assert_int_not_equal(errno, 0);
        fclose(f);
    }
    errno = 0;
    assert_int_equal(gen_claims_csv("/nonexistent-arbiter-dir/x", &o), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(gen_claims_jsonl(NULL, &o), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog),
        cmocka_unit_test(test_diagnoses),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_claims_and_anomalies),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
