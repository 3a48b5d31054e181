/* explain.c — `arbiter explain`: for one claim, which rules fired and why.
 *
 * The claim is found in its file and checked rule by rule with the VM in
 * trace mode (every rule on every line, no index, so each iteration is
 * seen).  Probes the compiler placed (debug_info) report the operands and
 * result of each comparison or membership test and the value of each `when`
 * with the bindings in force; the report shows them with their source text.
 * The right side of an `and`/`or` that its left side decided is shown as
 * "not evaluated", with the left side's value.
 *
 * The words a reader reads (headings, "true", "not evaluated", "fired") are
 * translated with _() and P_() (base/i18n.h); the values, rule ids, field
 * names and source text are shown as they are. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "csv_claims.h"
#include "engine.h"
#include "history.h"
#include "i18n.h"
#include "profile.h"
#include "scalar.h"
#include "transcode.h"

typedef struct Event {
    const Probe *p;
    Value v[2];
    Value keys[4]; /* PROBE_WHEN: key of each bound record */
} Event;

typedef struct Explain {
    arb_engine *e;
    Event *ev;
    size_t n, cap;
    int oom;
} Explain;

static void on_probe(void *ud, const Probe *p, const Value *vals, const Value *L) {
    Explain *x = ud;
    if (mem_grow(x->e->alloc, (void **)&x->ev, sizeof(Event), &x->cap, x->n + 1)) {
        x->oom = 1;
        return;
    }
    Event *ev = &x->ev[x->n++];
    memset(ev, 0, sizeof *ev);
    ev->p = p;
    for (int i = 0; i < p->nvalues && i < 2; i++) ev->v[i] = vals[i];
    for (int i = 0; i < p->nbind; i++) {
        const Value *rec = L[p->bind[i].slot].rec;
        ev->keys[i].i = ARB_NULL;
        if (rec && p->bind[i].key_field >= 0) ev->keys[i] = rec[p->bind[i].key_field];
    }
}

/* The source text of [off, end) on its first line, trimmed to 70 bytes. */
static void put_source(arb_engine *e, StrBuf *b, int32_t file, uint32_t off, uint32_t end) {
    if (file < 0 || (size_t)file >= e->sources.n) return;
    const Source *s = &e->sources.items[file];
    if (end > s->len) end = (uint32_t)s->len;
    uint32_t k = off;
    while (k < end && s->text[k] != '\n' && k - off < 70) k++;
    sb_putn(b, s->text + off, k - off);
    if (k < end) sb_puts(b, "…");
}

/* The truth of a condition, as a reader reads it. */
static const char *truth(int t) {
    return t ? _("true") : _("false");
}

/* s, then spaces up to `cols` terminal columns (a CJK character takes two). */
static void put_padded(StrBuf *b, const char *s, uint32_t cols) {
    sb_puts(b, s);
    for (uint32_t w = diag_text_width(s, strlen(s)); w < cols; w++) sb_putc(b, ' ');
}

static void put_value(StrBuf *b, const Type *t, Value v) {
    char buf[160];
    if (type_is_string(t->kind) && !v.s) {
        sb_puts(b, _("missing"));
        return;
    }
    if (!type_is_string(t->kind) && v.i == ARB_NULL) {
        sb_puts(b, _("missing"));
        return;
    }
    if (t->kind == TY_ENUM && !t->enm) {
        sb_printf(b, "#%lld", (long long)v.i);
        return;
    }
    scalar_format(t, v, 1, 0, buf, sizeof buf);
    sb_puts(b, buf);
}

/* "line=3, r=XG03..." for a when event. */
static void put_bindings(StrBuf *b, const Event *ev) {
    const Probe *p = ev->p;
    if (!p->nbind) {
        sb_puts(b, _("the claim"));
        return;
    }
    for (int i = 0; i < p->nbind; i++) {
        const ProbeBinding *pb = &p->bind[i];
        sb_printf(b, "%s%s", i ? ", " : "", pb->name);
        if (pb->key_field >= 0 && pb->rt) {
            sb_putc(b, '=');
            put_value(b, &pb->rt->fields[pb->key_field].type, ev->keys[i]);
        }
    }
}

/* One iteration: the tests evaluated (operands, result), then the when. */
static void put_iteration(arb_engine *e, StrBuf *b, const Event *ev, size_t from, size_t to) {
    sb_puts(b, "    ");
    put_bindings(b, &ev[to]);
    sb_printf(b, _(": when is %s\n"), truth(ev[to].v[0].i > 0));
    int shown_false = 0;
    for (size_t k = from; k < to; k++) {
        const Probe *p = ev[k].p;
        if (p->kind == PROBE_SKIPPED) { /* the right side of an and/or that did not run */
            sb_puts(b, "      ");
            size_t mark = b->len;
            put_source(e, b, p->file, p->off, p->end);
            while (b->len - mark < 40) sb_putc(b, ' ');
            sb_puts(b, _("  not evaluated  ("));
            put_source(e, b, p->file, p->a_off, p->a_end);
            /* TRANSLATORS: closes "not evaluated  (LEFT SIDE": the left side of
             * the and/or and its value, which decided without the right side */
            sb_printf(b, _(" is %s)\n"), truth(ev[k].v[0].i > 0));
            continue;
        }
        /* a test with its operands, or a condition by itself (exists) */
        int alone = p->kind == PROBE_RESULT && (k == from || ev[k - 1].p->kind != PROBE_OPERANDS);
        if (p->kind != PROBE_OPERANDS && !alone) continue;
        const Event *res = alone                                             ? &ev[k]
                           : k + 1 < to && ev[k + 1].p->kind == PROBE_RESULT ? &ev[k + 1]
                                                                             : NULL;
        int val = res && res->v[0].i > 0;
        sb_puts(b, "      ");
        size_t mark = b->len;
        put_source(e, b, p->file, p->off, p->end);
        while (b->len - mark < 40) sb_putc(b, ' ');
        if (alone) {
            sb_printf(b, "  %s", truth(val));
            if (!val && !shown_false && ev[to].v[0].i <= 0) {
                sb_puts(b, _("   <- the first false condition"));
                shown_false = 1;
            }
            sb_putc(b, '\n');
            continue;
        }
        sb_puts(b, "  ");
        put_padded(b, res ? truth(val) : "?", 5);
        sb_puts(b, "  (");
        put_source(e, b, p->file, p->a_off, p->a_end);
        sb_puts(b, " = ");
        put_value(b, &p->ta, ev[k].v[0]);
        if (p->nvalues == 2) {
            sb_puts(b, ", ");
            put_source(e, b, p->file, p->b_off, p->b_end);
            sb_puts(b, " = ");
            put_value(b, &p->tb, ev[k].v[1]);
        }
        sb_puts(b, ")");
        if (res && !val && !shown_false && ev[to].v[0].i <= 0) {
            sb_puts(b, _("   <- the first false condition"));
            shown_false = 1;
        }
        sb_putc(b, '\n');
    }
}

static int contains(const char *s, size_t n, const char *w, size_t k) {
    for (size_t i = 0; k && i + k <= n; i++)
        if (s[i] == w[0] && memcmp(s + i, w, k) == 0) return 1;
    return 0;
}

/* The claims of a file kept for history(): every claim read, and which
 * one is explained. */
typedef struct AllClaims {
    Value **v;
    size_t n, cap, which;
    int oom;
} AllClaims;

static void keep(arb_engine *e, AllClaims *all, const Value *v, int is_it) {
    if (!all) return;
    if (mem_grow(e->alloc, (void **)&all->v, sizeof(Value *), &all->cap, all->n + 1)) {
        all->oom = 1;
        return;
    }
    if (is_it) all->which = all->n;
    all->v[all->n++] = (Value *)v;
}

/* How the claims file is read: its encoding and input profile, and what
 * must outlive the claims read (converted text, a profile's work). */
typedef struct Reading {
    int enc;          /* TC_UTF8, TC_GB18030 */
    const Prof *prof; /* an input profile, or NULL */
    TcText text;      /* JSON Lines converted to UTF-8 */
    ProfWork pw;
} Reading;

/* Whether line [from, to) of converted text holds an undecodable byte
 * (check rejects such a record: explain skips it). */
static int has_bad(const TcText *t, size_t from, size_t to) {
    for (size_t i = 0; i < t->nbad; i++)
        if (t->bad[i].out_off >= from && t->bad[i].out_off < to) return 1;
    return 0;
}

/* Notes claim v if it is the one (its key is id); 1 when it is. */
static int consider(arb_engine *e, AllClaims *all, const Value *v, const char *id, size_t idlen,
                    Value **out) {
    const ArbStr *k = v[e->prog->claim->key_field].s;
    int is_it = !*out && k && k->len == idlen && memcmp(k->data, id, idlen) == 0;
    if (is_it) *out = (Value *)v;
    keep(e, all, v, is_it);
    return is_it;
}

/* Finds the claim with the given id; its record is allocated in ar.  With
 * `all`, every claim of the file is read and kept there.  Records that
 * check would reject are skipped. */
static int find_claim(arb_engine *e, Reading *rd, const char *path, const char *id, Arena *ar,
                      Value **out, AllClaims *all) {
    const RecordType *ct = e->prog->claim;
    if (ct->key_field < 0) return engine_fail(e, ARB_ERR_DATA, "the claim schema has no key field");
    size_t idlen = strlen(id);
    char err[512];
    size_t n = strlen(path);
    int csv = rd->prof ? prof_profile(rd->prof)->format == PROF_CSV
                       : n > 4 && strcmp(path + n - 4, ".csv") == 0;
    JsonrOptions jo;
    memset(&jo, 0, sizeof jo);
    if (csv && rd->prof) {
        ProfCsv *c;
        if (prof_csv_open(&c, rd->prof, path, rd->enc, e->alloc, err, sizeof err))
            return engine_fail(e, ARB_ERR_DATA, "%s", err);
        for (size_t i = 0; i < prof_csv_count(c) && (!*out || all); i++) {
            uint64_t line;
            int r = prof_csv_get(c, i, &rd->pw, e->json, ar, &jo, err, sizeof err, &line);
            if (r == -2) {
                prof_csv_free(c);
                return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
            }
            if (r == 0 && rd->pw.nclaims) consider(e, all, rd->pw.claims[0], id, idlen, out);
        }
        prof_csv_free(c);
    } else if (csv) {
        CsvClaims *c;
        if (csvc_open_ex(&c, ct, path, rd->enc, e->alloc, err, sizeof err))
            return engine_fail(e, ARB_ERR_DATA, "%s", err);
        for (size_t i = 0; i < csvc_count(c) && (!*out || all); i++) {
            const Value *v;
            const char *file;
            uint64_t line;
            if (csvc_get(c, i, ar, NULL, &v, err, sizeof err, &file, &line) != 0) continue;
            consider(e, all, v, id, idlen, out);
        }
        csvc_free(c);
    } else {
        char msg[512];
        int idx = sources_add_file(&e->sources, path, msg, sizeof msg);
        if (idx < 0) return engine_fail(e, ARB_ERR_DATA, "%s", msg);
        const char *text = e->sources.items[idx].text;
        size_t len = e->sources.items[idx].len;
        if (rd->enc != TC_UTF8) {
            Transcoder tc;
            if (tc_open(&tc, rd->enc))
                return engine_fail(e, ARB_ERR_USAGE, "cannot convert from %s: %s",
                                   tc_encoding_name(rd->enc), strerror(errno));
            int cr = tc_convert(&tc, text, len, 0, &rd->text);
            tc_close(&tc);
            if (cr) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
            text = rd->text.p;
            len = rd->text.len;
        }
        const char *end = text + len;
        for (const char *p = text; p < end && (!*out || all);) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
            size_t at = (size_t)(p - text);
            /* cheap filter before parsing: the id must appear in the line
             * (a profile's document may spell it otherwise) */
            if ((all || rd->prof || contains(p, ln, id, idlen)) &&
                !(rd->enc != TC_UTF8 && has_bad(&rd->text, at, at + ln))) {
                size_t off;
                if (rd->prof) {
                    int r = prof_read_json(rd->prof, &rd->pw, e->json, p, ln, ar, &jo, err,
                                           sizeof err, &off);
                    if (r == -2) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
                    for (size_t k = 0; r == 0 && k < rd->pw.nclaims; k++)
                        consider(e, all, rd->pw.claims[k], id, idlen, out);
                } else {
                    const Value *v;
                    if (jsonr_parse(e->json, p, ln, ar, &v, err, sizeof err, &off) == 0)
                        consider(e, all, v, id, idlen, out);
                }
            }
            p += ln + 1;
        }
    }
    if (*out) return ARB_OK;
    return engine_fail(e, ARB_ERR_DATA, "no claim '%s' in %s", id, path);
}

void arb_explain_options_init(arb_explain_options *o) {
    memset(o, 0, sizeof *o);
}

int arb_explain(arb_engine *e, const char *claims_path, const char *claim_id, const char *rule_id,
                void (*out)(void *ud, const char *text), void *ud) {
    arb_explain_options o;
    arb_explain_options_init(&o);
    o.claims_path = claims_path;
    o.claim_id = claim_id;
    o.rule_id = rule_id;
    return arb_explain_ex(e, &o, out, ud);
}

int arb_explain_ex(arb_engine *e, const arb_explain_options *o,
                   void (*out)(void *ud, const char *text), void *ud) {
    const char *claims_path = o->claims_path, *claim_id = o->claim_id, *rule_id = o->rule_id;
    if (!claims_path || !claim_id)
        return engine_fail(e, ARB_ERR_USAGE, "explain needs a claims file and a claim id");
    const Program *p = e->prog;
    if (!p) return engine_fail(e, ARB_ERR_USAGE, "compile the rules first");
    if (!p->probes)
        return engine_fail(e, ARB_ERR_USAGE, "explain needs an engine made with debug_info");
    uint32_t only = UINT32_MAX;
    if (rule_id) {
        for (uint32_t i = 0; i < p->nrules; i++)
            if (strcmp(p->rules[i].id, rule_id) == 0) only = i;
        if (only == UINT32_MAX) return engine_fail(e, ARB_ERR_USAGE, "no rule '%s'", rule_id);
    }
    Reading rd;
    memset(&rd, 0, sizeof rd);
    rd.enc = TC_UTF8;
    if (o->encoding && (rd.enc = tc_encoding(o->encoding)) < 0)
        return engine_fail(e, ARB_ERR_USAGE, "unknown encoding '%s' (utf-8, gb18030, gbk)",
                           o->encoding);
    if (o->input_profile && !(rd.prof = engine_profile(e, o->input_profile)))
        return engine_fail(e, ARB_ERR_USAGE, "no input profile '%s' in the rules",
                           o->input_profile);
    tc_text_init(&rd.text, e->alloc);
    prof_work_init(&rd.pw, e->alloc);
    Arena ar;
    arena_init(&ar, e->alloc, 1 << 16);
    Value *claim = NULL;
    /* rules using history() see the claim's history in the whole file */
    AllClaims all = {NULL, 0, 0, 0, 0};
    HistIndex hist;
    memset(&hist, 0, sizeof hist);
    int use_hist = hist_program_uses(p, PHASE_ALL);
    int rc = find_claim(e, &rd, claims_path, claim_id, &ar, &claim, use_hist ? &all : NULL);
    if (rc == ARB_OK && use_hist && (all.oom || hist_build(&hist, p, all.v, all.n, e->alloc)))
        rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    VM vm;
    Explain x = {e, NULL, 0, 0, 0};
    StrBuf b;
    sb_init(&b, e->alloc);
    int vm_ok = 0;
    if (rc == ARB_OK && vm_init(&vm, p, e->alloc) != 0)
        rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    else if (rc == ARB_OK)
        vm_ok = 1;
    if (rc == ARB_OK && use_hist) {
        /* derived fields of every claim (the history reads them), then the
         * claim explained is the index's copy */
        if (hist_prepare_all(&hist, &vm, &ar) != 0)
            rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        claim = hist_claim(&hist, all.which);
        vm.hist = &hist;
        vm.hist_pos = hist.pos[all.which];
    }
    mem_free(e->alloc, all.v, all.cap * sizeof(Value *));
    if (rc != ARB_OK) {
        if (vm_ok) vm_free(&vm);
        hist_free(&hist);
        arena_free(&ar);
        tc_text_free(&rd.text);
        prof_work_free(&rd.pw);
        return rc;
    }
    vm.no_index = 1;
    vm.lua_limits = e->lua_limits;
    vm.trace_ud = &x;
    /* derived fields first, untraced */
    if (vm_check_claim(&vm, claim, 0, &ar) != 0) rc = ARB_ERR_NOMEM;
    vm.trace = on_probe;
    sb_printf(&b, _("claim %s\n"), claim_id);
    uint32_t fired = 0, quiet = 0;
    for (uint32_t r = 0; r < p->nrules && rc == ARB_OK; r++) {
        if (only != UINT32_MAX && r != only) continue;
        const Rule *ru = &p->rules[r];
        x.n = 0;
        size_t before = vm.nfindings;
        int run_rc = vm_run_rule(&vm, r, claim, &ar);
        if (run_rc < 0 || x.oom) {
            rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
            break;
        }
        if (run_rc > 0) { /* a Lua call failed: say so and go on */
            vm.nfindings = before;
            sb_printf(&b, _("\nrule %s: stopped: %s\n"), ru->id,
                      vm.failures[vm.nfailures - 1].message);
            continue;
        }
        /* one finding per flagged record, as check gives */
        if (vm_merge_findings(&vm, before, &ar)) {
            rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
            break;
        }
        size_t nf = vm.nfindings - before;
        if (!nf && only == UINT32_MAX) {
            quiet++;
            continue;
        }
        fired += nf > 0;
        const Category *c = &p->cats[ru->category];
        sb_printf(&b, _("\nrule %s"), ru->id);
        if (ru->title[0]) sb_printf(&b, " \"%s\"", ru->title);
        /* TRANSLATORS: after "rule ID "TITLE"": the category's name and
         * title, then "fired" or "did not fire" */
        sb_printf(&b, _(" in %s (%s): %s"), c->name, c->title, nf ? _("fired") : _("did not fire"));
        if (nf)
            sb_printf(&b, P_(", %zu finding\n", ", %zu findings\n", nf), nf);
        else
            sb_putc(&b, '\n');
        /* iterations: the events up to each when */
        size_t start = 0, shown = 0, iterations = 0;
        for (size_t k = 0; k < x.n; k++) {
            if (x.ev[k].p->kind != PROBE_WHEN) continue;
            iterations++;
            int t = x.ev[k].v[0].i > 0;
            if ((t || !nf) && shown < 10) {
                put_iteration(e, &b, x.ev, start, k);
                shown++;
            }
            start = k + 1;
        }
        if (!iterations)
            sb_puts(&b,
                    _("    its for/match clauses bound nothing: no record of the claim matched\n"));
        else if (shown < iterations && !nf)
            sb_printf(&b,
                      P_("    ... and %zu more iteration\n", "    ... and %zu more iterations\n",
                         iterations - shown),
                      iterations - shown);
        for (size_t k = before; k < vm.nfindings; k++) {
            const Finding *f = &vm.findings[k];
            char amount[32];
            int64_t a = f->amount < 0 ? -f->amount : f->amount;
            snprintf(amount, sizeof amount, "%s%lld.%02lld", f->amount < 0 ? "-" : "",
                     (long long)(a / 100), (long long)(a % 100));
            sb_puts(&b, _("    -> finding"));
            if (f->key.i != ARB_NULL && ru->key_field >= 0 && !ru->flags_claim)
                sb_printf(&b, _(" on line %lld"), (long long)f->key.i);
            sb_printf(&b, ": %s", amount);
            if (f->message[0]) sb_printf(&b, ", %s", f->message);
            if (f->nalso) { /* the other rules of its group that matched too */
                StrBuf also;
                sb_init(&also, e->alloc);
                for (uint32_t j = 0; j < f->nalso; j++)
                    sb_printf(&also, "%s%s", j ? ", " : "", f->also[j]);
                if (also.oom) b.oom = 1;
                sb_printf(&b, _(" (also matched: %s)"), also.oom ? "" : sb_str(&also));
                sb_free(&also);
            }
            sb_putc(&b, '\n');
        }
    }
    if (only == UINT32_MAX) {
        sb_printf(&b, P_("\n%u rule fired", "\n%u rules fired", fired), fired);
        sb_printf(&b,
                  P_("; %u other rule evaluated and did not fire\n",
                     "; %u other rules evaluated and did not fire\n", quiet),
                  quiet);
    }
    if (rc == ARB_OK && b.oom) rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    if (rc == ARB_OK) out(ud, sb_str(&b));
    sb_free(&b);
    mem_free(e->alloc, x.ev, x.cap * sizeof(Event));
    vm_free(&vm);
    hist_free(&hist);
    arena_free(&ar);
    tc_text_free(&rd.text);
    prof_work_free(&rd.pw);
    return rc;
}
