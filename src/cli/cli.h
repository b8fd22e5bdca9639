/* The `pgstack` admin command's subcommands. Each returns the exit status. */
#ifndef PGSTACK_CLI_H
#define PGSTACK_CLI_H

#include "core/config.h"

#include <libpq-fe.h>

int cli_migrate(int argc, char **argv);
int cli_keygen(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_doctor(int argc, char **argv);

/* How many migrations of dir are not applied, or were changed after they
 * were applied, on pg (their names in detail); -1 with the reason in detail
 * when that cannot be told. */
int cli_migrations_pending(PGconn *pg, const char *dir, char *detail, size_t len);

/* Every configuration section: core's and each area's. */
const config_section *const *cli_config_sections(size_t *count);

#endif
