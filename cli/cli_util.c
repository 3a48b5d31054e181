/* cli_util.c — compiling rule files for the CLI's commands (see cli_util.h). */
#include "cli_util.h"

#include <stdio.h>
#include <stdlib.h>

size_t cli_print_errors(arb_engine *e) {
    size_t errors = 0, n = arb_error_count(e), cap = 4096;
    char *buf = malloc(cap);
    if (!buf) return n;
    for (size_t i = 0; i < n; i++) {
        size_t need = arb_error_render(e, i, buf, cap);
        if (need >= cap) {
            char *nb = realloc(buf, need + 1);
            if (nb) {
                buf = nb;
                cap = need + 1;
                arb_error_render(e, i, buf, cap);
            }
        }
        fputs(buf, stderr);
        arb_error err;
        if (arb_error_get(e, i, &err) == ARB_OK && err.severity == 0) errors++;
    }
    free(buf);
    return errors;
}

arb_engine *cli_compile(const char *cmd, const char *const *files, size_t nfiles,
                        const char *stdlib, int debug_info, int *exit_code) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = stdlib ? stdlib : getenv("ARBITER_STDLIB");
    cfg.debug_info = debug_info;
    arb_engine *e;
    if (arb_engine_new(&cfg, &e) != ARB_OK) {
        fprintf(stderr, "arbiter %s: out of memory\n", cmd);
        *exit_code = 4;
        return NULL;
    }
    for (size_t i = 0; i < nfiles; i++) {
        if (arb_add_file(e, files[i]) != ARB_OK) {
            fprintf(stderr, "arbiter %s: %s\n", cmd, arb_errmsg(e));
            arb_engine_free(e);
            *exit_code = 2;
            return NULL;
        }
    }
    if (arb_compile(e) != ARB_OK) {
        size_t n = cli_print_errors(e);
        fprintf(stderr, "arbiter %s: %zu error%s; nothing was run\n", cmd, n, n == 1 ? "" : "s");
        arb_engine_free(e);
        *exit_code = 2;
        return NULL;
    }
    cli_print_errors(e); /* warnings */
    return e;
}
