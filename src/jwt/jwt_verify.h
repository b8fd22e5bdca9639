/* Verification of the HMAC-signed JWTs every area accepts. The token's
 * shape, header and claims are checked strictly, and the signature is
 * compared in constant time (OpenSSL HMAC + CRYPTO_memcmp; libjwt, which
 * signs, compares signatures with strcmp in the version Debian ships).
 * Each failure has its own status so the 401 reply says which check
 * failed. */
#ifndef PGSTACK_JWT_VERIFY_H
#define PGSTACK_JWT_VERIFY_H

#include "core/arena.h"

#include <json-c/json.h>
#include <time.h>

typedef enum {
    JWT_OK = 0,
    JWT_MALFORMED,     /* not three base64url segments of JSON objects */
    JWT_BAD_ALGORITHM, /* alg none, or any algorithm but the configured one */
    JWT_BAD_SIGNATURE,
    JWT_EXPIRED,        /* exp in the past */
    JWT_NOT_YET_VALID,  /* nbf in the future */
    JWT_BAD_TIME_CLAIM, /* exp or nbf not a number */
    JWT_MISSING_ROLE,
    JWT_UNKNOWN_ROLE, /* role not anon, authenticated or service_role */
} jwt_status;

const char *jwt_status_message(jwt_status st);

/* Verifies token with secret and algorithm ("HS256", "HS384", "HS512") at
 * time now. On JWT_OK, *claims is the payload object, owned by the arena. */
jwt_status jwt_verify(arena *a, const char *token, const char *secret, const char *algorithm,
                      time_t now, json_object **claims);

/* The same, also accepting ES256/RS256 tokens signed by a key of keys
 * (JWT_SIGNING_KEYS; jwt_keys.h) that their kid names; keys may be NULL. */
typedef struct jwt_keys jwt_keys;
jwt_status jwt_verify_keys(arena *a, const char *token, const char *secret, const char *algorithm,
                           const jwt_keys *keys, time_t now, json_object **claims);

/* True for the three roles a token may carry. */
int jwt_role_known(const char *role);

#endif
