/* PKCE (RFC 7636) in both directions.
 *
 * Towards the providers: the code verifier is a auth_secret_token_new() (43
 * base64url characters, 256 random bits) kept in the sealed state; the
 * provider receives only its S256 challenge at /authorize, and the
 * verifier itself with the code at its token endpoint, so a code
 * intercepted on its way back is worth nothing.
 *
 * From the clients (supabase-js flowType "pkce", @supabase/ssr): a flow
 * started with code_challenge + code_challenge_method ends with ?code= on
 * the redirect, and POST /token?grant_type=pkce trades that code and the
 * code_verifier for a session. Challenges and verifiers are 43 to 128
 * unreserved characters; the method is s256 or plain (any case), as
 * GoTrue accepts them. */
#ifndef PGSTACK_AUTH_PKCE_H
#define PGSTACK_AUTH_PKCE_H

#include "core/arena.h"
#include "core/response.h"

#include <stdbool.h>

#define PKCE_FLOW_TTL_S 600 /* life of an auth code (flow state) */

/* base64url(SHA-256(verifier)), without padding. */
char *auth_pkce_challenge_s256(arena *a, const char *verifier);

/* A client's challenge: both NULL when the client uses the implicit flow. */
typedef struct pkce_request {
    const char *challenge;
    const char *method; /* "s256" or "plain", lower case */
} pkce_request;

/* Checks a client's code_challenge and code_challenge_method (either may
 * be NULL or empty: then both must be) and fills out; false after
 * replying 400 validation_failed with GoTrue's message. */
bool auth_pkce_request_check(arena *a, const char *challenge, const char *method, pkce_request *out,
                             response *res);

/* Is s a well-formed verifier (43..128 unreserved characters)? */
bool auth_pkce_verifier_valid(const char *s);

#endif
