/* Fuzzes the auth area's redirect_to judgement (auth_redirect_url_allowed),
 * the guard against open redirects in every email and OAuth flow. The
 * allowed URLs are a SITE_URL with a path, an http loopback origin and an
 * IPv6 one. Invariant, checked with an independent parser (libcurl's URL
 * API, which resolves a URL as a client would): an accepted candidate
 * parses, has no user info and no fragment, and its scheme, host, port and
 * path lie inside one allowed entry (same scheme, host and effective port;
 * the entry's path as a whole-segment prefix). Input: the candidate. */
#include "harness.h"

#include "auth/urls.h"

#include <curl/curl.h>
#include <strings.h>

static const char *const ALLOWED[] = {"https://app.example.com/app", "http://localhost:3000",
                                      "https://[::1]:8443/cb/"};
static const struct {
    const char *scheme, *host, *port, *path;
} PARTS[] = {
    {"https", "app.example.com", "443", "/app"},
    {"http", "localhost", "3000", ""},
    {"https", "[::1]", "8443", "/cb"},
};

static char *part(CURLU *u, CURLUPart which, unsigned flags)
{
    char *v = NULL;
    return curl_url_get(u, which, &v, flags) == CURLUE_OK ? v : NULL;
}

static bool inside(size_t i, const char *scheme, const char *host, const char *port,
                   const char *path)
{
    size_t n = strlen(PARTS[i].path);
    return strcasecmp(scheme, PARTS[i].scheme) == 0 && strcasecmp(host, PARTS[i].host) == 0 &&
           strcmp(port, PARTS[i].port) == 0 && strncmp(path, PARTS[i].path, n) == 0 &&
           (path[n] == '\0' || path[n] == '/' || n == 0);
}

static void check_accepted(const char *url)
{
    CURLU *u = curl_url();
    FZ_ASSERT(curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK, "accepted '%s' does not parse",
              url);
    char *scheme = part(u, CURLUPART_SCHEME, 0), *host = part(u, CURLUPART_HOST, 0);
    char *port = part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT), *path = part(u, CURLUPART_PATH, 0);
    char *user = part(u, CURLUPART_USER, 0), *fragment = part(u, CURLUPART_FRAGMENT, 0);
    FZ_ASSERT(!user && !fragment, "accepted '%s' with user info or a fragment", url);
    FZ_ASSERT(scheme && host && port && path, "accepted '%s' lacks a part", url);
    bool ok = false;
    for (size_t i = 0; i < sizeof PARTS / sizeof PARTS[0]; i++)
        ok = ok || inside(i, scheme, host, port, path);
    FZ_ASSERT(ok, "accepted '%s' leads to %s://%s:%s%s", url, scheme, host, port, path);
    curl_free(scheme), curl_free(host), curl_free(port), curl_free(path);
    curl_url_cleanup(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    const char *url;
    fz_fields(data, size, &url, 1);
    str_list extra = {.items = (char **)ALLOWED + 1, .count = 2};
    if (auth_redirect_url_allowed(url, ALLOWED[0], &extra))
        check_accepted(url);
    return 0;
}
