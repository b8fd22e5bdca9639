/* The `pgstack` admin command's subcommands. Each returns the exit status. */
#ifndef PGSTACK_CLI_H
#define PGSTACK_CLI_H

#include "core/config.h"

int cli_migrate(int argc, char **argv);
int cli_keygen(int argc, char **argv);
int cli_config(int argc, char **argv);

/* Every configuration section: core's and each area's. */
const config_section *const *cli_config_sections(size_t *count);

#endif
