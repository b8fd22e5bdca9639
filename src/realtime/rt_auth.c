/* Tokens on open sockets; see rt_auth.h. */
#include "realtime/rt_auth.h"

#include "core/json_text.h"
#include "jwt/jwt_verify.h"

#include <stdlib.h>
#include <string.h>

void rt_auth_from_claims(json_object *claims, const char *claims_json, rt_auth *out)
{
    json_object *v;
    const char *role = json_object_object_get_ex(claims, "role", &v) ? json_plain_string(v) : NULL;
    out->role = strdup(role ? role : "anon");
    out->claims_json = strdup(claims_json ? claims_json : "{}");
    out->exp =
        json_object_object_get_ex(claims, "exp", &v) ? (long long)json_object_get_int64(v) : 0;
}

const char *rt_auth_verify(arena *a, const pgstack_config *cfg, const jwt_keys *keys,
                           const char *token, time_t now, rt_auth *out)
{
    json_object *claims = NULL;
    jwt_status st =
        jwt_verify_keys(a, token, cfg->jwt_secret, cfg->jwt_algorithm, keys, now, &claims);
    if (st == JWT_EXPIRED)
        return "InvalidJWTToken: Token has expired";
    if (st == JWT_BAD_SIGNATURE)
        return "JwtSignatureError: Failed to validate JWT signature";
    if (st != JWT_OK)
        return arena_printf(a, "InvalidJWTToken: %s", jwt_status_message(st));
    rt_auth_from_claims(claims, json_text(a, claims), out);
    return NULL;
}

void rt_auth_copy(rt_auth *dst, const rt_auth *src)
{
    dst->role = src->role ? strdup(src->role) : NULL;
    dst->claims_json = src->claims_json ? strdup(src->claims_json) : NULL;
    dst->exp = src->exp;
}

void rt_auth_clear(rt_auth *a)
{
    free(a->role);
    free(a->claims_json);
    memset(a, 0, sizeof(*a));
}

const char *rt_auth_claim_key(arena *a, const rt_auth *auth)
{
    return arena_printf(a, "%s\n%s", auth->role, auth->claims_json);
}
