/* The functions catalog as a worker reads it: lookups cached in the
 * worker (no database round trip per invocation), dropped when the
 * catalog changes. Two ways to learn of a change, chosen by
 * DB_PREPARED_STATEMENTS as the REST catalog does:
 *  - true (a session of our own): the connection LISTENs on
 *    pgstack_functions, which every deploy, delete, secrets change and
 *    POST /_refresh NOTIFY (sql/0009, sql/0016); pending notifications are
 *    read before each lookup, a reconnect LISTENs again and drops the cache;
 *  - false (PgBouncer in transaction mode): before a lookup, at most every
 *    FUNCTIONS_CATALOG_CHECK_MS, pgstack_functions.catalog_version() is
 *    compared with the last one seen.
 * Also the deployed files of one version. */
#ifndef PGSTACK_FUNCTIONS_CATALOG_H
#define PGSTACK_FUNCTIONS_CATALOG_H

#include "worker/app.h"
#include "core/response.h"

#include <stdbool.h>

typedef struct functions_entry {
    const char *name;
    const char *runtime; /* "deno" | "plv8" */
    bool verify_jwt;
    const char *version;         /* decimal */
    const char *db_function;     /* plv8: schema.fn */
    const char *secrets_version; /* decimal */
} functions_entry;

#define FUNCTIONS_CATALOG_CHANNEL "pgstack_functions"
#define FUNCTIONS_CATALOG_CHECK_MS 1000
#define FUNCTIONS_CACHE_MAX 512 /* names (found or not) cached; then it starts over */

typedef enum { FUNCTIONS_FOUND, FUNCTIONS_MISSING, FUNCTIONS_FAILED } functions_lookup_result;

/* A valid function name: [A-Za-z][A-Za-z0-9_-]*, at most 128 bytes. */
bool functions_name_valid(const char *name);

/* FUNCTIONS_FAILED: the reply (503 or error) is already in res. */
functions_lookup_result functions_catalog_lookup(app_ctx *app, arena *a, const char *name,
                                                 functions_entry *out, response *res);

/* Drops every cached lookup (the next ones ask the database). */
void functions_catalog_invalidate(void);

/* The files of one deployment as JSON text {"path": "<base64url>"}; NULL
 * with the reply in res when the database fails or it is gone. */
const char *functions_catalog_files(app_ctx *app, arena *a, const functions_entry *fn,
                                    response *res);

#endif
