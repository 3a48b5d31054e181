/* commands.h — arbiter commands defined outside main.c.  Each takes the
 * arguments after the command's name and returns the process exit code. */
#ifndef ARB_COMMANDS_H
#define ARB_COMMANDS_H

/* arbiter test RULES... --golden DIR... (cmd_test.c) */
int cmd_test(int argc, char **argv);
/* arbiter diff OLD_RULES NEW_RULES --claims FILE (cmd_test.c) */
int cmd_diff(int argc, char **argv);

/* arbiter gen library --seed S -o DIR (cmd_library.c) */
int cmd_gen_library(int argc, char **argv);
/* arbiter gen claims --library DIR ... (labelled claims; cmd_library.c) */
int cmd_gen_labelled(int argc, char **argv);
/* arbiter score FINDINGS TRUTH (cmd_library.c) */
int cmd_score(int argc, char **argv);

/* arbiter import nhsa KNOWLEDGE_POINTS.json -o DIR (cmd_import.c; the
 * importer is import/): argv[0] is the source, "nhsa" */
int cmd_import(int argc, char **argv);

/* arbiter history init|add|stats|prune|export DB ... (cmd_history.c) */
int cmd_history(int argc, char **argv);

/* arbiter serve --pack LIB.arbpack ... (cmd_serve.c; the service is server/) */
int cmd_serve(int argc, char **argv);

/* arbiter lsp (cmd_lsp.c; the language server is lsp/) */
int cmd_lsp(int argc, char **argv);
/* arbiter fmt [--check] [--diff] FILES... (cmd_fmt.c; the formatter is lang/fmt.c) */
int cmd_fmt(int argc, char **argv);
/* arbiter report FINDINGS --claims CLAIMS -o report.html (cmd_report.c; the
 * builder is report/) */
int cmd_report(int argc, char **argv);

#endif
