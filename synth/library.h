/* library.h — the synthetic reference library and labelled claims framework
 * behind `arbiter gen library`, `arbiter gen claims --library` and
 * `arbiter score`.
 *
 * Each stdlib category (stdlib-rules/NN_<id>.rules) that the generator knows
 * is described by a LibCategory: its national seq and id, its table and
 * columns, its share of the library's rows, a row generator (writes one CSV
 * row of the table) and a violation injector (turns a clean base claim into a
 * claim that breaks exactly this category, and says which line).  Group files
 * (synth/lib_drug.c, synth/lib_service.c, synth/lib_mgmt_medical.c) define arrays of
 * descriptors; library.c lists them all (lib_categories()).
 *
 * Everything is synthetic and deterministic: the same seed gives the same
 * bytes (own PRNG, no clock, no floating point, money in int64 cents).
 *
 * Codes.  Every code the generator writes comes from lib_code(): a national
 * format code that is a function of (kind, owner, index).  The owner is the
 * category seq (1..99) for library rows, 0 for the "neutral" codes clean base
 * claims use.  The owner and index are encoded in a fixed early part of the
 * code (the "stem"), so codes of different owners differ inside the stem, and
 * a prefix key made with lib_code_prefix() (which always keeps the whole stem)
 * only covers codes of its own owner.  Codes that would match a stdlib sample
 * row (exact or prefix key, loaded with lib_block_tables()) are skipped.
 * See docs/claims-generator.md, "Reference library".
 *
 * Not part of libarbiter's API: the CLI links it (arbiter_synth, with gen.c);
 * cli/cmd_library.c parses the commands' arguments and prints.
 * Library code only: nothing here prints or exits; errors come back as -1
 * with a message in the context's err buffer. */
#ifndef ARB_LIBRARY_H
#define ARB_LIBRARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------ PRNG */

/* xoshiro256** seeded through splitmix64. */
typedef struct LibRng {
    uint64_t s[4];
} LibRng;

/* Seeds from (seed, stream): different streams are independent sequences. */
void lib_rng_seed(LibRng *r, uint64_t seed, uint64_t stream);
uint64_t lib_rng_next(LibRng *r);
/* Uniform in [0, n) (n > 0). */
uint64_t lib_rng_below(LibRng *r, uint64_t n);
/* Uniform in [lo, hi] (inclusive). */
int64_t lib_rng_range(LibRng *r, int64_t lo, int64_t hi);
/* 1 with probability permille/1000. */
int lib_rng_chance(LibRng *r, unsigned permille);
/* A random element of a NULL-terminated or counted string array. */
const char *lib_rng_pick(LibRng *r, const char *const *items, size_t n);

/* ----------------------------------------------------------------- codes */

typedef enum LibCodeKind {
    LIB_WESTERN,    /* X + ATC-like, 23 chars: XL02BBA326A001010102180 */
    LIB_PATENT,     /* Z..., 20 chars: ZA01BAX0123010103000 */
    LIB_HERB,       /* T + 9 digits */
    LIB_SERVICE,    /* 15 digits */
    LIB_CONSUMABLE, /* C + 19 digits */
    LIB_DIAG,       /* ICD-10 national clinical: K35.800x001 */
    LIB_PROC,       /* ICD-9-CM-3: 68.4100x001 */
    LIB_CODE__COUNT
} LibCodeKind;

enum {
    LIB_CODE_MAX = 32,      /* buffer size for any code (with '%' and NUL) */
    LIB_MAX_INDEX = 250000, /* codes per (kind, owner) */
    LIB_NEUTRAL = 0,        /* the owner of the neutral codes */
    LIB_MAX_ROWS = 1000000  /* --rows limit (keeps every index < LIB_MAX_INDEX) */
};

/* The code number `index` (0 <= index < LIB_MAX_INDEX) of `owner` (0..99) in
 * the national format of `kind`, into buf (LIB_CODE_MAX).  Deterministic;
 * distinct (kind, owner, index) give distinct codes.  Does not look at the
 * blocked keys: use lib_alloc_code() for that. */
void lib_code(LibCodeKind kind, int owner, uint32_t index, char *buf);

/* The prefix key ("...%") covering lib_code(kind, owner, index) and every
 * other code of that stem: the first characters that name the drug and form
 * (western 16, patent 14), the ICD category and sub-category (diagnoses
 * "K35.8%"), the procedure ("68.41%"); services, herbs and consumables get
 * the stem too.  The codes such a key covers are made with lib_code_expand. */
void lib_code_prefix(LibCodeKind kind, int owner, uint32_t index, char *buf);

/* A full code (right length for the kind) that the prefix key `key` ("...%")
 * covers, the rest drawn from r.  An exact key is copied. */
void lib_code_expand(LibCodeKind kind, const char *key, LibRng *r, char *buf);

/* The kind whose format `code` has (by its first character and length), or
 * -1.  Prefix keys are accepted ("K35.8%"). */
int lib_code_kind(const char *code);

/* Blocked keys: the codes and prefix keys of the stdlib's bundled sample
 * rows.  Generated codes never match one. */
typedef struct LibBlock LibBlock;
/* Reads the code-like columns (code, with_code, first_line_code) of every
 * DIR/tables/NAME.csv into a new set (dir NULL or without tables: empty set).
 * NULL on allocation failure. */
LibBlock *lib_block_tables(const char *dir, char *err, size_t errcap);
void lib_block_free(LibBlock *b);
/* Whether `code` matches a blocked key (equal, or starts with a blocked
 * prefix), or, when code is itself a prefix key, whether a blocked code
 * starts with it or either prefix covers the other. */
int lib_blocked(LibBlock *b, const char *code);
/* Adds a key to the set (0 or -1 on allocation failure). */
int lib_block_add(LibBlock *b, const char *code);

/* ------------------------------------------------------------- the claim */

enum { LIB_MAX_LINES = 64, LIB_MAX_DIAGS = 8, LIB_MAX_PROCS = 4, LIB_TEXT = 64 };

#define LIB_NONE INT64_MIN /* a missing int/money/time value */

typedef struct LibLine {
    int line_no;
    char item_code[LIB_CODE_MAX];
    const char *item_kind; /* "drug" "herb" "service" "consumable" */
    char item_name[LIB_TEXT];
    int64_t time; /* seconds since 1970-01-01T00:00:00 (local, no zone) */
    int64_t quantity;
    int64_t unit_price, amount; /* cents */
    char dept[LIB_TEXT];        /* "" = missing */
    int64_t days_supply;        /* LIB_NONE = missing */
    char rx_group[16];          /* "" = missing */
} LibLine;

typedef struct LibDiag {
    char code[LIB_CODE_MAX];
    char name[LIB_TEXT]; /* "" = missing */
    int is_main;
} LibDiag;

typedef struct LibProc {
    char code[LIB_CODE_MAX];
    int64_t date; /* days since 1970-01-01 */
    int is_main;
    int64_t incision_group; /* LIB_NONE = missing */
} LibProc;

typedef struct LibClaim {
    char claim_id[32], person_id[32];
    char sex;                   /* 'M' 'F' 'U' */
    int64_t birth_date;         /* days since 1970-01-01 */
    const char *insurance_type; /* "employee" "resident" "work_injury" "maternity" */
    const char *care_type; /* "outpatient" "chronic_outpatient" "inpatient" "pharmacy" "internet" */
    char facility_id[16];
    int64_t facility_level; /* 1..3, LIB_NONE for pharmacies */
    char dept[LIB_TEXT];    /* "" = missing */
    char doctor[16];
    int64_t admit_time, discharge_time; /* LIB_NONE unless inpatient */
    int64_t settle_time, upload_time;
    int64_t total_amount, fund_amount; /* set by lib_claim_finish */
    LibDiag diags[LIB_MAX_DIAGS];
    int ndiags;
    LibProc procs[LIB_MAX_PROCS];
    int nprocs;
    LibLine lines[LIB_MAX_LINES];
    int nlines;
} LibClaim;

/* What an injector may ask of a (re)built base claim; 0 / NULL / LIB_NONE
 * fields are left to chance. */
typedef struct LibWant {
    const char *care_type;    /* e.g. "outpatient"; "inpatient" gives a stay */
    char sex;                 /* 'M' 'F' */
    int64_t min_age, max_age; /* age in years at admission/settlement, inclusive (LIB_NONE: any) */
    int64_t age_days_max;     /* newborns: age in days at most this (LIB_NONE: any) */
    const char *insurance_type; /* e.g. "resident" */
    int64_t facility_level;     /* 1..3 (LIB_NONE: any) */
    const char *dept;           /* claim department */
    int no_drugs;               /* base lines without drug lines */
} LibWant;

void lib_want_init(LibWant *w);

/* Date/time helpers (proleptic Gregorian, no zone). */
int64_t lib_days(int y, int m, int d);
int64_t lib_date_of(int64_t time); /* the day of a time */
/* The time at which claim c's lines and age are computed: admit_time, else
 * settle_time. */
int64_t lib_claim_ref_time(const LibClaim *c);
/* Whole years between birth and the reference time (the schema's age). */
int64_t lib_claim_age(const LibClaim *c);

/* Appends a line (line_no = position, time = the claim's reference time
 * plus one hour per line already there, amount = unit_price * quantity,
 * days_supply missing); NULL when the claim is full. */
LibLine *lib_add_line(LibClaim *c, const char *code, const char *kind, const char *name,
                      int64_t quantity, int64_t unit_price);

/* The end of an injector that flagged line l: sets *line_no and returns 0,
 * or returns 1 when l is NULL (the line could not be added). */
int lib_injected(const LibLine *l, int *line_no);
/* Appends a diagnosis; NULL when full. */
LibDiag *lib_add_diag(LibClaim *c, const char *code, const char *name, int is_main);
/* Sets total_amount to the sum of line amounts and fund_amount to a share of
 * it; renumbers lines 1..n.  Called by the framework before writing. */
void lib_claim_finish(LibClaim *c);

/* ------------------------------------------------------ library tables */

/* One library table read back: its columns and rows, cells as strings. */
typedef struct LibTable {
    const char *name;
    size_t ncols;
    char **cols; /* header names */
    size_t nrows;
    char ***rows; /* rows[i][j], "" for an empty cell */
} LibTable;

/* The index of column `name`, or -1. */
int lib_col(const LibTable *t, const char *name);
/* Row i's cell of column `name` ("" when the column is absent). */
const char *lib_cell(const LibTable *t, size_t row, const char *name);

/* ------------------------------------------------------------ categories */

typedef struct LibGen LibGen;       /* row-generation context (gen library) */
typedef struct LibInject LibInject; /* injection context (gen claims) */

/* Writes the cells of row `i` (0-based) of the category's table into
 * cells[j] (buffers of LIB_CELL bytes, one per column of `columns`, all ""
 * on entry).  The kp column, if left empty, becomes "SYN-<seq>-<i>".
 * Returns 0, or -1 with lib_gen_error(). */
enum { LIB_CELL = 256, LIB_MAX_COLS = 16 };
typedef int (*LibRowFn)(LibGen *g, size_t i, char cells[][LIB_CELL]);

/* Turns the clean base claim c into one breaking exactly this category: may
 * rebuild the base (lib_rebuild), change it, add lines or diagnoses, and add
 * earlier claims of the same person (lib_earlier).  Sets *line_no to the
 * flagged line (its 1-based position after injection) or 0 for a claim-level
 * finding.  Returns 0 when injected, 1 when this claim cannot take the
 * violation (the framework rebuilds the base claim and tries again), -1 on an
 * error (lib_inject_error). */
typedef int (*LibInjectFn)(LibInject *x, LibClaim *c, int *line_no);

typedef struct LibCategory {
    int seq;             /* national seq, e.g. 67 */
    const char *id;      /* e.g. "DRUG_SEX" */
    const char *table;   /* e.g. "drug_sex", or NULL (no table) */
    const char *columns; /* comma-separated, as in the stdlib table: "code,name,sex,kp,note" */
    unsigned share;      /* rows at N = 135,000 (0 without a table) */
    LibRowFn row;        /* NULL without a table */
    LibInjectFn inject;  /* NULL: no labelled violations (yet) */
} LibCategory;

/* Group registries, each a static array ending with a zero entry. */
extern const LibCategory lib_drug_categories[];
extern const LibCategory lib_service_categories[];
extern const LibCategory lib_mgmt_medical_categories[];

/* All registered categories in seq order into out (at most cap); returns
 * their count. */
enum { LIB_MAX_CATEGORIES = 128 };
size_t lib_categories(const LibCategory **out, size_t cap);

/* --------------------------------------------- helpers for row generators */

const LibCategory *lib_gen_category(const LibGen *g);
LibRng *lib_gen_rng(LibGen *g); /* this category's stream */
/* lib_code(kind, this category's seq, an index unique within the category
 * and kind, skipping blocked codes) into buf; -1 when the space is full. */
int lib_gen_code(LibGen *g, LibCodeKind kind, char *buf);
/* The same as a prefix key (lib_code_prefix). */
int lib_gen_prefix(LibGen *g, LibCodeKind kind, char *buf);
int lib_gen_error(LibGen *g, const char *fmt, ...);

/* ----------------------------------------------- helpers for injectors */

const LibCategory *lib_inject_category(const LibInject *x);
LibRng *lib_inject_rng(LibInject *x);
/* The library table of this category (or of another, by table name); NULL
 * when the library has none. */
const LibTable *lib_table(const LibInject *x, const char *table);
/* A random row index of table t (t->nrows > 0). */
size_t lib_pick_row(LibInject *x, const LibTable *t);

/* The injecting category's own table, or NULL with an injection error set
 * ("the library has no T rows"). */
const LibTable *lib_own_table(LibInject *x);

/* Cell col of row i as an int, or as money in cents; LIB_NONE when empty
 * (or, for money, not a money literal). */
int64_t lib_cell_int(const LibTable *t, size_t i, const char *col);
int64_t lib_cell_money(const LibTable *t, size_t i, const char *col);
/* A claim code for the key cell of a row: an exact key as is, a prefix key
 * expanded to a full code. */
void lib_key_code(LibInject *x, const char *key, char *buf);
/* Rebuilds c as a fresh clean base claim (same claim_id and person_id) with
 * the wishes in w. */
void lib_rebuild(LibInject *x, LibClaim *c, const LibWant *w);
/* A neutral code of the kind (never matches any table row). */
void lib_neutral_code(LibInject *x, LibCodeKind kind, char *buf);
/* A new clean earlier claim of c's person settled `days_before` days before
 * c (at least 1), written before c, not labelled.  It has no drug lines; the
 * injector adds what it needs.  NULL when too many (4). */
LibClaim *lib_earlier(LibInject *x, const LibClaim *c, int days_before, const LibWant *w);
/* A diagnosis name (Chinese disease term) from the shared term list, and the
 * list itself (for pattern rows). */
const char *const *lib_terms(size_t *n);
int lib_inject_error(LibInject *x, const char *fmt, ...);

/* ------------------------------------------------------------- commands */

typedef struct LibOptions {
    uint64_t seed;
    uint64_t rows;          /* library rows (default 135000) */
    const char *stdlib_dir; /* for the blocked sample keys; NULL: none */
} LibOptions;

/* Writes DIR/library.rules and DIR/tables/<table>.csv (dir is created).
 * Per-category row counts into counts[k] for lib_categories()[k] when not
 * NULL.  0, or -1 with err. */
int lib_write_library(const char *dir, const LibOptions *o, uint64_t *counts, char *err,
                      size_t errcap);

typedef struct LibClaimsOptions {
    uint64_t n, seed;
    uint32_t rate_ppm;      /* violations per million claims */
    const char *library;    /* library dir */
    const char *stdlib_dir; /* for blocked sample keys; may be NULL */
    uint64_t *injected;     /* per category (lib_categories order), or NULL */
    uint64_t *earlier;      /* out: earlier claims written, or NULL */
} LibClaimsOptions;

/* Writes n labelled claims (JSON Lines, canonical schema) to out and the
 * truth lines to truth.  0, or -1 with err (a bad library CSV is reported
 * as file:line:col). */
int lib_write_claims(FILE *out, FILE *truth, const LibClaimsOptions *o, char *err, size_t errcap);

/* Writes one claim as a JSON line. */
void lib_claim_json(FILE *out, const LibClaim *c);

#endif
