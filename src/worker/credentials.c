/* Resolving the caller's credentials; see credentials.h. */
#include "worker/credentials.h"

#include "core/json_text.h"
#include "jwt/jwt_verify.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* The token of "Bearer <token>" (scheme case-insensitive, spaces trimmed);
 * "" for an empty token, NULL when the scheme is not Bearer. */
static const char *bearer_token(arena *a, const char *authorization)
{
    const char *p = authorization;
    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "bearer", 6) != 0 || (p[6] && !isspace((unsigned char)p[6])))
        return NULL;
    p += 6;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    return arena_strndup(a, p, n);
}

static bool fail(const char **error, const char *message)
{
    *error = message;
    return false;
}

bool credentials_resolve(request *req, const pgstack_config *cfg, time_t now, auth_ctx *ctx,
                         const char **error)
{
    memset(ctx, 0, sizeof(*ctx));
    const char *token = NULL;
    const char *authorization = request_header(req, "authorization");
    if (authorization) {
        token = bearer_token(req->arena, authorization);
        if (!token)
            return fail(error, "unsupported Authorization scheme: use Bearer");
        if (!*token)
            return fail(error, "empty bearer token");
    } else {
        token = request_header(req, "apikey");
        if (!token)
            token = query_get(&req->query, "apikey");
        if (token && !*token)
            return fail(error, "empty apikey");
    }
    if (!token)
        return true;
    json_object *claims = NULL;
    jwt_status st =
        jwt_verify(req->arena, token, cfg->jwt_secret, cfg->jwt_algorithm, now, &claims);
    if (st != JWT_OK)
        return fail(error, jwt_status_message(st));
    json_object *v;
    ctx->present = true;
    ctx->claims = claims;
    ctx->claims_json = json_text(req->arena, claims);
    json_object_object_get_ex(claims, "role", &v);
    ctx->role = json_object_get_string(v);
    ctx->sub = json_object_object_get_ex(claims, "sub", &v) && json_plain_string(v)
                   ? json_plain_string(v)
                   : "";
    return true;
}
