/* server.h — the Arbiter language server: Language Server Protocol
 * messages in (one JSON-RPC message at a time, without its framing),
 * messages out through a callback.  It keeps the open documents, checks the
 * library a document belongs to with the checker on every change (the same
 * diagnostics as `arbiter lint`), and answers hover, go to definition, find
 * references, completion and document symbols from the checker's symbol
 * index (lang/symindex.h).  It prints nothing and keeps no global state: the
 * stdio loop is lsp/transport.c. */
#ifndef ARB_LSP_SERVER_H
#define ARB_LSP_SERVER_H

#include <stddef.h>

typedef struct LspServer LspServer;

/* Called with each message to send (a complete JSON text, no framing). */
typedef void (*lsp_send_fn)(void *ud, const char *json, size_t len);

typedef struct LspOptions {
    /* directory of the standard library (holding schema.rules); NULL: the
     * default of arb_default_stdlib_dir */
    const char *stdlib_dir;
    /* 1: a document is checked alone (with the schema and what it imports),
     * as `arbiter lint FILE`; 0 (default): with every .rules file of its
     * directory, as `arbiter lint DIR` (so references span the library).
     * The client may also choose with initializationOptions {"library":
     * "file" | "directory"}. */
    int file_only;
    /* directories whose .rules files are checked with every document, the
     * rest of a library that spans directories (a deployment's rules over
     * the standard library's: library_dirs = {"stdlib-rules"}); a client may
     * add some with initializationOptions {"libraryDirs": [...]} */
    const char *const *library_dirs;
    size_t nlibrary_dirs;
} LspOptions;

LspServer *lsp_server_new(const LspOptions *o, lsp_send_fn send, void *ud);
void lsp_server_free(LspServer *s);

/* Handles one message.  Returns 0 to go on, 1 once `exit` was received
 * (then lsp_server_exit_code says how to exit: 0 after `shutdown`, else 1). */
int lsp_server_handle(LspServer *s, const char *json, size_t len);
int lsp_server_exit_code(const LspServer *s);

#endif
