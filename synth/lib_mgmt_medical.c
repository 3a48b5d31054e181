/* lib_mgmt_medical.c — library row generators and violation injectors of the
 * 17 management (35, 36, 39, 42, 46, 47, 49, 50, 51, 54, 55) and medical
 * (65, 67, 69, 74, 75, 81) categories: see docs/categories.md and
 * docs/claims-generator.md.  All rows are synthetic.  Categories without a
 * table (35, 36, 42, 46, 49, 50, 51) only inject: they break one consistency
 * rule of the claim, or add earlier claims of the same person. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "library.h"

#define MM_DAY 86400
#define MM_HOUR 3600
#define MM_NELEM(a) (sizeof(a) / sizeof *(a))

/* ------------------------------------------------------------- helpers */

static const char *const MM_STEM[] = {
    "氨氯", "缬沙", "二甲", "阿托", "瑞格", "氯吡", "华法", "克拉", "西地", "氟西", "曲马", "胺碘",
    "地高", "奥美", "左氧", "地西", "咪达", "吗啡", "哌替", "芬太", "丁丙", "艾司", "劳拉", "唑吡"};
static const char *const MM_MID[] = {"地平", "沙坦", "双胍", "他汀", "列奈", "格雷", "林钠", "霉素",
                                     "那非", "汀",   "多",   "酮",   "辛",   "拉唑", "沙星", "泮",
                                     "唑仑", "啡",   "啶",   "尼",   "诺啡", "西泮", "坦"};
static const char *const MM_FORM[] = {"片",   "胶囊",   "缓释片", "注射液", "颗粒",
                                      "滴剂", "肠溶片", "口服液", "贴剂",   "软胶囊"};

static void mm_drug_name(LibRng *r, char *buf, size_t cap) {
    snprintf(buf, cap, "%s%s%s", lib_rng_pick(r, MM_STEM, MM_NELEM(MM_STEM)),
             lib_rng_pick(r, MM_MID, MM_NELEM(MM_MID)),
             lib_rng_pick(r, MM_FORM, MM_NELEM(MM_FORM)));
}

/* A drug code (western 3 of 4, patent 1 of 4; a prefix key for
 * prefix_permille of the rows) into buf. */
static int mm_drug_code(LibGen *g, char *buf, unsigned prefix_permille) {
    LibRng *r = lib_gen_rng(g);
    LibCodeKind k = lib_rng_chance(r, 750) ? LIB_WESTERN : LIB_PATENT;
    return lib_rng_chance(r, prefix_permille) ? lib_gen_prefix(g, k, buf) : lib_gen_code(g, k, buf);
}

/* Cells 0-1: a drug key and a name. */
static int mm_drug_key(LibGen *g, char cells[][LIB_CELL], unsigned prefix_permille) {
    char code[LIB_CODE_MAX];
    if (mm_drug_code(g, code, prefix_permille)) return -1;
    snprintf(cells[0], LIB_CELL, "%s", code);
    mm_drug_name(lib_gen_rng(g), cells[1], LIB_CELL);
    return 0;
}

static const char *const MM_HERBS[] = {
    "甘草",   "甘遂",   "京大戟", "海藻",   "芫花", "制川乌", "制草乌", "附子",
    "法半夏", "瓜蒌",   "川贝母", "浙贝母", "白蔹", "白及",   "藜芦",   "人参",
    "丹参",   "玄参",   "苦参",   "细辛",   "白芍", "赤芍",   "丁香",   "郁金",
    "巴豆",   "牵牛子", "芒硝",   "三棱",   "肉桂", "赤石脂", "五灵脂", "水银"};

static const char *const MM_F_SERVICES[] = {"经阴道B超检查",  "阴道分泌物检查", "宫颈活检术",
                                            "宫颈细胞学检查", "产前检查",       "阴道镜检查",
                                            "宫腔镜检查",     "乳腺钼靶摄影",   "输卵管通液术"};
static const char *const MM_M_SERVICES[] = {
    "前列腺特异性抗原测定", "前列腺液常规检查", "前列腺按摩",        "精液常规检查",
    "阴囊B超检查",          "睾丸活检术",       "经尿道前列腺电切术"};
static const char *const MM_F_PROCS[] = {"经腹全子宫切除术", "卵巢囊肿剥除术",     "输卵管结扎术",
                                         "子宫肌瘤剔除术",   "低位子宫下段剖宫产", "刮宫术"};
static const char *const MM_M_PROCS[] = {"经尿道前列腺电切术", "根治性前列腺切除术", "睾丸切除术",
                                         "包皮环切术",         "输精管结扎术",       "鞘膜翻转术"};
static const char *const MM_F_DIAGS[] = {"子宫平滑肌瘤", "卵巢囊肿", "宫颈恶性肿瘤", "阴道炎",
                                         "月经过多",     "单胎顺产", "妊娠期高血压"};
static const char *const MM_M_DIAGS[] = {"前列腺增生", "前列腺恶性肿瘤", "鞘膜积液",
                                         "睾丸炎",     "附睾炎",         "男性不育"};

#define MM_ROW_OR_FAIL(t, i)                                                                       \
    const LibTable *t = lib_own_table(x);                                                          \
    if (!t) return -1;                                                                             \
    size_t i = lib_pick_row(x, t)

/* Adds a line of `kind` for the key cell of row i of t; NULL when full. */
static LibLine *mm_add_row_line(LibInject *x, LibClaim *c, const LibTable *t, size_t i,
                                const char *kind, int64_t unit_price) {
    char code[LIB_CODE_MAX];
    lib_key_code(x, lib_cell(t, i, "code"), code);
    return lib_add_line(c, code, kind, lib_cell(t, i, "name"),
                        lib_rng_range(lib_inject_rng(x), 1, 3), unit_price);
}

/* Whether the care type is an outpatient visit at a facility. */
static int mm_is_outpatient(const LibClaim *c) {
    return !strcmp(c->care_type, "outpatient") || !strcmp(c->care_type, "chronic_outpatient");
}

/* Rebuilds c as a base claim of this care type when it has another. */
static void mm_want_care(LibInject *x, LibClaim *c, const char *care) {
    if (strcmp(c->care_type, care) == 0) return;
    LibWant w;
    lib_want_init(&w);
    w.care_type = care;
    lib_rebuild(x, c, &w);
}

/* Rebuilds c with a patient of the other sex than `sex` ('M'/'F') when
 * needed (unknown sex is not judged). */
static void mm_other_sex(LibInject *x, LibClaim *c, char sex) {
    char want = sex == 'M' ? 'F' : 'M';
    if (c->sex == want) return;
    LibWant w;
    lib_want_init(&w);
    w.sex = want;
    lib_rebuild(x, c, &w);
}

/* Rebuilds c so that the patient's age breaks the AGE columns of row i
 * (min_age, age_under, max_age_days); -1 when the row has no limit. */
static int mm_break_age(LibInject *x, LibClaim *c, const LibTable *t, size_t i) {
    int64_t lo = lib_cell_int(t, i, "min_age"), under = lib_cell_int(t, i, "age_under"),
            days = lib_cell_int(t, i, "max_age_days"), age = lib_claim_age(c);
    LibWant w;
    lib_want_init(&w);
    if (under != LIB_NONE) {
        if (age >= under) return 0;
        w.min_age = under;
        w.max_age = under + 60;
    } else if (lo != LIB_NONE && lo >= 1) {
        if (age < lo) return 0;
        w.min_age = 0;
        w.max_age = lo - 1;
    } else if (days != LIB_NONE) {
        if (age >= 1) return 0;
        w.min_age = 1;
    } else
        return lib_inject_error(x, "%s row %zu has no age limit", t->name, i + 1);
    lib_rebuild(x, c, &w);
    return 0;
}

/* Cells 2-4 of an AGE table (min_age, age_under, max_age_days). */
static void mm_age_cells(LibRng *r, char cells[][LIB_CELL], int newborn_permille) {
    unsigned p = (unsigned)lib_rng_below(r, 1000);
    if (p < (unsigned)newborn_permille)
        snprintf(cells[4], LIB_CELL, "28");
    else if (p < (unsigned)newborn_permille + 100) {
        snprintf(cells[2], LIB_CELL, "1");
        snprintf(cells[3], LIB_CELL, "15");
    } else {
        static const int U[] = {18, 18, 18, 14, 14, 12, 6};
        snprintf(cells[3], LIB_CELL, "%d", U[lib_rng_below(r, MM_NELEM(U))]);
    }
}

/* ------------------------------------------ 35 CLAIM_INFO (no table) */

/* No diagnosis is the main one. */
static int inject_claim_info(LibInject *x, LibClaim *c, int *line_no) {
    (void)x;
    if (c->ndiags == 0) return 1;
    for (int d = 0; d < c->ndiags; d++) c->diags[d].is_main = 0;
    *line_no = 0;
    return 0;
}

/* ------------------------------------------- 36 LINE_INFO (no table) */

/* A line whose amount is not unit_price * quantity (its quantity 0, or its
 * amount off by 0.50-20.00); the claim total follows the lines. */
static int inject_line_info(LibInject *x, LibClaim *c, int *line_no) {
    if (c->nlines == 0) return 1;
    LibRng *r = lib_inject_rng(x);
    LibLine *l = &c->lines[lib_rng_below(r, (uint64_t)c->nlines)];
    if (lib_rng_chance(r, 300) && l->unit_price > 0)
        l->quantity = 0; /* amount stays: both LINE_INFO.1 and .2 */
    else
        l->amount += 50 * lib_rng_range(r, 1, 40);
    *line_no = l->line_no;
    return 0;
}

/* ------------------------------------ 39 PROCEDURE_SEX: code,name,sex,kp,note */

static int row_procedure_sex(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    LibRng *r = lib_gen_rng(g);
    char code[LIB_CODE_MAX];
    if (i % 50 == 0 ? lib_gen_prefix(g, LIB_PROC, code) : lib_gen_code(g, LIB_PROC, code))
        return -1;
    int male = lib_rng_chance(r, 450);
    snprintf(cells[0], LIB_CELL, "%s", code);
    snprintf(cells[1], LIB_CELL, "%s",
             male ? lib_rng_pick(r, MM_M_PROCS, MM_NELEM(MM_M_PROCS))
                  : lib_rng_pick(r, MM_F_PROCS, MM_NELEM(MM_F_PROCS)));
    snprintf(cells[2], LIB_CELL, "%s", male ? "M" : "F");
    return 0;
}

static int inject_procedure_sex(LibInject *x, LibClaim *c, int *line_no) {
    MM_ROW_OR_FAIL(t, i);
    mm_other_sex(x, c, lib_cell(t, i, "sex")[0]);
    if (c->nprocs >= LIB_MAX_PROCS) return 1;
    LibProc *p = &c->procs[c->nprocs++];
    memset(p, 0, sizeof *p);
    lib_key_code(x, lib_cell(t, i, "code"), p->code);
    p->date = lib_date_of(lib_claim_ref_time(c));
    p->is_main = c->nprocs == 1;
    p->incision_group = LIB_NONE;
    *line_no = 0;
    return 0;
}

/* ------------------------------------- 42 FEE_OUTSIDE_STAY (no table) */

/* An inpatient service line dated 1-3 days after discharge or before
 * admission. */
static int inject_fee_outside_stay(LibInject *x, LibClaim *c, int *line_no) {
    mm_want_care(x, c, "inpatient");
    if (c->admit_time == LIB_NONE || c->discharge_time == LIB_NONE) return 1;
    LibRng *r = lib_inject_rng(x);
    char code[LIB_CODE_MAX];
    lib_neutral_code(x, LIB_SERVICE, code);
    LibLine *l = lib_add_line(c, code, "service", "静脉输液", 1, 1200);
    if (!l) return 1;
    int64_t day = lib_rng_chance(r, 700) ? lib_date_of(c->discharge_time) + lib_rng_range(r, 1, 3)
                                         : lib_date_of(c->admit_time) - lib_rng_range(r, 1, 3);
    l->time = day * MM_DAY + lib_rng_range(r, 8 * MM_HOUR, 18 * MM_HOUR);
    *line_no = l->line_no;
    return 0;
}

/* ------------------------------------------ 46 DRUG_KINDS (no table) */

static int mm_has_drug_code(const LibClaim *c, const char *code) {
    for (int k = 0; k < c->nlines; k++)
        if (!strcmp(c->lines[k].item_kind, "drug") && !strcmp(c->lines[k].item_code, code))
            return 1;
    return 0;
}

static int mm_drug_kinds(const LibClaim *c) {
    int n = 0;
    for (int k = 0; k < c->nlines; k++) {
        if (strcmp(c->lines[k].item_kind, "drug")) continue;
        int first = 1;
        for (int j = 0; j < k; j++)
            if (!strcmp(c->lines[j].item_kind, "drug") &&
                !strcmp(c->lines[j].item_code, c->lines[k].item_code))
                first = 0;
        n += first;
    }
    return n;
}

/* An outpatient claim with 6-8 distinct (neutral) drugs. */
static int inject_drug_kinds(LibInject *x, LibClaim *c, int *line_no) {
    if (!mm_is_outpatient(c)) mm_want_care(x, c, "outpatient");
    LibRng *r = lib_inject_rng(x);
    int target = (int)lib_rng_range(r, 6, 8);
    for (int tries = 0; mm_drug_kinds(c) < target && tries < 200; tries++) {
        char code[LIB_CODE_MAX], name[LIB_TEXT];
        lib_neutral_code(x, lib_rng_chance(r, 750) ? LIB_WESTERN : LIB_PATENT, code);
        if (mm_has_drug_code(c, code)) continue;
        mm_drug_name(r, name, sizeof name);
        LibLine *l = lib_add_line(c, code, "drug", name, lib_rng_range(r, 1, 3), 600 + 150 * tries);
        if (!l) return 1;
        l->days_supply = lib_rng_range(r, 3, 7);
    }
    if (mm_drug_kinds(c) <= 5) return 1;
    *line_no = 0;
    return 0;
}

/* ---------------------------------- 47 INTERNET_DRUG: code,name,care,kp,note */

static int row_internet_drug(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (mm_drug_key(g, cells, 150)) return -1;
    snprintf(cells[2], LIB_CELL, "%s",
             lib_rng_chance(lib_gen_rng(g), 850) ? "internet" : "pharmacy");
    return 0;
}

static int inject_internet_drug(LibInject *x, LibClaim *c, int *line_no) {
    MM_ROW_OR_FAIL(t, i);
    mm_want_care(x, c, lib_cell(t, i, "care"));
    LibLine *l = mm_add_row_line(x, c, t, i, "drug", 2350);
    if (!l) return 1;
    l->days_supply = 5;
    *line_no = l->line_no;
    return 0;
}

/* ------------------------------------- 49 SPLIT_ADMISSION (history) */

/* An inpatient stay discharged 1-15 days before this admission. */
static int inject_split_admission(LibInject *x, LibClaim *c, int *line_no) {
    mm_want_care(x, c, "inpatient");
    LibWant w;
    lib_want_init(&w);
    w.care_type = "inpatient";
    LibClaim *e = lib_earlier(x, c, (int)lib_rng_range(lib_inject_rng(x), 1, 15), &w);
    if (!e) return 1;
    *line_no = 0;
    return 0;
}

/* ------------------------------------- 50 FREQUENT_VISITS (history) */

/* Three earlier outpatient visits 1-6 days before this one. */
static int inject_frequent_visits(LibInject *x, LibClaim *c, int *line_no) {
    mm_want_care(x, c, "outpatient");
    LibRng *r = lib_inject_rng(x);
    int d1 = (int)lib_rng_range(r, 1, 2), d2 = d1 + (int)lib_rng_range(r, 1, 2),
        d3 = d2 + (int)lib_rng_range(r, 1, 2);
    int days[3] = {d3, d2, d1};
    for (int k = 0; k < 3; k++)
        if (!lib_earlier(x, c, days[k], NULL)) return 1;
    *line_no = 0;
    return 0;
}

/* ----------------------------------- 51 FREQUENT_PURCHASE (history) */

/* A drug of this claim bought 1-10 days earlier (pharmacy) with a 21-60 day
 * supply. */
static int inject_frequent_purchase(LibInject *x, LibClaim *c, int *line_no) {
    LibRng *r = lib_inject_rng(x);
    LibLine *l = NULL;
    for (int k = 0; k < c->nlines && !l; k++)
        if (!strcmp(c->lines[k].item_kind, "drug")) l = &c->lines[k];
    if (!l) {
        char code[LIB_CODE_MAX], name[LIB_TEXT];
        lib_neutral_code(x, LIB_WESTERN, code);
        mm_drug_name(r, name, sizeof name);
        l = lib_add_line(c, code, "drug", name, 1, 1280);
        if (!l) return 1;
        l->days_supply = 7;
    }
    LibWant w;
    lib_want_init(&w);
    w.care_type = "pharmacy";
    LibClaim *e = lib_earlier(x, c, (int)lib_rng_range(r, 1, 10), &w);
    if (!e) return 1;
    LibLine *p = lib_add_line(e, l->item_code, "drug", l->item_name, 2, l->unit_price);
    if (!p) return 1;
    p->days_supply = lib_rng_range(r, 21, 60);
    *line_no = l->line_no;
    return 0;
}

/* ---------------------------------------- 54 DIAG_SEX: code,name,sex,kp,note */

static int row_diag_sex(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    LibRng *r = lib_gen_rng(g);
    char code[LIB_CODE_MAX];
    if (i % 25 == 0 ? lib_gen_prefix(g, LIB_DIAG, code) : lib_gen_code(g, LIB_DIAG, code))
        return -1;
    int male = lib_rng_chance(r, 400);
    snprintf(cells[0], LIB_CELL, "%s", code);
    snprintf(cells[1], LIB_CELL, "%s",
             male ? lib_rng_pick(r, MM_M_DIAGS, MM_NELEM(MM_M_DIAGS))
                  : lib_rng_pick(r, MM_F_DIAGS, MM_NELEM(MM_F_DIAGS)));
    snprintf(cells[2], LIB_CELL, "%s", male ? "M" : "F");
    return 0;
}

/* Adds a secondary diagnosis for the key of row i. */
static int mm_add_row_diag(LibInject *x, LibClaim *c, const LibTable *t, size_t i) {
    char code[LIB_CODE_MAX];
    lib_key_code(x, lib_cell(t, i, "code"), code);
    return lib_add_diag(c, code, lib_cell(t, i, "name"), c->ndiags == 0) ? 0 : 1;
}

static int inject_diag_sex(LibInject *x, LibClaim *c, int *line_no) {
    MM_ROW_OR_FAIL(t, i);
    mm_other_sex(x, c, lib_cell(t, i, "sex")[0]);
    *line_no = 0;
    return mm_add_row_diag(x, c, t, i);
}

/* ---------------- 55 DIAG_AGE: code,name,min_age,age_under,max_age_days,kp,note */

static int row_diag_age(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    LibRng *r = lib_gen_rng(g);
    char code[LIB_CODE_MAX];
    if (i % 25 == 0 ? lib_gen_prefix(g, LIB_DIAG, code) : lib_gen_code(g, LIB_DIAG, code))
        return -1;
    snprintf(cells[0], LIB_CELL, "%s", code);
    size_t nt;
    const char *const *terms = lib_terms(&nt);
    unsigned p = (unsigned)lib_rng_below(r, 100);
    if (p < 25) { /* neonatal */
        snprintf(cells[1], LIB_CELL, "新生儿%s", terms[lib_rng_below(r, nt)]);
        snprintf(cells[4], LIB_CELL, "28");
    } else if (p < 50) { /* childhood */
        snprintf(cells[1], LIB_CELL, "小儿%s", terms[lib_rng_below(r, nt)]);
        snprintf(cells[3], LIB_CELL, "%d", p < 40 ? 14 : 18);
    } else if (p < 75) { /* reproductive age */
        snprintf(cells[1], LIB_CELL, "妊娠合并%s", terms[lib_rng_below(r, nt)]);
        snprintf(cells[2], LIB_CELL, "12");
        snprintf(cells[3], LIB_CELL, "56");
    } else { /* old age */
        snprintf(cells[1], LIB_CELL, "老年性%s", terms[lib_rng_below(r, nt)]);
        snprintf(cells[2], LIB_CELL, "%d", p < 90 ? 40 : 60);
    }
    return 0;
}

static int inject_diag_age(LibInject *x, LibClaim *c, int *line_no) {
    MM_ROW_OR_FAIL(t, i);
    if (mm_break_age(x, c, t, i)) return -1;
    *line_no = 0;
    return mm_add_row_diag(x, c, t, i);
}

/* ------- 65 DRUG_CHILD_ONLY: code,name,min_age,age_under,max_age_days,kp,note */

static int row_drug_child_only(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (mm_drug_key(g, cells, 150)) return -1;
    mm_age_cells(lib_gen_rng(g), cells, 80);
    return 0;
}

static int inject_drug_child_only(LibInject *x, LibClaim *c, int *line_no) {
    MM_ROW_OR_FAIL(t, i);
    if (mm_break_age(x, c, t, i)) return -1;
    LibLine *l = mm_add_row_line(x, c, t, i, "drug", 1580);
    if (!l) return 1;
    l->days_supply = 3;
    *line_no = l->line_no;
    return 0;
}

/* ---------------------------- 67 DRUG_SEX, 81 SERVICE_SEX: code,name,sex,kp,note */

static int row_drug_sex(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (mm_drug_key(g, cells, 150)) return -1;
    snprintf(cells[2], LIB_CELL, "%s", lib_rng_chance(lib_gen_rng(g), 400) ? "M" : "F");
    return 0;
}

static int inject_drug_sex(LibInject *x, LibClaim *c, int *line_no) {
    MM_ROW_OR_FAIL(t, i);
    mm_other_sex(x, c, lib_cell(t, i, "sex")[0]);
    LibLine *l = mm_add_row_line(x, c, t, i, "drug", 4100);
    if (!l) return 1;
    l->days_supply = 7;
    *line_no = l->line_no;
    return 0;
}

static int row_service_sex(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    LibRng *r = lib_gen_rng(g);
    char code[LIB_CODE_MAX];
    if (lib_gen_code(g, LIB_SERVICE, code)) return -1;
    int male = lib_rng_chance(r, 400);
    snprintf(cells[0], LIB_CELL, "%s", code);
    snprintf(cells[1], LIB_CELL, "%s",
             male ? lib_rng_pick(r, MM_M_SERVICES, MM_NELEM(MM_M_SERVICES))
                  : lib_rng_pick(r, MM_F_SERVICES, MM_NELEM(MM_F_SERVICES)));
    snprintf(cells[2], LIB_CELL, "%s", male ? "M" : "F");
    return 0;
}

static int inject_service_sex(LibInject *x, LibClaim *c, int *line_no) {
    MM_ROW_OR_FAIL(t, i);
    char want = lib_cell(t, i, "sex")[0] == 'M' ? 'F' : 'M';
    if (!strcmp(c->care_type, "pharmacy") || c->sex != want) {
        LibWant w;
        lib_want_init(&w);
        w.sex = want;
        w.care_type = strcmp(c->care_type, "pharmacy") ? c->care_type : "outpatient";
        lib_rebuild(x, c, &w);
    }
    return lib_injected(mm_add_row_line(x, c, t, i, "service", 4500), line_no);
}

/* ----------------------------------------- 69 DUPLICATE_RX: code,name,kp,note */

static int row_duplicate_rx(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    return mm_drug_key(g, cells, 150);
}

/* Two lines of the drug, the second 0-10 days into the first one's 14-60
 * day supply; the second is flagged. */
static int inject_duplicate_rx(LibInject *x, LibClaim *c, int *line_no) {
    MM_ROW_OR_FAIL(t, i);
    LibRng *r = lib_inject_rng(x);
    LibLine *a = mm_add_row_line(x, c, t, i, "drug", 2650);
    if (!a) return 1;
    a->days_supply = lib_rng_range(r, 14, 60);
    LibLine *b = lib_add_line(c, a->item_code, "drug", a->item_name, a->quantity, a->unit_price);
    if (!b) return 1;
    b->days_supply = a->days_supply;
    /* inpatient: keep the second line inside the stay */
    int64_t later = c->discharge_time != LIB_NONE ? lib_rng_range(r, 0, 10) * MM_DAY : 0;
    if (c->discharge_time != LIB_NONE && a->time + later > c->discharge_time) later = 0;
    b->time = a->time + later;
    *line_no = b->line_no;
    return 0;
}

/* ---- 74 DRUG_INTERACTION, 75 HERB_INCOMPATIBLE: code,name,with_code,with_name,kp,note */

static int row_drug_interaction(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (mm_drug_key(g, cells, 100)) return -1;
    char w[LIB_CODE_MAX];
    if (mm_drug_code(g, w, 0)) return -1;
    snprintf(cells[2], LIB_CELL, "%s", w);
    mm_drug_name(lib_gen_rng(g), cells[3], LIB_CELL);
    return 0;
}

static int row_herb_incompatible(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    LibRng *r = lib_gen_rng(g);
    char a[LIB_CODE_MAX], b[LIB_CODE_MAX];
    if (lib_gen_code(g, LIB_HERB, a) || lib_gen_code(g, LIB_HERB, b)) return -1;
    size_t p = lib_rng_below(r, MM_NELEM(MM_HERBS)), q;
    do q = lib_rng_below(r, MM_NELEM(MM_HERBS));
    while (q == p);
    snprintf(cells[0], LIB_CELL, "%s", a);
    snprintf(cells[1], LIB_CELL, "%s", MM_HERBS[p]);
    snprintf(cells[2], LIB_CELL, "%s", b);
    snprintf(cells[3], LIB_CELL, "%s", MM_HERBS[q]);
    return 0;
}

/* The row's item and its partner (with_code) on the same day; the row's
 * line is flagged. */
static int mm_inject_pair(LibInject *x, LibClaim *c, int *line_no, const char *kind) {
    MM_ROW_OR_FAIL(t, i);
    int herb = !strcmp(kind, "herb");
    if (herb && (!strcmp(c->care_type, "pharmacy") || !strcmp(c->care_type, "internet")))
        mm_want_care(x, c, "outpatient");
    LibLine *a = mm_add_row_line(x, c, t, i, kind, herb ? 120 : 1850);
    if (!a) return 1;
    LibLine *b = lib_add_line(c, lib_cell(t, i, "with_code"), kind, lib_cell(t, i, "with_name"),
                              a->quantity, herb ? 90 : 1320);
    if (!b) return 1;
    b->time = a->time + 600;
    if (herb) {
        snprintf(a->rx_group, sizeof a->rx_group, "G1");
        snprintf(b->rx_group, sizeof b->rx_group, "G1");
    } else
        a->days_supply = b->days_supply = 3;
    *line_no = a->line_no;
    return 0;
}

static int inject_drug_interaction(LibInject *x, LibClaim *c, int *line_no) {
    return mm_inject_pair(x, c, line_no, "drug");
}

static int inject_herb_incompatible(LibInject *x, LibClaim *c, int *line_no) {
    return mm_inject_pair(x, c, line_no, "herb");
}

/* ------------------------------------------------------------ registry */

#define MM_AGE_COLS "code,name,min_age,age_under,max_age_days,kp,note"
#define MM_SEX_COLS "code,name,sex,kp,note"
#define MM_PAIR_COLS "code,name,with_code,with_name,kp,note"

const LibCategory lib_mgmt_medical_categories[] = {
    {35, "CLAIM_INFO", NULL, NULL, 0, NULL, inject_claim_info},
    {36, "LINE_INFO", NULL, NULL, 0, NULL, inject_line_info},
    {39, "PROCEDURE_SEX", "procedure_sex", MM_SEX_COLS, 800, row_procedure_sex,
     inject_procedure_sex},
    {42, "FEE_OUTSIDE_STAY", NULL, NULL, 0, NULL, inject_fee_outside_stay},
    {46, "DRUG_KINDS", NULL, NULL, 0, NULL, inject_drug_kinds},
    {47, "INTERNET_DRUG", "internet_drug", "code,name,care,kp,note", 2500, row_internet_drug,
     inject_internet_drug},
    {49, "SPLIT_ADMISSION", NULL, NULL, 0, NULL, inject_split_admission},
    {50, "FREQUENT_VISITS", NULL, NULL, 0, NULL, inject_frequent_visits},
    {51, "FREQUENT_PURCHASE", NULL, NULL, 0, NULL, inject_frequent_purchase},
    {54, "DIAG_SEX", "diag_sex", MM_SEX_COLS, 2000, row_diag_sex, inject_diag_sex},
    {55, "DIAG_AGE", "diag_age", MM_AGE_COLS, 2500, row_diag_age, inject_diag_age},
    {65, "DRUG_CHILD_ONLY", "drug_child_only", MM_AGE_COLS, 4000, row_drug_child_only,
     inject_drug_child_only},
    {67, "DRUG_SEX", "drug_sex", MM_SEX_COLS, 6000, row_drug_sex, inject_drug_sex},
    {69, "DUPLICATE_RX", "duplicate_rx", "code,name,kp,note", 2000, row_duplicate_rx,
     inject_duplicate_rx},
    {74, "DRUG_INTERACTION", "drug_interaction", MM_PAIR_COLS, 6000, row_drug_interaction,
     inject_drug_interaction},
    {75, "HERB_INCOMPATIBLE", "herb_incompatible", MM_PAIR_COLS, 500, row_herb_incompatible,
     inject_herb_incompatible},
    {81, "SERVICE_SEX", "service_sex", MM_SEX_COLS, 2500, row_service_sex, inject_service_sex},
    {0},
};
