/* common.h — what the four HTTP benchmark servers of bench/http_libs.sh share
 * (libmicrohttpd, h2o, civetweb, libevent's evhttp): the command line, the
 * rule engine, checking one claim into the JSON answer, the listening
 * socket and waiting for a signal to stop.  Only the HTTP layer differs
 * between the servers; everything here is the same for all four. */
#ifndef HTTP_LIBS_COMMON_H
#define HTTP_LIBS_COMMON_H

#include <stddef.h>

/* The largest request body accepted (bytes); a larger one gets 413. */
#define HB_MAX_BODY (1u << 20)

/* The command line: PACK PORT THREADS. */
typedef struct hb_args {
    const char *pack;
    int port;
    int threads;
} hb_args;

/* An answer: HTTP status and body (application/json).  The body points into
 * a buffer of the calling thread, valid until its next hb_* call. */
typedef struct hb_answer {
    int status;
    const char *reason;
    const char *body;
    size_t len;
} hb_answer;

/* Parses the command line (prints usage and exits on error), ignores
 * SIGPIPE and blocks SIGINT and SIGTERM for every thread created after it
 * (hb_wait_for_stop takes them), and loads the rule pack into the engine
 * (exits on failure). */
void hb_start(int argc, char **argv, const char *name, hb_args *a);

/* Answers one request: POST /v1/check with a claim as JSON gets 200 and a
 * JSON array of its findings (ARB_PHASE_PRE | ARB_PHASE_SETTLE); a claim
 * that cannot be read 400 {"error": ...}; another path 404, another method
 * 405.  Checks with the calling thread's session, made on its first call.
 * method and path need not be NUL-terminated. */
void hb_handle(const char *method, size_t method_len, const char *path, size_t path_len,
               const char *body, size_t body_len, hb_answer *out);

/* The answer for a body longer than HB_MAX_BODY. */
void hb_too_large(hb_answer *out);

/* A TCP socket listening on 127.0.0.1:port (non-blocking, SO_REUSEADDR;
 * with reuseport, SO_REUSEPORT so that each thread may have its own);
 * exits on failure. */
int hb_listen(int port, int reuseport);

/* Prints "NAME: listening on 127.0.0.1:PORT, N threads" to standard error,
 * then waits for SIGINT or SIGTERM. */
void hb_wait_for_stop(const char *name, const hb_args *a);

/* Frees every thread's session and the engine (after the server stopped). */
void hb_finish(void);

#endif
