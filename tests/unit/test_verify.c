/* test_verify.c — the bytecode verifier: compiled code passes; code broken
 * in each way a damaged or crafted pack could break it is refused, in code
 * of its own and in code shared by the rules of a shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "compile.h"
#include "json_reader.h"
#include "verify.h"
#include "vm.h"

static const char *const RULES =
    "enum sex { M F }\n"
    "schema line { line_no int key  item_code code required  amount money at_risk }\n"
    "schema claim { claim_id code key  sex sex  lines list of line }\n"
    "category C \"c\" { code \"X\" }\n"
    "rule R.1 in C for line in claim.lines when line.item_code in {\"A%\"} and claim.sex == F\n"
    "  flag line message \"{line.item_code}\"\n"
    "rule R.2 in C for line in claim.lines when line.item_code in {\"B%\"} and claim.sex == M\n"
    "  flag line message \"{line.item_code}!\"\n";

typedef struct Fix {
    SourceList src;
    DiagList diags;
    Program *p;
    int32_t *saved, *saved_ops;
} Fix;

/* Compiles rules into f and keeps a copy of the code and operand vectors
 * (expect_refused puts them back); 0, or -1 when the rules do not compile. */
static int fix_build(Fix *f, const char *rules) {
    memset(f, 0, sizeof *f);
    sources_init(&f->src, mem_default());
    diag_init(&f->diags, mem_default());
    int file = sources_add_text(&f->src, "t.rules", rules, strlen(rules));
    f->p = check_build(mem_default(), &f->src, &file, 1, &f->diags, 0);
    if (!f->p) return -1;
    f->saved = malloc(f->p->ncode * sizeof(int32_t));
    memcpy(f->saved, f->p->code, f->p->ncode * sizeof(int32_t));
    f->saved_ops = malloc((f->p->nops + 1) * sizeof(int32_t));
    memcpy(f->saved_ops, f->p->ops, f->p->nops * sizeof(int32_t));
    return 0;
}

static int setup(void **state) {
    static Fix f;
    *state = &f;
    return fix_build(&f, RULES);
}

static int teardown(void **state) {
    Fix *f = *state;
    free(f->saved);
    free(f->saved_ops);
    program_free(f->p);
    sources_free(&f->src);
    diag_free(&f->diags);
    return 0;
}

/* The position of the first instruction op in rule 0's code. */
static uint32_t find(const Program *p, int op) {
    const Rule *r = &p->rules[0];
    for (uint32_t pc = r->entry; pc < r->code_end; pc += 1 + opcode_nargs[p->code[pc]])
        if (p->code[pc] == op) return pc;
    fail_msg("no instruction %s", opcode_names[op]);
    return 0;
}

/* Where rule `rule`'s operand vector holds operand i of the instruction at
 * pc (one that varies between rules of a shape). */
static int32_t *op_value(Program *p, uint32_t rule, uint32_t pc, int i) {
    assert_true(operand_varies(p->code[pc], i));
    return &p->ops[p->rules[rule].ops + p->code[pc + 1 + i]];
}

static void expect_refused(Fix *f, const char *what) {
    char err[256];
    int rc = verify_program(f->p, err, sizeof err);
    memcpy(f->p->code, f->saved, f->p->ncode * sizeof(int32_t)); /* restore */
    if (f->saved_ops) memcpy(f->p->ops, f->saved_ops, f->p->nops * sizeof(int32_t));
    if (rc == 0) fail_msg("accepted code with %s", what);
    if (!strstr(err, what)) fail_msg("wanted '%s', got '%s'", what, err);
}

static void test_compiled_code_verifies(void **state) {
    Fix *f = *state;
    char err[256];
    assert_int_equal(verify_program(f->p, err, sizeof err), 0);
}

static void test_broken_code_is_refused(void **state) {
    Fix *f = *state;
    Program *p = f->p;
    p->code[find(p, OPC_CONST) + 1] = 999999;
    expect_refused(f, "operand slot outside the operand vector");
    *op_value(p, 0, find(p, OPC_CONST), 0) = 999999;
    expect_refused(f, "constant out of range");
    p->code[find(p, OPC_LFIELD) + 1] = 200;
    expect_refused(f, "local out of range");
    p->code[find(p, OPC_JZK) + 1] = (int32_t)p->ncode + 5;
    expect_refused(f, "jump to no instruction");
    *op_value(p, 0, find(p, OPC_INSET), 0) = 7;
    expect_refused(f, "set out of range");
    *op_value(p, 0, find(p, OPC_FLAG), 1) = 99;
    expect_refused(f, "message out of range");
    p->code[find(p, OPC_FLAG) + 3] = 3; /* more message arguments than the message has */
    expect_refused(f, "message arguments do not match");
    p->code[find(p, OPC_HALT)] = 4242;
    expect_refused(f, "unknown instruction");
    uint32_t pc = find(p, OPC_LFIELD); /* LFIELD a b -> POP, POP, POP: the stack runs under */
    p->code[pc] = OPC_POP, p->code[pc + 1] = OPC_POP, p->code[pc + 2] = OPC_POP;
    expect_refused(f, "the stack runs under");
}

/* Rules of one shape share one copy of their code; each rule's operand
 * vector is still checked, and so are its own locals and stack limit. */
static void test_shared_code(void **state) {
    Fix *f = *state;
    Program *p = f->p;
    assert_int_equal(p->nrules, 2);
    assert_int_equal(p->rules[0].entry, p->rules[1].entry);
    assert_int_equal(p->rules[0].code_end, p->rules[1].code_end);
    assert_true(p->rules[0].ops != p->rules[1].ops);
    *op_value(p, 1, find(p, OPC_CONST), 0) = -1;
    expect_refused(f, "constant out of range");
    *op_value(p, 1, find(p, OPC_INSET), 0) = 7;
    expect_refused(f, "set out of range");
    uint16_t nlocals = p->rules[1].nlocals, maxstack = p->rules[1].maxstack;
    p->rules[1].nlocals = 1;
    expect_refused(f, "local out of range");
    p->rules[1].nlocals = nlocals;
    p->rules[1].maxstack = 1;
    expect_refused(f, "the stack grows past its limit");
    p->rules[1].maxstack = maxstack;
    p->rules[1].nops = p->nops;
    expect_refused(f, "operand vector out of range");
    p->rules[1].nops = p->rules[0].nops;
    char err[256];
    assert_int_equal(verify_program(p, err, sizeof err), 0);
}

/* Code whose values are used as what they are not is refused: the types
 * of locals and stack slots are followed along every path. */
static void test_types(void **state) {
    (void)state;
    static const char *const TRULES =
        "schema line { line_no int key  item_code code required  amount money at_risk }\n"
        "schema claim { claim_id code key  age int  lines list of line }\n"
        "category C \"c\" { code \"X\" }\n"
        "rule T.1 in C for line in claim.lines when line.item_code == \"A1\" and claim.age >= 6\n"
        "  flag line message \"{line.item_code} {claim.age}\"\n"
        "rule T.2 in C for line in claim.lines when line.item_code == \"A2\" and claim.age >= 9\n"
        "  flag line message \"{line.item_code} {claim.age}\"\n"
        "rule T.3 in C for line in claim.lines when line.item_code == \"A3\"\n"
        "  flag line message \"{claim.age} {line.item_code}\"\n";
    Fix f;
    assert_int_equal(fix_build(&f, TRULES), 0);
    Program *p = f.p;
    assert_int_equal(p->rules[0].entry, p->rules[1].entry); /* one shape */
    char err[256];
    assert_int_equal(verify_program(p, err, sizeof err), 0);
    /* T.2's string constant and number constant swapped: its operands no
     * longer hold what T.1's did, so its code is verified again, in full */
    uint32_t s_pc = find(p, OPC_CONST), n_pc = s_pc + 2;
    while (p->code[n_pc] != OPC_CONST) n_pc += 1 + opcode_nargs[p->code[n_pc]];
    int32_t *str = op_value(p, 1, s_pc, 0), *num = op_value(p, 1, n_pc, 0);
    int32_t t = *str;
    *str = *num, *num = t;
    expect_refused(&f, "expects a string");
    /* T.2 given T.3's message, whose values come in the other order */
    uint32_t flag = find(p, OPC_FLAG), flag3 = p->rules[2].entry;
    while (p->code[flag3] != OPC_FLAG) flag3 += 1 + opcode_nargs[p->code[flag3]];
    int32_t *msg2 = op_value(p, 1, flag, 1);
    *msg2 = p->ops[p->rules[2].ops + p->code[flag3 + 2]];
    assert_true(*msg2 != f.saved_ops[msg2 - p->ops]);
    expect_refused(&f, "message value of another type than its message takes");
    *op_value(p, 1, flag, 1) = -1; /* no message, yet values */
    expect_refused(&f, "arguments without a message");
    /* a field past the record's end */
    p->code[find(p, OPC_LFIELD) + 2] = 99;
    expect_refused(&f, "field out of range");
    /* the loop's index local replaced by the list's */
    uint32_t next = find(p, OPC_NEXT);
    p->code[next + 2] = p->code[next + 1];
    expect_refused(&f, "the index of a list loop was changed");
    /* the line local read as a number */
    uint32_t ge = find(p, OPC_GE);
    assert_int_equal(p->code[ge - 5], OPC_LFIELD); /* claim.age */
    p->code[ge - 4] = p->code[next + 3];           /* line.<field of claim.age> */
    p->code[ge - 3] = 0;                           /* line.line_no: still a number */
    assert_int_equal(verify_program(p, err, sizeof err), 0);
    p->code[ge - 3] = 1; /* line.item_code: a string where GE wants a number */
    expect_refused(&f, "expects a number");
    /* code that could run for ever: a jump back to anything but the next
     * step of a loop it is in, or a loop that exits backwards */
    uint32_t jmp = find(p, OPC_JMP);
    assert_int_equal(p->code[jmp + 1], (int32_t)next); /* the loop's back edge */
    p->code[jmp + 1] = (int32_t)p->rules[0].entry;
    expect_refused(&f, "jumps back to something other than the next step of a loop it is in");
    p->code[next + 4] = (int32_t)p->rules[0].entry;
    expect_refused(&f, "a loop exits to no place after it");
    assert_int_equal(verify_program(p, err, sizeof err), 0);
    void *st = &f;
    teardown(&st);
}

/* history() and starts_with(): their instructions verify, and STARTS takes
 * two values (one pushed too few runs the stack under). */
static void test_history_and_starts(void **state) {
    (void)state;
    static const char *const HRULES =
        "schema line { line_no int key  item_code code required }\n"
        "schema claim { claim_id code key  person_id code  settle datetime as_of\n"
        "  lines list of line }\n"
        "category C \"c\" { code \"X\" }\n"
        "rule H.1 in C when count(p in history(30d), x in p.lines where starts_with(x.item_code, "
        "\"XA\")) > 1 flag claim\n";
    Fix f;
    assert_int_equal(fix_build(&f, HRULES), 0);
    char err[256];
    assert_int_equal(verify_program(f.p, err, sizeof err), 0);
    find(f.p, OPC_HISTORY);
    uint32_t at = find(f.p, OPC_STARTS);
    assert_int_equal(f.p->code[at - 2], OPC_CONST); /* the prefix "XA" */
    f.p->code[at - 2] = OPC_NEG;
    f.p->code[at - 1] = OPC_NEG;
    expect_refused(&f, "the stack runs under");
    /* evidence: EVRESET, EVIDENCE of the history binder (a claim); of the
     * line binder (not a claim) or a local past the frame, refused */
    find(f.p, OPC_EVRESET);
    uint32_t ev = find(f.p, OPC_EVIDENCE), next = ev;
    for (uint32_t pc = f.p->rules[0].entry; pc < ev; pc += 1 + opcode_nargs[f.p->code[pc]])
        if (f.p->code[pc] == OPC_NEXT) next = pc; /* the innermost loop: x in p.lines */
    assert_true(next != ev);
    f.p->code[ev + 1] = f.p->code[next + 3];
    expect_refused(&f, "notes something other than a claim");
    f.p->code[ev + 1] = 9999;
    expect_refused(&f, "local out of range");
    void *st = &f;
    teardown(&st);
}

/* x matches r.column: MATCHESR verifies and takes two values. */
static void test_regex_column(void **state) {
    (void)state;
    static const char *const RRULES =
        "schema line { line_no int key  item_code code required }\n"
        "schema claim { claim_id code key  lines list of line }\n"
        "category C \"c\" { code \"X\" }\n"
        "table t from \"" ARB_TEST_DATA "/tables/indication.csv\" {\n"
        "  code code key  pattern regex }\n"
        "rule R.1 in C for line in claim.lines match r in t on line.item_code\n"
        "  when line.item_code matches r.pattern flag line\n";
    Fix f;
    assert_int_equal(fix_build(&f, RRULES), 0);
    char err[256];
    assert_int_equal(verify_program(f.p, err, sizeof err), 0);
    uint32_t at = find(f.p, OPC_MATCHESR);
    assert_int_equal(f.p->code[at - 3], OPC_LFIELD); /* r.pattern */
    f.p->code[at - 3] = f.p->code[at - 2] = f.p->code[at - 1] = OPC_NEG;
    expect_refused(&f, "the stack runs under");
    /* the matched row a finding notes must be that local's table row */
    const Rule *r = &f.p->rules[0];
    assert_true(r->row_slot > 0);
    assert_int_equal(r->row_key_col, 0);
    int32_t slot = r->row_slot;
    f.p->rules[0].row_slot = 0; /* the claim */
    expect_refused(&f, "the matched row of a finding is no keyed table's row");
    f.p->rules[0].row_slot = slot;
    f.p->rules[0].row_key_col = 1; /* the pattern column */
    expect_refused(&f, "the matched row of a finding is no keyed table's row");
    f.p->rules[0].row_key_col = 0;
    f.p->rules[0].row_slot = 500;
    expect_refused(&f, "matched row slot out of range");
    f.p->rules[0].row_slot = slot;
    assert_int_equal(verify_program(f.p, err, sizeof err), 0);
    void *st = &f;
    teardown(&st);
}

/* Code and operand vectors changed at random, a few words at a time: what
 * the verifier accepts must run on real claims without a fault (the suite
 * also runs under AddressSanitizer) and come to an end.  Most changes are
 * refused; enough are accepted that running them means something. */
static void test_mutations_never_crash(void **state) {
    (void)state;
    static const char *const MRULES =
        "enum sex { M F }\n"
        "schema line { line_no int key  item_code code required  amount money at_risk  qty int\n"
        "  time datetime  big bool = amount > 100.00 }\n"
        "schema claim { claim_id code key  person_id code  sex sex  settle datetime as_of\n"
        "  total money at_risk  lines list of line\n"
        "  n int = count(x in lines where x.qty > 1) }\n"
        "category C \"c\" { code \"X\" }\n"
        "table drug_sex from \"" ARB_TEST_DATA "/docs/drug_sex.csv\" { code code key  name text "
        "sex sex }\n"
        "rule M.1 in C for line in claim.lines match r in drug_sex on line.item_code\n"
        "  when claim.sex != r.sex flag line message \"{r.name} {line.qty} {claim.sex}\"\n"
        "rule M.2 in C when sum(x.amount for x in claim.lines where starts_with(x.item_code, "
        "\"XG\"))\n"
        "  > 10.00 and claim.n >= 1 flag claim amount claim.total message \"{claim.n}\"\n"
        "rule M.3 in C for line in claim.lines when line.big and line.item_code in {\"XG%\"}\n"
        "  and exists(p in history(30d), y in p.lines where y.item_code == line.item_code)\n"
        "  flag line\n";
    static const char *const CLAIMS[] = {
        "{\"claim_id\":\"c1\",\"person_id\":\"p\",\"sex\":\"M\",\"settle\":"
        "\"2025-03-01T10:00:00\",\"total\":300.00,\"lines\":[{\"line_no\":1,\"item_code\":"
        "\"XG03DAH0001010101234\",\"amount\":120.00,\"qty\":2,\"time\":\"2025-03-01T09:00:00\"},"
        "{\"line_no\":2,\"item_code\":\"XG03BAB0001010100001\",\"amount\":5.00,\"qty\":1}]}",
        "{\"claim_id\":\"c2\",\"sex\":\"F\",\"lines\":[]}",
        "{\"claim_id\":\"c3\",\"lines\":[{\"line_no\":1,\"item_code\":\"A\"}]}",
    };
    SourceList src;
    DiagList diags;
    sources_init(&src, mem_default());
    diag_init(&diags, mem_default());
    int file = sources_add_text(&src, "m.rules", MRULES, strlen(MRULES));
    Program *p = check_build(mem_default(), &src, &file, 1, &diags, 0);
    for (size_t i = 0; i < diags.n; i++) fprintf(stderr, "diag: %s\n", diags.items[i].msg);
    assert_non_null(p);
    JsonReader *jr = jsonr_new(p->claim, mem_default());
    Arena ar, run;
    arena_init(&ar, mem_default(), 1 << 14);
    arena_init(&run, mem_default(), 1 << 14);
    const Value *claims[3];
    for (int i = 0; i < 3; i++) {
        char msg[128];
        size_t off;
        assert_int_equal(
            jsonr_parse(jr, CLAIMS[i], strlen(CLAIMS[i]), &ar, &claims[i], msg, sizeof msg, &off),
            0);
    }
    int32_t *code = malloc(p->ncode * sizeof(int32_t)), *ops = malloc(p->nops * sizeof(int32_t));
    memcpy(code, p->code, p->ncode * sizeof(int32_t));
    memcpy(ops, p->ops, p->nops * sizeof(int32_t));
    VM vm;
    assert_int_equal(vm_init(&vm, p, mem_default()), 0);
    static const int32_t interesting[] = {-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 31, 99, 100000};
    uint64_t rng = 88172645463325252ull;
    int accepted = 0, refused = 0;
    char err[256];
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(p->code, code, p->ncode * sizeof(int32_t));
        memcpy(p->ops, ops, p->nops * sizeof(int32_t));
        int n = 1 + (int)(rng % 3);
        for (int k = 0; k < n; k++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            uint32_t r = (uint32_t)(rng >> 32);
            int32_t v = interesting[r % 16];
            if (r & 0x10000 && p->nops)
                p->ops[(r >> 17) % p->nops] = v;
            else if (r & 0x20000)
                p->code[(r >> 17) % p->ncode] = (int32_t)((r >> 5) % OPC__COUNT); /* an opcode */
            else
                p->code[(r >> 17) % p->ncode] = v;
        }
        if (verify_program(p, err, sizeof err) != 0) {
            refused++;
            continue;
        }
        accepted++;
        for (int i = 0; i < 3; i++) {
            vm_clear(&vm);
            /* each claim gets a copy: derived fields are written into it */
            Value *c = arena_alloc(&run, p->claim->nfields * sizeof(Value));
            memcpy(c, claims[i], p->claim->nfields * sizeof(Value));
            vm_check_claim(&vm, c, PHASE_ALL, &run);
        }
        arena_reset(&run);
    }
    fprintf(stderr, "mutations: %d accepted and run, %d refused\n", accepted, refused);
    assert_true(accepted > 200);
    assert_true(refused > accepted);
    memcpy(p->code, code, p->ncode * sizeof(int32_t));
    memcpy(p->ops, ops, p->nops * sizeof(int32_t));
    vm_free(&vm);
    free(code);
    free(ops);
    arena_free(&ar);
    arena_free(&run);
    jsonr_free(jr);
    program_free(p);
    sources_free(&src);
    diag_free(&diags);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compiled_code_verifies),
        cmocka_unit_test(test_broken_code_is_refused),
        cmocka_unit_test(test_shared_code),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_mutations_never_crash),
        cmocka_unit_test(test_history_and_starts),
        cmocka_unit_test(test_regex_column),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
