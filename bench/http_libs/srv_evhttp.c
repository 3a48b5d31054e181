/* srv_evhttp.c — the claim-check server of bench/http_libs.sh on libevent's
 * evhttp (Debian 12: 2.1.12): THREADS threads, each with its own event_base
 * and evhttp and its own listening socket on the port (SO_REUSEPORT: the
 * kernel spreads new connections over them), given to evhttp with
 * evhttp_accept_socket; HTTP/1.1 keep-alive is evhttp's default.  evhttp
 * gathers the request body before calling the handler; the answer comes
 * from common.c.  Usage: srv_evhttp LIB.arbpack PORT THREADS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common.h"

static const char *method_name(enum evhttp_cmd_type cmd) {
    switch (cmd) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    }
    return "?";
}

static void on_request(struct evhttp_request *req, void *arg) {
    (void)arg;
    const char *method = method_name(evhttp_request_get_command(req));
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!path) path = "";
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    const char *body = len ? (const char *)evbuffer_pullup(in, -1) : "";
    hb_answer a;
    hb_handle(method, strlen(method), path, strlen(path), body, len, &a);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    struct evbuffer *out = evbuffer_new();
    evbuffer_add(out, a.body, a.len);
    evhttp_send_reply(req, a.status, a.reason, out);
    evbuffer_free(out);
}

static void *run(void *arg) {
    struct event_base *base = arg;
    event_base_dispatch(base);
    return NULL;
}

int main(int argc, char **argv) {
    hb_args a;
    hb_start(argc, argv, "srv_evhttp", &a);
    for (int i = 0; i < a.threads; i++) {
        struct event_base *base = event_base_new();
        struct evhttp *http = base ? evhttp_new(base) : NULL;
        if (!http) {
            fprintf(stderr, "srv_evhttp: evhttp_new failed\n");
            return 1;
        }
        evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                             EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
        evhttp_set_max_body_size(http, HB_MAX_BODY);
        evhttp_set_gencb(http, on_request, NULL);
        if (evhttp_accept_socket(http, hb_listen(a.port, 1)) != 0) {
            fprintf(stderr, "srv_evhttp: evhttp_accept_socket failed\n");
            return 1;
        }
        pthread_t tid;
        if (pthread_create(&tid, NULL, run, base) != 0) {
            fprintf(stderr, "srv_evhttp: pthread_create failed\n");
            return 1;
        }
    }
    hb_wait_for_stop("srv_evhttp", &a);
    /* the loops are not stopped: the process ends with them */
    return 0;
}
