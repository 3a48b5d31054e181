/* srv_civetweb.c — the claim-check server of bench/http_libs.sh on civetweb
 * (Debian 12: 1.15): civetweb's master thread accepts connections and hands
 * each to one of num_threads = THREADS worker threads, which serves that
 * connection (every request of it, keep-alive on) until it closes; so at
 * most THREADS connections are served at a time.  tcp_nodelay is on, since
 * the header and the body of an answer go out in two writes.  The handler
 * reads the body with mg_read; the answer comes from common.c.
 * Usage: srv_civetweb LIB.arbpack PORT THREADS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "common.h"

/* Per worker thread: the body of its current request. */
static _Thread_local char *body;
static _Thread_local size_t body_cap;

static int on_request(struct mg_connection *conn, void *cbdata) {
    (void)cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    size_t len = 0;
    int too_large = 0;
    for (;;) {
        if (len == body_cap) {
            size_t cap = body_cap ? body_cap * 2 : 4096;
            char *p = realloc(body, cap);
            if (!p) return 500;
            body = p;
            body_cap = cap;
        }
        int n = mg_read(conn, body + len, body_cap - len);
        if (n <= 0) break;
        len += (size_t)n;
        if (len > HB_MAX_BODY) { /* read the rest, keep none of it */
            too_large = 1;
            len = 0;
        }
    }
    hb_answer a;
    if (too_large)
        hb_too_large(&a);
    else
        hb_handle(ri->request_method, strlen(ri->request_method), ri->local_uri,
                  strlen(ri->local_uri), body, len, &a);
    char clen[32];
    snprintf(clen, sizeof clen, "%zu", a.len);
    mg_response_header_start(conn, a.status);
    mg_response_header_add(conn, "Content-Type", "application/json", -1);
    mg_response_header_add(conn, "Content-Length", clen, -1);
    mg_response_header_send(conn);
    mg_write(conn, a.body, a.len);
    return a.status;
}

int main(int argc, char **argv) {
    hb_args a;
    hb_start(argc, argv, "srv_civetweb", &a);
    char port[32], threads[16];
    snprintf(port, sizeof port, "127.0.0.1:%d", a.port);
    snprintf(threads, sizeof threads, "%d", a.threads);
    /* clang-format off */
    const char *options[] = {
        "listening_ports",   port,
        "num_threads",       threads,
        "enable_keep_alive", "yes",
        "tcp_nodelay",       "1",
        NULL,
    };
    /* clang-format on */
    mg_init_library(0);
    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    struct mg_context *ctx = mg_start(&callbacks, NULL, options);
    if (!ctx) {
        fprintf(stderr, "srv_civetweb: mg_start failed\n");
        return 1;
    }
    mg_set_request_handler(ctx, "/", on_request, NULL);
    hb_wait_for_stop("srv_civetweb", &a);
    mg_stop(ctx);
    mg_exit_library();
    hb_finish();
    return 0;
}
