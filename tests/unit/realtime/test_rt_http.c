/* Request heads: complete, incomplete, malformed, oversized; the CGI
 * parameters for core's request_parse; the WebSocket accept key. */
#include "realtime/rt_http.h"
#include "realtime/rt_upgrade.h"

#include <CUnit/CUnit.h>
#include <string.h>

void register_realtime_http_tests(void);

static void test_parse(void)
{
    arena *a = arena_new(4096);
    rt_http_head h;
    const char *why = NULL;
    const char *req = "GET /ws/_channel_x?apikey=k HTTP/1.1\r\nHost: h\r\nUpgrade: WebSocket\r\n"
                      "X-Two: a\r\n\r\n\x81\x80";
    CU_ASSERT_EQUAL_FATAL(rt_http_parse(a, req, strlen(req), &h, &why), RT_HTTP_DONE);
    CU_ASSERT_STRING_EQUAL(h.method, "GET");
    CU_ASSERT_STRING_EQUAL(h.uri, "/ws/_channel_x?apikey=k");
    CU_ASSERT_STRING_EQUAL(rt_http_header(&h, "x-two"), "a");
    CU_ASSERT_TRUE(h.upgrade);
    CU_ASSERT_EQUAL(h.head_len, strlen(req) - 2); /* the frame bytes stay */
    CU_ASSERT_EQUAL(rt_http_parse(a, req, 20, &h, &why), RT_HTTP_INCOMPLETE);
    CU_ASSERT_EQUAL(rt_http_parse(a, "\x16\x03garbage\r\n\r\n", 13, &h, &why), RT_HTTP_BAD);
    CU_ASSERT_EQUAL_FATAL(rt_http_parse(a, req, strlen(req), &h, &why), RT_HTTP_DONE);
    char **p = rt_http_cgi_params(a, &h, "10.0.0.1");
    CU_ASSERT_STRING_EQUAL(p[0], "REQUEST_METHOD=GET");
    CU_ASSERT_STRING_EQUAL(p[2], "REMOTE_ADDR=10.0.0.1");
    CU_ASSERT_STRING_EQUAL(p[4], "HTTP_UPGRADE=WebSocket");
    arena_free(a);
}

/* The head ends at the parser's final LF, however the lines end: a head
 * closed by "\n\r\n" with "\r\n\r\n" later in the frames (found by
 * fuzz_rt_http) must not swallow the frames. */
static void test_mixed_line_ends(void)
{
    arena *a = arena_new(4096);
    rt_http_head h;
    const char *why = NULL;
    const char *req = "GET /ws/x HTTP/1.1\r\nOrigin: http://h\n\r\nframes\r\n\r\n";
    CU_ASSERT_EQUAL_FATAL(rt_http_parse(a, req, strlen(req), &h, &why), RT_HTTP_DONE);
    CU_ASSERT_EQUAL(h.head_len, strlen(req) - strlen("frames\r\n\r\n"));
    const char *bare = "GET /ws/x HTTP/1.1\nA: b\n\nrest\r\n\r\n";
    CU_ASSERT_EQUAL_FATAL(rt_http_parse(a, bare, strlen(bare), &h, &why), RT_HTTP_DONE);
    CU_ASSERT_EQUAL(h.head_len, strlen(bare) - strlen("rest\r\n\r\n"));
    arena_free(a);
}

static void test_too_large(void)
{
    arena *a = arena_new(4096);
    static char big[RT_HTTP_MAX_HEAD + 10];
    memset(big, 'a', sizeof(big));
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    rt_http_head h;
    const char *why = NULL;
    CU_ASSERT_EQUAL(rt_http_parse(a, big, sizeof(big), &h, &why), RT_HTTP_BAD);
    arena_free(a);
}

static void test_accept_key(void)
{
    arena *a = arena_new(1024);
    /* RFC 6455 section 1.3 */
    CU_ASSERT_STRING_EQUAL(rt_upgrade_accept_key(a, "dGhlIHNhbXBsZSBub25jZQ=="),
                           "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    arena_free(a);
}

void register_realtime_http_tests(void)
{
    CU_pSuite s = CU_add_suite("realtime http", NULL, NULL);
    CU_add_test(s, "request heads", test_parse);
    CU_add_test(s, "heads ending in mixed line breaks", test_mixed_line_ends);
    CU_add_test(s, "a head over the limit", test_too_large);
    CU_add_test(s, "Sec-WebSocket-Accept", test_accept_key);
}
