/* pack.h — rule packs: a compiled Program in one versioned, checksummed file.
 *
 * A pack holds everything the runtime needs — schema, categories, tables,
 * rules, bytecode, constants, sets, message templates, the item-code index
 * layout — and the list of source files it was built from with their hashes.
 * Loading maps the file (mmap) and uses its strings and bytecode in place;
 * pointer arrays (table rows, constants) are rebuilt and key indexes
 * re-hashed.  The loader needs no compiler and no LLVM. */
#ifndef ARB_PACK_H
#define ARB_PACK_H

#include "program.h"

#define PACK_MAGIC "ARBPACK"
#define PACK_FORMAT                                                                                \
    10 /* 2: HISTORY, STARTS; 3: LUACALL, Lua modules; 4: regex columns, MATCHESR; 5: operand      \
          vectors, code shared by the rules of a shape; 6: LEAST, GREATEST; 7: EVRESET, EVIDENCE;  \
          8: enum codes, derived fields' formulas; 9: a rule's matched row (Rule.row_slot);        \
          10: input profiles (profile.h) */

/* A source the pack was built from: path and FNV-1a 64 of its bytes. */
typedef struct PackSource {
    const char *path;
    uint64_t hash;
} PackSource;

uint64_t pack_hash(const void *data, size_t n);

/* Writes p (and the list of sources) to path.  Returns 0, or -1 with a
 * message in err. */
int pack_write(const Program *p, const PackSource *sources, size_t nsources, const char *path,
               uint64_t *checksum, char *err, size_t errcap);

/* Loads a pack.  Refuses files of another format version, damaged files
 * (checksum) and anything that is not a pack, with a message in err.  The
 * sources the pack lists are returned (valid while the program lives). */
Program *pack_load(const char *path, Alloc a, const PackSource **sources, size_t *nsources,
                   uint64_t *checksum, char *err, size_t errcap);

#endif
