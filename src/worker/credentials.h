/* The caller of a request: resolved from `Authorization: Bearer <jwt>`,
 * the `apikey` header or the `?apikey=` parameter. When Authorization is
 * present its JWT is validated first and decides (spec); a bad one is never
 * silently replaced by the apikey. A worker keeps the tokens it verified in
 * a small cache (keyed by a hash of the algorithm, the secret and the
 * token; an entry serves only between the token's nbf and exp), so a
 * client's next request skips decoding and the HMAC. */
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

/* The same with the JWT_SIGNING_KEYS set given (NULL: HMAC only) instead
 * of the worker's (req->app): for the realtime daemon, which has no app. */
struct jwt_keys;
bool credentials_resolve_keys(request *req, const pgstack_config *cfg, const struct jwt_keys *keys,
                              time_t now, auth_ctx *ctx, const char **error);

/* The verified claims of req's caller as an object owned by the request
 * arena (an empty object when the request has no credentials). */
json_object *credentials_claims(request *req);

#define CREDENTIALS_MISSING_MESSAGE                                                                \
    "missing credentials: send an apikey header or an Authorization: Bearer token"

#endif
