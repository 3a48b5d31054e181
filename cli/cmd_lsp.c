/* cmd_lsp.c — `arbiter lsp`: the language server over standard input and
 * output (the server is lsp/; this parses the options and runs it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "i18n.h"
#include "transport.h"

static const char *const LSP_HELP =
    N_("usage: arbiter lsp [--stdlib DIR] [--file-only] [--library DIR]...\n"
       "\n"
       "The Arbiter language server: speaks the Language Server Protocol over\n"
       "standard input and output (Content-Length framed JSON-RPC), for editors\n"
       "(editors/vscode, or any LSP client: docs/editors.md). An editor starts it;\n"
       "it is not meant to be typed at.\n"
       "\n"
       "It checks a document on open and on every change with the checker of\n"
       "'arbiter lint' (the same diagnostics, the same positions), and answers hover\n"
       "(fields, columns, enum members, categories, rules, defines), go to definition\n"
       "and find references (rules, tables and their CSV file, categories, defines,\n"
       "schema fields, Lua functions), completion (fields after claim., line., r. by\n"
       "the variable's type; tables, enum members, keywords, categories), document\n"
       "symbols and formatting (as 'arbiter fmt').\n"
       "\n"
       "options:\n"
       "  --stdlib DIR    the standard library (schema.rules); default: ARBITER_STDLIB,\n"
       "                  else the one found beside the program\n"
       "  --file-only     check each document alone, as 'arbiter lint FILE' (default:\n"
       "                  with every .rules file of its directory, as 'arbiter lint DIR',\n"
       "                  so references span the library); a client may also send\n"
       "                  initializationOptions {\"library\": \"file\"|\"directory\"}\n"
       "  --library DIR   also check the .rules files of DIR with every document: the\n"
       "                  rest of a library spread over directories (rules that\n"
       "                  extend the standard library's: --library stdlib-rules);\n"
       "                  repeatable; or initializationOptions {\"libraryDirs\": [...]}\n"
       "\n"
       "exit codes: 0 after the client's shutdown and exit, 1 when the input ends or\n"
       "exit comes without shutdown, 2 on a malformed message header, 4 when writing\n"
       "to standard output fails.\n");

int cmd_lsp(int argc, char **argv) {
    LspOptions o;
    memset(&o, 0, sizeof o);
    o.stdlib_dir = getenv("ARBITER_STDLIB");
    const char *dirs[argc > 0 ? argc : 1];
    o.library_dirs = dirs;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(_(LSP_HELP), stdout);
            return 0;
        } else if (strcmp(argv[i], "--stdlib") == 0 && i + 1 < argc) {
            o.stdlib_dir = argv[++i];
        } else if (strcmp(argv[i], "--library") == 0 && i + 1 < argc) {
            dirs[o.nlibrary_dirs++] = argv[++i];
        } else if (strcmp(argv[i], "--file-only") == 0) {
            o.file_only = 1;
        } else if (strcmp(argv[i], "--stdio") == 0) {
            /* what vscode-languageclient adds for the stdio transport */
        } else {
            return cli_usage_error("lsp", "unknown option or missing value: '%s'", argv[i]);
        }
    }
    cli_ignore_sigpipe(); /* the editor gone: a failed write, exit 4 */
    return lsp_run(STDIN_FILENO, STDOUT_FILENO, &o);
}
