/* srv_mhd.c — the claim-check server of bench/http_libs.sh on libmicrohttpd
 * (Debian 12: 0.9.75): MHD's internal thread pool of THREADS threads, each
 * with its own epoll set, sharing the listening socket; HTTP/1.1 keep-alive
 * is MHD's default.  The body of a request comes in pieces to the access
 * handler and is gathered in a buffer of the request; the answer comes from
 * common.c.  Usage: srv_mhd LIB.arbpack PORT THREADS */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "common.h"

/* What a request has received of its body. */
typedef struct Request {
    char *body;
    size_t len, cap;
    int too_large;
} Request;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls) {
    (void)cls;
    (void)version;
    Request *r = *req_cls;
    if (!r) { /* the headers are in: make room for the body */
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        *req_cls = r;
        return MHD_YES;
    }
    if (*upload_size) { /* a piece of the body */
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_large || r->len + n > HB_MAX_BODY) {
            r->too_large = 1;
            return MHD_YES;
        }
        if (r->len + n > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            while (cap < r->len + n) cap *= 2;
            char *p = realloc(r->body, cap);
            if (!p) return MHD_NO;
            r->body = p;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload, n);
        r->len += n;
        return MHD_YES;
    }
    /* the whole body is in */
    hb_answer a;
    if (r->too_large)
        hb_too_large(&a);
    else
        hb_handle(method, strlen(method), url, strlen(url), r->body ? r->body : "", r->len, &a);
    struct MHD_Response *res =
        MHD_create_response_from_buffer(a.len, (void *)a.body, MHD_RESPMEM_MUST_COPY);
    if (!res) return MHD_NO;
    MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)a.status, res);
    MHD_destroy_response(res);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why) {
    (void)cls;
    (void)conn;
    (void)why;
    Request *r = *req_cls;
    if (r) {
        free(r->body);
        free(r);
        *req_cls = NULL;
    }
}

int main(int argc, char **argv) {
    hb_args a;
    hb_start(argc, argv, "srv_mhd", &a);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)a.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)a.port, NULL, NULL, on_request,
        NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)a.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "srv_mhd: MHD_start_daemon failed\n");
        return 1;
    }
    hb_wait_for_stop("srv_mhd", &a);
    MHD_stop_daemon(d);
    hb_finish();
    return 0;
}
