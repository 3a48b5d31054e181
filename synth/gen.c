/* gen.c — the deterministic synthetic claim generator (`arbiter gen claims`).
 *
 * Everything written here is synthetic.  A claim is built from a hashed
 * population of persons, a fixed set of facilities and departments, a list of
 * about 70 clinical conditions (national-style ICD-10 codes) and a catalog of
 * about 340 items (drugs, herbal pieces, services, consumables) with national
 * code formats, Chinese names, prices and restriction attributes.  Claims are
 * built clean (every line respects every catalog restriction), then natural
 * anomalies are injected at known low rates, each breaking exactly one
 * restriction.  Output is JSON Lines or four CSV files.
 *
 * Determinism: one xoshiro256** stream seeded from the options drives all
 * choices; persons are derived by hashing (seed, person number); there is no
 * clock, locale or floating point, and money is int64 cents.  Memory is flat:
 * one claim is built, written and forgotten at a time (the only carried state
 * is a bounded queue of planned re-admissions).
 *
 * Layout: PRNG and calendar; the item catalog; the condition (diagnosis)
 * table; generator state and initialisation; persons, facilities and the
 * timeline; building lines for each care type; anomaly injection; JSON and
 * CSV writers; the public functions. */
#include "gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "scalar.h"

/* ------------------------------------------------------------------------ */
/* PRNG: splitmix64 for seeding and hashing, xoshiro256** for the stream.   */

typedef struct Rng {
    uint64_t s[4];
} Rng;

static uint64_t mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

static void rng_seed(Rng *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        x += 0x9E3779B97F4A7C15ull;
        r->s[i] = mix64(x);
    }
}

static uint64_t rng_next(Rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n) for n <= 2^32 (multiply-shift, no division). */
static uint32_t rng_below(Rng *r, uint32_t n) {
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi] (inclusive); lo when hi <= lo. */
static int64_t rng_range(Rng *r, int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    return lo + (int64_t)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* 1 with probability p/1000. */
static int rng_pm(Rng *r, unsigned p) {
    return rng_below(r, 1000) < p;
}

/* ------------------------------------------------------------------------ */
/* Calendar: days since 1970-01-01 <-> civil dates (proleptic Gregorian).    */

#define DAY 86400
#define HOUR 3600
#define MINUTE 60

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Whole years from birth day to day (the schema's age_years). */
static int age_years(int64_t birth, int64_t day) {
    int64_t by, y;
    unsigned bm, bd, m, d;
    civil_from_days(birth, &by, &bm, &bd);
    civil_from_days(day, &y, &m, &d);
    return (int)(y - by - (m < bm || (m == bm && d < bd)));
}

/* ------------------------------------------------------------------------ */
/* Item classes (GenItem.cls): the generator draws items of a class with     */
/* Zipf-like popularity by their order in the catalog.                       */

/* clang-format off */
enum {
    C_NONE,
    C_CARDIO, C_CARDIO_IV, C_DIAB, C_THYROID, C_RESP, C_ABX, C_ABX_IV, C_GI, C_GI_IV,
    C_ANALG, C_ANALG_IV, C_FLUID, C_NEURO, C_NEURO_IV, C_ONCO, C_ONCO_PO, C_OBGYN,
    C_OBGYN_IV, C_URO, C_PED, C_ORTHO, C_ORTHO_IV, C_TCM, C_TCM_IV, C_ALLERGY, C_EYE,
    C_RENAL, C_NUTRI, C_ANES_DRUG, C_INJURY, C_HERB,
    C_VISIT, C_VISIT_ER, C_VISIT_NET, C_VISIT_TCM, C_BED, C_NURSE, C_WARD, C_INJECT,
    C_TREAT, C_LAB, C_LAB_CARDIO, C_LAB_DIAB, C_LAB_THY, C_LAB_ONCO, C_SVC_F, C_SVC_PREG,
    C_SVC_M, C_SVC_PED, C_IMG, C_SURG, C_ANES, C_REHAB, C_TCM_SVC,
    C_CONS, C_CONS_SURG, C_CONS_IMPL, C_CONS_DIAL,
    C__COUNT
};
/* clang-format on */

/* ------------------------------------------------------------------------ */
/* The item catalog.  Codes follow the national formats; codes taken from    */
/* the NHSA knowledge points keep their real value, the others are           */
/* synthetic codes in the same format.  Prices are plausible list prices.    */

/* clang-format off */
static const GenItem CATALOG[] = {
    /* cardiovascular, oral */
    {.code = "XC08CAA888A001010103682", .name = "苯磺酸氨氯地平片", .kind = "drug", .price_cents = 480,
     .unit = "盒", .dose = "5mg", .frequency = "qd", .route = "口服", .pack_days = 28,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC10AAA853A001010104891", .name = "阿托伐他汀钙片", .kind = "drug", .price_cents = 760,
     .unit = "盒", .dose = "20mg", .frequency = "qn", .route = "口服", .pack_days = 28,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XB01ACA759A001010104614", .name = "阿司匹林肠溶片", .kind = "drug", .price_cents = 1550,
     .unit = "盒", .dose = "100mg", .frequency = "qd", .route = "口服", .pack_days = 30,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC08CAX159A001010104287", .name = "硝苯地平控释片", .kind = "drug", .price_cents = 1260,
     .unit = "盒", .dose = "30mg", .frequency = "qd", .route = "口服", .pack_days = 14,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC09CAX463E001010101522", .name = "缬沙坦胶囊", .kind = "drug", .price_cents = 1580,
     .unit = "盒", .dose = "80mg", .frequency = "qd", .route = "口服", .pack_days = 28,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC10AAR231A001010100225", .name = "瑞舒伐他汀钙片", .kind = "drug", .price_cents = 650,
     .unit = "盒", .dose = "10mg", .frequency = "qn", .route = "口服", .pack_days = 28,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XB01ACL791A001010103046", .name = "硫酸氢氯吡格雷片", .kind = "drug", .price_cents = 2460,
     .unit = "盒", .dose = "75mg", .frequency = "qd", .route = "口服", .pack_days = 28,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC07ABM350A001010100971", .name = "酒石酸美托洛尔片", .kind = "drug", .price_cents = 350,
     .unit = "盒", .dose = "25mg", .frequency = "bid", .route = "口服", .pack_days = 10,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC09CAE337A001010104729", .name = "厄贝沙坦片", .kind = "drug", .price_cents = 820,
     .unit = "盒", .dose = "150mg", .frequency = "qd", .route = "口服", .pack_days = 28,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC01DAD585A001010100856", .name = "单硝酸异山梨酯缓释片", .kind = "drug", .price_cents = 2890,
     .unit = "盒", .dose = "40mg", .frequency = "qd", .route = "口服", .pack_days = 24,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC01DAX535A001010100096", .name = "硝酸甘油片", .kind = "drug", .price_cents = 1250,
     .unit = "瓶", .dose = "0.5mg", .frequency = "prn", .route = "舌下含服", .pack_days = 30,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC03DAL220A001010102934", .name = "螺内酯片", .kind = "drug", .price_cents = 980,
     .unit = "瓶", .dose = "20mg", .frequency = "qd", .route = "口服", .pack_days = 30,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC03CAF183A001010100253", .name = "呋塞米片", .kind = "drug", .price_cents = 550,
     .unit = "瓶", .dose = "20mg", .frequency = "qd", .route = "口服", .pack_days = 30,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC09DXS255A001010101606", .name = "沙库巴曲缬沙坦钠片", .kind = "drug", .price_cents = 8960,
     .unit = "盒", .dose = "100mg", .frequency = "bid", .route = "口服", .pack_days = 7,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XC01AAD129A001010100285", .name = "地高辛片", .kind = "drug", .price_cents = 1120,
     .unit = "瓶", .dose = "0.125mg", .frequency = "qd", .route = "口服", .pack_days = 30,
     .daily_units = 1, .cls = C_CARDIO},
    {.code = "XB01AFL383A001010101767", .name = "利伐沙班片", .kind = "drug", .price_cents = 1190,
     .unit = "盒", .dose = "10mg", .frequency = "qd", .route = "口服", .pack_days = 10,
     .daily_units = 1, .max_days_supply = 35, .cls = C_CARDIO},
    {.code = "XB01AAH428A001010104329", .name = "华法林钠片", .kind = "drug", .price_cents = 980,
     .unit = "瓶", .dose = "2.5mg", .frequency = "qd", .route = "口服", .pack_days = 30,
     .daily_units = 1, .cls = C_CARDIO},
    /* cardiovascular, injections */
    {.code = "XB01ABY270B001010100857", .name = "依诺肝素钠注射液", .kind = "drug", .price_cents = 3250,
     .unit = "支", .dose = "4000AXaIU", .frequency = "qd", .route = "皮下注射", .pack_days = 1,
     .daily_units = 1, .cls = C_CARDIO_IV},
    {.code = "XC01DAD616B001010101889", .name = "注射用单硝酸异山梨酯", .kind = "drug", .price_cents = 1860,
     .unit = "支", .dose = "20mg", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_CARDIO_IV},
    {.code = "XC01EBC109B001010102049", .name = "注射用重组人脑利钠肽", .kind = "drug",
     .price_cents = 44800, .unit = "支", .dose = "0.5mg", .frequency = "qd", .route = "静脉滴注",
     .pack_days = 1, .daily_units = 1, .min_facility_level = 2, .cls = C_CARDIO_IV},
    {.code = "XB01ACT376B001010102089", .name = "盐酸替罗非班氯化钠注射液", .kind = "drug",
     .price_cents = 25500, .unit = "瓶", .dose = "5mg:100ml", .frequency = "qd", .route = "静脉滴注",
     .pack_days = 1, .daily_units = 1, .min_facility_level = 3, .cls = C_CARDIO_IV},
    /* diabetes */
    {.code = "XA10BAE352A001010104364", .name = "盐酸二甲双胍缓释片", .kind = "drug", .price_cents = 860,
     .unit = "盒", .dose = "0.5g", .frequency = "bid", .route = "口服", .pack_days = 15,
     .daily_units = 1, .cls = C_DIAB},
    {.code = "XA10BFA503A001010105624", .name = "阿卡波糖片", .kind = "drug", .price_cents = 1680,
     .unit = "盒", .dose = "50mg", .frequency = "tid", .route = "口服", .pack_days = 10,
     .daily_units = 1, .cls = C_DIAB},
    {.code = "XA10BBG131A001010100356", .name = "格列美脲片", .kind = "drug", .price_cents = 1030,
     .unit = "盒", .dose = "2mg", .frequency = "qd", .route = "口服", .pack_days = 30,
     .daily_units = 1, .cls = C_DIAB},
    {.code = "XA10ABM795B001010105395", .name = "门冬胰岛素注射液", .kind = "drug", .price_cents = 4290,
     .unit = "支", .dose = "3ml:300U", .frequency = "tid", .route = "皮下注射", .pack_days = 10,
     .daily_units = 1, .cls = C_DIAB},
    {.code = "XA10AEG554B001010102873", .name = "甘精胰岛素注射液", .kind = "drug", .price_cents = 7200,
     .unit = "支", .dose = "3ml:300U", .frequency = "qn", .route = "皮下注射", .pack_days = 20,
     .daily_units = 1, .cls = C_DIAB},
    {.code = "XA10BKD677A001010103141", .name = "达格列净片", .kind = "drug", .price_cents = 4380,
     .unit = "盒", .dose = "10mg", .frequency = "qd", .route = "口服", .pack_days = 14,
     .daily_units = 1, .cls = C_DIAB},
    {.code = "XA10BHX778A001010100735", .name = "磷酸西格列汀片", .kind = "drug", .price_cents = 2870,
     .unit = "盒", .dose = "100mg", .frequency = "qd", .route = "口服", .pack_days = 14,
     .daily_units = 1, .cls = C_DIAB},
    {.code = "XA10ADJ455B001010103052", .name = "精蛋白人胰岛素混合注射液(30R)", .kind = "drug",
     .price_cents = 2580, .unit = "支", .dose = "3ml:300U", .frequency = "bid", .route = "皮下注射",
     .pack_days = 10, .daily_units = 1, .cls = C_DIAB},
    {.code = "XA10BJD332B002010178403", .name = "度拉糖肽注射液", .kind = "drug", .price_cents = 29700,
     .unit = "支", .dose = "1.5mg", .frequency = "qw", .route = "皮下注射", .pack_days = 7,
     .daily_units = 1, .min_facility_level = 2, .cls = C_DIAB},
    /* thyroid */
    {.code = "XH03AAZ810A001010100616", .name = "左甲状腺素钠片", .kind = "drug", .price_cents = 2430,
     .unit = "盒", .dose = "50μg", .frequency = "qd", .route = "口服", .pack_days = 30,
     .daily_units = 1, .cls = C_THYROID},
    {.code = "XH03BBJ111A001010102453", .name = "甲巯咪唑片", .kind = "drug", .price_cents = 2150,
     .unit = "盒", .dose = "10mg", .frequency = "qd", .route = "口服", .pack_days = 30,
     .daily_units = 1, .cls = C_THYROID},
    {.code = "XH03BAB696A001010105580", .name = "丙硫氧嘧啶片", .kind = "drug", .price_cents = 1380,
     .unit = "瓶", .dose = "50mg", .frequency = "tid", .route = "口服", .pack_days = 30,
     .daily_units = 1, .cls = C_THYROID},
    /* respiratory */
    {.code = "XR05CBA186A001010105603", .name = "盐酸氨溴索片", .kind = "drug", .price_cents = 680,
     .unit = "盒", .dose = "30mg", .frequency = "tid", .route = "口服", .pack_days = 7,
     .daily_units = 1, .cls = C_RESP},
    {.code = "XR03DCM658A001010100346", .name = "孟鲁司特钠片", .kind = "drug", .price_cents = 1020,
     .unit = "盒", .dose = "10mg", .frequency = "qn", .route = "口服", .pack_days = 10,
     .daily_units = 1, .min_age = 15, .cls = C_RESP},
    {.code = "XR05CBY833A001010100784", .name = "乙酰半胱氨酸泡腾片", .kind = "drug", .price_cents = 2980,
     .unit = "盒", .dose = "600mg", .frequency = "qd", .route = "口服", .pack_days = 10,
     .daily_units = 1, .cls = C_RESP},
    {.code = "XR03ACS347L001010104089", .name = "硫酸沙丁胺醇吸入气雾剂", .kind = "drug",
     .price_cents = 2590, .unit = "瓶", .dose = "100μg", .frequency = "prn", .route = "吸入",
     .pack_days = 30, .daily_units = 1, .cls = C_RESP},
    {.code = "XR03BAB541X001010102778", .name = "吸入用布地奈德混悬液", .kind = "drug", .price_cents = 480,
     .unit = "支", .dose = "1mg", .frequency = "bid", .route = "雾化吸入", .pack_days = 1,
     .daily_units = 2, .cls = C_RESP},
    {.code = "XR03BBS559P001010104320", .name = "噻托溴铵粉吸入剂", .kind = "drug", .price_cents = 13800,
     .unit = "盒", .dose = "18μg", .frequency = "qd", .route = "吸入", .pack_days = 30,
     .daily_units = 1, .cls = C_RESP},
    {.code = "XR03DAF119E001010100259", .name = "复方甲氧那明胶囊", .kind = "drug", .price_cents = 3570,
     .unit = "盒", .dose = "2粒", .frequency = "tid", .route = "口服", .pack_days = 10,
     .daily_units = 1, .cls = C_RESP},
    {.code = "XR05DAF768K001010102570", .name = "复方可待因口服溶液", .kind = "drug", .price_cents = 2680,
     .unit = "瓶", .dose = "10ml", .frequency = "tid", .route = "口服", .pack_days = 5,
     .daily_units = 1, .max_days_supply = 7, .cls = C_RESP},
    /* antibiotics, oral */
    {.code = "XJ01CAA797E001010105925", .name = "阿莫西林胶囊", .kind = "drug", .price_cents = 560,
     .unit = "盒", .dose = "0.5g", .frequency = "tid", .route = "口服", .pack_days = 8,
     .daily_units = 1, .max_days_supply = 7, .cls = C_ABX},
    {.code = "XJ01DCT769E001010105223", .name = "头孢克洛胶囊", .kind = "drug", .price_cents = 1860,
     .unit = "盒", .dose = "0.25g", .frequency = "tid", .route = "口服", .pack_days = 4,
     .daily_units = 1, .max_days_supply = 7, .cls = C_ABX},
    {.code = "XJ01DCT632A001010103118", .name = "头孢呋辛酯片", .kind = "drug", .price_cents = 1720,
     .unit = "盒", .dose = "0.25g", .frequency = "bid", .route = "口服", .pack_days = 6,
     .daily_units = 1, .max_days_supply = 7, .cls = C_ABX},
    {.code = "XJ01FAA101A001010102456", .name = "阿奇霉素片", .kind = "drug", .price_cents = 1480,
     .unit = "盒", .dose = "0.25g", .frequency = "qd", .route = "口服", .pack_days = 6,
     .daily_units = 1, .max_days_supply = 5, .cls = C_ABX},
    {.code = "XJ01MAZ697A001010101659", .name = "左氧氟沙星片", .kind = "drug", .price_cents = 1350,
     .unit = "盒", .dose = "0.5g", .frequency = "qd", .route = "口服", .pack_days = 4,
     .daily_units = 1, .min_age = 18, .max_days_supply = 14, .cls = C_ABX},
    {.code = "XJ01XDJ853A001010101869", .name = "甲硝唑片", .kind = "drug", .price_cents = 380,
     .unit = "瓶", .dose = "0.2g", .frequency = "tid", .route = "口服", .pack_days = 7,
     .daily_units = 1, .max_days_supply = 7, .cls = C_ABX},
    /* antibiotics, injections */
    {.code = "XJ01DDT229B001010104807", .name = "注射用头孢曲松钠", .kind = "drug", .price_cents = 690,
     .unit = "瓶", .dose = "1g", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_ABX_IV},
    {.code = "XJ01DCT631B001010103649", .name = "注射用头孢呋辛钠", .kind = "drug", .price_cents = 920,
     .unit = "瓶", .dose = "1.5g", .frequency = "bid", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 2, .cls = C_ABX_IV},
    {.code = "XJ01MAZ288B002010100421", .name = "左氧氟沙星氯化钠注射液", .kind = "drug",
     .price_cents = 1560, .unit = "袋", .dose = "0.5g:100ml", .frequency = "qd", .route = "静脉滴注",
     .pack_days = 1, .daily_units = 1, .min_age = 18, .cls = C_ABX_IV},
    {.code = "XJ01CRP813B001010101892", .name = "注射用哌拉西林钠他唑巴坦钠", .kind = "drug",
     .price_cents = 2780, .unit = "瓶", .dose = "4.5g", .frequency = "q8h", .route = "静脉滴注",
     .pack_days = 1, .daily_units = 3, .cls = C_ABX_IV},
    {.code = "XJ01FAA189B001010101823", .name = "注射用阿奇霉素", .kind = "drug", .price_cents = 1680,
     .unit = "瓶", .dose = "0.5g", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_ABX_IV},
    {.code = "XJ01DHM114B001010101508", .name = "注射用美罗培南", .kind = "drug", .price_cents = 9830,
     .unit = "瓶", .dose = "0.5g", .frequency = "q8h", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 3, .min_facility_level = 3, .cls = C_ABX_IV},
    /* digestive, oral */
    {.code = "XA02BCA440E001010102193", .name = "奥美拉唑肠溶胶囊", .kind = "drug", .price_cents = 860,
     .unit = "盒", .dose = "20mg", .frequency = "qd", .route = "口服", .pack_days = 14,
     .daily_units = 1, .cls = C_GI},
    {.code = "XA07BCM881P001010101474", .name = "蒙脱石散", .kind = "drug", .price_cents = 1150,
     .unit = "盒", .dose = "3g", .frequency = "tid", .route = "口服", .pack_days = 3,
     .daily_units = 1, .cls = C_GI},
    {.code = "XA02ADL389A001010105088", .name = "铝碳酸镁咀嚼片", .kind = "drug", .price_cents = 1860,
     .unit = "盒", .dose = "0.5g", .frequency = "tid", .route = "口服", .pack_days = 7,
     .daily_units = 1, .cls = C_GI},
    {.code = "XA03FAM516A001010103533", .name = "枸橼酸莫沙必利片", .kind = "drug", .price_cents = 2380,
     .unit = "盒", .dose = "5mg", .frequency = "tid", .route = "口服", .pack_days = 8,
     .daily_units = 1, .cls = C_GI},
    {.code = "XA02BCL625A001010102879", .name = "雷贝拉唑钠肠溶片", .kind = "drug", .price_cents = 2350,
     .unit = "盒", .dose = "10mg", .frequency = "qd", .route = "口服", .pack_days = 14,
     .daily_units = 1, .cls = C_GI},
    {.code = "XA07FAS723E001010102677", .name = "双歧杆菌三联活菌胶囊", .kind = "drug", .price_cents = 2350,
     .unit = "盒", .dose = "420mg", .frequency = "bid", .route = "口服", .pack_days = 6,
     .daily_units = 1, .cls = C_GI},
    {.code = "XA03FAD360A001010100883", .name = "多潘立酮片", .kind = "drug", .price_cents = 1450,
     .unit = "盒", .dose = "10mg", .frequency = "tid", .route = "口服", .pack_days = 10,
     .daily_units = 1, .cls = C_GI},
    {.code = "XA06ADR759X001010103362", .name = "乳果糖口服溶液", .kind = "drug", .price_cents = 3280,
     .unit = "瓶", .dose = "15ml", .frequency = "qd", .route = "口服", .pack_days = 13,
     .daily_units = 1, .cls = C_GI},
    /* digestive, injections */
    {.code = "XA02BCP666B001010101291", .name = "注射用泮托拉唑钠", .kind = "drug", .price_cents = 1190,
     .unit = "瓶", .dose = "40mg", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_GI_IV},
    {.code = "XA02BCA550B001010104473", .name = "注射用奥美拉唑钠", .kind = "drug", .price_cents = 1050,
     .unit = "瓶", .dose = "40mg", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_GI_IV},
    /* analgesics, oral */
    {.code = "XM01AEB101E001010102233", .name = "布洛芬缓释胶囊", .kind = "drug", .price_cents = 1330,
     .unit = "盒", .dose = "0.3g", .frequency = "bid", .route = "口服", .pack_days = 10,
     .daily_units = 1, .max_days_supply = 7, .cls = C_ANALG},
    {.code = "XM01AEL607A001010102046", .name = "洛索洛芬钠片", .kind = "drug", .price_cents = 1360,
     .unit = "盒", .dose = "60mg", .frequency = "tid", .route = "口服", .pack_days = 7,
     .daily_units = 1, .cls = C_ANALG},
    {.code = "XN02BED670A001010102870", .name = "对乙酰氨基酚片", .kind = "drug", .price_cents = 320,
     .unit = "盒", .dose = "0.5g", .frequency = "prn", .route = "口服", .pack_days = 4,
     .daily_units = 1, .max_days_supply = 7, .cls = C_ANALG},
    {.code = "XM01ABS807A001010102641", .name = "双氯芬酸钠缓释片", .kind = "drug", .price_cents = 880,
     .unit = "盒", .dose = "75mg", .frequency = "qd", .route = "口服", .pack_days = 10,
     .daily_units = 1, .cls = C_ANALG},
    {.code = "XN02AXQ312A001010104359", .name = "盐酸曲马多缓释片", .kind = "drug", .price_cents = 2110,
     .unit = "盒", .dose = "0.1g", .frequency = "bid", .route = "口服", .pack_days = 5,
     .daily_units = 1, .max_days_supply = 7, .cls = C_ANALG},
    {.code = "XN02AAM022A010010100978", .name = "盐酸吗啡缓释片", .kind = "drug", .price_cents = 3850,
     .unit = "盒", .dose = "30mg", .frequency = "q12h", .route = "口服", .pack_days = 5,
     .daily_units = 1, .max_days_supply = 15, .cls = C_ANALG},
    /* analgesics, injections */
    {.code = "XM01AHP313B001010102594", .name = "注射用帕瑞昔布钠", .kind = "drug", .price_cents = 4500,
     .unit = "支", .dose = "40mg", .frequency = "q12h", .route = "静脉注射", .pack_days = 1,
     .daily_units = 2, .cls = C_ANALG_IV},
    {.code = "XN02ABD873B001010102986", .name = "地佐辛注射液", .kind = "drug", .price_cents = 3680,
     .unit = "支", .dose = "5mg:1ml", .frequency = "q12h", .route = "肌肉注射", .pack_days = 1,
     .daily_units = 2, .cls = C_ANALG_IV},
    /* infusion fluids (carriers) */
    {.code = "XB05XAL416B001010103172", .name = "0.9%氯化钠注射液", .kind = "drug", .price_cents = 290,
     .unit = "袋", .dose = "100ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_FLUID},
    {.code = "XB05BAP630B001010105329", .name = "5%葡萄糖注射液", .kind = "drug", .price_cents = 350,
     .unit = "袋", .dose = "250ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_FLUID},
    {.code = "XB05BBP156B001010103943", .name = "葡萄糖氯化钠注射液", .kind = "drug", .price_cents = 420,
     .unit = "袋", .dose = "500ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_FLUID},
    {.code = "XB05BBR570B001010103679", .name = "乳酸钠林格注射液", .kind = "drug", .price_cents = 690,
     .unit = "袋", .dose = "500ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_FLUID},
    {.code = "XB05XAJ745B001010101833", .name = "氯化钾注射液", .kind = "drug", .price_cents = 120,
     .unit = "支", .dose = "10ml:1.5g", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_FLUID},
    /* neurology, oral */
    {.code = "XB03BAJ654A001010104553", .name = "甲钴胺片", .kind = "drug", .price_cents = 2650,
     .unit = "盒", .dose = "0.5mg", .frequency = "tid", .route = "口服", .pack_days = 7,
     .daily_units = 1, .cls = C_NEURO},
    {.code = "XN05BAA528A001010102776", .name = "阿普唑仑片", .kind = "drug", .price_cents = 580,
     .unit = "盒", .dose = "0.4mg", .frequency = "qn", .route = "口服", .pack_days = 20,
     .daily_units = 1, .max_days_supply = 7, .cls = C_NEURO},
    {.code = "XN05CDA147A001010102586", .name = "艾司唑仑片", .kind = "drug", .price_cents = 410,
     .unit = "盒", .dose = "1mg", .frequency = "qn", .route = "口服", .pack_days = 20,
     .daily_units = 1, .max_days_supply = 7, .cls = C_NEURO},
    {.code = "XN06DAD312A001010103394", .name = "盐酸多奈哌齐片", .kind = "drug", .price_cents = 3260,
     .unit = "盒", .dose = "5mg", .frequency = "qn", .route = "口服", .pack_days = 7,
     .daily_units = 1, .cls = C_NEURO},
    {.code = "XN04BAD238A001010101765", .name = "多巴丝肼片", .kind = "drug", .price_cents = 6250,
     .unit = "瓶", .dose = "0.25g", .frequency = "tid", .route = "口服", .pack_days = 13,
     .daily_units = 1, .cls = C_NEURO},
    {.code = "XN07XXD130E002010102774", .name = "丁苯酞软胶囊", .kind = "drug", .price_cents = 10280,
     .unit = "盒", .dose = "0.2g", .frequency = "tid", .route = "口服", .pack_days = 8,
     .daily_units = 1, .max_days_supply = 20, .cls = C_NEURO},
    /* neurology, injections */
    {.code = "XN07XXT050B002010100239", .name = "天麻素注射液", .kind = "drug", .price_cents = 1580,
     .unit = "支", .dose = "0.2g:2ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 3, .cls = C_NEURO_IV},
    {.code = "XN07XXY289B001010105875", .name = "依达拉奉注射液", .kind = "drug", .price_cents = 2890,
     .unit = "支", .dose = "30mg:20ml", .frequency = "bid", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 2, .min_facility_level = 2, .cls = C_NEURO_IV},
    {.code = "XN07XXD221B002010102774", .name = "丁苯酞氯化钠注射液", .kind = "drug", .price_cents = 15800,
     .unit = "瓶", .dose = "25mg:100ml", .frequency = "bid", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 2, .cls = C_NEURO_IV},
    {.code = "XN05ADF622B001010104714", .name = "甘露醇注射液", .kind = "drug", .price_cents = 580,
     .unit = "瓶", .dose = "250ml", .frequency = "q8h", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 2, .cls = C_NEURO_IV},
    /* oncology, injections (chemotherapy restricted to 肿瘤科) */
    {.code = "XL01XAA321B001010105643", .name = "注射用奥沙利铂", .kind = "drug", .price_cents = 9860,
     .unit = "瓶", .dose = "50mg", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 3, .dept_only = "肿瘤科", .min_facility_level = 2, .cls = C_ONCO},
    {.code = "XL01CDZ583B001010100232", .name = "紫杉醇注射液", .kind = "drug", .price_cents = 18900,
     .unit = "瓶", .dose = "30mg:5ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 8, .dept_only = "肿瘤科", .cls = C_ONCO},
    {.code = "XL01XAS630B001010102668", .name = "注射用顺铂", .kind = "drug", .price_cents = 890,
     .unit = "瓶", .dose = "10mg", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 6, .dept_only = "肿瘤科", .cls = C_ONCO},
    {.code = "XA04AAA736B001010104750", .name = "盐酸昂丹司琼注射液", .kind = "drug", .price_cents = 690,
     .unit = "支", .dose = "8mg:4ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .cls = C_ONCO},
    {.code = "ZC01AAA0042010105549", .name = "艾迪注射液", .kind = "drug", .price_cents = 3650,
     .unit = "支", .dose = "10ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 5, .min_facility_level = 2, .cls = C_ONCO},
    /* oncology, oral */
    {.code = "XL01BCK592A001010103790", .name = "卡培他滨片", .kind = "drug", .price_cents = 4650,
     .unit = "盒", .dose = "1.5g", .frequency = "bid", .route = "口服", .pack_days = 2,
     .daily_units = 1, .max_days_supply = 14, .dept_only = "肿瘤科", .cls = C_ONCO_PO},
    {.code = "XL01EBJ651A001010104968", .name = "吉非替尼片", .kind = "drug", .price_cents = 54700,
     .unit = "盒", .dose = "0.25g", .frequency = "qd", .route = "口服", .pack_days = 10,
     .daily_units = 1, .max_days_supply = 30, .cls = C_ONCO_PO},
    {.code = "XL02BBB085A001010100662", .name = "比卡鲁胺片", .kind = "drug", .price_cents = 4100,
     .unit = "盒", .dose = "50mg", .frequency = "qd", .route = "口服", .pack_days = 28,
     .daily_units = 1, .sex_only = 'M', .cls = C_ONCO_PO},
    /* gynaecology (female only) */
    {.code = "XG01AFJ070A009010100150", .name = "甲硝唑阴道泡腾片", .kind = "drug", .price_cents = 1180,
     .unit = "盒", .dose = "0.2g", .frequency = "qn", .route = "阴道给药", .pack_days = 7,
     .daily_units = 1, .sex_only = 'F', .cls = C_OBGYN},
    {.code = "ZD02BAB0238010105763", .name = "保妇康栓", .kind = "drug", .price_cents = 3250,
     .unit = "盒", .dose = "1.74g", .frequency = "qn", .route = "阴道给药", .pack_days = 8,
     .daily_units = 1, .sex_only = 'F', .cls = C_OBGYN},
    {.code = "XG03DBD084A001010102180", .name = "地屈孕酮片", .kind = "drug", .price_cents = 8590,
     .unit = "盒", .dose = "10mg", .frequency = "bid", .route = "口服", .pack_days = 10,
     .daily_units = 1, .sex_only = 'F', .cls = C_OBGYN},
    {.code = "ZD01BAY0281010102715", .name = "益母草颗粒", .kind = "drug", .price_cents = 1580,
     .unit = "盒", .dose = "15g", .frequency = "bid", .route = "口服", .pack_days = 5,
     .daily_units = 1, .sex_only = 'F', .cls = C_OBGYN},
    {.code = "XG03CBJ409A001010101477", .name = "己烯雌酚片", .kind = "drug", .price_cents = 590,
     .unit = "瓶", .dose = "0.5mg", .frequency = "qd", .route = "口服", .pack_days = 30,
     .daily_units = 1, .sex_only = 'F', .cls = C_OBGYN},
    {.code = "ZD02BAG0212010105115", .name = "宫颈炎康栓", .kind = "drug", .price_cents = 2950,
     .unit = "盒", .dose = "2g", .frequency = "qn", .route = "阴道给药", .pack_days = 6,
     .daily_units = 1, .sex_only = 'F', .cls = C_OBGYN},
    {.code = "XG03XBM095A001010100225", .name = "米非司酮片", .kind = "drug", .price_cents = 2100,
     .unit = "盒", .dose = "25mg", .frequency = "bid", .route = "口服", .pack_days = 3,
     .daily_units = 1, .sex_only = 'F', .cls = C_OBGYN},
    /* obstetrics, injections (female only; some maternity only) */
    {.code = "XH01BBS194B002010100112", .name = "缩宫素注射液", .kind = "drug", .price_cents = 230,
     .unit = "支", .dose = "10U:1ml", .frequency = "qd", .route = "肌肉注射", .pack_days = 1,
     .daily_units = 1, .sex_only = 'F', .cls = C_OBGYN_IV},
    {.code = "XG03DAH124B002010101527", .name = "黄体酮注射液", .kind = "drug", .price_cents = 350,
     .unit = "支", .dose = "20mg:1ml", .frequency = "qd", .route = "肌肉注射", .pack_days = 1,
     .daily_units = 1, .sex_only = 'F', .cls = C_OBGYN_IV},
    {.code = "XG02ADK026B002010100568", .name = "卡前列素氨丁三醇注射液", .kind = "drug",
     .price_cents = 19800, .unit = "支", .dose = "250μg:1ml", .frequency = "qd", .route = "肌肉注射",
     .pack_days = 1, .daily_units = 1, .sex_only = 'F', .only_insurance = "maternity",
     .cls = C_OBGYN_IV},
    {.code = "XG02ADD082D003010179504", .name = "地诺前列酮栓", .kind = "drug", .price_cents = 46800,
     .unit = "枚", .dose = "10mg", .frequency = "qd", .route = "阴道给药", .pack_days = 1,
     .daily_units = 1, .sex_only = 'F', .only_insurance = "maternity", .cls = C_OBGYN_IV},
    /* urology (male only) */
    {.code = "XG04CAT340E001010104300", .name = "盐酸坦索罗辛缓释胶囊", .kind = "drug", .price_cents = 2190,
     .unit = "盒", .dose = "0.2mg", .frequency = "qn", .route = "口服", .pack_days = 10,
     .daily_units = 1, .sex_only = 'M', .cls = C_URO},
    {.code = "XG04CBF019A001010100030", .name = "非那雄胺片", .kind = "drug", .price_cents = 1350,
     .unit = "盒", .dose = "5mg", .frequency = "qd", .route = "口服", .pack_days = 10,
     .daily_units = 1, .sex_only = 'M', .cls = C_URO},
    {.code = "XG04CXP102A001020101575", .name = "普适泰片", .kind = "drug", .price_cents = 5860,
     .unit = "盒", .dose = "1片", .frequency = "bid", .route = "口服", .pack_days = 15,
     .daily_units = 1, .sex_only = 'M', .cls = C_URO},
    {.code = "XG04CBA088A001010101467", .name = "爱普列特片", .kind = "drug", .price_cents = 3790,
     .unit = "盒", .dose = "5mg", .frequency = "bid", .route = "口服", .pack_days = 10,
     .daily_units = 1, .sex_only = 'M', .cls = C_URO},
    {.code = "XG03BAB657B001010102019", .name = "丙酸睾酮注射液", .kind = "drug", .price_cents = 280,
     .unit = "支", .dose = "25mg:1ml", .frequency = "qw", .route = "肌肉注射", .pack_days = 7,
     .daily_units = 1, .sex_only = 'M', .cls = C_URO},
    /* paediatrics (children only, age_under) */
    {.code = "ZA01CAX0351010101453", .name = "小儿豉翘清热颗粒", .kind = "drug", .price_cents = 2980,
     .unit = "盒", .dose = "2g", .frequency = "tid", .route = "口服", .pack_days = 2,
     .daily_units = 1, .age_under = 18, .cls = C_PED},
    {.code = "XM01AEB466X001010104314", .name = "布洛芬混悬液", .kind = "drug", .price_cents = 1280,
     .unit = "瓶", .dose = "5ml", .frequency = "prn", .route = "口服", .pack_days = 5,
     .daily_units = 1, .cls = C_PED},
    {.code = "XN02BEX085N001010100269", .name = "小儿氨酚黄那敏颗粒", .kind = "drug", .price_cents = 980,
     .unit = "盒", .dose = "1袋", .frequency = "tid", .route = "口服", .pack_days = 3,
     .daily_units = 1, .age_under = 14, .cls = C_PED},
    {.code = "ZA06CBX0358010103747", .name = "小儿肺热咳喘颗粒", .kind = "drug", .price_cents = 2650,
     .unit = "盒", .dose = "3g", .frequency = "tid", .route = "口服", .pack_days = 3,
     .daily_units = 1, .age_under = 18, .cls = C_PED},
    {.code = "XA07CAK250P001010104737", .name = "口服补液盐散(Ⅲ)", .kind = "drug", .price_cents = 180,
     .unit = "袋", .dose = "5.125g", .frequency = "bid", .route = "口服", .pack_days = 1,
     .daily_units = 2, .cls = C_PED},
    {.code = "ZA01CAX0347010101994", .name = "小儿柴桂退热颗粒", .kind = "drug", .price_cents = 2380,
     .unit = "盒", .dose = "5g", .frequency = "tid", .route = "口服", .pack_days = 2,
     .daily_units = 1, .age_under = 18, .cls = C_PED},
    {.code = "XA07XAX061N001010101521", .name = "消旋卡多曲颗粒", .kind = "drug", .price_cents = 2860,
     .unit = "盒", .dose = "10mg", .frequency = "tid", .route = "口服", .pack_days = 3,
     .daily_units = 1, .age_under = 18, .cls = C_PED},
    {.code = "XA12AXX128N001010101438", .name = "小儿碳酸钙D3颗粒", .kind = "drug", .price_cents = 2280,
     .unit = "盒", .dose = "1袋", .frequency = "qd", .route = "口服", .pack_days = 10,
     .daily_units = 1, .age_under = 18, .cls = C_PED},
    {.code = "XR03DCM082M002010104021", .name = "孟鲁司特钠口溶膜", .kind = "drug", .price_cents = 4680,
     .unit = "盒", .dose = "4mg", .frequency = "qn", .route = "口服", .pack_days = 7,
     .daily_units = 1, .min_age = 1, .age_under = 15, .cls = C_PED},
    {.code = "XM01AEX094D001010101792", .name = "小儿布洛芬栓", .kind = "drug", .price_cents = 1580,
     .unit = "盒", .dose = "50mg", .frequency = "prn", .route = "直肠给药", .pack_days = 5,
     .daily_units = 1, .age_under = 18, .cls = C_PED},
    {.code = "XN05CCS273K001010183361", .name = "水合氯醛糖浆", .kind = "drug", .price_cents = 860,
     .unit = "瓶", .dose = "0.5g/kg", .frequency = "st", .route = "口服", .pack_days = 1,
     .daily_units = 1, .age_under = 18, .cls = C_PED},
    /* orthopaedics, oral */
    {.code = "XM01AHS690E001010100604", .name = "塞来昔布胶囊", .kind = "drug", .price_cents = 1580,
     .unit = "盒", .dose = "0.2g", .frequency = "qd", .route = "口服", .pack_days = 6,
     .daily_units = 1, .cls = C_ORTHO},
    {.code = "XA12AXT441A001010105018", .name = "碳酸钙D3片", .kind = "drug", .price_cents = 2350,
     .unit = "瓶", .dose = "600mg", .frequency = "qd", .route = "口服", .pack_days = 30,
     .daily_units = 1, .cls = C_ORTHO},
    {.code = "XM01AXL270E001010105090", .name = "硫酸氨基葡萄糖胶囊", .kind = "drug", .price_cents = 3580,
     .unit = "盒", .dose = "0.5g", .frequency = "tid", .route = "口服", .pack_days = 8,
     .daily_units = 1, .cls = C_ORTHO},
    {.code = "XA11CCG394E001010100435", .name = "骨化三醇软胶囊", .kind = "drug", .price_cents = 1560,
     .unit = "盒", .dose = "0.25μg", .frequency = "qd", .route = "口服", .pack_days = 10,
     .daily_units = 1, .cls = C_ORTHO},
    {.code = "XM05BAA859A001010105664", .name = "阿仑膦酸钠片", .kind = "drug", .price_cents = 2380,
     .unit = "盒", .dose = "70mg", .frequency = "qw", .route = "口服", .pack_days = 28,
     .daily_units = 1, .cls = C_ORTHO},
    /* orthopaedics, injections */
    {.code = "XC05CAQ005B001010100526", .name = "注射用七叶皂苷钠", .kind = "drug", .price_cents = 3280,
     .unit = "支", .dose = "10mg", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 2, .cls = C_ORTHO_IV},
    /* Chinese patent medicines, oral */
    {.code = "ZA01BAL0946010103013", .name = "连花清瘟胶囊", .kind = "drug", .price_cents = 1480,
     .unit = "盒", .dose = "4粒", .frequency = "tid", .route = "口服", .pack_days = 2,
     .daily_units = 1, .max_days_supply = 7, .cls = C_TCM},
    {.code = "ZA12CAF0181010103886", .name = "复方丹参滴丸", .kind = "drug", .price_cents = 2560,
     .unit = "瓶", .dose = "10丸", .frequency = "tid", .route = "口服", .pack_days = 6,
     .daily_units = 1, .cls = C_TCM},
    {.code = "ZA12HAY0941010105670", .name = "银杏叶片", .kind = "drug", .price_cents = 1890,
     .unit = "盒", .dose = "1片", .frequency = "tid", .route = "口服", .pack_days = 8,
     .daily_units = 1, .cls = C_TCM},
    {.code = "ZA04BAB0668010104862", .name = "板蓝根颗粒", .kind = "drug", .price_cents = 1150,
     .unit = "盒", .dose = "10g", .frequency = "tid", .route = "口服", .pack_days = 6,
     .daily_units = 1, .max_days_supply = 7, .cls = C_TCM},
    {.code = "ZA12GAT0346010104665", .name = "通心络胶囊", .kind = "drug", .price_cents = 3350,
     .unit = "盒", .dose = "3粒", .frequency = "tid", .route = "口服", .pack_days = 3,
     .daily_units = 1, .cls = C_TCM},
    {.code = "ZA09AAL0309010105164", .name = "六味地黄丸", .kind = "drug", .price_cents = 1880,
     .unit = "瓶", .dose = "8丸", .frequency = "tid", .route = "口服", .pack_days = 5,
     .daily_units = 1, .cls = C_TCM},
    {.code = "ZA12AAS0610010103310", .name = "麝香保心丸", .kind = "drug", .price_cents = 3280,
     .unit = "盒", .dose = "2丸", .frequency = "tid", .route = "口服", .pack_days = 7,
     .daily_units = 1, .cls = C_TCM},
    {.code = "ZA01BAH0869010101802", .name = "藿香正气水", .kind = "drug", .price_cents = 850,
     .unit = "盒", .dose = "10ml", .frequency = "bid", .route = "口服", .pack_days = 5,
     .daily_units = 1, .max_days_supply = 7, .cls = C_TCM},
    {.code = "ZA07AAA0061010100166", .name = "安宫牛黄丸", .kind = "drug", .price_cents = 42800,
     .unit = "丸", .dose = "3g", .frequency = "qd", .route = "口服", .pack_days = 1,
     .daily_units = 1, .only_care = "inpatient", .cls = C_TCM},
    /* Chinese patent medicines, injections (facility level >= 2) */
    {.code = "ZA12CAD0073010100142", .name = "丹参注射液", .kind = "drug", .price_cents = 180,
     .unit = "支", .dose = "10ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 2, .min_facility_level = 2, .cls = C_TCM_IV},
    {.code = "ZA09HAC0101010102129", .name = "参麦注射液", .kind = "drug", .price_cents = 3250,
     .unit = "瓶", .dose = "50ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .min_facility_level = 2, .cls = C_TCM_IV},
    {.code = "ZA12HAZ0412010105156", .name = "注射用血栓通(冻干)", .kind = "drug", .price_cents = 4560,
     .unit = "支", .dose = "250mg", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 2, .min_facility_level = 2, .cls = C_TCM_IV},
    {.code = "ZA04CAT0019010100705", .name = "痰热清注射液", .kind = "drug", .price_cents = 5650,
     .unit = "支", .dose = "10ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 2, .min_facility_level = 2, .cls = C_TCM_IV},
    {.code = "ZA04BAX0048010105337", .name = "喜炎平注射液", .kind = "drug", .price_cents = 1580,
     .unit = "支", .dose = "50mg:2ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 2, .min_facility_level = 2, .cls = C_TCM_IV},
    /* allergy and dermatology */
    {.code = "XR06AXL463A001010103744", .name = "氯雷他定片", .kind = "drug", .price_cents = 1860,
     .unit = "盒", .dose = "10mg", .frequency = "qd", .route = "口服", .pack_days = 6,
     .daily_units = 1, .cls = C_ALLERGY},
    {.code = "XR06AEX511A001010105246", .name = "盐酸西替利嗪片", .kind = "drug", .price_cents = 1680,
     .unit = "盒", .dose = "10mg", .frequency = "qd", .route = "口服", .pack_days = 12,
     .daily_units = 1, .cls = C_ALLERGY},
    {.code = "XD07ACK709F001010100874", .name = "糠酸莫米松乳膏", .kind = "drug", .price_cents = 2450,
     .unit = "支", .dose = "适量", .frequency = "qd", .route = "外用", .pack_days = 14,
     .daily_units = 1, .cls = C_ALLERGY},
    {.code = "XH02ABD805B001010103546", .name = "地塞米松磷酸钠注射液", .kind = "drug", .price_cents = 65,
     .unit = "支", .dose = "5mg:1ml", .frequency = "st", .route = "肌肉注射", .pack_days = 1,
     .daily_units = 1, .cls = C_ALLERGY},
    /* ophthalmology */
    {.code = "XS01AEZ779G001010102686", .name = "左氧氟沙星滴眼液", .kind = "drug", .price_cents = 1680,
     .unit = "支", .dose = "1滴", .frequency = "qid", .route = "滴眼", .pack_days = 7,
     .daily_units = 1, .cls = C_EYE},
    {.code = "XS01XAB669G001010104545", .name = "玻璃酸钠滴眼液", .kind = "drug", .price_cents = 3250,
     .unit = "支", .dose = "1滴", .frequency = "tid", .route = "滴眼", .pack_days = 10,
     .daily_units = 1, .cls = C_EYE},
    {.code = "XS01CAT508G001010104435", .name = "妥布霉素地塞米松滴眼液", .kind = "drug",
     .price_cents = 2980, .unit = "支", .dose = "1滴", .frequency = "qid", .route = "滴眼",
     .pack_days = 7, .daily_units = 1, .cls = C_EYE},
    {.code = "XS01LAL328B002010104021", .name = "雷珠单抗注射液", .kind = "drug", .price_cents = 329000,
     .unit = "支", .dose = "0.5mg", .frequency = "st", .route = "玻璃体内注射", .pack_days = 30,
     .daily_units = 1, .dept_only = "眼科", .min_facility_level = 3, .cls = C_EYE},
    /* nephrology */
    {.code = "XB03XAC742B001010100398", .name = "重组人促红素注射液", .kind = "drug", .price_cents = 2350,
     .unit = "支", .dose = "3000IU", .frequency = "tiw", .route = "皮下注射", .pack_days = 2,
     .daily_units = 1, .cls = C_RENAL},
    {.code = "XV03AES332A001010100425", .name = "碳酸司维拉姆片", .kind = "drug", .price_cents = 9860,
     .unit = "瓶", .dose = "0.8g", .frequency = "tid", .route = "口服", .pack_days = 10,
     .daily_units = 1, .cls = C_RENAL},
    {.code = "XV06DDF762A001010100770", .name = "复方α-酮酸片", .kind = "drug", .price_cents = 11800,
     .unit = "瓶", .dose = "2.52g", .frequency = "tid", .route = "口服", .pack_days = 8,
     .daily_units = 1, .cls = C_RENAL},
    /* nutrition and plasma products (mostly inpatient only) */
    {.code = "XB05BAF150B002010100269", .name = "复方氨基酸注射液(18AA)", .kind = "drug",
     .price_cents = 2680, .unit = "瓶", .dose = "250ml", .frequency = "qd", .route = "静脉滴注",
     .pack_days = 1, .daily_units = 1, .only_care = "inpatient", .cls = C_NUTRI},
    {.code = "XB05BAZ032B002010100376", .name = "中/长链脂肪乳注射液(C8-24)", .kind = "drug",
     .price_cents = 8950, .unit = "瓶", .dose = "250ml", .frequency = "qd", .route = "静脉滴注",
     .pack_days = 1, .daily_units = 1, .only_care = "inpatient", .cls = C_NUTRI},
    {.code = "XB05AAR021B001010100348", .name = "人血白蛋白", .kind = "drug", .price_cents = 38600,
     .unit = "瓶", .dose = "10g:50ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 1, .only_care = "inpatient", .cls = C_NUTRI},
    {.code = "XA11GAW588B001010103478", .name = "维生素C注射液", .kind = "drug", .price_cents = 95,
     .unit = "支", .dose = "1g:5ml", .frequency = "qd", .route = "静脉滴注", .pack_days = 1,
     .daily_units = 2, .cls = C_NUTRI},
    {.code = "XA12BAL667A001010103721", .name = "氯化钾缓释片", .kind = "drug", .price_cents = 650,
     .unit = "盒", .dose = "0.5g", .frequency = "tid", .route = "口服", .pack_days = 8,
     .daily_units = 1, .cls = C_NUTRI},
    /* anaesthesia drugs */
    {.code = "XN01AXB620B001010105509", .name = "丙泊酚乳状注射液", .kind = "drug", .price_cents = 3580,
     .unit = "支", .dose = "0.2g:20ml", .frequency = "st", .route = "静脉注射", .pack_days = 1,
     .daily_units = 1, .cls = C_ANES_DRUG},
    {.code = "XN01BBL305B001010103693", .name = "盐酸利多卡因注射液", .kind = "drug", .price_cents = 85,
     .unit = "支", .dose = "0.1g:5ml", .frequency = "st", .route = "局部注射", .pack_days = 1,
     .daily_units = 1, .cls = C_ANES_DRUG},
    {.code = "XN01BBL101B001010102843", .name = "盐酸罗哌卡因注射液", .kind = "drug", .price_cents = 2380,
     .unit = "支", .dose = "0.1g:10ml", .frequency = "st", .route = "椎管内注射", .pack_days = 1,
     .daily_units = 1, .cls = C_ANES_DRUG},
    {.code = "XN01AHS091B002010101435", .name = "枸橼酸舒芬太尼注射液", .kind = "drug", .price_cents = 3980,
     .unit = "支", .dose = "50μg:1ml", .frequency = "st", .route = "静脉注射", .pack_days = 1,
     .daily_units = 1, .cls = C_ANES_DRUG},
    /* injuries (vaccines and scar cream: work-injury insurance only) */
    {.code = "XJ06BBP791B001010105797", .name = "破伤风人免疫球蛋白", .kind = "drug", .price_cents = 13800,
     .unit = "支", .dose = "250IU", .frequency = "st", .route = "肌肉注射", .pack_days = 1,
     .daily_units = 1, .cls = C_INJURY},
    {.code = "XJ07BGR030B001010101119", .name = "人用狂犬病疫苗(Vero细胞)", .kind = "drug",
     .price_cents = 9500, .unit = "支", .dose = "0.5ml", .frequency = "st", .route = "肌肉注射",
     .pack_days = 1, .daily_units = 1, .only_insurance = "work_injury", .cls = C_INJURY},
    {.code = "XJ07BGR077B001010179275", .name = "冻干人用狂犬病疫苗(人二倍体细胞)", .kind = "drug",
     .price_cents = 32800, .unit = "支", .dose = "1ml", .frequency = "st", .route = "肌肉注射",
     .pack_days = 1, .daily_units = 1, .only_insurance = "work_injury", .cls = C_INJURY},
    {.code = "ZH01AAB0066010100716", .name = "疤痕止痒软化膏", .kind = "drug", .price_cents = 2380,
     .unit = "支", .dose = "适量", .frequency = "bid", .route = "外用", .pack_days = 10,
     .daily_units = 1, .only_insurance = "work_injury", .cls = C_INJURY},
    {.code = "XL03AXX234B001010100568", .name = "注射用胸腺法新", .kind = "drug", .price_cents = 17800,
     .unit = "支", .dose = "1.6mg", .frequency = "biw", .route = "皮下注射", .pack_days = 3,
     .daily_units = 1, .only_insurance = "work_injury", .cls = C_INJURY},
    /* herbal pieces, priced per gram */
    {.code = "T001700556", .name = "黄芪", .kind = "herb", .price_cents = 8, .unit = "g",
     .dose = "15g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 15,
     .cls = C_HERB},
    {.code = "T001700144", .name = "当归", .kind = "herb", .price_cents = 22, .unit = "g",
     .dose = "10g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 10,
     .cls = C_HERB},
    {.code = "T001700448", .name = "党参", .kind = "herb", .price_cents = 18, .unit = "g",
     .dose = "12g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 12,
     .cls = C_HERB},
    {.code = "T001700086", .name = "茯苓", .kind = "herb", .price_cents = 6, .unit = "g",
     .dose = "15g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 15,
     .cls = C_HERB},
    {.code = "T001700764", .name = "白术", .kind = "herb", .price_cents = 9, .unit = "g",
     .dose = "12g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 12,
     .cls = C_HERB},
    {.code = "T001700674", .name = "炙甘草", .kind = "herb", .price_cents = 7, .unit = "g",
     .dose = "6g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 6,
     .cls = C_HERB},
    {.code = "T001200023", .name = "陈皮", .kind = "herb", .price_cents = 5, .unit = "g",
     .dose = "9g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 9,
     .cls = C_HERB},
    {.code = "T000700283", .name = "法半夏", .kind = "herb", .price_cents = 35, .unit = "g",
     .dose = "9g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 9,
     .cls = C_HERB},
    {.code = "T001500021", .name = "川芎", .kind = "herb", .price_cents = 10, .unit = "g",
     .dose = "10g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 10,
     .cls = C_HERB},
    {.code = "T001500564", .name = "白芍", .kind = "herb", .price_cents = 8, .unit = "g",
     .dose = "12g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 12,
     .cls = C_HERB},
    {.code = "T001500314", .name = "熟地黄", .kind = "herb", .price_cents = 7, .unit = "g",
     .dose = "15g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 15,
     .cls = C_HERB},
    {.code = "T001500828", .name = "柴胡", .kind = "herb", .price_cents = 24, .unit = "g",
     .dose = "10g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 10,
     .cls = C_HERB},
    {.code = "T001500646", .name = "黄芩", .kind = "herb", .price_cents = 9, .unit = "g",
     .dose = "10g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 10,
     .cls = C_HERB},
    {.code = "T001200729", .name = "金银花", .kind = "herb", .price_cents = 45, .unit = "g",
     .dose = "12g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 12,
     .cls = C_HERB},
    {.code = "T001200860", .name = "连翘", .kind = "herb", .price_cents = 21, .unit = "g",
     .dose = "10g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 10,
     .cls = C_HERB},
    {.code = "T001500943", .name = "桔梗", .kind = "herb", .price_cents = 12, .unit = "g",
     .dose = "9g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 9,
     .cls = C_HERB},
    {.code = "T001500436", .name = "丹参", .kind = "herb", .price_cents = 9, .unit = "g",
     .dose = "15g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 15,
     .cls = C_HERB},
    {.code = "T001700750", .name = "枸杞子", .kind = "herb", .price_cents = 16, .unit = "g",
     .dose = "12g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 12,
     .cls = C_HERB},
    {.code = "T001700664", .name = "山药", .kind = "herb", .price_cents = 8, .unit = "g",
     .dose = "15g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 15,
     .cls = C_HERB},
    {.code = "T001700024", .name = "酸枣仁", .kind = "herb", .price_cents = 42, .unit = "g",
     .dose = "15g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 15,
     .cls = C_HERB},
    {.code = "T001500531", .name = "杜仲", .kind = "herb", .price_cents = 11, .unit = "g",
     .dose = "12g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 12,
     .cls = C_HERB},
    {.code = "T001500427", .name = "牛膝", .kind = "herb", .price_cents = 10, .unit = "g",
     .dose = "12g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 12,
     .cls = C_HERB},
    {.code = "T001700186", .name = "大枣", .kind = "herb", .price_cents = 3, .unit = "g",
     .dose = "10g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 10,
     .cls = C_HERB},
    {.code = "T000700278", .name = "干姜", .kind = "herb", .price_cents = 6, .unit = "g",
     .dose = "6g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 6,
     .cls = C_HERB},
    {.code = "T001500736", .name = "天麻", .kind = "herb", .price_cents = 85, .unit = "g",
     .dose = "10g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 10,
     .cls = C_HERB},
    {.code = "T001100659", .name = "三七粉", .kind = "herb", .price_cents = 120, .unit = "g",
     .dose = "3g", .frequency = "bid", .route = "煎服", .pack_days = 1, .daily_units = 3,
     .cls = C_HERB},
    /* outpatient visit fees */
    {.code = "001102000010000", .name = "普通门诊诊查费", .kind = "service", .price_cents = 2500,
     .unit = "次", .price_ceiling_cents = 2500, .cls = C_VISIT},
    {.code = "001102000010100", .name = "副主任医师诊查费", .kind = "service", .price_cents = 4000,
     .unit = "次", .price_ceiling_cents = 4000, .cls = C_VISIT},
    {.code = "001102000010200", .name = "主任医师诊查费", .kind = "service", .price_cents = 6000,
     .unit = "次", .price_ceiling_cents = 6000, .cls = C_VISIT},
    /* emergency visit and monitoring */
    {.code = "001102000030000", .name = "急诊诊查费", .kind = "service", .price_cents = 3000,
     .unit = "次", .price_ceiling_cents = 3000, .cls = C_VISIT_ER},
    {.code = "001103000010000", .name = "急诊监护费", .kind = "service", .price_cents = 6000,
     .unit = "日", .max_per_day = 1, .pair_code = "001102000030000", .price_ceiling_cents = 6000,
     .cls = C_VISIT_ER},
    /* internet follow-up visit */
    {.code = "001111000010000", .name = "互联网复诊费", .kind = "service", .price_cents = 2500,
     .unit = "次", .price_ceiling_cents = 2500, .cls = C_VISIT_NET},
    /* TCM syndrome differentiation (中医科 only) */
    {.code = "001102000060000", .name = "中医辨证论治", .kind = "service", .price_cents = 2800,
     .unit = "次", .dept_only = "中医科", .price_ceiling_cents = 2800, .cls = C_VISIT_TCM},
    /* bed fees (codes 001109..., one per day of stay) */
    {.code = "001109000010300", .name = "普通病房床位费(三人间)", .kind = "service", .price_cents = 4500,
     .unit = "日", .max_per_day = 1, .price_ceiling_cents = 4500, .cls = C_BED},
    {.code = "001109000010200", .name = "普通病房床位费(双人间)", .kind = "service", .price_cents = 6500,
     .unit = "日", .max_per_day = 1, .price_ceiling_cents = 6500, .cls = C_BED},
    {.code = "001109000030100", .name = "重症监护病房床位费", .kind = "service", .price_cents = 12000,
     .unit = "日", .max_per_day = 1, .price_ceiling_cents = 12000, .cls = C_BED},
    {.code = "001109000010600", .name = "普通病房床位费(新生儿床)", .kind = "service", .price_cents = 3000,
     .unit = "日", .max_per_day = 1, .age_under = 1, .price_ceiling_cents = 3000, .cls = C_BED},
    /* nursing (one level per day) */
    {.code = "001201000040000", .name = "Ⅱ级护理", .kind = "service", .price_cents = 2500,
     .unit = "日", .max_per_day = 1, .price_ceiling_cents = 2500, .cls = C_NURSE},
    {.code = "001201000030000", .name = "Ⅰ级护理", .kind = "service", .price_cents = 4000,
     .unit = "日", .max_per_day = 1, .price_ceiling_cents = 4000, .cls = C_NURSE},
    {.code = "001201000050000", .name = "Ⅲ级护理", .kind = "service", .price_cents = 1500,
     .unit = "日", .max_per_day = 1, .price_ceiling_cents = 1500, .cls = C_NURSE},
    {.code = "001201000020000", .name = "特级护理", .kind = "service", .price_cents = 14400,
     .unit = "日", .max_per_day = 1, .pair_code = "001201000030000", .price_ceiling_cents = 14400,
     .cls = C_NURSE},
    {.code = "001201000010000", .name = "重症监护", .kind = "service", .price_cents = 1500,
     .unit = "小时", .max_per_day = 24, .pair_code = "001201000140100", .price_ceiling_cents = 1500,
     .cls = C_NURSE},
    {.code = "001201000070000", .name = "新生儿护理", .kind = "service", .price_cents = 3000,
     .unit = "日", .max_per_day = 1, .age_under = 1, .price_ceiling_cents = 3000, .cls = C_NURSE},
    {.code = "001201000140100", .name = "一般专项护理(口腔护理)", .kind = "service", .price_cents = 500,
     .unit = "次", .max_per_day = 2, .price_ceiling_cents = 500, .cls = C_NURSE},
    /* inpatient ward round */
    {.code = "001102000050000", .name = "住院诊查费", .kind = "service", .price_cents = 2000,
     .unit = "日", .max_per_day = 1, .price_ceiling_cents = 2000, .cls = C_WARD},
    /* injection services */
    {.code = "001204000060000", .name = "静脉输液", .kind = "service", .price_cents = 800,
     .unit = "组", .max_per_day = 1, .pair_code = "001204000020000", .price_ceiling_cents = 800,
     .cls = C_INJECT},
    {.code = "001204000010000", .name = "肌肉注射", .kind = "service", .price_cents = 300,
     .unit = "次", .price_ceiling_cents = 300, .cls = C_INJECT},
    {.code = "001204000020000", .name = "静脉注射", .kind = "service", .price_cents = 500,
     .unit = "次", .price_ceiling_cents = 500, .cls = C_INJECT},
    {.code = "001208000030000", .name = "雾化吸入", .kind = "service", .price_cents = 600,
     .unit = "次", .max_per_day = 3, .price_ceiling_cents = 600, .cls = C_INJECT},
    {.code = "001204000010100", .name = "皮下注射", .kind = "service", .price_cents = 300,
     .unit = "次", .price_ceiling_cents = 300, .cls = C_INJECT},
    {.code = "001204000070000", .name = "小儿头皮静脉输液", .kind = "service", .price_cents = 1200,
     .unit = "组", .max_per_day = 1, .age_under = 14, .price_ceiling_cents = 1200,
     .cls = C_INJECT},
    /* treatments and monitoring */
    {.code = "001208000010000", .name = "氧气吸入", .kind = "service", .price_cents = 250,
     .unit = "小时", .max_per_day = 24, .price_ceiling_cents = 250, .cls = C_TREAT},
    {.code = "003107010220000", .name = "心电监测", .kind = "service", .price_cents = 300,
     .unit = "小时", .max_per_day = 24, .price_ceiling_cents = 300, .cls = C_TREAT},
    {.code = "003107010280000", .name = "血氧饱和度监测", .kind = "service", .price_cents = 200,
     .unit = "小时", .max_per_day = 24, .price_ceiling_cents = 200, .cls = C_TREAT},
    {.code = "001206000010200", .name = "换药(中)", .kind = "service", .price_cents = 2500,
     .unit = "次", .price_ceiling_cents = 2500, .cls = C_TREAT},
    {.code = "001206000010100", .name = "换药(小)", .kind = "service", .price_cents = 1500,
     .unit = "次", .price_ceiling_cents = 1500, .cls = C_TREAT},
    {.code = "001205000010100", .name = "清创缝合(小)", .kind = "service", .price_cents = 9000,
     .unit = "次", .price_ceiling_cents = 9000, .cls = C_TREAT},
    {.code = "001212000010000", .name = "导尿", .kind = "service", .price_cents = 1200, .unit = "次",
     .price_ceiling_cents = 1200, .cls = C_TREAT},
    {.code = "001209000010000", .name = "胃肠减压", .kind = "service", .price_cents = 1200,
     .unit = "日", .max_per_day = 1, .price_ceiling_cents = 1200, .cls = C_TREAT},
    {.code = "002503020010100", .name = "快速血糖测定", .kind = "service", .price_cents = 500,
     .unit = "次", .max_per_day = 7, .price_ceiling_cents = 500, .cls = C_TREAT},
    {.code = "004200000010000", .name = "骨折手法整复术", .kind = "service", .price_cents = 15000,
     .unit = "次", .price_ceiling_cents = 15000, .cls = C_TREAT},
    {.code = "004200000070000", .name = "骨折夹板外固定术", .kind = "service", .price_cents = 8000,
     .unit = "次", .price_ceiling_cents = 8000, .cls = C_TREAT},
    {.code = "003110000010000", .name = "血液透析", .kind = "service", .price_cents = 40000,
     .unit = "次", .max_per_day = 1, .dept_only = "肾内科", .price_ceiling_cents = 40000,
     .cls = C_TREAT},
    {.code = "003112020120000", .name = "新生儿蓝光治疗", .kind = "service", .price_cents = 400,
     .unit = "小时", .max_per_day = 24, .age_under = 1, .price_ceiling_cents = 400, .cls = C_TREAT},
    /* laboratory, general */
    {.code = "002501010150000", .name = "血细胞分析", .kind = "service", .price_cents = 2000,
     .unit = "次", .price_ceiling_cents = 2000, .cls = C_LAB},
    {.code = "002504030160000", .name = "C反应蛋白测定(CRP)", .kind = "service", .price_cents = 1500,
     .unit = "次", .price_ceiling_cents = 1500, .cls = C_LAB},
    {.code = "002501020350000", .name = "尿液分析", .kind = "service", .price_cents = 1000,
     .unit = "次", .price_ceiling_cents = 1000, .cls = C_LAB},
    {.code = "002503050040000", .name = "血清丙氨酸氨基转移酶测定", .kind = "service", .price_cents = 500,
     .unit = "次", .price_ceiling_cents = 500, .cls = C_LAB},
    {.code = "002503070020000", .name = "血清肌酐测定", .kind = "service", .price_cents = 500,
     .unit = "次", .price_ceiling_cents = 500, .cls = C_LAB},
    {.code = "002503020010000", .name = "葡萄糖测定", .kind = "service", .price_cents = 400,
     .unit = "次", .price_ceiling_cents = 400, .cls = C_LAB},
    {.code = "002503040010000", .name = "血清钾测定", .kind = "service", .price_cents = 400,
     .unit = "次", .price_ceiling_cents = 400, .cls = C_LAB},
    {.code = "002503050050000", .name = "血清天门冬氨酸氨基转移酶测定", .kind = "service", .price_cents = 500,
     .unit = "次", .price_ceiling_cents = 500, .cls = C_LAB},
    {.code = "002503070010000", .name = "血清尿素测定", .kind = "service", .price_cents = 500,
     .unit = "次", .price_ceiling_cents = 500, .cls = C_LAB},
    {.code = "002503040020000", .name = "血清钠测定", .kind = "service", .price_cents = 400,
     .unit = "次", .price_ceiling_cents = 400, .cls = C_LAB},
    {.code = "002501030010000", .name = "粪便常规", .kind = "service", .price_cents = 500,
     .unit = "次", .price_ceiling_cents = 500, .cls = C_LAB},
    {.code = "002502030010000", .name = "凝血酶原时间测定(PT)", .kind = "service", .price_cents = 800,
     .unit = "次", .price_ceiling_cents = 800, .cls = C_LAB},
    {.code = "002502030040000", .name = "活化部分凝血活酶时间测定(APTT)", .kind = "service",
     .price_cents = 800, .unit = "次", .price_ceiling_cents = 800, .cls = C_LAB},
    {.code = "002503050010000", .name = "血清总胆红素测定", .kind = "service", .price_cents = 500,
     .unit = "次", .price_ceiling_cents = 500, .cls = C_LAB},
    {.code = "002504030010000", .name = "乙型肝炎表面抗原测定", .kind = "service", .price_cents = 1000,
     .unit = "次", .price_ceiling_cents = 1000, .cls = C_LAB},
    {.code = "002502040010000", .name = "ABO血型鉴定", .kind = "service", .price_cents = 1200,
     .unit = "次", .price_ceiling_cents = 1200, .cls = C_LAB},
    {.code = "002504030250000", .name = "降钙素原测定", .kind = "service", .price_cents = 13000,
     .unit = "次", .price_ceiling_cents = 13000, .cls = C_LAB},
    /* laboratory, cardiac and lipids */
    {.code = "002503060080000", .name = "肌钙蛋白I测定", .kind = "service", .price_cents = 8000,
     .unit = "次", .price_ceiling_cents = 8000, .cls = C_LAB_CARDIO},
    {.code = "002503030010000", .name = "血清总胆固醇测定", .kind = "service", .price_cents = 400,
     .unit = "次", .price_ceiling_cents = 400, .cls = C_LAB_CARDIO},
    {.code = "002503030020000", .name = "血清甘油三酯测定", .kind = "service", .price_cents = 400,
     .unit = "次", .price_ceiling_cents = 400, .cls = C_LAB_CARDIO},
    {.code = "002503030050000", .name = "血清低密度脂蛋白胆固醇测定", .kind = "service", .price_cents = 800,
     .unit = "次", .price_ceiling_cents = 800, .cls = C_LAB_CARDIO},
    {.code = "002503060110000", .name = "N端脑钠肽前体测定", .kind = "service", .price_cents = 15000,
     .unit = "次", .price_ceiling_cents = 15000, .cls = C_LAB_CARDIO},
    /* laboratory, diabetes */
    {.code = "002503020030000", .name = "糖化血红蛋白测定", .kind = "service", .price_cents = 6000,
     .unit = "次", .price_ceiling_cents = 6000, .cls = C_LAB_DIAB},
    {.code = "002504010260000", .name = "血清C肽测定", .kind = "service", .price_cents = 4000,
     .unit = "次", .price_ceiling_cents = 4000, .cls = C_LAB_DIAB},
    {.code = "002501020120000", .name = "尿微量白蛋白测定", .kind = "service", .price_cents = 3000,
     .unit = "次", .price_ceiling_cents = 3000, .cls = C_LAB_DIAB},
    /* laboratory, thyroid */
    {.code = "002504010060000", .name = "血清促甲状腺激素测定", .kind = "service", .price_cents = 3500,
     .unit = "次", .price_ceiling_cents = 3500, .cls = C_LAB_THY},
    {.code = "002504010040000", .name = "血清游离甲状腺素测定", .kind = "service", .price_cents = 3000,
     .unit = "次", .price_ceiling_cents = 3000, .cls = C_LAB_THY},
    {.code = "002504010030000", .name = "血清游离三碘甲状原氨酸测定", .kind = "service", .price_cents = 3000,
     .unit = "次", .price_ceiling_cents = 3000, .cls = C_LAB_THY},
    /* laboratory, tumour markers */
    {.code = "002504040010000", .name = "癌胚抗原测定(CEA)", .kind = "service", .price_cents = 4500,
     .unit = "次", .price_ceiling_cents = 4500, .cls = C_LAB_ONCO},
    {.code = "002504040020000", .name = "甲胎蛋白测定(AFP)", .kind = "service", .price_cents = 4000,
     .unit = "次", .price_ceiling_cents = 4000, .cls = C_LAB_ONCO},
    {.code = "002504040110000", .name = "糖类抗原CA125测定", .kind = "service", .price_cents = 5000,
     .unit = "次", .price_ceiling_cents = 5000, .cls = C_LAB_ONCO},
    /* female-only services */
    {.code = "002202020010000", .name = "经阴道B超检查", .kind = "service", .price_cents = 8000,
     .unit = "次", .sex_only = 'F', .price_ceiling_cents = 8000, .cls = C_SVC_F},
    {.code = "002708000020000", .name = "宫颈细胞学计算机辅助诊断", .kind = "service", .price_cents = 8000,
     .unit = "次", .sex_only = 'F', .price_ceiling_cents = 8000, .cls = C_SVC_F},
    {.code = "002501040090000", .name = "阴道分泌物检查", .kind = "service", .price_cents = 1000,
     .unit = "次", .sex_only = 'F', .price_ceiling_cents = 1000, .cls = C_SVC_F},
    {.code = "002501020210000", .name = "尿妊娠试验", .kind = "service", .price_cents = 800,
     .unit = "次", .sex_only = 'F', .price_ceiling_cents = 800, .cls = C_SVC_F},
    {.code = "003112010080000", .name = "宫颈活检术", .kind = "service", .price_cents = 6000,
     .unit = "次", .sex_only = 'F', .price_ceiling_cents = 6000, .cls = C_SVC_F},
    /* pregnancy services (female only; 产前检查 maternity only) */
    {.code = "003112010250000", .name = "胎儿心电图", .kind = "service", .price_cents = 3000,
     .unit = "次", .sex_only = 'F', .price_ceiling_cents = 3000, .cls = C_SVC_PREG},
    {.code = "003112010010000", .name = "产前检查", .kind = "service", .price_cents = 4500,
     .unit = "次", .sex_only = 'F', .only_insurance = "maternity", .price_ceiling_cents = 4500,
     .cls = C_SVC_PREG},
    /* male-only services */
    {.code = "002504040090000", .name = "总前列腺特异性抗原测定(TPSA)", .kind = "service",
     .price_cents = 5000, .unit = "次", .sex_only = 'M', .price_ceiling_cents = 5000,
     .cls = C_SVC_M},
    {.code = "002501040130000", .name = "前列腺液常规检查", .kind = "service", .price_cents = 1500,
     .unit = "次", .sex_only = 'M', .price_ceiling_cents = 1500, .cls = C_SVC_M},
    {.code = "003111000150000", .name = "前列腺按摩", .kind = "service", .price_cents = 2000,
     .unit = "次", .sex_only = 'M', .price_ceiling_cents = 2000, .cls = C_SVC_M},
    /* children-only services */
    {.code = "004500000100000", .name = "小儿捏脊治疗", .kind = "service", .price_cents = 2500,
     .unit = "次", .age_under = 14, .price_ceiling_cents = 2500, .cls = C_SVC_PED},
    {.code = "002204000030000", .name = "多普勒小儿血压检测", .kind = "service", .price_cents = 2000,
     .unit = "次", .age_under = 18, .price_ceiling_cents = 2000, .cls = C_SVC_PED},
    {.code = "001302000010000", .name = "儿童龋齿预防保健", .kind = "service", .price_cents = 1500,
     .unit = "次", .age_under = 18, .price_ceiling_cents = 1500, .cls = C_SVC_PED},
    /* imaging and functional tests */
    {.code = "003107010010000", .name = "常规心电图检查", .kind = "service", .price_cents = 2500,
     .unit = "次", .price_ceiling_cents = 2500, .cls = C_IMG},
    {.code = "002101020150000", .name = "数字化摄影(DR)", .kind = "service", .price_cents = 8000,
     .unit = "次", .price_ceiling_cents = 8000, .cls = C_IMG},
    {.code = "002202010010000", .name = "B超常规检查", .kind = "service", .price_cents = 5000,
     .unit = "次", .price_ceiling_cents = 5000, .cls = C_IMG},
    {.code = "002103000010000", .name = "X线计算机体层(CT)平扫", .kind = "service", .price_cents = 20000,
     .unit = "次", .price_ceiling_cents = 20000, .cls = C_IMG},
    {.code = "002203010010000", .name = "彩色多普勒超声常规检查", .kind = "service", .price_cents = 12000,
     .unit = "次", .price_ceiling_cents = 12000, .cls = C_IMG},
    {.code = "002206000020000", .name = "二维超声心动图", .kind = "service", .price_cents = 15000,
     .unit = "次", .price_ceiling_cents = 15000, .cls = C_IMG},
    {.code = "002103000020000", .name = "X线计算机体层(CT)增强扫描", .kind = "service",
     .price_cents = 35000, .unit = "次", .price_ceiling_cents = 35000, .cls = C_IMG},
    {.code = "002104000010000", .name = "磁共振平扫", .kind = "service", .price_cents = 48000,
     .unit = "次", .min_facility_level = 2, .price_ceiling_cents = 48000, .cls = C_IMG},
    {.code = "003107010030000", .name = "动态心电图", .kind = "service", .price_cents = 18000,
     .unit = "次", .price_ceiling_cents = 18000, .cls = C_IMG},
    {.code = "003109010020000", .name = "电子胃镜检查", .kind = "service", .price_cents = 25000,
     .unit = "次", .price_ceiling_cents = 25000, .cls = C_IMG},
    {.code = "003106010010000", .name = "肺通气功能检查", .kind = "service", .price_cents = 5000,
     .unit = "次", .price_ceiling_cents = 5000, .cls = C_IMG},
    {.code = "003101000010000", .name = "脑电图", .kind = "service", .price_cents = 5000,
     .unit = "次", .price_ceiling_cents = 5000, .cls = C_IMG},
    /* surgery */
    {.code = "003310030220000", .name = "阑尾切除术", .kind = "service", .price_cents = 90000,
     .unit = "次", .price_ceiling_cents = 90000, .cls = C_SURG},
    {.code = "003310030220001", .name = "阑尾切除术(经腹腔镜加收)", .kind = "service", .price_cents = 50000,
     .unit = "次", .price_ceiling_cents = 50000, .cls = C_SURG},
    {.code = "003310060020000", .name = "胆囊切除术", .kind = "service", .price_cents = 150000,
     .unit = "次", .price_ceiling_cents = 150000, .cls = C_SURG},
    {.code = "003310130020000", .name = "腹股沟疝修补术", .kind = "service", .price_cents = 110000,
     .unit = "次", .price_ceiling_cents = 110000, .cls = C_SURG},
    {.code = "003315020140000", .name = "人工全髋关节置换术", .kind = "service", .price_cents = 420000,
     .unit = "次", .min_facility_level = 2, .price_ceiling_cents = 420000, .cls = C_SURG},
    {.code = "003315020200000", .name = "人工全膝关节置换术", .kind = "service", .price_cents = 400000,
     .unit = "次", .min_facility_level = 2, .price_ceiling_cents = 400000, .cls = C_SURG},
    {.code = "003315010280000", .name = "桡骨远端骨折切开复位内固定术", .kind = "service",
     .price_cents = 180000, .unit = "次", .price_ceiling_cents = 180000, .cls = C_SURG},
    {.code = "003312010060000", .name = "经尿道前列腺电切术", .kind = "service", .price_cents = 260000,
     .unit = "次", .sex_only = 'M', .price_ceiling_cents = 260000, .cls = C_SURG},
    {.code = "003314000120000", .name = "剖宫产术", .kind = "service", .price_cents = 150000,
     .unit = "次", .sex_only = 'F', .price_ceiling_cents = 150000, .cls = C_SURG},
    {.code = "003314000020000", .name = "单胎顺产接生", .kind = "service", .price_cents = 60000,
     .unit = "次", .sex_only = 'F', .price_ceiling_cents = 60000, .cls = C_SURG},
    {.code = "003313020030000", .name = "子宫肌瘤剔除术", .kind = "service", .price_cents = 200000,
     .unit = "次", .sex_only = 'F', .price_ceiling_cents = 200000, .cls = C_SURG},
    {.code = "003205000010000", .name = "冠状动脉造影术", .kind = "service", .price_cents = 150000,
     .unit = "次", .min_facility_level = 2, .price_ceiling_cents = 150000, .cls = C_SURG},
    {.code = "003205000030000", .name = "经皮冠状动脉内支架置入术(STENT)", .kind = "service",
     .price_cents = 400000, .unit = "次", .min_facility_level = 3, .price_ceiling_cents = 400000,
     .cls = C_SURG},
    {.code = "003304060030000", .name = "白内障超声乳化摘除术", .kind = "service", .price_cents = 180000,
     .unit = "次", .min_facility_level = 2, .price_ceiling_cents = 180000, .cls = C_SURG},
    {.code = "003310040120000", .name = "结肠癌根治术", .kind = "service", .price_cents = 480000,
     .unit = "次", .min_facility_level = 3, .price_ceiling_cents = 480000, .cls = C_SURG},
    {.code = "003311010090000", .name = "经皮肾镜碎石取石术", .kind = "service", .price_cents = 350000,
     .unit = "次", .min_facility_level = 2, .price_ceiling_cents = 350000, .cls = C_SURG},
    {.code = "003315010190000", .name = "腰椎间盘髓核摘除术", .kind = "service", .price_cents = 280000,
     .unit = "次", .price_ceiling_cents = 280000, .cls = C_SURG},
    {.code = "003312030010000", .name = "睾丸鞘膜翻转术", .kind = "service", .price_cents = 80000,
     .unit = "次", .sex_only = 'M', .price_ceiling_cents = 80000, .cls = C_SURG},
    /* anaesthesia */
    {.code = "003301000010000", .name = "局部浸润麻醉", .kind = "service", .price_cents = 3000,
     .unit = "次", .price_ceiling_cents = 3000, .cls = C_ANES},
    {.code = "003301000020000", .name = "神经阻滞麻醉", .kind = "service", .price_cents = 15000,
     .unit = "次", .price_ceiling_cents = 15000, .cls = C_ANES},
    {.code = "003301000030000", .name = "椎管内麻醉", .kind = "service", .price_cents = 60000,
     .unit = "次", .price_ceiling_cents = 60000, .cls = C_ANES},
    {.code = "003301000050000", .name = "全身麻醉", .kind = "service", .price_cents = 120000,
     .unit = "次", .price_ceiling_cents = 120000, .cls = C_ANES},
    {.code = "003301000150000", .name = "麻醉中监测", .kind = "service", .price_cents = 2000,
     .unit = "小时", .max_per_day = 24, .price_ceiling_cents = 2000, .cls = C_ANES},
    /* rehabilitation (康复医学科 only) */
    {.code = "003402000010000", .name = "运动疗法", .kind = "service", .price_cents = 4500,
     .unit = "次", .dept_only = "康复医学科", .price_ceiling_cents = 4500, .cls = C_REHAB},
    {.code = "003402000240000", .name = "平衡功能训练", .kind = "service", .price_cents = 3000,
     .unit = "次", .dept_only = "康复医学科", .price_ceiling_cents = 3000, .cls = C_REHAB},
    {.code = "003402000170000", .name = "偏瘫肢体综合训练", .kind = "service", .price_cents = 4000,
     .unit = "次", .dept_only = "康复医学科", .price_ceiling_cents = 4000, .cls = C_REHAB},
    {.code = "003402000330000", .name = "言语训练", .kind = "service", .price_cents = 3500,
     .unit = "次", .dept_only = "康复医学科", .price_ceiling_cents = 3500, .cls = C_REHAB},
    {.code = "003402000250000", .name = "手功能训练", .kind = "service", .price_cents = 3000,
     .unit = "次", .dept_only = "康复医学科", .price_ceiling_cents = 3000, .cls = C_REHAB},
    {.code = "003402000320000", .name = "职业功能训练", .kind = "service", .price_cents = 3000,
     .unit = "次", .dept_only = "康复医学科", .min_age = 16, .age_under = 61,
     .price_ceiling_cents = 3000, .cls = C_REHAB},
    /* TCM services (中医科 only) */
    {.code = "004400000010000", .name = "普通针刺", .kind = "service", .price_cents = 2500,
     .unit = "次", .dept_only = "中医科", .price_ceiling_cents = 2500, .cls = C_TCM_SVC},
    {.code = "004500000020000", .name = "颈椎病推拿治疗", .kind = "service", .price_cents = 4000,
     .unit = "次", .dept_only = "中医科", .price_ceiling_cents = 4000, .cls = C_TCM_SVC},
    {.code = "004700000010000", .name = "拔罐疗法", .kind = "service", .price_cents = 1500,
     .unit = "次", .dept_only = "中医科", .price_ceiling_cents = 1500, .cls = C_TCM_SVC},
    {.code = "004300000010000", .name = "艾灸", .kind = "service", .price_cents = 2000, .unit = "次",
     .dept_only = "中医科", .price_ceiling_cents = 2000, .cls = C_TCM_SVC},
    /* consumables, general */
    {.code = "C0302098414637203751", .name = "一次性使用输液器(带针)", .kind = "consumable",
     .price_cents = 280, .unit = "套", .cls = C_CONS},
    {.code = "C0305011516711904283", .name = "一次性使用无菌注射器", .kind = "consumable",
     .price_cents = 60, .unit = "支", .cls = C_CONS},
    {.code = "C0318083897532104453", .name = "一次性使用静脉留置针", .kind = "consumable",
     .price_cents = 1800, .unit = "支", .cls = C_CONS},
    {.code = "C1415265045390300196", .name = "医用无菌敷贴", .kind = "consumable", .price_cents = 350,
     .unit = "片", .cls = C_CONS},
    {.code = "C0305197673714805406", .name = "一次性使用换药包", .kind = "consumable", .price_cents = 800,
     .unit = "包", .cls = C_CONS},
    {.code = "C0709206153332102898", .name = "一次性心电电极", .kind = "consumable", .price_cents = 120,
     .unit = "片", .pair_code = "003107010220000", .cls = C_CONS},
    {.code = "C0808115863524202752", .name = "一次性使用鼻氧管", .kind = "consumable", .price_cents = 350,
     .unit = "根", .pair_code = "001208000010000", .cls = C_CONS},
    {.code = "C0309087737675803060", .name = "一次性使用导尿包", .kind = "consumable",
     .price_cents = 2800, .unit = "包", .cls = C_CONS},
    {.code = "C0307098192258505127", .name = "胰岛素笔用针头", .kind = "consumable", .price_cents = 150,
     .unit = "支", .cls = C_CONS},
    {.code = "C0318054594065303376", .name = "一次性使用负压引流器", .kind = "consumable",
     .price_cents = 4500, .unit = "个", .cls = C_CONS},
    {.code = "C1119066155217200826", .name = "医用高分子夹板", .kind = "consumable", .price_cents = 9000,
     .unit = "副", .cls = C_CONS},
    /* consumables, surgical */
    {.code = "C0202143085680201444", .name = "可吸收性外科缝线", .kind = "consumable",
     .price_cents = 12000, .unit = "根", .cls = C_CONS_SURG},
    {.code = "C0309135281903800094", .name = "一次性使用麻醉穿刺包", .kind = "consumable",
     .price_cents = 8500, .unit = "包", .cls = C_CONS_SURG},
    {.code = "C0817262934383104530", .name = "一次性使用气管插管", .kind = "consumable",
     .price_cents = 2500, .unit = "根", .cls = C_CONS_SURG},
    {.code = "C0215155695981700181", .name = "一次性使用腹腔镜穿刺器", .kind = "consumable",
     .price_cents = 68000, .unit = "套", .cls = C_CONS_SURG},
    {.code = "C0209211115166103131", .name = "一次性使用管型消化道吻合器", .kind = "consumable",
     .price_cents = 320000, .unit = "把", .cls = C_CONS_SURG},
    /* implants */
    {.code = "C0410272178680404975", .name = "药物洗脱冠状动脉支架系统", .kind = "consumable",
     .price_cents = 69800, .unit = "套", .min_facility_level = 3, .cls = C_CONS_IMPL},
    {.code = "C0416099552883305957", .name = "PTCA球囊扩张导管", .kind = "consumable",
     .price_cents = 28000, .unit = "根", .cls = C_CONS_IMPL},
    {.code = "C1305272785036003913", .name = "人工髋关节假体", .kind = "consumable",
     .price_cents = 720000, .unit = "套", .cls = C_CONS_IMPL},
    {.code = "C1318067917031703786", .name = "人工膝关节假体", .kind = "consumable",
     .price_cents = 520000, .unit = "套", .cls = C_CONS_IMPL},
    {.code = "C1610299187718204949", .name = "人工晶状体", .kind = "consumable", .price_cents = 150000,
     .unit = "片", .cls = C_CONS_IMPL},
    {.code = "C1319051072785502637", .name = "锁定加压接骨板", .kind = "consumable",
     .price_cents = 210000, .unit = "块", .cls = C_CONS_IMPL},
    {.code = "C1313300545726403651", .name = "骨科锁定螺钉", .kind = "consumable", .price_cents = 15000,
     .unit = "枚", .cls = C_CONS_IMPL},
    /* dialysis consumables */
    {.code = "C1004224827903202314", .name = "一次性使用血液透析器", .kind = "consumable",
     .price_cents = 11000, .unit = "支", .dept_only = "肾内科", .cls = C_CONS_DIAL},
    {.code = "C1014094431683702470", .name = "一次性使用血液透析管路", .kind = "consumable",
     .price_cents = 6000, .unit = "套", .cls = C_CONS_DIAL},
};
/* clang-format on */

#define NITEMS (sizeof CATALOG / sizeof CATALOG[0])

/* ------------------------------------------------------------------------ */
/* Clinical conditions.  Each has a main diagnosis (exposed as GenDiag, with  */
/* its hard sex/age limits) and the generator's knowledge of how it is        */
/* treated: typical ages, how often it appears per care type, which drug,    */
/* lab and service classes it uses, imaging, surgery and procedures.          */

enum {
    F_PED = 1u << 0,       /* patients under 14 are seen in 儿科 with paediatric drugs */
    F_TCM = 1u << 1,       /* sometimes treated in 中医科 with herbal pieces */
    F_PREG = 1u << 2,      /* pregnancy: favoured for maternity-insured women */
    F_INJURY = 1u << 3,    /* injury: favoured for work-injury-insured persons */
    F_ICU = 1u << 4,       /* first days in intensive care */
    F_CARDMON = 1u << 5,   /* ECG monitoring during the first days */
    F_O2 = 1u << 6,        /* oxygen and SpO2 monitoring */
    F_CHEMO = 1u << 7,     /* chemotherapy stays */
    F_DIALYSIS = 1u << 8,  /* haemodialysis sessions */
    F_REHAB = 1u << 9,     /* daily rehabilitation */
    F_NEWBORN = 1u << 10,  /* newborns (3-90 days old) */
    F_NO_L1 = 1u << 11,    /* not treated at level-1 facilities */
    F_SURG_OPT = 1u << 12, /* surgery for about half of the stays */
    F_MAJOR = 1u << 13,    /* major surgery: special-grade nursing on the day */
    F_ACUTE = 1u << 14,    /* emergency admission at any hour; surgery on day 0 */
    F_INFUSE = 1u << 15,   /* outpatient infusions are common */
    F_WOUND = 1u << 16,    /* debridement and suture */
    F_FRACTURE = 1u << 17, /* closed reduction and splint as outpatient */
    F_NEB = 1u << 18,      /* nebulised inhalation */
    F_GLUCOSE = 1u << 19,  /* bedside glucose tests in hospital */
    F_SEVERE = 1u << 20,   /* first-grade nursing and mouth care in the first days */
};

enum { AN_NONE, AN_LOCAL, AN_BLOCK, AN_SPINAL, AN_GENERAL };

typedef struct Cond {
    uint8_t age_lo, age_hi;             /* typical ages (sampling only) */
    uint8_t w_out, w_chr, w_inp, w_pha; /* weight per care type (internet uses w_chr) */
    uint8_t drug[3];                    /* oral drug classes */
    uint8_t iv[3];                      /* injection classes */
    uint8_t lab, svc;                   /* specific lab class, specific service class */
    const char *img;                    /* typical imaging item */
    const char *surg[2];                /* surgery services (inpatient) */
    const char *proc[2];                /* procedure codes of those surgeries */
    const char *impl[2];                /* implants and surgical consumables */
    uint8_t impl_qty[2];
    uint8_t anes;      /* AN_* */
    uint8_t los;       /* mean length of stay in days */
    uint8_t min_level; /* lowest facility level for a stay */
    uint32_t flags;
} Cond;

#define ECG "常规心电图检查"
#define DR "数字化摄影(DR)"
#define BUS "B超常规检查"
#define CT "X线计算机体层(CT)平扫"
#define CTE "X线计算机体层(CT)增强扫描"
#define MRI "磁共振平扫"
#define CDUS "彩色多普勒超声常规检查"
#define ECHO "二维超声心动图"

/* clang-format off */
/* X(code, name, dept, sex_only, min_age, age_under, Cond fields...) */
#define CONDITIONS(X)                                                                              \
    X("I10.x00", "原发性高血压", "心血管内科", 0, 0, 0, .age_lo = 30, .age_hi = 95, .w_out = 60,   \
      .w_chr = 100, .w_inp = 8, .w_pha = 40, .drug = {C_CARDIO, C_TCM},                            \
      .iv = {C_TCM_IV, C_CARDIO_IV}, .lab = C_LAB_CARDIO, .img = ECG, .los = 7, .min_level = 1,    \
      .flags = F_TCM)                                                                              \
    X("I25.100", "冠状动脉粥样硬化性心脏病", "心血管内科", 0, 0, 0, .age_lo = 40, .age_hi = 95,    \
      .w_out = 30, .w_chr = 40, .w_inp = 15, .w_pha = 15, .drug = {C_CARDIO, C_TCM},               \
      .iv = {C_TCM_IV, C_CARDIO_IV}, .lab = C_LAB_CARDIO, .img = ECG,                              \
      .surg = {"003205000010000"}, .proc = {"88.5600"}, .anes = AN_LOCAL, .los = 6,                \
      .min_level = 2, .flags = F_CARDMON | F_SURG_OPT)                                             \
    X("I20.000", "不稳定型心绞痛", "心血管内科", 0, 0, 0, .age_lo = 45, .age_hi = 95, .w_out = 5,  \
      .w_inp = 20, .drug = {C_CARDIO}, .iv = {C_CARDIO_IV, C_TCM_IV}, .lab = C_LAB_CARDIO,         \
      .img = ECHO, .surg = {"003205000010000", "003205000030000"}, .proc = {"88.5600", "36.0700"}, \
      .impl = {"药物洗脱冠状动脉支架系统", "PTCA球囊扩张导管"}, .impl_qty = {1, 1},                \
      .anes = AN_LOCAL, .los = 7, .min_level = 3, .flags = F_CARDMON | F_NO_L1)                    \
    X("I21.900", "急性心肌梗死", "心血管内科", 0, 0, 0, .age_lo = 45, .age_hi = 95, .w_inp = 10,    \
      .drug = {C_CARDIO}, .iv = {C_CARDIO_IV}, .lab = C_LAB_CARDIO, .img = ECHO,                   \
      .surg = {"003205000010000", "003205000030000"}, .proc = {"88.5600", "36.0700"},              \
      .impl = {"药物洗脱冠状动脉支架系统", "PTCA球囊扩张导管"}, .impl_qty = {2, 1},                \
      .anes = AN_LOCAL, .los = 10, .min_level = 3,                                                 \
      .flags = F_ICU | F_CARDMON | F_ACUTE | F_NO_L1 | F_O2)                                       \
    X("I48.x00", "心房颤动", "心血管内科", 0, 0, 0, .age_lo = 50, .age_hi = 95, .w_out = 10,       \
      .w_chr = 15, .w_inp = 5, .w_pha = 5, .drug = {C_CARDIO}, .iv = {C_CARDIO_IV},                \
      .lab = C_LAB_CARDIO, .img = "动态心电图", .los = 6, .min_level = 2, .flags = F_CARDMON)      \
    X("I50.900", "心力衰竭", "心血管内科", 0, 0, 0, .age_lo = 55, .age_hi = 95, .w_out = 8,        \
      .w_chr = 10, .w_inp = 15, .w_pha = 3, .drug = {C_CARDIO}, .iv = {C_CARDIO_IV, C_TCM_IV},     \
      .lab = C_LAB_CARDIO, .img = ECHO, .los = 9, .min_level = 1,                                  \
      .flags = F_CARDMON | F_O2 | F_SEVERE)                                                        \
    X("E11.900", "2型糖尿病", "内分泌科", 0, 0, 0, .age_lo = 30, .age_hi = 95, .w_out = 50,        \
      .w_chr = 100, .w_inp = 10, .w_pha = 40, .drug = {C_DIAB, C_CARDIO}, .lab = C_LAB_DIAB,       \
      .los = 8, .min_level = 1, .flags = F_TCM | F_GLUCOSE)                                        \
    X("E10.900", "1型糖尿病", "内分泌科", 0, 0, 0, .age_lo = 5, .age_hi = 40, .w_out = 5,          \
      .w_chr = 10, .w_inp = 2, .w_pha = 2, .drug = {C_DIAB}, .lab = C_LAB_DIAB, .los = 7,          \
      .min_level = 2, .flags = F_GLUCOSE)                                                          \
    X("E78.500", "高脂血症", "心血管内科", 0, 0, 0, .age_lo = 30, .age_hi = 90, .w_out = 20,       \
      .w_chr = 10, .w_pha = 10, .drug = {C_CARDIO}, .lab = C_LAB_CARDIO, .min_level = 1)           \
    X("E05.900", "甲状腺功能亢进症", "内分泌科", 0, 0, 0, .age_lo = 15, .age_hi = 70, .w_out = 10, \
      .w_chr = 8, .w_inp = 1, .w_pha = 3, .drug = {C_THYROID}, .lab = C_LAB_THY, .img = CDUS,      \
      .los = 6, .min_level = 2)                                                                    \
    X("E03.900", "甲状腺功能减退症", "内分泌科", 0, 0, 0, .age_lo = 20, .age_hi = 85, .w_out = 10, \
      .w_chr = 8, .w_pha = 3, .drug = {C_THYROID}, .lab = C_LAB_THY, .img = CDUS, .min_level = 1)  \
    X("J06.900", "急性上呼吸道感染", "呼吸内科", 0, 0, 0, .age_lo = 0, .age_hi = 95,               \
      .w_out = 120, .w_pha = 40, .drug = {C_RESP, C_ABX, C_TCM}, .iv = {C_ABX_IV},                 \
      .min_level = 1, .flags = F_PED | F_INFUSE | F_TCM)                                           \
    X("J18.900", "肺炎", "呼吸内科", 0, 0, 0, .age_lo = 0, .age_hi = 95, .w_out = 15,              \
      .w_inp = 40, .drug = {C_ABX, C_RESP}, .iv = {C_ABX_IV, C_TCM_IV}, .img = DR, .los = 8,       \
      .min_level = 1, .flags = F_PED | F_INFUSE | F_O2 | F_NEB)                                    \
    X("J44.900", "慢性阻塞性肺病", "呼吸内科", 0, 0, 0, .age_lo = 45, .age_hi = 95, .w_out = 15,   \
      .w_chr = 20, .w_inp = 25, .w_pha = 8, .drug = {C_RESP}, .iv = {C_ABX_IV, C_TCM_IV},          \
      .img = CT, .los = 10, .min_level = 1, .flags = F_O2 | F_NEB | F_SEVERE)                      \
    X("J45.900", "哮喘", "呼吸内科", 0, 0, 0, .age_lo = 5, .age_hi = 80, .w_out = 15, .w_chr = 10, \
      .w_inp = 5, .w_pha = 5, .drug = {C_RESP, C_ALLERGY}, .iv = {C_ABX_IV}, .img = "肺通气功能检查", \
      .los = 6, .min_level = 1, .flags = F_PED | F_NEB)                                            \
    X("J20.900", "急性支气管炎", "呼吸内科", 0, 0, 0, .age_lo = 0, .age_hi = 90, .w_out = 50,      \
      .w_inp = 5, .w_pha = 15, .drug = {C_RESP, C_ABX, C_TCM}, .iv = {C_ABX_IV}, .img = DR,        \
      .los = 5, .min_level = 1, .flags = F_PED | F_INFUSE | F_TCM)                                 \
    X("J03.900", "急性扁桃体炎", "呼吸内科", 0, 0, 0, .age_lo = 3, .age_hi = 60, .w_out = 25,      \
      .w_inp = 2, .w_pha = 5, .drug = {C_ABX, C_ANALG}, .iv = {C_ABX_IV}, .los = 4,                \
      .min_level = 1, .flags = F_PED | F_INFUSE)                                                   \
    X("A08.000", "轮状病毒性肠炎", "儿科", 0, 0, 0, .age_lo = 0, .age_hi = 5, .w_out = 15,         \
      .w_inp = 8, .drug = {C_PED, C_GI}, .iv = {C_FLUID}, .los = 4, .min_level = 1,                \
      .flags = F_PED | F_INFUSE)                                                                   \
    X("P59.900", "新生儿黄疸", "儿科", 0, 0, 1, .age_lo = 0, .age_hi = 0, .w_out = 5, .w_inp = 8,  \
      .img = BUS, .los = 5, .min_level = 2, .flags = F_NEWBORN | F_NO_L1)                          \
    X("R50.900", "发热", "急诊科", 0, 0, 0, .age_lo = 0, .age_hi = 95, .w_out = 20, .w_pha = 5,    \
      .drug = {C_ANALG, C_PED}, .iv = {C_ABX_IV}, .min_level = 1, .flags = F_PED | F_INFUSE)       \
    X("K29.700", "胃炎", "消化内科", 0, 0, 0, .age_lo = 18, .age_hi = 90, .w_out = 50, .w_chr = 5, \
      .w_inp = 3, .w_pha = 20, .drug = {C_GI, C_TCM}, .iv = {C_GI_IV}, .img = "电子胃镜检查",      \
      .los = 5, .min_level = 1, .flags = F_TCM)                                                    \
    X("K21.000", "反流性食管炎", "消化内科", 0, 0, 0, .age_lo = 25, .age_hi = 85, .w_out = 15,     \
      .w_chr = 5, .w_pha = 5, .drug = {C_GI}, .img = "电子胃镜检查", .min_level = 1)               \
    X("K25.900", "胃溃疡", "消化内科", 0, 0, 0, .age_lo = 20, .age_hi = 85, .w_out = 10,           \
      .w_inp = 5, .w_pha = 3, .drug = {C_GI}, .iv = {C_GI_IV}, .img = "电子胃镜检查", .los = 7,    \
      .min_level = 1)                                                                              \
    X("K74.600", "肝硬化", "消化内科", 0, 0, 0, .age_lo = 35, .age_hi = 85, .w_out = 5,            \
      .w_chr = 5, .w_inp = 8, .drug = {C_GI}, .iv = {C_GI_IV, C_NUTRI}, .img = BUS, .los = 12,     \
      .min_level = 2, .flags = F_NO_L1 | F_SEVERE)                                                 \
    X("K59.000", "便秘", "消化内科", 0, 0, 0, .age_lo = 3, .age_hi = 95, .w_out = 10, .w_pha = 8,  \
      .drug = {C_GI}, .min_level = 1, .flags = F_PED | F_TCM)                                      \
    X("A09.900", "胃肠炎", "消化内科", 0, 0, 0, .age_lo = 0, .age_hi = 90, .w_out = 30,            \
      .w_inp = 5, .w_pha = 10, .drug = {C_GI, C_ABX}, .iv = {C_FLUID, C_GI_IV}, .los = 4,          \
      .min_level = 1, .flags = F_PED | F_INFUSE)                                                   \
    X("K35.800", "急性阑尾炎", "普外科", 0, 0, 0, .age_lo = 6, .age_hi = 80, .w_out = 2,           \
      .w_inp = 20, .drug = {C_ABX}, .iv = {C_ABX_IV, C_ANALG_IV}, .img = BUS,                      \
      .surg = {"003310030220000", "003310030220001"}, .proc = {"47.0100"},                         \
      .impl = {"一次性使用腹腔镜穿刺器", "可吸收性外科缝线"}, .impl_qty = {1, 2},                  \
      .anes = AN_GENERAL, .los = 5, .min_level = 2, .flags = F_ACUTE | F_NO_L1)                    \
    X("K80.100", "胆囊结石伴胆囊炎", "普外科", 0, 0, 0, .age_lo = 25, .age_hi = 85, .w_out = 5,    \
      .w_inp = 20, .drug = {C_GI}, .iv = {C_ABX_IV, C_ANALG_IV}, .img = BUS,                       \
      .surg = {"003310060020000"}, .proc = {"51.2300"},                                            \
      .impl = {"一次性使用腹腔镜穿刺器", "可吸收性外科缝线"}, .impl_qty = {1, 2},                  \
      .anes = AN_GENERAL, .los = 6, .min_level = 2, .flags = F_NO_L1)                              \
    X("K40.900", "腹股沟疝", "普外科", 0, 0, 0, .age_lo = 1, .age_hi = 90, .w_out = 3,             \
      .w_inp = 10, .iv = {C_ABX_IV}, .img = BUS, .surg = {"003310130020000"}, .proc = {"53.0000"}, \
      .impl = {"可吸收性外科缝线"}, .impl_qty = {2}, .anes = AN_BLOCK, .los = 4, .min_level = 2,   \
      .flags = F_NO_L1)                                                                            \
    X("S72.000", "股骨颈骨折", "骨科", 0, 0, 0, .age_lo = 60, .age_hi = 95, .w_inp = 15,           \
      .drug = {C_ORTHO}, .iv = {C_ORTHO_IV, C_ANALG_IV, C_CARDIO_IV}, .img = DR,                   \
      .surg = {"003315020140000"}, .proc = {"81.5100"},                                            \
      .impl = {"人工髋关节假体", "可吸收性外科缝线"}, .impl_qty = {1, 2}, .anes = AN_SPINAL,       \
      .los = 12, .min_level = 2, .flags = F_MAJOR | F_INJURY | F_NO_L1 | F_SEVERE)                 \
    X("M17.900", "膝关节骨性关节炎", "骨科", 0, 0, 0, .age_lo = 50, .age_hi = 90, .w_out = 30,     \
      .w_chr = 5, .w_inp = 8, .w_pha = 10, .drug = {C_ORTHO, C_ANALG},                             \
      .iv = {C_ORTHO_IV, C_ANALG_IV}, .img = DR, .surg = {"003315020200000"}, .proc = {"81.5400"}, \
      .impl = {"人工膝关节假体", "可吸收性外科缝线"}, .impl_qty = {1, 2}, .anes = AN_SPINAL,       \
      .los = 10, .min_level = 2, .flags = F_SURG_OPT | F_MAJOR | F_TCM)                            \
    X("S52.500", "桡骨远端骨折", "骨科", 0, 0, 0, .age_lo = 5, .age_hi = 90, .w_out = 10,          \
      .w_inp = 8, .drug = {C_ANALG, C_ORTHO}, .iv = {C_ORTHO_IV}, .img = DR,                       \
      .surg = {"003315010280000"}, .proc = {"79.3200"},                                            \
      .impl = {"锁定加压接骨板", "骨科锁定螺钉"}, .impl_qty = {1, 6}, .anes = AN_BLOCK, .los = 6,  \
      .min_level = 1, .flags = F_INJURY | F_FRACTURE)                                              \
    X("M51.202", "腰椎间盘突出症", "骨科", 0, 0, 0, .age_lo = 25, .age_hi = 80, .w_out = 25,       \
      .w_chr = 5, .w_inp = 8, .w_pha = 10, .drug = {C_ANALG, C_NEURO, C_ORTHO},                    \
      .iv = {C_ORTHO_IV}, .img = MRI, .surg = {"003315010190000"}, .proc = {"80.5100"},            \
      .impl = {"可吸收性外科缝线"}, .impl_qty = {2}, .anes = AN_GENERAL, .los = 9, .min_level = 2, \
      .flags = F_SURG_OPT | F_TCM)                                                                 \
    X("M54.500", "腰痛", "骨科", 0, 0, 0, .age_lo = 20, .age_hi = 90, .w_out = 30, .w_pha = 10,    \
      .drug = {C_ANALG}, .img = DR, .min_level = 1, .flags = F_TCM)                                \
    X("S06.000", "脑震荡", "急诊科", 0, 0, 0, .age_lo = 3, .age_hi = 85, .w_out = 8, .w_inp = 4,   \
      .drug = {C_ANALG}, .iv = {C_NEURO_IV}, .img = CT, .los = 3, .min_level = 1,                  \
      .flags = F_INJURY | F_ACUTE)                                                                 \
    X("S01.000", "头皮开放性伤口", "急诊科", 0, 0, 0, .age_lo = 2, .age_hi = 85, .w_out = 10,      \
      .drug = {C_ANALG}, .min_level = 1, .flags = F_INJURY | F_WOUND)                              \
    X("T14.100", "开放性伤口", "急诊科", 0, 0, 0, .age_lo = 16, .age_hi = 70, .w_out = 10,         \
      .drug = {C_ANALG}, .min_level = 1, .flags = F_INJURY | F_WOUND)                              \
    X("R10.400", "腹痛", "急诊科", 0, 0, 0, .age_lo = 10, .age_hi = 90, .w_out = 20,               \
      .drug = {C_GI, C_ANALG}, .iv = {C_GI_IV, C_FLUID}, .img = BUS, .min_level = 1,               \
      .flags = F_INFUSE)                                                                           \
    X("T78.400", "过敏反应", "急诊科", 0, 0, 0, .age_lo = 3, .age_hi = 90, .w_out = 8, .w_inp = 1, \
      .w_pha = 3, .drug = {C_ALLERGY}, .los = 2, .min_level = 1, .flags = F_PED)                   \
    X("O80.000", "单胎顺产", "妇产科", 'F', 12, 56, .age_lo = 18, .age_hi = 45, .w_inp = 25,       \
      .iv = {C_OBGYN_IV}, .svc = C_SVC_PREG, .img = BUS, .surg = {"003314000020000"},              \
      .proc = {"73.5900"}, .anes = AN_LOCAL, .los = 3, .min_level = 1, .flags = F_PREG | F_ACUTE)  \
    X("O82.000", "经选择性剖宫产术的分娩", "妇产科", 'F', 12, 56, .age_lo = 20, .age_hi = 45,      \
      .w_inp = 18, .iv = {C_OBGYN_IV, C_ABX_IV}, .svc = C_SVC_PREG, .img = BUS,                    \
      .surg = {"003314000120000"}, .proc = {"74.1x00"}, .impl = {"可吸收性外科缝线"},              \
      .impl_qty = {3}, .anes = AN_SPINAL, .los = 5, .min_level = 2, .flags = F_PREG | F_NO_L1)     \
    X("Z34.900", "正常妊娠监督", "妇产科", 'F', 12, 56, .age_lo = 18, .age_hi = 45, .w_out = 25,   \
      .svc = C_SVC_PREG, .img = BUS, .min_level = 1, .flags = F_PREG)                              \
    X("N76.000", "急性阴道炎", "妇产科", 'F', 0, 0, .age_lo = 15, .age_hi = 75, .w_out = 30,       \
      .w_pha = 8, .drug = {C_OBGYN}, .svc = C_SVC_F, .min_level = 1, .flags = F_TCM)               \
    X("N92.000", "月经过多", "妇产科", 'F', 8, 60, .age_lo = 13, .age_hi = 52, .w_out = 15,        \
      .w_inp = 2, .w_pha = 5, .drug = {C_OBGYN}, .svc = C_SVC_F, .img = BUS, .los = 4,             \
      .min_level = 1)                                                                              \
    X("D25.900", "子宫平滑肌瘤", "妇产科", 'F', 15, 0, .age_lo = 25, .age_hi = 60, .w_out = 10,    \
      .w_inp = 10, .drug = {C_OBGYN}, .iv = {C_ABX_IV}, .svc = C_SVC_F, .img = BUS,                \
      .surg = {"003313020030000"}, .proc = {"68.2900"}, .impl = {"可吸收性外科缝线"},              \
      .impl_qty = {2}, .anes = AN_GENERAL, .los = 6, .min_level = 2,                               \
      .flags = F_NO_L1 | F_SURG_OPT)                                                               \
    X("N83.200", "卵巢囊肿", "妇产科", 'F', 0, 0, .age_lo = 15, .age_hi = 60, .w_out = 8,          \
      .w_inp = 3, .drug = {C_OBGYN}, .svc = C_SVC_F, .img = BUS, .los = 4, .min_level = 2)         \
    X("C53.900", "宫颈恶性肿瘤", "肿瘤科", 'F', 15, 0, .age_lo = 30, .age_hi = 80, .w_chr = 5,     \
      .w_inp = 6, .drug = {C_ONCO_PO}, .iv = {C_ONCO}, .lab = C_LAB_ONCO, .svc = C_SVC_F,          \
      .img = CTE, .los = 4, .min_level = 2, .flags = F_CHEMO | F_NO_L1)                            \
    X("N40.x00", "前列腺增生", "泌尿外科", 'M', 18, 0, .age_lo = 50, .age_hi = 95, .w_out = 25,    \
      .w_chr = 15, .w_inp = 8, .w_pha = 10, .drug = {C_URO}, .iv = {C_ABX_IV}, .svc = C_SVC_M,     \
      .img = BUS, .surg = {"003312010060000"}, .proc = {"60.2900"}, .anes = AN_SPINAL, .los = 7,   \
      .min_level = 2, .flags = F_SURG_OPT)                                                         \
    X("C61.x00", "前列腺恶性肿瘤", "泌尿外科", 'M', 18, 0, .age_lo = 55, .age_hi = 95, .w_out = 3, \
      .w_chr = 8, .w_inp = 4, .w_pha = 3, .drug = {C_ONCO_PO, C_URO}, .iv = {C_ANALG_IV},          \
      .lab = C_LAB_ONCO, .svc = C_SVC_M, .img = CT, .los = 5, .min_level = 2, .flags = F_NO_L1)    \
    X("N43.300", "鞘膜积液", "泌尿外科", 'M', 0, 0, .age_lo = 0, .age_hi = 80, .w_out = 5,         \
      .w_inp = 3, .iv = {C_ABX_IV}, .img = BUS, .surg = {"003312030010000"}, .proc = {"61.4900"},  \
      .impl = {"可吸收性外科缝线"}, .impl_qty = {1}, .anes = AN_SPINAL, .los = 3, .min_level = 2)  \
    X("N20.000", "肾结石", "泌尿外科", 0, 0, 0, .age_lo = 20, .age_hi = 80, .w_out = 15,           \
      .w_inp = 8, .w_pha = 5, .drug = {C_ANALG, C_TCM}, .iv = {C_ANALG_IV, C_FLUID}, .img = BUS,   \
      .surg = {"003311010090000"}, .proc = {"55.0400"}, .anes = AN_GENERAL, .los = 6,              \
      .min_level = 2, .flags = F_SURG_OPT | F_INFUSE)                                              \
    X("N39.000", "尿路感染", "泌尿外科", 0, 0, 0, .age_lo = 3, .age_hi = 95, .w_out = 25,          \
      .w_inp = 4, .w_pha = 8, .drug = {C_ABX}, .iv = {C_ABX_IV}, .los = 5, .min_level = 1,         \
      .flags = F_INFUSE)                                                                           \
    X("C34.900", "肺恶性肿瘤", "肿瘤科", 0, 0, 0, .age_lo = 40, .age_hi = 90, .w_chr = 10,         \
      .w_inp = 15, .drug = {C_ONCO_PO, C_ANALG}, .iv = {C_ONCO}, .lab = C_LAB_ONCO, .img = CTE,    \
      .los = 4, .min_level = 2, .flags = F_CHEMO | F_NO_L1)                                        \
    X("C16.900", "胃恶性肿瘤", "肿瘤科", 0, 0, 0, .age_lo = 40, .age_hi = 90, .w_chr = 5,          \
      .w_inp = 8, .drug = {C_ONCO_PO}, .iv = {C_ONCO}, .lab = C_LAB_ONCO, .img = CTE, .los = 4,    \
      .min_level = 2, .flags = F_CHEMO | F_NO_L1)                                                  \
    X("C18.900", "结肠恶性肿瘤", "普外科", 0, 0, 0, .age_lo = 40, .age_hi = 90, .w_chr = 3,        \
      .w_inp = 6, .drug = {C_ONCO_PO}, .iv = {C_ABX_IV, C_NUTRI}, .lab = C_LAB_ONCO, .img = CTE,   \
      .surg = {"003310040120000"}, .proc = {"45.7300"},                                            \
      .impl = {"一次性使用管型消化道吻合器", "可吸收性外科缝线"}, .impl_qty = {1, 3},              \
      .anes = AN_GENERAL, .los = 12, .min_level = 3, .flags = F_MAJOR | F_NO_L1 | F_SEVERE)        \
    X("C50.900", "乳腺恶性肿瘤", "肿瘤科", 0, 0, 0, .age_lo = 30, .age_hi = 85, .w_chr = 8,        \
      .w_inp = 8, .drug = {C_ONCO_PO}, .iv = {C_ONCO}, .lab = C_LAB_ONCO, .img = CDUS, .los = 4,   \
      .min_level = 2, .flags = F_CHEMO | F_NO_L1)                                                  \
    X("C22.000", "肝细胞癌", "肿瘤科", 0, 0, 0, .age_lo = 35, .age_hi = 85, .w_chr = 3,            \
      .w_inp = 5, .drug = {C_ONCO_PO, C_ANALG}, .iv = {C_ONCO, C_NUTRI}, .lab = C_LAB_ONCO,        \
      .img = CTE, .los = 6, .min_level = 2, .flags = F_CHEMO | F_NO_L1)                            \
    X("I63.900", "脑梗死", "神经内科", 0, 0, 0, .age_lo = 45, .age_hi = 95, .w_out = 10,           \
      .w_chr = 10, .w_inp = 30, .drug = {C_CARDIO, C_NEURO}, .iv = {C_NEURO_IV, C_TCM_IV},         \
      .lab = C_LAB_CARDIO, .img = CT, .los = 12, .min_level = 1, .flags = F_SEVERE | F_TCM)        \
    X("I69.300", "脑梗死后遗症", "康复医学科", 0, 0, 0, .age_lo = 45, .age_hi = 95, .w_out = 10,   \
      .w_chr = 10, .w_inp = 10, .w_pha = 5, .drug = {C_CARDIO, C_NEURO, C_TCM}, .los = 20,         \
      .min_level = 1, .flags = F_REHAB)                                                            \
    X("G43.900", "偏头痛", "神经内科", 0, 0, 0, .age_lo = 15, .age_hi = 65, .w_out = 15,           \
      .w_pha = 5, .drug = {C_ANALG, C_NEURO}, .img = "脑电图", .min_level = 1, .flags = F_TCM)     \
    X("G20.x00", "帕金森病", "神经内科", 0, 0, 0, .age_lo = 55, .age_hi = 95, .w_out = 5,          \
      .w_chr = 10, .w_inp = 2, .w_pha = 3, .drug = {C_NEURO}, .img = MRI, .los = 8,                \
      .min_level = 2)                                                                              \
    X("G47.000", "失眠", "神经内科", 0, 0, 0, .age_lo = 20, .age_hi = 90, .w_out = 20, .w_chr = 3, \
      .w_pha = 5, .drug = {C_NEURO, C_TCM}, .min_level = 1, .flags = F_TCM)                        \
    X("N18.500", "慢性肾脏病5期", "肾内科", 0, 0, 0, .age_lo = 30, .age_hi = 90, .w_chr = 20,      \
      .w_inp = 4, .drug = {C_RENAL}, .iv = {C_RENAL}, .los = 8, .min_level = 2,                    \
      .flags = F_DIALYSIS | F_NO_L1)                                                               \
    X("N03.900", "慢性肾炎综合征", "肾内科", 0, 0, 0, .age_lo = 15, .age_hi = 75, .w_out = 5,      \
      .w_chr = 5, .w_inp = 3, .drug = {C_RENAL, C_CARDIO}, .img = BUS, .los = 8, .min_level = 2)   \
    X("H25.900", "老年性白内障", "眼科", 0, 40, 0, .age_lo = 55, .age_hi = 95, .w_out = 10,        \
      .w_inp = 10, .drug = {C_EYE}, .surg = {"003304060030000"}, .proc = {"13.4100", "13.7100"},   \
      .impl = {"人工晶状体"}, .impl_qty = {1}, .anes = AN_LOCAL, .los = 2, .min_level = 2,         \
      .flags = F_NO_L1)                                                                            \
    X("H35.300", "年龄相关性黄斑变性", "眼科", 0, 0, 0, .age_lo = 55, .age_hi = 95, .w_out = 3,    \
      .w_chr = 3, .drug = {C_EYE}, .min_level = 2, .flags = F_NO_L1)                               \
    X("H10.900", "结膜炎", "眼科", 0, 0, 0, .age_lo = 0, .age_hi = 90, .w_out = 20, .w_pha = 5,    \
      .drug = {C_EYE, C_ALLERGY}, .min_level = 1)                                                  \
    X("L30.900", "皮炎", "皮肤科", 0, 0, 0, .age_lo = 0, .age_hi = 90, .w_out = 20, .w_pha = 8,    \
      .drug = {C_ALLERGY}, .min_level = 1, .flags = F_PED | F_TCM)                                 \
    X("M81.000", "骨质疏松", "骨科", 0, 0, 0, .age_lo = 50, .age_hi = 95, .w_out = 10,             \
      .w_chr = 10, .w_pha = 8, .drug = {C_ORTHO}, .img = DR, .min_level = 1)
/* clang-format on */

#define X_DIAG(c, n, d, s, mn, un, ...) {c, n, d, s, mn, un},
#define X_COND(c, n, d, s, mn, un, ...) {__VA_ARGS__},
static const GenDiag DIAGS[] = {CONDITIONS(X_DIAG)};
static const Cond CONDS[] = {CONDITIONS(X_COND)};
#define NCONDS (sizeof CONDS / sizeof CONDS[0])

/* Departments (index used in doctor numbers). */
static const char *const DEPTS[] = {"全科医疗科", "心血管内科", "内分泌科", "呼吸内科", "消化内科",
                                    "神经内科",   "肾内科",     "儿科",     "妇产科",   "普外科",
                                    "骨科",       "泌尿外科",   "肿瘤科",   "急诊科",   "眼科",
                                    "中医科",     "康复医学科", "皮肤科"};
#define NDEPTS (sizeof DEPTS / sizeof DEPTS[0])
enum { D_GP = 0, D_PED = 7, D_ER = 13, D_TCM = 15, D_REHAB = 16 };

/* Facilities: H0001-H0012 level 3, H0013-H0052 level 2, H0053-H0172 level 1;
 * pharmacies Y0001-Y0060 (no level, department or doctor). */
enum { NFAC3 = 12, NFAC2 = 40, NFAC1 = 120, NPHARM = 60 };

static const char *const SEX_NAMES[] = {"M", "F", "U"};
enum { INS_EMPLOYEE, INS_RESIDENT, INS_WORK_INJURY, INS_MATERNITY };
static const char *const INS_NAMES[] = {"employee", "resident", "work_injury", "maternity"};
enum { CARE_OUT, CARE_CHRONIC, CARE_INP, CARE_PHARM, CARE_NET };
static const char *const CARE_NAMES[] = {"outpatient", "chronic_outpatient", "inpatient",
                                         "pharmacy", "internet"};

static const GenAnomaly ANOMALIES[GEN_AN__COUNT] = {
    [GEN_AN_SEX_DRUG] = {"sex_drug", "drug or herb limited to one sex given to the other",
                         "claims of patients with sex M or F", 10},
    [GEN_AN_SEX_SERVICE] = {"sex_service",
                            "service or consumable limited to one sex billed for the other",
                            "claims of patients with sex M or F, except pharmacy", 5},
    [GEN_AN_CHILD_DRUG] = {"child_drug", "children's drug (age_under) given to an adult",
                           "claims of patients aged 18 or more", 10},
    [GEN_AN_CHILD_SERVICE] = {"child_service", "children's service (age_under) billed for an adult",
                              "claims of patients aged 18 or more, except pharmacy", 5},
    [GEN_AN_MIN_AGE] = {"min_age", "item with a minimum age (min_age) given to a younger child",
                        "claims of patients under 15", 10},
    [GEN_AN_INSURANCE] = {"insurance",
                          "work-injury- or maternity-only item under another insurance",
                          "claims under employee or resident insurance", 10},
    [GEN_AN_FACILITY_LEVEL] = {"facility_level",
                               "item needing a higher facility level (min_facility_level)",
                               "claims at level-1 and level-2 facilities", 10},
    [GEN_AN_CARE_TYPE] = {"care_type", "inpatient-only item (only_care) on a non-inpatient claim",
                          "claims that are not inpatient", 5},
    [GEN_AN_DEPT] = {"dept", "item restricted to one department (dept_only) billed by another",
                     "claims with a department", 10},
    [GEN_AN_PER_DAY] = {"per_day", "more units of an item on one day than max_per_day",
                        "outpatient, chronic outpatient and inpatient claims", 10},
    [GEN_AN_PRICE_CEILING] = {"price_ceiling", "service line priced above price_ceiling_cents",
                              "claims other than pharmacy", 15},
    [GEN_AN_PAIR_SAME_DAY] = {"pair_same_day",
                              "two services that exclude each other (pair_code) "
                              "billed the same day",
                              "outpatient, chronic outpatient and inpatient claims", 10},
    [GEN_AN_SERVICE_CONSUMABLE] = {"service_consumable",
                                   "consumable billed with the service that includes it "
                                   "(pair_code) the same day",
                                   "outpatient, chronic outpatient and inpatient claims", 10},
    [GEN_AN_DAYS_SUPPLY] = {"days_supply", "drug line with days_supply above max_days_supply",
                            "claims that are not inpatient", 15},
    [GEN_AN_OUTSIDE_STAY] = {"outside_stay",
                             "inpatient line dated before admission or after "
                             "discharge",
                             "inpatient claims", 20},
    [GEN_AN_DIAG_SEX] = {"diag_sex", "diagnosis inconsistent with the patient's sex",
                         "claims of patients with sex M or F", 5},
    [GEN_AN_DIAG_AGE] = {"diag_age", "diagnosis inconsistent with the patient's age", "all claims",
                         5},
    [GEN_AN_READMISSION] =
        {"readmission", "same person admitted again 1-15 days after an inpatient discharge",
         "inpatient claims (the later stay is generated when it falls in the run)", 15},
};

/* ------------------------------------------------------------------------ */
/* Generator state.                                                          */

enum { MAX_LINES = 1024, MAX_DIAG = 8, MAX_PROC = 4, MAX_GUARD = 96, PEND_MAX = 4096 };
enum { OUT_CAP = 8 }; /* outpatient-type claims: 1-8 lines before anomalies */
enum { LF_ANOM = 1 }; /* line added or changed by an anomaly */
enum { K_DRUG, K_HERB, K_SERVICE, K_CONS };
enum { SEX_M, SEX_F, SEX_U };

/* Restriction violations of an item in a claim's context (item_viol). */
enum {
    V_SEX = 1 << 0,
    V_MIN_AGE = 1 << 1,
    V_AGE_UNDER = 1 << 2,
    V_INS = 1 << 3,
    V_CARE = 1 << 4,
    V_LEVEL = 1 << 5,
    V_DEPT = 1 << 6,
};

typedef struct Line {
    int64_t time;  /* seconds since 1970-01-01 (local time, no zone) */
    int64_t price; /* unit price, cents */
    int32_t qty;
    uint16_t item;
    uint16_t days;  /* days_supply, 0 = none */
    uint16_t order; /* order number within the claim, 0 = none */
    uint8_t group;  /* rx_group number, 0 = none */
    uint8_t flags;  /* LF_* */
} Line;

typedef struct Proc {
    const char *code;
    int64_t day;
    uint8_t is_main, group;
} Proc;

typedef struct Claim {
    uint64_t num, person;
    int sex, ins, care, level, dept, cond, age, los;
    unsigned facility, doctor; /* 0: none */
    int64_t birth;             /* day number */
    int64_t admit, discharge;  /* seconds, -1 when absent */
    int64_t settle, upload;
    int64_t admit_day, disc_day, t0; /* t0: start of an outpatient visit */
    int64_t total, fund;
    int ndiag, nproc, nlines, cap, nguard;
    uint16_t next_order;
    uint8_t next_group;
    uint8_t diag[MAX_DIAG];
    Proc proc[MAX_PROC];
    uint16_t guard_item[MAX_GUARD];
    int64_t guard_day[MAX_GUARD];
    Line lines[MAX_LINES];
} Claim;

typedef struct Person {
    int sex, ins;
    int64_t birth;
} Person;

/* A planned re-admission: person `person` is admitted again after claim
 * number `due`, 1-15 days after the discharge on disc_day. */
typedef struct Pending {
    uint64_t due, person;
    int64_t disc_day;
    uint16_t cond;
} Pending;

typedef struct Buf {
    char *p;
    size_t len, cap;
} Buf;

/* Catalog items the builders use by name (resolved once per run). */
typedef struct Known {
    int bed3, bed2, bed_icu, bed_nb, nurse1, nurse2, nurse3, nurse_sp, icu, nurse_nb, mouth;
    int ward, visit, visit_assoc, visit_chief, visit_er, er_monitor, visit_net, visit_tcm;
    int ivgtt, ivgtt_ped, im, ivpush, sc, neb, o2, ecgmon, spo2, dress, debride, glucose;
    int reduction, splint, dialysis, photo, nacl, budesonide, oxytocin, carboprost, epo;
    int inf_set, dress_pack, splint_mat, dial_filter, dial_tube, anes_pack, ett, suture;
    int anes_local, anes_block, anes_spinal, anes_general, anes_mon;
    int propofol, sufentanil, lidocaine, ropivacaine;
    int cbc, crp, alt, ast, cr, bun, k, na, glu, pt, aptt, tbil, hbsag, abo, ecg, dr;
    int diag_i10, diag_e11, diag_e78, diag_i25, diag_r50, diag_p59;
} Known;

typedef struct Gen {
    Rng rng;
    uint64_t seed, n, first_id, persons, i;
    GenStats *st, st_local;
    /* timeline: activity weight per day of 2025, cumulative activity seconds */
    uint32_t day_w[365];
    uint64_t day_cum[366];
    uint64_t act, act_rem, act_q, act_r;
    int tl_day;
    /* catalog indexes */
    uint8_t kind[NITEMS];
    int8_t item_dept[NITEMS]; /* -1 none, else DEPTS index (-2 unknown) */
    uint8_t item_ins[NITEMS]; /* 0 none, else INS_* + 1 */
    int16_t partner[NITEMS];  /* the item it must not share a day with, or -1 */
    uint16_t cls_off[C__COUNT + 1];
    uint16_t cls_items[NITEMS];
    uint32_t cls_cum[NITEMS];
    int16_t an_items[GEN_AN__COUNT][48];
    uint8_t an_nitems[GEN_AN__COUNT];
    int16_t pairs_svc[8][2], pairs_cons[8][2]; /* (A, B): A.pair_code == B.code */
    int npairs_svc, npairs_cons;
    int cond_dept[NCONDS];
    int16_t cond_img[NCONDS], cond_surg[NCONDS][2], cond_impl[NCONDS][2];
    Known k;
    uint32_t fac_cum[3][NFAC1], pharm_cum[NPHARM];
    Pending pend[PEND_MAX];
    int npend;
    /* rendering */
    char *frag;
    uint32_t frag_off[NITEMS][4];
    uint16_t frag_len[NITEMS][4];
    int64_t dc_day;
    char dc_text[10];
    Claim c;
} Gen;

/* ------------------------------------------------------------------------ */
/* Initialisation.                                                           */

static int find_item(const char *key) {
    for (size_t i = 0; i < NITEMS; i++)
        if (strcmp(CATALOG[i].code, key) == 0 || strcmp(CATALOG[i].name, key) == 0) return (int)i;
    return -1;
}

static int find_diag(const char *code) {
    for (size_t i = 0; i < NCONDS; i++)
        if (strcmp(DIAGS[i].code, code) == 0) return (int)i;
    return -1;
}

static int find_dept(const char *name) {
    for (size_t i = 0; i < NDEPTS; i++)
        if (strcmp(DEPTS[i], name) == 0) return (int)i;
    return -2;
}

/* Resolves the named items into g->k; returns -1 if one is missing. */
static int init_known(Gen *g) {
    Known *k = &g->k;
    /* clang-format off */
    struct {
        int *slot;
        const char *key;
    } t[] = {
        {&k->bed3, "001109000010300"}, {&k->bed2, "001109000010200"},
        {&k->bed_icu, "001109000030100"}, {&k->bed_nb, "001109000010600"},
        {&k->nurse1, "001201000030000"}, {&k->nurse2, "001201000040000"},
        {&k->nurse3, "001201000050000"}, {&k->nurse_sp, "001201000020000"},
        {&k->icu, "001201000010000"}, {&k->nurse_nb, "001201000070000"},
        {&k->mouth, "001201000140100"}, {&k->ward, "001102000050000"},
        {&k->visit, "001102000010000"}, {&k->visit_assoc, "001102000010100"},
        {&k->visit_chief, "001102000010200"}, {&k->visit_er, "001102000030000"},
        {&k->er_monitor, "001103000010000"}, {&k->visit_net, "001111000010000"},
        {&k->visit_tcm, "001102000060000"}, {&k->ivgtt, "001204000060000"},
        {&k->ivgtt_ped, "001204000070000"}, {&k->im, "001204000010000"},
        {&k->ivpush, "001204000020000"}, {&k->sc, "001204000010100"},
        {&k->neb, "001208000030000"}, {&k->o2, "001208000010000"},
        {&k->ecgmon, "003107010220000"}, {&k->spo2, "003107010280000"},
        {&k->dress, "001206000010200"}, {&k->debride, "001205000010100"},
        {&k->glucose, "002503020010100"}, {&k->reduction, "004200000010000"},
        {&k->splint, "004200000070000"}, {&k->dialysis, "003110000010000"},
        {&k->photo, "003112020120000"}, {&k->nacl, "0.9%氯化钠注射液"},
        {&k->budesonide, "吸入用布地奈德混悬液"}, {&k->oxytocin, "缩宫素注射液"},
        {&k->carboprost, "卡前列素氨丁三醇注射液"}, {&k->epo, "重组人促红素注射液"},
        {&k->inf_set, "一次性使用输液器(带针)"}, {&k->dress_pack, "一次性使用换药包"},
        {&k->splint_mat, "医用高分子夹板"}, {&k->dial_filter, "一次性使用血液透析器"},
        {&k->dial_tube, "一次性使用血液透析管路"}, {&k->anes_pack, "一次性使用麻醉穿刺包"},
        {&k->ett, "一次性使用气管插管"}, {&k->suture, "可吸收性外科缝线"},
        {&k->anes_local, "003301000010000"}, {&k->anes_block, "003301000020000"},
        {&k->anes_spinal, "003301000030000"}, {&k->anes_general, "003301000050000"},
        {&k->anes_mon, "003301000150000"}, {&k->propofol, "丙泊酚乳状注射液"},
        {&k->sufentanil, "枸橼酸舒芬太尼注射液"}, {&k->lidocaine, "盐酸利多卡因注射液"},
        {&k->ropivacaine, "盐酸罗哌卡因注射液"}, {&k->cbc, "002501010150000"},
        {&k->crp, "002504030160000"}, {&k->alt, "002503050040000"},
        {&k->ast, "002503050050000"}, {&k->cr, "002503070020000"},
        {&k->bun, "002503070010000"}, {&k->k, "002503040010000"},
        {&k->na, "002503040020000"}, {&k->glu, "002503020010000"},
        {&k->pt, "002502030010000"}, {&k->aptt, "002502030040000"},
        {&k->tbil, "002503050010000"}, {&k->hbsag, "002504030010000"},
        {&k->abo, "002502040010000"}, {&k->ecg, ECG}, {&k->dr, DR},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if ((*t[i].slot = find_item(t[i].key)) < 0) return -1;
    k->diag_i10 = find_diag("I10.x00");
    k->diag_e11 = find_diag("E11.900");
    k->diag_e78 = find_diag("E78.500");
    k->diag_i25 = find_diag("I25.100");
    k->diag_r50 = find_diag("R50.900");
    k->diag_p59 = find_diag("P59.900");
    if (k->diag_i10 < 0 || k->diag_e11 < 0 || k->diag_e78 < 0 || k->diag_i25 < 0 ||
        k->diag_r50 < 0 || k->diag_p59 < 0)
        return -1;
    return 0;
}

/* Builds the class tables with Zipf weights (1000/rank) by catalog order,
 * the per-item restriction indexes, the anomaly candidate lists and pairs. */
static int init_catalog(Gen *g) {
    uint16_t count[C__COUNT] = {0};
    for (size_t i = 0; i < NITEMS; i++) {
        const GenItem *x = &CATALOG[i];
        if (x->cls >= C__COUNT) return -1;
        count[x->cls]++;
        g->kind[i] = strcmp(x->kind, "drug") == 0      ? K_DRUG
                     : strcmp(x->kind, "herb") == 0    ? K_HERB
                     : strcmp(x->kind, "service") == 0 ? K_SERVICE
                                                       : K_CONS;
        g->item_dept[i] = x->dept_only ? (int8_t)find_dept(x->dept_only) : -1;
        g->item_ins[i] = 0;
        if (x->only_insurance)
            for (int s = 0; s < 4; s++)
                if (strcmp(x->only_insurance, INS_NAMES[s]) == 0) g->item_ins[i] = (uint8_t)(s + 1);
        g->partner[i] = -1;
    }
    g->cls_off[0] = 0;
    for (int c = 0; c < C__COUNT; c++) g->cls_off[c + 1] = (uint16_t)(g->cls_off[c] + count[c]);
    uint16_t fill[C__COUNT] = {0};
    for (size_t i = 0; i < NITEMS; i++) {
        int c = CATALOG[i].cls;
        int pos = g->cls_off[c] + fill[c];
        uint32_t w = 1000u / (uint32_t)(fill[c] + 1);
        g->cls_items[pos] = (uint16_t)i;
        g->cls_cum[pos] = (fill[c] ? g->cls_cum[pos - 1] : 0) + w;
        fill[c]++;
    }
    for (size_t i = 0; i < NITEMS; i++) {
        const GenItem *x = &CATALOG[i];
        if (!x->pair_code) continue;
        int j = find_item(x->pair_code);
        if (j < 0) return -1;
        g->partner[i] = (int16_t)j;
        g->partner[j] = (int16_t)i;
        if (g->kind[i] == K_SERVICE && g->kind[j] == K_SERVICE && g->npairs_svc < 8) {
            g->pairs_svc[g->npairs_svc][0] = (int16_t)i;
            g->pairs_svc[g->npairs_svc++][1] = (int16_t)j;
        } else if (g->npairs_cons < 8) {
            g->pairs_cons[g->npairs_cons][0] = (int16_t)i;
            g->pairs_cons[g->npairs_cons++][1] = (int16_t)j;
        }
    }
    for (size_t i = 0; i < NITEMS; i++) {
        const GenItem *x = &CATALOG[i];
        int drugish = g->kind[i] == K_DRUG || g->kind[i] == K_HERB;
        int kinds[GEN_AN__COUNT] = {0};
        kinds[GEN_AN_SEX_DRUG] = x->sex_only && drugish;
        kinds[GEN_AN_SEX_SERVICE] = x->sex_only && !drugish;
        kinds[GEN_AN_CHILD_DRUG] = x->age_under && drugish;
        kinds[GEN_AN_CHILD_SERVICE] = x->age_under && !drugish;
        kinds[GEN_AN_MIN_AGE] = x->min_age > 0;
        kinds[GEN_AN_INSURANCE] = x->only_insurance != NULL;
        kinds[GEN_AN_FACILITY_LEVEL] = x->min_facility_level > 0;
        kinds[GEN_AN_CARE_TYPE] = x->only_care != NULL;
        kinds[GEN_AN_DEPT] = x->dept_only != NULL;
        kinds[GEN_AN_DAYS_SUPPLY] = x->max_days_supply > 0 && drugish;
        kinds[GEN_AN_PER_DAY] = x->max_per_day > 0 && g->kind[i] == K_SERVICE;
        if (x->cls == C_BED || x->cls == C_NURSE || x->cls == C_WARD)
            continue; /* daily stay items */
        for (int a = 0; a < GEN_AN__COUNT; a++)
            if (kinds[a] && g->an_nitems[a] < 48) g->an_items[a][g->an_nitems[a]++] = (int16_t)i;
    }
    for (size_t c = 0; c < NCONDS; c++) {
        const Cond *cd = &CONDS[c];
        g->cond_dept[c] = find_dept(DIAGS[c].dept);
        if (g->cond_dept[c] < 0) return -1;
        g->cond_img[c] = (int16_t)(cd->img ? find_item(cd->img) : -1);
        for (int j = 0; j < 2; j++) {
            g->cond_surg[c][j] = (int16_t)(cd->surg[j] ? find_item(cd->surg[j]) : -1);
            g->cond_impl[c][j] = (int16_t)(cd->impl[j] ? find_item(cd->impl[j]) : -1);
            if ((cd->surg[j] && g->cond_surg[c][j] < 0) || (cd->impl[j] && g->cond_impl[c][j] < 0))
                return -1;
        }
        if (cd->img && g->cond_img[c] < 0) return -1;
    }
    return 0;
}

/* The year's activity curve: weekdays weigh 10, Saturdays 6, Sundays 5, the
 * Spring Festival (Jan 28 - Feb 4) 3 and the National Day week 4. */
static void init_timeline(Gen *g) {
    const int64_t first = days_from_civil(2025, 1, 1);
    g->day_cum[0] = 0;
    for (int d = 0; d < 365; d++) {
        int dow = (int)((first + d + 3) % 7); /* 0 = Monday */
        uint32_t w = dow == 5 ? 6 : dow == 6 ? 5 : 10;
        if (d >= 27 && d <= 34) w = 3;
        if (d >= 273 && d <= 279) w = 4;
        g->day_w[d] = w;
        g->day_cum[d + 1] = g->day_cum[d] + (uint64_t)w * DAY;
    }
    uint64_t total = g->day_cum[365];
    g->act = 0;
    g->act_rem = 0;
    g->act_q = total / g->n;
    g->act_r = total % g->n;
    g->tl_day = 0;
}

static void init_facilities(Gen *g) {
    const int counts[3] = {NFAC1, NFAC2, NFAC3};
    for (int l = 0; l < 3; l++) {
        uint32_t acc = 0;
        for (int f = 0; f < counts[l]; f++) g->fac_cum[l][f] = acc += 1000u / (uint32_t)(f + 1);
    }
    uint32_t acc = 0;
    for (int f = 0; f < NPHARM; f++) g->pharm_cum[f] = acc += 1000u / (uint32_t)(f + 1);
}

static size_t json_escaped(char *dst, const char *s) {
    size_t n = 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            if (dst) dst[n] = '\\', dst[n + 1] = (char)ch;
            n += 2;
        } else if (ch < 0x20) {
            static const char hex[] = "0123456789abcdef";
            if (dst)
                memcpy(dst + n, "\\u00", 4), dst[n + 4] = hex[ch >> 4], dst[n + 5] = hex[ch & 15];
            n += 6;
        } else {
            if (dst) dst[n] = (char)ch;
            n++;
        }
    }
    return n;
}

static size_t csv_escaped(char *dst, const char *s) {
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    size_t n = 0;
    if (quote) {
        if (dst) dst[n] = '"';
        n++;
    }
    for (; *s; s++) {
        if (*s == '"') {
            if (dst) dst[n] = '"';
            n++;
        }
        if (dst) dst[n] = *s;
        n++;
    }
    if (quote) {
        if (dst) dst[n] = '"';
        n++;
    }
    return n;
}

/* Appends to out (when not NULL) the pieces of one fragment; returns its length.
 * kind 0: JSON item_code/kind/name; 1: JSON dose/frequency/route;
 * kind 2: CSV code,kind,name; 3: CSV dose,frequency,route. */
static size_t render_frag(char *out, const GenItem *x, int kind) {
    size_t n = 0;
#define PUT(s)                                                                                     \
    do {                                                                                           \
        size_t l_ = strlen(s);                                                                     \
        if (out) memcpy(out + n, s, l_);                                                           \
        n += l_;                                                                                   \
    } while (0)
#define PUTJ(s) (n += json_escaped(out ? out + n : NULL, s))
#define PUTC(s) (n += csv_escaped(out ? out + n : NULL, s))
    int drugish = strcmp(x->kind, "drug") == 0 || strcmp(x->kind, "herb") == 0;
    switch (kind) {
    case 0:
        PUT("\"item_code\":\"");
        PUTJ(x->code);
        PUT("\",\"item_kind\":\"");
        PUTJ(x->kind);
        PUT("\",\"item_name\":\"");
        PUTJ(x->name);
        PUT("\"");
        break;
    case 1:
        if (!drugish) break;
        if (x->dose) {
            PUT(",\"dose\":\"");
            PUTJ(x->dose);
            PUT("\"");
        }
        if (x->frequency) {
            PUT(",\"frequency\":\"");
            PUTJ(x->frequency);
            PUT("\"");
        }
        if (x->route) {
            PUT(",\"route\":\"");
            PUTJ(x->route);
            PUT("\"");
        }
        break;
    case 2:
        PUTC(x->code);
        PUT(",");
        PUTC(x->kind);
        PUT(",");
        PUTC(x->name);
        break;
    default:
        if (drugish && x->dose) PUTC(x->dose);
        PUT(",");
        if (drugish && x->frequency) PUTC(x->frequency);
        PUT(",");
        if (drugish && x->route) PUTC(x->route);
        break;
    }
#undef PUT
#undef PUTJ
#undef PUTC
    return n;
}

static int init_frags(Gen *g) {
    size_t total = 0;
    for (size_t i = 0; i < NITEMS; i++)
        for (int k = 0; k < 4; k++) total += render_frag(NULL, &CATALOG[i], k);
    g->frag = malloc(total + 1);
    if (!g->frag) return -1;
    size_t off = 0;
    for (size_t i = 0; i < NITEMS; i++)
        for (int k = 0; k < 4; k++) {
            size_t l = render_frag(g->frag + off, &CATALOG[i], k);
            g->frag_off[i][k] = (uint32_t)off;
            g->frag_len[i][k] = (uint16_t)l;
            off += l;
        }
    return 0;
}

static void gen_free(Gen *g) {
    if (!g) return;
    free(g->frag);
    free(g);
}

static Gen *gen_new(const GenOptions *o) {
    Gen *g = calloc(1, sizeof *g);
    if (!g) {
        errno = ENOMEM;
        return NULL;
    }
    g->seed = o->seed;
    g->n = o->n ? o->n : 1;
    g->first_id = o->first_id ? o->first_id : 1;
    g->persons = o->n / 3 > 64 ? o->n / 3 : 64;
    g->st = o->stats ? o->stats : &g->st_local;
    memset(g->st, 0, sizeof *g->st);
    g->st->persons = g->persons;
    rng_seed(&g->rng, o->seed ^ 0x41726269746572ull); /* "Arbiter" */
    g->dc_day = INT64_MIN;
    if (init_known(g) || init_catalog(g) || init_frags(g)) {
        gen_free(g);
        errno = ENOMEM;
        return NULL;
    }
    init_timeline(g);
    init_facilities(g);
    return g;
}

/* ------------------------------------------------------------------------ */
/* Persons, timeline, facilities.                                            */

/* Person p's stable attributes, hashed from (seed, p).  Ages 0-95 at
 * 2025-07-01; work-injury insurance for 7% of 18-60 year olds, maternity for
 * 25% of women aged 20-42 (a few % of claims each), otherwise employee (60%
 * of adults) or resident. */
static void person_get(const Gen *g, uint64_t p, Person *out) {
    uint64_t h1 = mix64(mix64(g->seed ^ 0x5045525300000000ull) ^ (p * 0x9E3779B97F4A7C15ull));
    uint64_t h2 = mix64(h1), h3 = mix64(h2);
    unsigned v = (unsigned)(h1 % 1000);
    out->sex = v < 2 ? SEX_U : v < 497 ? SEX_M : SEX_F;
    static const struct {
        uint16_t cum;
        uint8_t lo, hi;
    } bands[] = {{20, 0, 0},    {80, 1, 5},    {160, 6, 17},  {280, 18, 29},
                 {460, 30, 44}, {680, 45, 59}, {880, 60, 74}, {1000, 75, 95}};
    unsigned u = (unsigned)((h1 >> 20) % 1000);
    int b = 0;
    while (u >= bands[b].cum) b++;
    int age = bands[b].lo + (int)(h2 % (uint64_t)(bands[b].hi - bands[b].lo + 1));
    out->birth = days_from_civil(2025 - age, 7, 1) - (int64_t)((h2 >> 32) % 365);
    unsigned r1 = (unsigned)(h3 % 1000), r2 = (unsigned)((h3 >> 16) % 1000),
             r3 = (unsigned)((h3 >> 32) % 100);
    if (age >= 18 && age <= 60 && r1 < 70)
        out->ins = INS_WORK_INJURY;
    else if (out->sex == SEX_F && age >= 20 && age <= 42 && r2 < 250)
        out->ins = INS_MATERNITY;
    else if (age >= 18 && r3 < 60)
        out->ins = INS_EMPLOYEE;
    else
        out->ins = INS_RESIDENT;
}

/* Picks a person born at least 3 days before `day`, favouring the old (who
 * claim more).  Returns the person number. */
static uint64_t pick_person(Gen *g, int64_t day, Person *p) {
    uint64_t idx = 0;
    for (int tries = 0; tries < 64; tries++) {
        idx = rng_next(&g->rng) % g->persons;
        person_get(g, idx, p);
        if (p->birth > day - 3) continue;
        int age = age_years(p->birth, day);
        unsigned acc = age < 6 ? 700 : age < 18 ? 350 : age < 45 ? 400 : age < 65 ? 700 : 1000;
        if (tries < 12 && !rng_pm(&g->rng, acc)) continue;
        return idx;
    }
    for (uint64_t j = 0; j < g->persons; j++) { /* practically unreachable */
        idx = (idx + 1) % g->persons;
        person_get(g, idx, p);
        if (p->birth <= day - 3) break;
    }
    return idx;
}

/* Activity-second -> time of day: 3% of a day's claims settle at night
 * (00-07), the rest mostly in working hours. */
static int64_t time_of_day(uint64_t o) {
    static const uint32_t B[] = {0, 2592, 38880, 44928, 79488, 86400};
    static const uint32_t W[] = {0, 25200, 43200, 48600, 64800, 86400};
    int j = 0;
    while (j < 4 && o >= B[j + 1]) j++;
    return W[j] + (int64_t)((o - B[j]) * (W[j + 1] - W[j]) / (B[j + 1] - B[j]));
}

/* The next claim's settle time: claim i gets a random point of the i-th of n
 * equal slices of the year's activity, so settle times never decrease. */
static int64_t timeline_next(Gen *g) {
    uint64_t start = g->act;
    g->act += g->act_q;
    g->act_rem += g->act_r;
    if (g->act_rem >= g->n) {
        g->act_rem -= g->n;
        g->act++;
    }
    uint64_t len = g->act - start;
    uint64_t a = start + (len ? rng_below(&g->rng, (uint32_t)len) : 0);
    if (a >= g->day_cum[365]) a = g->day_cum[365] - 1;
    while (g->tl_day < 364 && a >= g->day_cum[g->tl_day + 1]) g->tl_day++;
    uint64_t o = (a - g->day_cum[g->tl_day]) / g->day_w[g->tl_day];
    return (days_from_civil(2025, 1, 1) + g->tl_day) * DAY + time_of_day(o);
}

static int zipf_pick(Rng *r, const uint32_t *cum, int n) {
    uint32_t x = rng_below(r, cum[n - 1]);
    int i = 0;
    while (cum[i] <= x) i++;
    return i;
}

/* ------------------------------------------------------------------------ */
/* Items and lines.                                                          */

static int item_viol(const Gen *g, const Claim *c, int it) {
    const GenItem *x = &CATALOG[it];
    int v = 0;
    if (x->sex_only && (c->sex == SEX_U || SEX_NAMES[c->sex][0] != x->sex_only)) v |= V_SEX;
    if (x->min_age && c->age < x->min_age) v |= V_MIN_AGE;
    if (x->age_under && c->age >= x->age_under) v |= V_AGE_UNDER;
    if (g->item_ins[it] && g->item_ins[it] != c->ins + 1) v |= V_INS;
    if (x->only_care && c->care != CARE_INP) v |= V_CARE;
    if (x->min_facility_level && c->level < x->min_facility_level) v |= V_LEVEL;
    if (g->item_dept[it] != -1 && g->item_dept[it] != c->dept) v |= V_DEPT;
    return v;
}

static int has_item(const Claim *c, int it) {
    for (int i = 0; i < c->nlines; i++)
        if (c->lines[i].item == it) return 1;
    return 0;
}

static int has_item_on(const Claim *c, int it, int64_t day) {
    for (int i = 0; i < c->nlines; i++)
        if (c->lines[i].item == it && floor_div(c->lines[i].time, DAY) == day) return 1;
    return 0;
}

/* The unit price billed: services are cheaper at lower facility levels. */
static int64_t unit_price(const Gen *g, const Claim *c, int it) {
    int64_t p = CATALOG[it].price_cents;
    if (g->kind[it] == K_SERVICE && (c->level == 1 || c->level == 2)) {
        int64_t q = p * (c->level == 2 ? 92 : 85) / 100;
        q -= q % 10;
        if (q > 0) p = q;
    }
    return p;
}

/* Adds a line.  Clean lines respect the claim's line cap and never put an
 * item on the same day as its pair partner; anomaly lines skip both checks.
 * Returns the line index, or -1 when the line was not added. */
static int add_line(Gen *g, int it, int64_t time, int32_t qty, int days, int order, int group,
                    int anom) {
    Claim *c = &g->c;
    if (it < 0 || qty <= 0) return -1;
    if (c->nlines >= (anom ? MAX_LINES : c->cap)) return -1;
    if (g->partner[it] >= 0) {
        int64_t day = floor_div(time, DAY);
        if (!anom)
            for (int j = 0; j < c->nguard; j++)
                if (c->guard_item[j] == g->partner[it] && c->guard_day[j] == day) return -1;
        if (c->nguard >= MAX_GUARD) {
            if (!anom) return -1;
        } else {
            c->guard_item[c->nguard] = (uint16_t)it;
            c->guard_day[c->nguard++] = day;
        }
    }
    Line *l = &c->lines[c->nlines];
    l->time = time;
    l->price = unit_price(g, c, it);
    l->qty = qty;
    l->item = (uint16_t)it;
    l->days = (uint16_t)(days > 0 ? days : 0);
    l->order = (uint16_t)order;
    l->group = (uint8_t)group;
    l->flags = anom ? LF_ANOM : 0;
    return c->nlines++;
}

/* Draws a clean item of class cls for the claim (Zipf by catalog order):
 * no restriction broken, not yet on the claim.  -1 when none found. */
static int draw(Gen *g, int cls) {
    if (cls <= C_NONE || cls >= C__COUNT) return -1;
    int off = g->cls_off[cls], n = g->cls_off[cls + 1] - off;
    if (n <= 0) return -1;
    for (int tries = 0; tries < 6; tries++) {
        int it = g->cls_items[off + zipf_pick(&g->rng, g->cls_cum + off, n)];
        if (item_viol(g, &g->c, it) == 0 && !has_item(&g->c, it)) return it;
    }
    return -1;
}

static int is_single_dose(const GenItem *x) {
    return x->frequency && (strcmp(x->frequency, "st") == 0);
}

/* Quantity dispensed for `days` days of a drug or herb. */
static int32_t supply_qty(const GenItem *x, int days) {
    if (is_single_dose(x)) return 1;
    if (x->pack_days > 1) return (int32_t)((days + x->pack_days - 1) / x->pack_days);
    return (int32_t)days * (x->daily_units ? x->daily_units : 1);
}

static int clamp_days(const GenItem *x, int days) {
    if (is_single_dose(x)) return 1;
    if (x->max_days_supply && days > x->max_days_supply) days = x->max_days_supply;
    return days < 1 ? 1 : days;
}

/* Adds a dispensed drug line (days of supply); returns the line or -1. */
static int add_supply(Gen *g, int it, int64_t time, int days, int group, int anom) {
    const GenItem *x = &CATALOG[it];
    if (!anom) days = clamp_days(x, days);
    int order = g->c.care == CARE_PHARM ? 0 : ++g->c.next_order;
    return add_line(g, it, time, supply_qty(x, days), days, order, group, anom);
}

/* A random time within the outpatient visit (between t0 and settle). */
static int64_t visit_time(Gen *g) {
    const Claim *c = &g->c;
    return c->t0 + rng_range(&g->rng, 0, c->settle - c->t0);
}

/* A random time on day k of a stay (k = 0 is the admission day). */
static int64_t stay_time(Gen *g, int k) {
    const Claim *c = &g->c;
    if (k <= 0) {
        int64_t left = (c->admit_day + 1) * DAY - c->admit - 120;
        if (left > 3 * HOUR) left = 3 * HOUR;
        return c->admit + 60 + rng_range(&g->rng, 0, left > 0 ? left : 0);
    }
    return (c->admit_day + k) * DAY + 7 * HOUR + rng_range(&g->rng, 0, 5 * HOUR);
}

/* Hours of day k of a stay that lie after the admission (day 0) or 24. */
static int hours_on(const Claim *c, int k, int want) {
    if (k > 0) return want;
    int64_t left = ((c->admit_day + 1) * DAY - c->admit) / HOUR;
    if (left < 1) left = 1;
    return want < left ? want : (int)left;
}

/* ------------------------------------------------------------------------ */
/* Outpatient, chronic outpatient, pharmacy and internet claims.             */

/* A drug class of the condition (children's drugs first for children). */
static int cond_drug_class(Gen *g, const Cond *cd) {
    int n = 0, cls[3];
    for (int j = 0; j < 3; j++)
        if (cd->drug[j]) cls[n++] = cd->drug[j];
    if ((cd->flags & F_PED) && g->c.age < 14 && rng_pm(&g->rng, 600)) return C_PED;
    return n ? cls[rng_below(&g->rng, (uint32_t)n)] : C_NONE;
}

/* Adds up to ndrugs dispensed drugs of the condition's classes (acute: 3-7
 * days, chronic: 28-30); anchor_pharm falls back to common classes so that a
 * pharmacy or internet claim always has a drug. */
static void add_drugs(Gen *g, const Cond *cd, int ndrugs, int chronic, int anchor_pharm) {
    static const int fallback[] = {C_ANALG, C_TCM, C_GI};
    for (int d = 0; d < ndrugs; d++) {
        int it = draw(g, cond_drug_class(g, cd));
        if (it < 0 && d == 0 && anchor_pharm)
            for (int f = 0; f < 3 && it < 0; f++) it = draw(g, fallback[f]);
        if (it < 0) continue;
        int days = chronic ? (int)rng_range(&g->rng, 28, 30) : (int)rng_range(&g->rng, 3, 7);
        add_supply(g, it, visit_time(g), days, 1, 0);
    }
}

/* Adds one unit of a drawn service or consumable at a time within the visit.
 * (Item and time are drawn in separate statements: C leaves the order of
 * argument evaluation open, and the output must not depend on it.) */
static void add_visit_item(Gen *g, int it) {
    if (it < 0) return;
    int64_t t = visit_time(g);
    add_line(g, it, t, 1, 0, 0, 0, 0);
}

static void add_herbs(Gen *g) {
    int n = (int)rng_range(&g->rng, 5, 7), doses = (int)rng_range(&g->rng, 5, 7);
    int order = ++g->c.next_order;
    int64_t t = visit_time(g);
    for (int h = 0; h < n; h++) {
        int it = draw(g, C_HERB);
        if (it < 0) continue;
        add_line(g, it, t, supply_qty(&CATALOG[it], doses), doses, order, 2, 0);
    }
}

/* Powders and ampoules given by drip need a carrier fluid. */
static int carrier_needed(const GenItem *x) {
    return strcmp(x->route, "静脉滴注") == 0 && x->cls != C_FLUID &&
           (strcmp(x->unit, "支") == 0 || strncmp(x->name, "注射用", 9) == 0);
}

/* One-day outpatient infusion: drug, carrier, infusion service, set. */
static void add_infusion(Gen *g, const Cond *cd) {
    const Known *k = &g->k;
    int cls = cd->iv[rng_below(&g->rng, cd->iv[1] ? 2 : 1)];
    int it = draw(g, cls);
    if (it < 0 || strcmp(CATALOG[it].route, "静脉滴注") != 0) return;
    int64_t t = visit_time(g);
    int order = ++g->c.next_order;
    const GenItem *x = &CATALOG[it];
    int32_t qty = x->daily_units ? x->daily_units : 1;
    add_line(g, it, t, qty, 1, order, 2, 0);
    if (carrier_needed(x)) add_line(g, k->nacl, t, qty, 1, order, 2, 0);
    int svc = g->c.age < 14 && item_viol(g, &g->c, k->ivgtt_ped) == 0 ? k->ivgtt_ped : k->ivgtt;
    add_line(g, svc, t, 1, 0, 0, 0, 0);
    add_line(g, k->inf_set, t, 1, 0, 0, 0, 0);
}

static void build_ambulatory(Gen *g) {
    Claim *c = &g->c;
    const Cond *cd = &CONDS[c->cond];
    const Known *k = &g->k;
    Rng *r = &g->rng;
    c->cap = OUT_CAP;
    if (c->care == CARE_PHARM) {
        int n = (int)rng_range(r, 1, 3);
        int chronic = cd->w_chr > 0 && rng_pm(r, 600);
        add_drugs(g, cd, n, chronic, 1);
        return;
    }
    if (c->care == CARE_NET) {
        add_line(g, k->visit_net, visit_time(g), 1, 0, 0, 0, 0);
        add_drugs(g, cd, (int)rng_range(r, 1, 3), 1, 1);
        return;
    }
    int chronic = c->care == CARE_CHRONIC;
    /* visit fee */
    if (c->dept == D_ER) {
        if (rng_pm(r, 120)) {
            int64_t t = visit_time(g);
            add_line(g, k->er_monitor, t, 1, 0, 0, 0, 0);
            add_line(g, k->ecgmon, t, (int)rng_range(r, 2, 6), 0, 0, 0, 0);
        } else {
            add_line(g, k->visit_er, visit_time(g), 1, 0, 0, 0, 0);
        }
    } else if (rng_pm(r, chronic ? 600 : 850)) {
        int v = k->visit;
        if (c->level >= 2) {
            unsigned x = rng_below(r, 1000);
            v = x < 700 ? k->visit : x < 900 ? k->visit_assoc : k->visit_chief;
        }
        add_line(g, v, visit_time(g), 1, 0, 0, 0, 0);
    }
    if (c->dept == D_TCM && rng_pm(r, 800)) add_line(g, k->visit_tcm, visit_time(g), 1, 0, 0, 0, 0);
    /* special pathways */
    if (chronic && (cd->flags & F_DIALYSIS)) {
        int64_t t = visit_time(g);
        add_line(g, k->dialysis, t, 1, 0, 0, 0, 0);
        add_line(g, k->dial_filter, t, 1, 0, 0, 0, 0);
        add_line(g, k->dial_tube, t, 1, 0, 0, 0, 0);
        add_line(g, k->epo, t, 1, 1, ++c->next_order, 1, 0);
    }
    if (!chronic && (cd->flags & F_WOUND)) {
        int64_t t = visit_time(g);
        add_line(g, k->debride, t, 1, 0, 0, 0, 0);
        add_line(g, k->dress_pack, t, 1, 0, 0, 0, 0);
        int it = draw(g, C_INJURY);
        if (it >= 0) add_line(g, it, t, 1, 1, ++c->next_order, 1, 0);
    }
    if (!chronic && (cd->flags & F_FRACTURE)) {
        int64_t t = visit_time(g);
        add_line(g, k->dr, t, 1, 0, 0, 0, 0);
        add_line(g, k->reduction, t, 1, 0, 0, 0, 0);
        add_line(g, k->splint, t, 1, 0, 0, 0, 0);
        add_line(g, k->splint_mat, t, 1, 0, 0, 0, 0);
    }
    /* drugs or herbs */
    if (c->dept == D_TCM && rng_pm(r, 700)) {
        add_herbs(g);
        if (rng_pm(r, 300)) add_visit_item(g, draw(g, C_TCM_SVC));
    } else {
        add_drugs(g, cd, (int)rng_range(r, 1, chronic ? 4 : 3), chronic, 0);
    }
    if (!chronic && (cd->flags & F_INFUSE) && rng_pm(r, 250)) add_infusion(g, cd);
    if (!chronic && (cd->flags & F_NEB) && rng_pm(r, 300)) {
        int64_t t = visit_time(g);
        add_line(g, k->neb, t, 1, 0, 0, 0, 0);
        add_line(g, k->budesonide, t, 1, 1, ++c->next_order, 2, 0);
    }
    if ((cd->flags & F_GLUCOSE) && rng_pm(r, 300))
        add_line(g, k->glucose, visit_time(g), 1, 0, 0, 0, 0);
    /* services, labs, imaging */
    if (cd->svc && rng_pm(r, 500)) add_visit_item(g, draw(g, cd->svc));
    if (c->age < 14 && rng_pm(r, 80)) add_visit_item(g, draw(g, C_SVC_PED));
    if (rng_pm(r, chronic ? 250 : 400)) {
        int nl = (int)rng_range(r, 1, 2);
        for (int j = 0; j < nl; j++)
            add_visit_item(g, draw(g, cd->lab && rng_pm(r, 500) ? cd->lab : C_LAB));
    }
    if (g->cond_img[c->cond] >= 0 && rng_pm(r, 250) && item_viol(g, c, g->cond_img[c->cond]) == 0 &&
        !has_item(c, g->cond_img[c->cond]))
        add_line(g, g->cond_img[c->cond], visit_time(g), 1, 0, 0, 0, 0);
    if (c->nlines == 0)
        add_line(g, c->dept == D_ER ? k->visit_er : k->visit, visit_time(g), 1, 0, 0, 0, 0);
}

/* ------------------------------------------------------------------------ */
/* Inpatient claims: daily bed, nursing and ward-round lines for each day of  */
/* the stay, injection orders, labs, imaging, surgery, discharge drugs.       */

typedef struct Order {
    int item, carrier, from, to, order, group;
    int32_t qty;
} Order;

static int add_order_item(Gen *g, Order *o, int *no, int it, int from, int len) {
    Claim *c = &g->c;
    if (it < 0 || *no >= 6) return 0;
    for (int j = 0; j < *no; j++)
        if (o[j].item == it) return 0;
    const GenItem *x = &CATALOG[it];
    Order *d = &o[(*no)++];
    d->item = it;
    d->carrier = carrier_needed(x) ? g->k.nacl : -1;
    d->from = from;
    d->to = from + len - 1 < c->los - 1 ? from + len - 1 : c->los - 1;
    d->order = ++c->next_order;
    d->group = ++c->next_group;
    d->qty = is_single_dose(x) ? 1 : (x->daily_units ? x->daily_units : 1);
    return 1;
}

/* Draws an item of class cls and orders it for lo..hi days from day `from`. */
static int add_order(Gen *g, Order *o, int *no, int cls, int from, int lo, int hi) {
    int it = draw(g, cls);
    int len = (int)rng_range(&g->rng, lo, hi);
    return add_order_item(g, o, no, it, from, len);
}

static void build_inpatient(Gen *g) {
    Claim *c = &g->c;
    const Cond *cd = &CONDS[c->cond];
    const Known *k = &g->k;
    Rng *r = &g->rng;
    int los = c->los;
    c->cap = MAX_LINES - 32;
    int icu_days = (cd->flags & F_ICU) ? (int)rng_range(r, 1, los < 3 ? los : 3) : 0;
    int severe_days = (cd->flags & F_SEVERE) ? (int)rng_range(r, 2, 4) : 0;
    int newborn = (cd->flags & F_NEWBORN) != 0;
    int bed = newborn ? k->bed_nb : rng_pm(r, 800) ? k->bed3 : k->bed2;
    /* surgery: all planned surgery items must be clean for this claim */
    int surg = g->cond_surg[c->cond][0] >= 0 && (!(cd->flags & F_SURG_OPT) || rng_pm(r, 550));
    for (int j = 0; j < 2 && surg; j++) {
        if (g->cond_surg[c->cond][j] >= 0 && item_viol(g, c, g->cond_surg[c->cond][j])) surg = 0;
        if (g->cond_impl[c->cond][j] >= 0 && item_viol(g, c, g->cond_impl[c->cond][j])) surg = 0;
    }
    int sday = surg ? ((cd->flags & F_ACUTE) || los == 1 ? 0 : 1) : -1;
    /* injection orders */
    Order ord[6];
    int no = 0;
    if (cd->flags & F_CHEMO) {
        int from = los > 1 ? 1 : 0, n = (int)rng_range(r, 1, 2);
        for (int j = 0; j < n; j++) add_order(g, ord, &no, C_ONCO, from, 1, 3);
    }
    if (surg) {
        add_order(g, ord, &no, C_ABX_IV, sday, 1, 3);
        add_order(g, ord, &no, C_ANALG_IV, sday, 1, 3);
    }
    int niv = cd->iv[0] ? (int)rng_range(r, surg ? 0 : 1, 2) : 0;
    for (int j = 0; j < niv; j++) {
        int cls = cd->iv[rng_below(r, cd->iv[2] ? 3 : cd->iv[1] ? 2 : 1)];
        add_order(g, ord, &no, cls, 0, 3, 10);
    }
    if ((cd->flags & F_PREG) && c->ins == INS_MATERNITY && rng_pm(r, 400) &&
        item_viol(g, c, k->carboprost) == 0)
        add_order_item(g, ord, &no, k->carboprost, sday > 0 ? sday : 0, 1);
    if ((cd->flags & F_PREG) && item_viol(g, c, k->oxytocin) == 0)
        add_order_item(g, ord, &no, k->oxytocin, sday > 0 ? sday : 0, (int)rng_range(r, 1, 2));
    /* oral drugs for the stay, dispensed on day 0 */
    int noral = cd->drug[0] ? (int)rng_range(r, 0, 2) : 0;
    for (int j = 0; j < noral; j++) {
        int it = draw(g, cond_drug_class(g, cd));
        if (it >= 0) add_supply(g, it, stay_time(g, 0), los < 7 ? los : 7, ++c->next_group, 0);
    }
    /* rehabilitation programme */
    int rehab[3], nrehab = 0;
    if ((cd->flags & F_REHAB) && c->dept == D_REHAB)
        for (int j = 0; j < 3; j++) {
            int it = draw(g, C_REHAB);
            int dup = 0;
            for (int q = 0; q < nrehab; q++) dup |= rehab[q] == it;
            if (it >= 0 && !dup) rehab[nrehab++] = it;
        }
    for (int d = 0; d < los; d++) {
        int64_t day = c->admit_day + d;
        int icu = d < icu_days;
        add_line(g, icu ? k->bed_icu : bed, stay_time(g, d), 1, 0, 0, 0, 0);
        int nurse = k->nurse2;
        if (icu)
            nurse = k->icu;
        else if (newborn)
            nurse = k->nurse_nb;
        else if (d == sday && (cd->flags & F_MAJOR))
            nurse = k->nurse_sp;
        else if ((sday >= 0 && d >= sday && d <= sday + 2) || d < severe_days)
            nurse = k->nurse1;
        else if (los <= 3 && sday < 0 && d > 0)
            nurse = k->nurse3;
        add_line(g, nurse, stay_time(g, d), nurse == k->icu ? hours_on(c, d, 24) : 1, 0, 0, 0, 0);
        add_line(g, k->ward, stay_time(g, d), 1, 0, 0, 0, 0);
        if (!icu && d < severe_days) add_line(g, k->mouth, stay_time(g, d), 2, 0, 0, 0, 0);
        if ((cd->flags & F_CARDMON) && d < 3)
            add_line(g, k->ecgmon, stay_time(g, d), hours_on(c, d, 24), 0, 0, 0, 0);
        if ((cd->flags & F_O2) && d < 5) {
            int h = hours_on(c, d, (int)rng_range(r, 8, 24));
            int64_t t = stay_time(g, d);
            add_line(g, k->o2, t, h, 0, 0, 0, 0);
            add_line(g, k->spo2, t, h, 0, 0, 0, 0);
        }
        if ((cd->flags & F_NEB) && d < 5) {
            int64_t t = stay_time(g, d);
            add_line(g, k->neb, t, 2, 0, 0, 0, 0);
            add_line(g, k->budesonide, t, 2, 1, ++c->next_order, ++c->next_group, 0);
        }
        if (cd->flags & F_GLUCOSE) add_line(g, k->glucose, stay_time(g, d), 4, 0, 0, 0, 0);
        if (newborn && d < 3) {
            int64_t t = stay_time(g, d);
            add_line(g, k->photo, t, hours_on(c, d, (int)rng_range(r, 8, 16)), 0, 0, 0, 0);
        }
        if ((cd->flags & F_DIALYSIS) && d % 3 == 1) {
            int64_t t = stay_time(g, d);
            add_line(g, k->dialysis, t, 1, 0, 0, 0, 0);
            add_line(g, k->dial_filter, t, 1, 0, 0, 0, 0);
            add_line(g, k->dial_tube, t, 1, 0, 0, 0, 0);
        }
        if (d > 0)
            for (int j = 0; j < nrehab; j++) add_line(g, rehab[j], stay_time(g, d), 1, 0, 0, 0, 0);
        /* injection orders active today, then their administration services */
        int drip = 0, push = 0, nim = 0, nsc = 0;
        for (int j = 0; j < no; j++) {
            const Order *o = &ord[j];
            if (d < o->from || d > o->to) continue;
            const GenItem *x = &CATALOG[o->item];
            int64_t t = stay_time(g, d);
            add_line(g, o->item, t, o->qty, 1, o->order, o->group, 0);
            if (o->carrier >= 0) add_line(g, o->carrier, t, o->qty, 1, o->order, o->group, 0);
            if (strcmp(x->route, "静脉滴注") == 0)
                drip = 1;
            else if (strcmp(x->route, "静脉注射") == 0)
                push += o->qty;
            else if (strcmp(x->route, "肌肉注射") == 0)
                nim += o->qty;
            else if (strcmp(x->route, "皮下注射") == 0)
                nsc += o->qty;
        }
        int64_t t = stay_time(g, d);
        if (drip) {
            int svc = c->age < 14 && item_viol(g, c, k->ivgtt_ped) == 0 ? k->ivgtt_ped : k->ivgtt;
            add_line(g, svc, t, 1, 0, 0, 0, 0);
            add_line(g, k->inf_set, t, 1, 0, 0, 0, 0);
        }
        if (push) add_line(g, k->ivpush, t, push, 0, 0, 0, 0); /* refused on drip days */
        if (nim) add_line(g, k->im, t, nim, 0, 0, 0, 0);
        if (nsc) add_line(g, k->sc, t, nsc, 0, 0, 0, 0);
        /* labs and imaging */
        if (d == 0) {
            int panel[] = {k->cbc, k->alt, k->ast, k->cr, k->bun, k->k, k->na, k->glu};
            for (size_t j = 0; j < sizeof panel / sizeof panel[0]; j++)
                if (j < 2 || rng_pm(r, 700)) add_line(g, panel[j], stay_time(g, 0), 1, 0, 0, 0, 0);
            if (rng_pm(r, 500)) add_line(g, k->crp, stay_time(g, 0), 1, 0, 0, 0, 0);
            if (newborn) add_line(g, k->tbil, stay_time(g, 0), 1, 0, 0, 0, 0);
            if (surg) {
                int pre[] = {k->pt, k->aptt, k->abo, k->hbsag};
                for (size_t j = 0; j < 4; j++) add_line(g, pre[j], stay_time(g, 0), 1, 0, 0, 0, 0);
            }
            int nl = cd->lab ? (int)rng_range(r, 1, 3) : 0;
            for (int j = 0; j < nl; j++) {
                int it = draw(g, cd->lab);
                add_line(g, it, stay_time(g, 0), 1, 0, 0, 0, 0);
            }
        } else if (d % 3 == 2 && d < los - 1) {
            add_line(g, k->cbc, stay_time(g, d), 1, 0, 0, 0, 0);
            if (newborn)
                add_line(g, k->tbil, stay_time(g, d), 1, 0, 0, 0, 0);
            else if (rng_pm(r, 500))
                add_line(g, k->crp, stay_time(g, d), 1, 0, 0, 0, 0);
        }
        if (d == (los > 1 ? 1 : 0)) {
            int img = g->cond_img[c->cond];
            if (img >= 0 && item_viol(g, c, img) == 0)
                add_line(g, img, stay_time(g, d), 1, 0, 0, 0, 0);
            if ((c->age >= 50 || surg) && img != k->ecg)
                add_line(g, k->ecg, stay_time(g, d), 1, 0, 0, 0, 0);
            if (surg && img != k->dr) add_line(g, k->dr, stay_time(g, d), 1, 0, 0, 0, 0);
        }
        /* surgery day */
        if (d == sday) {
            int64_t ts = stay_time(g, d);
            for (int j = 0; j < 2; j++)
                if (g->cond_surg[c->cond][j] >= 0)
                    add_line(g, g->cond_surg[c->cond][j], ts, 1, 0, 0, 0, 0);
            static const int none = -1;
            int anes = cd->anes == AN_GENERAL  ? k->anes_general
                       : cd->anes == AN_SPINAL ? k->anes_spinal
                       : cd->anes == AN_BLOCK  ? k->anes_block
                       : cd->anes == AN_LOCAL  ? k->anes_local
                                               : none;
            if (anes >= 0) add_line(g, anes, ts, 1, 0, 0, 0, 0);
            if (cd->anes >= AN_BLOCK)
                add_line(g, k->anes_mon, ts, (int)rng_range(r, 2, 4), 0, 0, 0, 0);
            int order = ++c->next_order, group = ++c->next_group;
            if (cd->anes == AN_GENERAL) {
                add_line(g, k->propofol, ts, (int)rng_range(r, 1, 2), 1, order, group, 0);
                add_line(g, k->sufentanil, ts, 1, 1, order, group, 0);
                add_line(g, k->ett, ts, 1, 0, 0, 0, 0);
            } else if (cd->anes == AN_SPINAL || cd->anes == AN_BLOCK) {
                add_line(g, k->ropivacaine, ts, 1, 1, order, group, 0);
                add_line(g, k->anes_pack, ts, 1, 0, 0, 0, 0);
            } else if (cd->anes == AN_LOCAL) {
                add_line(g, k->lidocaine, ts, 1, 1, order, group, 0);
            }
            for (int j = 0; j < 2; j++)
                if (g->cond_impl[c->cond][j] >= 0)
                    add_line(g, g->cond_impl[c->cond][j], ts, cd->impl_qty[j] ? cd->impl_qty[j] : 1,
                             0, 0, 0, 0);
            for (int j = 0; j < 2 && c->nproc < MAX_PROC; j++)
                if (cd->proc[j])
                    c->proc[c->nproc++] = (Proc){cd->proc[j], day, (uint8_t)(j == 0), 1};
        }
        if (sday >= 0 && (d == sday + 2 || d == sday + 5) && d < los) {
            int64_t t2 = stay_time(g, d);
            add_line(g, k->dress, t2, 1, 0, 0, 0, 0);
            add_line(g, k->dress_pack, t2, 1, 0, 0, 0, 0);
        }
    }
    /* discharge drugs */
    if (cd->drug[0] && rng_pm(r, 600)) {
        int n = (int)rng_range(r, 1, 2);
        for (int j = 0; j < n; j++) {
            int it = draw(g, cond_drug_class(g, cd));
            if (it < 0 || CATALOG[it].route == NULL || strcmp(CATALOG[it].route, "口服") != 0)
                continue;
            add_supply(g, it, c->discharge - rng_range(r, 10 * MINUTE, 60 * MINUTE), 7,
                       ++c->next_group, 0);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Anomalies.  Each injection breaks one restriction and no other; lines it   */
/* adds or changes are flagged so later injections leave them alone.         */

static int add_diag(Claim *c, int d) {
    for (int j = 0; j < c->ndiag; j++)
        if (c->diag[j] == d) return 0;
    if (c->ndiag >= MAX_DIAG) return 0;
    c->diag[c->ndiag++] = (uint8_t)d;
    return 1;
}

static int diag_ok(const Claim *c, int d, int *sex_bad, int *age_bad) {
    const GenDiag *x = &DIAGS[d];
    *sex_bad = x->sex_only && (c->sex == SEX_U || SEX_NAMES[c->sex][0] != x->sex_only);
    *age_bad = (x->min_age && c->age < x->min_age) || (x->age_under && c->age >= x->age_under);
    return !*sex_bad && !*age_bad;
}

/* Adds a diagnosis that breaks only the sex limit (want_sex) or only the age
 * limits (!want_sex). */
static int inj_diag(Gen *g, int want_sex) {
    Claim *c = &g->c;
    uint32_t start = rng_below(&g->rng, (uint32_t)NCONDS);
    for (uint32_t j = 0; j < NCONDS; j++) {
        int d = (int)((start + j) % NCONDS), sb, ab;
        diag_ok(c, d, &sb, &ab);
        if (want_sex ? (sb && !ab) : (ab && !sb)) return add_diag(c, d);
    }
    return 0;
}

/* A time for an added line: a random day of the stay, or within the visit. */
static int64_t anchor_time(Gen *g) {
    const Claim *c = &g->c;
    if (c->care == CARE_INP) return stay_time(g, (int)rng_below(&g->rng, (uint32_t)c->los));
    return visit_time(g);
}

/* Adds an item from the anomaly's candidate list whose only violation in
 * this claim is `bit`. */
static int inj_item(Gen *g, int kind, int bit) {
    Claim *c = &g->c;
    int n = g->an_nitems[kind];
    if (!n) return 0;
    uint32_t start = rng_below(&g->rng, (uint32_t)n);
    for (int j = 0; j < n; j++) {
        int it = g->an_items[kind][(start + (uint32_t)j) % (uint32_t)n];
        if (c->care == CARE_PHARM && (g->kind[it] == K_SERVICE || g->kind[it] == K_CONS)) continue;
        if (g->partner[it] >= 0 || has_item(c, it) || item_viol(g, c, it) != bit) continue;
        const GenItem *x = &CATALOG[it];
        int64_t t = anchor_time(g);
        int l;
        if (g->kind[it] == K_DRUG || g->kind[it] == K_HERB)
            l = add_supply(g, it, t, clamp_days(x, (int)rng_range(&g->rng, 3, 7)), 1, 1);
        else
            l = add_line(g, it, t, 1, 0, 0, 0, 1);
        return l >= 0;
    }
    return 0;
}

static int inj_per_day(Gen *g) {
    Claim *c = &g->c;
    int pick = -1, seen = 0;
    for (int i = 0; i < c->nlines; i++) {
        const Line *l = &c->lines[i];
        if ((l->flags & LF_ANOM) || !CATALOG[l->item].max_per_day) continue;
        if (rng_below(&g->rng, (uint32_t)++seen) == 0) pick = i;
    }
    if (pick >= 0) {
        Line *l = &c->lines[pick];
        l->qty = CATALOG[l->item].max_per_day + (int32_t)rng_range(&g->rng, 1, 2);
        l->flags |= LF_ANOM;
        return 1;
    }
    int n = g->an_nitems[GEN_AN_PER_DAY];
    uint32_t start = rng_below(&g->rng, (uint32_t)n);
    for (int j = 0; j < n; j++) {
        int it = g->an_items[GEN_AN_PER_DAY][(start + (uint32_t)j) % (uint32_t)n];
        int cls = CATALOG[it].cls;
        if (cls == C_BED || cls == C_NURSE || cls == C_WARD) continue;
        if (g->partner[it] >= 0 || has_item(c, it) || item_viol(g, c, it)) continue;
        int32_t qty = CATALOG[it].max_per_day + (int32_t)rng_range(&g->rng, 1, 2);
        return add_line(g, it, anchor_time(g), qty, 0, 0, 0, 1) >= 0;
    }
    return 0;
}

static int inj_price(Gen *g) {
    Claim *c = &g->c;
    int pick = -1, seen = 0;
    for (int i = 0; i < c->nlines; i++) {
        const Line *l = &c->lines[i];
        if ((l->flags & LF_ANOM) || g->kind[l->item] != K_SERVICE ||
            !CATALOG[l->item].price_ceiling_cents)
            continue;
        if (rng_below(&g->rng, (uint32_t)++seen) == 0) pick = i;
    }
    if (pick < 0) {
        if (has_item(c, g->k.cbc)) return 0;
        pick = add_line(g, g->k.cbc, anchor_time(g), 1, 0, 0, 0, 1);
        if (pick < 0) return 0;
    }
    Line *l = &c->lines[pick];
    int64_t ceil = CATALOG[l->item].price_ceiling_cents;
    int64_t p = ceil + ceil * rng_range(&g->rng, 5, 50) / 100;
    p += (10 - p % 10) % 10;
    if (p <= ceil) p = ceil + 10;
    l->price = p;
    l->flags |= LF_ANOM;
    return 1;
}

/* Puts both items of a pair (a, b) on one day: next to an existing line of
 * one of them, or both new at one time. */
static int inj_pair(Gen *g, int16_t (*pairs)[2], int npairs) {
    Claim *c = &g->c;
    if (!npairs) return 0;
    uint32_t start = rng_below(&g->rng, (uint32_t)npairs);
    for (int j = 0; j < npairs; j++) {
        int a = pairs[(start + (uint32_t)j) % (uint32_t)npairs][0];
        int b = pairs[(start + (uint32_t)j) % (uint32_t)npairs][1];
        if (item_viol(g, c, a) || item_viol(g, c, b)) continue;
        for (int i = 0; i < c->nlines; i++) {
            const Line *l = &c->lines[i];
            if (l->flags & LF_ANOM) continue;
            if (l->item != a && l->item != b) continue;
            int other = l->item == a ? b : a;
            int64_t day = floor_div(l->time, DAY);
            if (has_item_on(c, other, day)) continue;
            return add_line(g, other, l->time, 1, 0, 0, 0, 1) >= 0;
        }
        if (has_item(c, a) || has_item(c, b)) continue;
        int64_t t = anchor_time(g);
        if (add_line(g, a, t, 1, 0, 0, 0, 1) < 0) return 0;
        return add_line(g, b, t, 1, 0, 0, 0, 1) >= 0;
    }
    return 0;
}

static int inj_days_supply(Gen *g) {
    Claim *c = &g->c;
    int n = g->an_nitems[GEN_AN_DAYS_SUPPLY];
    uint32_t start = rng_below(&g->rng, (uint32_t)n);
    for (int j = 0; j < n; j++) {
        int it = g->an_items[GEN_AN_DAYS_SUPPLY][(start + (uint32_t)j) % (uint32_t)n];
        if (g->partner[it] >= 0 || has_item(c, it) || item_viol(g, c, it)) continue;
        int max = CATALOG[it].max_days_supply;
        int days = max + (int)rng_range(&g->rng, 3, max > 3 ? max : 3);
        return add_supply(g, it, anchor_time(g), days, 1, 1) >= 0;
    }
    return 0;
}

static int inj_outside_stay(Gen *g) {
    Claim *c = &g->c;
    int pick = -1, seen = 0;
    for (int i = 0; i < c->nlines; i++) {
        const Line *l = &c->lines[i];
        const GenItem *x = &CATALOG[l->item];
        if ((l->flags & LF_ANOM) || x->max_per_day || g->partner[l->item] >= 0) continue;
        if (g->kind[l->item] != K_DRUG && g->kind[l->item] != K_SERVICE) continue;
        if (rng_below(&g->rng, (uint32_t)++seen) == 0) pick = i;
    }
    if (pick < 0) return 0;
    Line *l = &c->lines[pick];
    int64_t tod = l->time - floor_div(l->time, DAY) * DAY;
    int64_t day = rng_pm(&g->rng, 600) ? c->disc_day + rng_range(&g->rng, 1, 3)
                                       : c->admit_day - rng_range(&g->rng, 1, 2);
    l->time = day * DAY + tod;
    l->flags |= LF_ANOM;
    return 1;
}

/* Rolls every anomaly kind the claim is eligible for (the rolls happen in a
 * fixed order whether or not statistics are kept). */
static void inject(Gen *g) {
    Claim *c = &g->c;
    GenStats *st = g->st;
    Rng *r = &g->rng;
    int mf = c->sex != SEX_U, adult = c->age >= 18, pharm = c->care == CARE_PHARM;
    int hosp = c->care == CARE_OUT || c->care == CARE_CHRONIC || c->care == CARE_INP;
#define TRY(kind, elig, call)                                                                      \
    if (elig) {                                                                                    \
        st->eligible[kind]++;                                                                      \
        if (rng_pm(r, ANOMALIES[kind].permille) && (call)) st->injected[kind]++;                   \
    }
    TRY(GEN_AN_DIAG_SEX, mf, inj_diag(g, 1));
    TRY(GEN_AN_DIAG_AGE, 1, inj_diag(g, 0));
    TRY(GEN_AN_SEX_DRUG, mf, inj_item(g, GEN_AN_SEX_DRUG, V_SEX));
    TRY(GEN_AN_SEX_SERVICE, mf && !pharm, inj_item(g, GEN_AN_SEX_SERVICE, V_SEX));
    TRY(GEN_AN_CHILD_DRUG, adult, inj_item(g, GEN_AN_CHILD_DRUG, V_AGE_UNDER));
    TRY(GEN_AN_CHILD_SERVICE, adult && !pharm, inj_item(g, GEN_AN_CHILD_SERVICE, V_AGE_UNDER));
    TRY(GEN_AN_MIN_AGE, c->age < 15, inj_item(g, GEN_AN_MIN_AGE, V_MIN_AGE));
    TRY(GEN_AN_INSURANCE, c->ins == INS_EMPLOYEE || c->ins == INS_RESIDENT,
        inj_item(g, GEN_AN_INSURANCE, V_INS));
    TRY(GEN_AN_FACILITY_LEVEL, c->level == 1 || c->level == 2,
        inj_item(g, GEN_AN_FACILITY_LEVEL, V_LEVEL));
    TRY(GEN_AN_CARE_TYPE, c->care != CARE_INP, inj_item(g, GEN_AN_CARE_TYPE, V_CARE));
    TRY(GEN_AN_DEPT, c->dept >= 0, inj_item(g, GEN_AN_DEPT, V_DEPT));
    TRY(GEN_AN_PER_DAY, hosp, inj_per_day(g));
    TRY(GEN_AN_PRICE_CEILING, !pharm, inj_price(g));
    TRY(GEN_AN_PAIR_SAME_DAY, hosp, inj_pair(g, g->pairs_svc, g->npairs_svc));
    TRY(GEN_AN_SERVICE_CONSUMABLE, hosp, inj_pair(g, g->pairs_cons, g->npairs_cons));
    TRY(GEN_AN_DAYS_SUPPLY, c->care != CARE_INP, inj_days_supply(g));
    TRY(GEN_AN_OUTSIDE_STAY, c->care == CARE_INP, inj_outside_stay(g));
#undef TRY
}

/* ------------------------------------------------------------------------ */
/* Assembling one claim.                                                     */

/* A condition for this care type and person, weighted; -1 when none fits. */
static int pick_cond(Gen *g, int care, const Person *p, int age, int64_t days_old) {
    uint32_t w[NCONDS], total = 0;
    for (size_t i = 0; i < NCONDS; i++) {
        const Cond *cd = &CONDS[i];
        const GenDiag *d = &DIAGS[i];
        uint32_t wt = care == CARE_OUT     ? cd->w_out
                      : care == CARE_INP   ? cd->w_inp
                      : care == CARE_PHARM ? cd->w_pha
                                           : cd->w_chr;
        w[i] = 0;
        if (!wt) continue;
        if (d->sex_only && (p->sex == SEX_U || SEX_NAMES[p->sex][0] != d->sex_only)) continue;
        if ((d->min_age && age < d->min_age) || (d->age_under && age >= d->age_under)) continue;
        if (cd->flags & F_NEWBORN) {
            if (days_old < 3 || days_old > 90) continue;
        } else if (days_old < 35 || age < cd->age_lo || age > cd->age_hi) {
            continue;
        }
        if (p->ins == INS_MATERNITY && (cd->flags & F_PREG)) wt *= 40;
        if (p->ins == INS_WORK_INJURY && (cd->flags & F_INJURY)) wt *= 40;
        w[i] = wt;
        total += wt;
    }
    if (!total) return -1;
    uint32_t x = rng_below(&g->rng, total);
    for (size_t i = 0; i < NCONDS; i++) {
        if (x < w[i]) return (int)i;
        x -= w[i];
    }
    return -1;
}

static void add_comorbidities(Gen *g) {
    Claim *c = &g->c;
    if (c->age < 45 || !rng_pm(&g->rng, 350) || (CONDS[c->cond].flags & F_PREG)) return;
    const int pool[] = {g->k.diag_i10, g->k.diag_e11, g->k.diag_e78, g->k.diag_i25};
    int n = (int)rng_range(&g->rng, 1, 2);
    for (int j = 0; j < n; j++) add_diag(c, pool[rng_below(&g->rng, 4)]);
}

/* Tries to use the first due re-admission for this claim; fills person and
 * condition and returns 1, or 0 (the claim is an ordinary one). */
static int take_readmission(Gen *g, int64_t disc_day, Person *p) {
    while (g->npend > 0 && g->pend[0].due <= g->i) {
        Pending *pd = &g->pend[0];
        int64_t gap = disc_day - pd->disc_day;
        if (gap < 2) return 0; /* too early: wait for a later claim */
        if (gap > 45) {        /* too late to be a re-admission: drop it */
            memmove(g->pend, g->pend + 1, (size_t)--g->npend * sizeof *g->pend);
            continue;
        }
        Claim *c = &g->c;
        c->person = pd->person;
        c->cond = pd->cond;
        person_get(g, pd->person, p);
        int64_t lo = gap - 15 > 1 ? gap - 15 : 1, hi = gap - 1 < 30 ? gap - 1 : 30;
        c->los = (int)rng_range(&g->rng, lo, hi < lo + 10 ? hi : lo + 10);
        memmove(g->pend, g->pend + 1, (size_t)--g->npend * sizeof *g->pend);
        return 1;
    }
    return 0;
}

static void schedule_readmission(Gen *g) {
    Claim *c = &g->c;
    if (CONDS[c->cond].flags & (F_NEWBORN | F_PREG)) return;
    g->st->eligible[GEN_AN_READMISSION]++;
    if (!rng_pm(&g->rng, ANOMALIES[GEN_AN_READMISSION].permille)) return;
    uint64_t gap_days = (uint64_t)rng_range(&g->rng, 3, 13);
    uint64_t ahead = gap_days * g->n / 365;
    if (g->npend >= PEND_MAX) return;
    Pending pd = {g->i + (ahead ? ahead : 1), c->person, c->disc_day, (uint16_t)c->cond};
    int at = g->npend;
    while (at > 0 && g->pend[at - 1].due > pd.due) at--;
    memmove(g->pend + at + 1, g->pend + at, (size_t)(g->npend - at) * sizeof *g->pend);
    g->pend[at] = pd;
    g->npend++;
}

/* Fund share: by insurance, care type and facility level, after the
 * inpatient deductible. */
static int64_t fund_amount(const Claim *c) {
    static const int16_t ratio[2][5][3] = {
        /* employee: outpatient, chronic, inpatient, pharmacy, internet x level 1..3 */
        {{600, 550, 500}, {800, 800, 800}, {900, 870, 850}, {500, 500, 500}, {600, 600, 600}},
        /* resident */
        {{500, 450, 400}, {600, 600, 600}, {750, 700, 600}, {400, 400, 400}, {500, 500, 500}},
    };
    static const int64_t deductible[2][3] = {{30000, 60000, 90000}, {20000, 50000, 80000}};
    if (c->ins == INS_WORK_INJURY || c->ins == INS_MATERNITY) return c->total;
    int lv = c->level >= 1 ? c->level - 1 : 0;
    int64_t base = c->total;
    if (c->care == CARE_INP) base -= deductible[c->ins][lv];
    if (base <= 0) return 0;
    return base * ratio[c->ins][c->care][lv] / 1000;
}

static void sort_lines(Claim *c) {
    for (int i = 1; i < c->nlines; i++) {
        Line x = c->lines[i];
        int j = i;
        while (j > 0 && c->lines[j - 1].time > x.time) {
            c->lines[j] = c->lines[j - 1];
            j--;
        }
        c->lines[j] = x;
    }
}

/* Builds claim number g->i into g->c. */
static void build_claim(Gen *g) {
    Claim *c = &g->c;
    Rng *r = &g->rng;
    c->num = g->first_id + g->i;
    c->ndiag = c->nproc = c->nlines = c->nguard = 0;
    c->next_order = 0;
    c->next_group = 0;
    c->admit = c->discharge = -1;
    c->facility = c->doctor = 0;
    c->dept = -1;
    c->settle = timeline_next(g);
    int64_t sday = floor_div(c->settle, DAY), stod = c->settle - sday * DAY;
    /* an inpatient discharge before the settlement (the night before when
     * settled early in the morning) */
    int64_t disc = stod >= 9 * HOUR + 30 * MINUTE
                       ? sday * DAY + 9 * HOUR + rng_range(r, 0, stod - 9 * HOUR - 10 * MINUTE)
                       : (sday - 1) * DAY + 14 * HOUR + rng_range(r, 0, 4 * HOUR);
    Person p;
    int readmit = take_readmission(g, floor_div(disc, DAY), &p);
    if (readmit) {
        c->care = CARE_INP;
    } else {
        unsigned x = rng_below(r, 1000);
        c->care = x < 600   ? CARE_OUT
                  : x < 750 ? CARE_CHRONIC
                  : x < 900 ? CARE_INP
                  : x < 970 ? CARE_PHARM
                            : CARE_NET;
        c->cond = -1;
        for (int tries = 0; tries < 12 && c->cond < 0; tries++) {
            c->person = pick_person(g, sday, &p);
            c->cond = pick_cond(g, c->care, &p, age_years(p.birth, sday), sday - p.birth);
        }
        if (c->cond < 0) {
            c->care = CARE_OUT;
            c->cond = sday - p.birth < 35 ? g->k.diag_p59 : g->k.diag_r50;
        }
    }
    const Cond *cd = &CONDS[c->cond];
    c->sex = p.sex;
    c->birth = p.birth;
    c->ins = p.ins;
    /* facility level, facility, department, doctor */
    if (c->care == CARE_PHARM) {
        c->level = 0;
        c->facility = 1 + (unsigned)zipf_pick(r, g->pharm_cum, NPHARM);
    } else {
        int lv = 3;
        unsigned x = rng_below(r, 1000);
        if (c->care == CARE_OUT)
            lv = x < 300 ? 1 : x < 600 ? 2 : 3;
        else if (c->care == CARE_CHRONIC)
            lv = x < 350 ? 1 : x < 650 ? 2 : 3;
        else if (c->care == CARE_INP)
            lv = x < 80 ? 1 : x < 450 ? 2 : 3;
        if ((cd->flags & F_NO_L1) && lv == 1) lv = 2;
        if (c->care == CARE_INP && lv < cd->min_level) lv = cd->min_level;
        c->level = lv;
        if (lv == 3)
            c->facility = 1 + (unsigned)zipf_pick(r, g->fac_cum[2], NFAC3);
        else if (lv == 2)
            c->facility = 1 + NFAC3 + (unsigned)zipf_pick(r, g->fac_cum[1], NFAC2);
        else
            c->facility = 1 + NFAC3 + NFAC2 + (unsigned)zipf_pick(r, g->fac_cum[0], NFAC1);
        int dept = g->cond_dept[c->cond];
        int age_now = age_years(c->birth, sday);
        if ((cd->flags & F_PED) && age_now < 14 && lv >= 2) dept = D_PED;
        if (lv == 1 && dept != D_TCM && dept != D_REHAB) dept = D_GP;
        if ((cd->flags & F_TCM) && c->care != CARE_INP && rng_pm(r, 200)) dept = D_TCM;
        c->dept = dept;
        c->doctor = c->facility * 64 + (unsigned)dept * 3 + 1 + rng_below(r, 3);
    }
    /* times */
    if (c->care == CARE_INP) {
        c->discharge = disc;
        c->disc_day = floor_div(disc, DAY);
        if (!readmit) {
            int m = cd->los ? cd->los : 5;
            int los = (int)rng_range(r, m / 2 > 1 ? m / 2 : 1, m + m / 2);
            if (rng_pm(r, 50)) los *= 2;
            c->los = los < 1 ? 1 : los > 30 ? 30 : los;
        }
        if (c->disc_day - c->los <= c->birth) c->los = (int)(c->disc_day - c->birth - 1);
        if (c->los < 1) c->los = 1;
        c->admit_day = c->disc_day - c->los;
        int64_t tod = (cd->flags & F_ACUTE) ? rng_range(r, 30 * MINUTE, 22 * HOUR + 30 * MINUTE)
                                            : rng_range(r, 7 * HOUR + 30 * MINUTE, 17 * HOUR);
        c->admit = c->admit_day * DAY + tod;
        c->age = age_years(c->birth, c->admit_day);
    } else {
        int64_t back = c->care == CARE_PHARM ? rng_range(r, 2 * MINUTE, 15 * MINUTE)
                       : c->care == CARE_NET ? rng_range(r, 5 * MINUTE, 30 * MINUTE)
                                             : rng_range(r, 10 * MINUTE, 120 * MINUTE);
        c->t0 = c->settle - back;
        if (c->care != CARE_PHARM) c->admit = c->t0;
        c->age = age_years(c->birth, floor_div(c->care == CARE_PHARM ? c->settle : c->t0, DAY));
        c->los = 0;
    }
    if (c->age < 0) c->age = 0;
    /* lines, diagnoses, anomalies */
    c->diag[c->ndiag++] = (uint8_t)c->cond;
    if (c->care == CARE_INP)
        build_inpatient(g);
    else
        build_ambulatory(g);
    add_comorbidities(g);
    inject(g);
    sort_lines(c);
    c->total = 0;
    for (int i = 0; i < c->nlines; i++) c->total += c->lines[i].price * c->lines[i].qty;
    c->fund = fund_amount(c);
    c->upload = c->settle + (rng_pm(r, 800) ? rng_range(r, 10 * MINUTE, 6 * HOUR)
                                            : rng_range(r, 6 * HOUR, 3 * DAY));
    if (readmit)
        g->st->injected[GEN_AN_READMISSION]++;
    else if (c->care == CARE_INP)
        schedule_readmission(g);
    g->st->claims++;
    g->st->lines += (uint64_t)c->nlines;
    g->st->by_care[c->care]++;
}

/* ------------------------------------------------------------------------ */
/* Rendering.  Each claim is rendered into a buffer grown to fit once.       */

static int buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->len + extra) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

#define LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) + sizeof(s) - 1)

static char *put_str(char *p, const char *s) {
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static char *put_u64(char *p, uint64_t v, int width) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width) tmp[n++] = '0';
    while (n) *p++ = tmp[--n];
    return p;
}

static char *put_money(char *p, int64_t cents) {
    if (cents < 0) {
        *p++ = '-';
        cents = -cents;
    }
    p = put_u64(p, (uint64_t)(cents / 100), 1);
    *p++ = '.';
    return put_u64(p, (uint64_t)(cents % 100), 2);
}

static char *put_date(Gen *g, char *p, int64_t day) {
    if (day != g->dc_day) {
        int64_t y;
        unsigned m, d;
        civil_from_days(day, &y, &m, &d);
        char *q = put_u64(g->dc_text, (uint64_t)y, 4);
        *q++ = '-';
        q = put_u64(q, m, 2);
        *q++ = '-';
        put_u64(q, d, 2);
        g->dc_day = day;
    }
    memcpy(p, g->dc_text, 10);
    return p + 10;
}

static char *put_time(Gen *g, char *p, int64_t t) {
    int64_t day = floor_div(t, DAY), s = t - day * DAY;
    p = put_date(g, p, day);
    *p++ = 'T';
    p = put_u64(p, (uint64_t)(s / HOUR), 2);
    *p++ = ':';
    p = put_u64(p, (uint64_t)(s / MINUTE % 60), 2);
    *p++ = ':';
    return put_u64(p, (uint64_t)(s % 60), 2);
}

static char *put_frag(const Gen *g, char *p, int it, int k) {
    memcpy(p, g->frag + g->frag_off[it][k], g->frag_len[it][k]);
    return p + g->frag_len[it][k];
}

static char *put_order(char *p, const Claim *c, int order) {
    *p++ = 'O';
    p = put_u64(p, c->num, 8);
    return put_u64(p, (uint64_t)order, 3);
}

static char *put_facility(char *p, const Claim *c) {
    *p++ = c->care == CARE_PHARM ? 'Y' : 'H';
    return put_u64(p, c->facility, 4);
}

static size_t claim_bound(const Claim *c) {
    return 2048 + (size_t)c->nlines * 768;
}

static int render_json(Gen *g, Buf *b) {
    const Claim *c = &g->c;
    if (buf_reserve(b, claim_bound(c))) return -1;
    char *p = b->p + b->len;
    p = LIT(p, "{\"claim_id\":\"C");
    p = put_u64(p, c->num, 8);
    p = LIT(p, "\",\"person_id\":\"P");
    p = put_u64(p, c->person + 1, 7);
    p = LIT(p, "\",\"sex\":\"");
    p = put_str(p, SEX_NAMES[c->sex]);
    p = LIT(p, "\",\"birth_date\":\"");
    p = put_date(g, p, c->birth);
    p = LIT(p, "\",\"insurance_type\":\"");
    p = put_str(p, INS_NAMES[c->ins]);
    p = LIT(p, "\",\"care_type\":\"");
    p = put_str(p, CARE_NAMES[c->care]);
    p = LIT(p, "\",\"facility_id\":\"");
    p = put_facility(p, c);
    *p++ = '"';
    if (c->level) {
        p = LIT(p, ",\"facility_level\":");
        *p++ = (char)('0' + c->level);
    }
    if (c->dept >= 0) {
        p = LIT(p, ",\"dept\":\"");
        p = put_str(p, DEPTS[c->dept]);
        *p++ = '"';
    }
    if (c->doctor) {
        p = LIT(p, ",\"doctor\":\"D");
        p = put_u64(p, c->doctor, 5);
        *p++ = '"';
    }
    if (c->admit >= 0) {
        p = LIT(p, ",\"admit_time\":\"");
        p = put_time(g, p, c->admit);
        *p++ = '"';
    }
    if (c->discharge >= 0) {
        p = LIT(p, ",\"discharge_time\":\"");
        p = put_time(g, p, c->discharge);
        *p++ = '"';
    }
    p = LIT(p, ",\"settle_time\":\"");
    p = put_time(g, p, c->settle);
    p = LIT(p, "\",\"upload_time\":\"");
    p = put_time(g, p, c->upload);
    p = LIT(p, "\",\"total_amount\":\"");
    p = put_money(p, c->total);
    p = LIT(p, "\",\"fund_amount\":\"");
    p = put_money(p, c->fund);
    p = LIT(p, "\",\"diagnoses\":[");
    for (int i = 0; i < c->ndiag; i++) {
        if (i) *p++ = ',';
        p = LIT(p, "{\"code\":\"");
        p = put_str(p, DIAGS[c->diag[i]].code);
        p = i == 0 ? LIT(p, "\",\"is_main\":true}") : LIT(p, "\",\"is_main\":false}");
    }
    p = LIT(p, "],\"procedures\":[");
    for (int i = 0; i < c->nproc; i++) {
        const Proc *pr = &c->proc[i];
        if (i) *p++ = ',';
        p = LIT(p, "{\"code\":\"");
        p = put_str(p, pr->code);
        p = LIT(p, "\",\"date\":\"");
        p = put_date(g, p, pr->day);
        p = pr->is_main ? LIT(p, "\",\"is_main\":true") : LIT(p, "\",\"is_main\":false");
        p = LIT(p, ",\"incision_group\":");
        p = put_u64(p, pr->group, 1);
        *p++ = '}';
    }
    p = LIT(p, "],\"lines\":[");
    for (int i = 0; i < c->nlines; i++) {
        const Line *l = &c->lines[i];
        if (i) *p++ = ',';
        p = LIT(p, "{\"line_no\":");
        p = put_u64(p, (uint64_t)i + 1, 1);
        *p++ = ',';
        p = put_frag(g, p, l->item, 0);
        p = LIT(p, ",\"time\":\"");
        p = put_time(g, p, l->time);
        p = LIT(p, "\",\"quantity\":");
        p = put_u64(p, (uint64_t)l->qty, 1);
        p = LIT(p, ",\"unit_price\":\"");
        p = put_money(p, l->price);
        p = LIT(p, "\",\"amount\":\"");
        p = put_money(p, l->price * l->qty);
        *p++ = '"';
        if (c->dept >= 0) {
            p = LIT(p, ",\"dept\":\"");
            p = put_str(p, DEPTS[c->dept]);
            *p++ = '"';
        }
        if (c->doctor) {
            p = LIT(p, ",\"doctor\":\"D");
            p = put_u64(p, c->doctor, 5);
            *p++ = '"';
        }
        if (l->days) {
            p = LIT(p, ",\"days_supply\":");
            p = put_u64(p, l->days, 1);
        }
        p = put_frag(g, p, l->item, 1);
        if (l->order) {
            p = LIT(p, ",\"order_no\":\"");
            p = put_order(p, c, l->order);
            *p++ = '"';
        }
        if (l->group) {
            p = LIT(p, ",\"rx_group\":\"G");
            p = put_u64(p, l->group, 1);
            *p++ = '"';
        }
        *p++ = '}';
    }
    p = LIT(p, "]}\n");
    b->len = (size_t)(p - b->p);
    return 0;
}

static char *put_claim_id(char *p, const Claim *c) {
    *p++ = 'C';
    return put_u64(p, c->num, 8);
}

/* The four CSV files' rows for the claim: b[0] claims, b[1] lines,
 * b[2] diagnoses, b[3] procedures. */
static int render_csv(Gen *g, Buf b[4]) {
    const Claim *c = &g->c;
    if (buf_reserve(&b[0], 1024) || buf_reserve(&b[1], (size_t)c->nlines * 768 + 64) ||
        buf_reserve(&b[2], 64 * MAX_DIAG) || buf_reserve(&b[3], 96 * MAX_PROC))
        return -1;
    char *p = b[0].p + b[0].len;
    p = put_claim_id(p, c);
    p = LIT(p, ",P");
    p = put_u64(p, c->person + 1, 7);
    *p++ = ',';
    p = put_str(p, SEX_NAMES[c->sex]);
    *p++ = ',';
    p = put_date(g, p, c->birth);
    *p++ = ',';
    p = put_str(p, INS_NAMES[c->ins]);
    *p++ = ',';
    p = put_str(p, CARE_NAMES[c->care]);
    *p++ = ',';
    p = put_facility(p, c);
    *p++ = ',';
    if (c->level) *p++ = (char)('0' + c->level);
    *p++ = ',';
    if (c->dept >= 0) p = put_str(p, DEPTS[c->dept]);
    *p++ = ',';
    if (c->doctor) *p++ = 'D', p = put_u64(p, c->doctor, 5);
    *p++ = ',';
    if (c->admit >= 0) p = put_time(g, p, c->admit);
    *p++ = ',';
    if (c->discharge >= 0) p = put_time(g, p, c->discharge);
    *p++ = ',';
    p = put_time(g, p, c->settle);
    *p++ = ',';
    p = put_time(g, p, c->upload);
    *p++ = ',';
    p = put_money(p, c->total);
    *p++ = ',';
    p = put_money(p, c->fund);
    *p++ = '\n';
    b[0].len = (size_t)(p - b[0].p);

    p = b[1].p + b[1].len;
    for (int i = 0; i < c->nlines; i++) {
        const Line *l = &c->lines[i];
        p = put_claim_id(p, c);
        *p++ = ',';
        p = put_u64(p, (uint64_t)i + 1, 1);
        *p++ = ',';
        p = put_frag(g, p, l->item, 2);
        *p++ = ',';
        p = put_time(g, p, l->time);
        *p++ = ',';
        p = put_u64(p, (uint64_t)l->qty, 1);
        *p++ = ',';
        p = put_money(p, l->price);
        *p++ = ',';
        p = put_money(p, l->price * l->qty);
        *p++ = ',';
        if (c->dept >= 0) p = put_str(p, DEPTS[c->dept]);
        *p++ = ',';
        if (c->doctor) *p++ = 'D', p = put_u64(p, c->doctor, 5);
        *p++ = ',';
        if (l->days) p = put_u64(p, l->days, 1);
        *p++ = ',';
        p = put_frag(g, p, l->item, 3);
        *p++ = ',';
        if (l->order) p = put_order(p, c, l->order);
        *p++ = ',';
        if (l->group) *p++ = 'G', p = put_u64(p, l->group, 1);
        *p++ = '\n';
    }
    b[1].len = (size_t)(p - b[1].p);

    p = b[2].p + b[2].len;
    for (int i = 0; i < c->ndiag; i++) {
        p = put_claim_id(p, c);
        *p++ = ',';
        p = put_str(p, DIAGS[c->diag[i]].code);
        p = i == 0 ? LIT(p, ",true\n") : LIT(p, ",false\n");
    }
    b[2].len = (size_t)(p - b[2].p);

    p = b[3].p + b[3].len;
    for (int i = 0; i < c->nproc; i++) {
        const Proc *pr = &c->proc[i];
        p = put_claim_id(p, c);
        *p++ = ',';
        p = put_str(p, pr->code);
        *p++ = ',';
        p = put_date(g, p, pr->day);
        p = pr->is_main ? LIT(p, ",true,") : LIT(p, ",false,");
        p = put_u64(p, pr->group, 1);
        *p++ = '\n';
    }
    b[3].len = (size_t)(p - b[3].p);
    return 0;
}

/* Writes out the buffer; returns -1 (errno set) on a short write. */
static int flush(Buf *b, FILE *f) {
    if (b->len && fwrite(b->p, 1, b->len, f) != b->len) {
        if (!errno) errno = EIO;
        return -1;
    }
    b->len = 0;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Public functions.                                                         */

enum { FLUSH_AT = 1 << 16 };

int gen_claims_jsonl(FILE *out, const GenOptions *o) {
    if (!out || !o) {
        errno = EINVAL;
        return -1;
    }
    Gen *g = gen_new(o);
    if (!g) return -1;
    Buf b = {0};
    int rc = 0;
    for (g->i = 0; g->i < o->n && rc == 0; g->i++) {
        build_claim(g);
        rc = render_json(g, &b);
        if (rc == 0 && b.len >= FLUSH_AT) rc = flush(&b, out);
    }
    if (rc == 0) rc = flush(&b, out);
    if (rc == 0 && fflush(out) != 0) rc = -1;
    if (rc == 0 && ferror(out)) {
        if (!errno) errno = EIO;
        rc = -1;
    }
    free(b.p);
    gen_free(g);
    return rc;
}

static const char *const CSV_FILES[4] = {"claims.csv", "lines.csv", "diagnoses.csv",
                                         "procedures.csv"};
static const char *const CSV_HEADERS[4] = {
    "claim_id,person_id,sex,birth_date,insurance_type,care_type,facility_id,facility_level,dept,"
    "doctor,admit_time,discharge_time,settle_time,upload_time,total_amount,fund_amount\n",
    "claim_id,line_no,item_code,item_kind,item_name,time,quantity,unit_price,amount,dept,doctor,"
    "days_supply,dose,frequency,route,order_no,rx_group\n",
    "claim_id,code,is_main\n",
    "claim_id,code,date,is_main,incision_group\n",
};

int gen_claims_csv(const char *dir, const GenOptions *o) {
    if (!dir || !o) {
        errno = EINVAL;
        return -1;
    }
    OutFile f[4]; /* each replaced whole at the end, or left (outfile.h) */
    for (int k = 0; k < 4; k++) outf_init(&f[k]);
    Buf b[4];
    memset(b, 0, sizeof b);
    int rc = 0, saved = 0;
    size_t dl = strlen(dir);
    char *path = malloc(dl + 32);
    Gen *g = path ? gen_new(o) : NULL;
    if (!path || !g) {
        free(path);
        if (!errno) errno = ENOMEM;
        return -1;
    }
    for (int k = 0; k < 4 && rc == 0; k++) {
        memcpy(path, dir, dl);
        path[dl] = '/';
        strcpy(path + dl + 1, CSV_FILES[k]);
        int err = outf_open(&f[k], path, mem_default());
        if (!err) err = outf_write(&f[k], CSV_HEADERS[k], strlen(CSV_HEADERS[k]));
        if (err) errno = err, rc = -1;
    }
    for (g->i = 0; g->i < o->n && rc == 0; g->i++) {
        build_claim(g);
        rc = render_csv(g, b);
        for (int k = 0; k < 4 && rc == 0; k++)
            if (b[k].len >= FLUSH_AT) rc = flush(&b[k], f[k].f);
    }
    for (int k = 0; k < 4 && rc == 0; k++) rc = flush(&b[k], f[k].f);
    if (rc) saved = errno;
    for (int k = 0; k < 4; k++) {
        int err = rc == 0 ? outf_commit(&f[k], 0) : 0;
        if (rc) outf_abort(&f[k]);
        if (err) {
            rc = -1;
            saved = err;
        }
        free(b[k].p);
    }
    free(path);
    gen_free(g);
    if (rc) errno = saved ? saved : EIO;
    return rc;
}

const GenItem *gen_catalog(size_t *count) {
    if (count) *count = NITEMS;
    return CATALOG;
}

const GenItem *gen_item_by_code(const char *code) {
    int i = code ? find_item(code) : -1;
    return i >= 0 && strcmp(CATALOG[i].code, code) == 0 ? &CATALOG[i] : NULL;
}

const GenDiag *gen_diagnoses(size_t *count) {
    if (count) *count = NCONDS;
    return DIAGS;
}

const GenAnomaly *gen_anomalies(size_t *count) {
    if (count) *count = GEN_AN__COUNT;
    return ANOMALIES;
}
