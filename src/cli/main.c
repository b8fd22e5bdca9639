/* pgstack: the admin command. `pgstack migrate` applies the SQL migrations,
 * `pgstack keygen` makes a JWT secret and the anon / service_role keys,
 * `pgstack config` lists the configuration keys,
 * `pgstack functions` deploys edge functions and sets their secrets,
 * `pgstack storage cleanup` sweeps expired uploads and stale renders. */
#include "autoconfig.h"
#include "cli/cli.h"
#include "functions/cli.h"
#include "storage/tus_cleanup.h"

#include <stdio.h>
#include <string.h>

static int usage(FILE *out)
{
    fputs("usage: pgstack migrate [--database-url URL] [--dir DIR] [--status]\n"
          "       pgstack keygen [--secret SECRET]\n"
          "       pgstack config list | get KEY\n"
          "       pgstack doctor [--url URL] [--run-dir DIR] [--database-url URL] [--dir DIR]\n"
          "       pgstack functions deploy|delete|list|secrets ... (pgstack functions help)\n"
          "       pgstack storage cleanup [--database-url URL]\n"
          "       pgstack --version\n",
          out);
    return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "migrate") == 0)
        return cli_migrate(argc - 1, argv + 1);
    if (strcmp(argv[1], "doctor") == 0)
        return cli_doctor(argc - 1, argv + 1);
    if (strcmp(argv[1], "config") == 0)
        return cli_config(argc - 1, argv + 1);
    if (strcmp(argv[1], "keygen") == 0)
        return cli_keygen(argc - 1, argv + 1);
    if (strcmp(argv[1], "functions") == 0)
        return functions_cli(argc - 1, argv + 1);
    if (strcmp(argv[1], "storage") == 0)
        return storage_cli(argc - 1, argv + 1);
    if (strcmp(argv[1], "--version") == 0) {
        printf("pgstack %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
        return usage(stdout);
    fprintf(stderr, "pgstack: unknown command %s\n", argv[1]);
    return usage(stderr);
}
