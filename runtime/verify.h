/* verify.h — the bytecode verifier.  Code loaded from a pack is checked
 * before anything runs it: every instruction is known, its operands name
 * locals, constants, sets, tables, patterns and messages that exist, jumps
 * land on instructions inside the rule, and the value stack never runs
 * under, never exceeds the rule's limit and has one depth wherever paths
 * join.  The key index of every table (stored in the pack as built) is
 * checked against the table's rows.  The JIT uses the same analysis for the stack depths it
 * compiles. */
#ifndef ARB_VERIFY_H
#define ARB_VERIFY_H

#include "program.h"

/* Verifies code[from..to) run with nlocals locals, a stack of maxstack
 * values and the operand vector ops[0..nops) (NULL: the varying operands
 * are not checked); depth[0..to-from) gets the stack depth before each
 * instruction (-1 where unreachable).  Returns 0, or -1 with the reason in
 * err. */
int verify_code(const Program *p, uint32_t from, uint32_t to, uint32_t nlocals, uint32_t maxstack,
                const int32_t *ops, uint32_t nops, int *depth, char *err, size_t errcap);

/* Verifies every table's key index against its rows, every rule (entry
 * and bound code, with its operand vector) and the derived-field code.  Code shared by rules of one
 * shape is verified in full once; for the other rules only their operand vectors are checked. */
int verify_program(const Program *p, char *err, size_t errcap);

#endif
