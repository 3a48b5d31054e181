/* test_hpg.c — the history store's PostgreSQL backend (history/hpg.c),
 * against a real server: the private one the ctest fixture "pg" starts
 * (tests/pg_fixture.sh writes its URI to BUILD/pg.uri; ARB_PG_URI_FILE names
 * that file, or ARB_PG_URI gives a URI; without either the test is
 * skipped).  Each test makes a database of its own.
 *
 *  - differential: the same puts, replacements and reversals into an LMDB
 *    store and a PostgreSQL store leave the same claims, in the same order
 *    (person, time, claim_id), with the same bytes, and every window reads
 *    the same (ties, a person whose id prefixes another's, times before
 *    1970);
 *  - has_id, prune, stats, a reader sees each commit, a write transaction
 *    aborted leaves nothing;
 *  - pipelined writes: thousands of puts in one transaction with reads
 *    between them; a put the server refuses makes the commit fail with the
 *    server's message and leaves nothing of the transaction, and the
 *    connection serves the next one;
 *  - format version: a store of another version is refused naming both; a
 *    database without the tables is not a store (read-only), a refused
 *    connection names host and port, the password is not in messages;
 *  - schemas: a second program registers its schema, a handle opened before
 *    reads claims written with it; concurrent first opens on 4 threads make
 *    the tables once and register one schema;
 *  - attach and feedback: history_cases.h (as for LMDB);
 *  - concurrency: 2 reader threads check claims (history read from the
 *    store) while a writer records: counts never go down, every claim is
 *    seen at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "engine.h"
#include "hpg.h"
#include "hstore.h"
#include "json_reader.h"

#include "history_cases.h"

/* ------------------------------------------------------------ the server */

static char base_uri[1024];

/* The fixture's URI, or "" (the tests are skipped). */
static void read_uri(void) {
    const char *u = getenv("ARB_PG_URI");
    if (u && *u) {
        snprintf(base_uri, sizeof base_uri, "%s", u);
        return;
    }
    const char *path = getenv("ARB_PG_URI_FILE");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    if (fgets(base_uri, sizeof base_uri, f)) base_uri[strcspn(base_uri, "\r\n")] = 0;
    fclose(f);
}

static void quiet(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

static void sql(const char *uri, const char *q) {
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) fail_msg("connect %s: %s", uri, PQerrorMessage(c));
    PQsetNoticeProcessor(c, quiet, NULL);
    PGresult *r = PQexec(c, q);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", q, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

/* A new empty database `name` on the fixture's server; its URI in buf. */
static const char *fresh_db(const char *name, char *buf, size_t cap) {
    char q[256];
    snprintf(q, sizeof q, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    sql(base_uri, q);
    snprintf(q, sizeof q, "CREATE DATABASE %s", name);
    sql(base_uri, q);
    const char *slash = strrchr(base_uri, '/');
    assert_non_null(slash);
    snprintf(buf, cap, "%.*s/%s", (int)(slash - base_uri), base_uri, name);
    return buf;
}

static void drop_db(const char *name) {
    char q[256];
    snprintf(q, sizeof q, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    sql(base_uri, q);
}

/* ---------------------------------------------------------------- claims */

static const Value *parse_claim(const arb_engine *e, Arena *ar, const char *json) {
    const Value *v = NULL;
    char err[256];
    size_t off = 0;
    if (jsonr_parse(e->json, json, strlen(json), ar, &v, err, sizeof err, &off) != 0)
        fail_msg("claim rejected: %s at %zu\n  %s", err, off, json);
    return v;
}

static const Value *claim_of(arb_engine *e, Arena *ar, const char *person, const char *id,
                             const char *settle, const char *total) {
    char json[512];
    snprintf(json, sizeof json,
             "{\"claim_id\":\"%s\",\"person_id\":\"%s\",\"care_type\":\"outpatient\","
             "\"settle_time\":\"%s\",\"total_amount\":\"%s\"}",
             id, person, settle, total);
    return parse_claim(e, ar, json);
}

static void put_ok(HTxn *t, const Value *claim) {
    StrBuf scratch;
    sb_init(&scratch, mem_default());
    const char *why = NULL;
    char err[600] = "";
    int rc = hstore_put(t, claim, 0, &scratch, &why, err, sizeof err);
    if (rc) fail_msg("hstore_put: %d %s %s", rc, why ? why : "", err);
    sb_free(&scratch);
}

static HStore *open_ok(const char *where, int flags, const arb_engine *e) {
    HStore *s = NULL;
    char err[600];
    if (hstore_open(&s, where, flags, e->prog, mem_default(), err, sizeof err))
        fail_msg("open %s: %s", where, err);
    return s;
}

static HTxn *begin_ok(HStore *s, int write) {
    HTxn *t = NULL;
    char err[600];
    if (hstore_begin(s, write, &t, err, sizeof err)) fail_msg("begin: %s", err);
    return t;
}

static void commit_ok(HTxn *t) {
    char err[600];
    if (hstore_commit(t, err, sizeof err)) fail_msg("commit: %s", err);
}

/* Every claim a read gave, as text: "person|time|seq|id|hex of the record"
 * a line. */
typedef struct Dump {
    StrBuf b;
    const HStore *s;
    Arena ar;
} Dump;

static int dump_one(void *ud, const HRec *r) {
    Dump *d = ud;
    sb_printf(&d->b, "%.*s|%lld|%u|%.*s|", (int)r->person_len, r->person, (long long)r->t, r->seq,
              (int)r->claim_id_len, r->claim_id);
    for (size_t i = 0; i < r->rec_len; i++) sb_printf(&d->b, "%02x", (unsigned char)r->rec[i]);
    sb_putc(&d->b, '\n');
    Value *c;
    assert_int_equal(hstore_decode(d->s, r, &d->ar, &c), 0); /* readable */
    return 0;
}

static char *dump_each(HStore *s) {
    Dump d;
    sb_init(&d.b, mem_default());
    arena_init(&d.ar, mem_default(), 4096);
    d.s = s;
    HTxn *t = begin_ok(s, 0);
    assert_int_equal(hstore_each(t, dump_one, &d), 0);
    hstore_abort(t);
    arena_free(&d.ar);
    char *out = strdup(sb_str(&d.b));
    sb_free(&d.b);
    return out;
}

static char *dump_window(HTxn *t, HStore *s, const char *person, int64_t from, int64_t to) {
    Dump d;
    sb_init(&d.b, mem_default());
    arena_init(&d.ar, mem_default(), 4096);
    d.s = s;
    assert_int_equal(hstore_window(t, person, strlen(person), from, to, UINT32_MAX, dump_one, &d),
                     0);
    arena_free(&d.ar);
    char *out = strdup(sb_str(&d.b));
    sb_free(&d.b);
    return out;
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ull;
}

static const char *const PERSONS[] = {"P", "P1", "P10", "P2", "患者甲", "Q"};
#define NPERSONS (sizeof PERSONS / sizeof PERSONS[0])
static const char *const TIMES[] = {
    "1960-05-01T00:00:00", "1969-12-31T23:59:59", "1970-01-01T00:00:00", "2024-02-29T12:00:00",
    "2025-01-10T08:00:00", "2025-02-01T00:00:00", "2025-02-01T00:00:00", "2025-03-01T12:00:00"};
#define NTIMES (sizeof TIMES / sizeof TIMES[0])

static void temp_dir(char *buf, size_t cap) {
    const char *base = getenv("TMPDIR");
    snprintf(buf, cap, "%s/arb_hpg_XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(buf));
}

/* ------------------------------------------------------------------ tests */

static void test_differential(void **state) {
    (void)state;
    char uri[1200], dir[256], err[600];
    fresh_db("arb_unit_diff", uri, sizeof uri);
    temp_dir(dir, sizeof dir);
    arb_engine *e = hc_engine("");
    HStore *pg = open_ok(uri, HSTORE_WRITE, e), *lm = open_ok(dir, HSTORE_WRITE, e);
    assert_true(hstore_is_remote(pg));
    assert_false(hstore_is_remote(lm));
    Arena ar;
    arena_init(&ar, mem_default(), 1 << 16);
    for (int round = 0; round < 6; round++) {
        HTxn *tp = begin_ok(pg, 1), *tl = begin_ok(lm, 1);
        for (int i = 0; i < 60; i++) {
            char id[32], total[32];
            snprintf(id, sizeof id, "c%02d", (int)(rnd() % 70));
            snprintf(total, sizeof total, "%d.%02d", (int)(rnd() % 1000), (int)(rnd() % 100));
            if (rnd() % 6 == 0) { /* a reversal */
                int a = hstore_reverse(tp, id, strlen(id), err, sizeof err);
                int b = hstore_reverse(tl, id, strlen(id), err, sizeof err);
                assert_int_equal(a, b);
                continue;
            }
            const Value *c =
                claim_of(e, &ar, PERSONS[rnd() % NPERSONS], id, TIMES[rnd() % NTIMES], total);
            put_ok(tp, c);
            put_ok(tl, c);
        }
        /* inside the write transaction too */
        assert_int_equal(hstore_has_id(tp, "c01", 3), hstore_has_id(tl, "c01", 3));
        commit_ok(tp);
        commit_ok(tl);
        arena_reset(&ar);
        char *a = dump_each(pg), *b = dump_each(lm);
        assert_string_equal(a, b);
        assert_true(strlen(a) > 0);
        free(a);
        free(b);
        tp = begin_ok(pg, 0);
        tl = begin_ok(lm, 0);
        for (size_t p = 0; p < NPERSONS; p++) {
            for (int w = 0; w < 8; w++) {
                int64_t from = w == 0 ? INT64_MIN : (int64_t)(rnd() % 1800000000) - 400000000;
                int64_t to = w == 0 ? INT64_MAX : from + (int64_t)(rnd() % 900000000);
                char *x = dump_window(tp, pg, PERSONS[p], from, to);
                char *y = dump_window(tl, lm, PERSONS[p], from, to);
                assert_string_equal(x, y);
                free(x);
                free(y);
            }
        }
        for (int i = 0; i < 70; i++) {
            char id[32];
            snprintf(id, sizeof id, "c%02d", i);
            assert_int_equal(hstore_has_id(tp, id, strlen(id)), hstore_has_id(tl, id, strlen(id)));
        }
        hstore_abort(tp);
        hstore_abort(tl);
    }
    HStoreStats sp, sl;
    assert_int_equal(hstore_stats(pg, &sp, err, sizeof err), 0);
    assert_int_equal(hstore_stats(lm, &sl, err, sizeof err), 0);
    assert_int_equal(sp.claims, sl.claims);
    assert_int_equal(sp.persons, sl.persons);
    assert_true(sp.first == sl.first && sp.last == sl.last);
    assert_int_equal(sp.schemas, 1);
    assert_true(sp.file_bytes > 0);
    /* prune: the same claims go */
    int64_t cut = (int64_t)1738368000; /* 2025-02-01 */
    int64_t np = hstore_prune(pg, cut, err, sizeof err),
            nl = hstore_prune(lm, cut, err, sizeof err);
    assert_true(np > 0);
    assert_int_equal(np, nl);
    char *a = dump_each(pg), *b = dump_each(lm);
    assert_string_equal(a, b);
    free(a);
    free(b);
    /* a write transaction aborted leaves nothing */
    HTxn *t = begin_ok(pg, 1);
    put_ok(t, claim_of(e, &ar, "Z", "gone", "2025-05-01T00:00:00", "1.00"));
    assert_int_equal(hstore_has_id(t, "gone", 4), 1);
    hstore_abort(t);
    t = begin_ok(pg, 0);
    assert_int_equal(hstore_has_id(t, "gone", 4), 0);
    /* a read sees what was committed before it, even in a transaction
     * begun earlier (a PostgreSQL read takes no snapshot of its own) */
    HTxn *w = begin_ok(pg, 1);
    put_ok(w, claim_of(e, &ar, "Z", "late", "2025-05-01T00:00:00", "1.00"));
    assert_int_equal(hstore_has_id(t, "late", 4), 0); /* not committed yet */
    commit_ok(w);
    assert_int_equal(hstore_has_id(t, "late", 4), 1);
    hstore_abort(t);
    /* read-only: no writing */
    HStore *ro = open_ok(uri, HSTORE_READONLY, e);
    err[0] = 0;
    assert_int_equal(hstore_begin(ro, 1, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "read-only"));
    assert_int_equal(hstore_prune(ro, INT64_MAX, err, sizeof err), -1);
    hstore_close(ro);
    hstore_close(pg);
    hstore_close(lm);
    hstore_remove_dir(dir);
    arena_free(&ar);
    arb_engine_free(e);
    drop_db("arb_unit_diff");
}

static void test_pipeline(void **state) {
    (void)state;
    char uri[1200], err[600];
    fresh_db("arb_unit_pipe", uri, sizeof uri);
    arb_engine *e = hc_engine("");
    HStore *s = open_ok(uri, HSTORE_WRITE, e);
    Arena ar;
    arena_init(&ar, mem_default(), 1 << 16);
    HTxn *t = begin_ok(s, 1);
    for (int i = 0; i < 1300; i++) {
        char id[32];
        snprintf(id, sizeof id, "p%04d", i);
        put_ok(t, claim_of(e, &ar, i % 2 ? "A" : "B", id, TIMES[i % NTIMES], "1.00"));
        if (i % 400 == 399) { /* a read between writes sees them */
            assert_int_equal(hstore_has_id(t, id, strlen(id)), 1);
            arena_reset(&ar);
        }
    }
    char rid[] = "p0007";
    assert_int_equal(hstore_reverse(t, rid, 5, err, sizeof err), 1);
    assert_int_equal(hstore_reverse(t, rid, 5, err, sizeof err), 0);
    put_ok(t, claim_of(e, &ar, "A", "p0008", "2025-06-01T00:00:00", "2.00")); /* replaced */
    commit_ok(t);
    HStoreStats st;
    assert_int_equal(hstore_stats(s, &st, err, sizeof err), 0);
    assert_int_equal(st.claims, 1299);
    assert_int_equal(st.persons, 2);
    /* a write the server refuses */
    sql(uri, "ALTER TABLE arbiter_claims ADD CONSTRAINT no_boom CHECK (claim_id <> 'boom'::bytea)");
    t = begin_ok(s, 1);
    put_ok(t, claim_of(e, &ar, "C", "ok1", "2025-01-01T00:00:00", "1.00"));
    put_ok(t, claim_of(e, &ar, "C", "boom", "2025-01-01T00:00:00", "1.00"));
    put_ok(t, claim_of(e, &ar, "C", "ok2", "2025-01-01T00:00:00", "1.00"));
    err[0] = 0;
    assert_int_equal(hstore_commit(t, err, sizeof err), -1);
    if (!strstr(err, "no_boom")) fail_msg("%s", err);
    t = begin_ok(s, 0);
    assert_int_equal(hstore_has_id(t, "ok1", 3), 0);
    assert_int_equal(hstore_has_id(t, "ok2", 3), 0);
    hstore_abort(t);
    /* an aborted transaction with writes in flight */
    t = begin_ok(s, 1);
    put_ok(t, claim_of(e, &ar, "C", "ok3", "2025-01-01T00:00:00", "1.00"));
    hstore_abort(t);
    /* the connections still serve */
    t = begin_ok(s, 1);
    put_ok(t, claim_of(e, &ar, "C", "ok4", "2025-01-01T00:00:00", "1.00"));
    commit_ok(t);
    t = begin_ok(s, 0);
    assert_int_equal(hstore_has_id(t, "ok3", 3), 0);
    assert_int_equal(hstore_has_id(t, "ok4", 3), 1);
    hstore_abort(t);
    /* a writable open while a write transaction holds the claims table
     * does not wait for it (the tables are not made again) */
    t = begin_ok(s, 1);
    put_ok(t, claim_of(e, &ar, "C", "ok5", "2025-01-01T00:00:00", "1.00"));
    assert_int_equal(hstore_has_id(t, "ok5", 3), 1); /* sent */
    HStore *s2 = open_ok(uri, HSTORE_WRITE, e);
    hstore_close(s2);
    commit_ok(t);
    /* a write transaction with nothing in it commits */
    t = begin_ok(s, 1);
    commit_ok(t);
    hstore_close(s);
    arena_free(&ar);
    arb_engine_free(e);
    drop_db("arb_unit_pipe");
}

static void test_format_version(void **state) {
    (void)state;
    char uri[1200], err[600];
    fresh_db("arb_unit_format", uri, sizeof uri);
    arb_engine *e = hc_engine("");
    HStore *s = (HStore *)1;
    /* no tables: read-only is refused and makes none */
    err[0] = 0;
    assert_int_equal(hstore_open(&s, uri, HSTORE_READONLY, e->prog, mem_default(), err, sizeof err),
                     -1);
    assert_null(s);
    if (!strstr(err, "not an Arbiter history store") || !strstr(err, "arb_unit_format"))
        fail_msg("%s", err);
    err[0] = 0;
    assert_int_equal(hstore_open(&s, uri, HSTORE_READONLY, e->prog, mem_default(), err, sizeof err),
                     -1);
    /* made by a writable open */
    s = open_ok(uri, HSTORE_WRITE, e);
    hstore_close(s);
    s = open_ok(uri, HSTORE_READONLY, e);
    hstore_close(s);
    sql(uri, "UPDATE arbiter_meta SET value = 'arbiter-history 0' WHERE key = 'format'");
    for (int mode = 0; mode < 2; mode++) {
        err[0] = 0;
        s = (HStore *)1;
        assert_int_equal(hstore_open(&s, uri, mode ? HSTORE_WRITE : HSTORE_READONLY, e->prog,
                                     mem_default(), err, sizeof err),
                         -1);
        assert_null(s);
        if (!strstr(err, "arbiter-history 0") || !strstr(err, HSTORE_FORMAT_PG))
            fail_msg("the message does not name both versions: %s", err);
    }
    arb_history *h = (arb_history *)1;
    assert_int_equal(arb_history_open(e, uri, ARB_HISTORY_WRITE, &h), ARB_ERR_DATA);
    assert_null(h);
    assert_non_null(strstr(arb_errmsg(e), "arbiter-history 0"));
    sql(uri, "UPDATE arbiter_meta SET value = '" HSTORE_FORMAT_PG "' WHERE key = 'format'");
    s = open_ok(uri, HSTORE_READONLY, e);
    hstore_close(s);
    /* a staging store is never PostgreSQL */
    assert_int_equal(hstore_open(&s, uri, HSTORE_WRITE | HSTORE_STAGING, e->prog, mem_default(),
                                 err, sizeof err),
                     -1);
    /* nobody listening: the message names host and port, not the password */
    err[0] = 0;
    assert_int_equal(hstore_open(&s, "postgresql://arb:s3cret@127.0.0.1:1/x", HSTORE_READONLY,
                                 e->prog, mem_default(), err, sizeof err),
                     -1);
    if (!strstr(err, "127.0.0.1") || !strstr(err, "port 1") || strstr(err, "s3cret"))
        fail_msg("%s", err);
    assert_non_null(strstr(err, "postgresql://arb@127.0.0.1:1/x"));
    err[0] = 0;
    assert_int_equal(hstore_open(&s, "postgres://127.0.0.1:1/x?password=s3cret&sslmode=disable",
                                 HSTORE_WRITE, e->prog, mem_default(), err, sizeof err),
                     -1);
    if (strstr(err, "s3cret") || !strstr(err, "sslmode=disable")) fail_msg("%s", err);
    assert_true(hpg_is_uri("postgres://x") && hpg_is_uri("postgresql://x"));
    assert_false(hpg_is_uri("postgresql:x") || hpg_is_uri("/tmp/postgresql://x"));
    arb_engine_free(e);
    drop_db("arb_unit_format");
}

static const char *const SCHEMA_B = "extend schema claim { ward text }\n";

static void test_schemas(void **state) {
    (void)state;
    char uri[1200], err[600];
    fresh_db("arb_unit_schemas", uri, sizeof uri);
    arb_engine *ea = hc_engine(""), *eb = hc_engine(SCHEMA_B);
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    HStore *a = open_ok(uri, HSTORE_WRITE, ea);
    HTxn *t = begin_ok(a, 1);
    put_ok(t, claim_of(ea, &ar, "P1", "A1", "2025-01-01T00:00:00", "1.00"));
    commit_ok(t);
    /* B, in "another process": its schema is number 2 */
    HStore *b = open_ok(uri, HSTORE_WRITE, eb);
    HStoreStats st;
    assert_int_equal(hstore_stats(b, &st, err, sizeof err), 0);
    assert_int_equal(st.schemas, 2);
    t = begin_ok(b, 1);
    put_ok(t, parse_claim(eb, &ar,
                          "{\"claim_id\":\"B1\",\"person_id\":\"P1\",\"care_type\":\"outpatient\","
                          "\"settle_time\":\"2025-01-02T00:00:00\",\"ward\":\"W1\"}"));
    commit_ok(t);
    /* A, opened before, reads B's claim (its description loaded then) */
    char *x = dump_each(a);
    assert_non_null(strstr(x, "|B1|"));
    free(x);
    /* and B reads A's */
    x = dump_each(b);
    assert_non_null(strstr(x, "|A1|"));
    free(x);
    hstore_close(a);
    hstore_close(b);
    arena_free(&ar);
    arb_engine_free(ea);
    arb_engine_free(eb);
    drop_db("arb_unit_schemas");
}

/* Concurrent first opens (four threads, two programs) on an empty
 * database: every one succeeds; the tables are made once, and each
 * program's schema registered once. */
typedef struct Opener {
    const char *uri;
    const arb_engine *e;
    pthread_barrier_t *go;
    int rc;
    char err[600];
} Opener;

static void *opener_main(void *arg) {
    Opener *o = arg;
    HStore *s = NULL;
    pthread_barrier_wait(o->go);
    o->rc = hstore_open(&s, o->uri, HSTORE_WRITE, o->e->prog, mem_default(), o->err, sizeof o->err);
    hstore_close(s);
    return NULL;
}

static void test_concurrent_first_open(void **state) {
    (void)state;
    char uri[1200], err[600];
    fresh_db("arb_unit_first", uri, sizeof uri);
    arb_engine *ea = hc_engine(""), *eb = hc_engine(SCHEMA_B);
    enum { N = 4 };
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    Opener o[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        memset(&o[i], 0, sizeof o[i]);
        o[i].uri = uri;
        o[i].e = i % 2 ? eb : ea;
        o[i].go = &go;
        assert_int_equal(pthread_create(&th[i], NULL, opener_main, &o[i]), 0);
    }
    for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
    for (int i = 0; i < N; i++)
        if (o[i].rc) fail_msg("opener %d: %s", i, o[i].err);
    HStore *s = open_ok(uri, HSTORE_READONLY, ea);
    HStoreStats st;
    assert_int_equal(hstore_stats(s, &st, err, sizeof err), 0);
    assert_int_equal(st.schemas, 2);
    hstore_close(s);
    arb_engine_free(ea);
    arb_engine_free(eb);
    drop_db("arb_unit_first");
}

static void test_attach(void **state) {
    (void)state;
    char uri[1200];
    fresh_db("arb_unit_attach", uri, sizeof uri);
    hc_attach_case(uri);
    drop_db("arb_unit_attach");
}

static void test_feedback(void **state) {
    (void)state;
    char uri[1200], dir[256], out[300];
    fresh_db("arb_unit_feedback", uri, sizeof uri);
    temp_dir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/fb.jsonl", dir);
    hc_feedback_case(uri, out);
    remove(out);
    remove(dir);
    drop_db("arb_unit_feedback");
}

/* Two readers check claims of 8 persons (history(3650d) counted) while a
 * writer records 400 claims: a count never goes down and never passes
 * what is written; at the end every claim is seen. */
#define WRITES 400
#define QPERSONS 8

typedef struct Conc {
    arb_engine *e;
    int done;
} Conc;

typedef struct Worker {
    Conc *c;
    int id, errors, checks;
    char error[256];
} Worker;

static const char *const COUNT_RULES =
    "category FREQ \"频繁就诊\" { code \"T-FREQ\" severity low nature suspicious points 1 }\n"
    "rule FREQ.2 \"十年\" in FREQ\n"
    "  when count(p in history(3650d)) >= 0\n"
    "  flag claim amount 0.00 message \"{count(p in history(3650d))}\"\n";

static void on_count(void *ud, const arb_finding *f) {
    *(int *)ud = atoi(f->message);
}

static void *reader_main(void *arg) {
    Worker *r = arg;
    arb_session *s;
    if (arb_session_new(r->c->e, &s) != ARB_OK) {
        r->errors++;
        return NULL;
    }
    int last[QPERSONS] = {0};
    for (int i = 0; i < 100000; i++) {
        int done = __atomic_load_n(&r->c->done, __ATOMIC_ACQUIRE);
        int p = (i + r->id) % QPERSONS;
        char json[256];
        snprintf(json, sizeof json,
                 "{\"claim_id\":\"probe-%d-%d\",\"person_id\":\"Q%d\",\"care_type\":"
                 "\"outpatient\",\"settle_time\":\"2025-06-01T00:00:00\"}",
                 r->id, i, p);
        int count = -1;
        int rc = arb_session_check_json(s, json, strlen(json), ARB_PHASE_ALL, on_count, &count);
        r->checks++;
        if (rc != ARB_OK || count < last[p] || count > WRITES / QPERSONS) {
            if (!r->errors++)
                snprintf(r->error, sizeof r->error, "rc %d count %d (before %d): %s", rc, count,
                         last[p], arb_session_errmsg(s));
        }
        if (count > last[p]) last[p] = count;
        if (done && i >= 50) break;
    }
    arb_session_free(s);
    return NULL;
}

static void *writer_main(void *arg) {
    Worker *w = arg;
    arb_session *s;
    if (arb_session_new(w->c->e, &s) == ARB_OK) {
        for (int i = 0; i < WRITES; i++) {
            char json[256];
            snprintf(json, sizeof json,
                     "{\"claim_id\":\"w%d\",\"person_id\":\"Q%d\",\"care_type\":\"outpatient\","
                     "\"settle_time\":\"2025-05-%02dT%02d:%02d:00\",\"total_amount\":\"%d.00\"}",
                     i, i % QPERSONS, 1 + i % 28, i % 24, i % 60, i);
            int rc = arb_session_record_json(s, json, strlen(json));
            if (rc != ARB_OK && !w->errors++)
                snprintf(w->error, sizeof w->error, "record %d: %s", i, arb_session_errmsg(s));
            w->checks++;
        }
        arb_session_free(s);
    } else {
        w->errors++;
    }
    __atomic_store_n(&w->c->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_concurrency(void **state) {
    (void)state;
    char uri[1200];
    fresh_db("arb_unit_conc", uri, sizeof uri);
    Conc c = {hc_engine(COUNT_RULES), 0};
    arb_history *h;
    assert_int_equal(arb_history_open(c.e, uri, ARB_HISTORY_WRITE, &h), ARB_OK);
    assert_int_equal(arb_engine_set_history(c.e, h), ARB_OK);
    enum { READERS = 2 };
    Worker wk[READERS + 1];
    memset(wk, 0, sizeof wk);
    pthread_t th[READERS + 1];
    for (int i = 0; i <= READERS; i++) {
        wk[i].c = &c;
        wk[i].id = i;
        assert_int_equal(
            pthread_create(&th[i], NULL, i == READERS ? writer_main : reader_main, &wk[i]), 0);
    }
    for (int i = 0; i <= READERS; i++) pthread_join(th[i], NULL);
    for (int i = 0; i <= READERS; i++)
        if (wk[i].errors) fail_msg("thread %d: %d errors, first: %s", i, wk[i].errors, wk[i].error);
    assert_int_equal(wk[READERS].checks, WRITES);
    assert_true(wk[0].checks > 0 && wk[1].checks > 0);
    arb_session *s;
    assert_int_equal(arb_session_new(c.e, &s), ARB_OK);
    for (int p = 0; p < QPERSONS; p++) {
        char json[256];
        snprintf(json, sizeof json,
                 "{\"claim_id\":\"final\",\"person_id\":\"Q%d\",\"care_type\":\"outpatient\","
                 "\"settle_time\":\"2025-06-01T00:00:00\"}",
                 p);
        int count = -1;
        assert_int_equal(
            arb_session_check_json(s, json, strlen(json), ARB_PHASE_ALL, on_count, &count), ARB_OK);
        assert_int_equal(count, WRITES / QPERSONS);
    }
    arb_history_info info;
    assert_int_equal(arb_history_stats(h, &info), ARB_OK);
    assert_int_equal(info.claims, WRITES);
    assert_int_equal(info.persons, QPERSONS);
    arb_session_free(s);
    arb_history_close(h);
    arb_engine_free(c.e);
    drop_db("arb_unit_conc");
}

/* The server ends the pool's idle connections (as a restart would): the
 * next checks and records use new ones, with no error. */
static void test_reconnect(void **state) {
    (void)state;
    char uri[1200];
    fresh_db("arb_unit_reconnect", uri, sizeof uri);
    arb_engine *e = hc_engine(COUNT_RULES);
    arb_history *h;
    assert_int_equal(arb_history_open(e, uri, ARB_HISTORY_WRITE, &h), ARB_OK);
    assert_int_equal(arb_engine_set_history(e, h), ARB_OK);
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    const char *probe = "{\"claim_id\":\"probe\",\"person_id\":\"Q1\",\"care_type\":"
                        "\"outpatient\",\"settle_time\":\"2025-06-01T00:00:00\"}";
    for (int i = 0; i < 3; i++) {
        char json[256];
        snprintf(json, sizeof json,
                 "{\"claim_id\":\"r%d\",\"person_id\":\"Q1\",\"care_type\":\"outpatient\","
                 "\"settle_time\":\"2025-05-0%dT00:00:00\"}",
                 i, i + 1);
        int count = -1;
        if (arb_session_check_json(s, probe, strlen(probe), ARB_PHASE_ALL, on_count, &count))
            fail_msg("check %d: %s", i, arb_session_errmsg(s));
        assert_int_equal(count, i);
        sql(base_uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                      "'arb_unit_reconnect' AND pid <> pg_backend_pid()");
        usleep(100000);
        if (arb_session_record_json(s, json, strlen(json)))
            fail_msg("record %d: %s", i, arb_session_errmsg(s));
        sql(base_uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                      "'arb_unit_reconnect' AND pid <> pg_backend_pid()");
        usleep(100000);
    }
    int count = -1;
    assert_int_equal(
        arb_session_check_json(s, probe, strlen(probe), ARB_PHASE_ALL, on_count, &count), ARB_OK);
    assert_int_equal(count, 3);
    arb_session_free(s);
    arb_history_close(h);
    arb_engine_free(e);
    drop_db("arb_unit_reconnect");
}

int main(void) {
    read_uri();
    if (!base_uri[0]) {
        fprintf(stderr, "test_hpg: no PostgreSQL (set ARB_PG_URI, or ARB_PG_URI_FILE to the "
                        "file tests/pg_fixture.sh writes): skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_pipeline),
        cmocka_unit_test(test_format_version),
        cmocka_unit_test(test_schemas),
        cmocka_unit_test(test_concurrent_first_open),
        cmocka_unit_test(test_attach),
        cmocka_unit_test(test_feedback),
        cmocka_unit_test(test_concurrency),
        cmocka_unit_test(test_reconnect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
