/* jit_plugin.c — finding and loading the JIT plugin, arbiter-jit.so (see
 * jit_plugin.h). */
#include "jit_plugin.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

/* Where an install keeps the plugin, relative to the command's directory
 * (set by CMakeLists.txt from the install directories). */
#ifndef ARB_JIT_FROM_BIN
#define ARB_JIT_FROM_BIN "../lib/arbiter/arbiter-jit.so"
#endif
#define ARB_JIT_NAME "arbiter-jit.so"

static int is_file(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The path to load: ARBITER_JIT_PLUGIN, else the installed plugin when it
 * is there, else the build tree's beside the command when that is there,
 * else the installed one (which then fails to load, naming the place an
 * install keeps it). */
static void plugin_path(char *path, size_t cap) {
    const char *env = getenv("ARBITER_JIT_PLUGIN");
    if (env && *env) {
        snprintf(path, cap, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? (exe[n] = 0, strrchr(exe, '/')) : NULL;
    if (!slash) { /* no /proc: the loader's own search */
        snprintf(path, cap, "%s", ARB_JIT_NAME);
        return;
    }
    *slash = 0;
    snprintf(path, cap, "%s/%s", exe, ARB_JIT_NAME);
    if (is_file(path)) return;
    snprintf(path, cap, "%s/%s", exe, ARB_JIT_FROM_BIN);
}

int cli_jit_load(CliJit *j, char *err, size_t cap) {
    char path[PATH_MAX + 64];
    plugin_path(path, sizeof path);
    /* RTLD_NOW: a plugin that does not fit this command (a symbol it needs
     * missing) fails here, not in the middle of a run */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h) {
        const char *(*version)(void);
        *(void **)&version = dlsym(h, "arb_jit_version");
        *(void **)&j->options_init = dlsym(h, "arb_jit_options_init");
        *(void **)&j->use_jit = dlsym(h, "arb_use_jit");
        *(void **)&j->write_native = dlsym(h, "arb_write_native");
        if (version && strcmp(version(), ARB_VERSION) != 0) {
            /* another build's: its view of the engine may not be this one's */
            snprintf(err, cap,
                     _("cannot load the JIT plugin %s: it was built for arbiter %s, not %s"), path,
                     version(), ARB_VERSION);
            dlclose(h);
            return -1;
        }
        if (version && j->options_init && j->use_jit && j->write_native) return 0;
    }
    const char *why = dlerror();
    snprintf(err, cap, _("cannot load the JIT plugin %s: %s"), path,
             why ? why : _("it lacks the JIT's functions"));
    return -1;
}
