/* luart.h — the Lua escape hatch at run time: one sandboxed Lua 5.4 state
 * per VM (per worker thread), the rule library's modules loaded once and the
 * functions the rules call looked up once and kept by reference.
 *
 * Sandbox: the base library without dofile, loadfile, print, collectgarbage
 * and the debug, io, os and package libraries; `load` takes text chunks only;
 * `require` finds only the library's own modules; string.dump is gone.  Each
 * call has an instruction budget and a wall-clock limit (a count hook) and
 * the state a memory limit (its allocator).  The limits' error cannot be
 * caught by pcall or xpcall in Lua; string.find/match/gmatch/gsub refuse a
 * pattern whose worst case on its subject is too costly (C work the hook
 * cannot interrupt); setmetatable refuses finalizers (__gc), and the state is
 * closed under a budget.  math.random is seeded per claim (luart_seed), so
 * results do not depend on the thread count or on earlier claims; a module's
 * own tables persist from claim to claim within a worker (docs/language.md,
 * "Lua").  Records (claim, line, a table's rows) reach Lua as
 * read-only proxies whose fields are read by name on access — nothing is
 * copied — and that stop working when the call returns. */
#ifndef ARB_LUART_H
#define ARB_LUART_H

#include <stddef.h>
#include <stdint.h>

#include "program.h"

typedef struct LuaRt LuaRt;

typedef struct LuaLimits {
    uint64_t instructions; /* per call; 0: the default (1,000,000) */
    size_t memory;         /* bytes per state; 0: the default (64 MB) */
    uint32_t millis;       /* wall-clock time per call; 0: the default (2,000 ms) */
} LuaLimits;

/* What went wrong while loading the modules (luart_new). */
typedef struct LuaLoadError {
    enum { LUA_LOAD_OK, LUA_LOAD_SYNTAX, LUA_LOAD_RUN, LUA_LOAD_MISSING, LUA_LOAD_NOMEM } kind;
    int32_t module; /* LuaModule index (SYNTAX, RUN) */
    int32_t func;   /* LuaFunc index (MISSING) */
    int32_t line;   /* line in the module's source, 0 when unknown */
    char msg[512];
} LuaLoadError;

/* Creates the state, runs every module and looks up every function.
 * NULL on failure, with the reason in *e. */
LuaRt *luart_new(const Program *p, Alloc a, LuaLimits lim, LuaLoadError *e);
void luart_free(LuaRt *r);

/* Calls function fn with its nparams argument values.  Returns 0 with the
 * result in *out (strings allocated in ar), or 1 when the call failed — a
 * Lua error, the budget or the memory limit exhausted, a result of the wrong
 * type — with the message and Lua traceback in luart_error. */
int luart_call(LuaRt *r, uint32_t fn, const Value *args, Value *out, Arena *ar);
const char *luart_error(const LuaRt *r);
/* Seeds math.random (the VM does it before a claim's first call, from the
 * claim's id).  0, or -1 when it failed. */
int luart_seed(LuaRt *r, uint64_t seed);
/* Calls made so far. */
uint64_t luart_calls(const LuaRt *r);
/* Whether the last call ran out of memory and the state still holds over
 * half its limit after collecting garbage (the Lua code keeps what fills
 * it, in a global): the state should be made afresh. */
int luart_exhausted(const LuaRt *r);

#endif
