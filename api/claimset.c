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
#include "opcodes.h"
#include "strmap.h"

/* A candidate rule whose bound code (the code for the one record the index
 * found) is a single integer test of a field against a constant, then
 * `flag` of the bound record with an amount field and no message of its
 * own:
 *     LFIELD s f; CONST k; EQ|NE|LT|LE|GT|GE; JZ end; LFIELD b a; FLAG b t 0;
 *     end: HALT
 * (s the claim or the bound record, b the bound record, t no template).
 * The check tests it inline, with no VM frame and without reading the rule
 * or its code: what the interpreter would do, field for field (vm_flag). */
typedef struct Quick {
    uint32_t rule;
    uint8_t op;     /* 0: not quick (the VM runs it); else its OPC_ test */
    uint8_t on_rec; /* the tested field is the bound record's (else the claim's) */
    uint8_t phases; /* Rule.phases */
    uint8_t amount_on_rec;
    int32_t field, amount;
    int32_t key_field; /* the finding's key: a field of the bound record, or -1 */
    int64_t k;
} Quick;

/* The claims whose candidates are all quick, on one record and flagging
 * the same amount field, laid out flat at load for checks that give their
 * findings in brief or count them.  Per candidate rule one Flat, in claim
 * order, holding the value of the field its test reads (copied from the
 * record or the claim at load, as a column store holds its rows), the
 * test's constant and the rule; per claim one FlatClaim with the values
 * its findings and its money at risk read.  A check compares each Flat's
 * value with its constant (what the test gives is never stored) in one
 * loop over the Flats of a run of such claims, with no branch on the
 * outcome. */
typedef struct Flat {
    int64_t x;      /* the tested field's value (ARB_NULL: missing) */
    int64_t k;      /* the rule's constant (never ARB_NULL) */
    uint32_t rule;  /* its position */
    uint32_t claim; /* its claim's position in the set */
    uint8_t pass;   /* bit c + 1 set: x compared with k giving c (-1, 0, 1) passes the test */
    uint8_t phases; /* Rule.phases */
} Flat;

enum { FLAT_OTHER, FLAT_CLAIM, FLAT_REVERSAL };
#define FLAT_ROWS 256  /* a check's block of claims has at most this many Flats */
#define FLAT_CLAIMS 64 /* and at most this many claims */

typedef struct FlatClaim {
    uint32_t first;     /* its first Flat (the next claim's first ends them) */
    uint32_t kind;      /* FLAT_*: a reversal record is not audited */
    uint32_t end;       /* the first claim from it on of kind FLAT_OTHER (n when none) */
    uint32_t reversals; /* claims of kind FLAT_REVERSAL before it */
    int64_t amount;     /* its findings' amount field's value (ARB_NULL: missing) */
    int64_t line_no;    /* arb_finding.line_no of its findings */
    int64_t total;      /* the claim's at_risk field's value (ARB_NULL: none or missing) */
    int64_t cap;        /* the record's at_risk field's value; INT64_MAX: its records have none */
} FlatClaim;

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
    Quick *quick;       /* beside rules: each one decoded (quick_rule) */
    uint8_t *fast;      /* per claim: 1 when all its candidates are quick */
    const Value **recs; /* beside cands: each one's record */
    uint8_t *key_line;  /* bit per rule: its findings' key is arb_finding.line_no */
    size_t nkey_line;   /* its bytes */
    FlatClaim *fclaims; /* per claim (n + 1 of them) */
    Flat *flat;         /* the flat claims' candidates, in claim order */
    size_t nflat;
    uint8_t flat_all_on; /* bit m: every Flat runs in phases m */
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

/* Decodes rule ri's bound code into q when it has the shape of Quick;
 * else q->op stays 0. */
static void quick_rule(const Program *p, uint32_t ri, Quick *q) {
    memset(q, 0, sizeof *q);
    q->rule = ri;
    const Rule *r = &p->rules[ri];
    int32_t b = r->bound_slot;
    if (r->index < 0 || b <= 0 || r->row_slot >= 0 || r->eff_from != ARB_NULL ||
        r->eff_to != ARB_NULL || r->bound_end < r->bound_entry + 16)
        return;
    const int32_t *c = p->code + r->bound_entry, *ops = rule_ops(p, r);
    /* LFIELD s f; CONST k; test; JZ end; LFIELD s a; FLAG b t 0; end: HALT */
    if (c[0] != OPC_LFIELD || (c[1] != 0 && c[1] != b) || c[3] != OPC_CONST) return;
    int op = c[5];
    if (op != OPC_EQ && op != OPC_NE && op != OPC_LT && op != OPC_LE && op != OPC_GT &&
        op != OPC_GE)
        return;
    if (c[6] != OPC_JZ || c[7] != (int32_t)r->bound_entry + 15 || c[8] != OPC_LFIELD ||
        (c[9] != 0 && c[9] != b) || c[11] != OPC_FLAG || c[12] != b || ops[c[13]] >= 0 ||
        c[14] != 0 || c[15] != OPC_HALT)
        return;
    int64_t k = p->consts[ops[c[4]]].i;
    if (k == ARB_NULL) return;
    q->on_rec = c[1] == b;
    q->field = c[2];
    q->k = k;
    q->amount_on_rec = c[9] == b;
    q->amount = c[10];
    q->phases = r->phases;
    q->key_field = r->key_field >= 0 && !r->flags_claim ? r->key_field : -1;
    q->op = (uint8_t)op;
}

/* The test's outcomes that pass (Flat.pass) for an OPC_ comparison. */
static uint8_t flat_pass(int op) {
    switch (op) { /* bit 0: less, 1: equal, 2: greater */
    case OPC_EQ: return 2;
    case OPC_NE: return 5;
    case OPC_LT: return 1;
    case OPC_LE: return 3;
    case OPC_GT: return 4;
    default: return 6;
    }
}

/* arb_finding.line_no of a finding of rule q on rec. */
static int64_t quick_line_no(const arb_claimset *set, const Quick *q, const Value *rec) {
    int64_t key = q->key_field >= 0 ? rec[q->key_field].i : ARB_NULL;
    return set->key_line[q->rule >> 3] >> (q->rule & 7) & 1 && key != ARB_NULL ? key : -1;
}

/* Whether claim c can be checked flat: all its candidates quick, on one
 * record, flagging the same amount with the same line number. */
static int flat_ok(const arb_claimset *set, size_t c) {
    size_t c0 = set->cstart[c], c1 = set->cstart[c + 1];
    if (!set->fast[c] || c1 - c0 > 1) return 0;
    if (c1 == c0) return 1;
    const VmCand *v = &set->cands[c0];
    if (v->nrules > FLAT_ROWS) return 0; /* a check's block must hold the claim's Flats */
    const Quick *q = set->quick + (v->rules - set->rules);
    for (size_t j = 1; j < v->nrules; j++)
        if (q[j].amount_on_rec != q[0].amount_on_rec || q[j].amount != q[0].amount ||
            quick_line_no(set, &q[j], set->recs[c0]) != quick_line_no(set, q, set->recs[c0]))
            return 0;
    return 1;
}

/* Lays out flat (FlatClaim, Flat) the claims flat_ok allows, and marks the
 * reversal records; -1 when out of memory. */
static int lay_flat(arb_claimset *set) {
    const Program *p = set->e->prog;
    const RecordType *ct = p->claim;
    Alloc a = set->e->alloc;
    HistReversal hrev;
    hist_reversal_init(&hrev, p);
    size_t nflat = 0;
    for (size_t c = 0; c < set->n; c++)
        if (set->cstart[c + 1] > set->cstart[c] && flat_ok(set, c))
            nflat += set->cands[set->cstart[c]].nrules;
    if (nflat >= UINT32_MAX || set->n >= UINT32_MAX) return 0; /* none flat */
    set->fclaims = mem_alloc(a, (set->n + 1) * sizeof(FlatClaim));
    set->flat = mem_alloc(a, (nflat + 1) * sizeof(Flat));
    if (!set->fclaims || !set->flat) return -1;
    set->nflat = nflat;
    uint32_t at = 0, reversals = 0;
    for (size_t c = 0; c < set->n; c++) {
        const Value *claim = set->claims[c];
        size_t c0 = set->cstart[c], c1 = set->cstart[c + 1];
        FlatClaim *fc = &set->fclaims[c];
        const ArbStr *target;
        *fc = (FlatClaim){at, FLAT_OTHER, 0, reversals, ARB_NULL, -1, ARB_NULL, INT64_MAX};
        fc->total = ct->at_risk_field >= 0 ? claim[ct->at_risk_field].i : ARB_NULL;
        if (hist_reversal(&hrev, claim, &target)) {
            fc->kind = FLAT_REVERSAL;
            reversals++;
            continue;
        }
        if (!flat_ok(set, c)) continue;
        fc->kind = FLAT_CLAIM;
        if (c1 == c0) continue; /* no candidate */
        const VmCand *v = &set->cands[c0];
        const Value *rec = set->recs[c0];
        int32_t cf = ct->fields[p->indexes[v->index].list_field].type.rec->at_risk_field;
        if (cf >= 0) fc->cap = rec[cf].i;
        const Quick *q = set->quick + (v->rules - set->rules);
        fc->amount = (q->amount_on_rec ? rec : claim)[q->amount].i;
        fc->line_no = quick_line_no(set, q, rec);
        for (size_t j = 0; j < v->nrules; j++, q++)
            set->flat[at++] = (Flat){(q->on_rec ? rec : claim)[q->field].i,
                                     q->k,
                                     q->rule,
                                     (uint32_t)c,
                                     flat_pass(q->op),
                                     q->phases};
    }
    uint8_t seen = 0; /* the Flats' Rule.phases */
    /* the Flats laid out: nflat also counted the reversals' candidates */
    for (size_t j = 0; j < at; j++) seen |= (uint8_t)(1u << (set->flat[j].phases & 7));
    for (unsigned m = 0; m < 8; m++) {
        int all = 1;
        for (unsigned v = 0; v < 8; v++)
            if (seen >> v & 1 && !(v & m)) all = 0;
        set->flat_all_on |= (uint8_t)(all << m);
    }
    set->fclaims[set->n] =
        (FlatClaim){at, FLAT_OTHER, (uint32_t)set->n, reversals, ARB_NULL, -1, ARB_NULL, 0};
    for (size_t c = set->n; c-- > 0;)
        set->fclaims[c].end =
            set->fclaims[c].kind == FLAT_OTHER ? (uint32_t)c : set->fclaims[c + 1].end;
    return 0;
}

/* Decodes the candidates' rules (each rule once) beside set->rules and
 * marks the claims whose candidates are all quick; -1 when out of memory. */
static int find_quick(arb_claimset *set) {
    const Program *p = set->e->prog;
    Alloc a = set->e->alloc;
    set->fast = mem_calloc(a, set->n + 1);
    set->quick = mem_alloc(a, (set->nrules + 1) * sizeof(Quick));
    set->recs = mem_alloc(a, (set->ncands + 1) * sizeof(Value *));
    uint32_t *at = mem_calloc(a, (p->nrules + 1) * sizeof(uint32_t)); /* rule -> 1 + its Quick */
    Quick *dec = mem_alloc(a, (p->nrules + 1) * sizeof(Quick));
    set->nkey_line = p->nrules / 8 + 1;
    set->key_line = mem_calloc(a, set->nkey_line);
    int rc = set->fast && set->quick && set->recs && set->key_line && at && dec ? 0 : -1;
    for (uint32_t ri = 0; !rc && ri < p->nrules; ri++) {
        const Rule *r = &p->rules[ri];
        if (r->key_field >= 0 && !r->flags_claim && r->key_kind != TY_CODE &&
            r->key_kind != TY_TEXT)
            set->key_line[ri >> 3] |= (uint8_t)(1u << (ri & 7));
    }
    for (size_t j = 0; !rc && j < set->nrules; j++) {
        uint32_t ri = set->rules[j];
        if (!at[ri]) {
            quick_rule(p, ri, &dec[ri]);
            at[ri] = 1;
        }
        set->quick[j] = dec[ri];
    }
    for (size_t c = 0; !rc && c < set->n; c++) {
        for (size_t k = set->cstart[c]; k < set->cstart[c + 1]; k++) {
            const VmCand *v = &set->cands[k];
            set->recs[k] = list_item(set->claims[c][p->indexes[v->index].list_field].l, v->rec);
        }
        int all = 1;
        for (size_t k = set->cstart[c]; k < set->cstart[c + 1] && all; k++) {
            const VmCand *v = &set->cands[k];
            const Quick *q = set->quick + (v->rules - set->rules);
            for (size_t j = 0; j < v->nrules && all; j++) all = q[j].op != 0;
        }
        set->fast[c] = (uint8_t)all;
    }
    if (!rc) rc = lay_flat(set);
    if (at) mem_free(a, at, (p->nrules + 1) * sizeof(uint32_t));
    if (dec) mem_free(a, dec, (p->nrules + 1) * sizeof(Quick));
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
    if (!rc) rc = find_quick(set);
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
    if (set->quick) mem_free(a, set->quick, (set->nrules + 1) * sizeof(Quick));
    if (set->fast) mem_free(a, set->fast, set->n + 1);
    if (set->recs) mem_free(a, set->recs, (set->ncands + 1) * sizeof(Value *));
    if (set->key_line) mem_free(a, set->key_line, set->nkey_line);
    if (set->fclaims) mem_free(a, set->fclaims, (set->n + 1) * sizeof(FlatClaim));
    if (set->flat) mem_free(a, set->flat, (set->nflat + 1) * sizeof(Flat));
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

/* Quick's test: the interpreter's CMP_INT with a constant that is not null. */
static inline int quick_test(int op, int64_t x, int64_t k) {
    if (x == ARB_NULL) return 0;
    switch (op) {
    case OPC_EQ: return x == k;
    case OPC_NE: return x != k;
    case OPC_LT: return x < k;
    case OPC_LE: return x <= k;
    case OPC_GT: return x > k;
    default: return x >= k;
    }
}

/* Claim i's candidates, all quick (set->fast[i]): vm_check_claim_cands's
 * findings without the VM.  No rule scans (Program.nscan_rules is 0), so
 * the findings are the candidates'; each (rule, record) pair comes once
 * (a record's rules are listed once, a rule is in one index), so there is
 * nothing to merge; they are ordered by rule as check_claim orders them.
 * Messages are the rules' titles, set only when a caller reads them
 * (with_message).  -1 when out of memory. */
static int quick_claim(VM *vm, const arb_claimset *set, const Program *p, const Value *claim,
                       size_t i, unsigned phases, int with_message) {
    size_t c0 = set->cstart[i], c1 = set->cstart[i + 1];
    for (size_t k = c0; k < c1; k++) {
        const VmCand *c = &set->cands[k];
        const Value *rec = set->recs[k];
        const Quick *q = set->quick + (c->rules - set->rules);
        for (size_t j = 0; j < c->nrules; j++, q++) {
            if (!(q->phases & phases)) continue;
            vm->rules_run++;
            if (!quick_test(q->op, (q->on_rec ? rec : claim)[q->field].i, q->k)) continue;
            if (vm->nfindings == vm->capfindings &&
                mem_grow(vm->alloc, (void **)&vm->findings, sizeof(Finding), &vm->capfindings,
                         vm->nfindings + 1))
                return -1;
            Finding *f = &vm->findings[vm->nfindings++];
            int64_t amount = (q->amount_on_rec ? rec : claim)[q->amount].i;
            f->rule = q->rule;
            f->key.i = ARB_NULL;
            if (q->key_field >= 0) f->key = rec[q->key_field];
            f->amount = amount == ARB_NULL ? 0 : amount;
            f->message = NULL;
            f->evidence = NULL;
            f->target = rec;
            f->row_key = NULL;
            f->nalso = 0;
            f->also = NULL;
        }
    }
    Finding *f = vm->findings;
    if (c1 - c0 > 1) /* several records: by rule, in record order within a rule */
        for (size_t a = 1; a < vm->nfindings; a++) {
            Finding x = f[a];
            size_t b = a;
            while (b > 0 && f[b - 1].rule > x.rule) f[b] = f[b - 1], b--;
            f[b] = x;
        }
    if (with_message)
        for (size_t a = 0; a < vm->nfindings; a++) f[a].message = p->rules[f[a].rule].title;
    return 0;
}

/* engine_claim_at_risk for findings that all flag one record of the list
 * list_field: the largest amount (the first finding with it takes the
 * share), capped by the record's at_risk amount when its records have one
 * and by the claim's. */
static int64_t quick_at_risk(const Program *p, const Value *claim, int32_t list_field,
                             const Finding *f, size_t n, int64_t *share) {
    const RecordType *ct = p->claim;
    int64_t total = ct->at_risk_field >= 0 ? claim[ct->at_risk_field].i : ARB_NULL;
    if (total == ARB_NULL || total < 0) total = 0;
    int64_t amount = f[0].amount < 0 ? 0 : f[0].amount;
    size_t at = 0;
    for (size_t k = 1; k < n; k++)
        if (f[k].amount > amount) amount = f[k].amount, at = k;
    int32_t cf = ct->fields[list_field].type.rec->at_risk_field;
    if (cf >= 0) {
        int64_t cap = f[0].target[cf].i;
        cap = cap == ARB_NULL || cap < 0 ? 0 : cap;
        if (cap < amount) amount = cap;
    }
    if (amount > total) amount = total;
    if (share) {
        for (size_t k = 0; k < n; k++) share[k] = 0;
        share[at] = amount;
    }
    return amount;
}

/* What a check of flat claims counts (arb_claimset_stats). */
typedef struct Tally {
    uint64_t audited, reversals, findings, flagged, run;
} Tally;

/* Where findings in brief go: to on_rows a buffer at a time, or to
 * on_brief one at a time, or nowhere (counting). */
typedef struct Sink {
    void (*on_brief)(void *ud, const arb_finding_brief *b);
    void (*on_rows)(void *ud, const arb_finding_brief *rows, size_t n);
    void *ud;
} Sink;

static void sink_flush(const Sink *k, const arb_finding_brief *rows, size_t n) {
    if (k->on_rows) {
        if (n) k->on_rows(k->ud, rows, n);
        return;
    }
    for (size_t j = 0; j < n; j++) k->on_brief(k->ud, &rows[j]);
}

/* The claims [from, to), all of kind FLAT_CLAIM or FLAT_REVERSAL:
 * quick_claim, quick_at_risk and check_range's findings in brief, from
 * their Flats, a block of claims at a time (at most FLAT_CLAIMS of them,
 * with at most FLAT_ROWS Flats).  A claim's findings all have its amount,
 * so the first of them takes the claim's share of the money at risk (the
 * amount capped by the record's at_risk amount and the claim's): each
 * block's shares are worked out first, claim by claim, then its Flats are
 * read in one loop that never branches on a test's outcome (each Flat is
 * written as a row that the next overwrites unless its test passed; the
 * counts move on by the outcome), then the rows' money is added up.
 * all_on: every Flat runs in phases.  keep = 0 only counts. */
static inline void flat_run(const arb_claimset *set, size_t from, size_t to, unsigned phases,
                            const Sink *sink, int keep, int all_on, Tally *tally,
                            arb_claimset_stats *st) {
    const FlatClaim *fc = set->fclaims;
    const Flat *flat = set->flat;
    uint64_t reversals = fc[to].reversals - fc[from].reversals;
    tally->reversals += reversals;
    tally->audited += to - from - reversals;
    /* the money in order, as check_range adds it */
    int64_t at_risk = st->at_risk_cents, at_risk_lines = st->at_risk_lines_cents;
    int overflowed = st->totals_overflowed;
    uint64_t run = 0, findings = 0, flagged = 0;
    arb_finding_brief rows[FLAT_ROWS + 1];
    int64_t share[FLAT_CLAIMS], amount[FLAT_CLAIMS], line_no[FLAT_CLAIMS];
    for (size_t a = from, b; a < to; a = b) {
        uint32_t base = fc[a].first;
        for (b = a; b < to && b - a < FLAT_CLAIMS && fc[b + 1].first - base <= FLAT_ROWS; b++) {
            const FlatClaim *f = &fc[b];
            int64_t v = f->amount == ARB_NULL ? 0 : f->amount;
            int64_t cap = f->cap == ARB_NULL || f->cap < 0 ? 0 : f->cap;
            int64_t total = f->total == ARB_NULL || f->total < 0 ? 0 : f->total;
            int64_t sh = v < 0 ? 0 : v;
            sh = sh > cap ? cap : sh;
            share[b - a] = sh > total ? total : sh;
            amount[b - a] = v;
            line_no[b - a] = f->line_no;
        }
        const Flat *q = flat + base, *stop = flat + fc[b].first;
        size_t nr = 0;
        uint32_t last = UINT32_MAX; /* the block's claim of the last finding */
        if (all_on) run += (uint64_t)(stop - q);
        for (; q < stop; q++) {
            uint32_t c = q->claim - (uint32_t)a;
            unsigned on = all_on || (q->phases & phases) != 0;
            int64_t x = q->x, k = q->k;
            unsigned cmp = (unsigned)((x > k) - (x < k) + 1);
            unsigned hit = on & (q->pass >> cmp) & (x != ARB_NULL);
            unsigned first = hit & (c != last); /* the claim's first finding */
            /* masks rather than conditions, which compilers make branches */
            rows[nr] = (arb_finding_brief){a + c, q->rule, line_no[c], amount[c],
                                           share[c] & -(int64_t)first};
            last ^= (last ^ c) & -(uint32_t)hit;
            flagged += first;
            nr += hit;
            if (!all_on) run += on;
        }
        for (size_t j = 0; j < nr; j++) {
            add_money(&at_risk, rows[j].amount_cents, &overflowed);
            add_money(&at_risk_lines, rows[j].at_risk_cents, &overflowed);
        }
        findings += nr;
        if (keep) sink_flush(sink, rows, nr);
    }
    tally->run += run;
    tally->findings += findings;
    tally->flagged += flagged;
    st->at_risk_cents = at_risk;
    st->at_risk_lines_cents = at_risk_lines;
    st->totals_overflowed = overflowed;
}

/* The claims from, from + 1, ... of kind FLAT_CLAIM or FLAT_REVERSAL (up
 * to the first other one, or to): flat_run; returns where it stopped. */
static size_t flat_range(const arb_claimset *set, size_t from, size_t to, unsigned phases,
                         const Sink *sink, Tally *t, arb_claimset_stats *st) {
    size_t end = set->fclaims[from].end < to ? set->fclaims[from].end : to;
    int keep = sink->on_brief || sink->on_rows, all_on = set->flat_all_on >> phases & 1;
    if (keep && all_on)
        flat_run(set, from, end, phases, sink, 1, 1, t, st);
    else if (keep)
        flat_run(set, from, end, phases, sink, 1, 0, t, st);
    else if (all_on)
        flat_run(set, from, end, phases, sink, 0, 1, t, st);
    else
        flat_run(set, from, end, phases, sink, 0, 0, t, st);
    return end;
}

/* arb_finding.line_no of finding f (engine_finding), from the set's bit
 * per rule (key_line) rather than the rule itself: 10k rules' records are
 * a megabyte, their bits a kilobyte. */
static inline int64_t line_no_of(const arb_claimset *set, const Finding *f) {
    return set->key_line[f->rule >> 3] >> (f->rule & 7) & 1 && f->key.i != ARB_NULL ? f->key.i : -1;
}

/* arb_claimset_check_range (on_finding), arb_claimset_check_brief
 * (sink->on_brief) and arb_claimset_check_rows (sink->on_rows): at most one
 * of them. */
static int check_range(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                       unsigned phases,
                       void (*on_finding)(void *ud, size_t claim, const arb_finding *f),
                       const Sink *sink, void *ud, arb_claimset_stats *st) {
    int brief = sink->on_brief || sink->on_rows;
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
    /* quick candidates run inline when nothing else runs for a claim: no
     * rule scans, no trace, the index in use */
    const uint8_t *fast = !vm->trace && !vm->no_index && !p->nscan_rules ? set->fast : NULL;
    /* flat claims (in brief or counting): FlatClaim and Flat alone */
    const FlatClaim *flat = fast && !on_finding ? set->fclaims : NULL;
    Tally t;
    memset(&t, 0, sizeof t);
    for (size_t i = from; i < to && rc == ARB_OK; i++) {
        if (flat && flat[i].kind != FLAT_OTHER &&
            (i = flat_range(set, i, to, phases, sink, &t, st)) == to)
            break;
        Value *claim = set->claims[i];
        st->claims++;
        if (i + 4 < to && !(fast && fast[i + 4])) prefetch_rules(set, p, i + 4, 0);
        if (i + 2 < to && !(fast && fast[i + 2])) prefetch_rules(set, p, i + 2, 1);
        const ArbStr *target;
        if (hist_reversal(&s->hrev, claim, &target)) { /* cancels a claim: not audited */
            st->reversals++;
            continue;
        }
        arena_reset(&s->ar);
        vm_clear(vm);
        size_t c0 = set->cstart[i];
        int quick = fast && fast[i];
        if (quick) {
            if (quick_claim(vm, set, p, claim, i, phases, on_finding != NULL)) {
                rc = ARB_ERR_NOMEM;
                break;
            }
        } else {
            if (use_hist) vm->hist_pos = set->hist.pos[i];
            if (vm_check_claim_cands(vm, claim, phases, &s->ar, set->cands + c0,
                                     set->cstart[i + 1] - c0)) {
                rc = ARB_ERR_NOMEM;
                break;
            }
        }
        st->audited++;
        size_t nf = vm->nfindings;
        if (nf) {
            st->claims_flagged++;
            st->findings += nf;
            int64_t once, *share = NULL;
            if ((on_finding || brief) && !(share = arena_alloc(&s->ar, nf * sizeof(int64_t)))) {
                rc = ARB_ERR_NOMEM;
                break;
            }
            if (quick && set->cstart[i + 1] - c0 == 1) /* one record flagged */
                once = quick_at_risk(p, claim, p->indexes[set->cands[c0].index].list_field,
                                     vm->findings, nf, share);
            else if (engine_claim_at_risk(p, claim, vm->findings, nf, share, &s->ar, &once)) {
                rc = ARB_ERR_NOMEM;
                break;
            }
            add_money(&st->at_risk_lines_cents, once, &st->totals_overflowed);
            if (on_finding) engine_finding_claim(s->e, claim, &ft);
            for (size_t k = 0; k < nf; k++) {
                const Finding *fd = &vm->findings[k];
                add_money(&st->at_risk_cents, fd->amount, &st->totals_overflowed);
                if (brief) {
                    arb_finding_brief b = {i, fd->rule, line_no_of(set, fd), fd->amount, share[k]};
                    sink_flush(sink, &b, 1);
                }
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
    vm->rules_run += t.run;
    st->rules_run = vm->rules_run - run0;
    st->claims += t.audited + t.reversals;
    st->audited += t.audited;
    st->reversals += t.reversals;
    st->findings += t.findings;
    st->claims_flagged += t.flagged;
    vm_clear(vm);
    arena_reset(&s->ar);
    vm->hist = hist;
    vm->hist_pos = hist_pos;
    vm->hist_fn = hist_fn;
    vm->skip_prepare = skip;
    if (rc == ARB_ERR_NOMEM) snprintf(s->errmsg, sizeof s->errmsg, "%s", _("out of memory"));
    return rc;
}

int arb_claimset_check_range(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                             unsigned phases,
                             void (*on_finding)(void *ud, size_t claim, const arb_finding *f),
                             void *ud, arb_claimset_stats *st) {
    Sink none = {NULL, NULL, NULL};
    return check_range(s, set, from, to, phases, on_finding, &none, ud, st);
}

int arb_claimset_check_brief(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                             unsigned phases,
                             void (*on_brief)(void *ud, const arb_finding_brief *b), void *ud,
                             arb_claimset_stats *st) {
    Sink sink = {on_brief, NULL, ud};
    return check_range(s, set, from, to, phases, NULL, &sink, ud, st);
}

int arb_claimset_check_rows(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                            unsigned phases,
                            void (*on_rows)(void *ud, const arb_finding_brief *rows, size_t n),
                            void *ud, arb_claimset_stats *st) {
    Sink sink = {NULL, on_rows, ud};
    return check_range(s, set, from, to, phases, NULL, &sink, ud, st);
}

int arb_claimset_check(arb_session *s, const arb_claimset *set, unsigned phases,
                       void (*on_finding)(void *ud, size_t claim, const arb_finding *f), void *ud,
                       arb_claimset_stats *st) {
    return arb_claimset_check_range(s, set, 0, set->n, phases, on_finding, ud, st);
}
