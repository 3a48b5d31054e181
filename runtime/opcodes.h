/* opcodes.h — the bytecode instruction set, as one X-macro list that
 * generates the enum, the names, the operand counts and the disassembler.
 *
 * The VM is a stack machine over 8-byte Values with a frame of local slots
 * (slot 0 holds the claim).  Code is an array of int32 words: the opcode,
 * then its operands.  Logic treats 1 as true and 0 or null as false;
 * comparisons with null are false; arithmetic with null gives null. */
#ifndef ARB_OPCODES_H
#define ARB_OPCODES_H

#include <stdint.h>

/* X(name, operand count, stack signature, description).  The signature is
 * what the instruction takes off the value stack, deepest first, then '>'
 * and what it pushes: i a number (any int64 scalar), s a string, l a list,
 * * anything (the instruction says what).  FLAG and LUACALL take as many
 * values as their operands say ("?"; opcode_pops).  A jump's signature is
 * its fall-through path (JZK and JNZK keep the value when they jump). */
#define ARB_OPCODES(X)                                                                             \
    X(HALT, 0, ">", "end of the rule")                                                             \
    X(CONST, 1, ">*", "push consts[a]")                                                            \
    X(LOAD, 1, ">*", "push local a")                                                               \
    X(STORE, 1, "*>", "pop into local a")                                                          \
    X(POP, 0, "*>", "drop the top value")                                                          \
    X(FIELD, 1, "*>*", "replace the record on top by its field a")                                 \
    X(LFIELD, 2, ">*", "push field b of the record in local a")                                    \
    X(STFIELD, 2, "*>", "pop into field b of the record in local a")                               \
    X(ADD, 0, "ii>i", "int64 add")                                                                 \
    X(SUB, 0, "ii>i", "int64 subtract")                                                            \
    X(MUL, 0, "ii>i", "int64 multiply")                                                            \
    X(DIV, 0, "ii>i", "int64 divide, truncating; by zero gives null")                              \
    X(NEG, 0, "i>i", "int64 negate")                                                               \
    X(MULK, 1, "i>i", "multiply by the immediate a")                                               \
    X(DIVK, 1, "i>i", "divide by the immediate a, rounding down")                                  \
    X(EQ, 0, "ii>i", "int64 ==")                                                                   \
    X(NE, 0, "ii>i", "int64 !=")                                                                   \
    X(LT, 0, "ii>i", "int64 <")                                                                    \
    X(LE, 0, "ii>i", "int64 <=")                                                                   \
    X(GT, 0, "ii>i", "int64 >")                                                                    \
    X(GE, 0, "ii>i", "int64 >=")                                                                   \
    X(SEQ, 0, "ss>i", "string ==")                                                                 \
    X(SNE, 0, "ss>i", "string !=")                                                                 \
    X(SLT, 0, "ss>i", "string <")                                                                  \
    X(SLE, 0, "ss>i", "string <=")                                                                 \
    X(SGT, 0, "ss>i", "string >")                                                                  \
    X(SGE, 0, "ss>i", "string >=")                                                                 \
    X(NOT, 0, "i>i", "logical not")                                                                \
    X(JMP, 1, ">", "jump to a")                                                                    \
    X(JZ, 1, "i>", "pop; jump to a unless true")                                                   \
    X(JNZ, 1, "i>", "pop; jump to a if true")                                                      \
    X(JZK, 1, "i>", "jump to a keeping the top unless true, else pop")                             \
    X(JNZK, 1, "i>", "jump to a keeping the top if true, else pop")                                \
    X(ISNULL, 0, "i>i", "int64 value is missing")                                                  \
    X(SISNULL, 0, "s>i", "string value is missing")                                                \
    X(COAL, 0, "ii>i", "int64 coalesce: a unless missing, else b")                                 \
    X(SCOAL, 0, "ss>s", "string coalesce")                                                         \
    X(INSET, 1, "s>i", "string in set a (exact or prefix members)")                                \
    X(ININT, 1, "i>i", "int64 in int set a")                                                       \
    X(INTABLE, 1, "s>i", "string is a key of table a")                                             \
    X(MATCHES, 1, "s>i", "string matches regular expression a")                                    \
    X(AGE, 0, "ii>i", "whole years from date a to date b")                                         \
    X(YEAR, 0, "i>i", "year of a date")                                                            \
    X(MONTH, 0, "i>i", "month of a date")                                                          \
    X(ABS, 0, "i>i", "absolute value")                                                             \
    X(LEN, 0, "s>i", "length of a string in characters")                                           \
    X(LOOP, 2, "l>", "pop a list into local a; local b = -1")                                      \
    X(NEXT, 4, ">", "next item of the list in local a (index in b) into local c, or jump to d")    \
    X(MATCH, 2, "s>", "pop a key; start matching rows of table b, state in locals a..a+2")         \
    X(NEXTROW, 4, ">", "next row of table a matching state b into local c, or jump to d")          \
    X(ACCADD, 1, "i>", "pop; add to local a unless missing")                                       \
    X(ACCMIN, 1, "i>", "pop; local a = min(local a, value), ignoring missing")                     \
    X(ACCMAX, 1, "i>", "pop; local a = max(local a, value), ignoring missing")                     \
    X(FLAG, 3, "?",                                                                                \
      "raise a finding on the record in local a (-1: the claim), template b, c args")              \
    X(HISTORY, 0, "i>l",                                                                           \
      "replace a duration by the claims of the person at most that long before")                   \
    X(STARTS, 0, "ss>i", "string a starts with string b")                                          \
    X(LUACALL, 2, "?", "call Lua function a with the b values on top; push its result")            \
    X(MATCHESR, 0, "si>i",                                                                         \
      "string a matches the regex numbered b (a regex column); missing: false")                    \
    X(LEAST, 0, "ii>i", "the smaller of two int64 values; missing when either is")                 \
    X(GREATEST, 0, "ii>i", "the larger of two int64 values; missing when either is")               \
    X(EVRESET, 0, ">", "forget the evidence noted so far (a binding of a rule reading history)")   \
    X(EVIDENCE, 1, ">", "note the claim record in local a (from history) as evidence")             \
    X(SELECT, 1, "ls>l",                                                                           \
      "replace a list and a string by the list's items whose field a equals the string "           \
      "(or the list itself)")                                                                      \
    X(SELDAY, 1, "li>l",                                                                           \
      "replace a list and a day by the list's items whose datetime field a falls on that day "     \
      "(or the list itself)")                                                                      \
    X(SELIN, 2, "ls>l",                                                                            \
      "replace a list of records and a string by the records whose list field a holds an item "    \
      "whose field b equals the string (or the list itself)")

typedef enum Opcode {
#define X(name, n, sig, d) OPC_##name,
    ARB_OPCODES(X)
#undef X
        OPC__COUNT
} Opcode;

extern const char *const opcode_names[OPC__COUNT];
extern const unsigned char opcode_nargs[OPC__COUNT];
extern const char *const opcode_signatures[OPC__COUNT];
/* Values the instruction op with operands args takes off the stack. */
int opcode_pops(int op, const int32_t *args);
/* Net change of the value stack by the instruction op with operands args
 * (on the fall-through path for jumps). */
int opcode_stack_effect(int op, const int32_t *args);

#endif
