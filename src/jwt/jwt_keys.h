/* Asymmetric JWT signing keys (JWT_SIGNING_KEYS): a JWK Set file
 * {"keys": [...]} of private keys, ES256 (EC P-256: x, y, d) or RS256 (RSA:
 * n, e, d and the CRT values), each with a kid. The key whose key_ops
 * contains "sign" (GoTrue's marker; at most one) signs new access tokens;
 * the others only verify, which is how a key is rotated: add the new key,
 * make it the signing one, remove the old one once its tokens expired.
 * Every program loads the set at start (a bad file stops it with one line
 * naming the problem) and verifies tokens signed by any listed key; HMAC
 * tokens with JWT_SECRET keep working. The public halves are what
 * GET /auth/v1/.well-known/jwks.json publishes. */
#ifndef PGSTACK_JWT_KEYS_H
#define PGSTACK_JWT_KEYS_H

#include "core/arena.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct jwt_key {
    char *kid;
    char *alg; /* "ES256" or "RS256" */
    EVP_PKEY *pkey;
    bool signs;
    char *public_jwk; /* JSON text of the public JWK */
} jwt_key;

typedef struct jwt_keys {
    jwt_key *keys;
    size_t count;
    const jwt_key *signer; /* NULL: access tokens are HMAC-signed */
} jwt_keys;

/* Loads the set from path; false with the reason in why. */
bool jwt_keys_load(const char *path, jwt_keys *out, char *why, size_t whylen);

void jwt_keys_free(jwt_keys *keys);

/* The key with this kid, or NULL. */
const jwt_key *jwt_keys_find(const jwt_keys *keys, const char *kid);

/* {"keys": [public JWKs]} ("{"keys":[]}" for NULL or an empty set). */
char *jwt_keys_public_set(arena *a, const jwt_keys *keys);

/* The compact token for the claims signed with key (header alg, typ, kid),
 * or NULL. */
char *jwt_sign_with_key(arena *a, const char *claims_json, const jwt_key *key);

/* Does sig (the decoded signature) sign data under key? ES256 signatures
 * are the 64-byte r || s of JWS. */
bool jwt_key_verify(const jwt_key *key, const unsigned char *data, size_t data_len,
                    const unsigned char *sig, size_t sig_len);

/* A new ES256 key as a JWK Set with one signing key (pgstack keygen
 * --signing-key); NULL on failure. */
char *jwt_keys_generate_es256(arena *a);

#endif
