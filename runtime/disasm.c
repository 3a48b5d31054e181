/* disasm.c — the disassembler; operand counts and names come from the
 * opcode X-macro list, so it never goes out of step with the VM.  Operands
 * that vary between rules of a shape are shown as the values in the rule's
 * operand vector, so a listing reads the same whether or not its code is
 * shared with other rules. */
#include "disasm.h"

#include <stdio.h>

#include "history.h"
#include "scalar.h"

void disasm_range(const Program *p, uint32_t from, uint32_t to, const int32_t *ops, uint32_t nops,
                  StrBuf *out) {
    for (uint32_t pc = from; pc < to && pc < p->ncode;) {
        int op = p->code[pc];
        if (op < 0 || op >= OPC__COUNT) {
            sb_printf(out, "%6u  ??? %d\n", pc, op);
            return;
        }
        sb_printf(out, "%6u  %-8s", pc, opcode_names[op]);
        int32_t arg[4] = {0, 0, 0, 0};
        for (int i = 0; i < opcode_nargs[op] && pc + 1 + (uint32_t)i < p->ncode; i++) {
            int32_t x = p->code[pc + 1 + i];
            if (operand_varies(op, i)) x = x >= 0 && (uint32_t)x < nops ? ops[x] : INT32_MIN;
            arg[i] = x;
            if (x == INT32_MIN)
                sb_puts(out, " ?");
            else
                sb_printf(out, " %d", x);
        }
        int32_t a = arg[0];
        char buf[256];
        switch (op) {
        case OPC_CONST:
            if (a >= 0 && (uint32_t)a < p->nconsts) {
                int64_t v = p->consts[a].i;
                scalar_format(&p->const_types[a], p->consts[a], 0, 1, buf, sizeof buf);
                if (p->const_types[a].kind == TY_DURATION &&
                    (v == HIST_CAL_YEAR || v == HIST_CAL_QUARTER || v == HIST_CAL_MONTH))
                    snprintf(buf, sizeof buf, "%s",
                             v == HIST_CAL_YEAR      ? "calendar_year"
                             : v == HIST_CAL_QUARTER ? "calendar_quarter"
                                                     : "calendar_month");
                sb_printf(out, "\t; %s %s", type_kind_names[p->const_types[a].kind], buf);
            }
            break;
        case OPC_INSET:
            if (a >= 0 && (uint32_t)a < p->nsets) {
                const Table *t = p->sets[a];
                sb_puts(out, "\t; {");
                for (uint32_t i = 0; i < t->nrows && i < 8; i++)
                    sb_printf(out, "%s\"%s\"", i ? ", " : "",
                              t->rows[i].s ? t->rows[i].s->data : "");
                sb_puts(out, t->nrows > 8 ? ", ...}" : "}");
            }
            break;
        case OPC_ININT:
            if (a >= 0 && (uint32_t)a < p->nintsets) {
                sb_puts(out, "\t; {");
                for (uint32_t i = 0; i < p->intsets[a].n && i < 8; i++)
                    sb_printf(out, "%s%lld", i ? ", " : "", (long long)p->intsets[a].v[i]);
                sb_puts(out, "}");
            }
            break;
        case OPC_INTABLE:
        case OPC_MATCH:
        case OPC_NEXTROW: {
            int32_t ti = op == OPC_MATCH ? arg[1] : a;
            if (ti >= 0 && (uint32_t)ti < p->ntables)
                sb_printf(out, "\t; table %s", p->tables[ti]->name);
            break;
        }
        case OPC_MATCHES:
            if (a >= 0 && (uint32_t)a < p->nregexes) sb_printf(out, "\t; /%s/", p->regex_src[a]);
            break;
        case OPC_FLAG: sb_printf(out, "\t; %s", a < 0 ? "claim" : "record in local"); break;
        }
        sb_putc(out, '\n');
        pc += 1 + opcode_nargs[op];
    }
}

void disasm_rule(const Program *p, const Rule *r, StrBuf *out) {
    const Category *c = &p->cats[r->category];
    sb_printf(out, "rule %s \"%s\" in %s  (%u locals, stack %u)\n", r->id, r->title, c->name,
              r->nlocals, r->maxstack);
    disasm_range(p, r->entry, r->code_end, rule_ops(p, r), r->nops, out);
    if (r->index < 0) return;
    /* what the item-code index runs for one record */
    sb_printf(out, "  for one record (item-code index), in local %d:\n", r->bound_slot);
    disasm_range(p, r->bound_entry, r->bound_end, rule_ops(p, r), r->nops, out);
}
