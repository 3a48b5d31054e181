/* test_profile.c — input profiles (runtime/profile.[ch]): path and date
 * pattern syntax; a small profile over the standard schema read through
 * prof_read_json (nested arrays, a lone object for an array, numbers as
 * strings, null and "", dicts, date patterns, `missing` values, defaults,
 * position, records with no value left out, unknown keys counted or,
 * strict, rejected); errors naming the field path and its byte offset;
 * the profile's parser agreeing with json-c alone, lenient input going to
 * json-c; the stdlib's nhsa3101 through arb_session_check_input (findings with
 * person_id, order_no and is_current); CSV read a window at a time as read
 * whole (test_csv_stream). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arbiter.h"
#include "engine.h"
#include "json_writer.h"
#include "profile.h"
#include "transcode.h"

static const char PROFILE[] =
    "input t {\n"
    "  format json\n"
    "  claims \"body.people[].visits[]\"\n"
    "  ignore \"id\"\n"
    "  dict kinds item_kind { \"1\" drug  \"2\" service  \"--\" missing }\n"
    "  claim {\n"
    "    claim_id \"vid\"\n"
    "    person_id \"$.body.people[].pid\"\n"
    "    sex \"$.body.people[].sex\"\n"
    "    care_type \"type\" default outpatient\n"
    "    admit_time \"in\" format \"yyyyMMdd HHmm\", \"yyyy-MM-dd\" missing \"9999\"\n"
    "    total_amount \"total\"\n"
    "  }\n"
    "  diagnoses \"dx[]\" { code \"c\"  is_main \"m\" }\n"
    "  lines \"items[]\" {\n"
    "    line_no position\n"
    "    item_code \"code\"\n"
    "    item_kind \"k\" dict kinds\n"
    "    quantity \"n\"\n"
    "    unit_price \"p\"\n"
    "    is_current \"cur\"\n"
    "  }\n"
    "}\n";

typedef struct Fx {
    arb_engine *e;
    const Prof *pf;
    ProfWork w;
    Arena ar;
    InputNotes notes;
} Fx;

static int setup(void **state) {
    Fx *f = calloc(1, sizeof *f);
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    if (arb_engine_new(&cfg, &f->e) != ARB_OK) return -1;
    arb_add_source(f->e, "t.rules", PROFILE, strlen(PROFILE));
    if (arb_compile(f->e) != ARB_OK) {
        char buf[2048];
        for (size_t i = 0; i < arb_error_count(f->e); i++) {
            arb_error_render(f->e, i, buf, sizeof buf);
            fputs(buf, stderr);
        }
        return -1;
    }
    f->pf = engine_profile(f->e, "t");
    if (!f->pf) return -1;
    prof_work_init(&f->w, mem_default());
    arena_init(&f->ar, mem_default(), 1 << 12);
    notes_init(&f->notes, mem_default());
    *state = f;
    return 0;
}

static int teardown(void **state) {
    Fx *f = *state;
    notes_free(&f->notes);
    arena_free(&f->ar);
    prof_work_free(&f->w);
    arb_engine_free(f->e);
    free(f);
    return 0;
}

static int read_doc(Fx *f, const char *doc, int strict, char *msg, size_t *off) {
    JsonrOptions o = {NULL, &f->notes, strict, 0, 0, 0};
    arena_reset(&f->ar);
    return prof_read_json(f->pf, &f->w, f->e->json, doc, strlen(doc), &f->ar, &o, msg, 512, off);
}

/* The claims just read, each written by json_writer (so two reads that
 * built the same values give the same text), into out. */
static void claims_text(const Fx *f, char *out, size_t cap) {
    StrBuf b;
    sb_init(&b, mem_default());
    for (size_t i = 0; i < f->w.nclaims; i++) {
        jsonw_record(f->e->prog->claim, f->w.claims[i], &b);
        sb_putc(&b, '\n');
    }
    snprintf(out, cap, "%s", b.len ? sb_str(&b) : "");
    sb_free(&b);
}

static int field(const Fx *f, const RecordType *rt, const char *name) {
    (void)f;
    return record_field_index(rt, name, strlen(name));
}

static void test_syntax(void **state) {
    (void)state;
    assert_int_equal(prof_path_ok("a.b[].c"), 0);
    assert_int_equal(prof_path_ok("$.a.b"), 0);
    assert_int_equal(prof_path_ok("."), 0);
    assert_int_not_equal(prof_path_ok("a..b"), 0);
    assert_int_not_equal(prof_path_ok("a[0]"), 0);
    assert_int_not_equal(prof_path_ok("$a"), 0);
    assert_true(prof_pattern_ok("yyyy-MM-dd HH:mm:ss"));
    assert_true(prof_pattern_ok("yyyyMMdd"));
    assert_false(prof_pattern_ok("yy-MM-dd"));
    assert_false(prof_pattern_ok("yyyy-MM"));
    assert_false(prof_pattern_ok("yyyy-MM-dd-dd")); /* a field twice */
    assert_false(prof_pattern_ok("yyyy-MM-dd Hh")); /* a lone field letter */
    assert_true(prof_pattern_ok("dd/MM/yyyy HH时mm分"));
    /* at most 32 parts, so the reader can compile every pattern it takes */
    assert_true(prof_pattern_ok("yyyy-MM-dd HH:mm:ss ...................."));
    assert_false(prof_pattern_ok("yyyy-MM-dd HH:mm:ss ....................."));
}

static void test_claims_from_nested_arrays(void **state) {
    Fx *f = *state;
    char msg[512];
    size_t off;
    /* people is one object, not an array; numbers as strings; "" and null */
    const char *doc =
        "{\"id\":\"R1\",\"body\":{\"people\":{\"pid\":\"P1\",\"sex\":\"2\",\"visits\":["
        "{\"vid\":\"V1\",\"type\":\"21\",\"in\":\"20250601 0830\",\"total\":\"12.5\","
        " \"dx\":{\"c\":\"K35\",\"m\":1},"
        " \"items\":[{\"code\":\"A\",\"k\":\"1\",\"n\":\"2.00\",\"p\":\"3.10\",\"cur\":\"0\"},"
        "            {},"
        "            {\"code\":\"B\",\"k\":\"--\",\"n\":1,\"p\":6.3,\"cur\":1,\"extra\":\"x\"}]},"
        "{\"vid\":\"V2\",\"type\":\"\",\"in\":\"9999\",\"total\":null,\"items\":[]}]}}}";
    assert_int_equal(read_doc(f, doc, 0, msg, &off), 0);
    assert_int_equal(f->w.nclaims, 2);
    const RecordType *ct = f->e->prog->claim;
    const Value *c = f->w.claims[0];
    assert_string_equal(c[field(f, ct, "claim_id")].s->data, "V1");
    assert_string_equal(c[field(f, ct, "person_id")].s->data, "P1");
    assert_int_equal(c[field(f, ct, "sex")].i, 1); /* F */
    assert_int_equal(c[field(f, ct, "total_amount")].i, 1250);
    /* 2025-06-01T08:30 */
    assert_int_equal(c[field(f, ct, "admit_time")].i, 1748766600);
    const ArbList *dx = c[field(f, ct, "diagnoses")].l;
    assert_non_null(dx);
    assert_int_equal(dx->n, 1);
    int lf = field(f, ct, "lines");
    const RecordType *lt = ct->fields[lf].type.rec;
    const ArbList *lines = c[lf].l;
    assert_int_equal(lines->n, 2); /* the empty object is left out */
    assert_int_equal(list_item(lines, 0)[field(f, lt, "quantity")].i, 2);
    assert_int_equal(list_item(lines, 0)[field(f, lt, "is_current")].i, 0);
    assert_int_equal(list_item(lines, 1)[field(f, lt, "line_no")].i, 3); /* its position */
    assert_int_equal(list_item(lines, 1)[field(f, lt, "unit_price")].i, 630);
    assert_int_equal(list_item(lines, 1)[field(f, lt, "item_kind")].i, ARB_NULL); /* "--" */
    assert_int_equal(list_item(lines, 1)[field(f, lt, "is_current")].i, 1);
    /* V2: care_type "" takes the default, "9999" admit time is missing */
    c = f->w.claims[1];
    assert_int_equal(c[field(f, ct, "admit_time")].i, ARB_NULL);
    assert_int_equal(c[field(f, ct, "care_type")].i, 0); /* outpatient */
    assert_null(c[lf].l);
    /* the unknown key is counted once, under its path; "id" is ignored */
    assert_int_equal(f->notes.n, 1);
    assert_string_equal(f->notes.v[0].name, "body.people[].visits[].items[].extra");
}

static void test_errors_name_the_path(void **state) {
    Fx *f = *state;
    char msg[512];
    size_t off;
    const char *doc =
        "{\"body\":{\"people\":[{\"pid\":\"P1\",\"sex\":\"7\",\"visits\":[{\"vid\":\"V1\","
        "\"in\":\"2025/06/01\",\"items\":[{\"code\":\"A\",\"n\":\"x\"}]}]}]}}";
    assert_int_equal(read_doc(f, doc, 0, msg, &off), -1);
    assert_non_null(strstr(msg, "body.people[0].sex: '7' is not a sex"));
    assert_non_null(strstr(msg, "body.people[0].visits[0].in: '2025/06/01' is not a datetime "
                                "written yyyyMMdd HHmm or yyyy-MM-dd"));
    assert_non_null(strstr(msg, "body.people[0].visits[0].items[0].n: 'x' for quantity"));
    assert_int_equal(off, (size_t)(strstr(doc, "\"7\"") - doc)); /* the first problem's value */
    /* a missing required field: the record's path */
    doc = "{\"body\":{\"people\":[{\"sex\":\"1\",\"visits\":[{\"vid\":\"V1\"}]}]}}";
    assert_int_equal(read_doc(f, doc, 0, msg, &off), -1);
    assert_non_null(strstr(msg, "body.people[0].visits[0]: missing required field 'person_id'"));
    /* not JSON; not where the claims are */
    assert_int_equal(read_doc(f, "{\"body\":", 0, msg, &off), -1);
    assert_non_null(strstr(msg, "invalid JSON"));
    assert_int_equal(read_doc(f, "{\"x\":1}", 0, msg, &off), -1);
    assert_string_equal(msg, "body: missing (the claims are at body.people[].visits[])");
    /* strict: an unknown key rejects the document */
    doc = "{\"body\":{\"people\":[],\"extra\":1}}";
    assert_int_equal(read_doc(f, doc, 0, msg, &off), 0);
    assert_int_equal(f->w.nclaims, 0);
    assert_int_equal(read_doc(f, doc, 1, msg, &off), -1);
    assert_non_null(strstr(msg, "body.extra: 'extra' is read by no field of input t"));
}

/* The profile's own parser and json-c alone (w.jsonc_only) read the same:
 * result, message, offset, claims and the last claim's canonical text. */
static void test_parser_agrees_with_jsonc(void **state) {
    Fx *f = *state;
    static const char *docs[] = {
        /* strict JSON: the fast path */
        "{\"body\":{\"people\":[{\"pid\":\"P\\u00e9\\n\",\"sex\":\"1\",\"visits\":[{\"vid\":\"V1\","
        "\"total\":1e2,\"items\":[{\"code\":\"A\\/B\",\"n\":2,\"p\":\"1.5\",\"k\":\"1\"},"
        "{\"code\":\"C\",\"n\":1,\"p\":12.50,\"cur\":true}]}]}]}}",
        " {\"body\":{\"people\":{\"pid\":\"P\",\"sex\":null,\"visits\":[]}}} \n",
        /* for json-c: a duplicate key (the last wins), -0, a long integer,
         * a comment, a trailing comma, \u0000, a lone surrogate */
        "{\"body\":{\"people\":[{\"pid\":\"P1\",\"pid\":\"P2\",\"visits\":[{\"vid\":\"V\","
        "\"total\":-0,\"items\":[{\"code\":\"A\",\"n\":1}]}]}]}}",
        "{\"body\":{\"people\":[{\"pid\":\"P\",\"visits\":[{\"vid\":\"V\",\"items\":[{\"code\":"
        "\"A\",\"n\":123456789012345678901}]}]}]}}",
        "/* c */ {\"body\":{\"people\":[{\"pid\":\"P\",\"visits\":[{\"vid\":\"V\",}]}]}}",
        "{\"body\":{\"people\":[{\"pid\":\"P\\u0000Q\\ud800\",\"visits\":[{\"vid\":\"V\"}]}]}}",
        /* errors */
        "{\"body\":",
        "{\"body\":{}} x",
        "null",
        "[1]",
        "{\"body\":{\"people\":[{\"sex\":\"1\","
        "\"visits\":[{\"vid\":\"V\",\"in\":\"bad\"}]}]}}",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        char m1[512], m2[512];
        size_t o1 = 0, o2 = 0;
        f->w.jsonc_only = 0;
        int r1 = read_doc(f, docs[i], 1, m1, &o1);
        size_t n1 = f->w.nclaims;
        char t1[2048];
        claims_text(f, t1, sizeof t1);
        f->w.jsonc_only = 1;
        int r2 = read_doc(f, docs[i], 1, m2, &o2);
        f->w.jsonc_only = 0;
        assert_int_equal(r1, r2);
        if (r1 == -1) {
            assert_string_equal(m1, m2);
            assert_int_equal(o1, o2);
        } else {
            assert_int_equal(n1, f->w.nclaims);
            char t2[2048];
            claims_text(f, t2, sizeof t2);
            assert_string_equal(t1, t2);
        }
    }
    /* the duplicate key: json-c's last value; a comment read by json-c */
    char msg[512], t[2048];
    size_t off;
    assert_int_equal(read_doc(f, docs[2], 0, msg, &off), 0);
    claims_text(f, t, sizeof t);
    assert_non_null(strstr(t, "\"person_id\":\"P2\""));
    assert_int_equal(read_doc(f, docs[4], 0, msg, &off), 0);
    assert_int_equal(f->w.nclaims, 1);
    assert_int_equal(read_doc(f, docs[0], 0, msg, &off), 0);
    claims_text(f, t, sizeof t);
    assert_non_null(strstr(t, "\"person_id\":\"P\xC3\xA9\\n\""));
}

/* One document read twice: built straight from the tree, and the slow way
 * (canonical text read by the schema's reader, w.via_text).  Everything
 * must agree: result, message, offset, the claims' values, the unread keys
 * counted.  Returns whether the direct read went the slow way itself. */
static int direct_vs_text(Fx *f, const char *doc, int strict, size_t max_field) {
    char m[2][512], t[2][4096], n[2][512];
    size_t o[2] = {0, 0}, nc[2];
    int r[2];
    uint64_t slow0 = f->w.nslow, slow = 0;
    for (int k = 0; k < 2; k++) {
        f->w.via_text = k;
        notes_free(&f->notes);
        notes_init(&f->notes, mem_default());
        JsonrOptions jo = {NULL, &f->notes, strict, 0, max_field, 0};
        arena_reset(&f->ar);
        r[k] = prof_read_json(f->pf, &f->w, f->e->json, doc, strlen(doc), &f->ar, &jo, m[k],
                              sizeof m[k], &o[k]);
        if (k == 0) slow = f->w.nslow - slow0;
        nc[k] = f->w.nclaims;
        claims_text(f, t[k], sizeof t[k]);
        size_t at = 0;
        n[k][0] = 0;
        for (size_t i = 0; i < f->notes.n && at < sizeof n[k]; i++)
            at += (size_t)snprintf(n[k] + at, sizeof n[k] - at, "%s %llu;", f->notes.v[i].name,
                                   (unsigned long long)f->notes.v[i].records);
    }
    f->w.via_text = 0;
    assert_int_equal(r[0], r[1]);
    if (r[0]) {
        assert_string_equal(m[0], m[1]);
        assert_int_equal(o[0], o[1]);
    }
    assert_int_equal(nc[0], nc[1]);
    assert_string_equal(t[0], t[1]);
    assert_string_equal(n[0], n[1]);
    return slow != 0;
}

static void test_direct_agrees_with_text(void **state) {
    Fx *f = *state;
#define VISIT(x)                                                                                   \
    "{\"id\":1,\"body\":{\"people\":[{\"pid\":\"P1\",\"sex\":\"2\",\"visits\":[{\"vid\":\"V1\","   \
    "\"type\":\"21\",\"in\":\"20250601 0830\"," x "}]}]}}"
    /* the usual: built directly, and the same values */
    static const char *direct[] = {
        VISIT("\"total\":\"12.5\",\"dx\":[{\"c\":\"K35\",\"m\":\"1\"},{}],\"items\":[{\"code\":"
              "\"A\",\"k\":\"1\",\"n\":\"2.00\",\"p\":\"3.10\",\"cur\":\"0\"},{},{\"code\":\"B\","
              "\"k\":\"--\",\"n\":1,\"p\":6.3,\"cur\":true,\"x\":\"\"}]"),
        VISIT("\"total\":0.5,\"items\":{\"code\":123,\"n\":2.0,\"p\":\"+7\",\"cur\":1}"),
        VISIT("\"total\":\"12\",\"items\":[{\"code\":\"\u836f\",\"n\":-3,\"p\":-0.01}],\"y\":[1]"),
        "{\"body\":{\"people\":{\"pid\":\"P\",\"sex\":\"\u5973\",\"visits\":{\"vid\":\"V\","
        "\"in\":\"2025-06-01\",\"type\":null}}}}",
    };
    for (size_t i = 0; i < sizeof direct / sizeof *direct; i++) {
        assert_false(direct_vs_text(f, direct[i], 0, 0));
        assert_false(direct_vs_text(f, direct[i], 1, 0) && i != 0 && i != 2);
    }
    /* left to the slow way, which says what it said before */
    static const char *slow[] = {
        VISIT("\"total\":1.5e2"),                              /* an amount in exponents */
        VISIT("\"items\":[{\"code\":\"A\\\"B\",\"n\":1}]"),    /* a quote */
        VISIT("\"items\":[{\"code\":\"A\\nB\",\"n\":1}]"),     /* a control character */
        VISIT("\"items\":[{\"code\":\"A\xff\",\"n\":1}]"),     /* not UTF-8 */
        VISIT("\"items\":[{\"code\":\"A\",\"n\":1e0}]"),       /* an integer in exponents */
        VISIT("\"items\":[{\"code\":\"A\",\"n\":\"2.5\"}]"),   /* not an integer */
        VISIT("\"items\":[{\"code\":\"A\",\"p\":\"1.234\"}]"), /* a fraction of a cent */
        VISIT(
            "\"items\":[{\"code\":\"A\",\"k\":\"9\",\"cur\":\"x\"}]"), /* not in the dict; a bool */
        VISIT("\"dx\":[{\"m\":1}]"),                                   /* a required code missing */
        VISIT("\"total\":{\"a\":1}"),                                  /* an object for a value */
        VISIT("\"items\":\"x\""),                                      /* a string for a list */
        "{\"body\":{\"people\":[{\"sex\":\"1\",\"visits\":[{\"vid\":\"V\"}]}]}}", /* no person */
    };
    for (size_t i = 0; i < sizeof slow / sizeof *slow; i++) {
        assert_true(direct_vs_text(f, slow[i], 0, 0));
        assert_true(direct_vs_text(f, slow[i], 1, 0));
    }
    /* a value over the limit of one field */
    assert_false(direct_vs_text(f, direct[0], 0, 19)); /* the admit time read: 19 bytes */
    assert_true(direct_vs_text(f, direct[0], 0, 18));
    assert_true(direct_vs_text(f, VISIT("\"items\":[{\"code\":\"ABCDEFGHIJKLMNOPQRST\"}]"), 0, 19));
#undef VISIT
}

/* Keys that read as paths ("a.b", "x[]") are judged by the path they
 * spell, as a lookup of the whole path would: "body.people" is the array
 * of people, "id.x" is under the ignored "id". */
static void test_unread_pathlike_keys(void **state) {
    Fx *f = *state;
    char msg[512];
    size_t off;
    const char *doc = "{\"body\":{\"people\":[]},\"body.extra\":1,\"id.x\":2,\"q[]\":{\"z\":1},"
                      "\"body.people\":[{\"zz\":1,\"pid\":\"P\"}],\"e\":\"\"}";
    assert_int_equal(read_doc(f, doc, 0, msg, &off), 0);
    char names[256] = "";
    for (size_t i = 0; i < f->notes.n; i++) {
        strcat(names, f->notes.v[i].name);
        strcat(names, ";");
    }
    assert_string_equal(names, "body.extra;q[];body.people[].zz;");
    assert_int_equal(read_doc(f, doc, 1, msg, &off), -1);
    assert_string_equal(msg,
                        "body.extra: 'body.extra' is read by no field of input t; q[]: 'q[]' is "
                        "read by no field of input t; body.people[].zz: 'zz' is read by no "
                        "field of input t");
}

typedef struct Seen {
    int n;
    char text[1024];
} Seen;

static void on_finding(void *ud, const arb_input_finding *f) {
    Seen *s = ud;
    size_t k = strlen(s->text);
    snprintf(s->text + k, sizeof s->text - k, "%zu %s %s %s %s %d;", f->claim, f->finding->claim_id,
             f->finding->rule_id, f->person_id ? f->person_id : "-",
             f->order_no ? f->order_no : "-", f->is_current);
    s->n++;
}

static void test_session_check_input(void **state) {
    (void)state;
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    assert_int_equal(arb_add_file(e, ARB_STDLIB_DIR "/67_drug_sex.rules"), ARB_OK);
    assert_int_equal(arb_compile(e), ARB_OK);
    arb_session *s;
    assert_int_equal(arb_session_new(e, &s), ARB_OK);
    const char *body =
        "{\"infno\":\"3101\",\"inf_time\":\"2025-06-12 09:30:00\",\"input\":{\"data\":{"
        "\"patient_dtos\":{\"patn_id\":\"P1\",\"gend\":\"2\",\"brdy\":\"1980-05-01\","
        "\"fsi_encounter_dtos\":{\"mdtrt_id\":\"M1\",\"med_type\":\"11\","
        "\"adm_date\":\"2025-06-12 09:00:00\",\"fsi_operation_dtos\":\"\","
        "\"fsi_order_dtos\":[{\"rx_id\":\"RX9\",\"hilist_code\":\"XG04CBF019A001010100030\","
        "\"hilist_name\":\"非那雄胺片\",\"cnt\":\"1\",\"pric\":\"3.20\",\"sumamt\":\"3.20\","
        "\"curr_drord_flag\":\"1\"}]}}}}}";
    Seen seen = {0, ""};
    size_t n = 0;
    assert_int_equal(
        arb_session_check_input(s, "nhsa3101", body, strlen(body), 0, on_finding, &seen, &n),
        ARB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(seen.text, "0 M1 DRUG_SEX.1 P1 RX9 1;");
    /* a bad body: ARB_ERR_DATA, the column and the path in the message */
    const char *bad =
        "{\"input\":{\"data\":{\"patient_dtos\":[{\"patn_id\":\"P1\",\"gend\":\"x\"}]}}}";
    assert_int_equal(arb_session_check_input(s, "nhsa3101", bad, strlen(bad), 0, NULL, NULL, &n),
                     ARB_ERR_DATA);
    assert_non_null(strstr(arb_session_errmsg(s), "input.data.patient_dtos[0]"));
    assert_int_equal(strncmp(arb_session_errmsg(s), "column ", 7), 0);
    /* no such profile, or a CSV one */
    assert_int_equal(arb_session_check_input(s, "nosuch", body, strlen(body), 0, NULL, NULL, &n),
                     ARB_ERR_USAGE);
    assert_int_equal(
        arb_session_check_input(s, "his_csv_zh", body, strlen(body), 0, NULL, NULL, &n),
        ARB_ERR_USAGE);
    arb_session_free(s);
    arb_engine_free(e);
}

/* CSV through a profile read a window at a time: a file whose claims'
 * rows are together (over several 1 MiB pieces; quoted cells with line
 * breaks; malformed rows, a row with an invalid UTF-8 byte, a blank line)
 * gives every claim, message, line and row text as the file read whole,
 * at offset 0 and past 4 GiB (the byte offsets in messages moved by the
 * base); a file whose claims' rows are apart is read whole, or refused
 * over the limit, naming the row and how to sort. */
static const char HIS_HEAD[] =
    "住院号,病人ID,性别,出生日期,险种,医疗类别,医院编码,医院等级,科室,主治医生,入院时间,"
    "出院时间,结算时间,总金额,统筹支付,主诊断编码,主诊断名称,项目编码,项目名称,项目类别,"
    "费用时间,数量,单价,金额,开单科室,开单医生,医嘱号,处方号,用药天数,单次用量,频次,"
    "给药途径,备注\n";

static void his_row(FILE *f, unsigned c, unsigned k, const char *note) {
    fprintf(f,
            "Z%05u,P%04u,%s,1979-03-15,城镇职工基本医疗保险,住院,H001,3,普外科,D101,"
            "2025-05-02 08:00:00,2025-05-06 10:00:00,2025-05-06 11:00:00,316.00,200.00,K35.800,"
            "急性阑尾炎,%s,项目%u,药品,2025-05-02 09:00:00,%u,3.20,32.00,普外科,D101,YZ%u,CF%u,"
            "10,5mg,qd,口服,",
            c, c % 977, c % 2 ? "女" : "男", k % 2 ? "XG04CBF019A001010100030" : "002501010150000",
            k, k + 1, c * 10 + k, c);
    if (note)
        fputs(note, f);
    else if (k % 3 == 1)
        fputs("\"第一行\n第二行,\"\"引号\"\"\"", f);
    fputc('\n', f);
}

typedef struct Read1 {
    int rc;
    uint64_t line, rawline;
    char msg[512];
    StrBuf text; /* the claims, or the row's text */
} Read1;

static void read1(arb_engine *e, const ProfCsv *c, size_t i, Read1 *r) {
    ProfWork w;
    prof_work_init(&w, mem_default());
    Arena ar;
    arena_init(&ar, mem_default(), 1 << 12);
    sb_init(&r->text, mem_default());
    r->rc = prof_csv_get(c, i, &w, e->json, &ar, NULL, r->msg, sizeof r->msg, &r->line);
    for (size_t k = 0; r->rc == 0 && k < w.nclaims; k++) {
        jsonw_record(e->prog->claim, w.claims[k], &r->text);
        sb_putc(&r->text, '\n');
    }
    const char *p;
    size_t n;
    prof_csv_raw(c, i, &p, &n, &r->rawline);
    sb_putn(&r->text, p, n);
    arena_free(&ar);
    prof_work_free(&w);
}

static void same_claim(arb_engine *e, const ProfCsv *whole, const ProfCsv *st, size_t i,
                       uint64_t base, int *saw_bad) {
    Read1 a, b;
    read1(e, whole, i, &a);
    read1(e, st, i, &b);
    assert_int_equal(a.rc, b.rc);
    assert_int_equal(a.line, b.line);
    assert_int_equal(a.rawline, b.rawline);
    assert_int_equal(a.text.len, b.text.len);
    assert_memory_equal(a.text.p, b.text.p, a.text.len);
    char *at = a.rc ? strstr(a.msg, "at byte ") : NULL;
    if (at) { /* the offset moved by the base */
        char want[600];
        unsigned long long off = strtoull(at + 8, NULL, 10);
        snprintf(want, sizeof want, "%.*sat byte %llu", (int)(at - a.msg), a.msg, off + base);
        assert_string_equal(want, b.msg);
        *saw_bad = 1;
    } else if (a.rc) {
        assert_string_equal(a.msg, b.msg);
    }
    sb_free(&a.text);
    sb_free(&b.text);
}

static void test_csv_stream(void **state) {
    (void)state;
    arb_config cfg;
    arb_config_init(&cfg);
    cfg.stdlib_dir = ARB_STDLIB_DIR;
    arb_engine *e;
    assert_int_equal(arb_engine_new(&cfg, &e), ARB_OK);
    assert_int_equal(arb_add_file(e, ARB_STDLIB_DIR "/67_drug_sex.rules"), ARB_OK);
    assert_int_equal(arb_compile(e), ARB_OK);
    const Prof *P = engine_profile(e, "his_csv_zh");
    assert_non_null(P);
    char dir[] = "/tmp/arb_profcsv_XXXXXX", path[64], apart[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/in.csv", dir);
    snprintf(apart, sizeof apart, "%s/apart.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(HIS_HEAD, f);
    unsigned n = 6000;
    size_t want = 0;
    for (unsigned c = 0; c < n; c++) {
        for (unsigned k = 0; k < 1 + c % 4; k++) {
            his_row(f, c, k, c == 4321 && k == 1 ? "\xff\xfe" : NULL); /* undecodable */
        }
        want++;
        if (c % 1000 == 999) fputs("Z09999,too,few,cells\n", f), want++; /* a claim of its own */
        if (c == 2000) fputs("\n", f);                                   /* a blank line */
        if (c == 3000) fputs(",P1,女\n", f), want++;                     /* no key */
    }
    fclose(f);
    char err[1024];
    ProfCsv *whole, *st;
    if (prof_csv_open(&whole, P, path, TC_UTF8, mem_default(), err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(prof_csv_count(whole), want);
    assert_int_equal(prof_csv_streamed(whole), 0);
    uint64_t bases[] = {0, (uint64_t)5 << 30};
    for (int bi = 0; bi < 2; bi++) {
        if (prof_csv_open_stream(&st, P, path, TC_UTF8, 0, bases[bi], mem_default(), err,
                                 sizeof err))
            fail_msg("%s", err);
        assert_int_equal(prof_csv_streamed(st), 1);
        assert_int_equal(prof_csv_count(st), want);
        assert_true(prof_csv_bytes(st) > ((uint64_t)2 << 20)); /* several pieces */
        assert_int_equal(prof_csv_bytes(st), prof_csv_bytes(whole));
        int saw_bad = 0;
        size_t win = 397; /* windows that split a piece anywhere */
        for (size_t from = 0; from < want; from += win) {
            size_t to = from + win < want ? from + win : want;
            if (prof_csv_load(st, from, to, err, sizeof err)) fail_msg("%s", err);
            for (size_t i = from; i < to; i++) same_claim(e, whole, st, i, bases[bi], &saw_bad);
        }
        assert_true(saw_bad);
        assert_int_equal(prof_csv_load(st, 0, 1, err, sizeof err), -1); /* in order only */
        prof_csv_free(st);
    }
    /* the rows of a claim apart: read whole when small, refused when big */
    f = fopen(apart, "w");
    assert_non_null(f);
    fputs(HIS_HEAD, f);
    his_row(f, 1, 0, NULL);
    his_row(f, 2, 0, NULL);
    his_row(f, 1, 1, NULL); /* line 4 */
    fclose(f);
    assert_int_equal(
        prof_csv_open_stream(&st, P, apart, TC_UTF8, 0, 0, mem_default(), err, sizeof err), 0);
    assert_int_equal(prof_csv_streamed(st), 0);
    assert_int_equal(prof_csv_count(st), 2);
    prof_csv_free(st);
    assert_int_equal(
        prof_csv_open_stream(&st, P, apart, TC_UTF8, 100, 0, mem_default(), err, sizeof err), -1);
    assert_non_null(
        strstr(err, "apart.csv:4: a row of 住院号 'Z00001' after rows of other claims"));
    assert_non_null(strstr(err, "Sort the rows by the column '住院号'"));
    prof_csv_free(whole);
    unlink(path);
    unlink(apart);
    rmdir(dir);
    arb_engine_free(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax),
        cmocka_unit_test_setup_teardown(test_claims_from_nested_arrays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_name_the_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_agrees_with_jsonc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_direct_agrees_with_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unread_pathlike_keys, setup, teardown),
        cmocka_unit_test(test_session_check_input),
        cmocka_unit_test(test_csv_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
