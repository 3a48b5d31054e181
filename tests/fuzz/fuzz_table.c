/* fuzz_table.c — libFuzzer target: a table's CSV -> the table loader (the
 * checker reading it into typed rows and indexing its key column, prefix
 * keys included), then rules matching it run over a few claims.  The CSV
 * is written to a file in a temporary directory (tables are read from
 * files) and read by two libraries: one declaring a column of every kind
 * (code key, text, enum, money, int, date, datetime, bool, regex), one only
 * the key and a name, so that a header lacking the other columns still
 * reaches the rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"

static char dir[64], csv_path[128], rules_name[128];

static const char *const FULL =
    "category F \"fuzz\" { code \"F\" severity high nature definite points 1 }\n"
    "table t from \"t.csv\" {\n"
    "  code code key\n  name text\n  kind item_kind\n  sex sex\n  price money\n"
    "  n int\n  from date\n  at datetime\n  ok bool\n  pattern regex\n}\n"
    "rule F.1 \"full\" in F\n  for line in claim.lines\n  match r in t on line.item_code\n"
    "  when r.ok or r.price < line.unit_price or claim.sex != r.sex or r.n > line.quantity\n"
    "    or line.item_code matches r.pattern or r.kind == line.item_kind\n"
    "    or date(line.time) < r.from or line.time > r.at\n"
    "  flag line message \"{r.name} {r.price} {r.n} {r.from} {r.at} {r.kind} {r.sex}\"\n"
    "rule F.2 in F for line in claim.lines when line.item_code in t flag line\n";

static const char *const KEYS =
    "category F \"fuzz\" { code \"F\" severity high nature definite points 1 }\n"
    "table t from \"t.csv\" { code code key  name text }\n"
    "rule F.1 in F for line in claim.lines match r in t on line.item_code\n"
    "  flag line message \"{r.name}\"\n"
    "rule F.2 in F for line in claim.lines when line.item_code in t and line.quantity > 1\n"
    "  flag line\n"
    "rule F.3 in F when exists(match q in t on claim.dept) flag claim\n";

static void remove_dir(void) {
    unlink(csv_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    snprintf(dir, sizeof dir, "/tmp/arb_fuzz_table_XXXXXX");
    if (!mkdtemp(dir)) abort();
    snprintf(csv_path, sizeof csv_path, "%s/t.csv", dir);
    snprintf(rules_name, sizeof rules_name, "%s/t.rules", dir);
    atexit(remove_dir);
    return 0;
}

static void compile_and_run(const char *rules) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e;
    if (arb_engine_new(&cfg, &e) != ARB_OK) abort();
    if (arb_add_source(e, rules_name, rules, strlen(rules)) == ARB_OK && arb_compile(e) == ARB_OK) {
        arb_session *s;
        if (arb_session_new(e, &s) == ARB_OK) {
            size_t sum = 0;
            for (size_t i = 0; i < FZ_NCLAIMS; i++)
                arb_session_check_json(s, fz_claims[i], strlen(fz_claims[i]), ARB_PHASE_ALL,
                                       fz_on_finding, &sum);
            arb_session_free(s);
        }
    }
    char buf[4096];
    for (size_t i = 0; i < arb_error_count(e); i++) arb_error_render(e, i, buf, sizeof buf);
    arb_engine_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FILE *f = fopen(csv_path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    if (fclose(f)) abort();
    compile_and_run(FULL);
    compile_and_run(KEYS);
    return 0;
}
