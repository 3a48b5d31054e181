/* server.h — `arbiter serve`: the audit service over HTTP/1.1
 * (libmicrohttpd), with the endpoints of docs/serve.md:
 *
 *   POST /v1/check        one claim in Arbiter's JSON -> its findings
 *   POST /v1/check/batch  JSON Lines -> JSON Lines
 *   POST /nhsa/3101, /nhsa/3102, /nhsa/3103, /nhsa (infno from the body),
 *        and configured aliases: the national interface (nhsa.h)
 *   GET  /healthz, GET /metrics (metrics.h)
 *   POST /admin/reload    load the pack again (loopback, or a bearer token)
 *
 * The rules are a Slot (slot.h); srv_reload puts a new one in place while
 * requests in flight finish on the old.  The service never reads or writes
 * a file a request names: only the pack, store and logs it was started
 * with.  It never prints: access log lines and events go to cfg.log. */
#ifndef ARB_SRV_SERVER_H
#define ARB_SRV_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "slot.h"

/* A further path for the national interface: infno 3101, 3102 or 3103, or
 * 0 to read infno from the body. */
typedef struct SrvAlias {
    const char *path;
    int infno;
} SrvAlias;

typedef struct SrvConfig {
    SlotConfig rules;
    const char *listen;       /* "HOST:PORT" ("[::1]:PORT"); default 127.0.0.1:8600 */
    unsigned threads;         /* worker threads; 0: one per CPU */
    size_t max_body;          /* request body limit, bytes (413 beyond) */
    size_t max_header;        /* memory for a request's headers, bytes (431 beyond) */
    unsigned idle_timeout;    /* seconds a connection may make no progress */
    unsigned header_timeout;  /* ... before its first request's headers are in */
    unsigned max_connections; /* open connections; requests beyond get 503 */
    const char *nhsa_secret;  /* verify x-tif-signature with it, or NULL */
    const char *apikey;       /* require this apikey header, or NULL */
    int64_t signature_window; /* seconds x-tif-timestamp may differ from now */
    const char *admin_token;  /* bearer token for /admin/reload; NULL: loopback only */
    const char *feedback_log; /* 3103 answers as JSON Lines when there is no history store */
    const char *profile;      /* the input profile of 3101/3102 bodies ("nhsa3101") */
    int record_3102;          /* record 3102 claims in the store (when writable) */
    const SrvAlias *aliases;
    size_t naliases;
    /* access log (one JSON object a request) and events (start, reload,
     * stop, errors), each one line without the newline; may be NULL */
    void (*log)(void *ud, const char *line, size_t len);
    void *log_ud;
} SrvConfig;

void srv_config_init(SrvConfig *c);

typedef struct Server Server;

/* Loads the rules and starts listening.  0, or -1 with the reason in err. */
int srv_start(const SrvConfig *c, Server **out, char *err, size_t errcap);
/* The address listened on ("127.0.0.1:8600"). */
const char *srv_address(const Server *s);
/* Loads the pack again (and its native matchers) and puts it in place;
 * a pack that fails to load or verify leaves the old one serving.  0, or
 * -1 with the reason in err (also counted in /metrics and logged). */
int srv_reload(Server *s, char *err, size_t errcap);
/* Stops accepting connections, lets the requests being answered finish
 * (waiting at most drain_seconds), closes everything and frees s. */
void srv_stop(Server *s, unsigned drain_seconds);

#endif
