/* pack.h — rule packs: a compiled Program in one versioned, checksummed file.
 *
 * A pack holds everything the runtime needs — schema, categories, tables,
 * rules, bytecode, constants, sets, message templates, the item-code index
 * layout — and the list of source files it was built from with their hashes.
 * Loading maps the file (mmap) and uses its strings and bytecode in place;
 * pointer arrays (table rows, constants) are rebuilt; tables' key indexes
 * (slots and rowids) are used in place, checked against the rows by the
 * verifier.  The loader needs no compiler and no LLVM. */
#ifndef ARB_PACK_H
#define ARB_PACK_H

#include "program.h"
#include "strbuf.h"

#define PACK_MAGIC "ARBPACK"
#define PACK_FORMAT                                                                                \
    13 /* 2: HISTORY, STARTS; 3: LUACALL, Lua modules; 4: regex columns, MATCHESR; 5: operand      \
          vectors, code shared by the rules of a shape; 6: LEAST, GREATEST; 7: EVRESET, EVIDENCE;  \
          8: enum codes, derived fields' formulas; 9: a rule's matched row (Rule.row_slot);        \
          10: input profiles (profile.h); 11: key prefix tables; 12: the report                    \
          configuration (report_cfg.h); 13: tables' key indexes stored as built */

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

/* Writes p (and the list of sources) as a pack into out: the bytes
 * pack_write writes to a file.  Returns 0, or -1 when out of memory. */
int pack_write_mem(const Program *p, const PackSource *sources, size_t nsources, StrBuf *out,
                   uint64_t *checksum);

/* Loads a pack.  Refuses files of another format version, damaged files
 * (checksum) and anything that is not a pack, with a message in err.  The
 * sources the pack lists are returned (valid while the program lives). */
Program *pack_load(const char *path, Alloc a, const PackSource **sources, size_t *nsources,
                   uint64_t *checksum, char *err, size_t errcap);

/* pack_load of a pack held in memory, data[0..size) (8-byte aligned),
 * named `name` in messages.  The program points into data, which must
 * outlive it (it is not freed with the program). */
Program *pack_load_mem(const void *data, size_t size, const char *name, Alloc a,
                       const PackSource **sources, size_t *nsources, uint64_t *checksum, char *err,
                       size_t errcap);

/* Rewrites the length and checksum in the header of pack[0..size) to those
 * of the content after it (for tests and fuzzing: a changed pack that still
 * reaches the loader's checks of its content). */
void pack_seal(void *pack, size_t size);

#endif
