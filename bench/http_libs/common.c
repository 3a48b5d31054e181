/* common.c — the part of the HTTP benchmark servers that is the same for all
 * four libraries (see common.h): one engine loaded from a rule pack, one
 * arb_session per thread that checks claims, the findings written as a JSON
 * array by a small writer, the listening socket and the stop signal. */
#define _GNU_SOURCE
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arbiter.h"

static arb_engine *engine;

/* Every session made, to free them at the end. */
static pthread_mutex_t sessions_lock = PTHREAD_MUTEX_INITIALIZER;
static arb_session **sessions;
static size_t nsessions;

/* A growing byte buffer. */
typedef struct Buf {
    char *p;
    size_t len, cap;
} Buf;

/* Per thread: its session and the buffer its answers are written to. */
static _Thread_local arb_session *my_session;
static _Thread_local Buf my_out;

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void reserve(Buf *b, size_t more) {
    if (b->len + more <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) die("out of memory");
    b->p = p;
    b->cap = cap;
}

static void put(Buf *b, const char *s, size_t n) {
    reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(Buf *b, const char *s) {
    put(b, s, strlen(s));
}

/* A JSON string: quotes, backslashes and control characters escaped, other
 * bytes (UTF-8) as they are. */
static void put_str(Buf *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    reserve(b, 2);
    b->p[b->len++] = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            char e[2] = {'\\', (char)*c};
            put(b, e, 2);
        } else if (*c < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[*c >> 4], hex[*c & 15]};
            put(b, e, 6);
        } else {
            reserve(b, 1);
            b->p[b->len++] = (char)*c;
        }
    }
    reserve(b, 1);
    b->p[b->len++] = '"';
}

/* One finding: {"rule_id":..,"category_code":..,"severity":..,"line_no":N
 * or null,"amount":"12.34"} — money as the CLI writes it. */
static void on_finding(void *ud, const arb_finding *f) {
    Buf *b = ud;
    char num[64];
    if (b->p[b->len - 1] != '[') puts_(b, ",");
    puts_(b, "{\"rule_id\":");
    put_str(b, f->rule_id);
    puts_(b, ",\"category_code\":");
    put_str(b, f->category_code);
    puts_(b, ",\"severity\":");
    put_str(b, f->severity);
    if (f->line_no >= 0)
        snprintf(num, sizeof num, ",\"line_no\":%" PRId64, f->line_no);
    else
        snprintf(num, sizeof num, ",\"line_no\":null");
    puts_(b, num);
    uint64_t a = f->amount_cents < 0 ? -(uint64_t)f->amount_cents : (uint64_t)f->amount_cents;
    snprintf(num, sizeof num, ",\"amount\":\"%s%" PRIu64 ".%02" PRIu64 "\"}",
             f->amount_cents < 0 ? "-" : "", a / 100, a % 100);
    puts_(b, num);
}

static void answer(hb_answer *out, int status, const char *reason) {
    out->status = status;
    out->reason = reason;
    out->body = my_out.p;
    out->len = my_out.len;
}

static void error_answer(hb_answer *out, int status, const char *reason, const char *msg) {
    my_out.len = 0;
    puts_(&my_out, "{\"error\":");
    put_str(&my_out, msg);
    puts_(&my_out, "}");
    answer(out, status, reason);
}

void hb_handle(const char *method, size_t method_len, const char *path, size_t path_len,
               const char *body, size_t body_len, hb_answer *out) {
    if (path_len != 9 || memcmp(path, "/v1/check", 9) != 0) {
        error_answer(out, 404, "Not Found", "not found");
        return;
    }
    if (method_len != 4 || memcmp(method, "POST", 4) != 0) {
        error_answer(out, 405, "Method Not Allowed", "method not allowed");
        return;
    }
    if (!my_session) {
        if (arb_session_new(engine, &my_session) != ARB_OK) die("arb_session_new failed");
        pthread_mutex_lock(&sessions_lock);
        arb_session **s = realloc(sessions, (nsessions + 1) * sizeof *s);
        if (!s) die("out of memory");
        sessions = s;
        sessions[nsessions++] = my_session;
        pthread_mutex_unlock(&sessions_lock);
    }
    my_out.len = 0;
    puts_(&my_out, "[");
    if (arb_session_check_json(my_session, body, body_len, ARB_PHASE_PRE | ARB_PHASE_SETTLE,
                               on_finding, &my_out) != ARB_OK) {
        error_answer(out, 400, "Bad Request", arb_session_errmsg(my_session));
        return;
    }
    puts_(&my_out, "]");
    answer(out, 200, "OK");
}

void hb_too_large(hb_answer *out) {
    error_answer(out, 413, "Payload Too Large", "body too large");
}

void hb_start(int argc, char **argv, const char *name, hb_args *a) {
    if (argc != 4) die("usage: %s LIB.arbpack PORT THREADS", name);
    a->pack = argv[1];
    a->port = atoi(argv[2]);
    a->threads = atoi(argv[3]);
    if (a->port <= 0 || a->port > 65535 || a->threads < 1 || a->threads > 256)
        die("usage: %s LIB.arbpack PORT THREADS (port 1-65535, 1-256 threads)", name);
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    arb_config cfg;
    arb_config_init(&cfg);
    if (arb_engine_new(&cfg, &engine) != ARB_OK) die("%s: arb_engine_new failed", name);
    if (arb_load_pack(engine, a->pack) != ARB_OK)
        die("%s: %s: %s", name, a->pack, arb_errmsg(engine));
}

int hb_listen(int port, int reuseport) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket: %s", strerror(errno));
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
        die("SO_REUSEPORT: %s", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("bind 127.0.0.1:%d: %s", port, strerror(errno));
    if (listen(fd, 1024) != 0) die("listen: %s", strerror(errno));
    return fd;
}

void hb_wait_for_stop(const char *name, const hb_args *a) {
    fprintf(stderr, "%s: listening on 127.0.0.1:%d, %d threads\n", name, a->port, a->threads);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig;
    sigwait(&set, &sig);
}

void hb_finish(void) {
    for (size_t i = 0; i < nsessions; i++) arb_session_free(sessions[i]);
    free(sessions);
    arb_engine_free(engine);
}
