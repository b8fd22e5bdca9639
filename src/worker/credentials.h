/* The caller of a request: resolved from `Authorization: Bearer <jwt>`,
 * the `apikey` header or the `?apikey=` parameter. When Authorization is
 * present its JWT is validated first and decides (spec); a bad one is never
 * silently replaced by the apikey. */
#ifndef PGSTACK_WORKER_CREDENTIALS_H
#define PGSTACK_WORKER_CREDENTIALS_H

#include "core/auth_ctx.h"
#include "core/config.h"
#include "core/request.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <time.h>

/* Fills ctx. Returns true when the credentials are valid or absent; false
 * with a 401 message when they are present but unusable. */
bool credentials_resolve(request *req, const pgstack_config *cfg, time_t now, auth_ctx *ctx,
                         const char **error);

#define CREDENTIALS_MISSING_MESSAGE                                                                \
    "missing credentials: send an apikey header or an Authorization: Bearer token"

#endif
