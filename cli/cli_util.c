/* cli_util.c — compiling rule files for the CLI's commands (see cli_util.h). */
#include "cli_util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "transcode.h"

/* The build tree's catalogs (set by CMakeLists.txt), and the installed ones
 * relative to the command's directory. */
#ifndef ARB_LOCALE_DIR
#define ARB_LOCALE_DIR "locale"
#endif
#ifndef ARB_LOCALE_FROM_BIN
#define ARB_LOCALE_FROM_BIN "../share/locale"
#endif

size_t cli_print_errors(arb_engine *e) {
    size_t errors = 0, n = arb_error_count(e), cap = 4096;
    char *buf = malloc(cap);
    if (!buf) return n;
    for (size_t i = 0; i < n; i++) {
        size_t need = arb_error_render(e, i, buf, cap);
        if (need >= cap) {
            char *nb = realloc(buf, need + 1);
            if (nb) {
                buf = nb;
                cap = need + 1;
                arb_error_render(e, i, buf, cap);
            }
        }
        fputs(buf, stderr);
        arb_error err;
        if (arb_error_get(e, i, &err) == ARB_OK && err.severity == 0) errors++;
    }
    free(buf);
    return errors;
}

static int cmp_path(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether path is the same file as the standard library's schema, which the
 * engine loads itself. */
static int is_schema(const char *path, const char *schema_real) {
    char real[PATH_MAX];
    return schema_real[0] && realpath(path, real) && strcmp(real, schema_real) == 0;
}

/* Adds one rule file, or every *.rules file of a directory in name order
 * (not its subdirectories); the stdlib schema is skipped (loaded once). */
static int add_path(arb_engine *e, const char *cmd, const char *path, const char *schema_real) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            fprintf(stderr, _("arbiter %s: cannot read directory %s\n"), cmd, path);
            return -1;
        }
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        int rc = 0;
        while ((de = readdir(d))) {
            size_t l = strlen(de->d_name);
            if (l < 7 || strcmp(de->d_name + l - 6, ".rules") != 0 || de->d_name[0] == '.')
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                char **nn = realloc(names, cap * sizeof *nn);
                if (!nn) {
                    rc = -1;
                    break;
                }
                names = nn;
            }
            size_t pl = strlen(path) + l + 2;
            if (!(names[n] = malloc(pl))) {
                rc = -1;
                break;
            }
            snprintf(names[n++], pl, "%s/%s", path, de->d_name);
        }
        closedir(d);
        if (names) qsort(names, n, sizeof *names, cmp_path);
        for (size_t i = 0; i < n; i++) {
            if (rc == 0 && !is_schema(names[i], schema_real) &&
                arb_add_file(e, names[i]) != ARB_OK) {
                fprintf(stderr, _("arbiter %s: %s\n"), cmd, arb_errmsg(e));
                rc = -1;
            }
            free(names[i]);
        }
        free(names);
        if (rc == 0 && n == 0) {
            fprintf(stderr, _("arbiter %s: no .rules files in %s\n"), cmd, path);
            rc = -1;
        }
        return rc;
    }
    if (is_schema(path, schema_real)) return 0;
    if (arb_add_file(e, path) != ARB_OK) {
        fprintf(stderr, _("arbiter %s: %s\n"), cmd, arb_errmsg(e));
        return -1;
    }
    return 0;
}

arb_engine *cli_compile(const char *cmd, const char *const *files, size_t nfiles,
                        const char *stdlib, int debug_info, int *exit_code) {
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = stdlib ? stdlib : getenv("ARBITER_STDLIB");
    cfg.debug_info = debug_info;
    arb_engine *e;
    if (arb_engine_new(&cfg, &e) != ARB_OK) {
        fprintf(stderr, _("arbiter %s: out of memory\n"), cmd);
        *exit_code = 4;
        return NULL;
    }
    char schema[PATH_MAX + 80], schema_real[PATH_MAX], def_dir[PATH_MAX + 64];
    if (!cfg.stdlib_dir) arb_default_stdlib_dir(def_dir, sizeof def_dir);
    snprintf(schema, sizeof schema, "%s/schema.rules", cfg.stdlib_dir ? cfg.stdlib_dir : def_dir);
    if (!realpath(schema, schema_real)) schema_real[0] = 0;
    for (size_t i = 0; i < nfiles; i++) {
        if (add_path(e, cmd, files[i], schema_real)) {
            arb_engine_free(e);
            *exit_code = 2;
            return NULL;
        }
    }
    if (arb_compile(e) != ARB_OK) {
        size_t n = cli_print_errors(e);
        if (n)
            fprintf(stderr,
                    dngettext(ARB_TEXT_DOMAIN, "arbiter %s: %zu error; nothing was run\n",
                              "arbiter %s: %zu errors; nothing was run\n", n),
                    cmd, n);
        else /* not in the rules (out of memory): the engine says what */
            fprintf(stderr, _("arbiter %s: %s; nothing was run\n"), cmd, arb_errmsg(e));
        arb_engine_free(e);
        *exit_code = 2;
        return NULL;
    }
    cli_print_errors(e); /* warnings */
    return e;
}

int cli_parse_u64(const char *s, uint64_t *out) {
    if (!*s || *s == '-') return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno) return -1;
    *out = v;
    return 0;
}

int cli_is_help(const char *arg) {
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_usage_error(const char *cmd, const char *fmt, const char *arg) {
    fprintf(stderr, "arbiter %s: ", cmd);
    fprintf(stderr, _(fmt), arg);
    fputc('\n', stderr);
    fprintf(stderr, _("Run 'arbiter %s --help' for usage."), cmd);
    fputc('\n', stderr);
    return 2;
}

void cli_ignore_sigpipe(void) {
    signal(SIGPIPE, SIG_IGN);
}

int cli_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

int cli_stdout_gone(void) {
    struct pollfd p = {STDOUT_FILENO, 0, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}

int cli_batch_option(const char *cmd, int argc, char **argv, int *i, arb_batch_options *o) {
    const char *a = argv[*i];
    if (*i + 1 >= argc) return 0;
    const char *v = argv[*i + 1];
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    int number = *v >= '0' && *v <= '9' && !*end;
    if (strcmp(a, "--input-format") == 0) {
        if (strcmp(v, "jsonl") == 0)
            o->input_format = ARB_FORMAT_JSONL;
        else if (strcmp(v, "csv") == 0)
            o->input_format = ARB_FORMAT_CSV;
        else
            return cli_usage_error(cmd, "unknown input format '%s' (jsonl, csv)", v), -1;
    } else if (strcmp(a, "--threads") == 0) {
        if (!number || n < 1 || n > 64)
            return cli_usage_error(cmd, "--threads takes a number from 1 to 64, not '%s'", v), -1;
        o->threads = (int)n;
    } else if (strcmp(a, "--rejects") == 0) {
        o->rejects_path = v;
    } else if (strcmp(a, "--encoding") == 0) {
        if (tc_encoding(v) < 0)
            return cli_usage_error(cmd, "unknown encoding '%s' (utf-8, gb18030, gbk)", v), -1;
        o->encoding = v;
    } else if (strcmp(a, "--commit-every") == 0) {
        if (!number || n < 1 || n > 100000000)
            return cli_usage_error(cmd, "--commit-every takes a number of claims, not '%s'", v), -1;
        o->commit_every = (uint32_t)n;
    } else if (strcmp(a, "--max-field-bytes") == 0) {
        if (!number || n < 1)
            return cli_usage_error(cmd, "--max-field-bytes takes a number of bytes, not '%s'", v),
                   -1;
        o->max_field_bytes = (size_t)n;
    } else {
        return 0;
    }
    *i += 1;
    return 1;
}

static const char *const PHASE_NAMES[3] = {"pre", "settle", "post"};

int cli_parse_phases(const char *s, unsigned *out, const char **bad, size_t *badlen) {
    unsigned bits = 0;
    for (const char *p = s;; p++) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        int k = 0;
        while (k < 3 && !(strlen(PHASE_NAMES[k]) == n && strncmp(PHASE_NAMES[k], p, n) == 0)) k++;
        if (k == 3 || (bits & (1u << k))) {
            *bad = p;
            *badlen = n;
            return k == 3 ? -1 : -2;
        }
        bits |= 1u << k;
        if (!comma) break;
        p = comma;
    }
    *out = bits;
    return 0;
}

void cli_phase_names(unsigned phases, char *buf, size_t cap) {
    size_t len = 0;
    if (cap) buf[0] = 0;
    for (int k = 0; k < 3; k++)
        if (phases & (1u << k) && len < cap)
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "," : "", PHASE_NAMES[k]);
}

/* Whether a language name (zh_CN.UTF-8, zh, en_US, ...) means Chinese. */
static int is_chinese(const char *v) {
    return v && v[0] == 'z' && v[1] == 'h';
}

/* dir/zh_CN/LC_MESSAGES/arbiter.mo exists */
static int has_catalog(const char *dir) {
    char p[PATH_MAX + 64];
    int n = snprintf(p, sizeof p, "%s/zh_CN/LC_MESSAGES/arbiter.mo", dir);
    return n > 0 && (size_t)n < sizeof p && access(p, R_OK) == 0;
}

int cli_i18n(const char *lang) {
    const char *want = lang;
    if (want && !is_chinese(want) && strncmp(want, "en", 2) != 0 && strcmp(want, "C") != 0)
        return -1;
    if (!want) { /* LANGUAGE, LC_ALL, LC_MESSAGES, LANG: the first one set */
        const char *vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
        for (size_t i = 0; i < 4 && !want; i++) {
            const char *v = getenv(vars[i]);
            if (v && *v) want = v;
        }
    }
    if (!is_chinese(want)) return 0; /* English: the messages as written */
    /* The messages' locale category must not be "C" for gettext to look
     * anything up: the user's, or C.UTF-8 when theirs is not installed. */
    const char *cur = setlocale(LC_MESSAGES, "");
    if (!cur || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0)
        setlocale(LC_MESSAGES, "C.UTF-8");
    setenv("LANGUAGE", "zh_CN", 1);
    /* the C library's own messages (strerror) are converted to the
     * character set of LC_CTYPE: a UTF-8 one, or they come out as '?' */
    const char *ct = setlocale(LC_CTYPE, "");
    if (!ct || (!strstr(ct, "UTF-8") && !strstr(ct, "utf8"))) setlocale(LC_CTYPE, "C.UTF-8");
    /* the catalog: beside an installed command, else the build tree's */
    char exe[PATH_MAX], dir[PATH_MAX + 64];
    const char *where = ARB_LOCALE_DIR;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(dir, sizeof dir, "%s/%s", exe, ARB_LOCALE_FROM_BIN);
            if (has_catalog(dir)) where = dir;
        }
    }
    bindtextdomain(ARB_TEXT_DOMAIN, where);
    bind_textdomain_codeset(ARB_TEXT_DOMAIN, "UTF-8");
    return 0;
}
