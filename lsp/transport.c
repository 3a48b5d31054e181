/* transport.c — the language server's transport: Content-Length framing over
 * file descriptors, and the loop that feeds a server (see transport.h). */
#include "transport.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void lsp_reader_init(LspReader *r, int fd) {
    memset(r, 0, sizeof *r);
    r->fd = fd;
}

void lsp_reader_free(LspReader *r) {
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* Reads until at least `need` bytes are buffered: 1, 0 at the end, -1. */
static int fill(LspReader *r, size_t need) {
    while (r->len < need) {
        if (need + 1 > r->cap) {
            size_t cap = r->cap ? r->cap : 65536;
            while (cap < need + 1) cap *= 2;
            char *nb = realloc(r->buf, cap);
            if (!nb) return -1;
            r->buf = nb;
            r->cap = cap;
        }
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) return 0;
        r->len += (size_t)n;
    }
    return 1;
}

int lsp_read(LspReader *r, char **body, size_t *len) {
    for (;;) {
        /* the header ends at the first blank line */
        char *end = NULL;
        if (r->len) {
            r->buf[r->len] = 0;
            end = strstr(r->buf, "\r\n\r\n");
        }
        if (!end) {
            if (r->len > 65536) return -1; /* headers that long are not LSP */
            int f = fill(r, r->len + 1);
            if (f <= 0) return f < 0 ? -1 : r->len ? -1 : 0;
            continue;
        }
        size_t hlen = (size_t)(end - r->buf) + 4;
        long long clen = -1;
        for (char *line = r->buf; line < end;) {
            char *nl = strstr(line, "\r\n");
            if (!nl) nl = end;
            if (strncasecmp(line, "Content-Length:", 15) == 0) {
                char *e;
                clen = strtoll(line + 15, &e, 10);
                while (*e == ' ') e++;
                if (e != nl || clen < 0 || clen > (1LL << 30)) return -1;
            }
            line = nl + 2;
        }
        if (clen < 0) return -1;
        int f = fill(r, hlen + (size_t)clen);
        if (f <= 0) return -1;
        /* move the body to the front, NUL-terminated, and keep what follows */
        size_t rest = r->len - hlen - (size_t)clen;
        char *copy = malloc((size_t)clen + 1);
        if (!copy) return -1;
        memcpy(copy, r->buf + hlen, (size_t)clen);
        copy[clen] = 0;
        memmove(r->buf, r->buf + hlen + clen, rest);
        r->len = rest;
        *body = copy;
        *len = (size_t)clen;
        return 1;
    }
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int lsp_write(int fd, const char *body, size_t len) {
    char head[64];
    int h = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", len);
    return write_all(fd, head, (size_t)h) || write_all(fd, body, len) ? -1 : 0;
}

typedef struct Out {
    int fd;
    int failed;
} Out;

static void send_out(void *ud, const char *json, size_t len) {
    Out *o = ud;
    if (!o->failed && lsp_write(o->fd, json, len)) o->failed = 1;
}

int lsp_run(int in, int out, const LspOptions *opts) {
    Out o = {out, 0};
    LspServer *s = lsp_server_new(opts, send_out, &o);
    if (!s) return 4;
    LspReader r;
    lsp_reader_init(&r, in);
    int code = 1;
    for (;;) {
        char *body;
        size_t len;
        int k = lsp_read(&r, &body, &len);
        if (k <= 0) {
            code = k < 0 ? 2 : 1;
            break;
        }
        int done = lsp_server_handle(s, body, len);
        free(body);
        if (o.failed) {
            code = 4;
            break;
        }
        if (done) {
            code = lsp_server_exit_code(s);
            break;
        }
    }
    lsp_reader_free(&r);
    lsp_server_free(s);
    return code;
}
