/* main.c — the `arbiter` command: check, lint, compile, disasm, gen (and the
 * dispatch to test, diff, explain and import, which live in their own files).  The
 * CLI is the only place that prints; everything else is the library.
 *
 * Exit codes: 0 clean; 1 findings (with --fail-on-findings); 2 usage or rule
 * errors (an output that would overwrite an input among them); 3 data errors
 * (claims unreadable, records rejected, or rules that failed on claims: a
 * Lua error, timeout or memory limit); 4 I/O (check and gen claims: also
 * standard output closed early, e.g. by `| head`, without a message). */
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
#include "explain.h"
#include "gen.h"
#include "jit_plugin.h"
#include "outfile.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_IO = 4 };

static const char *const MAIN_HELP =
    N_("usage: arbiter <command> [options]\n"
       "\n"
       "Arbiter audits medical-insurance claims against rules written in the Arbiter\n"
       "rule language.\n"
       "\n"
       "commands:\n"
       "  check    audit a claims file with a rule library and write findings\n"
       "  lint     check rule files and report every error\n"
       "  compile  compile rule files into a rule pack (.arbpack)\n"
       "  disasm   print the bytecode a rule compiles to\n"
       "  fmt      lay rule files out in the canonical layout (or --check them)\n"
       "  gen      generate synthetic claims, labelled claims or a reference library\n"
       "  score    recall and precision of findings against the truth of labelled claims\n"
       "  test     run the rules' inline tests and golden sets (expected findings)\n"
       "  diff     show the impact of a rule change on the findings over claims\n"
       "  explain  why one claim was (or was not) flagged, with the values each rule saw\n"
       "  import   turn the national knowledge points (import nhsa) into tables and rules\n"
       "  history  a persistent claim-history store: add, stats, prune, export, feedback\n"
       "  serve    the audit service over HTTP: /v1/check, the national 3101/3102/3103\n"
       "  lsp      the language server for editors (LSP over stdio; docs/editors.md)\n"
       "  report   an HTML report (and CSV tables) for auditors and managers from findings\n"
       "\n"
       "Run 'arbiter <command> --help' for a command's options.\n"
       "\n"
       "exit codes: 0 clean, 1 findings (with --fail-on-findings), 2 usage or rule\n"
       "errors (an output that would overwrite an input too), 3 data errors (claims\n"
       "unreadable, records rejected, or rules that failed on some claims: a Lua\n"
       "error, timeout or memory limit), 4 I/O errors (check and gen claims: also\n"
       "standard output closed early, as by '| head', without a message).\n"
       "global option: --lang zh_CN|en, the language of messages (default: from\n"
       "LANGUAGE, LC_ALL, LC_MESSAGES or LANG; English unless one of them is zh_*).\n"
       "environment: ARBITER_STDLIB names the standard library directory.\n");

static const char *const CHECK_HELP =
    N_("usage: arbiter check RULES... --claims FILE [options]\n"
       "       arbiter check --pack LIB.arbpack --claims FILE [options]\n"
       "\n"
       "Audits the claims in FILE with the rule files RULES and writes findings.\n"
       "A malformed record is reported with its file and line, written to the reject\n"
       "file and counted; the rest of the batch is audited.\n"
       "\n"
       "options:\n"
       "  --pack FILE          a rule pack made by 'arbiter compile' instead of rule files\n"
       "  --claims FILE        claims as JSON Lines (.jsonl) or claims.csv with\n"
       "                       lines.csv, diagnoses.csv, procedures.csv beside it;\n"
       "                       - reads JSON Lines from standard input (also with\n"
       "                       --history; CSV cannot come that way). A record whose\n"
       "                       claim_id an earlier one had is reported with both\n"
       "                       lines (the first 10; the summary counts them) and both\n"
       "                       are audited; --strict rejects the later one\n"
       "  --input-format F     jsonl or csv (default: by the file's extension)\n"
       "  --encoding E         the claims' encoding: utf-8 (default) or gb18030 (gbk\n"
       "                       is the same), converted as read; a record with bytes\n"
       "                       that are not of it (invalid UTF-8 included) is\n"
       "                       rejected with its line and column\n"
       "  --input PROFILE      read FILE through an input profile declared in the\n"
       "                       rules (docs/input.md): nhsa3101 (one 3101/3102\n"
       "                       request body per line), his_csv_zh (a CSV export\n"
       "                       with Chinese headers), or one of your own\n"
       "  -o, --output FILE    findings file (default: standard output; - as well)\n"
       "  --format F           findings as jsonl (default) or csv (also_matched and\n"
       "                       evidence as cells: \"K1;K2\", \"CLAIM@SETTLE_TIME;...\")\n"
       "  --excel              findings as CSV with a UTF-8 byte order mark, so that\n"
       "                       Excel opens the Chinese text correctly\n"
       "  --rejects FILE       where rejected records go (default: rejects.jsonl,\n"
       "                       written only when a record is rejected: a run\n"
       "                       without rejects leaves an existing file as it is;\n"
       "                       the first 20 are also shown on standard error)\n"
       "  --phase P[,P...]     pre, settle or post, or several comma-separated\n"
       "                       (pre,settle): run only the rules of those phases; the\n"
       "                       summary says how many (given twice: an error)\n"
       "  --threads N          worker threads (default: the number of cores); the\n"
       "                       findings are the same for any number\n"
       "  --backend B          auto (default), interp (bytecode interpreter), jit\n"
       "                       (native code with LLVM now, one function per rule\n"
       "                       shape) or native (a pack's code compiled ahead of time\n"
       "                       by 'arbiter compile --native'); the findings are the\n"
       "                       same. auto runs a pack's native code when PACK.so is\n"
       "                       there and made for it, else the JIT when the claims\n"
       "                       file is large enough for compiling to pay\n"
       "                       (docs/performance.md), else the interpreter\n"
       "  --native FILE        the shared object for --backend native (default:\n"
       "                       the pack's name + .so)\n"
       "  --no-index           run every rule on every line (no item-code index;\n"
       "                       for comparisons: the findings are the same)\n"
       "  --fail-on-findings   exit 1 when there are findings\n"
       "  --rule-errors FILE   rules that failed on a claim (a Lua call's error,\n"
       "                       timeout, memory limit or arithmetic overflow), as JSON\n"
       "                       Lines; the first 20 are also shown on standard error;\n"
       "                       the claim's other rules and the rest of the\n"
       "                       batch are still audited\n"
       "  --lua-budget N       Lua instructions per call (default 1000000)\n"
       "  --lua-memory MB      memory per Lua state, one per thread (default 64)\n"
       "  --history DB         a history store ('arbiter history'; a directory, or a\n"
       "                       postgresql:// URI): rules using\n"
       "                       history() see the person's stored claims plus the\n"
       "                       earlier claims of this batch; the batch is read in\n"
       "                       windows (staged, then checked), so memory does not\n"
       "                       grow with it (docs/history.md). Without it, such\n"
       "                       rules see the batch alone: held in memory up to\n"
       "                       --history-memory MB of input, a larger batch or one\n"
       "                       from a pipe through a temporary store in $TMPDIR\n"
       "                       (flat memory, the same findings)\n"
       "  --history-memory MB  the largest input (MB) held in memory for history()\n"
       "                       without --history (default 128; 'all': any)\n"
       "  --record             add the batch to the store after auditing it (claims\n"
       "                       replace stored ones with the same claim_id; reversals\n"
       "                       remove the claims they name)\n"
       "  --max-field-bytes N  a record with a string value longer than N bytes is\n"
       "                       rejected (default 1048576)\n"
       "  --commit-every N     with --record: claims per commit (default 10000); a\n"
       "                       killed run leaves whole commits in, and running it\n"
       "                       again completes it\n"
       "  --strict             reject a record with an input field the schema does\n"
       "                       not read (a JSON key or CSV column naming no field,\n"
       "                       or a derived field such as age), or with a claim_id\n"
       "                       an earlier record had; without it such\n"
       "                       fields are skipped and reported on standard error,\n"
       "                       once per field with the records that had it (even\n"
       "                       with --quiet)\n"
       "  --quiet              no summary\n"
       "  --summary FILE       when the run is done, write its figures as one JSON\n"
       "                       object to FILE (\"complete\": true, the counts and\n"
       "                       amounts, the exit code): its presence says the findings\n"
       "                       file is whole; a run that fails or is killed leaves none\n"
       "  --stdlib DIR         the standard library (schema.rules)\n"
       "  -h, --help           this text\n"
       "\n"
       "Output files are written to a temporary file .NAME.XXXXXX beside them and\n"
       "renamed when the run is done: a run that fails (or is killed) leaves the old\n"
       "file. Standard output (-), /dev/null, FIFOs and devices are written in place.\n"
       "An output that is the claims file (or lines.csv, ... beside claims.csv), or\n"
       "two outputs that are the same file, are refused with exit code 2.\n");

static const char *const LINT_HELP =
    N_("usage: arbiter lint RULES... [options]\n"
       "\n"
       "Checks rule files (and the files they import and the tables they read) and\n"
       "reports every error found as file:line:col with the source line and a caret.\n"
       "Exits 0 when the rules are correct, 2 when not.\n"
       "\n"
       "options:\n"
       "  --stats        print the number of rules and rule rows, shapes, indexed\n"
       "                 rules, categories, tables and code size\n"
       "  --stdlib DIR   the standard library (schema.rules)\n"
       "  -h, --help     this text\n");

static const char *const DISASM_HELP =
    N_("usage: arbiter disasm RULES... [--rule ID] [options]\n"
       "\n"
       "Prints the bytecode each rule compiles to (all rules, or the one named).\n"
       "\n"
       "options:\n"
       "  --rule ID      only this rule\n"
       "  --stdlib DIR   the standard library (schema.rules)\n"
       "  -h, --help     this text\n");

static const char *const GEN_HELP =
    N_("usage: arbiter gen claims [--n N] [--seed S] [--format jsonl|csv] [-o PATH]\n"
       "       arbiter gen claims --library DIR --violations RATE ... (labelled claims;\n"
       "                          'arbiter gen claims --library X --help')\n"
       "       arbiter gen library --seed S -o DIR [--rows N] ('arbiter gen library --help')\n"
       "\n"
       "Generates deterministic synthetic claims (outpatient, chronic outpatient,\n"
       "inpatient with daily bed fees, pharmacy, internet) with natural anomalies.\n"
       "The same N and seed give the same bytes on every machine.\n"
       "\n"
       "options:\n"
       "  --n N           number of claims (default 1000)\n"
       "  --seed S        random seed (default 1)\n"
       "  --format F      jsonl (default) or csv\n"
       "  -o PATH         output file for jsonl (default: standard output), or the\n"
       "                  directory for csv (claims.csv, lines.csv, ...)\n"
       "  -h, --help      this text\n");

/* Options shared by the commands that compile rules. */
typedef struct RuleArgs {
    const char **files;
    int nfiles;
    const char *stdlib;
} RuleArgs;

static arb_engine *compile_rules(const char *cmd, RuleArgs *ra, int *exit_code) {
    return cli_compile(cmd, ra->files, (size_t)ra->nfiles, ra->stdlib, 0, exit_code);
}

static arb_engine *load_pack(const char *cmd, const char *path, int *exit_code) {
    arb_engine *e;
    if (arb_engine_new(NULL, &e) != ARB_OK) {
        fprintf(stderr, _("arbiter %s: out of memory\n"), cmd);
        *exit_code = EXIT_IO;
        return NULL;
    }
    if (arb_load_pack(e, path) != ARB_OK) {
        fprintf(stderr, _("arbiter %s: %s\n"), cmd, arb_errmsg(e));
        arb_engine_free(e);
        *exit_code = EXIT_USAGE;
        return NULL;
    }
    return e;
}

/* Collects RULES... and --stdlib; returns 1 when argv[i] was consumed. */
static int rule_arg(RuleArgs *ra, int argc, char **argv, int *i) {
    if (strcmp(argv[*i], "--stdlib") == 0 && *i + 1 < argc) {
        ra->stdlib = argv[++*i];
        return 1;
    }
    if (argv[*i][0] != '-' || strcmp(argv[*i], "-") == 0) {
        ra->files[ra->nfiles++] = argv[*i];
        return 1;
    }
    return 0;
}

/* A count with thousands separators: 20,000. */
static void format_count(uint64_t v, char *buf, size_t cap) {
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v), k = 0;
    for (int i = 0; i < n && (size_t)k + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0) buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = 0;
}

static void format_money(int64_t c, char *buf, size_t cap) {
    int64_t a = c < 0 ? -c : c;
    /* thousands separators for the summary */
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", (long long)(a / 100));
    size_t n = strlen(digits), k = 0;
    char out[48];
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = 0;
    int cents = (int)(a % 100);
    size_t len = (size_t)snprintf(buf, cap, "%s%s", c < 0 ? "-" : "", out);
    if (len + 4 <= cap) snprintf(buf + len, cap - len, ".%02d", cents);
}

typedef struct Progress {
    int tty;
    int shown;
    int strict;          /* a duplicate is rejected: on_reject says so */
    uint64_t duplicates; /* reported so far */
    uint64_t rejects;    /* rejected records reported so far */
    uint64_t failures;   /* rule failures reported so far */
} Progress;

/* The first duplicates, rejects and rule failures are shown as they come;
 * the summary counts them all, and the reject and rule-error files keep
 * every one: a batch that fails a rule on every claim does not flood the
 * terminal. */
enum { DUPLICATES_SHOWN = 10, REJECTS_SHOWN = 20, FAILURES_SHOWN = 20 };

static void on_progress(void *ud, uint64_t done, uint64_t total) {
    Progress *p = ud;
    if (!p->tty || !total) return;
    fputc('\r', stderr);
    fprintf(stderr, _("  checking: %3d%%"), (int)(done * 100 / total));
    p->shown = 1;
}

static void on_reject(void *ud, const arb_reject *r) {
    Progress *p = ud;
    if (++p->rejects > REJECTS_SHOWN) return;
    if (p->shown) fputc('\r', stderr), p->shown = 0;
    fprintf(stderr, _("%s:%llu: rejected: %s\n"), r->file, (unsigned long long)r->line, r->message);
}

static void on_duplicate(void *ud, const arb_duplicate *d) {
    Progress *p = ud;
    if (p->strict || ++p->duplicates > DUPLICATES_SHOWN) return;
    if (p->shown) fputc('\r', stderr), p->shown = 0;
    fprintf(stderr,
            _("%s:%llu: warning: claim_id '%s' seen before, on line %llu (both claims audited)\n"),
            d->file, (unsigned long long)d->line, d->claim_id, (unsigned long long)d->first_line);
}

static void on_rule_error(void *ud, const arb_rule_error *r) {
    Progress *p = ud;
    if (++p->failures > FAILURES_SHOWN) return;
    if (p->shown) fputc('\r', stderr), p->shown = 0;
    fprintf(stderr, _("%s:%u: rule %s failed on claim %s: %s\n"), r->file ? r->file : "?", r->line,
            r->rule_id, r->claim_id, r->message);
}

/* Money in cents as "1234.50" (JSON text of the summary file). */
static void money_plain(int64_t c, char *buf, size_t cap) {
    uint64_t a = c < 0 ? (uint64_t)0 - (uint64_t)c : (uint64_t)c;
    snprintf(buf, cap, "%s%llu.%02llu", c < 0 ? "-" : "", (unsigned long long)(a / 100),
             (unsigned long long)(a % 100));
}

/* check --summary FILE: the run's figures as one JSON object, written
 * whole (temporary file, renamed) after the findings file is. */
static int write_summary(const char *path, const arb_engine *e, const arb_batch_options *o,
                         const arb_batch_stats *st, int exit_code, const char *backend) {
    char m[4][48], t[32];
    money_plain(st->claimed_cents, m[0], sizeof m[0]);
    money_plain(st->line_cents, m[1], sizeof m[1]);
    money_plain(st->at_risk_cents, m[2], sizeof m[2]);
    money_plain(st->at_risk_lines_cents, m[3], sizeof m[3]);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char phases[32];
    cli_phase_names(o->phases, phases, sizeof phases);
    FILE *mem;
    char *text = NULL;
    size_t len = 0;
    if (!(mem = open_memstream(&text, &len))) return -1;
    fprintf(mem,
            "{\"complete\":true,\"exit_code\":%d,\"arbiter\":\"%s\",\"finished\":\"%s\","
            "\"rules\":%zu,\"phases\":\"%s\",\"claims_read\":%llu,\"audited\":%llu,"
            "\"rejected\":%llu,\"rejected_rows\":%llu,\"reversals\":%llu,\"duplicates\":%llu,"
            "\"lines\":%llu,\"findings\":%llu,\"claims_flagged\":%llu,\"claimed\":\"%s\","
            "\"lines_sum\":\"%s\",\"findings_total\":\"%s\",\"at_risk\":\"%s\","
            "\"totals_overflowed\":%s,\"rule_failures\":%llu,\"seconds\":%.3f,"
            "\"backend\":\"%s\",\"threads\":%d}\n",
            exit_code, ARB_VERSION, t, arb_rule_count(e), phases,
            (unsigned long long)st->records_read, (unsigned long long)st->audited,
            (unsigned long long)st->rejected, (unsigned long long)st->rejected_rows,
            (unsigned long long)st->reversals, (unsigned long long)st->duplicates,
            (unsigned long long)st->lines, (unsigned long long)st->findings,
            (unsigned long long)st->claims_flagged, m[0], m[1], m[2], m[3],
            st->totals_overflowed ? "true" : "false", (unsigned long long)st->rule_errors,
            st->seconds, backend, o->threads < 1 ? 1 : o->threads);
    if (fclose(mem)) return -1;
    OutFile f;
    outf_init(&f);
    int err = outf_open(&f, path, mem_default());
    if (!err) err = outf_write(&f, text, len);
    if (!err)
        err = outf_commit(&f, 1);
    else
        outf_abort(&f);
    free(text);
    if (err) fprintf(stderr, _("arbiter check: cannot write %s: %s\n"), path, strerror(err));
    return err ? -1 : 0;
}

static const char *const backend_names[] = {"interp", "jit", "native"};

/* --backend auto: a pack's native code when PACK.so loads (made for that
 * very pack; the user's own file, writable by no one else), else the JIT when arb_jit_pays for the
 * claims file's size and the threads, else the interpreter; every backend gives the same findings,
 * so one that cannot be had falls back to the interpreter.  Returns the
 * backend: 0 the interpreter, 1 the JIT (still to be set up), 2 native code
 * (loaded). */
static int auto_backend(arb_engine *e, const char *pack, const arb_batch_options *o) {
    struct stat sb;
    if (pack) {
        char so[4096];
        snprintf(so, sizeof so, "%s.so", pack);
        /* native code runs unchecked (a pack is verified): only one the
         * user owns and no one else may change is taken unasked */
        if (stat(so, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid() &&
            !(sb.st_mode & (S_IWGRP | S_IWOTH)) && arb_load_native(e, so) == ARB_OK)
            return 2;
    }
    if (!o->claims_path || strcmp(o->claims_path, "-") == 0 || stat(o->claims_path, &sb) != 0 ||
        !S_ISREG(sb.st_mode))
        return 0;
    return arb_jit_pays(e, (uint64_t)sb.st_size, o->threads) ? 1 : 0;
}

static int cmd_check(int argc, char **argv) {
    const char *files[argc];
    RuleArgs ra = {files, 0, NULL};
    arb_batch_options o;
    arb_batch_options_init(&o);
    o.findings_path = "-";
    o.rejects_path = "rejects.jsonl";
    /* the claim ids held in memory with --history: tests and benchmarks set
     * it (a tiny budget spills a small batch; a huge one keeps every id) */
    const char *budget = getenv("ARBITER_ID_BUDGET");
    if (budget && *budget) {
        char *end;
        unsigned long long n = strtoull(budget, &end, 10);
        if (n && !*end) o.id_budget = (size_t)n;
    }
    o.threads = cli_cores();
    int fail_on_findings = 0, quiet = 0, backend = 3, phase_given = 0; /* 3: auto */
    const char *pack = NULL, *native = NULL, *history_dir = NULL, *summary_path = NULL;
    uint64_t lua_budget = 0, lua_mb = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        int used = cli_batch_option("check", argc, argv, &i, &o);
        if (used < 0) return EXIT_USAGE;
        if (used) {
        } else if (cli_is_help(a)) {
            fputs(_(CHECK_HELP), stdout);
            return EXIT_CLEAN;
        } else if (rule_arg(&ra, argc, argv, &i)) {
        } else if (strcmp(a, "--claims") == 0 && more) {
            o.claims_path = argv[++i];
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && more) {
            o.findings_path = argv[++i];
        } else if (strcmp(a, "--format") == 0 && more) {
            const char *f = argv[++i];
            if (strcmp(f, "jsonl") == 0)
                o.findings_format = ARB_FORMAT_JSONL;
            else if (strcmp(f, "csv") == 0)
                o.findings_format = ARB_FORMAT_CSV;
            else
                return cli_usage_error("check", "unknown findings format '%s' (jsonl, csv)", f);
        } else if (strcmp(a, "--excel") == 0) {
            o.findings_format = ARB_FORMAT_CSV;
            o.findings_bom = 1;
        } else if (strcmp(a, "--phase") == 0 && more) {
            const char *p = argv[++i], *bad;
            size_t badlen;
            if (phase_given)
                return cli_usage_error("check",
                                       "--phase given twice (the second: '%s'); combine phases "
                                       "in one: --phase pre,settle",
                                       p);
            phase_given = 1;
            int prc = cli_parse_phases(p, &o.phases, &bad, &badlen);
            if (prc) {
                fprintf(stderr,
                        _("arbiter check: --phase '%s': %s '%.*s' (pre, settle, post, "
                          "comma-separated)\nRun 'arbiter check --help' for usage.\n"),
                        p, prc == -2 ? _("phase given twice:") : _("unknown phase"), (int)badlen,
                        bad);
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--backend") == 0 && more) {
            const char *b = argv[++i];
            if (strcmp(b, "interp") == 0)
                backend = 0;
            else if (strcmp(b, "jit") == 0)
                backend = 1;
            else if (strcmp(b, "native") == 0)
                backend = 2;
            else if (strcmp(b, "auto") == 0)
                backend = 3;
            else
                return cli_usage_error("check", "unknown backend '%s' (auto, interp, jit, native)",
                                       b);
        } else if (strcmp(a, "--native") == 0 && more) {
            native = argv[++i];
            backend = 2;
        } else if (strcmp(a, "--pack") == 0 && more) {
            pack = argv[++i];
        } else if (strcmp(a, "--no-index") == 0) {
            o.no_index = 1;
        } else if (strcmp(a, "--fail-on-findings") == 0) {
            fail_on_findings = 1;
        } else if (strcmp(a, "--rule-errors") == 0 && more) {
            o.rule_errors_path = argv[++i];
        } else if (strcmp(a, "--lua-budget") == 0 && more) {
            if (cli_parse_u64(argv[++i], &lua_budget) || lua_budget < 1000)
                return cli_usage_error("check", "--lua-budget takes a number >= 1000, not '%s'",
                                       argv[i]);
        } else if (strcmp(a, "--lua-memory") == 0 && more) {
            if (cli_parse_u64(argv[++i], &lua_mb) || lua_mb < 1 || lua_mb > 65536)
                return cli_usage_error("check", "--lua-memory takes megabytes (1-65536), not '%s'",
                                       argv[i]);
        } else if (strcmp(a, "--history") == 0 && more) {
            history_dir = argv[++i];
        } else if (strcmp(a, "--history-memory") == 0 && more) {
            uint64_t mb = 0;
            if (strcmp(argv[++i], "all") == 0)
                o.history_memory_max = UINT64_MAX;
            else if (cli_parse_u64(argv[i], &mb) || mb > (1ull << 40))
                return cli_usage_error(
                    "check", "--history-memory takes megabytes or 'all', not '%s'", argv[i]);
            else
                o.history_memory_max = mb ? (uint64_t)mb << 20 : 1; /* 0: never in memory */
        } else if (strcmp(a, "--record") == 0) {
            o.record = 1;
        } else if (strcmp(a, "--summary") == 0 && more) {
            summary_path = argv[++i];
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--strict") == 0) {
            o.strict = 1;
        } else if (strcmp(a, "--input") == 0 && more) {
            o.input_profile = argv[++i];
        } else {
            return cli_usage_error("check", "unknown option or missing value: '%s'", a);
        }
    }
    if (!ra.nfiles && !pack)
        return cli_usage_error("check", "%s", _("no rule files or --pack given"));
    if (ra.nfiles && pack)
        return cli_usage_error("check", "%s", _("give rule files or --pack, not both"));
    if (!o.claims_path) return cli_usage_error("check", "%s", _("no claims given (--claims FILE)"));
    if (summary_path && (outf_same_target(summary_path, o.findings_path) ||
                         outf_same_target(summary_path, o.claims_path ? o.claims_path : "")))
        return cli_usage_error("check", "--summary %s is the findings or the claims file",
                               summary_path);
    if (o.record && !history_dir)
        return cli_usage_error("check", "%s", _("--record needs a history store (--history DB)"));
    int code = EXIT_CLEAN;
    arb_engine *e = pack ? load_pack("check", pack, &code) : compile_rules("check", &ra, &code);
    if (!e) return code;
    arb_set_lua_limits(e, lua_budget, (size_t)lua_mb << 20);
    int chosen = backend == 3;
    if (chosen) backend = auto_backend(e, pack, &o);
    if (backend == 2 && !chosen) {
        char so[4096];
        if (!pack) {
            arb_engine_free(e);
            return cli_usage_error("check", "%s",
                                   _("--backend native runs a pack (--pack LIB.arbpack)"));
        }
        snprintf(so, sizeof so, "%s.so", pack);
        if (arb_load_native(e, native ? native : so) != ARB_OK) {
            fprintf(stderr, _("arbiter %s: %s\n"), "check", arb_errmsg(e));
            arb_engine_free(e);
            return EXIT_USAGE;
        }
    }
    if (backend == 1) {
        /* LLVM is loaded only now (cli/jit_plugin.h); auto decided the JIT
         * pays before, and without the plugin runs the interpreter (the
         * summary's "backend" says which ran) */
        CliJit jit;
        char why[PATH_MAX + 512];
        arb_jit_options jo;
        if (cli_jit_load(&jit, why, sizeof why) != 0) {
            if (chosen) {
                backend = 0;
            } else {
                fprintf(stderr, _("arbiter %s: %s\n"), "check", why);
                arb_engine_free(e);
                return EXIT_USAGE;
            }
        } else {
            jit.options_init(&jo);
            if (jit.use_jit(e, &jo) != ARB_OK) {
                if (chosen) { /* auto: the interpreter then */
                    backend = 0;
                } else {
                    fprintf(stderr, _("arbiter %s: %s\n"), "check", arb_errmsg(e));
                    arb_engine_free(e);
                    return EXIT_USAGE;
                }
            }
        }
    }
    arb_history *hist = NULL;
    if (history_dir) {
        if (arb_history_open(e, history_dir, o.record ? ARB_HISTORY_WRITE : ARB_HISTORY_READONLY,
                             &hist) != ARB_OK) {
            fprintf(stderr, _("arbiter %s: %s\n"), "check", arb_errmsg(e));
            arb_engine_free(e);
            return EXIT_DATA;
        }
        o.history = hist;
    }
    Progress prog = {.tty = isatty(2) && !quiet, .strict = o.strict};
    o.on_progress = on_progress;
    o.on_reject = on_reject;
    o.on_duplicate = on_duplicate;
    o.on_rule_error = on_rule_error;
    o.ud = &prog;
    arb_batch_stats st;
    cli_ignore_sigpipe(); /* findings to a pipe closed early: EPIPE, exit 4 quietly */
    int rc = arb_check_file(e, &o, &st);
    arb_history_close(hist);
    if (prog.shown) fputs("\r                \r", stderr);
    if (rc == ARB_ERR_IO && strcmp(o.findings_path, "-") == 0 && cli_stdout_gone()) {
        arb_engine_free(e);
        return EXIT_IO;
    }
    if (rc != ARB_OK && rc != ARB_ERR_DATA) {
        fprintf(stderr, _("arbiter %s: %s\n"), "check", arb_errmsg(e));
        arb_engine_free(e);
        return rc == ARB_ERR_IO ? EXIT_IO : rc == ARB_ERR_USAGE ? EXIT_USAGE : EXIT_DATA;
    }
    if (rc == ARB_ERR_DATA && st.records_read == 0 && st.rejected_rows == 0) {
        fprintf(stderr, _("arbiter %s: %s\n"), "check", arb_errmsg(e));
        arb_engine_free(e);
        return EXIT_DATA;
    }
    if (!quiet) {
        char m1[48], m2[48], m3[48], m4[48];
        format_money(st.claimed_cents, m1, sizeof m1);
        format_money(st.line_cents, m2, sizeof m2);
        format_money(st.at_risk_cents, m3, sizeof m3);
        format_money(st.at_risk_lines_cents, m4, sizeof m4);
        fprintf(stderr, _("arbiter: %zu rules, "), arb_rule_count(e));
        if (o.phases != ARB_PHASE_ALL) {
            char names[32];
            cli_phase_names(o.phases, names, sizeof names);
            fprintf(stderr, _("%llu in phase%s %s; "), (unsigned long long)st.rules_in_phases,
                    strchr(names, ',') ? "s" : "", names);
        }
        fprintf(stderr, _("%llu claims read = %llu audited + %llu rejected"),
                (unsigned long long)st.records_read, (unsigned long long)st.audited,
                (unsigned long long)st.rejected);
        if (st.rejected_rows)
            fprintf(stderr, _(" (and %llu orphan rows rejected)"),
                    (unsigned long long)st.rejected_rows);
        if (st.reversals) fprintf(stderr, _(" + %llu reversals"), (unsigned long long)st.reversals);
        if (st.rejected || st.rejected_rows) fprintf(stderr, _("; rejects in %s"), o.rejects_path);
        if (st.temp_history)
            fprintf(stderr,
                    _("\n  history() read through a temporary store: the input is over "
                      "--history-memory (%llu MB) or from a pipe"),
                    (unsigned long long)(o.history_memory_max >> 20));
        if (st.duplicates)
            fprintf(stderr, _("\n  %llu record%s with a claim_id seen before (%s)"),
                    (unsigned long long)st.duplicates, st.duplicates == 1 ? "" : "s",
                    o.strict ? _("rejected: --strict")
                             : _("both audited; --strict rejects the later"));
        if (o.record)
            fprintf(
                stderr, _("\n  %llu claims recorded in %s (%llu without person_id or settle_time)"),
                (unsigned long long)st.recorded, history_dir, (unsigned long long)st.not_recorded);
        fprintf(stderr, _("\n  %llu lines; claimed %s, lines sum %s\n"),
                (unsigned long long)st.lines, m1, m2);
        fprintf(stderr,
                _("  %llu findings in %llu claims: findings total %s; at risk %s (each line "
                  "once, at most its amount)\n"),
                (unsigned long long)st.findings, (unsigned long long)st.claims_flagged, m3, m4);
        if (st.totals_overflowed)
            fprintf(stderr,
                    _("  warning: money totals overflowed: those at +-92,233,720,368,547,758.07 "
                      "are saturated, not exact\n"));
        if (st.lua_calls || st.rule_errors)
            fprintf(stderr, _("  %llu Lua calls; %llu rule failures (Lua or arithmetic)%s%s\n"),
                    (unsigned long long)st.lua_calls, (unsigned long long)st.rule_errors,
                    st.rule_errors && o.rule_errors_path ? " in " : "",
                    st.rule_errors && o.rule_errors_path ? o.rule_errors_path : "");
        for (size_t i = 0; i < st.ncategories; i++) {
            const arb_category_stats *c = &st.categories[i];
            if (!c->findings) continue;
            format_money(c->amount_cents, m1, sizeof m1);
            fprintf(stderr, "    %-28s %8llu  %14s  %s\n", c->name, (unsigned long long)c->findings,
                    m1, c->title);
        }
        double mb = (double)st.bytes / 1e6;
        fprintf(stderr, _("  %.2f s, %.0f claims/s, %.1f MB/s\n"), st.seconds,
                st.seconds > 0 ? (double)st.records_read / st.seconds : 0.0,
                st.seconds > 0 ? mb / st.seconds : 0.0);
    }
    if (!o.strict && st.duplicates > DUPLICATES_SHOWN)
        fprintf(stderr,
                _("arbiter: warning: %llu more records with a claim_id seen before (the first %d "
                  "shown)\n"),
                (unsigned long long)(st.duplicates - DUPLICATES_SHOWN), DUPLICATES_SHOWN);
    if (prog.rejects > REJECTS_SHOWN)
        fprintf(stderr,
                _("arbiter: %llu more rejected records, not shown (the first %d are); all in %s\n"),
                (unsigned long long)(prog.rejects - REJECTS_SHOWN), REJECTS_SHOWN, o.rejects_path);
    if (prog.failures > FAILURES_SHOWN)
        fprintf(stderr, _("arbiter: %llu more rule failures, not shown (the first %d are)%s%s\n"),
                (unsigned long long)(prog.failures - FAILURES_SHOWN), FAILURES_SHOWN,
                o.rule_errors_path ? _("; all in ") : _("; --rule-errors FILE keeps them all"),
                o.rule_errors_path ? o.rule_errors_path : "");
    /* input that was not read is never silent, --quiet or not */
    for (size_t i = 0; i < st.nignored; i++) {
        const arb_ignored_field *f = &st.ignored[i];
        char n[32];
        format_count(f->records, n, sizeof n);
        if (f->derived)
            fprintf(stderr,
                    _("arbiter: warning: input field '%s' in %s record%s is derived (= %s): "
                      "computed, the input's value not read\n"),
                    f->name, n, f->records == 1 ? "" : "s", f->formula ? f->formula : "...");
        else
            fprintf(stderr,
                    _("arbiter: warning: ignored input field '%s' in %s record%s (no such field "
                      "in the schema)\n"),
                    f->name, n, f->records == 1 ? "" : "s");
    }
    int exit_code = st.rejected || st.rejected_rows || st.rule_errors ? EXIT_DATA
                    : fail_on_findings && st.findings                 ? EXIT_FINDINGS
                                                                      : EXIT_CLEAN;
    if (summary_path && write_summary(summary_path, e, &o, &st, exit_code, backend_names[backend]))
        exit_code = EXIT_IO;
    arb_engine_free(e);
    return exit_code;
}

static int cmd_lint(int argc, char **argv) {
    const char *files[argc];
    RuleArgs ra = {files, 0, NULL};
    int stats = 0;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(_(LINT_HELP), stdout);
            return EXIT_CLEAN;
        } else if (rule_arg(&ra, argc, argv, &i)) {
        } else if (strcmp(argv[i], "--stats") == 0) {
            stats = 1;
        } else {
            return cli_usage_error("lint", "unknown option or missing value: '%s'", argv[i]);
        }
    }
    if (!ra.nfiles) return cli_usage_error("lint", "%s", _("no rule files given"));
    int code = EXIT_CLEAN;
    arb_engine *e = compile_rules("lint", &ra, &code);
    if (!e) return code;
    arb_stats s;
    arb_get_stats(e, &s);
    if (stats) {
        printf(_("rules            %u\n"), s.rules);
        printf(_("rule rows        %llu  (an indexed rule counts each key it is listed under)\n"),
               (unsigned long long)s.rule_rows);
        printf(_("shapes           %u  (%u of a single rule); rules in the largest:"), s.shapes,
               s.shapes_of_one);
        for (int k = 0; k < 5 && s.top_shapes[k]; k++) printf(" %u", s.top_shapes[k]);
        printf("\n");
        printf(_("indexed rules    %u on %u index%s, %llu keys; %u rules scan every line\n"),
               s.indexed_rules, s.indexes, s.indexes == 1 ? "" : "es",
               (unsigned long long)s.index_keys, s.rules - s.indexed_rules);
        printf(_("categories       %u\ntables           %u (%u rows)\nconstants        %u\n"
                 "bytecode words   %u\n"),
               s.categories, s.tables, s.table_rows, s.consts, s.code_words);
        printf(
            _("per category     rules, rule rows (table rows a rule matches, index keys, or 1)\n"));
        uint64_t total = 0;
        for (size_t c = 0; c < s.categories; c++) {
            const char *name;
            uint64_t nr, rows;
            if (arb_category_rows(e, c, &name, &nr, &rows) != ARB_OK) continue;
            printf("  %-28s %6llu %9llu\n", name, (unsigned long long)nr, (unsigned long long)rows);
            total += rows;
        }
        printf("  %-28s %6u %9llu\n", "total", s.rules, (unsigned long long)total);
    } else
        fprintf(stderr, _("arbiter lint: ok: %u rules in %u categories\n"), s.rules, s.categories);
    arb_engine_free(e);
    return EXIT_CLEAN;
}

static int cmd_disasm(int argc, char **argv) {
    const char *files[argc];
    RuleArgs ra = {files, 0, NULL};
    const char *rule = NULL;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(_(DISASM_HELP), stdout);
            return EXIT_CLEAN;
        } else if (rule_arg(&ra, argc, argv, &i)) {
        } else if (strcmp(argv[i], "--rule") == 0 && i + 1 < argc) {
            rule = argv[++i];
        } else {
            return cli_usage_error("disasm", "unknown option or missing value: '%s'", argv[i]);
        }
    }
    if (!ra.nfiles) return cli_usage_error("disasm", "%s", _("no rule files given"));
    int code = EXIT_CLEAN;
    arb_engine *e = compile_rules("disasm", &ra, &code);
    if (!e) return code;
    size_t need = arb_disasm(e, rule, NULL, 0);
    if (!need) {
        fprintf(stderr, _("arbiter disasm: no rule '%s'\n"), rule ? rule : "");
        arb_engine_free(e);
        return EXIT_USAGE;
    }
    char *buf = malloc(need + 1);
    if (buf) {
        arb_disasm(e, rule, buf, need + 1);
        fputs(buf, stdout);
        free(buf);
    }
    arb_engine_free(e);
    return buf ? EXIT_CLEAN : EXIT_IO;
}

static const char *const COMPILE_HELP =
    N_("usage: arbiter compile RULES... -o LIB.arbpack [options]\n"
       "\n"
       "Checks and compiles rule files into a rule pack: one versioned, checksummed\n"
       "file with the schema, tables, indexes and bytecode, loaded with\n"
       "'arbiter check --pack' (or arb_load_pack) without compiling again. A pack\n"
       "remembers its source files: loading it where they exist and have changed is\n"
       "refused.\n"
       "\n"
       "options:\n"
       "  -o FILE        the pack to write (to a temporary file renamed when done;\n"
       "                 one of the rule or table files is refused, exit 2)\n"
       "  --native       also compile the rules ahead of time into FILE.so (LLVM\n"
       "                 object code, linked by cc), for 'check --backend native'\n"
       "  --stdlib DIR   the standard library (schema.rules)\n"
       "  -h, --help     this text\n");

static int cmd_compile(int argc, char **argv) {
    const char *files[argc + 1];
    RuleArgs ra = {files, 0, NULL};
    const char *out = NULL;
    int with_native = 0;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(_(COMPILE_HELP), stdout);
            return EXIT_CLEAN;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--native") == 0) {
            with_native = 1;
        } else if (!rule_arg(&ra, argc, argv, &i)) {
            return cli_usage_error("compile", "unknown option or missing value: '%s'", argv[i]);
        }
    }
    if (!ra.nfiles) return cli_usage_error("compile", "%s", _("no rule files given"));
    if (!out) return cli_usage_error("compile", "%s", _("no output given (-o LIB.arbpack)"));
    /* native code needs the JIT plugin (LLVM): loaded before anything is
     * compiled or written, so that without it no pack is left alone */
    CliJit jit = {0};
    if (with_native) {
        char why[PATH_MAX + 512];
        if (cli_jit_load(&jit, why, sizeof why) != 0) {
            fprintf(stderr, _("arbiter %s: %s\n"), "compile", why);
            return EXIT_USAGE;
        }
    }
    int code = EXIT_CLEAN;
    arb_engine *e = compile_rules("compile", &ra, &code);
    if (!e) return code;
    int rc = arb_write_pack(e, out);
    if (rc != ARB_OK) {
        fprintf(stderr, "arbiter compile: %s\n", arb_errmsg(e));
        arb_engine_free(e);
        return rc == ARB_ERR_USAGE ? EXIT_USAGE : EXIT_IO;
    }
    if (with_native) {
        char so[4096];
        snprintf(so, sizeof so, "%s.so", out);
        arb_jit_options jo;
        jit.options_init(&jo);
        if (jit.write_native(e, so, &jo) != ARB_OK) {
            fprintf(stderr, "arbiter compile: %s\n", arb_errmsg(e));
            arb_engine_free(e);
            return EXIT_IO;
        }
        fprintf(stderr, _("arbiter compile: %s: native matchers\n"), so);
    }
    arb_stats s;
    arb_get_stats(e, &s);
    fprintf(stderr, _("arbiter compile: %s: %u rules (%llu rule rows, %u shapes), %u tables\n"),
            out, s.rules, (unsigned long long)s.rule_rows, s.shapes, s.tables);
    arb_engine_free(e);
    return EXIT_CLEAN;
}

static int cmd_gen(int argc, char **argv) {
    if (argc < 1 || cli_is_help(argv[0])) {
        fputs(_(GEN_HELP), argc < 1 ? stderr : stdout);
        return argc < 1 ? EXIT_USAGE : EXIT_CLEAN;
    }
    if (strcmp(argv[0], "library") == 0) return cmd_gen_library(argc - 1, argv + 1);
    if (strcmp(argv[0], "claims") != 0)
        return cli_usage_error("gen", "unknown kind '%s' (claims, library)", argv[0]);
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--library") == 0) return cmd_gen_labelled(argc - 1, argv + 1);
    GenOptions g;
    memset(&g, 0, sizeof g);
    g.n = 1000;
    g.seed = 1;
    g.first_id = 1;
    const char *out = NULL;
    int csv = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        uint64_t v;
        if (cli_is_help(a)) {
            fputs(_(GEN_HELP), stdout);
            return EXIT_CLEAN;
        } else if (strcmp(a, "--n") == 0 && more) {
            if (cli_parse_u64(argv[++i], &v))
                return cli_usage_error("gen", "--n takes a number, not '%s'", argv[i]);
            g.n = v;
        } else if (strcmp(a, "--seed") == 0 && more) {
            if (cli_parse_u64(argv[++i], &v))
                return cli_usage_error("gen", "--seed takes a number, not '%s'", argv[i]);
            g.seed = v;
        } else if (strcmp(a, "--format") == 0 && more) {
            const char *f = argv[++i];
            if (strcmp(f, "csv") == 0)
                csv = 1;
            else if (strcmp(f, "jsonl") != 0)
                return cli_usage_error("gen", "unknown format '%s' (jsonl, csv)", f);
        } else if (strcmp(a, "-o") == 0 && more) {
            out = argv[++i];
        } else {
            return cli_usage_error("gen", "unknown option or missing value: '%s'", a);
        }
    }
    if (csv) {
        const char *dir = out ? out : ".";
        mkdir(dir, 0777);
        if (gen_claims_csv(dir, &g) != 0) {
            fprintf(stderr, _("arbiter gen: cannot write to %s: %s\n"), dir, strerror(errno));
            return EXIT_IO;
        }
        return EXIT_CLEAN;
    }
    /* written to a temporary file renamed at the end (outfile.h) */
    const char *path = out ? out : "-";
    OutFile f;
    int err = outf_open(&f, path, mem_default());
    if (err) {
        fprintf(stderr, _("arbiter gen: cannot write %s: %s\n"), path, strerror(err));
        return EXIT_IO;
    }
    cli_ignore_sigpipe(); /* standard output closed early: EPIPE, exit 4 quietly */
    errno = 0;
    if (gen_claims_jsonl(f.f, &g) != 0) {
        err = errno ? errno : EIO;
        outf_abort(&f);
    } else {
        err = outf_commit(&f, 0);
    }
    if (err) {
        if (strcmp(path, "-") != 0 || !cli_stdout_gone())
            fprintf(stderr, _("arbiter gen: cannot write %s: %s\n"), path, strerror(err));
        return EXIT_IO;
    }
    return EXIT_CLEAN;
}

/* Takes the global option --lang L (or --lang=L) out of argv, wherever it
 * is; its value, NULL when none, or "" when it lacks one. */
static const char *take_lang(int *argc, char **argv) {
    const char *lang = NULL;
    int k = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--lang") == 0) {
            lang = i + 1 < *argc ? argv[++i] : "";
        } else if (strncmp(argv[i], "--lang=", 7) == 0) {
            lang = argv[i] + 7;
        } else {
            argv[k++] = argv[i];
        }
    }
    argv[k] = NULL;
    *argc = k;
    return lang;
}

typedef int (*Command)(int argc, char **argv);

/* The commands by name, for `arbiter CMD` and `arbiter help CMD`. */
static const struct {
    const char *name;
    Command run;
} COMMANDS[] = {
    {"check", cmd_check},   {"lint", cmd_lint},       {"compile", cmd_compile},
    {"disasm", cmd_disasm}, {"gen", cmd_gen},         {"test", cmd_test},
    {"diff", cmd_diff},     {"explain", cmd_explain}, {"import", cmd_import},
    {"score", cmd_score},   {"history", cmd_history}, {"serve", cmd_serve},
    {"lsp", cmd_lsp},       {"fmt", cmd_fmt},         {"report", cmd_report},
};

/* The command named name; NULL when there is none. */
static Command find_command(const char *name) {
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0) return COMMANDS[i].run;
    return NULL;
}

int main(int argc, char **argv) {
    const char *lang = take_lang(&argc, argv);
    if (cli_i18n(lang) != 0) {
        fprintf(stderr, _("arbiter: --lang takes zh_CN or en, not '%s'\n"), lang);
        return EXIT_USAGE;
    }
    if (argc < 2) {
        fputs(_(MAIN_HELP), stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (cli_is_help(cmd) || strcmp(cmd, "help") == 0) {
        if (argc > 2) {
            char *sub[] = {"--help"};
            Command run = find_command(argv[2]);
            if (run) return run(1, sub);
        }
        fputs(_(MAIN_HELP), stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("arbiter %s\n", ARB_VERSION);
        return EXIT_CLEAN;
    }
    Command run = find_command(cmd);
    if (run) return run(argc - 2, argv + 2);
    fprintf(stderr, _("arbiter: unknown command '%s'\n\n"), cmd);
    fputs(_(MAIN_HELP), stderr);
    return EXIT_USAGE;
}
