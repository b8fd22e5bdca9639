/* Unit tests of the whole request pipeline (server_handle) in-process: an
 * area with a small route table and a test handler, configuration from text,
 * a database connection that cannot succeed, and an in-memory http_io.
 * Covers 404/405, CORS preflight and refusal, 413, 400, 401 for missing or
 * bad credentials, the caller's role reaching the handler, and /health
 * answering 503 quickly when the database is down. The request log goes to
 * stderr. */
#include "unit.h"

#include "memio.h"

#include "api/api_settings.h"
#include "core/arena.h"
#include "core/errors.h"
#include "db/conn.h"
#include "health/health.h"
#include "jwt/jwt_sign.h"
#include "worker/app.h"
#include "worker/credentials.h"
#include "worker/server.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* what the handler saw */
static int calls;
static char seen_role[64];
static bool seen_auth_present;
static bool seen_auth_ctx;
static size_t seen_body_len;
static char seen_path[128];
static char seen_param[64];
static char seen_method[16];

static void record(request *req)
{
    calls++;
    seen_auth_ctx = req->auth != NULL;
    seen_auth_present = req->auth && req->auth->present;
    snprintf(seen_role, sizeof seen_role, "%s",
             req->auth && req->auth->role ? req->auth->role : "");
    seen_body_len = req->body_len;
    snprintf(seen_path, sizeof seen_path, "%s", req->path);
    const char *p = request_param(req, "id");
    snprintf(seen_param, sizeof seen_param, "%s", p ? p : "");
    snprintf(seen_method, sizeof seen_method, "%s", req->method);
}

static void h_ok(request *req, response *res)
{
    record(req);
    response_json(res, 200, "{\"ok\":true}");
}

static void h_echo(request *req, response *res)
{
    record(req);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "len", json_object_new_int64((int64_t)req->body_len));
    response_json(res, 201, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
}

static const route ROUTES[] = {
    {"GET", "/items", h_ok, ROUTE_PUBLIC},        {"POST", "/items", h_echo, ROUTE_REQUIRED},
    {"GET", "/items/{id}", h_ok, ROUTE_OPTIONAL}, {"GET", "/secure", h_ok, ROUTE_REQUIRED},
    {"POST", "/upload", h_echo, ROUTE_PUBLIC},    {"POST", "/callback", h_echo, ROUTE_NAVIGATION},
};

/* an area may declare routes outside its prefix, as pgstack-rest does /health */
static const route OUTSIDE[] = {
    {"GET", "/health", health_handle, ROUTE_PUBLIC},
};

static const area AREA = {
    .name = "rest",
    .program = "pgstack-unit",
    .prefix = "/rest/v1",
    .routes = ROUTES,
    .route_count = sizeof ROUTES / sizeof ROUTES[0],
    .outside_routes = OUTSIDE,
    .outside_route_count = 1,
    .settings = &api_config_section,
};
static const area AREA_NO_HEALTH = {
    .name = "rest",
    .program = "pgstack-unit",
    .prefix = "/rest/v1",
    .routes = ROUTES,
    .route_count = sizeof ROUTES / sizeof ROUTES[0],
    .settings = &api_config_section,
};
static api_settings SETTINGS;

static app_ctx APP;
static arena *A;
static memio M;
static http_io IO;

#define ORIGIN_OK "https://app.example.com"

static int setup(void)
{
    char *env[] = {"DATABASE_URL=postgresql://u@127.0.0.1:1/x",
                   "JWT_SECRET=" UNIT_SECRET,
                   "ALLOWED_ORIGINS=" ORIGIN_OK,
                   "DB_CONNECT_TIMEOUT=1",
                   "MAX_QUERY_LENGTH=1024",
                   NULL};
    memset(&APP, 0, sizeof APP);
    APP.area = &AREA;
    if (!unit_config(&APP.cfg, NULL, env, CONFIG_NEED_DATABASE | CONFIG_NEED_JWT))
        return 1;
    APP.db = db_conn_new(APP.cfg.database_url, APP.cfg.db_connect_timeout_s, "pgstack-unit",
                         APP.cfg.db_prepared_statements);
    SETTINGS.limits = (area_limits){.workers = 1, .max_body = 64};
    APP.settings = &SETTINGS;
    A = arena_new(64 * 1024);
    return APP.db && A ? 0 : 1;
}

static int teardown(void)
{
    memio_free(&M);
    db_conn_free(APP.db);
    config_free(&APP.cfg, NULL, NULL);
    arena_free(A);
    return 0;
}

/* Serves one request; params is a NULL-terminated list, body may be NULL. */
static void serve(char *const *params, const char *body, size_t body_len)
{
    memio_free(&M);
    memio_init(&M, &IO, body, body_len);
    arena_reset(A);
    calls = 0;
    seen_role[0] = seen_path[0] = seen_param[0] = seen_method[0] = '\0';
    seen_auth_present = seen_auth_ctx = false;
    seen_body_len = 0;
    server_handle(&APP, A, params, &IO);
}

static int status(void)
{
    const char *t = memio_text(&M);
    if (strncmp(t, "Status: ", 8) != 0)
        return -1;
    return atoi(t + 8);
}

static json_object *body_json(void)
{
    const char *b = memio_body(&M);
    if (!b)
        return NULL;
    json_object *o = json_tokener_parse(b);
    if (o && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* The "error" field of the reply, copied to a static buffer ("" if none). */
static const char *error_text(void)
{
    static char buf[512];
    buf[0] = '\0';
    json_object *o = body_json();
    json_object *v;
    if (o && json_object_object_get_ex(o, "error", &v))
        snprintf(buf, sizeof buf, "%s", json_object_get_string(v));
    json_object_put(o);
    return buf;
}

static void expect_status(int want, const char *what)
{
    int got = status();
    CU_ASSERT_EQUAL(got, want);
    if (got != want)
        fprintf(stderr, "\n  %s: status %d, want %d; reply:\n%s\n", what, got, want,
                memio_text(&M));
    /* every reply carries a request id */
    const char *id = memio_header(&M, "X-Request-Id");
    CU_ASSERT_PTR_NOT_NULL(id);
    if (id)
        CU_ASSERT_EQUAL(strlen(id), 16);
}

static void expect_json_error(void)
{
    CU_ASSERT_PTR_NOT_NULL(
        strstr(memio_header(&M, "Content-Type") ? memio_header(&M, "Content-Type") : "",
               "application/json"));
    CU_ASSERT(strlen(error_text()) > 0);
}

static void test_ok(void)
{
    char *p[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items?select=*",
                 "HTTP_HOST=api.example.com", "REMOTE_ADDR=127.0.0.1", NULL};
    serve(p, NULL, 0);
    expect_status(200, "GET /items");
    CU_ASSERT_EQUAL(calls, 1);
    CU_ASSERT_STRING_EQUAL(seen_path, "/items");
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "{\"ok\":true}");
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "Content-Length"), "11");
    CU_ASSERT_FALSE(seen_auth_ctx); /* public route: no credentials resolved */

    /* request ids differ between requests */
    char id1[32];
    snprintf(id1, sizeof id1, "%s", memio_header(&M, "X-Request-Id"));
    serve(p, NULL, 0);
    CU_ASSERT_STRING_NOT_EQUAL(id1, memio_header(&M, "X-Request-Id"));

    /* param route */
    char *p2[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items/42", NULL};
    serve(p2, NULL, 0);
    expect_status(200, "GET /items/42");
    CU_ASSERT_STRING_EQUAL(seen_param, "42");
    CU_ASSERT_TRUE(seen_auth_ctx);
    CU_ASSERT_FALSE(seen_auth_present);
}

static void test_head(void)
{
    char *p[] = {"REQUEST_METHOD=HEAD", "REQUEST_URI=/rest/v1/items", NULL};
    serve(p, NULL, 0);
    expect_status(200, "HEAD /items");
    CU_ASSERT_EQUAL(calls, 1);
    CU_ASSERT_STRING_EQUAL(seen_method, "HEAD");
    CU_ASSERT_PTR_NOT_NULL_FATAL(memio_body(&M));
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "");
}

static void test_not_found(void)
{
    char *p[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/nope", NULL};
    serve(p, NULL, 0);
    expect_status(404, "GET /nope");
    expect_json_error();
    CU_ASSERT_EQUAL(calls, 0);
    /* outside the prefix */
    char *p2[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/other/items", NULL};
    serve(p2, NULL, 0);
    expect_status(404, "GET /other/items");
    expect_json_error();
    CU_ASSERT_EQUAL(calls, 0);
    /* trailing slash */
    char *p3[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items/", NULL};
    serve(p3, NULL, 0);
    expect_status(404, "GET /items/");
    /* the path in the error body is escaped JSON, never raw */
    char *p4[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/%22%7D%0A%3Cx%3E", NULL};
    serve(p4, NULL, 0);
    expect_status(404, "GET injected path");
    json_object *o = body_json();
    CU_ASSERT_PTR_NOT_NULL(o);
    json_object_put(o);
    CU_ASSERT_PTR_NULL(strchr(memio_body(&M), '\n'));
}

static void test_method_not_allowed(void)
{
    char *p[] = {"REQUEST_METHOD=DELETE", "REQUEST_URI=/rest/v1/items", NULL};
    serve(p, NULL, 0);
    expect_status(405, "DELETE /items");
    expect_json_error();
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "Allow"), "GET, HEAD, POST, OPTIONS");
    CU_ASSERT_EQUAL(calls, 0);
    /* OPTIONS without CORS: 204 with Allow */
    char *p2[] = {"REQUEST_METHOD=OPTIONS", "REQUEST_URI=/rest/v1/items", NULL};
    serve(p2, NULL, 0);
    expect_status(204, "OPTIONS /items");
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "Allow"), "GET, HEAD, POST, OPTIONS");
}

static void test_preflight(void)
{
    char *p[] = {"REQUEST_METHOD=OPTIONS",
                 "REQUEST_URI=/rest/v1/items",
                 "HTTP_HOST=api.example.com",
                 "HTTP_ORIGIN=" ORIGIN_OK,
                 "HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST",
                 "HTTP_ACCESS_CONTROL_REQUEST_HEADERS=apikey, content-type",
                 NULL};
    serve(p, NULL, 0);
    expect_status(204, "preflight allowed");
    CU_ASSERT_EQUAL(calls, 0);
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "Access-Control-Allow-Origin"), ORIGIN_OK);
    const char *h = memio_header(&M, "Access-Control-Allow-Headers");
    CU_ASSERT_PTR_NOT_NULL(h);
    if (h)
        CU_ASSERT_PTR_NOT_NULL(strstr(h, "apikey"));
    CU_ASSERT_PTR_NOT_NULL(memio_header(&M, "Access-Control-Allow-Methods"));
    CU_ASSERT_PTR_NULL(memio_header(&M, "Content-Length"));

    char *p2[] = {"REQUEST_METHOD=OPTIONS",
                  "REQUEST_URI=/rest/v1/items",
                  "HTTP_HOST=api.example.com",
                  "HTTP_ORIGIN=https://evil.example",
                  "HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST",
                  NULL};
    serve(p2, NULL, 0);
    expect_status(403, "preflight refused");
    expect_json_error();
    CU_ASSERT_PTR_NULL(memio_header(&M, "Access-Control-Allow-Origin"));

    /* same-origin preflight */
    char *p3[] = {"REQUEST_METHOD=OPTIONS",
                  "REQUEST_URI=/rest/v1/items",
                  "HTTP_HOST=api.example.com",
                  "HTTP_ORIGIN=https://api.example.com",
                  "HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET",
                  NULL};
    serve(p3, NULL, 0);
    expect_status(204, "same-origin preflight");
}

static void test_origin(void)
{
    char *p[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items", "HTTP_HOST=api.example.com",
                 "HTTP_ORIGIN=https://evil.example", NULL};
    serve(p, NULL, 0);
    expect_status(403, "GET with refused Origin");
    expect_json_error();
    CU_ASSERT_EQUAL(calls, 0);
    CU_ASSERT_PTR_NULL(memio_header(&M, "Access-Control-Allow-Origin"));

    char *p2[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items", "HTTP_HOST=api.example.com",
                  "HTTP_ORIGIN=" ORIGIN_OK, NULL};
    serve(p2, NULL, 0);
    expect_status(200, "GET with allowed Origin");
    CU_ASSERT_EQUAL(calls, 1);
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "Access-Control-Allow-Origin"), ORIGIN_OK);
    CU_ASSERT_PTR_NOT_NULL(memio_header(&M, "Access-Control-Expose-Headers"));

    /* "null" origin (sandboxed iframes, file://) */
    char *p3[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items", "HTTP_HOST=api.example.com",
                  "HTTP_ORIGIN=null", NULL};
    serve(p3, NULL, 0);
    expect_status(403, "GET with Origin null");
}

/* A navigation route (an OAuth provider's form_post) is served whatever
 * the Origin, without CORS headers; its preflight is still refused. */
static void test_navigation_origin(void)
{
    char *p[] = {"REQUEST_METHOD=POST",
                 "REQUEST_URI=/rest/v1/callback",
                 "HTTP_HOST=api.example.com",
                 "HTTP_ORIGIN=https://appleid.apple.com",
                 "CONTENT_LENGTH=4",
                 "CONTENT_TYPE=application/x-www-form-urlencoded",
                 NULL};
    serve(p, "a=bc", 4);
    expect_status(201, "form_post from a foreign Origin to a navigation route");
    CU_ASSERT_EQUAL(calls, 1);
    CU_ASSERT_PTR_NULL(memio_header(&M, "Access-Control-Allow-Origin"));

    char *p2[] = {"REQUEST_METHOD=POST",       "REQUEST_URI=/rest/v1/callback",
                  "HTTP_HOST=api.example.com", "HTTP_ORIGIN=null",
                  "CONTENT_LENGTH=0",          NULL};
    serve(p2, NULL, 0);
    expect_status(201, "form_post with Origin null to a navigation route");

    char *p3[] = {"REQUEST_METHOD=OPTIONS",
                  "REQUEST_URI=/rest/v1/callback",
                  "HTTP_HOST=api.example.com",
                  "HTTP_ORIGIN=https://evil.example",
                  "HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST",
                  NULL};
    serve(p3, NULL, 0);
    expect_status(403, "preflight to a navigation route");
    CU_ASSERT_EQUAL(calls, 0);

    char *p4[] = {"REQUEST_METHOD=POST",       "REQUEST_URI=/rest/v1/upload",
                  "HTTP_HOST=api.example.com", "HTTP_ORIGIN=https://appleid.apple.com",
                  "CONTENT_LENGTH=0",          NULL};
    serve(p4, NULL, 0);
    expect_status(403, "the same Origin on an ordinary route");
    CU_ASSERT_EQUAL(calls, 0);
}

static void test_body_limits(void)
{
    /* announced length above max_body: 413 before reading */
    char *p[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/rest/v1/upload", "CONTENT_LENGTH=100",
                 "CONTENT_TYPE=application/json", NULL};
    char body[200];
    memset(body, 'x', sizeof body);
    serve(p, body, 100);
    expect_status(413, "Content-Length 100 > 64");
    expect_json_error();
    CU_ASSERT_EQUAL(calls, 0);
    CU_ASSERT_EQUAL(M.reads, 0);

    /* within the limit */
    char *p2[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/rest/v1/upload", "CONTENT_LENGTH=64", NULL};
    serve(p2, body, 64);
    expect_status(201, "Content-Length 64");
    CU_ASSERT_EQUAL(seen_body_len, 64);
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "{\"len\":64}");

    /* no Content-Length, too much data */
    char *p3[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/rest/v1/upload", NULL};
    serve(p3, body, 200);
    expect_status(413, "chunked 200 > 64");
    CU_ASSERT_EQUAL(calls, 0);

    /* short body */
    char *p4[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/rest/v1/upload", "CONTENT_LENGTH=50", NULL};
    serve(p4, body, 10);
    expect_status(400, "short body");
    CU_ASSERT_EQUAL(calls, 0);
}

static void test_bad_request(void)
{
    char *p[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items?a=%zz", "QUERY_STRING=a=%zz",
                 NULL};
    serve(p, NULL, 0);
    expect_status(400, "?a=%zz");
    expect_json_error();
    CU_ASSERT_EQUAL(calls, 0);

    char *p2[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/it%zzems", NULL};
    serve(p2, NULL, 0);
    expect_status(400, "path %zz");
    expect_json_error();

    char big[1200];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "QUERY_STRING=", 13);
    char *p3[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items", big, NULL};
    serve(p3, NULL, 0);
    expect_status(400, "query too long");
    CU_ASSERT_PTR_NOT_NULL(strstr(error_text(), "MAX_QUERY_LENGTH"));

    char *p4[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items", "HTTP_X_BAD=\xff\xfe", NULL};
    serve(p4, NULL, 0);
    expect_status(400, "header not UTF-8");
    /* the error body is valid JSON even so */
    json_object *o = body_json();
    CU_ASSERT_PTR_NOT_NULL(o);
    json_object_put(o);
}

static char *token(const char *claims)
{
    char *t = jwt_sign(A, claims, UNIT_SECRET, "HS256");
    CU_ASSERT_PTR_NOT_NULL(t);
    return t ? t : "";
}

static void test_credentials(void)
{
    char *p[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/secure", NULL};
    serve(p, NULL, 0);
    expect_status(401, "no credentials on a required route");
    CU_ASSERT_STRING_EQUAL(error_text(), CREDENTIALS_MISSING_MESSAGE);
    CU_ASSERT_EQUAL(calls, 0);

    /* valid apikey: the handler sees the role (the token lives in the arena
     * that serve() resets, so the parameter is built after the reset) */
    memio_free(&M);
    arena_reset(A);
    char *key = strdup(token("{\"role\":\"anon\"}"));
    char *hdr = malloc(strlen(key) + 16);
    sprintf(hdr, "HTTP_APIKEY=%s", key);
    char *p2[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/secure", hdr, NULL};
    serve(p2, NULL, 0);
    expect_status(200, "valid apikey");
    CU_ASSERT_EQUAL(calls, 1);
    CU_ASSERT_TRUE(seen_auth_present);
    CU_ASSERT_STRING_EQUAL(seen_role, "anon");

    /* Bearer service_role beats the apikey */
    arena_reset(A);
    char *svc = strdup(token("{\"role\":\"service_role\",\"sub\":\"s\"}"));
    char *auth = malloc(strlen(svc) + 32);
    sprintf(auth, "HTTP_AUTHORIZATION=Bearer %s", svc);
    char *p3[] = {
        "REQUEST_METHOD=POST", "REQUEST_URI=/rest/v1/items", hdr, auth, "CONTENT_LENGTH=2", NULL};
    serve(p3, "{}", 2);
    expect_status(201, "bearer service_role");
    CU_ASSERT_STRING_EQUAL(seen_role, "service_role");

    /* bad apikey on an optional route: 401, handler not called */
    char *p4[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items/1", "HTTP_APIKEY=garbage",
                  NULL};
    serve(p4, NULL, 0);
    expect_status(401, "bad apikey on optional route");
    expect_json_error();
    CU_ASSERT_EQUAL(calls, 0);

    /* bad Bearer with a good apikey: no fallback */
    char *p5[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/secure", hdr,
                  "HTTP_AUTHORIZATION=Bearer ", NULL};
    serve(p5, NULL, 0);
    expect_status(401, "empty bearer");
    CU_ASSERT_PTR_NOT_NULL(strstr(error_text(), "empty bearer token"));
    CU_ASSERT_EQUAL(calls, 0);

    /* a public route ignores bad credentials */
    char *p6[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/items", "HTTP_APIKEY=garbage", NULL};
    serve(p6, NULL, 0);
    expect_status(200, "public route with bad apikey");

    /* ?apikey= works too */
    char *uri = malloc(strlen(key) + 64);
    sprintf(uri, "REQUEST_URI=/rest/v1/secure?apikey=%s", key);
    char *p7[] = {"REQUEST_METHOD=GET", uri, NULL};
    serve(p7, NULL, 0);
    expect_status(200, "?apikey=");
    CU_ASSERT_STRING_EQUAL(seen_role, "anon");

    free(uri);
    free(auth);
    free(svc);
    free(hdr);
    free(key);
}

static void test_health(void)
{
    char *p[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/health", NULL};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    serve(p, NULL, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    expect_status(503, "GET /health with the database down");
    CU_ASSERT(secs < 5.0);
    json_object *o = body_json();
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    json_object *v;
    CU_ASSERT_TRUE(json_object_object_get_ex(o, "status", &v));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "degraded");
    CU_ASSERT_TRUE(json_object_object_get_ex(o, "pg_connected", &v));
    CU_ASSERT(json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v));
    json_object_put(o);

    /* HEAD /health */
    char *p2[] = {"REQUEST_METHOD=HEAD", "REQUEST_URI=/health", NULL};
    serve(p2, NULL, 0);
    expect_status(503, "HEAD /health");
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "");

    /* POST /health: 405 */
    char *p3[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/health", NULL};
    serve(p3, NULL, 0);
    expect_status(405, "POST /health");

    /* /health inside the prefix is an ordinary (unknown) route */
    char *p4[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/health", NULL};
    serve(p4, NULL, 0);
    expect_status(404, "GET /rest/v1/health");

    /* an area that does not serve /health */
    APP.area = &AREA_NO_HEALTH;
    serve(p, NULL, 0);
    expect_status(404, "GET /health in an area without outside routes");
    APP.area = &AREA;
}

void register_server_tests(void)
{
    CU_pSuite s = CU_add_suite("server", setup, teardown);
    CU_add_test(s, "GET served by the handler", test_ok);
    CU_add_test(s, "HEAD", test_head);
    CU_add_test(s, "404", test_not_found);
    CU_add_test(s, "405 with Allow", test_method_not_allowed);
    CU_add_test(s, "CORS preflight", test_preflight);
    CU_add_test(s, "Origin refused/allowed", test_origin);
    CU_add_test(s, "navigation routes whatever the Origin", test_navigation_origin);
    CU_add_test(s, "body limits", test_body_limits);
    CU_add_test(s, "400 on bad input", test_bad_request);
    CU_add_test(s, "credentials", test_credentials);
    CU_add_test(s, "/health with the database down", test_health);
}
