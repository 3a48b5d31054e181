/* test_claim_ids.c — the claim ids of a batch: the hash set (new, seen
 * before with the first line, growth; bounded, spilling to sorted runs, with
 * the same answers) and finding a top-level key's value
 * in a JSON record's text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "claim_ids.h"

static void test_idset(void **state) {
    (void)state;
    IdSet s;
    idset_init(&s, mem_default());
    uint64_t first = 0;
    char id[32];
    for (int i = 0; i < 5000; i++) { /* grows past its first size several times */
        snprintf(id, sizeof id, "C%08d", i);
        assert_int_equal(idset_add(&s, id, strlen(id), (uint64_t)i + 1, &first), 0);
    }
    assert_int_equal(s.n, 5000);
    assert_int_equal(idset_add(&s, "C00000007", 9, 9000, &first), 1);
    assert_int_equal(first, 8);
    assert_int_equal(idset_add(&s, "C00004999", 9, 9001, &first), 1);
    assert_int_equal(first, 5000);
    /* a prefix, or the same bytes one longer, is another id */
    assert_int_equal(idset_add(&s, "C0000000", 8, 9002, &first), 0);
    assert_int_equal(idset_add(&s, "C000000070", 10, 9003, &first), 0);
    assert_int_equal(idset_add(&s, "", 0, 9004, &first), 0);
    assert_int_equal(idset_add(&s, "", 0, 9005, &first), 1);
    assert_int_equal(first, 9004);
    idset_free(&s);
}

/* idset_has answers as idset_add would, without adding: in the table and,
 * once spilled, in the runs (history add's reversal targets). */
static void test_idset_has(void **state) {
    (void)state;
    IdSet s;
    uint64_t first = 0;
    for (int bound = 0; bound < 2; bound++) {
        idset_init(&s, mem_default());
        if (bound) assert_int_equal(idset_spill(&s, 8, NULL), 0);
        assert_int_equal(idset_has(&s, "T1", 2, &first), 0); /* empty */
        char id[32];
        for (int i = 0; i < 200; i++) {
            int n = snprintf(id, sizeof id, "T%d", i * 2);
            assert_int_equal(idset_add(&s, id, (size_t)n, (uint64_t)i + 10, &first), 0);
        }
        if (bound) assert_true(s.nruns >= 1);
        for (int i = 0; i < 400; i++) {
            int n = snprintf(id, sizeof id, "T%d", i);
            first = 0;
            int r = idset_has(&s, id, (size_t)n, &first);
            assert_int_equal(r, i % 2 == 0);
            if (r) assert_int_equal(first, (uint64_t)i / 2 + 10);
        }
        /* asking did not add */
        assert_int_equal(idset_add(&s, "T1", 2, 999, &first), 0);
        assert_int_equal(idset_has(&s, "T1", 2, &first), 1);
        assert_int_equal(first, 999);
        idset_free(&s);
    }
}

/* A bounded set (768 ids in memory) spilling into runs in the temporary
 * directory answers every add as the unbounded one does: new, or seen
 * before on the same first line; repeats spread over the whole batch. */
static void test_idset_spill(void **state) {
    (void)state;
    IdSet a, b;
    idset_init(&a, mem_default());
    idset_init(&b, mem_default());
    assert_int_equal(idset_spill(&b, 700, NULL), 0);
    uint64_t x = 12345, dups = 0;
    size_t most = 0;
    for (uint64_t line = 1; line <= 60000; line++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        /* a third repeat an id of an earlier line, near or far */
        uint64_t k = (x >> 33) % 3 == 0 ? (x >> 20) % line : line;
        char id[32];
        int n = snprintf(id, sizeof id, "C%08llu", (unsigned long long)k);
        uint64_t fa = 0, fb = 0;
        int ra = idset_add(&a, id, (size_t)n, line, &fa);
        int rb = idset_add(&b, id, (size_t)n, line, &fb);
        assert_int_equal(ra, rb);
        assert_int_equal(fa, fb);
        dups += ra == 1;
        if (b.nruns > most) most = b.nruns;
        assert_true(b.cap <= 1024);
    }
    assert_true(dups > 10000);
    /* runs were written and merged: about log2(ids / 768) of them */
    assert_true(most >= 2);
    assert_true(b.nruns <= 8);
    idset_free(&a);
    idset_free(&b);
    /* a directory that cannot be written falls back to the temporary one */
    idset_init(&b, mem_default());
    assert_int_equal(idset_spill(&b, 10, "/nonexistent/dir"), 0);
    uint64_t f;
    for (int i = 0; i < 3000; i++) {
        char id[32];
        int n = snprintf(id, sizeof id, "X%d", i);
        assert_int_equal(idset_add(&b, id, (size_t)n, (uint64_t)i + 1, &f), 0);
    }
    assert_int_equal(idset_add(&b, "X7", 2, 5000, &f), 1);
    assert_int_equal(f, 8);
    assert_true(b.nruns >= 1);
    idset_free(&b);
}

static int value(const char *json, const char *key, char *out) {
    size_t n = 0;
    int rc = json_top_value(json, strlen(json), key, out, 63, &n);
    out[rc == 1 ? n : 0] = 0;
    return rc;
}

static void test_json_top_value(void **state) {
    (void)state;
    char v[64];
    assert_int_equal(value("{\"claim_id\":\"C1\",\"x\":1}", "claim_id", v), 1);
    assert_string_equal(v, "C1");
    /* a key of a nested object or array is not the claim's */
    assert_int_equal(value("{\"lines\":[{\"claim_id\":\"L\"}],\"o\":{\"claim_id\":\"O\"},"
                           " \"claim_id\" : \"C2\" }",
                           "claim_id", v),
                     1);
    assert_string_equal(v, "C2");
    assert_int_equal(value("{\"a\":\"}\\\"{\",\"claim_id\":\"C3\"}", "claim_id", v), 1);
    assert_string_equal(v, "C3");
    /* escapes are resolved: these are one id */
    assert_int_equal(value("{\"claim_id\":\"A\\u0042\\n\\u4e2d\"}", "claim_id", v), 1);
    assert_string_equal(v, "AB\n中");
    assert_int_equal(value("{\"claim_id\":\"\\ud83d\\ude00\"}", "claim_id", v), 1);
    assert_string_equal(v, "\xf0\x9f\x98\x80");
    assert_int_equal(value("{\"claim_id\":12345,\"b\":2}", "claim_id", v), 1);
    assert_string_equal(v, "12345");
    assert_int_equal(value("{\"claim_id\":null}", "claim_id", v), 2);
    assert_int_equal(value("{\"person_id\":\"P\"}", "claim_id", v), 0);
    assert_int_equal(value("{}", "claim_id", v), 0);
    assert_int_equal(value("[1]", "claim_id", v), -1);
    assert_int_equal(value("{\"claim_id\" \"C\"}", "claim_id", v), -1);
    assert_int_equal(value("{\"a\":\"unterminated", "claim_id", v), -1);
    assert_int_equal(value("{\"a\":[1,2}", "claim_id", v), -1);
}

/* One pass for three keys finds what three separate passes find: the first
 * member of each name, null apart, nothing past a fault. */
static void test_json_top_values(void **state) {
    (void)state;
    static const char *const docs[] = {
        "{\"claim_id\":\"C1\",\"status\":\"reversed\",\"reversal_of\":\"C0\"}",
        "{\"status\":\"normal\",\"lines\":[{\"status\":\"x\"}],\"claim_id\":\"C2\"}",
        "{\"claim_id\":\"C3\",\"claim_id\":\"C4\",\"reversal_of\":null}",
        "{\"claim_id\":\"C5\",\"a\":[1,2},\"status\":\"reversed\"}",
        "{\"a\":\"unterminated, \"claim_id\":\"C6\"}",
        "{\"reversal_of\":\"R\\u0041\",\"claim_id\":7}",
        "{}",
        "[1]",
        "{\"claim_id\":\"C8\"",
    };
    static const char *const keys[] = {"claim_id", "reversal_of", "status"};
    for (size_t d = 0; d < sizeof docs / sizeof *docs; d++) {
        char out[3][64];
        JsonTopWant w[3];
        for (int k = 0; k < 3; k++) w[k] = (JsonTopWant){.key = keys[k], .out = out[k], .cap = 63};
        int rc = json_top_values(docs[d], strlen(docs[d]), w, 3);
        for (int k = 0; k < 3; k++) {
            char v[64];
            int one = value(docs[d], keys[k], v);
            if (one == 1 || one == 2) {
                assert_int_equal(w[k].found, one);
                if (one == 1) {
                    out[k][w[k].len] = 0;
                    assert_string_equal(out[k], v);
                }
            } else {
                assert_int_equal(w[k].found, 0);
                /* not found and not there: the whole object was read */
                if (one == 0) assert_int_equal(rc, 0);
            }
        }
    }
    /* C4's object: the first claim_id is taken, the pass stops when all are seen */
    char a[64], b[64];
    JsonTopWant w[2] = {{.key = "claim_id", .out = a, .cap = 63},
                        {.key = "x", .out = b, .cap = 63}};
    const char *doc = "{\"x\":1,\"claim_id\":\"A\",\"claim_id\":\"B\",\"y\":[}";
    assert_int_equal(json_top_values(doc, strlen(doc), w, 2), 0);
    assert_int_equal(w[0].found, 1);
    assert_int_equal(w[0].len, 1);
    assert_int_equal(a[0], 'A');
}

/* The top-level scan as it was written first, byte by byte: the reference
 * the block-wise pass over objects and arrays must agree with. */
static size_t ref_skip_string(const char *p, size_t n, size_t i) {
    for (i++; i < n; i++) {
        if (p[i] == '\\')
            i++;
        else if (p[i] == '"')
            return i + 1;
    }
    return n + 1;
}

static size_t ref_skip_container(const char *p, size_t n, size_t i) {
    int depth = 0;
    while (i < n) {
        char c = p[i];
        if (c == '"') {
            i = ref_skip_string(p, n, i);
            continue;
        }
        if (c == '{' || c == '[') depth++;
        if ((c == '}' || c == ']') && --depth == 0) return i + 1;
        i++;
    }
    return n + 1;
}

/* {"a":X,"claim_id":"C"} for containers X of brackets, quotes, backslashes
 * and letters at every offset of 16-byte blocks: claim_id is found where
 * the byte-by-byte scan says X ends, and only then. */
static void test_json_top_value_long(void **state) {
    (void)state;
    static const char alphabet[] = "{}[]\"\\\\ax,:";
    uint32_t seed = 12345;
    char doc[400], v[64];
    for (int t = 0; t < 20000; t++) {
        size_t k = 0, len = 1 + (size_t)(t % 150);
        k += (size_t)snprintf(doc, sizeof doc, "{\"a\":");
        size_t x = k;
        doc[k++] = t & 1 ? '[' : '{';
        for (size_t j = 0; j < len; j++) {
            seed = seed * 1103515245u + 12345u;
            doc[k++] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        /* closed often enough that most documents end where expected */
        for (int j = 0; j < 3; j++) doc[k++] = "\"}]"[j];
        k += (size_t)snprintf(doc + k, sizeof doc - k, ",\"claim_id\":\"C\"}");
        size_t end = ref_skip_container(doc, k, x);
        int want = end <= k && strncmp(doc + end, ",\"claim_id\":\"C\"}", 16) == 0 && end + 16 == k;
        int got = value(doc, "claim_id", v);
        if (want) {
            assert_int_equal(got, 1);
            assert_string_equal(v, "C");
        } else {
            assert_int_not_equal(got, 1);
        }
    }
    /* the pad before a string with brackets and an escaped quote, at every
     * offset of a block */
    for (int pad = 0; pad < 40; pad++) {
        int k = snprintf(doc, sizeof doc,
                         "{\"a\":{\"p\":\"%.*s\",\"s\":\"}]\\\"{[\",\"n\":[1,{\"b\":\"]\"}]},"
                         "\"claim_id\":\"C%d\"}",
                         pad, "........................................", pad);
        char want[8];
        snprintf(want, sizeof want, "C%d", pad);
        assert_int_equal(json_top_value(doc, (size_t)k, "claim_id", v, 63, &(size_t){0}), 1);
        assert_int_equal(value(doc, "claim_id", v), 1);
        assert_string_equal(v, want);
        strstr(doc, "]},")[1] = ' '; /* unbalanced: "a" takes in the rest */
        assert_int_equal(value(doc, "claim_id", v), -1);
    }
}

/* json_top_values looks for each key in the text first and stops once the
 * keys that are there are found: the same values as separate passes, with
 * a key at every offset of the 16-byte blocks of that search (near the end
 * of the text too), at the top level or nested, or written with an escape
 * (which no member's raw key matches).  The pass stops once the keys in
 * the text are found, so a text cut short past them is not read. */
static void test_json_top_values_search(void **state) {
    (void)state;
    static const char *const keys[] = {"claim_id", "reversal_of", "status"};
    static const char *const forms[] = {
        "{\"a\":\"%.*s\",\"claim_id\":\"C\",\"lines\":[{\"x\":\"%.*s\"}],\"status\":\"S%d\"}",
        "{\"claim_id\":\"C\",\"lines\":[{\"status\":\"%.*s\"}],\"z\":\"%.*s\",\"reversal_of\":%d}",
        "{\"claim_id\":\"C\",\"lines\":[{\"status\":\"%.*s\"}],\"z\":\"%.*s\",\"statu\\u0073\":%d}",
        "{\"claim_id\":\"C\",\"z\":\"%.*s\",\"y\":\"%.*s\",\"b\":[\"status\",\"reversal_of\",%d]}",
        "{\"claim_id\":\"C\",\"z\":\"%.*s\",\"y\":\"%.*s\",\"status\":%d",
        "{\"z\":\"%.*s\",\"y\":\"%.*s\",\"reversal_of\":null,\"claim_id\":\"C%d\"}",
    };
    static const char dots[] = "................................................";
    char doc[400];
    for (size_t f = 0; f < sizeof forms / sizeof *forms; f++)
        for (int a = 0; a < 40; a++)
            for (int b = 0; b < 40; b += 3) {
                int n = snprintf(doc, sizeof doc, forms[f], a, dots, b, dots, a + b);
                char out[3][64];
                JsonTopWant w[3];
                for (int k = 0; k < 3; k++)
                    w[k] = (JsonTopWant){.key = keys[k], .out = out[k], .cap = 63};
                int rc = json_top_values(doc, (size_t)n, w, 3);
                for (int k = 0; k < 3; k++) {
                    char v[64];
                    int one = value(doc, keys[k], v);
                    if (one == 1 || one == 2) {
                        assert_int_equal(w[k].found, one);
                        if (one == 1) {
                            out[k][w[k].len] = 0;
                            assert_string_equal(out[k], v);
                        }
                    } else {
                        assert_int_equal(w[k].found, 0);
                    }
                }
                /* form 4 ends short, after the keys there are: not read so far */
                assert_int_equal(rc, 0);
            }
}

/* The search for keys' ends over long texts: a member (or a decoy: the key
 * nested, or its last byte and quote alone) at every offset of the 64- and
 * 32-byte steps and of the byte-by-byte tail, with 1 to 6 keys sought (up
 * to 4 last bytes are looked for at once; 6 keys have 6, so the search goes
 * byte by byte): the same answers as a pass per key, which reads the
 * members without the search. */
static void test_json_top_values_ends(void **state) {
    (void)state;
    static const char *const keys[] = {"claim_id", "reversal_of", "status", "ab", "xyz", "q"};
    static const char *const tails[] = {
        ",\"%s\":\"V\"}",         /* a member */
        ",\"n\":{\"%s\":\"V\"}}", /* nested: no member */
        ",\"n\":\"x%s\"}",        /* the key's last bytes ending a value */
        ",\"%s\":null}",          /* null */
    };
    char doc[512], pad[300];
    memset(pad, '.', sizeof pad);
    for (size_t nk = 1; nk <= 6; nk++)
        for (size_t t = 0; t < sizeof tails / sizeof *tails; t++)
            for (size_t k = 0; k < nk; k++)
                for (int a = 0; a < 200; a++) {
                    int n = snprintf(doc, sizeof doc, "{\"p\":\"%.*s\"", a, pad);
                    n += snprintf(doc + n, sizeof doc - (size_t)n, tails[t], keys[k]);
                    char out[6][64];
                    JsonTopWant w[6];
                    for (size_t j = 0; j < nk; j++)
                        w[j] = (JsonTopWant){.key = keys[j], .out = out[j], .cap = 63};
                    assert_int_equal(json_top_values(doc, (size_t)n, w, nk), 0);
                    for (size_t j = 0; j < nk; j++) {
                        char v[64];
                        int one = value(doc, keys[j], v);
                        assert_int_equal(w[j].found, one);
                        assert_int_equal(one, j == k && (t == 0 || t == 3) ? (t == 0 ? 1 : 2) : 0);
                        if (one == 1) {
                            out[j][w[j].len] = 0;
                            assert_string_equal(out[j], v);
                        }
                    }
                }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idset),
        cmocka_unit_test(test_idset_spill),
        cmocka_unit_test(test_idset_has),
        cmocka_unit_test(test_json_top_value),
        cmocka_unit_test(test_json_top_values),
        cmocka_unit_test(test_json_top_value_long),
        cmocka_unit_test(test_json_top_values_search),
        cmocka_unit_test(test_json_top_values_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
