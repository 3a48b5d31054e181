/* engine.h — the engine handle behind the public API (internal). */
#ifndef ARB_ENGINE_H
#define ARB_ENGINE_H

#include "arbiter.h"
#include "check.h"
#include "compile.h"
#include "diag.h"
#include "history.h"
#include "hsource.h"
#include "input_notes.h"
#include "json_reader.h"
#include "json_writer.h"
#include "program.h"
#include "native.h"
#include "profile.h"
#include "vm.h"

struct arb_engine {
    Alloc alloc;
    char *stdlib_dir;
    int no_prelude;
    int debug_info;
    LuaLimits lua_limits;
    SourceList sources; /* rule files, imports, table files */
    int *roots;         /* the files added by the user */
    size_t nroots, caproots;
    DiagList diags;
    Program *prog;
    JsonReader *json; /* built for the program's claim schema */
    Prof **profs;     /* the program's input profiles, readied (nprofiles of them) */
    char errmsg[512];
    arb_category_stats *cat_stats; /* of the last batch */
    InputNotes *ignored_notes;     /* of the last batch: input fields not read */
    arb_ignored_field *ignored;    /* ... as the API shows them (nignored) */
    size_t nignored;
    const NativeCode *native; /* compiled rules (arb_use_jit), or NULL */
    uint64_t pack_checksum;   /* of the pack last written or loaded */
    void *native_owner;
    void (*native_free)(void *owner);
    struct arb_history *history; /* what sessions read history() from, or NULL */
    uint64_t history_gen;        /* changed by every arb_engine_set_history and close */
    struct DupCheck *batch_ids;  /* the claim ids of the batch being read (batch.c), or NULL */
    int claims_encoding;         /* of the batch being run (TC_UTF8, TC_GB18030): JSON Lines
                                    windows are converted from it */
    uint64_t prog_gen; /* changed whenever prog is dropped: claim sets made for it are stale */
};

struct arb_history {
    arb_engine *e;
    HStore *st;
    int writable; /* opened ARB_HISTORY_WRITE (or attached to such a handle) */
};

struct arb_session {
    arb_engine *e;
    VM vm;
    Arena ar;
    char errmsg[512];
    HSource src;              /* history() from the engine's store */
    const HStore *src_of;     /* the store src was made for (NULL: none yet) */
    uint64_t src_gen;         /* and the engine's history_gen then */
    StrBuf scratch;           /* encoding claims to record */
    ProfWork pw;              /* reading input through a profile */
    HistReversal hrev;        /* which claims are reversals (history.h) */
    InputNotes notes;         /* input fields the last check did not read */
    const Value *const *last; /* the claims of the last check (in ar), for recording */
    size_t nlast;
    const Value *one; /* last, for a check of one claim */
};

/* The batch driver (batch.c): audits a claims file (arb_check_file), or,
 * with add_to set, only adds it to that store (arb_history_add_file). */
int batch_run(arb_engine *e, const arb_batch_options *o, arb_batch_stats *st, HStore *add_to);

/* Reading a claims file as arb_check_file reads it (claims_each.c): o's
 * claims_path, input_format, encoding, input_profile, strict and
 * max_field_bytes.  Each claim goes to take (with the 1-based line of its
 * record; a claim is in input order), each rejected record to on_reject
 * (may be NULL), CSV child rows that belong to no claim included. */
typedef struct ClaimsRead {
    Arena *keep;     /* claims are built here and kept (NULL: in scratch, one at a time) */
    StrMap *strings; /* codes and texts shared (with keep), or NULL */
    /* 0 to go on, 1 to stop, -2 when out of memory */
    int (*take)(void *ud, const Value *claim, uint64_t line);
    void (*on_reject)(void *ud, const char *file, uint64_t line, const char *msg);
    void *ud;
    uint64_t claims, rejected; /* set by claims_read */
} ClaimsRead;
int claims_read(arb_engine *e, const arb_batch_options *o, ClaimsRead *cr);

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int engine_fail(arb_engine *e, int code, const char *fmt, ...);

/* Installs native code for the engine's program (the JIT calls it); the
 * owner is freed with the program. */
void engine_set_native(arb_engine *e, const NativeCode *nc, void *owner, void (*free_fn)(void *));

/* The readied input profile named name, or NULL. */
const Prof *engine_profile(const arb_engine *e, const char *name);

/* Forgets the input fields the last batch did not read. */
void engine_drop_ignored(arb_engine *e);

/* The text of a finding's fields that are not in the claim or the program:
 * the caller's buffers, valid as long as the finding is; and what the
 * findings of one claim share, found once per claim (engine_finding_claim). */
typedef struct FindingText {
    char claim_id[256];
    char settle_date[11];
    char id[33];
    /* the claim type's fields person_id, facility_id, dept, doctor (strings)
     * and settle_time (a datetime), -1: none; looked up once per type, ct:
     * the type they are of (NULL: not yet) */
    const RecordType *ct;
    int32_t ct_person, ct_facility, ct_dept, ct_doctor, ct_settle;
    /* the claim's: "" when missing */
    const char *person_id, *facility_id, *dept, *doctor;
    uint64_t ha, hb; /* the finding id's two hashes over the claim id */
    /* the claim type's list fields (of records), when at most 8 (nlists
     * 255: more, look through every field) */
    uint32_t lists[8];
    uint8_t nlists;
    /* the record type of the last flagged list record and its fields dept,
     * doctor and order_no (-1: none), looked up once per type */
    const RecordType *lt;
    int32_t lt_dept, lt_doctor, lt_order;
    /* the claim's texts above, for writing its findings as JSON
     * (jsonw_finding_with: their pieces of JSON made once per claim) */
    JsonwClaim json;
} FindingText;

/* Fills the public view of a finding from the VM's (at_risk_cents is 0: see
 * engine_claim_at_risk for the share of each finding): engine_finding_claim
 * (t->ct set to NULL first) then engine_finding_of. */
void engine_finding(const arb_engine *e, const Value *claim, const Finding *f, arb_finding *out,
                    FindingText *t);

/* Finds into t what the findings of claim share (its id, who and where,
 * the settle date), for engine_finding_of on each of them.  t->ct is NULL
 * or left by an earlier call (the field numbers are kept from claim to
 * claim). */
void engine_finding_claim(const arb_engine *e, const Value *claim, FindingText *t);

/* engine_finding for a finding of the claim engine_finding_claim last
 * filled t for. */
void engine_finding_of(const arb_engine *e, const Value *claim, const Finding *f, arb_finding *out,
                       FindingText *t);

/* The stable id of a finding (arb_finding.finding_id): 32 hex digits of a
 * 128-bit hash over the claim id, the rule id and the flagged record's key
 * (its order_no when it has one, else its key; "" for the claim). */
void engine_finding_id(const char *claim_id, const char *rule_id, const char *key, char out[33]);

/* The money a claim's findings f[0..n) put at risk, each flagged record
 * once (arb_batch_stats.at_risk_lines_cents): a flagged line (a record of a
 * claim list whose type has an at_risk field) counts the largest amount of
 * its findings, from 0 to the line's own amount (missing: 0); the claim
 * (and a flagged record without an at_risk field) counts the largest
 * amount of its findings, from 0 to what the lines left of the claim's
 * at_risk amount (total_amount; missing: 0); the lines together count at
 * most that amount too.  So the result is between 0 and the claim's
 * amount.  When share is not NULL, share[i] is finding i's part of the
 * result: a flagged record's amount goes to its finding of the largest
 * amount (the first of them), the claim's to its finding of the largest
 * amount; the others get 0, so the shares add up to the result.  Scratch
 * comes from ar; 0, or -1 when out of memory. */
int engine_claim_at_risk(const Program *p, const Value *claim, const Finding *f, size_t n,
                         int64_t *share, Arena *ar, int64_t *out);

#endif
