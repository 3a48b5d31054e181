/* cmd_serve.c — `arbiter serve`: options, signals (SIGHUP reloads, SIGTERM
 * and SIGINT drain and stop) and the log; the service itself is server/. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "i18n.h"
#include "server.h"

enum { EXIT_CLEAN = 0, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_IO = 4 };

static const char *const SERVE_HELP =
    N_("usage: arbiter serve --pack LIB.arbpack [--native LIB.so] [--history DB]\n"
       "                     [--listen 127.0.0.1:8600] [--threads N] [options]\n"
       "\n"
       "The audit service hospital systems call at order entry and settlement\n"
       "(docs/serve.md).  HTTP/1.1 with keep-alive; endpoints:\n"
       "  POST /v1/check[?phase=pre|settle|post|all][&record=1]   one claim (JSON)\n"
       "  POST /v1/check/batch[?phase=...][&record=1]          JSON Lines\n"
       "  POST /nhsa/3101  /nhsa/3102  /nhsa/3103  /nhsa       the national interface\n"
       "  GET  /healthz    GET /metrics (Prometheus)\n"
       "  POST /admin/reload                                   load the pack again\n"
       "\n"
       "options:\n"
       "  --pack FILE            the rule pack ('arbiter compile ... -o FILE')\n"
       "  --native FILE          its native matchers ('arbiter compile --native')\n"
       "  --history DB           a history store: a directory ('arbiter history init')\n"
       "                         or a postgresql:// URI; checks see each person's\n"
       "                         stored claims, 3102 and ?record=1 record claims\n"
       "  --history-readonly     read the store, never record\n"
       "  --listen HOST:PORT     default 127.0.0.1:8600 (loopback); port 0: any free\n"
       "  --threads N            worker threads (default: one per CPU)\n"
       "  --max-body BYTES       request body limit, 413 beyond (default 16M; K, M)\n"
       "  --max-header BYTES     memory for a request's headers, 431 beyond (default 32K)\n"
       "  --timeout SECONDS      close a connection idle this long (default 60)\n"
       "  --header-timeout S     close a new connection whose request's headers stall\n"
       "                         this long (default 10)\n"
       "  --max-connections N    open connections; requests beyond get 503 (default 1024)\n"
       "  --nhsa-secret-file F   verify x-tif-signature with the secret in F\n"
       "  --apikey-file F        require the apikey header to be the key in F\n"
       "  --admin-token-file F   /admin/reload needs 'Authorization: Bearer TOKEN' (the\n"
       "                         token in F); without it, it is answered on loopback only\n"
       "  --feedback-log FILE    record 3103 answers in FILE (JSON Lines) when there is\n"
       "                         no writable history store\n"
       "  --alias PATH=INFNO     another path for the national interface: INFNO 3101,\n"
       "                         3102, 3103, or auto (infno from the body); e.g.\n"
       "                         --alias /fsi/api/riskConService/beforeAnalyze=3101\n"
       "  --no-record-3102       do not record 3102 claims in the history store\n"
       "  --access-log FILE      one JSON line a request, and events (default: standard\n"
       "                         error; 'off': none)\n"
       "  --drain SECONDS        on SIGTERM, wait this long for requests being answered\n"
       "                         (default 10)\n"
       "\n"
       "signals: SIGHUP loads the pack again (requests in flight finish on the old\n"
       "one; a pack that fails to load leaves the old one serving); SIGTERM and\n"
       "SIGINT stop accepting, finish the requests being answered and exit 0.\n"
       "\n"
       "exit codes: 0 stopped by a signal, 2 usage, 3 the pack or store could not be\n"
       "loaded, 4 cannot listen or open a file.\n");

static void write_log(void *ud, const char *line, size_t len) {
    int fd = *(const int *)ud;
    char small[4096];
    char *buf = len + 1 <= sizeof small ? small : malloc(len + 1);
    if (!buf) return;
    memcpy(buf, line, len);
    buf[len] = '\n';
    ssize_t w = write(fd, buf, len + 1);
    (void)w;
    if (buf != small) free(buf);
}

/* The first line of file path, without its newline, in a malloc'd string. */
static char *read_secret(const char *opt, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, _("arbiter serve: %s %s: %s\n"), opt, path, strerror(errno));
        return NULL;
    }
    char buf[4096];
    char *line = fgets(buf, sizeof buf, f);
    fclose(f);
    size_t n = line ? strcspn(buf, "\r\n") : 0;
    if (!n) {
        fprintf(stderr, _("arbiter serve: %s %s: the file is empty\n"), opt, path);
        return NULL;
    }
    buf[n] = 0;
    return strdup(buf);
}

/* A size with an optional K/M/G suffix; 0 when malformed. */
static size_t parse_size(const char *s) {
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return 0;
    if (*end == 'K' || *end == 'k')
        v <<= 10, end++;
    else if (*end == 'M' || *end == 'm')
        v <<= 20, end++;
    else if (*end == 'G' || *end == 'g')
        v <<= 30, end++;
    return *end ? 0 : (size_t)v;
}

static int parse_uint(const char *s, unsigned *out) {
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || *end || v > UINT_MAX) return -1;
    *out = (unsigned)v;
    return 0;
}

int cmd_serve(int argc, char **argv) {
    if (argc >= 1 && cli_is_help(argv[0])) {
        fputs(_(SERVE_HELP), stdout);
        return EXIT_CLEAN;
    }
    SrvConfig c;
    srv_config_init(&c);
    c.rules.history_write = 1;
    const char *access_log = NULL, *secret_file = NULL, *apikey_file = NULL, *token_file = NULL;
    unsigned drain = 10;
    int log_fd = -1;
    SrvAlias aliases[32];
    size_t naliases = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE                                                                                \
    if (!v) return cli_usage_error("serve", "%s needs a value", a);                                \
    i++
        if (cli_is_help(a)) {
            fputs(_(SERVE_HELP), stdout);
            return EXIT_CLEAN;
        } else if (!strcmp(a, "--pack")) {
            NEEDS_VALUE;
            c.rules.pack = v;
        } else if (!strcmp(a, "--native")) {
            NEEDS_VALUE;
            c.rules.native = v;
        } else if (!strcmp(a, "--history")) {
            NEEDS_VALUE;
            c.rules.history = v;
        } else if (!strcmp(a, "--history-readonly")) {
            c.rules.history_write = 0;
        } else if (!strcmp(a, "--listen")) {
            NEEDS_VALUE;
            c.listen = v;
        } else if (!strcmp(a, "--threads")) {
            NEEDS_VALUE;
            if (parse_uint(v, &c.threads) || c.threads == 0 || c.threads > 1024)
                return cli_usage_error("serve", "--threads %s: expected 1 to 1024", v);
        } else if (!strcmp(a, "--max-body")) {
            NEEDS_VALUE;
            if (!(c.max_body = parse_size(v)))
                return cli_usage_error("serve", "--max-body %s: expected bytes (16M, 512K)", v);
        } else if (!strcmp(a, "--max-header")) {
            NEEDS_VALUE;
            if ((c.max_header = parse_size(v)) < 4096)
                return cli_usage_error("serve", "--max-header %s: expected 4K or more", v);
        } else if (!strcmp(a, "--timeout")) {
            NEEDS_VALUE;
            if (parse_uint(v, &c.idle_timeout) || c.idle_timeout == 0)
                return cli_usage_error("serve", "--timeout %s: expected seconds (1 or more)", v);
        } else if (!strcmp(a, "--header-timeout")) {
            NEEDS_VALUE;
            if (parse_uint(v, &c.header_timeout) || c.header_timeout == 0)
                return cli_usage_error("serve", "--header-timeout %s: expected seconds (1 or more)",
                                       v);
        } else if (!strcmp(a, "--max-connections")) {
            NEEDS_VALUE;
            if (parse_uint(v, &c.max_connections) || c.max_connections == 0)
                return cli_usage_error("serve", "--max-connections %s: expected 1 or more", v);
        } else if (!strcmp(a, "--drain")) {
            NEEDS_VALUE;
            if (parse_uint(v, &drain)) return cli_usage_error("serve", "--drain %s: seconds", v);
        } else if (!strcmp(a, "--nhsa-secret-file")) {
            NEEDS_VALUE;
            secret_file = v;
        } else if (!strcmp(a, "--apikey-file")) {
            NEEDS_VALUE;
            apikey_file = v;
        } else if (!strcmp(a, "--admin-token-file")) {
            NEEDS_VALUE;
            token_file = v;
        } else if (!strcmp(a, "--feedback-log")) {
            NEEDS_VALUE;
            c.feedback_log = v;
        } else if (!strcmp(a, "--no-record-3102")) {
            c.record_3102 = 0;
        } else if (!strcmp(a, "--access-log")) {
            NEEDS_VALUE;
            access_log = v;
        } else if (!strcmp(a, "--alias")) {
            NEEDS_VALUE;
            const char *eq = strrchr(v, '=');
            if (!eq || v[0] != '/' || naliases == sizeof aliases / sizeof *aliases)
                return cli_usage_error("serve", "--alias %s: expected /PATH=3101|3102|3103|auto",
                                       v);
            char *path = strndup(v, (size_t)(eq - v));
            int infno = !strcmp(eq + 1, "auto") ? 0 : atoi(eq + 1);
            if (!path || (infno != 0 && infno != 3101 && infno != 3102 && infno != 3103) ||
                (infno == 0 && strcmp(eq + 1, "auto") != 0)) {
                free(path);
                return cli_usage_error("serve", "--alias %s: expected /PATH=3101|3102|3103|auto",
                                       v);
            }
            aliases[naliases].path = path;
            aliases[naliases++].infno = infno;
        } else {
            return cli_usage_error("serve", "unknown option '%s'", a);
        }
#undef NEEDS_VALUE
    }
    if (!c.rules.pack)
        return cli_usage_error("serve", "%s",
                               _("--pack LIB.arbpack is required (make one with 'arbiter compile "
                                 "RULES -o LIB.arbpack')"));
    c.aliases = aliases;
    c.naliases = naliases;
    char *secret = NULL, *apikey = NULL, *token = NULL;
    if ((secret_file && !(secret = read_secret("--nhsa-secret-file", secret_file))) ||
        (apikey_file && !(apikey = read_secret("--apikey-file", apikey_file))) ||
        (token_file && !(token = read_secret("--admin-token-file", token_file))))
        return EXIT_USAGE;
    c.nhsa_secret = secret;
    c.apikey = apikey;
    c.admin_token = token;
    if (!access_log)
        log_fd = 2;
    else if (strcmp(access_log, "off") != 0) {
        log_fd = !strcmp(access_log, "-")
                     ? 1
                     : open(access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (log_fd < 0) {
            fprintf(stderr, _("arbiter serve: --access-log %s: %s\n"), access_log, strerror(errno));
            return EXIT_IO;
        }
    }
    if (log_fd >= 0) {
        c.log = write_log;
        c.log_ud = &log_fd;
    }
    cli_ignore_sigpipe();

    /* the signals are taken by sigwait below: blocked before any thread starts */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    Server *s;
    char err[1024];
    if (srv_start(&c, &s, err, sizeof err)) {
        fprintf(stderr, _("arbiter serve: %s\n"), err);
        int io = strstr(err, "cannot listen") || strstr(err, "--feedback-log") ||
                 strstr(err, "--listen");
        return io ? EXIT_IO : EXIT_DATA;
    }
    fprintf(stderr, _("arbiter serve: listening on http://%s (%s%s%s)\n"), srv_address(s),
            c.rules.pack, c.rules.history ? _(", history ") : "",
            c.rules.history ? c.rules.history : "");
    for (;;) {
        int sig;
        if (sigwait(&set, &sig)) continue;
        if (sig == SIGHUP) {
            if (srv_reload(s, err, sizeof err))
                fprintf(stderr, _("arbiter serve: reload failed, the old pack keeps serving: %s\n"),
                        err);
            else
                fprintf(stderr, _("arbiter serve: reloaded %s\n"), c.rules.pack);
            continue;
        }
        fprintf(stderr, _("arbiter serve: %s: draining (at most %u s)\n"),
                sig == SIGTERM ? "SIGTERM" : "SIGINT", drain);
        srv_stop(s, drain);
        break;
    }
    for (size_t i = 0; i < naliases; i++) free((char *)aliases[i].path);
    free(secret);
    free(apikey);
    free(token);
    fprintf(stderr, _("arbiter serve: stopped\n"));
    return EXIT_CLEAN;
}
