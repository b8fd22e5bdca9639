/* The OAuth providers pgstack signs in with, from the configuration:
 *   google, apple, microsoft, oidc — OpenID Connect: endpoints from
 *     discovery of the issuer, the user from the ID token;
 *   github — OAuth 2.0: configured endpoints, the user from its API.
 * A provider is enabled when its <P>_CLIENT_ID is set. "azure", the name
 * supabase-js uses for Microsoft, is accepted for microsoft. The callback
 * URL sent to the provider is <P>_REDIRECT_URI, by default
 * {API_EXTERNAL_URL or SITE_URL}/auth/v1/callback. */
#ifndef PGSTACK_AUTH_OAUTH_PROVIDER_H
#define PGSTACK_AUTH_OAUTH_PROVIDER_H

#include "auth/auth_settings.h"
#include "core/arena.h"
#include "core/config.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct oauth_provider {
    const char *name; /* as recorded in identities and app_metadata */
    bool oidc;        /* OpenID Connect (else GitHub's OAuth 2.0) */
    const char *client_id;
    const char *client_secret;
    const char *redirect_uri;
    const char *scopes;     /* space-separated */
    const char *issuer_url; /* OpenID: where discovery starts */
    bool form_post;         /* ask for response_mode=form_post (Apple) */
} oauth_provider;

/* Where a provider is reached. */
typedef struct oauth_endpoints {
    const char *issuer; /* OpenID: expected iss, may contain "{tenantid}"; NULL for GitHub */
    const char *authorization_endpoint;
    const char *token_endpoint;
    const char *jwks_uri;     /* OpenID */
    const char *api_url;      /* GitHub */
    bool client_secret_basic; /* else client_secret_post */
} oauth_endpoints;

typedef enum {
    OAUTH_PROVIDER_OK = 0,
    OAUTH_PROVIDER_UNKNOWN,  /* not one of the five */
    OAUTH_PROVIDER_DISABLED, /* no client id configured */
} oauth_provider_status;

oauth_provider_status auth_oauth_provider_find(arena *a, const auth_settings *cfg, const char *name,
                                               oauth_provider *out);

/* For GET /settings. */
bool auth_oauth_provider_enabled(const auth_settings *cfg, const char *name);

/* The provider's endpoints (OpenID: by discovery, cached); false with a
 * reason when the provider cannot be reached. */
bool auth_oauth_endpoints_get(arena *a, const auth_settings *cfg, const oauth_provider *p,
                              time_t now, oauth_endpoints *out, char *why, size_t whylen);

#endif
