/* import_nhsa.h — the NHSA importer behind `arbiter import nhsa`
 * (import_nhsa.c): turns the national knowledge points (NHSA 两库,
 * knowledge_points.json) into tables for the standard library's categories
 * and rule files for the others, and says what it did per category.
 * docs/importer.md.  Not part of libarbiter's API: the CLI links it
 * (arbiter_import); cli/cmd_import.c parses the arguments and prints.
 *
 * Nothing here prints or exits; errors come back as a status with a message
 * in err. */
#ifndef ARB_IMPORT_NHSA_H
#define ARB_IMPORT_NHSA_H

#include <stddef.h>
#include <stdint.h>

/* Statuses, equal to the command's exit codes. */
enum { IMP_OK = 0, IMP_DATA = 3, IMP_IO = 4 };

/* A local price list (--prices): item codes with their prices, sorted by
 * code. */
typedef struct ImpPriceList {
    char **codes;
    int64_t *cents;
    size_t n;
} ImpPriceList;

typedef struct ImpOptions {
    int child_age;              /* the upper age (exclusive) that 儿童 means; default 18 */
    int prefix_keys;            /* collapse a point's codes into one name-and-form prefix key */
    const ImpPriceList *prices; /* the local price list, or NULL */
} ImpOptions;

/* What an import did with one category of the input, in the order the
 * files list them (by national number; categories the importer does not
 * know last). */
typedef struct ImpCategory {
    const char *id;    /* the category's identifier in the rules; NULL: not known */
    int seq;           /* its number in the national catalog (when known) */
    int stdlib;        /* 1: its rows extend the standard library's table */
    const char *table; /* its table: tables/<table>.csv (when known) */
    char *rule_class;  /* the national name, as in the input */
    size_t points;     /* knowledge points read */
    size_t codes;      /* their item codes */
    size_t imported;   /* points imported */
    size_t rows;       /* table rows written */
    size_t incomplete, incomplete_codes; /* points left out (incomplete.csv), their codes */
} ImpCategory;

typedef struct ImpReport {
    size_t points, codes; /* knowledge points and item codes read */
    ImpCategory *cats;
    size_t ncats;
} ImpReport;

void imp_report_free(ImpReport *r);

/* Imports the knowledge points in src (len bytes, a JSON array; named name
 * in messages) into directory dir (created if missing): DIR/library.rules,
 * DIR/tables/, DIR/<NN>_<id>.rules for categories the standard library
 * lacks, DIR/incomplete.csv.  Fills *report (may be NULL; free it with
 * imp_report_free).  Returns IMP_OK, IMP_DATA (err: "name:L:C: error: ...")
 * or IMP_IO. */
int imp_nhsa(const char *src, size_t len, const char *name, const char *dir, const ImpOptions *o,
             ImpReport *report, char *err, size_t errcap);

/* Reads a local price list: a CSV file with a header naming the columns
 * `code` and `price` (yuan, at most two decimals; other columns ignored).
 * IMP_OK, or IMP_DATA / IMP_IO with err ("FILE:LINE: error: ..."). */
int imp_prices_load(const char *path, ImpPriceList *out, char *err, size_t errcap);
void imp_prices_free(ImpPriceList *l);

/* Reads a whole file into memory (NUL-terminated; *len without the NUL);
 * NULL with err on failure.  Free with free(). */
char *imp_read_file(const char *path, size_t *len, char *err, size_t errcap);

#endif
