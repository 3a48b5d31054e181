/* server.c — the audit service over libmicrohttpd (see server.h): request
 * bodies, routing, limits, authentication, the /v1 and national endpoints,
 * reload, metrics and the access log. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "metrics.h"
#include "nhsa.h"
#include "strbuf.h"

struct Server {
    SrvConfig c;
    struct MHD_Daemon *d;
    Metrics m;
    pthread_mutex_t cur_lock; /* guards cur */
    Slot *cur;
    pthread_mutex_t reload_lock; /* one reload at a time */
    pthread_mutex_t feedback_lock;
    int feedback_fd; /* the feedback log, or -1 */
    unsigned threads;
    uint64_t connections; /* open */
    uint64_t serial;      /* answers, for inf_refmsgid */
    char address[128];
    /* history size for /metrics, refreshed at most every minute */
    pthread_mutex_t hist_lock;
    int64_t hist_at;
    uint64_t hist_bytes, hist_claims;
};

/* One request being read and answered. */
typedef struct Req {
    char *body;
    size_t len, cap;
    int too_large;
    SrvEndpoint ep;
    double t0;
    int64_t arrived_ms;
    int status;      /* of the answer: HTTP status, -1 for infcode -1 */
    size_t out_len;  /* bytes answered */
    char infno[16];  /* national requests */
    size_t findings; /* given in the answer */
    int counted;     /* in in_flight */
} Req;

void srv_config_init(SrvConfig *c) {
    memset(c, 0, sizeof *c);
    c->listen = "127.0.0.1:8600";
    c->max_body = (size_t)16 << 20;
    c->max_header = 32 * 1024;
    c->idle_timeout = 60;
    c->header_timeout = 10;
    c->max_connections = 1024;
    c->signature_window = 300;
    c->profile = "nhsa3101";
    c->record_3102 = 1;
}

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ISO time (UTC) of ms since 1970: 2026-12-06T10:00:00.123Z. */
static void iso_ms(int64_t ms, char out[32]) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

/* An event for the log: {"time", "event", then the fields given as
 * key, value pairs (NULL-terminated)}. */
static void event(Server *s, const char *what, ...) {
    if (!s->c.log) return;
    json_object *o = json_object_new_object();
    char t[32];
    iso_ms(wall_ms(), t);
    json_object_object_add(o, "time", json_object_new_string(t));
    json_object_object_add(o, "event", json_object_new_string(what));
    va_list ap;
    va_start(ap, what);
    for (const char *k; (k = va_arg(ap, const char *));) {
        const char *v = va_arg(ap, const char *);
        json_object_object_add(o, k, json_object_new_string(v ? v : ""));
    }
    va_end(ap);
    size_t len;
    const char *text = json_object_to_json_string_length(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    s->c.log(s->c.log_ud, text, len);
    json_object_put(o);
}

/* ------------------------------------------------------------ the rules */

static Slot *acquire(Server *s) {
    pthread_mutex_lock(&s->cur_lock);
    Slot *sl = s->cur;
    slot_ref(sl);
    pthread_mutex_unlock(&s->cur_lock);
    return sl;
}

int srv_reload(Server *s, char *err, size_t errcap) {
    pthread_mutex_lock(&s->reload_lock);
    Slot *old = acquire(s), *fresh;
    int rc = slot_load(&s->c.rules, old, &fresh, err, errcap);
    slot_unref(old);
    if (rc) {
        met_reload_failed(&s->m, err);
        event(s, "reload_failed", "error", err, NULL);
        pthread_mutex_unlock(&s->reload_lock);
        return -1;
    }
    pthread_mutex_lock(&s->cur_lock);
    old = s->cur;
    s->cur = fresh;
    pthread_mutex_unlock(&s->cur_lock);
    slot_unref(old); /* freed when its last request is done */
    __atomic_fetch_add(&s->m.reloads_ok, 1, __ATOMIC_RELAXED);
    char id[24];
    snprintf(id, sizeof id, "%016llx", (unsigned long long)fresh->pack_id);
    event(s, "reload", "pack_id", id, NULL);
    pthread_mutex_unlock(&s->reload_lock);
    return 0;
}

/* ------------------------------------------------------------ answering */

/* Queues an answer of `len` bytes from a malloc'd buffer (taken). */
static enum MHD_Result answer(struct MHD_Connection *c, Req *r, int status, const char *ctype,
                              char *body, size_t len) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (status == 405)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
                                r->ep == EP_HEALTHZ || r->ep == EP_METRICS ? "GET" : "POST");
    if (status == 413 || status == 503)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    if (r->status == 0) r->status = status;
    r->out_len = len;
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result answer_json(struct MHD_Connection *c, Req *r, int status, json_object *o) {
    size_t len;
    const char *text = json_object_to_json_string_length(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    char *copy = text ? malloc(len + 2) : NULL;
    if (copy) {
        memcpy(copy, text, len);
        copy[len++] = '\n';
    }
    json_object_put(o);
    if (!copy) return MHD_NO;
    return answer(c, r, status, "application/json; charset=utf-8", copy, len);
}

/* {"error": msg} with an HTTP status. */
static enum MHD_Result answer_error(struct MHD_Connection *c, Req *r, int status, const char *msg) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "error", json_object_new_string(msg));
    return answer_json(c, r, status, o);
}

static int is_loopback(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr) return 0;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a)) return 1;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return 0;
}

static void peer(struct MHD_Connection *c, char *out, size_t cap) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = 0;
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    getnameinfo(
        sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
        out, (socklen_t)cap, NULL, 0, NI_NUMERICHOST);
}

/* The phases a ?phase= value asks for (pre, settle, post, all, comma
 * lists); 0 when not understood. */
static unsigned parse_phases(const char *v) {
    if (!v || !*v) return ARB_PHASE_ALL;
    unsigned ph = 0;
    while (*v) {
        const char *e = strchr(v, ',');
        size_t n = e ? (size_t)(e - v) : strlen(v);
        if (n == 3 && !strncmp(v, "pre", 3))
            ph |= ARB_PHASE_PRE;
        else if (n == 6 && !strncmp(v, "settle", 6))
            ph |= ARB_PHASE_SETTLE;
        else if (n == 4 && !strncmp(v, "post", 4))
            ph |= ARB_PHASE_POST;
        else if (n == 3 && !strncmp(v, "all", 3))
            ph |= ARB_PHASE_ALL;
        else
            return 0;
        v += n;
        if (*v == ',') v++;
    }
    return ph;
}

static int flag_arg(struct MHD_Connection *c, const char *name) {
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return v && (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, ""));
}

/* Appends s as a JSON string. */
static void put_json_string(StrBuf *b, const char *s) {
    json_object *o = json_object_new_string(s);
    size_t n;
    const char *t = json_object_to_json_string_length(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    if (t)
        sb_putn(b, t, n);
    else
        b->oom = 1;
    json_object_put(o);
}

/* Collecting the findings of one claim into the answer's text, each as a
 * line of the findings file has it (arb_finding_json). */
typedef struct Collect {
    Server *s;
    StrBuf *b;
    size_t n;
} Collect;

static void collect(void *ud, const arb_finding *f) {
    Collect *k = ud;
    if (k->n++) sb_putc(k->b, ',');
    char *w = sb_reserve(k->b, 2048);
    size_t need = w ? arb_finding_json(f, w, 2048) : 0;
    if (w && need >= 2048 && (w = sb_reserve(k->b, need + 1))) arb_finding_json(f, w, need + 1);
    if (w) k->b->len += need;
    met_finding(&k->s->m, f->category);
}

static void count_unread(Server *s, arb_session *ss, StrBuf *into) {
    const char *name;
    for (size_t i = 0; (name = arb_session_ignored(ss, i)); i++) {
        met_unknown_key(&s->m, name);
        if (!into) continue;
        sb_puts(into, i ? "," : ",\"unread_fields\":[");
        put_json_string(into, name);
    }
    if (into && arb_session_ignored(ss, 0)) sb_putc(into, ']');
}

/* Checks one claim of Arbiter's JSON and appends its answer to b:
 * "{" prefix "findings":[...] (and unread_fields, warning, recorded) "}",
 * or "{" prefix "error":"..." "}".  The HTTP status: 200, 400 (bad claim),
 * 500 or 503.  *nfindings: the findings given. */
static int check_one(Server *s, arb_session *ss, const char *text, size_t len, unsigned phases,
                     int record, const char *prefix, StrBuf *b, size_t *nfindings) {
    size_t start = b->len;
    sb_putc(b, '{');
    sb_puts(b, prefix);
    sb_puts(b, "\"findings\":[");
    Collect k = {s, b, 0};
    int rc = arb_session_check_json(ss, text, len, phases, collect, &k);
    __atomic_fetch_add(&s->m.claims_checked, 1, __ATOMIC_RELAXED);
    int status = 200;
    char err[700];
    err[0] = 0;
    if (rc == ARB_ERR_DATA || rc == ARB_ERR_NOMEM) {
        snprintf(err, sizeof err, "%s",
                 rc == ARB_ERR_NOMEM ? "out of memory" : arb_session_errmsg(ss));
        status = rc == ARB_ERR_NOMEM ? 503 : 400;
    } else {
        sb_putc(b, ']');
        count_unread(s, ss, b);
        if (arb_session_errmsg(ss)[0]) { /* a rule failed, or history was short */
            sb_puts(b, ",\"warning\":");
            put_json_string(b, arb_session_errmsg(ss));
        }
        if (record) {
            size_t n = 0;
            int rrc = arb_session_record_last(ss, &n);
            if (rrc != ARB_OK) {
                snprintf(err, sizeof err, "the claim was checked but not recorded: %s",
                         arb_session_errmsg(ss));
                status = rrc == ARB_ERR_DATA ? 400 : 500;
            } else {
                __atomic_fetch_add(&s->m.claims_recorded, n, __ATOMIC_RELAXED);
                sb_puts(b, ",\"recorded\":true");
            }
        }
    }
    if (status != 200) { /* the error alone */
        b->len = start;
        sb_putc(b, '{');
        sb_puts(b, prefix);
        sb_puts(b, "\"error\":");
        put_json_string(b, err);
        k.n = 0;
    }
    sb_putc(b, '}');
    *nfindings = k.n;
    return status;
}

static int can_record(Slot *sl, const SrvConfig *c, char *err, size_t errcap) {
    if (sl->h && c->rules.history_write) return 1;
    snprintf(err, errcap, "%s",
             sl->h ? "the history store is open read-only (serve --history-readonly)"
                   : "there is no history store to record in (serve --history DB)");
    return 0;
}

/* Answers with the text of b (taken over). */
static enum MHD_Result answer_buf(struct MHD_Connection *c, Req *r, int status, const char *ctype,
                                  StrBuf *b) {
    if (b->oom || !b->p) {
        sb_free(b);
        return answer_error(c, r, 503, "out of memory");
    }
    return answer(c, r, status, ctype, b->p, b->len); /* b->p is the C library's */
}

static enum MHD_Result do_check(Server *s, struct MHD_Connection *c, Req *r, int batch) {
    const char *pv = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "phase");
    unsigned phases = parse_phases(pv);
    char err[640];
    if (!phases) {
        snprintf(err, sizeof err, "phase=%.60s: not one of pre, settle, post, all", pv);
        return answer_error(c, r, 400, err);
    }
    int record = flag_arg(c, "record");
    Slot *sl = acquire(s);
    if (record && !can_record(sl, &s->c, err, sizeof err)) {
        slot_unref(sl);
        return answer_error(c, r, 400, err);
    }
    arb_session *ss = slot_get(sl);
    if (!ss) {
        slot_unref(sl);
        return answer_error(c, r, 503, "out of memory");
    }
    StrBuf b;
    sb_init(&b, mem_default());
    enum MHD_Result ret;
    if (!batch) {
        size_t n;
        int status = check_one(s, ss, r->body, r->len, phases, record, "", &b, &n);
        r->findings = n;
        sb_putc(&b, '\n');
        ret = answer_buf(c, r, status, "application/json; charset=utf-8", &b);
    } else {
        /* JSON Lines in, one line out per claim: {"line", "findings"...}
         * or {"line", "error"} */
        size_t lineno = 0;
        for (size_t p = 0; p < r->len && !b.oom;) {
            const char *nl = memchr(r->body + p, '\n', r->len - p);
            size_t end = nl ? (size_t)(nl - r->body) : r->len;
            lineno++;
            size_t a = p, e = end;
            while (a < e && (r->body[a] == ' ' || r->body[a] == '\t' || r->body[a] == '\r')) a++;
            while (e > a && (r->body[e - 1] == ' ' || r->body[e - 1] == '\r')) e--;
            p = end + 1;
            if (a == e) continue;
            char prefix[40];
            snprintf(prefix, sizeof prefix, "\"line\":%zu,", lineno);
            size_t n;
            check_one(s, ss, r->body + a, e - a, phases, record, prefix, &b, &n);
            r->findings += n;
            sb_putc(&b, '\n');
        }
        ret = answer_buf(c, r, 200, "application/x-ndjson; charset=utf-8", &b);
    }
    slot_put(sl, ss);
    slot_unref(sl);
    return ret;
}

/* ------------------------------------------------------ national (3101) */

typedef struct NhsaCollect {
    Server *s;
    NhsaAnswer *a;
    const char *task_id;
    size_t n, context;
} NhsaCollect;

static void nhsa_collect(void *ud, const arb_input_finding *f) {
    NhsaCollect *k = ud;
    if (f->is_current == 0) { /* an order given as context, not checked as new */
        k->context++;
        return;
    }
    nhsa_answer_finding(k->a, f, k->task_id);
    met_finding(&k->s->m, f->finding->category);
    k->n++;
}

static int feedback_to_log(void *ud, const char *json, size_t len, char *err, size_t errcap) {
    Server *s = ud;
    pthread_mutex_lock(&s->feedback_lock);
    char *line = malloc(len + 1);
    int rc = -1;
    if (line) {
        memcpy(line, json, len);
        line[len] = '\n';
        ssize_t w = write(s->feedback_fd, line, len + 1);
        rc = w == (ssize_t)(len + 1) && fdatasync(s->feedback_fd) == 0 ? 0 : -1;
        free(line);
    }
    pthread_mutex_unlock(&s->feedback_lock);
    if (rc)
        snprintf(err, errcap, "feedback log %s: %s", s->c.feedback_log, strerror(errno));
    else
        __atomic_fetch_add(&s->m.feedback_recorded, 1, __ATOMIC_RELAXED);
    return rc;
}

typedef struct FeedbackStore {
    Server *s;
    arb_history *h;
    arb_engine *e;
} FeedbackStore;

static int feedback_to_store(void *ud, const char *json, size_t len, char *err, size_t errcap) {
    FeedbackStore *f = ud;
    if (arb_history_feedback_add(f->h, json, len) != ARB_OK) {
        snprintf(err, errcap, "history store: %s", arb_errmsg(f->e));
        return -1;
    }
    __atomic_fetch_add(&f->s->m.feedback_recorded, 1, __ATOMIC_RELAXED);
    return 0;
}

static int feedback_nowhere(void *ud, const char *json, size_t len, char *err, size_t errcap) {
    (void)ud, (void)json, (void)len;
    snprintf(err, errcap,
             "3103 is not recorded here: start serve with a writable --history store or "
             "--feedback-log FILE");
    return -1;
}

/* A national request: 3101/3102 checks the claims, 3103 records the
 * answers; infno 0: as the body says. */
static enum MHD_Result do_nhsa(Server *s, struct MHD_Connection *c, Req *r, int infno) {
    NhsaRequest q;
    NhsaAnswer a;
    char err[700];
    uint64_t serial = __atomic_add_fetch(&s->serial, 1, __ATOMIC_RELAXED);
    int bad = nhsa_request_read(&q, r->body, r->len, err, sizeof err);
    if (nhsa_answer_init(&a, bad ? NULL : q.admdvs, serial, r->arrived_ms)) {
        if (!bad) nhsa_request_free(&q);
        return answer_error(c, r, 503, "out of memory");
    }
    if (!bad) {
        snprintf(r->infno, sizeof r->infno, "%s", q.infno);
        int said = atoi(q.infno);
        if (infno == 0) {
            infno = said;
            if (infno != 3101 && infno != 3102 && infno != 3103) {
                snprintf(err, sizeof err,
                         "infno: '%.20s' is not served here (3101 事前分析, 3102 事中分析, 3103 "
                         "反馈)",
                         q.infno);
                bad = 1;
            }
        } else if (q.infno[0] && said != infno) {
            snprintf(err, sizeof err, "infno: the body says %.20s, the path is for %d", q.infno,
                     infno);
            bad = 1;
        }
        if (infno == 3102) r->ep = EP_NHSA_3102;
        if (infno == 3103) r->ep = EP_NHSA_3103;
        if (infno == 3101) r->ep = EP_NHSA_3101;
    }
    Slot *sl = NULL;
    if (!bad && infno == 3103) {
        char received[32];
        iso_ms(r->arrived_ms, received);
        sl = acquire(s);
        FeedbackStore fs = {s, sl->h, sl->e};
        int n = sl->h && s->c.rules.history_write
                    ? nhsa_feedback_each(&q, received, feedback_to_store, &fs, err, sizeof err)
                    : nhsa_feedback_each(&q, received,
                                         s->feedback_fd >= 0 ? feedback_to_log : feedback_nowhere,
                                         s, err, sizeof err);
        bad = n < 0;
    } else if (!bad) {
        int mismatch;
        unsigned phases = nhsa_phases(&q, infno, &mismatch, err, sizeof err);
        if (mismatch) __atomic_fetch_add(&s->m.trig_scen_mismatch, 1, __ATOMIC_RELAXED);
        if (!phases) bad = 1;
        sl = acquire(s);
        arb_session *ss = bad ? NULL : slot_get(sl);
        if (!bad && !ss) {
            snprintf(err, sizeof err, "out of memory");
            bad = 1;
        }
        if (ss) {
            NhsaCollect k = {s, &a, q.task_id, 0, 0};
            size_t nclaims = 0;
            int rc = arb_session_check_input(ss, s->c.profile, r->body, r->len, phases,
                                             nhsa_collect, &k, &nclaims);
            __atomic_fetch_add(&s->m.claims_checked, nclaims, __ATOMIC_RELAXED);
            count_unread(s, ss, NULL);
            if (rc != ARB_OK && rc != ARB_ERR_IO) {
                snprintf(err, sizeof err, "%s", arb_session_errmsg(ss));
                bad = 1;
            } else if (infno == 3102 && s->c.record_3102 && sl->h && s->c.rules.history_write &&
                       nclaims) {
                size_t n = 0;
                if (arb_session_record_last(ss, &n) != ARB_OK) {
                    snprintf(err, sizeof err, "checked, but not recorded in the history store: %s",
                             arb_session_errmsg(ss));
                    bad = 1;
                }
                __atomic_fetch_add(&s->m.claims_recorded, n, __ATOMIC_RELAXED);
            }
            r->findings = k.n;
            slot_put(sl, ss);
        }
    }
    if (sl) slot_unref(sl);
    if (bad) {
        nhsa_answer_fail(&a, err);
        r->status = -1;
        r->findings = 0;
    }
    size_t len;
    const char *text = nhsa_answer_text(&a, &len);
    char *copy = text ? malloc(len + 1) : NULL;
    if (copy) {
        memcpy(copy, text, len);
        copy[len++] = '\n';
    }
    nhsa_answer_free(&a);
    nhsa_request_free(&q);
    if (!copy) return MHD_NO;
    return answer(c, r, 200, "application/json; charset=utf-8", copy, len);
}

/* Whether a national request may be answered: the apikey and x-tif
 * signature, when configured. */
static int nhsa_auth(Server *s, struct MHD_Connection *c, char *err, size_t errcap) {
    if (s->c.apikey) {
        const char *k = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "apikey");
        if (!k || strlen(k) != strlen(s->c.apikey) || strcmp(k, s->c.apikey) != 0) {
            snprintf(err, errcap, "apikey: %s", k ? "wrong key" : "missing header");
            return 0;
        }
    }
    if (s->c.nhsa_secret) {
        char why[256];
        if (nhsa_verify_signature(
                s->c.nhsa_secret,
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-tif-timestamp"),
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-tif-nonce"),
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-tif-signature"),
                (int64_t)time(NULL), s->c.signature_window, why, sizeof why)) {
            snprintf(err, errcap, "signature: %s", why);
            return 0;
        }
    }
    return 1;
}

/* ------------------------------------------------------- the rest */

static void history_size(Server *s, Slot *sl, MetGauges *g) {
    if (!sl->h) return;
    g->history = 1;
    int64_t now = (int64_t)time(NULL);
    pthread_mutex_lock(&s->hist_lock);
    if (!s->hist_at || now - s->hist_at >= 60) {
        arb_history_info info;
        if (arb_history_stats(sl->h, &info) == ARB_OK) {
            s->hist_bytes = info.file_bytes;
            s->hist_claims = info.claims;
        }
        s->hist_at = now;
    }
    g->history_bytes = s->hist_bytes;
    g->history_claims = s->hist_claims;
    pthread_mutex_unlock(&s->hist_lock);
}

static enum MHD_Result do_metrics(Server *s, struct MHD_Connection *c, Req *r) {
    Slot *sl = acquire(s);
    MetGauges g = {sl->pack_id, sl->load_seconds, sl->loaded_at, 0, 0, 0, s->threads};
    history_size(s, sl, &g);
    slot_unref(sl);
    size_t len;
    char *text = met_render(&s->m, &g, &len);
    if (!text) return answer_error(c, r, 503, "out of memory");
    return answer(c, r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

static enum MHD_Result do_healthz(Server *s, struct MHD_Connection *c, Req *r) {
    Slot *sl = acquire(s);
    json_object *o = json_object_new_object();
    char id[24];
    snprintf(id, sizeof id, "%016llx", (unsigned long long)sl->pack_id);
    json_object_object_add(o, "status", json_object_new_string("ok"));
    json_object_object_add(o, "pack_id", json_object_new_string(id));
    json_object_object_add(o, "history", json_object_new_boolean(sl->h != NULL));
    slot_unref(sl);
    return answer_json(c, r, 200, o);
}

static enum MHD_Result do_reload(Server *s, struct MHD_Connection *c, Req *r) {
    if (s->c.admin_token) {
        const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        size_t n = strlen(s->c.admin_token);
        if (!h || strncasecmp(h, "Bearer ", 7) != 0 || strlen(h + 7) != n ||
            memcmp(h + 7, s->c.admin_token, n) != 0) {
            __atomic_fetch_add(&s->m.auth_failed, 1, __ATOMIC_RELAXED);
            return answer_error(c, r, 401, "/admin/reload needs Authorization: Bearer TOKEN");
        }
    } else if (!is_loopback(c)) {
        __atomic_fetch_add(&s->m.auth_failed, 1, __ATOMIC_RELAXED);
        return answer_error(c, r, 403,
                            "/admin/reload is answered on loopback only "
                            "(or start serve with --admin-token-file)");
    }
    char err[700];
    if (srv_reload(s, err, sizeof err)) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "reloaded", json_object_new_boolean(0));
        json_object_object_add(o, "error", json_object_new_string(err));
        return answer_json(c, r, 500, o);
    }
    Slot *sl = acquire(s);
    json_object *o = json_object_new_object();
    char id[24];
    snprintf(id, sizeof id, "%016llx", (unsigned long long)sl->pack_id);
    json_object_object_add(o, "reloaded", json_object_new_boolean(1));
    json_object_object_add(o, "pack_id", json_object_new_string(id));
    json_object_object_add(o, "load_seconds", json_object_new_double(sl->load_seconds));
    slot_unref(sl);
    return answer_json(c, r, 200, o);
}

/* Which endpoint a path is, and for national aliases, the infno. */
static SrvEndpoint route(const Server *s, const char *url, int *infno) {
    *infno = 0;
#define X(id, name, path)                                                                          \
    if (EP_##id != EP_OTHER && strcmp(url, path) == 0) {                                           \
        *infno = EP_##id == EP_NHSA_3101 ? 3101 : EP_##id == EP_NHSA_3102 ? 3102 : 3103;           \
        return EP_##id;                                                                            \
    }
    SRV_ENDPOINTS(X)
#undef X
    if (strcmp(url, "/nhsa") == 0 || strcmp(url, "/nhsa/") == 0) return EP_NHSA_3101;
    for (size_t i = 0; i < s->c.naliases; i++)
        if (strcmp(url, s->c.aliases[i].path) == 0) {
            *infno = s->c.aliases[i].infno;
            return EP_NHSA_3101;
        }
    return EP_OTHER;
}

static enum MHD_Result dispatch(Server *s, struct MHD_Connection *c, Req *r, const char *url,
                                const char *method) {
    int infno;
    r->ep = route(s, url, &infno);
    int get = r->ep == EP_HEALTHZ || r->ep == EP_METRICS;
    if (r->ep == EP_OTHER) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "no such endpoint: %.120s (POST /v1/check, /v1/check/batch, /nhsa/3101, "
                 "/nhsa/3102, /nhsa/3103, /nhsa; GET /healthz, /metrics)",
                 url);
        return answer_error(c, r, 404, msg);
    }
    if (strcmp(method, get ? "GET" : "POST") != 0 && !(get && strcmp(method, "HEAD") == 0))
        return answer_error(c, r, 405, get ? "use GET" : "use POST");
    switch (r->ep) {
    case EP_CHECK: return do_check(s, c, r, 0);
    case EP_CHECK_BATCH: return do_check(s, c, r, 1);
    case EP_HEALTHZ: return do_healthz(s, c, r);
    case EP_METRICS: return do_metrics(s, c, r);
    case EP_RELOAD: return do_reload(s, c, r);
    default: {
        char err[400];
        if (!nhsa_auth(s, c, err, sizeof err)) {
            __atomic_fetch_add(&s->m.auth_failed, 1, __ATOMIC_RELAXED);
            r->status = -1;
            NhsaAnswer a;
            if (nhsa_answer_init(&a, NULL, __atomic_add_fetch(&s->serial, 1, __ATOMIC_RELAXED),
                                 r->arrived_ms))
                return MHD_NO;
            nhsa_answer_fail(&a, err);
            size_t len;
            const char *text = nhsa_answer_text(&a, &len);
            char *copy = malloc(len + 1);
            if (copy) {
                memcpy(copy, text, len);
                copy[len++] = '\n';
            }
            nhsa_answer_free(&a);
            r->status = 401;
            return copy ? answer(c, r, 401, "application/json; charset=utf-8", copy, len) : MHD_NO;
        }
        return do_nhsa(s, c, r, infno);
    }
    }
}

/* The request handler: called first with no body, then with each piece of
 * the body, then once more to answer. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
    Server *s = cls;
    (void)version;
    Req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        *con_cls = r;
        /* the headers are in: from now on, the idle timeout */
        MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, s->c.idle_timeout);
        r->t0 = mono();
        r->arrived_ms = wall_ms();
        int infno;
        r->ep = route(s, url, &infno);
        if (__atomic_load_n(&s->connections, __ATOMIC_RELAXED) > s->c.max_connections) {
            __atomic_fetch_add(&s->m.rejected_busy, 1, __ATOMIC_RELAXED);
            return answer_error(c, r, 503, "too many connections; try again");
        }
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->c.max_body) {
            __atomic_fetch_add(&s->m.too_large, 1, __ATOMIC_RELAXED);
            char msg[120];
            snprintf(msg, sizeof msg, "the body is larger than %zu bytes (--max-body)",
                     s->c.max_body);
            return answer_error(c, r, 413, msg);
        }
        return MHD_YES;
    }
    if (r->status) { /* answered early: discard the body */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->too_large || r->len + n > s->c.max_body) {
            r->too_large = 1;
            return MHD_YES;
        }
        if (r->len + n + 1 > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            while (cap < r->len + n + 1) cap *= 2;
            char *b = realloc(r->body, cap);
            if (!b) return MHD_NO;
            r->body = b;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        r->body[r->len] = 0;
        return MHD_YES;
    }
    if (r->too_large) {
        __atomic_fetch_add(&s->m.too_large, 1, __ATOMIC_RELAXED);
        char msg[120];
        snprintf(msg, sizeof msg, "the body is larger than %zu bytes (--max-body)", s->c.max_body);
        return answer_error(c, r, 413, msg);
    }
    if (!r->body) {
        r->body = calloc(1, 1);
        if (!r->body) return MHD_NO;
    }
    __atomic_fetch_add(&s->m.in_flight, 1, __ATOMIC_RELAXED);
    r->counted = 1;
    return dispatch(s, c, r, url, method);
}

/* The access log line and the metrics of a request, when it is done. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    Server *s = cls;
    Req *r = *con_cls;
    if (!r) return;
    *con_cls = NULL;
    double dt = mono() - r->t0;
    if (r->counted) __atomic_fetch_sub(&s->m.in_flight, 1, __ATOMIC_RELAXED);
    int status = r->status ? r->status : 500;
    met_request(&s->m, r->ep, status, dt);
    if (s->c.log) {
        char t[32], who[64];
        iso_ms(r->arrived_ms, t);
        peer(c, who, sizeof who);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "time", json_object_new_string(t));
        json_object_object_add(o, "remote", json_object_new_string(who));
        json_object_object_add(o, "endpoint", json_object_new_string(met_endpoint_names[r->ep]));
        json_object_object_add(o, "status", json_object_new_int(status == -1 ? 200 : status));
        if (r->infno[0]) json_object_object_add(o, "infno", json_object_new_string(r->infno));
        if (status == -1) json_object_object_add(o, "infcode", json_object_new_int(-1));
        json_object_object_add(o, "bytes_in", json_object_new_int64((int64_t)r->len));
        json_object_object_add(o, "bytes_out", json_object_new_int64((int64_t)r->out_len));
        json_object_object_add(o, "findings", json_object_new_int64((int64_t)r->findings));
        char ms[32];
        snprintf(ms, sizeof ms, "%.3f", dt * 1000.0);
        json_object_object_add(o, "ms", json_object_new_double_s(dt * 1000.0, ms));
        if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
            json_object_object_add(o, "aborted", json_object_new_boolean(1));
        size_t len;
        const char *text = json_object_to_json_string_length(
            o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
        s->c.log(s->c.log_ud, text, len);
        json_object_put(o);
    }
    free(r->body);
    free(r);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe) {
    Server *s = cls;
    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        __atomic_fetch_add(&s->connections, 1, __ATOMIC_RELAXED);
        /* a new connection must send its request's headers promptly (a
         * client holding connections open with nothing, or a stalled
         * request line, is cut) */
        MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, s->c.header_timeout);
    } else
        __atomic_fetch_sub(&s->connections, 1, __ATOMIC_RELAXED);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    Server *s = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n') msg[--n] = 0;
    event(s, "http_error", "message", msg, NULL);
}

/* Parses "HOST:PORT" / "[V6]:PORT" into a socket address. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len, char *err,
                        size_t errcap) {
    char host[256];
    const char *port;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof host) goto bad;
        memcpy(host, spec + 1, (size_t)(close - spec - 1));
        host[close - spec - 1] = 0;
        port = close + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (!colon || (size_t)(colon - spec) >= sizeof host) goto bad;
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = 0;
        port = colon + 1;
    }
    if (!*host) snprintf(host, sizeof host, "127.0.0.1");
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai || !res) {
        snprintf(err, errcap, _("--listen %s: %s"), spec,
                 gai ? gai_strerror(gai) : _("no address"));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
bad:
    snprintf(err, errcap, _("--listen %s: expected HOST:PORT (127.0.0.1:8600, [::1]:8600)"), spec);
    return -1;
}

int srv_start(const SrvConfig *c, Server **out, char *err, size_t errcap) {
    *out = NULL;
    Server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errcap, _("out of memory"));
        return -1;
    }
    s->c = *c;
    s->feedback_fd = -1;
    if (met_init(&s->m)) {
        free(s);
        snprintf(err, errcap, _("out of memory"));
        return -1;
    }
    pthread_mutex_init(&s->cur_lock, NULL);
    pthread_mutex_init(&s->reload_lock, NULL);
    pthread_mutex_init(&s->feedback_lock, NULL);
    pthread_mutex_init(&s->hist_lock, NULL);
    struct sockaddr_storage addr;
    socklen_t alen;
    if (parse_listen(c->listen, &addr, &alen, err, errcap)) goto fail;
    if (c->feedback_log) {
        s->feedback_fd = open(c->feedback_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (s->feedback_fd < 0) {
            snprintf(err, errcap, _("--feedback-log %s: %s"), c->feedback_log, strerror(errno));
            goto fail;
        }
    }
    if (slot_load(&c->rules, NULL, &s->cur, err, errcap)) goto fail;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    s->threads = c->threads ? c->threads : (unsigned)(cpus > 0 ? cpus : 1);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(s->threads > 1 ? s->threads : 0),
        MHD_OPTION_CONNECTION_TIMEOUT, c->idle_timeout, MHD_OPTION_CONNECTION_LIMIT,
        c->max_connections + 64, MHD_OPTION_CONNECTION_MEMORY_LIMIT, c->max_header,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
        MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errcap, _("cannot listen on %s: %s"), c->listen,
                 errno ? strerror(errno) : _("the HTTP library refused the options"));
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    char host[128];
    getnameinfo((struct sockaddr *)&addr, alen, host, sizeof host, NULL, 0, NI_NUMERICHOST);
    snprintf(s->address, sizeof s->address, addr.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
             di ? di->port : 0);
    *out = s;
    return 0;
fail:
    if (s->cur) slot_unref(s->cur);
    if (s->feedback_fd >= 0) close(s->feedback_fd);
    met_free(&s->m);
    free(s);
    return -1;
}

const char *srv_address(const Server *s) {
    return s->address;
}

void srv_stop(Server *s, unsigned drain_seconds) {
    if (!s) return;
    MHD_socket fd = MHD_quiesce_daemon(s->d); /* no new connections */
    double until = mono() + drain_seconds;
    while (__atomic_load_n(&s->m.in_flight, __ATOMIC_RELAXED) && mono() < until) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    slot_unref(s->cur);
    if (s->feedback_fd >= 0) close(s->feedback_fd);
    met_free(&s->m);
    pthread_mutex_destroy(&s->cur_lock);
    pthread_mutex_destroy(&s->reload_lock);
    pthread_mutex_destroy(&s->feedback_lock);
    pthread_mutex_destroy(&s->hist_lock);
    free(s);
}
