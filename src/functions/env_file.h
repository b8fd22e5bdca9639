/* The environment of the deno functions, written for the runtime as
 * <root>/env/<sha256>.json (mode 0600): the project secrets (opened with
 * the key of secrets.h) and SUPABASE_URL, SUPABASE_ANON_KEY,
 * SUPABASE_SERVICE_ROLE_KEY, SUPABASE_DB_URL when configured. Named by its
 * content, so a change of secrets means a new file and new processes. A
 * worker rebuilds it only when the secrets version moved. */
#ifndef PGSTACK_FUNCTIONS_ENV_FILE_H
#define PGSTACK_FUNCTIONS_ENV_FILE_H

#include "worker/app.h"
#include "core/response.h"

/* The file's hash, or NULL with the reply in res. */
const char *functions_env_file(app_ctx *app, arena *a, const char *secrets_version, response *res);

#endif
