/* test_csv_claims.c — claims from claims.csv + lines.csv joined on
 * claim_id: children in file order, orphan rows, a bad child row rejecting
 * its claim, duplicate ids, malformed rows, quoted cells, every bad cell of
 * a claim named, columns naming no field counted or (strict) rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "csv_claims.h"

static Field line_fields[] = {
    {"line_no", 7, {TY_INT, 0, NULL, NULL, NULL}, 1, 1, 0, 0, -1, 0, NULL},
    {"item_code", 9, {TY_CODE, 0, NULL, NULL, NULL}, 1, 0, 0, 0, -1, 0, NULL},
    {"amount", 6, {TY_MONEY, 0, NULL, NULL, NULL}, 0, 0, 1, 0, -1, 0, NULL},
};
static RecordType line_rt = {"line", 3, line_fields, 0, 2, -1};
static Field claim_fields[] = {
    {"claim_id", 8, {TY_CODE, 0, NULL, NULL, NULL}, 1, 1, 0, 0, -1, 0, NULL},
    {"dept", 4, {TY_TEXT, 0, NULL, NULL, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"total", 5, {TY_MONEY, 0, NULL, NULL, NULL}, 0, 0, 1, 0, -1, 0, NULL},
    {"lines", 5, {TY_LIST, 0, NULL, &line_rt, NULL}, 0, 0, 0, 0, -1, 0, NULL},
    {"diagnoses", 9, {TY_LIST, 0, NULL, &line_rt, NULL}, 0, 0, 0, 0, -1, 0, NULL},
};
static RecordType claim_rt = {"claim", 5, claim_fields, 0, 2, -1};

static char dir[64];

static void write_file(const char *name, const char *text) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/arb_csvc_XXXXXX");
    if (!mkdtemp(dir)) return -1;
    write_file("claims.csv", "claim_id,dept,total,unknown_column\n"
                             "C1,\"内科, 二病区\",30.00,x\n"
                             "C2,外科,1.00,y\n"
                             "C3,儿科,abc,z\n"         /* bad money: rejected */
                             "C1,again,1.00,w\n"       /* duplicate id */
                             "C4,\"unterminated,1\n"); /* malformed: the rest of the file */
    write_file("lines.csv", "claim_id,line_no,item_code,amount\n"
                            "C1,1,A,10.00\n"
                            "C2,1,B,1.00\n"
                            "C1,2,B,20.00\n"
                            "C9,1,Z,1.00\n"  /* no such claim */
                            "C2,2,,1.00\n"); /* missing item_code: C2 rejected */
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* The fixture's answers, read whole or through csvc_open_stream. */
static void check_fixture(CsvClaims *c) {
    char err[256];
    assert_int_equal(csvc_count(c), 5);
    assert_int_equal(csvc_load(c, 0, 5, err, sizeof err), 0);
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    const Value *v;
    const char *file;
    uint64_t line;
    /* C1: two lines in file order, quoted cell, no diagnoses file -> no list */
    assert_int_equal(csvc_get(c, 0, &ar, NULL, &v, err, sizeof err, &file, &line), 0);
    assert_string_equal(v[0].s->data, "C1");
    assert_string_equal(v[1].s->data, "内科, 二病区");
    assert_int_equal(v[2].i, 3000);
    assert_int_equal(v[3].l->n, 2);
    assert_string_equal(list_item(v[3].l, 1)[1].s->data, "B");
    assert_int_equal(list_item(v[3].l, 1)[2].i, 2000);
    assert_null(v[4].l);
    /* C2: its second line lacks item_code: the claim is rejected, pointing at lines.csv:6 */
    assert_int_equal(csvc_get(c, 1, &ar, NULL, &v, err, sizeof err, &file, &line), -1);
    assert_non_null(strstr(file, "lines.csv"));
    assert_int_equal(line, 6);
    assert_non_null(strstr(err, "item_code"));
    /* C3: bad money in claims.csv line 4 */
    assert_int_equal(csvc_get(c, 2, &ar, NULL, &v, err, sizeof err, &file, &line), -1);
    assert_int_equal(line, 4);
    assert_non_null(strstr(err, "column 'total'"));
    /* the duplicate C1 */
    assert_int_equal(csvc_get(c, 3, &ar, NULL, &v, err, sizeof err, &file, &line), -1);
    assert_non_null(strstr(err, "appears again (first on line 2)"));
    /* the malformed row */
    assert_int_equal(csvc_get(c, 4, &ar, NULL, &v, err, sizeof err, &file, &line), -1);
    assert_int_equal(line, 6);
    assert_non_null(strstr(err, "unterminated"));
    const char *raw;
    size_t n;
    csvc_raw(c, 1, &raw, &n);
    assert_int_equal(n, strlen("C2,外科,1.00,y"));
    /* the orphan line of C9 */
    assert_int_equal(csvc_orphan_count(c), 1);
    const char *msg;
    csvc_orphan(c, 0, &file, &line, &msg);
    assert_int_equal(line, 5);
    assert_non_null(strstr(msg, "no claim with claim_id 'C9'"));
    arena_free(&ar);
}

static void test_join_and_rejects(void **state) {
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/claims.csv", dir);
    CsvClaims *c;
    if (csvc_open(&c, &claim_rt, path, mem_default(), err, sizeof err)) fail_msg("%s", err);
    check_fixture(c);
    csvc_free(c);
}

/* Files that cannot be streamed (a claim_id twice, a child row of no
 * claim, rows of a claim apart) are read whole, with the same answers;
 * over the size limit the open fails, saying why and how to sort. */
static void test_stream_falls_back(void **state) {
    (void)state;
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/claims.csv", dir);
    CsvClaims *c;
    if (csvc_open_stream(&c, &claim_rt, path, 0, 0, mem_default(), err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(csvc_streamed(c), 0);
    check_fixture(c);
    csvc_free(c);
    assert_int_equal(csvc_open_stream(&c, &claim_rt, path, 0, 100, mem_default(), err, sizeof err),
                     -1);
    assert_null(c);
    if (!strstr(err, "claims.csv:5: claim_id 'C1' appears again") ||
        !strstr(err, "Sort each child file's rows by claim"))
        fail_msg("%s", err);
}

/* With a string map, equal codes and texts of any claims are one string
 * (the values unchanged); without it each is a copy. */
static void test_shared_strings(void **state) {
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/claims.csv", dir);
    CsvClaims *c;
    if (csvc_open(&c, &claim_rt, path, mem_default(), err, sizeof err)) fail_msg("%s", err);
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    StrMap strings;
    strmap_init(&strings, mem_default());
    const Value *c1, *again;
    const char *file;
    uint64_t line;
    assert_int_equal(csvc_get(c, 0, &ar, &strings, &c1, err, sizeof err, &file, &line), 0);
    assert_int_equal(csvc_get(c, 0, &ar, &strings, &again, err, sizeof err, &file, &line), 0);
    assert_true(c1 != again);
    assert_ptr_equal(c1[0].s, again[0].s);
    assert_ptr_equal(c1[1].s, again[1].s);
    assert_string_equal(again[1].s->data, "内科, 二病区");
    assert_int_equal(again[1].s->hash, str_hash("内科, 二病区", strlen("内科, 二病区")));
    assert_ptr_equal(list_item(c1[3].l, 1)[1].s, list_item(again[3].l, 1)[1].s); /* "B" */
    assert_int_equal(again[2].i, 3000);
    const Value *copy;
    assert_int_equal(csvc_get(c, 0, &ar, NULL, &copy, err, sizeof err, &file, &line), 0);
    assert_true(copy[1].s != c1[1].s);
    assert_string_equal(copy[1].s->data, c1[1].s->data);
    strmap_free(&strings);
    arena_free(&ar);
    csvc_free(c);
}

/* A claim's bad cells are all named, those of later rows with their file
 * and line (the first bad row is the reported one); columns naming no
 * field are counted per claim (cells with a value), or with strict reject
 * the claim, naming the column. */
static void test_several_errors_and_unread_columns(void **state) {
    (void)state;
    char sub[96], path[128], err[512];
    snprintf(sub, sizeof sub, "%s/b", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file("b/claims.csv", "claim_id,dept,total,admit_date\n"
                               "C1,内科,x,2025-01-02\n"
                               "C2,外科,1.00,\n");
    write_file("b/lines.csv", "claim_id,line_no,item_code,amount,date\n"
                              "C1,1,A,1.234,d\n"
                              "C1,two,,1.00,d\n"
                              "C2,1,B,1.00,d\n");
    snprintf(path, sizeof path, "%s/claims.csv", sub);
    CsvClaims *c;
    if (csvc_open(&c, &claim_rt, path, mem_default(), err, sizeof err)) fail_msg("%s", err);
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    InputNotes ns;
    notes_init(&ns, mem_default());
    const Value *v;
    const char *file;
    uint64_t line;
    assert_int_equal(csvc_get_ex(c, 0, &ar, NULL, &ns, 0, &v, err, sizeof err, &file, &line), -1);
    assert_non_null(strstr(file, "b/claims.csv"));
    assert_int_equal(line, 2);
    assert_string_equal(err,
                        "column 'total': 'x' is not a valid money amount (at most 2 decimals); "
                        "lines.csv:2: column 'amount': '1.234' is not a valid money amount "
                        "(at most 2 decimals); lines.csv:3: column 'line_no': 'two' is not a "
                        "valid integer; lines.csv:3: missing required field 'item_code'");
    assert_int_equal(csvc_get_ex(c, 1, &ar, NULL, &ns, 0, &v, err, sizeof err, &file, &line), 0);
    notes_sort(&ns);
    assert_int_equal(ns.n, 2);
    assert_string_equal(ns.v[0].name, "admit_date");
    assert_int_equal(ns.v[0].records, 1); /* C2's cell is empty */
    assert_string_equal(ns.v[1].name, "lines[].date");
    assert_int_equal(ns.v[1].records, 2); /* C1's two rows count once */
    notes_free(&ns);
    assert_int_equal(csvc_get_ex(c, 1, &ar, NULL, NULL, 1, &v, err, sizeof err, &file, &line), -1);
    assert_int_equal(line, 3);
    assert_string_equal(err, "column 4 'admit_date' is not a field of claim; lines.csv:4: column 5 "
                             "'date' is not a field of line");
    arena_free(&ar);
    csvc_free(c);
}

static void test_header_without_join_column(void **state) {
    (void)state;
    write_file("other.csv", "id,dept\nC1,x\n");
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/other.csv", dir);
    CsvClaims *c;
    assert_int_equal(csvc_open(&c, &claim_rt, path, mem_default(), err, sizeof err), -1);
    assert_non_null(strstr(err, "no 'claim_id' column"));
}

static char *slurp(const char *name, size_t *len) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* The same files held in memory (csvc_open_mem) give the same claims,
 * rejects and orphans, the files named alike. */
static void test_from_memory(void **state) {
    (void)state;
    char path[128], err[256], err2[256];
    snprintf(path, sizeof path, "%s/claims.csv", dir);
    CsvClaims *cf, *cm;
    if (csvc_open(&cf, &claim_rt, path, mem_default(), err, sizeof err)) fail_msg("%s", err);
    size_t nc, nl;
    char *claims = slurp("claims.csv", &nc), *lines = slurp("lines.csv", &nl);
    CsvcText ct = {path, claims, nc}, children[2] = {{"lines", lines, nl}, {"nothing", "x", 1}};
    if (csvc_open_mem(&cm, &claim_rt, &ct, children, 2, mem_default(), err, sizeof err))
        fail_msg("%s", err);
    free(claims);
    free(lines);
    assert_int_equal(csvc_count(cm), csvc_count(cf));
    assert_int_equal(csvc_orphan_count(cm), csvc_orphan_count(cf));
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    for (size_t i = 0; i < csvc_count(cf); i++) {
        const Value *vf, *vm;
        const char *ff = "", *fm = "";
        uint64_t lf = 0, lm = 0;
        err[0] = err2[0] = 0;
        int rf = csvc_get(cf, i, &ar, NULL, &vf, err, sizeof err, &ff, &lf);
        int rm = csvc_get(cm, i, &ar, NULL, &vm, err2, sizeof err2, &fm, &lm);
        assert_int_equal(rm, rf);
        assert_string_equal(err2, err);
        if (rf == 0) {
            assert_string_equal(vm[0].s->data, vf[0].s->data);
            assert_int_equal(vm[3].l ? vm[3].l->n : 0, vf[3].l ? vf[3].l->n : 0);
        } else {
            assert_string_equal(fm, ff);
            assert_int_equal(lm, lf);
        }
    }
    arena_free(&ar);
    csvc_free(cm);
    csvc_free(cf);
    /* with no children at all, every claim has none */
    CsvcText only = {"claims.csv", "claim_id,dept\nC1,x\n", 19};
    if (csvc_open_mem(&cm, &claim_rt, &only, NULL, 0, mem_default(), err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(csvc_count(cm), 1);
    assert_int_equal(csvc_orphan_count(cm), 0);
    csvc_free(cm);
}

/* A child row that does not parse (an unterminated quote) rejects its
 * claim whole when its claim_id can be read before the quote: the claim is
 * never audited on the rows that remain. */
static void test_malformed_child_rejects_its_claim(void **state) {
    (void)state;
    char err[256];
    const char *claims = "claim_id,dept\nC1,a\nC2,b\n";
    CsvcText ct = {"claims.csv", claims, strlen(claims)};
    const char *lines = "claim_id,line_no,item_code,amount\n"
                        "C1,1,A,10.00\n"
                        "C2,1,\"broken,1.00\n"; /* the quote runs to the end */
    CsvcText children[1] = {{"lines", lines, strlen(lines)}};
    CsvClaims *c;
    if (csvc_open_mem(&c, &claim_rt, &ct, children, 1, mem_default(), err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(csvc_count(c), 2);
    assert_int_equal(csvc_orphan_count(c), 0);
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    const Value *v;
    const char *file;
    uint64_t line;
    assert_int_equal(csvc_get(c, 0, &ar, NULL, &v, err, sizeof err, &file, &line), 0);
    assert_int_equal(v[3].l->n, 1);
    assert_int_equal(csvc_get(c, 1, &ar, NULL, &v, err, sizeof err, &file, &line), -1);
    assert_int_equal(line, 3);
    if (!strstr(err, "its row on line 3 of lines.csv is malformed: unterminated"))
        fail_msg("%s", err);
    arena_free(&ar);
    csvc_free(c);
}

/* A cell longer than the limit rejects its claim, naming the column. */
static void test_field_limit(void **state) {
    (void)state;
    char err[256];
    const char *claims = "claim_id,dept\nC1,abcdef\nC2,ab\n";
    CsvcText ct = {"claims.csv", claims, strlen(claims)};
    CsvClaims *c;
    if (csvc_open_mem(&c, &claim_rt, &ct, NULL, 0, mem_default(), err, sizeof err))
        fail_msg("%s", err);
    csvc_set_max_field(c, 4);
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    const Value *v;
    const char *file;
    uint64_t line;
    assert_int_equal(csvc_get(c, 0, &ar, NULL, &v, err, sizeof err, &file, &line), -1);
    assert_non_null(strstr(err, "'dept': a value of 6 bytes, over the limit of 4 bytes"));
    assert_int_equal(csvc_get(c, 1, &ar, NULL, &v, err, sizeof err, &file, &line), 0);
    arena_free(&ar);
    csvc_free(c);
}

/* A NUL byte in a cell would cut the value at it wherever it is a C
 * string (two claim ids reported as one): the claim is rejected, naming the
 * column, in the claims file and in a child file. */
static void test_nul_in_a_cell(void **state) {
    (void)state;
    static const char claims[] = "claim_id,dept\nA\0x,d\nB,d\0e\nC,d\nD,d\n";
    static const char lines[] = "claim_id,line_no,item_code\nC,1,I\0\nD,1,I\n";
    CsvcText ct = {"claims.csv", claims, sizeof claims - 1};
    CsvcText children[1] = {{"lines", lines, sizeof lines - 1}};
    CsvClaims *cm;
    char err[256];
    if (csvc_open_mem(&cm, &claim_rt, &ct, children, 1, mem_default(), err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(csvc_count(cm), 4);
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    const Value *v;
    const char *file = "";
    uint64_t line = 0;
    assert_int_equal(csvc_get(cm, 0, &ar, NULL, &v, err, sizeof err, &file, &line), -1);
    assert_non_null(strstr(err, "column 1 'claim_id': a NUL byte in the cell (its byte 2)"));
    assert_null(strstr(err, "missing"));
    assert_int_equal(line, 2);
    assert_int_equal(csvc_get(cm, 1, &ar, NULL, &v, err, sizeof err, &file, &line), -1);
    assert_non_null(strstr(err, "column 2 'dept': a NUL byte in the cell"));
    assert_int_equal(line, 3);
    assert_int_equal(csvc_get(cm, 2, &ar, NULL, &v, err, sizeof err, &file, &line), -1);
    assert_non_null(strstr(err, "column 3 'item_code': a NUL byte in the cell"));
    assert_int_equal(csvc_get(cm, 3, &ar, NULL, &v, err, sizeof err, &file, &line), 0);
    arena_free(&ar);
    csvc_free(cm);
}

/* Sorted files of many claims, spanning several 1 MiB pieces: quoted
 * cells with line breaks and doubled quotes, CRLF line ends, claims
 * without lines, a bad row, an invalid UTF-8 byte, blank lines.  Written
 * into sub (a directory under dir); returns the claim count. */
static size_t write_sorted(const char *sub) {
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/%s/claims.csv", dir, sub);
    FILE *fc = fopen(path, "w");
    snprintf(path, sizeof path, "%s/%s/lines.csv", dir, sub);
    FILE *fl = fopen(path, "w");
    snprintf(path, sizeof path, "%s/%s/diagnoses.csv", dir, sub);
    FILE *fd = fopen(path, "w");
    assert_true(fc && fl && fd);
    fputs("claim_id,dept,total\n", fc);
    fputs("claim_id,line_no,item_code,amount\n", fl);
    fputs("line_no,claim_id,item_code\r\n", fd); /* the join column second, CRLF */
    size_t n = 30000;
    for (size_t i = 0; i < n; i++) {
        if (i % 997 == 5)
            fprintf(fc, "C%06zu,\"多行\n科室 \"\"%zu\"\"\",%zu.50\n", i, i, i);
        else
            fprintf(fc, "C%06zu,科室%zu,%zu.50\n", i, i % 13, i);
        if (i % 5000 == 77) fputs("\n", fc); /* a blank line */
        for (size_t k = 0; k < i % 4; k++) {
            if (i == 12347 && k == 1)
                fprintf(fl, "C%06zu,%zu,,1.00\n", i, k + 1); /* no item_code */
            else if (i == 23455)
                fprintf(fl, "C%06zu,%zu,I\xff%zu,1.00\n", i, k + 1, k); /* not UTF-8 */
            else
                fprintf(fl, "C%06zu,%zu,ITEM%zu-%zu,%zu.25\n", i, k + 1, i % 97, k, k);
        }
        if (i % 3 == 0) fprintf(fd, "1,C%06zu,D%zu\r\n", i, i % 31);
    }
    fclose(fc);
    fclose(fl);
    fclose(fd);
    return n;
}

static int saw_bad_byte; /* same_claim compared a message naming a byte's offset */

/* Claim i read from a (whole) and b (streamed, its offsets from base) give
 * the same answer. */
static void same_claim(const CsvClaims *a, const CsvClaims *b, size_t i, uint64_t base) {
    Arena ar;
    arena_init(&ar, mem_default(), 4096);
    const Value *va = NULL, *vb = NULL;
    char ea[512], eb[512];
    const char *fa, *fb;
    uint64_t la, lb;
    int ra = csvc_get(a, i, &ar, NULL, &va, ea, sizeof ea, &fa, &la);
    int rb = csvc_get(b, i, &ar, NULL, &vb, eb, sizeof eb, &fb, &lb);
    assert_int_equal(ra, rb);
    assert_int_equal(la, lb);
    assert_string_equal(fa, fb);
    if (ra) {
        /* an undecodable byte is named by its offset in the file: past the base */
        char want[1200];
        size_t k = 0;
        const char *p = ea, *at;
        while ((at = strstr(p, "at byte ")) != NULL) {
            char *end;
            unsigned long long off = strtoull(at + 8, &end, 10);
            k += (size_t)snprintf(want + k, sizeof want - k, "%.*s%llu", (int)(at + 8 - p), p,
                                  off + base);
            assert_true(!base || off + base > UINT32_MAX);
            saw_bad_byte = 1;
            p = end;
        }
        snprintf(want + k, sizeof want - k, "%s", p);
        assert_string_equal(want, eb);
    } else {
        assert_string_equal(va[0].s->data, vb[0].s->data);
        assert_string_equal(va[1].s->data, vb[1].s->data);
        assert_int_equal(va[2].i, vb[2].i);
        for (int f = 3; f <= 4; f++) {
            if (!va[f].l) {
                assert_null(vb[f].l);
                continue;
            }
            assert_non_null(vb[f].l);
            assert_int_equal(va[f].l->n, vb[f].l->n);
            for (uint32_t k = 0; k < va[f].l->n; k++)
                assert_string_equal(list_item(va[f].l, k)[1].s->data,
                                    list_item(vb[f].l, k)[1].s->data);
        }
    }
    const char *pa, *pb;
    size_t na, nb;
    csvc_raw(a, i, &pa, &na);
    csvc_raw(b, i, &pb, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, na);
    arena_free(&ar);
}

/* Streamed in windows, at offset 0 and as if past 4 GiB (offsets that a
 * 32-bit position would wrap): every claim as the whole read gives it. */
static void test_stream_windows(void **state) {
    (void)state;
    size_t n = write_sorted("sorted");
    char path[160], err[512];
    snprintf(path, sizeof path, "%s/sorted/claims.csv", dir);
    CsvClaims *whole, *st;
    if (csvc_open(&whole, &claim_rt, path, mem_default(), err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(csvc_count(whole), n);
    assert_int_equal(csvc_orphan_count(whole), 0);
    uint64_t bases[] = {0, (uint64_t)5 << 30};
    for (int bi = 0; bi < 2; bi++) {
        if (csvc_open_stream_at(&st, &claim_rt, path, 0, 0, bases[bi], mem_default(), err,
                                sizeof err))
            fail_msg("%s", err);
        assert_int_equal(csvc_streamed(st), 1);
        assert_int_equal(csvc_count(st), n);
        saw_bad_byte = 0;
        assert_int_equal(csvc_bytes(st), csvc_bytes(whole));
        size_t win = 4093; /* windows that split a piece anywhere */
        for (size_t from = 0; from < n; from += win) {
            size_t to = from + win < n ? from + win : n;
            if (csvc_load(st, from, to, err, sizeof err)) fail_msg("%s", err);
            for (size_t i = from; i < to; i++) same_claim(whole, st, i, bases[bi]);
        }
        assert_true(saw_bad_byte);
        /* windows are read in order */
        assert_int_equal(csvc_load(st, 0, 1, err, sizeof err), -1);
        csvc_free(st);
    }
    csvc_free(whole);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_and_rejects),
        cmocka_unit_test(test_stream_falls_back),
        cmocka_unit_test(test_stream_windows),
        cmocka_unit_test(test_shared_strings),
        cmocka_unit_test(test_several_errors_and_unread_columns),
        cmocka_unit_test(test_header_without_join_column),
        cmocka_unit_test(test_from_memory),
        cmocka_unit_test(test_nul_in_a_cell),
        cmocka_unit_test(test_malformed_child_rejects_its_claim),
        cmocka_unit_test(test_field_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
