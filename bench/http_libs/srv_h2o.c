/* srv_h2o.c — the claim-check server of bench/http_libs.sh on h2o (Debian 12:
 * libh2o-evloop 2.2.5, h2o's own event loop): THREADS threads, each with its
 * own evloop and h2o context and its own listening socket on the port
 * (SO_REUSEPORT: the kernel spreads new connections over them); HTTP/1.1
 * keep-alive is h2o's default.  h2o gathers the request body before calling
 * the handler (req->entity); the answer comes from common.c.
 * Usage: srv_h2o LIB.arbpack PORT THREADS */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include "common.h"

static h2o_globalconf_t config;

/* One thread: its loop, context and listener. */
typedef struct Worker {
    pthread_t tid;
    int fd;
    h2o_evloop_t *loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept;
} Worker;

static int on_req(h2o_handler_t *self, h2o_req_t *req) {
    (void)self;
    hb_answer a;
    hb_handle(req->method.base, req->method.len, req->path_normalized.base,
              req->path_normalized.len, req->entity.base ? req->entity.base : "", req->entity.len,
              &a);
    req->res.status = a.status;
    req->res.reason = a.reason;
    req->res.content_length = a.len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json"));
    h2o_send_inline(req, a.body, a.len);
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err) {
    if (err) return;
    Worker *w = listener->data;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (sock) h2o_accept(&w->accept, sock);
}

static void *run(void *arg) {
    Worker *w = arg;
    w->loop = h2o_evloop_create();
    h2o_context_init(&w->ctx, w->loop, &config);
    w->accept.ctx = &w->ctx;
    w->accept.hosts = config.hosts;
    h2o_socket_t *listener = h2o_evloop_socket_create(w->loop, w->fd, H2O_SOCKET_FLAG_DONT_READ);
    listener->data = w;
    h2o_socket_read_start(listener, on_accept);
    while (h2o_evloop_run(w->loop, INT32_MAX) == 0) continue;
    return NULL;
}

int main(int argc, char **argv) {
    hb_args a;
    hb_start(argc, argv, "srv_h2o", &a);
    h2o_config_init(&config);
    config.max_request_entity_size = HB_MAX_BODY;
    h2o_hostconf_t *host =
        h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(path, sizeof *handler);
    handler->on_req = on_req;
    Worker *w = calloc((size_t)a.threads, sizeof *w);
    if (!w) return 1;
    for (int i = 0; i < a.threads; i++) {
        w[i].fd = hb_listen(a.port, 1);
        if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0) {
            fprintf(stderr, "srv_h2o: pthread_create failed\n");
            return 1;
        }
    }
    hb_wait_for_stop("srv_h2o", &a);
    /* the loops are not stopped: the process ends with them */
    return 0;
}
