/* test_lua.c — rules calling Lua, through the public API: values and
 * records reach Lua read-only and results come back typed; a Lua error, an
 * endless loop, endless allocation and a result of the wrong type stop only
 * the failing rule; the sandbox has no io, os, debug, binary load or outside
 * require; load-time errors are rule errors with positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arbiter.h"

static const char *const LIB =
    "category L \"Lua\" { code \"NHSA2025-097\" tier medical }\n"
    "lua [[\n"
    "  function units(line) return line.quantity * 2 end\n"
    "  function price(line) return line.unit_price end\n"
    "  function kind(line) return line.item_kind .. '/' .. tostring(line.dose) end\n"
    "  function nlines(claim) return #claim.lines end\n"
    "  function second_code(claim) local l = claim.lines[2]; return l and l.item_code end\n"
    "  function is_f(sex) return sex == 'F' end\n"
    "  function spin(n) if n == 13 then while true do end end return false end\n"
    "  function hog(n) if n == 13 then local t = {} while true do t[#t+1] = {n} end end\n"
    "    return false end\n"
    "  function boom(n) if n == 13 then error('bad thirteen') end return false end\n"
    "  function wrong(n) if n == 13 then return 1.5 end return 0 end\n"
    "  function write(line) line.quantity = 1 return true end\n"
    "  function probe(what)\n"
    "    if what == 'io' then return io == nil and os == nil and debug == nil end\n"
    "    if what == 'load' then return load(string.dump and 'x' or '\\27Lua') == nil end\n"
    "    if what == 'text' then return load('return 1 + 1')() == 2 end\n"
    "    if what == 'require' then return not pcall(require, 'io') end\n"
    "    return false\n"
    "  end\n"
    "]] {\n"
    "  units(line) int  price(line) money  kind(line) text  nlines(claim) int\n"
    "  second_code(claim) code  is_f(sex) bool\n"
    "  spin(int) bool  hog(int) bool  boom(int) bool  wrong(int) int  write(line) bool\n"
    "  probe(text) bool\n"
    "}\n"
    "rule L.1 in L for line in claim.lines when lua.units(line) == 6 flag line\n"
    "rule L.2 in L for line in claim.lines when lua.price(line) > 10.00 flag line amount "
    "lua.price(line)\n"
    "rule L.3 in L for line in claim.lines when line.line_no == 1 and lua.nlines(claim) == 2 "
    "and lua.second_code(claim) == \"B2\" flag line message \"{lua.kind(line)}\"\n"
    "rule L.4 in L when lua.is_f(claim.sex) flag claim amount 0.00\n"
    "rule L.5 in L for line in claim.lines when lua.spin(line.quantity) flag line\n"
    "rule L.6 in L for line in claim.lines when lua.hog(line.quantity) flag line\n"
    "rule L.7 in L for line in claim.lines when lua.boom(line.quantity) flag line\n"
    "rule L.8 in L for line in claim.lines when lua.wrong(line.quantity) > 0 flag line\n"
    "rule L.9 in L for line in claim.lines when lua.write(line) flag line\n"
    "rule L.10 in L when lua.probe(\"io\") and lua.probe(\"load\") and lua.probe(\"text\") and "
    "lua.probe(\"require\") flag claim amount 0.00\n";

typedef struct Seen {
    char rules[32][16];
    int64_t amounts[32];
    char messages[32][64];
    int n;
} Seen;

static void on_finding(void *ud, const arb_finding *f) {
    Seen *s = ud;
    if (s->n >= 32) return;
    snprintf(s->rules[s->n], sizeof s->rules[0], "%s", f->rule_id);
    snprintf(s->messages[s->n], sizeof s->messages[0], "%s", f->message);
    s->amounts[s->n++] = f->amount_cents;
}

static int seen(const Seen *s, const char *rule) {
    int n = 0;
    for (int i = 0; i < s->n; i++) n += strcmp(s->rules[i], rule) == 0;
    return n;
}

static arb_engine *engine(const char *text) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.lua_instructions = 100000;
    cfg.lua_memory = 8u << 20;
    arb_engine *e;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    assert_int_equal(arb_add_source(e, "lua_test.rules", text, strlen(text)), ARB_OK);
    return e;
}

static const char *claim_json(int qty) {
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"claim_id\":\"C1\",\"person_id\":\"P1\",\"sex\":\"F\",\"care_type\":\"outpatient\","
             "\"settle_time\":\"2025-05-01T10:00:00\",\"lines\":["
             "{\"line_no\":1,\"item_code\":\"A1\",\"item_kind\":\"drug\",\"quantity\":%d,"
             "\"unit_price\":\"12.50\",\"amount\":\"12.50\",\"dose\":\"5mg\"},"
             "{\"line_no\":2,\"item_code\":\"B2\",\"item_kind\":\"service\",\"quantity\":1,"
             "\"unit_price\":\"3.00\",\"amount\":\"3.00\"}]}",
             qty);
    return buf;
}

static void test_values_and_results(void **state) {
    (void)state;
    arb_engine *e = engine(LIB);
    assert_int_equal(arb_compile(e), ARB_OK);
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    Seen sn = {0};
    const char *j = claim_json(3);
    assert_int_equal(arb_session_check_json(s, j, strlen(j), 0, on_finding, &sn), ARB_OK);
    assert_int_equal(seen(&sn, "L.1"), 1); /* 3 * 2 == 6 */
    assert_int_equal(seen(&sn, "L.2"), 1); /* money in cents both ways */
    for (int i = 0; i < sn.n; i++)
        if (strcmp(sn.rules[i], "L.2") == 0) assert_int_equal(sn.amounts[i], 1250);
    assert_int_equal(seen(&sn, "L.3"), 1);
    for (int i = 0; i < sn.n; i++)
        if (strcmp(sn.rules[i], "L.3") == 0) assert_string_equal(sn.messages[i], "drug/5mg");
    assert_int_equal(seen(&sn, "L.4"), 1);  /* enum as its member name */
    assert_int_equal(seen(&sn, "L.10"), 1); /* the sandbox holds */
    /* writing to a record is an error: that rule stops, nothing else */
    assert_int_equal(seen(&sn, "L.9"), 0);
    assert_non_null(strstr(arb_session_errmsg(s), "read-only"));
    arb_session_free(s);
    arb_engine_free(e);
}

/* Each failure stops its own rule; the others (L.1 ... L.4, L.10) still run,
 * and the same session keeps working afterwards. */
static void test_failures(void **state) {
    (void)state;
    arb_engine *e = engine(LIB);
    assert_int_equal(arb_compile(e), ARB_OK);
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    for (int round = 0; round < 2; round++) {
        Seen sn = {0};
        const char *j = claim_json(13);
        assert_int_equal(arb_session_check_json(s, j, strlen(j), 0, on_finding, &sn), ARB_OK);
        assert_int_equal(seen(&sn, "L.2"), 1);
        assert_int_equal(seen(&sn, "L.3"), 1);
        assert_int_equal(seen(&sn, "L.4"), 1);
        assert_int_equal(seen(&sn, "L.10"), 1);
        for (int r = 5; r <= 8; r++) {
            char id[8];
            snprintf(id, sizeof id, "L.%d", r);
            assert_int_equal(seen(&sn, id), 0);
        }
        /* the first failure is named in the session's message */
        assert_non_null(strstr(arb_session_errmsg(s), "rule L.5: lua.spin: instruction budget"));
    }
    arb_session_free(s);
    arb_engine_free(e);
}

static void test_messages(void **state) {
    (void)state;
    struct {
        const char *fn, *want;
    } cases[] = {
        {"spin", "instruction budget of 100000 exhausted"},
        {"hog", "memory limit"},
        {"boom", "bad thirteen\nstack traceback:"},
        {"wrong", "lua.wrong returned a float where the rule expects int"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char lib[4096];
        snprintf(lib, sizeof lib,
                 "category L \"Lua\" { code \"X\" }\n"
                 "lua [[\n"
                 "  function spin(n) while true do end end\n"
                 "  function hog(n) local t = {} while true do t[#t+1] = string.rep('x', 65536) .. "
                 "#t end end\n"
                 "  function boom(n) error('bad thirteen') end\n"
                 "  function wrong(n) return 1.5 end\n"
                 "]] { spin(int) bool hog(int) bool boom(int) bool wrong(int) int }\n"
                 "rule L.1 in L for line in claim.lines when lua.%s(line.quantity)%s flag line\n",
                 cases[i].fn, strcmp(cases[i].fn, "wrong") == 0 ? " > 0" : "");
        arb_engine *e = engine(lib);
        assert_int_equal(arb_compile(e), ARB_OK);
        arb_session *s;
        assert_int_equal(arb_session_new(e, &s), ARB_OK);
        Seen sn = {0};
        const char *j = claim_json(1);
        assert_int_equal(arb_session_check_json(s, j, strlen(j), 0, on_finding, &sn), ARB_OK);
        assert_int_equal(sn.n, 0);
        if (!strstr(arb_session_errmsg(s), cases[i].want))
            fail_msg("%s: '%s' lacks '%s'", cases[i].fn, arb_session_errmsg(s), cases[i].want);
        arb_session_free(s);
        arb_engine_free(e);
    }
}

/* A function that fills the state for good (a global keeps it): the call
 * fails, the process does not abort (arguments are pushed in protected
 * mode), and the state is made afresh, so the next rules' calls work. */
static void test_full_state(void **state) {
    (void)state;
    const char *lib =
        "category L \"Lua\" { code \"X\" }\n"
        "lua [[\n"
        "  function fill(n) G = G or {} while true do G[#G+1] = string.rep('y', 4000) .. #G end "
        "end\n"
        "  function after(line, claim) return line.quantity > 0 and #claim.lines > 0 end\n"
        "]] { fill(int) bool  after(line, claim) bool }\n"
        "rule L.1 in L for line in claim.lines when lua.fill(line.quantity) flag line\n"
        "rule L.2 in L for line in claim.lines when lua.after(line, claim) flag line\n"
        "rule L.3 in L for line in claim.lines when line.quantity > 0 flag line\n";
    arb_engine *e = engine(lib);
    assert_int_equal(arb_compile(e), ARB_OK);
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    for (int round = 0; round < 3; round++) {
        Seen sn = {0};
        const char *j = claim_json(2);
        assert_int_equal(arb_session_check_json(s, j, strlen(j), 0, on_finding, &sn), ARB_OK);
        assert_int_equal(seen(&sn, "L.1"), 0);
        assert_int_equal(seen(&sn, "L.2"), 2);
        assert_int_equal(seen(&sn, "L.3"), 2);
        assert_non_null(strstr(arb_session_errmsg(s), "rule L.1: lua.fill: memory limit"));
        if (!strstr(arb_session_errmsg(s), "(last seen running at lua_test.rules:3)"))
            fail_msg("round %d: %s", round, arb_session_errmsg(s));
    }
    arb_session_free(s);
    arb_engine_free(e);
}

/* Hostile Lua (issue: fuzzing and hand tests): a pcall cannot swallow the
 * budget, a costly pattern is refused before it runs, a finalizer is
 * refused (and closing the state cannot hang), math.random gives the same
 * numbers for a claim whatever ran before it. */
static const char *const HOSTILE =
    "category H \"Lua\" { code \"NHSA2025-097\" tier medical }\n"
    "lua [[\n"
    "  function swallow(n) while true do pcall(function() while true do end end) end end\n"
    "  function xswallow(n)\n"
    "    while true do xpcall(function() while true do end end, function(m) return m end) end\n"
    "  end\n"
    "  function backtrack(n)\n"
    "    local s = string.rep('a', 3000)\n"
    "    return s:find('a-a-a-a-a-b') ~= nil\n"
    "  end\n"
    "  function cheap(n) return ('AB12cd'):match('^(%a+)(%d+)') == 'AB' end\n"
    "  function finalizer(n)\n"
    "    setmetatable({}, {__gc = function() while true do end end})\n"
    "    return true\n"
    "  end\n"
    "  function dice(n) return math.random(1, 1000000) end\n"
    "  function caught(n) return pcall(error, 'x') == false end\n"
    "]] {\n"
    "  swallow(int) bool  xswallow(int) bool  backtrack(int) bool  cheap(int) bool\n"
    "  finalizer(int) bool  dice(int) int  caught(int) bool\n"
    "}\n"
    "rule H.1 in H when lua.swallow(1) flag claim amount 0.00\n"
    "rule H.2 in H when lua.xswallow(1) flag claim amount 0.00\n"
    "rule H.3 in H when lua.backtrack(1) flag claim amount 0.00\n"
    "rule H.4 in H when lua.cheap(1) and lua.caught(1) flag claim amount 0.00\n"
    "rule H.5 in H when lua.finalizer(1) flag claim amount 0.00\n"
    "rule H.6 in H when lua.dice(1) > 0 flag claim amount 0.00 message \"{lua.dice(1)}\"\n";

static void test_hostile(void **state) {
    (void)state;
    arb_engine *e = engine(HOSTILE);
    assert_int_equal(arb_compile(e), ARB_OK);
    arb_session *s, *s2;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    assert_int_equal(arb_session_new(e, &s2), ARB_OK);
    Seen a = {0}, b = {0}, c = {0};
    const char *j = claim_json(1);
    assert_int_equal(arb_session_check_json(s, j, strlen(j), 0, on_finding, &a), ARB_OK);
    assert_int_equal(seen(&a, "H.1") + seen(&a, "H.2") + seen(&a, "H.3") + seen(&a, "H.5"), 0);
    assert_int_equal(seen(&a, "H.4"), 1); /* ordinary patterns and pcall still work */
    assert_non_null(strstr(arb_session_errmsg(s), "rule H.1: lua.swallow: instruction budget"));
    /* the same claim again, and in another session (another Lua state): the
     * same random number */
    assert_int_equal(arb_session_check_json(s, j, strlen(j), 0, on_finding, &b), ARB_OK);
    assert_int_equal(arb_session_check_json(s2, j, strlen(j), 0, on_finding, &c), ARB_OK);
    assert_int_equal(seen(&a, "H.6"), 1);
    for (int i = 0; i < a.n; i++)
        if (strcmp(a.rules[i], "H.6") == 0) {
            for (int k = 0; k < b.n; k++)
                if (strcmp(b.rules[k], "H.6") == 0)
                    assert_string_equal(a.messages[i], b.messages[k]);
            for (int k = 0; k < c.n; k++)
                if (strcmp(c.rules[k], "H.6") == 0)
                    assert_string_equal(a.messages[i], c.messages[k]);
        }
    arb_session_free(s); /* closing the states: no finalizer was set, nothing hangs */
    arb_session_free(s2);
    arb_engine_free(e);
}

/* Each limit's message, through a batch's rule-error file would be the
 * same: checked here through the session. */
static void test_hostile_messages(void **state) {
    (void)state;
    static const struct {
        const char *rule, *want;
    } cases[] = {
        {"H.2", "lua.xswallow: instruction budget"},
        {"H.3", "is too costly for a subject of 3000 bytes"},
        {"H.5", "finalizers (__gc) are not allowed"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[4096];
        /* the library with only this rule and H.4 */
        const char *start = strstr(HOSTILE, "rule H.1");
        snprintf(text, sizeof text, "%.*s", (int)(start - HOSTILE), HOSTILE);
        const char *r = strstr(HOSTILE, cases[k].rule);
        const char *end = strchr(r, '\n');
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, "rule %.*s\n", (int)(end - r), r);
        arb_engine *e = engine(text);
        assert_int_equal(arb_compile(e), ARB_OK);
        arb_session *s;
        assert_int_equal(arb_session_new(e, &s), ARB_OK);
        Seen sn = {0};
        const char *j = claim_json(1);
        assert_int_equal(arb_session_check_json(s, j, strlen(j), 0, on_finding, &sn), ARB_OK);
        if (!strstr(arb_session_errmsg(s), cases[k].want))
            fail_msg("%s: '%s', wanted '%s'", cases[k].rule, arb_session_errmsg(s), cases[k].want);
        arb_session_free(s);
        arb_engine_free(e);
    }
}

static void test_load_errors(void **state) {
    (void)state;
    const char *lib = "category L \"Lua\" { code \"X\" }\n"
                      "lua [[\n"
                      "  function f(x) return x +\n"
                      "  end\n"
                      "]] { f(int) int }\n"
                      "lua [[ function g(x) return x end ]] { g(int) int  h(text) bool }\n"
                      "lua [[ error('at load') ]] { k(int) int }\n"
                      "rule L.1 in L when lua.g(1) == 1 and lua.g(\"x\") == 1 and lua.q() flag "
                      "claim\n";
    arb_engine *e = engine(lib);
    assert_int_equal(arb_compile(e), ARB_ERR_RULES);
    char all[8192] = "";
    for (size_t i = 0; i < arb_error_count(e); i++) {
        char buf[1024];
        arb_error_render(e, i, buf, sizeof buf);
        strncat(all, buf, sizeof all - strlen(all) - 1);
    }
    const char *want[] = {
        "lua_test.rules:2:1: error: syntax error in Lua: lua_test.rules:4: unexpected symbol",
        "lua_test.rules:4:3: note: Lua line 4",
        "lua_test.rules:6:52: error: lua_test.rules does not define a function 'h'",
        "lua_test.rules:7:1: error: Lua module failed while loading: lua_test.rules:7: at load",
        "argument 1 of lua.g is code; the declaration says int",
        "no Lua function 'q' is declared",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(all, want[i])) fail_msg("diagnostics lack '%s':\n%s", want[i], all);
    arb_engine_free(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_results), cmocka_unit_test(test_failures),
        cmocka_unit_test(test_messages),           cmocka_unit_test(test_full_state),
        cmocka_unit_test(test_load_errors),        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_hostile_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
