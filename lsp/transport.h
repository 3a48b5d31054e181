/* transport.h — the language server's transport: LSP messages framed by
 * Content-Length headers on two file descriptors (the editor's pipes). */
#ifndef ARB_LSP_TRANSPORT_H
#define ARB_LSP_TRANSPORT_H

#include <stddef.h>

#include "server.h"

/* Reads framed messages from `in` and hands them to a server, writing its
 * messages framed to `out`, until `exit` or the end of the input.  Returns
 * the exit code: 0 after shutdown and exit, 1 when the input ended or
 * `exit` came without `shutdown`, 2 on a framing error, 4 when a write
 * failed. */
int lsp_run(int in, int out, const LspOptions *o);

/* Framing, exposed for tests.  A reader of framed messages from a file
 * descriptor. */
typedef struct LspReader {
    int fd;
    char *buf;
    size_t len, cap;
} LspReader;

void lsp_reader_init(LspReader *r, int fd);
void lsp_reader_free(LspReader *r);
/* The next message's body (NUL-terminated, allocated: the caller frees
 * it): 1 with *body and *len set, 0 at the end of the input, -1 on a
 * malformed header, a message cut short or a read error. */
int lsp_read(LspReader *r, char **body, size_t *len);
/* Writes "Content-Length: N\r\n\r\n" and the body; 0, or -1 on error. */
int lsp_write(int fd, const char *body, size_t len);

#endif
