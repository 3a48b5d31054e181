/* cmd_fmt.c — `arbiter fmt`: rule files in the canonical layout (the
 * formatter is lang/fmt.c, through arb_format): rewritten in place, checked
 * (--check) or shown as a diff (--diff); `-` formats standard input to
 * standard output. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arbiter.h"
#include "cli_util.h"
#include "commands.h"
#include "i18n.h"

enum { EXIT_CLEAN = 0, EXIT_CHANGED = 1, EXIT_USAGE = 2, EXIT_IO = 4 };

static const char *const FMT_HELP =
    N_("usage: arbiter fmt [--check] [--diff] FILES...\n"
       "       arbiter fmt - < IN.rules > OUT.rules\n"
       "\n"
       "Rewrites rule files in the canonical layout (docs/language.md, \"Formatting\"):\n"
       "indentation, spaces between tokens, aligned columns in schema, table, enum and\n"
       "input blocks, at most one blank line in a row. Line breaks and comments are\n"
       "kept, and the tokens are never changed, so the rules compile to the same\n"
       "program. A directory stands for the .rules files under it. A file that does\n"
       "not parse is reported with file:line:col and left alone.\n"
       "\n"
       "options:\n"
       "  --check      write nothing; list the files that would change (exit 1 if any)\n"
       "  --diff       write nothing; print a unified diff of the changes (exit 1 if any)\n"
       "  -            format standard input to standard output\n"
       "  -h, --help   this text\n"
       "\n"
       "exit codes: 0 nothing to change (or files rewritten), 1 files would change\n"
       "(--check, --diff), 2 usage or syntax errors, 4 I/O errors.\n");

typedef struct Opts {
    int check, diff;
    int changed, errors, io;
} Opts;

static char *read_all(FILE *f, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b) return NULL;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                return NULL;
            }
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        free(b);
        return NULL;
    }
    *len = n;
    return b;
}

static int write_file(const char *path, const char *text, size_t len) {
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) return ENOMEM;
    snprintf(tmp, pl + 16, "%s.fmt-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return e;
    }
    struct stat st;
    if (stat(path, &st) == 0) fchmod(fd, st.st_mode & 07777);
    int err = 0;
    for (size_t off = 0; off < len && !err;) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) {
            if (errno != EINTR) err = errno;
        } else {
            off += (size_t)w;
        }
    }
    if (close(fd) != 0 && !err) err = errno;
    if (!err && rename(tmp, path) != 0) err = errno;
    if (err) unlink(tmp);
    free(tmp);
    return err;
}

/* Prints `diff -u` of the file and its formatted text. */
static void show_diff(const char *path, const char *text, size_t len, Opts *o) {
    char tmp[] = "/tmp/arbiter-fmt-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        fprintf(stderr, _("arbiter fmt: cannot write a temporary file: %s\n"), strerror(errno));
        if (fd >= 0) close(fd), unlink(tmp);
        o->io = 1;
        return;
    }
    close(fd);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char a[4096], b[4096];
        snprintf(a, sizeof a, "a/%s", path);
        snprintf(b, sizeof b, "b/%s", path);
        execlp("diff", "diff", "-u", "--label", a, "--label", b, path, tmp, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
        fprintf(stderr, _("arbiter fmt: cannot run diff for %s\n"), path);
        o->io = 1;
    }
    unlink(tmp);
}

static void fmt_one(const char *path, Opts *o) {
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, _("arbiter fmt: cannot read %s: %s\n"), path, strerror(errno));
        o->io = 1;
        return;
    }
    size_t len = 0;
    char *text = read_all(f, &len);
    if (!is_stdin) fclose(f);
    if (!text) {
        fprintf(stderr, _("arbiter fmt: cannot read %s\n"), path);
        o->io = 1;
        return;
    }
    char *out = NULL;
    size_t out_len = 0;
    int rc = arb_format(is_stdin ? "<stdin>" : path, text, len, &out, &out_len);
    if (rc != ARB_OK) {
        if (out)
            fputs(out, stderr);
        else
            fprintf(stderr, _("arbiter fmt: %s: out of memory\n"), path);
        o->errors = 1;
    } else if (is_stdin) {
        fwrite(out, 1, out_len, stdout);
    } else if (out_len != len || memcmp(out, text, len) != 0) {
        o->changed = 1;
        if (o->diff) {
            show_diff(path, out, out_len, o);
        } else if (o->check) {
            printf("%s\n", path);
        } else {
            int err = write_file(path, out, out_len);
            if (err) {
                fprintf(stderr, _("arbiter fmt: cannot write %s: %s\n"), path, strerror(err));
                o->io = 1;
            }
        }
    }
    free(out);
    free(text);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .rules files under dir, in name order. */
static void fmt_dir(const char *dir, Opts *o) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, _("arbiter fmt: cannot read %s: %s\n"), dir, strerror(errno));
        o->io = 1;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn) break;
            names = nn;
        }
        size_t need = strlen(dir) + strlen(de->d_name) + 2;
        names[n] = malloc(need);
        if (!names[n]) break;
        snprintf(names[n], need, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        size_t l = strlen(names[i]);
        if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
            fmt_dir(names[i], o);
        else if (l > 6 && strcmp(names[i] + l - 6, ".rules") == 0)
            fmt_one(names[i], o);
        free(names[i]);
    }
    free(names);
}

int cmd_fmt(int argc, char **argv) {
    Opts o = {0, 0, 0, 0, 0};
    int nfiles = 0;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(_(FMT_HELP), stdout);
            return EXIT_CLEAN;
        } else if (strcmp(argv[i], "--check") == 0) {
            o.check = 1;
        } else if (strcmp(argv[i], "--diff") == 0) {
            o.diff = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("fmt", "unknown option: '%s'", argv[i]);
        } else {
            nfiles++;
        }
    }
    if (!nfiles) return cli_usage_error("fmt", _("no rule files given"), "");
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) continue;
        struct stat st;
        if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            fmt_dir(argv[i], &o);
        else
            fmt_one(argv[i], &o);
    }
    if (o.io) return EXIT_IO;
    if (o.errors) return EXIT_USAGE;
    return (o.check || o.diff) && o.changed ? EXIT_CHANGED : EXIT_CLEAN;
}
