/* Unit tests of building a request from FastCGI/CGI parameters (method,
 * path and query split, area prefix, headers from HTTP_*, decoding and its
 * failures, the query length limit) and of reading the body through an
 * in-memory http_io (exact, too large, short, chunked). */
#include "unit.h"

#include "memio.h"

#include "core/arena.h"
#include "core/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static arena *A;
static pgstack_config CFG;

static int setup(void)
{
    A = arena_new(8192);
    char *env[] = {"MAX_QUERY_LENGTH=256", "TRUSTED_PROXIES=10.0.0.0/8", NULL};
    return A && unit_config(&CFG, NULL, env, 0) ? 0 : 1;
}

static int teardown(void)
{
    config_free(&CFG, NULL, NULL);
    arena_free(A);
    return 0;
}

static bool parse(request *r, char *const *params, const char *prefix, request_error *err)
{
    err->status = 0;
    err->message = NULL;
    return request_parse(r, A, params, prefix, &CFG, err);
}

static void test_basic(void)
{
    char *params[] = {"REQUEST_METHOD=POST",
                      "REQUEST_URI=/rest/v1/todos?select=id,title&done=is.false",
                      "QUERY_STRING=select=id,title&done=is.false",
                      "HTTP_HOST=api.example.com",
                      "HTTP_ACCEPT_PROFILE=public",
                      "HTTP_X_CLIENT_INFO=supabase-js/2",
                      "CONTENT_TYPE=application/json",
                      "CONTENT_LENGTH=17",
                      "REMOTE_ADDR=203.0.113.5",
                      "SCRIPT_NAME=/ignored",
                      NULL};
    request r;
    request_error err;
    CU_ASSERT_TRUE_FATAL(parse(&r, params, "/rest/v1", &err));
    CU_ASSERT_PTR_EQUAL(r.arena, A);
    CU_ASSERT_STRING_EQUAL(r.method, "POST");
    CU_ASSERT_STRING_EQUAL(r.full_path, "/rest/v1/todos");
    CU_ASSERT_STRING_EQUAL(r.path, "/todos");
    CU_ASSERT_TRUE(r.in_prefix);
    CU_ASSERT_EQUAL_FATAL(r.query.count, 2);
    CU_ASSERT_STRING_EQUAL(r.query.items[0].key, "select");
    CU_ASSERT_STRING_EQUAL(r.query.items[0].value, "id,title");
    CU_ASSERT_STRING_EQUAL(query_get(&r.query, "done"), "is.false");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "host"), "api.example.com");
    CU_ASSERT_STRING_EQUAL(r.host, "api.example.com");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "accept-profile"), "public");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "x-client-info"), "supabase-js/2");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "content-type"), "application/json");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "content-length"), "17");
    CU_ASSERT_PTR_NULL(request_header(&r, "Accept-Profile")); /* names are lower case */
    CU_ASSERT_PTR_NULL(request_header(&r, "remote-addr"));    /* not a header */
    CU_ASSERT_PTR_NULL(request_header(&r, "script-name"));
    CU_ASSERT_EQUAL(r.content_length, 17);
    CU_ASSERT_STRING_EQUAL(r.client_addr, "203.0.113.5");
    CU_ASSERT_PTR_NULL(r.body);
    CU_ASSERT_EQUAL(r.param_count, 0);
}

static void test_query_from_uri(void)
{
    /* no QUERY_STRING: taken from REQUEST_URI */
    char *params[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/rest/v1/t?a=1&a=2&b", NULL};
    request r;
    request_error err;
    CU_ASSERT_TRUE_FATAL(parse(&r, params, "/rest/v1", &err));
    CU_ASSERT_STRING_EQUAL(r.path, "/t");
    CU_ASSERT_EQUAL_FATAL(r.query.count, 3);
    CU_ASSERT_STRING_EQUAL(r.query.items[1].value, "2");
    CU_ASSERT_STRING_EQUAL(r.query.items[2].key, "b");
    CU_ASSERT_EQUAL(r.content_length, -1);
    /* no method: GET */
    char *p2[] = {"REQUEST_URI=/rest/v1/", NULL};
    CU_ASSERT_TRUE_FATAL(parse(&r, p2, "/rest/v1", &err));
    CU_ASSERT_STRING_EQUAL(r.method, "GET");
    CU_ASSERT_STRING_EQUAL(r.path, "/");
    CU_ASSERT_EQUAL(r.query.count, 0);
    /* SCRIPT_NAME + PATH_INFO when there is no REQUEST_URI */
    char *p3[] = {"SCRIPT_NAME=/rest/v1", "PATH_INFO=/items", "QUERY_STRING=x=1", NULL};
    CU_ASSERT_TRUE_FATAL(parse(&r, p3, "/rest/v1", &err));
    CU_ASSERT_STRING_EQUAL(r.full_path, "/rest/v1/items");
    CU_ASSERT_STRING_EQUAL(r.path, "/items");
    CU_ASSERT_STRING_EQUAL(query_get(&r.query, "x"), "1");
    /* nothing at all */
    char *p4[] = {NULL};
    CU_ASSERT_TRUE_FATAL(parse(&r, p4, "/rest/v1", &err));
    CU_ASSERT_STRING_EQUAL(r.full_path, "/");
    CU_ASSERT_FALSE(r.in_prefix);
}

static void expect_path(const char *uri, const char *prefix, const char *path, bool in_prefix)
{
    char var[256];
    snprintf(var, sizeof var, "REQUEST_URI=%s", uri);
    char *params[] = {"REQUEST_METHOD=GET", var, NULL};
    request r;
    request_error err;
    bool ok = parse(&r, params, prefix, &err);
    CU_ASSERT_TRUE_FATAL(ok);
    CU_ASSERT_STRING_EQUAL(r.path, path);
    CU_ASSERT_EQUAL(r.in_prefix, in_prefix);
    if (strcmp(r.path, path) != 0 || r.in_prefix != in_prefix)
        fprintf(stderr, "\n  %s under %s: path %s in_prefix %d, want %s %d\n", uri, prefix, r.path,
                r.in_prefix, path, in_prefix);
}

static void test_prefix(void)
{
    expect_path("/rest/v1/todos", "/rest/v1", "/todos", true);
    expect_path("/rest/v1", "/rest/v1", "/", true);
    expect_path("/rest/v1/", "/rest/v1", "/", true);
    expect_path("/rest/v1?x=1", "/rest/v1", "/", true);
    expect_path("/rest/v1x", "/rest/v1", "/rest/v1x", false);
    expect_path("/rest/v1x/todos", "/rest/v1", "/rest/v1x/todos", false);
    expect_path("/health", "/rest/v1", "/health", false);
    expect_path("/rest", "/rest/v1", "/rest", false);
    expect_path("/REST/V1/todos", "/rest/v1", "/REST/V1/todos", false);
    expect_path("/rest/v1/todos/", "/rest/v1", "/todos/", true);
    expect_path("/rest/v1//todos", "/rest/v1", "//todos", true);
    expect_path("//rest/v1/todos", "/rest/v1", "//rest/v1/todos", false);
    expect_path("/", "/rest/v1", "/", false);
    expect_path("/rest/v1/t%20x", "/rest/v1", "/t x", true);
}

static void test_decoded_path(void)
{
    char *params[] = {"REQUEST_URI=/rest/v1/caf%C3%A9%20bar+baz?x=a+b", NULL};
    request r;
    request_error err;
    CU_ASSERT_TRUE_FATAL(parse(&r, params, "/rest/v1", &err));
    /* '+' is a space only in the query */
    CU_ASSERT_STRING_EQUAL(r.path, "/caf\xc3\xa9 bar+baz");
    CU_ASSERT_STRING_EQUAL(query_get(&r.query, "x"), "a b");
}

static void expect_400(char *const *params, const char *fragment)
{
    request r;
    request_error err;
    bool ok = parse(&r, params, "/rest/v1", &err);
    CU_ASSERT_FALSE(ok);
    if (ok) {
        fprintf(stderr, "\n  accepted, want 400 (%s)\n", fragment ? fragment : "");
        return;
    }
    CU_ASSERT_EQUAL(err.status, 400);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
    if (fragment) {
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, fragment));
        if (!strstr(err.message, fragment))
            fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", err.message, fragment);
    }
}

static void test_bad_input(void)
{
    char *p1[] = {"REQUEST_URI=/rest/v1/%zz", NULL};
    expect_400(p1, "path");
    char *p2[] = {"REQUEST_URI=/rest/v1/a%00b", NULL};
    expect_400(p2, "path");
    char *p3[] = {"REQUEST_URI=/rest/v1/%c0%af", NULL};
    expect_400(p3, "path");
    char *p4[] = {"REQUEST_URI=/rest/v1/t?a=%ff", NULL};
    expect_400(p4, "query");
    char *p5[] = {"REQUEST_URI=/rest/v1/t", "QUERY_STRING=a=%ed%a0%80", NULL};
    expect_400(p5, "query");
    char *p6[] = {"REQUEST_URI=/rest/v1/t", "QUERY_STRING=a=%zz", NULL};
    expect_400(p6, "query");
    char *p7[] = {"REQUEST_URI=/rest/v1/t", "QUERY_STRING=a=%00", NULL};
    expect_400(p7, "query");
    char *p8[] = {"REQUEST_URI=/rest/v1/%", NULL};
    expect_400(p8, "path");
    char *p9[] = {"REQUEST_URI=/rest/v1/\xff", NULL};
    expect_400(p9, "path");
    /* a header value that is not UTF-8 */
    char *p10[] = {"REQUEST_URI=/rest/v1/t", "HTTP_X_NAME=\xc0\xaf", NULL};
    expect_400(p10, "x-name");
}

static void test_query_length(void)
{
    /* MAX_QUERY_LENGTH is 256 in this suite */
    char exact[300], over[300];
    memset(exact, 'a', sizeof exact);
    memcpy(exact, "QUERY_STRING=q=", 15);
    exact[13 + 256] = '\0';
    memcpy(over, exact, sizeof over);
    over[13 + 256] = 'a';
    over[13 + 257] = '\0';
    char *p1[] = {"REQUEST_URI=/rest/v1/t", exact, NULL};
    request r;
    request_error err;
    CU_ASSERT_TRUE(parse(&r, p1, "/rest/v1", &err));
    char *p2[] = {"REQUEST_URI=/rest/v1/t", over, NULL};
    expect_400(p2, "MAX_QUERY_LENGTH");
    /* the same through REQUEST_URI only */
    char uri[400];
    snprintf(uri, sizeof uri, "REQUEST_URI=/rest/v1/t?%s", over + 13);
    char *p3[] = {uri, NULL};
    expect_400(p3, "MAX_QUERY_LENGTH");
}

static void test_headers(void)
{
    char *params[] = {"REQUEST_URI=/rest/v1/t",
                      "HTTP_AUTHORIZATION=Bearer x",
                      "HTTP_APIKEY=k",
                      "HTTP_CONTENT_PROFILE=private",
                      "HTTP_PREFER=return=representation",
                      "HTTP_RANGE=0-9",
                      "HTTP_X_EMPTY=",
                      "HTTP_=nameless",
                      "HTTP_X_UTF8=caf\xc3\xa9",
                      "HTTP_WEIRD",
                      "NOT_A_HEADER=1",
                      "CONTENT_TYPEX=nope",
                      NULL};
    request r;
    request_error err;
    CU_ASSERT_TRUE_FATAL(parse(&r, params, "/rest/v1", &err));
    CU_ASSERT_STRING_EQUAL(request_header(&r, "authorization"), "Bearer x");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "apikey"), "k");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "content-profile"), "private");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "prefer"), "return=representation");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "range"), "0-9");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "x-empty"), "");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "x-utf8"), "caf\xc3\xa9");
    CU_ASSERT_PTR_NULL(request_header(&r, "weird"));
    CU_ASSERT_PTR_NULL(request_header(&r, "not-a-header"));
    CU_ASSERT_PTR_NULL(request_header(&r, "content-typex"));
    CU_ASSERT_PTR_NULL(request_header(&r, "content-type"));
    CU_ASSERT_PTR_NULL(request_header(&r, "missing"));
    /* many headers (the list grows) */
    char *many[80];
    for (int i = 0; i < 78; i++)
        many[i] = arena_printf(A, "HTTP_X_H%d=v%d", i, i);
    many[78] = "REQUEST_URI=/rest/v1/t";
    many[79] = NULL;
    CU_ASSERT_TRUE_FATAL(parse(&r, many, "/rest/v1", &err));
    CU_ASSERT_EQUAL(r.headers.count, 78);
    CU_ASSERT_STRING_EQUAL(request_header(&r, "x-h77"), "v77");
    CU_ASSERT_STRING_EQUAL(request_header(&r, "x-h0"), "v0");
}

static void test_content_length(void)
{
    request r;
    request_error err;
    static const struct {
        const char *v;
        long want;
    } valid[] = {{"0", 0}, {"123", 123}, {"", -1}};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        char var[64];
        snprintf(var, sizeof var, "CONTENT_LENGTH=%s", valid[i].v);
        char *params[] = {"REQUEST_URI=/rest/v1/t", var, NULL};
        CU_ASSERT_TRUE_FATAL(parse(&r, params, "/rest/v1", &err));
        CU_ASSERT_EQUAL(r.content_length, valid[i].want);
    }
    static const char *invalid[] = {"abc", "-5", "12x", " 7"};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        char var[64];
        snprintf(var, sizeof var, "CONTENT_LENGTH=%s", invalid[i]);
        char *params[] = {"REQUEST_URI=/rest/v1/t", var, NULL};
        CU_ASSERT_FALSE(parse(&r, params, "/rest/v1", &err));
        CU_ASSERT_EQUAL(err.status, 400);
        CU_ASSERT_STRING_EQUAL(err.message, "invalid Content-Length");
    }
    char *bad_method[] = {"REQUEST_URI=/rest/v1/t", "REQUEST_METHOD=GE\nT", NULL};
    CU_ASSERT_FALSE(parse(&r, bad_method, "/rest/v1", &err));
    CU_ASSERT_EQUAL(err.status, 400);
}

static void test_client_addr(void)
{
    request r;
    request_error err;
    char *p1[] = {"REQUEST_URI=/rest/v1/t", "REMOTE_ADDR=10.0.0.1",
                  "HTTP_X_FORWARDED_FOR=6.6.6.6, 198.51.100.7", NULL};
    CU_ASSERT_TRUE_FATAL(parse(&r, p1, "/rest/v1", &err));
    CU_ASSERT_STRING_EQUAL(r.client_addr, "198.51.100.7");
    char *p2[] = {"REQUEST_URI=/rest/v1/t", "REMOTE_ADDR=203.0.113.1",
                  "HTTP_X_FORWARDED_FOR=198.51.100.7", NULL};
    CU_ASSERT_TRUE_FATAL(parse(&r, p2, "/rest/v1", &err));
    CU_ASSERT_STRING_EQUAL(r.client_addr, "203.0.113.1");
}

/* ---- request_read_body ---- */

static request body_req(long content_length)
{
    request r;
    memset(&r, 0, sizeof r);
    r.arena = A;
    r.method = "POST";
    r.path = r.full_path = "/t";
    r.content_length = content_length;
    return r;
}

static void test_body_exact(void)
{
    const char *body = "{\"title\":\"x\"}";
    size_t n = strlen(body);
    memio m;
    http_io io;
    memio_init(&m, &io, body, n);
    m.max_chunk = 3; /* short reads */
    request r = body_req((long)n);
    request_error err;
    CU_ASSERT_TRUE_FATAL(request_read_body(&r, &io, 1024, &err));
    CU_ASSERT_EQUAL(r.body_len, n);
    CU_ASSERT_STRING_EQUAL(r.body, body);
    memio_free(&m);

    /* only Content-Length bytes are taken even if more follow */
    memio_init(&m, &io, "abcdefgh", 8);
    r = body_req(4);
    CU_ASSERT_TRUE_FATAL(request_read_body(&r, &io, 1024, &err));
    CU_ASSERT_EQUAL(r.body_len, 4);
    CU_ASSERT_STRING_EQUAL(r.body, "abcd");
    memio_free(&m);

    /* exactly max_body */
    memio_init(&m, &io, "abcdefgh", 8);
    r = body_req(8);
    CU_ASSERT_TRUE_FATAL(request_read_body(&r, &io, 8, &err));
    CU_ASSERT_EQUAL(r.body_len, 8);
    memio_free(&m);

    /* Content-Length 0 */
    memio_init(&m, &io, "ignored", 7);
    r = body_req(0);
    CU_ASSERT_TRUE_FATAL(request_read_body(&r, &io, 1024, &err));
    CU_ASSERT_EQUAL(r.body_len, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.body);
    CU_ASSERT_STRING_EQUAL(r.body, "");
    memio_free(&m);

    /* binary body with NUL bytes */
    const char bin[] = "a\0b\0\xff";
    memio_init(&m, &io, bin, 5);
    r = body_req(5);
    CU_ASSERT_TRUE_FATAL(request_read_body(&r, &io, 1024, &err));
    CU_ASSERT_EQUAL(r.body_len, 5);
    CU_ASSERT_EQUAL(memcmp(r.body, bin, 5), 0);
    memio_free(&m);
}

static void test_body_too_large(void)
{
    memio m;
    http_io io;
    request_error err;
    /* Content-Length above the limit: 413 without reading anything */
    memio_init(&m, &io, "0123456789", 10);
    request r = body_req(10);
    CU_ASSERT_FALSE(request_read_body(&r, &io, 9, &err));
    CU_ASSERT_EQUAL(err.status, 413);
    CU_ASSERT_PTR_NOT_NULL(err.message);
    CU_ASSERT_EQUAL(m.reads, 0);
    memio_free(&m);
    /* a huge announced length */
    memio_init(&m, &io, "x", 1);
    r = body_req(0x7fffffffffffL);
    CU_ASSERT_FALSE(request_read_body(&r, &io, 1 << 20, &err));
    CU_ASSERT_EQUAL(err.status, 413);
    CU_ASSERT_EQUAL(m.reads, 0);
    memio_free(&m);
    /* no Content-Length and more than the limit */
    size_t n = 100000;
    char *big = malloc(n);
    memset(big, 'b', n);
    memio_init(&m, &io, big, n);
    r = body_req(-1);
    CU_ASSERT_FALSE(request_read_body(&r, &io, 50000, &err));
    CU_ASSERT_EQUAL(err.status, 413);
    CU_ASSERT(m.in_pos < n); /* stopped reading early */
    memio_free(&m);
    /* max_body 0 */
    memio_init(&m, &io, "x", 1);
    r = body_req(-1);
    CU_ASSERT_FALSE(request_read_body(&r, &io, 0, &err));
    CU_ASSERT_EQUAL(err.status, 413);
    memio_free(&m);
    free(big);
}

static void test_body_short(void)
{
    memio m;
    http_io io;
    request_error err;
    memio_init(&m, &io, "abc", 3);
    request r = body_req(10);
    CU_ASSERT_FALSE(request_read_body(&r, &io, 1024, &err));
    CU_ASSERT_EQUAL(err.status, 400);
    memio_free(&m);
    /* a read error */
    memio_init(&m, &io, "abc", 3);
    m.read_error = true;
    r = body_req(10);
    CU_ASSERT_FALSE(request_read_body(&r, &io, 1024, &err));
    CU_ASSERT_EQUAL(err.status, 400);
    memio_free(&m);
}

static void test_body_chunked(void)
{
    memio m;
    http_io io;
    request_error err;
    /* no Content-Length: read to EOF across many reads and growths */
    size_t n = 70000;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    memio_init(&m, &io, big, n);
    m.max_chunk = 1000;
    request r = body_req(-1);
    CU_ASSERT_TRUE_FATAL(request_read_body(&r, &io, (long)n, &err));
    CU_ASSERT_EQUAL(r.body_len, n);
    CU_ASSERT_EQUAL(memcmp(r.body, big, n), 0);
    CU_ASSERT_EQUAL(r.body[n], '\0');
    memio_free(&m);
    /* one byte more than allowed */
    memio_init(&m, &io, big, n);
    r = body_req(-1);
    CU_ASSERT_FALSE(request_read_body(&r, &io, (long)n - 1, &err));
    CU_ASSERT_EQUAL(err.status, 413);
    memio_free(&m);
    /* empty chunked body */
    memio_init(&m, &io, NULL, 0);
    r = body_req(-1);
    CU_ASSERT_TRUE_FATAL(request_read_body(&r, &io, 10, &err));
    CU_ASSERT_EQUAL(r.body_len, 0);
    CU_ASSERT_STRING_EQUAL(r.body, "");
    memio_free(&m);
    /* read error mid-way */
    memio_init(&m, &io, big, 100);
    m.read_error = true;
    r = body_req(-1);
    CU_ASSERT_FALSE(request_read_body(&r, &io, 1000, &err));
    CU_ASSERT_EQUAL(err.status, 400);
    memio_free(&m);
    free(big);
}

void register_request_tests(void)
{
    CU_pSuite s = CU_add_suite("request", setup, teardown);
    CU_add_test(s, "method, path, query, headers", test_basic);
    CU_add_test(s, "query from REQUEST_URI, defaults", test_query_from_uri);
    CU_add_test(s, "area prefix", test_prefix);
    CU_add_test(s, "decoded path", test_decoded_path);
    CU_add_test(s, "bad encodings are 400", test_bad_input);
    CU_add_test(s, "MAX_QUERY_LENGTH", test_query_length);
    CU_add_test(s, "headers", test_headers);
    CU_add_test(s, "Content-Length", test_content_length);
    CU_add_test(s, "client address", test_client_addr);
    CU_add_test(s, "body: exact length", test_body_exact);
    CU_add_test(s, "body: too large", test_body_too_large);
    CU_add_test(s, "body: short", test_body_short);
    CU_add_test(s, "body: no Content-Length", test_body_chunked);
}
