/* peers_claims.h — what the peer drivers of bench/peers.sh (peers_hs.c,
 * peers_clips.c) share: reading the workload's rules.tsv and its claims
 * (JSON Lines, Arbiter's claim schema) into flat arrays with json-c, a
 * general JSON parser as a user of these engines would take, computing each
 * claim's age in full years from birth_date and admit_time as the schema
 * does; and a monotonic clock.  Header-only: each driver is one file built
 * by bench/peers.sh. */
#ifndef PEERS_CLAIMS_H
#define PEERS_CLAIMS_H

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double peers_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The workload's rules: rule i (0-based) is number no[i], minimum age
 * min_age[i], codes code[5 * i .. 5 * i + 4]. */
typedef struct PeersRules {
    size_t n;
    int *no, *min_age;
    char **code;
} PeersRules;

static inline int peers_read_rules(const char *path, PeersRules *r) {
    FILE *f = fopen(path, "r");
    if (!f) return perror(path), -1;
    size_t cap = 1024;
    r->n = 0;
    r->no = malloc(cap * sizeof(int));
    r->min_age = malloc(cap * sizeof(int));
    r->code = malloc(5 * cap * sizeof(char *));
    char line[1024], c[5][64];
    int no, age;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%d\t%d\t%63s %63s %63s %63s %63s", &no, &age, c[0], c[1], c[2], c[3],
                   c[4]) != 7) {
            fprintf(stderr, "%s: bad line: %s", path, line);
            fclose(f);
            return -1;
        }
        if (r->n == cap) {
            cap *= 2;
            r->no = realloc(r->no, cap * sizeof(int));
            r->min_age = realloc(r->min_age, cap * sizeof(int));
            r->code = realloc(r->code, 5 * cap * sizeof(char *));
        }
        r->no[r->n] = no;
        r->min_age[r->n] = age;
        for (int k = 0; k < 5; k++) r->code[5 * r->n + (size_t)k] = strdup(c[k]);
        r->n++;
    }
    fclose(f);
    return 0;
}

/* Claims with one line each: id, the line's item code, the age. */
typedef struct PeersClaims {
    size_t n, cap;
    char **id, **code;
    int *age;
} PeersClaims;

static inline const char *peers_str(json_object *o, const char *key) {
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* Full years from birth "YYYY-MM-DD" to the admission "YYYY-MM-DD...". */
static inline int peers_age(const char *birth, const char *admit) {
    int by, bm, bd, ay, am, ad;
    if (sscanf(birth, "%d-%d-%d", &by, &bm, &bd) != 3 ||
        sscanf(admit, "%d-%d-%d", &ay, &am, &ad) != 3)
        return -1;
    return ay - by - (am * 100 + ad < bm * 100 + bd);
}

/* Parses one claim (JSON text of len bytes) and appends it; -1 when it is
 * not a claim of the workload's shape. */
static inline int peers_add_claim(PeersClaims *cl, json_tokener *tok, const char *text,
                                  size_t len) {
    json_tokener_reset(tok);
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    if (!o) return -1;
    json_object *lines, *line;
    const char *id = peers_str(o, "claim_id"), *birth = peers_str(o, "birth_date"),
               *admit = peers_str(o, "admit_time");
    if (!id || !birth || !admit || !json_object_object_get_ex(o, "lines", &lines) ||
        json_object_array_length(lines) != 1 || !(line = json_object_array_get_idx(lines, 0)) ||
        !peers_str(line, "item_code")) {
        json_object_put(o);
        return -1;
    }
    if (cl->n == cl->cap) {
        cl->cap = cl->cap ? 2 * cl->cap : 1024;
        cl->id = realloc(cl->id, cl->cap * sizeof(char *));
        cl->code = realloc(cl->code, cl->cap * sizeof(char *));
        cl->age = realloc(cl->age, cl->cap * sizeof(int));
    }
    cl->id[cl->n] = strdup(id);
    cl->code[cl->n] = strdup(peers_str(line, "item_code"));
    cl->age[cl->n] = peers_age(birth, admit);
    cl->n++;
    json_object_put(o);
    return 0;
}

/* Reads a JSON Lines file of claims. */
static inline int peers_read_claims(const char *path, PeersClaims *cl) {
    FILE *f = fopen(path, "r");
    if (!f) return perror(path), -1;
    memset(cl, 0, sizeof *cl);
    json_tokener *tok = json_tokener_new();
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t no = 0;
    int rc = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        no++;
        if (peers_add_claim(cl, tok, line, (size_t)len) != 0) {
            fprintf(stderr, "%s:%zu: not a claim of the workload\n", path, no);
            rc = -1;
            break;
        }
    }
    free(line);
    json_tokener_free(tok);
    fclose(f);
    return rc;
}

#endif
