/* metrics.c — the service's counters and their Prometheus text (see
 * metrics.h). */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

const char *const met_endpoint_names[EP__COUNT] = {
#define X(id, name, path) name,
    SRV_ENDPOINTS(X)
#undef X
};

static const double bucket_le[MET_BUCKETS - 1] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
static const char *const status_names[MET_STATUS] = {"2xx", "3xx",        "4xx",
                                                     "5xx", "infcode_-1", "other"};

#define NAMES_CAP 512

int met_init(Metrics *m) {
    memset(m, 0, sizeof *m);
    return pthread_mutex_init(&m->lock, NULL) ? -1 : 0;
}

static void names_free(MetNames *t) {
    for (size_t i = 0; i < t->n; i++) free(t->names[i]);
    free(t->names);
    free(t->counts);
    memset(t, 0, sizeof *t);
}

void met_free(Metrics *m) {
    names_free(&m->findings);
    names_free(&m->unknown);
    pthread_mutex_destroy(&m->lock);
}

static void bump(uint64_t *c, uint64_t by) {
    __atomic_fetch_add(c, by, __ATOMIC_RELAXED);
}

void met_request(Metrics *m, SrvEndpoint ep, int status, double seconds) {
    int k = status == -1 ? 4 : status >= 200 && status < 600 ? status / 100 - 2 : 5;
    bump(&m->requests[ep][k], 1);
    int b = 0;
    while (b < MET_BUCKETS - 1 && seconds > bucket_le[b]) b++;
    bump(&m->buckets[ep][b], 1);
    bump(&m->latency_us[ep], (uint64_t)(seconds * 1e6 + 0.5));
}

/* Counts name in t (under m->lock). */
static void names_count(MetNames *t, const char *name) {
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->names[i], name) == 0) {
            t->counts[i]++;
            return;
        }
    if (t->n >= NAMES_CAP) name = "(other)";
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->names[i], name) == 0) {
            t->counts[i]++;
            return;
        }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **nn = realloc(t->names, cap * sizeof *nn);
        if (!nn) return;
        t->names = nn;
        uint64_t *nc = realloc(t->counts, cap * sizeof *nc);
        if (!nc) return;
        t->counts = nc;
        t->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) return;
    t->names[t->n] = copy;
    t->counts[t->n++] = 1;
}

void met_finding(Metrics *m, const char *cat) {
    pthread_mutex_lock(&m->lock);
    names_count(&m->findings, cat);
    pthread_mutex_unlock(&m->lock);
}

void met_unknown_key(Metrics *m, const char *path) {
    pthread_mutex_lock(&m->lock);
    names_count(&m->unknown, path);
    pthread_mutex_unlock(&m->lock);
}

void met_reload_failed(Metrics *m, const char *why) {
    bump(&m->reloads_failed, 1);
    pthread_mutex_lock(&m->lock);
    snprintf(m->last_reload_error, sizeof m->last_reload_error, "%s", why);
    pthread_mutex_unlock(&m->lock);
}

static uint64_t get(const uint64_t *c) {
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(StrBuf *b, const char *s) {
    for (; *s; s++) {
        if (*s == '\\' || *s == '"') sb_putc(b, '\\');
        if (*s == '\n') {
            sb_puts(b, "\\n");
            continue;
        }
        sb_putc(b, *s);
    }
}

static void head(StrBuf *b, const char *name, const char *type, const char *help) {
    sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void named(StrBuf *b, Metrics *m, MetNames *t, const char *metric, const char *key,
                  const char *help) {
    head(b, metric, "counter", help);
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < t->n; i++) {
        sb_printf(b, "%s{%s=\"", metric, key);
        label(b, t->names[i]);
        sb_printf(b, "\"} %llu\n", (unsigned long long)t->counts[i]);
    }
    pthread_mutex_unlock(&m->lock);
}

static void scalar(StrBuf *b, const char *name, const char *type, const char *help, uint64_t v) {
    head(b, name, type, help);
    sb_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

char *met_render(Metrics *m, const MetGauges *g, size_t *len) {
    StrBuf b;
    sb_init(&b, mem_default());
    head(&b, "arbiter_requests_total", "counter", "Requests answered, by endpoint and status.");
    for (int e = 0; e < EP__COUNT; e++)
        for (int k = 0; k < MET_STATUS; k++) {
            uint64_t v = get(&m->requests[e][k]);
            if (v)
                sb_printf(&b, "arbiter_requests_total{endpoint=\"%s\",status=\"%s\"} %llu\n",
                          met_endpoint_names[e], status_names[k], (unsigned long long)v);
        }
    head(&b, "arbiter_request_errors_total", "counter",
         "Requests answered with an error (HTTP 4xx/5xx, or infcode -1), by endpoint.");
    for (int e = 0; e < EP__COUNT; e++) {
        uint64_t v = get(&m->requests[e][2]) + get(&m->requests[e][3]) + get(&m->requests[e][4]);
        if (v)
            sb_printf(&b, "arbiter_request_errors_total{endpoint=\"%s\"} %llu\n",
                      met_endpoint_names[e], (unsigned long long)v);
    }
    head(&b, "arbiter_request_duration_seconds", "histogram",
         "Time from the request's arrival to its answer, by endpoint.");
    for (int e = 0; e < EP__COUNT; e++) {
        uint64_t cum = 0;
        for (int k = 0; k < MET_BUCKETS; k++) cum += get(&m->buckets[e][k]);
        if (!cum) continue;
        cum = 0;
        for (int k = 0; k < MET_BUCKETS; k++) {
            cum += get(&m->buckets[e][k]);
            if (k < MET_BUCKETS - 1)
                sb_printf(&b,
                          "arbiter_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} "
                          "%llu\n",
                          met_endpoint_names[e], bucket_le[k], (unsigned long long)cum);
            else
                sb_printf(&b,
                          "arbiter_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} "
                          "%llu\n",
                          met_endpoint_names[e], (unsigned long long)cum);
        }
        sb_printf(&b, "arbiter_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n",
                  met_endpoint_names[e], (double)get(&m->latency_us[e]) / 1e6);
        sb_printf(&b, "arbiter_request_duration_seconds_count{endpoint=\"%s\"} %llu\n",
                  met_endpoint_names[e], (unsigned long long)cum);
    }
    scalar(&b, "arbiter_requests_in_flight", "gauge", "Requests being answered.",
           get(&m->in_flight));
    scalar(&b, "arbiter_rejected_busy_total", "counter",
           "Requests answered 503: more connections than --max-connections.",
           get(&m->rejected_busy));
    scalar(&b, "arbiter_rejected_too_large_total", "counter",
           "Requests answered 413: a body over --max-body.", get(&m->too_large));
    scalar(&b, "arbiter_auth_failed_total", "counter",
           "Requests refused: bad signature, api key or admin token.", get(&m->auth_failed));
    scalar(&b, "arbiter_claims_checked_total", "counter", "Claims checked.",
           get(&m->claims_checked));
    scalar(&b, "arbiter_claims_recorded_total", "counter", "Claims recorded in the history store.",
           get(&m->claims_recorded));
    scalar(&b, "arbiter_feedback_recorded_total", "counter", "3103 answers recorded.",
           get(&m->feedback_recorded));
    scalar(&b, "arbiter_nhsa_trig_scen_mismatch_total", "counter",
           "3101/3102 requests whose trig_scen belongs to the other stage (both phases run).",
           get(&m->trig_scen_mismatch));
    named(&b, m, &m->findings, "arbiter_findings_total", "category", "Findings, by category.");
    named(&b, m, &m->unknown, "arbiter_unknown_input_keys_total", "path",
          "Requests with an input key no field reads (ignored), by path.");
    scalar(&b, "arbiter_reloads_total", "counter", "Packs loaded by a reload.",
           get(&m->reloads_ok));
    scalar(&b, "arbiter_reload_failures_total", "counter",
           "Reloads refused (the old pack kept serving).", get(&m->reloads_failed));
    head(&b, "arbiter_last_reload_error", "gauge",
         "1 with the reason of the last failed reload (none: no series).");
    pthread_mutex_lock(&m->lock);
    if (m->last_reload_error[0]) {
        sb_puts(&b, "arbiter_last_reload_error{reason=\"");
        label(&b, m->last_reload_error);
        sb_puts(&b, "\"} 1\n");
    }
    pthread_mutex_unlock(&m->lock);
    head(&b, "arbiter_pack_info", "gauge", "The rule pack being served (its checksum).");
    sb_printf(&b, "arbiter_pack_info{pack_id=\"%016llx\"} 1\n", (unsigned long long)g->pack_id);
    head(&b, "arbiter_pack_load_seconds", "gauge", "Time the served pack took to load.");
    sb_printf(&b, "arbiter_pack_load_seconds %.6f\n", g->pack_load_seconds);
    scalar(&b, "arbiter_pack_loaded_timestamp_seconds", "gauge",
           "When the served pack was loaded (seconds since 1970).", (uint64_t)g->pack_loaded_at);
    scalar(&b, "arbiter_threads", "gauge", "Worker threads.", g->threads);
    if (g->history) {
        scalar(&b, "arbiter_history_store_bytes", "gauge", "Size of the history store.",
               g->history_bytes);
        scalar(&b, "arbiter_history_store_claims", "gauge", "Claims in the history store.",
               g->history_claims);
    }
    if (b.oom) {
        sb_free(&b);
        return NULL;
    }
    *len = b.len;
    return b.p ? b.p : strdup("");
}
