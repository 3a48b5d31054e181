/* fuzz_common.c — what the fuzz targets share (see fuzz_common.h). */
#include "fuzz_common.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

arb_engine *fz_stdlib(int no_rules) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e;
    if (arb_engine_new(&cfg, &e) != ARB_OK) abort();
    DIR *d = no_rules ? NULL : opendir(ARB_STDLIB_DIR);
    char *names[256];
    size_t n = 0;
    for (struct dirent *de; d && (de = readdir(d)) && n < 256;) {
        size_t l = strlen(de->d_name);
        if (l > 6 && strcmp(de->d_name + l - 6, ".rules") == 0 &&
            strcmp(de->d_name, "schema.rules") != 0) {
            size_t pl = strlen(ARB_STDLIB_DIR) + l + 2;
            names[n] = malloc(pl);
            if (!names[n]) abort();
            snprintf(names[n++], pl, "%s/%s", ARB_STDLIB_DIR, de->d_name);
        }
    }
    if (d) closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (arb_add_file(e, names[i]) != ARB_OK) {
            fprintf(stderr, "fuzz: %s\n", arb_errmsg(e));
            abort();
        }
        free(names[i]);
    }
    if (arb_compile(e) != ARB_OK) {
        char buf[2048];
        for (size_t i = 0; i < arb_error_count(e); i++) {
            arb_error_render(e, i, buf, sizeof buf);
            fputs(buf, stderr);
        }
        fprintf(stderr, "fuzz: the standard library does not compile\n");
        abort();
    }
    return e;
}

const char *const fz_claims[FZ_NCLAIMS] = {
    "{\"claim_id\":\"F1\",\"person_id\":\"P1\",\"sex\":\"F\",\"birth_date\":\"1960-02-29\","
    "\"care_type\":\"inpatient\",\"insurance_type\":\"employee\",\"facility_level\":2,"
    "\"dept\":\"内科\",\"admit_time\":\"2025-03-01T09:00:00\","
    "\"discharge_time\":\"2025-03-05T10:00:00\",\"settle_time\":\"2025-03-05T11:00:00\","
    "\"total_amount\":\"1234.50\",\"diagnoses\":[{\"code\":\"N40.x00\",\"is_main\":true},"
    "{\"code\":\"O80.000\"}],\"procedures\":[{\"code\":\"53.0000\",\"date\":\"2025-03-02\"}],"
    "\"lines\":[{\"line_no\":1,\"item_code\":\"XL02BBB085A001010100662\",\"item_kind\":\"drug\","
    "\"item_name\":\"比卡鲁胺片\",\"time\":\"2025-03-01T10:00:00\",\"quantity\":30,"
    "\"unit_price\":\"12.30\",\"amount\":\"369.00\",\"days_supply\":30},"
    "{\"line_no\":2,\"item_code\":\"003310130020000\",\"item_kind\":\"service\","
    "\"time\":\"2025-03-02T10:30:00\",\"quantity\":1,\"unit_price\":\"1100.00\","
    "\"amount\":\"1100.00\"},{\"line_no\":3,\"item_code\":\"003310130020000\","
    "\"item_kind\":\"service\",\"time\":\"2025-03-07T10:30:00\",\"quantity\":2,"
    "\"unit_price\":\"550.00\",\"amount\":\"1100.00\"}]}",
    "{\"claim_id\":\"F2\",\"person_id\":\"P2\",\"sex\":\"M\",\"birth_date\":\"2024-12-01\","
    "\"care_type\":\"outpatient\",\"insurance_type\":\"resident\",\"facility_level\":1,"
    "\"settle_time\":\"2025-01-02T08:00:00\",\"total_amount\":\"80.00\","
    "\"diagnoses\":[{\"code\":\"O80.000\",\"is_main\":true}],"
    "\"lines\":[{\"line_no\":1,\"item_code\":\"XG01AFJ070A009010100150\",\"item_kind\":\"drug\","
    "\"quantity\":1,\"unit_price\":\"80.00\",\"amount\":\"80.00\"},"
    "{\"line_no\":2,\"item_code\":\"250101001\",\"item_kind\":\"service\",\"quantity\":3,"
    "\"unit_price\":\"25.60\",\"amount\":\"76.80\"}]}",
    "{\"claim_id\":\"F3\",\"person_id\":\"P3\",\"sex\":\"U\",\"care_type\":\"pharmacy\",\"total_"
    "amount\":\"0.00\","
    "\"lines\":[]}",
};

void fz_check(int cond, const char *fmt, ...) {
    if (cond) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz check failed: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void fz_on_finding(void *ud, const arb_finding *f) {
    size_t *sum = ud;
    *sum += strlen(f->claim_id) + strlen(f->rule_id) + strlen(f->category) +
            strlen(f->category_code) + strlen(f->severity) + strlen(f->nature) + strlen(f->message);
    for (size_t i = 0; i < f->nevidence; i++) *sum += strlen(f->evidence[i].claim_id);
    for (size_t i = 0; i < f->nalso_matched; i++) *sum += strlen(f->also_matched[i]);
}
