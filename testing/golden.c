/* golden.c — golden regression sets and rule coverage (see golden.h). */
#include "golden.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

static int is_file(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int golden_find_claims(const char *dir, char *buf, size_t cap) {
    static const char *const names[] = {"claims.jsonl", "claims/claims.csv", "claims.csv"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(buf, cap, "%s/%s", dir, names[i]);
        if (is_file(buf)) return 0;
    }
    return -1;
}

int golden_load_expected(const char *path, int update, FindingSet *s, FsBuf *why) {
    char err[512];
    if (!is_file(path) && update) return 0;
    int rc = fs_load(s, path, err, sizeof err);
    if (rc == 0) return 0;
    if (rc == -2 && !is_file(path))
        fsb_printf(why, _("no %s (run with --update to create it)"), path);
    else
        fsb_printf(why, "%s", err);
    return -1;
}

/* Reads a whole file into b; 0, or -1 when it cannot be read. */
static int read_all(const char *path, FsBuf *b) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) fsb_put(b, chunk, got);
    int bad = ferror(f) || b->oom;
    fclose(f);
    return bad ? -1 : 0;
}

int golden_write_expected(const char *path, FindingSet *s) {
    FsBuf text, old;
    fsb_init(&text);
    fsb_init(&old);
    fs_sort(s);
    fs_write_jsonl(&text, s);
    int same = read_all(path, &old) == 0 && old.len == text.len &&
               (text.len == 0 || memcmp(old.p, text.p, text.len) == 0);
    int rc = same ? 0 : 1;
    if (!same) {
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *f = fopen(tmp, "wb");
        int ok = f && !text.oom && (text.len == 0 || fwrite(text.p, 1, text.len, f) == text.len);
        if (f && fclose(f) != 0) ok = 0;
        if (!ok || rename(tmp, path) != 0) {
            if (f) unlink(tmp);
            rc = -1;
        }
    }
    fsb_free(&text);
    fsb_free(&old);
    return rc;
}

long golden_compare(const char *name, FindingSet *expected, FindingSet *actual,
                    const FsTitle *titles, size_t ntitles, size_t max_examples, FsBuf *report) {
    FsDiff d;
    if (fs_compare(expected, actual, &d)) return -1;
    size_t nd = d.n;
    if (nd) {
        fsb_printf(report, _("golden %s: %zu difference%s\n"), name, nd, nd == 1 ? "" : "s");
        fs_report(report, &d, titles, ntitles, max_examples);
    }
    fs_diff_free(&d);
    return (long)nd;
}

void golden_exercise(GoldenRules *r, const char *rule) {
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        char **p = realloc(r->v, cap * sizeof *p);
        if (!p) return;
        r->v = p;
        r->cap = cap;
    }
    char *d = strdup(rule);
    if (d) r->v[r->n++] = d;
}

void golden_rules_free(GoldenRules *r) {
    for (size_t i = 0; i < r->n; i++) free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof *r);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t golden_coverage(const arb_engine *e, GoldenRules *r, FsBuf *missed) {
    if (r->n) qsort(r->v, r->n, sizeof *r->v, cmp_str);
    size_t nrules = arb_rule_count(e), n = 0;
    for (size_t i = 0; i < nrules; i++) {
        const char *id = arb_rule_id(e, i);
        if (r->n && bsearch(&id, r->v, r->n, sizeof *r->v, cmp_str)) continue;
        const char *file;
        uint32_t line, col;
        arb_rule_where(e, i, &file, &line, &col);
        if (file)
            fsb_printf(missed, "  %s:%u:%u: %s\n", file, line, col, id);
        else
            fsb_printf(missed, "  %s\n", id);
        n++;
    }
    return n;
}
