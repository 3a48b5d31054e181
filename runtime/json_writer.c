/* json_writer.c — records as JSON objects (see json_writer.h). */
#include "json_writer.h"

#include "scalar.h"

static void record(const RecordType *rt, const Value *r, StrBuf *b, int depth) {
    sb_putc(b, '{');
    int first = 1;
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        uint8_t k = fd->type.kind;
        Value v = r[f];
        if (fd->derived >= 0) continue;
        if (k == TY_LIST) {
            if (!v.l || depth >= ARB_MAX_LIST_NESTING) continue;
        } else if (type_is_string(k)) {
            if (!v.s) continue;
        } else if (!type_is_int64(k) || v.i == ARB_NULL) {
            continue;
        }
        if (!first) sb_putc(b, ',');
        first = 0;
        sb_putc(b, '"');
        sb_putn(b, fd->name, fd->name_len);
        sb_puts(b, "\":");
        if (k == TY_LIST) {
            sb_putc(b, '[');
            for (uint32_t i = 0; i < v.l->n; i++) {
                if (i) sb_putc(b, ',');
                record(fd->type.rec, list_item(v.l, i), b, depth + 1);
            }
            sb_putc(b, ']');
            continue;
        }
        size_t need = scalar_format(&fd->type, v, 0, 1, NULL, 0);
        char *w = sb_reserve(b, need + 1);
        if (!w) return;
        scalar_format(&fd->type, v, 0, 1, w, need + 1);
        b->len += need;
    }
    sb_putc(b, '}');
}

void jsonw_record(const RecordType *rt, const Value *r, StrBuf *b) {
    record(rt, r, b, 0);
}
