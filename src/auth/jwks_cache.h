/* The providers' signing keys: the JWK Set at a jwks_uri, fetched with
 * libcurl and cached per worker for JWKS_TTL_S. When a token names a key
 * the cached set lacks, the caller asks again with refresh: the set is
 * fetched anew unless the cached one is younger than JWKS_MIN_REFRESH_S —
 * so a provider's key rotation is picked up at once, and a stream of
 * unknown key ids cannot make a worker hammer the provider. */
#ifndef PGSTACK_AUTH_JWKS_CACHE_H
#define PGSTACK_AUTH_JWKS_CACHE_H

#include "auth/jwk.h"
#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define JWKS_TTL_S 3600
#define JWKS_MIN_REFRESH_S 30

/* The key set of uri; NULL with a reason when it cannot be fetched. The set
 * belongs to the cache and stays valid until the next auth_jwks_get. */
const jwk_set *auth_jwks_get(arena *a, const char *uri, long timeout_s, time_t now, bool refresh,
                             char *why, size_t whylen);

#endif
