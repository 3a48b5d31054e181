/* explain.h — the `arbiter explain` command. */
#ifndef ARB_CLI_EXPLAIN_H
#define ARB_CLI_EXPLAIN_H

/* argv holds the arguments after "explain". Returns the exit code. */
int cmd_explain(int argc, char **argv);

#endif
