/* arbiter_jit.h — native rule matchers with LLVM (links libLLVM; the core
 * library libarbiter does not).
 *
 *     arb_compile(e);
 *     arb_jit_options jo;
 *     arb_jit_options_init(&jo);
 *     if (arb_use_jit(e, &jo) != ARB_OK) fprintf(stderr, "%s\n", arb_errmsg(e));
 *
 * After arb_use_jit, every check made with the engine runs compiled code:
 * one native function per rule shape (rules equal up to their constants),
 * giving exactly the interpreter's findings. */
#ifndef ARBITER_JIT_H
#define ARBITER_JIT_H

#include "arbiter.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct arb_jit_options {
    int opt_level; /* 0, 1 or 2 (default): LLVM optimisation and code generation level */
} arb_jit_options;

void arb_jit_options_init(arb_jit_options *o);

/* The version of arbiter this JIT was built from (ARB_VERSION): the
 * command, which loads the JIT as a plugin (arbiter-jit.so), refuses one
 * built from another version, whose view of the engine may differ. */
const char *arb_jit_version(void);

/* Compiles the engine's rules to native code (ORC LLJIT, this process). */
int arb_use_jit(arb_engine *e, const arb_jit_options *o);

/* Compiles the engine's rules ahead of time into a shared object (object
 * code from LLVM, linked by the system's cc) that arb_load_native loads
 * next to the pack last written with arb_write_pack, which it is tied to. */
int arb_write_native(arb_engine *e, const char *so_path, const arb_jit_options *o);

#ifdef __cplusplus
}
#endif

#endif
