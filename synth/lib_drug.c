/* lib_drug.c — library row generators and violation injectors of the 12
 * drug-policy categories (seq 1-10, 12, 13): see docs/categories.md and
 * docs/claims-generator.md.  All rows are synthetic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "library.h"

/* Synthetic drug names: a stem and a dosage form. */
static const char *const STEM[] = {"阿莫", "头孢", "奥美", "硝苯", "氨氯", "瑞舒", "二甲", "格列",
                                   "厄贝", "缬沙", "替米", "美托", "比索", "氯吡", "利伐", "达比",
                                   "布地", "孟鲁", "左西", "氯雷", "帕罗", "舍曲", "喹硫", "奥氮",
                                   "卡马", "丙戊", "拉莫", "加巴", "普瑞", "塞来"};
static const char *const MID[] = {"西林", "替丁", "拉唑", "地平", "他汀", "双胍", "齐特",
                                  "沙坦", "洛尔", "格雷", "沙班", "加群", "奈德", "司特",
                                  "利嗪", "他定", "西汀", "曲林", "平",   "西平", "酸钠",
                                  "嗪",   "喷丁", "巴林", "昔布"};
static const char *const FORM[] = {"片",   "胶囊",     "缓释片", "分散片",   "注射液",
                                   "颗粒", "口服溶液", "肠溶片", "干混悬剂", "软胶囊"};

static void drug_name(LibRng *r, char *buf, size_t cap) {
    snprintf(buf, cap, "%s%s%s", lib_rng_pick(r, STEM, sizeof STEM / sizeof *STEM),
             lib_rng_pick(r, MID, sizeof MID / sizeof *MID),
             lib_rng_pick(r, FORM, sizeof FORM / sizeof *FORM));
}

/* A drug code (western 3 of 4, patent 1 of 4; a prefix key covering one
 * drug and form for prefix_permille of the rows) and a name into cells 0-1. */
static int drug_key(LibGen *g, char cells[][LIB_CELL], unsigned prefix_permille) {
    LibRng *r = lib_gen_rng(g);
    char code[LIB_CODE_MAX];
    LibCodeKind k = lib_rng_chance(r, 750) ? LIB_WESTERN : LIB_PATENT;
    if (lib_rng_chance(r, prefix_permille) ? lib_gen_prefix(g, k, code) : lib_gen_code(g, k, code))
        return -1;
    snprintf(cells[0], LIB_CELL, "%s", code);
    drug_name(r, cells[1], LIB_CELL);
    return 0;
}

static const char *const HERBS[] = {"冬虫夏草", "西洋参", "鹿茸",   "海马",     "玛咖",   "红参",
                                    "燕窝",     "三七粉", "川贝母", "阿胶",     "天麻",   "灵芝",
                                    "铁皮石斛", "血竭",   "藏红花", "羚羊角粉", "珍珠粉", "蛤蚧"};

static int herb_key(LibGen *g, char cells[][LIB_CELL]) {
    char code[LIB_CODE_MAX];
    if (lib_gen_code(g, LIB_HERB, code)) return -1;
    snprintf(cells[0], LIB_CELL, "%s", code);
    snprintf(cells[1], LIB_CELL, "%s",
             lib_rng_pick(lib_gen_rng(g), HERBS, sizeof HERBS / sizeof *HERBS));
    return 0;
}

/* Adds a drug line for the key cell of row i of t; returns its line number
 * (0 when the claim is full). */
static int add_drug(LibInject *x, LibClaim *c, const LibTable *t, size_t i, int64_t days) {
    char code[LIB_CODE_MAX];
    lib_key_code(x, lib_cell(t, i, "code"), code);
    LibLine *l = lib_add_line(c, code, "drug", lib_cell(t, i, "name"),
                              lib_rng_range(lib_inject_rng(x), 1, 3), 1850);
    if (!l) return 0;
    l->days_supply = days;
    return l->line_no;
}

#define ROW_OR_FAIL(t, i)                                                                          \
    const LibTable *t = lib_own_table(x);                                                          \
    if (!t) return -1;                                                                             \
    size_t i = lib_pick_row(x, t)

/* ---- 1 DRUG_WORK_INJURY, 2 DRUG_MATERNITY: code,name,insurance,kp,note */

static int row_work_injury(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (drug_key(g, cells, 150)) return -1;
    snprintf(cells[2], LIB_CELL, "work_injury");
    return 0;
}

static int row_maternity(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (drug_key(g, cells, 150)) return -1;
    snprintf(cells[2], LIB_CELL, "maternity");
    return 0;
}

static int inject_insurance(LibInject *x, LibClaim *c, int *line_no) {
    ROW_OR_FAIL(t, i);
    if (strcmp(c->insurance_type, lib_cell(t, i, "insurance")) == 0)
        c->insurance_type = lib_rng_chance(lib_inject_rng(x), 500) ? "employee" : "resident";
    *line_no = add_drug(x, c, t, i, 3);
    return *line_no ? 0 : 1;
}

/* ---- 3 HERB_EXCLUDED, 4 HERB_SINGLE: code,name,kp,note */

static int row_herb(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    return herb_key(g, cells);
}

static int inject_herb(LibInject *x, LibClaim *c, int *line_no) {
    ROW_OR_FAIL(t, i);
    if (!strcmp(c->care_type, "pharmacy") || !strcmp(c->care_type, "internet")) return 1;
    LibLine *l = lib_add_line(c, lib_cell(t, i, "code"), "herb", lib_cell(t, i, "name"),
                              lib_rng_range(lib_inject_rng(x), 5, 30), 120);
    if (!l) return 1;
    snprintf(l->rx_group, sizeof l->rx_group, "G1");
    *line_no = l->line_no;
    return 0;
}

/* ---- 5 DRUG_SECOND_LINE: code,name,first_line_code,first_line_name,kp,note */

static int row_second_line(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (drug_key(g, cells, 0)) return -1;
    char p[LIB_CODE_MAX];
    if (lib_gen_prefix(g, LIB_WESTERN, p)) return -1;
    p[strlen(p) - 1] = 0; /* stored without the '%' */
    snprintf(cells[2], LIB_CELL, "%s", p);
    drug_name(lib_gen_rng(g), cells[3], LIB_CELL);
    return 0;
}

static int inject_second_line(LibInject *x, LibClaim *c, int *line_no) {
    ROW_OR_FAIL(t, i);
    *line_no = add_drug(x, c, t, i, 5);
    return *line_no ? 0 : 1;
}

/* ---- 6 DRUG_NEWBORN, 7 DRUG_CHILD: code,name,min_age,age_under,max_age_days,kp,note */

static int row_newborn(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (drug_key(g, cells, 100)) return -1;
    snprintf(cells[4], LIB_CELL, "28");
    return 0;
}

static int row_child(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (drug_key(g, cells, 150)) return -1;
    LibRng *r = lib_gen_rng(g);
    unsigned p = (unsigned)lib_rng_below(r, 100);
    if (p < 10) {
        snprintf(cells[2], LIB_CELL, "1");
        snprintf(cells[3], LIB_CELL, "15");
    } else
        snprintf(cells[3], LIB_CELL, "%d", p < 65 ? 18 : p < 85 ? 14 : p < 95 ? 12 : 6);
    return 0;
}

static int inject_age(LibInject *x, LibClaim *c, int *line_no) {
    ROW_OR_FAIL(t, i);
    int64_t lo = lib_cell_int(t, i, "min_age"), under = lib_cell_int(t, i, "age_under"),
            days = lib_cell_int(t, i, "max_age_days"), age = lib_claim_age(c);
    LibWant w;
    lib_want_init(&w);
    if (under != LIB_NONE && age < under) {
        w.min_age = under;
        lib_rebuild(x, c, &w);
    } else if (under == LIB_NONE && lo != LIB_NONE && age >= lo) {
        if (lo < 1) return -1;
        w.max_age = lo - 1;
        w.min_age = 0;
        lib_rebuild(x, c, &w);
    } else if (days != LIB_NONE && age < 1) {
        w.min_age = 1;
        lib_rebuild(x, c, &w);
    }
    *line_no = add_drug(x, c, t, i, 3);
    return *line_no ? 0 : 1;
}

/* ---- 8 DRUG_INDICATION: code,name,pattern_id,pattern,kp,note */

static int row_indication(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    if (drug_key(g, cells, 0)) return -1;
    LibRng *r = lib_gen_rng(g);
    size_t nt;
    const char *const *terms = lib_terms(&nt);
    int k = 1 + (int)lib_rng_below(r, 3), pick[3];
    size_t len = 0;
    snprintf(cells[2], LIB_CELL, "%zu", i + 1);
    len += (size_t)snprintf(cells[3] + len, LIB_CELL - len, "(");
    for (int j = 0; j < k; j++) {
        int v, dup;
        do {
            v = (int)lib_rng_below(r, nt);
            dup = 0;
            for (int q = 0; q < j; q++) dup |= pick[q] == v;
        } while (dup);
        pick[j] = v;
        len += (size_t)snprintf(cells[3] + len, LIB_CELL - len, "%s%s", j ? "|" : "", terms[v]);
    }
    snprintf(cells[3] + len, LIB_CELL - len, ")");
    return 0;
}

/* Whether text contains one of the alternatives of "(a|b|c)". */
static int matches_alt(const char *pattern, const char *text) {
    char buf[LIB_CELL];
    snprintf(buf, sizeof buf, "%s", pattern[0] == '(' ? pattern + 1 : pattern);
    size_t n = strlen(buf);
    if (n && buf[n - 1] == ')') buf[n - 1] = 0;
    for (char *tok = buf, *bar; tok; tok = bar ? bar + 1 : NULL) {
        bar = strchr(tok, '|');
        if (bar) *bar = 0;
        if (*tok && strstr(text, tok)) return 1;
    }
    return 0;
}

static int inject_indication(LibInject *x, LibClaim *c, int *line_no) {
    ROW_OR_FAIL(t, i);
    const char *pat = lib_cell(t, i, "pattern");
    size_t nt;
    const char *const *terms = lib_terms(&nt);
    for (int d = 0; d < c->ndiags; d++) {
        if (!matches_alt(pat, c->diags[d].name)) continue;
        const char *term;
        do term = terms[lib_rng_below(lib_inject_rng(x), nt)];
        while (matches_alt(pat, term));
        snprintf(c->diags[d].name, sizeof c->diags[d].name, "%s", term);
    }
    *line_no = add_drug(x, c, t, i, 5);
    return *line_no ? 0 : 1;
}

/* ---- 9 DRUG_MAX_DAYS, 10 DRUG_COURSE: code,name,max_days,kp,note */

static int row_max_days(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    static const int D[] = {3, 5, 7, 7, 7, 14, 15, 20, 28, 30, 30, 35};
    if (drug_key(g, cells, 150)) return -1;
    snprintf(cells[2], LIB_CELL, "%d", D[lib_rng_below(lib_gen_rng(g), 12)]);
    return 0;
}

static int inject_max_days(LibInject *x, LibClaim *c, int *line_no) {
    ROW_OR_FAIL(t, i);
    int64_t m = lib_cell_int(t, i, "max_days");
    if (m == LIB_NONE) return -1;
    *line_no = add_drug(x, c, t, i, m + lib_rng_range(lib_inject_rng(x), 1, m));
    return *line_no ? 0 : 1;
}

static int row_course(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    static const int D[] = {10, 14, 20, 30, 30, 60, 90, 90, 120, 180};
    if (drug_key(g, cells, 0)) return -1;
    snprintf(cells[2], LIB_CELL, "%d", D[lib_rng_below(lib_gen_rng(g), 10)]);
    return 0;
}

/* An earlier claim supplies d1 <= max days of the drug, d1 to d1 + 30 days
 * before (so no frequent-purchase finding); this claim's line takes the total
 * over the limit. */
static int inject_course(LibInject *x, LibClaim *c, int *line_no) {
    ROW_OR_FAIL(t, i);
    LibRng *r = lib_inject_rng(x);
    int64_t m = lib_cell_int(t, i, "max_days");
    if (m == LIB_NONE || m < 2) return -1;
    int64_t d1 = m - lib_rng_range(r, 0, m / 3), d2 = m - d1 + lib_rng_range(r, 1, 10);
    int gap = (int)(d1 + lib_rng_range(r, 1, 30));
    LibClaim *e = lib_earlier(x, c, gap, NULL);
    if (!e) return 1;
    char code[LIB_CODE_MAX];
    lib_key_code(x, lib_cell(t, i, "code"), code);
    LibLine *l = lib_add_line(e, code, "drug", lib_cell(t, i, "name"), 2, 1850);
    LibLine *k = lib_add_line(c, code, "drug", lib_cell(t, i, "name"), 1, 1850);
    if (!l || !k) return 1;
    l->days_supply = d1;
    k->days_supply = d2;
    *line_no = k->line_no;
    return 0;
}

/* ---- 12 DRUG_FACILITY_LEVEL: code,name,min_level,kp,note */

static int row_facility(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (drug_key(g, cells, 150)) return -1;
    snprintf(cells[2], LIB_CELL, "%d", lib_rng_chance(lib_gen_rng(g), 600) ? 2 : 3);
    return 0;
}

static int inject_facility(LibInject *x, LibClaim *c, int *line_no) {
    ROW_OR_FAIL(t, i);
    int64_t lvl = lib_cell_int(t, i, "min_level");
    if (lvl == LIB_NONE || lvl < 2) return -1;
    if (c->facility_level == LIB_NONE || c->facility_level >= lvl) {
        LibWant w;
        lib_want_init(&w);
        w.care_type = lib_rng_chance(lib_inject_rng(x), 800) ? "outpatient" : "inpatient";
        w.facility_level = lib_rng_range(lib_inject_rng(x), 1, lvl - 1);
        lib_rebuild(x, c, &w);
    }
    *line_no = add_drug(x, c, t, i, 3);
    return *line_no ? 0 : 1;
}

/* ---- 13 DRUG_CARE_TYPE: code,name,care,emergency_ok,kp,note */

static int row_care(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (drug_key(g, cells, 150)) return -1;
    LibRng *r = lib_gen_rng(g);
    snprintf(cells[2], LIB_CELL, "%s", lib_rng_chance(r, 850) ? "inpatient" : "chronic_outpatient");
    snprintf(cells[3], LIB_CELL, "%s", lib_rng_chance(r, 300) ? "true" : "false");
    return 0;
}

static int inject_care(LibInject *x, LibClaim *c, int *line_no) {
    ROW_OR_FAIL(t, i);
    const char *care = lib_cell(t, i, "care");
    if (strcmp(c->care_type, care) == 0 || strstr(c->dept, "急诊")) {
        LibWant w;
        lib_want_init(&w);
        w.care_type = strcmp(care, "outpatient") ? "outpatient" : "inpatient";
        lib_rebuild(x, c, &w);
    }
    *line_no = add_drug(x, c, t, i, 3);
    return *line_no ? 0 : 1;
}

const LibCategory lib_drug_categories[] = {
    {1, "DRUG_WORK_INJURY", "drug_work_injury", "code,name,insurance,kp,note", 1500,
     row_work_injury, inject_insurance},
    {2, "DRUG_MATERNITY", "drug_maternity", "code,name,insurance,kp,note", 800, row_maternity,
     inject_insurance},
    {3, "HERB_EXCLUDED", "herb_excluded", "code,name,kp,note", 1200, row_herb, inject_herb},
    {4, "HERB_SINGLE", "herb_single", "code,name,kp,note", 2500, row_herb, inject_herb},
    {5, "DRUG_SECOND_LINE", "drug_second_line", "code,name,first_line_code,first_line_name,kp,note",
     3000, row_second_line, inject_second_line},
    {6, "DRUG_NEWBORN", "drug_newborn", "code,name,min_age,age_under,max_age_days,kp,note", 600,
     row_newborn, inject_age},
    {7, "DRUG_CHILD", "drug_child", "code,name,min_age,age_under,max_age_days,kp,note", 2500,
     row_child, inject_age},
    {8, "DRUG_INDICATION", "drug_indication", "code,name,pattern_id,pattern,kp,note", 29000,
     row_indication, inject_indication},
    {9, "DRUG_MAX_DAYS", "drug_max_days", "code,name,max_days,kp,note", 6000, row_max_days,
     inject_max_days},
    {10, "DRUG_COURSE", "drug_course", "code,name,max_days,kp,note", 3000, row_course,
     inject_course},
    {12, "DRUG_FACILITY_LEVEL", "drug_facility_level", "code,name,min_level,kp,note", 4000,
     row_facility, inject_facility},
    {13, "DRUG_CARE_TYPE", "drug_care_type", "code,name,care,emergency_ok,kp,note", 3000, row_care,
     inject_care},
    {0},
};
