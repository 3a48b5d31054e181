/* outfile.c — output files replaced whole or not at all: a temporary file
 * beside the target, renamed over it when complete; standard output, devices
 * and FIFOs written in place and never removed; and whether two paths are the
 * same file (an output must not overwrite an input).  See outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

void outf_init(OutFile *o) {
    memset(o, 0, sizeof *o);
}

int outf_is_open(const OutFile *o) {
    return o->f != NULL;
}

/* Frees the names and marks the OutFile closed (o->f already dealt with). */
static void release(OutFile *o) {
    Alloc a = o->alloc;
    if (o->target) mem_free(a, o->target, o->target_cap);
    if (o->tmp) mem_free(a, o->tmp, o->tmp_cap);
    outf_init(o);
}

static char *dup_str(Alloc a, const char *s, size_t *cap) {
    *cap = strlen(s) + 1;
    char *d = mem_alloc(a, *cap);
    if (d) memcpy(d, s, *cap);
    return d;
}

/* The process's umask, read without changing it (umask() would set it, for
 * every thread); 022 when /proc is not there. */
static mode_t current_umask(void) {
    unsigned m = 022;
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "Umask: %o", &m) == 1) break;
        fclose(f);
    }
    return (mode_t)(m & 0777);
}

/* Opens an existing file that is not regular for writing in place. */
static int open_in_place(OutFile *o, const char *path, int flags) {
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | flags, 0666);
    if (fd < 0) return errno;
    o->f = fdopen(fd, "w");
    if (!o->f) {
        int err = errno ? errno : ENOMEM;
        close(fd);
        return err;
    }
    return 0;
}

int outf_open(OutFile *o, const char *path, Alloc a) {
    outf_init(o);
    o->alloc = a;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        o->is_stdout = 1;
        return 0;
    }
    struct stat st, lst;
    int exists = stat(path, &st) == 0;
    if (!exists && errno != ENOENT) return errno;
    if (exists && S_ISDIR(st.st_mode)) return EISDIR;
    if (exists && !S_ISREG(st.st_mode)) return open_in_place(o, path, 0);
    int is_link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
    /* a dangling symbolic link: its target is created where it points */
    if (!exists && is_link) return open_in_place(o, path, O_CREAT | O_TRUNC);
    /* through a symbolic link, the file it points to is replaced */
    char resolved[PATH_MAX];
    const char *target = path;
    if (is_link) {
        if (!realpath(path, resolved)) return errno;
        target = resolved;
    }
    /* a file that could not be written in place is not replaced either */
    if (exists && access(target, W_OK) != 0) return errno;
    const char *slash = strrchr(target, '/');
    const char *base = slash ? slash + 1 : target;
    size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
    if (!*base) return EISDIR;
    o->target = dup_str(a, target, &o->target_cap);
    o->tmp_cap = dirlen + 1 + strlen(base) + 8; /* dir/ . base .XXXXXX NUL */
    o->tmp = mem_alloc(a, o->tmp_cap);
    if (!o->target || !o->tmp) {
        release(o);
        return ENOMEM;
    }
    memcpy(o->tmp, target, dirlen);
    snprintf(o->tmp + dirlen, o->tmp_cap - dirlen, ".%s.XXXXXX", base);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int err = errno;
        release(o);
        return err;
    }
    /* the new file gets the old one's mode and, where allowed, its owner;
     * a new file what open(path, O_CREAT, 0666) would have given it */
    if (exists) {
        (void)fchmod(fd, st.st_mode & 07777);
        if (st.st_uid != geteuid() || st.st_gid != getegid())
            (void)fchown(fd, st.st_uid, st.st_gid);
    } else {
        (void)fchmod(fd, 0666 & ~current_umask());
    }
    o->f = fdopen(fd, "w");
    if (!o->f) {
        int err = errno ? errno : ENOMEM;
        close(fd);
        unlink(o->tmp);
        release(o);
        return err;
    }
    return 0;
}

int outf_write(OutFile *o, const void *p, size_t n) {
    if (!o->f) return EBADF;
    if (n == 0) return 0;
    errno = 0;
    if (fwrite(p, 1, n, o->f) != n) return errno ? errno : EIO;
    return 0;
}

/* fsyncs the directory holding path, so that a rename survives a crash. */
static void sync_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    if (!slash)
        strcpy(dir, ".");
    else if ((size_t)(slash - path) + 2 > sizeof dir)
        return;
    else {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int outf_commit(OutFile *o, int sync) {
    if (!o->f) return 0;
    int err = 0;
    errno = 0;
    if (fflush(o->f) != 0) err = errno ? errno : EIO;
    if (o->is_stdout) {
        if (!err && ferror(stdout)) err = EIO;
        release(o);
        return err;
    }
    if (!err && sync && fsync(fileno(o->f)) != 0 && errno != EINVAL) err = errno;
    if (fclose(o->f) != 0 && !err) err = errno ? errno : EIO;
    o->f = NULL;
    if (o->tmp) {
        if (!err && rename(o->tmp, o->target) != 0) err = errno;
        if (err)
            unlink(o->tmp);
        else if (sync)
            sync_dir(o->target);
    }
    release(o);
    return err;
}

void outf_abort(OutFile *o) {
    if (!o->f) return;
    if (o->is_stdout)
        fflush(stdout);
    else
        fclose(o->f);
    o->f = NULL;
    if (o->tmp) unlink(o->tmp);
    release(o);
}

int outf_same_file(const char *a, const char *b) {
    struct stat sa, sb;
    if (strcmp(a, "-") == 0 || strcmp(b, "-") == 0) return 0;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Splits path into its directory (".", "/" or the part before the last
 * slash) and its last component; -1 when too long. */
static int split(const char *path, char *dir, size_t cap, const char **base) {
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    size_t n = !slash ? 0 : slash == path ? 1 : (size_t)(slash - path);
    if (n + 2 > cap) return -1;
    if (!slash)
        strcpy(dir, ".");
    else {
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    return 0;
}

int outf_same_target(const char *a, const char *b) {
    struct stat sa, sb;
    if (strcmp(a, "-") == 0 || strcmp(b, "-") == 0) return 0;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb) return S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea || eb) return 0;
    /* neither exists yet: the same name in the same directory */
    char da[PATH_MAX], db[PATH_MAX];
    const char *ba, *bb;
    if (split(a, da, sizeof da, &ba) || split(b, db, sizeof db, &bb)) return 0;
    return strcmp(ba, bb) == 0 && *ba && outf_same_file(da, db);
}
