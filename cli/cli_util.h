/* cli_util.h — what the CLI's commands share: compiling rule files into an
 * engine while printing the diagnostics, and usage errors. */
#ifndef ARB_CLI_UTIL_H
#define ARB_CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "arbiter.h"

/* Prints every diagnostic of the engine's last compilation to stderr
 * (file:line:col, source line, caret); returns how many were errors. */
size_t cli_print_errors(arb_engine *e);

/* Compiles rule files into a new engine (with debug_info when asked);
 * prints diagnostics.  NULL with *exit_code set: 2 for rule or file errors,
 * 4 when out of memory. */
arb_engine *cli_compile(const char *cmd, const char *const *files, size_t nfiles,
                        const char *stdlib, int debug_info, int *exit_code);

/* Sets up the messages' language (base/i18n.h): `lang` is --lang's value
 * (zh_CN, zh, en, C) or NULL, then LANGUAGE, LC_ALL, LC_MESSAGES and LANG
 * decide; Chinese binds the "arbiter" catalog (installed beside the command
 * in ../share/locale, or the build tree's), English needs nothing.  -1 for a
 * language --lang does not know. */
int cli_i18n(const char *lang);

/* Parses a whole non-negative decimal number (no sign, nothing after it,
 * within 64 bits); 0, or -1. */
int cli_parse_u64(const char *s, uint64_t *out);

/* Whether an argument asks for help (-h, --help). */
int cli_is_help(const char *arg);

/* Prints "arbiter CMD: <fmt with arg>" and a pointer to --help to stderr;
 * returns the usage exit code (2). */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);

/* Standard output closed early (`arbiter check ... | head -1`): SIGPIPE is
 * ignored, so that a write fails with EPIPE instead of killing the process,
 * and cli_stdout_gone says whether that is what happened (standard output is
 * a pipe or socket whose reader has gone); the commands that use it then exit
 * 4 (I/O) without a message. */
void cli_ignore_sigpipe(void);
int cli_stdout_gone(void);

/* The default of --threads: the cores online, 1 to 64. */
int cli_cores(void);

/* The batch options `check` and `history add` share: --input-format F,
 * --threads N, --rejects FILE, --encoding E, --commit-every N.  Returns 1
 * when argv[*i] was one (consumed, *i advanced past its value), 0 when not,
 * and -1 after printing a usage error for a bad value. */
int cli_batch_option(const char *cmd, int argc, char **argv, int *i, arb_batch_options *o);

/* Parses a --phase value: phase names (pre, settle, post) separated by
 * commas, into ARB_PHASE_* bits.  0; -1 for an unknown or empty name, -2
 * for one given twice (*bad points at it, its length in *badlen). */
int cli_parse_phases(const char *s, unsigned *out, const char **bad, size_t *badlen);

/* Writes the names of the ARB_PHASE_* bits in `phases`, comma-separated,
 * into buf ("settle,post"). */
void cli_phase_names(unsigned phases, char *buf, size_t cap);

#endif
