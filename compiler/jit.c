/* jit.c — native matchers: bytecode shapes compiled to machine code with
 * LLVM 19 (LLVM-C API, ORC LLJIT).
 *
 * Rules equal up to their constants share a shape; each shape becomes one
 * function `int shape(NativeCtx *ctx, const int32_t *ops, Value *locals)`
 * translated instruction by instruction from the shape's bytecode.  Operands
 * that differ between rules of the shape (constant, set, table and message
 * numbers) are slots in the running rule's operand vector `ops`, loaded from
 * it at run time, so the function serves all of them.  The value stack becomes an
 * array on the function's stack with indexes known at compile time (LLVM
 * promotes it to registers); locals stay in the VM's frame, which the runtime
 * helpers also write.  Set and table lookups, patterns and findings call the
 * helpers in ctx->h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "arbiter_jit.h"
#include "engine.h"
#include "native.h"
#include "verify.h"

/* Helper slots in NativeHelpers, in declaration order. */
enum {
    H_SET_HAS,
    H_TABLE_HAS,
    H_INTSET_HAS,
    H_MATCHES,
    H_STR_CMP,
    H_AGE,
    H_YEAR,
    H_MONTH,
    H_LEN,
    H_MATCH_START,
    H_NEXT_ROW,
    H_FLAG,
    H_HISTORY,
    H_STARTS_WITH,
    H_LUA_CALL,
    H_MATCHES_REGEX,
    H_EVIDENCE,
    H_OVERFLOW,
    H_SELECT,
    H_SELECT_DAY,
    H_SELECT_IN,
    H__COUNT
};

typedef struct Gen {
    LLVMContextRef cx;
    LLVMModuleRef m;
    LLVMBuilderRef b;
    LLVMTypeRef i1, i32, i64, ptr, fn_type;
    LLVMTypeRef h_types[H__COUNT]; /* function types of the helpers */
    const Program *p;
    /* the function being built */
    LLVMValueRef fn, ctx, ops, locals, stack, helpers, consts;
    uint32_t from, to;
    int *depth;            /* stack depth before each instruction, -1 unreached */
    LLVMBasicBlockRef *bb; /* block of each instruction start */
} Gen;

static LLVMValueRef c64(Gen *g, int64_t v) {
    return LLVMConstInt(g->i64, (unsigned long long)v, 1);
}

static LLVMValueRef c32(Gen *g, int32_t v) {
    return LLVMConstInt(g->i32, (unsigned long long)(uint32_t)v, 0);
}

static LLVMValueRef slot_ptr(Gen *g, LLVMValueRef base, int32_t i) {
    LLVMValueRef idx = c64(g, i);
    return LLVMBuildGEP2(g->b, g->i64, base, &idx, 1, "");
}

static LLVMValueRef ld(Gen *g, LLVMValueRef base, int32_t i) {
    return LLVMBuildLoad2(g->b, g->i64, slot_ptr(g, base, i), "");
}

static void st(Gen *g, LLVMValueRef base, int32_t i, LLVMValueRef v) {
    LLVMBuildStore(g->b, v, slot_ptr(g, base, i));
}

/* An operand that varies within the shape: read from the rule's operand
 * vector, at the slot the code names. */
static LLVMValueRef operand(Gen *g, uint32_t pc, int i) {
    LLVMValueRef idx = c64(g, g->p->code[pc + 1 + i]);
    LLVMValueRef p = LLVMBuildGEP2(g->b, g->i32, g->ops, &idx, 1, "");
    return LLVMBuildLoad2(g->b, g->i32, p, "");
}

static LLVMValueRef as_ptr(Gen *g, LLVMValueRef v) {
    return LLVMBuildIntToPtr(g->b, v, g->ptr, "");
}

static LLVMValueRef as_i64(Gen *g, LLVMValueRef v) {
    return LLVMBuildZExt(g->b, v, g->i64, "");
}

static LLVMValueRef call_helper(Gen *g, int h, LLVMValueRef *args, unsigned n) {
    LLVMValueRef idx = c64(g, h);
    LLVMValueRef slot = LLVMBuildGEP2(g->b, g->ptr, g->helpers, &idx, 1, "");
    LLVMValueRef f = LLVMBuildLoad2(g->b, g->ptr, slot, "");
    return LLVMBuildCall2(g->b, g->h_types[h], f, args, n, "");
}

static LLVMValueRef is_null(Gen *g, LLVMValueRef v) {
    return LLVMBuildICmp(g->b, LLVMIntEQ, v, c64(g, INT64_MIN), "");
}

/* x op y with null giving null (op: sadd/ssub/smul); a result past int64
 * (or equal to the null value) gives null and tells the runtime (the
 * overflow helper): the rule fails, as in the interpreter. */
static LLVMValueRef arith(Gen *g, const char *intrinsic, LLVMValueRef x, LLVMValueRef y) {
    LLVMTypeRef ty = g->i64;
    unsigned id = LLVMLookupIntrinsicID(intrinsic, strlen(intrinsic));
    LLVMValueRef f = LLVMGetIntrinsicDeclaration(g->m, id, &ty, 1);
    LLVMTypeRef ft = LLVMIntrinsicGetType(g->cx, id, &ty, 1);
    LLVMValueRef args[2] = {x, y};
    LLVMValueRef r = LLVMBuildCall2(g->b, ft, f, args, 2, "");
    LLVMValueRef val = LLVMBuildExtractValue(g->b, r, 0, "");
    LLVMValueRef ovf =
        LLVMBuildOr(g->b, LLVMBuildExtractValue(g->b, r, 1, ""), is_null(g, val), "");
    LLVMValueRef nul = LLVMBuildOr(g->b, is_null(g, x), is_null(g, y), "");
    LLVMValueRef past = LLVMBuildAnd(g->b, ovf, LLVMBuildNot(g->b, nul, ""), "");
    LLVMBasicBlockRef tell = LLVMAppendBasicBlockInContext(g->cx, g->fn, "overflow");
    LLVMBasicBlockRef go_on = LLVMAppendBasicBlockInContext(g->cx, g->fn, "arith");
    LLVMBuildCondBr(g->b, past, tell, go_on);
    LLVMPositionBuilderAtEnd(g->b, tell);
    LLVMValueRef hargs[1] = {g->ctx};
    call_helper(g, H_OVERFLOW, hargs, 1);
    LLVMBuildBr(g->b, go_on);
    LLVMPositionBuilderAtEnd(g->b, go_on);
    LLVMValueRef bad = LLVMBuildOr(g->b, nul, ovf, "");
    return LLVMBuildSelect(g->b, bad, c64(g, INT64_MIN), val, "");
}

/* Floor division of x by the constant k (k != 0), null stays null. */
static LLVMValueRef floor_div(Gen *g, LLVMValueRef x, int32_t k) {
    LLVMValueRef nul = is_null(g, x);
    LLVMValueRef xs = LLVMBuildSelect(g->b, nul, c64(g, 0), x, "");
    LLVMValueRef q = LLVMBuildSDiv(g->b, xs, c64(g, k), "");
    LLVMValueRef r = LLVMBuildSRem(g->b, xs, c64(g, k), "");
    LLVMValueRef rnz = LLVMBuildICmp(g->b, LLVMIntNE, r, c64(g, 0), "");
    LLVMValueRef xneg = LLVMBuildICmp(g->b, LLVMIntSLT, xs, c64(g, 0), "");
    LLVMValueRef adj = LLVMBuildAnd(g->b, rnz, k < 0 ? LLVMBuildNot(g->b, xneg, "") : xneg, "");
    LLVMValueRef qf = LLVMBuildSub(g->b, q, as_i64(g, adj), "");
    return LLVMBuildSelect(g->b, nul, c64(g, INT64_MIN), qf, "");
}

/* Translates one instruction at pc; the builder is at its block. */
static void gen_insn(Gen *g, uint32_t pc, int maxdepth) {
    const int32_t *a = g->p->code + pc + 1;
    int op = g->p->code[pc];
    int sp = g->depth[pc - g->from];
    uint32_t next = pc + 1 + opcode_nargs[op];
    LLVMBasicBlockRef nb = next < g->to ? g->bb[next - g->from] : NULL;
    LLVMValueRef S = g->stack, L = g->locals, x, y, r;
    (void)maxdepth;
#define POP() ld(g, S, --sp)
#define PUSH(v) st(g, S, sp++, (v))
#define TARGET(t) g->bb[(uint32_t)(t)-g->from]
    switch ((Opcode)op) {
    case OPC_HALT: LLVMBuildRet(g->b, c32(g, 0)); return;
    case OPC_CONST: {
        LLVMValueRef k = LLVMBuildSExt(g->b, operand(g, pc, 0), g->i64, "");
        LLVMValueRef p = LLVMBuildGEP2(g->b, g->i64, g->consts, &k, 1, "");
        PUSH(LLVMBuildLoad2(g->b, g->i64, p, ""));
        break;
    }
    case OPC_LOAD: PUSH(ld(g, L, a[0])); break;
    case OPC_STORE: st(g, L, a[0], POP()); break;
    case OPC_POP: sp--; break;
    case OPC_FIELD: x = POP(), PUSH(ld(g, as_ptr(g, x), a[0])); break;
    case OPC_LFIELD: PUSH(ld(g, as_ptr(g, ld(g, L, a[0])), a[1])); break;
    case OPC_STFIELD: x = POP(), st(g, as_ptr(g, ld(g, L, a[0])), a[1], x); break;
    case OPC_ADD: y = POP(), x = POP(), PUSH(arith(g, "llvm.sadd.with.overflow", x, y)); break;
    case OPC_SUB: y = POP(), x = POP(), PUSH(arith(g, "llvm.ssub.with.overflow", x, y)); break;
    case OPC_MUL: y = POP(), x = POP(), PUSH(arith(g, "llvm.smul.with.overflow", x, y)); break;
    case OPC_DIV: {
        y = POP(), x = POP();
        LLVMValueRef bad = LLVMBuildOr(g->b, LLVMBuildOr(g->b, is_null(g, x), is_null(g, y), ""),
                                       LLVMBuildICmp(g->b, LLVMIntEQ, y, c64(g, 0), ""), "");
        LLVMValueRef ys = LLVMBuildSelect(g->b, bad, c64(g, 1), y, "");
        LLVMValueRef xs = LLVMBuildSelect(g->b, bad, c64(g, 0), x, "");
        PUSH(LLVMBuildSelect(g->b, bad, c64(g, INT64_MIN), LLVMBuildSDiv(g->b, xs, ys, ""), ""));
        break;
    }
    case OPC_NEG:
        x = POP();
        PUSH(LLVMBuildSelect(g->b, is_null(g, x), x, LLVMBuildNeg(g->b, x, ""), ""));
        break;
    case OPC_MULK: x = POP(), PUSH(arith(g, "llvm.smul.with.overflow", x, c64(g, a[0]))); break;
    case OPC_DIVK: x = POP(), PUSH(floor_div(g, x, a[0])); break;
    case OPC_EQ:
    case OPC_NE:
    case OPC_LT:
    case OPC_LE:
    case OPC_GT:
    case OPC_GE: {
        static const LLVMIntPredicate pr[] = {LLVMIntEQ,  LLVMIntNE,  LLVMIntSLT,
                                              LLVMIntSLE, LLVMIntSGT, LLVMIntSGE};
        y = POP(), x = POP();
        LLVMValueRef ok =
            LLVMBuildNot(g->b, LLVMBuildOr(g->b, is_null(g, x), is_null(g, y), ""), "");
        PUSH(as_i64(g, LLVMBuildAnd(g->b, ok, LLVMBuildICmp(g->b, pr[op - OPC_EQ], x, y, ""), "")));
        break;
    }
    case OPC_SEQ:
    case OPC_SNE:
    case OPC_SLT:
    case OPC_SLE:
    case OPC_SGT:
    case OPC_SGE: {
        static const LLVMIntPredicate pr[] = {LLVMIntEQ,  LLVMIntNE,  LLVMIntSLT,
                                              LLVMIntSLE, LLVMIntSGT, LLVMIntSGE};
        y = POP(), x = POP();
        LLVMValueRef args[2] = {as_ptr(g, x), as_ptr(g, y)};
        LLVMValueRef cmp = call_helper(g, H_STR_CMP, args, 2);
        LLVMValueRef ok = LLVMBuildAnd(g->b, LLVMBuildICmp(g->b, LLVMIntNE, x, c64(g, 0), ""),
                                       LLVMBuildICmp(g->b, LLVMIntNE, y, c64(g, 0), ""), "");
        PUSH(
            as_i64(g, LLVMBuildAnd(g->b, ok,
                                   LLVMBuildICmp(g->b, pr[op - OPC_SEQ], cmp, c64(g, 0), ""), "")));
        break;
    }
    case OPC_NOT:
        x = POP(), PUSH(as_i64(g, LLVMBuildICmp(g->b, LLVMIntSLE, x, c64(g, 0), "")));
        break;
    case OPC_JMP: LLVMBuildBr(g->b, TARGET(a[0])); return;
    case OPC_JZ:
    case OPC_JNZ:
        x = POP();
        r = LLVMBuildICmp(g->b, LLVMIntSGT, x, c64(g, 0), "");
        if (op == OPC_JZ)
            LLVMBuildCondBr(g->b, r, nb, TARGET(a[0]));
        else
            LLVMBuildCondBr(g->b, r, TARGET(a[0]), nb);
        return;
    case OPC_JZK: {
        x = ld(g, S, sp - 1);
        r = LLVMBuildICmp(g->b, LLVMIntSGT, x, c64(g, 0), "");
        LLVMBasicBlockRef f = LLVMAppendBasicBlockInContext(g->cx, g->fn, "jzk");
        LLVMBuildCondBr(g->b, r, nb, f);
        LLVMPositionBuilderAtEnd(g->b, f);
        st(g, S, sp - 1, c64(g, 0)); /* false, whether it was 0 or missing */
        LLVMBuildBr(g->b, TARGET(a[0]));
        return;
    }
    case OPC_JNZK:
        x = ld(g, S, sp - 1);
        r = LLVMBuildICmp(g->b, LLVMIntSGT, x, c64(g, 0), "");
        LLVMBuildCondBr(g->b, r, TARGET(a[0]), nb);
        return;
    case OPC_ISNULL: x = POP(), PUSH(as_i64(g, is_null(g, x))); break;
    case OPC_SISNULL:
        x = POP(), PUSH(as_i64(g, LLVMBuildICmp(g->b, LLVMIntEQ, x, c64(g, 0), "")));
        break;
    case OPC_COAL:
        y = POP(), x = POP(), PUSH(LLVMBuildSelect(g->b, is_null(g, x), y, x, ""));
        break;
    case OPC_SCOAL:
        y = POP(), x = POP();
        PUSH(LLVMBuildSelect(g->b, LLVMBuildICmp(g->b, LLVMIntEQ, x, c64(g, 0), ""), y, x, ""));
        break;
    case OPC_INSET:
    case OPC_INTABLE:
    case OPC_MATCHES: {
        x = POP();
        LLVMValueRef args[3] = {g->ctx, operand(g, pc, 0), as_ptr(g, x)};
        PUSH(call_helper(g,
                         op == OPC_INSET     ? H_SET_HAS
                         : op == OPC_INTABLE ? H_TABLE_HAS
                                             : H_MATCHES,
                         args, 3));
        break;
    }
    case OPC_ININT: {
        x = POP();
        LLVMValueRef args[3] = {g->ctx, operand(g, pc, 0), x};
        PUSH(call_helper(g, H_INTSET_HAS, args, 3));
        break;
    }
    case OPC_AGE: {
        y = POP(), x = POP();
        LLVMValueRef args[2] = {x, y};
        LLVMValueRef bad = LLVMBuildOr(g->b, is_null(g, x), is_null(g, y), "");
        /* the helper is safe on any input; the select keeps null semantics */
        PUSH(LLVMBuildSelect(g->b, bad, c64(g, INT64_MIN), call_helper(g, H_AGE, args, 2), ""));
        break;
    }
    case OPC_YEAR:
    case OPC_MONTH: {
        x = POP();
        LLVMValueRef args[1] = {x};
        PUSH(LLVMBuildSelect(g->b, is_null(g, x), x,
                             call_helper(g, op == OPC_YEAR ? H_YEAR : H_MONTH, args, 1), ""));
        break;
    }
    case OPC_ABS: {
        x = POP();
        LLVMValueRef neg = LLVMBuildAnd(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, x, c64(g, 0), ""),
                                        LLVMBuildNot(g->b, is_null(g, x), ""), "");
        PUSH(LLVMBuildSelect(g->b, neg, LLVMBuildNeg(g->b, x, ""), x, ""));
        break;
    }
    case OPC_LEN: {
        x = POP();
        LLVMValueRef args[1] = {as_ptr(g, x)};
        PUSH(call_helper(g, H_LEN, args, 1));
        break;
    }
    case OPC_LOOP:
        st(g, L, a[0], POP());
        st(g, L, a[1], c64(g, -1));
        break;
    case OPC_NEXT: {
        /* if (!list || ++idx >= list->n) goto end; var = item(idx) */
        LLVMValueRef l = ld(g, L, a[0]);
        LLVMValueRef i = LLVMBuildAdd(g->b, ld(g, L, a[1]), c64(g, 1), "");
        st(g, L, a[1], i);
        LLVMBasicBlockRef has = LLVMAppendBasicBlockInContext(g->cx, g->fn, "list");
        LLVMBasicBlockRef item = LLVMAppendBasicBlockInContext(g->cx, g->fn, "item");
        LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntEQ, l, c64(g, 0), ""), TARGET(a[3]), has);
        LLVMPositionBuilderAtEnd(g->b, has);
        LLVMValueRef lp = as_ptr(g, l);
        LLVMValueRef n = LLVMBuildZExt(g->b, LLVMBuildLoad2(g->b, g->i32, lp, ""), g->i64, "");
        LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSGE, i, n, ""), TARGET(a[3]), item);
        LLVMPositionBuilderAtEnd(g->b, item);
        LLVMValueRef one = c64(g, 1);
        LLVMValueRef wp = LLVMBuildGEP2(g->b, g->i32, lp, &one, 1, "");
        LLVMValueRef w = LLVMBuildZExt(g->b, LLVMBuildLoad2(g->b, g->i32, wp, ""), g->i64, "");
        LLVMValueRef itp = LLVMBuildGEP2(g->b, g->i64, lp, &one, 1, ""); /* items at byte 8 */
        LLVMValueRef items = LLVMBuildLoad2(g->b, g->ptr, itp, "");
        LLVMValueRef off = LLVMBuildMul(g->b, i, w, "");
        LLVMValueRef rec = LLVMBuildGEP2(g->b, g->i64, items, &off, 1, "");
        st(g, L, a[2], LLVMBuildPtrToInt(g->b, rec, g->i64, ""));
        LLVMBuildBr(g->b, nb);
        return;
    }
    case OPC_MATCH: {
        x = POP();
        LLVMValueRef args[2] = {slot_ptr(g, L, a[0]), as_ptr(g, x)};
        call_helper(g, H_MATCH_START, args, 2);
        break;
    }
    case OPC_NEXTROW: {
        LLVMValueRef args[4] = {g->ctx, operand(g, pc, 0), slot_ptr(g, L, a[1]),
                                slot_ptr(g, L, a[2])};
        r = call_helper(g, H_NEXT_ROW, args, 4);
        LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntNE, r, c64(g, 0), ""), nb, TARGET(a[3]));
        return;
    }
    case OPC_ACCADD: {
        x = POP();
        LLVMValueRef acc = ld(g, L, a[0]);
        LLVMValueRef sum = arith(g, "llvm.sadd.with.overflow", acc, x);
        st(g, L, a[0], LLVMBuildSelect(g->b, is_null(g, x), acc, sum, ""));
        break;
    }
    case OPC_ACCMIN:
    case OPC_ACCMAX: {
        x = POP();
        LLVMValueRef acc = ld(g, L, a[0]);
        LLVMValueRef better =
            LLVMBuildICmp(g->b, op == OPC_ACCMIN ? LLVMIntSLT : LLVMIntSGT, x, acc, "");
        LLVMValueRef take = LLVMBuildAnd(g->b, LLVMBuildNot(g->b, is_null(g, x), ""),
                                         LLVMBuildOr(g->b, is_null(g, acc), better, ""), "");
        st(g, L, a[0], LLVMBuildSelect(g->b, take, x, acc, ""));
        break;
    }
    case OPC_FLAG: {
        int nargs = a[2];
        sp -= nargs + 1;
        LLVMValueRef target = a[0] < 0 ? LLVMConstNull(g->ptr) : as_ptr(g, ld(g, L, a[0]));
        LLVMValueRef args[5] = {g->ctx, target, operand(g, pc, 1), c32(g, nargs),
                                slot_ptr(g, S, sp)};
        r = call_helper(g, H_FLAG, args, 5);
        LLVMBasicBlockRef fail = LLVMAppendBasicBlockInContext(g->cx, g->fn, "oom");
        LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntNE, r, c64(g, 0), ""), fail, nb);
        LLVMPositionBuilderAtEnd(g->b, fail);
        LLVMBuildRet(g->b, c32(g, -1));
        return;
    }
    case OPC_STARTS: {
        y = POP(), x = POP();
        LLVMValueRef args[2] = {as_ptr(g, x), as_ptr(g, y)};
        PUSH(call_helper(g, H_STARTS_WITH, args, 2));
        break;
    }
    case OPC_SELECT: {
        y = POP(), x = POP();
        LLVMValueRef args[4] = {g->ctx, as_ptr(g, x), as_ptr(g, y), c32(g, a[0])};
        PUSH(LLVMBuildPtrToInt(g->b, call_helper(g, H_SELECT, args, 4), g->i64, ""));
        break;
    }
    case OPC_SELIN: {
        y = POP(), x = POP();
        LLVMValueRef args[4] = {g->ctx, as_ptr(g, x), as_ptr(g, y), c32(g, a[0] << 16 | a[1])};
        PUSH(LLVMBuildPtrToInt(g->b, call_helper(g, H_SELECT_IN, args, 4), g->i64, ""));
        break;
    }
    case OPC_SELDAY: {
        y = POP(), x = POP();
        LLVMValueRef args[4] = {g->ctx, as_ptr(g, x), y, c32(g, a[0])};
        PUSH(LLVMBuildPtrToInt(g->b, call_helper(g, H_SELECT_DAY, args, 4), g->i64, ""));
        break;
    }
    case OPC_HISTORY: {
        LLVMValueRef args[2] = {g->ctx, POP()};
        PUSH(LLVMBuildPtrToInt(g->b, call_helper(g, H_HISTORY, args, 2), g->i64, ""));
        break;
    }
    case OPC_LUACALL: {
        /* arguments in S[sp-n..sp); the result replaces the first */
        sp -= a[1];
        LLVMValueRef args[4] = {g->ctx, operand(g, pc, 0), c32(g, a[1]), slot_ptr(g, S, sp)};
        r = call_helper(g, H_LUA_CALL, args, 4);
        sp++;
        LLVMBasicBlockRef fail = LLVMAppendBasicBlockInContext(g->cx, g->fn, "lua_failed");
        LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntNE, r, c64(g, 0), ""), fail, nb);
        LLVMPositionBuilderAtEnd(g->b, fail);
        LLVMBuildRet(g->b, LLVMBuildTrunc(g->b, r, g->i32, ""));
        return;
    }
    case OPC_EVRESET:
    case OPC_EVIDENCE: {
        LLVMValueRef args[2] = {g->ctx, op == OPC_EVRESET ? LLVMConstNull(g->ptr)
                                                          : as_ptr(g, ld(g, L, a[0]))};
        call_helper(g, H_EVIDENCE, args, 2);
        break;
    }
    case OPC_LEAST:
    case OPC_GREATEST: {
        y = POP(), x = POP();
        LLVMValueRef pick = LLVMBuildSelect(
            g->b, LLVMBuildICmp(g->b, op == OPC_LEAST ? LLVMIntSLT : LLVMIntSGT, x, y, ""), x, y,
            "");
        LLVMValueRef nul = LLVMBuildOr(g->b, is_null(g, x), is_null(g, y), "");
        PUSH(LLVMBuildSelect(g->b, nul, c64(g, INT64_MIN), pick, ""));
        break;
    }
    case OPC_MATCHESR: {
        y = POP(), x = POP();
        LLVMValueRef args[3] = {g->ctx, as_ptr(g, x), y};
        PUSH(call_helper(g, H_MATCHES_REGEX, args, 3));
        break;
    }
    default: LLVMBuildRet(g->b, c32(g, -1)); return;
    }
    LLVMBuildBr(g->b, nb);
#undef POP
#undef PUSH
#undef TARGET
}

/* Builds the function for code range [from, to) under `name`. */
static int gen_function(Gen *g, uint32_t from, uint32_t to, const char *name) {
    uint32_t n = to - from;
    g->from = from;
    g->to = to;
    g->depth = malloc((n + 1) * sizeof(int));
    g->bb = calloc(n + 1, sizeof(LLVMBasicBlockRef));
    char why[256];
    /* the verifier's data flow gives the stack depth before each instruction */
    if (!g->depth || !g->bb ||
        verify_code(g->p, from, to, UINT32_MAX, UINT32_MAX, NULL, 0, g->depth, why, sizeof why) !=
            0) {
        free(g->depth);
        free(g->bb);
        return -1;
    }
    int maxdepth = 1;
    for (uint32_t i = 0; i < n; i++)
        if (g->depth[i] > maxdepth) maxdepth = g->depth[i];
    g->fn = LLVMAddFunction(g->m, name, g->fn_type);
    g->ctx = LLVMGetParam(g->fn, 0);
    g->ops = LLVMGetParam(g->fn, 1);
    g->locals = LLVMGetParam(g->fn, 2);
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(g->cx, g->fn, "entry");
    for (uint32_t pc = from; pc < to; pc += 1 + opcode_nargs[g->p->code[pc]])
        if (g->depth[pc - from] >= 0)
            g->bb[pc - from] = LLVMAppendBasicBlockInContext(g->cx, g->fn, "");
    LLVMPositionBuilderAtEnd(g->b, entry);
    g->stack = LLVMBuildArrayAlloca(g->b, g->i64, c64(g, maxdepth + 2), "stack");
    g->helpers = LLVMBuildLoad2(g->b, g->ptr, g->ctx, "helpers");
    LLVMValueRef one = c64(g, 1);
    g->consts =
        LLVMBuildLoad2(g->b, g->ptr, LLVMBuildGEP2(g->b, g->ptr, g->ctx, &one, 1, ""), "consts");
    LLVMBuildBr(g->b, g->bb[0]);
    for (uint32_t pc = from; pc < to; pc += 1 + opcode_nargs[g->p->code[pc]]) {
        if (g->depth[pc - from] < 0) continue; /* unreachable */
        LLVMPositionBuilderAtEnd(g->b, g->bb[pc - from]);
        gen_insn(g, pc, maxdepth);
    }
    free(g->depth);
    free(g->bb);
    return 0;
}

typedef struct Jit {
    LLVMOrcLLJITRef jit;
    NativeCode nc;
} Jit;

static void jit_free(void *p) {
    Jit *j = p;
    if (!j) return;
    if (j->jit) LLVMOrcDisposeLLJIT(j->jit);
    free(j->nc.entry);
    free(j->nc.bound);
    free(j);
}

static int llvm_fail(arb_engine *e, LLVMErrorRef err, const char *what) {
    char *msg = LLVMGetErrorMessage(err);
    engine_fail(e, ARB_ERR_USAGE, "%s: %s", what, msg);
    LLVMDisposeErrorMessage(msg);
    return ARB_ERR_USAGE;
}

/* A target machine for the host at the given optimisation level. */
static LLVMTargetMachineRef host_machine(LLVMCodeGenOptLevel level) {
    char *triple = LLVMGetDefaultTargetTriple();
    char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
    LLVMTargetRef t;
    char *err = NULL;
    LLVMTargetMachineRef tm = NULL;
    if (!LLVMGetTargetFromTriple(triple, &t, &err))
        tm = LLVMCreateTargetMachine(t, triple, cpu, features, level, LLVMRelocPIC,
                                     LLVMCodeModelJITDefault);
    LLVMDisposeMessage(err);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    return tm;
}

void arb_jit_options_init(arb_jit_options *o) {
    memset(o, 0, sizeof *o);
    o->opt_level = 2;
}

const char *arb_jit_version(void) {
    return ARB_VERSION;
}

/* The code ranges to compile — every rule's entry, then its bound entry
 * (empty when the rule is not indexed) — and their shape representatives. */
typedef struct Ranges {
    uint32_t nrules, n;
    uint32_t *from, *to, *rule, *rep;
} Ranges;

static void ranges_free(Ranges *r) {
    free(r->from);
    free(r->to);
    free(r->rule);
    free(r->rep);
    memset(r, 0, sizeof *r);
}

static int ranges_init(Ranges *r, const Program *p, Alloc a) {
    r->nrules = p->nrules;
    r->n = 2 * p->nrules;
    r->from = malloc((r->n + 1) * sizeof(uint32_t));
    r->to = malloc((r->n + 1) * sizeof(uint32_t));
    r->rule = malloc((r->n + 1) * sizeof(uint32_t));
    r->rep = malloc((r->n + 1) * sizeof(uint32_t));
    if (!r->from || !r->to || !r->rule || !r->rep) return -1;
    for (uint32_t i = 0; i < p->nrules; i++) {
        r->from[i] = p->rules[i].entry;
        r->to[i] = p->rules[i].code_end;
        r->from[r->nrules + i] = p->rules[i].index >= 0 ? p->rules[i].bound_entry : 0;
        r->to[r->nrules + i] = p->rules[i].index >= 0 ? p->rules[i].bound_end : 0;
        r->rule[i] = r->rule[r->nrules + i] = i;
    }
    return native_group_shapes(p, r->from, r->to, r->rule, r->n, r->rep, a);
}

static void shape_name(char *buf, size_t cap, uint32_t i) {
    snprintf(buf, cap, "arbiter_shape_%u", i);
}

/* Builds the module with one function per shape; returns the functions
 * compiled, or -1 with the reason in err. */
static int build_module(const Program *p, const Ranges *rg, LLVMContextRef cx, LLVMModuleRef *out,
                        char *err, size_t errcap) {
    Gen g;
    memset(&g, 0, sizeof g);
    g.p = p;
    g.cx = cx;
    g.m = LLVMModuleCreateWithNameInContext("arbiter_rules", g.cx);
    g.b = LLVMCreateBuilderInContext(g.cx);
    g.i1 = LLVMInt1TypeInContext(g.cx);
    g.i32 = LLVMInt32TypeInContext(g.cx);
    g.i64 = LLVMInt64TypeInContext(g.cx);
    g.ptr = LLVMPointerTypeInContext(g.cx, 0);
    LLVMTypeRef params[3] = {g.ptr, g.ptr, g.ptr};
    g.fn_type = LLVMFunctionType(g.i32, params, 3, 0);
    LLVMTypeRef P = g.ptr, I = g.i64, I32 = g.i32;
    LLVMTypeRef s3[3] = {P, I32, P}, i3[3] = {P, I32, I}, pp[2] = {P, P}, ii[2] = {I, I},
                i1[1] = {I}, p1[1] = {P}, nr4[4] = {P, I32, P, P}, f5[5] = {P, P, I32, I32, P};
    g.h_types[H_SET_HAS] = LLVMFunctionType(I, s3, 3, 0);
    g.h_types[H_TABLE_HAS] = LLVMFunctionType(I, s3, 3, 0);
    g.h_types[H_INTSET_HAS] = LLVMFunctionType(I, i3, 3, 0);
    g.h_types[H_MATCHES] = LLVMFunctionType(I, s3, 3, 0);
    g.h_types[H_STR_CMP] = LLVMFunctionType(I, pp, 2, 0);
    g.h_types[H_AGE] = LLVMFunctionType(I, ii, 2, 0);
    g.h_types[H_YEAR] = LLVMFunctionType(I, i1, 1, 0);
    g.h_types[H_MONTH] = LLVMFunctionType(I, i1, 1, 0);
    g.h_types[H_LEN] = LLVMFunctionType(I, p1, 1, 0);
    g.h_types[H_MATCH_START] = LLVMFunctionType(LLVMVoidTypeInContext(g.cx), pp, 2, 0);
    g.h_types[H_NEXT_ROW] = LLVMFunctionType(I, nr4, 4, 0);
    g.h_types[H_FLAG] = LLVMFunctionType(I, f5, 5, 0);
    LLVMTypeRef pi[2] = {P, I};
    g.h_types[H_HISTORY] = LLVMFunctionType(P, pi, 2, 0);
    g.h_types[H_STARTS_WITH] = LLVMFunctionType(I, pp, 2, 0);
    LLVMTypeRef lc4[4] = {P, I32, I32, P};
    g.h_types[H_LUA_CALL] = LLVMFunctionType(I, lc4, 4, 0);
    LLVMTypeRef ppi[3] = {P, P, I};
    g.h_types[H_MATCHES_REGEX] = LLVMFunctionType(I, ppi, 3, 0);
    g.h_types[H_EVIDENCE] = LLVMFunctionType(LLVMVoidTypeInContext(g.cx), pp, 2, 0);
    g.h_types[H_OVERFLOW] = LLVMFunctionType(LLVMVoidTypeInContext(g.cx), pp, 1, 0);
    LLVMTypeRef sel4[4] = {P, P, P, I32};
    g.h_types[H_SELECT] = LLVMFunctionType(P, sel4, 4, 0);
    LLVMTypeRef seld4[4] = {P, P, I, I32};
    g.h_types[H_SELECT_DAY] = LLVMFunctionType(P, seld4, 4, 0);
    g.h_types[H_SELECT_IN] = LLVMFunctionType(P, sel4, 4, 0);
    int failed = 0, shapes = 0;
    for (uint32_t i = 0; i < rg->n && !failed; i++) {
        if (rg->rep[i] != i || rg->from[i] == rg->to[i]) continue;
        char name[40];
        shape_name(name, sizeof name, i);
        failed = gen_function(&g, rg->from[i], rg->to[i], name);
        shapes++;
    }
    LLVMDisposeBuilder(g.b);
    char *verr = NULL;
    if (failed || LLVMVerifyModule(g.m, LLVMReturnStatusAction, &verr)) {
        snprintf(err, errcap, "invalid code generated%s%.300s", verr ? ": " : "", verr ? verr : "");
        LLVMDisposeMessage(verr);
        LLVMDisposeModule(g.m);
        return -1;
    }
    LLVMDisposeMessage(verr);
    *out = g.m;
    return shapes;
}

static LLVMCodeGenOptLevel cg_level(int level) {
    return level <= 0   ? LLVMCodeGenLevelNone
           : level == 1 ? LLVMCodeGenLevelLess
                        : LLVMCodeGenLevelDefault;
}

/* Runs the default<O1|O2> pipeline (nothing at level 0). */
static int optimise(LLVMModuleRef m, LLVMTargetMachineRef tm, int level, char *err, size_t errcap) {
    if (level <= 0) return 0;
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(m, level == 1 ? "default<O1>" : "default<O2>", tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (!e) return 0;
    char *msg = LLVMGetErrorMessage(e);
    snprintf(err, errcap, "optimising: %s", msg);
    LLVMDisposeErrorMessage(msg);
    return -1;
}

int arb_use_jit(arb_engine *e, const arb_jit_options *opt) {
    const Program *p = e->prog;
    if (!p) return engine_fail(e, ARB_ERR_USAGE, "compile the rules before the JIT");
    int level = opt ? opt->opt_level : 2;
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    Ranges rg;
    memset(&rg, 0, sizeof rg);
    Jit *j = calloc(1, sizeof(Jit));
    char err[512];
    if (!j || ranges_init(&rg, p, e->alloc) != 0) goto oom;
    j->nc.entry = calloc(rg.nrules + 1, sizeof(NativeFn));
    j->nc.bound = calloc(rg.nrules + 1, sizeof(NativeFn));
    j->nc.nrules = rg.nrules;
    if (!j->nc.entry || !j->nc.bound) goto oom;

    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    LLVMModuleRef m;
    int shapes = build_module(p, &rg, LLVMOrcThreadSafeContextGetContext(tsc), &m, err, sizeof err);
    LLVMTargetMachineRef tm = shapes < 0 ? NULL : host_machine(cg_level(level));
    if (shapes < 0 || !tm || optimise(m, tm, level, err, sizeof err) != 0) {
        if (shapes >= 0) LLVMDisposeModule(m);
        if (tm) LLVMDisposeTargetMachine(tm);
        LLVMOrcDisposeThreadSafeContext(tsc);
        engine_fail(e, ARB_ERR_USAGE, "JIT: %s",
                    shapes >= 0 && !tm ? "no target machine for this host" : err);
        goto fail;
    }
    j->nc.shapes = (uint32_t)shapes;
    /* an LLJIT whose code generator runs at the level the module was
     * optimised for (LLJIT would default to O2) */
    LLVMOrcLLJITBuilderRef jb = LLVMOrcCreateLLJITBuilder();
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(
        jb, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(tm));
    LLVMErrorRef lerr = LLVMOrcCreateLLJIT(&j->jit, jb);
    if (lerr) {
        LLVMDisposeModule(m);
        LLVMOrcDisposeThreadSafeContext(tsc);
        llvm_fail(e, lerr, "JIT: creating LLJIT");
        goto fail;
    }
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(m, tsc);
    LLVMOrcDisposeThreadSafeContext(tsc); /* the module keeps it alive */
    lerr = LLVMOrcLLJITAddLLVMIRModule(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), tsm);
    if (lerr) {
        llvm_fail(e, lerr, "JIT: adding the module");
        goto fail;
    }
    for (uint32_t i = 0; i < rg.n; i++) {
        if (rg.from[i] == rg.to[i]) continue;
        char name[40];
        shape_name(name, sizeof name, rg.rep[i]);
        LLVMOrcExecutorAddress addr = 0;
        lerr = LLVMOrcLLJITLookup(j->jit, &addr, name);
        if (lerr) {
            llvm_fail(e, lerr, "JIT: looking up a shape");
            goto fail;
        }
        NativeFn fn = (NativeFn)(uintptr_t)addr;
        if (i < rg.nrules)
            j->nc.entry[i] = fn;
        else
            j->nc.bound[i - rg.nrules] = fn;
    }
    ranges_free(&rg);
    engine_set_native(e, &j->nc, j, jit_free);
    return ARB_OK;
oom:
    engine_fail(e, ARB_ERR_NOMEM, "out of memory");
fail:
    ranges_free(&rg);
    jit_free(j);
    return e->errmsg[0] ? ARB_ERR_USAGE : ARB_ERR_NOMEM;
}

/* Adds the tables a shared object exports: per rule the function of its
 * entry and bound entry, and the header the runtime checks (native.h). */
static void add_tables(LLVMContextRef cx, LLVMModuleRef m, const Ranges *rg, uint64_t checksum) {
    LLVMTypeRef ptr = LLVMPointerTypeInContext(cx, 0), i32 = LLVMInt32TypeInContext(cx),
                i64 = LLVMInt64TypeInContext(cx);
    for (int which = 0; which < 2; which++) {
        LLVMValueRef *fns = calloc(rg->nrules + 1, sizeof(LLVMValueRef));
        for (uint32_t r = 0; r < rg->nrules; r++) {
            uint32_t i = which * rg->nrules + r;
            char name[40];
            shape_name(name, sizeof name, rg->rep[i]);
            LLVMValueRef f = rg->from[i] == rg->to[i] ? NULL : LLVMGetNamedFunction(m, name);
            fns[r] = f ? f : LLVMConstNull(ptr);
        }
        LLVMValueRef arr = LLVMConstArray2(ptr, fns, rg->nrules);
        LLVMValueRef gv =
            LLVMAddGlobal(m, LLVMTypeOf(arr), which ? NATIVE_SYM_BOUND : NATIVE_SYM_ENTRY);
        LLVMSetInitializer(gv, arr);
        LLVMSetGlobalConstant(gv, 1);
        free(fns);
    }
    LLVMValueRef fields[3] = {LLVMConstInt(i32, NATIVE_FORMAT, 0), LLVMConstInt(i32, rg->nrules, 0),
                              LLVMConstInt(i64, checksum, 0)};
    LLVMValueRef info = LLVMConstStructInContext(cx, fields, 3, 0);
    LLVMValueRef gv = LLVMAddGlobal(m, LLVMTypeOf(info), NATIVE_SYM_INFO);
    LLVMSetInitializer(gv, info);
    LLVMSetGlobalConstant(gv, 1);
}

int arb_write_native(arb_engine *e, const char *so_path, const arb_jit_options *opt) {
    const Program *p = e->prog;
    if (!p) return engine_fail(e, ARB_ERR_USAGE, "compile the rules before writing native code");
    if (!e->pack_checksum)
        return engine_fail(e, ARB_ERR_USAGE, "write the pack before its native code");
    int level = opt ? opt->opt_level : 2;
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    Ranges rg;
    memset(&rg, 0, sizeof rg);
    char err[512], obj[4200];
    if (ranges_init(&rg, p, e->alloc) != 0) {
        ranges_free(&rg);
        return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    }
    LLVMContextRef cx = LLVMContextCreate();
    LLVMModuleRef m;
    int rc = ARB_OK;
    int shapes = build_module(p, &rg, cx, &m, err, sizeof err);
    LLVMTargetMachineRef tm = shapes < 0 ? NULL : host_machine(cg_level(level));
    if (shapes < 0 || !tm || optimise(m, tm, level, err, sizeof err) != 0) {
        rc = engine_fail(e, ARB_ERR_USAGE, "native code: %s",
                         shapes >= 0 && !tm ? "no target machine" : err);
    } else {
        add_tables(cx, m, &rg, e->pack_checksum);
        snprintf(obj, sizeof obj, "%s.o", so_path);
        char *msg = NULL;
        if (LLVMTargetMachineEmitToFile(tm, m, obj, LLVMObjectFile, &msg)) {
            rc = engine_fail(e, ARB_ERR_IO, "native code: writing %s: %s", obj, msg ? msg : "");
        } else {
            /* the system linker makes the shared object */
            char cmd[9000];
            snprintf(cmd, sizeof cmd, "cc -shared -o '%s' '%s'", so_path, obj);
            if (strchr(so_path, '\'') || system(cmd) != 0)
                rc = engine_fail(e, ARB_ERR_IO,
                                 "native code: linking %s with the system linker failed", so_path);
            remove(obj);
        }
        LLVMDisposeMessage(msg);
    }
    if (shapes >= 0) LLVMDisposeModule(m);
    if (tm) LLVMDisposeTargetMachine(tm);
    LLVMContextDispose(cx);
    ranges_free(&rg);
    return rc;
}
