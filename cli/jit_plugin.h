/* jit_plugin.h — the JIT and native (AOT) code generation as a plugin the
 * command loads only when it needs them: compiler/jit.c with libLLVM, built
 * as arbiter-jit.so, so that every other run of `arbiter` starts without
 * loading LLVM (docs/architecture.md, "Native matchers"). */
#ifndef ARB_CLI_JIT_PLUGIN_H
#define ARB_CLI_JIT_PLUGIN_H

#include <stddef.h>

#include "arbiter_jit.h"

/* The plugin's entry points: arbiter_jit.h's functions. */
typedef struct CliJit {
    void (*options_init)(arb_jit_options *o);
    int (*use_jit)(arb_engine *e, const arb_jit_options *o);
    int (*write_native)(arb_engine *e, const char *so_path, const arb_jit_options *o);
} CliJit;

/* Loads the plugin and fills *j; it stays loaded (engines keep its code).
 * The plugin is the one ARBITER_JIT_PLUGIN names when that is set, else the
 * one beside the command (the build tree), else the installed one relative
 * to the command (ARB_JIT_FROM_BIN, e.g. ../lib/arbiter/arbiter-jit.so, so
 * that a moved prefix finds it).  0; -1 with a message naming the path tried
 * and the loader's reason (dlerror) in err, or the plugin's version when it
 * was built from another arbiter than the command (arb_jit_version). */
int cli_jit_load(CliJit *j, char *err, size_t cap);

#endif
