/* Unit tests of the response writer through an in-memory http_io: the
 * CGI-style status line, headers and Content-Length, HEAD without body,
 * 204/304 without Content-Length, streaming with a flush per write, and the
 * JSON error bodies of http_error / http_error_with. */
#include "unit.h"

#include "memio.h"

#include "core/arena.h"
#include "core/errors.h"
#include "core/response.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static arena *A;
static memio M;
static http_io IO;

static int setup(void)
{
    A = arena_new(8192);
    return A ? 0 : 1;
}

static int teardown(void)
{
    memio_free(&M);
    arena_free(A);
    return 0;
}

static void fresh(response *res)
{
    memio_free(&M);
    memio_init(&M, &IO, NULL, 0);
    response_init(res, A, &IO);
}

/* The number of times name appears as a header line (case-insensitive). */
static int header_count(const char *name)
{
    const char *t = memio_text(&M);
    const char *end = strstr(t, "\r\n\r\n");
    int count = 0;
    size_t n = strlen(name);
    for (const char *line = t; line && line < end;) {
        if (strncasecmp(line, name, n) == 0 && line[n] == ':')
            count++;
        const char *eol = strstr(line, "\r\n");
        line = eol ? eol + 2 : NULL;
    }
    return count;
}

static void test_json_reply(void)
{
    response res;
    fresh(&res);
    CU_ASSERT_EQUAL(res.status, 200);
    response_json(&res, 200, "{\"a\":1}");
    CU_ASSERT_EQUAL(M.out_len, 0); /* nothing sent before finish */
    response_finish(&res);
    const char *t = memio_text(&M);
    CU_ASSERT_EQUAL(strncmp(t, "Status: 200 OK\r\n", 16), 0);
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "Content-Type"), "application/json; charset=utf-8");
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "Content-Length"), "7");
    CU_ASSERT_PTR_NOT_NULL_FATAL(memio_body(&M));
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "{\"a\":1}");
    CU_ASSERT_EQUAL(header_count("Content-Type"), 1);
    CU_ASSERT_EQUAL(header_count("Content-Length"), 1);
    /* finishing again sends nothing */
    size_t len = M.out_len;
    response_finish(&res);
    CU_ASSERT_EQUAL(M.out_len, len);
    CU_ASSERT_TRUE(res.finished);
}

static void test_headers(void)
{
    response res;
    fresh(&res);
    response_set_header(&res, "X-One", "1");
    response_set_header(&res, "x-one", "2"); /* replaces, case-insensitive */
    response_add_header(&res, "Set-Cookie", "a=1");
    response_add_header(&res, "Set-Cookie", "b=2");
    CU_ASSERT_STRING_EQUAL(response_get_header(&res, "X-ONE"), "2");
    CU_ASSERT_PTR_NULL(response_get_header(&res, "X-Two"));
    /* values are copied */
    char buf[8];
    strcpy(buf, "abc");
    response_set_header(&res, "X-Copy", buf);
    strcpy(buf, "zzz");
    CU_ASSERT_STRING_EQUAL(response_get_header(&res, "X-Copy"), "abc");
    /* many headers */
    for (int i = 0; i < 40; i++)
        response_add_header(&res, arena_printf(A, "X-H%d", i), "v");
    response_json(&res, 201, "[]");
    response_finish(&res);
    CU_ASSERT_EQUAL(strncmp(memio_text(&M), "Status: 201 Created\r\n", 21), 0);
    CU_ASSERT_EQUAL(header_count("X-One"), 1);
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "X-One"), "2");
    CU_ASSERT_EQUAL(header_count("Set-Cookie"), 2);
    CU_ASSERT_EQUAL(header_count("X-H39"), 1);
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "[]");
}

static void test_head(void)
{
    response res;
    fresh(&res);
    res.head_only = true;
    response_json(&res, 200, "{\"big\":\"body\"}");
    response_finish(&res);
    CU_ASSERT_EQUAL(strncmp(memio_text(&M), "Status: 200 OK\r\n", 16), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(memio_body(&M));
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "");
    /* a Content-Length, if any, is the GET one (never 0 for a non-empty body) */
    const char *cl = memio_header(&M, "Content-Length");
    if (cl)
        CU_ASSERT_STRING_EQUAL(cl, "14");
}

static void test_no_content(void)
{
    response res;
    fresh(&res);
    response_empty(&res, 204);
    response_finish(&res);
    CU_ASSERT_EQUAL(strncmp(memio_text(&M), "Status: 204 No Content\r\n", 24), 0);
    CU_ASSERT_EQUAL(header_count("Content-Length"), 0);
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "");

    /* response_empty drops a body built before */
    fresh(&res);
    response_json(&res, 200, "{\"x\":1}");
    response_empty(&res, 204);
    response_finish(&res);
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "");

    fresh(&res);
    response_empty(&res, 304);
    response_finish(&res);
    CU_ASSERT_EQUAL(strncmp(memio_text(&M), "Status: 304 Not Modified\r\n", 26), 0);
    CU_ASSERT_EQUAL(header_count("Content-Length"), 0);

    /* other empty replies say Content-Length: 0 */
    fresh(&res);
    response_empty(&res, 201);
    response_finish(&res);
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "Content-Length"), "0");
}

static void test_reasons(void)
{
    static const struct {
        int status;
        const char *reason;
    } r[] = {{200, "OK"},
             {400, "Bad Request"},
             {401, "Unauthorized"},
             {403, "Forbidden"},
             {404, "Not Found"},
             {405, "Method Not Allowed"},
             {413, "Content Too Large"},
             {503, "Service Unavailable"}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        CU_ASSERT_STRING_EQUAL(http_reason(r[i].status), r[i].reason);
    CU_ASSERT_PTR_NOT_NULL(http_reason(299));
    CU_ASSERT_PTR_NOT_NULL(http_reason(-1));
    response res;
    fresh(&res);
    response_empty(&res, 418);
    response_finish(&res);
    CU_ASSERT_EQUAL(strncmp(memio_text(&M), "Status: 418 ", 12), 0);
}

static void test_streaming(void)
{
    response res;
    fresh(&res);
    response_set_header(&res, "Content-Type", "text/event-stream");
    response_stream_begin(&res);
    CU_ASSERT_TRUE(res.headers_sent);
    CU_ASSERT_EQUAL(M.flushes, 1);
    CU_ASSERT(M.out_len > 0);
    CU_ASSERT_EQUAL(M.flushed_len[0], M.out_len); /* the headers were flushed */
    CU_ASSERT_PTR_NOT_NULL(strstr(memio_text(&M), "\r\n\r\n"));
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "");
    CU_ASSERT_EQUAL(header_count("Content-Length"), 0);
    /* a second begin is harmless */
    response_stream_begin(&res);
    CU_ASSERT_EQUAL(M.flushes, 1);

    CU_ASSERT_TRUE(response_stream_write(&res, "data: 1\n\n", 9));
    CU_ASSERT_EQUAL(M.flushes, 2);
    CU_ASSERT_EQUAL(M.flushed_len[1], M.out_len);
    CU_ASSERT_TRUE(response_stream_write(&res, "data: 2\n\n", 9));
    CU_ASSERT_EQUAL(M.flushes, 3);
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "data: 1\n\ndata: 2\n\n");
    /* a body built in memory is not sent after streaming */
    sbuf_puts(&res.body, "LEFTOVER");
    size_t len = M.out_len;
    int writes = M.writes;
    response_finish(&res);
    CU_ASSERT_EQUAL(M.out_len, len);
    CU_ASSERT_EQUAL(M.writes, writes);
    CU_ASSERT_PTR_NULL(strstr(memio_text(&M), "LEFTOVER"));
}

static void test_streaming_implicit_begin(void)
{
    response res;
    fresh(&res);
    CU_ASSERT_TRUE(response_stream_write(&res, "abc", 3));
    CU_ASSERT_EQUAL(strncmp(memio_text(&M), "Status: 200 OK\r\n", 16), 0);
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "abc");
    CU_ASSERT(M.flushes >= 2);
    /* binary data with NUL bytes */
    CU_ASSERT_TRUE(response_stream_write(&res, "\0\1\2", 3));
    CU_ASSERT_EQUAL(memcmp(memio_body(&M), "abc\0\1\2", 6), 0);
    response_finish(&res);

    /* HEAD while streaming: headers only */
    fresh(&res);
    res.head_only = true;
    CU_ASSERT_TRUE(response_stream_write(&res, "body", 4));
    response_finish(&res);
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "");

    /* the client went away */
    fresh(&res);
    response_stream_begin(&res);
    M.fail_write = true;
    CU_ASSERT_FALSE(response_stream_write(&res, "x", 1));
}

/* Parses the captured body as a JSON object (caller puts it). */
static json_object *body_json(void)
{
    const char *b = memio_body(&M);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    json_object *o = json_tokener_parse(b);
    CU_ASSERT_PTR_NOT_NULL(o);
    CU_ASSERT(json_object_is_type(o, json_type_object));
    return o;
}

static const char *field(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    return json_object_get_string(v);
}

static void test_http_error(void)
{
    response res;
    fresh(&res);
    http_error(&res, 404, "no route for %s %s", "GET", "/x");
    response_finish(&res);
    CU_ASSERT_EQUAL(strncmp(memio_text(&M), "Status: 404 Not Found\r\n", 23), 0);
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "Content-Type"), "application/json; charset=utf-8");
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "{\"error\":\"no route for GET /x\"}");

    /* escaping: quotes, backslashes, control characters, no escaped slashes */
    fresh(&res);
    http_error(&res, 400, "bad \"%s\"\n\t\\ /path/to %s", "quote", "caf\xc3\xa9 \xe2\x82\xac");
    response_finish(&res);
    const char *b = memio_body(&M);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NULL(strstr(b, "\\/"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "/path/to"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "\\\"quote\\\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "\\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "\\t"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "\\\\"));
    CU_ASSERT_PTR_NULL(strchr(b, '\n'));
    json_object *o = body_json();
    CU_ASSERT_STRING_EQUAL(field(o, "error"),
                           "bad \"quote\"\n\t\\ /path/to caf\xc3\xa9 \xe2\x82\xac");
    json_object_put(o);
    /* the Content-Length is the byte length */
    char cl[32];
    snprintf(cl, sizeof cl, "%zu", strlen(b));
    CU_ASSERT_STRING_EQUAL(memio_header(&M, "Content-Length"), cl);

    /* a format-string attack in an argument stays text */
    fresh(&res);
    http_error(&res, 400, "%s", "%s%s%n%x");
    response_finish(&res);
    o = body_json();
    CU_ASSERT_STRING_EQUAL(field(o, "error"), "%s%s%n%x");
    json_object_put(o);

    /* control characters and DEL */
    fresh(&res);
    http_error(&res, 400,
               "a\x01"
               "b\x1f"
               "c\x7f");
    response_finish(&res);
    b = memio_body(&M);
    CU_ASSERT_PTR_NULL(strchr(b, '\x01'));
    CU_ASSERT_PTR_NULL(strchr(b, '\x1f'));
    o = body_json();
    CU_ASSERT_STRING_EQUAL(field(o, "error"), "a\x01"
                                              "b\x1f"
                                              "c\x7f");
    json_object_put(o);

    /* a long message */
    fresh(&res);
    char big[20000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    http_error(&res, 413, "%s", big);
    response_finish(&res);
    o = body_json();
    CU_ASSERT_EQUAL(strlen(field(o, "error")), sizeof big - 1);
    json_object_put(o);

    /* an error replaces a body built before */
    fresh(&res);
    response_json(&res, 200, "{\"partial\":true}");
    http_error(&res, 500, "failed");
    response_finish(&res);
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "{\"error\":\"failed\"}");
}

static void test_http_error_with(void)
{
    response res;
    fresh(&res);
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "code", json_object_new_string("PGRST116"));
    json_object_object_add(extra, "details", json_object_new_string("a/b \"c\""));
    json_object_object_add(extra, "hint", NULL);
    json_object_object_add(extra, "n", json_object_new_int(3));
    json_object_object_add(extra, "error", json_object_new_string("must not replace"));
    http_error_with(&res, 406, "JSON object requested, multiple (or no) rows returned", extra);
    response_finish(&res);
    CU_ASSERT_EQUAL(strncmp(memio_text(&M), "Status: 406 Not Acceptable\r\n", 28), 0);
    json_object *o = body_json();
    CU_ASSERT_STRING_EQUAL(field(o, "error"),
                           "JSON object requested, multiple (or no) rows returned");
    CU_ASSERT_STRING_EQUAL(field(o, "code"), "PGRST116");
    CU_ASSERT_STRING_EQUAL(field(o, "details"), "a/b \"c\"");
    json_object *v;
    CU_ASSERT_TRUE(json_object_object_get_ex(o, "hint", &v));
    CU_ASSERT_PTR_NULL(v);
    CU_ASSERT_TRUE(json_object_object_get_ex(o, "n", &v));
    CU_ASSERT_EQUAL(json_object_get_int(v), 3);
    json_object_put(o);
    CU_ASSERT_PTR_NULL(strstr(memio_body(&M), "\\/"));

    /* NULL extra is the plain error */
    fresh(&res);
    http_error_with(&res, 401, "nope", NULL);
    response_finish(&res);
    CU_ASSERT_STRING_EQUAL(memio_body(&M), "{\"error\":\"nope\"}");
}

void register_response_tests(void)
{
    CU_pSuite s = CU_add_suite("response", setup, teardown);
    CU_add_test(s, "JSON reply", test_json_reply);
    CU_add_test(s, "headers", test_headers);
    CU_add_test(s, "HEAD has no body", test_head);
    CU_add_test(s, "204/304 have no Content-Length", test_no_content);
    CU_add_test(s, "status reasons", test_reasons);
    CU_add_test(s, "streaming", test_streaming);
    CU_add_test(s, "streaming without begin, HEAD, client gone", test_streaming_implicit_begin);
    CU_add_test(s, "http_error", test_http_error);
    CU_add_test(s, "http_error_with", test_http_error_with);
}
