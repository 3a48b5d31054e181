/* fuzz_pack.c — libFuzzer target: a rule pack -> load and verify.  The
 * target makes the header's length and checksum right for whatever content
 * follows (pack_seal), so that changed bytes reach the loader's checks and
 * the verifier, not just the checksum.  A pack that loads must be safe to
 * run: a few claims go through the VM with it; written again, it must load
 * again. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "json_reader.h"
#include "pack.h"
#include "vm.h"

static void run(const Program *q) {
    JsonReader *jr = jsonr_new(q->claim, mem_default());
    if (!jr) return;
    VM vm;
    if (vm_init(&vm, q, mem_default()) == 0) {
        for (size_t i = 0; i < FZ_NCLAIMS; i++) {
            Arena ar;
            arena_init(&ar, mem_default(), 1 << 12);
            const Value *c;
            char msg[256];
            size_t off;
            if (jsonr_parse(jr, fz_claims[i], strlen(fz_claims[i]), &ar, &c, msg, sizeof msg,
                            &off) == 0) {
                vm_clear(&vm);
                vm_check_claim(&vm, (Value *)c, PHASE_ALL, &ar);
            }
            arena_free(&ar);
        }
        vm_free(&vm);
    }
    jsonr_free(jr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 64) return 0;
    uint64_t *pack = malloc(size + 8); /* 8-byte aligned, as a mapping is */
    if (!pack) abort();
    memcpy(pack, data, size);
    pack_seal(pack, size);
    const PackSource *src;
    size_t nsrc;
    uint64_t sum;
    char err[512];
    Program *q = pack_load_mem(pack, size, "fuzz.arbpack", mem_default(), &src, &nsrc, &sum, err,
                               sizeof err);
    if (q) {
        for (size_t i = 0; i < nsrc; i++) fz_check(src[i].path != NULL, "a source without a path");
        run(q);
        StrBuf b;
        sb_init(&b, mem_default());
        uint64_t again;
        fz_check(pack_write_mem(q, src, nsrc, &b, &again) == 0, "pack_write_mem: out of memory");
        uint64_t *copy = malloc(b.len + 8);
        if (!copy) abort();
        memcpy(copy, b.p, b.len);
        Program *r = pack_load_mem(copy, b.len, "again.arbpack", mem_default(), &src, &nsrc, &again,
                                   err, sizeof err);
        fz_check(r != NULL, "a pack that loaded, written again, is refused: %s", err);
        program_free(r);
        free(copy);
        sb_free(&b);
        program_free(q);
    }
    free(pack);
    return 0;
}
