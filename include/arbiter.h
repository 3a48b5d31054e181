/* arbiter.h — the public C API of Arbiter, a rule language, compiler and
 * runtime for auditing medical-insurance claims.
 *
 * Everything hangs off an engine handle (arb_engine).  Typical use:
 *
 *     arb_config cfg;
 *     arb_config_init(&cfg);
 *     arb_engine *e;
 *     if (arb_engine_new(&cfg, &e) != ARB_OK) ...;
 *     arb_add_file(e, "rules/main.rules");
 *     if (arb_compile(e) != ARB_OK) {
 *         for (size_t i = 0; i < arb_error_count(e); i++) {
 *             char buf[2048];
 *             arb_error_render(e, i, buf, sizeof buf);   // file:line:col, source, caret
 *             fputs(buf, stderr);
 *         }
 *     }
 *     arb_batch_options opt;
 *     arb_batch_options_init(&opt);
 *     opt.claims_path = "claims.jsonl";
 *     opt.findings_path = "findings.jsonl";
 *     arb_batch_stats st;
 *     arb_check_file(e, &opt, &st);
 *     arb_engine_free(e);
 *
 * Conventions:
 *  - Functions return a status (ARB_OK = 0, or an ARB_ERR_* code).  The
 *    engine keeps the diagnostics of the last compilation (arb_error_*) and a
 *    message for the last failure of any other call (arb_errmsg).
 *  - The library never prints, never exits and keeps no global state; all
 *    memory goes through the allocator in arb_config.
 *  - A compiled engine is read-only: any number of threads may check claims
 *    with it at once, each through its own arb_session.
 *  - Money is fixed-point: int64 cents.  Never floating point. */
#ifndef ARBITER_H
#define ARBITER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ARB_VERSION "0.1.0"

/* Status codes. */
enum {
    ARB_OK = 0,
    ARB_ERR_RULES = 2, /* the rules have errors (see arb_error_*) */
    ARB_ERR_DATA = 3,  /* claims could not be read, or records were rejected */
    ARB_ERR_IO = 4,    /* a file could not be read or written */
    ARB_ERR_NOMEM = 5, /* the allocator failed */
    ARB_ERR_USAGE = 6, /* a call out of order or with bad arguments */
};

/* The allocator hook, shaped like lua_Alloc: new_size == 0 frees ptr and
 * returns NULL; otherwise it behaves like realloc(ptr, new_size).  old_size is
 * the size of the block being resized or freed (0 for a new block). */
typedef void *(*arb_alloc_fn)(void *ud, void *ptr, size_t old_size, size_t new_size);

typedef struct arb_engine arb_engine;
typedef struct arb_session arb_session;

typedef struct arb_config {
    arb_alloc_fn alloc; /* NULL: the C library's realloc/free */
    void *alloc_ud;
    const char *stdlib_dir; /* directory holding schema.rules; NULL: the default below */
    int no_prelude;         /* 1: do not load schema.rules (the sources declare the schema) */
    int debug_info;         /* 1: keep what arb_explain needs (costs memory) */
    /* Lua functions called by rules: instructions per call and bytes per
     * Lua state (one state per worker thread); 0: the defaults (1,000,000
     * instructions, 64 MB). */
    uint64_t lua_instructions;
    size_t lua_memory;
    /* and wall-clock milliseconds per call; 0: the default (2,000) */
    uint32_t lua_millis;
} arb_config;

/* Fills *cfg with defaults.  Always call it first, then set what you need:
 * fields added in later versions get their defaults this way. */
void arb_config_init(arb_config *cfg);

/* The standard library an engine uses when arb_config.stdlib_dir is NULL:
 * the first of these directories that holds schema.rules —
 *  1. share/arbiter/stdlib-rules of the install the shared library
 *     libarbiter.so was loaded from (LIBDIR/../share/..., found with
 *     dladdr; skipped when libarbiter.a is linked into the program);
 *  2. share/arbiter/stdlib-rules of the install the running program is in
 *     (BINDIR/../share/..., from /proc/self/exe: the installed arbiter
 *     command);
 *  3. the source tree's stdlib-rules the library was built from (the build
 *     tree: compiled in);
 * and 3 when none does (arb_compile then reports the missing schema).  An
 * install thus finds its own standard library wherever it is moved.  The
 * library reads no environment variable: the arbiter command takes
 * --stdlib, else ARBITER_STDLIB, else this.  Writes the directory into buf
 * (NUL-terminated, truncated to cap) and returns the length it needs. */
size_t arb_default_stdlib_dir(char *buf, size_t cap);

int arb_engine_new(const arb_config *cfg, arb_engine **out);
void arb_engine_free(arb_engine *e);

/* ----------------------------------------------------------------- rules */

/* Adds a rule file (it may import others).  Files are read at once; they are
 * checked by arb_compile. */
int arb_add_file(arb_engine *e, const char *path);
/* Adds rule text held in memory, named `name` in messages. */
int arb_add_source(arb_engine *e, const char *name, const char *text, size_t len);
/* Checks and compiles everything added.  ARB_OK, or ARB_ERR_RULES with every
 * error found listed by arb_error_*. */
int arb_compile(arb_engine *e);

/* Writes the compiled rules to a rule pack: one versioned, checksummed file
 * with the schema, tables, indexes and bytecode, and the list of source
 * files (with their hashes) it was built from.  The pack is written to a
 * temporary file beside path and renamed over it when complete; a path that
 * is one of the sources is refused (ARB_ERR_USAGE). */
int arb_write_pack(arb_engine *e, const char *path);
/* Loads a rule pack instead of compiling rules.  A pack of another format
 * version, a damaged one, or one whose source files have changed since it
 * was built (where they still exist) is refused: ARB_ERR_RULES with the
 * reason in arb_errmsg. */
int arb_load_pack(arb_engine *e, const char *path);

/* The checksum of the rule pack last loaded or written (0: none): it
 * names the rules a service is running. */
uint64_t arb_pack_id(const arb_engine *e);

/* Loads native matchers made by `arbiter compile --native` for the pack
 * loaded with arb_load_pack (no LLVM needed).  One made for another pack or
 * by another version is refused. */
int arb_load_native(arb_engine *e, const char *so_path);

/* Limits for Lua functions called by rules, for the checks that follow:
 * instructions per call and bytes per Lua state (0: the default). */
void arb_set_lua_limits(arb_engine *e, uint64_t instructions, size_t memory);

/* Diagnostics of the last arb_compile. */
typedef struct arb_error {
    int severity;            /* 0 error, 1 warning, 2 note */
    const char *file;        /* NULL when not tied to a file */
    uint32_t line, col;      /* 1-based; col counts characters */
    uint32_t offset, length; /* byte span in the file */
    const char *message;
} arb_error;

size_t arb_error_count(const arb_engine *e);
int arb_error_get(const arb_engine *e, size_t i, arb_error *out);
/* Writes "file:line:col: error: message", the source line and a caret under
 * the span into buf (NUL-terminated, truncated to cap); returns the length
 * the whole text needs. */
size_t arb_error_render(const arb_engine *e, size_t i, char *buf, size_t cap);
/* Message of the last failed call that was not a rule error. */
const char *arb_errmsg(const arb_engine *e);

/* Explains one claim (engine created with debug_info): which rules fired
 * and why — the values each comparison of their conditions saw — or, for
 * rule_id (may be NULL), why it did not fire.  The report goes to `out` in
 * pieces of text.  ARB_ERR_DATA when the claim is not in the file. */
int arb_explain(arb_engine *e, const char *claims_path, const char *claim_id, const char *rule_id,
                void (*out)(void *ud, const char *text), void *ud);

/* What arb_explain_ex reads: the claim `claim_id` in `claims_path`, read as
 * arb_check_file reads it (the same encoding and input profile, see
 * arb_batch_options), and the rule to explain (NULL: every rule). */
typedef struct arb_explain_options {
    const char *claims_path;
    const char *claim_id;
    const char *rule_id;
    const char *encoding;      /* NULL or "utf-8" (default), "gb18030" ("gbk") */
    const char *input_profile; /* an `input` of the rules, or NULL: canonical JSON Lines / CSV */
} arb_explain_options;

void arb_explain_options_init(arb_explain_options *o);
/* arb_explain with options; a record that check would reject (undecodable,
 * unreadable through the profile) is not searched. */
int arb_explain_ex(arb_engine *e, const arb_explain_options *o,
                   void (*out)(void *ud, const char *text), void *ud);

/* -------------------------------------------------------- introspection */

typedef struct arb_stats {
    uint32_t rules, categories, tables, table_rows, consts;
    uint32_t code_words;    /* bytecode size */
    uint64_t rule_rows;     /* code-level rules: a rule indexed on a table counts its keys */
    uint32_t shapes;        /* rules equal up to their constants share a shape */
    uint32_t shapes_of_one; /* shapes with a single rule */
    uint32_t largest_shape; /* rules in the largest shape */
    uint32_t top_shapes[5]; /* rules in the five largest shapes (0: none) */
    uint32_t indexed_rules; /* rules run only for the lines whose code they name */
    uint32_t indexes;       /* (list, field) pairs indexed */
    uint64_t index_keys;
} arb_stats;
int arb_get_stats(const arb_engine *e, arb_stats *out);

/* Per-category figures of a compiled library (0 <= cat < stats.categories):
 * the category's name, its rules, and its rule rows: a rule that matches a
 * table (`match r in T`) counts the rows of the first table it matches, an
 * indexed rule the keys it is listed under, any other rule 1.  Missing
 * outputs may be NULL.  ARB_ERR_USAGE when cat is out of range. */
int arb_category_rows(const arb_engine *e, size_t cat, const char **name, uint64_t *rules,
                      uint64_t *rule_rows);

size_t arb_rule_count(const arb_engine *e);
/* Whether compiling the engine's rules to native code (arb_use_jit,
 * arbiter_jit.h) is expected to pay for itself over claims_bytes of claims
 * checked on `threads` threads (compiling happens before checking starts,
 * on one thread).  Measured on this project's libraries (docs/performance.md,
 * "Choosing a backend"): LLVM costs about 50 ms plus 0.2 ms per word of the
 * engine's distinct bytecode (rules sharing a shape share it), and native
 * code saved about 0.22 us per code word per megabyte of claims (1.6 ms/MB
 * with the standard library's 7,174 words; nothing measurable with 82), so
 * the JIT pays from about 0.9 GB of claims per thread, more for small
 * libraries.  `arbiter check --backend auto` asks it. */
int arb_jit_pays(const arb_engine *e, uint64_t claims_bytes, int threads);
const char *arb_rule_id(const arb_engine *e, size_t i);
/* Writes the bytecode of rule `rule_id` (NULL: all rules) into buf like
 * arb_error_render.  Returns the length needed, or 0 when there is no such
 * rule. */
size_t arb_disasm(const arb_engine *e, const char *rule_id, char *buf, size_t cap);

/* Formats the rule-file text text[0..len) in the canonical layout
 * (docs/language.md, "Formatting"; `arbiter fmt`): the author's line breaks,
 * comments and blank lines (at most one in a row) are kept, indentation,
 * spaces between tokens and the columns of schema, table, enum and input
 * blocks are made canonical.  The result has exactly the input's tokens, so
 * it compiles to the same program, and formatting it again changes nothing.
 * Needs no engine.
 *
 * ARB_OK: *out is the formatted text, NUL-terminated, *out_len bytes.
 * ARB_ERR_RULES: the text does not parse (nothing is formatted); *out is the
 * diagnostics, "name:line:col: error: ..." with the source line and a caret
 * each.  ARB_ERR_NOMEM, or ARB_ERR_USAGE for a NULL argument (*out NULL).
 * *out is allocated with malloc(): the caller frees it with free(). */
int arb_format(const char *name, const char *text, size_t len, char **out, size_t *out_len);

/* Where rule i (0 <= i < arb_rule_count) is declared: its file, and the
 * line and column of its id.  ARB_ERR_USAGE when unknown (a rule loaded
 * from a pack has no file: *file is NULL). */
int arb_rule_where(const arb_engine *e, size_t i, const char **file, uint32_t *line, uint32_t *col);

/* ---------------------------------------------------------- inline tests */

/* An inline test of the compiled rules (`test "name" { claim {...} expect
 * ... }` in a rule file; docs/language.md, "Tests").  Its claims are given
 * as JSON Lines in the readers' format, with the defaults filled in: run
 * them as one batch (arb_check_file) and judge the findings of the last
 * claim by the expectations.  Strings are valid until the next compilation.
 * Rule packs do not carry tests. */
typedef struct arb_test {
    const char *name;
    const char *file;   /* the rule file holding it */
    uint32_t line, col; /* of the `test` keyword */
    const char *claims; /* JSON Lines, one claim a line */
    size_t claims_len;
    size_t nclaims;
    const char *claim_id; /* the last claim's id: expectations are about it */
    size_t nexpects;
} arb_test;

typedef struct arb_test_expect {
    const char *rule_id;
    int negate;      /* 1: `expect no flag` */
    int64_t line_no; /* -1: any line (or the claim) */
    int has_amount;  /* `amount M` given: the finding's amount must be M */
    int64_t amount_cents;
    const char *file;
    uint32_t line, col; /* of the `expect` */
} arb_test_expect;

size_t arb_test_count(const arb_engine *e);
int arb_test_get(const arb_engine *e, size_t i, arb_test *out);
/* Expectation k (0 <= k < nexpects) of test i. */
int arb_test_expect_get(const arb_engine *e, size_t i, size_t k, arb_test_expect *out);

/* -------------------------------------------------------- checking claims */

enum { ARB_PHASE_PRE = 1, ARB_PHASE_SETTLE = 2, ARB_PHASE_POST = 4, ARB_PHASE_ALL = 7 };
enum { ARB_FORMAT_AUTO = 0, ARB_FORMAT_JSONL, ARB_FORMAT_CSV };

/* An earlier claim of the person that made a finding: a claim of
 * history(...) that an aggregate of the rule counted, summed or found
 * (its `where` held for the claim or one of its lines), or the claim a
 * rule's `for p in history(...)` was at. */
typedef struct arb_evidence {
    const char *claim_id;
    int64_t settle_time; /* its as_of (settle_time): seconds since 1970-01-01, civil time */
} arb_evidence;

/* A finding, as passed to callbacks.  Strings are valid during the call.
 * A rule raises one finding per claim and flagged line (or per claim, for a
 * rule flagging the claim), however many of its table's rows matched the
 * line: the finding shows the first matching row (rows of the exact key,
 * then of prefix keys from the shortest, each key's rows in table order);
 * also_matched lists the keys of the other rows (as in the table, with a
 * prefix key's '%'). */
typedef struct arb_finding {
    const char *claim_id;
    const char *rule_id;
    const char *category;      /* category name in the rules */
    const char *category_code; /* national code, "" if none */
    const char *severity;      /* low | medium | high */
    const char *nature;        /* suspicious | definite */
    int32_t points;
    int64_t line_no; /* key of the flagged line; -1 when the claim is flagged */
    int64_t amount_cents;
    const char *message;
    /* the earlier claims that made the finding, oldest first, each once
     * (a rule reading history(); 0 and NULL otherwise) */
    size_t nevidence;
    const arb_evidence *evidence;
    /* the keys of the other rows of the rule's first `match` that flagged
     * the same line (or claim) again, in match order (0 and NULL: none) */
    size_t nalso_matched;
    const char *const *also_matched;
    const char *rule_title;     /* the rule's title ("出院后15日内再次入院"), "" if none */
    const char *category_title; /* the category's national name ("分解住院"), "" if none */
    /* What reports group by and join on ("" when the claim has no such field
     * or it is missing). */
    const char *tier;        /* the category's tier: policy | management | medical */
    const char *person_id;   /* the claim's person_id */
    const char *facility_id; /* the claim's facility_id */
    const char *dept;        /* the flagged line's dept, else the claim's */
    const char *doctor;      /* the flagged line's doctor, else the claim's */
    const char *settle_date; /* the claim's settle_time as YYYY-MM-DD */
    /* A stable id: 32 hex digits of a hash of the claim id, the rule id and
     * the flagged line's order_no (else its line_no or key; nothing for the
     * claim).  The same finding has the same id on every run, whatever the
     * thread count or backend; the service's jr_id is this id. */
    const char *finding_id;
    /* This finding's part of the money at risk counted once per flagged line
     * (arb_batch_stats.at_risk_lines_cents): a line's amount at risk goes to
     * its finding of the largest amount, the others on the line get 0; the
     * parts of all findings add up to at_risk_lines_cents, and grouped by
     * department, doctor or facility they never exceed the money claimed. */
    int64_t at_risk_cents;
} arb_finding;

/* Writes finding f as one JSON object, exactly as a JSON Lines findings file
 * has it (without the newline), into buf (NUL-terminated, truncated to
 * cap); returns the length the whole text needs (0 when out of memory). */
size_t arb_finding_json(const arb_finding *f, char *buf, size_t cap);

/* A rejected record: where it is and why. */
typedef struct arb_reject {
    const char *file;
    uint64_t line; /* 1-based line in that file */
    const char *message;
} arb_reject;

/* A rule that failed on a claim: which, where, and the Lua traceback. */
typedef struct arb_rule_error {
    const char *claim_id;
    const char *rule_id;
    const char *file; /* the rule's file */
    uint32_t line;    /* and line */
    const char *message;
} arb_rule_error;

/* A claim_id seen twice in one batch: the id, the file, and the lines of
 * its first and its later record. */
typedef struct arb_duplicate {
    const char *claim_id;
    const char *file;
    uint64_t first_line, line;
} arb_duplicate;

typedef struct arb_batch_options {
    const char *claims_path;   /* JSON Lines, or claims.csv (children beside it) */
    int input_format;          /* ARB_FORMAT_*; AUTO: by extension */
    const char *findings_path; /* NULL: no findings file */
    int findings_format;       /* ARB_FORMAT_JSONL (default) or ARB_FORMAT_CSV */
    const char *rejects_path;  /* NULL: no reject file; written only when a record is rejected
                                  (without any, an existing file is left as it is) */
    unsigned phases;           /* ARB_PHASE_* bits; 0 means all */
    int threads;               /* worker threads; 0 or 1: the calling thread only */
    int no_index;              /* 1: run every rule on every line (for comparisons) */
    /* Called (on the calling thread) for each rejected record, in input order. */
    void (*on_reject)(void *ud, const arb_reject *r);
    /* Called now and then with the bytes of input done and in all. */
    void (*on_progress)(void *ud, uint64_t done, uint64_t total);
    void *ud;
    /* Called (on the calling thread, in input order) for each rule that
     * stopped on a claim because a Lua call failed (error, instruction
     * budget, memory limit, wrong result type).  The claim's other rules
     * ran; the batch goes on. */
    void (*on_rule_error)(void *ud, const arb_rule_error *r);
    const char *rule_errors_path; /* NULL: none; else JSON Lines, written when there are any
                                     (like rejects_path) */
    /* History from a store (arb_history_open): rules calling history() see
     * the person's stored claims plus the earlier claims of this batch, and
     * the batch is streamed in windows (memory does not grow with it).
     * NULL: the batch alone is the history, read whole first. */
    struct arb_history *history;
    int record;            /* 1: add the audited batch to `history` afterwards */
    uint32_t commit_every; /* claims per store commit when recording (0: 10,000; for
                              arb_history_add_file at least this many, at a window's end:
                              0: 20,000) */
    /* 1: an input field the schema does not read — a JSON key (at any level)
     * or a CSV column naming no field, or a derived field given in input —
     * rejects its record (the message says where).  0: such fields are
     * skipped and counted in arb_batch_stats.ignored. */
    int strict;
    /* Called (on the calling thread, in input order) for each JSON Lines
     * record whose claim_id an earlier record of the batch had (a reversal
     * record, which may repeat the id it cancels, is not counted).  Both
     * claims are audited; with `strict` the later record is rejected
     * instead (on_reject says so too).  CSV input rejects such a claim
     * always (its lines are joined by claim_id). */
    void (*on_duplicate)(void *ud, const arb_duplicate *d);
    /* The claims' text encoding: NULL or "utf-8" (the default), or
     * "gb18030" ("gbk", "gb2312" are the same), converted to UTF-8 as read.
     * Either way a record whose text cannot be decoded (invalid UTF-8, or
     * bytes that are not GB18030) is rejected with its line and column
     * and the rest is audited. */
    const char *encoding;
    /* The input profile the claims file is read through (docs/input.md):
     * the name of an `input` declared in the rules (the standard library
     * declares nhsa3101 and his_csv_zh), or NULL for the canonical JSON
     * Lines / CSV.  A JSON profile reads one document per line (a 3101
     * request), which may give any number of claims; a document that cannot
     * be read is one rejected record, its message naming the field path.  A
     * CSV profile reads one file whose rows are grouped into claims. */
    const char *input_profile;
    /* Bytes of one string value at most (an item name, a code); a record
     * with a longer one is rejected with its position.  0: 1 MiB. */
    size_t max_field_bytes;
    /* 1: a CSV findings file begins with a UTF-8 byte order mark, so that
     * Excel (a Chinese Windows one included) reads it as UTF-8. */
    int findings_bom;
    /* With `history`: the batch's claim ids kept in memory to find a
     * claim_id seen twice; past that they are spilled in sorted runs to a
     * temporary file beside the store, so memory does not grow with the
     * batch.  Set to 196,608 (a table of 4 MB) by arb_batch_options_init;
     * 0 means the same. */
    size_t id_budget;
    /* Without `history`, when the rules call history(): the largest claims
     * input, in bytes (for CSV, claims.csv and its child files together),
     * whose claims are held in memory as the history.  A larger input, or
     * one from a pipe (size unknown), is audited through a temporary
     * history store made in $TMPDIR (else /tmp) and removed afterwards:
     * memory stays flat in the batch size and the findings are the same
     * (store mode with an empty store gives the in-memory run's findings
     * byte for byte), at some more CPU.  0: 128 MiB (set by
     * arb_batch_options_init); UINT64_MAX: always in memory. */
    uint64_t history_memory_max;
} arb_batch_options;

void arb_batch_options_init(arb_batch_options *o);

typedef struct arb_category_stats {
    const char *name, *title, *code;
    uint64_t findings;
    int64_t amount_cents;
} arb_category_stats;

/* An input field that was not read, and in how many records.  name is its
 * path in the input: a claim's "admit_date", a line's "lines[].date" (CSV
 * columns are named the same way: lines.csv's "date" is "lines[].date").
 * A derived field given in input (derived = 1) is computed all the same;
 * formula is its expression as written in the schema. */
typedef struct arb_ignored_field {
    const char *name;
    uint64_t records; /* records read that had it */
    int derived;
    const char *formula; /* derived fields: the expression; else NULL */
} arb_ignored_field;

typedef struct arb_batch_stats {
    uint64_t records_read; /* claims read = audited + rejected */
    uint64_t audited;
    uint64_t rejected;
    uint64_t rejected_rows; /* CSV child rows rejected on their own (no such claim) */
    uint64_t lines;         /* claim lines in audited claims */
    uint64_t findings;
    uint64_t claims_flagged;
    int64_t claimed_cents; /* sum of the claims' at_risk field (total_amount) */
    int64_t line_cents;    /* sum of the lines' at_risk field (amount) */
    int64_t at_risk_cents; /* sum of the findings' amounts (see at_risk_lines_cents) */
    uint64_t bytes;        /* input size */
    double seconds;        /* wall time of the run */
    size_t ncategories;
    const arb_category_stats *categories; /* valid until the next call on the engine */
    uint64_t rule_errors;                 /* rules stopped by a failed Lua call (on_rule_error) */
    uint64_t lua_calls;                   /* Lua functions called */
    /* Reversal records (status `reversed` or `reversal_of` set) cancel a
     * claim: they are not audited and in no history.  records_read =
     * audited + rejected + reversals (arb_history_add: recorded + rejected
     * + reversals). */
    uint64_t reversals;
    uint64_t recorded;     /* claims written to the history store */
    uint64_t not_recorded; /* claims that could not be (no person_id or settle time) */
    /* Input fields that were not read (without arb_batch_options.strict),
     * by name; valid until the next call on the engine. */
    size_t nignored;
    const struct arb_ignored_field *ignored;
    /* The money at risk, each flagged line once: per line the largest of its
     * findings' amounts, at most the line's amount; the claim's own
     * findings at most what its lines left of its total_amount; never more
     * than a claim's total_amount, so at_risk_lines_cents <= claimed_cents.
     * (at_risk_cents adds every finding's amount: a line flagged by three
     * rules counts three times there.) */
    int64_t at_risk_lines_cents;
    /* rules whose phases meet arb_batch_options.phases (all of them when
     * every phase is run) */
    uint64_t rules_in_phases;
    /* JSON Lines records whose claim_id an earlier record had
     * (arb_batch_options.on_duplicate); rejected too when strict */
    uint64_t duplicates;
    /* Nonzero when a money total (claimed_cents, line_cents, at_risk_cents,
     * at_risk_lines_cents, a category's amount_cents) overflowed int64: it
     * is saturated at INT64_MAX (or -INT64_MAX) cents and is not exact.
     * The findings and everything else are unaffected. */
    int totals_overflowed;
    /* 1: the batch was too big to hold in memory for history()
     * (arb_batch_options.history_memory_max) and went through a temporary
     * history store. */
    int temp_history;
} arb_batch_stats;

/* Audits a claims file.  Findings are written in input order, then rule
 * order, whatever the thread count.  Returns ARB_OK, ARB_ERR_DATA when any
 * record was rejected (the rest is audited all the same), or another
 * error when the run could not be done.  Each output file ("-" is standard
 * output) is written to a temporary file beside it, .NAME.XXXXXX, renamed
 * over it when the run is done: a run that fails leaves the old files as they
 * were (a killed one may leave a temporary file, safe to delete).  Devices
 * and FIFOs (/dev/null) are written in place, never removed.  An output that
 * is the claims file (or, for CSV, a child file beside it), or two outputs
 * that are the same file: ARB_ERR_USAGE, before anything is written. */
int arb_check_file(arb_engine *e, const arb_batch_options *o, arb_batch_stats *st);

/* Reads the claims file o->claims_path as arb_check_file reads it (JSON
 * Lines or CSV by o->input_format, o->encoding, o->input_profile,
 * o->strict, o->max_field_bytes; the other options are not used) and calls
 * fn with each claim, in input order, as one canonical JSON object (the
 * form `arbiter history export` writes: input fields only, enums by name,
 * money as decimal text; no newline; valid during the call).  A record
 * check would reject is skipped and counted in *rejected; a reversal
 * record is passed on like any other.  fn returns nonzero to stop.  Memory
 * does not grow with the file.  *claims and *rejected may be NULL. */
int arb_claims_each(arb_engine *e, const arb_batch_options *o,
                    int (*fn)(void *ud, const char *json, size_t len), void *ud, uint64_t *claims,
                    uint64_t *rejected);

/* One thread's handle for checking single claims (settlement, embedding). */
int arb_session_new(arb_engine *e, arb_session **out);
void arb_session_free(arb_session *s);
/* Checks one claim given as a JSON object; calls on_finding for each
 * finding.  ARB_ERR_DATA when the JSON is not a valid claim (message in
 * arb_session_errmsg, "column N: ..." naming the byte of the problem,
 * 1-based). */
int arb_session_check_json(arb_session *s, const char *json, size_t len, unsigned phases,
                           void (*on_finding)(void *ud, const arb_finding *f), void *ud);
const char *arb_session_errmsg(const arb_session *s);
/* The input fields the last check of this session did not read: object
 * keys that name no field of the schema (or of the input profile), and
 * derived fields given in input, each once, by path ("admit_date",
 * "lines[].date"); i counts from 0, NULL past the last.  Valid until the
 * session's next call. */
const char *arb_session_ignored(const arb_session *s, size_t i);

/* A finding of a claim read through an input profile, with where the claim
 * and the flagged line are in the input: the fields the profile maps the
 * input's identifiers to (nhsa3101: claim_id = mdtrt_id, person_id =
 * patn_id, a line's order_no = the order's rx_id).  Strings are valid
 * during the call. */
typedef struct arb_input_finding {
    const arb_finding *finding;
    size_t claim;          /* which claim of the document, 0-based, in input order */
    const char *person_id; /* the claim's person_id, or NULL */
    const char *order_no;  /* the flagged line's order_no; NULL for a claim finding or none */
    int is_current;        /* the flagged line's is_current: 1, 0, or -1 (not said, or no line) */
} arb_input_finding;

/* Checks the claims of one document (the body of a 3101/3102 request)
 * read through the input profile named `profile` (a JSON profile; see
 * docs/input.md): every claim it holds, in order, each as
 * arb_session_check_json would.  ARB_ERR_USAGE when there is no such JSON
 * profile; ARB_ERR_DATA when the document cannot be read — all or nothing,
 * no claim is checked — with arb_session_errmsg saying "column N: " (the
 * byte of the problem, 1-based) and the field path of each problem:
 * "column 812: input.data.patient_dtos[0].fsi_encounter_dtos[0]
 * .fsi_order_dtos[1].cnt: ...".  *nclaims (may be NULL) is set to the
 * number of claims read. */
int arb_session_check_input(arb_session *s, const char *profile, const char *body, size_t len,
                            unsigned phases,
                            void (*on_finding)(void *ud, const arb_input_finding *f), void *ud,
                            size_t *nclaims);

/* ------------------------------------------------------ prepared claims */

/* A prepared claim set: a claims file read once into memory, ready to be
 * checked again and again (what-if audits of a HIS, a Dask worker's
 * partition, a benchmark of rule evaluation alone).  Loading does the
 * per-claim work that does not depend on the check: it parses every record
 * (JSON Lines or CSV, as arb_check_file reads them), builds the runtime's
 * records, computes the derived fields, and looks each line's item code up
 * in the rules' item-code index once, keeping for each line the rules that
 * can fire on it.  A check then runs only those rules and the rules the
 * index does not cover, with no parsing, no lookup and, once the session
 * has warmed up, no allocation.
 *
 * The findings are arb_check_file's for the same file, rules and phases,
 * claim by claim and in the same order (input order, then rule order;
 * the same rule, line, amounts, messages, ids and at_risk shares); the
 * differential tests hold it to that for the interpreter and the JIT.
 * History: when the rules call history(), the set is the history, as it is
 * for arb_check_file without a history store — each claim sees the earlier
 * claims (by settle time) of its person in the set; the engine's store
 * (arb_engine_set_history) is not read.  Reversal records are not audited
 * (counted in arb_claimset_stats.reversals) and, with the claims they
 * reverse, are in no history.
 *
 * Lifetime and threads: a set belongs to the engine's compiled rules (or
 * pack) it was loaded for; free it before compiling again, loading another
 * pack or freeing the engine (a check of a set whose rules are gone is
 * ARB_ERR_USAGE).  Native code (arb_use_jit, arb_load_native) may be
 * installed before or after loading: sessions opened after it use it.  A
 * set is never written after loading, so any number of threads may check
 * it at once, each through its own arb_session (for example disjoint
 * ranges with arb_claimset_check_range). */
typedef struct arb_claimset arb_claimset;

typedef struct arb_claimset_options {
    int input_format;          /* ARB_FORMAT_*; AUTO: by the file's extension */
    const char *encoding;      /* NULL or "utf-8" (default), "gb18030" */
    const char *input_profile; /* an `input` of the rules, or NULL: canonical JSON Lines / CSV */
    /* 1: an input field the schema does not read rejects its record, and
     * so does a JSON Lines record whose claim_id an earlier one had (as
     * arb_batch_options.strict) */
    int strict;
    size_t max_field_bytes; /* bytes of one string value at most; 0: 1 MiB */
    /* Called for each rejected record, in input order (may be NULL). */
    void (*on_reject)(void *ud, const arb_reject *r);
    void *ud;
} arb_claimset_options;

void arb_claimset_options_init(arb_claimset_options *o);

/* What loading read. */
typedef struct arb_claimset_info {
    uint64_t claims;     /* claims held (reversal records included) */
    uint64_t rejected;   /* records rejected (and CSV child rows that belong to no claim) */
    uint64_t lines;      /* item codes looked up in the rules' index at load (a claim line
                            once per index over its list; lines without a code not counted) */
    uint64_t candidates; /* of those, the ones some indexed rule is listed for */
    uint64_t duplicates; /* JSON Lines records whose claim_id an earlier one had (kept
                            unless strict) */
    int history;         /* 1: the rules call history(): the set is indexed by person */
} arb_claimset_info;

/* Reads the claims file at path (o may be NULL: the defaults) for the
 * engine's compiled rules into *out.  A bad record is rejected, counted and
 * passed to o->on_reject, and the rest is loaded: then ARB_ERR_DATA is
 * returned with *out set all the same (arb_errmsg says how many).  Other
 * failures (no rules, an unreadable file, an unknown profile or encoding,
 * out of memory) return their code with *out NULL. */
int arb_claimset_load(arb_engine *e, const char *path, const arb_claimset_options *o,
                      arb_claimset **out);
/* The claims held (reversal records included): checks index them 0..n-1
 * in input order. */
size_t arb_claimset_count(const arb_claimset *set);
void arb_claimset_get_info(const arb_claimset *set, arb_claimset_info *out);
void arb_claimset_free(arb_claimset *set);

/* What a check of a set did; the totals are those of arb_batch_stats. */
typedef struct arb_claimset_stats {
    uint64_t claims;  /* looked at (audited + reversals) */
    uint64_t audited; /* reversal records are not audited */
    uint64_t reversals;
    uint64_t findings;
    uint64_t claims_flagged;
    uint64_t rule_errors;        /* rules that stopped on a claim (a Lua call failed, arithmetic
                                    past int64): arb_session_errmsg names the first */
    uint64_t rules_run;          /* rule runs (the index's candidates count one each) */
    int64_t at_risk_cents;       /* every finding's amount */
    int64_t at_risk_lines_cents; /* each flagged line once (arb_batch_stats) */
    int totals_overflowed;       /* a money total saturated at INT64_MAX cents */
} arb_claimset_stats;

/* Checks claims [from, to) of the set (to is capped at the count) in the
 * rules' phases `phases` (0: all) through session s (opened on the set's
 * engine), calling on_finding (may be NULL: only count) with each finding
 * and the claim's position in the set, in input order then rule order.
 * The finding's strings are valid during the call.  *st (may be NULL) is
 * filled.  ARB_OK; ARB_ERR_USAGE when the set's rules are not the
 * session's engine's any more; ARB_ERR_NOMEM.  A rule that stops on a claim
 * is counted in st->rule_errors and the check goes on, as arb_check_file
 * does. */
int arb_claimset_check_range(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                             unsigned phases,
                             void (*on_finding)(void *ud, size_t claim, const arb_finding *f),
                             void *ud, arb_claimset_stats *st);
/* The whole set. */
int arb_claimset_check(arb_session *s, const arb_claimset *set, unsigned phases,
                       void (*on_finding)(void *ud, size_t claim, const arb_finding *f), void *ud,
                       arb_claimset_stats *st);

/* A finding in brief: which claim, rule and line, and the money, as
 * numbers (what a SQL join's rows of findings hold).  The same findings in
 * the same order as arb_claimset_check_range's, with nothing formatted: no
 * message, id, names or evidence (arb_claimset_check_range gives those). */
typedef struct arb_finding_brief {
    size_t claim;          /* the claim's position in the set */
    size_t rule;           /* the rule's position: arb_rule_id(engine, rule) names it */
    int64_t line_no;       /* as arb_finding.line_no: -1 when it flags the claim */
    int64_t amount_cents;  /* as arb_finding */
    int64_t at_risk_cents; /* as arb_finding */
} arb_finding_brief;

/* arb_claimset_check_range calling on_brief (may be NULL: only count) with
 * each finding in brief. */
int arb_claimset_check_brief(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                             unsigned phases,
                             void (*on_brief)(void *ud, const arb_finding_brief *b), void *ud,
                             arb_claimset_stats *st);
/* arb_claimset_check_brief handing the findings over a buffer at a time:
 * on_rows (may be NULL: only count) is called with rows[0..n), n >= 1, the
 * next findings in order, valid during the call (a few hundred at most). */
int arb_claimset_check_rows(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                            unsigned phases,
                            void (*on_rows)(void *ud, const arb_finding_brief *rows, size_t n),
                            void *ud, arb_claimset_stats *st);

/* ------------------------------------------------------- history store */

/* A persistent per-person claim history (docs/history.md): a directory
 * holding an LMDB store, or a PostgreSQL database named by a connection
 * URI ("postgresql://user@host:5432/db", "postgres://..." — libpq's URI
 * syntax, parameters included), which several processes (several
 * services) share.  Rules calling history() read it in batches
 * (arb_batch_options.history) and in single-claim sessions (after
 * arb_engine_set_history).
 *
 * Guarantees: any number of threads (and processes) read at once.  LMDB:
 * one writer at a time (others wait); a reader sees the store as of the
 * last commit before its check began.  PostgreSQL: writers run at once
 * (one waits for another only on the same claim_id); each read of a
 * person's history sees every commit made before that read began (a check
 * reads it once, or twice when a rule asks for a longer window than the
 * first read fetched).  A commit is atomic and durable: a process killed
 * at any moment leaves the store as of its last commit.  A PostgreSQL
 * store uses one connection per transaction in progress (a pool: one per
 * thread checking or writing at that moment, idle ones kept). */
typedef struct arb_history arb_history;

enum { ARB_HISTORY_READONLY = 0, ARB_HISTORY_WRITE = 1 };

/* Opens the store in directory dir (created when mode is
 * ARB_HISTORY_WRITE and it does not exist), or in the PostgreSQL database
 * dir names when it starts with postgresql:// or postgres:// (its tables
 * created when mode is ARB_HISTORY_WRITE and they do not exist), for the
 * engine's compiled rules (compile or load a pack first; the store
 * outlives schema changes).  A store written by another format version is
 * refused (ARB_ERR_DATA, with both versions in arb_errmsg); so is a
 * database that cannot be reached (the message names the host and port
 * libpq tried).  Messages name a PostgreSQL store by its URI without the
 * password. */
int arb_history_open(arb_engine *e, const char *dir, int mode, arb_history **out);

/* A second handle on an open store, for another engine: *out reads and
 * writes the store `base` has open (the same LMDB environment or the same
 * PostgreSQL connection pool), for engine e's compiled rules, which may
 * have another claim schema than base's engine (a field more or less: each
 * claim is read into the reading engine's schema by field name, as
 * arb_history_open reads one written by earlier rules).  It has base's
 * mode (ARB_HISTORY_WRITE: e's schema is registered in the store when it
 * is new).
 *
 * Why: a service reloading its rules compiles a new engine while requests
 * still run on the old one; LMDB refuses to open the same environment
 * twice in one process, so the new engine attaches to the old engine's
 * handle instead of opening the store again.
 *
 * The handles share the open store, counted: close them in any order, each
 * with arb_history_close, after the sessions using it are done; the store
 * is closed with the last one, and base's engine may be freed before the
 * attached handle is closed.  Both engines must use allocators that live as
 * long as any handle (the shared part is freed through base's).  Claims one
 * handle writes are seen by the other (a claim written with a schema
 * registered after a handle was opened is read with that schema's
 * description, loaded when first met).  Do not attach while base is being
 * closed.  ARB_ERR_USAGE when e has no compiled rules; ARB_ERR_DATA (with
 * the message) when e's schema cannot be registered. */
int arb_history_attach(arb_engine *e, arb_history *base, arb_history **out);
/* Closes the handle (after the sessions using it are done); the store with
 * its last handle (arb_history_attach). */
void arb_history_close(arb_history *h);
/* Makes the engine's sessions read history from h (NULL: none).  Call it
 * before sessions check claims, not while they do. */
int arb_engine_set_history(arb_engine *e, arb_history *h);

/* Adds a claims file to the store: each claim replaces a stored one with
 * the same claim_id; a reversal removes the claim it reverses, wherever
 * that is in the file (reversals win: a claim reversed anywhere in the
 * file is not stored, as with check --record; counted as stored).  Bad
 * records are rejected as arb_check_file rejects them (o->rejects_path,
 * on_reject), and so are claims with no person_id or settle time; the rest
 * is stored in input order, committed at the end of the first window of
 * input that brings the claims since the last commit to commit_every, or
 * sooner when the commit's pages would take over 48 MB of memory.
 * Uses claims_path, input_format, rejects_path, on_reject, on_progress,
 * threads, commit_every. */
int arb_history_add_file(arb_history *h, const arb_batch_options *o, arb_batch_stats *st);

typedef struct arb_history_info {
    uint64_t persons, claims;
    int64_t first_settle, last_settle; /* seconds since 1970 (INT64_MIN when empty) */
    uint64_t file_bytes, used_bytes;
    uint32_t schemas;  /* claim schemas the store has been written with */
    uint64_t feedback; /* 3103 answers kept (arb_history_feedback_add) */
} arb_history_info;
int arb_history_stats(arb_history *h, arb_history_info *out);
/* Removes claims settled before `before` (seconds since 1970); the number
 * removed in *removed. */
int arb_history_prune(arb_history *h, int64_t before, uint64_t *removed);
/* Writes every stored claim as JSON Lines (readable by arb_history_add_file),
 * by person and time (PostgreSQL: in one snapshot).  path "-" is standard
 * output; a file is replaced whole when the export is done, or left as it
 * was when it fails (base/outfile.h). */
int arb_history_export(arb_history *h, const char *path, uint64_t *claims);
/* Calls fn with every stored claim, by person and time (PostgreSQL: in
 * one snapshot), as the canonical JSON object arb_history_export writes
 * for it (no newline; valid during the call); fn returns nonzero to stop.
 * Memory does not grow with the store. */
int arb_history_claims_each(arb_history *h, int (*fn)(void *ud, const char *json, size_t len),
                            void *ud, uint64_t *claims);

/* Feedback: the doctor's answers to warnings (the national interface's
 * 3103 request), kept with the history they are about.
 *
 * arb_history_feedback_add keeps one answer: json[0..len) is one JSON
 * object (UTF-8) with a non-empty string "jr_id" (the warning it answers)
 * and whatever else the answer says, e.g. {"jr_id":"...","dspo_way":"1",
 * "dspo_way_rea":"...","warn_type":"1","time":"2026-12-06T10:00:00Z",
 * "msgid":"..."}.  Every answer is kept, in arrival order (a second answer
 * to the same jr_id is kept beside the first, not in its place), as
 * written with the white space between tokens removed; it is committed
 * durably before the call returns.  The handle must be open with
 * ARB_HISTORY_WRITE (else ARB_ERR_USAGE).  ARB_ERR_DATA when the text is
 * not one JSON object (or not UTF-8) or has no non-empty string jr_id;
 * ARB_ERR_IO when the store cannot be written.  Safe from any number of
 * threads at once; a failure's message is in arb_errmsg of the handle's
 * engine (shared by the engine's threads: concurrent failures overwrite
 * each other's message, the codes are per call). */
int arb_history_feedback_add(arb_history *h, const char *json, size_t len);
/* Writes every answer kept, one JSON object a line (JSON Lines), in arrival
 * order, to path ("-": standard output; a file is replaced whole when done,
 * left as it was on failure); their number in *n. */
int arb_history_feedback_export(arb_history *h, const char *path, uint64_t *n);

/* Records one settled claim (JSON, as arb_session_check_json takes) in the
 * engine's history store (opened ARB_HISTORY_WRITE): it replaces a claim
 * with the same id; a reversal removes the claim it names.  ARB_ERR_DATA
 * when the JSON is not a valid claim or has no person_id or settle time. */
int arb_session_record_json(arb_session *s, const char *json, size_t len);
/* Records the claims the session's last check read (arb_session_check_json
 * or arb_session_check_input, with no call on the session in between) in
 * the engine's history store, as arb_session_record_json does, in one
 * commit: all or none; a claim that a reversal among them names is not
 * stored, wherever it is.  *recorded (may be NULL) is set to their number.
 * ARB_ERR_USAGE when there is no store or no checked claim; ARB_ERR_DATA
 * when a claim has no person_id or settle time (nothing is recorded). */
int arb_session_record_last(arb_session *s, size_t *recorded);

/* ------------------------------------------------- report configuration */

/* What `arbiter report` (arbiter_report.h) reads from a rule library's
 * `report { ... }` declaration (docs/language.md, "Report configuration"):
 * the worklist routes, the points-ledger ladder and period, and the
 * facility-grading indicators and cut-offs. */

/* One step of the points ledger: a doctor whose points in the ledger period
 * reach `points` is due `sanction`. */
typedef struct arb_report_step {
    int32_t points;
    const char *sanction;
} arb_report_step;

/* A facility-grading indicator: its score is 100 at `good` or better, 0 at
 * `bad` or worse, linear between.  Lower is better when good < bad (findings
 * per 1,000 claims), higher when good > bad (a compliance rate). */
typedef struct arb_report_indicator {
    const char *name; /* as shown: "每千单违规数" */
    double weight;    /* share of the total score; weights are renormalised
                         over the indicators that have a value */
    double good, bad;
    /* what it measures: "findings_per_1000_claims", "at_risk_per_claim"
     * (yuan), "repeat_share" (%), "definite_share" (%), "compliance_rate"
     * (%); NULL: by its place in the list, in that order */
    const char *key;
} arb_report_indicator;

/* A test of a route's condition, in postfix order: the first four push
 * whether the finding's severity, nature, category tier or category name
 * equals `value`; AND and OR pop two and push one, NOT negates the top. */
enum {
    ARB_RT_SEVERITY = 1,
    ARB_RT_NATURE,
    ARB_RT_TIER,
    ARB_RT_CATEGORY,
    ARB_RT_AND,
    ARB_RT_OR,
    ARB_RT_NOT,
};
typedef struct arb_report_test {
    int32_t op;        /* ARB_RT_* */
    const char *value; /* the name tested; NULL for AND, OR, NOT */
} arb_report_test;

/* The worklist levels, lowest first. */
enum { ARB_WORKLIST_SELF = 0, ARB_WORKLIST_OFFICE = 1, ARB_WORKLIST_ESCALATE = 2 };

/* A worklist route: a finding whose condition holds goes to `level`
 * (ARB_WORKLIST_*: 科室自查, 医保办复核, 督办).  Routes are tried in order;
 * the first that holds decides.  ncond == 0: `otherwise` (always holds). */
typedef struct arb_report_route {
    int32_t level;
    const char *worklist; /* the level's name: "督办" */
    const arb_report_test *cond;
    size_t ncond;
} arb_report_route;

/* The level of the first route of routes[0..n) that holds for a finding of
 * that severity, nature, category tier and category name (any may be NULL:
 * never equal), or -1 when none does. */
int arb_report_route_level(const arb_report_route *routes, size_t n, const char *severity,
                           const char *nature, const char *tier, const char *category);

/* A rule library's report configuration.  A section the library does not
 * declare is left empty (NULL and 0; grade_cut all 0; ledger_rolling -1):
 * the report builder's defaults apply there. */
typedef struct arb_report_config {
    int declared; /* 1: the library has a `report` declaration */
    /* the ledger period: 0 the calendar year, 1 the rolling 12 months,
     * -1 not declared */
    int ledger_rolling;
    const arb_report_step *steps; /* ascending points */
    size_t nsteps;
    const arb_report_indicator *indicators;
    size_t nindicators;
    double grade_cut[3]; /* the least total scores of A, B and C (descending) */
    const arb_report_route *routes;
    size_t nroutes;
} arb_report_config;

/* Fills *out with the report configuration of the compiled rules (or the
 * loaded pack): the standard library's `report` (stdlib-rules/report.rules)
 * with the sections a library's own `report` declares in its place.  The
 * pointers stay valid until the engine is freed or compiles again.
 * ARB_OK, or ARB_ERR_USAGE when nothing is compiled or loaded. */
int arb_engine_report_config(const arb_engine *e, arb_report_config *out);

#ifdef __cplusplus
}
#endif

#endif
