/* jsonline.h — one JSON Lines record read for the report: a validating,
 * allocation-free (after warm-up) scan of one line holding a JSON object,
 * which keeps its top-level members and, for a top-level array, its
 * elements' members (a claim's lines), with their strings decoded.
 *
 * It stands in for a general JSON tree where only a few flat fields are
 * read, at a fraction of the cost: one pass over the line, no per-value
 * allocation, the buffers of a JlineDoc reused from line to line.  Values
 * are typed as json-c would type them (string, int, double, boolean, null,
 * object, array), so that a reader written for json-c keeps its meaning.
 *
 *     JlineDoc d;
 *     jline_init(&d);
 *     if (jline_parse(&d, line, n) == 0) {
 *         const JlineVal *v = jline_get(&d, JLINE_TOP, "claim_id");
 *         if (v && v->type == JLINE_STRING) puts(v->s);
 *     }
 *     jline_free(&d);
 */
#ifndef ARB_JSONLINE_H
#define ARB_JSONLINE_H

#include <stddef.h>
#include <stdint.h>

typedef enum JlineType {
    JLINE_NULL,
    JLINE_BOOLEAN,
    JLINE_INT, /* a number without a fraction or exponent that fits int64 */
    JLINE_DOUBLE,
    JLINE_STRING,
    JLINE_OBJECT,
    JLINE_ARRAY
} JlineType;

/* One member's value.  Strings: s is the decoded text, NUL-terminated (a
 * \u0000 escape ends it early, as in json-c), n its decoded length.
 * Numbers: i (JLINE_INT; also set for booleans, 0/1) or d (JLINE_DOUBLE).
 * Arrays at the top level: elements [first, first + count) of the
 * document's objects (each element is one, empty when it is not an
 * object); deeper arrays and objects have count 0. */
typedef struct JlineVal {
    JlineType type;
    const char *s;
    size_t n;
    int64_t i;
    double d;
    uint32_t first, count;
} JlineVal;

typedef struct JlineField {
    const char *key; /* decoded, NUL-terminated */
    size_t klen;
    uint32_t obj; /* the object it belongs to */
    JlineVal v;
} JlineField;

/* An object's members: fields [first, first + count) of the document. */
typedef struct JlineObj {
    uint32_t first, count;
} JlineObj;

/* A parsed line.  Its memory is reused by the next jline_parse; pointers
 * into it are valid until then. */
typedef struct JlineDoc {
    JlineField *f;
    size_t nf, capf;
    JlineObj *o;
    size_t no, capo;
    char *buf; /* the decoded strings */
    size_t nbuf, capbuf;
    size_t err_off; /* where the last jline_parse failed */
} JlineDoc;

/* The index of the line's own object in a JlineDoc. */
#define JLINE_TOP 0u

void jline_init(JlineDoc *d);
void jline_free(JlineDoc *d);

/* Parses s[0..n): one JSON object, whitespace around it allowed, nothing
 * else.  Returns 0, -1 when it is not valid JSON or not an object (d->err_off
 * says where), -2 when memory runs out. */
int jline_parse(JlineDoc *d, const char *s, size_t n);

/* The value of member key of object obj (JLINE_TOP or an array element's
 * index), NULL when absent.  When a key repeats, the last one counts. */
const JlineVal *jline_get(const JlineDoc *d, uint32_t obj, const char *key);

#endif
