/* cmd_history.c — `arbiter history`: the persistent claim-history store
 * (init, add, stats, prune, export, feedback).  The store itself is
 * history/. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arbiter.h"
#include "cli_util.h"
#include "i18n.h"
#include "commands.h"
#include "scalar.h"

enum { EXIT_CLEAN = 0, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_IO = 4 };

static const char *const HISTORY_HELP =
    N_("usage: arbiter history init DB [RULES... | --pack LIB.arbpack]\n"
       "       arbiter history add DB --claims FILE [RULES... | --pack LIB.arbpack] [options]\n"
       "       arbiter history stats DB\n"
       "       arbiter history prune DB --before DATE\n"
       "       arbiter history export DB -o FILE.jsonl\n"
       "       arbiter history feedback DB [-o FILE.jsonl | --add FILE.jsonl]\n"
       "\n"
       "A history store is a directory holding each person's settled claims, so that\n"
       "rules using history() see claims of earlier batches ('arbiter check --history\n"
       "DB', and single-claim checks at settlement through the C API).  DB is the\n"
       "directory (LMDB), or a PostgreSQL database named by a connection URI,\n"
       "postgresql://USER@HOST:PORT/DBNAME (or postgres://...), which several\n"
       "processes share; its tables are made by the first command that writes.\n"
       "\n"
       "  init    create an empty store\n"
       "  add     add claims (JSON Lines, or claims.csv with its children; --claims -\n"
       "          reads JSON Lines from standard input): a claim\n"
       "          replaces a stored one with the same claim_id; a reversal (status\n"
       "          'reversed' or reversal_of set) removes the claim it names, wherever\n"
       "          it is in the file (a claim reversed in it is not stored).  Records\n"
       "          that are malformed, or have no person_id or settle_time, are rejected\n"
       "          with their position (--rejects FILE, default rejects.jsonl); the rest\n"
       "          is stored in input order, committed at the first window of input (4 MB\n"
       "          of JSON Lines or 4,096 CSV claims) that brings the claims since the\n"
       "          last commit to --commit-every (default 20,000), or sooner when the\n"
       "          commit's pages would take over 48 MB of memory: a killed run leaves\n"
       "          whole commits in, and running it again completes it.\n"
       "  stats   persons, claims, settle-date range and size\n"
       "  prune   remove claims settled before DATE (YYYY-MM-DD): retention\n"
       "  export  write every claim as JSON Lines, by person and time ('add' reads it)\n"
       "  feedback  write the doctors' answers to warnings (3103) kept in the store,\n"
       "          JSON Lines in arrival order, to -o FILE (default: standard output);\n"
       "          with --add FILE (- for standard input) add answers instead, one JSON\n"
       "          object a line, each with a non-empty string jr_id (what 'feedback'\n"
       "          writes; 'arbiter serve' adds them as doctors answer)\n"
       "\n"
       "options:\n"
       "  RULES... / --pack   the schema the claims are read with (default: the\n"
       "                      standard library's schema.rules; add the rule files that\n"
       "                      'extend schema')\n"
       "  --stdlib DIR        the standard library directory\n"
       "  --input-format F    jsonl or csv (default: by the file's extension)\n"
       "  --encoding E        utf-8 (default) or gb18030 (gbk is the same)\n"
       "  --input PROFILE     add: read the claims through an input profile of the\n"
       "                      rules (nhsa3101, his_csv_zh; docs/input.md)\n"
       "  --rejects FILE      where rejected records go (default rejects.jsonl)\n"
       "  --threads N         parse on N threads (default 1)\n"
       "  --commit-every N    add: claims per commit (default 20000; fewer past 48 MB)\n"
       "  --quiet             no summary\n"
       "\n"
       "exit codes: 0 done, 2 usage or rule errors, 3 records rejected or the store\n"
       "unreadable (another format version, damaged), 4 I/O errors.\n");

static void on_reject(void *ud, const arb_reject *r) {
    (void)ud;
    fprintf(stderr, _("%s:%llu: rejected: %s\n"), r->file, (unsigned long long)r->line, r->message);
}

static void on_progress(void *ud, uint64_t done, uint64_t total) {
    int *shown = ud;
    if (!total || !isatty(2)) return;
    fputc('\r', stderr);
    fprintf(stderr, _("  adding: %3d%%"), (int)(done * 100 / total));
    *shown = 1;
}

/* history feedback --add: each line of path a JSON answer.  ARB_OK, or
 * ARB_ERR_DATA when lines were refused (each reported), or ARB_ERR_IO. */
static int add_feedback(arb_history *h, arb_engine *e, const char *path, int quiet) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, _("arbiter history: cannot read %s\n"), path);
        return ARB_ERR_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long long lineno = 0, added = 0, refused = 0;
    int rc = ARB_OK;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
        if (n == 0) continue;
        int r = arb_history_feedback_add(h, line, (size_t)n);
        if (r == ARB_ERR_DATA) {
            fprintf(stderr, _("%s:%llu: refused: %s\n"), path, lineno, arb_errmsg(e));
            refused++;
        } else if (r != ARB_OK) {
            rc = r;
            break;
        } else {
            added++;
        }
    }
    if (rc == ARB_OK && ferror(f)) {
        fprintf(stderr, _("arbiter history: cannot read %s\n"), path);
        rc = ARB_ERR_IO;
    }
    free(line);
    if (f != stdin) fclose(f);
    if (rc == ARB_OK && !quiet)
        fprintf(stderr, _("arbiter history: %llu answers added, %llu refused\n"), added, refused);
    if (rc == ARB_OK && refused) rc = ARB_ERR_DATA;
    return rc;
}

static void date_text(int64_t secs, char *buf, size_t cap) {
    Type t = {TY_DATETIME, 0, NULL, NULL, NULL};
    Value v = {.i = secs == INT64_MIN ? ARB_NULL : secs};
    if (secs == INT64_MIN)
        snprintf(buf, cap, "-");
    else
        scalar_format(&t, v, 0, 0, buf, cap);
}

int cmd_history(int argc, char **argv) {
    if (argc < 1 || cli_is_help(argv[0])) {
        fputs(_(HISTORY_HELP), argc < 1 ? stderr : stdout);
        return argc < 1 ? EXIT_USAGE : EXIT_CLEAN;
    }
    const char *sub = argv[0];
    int known = strcmp(sub, "init") == 0 || strcmp(sub, "add") == 0 || strcmp(sub, "stats") == 0 ||
                strcmp(sub, "prune") == 0 || strcmp(sub, "export") == 0 ||
                strcmp(sub, "feedback") == 0;
    if (!known)
        return cli_usage_error(
            "history", "unknown subcommand '%s' (init, add, stats, prune, export, feedback)", sub);
    const char *files[argc];
    size_t nfiles = 0;
    const char *db = NULL, *pack = NULL, *stdlib = NULL, *out = NULL, *before = NULL;
    const char *fb_add = NULL;
    arb_batch_options o;
    arb_batch_options_init(&o);
    o.rejects_path = "rejects.jsonl";
    /* add: the reversals' ids held in memory, as check's claim ids
     * (ARBITER_ID_BUDGET: tests spill a small batch's) */
    const char *budget = getenv("ARBITER_ID_BUDGET");
    if (budget && *budget) {
        char *end;
        unsigned long long n = strtoull(budget, &end, 10);
        if (n && !*end) o.id_budget = (size_t)n;
    }
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        int used = cli_batch_option("history", argc, argv, &i, &o);
        if (used < 0) return EXIT_USAGE;
        if (used) {
        } else if (cli_is_help(a)) {
            fputs(_(HISTORY_HELP), stdout);
            return EXIT_CLEAN;
        } else if (strcmp(a, "--claims") == 0 && more) {
            o.claims_path = argv[++i];
        } else if (strcmp(a, "--input") == 0 && more) {
            o.input_profile = argv[++i];
        } else if (strcmp(a, "--pack") == 0 && more) {
            pack = argv[++i];
        } else if (strcmp(a, "--stdlib") == 0 && more) {
            stdlib = argv[++i];
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && more) {
            out = argv[++i];
        } else if (strcmp(a, "--before") == 0 && more) {
            before = argv[++i];
        } else if (strcmp(a, "--add") == 0 && more && strcmp(sub, "feedback") == 0) {
            fb_add = argv[++i];
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] != '-' && !db) {
            db = a;
        } else if (a[0] != '-') {
            files[nfiles++] = a;
        } else {
            return cli_usage_error("history", "unknown option or missing value: '%s'", a);
        }
    }
    if (!db)
        return cli_usage_error("history", "%s",
                               _("no store given (DB: a directory or a postgresql:// URI)"));
    if (strcmp(sub, "add") == 0 && !o.claims_path)
        return cli_usage_error("history", "%s", _("add needs --claims FILE"));
    if (strcmp(sub, "prune") == 0 && !before)
        return cli_usage_error("history", "%s", _("prune needs --before DATE"));
    if (strcmp(sub, "export") == 0 && !out)
        return cli_usage_error("history", "%s", _("export needs -o FILE.jsonl (or -o -)"));
    int64_t before_secs = 0;
    int64_t before_days = 0;
    if (before && scalar_parse_date(before, strlen(before), &before_days) == 0)
        before_secs = before_days * SECS_PER_DAY;
    else if (before)
        return cli_usage_error("history", "--before takes a date YYYY-MM-DD, not '%s'", before);
    if (fb_add && out)
        return cli_usage_error("history", "%s",
                               _("feedback takes -o FILE or --add FILE, not both"));
    if (pack && nfiles)
        return cli_usage_error("history", "%s", _("give rule files or --pack, not both"));

    int code = EXIT_CLEAN;
    arb_engine *e = NULL;
    if (pack) {
        if (arb_engine_new(NULL, &e) != ARB_OK) return EXIT_IO;
        if (arb_load_pack(e, pack) != ARB_OK) {
            fprintf(stderr, _("arbiter history: %s\n"), arb_errmsg(e));
            arb_engine_free(e);
            return EXIT_USAGE;
        }
    } else {
        e = cli_compile("history", files, nfiles, stdlib, 0, &code);
        if (!e) return code;
    }
    int writes =
        strcmp(sub, "init") == 0 || strcmp(sub, "add") == 0 || strcmp(sub, "prune") == 0 || fb_add;
    arb_history *h;
    if (arb_history_open(e, db, writes ? ARB_HISTORY_WRITE : ARB_HISTORY_READONLY, &h) != ARB_OK) {
        fprintf(stderr, _("arbiter history: %s\n"), arb_errmsg(e));
        arb_engine_free(e);
        return EXIT_DATA;
    }
    int rc = ARB_OK;
    if (strcmp(sub, "init") == 0) {
        if (!quiet) fprintf(stderr, _("arbiter history: %s is ready\n"), db);
    } else if (strcmp(sub, "add") == 0) {
        int shown = 0;
        o.on_reject = on_reject;
        o.on_progress = quiet ? NULL : on_progress;
        o.ud = &shown;
        arb_batch_stats st;
        rc = arb_history_add_file(h, &o, &st);
        if (shown) fputs("\r               \r", stderr);
        if (rc != ARB_OK && rc != ARB_ERR_DATA) {
            fprintf(stderr, _("arbiter history: %s\n"), arb_errmsg(e));
        } else if (rc == ARB_ERR_DATA && st.records_read == 0 && st.rejected_rows == 0) {
            fprintf(stderr, _("arbiter history: %s\n"), arb_errmsg(e));
        } else if (!quiet) {
            fprintf(stderr,
                    _("arbiter history: %llu records read = %llu stored + %llu rejected + %llu "
                      "reversals"),
                    (unsigned long long)st.records_read, (unsigned long long)st.recorded,
                    (unsigned long long)st.rejected, (unsigned long long)st.reversals);
            if (st.rejected_rows)
                fprintf(stderr, _(" (and %llu orphan rows rejected)"),
                        (unsigned long long)st.rejected_rows);
            if (st.rejected || st.rejected_rows)
                fprintf(stderr, _("; rejects in %s"), o.rejects_path);
            fprintf(stderr, _("\n  %.2f s, %.0f claims/s\n"), st.seconds,
                    st.seconds > 0 ? (double)st.records_read / st.seconds : 0.0);
        }
    } else if (strcmp(sub, "stats") == 0) {
        arb_history_info in;
        rc = arb_history_stats(h, &in);
        if (rc == ARB_OK) {
            char d1[32], d2[32];
            date_text(in.first_settle, d1, sizeof d1);
            date_text(in.last_settle, d2, sizeof d2);
            printf(_("store     %s\n"), db);
            printf(_("persons   %llu\n"), (unsigned long long)in.persons);
            printf(_("claims    %llu\n"), (unsigned long long)in.claims);
            printf(_("settled   %s .. %s\n"), d1, d2);
            printf(_("size      %.1f MB on disk, %.1f MB in use"), (double)in.file_bytes / 1e6,
                   (double)in.used_bytes / 1e6);
            if (in.claims)
                printf(_(", %.0f bytes a claim"), (double)in.used_bytes / (double)in.claims);
            printf(_("\nschemas   %u\n"), in.schemas);
            printf(_("feedback  %llu\n"), (unsigned long long)in.feedback);
        }
    } else if (strcmp(sub, "prune") == 0) {
        uint64_t n = 0;
        rc = arb_history_prune(h, before_secs, &n);
        if (rc == ARB_OK && !quiet)
            fprintf(stderr, _("arbiter history: %llu claims settled before %s removed\n"),
                    (unsigned long long)n, before);
    } else if (fb_add) {
        rc = add_feedback(h, e, fb_add, quiet);
    } else if (strcmp(sub, "feedback") == 0) {
        uint64_t n = 0;
        const char *to = out ? out : "-";
        rc = arb_history_feedback_export(h, to, &n);
        if (rc == ARB_OK && !quiet && strcmp(to, "-") != 0)
            fprintf(stderr, _("arbiter history: %llu answers written to %s\n"),
                    (unsigned long long)n, to);
    } else {
        uint64_t n = 0;
        rc = arb_history_export(h, out, &n);
        if (rc == ARB_OK && !quiet)
            fprintf(stderr, _("arbiter history: %llu claims written to %s\n"),
                    (unsigned long long)n, out);
    }
    if (rc != ARB_OK && strcmp(sub, "add") != 0 && !(fb_add && rc == ARB_ERR_DATA))
        fprintf(stderr, _("arbiter history: %s\n"), arb_errmsg(e));
    arb_history_close(h);
    arb_engine_free(e);
    return rc == ARB_OK          ? EXIT_CLEAN
           : rc == ARB_ERR_IO    ? EXIT_IO
           : rc == ARB_ERR_USAGE ? EXIT_USAGE
                                 : EXIT_DATA;
}
