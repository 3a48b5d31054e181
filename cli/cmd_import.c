/* cmd_import.c — `arbiter import nhsa`: the arguments, the help and the
 * per-category report; the importer itself is import/import_nhsa.c
 * (docs/importer.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "i18n.h"
#include "import_nhsa.h"

enum { EXIT_USAGE = 2 }; /* the others are the importer's statuses (IMP_*) */

static const char *const IMPORT_HELP =
    /* xgettext:no-c-format */
    N_("usage: arbiter import nhsa KNOWLEDGE_POINTS.json -o DIR [options]\n"
       "\n"
       "Turns the national knowledge points (NHSA 两库: a JSON array of objects with\n"
       "rule_class, gz_code, med_codes, item_name, constraint, detect_logic) into rows\n"
       "for the rule library, deriving each row's parameters from the text: sex,\n"
       "ages, units per day, course days, periods, A×B pairs, surgery groups,\n"
       "insurance, care type, facility level, department, indications.\n"
       "\n"
       "For a category the standard library has, the rows go to\n"
       "DIR/tables/<table>.csv with the stdlib table's columns, and DIR/library.rules\n"
       "extends that table with them ('extend table T from \"tables/T.csv\"').  A\n"
       "category it lacks gets a file of its own, DIR/<NN>_<id>.rules, with the\n"
       "category, its table and its rules.  Knowledge points that cannot be\n"
       "completed are listed per category in DIR/incomplete.csv with the reason.\n"
       "Prints per category: knowledge points, item codes, points imported, table\n"
       "rows written, points left incomplete and their codes; then the totals.\n"
       "Check the result with 'arbiter lint stdlib-rules DIR'.\n"
       "\n"
       "options:\n"
       "  -o DIR           the directory to write (created if missing)\n"
       "  --child-age N    the age (exclusive) that 儿童/小儿 stands for (default 18)\n"
       "  --prices FILE    a local price list (CSV with columns code and price, in\n"
       "                   yuan): the full price of each surgery, which the table of\n"
       "                   手术项目未按规定折价收费 needs and knowledge points lack\n"
       "  --prefix-keys    one prefix key CODE% per drug knowledge point whose codes\n"
       "                   share the drug's name and dosage form (11 characters),\n"
       "                   instead of one row per listed code\n"
       "  --quiet          print nothing but errors\n"
       "  -h, --help       this text\n"
       "\n"
       "exit codes: 0 imported, 2 usage errors, 3 input that is not JSON or not an\n"
       "array of knowledge points (the message gives line and column) or a malformed\n"
       "price list, 4 I/O errors.\n");

/* Prints the per-category figures of an import. */
static void print_report(FILE *out, const ImpReport *r, const char *name, const char *dir) {
    fprintf(out, _("%s: %zu knowledge points, %zu item codes, %zu categories\n"), name, r->points,
            r->codes, r->ncats);
    /* the columns as printed below: a translation keeps their widths */
    fputs(_(" seq  category               points  codes imported   rows incomplete inc.codes  "
            "written to / national name\n"),
          out);
    size_t t[6] = {0};
    for (size_t i = 0; i < r->ncats; i++) {
        const ImpCategory *c = &r->cats[i];
        char seq[8] = "-", where[96];
        if (c->id) snprintf(seq, sizeof seq, "%d", c->seq);
        if (!c->id)
            snprintf(where, sizeof where, "%s", _("(category unknown)"));
        else if (!c->rows)
            snprintf(where, sizeof where, "%s", _("(no rows)"));
        else if (c->stdlib)
            snprintf(where, sizeof where, "tables/%s.csv", c->table);
        else
            snprintf(where, sizeof where, "%02d_*.rules", c->seq);
        fprintf(out, "%4s  %-22s %6zu %6zu %8zu %6zu %10zu %9zu  %s %s\n", seq, c->id ? c->id : "?",
                c->points, c->codes, c->imported, c->rows, c->incomplete, c->incomplete_codes,
                where, c->rule_class);
        size_t v[6] = {c->points, c->codes,      c->imported,
                       c->rows,   c->incomplete, c->incomplete_codes};
        for (int j = 0; j < 6; j++) t[j] += v[j];
    }
    fputs(_("      total                 "), out); /* 28 columns */
    fprintf(out, " %6zu %6zu %8zu %6zu %10zu %9zu\n", t[0], t[1], t[2], t[3], t[4], t[5]);
    fprintf(out, _("wrote %s/library.rules, %s/tables/, %s/incomplete.csv\n"), dir, dir, dir);
}

int cmd_import(int argc, char **argv) {
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(_(IMPORT_HELP), stdout);
            return IMP_OK;
        }
    if (argc < 1) {
        fputs(_(IMPORT_HELP), stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[0], "nhsa") != 0)
        return cli_usage_error("import", "unknown source '%s' (nhsa)", argv[0]);
    ImpOptions o = {18, 0, NULL};
    const char *in = NULL, *dir = NULL, *prices = NULL;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "-o") == 0 && more) {
            dir = argv[++i];
        } else if (strcmp(a, "--child-age") == 0 && more) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || v < 1 || v > 30)
                return cli_usage_error(
                    "import", "--child-age takes a number from 1 to 30, not '%s'", argv[i]);
            o.child_age = (int)v;
        } else if (strcmp(a, "--prefix-keys") == 0) {
            o.prefix_keys = 1;
        } else if (strcmp(a, "--prices") == 0 && more) {
            prices = argv[++i];
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] != '-' && !in) {
            in = a;
        } else {
            return cli_usage_error("import", "unknown option or missing value: '%s'", a);
        }
    }
    if (!in) return cli_usage_error("import", "%s", _("no knowledge-point file given"));
    if (!dir) return cli_usage_error("import", "%s", _("no output directory given (-o DIR)"));
    char err[512];
    ImpPriceList pl;
    if (prices) {
        int rc = imp_prices_load(prices, &pl, err, sizeof err);
        if (rc != IMP_OK) {
            fprintf(stderr, "arbiter import: %s\n", err);
            return rc;
        }
        o.prices = &pl;
    }
    size_t len;
    char *src = imp_read_file(in, &len, err, sizeof err);
    int rc = IMP_IO;
    ImpReport report;
    if (src) rc = imp_nhsa(src, len, in, dir, &o, &report, err, sizeof err);
    free(src);
    if (prices) imp_prices_free(&pl);
    if (rc != IMP_OK) {
        fprintf(stderr, "arbiter import: %s\n", err);
        return rc;
    }
    if (!quiet) print_report(stdout, &report, in, dir);
    imp_report_free(&report);
    return rc;
}
