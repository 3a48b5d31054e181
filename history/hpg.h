/* hpg.h — the history store's PostgreSQL backend: a store named by a
 * connection string (postgresql://... or postgres://...) instead of a
 * directory, which several processes share.  hstore.c dispatches to it; this
 * module stores and reads bytes (keys, encoded claims, schema descriptions,
 * feedback) and knows nothing of programs or claims.
 *
 * Tables (created on the first open for writing, in one transaction under an
 * advisory lock, so concurrent first opens do not collide):
 *   arbiter_meta     key text primary key, value bytea: "format" -> the
 *                    format version (HSTORE_FORMAT), "schema.N" -> a schema
 *                    description (hcodec.h), as the LMDB store's meta db
 *   arbiter_claims   claim_id bytea primary key, person bytea, as_of int8
 *                    (seconds), seq int8 (0), rec bytea (the encoded claim,
 *                    hcodec); index arbiter_claims_window on (person, as_of,
 *                    seq, claim_id): one person's window is one ordered
 *                    index range read.  bytea compares as memcmp, so claims
 *                    come back in the LMDB store's key order.
 *   arbiter_feedback id identity primary key (arrival order), received
 *                    timestamptz, jr_id text, doc text (one JSON object)
 *
 * Connections: a pool of PGconn, one per transaction in progress (a
 * connection is never used by two threads at once); a transaction takes one
 * from the pool, or connects, and gives it back when it ends; at most
 * HPG_IDLE idle connections are kept.  Statements are prepared once per
 * connection, with binary parameters and results.
 *
 * What a reader sees: a read transaction takes no snapshot of its own —
 * each read (one person's window, one statement) sees every transaction
 * committed before that read began, and nothing of one committed while it
 * runs.  hpg_each reads in one snapshot (REPEATABLE READ READ ONLY).  A
 * write transaction is READ COMMITTED; writers do not wait for each other
 * except on the same claim_id (the later one waits for the earlier to end).
 * Its BEGIN goes with its first statement and its puts are pipelined (sent
 * without waiting for each answer, read before any other statement and at
 * the commit, which goes in the same pipeline): a put the server refuses
 * makes the commit (or the next read) fail with the server's message.  A
 * commit is durable when it returns (the server's synchronous_commit).
 *
 * Errors are values: functions return -1 with a message in err naming the
 * store (the URI without its password) and the server's message (a refused
 * connection names the host and port).  Nothing here prints or keeps global
 * state (libpq's notices are swallowed). */
#ifndef ARB_HPG_H
#define ARB_HPG_H

#include <stddef.h>
#include <stdint.h>

#include "hstore.h"
#include "mem.h"

#define HPG_IDLE 16 /* idle connections kept in a pool */

typedef struct HPg HPg;
typedef struct HPgTxn HPgTxn;

/* Whether name is a PostgreSQL connection URI (postgresql:// or
 * postgres://). */
int hpg_is_uri(const char *name);

/* Connects to the database at uri and checks it holds a history store of
 * format `format` (refused naming both versions when another); with write,
 * creates the tables when they are missing.  0, or -1 (err). */
int hpg_open(HPg **out, const char *uri, int write, const char *format, Alloc a, char *err,
             size_t errcap);
/* Closes every connection of the pool (the transactions must be over). */
void hpg_close(HPg *g);
/* The URI without its password, for messages. */
const char *hpg_name(const HPg *g);

/* A transaction on a connection of the pool.  A write transaction is one
 * BEGIN ... COMMIT; a read transaction reads in autocommit (see above).
 * 0, or -1 (err). */
int hpg_begin(HPg *g, int write, HPgTxn **out, char *err, size_t errcap);
int hpg_commit(HPgTxn *t, char *err, size_t errcap);
void hpg_abort(HPgTxn *t);
/* A read transaction gives its connection back to the pool, and takes one
 * again (0, or -1 with err when it cannot connect). */
void hpg_reset(HPgTxn *t);
int hpg_renew(HPgTxn *t, char *err, size_t errcap);

/* Schema descriptions: fn for each "schema.N" in meta (N >= 1), in no
 * particular order; fn returns nonzero to stop.  0, or -1 (err). */
int hpg_schemas(HPgTxn *t, int (*fn)(void *ud, long no, const char *desc, size_t n), void *ud,
                char *err, size_t errcap);
/* In a write transaction: waits until no other transaction is registering
 * a schema (an advisory lock held to the transaction's end), then records
 * description `no`.  hpg_lock_schemas is called before reading them. */
int hpg_lock_schemas(HPgTxn *t, char *err, size_t errcap);
int hpg_schema_add(HPgTxn *t, uint32_t no, const char *desc, size_t n, char *err, size_t errcap);

/* Stores a claim (replacing the one with the same claim_id).  0 or -1;
 * in a write transaction the server's answer comes later (above). */
int hpg_put(HPgTxn *t, const char *person, size_t pn, int64_t at, uint32_t seq, const char *id,
            size_t idn, const char *rec, size_t n, char *err, size_t errcap);
/* Deletes the claim with this id: 1 done, 0 none, -1 error. */
int hpg_delete(HPgTxn *t, const char *id, size_t n, char *err, size_t errcap);
/* 1 when a claim with this id is stored, 0 when not (or on error). */
int hpg_has_id(HPgTxn *t, const char *id, size_t n);
/* As hstore_window.  The records are valid until the transaction's next
 * read or its end.  0 or -1. */
int hpg_window(HPgTxn *t, const char *person, size_t pn, int64_t from, int64_t to_t,
               uint32_t to_seq, int (*fn)(void *ud, const HRec *r), void *ud);
/* As hstore_each, in one snapshot; a record is valid during its call. */
int hpg_each(HPgTxn *t, int (*fn)(void *ud, const HRec *r), void *ud);

/* Removes the claims settled before `before`, in one transaction: the
 * number removed, or -1 (err). */
int64_t hpg_prune(HPg *g, int64_t before, char *err, size_t errcap);
/* Fills persons, claims, first, last, file_bytes, used_bytes (the tables'
 * size with their indexes) and feedback.  0 or -1. */
int hpg_stats(HPg *g, HStoreStats *st, char *err, size_t errcap);

/* Feedback: adds one answer (committed when it returns); calls fn for each
 * in arrival order, in one snapshot (fn returns nonzero to stop).  0 or
 * -1 (err). */
int hpg_feedback_add(HPg *g, const char *jr_id, size_t jn, const char *json, size_t n, char *err,
                     size_t errcap);
int hpg_feedback_each(HPg *g, int (*fn)(void *ud, const char *json, size_t n), void *ud, char *err,
                      size_t errcap);

#endif
