/* OpenID Connect discovery with a per-worker cache; see oidc_discovery.h. */
#include "auth/oidc_discovery.h"

#include "auth/oauth_http.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 8

typedef struct cached_metadata {
    char *issuer_url; /* NULL: free slot */
    time_t fetched_at;
    char *issuer, *authorization_endpoint, *token_endpoint, *jwks_uri;
    bool client_secret_basic;
} cached_metadata;

static cached_metadata cache[CACHE_SLOTS];

static const char *member(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string(v);
    return *s ? s : NULL;
}

static size_t without_trailing_slashes(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '/')
        n--;
    return n;
}

static bool same_issuer(const char *a, const char *b)
{
    size_t n = without_trailing_slashes(a);
    return n == without_trailing_slashes(b) && strncmp(a, b, n) == 0;
}

static bool lists(json_object *doc, const char *key, const char *value)
{
    json_object *arr;
    if (!json_object_object_get_ex(doc, key, &arr) || !json_object_is_type(arr, json_type_array))
        return false;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        if (json_object_is_type(v, json_type_string) &&
            strcmp(json_object_get_string(v), value) == 0)
            return true;
    }
    return false;
}

static void slot_clear(cached_metadata *m)
{
    free(m->issuer_url);
    free(m->issuer);
    free(m->authorization_endpoint);
    free(m->token_endpoint);
    free(m->jwks_uri);
    memset(m, 0, sizeof *m);
}

/* Validates the document and stores it in m. */
static bool slot_fill(cached_metadata *m, const char *issuer_url, json_object *doc, time_t now,
                      char *why, size_t whylen)
{
    const char *issuer = member(doc, "issuer"), *authz = member(doc, "authorization_endpoint");
    const char *token = member(doc, "token_endpoint"), *jwks = member(doc, "jwks_uri");
    if (!issuer || !authz || !token || !jwks) {
        snprintf(why, whylen, "discovery document of %s lacks issuer or an endpoint", issuer_url);
        return false;
    }
    if (!same_issuer(issuer, issuer_url) && !strstr(issuer, "{tenantid}")) {
        snprintf(why, whylen, "discovery document of %s names another issuer", issuer_url);
        return false;
    }
    if (strncmp(issuer_url, "https://", 8) == 0 &&
        (strncmp(authz, "https://", 8) != 0 || strncmp(token, "https://", 8) != 0 ||
         strncmp(jwks, "https://", 8) != 0)) {
        snprintf(why, whylen, "discovery document of %s names an endpoint without https",
                 issuer_url);
        return false;
    }
    json_object *methods;
    bool listed = json_object_object_get_ex(doc, "token_endpoint_auth_methods_supported", &methods);
    slot_clear(m);
    m->issuer_url = strdup(issuer_url);
    m->fetched_at = now;
    m->issuer = strdup(issuer);
    m->authorization_endpoint = strdup(authz);
    m->token_endpoint = strdup(token);
    m->jwks_uri = strdup(jwks);
    m->client_secret_basic =
        !listed || lists(doc, "token_endpoint_auth_methods_supported", "client_secret_basic") ||
        !lists(doc, "token_endpoint_auth_methods_supported", "client_secret_post");
    return true;
}

static cached_metadata *slot_for(const char *issuer_url)
{
    cached_metadata *oldest = &cache[0];
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        if (cache[i].issuer_url && strcmp(cache[i].issuer_url, issuer_url) == 0)
            return &cache[i];
        if (!cache[i].issuer_url)
            oldest = &cache[i];
        else if (oldest->issuer_url && cache[i].fetched_at < oldest->fetched_at)
            oldest = &cache[i];
    }
    return oldest;
}

static bool fetch(arena *a, cached_metadata *m, const char *issuer_url, long timeout_s, time_t now,
                  char *why, size_t whylen)
{
    oauth_http_call call = {.url =
                                arena_printf(a, "%.*s/.well-known/openid-configuration",
                                             (int)without_trailing_slashes(issuer_url), issuer_url),
                            .timeout_s = timeout_s};
    oauth_http_reply reply;
    if (!auth_oauth_http(a, &call, &reply, why, whylen))
        return false;
    if (reply.status != 200 || !json_object_is_type(reply.json, json_type_object)) {
        snprintf(why, whylen, "%s: HTTP %ld, not a discovery document", call.url, reply.status);
        return false;
    }
    return slot_fill(m, issuer_url, reply.json, now, why, whylen);
}

bool auth_oidc_discover(arena *a, const char *issuer_url, long timeout_s, time_t now,
                        oidc_metadata *out, char *why, size_t whylen)
{
    cached_metadata *m = slot_for(issuer_url);
    bool fresh = m->issuer_url && strcmp(m->issuer_url, issuer_url) == 0 &&
                 now - m->fetched_at < OIDC_DISCOVERY_TTL_S && now >= m->fetched_at;
    if (!fresh && !fetch(a, m, issuer_url, timeout_s, now, why, whylen))
        return false;
    out->issuer = arena_strdup(a, m->issuer);
    out->authorization_endpoint = arena_strdup(a, m->authorization_endpoint);
    out->token_endpoint = arena_strdup(a, m->token_endpoint);
    out->jwks_uri = arena_strdup(a, m->jwks_uri);
    out->client_secret_basic = m->client_secret_basic;
    return true;
}
