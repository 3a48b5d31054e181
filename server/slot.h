/* slot.h — the rules a service is running: one loaded rule pack (with its
 * native matchers and a handle on the history store), a pool of sessions
 * for the worker threads, and a reference count, so that a reload can put
 * a new slot in place while requests in flight finish on the old one. */
#ifndef ARB_SRV_SLOT_H
#define ARB_SRV_SLOT_H

#include <pthread.h>
#include <stdint.h>

#include "arbiter.h"

typedef struct SlotConfig {
    const char *pack;    /* the rule pack (required) */
    const char *native;  /* its native matchers, or NULL */
    const char *history; /* a history store: directory or postgresql:// URI, or NULL */
    int history_write;   /* open it for recording */
} SlotConfig;

typedef struct Slot {
    arb_engine *e;
    arb_history *h;   /* NULL: no store */
    uint64_t pack_id; /* arb_pack_id */
    double load_seconds;
    int64_t loaded_at;    /* seconds since 1970 */
    pthread_mutex_t lock; /* guards refs and the pool */
    unsigned refs;
    arb_session **pool; /* sessions not in use */
    size_t npool, cappool;
} Slot;

/* Loads a slot from cfg.  base: the slot being replaced (its history
 * store is shared, not opened again), or NULL.  0, or -1 with the reason
 * in err.  The new slot holds one reference (the service's). */
int slot_load(const SlotConfig *cfg, Slot *base, Slot **out, char *err, size_t errcap);

/* A session of the slot for one request (from the pool, or a new one);
 * NULL when out of memory.  Give it back with slot_put. */
arb_session *slot_get(Slot *s);
void slot_put(Slot *s, arb_session *ss);

/* References: a slot is freed (its sessions, history handle and engine)
 * when the last is dropped. */
void slot_ref(Slot *s);
void slot_unref(Slot *s);

#endif
