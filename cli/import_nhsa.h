/* import_nhsa.h — `arbiter import nhsa` (import_nhsa.c): the national
 * knowledge points (NHSA 两库, knowledge_points.json) into tables for the
 * standard library's categories and rule files for the others. */
#ifndef ARB_IMPORT_NHSA_H
#define ARB_IMPORT_NHSA_H

/* arbiter import nhsa KNOWLEDGE_POINTS.json -o DIR: takes the arguments after
 * `import` (argv[0] is the source, "nhsa") and returns the exit code. */
int cmd_import(int argc, char **argv);

#endif
