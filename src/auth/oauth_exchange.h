/* The authorization code grant at the provider's token endpoint (RFC 6749
 * §4.1.3, with the PKCE code_verifier of RFC 7636): code, redirect_uri and
 * the client's credentials — client_secret_basic when the endpoint takes
 * it, else client_secret_post (Apple, GitHub). GitHub reports errors with
 * status 200 and {"error": ...}, so the reply's error member counts as
 * much as the status. */
#ifndef PGSTACK_AUTH_OAUTH_EXCHANGE_H
#define PGSTACK_AUTH_OAUTH_EXCHANGE_H

#include "auth/oauth_provider.h"
#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct oauth_tokens {
    const char *access_token;
    const char *refresh_token; /* NULL when none */
    const char *id_token;      /* OpenID; NULL when none */
} oauth_tokens;

/* Exchanges code; false with a reason for the user (the provider's error
 * code, never a secret) when the provider refuses or cannot be reached. */
bool auth_oauth_exchange_code(arena *a, const oauth_provider *p, const oauth_endpoints *e,
                              const char *code, const char *code_verifier, long timeout_s,
                              oauth_tokens *out, char *why, size_t whylen);

#endif
