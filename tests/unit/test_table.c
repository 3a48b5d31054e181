/* test_table.c — the CSV tokenizer and table key indexes (exact and prefix
 * keys), the pieces tables are loaded with, and the verifier's check of an
 * index against its rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

/* A one-column table of codes with exact and prefix keys. */
static void test_index_exact_and_prefix(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar, mem_default(), 1024);
    const char *keys[] = {"XL02BBA326A001", "XL02BB%", "XL02%", "ABC", "XL02BB%", "E11%"};
    Field f;
    memset(&f, 0, sizeof f);
    f.name = "code";
    f.name_len = 4;
    f.type.kind = TY_CODE;
    Table t;
    memset(&t, 0, sizeof t);
    t.rt.nfields = 1;
    t.rt.fields = &f;
    t.key_col = 0;
    t.nrows = 6;
    t.rows = arena_alloc(&ar, 6 * sizeof(Value));
    for (int i = 0; i < 6; i++) t.rows[i].s = str_new(&ar, keys[i], strlen(keys[i]));
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
    memset(&f, 0, sizeof f);
    f.name = "code";
    f.name_len = 4;
    f.type.kind = TY_CODE;
    Table t;
    memset(&t, 0, sizeof t);
    t.name = "t";
    t.rt.nfields = 1;
    t.rt.fields = &f;
    t.key_col = 0;
    t.nrows = 6;
    t.rows = arena_alloc(&ar, 6 * sizeof(Value));
    for (int i = 0; i < 6; i++) t.rows[i].s = str_new(&ar, keys[i], strlen(keys[i]));
    assert_int_equal(table_build_index(&t, &ar), 0);
    Program p;
    memset(&p, 0, sizeof p);
    Table *tables[] = {&t};
    p.tables = tables;
    p.ntables = 1;
    char err[256];
    assert_int_equal(verify_program(&p, err, sizeof err), 0);
    /* row 4 (under XL02BB%) made to read ABC */
    const ArbStr *saved = t.rows[4].s;
    t.rows[4].s = t.rows[3].s;
    assert_int_equal(verify_program(&p, err, sizeof err), -1);
    assert_non_null(strstr(err, "table t: a row listed under another key"));
    t.rows[4].s = saved;
    /* row 5 made to read ABC as well, its key (the last) made ABC, hashed
     * so, and moved to the first free slot after ABC's */
    t.rows[5].s = t.rows[3].s;
    TableKey *k5 = &t.keys[4], *abc = &t.keys[3];
    k5->data = abc->data, k5->len = abc->len, k5->prefix = 0;
    uint32_t h = table_key_hash(abc->data, abc->len, 0), at = 0, to;
    for (uint32_t i = 0; i <= t.mask; i++)
        if (t.slots[i].key == 5) t.slots[i] = (TableSlot){0, 0};
    for (at = h & t.mask; t.slots[at].key != 4; at = (at + 1) & t.mask) {
    }
    for (to = at; t.slots[to].key; to = (to + 1) & t.mask) {
    }
    t.slots[to] = (TableSlot){h, 5};
    assert_int_equal(verify_program(&p, err, sizeof err), -1);
    assert_non_null(strstr(err, "table t: a key stored twice"));
    arena_free(&ar);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quoting_and_lines), cmocka_unit_test(test_csv_errors_recover),
        cmocka_unit_test(test_csv_skim_agrees),       cmocka_unit_test(test_index_exact_and_prefix),
        cmocka_unit_test(test_index_verified),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
