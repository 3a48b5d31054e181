/* hpg.c — the history store's PostgreSQL backend over libpq (see hpg.h). */
#include "hpg.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "value.h"

/* pg_advisory_xact_lock keys: creating the tables, registering a schema */
#define LOCK_TABLES "4172626974657201"
#define LOCK_SCHEMAS "4172626974657202"
#define FETCH_ROWS "1000"
#define PIPELINE_MAX 512 /* writes sent before their answers are read */

/* The prepared statements, by number (a connection prepares each on its
 * first use). */
enum { ST_PUT, ST_DEL, ST_HAS, ST_WINDOW, ST_FEEDBACK, ST_N };

static const struct {
    const char *name, *sql;
    int nparams;
} STMTS[ST_N] = {
    {"arb_put",
     "INSERT INTO arbiter_claims (claim_id, person, as_of, seq, rec) VALUES ($1, $2, $3, $4, $5) "
     "ON CONFLICT (claim_id) DO UPDATE SET person = EXCLUDED.person, as_of = EXCLUDED.as_of, "
     "seq = EXCLUDED.seq, rec = EXCLUDED.rec",
     5},
    {"arb_del", "DELETE FROM arbiter_claims WHERE claim_id = $1", 1},
    {"arb_has", "SELECT 1 FROM arbiter_claims WHERE claim_id = $1", 1},
    {"arb_window",
     "SELECT as_of, seq, claim_id, rec FROM arbiter_claims WHERE person = $1 AND as_of >= $2 "
     "AND (as_of, seq) < ($3, $4) ORDER BY person, as_of, seq, claim_id",
     4},
    {"arb_feedback", "INSERT INTO arbiter_feedback (jr_id, doc) VALUES ($1, $2)", 2},
};

typedef struct PgConn {
    PGconn *c;
    unsigned prepared; /* bit per statement */
    struct PgConn *next;
} PgConn;

struct HPg {
    Alloc alloc;
    char *uri;
    size_t uri_cap;
    char name[512]; /* the URI without its password */
    pthread_mutex_t mu;
    PgConn *idle; /* the pool */
    int nidle;
};

/* A write transaction sends BEGIN with its first statement, and its puts
 * in pipeline mode: up to PIPELINE_MAX at a time without waiting for each
 * one's answer; the answers are read (flush) before anything else is done
 * on the connection, and at the commit, which goes in the same pipeline:
 * recording one claim is one round trip. */
struct HPgTxn {
    HPg *g;
    PgConn *pc;
    int write;
    int begun;     /* BEGIN sent */
    int pipelined; /* the connection is in pipeline mode */
    int queued;    /* statements sent whose answers are not read yet */
    PGresult *res; /* the last window read (its records are lent out) */
};

/* ------------------------------------------------------------ messages */

/* Writes the message, in the user's language, into err; -1. */
static int failf(char *err, size_t cap, const char *fmt, ...) {
    if (cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, _(fmt), ap);
        va_end(ap);
    }
    return -1;
}

/* libpq's message on one line: newlines and tabs become spaces, the
 * trailing ones go. */
static void one_line(char *dst, size_t cap, const char *msg) {
    size_t k = 0;
    int space = 0;
    for (const char *p = msg ? msg : ""; *p && k + 1 < cap; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r') {
            space = 1;
            continue;
        }
        if (space && k) dst[k++] = ' ';
        space = 0;
        if (k + 1 < cap) dst[k++] = *p;
    }
    if (cap) dst[k < cap ? k : cap - 1] = 0;
}

static int pg_fail(const HPg *g, PGconn *c, const PGresult *r, const char *what, char *err,
                   size_t cap) {
    char msg[400];
    const char *m = r ? PQresultErrorMessage(r) : NULL;
    one_line(msg, sizeof msg, m && *m ? m : c ? PQerrorMessage(c) : _("out of memory"));
    return failf(err, cap, "history store %s: %s: %s", g->name, _(what), msg);
}

static void mask_password(char *dst, size_t cap, const char *uri) {
    /* scheme://user:password@host... -> scheme://user@host...; password=... in
     * the query -> password=*** */
    snprintf(dst, cap, "%s", uri);
    char *auth = strstr(dst, "://");
    if (auth) {
        auth += 3;
        char *end = auth + strcspn(auth, "/?");
        char *at = NULL;
        for (char *p = auth; p < end; p++)
            if (*p == '@') at = p;
        char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) memmove(colon, at, strlen(at) + 1);
    }
    char *pw = strstr(dst, "password=");
    if (pw) {
        pw += 9;
        size_t n = strcspn(pw, "&");
        if (cap - (size_t)(pw - dst) > 4) {
            memmove(pw + 3, pw + n, strlen(pw + n) + 1);
            memcpy(pw, "***", 3);
        }
    }
}

int hpg_is_uri(const char *name) {
    return name &&
           (strncmp(name, "postgresql://", 13) == 0 || strncmp(name, "postgres://", 11) == 0);
}

const char *hpg_name(const HPg *g) {
    return g->name;
}

/* ---------------------------------------------------------- connections */

static void no_notices(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

/* A connection from the pool, or a new one.  An idle connection the server
 * has closed meanwhile (a restart, an idle timeout) is seen without a round
 * trip — reading what the socket holds finds its end — and dropped. */
static PgConn *pool_get(HPg *g, char *err, size_t cap) {
    PgConn *pc;
    for (;;) {
        pthread_mutex_lock(&g->mu);
        pc = g->idle;
        if (pc) {
            g->idle = pc->next;
            g->nidle--;
        }
        pthread_mutex_unlock(&g->mu);
        if (!pc) break;
        /* twice: a closing server sends its goodbye first, then the end */
        if (PQconsumeInput(pc->c) && PQconsumeInput(pc->c) && PQstatus(pc->c) == CONNECTION_OK)
            return pc;
        PQfinish(pc->c);
        mem_free(g->alloc, pc, sizeof *pc);
    }
    pc = mem_calloc(g->alloc, sizeof *pc);
    if (!pc) return failf(err, cap, "out of memory"), NULL;
    pc->c = PQconnectdb(g->uri);
    if (!pc->c || PQstatus(pc->c) != CONNECTION_OK) {
        char msg[400];
        one_line(msg, sizeof msg, pc->c ? PQerrorMessage(pc->c) : "out of memory");
        failf(err, cap, "cannot connect to the history store %s: %s", g->name, msg);
        PQfinish(pc->c);
        mem_free(g->alloc, pc, sizeof *pc);
        return NULL;
    }
    PQsetNoticeProcessor(pc->c, no_notices, NULL);
    return pc;
}

/* Gives a connection back: kept when it is healthy and idle, else closed. */
static void pool_put(HPg *g, PgConn *pc) {
    if (!pc) return;
    if (PQstatus(pc->c) == CONNECTION_OK && PQtransactionStatus(pc->c) != PQTRANS_IDLE)
        PQclear(PQexec(pc->c, "ROLLBACK"));
    int keep = PQstatus(pc->c) == CONNECTION_OK && PQtransactionStatus(pc->c) == PQTRANS_IDLE;
    pthread_mutex_lock(&g->mu);
    if (keep && g->nidle < HPG_IDLE) {
        pc->next = g->idle;
        g->idle = pc;
        g->nidle++;
        pc = NULL;
    }
    pthread_mutex_unlock(&g->mu);
    if (pc) {
        PQfinish(pc->c);
        mem_free(g->alloc, pc, sizeof *pc);
    }
}

/* Runs sql (no parameters); 0, or -1 (err, naming what). */
static int run(HPg *g, PgConn *pc, const char *sql, const char *what, char *err, size_t cap) {
    PGresult *r = PQexec(pc->c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc =
        st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : pg_fail(g, pc->c, r, what, err, cap);
    PQclear(r);
    return rc;
}

/* Prepares statement k on the connection (once).  0 or -1 (err). */
static int prepare(HPg *g, PgConn *pc, int k, char *err, size_t cap) {
    if (pc->prepared & (1u << k)) return 0;
    PGresult *r = PQprepare(pc->c, STMTS[k].name, STMTS[k].sql, STMTS[k].nparams, NULL);
    int rc = 0;
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_fail(g, pc->c, r, "cannot prepare a statement", err, cap);
    PQclear(r);
    if (rc == 0) pc->prepared |= 1u << k;
    return rc;
}

/* Reads the answers to what a write transaction has sent in pipeline mode,
 * and leaves pipeline mode.  0, or -1 with the first failure (err). */
static int flush(HPgTxn *t, char *err, size_t cap) {
    if (!t->pipelined) return 0;
    PGconn *c = t->pc->c;
    int rc = 0;
    if (!PQpipelineSync(c)) rc = pg_fail(t->g, c, NULL, "cannot write", err, cap);
    /* each statement's result and a NULL after it; then the sync's result */
    for (int left = t->queued + 1; left > 0; left--) {
        PGresult *r = PQgetResult(c);
        if (!r) break; /* the connection is gone */
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && rc == 0)
            rc =
                pg_fail(t->g, c, st == PGRES_PIPELINE_ABORTED ? NULL : r, "cannot write", err, cap);
        PQclear(r);
        PQclear(PQgetResult(c));
    }
    t->queued = 0;
    t->pipelined = 0;
    if (!PQexitPipelineMode(c)) {
        /* answers left unread (a lost connection): not to be used again */
        PQfinish(c);
        t->pc->c = NULL;
        if (rc == 0) rc = failf(err, cap, "history store %s: the connection was lost", t->g->name);
    }
    return rc;
}

/* Before a statement that waits for its answer: the pipeline read, and in
 * a write transaction BEGIN done. */
static int sync_point(HPgTxn *t, char *err, size_t cap) {
    if (flush(t, err, cap)) return -1;
    if (t->write && !t->begun) {
        if (run(t->g, t->pc, "BEGIN", N_("cannot begin"), err, cap)) return -1;
        t->begun = 1;
    }
    return 0;
}

/* Sends a write of a write transaction (statement k) into the pipeline.
 * 0, or -1 (err); a failure of the write itself comes at the next flush. */
static int send_write(HPgTxn *t, int k, const char *const *vals, const int *lens, char *err,
                      size_t cap) {
    PgConn *pc = t->pc;
    int fmts[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    if (!pc->c) return failf(err, cap, "history store %s: the connection was lost", t->g->name);
    if (!t->pipelined) {
        if (prepare(t->g, pc, k, err, cap)) return -1;
        if (!PQenterPipelineMode(pc->c))
            return pg_fail(t->g, pc->c, NULL, "cannot write", err, cap);
        t->pipelined = 1;
    } else if (!(pc->prepared & (1u << k))) { /* prepared outside the pipeline */
        if (flush(t, err, cap)) return -1;
        return send_write(t, k, vals, lens, err, cap);
    }
    if (!t->begun) {
        if (!PQsendQueryParams(pc->c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0))
            return pg_fail(t->g, pc->c, NULL, "cannot begin", err, cap);
        t->begun = 1;
        t->queued++;
    }
    if (!PQsendQueryPrepared(pc->c, STMTS[k].name, STMTS[k].nparams, vals, lens, fmts, 1))
        return pg_fail(t->g, pc->c, NULL, "cannot write", err, cap);
    if (++t->queued >= PIPELINE_MAX) return flush(t, err, cap);
    return 0;
}

/* Runs prepared statement k (preparing it on the connection first) with
 * binary parameters, waiting for its answer; the result, or NULL (err).  A
 * read (window, has_id) of a read transaction whose connection the server
 * has closed — an idle one of the pool, after the server restarted — is
 * tried once more on the connection made again. */
static PGresult *exec_st(HPgTxn *t, int k, const char *const *vals, const int *lens, char *err,
                         size_t cap) {
    PgConn *pc = t->pc;
    int read = k == ST_WINDOW || k == ST_HAS;
    for (int attempt = 0;; attempt++) {
        if (!pc->c) {
            failf(err, cap, "history store %s: the connection was lost", t->g->name);
            return NULL;
        }
        if (sync_point(t, err, cap)) return NULL;
        PGresult *r = NULL;
        if (prepare(t->g, pc, k, err, cap) == 0) {
            int fmts[8] = {1, 1, 1, 1, 1, 1, 1, 1};
            r = PQexecPrepared(pc->c, STMTS[k].name, STMTS[k].nparams, vals, lens, fmts, 1);
            ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
            if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
            pg_fail(t->g, pc->c, r, read ? "cannot read" : "cannot write", err, cap);
            PQclear(r);
        }
        if (attempt || t->write || !read || PQstatus(pc->c) != CONNECTION_BAD) return NULL;
        PQreset(pc->c);
        pc->prepared = 0;
        if (PQstatus(pc->c) != CONNECTION_OK) return NULL; /* the first failure's message */
    }
}

static void put_i64(char *w, int64_t v) {
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8) w[i] = (char)(u & 0xff);
}

static int64_t get_i64(const char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | (unsigned char)p[i];
    return (int64_t)v;
}

/* ------------------------------------------------------------- opening */

static const char *const CREATE_SQL =
    "CREATE TABLE IF NOT EXISTS arbiter_meta (key text PRIMARY KEY, value bytea NOT NULL);"
    "CREATE TABLE IF NOT EXISTS arbiter_claims (claim_id bytea PRIMARY KEY, person bytea NOT NULL,"
    " as_of int8 NOT NULL, seq int8 NOT NULL DEFAULT 0, rec bytea NOT NULL);"
    "CREATE INDEX IF NOT EXISTS arbiter_claims_window ON arbiter_claims (person, as_of, seq, "
    "claim_id);"
    "CREATE TABLE IF NOT EXISTS arbiter_feedback (id int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " received timestamptz NOT NULL DEFAULT now(), jr_id text NOT NULL, doc text NOT NULL);";

/* Whether the store's tables and index are all there: 1, 0, or -1 (err). */
static int tables_ready(HPg *g, PgConn *pc, char *err, size_t cap) {
    PGresult *r = PQexec(pc->c, "SELECT to_regclass('arbiter_meta') IS NOT NULL AND "
                                "to_regclass('arbiter_claims') IS NOT NULL AND "
                                "to_regclass('arbiter_claims_window') IS NOT NULL AND "
                                "to_regclass('arbiter_feedback') IS NOT NULL");
    int rc;
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        rc = pg_fail(g, pc->c, r, "cannot read", err, cap);
    else
        rc = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return rc;
}

/* Checks (and with write, makes) the tables and the format version, in one
 * transaction.  The tables are made only when missing: CREATE ... IF NOT
 * EXISTS would still wait for the writers holding the claims table. */
static int check_store(HPg *g, PgConn *pc, int write, const char *format, char *err, size_t cap) {
    if (run(g, pc, write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            N_("cannot begin"), err, cap))
        return -1;
    int rc = write ? run(g, pc, "SELECT pg_advisory_xact_lock(" LOCK_TABLES ")", N_("cannot lock"),
                         err, cap)
                   : 0;
    int ready = rc == 0 ? tables_ready(g, pc, err, cap) : -1;
    if (ready < 0)
        rc = -1;
    else if (!ready && write)
        rc = run(g, pc, CREATE_SQL, N_("cannot create the tables"), err, cap);
    else if (!ready)
        rc = failf(err, cap,
                   "%s is not an Arbiter history store (no arbiter_meta, arbiter_claims and "
                   "arbiter_feedback tables in the database; 'arbiter history init' makes them)",
                   g->name);
    if (rc == 0) {
        PGresult *r = PQexecParams(pc->c, "SELECT value FROM arbiter_meta WHERE key = 'format'", 0,
                                   NULL, NULL, NULL, NULL, 1);
        if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
            rc = pg_fail(g, pc->c, r, "cannot read", err, cap);
        } else if (PQntuples(r) == 0 && write) {
            const char *vals[1] = {format};
            int lens[1] = {(int)strlen(format)}, fmts[1] = {1};
            PGresult *w =
                PQexecParams(pc->c, "INSERT INTO arbiter_meta (key, value) VALUES ('format', $1)",
                             1, NULL, vals, lens, fmts, 1);
            if (!w || PQresultStatus(w) != PGRES_COMMAND_OK)
                rc = pg_fail(g, pc->c, w, "cannot create the tables", err, cap);
            PQclear(w);
        } else if (PQntuples(r) == 0) {
            rc = failf(err, cap, "%s is not an Arbiter history store (no format version)", g->name);
        } else {
            const char *v = PQgetvalue(r, 0, 0);
            size_t n = (size_t)PQgetlength(r, 0, 0);
            if (n != strlen(format) || memcmp(v, format, n) != 0)
                rc = failf(err, cap,
                           "the history store %s has format '%.*s'; this arbiter reads '%s' "
                           "(export it with the arbiter that wrote it, then add it again)",
                           g->name, (int)(n < 60 ? n : 60), v, format);
        }
        PQclear(r);
    }
    if (rc == 0) return run(g, pc, "COMMIT", N_("cannot commit"), err, cap);
    PQclear(PQexec(pc->c, "ROLLBACK"));
    return -1;
}

int hpg_open(HPg **out, const char *uri, int write, const char *format, Alloc a, char *err,
             size_t errcap) {
    *out = NULL;
    HPg *g = mem_calloc(a, sizeof *g);
    if (!g) return failf(err, errcap, "out of memory");
    g->alloc = a;
    g->uri_cap = strlen(uri) + 1;
    g->uri = mem_alloc(a, g->uri_cap);
    if (!g->uri) {
        mem_free(a, g, sizeof *g);
        return failf(err, errcap, "out of memory");
    }
    memcpy(g->uri, uri, g->uri_cap);
    mask_password(g->name, sizeof g->name, uri);
    pthread_mutex_init(&g->mu, NULL);
    PgConn *pc = pool_get(g, err, errcap);
    if (!pc || check_store(g, pc, write, format, err, errcap)) {
        pool_put(g, pc);
        hpg_close(g);
        return -1;
    }
    pool_put(g, pc);
    *out = g;
    return 0;
}

void hpg_close(HPg *g) {
    if (!g) return;
    while (g->idle) {
        PgConn *pc = g->idle;
        g->idle = pc->next;
        PQfinish(pc->c);
        mem_free(g->alloc, pc, sizeof *pc);
    }
    pthread_mutex_destroy(&g->mu);
    mem_free(g->alloc, g->uri, g->uri_cap);
    mem_free(g->alloc, g, sizeof *g);
}

/* -------------------------------------------------------- transactions */

int hpg_begin(HPg *g, int write, HPgTxn **out, char *err, size_t errcap) {
    *out = NULL;
    HPgTxn *t = mem_calloc(g->alloc, sizeof *t);
    if (!t) return failf(err, errcap, "out of memory");
    t->g = g;
    t->write = write;
    t->pc = pool_get(g, err, errcap);
    if (!t->pc) {
        mem_free(g->alloc, t, sizeof *t);
        return -1;
    }
    *out = t;
    return 0;
}

static void txn_end(HPgTxn *t) {
    char err[8];
    PQclear(t->res);
    t->res = NULL;
    if (t->pc) flush(t, err, sizeof err);
    pool_put(t->g, t->pc); /* rolls back what is not committed */
    t->pc = NULL;
    t->begun = 0;
}

int hpg_commit(HPgTxn *t, char *err, size_t errcap) {
    int rc = 0;
    if (t->write && t->pc && t->pipelined) {
        /* COMMIT in the pipeline (a failed write before it aborts it) */
        if (!PQsendQueryParams(t->pc->c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0))
            rc = pg_fail(t->g, t->pc->c, NULL, "cannot commit", err, errcap);
        else
            t->queued++;
        if (flush(t, err, errcap)) rc = -1;
        if (rc == 0 && PQtransactionStatus(t->pc->c) != PQTRANS_IDLE)
            rc = failf(err, errcap, "history store %s: cannot commit", t->g->name);
    } else if (t->write && t->pc && t->pc->c && t->begun) {
        rc = run(t->g, t->pc, "COMMIT", N_("cannot commit"), err, errcap);
    }
    txn_end(t);
    mem_free(t->g->alloc, t, sizeof *t);
    return rc;
}

void hpg_abort(HPgTxn *t) {
    if (!t) return;
    txn_end(t);
    mem_free(t->g->alloc, t, sizeof *t);
}

void hpg_reset(HPgTxn *t) {
    txn_end(t);
}

int hpg_renew(HPgTxn *t, char *err, size_t errcap) {
    if (t->pc) return 0;
    t->pc = pool_get(t->g, err, errcap);
    return t->pc ? 0 : -1;
}

/* ---------------------------------------------------------------- meta */

int hpg_schemas(HPgTxn *t, int (*fn)(void *ud, long no, const char *desc, size_t n), void *ud,
                char *err, size_t errcap) {
    if (!t->pc) return failf(err, errcap, "history store %s: no connection", t->g->name);
    if (sync_point(t, err, errcap)) return -1;
    PGresult *r =
        PQexecParams(t->pc->c, "SELECT key, value FROM arbiter_meta WHERE key LIKE 'schema.%'", 0,
                     NULL, NULL, NULL, NULL, 1);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        pg_fail(t->g, t->pc->c, r, "cannot read", err, errcap);
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        char num[16];
        const char *k = PQgetvalue(r, i, 0);
        int kn = PQgetlength(r, i, 0);
        if (kn < 8 || kn - 7 >= (int)sizeof num) continue;
        memcpy(num, k + 7, (size_t)(kn - 7));
        num[kn - 7] = 0;
        long no = strtol(num, NULL, 10);
        if (no < 1) continue;
        if (fn(ud, no, PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1))) break;
    }
    PQclear(r);
    return 0;
}

int hpg_lock_schemas(HPgTxn *t, char *err, size_t errcap) {
    if (sync_point(t, err, errcap)) return -1;
    return run(t->g, t->pc, "SELECT pg_advisory_xact_lock(" LOCK_SCHEMAS ")", N_("cannot lock"),
               err, errcap);
}

int hpg_schema_add(HPgTxn *t, uint32_t no, const char *desc, size_t n, char *err, size_t errcap) {
    char key[32];
    snprintf(key, sizeof key, "schema.%u", no);
    const char *vals[2] = {key, desc};
    int lens[2] = {(int)strlen(key), (int)n}, fmts[2] = {1, 1};
    if (sync_point(t, err, errcap)) return -1;
    PGresult *r = PQexecParams(t->pc->c, "INSERT INTO arbiter_meta (key, value) VALUES ($1, $2)", 2,
                               NULL, vals, lens, fmts, 1);
    int rc = 0;
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_fail(t->g, t->pc->c, r, "cannot record the schema", err, errcap);
    PQclear(r);
    return rc;
}

/* -------------------------------------------------------------- claims */

int hpg_put(HPgTxn *t, const char *person, size_t pn, int64_t at, uint32_t seq, const char *id,
            size_t idn, const char *rec, size_t n, char *err, size_t errcap) {
    char tb[8], sb[8];
    put_i64(tb, at);
    put_i64(sb, seq);
    const char *vals[5] = {id, person, tb, sb, rec};
    int lens[5] = {(int)idn, (int)pn, 8, 8, (int)n};
    if (t->write) return send_write(t, ST_PUT, vals, lens, err, errcap);
    PGresult *r = exec_st(t, ST_PUT, vals, lens, err, errcap);
    PQclear(r);
    return r ? 0 : -1;
}

int hpg_delete(HPgTxn *t, const char *id, size_t n, char *err, size_t errcap) {
    const char *vals[1] = {id};
    int lens[1] = {(int)n};
    PGresult *r = exec_st(t, ST_DEL, vals, lens, err, errcap);
    if (!r) return -1;
    int done = atoi(PQcmdTuples(r)) > 0;
    PQclear(r);
    return done;
}

int hpg_has_id(HPgTxn *t, const char *id, size_t n) {
    char err[8];
    const char *vals[1] = {id};
    int lens[1] = {(int)n};
    if (!t->pc) return 0;
    PGresult *r = exec_st(t, ST_HAS, vals, lens, err, sizeof err);
    int has = r && PQntuples(r) > 0;
    PQclear(r);
    return has;
}

/* The claim in row i of a result of (as_of, seq, claim_id, rec). */
static int row_rec(const PGresult *r, int i, HRec *h) {
    if (PQgetlength(r, i, 0) != 8 || PQgetlength(r, i, 1) != 8) return -1;
    h->t = get_i64(PQgetvalue(r, i, 0));
    h->seq = (uint32_t)get_i64(PQgetvalue(r, i, 1));
    h->claim_id = PQgetvalue(r, i, 2);
    h->claim_id_len = (size_t)PQgetlength(r, i, 2);
    h->rec = PQgetvalue(r, i, 3);
    h->rec_len = (size_t)PQgetlength(r, i, 3);
    return 0;
}

int hpg_window(HPgTxn *t, const char *person, size_t pn, int64_t from, int64_t to_t,
               uint32_t to_seq, int (*fn)(void *ud, const HRec *r), void *ud) {
    char err[8], fb[8], tb[8], sb[8];
    if (!t->pc) return -1;
    PQclear(t->res);
    t->res = NULL;
    put_i64(fb, from);
    put_i64(tb, to_t);
    put_i64(sb, to_seq);
    const char *vals[4] = {person, fb, tb, sb};
    int lens[4] = {(int)pn, 8, 8, 8};
    PGresult *r = exec_st(t, ST_WINDOW, vals, lens, err, sizeof err);
    if (!r) return -1;
    t->res = r;
    for (int i = 0; i < PQntuples(r); i++) {
        HRec h;
        if (row_rec(r, i, &h)) return -1;
        h.person = person;
        h.person_len = pn;
        if (fn(ud, &h)) break;
    }
    return 0;
}

/* Reads a query's rows through a cursor, FETCH_ROWS at a time, in one
 * snapshot (its own REPEATABLE READ transaction unless in a write one);
 * row(ud, result, i) for each, nonzero to stop.  0, or -1 (err). */
static int each_row(HPg *g, PgConn *pc, int in_txn, const char *query,
                    int (*row)(void *ud, const PGresult *r, int i), void *ud, char *err,
                    size_t cap) {
    if (!in_txn &&
        run(g, pc, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", N_("cannot begin"), err, cap))
        return -1;
    char decl[512];
    snprintf(decl, sizeof decl, "DECLARE arb_each NO SCROLL CURSOR FOR %s", query);
    int rc = run(g, pc, decl, N_("cannot read"), err, cap), stop = 0;
    while (rc == 0 && !stop) {
        PGresult *r =
            PQexecParams(pc->c, "FETCH " FETCH_ROWS " FROM arb_each", 0, NULL, NULL, NULL, NULL, 1);
        if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
            rc = pg_fail(g, pc->c, r, "cannot read", err, cap);
            PQclear(r);
            break;
        }
        int n = PQntuples(r);
        for (int i = 0; i < n && !stop; i++) {
            int s = row(ud, r, i);
            if (s < 0) rc = failf(err, cap, "history store %s: a damaged row", g->name);
            stop = s != 0;
        }
        PQclear(r);
        if (n == 0) break;
    }
    if (rc == 0) rc = run(g, pc, "CLOSE arb_each", N_("cannot read"), err, cap);
    if (!in_txn) {
        if (rc == 0)
            rc = run(g, pc, "COMMIT", N_("cannot read"), err, cap);
        else
            PQclear(PQexec(pc->c, "ROLLBACK"));
    }
    return rc;
}

typedef struct EachClaim {
    int (*fn)(void *ud, const HRec *r);
    void *ud;
} EachClaim;

static int each_claim(void *ud, const PGresult *r, int i) {
    EachClaim *e = ud;
    HRec h;
    if (row_rec(r, i, &h)) return -1;
    h.person = PQgetvalue(r, i, 4);
    h.person_len = (size_t)PQgetlength(r, i, 4);
    return e->fn(e->ud, &h) ? 1 : 0;
}

int hpg_each(HPgTxn *t, int (*fn)(void *ud, const HRec *r), void *ud) {
    char err[8];
    EachClaim e = {fn, ud};
    if (!t->pc || sync_point(t, err, sizeof err)) return -1;
    return each_row(t->g, t->pc, t->write,
                    "SELECT as_of, seq, claim_id, rec, person FROM arbiter_claims ORDER BY person, "
                    "as_of, seq, claim_id",
                    each_claim, &e, err, sizeof err);
}

int64_t hpg_prune(HPg *g, int64_t before, char *err, size_t errcap) {
    PgConn *pc = pool_get(g, err, errcap);
    if (!pc) return -1;
    char b[8];
    put_i64(b, before);
    const char *vals[1] = {b};
    int lens[1] = {8}, fmts[1] = {1};
    PGresult *r = PQexecParams(pc->c, "DELETE FROM arbiter_claims WHERE as_of < $1", 1, NULL, vals,
                               lens, fmts, 1);
    int64_t n = -1;
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        pg_fail(g, pc->c, r, "cannot prune", err, errcap);
    else
        n = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    pool_put(g, pc);
    return n;
}

int hpg_stats(HPg *g, HStoreStats *st, char *err, size_t errcap) {
    PgConn *pc = pool_get(g, err, errcap);
    if (!pc) return -1;
    PGresult *r = PQexec(
        pc->c, "SELECT count(DISTINCT person), count(*), min(as_of), max(as_of), "
               "(SELECT count(*) FROM arbiter_feedback), pg_total_relation_size('arbiter_claims') "
               "+ pg_total_relation_size('arbiter_meta') + "
               "pg_total_relation_size('arbiter_feedback') FROM arbiter_claims");
    int rc = 0;
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        rc = pg_fail(g, pc->c, r, "cannot read", err, errcap);
    } else {
        st->persons = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
        st->claims = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
        st->first = PQgetisnull(r, 0, 2) ? ARB_NULL : strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        st->last = PQgetisnull(r, 0, 3) ? ARB_NULL : strtoll(PQgetvalue(r, 0, 3), NULL, 10);
        st->feedback = strtoull(PQgetvalue(r, 0, 4), NULL, 10);
        st->file_bytes = st->used_bytes = strtoull(PQgetvalue(r, 0, 5), NULL, 10);
    }
    PQclear(r);
    pool_put(g, pc);
    return rc;
}

/* ------------------------------------------------------------ feedback */

int hpg_feedback_add(HPg *g, const char *jr_id, size_t jn, const char *json, size_t n, char *err,
                     size_t errcap) {
    HPgTxn t = {g, pool_get(g, err, errcap), 0, 0, 0, 0, NULL};
    if (!t.pc) return -1;
    const char *vals[2] = {jr_id, json};
    int lens[2] = {(int)jn, (int)n};
    PGresult *r = exec_st(&t, ST_FEEDBACK, vals, lens, err, errcap);
    PQclear(r);
    pool_put(g, t.pc);
    return r ? 0 : -1;
}

typedef struct EachDoc {
    int (*fn)(void *ud, const char *json, size_t n);
    void *ud;
} EachDoc;

static int each_doc(void *ud, const PGresult *r, int i) {
    EachDoc *e = ud;
    return e->fn(e->ud, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0)) ? 1 : 0;
}

int hpg_feedback_each(HPg *g, int (*fn)(void *ud, const char *json, size_t n), void *ud, char *err,
                      size_t errcap) {
    PgConn *pc = pool_get(g, err, errcap);
    if (!pc) return -1;
    EachDoc e = {fn, ud};
    int rc = each_row(g, pc, 0, "SELECT doc FROM arbiter_feedback ORDER BY id", each_doc, &e, err,
                      errcap);
    pool_put(g, pc);
    return rc;
}
