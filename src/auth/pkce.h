/* PKCE (RFC 7636) towards the providers: the code verifier is a
 * secret_token_new() (43 base64url characters, 256 random bits) kept in the
 * sealed state; the provider receives only its S256 challenge at
 * /authorize, and the verifier itself with the code at its token endpoint,
 * so a code intercepted on its way back is worth nothing. */
#ifndef PGSTACK_AUTH_PKCE_H
#define PGSTACK_AUTH_PKCE_H

#include "core/arena.h"

/* base64url(SHA-256(verifier)), without padding. */
char *pkce_challenge_s256(arena *a, const char *verifier);

#endif
