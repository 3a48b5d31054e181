/* luart.c — the Lua escape hatch at run time (see luart.h). */
#include "luart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#define DEFAULT_INSTRUCTIONS 1000000u
#define DEFAULT_MEMORY ((size_t)64 << 20)
#define DEFAULT_MILLIS 2000u
/* string.find/match/gmatch/gsub: the worst case of Lua's backtracking
 * matcher grows as (subject length)^(quantifiers + 1); work the count hook
 * cannot see (it runs in C), so a pattern whose worst case passes this many
 * steps on its subject is refused before it runs */
#define PATTERN_WORST_STEPS 2e9

struct LuaRt {
    lua_State *L;
    const Program *p;
    Alloc alloc;
    LuaLimits lim;
    size_t used;       /* bytes the state holds */
    size_t limit;      /* refuse allocations past this */
    int over_budget;   /* the count hook fired in this call */
    uint64_t budget;   /* instructions allowed in this call */
    uint64_t executed; /* instructions counted so far (in steps) */
    int step;          /* the count hook's interval */
    char where[256];   /* where Lua was when the hook last fired */
    int out_of_mem;    /* an allocation was refused in this call */
    double deadline;   /* monotonic seconds: the call's wall-clock limit */
    int closing;       /* lua_close runs finalizers: the budget stays on */
    uint64_t gen;      /* call number: proxies of earlier calls are dead */
    int *refs;         /* registry reference of each LuaFunc */
    int mt_list;
    struct {
        const RecordType *rt;
        int ref;
    } mts[32]; /* a metatable per record type: __index knows its field names */
    int nmts;
    uint64_t calls, failures;
    char err[2048];
};

/* ------------------------------------------------------------- allocator */

static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    LuaRt *r = ud;
    if (!ptr) osize = 0;
    if (nsize == 0) {
        if (ptr) mem_free(r->alloc, ptr, osize);
        r->used -= osize;
        return NULL;
    }
    if (nsize > osize && r->used + (nsize - osize) > r->limit) {
        r->out_of_mem = 1;
        return NULL;
    }
    void *np = ptr ? mem_realloc(r->alloc, ptr, osize, nsize) : mem_alloc(r->alloc, nsize);
    if (np) r->used = r->used - osize + nsize;
    return np;
}

/* ------------------------------------------------------------- proxies */

typedef struct Proxy {
    const void *data; /* const Value * (record) or const ArbList * */
    const RecordType *rt;
    uint64_t gen;
} Proxy;

static void push_value(LuaRt *r, lua_State *L, const Type *t, Value v);

static LuaRt *rt_of(lua_State *L) {
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

static Proxy *live_proxy(lua_State *L, int idx) {
    Proxy *px = lua_touserdata(L, idx);
    if (px->gen != rt_of(L)->gen)
        luaL_error(L, "a claim record was used after the call that received it returned");
    return px;
}

static int record_index(lua_State *L);
static int read_only(lua_State *L);
static int proxy_tostring(lua_State *L);

/* The metatable of proxies of records of type rt (registry reference), made
 * at first use: its __index closes over a table from field name to index. */
static int record_mt(LuaRt *r, lua_State *L, const RecordType *rt) {
    for (int i = 0; i < r->nmts; i++)
        if (r->mts[i].rt == rt) return r->mts[i].ref;
    lua_createtable(L, 0, 4);
    lua_createtable(L, 0, (int)rt->nfields);
    for (uint32_t f = 0; f < rt->nfields; f++) {
        lua_pushinteger(L, f);
        lua_setfield(L, -2, rt->fields[f].name);
    }
    lua_pushlightuserdata(L, (void *)rt);
    lua_pushcclosure(L, record_index, 2);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, read_only);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, proxy_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "claim record");
    lua_setfield(L, -2, "__metatable");
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (r->nmts < (int)(sizeof r->mts / sizeof r->mts[0])) {
        r->mts[r->nmts].rt = rt;
        r->mts[r->nmts++].ref = ref;
    }
    return ref;
}

static void push_proxy(LuaRt *r, lua_State *L, const void *data, const RecordType *rt, int list) {
    Proxy *px = lua_newuserdatauv(L, sizeof(Proxy), 0);
    px->data = data;
    px->rt = rt;
    px->gen = r->gen;
    lua_rawgeti(L, LUA_REGISTRYINDEX, list ? r->mt_list : record_mt(r, L, rt));
    lua_setmetatable(L, -2);
}

static int record_index(lua_State *L) {
    Proxy *px = live_proxy(L, 1);
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNUMBER) {
        const char *k = lua_tostring(L, 2);
        return luaL_error(L, "%s has no field '%s'", px->rt->name, k ? k : "?");
    }
    lua_Integer f = lua_tointeger(L, -1);
    const Value *rec = px->data;
    push_value(rt_of(L), L, &px->rt->fields[f].type, rec[f]);
    return 1;
}

static int list_index(lua_State *L) {
    Proxy *px = live_proxy(L, 1);
    const ArbList *l = px->data;
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || !l || i > (lua_Integer)l->n) {
        lua_pushnil(L);
        return 1;
    }
    push_proxy(rt_of(L), L, list_item(l, (uint32_t)(i - 1)), px->rt, 0);
    return 1;
}

static int list_len(lua_State *L) {
    Proxy *px = live_proxy(L, 1);
    const ArbList *l = px->data;
    lua_pushinteger(L, l ? l->n : 0);
    return 1;
}

static int read_only(lua_State *L) {
    return luaL_error(L, "claim records are read-only");
}

static int proxy_tostring(lua_State *L) {
    Proxy *px = lua_touserdata(L, 1);
    lua_pushfstring(L, "%s record", px->rt->name);
    return 1;
}

/* Pushes v, of type t, as a Lua value: missing is nil; strings and enum
 * members are strings; bool a boolean; records and lists proxies; every
 * other scalar an integer (money in cents, dates in days and datetimes in
 * seconds since 1970-01-01, durations in seconds). */
static void push_value(LuaRt *r, lua_State *L, const Type *t, Value v) {
    switch (t->kind) {
    case TY_CODE:
    case TY_TEXT:
        if (v.s)
            lua_pushlstring(L, v.s->data, v.s->len);
        else
            lua_pushnil(L);
        return;
    case TY_RECORD:
        if (v.rec)
            push_proxy(r, L, v.rec, t->table ? &t->table->rt : t->rec, 0);
        else
            lua_pushnil(L);
        return;
    case TY_LIST: push_proxy(r, L, v.l, t->rec, 1); return;
    default: break;
    }
    if (v.i == ARB_NULL) {
        lua_pushnil(L);
    } else if (t->kind == TY_BOOL) {
        lua_pushboolean(L, v.i > 0);
    } else if (t->kind == TY_ENUM) {
        if (t->enm && v.i >= 0 && (uint64_t)v.i < t->enm->n)
            lua_pushstring(L, t->enm->members[v.i]);
        else
            lua_pushnil(L);
    } else {
        lua_pushinteger(L, (lua_Integer)v.i);
    }
}

/* ------------------------------------------------------------- sandbox */

/* The count hook fires every `step` instructions: it notes where Lua is
 * (for messages about memory, which come without a traceback) and raises
 * an error once the call's budget is spent. */
static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The count hook fires every `step` instructions: it notes where Lua is
 * (for messages about memory, which come without a traceback) and raises
 * an error once the call's budget or its wall-clock time is spent.  That
 * error cannot be caught: the sandbox's pcall and xpcall raise it again
 * (safe_pcall), so Lua code cannot go on after it. */
static void hook(lua_State *L, lua_Debug *ar) {
    LuaRt *r = rt_of(L);
    r->executed += (uint64_t)r->step;
    if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
        snprintf(r->where, sizeof r->where, "%s:%d", ar->short_src, ar->currentline);
    int late = now_s() > r->deadline;
    if (r->executed < r->budget && !late && !r->over_budget) return;
    r->over_budget = 1;
    /* keep firing soon: also in a finalizer, and in a message handler */
    r->step = 1000;
    lua_sethook(L, hook, LUA_MASKCOUNT, r->step);
    char msg[400];
    if (late && r->executed < r->budget)
        snprintf(msg, sizeof msg, "%s%stime limit of %u ms exceeded", r->where,
                 r->where[0] ? ": " : "", r->lim.millis);
    else
        snprintf(msg, sizeof msg, "%s%sinstruction budget of %llu exhausted (endless loop?)",
                 r->where, r->where[0] ? ": " : "", (unsigned long long)r->budget);
    luaL_error(L, "%s", msg);
}

static void start_budget(LuaRt *r, uint64_t budget) {
    r->over_budget = r->out_of_mem = 0;
    r->budget = budget;
    r->executed = 0;
    r->step = budget < 10000 ? (int)budget : 10000;
    r->where[0] = 0;
    r->deadline = now_s() + r->lim.millis / 1000.0;
    lua_sethook(r->L, hook, LUA_MASKCOUNT, r->step);
}

/* pcall and xpcall of the sandbox: as Lua's, except that an error of the
 * budget or time limit goes on up (it is not theirs to catch). */
static int safe_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    if (status != LUA_OK && rt_of(L)->over_budget) return lua_error(L);
    lua_pushboolean(L, status == LUA_OK);
    lua_insert(L, 1);
    return lua_gettop(L);
}

static int safe_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 1); /* f, msgh, args... -> msgh, f, args... */
    lua_copy(L, 2, 1);
    lua_replace(L, 2);
    int status = lua_pcall(L, n - 2, LUA_MULTRET, 1);
    if (status != LUA_OK && rt_of(L)->over_budget) return lua_error(L);
    lua_pushboolean(L, status == LUA_OK);
    lua_replace(L, 1);
    return lua_gettop(L);
}

/* setmetatable of the sandbox: no finalizers.  A __gc runs when the state
 * is closed (or collected), outside any call's limits. */
static int safe_setmetatable(lua_State *L) {
    if (lua_type(L, 2) == LUA_TTABLE && lua_getfield(L, 2, "__gc") != LUA_TNIL)
        return luaL_error(L, "setmetatable: finalizers (__gc) are not allowed in rules' Lua");
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

/* The worst-case steps of matching pattern p (Lua syntax) against a
 * subject of n bytes: each quantifier (*, +, -, ?) outside a set may make
 * the matcher try every length again, and find/gmatch/gsub try every
 * start (no '^'). */
static double pattern_worst(const char *p, size_t pl, size_t n) {
    double steps = p[0] == '^' ? 1.0 : (double)n + 1;
    for (size_t i = 0; i < pl && steps < 1e30; i++) {
        if (p[i] == '%') {
            i++; /* an escape, or a class: %b and %f take arguments */
            if (i < pl && p[i] == 'b') i += 2;
            continue;
        }
        if (p[i] == '[') { /* a set: its '-' is a range */
            for (i++; i < pl && p[i] != ']'; i++)
                if (p[i] == '%') i++;
            continue;
        }
        if (p[i] == '*' || p[i] == '+' || p[i] == '-' || p[i] == '?')
            steps *= p[i] == '?' ? 2.0 : (double)n + 1;
    }
    return steps;
}

/* string.find/match/gmatch/gsub through the bound above; upvalue 1: the
 * library's function. */
static int safe_pattern(lua_State *L) {
    size_t n, pl;
    luaL_checklstring(L, 1, &n);
    const char *p = luaL_checklstring(L, 2, &pl);
    if (pattern_worst(p, pl, n) > PATTERN_WORST_STEPS) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "pattern '%.60s' is too costly for a subject of %zu bytes (its worst case passes "
                 "%.0f steps; use fewer repetitions or a shorter subject)",
                 p, n, (double)PATTERN_WORST_STEPS);
        return luaL_error(L, "%s", msg);
    }
    int top = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, top, LUA_MULTRET);
    return lua_gettop(L);
}

/* load(chunk [, name [, mode [, env]]]) for text chunks only. */
static int safe_load(lua_State *L) {
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    const char *name = luaL_optstring(L, 2, "=(load)");
    int env = !lua_isnone(L, 4) ? 4 : 0;
    if (luaL_loadbufferx(L, s, n, name, "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env) {
        lua_pushvalue(L, env);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    } else {
        lua_pushvalue(L, lua_upvalueindex(1)); /* the sandbox */
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    return 1;
}

static int run_module(LuaRt *r, lua_State *L, uint32_t m);

/* require(name): one of the rule library's own Lua modules, run once. */
static int safe_require(lua_State *L) {
    LuaRt *r = rt_of(L);
    size_t n;
    const char *name = luaL_checklstring(L, 1, &n);
    lua_getfield(L, LUA_REGISTRYINDEX, "arbiter.loaded");
    if (lua_getfield(L, -1, name) != LUA_TNIL) {
        lua_getfield(L, -1, "__exports");
        return 1;
    }
    lua_pop(L, 2);
    for (uint32_t m = 0; m < r->p->nlua_modules; m++) {
        if (strcmp(r->p->lua_modules[m].name, name) != 0 || !name[0]) continue;
        if (run_module(r, L, m) != LUA_OK) return lua_error(L);
        lua_getfield(L, -1, "__exports");
        return 1;
    }
    return luaL_error(L, "require: '%s' is not a Lua module of the rule library", name);
}

/* Builds the sandbox's global table (left on the stack). */
static void make_sandbox(lua_State *L) {
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_pop(L, 5);
    lua_newtable(L); /* the sandbox */
    static const char *const base[] = {
        "assert",   "error",  "ipairs", "next",     "pairs",        "pcall",
        "rawequal", "rawget", "rawlen", "rawset",   "select",       "tonumber",
        "tostring", "type",   "xpcall", "_VERSION", "setmetatable", "getmetatable",
        "string",   "table",  "math",   "utf8"};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
        lua_getglobal(L, base[i]);
        lua_setfield(L, -2, base[i]);
    }
    lua_getfield(L, -1, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    /* the string table is also strings' __index: ("x"):find() is bounded too */
    static const char *const matchers[] = {"find", "match", "gmatch", "gsub"};
    for (size_t i = 0; i < sizeof matchers / sizeof matchers[0]; i++) {
        lua_getfield(L, -1, matchers[i]);
        lua_pushcclosure(L, safe_pattern, 1);
        lua_setfield(L, -2, matchers[i]);
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, safe_pcall);
    lua_setfield(L, -2, "pcall");
    lua_pushcfunction(L, safe_xpcall);
    lua_setfield(L, -2, "xpcall");
    lua_getfield(L, -1, "setmetatable");
    lua_pushcclosure(L, safe_setmetatable, 1);
    lua_setfield(L, -2, "setmetatable");
    /* math.randomseed, kept for luart_seed */
    lua_getfield(L, -1, "math");
    lua_getfield(L, -1, "randomseed");
    lua_setfield(L, LUA_REGISTRYINDEX, "arbiter.randomseed");
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, safe_load, 1);
    lua_setfield(L, -2, "load");
    lua_pushcfunction(L, safe_require);
    lua_setfield(L, -2, "require");
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "_G");
    /* the real globals go: nothing reaches them but the sandbox */
    lua_pushglobaltable(L);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);
    /* string methods ("x"):upper() use the string metatable: fine */
}

/* The Lua line number at the front of a message "chunk:LINE: ...". */
static int32_t message_line(const char *msg, const char *chunk) {
    size_t n = strlen(chunk);
    if (strncmp(msg, chunk, n) != 0 || msg[n] != ':') return 0;
    return (int32_t)atoi(msg + n + 1);
}

/* Runs module m in its own environment (whose __index is the sandbox) and
 * records it in arbiter.loaded as that environment, with __exports set to
 * what the chunk returned (or the environment).  On success leaves the
 * environment on the stack and returns LUA_OK; else the error message. */
static int run_module(LuaRt *r, lua_State *L, uint32_t m) {
    const LuaModule *mod = &r->p->lua_modules[m];
    char chunk[600];
    snprintf(chunk, sizeof chunk, "@%s", mod->chunk);
    int rc = luaL_loadbufferx(L, mod->src, mod->len, chunk, "t");
    if (rc != LUA_OK) return rc;
    lua_newtable(L); /* env */
    lua_newtable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, "arbiter.sandbox");
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setupvalue(L, -3, 1); /* _ENV of the chunk */
    lua_insert(L, -2);        /* env, chunk */
    rc = lua_pcall(L, 0, 1, 0);
    if (rc != LUA_OK) {
        lua_remove(L, -2);
        return rc;
    }
    if (lua_type(L, -1) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
    }
    lua_setfield(L, -2, "__exports"); /* rawset would do; env has no __newindex */
    if (mod->name[0]) {
        lua_getfield(L, LUA_REGISTRYINDEX, "arbiter.loaded");
        lua_pushvalue(L, -2);
        lua_setfield(L, -2, mod->name);
        lua_pop(L, 1);
    }
    return LUA_OK;
}

LuaRt *luart_new(const Program *p, Alloc a, LuaLimits lim, LuaLoadError *e) {
    memset(e, 0, sizeof *e);
    e->module = e->func = -1;
    LuaRt *r = mem_calloc(a, sizeof(LuaRt));
    if (!r) {
        e->kind = LUA_LOAD_NOMEM;
        snprintf(e->msg, sizeof e->msg, "out of memory");
        return NULL;
    }
    r->p = p;
    r->alloc = a;
    r->lim = lim;
    if (!r->lim.instructions) r->lim.instructions = DEFAULT_INSTRUCTIONS;
    if (!r->lim.memory) r->lim.memory = DEFAULT_MEMORY;
    if (!r->lim.millis) r->lim.millis = DEFAULT_MILLIS;
    r->limit = r->lim.memory;
    r->refs = mem_calloc(a, (p->nlua_funcs + 1) * sizeof(int));
    lua_State *L = r->refs ? lua_newstate(l_alloc, r) : NULL;
    if (!L) {
        mem_free(a, r->refs, (p->nlua_funcs + 1) * sizeof(int));
        mem_free(a, r, sizeof *r);
        e->kind = LUA_LOAD_NOMEM;
        snprintf(e->msg, sizeof e->msg, "out of memory creating a Lua state");
        return NULL;
    }
    r->L = L;
    make_sandbox(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "arbiter.sandbox");
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "arbiter.loaded");
    static const luaL_Reg list_m[] = {{"__index", list_index},
                                      {"__newindex", read_only},
                                      {"__len", list_len},
                                      {"__tostring", proxy_tostring},
                                      {NULL, NULL}};
    lua_newtable(L);
    luaL_setfuncs(L, list_m, 0);
    lua_pushliteral(L, "claim list");
    lua_setfield(L, -2, "__metatable");
    r->mt_list = luaL_ref(L, LUA_REGISTRYINDEX);
    /* run the modules (under the budget), then look the functions up */
    lua_newtable(L); /* env of each module, by index */
    for (uint32_t m = 0; m < p->nlua_modules && e->kind == LUA_LOAD_OK; m++) {
        lua_getfield(L, LUA_REGISTRYINDEX, "arbiter.loaded");
        lua_getfield(L, -1, p->lua_modules[m].name[0] ? p->lua_modules[m].name : "\001");
        if (lua_type(L, -1) == LUA_TTABLE) { /* already required by another module */
            lua_remove(L, -2);
        } else {
            lua_pop(L, 2);
            start_budget(r, r->lim.instructions * 10); /* a module may set up tables */
            int rc = run_module(r, L, m);
            lua_sethook(L, NULL, 0, 0);
            if (rc != LUA_OK) {
                const char *msg = lua_tostring(L, -1);
                e->kind = rc == LUA_ERRSYNTAX ? LUA_LOAD_SYNTAX
                          : rc == LUA_ERRMEM  ? LUA_LOAD_NOMEM
                                              : LUA_LOAD_RUN;
                e->module = (int32_t)m;
                e->line = msg ? message_line(msg, p->lua_modules[m].chunk) : 0;
                snprintf(e->msg, sizeof e->msg, "%s", msg ? msg : "out of memory");
                break;
            }
        }
        lua_rawseti(L, -2, (lua_Integer)m + 1);
    }
    for (uint32_t f = 0; f < p->nlua_funcs && e->kind == LUA_LOAD_OK; f++) {
        const LuaFunc *fn = &p->lua_funcs[f];
        lua_rawgeti(L, -1, (lua_Integer)fn->module + 1);
        lua_getfield(L, -1, "__exports");
        lua_pushstring(L, fn->name);
        lua_rawget(L, -2);
        if (lua_type(L, -1) != LUA_TFUNCTION) {
            e->kind = LUA_LOAD_MISSING;
            e->func = (int32_t)f;
            e->module = (int32_t)fn->module;
            snprintf(e->msg, sizeof e->msg, "%s does not define a function '%s'",
                     p->lua_modules[fn->module].chunk, fn->name);
            break;
        }
        r->refs[f] = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_pop(L, 2);
    }
    if (e->kind != LUA_LOAD_OK) {
        luart_free(r);
        return NULL;
    }
    lua_settop(L, 0);
    lua_gc(L, LUA_GCGEN, 0, 0);
    return r;
}

void luart_free(LuaRt *r) {
    if (!r) return;
    if (r->L) { /* finalizers run here: under a budget (there should be none) */
        r->closing = 1;
        start_budget(r, r->lim.instructions);
        lua_close(r->L);
    }
    mem_free(r->alloc, r->refs, (r->p->nlua_funcs + 1) * sizeof(int));
    mem_free(r->alloc, r, sizeof *r);
}

int luart_seed(LuaRt *r, uint64_t seed) {
    lua_State *L = r->L;
    lua_settop(L, 0);
    lua_getfield(L, LUA_REGISTRYINDEX, "arbiter.randomseed");
    lua_pushinteger(L, (lua_Integer)(seed >> 1));
    int rc = lua_pcall(L, 1, 0, 0);
    lua_settop(L, 0);
    return rc == LUA_OK ? 0 : -1;
}

const char *luart_error(const LuaRt *r) {
    return r->err;
}

uint64_t luart_calls(const LuaRt *r) {
    return r->calls;
}

int luart_exhausted(const LuaRt *r) {
    return r->out_of_mem && r->used > r->limit / 2;
}

/* Message handler: the error with a traceback (the hook is off meanwhile). */
static int traceback(lua_State *L) {
    lua_sethook(L, NULL, 0, 0);
    const char *msg = lua_tostring(L, 1);
    if (!msg) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static const char *const kind_words[TY__COUNT] = {
#define X(e, s) s,
    ARB_TYPE_KINDS(X)
#undef X
};

/* Converts the result on top of the stack to the function's result type. */
static int take_result(LuaRt *r, const LuaFunc *fn, Value *out, Arena *ar) {
    lua_State *L = r->L;
    int t = lua_type(L, -1);
    int k = fn->result.kind;
    if (t == LUA_TNIL) {
        if (type_is_string((uint8_t)k))
            out->s = NULL;
        else
            out->i = ARB_NULL;
        return 0;
    }
    if (k == TY_BOOL && t == LUA_TBOOLEAN) {
        out->i = lua_toboolean(L, -1);
        return 0;
    }
    if (type_is_string((uint8_t)k) && t == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        out->s = str_new(ar, s, n);
        return out->s ? 0 : -1;
    }
    if (k == TY_ENUM && t == LUA_TSTRING && fn->result.enm) {
        const char *s = lua_tostring(L, -1);
        for (uint32_t i = 0; i < fn->result.enm->n; i++)
            if (strcmp(fn->result.enm->members[i], s) == 0) {
                out->i = i;
                return 0;
            }
    }
    if (type_is_int64((uint8_t)k) && k != TY_BOOL && k != TY_ENUM && t == LUA_TNUMBER) {
        int isint;
        lua_Integer v = lua_tointegerx(L, -1, &isint);
        if (isint && v != ARB_NULL) {
            out->i = v;
            return 0;
        }
    }
    const char *what = t == LUA_TNUMBER && lua_isinteger(L, -1) ? "an integer"
                       : t == LUA_TNUMBER                       ? "a float"
                                                                : lua_typename(L, t);
    snprintf(r->err, sizeof r->err, "lua.%s returned %s%s where the rule expects %s", fn->name,
             what, t == LUA_TSTRING || t == LUA_TNUMBER ? "" : " value",
             k == TY_ENUM && fn->result.enm ? fn->result.enm->name : kind_words[k]);
    if (t == LUA_TSTRING) {
        size_t n = strlen(r->err);
        snprintf(r->err + n, sizeof r->err - n, " (\"%.60s\")", lua_tostring(L, -1));
    }
    return 1;
}

typedef struct CallCtx {
    LuaRt *r;
    uint32_t f;
    const Value *args;
} CallCtx;

/* Pushes the function and its arguments and calls it — in protected mode,
 * since making a proxy may run into the memory limit. */
static int trampoline(lua_State *L) {
    CallCtx *c = lua_touserdata(L, 1);
    const LuaFunc *fn = &c->r->p->lua_funcs[c->f];
    luaL_checkstack(L, (int)fn->nparams + 4, "too many arguments");
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->r->refs[c->f]);
    for (uint32_t i = 0; i < fn->nparams; i++) push_value(c->r, L, &fn->params[i], c->args[i]);
    lua_call(L, (int)fn->nparams, 1);
    return 1;
}

int luart_call(LuaRt *r, uint32_t f, const Value *args, Value *out, Arena *ar) {
    lua_State *L = r->L;
    const LuaFunc *fn = &r->p->lua_funcs[f];
    CallCtx cc = {r, f, args};
    r->calls++;
    r->gen++;
    lua_settop(L, 0);
    lua_pushcfunction(L, traceback);
    lua_pushcfunction(L, trampoline);
    lua_pushlightuserdata(L, &cc);
    start_budget(r, r->lim.instructions);
    int rc = lua_pcall(L, 1, 1, 1);
    lua_sethook(L, NULL, 0, 0);
    r->gen++; /* the proxies of this call die here */
    if (rc == LUA_OK) {
        rc = take_result(r, fn, out, ar);
        lua_settop(L, 0);
        if (rc) r->failures++;
        return rc;
    }
    const char *msg = lua_tostring(L, -1);
    const char *why = rc == LUA_ERRMEM || r->out_of_mem ? "memory limit"
                      : r->over_budget                  ? "instruction budget"
                                                        : "error";
    if (rc == LUA_ERRMEM || (r->out_of_mem && !r->over_budget)) {
        int n = snprintf(r->err, sizeof r->err,
                         "lua.%s: memory limit: the Lua state's %zu MB are used up", fn->name,
                         r->lim.memory >> 20);
        if (r->where[0] && n > 0 && (size_t)n < sizeof r->err)
            n += snprintf(r->err + n, sizeof r->err - (size_t)n, " (last seen running at %s)",
                          r->where);
        if (rc != LUA_ERRMEM && msg && n > 0 && (size_t)n < sizeof r->err)
            snprintf(r->err + n, sizeof r->err - (size_t)n, ": %s", msg);
    } else
        snprintf(r->err, sizeof r->err, "lua.%s: %s: %s", fn->name, why,
                 msg ? msg : "(no message)");
    lua_settop(L, 0);
    r->failures++;
    /* after running out of memory, give back what the call left behind */
    if (r->out_of_mem) lua_gc(L, LUA_GCCOLLECT);
    return 1;
}
