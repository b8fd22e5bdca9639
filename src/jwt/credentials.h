/* The caller of a request: resolved from `Authorization: Bearer <jwt>`,
 * the `apikey` header or the `?apikey=` parameter. When Authorization is
 * present its JWT is validated first and decides (spec); a bad one is never
 * silently replaced by the apikey. */
#ifndef PGSTACK_CREDENTIALS_H
#define PGSTACK_CREDENTIALS_H

#include "core/config.h"
#include "core/request.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <time.h>

typedef struct auth_ctx {
    bool present;            /* the request carried credentials */
    const char *role;        /* anon | authenticated | service_role */
    const char *sub;         /* "" when the token has none */
    const char *claims_json; /* the verified payload as compact JSON */
    json_object *claims;     /* the same, owned by the request arena */
} auth_ctx;

/* Fills ctx. Returns true when the credentials are valid or absent; false
 * with a 401 message when they are present but unusable. */
bool credentials_resolve(request *req, const pgstack_config *cfg, time_t now, auth_ctx *ctx,
                         const char **error);

#define CREDENTIALS_MISSING_MESSAGE                                                                \
    "missing credentials: send an apikey header or an Authorization: Bearer token"

#endif
