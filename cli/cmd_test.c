/* cmd_test.c — `arbiter test` (the rules' inline tests, each run as a small
 * batch; golden regression sets: run a rule library over each set's claims
 * and compare with its expected findings; --coverage) and
 * `arbiter diff` (the impact of a rule change: two rule libraries over the
 * same claims): their arguments parsed and their results printed.  testing/
 * does the work: runs the rules over claims into findings sets (run.c),
 * compares them (findings_set.c), finds, loads and rewrites golden sets and
 * lists the rules not exercised (golden.c), judges inline tests (expect.c)
 * and writes the impact of a change (impact.c).
 *
 * Exit codes: 0 no difference; 1 differences; 2 usage or rule errors, or a
 * malformed expected.jsonl; 3 claims unreadable or records rejected; 4 I/O. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arbiter.h"
#include "cli_util.h"
#include "i18n.h"
#include "commands.h"
#include "expect.h"
#include "findings_set.h"
#include "golden.h"
#include "impact.h"
#include "jit_plugin.h"
#include "run.h"

enum { EXIT_CLEAN = 0, EXIT_DIFFERS = 1, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_IO = 4 };

#define MAX_EXAMPLES 10 /* example findings shown per rule */

static const char *const TEST_HELP =
    N_("usage: arbiter test RULES... [--golden DIR...] [options]\n"
       "\n"
       "Runs the inline tests of the rules (test \"name\" { claim {...} expect ... }):\n"
       "each test's claims are one small batch, and the findings of its last claim\n"
       "must meet its expectations; a failure is reported at the test's file:line:col\n"
       "with what was expected and what was found.\n"
       "Then runs the rules over the claims of each golden set and compares the findings\n"
       "with the set's expected findings, in any order. A golden set is a directory\n"
       "holding claims (claims.jsonl, or claims/claims.csv or claims.csv with the\n"
       "child CSV files beside it) and expected.jsonl (findings as 'arbiter check'\n"
       "writes them). A difference is reported by category and rule: findings newly\n"
       "raised (+), no longer raised (-) and changed (~: amount, severity, message,\n"
       "category, nature or points), with counts and money.\n"
       "RULES are rule files, or directories (their *.rules files).\n"
       "\n"
       "options:\n"
       "  --golden DIR...   golden sets: DIR and every argument after it up to the\n"
       "                    next option (may be repeated)\n"
       "  --update          rewrite each set's expected.jsonl with the findings the\n"
       "                    rules give now (sorted), and report what changed\n"
       "  --junit FILE      write the results as JUnit XML (one testcase per inline\n"
       "                    test and per set)\n"
       "  --coverage        list the rules that no inline test expects to flag and no\n"
       "                    golden set's expected findings contain; exit 1 if any\n"
       "  --threads N       worker threads (default: the number of cores); the\n"
       "                    result is the same\n"
       "  --backend B       interp (default) or jit; the result is the same\n"
       "  --stdlib DIR      the standard library (schema.rules)\n"
       "  -h, --help        this text\n"
       "\n"
       "exit codes: 0 every test passes and every set matches (or was updated), 1 an\n"
       "inline test fails, a set differs or (with --coverage) a rule is not exercised,\n"
       "2 usage or rule errors or a malformed expected.jsonl, 3 claims unreadable or\n"
       "records rejected, 4 I/O errors.\n");

static const char *const DIFF_HELP =
    N_("usage: arbiter diff OLD_RULES NEW_RULES --claims FILE [options]\n"
       "\n"
       "Shows the impact of a rule change: runs both rule libraries over the same\n"
       "claims and reports the findings NEW_RULES raises that OLD_RULES does not (+),\n"
       "the ones it no longer raises (-) and the ones it changes (~), by category and\n"
       "rule, then a summary (findings, claims affected, money at risk, old and new).\n"
       "OLD_RULES and NEW_RULES are each a rule file or a directory (its *.rules\n"
       "files, sorted; not recursive).\n"
       "\n"
       "options:\n"
       "  --claims FILE     claims as JSON Lines (.jsonl) or claims.csv with the\n"
       "                    child CSV files beside it\n"
       "  --input-format F  jsonl or csv (default: by the file's extension)\n"
       "  --encoding E      the claims' encoding: utf-8 (default) or gb18030 (gbk)\n"
       "  --input PROFILE   read the claims through an input profile of the rules\n"
       "                    (nhsa3101, his_csv_zh, ...; both sides must declare it)\n"
       "  --threads N       worker threads (default: the number of cores)\n"
       "  --backend B       interp (default) or jit\n"
       "  --stdlib DIR      the standard library (schema.rules)\n"
       "  -h, --help        this text\n"
       "\n"
       "exit codes: 0 no difference, 1 the change changes findings, 2 usage or rule\n"
       "errors, 3 claims unreadable or records rejected, 4 I/O errors.\n");

/* The exit code of two outcomes together: usage, then I/O, then data
 * errors outweigh differences. */
static int worse(int a, int b) {
    static const int rank[] = {0, 1, 4, 2, 3}; /* by exit code */
    return rank[b] > rank[a] ? b : a;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ rule files */

typedef struct PathList {
    char **items;
    size_t n, cap;
} PathList;

static int paths_add(PathList *l, const char *path) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(l->items, cap * sizeof *p);
        if (!p) return -1;
        l->items = p;
        l->cap = cap;
    }
    if (!(l->items[l->n] = strdup(path))) return -1;
    l->n++;
    return 0;
}

static void paths_free(PathList *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the *.rules files of a directory, sorted (not recursive). */
static int add_rule_dir(PathList *l, const char *dir, const char *cmd) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, _("arbiter %s: cannot read %s: %s\n"), cmd, dir, strerror(errno));
        return EXIT_USAGE;
    }
    size_t first = l->n;
    struct dirent *de;
    int rc = EXIT_CLEAN;
    char path[4096];
    while (rc == EXIT_CLEAN && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len <= 6 || strcmp(de->d_name + len - 6, ".rules") != 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (paths_add(l, path)) rc = EXIT_IO;
    }
    closedir(d);
    if (rc) return rc;
    if (l->n == first) {
        fprintf(stderr, _("arbiter %s: no .rules files in %s\n"), cmd, dir);
        return EXIT_USAGE;
    }
    qsort(l->items + first, l->n - first, sizeof *l->items, cmp_str);
    return EXIT_CLEAN;
}

/* Adds a rule file, or every *.rules file of a directory. */
static int add_rules(PathList *l, const char *path, const char *cmd) {
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) return add_rule_dir(l, path, cmd);
    return paths_add(l, path) ? EXIT_IO : EXIT_CLEAN;
}

/* ------------------------------------------------------------ the engine */

typedef struct TestOptions {
    const char *stdlib;
    int jit;
    RunOptions run; /* threads, and how the claims are read (diff) */
} TestOptions;

/* Compiles the rule files (and the JIT when asked); NULL with *code set. */
static arb_engine *compile_rules(const char *cmd, const PathList *rules, const TestOptions *ro,
                                 int *code) {
    arb_engine *e =
        cli_compile(cmd, (const char *const *)rules->items, rules->n, ro->stdlib, 0, code);
    if (!e) return NULL;
    if (ro->jit) { /* LLVM is loaded only now (cli/jit_plugin.h) */
        CliJit jit;
        char why[PATH_MAX + 512];
        arb_jit_options jo;
        if (cli_jit_load(&jit, why, sizeof why) != 0) {
            fprintf(stderr, _("arbiter %s: %s\n"), cmd, why);
            arb_engine_free(e);
            *code = EXIT_USAGE;
            return NULL;
        }
        jit.options_init(&jo);
        if (jit.use_jit(e, &jo) != ARB_OK) {
            fprintf(stderr, _("arbiter %s: %s\n"), cmd, arb_errmsg(e));
            arb_engine_free(e);
            *code = EXIT_USAGE;
            return NULL;
        }
    }
    *code = EXIT_CLEAN;
    return e;
}

typedef struct RejectPrinter {
    int quiet;
    FsBuf *collect;  /* when set, rejects are described here instead */
    uint64_t shown;  /* rejects and rule failures printed (the first SHOWN) */
    uint64_t hidden; /* and not printed */
} RejectPrinter;

/* Rejects and rule failures printed per run; the rest are counted. */
enum { SHOWN = 20 };

static void on_reject(void *ud, const arb_reject *r) {
    RejectPrinter *p = ud;
    if (!p->collect && !p->quiet && p->shown++ >= SHOWN) {
        p->hidden++;
        return;
    }
    if (p->collect)
        fsb_printf(p->collect, _("%sclaim %llu rejected: %s"), p->collect->len ? "; " : "",
                   (unsigned long long)r->line, r->message);
    else if (!p->quiet)
        fprintf(stderr, _("%s:%llu: rejected: %s\n"), r->file, (unsigned long long)r->line,
                r->message);
}

static void on_rule_error(void *ud, const arb_rule_error *r) {
    RejectPrinter *p = ud;
    if (!p->quiet && p->shown++ >= SHOWN) {
        p->hidden++;
        return;
    }
    if (!p->quiet)
        fprintf(stderr, _("%s:%u: rule %s failed on claim %s: %s\n"), r->file ? r->file : "?",
                r->line, r->rule_id, r->claim_id, r->message);
}

/* The exit code of run_claims' result. */
static int exit_code(int run_rc) {
    return run_rc == RUN_OK ? EXIT_CLEAN : run_rc == RUN_ERR_IO ? EXIT_IO : EXIT_DATA;
}

/* Runs e over the claims and loads the findings into *out (testing/run.h),
 * printing rejects and rule failures (but for the first SHOWN, counted; none
 * when quiet_rejects).  Returns EXIT_CLEAN; EXIT_DATA when records were
 * rejected (the findings of the rest are loaded, *loaded is 1) or the claims
 * cannot be read; EXIT_IO.  Errors other than rejected records are
 * described in *why. */
static int run_claims_cli(arb_engine *e, const char *claims, const TestOptions *ro,
                          int quiet_rejects, FindingSet *out, RunTitles *titles, int *loaded,
                          FsBuf *why) {
    RejectPrinter rp = {quiet_rejects, NULL, 0, 0};
    RunOptions o = ro->run;
    o.on_reject = on_reject;
    o.on_rule_error = on_rule_error;
    o.ud = &rp;
    int rc = run_claims(e, claims, &o, out, titles, loaded, why);
    if (rp.hidden)
        fprintf(stderr,
                _("%s: %llu more rejects and rule failures, not shown (the first %d are)\n"),
                claims, (unsigned long long)rp.hidden, SHOWN);
    return exit_code(rc);
}

/* ------------------------------------------------------------ golden sets */

typedef struct TestRun {
    arb_engine *e;
    TestOptions ro;
    int update;
    RunTitles titles;
    FsCase *cases;
    size_t ncases;
    size_t passed, failed, errors, updated;
    /* inline tests */
    size_t t_passed, t_failed, t_errors;
    /* --coverage: the rule ids exercised */
    int coverage;
    GoldenRules exercised;
} TestRun;

/* Notes that a test or golden set exercises a rule (for --coverage). */
static void exercise(TestRun *t, const char *rule) {
    if (t->coverage) golden_exercise(&t->exercised, rule);
}

/* exercise() as expect_judge's callback. */
static void exercised(void *ud, const char *rule) {
    exercise(ud, rule);
}

/* Loads a set's expected.jsonl (empty when absent and updating). */
static int load_expected(const TestRun *t, const char *path, FindingSet *s, FsBuf *why) {
    return golden_load_expected(path, t->update, s, why) ? EXIT_USAGE : EXIT_CLEAN;
}

/* Compares one set's findings, prints the report and updates the file when
 * asked.  Returns the set's exit code; *report gets the report, *ndiff the
 * number of differences. */
static int judge_set(TestRun *t, const char *name, const char *expected_path, FindingSet *exp,
                     FindingSet *act, int data_code, FsBuf *report, size_t *ndiff) {
    long cmp = golden_compare(name, exp, act, t->titles.items, t->titles.n, MAX_EXAMPLES, report);
    if (cmp < 0) {
        fprintf(stderr, _("arbiter test: out of memory\n"));
        return EXIT_IO;
    }
    size_t nd = *ndiff = (size_t)cmp;
    if (nd) fputs(report->p ? report->p : "", stdout);
    int code = data_code ? data_code : nd ? EXIT_DIFFERS : EXIT_CLEAN;
    if (!t->update || data_code) {
        if (!nd && !data_code) printf(_("golden %s: ok, %zu findings\n"), name, act->n);
        if (t->update && data_code) printf(_("golden %s: not updated (records rejected)\n"), name);
        return code;
    }
    int w = golden_write_expected(expected_path, act);
    if (w < 0) {
        fprintf(stderr, _("arbiter test: cannot write %s: %s\n"), expected_path, strerror(errno));
        return EXIT_IO;
    }
    if (w) t->updated++;
    printf(_("golden %s: %s, %zu findings\n"), name, w ? _("expected.jsonl updated") : _("ok"),
           act->n);
    return EXIT_CLEAN;
}

/* Runs one golden set; fills the set's JUnit case.  Returns its exit code. */
static int run_set(TestRun *t, const char *dir, FsCase *c) {
    char claims[4096], expected[4096];
    FindingSet exp, act;
    FsBuf why, report;
    fs_init(&exp);
    fs_init(&act);
    fsb_init(&why);
    fsb_init(&report);
    int code;
    size_t ndiff = 0;
    snprintf(expected, sizeof expected, "%s/expected.jsonl", dir);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fsb_printf(&why, _("%s: not a directory"), dir);
        code = EXIT_USAGE;
    } else if (golden_find_claims(dir, claims, sizeof claims)) {
        fsb_printf(&why, _("%s: no claims (claims.jsonl, claims/claims.csv or claims.csv)"), dir);
        code = EXIT_DATA;
    } else if ((code = load_expected(t, expected, &exp, &why)) == EXIT_CLEAN) {
        int loaded;
        code = run_claims_cli(t->e, claims, &t->ro, 0, &act, &t->titles, &loaded, &why);
        if (loaded) code = judge_set(t, dir, expected, &exp, &act, code, &report, &ndiff);
        const FindingSet *cov = t->update ? &act : &exp;
        for (size_t k = 0; k < cov->n; k++) exercise(t, cov->items[k].rule);
    }
    if (why.len) fprintf(stderr, "arbiter test: %s\n", why.p);
    c->status = code == EXIT_CLEAN     ? FS_CASE_PASSED
                : code == EXIT_DIFFERS ? FS_CASE_FAILED
                                       : FS_CASE_ERROR;
    if (!why.len && ndiff) fsb_printf(&why, _("%zu difference%s"), ndiff, ndiff == 1 ? "" : "s");
    c->message = why.len ? strdup(why.p) : NULL;
    c->text = report.len ? strdup(report.p) : NULL;
    fsb_free(&why);
    fsb_free(&report);
    fs_free(&exp);
    fs_free(&act);
    return code;
}

static int write_junit(const char *path, const TestRun *t) {
    FsBuf b;
    fsb_init(&b);
    fs_junit(&b, "arbiter", t->cases, t->ncases);
    FILE *f = fopen(path, "wb");
    int ok = f && !b.oom && fwrite(b.p, 1, b.len, f) == b.len;
    if (f && fclose(f) != 0) ok = 0;
    fsb_free(&b);
    if (!ok) fprintf(stderr, _("arbiter test: cannot write %s: %s\n"), path, strerror(errno));
    return ok ? EXIT_CLEAN : EXIT_IO;
}

/* Runs every golden set. */
static int run_sets(TestRun *t, char **dirs, size_t ndirs) {
    int code = EXIT_CLEAN;
    for (size_t i = 0; i < ndirs; i++) {
        FsCase *c = &t->cases[t->ncases++];
        memset(c, 0, sizeof *c);
        double t0 = now_seconds();
        int rc = run_set(t, dirs[i], c);
        c->seconds = now_seconds() - t0;
        c->classname = "golden";
        char *name = malloc(strlen(dirs[i]) + 8);
        if (name) sprintf(name, "golden %s", dirs[i]);
        c->name = name;
        t->passed += rc == EXIT_CLEAN;
        t->failed += rc == EXIT_DIFFERS;
        t->errors += rc != EXIT_CLEAN && rc != EXIT_DIFFERS;
        code = worse(code, rc);
    }
    return code;
}

/* ------------------------------------------------------------ inline tests */

/* Writes the test's claims to a temporary JSON Lines file, runs them as one
 * batch and judges the result.  Fills the test's JUnit case; returns its
 * exit code. */
static int run_inline_test(TestRun *t, size_t i, FsCase *c) {
    arb_test tt;
    arb_test_get(t->e, i, &tt);
    FsBuf why, report, first, rejects;
    fsb_init(&why);
    fsb_init(&report);
    fsb_init(&first);
    fsb_init(&rejects);
    FindingSet act;
    fs_init(&act);
    int code = EXIT_CLEAN, loaded = 0;
    RejectPrinter rp = {1, &rejects, 0, 0}; /* rejects described, nothing printed */
    RunOptions o = t->ro.run;
    o.on_reject = on_reject;
    o.on_rule_error = on_rule_error;
    o.ud = &rp;
    code = exit_code(
        run_claims_text(t->e, tt.claims, tt.claims_len, &o, &act, &t->titles, &loaded, &why));
    if (code == EXIT_DATA && rejects.len) {
        why.len = 0;
        fsb_printf(&why, "%s", rejects.p);
    }
    if (code == EXIT_CLEAN && loaded &&
        expect_judge(t->e, i, &tt, &act, MAX_EXAMPLES, exercised, t, &report, &first))
        code = EXIT_DIFFERS;
    const char *file = tt.file ? tt.file : "?";
    if (code == EXIT_DIFFERS) {
        printf(_("%s:%u:%u: test \"%s\" failed\n%s"), file, tt.line, tt.col, tt.name,
               report.p ? report.p : "");
        c->status = FS_CASE_FAILED;
        c->message = strdup(first.p ? first.p : "failed");
    } else if (code != EXIT_CLEAN) {
        printf(_("%s:%u:%u: test \"%s\": error: %s\n"), file, tt.line, tt.col, tt.name,
               why.p ? why.p : "");
        c->status = FS_CASE_ERROR;
        c->message = strdup(why.p ? why.p : "error");
    } else {
        c->status = FS_CASE_PASSED;
    }
    if (report.len) {
        FsBuf text;
        fsb_init(&text);
        fsb_printf(&text, _("%s:%u:%u: test \"%s\" failed\n%s"), file, tt.line, tt.col, tt.name,
                   report.p);
        c->text = text.p ? strdup(text.p) : NULL;
        fsb_free(&text);
    }
    c->classname = file;
    FsBuf name;
    fsb_init(&name);
    fsb_printf(&name, "test \"%s\"", tt.name);
    c->name = name.p ? strdup(name.p) : NULL;
    fsb_free(&name);
    fsb_free(&why);
    fsb_free(&report);
    fsb_free(&first);
    fsb_free(&rejects);
    fs_free(&act);
    return code;
}

/* Runs every inline test of the rules. */
static int run_inline_tests(TestRun *t, size_t ntests) {
    int code = EXIT_CLEAN;
    for (size_t i = 0; i < ntests; i++) {
        FsCase *c = &t->cases[t->ncases++];
        memset(c, 0, sizeof *c);
        double t0 = now_seconds();
        int rc = run_inline_test(t, i, c);
        c->seconds = now_seconds() - t0;
        t->t_passed += rc == EXIT_CLEAN;
        t->t_failed += rc == EXIT_DIFFERS;
        t->t_errors += rc != EXIT_CLEAN && rc != EXIT_DIFFERS;
        code = worse(code, rc);
    }
    return code;
}

/* ---------------------------------------------------------------- coverage */

/* Lists the rules no inline test expects to flag and no golden set's
 * expected findings contain; EXIT_DIFFERS when there are any. */
static int report_coverage(TestRun *t) {
    size_t nrules = arb_rule_count(t->e);
    FsBuf list;
    fsb_init(&list);
    size_t missed = golden_coverage(t->e, &t->exercised, &list);
    printf(_("coverage: %zu of %zu rule%s exercised by inline tests or golden sets"),
           nrules - missed, nrules, nrules == 1 ? "" : "s");
    if (missed)
        printf(_("; not exercised (no test expects them to flag, no golden set has their "
                 "findings):\n%s"),
               list.p);
    else
        printf("\n");
    fsb_free(&list);
    return missed ? EXIT_DIFFERS : EXIT_CLEAN;
}

static void free_cases(TestRun *t) {
    for (size_t i = 0; i < t->ncases; i++) {
        free((char *)t->cases[i].name);
        free((char *)t->cases[i].message);
        free((char *)t->cases[i].text);
    }
    free(t->cases);
    golden_rules_free(&t->exercised);
}

/* Strips trailing slashes (keeps "/"). */
static char *trim_dir(char *s) {
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/') s[--n] = 0;
    return s;
}

static int parse_threads(const char *cmd, const char *s, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 1 || v > 64)
        return cli_usage_error(cmd, "--threads takes a number from 1 to 64, not '%s'", s);
    *out = (int)v;
    return EXIT_CLEAN;
}

static int parse_backend(const char *cmd, const char *s, int *jit) {
    if (strcmp(s, "interp") == 0)
        *jit = 0;
    else if (strcmp(s, "jit") == 0)
        *jit = 1;
    else
        return cli_usage_error(cmd, "unknown backend '%s' (interp, jit)", s);
    return EXIT_CLEAN;
}

/* Options common to test and diff; returns 1 when argv[*i] was one, or
 * sets *code on a bad value. */
static int run_option(const char *cmd, TestOptions *ro, int argc, char **argv, int *i, int *code) {
    const char *a = argv[*i];
    if (*i + 1 >= argc) return 0;
    if (strcmp(a, "--threads") == 0) {
        *code = parse_threads(cmd, argv[++*i], &ro->run.threads);
    } else if (strcmp(a, "--backend") == 0) {
        *code = parse_backend(cmd, argv[++*i], &ro->jit);
    } else if (strcmp(a, "--stdlib") == 0) {
        ro->stdlib = argv[++*i];
    } else {
        return 0;
    }
    return 1;
}

int cmd_test(int argc, char **argv) {
    PathList rules = {0};
    char *dirs[argc + 1];
    size_t ndirs = 0;
    const char *junit = NULL;
    TestRun t;
    memset(&t, 0, sizeof t);
    t.ro.run.threads = cli_cores();
    int code = EXIT_CLEAN, in_golden = 0;
    for (int i = 0; i < argc && code == EXIT_CLEAN; i++) {
        const char *a = argv[i];
        int is_opt = a[0] == '-' && a[1];
        if (cli_is_help(a)) {
            paths_free(&rules);
            fputs(_(TEST_HELP), stdout);
            return EXIT_CLEAN;
        } else if (!is_opt && in_golden) {
            dirs[ndirs++] = trim_dir(argv[i]);
        } else if (!is_opt) {
            code = add_rules(&rules, a, "test");
        } else if (strcmp(a, "--golden") == 0 && i + 1 < argc && argv[i + 1][0] != '-') {
            in_golden = 1;
            dirs[ndirs++] = trim_dir(argv[++i]);
        } else if (strcmp(a, "--update") == 0) {
            t.update = 1;
            in_golden = 0;
        } else if (strcmp(a, "--coverage") == 0) {
            t.coverage = 1;
            in_golden = 0;
        } else if (strcmp(a, "--junit") == 0 && i + 1 < argc) {
            junit = argv[++i];
            in_golden = 0;
        } else if (run_option("test", &t.ro, argc, argv, &i, &code)) {
            in_golden = 0;
        } else {
            code = cli_usage_error("test", "unknown option or missing value: '%s'", a);
        }
    }
    if (code == EXIT_CLEAN && !rules.n)
        code = cli_usage_error("test", "%s", _("no rule files given"));
    if (code == EXIT_CLEAN) t.e = compile_rules("test", &rules, &t.ro, &code);
    paths_free(&rules);
    if (!t.e) return code;
    size_t ntests = arb_test_count(t.e);
    if (!ntests && !ndirs) {
        arb_engine_free(t.e);
        return cli_usage_error("test", "%s",
                               _("the rules have no inline tests and no golden sets are given "
                                 "(--golden DIR)"));
    }
    t.cases = calloc(ntests + ndirs + 1, sizeof *t.cases);
    if (!t.cases) {
        arb_engine_free(t.e);
        fprintf(stderr, _("arbiter test: out of memory\n"));
        return EXIT_IO;
    }
    code = run_inline_tests(&t, ntests);
    code = worse(code, run_sets(&t, dirs, ndirs));
    if (t.coverage) code = worse(code, report_coverage(&t));
    if (junit) code = worse(code, write_junit(junit, &t));
    if (ntests) {
        printf(dngettext(ARB_TEXT_DOMAIN, "arbiter test: %zu inline test: %zu passed, %zu failed",
                         "arbiter test: %zu inline tests: %zu passed, %zu failed", ntests),
               ntests, t.t_passed, t.t_failed);
        if (t.t_errors) printf(_(", %zu with errors"), t.t_errors);
        printf("\n");
    }
    if (ndirs) {
        printf(dngettext(ARB_TEXT_DOMAIN, "arbiter test: %zu golden set: %zu passed, %zu failed",
                         "arbiter test: %zu golden sets: %zu passed, %zu failed", ndirs),
               ndirs, t.passed, t.failed);
        if (t.errors) printf(_(", %zu with errors"), t.errors);
        if (t.update) printf(_("; %zu expected.jsonl updated"), t.updated);
        printf("\n");
    }
    free_cases(&t);
    run_titles_free(&t.titles);
    arb_engine_free(t.e);
    return code;
}

/* ------------------------------------------------------------------- diff */

/* Compiles one side of the diff and runs it over the claims; *loaded is 1
 * when its findings could be loaded. */
static int diff_side(const char *rules_path, const char *claims, const TestOptions *ro, int quiet,
                     FindingSet *out, RunTitles *titles, int *loaded) {
    PathList rules = {0};
    *loaded = 0;
    int code = add_rules(&rules, rules_path, "diff");
    arb_engine *e = code == EXIT_CLEAN ? compile_rules("diff", &rules, ro, &code) : NULL;
    paths_free(&rules);
    if (!e) {
        fprintf(stderr, _("arbiter diff: (in %s)\n"), rules_path);
        return code;
    }
    FsBuf why;
    fsb_init(&why);
    code = run_claims_cli(e, claims, ro, quiet, out, titles, loaded, &why);
    if (why.len && (!quiet || !*loaded)) fprintf(stderr, "arbiter diff: %s\n", why.p);
    fsb_free(&why);
    arb_engine_free(e);
    return code;
}

int cmd_diff(int argc, char **argv) {
    const char *sides[2] = {NULL, NULL}, *claims = NULL;
    int nsides = 0, code = EXIT_CLEAN;
    TestOptions ro = {.run.threads = cli_cores()};
    for (int i = 0; i < argc && code == EXIT_CLEAN; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(_(DIFF_HELP), stdout);
            return EXIT_CLEAN;
        } else if (a[0] != '-' || !a[1]) {
            if (nsides == 2) return cli_usage_error("diff", "one rule set too many: '%s'", a);
            sides[nsides++] = a;
        } else if (strcmp(a, "--claims") == 0 && i + 1 < argc) {
            claims = argv[++i];
        } else if (strcmp(a, "--input") == 0 && i + 1 < argc) {
            ro.run.input_profile = argv[++i];
        } else if (strcmp(a, "--encoding") == 0 || strcmp(a, "--input-format") == 0) {
            /* as check reads them */
            arb_batch_options bo;
            arb_batch_options_init(&bo);
            int r = cli_batch_option("diff", argc, argv, &i, &bo);
            if (r < 0) return EXIT_USAGE;
            if (r == 0) return cli_usage_error("diff", "missing value: '%s'", a);
            if (bo.encoding) ro.run.encoding = bo.encoding;
            if (strcmp(a, "--input-format") == 0) ro.run.input_format = bo.input_format;
        } else if (!run_option("diff", &ro, argc, argv, &i, &code)) {
            return cli_usage_error("diff", "unknown option or missing value: '%s'", a);
        }
    }
    if (code) return code;
    if (nsides < 2) return cli_usage_error("diff", "%s", _("give OLD_RULES and NEW_RULES"));
    if (!claims) return cli_usage_error("diff", "%s", _("no claims given (--claims FILE)"));
    FindingSet old_set, new_set;
    fs_init(&old_set);
    fs_init(&new_set);
    RunTitles titles = {0};
    int loaded_old, loaded_new = 0;
    int c_old = diff_side(sides[0], claims, &ro, 0, &old_set, &titles, &loaded_old);
    int c_new = loaded_old ? diff_side(sides[1], claims, &ro, 1, &new_set, &titles, &loaded_new)
                           : EXIT_CLEAN;
    code = worse(c_old, c_new);
    if (loaded_old && loaded_new) {
        FsBuf b;
        fsb_init(&b);
        long n = impact_report(&b, sides[0], sides[1], &old_set, &new_set, titles.items, titles.n,
                               MAX_EXAMPLES);
        if (n < 0)
            fprintf(stderr, _("arbiter diff: out of memory\n"));
        else
            fputs(b.p ? b.p : "", stdout);
        fsb_free(&b);
        code = worse(code, n < 0 ? EXIT_IO : n > 0 ? EXIT_DIFFERS : EXIT_CLEAN);
    }
    fs_free(&old_set);
    fs_free(&new_set);
    run_titles_free(&titles);
    return code;
}
