/* program.c — names of tiers, severities, natures and phases; freeing a
 * program; the disassembler. */
#include "program.h"

#include <string.h>

#include "scalar.h"

#define X(n) #n,
const char *const tier_names[TIER__COUNT] = {ARB_TIERS(X)};
const char *const severity_names[SEV__COUNT] = {ARB_SEVERITIES(X)};
const char *const nature_names[NAT__COUNT] = {ARB_NATURES(X)};
const char *const phase_names[PHASE__COUNT] = {ARB_PHASES(X)};
#undef X

const char *const opcode_names[OPC__COUNT] = {
#define X(name, n, d) #name,
    ARB_OPCODES(X)
#undef X
};

const unsigned char opcode_nargs[OPC__COUNT] = {
#define X(name, n, d) n,
    ARB_OPCODES(X)
#undef X
};

int name_index(const char *const *names, int n, const char *s, size_t len) {
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) return i;
    return -1;
}

void program_free(Program *p) {
    if (!p) return;
    Alloc a = p->ar.alloc;
    for (uint32_t i = 0; i < p->nregexes; i++) regfree(&p->regexes[i]);
    arena_free(&p->ar);
    mem_free(a, p, sizeof(Program));
}
