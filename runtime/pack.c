/* pack.c — writing and loading rule packs (see pack.h).
 *
 * Layout: a 64-byte header (magic, format version, content length, FNV-1a
 * 64 checksum of the content) and the content: little-endian integers, with
 * strings stored as ArbStr (length, hash, bytes, NUL) aligned to 8 bytes so
 * the loader can point at them in the mapping, and the bytecode likewise. */
#include "pack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "outfile.h"
#include "profile.h"
#include "report_cfg.h"
#include "strbuf.h"
#include "verify.h"

#define HEADER 64

/* FNV-style mixing of 8 bytes at a time (the content is hashed on every
 * load, so speed matters), then the tail byte by byte. */
uint64_t pack_hash(const void *data, size_t n) {
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 1099511628211ull;
        h ^= h >> 29;
    }
    for (; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* ----------------------------------------------------------------- writer */

typedef struct W {
    StrBuf b;
    const Program *p;
} W;

static void put_u32(W *w, uint32_t v) {
    sb_putn(&w->b, (const char *)&v, 4);
}
static void put_i32(W *w, int32_t v) {
    sb_putn(&w->b, (const char *)&v, 4);
}
static void put_i64(W *w, int64_t v) {
    sb_putn(&w->b, (const char *)&v, 8);
}
static void pad8(W *w) {
    while (w->b.len % 8) sb_putc(&w->b, 0);
}

/* A string as an ArbStr image, or a lone 0xffffffff for NULL. */
static void put_str(W *w, const char *s, size_t n) {
    pad8(w);
    if (!s) {
        put_u32(w, UINT32_MAX);
        put_u32(w, 0);
        return;
    }
    put_u32(w, (uint32_t)n);
    put_u32(w, str_hash(s, n));
    sb_putn(&w->b, s, n);
    sb_putc(&w->b, 0);
}

static void put_cstr(W *w, const char *s) {
    put_str(w, s, s ? strlen(s) : 0);
}

static void put_arbstr(W *w, const ArbStr *s) {
    put_str(w, s ? s->data : NULL, s ? s->len : 0);
}

static int32_t index_of(const void *const *arr, uint32_t n, const void *x) {
    for (uint32_t i = 0; i < n; i++)
        if (arr[i] == x) return (int32_t)i;
    return -1;
}

static void put_type(W *w, const Type *t) {
    const Program *p = w->p;
    put_u32(w, t->kind | (uint32_t)t->elem << 8);
    put_i32(w, t->enm ? index_of((const void *const *)p->enums, p->nenums, t->enm) : -1);
    put_i32(w, t->rec ? index_of((const void *const *)p->records, p->nrecords, t->rec) : -1);
}

static void put_value(W *w, const Type *t, Value v) {
    if (type_is_string(t->kind))
        put_arbstr(w, v.s);
    else
        put_i64(w, v.i);
}

static void put_record_type(W *w, const RecordType *rt) {
    put_cstr(w, rt->name);
    put_u32(w, rt->nfields);
    put_i32(w, rt->key_field);
    put_i32(w, rt->at_risk_field);
    put_i32(w, rt->as_of_field);
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        put_str(w, fd->name, fd->name_len);
        put_type(w, &fd->type);
        put_u32(w, fd->required | fd->key << 8 | (uint32_t)fd->at_risk << 16 |
                       (uint32_t)fd->as_of << 24);
        put_i32(w, fd->derived);
        put_u32(w, fd->decl_off);
        put_cstr(w, fd->formula);
    }
}

static void put_table(W *w, const Table *t) {
    put_cstr(w, t->name);
    put_cstr(w, t->path);
    put_record_type(w, &t->rt);
    put_i32(w, t->key_col);
    put_u32(w, t->key_prefix);
    put_u32(w, t->nrows);
    for (uint32_t r = 0; r < t->nrows; r++)
        for (uint32_t f = 0; f < t->rt.nfields; f++)
            put_value(w, &t->rt.fields[f].type, table_row(t, r)[f]);
    /* the key index as built (format 13): the slots and rowids as they lie
     * in memory, and each key's range of rowids (its bytes are the rows') */
    if (t->key_col < 0 || t->nrows == 0) return;
    int built = t->slots != NULL;
    put_u32(w, built ? t->nkeys : 0);
    put_u32(w, built ? t->mask : 0);
    put_u32(w, built ? t->nrowids : 0);
    if (!built) return;
    pad8(w);
    sb_putn(&w->b, (const char *)t->slots, ((size_t)t->mask + 1) * sizeof(TableSlot));
    pad8(w);
    sb_putn(&w->b, (const char *)t->rowids, (size_t)t->nrowids * sizeof(uint32_t));
    for (uint32_t k = 0; k < t->nkeys; k++)
        put_u32(w, t->keys[k].first), put_u32(w, t->keys[k].count);
}

/* A string that may be NULL (a dict's "missing"). */
static void put_ostr(W *w, const char *s) {
    put_u32(w, s != NULL);
    if (s) put_cstr(w, s);
}

static void put_strs(W *w, const char *const *v, uint32_t n) {
    put_u32(w, n);
    for (uint32_t i = 0; i < n; i++) put_cstr(w, v[i]);
}

/* The input profiles (format 10). */
static void put_profiles(W *w, const Program *p) {
    put_u32(w, p->nprofiles);
    for (uint32_t i = 0; i < p->nprofiles; i++) {
        const Profile *pf = &p->profiles[i];
        put_cstr(w, pf->name);
        put_cstr(w, pf->title);
        put_u32(w, pf->format);
        put_ostr(w, pf->claims);
        put_strs(w, pf->ignore, pf->nignore);
        put_u32(w, pf->ndicts);
        for (uint32_t k = 0; k < pf->ndicts; k++) {
            put_cstr(w, pf->dicts[k].name);
            put_u32(w, pf->dicts[k].n);
            for (uint32_t j = 0; j < pf->dicts[k].n; j++) {
                put_cstr(w, pf->dicts[k].from[j]);
                put_ostr(w, pf->dicts[k].to[j]);
            }
        }
        put_u32(w, pf->nrecords);
        for (uint32_t k = 0; k < pf->nrecords; k++) {
            const ProfRecord *r = &pf->records[k];
            put_i32(w, r->list_field);
            put_ostr(w, r->path);
            put_u32(w, r->nmaps);
            for (uint32_t j = 0; j < r->nmaps; j++) {
                const ProfMap *m = &r->maps[j];
                put_u32(w, m->field);
                put_u32(w, m->position);
                put_ostr(w, m->path);
                put_i32(w, m->dict);
                put_strs(w, m->formats, m->nformats);
                put_strs(w, m->missing, m->nmissing);
                put_ostr(w, m->deflt);
            }
        }
    }
}

static void put_double(W *w, double d) {
    int64_t v;
    memcpy(&v, &d, 8);
    put_i64(w, v);
}

/* The report configuration (format 12, report_cfg.h). */
static void put_report(W *w, const Program *p) {
    const arb_report_config *c = &p->report;
    put_i32(w, c->declared);
    put_i32(w, c->ledger_rolling);
    put_u32(w, (uint32_t)c->nsteps);
    for (size_t i = 0; i < c->nsteps; i++) {
        put_i32(w, c->steps[i].points);
        put_cstr(w, c->steps[i].sanction);
    }
    put_u32(w, (uint32_t)c->nindicators);
    for (size_t i = 0; i < c->nindicators; i++) {
        const arb_report_indicator *x = &c->indicators[i];
        int k =
            x->key ? rcfg_index(rcfg_indicator_keys, RCFG_INDICATORS, x->key, strlen(x->key)) : -1;
        put_i32(w, k);
        put_double(w, x->weight);
        put_double(w, x->good);
        put_double(w, x->bad);
    }
    for (int i = 0; i < 3; i++) put_double(w, c->grade_cut[i]);
    put_u32(w, (uint32_t)c->nroutes);
    for (size_t i = 0; i < c->nroutes; i++) {
        put_i32(w, c->routes[i].level);
        put_u32(w, (uint32_t)c->routes[i].ncond);
        for (size_t k = 0; k < c->routes[i].ncond; k++) {
            put_i32(w, c->routes[i].cond[k].op);
            put_ostr(w, c->routes[i].cond[k].value);
        }
    }
}

/* The content of p's pack, in w.b of the result (w.b.oom when memory ran
 * out). */
static W put_content(const Program *p, const PackSource *sources, size_t nsources) {
    W w;
    sb_init(&w.b, p->ar.alloc);
    w.p = p;
    put_u32(&w, (uint32_t)nsources);
    for (size_t i = 0; i < nsources; i++) {
        put_cstr(&w, sources[i].path);
        put_i64(&w, (int64_t)sources[i].hash);
    }
    put_u32(&w, p->nenums);
    for (uint32_t i = 0; i < p->nenums; i++) {
        const EnumType *e = p->enums[i];
        put_cstr(&w, e->name);
        put_u32(&w, e->n);
        for (uint32_t k = 0; k < e->n; k++) put_cstr(&w, e->members[k]), put_cstr(&w, e->labels[k]);
        put_u32(&w, e->ncodes);
        for (uint32_t k = 0; k < e->ncodes; k++)
            put_cstr(&w, e->codes[k]), put_u32(&w, e->code_member[k]);
    }
    put_u32(&w, p->nrecords);
    for (uint32_t i = 0; i < p->nrecords; i++) put_record_type(&w, p->records[i]);
    put_i32(&w, index_of((const void *const *)p->records, p->nrecords, p->claim));
    put_u32(&w, p->ncats);
    for (uint32_t i = 0; i < p->ncats; i++) {
        const Category *c = &p->cats[i];
        put_cstr(&w, c->name), put_cstr(&w, c->title), put_cstr(&w, c->code);
        put_u32(&w, c->tier | c->severity << 8 | (uint32_t)c->nature << 16);
        put_i32(&w, c->points);
    }
    put_u32(&w, p->ntables);
    for (uint32_t i = 0; i < p->ntables; i++) put_table(&w, p->tables[i]);
    put_u32(&w, p->nrules);
    for (uint32_t i = 0; i < p->nrules; i++) {
        const Rule *r = &p->rules[i];
        put_cstr(&w, r->id), put_cstr(&w, r->title);
        put_u32(&w, r->category);
        put_u32(&w, r->phases | r->severity << 8 | (uint32_t)r->nature << 16 |
                        (uint32_t)r->flags_claim << 24);
        put_i32(&w, r->points);
        put_i64(&w, r->eff_from), put_i64(&w, r->eff_to);
        put_i32(&w, r->key_field);
        put_u32(&w, r->key_kind);
        put_u32(&w, r->entry), put_u32(&w, r->code_end);
        put_u32(&w, r->ops), put_u32(&w, r->nops);
        put_i32(&w, r->index), put_i32(&w, r->bound_slot);
        put_u32(&w, r->bound_entry), put_u32(&w, r->bound_end);
        put_i32(&w, r->row_slot), put_i32(&w, r->row_key_col);
        put_u32(&w, r->nlocals | (uint32_t)r->maxstack << 16);
        put_u32(&w, r->off), put_u32(&w, r->end);
    }
    put_u32(&w, p->ncode);
    pad8(&w);
    sb_putn(&w.b, (const char *)p->code, p->ncode * sizeof(int32_t));
    put_u32(&w, p->nops);
    pad8(&w);
    sb_putn(&w.b, (const char *)p->ops, p->nops * sizeof(int32_t));
    put_u32(&w, p->nconsts);
    for (uint32_t i = 0; i < p->nconsts; i++) {
        put_type(&w, &p->const_types[i]);
        put_value(&w, &p->const_types[i], p->consts[i]);
    }
    put_u32(&w, p->nsets);
    for (uint32_t i = 0; i < p->nsets; i++) put_table(&w, p->sets[i]);
    put_u32(&w, p->nintsets);
    for (uint32_t i = 0; i < p->nintsets; i++) {
        put_u32(&w, p->intsets[i].n);
        for (uint32_t k = 0; k < p->intsets[i].n; k++) put_i64(&w, p->intsets[i].v[k]);
    }
    put_u32(&w, p->nregexes);
    for (uint32_t i = 0; i < p->nregexes; i++) put_cstr(&w, p->regex_src[i]);
    put_u32(&w, p->ntemplates);
    for (uint32_t i = 0; i < p->ntemplates; i++) {
        const Template *t = &p->templates[i];
        put_u32(&w, t->nparts);
        for (uint32_t k = 0; k < t->nparts; k++) {
            put_str(&w, t->parts[k].text, t->parts[k].len);
            put_type(&w, &t->parts[k].type);
        }
    }
    put_u32(&w, p->nindexes);
    for (uint32_t i = 0; i < p->nindexes; i++) {
        put_i32(&w, p->indexes[i].list_field);
        put_i32(&w, p->indexes[i].field);
        put_table(&w, p->indexes[i].keys);
    }
    put_u32(&w, p->nscan_rules);
    for (uint32_t i = 0; i < p->nscan_rules; i++) put_u32(&w, p->scan_rules[i]);
    put_u32(&w, (uint32_t)p->has_prepare);
    put_u32(&w, p->prepare_entry);
    put_u32(&w, p->prepare_ops), put_u32(&w, p->prepare_nops);
    put_u32(&w, p->prepare_nlocals | (uint32_t)p->prepare_maxstack << 16);
    put_u32(&w, p->nlua_modules);
    for (uint32_t i = 0; i < p->nlua_modules; i++) {
        put_cstr(&w, p->lua_modules[i].chunk);
        put_cstr(&w, p->lua_modules[i].name);
        put_str(&w, p->lua_modules[i].src, p->lua_modules[i].len);
    }
    put_u32(&w, p->nlua_funcs);
    for (uint32_t i = 0; i < p->nlua_funcs; i++) {
        const LuaFunc *f = &p->lua_funcs[i];
        put_cstr(&w, f->name);
        put_u32(&w, f->module);
        put_u32(&w, f->nparams);
        for (uint32_t k = 0; k <= f->nparams; k++) {
            const Type *t = k < f->nparams ? &f->params[k] : &f->result;
            put_type(&w, t);
            /* a table's rows: the table (their record type is the table's) */
            put_i32(&w,
                    t->table ? index_of((const void *const *)p->tables, p->ntables, t->table) : -1);
        }
    }
    put_profiles(&w, p);
    put_report(&w, p);
    return w;
}

/* The header of a pack whose content is content[0..len). */
static uint64_t put_header(unsigned char hdr[HEADER], const char *content, size_t len) {
    memset(hdr, 0, HEADER);
    memcpy(hdr, PACK_MAGIC, sizeof PACK_MAGIC);
    uint32_t version = PACK_FORMAT;
    uint64_t len64 = len, sum = pack_hash(content, len);
    memcpy(hdr + 8, &version, 4);
    memcpy(hdr + 16, &len64, 8);
    memcpy(hdr + 24, &sum, 8);
    return sum;
}

int pack_write_mem(const Program *p, const PackSource *sources, size_t nsources, StrBuf *out,
                   uint64_t *checksum) {
    W w = put_content(p, sources, nsources);
    unsigned char hdr[HEADER];
    *checksum = put_header(hdr, w.b.p, w.b.len);
    sb_putn(out, (const char *)hdr, HEADER);
    sb_putn(out, w.b.p, w.b.len);
    int oom = w.b.oom || out->oom;
    sb_free(&w.b);
    return oom ? -1 : 0;
}

int pack_write(const Program *p, const PackSource *sources, size_t nsources, const char *path,
               uint64_t *checksum, char *err, size_t errcap) {
    W w = put_content(p, sources, nsources);
    if (w.b.oom) {
        sb_free(&w.b);
        snprintf(err, errcap, _("out of memory writing %s"), path);
        return -1;
    }
    unsigned char hdr[HEADER];
    *checksum = put_header(hdr, w.b.p, w.b.len);
    /* a temporary file renamed over path when complete (outfile.h) */
    OutFile f;
    int e = outf_open(&f, path, p->ar.alloc);
    if (!e) e = outf_write(&f, hdr, HEADER);
    if (!e) e = outf_write(&f, w.b.p, w.b.len);
    if (e)
        outf_abort(&f);
    else
        e = outf_commit(&f, 1);
    sb_free(&w.b);
    if (e) {
        snprintf(err, errcap, _("cannot write %s: %s"), path, strerror(e));
        return -1;
    }
    return 0;
}

/* ----------------------------------------------------------------- loader */

typedef struct R {
    const char *p, *end, *base;
    Program *prog;
    int bad;
    size_t bad_at; /* byte offset where the content stopped making sense */
    int bad_line;  /* which check (for reports) */
} R;

static void mark_bad(R *r, int line) {
    if (!r->bad) {
        r->bad_at = (size_t)(r->p - r->base);
        r->bad_line = line;
    }
    r->bad = 1;
}

static int need(R *r, size_t n) {
    if (r->bad || (size_t)(r->end - r->p) < n) {
        mark_bad(r, __LINE__);
        return 0;
    }
    return 1;
}

static uint32_t get_u32(R *r) {
    uint32_t v = 0;
    if (need(r, 4)) memcpy(&v, r->p, 4), r->p += 4;
    return v;
}
static int32_t get_i32(R *r) {
    return (int32_t)get_u32(r);
}
static int64_t get_i64(R *r) {
    int64_t v = 0;
    if (need(r, 8)) memcpy(&v, r->p, 8), r->p += 8;
    return v;
}
static void skip_pad8(R *r) {
    size_t off = (size_t)(r->p - r->base);
    size_t k = (8 - off % 8) % 8;
    if (need(r, k)) r->p += k;
}

/* A string in place in the mapping (NULL for a stored NULL). */
static const ArbStr *get_arbstr(R *r) {
    skip_pad8(r);
    if (!need(r, 8)) return NULL;
    const ArbStr *s = (const ArbStr *)r->p;
    uint32_t len;
    memcpy(&len, r->p, 4);
    if (len == UINT32_MAX) {
        r->p += 8;
        return NULL;
    }
    if (!need(r, 8 + (size_t)len + 1) || r->p[8 + len] != 0) {
        mark_bad(r, __LINE__);
        return NULL;
    }
    r->p += 8 + len + 1;
    return s;
}

static const char *get_cstr(R *r) {
    const ArbStr *s = get_arbstr(r);
    return s ? s->data : NULL;
}

static void *alloc(R *r, size_t n) {
    void *p = arena_alloc(&r->prog->ar, n ? n : 1);
    if (!p) mark_bad(r, __LINE__);
    return p;
}

static void get_type(R *r, Type *t) {
    uint32_t k = get_u32(r);
    int32_t e = get_i32(r), rec = get_i32(r);
    memset(t, 0, sizeof *t);
    t->kind = (uint8_t)(k & 0xff);
    t->elem = (uint8_t)(k >> 8);
    if (t->kind >= TY__COUNT) mark_bad(r, __LINE__);
    if (e >= 0) {
        if ((uint32_t)e >= r->prog->nenums)
            mark_bad(r, __LINE__);
        else
            t->enm = r->prog->enums[e];
    }
    if (rec >= 0) {
        if ((uint32_t)rec >= r->prog->nrecords)
            mark_bad(r, __LINE__);
        else
            t->rec = r->prog->records[rec];
    }
    if ((t->kind == TY_ENUM && !t->enm) || (t->kind == TY_LIST && !t->rec)) mark_bad(r, __LINE__);
}

static Value get_value(R *r, const Type *t) {
    Value v;
    if (type_is_string(t->kind))
        v.s = get_arbstr(r);
    else
        v.i = get_i64(r);
    return v;
}

static void get_record_type(R *r, RecordType *rt) {
    rt->name = get_cstr(r);
    rt->nfields = get_u32(r);
    rt->key_field = get_i32(r);
    rt->at_risk_field = get_i32(r);
    rt->as_of_field = get_i32(r);
    if (r->bad || rt->nfields > 4096) {
        mark_bad(r, __LINE__);
        return;
    }
    rt->fields = alloc(r, rt->nfields * sizeof(Field));
    for (uint32_t f = 0; f < rt->nfields && !r->bad; f++) {
        Field *fd = &rt->fields[f];
        const ArbStr *name = get_arbstr(r);
        fd->name = name ? name->data : "";
        fd->name_len = name ? name->len : 0;
        get_type(r, &fd->type);
        uint32_t flags = get_u32(r);
        fd->required = flags & 1, fd->key = (flags >> 8) & 1, fd->at_risk = (flags >> 16) & 1,
        fd->as_of = (flags >> 24) & 1;
        fd->derived = get_i32(r);
        fd->decl_off = get_u32(r);
        fd->formula = get_cstr(r);
    }
    if (r->bad) return;
    /* the key is a code or a number, the amount at risk money, the as-of
     * field a date */
    const int32_t special[3] = {rt->key_field, rt->at_risk_field, rt->as_of_field};
    for (int i = 0; i < 3; i++) {
        if (special[i] < -1 || special[i] >= (int32_t)rt->nfields) {
            mark_bad(r, __LINE__);
            return;
        }
        if (special[i] < 0) continue;
        uint8_t k = rt->fields[special[i]].type.kind;
        if (i == 0   ? !type_is_string(k) && !type_is_int64(k)
            : i == 1 ? k != TY_MONEY
                     : k != TY_DATE && k != TY_DATETIME)
            mark_bad(r, __LINE__);
    }
}

/* Points t's index at the one stored after its rows (format 13).  Here only
 * what building the keys needs is checked (each key's range lies within the
 * rowids and its first row exists and has a key); verify_program checks the
 * rest against the rows before anything runs. */
static void get_index(R *r, Table *t) {
    t->nkeys = t->nrowids = t->nprefix_lens = 0;
    if (t->key_col < 0 || t->nrows == 0) return;
    t->nkeys = get_u32(r);
    t->mask = get_u32(r);
    t->nrowids = get_u32(r);
    uint32_t cap = table_index_cap(t->nrows);
    if (r->bad || t->mask != cap - 1 || t->nkeys > t->nrowids || t->nrowids > t->nrows) {
        mark_bad(r, __LINE__);
        return;
    }
    skip_pad8(r);
    if (!need(r, (size_t)cap * sizeof(TableSlot))) return;
    t->slots = (TableSlot *)r->p;
    r->p += (size_t)cap * sizeof(TableSlot);
    skip_pad8(r);
    if (!need(r, (size_t)t->nrowids * sizeof(uint32_t))) return;
    t->rowids = (uint32_t *)r->p;
    r->p += (size_t)t->nrowids * sizeof(uint32_t);
    if (!need(r, (size_t)t->nkeys * 8)) return;
    t->keys = table_alloc_keys(&r->prog->ar, t->nkeys);
    if (!t->keys) {
        mark_bad(r, __LINE__);
        return;
    }
    for (uint32_t k = 0; k < t->nkeys && !r->bad; k++) {
        uint32_t first, count, len;
        const char *data;
        memcpy(&first, r->p, 4);
        memcpy(&count, r->p + 4, 4);
        r->p += 8;
        int prefix;
        if (count == 0 || first >= t->nrowids || count > t->nrowids - first ||
            t->rowids[first] >= t->nrows ||
            (prefix = table_key_of_row(t, t->rowids[first], &data, &len)) < 0 ||
            (prefix && table_add_prefix_len(t, len)) ||
            table_key_set(&t->keys[k], data, len, prefix, first, count, t->rowids[first])) {
            mark_bad(r, __LINE__);
            return;
        }
    }
}

static Table *get_table(R *r) {
    Table *t = alloc(r, sizeof(Table));
    if (!t) return NULL;
    t->name = get_cstr(r);
    t->path = get_cstr(r);
    get_record_type(r, &t->rt);
    t->key_col = get_i32(r);
    uint32_t kp = get_u32(r);
    t->key_prefix = kp == 1;
    t->nrows = get_u32(r);
    if (r->bad || kp > 1 || (kp && t->key_col < 0) || (t->key_col >= (int32_t)t->rt.nfields) ||
        (t->key_col >= 0 && !type_is_string(t->rt.fields[t->key_col].type.kind)) ||
        (t->nrows && !t->rt.nfields) || /* rows of no field: a count no bytes bound */
        (uint64_t)t->nrows * t->rt.nfields > (uint64_t)(r->end - r->p)) {
        mark_bad(r, __LINE__);
        return NULL;
    }
    t->rows = alloc(r, (size_t)t->nrows * t->rt.nfields * sizeof(Value));
    for (uint32_t i = 0; i < t->nrows && !r->bad; i++)
        for (uint32_t f = 0; f < t->rt.nfields; f++)
            t->rows[(size_t)i * t->rt.nfields + f] = get_value(r, &t->rt.fields[f].type);
    if (!r->bad) get_index(r, t);
    return t;
}

/* Reads a count and checks it against the bytes left (each item >= min bytes). */
static uint32_t get_count(R *r, size_t min) {
    uint32_t n = get_u32(r);
    if ((uint64_t)n * min > (uint64_t)(r->end - r->p)) mark_bad(r, __LINE__);
    return r->bad ? 0 : n;
}

static const char *get_ostr(R *r) {
    return get_u32(r) ? get_cstr(r) : NULL;
}

static const char **get_strs(R *r, uint32_t *n) {
    *n = get_count(r, 8);
    const char **v = alloc(r, (*n + 1) * sizeof(char *));
    for (uint32_t i = 0; v && i < *n && !r->bad; i++)
        if (!(v[i] = get_cstr(r))) mark_bad(r, __LINE__);
    return v;
}

/* The input profiles (format 10), checked against the schema loaded. */
static void get_profiles(R *r) {
    Program *p = r->prog;
    p->nprofiles = get_count(r, 24);
    p->profiles = alloc(r, (p->nprofiles + 1) * sizeof(Profile));
    const RecordType *ct = p->claim;
    for (uint32_t i = 0; i < p->nprofiles && !r->bad; i++) {
        Profile *pf = &p->profiles[i];
        memset(pf, 0, sizeof *pf);
        pf->name = get_cstr(r);
        pf->title = get_cstr(r);
        pf->format = (uint8_t)get_u32(r);
        pf->claims = get_ostr(r);
        pf->ignore = get_strs(r, &pf->nignore);
        if (!pf->name || !pf->title || !ct || (pf->format != PROF_JSON && pf->format != PROF_CSV) ||
            !pf->claims) {
            mark_bad(r, __LINE__);
            return;
        }
        pf->ndicts = get_count(r, 8);
        pf->dicts = alloc(r, (pf->ndicts + 1) * sizeof(ProfDict));
        for (uint32_t k = 0; k < pf->ndicts && !r->bad; k++) {
            ProfDict *d = &pf->dicts[k];
            d->name = get_cstr(r);
            d->n = get_count(r, 12);
            d->from = alloc(r, (d->n + 1) * sizeof(char *));
            d->to = alloc(r, (d->n + 1) * sizeof(char *));
            if (!d->name || !d->from || !d->to) {
                mark_bad(r, __LINE__);
                return;
            }
            for (uint32_t j = 0; j < d->n && !r->bad; j++) {
                d->from[j] = get_cstr(r);
                d->to[j] = get_ostr(r);
                if (!d->from[j]) mark_bad(r, __LINE__);
            }
        }
        pf->nrecords = get_count(r, 12);
        pf->records = alloc(r, (pf->nrecords + 1) * sizeof(ProfRecord));
        for (uint32_t k = 0; k < pf->nrecords && !r->bad; k++) {
            ProfRecord *rec = &pf->records[k];
            rec->list_field = get_i32(r);
            rec->path = get_ostr(r);
            if (rec->list_field >= (int32_t)ct->nfields || (k == 0) != (rec->list_field < 0) ||
                (rec->list_field >= 0 &&
                 (ct->fields[rec->list_field].type.kind != TY_LIST || !rec->path))) {
                mark_bad(r, __LINE__);
                return;
            }
            const RecordType *rt = rec->list_field < 0 ? ct : ct->fields[rec->list_field].type.rec;
            rec->nmaps = get_count(r, 28);
            rec->maps = alloc(r, (rec->nmaps + 1) * sizeof(ProfMap));
            for (uint32_t j = 0; j < rec->nmaps && !r->bad; j++) {
                ProfMap *m = &rec->maps[j];
                m->field = get_u32(r);
                m->position = (uint8_t)get_u32(r);
                m->path = get_ostr(r);
                m->dict = get_i32(r);
                m->formats = get_strs(r, &m->nformats);
                m->missing = get_strs(r, &m->nmissing);
                m->deflt = get_ostr(r);
                if (m->field >= rt->nfields || m->dict >= (int32_t)pf->ndicts || m->dict < -1 ||
                    rt->fields[m->field].type.kind == TY_LIST)
                    mark_bad(r, __LINE__);
            }
        }
    }
}

static double get_double(R *r) {
    int64_t v = get_i64(r);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

/* The report configuration (format 12). */
static void get_report(R *r) {
    arb_report_config *c = &r->prog->report;
    c->declared = get_i32(r);
    c->ledger_rolling = get_i32(r);
    c->nsteps = get_count(r, 12);
    arb_report_step *steps = alloc(r, (c->nsteps + 1) * sizeof *steps);
    c->steps = steps;
    for (size_t i = 0; i < c->nsteps && !r->bad; i++) {
        steps[i].points = get_i32(r);
        steps[i].sanction = get_cstr(r);
        if (!steps[i].sanction) mark_bad(r, __LINE__);
    }
    c->nindicators = get_count(r, 28);
    arb_report_indicator *inds = alloc(r, (c->nindicators + 1) * sizeof *inds);
    c->indicators = inds;
    for (size_t i = 0; i < c->nindicators && !r->bad; i++) {
        int32_t k = get_i32(r);
        if (k < 0 || k >= RCFG_INDICATORS) {
            mark_bad(r, __LINE__);
            return;
        }
        inds[i].key = rcfg_indicator_keys[k];
        inds[i].name = rcfg_indicator_names[k];
        inds[i].weight = get_double(r);
        inds[i].good = get_double(r);
        inds[i].bad = get_double(r);
    }
    for (int i = 0; i < 3; i++) c->grade_cut[i] = get_double(r);
    c->nroutes = get_count(r, 8);
    arb_report_route *routes = alloc(r, (c->nroutes + 1) * sizeof *routes);
    c->routes = routes;
    for (size_t i = 0; i < c->nroutes && !r->bad; i++) {
        int32_t lv = get_i32(r);
        if (lv < 0 || lv >= RCFG_LEVELS) {
            mark_bad(r, __LINE__);
            return;
        }
        routes[i].level = lv;
        routes[i].worklist = rcfg_level_names[lv];
        routes[i].ncond = get_count(r, 12);
        arb_report_test *cond = alloc(r, (routes[i].ncond + 1) * sizeof *cond);
        routes[i].cond = cond;
        for (size_t k = 0; k < routes[i].ncond && !r->bad; k++) {
            cond[k].op = get_i32(r);
            cond[k].value = get_ostr(r);
            if (cond[k].op < ARB_RT_SEVERITY || cond[k].op > ARB_RT_NOT ||
                (cond[k].op <= ARB_RT_CATEGORY) != (cond[k].value != NULL))
                mark_bad(r, __LINE__);
        }
        if (!r->bad && routes[i].ncond && rcfg_eval(cond, routes[i].ncond, "", "", "", "") < 0)
            mark_bad(r, __LINE__);
    }
}

static int load_content(R *r, const PackSource **sources, size_t *nsources) {
    Program *p = r->prog;
    uint32_t ns = get_count(r, 16);
    PackSource *src = alloc(r, ns * sizeof(PackSource));
    for (uint32_t i = 0; i < ns && !r->bad; i++) {
        src[i].path = get_cstr(r);
        src[i].hash = (uint64_t)get_i64(r);
    }
    *sources = src;
    *nsources = ns;
    p->nenums = get_count(r, 12);
    p->enums = alloc(r, p->nenums * sizeof(EnumType *));
    for (uint32_t i = 0; i < p->nenums && !r->bad; i++) {
        EnumType *e = alloc(r, sizeof(EnumType));
        if (!e) break;
        e->name = get_cstr(r);
        e->n = get_count(r, 16);
        e->members = alloc(r, e->n * sizeof(char *));
        e->labels = alloc(r, e->n * sizeof(char *));
        for (uint32_t k = 0; k < e->n && !r->bad; k++)
            e->members[k] = get_cstr(r), e->labels[k] = get_cstr(r);
        e->ncodes = get_count(r, 16);
        const char **codes = alloc(r, e->ncodes * sizeof(char *));
        uint32_t *owner = alloc(r, e->ncodes * sizeof(uint32_t));
        for (uint32_t k = 0; k < e->ncodes && !r->bad; k++) {
            codes[k] = get_cstr(r), owner[k] = get_u32(r);
            if (owner[k] >= e->n) mark_bad(r, __LINE__);
        }
        e->codes = codes, e->code_member = owner;
        p->enums[i] = e;
    }
    p->nrecords = get_count(r, 20);
    p->records = alloc(r, p->nrecords * sizeof(RecordType *));
    for (uint32_t i = 0; i < p->nrecords && !r->bad; i++)
        p->records[i] = alloc(r, sizeof(RecordType));
    for (uint32_t i = 0; i < p->nrecords && !r->bad; i++) get_record_type(r, p->records[i]);
    int32_t claim = get_i32(r);
    if (claim < 0 || (uint32_t)claim >= p->nrecords)
        mark_bad(r, __LINE__);
    else
        p->claim = p->records[claim];
    p->ncats = get_count(r, 20);
    p->cats = alloc(r, p->ncats * sizeof(Category));
    for (uint32_t i = 0; i < p->ncats && !r->bad; i++) {
        Category *c = &p->cats[i];
        c->name = get_cstr(r), c->title = get_cstr(r), c->code = get_cstr(r);
        uint32_t k = get_u32(r);
        c->tier = k & 0xff, c->severity = (k >> 8) & 0xff, c->nature = (k >> 16) & 0xff;
        c->points = get_i32(r);
        if (c->tier >= TIER__COUNT || c->severity >= SEV__COUNT || c->nature >= NAT__COUNT)
            mark_bad(r, __LINE__);
    }
    p->ntables = get_count(r, 16);
    p->tables = alloc(r, p->ntables * sizeof(Table *));
    for (uint32_t i = 0; i < p->ntables && !r->bad; i++) p->tables[i] = get_table(r);
    p->nrules = get_count(r, 64);
    p->rules = alloc(r, p->nrules * sizeof(Rule));
    for (uint32_t i = 0; i < p->nrules && !r->bad; i++) {
        Rule *ru = &p->rules[i];
        ru->id = get_cstr(r), ru->title = get_cstr(r);
        ru->category = get_u32(r);
        uint32_t k = get_u32(r);
        ru->phases = k & 0xff, ru->severity = (k >> 8) & 0xff, ru->nature = (k >> 16) & 0xff,
        ru->flags_claim = (k >> 24) & 0xff;
        ru->points = get_i32(r);
        ru->eff_from = get_i64(r), ru->eff_to = get_i64(r);
        ru->key_field = get_i32(r);
        ru->key_kind = (uint8_t)get_u32(r);
        ru->entry = get_u32(r), ru->code_end = get_u32(r);
        ru->ops = get_u32(r), ru->nops = get_u32(r);
        ru->index = get_i32(r), ru->bound_slot = get_i32(r);
        ru->bound_entry = get_u32(r), ru->bound_end = get_u32(r);
        ru->row_slot = get_i32(r), ru->row_key_col = get_i32(r);
        k = get_u32(r);
        ru->nlocals = k & 0xffff, ru->maxstack = (uint16_t)(k >> 16);
        ru->off = get_u32(r), ru->end = get_u32(r);
        ru->file = -1;
        if (!ru->id || !ru->title || ru->category >= p->ncats || ru->severity >= SEV__COUNT ||
            ru->nature >= NAT__COUNT)
            mark_bad(r, __LINE__);
    }
    p->ncode = get_u32(r);
    skip_pad8(r);
    if (need(r, (size_t)p->ncode * 4)) {
        p->code = (int32_t *)r->p; /* used in place */
        r->p += (size_t)p->ncode * 4;
    }
    p->nops = get_u32(r);
    skip_pad8(r);
    if (need(r, (size_t)p->nops * 4)) {
        p->ops = (int32_t *)r->p; /* used in place; the verifier checks every operand */
        r->p += (size_t)p->nops * 4;
    }
    for (uint32_t i = 0; i < p->nrules && !r->bad; i++) {
        const Rule *ru = &p->rules[i];
        if (ru->code_end > p->ncode || ru->entry >= ru->code_end ||
            (ru->index >= 0 && (ru->bound_end > p->ncode || ru->bound_entry >= ru->bound_end)))
            mark_bad(r, __LINE__);
    }
    p->nconsts = get_count(r, 20);
    p->consts = alloc(r, p->nconsts * sizeof(Value));
    p->const_types = alloc(r, p->nconsts * sizeof(Type));
    for (uint32_t i = 0; i < p->nconsts && !r->bad; i++) {
        get_type(r, &p->const_types[i]);
        p->consts[i] = get_value(r, &p->const_types[i]);
    }
    p->nsets = get_count(r, 16);
    p->sets = alloc(r, p->nsets * sizeof(Table *));
    for (uint32_t i = 0; i < p->nsets && !r->bad; i++) p->sets[i] = get_table(r);
    if (!r->bad && program_inline_sets(p)) mark_bad(r, __LINE__);
    p->nintsets = get_count(r, 4);
    p->intsets = alloc(r, p->nintsets * sizeof(IntSet));
    for (uint32_t i = 0; i < p->nintsets && !r->bad; i++) {
        IntSet *s = &p->intsets[i];
        s->n = get_count(r, 8);
        s->v = alloc(r, s->n * sizeof(int64_t));
        for (uint32_t k = 0; k < s->n && !r->bad; k++) s->v[k] = get_i64(r);
    }
    uint32_t nre = get_count(r, 8);
    p->regexes = alloc(r, nre * sizeof(struct Rx *));
    p->regex_src = alloc(r, nre * sizeof(char *));
    p->regex_state = alloc(r, nre * sizeof(_Atomic int));
    for (uint32_t i = 0; i < nre && !r->bad; i++) {
        /* compiled at first use (program_regex): the compiler checked each
         * pattern, and the checksum says the pack is as it wrote it */
        p->regex_src[i] = get_cstr(r);
        if (!p->regex_src[i]) {
            mark_bad(r, __LINE__);
            break;
        }
        atomic_init(&p->regex_state[i], REGEX_PENDING);
        p->nregexes++;
    }
    /* regex columns hold pattern numbers: each must name a pattern */
    for (uint32_t t = 0; t < p->ntables && !r->bad; t++) {
        const Table *tb = p->tables[t];
        for (uint32_t f = 0; f < tb->rt.nfields; f++) {
            if (tb->rt.fields[f].type.kind != TY_REGEX) continue;
            for (uint32_t i = 0; i < tb->nrows; i++) {
                int64_t v = tb->rows[(size_t)i * tb->rt.nfields + f].i;
                if (v != ARB_NULL && (v < 0 || v >= (int64_t)p->nregexes)) mark_bad(r, __LINE__);
            }
        }
    }
    p->ntemplates = get_count(r, 4);
    p->templates = alloc(r, p->ntemplates * sizeof(Template));
    for (uint32_t i = 0; i < p->ntemplates && !r->bad; i++) {
        Template *t = &p->templates[i];
        t->nparts = get_count(r, 20);
        t->parts = alloc(r, t->nparts * sizeof(TemplatePart));
        for (uint32_t k = 0; k < t->nparts && !r->bad; k++) {
            const ArbStr *s = get_arbstr(r);
            t->parts[k].text = s ? s->data : NULL;
            t->parts[k].len = s ? s->len : 0;
            get_type(r, &t->parts[k].type);
        }
    }
    p->nindexes = get_count(r, 8);
    p->indexes = alloc(r, p->nindexes * sizeof(RuleIndex));
    for (uint32_t i = 0; i < p->nindexes && !r->bad; i++) {
        p->indexes[i].list_field = get_i32(r);
        p->indexes[i].field = get_i32(r);
        p->indexes[i].keys = get_table(r);
        const RuleIndex *x = &p->indexes[i];
        if (r->bad || x->list_field < 0 || (uint32_t)x->list_field >= p->claim->nfields ||
            p->claim->fields[x->list_field].type.kind != TY_LIST || x->field < 0 ||
            (uint32_t)x->field >= p->claim->fields[x->list_field].type.rec->nfields) {
            mark_bad(r, __LINE__);
            break;
        }
        /* the indexed field is a string; rows are (key, rule), and each rule
         * listed is one whose bound code runs on this list's records */
        const Table *kt = x->keys;
        if (!type_is_string(p->claim->fields[x->list_field].type.rec->fields[x->field].type.kind) ||
            kt->rt.nfields != 2 || kt->key_col != 0 ||
            !type_is_string(kt->rt.fields[0].type.kind) || kt->rt.fields[1].type.kind != TY_INT) {
            mark_bad(r, __LINE__);
            break;
        }
        for (uint32_t k = 0; k < kt->nrows; k++) {
            int64_t rule = table_row(kt, k)[1].i;
            if (rule < 0 || rule >= (int64_t)p->nrules || p->rules[rule].index != (int32_t)i) {
                mark_bad(r, __LINE__);
                break;
            }
        }
    }
    p->nscan_rules = get_count(r, 4);
    p->scan_rules = alloc(r, p->nscan_rules * sizeof(uint32_t));
    for (uint32_t i = 0; i < p->nscan_rules && !r->bad; i++)
        if ((p->scan_rules[i] = get_u32(r)) >= p->nrules) mark_bad(r, __LINE__);
    p->has_prepare = (int)get_u32(r);
    p->prepare_entry = get_u32(r);
    p->prepare_ops = get_u32(r), p->prepare_nops = get_u32(r);
    uint32_t k = get_u32(r);
    p->prepare_nlocals = k & 0xffff, p->prepare_maxstack = (uint16_t)(k >> 16);
    if (p->has_prepare && p->prepare_entry >= p->ncode) mark_bad(r, __LINE__);
    p->nlua_modules = get_count(r, 12);
    p->lua_modules = alloc(r, p->nlua_modules * sizeof(LuaModule));
    for (uint32_t i = 0; i < p->nlua_modules && !r->bad; i++) {
        LuaModule *m = &p->lua_modules[i];
        m->chunk = get_cstr(r);
        m->name = get_cstr(r);
        const ArbStr *src = get_arbstr(r);
        if (!m->chunk || !m->name || !src) mark_bad(r, __LINE__);
        m->src = src ? src->data : "";
        m->len = src ? src->len : 0;
    }
    p->nlua_funcs = get_count(r, 12);
    p->lua_funcs = alloc(r, p->nlua_funcs * sizeof(LuaFunc));
    for (uint32_t i = 0; i < p->nlua_funcs && !r->bad; i++) {
        LuaFunc *f = &p->lua_funcs[i];
        memset(f, 0, sizeof *f);
        f->name = get_cstr(r);
        f->module = get_u32(r);
        f->nparams = get_u32(r);
        if (!f->name || f->module >= p->nlua_modules || f->nparams > LUA_MAX_PARAMS) {
            mark_bad(r, __LINE__);
            break;
        }
        for (uint32_t k = 0; k <= f->nparams && !r->bad; k++) {
            Type *t = k < f->nparams ? &f->params[k] : &f->result;
            get_type(r, t);
            int32_t tb = get_i32(r);
            if (tb >= 0) {
                if ((uint32_t)tb >= p->ntables) {
                    mark_bad(r, __LINE__);
                    break;
                }
                t->table = p->tables[tb];
                t->rec = &p->tables[tb]->rt;
            }
            if ((t->kind == TY_RECORD || t->kind == TY_LIST) && !t->rec) mark_bad(r, __LINE__);
        }
    }
    if (!r->bad) get_profiles(r);
    if (!r->bad) get_report(r);
    if (r->p != r->end) mark_bad(r, __LINE__);
    return r->bad ? -1 : 0;
}

/* Loads the pack image h[0..size) named `path` in messages.  The program
 * points into the image; it unmaps it when freed unless `borrowed`.  On
 * failure the image is unmapped (unless borrowed) and NULL returned. */
static Program *load_image(const unsigned char *h, size_t size, int borrowed, const char *path,
                           Alloc a, const PackSource **sources, size_t *nsources,
                           uint64_t *checksum, char *err, size_t errcap) {
    void *map = (void *)h;
    uint32_t version;
    uint64_t len, sum;
    memcpy(&version, h + 8, 4);
    memcpy(&len, h + 16, 8);
    memcpy(&sum, h + 24, 8);
    const char *why = NULL;
    if (memcmp(h, PACK_MAGIC, sizeof PACK_MAGIC) != 0)
        why = _("not a rule pack");
    else if (version != PACK_FORMAT)
        why = _("made by another version of arbiter (pack format differs)");
    else if (len != size - HEADER)
        why = _("truncated or damaged (length differs)");
    else if (pack_hash(h + HEADER, len) != sum)
        why = _("damaged (checksum differs)");
    if (why) {
        if (version != PACK_FORMAT && !memcmp(h, PACK_MAGIC, sizeof PACK_MAGIC))
            snprintf(
                err, errcap,
                _("%s was %s: format %u, this arbiter reads %u; rebuild it with 'arbiter compile'"),
                path, why, version, PACK_FORMAT);
        else
            snprintf(err, errcap, _("%s is %s; rebuild it with 'arbiter compile'"), path, why);
        if (!borrowed) munmap(map, size);
        return NULL;
    }
    *checksum = sum;
    Program *p = mem_calloc(a, sizeof(Program));
    if (!p) {
        if (!borrowed) munmap(map, size);
        snprintf(err, errcap, "%s", _("out of memory"));
        return NULL;
    }
    arena_init(&p->ar, a, 1 << 16);
    p->map = map;
    p->map_size = size;
    p->map_borrowed = borrowed;
    R r = {(const char *)h + HEADER, (const char *)h + size, (const char *)h, p, 0, 0, 0};
    char why2[256];
    if (load_content(&r, sources, nsources) == 0 && verify_program(p, why2, sizeof why2) != 0) {
        snprintf(err, errcap,
                 "%s holds code that does not verify (%s); rebuild it with 'arbiter compile'", path,
                 why2);
        program_free(p);
        return NULL;
    }
    if (r.bad) {
        snprintf(err, errcap,
                 "%s is damaged (inconsistent content at byte %zu, check %d); rebuild it with "
                 "'arbiter compile'",
                 path, r.bad_at, r.bad_line);
        program_free(p);
        return NULL;
    }
    return p;
}

Program *pack_load(const char *path, Alloc a, const PackSource **sources, size_t *nsources,
                   uint64_t *checksum, char *err, size_t errcap) {
    /* O_NONBLOCK: a FIFO (or a device) at path must not hang the open */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errcap, _("cannot open %s: %s"), path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    int st = fstat(fd, &sb);
    if (st == 0 && !S_ISREG(sb.st_mode)) {
        close(fd);
        snprintf(err, errcap, _("%s is not a rule pack (not a regular file)"), path);
        return NULL;
    }
    if (st != 0 || sb.st_size < HEADER) {
        close(fd);
        snprintf(err, errcap, _("%s is not a rule pack (too short)"), path);
        return NULL;
    }
    /* Read into memory of our own, not mapped from the file: a pack
     * rewritten in place (cp over it) while it is loaded would otherwise
     * change under the running rules, or kill the process (SIGBUS) when
     * it is cut shorter. */
    size_t size = (size_t)sb.st_size, got = 0;
    void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        close(fd);
        snprintf(err, errcap, _("cannot load %s: %s"), path, strerror(errno));
        return NULL;
    }
#ifdef MADV_HUGEPAGE
    /* huge pages where the system allows them on request: reading a large
     * pack then takes a few faults instead of one a page, and the index's
     * probes fewer TLB misses (advice only: failure changes nothing) */
    if (size >= (4u << 20)) madvise(map, size, MADV_HUGEPAGE);
#endif
    errno = 0;
    while (got < size) {
        ssize_t k = read(fd, (char *)map + got, size - got);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    int rerr = errno;
    close(fd);
    if (got < size || mprotect(map, size, PROT_READ)) {
        munmap(map, size);
        snprintf(err, errcap, _("cannot read %s: %s"), path,
                 got < size ? (rerr ? strerror(rerr) : _("it became shorter while read"))
                            : strerror(errno));
        return NULL;
    }
    return load_image(map, size, 0, path, a, sources, nsources, checksum, err, errcap);
}

Program *pack_load_mem(const void *data, size_t size, const char *name, Alloc a,
                       const PackSource **sources, size_t *nsources, uint64_t *checksum, char *err,
                       size_t errcap) {
    if (size < HEADER || ((uintptr_t)data & 7)) {
        snprintf(err, errcap, _("%s is not a rule pack (%s)"), name,
                 size < HEADER ? _("too short") : _("not aligned to 8 bytes"));
        return NULL;
    }
    return load_image(data, size, 1, name, a, sources, nsources, checksum, err, errcap);
}

void pack_seal(void *pack, size_t size) {
    if (size < HEADER) return;
    unsigned char *h = pack;
    uint64_t len = size - HEADER, sum = pack_hash(h + HEADER, len);
    memcpy(h + 16, &len, 8);
    memcpy(h + 24, &sum, 8);
}
