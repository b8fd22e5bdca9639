/* OpenID provider metadata from {issuer}/.well-known/openid-configuration
 * (OpenID Connect Discovery 1.0), cached per worker for
 * OIDC_DISCOVERY_TTL_S. The document must name the configured issuer
 * (Discovery §4.3) — or, for Microsoft's multi-tenant endpoints, an issuer
 * template containing "{tenantid}" — and an authorization, a token and a
 * JWKS endpoint, all https when the issuer is. */
#ifndef PGSTACK_AUTH_OIDC_DISCOVERY_H
#define PGSTACK_AUTH_OIDC_DISCOVERY_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define OIDC_DISCOVERY_TTL_S 3600

typedef struct oidc_metadata {
    const char *issuer; /* may contain "{tenantid}" */
    const char *authorization_endpoint;
    const char *token_endpoint;
    const char *jwks_uri;
    /* the token endpoint takes client_secret_basic (the default when the
     * document lists no methods); else client_secret_post is used */
    bool client_secret_basic;
} oidc_metadata;

/* The metadata of issuer_url (copied into the arena); false with a reason
 * when it cannot be fetched or is not valid. */
bool auth_oidc_discover(arena *a, const char *issuer_url, long timeout_s, time_t now,
                        oidc_metadata *out, char *why, size_t whylen);

#endif
