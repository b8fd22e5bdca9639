/* The `pgstack` admin command's subcommands. Each returns the exit status. */
#ifndef PGSTACK_CLI_H
#define PGSTACK_CLI_H

int cli_migrate(int argc, char **argv);
int cli_keygen(int argc, char **argv);

#endif
