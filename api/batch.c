/* batch.c — auditing a claims file: reading JSON Lines or CSV in windows,
 * checking claims on worker threads, writing findings and rejects in input
 * order, and the run's statistics.  Memory stays flat in the batch size: a
 * window of input is read, checked and written before the next (on several
 * threads a few windows overlap: the pipe, below) — except
 * when a rule uses history() and no history store is given: then every
 * claim is read first, a per-person index is built (history.h), and the
 * claims are checked from it.  With a history store (store mode) the batch
 * is read twice in windows: first into a staging store beside it (each
 * person's claims in time order), then checked with history() read from
 * the store and the staging store (history/hsource.h); memory stays flat. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "claim_ids.h"
#include "csv_claims.h"
#include "engine.h"
#include "hcodec.h"
#include "history.h"
#include "i18n.h"
#include "hsource.h"
#include "hstore.h"
#include "json_writer.h"
#include "outfile.h"
#include "profile.h"
#include "strmap.h"
#include "scalar.h"
#include "transcode.h"

#define WINDOW_BYTES (8u << 20) /* JSON Lines read per window */
/* ... when streaming on one thread or through the pipe, where no barrier
 * waits at a window's end: smaller buffers, the findings of a window still
 * in the cache when written, fewer fresh pages */
#define STREAM_WINDOW_BYTES (2u << 20)
#define WINDOW_CLAIMS 20000u /* claims per window (history mode's checking) */
/* CSV claims per window: ~8 MB of generated CSV, as WINDOW_BYTES of JSON
 * Lines (the CSV reader holds a window of text at a time) */
#define CSV_WINDOW_CLAIMS 4096u
/* check --history: ~2 MB of CSV, as STORE_WINDOW_BYTES of JSON Lines */
#define CSV_STORE_WINDOW_CLAIMS 1024u
/* history add: about the claims of an ADD_WINDOW_BYTES window of JSON Lines
 * (~4 KB a claim), so that the window's parsed and encoded claims take what
 * they take when the same claims come as JSON Lines: CSV_WINDOW_CLAIMS
 * held four times as many, and the run's peak memory with them */
#define CSV_ADD_WINDOW_CLAIMS 1024u
/* Store mode (check --history): JSON Lines read per window while staging,
 * and encoded claims of the spool per window while checking.  A window's
 * claims are held parsed (about twice their JSON), encoded, spooled and in
 * the staging store's write transaction at once: about five times its
 * bytes, so this is what keeps the run's memory small. */
#define STORE_WINDOW_BYTES (2u << 20)
/* a window per worker (fewer waits for the slowest), up to four: memory
 * stays bounded whatever --threads says */
#define STORE_WINDOW_ALL(nw) ((size_t)STORE_WINDOW_BYTES * (size_t)((nw) < 4 ? (nw) : 4))
/* history add, in memory flat in the batch: JSON Lines read per window;
 * the keys and encoded records held for a commit's sorted puts
 * (stage_apply) and the pages their puts will dirty (held in memory until
 * the commit: a leaf each, three more for a claim that replaces a stored
 * one, and the pages of a record too big for a leaf)
 * at most about ADD_DIRTY_BYTES, else it commits at the end of the window
 * before commit_every claims; the store's pages read through the map let
 * go past ADD_PAGES_BYTES (hstore_guard_init) */
#define ADD_WINDOW_BYTES (4u << 20)
#define ADD_DIRTY_BYTES ((size_t)48 << 20)
#define ADD_PAGES_BYTES ((size_t)32 << 20)
/* check --history, staging: the staging store commits when its write
 * transaction's dirty pages pass this (not each window: a window's claims
 * are spread over the whole B-tree, so a commit per window wrote a leaf of
 * each table per claim) */
#define STAGE_DIRTY_BYTES ((size_t)32 << 20)
#define MAX_THREADS 64
#define MAX_SLOTS 4 /* buffers read_windows may take turns in */
/* The claim ids check --history keeps in memory before spilling to runs
 * (arb_batch_options.id_budget): a table of 4 MB. */
#define ID_BUDGET 196608u
/* The largest input whose history() is held in memory
 * (arb_batch_options.history_memory_max): the in-memory run peaks at
 * about the input's size plus the rules (360 MB at 100,000 claims of 4 KB,
 * 410 MB of JSON); a larger batch goes through a temporary store. */
#define HISTORY_MEMORY_MAX ((uint64_t)128 << 20)

void arb_batch_options_init(arb_batch_options *o) {
    memset(o, 0, sizeof *o);
    o->findings_format = ARB_FORMAT_JSONL;
    o->phases = ARB_PHASE_ALL;
    o->id_budget = ID_BUDGET;
    o->history_memory_max = HISTORY_MEMORY_MAX;
}

typedef struct Record {
    const char *p;
    size_t n;
    uint64_t line;
    uint64_t dup_of; /* an earlier record had its claim_id: that one's line (0: none) */
    uint64_t off;    /* of its first byte in the file (the file as read, before conversion) */
    const char *err; /* NULL, or why its text cannot be read (bytes that are not of its
                        encoding): the record is rejected without being parsed */
} Record;

/* Standard input as the claims (`--claims -`): batch_run names it so, and
 * read_windows reads fd 0 for this very pointer (not for a file so named). */
static const char STDIN_NAME[] = "<stdin>";

/* The claim ids of a JSON Lines batch (claim_ids.h), read from each
 * record's text on the reading thread, in input order, so the result is the
 * same for any thread count. */
typedef struct DupCheck {
    const arb_batch_options *o;
    IdSet ids;
    const char *key;     /* the claim's key field (claim_id) */
    const Field *status; /* an enum `status` with a member `reversed`, or NULL */
    int64_t reversed;
    int has_of; /* the claim has a field reversal_of */
    /* input profile: the ids of the claims built from each record (its
     * text has no claim_id of its own), checked on the main thread in
     * input order after the workers built them */
    int by_claim;
    int32_t kf; /* the claim's key field (a string) */
    /* the pipe scans each record for its id on the worker threads and the
     * main thread notes the ids in input order (not under --strict, where
     * a repeated claim is rejected before it is read) */
    int on_workers;
    Arena ar;
    uint64_t count;
} DupCheck;

/* The claim_id of record r to note into id (cap bytes; its length, at most
 * cap - 1, in *n), or 0: none, or a reversal's (ar: for the status). */
static int dupcheck_scan(const DupCheck *dc, const Record *r, Arena *ar, char *id, size_t cap,
                         size_t *n) {
    char of[256], v[256];
    /* one pass over the record's members for the three */
    JsonTopWant w[3] = {{.key = dc->key, .out = id, .cap = cap}};
    size_t nw = 1, at_of = 0, at_status = 0;
    if (dc->has_of)
        at_of = nw, w[nw++] = (JsonTopWant){.key = "reversal_of", .out = of, .cap = sizeof of};
    if (dc->status)
        at_status = nw, w[nw++] = (JsonTopWant){.key = "status", .out = v, .cap = sizeof v};
    json_top_values(r->p, r->n, w, nw);
    if (w[0].found != 1) return 0; /* the reader says */
    *n = w[0].len;
    if (at_of && w[at_of].found == 1) return 0;
    if (at_status && w[at_status].found == 1) {
        Value st;
        arena_reset(ar);
        if (!scalar_parse(&dc->status->type, v, w[at_status].len, ar, &st) && st.i == dc->reversed)
            return 0;
    }
    return 1;
}

/* Notes claim_id id (n bytes, in cap) of record r: r->dup_of, on_duplicate. */
static int dupcheck_note(DupCheck *dc, Record *r, char *id, size_t cap, size_t n) {
    uint64_t first;
    int rc = idset_add(&dc->ids, id, n, r->line, &first);
    if (rc <= 0) return rc; /* -2: a run of the ids could not be written or read */
    r->dup_of = first;
    dc->count++;
    if (dc->o->on_duplicate) {
        id[n < cap ? n : cap - 1] = 0;
        arb_duplicate d = {id, dc->o->claims_path, first, r->line};
        dc->o->on_duplicate(dc->o->ud, &d);
    }
    return 0;
}

/* Notes whether r's claim_id was seen before (r->dup_of) and tells
 * on_duplicate.  A reversal is neither checked nor kept: it may repeat the
 * id it cancels.  -1 when out of memory, -2 an I/O error (errno). */
static int dupcheck_record(DupCheck *dc, Record *r) {
    char id[1024];
    size_t n;
    r->dup_of = 0;
    return dupcheck_scan(dc, r, &dc->ar, id, sizeof id, &n) ? dupcheck_note(dc, r, id, sizeof id, n)
                                                            : 0;
}

/* Input profile: whether the claim built from the record on `line` repeats
 * the claim_id of an earlier claim (*first: that one's line; tells
 * on_duplicate).  A reversal is neither checked nor kept.  0 new, 1 seen
 * before, -1 out of memory, -2 an I/O error (errno). */
static int dupcheck_id(DupCheck *dc, const char *id, size_t n, uint64_t line, uint64_t *first) {
    int rc = idset_add(&dc->ids, id, n, line, first);
    if (rc <= 0) return rc;
    dc->count++;
    if (dc->o->on_duplicate) {
        arb_duplicate d = {id, dc->o->claims_path, *first, line};
        dc->o->on_duplicate(dc->o->ud, &d);
    }
    return 1;
}

static int dupcheck_claim(DupCheck *dc, const HistReversal *hr, const Value *claim, uint64_t line,
                          uint64_t *first) {
    const ArbStr *id = claim[dc->kf].s, *target;
    if (!id || hist_reversal(hr, claim, &target)) return 0;
    return dupcheck_id(dc, id->data, id->len, line, first);
}

typedef struct RejectNote {
    uint64_t line;
    const char *file;
    char message[1024];
} RejectNote;

/* A record of a batch read whole (history mode): an accepted claim, or a
 * rejected record with its reason. */
typedef struct HEntry {
    uint32_t claim; /* index among the accepted claims; UINT32_MAX: rejected */
    uint64_t line;
    const char *file, *msg;
    const char *raw;
    size_t rawn;
} HEntry;

/* Records read in history mode, in input order, and the accepted claims
 * among them (an accepted record's `claim` indexes claims). */
typedef struct ReadList {
    HEntry *ents;
    size_t nents, capents;
    Value **claims;
    size_t nclaims, capclaims;
} ReadList;

/* Appends a record (and its claim, unless rejected: NULL); -1 when out of
 * memory. */
static int readlist_add(Alloc a, ReadList *l, HEntry h, const Value *claim) {
    if (claim) {
        if (mem_grow(a, (void **)&l->claims, sizeof(Value *), &l->capclaims, l->nclaims + 1))
            return -1;
        h.claim = (uint32_t)l->nclaims;
        l->claims[l->nclaims++] = (Value *)claim;
    }
    if (mem_grow(a, (void **)&l->ents, sizeof(HEntry), &l->capents, l->nents + 1)) return -1;
    l->ents[l->nents++] = h;
    return 0;
}

static void readlist_free(Alloc a, ReadList *l) {
    mem_free(a, l->ents, l->capents * sizeof(HEntry));
    mem_free(a, l->claims, l->capclaims * sizeof(Value *));
    memset(l, 0, sizeof *l);
}

/* A rule stopped on a claim by a failed Lua call; strings in Worker.errtext. */
typedef struct RuleErrNote {
    uint32_t rule;
    size_t claim_id, message; /* offsets of NUL-terminated strings */
} RuleErrNote;

typedef struct Worker {
    const arb_engine *e;
    const arb_batch_options *o;
    VM vm;
    Arena ar;
    /* the work of this window */
    const Record *recs; /* JSON Lines */
    const CsvClaims *csv;
    size_t from, to; /* CSV claim indexes */
    size_t nrecs;
    const HEntry *hents; /* history mode: the records of this window */
    size_t nhents;
    const HistIndex *hist;
    /* history mode: the derived fields of claims prep_from..prep_to of prep
     * to compute (before any claim is checked) */
    HistIndex *prep;
    Value *const *prep_claims; /* the claims read, input order */
    uint32_t prep_from, prep_to;
    /* history mode, reading: recs are parsed into hist_ar, which lives the
     * whole batch; this window's records and claims, in input order */
    int reading;
    Arena hist_ar;
    StrMap strings; /* codes and texts repeat from claim to claim */
    ReadList read;
    /* results of this window */
    StrBuf out, rej;
    RejectNote *notes;
    size_t nnotes, capnotes;
    /* totals */
    StrBuf errtext, errjson;
    RuleErrNote *errs;
    size_t nerrs, caperrs;
    /* store mode: history() from the stores */
    HSource src;
    int store_mode;
    /* store mode, reading: each accepted claim of `read` encoded for the
     * store (enc_at[k]: offset and length in enc of read.ents[k]) */
    int encode;
    int enc_hashed; /* hcodec's hashed variant (check --history's spool) */
    uint32_t enc_schema;
    const HcEnc *enc_plan; /* hstore_encoder, or NULL */
    StrBuf enc;
    size_t (*enc_at)[2];
    size_t capenc_at;
    /* store mode, checking: this window's claims from the spool */
    const struct SpoolRec *srecs;
    size_t nsrecs;
    HistReversal hrev;
    InputNotes unread; /* input fields not read */
    /* an input profile (--input): JSON documents through prof, or the CSV
     * claims from..to of pcsv */
    const Prof *prof;
    const ProfCsv *pcsv;
    ProfWork pw;
    /* input profile, streaming without --strict: the claim ids of this
     * window's claims, for the main thread to check in input order */
    int note_ids;
    StrBuf idtext;
    struct IdNote *idn;
    size_t nidn, capidn;
    uint64_t audited, rejected, lines, findings, flagged, rule_errors, reversals;
    int64_t claimed, line_cents, at_risk, at_risk_lines;
    uint64_t *cat_count;
    int64_t *cat_amount;
    int overflowed; /* a money total overflowed int64 (saturated) */
    int failed;
    char ioerr[512]; /* store mode: why a store could not be read, or "" */
    FindingText ft;  /* the claim's, for its findings (kept: field numbers) */
    /* two cache lines between this worker's counters above, written claim
     * after claim, and the next worker's first fields (workers lie side by
     * side in one array): without it they share a line, which bounces
     * between the cores (false sharing) */
    char pad[128];
} Worker;

/* Adds v to the money total *t, saturating at +-INT64_MAX cents (never
 * INT64_MIN: that is the missing value) and setting *overflowed. */
static inline void add_money(int64_t *t, int64_t v, int *overflowed) {
    int64_t r;
    if (__builtin_add_overflow(*t, v, &r) || r == INT64_MIN) {
        *t = v > 0 ? INT64_MAX : -INT64_MAX;
        *overflowed = 1;
        return;
    }
    *t = r;
}

/* A claim id noted on a worker (Worker.idn): its text in Worker.idtext. */
typedef struct IdNote {
    uint64_t line;
    size_t at, n;
} IdNote;

/* Notes the claim id of a claim built from the record on `line` (not of a
 * reversal, nor a missing one). */
static void note_id(Worker *w, const Value *claim, uint64_t line) {
    const ArbStr *id = claim[w->e->batch_ids->kf].s, *target;
    if (!id || hist_reversal(&w->hrev, claim, &target)) return;
    if (mem_grow(w->e->alloc, (void **)&w->idn, sizeof(IdNote), &w->capidn, w->nidn + 1)) {
        w->failed = ARB_ERR_NOMEM;
        return;
    }
    w->idn[w->nidn++] = (IdNote){line, w->idtext.len, id->len};
    sb_putn(&w->idtext, id->data, id->len);
    sb_putc(&w->idtext, 0);
}

/* Appends s as a CSV cell (quoted when needed). */
static void csv_cell(StrBuf *b, const char *s, int force_quotes) {
    int q = force_quotes || strpbrk(s, ",\"\n\r") != NULL;
    if (!q) {
        sb_puts(b, s);
        return;
    }
    sb_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"') sb_putc(b, '"');
        sb_putc(b, *s);
    }
    sb_putc(b, '"');
}

static void json_str(StrBuf *b, const char *s) {
    size_t n = strlen(s);
    size_t need = scalar_json_quote(s, n, NULL, 0);
    char *w = sb_reserve(b, need + 1);
    if (!w) return;
    scalar_json_quote(s, n, w, need + 1);
    b->len += need;
}

/* Writes one finding in the chosen format (with json_writer's appenders:
 * no formatted printing). */
static void write_finding(StrBuf *b, int format, const arb_finding *f) {
    if (format == ARB_FORMAT_CSV) {
        csv_cell(b, f->claim_id, 0);
        sb_putc(b, ',');
        csv_cell(b, f->rule_id, 0);
        const char *names[] = {f->category, f->category_code, f->severity, f->nature};
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
            sb_putc(b, ',');
            sb_puts(b, names[i]);
        }
        sb_putc(b, ',');
        jsonw_int(b, f->points);
        sb_putc(b, ',');
        if (f->line_no >= 0) jsonw_int(b, f->line_no);
        sb_putc(b, ',');
        jsonw_money(b, f->amount_cents);
        sb_putc(b, ',');
        csv_cell(b, f->message, 1);
        /* the other matched rows' keys and the earlier claims, as in JSON:
         * "k1;k2" and "claim_id@settle_time;..." (empty: none) */
        StrBuf cell;
        sb_init(&cell, b->alloc);
        for (size_t i = 0; i < f->nalso_matched; i++) {
            if (i) sb_putc(&cell, ';');
            sb_puts(&cell, f->also_matched[i]);
        }
        sb_putc(b, ',');
        csv_cell(b, sb_str(&cell), 0);
        sb_clear(&cell);
        static const Type when = {TY_DATETIME, 0, NULL, NULL, NULL};
        for (size_t i = 0; i < f->nevidence; i++) {
            char t[40];
            Value v = {.i = f->evidence[i].settle_time};
            scalar_format(&when, v, 0, 0, t, sizeof t);
            sb_printf(&cell, "%s%s@%s", i ? ";" : "", f->evidence[i].claim_id, t);
        }
        sb_putc(b, ',');
        csv_cell(b, sb_str(&cell), 0);
        sb_free(&cell);
        /* what reports group by (arb_finding) */
        const char *more[] = {f->finding_id,  f->category_title, f->tier,   f->person_id,
                              f->facility_id, f->dept,           f->doctor, f->settle_date};
        for (size_t i = 0; i < sizeof more / sizeof *more; i++) {
            sb_putc(b, ',');
            csv_cell(b, more[i], 0);
        }
        sb_putc(b, ',');
        jsonw_money(b, f->at_risk_cents);
        sb_putc(b, '\n');
        return;
    }
    jsonw_finding(b, f);
}

size_t arb_finding_json(const arb_finding *f, char *buf, size_t cap) {
    StrBuf b;
    sb_init(&b, mem_default());
    write_finding(&b, ARB_FORMAT_JSONL, f);
    size_t n = b.oom || !b.len ? 0 : b.len - 1; /* without the newline */
    if (cap) {
        size_t k = n < cap - 1 ? n : cap - 1;
        if (k) memcpy(buf, b.p, k);
        buf[k] = 0;
    }
    sb_free(&b);
    return n;
}

/* The reason the record r, a duplicate, is rejected (--strict). */
static void dup_message(char *buf, size_t cap, const arb_engine *e, const Record *r) {
    const RecordType *ct = e->prog->claim;
    const char *key = ct->key_field >= 0 ? ct->fields[ct->key_field].name : "claim_id";
    char id[256];
    size_t n = 0;
    if (json_top_value(r->p, r->n, key, id, sizeof id - 1, &n) != 1) n = 0;
    id[n] = 0;
    snprintf(buf, cap, "%s '%s' seen before, on line %llu (rejected: --strict)", key, id,
             (unsigned long long)r->dup_of);
}

static void reject(Worker *w, const char *file, uint64_t line, const char *msg, const char *raw,
                   size_t rawlen) {
    w->rejected++;
    if (mem_grow(w->e->alloc, (void **)&w->notes, sizeof(RejectNote), &w->capnotes,
                 w->nnotes + 1) == 0) {
        RejectNote *r = &w->notes[w->nnotes++];
        r->line = line;
        r->file = file;
        snprintf(r->message, sizeof r->message, "%s", msg);
    }
    sb_puts(&w->rej, "{\"file\":");
    json_str(&w->rej, file);
    sb_printf(&w->rej, ",\"line\":%llu,\"error\":", (unsigned long long)line);
    json_str(&w->rej, msg);
    sb_puts(&w->rej, ",\"record\":");
    size_t need = scalar_json_quote(raw, rawlen, NULL, 0);
    char *wp = sb_reserve(&w->rej, need + 1);
    if (wp) {
        scalar_json_quote(raw, rawlen, wp, need + 1);
        w->rej.len += need;
    }
    sb_puts(&w->rej, "}\n");
}

/* Sums, findings and output of one audited claim. */
static void audit(Worker *w, Value *claim) {
    const Program *p = w->e->prog;
    const ArbStr *target;
    if (hist_reversal(&w->hrev, claim, &target)) { /* cancels a claim: not audited */
        w->reversals++;
        return;
    }
    vm_clear(&w->vm);
    if (vm_check_claim(&w->vm, claim, w->o->phases, &w->ar)) {
        w->failed = ARB_ERR_NOMEM;
        return;
    }
    w->audited++;
    /* the findings' rule ids, read for their finding ids below: 10k rules'
     * ids are seldom in the cache */
    for (size_t i = 0; i < w->vm.nfindings; i++)
        __builtin_prefetch(p->rules[w->vm.findings[i].rule].id);
    const RecordType *ct = p->claim;
    if (ct->at_risk_field >= 0 && claim[ct->at_risk_field].i != ARB_NULL)
        add_money(&w->claimed, claim[ct->at_risk_field].i, &w->overflowed);
    for (uint32_t f = 0; f < ct->nfields; f++) {
        if (ct->fields[f].type.kind != TY_LIST) continue;
        const ArbList *l = claim[f].l;
        const RecordType *et = ct->fields[f].type.rec;
        if (!l || et->at_risk_field < 0) continue;
        w->lines += l->n;
        for (uint32_t i = 0; i < l->n; i++) {
            int64_t v = list_item(l, i)[et->at_risk_field].i;
            if (v != ARB_NULL) add_money(&w->line_cents, v, &w->overflowed);
        }
    }
    if (w->vm.nfindings) w->flagged++;
    /* the money at risk once per flagged line, and each finding's part */
    int64_t once;
    int64_t *share =
        w->vm.nfindings ? arena_alloc(&w->ar, w->vm.nfindings * sizeof(int64_t)) : NULL;
    if ((w->vm.nfindings && !share) ||
        engine_claim_at_risk(p, claim, w->vm.findings, w->vm.nfindings, share, &w->ar, &once)) {
        w->failed = ARB_ERR_NOMEM;
        return;
    }
    FindingText *ft = &w->ft;
    if (w->vm.nfindings) engine_finding_claim(w->e, claim, ft);
    for (size_t i = 0; i < w->vm.nfindings; i++) {
        const Finding *fd = &w->vm.findings[i];
        arb_finding f;
        engine_finding_of(w->e, claim, fd, &f, ft);
        f.at_risk_cents = share[i];
        w->findings++;
        add_money(&w->at_risk, fd->amount, &w->overflowed);
        uint32_t c = p->rules[fd->rule].category;
        w->cat_count[c]++;
        add_money(&w->cat_amount[c], fd->amount, &w->overflowed);
        if (w->o->findings_path) write_finding(&w->out, w->o->findings_format, &f);
    }
    add_money(&w->at_risk_lines, once, &w->overflowed);
    for (size_t i = 0; i < w->vm.nfailures; i++) {
        const RuleFailure *rf = &w->vm.failures[i];
        w->rule_errors++;
        if (mem_grow(w->e->alloc, (void **)&w->errs, sizeof(RuleErrNote), &w->caperrs,
                     w->nerrs + 1)) {
            w->failed = ARB_ERR_NOMEM;
            return;
        }
        arb_finding f;
        Finding fake = {.rule = rf->rule, .key = {.i = ARB_NULL}, .message = ""};
        engine_finding(w->e, claim, &fake, &f, ft);
        RuleErrNote *n = &w->errs[w->nerrs++];
        n->rule = rf->rule;
        n->claim_id = w->errtext.len;
        sb_puts(&w->errtext, f.claim_id);
        sb_putc(&w->errtext, 0);
        n->message = w->errtext.len;
        sb_puts(&w->errtext, rf->message);
        sb_putc(&w->errtext, 0);
        sb_puts(&w->errjson, "{\"claim_id\":");
        json_str(&w->errjson, f.claim_id);
        sb_puts(&w->errjson, ",\"rule\":");
        json_str(&w->errjson, f.rule_id);
        sb_puts(&w->errjson, ",\"error\":");
        json_str(&w->errjson, rf->message);
        sb_puts(&w->errjson, "}\n");
    }
}

/* History mode, reading: parses this window's records (JSON Lines, or CSV
 * claims from..to) into the batch-long arena; a rejected record keeps its
 * reason and text. */
/* History mode, reading: the strings a worker shares among the claims it
 * reads (Worker.strings) are forgotten after this many.  Codes, names and
 * departments repeat from claim to claim, but most of a batch's distinct
 * strings are met once (claim, order and line numbers): a map of them all
 * grows to tens of MB, past the caches, so that nearly every string read
 * costs a miss to memory, and two workers reading at once each pay it
 * against the other's traffic.  Bounded, the map stays in a core's own
 * cache and the strings that repeat are found again within a few claims.
 * Only memory sharing is lost (a string met again after the map was
 * cleared gets a copy of its own); strings compare by their text. */
#define STRINGS_MAX (1u << 14)

static void strings_bound(Worker *w) {
    if (w->strings.n >= STRINGS_MAX) strmap_clear(&w->strings);
}

static void read_records(Worker *w) {
    char msg[1024], full[1100];
    for (size_t i = w->from; w->pcsv && i < w->to && !w->failed; i++) {
        strings_bound(w);
        HEntry h = {UINT32_MAX, 0, w->o->claims_path, NULL, NULL, 0};
        prof_csv_raw(w->pcsv, i, &h.raw, &h.rawn, NULL); /* valid for this window only */
        StrMap *shared = w->encode ? NULL : &w->strings;
        JsonrOptions jo = {shared, &w->unread, w->o->strict, 0, w->o->max_field_bytes, 0};
        int prc = prof_csv_get(w->pcsv, i, &w->pw, w->e->json, &w->hist_ar, &jo, msg, sizeof msg,
                               &h.line);
        if (prc == -2) {
            w->failed = 1;
            break;
        }
        if (prc) {
            h.msg = arena_strndup(&w->hist_ar, msg, strlen(msg));
            /* a rejected row's text is written out after the window, in history mode */
            h.raw = arena_strndup(&w->hist_ar, h.raw, h.rawn);
            if (!h.msg || !h.raw || readlist_add(w->e->alloc, &w->read, h, NULL)) w->failed = 1;
            continue;
        }
        for (size_t k = 0; k < w->pw.nclaims && !w->failed; k++)
            if (readlist_add(w->e->alloc, &w->read, h, w->pw.claims[k])) w->failed = 1;
    }
    for (size_t i = w->from; w->csv && i < w->to && !w->failed; i++) {
        const Value *claim = NULL;
        strings_bound(w);
        HEntry h = {UINT32_MAX, 0, NULL, NULL, NULL, 0};
        csvc_raw(w->csv, i, &h.raw, &h.rawn); /* valid for this window only (streamed) */
        /* store mode keeps a claim only for its window: no need to share strings */
        StrMap *strings = w->encode ? NULL : &w->strings;
        if (csvc_get_ex(w->csv, i, &w->hist_ar, strings, &w->unread, w->o->strict, &claim, msg,
                        sizeof msg, &h.file, &h.line) != 0) {
            claim = NULL;
            h.msg = arena_strndup(&w->hist_ar, msg, strlen(msg));
            /* a rejected row's text is written out after the window, in history mode */
            h.raw = arena_strndup(&w->hist_ar, h.raw, h.rawn);
            if (!h.msg || !h.raw) w->failed = 1;
        }
        if (!w->failed && readlist_add(w->e->alloc, &w->read, h, claim)) w->failed = 1;
    }
    for (size_t i = 0; i < w->nrecs && !w->failed; i++) {
        const Record *r = &w->recs[i];
        const Value *claim = NULL;
        size_t off = 0;
        strings_bound(w);
        /* an accepted record's text: valid while this window is (store mode) */
        HEntry h = {UINT32_MAX, r->line, w->o->claims_path, NULL, r->p, r->n};
        /* store mode: the claim is only encoded (its strings need no hash);
         * an input profile's mappings may look its strings up */
        StrMap *shared = w->encode ? NULL : &w->strings;
        /* not the spool's (enc_hashed): its records carry each string's hash */
        int no_hash = w->encode && !w->prof && !w->enc_hashed;
        JsonrOptions jo = {shared, &w->unread, w->o->strict, r->off, w->o->max_field_bytes,
                           no_hash};
        int prc = r->err ? -1
                  : r->dup_of && w->o->strict
                      ? (dup_message(msg, sizeof msg, w->e, r), off = SIZE_MAX, -1)
                  : w->prof ? prof_read_json(w->prof, &w->pw, w->e->json, r->p, r->n, &w->hist_ar,
                                             &jo, msg, sizeof msg, &off)
                            : jsonr_parse_ex(w->e->json, r->p, r->n, &w->hist_ar, &jo, &claim, msg,
                                             sizeof msg, &off);
        if (prc == -2) { /* out of memory: no fault of the record's */
            w->failed = 1;
            break;
        }
        if (w->prof && !prc) { /* a document: its claims, in order */
            for (size_t k = 0; k < w->pw.nclaims && !w->failed; k++)
                if (readlist_add(w->e->alloc, &w->read, h, w->pw.claims[k])) w->failed = 1;
            continue;
        }
        if (prc) {
            if (r->err)
                snprintf(full, sizeof full, "%s", r->err);
            else if (off == SIZE_MAX) /* not the text's fault: no column */
                snprintf(full, sizeof full, "%s", msg);
            else
                snprintf(full, sizeof full, _("column %zu: %s"), off + 1, msg);
            claim = NULL;
            h.msg = arena_strndup(&w->hist_ar, full, strlen(full));
            h.raw = arena_strndup(&w->hist_ar, r->p, r->n);
            h.rawn = r->n;
            if (!h.msg || !h.raw) w->failed = 1;
        }
        if (!w->failed && readlist_add(w->e->alloc, &w->read, h, claim)) w->failed = 1;
    }
}

/* A claim of the spool (store mode): its input position and encoding. */
typedef struct SpoolRec {
    uint64_t ordinal;
    const char *p;
    size_t n;
} SpoolRec;

/* Store mode, reading: encodes this window's accepted claims (on the
 * worker, so the main thread only stores them). */
static void encode_records(Worker *w) {
    sb_clear(&w->enc);
    if (mem_grow(w->e->alloc, (void **)&w->enc_at, sizeof *w->enc_at, &w->capenc_at,
                 w->read.nents + 1)) {
        w->failed = 1;
        return;
    }
    for (size_t k = 0; k < w->read.nents; k++) {
        const HEntry *h = &w->read.ents[k];
        size_t at = w->enc.len;
        const Value *claim = h->claim != UINT32_MAX ? w->read.claims[h->claim] : NULL;
        if (claim && w->enc_hashed) /* the spool's: decoded without hashing its strings */
            hcodec_encode_hashed(w->e->prog->claim, w->enc_schema, claim, &w->enc);
        else if (claim && w->enc_plan)
            hcodec_encode_with(w->enc_plan, w->enc_schema, claim, &w->enc);
        else if (claim)
            hcodec_encode(w->e->prog->claim, w->enc_schema, claim, &w->enc);
        w->enc_at[k][0] = at;
        w->enc_at[k][1] = w->enc.len - at;
    }
    if (w->enc.oom) w->failed = 1;
}

/* Store mode, checking: decodes each claim of the spool, sets up its
 * history, audits it. */
static void audit_spooled(Worker *w) {
    const HStore *st = w->src.stage;
    uint32_t width = w->e->prog->claim->nfields;
    for (size_t i = 0; i < w->nsrecs && !w->failed; i++) {
        const SpoolRec *r = &w->srecs[i];
        arena_reset(&w->ar);
        Value *claim = arena_alloc(&w->ar, (width ? width : 1) * sizeof(Value));
        int rc = claim ? hstore_decode_hashed(st, r->p, r->n, &w->ar, claim) : -2;
        if (rc) {
            w->failed = rc == -2 ? ARB_ERR_NOMEM : ARB_ERR_IO;
            break;
        }
        hsrc_set_claim(&w->src, claim, (uint32_t)r->ordinal);
        audit(w, claim);
    }
}

static void *work(void *arg) {
    Worker *w = arg;
    char msg[1024];
    if (w->prep) { /* claims in input order: copied into the index, then prepared */
        hist_copy(w->prep, w->prep_claims, w->prep_from, w->prep_to);
        for (uint32_t i = w->prep_from; i < w->prep_to && !w->failed; i++)
            if (vm_prepare(&w->vm, hist_claim(w->prep, i), &w->hist_ar)) w->failed = ARB_ERR_NOMEM;
        return NULL;
    }
    if (w->reading) {
        read_records(w);
        if (w->encode && !w->failed) encode_records(w);
        return NULL;
    }
    if (w->srecs) {
        audit_spooled(w);
        return NULL;
    }
    if (w->hents) {
        for (size_t i = 0; i < w->nhents && !w->failed; i++) {
            const HEntry *h = &w->hents[i];
            arena_reset(&w->ar);
            if (h->claim == UINT32_MAX) {
                reject(w, h->file, h->line, h->msg, h->raw, h->rawn);
                continue;
            }
            if (!w->hist) { /* streaming, read first (run_window) */
                audit(w, w->read.claims[h->claim]);
                continue;
            }
            w->vm.hist_pos = w->hist->pos[h->claim];
            audit(w, hist_claim(w->hist, h->claim));
        }
        return NULL;
    }
    if (w->pcsv) {
        for (size_t i = w->from; i < w->to && !w->failed; i++) {
            arena_reset(&w->ar);
            uint64_t line;
            JsonrOptions jo = {NULL, &w->unread, w->o->strict, 0, w->o->max_field_bytes, 0};
            int prc =
                prof_csv_get(w->pcsv, i, &w->pw, w->e->json, &w->ar, &jo, msg, sizeof msg, &line);
            if (prc == -2) {
                w->failed = ARB_ERR_NOMEM;
                break;
            }
            if (prc) {
                const char *raw;
                size_t n;
                prof_csv_raw(w->pcsv, i, &raw, &n, NULL);
                reject(w, w->o->claims_path, line, msg, raw, n);
                continue;
            }
            for (size_t k = 0; k < w->pw.nclaims && !w->failed; k++) {
                if (w->note_ids) note_id(w, w->pw.claims[k], line);
                audit(w, (Value *)w->pw.claims[k]);
            }
        }
        return NULL;
    }
    if (w->csv) {
        for (size_t i = w->from; i < w->to && !w->failed; i++) {
            arena_reset(&w->ar);
            const Value *claim;
            const char *file;
            uint64_t line;
            if (csvc_get_ex(w->csv, i, &w->ar, NULL, &w->unread, w->o->strict, &claim, msg,
                            sizeof msg, &file, &line) != 0) {
                const char *raw;
                size_t n;
                csvc_raw(w->csv, i, &raw, &n);
                reject(w, file, line, msg, raw, n);
                continue;
            }
            audit(w, (Value *)claim);
        }
        return NULL;
    }
    for (size_t i = 0; i < w->nrecs && !w->failed; i++) {
        const Record *r = &w->recs[i];
        arena_reset(&w->ar);
        const Value *claim;
        size_t off = 0;
        if (r->err) {
            reject(w, w->o->claims_path, r->line, r->err, r->p, r->n);
            continue;
        }
        if (r->dup_of && w->o->strict) {
            dup_message(msg, sizeof msg, w->e, r);
            reject(w, w->o->claims_path, r->line, msg, r->p, r->n);
            continue;
        }
        JsonrOptions jo = {NULL, &w->unread, w->o->strict, r->off, w->o->max_field_bytes, 0};
        int prc = w->prof ? prof_read_json(w->prof, &w->pw, w->e->json, r->p, r->n, &w->ar, &jo,
                                           msg, sizeof msg, &off)
                          : jsonr_parse_ex(w->e->json, r->p, r->n, &w->ar, &jo, &claim, msg,
                                           sizeof msg, &off);
        if (prc == -2) { /* out of memory: no fault of the record's */
            w->failed = ARB_ERR_NOMEM;
            break;
        }
        if (w->prof && !prc) { /* a document: its claims, in order */
            for (size_t k = 0; k < w->pw.nclaims && !w->failed; k++) {
                if (w->note_ids) note_id(w, w->pw.claims[k], r->line);
                audit(w, (Value *)w->pw.claims[k]);
            }
            continue;
        }
        if (prc) {
            char full[1100];
            snprintf(full, sizeof full, _("column %zu: %s"), off + 1, msg);
            reject(w, w->o->claims_path, r->line, full, r->p, r->n);
            continue;
        }
        audit(w, (Value *)claim);
    }
    return NULL;
}

/* Runs the workers of one window (on threads when there are several). */
static void run_workers(Worker *ws, int n) {
    if (n == 1) {
        work(&ws[0]);
        return;
    }
    pthread_t th[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (int i = 0; i < n; i++) started[i] = pthread_create(&th[i], NULL, work, &ws[i]) == 0;
    for (int i = 0; i < n; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            work(&ws[i]); /* could not start a thread: do it here */
    }
}

/* The run's output files (outfile.h): each written to a temporary file
 * beside it and renamed over it at the end of a run that went well (removed
 * when it did not); the rejects and rule errors only when there are some. */
typedef struct Output {
    OutFile findings, rejects, errors;
    const char *rejects_path;
    int failed;
} Output;

/* Appends b to *f, opening path on the first write (files nobody needs are
 * not created, and an old one is left as it is). */
static int append_lazily(arb_engine *e, OutFile *f, const char *path, const StrBuf *b) {
    int err = outf_is_open(f) ? 0 : outf_open(f, path, e->alloc);
    if (!err) err = outf_write(f, b->p, b->len);
    if (err) return engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", path, strerror(err));
    return ARB_OK;
}

/* Whether writing out would replace the input file in (which exists). */
static int replaces_input(const char *out, const char *in) {
    return access(in, F_OK) == 0 && outf_same_target(out, in);
}

/* The path of a canonical CSV child file (lines.csv, ...) beside claims. */
static void child_csv(char *out, size_t cap, const char *claims, const char *name) {
    const char *slash = strrchr(claims, '/');
    int dirlen = slash ? (int)(slash - claims) : 1;
    snprintf(out, cap, "%.*s/%s.csv", dirlen, slash ? claims : ".", name);
}

/* An output that is an input would destroy it, and two outputs that are the
 * same file would lose one: both are refused (ARB_ERR_USAGE) before anything
 * is opened.  The inputs: the claims file and, for CSV, the child files read
 * beside it (one per list field of the claim: lines.csv, ...). */
static int refuse_overwriting(arb_engine *e, const arb_batch_options *o, int csv) {
    const char *outs[3] = {o->findings_path, o->rejects_path, o->rule_errors_path};
    static const char *const what[3] = {N_("findings file"), N_("reject file"),
                                        N_("rule-error file")};
    const RecordType *ct = e->prog->claim;
    for (int k = 0; k < 3; k++) {
        if (!outs[k]) continue;
        if (o->claims_path != STDIN_NAME && replaces_input(outs[k], o->claims_path))
            return engine_fail(e, ARB_ERR_USAGE,
                               "the %s %s is the claims file %s: refusing to overwrite it",
                               _(what[k]), outs[k], o->claims_path);
        for (uint32_t f = 0; csv && f < ct->nfields; f++) {
            if (ct->fields[f].type.kind != TY_LIST) continue;
            char path[4096];
            child_csv(path, sizeof path, o->claims_path, ct->fields[f].name);
            if (replaces_input(outs[k], path))
                return engine_fail(e, ARB_ERR_USAGE,
                                   "the %s %s is %s, read with the claims %s: refusing to "
                                   "overwrite it",
                                   _(what[k]), outs[k], path, o->claims_path);
        }
        for (int j = 0; j < k; j++)
            if (outs[j] && outf_same_target(outs[j], outs[k]))
                return engine_fail(e, ARB_ERR_USAGE, "the %s %s and the %s %s are the same file",
                                   _(what[j]), outs[j], _(what[k]), outs[k]);
    }
    return ARB_OK;
}

/* The results of some claims, to be written in input order: the fields of
 * Worker of the same names, traded with a worker's by results_swap (the
 * pipelined reader keeps them per chunk of claims). */
typedef struct Results {
    StrBuf out, rej, errtext, errjson;
    RejectNote *notes;
    size_t nnotes, capnotes;
    RuleErrNote *errs;
    size_t nerrs, caperrs;
    int failed;
    char ioerr[512];
} Results;

#define SWAP(T, a, b)                                                                              \
    do {                                                                                           \
        T t_ = (a);                                                                                \
        (a) = (b);                                                                                 \
        (b) = t_;                                                                                  \
    } while (0)

typedef size_t EncAt[2]; /* Worker.enc_at's element */

static void results_swap(Worker *w, Results *r) {
    SWAP(StrBuf, w->out, r->out);
    SWAP(StrBuf, w->rej, r->rej);
    SWAP(StrBuf, w->errtext, r->errtext);
    SWAP(StrBuf, w->errjson, r->errjson);
    SWAP(RejectNote *, w->notes, r->notes);
    SWAP(size_t, w->nnotes, r->nnotes);
    SWAP(size_t, w->capnotes, r->capnotes);
    SWAP(RuleErrNote *, w->errs, r->errs);
    SWAP(size_t, w->nerrs, r->nerrs);
    SWAP(size_t, w->caperrs, r->caperrs);
    SWAP(int, w->failed, r->failed);
    char t[sizeof w->ioerr];
    memcpy(t, w->ioerr, sizeof t);
    memcpy(w->ioerr, r->ioerr, sizeof t);
    memcpy(r->ioerr, t, sizeof t);
}

/* Writes results and resets them (their memory kept for reuse). */
static int flush_results(arb_engine *e, const arb_batch_options *o, Results *w, Output *out) {
    if (w->out.oom || w->rej.oom || w->errtext.oom || w->errjson.oom) w->failed = ARB_ERR_NOMEM;
    if (w->failed == ARB_ERR_IO && w->ioerr[0]) return engine_fail(e, w->failed, "%s", w->ioerr);
    if (w->failed == ARB_ERR_IO) /* store mode: history() could not read a store */
        return engine_fail(
            e, w->failed,
            "cannot read the history store or the staged batch while checking claims");
    if (w->failed) return engine_fail(e, w->failed, "out of memory while checking claims");
    int err = outf_is_open(&out->findings) && w->out.len
                  ? outf_write(&out->findings, w->out.p, w->out.len)
                  : 0;
    if (err)
        return engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", o->findings_path, strerror(err));
    if (w->rej.len && o->rejects_path &&
        append_lazily(e, &out->rejects, o->rejects_path, &w->rej) != ARB_OK)
        return ARB_ERR_IO;
    for (size_t k = 0; k < w->nerrs && o->on_rule_error; k++) {
        const Rule *ru = &e->prog->rules[w->errs[k].rule];
        arb_rule_error re = {w->errtext.p + w->errs[k].claim_id, ru->id, NULL, 0,
                             w->errtext.p + w->errs[k].message};
        if (ru->file >= 0 && (size_t)ru->file < e->sources.n) {
            uint32_t col;
            re.file = e->sources.items[ru->file].path;
            diag_line_col(&e->sources.items[ru->file], ru->off, &re.line, &col);
        }
        o->on_rule_error(o->ud, &re);
    }
    if (w->errjson.len && o->rule_errors_path &&
        append_lazily(e, &out->errors, o->rule_errors_path, &w->errjson) != ARB_OK)
        return ARB_ERR_IO;
    w->nerrs = 0;
    sb_clear(&w->errtext);
    sb_clear(&w->errjson);
    for (size_t k = 0; k < w->nnotes && o->on_reject; k++) {
        arb_reject r = {w->notes[k].file, w->notes[k].line, w->notes[k].message};
        o->on_reject(o->ud, &r);
    }
    sb_clear(&w->out);
    sb_clear(&w->rej);
    w->nnotes = 0;
    return ARB_OK;
}

/* Writes a window's results in worker (= input) order and resets them. */
static int flush_workers(arb_engine *e, const arb_batch_options *o, Worker *ws, int n,
                         Output *out) {
    for (int i = 0; i < n; i++) {
        Results r;
        memset(&r, 0, sizeof r);
        results_swap(&ws[i], &r);
        int rc = flush_results(e, o, &r, out);
        results_swap(&ws[i], &r);
        if (rc != ARB_OK) return rc;
    }
    return ARB_OK;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* What is done with each window of JSON Lines records; progress: the bytes
 * of the file read so far.  Returns an ARB_ status.  Reading with nslots
 * buffers (read_windows), fn may leave up to nslots - 1 windows (the
 * latest) still in use when it returns, and is called once more at the
 * end, with recs NULL, to finish them all: the next window is read while
 * the last ones are checked. */
typedef int (*WindowFn)(void *ud, const Record *recs, size_t nrecs, uint64_t done);

/* The records of a window converted to UTF-8 (read_windows, when the
 * claims are in another encoding): their text, and the reason of each
 * record with an undecodable byte. */
typedef struct Converted {
    Transcoder tc;
    TcText text;
    StrBuf errs;     /* NUL-terminated messages */
    size_t (*at)[2]; /* per record: offset in text.p, offset in errs + 1 (0: none) */
    size_t capat;
} Converted;

/* Converts record k (raw[s..t) of the window, which starts at byte `base`
 * of the file; its line starts at raw + ls). */
static int convert_record(Converted *cv, size_t k, const char *raw, size_t ls, size_t s, size_t t,
                          uint64_t base, Alloc a) {
    if (mem_grow(a, (void **)&cv->at, sizeof *cv->at, &cv->capat, k + 1)) return -1;
    size_t nbad = cv->text.nbad;
    cv->at[k][0] = cv->text.len;
    cv->at[k][1] = 0;
    if (tc_convert(&cv->tc, raw + s, t - s, (size_t)base + s, &cv->text)) return -1;
    if (cv->text.nbad > nbad) {
        const TcBad *b = &cv->text.bad[nbad];
        cv->at[k][1] = cv->errs.len + 1;
        sb_printf(&cv->errs, _("column %zu: invalid %s at byte %llu"), s - ls + b->col,
                  tc_encoding_name(cv->tc.enc), (unsigned long long)b->in_off);
        sb_putc(&cv->errs, 0);
    }
    return cv->errs.oom ? -1 : 0;
}

/* Reads JSON Lines in windows of about `window` bytes, splits each into
 * records (blank lines skipped, surrounding blanks trimmed, line numbers
 * counted) and hands them to fn.  Claims in another encoding than UTF-8
 * (e->claims_encoding) are converted record by record: only whole lines
 * are, so a character is never cut at the window's end, and an
 * undecodable byte is the record's error, by the file's line and column
 * (in bytes of the file) and offset.  With nslots > 1 (at most
 * MAX_SLOTS) the windows take turns in nslots buffers, so that fn may still
 * be checking the last ones (WindowFn); only for UTF-8 claims (converted
 * records are in one buffer). */
static int read_windows(arb_engine *e, const char *path, size_t window, int nslots, WindowFn fn,
                        void *ud) {
    int fd = path == STDIN_NAME ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0) return engine_fail(e, ARB_ERR_DATA, "cannot open %s: %s", path, strerror(errno));
    size_t cap = window * 2, len = 0;
    char *buf = mem_alloc(e->alloc, cap);
    Record *recs = NULL;
    size_t caprecs = 0;
    /* the other buffers and their records (nslots > 1); slot `cur` is buf */
    struct {
        char *buf;
        size_t cap;
        Record *recs;
        size_t caprecs;
    } slot[MAX_SLOTS];
    int cur = 0;
    memset(slot, 0, sizeof slot);
    if (nslots > MAX_SLOTS) nslots = MAX_SLOTS;
    uint64_t line = 1, done = 0;
    int rc = ARB_OK, eof = 0;
    Converted cv, *conv = NULL;
    if (e->claims_encoding != TC_UTF8) {
        memset(&cv, 0, sizeof cv);
        tc_text_init(&cv.text, e->alloc);
        sb_init(&cv.errs, e->alloc);
        if (tc_open(&cv.tc, e->claims_encoding)) {
            mem_free(e->alloc, buf, cap);
            close(fd);
            return engine_fail(e, ARB_ERR_USAGE, "cannot convert from %s: %s",
                               tc_encoding_name(e->claims_encoding), strerror(errno));
        }
        conv = &cv;
    }
    while (!eof && rc == ARB_OK && buf) {
        /* fill the buffer up to a window (the whole buffer when it grew for
         * a line longer than that) */
        while (len < cap) {
            ssize_t got = read(fd, buf + len, (len < window ? window : cap) - len);
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) {
                rc = engine_fail(e, ARB_ERR_DATA, "cannot read %s: %s", path, strerror(errno));
                break;
            }
            if (got == 0) {
                eof = 1;
                break;
            }
            len += (size_t)got;
            if (len >= window) break;
        }
        if (rc) break;
        if (conv) {
            tc_text_clear(&conv->text);
            sb_clear(&conv->errs);
        }
        /* complete lines; at the end of the file the last one even without '\n' */
        size_t nrecs = 0, pos = 0;
        for (;;) {
            char *nl = memchr(buf + pos, '\n', len - pos);
            size_t end = nl ? (size_t)(nl - buf) : len;
            if (!nl && !eof) break;
            if (end == len && pos == len) break;
            size_t s = pos, t = end;
            while (s < t && (buf[s] == ' ' || buf[s] == '\t' || buf[s] == '\r')) s++;
            while (t > s && (buf[t - 1] == ' ' || buf[t - 1] == '\t' || buf[t - 1] == '\r')) t--;
            if (t > s) {
                if (mem_grow(e->alloc, (void **)&recs, sizeof(Record), &caprecs, nrecs + 1) ||
                    (conv && convert_record(conv, nrecs, buf, pos, s, t, done, e->alloc))) {
                    rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
                    break;
                }
                recs[nrecs].p = buf + s;
                recs[nrecs].n = t - s;
                recs[nrecs].line = line;
                recs[nrecs].dup_of = 0;
                recs[nrecs].off = done + s;
                recs[nrecs].err = NULL;
                nrecs++;
            }
            line++;
            pos = nl ? end + 1 : len;
            if (!nl) break;
        }
        if (rc) break;
        if (nrecs == 0 && !eof && pos == 0) {
            /* one line longer than the buffer: grow it */
            char *nb = mem_realloc(e->alloc, buf, cap, cap * 2);
            if (!nb) {
                rc = engine_fail(e, ARB_ERR_NOMEM,
                                 "out of memory (a record longer than %zu bytes?)", cap);
                break;
            }
            buf = nb;
            cap *= 2;
            continue;
        }
        for (size_t k = 0; conv && k < nrecs; k++) { /* the converted text instead */
            size_t to = k + 1 < nrecs ? conv->at[k + 1][0] : conv->text.len;
            recs[k].p = conv->text.p + conv->at[k][0];
            recs[k].n = to - conv->at[k][0];
            if (conv->at[k][1]) recs[k].err = conv->errs.p + conv->at[k][1] - 1;
        }
        done += pos;
        for (size_t k = 0; k < nrecs && e->batch_ids && !e->batch_ids->by_claim &&
                           !e->batch_ids->on_workers && rc == ARB_OK;
             k++) {
            int dr = dupcheck_record(e->batch_ids, &recs[k]);
            if (dr == -2)
                rc = engine_fail(e, ARB_ERR_IO,
                                 "cannot write or read the claim ids' temporary file: %s",
                                 strerror(errno));
            else if (dr)
                rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        }
        static const Record no_records[1]; /* recs is NULL only at the end */
        if (rc == ARB_OK) rc = fn(ud, recs ? recs : no_records, nrecs, done);
        if (nslots > 1 && rc == ARB_OK) { /* the rest goes to the next buffer, now free */
            int next = (cur + 1) % nslots;
            slot[cur].buf = buf;
            slot[cur].cap = cap;
            slot[cur].recs = recs;
            slot[cur].caprecs = caprecs;
            if (slot[next].cap < cap) {
                char *nb = mem_realloc(e->alloc, slot[next].buf, slot[next].cap, cap);
                if (!nb) {
                    rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
                    break;
                }
                slot[next].buf = nb;
                slot[next].cap = cap;
            }
            memcpy(slot[next].buf, buf + pos, len - pos);
            cur = next;
            buf = slot[cur].buf;
            cap = slot[cur].cap;
            recs = slot[cur].recs;
            caprecs = slot[cur].caprecs;
        } else {
            memmove(buf, buf + pos, len - pos);
        }
        len -= pos;
    }
    if (!buf) rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    if (nslots > 1) { /* the windows still in use finished */
        int frc = fn(ud, NULL, 0, done);
        if (rc == ARB_OK) rc = frc;
        slot[cur].buf = buf;
        slot[cur].cap = cap;
        slot[cur].recs = recs;
        slot[cur].caprecs = caprecs;
        for (int i = 0; i < nslots; i++) {
            mem_free(e->alloc, slot[i].buf, slot[i].cap);
            mem_free(e->alloc, slot[i].recs, slot[i].caprecs * sizeof(Record));
        }
        buf = NULL;
        cap = caprecs = 0;
        recs = NULL;
    }
    if (conv) {
        tc_close(&conv->tc);
        tc_text_free(&conv->text);
        sb_free(&conv->errs);
        mem_free(e->alloc, conv->at, conv->capat * sizeof *conv->at);
    }
    mem_free(e->alloc, buf, cap);
    mem_free(e->alloc, recs, caprecs * sizeof(Record));
    if (fd != STDIN_FILENO) close(fd);
    return rc;
}

/* Shares records out among the workers, in order. */
static void share_records(Worker *ws, int nw, const Record *recs, size_t nrecs) {
    size_t per = (nrecs + (size_t)nw - 1) / (size_t)nw, at = 0;
    for (int i = 0; i < nw; i++) {
        ws[i].recs = recs + at;
        ws[i].nrecs = at < nrecs ? (nrecs - at < per ? nrecs - at : per) : 0;
        at += ws[i].nrecs;
    }
}

typedef struct Batch {
    arb_engine *e;
    const arb_batch_options *o;
    Worker *ws;
    int nw;
    Output *out;
    uint64_t total;        /* bytes of the file */
    HStore *store, *stage; /* store mode */
    HMemGuard guard;       /* store mode: the stores' pages in memory */
    struct Pipe *pipe;     /* streaming JSON Lines on several threads */
} Batch;

/* Store mode: the workers' read transactions see the latest commits. */
static int store_window_begin(Batch *b) {
    char err[512];
    for (int i = 0; i < b->nw; i++)
        if (b->ws[i].store_mode && hsrc_begin(&b->ws[i].src, err, sizeof err))
            return engine_fail(b->e, ARB_ERR_IO, "%s", err);
    return ARB_OK;
}

/* Store mode: lets the read transactions go, and the pages the window
 * read, so memory stays flat however big the stores grow. */
static void store_window_end(Batch *b) {
    for (int i = 0; i < b->nw; i++)
        if (b->ws[i].store_mode) {
            hsrc_end(&b->ws[i].src);
            if (b->ws[i].src.failed && !b->ws[i].failed) b->ws[i].failed = ARB_ERR_IO;
        }
    if (!hstore_guard_over(&b->guard)) return;
    if (b->store) hstore_release_pages(b->store);
    if (b->stage) hstore_release_pages(b->stage);
}

/* An error of dupcheck_id (-1 out of memory, -2 I/O). */
static int dup_fail(arb_engine *e, int dr) {
    if (dr == -2)
        return engine_fail(e, ARB_ERR_IO, "cannot write or read the claim ids' temporary file: %s",
                           strerror(errno));
    return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
}

/* Input profile, on the main thread, in input order: checks the claim id of
 * w's accepted entry h; under --strict a repeated one makes h a rejected
 * entry (its message and text in w's hist_ar). */
static int dupcheck_entry(arb_engine *e, Worker *w, HEntry *h) {
    DupCheck *dc = e->batch_ids;
    if (!dc || !dc->by_claim || h->claim == UINT32_MAX) return ARB_OK;
    uint64_t first;
    int dr = dupcheck_claim(dc, &w->hrev, w->read.claims[h->claim], h->line, &first);
    if (dr < 0) return dup_fail(e, dr);
    if (dr == 0 || !w->o->strict) return ARB_OK;
    const ArbStr *id = w->read.claims[h->claim][dc->kf].s;
    char m[400];
    snprintf(m, sizeof m, "%s '%.200s' seen before, on line %llu (rejected: --strict)", dc->key,
             id->data, (unsigned long long)first);
    h->msg = arena_strndup(&w->hist_ar, m, strlen(m));
    h->raw = arena_strndup(&w->hist_ar, h->raw ? h->raw : "", h->rawn); /* may live a window */
    h->claim = UINT32_MAX;
    if (!h->msg || !h->raw) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    return ARB_OK;
}

/* Runs the workers on this window (streaming).  With an input profile the
 * claim ids are checked in input order on this thread, whatever the number
 * of workers: noted while the claims are audited, or under --strict (a
 * repeated claim is rejected, not audited) the window is read first, its
 * ids checked, then its claims audited. */
static int run_window(Batch *b) {
    arb_engine *e = b->e;
    DupCheck *dc = e->batch_ids;
    Worker *ws = b->ws;
    int nw = b->nw, rc = ARB_OK;
    if (!dc || !dc->by_claim) {
        run_workers(ws, nw);
        return ARB_OK;
    }
    if (!b->o->strict) {
        for (int i = 0; i < nw; i++) ws[i].note_ids = 1;
        run_workers(ws, nw);
        for (int i = 0; i < nw; i++) {
            Worker *w = &ws[i];
            for (size_t k = 0; k < w->nidn && rc == ARB_OK && !w->failed; k++) {
                uint64_t first;
                int dr = dupcheck_id(dc, w->idtext.p + w->idn[k].at, w->idn[k].n, w->idn[k].line,
                                     &first);
                if (dr < 0) rc = dup_fail(e, dr);
            }
            if (w->idtext.oom && rc == ARB_OK) rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
            w->nidn = 0;
            sb_clear(&w->idtext);
            w->note_ids = 0;
        }
        return rc;
    }
    for (int i = 0; i < nw; i++) {
        ws[i].reading = 1;
        strmap_init_fast(&ws[i].strings, e->alloc);
    }
    run_workers(ws, nw);
    for (int i = 0; i < nw; i++) {
        Worker *w = &ws[i];
        w->reading = 0;
        if (w->failed && rc == ARB_OK) rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < w->read.nents && rc == ARB_OK; k++)
            rc = dupcheck_entry(e, w, &w->read.ents[k]);
        w->hents = w->read.ents;
        w->nhents = w->read.nents;
    }
    if (rc == ARB_OK) run_workers(ws, nw);
    for (int i = 0; i < nw; i++) {
        Worker *w = &ws[i];
        w->hents = NULL;
        w->nhents = 0;
        w->read.nents = w->read.nclaims = 0;
        strmap_free(&w->strings);
    }
    return rc;
}

/* The pipelined reader (streaming JSON Lines on several threads, claims
 * ids not checked per claim; also history mode's reading and checking,
 * store mode's staging pass and its checking of the spool, history add):
 * the main thread reads the windows and cuts
 * them into chunks of records, which the worker threads take in turn from
 * a queue and check, each into the chunk's results; the main thread writes
 * the chunks' results in input order as they are done.  No barrier: the
 * workers go on from one window to the next while the main thread reads
 * ahead (PIPE_SLOTS windows in buffers) and writes behind. */
#define PIPE_SLOTS 3
#define PIPE_CHUNKS 32           /* chunks queued, being checked or to write */
#define CHUNK_BYTES (256u << 10) /* of records per chunk, about */
#define CHUNK_RECORDS 2048u
#define CHUNK_CLAIMS 256u /* history mode */
/* store mode, checking: of encoded claims (each checked with history()
 * read from the stores: far more work a byte than a JSON record) */
#define CHUNK_SPOOL_BYTES (128u << 10)

typedef struct Chunk {
    const Record *recs;    /* JSON Lines records, or */
    const HEntry *hents;   /* history mode: claims read first, or */
    const SpoolRec *srecs; /* store mode, checking: claims of the spool */
    size_t n;
    Results res;
    ReadList read; /* history mode, reading: the records read */
    StrBuf ids;    /* per record its claim_id to note (Pipe.dc): a uint32_t length
                      (UINT32_MAX: none), the bytes */
    /* staging (Pipe.stage): the chunk's claims parsed into ar and encoded
     * into enc (enc_at: Worker's), traded with the worker that read them
     * for the main thread to store, then emptied */
    Arena ar;
    StrBuf enc;
    size_t (*enc_at)[2];
    size_t capenc_at;
    int done; /* checked (under the pipe's mutex) */
} Chunk;

/* Swaps a worker's result buffers and claims read with a chunk's (its
 * arena and encodings too when `stage`): a worker hands a chunk its work
 * and takes the chunk's emptied buffers, the staging pass's main thread
 * takes a chunk's work and gives it back. */
static void chunk_swap(Worker *w, Chunk *c, int stage) {
    results_swap(w, &c->res);
    SWAP(ReadList, w->read, c->read);
    if (stage) { /* the claims read, in the chunk's arena */
        SWAP(Arena, w->hist_ar, c->ar);
        SWAP(StrBuf, w->enc, c->enc);
        SWAP(EncAt *, w->enc_at, c->enc_at);
        SWAP(size_t, w->capenc_at, c->capenc_at);
    }
}

typedef struct Pipe {
    Batch *b;
    pthread_mutex_t mu;
    pthread_cond_t more;  /* to the workers: a chunk queued, or quit */
    pthread_cond_t ready; /* to the main thread: a chunk done */
    Chunk ch[PIPE_CHUNKS];
    uint64_t taken, queued, written; /* chunks so far (ch[k % PIPE_CHUNKS]) */
    /* the main thread waits for chunks wfrom..wupto-1 all done (wait set):
     * woken once when they are, not at every chunk (each wake a context
     * switch on both sides; under the mutex) */
    uint64_t wfrom, wupto;
    int wait;
    /* the windows in flight, oldest first: the chunk count at each one's
     * end, and the bytes of the file read at its end (progress) */
    uint64_t wend[PIPE_SLOTS], wdone[PIPE_SLOTS];
    int nwin;
    int quit, stop; /* stop: an error, the chunks left are not checked */
    int rc;         /* the first error (main thread) */
    ReadList *all;  /* history mode, reading: where the chunks' records go, in order */
    DupCheck *dc;   /* the claim ids, scanned on the workers (DupCheck.on_workers) */
    /* the staging pass (store mode, history add): the workers parse and
     * encode the chunks; on this thread, in input order, chunk_fn stores
     * each chunk's claims before its results are written, and win_fn ends
     * each window (the spool written, a commit when due, the progress) */
    int stage;
    int (*chunk_fn)(void *ud, Chunk *c);
    int (*win_fn)(void *ud, uint64_t done);
    void *fn_ud;
    struct PipeArg {
        struct Pipe *p;
        Worker *w;
    } arg[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    int nth;
} Pipe;

/* Whether chunks from..upto-1 are all done (under the pipe's mutex). */
static int pipe_all_done(const Pipe *p, uint64_t from, uint64_t upto) {
    for (uint64_t k = from; k < upto; k++)
        if (!p->ch[k % PIPE_CHUNKS].done) return 0;
    return 1;
}

/* Store mode, checking, on a worker of the pipe: the chunk's claims with
 * read transactions of their own (renewed: the latest commits seen, as a
 * window's were), a store that cannot be read failing the chunk. */
static void spool_chunk(Worker *w) {
    char err[512];
    if (hsrc_begin(&w->src, err, sizeof err)) {
        if (!w->failed) snprintf(w->ioerr, sizeof w->ioerr, "%s", err);
        w->failed = ARB_ERR_IO;
    } else
        work(w);
    hsrc_end(&w->src);
    if (w->src.failed && !w->failed) w->failed = ARB_ERR_IO;
}

static void *pipe_work(void *arg) {
    struct PipeArg *a = arg;
    Pipe *p = a->p;
    Worker *w = a->w;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->taken == p->queued && !p->quit) pthread_cond_wait(&p->more, &p->mu);
        if (p->taken == p->queued) break;
        Chunk *c = &p->ch[p->taken++ % PIPE_CHUNKS];
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        for (size_t k = 0; !stop && p->dc && c->recs && k < c->n; k++) {
            char id[1024];
            size_t n = 0;
            uint32_t len = dupcheck_scan(p->dc, &c->recs[k], &w->ar, id, sizeof id, &n)
                               ? (uint32_t)n
                               : UINT32_MAX;
            sb_putn(&c->ids, (const char *)&len, sizeof len);
            if (len != UINT32_MAX) sb_putn(&c->ids, id, n);
        }
        if (!stop) {
            w->recs = c->recs;
            w->nrecs = c->recs ? c->n : 0;
            w->hents = c->hents;
            w->nhents = c->hents ? c->n : 0;
            w->srecs = c->srecs;
            w->nsrecs = c->srecs ? c->n : 0;
            if (c->srecs && w->store_mode)
                spool_chunk(w);
            else
                work(w);
            chunk_swap(w, c, p->stage); /* w takes the chunk's emptied buffers */
        }
        pthread_mutex_lock(&p->mu);
        c->done = 1;
        if (p->wait && pipe_all_done(p, p->wfrom, p->wupto)) {
            p->wait = 0;
            pthread_cond_signal(&p->ready);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Starts a worker thread per worker; -1 when none could be started. */
static int pipe_start(Pipe *p, Batch *b) {
    memset(p, 0, sizeof *p);
    p->b = b;
    for (int k = 0; k < PIPE_CHUNKS; k++) {
        Results *r = &p->ch[k].res;
        sb_init(&r->out, b->e->alloc);
        sb_init(&r->rej, b->e->alloc);
        sb_init(&r->errtext, b->e->alloc);
        sb_init(&r->errjson, b->e->alloc);
        sb_init(&p->ch[k].ids, b->e->alloc);
        arena_init(&p->ch[k].ar, b->e->alloc, 1 << 16);
        sb_init(&p->ch[k].enc, b->e->alloc);
    }
    DupCheck *dc = b->e->batch_ids;
    if (dc && !dc->by_claim && !b->o->strict) p->dc = dc;
    if (pthread_mutex_init(&p->mu, NULL)) return -1;
    pthread_cond_init(&p->more, NULL);
    pthread_cond_init(&p->ready, NULL);
    for (int i = 0; i < b->nw; i++) {
        p->arg[p->nth].p = p;
        p->arg[p->nth].w = &b->ws[i];
        if (pthread_create(&p->th[p->nth], NULL, pipe_work, &p->arg[p->nth]) == 0) p->nth++;
    }
    if (p->nth) {
        if (p->dc) p->dc->on_workers = 1;
        return 0;
    }
    pthread_cond_destroy(&p->more);
    pthread_cond_destroy(&p->ready);
    pthread_mutex_destroy(&p->mu);
    return -1;
}

/* Lets the threads go (every chunk written) and frees the pipe. */
static void pipe_stop(Pipe *p) {
    Alloc a = p->b->e->alloc;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->more);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nth; i++) pthread_join(p->th[i], NULL);
    for (int k = 0; k < PIPE_CHUNKS; k++) {
        Results *r = &p->ch[k].res;
        sb_free(&r->out);
        sb_free(&r->rej);
        sb_free(&r->errtext);
        sb_free(&r->errjson);
        mem_free(a, r->notes, r->capnotes * sizeof(RejectNote));
        mem_free(a, r->errs, r->caperrs * sizeof(RuleErrNote));
        readlist_free(a, &p->ch[k].read);
        sb_free(&p->ch[k].ids);
        arena_free(&p->ch[k].ar);
        sb_free(&p->ch[k].enc);
        mem_free(a, p->ch[k].enc_at, p->ch[k].capenc_at * sizeof *p->ch[k].enc_at);
    }
    if (p->dc) p->dc->on_workers = 0;
    pthread_cond_destroy(&p->more);
    pthread_cond_destroy(&p->ready);
    pthread_mutex_destroy(&p->mu);
}

/* Waits until the chunks not written, up to upto - 1, are all done. */
static void pipe_wait(Pipe *p, uint64_t upto) {
    pthread_mutex_lock(&p->mu);
    p->wfrom = p->written;
    p->wupto = upto;
    while (!pipe_all_done(p, p->written, upto)) {
        p->wait = 1;
        pthread_cond_wait(&p->ready, &p->mu);
    }
    p->wait = 0;
    pthread_mutex_unlock(&p->mu);
}

/* How many chunks, from the oldest not written on, are done in a row. */
static uint64_t pipe_done_upto(Pipe *p) {
    pthread_mutex_lock(&p->mu);
    uint64_t k = p->written;
    while (k < p->queued && p->ch[k % PIPE_CHUNKS].done) k++;
    pthread_mutex_unlock(&p->mu);
    return k;
}

/* Lets the windows whose chunks are all written go (their buffers free). */
static void pipe_windows_done(Pipe *p) {
    const arb_batch_options *o = p->b->o;
    while (p->nwin && p->written == p->wend[0]) {
        if (p->win_fn && p->rc == ARB_OK) {
            p->rc = p->win_fn(p->fn_ud, p->wdone[0]);
            if (p->rc != ARB_OK) { /* the chunks left are not read */
                pthread_mutex_lock(&p->mu);
                p->stop = 1;
                pthread_mutex_unlock(&p->mu);
            }
        } else if (o->on_progress && p->rc == ARB_OK) {
            o->on_progress(o->ud, p->wdone[0], p->b->total);
        }
        p->nwin--;
        memmove(p->wend, p->wend + 1, (size_t)p->nwin * sizeof *p->wend);
        memmove(p->wdone, p->wdone + 1, (size_t)p->nwin * sizeof *p->wdone);
    }
}

/* Writes the oldest chunk not written (done) and, when it ends a window,
 * lets the window go. */
static void pipe_write1(Pipe *p) {
    Batch *b = p->b;
    Chunk *c = &p->ch[p->written % PIPE_CHUNKS];
    Results *r = &c->res;
    if (p->rc == ARB_OK && p->dc && c->recs) { /* the claim ids, in input order */
        if (c->ids.oom) p->rc = engine_fail(b->e, ARB_ERR_NOMEM, "out of memory");
        size_t at = 0;
        for (size_t k = 0; k < c->n && p->rc == ARB_OK && at + sizeof(uint32_t) <= c->ids.len;
             k++) {
            uint32_t len;
            memcpy(&len, c->ids.p + at, sizeof len);
            at += sizeof len;
            if (len == UINT32_MAX) continue;
            Record rec = c->recs[k];
            char id[1024]; /* as dupcheck_record has it */
            memcpy(id, c->ids.p + at, len);
            int dr = dupcheck_note(p->dc, &rec, id, sizeof id, len);
            if (dr) p->rc = dup_fail(b->e, dr);
            at += len;
        }
    }
    if (p->rc == ARB_OK && p->chunk_fn) p->rc = p->chunk_fn(p->fn_ud, c); /* staging */
    if (p->rc == ARB_OK && p->all) { /* history mode, reading: the records, in order */
        for (size_t k = 0; k < c->read.nents && p->rc == ARB_OK && !r->failed; k++) {
            const HEntry *h = &c->read.ents[k];
            const Value *claim = h->claim == UINT32_MAX ? NULL : c->read.claims[h->claim];
            if (readlist_add(b->e->alloc, p->all, *h, claim)) r->failed = ARB_ERR_NOMEM;
        }
        if (r->failed) p->rc = engine_fail(b->e, ARB_ERR_NOMEM, "out of memory reading the claims");
    } else if (p->rc == ARB_OK) {
        p->rc = flush_results(b->e, b->o, r, b->out);
    }
    if (p->rc != ARB_OK) { /* the chunks left are not checked */
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_mutex_unlock(&p->mu);
    }
    sb_clear(&r->out);
    sb_clear(&r->rej);
    sb_clear(&r->errtext);
    sb_clear(&r->errjson);
    r->nnotes = r->nerrs = 0;
    r->failed = 0;
    r->ioerr[0] = 0;
    c->read.nents = c->read.nclaims = 0;
    sb_clear(&c->ids);
    if (p->stage) arena_reset(&c->ar);
    p->written++;
    pipe_windows_done(p);
}

/* Writes the chunks done in a row from the oldest not written on. */
static void pipe_write(Pipe *p) {
    uint64_t upto = pipe_done_upto(p);
    while (p->written < upto) pipe_write1(p);
}

/* Lets the workers take the chunks made ready since the last call. */
static void pipe_publish(Pipe *p, uint64_t *ready) {
    if (*ready == p->queued) return;
    pthread_mutex_lock(&p->mu);
    int many = *ready - p->queued > 1;
    p->queued = *ready;
    if (many)
        pthread_cond_broadcast(&p->more);
    else
        pthread_cond_signal(&p->more);
    pthread_mutex_unlock(&p->mu);
}

/* A window of n JSON Lines records (WindowFn, PIPE_SLOTS buffers), claims
 * read first (history mode) or claims of the spool (store mode, checking):
 * queued in chunks; returns with at most PIPE_SLOTS - 1 windows in flight.
 * recs, hents and srecs NULL: the end, every chunk checked and written. */
static int pipe_window(Pipe *p, const Record *recs, const HEntry *hents, const SpoolRec *srecs,
                       size_t n, uint64_t done) {
    if (!recs && !hents && !srecs) {
        if (p->rc != ARB_OK) {
            pthread_mutex_lock(&p->mu);
            p->stop = 1;
            pthread_mutex_unlock(&p->mu);
        }
        while (p->written < p->queued) {
            pipe_wait(p, p->queued);
            pipe_write(p);
        }
        pipe_windows_done(p);
        return p->rc;
    }
    /* chunks are made ready in turn and handed to the workers when the
     * queue is full or the window ends, and when it is full the main
     * thread waits for half of it: one wake for many chunks */
    uint64_t ready = p->queued;
    for (size_t i = 0; i < n && p->rc == ARB_OK;) {
        size_t j = i, bytes = 0;
        if (hents)
            j = n - i < CHUNK_CLAIMS ? n : i + CHUNK_CLAIMS;
        else if (srecs) /* by bytes: checking a claim grows with its lines */
            while (j < n && j - i < CHUNK_CLAIMS && bytes < CHUNK_SPOOL_BYTES)
                bytes += srecs[j++].n;
        else
            while (j < n && j - i < CHUNK_RECORDS && bytes < CHUNK_BYTES) bytes += recs[j++].n;
        while (ready - p->written == PIPE_CHUNKS && p->rc == ARB_OK) { /* no room */
            pipe_publish(p, &ready);
            pipe_wait(p, p->written + PIPE_CHUNKS / 2);
            pipe_write(p);
        }
        if (p->rc != ARB_OK) break;
        Chunk *c = &p->ch[ready % PIPE_CHUNKS];
        c->recs = recs ? recs + i : NULL;
        c->hents = hents ? hents + i : NULL;
        c->srecs = srecs ? srecs + i : NULL;
        c->n = j - i;
        c->done = 0; /* not yet taken: no worker reads it */
        ready++;
        i = j;
    }
    pipe_publish(p, &ready);
    p->wend[p->nwin] = p->queued;
    p->wdone[p->nwin] = done;
    p->nwin++;
    if (p->nwin >= PIPE_SLOTS) pipe_wait(p, p->wend[0]); /* the oldest window's buffer */
    pipe_write(p);
    pipe_windows_done(p); /* an empty one */
    return p->rc;
}

/* A window of JSON Lines, streaming: checked on the workers, written out. */
static int check_window(void *ud, const Record *recs, size_t nrecs, uint64_t done) {
    Batch *b = ud;
    if (b->pipe) return pipe_window(b->pipe, recs, NULL, NULL, nrecs, done);
    share_records(b->ws, b->nw, recs, nrecs);
    int rc = run_window(b);
    if (rc == ARB_OK) rc = flush_workers(b->e, b->o, b->ws, b->nw, b->out);
    for (int i = 0; i < b->nw; i++) arena_reset(&b->ws[i].hist_ar); /* run_window's */
    if (b->o->on_progress) b->o->on_progress(b->o->ud, done, b->total);
    return rc;
}

/* Shares CSV claims from..to out among the workers, in order. */
static void share_claims(Worker *ws, int nw, const CsvClaims *csv, size_t from, size_t to) {
    size_t per = (to - from + (size_t)nw - 1) / (size_t)nw;
    for (int i = 0; i < nw; i++) {
        ws[i].csv = csv;
        ws[i].from = from + (size_t)i * per < to ? from + (size_t)i * per : to;
        ws[i].to = ws[i].from + per < to ? ws[i].from + per : to;
    }
}

/* Reports the CSV child rows that belong to no claim: each a rejected row
 * (not a claim), written out through worker 0. */
static int report_orphans(arb_engine *e, const arb_batch_options *o, Worker *ws, Output *out,
                          const CsvClaims *csv, arb_batch_stats *st) {
    size_t norph = csvc_orphan_count(csv);
    for (size_t k = 0; k < norph; k++) {
        const char *file, *m;
        uint64_t line;
        csvc_orphan(csv, k, &file, &line, &m);
        st->rejected_rows++;
        reject(&ws[0], file, line, m, "", 0);
        ws[0].rejected--; /* a row, not a claim */
    }
    return norph ? flush_workers(e, o, ws, 1, out) : ARB_OK;
}

static int run_csv(Batch *b, arb_batch_stats *st) {
    arb_engine *e = b->e;
    const arb_batch_options *o = b->o;
    Worker *ws = b->ws;
    int nw = b->nw;
    Output *out = b->out;
    CsvClaims *csv = NULL;
    ProfCsv *pc = NULL;
    char msg[512];
    if (ws[0].prof ? prof_csv_open_stream(&pc, ws[0].prof, o->claims_path, e->claims_encoding, 0, 0,
                                          e->alloc, msg, sizeof msg)
                   : csvc_open_stream(&csv, e->prog->claim, o->claims_path, e->claims_encoding, 0,
                                      e->alloc, msg, sizeof msg))
        return engine_fail(e, ARB_ERR_DATA, "%s", msg);
    if (csv) csvc_set_max_field(csv, o->max_field_bytes);
    for (int i = 0; i < nw; i++) ws[i].pcsv = pc;
    size_t n = pc ? prof_csv_count(pc) : csvc_count(csv);
    st->bytes = pc ? prof_csv_bytes(pc) : csvc_bytes(csv);
    int rc = ARB_OK;
    for (size_t from = 0; from < n && rc == ARB_OK; from += CSV_WINDOW_CLAIMS) {
        size_t to = from + CSV_WINDOW_CLAIMS < n ? from + CSV_WINDOW_CLAIMS : n;
        if ((csv && csvc_load(csv, from, to, msg, sizeof msg)) ||
            (pc && prof_csv_load(pc, from, to, msg, sizeof msg))) {
            rc = engine_fail(e, ARB_ERR_DATA, "%s", msg);
            break;
        }
        share_claims(ws, nw, csv, from, to);
        rc = run_window(b);
        if (rc == ARB_OK) rc = flush_workers(e, o, ws, nw, out);
        for (int i = 0; i < nw; i++) arena_reset(&ws[i].hist_ar); /* run_window's */
        if (o->on_progress) o->on_progress(o->ud, to, n);
    }
    if (rc == ARB_OK && csv) rc = report_orphans(e, o, ws, out, csv, st);
    for (int i = 0; i < nw; i++) ws[i].pcsv = NULL;
    if (csv) csvc_free(csv);
    prof_csv_free(pc);
    return rc;
}

/* The records of a batch read whole (history mode). */
typedef struct HistRecords {
    Batch *b;
    ReadList all;
    int oom;
} HistRecords;

/* History mode: reads this window on the workers, then appends their
 * records in input order.  Reading is the first half of the progress. */
static int read_on_workers(HistRecords *hr, uint64_t done) {
    Batch *b = hr->b;
    run_workers(b->ws, b->nw);
    for (int i = 0; i < b->nw; i++) {
        Worker *w = &b->ws[i];
        hr->oom |= w->failed;
        for (size_t k = 0; k < w->read.nents && !hr->oom; k++) {
            HEntry *h = &w->read.ents[k];
            int dr = dupcheck_entry(b->e, w, h);
            if (dr != ARB_OK) return dr;
            const Value *claim = h->claim == UINT32_MAX ? NULL : w->read.claims[h->claim];
            hr->oom = readlist_add(b->e->alloc, &hr->all, *h, claim) != 0;
        }
        w->read.nents = w->read.nclaims = 0;
    }
    if (b->o->on_progress) b->o->on_progress(b->o->ud, done / 2, b->total);
    return hr->oom ? engine_fail(b->e, ARB_ERR_NOMEM, "out of memory reading the claims") : ARB_OK;
}

/* A window of JSON Lines, history mode: parsed on the workers, each into
 * its own batch-long arena. */
static int read_window(void *ud, const Record *recs, size_t nrecs, uint64_t done) {
    HistRecords *hr = ud;
    if (hr->b->pipe) return pipe_window(hr->b->pipe, recs, NULL, NULL, nrecs, done / 2);
    share_records(hr->b->ws, hr->b->nw, recs, nrecs);
    return read_on_workers(hr, done);
}

/* History mode: reads every claim on the workers, builds the per-person
 * index, then checks the claims from it in windows on the workers. */
static int run_history(arb_engine *e, const arb_batch_options *o, Worker *ws, int nw, Output *out,
                       arb_batch_stats *st, int csv) {
    Batch b = {e, o, ws, nw, out, st->bytes, NULL, NULL, {0, 0}, NULL};
    HistRecords hr;
    memset(&hr, 0, sizeof hr);
    hr.b = &b;
    CsvClaims *cc = NULL;
    char msg[512];
    int rc = ARB_OK;
    for (int i = 0; i < nw; i++) {
        ws[i].reading = 1;
        strmap_init_fast(&ws[i].strings, e->alloc);
    }
    ProfCsv *pc = NULL; /* CSV through an input profile */
    if (csv) {
        if (ws[0].prof ? prof_csv_open_stream(&pc, ws[0].prof, o->claims_path, e->claims_encoding,
                                              0, 0, e->alloc, msg, sizeof msg)
                       : csvc_open_stream(&cc, e->prog->claim, o->claims_path, e->claims_encoding,
                                          0, e->alloc, msg, sizeof msg)) {
            rc = engine_fail(e, ARB_ERR_DATA, "%s", msg);
        } else {
            if (cc) csvc_set_max_field(cc, o->max_field_bytes);
            for (int i = 0; i < nw; i++) ws[i].pcsv = pc;
            st->bytes = b.total = pc ? prof_csv_bytes(pc) : csvc_bytes(cc);
            size_t n = pc ? prof_csv_count(pc) : csvc_count(cc);
            for (size_t from = 0; from < n && rc == ARB_OK; from += CSV_WINDOW_CLAIMS) {
                size_t to = from + CSV_WINDOW_CLAIMS < n ? from + CSV_WINDOW_CLAIMS : n;
                if ((cc && csvc_load(cc, from, to, msg, sizeof msg)) ||
                    (pc && prof_csv_load(pc, from, to, msg, sizeof msg))) {
                    rc = engine_fail(e, ARB_ERR_DATA, "%s", msg);
                    break;
                }
                share_claims(ws, nw, cc, from, to);
                rc = read_on_workers(&hr, b.total * to / n);
            }
        }
    } else {
        /* pipelined on several threads, unless the claim ids are checked
         * claim by claim (an input profile) */
        Pipe pipe;
        int piped = nw > 1 && e->claims_encoding == TC_UTF8 &&
                    !(e->batch_ids && e->batch_ids->by_claim) && pipe_start(&pipe, &b) == 0;
        if (piped) {
            pipe.all = &hr.all;
            b.pipe = &pipe;
        }
        rc =
            read_windows(e, o->claims_path, WINDOW_BYTES, piped ? PIPE_SLOTS : 1, read_window, &hr);
        if (piped) pipe_stop(&pipe);
        b.pipe = NULL;
    }
    for (int i = 0; i < nw; i++) {
        ws[i].reading = 0;
        ws[i].csv = NULL;
        ws[i].pcsv = NULL;
        ws[i].recs = NULL;
        ws[i].nrecs = 0;
        strmap_free(&ws[i].strings);
    }
    const HEntry *ents = hr.all.ents;
    size_t nents = hr.all.nents;
    HistIndex hist;
    memset(&hist, 0, sizeof hist);
    /* derived fields of every claim before any is checked: a claim's
     * history reads them, possibly on another thread */
    if (rc == ARB_OK &&
        hist_build_order(&hist, e->prog, hr.all.claims, hr.all.nclaims, e->alloc) != 0)
        rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory reading the claims");
    if (rc == ARB_OK) { /* on the workers, each a share, into its batch-long arena */
        uint32_t per = (uint32_t)((hist.n + (uint32_t)nw - 1) / (uint32_t)nw);
        for (int i = 0; i < nw; i++) {
            ws[i].prep = &hist;
            ws[i].prep_claims = hr.all.claims;
            ws[i].prep_from = (uint32_t)i * per < hist.n ? (uint32_t)i * per : hist.n;
            ws[i].prep_to = hist.n - ws[i].prep_from < per ? hist.n : ws[i].prep_from + per;
        }
        run_workers(ws, nw);
        for (int i = 0; i < nw; i++) {
            ws[i].prep = NULL;
            if (ws[i].failed && rc == ARB_OK)
                rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory reading the claims");
        }
    }
    for (int i = 0; i < nw; i++) {
        ws[i].hist = &hist;
        ws[i].vm.hist = &hist;
        ws[i].vm.skip_prepare = 1;
    }
    /* on several threads the claims are checked in chunks taken from a
     * queue and written in input order (the pipe), with no barrier */
    Pipe pipe;
    int piped = rc == ARB_OK && nw > 1 && pipe_start(&pipe, &b) == 0;
    for (size_t from = 0; from < nents && rc == ARB_OK; from += WINDOW_CLAIMS) {
        size_t to = from + WINDOW_CLAIMS < nents ? from + WINDOW_CLAIMS : nents;
        if (piped) { /* checking is the second half of the progress */
            rc = pipe_window(&pipe, NULL, ents + from, NULL, to - from,
                             b.total / 2 + (b.total - b.total / 2) * to / nents);
            continue;
        }
        size_t per = (to - from + (size_t)nw - 1) / (size_t)nw;
        for (int i = 0; i < nw; i++) {
            size_t a = from + (size_t)i * per < to ? from + (size_t)i * per : to;
            ws[i].hents = ents + a;
            ws[i].nhents = a + per < to ? per : to - a;
        }
        run_workers(ws, nw);
        rc = flush_workers(e, o, ws, nw, out);
        /* checking is the second half of the progress */
        if (o->on_progress)
            o->on_progress(o->ud, b.total / 2 + (b.total - b.total / 2) * to / nents, b.total);
    }
    if (piped) {
        int prc = pipe_window(&pipe, NULL, NULL, NULL, 0, 0);
        if (rc == ARB_OK) rc = prc;
        pipe_stop(&pipe);
    }
    for (int i = 0; i < nw; i++) {
        ws[i].hents = NULL;
        ws[i].hist = NULL;
        ws[i].vm.hist = NULL;
        ws[i].vm.skip_prepare = 0;
    }
    if (rc == ARB_OK && cc) rc = report_orphans(e, o, ws, out, cc, st);
    hist_free(&hist);
    if (cc) csvc_free(cc);
    prof_csv_free(pc);
    readlist_free(e->alloc, &hr.all);
    return rc;
}

/* ------------------------------------------------------------ store mode */

/* Writing a batch into a store, window by window: the staging store of
 * check --history (every claim, keyed by input position, never replaced),
 * or the store itself (history add).  Each window is one commit.  For
 * check --history every claim goes to the spool, a file of encoded claims
 * in input order that the checking pass reads instead of parsing the input
 * again, and the staging store keeps only where each claim is in the spool
 * (hsource.h): the claims are encoded and written once, and the staging
 * B-tree stays small. */
typedef struct Stage {
    Batch *b;
    HStore *st;
    int add;      /* history add: a claim that cannot be stored is rejected */
    int spool_fd; /* check --history: the spool (-1: none) */
    StrBuf spool;
    uint64_t spooled; /* bytes written to the spool before this window */
    /* with several workers the spool is written on a thread of its own,
     * while the next window is parsed: `out` is the window it writes */
    StrBuf out;
    pthread_t writer;
    int writing;   /* the writer runs */
    int write_err; /* its errno (0: written) */
    uint64_t ordinal;
    uint64_t stored, not_stored, reversals;
    HTxn *t;        /* the open transaction */
    uint32_t every; /* commit when this many records are in it (0: every window) */
    uint32_t pending;
    /* history add: the puts and reversals of the windows since the last
     * commit, made at the commit with the puts in key order (stage_apply) */
    StrBuf pend; /* their keys and records, and the ids reversed */
    struct PendOp *ops;
    size_t nops, capops;
    size_t pend_mem; /* pend's bytes and the pages its puts will dirty */
    StrBuf key;      /* scratch */
    /* history add: the claim_ids the batch's reversals met so far cancel.
     * Reversals win within a batch: a claim met after a reversal of its id
     * is not stored (one met before it is stored, then removed by it), so
     * the store ends as check --record leaves it, in one pass (standard
     * input too).  Bounded as check's ids are (claim_ids.h). */
    IdSet revs;
    /* history add: the same target ids themselves, while revs holds them
     * all in memory (no run yet), so that a claim is cancelled only when
     * its id equals one, not when 96 bits of hash do; dropped when revs
     * spills (then the hashes alone answer, docs/history.md) */
    StrMap rev_ids;
    Arena rev_ar;
    int rev_exact;    /* 0: no reversal yet; 1: rev_ids holds every target; -1: dropped */
    size_t rev_bytes; /* the targets' bytes in rev_ar */
    Worker *mw;       /* on the pipe: the main thread's stand-in for a worker (stage_chunk) */
} Stage;

/* A put (key, then the record, at `at` in Stage.pend) or a reversal (the
 * claim_id reversed). */
typedef struct PendOp {
    size_t at;
    uint32_t kn, n;
    int rev;
} PendOp;

/* A put's key, for sorting, or a claim_id, for finding repeats. */
typedef struct PendKey {
    const char *k;
    size_t n;
    size_t op;
} PendKey;

static int pendkey_cmp(const void *a, const void *b) {
    const PendKey *x = a, *y = b;
    int c = memcmp(x->k, y->k, x->n < y->n ? x->n : y->n);
    if (c) return c;
    if (x->n != y->n) return x->n < y->n ? -1 : 1;
    return x->op < y->op ? -1 : x->op > y->op;
}

/* Notes a put (key, record) or a reversal (id) to make at the commit;
 * replace: the put's claim_id is in the store already. */
static int pend_add(Stage *sg, const char *k, size_t kn, const char *rec, size_t n, int rev,
                    int replace) {
    if (mem_grow(sg->b->e->alloc, (void **)&sg->ops, sizeof *sg->ops, &sg->capops, sg->nops + 1))
        return -1;
    PendOp *op = &sg->ops[sg->nops++];
    op->at = sg->pend.len;
    op->kn = (uint32_t)kn;
    op->n = (uint32_t)n;
    op->rev = rev;
    /* a leaf page, and a record over half a page has pages of its own */
    sg->pend_mem += kn + n + 4096 + (kn + n > 2000 ? (n + 4095) / 4096 * 4096 : 0);
    /* a replace first deletes the old claim: the leaves of its key in the
     * claims table, of its id in the ids table and of its record in the
     * data table (hstore.c, delete_id), wherever they lie */
    if (replace) sg->pend_mem += 3 * 4096;
    sb_putn(&sg->pend, k, kn);
    sb_putn(&sg->pend, rec, n);
    return sg->pend.oom ? -1 : 0;
}

/* history add: notes a reversal's target id (met on `line`), which cancels
 * the claims with that id met after it.  ARB_OK, or an error. */
/* The most bytes of reversal targets' text kept for exact comparison:
 * 196,608 ids (the default id budget) of 80 bytes. */
#define REV_EXACT_BYTES ((size_t)16 << 20)

static int stage_note_reversal(Stage *sg, const char *id, size_t n, uint64_t line) {
    uint64_t first;
    Alloc a = sg->b->e->alloc;
    int r = idset_add(&sg->revs, id, n, line, &first);
    if (r == -1) return engine_fail(sg->b->e, ARB_ERR_NOMEM, "out of memory");
    if (r == -2)
        return engine_fail(sg->b->e, ARB_ERR_IO,
                           "cannot write or read the claim ids' temporary file: %s",
                           strerror(errno));
    if (sg->rev_exact == 0) {
        strmap_init_fast(&sg->rev_ids, a);
        arena_init(&sg->rev_ar, a, 1 << 14);
        sg->rev_exact = 1;
    }
    /* exact while the targets fit: once the ids spill, or their text passes
     * REV_EXACT_BYTES (long ids), only the hashes answer (docs/history.md) */
    if (sg->rev_exact == 1 && (sg->revs.nruns || sg->rev_bytes + n > REV_EXACT_BYTES)) {
        strmap_free(&sg->rev_ids);
        arena_free(&sg->rev_ar);
        sg->rev_exact = -1;
    }
    /* every target, r == 1 too: its hashes may be another target's */
    if (sg->rev_exact == 1 && !strmap_get(&sg->rev_ids, id, n)) {
        sg->rev_bytes += n;
        char *k = arena_alloc_raw(&sg->rev_ar, n ? n : 1);
        int oom = !k;
        if (k) {
            memcpy(k, id, n);
            strmap_put(&sg->rev_ids, k, n, k, &oom);
        }
        if (oom) return engine_fail(sg->b->e, ARB_ERR_NOMEM, "out of memory");
    }
    return ARB_OK;
}

/* history add: whether a reversal met earlier in the batch cancels the
 * claim whose key is in sg->key: 1 yes, 0 no, -1 a damaged key, -2 the
 * ids' runs could not be read (errno). */
static int stage_cancelled(Stage *sg) {
    uint64_t first;
    size_t n;
    if (!sg->revs.n && !sg->revs.nruns) return 0; /* no reversal yet: the common case */
    const char *id = hstore_key_id(sg->key.p, sg->key.len, &n);
    if (!id) return -1;
    if (sg->rev_exact == 1) return strmap_get(&sg->rev_ids, id, n) != NULL;
    return idset_has(&sg->revs, id, n, &first);
}

/* history add: whether the claim whose key is in sg->key replaces one the
 * store holds (its claim_id stored by an earlier commit; one put earlier
 * in this commit dirtied its pages already).  Not asked of a PostgreSQL
 * store, whose commits hold no pages here. */
static int stage_replaces(Stage *sg) {
    size_t n;
    if (!sg->t || hstore_is_remote(sg->st)) return 0;
    const char *id = hstore_key_id(sg->key.p, sg->key.len, &n);
    return id && hstore_has_id(sg->t, id, n) == 1;
}

/* Makes the puts and reversals noted since the last commit.  Operations
 * on different claim_ids commute (a claim's key ends with its id), so the
 * store ends as if they were made in input order when the puts of ids met
 * once are made first, and the rest (reversals, and every operation on an
 * id met twice) after them in input order.  Those puts are made in two
 * steps (hstore_put_id, then hstore_put_rec: each id's in that order): the
 * id entries sorted by claim_id, then the records sorted by key, so that
 * each B-tree's pages are touched in order, each once (the ids table's
 * entries in key order came in hash order, a descent from the root each). */
static int stage_apply(Stage *sg) {
    arb_engine *e = sg->b->e;
    char err[512];
    size_t n = sg->nops;
    int rc = ARB_OK;
    if (!n) return ARB_OK;
    PendKey *ids = mem_alloc(e->alloc, n * sizeof *ids);
    PendKey *keys = mem_alloc(e->alloc, n * sizeof *keys);
    unsigned char *twice = mem_calloc(e->alloc, n ? n : 1);
    if (!ids || !keys || !twice) {
        rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const PendOp *op = &sg->ops[i];
        const char *k = sg->pend.p + op->at;
        size_t idn = op->kn;
        const char *id = op->rev ? k : hstore_key_id(k, op->kn, &idn);
        if (!id) {
            rc = engine_fail(e, ARB_ERR_IO, "history store: a damaged key");
            goto done;
        }
        ids[i] = (PendKey){id, idn, i};
    }
    qsort(ids, n, sizeof *ids, pendkey_cmp);
    for (size_t i = 1; i < n; i++)
        if (ids[i].n == ids[i - 1].n && memcmp(ids[i].k, ids[i - 1].k, ids[i].n) == 0)
            twice[ids[i].op] = twice[ids[i - 1].op] = 1;
    size_t nk = 0;
    for (size_t i = 0; i < n; i++)
        if (!sg->ops[i].rev && !twice[i])
            keys[nk++] = (PendKey){sg->pend.p + sg->ops[i].at, sg->ops[i].kn, i};
    qsort(keys, nk, sizeof *keys, pendkey_cmp);
    HTxn *t = sg->t;
    size_t done = 0;
    /* pass 0: the once-met ids' entries, sorted by id; 1: their records,
     * sorted by key; 2: the rest, in input order */
    for (size_t pass = 0; pass < 3 && rc == ARB_OK; pass++) {
        size_t m = pass == 1 ? nk : n;
        for (size_t j = 0; j < m && rc == ARB_OK; j++) {
            size_t i = pass == 0 ? ids[j].op : pass == 1 ? keys[j].op : j;
            int once = !sg->ops[i].rev && !twice[i];
            if (pass != 1 && once != (pass == 0)) continue;
            const PendOp *op = &sg->ops[i];
            const char *k = sg->pend.p + op->at;
            int r = pass == 0   ? hstore_put_id(t, k, op->kn, err, sizeof err)
                    : pass == 1 ? hstore_put_rec(t, k, op->kn, k + op->kn, op->n, err, sizeof err)
                    : op->rev   ? hstore_reverse(t, k, op->kn, err, sizeof err)
                                : hstore_put_key(t, k, op->kn, k + op->kn, op->n, err, sizeof err);
            if (r < 0) rc = engine_fail(e, ARB_ERR_IO, "%s", err);
            if ((++done & 255) == 0 && hstore_guard_over(&sg->b->guard))
                hstore_release_pages(sg->st);
        }
    }
done:
    mem_free(e->alloc, ids, n * sizeof *ids);
    mem_free(e->alloc, keys, n * sizeof *keys);
    mem_free(e->alloc, twice, n ? n : 1);
    sg->nops = 0;
    sg->pend_mem = 0;
    sb_clear(&sg->pend);
    return rc;
}

/* Commits sg's open transaction (history add: after making its puts). */
static int stage_commit(Stage *sg) {
    char err[512];
    int rc = sg->add && sg->t ? stage_apply(sg) : ARB_OK;
    HTxn *t = sg->t;
    sg->t = NULL;
    sg->pending = 0;
    if (rc != ARB_OK) {
        hstore_abort(t);
        return rc;
    }
    if (t && hstore_commit(t, err, sizeof err)) return engine_fail(sg->b->e, ARB_ERR_IO, "%s", err);
    if (hstore_guard_over(&sg->b->guard)) hstore_release_pages(sg->st);
    return ARB_OK;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void *spool_writer(void *arg) {
    Stage *sg = arg;
    sg->write_err = write_all(sg->spool_fd, sg->out.p, sg->out.len) ? (errno ? errno : EIO) : 0;
    return NULL;
}

/* Waits for the spool's writer: 0, or the errno of its write. */
static int spool_wait(Stage *sg) {
    if (!sg->writing) return 0;
    pthread_join(sg->writer, NULL);
    sg->writing = 0;
    return sg->write_err;
}

/* Writes this window's spool: on a thread of its own with several workers
 * (it then overlaps the next window's parsing), else here.  0 or errno. */
static int spool_write(Stage *sg) {
    int err = spool_wait(sg);
    if (err) return err;
    if (sg->b->nw < 2)
        return write_all(sg->spool_fd, sg->spool.p, sg->spool.len) ? (errno ? errno : EIO) : 0;
    StrBuf t = sg->out; /* written: the next window fills it */
    sg->out = sg->spool;
    sg->spool = t;
    sg->write_err = 0;
    if (pthread_create(&sg->writer, NULL, spool_writer, sg) == 0) {
        sg->writing = 1;
        return 0;
    }
    spool_writer(sg);
    return sg->write_err;
}

/* Stores the claims w read (a worker's share of a window, or a chunk's on
 * the pipe), in input order, in the open transaction: each spooled (check
 * --history), put or noted for the commit, or reported as rejected. */
static int stage_entries(Stage *sg, Worker *w) {
    Batch *b = sg->b;
    arb_engine *e = b->e;
    char err[512];
    HTxn *t = sg->t;
    int rc = ARB_OK;
    if (w->failed) return engine_fail(e, ARB_ERR_NOMEM, "out of memory reading the claims");
    for (size_t k = 0; k < w->read.nents && rc == ARB_OK; k++) {
        HEntry *h = &w->read.ents[k];
        if (!sg->add && (rc = dupcheck_entry(e, w, h)) != ARB_OK) break;
        uint64_t ord = sg->ordinal++;
        if (h->claim == UINT32_MAX) {
            reject(w, h->file, h->line, h->msg, h->raw, h->rawn);
            continue;
        }
        sg->pending++;
        const Value *claim = w->read.claims[h->claim];
        const char *enc = w->enc.p + w->enc_at[k][0];
        size_t encn = w->enc_at[k][1];
        char ref[HSRC_REF];
        if (sg->spool_fd >= 0) {
            hcodec_put_varint(&sg->spool, ord);
            hcodec_put_varint(&sg->spool, encn);
            /* the staging store keeps where the claim is in the spool */
            hsrc_ref_put(ref, sg->spooled + sg->spool.len, (uint32_t)encn);
            sb_putn(&sg->spool, enc, encn);
            enc = ref;
            encn = HSRC_REF;
        }
        const ArbStr *target;
        const char *why;
        if (hist_reversal(&w->hrev, claim, &target)) {
            sg->reversals++;
            if (sg->add) { /* made at the commit; its id cancels the claims met after */
                if (target && target->len && pend_add(sg, target->data, target->len, "", 0, 1, 0))
                    rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
                else if (target && target->len)
                    rc = stage_note_reversal(sg, target->data, target->len, h->line);
            } else if (target &&
                       hstore_reverse(t, target->data, target->len, err, sizeof err) < 0) {
                rc = engine_fail(e, ARB_ERR_IO, "%s", err);
            }
            continue;
        }
        int pr;
        if (sg->add) { /* the key now (a claim that cannot be stored is rejected in order),
                          the put at the commit */
            pr = hstore_key(sg->st, claim, (uint32_t)ord, &sg->key, &why);
            int cancelled = pr == 0 ? stage_cancelled(sg) : 0;
            if (cancelled < 0) {
                rc = cancelled == -2 ? engine_fail(e, ARB_ERR_IO,
                                                   "cannot write or read the claim ids' "
                                                   "temporary file: %s",
                                                   strerror(errno))
                                     : engine_fail(e, ARB_ERR_IO, "history store: a damaged key");
                break;
            }
            /* cancelled by a reversal met earlier: counted as stored, as
             * a claim met before its reversal is (stored, then removed) */
            if (pr == 0 && !cancelled &&
                pend_add(sg, sg->key.p, sg->key.len, enc, encn, 0, stage_replaces(sg)))
                pr = -2;
            if (pr < 0) {
                rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
                break;
            }
        } else {
            pr = hstore_put_encoded(t, claim, (uint32_t)ord, enc, encn, &why, err, sizeof err);
        }
        if ((sg->stored & 255) == 255 && hstore_guard_over(&b->guard)) hstore_release_pages(sg->st);
        if (pr < 0) {
            rc = engine_fail(e, ARB_ERR_IO, "%s", err);
        } else if (pr == 1) {
            sg->not_stored++;
            if (sg->add) {
                char m[200];
                snprintf(m, sizeof m, "cannot be stored in history: %s", why);
                reject(w, h->file ? h->file : b->o->claims_path, h->line, m, h->raw, h->rawn);
            }
        } else {
            sg->stored++;
        }
    }
    return rc;
}

/* Opens the window's transaction (history add: its puts are made at the
 * commit), unless one is open. */
static int stage_begin(Stage *sg) {
    char err[512];
    if (!sg->t && hstore_begin(sg->st, 1, &sg->t, err, sizeof err))
        return engine_fail(sg->b->e, ARB_ERR_IO, "%s", err);
    return ARB_OK;
}

/* Ends a window whose claims are all stored (rc: how that went): spools
 * them, and commits when the commit is due (a window is wholly in a commit
 * or not); on an error the transaction is let go. */
static int stage_window_end(Stage *sg, int rc) {
    arb_engine *e = sg->b->e;
    if (rc == ARB_OK && sg->spool.oom) rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    sg->spooled += sg->spool.len;
    int werr = rc == ARB_OK && sg->spool_fd >= 0 ? spool_write(sg) : 0;
    if (werr) rc = engine_fail(e, ARB_ERR_IO, "cannot write the spool: %s", strerror(werr));
    sb_clear(&sg->spool); /* the next window's */
    if (rc == ARB_OK && (sg->pending >= sg->every ||
                         (sg->add ? sg->pend_mem > ADD_DIRTY_BYTES
                                  : sg->t && hstore_txn_dirty(sg->t) > STAGE_DIRTY_BYTES)))
        rc = stage_commit(sg);
    if (rc != ARB_OK) {
        hstore_abort(sg->t);
        sg->t = NULL;
    }
    return rc;
}

/* Parses and encodes this window on the workers (started for it and
 * joined), then stores its claims in input order, reports its rejects and
 * spools it. */
static int stage_workers(Stage *sg, uint64_t done, uint64_t total) {
    Batch *b = sg->b;
    arb_engine *e = b->e;
    run_workers(b->ws, b->nw);
    int rc = stage_begin(sg);
    for (int i = 0; i < b->nw; i++) {
        Worker *w = &b->ws[i];
        if (rc == ARB_OK) rc = stage_entries(sg, w);
        w->read.nents = w->read.nclaims = 0;
        arena_reset(&w->hist_ar);
        strmap_free(&w->strings);
        strmap_init_fast(&w->strings, e->alloc);
    }
    rc = stage_window_end(sg, rc);
    if (rc == ARB_OK) rc = flush_workers(e, b->o, b->ws, b->nw, b->out);
    if (b->o->on_progress) b->o->on_progress(b->o->ud, done, total);
    return rc;
}

/* The pipe's chunk_fn (staging on the pipe): stores chunk c's claims,
 * which a worker read and encoded, in input order, its rejects into its
 * results, which the pipe then writes.  sg->mw, this thread's stand-in
 * for a worker, holds the chunk's buffers meanwhile. */
static int stage_chunk(void *ud, Chunk *c) {
    Stage *sg = ud;
    Worker *w = sg->mw;
    int rc = stage_begin(sg);
    if (rc != ARB_OK) return rc;
    chunk_swap(w, c, 1);
    rc = stage_entries(sg, w);
    chunk_swap(w, c, 1);
    return rc;
}

/* The pipe's win_fn: a window's chunks all stored and written. */
static int stage_win_end(void *ud, uint64_t done) {
    Stage *sg = ud;
    int rc = stage_window_end(sg, ARB_OK);
    if (sg->b->o->on_progress) sg->b->o->on_progress(sg->b->o->ud, done, sg->b->total);
    return rc;
}

/* Shares a window of records out to the workers by their bytes (parsing
 * and encoding cost what the text is long), in input order. */
static void share_records_by_bytes(Worker *ws, int nw, const Record *recs, size_t nrecs) {
    uint64_t bytes = 0, sum = 0;
    for (size_t k = 0; k < nrecs; k++) bytes += recs[k].n;
    size_t at = 0;
    for (int i = 0; i < nw; i++) {
        size_t to = at;
        if (i == nw - 1)
            to = nrecs;
        else
            while (to < nrecs && sum < bytes / (uint64_t)nw * (uint64_t)(i + 1))
                sum += recs[to++].n;
        ws[i].recs = recs + at;
        ws[i].nrecs = to - at;
        at = to;
    }
}

static int stage_window(void *ud, const Record *recs, size_t nrecs, uint64_t done) {
    Stage *sg = ud;
    if (sg->b->pipe) /* check --history: reading is the first half of the progress */
        return pipe_window(sg->b->pipe, recs, NULL, NULL, nrecs, sg->add ? done : done / 2);
    share_records_by_bytes(sg->b->ws, sg->b->nw, recs, nrecs);
    /* check --history: reading is the first half of the progress */
    return stage_workers(sg, sg->add ? done : done / 2, sg->b->total);
}

/* Reads the whole batch into sg->st (and the spool). */
static int stage_batch(Stage *sg, int csv, arb_batch_stats *st) {
    Batch *b = sg->b;
    arb_engine *e = b->e;
    char msg[512];
    int rc = ARB_OK;
    for (int i = 0; i < b->nw; i++) {
        b->ws[i].reading = 1;
        b->ws[i].encode = 1;
        b->ws[i].enc_schema = hstore_schema(sg->st);
        b->ws[i].enc_hashed = sg->spool_fd >= 0;
        b->ws[i].enc_plan = hstore_encoder(sg->st);
        strmap_init_fast(&b->ws[i].strings, e->alloc);
    }
    if (csv) {
        CsvClaims *cc = NULL;
        ProfCsv *pc = NULL; /* CSV through an input profile */
        if (b->ws[0].prof
                ? prof_csv_open_stream(&pc, b->ws[0].prof, b->o->claims_path, e->claims_encoding, 0,
                                       0, e->alloc, msg, sizeof msg)
                : csvc_open_stream(&cc, e->prog->claim, b->o->claims_path, e->claims_encoding, 0,
                                   e->alloc, msg, sizeof msg)) {
            rc = engine_fail(e, ARB_ERR_DATA, "%s", msg);
        } else {
            if (cc) csvc_set_max_field(cc, b->o->max_field_bytes);
            for (int i = 0; i < b->nw; i++) b->ws[i].pcsv = pc;
            size_t n = pc ? prof_csv_count(pc) : csvc_count(cc);
            st->bytes = b->total = pc ? prof_csv_bytes(pc) : csvc_bytes(cc);
            size_t win = sg->add ? CSV_ADD_WINDOW_CLAIMS : CSV_STORE_WINDOW_CLAIMS;
            for (size_t from = 0; from < n && rc == ARB_OK; from += win) {
                size_t to = from + win < n ? from + win : n;
                if ((cc && csvc_load(cc, from, to, msg, sizeof msg)) ||
                    (pc && prof_csv_load(pc, from, to, msg, sizeof msg))) {
                    rc = engine_fail(e, ARB_ERR_DATA, "%s", msg);
                    break;
                }
                share_claims(b->ws, b->nw, cc, from, to);
                uint64_t done = b->total * to / n;
                rc = stage_workers(sg, sg->add ? done : done / 2, b->total);
            }
            if (rc == ARB_OK && cc) rc = report_orphans(e, b->o, b->ws, b->out, cc, st);
            csvc_free(cc);
            prof_csv_free(pc);
        }
    } else {
        /* on several threads through the pipe: the workers live for the run
         * and parse and encode chunks of the windows read ahead while this
         * thread stores the claims read before, in input order, window by
         * window (a window still wholly in a commit or not) */
        Pipe pipe;
        Worker *mw = b->nw > 1 && e->claims_encoding == TC_UTF8
                         ? mem_calloc(e->alloc, sizeof(Worker))
                         : NULL;
        int piped = mw && pipe_start(&pipe, b) == 0;
        if (piped) {
            mw->e = e;
            mw->o = b->o;
            mw->hrev = b->ws[0].hrev;
            sg->mw = mw;
            pipe.stage = 1;
            pipe.chunk_fn = stage_chunk;
            pipe.win_fn = stage_win_end;
            pipe.fn_ud = sg;
            b->pipe = &pipe;
        }
        /* else check --history: a window per worker, so that there are
         * fewer waits for the slowest */
        size_t win = sg->add ? ADD_WINDOW_BYTES
                     : piped ? STORE_WINDOW_BYTES
                             : STORE_WINDOW_ALL(b->nw);
        rc = read_windows(e, b->o->claims_path, win, piped ? PIPE_SLOTS : 1, stage_window, sg);
        if (piped) {
            pipe_stop(&pipe);
            b->pipe = NULL;
            sg->mw = NULL;
            b->ws[0].rejected += mw->rejected; /* the rejects it reported */
        }
        mem_free(e->alloc, mw, mw ? sizeof(Worker) : 0);
    }
    int werr = spool_wait(sg);
    if (rc == ARB_OK && werr)
        rc = engine_fail(e, ARB_ERR_IO, "cannot write the spool: %s", strerror(werr));
    if (rc == ARB_OK) rc = stage_commit(sg);
    hstore_abort(sg->t);
    sg->t = NULL;
    for (int i = 0; i < b->nw; i++) {
        b->ws[i].reading = 0;
        b->ws[i].encode = 0;
        b->ws[i].enc_hashed = 0;
        b->ws[i].csv = NULL;
        b->ws[i].pcsv = NULL;
        b->ws[i].recs = NULL;
        b->ws[i].nrecs = 0;
        strmap_free(&b->ws[i].strings);
        /* the window's parsed claims: given back, not kept for the checking pass */
        arena_free(&b->ws[i].hist_ar);
        sb_free(&b->ws[i].enc);
    }
    if (sg->rev_exact == 1) {
        strmap_free(&sg->rev_ids);
        arena_free(&sg->rev_ar);
    }
    sg->rev_exact = 0;
    sg->rev_bytes = 0;
    return rc;
}

/* Copies the staged batch (its claims in the spool) into the store
 * (check --record), committing every `every` claims; then applies the
 * batch's reversals. */
typedef struct Copy {
    arb_engine *e;
    HStore *from;
    HStore *to;
    HTxn *t;
    HTxn *rt; /* the staged batch's read transaction */
    uint32_t every, n;
    uint64_t copied;
    StrBuf scratch;
    StrBuf plain; /* a record of the spool without its strings' hashes */
    int spool_fd; /* the staged records are references into it */
    uint64_t spool_len;
    char *rec; /* a record read from the spool */
    size_t caprec;
    int rc;
} Copy;

static int copy_one(void *ud, const HRec *r) {
    Copy *c = ud;
    char err[512];
    if (!c->t && hstore_begin(c->to, 1, &c->t, err, sizeof err)) {
        c->rc = engine_fail(c->e, ARB_ERR_IO, "%s", err);
        return 1;
    }
    /* a claim_id given twice: the last copy is recorded, as history add
     * stores it */
    if (!hstore_staged_last(c->rt, r)) return 0;
    HRec rec = *r;
    uint64_t off;
    uint32_t m;
    if (hsrc_ref_get(r->rec, r->rec_len, c->spool_len, &off, &m)) {
        c->rc = engine_fail(c->e, ARB_ERR_IO, "the spool is damaged");
        return 1;
    }
    if (mem_grow(c->e->alloc, (void **)&c->rec, 1, &c->caprec, (size_t)m + 1)) {
        c->rc = engine_fail(c->e, ARB_ERR_NOMEM, "out of memory");
        return 1;
    }
    if (hsrc_pread(c->spool_fd, c->rec, m, off)) {
        c->rc = engine_fail(c->e, ARB_ERR_IO, "cannot read the spool: %s", strerror(errno));
        return 1;
    }
    /* the spool's records are hashed (hcodec.h); the store's plain */
    int ur = hstore_unhash(c->from, c->rec, m, &c->plain);
    if (ur) {
        c->rc = ur == -2 ? engine_fail(c->e, ARB_ERR_NOMEM, "out of memory")
                         : engine_fail(c->e, ARB_ERR_IO, "the spool is damaged");
        return 1;
    }
    rec.rec = c->plain.p;
    rec.rec_len = c->plain.len;
    if (hstore_copy(c->t, c->from, &rec, &c->scratch, err, sizeof err)) {
        c->rc = engine_fail(c->e, ARB_ERR_IO, "%s", err);
        return 1;
    }
    c->copied++;
    if (++c->n >= c->every) {
        c->n = 0;
        HTxn *t = c->t;
        c->t = NULL;
        if (hstore_commit(t, err, sizeof err)) {
            c->rc = engine_fail(c->e, ARB_ERR_IO, "%s", err);
            return 1;
        }
        hstore_release_pages(c->to);
    }
    return 0;
}

static int copy_reversal(void *ud, const char *id, size_t n) {
    Copy *c = ud;
    char err[512];
    if (!c->t && hstore_begin(c->to, 1, &c->t, err, sizeof err)) {
        c->rc = engine_fail(c->e, ARB_ERR_IO, "%s", err);
        return 1;
    }
    if (hstore_reverse(c->t, id, n, err, sizeof err) < 0) {
        c->rc = engine_fail(c->e, ARB_ERR_IO, "%s", err);
        return 1;
    }
    return 0;
}

static int record_batch(arb_engine *e, HStore *stage, HStore *store, int spool_fd,
                        uint64_t spool_len, uint32_t every, uint64_t *copied) {
    char err[512];
    Copy c;
    memset(&c, 0, sizeof c);
    c.e = e;
    c.from = stage;
    c.to = store;
    c.every = every ? every : 10000;
    c.spool_fd = spool_fd;
    c.spool_len = spool_len;
    sb_init(&c.scratch, e->alloc);
    sb_init(&c.plain, e->alloc);
    HTxn *rt;
    if (hstore_begin(stage, 0, &rt, err, sizeof err)) {
        sb_free(&c.scratch);
        sb_free(&c.plain);
        return engine_fail(e, ARB_ERR_IO, "%s", err);
    }
    c.rt = rt;
    if (hstore_each(rt, copy_one, &c) && c.rc == ARB_OK)
        c.rc = engine_fail(e, ARB_ERR_IO, "history store: cannot read the staged batch");
    if (c.rc == ARB_OK && hstore_each_reversed(rt, copy_reversal, &c) && c.rc == ARB_OK)
        c.rc = engine_fail(e, ARB_ERR_IO, "history store: cannot read the staged batch");
    hstore_abort(rt);
    if (c.t) {
        if (c.rc == ARB_OK) {
            if (hstore_commit(c.t, err, sizeof err)) c.rc = engine_fail(e, ARB_ERR_IO, "%s", err);
        } else {
            hstore_abort(c.t);
        }
    }
    sb_free(&c.scratch);
    sb_free(&c.plain);
    mem_free(e->alloc, c.rec, c.caprec);
    *copied = c.copied;
    return c.rc;
}

/* Store mode, checking: a window of the spool read into a buffer (pread,
 * not mapped: see hsource.h) and cut into its whole records. */
typedef struct SpoolWin {
    char *buf;
    size_t capbuf;
    SpoolRec *recs;
    size_t nrecs, caprecs;
} SpoolWin;

/* Reads the whole records that start at off into w, up to about want bytes
 * (a record longer than that: as many bytes as it takes); their bytes in
 * *used.  ARB_OK, or an error (engine_fail). */
static int spool_read(arb_engine *e, int fd, uint64_t spool_len, uint64_t off, size_t want,
                      SpoolWin *w, size_t *used) {
    for (;;) {
        size_t got = spool_len - off < want ? (size_t)(spool_len - off) : want;
        if (mem_grow(e->alloc, (void **)&w->buf, 1, &w->capbuf, got + 1))
            return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        if (hsrc_pread(fd, w->buf, got, off))
            return engine_fail(e, ARB_ERR_IO, "cannot read the spool: %s", strerror(errno));
        w->nrecs = 0;
        const char *p = w->buf, *end = w->buf + got;
        while (p < end) {
            const char *q = p;
            uint64_t ord, n;
            if (hcodec_get_varint(&q, end, &ord) || hcodec_get_varint(&q, end, &n) ||
                n > (uint64_t)(end - q)) {
                /* cut at the bytes read: the next window starts with it */
                if (got < spool_len - off || w->nrecs) break;
                return engine_fail(e, ARB_ERR_IO, "the spool is damaged");
            }
            if (mem_grow(e->alloc, (void **)&w->recs, sizeof *w->recs, &w->caprecs, w->nrecs + 1))
                return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
            w->recs[w->nrecs++] = (SpoolRec){ord, q, (size_t)n};
            p = q + n;
        }
        if (w->nrecs) {
            *used = (size_t)(p - w->buf);
            return ARB_OK;
        }
        want = got * 2; /* one record longer than the window: read it whole */
    }
}

/* Store mode, checking: the spool read in windows, each decoded and checked
 * on the workers with history() from the store and the stage.  On several
 * threads through the pipe: the workers live for the run and take chunks of
 * claims from its queue while this thread reads ahead (PIPE_SLOTS windows
 * in buffers) and writes the results in input order; on one, a window at a
 * time. */
static int check_spool(Batch *b, int fd, uint64_t spool_len) {
    arb_engine *e = b->e;
    SpoolWin win[PIPE_SLOTS];
    memset(win, 0, sizeof win);
    Pipe pipe;
    int piped = b->nw > 1 && pipe_start(&pipe, b) == 0;
    int rc = ARB_OK;
    uint64_t off = 0; /* where the window starts in the spool */
    for (unsigned k = 0; rc == ARB_OK && off < spool_len; k++) {
        SpoolWin *w = &win[piped ? k % PIPE_SLOTS : 0];
        size_t bytes = 0;
        rc = spool_read(e, fd, spool_len, off, STORE_WINDOW_ALL(b->nw), w, &bytes);
        if (rc != ARB_OK) break;
        off += bytes;
        /* checking is the second half of the progress */
        uint64_t done = b->total / 2 + (b->total - b->total / 2) * off / spool_len;
        if (piped) {
            /* with at most PIPE_SLOTS - 1 windows in flight on return: the
             * next window's buffer is free */
            rc = pipe_window(&pipe, NULL, NULL, w->recs, w->nrecs, done);
            if (hstore_guard_over(&b->guard)) { /* the pages this window read */
                if (b->store) hstore_release_pages(b->store);
                if (b->stage) hstore_release_pages(b->stage);
            }
            continue;
        }
        b->ws[0].srecs = w->recs;
        b->ws[0].nsrecs = w->nrecs;
        rc = store_window_begin(b);
        if (rc == ARB_OK) run_workers(b->ws, 1);
        store_window_end(b);
        if (rc == ARB_OK) rc = flush_workers(e, b->o, b->ws, 1, b->out);
        if (b->o->on_progress) b->o->on_progress(b->o->ud, done, b->total);
    }
    if (piped) {
        int prc = pipe_window(&pipe, NULL, NULL, NULL, 0, 0);
        if (rc == ARB_OK) rc = prc;
        pipe_stop(&pipe);
    }
    for (int i = 0; i < b->nw; i++) {
        b->ws[i].srecs = NULL;
        b->ws[i].nsrecs = 0;
    }
    for (int k = 0; k < PIPE_SLOTS; k++) {
        mem_free(e->alloc, win[k].recs, win[k].caprecs * sizeof *win[k].recs);
        mem_free(e->alloc, win[k].buf, win[k].capbuf);
    }
    return rc;
}

/* check --history: stages and spools the batch, checks the spool with
 * history() from the store and the staging store, records the batch when
 * asked. */
static int run_store(Batch *b, arb_batch_stats *st, int csv) {
    arb_engine *e = b->e;
    const arb_batch_options *o = b->o;
    HStore *store = o->history->st;
    char dir[PATH_MAX], spool[PATH_MAX + 16], err[512];
    /* the staging store: beside the store, else (or for a PostgreSQL store)
     * in the temporary directory */
    snprintf(dir, sizeof dir, "%s/stage.XXXXXX", hstore_dir(store));
    if (hstore_is_remote(store) || !mkdtemp(dir)) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/arbiter-stage.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir))
            return engine_fail(e, ARB_ERR_IO, "cannot make a staging directory: %s",
                               strerror(errno));
    }
    HStore *stage = NULL;
    int rc = ARB_OK;
    if (hstore_open(&stage, dir, HSTORE_WRITE | HSTORE_STAGING, e->prog, e->alloc, err, sizeof err))
        rc = engine_fail(e, ARB_ERR_IO, "%s", err);
    snprintf(spool, sizeof spool, "%s/spool", dir);
    int fd = rc == ARB_OK ? open(spool, O_RDWR | O_CREAT | O_EXCL, 0600) : -1;
    if (rc == ARB_OK && fd < 0)
        rc = engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", spool, strerror(errno));
    Stage sg;
    memset(&sg, 0, sizeof sg);
    sg.b = b;
    sg.st = stage;
    sg.spool_fd = fd;
    sg.every = UINT32_MAX; /* commits by its dirty pages (STAGE_DIRTY_BYTES) */
    sb_init(&sg.spool, e->alloc);
    sb_init(&sg.out, e->alloc);
    if (rc == ARB_OK) rc = stage_batch(&sg, csv, st);
    sb_free(&sg.spool);
    sb_free(&sg.out);
    /* LMDB keeps the pages its write transactions dirtied, for reuse, until
     * the environment is closed: reopened, the staging store does not carry
     * them through the checking pass */
    if (rc == ARB_OK) {
        hstore_close(stage);
        if (hstore_open(&stage, dir, HSTORE_WRITE | HSTORE_STAGING, e->prog, e->alloc, err,
                        sizeof err))
            rc = engine_fail(e, ARB_ERR_IO, "%s", err);
    }
    /* the spool: the checking pass reads its claims in order, and history()
     * the batch's earlier claims by the staging store's references */
    struct stat sb;
    uint64_t spool_len = 0;
    if (rc == ARB_OK && fstat(fd, &sb) != 0)
        rc = engine_fail(e, ARB_ERR_IO, "cannot read the spool: %s", strerror(errno));
    if (rc == ARB_OK) spool_len = (uint64_t)sb.st_size;
    /* check the spool, with history from both stores */
    b->store = store;
    b->stage = stage;
    for (int i = 0; i < b->nw && rc == ARB_OK; i++) {
        if (hsrc_init(&b->ws[i].src, e->prog, store, stage, e->alloc)) {
            hsrc_free(&b->ws[i].src);
            rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
            break;
        }
        b->ws[i].store_mode = 1;
        b->ws[i].src.guard = &b->guard;
        b->ws[i].src.spool_fd = fd;
        b->ws[i].src.spool_len = spool_len;
        b->ws[i].src.stage_reverses = sg.reversals != 0;
        hsrc_install(&b->ws[i].src, &b->ws[i].vm);
    }
    if (rc == ARB_OK) rc = check_spool(b, fd, spool_len);
    for (int i = 0; i < b->nw; i++) {
        if (b->ws[i].store_mode) hsrc_free(&b->ws[i].src);
        b->ws[i].store_mode = 0;
        b->ws[i].vm.hist_fn = NULL;
    }
    b->store = b->stage = NULL;
    if (rc == ARB_OK && o->record)
        rc = record_batch(e, stage, store, fd, spool_len, o->commit_every, &st->recorded);
    st->not_recorded = o->record ? sg.not_stored : 0;
    if (fd >= 0) close(fd);
    remove(spool);
    hstore_close(stage);
    hstore_remove_dir(dir);
    return rc;
}

/* The workers' counts of input fields not read, summed and sorted by name
 * into the engine (the same whatever the thread count).  -1: out of memory. */
static int merge_ignored(arb_engine *e, Worker *ws, int nw) {
    engine_drop_ignored(e);
    InputNotes *all = mem_alloc(e->alloc, sizeof(InputNotes));
    if (!all) return -1;
    notes_init(all, e->alloc);
    e->ignored_notes = all;
    for (int i = 0; i < nw; i++)
        if (notes_merge(all, &ws[i].unread)) return -1;
    if (!all->n) return 0;
    notes_sort(all);
    e->ignored = mem_alloc(e->alloc, all->n * sizeof(arb_ignored_field));
    if (!e->ignored) return -1;
    e->nignored = all->n;
    for (size_t k = 0; k < all->n; k++) {
        const InputNote *n = &all->v[k];
        e->ignored[k].name = n->name;
        e->ignored[k].records = n->records;
        e->ignored[k].derived = n->derived != NULL;
        e->ignored[k].formula = n->derived ? n->derived->formula : NULL;
    }
    return 0;
}

/* The bytes of claims input: the file's, and for canonical CSV its child
 * files' too (lines.csv, ... beside claims.csv); 0 from a pipe. */
static uint64_t input_bytes(const Program *p, const char *path, uint64_t bytes, int csv_children) {
    if (!csv_children) return bytes;
    const RecordType *ct = p->claim;
    for (uint32_t f = 0; f < ct->nfields; f++) {
        char child[4096];
        struct stat sb;
        if (ct->fields[f].type.kind != TY_LIST) continue;
        child_csv(child, sizeof child, path, ct->fields[f].name);
        if (stat(child, &sb) == 0) bytes += (uint64_t)sb.st_size;
    }
    return bytes;
}

/* A temporary history store for a batch too big to hold in memory
 * (arb_batch_options.history_memory_max): made empty in $TMPDIR, removed
 * by temp_history_drop. */
static int temp_history(arb_engine *e, char *dir, size_t dircap, arb_history **out) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, dircap, "%s/arbiter-history.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return engine_fail(e, ARB_ERR_IO, "cannot make a temporary history store in %s: %s",
                           tmp && *tmp ? tmp : "/tmp", strerror(errno));
    int rc = arb_history_open(e, dir, ARB_HISTORY_WRITE, out);
    if (rc != ARB_OK) hstore_remove_dir(dir);
    return rc;
}

static void temp_history_drop(arb_history *h, const char *dir) {
    arb_history_close(h);
    hstore_remove_dir(dir);
}

int arb_check_file(arb_engine *e, const arb_batch_options *o, arb_batch_stats *st) {
    return batch_run(e, o, st, NULL);
}

int batch_run(arb_engine *e, const arb_batch_options *o, arb_batch_stats *st, HStore *add_to) {
    memset(st, 0, sizeof *st);
    if (!e->prog) return engine_fail(e, ARB_ERR_USAGE, "compile the rules before checking claims");
    if (!o->claims_path) return engine_fail(e, ARB_ERR_USAGE, "no claims file given");
    double t0 = now_seconds();
    const Program *p = e->prog;
    arb_batch_options opt = *o;
    if (!opt.phases) opt.phases = ARB_PHASE_ALL;
    const Prof *prof = NULL;
    if (opt.input_profile && !(prof = engine_profile(e, opt.input_profile)))
        return engine_fail(e, ARB_ERR_USAGE, "no input profile '%s' in the rules",
                           opt.input_profile);
    int from_stdin = strcmp(opt.claims_path, "-") == 0;
    int csv = prof ? prof_profile(prof)->format == PROF_CSV
                   : opt.input_format == ARB_FORMAT_CSV ||
                         (opt.input_format == ARB_FORMAT_AUTO && !from_stdin &&
                          ends_with(opt.claims_path, ".csv"));
    if (from_stdin && csv)
        return engine_fail(e, ARB_ERR_USAGE,
                           "claims from standard input (-) must be JSON Lines: CSV claims come "
                           "as claims.csv with lines.csv, diagnoses.csv and procedures.csv "
                           "beside it, separate files that cannot share one stream");
    int enc = opt.encoding ? tc_encoding(opt.encoding) : TC_UTF8;
    if (enc < 0)
        return engine_fail(e, ARB_ERR_USAGE, "unknown encoding '%s' (utf-8, gb18030)",
                           opt.encoding);
    struct stat sb;
    if (from_stdin) {
        opt.claims_path = STDIN_NAME; /* its name in messages; read_windows reads fd 0 */
        st->bytes = fstat(STDIN_FILENO, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
    } else if (stat(opt.claims_path, &sb) != 0) {
        return engine_fail(e, ARB_ERR_DATA, "cannot open %s: %s", opt.claims_path, strerror(errno));
    } else {
        st->bytes = (uint64_t)sb.st_size;
    }

    int nw = opt.threads < 1 ? 1 : opt.threads > MAX_THREADS ? MAX_THREADS : opt.threads;
    Worker *ws = mem_calloc(e->alloc, (size_t)nw * sizeof(Worker));
    if (!ws) return engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    int rc = ARB_OK;
    for (int i = 0; i < nw; i++) {
        Worker *w = &ws[i];
        w->e = e;
        w->o = &opt;
        arena_init(&w->ar, e->alloc, 1 << 16);
        arena_init(&w->hist_ar, e->alloc, 1 << 20);
        sb_init(&w->out, e->alloc);
        sb_init(&w->rej, e->alloc);
        sb_init(&w->errtext, e->alloc);
        sb_init(&w->errjson, e->alloc);
        sb_init(&w->enc, e->alloc);
        sb_init(&w->idtext, e->alloc);
        w->cat_count = mem_calloc(e->alloc, (p->ncats + 1) * sizeof(uint64_t));
        w->cat_amount = mem_calloc(e->alloc, (p->ncats + 1) * sizeof(int64_t));
        if (vm_init(&w->vm, p, e->alloc) || !w->cat_count || !w->cat_amount)
            rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        hist_reversal_init(&w->hrev, p);
        notes_init(&w->unread, e->alloc);
        w->prof = prof;
        prof_work_init(&w->pw, e->alloc);
    }
    for (int i = 0; i < nw; i++) {
        ws[i].vm.no_index = opt.no_index;
        ws[i].vm.native = e->native;
        ws[i].vm.lua_limits = e->lua_limits;
    }
    Output out;
    memset(&out, 0, sizeof out);
    out.rejects_path = opt.rejects_path;
    if (rc == ARB_OK) rc = refuse_overwriting(e, &opt, csv);
    if (rc == ARB_OK && opt.findings_path) {
        static const char header[] =
            "claim_id,rule,category,category_code,severity,nature,points,line_no,amount,"
            "message,also_matched,evidence,finding_id,category_title,tier,person_id,facility_id,"
            "dept,doctor,settle_date,at_risk\n";
        int err = outf_open(&out.findings, opt.findings_path, e->alloc);
        if (!err && opt.findings_format == ARB_FORMAT_CSV && opt.findings_bom)
            err = outf_write(&out.findings, "\xEF\xBB\xBF", 3);
        if (!err && opt.findings_format == ARB_FORMAT_CSV)
            err = outf_write(&out.findings, header, sizeof header - 1);
        if (err)
            rc =
                engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", opt.findings_path, strerror(err));
    }
    /* the rejects and rule errors are opened on their first record: a run
     * without any leaves an old file as it is */
    Batch b = {e, &opt, ws, nw, &out, st->bytes, NULL, NULL, {0, 0}, NULL};
    /* store mode: the stores' pages may take this much memory (hstore.h) */
    hstore_guard_init(&b.guard, add_to ? ADD_PAGES_BYTES : (size_t)48 << 20);
    /* history() over a batch too big to hold: through a temporary store */
    arb_history *temp = NULL;
    char temp_dir[PATH_MAX];
    if (rc == ARB_OK && !add_to && !opt.history && hist_program_uses(p, opt.phases) &&
        opt.history_memory_max != UINT64_MAX &&
        ((from_stdin && !st->bytes) ||
         input_bytes(p, opt.claims_path, st->bytes, csv && !prof) >
             (opt.history_memory_max ? opt.history_memory_max : HISTORY_MEMORY_MAX))) {
        rc = temp_history(e, temp_dir, sizeof temp_dir, &temp);
        opt.history = temp;
        opt.record = 0;
        st->temp_history = temp != NULL;
    }
    /* a claim_id seen twice (JSON Lines; CSV rejects it when joining) */
    DupCheck dc;
    memset(&dc, 0, sizeof dc);
    dc.o = &opt;
    idset_init(&dc.ids, e->alloc);
    arena_init(&dc.ar, e->alloc, 1024);
    const RecordType *ct = p->claim;
    if (!add_to && (!csv || prof) && ct->key_field >= 0 &&
        (!prof || type_is_string(ct->fields[ct->key_field].type.kind))) {
        HistReversal hr;
        hist_reversal_init(&hr, p);
        dc.key = ct->fields[ct->key_field].name;
        dc.status = hr.reversed >= 0 ? &ct->fields[hr.status] : NULL;
        dc.reversed = hr.reversed;
        dc.has_of = hr.of >= 0;
        dc.by_claim = prof != NULL;
        dc.kf = ct->key_field;
        e->batch_ids = &dc;
        /* store mode: memory flat in the batch, so a bounded table of ids
         * and the rest in sorted runs beside the store (claim_ids.h) */
        if (opt.history &&
            idset_spill(&dc.ids, opt.id_budget ? opt.id_budget : ID_BUDGET,
                        hstore_is_remote(opt.history->st) ? NULL : hstore_dir(opt.history->st)))
            rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    }
    e->claims_encoding = enc; /* read_windows converts from it */
    if (rc == ARB_OK && add_to) {
        Stage sg;
        memset(&sg, 0, sizeof sg);
        sg.b = &b;
        sg.st = add_to;
        sg.add = 1;
        sg.spool_fd = -1;
        sg.every = opt.commit_every ? opt.commit_every : 20000;
        sb_init(&sg.pend, e->alloc);
        sb_init(&sg.key, e->alloc);
        idset_init(&sg.revs, e->alloc);
        /* the reversals' ids: few, yet bounded as check's ids are */
        if (idset_spill(&sg.revs, opt.id_budget ? opt.id_budget : ID_BUDGET,
                        hstore_is_remote(add_to) ? NULL : hstore_dir(add_to)))
            rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
        if (rc == ARB_OK) rc = stage_batch(&sg, csv, st);
        idset_free(&sg.revs);
        sb_free(&sg.pend);
        sb_free(&sg.key);
        mem_free(e->alloc, sg.ops, sg.capops * sizeof *sg.ops);
        st->recorded = sg.stored;
        st->reversals = sg.reversals;
    } else if (rc == ARB_OK && opt.history) {
        rc = run_store(&b, st, csv);
    } else if (rc == ARB_OK && hist_program_uses(p, opt.phases)) {
        rc = run_history(e, &opt, ws, nw, &out, st, csv);
    } else if (rc == ARB_OK && csv) {
        rc = run_csv(&b, st);
    } else if (rc == ARB_OK) {
        /* pipelined on several threads, unless the claim ids are checked
         * claim by claim (an input profile) */
        Pipe pipe;
        int piped = nw > 1 && enc == TC_UTF8 && !(dc.by_claim && e->batch_ids) &&
                    pipe_start(&pipe, &b) == 0;
        if (piped) b.pipe = &pipe;
        rc = read_windows(e, opt.claims_path, piped || nw == 1 ? STREAM_WINDOW_BYTES : WINDOW_BYTES,
                          piped ? PIPE_SLOTS : 1, check_window, &b);
        if (piped) pipe_stop(&pipe);
        b.pipe = NULL;
    }
    e->batch_ids = NULL;
    st->duplicates = dc.count;
    idset_free(&dc.ids);
    arena_free(&dc.ar);
    if (temp) temp_history_drop(temp, temp_dir);

    e->claims_encoding = TC_UTF8;
    /* totals */
    if (e->cat_stats) mem_free(e->alloc, e->cat_stats, p->ncats * sizeof(arb_category_stats));
    e->cat_stats = mem_calloc(e->alloc, (p->ncats ? p->ncats : 1) * sizeof(arb_category_stats));
    for (uint32_t c = 0; c < p->ncats && e->cat_stats; c++) {
        e->cat_stats[c].name = p->cats[c].name;
        e->cat_stats[c].title = p->cats[c].title;
        e->cat_stats[c].code = p->cats[c].code;
    }
    if (merge_ignored(e, ws, nw) && rc == ARB_OK)
        rc = engine_fail(e, ARB_ERR_NOMEM, "out of memory");
    for (int i = 0; i < nw; i++) {
        Worker *w = &ws[i];
        notes_free(&w->unread);
        st->audited += w->audited;
        st->rejected += w->rejected;
        st->lines += w->lines;
        st->findings += w->findings;
        st->claims_flagged += w->flagged;
        int ovf = w->overflowed;
        add_money(&st->claimed_cents, w->claimed, &ovf);
        add_money(&st->line_cents, w->line_cents, &ovf);
        add_money(&st->at_risk_cents, w->at_risk, &ovf);
        add_money(&st->at_risk_lines_cents, w->at_risk_lines, &ovf);
        st->rule_errors += w->rule_errors;
        st->reversals += w->reversals;
        if (w->vm.lua) st->lua_calls += luart_calls(w->vm.lua);
        for (uint32_t c = 0; c < p->ncats && e->cat_stats && w->cat_count && w->cat_amount; c++) {
            e->cat_stats[c].findings += w->cat_count[c];
            add_money(&e->cat_stats[c].amount_cents, w->cat_amount[c], &ovf);
        }
        if (ovf) st->totals_overflowed = 1;
        vm_free(&w->vm);
        prof_work_free(&w->pw);
        arena_free(&w->ar);
        arena_free(&w->hist_ar);
        readlist_free(e->alloc, &w->read);
        sb_free(&w->enc);
        sb_free(&w->idtext);
        mem_free(e->alloc, w->idn, w->capidn * sizeof(IdNote));
        mem_free(e->alloc, w->enc_at, w->capenc_at * sizeof *w->enc_at);
        sb_free(&w->out);
        sb_free(&w->rej);
        sb_free(&w->errtext);
        sb_free(&w->errjson);
        mem_free(e->alloc, w->errs, w->caperrs * sizeof(RuleErrNote));
        mem_free(e->alloc, w->notes, w->capnotes * sizeof(RejectNote));
        mem_free(e->alloc, w->cat_count, (p->ncats + 1) * sizeof(uint64_t));
        mem_free(e->alloc, w->cat_amount, (p->ncats + 1) * sizeof(int64_t));
    }
    mem_free(e->alloc, ws, (size_t)nw * sizeof(Worker));
    st->records_read = st->audited + st->rejected + st->reversals + (add_to ? st->recorded : 0);
    st->nignored = e->nignored;
    st->ignored = e->ignored;
    for (uint32_t r = 0; r < p->nrules; r++)
        st->rules_in_phases += (p->rules[r].phases & opt.phases) != 0;
    st->ncategories = e->cat_stats ? p->ncats : 0;
    st->categories = e->cat_stats;
    /* a run that went well replaces its outputs; one that did not removes
     * its temporary files and leaves the old outputs as they were */
    OutFile *files[3] = {&out.findings, &out.errors, &out.rejects};
    const char *names[3] = {opt.findings_path, opt.rule_errors_path, opt.rejects_path};
    for (int i = 0; i < 3; i++) {
        int err = rc == ARB_OK ? outf_commit(files[i], 0) : 0;
        if (rc != ARB_OK) outf_abort(files[i]);
        if (err) rc = engine_fail(e, ARB_ERR_IO, "cannot write %s: %s", names[i], strerror(err));
    }
    st->seconds = now_seconds() - t0;
    if (rc == ARB_OK && (st->rejected || st->rejected_rows))
        rc = engine_fail(e, ARB_ERR_DATA, "%llu record%s rejected",
                         (unsigned long long)(st->rejected + st->rejected_rows),
                         st->rejected + st->rejected_rows == 1 ? "" : "s");
    return rc;
}
