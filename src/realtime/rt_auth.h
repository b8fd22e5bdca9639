/* Tokens on open sockets: verifying a JWT a client sends after the upgrade
 * (a Phoenix join's access_token, an access_token push) into an rt_auth,
 * with the jwt layer's verification (HMAC and JWT_SIGNING_KEYS). */
#ifndef PGSTACK_RT_AUTH_H
#define PGSTACK_RT_AUTH_H

#include "core/arena.h"
#include "core/config.h"
#include "jwt/jwt_keys.h"
#include "realtime/rt_client.h"

#include <json-c/json.h>
#include <time.h>

/* Fills out (malloc'd fields) from token — HMAC-signed with JWT_SECRET or
 * signed by a key of keys (JWT_SIGNING_KEYS; may be NULL); NULL on success,
 * else the reason in Supabase's wording ("JwtSignatureError: ...",
 * "InvalidJWTToken: ..."). */
const char *rt_auth_verify(arena *a, const pgstack_config *cfg, const jwt_keys *keys,
                           const char *token, time_t now, rt_auth *out);

/* Fills out from already verified claims. */
void rt_auth_from_claims(json_object *claims, const char *claims_json, rt_auth *out);

void rt_auth_copy(rt_auth *dst, const rt_auth *src);

/* "role\nclaims": subscribers with equal keys see the same rows, so
 * row-level security is checked once per distinct key (live queries,
 * postgres_changes). */
const char *rt_auth_claim_key(arena *a, const rt_auth *auth);
void rt_auth_clear(rt_auth *a);

#endif
