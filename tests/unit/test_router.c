/* Unit tests of the router: literal routes, {param} captures, trailing
 * wildcards, 404, 405 with Allow, HEAD answered by GET routes, the root
 * route, and paths that must not match (trailing slash, empty segments). */
#include "unit.h"

#include "core/arena.h"
#include "core/request.h"
#include "core/router.h"

#include <stdio.h>
#include <string.h>

static void h_list(request *req, response *res)
{
    (void)req;
    (void)res;
}
static void h_create(request *req, response *res)
{
    (void)req;
    (void)res;
}
static void h_one(request *req, response *res)
{
    (void)req;
    (void)res;
}
static void h_patch(request *req, response *res)
{
    (void)req;
    (void)res;
}
static void h_delete(request *req, response *res)
{
    (void)req;
    (void)res;
}
static void h_root(request *req, response *res)
{
    (void)req;
    (void)res;
}
static void h_object(request *req, response *res)
{
    (void)req;
    (void)res;
}
static void h_upload(request *req, response *res)
{
    (void)req;
    (void)res;
}
static void h_nested(request *req, response *res)
{
    (void)req;
    (void)res;
}
static void h_rpc(request *req, response *res)
{
    (void)req;
    (void)res;
}

static const route ROUTES[] = {
    {"GET", "/", h_root, ROUTE_PUBLIC},
    {"GET", "/todos", h_list, ROUTE_OPTIONAL},
    {"POST", "/todos", h_create, ROUTE_REQUIRED},
    {"GET", "/todos/{id}", h_one, ROUTE_OPTIONAL},
    {"PATCH", "/todos/{id}", h_patch, ROUTE_REQUIRED},
    {"DELETE", "/todos/{id}", h_delete, ROUTE_REQUIRED},
    {"GET", "/object/{bucket}/*", h_object, ROUTE_OPTIONAL},
    {"POST", "/object/{bucket}/*", h_upload, ROUTE_REQUIRED},
    {"GET", "/users/{uid}/posts/{pid}", h_nested, ROUTE_PUBLIC},
    {"POST", "/rpc/{fn}", h_rpc, ROUTE_OPTIONAL},
};
#define NROUTES (sizeof ROUTES / sizeof ROUTES[0])

static arena *A;

static int setup(void)
{
    A = arena_new(4096);
    return A ? 0 : 1;
}

static int teardown(void)
{
    arena_free(A);
    return 0;
}

static request make_req(const char *method, const char *path)
{
    request r;
    memset(&r, 0, sizeof r);
    r.arena = A;
    r.method = method;
    r.path = path;
    r.full_path = path;
    r.in_prefix = true;
    r.content_length = -1;
    return r;
}

static route_result match(request *r, const route **found, const char **allow)
{
    *found = NULL;
    *allow = NULL;
    return router_match(ROUTES, NROUTES, r, found, allow);
}

static void test_literal(void)
{
    const route *f;
    const char *allow;
    request r = make_req("GET", "/todos");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_list);
    CU_ASSERT_EQUAL(r.param_count, 0);
    CU_ASSERT_PTR_NULL(r.wildcard);

    r = make_req("POST", "/todos");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_create);
    CU_ASSERT_EQUAL(f->auth, ROUTE_REQUIRED);
}

static void test_root(void)
{
    const route *f;
    const char *allow;
    request r = make_req("GET", "/");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_root);
    r = make_req("POST", "/");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
    r = make_req("GET", "//");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    r = make_req("GET", "");
    CU_ASSERT_NOT_EQUAL(match(&r, &f, &allow), ROUTE_FOUND);
}

static void test_params(void)
{
    const route *f;
    const char *allow;
    request r = make_req("GET", "/todos/42");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_one);
    CU_ASSERT_EQUAL(r.param_count, 1);
    CU_ASSERT_STRING_EQUAL(request_param(&r, "id"), "42");
    CU_ASSERT_PTR_NULL(request_param(&r, "ID"));
    CU_ASSERT_PTR_NULL(request_param(&r, "nope"));

    r = make_req("DELETE", "/todos/a%20b.c-d");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_delete);
    CU_ASSERT_STRING_EQUAL(request_param(&r, "id"), "a%20b.c-d");

    r = make_req("GET", "/users/7/posts/99");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_nested);
    CU_ASSERT_EQUAL(r.param_count, 2);
    CU_ASSERT_STRING_EQUAL(request_param(&r, "uid"), "7");
    CU_ASSERT_STRING_EQUAL(request_param(&r, "pid"), "99");

    /* UTF-8 in a segment */
    r = make_req("POST", "/rpc/caf\xc3\xa9");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_STRING_EQUAL(request_param(&r, "fn"), "caf\xc3\xa9");
}

static void test_params_need_a_segment(void)
{
    const route *f;
    const char *allow;
    request r = make_req("GET", "/todos/");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    r = make_req("GET", "/users//posts/1");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    r = make_req("GET", "/users/1/posts/");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    r = make_req("POST", "/rpc/");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    /* a param is one segment, never several */
    r = make_req("GET", "/todos/1/2");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
}

static void test_wildcard(void)
{
    const route *f;
    const char *allow;
    request r = make_req("GET", "/object/avatars/a.png");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_object);
    CU_ASSERT_STRING_EQUAL(request_param(&r, "bucket"), "avatars");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.wildcard);
    CU_ASSERT_STRING_EQUAL(r.wildcard, "a.png");

    r = make_req("POST", "/object/avatars/users/1/deep/file.txt");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_upload);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.wildcard);
    CU_ASSERT_STRING_EQUAL(r.wildcard, "users/1/deep/file.txt");

    /* trailing slash inside the wildcard is kept */
    r = make_req("GET", "/object/b/dir/");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_STRING_EQUAL(r.wildcard, "dir/");

    /* "*" needs at least one segment */
    r = make_req("GET", "/object/avatars");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    r = make_req("GET", "/object/avatars/");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    r = make_req("GET", "/object//x");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
}

static void test_captures_reset_between_matches(void)
{
    /* a wildcard or param from an earlier match must not leak into a later one */
    const route *f;
    const char *allow;
    request r = make_req("GET", "/object/b/x/y");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    r.path = "/todos";
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_list);
    CU_ASSERT_PTR_NULL(r.wildcard);
    CU_ASSERT_EQUAL(r.param_count, 0);
    CU_ASSERT_PTR_NULL(request_param(&r, "bucket"));
}

static void test_not_found(void)
{
    static const char *paths[] = {
        "/nope", "/todos/", "/TODOS",   "/todo",          "/todosx", "/todos/1/",       "/x/todos",
        "todos", "/rpc",    "/users/1", "/users/1/posts", "/object", "/todos/../todos", "/%2e%2e"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const route *f;
        const char *allow;
        request r = make_req("GET", paths[i]);
        route_result rr = match(&r, &f, &allow);
        CU_ASSERT_EQUAL(rr, ROUTE_NOT_FOUND);
        if (rr != ROUTE_NOT_FOUND)
            fprintf(stderr, "\n  GET %s: %d, want ROUTE_NOT_FOUND\n", paths[i], rr);
    }
}

static bool allow_has(const char *allow, const char *m)
{
    /* m appears as a whole item of the ", "-separated list */
    size_t n = strlen(m);
    for (const char *p = allow; p && *p;) {
        const char *comma = strstr(p, ", ");
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, m, n) == 0)
            return true;
        if (!comma)
            break;
        p = comma + 2;
    }
    return false;
}

static void test_method_not_allowed(void)
{
    const route *f;
    const char *allow;
    request r = make_req("PUT", "/todos");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(allow);
    CU_ASSERT_STRING_EQUAL(allow, "GET, HEAD, POST, OPTIONS");

    r = make_req("POST", "/todos/1");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(allow);
    CU_ASSERT_STRING_EQUAL(allow, "GET, HEAD, PATCH, DELETE, OPTIONS");

    r = make_req("DELETE", "/users/1/posts/2");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
    CU_ASSERT_STRING_EQUAL(allow, "GET, HEAD, OPTIONS");

    r = make_req("GET", "/rpc/fn");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
    CU_ASSERT_STRING_EQUAL(allow, "POST, OPTIONS");
    CU_ASSERT_FALSE(allow_has(allow, "HEAD")); /* no GET, so no HEAD */

    /* OPTIONS itself is not a route here: 405 listing what is there */
    r = make_req("OPTIONS", "/todos");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
    CU_ASSERT(allow_has(allow, "GET"));
    CU_ASSERT(allow_has(allow, "OPTIONS"));

    /* methods are case-sensitive */
    r = make_req("get", "/todos");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
    /* garbage method */
    r = make_req("G\r\nET", "/todos");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
    r = make_req("", "/todos");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
}

static void test_allow_no_substring_confusion(void)
{
    /* a method whose name contains another must still be listed */
    static const route R[] = {
        {"PATCH", "/x", h_patch, ROUTE_PUBLIC},
        {"PUT", "/x", h_patch, ROUTE_PUBLIC},
        {"GETX", "/y", h_list, ROUTE_PUBLIC},
        {"GET", "/y", h_list, ROUTE_PUBLIC},
    };
    const route *f = NULL;
    const char *allow = NULL;
    request r = make_req("DELETE", "/x");
    CU_ASSERT_EQUAL_FATAL(router_match(R, 4, &r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
    CU_ASSERT(allow_has(allow, "PATCH"));
    CU_ASSERT(allow_has(allow, "PUT"));
    CU_ASSERT(allow_has(allow, "OPTIONS"));
    allow = NULL;
    r = make_req("DELETE", "/y");
    CU_ASSERT_EQUAL_FATAL(router_match(R, 4, &r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(allow);
    CU_ASSERT(allow_has(allow, "GETX"));
    CU_ASSERT(allow_has(allow, "GET"));
    CU_ASSERT(allow_has(allow, "HEAD"));
    if (!allow_has(allow, "GET"))
        fprintf(stderr, "\n  Allow for GETX+GET routes: \"%s\" (GET missing)\n", allow);
}

static void test_head(void)
{
    const route *f;
    const char *allow;
    request r = make_req("HEAD", "/todos");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_list);
    r = make_req("HEAD", "/todos/5");
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(f->handler, h_one);
    CU_ASSERT_STRING_EQUAL(request_param(&r, "id"), "5");
    /* HEAD does not match POST-only routes */
    r = make_req("HEAD", "/rpc/fn");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_METHOD_NOT_ALLOWED);
}

static void test_trailing_slash(void)
{
    const route *f;
    const char *allow;
    request r = make_req("GET", "/todos/");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    r = make_req("POST", "/todos/");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    r = make_req("GET", "/todos/1/");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    r = make_req("GET", "/todos//");
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
}

static void test_empty_table_and_many_params(void)
{
    const route *f = NULL;
    const char *allow = NULL;
    request r = make_req("GET", "/todos");
    CU_ASSERT_EQUAL(router_match(NULL, 0, &r, &f, &allow), ROUTE_NOT_FOUND);
    CU_ASSERT_EQUAL(router_match(ROUTES, 0, &r, &f, &allow), ROUTE_NOT_FOUND);

    /* more params than the router can hold must not overflow */
    static const route MANY[] = {
        {"GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}/{k}/{l}", h_list, ROUTE_PUBLIC},
    };
    r = make_req("GET", "/1/2/3/4/5/6/7/8/9/10/11/12");
    route_result rr = router_match(MANY, 1, &r, &f, &allow);
    if (rr == ROUTE_FOUND) {
        CU_ASSERT_EQUAL(r.param_count, 12);
        CU_ASSERT_STRING_EQUAL(request_param(&r, "l"), "12");
    } else {
        CU_ASSERT_EQUAL(rr, ROUTE_NOT_FOUND);
    }
}

static void test_long_path(void)
{
    /* a 64 KB path of many segments */
    size_t n = 64 * 1024;
    char *p = arena_alloc(A, n + 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (i % 2 == 0) ? '/' : 'a';
    p[n] = '\0';
    const route *f;
    const char *allow;
    request r = make_req("GET", p);
    CU_ASSERT_EQUAL(match(&r, &f, &allow), ROUTE_NOT_FOUND);
    memcpy(p, "/object/b/", 10);
    r = make_req("GET", p);
    CU_ASSERT_EQUAL_FATAL(match(&r, &f, &allow), ROUTE_FOUND);
    CU_ASSERT_EQUAL(strlen(r.wildcard), n - 10);
}

void register_router_tests(void)
{
    CU_pSuite s = CU_add_suite("router", setup, teardown);
    CU_add_test(s, "literal routes", test_literal);
    CU_add_test(s, "root route", test_root);
    CU_add_test(s, "param captures", test_params);
    CU_add_test(s, "params need a non-empty segment", test_params_need_a_segment);
    CU_add_test(s, "trailing wildcard", test_wildcard);
    CU_add_test(s, "captures reset between matches", test_captures_reset_between_matches);
    CU_add_test(s, "404 paths", test_not_found);
    CU_add_test(s, "405 with Allow", test_method_not_allowed);
    CU_add_test(s, "Allow with overlapping method names", test_allow_no_substring_confusion);
    CU_add_test(s, "HEAD matches GET routes", test_head);
    CU_add_test(s, "trailing slash does not match", test_trailing_slash);
    CU_add_test(s, "empty table, many params", test_empty_table_and_many_params);
    CU_add_test(s, "64 KB path", test_long_path);
}
