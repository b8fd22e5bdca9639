/* The functions catalog as a worker reads it: one lookup per invocation
 * (always the newest deployment, so a deploy, a delete or `_refresh` is
 * seen by the next request on every worker and host), the list, and the
 * deployed files of one version. */
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

typedef enum { FUNCTIONS_FOUND, FUNCTIONS_MISSING, FUNCTIONS_FAILED } functions_lookup_result;

/* A valid function name: [A-Za-z][A-Za-z0-9_-]*, at most 128 bytes. */
bool functions_name_valid(const char *name);

/* FUNCTIONS_FAILED: the reply (503 or error) is already in res. */
functions_lookup_result functions_catalog_lookup(app_ctx *app, arena *a, const char *name,
                                                 functions_entry *out, response *res);

/* The files of one deployment as JSON text {"path": "<base64url>"}; NULL
 * with the reply in res when the database fails or it is gone. */
const char *functions_catalog_files(app_ctx *app, arena *a, const functions_entry *fn,
                                    response *res);

#endif
