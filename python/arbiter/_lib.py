"""_lib.py — the C declarations of include/arbiter.h that the package uses,
for cffi's ABI mode (no compiler), and how libarbiter.so is found.

ABI mode lays structures out from these declarations alone, so every struct
below repeats its C definition field for field, in order; the test
python/tests/test_layout.py compares their sizes and offsets with those
cffi computes from include/arbiter.h itself, so that a field added there and
not here fails the tests.

The library is found, first that exists:
  1. the file named by the environment variable ARBITER_LIB;
  2. the install this package is part of: cmake --install puts the package in
     PREFIX/lib/python3/dist-packages/arbiter/ with _libdir.py, which gives
     the library's directory relative to the package's (PREFIX/lib: the
     install stays relocatable); in the source tree there is none;
  3. "libarbiter.so.<SOVERSION>", then "libarbiter.so", by the dynamic
     loader's search (LD_LIBRARY_PATH, the system's directories).
"""

import os

import cffi

# The SONAME's version (CMakeLists.txt: major.minor before 1.0), for the
# dynamic loader's search; an install names its own in _libdir.py.
SOVERSION = "0.1"

CDEF = r"""
enum {
    ARB_OK = 0, ARB_ERR_RULES = 2, ARB_ERR_DATA = 3, ARB_ERR_IO = 4,
    ARB_ERR_NOMEM = 5, ARB_ERR_USAGE = 6,
};
enum { ARB_PHASE_PRE = 1, ARB_PHASE_SETTLE = 2, ARB_PHASE_POST = 4, ARB_PHASE_ALL = 7 };
enum { ARB_FORMAT_AUTO = 0, ARB_FORMAT_JSONL, ARB_FORMAT_CSV };
enum { ARB_HISTORY_READONLY = 0, ARB_HISTORY_WRITE = 1 };

typedef void *(*arb_alloc_fn)(void *ud, void *ptr, size_t old_size, size_t new_size);
typedef struct arb_engine arb_engine;
typedef struct arb_session arb_session;
typedef struct arb_history arb_history;

typedef struct arb_config {
    arb_alloc_fn alloc;
    void *alloc_ud;
    const char *stdlib_dir;
    int no_prelude;
    int debug_info;
    uint64_t lua_instructions;
    size_t lua_memory;
    uint32_t lua_millis;
} arb_config;

void arb_config_init(arb_config *cfg);
size_t arb_default_stdlib_dir(char *buf, size_t cap);
int arb_engine_new(const arb_config *cfg, arb_engine **out);
void arb_engine_free(arb_engine *e);
int arb_add_file(arb_engine *e, const char *path);
int arb_add_source(arb_engine *e, const char *name, const char *text, size_t len);
int arb_compile(arb_engine *e);
int arb_write_pack(arb_engine *e, const char *path);
int arb_load_pack(arb_engine *e, const char *path);
uint64_t arb_pack_id(const arb_engine *e);
int arb_load_native(arb_engine *e, const char *so_path);

typedef struct arb_error {
    int severity;
    const char *file;
    uint32_t line, col;
    uint32_t offset, length;
    const char *message;
} arb_error;

size_t arb_error_count(const arb_engine *e);
int arb_error_get(const arb_engine *e, size_t i, arb_error *out);
size_t arb_error_render(const arb_engine *e, size_t i, char *buf, size_t cap);
const char *arb_errmsg(const arb_engine *e);
size_t arb_rule_count(const arb_engine *e);
const char *arb_rule_id(const arb_engine *e, size_t i);

typedef struct arb_evidence {
    const char *claim_id;
    int64_t settle_time;
} arb_evidence;

typedef struct arb_finding {
    const char *claim_id;
    const char *rule_id;
    const char *category;
    const char *category_code;
    const char *severity;
    const char *nature;
    int32_t points;
    int64_t line_no;
    int64_t amount_cents;
    const char *message;
    size_t nevidence;
    const arb_evidence *evidence;
    size_t nalso_matched;
    const char *const *also_matched;
    const char *rule_title;
    const char *category_title;
    const char *tier;
    const char *person_id;
    const char *facility_id;
    const char *dept;
    const char *doctor;
    const char *settle_date;
    const char *finding_id;
    int64_t at_risk_cents;
} arb_finding;

size_t arb_finding_json(const arb_finding *f, char *buf, size_t cap);

typedef struct arb_reject {
    const char *file;
    uint64_t line;
    const char *message;
} arb_reject;

typedef struct arb_rule_error {
    const char *claim_id;
    const char *rule_id;
    const char *file;
    uint32_t line;
    const char *message;
} arb_rule_error;

typedef struct arb_duplicate {
    const char *claim_id;
    const char *file;
    uint64_t first_line, line;
} arb_duplicate;

typedef struct arb_batch_options {
    const char *claims_path;
    int input_format;
    const char *findings_path;
    int findings_format;
    const char *rejects_path;
    unsigned phases;
    int threads;
    int no_index;
    void (*on_reject)(void *ud, const arb_reject *r);
    void (*on_progress)(void *ud, uint64_t done, uint64_t total);
    void *ud;
    void (*on_rule_error)(void *ud, const arb_rule_error *r);
    const char *rule_errors_path;
    struct arb_history *history;
    int record;
    uint32_t commit_every;
    int strict;
    void (*on_duplicate)(void *ud, const arb_duplicate *d);
    const char *encoding;
    const char *input_profile;
    size_t max_field_bytes;
    int findings_bom;
    size_t id_budget;
    uint64_t history_memory_max;
} arb_batch_options;

void arb_batch_options_init(arb_batch_options *o);

typedef struct arb_category_stats {
    const char *name, *title, *code;
    uint64_t findings;
    int64_t amount_cents;
} arb_category_stats;

typedef struct arb_ignored_field {
    const char *name;
    uint64_t records;
    int derived;
    const char *formula;
} arb_ignored_field;

typedef struct arb_batch_stats {
    uint64_t records_read;
    uint64_t audited;
    uint64_t rejected;
    uint64_t rejected_rows;
    uint64_t lines;
    uint64_t findings;
    uint64_t claims_flagged;
    int64_t claimed_cents;
    int64_t line_cents;
    int64_t at_risk_cents;
    uint64_t bytes;
    double seconds;
    size_t ncategories;
    const arb_category_stats *categories;
    uint64_t rule_errors;
    uint64_t lua_calls;
    uint64_t reversals;
    uint64_t recorded;
    uint64_t not_recorded;
    size_t nignored;
    const struct arb_ignored_field *ignored;
    int64_t at_risk_lines_cents;
    uint64_t rules_in_phases;
    uint64_t duplicates;
    int totals_overflowed;
    int temp_history;
} arb_batch_stats;

int arb_check_file(arb_engine *e, const arb_batch_options *o, arb_batch_stats *st);

int arb_session_new(arb_engine *e, arb_session **out);
void arb_session_free(arb_session *s);
int arb_session_check_json(arb_session *s, const char *json, size_t len, unsigned phases,
                           void (*on_finding)(void *ud, const arb_finding *f), void *ud);
const char *arb_session_errmsg(const arb_session *s);

typedef struct arb_history_info {
    uint64_t persons, claims;
    int64_t first_settle, last_settle;
    uint64_t file_bytes, used_bytes;
    uint32_t schemas;
    uint64_t feedback;
} arb_history_info;

int arb_history_open(arb_engine *e, const char *dir, int mode, arb_history **out);
void arb_history_close(arb_history *h);
int arb_engine_set_history(arb_engine *e, arb_history *h);
int arb_history_add_file(arb_history *h, const arb_batch_options *o, arb_batch_stats *st);
int arb_history_stats(arb_history *h, arb_history_info *out);
int arb_session_record_json(arb_session *s, const char *json, size_t len);

typedef struct arb_claimset arb_claimset;
typedef struct arb_claimset_options {
    int input_format;
    const char *encoding;
    const char *input_profile;
    int strict;
    size_t max_field_bytes;
    void (*on_reject)(void *ud, const arb_reject *r);
    void *ud;
} arb_claimset_options;
typedef struct arb_claimset_info {
    uint64_t claims;
    uint64_t rejected;
    uint64_t lines;
    uint64_t candidates;
    uint64_t duplicates;
    int history;
} arb_claimset_info;
typedef struct arb_claimset_stats {
    uint64_t claims;
    uint64_t audited;
    uint64_t reversals;
    uint64_t findings;
    uint64_t claims_flagged;
    uint64_t rule_errors;
    uint64_t rules_run;
    int64_t at_risk_cents;
    int64_t at_risk_lines_cents;
    int totals_overflowed;
} arb_claimset_stats;
void arb_claimset_options_init(arb_claimset_options *o);
int arb_claimset_load(arb_engine *e, const char *path, const arb_claimset_options *o,
                      arb_claimset **out);
size_t arb_claimset_count(const arb_claimset *set);
void arb_claimset_get_info(const arb_claimset *set, arb_claimset_info *out);
void arb_claimset_free(arb_claimset *set);
int arb_claimset_check_range(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                             unsigned phases,
                             void (*on_finding)(void *ud, size_t claim, const arb_finding *f),
                             void *ud, arb_claimset_stats *st);
typedef struct arb_finding_brief {
    size_t claim;
    size_t rule;
    int64_t line_no;
    int64_t amount_cents;
    int64_t at_risk_cents;
} arb_finding_brief;
int arb_claimset_check_brief(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                             unsigned phases,
                             void (*on_brief)(void *ud, const arb_finding_brief *b), void *ud,
                             arb_claimset_stats *st);
int arb_claimset_check_rows(arb_session *s, const arb_claimset *set, size_t from, size_t to,
                            unsigned phases,
                            void (*on_rows)(void *ud, const arb_finding_brief *rows, size_t n),
                            void *ud, arb_claimset_stats *st);
"""

# The structures test_layout.py compares with include/arbiter.h.
STRUCTS = (
    "arb_config",
    "arb_error",
    "arb_evidence",
    "arb_finding",
    "arb_reject",
    "arb_rule_error",
    "arb_duplicate",
    "arb_batch_options",
    "arb_category_stats",
    "arb_ignored_field",
    "arb_batch_stats",
    "arb_history_info",
    "arb_claimset_options",
    "arb_claimset_info",
    "arb_claimset_stats",
    "arb_finding_brief",
)

ffi = cffi.FFI()
ffi.cdef(CDEF)


def _candidates():
    env = os.environ.get("ARBITER_LIB")
    if env:
        yield env, True
        return
    try:
        from ._libdir import LIBDIR, SONAME
    except ImportError:  # the source tree
        LIBDIR, SONAME = None, None
    if LIBDIR is not None:
        here = os.path.dirname(os.path.abspath(__file__))
        libdir = os.path.normpath(os.path.join(here, LIBDIR))
        for name in (SONAME, "libarbiter.so"):
            path = os.path.join(libdir, name)
            if os.path.exists(path):
                yield path, True
                return
    yield "libarbiter.so." + SOVERSION, False
    yield "libarbiter.so", False


def load():
    """Opens libarbiter.so (see the module's text); OSError naming every
    place tried when none can be opened."""
    tried = []
    for path, explicit in _candidates():
        try:
            return ffi.dlopen(path), path
        except OSError as exc:
            tried.append(f"{path}: {exc}")
            if explicit:
                break
    raise OSError(
        "arbiter: cannot load libarbiter.so (set ARBITER_LIB to its path): " + "; ".join(tried)
    )


lib, lib_path = load()
