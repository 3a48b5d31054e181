/* cmd_library.c — `arbiter gen library`, `arbiter gen claims --library`
 * (labelled claims) and `arbiter score`: the CLI side of the synthetic
 * reference library (synth/library.h) and of scoring findings against truth
 * (testing/score.h): arguments parsed, results printed. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "i18n.h"
#include "commands.h"
#include "library.h"
#include "outfile.h"
#include "score.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_IO = 4 };

static const char *const LIBRARY_HELP =
    N_("usage: arbiter gen library --seed S -o DIR [--rows N] [--stdlib DIR]\n"
       "\n"
       "Writes a SYNTHETIC reference library for the standard library's categories:\n"
       "DIR/tables/<table>.csv with the stdlib tables' columns and DIR/library.rules\n"
       "(one 'extend table' per table). Rows are made up in the national code formats\n"
       "(kp column SYN-...); each category's codes are its own, and none matches a\n"
       "sample row of the standard library. The same seed and rows give the same bytes.\n"
       "Use it as: arbiter check stdlib-rules DIR --claims FILE\n"
       "\n"
       "options:\n"
       "  --seed S       random seed (default 1)\n"
       "  --rows N       rows in all (default 135000, at most 1000000), shared among\n"
       "                 the categories as docs/claims-generator.md lists\n"
       "  -o DIR         the library directory (created)\n"
       "  --stdlib DIR   the standard library whose sample rows are avoided\n"
       "  -h, --help     this text\n");

static const char *const LABELLED_HELP =
    N_("usage: arbiter gen claims --library DIR --n N --seed S --violations RATE -o FILE\n"
       "                          [--truth FILE] [--stdlib DIR]\n"
       "\n"
       "Writes labelled synthetic claims (JSON Lines): clean base claims whose codes\n"
       "match no table row, and in a fraction RATE of them exactly one injected\n"
       "violation of a category (round-robin over the categories), with the truth\n"
       "(claim_id, line_no, category) in the truth file. Earlier claims a history\n"
       "violation needs are written before their claim and are not labelled.\n"
       "\n"
       "options:\n"
       "  --library DIR      a library made by 'arbiter gen library'\n"
       "  --n N              claims (default 1000; earlier claims come on top)\n"
       "  --seed S           random seed (default 1)\n"
       "  --violations RATE  share of claims with a violation, 0 to 1 (default 0.1)\n"
       "  -o FILE            the claims (default: standard output)\n"
       "  --truth FILE       the truth (default: FILE with .jsonl replaced by\n"
       "                     .truth.jsonl)\n"
       "  --stdlib DIR       the standard library whose sample rows are avoided\n"
       "  -h, --help         this text\n");

static const char *const SCORE_HELP =
    N_("usage: arbiter score FINDINGS.jsonl TRUTH.jsonl [--min-recall R]\n"
       "\n"
       "Compares findings (arbiter check's JSON Lines) with the truth written by\n"
       "'arbiter gen claims --library' and prints, per category: truth count, found,\n"
       "missed, false positives, recall and precision, then the totals. A finding\n"
       "matches a truth line on (claim_id, line_no, category); several findings on\n"
       "the same key count once.\n"
       "\n"
       "options:\n"
       "  --min-recall R   exit 1 when a category with truth lines has recall below R\n"
       "                   (0 to 1)\n"
       "  -h, --help       this text\n"
       "\n"
       "exit codes: 0 ok, 1 recall below R, 2 usage, 3 a malformed input line, 4 I/O.\n");

/* A decimal fraction 0..1 ("0.1", "1", ".25") into millionths, no floats. */
static int parse_fraction(const char *s, uint32_t *ppm) {
    uint64_t whole = 0, frac = 0, scale = 1000000;
    const char *p = s;
    if (!*p) return -1;
    while (*p >= '0' && *p <= '9') whole = whole * 10 + (uint64_t)(*p++ - '0');
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (scale > 1) {
                scale /= 10;
                frac += (uint64_t)(*p - '0') * scale;
            }
            p++;
        }
    }
    if (*p || p == s || whole > 1 || (whole == 1 && frac)) return -1;
    *ppm = (uint32_t)(whole * 1000000 + frac);
    return 0;
}

/* --stdlib, else ARBITER_STDLIB, else the library's default (written into
 * buf, PATH_MAX + 64 bytes). */
static const char *default_stdlib(const char *given, char *buf) {
    if (given) return given;
    const char *env = getenv("ARBITER_STDLIB");
    if (env) return env;
    arb_default_stdlib_dir(buf, PATH_MAX + 64);
    return buf;
}

int cmd_gen_library(int argc, char **argv) {
    LibOptions o = {1, 135000, NULL};
    const char *out = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (cli_is_help(a)) {
            fputs(_(LIBRARY_HELP), stdout);
            return EXIT_CLEAN;
        } else if (strcmp(a, "--seed") == 0 && more) {
            if (cli_parse_u64(argv[++i], &o.seed))
                return cli_usage_error("gen library", "--seed takes a number, not '%s'", argv[i]);
        } else if (strcmp(a, "--rows") == 0 && more) {
            if (cli_parse_u64(argv[++i], &o.rows) || o.rows < 1 || o.rows > LIB_MAX_ROWS)
                return cli_usage_error(
                    "gen library", "--rows takes a number from 1 to 1000000, not '%s'", argv[i]);
        } else if (strcmp(a, "-o") == 0 && more) {
            out = argv[++i];
        } else if (strcmp(a, "--stdlib") == 0 && more) {
            o.stdlib_dir = argv[++i];
        } else {
            return cli_usage_error("gen library", "unknown option or missing value: '%s'", a);
        }
    }
    if (!out) return cli_usage_error("gen library", "%s", _("no output directory given (-o DIR)"));
    char stdlib_buf[PATH_MAX + 64];
    o.stdlib_dir = default_stdlib(o.stdlib_dir, stdlib_buf);
    const LibCategory *cats[LIB_MAX_CATEGORIES];
    size_t n = lib_categories(cats, LIB_MAX_CATEGORIES);
    uint64_t counts[LIB_MAX_CATEGORIES];
    char err[1024];
    if (lib_write_library(out, &o, counts, err, sizeof err)) {
        fprintf(stderr, "arbiter gen library: %s\n", err);
        return strstr(err, ".csv:") ? EXIT_DATA : EXIT_IO;
    }
    uint64_t total = 0, tables = 0;
    for (size_t k = 0; k < n; k++) total += counts[k], tables += counts[k] > 0;
    fprintf(stderr, _("arbiter gen library: %s: %llu synthetic rows in %llu tables\n"), out,
            (unsigned long long)total, (unsigned long long)tables);
    return EXIT_CLEAN;
}

int cmd_gen_labelled(int argc, char **argv) {
    LibClaimsOptions o;
    memset(&o, 0, sizeof o);
    o.n = 1000;
    o.seed = 1;
    o.rate_ppm = 100000;
    const char *out = NULL, *truth = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (cli_is_help(a)) {
            fputs(_(LABELLED_HELP), stdout);
            return EXIT_CLEAN;
        } else if (strcmp(a, "--n") == 0 && more) {
            if (cli_parse_u64(argv[++i], &o.n))
                return cli_usage_error("gen claims", "--n takes a number, not '%s'", argv[i]);
        } else if (strcmp(a, "--seed") == 0 && more) {
            if (cli_parse_u64(argv[++i], &o.seed))
                return cli_usage_error("gen claims", "--seed takes a number, not '%s'", argv[i]);
        } else if (strcmp(a, "--violations") == 0 && more) {
            if (parse_fraction(argv[++i], &o.rate_ppm))
                return cli_usage_error(
                    "gen claims", "--violations takes a fraction from 0 to 1, not '%s'", argv[i]);
        } else if (strcmp(a, "--library") == 0 && more) {
            o.library = argv[++i];
        } else if (strcmp(a, "--stdlib") == 0 && more) {
            o.stdlib_dir = argv[++i];
        } else if (strcmp(a, "-o") == 0 && more) {
            out = argv[++i];
        } else if (strcmp(a, "--truth") == 0 && more) {
            truth = argv[++i];
        } else {
            return cli_usage_error("gen claims", "unknown option or missing value: '%s'", a);
        }
    }
    if (!o.library)
        return cli_usage_error("gen claims", "%s", _("labelled claims need --library DIR"));
    char stdlib_buf[PATH_MAX + 64];
    o.stdlib_dir = default_stdlib(o.stdlib_dir, stdlib_buf);
    char tpath[4096];
    if (!truth) {
        if (!out || strcmp(out, "-") == 0)
            return cli_usage_error("gen claims", "%s",
                                   _("writing to standard output needs --truth FILE"));
        size_t l = strlen(out);
        if (l > 6 && strcmp(out + l - 6, ".jsonl") == 0)
            snprintf(tpath, sizeof tpath, "%.*s.truth.jsonl", (int)(l - 6), out);
        else
            snprintf(tpath, sizeof tpath, "%s.truth.jsonl", out);
        truth = tpath;
    }
    /* both written to temporary files renamed when complete (outfile.h) */
    const char *opath = out ? out : "-";
    if (outf_same_target(opath, truth))
        return cli_usage_error("gen claims", "the claims and the truth are the same file %s",
                               truth);
    OutFile of, tf;
    int oerr = outf_open(&of, opath, mem_default());
    if (oerr) {
        fprintf(stderr, _("arbiter gen claims: cannot write %s: %s\n"), opath, strerror(oerr));
        return EXIT_IO;
    }
    oerr = outf_open(&tf, truth, mem_default());
    if (oerr) {
        fprintf(stderr, _("arbiter gen claims: cannot write %s: %s\n"), truth, strerror(oerr));
        outf_abort(&of);
        return EXIT_IO;
    }
    const LibCategory *cats[LIB_MAX_CATEGORIES];
    size_t n = lib_categories(cats, LIB_MAX_CATEGORIES);
    uint64_t injected[LIB_MAX_CATEGORIES] = {0}, earlier = 0;
    o.injected = injected;
    o.earlier = &earlier;
    char err[1024];
    int rc = lib_write_claims(of.f, tf.f, &o, err, sizeof err);
    if (rc) {
        outf_abort(&of);
        outf_abort(&tf);
        fprintf(stderr, "arbiter gen claims: %s\n", err);
        return strstr(err, ".csv:") ? EXIT_DATA : strstr(err, "write") ? EXIT_IO : EXIT_USAGE;
    }
    int werr = outf_commit(&of, 0);
    const char *wpath = werr ? opath : truth;
    if (werr)
        outf_abort(&tf);
    else
        werr = outf_commit(&tf, 0);
    if (werr) {
        fprintf(stderr, _("arbiter gen claims: cannot write %s: %s\n"), wpath, strerror(werr));
        return EXIT_IO;
    }
    uint64_t total = 0, ncat = 0;
    for (size_t k = 0; k < n; k++) total += injected[k], ncat += injected[k] > 0;
    fprintf(stderr,
            _("arbiter gen claims: %llu claims (+%llu earlier claims), %llu violations in %llu "
              "categories; truth in %s\n"),
            (unsigned long long)o.n, (unsigned long long)earlier, (unsigned long long)total,
            (unsigned long long)ncat, truth);
    return EXIT_CLEAN;
}

/* ---------------------------------------------------------------- score */

/* Reads a file's keys (testing/score.h), printing why it cannot; an exit
 * code. */
static int read_keys(const char *path, ScoreKeys *ks, ScoreNames *names) {
    char err[4400];
    switch (score_read_keys(path, ks, names, err, sizeof err)) {
    case SCORE_OK: return EXIT_CLEAN;
    case SCORE_ERR_OPEN:
        fprintf(stderr, _("arbiter score: cannot read %s: %s\n"), path, strerror(errno));
        return EXIT_IO;
    case SCORE_ERR_READ:
        fprintf(stderr, _("arbiter score: read error on %s\n"), path);
        return EXIT_IO;
    case SCORE_ERR_DATA: fputs(err, stderr); return EXIT_DATA;
    default: return EXIT_IO;
    }
}

int cmd_score(int argc, char **argv) {
    const char *files[2] = {NULL, NULL};
    int nfiles = 0, have_min = 0;
    uint32_t min_ppm = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(_(SCORE_HELP), stdout);
            return EXIT_CLEAN;
        } else if (strcmp(a, "--min-recall") == 0 && i + 1 < argc) {
            if (parse_fraction(argv[++i], &min_ppm))
                return cli_usage_error(
                    "score", "--min-recall takes a fraction from 0 to 1, not '%s'", argv[i]);
            have_min = 1;
        } else if (a[0] != '-' && nfiles < 2) {
            files[nfiles++] = a;
        } else {
            return cli_usage_error("score", "unknown option, missing value or extra file: '%s'", a);
        }
    }
    if (nfiles != 2)
        return cli_usage_error("score", "%s", _("give FINDINGS.jsonl and TRUTH.jsonl"));
    ScoreNames names = {0};
    ScoreKeys found = {0}, truth = {0};
    int rc = read_keys(files[0], &found, &names);
    if (rc == EXIT_CLEAN) rc = read_keys(files[1], &truth, &names);
    size_t nc = names.n;
    ScoreCount *counts = calloc(nc + 1, sizeof *counts);
    size_t *ord = malloc((nc + 1) * sizeof *ord);
    if (rc == EXIT_CLEAN && (!counts || !ord)) rc = EXIT_IO;
    if (rc == EXIT_CLEAN) {
        score_tally(&found, &truth, &names, counts, ord);
        /* the columns as printed below: a translation keeps their widths */
        fputs(_("category                    truth    found   missed   false+   recall  "
                "precision\n"),
              stdout);
        uint64_t T = 0, H = 0, F = 0;
        int below = 0;
        for (size_t a = 0; a < nc; a++) {
            const ScoreCount *c = &counts[ord[a]];
            char r[48], p[48];
            score_pct(c->found, c->truth, r, sizeof r);
            score_pct(c->found, c->found + c->false_pos, p, sizeof p);
            printf("%-24s %8llu %8llu %8llu %8llu %8s %10s\n", names.v[ord[a]],
                   (unsigned long long)c->truth, (unsigned long long)c->found,
                   (unsigned long long)(c->truth - c->found), (unsigned long long)c->false_pos, r,
                   p);
            T += c->truth, H += c->found, F += c->false_pos;
            if (have_min && score_below(c, min_ppm)) below++;
        }
        char r[48], p[48];
        score_pct(H, T, r, sizeof r);
        score_pct(H, H + F, p, sizeof p);
        fputs(_("total                   "), stdout); /* 24 columns */
        printf(" %8llu %8llu %8llu %8llu %8s %10s\n", (unsigned long long)T, (unsigned long long)H,
               (unsigned long long)(T - H), (unsigned long long)F, r, p);
        if (below) {
            fprintf(stderr, _("arbiter score: %d categor%s below the minimum recall\n"), below,
                    below == 1 ? "y" : "ies");
            rc = EXIT_FINDINGS;
        }
    }
    free(counts);
    free(ord);
    score_keys_free(&found);
    score_keys_free(&truth);
    score_names_free(&names);
    return rc;
}
