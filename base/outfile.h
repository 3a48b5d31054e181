/* outfile.h — output files that are replaced whole or not at all.  A regular
 * file (or one that does not exist yet) is written to a temporary file
 * `.NAME.XXXXXX` in the same directory and renamed over NAME when complete,
 * so that an interrupted or failed run leaves the old file (or none), never
 * half of a new one; until the commit the old file is not touched.  "-"
 * (standard output), /dev/null and other files that are not regular (devices,
 * FIFOs, sockets) are written in place and never removed, replaced or
 * truncated.  Functions return 0 or an errno value (never print, keep no
 * global state). */
#ifndef ARB_OUTFILE_H
#define ARB_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "mem.h"

typedef struct OutFile {
    FILE *f;      /* where to write; NULL when not open */
    char *target; /* the file replaced at the commit (temporary case) */
    char *tmp;    /* the temporary file beside it; NULL when written in place */
    size_t target_cap, tmp_cap;
    int is_stdout;
    Alloc alloc;
} OutFile;

/* A closed OutFile (the state after outf_commit and outf_abort as well). */
void outf_init(OutFile *o);
int outf_is_open(const OutFile *o);

/* Opens path for writing: "-" is standard output; an existing file that is
 * not regular is opened in place (no truncation, no creation); otherwise a
 * temporary file is created beside path (beside the file a symbolic link
 * points to), with the mode of the file it replaces (or 0666 less the umask
 * for a new one); a file that may not be written (access W_OK) is not
 * replaced (EACCES).  Nothing is written to path itself before outf_commit.
 * Returns 0, or an errno value (EISDIR for a directory; the errno of mkstemp
 * when the directory cannot hold the temporary file). */
int outf_open(OutFile *o, const char *path, Alloc a);

/* Writes n bytes.  0 or an errno value. */
int outf_write(OutFile *o, const void *p, size_t n);

/* Finishes the file: flushes it (and with sync, fsyncs it), closes it and
 * renames the temporary file over the target.  Standard output is flushed,
 * not closed.  On failure the temporary file is removed and the target left
 * as it was.  The OutFile is closed in any case; committing a closed one
 * does nothing and returns 0. */
int outf_commit(OutFile *o, int sync);

/* Gives up: closes the file and removes the temporary file; the target is
 * left as it was (what was written in place stays written).  Aborting a
 * closed OutFile does nothing. */
void outf_abort(OutFile *o);

/* 1 when a and b both exist and are the same file (same st_dev and st_ino,
 * following symbolic links); "-" is no file.  0 otherwise. */
int outf_same_file(const char *a, const char *b);

/* 1 when writing a and b through outf_open would replace the same file: the
 * same existing regular file, or two paths that do not exist yet naming the
 * same entry of the same directory.  Files written in place (standard output,
 * devices, FIFOs) can be shared: 0. */
int outf_same_target(const char *a, const char *b);

#endif
