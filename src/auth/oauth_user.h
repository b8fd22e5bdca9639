/* Who signed in, from what the provider's token endpoint returned:
 *   OpenID providers — the id_token, verified (id_token.h) with the
 *     provider's keys (jwks_cache.h), its issuer from discovery, the client
 *     id as audience and the nonce of the sign-in's state;
 *   GitHub — GET {api}/user and GET {api}/user/emails with the access
 *     token (oauth_identity.h says which address counts as verified). */
#ifndef PGSTACK_AUTH_OAUTH_USER_H
#define PGSTACK_AUTH_OAUTH_USER_H

#include "auth/auth_settings.h"
#include "auth/oauth_exchange.h"
#include "auth/oauth_identity.h"
#include "auth/oauth_provider.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Why identification failed: the error_code of the error redirect and a
 * description for the user (no secrets). */
typedef struct oauth_user_failure {
    const char *error_code; /* bad_id_token | provider_unreachable | provider_error */
    char description[256];
} oauth_user_failure;

/* apple_user: Apple's posted "user" field, or NULL. */
bool auth_oidc_user_identify(arena *a, const auth_settings *cfg, const oauth_provider *p,
                             const oauth_endpoints *e, const oauth_tokens *tokens,
                             const char *nonce, const char *apple_user, time_t now,
                             oauth_identity *out, oauth_user_failure *failure);

bool auth_github_user_identify(arena *a, const auth_settings *cfg, const oauth_endpoints *e,
                               const oauth_tokens *tokens, oauth_identity *out,
                               oauth_user_failure *failure);

#endif
