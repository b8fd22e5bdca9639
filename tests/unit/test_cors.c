/* Unit tests of CORS: requests without Origin, listed origins
 * (case-insensitive), permissive mode, same-origin with and without default
 * ports, look-alike and "null" origins refused, preflight detection, and
 * the Access-Control-* headers added to the response. */
#include "unit.h"

#include "memio.h"

#include "core/arena.h"
#include "core/cors.h"
#include "core/response.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static pgstack_config LISTED;     /* ALLOWED_ORIGINS set */
static pgstack_config EMPTY;      /* nothing allowed but same-origin */
static pgstack_config PERMISSIVE; /* ALLOW_PERMISSIVE_CORS */

static int setup(void)
{
    char *env1[] = {"ALLOWED_ORIGINS=https://app.example.com, http://localhost:3000", NULL};
    char *env2[] = {NULL};
    char *env3[] = {"ALLOW_PERMISSIVE_CORS=true", NULL};
    return unit_config(&LISTED, NULL, env1, 0) && unit_config(&EMPTY, NULL, env2, 0) &&
                   unit_config(&PERMISSIVE, NULL, env3, 0)
               ? 0
               : 1;
}

static int teardown(void)
{
    config_free(&LISTED, NULL, NULL);
    config_free(&EMPTY, NULL, NULL);
    config_free(&PERMISSIVE, NULL, NULL);
    return 0;
}

static void check(const pgstack_config *cfg, const char *origin, const char *host,
                  cors_verdict want)
{
    cors_verdict got = cors_check(cfg, origin, host);
    CU_ASSERT_EQUAL(got, want);
    if (got != want)
        fprintf(stderr, "\n  cors_check(origin=%s, host=%s) = %d, want %d\n",
                origin ? origin : "(null)", host ? host : "(null)", got, want);
}

static void test_no_origin(void)
{
    check(&EMPTY, NULL, "host", CORS_NO_ORIGIN);
    check(&EMPTY, "", "host", CORS_NO_ORIGIN);
    check(&LISTED, NULL, NULL, CORS_NO_ORIGIN);
    check(&PERMISSIVE, NULL, NULL, CORS_NO_ORIGIN);
}

static void test_listed(void)
{
    check(&LISTED, "https://app.example.com", "api.example.com", CORS_ALLOWED);
    check(&LISTED, "HTTPS://APP.EXAMPLE.COM", "api.example.com", CORS_ALLOWED);
    check(&LISTED, "http://localhost:3000", NULL, CORS_ALLOWED);
    /* near misses */
    check(&LISTED, "https://app.example.com.evil.com", "api.example.com", CORS_REFUSED);
    check(&LISTED, "https://evilapp.example.com", "api.example.com", CORS_REFUSED);
    check(&LISTED, "http://app.example.com", "api.example.com", CORS_REFUSED);
    check(&LISTED, "https://app.example.com:443x", "api.example.com", CORS_REFUSED);
    check(&LISTED, "https://app.example.com/", "api.example.com", CORS_REFUSED);
    check(&LISTED, "http://localhost:30000", NULL, CORS_REFUSED);
    check(&LISTED, "http://localhost", NULL, CORS_REFUSED);
    check(&LISTED, "https://app.example.co", "api.example.com", CORS_REFUSED);
    check(&LISTED, " https://app.example.com", "api.example.com", CORS_REFUSED);
    check(&LISTED, "https://app.example.com\r\nX-Evil: 1", "api.example.com", CORS_REFUSED);
    check(&EMPTY, "https://app.example.com", "api.example.com", CORS_REFUSED);
}

static void test_permissive(void)
{
    check(&PERMISSIVE, "https://anything.example", "host", CORS_ALLOWED);
    check(&PERMISSIVE, "http://evil.com", NULL, CORS_ALLOWED);
}

static void test_same_origin(void)
{
    check(&EMPTY, "http://host:8080", "host:8080", CORS_ALLOWED);
    check(&EMPTY, "http://HOST:8080", "host:8080", CORS_ALLOWED);
    check(&EMPTY, "http://host", "host", CORS_ALLOWED);
    check(&EMPTY, "https://host", "host", CORS_ALLOWED);
    check(&EMPTY, "http://host", "host:80", CORS_ALLOWED);
    check(&EMPTY, "https://host", "host:443", CORS_ALLOWED);
    check(&EMPTY, "http://[::1]:8080", "[::1]:8080", CORS_ALLOWED);
    check(&EMPTY, "http://[::1]", "[::1]:80", CORS_ALLOWED);
}

static void test_cross_origin_refused(void)
{
    check(&EMPTY, "https://evil.com", "host", CORS_REFUSED);
    check(&EMPTY, "null", "host", CORS_REFUSED);
    check(&EMPTY, "null", "null", CORS_REFUSED);
    check(&EMPTY, "http://host:8080.evil.com", "host:8080", CORS_REFUSED);
    check(&EMPTY, "http://host.evil.com", "host", CORS_REFUSED);
    check(&EMPTY, "http://evil.host", "host", CORS_REFUSED);
    check(&EMPTY, "http://host:8081", "host:8080", CORS_REFUSED);
    check(&EMPTY, "http://host:8080", "host", CORS_REFUSED);
    check(&EMPTY, "http://host", "host:8080", CORS_REFUSED);
    check(&EMPTY, "https://host", "host:80", CORS_REFUSED); /* 80 is not https's port */
    check(&EMPTY, "http://host", "host:443", CORS_REFUSED); /* 443 is not http's port */
    check(&EMPTY, "http://ho", "host", CORS_REFUSED);
    check(&EMPTY, "http://", "", CORS_REFUSED);
    check(&EMPTY, "http://", "host", CORS_REFUSED);
    check(&EMPTY, "host", "host", CORS_REFUSED);
    check(&EMPTY, "//host", "host", CORS_REFUSED);
    check(&EMPTY, "http://host", NULL, CORS_REFUSED);
    check(&EMPTY, "http://host", "", CORS_REFUSED);
    check(&EMPTY, "http://evil.com@host", "host", CORS_REFUSED);
    check(&EMPTY, "http://host@evil.com", "host", CORS_REFUSED);
    check(&EMPTY, "http://[::1]:8080", "[::1]:80", CORS_REFUSED);
    check(&EMPTY, "http://host:80", "host:8080", CORS_REFUSED);
    /* a very long origin */
    char big[8192];
    memset(big, 'a', sizeof big - 1);
    memcpy(big, "http://", 7);
    big[sizeof big - 1] = '\0';
    check(&EMPTY, big, "host", CORS_REFUSED);
}

static void test_preflight(void)
{
    CU_ASSERT_TRUE(cors_is_preflight("OPTIONS", "https://a.example", "POST"));
    CU_ASSERT_FALSE(cors_is_preflight("OPTIONS", "https://a.example", NULL));
    CU_ASSERT_FALSE(cors_is_preflight("OPTIONS", "https://a.example", ""));
    CU_ASSERT_FALSE(cors_is_preflight("OPTIONS", NULL, "POST"));
    CU_ASSERT_FALSE(cors_is_preflight("OPTIONS", "", "POST"));
    CU_ASSERT_FALSE(cors_is_preflight("GET", "https://a.example", "POST"));
    CU_ASSERT_FALSE(cors_is_preflight("POST", "https://a.example", "POST"));
    CU_ASSERT_FALSE(cors_is_preflight("options", "https://a.example", "POST"));
}

/* True when the comma-separated list has item (case-insensitive, trimmed). */
static bool list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    const char *p = list;
    while (p && *p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        size_t trimmed = len;
        while (trimmed && p[trimmed - 1] == ' ')
            trimmed--;
        if (trimmed == n && strncasecmp(p, item, n) == 0)
            return true;
        p += len;
    }
    return false;
}

static void test_headers(void)
{
    arena *a = arena_new(4096);
    memio m;
    http_io io;
    memio_init(&m, &io, NULL, 0);

    response res;
    response_init(&res, a, &io);
    cors_add_headers(&res, "https://app.example.com", true);
    CU_ASSERT_STRING_EQUAL(response_get_header(&res, "Access-Control-Allow-Origin"),
                           "https://app.example.com");
    const char *vary = response_get_header(&res, "Vary");
    CU_ASSERT_PTR_NOT_NULL_FATAL(vary);
    CU_ASSERT(list_has(vary, "Origin"));
    const char *methods = response_get_header(&res, "Access-Control-Allow-Methods");
    CU_ASSERT_PTR_NOT_NULL_FATAL(methods);
    static const char *want_methods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                         "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof want_methods / sizeof want_methods[0]; i++)
        CU_ASSERT(list_has(methods, want_methods[i]));
    const char *allow = response_get_header(&res, "Access-Control-Allow-Headers");
    CU_ASSERT_PTR_NOT_NULL_FATAL(allow);
    static const char *want[] = {"apikey",          "authorization", "content-type",
                                 "prefer",          "range",         "accept-profile",
                                 "content-profile", "x-client-info", "x-upsert"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CU_ASSERT(list_has(allow, want[i]));
        if (!list_has(allow, want[i]))
            fprintf(stderr, "\n  Access-Control-Allow-Headers lacks %s\n", want[i]);
    }
    CU_ASSERT_PTR_NOT_NULL(response_get_header(&res, "Access-Control-Max-Age"));
    /* never a wildcard origin, never credentials with a reflected origin */
    CU_ASSERT_STRING_NOT_EQUAL(response_get_header(&res, "Access-Control-Allow-Origin"), "*");

    /* the headers go out with the response */
    response_empty(&res, 204);
    response_finish(&res);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(memio_text(&m), "Access-Control-Allow-Origin: https://app.example.com\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(memio_text(&m), "Access-Control-Allow-Headers: "));

    /* a normal request exposes headers instead */
    response res2;
    response_init(&res2, a, &io);
    cors_add_headers(&res2, "http://localhost:3000", false);
    CU_ASSERT_STRING_EQUAL(response_get_header(&res2, "Access-Control-Allow-Origin"),
                           "http://localhost:3000");
    const char *expose = response_get_header(&res2, "Access-Control-Expose-Headers");
    CU_ASSERT_PTR_NOT_NULL_FATAL(expose);
    CU_ASSERT(list_has(expose, "Content-Range"));
    CU_ASSERT(list_has(expose, "X-Request-Id"));
    CU_ASSERT_PTR_NULL(response_get_header(&res2, "Access-Control-Allow-Methods"));
    CU_ASSERT_PTR_NULL(response_get_header(&res2, "Access-Control-Allow-Headers"));
    /* Vary: Origin is added, keeping a Vary set before */
    response res3;
    response_init(&res3, a, &io);
    response_set_header(&res3, "Vary", "Accept");
    cors_add_headers(&res3, "http://localhost:3000", false);
    bool accept = false, origin = false;
    for (size_t i = 0; i < res3.headers.count; i++) {
        if (strcasecmp(res3.headers.items[i].name, "Vary") == 0) {
            accept |= list_has(res3.headers.items[i].value, "Accept");
            origin |= list_has(res3.headers.items[i].value, "Origin");
        }
    }
    CU_ASSERT_TRUE(accept);
    CU_ASSERT_TRUE(origin);

    memio_free(&m);
    arena_free(a);
}

void register_cors_tests(void)
{
    CU_pSuite s = CU_add_suite("cors", setup, teardown);
    CU_add_test(s, "no Origin", test_no_origin);
    CU_add_test(s, "listed origins", test_listed);
    CU_add_test(s, "permissive", test_permissive);
    CU_add_test(s, "same origin", test_same_origin);
    CU_add_test(s, "cross origin refused", test_cross_origin_refused);
    CU_add_test(s, "preflight detection", test_preflight);
    CU_add_test(s, "Access-Control headers", test_headers);
}
