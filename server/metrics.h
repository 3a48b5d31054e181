/* metrics.h — the service's counters, in Prometheus text format (GET
 * /metrics): requests and errors by endpoint, a latency histogram per
 * endpoint, findings by category, unknown input keys, reloads, the pack
 * served and the history store's size.
 *
 * Counters are updated by the worker threads with relaxed atomics (the
 * per-name ones under a mutex); met_render reads them without stopping
 * anything, so a scrape may see one request counted and not yet timed. */
#ifndef ARB_SRV_METRICS_H
#define ARB_SRV_METRICS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* The endpoints, each once: name in /metrics, path. */
#define SRV_ENDPOINTS(X)                                                                           \
    X(CHECK, "check", "/v1/check")                                                                 \
    X(CHECK_BATCH, "check_batch", "/v1/check/batch")                                               \
    X(NHSA_3101, "nhsa_3101", "/nhsa/3101")                                                        \
    X(NHSA_3102, "nhsa_3102", "/nhsa/3102")                                                        \
    X(NHSA_3103, "nhsa_3103", "/nhsa/3103")                                                        \
    X(HEALTHZ, "healthz", "/healthz")                                                              \
    X(METRICS, "metrics", "/metrics")                                                              \
    X(RELOAD, "reload", "/admin/reload")                                                           \
    X(OTHER, "other", "")

typedef enum {
#define X(id, name, path) EP_##id,
    SRV_ENDPOINTS(X)
#undef X
        EP__COUNT
} SrvEndpoint;

extern const char *const met_endpoint_names[EP__COUNT];

#define MET_BUCKETS 14 /* latency upper bounds, seconds; the last is +Inf */
#define MET_STATUS 6   /* 2xx 3xx 4xx 5xx, nhsa infcode -1 (in a 200), other */

/* A counter per distinct name (findings by category, unknown keys), at
 * most `cap` names; the rest are counted under "(other)". */
typedef struct MetNames {
    char **names;
    uint64_t *counts;
    size_t n, cap;
} MetNames;

typedef struct Metrics {
    uint64_t requests[EP__COUNT][MET_STATUS];
    uint64_t buckets[EP__COUNT][MET_BUCKETS]; /* cumulative at render time */
    uint64_t latency_us[EP__COUNT];           /* sum */
    uint64_t in_flight, rejected_busy, too_large, auth_failed;
    uint64_t reloads_ok, reloads_failed;
    uint64_t claims_checked, claims_recorded, feedback_recorded, trig_scen_mismatch;
    pthread_mutex_t lock; /* guards the name tables and the strings below */
    MetNames findings;    /* by category */
    MetNames unknown;     /* unknown input keys by path */
    char last_reload_error[512];
} Metrics;

int met_init(Metrics *m); /* 0, or -1 */
void met_free(Metrics *m);

/* Counts one request: endpoint, HTTP status (or -1 for an nhsa answer
 * with infcode -1), time taken. */
void met_request(Metrics *m, SrvEndpoint ep, int status, double seconds);
/* Counts one finding of category `cat` / one unknown key `path`. */
void met_finding(Metrics *m, const char *cat);
void met_unknown_key(Metrics *m, const char *path);
void met_reload_failed(Metrics *m, const char *why);

/* What the service knows beside the counters, for the gauges. */
typedef struct MetGauges {
    uint64_t pack_id;
    double pack_load_seconds;
    int64_t pack_loaded_at; /* seconds since 1970 */
    int history;            /* a store is open */
    uint64_t history_bytes, history_claims;
    unsigned threads;
} MetGauges;

/* Writes the Prometheus text exposition (version 0.0.4) into a malloc'd
 * string (*len bytes); NULL when out of memory. */
char *met_render(Metrics *m, const MetGauges *g, size_t *len);

#endif
