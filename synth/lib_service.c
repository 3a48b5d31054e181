/* lib_service.c — library row generators and violation injectors of the
 * service-policy and consumable categories (seq 14-31, 33; see
 * docs/categories.md and docs/claims-generator.md).  All rows are synthetic:
 * codes come from the framework's allocator, names are made of stems.
 *
 * Each injector adds the category's item to a clean base claim so that it
 * breaks exactly that category's rule on exactly one line, the one it
 * reports.  Service lines never go on pharmacy claims (the base claim is
 * rebuilt as an outpatient one).  History categories (23, 28, 31) add one
 * earlier outpatient claim of the same person that stays within the limit
 * by itself (for 28, an annual cap, in the same calendar year). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "library.h"
#include "scalar.h"

enum { SVC_YUAN = 100 };

/* ------------------------------------------------------------- names */

static const char *const SVC_PART[] = {"颈部", "胸部",   "腹部",   "腰椎", "膝关节", "肩关节",
                                       "头颅", "心脏",   "肝脏",   "肾脏", "甲状腺", "乳腺",
                                       "盆腔", "髋关节", "踝关节", "上肢", "下肢",   "脊柱",
                                       "眼部", "耳部",   "鼻腔",   "口腔", "肺部",   "胃肠"};
static const char *const SVC_OP[] = {"超声检查", "磁共振成像", "康复训练", "针刺治疗", "推拿治疗",
                                     "理疗",     "注射治疗",   "穿刺术",   "造影",     "功能评定",
                                     "冲洗",     "封闭治疗",   "激光治疗", "监测",     "引流术",
                                     "灌注",     "体层摄影",   "电刺激",   "牵引",     "热疗"};
static const char *const SVC_SURG[] = {"切除术", "修补术",     "成形术",     "切开复位内固定术",
                                       "探查术", "置换术",     "松解术",     "重建术",
                                       "减压术", "病灶清除术", "部分切除术", "吻合术"};
static const char *const SVC_CONS_PRE[] = {"一次性使用", "医用", "一次性无菌", "可吸收"};
static const char *const SVC_CHILD_PRE[] = {"儿童型", "小儿", "婴幼儿"};
static const char *const SVC_CONS_ITEM[] = {"输液针", "吸痰管", "呼吸面罩", "导尿管", "敷料",
                                            "电极片", "留置针", "鼻氧管",   "注射器", "引流袋",
                                            "雾化器", "脐带夹", "止血带",   "胃管",   "采血针"};
static const char *const SVC_BUNDLE[] = {"组合检查", "全套测定", "综合治疗", "系统评估",
                                         "联合检测"};
static const char *const SVC_DEPTS[] = {
    "康复医学科", "中医科", "肾内科", "眼科",       "口腔科", "麻醉科", "重症医学科", "肿瘤科",
    "精神科",     "儿科",   "妇产科", "耳鼻咽喉科", "皮肤科", "骨科",   "心血管内科", "放射科"};
#define SVC_N(a) (sizeof(a) / sizeof *(a))

static void svc_service_name(LibRng *r, char *buf) {
    snprintf(buf, LIB_CELL, "%s%s", lib_rng_pick(r, SVC_PART, SVC_N(SVC_PART)),
             lib_rng_pick(r, SVC_OP, SVC_N(SVC_OP)));
}

static void svc_surgery_name(LibRng *r, char *buf) {
    snprintf(buf, LIB_CELL, "%s%s", lib_rng_pick(r, SVC_PART, SVC_N(SVC_PART)),
             lib_rng_pick(r, SVC_SURG, SVC_N(SVC_SURG)));
}

static void svc_consumable_name(LibRng *r, char *buf) {
    snprintf(buf, LIB_CELL, "%s%s", lib_rng_pick(r, SVC_CONS_PRE, SVC_N(SVC_CONS_PRE)),
             lib_rng_pick(r, SVC_CONS_ITEM, SVC_N(SVC_CONS_ITEM)));
}

static void svc_money_cell(char *buf, int64_t cents) {
    snprintf(buf, LIB_CELL, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

static void svc_int_cell(char *buf, int64_t v) {
    snprintf(buf, LIB_CELL, "%lld", (long long)v);
}

/* A service code and name into cells 0 and 1. */
static int svc_service_key(LibGen *g, char cells[][LIB_CELL]) {
    char code[LIB_CODE_MAX];
    if (lib_gen_code(g, LIB_SERVICE, code)) return -1;
    snprintf(cells[0], LIB_CELL, "%s", code);
    svc_service_name(lib_gen_rng(g), cells[1]);
    return 0;
}

static int svc_consumable_key(LibGen *g, char cells[][LIB_CELL]) {
    char code[LIB_CODE_MAX];
    if (lib_gen_code(g, LIB_CONSUMABLE, code)) return -1;
    snprintf(cells[0], LIB_CELL, "%s", code);
    svc_consumable_name(lib_gen_rng(g), cells[1]);
    return 0;
}

/* -------------------------------------------------- injector helpers */

/* Services are not billed at pharmacies: a pharmacy base claim becomes an
 * outpatient one. */
static void svc_no_pharmacy(LibInject *x, LibClaim *c) {
    if (strcmp(c->care_type, "pharmacy") != 0) return;
    LibWant w;
    lib_want_init(&w);
    w.care_type = "outpatient";
    lib_rebuild(x, c, &w);
}

/* The start of most service injectors: the category's own table (NULL when
 * it has none), the claim moved off the pharmacy, and a row picked. */
static const LibTable *svc_pick_row(LibInject *x, LibClaim *c, size_t *row) {
    const LibTable *t = lib_own_table(x);
    if (!t) return NULL;
    svc_no_pharmacy(x, c);
    *row = lib_pick_row(x, t);
    return t;
}

/* Adds a line for the key of row i (kind "service" or "consumable"). */
static LibLine *svc_add_row_line(LibInject *x, LibClaim *c, const LibTable *t, size_t i,
                                 const char *kind, int64_t qty, int64_t price) {
    char code[LIB_CODE_MAX];
    lib_key_code(x, lib_cell(t, i, "code"), code);
    return lib_add_line(c, code, kind, lib_cell(t, i, "name"), qty, price);
}

/* Adds a line of the pair partner (with_code) of row i. */
static LibLine *svc_add_with_line(LibInject *x, LibClaim *c, const LibTable *t, size_t i,
                                  int64_t qty, int64_t price) {
    char code[LIB_CODE_MAX];
    lib_key_code(x, lib_cell(t, i, "with_code"), code);
    return lib_add_line(c, code, "service", lib_cell(t, i, "with_name"), qty, price);
}

static int64_t svc_some_price(LibInject *x, int64_t lo_yuan, int64_t hi_yuan) {
    return lib_rng_range(lib_inject_rng(x), lo_yuan * 10, hi_yuan * 10) * 10;
}

/* ---------------------------------------------- 14 SERVICE_PRICE */

static int svc_row_price(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    LibRng *r = lib_gen_rng(g);
    int64_t hi = lib_rng_chance(r, 700) ? 200 : 3000;
    svc_money_cell(cells[2], lib_rng_range(r, 5, hi) * SVC_YUAN + 50 * lib_rng_range(r, 0, 1));
    return 0;
}

static int svc_inject_price(LibInject *x, LibClaim *c, int *line_no) {
    size_t i;
    const LibTable *t = svc_pick_row(x, c, &i);
    if (!t) return -1;
    int64_t max = lib_cell_money(t, i, "max_price");
    if (max == LIB_NONE) return 1;
    LibRng *r = lib_inject_rng(x);
    int64_t over = max * lib_rng_range(r, 1, 50) / 100;
    if (over < 10) over = 10;
    return lib_injected(
        svc_add_row_line(x, c, t, i, "service", lib_rng_range(r, 1, 3), max + over / 10 * 10),
        line_no);
}

/* ---------------------------------------------- 15 SURGERY_DISCOUNT */

enum { SVC_GROUP_SIZE = 3 };

/* Rows come in groups of three consecutive rows sharing one incision. */
static int svc_row_surgery(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    char code[LIB_CODE_MAX];
    if (lib_gen_code(g, LIB_SERVICE, code)) return -1;
    LibRng *r = lib_gen_rng(g);
    snprintf(cells[0], LIB_CELL, "%s", code);
    svc_surgery_name(r, cells[1]);
    snprintf(cells[2], LIB_CELL, "切口组%06zu", i / SVC_GROUP_SIZE + 1);
    svc_money_cell(cells[3], lib_rng_range(r, 30, 800) * 10 * SVC_YUAN);
    snprintf(cells[5], LIB_CELL, "同一切口第二项起按50%%收取");
    return 0;
}

static int svc_inject_surgery(LibInject *x, LibClaim *c, int *line_no) {
    const LibTable *t = lib_own_table(x);
    if (!t) return -1;
    size_t i = lib_pick_row(x, t), j = t->nrows;
    const char *grp = lib_cell(t, i, "surgery_group");
    for (size_t k = i >= SVC_GROUP_SIZE ? i - SVC_GROUP_SIZE : 0;
         k < t->nrows && k <= i + SVC_GROUP_SIZE; k++)
        if (k != i && strcmp(lib_cell(t, k, "surgery_group"), grp) == 0) {
            j = k;
            break;
        }
    if (j == t->nrows) return 1; /* a group of one row */
    if (strcmp(c->care_type, "inpatient") != 0) {
        LibWant w;
        lib_want_init(&w);
        w.care_type = "inpatient";
        lib_rebuild(x, c, &w);
    }
    /* both operations billed in full the same day: the lower-ranked one is
     * the violation (rank: unit price, then line number) */
    int64_t pi = lib_cell_money(t, i, "price"), pj = lib_cell_money(t, j, "price");
    LibLine *a = svc_add_row_line(x, c, t, i, "service", 1, pi);
    LibLine *b = svc_add_row_line(x, c, t, j, "service", 1, pj);
    if (!a || !b || pi == LIB_NONE || pj == LIB_NONE) return 1;
    b->time = a->time + 1800;
    *line_no = pj > pi ? a->line_no : b->line_no;
    return 0;
}

/* ------------------------------ 16 SERVICE_WORK_INJURY, 17 SERVICE_MATERNITY */

static int svc_row_work_injury(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    snprintf(cells[2], LIB_CELL, "work_injury");
    return 0;
}

static int svc_row_maternity(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    snprintf(cells[2], LIB_CELL, "maternity");
    return 0;
}

static int svc_inject_insurance(LibInject *x, LibClaim *c, int *line_no) {
    size_t i;
    const LibTable *t = svc_pick_row(x, c, &i);
    if (!t) return -1;
    if (strcmp(c->insurance_type, lib_cell(t, i, "insurance")) == 0)
        c->insurance_type = lib_rng_chance(lib_inject_rng(x), 500) ? "employee" : "resident";
    return lib_injected(svc_add_row_line(x, c, t, i, "service", 1, svc_some_price(x, 20, 400)),
                        line_no);
}

/* ------------------ 19 SERVICE_CHILD, 29 SERVICE_AGE, 33 CONSUMABLE_CHILD */

/* AGE columns 2, 3, 4: min_age, age_under, max_age_days; note is column 6. */
static int svc_row_child(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    LibRng *r = lib_gen_rng(g);
    static const int64_t UNDER[] = {1, 3, 6, 12, 14, 18};
    int newborn = lib_rng_chance(r, 200);
    char base[LIB_CELL];
    memcpy(base, cells[1], LIB_CELL);
    snprintf(cells[1], LIB_CELL, "%s%.200s", newborn ? "新生儿" : "小儿", base);
    if (newborn) {
        svc_int_cell(cells[4], 28);
        snprintf(cells[6], LIB_CELL, "限新生儿");
    } else {
        int64_t u = UNDER[lib_rng_below(r, SVC_N(UNDER))];
        svc_int_cell(cells[3], u);
        snprintf(cells[6], LIB_CELL, "限%lld岁以下", (long long)u);
    }
    return 0;
}

static int svc_row_age(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    LibRng *r = lib_gen_rng(g);
    static const int64_t MIN[] = {6, 12, 16, 18, 35, 40, 50, 60};
    unsigned p = (unsigned)lib_rng_below(r, 100);
    if (p < 50) {
        int64_t m = MIN[lib_rng_below(r, SVC_N(MIN))];
        svc_int_cell(cells[2], m);
        snprintf(cells[6], LIB_CELL, "限%lld岁及以上", (long long)m);
    } else if (p < 80) {
        int64_t m = lib_rng_range(r, 14, 18), u = lib_rng_range(r, 55, 70);
        svc_int_cell(cells[2], m);
        svc_int_cell(cells[3], u);
        snprintf(cells[6], LIB_CELL, "限%lld至%lld岁", (long long)m, (long long)u - 1);
    } else {
        int64_t u = lib_rng_range(r, 6, 16);
        svc_int_cell(cells[3], u);
        snprintf(cells[6], LIB_CELL, "限%lld岁以下", (long long)u);
    }
    return 0;
}

static int svc_row_consumable_child(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_consumable_key(g, cells)) return -1;
    LibRng *r = lib_gen_rng(g);
    static const int64_t UNDER[] = {3, 6, 14, 18};
    int newborn = lib_rng_chance(r, 300);
    snprintf(cells[1], LIB_CELL, "%s%s",
             newborn ? "新生儿" : lib_rng_pick(r, SVC_CHILD_PRE, SVC_N(SVC_CHILD_PRE)),
             lib_rng_pick(r, SVC_CONS_ITEM, SVC_N(SVC_CONS_ITEM)));
    if (newborn) {
        svc_int_cell(cells[4], 28);
        snprintf(cells[6], LIB_CELL, "限新生儿");
    } else {
        int64_t u = UNDER[lib_rng_below(r, SVC_N(UNDER))];
        svc_int_cell(cells[3], u);
        snprintf(cells[6], LIB_CELL, "限%lld岁以下", (long long)u);
    }
    return 0;
}

/* Rebuilds the base claim with a patient whose age breaks row i's limits. */
static int svc_inject_age(LibInject *x, LibClaim *c, int *line_no) {
    const LibTable *t = lib_own_table(x);
    if (!t) return -1;
    LibRng *r = lib_inject_rng(x);
    size_t i = lib_pick_row(x, t);
    int64_t min = lib_cell_int(t, i, "min_age"), under = lib_cell_int(t, i, "age_under");
    int64_t days = lib_cell_int(t, i, "max_age_days");
    LibWant w;
    lib_want_init(&w);
    w.care_type = strcmp(c->care_type, "pharmacy") == 0 ? "outpatient" : c->care_type;
    int modes[3], n = 0;
    if (min != LIB_NONE && min > 0) modes[n++] = 0;
    if (under != LIB_NONE && under < 90) modes[n++] = 1;
    if (days != LIB_NONE) modes[n++] = 2;
    if (!n) return 1;
    switch (modes[lib_rng_below(r, (uint64_t)n)]) {
    case 0: w.min_age = 0, w.max_age = min - 1; break;
    case 1: w.min_age = under, w.max_age = under + 40 > 90 ? 90 : under + 40; break;
    default: w.min_age = days / 365 + 1, w.max_age = 80; break;
    }
    lib_rebuild(x, c, &w);
    int consumable = lib_code_kind(lib_cell(t, i, "code")) == LIB_CONSUMABLE;
    return lib_injected(svc_add_row_line(x, c, t, i, consumable ? "consumable" : "service",
                                         lib_rng_range(r, 1, 3),
                                         svc_some_price(x, 2, consumable ? 60 : 200)),
                        line_no);
}

/* ---------------------------------------------- 20 SERVICE_INDICATION */

static int svc_row_indication(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    if (svc_service_key(g, cells)) return -1;
    LibRng *r = lib_gen_rng(g);
    size_t nt;
    const char *const *terms = lib_terms(&nt);
    int k = 1 + (int)lib_rng_below(r, 3), pick[3];
    size_t len = 0;
    cells[3][len++] = '(';
    for (int a = 0; a < k; a++) {
        int v, dup;
        do {
            v = (int)lib_rng_below(r, nt);
            dup = 0;
            for (int b = 0; b < a; b++) dup |= pick[b] == v;
        } while (dup);
        pick[a] = v;
        len += (size_t)snprintf(cells[3] + len, LIB_CELL - len, "%s%s", a ? "|" : "", terms[v]);
    }
    snprintf(cells[3] + len, LIB_CELL - len, ")");
    svc_int_cell(cells[2], (int64_t)i + 1);
    snprintf(cells[5], LIB_CELL, "限%s", terms[pick[0]]);
    return 0;
}

/* Whether text contains one of the alternatives of a "(a|b|c)" pattern. */
static int svc_pattern_hit(const char *pattern, const char *text) {
    char buf[LIB_CELL];
    snprintf(buf, sizeof buf, "%s", pattern);
    char *p = buf;
    if (*p == '(') p++;
    size_t n = strlen(p);
    if (n && p[n - 1] == ')') p[n - 1] = 0;
    for (char *alt = p; alt;) {
        char *bar = strchr(alt, '|');
        if (bar) *bar = 0;
        if (*alt && strstr(text, alt)) return 1;
        alt = bar ? bar + 1 : NULL;
    }
    return 0;
}

static int svc_inject_indication(LibInject *x, LibClaim *c, int *line_no) {
    size_t i;
    const LibTable *t = svc_pick_row(x, c, &i);
    if (!t) return -1;
    const char *pat = lib_cell(t, i, "pattern");
    size_t nt;
    const char *const *terms = lib_terms(&nt);
    /* every diagnosis name outside the indication (base claims always have
     * names, so the rule can judge the claim) */
    for (int d = 0; d < c->ndiags; d++) {
        if (!c->diags[d].name[0]) return 1;
        for (size_t tries = 0; svc_pattern_hit(pat, c->diags[d].name); tries++) {
            if (tries > 4 * nt) return 1;
            snprintf(c->diags[d].name, sizeof c->diags[d].name, "%s",
                     terms[lib_rng_below(lib_inject_rng(x), nt)]);
        }
    }
    if (!c->ndiags) return 1;
    return lib_injected(svc_add_row_line(x, c, t, i, "service", 1, svc_some_price(x, 20, 300)),
                        line_no);
}

/* ---------------------------------------------- 21 SERVICE_DEPT */

static int svc_row_dept(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    snprintf(cells[2], LIB_CELL, "%s", lib_rng_pick(lib_gen_rng(g), SVC_DEPTS, SVC_N(SVC_DEPTS)));
    return 0;
}

static int svc_inject_dept(LibInject *x, LibClaim *c, int *line_no) {
    size_t i;
    const LibTable *t = svc_pick_row(x, c, &i);
    if (!t) return -1;
    const char *dept = lib_cell(t, i, "dept");
    LibLine *l = svc_add_row_line(x, c, t, i, "service", 1, svc_some_price(x, 20, 200));
    if (!l) return 1;
    /* billed by the claim's department, or by another when that is the row's */
    if (!l->dept[0] || strcmp(l->dept, dept) == 0) {
        const char *other;
        do other = lib_rng_pick(lib_inject_rng(x), SVC_DEPTS, SVC_N(SVC_DEPTS));
        while (strcmp(other, dept) == 0);
        snprintf(l->dept, sizeof l->dept, "%s", other);
    }
    *line_no = l->line_no;
    return 0;
}

/* ---------------------------------------------- 22 SERVICE_CARE_TYPE */

static int svc_row_care(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    LibRng *r = lib_gen_rng(g);
    unsigned p = (unsigned)lib_rng_below(r, 100);
    const char *care = p < 80 ? "inpatient" : p < 90 ? "internet" : "outpatient";
    snprintf(cells[2], LIB_CELL, "%s", care);
    int em = p < 80 && lib_rng_chance(r, 300);
    snprintf(cells[3], LIB_CELL, "%s", em ? "true" : "false");
    snprintf(cells[5], LIB_CELL, "%s", em ? "限住院，急诊可用" : "");
    return 0;
}

static int svc_inject_care(LibInject *x, LibClaim *c, int *line_no) {
    const LibTable *t = lib_own_table(x);
    if (!t) return -1;
    size_t i = lib_pick_row(x, t);
    const char *care = lib_cell(t, i, "care");
    if (strcmp(c->care_type, care) == 0 || strcmp(c->care_type, "pharmacy") == 0) {
        LibWant w;
        lib_want_init(&w);
        w.care_type = strcmp(care, "outpatient") == 0 ? "inpatient" : "outpatient";
        lib_rebuild(x, c, &w);
    }
    if (strstr(c->dept, "急诊")) snprintf(c->dept, sizeof c->dept, "%s", "全科医疗科");
    return lib_injected(svc_add_row_line(x, c, t, i, "service", 1, svc_some_price(x, 10, 200)),
                        line_no);
}

/* ---------------------------------------------- 23 SERVICE_COURSE */

static int svc_row_course(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    int64_t d = lib_rng_range(lib_gen_rng(g), 2, 24) * 5;
    svc_int_cell(cells[2], d);
    snprintf(cells[4], LIB_CELL, "一年内累计不超过%lld次", (long long)d);
    return 0;
}

/* One earlier outpatient claim 20-300 days before c (its own units within the
 * limit), then this claim's line crossing it. */
static LibClaim *svc_earlier_for(LibInject *x, LibClaim *c, int lo_days, int hi_days) {
    return lib_earlier(x, c, (int)lib_rng_range(lib_inject_rng(x), lo_days, hi_days), NULL);
}

static int svc_inject_course(LibInject *x, LibClaim *c, int *line_no) {
    size_t i;
    const LibTable *t = svc_pick_row(x, c, &i);
    if (!t) return -1;
    LibRng *r = lib_inject_rng(x);
    int64_t max = lib_cell_int(t, i, "max_days");
    if (max == LIB_NONE || max < 2) return 1;
    int64_t price = svc_some_price(x, 15, 120);
    LibClaim *e = svc_earlier_for(x, c, 20, 300);
    if (!e) return 1;
    int64_t q1 = lib_rng_range(r, max / 2, max);
    if (!svc_add_row_line(x, e, t, i, "service", q1, price)) return 1;
    return lib_injected(
        svc_add_row_line(x, c, t, i, "service", max - q1 + lib_rng_range(r, 1, 5), price), line_no);
}

/* ---------------------------------------------- 24 SERVICE_FACILITY_LEVEL */

static int svc_row_level(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    svc_int_cell(cells[2], lib_rng_chance(lib_gen_rng(g), 600) ? 2 : 3);
    return 0;
}

static int svc_inject_level(LibInject *x, LibClaim *c, int *line_no) {
    const LibTable *t = lib_own_table(x);
    if (!t) return -1;
    size_t i = lib_pick_row(x, t);
    int64_t min = lib_cell_int(t, i, "min_level");
    if (min == LIB_NONE || min < 2) return 1;
    if (c->facility_level == LIB_NONE || c->facility_level >= min ||
        strcmp(c->care_type, "pharmacy") == 0) {
        LibWant w;
        lib_want_init(&w);
        w.care_type = strcmp(c->care_type, "pharmacy") == 0 || strcmp(c->care_type, "internet") == 0
                          ? "outpatient"
                          : c->care_type;
        w.facility_level = lib_rng_range(lib_inject_rng(x), 1, min - 1);
        lib_rebuild(x, c, &w);
    }
    return lib_injected(svc_add_row_line(x, c, t, i, "service", 1, svc_some_price(x, 100, 3000)),
                        line_no);
}

/* ------------------ 25 SERVICE_DUP_CHARGE, 26 SERVICE_UNBUNDLING, 30 SERVICE_CONSUMABLE */

/* PAIR columns 2, 3: with_code, with_name (a service of its own code). */
static int svc_pair_with(LibGen *g, char cells[][LIB_CELL], const char *name_tail) {
    char code[LIB_CODE_MAX];
    if (lib_gen_code(g, LIB_SERVICE, code)) return -1;
    snprintf(cells[2], LIB_CELL, "%s", code);
    if (name_tail)
        snprintf(cells[3], LIB_CELL, "%s%s",
                 lib_rng_pick(lib_gen_rng(g), SVC_PART, SVC_N(SVC_PART)), name_tail);
    else
        svc_service_name(lib_gen_rng(g), cells[3]);
    return 0;
}

static int svc_row_dup(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells) || svc_pair_with(g, cells, NULL)) return -1;
    snprintf(cells[5], LIB_CELL, "同日不得同时收取");
    return 0;
}

static int svc_row_unbundling(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    if (svc_pair_with(g, cells, SVC_BUNDLE[lib_rng_below(lib_gen_rng(g), SVC_N(SVC_BUNDLE))]))
        return -1;
    snprintf(cells[5], LIB_CELL, "组合项目已含");
    return 0;
}

static int svc_row_service_consumable(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_consumable_key(g, cells) || svc_pair_with(g, cells, NULL)) return -1;
    snprintf(cells[5], LIB_CELL, "项目价格已含该耗材");
    return 0;
}

/* The row's item and its partner on one claim, the same day (unbundling: in
 * a stay, the bundle may be on another day). */
static int svc_inject_pair(LibInject *x, LibClaim *c, int *line_no) {
    size_t i;
    const LibTable *t = svc_pick_row(x, c, &i);
    if (!t) return -1;
    LibRng *r = lib_inject_rng(x);
    int consumable = lib_code_kind(lib_cell(t, i, "code")) == LIB_CONSUMABLE;
    int partner_first = lib_rng_chance(r, 500);
    LibLine *w = NULL, *l;
    if (partner_first && !(w = svc_add_with_line(x, c, t, i, 1, svc_some_price(x, 10, 500))))
        return 1;
    l = svc_add_row_line(x, c, t, i, consumable ? "consumable" : "service", lib_rng_range(r, 1, 3),
                         svc_some_price(x, 2, 120));
    if (!l) return 1;
    if (!partner_first && !(w = svc_add_with_line(x, c, t, i, 1, svc_some_price(x, 10, 500))))
        return 1;
    if (strcmp(lib_inject_category(x)->id, "SERVICE_UNBUNDLING") == 0 &&
        c->discharge_time != LIB_NONE && lib_rng_chance(r, 500))
        w->time = c->discharge_time - 3600;
    *line_no = l->line_no;
    return 0;
}

/* ---------------------------------------------- 27 SERVICE_PER_DAY */

static int svc_row_per_day(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    LibRng *r = lib_gen_rng(g);
    unsigned p = (unsigned)lib_rng_below(r, 100);
    const char *unit = p < 40 ? "日" : p < 85 ? "次" : "小时";
    int64_t max = p < 40 ? 1 : p < 85 ? lib_rng_range(r, 1, 6) : 24;
    snprintf(cells[2], LIB_CELL, "%s", unit);
    svc_int_cell(cells[3], max);
    return 0;
}

/* Units over the limit on one day: on one line, or on two lines of the same
 * day (the first is flagged). */
static int svc_inject_per_day(LibInject *x, LibClaim *c, int *line_no) {
    size_t i;
    const LibTable *t = svc_pick_row(x, c, &i);
    if (!t) return -1;
    LibRng *r = lib_inject_rng(x);
    int64_t max = lib_cell_int(t, i, "max_per_day");
    if (max == LIB_NONE || max < 1) return 1;
    int64_t total = max + lib_rng_range(r, 1, 3), price = svc_some_price(x, 2, 60);
    int64_t q1 = total > 1 && lib_rng_chance(r, 500) ? lib_rng_range(r, 1, total - 1) : total;
    LibLine *l = svc_add_row_line(x, c, t, i, "service", q1, price);
    if (!l) return 1;
    if (q1 < total) {
        LibLine *m = svc_add_row_line(x, c, t, i, "service", total - q1, price);
        if (!m) return 1;
        m->time = l->time + 2 * 3600;
        if (lib_date_of(m->time) != lib_date_of(l->time)) m->time = l->time + 60;
    }
    *line_no = l->line_no;
    return 0;
}

/* ---------------------------------------------- 28 SERVICE_ANNUAL_CAP */

static int svc_row_annual_cap(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    svc_money_cell(cells[2], lib_rng_range(lib_gen_rng(g), 10, 200) * 100 * SVC_YUAN);
    return 0;
}

static int svc_inject_annual_cap(LibInject *x, LibClaim *c, int *line_no) {
    size_t i;
    const LibTable *t = svc_pick_row(x, c, &i);
    if (!t) return -1;
    LibRng *r = lib_inject_rng(x);
    int64_t cap = lib_cell_money(t, i, "max_amount");
    if (cap == LIB_NONE || cap < 1000) return 1;
    int64_t price = svc_some_price(x, 50, 300);
    if (price >= cap) price = cap / 2;
    int64_t within = cap / price; /* units that fit under the cap */
    int64_t q1 = lib_rng_range(r, 1, within);
    /* the cap is per calendar year: the earlier claim settles in this
     * claim's year (claims settle from 20 January on; an inpatient one's
     * earlier claim is dated from the admission, at most 9 days before) */
    int64_t y, anchor = lib_date_of(lib_claim_ref_time(c));
    unsigned m, d;
    civil_from_days(lib_date_of(c->settle_time), &y, &m, &d);
    int64_t room = anchor - days_from_civil(y, 1, 1);
    LibClaim *e = room < 1 ? NULL : svc_earlier_for(x, c, 1, (int)(room < 300 ? room : 300));
    if (!e || !svc_add_row_line(x, e, t, i, "service", q1, price)) return 1;
    return lib_injected(
        svc_add_row_line(x, c, t, i, "service", within - q1 + lib_rng_range(r, 1, 3), price),
        line_no);
}

/* ---------------------------------------------- 31 SERVICE_PERIOD */

static int svc_row_period(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (svc_service_key(g, cells)) return -1;
    LibRng *r = lib_gen_rng(g);
    static const int64_t DAYS[] = {7, 14, 30, 90, 180, 365};
    int64_t d = DAYS[lib_rng_below(r, SVC_N(DAYS))], m = lib_rng_range(r, 1, 4);
    svc_int_cell(cells[2], d);
    svc_int_cell(cells[3], m);
    snprintf(cells[5], LIB_CELL, "%lld天内不超过%lld次", (long long)d, (long long)m);
    return 0;
}

static int svc_inject_period(LibInject *x, LibClaim *c, int *line_no) {
    const LibTable *t = lib_own_table(x);
    if (!t) return -1;
    LibRng *r = lib_inject_rng(x);
    size_t i = lib_pick_row(x, t);
    int64_t days = lib_cell_int(t, i, "period_days"), max = lib_cell_int(t, i, "max_in_period");
    if (days == LIB_NONE || days < 2 || max == LIB_NONE || max < 1) return 1;
    /* an outpatient claim, so that the earlier claim's distance in settlement
     * days is exactly the one asked for */
    if (strcmp(c->care_type, "outpatient") != 0 &&
        strcmp(c->care_type, "chronic_outpatient") != 0) {
        LibWant w;
        lib_want_init(&w);
        w.care_type = "outpatient";
        lib_rebuild(x, c, &w);
    }
    int64_t price = svc_some_price(x, 20, 300);
    LibClaim *e = svc_earlier_for(x, c, 1, (int)days - 1);
    int64_t q1 = lib_rng_range(r, 1, max);
    if (!e || !svc_add_row_line(x, e, t, i, "service", q1, price)) return 1;
    return lib_injected(svc_add_row_line(x, c, t, i, "service", max - q1 + 1, price), line_no);
}

/* ------------------------------------------------------------ registry */

#define SVC_AGE_COLS "code,name,min_age,age_under,max_age_days,kp,note"
#define SVC_PAIR_COLS "code,name,with_code,with_name,kp,note"

const LibCategory lib_service_categories[] = {
    {14, "SERVICE_PRICE", "service_price", "code,name,max_price,kp,note", 8000, svc_row_price,
     svc_inject_price},
    {15, "SURGERY_DISCOUNT", "surgery_discount", "code,name,surgery_group,price,kp,note", 4000,
     svc_row_surgery, svc_inject_surgery},
    {16, "SERVICE_WORK_INJURY", "service_work_injury", "code,name,insurance,kp,note", 500,
     svc_row_work_injury, svc_inject_insurance},
    {17, "SERVICE_MATERNITY", "service_maternity", "code,name,insurance,kp,note", 500,
     svc_row_maternity, svc_inject_insurance},
    {19, "SERVICE_CHILD", "service_child", SVC_AGE_COLS, 1500, svc_row_child, svc_inject_age},
    {20, "SERVICE_INDICATION", "service_indication", "code,name,pattern_id,pattern,kp,note", 5000,
     svc_row_indication, svc_inject_indication},
    {21, "SERVICE_DEPT", "service_dept", "code,name,dept,kp,note", 2000, svc_row_dept,
     svc_inject_dept},
    {22, "SERVICE_CARE_TYPE", "service_care_type", "code,name,care,emergency_ok,kp,note", 1500,
     svc_row_care, svc_inject_care},
    {23, "SERVICE_COURSE", "service_course", "code,name,max_days,kp,note", 1000, svc_row_course,
     svc_inject_course},
    {24, "SERVICE_FACILITY_LEVEL", "service_facility_level", "code,name,min_level,kp,note", 2000,
     svc_row_level, svc_inject_level},
    {25, "SERVICE_DUP_CHARGE", "service_dup_charge", SVC_PAIR_COLS, 9000, svc_row_dup,
     svc_inject_pair},
    {26, "SERVICE_UNBUNDLING", "service_unbundling", SVC_PAIR_COLS, 3000, svc_row_unbundling,
     svc_inject_pair},
    {27, "SERVICE_PER_DAY", "service_per_day", "code,name,unit,max_per_day,kp,note", 5000,
     svc_row_per_day, svc_inject_per_day},
    {28, "SERVICE_ANNUAL_CAP", "service_annual_cap", "code,name,max_amount,kp,note", 600,
     svc_row_annual_cap, svc_inject_annual_cap},
    {29, "SERVICE_AGE", "service_age", SVC_AGE_COLS, 1000, svc_row_age, svc_inject_age},
    {30, "SERVICE_CONSUMABLE", "service_consumable", SVC_PAIR_COLS, 3000,
     svc_row_service_consumable, svc_inject_pair},
    {31, "SERVICE_PERIOD", "service_period", "code,name,period_days,max_in_period,kp,note", 1000,
     svc_row_period, svc_inject_period},
    {33, "CONSUMABLE_CHILD", "consumable_child", SVC_AGE_COLS, 1500, svc_row_consumable_child,
     svc_inject_age},
    {0},
};
