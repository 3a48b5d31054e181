/* store_engines.c — the candidate engines for the per-person claim-history
 * store (LMDB, SQLite, RocksDB) measured side by side on one workload, in one
 * run: ingest rate, point read of one person's window, size on disk; plus
 * what each guarantees after a crash with the settings used (stated, not
 * measured).  Standalone: built by bench/store_engines.sh, not by CMake.
 *
 * Usage: store_engines CLAIMS.jsonl DIR [READS] [ENGINE,...]
 *
 * Workload, the same for every engine:
 *   value   the first len/3 bytes of each JSON line (our binary encoding of a
 *           claim is about a third of its JSON size);
 *   key     person_id, 0x00, settle_time as 8-byte big-endian seconds,
 *           claim_id; plus a secondary map claim_id -> key, written in the
 *           same transaction;
 *   ingest  every claim in input order (not key order), one commit per 2,000
 *           claims, from one thread;
 *   read    after the store is closed and reopened and a full scan has warmed
 *           the caches: READS (default 100,000) random persons, each read of
 *           the person's claims with time in [t - 365 days, t) for t the time
 *           of one of the person's own claims, in key order, summing every
 *           byte of every value.  Every engine's rows are checked against the
 *           same read done in memory. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <lmdb.h>
#include <rocksdb/c.h>
#include <sqlite3.h>

#define BATCH 2000
#define WINDOW (365 * 86400LL)
#define MAXID 64

/* ---- claims and queries ---------------------------------------------------- */

typedef struct {
    const unsigned char *val; /* first len/3 bytes of the JSON line */
    size_t vlen;
    const char *person, *claim;
    size_t plen, clen;
    int64_t t; /* settle_time, seconds since 1970 (UTC, no zone in the data) */
    unsigned char *key;
    size_t klen;
} Claim;

typedef struct {
    const char *person;
    size_t plen;
    int64_t lo, hi; /* [lo, hi) */
    unsigned char from[MAXID + 9], to[MAXID + 9];
    size_t flen; /* length of from and of to */
} Query;

typedef struct {
    uint64_t rows, hash;
} Tally;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* sum of every byte of a value: what decoding it would at least touch */
static uint64_t touch(const unsigned char *p, size_t n) {
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++) s += p[i];
    return s;
}

/* one row read: the hash depends on the order of the rows */
static void tally_row(Tally *t, const void *val, size_t n) {
    t->rows++;
    t->hash = t->hash * 1000003u + touch(val, n) + n;
}

static int is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t days_since_1970(int y, int m, int d) {
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int64_t p = y - 1;
    int64_t leaps = p / 4 - p / 100 + p / 400 - (1969 / 4 - 1969 / 100 + 1969 / 400);
    return (int64_t)(y - 1970) * 365 + leaps + before[m - 1] + (d - 1) + (m > 2 && is_leap(y));
}

static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DDTHH:MM:SS" or "YYYY-MM-DD HH:MM:SS" -> seconds; -1 if not */
static int64_t parse_time(const char *s) {
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || mi < 0 || se < 0 ||
        s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return -1;
    return days_since_1970(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

/* the string value of "name":"..." in a NUL-terminated line */
static const char *field(const char *line, const char *pattern, size_t *len) {
    const char *p = strstr(line, pattern);
    if (!p) return NULL;
    p += strlen(pattern);
    const char *q = strchr(p, '"');
    if (!q) return NULL;
    *len = (size_t)(q - p);
    return p;
}

static void put_be64(unsigned char *p, int64_t v) {
    for (int i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8)) p[i] = (unsigned char)v;
}

/* person, 0x00, big-endian t: the prefix of every key of that person at t */
static size_t key_prefix(unsigned char *k, const char *person, size_t plen, int64_t t) {
    memcpy(k, person, plen);
    k[plen] = 0;
    put_be64(k + plen + 1, t);
    return plen + 9;
}

static int key_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn) {
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static const Claim *sort_base;
static int by_key(const void *x, const void *y) {
    const Claim *a = sort_base + *(const size_t *)x, *b = sort_base + *(const size_t *)y;
    return key_cmp(a->key, a->klen, b->key, b->klen);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

/* ---- engines ----------------------------------------------------------------- */

typedef struct {
    const char *name, *settings, *crash;
    int (*create)(const char *dir, size_t bytes, void **h);
    int (*put_batch)(void *h, const Claim *c, size_t n); /* one transaction */
    int (*open)(const char *dir, size_t bytes, void **h);
    int (*scan)(void *h, Tally *t);
    int (*range)(void *h, const Query *q, Tally *t);
    int (*close)(void *h);
} Engine;

/* LMDB */

typedef struct {
    MDB_env *env;
    MDB_dbi claims, ids;
    MDB_txn *rtxn;
    MDB_cursor *cur;
} Lmdb;

static int lmdb_fail(const char *what, int rc) {
    fprintf(stderr, "lmdb: %s: %s\n", what, mdb_strerror(rc));
    return -1;
}

static int lmdb_start(const char *dir, size_t bytes, unsigned dbflags, void **h) {
    Lmdb *s = calloc(1, sizeof *s);
    MDB_txn *txn;
    int rc;
    if (!s) return -1;
    *h = s;
    /* address space only: the file grows with what is written */
    size_t map = ((size_t)1 << 30) + bytes * 8;
    if ((rc = mdb_env_create(&s->env)) || (rc = mdb_env_set_maxdbs(s->env, 2)) ||
        (rc = mdb_env_set_mapsize(s->env, map)) || (rc = mdb_env_open(s->env, dir, 0, 0664)))
        return lmdb_fail("open", rc);
    if ((rc = mdb_txn_begin(s->env, NULL, dbflags ? 0 : MDB_RDONLY, &txn)) ||
        (rc = mdb_dbi_open(txn, "claims", dbflags, &s->claims)) ||
        (rc = mdb_dbi_open(txn, "by_claim_id", dbflags, &s->ids)) || (rc = mdb_txn_commit(txn)))
        return lmdb_fail("named databases", rc);
    return 0;
}

static int lmdb_create(const char *dir, size_t bytes, void **h) {
    return lmdb_start(dir, bytes, MDB_CREATE, h);
}

static int lmdb_put_batch(void *h, const Claim *c, size_t n) {
    Lmdb *s = h;
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc) return lmdb_fail("begin", rc);
    for (size_t i = 0; i < n; i++) {
        MDB_val k = {c[i].klen, c[i].key}, v = {c[i].vlen, (void *)c[i].val};
        MDB_val id = {c[i].clen, (void *)c[i].claim};
        if ((rc = mdb_put(txn, s->claims, &k, &v, 0)) || (rc = mdb_put(txn, s->ids, &id, &k, 0))) {
            mdb_txn_abort(txn);
            return lmdb_fail("put", rc);
        }
    }
    if ((rc = mdb_txn_commit(txn))) return lmdb_fail("commit", rc);
    return 0;
}

static int lmdb_open(const char *dir, size_t bytes, void **h) {
    int rc = lmdb_start(dir, bytes, 0, h);
    Lmdb *s = *h;
    if (rc) return rc;
    /* one read transaction and cursor, reset and renewed around each read */
    if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &s->rtxn)) ||
        (rc = mdb_cursor_open(s->rtxn, s->claims, &s->cur)))
        return lmdb_fail("read transaction", rc);
    mdb_txn_reset(s->rtxn);
    return 0;
}

/* rows from `from` (or the first) while key < to (or to the end) */
static int lmdb_walk(Lmdb *s, const unsigned char *from, const unsigned char *to, size_t len,
                     Tally *t) {
    MDB_val k = {len, (void *)from}, v;
    int rc;
    if ((rc = mdb_txn_renew(s->rtxn)) || (rc = mdb_cursor_renew(s->rtxn, s->cur)))
        return lmdb_fail("renew", rc);
    rc = mdb_cursor_get(s->cur, &k, &v, from ? MDB_SET_RANGE : MDB_FIRST);
    while (rc == 0 && (!to || key_cmp(k.mv_data, k.mv_size, to, len) < 0)) {
        tally_row(t, v.mv_data, v.mv_size); /* straight from the map, no copy */
        rc = mdb_cursor_get(s->cur, &k, &v, MDB_NEXT);
    }
    mdb_txn_reset(s->rtxn);
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : lmdb_fail("cursor", rc);
}

static int lmdb_scan(void *h, Tally *t) {
    return lmdb_walk(h, NULL, NULL, 0, t);
}

static int lmdb_range(void *h, const Query *q, Tally *t) {
    return lmdb_walk(h, q->from, q->to, q->flen, t);
}

static int lmdb_close(void *h) {
    Lmdb *s = h;
    if (s->cur) mdb_cursor_close(s->cur);
    if (s->rtxn) mdb_txn_abort(s->rtxn);
    if (s->env) mdb_env_close(s->env);
    free(s);
    return 0;
}

/* SQLite */

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *ins, *sel, *all;
} Sql;

static int sql_fail(Sql *s, const char *what) {
    fprintf(stderr, "sqlite: %s: %s\n", what, s->db ? sqlite3_errmsg(s->db) : "out of memory");
    return -1;
}

static int sql_start(const char *dir, int create, void **h) {
    Sql *s = calloc(1, sizeof *s);
    char path[4096];
    if (!s) return -1;
    *h = s;
    snprintf(path, sizeof path, "%s/claims.db", dir);
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags, NULL)) return sql_fail(s, "open");
    if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", 0, 0, 0))
        return sql_fail(s, "pragmas");
    if (create &&
        sqlite3_exec(s->db,
                     "CREATE TABLE claims(person TEXT NOT NULL, t INTEGER NOT NULL, claim TEXT NOT "
                     "NULL, v BLOB NOT NULL, PRIMARY KEY (person, t, claim)) WITHOUT ROWID;"
                     "CREATE UNIQUE INDEX claims_by_claim_id ON claims(claim);",
                     0, 0, 0))
        return sql_fail(s, "schema");
    if (sqlite3_prepare_v2(s->db, "INSERT INTO claims VALUES (?1, ?2, ?3, ?4)", -1, &s->ins, 0) ||
        sqlite3_prepare_v2(s->db,
                           "SELECT v FROM claims WHERE person = ?1 AND t >= ?2 AND t < ?3 "
                           "ORDER BY t, claim",
                           -1, &s->sel, 0) ||
        sqlite3_prepare_v2(s->db, "SELECT v FROM claims ORDER BY person, t, claim", -1, &s->all, 0))
        return sql_fail(s, "prepare");
    return 0;
}

static int sql_create(const char *dir, size_t bytes, void **h) {
    (void)bytes;
    return sql_start(dir, 1, h);
}

static int sql_open(const char *dir, size_t bytes, void **h) {
    (void)bytes;
    return sql_start(dir, 0, h);
}

static int sql_put_batch(void *h, const Claim *c, size_t n) {
    Sql *s = h;
    if (sqlite3_exec(s->db, "BEGIN", 0, 0, 0)) return sql_fail(s, "begin");
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_text(s->ins, 1, c[i].person, (int)c[i].plen, SQLITE_STATIC);
        sqlite3_bind_int64(s->ins, 2, c[i].t);
        sqlite3_bind_text(s->ins, 3, c[i].claim, (int)c[i].clen, SQLITE_STATIC);
        sqlite3_bind_blob(s->ins, 4, c[i].val, (int)c[i].vlen, SQLITE_STATIC);
        int rc = sqlite3_step(s->ins);
        sqlite3_reset(s->ins);
        if (rc != SQLITE_DONE) return sql_fail(s, "insert");
    }
    if (sqlite3_exec(s->db, "COMMIT", 0, 0, 0)) return sql_fail(s, "commit");
    return 0;
}

static int sql_rows(Sql *s, sqlite3_stmt *st, Tally *t) {
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const void *v = sqlite3_column_blob(st, 0);
        tally_row(t, v, (size_t)sqlite3_column_bytes(st, 0));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sql_fail(s, "select");
}

static int sql_scan(void *h, Tally *t) {
    Sql *s = h;
    return sql_rows(s, s->all, t);
}

static int sql_range(void *h, const Query *q, Tally *t) {
    Sql *s = h;
    sqlite3_bind_text(s->sel, 1, q->person, (int)q->plen, SQLITE_STATIC);
    sqlite3_bind_int64(s->sel, 2, q->lo);
    sqlite3_bind_int64(s->sel, 3, q->hi);
    return sql_rows(s, s->sel, t);
}

static int sql_close(void *h) {
    Sql *s = h;
    sqlite3_finalize(s->ins);
    sqlite3_finalize(s->sel);
    sqlite3_finalize(s->all);
    int rc = sqlite3_close(s->db) == SQLITE_OK ? 0 : sql_fail(s, "close");
    free(s);
    return rc;
}

/* RocksDB */

typedef struct {
    rocksdb_t *db;
    rocksdb_options_t *opt;
    rocksdb_column_family_handle_t *cf[2]; /* default: claims; by_claim_id */
    rocksdb_writeoptions_t *wo;
    rocksdb_readoptions_t *ro;
    rocksdb_writebatch_t *batch;
} Rocks;

static int rocks_fail(const char *what, char *err) {
    fprintf(stderr, "rocksdb: %s: %s\n", what, err ? err : "failed");
    free(err);
    return -1;
}

static int rocks_start(const char *dir, int create, void **h) {
    Rocks *s = calloc(1, sizeof *s);
    char *err = NULL;
    if (!s) return -1;
    *h = s;
    s->opt = rocksdb_options_create(); /* defaults, but for creating */
    rocksdb_options_set_create_if_missing(s->opt, (unsigned char)create);
    rocksdb_options_set_create_missing_column_families(s->opt, (unsigned char)create);
    const char *names[2] = {"default", "by_claim_id"};
    const rocksdb_options_t *opts[2] = {s->opt, s->opt};
    s->db = rocksdb_open_column_families(s->opt, dir, 2, names, opts, s->cf, &err);
    if (err) return rocks_fail("open", err);
    s->wo = rocksdb_writeoptions_create(); /* WAL on, no sync */
    s->ro = rocksdb_readoptions_create();
    s->batch = rocksdb_writebatch_create();
    return 0;
}

static int rocks_create(const char *dir, size_t bytes, void **h) {
    (void)bytes;
    return rocks_start(dir, 1, h);
}

static int rocks_open(const char *dir, size_t bytes, void **h) {
    (void)bytes;
    return rocks_start(dir, 0, h);
}

static int rocks_put_batch(void *h, const Claim *c, size_t n) {
    Rocks *s = h;
    char *err = NULL;
    rocksdb_writebatch_clear(s->batch);
    for (size_t i = 0; i < n; i++) {
        rocksdb_writebatch_put_cf(s->batch, s->cf[0], (const char *)c[i].key, c[i].klen,
                                  (const char *)c[i].val, c[i].vlen);
        rocksdb_writebatch_put_cf(s->batch, s->cf[1], c[i].claim, c[i].clen, (const char *)c[i].key,
                                  c[i].klen);
    }
    rocksdb_write(s->db, s->wo, s->batch, &err);
    return err ? rocks_fail("write", err) : 0;
}

static int rocks_walk(Rocks *s, const Query *q, Tally *t) {
    char *err = NULL;
    if (q) rocksdb_readoptions_set_iterate_upper_bound(s->ro, (const char *)q->to, q->flen);
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(s->db, s->ro, s->cf[0]);
    if (q)
        rocksdb_iter_seek(it, (const char *)q->from, q->flen);
    else
        rocksdb_iter_seek_to_first(it);
    for (; rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t n;
        const char *v = rocksdb_iter_value(it, &n);
        tally_row(t, v, n);
    }
    rocksdb_iter_get_error(it, &err);
    rocksdb_iter_destroy(it);
    return err ? rocks_fail("iterate", err) : 0;
}

static int rocks_scan(void *h, Tally *t) {
    return rocks_walk(h, NULL, t);
}

static int rocks_range(void *h, const Query *q, Tally *t) {
    return rocks_walk(h, q, t);
}

static int rocks_close(void *h) {
    Rocks *s = h;
    for (int i = 0; i < 2; i++)
        if (s->cf[i]) rocksdb_column_family_handle_destroy(s->cf[i]);
    if (s->db) rocksdb_close(s->db);
    if (s->batch) rocksdb_writebatch_destroy(s->batch);
    if (s->wo) rocksdb_writeoptions_destroy(s->wo);
    if (s->ro) rocksdb_readoptions_destroy(s->ro);
    if (s->opt) rocksdb_options_destroy(s->opt);
    free(s);
    return 0;
}

static const Engine engines[] = {
    {"lmdb",
     "one env, named DBs claims + by_claim_id, default flags (fsync at commit), "
     "map size 1 GiB + 8x data",
     "a committed transaction is on disk when commit returns (data fsync, then meta page "
     "fsync); after a process, OS or power crash the store opens at the last commit, no "
     "recovery step; a torn transaction is never seen",
     lmdb_create, lmdb_put_batch, lmdb_open, lmdb_scan, lmdb_range, lmdb_close},
    {"sqlite",
     "WAL, synchronous=NORMAL, WITHOUT ROWID table keyed by (person, t, claim) + unique "
     "index on claim, prepared statements, default page cache",
     "commits are atomic and survive a process crash; the WAL is fsynced only at "
     "checkpoints, so an OS crash or power loss can roll back the last commits (the file "
     "stays consistent); the next open recovers from the WAL",
     sql_create, sql_put_batch, sql_open, sql_scan, sql_range, sql_close},
    {"rocksdb",
     "default options (snappy, 8 MB block cache, background flush/compaction threads), "
     "column families default + by_claim_id, one WriteBatch per commit, WAL on, sync off",
     "a batch is atomic and survives a process crash (WAL written before the call returns); "
     "the WAL is not fsynced, so an OS crash or power loss can lose the last batches; the "
     "next open replays the WAL (point-in-time recovery)",
     rocks_create, rocks_put_batch, rocks_open, rocks_scan, rocks_range, rocks_close},
};

/* ---- measuring ----------------------------------------------------------------- */

/* bytes allocated on disk under a directory, as du counts them */
static uint64_t disk_bytes(const char *dir) {
    uint64_t total = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) return 0;
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st)) continue;
        total += (uint64_t)st.st_blocks * 512;
        if (S_ISDIR(st.st_mode)) total += disk_bytes(path);
    }
    closedir(d);
    return total;
}

static int by_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

typedef struct {
    double ingest_s, ingest_cpu, close_s, p50, p99, reads_s;
    uint64_t disk, disk_reopened;
} Result;

static int measure(const Engine *en, const char *dir, const Claim *c, size_t n, size_t bytes,
                   const Query *q, size_t nq, Tally want_scan, Tally want_reads, double *lat,
                   Result *r) {
    void *h = NULL;
    Tally scan = {0, 0}, got = {0, 0};
    if (mkdir(dir, 0775)) return fprintf(stderr, "%s: %s\n", dir, strerror(errno)), -1;

    /* ingest: input order, one transaction per BATCH claims */
    if (en->create(dir, bytes, &h)) return -1;
    double t0 = now(), c0 = cpu_seconds();
    for (size_t i = 0; i < n; i += BATCH)
        if (en->put_batch(h, c + i, n - i < BATCH ? n - i : BATCH)) return -1;
    r->ingest_s = now() - t0;
    r->ingest_cpu = cpu_seconds() - c0;
    t0 = now();
    if (en->close(h)) return -1;
    r->close_s = now() - t0;
    r->disk = disk_bytes(dir);

    /* reopen, warm the caches with a full scan, then the timed reads */
    if (en->open(dir, bytes, &h) || en->scan(h, &scan)) return -1;
    if (scan.rows != want_scan.rows || scan.hash != want_scan.hash) {
        fprintf(stderr, "%s: full scan: %" PRIu64 " rows, expected %" PRIu64 " (or bytes differ)\n",
                en->name, scan.rows, want_scan.rows);
        return -1;
    }
    double all = now();
    for (size_t i = 0; i < nq; i++) {
        Tally t = {0, 0};
        t0 = now();
        if (en->range(h, &q[i], &t)) return -1;
        lat[i] = (now() - t0) * 1e6;
        got.rows += t.rows;
        got.hash += t.hash;
    }
    all = now() - all;
    if (en->close(h)) return -1;
    r->disk_reopened = disk_bytes(dir);
    if (got.rows != want_reads.rows || got.hash != want_reads.hash) {
        fprintf(stderr,
                "%s: reads: %" PRIu64 " rows, expected %" PRIu64 " (or bytes/order differ)\n",
                en->name, got.rows, want_reads.rows);
        return -1;
    }
    qsort(lat, nq, sizeof *lat, by_double);
    r->p50 = lat[nq / 2];
    r->p99 = lat[nq * 99 / 100];
    r->reads_s = (double)nq / all;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: store_engines CLAIMS.jsonl DIR [READS] [ENGINE,...]\n");
        return 2;
    }
    size_t nq = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 100000;
    const char *only = argc > 4 ? argv[4] : "lmdb,sqlite,rocksdb";
    if (!nq) nq = 1;

    /* the claims: the whole file in memory, each line NUL-terminated */
    FILE *f = fopen(argv[1], "rb");
    if (!f) return perror(argv[1]), 1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) return perror(argv[1]), 1;
    fclose(f);
    buf[size] = '\n';
    size_t cap = 1024, n = 0, skipped = 0, json = 0;
    Claim *c = malloc(cap * sizeof *c);
    if (!c) return perror("claims"), 1;
    for (char *p = buf, *end = buf + size; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p) + 1);
        size_t len = (size_t)(nl - p);
        *nl = 0;
        Claim x = {0};
        size_t tlen = 0;
        const char *st = field(p, "\"settle_time\":\"", &tlen);
        x.t = st && tlen >= 19 ? parse_time(st) : -1;
        x.person = field(p, "\"person_id\":\"", &x.plen);
        x.claim = field(p, "\"claim_id\":\"", &x.clen);
        if (!x.person || !x.claim || x.t < 0 || !x.plen || !x.clen || x.plen > MAXID ||
            x.clen > MAXID || len < 3) {
            if (len) skipped++;
            p = nl + 1;
            continue;
        }
        x.val = (const unsigned char *)p;
        x.vlen = len / 3;
        json += len;
        if (n == cap && !(c = realloc(c, (cap *= 2) * sizeof *c))) return perror("claims"), 1;
        c[n++] = x;
        p = nl + 1;
    }
    unsigned char *keys = malloc(n * (2 * MAXID + 9) + 1);
    size_t *order = malloc(n * sizeof *order);
    double *lat = malloc(nq * sizeof *lat);
    Query *q = malloc(nq * sizeof *q);
    size_t *runs = malloc((n + 1) * sizeof *runs), np = 0;
    if (!n || !keys || !order || !lat || !q || !runs) {
        fprintf(stderr, "%s: no claims read, or out of memory\n", argv[1]);
        return 1;
    }
    size_t vbytes = 0, kbytes = 0, ibytes = 0;
    for (size_t i = 0, off = 0; i < n; i++) {
        c[i].key = keys + off;
        c[i].klen = key_prefix(c[i].key, c[i].person, c[i].plen, c[i].t);
        memcpy(c[i].key + c[i].klen, c[i].claim, c[i].clen);
        c[i].klen += c[i].clen;
        off += c[i].klen;
        order[i] = i;
        vbytes += c[i].vlen;
        kbytes += c[i].klen;
        ibytes += c[i].clen + c[i].klen;
    }

    /* the same reads done in memory: claims sorted by key, runs of one person */
    sort_base = c;
    qsort(order, n, sizeof *order, by_key);
    Tally want_scan = {0, 0}, want_reads = {0, 0};
    for (size_t i = 0; i < n; i++) {
        const Claim *a = &c[order[i]];
        if (i && !key_cmp(a->key, a->klen, c[order[i - 1]].key, c[order[i - 1]].klen)) {
            fprintf(stderr, "claim %.*s twice\n", (int)a->clen, a->claim);
            return 1;
        }
        if (!i || a->plen != c[order[i - 1]].plen ||
            memcmp(a->person, c[order[i - 1]].person, a->plen))
            runs[np++] = i;
        tally_row(&want_scan, a->val, a->vlen);
    }
    runs[np] = n;
    for (size_t i = 0; i < nq; i++) {
        size_t p = rng() % np, first = runs[p], len = runs[p + 1] - first;
        const Claim *own = &c[order[first + rng() % len]];
        Query *x = &q[i];
        x->person = own->person;
        x->plen = own->plen;
        x->hi = own->t;
        x->lo = own->t - WINDOW;
        x->flen = key_prefix(x->from, x->person, x->plen, x->lo);
        key_prefix(x->to, x->person, x->plen, x->hi);
        Tally t = {0, 0};
        for (size_t j = first; j < first + len; j++)
            if (c[order[j]].t >= x->lo && c[order[j]].t < x->hi)
                tally_row(&t, c[order[j]].val, c[order[j]].vlen);
        want_reads.rows += t.rows;
        want_reads.hash += t.hash;
    }

    printf("%zu claims (%zu lines skipped), %zu persons, in input order (not key order)\n", n,
           skipped, np);
    printf("value = the first len/3 bytes of each JSON line (our encoded claims are about a third "
           "of their JSON size): %.1f MB of values (%.1f MB JSON), %.1f MB of keys, %.1f MB of "
           "claim_id -> key\n",
           vbytes / 1e6, json / 1e6, kbytes / 1e6, ibytes / 1e6);
    printf("ingest: one transaction per %d claims, one thread; read: %zu random persons, their "
           "claims in [t - 365 d, t), t one of their own, %.2f claims per read; warm (reopened, "
           "one full scan first); every engine's rows checked against memory\n\n",
           BATCH, nq, (double)want_reads.rows / (double)nq);

    mkdir(argv[2], 0775);
    Result res[sizeof engines / sizeof *engines];
    int done[sizeof engines / sizeof *engines] = {0}, failed = 0;
    for (size_t e = 0; e < sizeof engines / sizeof *engines; e++) {
        const char *s = strstr(only, engines[e].name);
        size_t l = strlen(engines[e].name);
        if (!s || (s != only && s[-1] != ',') || (s[l] && s[l] != ',')) continue;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", argv[2], engines[e].name);
        if (measure(&engines[e], dir, c, n, vbytes + kbytes + ibytes, q, nq, want_scan, want_reads,
                    lat, &res[e])) {
            fprintf(stderr, "%s: failed\n", engines[e].name);
            failed = 1;
            continue;
        }
        done[e] = 1;
    }

    printf("%-8s %11s %8s %6s %7s %7s %7s %8s %8s %9s\n", "engine", "ingest c/s", "ingest s",
           "cpu s", "close s", "p50 us", "p99 us", "reads/s", "disk MB", "reopen MB");
    for (size_t e = 0; e < sizeof engines / sizeof *engines; e++) {
        if (!done[e]) continue;
        Result *r = &res[e];
        printf("%-8s %11.0f %8.2f %6.2f %7.2f %7.1f %7.1f %8.0f %8.1f %9.1f\n", engines[e].name,
               (double)n / r->ingest_s, r->ingest_s, r->ingest_cpu, r->close_s, r->p50, r->p99,
               r->reads_s, r->disk / 1e6, r->disk_reopened / 1e6);
    }
    printf("\n(ingest s: to the last commit; cpu s: of every thread of the process during ingest; "
           "close s: closing after ingest; disk: du of the store once closed after ingest; reopen: "
           "du once "
           "closed again after the reads, when RocksDB has replayed its WAL into "
           "tables)\n\nsettings:\n");
    for (size_t e = 0; e < sizeof engines / sizeof *engines; e++)
        if (done[e]) printf("  %-8s %s\n", engines[e].name, engines[e].settings);
    printf("\ncrash safety with these settings (stated, not measured):\n");
    for (size_t e = 0; e < sizeof engines / sizeof *engines; e++)
        if (done[e]) printf("  %-8s %s\n", engines[e].name, engines[e].crash);
    free(runs);
    free(q);
    free(lat);
    free(order);
    free(keys);
    free(c);
    free(buf);
    return failed;
}
