/* run.c — rules run over a claims file into a findings set (see run.h). */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"

void run_titles_add(RunTitles *t, const char *name, const char *title) {
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->items[i].name, name) != 0) continue;
        char *ti = strdup(title ? title : "");
        if (ti) {
            free((char *)t->items[i].title);
            t->items[i].title = ti;
        }
        return;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        FsTitle *p = realloc(t->items, cap * sizeof *p);
        if (!p) return;
        t->items = p;
        t->cap = cap;
    }
    char *n = strdup(name), *ti = strdup(title ? title : "");
    if (!n || !ti) {
        free(n);
        free(ti);
        return;
    }
    t->items[t->n++] = (FsTitle){n, ti};
}

void run_titles_free(RunTitles *t) {
    for (size_t i = 0; i < t->n; i++) {
        free((char *)t->items[i].name);
        free((char *)t->items[i].title);
    }
    free(t->items);
    memset(t, 0, sizeof *t);
}

int run_temp_path(char *buf, size_t cap, const char *what) {
    const char *dir = getenv("TMPDIR");
    snprintf(buf, cap, "%s/arbiter-%s-XXXXXX", dir && *dir ? dir : "/tmp", what);
    int fd = mkstemp(buf);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

int run_claims(arb_engine *e, const char *claims, const RunOptions *ro, FindingSet *out,
               RunTitles *titles, int *loaded, FsBuf *why) {
    char path[4096], err[512];
    *loaded = 0;
    if (run_temp_path(path, sizeof path, "findings")) {
        fsb_printf(why, _("cannot make a temporary file: %s"), strerror(errno));
        return RUN_ERR_IO;
    }
    arb_batch_options o;
    arb_batch_options_init(&o);
    o.claims_path = claims;
    o.findings_path = path;
    o.threads = ro->threads;
    o.encoding = ro->encoding;
    o.input_profile = ro->input_profile;
    if (ro->input_format) o.input_format = ro->input_format;
    o.on_reject = ro->on_reject;
    o.on_rule_error = ro->on_rule_error;
    o.ud = ro->ud;
    arb_batch_stats st;
    int rc = arb_check_file(e, &o, &st);
    int code = RUN_OK;
    if (rc == ARB_ERR_DATA && (st.records_read || st.rejected_rows)) {
        code = RUN_REJECTED; /* some records rejected: the rest was audited */
        fsb_printf(why, _("%s: %llu record%s rejected"), claims,
                   (unsigned long long)(st.rejected + st.rejected_rows),
                   st.rejected + st.rejected_rows == 1 ? "" : "s");
    } else if (rc != ARB_OK) {
        fsb_printf(why, "%s", arb_errmsg(e));
        unlink(path);
        return rc == ARB_ERR_IO ? RUN_ERR_IO : RUN_ERR_DATA;
    }
    for (size_t i = 0; i < st.ncategories; i++)
        run_titles_add(titles, st.categories[i].name, st.categories[i].title);
    int lrc = fs_load(out, path, err, sizeof err);
    unlink(path);
    if (lrc) {
        why->len = 0;
        fsb_printf(why, "%s", err);
        return RUN_ERR_IO;
    }
    *loaded = 1;
    return code;
}

int run_claims_text(arb_engine *e, const char *text, size_t len, const RunOptions *o,
                    FindingSet *out, RunTitles *titles, int *loaded, FsBuf *why) {
    char path[4096];
    *loaded = 0;
    if (run_temp_path(path, sizeof path, "test")) {
        fsb_printf(why, _("cannot make a temporary file: %s"), strerror(errno));
        return RUN_ERR_IO;
    }
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(text, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = 0;
    int rc;
    if (!ok) {
        fsb_printf(why, _("cannot write %s: %s"), path, strerror(errno));
        rc = RUN_ERR_IO;
    } else {
        rc = run_claims(e, path, o, out, titles, loaded, why);
    }
    unlink(path);
    return rc;
}
