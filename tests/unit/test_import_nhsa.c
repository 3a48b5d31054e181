/* test_import_nhsa.c — tests of import/import_nhsa.c, the importer behind
 * `arbiter import nhsa`.
 *
 * import_nhsa.c is not in libarbiter (the CLI links it as arbiter_import), so
 * it is compiled in here (#include "import_nhsa.c"; the import directory is on
 * the include path), and its internals are tested too.
 *
 * What is checked, on literal knowledge-point texts written here: the
 * derivation of every parameter (sex, child and other age limits, newborn
 * days, units per day, course days such as 支付不超过14天, periods, A×B pairs,
 * surgery groups, insurance type, care type, facility level, department,
 * indications) and the reasons given when one cannot be derived; item codes
 * as table keys; the strict JSON reader's errors with line and column; and a
 * whole import into a temporary directory (tables with the stdlib's columns,
 * library.rules, a category file of its own, incomplete.csv). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "import_nhsa.c"

static const char *const TWO_CODES[] = {"003102060070100", "002503040010100"};
static const char *const ONE_CODE[] = {"XL02BBA326A001010102180"};

/* Derives the parameters of a knowledge point of category cls; returns the
 * reason it is incomplete, or NULL. */
static const char *derive_text(const char *cls, const char *name, const char *constraint,
                               const char *logic, Derived *d) {
    Kp k;
    memset(&k, 0, sizeof k);
    k.rule_class = cls;
    k.item_name = name;
    k.constraint = constraint;
    k.detect_logic = logic;
    int pair = strstr(cls, "重复收费") != NULL;
    k.codes = (const char **)(pair ? TWO_CODES : ONE_CODE);
    k.ncodes = pair ? 2 : 1;
    const CatSpec *c = cat_find(cls, NULL);
    assert_non_null(c);
    ImpOptions o = {18, 0, NULL};
    return derive(c, &k, &o, d);
}

static void test_sex(void **state) {
    (void)state;
    Derived d;
    assert_null(derive_text("药品区分性别使用", "阿帕他胺片",
                            "限转移性激素敏感性前列腺癌(mHSPC)患者。", "与限定性别不符", &d));
    assert_int_equal(d.sex, 'M');
    assert_null(derive_text("药品区分性别使用", "调经活血片",
                            "本品调经活血，行气止痛。用于月经不调，行经腹痛。", "与限定性别不符",
                            &d));
    assert_int_equal(d.sex, 'F');
    /* 促黄体生成素 names no sex; 睾丸切除 and 前列腺癌 do */
    assert_null(derive_text(
        "药品区分性别使用", "比卡鲁胺片",
        "与促黄体生成素释放激素（LHRH）类似物或外科睾丸切除术联合应用于晚期前列腺癌的治疗。",
        "与限定性别不符", &d));
    assert_int_equal(d.sex, 'M');
    assert_null(derive_text("医疗服务项目区分性别使用", "子宫颈管环扎术", "女性生产相关手术操作",
                            "与限定性别不符", &d));
    assert_int_equal(d.sex, 'F');
    assert_null(derive_text("医疗服务项目区分性别使用", "夜间阴茎胀大试验",
                            "男性泌尿生殖系统相关诊疗操作", NULL, &d));
    assert_int_equal(d.sex, 'M');
    const char *why =
        derive_text("药品区分性别使用", "维生素C片", "用于预防坏血病。", "与限定性别不符", &d);
    assert_non_null(why);
    assert_non_null(strstr(why, "names a sex"));
    why = derive_text("药品区分性别使用", "某片", "用于男性不育及女性不孕。", NULL, &d);
    assert_non_null(why);
    assert_non_null(strstr(why, "ambiguous"));
}

static void test_child_ages(void **state) {
    (void)state;
    Derived d;
    /* 儿童 alone: under the child age */
    assert_null(derive_text("药品儿童专用", "小儿牛黄清肺片",
                            "本品清热，化痰，止咳。用于肺热咳嗽。", "参保人年龄超出儿童年龄限制",
                            &d));
    assert_int_equal(d.min_age, -1);
    assert_int_equal(d.age_under, 18);
    assert_int_equal(d.max_age_days, -1);
    /* a range in years wins over the word: 1岁至14岁 is [1, 15) */
    assert_null(
        derive_text("药品限儿童使用", "孟鲁司特钠口溶膜",
                    "限：1.1岁至14岁儿童哮喘的预防和长期治疗；2.2岁至14岁儿童季节性过敏性鼻炎。",
                    "参保人年龄超出儿童年龄限制", &d));
    assert_int_equal(d.min_age, 1);
    assert_int_equal(d.age_under, 15);
    /* 3岁及以上…儿童: 3 to the child age */
    assert_null(derive_text("药品限儿童使用", "某颗粒", "限3岁及以上儿童患者。", NULL, &d));
    assert_int_equal(d.min_age, 3);
    assert_int_equal(d.age_under, 18);
    assert_null(derive_text("药品儿童专用", "小儿多种维生素注射液(13)",
                            "适用于接受肠外营养的11周岁以下患者维生素缺乏的预防。", NULL, &d));
    assert_int_equal(d.age_under, 11);
    /* newborn: days after birth */
    assert_null(derive_text("医疗服务项目儿童专用", "新生儿护理", "新生儿专用项目",
                            "参保人年龄超出儿童年龄限制", &d));
    assert_int_equal(d.max_age_days, 28);
    assert_int_equal(d.age_under, -1);
    assert_null(derive_text("医疗服务项目儿童专用", "某项目", "限出生28天以内使用。", NULL, &d));
    assert_int_equal(d.max_age_days, 28);
    /* working age */
    assert_null(derive_text("医疗服务项目限年龄", "职业功能训练", "限法定就业年龄段患者",
                            "参保人年龄超出法定就业年龄限制", &d));
    assert_int_equal(d.min_age, 16);
    assert_int_equal(d.age_under, 60);
    /* the child age is an option */
    Kp k;
    memset(&k, 0, sizeof k);
    k.rule_class = "药品儿童专用";
    k.constraint = "用于小儿感冒。";
    k.codes = (const char **)ONE_CODE;
    k.ncodes = 1;
    ImpOptions o14 = {14, 0, NULL};
    assert_null(derive(cat_find(k.rule_class, NULL), &k, &o14, &d));
    assert_int_equal(d.age_under, 14);
    /* forbidden ages are stored as the allowed ones */
    assert_null(derive_text("药品儿童禁用", "某片", "18岁以下患者禁用。", NULL, &d));
    assert_int_equal(d.min_age, 18);
    assert_int_equal(d.age_under, -1);
    assert_non_null(derive_text("药品儿童专用", "某片", "用于感冒发热。", NULL, &d));
}

static void test_per_day(void **state) {
    (void)state;
    Derived d;
    assert_null(derive_text("医疗服务项目限定频次", "急诊监护费", "日",
                            "使用项目的数量总计超过上限数量", &d));
    assert_int_equal(d.max_per_day, 1);
    assert_string_equal(d.unit, "日");
    assert_null(derive_text("医疗服务项目限定频次", "血液加温治疗", "小时", NULL, &d));
    assert_int_equal(d.max_per_day, 24);
    assert_string_equal(d.unit, "小时");
    assert_null(derive_text("医疗服务项目限定频次", "某治疗", "每日最多2次。", NULL, &d));
    assert_int_equal(d.max_per_day, 2);
    assert_null(derive_text("医疗服务项目限定频次", "某治疗", "每天不超过三次", NULL, &d));
    assert_int_equal(d.max_per_day, 3);
    assert_non_null(derive_text("医疗服务项目限定频次", "某治疗", "次", NULL, &d));
}

static void test_course_days(void **state) {
    (void)state;
    Derived d;
    assert_null(derive_text("药品限支付疗程", "奥扎格雷钠注射液",
                            "限新发的急性血栓性脑梗死，支付不超过14天。",
                            "使用药品的日期总计超过限制天数", &d));
    assert_int_equal(d.max_days, 14);
    assert_null(derive_text("药品限支付疗程", "银杏内酯注射液",
                            "限二级及以上医疗机构脑梗死恢复期患者，单次住院最多支付14天。", NULL,
                            &d));
    assert_int_equal(d.max_days, 14);
    assert_null(derive_text("药品限支付疗程", "帕妥珠单抗注射液",
                            "限以下情况方可支付，且支付不超过12个月：1.乳腺癌。", NULL, &d));
    assert_int_equal(d.max_days, 365);
    assert_null(derive_text("医疗服务项目限支付疗程", "儿童听力障碍语言训练",
                            "支付不超过一年，每周最多支付一次。", NULL, &d));
    assert_int_equal(d.max_days, 365);
    assert_null(derive_text("医疗服务项目限支付疗程", "手功能评定",
                            "总时间不超过90天，评定间隔时间不短于14天。", NULL, &d));
    assert_int_equal(d.max_days, 90);
    assert_null(derive_text("药品限支付疗程", "某注射液", "支付不超过２周。", NULL, &d));
    assert_int_equal(d.max_days, 14);
    const char *why = derive_text("药品限支付疗程", "某注射液", "限急性期使用。", NULL, &d);
    assert_non_null(why);
    assert_non_null(strstr(why, "支付不超过N天"));
}

static void test_period(void **state) {
    (void)state;
    Derived d;
    assert_null(derive_text("医疗服务项目周期超频次", "康复评定",
                            "两次评定间隔时间不短于14天。（人社部发〔2016〕23号）", NULL, &d));
    assert_int_equal(d.period_days, 14);
    assert_int_equal(d.max_in_period, 1);
    assert_null(derive_text("医疗服务项目周期超频次", "某训练", "每周最多支付2次。", NULL, &d));
    assert_int_equal(d.period_days, 7);
    assert_int_equal(d.max_in_period, 2);
    assert_non_null(derive_text("医疗服务项目周期超频次", "某检查", "按需检查。", NULL, &d));
}

static void test_pairs(void **state) {
    (void)state;
    Derived d;
    assert_null(derive_text("医疗服务项目重复收费", "低钠试验(高钠试验)×钾测定(干化学法)",
                            "含血尿钾、钠、氯测定3次；包括高钠试验", "项目A和项目B同时收费", &d));
    assert_string_equal(d.name_a, "低钠试验(高钠试验)");
    assert_string_equal(d.name_b, "钾测定(干化学法)");
    /* the row: code B (billed with A is the duplicate), with_code A */
    CatOut c;
    memset(&c, 0, sizeof c);
    c.spec = cat_find("医疗服务项目重复收费", NULL);
    Kp k;
    memset(&k, 0, sizeof k);
    k.kp_id = "KP-1";
    k.item_name = "低钠试验(高钠试验)×钾测定(干化学法)";
    k.codes = (const char **)TWO_CODES;
    k.ncodes = 2;
    assert_int_equal(add_row(&c, TWO_CODES[1], &k, &d, 0), 0);
    assert_int_equal(c.nrows, 1);
    assert_string_equal(c.rows[0], "002503040010100,钾测定(干化学法),003102060070100,"
                                   "低钠试验(高钠试验),KP-1,");
    /* the same row again is dropped, also under other names */
    assert_int_equal(add_row(&c, TWO_CODES[1], &k, &d, 0), 0);
    assert_int_equal(c.nrows, 1);
    strcpy(d.name_b, "钾测定");
    strcpy(d.name_a, "低钠试验");
    assert_int_equal(add_row(&c, TWO_CODES[1], &k, &d, 0), 0);
    assert_int_equal(c.nrows, 1);
    free(c.rows[0]);
    free(c.rows);
    for (size_t i = 0; i < c.seen.cap; i++) free(c.seen.slots[i]);
    free(c.seen.slots);
    /* a pair needs two codes */
    memset(&k, 0, sizeof k);
    k.rule_class = "医疗服务项目重复收费";
    k.item_name = "A×B";
    k.codes = (const char **)ONE_CODE;
    k.ncodes = 1;
    ImpOptions o = {18, 0, NULL};
    const char *why = derive(cat_find(k.rule_class, NULL), &k, &o, &d);
    assert_non_null(why);
    assert_non_null(strstr(why, "exactly two codes"));
}

static void test_price_and_cap(void **state) {
    (void)state;
    Derived d;
    assert_null(derive_text("医疗服务项目超限定单价收费", "某检查", "限价120.5元", NULL, &d));
    assert_int_equal(d.max_price, 12050);
    assert_null(
        derive_text("医疗服务项目超限定报销总额", "某治疗", "每年最高支付1000元。", NULL, &d));
    assert_int_equal(d.max_price, 100000);
    assert_non_null(
        derive_text("医疗服务项目超限定报销总额", "某治疗", "每年最多支付一次。", NULL, &d));
    /* the diagnosis categories take the shapes of the item ones */
    assert_null(derive_text("诊断与患者性别不符", "前列腺增生", "男性疾病", NULL, &d));
    assert_int_equal(d.sex, 'M');
    assert_null(derive_text("诊断与患者年龄不符", "新生儿黄疸", "新生儿疾病", NULL, &d));
    assert_int_equal(d.max_age_days, 28);
}

static void test_surgery_group(void **state) {
    (void)state;
    Derived d;
    const char *why = derive_text("手术项目未按规定折价收费", "直肠良性肿物切除术",
                                  "经腹直肠手术组", "经同一切口进行的两种及以上不同的手术", &d);
    /* the group is derived, the price is not in the text: incomplete */
    assert_string_equal(d.group, "经腹直肠手术组");
    assert_non_null(why);
    assert_non_null(strstr(why, "no price"));
    assert_non_null(strstr(why, "经腹直肠手术组"));
    /* with a local price list */
    char *codes[] = {"003310990010000"};
    int64_t cents[] = {120050};
    ImpPriceList pl = {codes, cents, 1};
    Kp k;
    memset(&k, 0, sizeof k);
    k.rule_class = "手术项目未按规定折价收费";
    k.constraint = "肝胆手术组";
    const char *one[] = {"003310990010000"}, *other[] = {"003310990020000"};
    k.codes = one;
    k.ncodes = 1;
    ImpOptions o = {18, 0, &pl};
    assert_null(derive(cat_find(k.rule_class, NULL), &k, &o, &d));
    assert_string_equal(d.group, "肝胆手术组");
    assert_int_equal(d.max_price, 120050);
    k.codes = other;
    why = derive(cat_find(k.rule_class, NULL), &k, &o, &d);
    assert_non_null(why);
    assert_non_null(strstr(why, "no price for 003310990020000 in the price list"));
    why = derive_text("手术项目未按规定折价收费", "某手术", "同一切口", NULL, &d);
    assert_non_null(why);
    assert_non_null(strstr(why, "no surgery group"));
}

static void test_insurance_care_level(void **state) {
    (void)state;
    Derived d;
    assert_null(derive_text("药品限工伤保险", "注射用A型肉毒毒素", "限工伤保险",
                            "参保人险种非工伤保险", &d));
    assert_string_equal(INSURANCE_NAMES[d.insurance], "work_injury");
    assert_null(
        derive_text("药品限生育保险", "地诺前列酮栓", "限生育保险", "参保人险种非生育保险", &d));
    assert_string_equal(INSURANCE_NAMES[d.insurance], "maternity");

    assert_null(derive_text("药品限就医方式", "安宫牛黄丸", "限急诊或住院患者。",
                            "使用药品的就医方式不符合限定就医方式", &d));
    assert_string_equal(d.care, "inpatient");
    assert_int_equal(d.emergency_ok, 1);
    assert_null(derive_text(
        "药品限就医方式", "脂肪乳注射液",
        "需经营养风险筛查，明确具有营养风险，且不能经饮食补充足够营养的住院患者方予支付。", NULL,
        &d));
    assert_string_equal(d.care, "inpatient");
    assert_int_equal(d.emergency_ok, 0);
    assert_null(derive_text(
        "超互联网医院药品支付范围", "硫酸吗啡注射液",
        "医疗机构开展互联网诊疗活动时，不得开具麻醉药品、精神药品等特殊管理药品的处方。",
        "互联网诊疗时开具麻醉药品精神药品", &d));
    assert_string_equal(d.care, "internet");
    assert_non_null(derive_text("药品限就医方式", "某药", "限重症患者。", NULL, &d));

    assert_null(derive_text("药品限医疗机构级别", "血栓通注射液", "限二级及以上医疗机构。",
                            "使用药品的医疗机构级别低于限定级别", &d));
    assert_int_equal(d.min_level, 2);
    assert_null(derive_text("药品限医疗机构级别", "某注射液", "限三级医院使用。", NULL, &d));
    assert_int_equal(d.min_level, 3);
    /* the lowest level named */
    assert_null(derive_text("药品限医疗机构级别", "康柏西普眼用注射液",
                            "需三级医院眼科或二级及以上眼科专科医院医师处方", NULL, &d));
    assert_int_equal(d.min_level, 2);
    assert_non_null(derive_text("药品限医疗机构级别", "某药", "限专科医院。", NULL, &d));

    assert_null(derive_text("医疗服务项目限科室使用", "某项目", "限口腔科使用。", NULL, &d));
    assert_string_equal(d.dept, "口腔科");
}

static void test_indication(void **state) {
    (void)state;
    Derived d;
    assert_null(derive_text("药品限适应症", "某片", "限：1.非小细胞肺癌(NSCLC)；2.HER2阳性乳腺癌。",
                            NULL, &d));
    assert_string_equal(d.pattern, "(非小细胞肺癌|乳腺癌)");
    assert_null(derive_text("药品限适应症", "人生长激素注射液", "限生长激素缺乏症。", NULL, &d));
    assert_string_equal(d.pattern, "(生长激素缺乏症)");
    assert_null(derive_text(
        "药品限适应症", "华法林替代",
        "限华法林治疗控制不良或出血高危的非瓣膜性房颤、深静脉血栓、肺栓塞患者。", NULL, &d));
    assert_string_equal(d.pattern, "(非瓣膜性房颤|深静脉血栓|肺栓塞)");
    /* an introduction to numbered items names no disease and is skipped */
    assert_null(
        derive_text("药品限适应症", "某抗菌药",
                    "限18岁及以上患者由敏感革兰阴性菌引起的下列感染：1.复杂性腹腔感染；2.医院获得性"
                    "肺炎，包括呼吸机相关性肺炎。",
                    NULL, &d));
    assert_string_equal(d.pattern, "(复杂性腹腔感染|医院获得性肺炎|呼吸机相关性肺炎)");
    const char *why = derive_text("药品限适应症", "某注射液",
                                  "限：1.肝硬化；2.经营养风险筛查明确具有营养风险者。", NULL, &d);
    assert_non_null(why);
    assert_non_null(strstr(why, "clause 2"));
    assert_non_null(
        derive_text("药品限二线使用", "左奥硝唑氯化钠注射液", "限二线用药。", NULL, &d));
}

static void test_numbers_and_codes(void **state) {
    (void)state;
    long v;
    assert_int_equal(parse_num("十四天", &v), 6);
    assert_int_equal(v, 14);
    assert_int_equal(parse_num("二十一", &v), 9);
    assert_int_equal(v, 21);
    assert_int_equal(parse_num("１２", &v), 6);
    assert_int_equal(v, 12);
    char key[64];
    assert_null(code_key("XL02BBA326A001010102180", key, sizeof key));
    assert_string_equal(key, "XL02BBA326A001010102180");
    /* shorter than a full national code: a prefix key */
    assert_null(code_key("XL02BBA326A", key, sizeof key));
    assert_string_equal(key, "XL02BBA326A%");
    assert_null(code_key("O80%", key, sizeof key));
    assert_string_equal(key, "O80%");
    /* diagnosis and procedure codes (with a dot) are never made prefixes */
    assert_null(code_key("K35.800x001", key, sizeof key));
    assert_string_equal(key, "K35.800x001");
    assert_null(code_key("68.4100x001", key, sizeof key));
    assert_string_equal(key, "68.4100x001");
    assert_non_null(code_key("X L02", key, sizeof key));
    assert_non_null(code_key("", key, sizeof key));
}

/* Imports JSON text into a fresh temporary directory; returns the exit code
 * and leaves the error in err. */
static int import_text(const char *json, char *dir, char *err) {
    strcpy(dir, "/tmp/arb_import_XXXXXX");
    assert_non_null(mkdtemp(dir));
    ImpOptions o = {18, 0, NULL};
    err[0] = 0;
    return imp_nhsa(json, strlen(json), "kp.json", dir, &o, NULL, err, 512);
}

static char *slurp(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t n;
    char err[256];
    return imp_read_file(path, &n, err, sizeof err);
}

static void remove_dir(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_json_errors(void **state) {
    (void)state;
    char dir[64], err[512];
    assert_int_equal(
        import_text(
            "[\n  {\"rule_class\": \"药品区分性别使用\",\n   \"med_codes\": [\"X1\",]\n  }\n]", dir,
            err),
        IMP_DATA);
    assert_string_equal(err, "kp.json:3:23: error: expected a value (true, false, null, a number, "
                             "a string, an array or an object)");
    remove_dir(dir);
    assert_int_equal(
        import_text("[{\"rule_class\": \"药品区分性别使用\", \"med_codes\": [1]}]", dir, err),
        IMP_DATA);
    assert_string_equal(err, "kp.json:1:43: error: knowledge point 1: 'med_codes' must hold "
                             "strings, not a number");
    remove_dir(dir);
    assert_int_equal(import_text("{\"a\": 1}", dir, err), IMP_DATA);
    assert_non_null(strstr(err, "kp.json:1:1: error: the document must be an array"));
    remove_dir(dir);
    assert_int_equal(import_text("[{\"item_name\": \"x\"}]", dir, err), IMP_DATA);
    assert_non_null(strstr(err, "has no 'rule_class'"));
    remove_dir(dir);
    assert_int_equal(import_text("[\"unterminated]", dir, err), IMP_DATA);
    assert_non_null(strstr(err, "kp.json:1:2: error: unterminated string"));
    remove_dir(dir);
}

static void test_whole_import(void **state) {
    (void)state;
    const char *json =
        "[{\"kp_id\": \"KP-1\", \"rule_class\": \"药品区分性别使用\", \"gz_code\": "
        "\"GZ10000301004000\","
        "  \"med_codes\": [\"XG03XXA001A001010100001\", \"XG03XXA001A001010100002\"],"
        "  \"item_name\": \"甲片\", \"constraint\": \"用于月经不调。\", \"detect_logic\": "
        "\"与限定性别不符\"},"
        " {\"kp_id\": \"KP-2\", \"rule_class\": \"药品区分性别使用\", \"med_codes\": "
        "[\"XG03XXA002A001010100001\"],"
        "  \"item_name\": \"乙片\", \"constraint\": \"用于感冒。\", \"detect_logic\": "
        "\"与限定性别不符\"},"
        " {\"kp_id\": \"KP-3\", \"rule_class\": \"医疗服务项目儿童专用\", \"gz_code\": "
        "\"GZ10000302003000\","
        "  \"med_codes\": [\"001201000070000\"], \"item_name\": \"新生儿护理\","
        "  \"constraint\": \"新生儿专用项目\", \"detect_logic\": \"参保人年龄超出儿童年龄限制\"},"
        " {\"kp_id\": \"KP-4\", \"rule_class\": \"某新类别\", \"med_codes\": [\"1\"]}]";
    char dir[64], err[512];
    assert_int_equal(import_text(json, dir, err), IMP_OK);
    char *sex = slurp(dir, "tables/drug_sex.csv");
    assert_non_null(sex);
    assert_string_equal(sex, "code,name,sex,kp,note\n"
                             "XG03XXA001A001010100001,甲片,F,KP-1,用于月经不调。\n"
                             "XG03XXA001A001010100002,甲片,F,KP-1,用于月经不调。\n");
    char *lib = slurp(dir, "library.rules");
    assert_non_null(lib);
    assert_non_null(strstr(lib, "\nextend table drug_sex from \"tables/drug_sex.csv\""));
    assert_null(strstr(lib, "service_child_only"));
    char *own = slurp(dir, "80_service_child_only.rules");
    assert_non_null(own);
    assert_non_null(strstr(own, "category SERVICE_CHILD_ONLY \"医疗服务项目儿童专用\""));
    assert_non_null(strstr(own, "table service_child_only from \"tables/service_child_only.csv\""));
    char *child = slurp(dir, "tables/service_child_only.csv");
    assert_non_null(child);
    assert_string_equal(child, "code,name,min_age,age_under,max_age_days,kp,note\n"
                               "001201000070000,新生儿护理,,,28,KP-3,新生儿专用项目\n");
    char *inc = slurp(dir, "incomplete.csv");
    assert_non_null(inc);
    assert_non_null(strstr(inc, "category,kp_id,item_name,codes,first_code,reason,constraint\n"));
    assert_non_null(strstr(inc, "DRUG_SEX,KP-2,乙片,1,XG03XXA002A001010100001,"));
    assert_non_null(strstr(inc, "某新类别,KP-4,,1,1,category not known to the importer,"));
    free(sex);
    free(lib);
    free(own);
    free(child);
    free(inc);
    remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sex),
        cmocka_unit_test(test_child_ages),
        cmocka_unit_test(test_per_day),
        cmocka_unit_test(test_course_days),
        cmocka_unit_test(test_period),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_price_and_cap),
        cmocka_unit_test(test_surgery_group),
        cmocka_unit_test(test_insurance_care_level),
        cmocka_unit_test(test_indication),
        cmocka_unit_test(test_numbers_and_codes),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_whole_import),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
