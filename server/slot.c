/* slot.c — a loaded rule pack and its sessions (see slot.h). */
#include "slot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void slot_free(Slot *s) {
    for (size_t i = 0; i < s->npool; i++) arb_session_free(s->pool[i]);
    free(s->pool);
    if (s->h) arb_history_close(s->h);
    arb_engine_free(s->e);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int slot_load(const SlotConfig *cfg, Slot *base, Slot **out, char *err, size_t errcap) {
    *out = NULL;
    Slot *s = calloc(1, sizeof *s);
    if (!s || pthread_mutex_init(&s->lock, NULL)) {
        free(s);
        snprintf(err, errcap, _("out of memory"));
        return -1;
    }
    s->refs = 1;
    double t0 = now_s();
    arb_config c;
    arb_config_init(&c);
    int rc = arb_engine_new(&c, &s->e);
    if (rc != ARB_OK) {
        snprintf(err, errcap, _("out of memory"));
        goto fail;
    }
    if (arb_load_pack(s->e, cfg->pack) != ARB_OK) {
        snprintf(err, errcap, _("rule pack %s: %s"), cfg->pack, arb_errmsg(s->e));
        goto fail;
    }
    if (cfg->native && arb_load_native(s->e, cfg->native) != ARB_OK) {
        snprintf(err, errcap, _("native matchers %s: %s"), cfg->native, arb_errmsg(s->e));
        goto fail;
    }
    if (cfg->history) {
        /* a reload shares the open store (one LMDB environment, or one
         * connection pool, per process) */
        rc = base && base->h
                 ? arb_history_attach(s->e, base->h, &s->h)
                 : arb_history_open(s->e, cfg->history,
                                    cfg->history_write ? ARB_HISTORY_WRITE : ARB_HISTORY_READONLY,
                                    &s->h);
        if (rc != ARB_OK || arb_engine_set_history(s->e, s->h) != ARB_OK) {
            snprintf(err, errcap, _("history store %s: %s"), cfg->history, arb_errmsg(s->e));
            goto fail;
        }
    }
    s->pack_id = arb_pack_id(s->e);
    s->load_seconds = now_s() - t0;
    s->loaded_at = (int64_t)time(NULL);
    *out = s;
    return 0;
fail:
    slot_free(s);
    return -1;
}

arb_session *slot_get(Slot *s) {
    arb_session *ss = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->npool) ss = s->pool[--s->npool];
    pthread_mutex_unlock(&s->lock);
    if (!ss && arb_session_new(s->e, &ss) != ARB_OK) return NULL;
    return ss;
}

void slot_put(Slot *s, arb_session *ss) {
    pthread_mutex_lock(&s->lock);
    if (s->npool == s->cappool) {
        size_t cap = s->cappool ? s->cappool * 2 : 8;
        arb_session **p = realloc(s->pool, cap * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&s->lock);
            arb_session_free(ss);
            return;
        }
        s->pool = p;
        s->cappool = cap;
    }
    s->pool[s->npool++] = ss;
    pthread_mutex_unlock(&s->lock);
}

void slot_ref(Slot *s) {
    pthread_mutex_lock(&s->lock);
    s->refs++;
    pthread_mutex_unlock(&s->lock);
}

void slot_unref(Slot *s) {
    pthread_mutex_lock(&s->lock);
    unsigned left = --s->refs;
    pthread_mutex_unlock(&s->lock);
    if (!left) slot_free(s);
}
