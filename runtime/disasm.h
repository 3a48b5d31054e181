/* disasm.h — prints bytecode as text, one instruction per line. */
#ifndef ARB_DISASM_H
#define ARB_DISASM_H

#include "program.h"
#include "strbuf.h"

/* Appends the listing of code[from..to), run with operand vector
 * ops[0..nops), to out, constants spelled out. */
void disasm_range(const Program *p, uint32_t from, uint32_t to, const int32_t *ops, uint32_t nops,
                  StrBuf *out);
/* Appends a rule's header and listing. */
void disasm_rule(const Program *p, const Rule *r, StrBuf *out);

#endif
