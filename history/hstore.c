/* hstore.c — the persistent claim-history store over LMDB, or over
 * PostgreSQL through hpg.c (see hstore.h). */
#include "hstore.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hcodec.h"
#include "hfields.h"
#include "hpg.h"
#include "i18n.h"
#include "scalar.h"

#if defined(__SANITIZE_THREAD__)
#define MAP_SIZE ((size_t)1 << 34) /* ThreadSanitizer cannot map a terabyte */
#else
#define MAP_SIZE ((size_t)1 << 40) /* address space only: the file grows as needed */
#endif
#define MAX_KEY 511     /* LMDB's default key size limit */
#define PAGE_GUESS 4096 /* LMDB's page when it cannot say */
#define MAX_SCHEMAS 1024

/* What the handles on one open store share (hstore_attach): the LMDB
 * environment or the PostgreSQL pool.  Freed with the last handle. */
typedef struct HShared {
    atomic_int refs;
    Alloc alloc;
    int flags;
    MDB_env *env; /* LMDB, or NULL */
    MDB_dbi meta, claims, ids, rev, feedback;
    /* the records, under an 8-byte big-endian number appended in order;
     * claims maps a key to its record's number (not in a staging store:
     * its claims hold their records, or where they are in the spool) */
    MDB_dbi data;
    int has_feedback; /* the feedback db exists (a store made before it may lack it) */
    HPg *pg;          /* PostgreSQL, or NULL */
    char dir[4096];   /* the directory, or the URI without its password */
    char *map;        /* LMDB's memory map of data.mdb (found in /proc/self/maps) */
    size_t map_size;
    size_t psize; /* LMDB's page size */
} HShared;

/* A handle: the shared store read for one program. */
struct HStore {
    HShared *sh;
    int flags;
    const Program *p;
    Alloc alloc;
    pthread_mutex_t mu; /* taken to add a plan after opening (plan_for) */
    Arena ar;           /* plans, descriptions */
    /* by schema number - 1 (NULL: not loaded yet); a plan, once set, never
     * changes, so readers load the pointer without the lock */
    _Atomic(HcPlan *) plans[MAX_SCHEMAS];
    /* the same for history() (hstore_decode_hist): only the fields the
     * program reads from history claims (hfields.h); set with plans[] */
    _Atomic(HcPlan *) hplans[MAX_SCHEMAS];
    HFields hf;
    atomic_uint nschemas;
    uint32_t cur_schema; /* the number claims are written with (0: none) */
    StrBuf mine;         /* the program's own schema description */
    HcEnc *enc;          /* the program's claims encoded (NULL: out of memory) */
    int32_t person_field, asof_field, id_field;
    int64_t scale; /* as_of to seconds */
};

struct HTxn {
    HStore *s;
    MDB_txn *txn; /* LMDB */
    HPgTxn *pg;   /* PostgreSQL */
    int write;
    StrBuf key;  /* scratch */
    StrBuf okey; /* delete_id's copy of the key it deletes */
    /* LMDB writes: records put or deleted, and the overflow pages of the
     * records put, for hstore_txn_dirty's bound */
    size_t changes, ovpages;
    uint64_t next;     /* the data table's next record number (0: not read yet) */
    size_t data_bytes; /* the records put in the data table's leaves */
    /* LMDB writes: cursors on data, claims and ids kept for the puts (NULL:
     * not opened yet; LMDB closes them with the transaction).  A cursor
     * left where the last put went finds the next key's leaf without a
     * descent from the root when it is on the same leaf: the puts of
     * history add come sorted by key, and the data table's appended */
    MDB_cursor *cdata, *cclaims, *cids;
    char err[400]; /* why the last hstore_window or hstore_each failed ("" when none) */
};

/* Writes the message, in the user's language, into err; -1. */
static int fail(char *err, size_t cap, const char *fmt, const char *a, const char *b) {
    if (cap) snprintf(err, cap, _(fmt), a, b);
    return -1;
}

const char *hstore_dir(const HStore *s) {
    return s->sh->dir;
}

int hstore_is_remote(const HStore *s) {
    return s->sh->pg != NULL;
}

static int open_db(MDB_txn *txn, const char *name, int create, MDB_dbi *dbi) {
    return mdb_dbi_open(txn, name, create ? MDB_CREATE : 0, dbi);
}

/* A schema description read from the store: its plan for the handle's
 * program (under s->mu, or before the handle is shared). */
static int keep_field(void *ud, const RecordType *rt, uint32_t f) {
    return hfields_keep(ud, rt, f);
}

static int add_plan(HStore *s, long n, const char *desc, size_t len, char *err, size_t errcap) {
    if (n < 1 || n > MAX_SCHEMAS) return 0;
    if (!atomic_load(&s->plans[n - 1])) {
        int damaged = 0;
        HcPlan *pl = hcodec_plan(desc, len, s->p->claim, &s->ar, &damaged);
        HcPlan *hp = pl && !s->hf.all ? hcodec_plan_keep(desc, len, s->p->claim, keep_field, &s->hf,
                                                         &s->ar, &damaged)
                                      : pl;
        if (!pl || !hp)
            return fail(err, errcap, "%s: %s", s->sh->dir,
                        damaged ? "a schema description in the history store is damaged"
                                : "out of memory");
        atomic_store(&s->hplans[n - 1], hp); /* before plans[]: readers look there first */
        atomic_store(&s->plans[n - 1], pl);
    }
    if ((uint32_t)n > atomic_load(&s->nschemas)) atomic_store(&s->nschemas, (uint32_t)n);
    if (len == s->mine.len && memcmp(desc, s->mine.p, len) == 0) s->cur_schema = (uint32_t)n;
    return 0;
}

typedef struct PlanLoad {
    HStore *s;
    long only; /* 0: every description; else this one */
    char *err;
    size_t errcap;
    int rc;
} PlanLoad;

static int plan_one(void *ud, long n, const char *desc, size_t len) {
    PlanLoad *l = ud;
    if (l->only && n != l->only) return 0;
    l->rc = add_plan(l->s, n, desc, len, l->err, l->errcap);
    return l->rc != 0;
}

/* Reads the schema descriptions of an LMDB store (each, or `only`). */
static int lmdb_schemas(HStore *s, MDB_txn *txn, PlanLoad *l) {
    MDB_cursor *c;
    if (mdb_cursor_open(txn, s->sh->meta, &c))
        return fail(l->err, l->errcap, "cannot read the history store%s%s", "", "");
    MDB_val k = {7, "schema."}, v;
    for (int op = MDB_SET_RANGE; mdb_cursor_get(c, &k, &v, op) == 0; op = MDB_NEXT) {
        if (k.mv_size < 8 || memcmp(k.mv_data, "schema.", 7) != 0) break;
        char num[16];
        size_t nl = k.mv_size - 7 < sizeof num - 1 ? k.mv_size - 7 : sizeof num - 1;
        memcpy(num, (char *)k.mv_data + 7, nl);
        num[nl] = 0;
        if (plan_one(l, strtol(num, NULL, 10), v.mv_data, v.mv_size)) break;
    }
    mdb_cursor_close(c);
    return l->rc;
}

/* Loads the schema descriptions into the handle's plans; when writable,
 * registers the program's own if it is new. */
static int load_schemas(HStore *s, char *err, size_t errcap) {
    HShared *sh = s->sh;
    int writable = s->flags & HSTORE_WRITE;
    PlanLoad l = {s, 0, err, errcap, 0};
    if (sh->pg) {
        HPgTxn *t;
        if (hpg_begin(sh->pg, writable, &t, err, errcap)) return -1;
        /* two processes adding a schema at once would both take the same
         * number: one waits for the other's commit, then sees it */
        int rc = writable ? hpg_lock_schemas(t, err, errcap) : 0;
        if (rc == 0) rc = hpg_schemas(t, plan_one, &l, err, errcap);
        if (rc == 0) rc = l.rc;
        uint32_t n = atomic_load(&s->nschemas);
        if (rc == 0 && !s->cur_schema && writable) {
            if (n >= MAX_SCHEMAS)
                rc = fail(err, errcap, "%s: the history store holds too many schema versions%s",
                          sh->dir, "");
            else if ((rc = hpg_schema_add(t, n + 1, s->mine.p, s->mine.len, err, errcap)) == 0)
                rc = add_plan(s, n + 1, s->mine.p, s->mine.len, err, errcap);
        }
        if (rc == 0 && writable) return hpg_commit(t, err, errcap);
        hpg_abort(t);
        return rc;
    }
    MDB_txn *txn;
    int mrc = mdb_txn_begin(sh->env, NULL, writable ? 0 : MDB_RDONLY, &txn);
    if (mrc)
        return fail(err, errcap, "cannot open the history store %s: %s", sh->dir,
                    mdb_strerror(mrc));
    int rc = lmdb_schemas(s, txn, &l);
    uint32_t n = atomic_load(&s->nschemas);
    if (rc == 0 && !s->cur_schema && writable) {
        if (n >= MAX_SCHEMAS) {
            rc = fail(err, errcap, "%s: the history store holds too many schema versions%s",
                      sh->dir, "");
        } else {
            char key[32];
            int kn = snprintf(key, sizeof key, "schema.%u", n + 1);
            MDB_val kk = {(size_t)kn, key}, vv = {s->mine.len, s->mine.p};
            if (mdb_put(txn, sh->meta, &kk, &vv, 0))
                rc = fail(err, errcap, "%s: cannot record the schema in the history store%s",
                          sh->dir, "");
            else
                rc = add_plan(s, n + 1, s->mine.p, s->mine.len, err, errcap);
        }
    }
    if (rc == 0 && writable && (mrc = mdb_txn_commit(txn)) != 0)
        return fail(err, errcap, "cannot open the history store %s: %s", sh->dir,
                    mdb_strerror(mrc));
    if (rc || !writable) mdb_txn_abort(txn);
    return rc;
}

/* The plan for schema number no, read from the store when a handle meets
 * a schema registered after it loaded its plans (another process, or an
 * attached handle of another program).  NULL when there is none.  The
 * plans are a cache: decoding through a const handle may add one. */
static const HcPlan *plan_for(HStore *s, int64_t no) {
    if (no < 1 || no > MAX_SCHEMAS) return NULL;
    HcPlan *pl = atomic_load(&s->plans[no - 1]);
    if (pl) return pl;
    char err[8];
    pthread_mutex_lock(&s->mu);
    PlanLoad l = {s, (long)no, err, sizeof err, 0};
    if (!atomic_load(&s->plans[no - 1])) {
        if (s->sh->pg) {
            HPgTxn *t;
            if (hpg_begin(s->sh->pg, 0, &t, err, sizeof err) == 0) {
                hpg_schemas(t, plan_one, &l, err, sizeof err);
                hpg_abort(t);
            }
        } else {
            MDB_txn *txn;
            if (mdb_txn_begin(s->sh->env, NULL, MDB_RDONLY, &txn) == 0) {
                lmdb_schemas(s, txn, &l);
                mdb_txn_abort(txn);
            }
        }
    }
    pl = atomic_load(&s->plans[no - 1]);
    pthread_mutex_unlock(&s->mu);
    return pl;
}

static void find_map(HShared *sh);

static void shared_free(HShared *sh) {
    if (sh->env) mdb_env_close(sh->env);
    hpg_close(sh->pg);
    mem_free(sh->alloc, sh, sizeof *sh);
}

/* Opens an LMDB store's environment, checks its format, opens its dbs. */
static int lmdb_open(HShared *sh, const char *dir, int flags, char *err, size_t errcap) {
    int writable = flags & HSTORE_WRITE;
    unsigned ef = MDB_NOTLS | (writable ? 0 : MDB_RDONLY);
    if (flags & HSTORE_STAGING) ef |= MDB_NOSYNC;
    int rc = mdb_env_create(&sh->env);
    if (rc == 0) rc = mdb_env_set_maxdbs(sh->env, 8);
    if (rc == 0) rc = mdb_env_set_mapsize(sh->env, MAP_SIZE);
    if (rc == 0) rc = mdb_env_set_maxreaders(sh->env, 1024);
    if (rc == 0) rc = mdb_env_open(sh->env, dir, ef, 0664);
    if (rc == ENOENT && !writable)
        return fail(err, errcap, "%s is not an Arbiter history store (no data.mdb in it)%s", dir,
                    "");
    if (rc) return fail(err, errcap, "cannot open the history store %s: %s", dir, mdb_strerror(rc));
    MDB_txn *txn;
    rc = mdb_txn_begin(sh->env, NULL, writable ? 0 : MDB_RDONLY, &txn);
    if (rc) return fail(err, errcap, "cannot open the history store %s: %s", dir, mdb_strerror(rc));
    int r = 0;
    if (open_db(txn, "meta", writable, &sh->meta) ||
        open_db(txn, "claims", writable, &sh->claims) || open_db(txn, "ids", writable, &sh->ids) ||
        open_db(txn, "rev", writable, &sh->rev)) {
        r = fail(err, errcap, "%s is not an Arbiter history store (%s)", dir,
                 writable ? "cannot create its tables" : "no history tables in it");
    }
    /* a store made before feedback was kept has no feedback db: none yet */
    if (r == 0) sh->has_feedback = open_db(txn, "feedback", writable, &sh->feedback) == 0;
    if (r == 0 && writable && !sh->has_feedback)
        r = fail(err, errcap, "%s is not an Arbiter history store (%s)", dir,
                 "cannot create its tables");
    if (r == 0) {
        MDB_val k = {6, "format"}, v;
        int g = mdb_get(txn, sh->meta, &k, &v);
        if (g == MDB_NOTFOUND && writable) {
            MDB_stat st;
            mdb_stat(txn, sh->claims, &st);
            MDB_val fv = {strlen(HSTORE_FORMAT), HSTORE_FORMAT};
            if (st.ms_entries || mdb_put(txn, sh->meta, &k, &fv, 0))
                r = fail(err, errcap, "%s is not an Arbiter history store%s", dir, "");
        } else if (g) {
            r = fail(err, errcap, "%s is not an Arbiter history store (no format version)%s", dir,
                     "");
        } else if (v.mv_size != strlen(HSTORE_FORMAT) ||
                   memcmp(v.mv_data, HSTORE_FORMAT, v.mv_size) != 0) {
            char found[64];
            snprintf(found, sizeof found, "%.*s", (int)(v.mv_size < 60 ? v.mv_size : 60),
                     (const char *)v.mv_data);
            if (errcap)
                snprintf(err, errcap,
                         _("the history store %s has format '%s'; this arbiter reads '%s' (export "
                           "it with the arbiter that wrote it, then add it again)"),
                         dir, found, HSTORE_FORMAT);
            r = -1;
        }
    }
    /* after the format's check: a store of another format lacks it */
    if (r == 0 && !(flags & HSTORE_STAGING) && open_db(txn, "data", writable, &sh->data))
        r = fail(err, errcap, "%s is not an Arbiter history store (%s)", dir,
                 writable ? "cannot create its tables" : "no history tables in it");
    if (r == 0 && (rc = mdb_txn_commit(txn)) != 0)
        r = fail(err, errcap, "cannot open the history store %s: %s", dir, mdb_strerror(rc));
    else if (r != 0)
        mdb_txn_abort(txn);
    if (r == 0) find_map(sh);
    MDB_stat es;
    sh->psize = r == 0 && mdb_env_stat(sh->env, &es) == 0 ? es.ms_psize : PAGE_GUESS;
    return r;
}

/* A new handle on sh for program p (takes a reference on sh). */
static int view_open(HStore **out, HShared *sh, const Program *p, Alloc a, char *err,
                     size_t errcap) {
    *out = NULL;
    HStore *s = mem_calloc(a, sizeof *s);
    if (!s) return fail(err, errcap, "out of memory%s%s", "", "");
    atomic_fetch_add(&sh->refs, 1);
    s->sh = sh;
    s->alloc = a;
    s->flags = sh->flags;
    s->p = p;
    pthread_mutex_init(&s->mu, NULL);
    arena_init(&s->ar, a, 4096);
    sb_init(&s->mine, a);
    const RecordType *ct = p->claim;
    s->person_field = record_field_index(ct, "person_id", 9);
    if (s->person_field >= 0 && !type_is_string(ct->fields[s->person_field].type.kind))
        s->person_field = -1;
    s->id_field = ct->key_field;
    s->asof_field = ct->as_of_field;
    s->scale =
        s->asof_field >= 0 && ct->fields[s->asof_field].type.kind == TY_DATE ? SECS_PER_DAY : 1;
    hcodec_describe(ct, &s->mine);
    s->enc = hcodec_enc_plan(ct, &s->ar);
    hfields_build(&s->hf, p, &s->ar); /* out of memory: every field (hf.all) */
    int rc =
        s->mine.oom ? fail(err, errcap, "out of memory%s%s", "", "") : load_schemas(s, err, errcap);
    if (rc) {
        hstore_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

int hstore_open(HStore **out, const char *dir, int flags, const Program *p, Alloc a, char *err,
                size_t errcap) {
    *out = NULL;
    int writable = flags & HSTORE_WRITE;
    int pg = hpg_is_uri(dir);
    struct stat sb;
    if (pg && (flags & HSTORE_STAGING)) {
        return fail(err, errcap, "a staging store is a directory, not %s%s", dir, "");
    } else if (pg) {
    } else if (stat(dir, &sb) != 0) {
        if (!writable || errno != ENOENT)
            return fail(err, errcap, "cannot open the history store %s: %s", dir, strerror(errno));
        /* made whole beside it, then renamed into place: a process killed
         * while creating a store leaves none, never half of one */
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.new.XXXXXX", dir);
        HStore *made;
        if (!mkdtemp(tmp) || chmod(tmp, 0755) != 0)
            return fail(err, errcap, "cannot create the history store %s: %s", dir,
                        strerror(errno));
        if (hstore_open(&made, tmp, flags, p, a, err, errcap)) {
            hstore_remove_dir(tmp);
            return -1;
        }
        hstore_close(made);
        if (rename(tmp, dir) != 0) { /* another process made it first: use that one */
            int e = errno;
            hstore_remove_dir(tmp);
            if (e != EEXIST && e != ENOTEMPTY)
                return fail(err, errcap, "cannot create the history store %s: %s", dir,
                            strerror(e));
        }
    } else if (!S_ISDIR(sb.st_mode)) {
        return fail(err, errcap, "the history store %s is not a directory%s", dir, "");
    }
    HShared *sh = mem_calloc(a, sizeof *sh);
    if (!sh) return fail(err, errcap, "out of memory%s%s", "", "");
    sh->alloc = a;
    sh->flags = flags;
    atomic_init(&sh->refs, 1); /* the opener's, dropped below */
    int rc;
    if (pg) {
        rc = hpg_open(&sh->pg, dir, writable, HSTORE_FORMAT_PG, a, err, errcap);
        if (rc == 0) snprintf(sh->dir, sizeof sh->dir, "%s", hpg_name(sh->pg));
    } else {
        snprintf(sh->dir, sizeof sh->dir, "%s", dir);
        rc = lmdb_open(sh, dir, flags, err, errcap);
    }
    if (rc == 0) rc = view_open(out, sh, p, a, err, errcap);
    if (atomic_fetch_sub(&sh->refs, 1) == 1) shared_free(sh);
    return rc;
}

int hstore_attach(HStore **out, HStore *base, const Program *p, Alloc a, char *err, size_t errcap) {
    return view_open(out, base->sh, p, a, err, errcap);
}

/* LMDB does not say where it mapped the file (mdb_env_info gives the
 * address only for MDB_FIXEDMAP): find the mapping of data.mdb by its
 * inode. */
static void find_map(HShared *s) {
    char path[4200], line[4600];
    struct stat sb;
    snprintf(path, sizeof path, "%s/data.mdb", s->dir);
    if (stat(path, &sb) != 0) return;
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi, ino;
        char perms[8];
        unsigned dmaj, dmin;
        unsigned long long off;
        if (sscanf(line, "%lx-%lx %7s %llx %x:%x %lu", &lo, &hi, perms, &off, &dmaj, &dmin, &ino) ==
                7 &&
            ino == (unsigned long)sb.st_ino && off == 0 && hi - lo > s->map_size) {
            s->map = (char *)lo;
            s->map_size = hi - lo;
        }
    }
    fclose(f);
}

void hstore_close(HStore *s) {
    if (!s) return;
    HShared *sh = s->sh;
    arena_free(&s->ar);
    sb_free(&s->mine);
    pthread_mutex_destroy(&s->mu);
    mem_free(s->alloc, s, sizeof *s);
    if (atomic_fetch_sub(&sh->refs, 1) == 1) shared_free(sh);
}

void hstore_remove_dir(const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/lock.mdb", dir);
    remove(path);
    remove(dir);
}

/* LMDB 0.9 starts a read transaction by reading the number of the last
 * commit, then copying the meta page that number's parity selects.  A
 * reader held up between the two for a whole commit copies that page while
 * the commit after is writing over it: it reads a snapshot newer than its
 * number, and its thread's next transaction, taking the number then
 * published, an older one (a person's count goes down between two checks).
 * So a read is started again when the newest meta page is two or more
 * commits past its number; one commit past is a commit still publishing,
 * which does not touch the page this transaction copied.  (Left open: the
 * commit after next caught between writing that page's roots and its
 * number, a window of a few bytes' copy, shows as one past.) */
static int read_settled(MDB_env *env, MDB_txn *txn) {
    for (int tries = 0;; tries++) {
        MDB_envinfo in;
        atomic_thread_fence(memory_order_acquire); /* the copy, then the pages */
        int rc = mdb_env_info(env, &in);
        if (rc) return rc;
        if (in.me_last_txnid <= mdb_txn_id(txn) + 1) return 0;
        if (tries == 1000) return MDB_BAD_TXN; /* never seen: an error, not a wrong snapshot */
        mdb_txn_reset(txn);
        if ((rc = mdb_txn_renew(txn)) != 0) return rc;
    }
}

int hstore_begin(HStore *s, int write, HTxn **out, char *err, size_t errcap) {
    *out = NULL;
    if (write && !(s->flags & HSTORE_WRITE))
        return fail(err, errcap, "the history store %s is open read-only%s", s->sh->dir, "");
    HTxn *t = mem_calloc(s->alloc, sizeof *t);
    if (!t) return fail(err, errcap, "out of memory%s%s", "", ""), -2;
    t->s = s;
    t->write = write;
    sb_init(&t->key, s->alloc);
    sb_init(&t->okey, s->alloc);
    if (s->sh->pg) {
        if (hpg_begin(s->sh->pg, write, &t->pg, err, errcap)) {
            mem_free(s->alloc, t, sizeof *t);
            return -1;
        }
        *out = t;
        return 0;
    }
    int rc = mdb_txn_begin(s->sh->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc == 0 && !write && (rc = read_settled(s->sh->env, t->txn)) != 0) mdb_txn_abort(t->txn);
    if (rc) {
        mem_free(s->alloc, t, sizeof *t);
        return fail(err, errcap, "history store: %s%s", mdb_strerror(rc), "");
    }
    *out = t;
    return 0;
}

static void txn_free(HTxn *t) {
    sb_free(&t->key);
    sb_free(&t->okey);
    mem_free(t->s->alloc, t, sizeof *t);
}

int hstore_commit(HTxn *t, char *err, size_t errcap) {
    if (t->pg) {
        int rc = hpg_commit(t->pg, err, errcap);
        txn_free(t);
        return rc;
    }
    int rc = mdb_txn_commit(t->txn);
    txn_free(t);
    if (rc) return fail(err, errcap, "history store: cannot commit: %s%s", mdb_strerror(rc), "");
    return 0;
}

void hstore_abort(HTxn *t) {
    if (!t) return;
    if (t->pg)
        hpg_abort(t->pg);
    else
        mdb_txn_abort(t->txn);
    txn_free(t);
}

void hstore_reset(HTxn *t) {
    if (t->pg)
        hpg_reset(t->pg);
    else
        mdb_txn_reset(t->txn);
}

int hstore_renew(HTxn *t, char *err, size_t errcap) {
    if (t->pg) return hpg_renew(t->pg, err, errcap);
    int rc = mdb_txn_renew(t->txn);
    if (rc == 0) rc = read_settled(t->s->sh->env, t->txn);
    return rc ? fail(err, errcap, "history store: cannot read: %s%s", mdb_strerror(rc), "") : 0;
}

/* ------------------------------------------------------------------ keys */

static void put_be(char *w, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--, v >>= 8) w[i] = (char)(v & 0xff);
}
static uint64_t get_be(const unsigned char *r, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v = v << 8 | r[i];
    return v;
}

/* person 0x00 time seq claim_id */
static int make_key(StrBuf *b, const char *person, size_t pn, int64_t t, uint32_t seq,
                    const char *id, size_t idn) {
    sb_clear(b);
    char *w = sb_reserve(b, pn + 13 + idn);
    if (!w) return -1;
    memcpy(w, person, pn);
    w[pn] = 0;
    put_be(w + pn + 1, (uint64_t)t ^ (1ull << 63), 8);
    put_be(w + pn + 9, seq, 4);
    memcpy(w + pn + 13, id, idn);
    b->len = pn + 13 + idn;
    return 0;
}

/* Splits a claims key; -1 when it is not one. */
static int split_key(const MDB_val *k, HRec *r) {
    const char *p = k->mv_data;
    const char *z = memchr(p, 0, k->mv_size);
    if (!z || (size_t)(z - p) + 13 > k->mv_size) return -1;
    r->person = p;
    r->person_len = (size_t)(z - p);
    const unsigned char *u = (const unsigned char *)z + 1;
    r->t = (int64_t)(get_be(u, 8) ^ (1ull << 63));
    r->seq = (uint32_t)get_be(u + 8, 4);
    r->claim_id = z + 13;
    r->claim_id_len = k->mv_size - r->person_len - 13;
    return 0;
}

int hstore_claim_key(const HStore *s, const Value *claim, const ArbStr **person, int64_t *t,
                     const ArbStr **claim_id, const char **why) {
    *person = s->person_field >= 0 ? claim[s->person_field].s : NULL;
    *claim_id = s->id_field >= 0 && type_is_string(s->p->claim->fields[s->id_field].type.kind)
                    ? claim[s->id_field].s
                    : NULL;
    int64_t v = s->asof_field >= 0 ? claim[s->asof_field].i : ARB_NULL;
    if (!*claim_id) return *why = "no claim_id", -1;
    if (!*person) return *why = "no person_id", -1;
    if (v == ARB_NULL) return *why = "no settle time (the as_of field)", -1;
    if (__builtin_mul_overflow(v, s->scale, t)) return *why = "settle time out of range", -1;
    if (memchr((*person)->data, 0, (*person)->len)) return *why = "a NUL byte in person_id", -1;
    if ((*person)->len + (*claim_id)->len + 13 > MAX_KEY)
        return *why = "person_id and claim_id longer than 498 bytes together", -1;
    return 0;
}

static int mdb_fail(char *err, size_t errcap, int rc) {
    return fail(err, errcap, "history store: %s%s", mdb_strerror(rc), "");
}

/* A claims entry names a record the data table does not hold (not an
 * LMDB code: those are -30799 to -30780). */
#define HS_MISSING (-30000)

/* Writes why reading or deleting claim r's record failed with rc into
 * err: a missing record is the store's damage, named with the claim (r
 * NULL: not known); -1. */
static int rec_fail(const HTxn *t, char *err, size_t errcap, int rc, const HRec *r) {
    if (!errcap) return -1;
    const char *dir = t->s->sh->dir;
    if (rc != HS_MISSING && rc != MDB_CORRUPTED) {
        snprintf(err, errcap, _("history store %s: %s"), dir, mdb_strerror(rc));
    } else if (!r) {
        snprintf(err, errcap,
                 rc == HS_MISSING
                     ? _("the history store %s is damaged: a claim's record is missing")
                     : _("the history store %s is damaged: a claim's record number is not one"),
                 dir);
    } else {
        int idn = (int)(r->claim_id_len < 120 ? r->claim_id_len : 120);
        int pn = (int)(r->person_len < 120 ? r->person_len : 120);
        snprintf(err, errcap,
                 rc == HS_MISSING ? _("the history store %s is damaged: the record of claim "
                                      "'%.*s' (person '%.*s') is missing")
                                  : _("the history store %s is damaged: the record number of "
                                      "claim '%.*s' (person '%.*s') is not one"),
                 dir, idn, r->claim_id, pn, r->person);
    }
    return -1;
}

/* The record that claims value v names (LMDB): v itself in a staging
 * store, else the data table's record under the number v holds.  0, or an
 * LMDB error (HS_MISSING when v names no record, MDB_CORRUPTED when it is
 * not a number). */
static int claim_record(HTxn *t, const MDB_val *v, MDB_val *rec) {
    if (t->s->flags & HSTORE_STAGING) {
        *rec = *v;
        return 0;
    }
    if (v->mv_size != 8) return MDB_CORRUPTED;
    MDB_val k = {8, v->mv_data};
    int rc = mdb_get(t->txn, t->s->sh->data, &k, rec);
    return rc == MDB_NOTFOUND ? HS_MISSING : rc;
}

/* Deletes the record that claims value v names (not a staging store's:
 * its values are their records).  0, or an LMDB error (as claim_record). */
static int delete_record(HTxn *t, const MDB_val *v) {
    if (t->s->flags & HSTORE_STAGING) return 0;
    if (v->mv_size != 8) return MDB_CORRUPTED;
    unsigned char no[8]; /* v points into the map */
    memcpy(no, v->mv_data, 8);
    MDB_val k = {8, no};
    int rc = mdb_del(t->txn, t->s->sh->data, &k, NULL);
    return rc == MDB_NOTFOUND ? HS_MISSING : rc;
}

/* Reads the data table's next record number into t->next, once a
 * transaction (opening the cursor on data): 0, or an LMDB error. */
static int next_number(HTxn *t) {
    int rc;
    if (!t->cdata && (rc = mdb_cursor_open(t->txn, t->s->sh->data, &t->cdata)) != 0) return rc;
    if (t->next) return 0;
    MDB_val lk, lv; /* one past the greatest number in use */
    rc = mdb_cursor_get(t->cdata, &lk, &lv, MDB_LAST);
    if (rc == MDB_NOTFOUND)
        t->next = 1;
    else if (rc)
        return rc;
    else if (lk.mv_size != 8)
        return MDB_CORRUPTED;
    else
        t->next = get_be(lk.mv_data, 8) + 1;
    return 0;
}

/* Puts rec[0..n) under claims key k: in a staging store as the value, else
 * appended to the data table under the next number, which is the value.
 * 0, or an LMDB error. */
static int claims_put(HTxn *t, MDB_val *k, const char *rec, size_t n) {
    HShared *sh = t->s->sh;
    MDB_val v = {n, (void *)rec};
    if (t->s->flags & HSTORE_STAGING) return mdb_put(t->txn, sh->claims, k, &v, 0);
    int rc = next_number(t);
    if (rc) return rc;
    if (!t->cclaims && (rc = mdb_cursor_open(t->txn, sh->claims, &t->cclaims)) != 0) return rc;
    char no[8];
    put_be(no, t->next, 8);
    MDB_val dk = {8, no};
    /* numbers only grow: each record goes at the end of the table, whose
     * pages are filled in order and written once */
    rc = mdb_cursor_put(t->cdata, &dk, &v, MDB_APPEND);
    if (rc) return rc;
    t->next++;
    MDB_val nv = {8, no};
    return mdb_cursor_put(t->cclaims, k, &nv, 0);
}

/* Deletes the claim with this id from claims, data and ids: 1 done, 0
 * none. */
static int delete_id(HTxn *t, MDB_val *idk, char *err, size_t errcap) {
    MDB_val old;
    int rc = mdb_get(t->txn, t->s->sh->ids, idk, &old);
    if (rc == MDB_NOTFOUND) return 0;
    if (rc) return mdb_fail(err, errcap, rc);
    /* old points into the map: copy before deleting (not into t->key: a
     * put's key may be there) */
    sb_clear(&t->okey);
    sb_putn(&t->okey, old.mv_data, old.mv_size);
    if (t->okey.oom) return fail(err, errcap, "out of memory%s%s", "", "");
    MDB_val ok = {t->okey.len, t->okey.p}, cv;
    rc = mdb_get(t->txn, t->s->sh->claims, &ok, &cv);
    if (rc == 0 && (rc = delete_record(t, &cv)) != 0) {
        HRec r;
        return rec_fail(t, err, errcap, rc, split_key(&ok, &r) ? NULL : &r);
    }
    if (rc == 0) rc = mdb_del(t->txn, t->s->sh->claims, &ok, NULL);
    if (rc && rc != MDB_NOTFOUND) return mdb_fail(err, errcap, rc);
    rc = mdb_del(t->txn, t->s->sh->ids, idk, NULL);
    if (rc && rc != MDB_NOTFOUND) return mdb_fail(err, errcap, rc);
    t->changes++;
    return 1;
}

int hstore_key(const HStore *s, const Value *claim, uint32_t seq, StrBuf *key, const char **why) {
    const ArbStr *person, *id;
    int64_t at;
    if (hstore_claim_key(s, claim, &person, &at, &id, why)) return 1;
    int staging = s->sh->pg == NULL && (s->flags & HSTORE_STAGING);
    return make_key(key, person->data, person->len, at, staging ? seq : 0, id->data, id->len);
}

/* The id's entry of a store (not a staging store): k under idk in ids,
 * the claim stored under this id before removed.  0, or -1 (err). */
static int id_put(HTxn *t, MDB_val *k, MDB_val *idk, char *err, size_t errcap) {
    HStore *s = t->s;
    /* the record numbers read before a replaced claim's record is deleted:
     * they only grow, whatever order the entries and records are put in */
    int rc = next_number(t);
    if (rc) return mdb_fail(err, errcap, rc);
    /* the id's entry first, when the id is new (nearly always): one
     * descent in ids where a look-up and a put took two */
    if (!t->cids && (rc = mdb_cursor_open(t->txn, s->sh->ids, &t->cids)) != 0)
        return mdb_fail(err, errcap, rc);
    MDB_val iv = {k->mv_size, k->mv_data};
    rc = mdb_cursor_put(t->cids, idk, &iv, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) { /* a claim with this id: removed, then replaced */
        if (delete_id(t, idk, err, errcap) < 0) return -1;
        iv = (MDB_val){k->mv_size, k->mv_data};
        rc = mdb_put(t->txn, s->sh->ids, idk, &iv, 0);
    }
    return rc ? mdb_fail(err, errcap, rc) : 0;
}

/* lmdb_put without the id's entry of a store (id_put, made before). */
static int rec_put(HTxn *t, MDB_val *k, MDB_val *idk, const char *rec, size_t n, char *err,
                   size_t errcap) {
    HStore *s = t->s;
    int rc = claims_put(t, k, rec, n);
    if (rc) return mdb_fail(err, errcap, rc);
    if (s->flags & HSTORE_STAGING) {
        /* a staging store keeps both copies of a claim_id given twice; ids
         * holds the greatest seq (input order) of the id, so that recording
         * the batch keeps its last copy as history add does */
        HRec r;
        if (split_key(k, &r)) return fail(err, errcap, "history store: a damaged key%s%s", "", "");
        unsigned char be[4] = {(unsigned char)(r.seq >> 24), (unsigned char)(r.seq >> 16),
                               (unsigned char)(r.seq >> 8), (unsigned char)r.seq};
        MDB_val iv = {4, be};
        rc = mdb_put(t->txn, s->sh->ids, idk, &iv, MDB_NOOVERWRITE);
        if (rc == MDB_KEYEXIST) {
            rc = 0;
            if (iv.mv_size != 4 || memcmp(iv.mv_data, be, 4) < 0) {
                MDB_val nv = {4, be};
                rc = mdb_put(t->txn, s->sh->ids, idk, &nv, 0);
            }
        }
        if (rc) return mdb_fail(err, errcap, rc);
    }
    t->changes++;
    /* a record too big for half a page goes to pages of its own; in the
     * data table the others fill its last pages in order */
    size_t ps = s->sh->psize;
    size_t kn = s->flags & HSTORE_STAGING ? k->mv_size : 8;
    if (kn + n + 8 > ps / 2 - 18)
        t->ovpages += (n + 16 + ps - 1) / ps;
    else if (!(s->flags & HSTORE_STAGING))
        t->data_bytes += kn + n + 10;
    return 0;
}

/* Puts rec under claims key k and k under idk in ids (LMDB), replacing
 * the claim with this id (in a staging store: keeping both). */
static int lmdb_put(HTxn *t, MDB_val *k, MDB_val *idk, const char *rec, size_t n, char *err,
                    size_t errcap) {
    if (!(t->s->flags & HSTORE_STAGING) && id_put(t, k, idk, err, errcap)) return -1;
    return rec_put(t, k, idk, rec, n, err, errcap);
}

int hstore_put_id(HTxn *t, const char *key, size_t kn, char *err, size_t errcap) {
    if (t->pg || (t->s->flags & HSTORE_STAGING)) return 0; /* made by hstore_put_rec */
    MDB_val k = {kn, (void *)key};
    HRec r;
    if (split_key(&k, &r)) return fail(err, errcap, "history store: a damaged key%s%s", "", "");
    MDB_val idk = {r.claim_id_len, (void *)r.claim_id};
    return id_put(t, &k, &idk, err, errcap);
}

int hstore_put_rec(HTxn *t, const char *key, size_t kn, const char *rec, size_t n, char *err,
                   size_t errcap) {
    if (t->pg || (t->s->flags & HSTORE_STAGING))
        return hstore_put_key(t, key, kn, rec, n, err, errcap);
    MDB_val k = {kn, (void *)key};
    HRec r;
    if (split_key(&k, &r)) return fail(err, errcap, "history store: a damaged key%s%s", "", "");
    MDB_val idk = {r.claim_id_len, (void *)r.claim_id};
    return rec_put(t, &k, &idk, rec, n, err, errcap);
}

int hstore_put_key(HTxn *t, const char *key, size_t kn, const char *rec, size_t n, char *err,
                   size_t errcap) {
    MDB_val k = {kn, (void *)key};
    HRec r;
    if (split_key(&k, &r)) return fail(err, errcap, "history store: a damaged key%s%s", "", "");
    if (t->pg)
        return hpg_put(t->pg, r.person, r.person_len, r.t, 0, r.claim_id, r.claim_id_len, rec, n,
                       err, errcap);
    MDB_val idk = {r.claim_id_len, (void *)r.claim_id};
    return lmdb_put(t, &k, &idk, rec, n, err, errcap);
}

int hstore_put_encoded(HTxn *t, const Value *claim, uint32_t seq, const char *rec, size_t n,
                       const char **why, char *err, size_t errcap) {
    HStore *s = t->s;
    const ArbStr *person, *id;
    int64_t at;
    if (hstore_claim_key(s, claim, &person, &at, &id, why)) return 1;
    if (t->pg)
        return hpg_put(t->pg, person->data, person->len, at, 0, id->data, id->len, rec, n, err,
                       errcap);
    MDB_val idk = {id->len, (void *)id->data};
    int staging = s->flags & HSTORE_STAGING;
    if (make_key(&t->key, person->data, person->len, at, staging ? seq : 0, id->data, id->len))
        return fail(err, errcap, "out of memory%s%s", "", "");
    MDB_val k = {t->key.len, t->key.p};
    return lmdb_put(t, &k, &idk, rec, n, err, errcap);
}

size_t hstore_txn_dirty(HTxn *t) {
    if (t->pg || !t->write) return 0;
    /* an estimate: each change dirties one leaf of each table and the
     * branch pages above it (few: a table has about one per hundred
     * leaves, all counted), no table has more pages than it holds, and the
     * records' own pages come on top; what a page split or LMDB's free
     * list adds is not counted */
    size_t pages = t->ovpages + (t->data_bytes + t->s->sh->psize - 1) / t->s->sh->psize;
    MDB_dbi dbs[2] = {t->s->sh->claims, t->s->sh->ids};
    for (int i = 0; i < 2; i++) {
        MDB_stat st;
        size_t leaves = t->changes, branches = 0;
        if (mdb_stat(t->txn, dbs[i], &st) == 0) {
            leaves = st.ms_leaf_pages;
            branches = st.ms_branch_pages;
        }
        pages += (leaves < t->changes ? leaves : t->changes) +
                 (branches < t->changes ? branches : t->changes);
    }
    return pages * t->s->sh->psize;
}

int hstore_put(HTxn *t, const Value *claim, uint32_t seq, StrBuf *scratch, const char **why,
               char *err, size_t errcap) {
    sb_clear(scratch);
    if (t->s->enc)
        hcodec_encode_with(t->s->enc, t->s->cur_schema, claim, scratch);
    else
        hcodec_encode(t->s->p->claim, t->s->cur_schema, claim, scratch);
    if (scratch->oom) return fail(err, errcap, "out of memory%s%s", "", "");
    return hstore_put_encoded(t, claim, seq, scratch->p, scratch->len, why, err, errcap);
}

const char *hstore_key_id(const char *key, size_t kn, size_t *n) {
    MDB_val k = {kn, (void *)key};
    HRec r;
    if (split_key(&k, &r)) return NULL;
    *n = r.claim_id_len;
    return r.claim_id;
}

uint32_t hstore_schema(const HStore *s) {
    return s->cur_schema;
}

const HcEnc *hstore_encoder(const HStore *s) {
    return s->enc;
}

int hstore_reverse(HTxn *t, const char *claim_id, size_t n, char *err, size_t errcap) {
    MDB_val idk = {n, (void *)claim_id};
    if (n == 0 || n > MAX_KEY) return 0;
    if (t->pg) return hpg_delete(t->pg, claim_id, n, err, errcap);
    if (t->s->flags & HSTORE_STAGING) {
        MDB_val v = {0, ""};
        int rc = mdb_put(t->txn, t->s->sh->rev, &idk, &v, 0);
        return rc ? mdb_fail(err, errcap, rc) : 1;
    }
    return delete_id(t, &idk, err, errcap);
}

int hstore_has_id(HTxn *t, const char *claim_id, size_t n) {
    if (n == 0 || n > MAX_KEY) return 0;
    if (t->pg) return hpg_has_id(t->pg, claim_id, n);
    MDB_val k = {n, (void *)claim_id}, v;
    if ((t->s->flags & HSTORE_STAGING) && mdb_get(t->txn, t->s->sh->rev, &k, &v) == 0) return 2;
    return mdb_get(t->txn, t->s->sh->ids, &k, &v) == 0;
}

int hstore_staged_last(HTxn *t, const HRec *r) {
    if (t->pg || !(t->s->flags & HSTORE_STAGING)) return 1;
    MDB_val k = {r->claim_id_len, (void *)r->claim_id}, v;
    if (mdb_get(t->txn, t->s->sh->ids, &k, &v) != 0 || v.mv_size != 4) return 1;
    const unsigned char *b = v.mv_data;
    uint32_t seq = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return r->seq >= seq;
}

int hstore_is_reversed(HTxn *t, const char *claim_id, size_t n) {
    if (n == 0 || n > MAX_KEY || t->pg || !(t->s->flags & HSTORE_STAGING)) return 0;
    MDB_val k = {n, (void *)claim_id}, v;
    return mdb_get(t->txn, t->s->sh->rev, &k, &v) == 0;
}

int hstore_window(HTxn *t, const char *person, size_t pn, int64_t from, int64_t to_t,
                  uint32_t to_seq, int (*fn)(void *ud, const HRec *r), void *ud) {
    if (pn + 13 > MAX_KEY) return 0;
    if (t->pg) return hpg_window(t->pg, person, pn, from, to_t, to_seq, fn, ud);
    t->err[0] = 0;
    MDB_cursor *c;
    int g = mdb_cursor_open(t->txn, t->s->sh->claims, &c);
    if (g) return rec_fail(t, t->err, sizeof t->err, g, NULL);
    if (make_key(&t->key, person, pn, from, 0, "", 0)) {
        mdb_cursor_close(c);
        return fail(t->err, sizeof t->err, "out of memory%s%s", "", "");
    }
    MDB_val k = {t->key.len, t->key.p}, v;
    int rc = 0;
    for (int op = MDB_SET_RANGE; (g = mdb_cursor_get(c, &k, &v, op)) == 0; op = MDB_NEXT) {
        HRec r;
        if (split_key(&k, &r) || r.person_len != pn || memcmp(r.person, person, pn) != 0) break;
        if (r.t > to_t || (r.t == to_t && r.seq >= to_seq)) break;
        MDB_val rv;
        if ((g = claim_record(t, &v, &rv)) != 0) {
            rc = rec_fail(t, t->err, sizeof t->err, g, &r);
            break;
        }
        r.rec = rv.mv_data;
        r.rec_len = rv.mv_size;
        if (fn(ud, &r)) break;
    }
    if (rc == 0 && g && g != MDB_NOTFOUND) rc = rec_fail(t, t->err, sizeof t->err, g, NULL);
    mdb_cursor_close(c);
    return rc;
}

int hstore_each(HTxn *t, int (*fn)(void *ud, const HRec *r), void *ud) {
    if (t->pg) return hpg_each(t->pg, fn, ud);
    t->err[0] = 0;
    MDB_cursor *c;
    int g = mdb_cursor_open(t->txn, t->s->sh->claims, &c), rc = 0;
    if (g) return rec_fail(t, t->err, sizeof t->err, g, NULL);
    MDB_val k, v;
    for (int op = MDB_FIRST; (g = mdb_cursor_get(c, &k, &v, op)) == 0; op = MDB_NEXT) {
        HRec r;
        if (split_key(&k, &r)) {
            rc = fail(t->err, sizeof t->err,
                      "the history store %s is damaged: a claim's key is not one%s", t->s->sh->dir,
                      "");
            break;
        }
        MDB_val rv;
        if ((g = claim_record(t, &v, &rv)) != 0) {
            rc = rec_fail(t, t->err, sizeof t->err, g, &r);
            break;
        }
        r.rec = rv.mv_data;
        r.rec_len = rv.mv_size;
        if (fn(ud, &r)) break;
    }
    if (rc == 0 && g && g != MDB_NOTFOUND) rc = rec_fail(t, t->err, sizeof t->err, g, NULL);
    mdb_cursor_close(c);
    return rc;
}

const char *hstore_txn_error(const HTxn *t) {
    return t->err;
}

int hstore_each_reversed(HTxn *t, int (*fn)(void *ud, const char *id, size_t n), void *ud) {
    if (t->pg) return 0; /* only a staging store keeps reversals */
    MDB_cursor *c;
    if (mdb_cursor_open(t->txn, t->s->sh->rev, &c)) return -1;
    MDB_val k, v;
    int g, rc = 0;
    for (int op = MDB_FIRST; (g = mdb_cursor_get(c, &k, &v, op)) == 0; op = MDB_NEXT)
        if (fn(ud, k.mv_data, k.mv_size)) break;
    if (g && g != MDB_NOTFOUND) rc = -1;
    mdb_cursor_close(c);
    return rc;
}

int hstore_copy(HTxn *t, const HStore *from, const HRec *r, StrBuf *scratch, char *err,
                size_t errcap) {
    HStore *s = t->s;
    size_t body;
    int64_t no = hcodec_schema_no(r->rec, r->rec_len, &body);
    if (no < 1 || (uint32_t)no != from->cur_schema || !s->cur_schema)
        return fail(err, errcap, "history store: a staged claim has another schema%s%s", "", "");
    if (t->pg) {
        sb_clear(scratch);
        hcodec_put_varint(scratch, s->cur_schema);
        sb_putn(scratch, r->rec + body, r->rec_len - body);
        if (scratch->oom) return fail(err, errcap, "out of memory%s%s", "", "");
        return hpg_put(t->pg, r->person, r->person_len, r->t, 0, r->claim_id, r->claim_id_len,
                       scratch->p, scratch->len, err, errcap);
    }
    MDB_val idk = {r->claim_id_len, (void *)r->claim_id};
    if (delete_id(t, &idk, err, errcap) < 0) return -1;
    if (make_key(&t->key, r->person, r->person_len, r->t, 0, r->claim_id, r->claim_id_len))
        return fail(err, errcap, "out of memory%s%s", "", "");
    sb_clear(scratch);
    hcodec_put_varint(scratch, s->cur_schema);
    sb_putn(scratch, r->rec + body, r->rec_len - body);
    if (scratch->oom) return fail(err, errcap, "out of memory%s%s", "", "");
    MDB_val k = {t->key.len, t->key.p};
    int rc = claims_put(t, &k, scratch->p, scratch->len);
    if (rc) return mdb_fail(err, errcap, rc);
    rc = mdb_put(t->txn, s->sh->ids, &idk, &k, 0);
    return rc ? mdb_fail(err, errcap, rc) : 0;
}

int hstore_decode(const HStore *s, const HRec *r, Arena *ar, Value **out) {
    size_t body;
    const HcPlan *pl = plan_for((HStore *)s, hcodec_schema_no(r->rec, r->rec_len, &body));
    if (!pl) return -1;
    return hcodec_decode(pl, r->rec + body, r->rec_len - body, ar, out);
}

int hstore_decode_into(const HStore *s, const char *rec, size_t n, Arena *ar, Value *dst) {
    size_t body;
    const HcPlan *pl = plan_for((HStore *)s, hcodec_schema_no(rec, n, &body));
    if (!pl) return -1;
    return hcodec_decode_into(pl, rec + body, n - body, ar, dst);
}

/* The history() plan for schema number no (plan_for loads both). */
static const HcPlan *hplan_for(HStore *s, int64_t no) {
    if (!plan_for(s, no)) return NULL;
    return atomic_load(&s->hplans[no - 1]);
}

int hstore_decode_hist(const HStore *s, const char *rec, size_t n, Arena *ar, Value *dst,
                       int hashed) {
    size_t body;
    const HcPlan *pl = hplan_for((HStore *)s, hcodec_schema_no(rec, n, &body));
    if (!pl) return -1;
    return hashed ? hcodec_decode_into_hashed(pl, rec + body, n - body, ar, dst)
                  : hcodec_decode_into(pl, rec + body, n - body, ar, dst);
}

const Program *hstore_program(const HStore *s) {
    return s->p;
}

int hstore_decode_hashed(const HStore *s, const char *rec, size_t n, Arena *ar, Value *dst) {
    size_t body;
    const HcPlan *pl = plan_for((HStore *)s, hcodec_schema_no(rec, n, &body));
    if (!pl) return -1;
    return hcodec_decode_into_hashed(pl, rec + body, n - body, ar, dst);
}

int hstore_unhash(const HStore *s, const char *rec, size_t n, StrBuf *out) {
    size_t body;
    int64_t no = hcodec_schema_no(rec, n, &body);
    const HcPlan *pl = plan_for((HStore *)s, no);
    if (!pl) return -1;
    sb_clear(out);
    hcodec_put_varint(out, (uint64_t)no);
    if (hcodec_unhash(pl, rec + body, n - body, out)) return -1;
    return out->oom ? -2 : 0;
}

int64_t hstore_prune(HStore *s, int64_t before, char *err, size_t errcap) {
    if (!(s->flags & HSTORE_WRITE))
        return fail(err, errcap, "the history store %s is open read-only%s", s->sh->dir, "");
    if (s->sh->pg) return hpg_prune(s->sh->pg, before, err, errcap);
    int64_t removed = 0;
    StrBuf resume;
    sb_init(&resume, s->alloc);
    for (;;) {
        HTxn *t;
        if (hstore_begin(s, 1, &t, err, errcap)) {
            removed = -1;
            break;
        }
        MDB_cursor *c;
        if (mdb_cursor_open(t->txn, s->sh->claims, &c)) {
            hstore_abort(t);
            removed = fail(err, errcap, "history store: cannot read%s%s", "", "");
            break;
        }
        MDB_val k = {resume.len, resume.p}, v;
        int op = resume.len ? MDB_SET_RANGE : MDB_FIRST, g, n = 0, more = 0;
        while ((g = mdb_cursor_get(c, &k, &v, op)) == 0) {
            op = MDB_NEXT;
            HRec r;
            if (split_key(&k, &r) || r.t >= before) continue;
            /* k and v point into the map, valid only until the next update:
             * the key is kept in resume and the record deleted first */
            sb_clear(&resume);
            sb_putn(&resume, k.mv_data, k.mv_size);
            int same = 0;
            MDB_val idk = {r.claim_id_len, (void *)r.claim_id}, cur;
            if (mdb_get(t->txn, s->sh->ids, &idk, &cur) == 0 && cur.mv_size == k.mv_size &&
                memcmp(cur.mv_data, k.mv_data, k.mv_size) == 0)
                same = 1; /* the id's entry is this claim's */
            if ((g = delete_record(t, &v)) != 0) {
                rec_fail(t, err, errcap, g, &r); /* r still points at the key */
                g = HS_MISSING - 1;              /* the message is written */
                break;
            }
            if (same) {
                idk.mv_data = resume.p + (r.claim_id - (const char *)k.mv_data);
                mdb_del(t->txn, s->sh->ids, &idk, NULL);
            }
            if ((g = mdb_cursor_del(c, 0)) != 0) break;
            removed++;
            k.mv_data = resume.p; /* the next key after the one deleted */
            k.mv_size = resume.len;
            op = MDB_SET_RANGE;
            if (++n == 10000) {
                more = 1;
                break;
            }
        }
        mdb_cursor_close(c);
        if (g != 0 && g != MDB_NOTFOUND && !more) {
            hstore_abort(t);
            removed = g == HS_MISSING - 1 ? -1 : mdb_fail(err, errcap, g);
            break;
        }
        if (hstore_commit(t, err, errcap)) {
            removed = -1;
            break;
        }
        if (!more) break;
    }
    sb_free(&resume);
    return removed;
}

int hstore_stats(HStore *s, HStoreStats *st, char *err, size_t errcap) {
    memset(st, 0, sizeof *st);
    st->first = st->last = ARB_NULL;
    st->schemas = atomic_load(&s->nschemas);
    if (s->sh->pg) return hpg_stats(s->sh->pg, st, err, errcap);
    HTxn *t;
    if (hstore_begin(s, 0, &t, err, errcap)) return -1;
    MDB_cursor *c;
    if (mdb_cursor_open(t->txn, s->sh->claims, &c)) {
        hstore_abort(t);
        return fail(err, errcap, "history store: cannot read%s%s", "", "");
    }
    MDB_val k, v;
    const char *prev = NULL;
    size_t prevn = 0;
    StrBuf pb;
    sb_init(&pb, s->alloc);
    for (int op = MDB_FIRST; mdb_cursor_get(c, &k, &v, op) == 0; op = MDB_NEXT) {
        HRec r;
        if (split_key(&k, &r)) continue;
        st->claims++;
        if (!prev || r.person_len != prevn || memcmp(r.person, prev, prevn) != 0) {
            st->persons++;
            sb_clear(&pb);
            sb_putn(&pb, r.person, r.person_len);
            prev = pb.p;
            prevn = r.person_len;
        }
        if (st->first == ARB_NULL || r.t < st->first) st->first = r.t;
        if (st->last == ARB_NULL || r.t > st->last) st->last = r.t;
    }
    mdb_cursor_close(c);
    MDB_stat ms;
    if (mdb_stat(t->txn, s->sh->rev, &ms) == 0) st->reversed = ms.ms_entries;
    if (s->sh->has_feedback && mdb_stat(t->txn, s->sh->feedback, &ms) == 0)
        st->feedback = ms.ms_entries;
    hstore_abort(t);
    sb_free(&pb);
    MDB_envinfo info;
    MDB_stat es;
    if (mdb_env_info(s->sh->env, &info) == 0 && mdb_env_stat(s->sh->env, &es) == 0)
        st->used_bytes = (uint64_t)(info.me_last_pgno + 1) * es.ms_psize;
    char path[4200];
    snprintf(path, sizeof path, "%s/data.mdb", s->sh->dir);
    struct stat sb;
    if (stat(path, &sb) == 0) st->file_bytes = (uint64_t)sb.st_size;
    return 0;
}

void hstore_release_pages(HStore *s) {
    MDB_envinfo info;
    MDB_stat es;
    HShared *sh = s->sh;
    if (!sh->env || !sh->map || mdb_env_info(sh->env, &info) || mdb_env_stat(sh->env, &es)) return;
    size_t used = (size_t)(info.me_last_pgno + 1) * es.ms_psize;
    if (used > sh->map_size) used = sh->map_size;
    madvise(sh->map, used, MADV_DONTNEED);
}

/* ------------------------------------------------------------ feedback */

int hstore_feedback_add(HStore *s, const char *jr_id, size_t jn, const char *json, size_t n,
                        char *err, size_t errcap) {
    HShared *sh = s->sh;
    if (!(s->flags & HSTORE_WRITE))
        return fail(err, errcap, "the history store %s is open read-only%s", sh->dir, "");
    if (sh->pg) return hpg_feedback_add(sh->pg, jr_id, jn, json, n, err, errcap);
    MDB_txn *txn;
    int rc = mdb_txn_begin(sh->env, NULL, 0, &txn);
    if (rc) return mdb_fail(err, errcap, rc);
    /* keyed by arrival: one more than the last */
    MDB_cursor *c;
    MDB_val k, v;
    uint64_t next = 1;
    rc = mdb_cursor_open(txn, sh->feedback, &c);
    if (rc == 0) {
        int g = mdb_cursor_get(c, &k, &v, MDB_LAST);
        if (g == 0 && k.mv_size == 8)
            next = get_be(k.mv_data, 8) + 1;
        else if (g && g != MDB_NOTFOUND)
            rc = g;
        mdb_cursor_close(c);
    }
    char kb[8];
    put_be(kb, next, 8);
    MDB_val nk = {8, kb}, nv = {n, (void *)json};
    if (rc == 0) rc = mdb_put(txn, sh->feedback, &nk, &nv, MDB_APPEND);
    if (rc) {
        mdb_txn_abort(txn);
        return mdb_fail(err, errcap, rc);
    }
    rc = mdb_txn_commit(txn);
    return rc ? fail(err, errcap, "history store: cannot commit: %s%s", mdb_strerror(rc), "") : 0;
}

int hstore_feedback_each(HStore *s, int (*fn)(void *ud, const char *json, size_t n), void *ud,
                         char *err, size_t errcap) {
    HShared *sh = s->sh;
    if (sh->pg) return hpg_feedback_each(sh->pg, fn, ud, err, errcap);
    if (!sh->has_feedback) return 0;
    MDB_txn *txn;
    int rc = mdb_txn_begin(sh->env, NULL, MDB_RDONLY, &txn);
    if (rc) return mdb_fail(err, errcap, rc);
    MDB_cursor *c;
    MDB_val k, v;
    int g = MDB_NOTFOUND;
    rc = mdb_cursor_open(txn, sh->feedback, &c);
    if (rc == 0) {
        for (int op = MDB_FIRST; (g = mdb_cursor_get(c, &k, &v, op)) == 0; op = MDB_NEXT)
            if (fn(ud, v.mv_data, v.mv_size)) break;
        mdb_cursor_close(c);
    }
    mdb_txn_abort(txn);
    if (rc) return mdb_fail(err, errcap, rc);
    return g && g != MDB_NOTFOUND ? mdb_fail(err, errcap, g) : 0;
}

/* Resident file-backed pages of the process (statm's "shared", its third
 * number).  Read with open/read, not stdio: a batch asks often. */
static size_t resident_file_pages(void) {
    char buf[256];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    const char *p = buf;
    for (int skip = 0; skip < 2; skip++) { /* size, resident */
        while (*p >= '0' && *p <= '9') p++;
        if (*p != ' ') return 0;
        p++;
    }
    size_t shared = 0;
    if (*p < '0' || *p > '9') return 0;
    while (*p >= '0' && *p <= '9') shared = shared * 10 + (size_t)(*p++ - '0');
    return shared;
}

void hstore_guard_init(HMemGuard *g, size_t budget_bytes) {
    long ps = sysconf(_SC_PAGESIZE);
    g->base = resident_file_pages();
    g->budget = budget_bytes / (size_t)(ps > 0 ? ps : 4096);
}

int hstore_guard_over(const HMemGuard *g) {
    return g && resident_file_pages() > g->base + g->budget;
}
