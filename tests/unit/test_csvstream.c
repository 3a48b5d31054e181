/* test_csvstream.c — a CSV file read a piece at a time (base/csvstream.c):
 * pieces cut in the middle of records and of a quoted field's lines give
 * the records, cells and line numbers the whole text gives; blank lines
 * before a record are its `pos` but not its `start`; a record longer than
 * several pieces; GB18030 converted, an undecodable byte a spot (the first
 * of its line only) in the text and in the file, and the record holding
 * it; offsets from a base past 4 GiB, compaction dropping text and spots
 * and keeping the NUL; the first pass's UTF-8 unchecked; a record over the
 * maximum refused; a missing file's error; a whole text decoded. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "csvstream.h"

static char path[64];

/* Writes n bytes to a new temporary file (path). */
static void write_tmp(const char *bytes, size_t n) {
    snprintf(path, sizeof path, "/tmp/arb_cstream_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

static void open_tmp(CStream *s, const char *bytes, size_t n, int enc, size_t piece,
                     uint64_t base) {
    write_tmp(bytes, n);
    cstream_init(s, mem_default(), enc);
    if (piece) s->piece = piece;
    assert_int_equal(cstream_open(s, path, base), 0);
    assert_int_equal(s->bytes, n);
}

static void done(CStream *s) {
    cstream_free(s);
    unlink(path);
}

static void cell_is(const CsRec *r, const char *want) {
    assert_int_equal(r->cell.len, strlen(want));
    assert_memory_equal(r->cell.ptr, want, r->cell.len);
}

static const char TEXT[] = "id,name\n"
                           "1,alpha\n"
                           "\n"
                           "2,\"two\nlines, and more text\"\n"
                           "3,gamma\n";

/* The records of TEXT read with pieces of `piece` bytes. */
static void read_text(size_t piece) {
    CStream s;
    open_tmp(&s, TEXT, sizeof TEXT - 1, TC_UTF8, piece, 0);
    CsRec r;
    assert_int_equal(cstream_read(&s, 0, &r), 1);
    assert_int_equal(r.rc, 1);
    assert_int_equal(r.pos, 0);
    assert_int_equal(r.end, 8);
    assert_int_equal(r.line, 1);
    assert_int_equal(r.nfields, 2);
    cell_is(&r, "id");
    cstream_take(&s, &r);
    assert_int_equal(cstream_read(&s, 1, &r), 1);
    cell_is(&r, "alpha");
    assert_int_equal(r.start, 8);
    assert_int_equal(r.end, 16);
    assert_int_equal(r.line, 2);
    assert_int_equal(r.next_line, 3);
    cstream_take(&s, &r);
    assert_int_equal(cstream_read(&s, 1, &r), 1);
    cell_is(&r, "two\nlines, and more text");
    assert_int_equal(r.pos, 16);   /* the blank line */
    assert_int_equal(r.start, 17); /* the record */
    assert_int_equal(r.end, 17 + strlen("2,\"two\nlines, and more text\"\n"));
    assert_int_equal(r.line, 4);
    assert_int_equal(r.next_line, 6);
    assert_int_equal(r.bad, -1);
    cstream_take(&s, &r);
    assert_int_equal(cstream_read(&s, 1, &r), 1);
    cell_is(&r, "gamma");
    assert_int_equal(r.line, 6);
    assert_int_equal(r.end, sizeof TEXT - 1);
    cstream_take(&s, &r);
    assert_int_equal(cstream_read(&s, 1, &r), 0);
    assert_int_equal(s.len, sizeof TEXT - 1); /* nothing compacted: the whole text */
    assert_memory_equal(s.text, TEXT, sizeof TEXT);
    done(&s);
}

static void test_pieces(void **state) {
    (void)state;
    read_text(0); /* one piece */
    for (size_t piece = 1; piece <= 20; piece++) read_text(piece);
}

static void test_long_record(void **state) {
    (void)state;
    char text[512];
    int n = snprintf(text, sizeof text, "id,v\n1,%0300d\n2,b\n", 7);
    CStream s;
    open_tmp(&s, text, (size_t)n, TC_UTF8, 16, 0);
    CsRec r;
    assert_int_equal(cstream_read(&s, 0, &r), 1);
    cstream_take(&s, &r);
    cstream_compact(&s);
    assert_int_equal(cstream_read(&s, 1, &r), 1);
    assert_int_equal(r.cell.len, 300);
    assert_int_equal(r.cell.ptr[299], '7');
    assert_int_equal(r.line, 2);
    cstream_take(&s, &r);
    cstream_compact(&s);
    assert_int_equal(s.tbase, 5 + 303);
    assert_int_equal(s.text[s.len], 0);
    assert_int_equal(cstream_read(&s, 1, &r), 1);
    cell_is(&r, "b");
    assert_int_equal(r.line, 3);
    cstream_take(&s, &r);
    assert_int_equal(cstream_read(&s, 1, &r), 0);
    done(&s);
}

static void test_gb18030(void **state) {
    (void)state;
    /* 内 in GBK; two bytes 0xFF (never GB18030) on line 3: one spot */
    static const char gb[] = "id,name\n1,\xC4\xDA\n2,a\xFF\xFF"
                             "b\n3,c\xFF\n";
    for (size_t piece = 0; piece <= 9; piece += 3) {
        CStream s;
        open_tmp(&s, gb, sizeof gb - 1, TC_GB18030, piece, 0);
        CsRec r;
        assert_int_equal(cstream_read(&s, 0, &r), 1);
        cstream_take(&s, &r);
        assert_int_equal(cstream_read(&s, 1, &r), 1);
        cell_is(&r, "\xE5\x86\x85");
        assert_int_equal(r.bad, -1);
        cstream_take(&s, &r);
        assert_int_equal(cstream_read(&s, 1, &r), 1);
        assert_int_equal(r.line, 3);
        assert_int_equal(r.bad, 0);
        cell_is(&r, "a\xEF\xBF\xBD\xEF\xBF\xBD"
                    "b");
        assert_true(s.nspots >= 1);
        assert_int_equal(s.spots[0].off, 8 + 6 + 3); /* the U+FFFD */
        assert_int_equal(s.spots[0].file_off, 8 + 5 + 3);
        assert_int_equal(s.spots[0].line, 3);
        assert_int_equal(s.spots[0].col, 4);
        cstream_take(&s, &r);
        assert_int_equal(cstream_read(&s, 1, &r), 1);
        assert_int_equal(r.bad, 1);
        assert_int_equal(s.nspots, 2); /* the second 0xFF of line 3 is not one */
        assert_int_equal(s.spots[1].line, 4);
        assert_int_equal(s.spots[1].file_off, 8 + 5 + 7 + 3);
        cstream_take(&s, &r);
        assert_int_equal(cstream_read(&s, 1, &r), 0);
        done(&s);
    }
}

static void test_base(void **state) {
    (void)state;
    const uint64_t base = (uint64_t)5 << 30; /* 5 GiB: past 32 bits */
    static const char t[] = "id\na\nb\xFF\nc\n";
    CStream s;
    open_tmp(&s, t, sizeof t - 1, TC_UTF8, 4, base);
    CsRec r;
    assert_int_equal(cstream_read(&s, 0, &r), 1);
    assert_int_equal(r.pos, base);
    cstream_take(&s, &r);
    assert_int_equal(cstream_read(&s, 0, &r), 1);
    assert_int_equal(r.start, base + 3);
    assert_int_equal(r.end, base + 5);
    cstream_take(&s, &r);
    cstream_compact(&s);
    assert_int_equal(s.tbase, base + 5);
    assert_int_equal(cstream_read(&s, 0, &r), 1);
    assert_int_equal(r.bad, 0);
    assert_int_equal(s.spots[0].off, base + 6);
    assert_int_equal(s.spots[0].file_off, base + 6);
    assert_int_equal(s.spots[0].line, 3);
    assert_int_equal(s.spots[0].col, 2);
    cstream_take(&s, &r);
    cstream_compact(&s); /* the spot before the position dropped, the NUL kept */
    assert_int_equal(s.nspots, 0);
    assert_int_equal(s.tbase, base + 8);
    assert_int_equal(s.text[s.len], 0);
    assert_int_equal(cstream_read(&s, 0, &r), 1);
    assert_int_equal(r.start, base + 8);
    assert_int_equal(r.line, 4);
    assert_int_equal(r.bad, -1);
    cell_is(&r, "c");
    cstream_take(&s, &r);
    assert_int_equal(cstream_read(&s, 0, &r), 0);
    /* opened again: from the start, nothing kept */
    assert_int_equal(cstream_open(&s, path, base), 0);
    assert_int_equal(s.len, 0);
    assert_int_equal(s.nspots, 0);
    assert_int_equal(cstream_read(&s, 0, &r), 1);
    assert_int_equal(r.pos, base);
    /* the first pass: UTF-8 not checked */
    assert_int_equal(cstream_open(&s, path, 0), 0);
    s.prepass = 1;
    int n = 0;
    while (cstream_read(&s, 0, &r) == 1) {
        assert_int_equal(r.bad, -1);
        cstream_take(&s, &r);
        n++;
    }
    assert_int_equal(n, 4);
    assert_int_equal(s.nspots, 0);
    done(&s);
}

static void test_max_record(void **state) {
    (void)state;
    char text[2048];
    /* an unterminated quote, lines after it */
    int n = snprintf(text, sizeof text, "id,v\n1,\"%0200d\n", 0);
    for (int k = 2; k < 100; k++) n += snprintf(text + n, sizeof text - (size_t)n, "%d,b\n", k);
    CStream s;
    open_tmp(&s, text, (size_t)n, TC_UTF8, 16, 0);
    s.max_record = 64;
    CsRec r;
    assert_int_equal(cstream_read(&s, 0, &r), 1);
    cstream_take(&s, &r);
    assert_int_equal(cstream_read(&s, 1, &r), -2);
    assert_int_equal(s.line, 2);
    /* under the maximum: read to the end, malformed */
    s.max_record = 1000;
    assert_int_equal(cstream_read(&s, 1, &r), 1);
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.err, "unterminated quoted field");
    done(&s);
}

static void test_errors(void **state) {
    (void)state;
    CStream s;
    cstream_init(&s, mem_default(), TC_UTF8);
    assert_int_equal(cstream_open(&s, "/nonexistent/arb/x.csv", 0), -1);
    assert_int_equal(s.error, CSTREAM_EREAD);
    assert_int_equal(s.errnum, ENOENT);
    cstream_free(&s);
    /* a whole text decoded: the first undecodable byte of each line */
    cstream_init(&s, mem_default(), TC_UTF8);
    static const char t[] = "a\xFF\xFF\nb\nc\xFE\n";
    s.text = malloc(sizeof t);
    memcpy(s.text, t, sizeof t);
    s.len = sizeof t - 1;
    s.cap = sizeof t;
    assert_int_equal(cstream_decode_whole(&s), 0);
    assert_int_equal(s.nspots, 2);
    assert_int_equal(s.spots[0].off, 1);
    assert_int_equal(s.spots[0].line, 1);
    assert_int_equal(s.spots[1].off, 7);
    assert_int_equal(s.spots[1].line, 3);
    assert_int_equal(s.spots[1].col, 2);
    cstream_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces),     cmocka_unit_test(test_long_record),
        cmocka_unit_test(test_gb18030),    cmocka_unit_test(test_base),
        cmocka_unit_test(test_max_record), cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
