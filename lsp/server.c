/* server.c — the Arbiter language server: documents, checks, and the
 * answers to LSP requests (see server.h). */
#include "server.h"

#include <dirent.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arbiter.h"
#include "check.h"
#include "compile.h"
#include "position.h"
#include "symindex.h"

/* The keywords of the language (lang/lexer.re; tests/e2e/lsp.py checks that
 * completion offers exactly the lexer's). */
static const char *const KEYWORDS[] = {
    "import", "enum",     "schema", "extend",    "category", "table",    "from",    "define",
    "rule",   "in",       "phase",  "effective", "to",       "severity", "nature",  "points",
    "for",    "match",    "on",     "when",      "if",       "then",     "else",    "flag",
    "amount", "message",  "and",    "or",        "not",      "matches",  "true",    "false",
    "list",   "of",       "key",    "prefix",    "required", "at_risk",  "as_of",   "count",
    "exists", "any",      "all",    "sum",       "min",      "max",      "where",   "lua",
    "codes",  "encoding", "input",  "dict",      "format",   "missing",  "default", "position",
    "report", "test",
};

static const char *const BUILTINS[] = {
#define X(e, s, n) s,
    ARB_BUILTINS(X)
#undef X
};

/* An open document. */
typedef struct Doc {
    char *uri, *path; /* path: absolute, symbolic links resolved */
    char *text;
    size_t len;
    /* the variables rules bound in it at the last check that found any:
     * completion after `r.` while the rule does not parse */
    SymDef *vars;
    size_t nvars;
    SymIndex vars_ix; /* owns the strings of vars */
} Doc;

/* The last check of a library: its sources, diagnostics and index. */
typedef struct Check {
    SourceList src;
    DiagList diags;
    SymIndex ix;
    LineMap *maps; /* per source, built when needed */
    int valid;
} Check;

typedef struct Library {
    char *key; /* the directory, or the file when checked alone */
    int file_only;
    Check ck;
    char **published; /* URIs given diagnostics at the last check */
    size_t npublished;
} Library;

struct LspServer {
    lsp_send_fn send;
    void *ud;
    char stdlib[PATH_MAX];
    char schema[PATH_MAX]; /* stdlib/schema.rules, resolved ("" when absent) */
    int file_only;
    char **extra; /* directories whose .rules files are checked with every document */
    size_t nextra;
    Doc *docs;
    size_t ndocs, capdocs;
    Library *libs;
    size_t nlibs, caplibs;
    int shutdown, exited;
};

/* ------------------------------------------------------------ utilities */

static char *xstrndup(const char *s, size_t n) {
    char *c = malloc(n + 1);
    if (!c) return NULL;
    memcpy(c, s, n);
    c[n] = 0;
    return c;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The path of a file:// URI (percent-decoded), or NULL. */
static char *uri_to_path(const char *uri) {
    if (strncmp(uri, "file://", 7) != 0) return NULL;
    const char *p = uri + 7;
    char *out = malloc(strlen(p) + 1);
    if (!out) return NULL;
    size_t k = 0;
    for (; *p; p++) {
        if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            out[k++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        } else
            out[k++] = *p;
    }
    out[k] = 0;
    return out;
}

/* A file:// URI for a path: bytes other than unreserved ones and '/'
 * percent-encoded (as VS Code writes them). */
static char *path_to_uri(const char *path) {
    size_t n = strlen(path);
    char *out = malloc(7 + 3 * n + 1);
    if (!out) return NULL;
    size_t k = (size_t)sprintf(out, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '/' || *p == '-' || *p == '.' || *p == '_' || *p == '~')
            out[k++] = (char)*p;
        else
            k += (size_t)sprintf(out + k, "%%%02X", *p);
    }
    out[k] = 0;
    return out;
}

/* An absolute path with symbolic links resolved (the file need not exist:
 * then its directory is resolved); NULL when out of memory. */
static char *canonical(const char *path) {
    char real[PATH_MAX];
    if (realpath(path, real)) return strdup(real);
    const char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        char *dir = xstrndup(path, (size_t)(slash - path));
        if (dir && realpath(dir, real)) {
            free(dir);
            size_t n = strlen(real) + strlen(slash) + 1;
            char *c = malloc(n);
            if (c) snprintf(c, n, "%s%s", real, slash);
            return c;
        }
        free(dir);
    }
    return strdup(path);
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) break;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* ----------------------------------------------------------------- JSON */

static json_object *jget(json_object *o, const char *k) {
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *jstr(json_object *o, const char *k) {
    json_object *v = jget(o, k);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void send_json(LspServer *s, json_object *msg) {
    size_t len;
    const char *t = json_object_to_json_string_length(
        msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    s->send(s->ud, t, len);
    json_object_put(msg);
}

static void reply(LspServer *s, json_object *id, json_object *result) {
    json_object *m = json_object_new_object();
    json_object_object_add(m, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(m, "id", json_object_get(id));
    json_object_object_add(m, "result", result ? result : NULL);
    send_json(s, m);
}

static void reply_error(LspServer *s, json_object *id, int code, const char *msg) {
    json_object *m = json_object_new_object(), *e = json_object_new_object();
    json_object_object_add(m, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(m, "id", id ? json_object_get(id) : NULL);
    json_object_object_add(e, "code", json_object_new_int(code));
    json_object_object_add(e, "message", json_object_new_string(msg));
    json_object_object_add(m, "error", e);
    send_json(s, m);
}

static json_object *jpos(uint32_t line, uint32_t ch) {
    json_object *p = json_object_new_object();
    json_object_object_add(p, "line", json_object_new_int64(line));
    json_object_object_add(p, "character", json_object_new_int64(ch));
    return p;
}

/* ------------------------------------------------------------ documents */

static const char *doc_uri(json_object *params) {
    const char *u = jstr(jget(params, "textDocument"), "uri");
    return u ? u : "";
}

static Doc *doc_find(LspServer *s, const char *uri) {
    for (size_t i = 0; i < s->ndocs; i++)
        if (strcmp(s->docs[i].uri, uri) == 0) return &s->docs[i];
    return NULL;
}

static Doc *doc_by_path(LspServer *s, const char *path) {
    for (size_t i = 0; i < s->ndocs; i++)
        if (strcmp(s->docs[i].path, path) == 0) return &s->docs[i];
    return NULL;
}

static void doc_free(Doc *d) {
    free(d->uri);
    free(d->path);
    free(d->text);
    free(d->vars);
    symindex_free(&d->vars_ix);
}

/* ---------------------------------------------------------------- checks */

static void check_free(Check *c) {
    if (!c->valid) return;
    for (size_t i = 0; i < c->src.n && c->maps; i++) linemap_free(&c->maps[i]);
    free(c->maps);
    symindex_free(&c->ix);
    diag_free(&c->diags);
    sources_free(&c->src);
    memset(c, 0, sizeof *c);
}

static const LineMap *check_map(Check *c, int32_t file) {
    if (file < 0 || (size_t)file >= c->src.n) return NULL;
    if (!c->maps) {
        c->maps = calloc(c->src.n, sizeof(LineMap));
        if (!c->maps) return NULL;
    }
    LineMap *m = &c->maps[file];
    if (!m->starts && linemap_init(m, c->src.items[file].text, c->src.items[file].len)) return NULL;
    return m;
}

static json_object *check_range(Check *c, int32_t file, uint32_t off, uint32_t len) {
    uint32_t l0 = 0, c0 = 0, l1 = 0, c1 = 0;
    const LineMap *m = check_map(c, file);
    if (m) {
        linemap_position(m, off, &l0, &c0);
        linemap_position(m, off + len, &l1, &c1);
        /* a byte-order mark the checker skipped is a character to the editor */
        uint32_t bom = c->src.items[file].skipped ? 1 : 0;
        c0 += l0 == 0 ? bom : 0;
        c1 += l1 == 0 ? bom : 0;
    }
    json_object *r = json_object_new_object();
    json_object_object_add(r, "start", jpos(l0, c0));
    json_object_object_add(r, "end", jpos(l1, c1));
    return r;
}

static int32_t check_file_of(const Check *c, const char *path) {
    for (size_t i = 0; i < c->src.n; i++)
        if (strcmp(c->src.items[i].path, path) == 0) return (int32_t)i;
    return -1;
}

/* The URI of a source of a check: an open document's own, else made. */
static char *source_uri(LspServer *s, const Check *c, int32_t file) {
    const char *path = c->src.items[file].path;
    Doc *d = doc_by_path(s, path);
    return d ? strdup(d->uri) : path_to_uri(path);
}

static json_object *location(LspServer *s, Check *c, int32_t file, uint32_t off, uint32_t len) {
    json_object *l = json_object_new_object();
    char *uri = source_uri(s, c, file);
    json_object_object_add(l, "uri", json_object_new_string(uri ? uri : ""));
    free(uri);
    json_object_object_add(l, "range", check_range(c, file, off, len));
    return l;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .rules files of a directory but the schema, sorted. */
static char **list_rules(LspServer *s, const char *dir, size_t *n) {
    DIR *d = opendir(dir);
    *n = 0;
    if (!d) return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 7 || strcmp(de->d_name + l - 6, ".rules") != 0 || de->d_name[0] == '.') continue;
        size_t pl = strlen(dir) + l + 2;
        char *p = malloc(pl);
        if (!p) break;
        snprintf(p, pl, "%s/%s", dir, de->d_name);
        if (strcmp(p, s->schema) == 0) {
            free(p);
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                free(p);
                break;
            }
            names = nn;
        }
        names[(*n)++] = p;
    }
    closedir(d);
    if (names) qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

/* Adds a file to a check's sources: an open document's text, else the
 * file's.  -1 when it cannot be read. */
static int add_source(LspServer *s, Check *c, const char *path) {
    Doc *d = doc_by_path(s, path);
    if (d) return sources_add_text(&c->src, path, d->text, d->len);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) return -1;
    int idx = sources_add_text(&c->src, path, text, len);
    free(text);
    return idx;
}

static void publish(LspServer *s, const char *uri, json_object *diags) {
    json_object *m = json_object_new_object(), *p = json_object_new_object();
    json_object_object_add(m, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(m, "method", json_object_new_string("textDocument/publishDiagnostics"));
    json_object_object_add(p, "uri", json_object_new_string(uri));
    json_object_object_add(p, "diagnostics", diags);
    json_object_object_add(m, "params", p);
    send_json(s, m);
}

/* Checks a library again and publishes its diagnostics: for every file
 * that has some, for those that had some at the last check (now none), and
 * for the document that changed. */
static void library_check(LspServer *s, Library *lib, const Doc *changed) {
    check_free(&lib->ck);
    Check *c = &lib->ck;
    sources_init(&c->src, mem_default());
    diag_init(&c->diags, mem_default());
    symindex_init(&c->ix, mem_default());
    c->valid = 1;
    size_t nfiles = 0;
    char **files = NULL;
    if (lib->file_only) {
        files = malloc(sizeof *files);
        if (files) files[nfiles++] = strdup(lib->key);
    } else {
        files = list_rules(s, lib->key, &nfiles);
    }
    /* the other directories of the library (--library): their files first */
    for (size_t e = 0; e < s->nextra; e++) {
        if (strcmp(s->extra[e], lib->key) == 0) continue;
        size_t ne;
        char **more = list_rules(s, s->extra[e], &ne);
        char **all = realloc(more, (ne + nfiles + 1) * sizeof *all);
        if (!all) {
            for (size_t i = 0; i < ne; i++) free(more[i]);
            free(more);
            continue;
        }
        if (nfiles) memcpy(all + ne, files, nfiles * sizeof *all);
        free(files);
        files = all;
        nfiles += ne;
    }
    int *idx = malloc((nfiles + 1) * sizeof(int));
    size_t n = 0;
    if (idx && s->schema[0]) {
        int k = add_source(s, c, s->schema);
        if (k >= 0) idx[n++] = k;
    }
    for (size_t i = 0; i < nfiles; i++) {
        if (idx && files[i] && strcmp(files[i], s->schema) != 0) {
            int k = add_source(s, c, files[i]);
            if (k >= 0) idx[n++] = k;
        }
        free(files[i]);
    }
    free(files);
    Program *p =
        idx ? check_build_indexed(mem_default(), &c->src, idx, n, &c->diags, 0, &c->ix) : NULL;
    if (p) program_free(p);
    free(idx);

    /* diagnostics by file */
    size_t nsrc = c->src.n;
    json_object **per = calloc(nsrc + 1, sizeof *per);
    if (!per) return;
    int32_t changed_file = changed ? check_file_of(c, changed->path) : -1;
    for (size_t i = 0; i < c->diags.n; i++) {
        const Diag *d = &c->diags.items[i];
        int32_t f = d->file >= 0 && (size_t)d->file < nsrc ? d->file : changed_file;
        if (f < 0) continue;
        json_object *j = json_object_new_object();
        json_object_object_add(
            j, "range", check_range(c, f, d->file == f ? d->off : 0, d->file == f ? d->len : 0));
        json_object_object_add(j, "severity",
                               json_object_new_int(d->severity == DIAG_ERROR     ? 1
                                                   : d->severity == DIAG_WARNING ? 2
                                                                                 : 3));
        json_object_object_add(j, "source", json_object_new_string("arbiter"));
        json_object_object_add(j, "message", json_object_new_string(d->msg ? d->msg : ""));
        if (!per[f]) per[f] = json_object_new_array();
        json_object_array_add(per[f], j);
    }
    char **now = calloc(nsrc + 1, sizeof *now);
    size_t nnow = 0;
    for (size_t f = 0; f < nsrc; f++) {
        if (!per[f] && (int32_t)f != changed_file) continue;
        char *uri = source_uri(s, c, (int32_t)f);
        if (!uri) continue;
        int has = per[f] != NULL;
        publish(s, uri, per[f] ? per[f] : json_object_new_array());
        if (has && now)
            now[nnow++] = uri;
        else {
            /* published empty: drop it from the old list so it is not cleared twice */
            for (size_t k = 0; k < lib->npublished; k++)
                if (lib->published[k] && strcmp(lib->published[k], uri) == 0) {
                    free(lib->published[k]);
                    lib->published[k] = NULL;
                }
            free(uri);
        }
    }
    free(per);
    for (size_t k = 0; k < lib->npublished; k++) {
        char *old = lib->published[k];
        if (!old) continue;
        int still = 0;
        for (size_t j = 0; j < nnow && !still; j++) still = strcmp(now[j], old) == 0;
        if (!still) publish(s, old, json_object_new_array());
        free(old);
    }
    free(lib->published);
    lib->published = now;
    lib->npublished = nnow;
}

/* The library a document belongs to (created when new). */
static Library *library_of(LspServer *s, const Doc *d) {
    char key[PATH_MAX];
    if (s->file_only) {
        snprintf(key, sizeof key, "%s", d->path);
    } else {
        snprintf(key, sizeof key, "%s", d->path);
        char *slash = strrchr(key, '/');
        if (slash && slash != key) *slash = 0;
    }
    for (size_t i = 0; i < s->nlibs; i++)
        if (strcmp(s->libs[i].key, key) == 0) return &s->libs[i];
    if (s->nlibs == s->caplibs) {
        size_t cap = s->caplibs ? s->caplibs * 2 : 8;
        Library *nl = realloc(s->libs, cap * sizeof *nl);
        if (!nl) return NULL;
        s->libs = nl;
        s->caplibs = cap;
    }
    Library *lib = &s->libs[s->nlibs];
    memset(lib, 0, sizeof *lib);
    lib->key = strdup(key);
    if (!lib->key) return NULL;
    lib->file_only = s->file_only;
    s->nlibs++;
    return lib;
}

/* Keeps the variables the last check bound in a document (when it found
 * any), for completion while the document does not parse. */
static void doc_keep_vars(Doc *d, Check *c) {
    int32_t f = check_file_of(c, d->path);
    if (f < 0) return;
    size_t n = 0;
    for (size_t i = 0; i < c->ix.ndefs; i++)
        n += c->ix.defs[i].kind == SK_VAR && c->ix.defs[i].file == f;
    if (!n) return;
    free(d->vars);
    symindex_free(&d->vars_ix);
    symindex_init(&d->vars_ix, mem_default());
    d->vars = calloc(n, sizeof *d->vars);
    d->nvars = 0;
    if (!d->vars) return;
    for (size_t i = 0; i < c->ix.ndefs; i++) {
        const SymDef *v = &c->ix.defs[i];
        if (v->kind != SK_VAR || v->file != f) continue;
        SymDef k = *v;
        k.name = symindex_str(&d->vars_ix, v->name, strlen(v->name));
        k.type_rec =
            v->type_rec ? symindex_str(&d->vars_ix, v->type_rec, strlen(v->type_rec)) : NULL;
        k.key = k.detail = NULL;
        d->vars[d->nvars++] = k;
    }
}

static void recheck(LspServer *s, Doc *d) {
    Library *lib = library_of(s, d);
    if (!lib) return;
    library_check(s, lib, d);
    for (size_t i = 0; i < s->ndocs; i++)
        if (library_of(s, &s->docs[i]) == lib) doc_keep_vars(&s->docs[i], &lib->ck);
}

/* --------------------------------------------------------- text positions */

typedef struct At {
    Doc *doc;
    Library *lib;
    int32_t file; /* the document in lib->ck */
    uint32_t off;
} At;

/* Resolves params.textDocument.uri and params.position. */
static int at_position(LspServer *s, json_object *params, At *at) {
    const char *uri = jstr(jget(params, "textDocument"), "uri");
    json_object *pos = jget(params, "position");
    if (!uri || !pos) return -1;
    at->doc = doc_find(s, uri);
    if (!at->doc) return -1;
    at->lib = library_of(s, at->doc);
    if (!at->lib || !at->lib->ck.valid) return -1;
    at->file = check_file_of(&at->lib->ck, at->doc->path);
    if (at->file < 0) return -1;
    const LineMap *m = check_map(&at->lib->ck, at->file);
    if (!m) return -1;
    uint32_t line = (uint32_t)json_object_get_int64(jget(pos, "line"));
    uint32_t ch = (uint32_t)json_object_get_int64(jget(pos, "character"));
    if (line == 0 && ch > 0 && at->lib->ck.src.items[at->file].skipped) ch--; /* the BOM */
    at->off = linemap_offset(m, line, ch);
    return 0;
}

/* The line of a source holding byte off, without its end and indentation. */
static void source_line(const Check *c, int32_t file, uint32_t off, const char **p, size_t *n,
                        uint32_t *lineno) {
    const Source *src = &c->src.items[file];
    uint32_t a = off, b = off;
    while (a > 0 && src->text[a - 1] != '\n') a--;
    while (b < src->len && src->text[b] != '\n' && src->text[b] != '\r') b++;
    uint32_t l = 1;
    for (uint32_t i = 0; i < a; i++) l += src->text[i] == '\n';
    while (a < b && (src->text[a] == ' ' || src->text[a] == '\t')) a++;
    *p = src->text + a;
    *n = b - a;
    *lineno = l;
}

/* ---------------------------------------------------------------- requests */

static json_object *capabilities(void) {
    json_object *c = json_object_new_object(), *sync = json_object_new_object();
    json_object_object_add(sync, "openClose", json_object_new_boolean(1));
    json_object_object_add(sync, "change", json_object_new_int(1)); /* full text */
    json_object *save = json_object_new_object();
    json_object_object_add(save, "includeText", json_object_new_boolean(0));
    json_object_object_add(sync, "save", save);
    json_object_object_add(c, "textDocumentSync", sync);
    json_object_object_add(c, "hoverProvider", json_object_new_boolean(1));
    json_object_object_add(c, "definitionProvider", json_object_new_boolean(1));
    json_object_object_add(c, "referencesProvider", json_object_new_boolean(1));
    json_object_object_add(c, "documentSymbolProvider", json_object_new_boolean(1));
    json_object_object_add(c, "documentFormattingProvider", json_object_new_boolean(1));
    json_object *comp = json_object_new_object(), *trig = json_object_new_array();
    json_object_array_add(trig, json_object_new_string("."));
    json_object_object_add(comp, "triggerCharacters", trig);
    json_object_object_add(c, "completionProvider", comp);
    return c;
}

/* Adds a directory checked with every document. */
static void add_extra(LspServer *s, const char *dir) {
    char *c = canonical(dir);
    char **n = c ? realloc(s->extra, (s->nextra + 1) * sizeof *n) : NULL;
    if (!n) {
        free(c);
        return;
    }
    s->extra = n;
    s->extra[s->nextra++] = c;
}

static void on_initialize(LspServer *s, json_object *id, json_object *params) {
    const char *mode = jstr(jget(params, "initializationOptions"), "library");
    if (mode && strcmp(mode, "file") == 0) s->file_only = 1;
    if (mode && strcmp(mode, "directory") == 0) s->file_only = 0;
    json_object *dirs = jget(jget(params, "initializationOptions"), "libraryDirs");
    for (size_t i = 0;
         dirs && json_object_is_type(dirs, json_type_array) && i < json_object_array_length(dirs);
         i++) {
        json_object *d = json_object_array_get_idx(dirs, i);
        if (json_object_is_type(d, json_type_string)) add_extra(s, json_object_get_string(d));
    }
    json_object *r = json_object_new_object(), *info = json_object_new_object();
    json_object_object_add(r, "capabilities", capabilities());
    json_object_object_add(info, "name", json_object_new_string("arbiter"));
    json_object_object_add(info, "version", json_object_new_string(ARB_VERSION));
    json_object_object_add(r, "serverInfo", info);
    reply(s, id, r);
}

static void on_open(LspServer *s, json_object *params) {
    json_object *td = jget(params, "textDocument");
    const char *uri = jstr(td, "uri"), *text = jstr(td, "text");
    if (!uri || !text) return;
    Doc *d = doc_find(s, uri);
    if (!d) {
        char *path = uri_to_path(uri);
        if (!path) return;
        if (mem_grow(mem_default(), (void **)&s->docs, sizeof(Doc), &s->capdocs, s->ndocs + 1)) {
            free(path);
            return;
        }
        d = &s->docs[s->ndocs];
        memset(d, 0, sizeof *d);
        symindex_init(&d->vars_ix, mem_default());
        d->uri = strdup(uri);
        d->path = canonical(path);
        free(path);
        if (!d->uri || !d->path) {
            doc_free(d);
            return;
        }
        s->ndocs++;
    }
    free(d->text);
    d->len = (size_t)json_object_get_string_len(jget(td, "text"));
    d->text = xstrndup(text, d->len);
    recheck(s, d);
}

static void on_change(LspServer *s, json_object *params) {
    Doc *d = doc_find(s, doc_uri(params));
    json_object *ch = jget(params, "contentChanges");
    if (!d || !ch || !json_object_is_type(ch, json_type_array)) return;
    size_t n = json_object_array_length(ch);
    if (!n) return;
    json_object *last = json_object_array_get_idx(ch, n - 1), *t = jget(last, "text");
    if (!t) return;
    free(d->text);
    d->len = (size_t)json_object_get_string_len(t);
    d->text = xstrndup(json_object_get_string(t), d->len);
    recheck(s, d);
}

static void on_close(LspServer *s, json_object *params) {
    Doc *d = doc_find(s, doc_uri(params));
    if (!d) return;
    Library *lib = library_of(s, d);
    char *path = strdup(d->path);
    doc_free(d);
    *d = s->docs[--s->ndocs];
    /* the file as saved replaces the editor's text in its library */
    if (lib && path) {
        Doc tmp = {0};
        tmp.path = path;
        library_check(s, lib, &tmp);
    }
    free(path);
}

static void on_save(LspServer *s, json_object *params) {
    Doc *d = doc_find(s, doc_uri(params));
    if (d) recheck(s, d);
}

static void on_hover(LspServer *s, json_object *id, json_object *params) {
    At at;
    uint32_t off = 0, len = 0;
    int32_t k =
        at_position(s, params, &at) ? -1 : symindex_at(&at.lib->ck.ix, at.file, at.off, &off, &len);
    if (k < 0) {
        reply(s, id, NULL);
        return;
    }
    Check *c = &at.lib->ck;
    const SymDef *d = &c->ix.defs[k];
    char *buf = NULL;
    size_t bn = 0;
    FILE *f = open_memstream(&buf, &bn);
    if (!f) {
        reply(s, id, NULL);
        return;
    }
    fprintf(f, "```arbiter\n%s\n```", d->detail);
    if (d->file >= 0 && d->kind != SK_VAR) {
        const char *line;
        size_t ln;
        uint32_t lineno;
        source_line(c, d->file, d->off, &line, &ln, &lineno);
        const char *path = c->src.items[d->file].path, *base = strrchr(path, '/');
        fprintf(f, "\n\n%s:%u: `%.*s`", base ? base + 1 : path, lineno, (int)ln, line);
    }
    fclose(f);
    json_object *r = json_object_new_object(), *ct = json_object_new_object();
    json_object_object_add(ct, "kind", json_object_new_string("markdown"));
    json_object_object_add(ct, "value", json_object_new_string_len(buf, (int)bn));
    free(buf);
    json_object_object_add(r, "contents", ct);
    json_object_object_add(r, "range", check_range(c, at.file, off, len));
    reply(s, id, r);
}

/* Where `function NAME` is defined in a Lua source, or -1. */
static int64_t lua_function_at(const Source *src, const char *name) {
    size_t nl = strlen(name);
    for (const char *p = src->text; (p = strstr(p, "function")) != NULL; p += 8) {
        const char *q = p + 8;
        while (*q == ' ' || *q == '\t') q++;
        if (strncmp(q, name, nl) == 0 && (q[nl] == '(' || q[nl] == ' ') &&
            (p == src->text || p[-1] == '\n' || p[-1] == ' ' || p[-1] == '\t'))
            return q - src->text;
    }
    return -1;
}

static void on_definition(LspServer *s, json_object *id, json_object *params) {
    At at;
    uint32_t off = 0, len = 0;
    int32_t k =
        at_position(s, params, &at) ? -1 : symindex_at(&at.lib->ck.ix, at.file, at.off, &off, &len);
    if (k < 0 || at.lib->ck.ix.defs[k].file < 0) {
        reply(s, id, NULL);
        return;
    }
    Check *c = &at.lib->ck;
    const SymDef *d = &c->ix.defs[k];
    json_object *r = json_object_new_array();
    json_object_array_add(r, location(s, c, d->file, d->off, d->len));
    if (d->aux_file >= 0 && (size_t)d->aux_file < c->src.n) {
        if (d->kind == SK_TABLE) /* the table's CSV file: its header */
            json_object_array_add(r, location(s, c, d->aux_file, 0, 0));
        else if (d->kind == SK_LUAFN) {
            int64_t lo = lua_function_at(&c->src.items[d->aux_file], d->name);
            if (lo >= 0)
                json_object_array_add(
                    r, location(s, c, d->aux_file, (uint32_t)lo, (uint32_t)strlen(d->name)));
        }
    }
    reply(s, id, r);
}

static void on_references(LspServer *s, json_object *id, json_object *params) {
    At at;
    uint32_t off = 0, len = 0;
    int32_t k =
        at_position(s, params, &at) ? -1 : symindex_at(&at.lib->ck.ix, at.file, at.off, &off, &len);
    json_object *r = json_object_new_array();
    if (k >= 0) {
        Check *c = &at.lib->ck;
        const SymDef *d = &c->ix.defs[k];
        if (json_object_get_boolean(jget(jget(params, "context"), "includeDeclaration")) &&
            d->file >= 0)
            json_object_array_add(r, location(s, c, d->file, d->off, d->len));
        for (size_t i = 0; i < c->ix.nuses; i++)
            if (c->ix.uses[i].def == (uint32_t)k)
                json_object_array_add(
                    r, location(s, c, c->ix.uses[i].file, c->ix.uses[i].off, c->ix.uses[i].len));
    }
    reply(s, id, r);
}

static void add_item(json_object *items, const char *label, int kind, const char *detail) {
    json_object *it = json_object_new_object();
    json_object_object_add(it, "label", json_object_new_string(label));
    json_object_object_add(it, "kind", json_object_new_int(kind));
    if (detail && *detail) json_object_object_add(it, "detail", json_object_new_string(detail));
    json_object_array_add(items, it);
}

static int is_ident(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Completion items for the members of a record type: the fields of schema
 * `rec`, or the columns of table `rec`. */
static void complete_members(const SymIndex *ix, const char *rec, int is_table,
                             json_object *items) {
    char key[300];
    snprintf(key, sizeof key, "%s:%s", is_table ? "table" : "schema", rec);
    int32_t p = symindex_find(ix, key);
    if (p < 0) return;
    for (size_t i = 0; i < ix->ndefs; i++)
        if (ix->defs[i].parent == p &&
            (ix->defs[i].kind == SK_FIELD || ix->defs[i].kind == SK_COLUMN))
            add_item(items, ix->defs[i].name, 5, ix->defs[i].detail);
}

static void on_completion(LspServer *s, json_object *id, json_object *params) {
    At at;
    json_object *items = json_object_new_array();
    if (at_position(s, params, &at)) {
        reply(s, id, items);
        return;
    }
    /* the document's current text: the cursor may be past what the check saw */
    LineMap m;
    const Doc *doc = at.doc;
    if (linemap_init(&m, doc->text, doc->len)) {
        reply(s, id, items);
        return;
    }
    json_object *pos = jget(params, "position");
    uint32_t cur = linemap_offset(&m, (uint32_t)json_object_get_int64(jget(pos, "line")),
                                  (uint32_t)json_object_get_int64(jget(pos, "character")));
    linemap_free(&m);
    const SymIndex *ix = &at.lib->ck.ix;
    uint32_t a = cur;
    while (a > 0 && is_ident(doc->text[a - 1])) a--;
    if (a > 0 && doc->text[a - 1] == '.') {
        uint32_t e = a - 1, b = e;
        while (b > 0 && is_ident(doc->text[b - 1])) b--;
        char obj[128];
        snprintf(obj, sizeof obj, "%.*s", (int)(e - b), doc->text + b);
        if (strcmp(obj, "claim") == 0) {
            complete_members(ix, "claim", 0, items);
        } else if (strcmp(obj, "lua") == 0) {
            for (size_t i = 0; i < ix->ndefs; i++)
                if (ix->defs[i].kind == SK_LUAFN)
                    add_item(items, ix->defs[i].name, 3, ix->defs[i].detail);
        } else {
            /* the variable of that name bound last before the cursor: from
             * this check, else from the last check that bound any */
            const SymDef *best = NULL;
            for (size_t i = 0; i < ix->ndefs; i++) {
                const SymDef *v = &ix->defs[i];
                if (v->kind == SK_VAR && v->file == at.file && strcmp(v->name, obj) == 0 &&
                    v->off < b && (!best || v->off > best->off))
                    best = v;
            }
            for (size_t i = 0; i < doc->nvars && !best; i++) {
                const SymDef *v = &doc->vars[i];
                if (strcmp(v->name, obj) == 0 && v->off < b) best = v;
            }
            for (size_t i = 0; i < doc->nvars && !best; i++)
                if (strcmp(doc->vars[i].name, obj) == 0) best = &doc->vars[i];
            if (best && best->type_rec)
                complete_members(ix, best->type_rec, best->type_is_table, items);
        }
        reply(s, id, items);
        return;
    }
    for (size_t i = 0; i < sizeof KEYWORDS / sizeof *KEYWORDS; i++)
        add_item(items, KEYWORDS[i], 14, NULL);
    for (size_t i = 0; i < sizeof BUILTINS / sizeof *BUILTINS; i++)
        add_item(items, BUILTINS[i], 3, "built-in function");
    for (size_t i = 0; i < ix->ndefs; i++) {
        const SymDef *d = &ix->defs[i];
        int kind = d->kind == SK_TABLE      ? 7
                   : d->kind == SK_CATEGORY ? 9
                   : d->kind == SK_MEMBER   ? 20
                   : d->kind == SK_DEFINE   ? 3
                   : d->kind == SK_ENUM     ? 13
                                            : 0;
        if (kind) add_item(items, d->name, kind, d->detail);
    }
    reply(s, id, items);
}

static int symbol_kind(int k) {
    switch (k) {
    case SK_SCHEMA: return 23;
    case SK_FIELD: return 8;
    case SK_ENUM: return 10;
    case SK_MEMBER: return 22;
    case SK_CATEGORY: return 2;
    case SK_TABLE: return 5;
    case SK_COLUMN: return 7;
    case SK_RULE: return 24;
    case SK_REPORT: return 19; /* object */
    default: return 12;        /* define, Lua function */
    }
}

/* The end of a declaration whose name is at off: the '}' closing a '{' on
 * the name's line, else the line's end. */
static uint32_t decl_end(const Source *src, uint32_t off) {
    uint32_t i = off;
    while (i < src->len && src->text[i] != '\n' && src->text[i] != '{') i++;
    if (i >= src->len || src->text[i] != '{') {
        while (i > off && (src->text[i - 1] == '\r' || src->text[i - 1] == ' ')) i--;
        return i;
    }
    int depth = 0;
    for (; i < src->len; i++) {
        char ch = src->text[i];
        if (ch == '#') {
            while (i < src->len && src->text[i] != '\n') i++;
        } else if (ch == '"') {
            for (i++; i < src->len && src->text[i] != '"' && src->text[i] != '\n'; i++)
                if (src->text[i] == '\\') i++;
        } else if (ch == '{') {
            depth++;
        } else if (ch == '}' && --depth == 0) {
            return i + 1;
        }
    }
    return (uint32_t)src->len;
}

static json_object *doc_symbol(Check *c, const SymDef *d, uint32_t from, uint32_t to) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(d->name));
    json_object_object_add(o, "detail", json_object_new_string(d->detail));
    json_object_object_add(o, "kind", json_object_new_int(symbol_kind(d->kind)));
    json_object_object_add(o, "range", check_range(c, d->file, from, to - from));
    json_object_object_add(o, "selectionRange", check_range(c, d->file, d->off, d->len));
    return o;
}

static void on_symbols(LspServer *s, json_object *id, json_object *params) {
    json_object *r = json_object_new_array();
    const char *uri = jstr(jget(params, "textDocument"), "uri");
    Doc *doc = uri ? doc_find(s, uri) : NULL;
    Library *lib = doc ? library_of(s, doc) : NULL;
    int32_t file = lib && lib->ck.valid ? check_file_of(&lib->ck, doc->path) : -1;
    if (file < 0) {
        reply(s, id, r);
        return;
    }
    Check *c = &lib->ck;
    const SymIndex *ix = &c->ix;
    const Source *src = &c->src.items[file];
    for (size_t i = 0; i < ix->ndefs; i++) {
        const SymDef *d = &ix->defs[i];
        if (d->file != file || d->kind == SK_VAR) continue;
        if (d->parent >= 0 && ix->defs[d->parent].file == file) continue; /* a child */
        uint32_t from = d->off, to;
        if (d->kind == SK_RULE) {
            from = d->decl_off;
            to = d->decl_end;
            while (to > from && (src->text[to - 1] == ' ' || src->text[to - 1] == '\n' ||
                                 src->text[to - 1] == '\r' || src->text[to - 1] == '\t'))
                to--;
        } else {
            while (from > 0 && src->text[from - 1] != '\n') from--;
            to = decl_end(src, d->off);
        }
        json_object *o = doc_symbol(c, d, from, to);
        json_object *kids = NULL;
        for (size_t j = 0; j < ix->ndefs; j++) {
            const SymDef *k = &ix->defs[j];
            if (k->parent != (int32_t)i || k->file != file) continue;
            uint32_t kf = k->off;
            while (kf > 0 && src->text[kf - 1] != '\n' && src->text[kf - 1] != '{') kf--;
            while (src->text[kf] == ' ' || src->text[kf] == '\t') kf++;
            if (!kids) kids = json_object_new_array();
            json_object_array_add(kids, doc_symbol(c, k, kf, decl_end(src, k->off)));
        }
        if (kids) json_object_object_add(o, "children", kids);
        json_object_array_add(r, o);
    }
    reply(s, id, r);
}

/* Formatting: the document's text through arb_format (the same as `arbiter
 * fmt`), answered as one edit replacing the whole text, or no edit when the
 * text is already formatted.  A text that does not parse is left alone: the
 * answer is an error (its diagnostics are published already). */
static void on_formatting(LspServer *s, json_object *id, json_object *params) {
    Doc *doc = doc_find(s, doc_uri(params));
    if (!doc) {
        reply_error(s, id, -32602, "the document is not open");
        return;
    }
    char *out = NULL;
    size_t out_len = 0;
    int rc = arb_format(doc->path, doc->text ? doc->text : "", doc->len, &out, &out_len);
    if (rc != ARB_OK) {
        free(out);
        reply_error(s, id, -32803,
                    rc == ARB_ERR_RULES ? "the document does not parse: it is not formatted"
                                        : "out of memory");
        return;
    }
    json_object *edits = json_object_new_array();
    if (out_len != doc->len || memcmp(out, doc->text, out_len) != 0) {
        LineMap m;
        if (linemap_init(&m, doc->text ? doc->text : "", doc->len) != 0) {
            free(out);
            json_object_put(edits);
            reply_error(s, id, -32803, "out of memory");
            return;
        }
        uint32_t line, ch;
        linemap_position(&m, (uint32_t)doc->len, &line, &ch);
        linemap_free(&m);
        json_object *range = json_object_new_object(), *edit = json_object_new_object();
        json_object_object_add(range, "start", jpos(0, 0));
        json_object_object_add(range, "end", jpos(line, ch));
        json_object_object_add(edit, "range", range);
        json_object_object_add(edit, "newText", json_object_new_string_len(out, (int)out_len));
        json_object_array_add(edits, edit);
    }
    free(out);
    reply(s, id, edits);
}

/* ----------------------------------------------------------------- server */

LspServer *lsp_server_new(const LspOptions *o, lsp_send_fn send, void *ud) {
    LspServer *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->send = send;
    s->ud = ud;
    s->file_only = o ? o->file_only : 0;
    for (size_t i = 0; o && i < o->nlibrary_dirs; i++) add_extra(s, o->library_dirs[i]);
    if (o && o->stdlib_dir)
        snprintf(s->stdlib, sizeof s->stdlib, "%s", o->stdlib_dir);
    else
        arb_default_stdlib_dir(s->stdlib, sizeof s->stdlib);
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/schema.rules", s->stdlib);
    if (!realpath(path, s->schema)) s->schema[0] = 0;
    return s;
}

void lsp_server_free(LspServer *s) {
    if (!s) return;
    for (size_t i = 0; i < s->ndocs; i++) doc_free(&s->docs[i]);
    free(s->docs);
    for (size_t i = 0; i < s->nlibs; i++) {
        check_free(&s->libs[i].ck);
        for (size_t k = 0; k < s->libs[i].npublished; k++) free(s->libs[i].published[k]);
        free(s->libs[i].published);
        free(s->libs[i].key);
    }
    free(s->libs);
    for (size_t i = 0; i < s->nextra; i++) free(s->extra[i]);
    free(s->extra);
    free(s);
}

int lsp_server_exit_code(const LspServer *s) {
    return s->shutdown ? 0 : 1;
}

int lsp_server_handle(LspServer *s, const char *json, size_t len) {
    json_tokener *tok = json_tokener_new();
    if (!tok) return 0;
    json_object *msg = json_tokener_parse_ex(tok, json, (int)len);
    int bad = json_tokener_get_error(tok) != json_tokener_success;
    json_tokener_free(tok);
    if (bad || !msg || !json_object_is_type(msg, json_type_object)) {
        if (msg) json_object_put(msg);
        reply_error(s, NULL, -32700, "parse error");
        return 0;
    }
    const char *method = jstr(msg, "method");
    json_object *id = jget(msg, "id"), *params = jget(msg, "params");
    if (!method) { /* a response to us: we send no requests */
        json_object_put(msg);
        return 0;
    }
    if (strcmp(method, "exit") == 0) {
        s->exited = 1;
    } else if (strcmp(method, "initialize") == 0) {
        on_initialize(s, id, params);
    } else if (strcmp(method, "shutdown") == 0) {
        s->shutdown = 1;
        reply(s, id, NULL);
    } else if (s->shutdown && id) {
        reply_error(s, id, -32600, "the server is shutting down");
    } else if (strcmp(method, "textDocument/didOpen") == 0) {
        on_open(s, params);
    } else if (strcmp(method, "textDocument/didChange") == 0) {
        on_change(s, params);
    } else if (strcmp(method, "textDocument/didSave") == 0) {
        on_save(s, params);
    } else if (strcmp(method, "textDocument/didClose") == 0) {
        on_close(s, params);
    } else if (strcmp(method, "textDocument/hover") == 0) {
        on_hover(s, id, params);
    } else if (strcmp(method, "textDocument/definition") == 0) {
        on_definition(s, id, params);
    } else if (strcmp(method, "textDocument/references") == 0) {
        on_references(s, id, params);
    } else if (strcmp(method, "textDocument/completion") == 0) {
        on_completion(s, id, params);
    } else if (strcmp(method, "textDocument/documentSymbol") == 0) {
        on_symbols(s, id, params);
    } else if (strcmp(method, "textDocument/formatting") == 0) {
        on_formatting(s, id, params);
    } else if (id) {
        reply_error(s, id, -32601, "method not supported");
    } /* other notifications (initialized, $/cancelRequest...) need nothing */
    json_object_put(msg);
    return s->exited;
}
