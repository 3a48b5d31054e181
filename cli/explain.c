/* explain.c — the `arbiter explain` command: why one claim was (or was not)
 * flagged, rule by rule, with the values each condition saw. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arbiter.h"
#include "cli_util.h"
#include "explain.h"
#include "i18n.h"

static const char *const EXPLAIN_HELP =
    N_("usage: arbiter explain RULES... --claims FILE --claim ID [--rule R] [options]\n"
       "\n"
       "For one claim, lists the rules that fired and why: for each line (and table\n"
       "row) they fired on, every comparison of the rule's condition with its result\n"
       "and the values on both sides. With --rule, explains that rule even when it\n"
       "did not fire, marking the first condition that was false.\n"
       "\n"
       "options:\n"
       "  --claims FILE   the claims (JSON Lines, or claims.csv with its child files)\n"
       "  --claim ID      the claim to explain (its claim_id)\n"
       "  --rule R        only this rule\n"
       "  --encoding E    the claims' encoding: utf-8 (default) or gb18030 (gbk), as\n"
       "                  for check\n"
       "  --input PROFILE read the claims through an input profile of the rules\n"
       "                  (nhsa3101, his_csv_zh, ...), as for check\n"
       "  --stdlib DIR    the standard library (schema.rules)\n"
       "  -h, --help      this text\n");

static void print_text(void *ud, const char *text) {
    (void)ud;
    fputs(text, stdout);
}

int cmd_explain(int argc, char **argv) {
    const char **files = calloc((size_t)argc + 1, sizeof(char *));
    const char *claims = NULL, *claim = NULL, *rule = NULL, *stdlib = NULL;
    const char *encoding = NULL, *profile = NULL;
    int nfiles = 0, rc = 0;
    if (!files) return 4;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(_(EXPLAIN_HELP), stdout);
            free(files);
            return 0;
        } else if (strcmp(a, "--claims") == 0 && more) {
            claims = argv[++i];
        } else if (strcmp(a, "--claim") == 0 && more) {
            claim = argv[++i];
        } else if (strcmp(a, "--rule") == 0 && more) {
            rule = argv[++i];
        } else if (strcmp(a, "--stdlib") == 0 && more) {
            stdlib = argv[++i];
        } else if (strcmp(a, "--encoding") == 0 && more) {
            encoding = argv[++i];
        } else if (strcmp(a, "--input") == 0 && more) {
            profile = argv[++i];
        } else if (a[0] != '-') {
            files[nfiles++] = a;
        } else {
            fprintf(stderr,
                    _("arbiter explain: unknown option or missing value: '%s'\n"
                      "Run 'arbiter explain --help' for usage.\n"),
                    a);
            free(files);
            return 2;
        }
    }
    if (!nfiles || !claims || !claim) {
        fprintf(stderr, _("arbiter explain: give rule files, --claims FILE and --claim ID\n"
                          "Run 'arbiter explain --help' for usage.\n"));
        free(files);
        return 2;
    }
    int code = 0;
    arb_engine *e = cli_compile("explain", files, (size_t)nfiles, stdlib, 1, &code);
    if (!e) {
        free(files);
        return code;
    }
    if (rc == 0) {
        arb_explain_options o;
        arb_explain_options_init(&o);
        o.claims_path = claims;
        o.claim_id = claim;
        o.rule_id = rule;
        o.encoding = encoding;
        o.input_profile = profile;
        int r = arb_explain_ex(e, &o, print_text, NULL);
        if (r != ARB_OK) {
            fprintf(stderr, "arbiter explain: %s\n", arb_errmsg(e));
            rc = r == ARB_ERR_DATA ? 3 : 2;
        } else if (fflush(stdout) != 0) {
            fprintf(stderr, _("arbiter explain: cannot write the explanation: %s\n"),
                    strerror(errno));
            rc = 4;
        }
    }
    arb_engine_free(e);
    free(files);
    return rc;
}
