/* score.c — findings scored against the truth of labelled claims (see
 * score.h). */
#include "score.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "i18n.h"

/* The index of a category name, added when new; -1 when out of memory. */
static int name_index(ScoreNames *ns, const char *s, size_t len) {
    for (size_t i = 0; i < ns->n; i++)
        if (strlen(ns->v[i]) == len && memcmp(ns->v[i], s, len) == 0) return (int)i;
    if (ns->n == ns->cap) {
        size_t nc = ns->cap ? ns->cap * 2 : 64;
        char **nv = realloc(ns->v, nc * sizeof *nv);
        if (!nv) return -1;
        ns->v = nv;
        ns->cap = nc;
    }
    char *c = malloc(len + 1);
    if (!c) return -1;
    memcpy(c, s, len);
    c[len] = 0;
    ns->v[ns->n] = c;
    return (int)ns->n++;
}

/* Finds top-level "key": in a flat JSON object line and returns a pointer to
 * its value, or NULL. */
static const char *json_find(const char *line, const char *key) {
    size_t kl = strlen(key);
    int depth = 0;
    for (const char *p = line; *p; p++) {
        if (*p == '"') {
            const char *s = ++p;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1]) p++;
                p++;
            }
            if (!*p) return NULL;
            if (depth == 1 && (size_t)(p - s) == kl && memcmp(s, key, kl) == 0) {
                const char *q = p + 1;
                while (*q == ' ' || *q == '\t') q++;
                if (*q == ':') {
                    q++;
                    while (*q == ' ' || *q == '\t') q++;
                    return q;
                }
            }
        } else if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']')
            depth--;
    }
    return NULL;
}

static int key_cmp(const void *a, const void *b) {
    const ScoreKey *x = a, *y = b;
    int c = strcmp(x->claim, y->claim);
    if (c) return c;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return (x->cat > y->cat) - (x->cat < y->cat);
}

/* Parses one non-blank line (p: its first non-blank byte) into a new key of
 * ks.  SCORE_OK, SCORE_ERR_DATA (message in err) or SCORE_ERR_NOMEM. */
static int read_line(const char *path, size_t lineno, const char *line, const char *p,
                     ScoreKeys *ks, ScoreNames *names, char *err, size_t cap) {
    if (*p != '{') {
        snprintf(err, cap, _("%s:%zu:%zu: error: not a JSON object\n"), path, lineno,
                 (size_t)(p - line) + 1);
        return SCORE_ERR_DATA;
    }
    const char *vc = json_find(line, "claim_id"), *vl = json_find(line, "line_no"),
               *vk = json_find(line, "category");
    const char *miss = !vc ? "claim_id" : !vk ? "category" : NULL;
    if (miss) {
        snprintf(err, cap, _("%s:%zu:1: error: no \"%s\"\n"), path, lineno, miss);
        return SCORE_ERR_DATA;
    }
    if (*vc != '"' || *vk != '"') {
        const char *bad = *vc != '"' ? vc : vk;
        snprintf(err, cap, _("%s:%zu:%zu: error: expected a string\n"), path, lineno,
                 (size_t)(bad - line) + 1);
        return SCORE_ERR_DATA;
    }
    const char *ce = strchr(vc + 1, '"'), *ke = strchr(vk + 1, '"');
    long long ln = -1;
    if (vl && strncmp(vl, "null", 4) != 0) {
        char *end;
        ln = strtoll(vl, &end, 10);
        if (end == vl || ln < 0) {
            snprintf(err, cap, _("%s:%zu:%zu: error: line_no must be a number or null\n"), path,
                     lineno, (size_t)(vl - line) + 1);
            return SCORE_ERR_DATA;
        }
    }
    if (!ce || !ke) {
        snprintf(err, cap, _("%s:%zu:1: error: unterminated string\n"), path, lineno);
        return SCORE_ERR_DATA;
    }
    if (ks->n == ks->cap) {
        size_t nc = ks->cap ? ks->cap * 2 : 1024;
        ScoreKey *nv = realloc(ks->v, nc * sizeof *nv);
        if (!nv) return SCORE_ERR_NOMEM;
        ks->v = nv;
        ks->cap = nc;
    }
    ScoreKey *k = &ks->v[ks->n];
    k->claim = malloc((size_t)(ce - vc));
    k->cat = name_index(names, vk + 1, (size_t)(ke - vk - 1));
    if (!k->claim || k->cat < 0) {
        free(k->claim);
        return SCORE_ERR_NOMEM;
    }
    memcpy(k->claim, vc + 1, (size_t)(ce - vc - 1));
    k->claim[ce - vc - 1] = 0;
    k->line = ln;
    ks->n++;
    return SCORE_OK;
}

int score_read_keys(const char *path, ScoreKeys *ks, ScoreNames *names, char *err, size_t cap) {
    if (cap) err[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f) return SCORE_ERR_OPEN;
    char *line = NULL;
    size_t lcap = 0, lineno = 0;
    int rc = SCORE_OK;
    while (rc == SCORE_OK && getline(&line, &lcap, f) >= 0) {
        lineno++;
        const char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\n' || *p == '\r' || !*p) continue;
        rc = read_line(path, lineno, line, p, ks, names, err, cap);
    }
    free(line);
    if (ferror(f) && rc == SCORE_OK) rc = SCORE_ERR_READ;
    fclose(f);
    if (rc == SCORE_OK) {
        qsort(ks->v, ks->n, sizeof *ks->v, key_cmp);
        size_t w = 0; /* drop duplicates */
        for (size_t i = 0; i < ks->n; i++) {
            if (w && key_cmp(&ks->v[w - 1], &ks->v[i]) == 0) {
                free(ks->v[i].claim);
                continue;
            }
            ks->v[w++] = ks->v[i];
        }
        ks->n = w;
    }
    return rc;
}

void score_keys_free(ScoreKeys *ks) {
    for (size_t i = 0; i < ks->n; i++) free(ks->v[i].claim);
    free(ks->v);
    memset(ks, 0, sizeof *ks);
}

void score_names_free(ScoreNames *names) {
    for (size_t k = 0; k < names->n; k++) free(names->v[k]);
    free(names->v);
    memset(names, 0, sizeof *names);
}

void score_tally(const ScoreKeys *found, const ScoreKeys *truth, const ScoreNames *names,
                 ScoreCount *counts, size_t *order) {
    size_t nc = names->n;
    memset(counts, 0, nc * sizeof *counts);
    /* merge the two sorted sets */
    size_t i = 0, j = 0;
    while (i < found->n || j < truth->n) {
        int c = i >= found->n ? 1 : j >= truth->n ? -1 : key_cmp(&found->v[i], &truth->v[j]);
        if (c == 0) {
            counts[truth->v[j].cat].truth++;
            counts[truth->v[j].cat].found++;
            i++, j++;
        } else if (c < 0) {
            counts[found->v[i++].cat].false_pos++;
        } else {
            counts[truth->v[j++].cat].truth++;
        }
    }
    /* categories in name order */
    for (size_t k = 0; k < nc; k++) order[k] = k;
    for (size_t a = 1; a < nc; a++)
        for (size_t b = a; b > 0 && strcmp(names->v[order[b - 1]], names->v[order[b]]) > 0; b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
}

void score_pct(uint64_t a, uint64_t b, char *buf, size_t cap) {
    if (!b) {
        snprintf(buf, cap, "-");
        return;
    }
    uint64_t t = (a * 1000 + b / 2) / b;
    snprintf(buf, cap, "%llu.%llu%%", (unsigned long long)(t / 10), (unsigned long long)(t % 10));
}

int score_below(const ScoreCount *c, uint32_t min_ppm) {
    return c->truth && c->found * 1000000 < (uint64_t)min_ppm * c->truth;
}
