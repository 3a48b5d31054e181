/* test_pack.c — rule packs: a program survives writing and loading with its
 * shared code and operand vectors intact, and a pack whose content is
 * well-formed but whose code or operands are not (as a crafted pack would
 * be; the checksum is recomputed by the writer) is refused by the verifier,
 * never run; tables' key indexes are stored as built and a wrong one is
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "compile.h"
#include "json_reader.h"
#include "pack.h"
#include "vm.h"

/* Three rules of one shape (written once per item code) and one of its own. */
static const char *const RULES =
    "schema line { line_no int key  item_code code required  amount money at_risk }\n"
    "schema claim { claim_id code key  age int  lines list of line }\n"
    "category C \"c\" { code \"X\" }\n"
    "rule R.1 in C for line in claim.lines when line.item_code == \"A1\" and claim.age >= 6\n"
    "  flag line message \"{line.item_code} under 6\"\n"
    "rule R.2 in C for line in claim.lines when line.item_code == \"A2\" and claim.age >= 12\n"
    "  flag line message \"{line.item_code} under 12\"\n"
    "rule R.3 in C for line in claim.lines when line.item_code == \"A3\" and claim.age >= 6\n"
    "  flag line message \"{line.item_code} under 6\"\n"
    "rule S.1 in C when count(x in claim.lines where x.amount > 100.00) > 2 flag claim\n";

typedef struct Fix {
    SourceList src;
    DiagList diags;
    Program *p;
    char path[64];
} Fix;

static int setup(void **state) {
    static Fix f;
    memset(&f, 0, sizeof f);
    sources_init(&f.src, mem_default());
    diag_init(&f.diags, mem_default());
    int file = sources_add_text(&f.src, "t.rules", RULES, strlen(RULES));
    f.p = check_build(mem_default(), &f.src, &file, 1, &f.diags, 0);
    if (!f.p) return -1;
    snprintf(f.path, sizeof f.path, "/tmp/arb_test_pack_%ld.arbpack", (long)getpid());
    *state = &f;
    return 0;
}

static int teardown(void **state) {
    Fix *f = *state;
    program_free(f->p);
    sources_free(&f->src);
    diag_free(&f->diags);
    unlink(f->path);
    return 0;
}

/* Writes f's program and loads it back; NULL (with the reason in err) when
 * the loader refuses it. */
static Program *round_trip(Fix *f, char *err, size_t errcap) {
    uint64_t written, loaded;
    char werr[256];
    if (pack_write(f->p, NULL, 0, f->path, &written, werr, sizeof werr) != 0)
        fail_msg("cannot write: %s", werr);
    const PackSource *src;
    size_t nsrc;
    Program *q = pack_load(f->path, mem_default(), &src, &nsrc, &loaded, err, errcap);
    if (q) assert_true(written == loaded);
    return q;
}

static void test_shared_code_survives(void **state) {
    Fix *f = *state;
    const Program *p = f->p;
    assert_int_equal(p->nrules, 4);
    /* R.1..R.3 share one copy of code; S.1 has its own */
    assert_int_equal(p->rules[1].entry, p->rules[0].entry);
    assert_int_equal(p->rules[2].entry, p->rules[0].entry);
    assert_true(p->rules[3].entry != p->rules[0].entry);
    /* equal constants (6) and equal messages are stored once */
    const int32_t *o1 = rule_ops(p, &p->rules[0]), *o3 = rule_ops(p, &p->rules[2]);
    assert_int_equal(p->rules[0].nops, p->rules[2].nops);
    int same = 0, differ = 0;
    for (uint32_t k = 0; k < p->rules[0].nops; k++) o1[k] == o3[k] ? same++ : differ++;
    assert_true(same > 0);   /* the age limit and the message */
    assert_true(differ > 0); /* the item code */
    char err[512];
    Program *q = round_trip(f, err, sizeof err);
    if (!q) fail_msg("refused: %s", err);
    assert_int_equal(q->nrules, p->nrules);
    assert_int_equal(q->ncode, p->ncode);
    assert_memory_equal(q->code, p->code, p->ncode * sizeof(int32_t));
    assert_int_equal(q->nops, p->nops);
    assert_memory_equal(q->ops, p->ops, p->nops * sizeof(int32_t));
    for (uint32_t i = 0; i < p->nrules; i++) {
        assert_int_equal(q->rules[i].entry, p->rules[i].entry);
        assert_int_equal(q->rules[i].ops, p->rules[i].ops);
        assert_int_equal(q->rules[i].nops, p->rules[i].nops);
    }
    assert_int_equal(q->prepare_ops, p->prepare_ops);
    assert_int_equal(q->prepare_nops, p->prepare_nops);
    assert_int_equal(q->nconsts, p->nconsts);
    assert_int_equal(q->ntemplates, p->ntemplates);
    program_free(q);
}

/* Changes one word, writes and loads the pack, puts the word back, and
 * expects the load refused for `why`. */
static void expect_refused(Fix *f, int32_t *word, int32_t value, const char *why) {
    int32_t saved = *word;
    *word = value;
    char err[512];
    Program *q = round_trip(f, err, sizeof err);
    *word = saved;
    if (q) {
        program_free(q);
        fail_msg("loaded a pack with %s", why);
    }
    if (!strstr(err, "does not verify") || !strstr(err, why))
        fail_msg("wanted '%s', got '%s'", why, err);
}

static void test_bad_operands_are_refused(void **state) {
    Fix *f = *state;
    Program *p = f->p;
    /* the third rule shares the first one's code: only its operands differ */
    const Rule *r = &p->rules[2];
    uint32_t pc = r->entry;
    while (p->code[pc] != OPC_CONST) pc += 1 + opcode_nargs[p->code[pc]];
    int32_t slot = p->code[pc + 1];
    expect_refused(f, &p->ops[r->ops + slot], (int32_t)p->nconsts, "constant out of range");
    expect_refused(f, &p->ops[r->ops + slot], -5, "constant out of range");
    while (p->code[pc] != OPC_FLAG) pc += 1 + opcode_nargs[p->code[pc]];
    expect_refused(f, &p->ops[r->ops + p->code[pc + 2]], (int32_t)p->ntemplates,
                   "message out of range");
    expect_refused(f, &p->code[pc + 2], (int32_t)r->nops, "outside the operand vector");
    expect_refused(f, (int32_t *)&p->rules[2].nops, (int32_t)p->nops,
                   "operand vector out of range");
    /* and with every word put back, the pack loads */
    char err[512];
    Program *q = round_trip(f, err, sizeof err);
    if (!q) fail_msg("refused: %s", err);
    program_free(q);
}

/* An index listing a rule that does not exist, or one of another index,
 * is damage: refused before anything runs. */
static void test_bad_index_is_refused(void **state) {
    Fix *f = *state;
    Program *p = f->p;
    assert_true(p->nindexes >= 1);
    Table *kt = p->indexes[0].keys;
    assert_true(kt->nrows >= 1);
    Value *cell = &kt->rows[1]; /* row 0, the rule */
    int64_t saved = cell->i;
    int64_t bad[] = {(int64_t)p->nrules, -1, 3 /* S.1: not indexed */};
    for (int i = 0; i < 3; i++) {
        cell->i = bad[i];
        char err[512];
        Program *q = round_trip(f, err, sizeof err);
        cell->i = saved;
        if (q) {
            program_free(q);
            fail_msg("loaded a pack whose index lists rule %lld", (long long)bad[i]);
        }
        if (!strstr(err, "is damaged")) fail_msg("wanted 'is damaged', got '%s'", err);
    }
    char err[512];
    Program *q = round_trip(f, err, sizeof err);
    if (!q) fail_msg("refused: %s", err);
    program_free(q);
}

/* Bytes of a pack changed at random, with the checksum made right again (as
 * someone crafting a pack would): the loader refuses the pack with a
 * message, or what it loads runs over claims without a fault. */
static void test_crafted_packs_never_crash(void **state) {
    Fix *f = *state;
    char err[512];
    uint64_t sum;
    assert_int_equal(pack_write(f->p, NULL, 0, f->path, &sum, err, sizeof err), 0);
    FILE *in = fopen(f->path, "rb");
    assert_non_null(in);
    unsigned char *orig = malloc(1 << 20), *buf = malloc(1 << 20);
    size_t n = fread(orig, 1, 1 << 20, in);
    fclose(in);
    assert_true(n > 64 && n < (1 << 20));
    static const char *const CLAIM =
        "{\"claim_id\":\"c1\",\"age\":3,\"lines\":[{\"line_no\":1,\"item_code\":\"A1\","
        "\"amount\":150.00},{\"line_no\":2,\"item_code\":\"A2\",\"amount\":120.00},"
        "{\"line_no\":3,\"item_code\":\"A3\",\"amount\":101.00}]}";
    uint64_t rng = 0x2545F4914F6CDD1Dull;
    int loaded = 0, refused = 0;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, orig, n);
        int k = 1 + (int)(rng % 4);
        for (int j = 0; j < k; j++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            size_t at = 64 + (size_t)(rng >> 20) % (n - 64);
            buf[at] = (rng & 1) ? (unsigned char)(rng >> 8)
                                : (unsigned char)(buf[at] ^ (1u << (rng >> 3) % 8));
        }
        uint64_t h = pack_hash(buf + 64, n - 64);
        memcpy(buf + 24, &h, 8);
        FILE *out = fopen(f->path, "wb");
        assert_non_null(out);
        assert_int_equal(fwrite(buf, 1, n, out), n);
        fclose(out);
        const PackSource *src;
        size_t nsrc;
        uint64_t got;
        Program *q = pack_load(f->path, mem_default(), &src, &nsrc, &got, err, sizeof err);
        if (!q) {
            assert_true(strstr(err, "rebuild it") != NULL); /* a message, not a fault */
            refused++;
            continue;
        }
        loaded++;
        JsonReader *jr = jsonr_new(q->claim, mem_default());
        assert_non_null(jr);
        Arena ar;
        arena_init(&ar, mem_default(), 1 << 12);
        const Value *c;
        char msg[128];
        size_t off;
        VM vm;
        if (jsonr_parse(jr, CLAIM, strlen(CLAIM), &ar, &c, msg, sizeof msg, &off) == 0 &&
            vm_init(&vm, q, mem_default()) == 0) {
            vm_check_claim(&vm, (Value *)c, PHASE_ALL, &ar);
            vm_free(&vm);
        }
        arena_free(&ar);
        jsonr_free(jr);
        program_free(q);
    }
    fprintf(stderr, "crafted packs: %d loaded and run, %d refused\n", loaded, refused);
    assert_true(loaded > 0 && refused > 0);
    free(orig);
    free(buf);
}

/* A pack written to memory is the pack written to a file, and loads from
 * memory (the buffer is the caller's, not unmapped); pack_seal makes a
 * changed pack's header right again. */
static void test_pack_in_memory(void **state) {
    Fix *f = *state;
    char err[512];
    uint64_t on_disk, in_mem, got;
    assert_int_equal(pack_write(f->p, NULL, 0, f->path, &on_disk, err, sizeof err), 0);
    StrBuf b;
    sb_init(&b, mem_default());
    assert_int_equal(pack_write_mem(f->p, NULL, 0, &b, &in_mem), 0);
    assert_true(on_disk == in_mem);
    FILE *in = fopen(f->path, "rb");
    assert_non_null(in);
    char *disk = malloc(b.len + 1);
    assert_int_equal(fread(disk, 1, b.len + 1, in), b.len);
    fclose(in);
    assert_memory_equal(disk, b.p, b.len);
    free(disk);
    uint64_t *copy = malloc(b.len + 8); /* 8-byte aligned */
    memcpy(copy, b.p, b.len);
    const PackSource *src;
    size_t nsrc;
    Program *q =
        pack_load_mem(copy, b.len, "mem", mem_default(), &src, &nsrc, &got, err, sizeof err);
    if (!q) fail_msg("refused: %s", err);
    assert_true(got == in_mem);
    assert_int_equal(q->nrules, f->p->nrules);
    program_free(q);
    /* eight bytes fewer: the length is wrong until the pack is sealed, and then
     * the content itself is found short */
    q = pack_load_mem(copy, b.len - 8, "mem", mem_default(), &src, &nsrc, &got, err, sizeof err);
    assert_null(q);
    assert_non_null(strstr(err, "length differs"));
    pack_seal(copy, b.len - 8);
    q = pack_load_mem(copy, b.len - 8, "mem", mem_default(), &src, &nsrc, &got, err, sizeof err);
    assert_null(q);
    assert_non_null(strstr(err, "inconsistent content"));
    free(copy);
    sb_free(&b);
}

/* A copy of pack b (8-byte aligned) changed by `change` at the table
 * index's bytes and sealed; the loader's message when refused, or NULL. */
typedef void (*IndexChange)(unsigned char *pack, const Table *good, size_t slots_at,
                            size_t rowids_at);

static void expect_index_refused(const StrBuf *b, IndexChange change, const char *why) {
    uint64_t *copy = malloc(b->len + 8);
    memcpy(copy, b->p, b->len);
    char err[512];
    const PackSource *src;
    size_t nsrc;
    uint64_t got;
    Program *q =
        pack_load_mem(copy, b->len, "mem", mem_default(), &src, &nsrc, &got, err, sizeof err);
    if (!q) fail_msg("refused: %s", err);
    const Table *kt = q->indexes[0].keys;
    size_t slots_at = (size_t)((const char *)kt->slots - (const char *)copy);
    size_t rowids_at = (size_t)((const char *)kt->rowids - (const char *)copy);
    uint64_t *bad = malloc(b->len + 8);
    memcpy(bad, copy, b->len);
    change((unsigned char *)bad, kt, slots_at, rowids_at);
    program_free(q);
    pack_seal(bad, b->len);
    q = pack_load_mem(bad, b->len, "mem", mem_default(), &src, &nsrc, &got, err, sizeof err);
    if (q) {
        program_free(q);
        fail_msg("loaded a pack whose index is wrong (wanted '%s')", why);
    }
    if (!strstr(err, why)) fail_msg("wanted '%s', got '%s'", why, err);
    free(bad);
    free(copy);
}

/* The first full slot of t at or after from. */
static uint32_t full_slot(const Table *t, uint32_t from) {
    for (uint32_t i = from; i <= t->mask; i++)
        if (t->slots[i].key) return i;
    fail_msg("no full slot");
    return 0;
}

static void flip_hash(unsigned char *pack, const Table *t, size_t slots_at, size_t rowids_at) {
    (void)rowids_at;
    pack[slots_at + (size_t)full_slot(t, 0) * sizeof(TableSlot)] ^= 1;
}

/* A key moved to the slot just before the one its hash points at, where a
 * probe never looks. */
static void move_key(unsigned char *pack, const Table *t, size_t slots_at, size_t rowids_at) {
    (void)rowids_at;
    TableSlot *slots = (TableSlot *)(pack + slots_at);
    for (uint32_t i = 0; i <= t->mask; i++) {
        if (!slots[i].key) continue;
        uint32_t before = ((slots[i].hash & t->mask) - 1) & t->mask;
        if (slots[before].key) continue;
        slots[before] = slots[i];
        slots[i] = (TableSlot){0, 0};
        return;
    }
    fail_msg("no key to move");
}

static void same_key_twice(unsigned char *pack, const Table *t, size_t slots_at, size_t rowids_at) {
    (void)rowids_at;
    TableSlot *slots = (TableSlot *)(pack + slots_at);
    uint32_t a = full_slot(t, 0), b = full_slot(t, a + 1);
    slots[b] = slots[a];
}

static void repeat_row(unsigned char *pack, const Table *t, size_t slots_at, size_t rowids_at) {
    (void)slots_at;
    assert_true(t->nrowids >= 2);
    memcpy(pack + rowids_at + 4, pack + rowids_at, 4);
}

static void row_out_of_range(unsigned char *pack, const Table *t, size_t slots_at,
                             size_t rowids_at) {
    (void)slots_at;
    memcpy(pack + rowids_at + 4 * (size_t)(t->nrowids - 1), &t->nrows, 4);
}

/* Rows 0 and 1 swapped in the rowids: each key (its bytes those of its
 * first row) then sits in the slot of the other's hash. */
static void swap_rows(unsigned char *pack, const Table *t, size_t slots_at, size_t rowids_at) {
    (void)slots_at;
    uint32_t r[2];
    memcpy(r, pack + rowids_at, 8);
    assert_true(t->keys[0].count == 1 && r[0] != r[1]);
    uint32_t s[2] = {r[1], r[0]};
    memcpy(pack + rowids_at, s, 8);
}

/* The key index is stored in the pack as built and used in place: the
 * loaded one is the built one and finds the same rows; one changed in any
 * of these ways (the checksum made right again) is refused by the
 * verifier, not used to miss rows. */
static void test_stored_index(void **state) {
    Fix *f = *state;
    StrBuf b;
    sb_init(&b, mem_default());
    uint64_t sum, got;
    assert_int_equal(pack_write_mem(f->p, NULL, 0, &b, &sum), 0);
    uint64_t *copy = malloc(b.len + 8);
    memcpy(copy, b.p, b.len);
    char err[512];
    const PackSource *src;
    size_t nsrc;
    Program *q =
        pack_load_mem(copy, b.len, "mem", mem_default(), &src, &nsrc, &got, err, sizeof err);
    if (!q) fail_msg("refused: %s", err);
    const Table *built = f->p->indexes[0].keys, *kt = q->indexes[0].keys;
    assert_true((const char *)kt->slots > (const char *)copy &&
                (const char *)kt->slots < (const char *)copy + b.len); /* in place */
    assert_int_equal(kt->mask, built->mask);
    assert_int_equal(kt->nkeys, built->nkeys);
    assert_int_equal(kt->nrowids, built->nrowids);
    assert_memory_equal(kt->slots, built->slots, ((size_t)kt->mask + 1) * sizeof(TableSlot));
    assert_memory_equal(kt->rowids, built->rowids, kt->nrowids * sizeof(uint32_t));
    for (uint32_t k = 0; k < kt->nkeys; k++) { /* the keys as built, bytes kept in them */
        const TableKey *x = &kt->keys[k], *y = &built->keys[k];
        assert_int_equal(x->lenp, y->lenp);
        assert_int_equal(x->first, y->first);
        assert_int_equal(x->count, y->count);
        assert_int_equal(x->row0, y->row0);
        assert_int_equal(x->row0, kt->rowids[x->first]);
        assert_memory_equal(table_key_bytes(x), table_key_bytes(y), table_key_len(x));
        assert_true(table_key_len(x) > TABLE_KEY_INLINE || table_key_bytes(x) == x->b.in);
    }
    assert_true((uintptr_t)kt->keys % 64 == 0);
    static const char *const codes[] = {"A1", "A2", "A3", "A4"};
    for (int i = 0; i < 4; i++) {
        uint32_t n1, n2;
        const uint32_t *r1 = table_find(built, codes[i], 2, 0, &n1);
        const uint32_t *r2 = table_find(kt, codes[i], 2, 0, &n2);
        assert_int_equal(n1, n2);
        assert_int_equal(n2, i < 3 ? 1 : 0);
        if (n2) assert_int_equal(*r1, *r2);
    }
    program_free(q);
    free(copy);
    expect_index_refused(&b, flip_hash, "wrong hash");
    expect_index_refused(&b, move_key, "probe does not reach");
    expect_index_refused(&b, same_key_twice, "key slot out of range");
    expect_index_refused(&b, repeat_row, "repeated");
    expect_index_refused(&b, row_out_of_range, "is damaged"); /* the loader's check */
    expect_index_refused(&b, swap_rows, "wrong hash");
    sb_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_code_survives),
        cmocka_unit_test(test_bad_operands_are_refused),
        cmocka_unit_test(test_bad_index_is_refused),
        cmocka_unit_test(test_crafted_packs_never_crash),
        cmocka_unit_test(test_pack_in_memory),
        cmocka_unit_test(test_stored_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
