/* claimset.c — prepared claim sets (arb_claimset_*): a claims file read
 * once through the runtime's readers (claims_read, as arb_check_file reads
 * it) into records kept in memory, their derived fields computed, and each
 * line's item code looked up in the rules' item-code index once; checking
 * the set then runs, per claim, the rules the index does not cover and the
 * candidates found at load (vm_check_claim_cands), with no parsing and no
 * lookup.  When the rules call history(), the set is the history (a
 * HistIndex over it, as arb_check_file builds over a batch). */
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "history.h"
#include "i18n.h"
#include "strmap.h"

struct arb_claimset {
    arb_engine *e;
    uint64_t prog_gen; /* the engine's program the set was made for */
    Arena ar;          /* the claims' records and strings */
    Value **claims;    /* in input order (the HistIndex's copies with history) */
    size_t n, cap;
    size_t *cstart; /* per claim: its first candidate record in cands (n + 1 of them) */
    VmCand *cands;
    size_t ncands, capcands;
    uint32_t *rules; /* the candidates' rules, in claim order */
    size_t nrules, caprules;
    HistIndex hist;
    int has_hist;
    uint8_t hist_uses[8]; /* per phase mask: whether a rule of it calls history() */
    arb_claimset_info info;
};

void arb_claimset_options_init(arb_claimset_options *o) {
    memset(o, 0, sizeof *o);
}

/* Loading: the reader's callbacks and what they need. */
typedef struct Load {
    arb_claimset *set;
    const arb_claimset_options *o;
    const char *path;
    HistReversal hrev;
    StrMap ids; /* claim_id -> its line + 1 (JSON Lines without a profile) */
    int dups;   /* look for claim ids seen before */
    uint64_t rejected_dups;
} Load;

static void load_reject(void *ud, const char *file, uint64_t line, const char *msg) {
    Load *l = ud;
    if (l->o->on_reject) {
        arb_reject r = {file ? file : l->path, line, msg};
        l->o->on_reject(l->o->ud, &r);
    }
}

static int load_take(void *ud, const Value *claim, uint64_t line) {
    Load *l = ud;
    arb_claimset *set = l->set;
    const RecordType *ct = set->e->prog->claim;
    int kf = ct->key_field;
    const ArbStr *id = kf >= 0 && type_is_string(ct->fields[kf].type.kind) ? claim[kf].s : NULL;
    const ArbStr *target;
    if (l->dups && id && !hist_reversal(&l->hrev, claim, &target)) {
        int oom = 0;
        void *first = strmap_put(&l->ids, id->data, id->len, (void *)(uintptr_t)(line + 1), &oom);
        if (oom) return -2;
        if (first) {
            set->info.duplicates++;
            if (l->o->strict) { /* as check --strict: the later record is rejected */
                char msg[600];
                snprintf(msg, sizeof msg,
                         "%s '%.*s' seen before, on line %llu (rejected: --strict)",
                         ct->fields[kf].name, (int)(id->len < 256 ? id->len : 256), id->data,
                         (unsigned long long)((uintptr_t)first - 1));
                l->rejected_dups++;
                load_reject(l, l->path, line, msg);
                return 0;
            }
        }
    }
    if (mem_grow(set->e->alloc, (void **)&set->claims, sizeof(Value *), &set->cap, set->n + 1))
        return -2;
    set->claims[set->n++] = (Value *)claim; /* in set->ar, which the set owns */
    return 0;
}

static int ends_csv(const char *s) {
    size_t n = strlen(s);
    return n >= 4 && strcmp(s + n - 4, ".csv") == 0;
}

/* A code's candidate list found before: its place in the pool of lists. */
typedef struct CandList {
    uint32_t off, n;
} CandList;

/* Looks every claim's indexed codes up once (a code met again reuses the
 * list found for it) and lays each claim's candidate rules out in claim
 * order in set->rules, so that checking reads them sequentially; -1 when
 * out of memory. */
static int find_candidates(arb_claimset *set, VM *vm) {
    const Program *p = set->e->prog;
    Alloc a = set->e->alloc;
    set->cstart = mem_alloc(a, (set->n + 1) * sizeof(size_t));
    if (!set->cstart) return -1;
    StrMap *seen = mem_calloc(a, (p->nindexes + 1) * sizeof(StrMap));
    CandList *lists = NULL;
    size_t nlists = 0, caplists = 0;
    uint32_t *pool = NULL; /* the lists, each once */
    size_t npool = 0, cappool = 0;
    int rc = seen ? 0 : -1;
    for (uint32_t x = 0; seen && x < p->nindexes; x++) strmap_init(&seen[x], a);
    for (size_t c = 0; c < set->n && !rc; c++) {
        set->cstart[c] = set->ncands;
        const Value *claim = set->claims[c];
        for (uint32_t x = 0; x < p->nindexes && !rc; x++) {
            const RuleIndex *ix = &p->indexes[x];
            const ArbList *l = claim[ix->list_field].l;
            for (uint32_t i = 0; l && i < l->n && !rc; i++) {
                const ArbStr *s = list_item(l, i)[ix->field].s;
                if (!s) continue;
                set->info.lines++;
                uintptr_t k = (uintptr_t)strmap_get(&seen[x], s->data, s->len);
                if (!k) { /* a code not met before: ask the index */
                    if (vm_index_candidates(vm, ix, s) ||
                        mem_grow(a, (void **)&lists, sizeof(CandList), &caplists, nlists + 1) ||
                        mem_grow(a, (void **)&pool, sizeof(uint32_t), &cappool,
                                 npool + vm->ncand + 1)) {
                        rc = -1;
                        break;
                    }
                    lists[nlists] = (CandList){(uint32_t)npool, (uint32_t)vm->ncand};
                    if (vm->ncand) memcpy(pool + npool, vm->cand, vm->ncand * sizeof(uint32_t));
                    npool += vm->ncand;
                    int oom = 0;
                    k = ++nlists;
                    strmap_put(&seen[x], s->data, s->len, (void *)k, &oom);
                    if (oom) {
                        rc = -1;
                        break;
                    }
                }
                const CandList *cl = &lists[k - 1];
                if (!cl->n) continue;
                if (mem_grow(a, (void **)&set->cands, sizeof(VmCand), &set->capcands,
                             set->ncands + 1) ||
                    mem_grow(a, (void **)&set->rules, sizeof(uint32_t), &set->caprules,
                             set->nrules + cl->n)) {
                    rc = -1;
                    break;
                }
                /* rules: an offset until set->rules stops moving (below) */
                set->cands[set->ncands++] =
                    (VmCand){x, i, (const uint32_t *)(uintptr_t)set->nrules, cl->n};
                memcpy(set->rules + set->nrules, pool + cl->off, cl->n * sizeof(uint32_t));
                set->nrules += cl->n;
                set->info.candidates++;
            }
        }
    }
    set->cstart[set->n] = set->ncands;
    for (size_t k = 0; !rc && k < set->ncands; k++)
        set->cands[k].rules = set->rules + (uintptr_t)set->cands[k].rules;
    for (uint32_t x = 0; seen && x < p->nindexes; x++) strmap_free(&seen[x]);
    if (seen) mem_free(a, seen, (p->nindexes + 1) * sizeof(StrMap));
    mem_free(a, lists, caplists * sizeof(CandList));
    mem_free(a, pool, cappool * sizeof(uint32_t));
    return rc;
}

/* Derived fields, the history index and the candidates; -1 when out of
 * memory. */
static int prepare(arb_claimset *set) {
    arb_engine *e = set->e;
    const Program *p = e->prog;
    VM vm;
    if (vm_init(&vm, p, e->alloc)) {
        vm_free(&vm);
        return -1;
    }
    vm.lua_limits = e->lua_limits;
    int rc = 0;
    if (set->n && hist_program_uses(p, ARB_PHASE_ALL)) {
        /* as arb_check_file: each claim's copy in the index is the one
         * checked, its derived fields computed before any claim is checked
         * (a claim's history reads them) */
        if (hist_build(&set->hist, p, set->claims, set->n, e->alloc) ||
            hist_prepare_all(&set->hist, &vm, &set->ar))
            rc = -1;
        set->has_hist = 1;
        set->info.history = 1;
        for (size_t i = 0; !rc && i < set->n; i++) set->claims[i] = hist_claim(&set->hist, i);
        for (unsigned m = 1; m < 8; m++) set->hist_uses[m] = (uint8_t)hist_program_uses(p, m);
    } else {
        for (size_t i = 0; !rc && i < set->n; i++) rc = vm_prepare(&vm, set->claims[i], &set->ar);
    }
    if (!rc) rc = find_candidates(set, &vm);
    vm_free(&vm);
    return rc;
}

void arb_claimset_free(arb_claimset *set) {
    if (!set) return;
    Alloc a = set->e->alloc;
    if (set->has_hist) hist_free(&set->hist);
    mem_free(a, set->claims, set->cap * sizeof(Value *));
    if (set->cstart) mem_free(a, set->cstart, (set->n + 1) * sizeof(size_t));
    mem_free(a, set->cands, set->capcands * sizeof(VmCand));
    mem_free(a, set->rules, set->caprules * sizeof(uint32_t));
    arena_free(&set->ar);
    mem_free(a, set, sizeof *set);
}

int arb_claimset_load(arb_engine *e, const char *path, const arb_claimset_options *o,
                      arb_claimset **out) {
    *out = NULL;
    arb_claimset_options def;
    if (!o) {
        arb_claimset_options_init(&def);
        o = &def;
    }
    if (!e->prog) return engine_fail(e, ARB_ERR_USAGE, "compile the rules before reading claims");
    if (!path) return engine_fail(e, ARB_ERR_USAGE, "no claims file given");
    arb_claimset *set = mem_calloc(e->alloc, sizeof *set);
    if (!set) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    set->e = e;
    set->prog_gen = e->prog_gen;
    arena_init(&set->ar, e->alloc, 1 << 20);
    arb_batch_options bo;
    arb_batch_options_init(&bo);
    bo.claims_path = path;
    bo.input_format = o->input_format;
    bo.encoding = o->encoding;
    bo.input_profile = o->input_profile;
    bo.strict = o->strict;
    bo.max_field_bytes = o->max_field_bytes;
    Load l;
    memset(&l, 0, sizeof l);
    l.set = set, l.o = o, l.path = path;
    hist_reversal_init(&l.hrev, e->prog);
    strmap_init(&l.ids, e->alloc);
    /* claim ids seen twice: JSON Lines of canonical claims (CSV rejects
     * them in the reader, as check does) */
    l.dups = !o->input_profile && !(o->input_format == ARB_FORMAT_CSV ||
                                    (o->input_format == ARB_FORMAT_AUTO && ends_csv(path)));
    StrMap strings;
    strmap_init_fast(&strings, e->alloc);
    ClaimsRead cr = {&set->ar, &strings, load_take, load_reject, &l, 0, 0};
    int rc = claims_read(e, &bo, &cr);
    strmap_free(&strings);
    strmap_free(&l.ids);
    if (rc == ARB_OK && prepare(set)) rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    if (rc != ARB_OK) {
        arb_claimset_free(set);
        return rc;
    }
    set->info.claims = set->n;
    set->info.rejected = cr.rejected + l.rejected_dups;
    *out = set;
    if (set->info.rejected)
        return engine_fail(e, ARB_ERR_DATA, "%s: %llu record%s rejected", path,
                           (unsigned long long)set->info.rejected,
                           set->info.rejected == 1 ? "" : "s");
    return ARB_OK;
}

size_t arb_claimset_count(const arb_claimset *set) {
    return set ? set->n : 0;
}

void arb_claimset_get_info(const arb_claimset *set, arb_claimset_info *out) {
    *out = set->info;
}

static inline void add_money(int64_t *t, int64_t v, int *overflowed) {
    int64_t r;
    if (__builtin_add_overflow(*t, v, &r) || r == INT64_MIN) {
        *t = v > 0 ? INT64_MAX : -INT64_MAX;
        *overflowed = 1;
        return;
    }
    *t = r;
}

/* The candidate rules of claim i lie scattered over the rule table (two
 * cache lines each) and their operand vectors over Program.ops: asked for
 * two claims ahead (the rules) and one claim ahead (the operands, read from
 * the rules asked for before), so that memory is not waited for. */
static inline void prefetch_rules(const arb_claimset *set, const Program *p, size_t i, int ops) {
    for (size_t k = set->cstart[i]; k < set->cstart[i + 1]; k++) {
        const VmCand *c = &set->cands[k];
        for (size_t j = 0; j < c->nrules; j++) {
            const Rule *r = &p->rules[c->rules[j]];
            if (ops) {
                __builtin_prefetch(p->ops + r->ops);
            } else {
                __builtin_prefetch(r);
                __builtin_prefetch((const char *)r + 64);
            }
        }
    }
}

int arb_claimset_check_range(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                             unsigned phases,
                             void (*on_finding)(void *ud, size_t claim, const arb_finding *f),
                             void *ud, arb_claimset_stats *st) {
    arb_claimset_stats local;
    if (!st) st = &local;
    memset(st, 0, sizeof *st);
    s->errmsg[0] = 0;
    if (set->e != s->e || set->prog_gen != s->e->prog_gen || !s->e->prog) {
        snprintf(s->errmsg, sizeof s->errmsg, "%s",
                 _("the claim set was loaded for other rules (the engine compiled or loaded a "
                   "pack since): load it again"));
        return ARB_ERR_USAGE;
    }
    phases = phases & ARB_PHASE_ALL ? phases & ARB_PHASE_ALL : ARB_PHASE_ALL;
    if (to > set->n) to = set->n;
    const Program *p = s->e->prog;
    VM *vm = &s->vm;
    /* the session's history settings, put back at the end: the set is the
     * history (or none is read) */
    const HistIndex *hist = vm->hist;
    uint32_t hist_pos = vm->hist_pos;
    const ArbList *(*hist_fn)(void *, int64_t, Arena *, int *) = vm->hist_fn;
    int skip = vm->skip_prepare;
    int use_hist = set->has_hist && set->hist_uses[phases];
    vm->hist = use_hist ? &set->hist : NULL;
    vm->hist_fn = NULL;
    vm->skip_prepare = 1; /* computed at load */
    uint64_t run0 = vm->rules_run;
    int rc = ARB_OK;
    s->nlast = 0;
    s->last = NULL;
    FindingText ft;
    ft.ct = NULL;
    for (size_t i = from; i < to && rc == ARB_OK; i++) {
        Value *claim = set->claims[i];
        st->claims++;
        if (i + 4 < to) prefetch_rules(set, p, i + 4, 0);
        if (i + 2 < to) prefetch_rules(set, p, i + 2, 1);
        const ArbStr *target;
        if (hist_reversal(&s->hrev, claim, &target)) { /* cancels a claim: not audited */
            st->reversals++;
            continue;
        }
        arena_reset(&s->ar);
        vm_clear(vm);
        if (use_hist) vm->hist_pos = set->hist.pos[i];
        size_t c0 = set->cstart[i];
        if (vm_check_claim_cands(vm, claim, phases, &s->ar, set->cands + c0,
                                 set->cstart[i + 1] - c0)) {
            rc = ARB_ERR_NOMEM;
            break;
        }
        st->audited++;
        size_t nf = vm->nfindings;
        if (nf) {
            st->claims_flagged++;
            st->findings += nf;
            int64_t once, *share = arena_alloc(&s->ar, nf * sizeof(int64_t));
            if (!share || engine_claim_at_risk(p, claim, vm->findings, nf, share, &s->ar, &once)) {
                rc = ARB_ERR_NOMEM;
                break;
            }
            add_money(&st->at_risk_lines_cents, once, &st->totals_overflowed);
            if (on_finding) engine_finding_claim(s->e, claim, &ft);
            for (size_t k = 0; k < nf; k++) {
                const Finding *fd = &vm->findings[k];
                add_money(&st->at_risk_cents, fd->amount, &st->totals_overflowed);
                if (!on_finding) continue;
                arb_finding f;
                engine_finding_of(s->e, claim, fd, &f, &ft);
                f.at_risk_cents = share[k];
                on_finding(ud, i, &f);
            }
        }
        if (vm->nfailures) {
            if (!st->rule_errors) /* the other rules ran; say which one did not */
                snprintf(s->errmsg, sizeof s->errmsg, _("rule %s: %s"),
                         p->rules[vm->failures[0].rule].id, vm->failures[0].message);
            st->rule_errors += vm->nfailures;
        }
    }
    st->rules_run = vm->rules_run - run0;
    vm_clear(vm);
    arena_reset(&s->ar);
    vm->hist = hist;
    vm->hist_pos = hist_pos;
    vm->hist_fn = hist_fn;
    vm->skip_prepare = skip;
    if (rc == ARB_ERR_NOMEM) snprintf(s->errmsg, sizeof s->errmsg, "%s", _("out of memory"));
    return rc;
}

int arb_claimset_check(arb_session *s, const arb_claimset *set, unsigned phases,
                       void (*on_finding)(void *ud, size_t claim, const arb_finding *f), void *ud,
                       arb_claimset_stats *st) {
    return arb_claimset_check_range(s, set, 0, set->n, phases, on_finding, ud, st);
}
