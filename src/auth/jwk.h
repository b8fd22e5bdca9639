/* The public keys an OpenID provider publishes (a JWK Set, RFC 7517), as
 * OpenSSL keys: RSA from n and e (2048 to 16384 bits, odd exponent), EC
 * P-256 from x and y (32 bytes each, a point on the curve). Keys of other
 * types or curves and keys marked for encryption (use "enc") are skipped,
 * not errors: a provider may publish keys pgstack never needs. A set lives
 * in the per-worker JWKS cache and owns its keys. */
#ifndef PGSTACK_AUTH_JWK_H
#define PGSTACK_AUTH_JWK_H

#include "core/arena.h"

#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { JWK_RSA, JWK_EC_P256 } jwk_type;

typedef struct jwk_key {
    char *kid; /* NULL when the JWK has none */
    char *alg; /* NULL when the JWK has none */
    jwk_type type;
    EVP_PKEY *pkey;
} jwk_key;

typedef struct jwk_set {
    jwk_key *keys;
    size_t count;
} jwk_set;

/* One JWK object as a key; NULL with the reason in *why. Temporary
 * buffers come from scratch. */
EVP_PKEY *auth_jwk_to_pkey(arena *scratch, json_object *jwk, jwk_type *type, const char **why);

/* The keys of a JWK Set document ({"keys": [...]}); false with the reason
 * when it is not one. Unusable keys are skipped. */
bool auth_jwk_set_parse(arena *scratch, json_object *doc, jwk_set *out, const char **why);

void auth_jwk_set_free(jwk_set *set);

#endif
