/* Verification of an OpenID Connect ID token: the provider's signed
 * statement of who signed in, and the only one the callback accepts from
 * an OpenID provider.
 *
 * The signature: RS256 with an RSA key or ES256 with a P-256 key of the
 * provider's JWK Set, the key chosen by kid (without kid: any key of the
 * right type); "none", HMAC (HS256 with a public key as secret) and every
 * other algorithm are refused, as is a header with "crit". Verified with
 * OpenSSL EVP. Then the claims: iss equal to the issuer (a "{tenantid}" in
 * it, as in Microsoft's multi-tenant issuer, stands for the token's tid
 * claim); aud equal to or containing the client id, and with several
 * audiences azp equal to the client id; exp in the future and iat (and
 * nbf) not in the future, ID_TOKEN_LEEWAY_S of clock skew allowed; nonce
 * equal to the one sent with the authorization request; sub a non-empty
 * string. */
#ifndef PGSTACK_AUTH_ID_TOKEN_H
#define PGSTACK_AUTH_ID_TOKEN_H

#include "auth/jwk.h"
#include "core/arena.h"

#include <json-c/json.h>
#include <time.h>

#define ID_TOKEN_LEEWAY_S 60
#define ID_TOKEN_MAX 16384

typedef enum {
    ID_TOKEN_OK = 0,
    ID_TOKEN_MALFORMED,     /* not a compact JWS of JSON objects */
    ID_TOKEN_BAD_ALGORITHM, /* none, HMAC, crit, or an algorithm not accepted */
    ID_TOKEN_UNKNOWN_KEY,   /* no published key matches kid and algorithm */
    ID_TOKEN_BAD_SIGNATURE,
    ID_TOKEN_BAD_ISSUER,
    ID_TOKEN_BAD_AUDIENCE,
    ID_TOKEN_EXPIRED,
    ID_TOKEN_NOT_YET_VALID, /* iat or nbf in the future */
    ID_TOKEN_BAD_NONCE,
    ID_TOKEN_NO_SUBJECT,
} id_token_status;

typedef struct id_token_expect {
    const char *issuer;    /* may contain "{tenantid}" */
    const char *client_id; /* the audience */
    const char *nonce;     /* the nonce sent; NULL: none expected */
} id_token_expect;

const char *auth_id_token_status_message(id_token_status st);

/* Verifies token with keys at time now; on ID_TOKEN_OK *claims is the
 * payload, owned by the arena. */
id_token_status auth_id_token_verify(arena *a, const char *token, const jwk_set *keys,
                                     const id_token_expect *expect, time_t now,
                                     json_object **claims);

#endif
