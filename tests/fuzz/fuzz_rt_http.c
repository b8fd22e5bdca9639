/* Fuzzes the realtime daemon's HTTP request-head reader (rt_http_parse,
 * on libhttp_parser) and its CGI parameter list (rt_http_cgi_params), the
 * first thing a WebSocket client's bytes meet. Invariants: a complete head
 * has a method and a URI, lies inside the input, names at most
 * RT_HTTP_MAX_HEADERS lower-case headers without CR, LF or ':' in names
 * and without CR or LF in values; every prefix of a complete head is
 * incomplete, never complete or bad (the daemon reads heads in pieces);
 * every CGI parameter is NAME=VALUE without a line break. Input: the bytes
 * a client sends. */
#include "harness.h"

#include "realtime/rt_http.h"

static void check_head(const rt_http_head *h, size_t len)
{
    FZ_ASSERT(h->method && h->uri, "complete head without method or URI");
    FZ_ASSERT(h->head_len > 0 && h->head_len <= len, "head of %zu bytes in %zu", h->head_len, len);
    FZ_ASSERT(h->count <= RT_HTTP_MAX_HEADERS, "%zu headers", h->count);
    for (size_t i = 0; i < h->count; i++) {
        for (const char *p = h->names[i]; *p; p++)
            FZ_ASSERT(*p != '\r' && *p != '\n' && *p != ':' && !(*p >= 'A' && *p <= 'Z'),
                      "header name '%s'", h->names[i]);
        FZ_ASSERT(!strpbrk(h->values[i], "\r\n"), "line break in header value");
    }
}

static void check_params(arena *a, const rt_http_head *h)
{
    char **params = rt_http_cgi_params(a, h, "127.0.0.1");
    FZ_ASSERT(params, "no CGI parameters");
    for (char **p = params; *p; p++)
        FZ_ASSERT(strchr(*p, '=') && !strpbrk(*p, "\r\n"), "CGI parameter '%s'", *p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    if (size > RT_HTTP_MAX_HEAD * 2)
        return 0;
    rt_http_head h;
    const char *why = NULL;
    rt_http_status st = rt_http_parse(a, (const char *)data, size, &h, &why);
    if (st == RT_HTTP_BAD)
        FZ_ASSERT(why && *why, "bad head without a reason");
    if (st != RT_HTTP_DONE)
        return 0;
    check_head(&h, size);
    check_params(a, &h);
    rt_http_head part;
    size_t cut = h.head_len - 1;
    FZ_ASSERT(rt_http_parse(a, (const char *)data, cut, &part, &why) == RT_HTTP_INCOMPLETE,
              "a prefix of %zu of a %zu-byte head is not incomplete", cut, h.head_len);
    return 0;
}
