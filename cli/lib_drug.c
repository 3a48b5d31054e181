/* lib_drug.c — library row generators and violation injectors of the 12
 * drug-policy categories (seq 1-10, 12, 13): see docs/categories.md and
 * docs/claims-generator.md.  All rows are synthetic. */
#include <stdio.h>
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

/* A drug code (western 3 of 4, patent 1 of 4) and name into the first two
 * cells. */
static int drug_key(LibGen *g, char cells[][LIB_CELL]) {
    LibRng *r = lib_gen_rng(g);
    char code[LIB_CODE_MAX];
    if (lib_gen_code(g, lib_rng_chance(r, 750) ? LIB_WESTERN : LIB_PATENT, code)) return -1;
    snprintf(cells[0], LIB_CELL, "%s", code);
    drug_name(r, cells[1], LIB_CELL);
    return 0;
}

/* Adds a drug line for the key cell of row i of t; returns its line number. */
static int add_drug(LibInject *x, LibClaim *c, const LibTable *t, size_t i, int64_t days) {
    char code[LIB_CODE_MAX];
    lib_key_code(x, lib_cell(t, i, "code"), code);
    LibLine *l = lib_add_line(c, code, "drug", lib_cell(t, i, "name"), 1, 2350);
    if (!l) return 0;
    l->days_supply = days;
    return l->line_no;
}

/* ---- 1 DRUG_WORK_INJURY, 2 DRUG_MATERNITY: code,name,insurance,kp,note */

static int row_work_injury(LibGen *g, size_t i, char cells[][LIB_CELL]) {
    (void)i;
    if (drug_key(g, cells)) return -1;
    snprintf(cells[2], LIB_CELL, "work_injury");
    return 0;
}

static int inject_insurance(LibInject *x, LibClaim *c, int *line_no) {
    const LibTable *t = lib_table(x, NULL);
    if (!t) return lib_inject_error(x, "the library has no %s rows", lib_inject_category(x)->table);
    size_t i = lib_pick_row(x, t);
    if (strcmp(c->insurance_type, lib_cell(t, i, "insurance")) == 0) return 1;
    *line_no = add_drug(x, c, t, i, 3);
    return *line_no ? 0 : 1;
}

const LibCategory lib_drug_categories[] = {
    {1, "DRUG_WORK_INJURY", "drug_work_injury", "code,name,insurance,kp,note", 1500,
     row_work_injury, inject_insurance},
    {0},
};
