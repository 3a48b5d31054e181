/* fuzz_claim_json.c — libFuzzer target: one JSON Lines record -> the claim
 * reader (plain, and strict with its notes) and the VM running the whole
 * standard library over it in a session; the reader with strings shared
 * must read what it reads without, its fast paths what its reference
 * reading does (values, messages, offsets), every string read valid UTF-8
 * (an error for invalid UTF-8 naming an ill-formed sequence's first byte),
 * and the batch's one-pass scan for the
 * claim id what a pass per key finds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim_ids.h"
#include "fuzz_common.h"
#include "input_notes.h"
#include "json_reader.h"
#include "strmap.h"
#include "utf8.h"

static arb_engine *engine;
static arb_session *session;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    engine = fz_stdlib(0);
    if (arb_session_new(engine, &session) != ARB_OK) abort();
    return 0;
}

/* Whether records a and b of type rt hold the same values (strings by
 * their bytes). */
static int same_record(const RecordType *rt, const Value *a, const Value *b) {
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        if (type_is_string(fd->type.kind)) {
            const ArbStr *x = a[f].s, *y = b[f].s;
            if (!x != !y) return 0;
            if (x && (x->len != y->len || x->hash != y->hash || memcmp(x->data, y->data, x->len)))
                return 0;
        } else if (fd->type.kind == TY_LIST) {
            const ArbList *x = a[f].l, *y = b[f].l;
            if (!x != !y) return 0;
            if (!x) continue;
            if (x->n != y->n || x->width != y->width) return 0;
            for (uint32_t i = 0; i < x->n; i++)
                if (!same_record(fd->type.rec, list_item(x, i), list_item(y, i))) return 0;
        } else if (a[f].i != b[f].i) {
            return 0;
        }
    }
    return 1;
}

/* Whether every string of record a of type rt is valid UTF-8 (the reader
 * checks the text's bytes in runs: utf8_check is the one-at-a-time rule). */
static int all_utf8(const RecordType *rt, const Value *a) {
    for (uint32_t f = 0; f < rt->nfields; f++) {
        const Field *fd = &rt->fields[f];
        if (type_is_string(fd->type.kind)) {
            if (a[f].s && utf8_check(a[f].s->data, a[f].s->len) != UTF8_VALID) return 0;
        } else if (fd->type.kind == TY_LIST && a[f].l) {
            for (uint32_t i = 0; i < a[f].l->n; i++)
                if (!all_utf8(fd->type.rec, list_item(a[f].l, i))) return 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *p = (const char *)data;
    size_t sum = 0;
    arb_session_check_json(session, p, size, ARB_PHASE_ALL, fz_on_finding, &sum);
    /* strict reading, with the fields read as nothing counted */
    Arena ar;
    arena_init(&ar, engine->alloc, 1 << 12);
    InputNotes notes;
    notes_init(&notes, engine->alloc);
    JsonrOptions o = {NULL, &notes, (int)(size & 1), 0, 0, 0};
    const Value *claim;
    char err[256];
    size_t off;
    if (jsonr_parse_ex(engine->json, p, size, &ar, &o, &claim, err, sizeof err, &off) == -1)
        fz_check(off <= size, "an error offset %zu past the record's %zu bytes", off, size);
    /* shared strings change no value (the record read twice, so that the
     * second finds every string of the first in the map) */
    StrMap strings;
    strmap_init_fast(&strings, engine->alloc);
    JsonrOptions so = {&strings, NULL, 0, 0, 0, 0};
    const Value *plain, *shared = NULL;
    int rp = jsonr_parse_ex(engine->json, p, size, &ar, NULL, &plain, err, sizeof err, &off);
    for (int k = 0; k < 2; k++) {
        int rs = jsonr_parse_ex(engine->json, p, size, &ar, &so, &shared, err, sizeof err, &off);
        fz_check(rs == rp, "read with strings shared: %d, without: %d", rs, rp);
        if (rp == 0)
            fz_check(same_record(engine->prog->claim, plain, shared),
                     "strings shared change a value");
    }
    strmap_free(&strings);
    /* the fast paths read what the reference reading does: the same answer,
     * message and offset, the same values (with a field limit of 0..31
     * bytes, from the size, or none, and strict or not) */
    for (int k = 0; k < 2; k++) {
        JsonrOptions fo = {NULL, NULL, (int)(size >> 1 & 1), 0, k ? (size >> 2 & 31) : 0, 0};
        char err_ref[256];
        size_t off_ref = 0;
        const Value *fast = NULL, *ref = NULL;
        int rf = jsonr_parse_ex(engine->json, p, size, &ar, &fo, &fast, err, sizeof err, &off);
        int rr = jsonr_parse_reference(engine->json, p, size, &ar, &fo, &ref, err_ref,
                                       sizeof err_ref, &off_ref);
        fz_check(rf == rr, "fast paths: %d, reference: %d", rf, rr);
        if (rr == 0) {
            fz_check(same_record(engine->prog->claim, fast, ref), "the fast paths change a value");
            fz_check(all_utf8(engine->prog->claim, fast), "a string read is not valid UTF-8");
        } else {
            /* the one error is invalid UTF-8 (its message, not a value
             * quoted in another's): it names the first byte of an
             * ill-formed sequence */
            char want[64];
            size_t wl = (size_t)snprintf(want, sizeof want, "invalid UTF-8 at byte %zu", off),
                   el = strlen(err);
            if (el >= wl && strcmp(err + el - wl, want) == 0 &&
                (el == wl || (el > wl + 2 && memcmp(err + el - wl - 3, "]: ", 3) == 0)) &&
                !strstr(err, "; "))
                fz_check(off < size && data[off] >= 0x80 &&
                             utf8_seq_len(data + off, data + size) == 0,
                         "invalid UTF-8 named at %zu, where a well-formed sequence starts", off);
        }
        if (rr != 0)
            fz_check(off == off_ref && strcmp(err, err_ref) == 0,
                     "the fast paths change the error: %s at %zu, reference %s at %zu", err, off,
                     err_ref, off_ref);
    }
    /* the claim id, a reversal's keys: one pass finds what a pass per key does */
    static const char *const keys[] = {"claim_id", "reversal_of", "status"};
    char out[3][64], one[64];
    JsonTopWant w[3];
    for (int k = 0; k < 3; k++) w[k] = (JsonTopWant){.key = keys[k], .out = out[k], .cap = 64};
    json_top_values(p, size, w, 3);
    for (int k = 0; k < 3; k++) {
        size_t len = 0;
        int rc = json_top_value(p, size, keys[k], one, sizeof one, &len);
        fz_check(w[k].found == (rc > 0 ? rc : 0), "key %s: found %d, alone %d", keys[k], w[k].found,
                 rc);
        fz_check(w[k].found != 1 || (w[k].len == len && memcmp(out[k], one, len) == 0),
                 "key %s: another value", keys[k]);
    }
    notes_free(&notes);
    arena_free(&ar);
    return 0;
}
