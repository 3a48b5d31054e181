/* stdlib_dir.c — where the standard library (schema.rules) is when the
 * configuration names none: arb_default_stdlib_dir, its lookup order in
 * arbiter.h (arb_config.stdlib_dir).  An installed tree is found relative to
 * the shared library or the running program, so the install can be moved;
 * the build tree falls back to the source directory compiled in. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arbiter.h"

/* The source tree's stdlib-rules (set by CMakeLists.txt). */
#ifndef ARB_STDLIB_DIR
#define ARB_STDLIB_DIR "stdlib-rules"
#endif
/* The installed stdlib relative to the directories the shared library and
 * the arbiter command are installed in (computed by CMakeLists.txt from the
 * install directories). */
#ifndef ARB_STDLIB_FROM_LIB
#define ARB_STDLIB_FROM_LIB "../share/arbiter/stdlib-rules"
#endif
#ifndef ARB_STDLIB_FROM_BIN
#define ARB_STDLIB_FROM_BIN "../share/arbiter/stdlib-rules"
#endif

/* Whether dir holds schema.rules. */
static int has_schema(const char *dir) {
    char path[PATH_MAX + 16];
    int n = snprintf(path, sizeof path, "%s/schema.rules", dir);
    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

/* Writes "<directory of file>/rel" into out (PATH_MAX + 64 bytes); 0, or -1
 * when file has no directory part or the result does not fit. */
static int beside(const char *file, const char *rel, char *out) {
    const char *slash = strrchr(file, '/');
    if (!slash) return -1;
    int n = snprintf(out, PATH_MAX + 64, "%.*s/%s", (int)(slash - file), file, rel);
    return n < 0 || n >= PATH_MAX + 64 ? -1 : 0;
}

/* The stdlib beside the shared library this code is in; -1 when it is not
 * libarbiter.so (linked statically into a program) or there is none. */
static int from_library(char *out) {
    Dl_info info;
    if (!dladdr((void *)arb_default_stdlib_dir, &info) || !info.dli_fname) return -1;
    const char *base = strrchr(info.dli_fname, '/');
    base = base ? base + 1 : info.dli_fname;
    if (strncmp(base, "libarbiter.so", 13) != 0) return -1;
    char real[PATH_MAX];
    const char *lib = realpath(info.dli_fname, real) ? real : info.dli_fname;
    return beside(lib, ARB_STDLIB_FROM_LIB, out) == 0 && has_schema(out) ? 0 : -1;
}

/* The stdlib beside the running program (an installed arbiter command). */
static int from_program(char *out) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -1;
    exe[n] = 0;
    return beside(exe, ARB_STDLIB_FROM_BIN, out) == 0 && has_schema(out) ? 0 : -1;
}

size_t arb_default_stdlib_dir(char *buf, size_t cap) {
    char found[PATH_MAX + 64], real[PATH_MAX];
    const char *dir = ARB_STDLIB_DIR;
    if (from_library(found) == 0 || from_program(found) == 0)
        dir = realpath(found, real) ? real : found; /* without the "bin/.." */
    size_t n = strlen(dir);
    if (cap) {
        size_t k = n < cap ? n : cap - 1;
        memcpy(buf, dir, k);
        buf[k] = 0;
    }
    return n;
}
