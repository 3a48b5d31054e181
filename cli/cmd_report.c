/* cmd_report.c — `arbiter report`: argument parsing and printing for the
 * report builder (report/, include/arbiter_report.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arbiter_report.h"
#include "cli_util.h"
#include "commands.h"
#include "i18n.h"

enum { EXIT_CLEAN = 0, EXIT_USAGE = 2, EXIT_DATA = 3, MAX_RULES = 64, MAX_FINDINGS = 1024 };

static const char *const REPORT_HELP =
    N_("usage: arbiter report FINDINGS... [--claims CLAIMS] [--history DB]\n"
       "                      [--period P | --from D --to D]\n"
       "                      [-o report.html] [--xlsx report.xlsx] [--csv DIR] [options]\n"
       "\n"
       "Aggregates the findings of 'arbiter check' (JSON Lines) with the claims it\n"
       "audited (the same file: findings follow its order), or with the claims of a\n"
       "history store (several batches' findings files, oldest first), into\n"
       "a self-contained HTML report in Chinese (works offline, printable): overview\n"
       "and monthly trend, figures by category and tier, top departments, doctors and\n"
       "facilities with drill-down tables, quarterly high-frequency departments and\n"
       "drugs, the doctor points ledger, facility grades and the graded worklists.\n"
       "Memory does not grow with the findings. See docs/reports.md.\n"
       "\n"
       "options:\n"
       "  --claims FILE     the claims the findings came from: JSON Lines, or\n"
       "                    claims.csv with lines.csv ... beside it, read as check\n"
       "                    reads them\n"
       "  --input PROFILE   read FILE through an input profile (nhsa3101,\n"
       "                    his_csv_zh), as check --input does\n"
       "  --encoding E      the claims' encoding: utf-8 (default) or gb18030\n"
       "  --input-format F  jsonl or csv (default: by the file's extension)\n"
       "  --period P        the period by settle date: 2025 (a year), 2025Q3 (a\n"
       "                    quarter) or 2025-07 (a month)\n"
       "  --from D, --to D  the period's first and last settle dates (YYYY-MM-DD)\n"
       "  -o, --output FILE the HTML report\n"
       "  --xlsx FILE       an Excel workbook: sheets 汇总, 按科室, 按医师, 按机构,\n"
       "                    记分台账, 机构等级, one per worklist level (every finding)\n"
       "                    and one per level and department (督办-内科)\n"
       "  --csv DIR         the same tables as CSV (UTF-8 with BOM) in DIR: by_dept,\n"
       "                    by_doctor, by_facility, ledger, grades, and the full\n"
       "                    worklists worklist_1_科室自查 ... worklist_3_督办\n"
       "  --rules PATH      a rule file or directory whose `report` declaration\n"
       "                    configures the worklists, ledger and grades (repeatable;\n"
       "                    default: the standard library's report.rules, whose\n"
       "                    sections a library's own `report` replaces; see\n"
       "                    docs/language.md, \"Report configuration\")\n"
       "  --pack FILE       the same from a rule pack (arbiter compile)\n"
       "  --stdlib DIR      the standard library directory\n"
       "  --feedback FILE   the doctors' answers to warnings (3103) as JSON Lines\n"
       "                    ('arbiter history feedback' writes them): the\n"
       "                    compliance rate (整改率) of the overview and of the\n"
       "                    facility grades\n"
       "  --history DB      the history store DB ('check --record' fills it): its\n"
       "                    claims are claims audited too (a claim also in --claims\n"
       "                    counts once, as --claims has it), so a period spans\n"
       "                    batches; and the 3103 answers it keeps, as --feedback\n"
       "  --ledger MODE     the ledger period, over the configuration's: year (the\n"
       "                    calendar year of the period's end) or rolling (the 12\n"
       "                    months ending then)\n"
       "  --title TEXT      the report's title (default 医保智能审核报告)\n"
       "  --top N           rows of the top tables (default 10)\n"
       "  -q, --quiet       no summary on standard error\n"
       "\n"
       "exit codes: 0 written, 2 usage, 3 bad input or an output not written\n");

/* "2025", "2025Q3", "2025-07" → from, to (YYYY-MM-DD); 0 or -1. */
static int parse_period(const char *p, char from[11], char to[11]) {
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t n = strlen(p);
    for (int i = 0; i < 4; i++)
        if (n < 4 || p[i] < '0' || p[i] > '9') return -1;
    int y = atoi(p), m1, m2;
    if (n == 4)
        m1 = 1, m2 = 12;
    else if (n == 6 && (p[4] == 'Q' || p[4] == 'q') && p[5] >= '1' && p[5] <= '4')
        m1 = (p[5] - '1') * 3 + 1, m2 = m1 + 2;
    else if (n == 7 && p[4] == '-' && p[5] >= '0' && p[5] <= '1' && p[6] >= '0' && p[6] <= '9' &&
             atoi(p + 5) >= 1 && atoi(p + 5) <= 12)
        m1 = m2 = atoi(p + 5);
    else
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int last = m2 == 2 && leap ? 29 : mdays[m2 - 1];
    snprintf(from, 11, "%04d-%02d-01", y, m1);
    snprintf(to, 11, "%04d-%02d-%02d", y, m2, last);
    return 0;
}

static int is_date(const char *s) {
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return 0;
    return 1;
}

static void yuan(int64_t c, char *buf, size_t cap) {
    int64_t a = c < 0 ? -c : c;
    snprintf(buf, cap, "%s%lld.%02lld", c < 0 ? "-" : "", (long long)(a / 100),
             (long long)(a % 100));
}

/* The history store `db` opened in *out, and the 3103 answers it keeps
 * exported to a new temporary file named in path (*e: the engine to open
 * it with, compiled from the standard library's schema when there is none
 * yet).  0, or -1 with a message printed and *code set. */
static int feedback_from_store(arb_engine **e, const char *db, const char *stdlib, char *path,
                               size_t cap, int *code, arb_history **out) {
    if (!*e && !(*e = cli_compile("report", NULL, 0, stdlib, 0, code))) return -1;
    arb_history *h;
    if (arb_history_open(*e, db, ARB_HISTORY_READONLY, &h) != ARB_OK) {
        fprintf(stderr, "arbiter report: %s\n", arb_errmsg(*e));
        *code = EXIT_DATA;
        return -1;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(path, cap, "%s/arbiter-feedback-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    uint64_t n = 0;
    int rc = fd < 0 ? ARB_ERR_IO : ARB_OK;
    if (fd >= 0) close(fd);
    if (rc == ARB_OK) rc = arb_history_feedback_export(h, path, &n);
    if (rc != ARB_OK) {
        fprintf(stderr, "arbiter report: %s: %s\n", db, fd < 0 ? strerror(errno) : arb_errmsg(*e));
        if (fd >= 0) unlink(path);
        path[0] = 0;
        *code = EXIT_DATA;
        arb_history_close(h);
        return -1;
    }
    *out = h; /* its claims, read by the report */
    return 0;
}

int cmd_report(int argc, char **argv) {
    arb_report_options o;
    arb_report_options_init(&o);
    char from[11], to[11];
    int quiet = 0, period = 0, ledger = -1;
    const char *rules[MAX_RULES + 1], *pack = NULL, *stdlib = NULL, *history = NULL;
    const char *findings[MAX_FINDINGS];
    size_t nrules = 0, nfind = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (cli_is_help(a)) {
            fputs(_(REPORT_HELP), stdout);
            return EXIT_CLEAN;
        } else if (strcmp(a, "--claims") == 0 && more) {
            o.claims_path = argv[++i];
        } else if (strcmp(a, "--input") == 0 && more) {
            o.claims_profile = argv[++i];
        } else if (strcmp(a, "--encoding") == 0 && more) {
            o.claims_encoding = argv[++i];
        } else if (strcmp(a, "--input-format") == 0 && more) {
            const char *f = argv[++i];
            if (strcmp(f, "jsonl") == 0)
                o.claims_format = ARB_FORMAT_JSONL;
            else if (strcmp(f, "csv") == 0)
                o.claims_format = ARB_FORMAT_CSV;
            else
                return cli_usage_error("report", "unknown input format '%s' (jsonl, csv)", f);
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && more) {
            o.html_path = argv[++i];
        } else if (strcmp(a, "--xlsx") == 0 && more) {
            o.xlsx_path = argv[++i];
        } else if (strcmp(a, "--csv") == 0 && more) {
            o.csv_dir = argv[++i];
        } else if (strcmp(a, "--period") == 0 && more) {
            if (parse_period(argv[++i], from, to))
                return cli_usage_error("report", "bad period '%s' (2025, 2025Q3 or 2025-07)",
                                       argv[i]);
            o.from = from, o.to = to, period = 1;
        } else if ((strcmp(a, "--from") == 0 || strcmp(a, "--to") == 0) && more) {
            if (!is_date(argv[i + 1]))
                return cli_usage_error("report", "bad date '%s' (YYYY-MM-DD)", argv[i + 1]);
            if (a[2] == 'f')
                o.from = argv[++i];
            else
                o.to = argv[++i];
        } else if (strcmp(a, "--ledger") == 0 && more) {
            const char *m = argv[++i];
            if (strcmp(m, "year") == 0)
                ledger = 0;
            else if (strcmp(m, "rolling") == 0)
                ledger = 1;
            else
                return cli_usage_error("report", "unknown ledger period '%s' (year, rolling)", m);
        } else if (strcmp(a, "--rules") == 0 && more) {
            if (nrules == MAX_RULES)
                return cli_usage_error("report", "too many --rules (at most 64)%s", "");
            rules[++nrules] = argv[++i]; /* rules[0]: the stdlib's report.rules */
        } else if (strcmp(a, "--pack") == 0 && more) {
            pack = argv[++i];
        } else if (strcmp(a, "--feedback") == 0 && more) {
            o.feedback_path = argv[++i];
        } else if (strcmp(a, "--history") == 0 && more) {
            history = argv[++i];
        } else if (strcmp(a, "--stdlib") == 0 && more) {
            stdlib = argv[++i];
        } else if (strcmp(a, "--title") == 0 && more) {
            o.title = argv[++i];
        } else if (strcmp(a, "--top") == 0 && more) {
            o.top = atoi(argv[++i]);
            if (o.top <= 0) return cli_usage_error("report", "bad --top '%s'", argv[i]);
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("report", "unknown option '%s'", a);
        } else if (nfind == MAX_FINDINGS) {
            return cli_usage_error("report", "too many findings files (at most 1024)%s", "");
        } else {
            findings[nfind++] = a;
        }
    }
    if (!nfind) return cli_usage_error("report", "no findings file%s", "");
    o.findings_path = findings[0];
    if (nfind > 1) o.findings_paths = findings, o.nfindings = nfind;
    if (!o.claims_path && !history)
        return cli_usage_error("report", "give --claims, --history or both%s", "");
    if (!o.claims_path && (o.claims_profile || o.claims_encoding || o.claims_format))
        return cli_usage_error("report", "--input, --encoding and --input-format read --claims%s",
                               "");
    if (!o.html_path && !o.csv_dir && !o.xlsx_path)
        return cli_usage_error(
            "report", "nothing to write: give -o FILE.html, --xlsx FILE or --csv DIR%s", "");
    if (period && (o.from != from || o.to != to))
        return cli_usage_error("report", "--period and --from/--to together%s", "");
    if (o.from && o.to && strcmp(o.from, o.to) > 0)
        return cli_usage_error("report", "--from %s is after --to", o.from);
    if (pack && nrules) return cli_usage_error("report", "give --rules or --pack, not both%s", "");
    if (history && o.feedback_path)
        return cli_usage_error("report", "give --history or --feedback, not both%s", "");
    if (nfind > 1 && !history)
        return cli_usage_error("report", "several findings files need --history DB%s", "");
    /* the report configuration: the pack's, or the standard library's
     * report.rules with the sections of the given rules' own */
    arb_engine *e = NULL;
    int code = EXIT_CLEAN;
    if (pack) {
        if (arb_engine_new(NULL, &e) != ARB_OK) return EXIT_DATA;
        if (arb_load_pack(e, pack) != ARB_OK) {
            fprintf(stderr, "arbiter report: %s\n", arb_errmsg(e));
            arb_engine_free(e);
            return EXIT_USAGE;
        }
    } else {
        char dir[PATH_MAX], std[PATH_MAX + 16];
        const char *d = stdlib ? stdlib : getenv("ARBITER_STDLIB");
        if (!d) arb_default_stdlib_dir(dir, sizeof dir), d = dir;
        snprintf(std, sizeof std, "%s/report.rules", d);
        int have_std = access(std, R_OK) == 0;
        rules[0] = std;
        if (have_std || nrules) {
            e = cli_compile("report", rules + !have_std, nrules + (size_t)have_std, stdlib, 0,
                            &code);
            if (!e) return code;
        }
    }
    if (e) {
        arb_report_config rc;
        arb_engine_report_config(e, &rc);
        arb_report_options_use(&o, &rc);
    }
    if (ledger >= 0) o.ledger_rolling = ledger;
    /* --history: the store's claims, and its 3103 answers through a
     * temporary file; claims other than canonical JSON Lines: the rules'
     * readers */
    char fbtmp[PATH_MAX] = "";
    arb_history *h = NULL;
    if (history && feedback_from_store(&e, history, stdlib, fbtmp, sizeof fbtmp, &code, &h)) {
        arb_engine_free(e);
        return code;
    }
    if (*fbtmp) o.feedback_path = fbtmp;
    if (!e &&
        (o.claims_profile || o.claims_encoding || o.claims_format ||
         (o.claims_path && strstr(o.claims_path, ".csv"))) &&
        !(e = cli_compile("report", NULL, 0, stdlib, 0, &code)))
        return code;
    o.engine = e;
    o.history = h;
    char err[1024];
    arb_report_totals t;
    int failed = arb_report_build(&o, &t, err, sizeof err);
    arb_history_close(h);
    arb_engine_free(e); /* after the build: the options point into its program */
    if (*fbtmp) unlink(fbtmp);
    if (failed) {
        fprintf(stderr, "arbiter report: %s\n", err);
        return EXIT_DATA;
    }
    if (!quiet) {
        char c[32], r[32];
        yuan(t.claimed_cents, c, sizeof c);
        yuan(t.at_risk_cents, r, sizeof r);
        fprintf(stderr,
                _("report: %llu claims audited, %llu flagged; %llu findings; claimed %s, at risk "
                  "%s; %llu doctors reached a ledger step\n"),
                (unsigned long long)t.claims, (unsigned long long)t.flagged_claims,
                (unsigned long long)t.findings, c, r, (unsigned long long)t.doctors_sanctioned);
        if (history)
            fprintf(stderr, _("history: %llu claims in the store, %llu of them counted\n"),
                    (unsigned long long)t.store_claims, (unsigned long long)t.store_counted);
        if (t.claims_rejected)
            fprintf(stderr,
                    _("claims: %llu records skipped that check rejects (see check's rejects)\n"),
                    (unsigned long long)t.claims_rejected);
        if (o.feedback_path) {
            char rate[16] = "-";
            if (t.answered)
                snprintf(rate, sizeof rate, "%.1f%%",
                         100.0 * (double)t.followed / (double)t.answered);
            fprintf(stderr,
                    _("feedback: %llu answers; %llu findings of the period answered, %llu "
                      "followed (compliance %s); %llu warnings answered are no finding of the "
                      "period\n"),
                    (unsigned long long)t.feedback, (unsigned long long)t.answered,
                    (unsigned long long)t.followed, rate, (unsigned long long)t.feedback_unmatched);
        }
    }
    return EXIT_CLEAN;
}
