/* report.c — `arbiter report`: findings and claims aggregated into an HTML
 * report and CSV tables (see include/arbiter_report.h, docs/reports.md). */
#include "report.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "csv.h"
#include "hset.h"
#include "i18n.h"
#include "jsonline.h"
#include "outfile.h"

/* ------------------------------------------------------------- defaults */

static const arb_report_step default_ladder[] = {
    {4, "警示约谈"},
    {8, "暂停医保支付资格3个月"},
    {12, "取消医保医师资格"},
};

const arb_report_step *arb_report_default_ladder(size_t *n) {
    *n = sizeof default_ladder / sizeof *default_ladder;
    return default_ladder;
}

static const arb_report_indicator default_indicators[] = {
    {"每千单违规数", 0.30, 20, 100, "findings_per_1000_claims"},
    {"单均违规金额(元)", 0.30, 5, 50, "at_risk_per_claim"},
    {"重复违规占比(%)", 0.20, 5, 30, "repeat_share"},
    {"明确违规占比(%)", 0.20, 20, 60, "definite_share"},
    {"整改率(%)", 0.20, 95, 60, "compliance_rate"},
};

/* The indicators' keys, in the order facility_score computes them. */
static const char *const indicator_keys[] = {"findings_per_1000_claims", "at_risk_per_claim",
                                             "repeat_share", "definite_share", "compliance_rate"};

static const arb_report_test route_escalate[] = {
    {ARB_RT_SEVERITY, "high"}, {ARB_RT_NATURE, "definite"}, {ARB_RT_AND, NULL}};
static const arb_report_test route_office[] = {
    {ARB_RT_SEVERITY, "high"}, {ARB_RT_NATURE, "definite"}, {ARB_RT_OR, NULL}};
static const arb_report_route default_routes[] = {
    {ARB_WORKLIST_ESCALATE, "督办", route_escalate, 3},
    {ARB_WORKLIST_OFFICE, "医保办复核", route_office, 3},
    {ARB_WORKLIST_SELF, "科室自查", NULL, 0},
};

const arb_report_route *arb_report_default_routes(size_t *n) {
    *n = sizeof default_routes / sizeof *default_routes;
    return default_routes;
}

const arb_report_indicator *arb_report_default_indicators(size_t *n) {
    *n = sizeof default_indicators / sizeof *default_indicators;
    return default_indicators;
}

const char *arb_report_sanction(const arb_report_step *steps, size_t n, int32_t points, int *step) {
    int at = -1;
    for (size_t i = 0; i < n; i++)
        if (points >= steps[i].points) at = (int)i;
    if (step) *step = at;
    return at >= 0 ? steps[at].sanction : NULL;
}

double arb_report_indicator_score(const arb_report_indicator *ind, double v) {
    double g = ind->good, b = ind->bad;
    if (g == b) return v <= g ? 100.0 : 0.0;
    double t = (v - g) / (b - g); /* 0 at good, 1 at bad, either direction */
    if (t <= 0) return 100.0;
    if (t >= 1) return 0.0;
    return 100.0 * (1.0 - t);
}

char arb_report_grade(const double cut[3], double score) {
    static const double def[3] = {90, 75, 60};
    const double *c = cut && (cut[0] || cut[1] || cut[2]) ? cut : def;
    return score >= c[0] ? 'A' : score >= c[1] ? 'B' : score >= c[2] ? 'C' : 'D';
}

void arb_report_options_init(arb_report_options *o) {
    memset(o, 0, sizeof *o);
}

void arb_report_options_use(arb_report_options *o, const arb_report_config *c) {
    if (c->nroutes) o->routes = c->routes, o->nroutes = c->nroutes;
    if (c->ledger_rolling >= 0) o->ledger_rolling = c->ledger_rolling;
    if (c->nsteps) o->steps = c->steps, o->nsteps = c->nsteps;
    if (c->nindicators) {
        o->indicators = c->indicators, o->nindicators = c->nindicators;
        memcpy(o->grade_cut, c->grade_cut, sizeof o->grade_cut);
    }
}

/* ------------------------------------------------------------- groups */

/* A group's figures.  Claims, lines and claimed money count the claims of
 * the group (by the claim's department, doctor, facility); the findings,
 * their amounts and at_risk the findings of the group (by the finding's). */
typedef struct Agg {
    uint64_t claims, lines, flagged, findings, definite, repeat;
    uint64_t answered, followed; /* findings answered by 3103 feedback, and followed */
    int64_t claimed, amount, at_risk;
    int64_t points;       /* the ledger's (doctors) */
    uint64_t last_claim;  /* serial of the last claim counted as flagged */
    char *extra;          /* a doctor's department, an item's name, a category's title/tier */
    lxw_worksheet *sheet; /* a worklist level's department sheet (--xlsx) */
    uint32_t sheet_row;
} Agg;

/* (an Agg is allocated on its own: pointers to it stay valid as the map
 * grows) */
typedef struct Slot {
    char *key;
    uint64_t hash;
    Agg *a;
} Slot;

typedef struct Map {
    Slot *s;
    size_t cap, n;
} Map;

static uint64_t hash_str(const char *k) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *c = (const unsigned char *)k; *c; c++)
        h = (h ^ *c) * 0x100000001b3ULL;
    return h ? h : 1;
}

static int map_grow(Map *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    Slot *s = calloc(cap, sizeof *s);
    if (!s) return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->s[i].key) continue;
        size_t j = m->s[i].hash & (cap - 1);
        while (s[j].key) j = (j + 1) & (cap - 1);
        s[j] = m->s[i];
    }
    free(m->s);
    m->s = s;
    m->cap = cap;
    return 0;
}

/* The group of key (created, zero, when new); NULL when out of memory. */
static Agg *map_get(Map *m, const char *key) {
    if ((m->n + 1) * 4 > m->cap * 3 && map_grow(m)) return NULL;
    uint64_t h = hash_str(key);
    size_t j = h & (m->cap - 1);
    while (m->s[j].key) {
        if (m->s[j].hash == h && strcmp(m->s[j].key, key) == 0) return m->s[j].a;
        j = (j + 1) & (m->cap - 1);
    }
    char *k = strdup(key);
    Agg *a = calloc(1, sizeof *a);
    if (!k || !a) {
        free(k);
        free(a);
        return NULL;
    }
    m->s[j].key = k;
    m->s[j].hash = h;
    m->s[j].a = a;
    m->n++;
    return a;
}

/* The group of key, or NULL (the map as it is: no slot added, no growth). */
static Agg *map_find(const Map *m, const char *key) {
    if (!m->cap) return NULL;
    uint64_t h = hash_str(key);
    for (size_t j = h & (m->cap - 1); m->s[j].key; j = (j + 1) & (m->cap - 1))
        if (m->s[j].hash == h && strcmp(m->s[j].key, key) == 0) return m->s[j].a;
    return NULL;
}

static void map_free(Map *m) {
    for (size_t i = 0; i < m->cap; i++) {
        free(m->s[i].key);
        if (m->s[i].a) free(m->s[i].a->extra);
        free(m->s[i].a);
    }
    free(m->s);
    memset(m, 0, sizeof *m);
}

/* A set of ids, each by two 64-bit hashes of its text (a false match
 * would need both to agree).  The warnings answered (3103 feedback, by
 * jr_id): whether the latest answer followed it, and whether a finding of
 * the period had it.  The claims with findings when the claims and the
 * findings are not read side by side (by claim_id): the claim's serial,
 * the findings file that counts for it, whether a claim was read for it. */
typedef struct IdEntry {
    uint64_t h, h2;
    uint8_t followed, used, present;
    uint16_t file;
    uint32_t serial;
} IdEntry;

typedef struct IdSet {
    IdEntry *v;
    size_t cap, n;
} IdSet;

static void id_hash(const char *k, uint64_t *h, uint64_t *h2) {
    uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
    for (const unsigned char *c = (const unsigned char *)k; *c; c++) {
        a = (a ^ *c) * 0x100000001b3ULL;
        b = (b ^ *c) * 0x9e3779b97f4a7c15ULL;
    }
    *h = a ? a : 1, *h2 = b;
}

/* The entry of jr_id k, added (zeroed) when `add`; NULL when absent or out
 * of memory (*oom). */
static IdEntry *id_find(IdSet *s, const char *k, int add, int *oom) {
    uint64_t h, h2;
    id_hash(k, &h, &h2);
    if (add && (s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        IdEntry *v = calloc(cap, sizeof *v);
        if (!v) return *oom = 1, NULL;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->v[i].h) continue;
            size_t j = s->v[i].h & (cap - 1);
            while (v[j].h) j = (j + 1) & (cap - 1);
            v[j] = s->v[i];
        }
        free(s->v);
        s->v = v, s->cap = cap;
    }
    if (!s->cap) return NULL;
    size_t j = h & (s->cap - 1);
    for (; s->v[j].h; j = (j + 1) & (s->cap - 1))
        if (s->v[j].h == h && s->v[j].h2 == h2) return &s->v[j];
    if (!add) return NULL;
    s->v[j] = (IdEntry){h, h2, 0, 0, 0, 0, 0};
    s->n++;
    return &s->v[j];
}

/* ------------------------------------------------------------- worklists */

enum { LEVELS = 3, WORK_TOP = 50 };
static const char *const level_names[LEVELS] = {"科室自查", "医保办复核", "督办"};

/* The worklist level of a finding by the default routes (docs/reports.md):
 * definite and high severity → 督办; definite or high → 医保办复核; the rest
 * → 科室自查. */
int rep_level(const char *severity, const char *nature) {
    return arb_report_route_level(default_routes, 3, severity, nature, NULL, NULL);
}

/* One worklist row kept for the HTML (the largest at risk of each level). */
typedef struct WorkRow {
    int64_t at_risk;
    char *json; /* the row as a JSON array */
} WorkRow;

typedef struct Work {
    WorkRow top[WORK_TOP];
    size_t n;
    int64_t min; /* the smallest at risk kept, once WORK_TOP are */
    uint64_t count;
    int64_t at_risk;
    Map by_dept;
} Work;

static void work_keep(Work *w, int64_t at_risk, json_object *row) {
    size_t at = w->n;
    if (w->n == WORK_TOP) { /* replace the smallest when larger */
        size_t min = 0;
        for (size_t i = 1; i < w->n; i++)
            if (w->top[i].at_risk < w->top[min].at_risk) min = i;
        if (w->top[min].at_risk >= at_risk) return;
        free(w->top[min].json);
        at = min;
    } else {
        w->n++;
    }
    w->top[at].at_risk = at_risk;
    w->top[at].json = strdup(json_object_to_json_string_ext(row, JSON_C_TO_STRING_PLAIN));
    if (w->n == WORK_TOP) {
        w->min = w->top[0].at_risk;
        for (size_t i = 1; i < w->n; i++)
            if (w->top[i].at_risk < w->min) w->min = w->top[i].at_risk;
    }
}

/* ------------------------------------------------------------- the state */

typedef struct Report {
    const arb_report_options *o;
    const arb_report_step *steps;
    size_t nsteps;
    const arb_report_indicator *inds;
    size_t ninds;
    const arb_report_route *routes;
    size_t nroutes;
    char *err;
    size_t errcap;
    arb_report_totals t;
    Map dept, doctor, facility, category, month, dept_doctor, facility_dept, doctor_category;
    Map q_dept, q_drug, ledger;
    HSet repeat; /* repeat findings */
    IdSet fb;
    /* claims and findings not side by side (several findings files, or a
     * history store): the claims with findings, claims_path's claim ids
     * (with a store), the drug lines of the claims with findings */
    IdSet flagged, ids;
    struct DLines *dlines;
    Map items;
    Work work[LEVELS];
    char ledger_from[11], ledger_to[11];
    char latest[11]; /* the latest settle date seen */
    uint64_t serial;
    FILE *csv_work[LEVELS];
    /* --xlsx: the workbook, written as it goes (constant memory), its
     * worklist sheets (one per level, one per level and department) */
    lxw_workbook *wb;
    lxw_format *bold;
    lxw_worksheet *wl_sheet[LEVELS];
    uint32_t wl_row[LEVELS];
    Map wl_dept_sheet;
    Map sheet_names;
    int oom;
} Report;

static int rep_fail(Report *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errcap, _(fmt), ap); /* translated: po/update-pot.sh extracts rep_fail:2 */
    va_end(ap);
    return -1;
}

/* Money as text ("12.34", "-5", "7.5") to cents. */
static int64_t money_text_cents(const char *s) {
    int neg = *s == '-';
    if (neg || *s == '+') s++;
    int64_t whole = 0, frac = 0;
    int digits = 0;
    for (; *s >= '0' && *s <= '9'; s++) whole = whole * 10 + (*s - '0');
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            if (digits < 2) frac = frac * 10 + (*s - '0'), digits++;
    if (digits == 1) frac *= 10;
    int64_t c = whole * 100 + frac;
    return neg ? -c : c;
}

static const char *str_of_json(json_object *o, const char *key) {
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return "";
    return json_object_get_string(v);
}

/* Money as JSON: "12.34" or a number, to cents (0 when missing). */
static int64_t money_of_json(json_object *o, const char *key) {
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !v) return 0;
    if (json_object_is_type(v, json_type_string))
        return money_text_cents(json_object_get_string(v));
    if (json_object_is_type(v, json_type_int)) return json_object_get_int64(v) * 100;
    if (json_object_is_type(v, json_type_double))
        return (int64_t)llround(json_object_get_double(v) * 100.0);
    return 0;
}

static int32_t int_of_json(json_object *o, const char *key) {
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int)) return 0;
    return json_object_get_int(v);
}

/* The input's records (findings, claims, a claim's lines) are read by
 * jsonline (one pass, no allocation per line) rather than json-c, which
 * took most of a large report's time; the accessors below give the same
 * answers as the json-c ones above (the type rules of json-c's getters),
 * and str_of, money_of and int_of pick one or the other by the type of
 * their first argument. */
typedef struct Obj {
    const JlineDoc *d;
    uint32_t i; /* JLINE_TOP or an array element */
} Obj;

static const char *str_of_line(Obj o, const char *key) {
    const JlineVal *v = jline_get(o.d, o.i, key);
    return v && v->type == JLINE_STRING ? v->s : "";
}

static int64_t money_of_line(Obj o, const char *key) {
    const JlineVal *v = jline_get(o.d, o.i, key);
    if (!v) return 0;
    if (v->type == JLINE_STRING) return money_text_cents(v->s);
    if (v->type == JLINE_INT) return v->i * 100;
    if (v->type == JLINE_DOUBLE) return (int64_t)llround(v->d * 100.0);
    return 0;
}

static int32_t int_of_line(Obj o, const char *key) {
    const JlineVal *v = jline_get(o.d, o.i, key);
    if (!v || v->type != JLINE_INT) return 0;
    return v->i > INT32_MAX ? INT32_MAX : v->i < INT32_MIN ? INT32_MIN : (int32_t)v->i;
}

/* An integer as json_object_get_int64 reads any value (-1 when absent). */
static int64_t int64_of_line(Obj o, const char *key) {
    const JlineVal *v = jline_get(o.d, o.i, key);
    if (!v) return -1;
    switch (v->type) {
    case JLINE_INT:
    case JLINE_BOOLEAN: return v->i;
    case JLINE_DOUBLE:
        return v->d >= (double)INT64_MAX   ? INT64_MAX
               : v->d <= (double)INT64_MIN ? INT64_MIN
                                           : (int64_t)v->d;
    case JLINE_STRING: return strtoll(v->s, NULL, 10);
    default: return 0;
    }
}

#define str_of(o, k) _Generic((o), Obj : str_of_line, default : str_of_json)(o, k)
#define money_of(o, k) _Generic((o), Obj : money_of_line, default : money_of_json)(o, k)
#define int_of(o, k) _Generic((o), Obj : int_of_line, default : int_of_json)(o, k)

static void set_extra(Report *r, Agg *a, const char *s) {
    if (a->extra || !s || !*s) return;
    if (!(a->extra = strdup(s))) r->oom = 1;
}

static Agg *get(Report *r, Map *m, const char *key) {
    Agg *a = map_get(m, key);
    if (!a) r->oom = 1;
    return a;
}

/* (keys joined by hand: snprintf took a tenth of a large report's time) */
static Agg *get2(Report *r, Map *m, const char *a, const char *b) {
    char key[512];
    size_t na = strlen(a), nb = strlen(b);
    if (na > sizeof key - 1) na = sizeof key - 1;
    memcpy(key, a, na);
    size_t k = na;
    if (k < sizeof key - 1) key[k++] = '\x1f';
    if (nb > sizeof key - 1 - k) nb = sizeof key - 1 - k;
    memcpy(key + k, b, nb);
    key[k + nb] = 0;
    return get(r, m, key);
}

/* "2025-08-14" → "2025Q3" */
static void quarter_of(const char *date, char out[8]) {
    int m = (date[5] - '0') * 10 + (date[6] - '0');
    snprintf(out, 8, "%.4sQ%d", date, m >= 1 && m <= 12 ? (m - 1) / 3 + 1 : 0);
}

static int in_period(const Report *r, const char *date) {
    if (!r->o->from && !r->o->to) return 1;
    if (!*date) return 0;
    if (r->o->from && strcmp(date, r->o->from) < 0) return 0;
    if (r->o->to && strcmp(date, r->o->to) > 0) return 0;
    return 1;
}

static int in_ledger(const Report *r, const char *date) {
    return *date && strcmp(date, r->ledger_from) >= 0 && strcmp(date, r->ledger_to) <= 0;
}

static void money_text(int64_t c, char *buf, size_t cap) {
    int64_t a = c < 0 ? -c : c;
    snprintf(buf, cap, "%s%lld.%02lld", c < 0 ? "-" : "", (long long)(a / 100),
             (long long)(a % 100));
}

static const char *const work_heads[] = {"违规标识", "单据号",       "结算日期", "科室",     "医师",
                                         "机构",     "规则",         "规则类别", "严重程度", "性质",
                                         "违规金额", "涉嫌违规金额", "违规内容"};
enum { WORK_COLS = sizeof work_heads / sizeof *work_heads };

/* A sheet named after name (Excel's rules: at most 31 characters, none of
 * []:*?/\, unique), with the header row heads; NULL on failure. */
static lxw_worksheet *add_sheet(Report *r, const char *name, const char *const *heads,
                                size_t nheads) {
    char base[128], try[160];
    size_t k = 0, chars = 0;
    for (const char *p = name; *p && k < sizeof base - 5 && chars < 28; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xC0) != 0x80) chars++;
        base[k++] = strchr("[]:*?/\\", c) ? '_' : (char)c;
    }
    while (k && ((unsigned char)base[k - 1] & 0xC0) == 0xC0) k--; /* a cut character */
    base[k] = 0;
    if (!k) snprintf(base, sizeof base, "_");
    snprintf(try, sizeof try, "%s", base);
    for (int i = 2;
         map_get(&r->sheet_names, try) && ((Agg *)map_get(&r->sheet_names, try))->findings; i++)
        snprintf(try, sizeof try, "%s~%d", base, i);
    Agg *seen = get(r, &r->sheet_names, try);
    if (seen) seen->findings = 1;
    lxw_worksheet *ws = workbook_add_worksheet(r->wb, try);
    for (size_t i = 0; ws && i < nheads; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, heads[i], r->bold);
    return ws;
}

/* One worklist row into the level's sheet and its department's. */
static void xlsx_work_row(Report *r, int lv, const char *dept, const char *const *cells,
                          int64_t amount, int64_t at_risk) {
    char name[256];
    snprintf(name, sizeof name, "%s-%s", level_names[lv], *dept ? dept : "未填科室");
    Agg *d = get2(r, &r->wl_dept_sheet, level_names[lv], dept);
    if (!d) return;
    if (!d->sheet) {
        d->sheet = add_sheet(r, name, work_heads, WORK_COLS);
        d->sheet_row = 1;
    }
    lxw_worksheet *ws[2] = {r->wl_sheet[lv], d->sheet};
    uint32_t *row[2] = {&r->wl_row[lv], &d->sheet_row};
    for (int k = 0; k < 2; k++) {
        if (!ws[k]) continue;
        for (size_t i = 0; i < WORK_COLS; i++) {
            if (i == 10 || i == 11)
                worksheet_write_number(ws[k], *row[k], (lxw_col_t)i,
                                       (double)(i == 10 ? amount : at_risk) / 100.0, NULL);
            else
                worksheet_write_string(ws[k], *row[k], (lxw_col_t)i, cells[i], NULL);
        }
        (*row[k])++;
    }
}

/* ------------------------------------------------------------- one claim */

typedef struct Line {
    int64_t line_no;
    const char *code, *name, *kind;
} Line;

static void add_finding(Report *r, Obj f, const char *date, int counted, const Line *lines,
                        size_t nlines) {
    const char *dept = str_of(f, "dept"), *doctor = str_of(f, "doctor");
    const char *facility = str_of(f, "facility_id"), *cat = str_of(f, "category");
    const char *sev = str_of(f, "severity"), *nat = str_of(f, "nature");
    int64_t amount = money_of(f, "amount"), at_risk = money_of(f, "at_risk");
    int32_t points = int_of(f, "points");
    /* the ledger: points of the findings settled in its period */
    if (in_ledger(r, date) && *doctor) {
        Agg *l = get(r, &r->ledger, doctor);
        if (l) {
            l->points += points;
            l->findings++;
            set_extra(r, l, dept);
        }
    }
    if (!counted) return;
    r->t.findings++;
    r->t.amount_cents += amount;
    r->t.at_risk_cents += at_risk;
    int definite = strcmp(nat, "definite") == 0;
    /* repeat: the facility's person flagged by the same rule before */
    char rk[512];
    snprintf(rk, sizeof rk, "%s\x1f%s\x1f%s", facility, str_of(f, "person_id"), str_of(f, "rule"));
    int seen = hset_add(&r->repeat, hash_str(rk));
    if (seen < 0) r->oom = 1;
    /* answered by 3103 feedback, and followed */
    IdEntry *fb = r->fb.n ? id_find(&r->fb, str_of(f, "finding_id"), 0, &r->oom) : NULL;
    int answered = fb != NULL, followed = fb && fb->followed;
    if (fb) fb->used = 1;
    r->t.answered += (uint64_t)answered;
    r->t.followed += (uint64_t)followed;
    Agg *groups[] = {
        get(r, &r->dept, dept),
        get(r, &r->doctor, doctor),
        get(r, &r->facility, facility),
        get2(r, &r->dept_doctor, dept, doctor),
        get2(r, &r->facility_dept, facility, dept),
        get2(r, &r->doctor_category, doctor, cat),
        *date ? get(r, &r->month,
                    (char[8]){date[0], date[1], date[2], date[3], '-', date[5], date[6], 0})
              : NULL};
    for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
        Agg *a = groups[i];
        if (!a) continue;
        a->findings++;
        a->amount += amount;
        a->at_risk += at_risk;
        a->definite += definite;
        a->repeat += seen == 1;
        a->answered += (uint64_t)answered;
        a->followed += (uint64_t)followed;
        a->points += points;
        if (a->last_claim != r->serial) a->flagged++, a->last_claim = r->serial;
    }
    Agg *c = get(r, &r->category, cat);
    if (c) {
        c->findings++;
        c->amount += amount;
        c->at_risk += at_risk;
        if (!c->extra) {
            char e[512];
            snprintf(e, sizeof e, "%s\x1f%s\x1f%s", str_of(f, "category_title"), str_of(f, "tier"),
                     str_of(f, "category_code"));
            set_extra(r, c, e);
        }
    }
    /* quarterly high-frequency departments and drugs */
    if (*date) {
        char q[8];
        quarter_of(date, q);
        Agg *qd = get2(r, &r->q_dept, q, dept);
        if (qd) qd->findings++, qd->at_risk += at_risk;
        const JlineVal *ln = jline_get(f.d, f.i, "line_no");
        if (ln && ln->type == JLINE_INT) {
            int64_t no = ln->i;
            for (size_t i = 0; i < nlines; i++) {
                if (lines[i].line_no != no) continue;
                if (strcmp(lines[i].kind, "drug") == 0 || strcmp(lines[i].kind, "herb") == 0) {
                    Agg *qi = get2(r, &r->q_drug, q, lines[i].code);
                    if (qi) {
                        qi->findings++;
                        qi->at_risk += at_risk;
                        set_extra(r, qi, lines[i].name);
                    }
                }
                break;
            }
        }
    }
    /* the worklists */
    int lv = arb_report_route_level(r->routes, r->nroutes, sev, nat, str_of(f, "tier"), cat);
    if (lv < 0 || lv >= LEVELS) lv = 0; /* no route: 科室自查 */
    Work *w = &r->work[lv];
    w->count++;
    w->at_risk += at_risk;
    Agg *wd = get(r, &w->by_dept, dept);
    if (wd) wd->findings++, wd->at_risk += at_risk, wd->amount += amount;
    char risk[32], amt[32];
    money_text(at_risk, risk, sizeof risk);
    money_text(amount, amt, sizeof amt);
    const char *cells[] = {str_of(f, "finding_id"),
                           str_of(f, "claim_id"),
                           date,
                           dept,
                           doctor,
                           facility,
                           str_of(f, "rule"),
                           str_of(f, "category_title")[0] ? str_of(f, "category_title") : cat,
                           sev,
                           nat,
                           amt,
                           risk,
                           str_of(f, "message")};
    size_t ncells = sizeof cells / sizeof *cells;
    if (r->csv_work[lv]) {
        for (size_t i = 0; i < ncells; i++) {
            if (i) fputc(',', r->csv_work[lv]);
            csv_put_cell(r->csv_work[lv], cells[i]);
        }
        fputc('\n', r->csv_work[lv]);
    }
    if (r->wb) xlsx_work_row(r, lv, dept, cells, amount, at_risk);
    if (w->n < WORK_TOP || at_risk > w->min) {
        json_object *row = json_object_new_array();
        for (size_t i = 0; row && i < ncells; i++)
            json_object_array_add(row, json_object_new_string(cells[i]));
        if (row) work_keep(w, at_risk, row);
        json_object_put(row);
    }
}

static void add_claim_totals(Report *r, Obj c, const char *date, uint64_t nlines, int64_t claimed) {
    r->t.claims++;
    r->t.lines += nlines;
    r->t.claimed_cents += claimed;
    const char *dept = str_of(c, "dept"), *doctor = str_of(c, "doctor");
    const char *facility = str_of(c, "facility_id");
    Agg *groups[] = {
        get(r, &r->dept, dept),
        get(r, &r->doctor, doctor),
        get(r, &r->facility, facility),
        get2(r, &r->dept_doctor, dept, doctor),
        get2(r, &r->facility_dept, facility, dept),
        *date ? get(r, &r->month,
                    (char[8]){date[0], date[1], date[2], date[3], '-', date[5], date[6], 0})
              : NULL};
    for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
        if (!groups[i]) continue;
        groups[i]->claims++;
        groups[i]->lines += nlines;
        groups[i]->claimed += claimed;
    }
}

/* Each doctor's department (the doctors' `extra`): the one of the most
 * claims, then findings, then the first by name, of the doctor's (not
 * empty) departments, whatever order the claims came in. */
static void doctor_depts(Report *r) {
    const Map *m = &r->dept_doctor;
    for (size_t i = 0; i < m->cap; i++) {
        const char *k = m->s[i].key, *sep = k ? strchr(k, '\x1f') : NULL;
        if (!sep || sep == k) continue;
        Agg *d = get(r, &r->doctor, sep + 1), *a = m->s[i].a;
        if (!d) return;
        size_t n = (size_t)(sep - k);
        if (d->extra) {
            /* the department it has: its figures in dept_doctor */
            char key[512];
            snprintf(key, sizeof key, "%s\x1f%s", d->extra, sep + 1);
            const Agg *b = map_find(m, key);
            if (!b) continue;
            int cmp = strncmp(k, d->extra, n);
            int better = a->claims != b->claims       ? a->claims > b->claims
                         : a->findings != b->findings ? a->findings > b->findings
                                                      : cmp < 0 || (cmp == 0 && d->extra[n] != 0);
            if (!better) continue;
            free(d->extra);
            d->extra = NULL;
        }
        if (!(d->extra = strndup(k, n))) r->oom = 1;
    }
}

/* ------------------------------------------------------------- reading */

typedef struct Reader {
    FILE *f;
    const char *path;
    char *line;
    size_t cap;
    uint64_t lineno;
    JlineDoc doc; /* the last line read: its memory reused for every line */
} Reader;

/* The next non-empty line parsed into rd->doc: 1, 0 at the end (or on an
 * error: *bad). */
static int next_obj(Report *r, Reader *rd, int *bad) {
    for (;;) {
        ssize_t n = getline(&rd->line, &rd->cap, rd->f);
        if (n < 0) return 0;
        rd->lineno++;
        while (n && (rd->line[n - 1] == '\n' || rd->line[n - 1] == '\r')) rd->line[--n] = 0;
        if (!n) continue;
        int rc = jline_parse(&rd->doc, rd->line, (size_t)n);
        if (rc == -2) {
            r->oom = 1;
            *bad = 1;
            rep_fail(r, "out of memory");
            return 0;
        }
        if (rc < 0) {
            *bad = 1;
            rep_fail(r, "%s:%llu: not a JSON object", rd->path, (unsigned long long)rd->lineno);
            return 0;
        }
        return 1;
    }
}

static void settle_date_of(Obj c, char out[11]) {
    const char *s = str_of(c, "settle_time");
    if (strlen(s) >= 10 && s[4] == '-' && s[7] == '-')
        snprintf(out, 11, "%.10s", s);
    else
        out[0] = 0;
}

/* The latest settle date of the claims (for the ledger period when the
 * report's period has no end). */
static int scan_latest(Report *r, char out[11]) {
    FILE *f = fopen(r->o->claims_path, "r");
    if (!f) return rep_fail(r, "cannot read %s: %s", r->o->claims_path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    out[0] = 0;
    while (getline(&line, &cap, f) >= 0) {
        const char *p = strstr(line, "\"settle_time\"");
        if (!p) continue;
        p = strchr(p + 13, '"');
        if (p && strlen(p) > 11 && strncmp(p + 1, out, 10) > 0) snprintf(out, 11, "%.10s", p + 1);
    }
    free(line);
    fclose(f);
    return 0;
}

static void ledger_period(Report *r) {
    const char *end = r->o->to ? r->o->to : r->latest;
    if (!*end) end = "9999-12-31";
    snprintf(r->ledger_to, sizeof r->ledger_to, "%.10s", end);
    if (r->o->ledger_rolling) {
        /* the 12 months ending at `end`: from the day after, a year before */
        int y = atoi(end), m = atoi(end + 5), d = atoi(end + 8);
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int last = m == 2 && leap ? 29 : mdays[(m - 1 + 12) % 12];
        y -= 1;
        if (d >= last)
            d = 1, m = m == 12 ? 1 : m + 1, y += m == 1;
        else
            d += 1;
        char t[40];
        snprintf(t, sizeof t, "%04d-%02d-%02d", y, m, d);
        snprintf(r->ledger_from, sizeof r->ledger_from, "%.10s", t);
    } else {
        snprintf(r->ledger_from, sizeof r->ledger_from, "%.4s-01-01", end);
    }
}

/* The 3103 answers of o->feedback_path into r->fb: the latest answer to a
 * jr_id decides whether its warning was followed (dspo_way "2"). */
static int read_feedback(Report *r) {
    Reader rd = {fopen(r->o->feedback_path, "r"), r->o->feedback_path, NULL, 0, 0, {0}};
    if (!rd.f) return rep_fail(r, "cannot read %s: %s", rd.path, strerror(errno));
    jline_init(&rd.doc);
    int rc = 0, bad = 0;
    const Obj a = {&rd.doc, JLINE_TOP};
    while (!rc && next_obj(r, &rd, &bad)) {
        const JlineVal *id = jline_get(&rd.doc, JLINE_TOP, "jr_id");
        const char *way = str_of(a, "dspo_way");
        if (!id || id->type != JLINE_STRING || !id->n) {
            rc = rep_fail(r, "%s:%llu: an answer without a jr_id (the finding_id it answers)",
                          rd.path, (unsigned long long)rd.lineno);
        } else if (strcmp(way, "1") != 0 && strcmp(way, "2") != 0) {
            rc = rep_fail(r,
                          "%s:%llu: dspo_way '%s' is neither 1 (the order went ahead) nor 2 (the "
                          "order was changed)",
                          rd.path, (unsigned long long)rd.lineno, way);
        } else {
            IdEntry *e = id_find(&r->fb, id->s, 1, &r->oom);
            if (!e)
                rc = rep_fail(r, "out of memory");
            else
                e->followed = way[0] == '2', r->t.feedback++;
        }
    }
    if (bad) rc = -1;
    free(rd.line);
    jline_free(&rd.doc);
    fclose(rd.f);
    return rc;
}

/* The number of findings files, and the i-th. */
static size_t nfindings(const arb_report_options *o) {
    return o->nfindings ? o->nfindings : 1;
}

static const char *findings_at(const arb_report_options *o, size_t i) {
    return o->nfindings ? o->findings_paths[i] : o->findings_path;
}

/* Whether claims_path is read through the library's readers (o->engine)
 * rather than as canonical JSON Lines by the report itself. */
static int claims_by_readers(const arb_report_options *o) {
    size_t n = o->claims_path ? strlen(o->claims_path) : 0;
    return o->claims_encoding || o->claims_profile || o->claims_format == ARB_FORMAT_CSV ||
           (o->claims_format == ARB_FORMAT_AUTO && n >= 4 &&
            strcmp(o->claims_path + n - 4, ".csv") == 0);
}

/* A claim handed over as text (arb_claims_each, the store) to fn. */
typedef struct Feed {
    Report *r;
    JlineDoc doc;
    int (*fn)(Report *r, const JlineDoc *claim, void *ud);
    void *ud;
    const char *what; /* in messages */
    int rc;
} Feed;

static int feed_one(void *ud, const char *json, size_t len) {
    Feed *fd = ud;
    int rc = jline_parse(&fd->doc, json, len);
    if (rc == -2) return fd->r->oom = 1, fd->rc = rep_fail(fd->r, "out of memory"), 1;
    if (rc < 0) return fd->rc = rep_fail(fd->r, "%s: a claim is not a JSON object", fd->what), 1;
    if (fd->fn(fd->r, &fd->doc, fd->ud)) return fd->rc = -1, 1;
    return 0;
}

/* Calls fn(r, claim, ud) for each claim of claims_path, in its order,
 * until fn returns nonzero (an error, r->err set).  0 or -1. */
static int claims_foreach(Report *r, int (*fn)(Report *r, const JlineDoc *claim, void *ud),
                          void *ud) {
    const arb_report_options *o = r->o;
    if (claims_by_readers(o)) {
        if (!o->engine)
            return rep_fail(r,
                            "%s: CSV, an encoding or an input profile needs the rules to read "
                            "the claims with",
                            o->claims_path);
        arb_batch_options bo;
        arb_batch_options_init(&bo);
        bo.claims_path = o->claims_path;
        bo.input_format = o->claims_format;
        bo.encoding = o->claims_encoding;
        bo.input_profile = o->claims_profile;
        Feed fd = {r, {0}, fn, ud, o->claims_path, 0};
        jline_init(&fd.doc);
        uint64_t rejected = 0;
        int rc = arb_claims_each(o->engine, &bo, feed_one, &fd, NULL, &rejected);
        jline_free(&fd.doc);
        r->t.claims_rejected = rejected;
        if (fd.rc) return -1;
        if (rc != ARB_OK) return rep_fail(r, "%s", arb_errmsg(o->engine));
        return 0;
    }
    Reader c = {fopen(o->claims_path, "r"), o->claims_path, NULL, 0, 0, {0}};
    if (!c.f) return rep_fail(r, "cannot read %s: %s", c.path, strerror(errno));
    jline_init(&c.doc);
    int rc = 0, bad = 0;
    while (!rc && next_obj(r, &c, &bad)) rc = fn(r, &c.doc, ud);
    free(c.line);
    jline_free(&c.doc);
    fclose(c.f);
    return rc || bad ? -1 : 0;
}

static int latest_of(Report *r, const JlineDoc *claim, void *ud) {
    char date[11];
    settle_date_of((Obj){claim, JLINE_TOP}, date);
    if (strcmp(date, ud) > 0) memcpy(ud, date, 11);
    return 0;
}

/* The lines of a claim (the array's elements) into j->lines. */
typedef struct Join {
    Reader f; /* side by side: the findings */
    int have_pending, bad;
    Line *lines;
    size_t caplines;
} Join;

static size_t claim_lines(Report *r, Join *j, Obj claim) {
    const JlineVal *jl = jline_get(claim.d, JLINE_TOP, "lines");
    if (!jl || jl->type != JLINE_ARRAY) return 0;
    size_t nl = jl->count;
    if (nl > j->caplines) {
        Line *g = realloc(j->lines, nl * sizeof *g);
        if (!g) return r->oom = 1, 0;
        j->lines = g, j->caplines = nl;
    }
    for (size_t i = 0; i < nl; i++) {
        Obj l = {claim.d, jl->first + (uint32_t)i};
        j->lines[i].line_no = int64_of_line(l, "line_no");
        j->lines[i].code = str_of(l, "item_code");
        j->lines[i].name = str_of(l, "item_name");
        j->lines[i].kind = str_of(l, "item_kind");
    }
    return nl;
}

/* Side by side: one claim, and the findings that follow it. */
static int ordered_claim(Report *r, const JlineDoc *cd, void *ud) {
    Join *j = ud;
    const Obj claim = {cd, JLINE_TOP}, pending = {&j->f.doc, JLINE_TOP};
    r->serial++;
    const char *id = str_of(claim, "claim_id");
    char date[11];
    settle_date_of(claim, date);
    int counted = in_period(r, date);
    size_t nl = claim_lines(r, j, claim);
    if (r->oom) return rep_fail(r, "out of memory");
    if (counted) add_claim_totals(r, claim, date, nl, money_of(claim, "total_amount"));
    uint64_t before = r->t.findings;
    while (j->have_pending && strcmp(str_of(pending, "claim_id"), id) == 0) {
        add_finding(r, pending, date, counted, j->lines, nl);
        j->have_pending = next_obj(r, &j->f, &j->bad);
    }
    if (r->t.findings > before) r->t.flagged_claims++;
    if (r->oom) return rep_fail(r, "out of memory");
    return j->bad ? -1 : 0;
}

static int read_ordered(Report *r) {
    const char *fpath = findings_at(r->o, 0);
    Join j;
    memset(&j, 0, sizeof j);
    j.f = (Reader){fopen(fpath, "r"), fpath, NULL, 0, 0, {0}};
    jline_init(&j.f.doc);
    const Obj pending = {&j.f.doc, JLINE_TOP};
    int rc = 0;
    if (!j.f.f) rc = rep_fail(r, "cannot read %s: %s", fpath, strerror(errno));
    if (!rc) j.have_pending = next_obj(r, &j.f, &j.bad);
    if (!rc && !j.bad) rc = claims_foreach(r, ordered_claim, &j);
    if (!rc && !j.bad && j.have_pending)
        rc = rep_fail(r,
                      "%s:%llu: the finding's claim '%s' is not in %s after the claims before it "
                      "(report reads the claims file `check` audited, in its order)",
                      j.f.path, (unsigned long long)j.f.lineno, str_of(pending, "claim_id"),
                      r->o->claims_path);
    free(j.lines);
    free(j.f.line);
    jline_free(&j.f.doc);
    if (j.f.f) fclose(j.f.f);
    if (!rc && r->oom) rc = rep_fail(r, "out of memory");
    return rc || j.bad ? -1 : 0;
}

/* ---------------------------------------------- claims and findings apart */

/* The drug (and herb) lines of the claims with findings, by (claim serial,
 * line_no): the item "code\x1fname" (an Agg's extra in r->items). */
typedef struct DLine {
    uint32_t serial; /* 0: empty */
    int64_t line_no;
    const char *item;
} DLine;

typedef struct DLines {
    DLine *v;
    size_t cap, n;
} DLines;

static uint64_t dline_hash(uint32_t serial, int64_t line_no) {
    uint64_t h = ((uint64_t)serial * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)line_no;
    return h * 0xff51afd7ed558ccdULL;
}

static DLine *dline_find(DLines *t, uint32_t serial, int64_t line_no) {
    if (!t || !t->cap) return NULL;
    for (size_t j = dline_hash(serial, line_no) & (t->cap - 1); t->v[j].serial;
         j = (j + 1) & (t->cap - 1))
        if (t->v[j].serial == serial && t->v[j].line_no == line_no) return &t->v[j];
    return NULL;
}

static int dline_add(Report *r, uint32_t serial, int64_t line_no, const char *code,
                     const char *name) {
    DLines *t = r->dlines;
    if (!t && !(t = r->dlines = calloc(1, sizeof *t))) return -1;
    if (dline_find(t, serial, line_no)) return 0;
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        DLine *v = calloc(cap, sizeof *v);
        if (!v) return -1;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i].serial) continue;
            size_t j = dline_hash(t->v[i].serial, t->v[i].line_no) & (cap - 1);
            while (v[j].serial) j = (j + 1) & (cap - 1);
            v[j] = t->v[i];
        }
        free(t->v);
        t->v = v, t->cap = cap;
    }
    Agg *it = get2(r, &r->items, code, name);
    if (!it) return -1;
    if (!it->extra) {
        char key[512];
        snprintf(key, sizeof key, "%s\x1f%s", code, name);
        set_extra(r, it, key);
        if (!it->extra) return -1;
    }
    size_t j = dline_hash(serial, line_no) & (t->cap - 1);
    while (t->v[j].serial) j = (j + 1) & (t->cap - 1);
    t->v[j] = (DLine){serial, line_no, it->extra};
    t->n++;
    return 0;
}

/* Pass 1: the claims with findings, and the last findings file of each. */
static int scan_findings(Report *r) {
    uint32_t serial = 0;
    for (size_t i = 0; i < nfindings(r->o); i++) {
        const char *path = findings_at(r->o, i);
        Reader f = {fopen(path, "r"), path, NULL, 0, 0, {0}};
        if (!f.f) return rep_fail(r, "cannot read %s: %s", path, strerror(errno));
        jline_init(&f.doc);
        int bad = 0;
        const Obj fo = {&f.doc, JLINE_TOP};
        while (!r->oom && next_obj(r, &f, &bad)) {
            IdEntry *e = id_find(&r->flagged, str_of(fo, "claim_id"), 1, &r->oom);
            if (!e) break;
            if (!e->serial) e->serial = ++serial;
            e->file = (uint16_t)i;
        }
        free(f.line);
        jline_free(&f.doc);
        fclose(f.f);
        if (r->oom) return rep_fail(r, "out of memory");
        if (bad) return -1;
    }
    return 0;
}

enum { FROM_CLAIMS = 0, FROM_STORE = 1 };

/* Pass 2: one claim of claims_path or of the store: the denominators, and
 * the drug lines of a claim with findings. */
static int apart_claim(Report *r, const JlineDoc *cd, void *ud) {
    int from = *(const int *)ud;
    const Obj claim = {cd, JLINE_TOP};
    const char *id = str_of(claim, "claim_id");
    if (from == FROM_STORE) {
        r->t.store_claims++;
        if (r->ids.n && id_find(&r->ids, id, 0, &r->oom)) return 0; /* claims_path has it */
    } else if (r->o->history && !id_find(&r->ids, id, 1, &r->oom)) {
        return rep_fail(r, "out of memory");
    }
    char date[11];
    settle_date_of(claim, date);
    if (strcmp(date, r->latest) > 0) memcpy(r->latest, date, 11);
    int counted = in_period(r, date);
    Join j;
    memset(&j, 0, sizeof j);
    size_t nl = 0;
    IdEntry *e = r->flagged.n ? id_find(&r->flagged, id, 0, &r->oom) : NULL;
    if (counted || e) nl = claim_lines(r, &j, claim);
    if (counted) {
        add_claim_totals(r, claim, date, nl, money_of(claim, "total_amount"));
        r->t.store_counted += from == FROM_STORE;
    }
    if (e) {
        e->present = 1;
        for (size_t i = 0; counted && i < nl; i++)
            if ((strcmp(j.lines[i].kind, "drug") == 0 || strcmp(j.lines[i].kind, "herb") == 0) &&
                dline_add(r, e->serial, j.lines[i].line_no, j.lines[i].code, j.lines[i].name))
                r->oom = 1;
    }
    free(j.lines);
    return r->oom ? rep_fail(r, "out of memory") : 0;
}

static int store_claim(void *ud, const char *json, size_t len) {
    return feed_one(ud, json, len);
}

/* Pass 3: the findings, each with its claim's drug line. */
static int apart_findings(Report *r) {
    uint32_t last_flagged = 0;
    for (size_t i = 0; i < nfindings(r->o); i++) {
        const char *path = findings_at(r->o, i);
        Reader f = {fopen(path, "r"), path, NULL, 0, 0, {0}};
        if (!f.f) return rep_fail(r, "cannot read %s: %s", path, strerror(errno));
        jline_init(&f.doc);
        int bad = 0, rc = 0;
        const Obj fo = {&f.doc, JLINE_TOP};
        while (!rc && !r->oom && next_obj(r, &f, &bad)) {
            const char *id = str_of(fo, "claim_id");
            IdEntry *e = id_find(&r->flagged, id, 0, &r->oom);
            if (!e || e->file != i) continue; /* a later file has the claim's findings */
            if (!e->present) {
                rc = rep_fail(r,
                              "%s:%llu: the finding's claim '%s' is in neither the claims nor the "
                              "history store",
                              path, (unsigned long long)f.lineno, id);
                break;
            }
            const char *sd = str_of(fo, "settle_date");
            char date[11] = "";
            if (strlen(sd) >= 10) snprintf(date, sizeof date, "%.10s", sd);
            int counted = in_period(r, date);
            Line ln;
            size_t nl = 0;
            const JlineVal *no = jline_get(&f.doc, JLINE_TOP, "line_no");
            DLine *dl = counted && no && no->type == JLINE_INT
                            ? dline_find(r->dlines, e->serial, no->i)
                            : NULL;
            char item[512];
            if (dl) {
                snprintf(item, sizeof item, "%s", dl->item);
                char *sep = strchr(item, '\x1f');
                if (sep) *sep = 0;
                ln = (Line){dl->line_no, item, sep ? sep + 1 : "", "drug"};
                nl = 1;
            }
            r->serial = e->serial;
            uint64_t before = r->t.findings;
            add_finding(r, fo, date, counted, &ln, nl);
            if (r->t.findings > before && last_flagged != e->serial)
                r->t.flagged_claims++, last_flagged = e->serial;
        }
        free(f.line);
        jline_free(&f.doc);
        fclose(f.f);
        if (!rc && r->oom) rc = rep_fail(r, "out of memory");
        if (rc || bad) return -1;
    }
    return 0;
}

static int read_apart(Report *r) {
    int rc = scan_findings(r);
    int from = FROM_CLAIMS;
    if (!rc && r->o->claims_path) rc = claims_foreach(r, apart_claim, &from);
    if (!rc && r->o->history) {
        from = FROM_STORE;
        Feed fd = {r, {0}, apart_claim, &from, "history store", 0};
        jline_init(&fd.doc);
        int hrc = arb_history_claims_each(r->o->history, store_claim, &fd, NULL);
        jline_free(&fd.doc);
        if (fd.rc)
            rc = -1;
        else if (hrc != ARB_OK)
            rc = rep_fail(r, "%s", arb_errmsg(r->o->engine));
    }
    if (!rc) {
        ledger_period(r);
        rc = apart_findings(r);
    }
    return rc;
}

/* ------------------------------------------------------------- output */

typedef struct Sorted {
    const Slot *s;
} Sorted;

static int by_risk(const void *a, const void *b) {
    const Slot *x = *(const Slot *const *)a, *y = *(const Slot *const *)b;
    if (x->a->at_risk != y->a->at_risk) return x->a->at_risk < y->a->at_risk ? 1 : -1;
    if (x->a->findings != y->a->findings) return x->a->findings < y->a->findings ? 1 : -1;
    return strcmp(x->key, y->key);
}

static int by_key(const void *a, const void *b) {
    return strcmp((*(const Slot *const *)a)->key, (*(const Slot *const *)b)->key);
}

static int by_points(const void *a, const void *b) {
    const Slot *x = *(const Slot *const *)a, *y = *(const Slot *const *)b;
    if (x->a->points != y->a->points) return x->a->points < y->a->points ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* The map's slots, sorted; NULL when empty or out of memory. */
static const Slot **sorted(const Map *m, int (*cmp)(const void *, const void *)) {
    if (!m->n) return NULL;
    const Slot **v = malloc(m->n * sizeof *v);
    if (!v) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->s[i].key) v[k++] = &m->s[i];
    qsort(v, k, sizeof *v, cmp);
    return v;
}

static json_object *money_json(int64_t c) {
    return json_object_new_double((double)c / 100.0);
}

/* A group as {key, claims, lines, claimed, flagged, findings, amount,
 * at_risk, definite, repeat, points, extra}. */
static json_object *agg_json(const char *key, const Agg *a) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "key", json_object_new_string(key));
    json_object_object_add(o, "claims", json_object_new_int64((int64_t)a->claims));
    json_object_object_add(o, "lines", json_object_new_int64((int64_t)a->lines));
    json_object_object_add(o, "claimed", money_json(a->claimed));
    json_object_object_add(o, "flagged", json_object_new_int64((int64_t)a->flagged));
    json_object_object_add(o, "findings", json_object_new_int64((int64_t)a->findings));
    json_object_object_add(o, "amount", money_json(a->amount));
    json_object_object_add(o, "at_risk", money_json(a->at_risk));
    json_object_object_add(o, "definite", json_object_new_int64((int64_t)a->definite));
    json_object_object_add(o, "repeat", json_object_new_int64((int64_t)a->repeat));
    json_object_object_add(o, "answered", json_object_new_int64((int64_t)a->answered));
    json_object_object_add(o, "followed", json_object_new_int64((int64_t)a->followed));
    json_object_object_add(o, "points", json_object_new_int64(a->points));
    if (a->extra) json_object_object_add(o, "extra", json_object_new_string(a->extra));
    return o;
}

/* The map as an array, sorted, at most `limit` rows (0: all). */
static json_object *map_json(const Map *m, int (*cmp)(const void *, const void *), size_t limit) {
    json_object *arr = json_object_new_array();
    const Slot **v = sorted(m, cmp);
    for (size_t i = 0; v && i < m->n && (!limit || i < limit); i++)
        json_object_array_add(arr, agg_json(v[i]->key, v[i]->a));
    free((void *)v);
    return arr;
}

/* A facility's indicator values (NAN when not applicable) and grade. */
static double facility_score(const Report *r, const Agg *a, double val[], size_t n) {
    double all[5];
    all[0] = a->claims ? 1000.0 * (double)a->findings / (double)a->claims : NAN;
    all[1] = a->claims ? (double)a->at_risk / 100.0 / (double)a->claims : NAN;
    all[2] = a->findings ? 100.0 * (double)a->repeat / (double)a->findings : 0;
    all[3] = a->findings ? 100.0 * (double)a->definite / (double)a->findings : 0;
    /* the compliance rate: of the findings answered (3103), the share followed;
     * not applicable without answers */
    all[4] = a->answered ? 100.0 * (double)a->followed / (double)a->answered : NAN;
    for (size_t i = 0; i < n; i++) {
        /* an indicator's key says what it measures; without one, its place */
        const char *key = r->inds[i].key;
        size_t k = key ? 5 : i;
        for (size_t j = 0; key && j < 5; j++)
            if (strcmp(key, indicator_keys[j]) == 0) k = j;
        val[i] = k < 5 ? all[k] : NAN;
    }
    double sum = 0, w = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(val[i])) continue;
        sum += r->inds[i].weight * arb_report_indicator_score(&r->inds[i], val[i]);
        w += r->inds[i].weight;
    }
    return w > 0 ? sum / w : 0;
}

static json_object *build_data(Report *r) {
    const arb_report_options *o = r->o;
    size_t top = o->top > 0 ? (size_t)o->top : 10;
    json_object *d = json_object_new_object();
    json_object_object_add(d, "title",
                           json_object_new_string(o->title ? o->title : "医保智能审核报告"));
    json_object_object_add(d, "from", json_object_new_string(o->from ? o->from : ""));
    json_object_object_add(d, "to", json_object_new_string(o->to ? o->to : ""));
    json_object *t = json_object_new_object();
    json_object_object_add(t, "claims", json_object_new_int64((int64_t)r->t.claims));
    json_object_object_add(t, "lines", json_object_new_int64((int64_t)r->t.lines));
    json_object_object_add(t, "flagged", json_object_new_int64((int64_t)r->t.flagged_claims));
    json_object_object_add(t, "findings", json_object_new_int64((int64_t)r->t.findings));
    json_object_object_add(t, "claimed", money_json(r->t.claimed_cents));
    json_object_object_add(t, "amount", money_json(r->t.amount_cents));
    json_object_object_add(t, "at_risk", money_json(r->t.at_risk_cents));
    if (o->feedback_path) {
        json_object_object_add(t, "feedback", json_object_new_int64((int64_t)r->t.feedback));
        json_object_object_add(t, "answered", json_object_new_int64((int64_t)r->t.answered));
        json_object_object_add(t, "followed", json_object_new_int64((int64_t)r->t.followed));
    }
    json_object_object_add(d, "totals", t);
    json_object_object_add(d, "months", map_json(&r->month, by_key, 0));
    json_object_object_add(d, "categories", map_json(&r->category, by_risk, 0));
    json_object_object_add(d, "depts", map_json(&r->dept, by_risk, top));
    json_object_object_add(d, "doctors", map_json(&r->doctor, by_risk, top));
    json_object_object_add(d, "facilities", map_json(&r->facility, by_risk, top));
    json_object_object_add(d, "dept_doctor", map_json(&r->dept_doctor, by_risk, 0));
    json_object_object_add(d, "facility_dept", map_json(&r->facility_dept, by_risk, 0));
    json_object_object_add(d, "doctor_category", map_json(&r->doctor_category, by_risk, 0));
    json_object_object_add(d, "q_dept", map_json(&r->q_dept, by_key, 0));
    json_object_object_add(d, "q_drug", map_json(&r->q_drug, by_key, 0));
    /* the ledger: every doctor with points, the sanction reached */
    json_object *led = json_object_new_array();
    const Slot **v = sorted(&r->ledger, by_points);
    for (size_t i = 0; v && i < r->ledger.n; i++) {
        if (v[i]->a->points <= 0) continue;
        json_object *row = agg_json(v[i]->key, v[i]->a);
        int step;
        const char *s = arb_report_sanction(r->steps, r->nsteps, (int32_t)v[i]->a->points, &step);
        json_object_object_add(row, "sanction", json_object_new_string(s ? s : ""));
        json_object_object_add(row, "step", json_object_new_int(step + 1));
        json_object_array_add(led, row);
        if (s) r->t.doctors_sanctioned++;
    }
    free((void *)v);
    json_object *lo = json_object_new_object();
    json_object_object_add(lo, "from", json_object_new_string(r->ledger_from));
    json_object_object_add(lo, "to", json_object_new_string(r->ledger_to));
    json_object_object_add(lo, "rolling", json_object_new_boolean(o->ledger_rolling));
    json_object *steps = json_object_new_array();
    for (size_t i = 0; i < r->nsteps; i++) {
        json_object *s = json_object_new_object();
        json_object_object_add(s, "points", json_object_new_int(r->steps[i].points));
        json_object_object_add(s, "sanction", json_object_new_string(r->steps[i].sanction));
        json_object_array_add(steps, s);
    }
    json_object_object_add(lo, "steps", steps);
    json_object_object_add(lo, "rows", led);
    json_object_object_add(d, "ledger", lo);
    /* facility grades */
    json_object *gr = json_object_new_object(), *inds = json_object_new_array(),
                *rows = json_object_new_array();
    for (size_t i = 0; i < r->ninds; i++) {
        json_object *x = json_object_new_object();
        json_object_object_add(x, "name", json_object_new_string(r->inds[i].name));
        json_object_object_add(x, "weight", json_object_new_double(r->inds[i].weight));
        json_object_object_add(x, "good", json_object_new_double(r->inds[i].good));
        json_object_object_add(x, "bad", json_object_new_double(r->inds[i].bad));
        json_object_array_add(inds, x);
    }
    v = sorted(&r->facility, by_key);
    for (size_t i = 0; v && i < r->facility.n; i++) {
        if (!v[i]->a->claims) continue;
        double val[16];
        size_t n = r->ninds < 16 ? r->ninds : 16;
        double score = facility_score(r, v[i]->a, val, n);
        json_object *row = agg_json(v[i]->key, v[i]->a), *vals = json_object_new_array();
        for (size_t k = 0; k < n; k++)
            json_object_array_add(vals, isnan(val[k]) ? NULL : json_object_new_double(val[k]));
        json_object_object_add(row, "values", vals);
        json_object_object_add(row, "score", json_object_new_double(score));
        char g[2] = {arb_report_grade(o->grade_cut, score), 0};
        json_object_object_add(row, "grade", json_object_new_string(g));
        json_object_array_add(rows, row);
    }
    free((void *)v);
    json_object_object_add(gr, "indicators", inds);
    json_object_object_add(gr, "rows", rows);
    json_object_object_add(d, "grades", gr);
    /* the worklists */
    json_object *wl = json_object_new_array();
    for (int lv = 0; lv < LEVELS; lv++) {
        Work *w = &r->work[lv];
        json_object *x = json_object_new_object(), *topr = json_object_new_array();
        json_object_object_add(x, "level", json_object_new_string(level_names[lv]));
        json_object_object_add(x, "count", json_object_new_int64((int64_t)w->count));
        json_object_object_add(x, "at_risk", money_json(w->at_risk));
        json_object_object_add(x, "by_dept", map_json(&w->by_dept, by_risk, 0));
        /* the kept rows, largest at risk first */
        for (size_t i = 1; i < w->n; i++)
            for (size_t j = i; j > 0 && w->top[j].at_risk > w->top[j - 1].at_risk; j--) {
                WorkRow tmp = w->top[j];
                w->top[j] = w->top[j - 1];
                w->top[j - 1] = tmp;
            }
        for (size_t i = 0; i < w->n; i++)
            if (w->top[i].json) json_object_array_add(topr, json_tokener_parse(w->top[i].json));
        json_object_object_add(x, "top", topr);
        json_object_array_add(wl, x);
    }
    json_object_object_add(d, "worklists", wl);
    return d;
}

/* ------------------------------------------------------------- CSV tables */

static int write_table(Report *r, const char *name, const Map *m,
                       int (*cmp)(const void *, const void *), const char *keyhead) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", r->o->csv_dir, name);
    OutFile of;
    outf_init(&of);
    int e = outf_open(&of, path, mem_default());
    if (e) return rep_fail(r, "cannot write %s: %s", path, strerror(e));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        outf_abort(&of);
        return rep_fail(r, "out of memory");
    }
    fputs("\xEF\xBB\xBF", f);
    fprintf(f,
            "%s,审核单据数,明细行数,申报金额,违规单据数,违规条数,违规金额,涉嫌违规金额(每行一次),"
            "明确违规条数,重复违规条数,记分\n",
            keyhead);
    const Slot **v = sorted(m, by_risk);
    (void)cmp;
    for (size_t i = 0; v && i < m->n; i++) {
        const Agg *a = v[i]->a;
        char c1[32], c2[32], c3[32];
        money_text(a->claimed, c1, sizeof c1);
        money_text(a->amount, c2, sizeof c2);
        money_text(a->at_risk, c3, sizeof c3);
        csv_put_cell(f, v[i]->key);
        fprintf(f, ",%llu,%llu,%s,%llu,%llu,%s,%s,%llu,%llu,%lld\n", (unsigned long long)a->claims,
                (unsigned long long)a->lines, c1, (unsigned long long)a->flagged,
                (unsigned long long)a->findings, c2, c3, (unsigned long long)a->definite,
                (unsigned long long)a->repeat, (long long)a->points);
    }
    free((void *)v);
    fclose(f);
    e = outf_write(&of, buf, len);
    free(buf);
    if (!e)
        e = outf_commit(&of, 0);
    else
        outf_abort(&of);
    return e ? rep_fail(r, "cannot write %s: %s", path, strerror(e)) : 0;
}

static int write_text(Report *r, const char *path, const char *text, size_t len) {
    OutFile of;
    outf_init(&of);
    int e = outf_open(&of, path, mem_default());
    if (!e) e = outf_write(&of, text, len);
    if (!e)
        e = outf_commit(&of, 0);
    else
        outf_abort(&of);
    return e ? rep_fail(r, "cannot write %s: %s", path, strerror(e)) : 0;
}

static int write_csv_extra(Report *r, json_object *data) {
    char path[4096], *buf = NULL;
    size_t len = 0;
    /* the ledger */
    FILE *f = open_memstream(&buf, &len);
    if (!f) return rep_fail(r, "out of memory");
    fputs("\xEF\xBB\xBF医师,科室,记分,违规条数,处理\n", f);
    json_object *rows = json_object_object_get(json_object_object_get(data, "ledger"), "rows");
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        json_object *x = json_object_array_get_idx(rows, i);
        csv_put_cell(f, str_of(x, "key"));
        fputc(',', f);
        csv_put_cell(f, str_of(x, "extra"));
        fprintf(f, ",%d,%d,", int_of(x, "points"), int_of(x, "findings"));
        csv_put_cell(f, str_of(x, "sanction"));
        fputc('\n', f);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/ledger.csv", r->o->csv_dir);
    int rc = write_text(r, path, buf, len);
    free(buf);
    if (rc) return rc;
    /* the grades */
    buf = NULL, len = 0;
    if (!(f = open_memstream(&buf, &len))) return rep_fail(r, "out of memory");
    fputs("\xEF\xBB\xBF机构", f);
    for (size_t i = 0; i < r->ninds; i++) fprintf(f, ",%s", r->inds[i].name);
    fputs(",得分,等级\n", f);
    json_object *g = json_object_object_get(json_object_object_get(data, "grades"), "rows");
    for (size_t i = 0; i < json_object_array_length(g); i++) {
        json_object *x = json_object_array_get_idx(g, i);
        csv_put_cell(f, str_of(x, "key"));
        json_object *vals = json_object_object_get(x, "values");
        for (size_t k = 0; k < json_object_array_length(vals); k++) {
            json_object *val = json_object_array_get_idx(vals, k);
            if (val)
                fprintf(f, ",%.2f", json_object_get_double(val));
            else
                fputs(",", f);
        }
        fprintf(f, ",%.1f,%s\n", json_object_get_double(json_object_object_get(x, "score")),
                str_of(x, "grade"));
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/grades.csv", r->o->csv_dir);
    rc = write_text(r, path, buf, len);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------- HTML */

static void html_escape(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else
            fputc(*s, f);
    }
}

static int write_html(Report *r, json_object *data) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return rep_fail(r, "out of memory");
    const char *title = r->o->title ? r->o->title : "医保智能审核报告";
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n<title>", f);
    html_escape(f, title);
    fputs("</title>\n<style>\n", f);
    fputs(rep_css, f);
    fputs("</style>\n</head><body>\n", f);
    /* the data: json-c escapes '/', so "</script>" cannot occur in it */
    fputs("<script type=\"application/json\" id=\"report-data\">", f);
    fputs(json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN), f);
    fputs("</script>\n", f);
    size_t elen = r->o->echarts_js ? r->o->echarts_len : 0;
    const char *ejs = r->o->echarts_js ? r->o->echarts_js : arb_report_echarts(&elen);
    if (elen) {
        fputs("<script>\n", f);
        fwrite(ejs, 1, elen, f);
        fputs("\n</script>\n", f);
    }
    fputs("<script>\n", f);
    fputs(rep_app_js, f);
    fputs("</script>\n</body></html>\n", f);
    if (fclose(f)) {
        free(buf);
        return rep_fail(r, "out of memory");
    }
    int rc = write_text(r, r->o->html_path, buf, len);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------- Excel */

static const char *const group_heads[] = {"",
                                          "审核单据数",
                                          "明细行数",
                                          "申报金额",
                                          "违规单据数",
                                          "违规条数",
                                          "违规金额",
                                          "涉嫌违规金额(每行一次)",
                                          "明确违规条数",
                                          "重复违规条数",
                                          "记分"};

static void xlsx_group(Report *r, lxw_worksheet *ws, const char *head, const Map *m) {
    if (!ws) return;
    worksheet_write_string(ws, 0, 0, head, r->bold);
    for (size_t i = 1; i < sizeof group_heads / sizeof *group_heads; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, group_heads[i], r->bold);
    const Slot **v = sorted(m, by_risk);
    for (size_t i = 0; v && i < m->n; i++) {
        const Agg *a = v[i]->a;
        lxw_row_t row = (lxw_row_t)(i + 1);
        double vals[] = {(double)a->claims,  (double)a->lines,    a->claimed / 100.0,
                         (double)a->flagged, (double)a->findings, a->amount / 100.0,
                         a->at_risk / 100.0, (double)a->definite, (double)a->repeat,
                         (double)a->points};
        worksheet_write_string(ws, row, 0, v[i]->key, NULL);
        for (size_t k = 0; k < sizeof vals / sizeof *vals; k++)
            worksheet_write_number(ws, row, (lxw_col_t)(k + 1), vals[k], NULL);
    }
    free((void *)v);
}

/* The summary sheets, from the aggregates (the worklists were written as
 * the findings came). */
static void xlsx_summary(Report *r, json_object *data, lxw_worksheet *const *ws) {
    static const char *const tk[] = {"审核单据数",
                                     "明细行数",
                                     "违规单据数",
                                     "违规条数",
                                     "申报金额",
                                     "违规金额",
                                     "涉嫌违规金额(每行一次)"};
    double tv[] = {(double)r->t.claims,         (double)r->t.lines,
                   (double)r->t.flagged_claims, (double)r->t.findings,
                   r->t.claimed_cents / 100.0,  r->t.amount_cents / 100.0,
                   r->t.at_risk_cents / 100.0};
    if (ws[0]) {
        worksheet_write_string(ws[0], 0, 0, "项目", r->bold);
        worksheet_write_string(ws[0], 0, 1, "数值", r->bold);
        for (size_t i = 0; i < sizeof tk / sizeof *tk; i++) {
            worksheet_write_string(ws[0], (lxw_row_t)(i + 1), 0, tk[i], NULL);
            worksheet_write_number(ws[0], (lxw_row_t)(i + 1), 1, tv[i], NULL);
        }
    }
    xlsx_group(r, ws[1], "科室", &r->dept);
    xlsx_group(r, ws[2], "医师", &r->doctor);
    xlsx_group(r, ws[3], "机构", &r->facility);
    if (ws[4]) {
        static const char *const h[] = {"医师", "科室", "记分", "违规条数", "处理"};
        for (size_t i = 0; i < 5; i++)
            worksheet_write_string(ws[4], 0, (lxw_col_t)i, h[i], r->bold);
        json_object *rows = json_object_object_get(json_object_object_get(data, "ledger"), "rows");
        for (size_t i = 0; i < json_object_array_length(rows); i++) {
            json_object *x = json_object_array_get_idx(rows, i);
            lxw_row_t row = (lxw_row_t)(i + 1);
            worksheet_write_string(ws[4], row, 0, str_of(x, "key"), NULL);
            worksheet_write_string(ws[4], row, 1, str_of(x, "extra"), NULL);
            worksheet_write_number(ws[4], row, 2, int_of(x, "points"), NULL);
            worksheet_write_number(ws[4], row, 3, int_of(x, "findings"), NULL);
            worksheet_write_string(ws[4], row, 4, str_of(x, "sanction"), NULL);
        }
    }
    if (ws[5]) {
        worksheet_write_string(ws[5], 0, 0, "机构", r->bold);
        for (size_t i = 0; i < r->ninds; i++)
            worksheet_write_string(ws[5], 0, (lxw_col_t)(i + 1), r->inds[i].name, r->bold);
        worksheet_write_string(ws[5], 0, (lxw_col_t)(r->ninds + 1), "得分", r->bold);
        worksheet_write_string(ws[5], 0, (lxw_col_t)(r->ninds + 2), "等级", r->bold);
        json_object *g = json_object_object_get(json_object_object_get(data, "grades"), "rows");
        for (size_t i = 0; i < json_object_array_length(g); i++) {
            json_object *x = json_object_array_get_idx(g, i);
            lxw_row_t row = (lxw_row_t)(i + 1);
            worksheet_write_string(ws[5], row, 0, str_of(x, "key"), NULL);
            json_object *vals = json_object_object_get(x, "values");
            for (size_t k = 0; k < json_object_array_length(vals); k++) {
                json_object *val = json_object_array_get_idx(vals, k);
                if (val)
                    worksheet_write_number(ws[5], row, (lxw_col_t)(k + 1),
                                           json_object_get_double(val), NULL);
            }
            worksheet_write_number(ws[5], row, (lxw_col_t)(r->ninds + 1),
                                   json_object_get_double(json_object_object_get(x, "score")),
                                   NULL);
            worksheet_write_string(ws[5], row, (lxw_col_t)(r->ninds + 2), str_of(x, "grade"), NULL);
        }
    }
}

/* A temporary name beside path (created, empty), or -1. */
static int temp_beside(const char *path, char *out, size_t cap) {
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path + 1) : 0;
    snprintf(out, cap, "%.*s.%s.XXXXXX", dl, path, slash ? slash + 1 : path);
    int fd = mkstemp(out);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

/* ------------------------------------------------------------- the whole */

int arb_report_build(const arb_report_options *o, arb_report_totals *out, char *err,
                     size_t errcap) {
    Report r;
    memset(&r, 0, sizeof r);
    hset_init(&r.repeat, mem_default());
    r.o = o;
    r.err = err;
    r.errcap = errcap;
    if (errcap) err[0] = 0;
    r.steps = o->steps ? o->steps : arb_report_default_ladder(&r.nsteps);
    if (o->steps) r.nsteps = o->nsteps;
    r.inds = o->indicators ? o->indicators : arb_report_default_indicators(&r.ninds);
    if (o->indicators) r.ninds = o->nindicators;
    r.routes = o->routes ? o->routes : arb_report_default_routes(&r.nroutes);
    if (o->routes) r.nroutes = o->nroutes;
    int rc = 0;
    int apart = nfindings(o) > 1 || o->history;
    if (!findings_at(o, 0) || (!o->claims_path && !o->history))
        rc = rep_fail(&r, "findings and claims are required");
    if (!rc && nfindings(o) > UINT16_MAX)
        rc = rep_fail(&r, "%zu findings files: at most 65535", nfindings(o));
    if (!rc && o->history && !o->engine)
        rc = rep_fail(&r, "a history store needs the engine it was opened for");
    if (!rc && !apart && !o->to)
        rc = claims_by_readers(o) ? claims_foreach(&r, latest_of, r.latest)
                                  : scan_latest(&r, r.latest);
    if (!rc && !apart) ledger_period(&r);
    OutFile work[LEVELS];
    char *wbuf[LEVELS] = {0};
    size_t wlen[LEVELS] = {0};
    for (int lv = 0; lv < LEVELS; lv++) outf_init(&work[lv]);
    /* the CSV directory is made when missing (its parent must exist) */
    if (!rc && o->csv_dir && mkdir(o->csv_dir, 0777) && errno != EEXIST)
        rc = rep_fail(&r, "cannot make the directory %s: %s", o->csv_dir, strerror(errno));
    if (!rc && o->csv_dir) {
        for (int lv = 0; lv < LEVELS && !rc; lv++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/worklist_%d_%s.csv", o->csv_dir, lv + 1,
                     level_names[lv]);
            int e = outf_open(&work[lv], path, mem_default());
            if (e) {
                rc = rep_fail(&r, "cannot write %s: %s", path, strerror(e));
                break;
            }
            r.csv_work[lv] = work[lv].f;
            fputs(
                "\xEF\xBB\xBF违规标识,单据号,结算日期,科室,医师,机构,规则,规则类别,严重程度,性质,违"
                "规金额,涉嫌违规金额,违规内容\n",
                r.csv_work[lv]);
        }
    }
    (void)wbuf, (void)wlen;
    char xtmp[4096] = "";
    lxw_worksheet *xs[6] = {0};
    if (!rc && o->xlsx_path) {
        struct stat st;
        int special = stat(o->xlsx_path, &st) == 0 && !S_ISREG(st.st_mode);
        if (special || strcmp(o->xlsx_path, "-") == 0)
            rc = rep_fail(&r, "%s: a workbook is written to a regular file", o->xlsx_path);
        else if (temp_beside(o->xlsx_path, xtmp, sizeof xtmp))
            rc = rep_fail(&r, "cannot write %s: %s", o->xlsx_path, strerror(errno));
        if (!rc) {
            lxw_workbook_options wo = {.constant_memory = LXW_TRUE};
            r.wb = workbook_new_opt(xtmp, &wo);
            if (!r.wb) rc = rep_fail(&r, "cannot write %s", o->xlsx_path);
        }
        if (!rc) {
            r.bold = workbook_add_format(r.wb);
            format_set_bold(r.bold);
            static const char *const names[6] = {"汇总",   "按科室",   "按医师",
                                                 "按机构", "记分台账", "机构等级"};
            for (int i = 0; i < 6; i++) xs[i] = add_sheet(&r, names[i], NULL, 0);
            for (int lv = 0; lv < LEVELS; lv++) {
                r.wl_sheet[lv] = add_sheet(&r, level_names[lv], work_heads, WORK_COLS);
                r.wl_row[lv] = 1;
            }
        }
    }
    if (!rc && o->feedback_path) rc = read_feedback(&r);
    if (!rc) rc = apart ? read_apart(&r) : read_ordered(&r);
    if (!rc) doctor_depts(&r);
    if (!rc && r.oom) rc = rep_fail(&r, "out of memory");
    for (size_t i = 0; !rc && i < r.fb.cap; i++)
        r.t.feedback_unmatched += r.fb.v[i].h && !r.fb.v[i].used;
    json_object *data = NULL;
    if (!rc) data = build_data(&r);
    if (!rc && o->csv_dir) {
        rc = write_table(&r, "by_dept.csv", &r.dept, by_risk, "科室");
        if (!rc) rc = write_table(&r, "by_doctor.csv", &r.doctor, by_risk, "医师");
        if (!rc) rc = write_table(&r, "by_facility.csv", &r.facility, by_risk, "机构");
        if (!rc) rc = write_csv_extra(&r, data);
    }
    for (int lv = 0; lv < LEVELS; lv++) {
        if (!outf_is_open(&work[lv])) continue;
        if (rc)
            outf_abort(&work[lv]);
        else if (outf_commit(&work[lv], 0))
            rc = rep_fail(&r, "cannot write the worklists in %s", o->csv_dir);
    }
    if (r.wb) {
        if (!rc) xlsx_summary(&r, data, xs);
        lxw_error xe = workbook_close(r.wb);
        if (!rc && xe != LXW_NO_ERROR)
            rc = rep_fail(&r, "cannot write %s: %s", o->xlsx_path, lxw_strerror(xe));
        if (!rc && rename(xtmp, o->xlsx_path))
            rc = rep_fail(&r, "cannot write %s: %s", o->xlsx_path, strerror(errno));
    }
    if (rc && xtmp[0]) unlink(xtmp);
    if (!rc && o->html_path) rc = write_html(&r, data);
    json_object_put(data);
    if (out) *out = r.t;
    Map *maps[] = {&r.dept,
                   &r.doctor,
                   &r.facility,
                   &r.category,
                   &r.month,
                   &r.dept_doctor,
                   &r.facility_dept,
                   &r.doctor_category,
                   &r.q_dept,
                   &r.q_drug,
                   &r.ledger,
                   &r.work[0].by_dept,
                   &r.work[1].by_dept,
                   &r.work[2].by_dept,
                   &r.wl_dept_sheet,
                   &r.sheet_names,
                   &r.items};
    for (size_t i = 0; i < sizeof maps / sizeof *maps; i++) map_free(maps[i]);
    for (int lv = 0; lv < LEVELS; lv++)
        for (size_t i = 0; i < r.work[lv].n; i++) free(r.work[lv].top[i].json);
    hset_free(&r.repeat);
    free(r.fb.v);
    free(r.flagged.v);
    free(r.ids.v);
    if (r.dlines) free(r.dlines->v);
    free(r.dlines);
    return rc ? -1 : 0;
}

const char *arb_report_echarts(size_t *len) {
    *len = (size_t)(rep_echarts_end - rep_echarts_js);
    return rep_echarts_js;
}
