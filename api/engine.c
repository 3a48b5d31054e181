/* engine.c — the public API: engine, compilation, diagnostics,
 * introspection and single-claim sessions (batches are in batch.c). */
#include "engine.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disasm.h"
#include "fmt.h"
#include "history.h"
#include "i18n.h"
#include "outfile.h"
#include "pack.h"
#include "scalar.h"
#include "sort.h"

void arb_config_init(arb_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
}

int engine_fail(arb_engine *e, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    /* the format is translated (po/update-pot.sh extracts engine_fail's
     * third argument), the arguments are values and stay as they are */
    vsnprintf(e->errmsg, sizeof e->errmsg, _(fmt), ap);
    va_end(ap);
    return code;
}

int arb_engine_new(const arb_config *cfg, arb_engine **out) {
    arb_config def;
    if (!cfg) {
        arb_config_init(&def);
        cfg = &def;
    }
    Alloc a = cfg->alloc ? (Alloc){cfg->alloc, cfg->alloc_ud} : mem_default();
    arb_engine *e = mem_calloc(a, sizeof *e);
    if (!e) return ARB_ERR_NOMEM;
    e->alloc = a;
    e->lua_limits.instructions = cfg->lua_instructions;
    e->lua_limits.memory = cfg->lua_memory;
    e->lua_limits.millis = cfg->lua_millis;
    char def_dir[4096 + 64];
    const char *dir = cfg->stdlib_dir;
    if (!dir) {
        arb_default_stdlib_dir(def_dir, sizeof def_dir); /* stdlib_dir.c */
        dir = def_dir;
    }
    size_t n = strlen(dir);
    e->stdlib_dir = mem_alloc(a, n + 1);
    if (!e->stdlib_dir) {
        mem_free(a, e, sizeof *e);
        return ARB_ERR_NOMEM;
    }
    memcpy(e->stdlib_dir, dir, n + 1);
    e->no_prelude = cfg->no_prelude;
    e->debug_info = cfg->debug_info;
    sources_init(&e->sources, a);
    diag_init(&e->diags, a);
    *out = e;
    return ARB_OK;
}

void engine_set_native(arb_engine *e, const NativeCode *nc, void *owner, void (*free_fn)(void *)) {
    if (e->native_free) e->native_free(e->native_owner);
    e->native = nc;
    e->native_owner = owner;
    e->native_free = free_fn;
}

void engine_drop_ignored(arb_engine *e) {
    if (e->ignored_notes) {
        notes_free(e->ignored_notes);
        mem_free(e->alloc, e->ignored_notes, sizeof(InputNotes));
    }
    mem_free(e->alloc, e->ignored, e->nignored * sizeof(arb_ignored_field));
    e->ignored_notes = NULL;
    e->ignored = NULL;
    e->nignored = 0;
}

static void drop_profiles(arb_engine *e) {
    for (uint32_t i = 0; e->profs && i < e->prog->nprofiles; i++) prof_free(e->profs[i]);
    if (e->profs) mem_free(e->alloc, e->profs, (e->prog->nprofiles + 1) * sizeof(Prof *));
    e->profs = NULL;
}

/* Readies the program's input profiles; -1 when out of memory. */
static int ready_profiles(arb_engine *e) {
    uint32_t n = e->prog->nprofiles;
    e->profs = mem_calloc(e->alloc, (n + 1) * sizeof(Prof *));
    if (!e->profs) return -1;
    for (uint32_t i = 0; i < n; i++)
        if (!(e->profs[i] = prof_new(&e->prog->profiles[i], e->prog->claim, e->alloc))) return -1;
    return 0;
}

const Prof *engine_profile(const arb_engine *e, const char *name) {
    for (uint32_t i = 0; e->prog && e->profs && i < e->prog->nprofiles; i++)
        if (strcmp(e->prog->profiles[i].name, name) == 0) return e->profs[i];
    return NULL;
}

static void drop_program(arb_engine *e) {
    engine_drop_ignored(e);
    if (e->prog) drop_profiles(e);
    engine_set_native(e, NULL, NULL, NULL);
    if (e->json) jsonr_free(e->json);
    e->json = NULL;
    if (e->cat_stats) mem_free(e->alloc, e->cat_stats, e->prog->ncats * sizeof(arb_category_stats));
    e->cat_stats = NULL;
    program_free(e->prog);
    e->prog = NULL;
    e->prog_gen++;
}

void arb_engine_free(arb_engine *e) {
    if (!e) return;
    Alloc a = e->alloc;
    drop_program(e);
    sources_free(&e->sources);
    diag_free(&e->diags);
    mem_free(a, e->roots, e->caproots * sizeof(int));
    mem_free(a, e->stdlib_dir, strlen(e->stdlib_dir) + 1);
    mem_free(a, e, sizeof *e);
}

const char *arb_errmsg(const arb_engine *e) {
    return e->errmsg;
}

static int add_root(arb_engine *e, int idx) {
    if (mem_grow(e->alloc, (void **)&e->roots, sizeof(int), &e->caproots, e->nroots + 1))
        return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    e->roots[e->nroots++] = idx;
    return ARB_OK;
}

int arb_add_file(arb_engine *e, const char *path) {
    char msg[512];
    int idx = sources_add_file(&e->sources, path, msg, sizeof msg);
    if (idx < 0) return engine_fail(e, ARB_ERR_IO, "%s", msg);
    return add_root(e, idx);
}

int arb_add_source(arb_engine *e, const char *name, const char *text, size_t len) {
    int idx = sources_add_text(&e->sources, name, text, len);
    if (idx < 0) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    return add_root(e, idx);
}

int arb_compile(arb_engine *e) {
    drop_program(e);
    diag_free(&e->diags);
    diag_init(&e->diags, e->alloc);
    int *files = mem_alloc(e->alloc, (e->nroots + 1) * sizeof(int));
    if (!files) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    size_t n = 0;
    if (!e->no_prelude) {
        char path[4096], msg[512];
        snprintf(path, sizeof path, "%s/schema.rules", e->stdlib_dir);
        int idx = sources_add_file(&e->sources, path, msg, sizeof msg);
        if (idx < 0) {
            mem_free(e->alloc, files, (e->nroots + 1) * sizeof(int));
            diag_add(&e->diags, DIAG_ERROR, -1, 0, 0,
                     "%s (the standard library's schema; set --stdlib or ARBITER_STDLIB)", msg);
            return engine_fail(e, ARB_ERR_RULES, "%s", msg);
        }
        files[n++] = idx;
    }
    for (size_t i = 0; i < e->nroots; i++) files[n++] = e->roots[i];
    e->prog = check_build(e->alloc, &e->sources, files, n, &e->diags, e->debug_info);
    mem_free(e->alloc, files, (e->nroots + 1) * sizeof(int));
    if (!e->prog)
        return engine_fail(
            e, ARB_ERR_RULES,
            P_("the rules have %zu error", "the rules have %zu errors", e->diags.errors),
            e->diags.errors);
    e->json = jsonr_new(e->prog->claim, e->alloc);
    if (!e->json || ready_profiles(e)) {
        drop_program(e);
        return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    }
    return ARB_OK;
}

int arb_category_rows(const arb_engine *e, size_t cat, const char **name, uint64_t *rules,
                      uint64_t *rule_rows) {
    const Program *p = e->prog;
    if (!p || cat >= p->ncats) return ARB_ERR_USAGE;
    /* the index keys each rule is listed under, counted in one pass over
     * the indexes (not one pass per rule: lint --stats of a million rules) */
    uint32_t *keys = mem_calloc(e->alloc, ((size_t)p->nrules + 1) * sizeof(uint32_t));
    if (!keys) return ARB_ERR_NOMEM;
    for (uint32_t x = 0; x < p->nindexes; x++) {
        const Table *t = p->indexes[x].keys;
        for (uint32_t k = 0; k < t->nrows; k++) {
            int64_t rule = table_row(t, k)[1].i;
            if (rule >= 0 && (uint64_t)rule < p->nrules) keys[rule]++;
        }
    }
    uint64_t nr = 0, rows = 0;
    for (uint32_t i = 0; i < p->nrules; i++) {
        const Rule *r = &p->rules[i];
        if (r->category != cat) continue;
        nr++;
        uint64_t n = 0;
        for (uint32_t pc = r->entry; pc < r->code_end && pc < p->ncode;) {
            int32_t op = p->code[pc];
            if (op < 0 || op >= OPC__COUNT) break;
            /* an aggregate starts by storing its accumulator: a match
             * after that is inside it, not one of the rule's binders */
            if (op == OPC_STORE) break;
            if (op == OPC_MATCH && pc + 2 < p->ncode) {
                int32_t k = p->code[pc + 2],
                        t = k >= 0 && (uint32_t)k < r->nops ? rule_ops(p, r)[k] : -1;
                if (t >= 0 && (uint32_t)t < p->ntables) n = p->tables[t]->nrows;
                break;
            }
            pc += 1 + opcode_nargs[op];
        }
        if (!n && r->index >= 0 && (uint32_t)r->index < p->nindexes) n = keys[i];
        rows += n ? n : 1;
    }
    mem_free(e->alloc, keys, ((size_t)p->nrules + 1) * sizeof(uint32_t));
    if (name) *name = p->cats[cat].name;
    if (rules) *rules = nr;
    if (rule_rows) *rule_rows = rows;
    return ARB_OK;
}

size_t arb_error_count(const arb_engine *e) {
    return e->diags.n;
}

int arb_error_get(const arb_engine *e, size_t i, arb_error *out) {
    if (i >= e->diags.n) return ARB_ERR_USAGE;
    const Diag *d = &e->diags.items[i];
    memset(out, 0, sizeof *out);
    out->severity = d->severity;
    out->message = d->msg;
    out->offset = d->off;
    out->length = d->len;
    if (d->file >= 0 && (size_t)d->file < e->sources.n) {
        out->file = e->sources.items[d->file].path;
        diag_line_col(&e->sources.items[d->file], d->off, &out->line, &out->col);
    }
    return ARB_OK;
}

/* Copies b into the caller's buffer (truncated, NUL-terminated), frees it,
 * and returns the length the whole text needs. */
static size_t copy_out(StrBuf *b, char *buf, size_t cap) {
    size_t n = b->len;
    if (cap) {
        size_t k = n < cap ? n : cap - 1;
        memcpy(buf, sb_str(b), k);
        buf[k] = 0;
    }
    sb_free(b);
    return n;
}

size_t arb_error_render(const arb_engine *e, size_t i, char *buf, size_t cap) {
    if (i >= e->diags.n) return 0;
    StrBuf b;
    sb_init(&b, e->alloc);
    diag_render(e->sources.items, e->sources.n, &e->diags.items[i], &b);
    return copy_out(&b, buf, cap);
}

int arb_get_stats(const arb_engine *e, arb_stats *out) {
    memset(out, 0, sizeof *out);
    if (!e->prog) return ARB_ERR_USAGE;
    const Program *p = e->prog;
    out->rules = p->nrules;
    out->categories = p->ncats;
    out->tables = p->ntables;
    for (uint32_t i = 0; i < p->ntables; i++) out->table_rows += p->tables[i]->nrows;
    out->consts = p->nconsts;
    out->code_words = p->ncode;
    ProgramStats ps;
    if (program_stats(p, e->alloc, &ps)) return ARB_ERR_NOMEM;
    out->rule_rows = ps.rule_rows;
    out->shapes = ps.shapes;
    out->shapes_of_one = ps.shapes_of_one;
    out->largest_shape = ps.largest_shape;
    memcpy(out->top_shapes, ps.top_shapes, sizeof out->top_shapes);
    out->indexed_rules = ps.indexed_rules;
    out->indexes = ps.indexes;
    out->index_keys = ps.index_keys;
    return ARB_OK;
}

size_t arb_rule_count(const arb_engine *e) {
    return e->prog ? e->prog->nrules : 0;
}

int arb_jit_pays(const arb_engine *e, uint64_t claims_bytes, int threads) {
    if (!e->prog) return 0;
    /* microseconds of compiling against microseconds saved: both grow with
     * the code (more code compiled, more rule work per claim to speed up) */
    uint64_t words = e->prog->ncode;
    uint64_t cost = 50000 + 200 * words;
    uint64_t saved = claims_bytes / 1000000 * words * 22 / 100;
    return saved >= cost * (uint64_t)(threads > 1 ? threads : 1);
}

const char *arb_rule_id(const arb_engine *e, size_t i) {
    return e->prog && i < e->prog->nrules ? e->prog->rules[i].id : NULL;
}

int arb_rule_where(const arb_engine *e, size_t i, const char **file, uint32_t *line,
                   uint32_t *col) {
    *file = NULL;
    *line = *col = 0;
    if (!e->prog || i >= e->prog->nrules) return ARB_ERR_USAGE;
    const Rule *r = &e->prog->rules[i];
    if (e->prog->map || r->file < 0 || (size_t)r->file >= e->sources.n) return ARB_OK;
    *file = e->sources.items[r->file].path;
    diag_line_col(&e->sources.items[r->file], r->off, line, col);
    return ARB_OK;
}

size_t arb_test_count(const arb_engine *e) {
    return e->prog ? e->prog->ntests : 0;
}

/* file:line:col of a span in the engine's sources. */
static void where(const arb_engine *e, int32_t file, uint32_t off, const char **path,
                  uint32_t *line, uint32_t *col) {
    *path = NULL;
    *line = *col = 0;
    if (file < 0 || (size_t)file >= e->sources.n) return;
    *path = e->sources.items[file].path;
    diag_line_col(&e->sources.items[file], off, line, col);
}

int arb_test_get(const arb_engine *e, size_t i, arb_test *out) {
    memset(out, 0, sizeof *out);
    if (!e->prog || i >= e->prog->ntests) return ARB_ERR_USAGE;
    const InlineTest *t = &e->prog->tests[i];
    out->name = t->name;
    where(e, t->file, t->off, &out->file, &out->line, &out->col);
    out->claims = t->claims;
    out->claims_len = t->claims_len;
    out->nclaims = t->nclaims;
    out->claim_id = t->claim_id;
    out->nexpects = t->nexpects;
    return ARB_OK;
}

int arb_test_expect_get(const arb_engine *e, size_t i, size_t k, arb_test_expect *out) {
    memset(out, 0, sizeof *out);
    if (!e->prog || i >= e->prog->ntests || k >= e->prog->tests[i].nexpects) return ARB_ERR_USAGE;
    const TestExpect *x = &e->prog->tests[i].expects[k];
    out->rule_id = x->rule;
    out->negate = x->negate;
    out->line_no = x->line_no;
    out->has_amount = x->amount != ARB_NULL;
    out->amount_cents = x->amount != ARB_NULL ? x->amount : 0;
    where(e, x->file, x->off, &out->file, &out->line, &out->col);
    return ARB_OK;
}

size_t arb_disasm(const arb_engine *e, const char *rule_id, char *buf, size_t cap) {
    if (!e->prog) return 0;
    StrBuf b;
    sb_init(&b, e->alloc);
    const Program *p = e->prog;
    if (!rule_id && p->has_prepare) {
        sb_puts(&b, "derived fields\n");
        uint32_t end = p->prepare_entry;
        while (end < p->ncode && p->code[end] != OPC_HALT) end += 1 + opcode_nargs[p->code[end]];
        disasm_range(p, p->prepare_entry, end + 1, p->ops + p->prepare_ops, p->prepare_nops, &b);
        sb_putc(&b, '\n');
    }
    for (uint32_t i = 0; i < p->nrules; i++) {
        if (rule_id && strcmp(rule_id, p->rules[i].id) != 0) continue;
        disasm_rule(p, &p->rules[i], &b);
        sb_putc(&b, '\n');
    }
    return copy_out(&b, buf, cap);
}

int arb_format(const char *name, const char *text, size_t len, char **out, size_t *out_len) {
    if (out) *out = NULL;
    if (out_len) *out_len = 0;
    if (!name || !text || !out || !out_len) return ARB_ERR_USAGE;
    StrBuf res, err;
    sb_init(&res, mem_default());
    sb_init(&err, mem_default());
    int rc = fmt_format(name, text, len, mem_default(), &res, &err);
    StrBuf *give = rc == FMT_OK ? &res : &err;
    int code = rc == FMT_OK ? ARB_OK : rc == FMT_ERR_NOMEM ? ARB_ERR_NOMEM : ARB_ERR_RULES;
    char *copy = code == ARB_ERR_NOMEM || give->oom ? NULL : malloc(give->len + 1);
    if (copy) {
        if (give->len) memcpy(copy, give->p, give->len);
        copy[give->len] = 0;
        *out = copy;
        *out_len = give->len;
    } else {
        code = ARB_ERR_NOMEM;
    }
    sb_free(&res);
    sb_free(&err);
    return code;
}

/* The record type of rec when it is a record of one of the claim's lists,
 * else NULL (the claim itself); the lists are t's (engine_finding_claim). */
static const RecordType *list_record_type(const RecordType *ct, const Value *claim,
                                          const Value *rec, const FindingText *t) {
    uint32_t n = t->nlists == UINT8_MAX ? ct->nfields : t->nlists;
    for (uint32_t j = 0; rec && j < n; j++) {
        uint32_t k = t->nlists == UINT8_MAX ? j : t->lists[j];
        if (ct->fields[k].type.kind != TY_LIST || !ct->fields[k].type.rec) continue;
        const ArbList *l = claim[k].l;
        if (!l || !l->n || rec < l->items || rec >= l->items + (size_t)l->n * l->width ||
            (size_t)(rec - l->items) % l->width)
            continue;
        return ct->fields[k].type.rec;
    }
    return NULL;
}

/* 64-bit FNV-1a over the parts, each followed by a unit separator, from
 * basis h (id_part, part after part); then a final mix (splitmix64,
 * id_mix) so that the two halves of an id differ in every bit. */
static inline uint64_t id_part(uint64_t h, const char *part) {
    for (const unsigned char *c = (const unsigned char *)part; *c; c++)
        h = (h ^ *c) * 0x100000001b3ULL;
    return (h ^ 0x1f) * 0x100000001b3ULL;
}

static inline uint64_t id_mix(uint64_t h) {
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

#define ID_BASIS_A 0xcbf29ce484222325ULL
#define ID_BASIS_B (0x84222325cbf29ce4ULL ^ 0x9e3779b97f4a7c15ULL)

/* id_part over the same part from two bases at once (two independent
 * chains of multiplications, one pass over the bytes). */
static inline void id_part2(uint64_t *a, uint64_t *b, const char *part) {
    uint64_t x = *a, y = *b;
    for (const unsigned char *c = (const unsigned char *)part; *c; c++) {
        x = (x ^ *c) * 0x100000001b3ULL;
        y = (y ^ *c) * 0x100000001b3ULL;
    }
    *a = (x ^ 0x1f) * 0x100000001b3ULL;
    *b = (y ^ 0x1f) * 0x100000001b3ULL;
}

/* The 16 lowercase hex digits of v ("%016llx"), eight at a time: each
 * nibble spread to a byte of its own, then made a digit. */
static inline void hex16(uint64_t v, char *out) {
    for (int half = 0; half < 2; half++) {
        uint64_t y = half ? (uint32_t)v : v >> 32; /* the high half first */
        y = (y | y << 16) & 0x0000FFFF0000FFFFULL;
        y = (y | y << 8) & 0x00FF00FF00FF00FFULL;
        y = (y | y << 4) & 0x0F0F0F0F0F0F0F0FULL; /* byte i: nibble i */
        uint64_t ten = ((y + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
        y += 0x3030303030303030ULL + ten * ('a' - '0' - 10);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        y = __builtin_bswap64(y); /* the most significant nibble first in memory */
#endif
        memcpy(out + 8 * half, &y, 8);
    }
}

/* The id's hex digits from the hashes a and b after the claim id (ha, hb)
 * go on over the rule id and the key. */
static void finding_id_from(uint64_t ha, uint64_t hb, const char *rule_id, const char *key,
                            char out[33]) {
    id_part2(&ha, &hb, rule_id);
    id_part2(&ha, &hb, key);
    hex16(id_mix(ha), out); /* "%016llx%016llx", without printf */
    hex16(id_mix(hb), out + 16);
    out[32] = 0;
}

void engine_finding_id(const char *claim_id, const char *rule_id, const char *key, char out[33]) {
    finding_id_from(id_part(ID_BASIS_A, claim_id), id_part(ID_BASIS_B, claim_id), rule_id, key,
                    out);
}

/* Field name of rt (a string field) or -1. */
static int32_t text_field_index(const RecordType *rt, const char *name) {
    int f = record_field_index(rt, name, strlen(name));
    return f >= 0 && type_is_string(rt->fields[f].type.kind) ? f : -1;
}

/* The text of string field f of rec, or NULL when f is -1 or the value is
 * missing or empty. */
static const char *text_at(const Value *rec, int32_t f) {
    return f >= 0 && rec[f].s && rec[f].s->data[0] ? rec[f].s->data : NULL;
}

void engine_finding_claim(const arb_engine *e, const Value *claim, FindingText *t) {
    const RecordType *ct = e->prog->claim;
    if (t->ct != ct) {
        t->ct = ct;
        t->ct_person = text_field_index(ct, "person_id");
        t->ct_facility = text_field_index(ct, "facility_id");
        t->ct_dept = text_field_index(ct, "dept");
        t->ct_doctor = text_field_index(ct, "doctor");
        t->ct_settle = record_field_index(ct, "settle_time", 11);
        t->lt = NULL;
        t->nlists = 0;
        for (uint32_t k = 0; k < ct->nfields && t->nlists != UINT8_MAX; k++) {
            if (ct->fields[k].type.kind != TY_LIST || !ct->fields[k].type.rec) continue;
            if (t->nlists == sizeof t->lists / sizeof t->lists[0])
                t->nlists = UINT8_MAX;
            else
                t->lists[t->nlists++] = k;
        }
    }
    t->claim_id[0] = 0;
    if (ct->key_field >= 0)
        scalar_format(&ct->fields[ct->key_field].type, claim[ct->key_field], 0, 0, t->claim_id,
                      sizeof t->claim_id);
    t->ha = id_part(ID_BASIS_A, t->claim_id);
    t->hb = id_part(ID_BASIS_B, t->claim_id);
    const char *v;
    t->person_id = (v = text_at(claim, t->ct_person)) ? v : "";
    t->facility_id = (v = text_at(claim, t->ct_facility)) ? v : "";
    t->dept = (v = text_at(claim, t->ct_dept)) ? v : "";
    t->doctor = (v = text_at(claim, t->ct_doctor)) ? v : "";
    t->settle_date[0] = 0;
    int sf = t->ct_settle;
    if (sf >= 0 && ct->fields[sf].type.kind == TY_DATETIME && claim[sf].i != ARB_NULL) {
        int64_t y;
        unsigned m, d;
        int64_t s = claim[sf].i, days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
        civil_from_days(days, &y, &m, &d);
        if (y >= 0 && y <= 9999 && sizeof t->settle_date >= 11) { /* as below, without printf */
            char *o = t->settle_date;
            o[0] = (char)('0' + y / 1000), o[1] = (char)('0' + y / 100 % 10);
            o[2] = (char)('0' + y / 10 % 10), o[3] = (char)('0' + y % 10), o[4] = '-';
            o[5] = (char)('0' + m / 10), o[6] = (char)('0' + m % 10), o[7] = '-';
            o[8] = (char)('0' + d / 10), o[9] = (char)('0' + d % 10), o[10] = 0;
        } else {
            snprintf(t->settle_date, sizeof t->settle_date, "%04lld-%02u-%02u", (long long)y, m, d);
        }
    }
    jsonw_claim_set(&t->json, t->claim_id, t->person_id, t->facility_id, t->dept, t->doctor,
                    t->settle_date, t->id);
}

void engine_finding(const arb_engine *e, const Value *claim, const Finding *f, arb_finding *out,
                    FindingText *t) {
    t->ct = NULL;
    engine_finding_claim(e, claim, t);
    engine_finding_of(e, claim, f, out, t);
}

void engine_finding_of(const arb_engine *e, const Value *claim, const Finding *f, arb_finding *out,
                       FindingText *t) {
    const Program *p = e->prog;
    const Rule *r = &p->rules[f->rule];
    const Category *c = &p->cats[r->category];
    const RecordType *ct = p->claim;
    out->claim_id = t->claim_id;
    out->rule_id = r->id;
    out->rule_title = r->title ? r->title : "";
    out->category_title = c->title ? c->title : "";
    out->category = c->name;
    out->category_code = c->code;
    out->tier = tier_names[c->tier];
    out->severity = severity_names[r->severity];
    out->nature = nature_names[r->nature];
    out->points = r->points;
    out->line_no = (r->key_field >= 0 && !r->flags_claim && r->key_kind != TY_CODE &&
                    r->key_kind != TY_TEXT && f->key.i != ARB_NULL)
                       ? f->key.i
                       : -1;
    out->amount_cents = f->amount;
    out->at_risk_cents = 0;
    out->message = f->message;
    out->nevidence = f->evidence ? f->evidence->n : 0;
    out->evidence = f->evidence && f->evidence->n ? f->evidence->items : NULL;
    out->nalso_matched = f->nalso;
    out->also_matched = f->nalso ? f->also : NULL;
    /* who and where: the flagged record's department and doctor, else the
     * claim's */
    out->person_id = t->person_id;
    out->facility_id = t->facility_id;
    const RecordType *lt =
        f->target && f->target != claim ? list_record_type(ct, claim, f->target, t) : NULL;
    if (lt && lt != t->lt) {
        t->lt = lt;
        t->lt_dept = text_field_index(lt, "dept");
        t->lt_doctor = text_field_index(lt, "doctor");
        t->lt_order = text_field_index(lt, "order_no");
    }
    const char *dept = lt ? text_at(f->target, t->lt_dept) : NULL;
    const char *doctor = lt ? text_at(f->target, t->lt_doctor) : NULL;
    out->dept = dept ? dept : t->dept;
    out->doctor = doctor ? doctor : t->doctor;
    out->settle_date = t->settle_date;
    /* the id: the flagged record's order_no, else its key */
    char key[256];
    key[0] = 0;
    const char *order = lt ? text_at(f->target, t->lt_order) : NULL;
    if (order) {
        size_t n = strnlen(order, sizeof key - 1);
        memcpy(key, order, n);
        key[n] = 0;
    } else if (out->line_no >= 0) {
        char *k = key + 24; /* "%lld", without printf */
        *k = 0;
        for (uint64_t v = (uint64_t)out->line_no;; v /= 10) {
            *--k = (char)('0' + v % 10);
            if (v < 10) break;
        }
        memmove(key, k, (size_t)(key + 25 - k));
    } else if (lt && lt->key_field >= 0 && f->key.i != ARB_NULL)
        scalar_format(&lt->fields[lt->key_field].type, f->key, 0, 0, key, sizeof key);
    finding_id_from(t->ha, t->hb, r->id, key, t->id);
    out->finding_id = t->id;
}

typedef struct RiskItem {
    uintptr_t target;
    int64_t amount;
    size_t index; /* of the finding */
} RiskItem;

static int risk_cmp(const void *a, const void *b) {
    const RiskItem *x = a, *y = b;
    if (x->target != y->target) return x->target < y->target ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The claim's lists whose records have an at_risk field and which hold
 * records: their field numbers, found once per claim rather than once per
 * flagged record. */
typedef struct RiskLists {
    uint32_t k[32];
    size_t n;
    int all; /* more than fit: look through every field */
} RiskLists;

static void risk_lists(const RecordType *ct, const Value *claim, RiskLists *rl) {
    rl->n = 0;
    rl->all = 0;
    for (uint32_t k = 0; k < ct->nfields; k++) {
        const Field *f = &ct->fields[k];
        if (f->type.kind != TY_LIST || !f->type.rec || f->type.rec->at_risk_field < 0 ||
            !claim[k].l || !claim[k].l->n)
            continue;
        if (rl->n == sizeof rl->k / sizeof rl->k[0]) {
            rl->all = 1;
            return;
        }
        rl->k[rl->n++] = k;
    }
}

/* The at_risk amount (0 when missing or negative) of rec when it is a
 * record of one of the claim's lists with an at_risk field; else -1. */
static int64_t line_cap(const RecordType *ct, const Value *claim, const RiskLists *rl,
                        const Value *rec) {
    size_t n = rl->all ? ct->nfields : rl->n;
    for (size_t j = 0; j < n; j++) {
        uint32_t k = rl->all ? (uint32_t)j : rl->k[j];
        if (ct->fields[k].type.kind != TY_LIST || !ct->fields[k].type.rec) continue;
        const ArbList *l = claim[k].l;
        int32_t at = ct->fields[k].type.rec->at_risk_field;
        if (!l || !l->n || at < 0 || rec < l->items || rec >= l->items + (size_t)l->n * l->width ||
            (size_t)(rec - l->items) % l->width)
            continue;
        int64_t v = rec[at].i;
        return v == ARB_NULL || v < 0 ? 0 : v;
    }
    return -1;
}

int engine_claim_at_risk(const Program *p, const Value *claim, const Finding *f, size_t n,
                         int64_t *share, Arena *ar, int64_t *out) {
    const RecordType *ct = p->claim;
    int64_t total = ct->at_risk_field >= 0 ? claim[ct->at_risk_field].i : ARB_NULL;
    if (total == ARB_NULL || total < 0) total = 0;
    *out = 0;
    if (share)
        for (size_t i = 0; i < n; i++) share[i] = 0;
    if (!n) return 0;
    /* all on one record (one finding, or a line flagged by several rules):
     * its finding of the largest amount, the first of them, as below,
     * without a list to sort */
    size_t same = 1;
    while (same < n && f[same].target == f[0].target) same++;
    if (same == n) {
        int64_t amount = f[0].amount < 0 ? 0 : f[0].amount;
        size_t at = 0;
        for (size_t i = 1; i < n; i++)
            if (f[i].amount > amount) amount = f[i].amount, at = i;
        RiskLists rl;
        risk_lists(ct, claim, &rl);
        int64_t cap = line_cap(ct, claim, &rl, f[0].target);
        if (cap >= 0 && amount > cap) amount = cap;
        if (amount > total) amount = total; /* a line within the claim, and the claim's rest */
        if (share) share[at] = amount;
        *out = amount;
        return 0;
    }
    RiskItem *it = arena_alloc(ar, n * sizeof(RiskItem));
    if (!it) return -1;
    for (size_t i = 0; i < n; i++)
        it[i] = (RiskItem){(uintptr_t)f[i].target, f[i].amount < 0 ? 0 : f[i].amount, i};
    sort_short(it, n, sizeof(RiskItem), risk_cmp); /* a claim's few: no call per comparison */
    RiskLists rl;
    risk_lists(ct, claim, &rl);
    int64_t lines = 0, rest = 0;
    size_t rest_at = n;
    for (size_t a = 0, b; a < n; a = b) {
        int64_t amount = it[a].amount;
        size_t at = it[a].index;
        for (b = a + 1; b < n && it[b].target == it[a].target; b++)
            if (it[b].amount > amount) amount = it[b].amount, at = it[b].index;
        int64_t cap = line_cap(ct, claim, &rl, (const Value *)it[a].target);
        if (cap < 0) { /* the claim, or a record without an amount of its own */
            if (amount > rest || rest_at == n) rest = amount, rest_at = at;
            continue;
        }
        /* lines that add up to more than the claim (or than int64) */
        int64_t before = lines;
        if (__builtin_add_overflow(lines, amount < cap ? amount : cap, &lines) || lines > total)
            lines = total;
        if (share) share[at] = lines - before;
    }
    if (rest > total - lines) rest = total - lines;
    if (share && rest_at < n) share[rest_at] = rest;
    *out = lines + rest;
    return 0;
}

void arb_set_lua_limits(arb_engine *e, uint64_t instructions, size_t memory) {
    e->lua_limits.instructions = instructions;
    e->lua_limits.memory = memory;
}

/* ------------------------------------------------------------- sessions */

int arb_session_new(arb_engine *e, arb_session **out) {
    if (!e->prog)
        return engine_fail(e, ARB_ERR_USAGE, "compile the rules before opening a session");
    arb_session *s = mem_calloc(e->alloc, sizeof *s);
    if (!s) return ARB_ERR_NOMEM;
    s->e = e;
    s->vm.native = NULL;
    if (vm_init(&s->vm, e->prog, e->alloc)) {
        vm_free(&s->vm);
        mem_free(e->alloc, s, sizeof *s);
        return ARB_ERR_NOMEM;
    }
    s->vm.native = e->native;
    s->vm.lua_limits = e->lua_limits;
    arena_init(&s->ar, e->alloc, 1 << 14);
    sb_init(&s->scratch, e->alloc);
    prof_work_init(&s->pw, e->alloc);
    hist_reversal_init(&s->hrev, e->prog);
    notes_init(&s->notes, e->alloc);
    *out = s;
    return ARB_OK;
}

void arb_session_free(arb_session *s) {
    if (!s) return;
    Alloc a = s->e->alloc;
    vm_free(&s->vm);
    if (s->src_of) hsrc_free(&s->src);
    sb_free(&s->scratch);
    prof_work_free(&s->pw);
    notes_free(&s->notes);
    arena_free(&s->ar);
    mem_free(a, s, sizeof *s);
}

const char *arb_session_errmsg(const arb_session *s) {
    return s->errmsg;
}

const char *arb_session_ignored(const arb_session *s, size_t i) {
    return i < s->notes.n ? s->notes.v[i].name : NULL;
}

/* Readies the session for the next check: its arena, findings, message,
 * the unread input fields and the claims of the last check forgotten. */
static void session_reset(arb_session *s) {
    arena_reset(&s->ar);
    vm_clear(&s->vm);
    s->errmsg[0] = 0;
    s->nlast = 0;
    s->last = NULL;
    if (s->notes.n) {
        notes_free(&s->notes);
        notes_init(&s->notes, s->e->alloc);
    }
}

/* Sets the session up to read history() from the engine's store, and
 * starts its read transactions. */
static int session_history(arb_session *s) {
    arb_history *h = s->e->history;
    if (s->src_of && (!h || s->src_gen != s->e->history_gen)) {
        hsrc_free(&s->src); /* holds no transaction between calls */
        s->src_of = NULL;
        s->vm.hist_fn = NULL;
    }
    if (!h) return ARB_OK;
    if (!s->src_of) {
        if (hsrc_init(&s->src, s->e->prog, h->st, NULL, s->e->alloc)) {
            hsrc_free(&s->src);
            snprintf(s->errmsg, sizeof s->errmsg, "%s", _("out of memory"));
            return ARB_ERR_NOMEM;
        }
        s->src_of = h->st;
        s->src_gen = s->e->history_gen;
        hsrc_install(&s->src, &s->vm);
    }
    int rc = hsrc_begin(&s->src, s->errmsg, sizeof s->errmsg);
    if (rc) hsrc_release(&s->src);
    return rc == -2 ? ARB_ERR_NOMEM : rc ? ARB_ERR_IO : ARB_OK;
}

/* Checks one claim of the session (into vm->findings), with the person's
 * history from the engine's store: 1 when it is a reversal (not audited),
 * else ARB_OK or an ARB_ERR_ code; *damaged when a stored claim could not
 * be read. */
static int session_check_claim(arb_session *s, const Value *claim, unsigned phases, int *damaged) {
    const ArbStr *target;
    *damaged = 0;
    if (hist_reversal(&s->hrev, claim, &target)) return 1;
    vm_clear(&s->vm);
    int rc = session_history(s);
    if (rc != ARB_OK) return rc;
    if (s->src_of) hsrc_set_claim(&s->src, claim, 0);
    int crc = vm_check_claim(&s->vm, (Value *)claim, phases ? phases : ARB_PHASE_ALL, &s->ar);
    *damaged = s->src_of && s->src.failed;
    if (s->src_of) hsrc_release(&s->src);
    if (crc != 0) {
        snprintf(s->errmsg, sizeof s->errmsg, "%s", _("out of memory"));
        return ARB_ERR_NOMEM;
    }
    return ARB_OK;
}

/* Each finding's part of the claim's money at risk once per line (in the
 * session's arena); NULL when there are none or out of memory. */
static int64_t *claim_shares(arb_session *s, const Value *claim, int64_t *once) {
    size_t n = s->vm.nfindings;
    int64_t *share = n ? arena_alloc(&s->ar, n * sizeof(int64_t)) : NULL;
    if (!share || engine_claim_at_risk(s->e->prog, claim, s->vm.findings, n, share, &s->ar, once))
        return NULL;
    return share;
}

int arb_session_check_json(arb_session *s, const char *json, size_t len, unsigned phases,
                           void (*on_finding)(void *ud, const arb_finding *f), void *ud) {
    session_reset(s);
    const Value *claim;
    size_t off = 0;
    JsonrOptions o = {NULL, &s->notes, 0, 0, 0, 0};
    notes_next_record(&s->notes);
    char msg[480];
    int prc = jsonr_parse_ex(s->e->json, json, len, &s->ar, &o, &claim, msg, sizeof msg, &off);
    if (prc == -2) return ARB_ERR_NOMEM;
    if (prc != 0) {
        snprintf(s->errmsg, sizeof s->errmsg, _("column %zu: %s"), off + 1, msg);
        return ARB_ERR_DATA;
    }
    s->one = claim;
    s->last = &s->one;
    s->nlast = 1;
    int damaged, rc = session_check_claim(s, claim, phases, &damaged);
    if (rc == 1) return ARB_OK; /* a reversal is not audited */
    if (rc != ARB_OK) return rc;
    FindingText ft;
    ft.ct = NULL;
    int64_t once, *share = claim_shares(s, claim, &once);
    if (s->vm.nfindings && !share) return ARB_ERR_NOMEM;
    if (s->vm.nfindings) engine_finding_claim(s->e, claim, &ft);
    for (size_t i = 0; i < s->vm.nfindings; i++) {
        arb_finding f;
        engine_finding_of(s->e, claim, &s->vm.findings[i], &f, &ft);
        f.at_risk_cents = share[i];
        if (on_finding) on_finding(ud, &f);
    }
    if (s->vm.nfailures) /* the other rules ran; say which one did not */
        snprintf(s->errmsg, sizeof s->errmsg, _("rule %s: %s"),
                 s->e->prog->rules[s->vm.failures[0].rule].id, s->vm.failures[0].message);
    if (damaged) { /* the findings were given; say that history was short */
        snprintf(s->errmsg, sizeof s->errmsg,
                 _("history store %s: a stored claim of this person could not be read (damaged); "
                   "the claim was checked without it"),
                 hstore_dir(s->e->history->st));
        return ARB_ERR_IO;
    }
    return ARB_OK;
}

/* The string field `name` of record rec of type rt, or NULL. */
static const char *str_field(const RecordType *rt, const Value *rec, const char *name) {
    int f = record_field_index(rt, name, strlen(name));
    if (f < 0 || !type_is_string(rt->fields[f].type.kind) || !rec[f].s) return NULL;
    return rec[f].s->data;
}

/* The claim's line whose key is line_no (in its `lines` list), or NULL. */
static const Value *line_of(const RecordType *ct, const Value *claim, int64_t line_no,
                            const RecordType **lt) {
    int lf = record_field_index(ct, "lines", 5);
    if (lf < 0 || ct->fields[lf].type.kind != TY_LIST || !claim[lf].l) return NULL;
    *lt = ct->fields[lf].type.rec;
    int32_t key = (*lt)->key_field;
    for (uint32_t i = 0; key >= 0 && i < claim[lf].l->n; i++) {
        const Value *r = list_item(claim[lf].l, i);
        if (r[key].i == line_no) return r;
    }
    return NULL;
}

int arb_session_check_input(arb_session *s, const char *profile, const char *body, size_t len,
                            unsigned phases,
                            void (*on_finding)(void *ud, const arb_input_finding *f), void *ud,
                            size_t *nclaims) {
    session_reset(s);
    if (nclaims) *nclaims = 0;
    const Prof *pf = profile ? engine_profile(s->e, profile) : NULL;
    if (!pf || prof_profile(pf)->format != PROF_JSON) {
        snprintf(s->errmsg, sizeof s->errmsg, _("no JSON input profile '%s' in the rules"),
                 profile ? profile : "(null)");
        return ARB_ERR_USAGE;
    }
    char msg[480];
    size_t off = 0;
    JsonrOptions o = {NULL, &s->notes, 0, 0, 0, 0};
    int prc = prof_read_json(pf, &s->pw, s->e->json, body, len, &s->ar, &o, msg, sizeof msg, &off);
    if (prc == -2) return ARB_ERR_NOMEM;
    if (prc != 0) {
        snprintf(s->errmsg, sizeof s->errmsg, _("column %zu: %s"), off + 1, msg);
        return ARB_ERR_DATA;
    }
    if (nclaims) *nclaims = s->pw.nclaims;
    s->last = s->pw.claims;
    s->nlast = s->pw.nclaims;
    const RecordType *ct = s->e->prog->claim;
    int lf = record_field_index(ct, "lines", 5);
    const RecordType *lt = lf >= 0 ? ct->fields[lf].type.rec : NULL;
    int cur = lt ? record_field_index(lt, "is_current", 10) : -1;
    int rc = ARB_OK;
    for (size_t k = 0; k < s->pw.nclaims && rc == ARB_OK; k++) {
        const Value *claim = s->pw.claims[k];
        int damaged;
        rc = session_check_claim(s, claim, phases, &damaged);
        if (rc == 1) { /* a reversal is not audited */
            rc = ARB_OK;
            continue;
        }
        if (rc == ARB_ERR_NOMEM) return rc;
        if (rc != ARB_OK) break;
        FindingText ft;
        ft.ct = NULL;
        int64_t once, *share = claim_shares(s, claim, &once);
        if (s->vm.nfindings && !share) return ARB_ERR_NOMEM;
        if (s->vm.nfindings) engine_finding_claim(s->e, claim, &ft);
        for (size_t i = 0; i < s->vm.nfindings; i++) {
            arb_finding f;
            engine_finding_of(s->e, claim, &s->vm.findings[i], &f, &ft);
            f.at_risk_cents = share[i];
            arb_input_finding in = {&f, k, str_field(ct, claim, "person_id"), NULL, -1};
            const RecordType *rt = NULL;
            const Value *line = f.line_no >= 0 ? line_of(ct, claim, f.line_no, &rt) : NULL;
            if (line) {
                in.order_no = str_field(rt, line, "order_no");
                if (cur >= 0 && rt->fields[cur].type.kind == TY_BOOL && line[cur].i != ARB_NULL)
                    in.is_current = (int)line[cur].i;
            }
            if (on_finding) on_finding(ud, &in);
        }
        if (s->vm.nfailures)
            snprintf(s->errmsg, sizeof s->errmsg, _("rule %s: %s"),
                     s->e->prog->rules[s->vm.failures[0].rule].id, s->vm.failures[0].message);
    }
    return rc;
}

/* ------------------------------------------------------------------ packs */

int arb_write_pack(arb_engine *e, const char *path) {
    if (!e->prog) return engine_fail(e, ARB_ERR_USAGE, "compile the rules before writing a pack");
    size_t n = e->sources.n;
    for (size_t i = 0; i < n; i++)
        if (outf_same_target(path, e->sources.items[i].path))
            return engine_fail(e, ARB_ERR_USAGE,
                               "the pack %s is the source %s: refusing to overwrite it", path,
                               e->sources.items[i].path);
    PackSource *src = mem_alloc(e->alloc, (n + 1) * sizeof(PackSource));
    if (!src) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        src[i].path = e->sources.items[i].path;
        src[i].hash = pack_hash(e->sources.items[i].text, e->sources.items[i].len);
    }
    char err[512];
    int rc = pack_write(e->prog, src, n, path, &e->pack_checksum, err, sizeof err);
    mem_free(e->alloc, src, (n + 1) * sizeof(PackSource));
    return rc ? engine_fail(e, ARB_ERR_IO, "%s", err) : ARB_OK;
}

/* The pack hash of a file's bytes (mapped, not copied: rule sources run to
 * tens of megabytes); -1 when it cannot be read, 1 when it is there but not
 * a regular file (a FIFO, a device, a directory: never opened for reading,
 * which could block). */
static int file_hash(const char *path, uint64_t *out) {
    struct stat sb;
    if (stat(path, &sb) != 0) return -1;
    if (!S_ISREG(sb.st_mode)) return 1;
    /* O_NONBLOCK: replaced by a FIFO since the stat, the open does not wait */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = -1;
    if (fstat(fd, &sb) != 0) {
        rc = -1;
    } else if (!S_ISREG(sb.st_mode)) {
        rc = 1;
    } else {
        size_t n = (size_t)sb.st_size;
        void *m = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
        if (!n || m != MAP_FAILED) {
            *out = pack_hash(n ? m : "", n);
            if (n) munmap(m, n);
            rc = 0;
        }
    }
    close(fd);
    return rc;
}

uint64_t arb_pack_id(const arb_engine *e) {
    return e->pack_checksum;
}

int arb_load_pack(arb_engine *e, const char *path) {
    drop_program(e);
    char err[512];
    const PackSource *src;
    size_t n;
    uint64_t sum;
    Program *p = pack_load(path, e->alloc, &src, &n, &sum, err, sizeof err);
    if (!p) return engine_fail(e, ARB_ERR_RULES, "%s", err);
    for (size_t i = 0; i < n; i++) {
        uint64_t h;
        int rc = file_hash(src[i].path, &h);
        if (rc == 1) {
            engine_fail(e, ARB_ERR_RULES,
                        "%s was built from other sources: %s is not a regular file now (a FIFO, "
                        "a device or a directory); rebuild it with 'arbiter compile'",
                        path, src[i].path);
            program_free(p);
            return ARB_ERR_RULES;
        }
        if (rc == 0 && h != src[i].hash) {
            /* the message first: the path lives in the pack's mapping */
            engine_fail(e, ARB_ERR_RULES,
                        "%s was built from other sources: %s has changed since; rebuild it "
                        "with 'arbiter compile'",
                        path, src[i].path);
            program_free(p);
            return ARB_ERR_RULES;
        }
    }
    e->prog = p;
    e->pack_checksum = sum;
    e->json = jsonr_new(p->claim, e->alloc);
    if (!e->json || ready_profiles(e)) {
        drop_program(e);
        return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    }
    return ARB_OK;
}

typedef struct NativeLib {
    void *handle;
    NativeCode nc;
} NativeLib;

static void native_lib_free(void *p) {
    NativeLib *l = p;
    dlclose(l->handle);
    free(l);
}

int arb_load_native(arb_engine *e, const char *so_path) {
    if (!e->prog || !e->pack_checksum)
        return engine_fail(e, ARB_ERR_USAGE, "load a pack before its native code");
    /* a bare name is a file here, not a library for dlopen to search for */
    char local[4096];
    if (!strchr(so_path, '/')) snprintf(local, sizeof local, "./%s", so_path);
    void *h = dlopen(strchr(so_path, '/') ? so_path : local, RTLD_NOW | RTLD_LOCAL);
    if (!h) return engine_fail(e, ARB_ERR_RULES, "cannot load native code: %s", dlerror());
    const NativeInfo *info = dlsym(h, NATIVE_SYM_INFO);
    NativeFn *entry = dlsym(h, NATIVE_SYM_ENTRY), *bound = dlsym(h, NATIVE_SYM_BOUND);
    const char *why = NULL;
    if (!info || !entry || !bound)
        why = _("is not native code made by 'arbiter compile --native'");
    else if (info->format != NATIVE_FORMAT)
        why = _("was made by another version of arbiter");
    else if (info->nrules != e->prog->nrules || info->pack_checksum != e->pack_checksum)
        why = _("was made for another pack");
    NativeLib *l = why ? NULL : calloc(1, sizeof *l);
    if (why || !l) {
        dlclose(h);
        return engine_fail(e, why ? ARB_ERR_RULES : ARB_ERR_NOMEM,
                           "%s %s; rebuild it with 'arbiter compile --native'", so_path,
                           why ? why : _("could not be loaded (out of memory)"));
    }
    l->handle = h;
    l->nc.entry = entry;
    l->nc.bound = bound;
    l->nc.nrules = info->nrules;
    engine_set_native(e, &l->nc, l, native_lib_free);
    return ARB_OK;
}

int arb_engine_report_config(const arb_engine *e, arb_report_config *out) {
    if (!e->prog) return ARB_ERR_USAGE;
    *out = e->prog->report; /* report_cfg.h; filled by the checker or the pack */
    return ARB_OK;
}
