/* test_table.c — the CSV tokenizer and table key indexes (exact and prefix
 * keys), the pieces tables are loaded with, and the verifier's check of an
 * index against its rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "table.h"
#include "verify.h"

static void test_csv_quoting_and_lines(void **state) {
    (void)state;
    const char *text = "\xEF\xBB\xBF"
                       "a,b,c\r\n"
                       "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
                       "\n"
                       "2,\"two\nlines\",\n"
                       "3,last,end";
    CsvReader r;
    csv_init(&r, text, strlen(text), mem_default());
    uint64_t line;
    const char *err;
    assert_int_equal(csv_next(&r, &line, &err), 1);
    assert_int_equal(line, 1);
    assert_int_equal(r.nfields, 3);
    assert_memory_equal(r.fields[0].ptr, "a", 1);
    assert_int_equal(r.fields[2].len, 1); /* the \r is not part of the cell */
    assert_int_equal(csv_next(&r, &line, &err), 1);
    assert_int_equal(line, 2);
    assert_int_equal(r.fields[1].len, 4);
    assert_memory_equal(r.fields[1].ptr, "x, y", 4);
    assert_int_equal(r.fields[2].len, 8);
    assert_memory_equal(r.fields[2].ptr, "say \"hi\"", 8);
    assert_int_equal(csv_next(&r, &line, &err), 1); /* the blank line is skipped */
    assert_int_equal(line, 4);
    assert_int_equal(r.nfields, 3);
    assert_memory_equal(r.fields[1].ptr, "two\nlines", 9);
    assert_int_equal(r.fields[2].len, 0);
    assert_int_equal(csv_next(&r, &line, &err), 1); /* no final newline */
    assert_int_equal(line, 6);
    assert_memory_equal(r.fields[2].ptr, "end", 3);
    assert_int_equal(csv_next(&r, &line, &err), 0);
    csv_free(&r);
}

static void test_csv_errors_recover(void **state) {
    (void)state;
    const char *text = "a,\"b\"x,c\nok,1,2\n\"open,3\n";
    CsvReader r;
    csv_init(&r, text, strlen(text), mem_default());
    uint64_t line;
    const char *err = NULL;
    assert_int_equal(csv_next(&r, &line, &err), -1);
    assert_int_equal(line, 1);
    assert_string_equal(err, "text after a closing quote");
    assert_int_equal(csv_next(&r, &line, &err), 1);
    assert_int_equal(line, 2);
    assert_memory_equal(r.fields[0].ptr, "ok", 2);
    assert_int_equal(csv_next(&r, &line, &err), -1);
    assert_string_equal(err, "unterminated quoted field");
    assert_int_equal(csv_next(&r, &line, &err), 0);
    csv_free(&r);
}

/* csv_skim gives what csv_next gives (the count of fields, one field, the
 * line, the errors, where the next record starts) on texts of commas,
 * quotes, \r, \n and letters, long enough for the word-wise scan. */
static void test_csv_skim_agrees(void **state) {
    (void)state;
    static const char alphabet[] = "ab,,,\"\r\n\n x";
    uint32_t seed = 7;
    char text[300];
    for (int t = 0; t < 5000; t++) {
        size_t n = (size_t)(t % 280);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            /* quotes and line ends rarer than letters */
            unsigned r = (seed >> 16) % 64;
            text[i] = r < (sizeof alphabet - 1) ? alphabet[r] : (char)('c' + r % 20);
        }
        for (size_t col = 0; col < 3; col++) {
            CsvReader a, b;
            csv_init(&a, text, n, mem_default());
            csv_init(&b, text, n, mem_default());
            for (;;) {
                uint64_t la = 0, lb = 0;
                const char *ea = NULL, *eb = NULL;
                CsvField cell;
                size_t nf = 0;
                int ga = csv_next(&a, &la, &ea), gb = csv_skim(&b, col, &lb, &eb, &cell, &nf);
                assert_int_equal(ga, gb);
                if (ga == 0) break;
                assert_int_equal(la, lb);
                assert_true(a.pos == b.pos);
                assert_int_equal(a.line, b.line);
                if (ga < 0) {
                    assert_string_equal(ea, eb);
                    continue;
                }
                assert_int_equal(a.nfields, nf);
                size_t want = col < a.nfields ? a.fields[col].len : 0;
                assert_int_equal(cell.len, want);
                if (want) assert_memory_equal(cell.ptr, a.fields[col].ptr, want);
            }
            csv_free(&a);
            csv_free(&b);
        }
    }
}

/* A table of one code column whose rows hold keys[0..n). */
static void code_table(Table *t, Field *f, Arena *ar, const char *const *keys, uint32_t n) {
    memset(f, 0, sizeof *f);
    f->name = "code";
    f->name_len = 4;
    f->type.kind = TY_CODE;
    memset(t, 0, sizeof *t);
    t->name = "t";
    t->rt.nfields = 1;
    t->rt.fields = f;
    t->key_col = 0;
    t->nrows = n;
    t->rows = arena_alloc(ar, n * sizeof(Value));
    for (uint32_t i = 0; i < n; i++) t->rows[i].s = str_new(ar, keys[i], strlen(keys[i]));
}

/* verify_program over a program holding table t alone. */
static int verify_table(Table *t, char *err, size_t cap) {
    Program p;
    memset(&p, 0, sizeof p);
    Table *tables[] = {t};
    p.tables = tables;
    p.ntables = 1;
    return verify_program(&p, err, cap);
}

/* A one-column table of codes with exact and prefix keys. */
static void test_index_exact_and_prefix(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar, mem_default(), 1024);
    const char *keys[] = {"XL02BBA326A001", "XL02BB%", "XL02%", "ABC", "XL02BB%", "E11%"};
    Field f;
    Table t;
    code_table(&t, &f, &ar, keys, 6);
    assert_int_equal(table_build_index(&t, &ar), 0);
    assert_int_equal(t.nkeys, 5);
    assert_int_equal(t.nprefix_lens, 3); /* 3 (E11), 4 (XL02), 6 (XL02BB) */
    assert_int_equal(t.prefix_lens[0], 3);
    assert_int_equal(t.prefix_lens[2], 6);
    uint32_t n;
    const uint32_t *rows = table_find(&t, "XL02BBA326A001", 14, 0, &n);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0], 0);
    rows = table_find(&t, "XL02BB", 6, 1, &n);
    assert_int_equal(n, 2); /* two rows share the prefix key, in file order */
    assert_int_equal(rows[0], 1);
    assert_int_equal(rows[1], 4);
    assert_null(table_find(&t, "XL02BB", 6, 0, &n)); /* not an exact key */
    assert_int_equal(n, 0);
    assert_null(table_find(&t, "XL0", 3, 1, &n));
    arena_free(&ar);
}

/* The verifier's check of a key index against its rows (what a pack's
 * stored index gets): the built index passes; a row listed under a key
 * that is not its own, and a key stored twice (each in a slot its probe
 * reaches, with its right hash), are refused. */
static void test_index_verified(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar, mem_default(), 1024);
    const char *keys[] = {"XL02BBA326A001", "XL02BB%", "XL02%", "ABC", "XL02BB%", "E11%"};
    Field f;
    Table t;
    code_table(&t, &f, &ar, keys, 6);
    assert_int_equal(table_build_index(&t, &ar), 0);
    char err[256];
    assert_int_equal(verify_table(&t, err, sizeof err), 0);
    /* row 4 (under XL02BB%) made to read ABC */
    const ArbStr *saved = t.rows[4].s;
    t.rows[4].s = t.rows[3].s;
    assert_int_equal(verify_table(&t, err, sizeof err), -1);
    assert_non_null(strstr(err, "table t: a row listed under another key"));
    t.rows[4].s = saved;
    /* row 5 made to read ABC as well, its key (the last) made ABC, hashed
     * so, and moved to the first free slot after ABC's */
    t.rows[5].s = t.rows[3].s;
    TableKey *k5 = &t.keys[4], *abc = &t.keys[3];
    table_key_set(k5, table_key_bytes(abc), table_key_len(abc), 0, k5->first, k5->count, k5->row0);
    uint32_t h = table_key_hash(table_key_bytes(abc), table_key_len(abc), 0), at = 0, to;
    for (uint32_t i = 0; i <= t.mask; i++)
        if (t.slots[i].key == 5) t.slots[i] = (TableSlot){0, 0};
    for (at = h & t.mask; t.slots[at].key != 4; at = (at + 1) & t.mask) {
    }
    for (to = at; t.slots[to].key; to = (to + 1) & t.mask) {
    }
    t.slots[to] = (TableSlot){h, 5};
    assert_int_equal(verify_table(&t, err, sizeof err), -1);
    assert_non_null(strstr(err, "table t: a key stored twice"));
    arena_free(&ar);
}

/* The rows whose key is s[0..n) (prefix or not), by a scan of every row:
 * the answer table_find must give.  Sets want[] and returns their count. */
static uint32_t scan_rows(const Table *t, const char *s, uint32_t n, int prefix, uint32_t *want) {
    uint32_t c = 0;
    for (uint32_t r = 0; r < t->nrows; r++) {
        const char *d;
        uint32_t len;
        int p = table_key_of_row(t, r, &d, &len);
        if (p == prefix && len == n && memcmp(d, s, n) == 0) want[c++] = r;
    }
    return c;
}

/* table_find against a scan of the rows, for exact keys of every length
 * from 0 to 40 and prefix keys of most (kept in the entry up to TABLE_KEY_INLINE bytes, through a
 * pointer beyond), exact and prefix, some of several rows: each key, the same bytes with any one
 * byte changed, one byte shorter or longer, and the other kind all give the scan's rows, in order.
 * The verifier passes the built index. */
static void test_index_key_lengths(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar, mem_default(), 1 << 16);
    enum { MAXLEN = 40, NROWS = 3 * (MAXLEN + 1) };
    char *keys[NROWS];
    uint32_t n = 0;
    for (uint32_t len = 0; len <= MAXLEN; len++) {
        char buf[MAXLEN + 2];
        for (uint32_t i = 0; i < len; i++) buf[i] = (char)('A' + (len * 7 + i * 3) % 26);
        buf[len] = 0;
        keys[n++] = arena_strndup(&ar, buf, len);                   /* exact */
        if (len % 3 == 0) keys[n++] = arena_strndup(&ar, buf, len); /* a second row */
        if (len % 2 == 0 || (len >= 13 && len <= 19)) {             /* at most 32 prefix lengths */
            buf[len] = '%';
            keys[n++] = arena_strndup(&ar, buf, len + 1); /* prefix */
        }
    }
    Field f;
    Table t;
    code_table(&t, &f, &ar, (const char *const *)keys, n);
    assert_int_equal(table_build_index(&t, &ar), 0);
    assert_true((uintptr_t)t.keys % 64 == 0);
    for (uint32_t k = 0; k < t.nkeys; k++) {
        const TableKey *tk = &t.keys[k];
        assert_int_equal(tk->row0, t.rowids[tk->first]);
        if (table_key_len(tk) <= TABLE_KEY_INLINE)
            assert_ptr_equal(table_key_bytes(tk), tk->b.in);
        else
            assert_ptr_not_equal(table_key_bytes(tk), tk->b.in);
    }
    char err[256];
    assert_int_equal(verify_table(&t, err, sizeof err), 0);
    uint32_t want[NROWS];
    int probes = 0;
    for (uint32_t r = 0; r < n; r++) {
        char q[MAXLEN + 2];
        const char *d = NULL;
        uint32_t len = 0;
        int prefix = table_key_of_row(&t, r, &d, &len);
        assert_true(prefix >= 0 && len <= MAXLEN);
        memcpy(q, d, len);
        q[len] = 'A';
        /* the key itself; every byte changed; one byte shorter and longer */
        for (int32_t v = -3; v < (int32_t)len; v++) {
            uint32_t qn = v == -2 && len > 0 ? len - 1 : v == -1 ? len + 1 : len;
            char save = v >= 0 ? q[v] : 0;
            if (v >= 0) q[v] = (char)(q[v] ^ 0x20);
            for (int kind = 0; kind < 2; kind++) {
                uint32_t got_n, c = scan_rows(&t, q, qn, kind, want);
                const uint32_t *got = table_find(&t, q, qn, kind, &got_n);
                assert_int_equal(got_n, c);
                if (c == 0) assert_null(got);
                for (uint32_t i = 0; i < c; i++) assert_int_equal(got[i], want[i]);
                if (v == -3 && kind == prefix) assert_true(c >= 1);
                probes++;
            }
            if (v >= 0) q[v] = save;
        }
    }
    assert_true(probes > 1000);
    arena_free(&ar);
}

/* Two keys of one length whose hashes are equal (str_hash is FNV-1a, so
 * a pair turns up among some 10^5 codes): each finds its own row, and a
 * probe for one in a table of the other finds nothing (the hash agrees,
 * the bytes do not), for short keys (in the entry) and long (the first 8
 * bytes alike, the rest through the pointer). */
typedef struct HashAt {
    uint32_t h, i;
} HashAt;

static int hash_at_cmp(const void *a, const void *b) {
    const HashAt *x = a, *y = b;
    return x->h != y->h ? (x->h < y->h ? -1 : 1) : (x->i < y->i ? -1 : x->i > y->i);
}

/* The i-th code of form fi: a fixed head, then 8 letters and digits drawn
 * from i (a 32-bit mix of it), so codes do not share FNV's structure. */
static void coll_code(char *buf, size_t cap, int fi, uint32_t i) {
    static const char *const heads[] = {"C", "XJ01CAA797E00101"};
    uint32_t x = i * 0x9E3779B1u + 0x7F4A7C15u;
    char tail[9];
    for (int j = 0; j < 8; j++) {
        x ^= x >> 15, x *= 0x2C1B3C6Du, x ^= x >> 12;
        tail[j] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[x % 36];
    }
    tail[8] = 0;
    snprintf(buf, cap, "%s%s", heads[fi], tail);
}

static void test_index_hash_collision(void **state) {
    (void)state;
    for (int fi = 0; fi < 2; fi++) {
        enum { N = 300000 };
        HashAt *v = malloc(N * sizeof *v);
        assert_non_null(v);
        char a[32], b[32];
        for (uint32_t i = 0; i < N; i++) {
            coll_code(a, sizeof a, fi, i);
            v[i] = (HashAt){str_hash(a, strlen(a)), i};
        }
        qsort(v, N, sizeof *v, hash_at_cmp);
        uint32_t k = 1;
        for (; k < N; k++) {
            if (v[k].h != v[k - 1].h) continue;
            coll_code(a, sizeof a, fi, v[k - 1].i);
            coll_code(b, sizeof b, fi, v[k].i);
            if (strcmp(a, b) != 0) break; /* not the same code drawn twice */
        }
        assert_true(k < N); /* a pair exists among these codes */
        free(v);
        uint32_t len = (uint32_t)strlen(a);
        assert_int_equal(len, strlen(b));
        assert_int_equal(str_hash(a, len), str_hash(b, len));
        assert_true(strcmp(a, b) != 0);
        assert_true(fi == 0 ? len <= TABLE_KEY_INLINE : len > TABLE_KEY_INLINE);
        Arena ar;
        arena_init(&ar, mem_default(), 1024);
        char *one[] = {a}, *two[] = {a, b};
        Field f;
        Table t;
        uint32_t n;
        code_table(&t, &f, &ar, (const char *const *)one, 1);
        assert_int_equal(table_build_index(&t, &ar), 0);
        assert_non_null(table_find(&t, a, len, 0, &n));
        assert_null(table_find(&t, b, len, 0, &n));
        assert_int_equal(n, 0);
        code_table(&t, &f, &ar, (const char *const *)two, 2);
        assert_int_equal(table_build_index(&t, &ar), 0);
        assert_int_equal(t.nkeys, 2);
        const uint32_t *r = table_find(&t, a, len, 0, &n);
        assert_true(r && n == 1 && r[0] == 0);
        r = table_find(&t, b, len, 0, &n);
        assert_true(r && n == 1 && r[0] == 1);
        arena_free(&ar);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quoting_and_lines), cmocka_unit_test(test_csv_errors_recover),
        cmocka_unit_test(test_csv_skim_agrees),       cmocka_unit_test(test_index_exact_and_prefix),
        cmocka_unit_test(test_index_verified),        cmocka_unit_test(test_index_key_lengths),
        cmocka_unit_test(test_index_hash_collision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
