/* Per-worker JWKS cache; see jwks_cache.h. */
#include "auth/jwks_cache.h"

#include "auth/oauth_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 8

typedef struct cached_keys {
    char *uri; /* NULL: free slot */
    time_t fetched_at;
    jwk_set keys;
} cached_keys;

static cached_keys cache[CACHE_SLOTS];

static cached_keys *slot_for(const char *uri)
{
    cached_keys *oldest = &cache[0];
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        if (cache[i].uri && strcmp(cache[i].uri, uri) == 0)
            return &cache[i];
        if (!cache[i].uri)
            oldest = &cache[i];
        else if (oldest->uri && cache[i].fetched_at < oldest->fetched_at)
            oldest = &cache[i];
    }
    return oldest;
}

static bool fetch(arena *a, cached_keys *slot, const char *uri, long timeout_s, time_t now,
                  char *why, size_t whylen)
{
    oauth_http_call call = {.url = uri, .timeout_s = timeout_s};
    oauth_http_reply reply;
    if (!auth_oauth_http(a, &call, &reply, why, whylen))
        return false;
    jwk_set keys;
    const char *reason = NULL;
    if (reply.status != 200 || !auth_jwk_set_parse(a, reply.json, &keys, &reason)) {
        snprintf(why, whylen, "%s: HTTP %ld, %s", uri, reply.status,
                 reason ? reason : "not a JWK Set");
        return false;
    }
    auth_jwk_set_free(&slot->keys);
    free(slot->uri);
    slot->uri = strdup(uri);
    slot->fetched_at = now;
    slot->keys = keys;
    return true;
}

const jwk_set *auth_jwks_get(arena *a, const char *uri, long timeout_s, time_t now, bool refresh,
                             char *why, size_t whylen)
{
    cached_keys *slot = slot_for(uri);
    bool cached = slot->uri && strcmp(slot->uri, uri) == 0 && now >= slot->fetched_at;
    long age = cached ? (long)(now - slot->fetched_at) : 0;
    bool fetch_now = !cached || age >= JWKS_TTL_S || (refresh && age >= JWKS_MIN_REFRESH_S);
    if (fetch_now && !fetch(a, slot, uri, timeout_s, now, why, whylen))
        return NULL;
    return &slot->keys;
}
