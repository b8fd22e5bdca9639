/* CORS decisions and headers; see cors.h. */
#include "core/cors.h"

#include <string.h>
#include <strings.h>

/* "https://app.example.com:8443" -> "app.example.com:8443" (the authority). */
static const char *origin_authority(const char *origin, size_t *len)
{
    const char *sep = strstr(origin, "://");
    if (!sep)
        return NULL;
    const char *auth = sep + 3;
    *len = strcspn(auth, "/?#");
    return *len ? auth : NULL;
}

static bool default_port_of(const char *origin, const char *port)
{
    return (strncasecmp(origin, "http://", 7) == 0 && strcmp(port, "80") == 0) ||
           (strncasecmp(origin, "https://", 8) == 0 && strcmp(port, "443") == 0);
}

/* Same authority, treating an explicit default port as absent. */
static bool same_origin(const char *origin, const char *host)
{
    size_t alen;
    const char *auth = origin_authority(origin, &alen);
    if (!auth || !host || !*host)
        return false;
    size_t hlen = strlen(host);
    if (alen == hlen && strncasecmp(auth, host, alen) == 0)
        return true;
    const char *colon = strrchr(host, ':');
    const char *bracket = strrchr(host, ']');
    if (colon && (!bracket || colon > bracket) && default_port_of(origin, colon + 1))
        return alen == (size_t)(colon - host) && strncasecmp(auth, host, alen) == 0;
    return false;
}

cors_verdict cors_check(const pgstack_config *cfg, const char *origin, const char *host)
{
    if (!origin || !*origin)
        return CORS_NO_ORIGIN;
    if (cfg->allow_permissive_cors)
        return CORS_ALLOWED;
    for (size_t i = 0; i < cfg->allowed_origins.count; i++)
        if (strcasecmp(cfg->allowed_origins.items[i], origin) == 0)
            return CORS_ALLOWED;
    return same_origin(origin, host) ? CORS_ALLOWED : CORS_REFUSED;
}

bool cors_is_preflight(const char *method, const char *origin, const char *request_method)
{
    return strcmp(method, "OPTIONS") == 0 && origin && *origin && request_method && *request_method;
}

void cors_add_headers(response *res, const char *origin, bool preflight)
{
    response_set_header(res, "Access-Control-Allow-Origin", origin);
    response_add_header(res, "Vary", "Origin");
    if (preflight) {
        response_set_header(res, "Access-Control-Allow-Methods", CORS_ALLOWED_METHODS);
        response_set_header(res, "Access-Control-Allow-Headers", CORS_ALLOWED_HEADERS);
        response_set_header(res, "Access-Control-Max-Age", "86400");
    } else {
        response_set_header(res, "Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS);
    }
}
