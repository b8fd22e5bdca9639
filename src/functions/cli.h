/* `pgstack functions ...`: deploy, delete and list functions, and manage
 * the project secrets, in the database (the source of truth every host
 * serves from). Every subcommand takes --database-url URL in any position
 * (default: DATABASE_URL of the configuration; deploying needs a role that
 * owns pgstack_functions, such as the one that ran the migrations). */
#ifndef PGSTACK_FUNCTIONS_CLI_H
#define PGSTACK_FUNCTIONS_CLI_H

int functions_cli(int argc, char **argv);

#endif
