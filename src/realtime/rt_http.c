/* HTTP request heads for the daemon; see rt_http.h. */
#include "realtime/rt_http.h"

#include "core/json_text.h"

#include <ctype.h>
#include <http_parser.h>
#include <string.h>
#include <strings.h>

typedef struct rt_http_parse_state {
    arena *a;
    rt_http_head *h;
    char *url;
    size_t url_len;
    char *field, *value;
    size_t field_len, value_len;
    bool in_value;
    bool too_many;
    bool complete;
} rt_http_parse_state;

static char *rt_http_append(arena *a, char *old, size_t old_len, const char *at, size_t n)
{
    char *s = arena_alloc(a, old_len + n + 1);
    if (old_len)
        memcpy(s, old, old_len);
    memcpy(s + old_len, at, n);
    s[old_len + n] = 0;
    return s;
}

static void rt_http_finish_header(rt_http_parse_state *st)
{
    if (!st->field)
        return;
    if (st->h->count >= RT_HTTP_MAX_HEADERS) {
        st->too_many = true;
    } else {
        for (char *p = st->field; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        st->h->names[st->h->count] = st->field;
        st->h->values[st->h->count] = st->value ? st->value : "";
        st->h->count++;
    }
    st->field = st->value = NULL;
    st->field_len = st->value_len = 0;
}

static int rt_on_url(http_parser *p, const char *at, size_t n)
{
    rt_http_parse_state *st = p->data;
    st->url = rt_http_append(st->a, st->url, st->url_len, at, n);
    st->url_len += n;
    return 0;
}

static int rt_on_field(http_parser *p, const char *at, size_t n)
{
    rt_http_parse_state *st = p->data;
    if (st->in_value) {
        rt_http_finish_header(st);
        st->in_value = false;
    }
    st->field = rt_http_append(st->a, st->field, st->field_len, at, n);
    st->field_len += n;
    return 0;
}

static int rt_on_value(http_parser *p, const char *at, size_t n)
{
    rt_http_parse_state *st = p->data;
    st->in_value = true;
    st->value = rt_http_append(st->a, st->value, st->value_len, at, n);
    st->value_len += n;
    return 0;
}

static int rt_on_headers_complete(http_parser *p)
{
    rt_http_parse_state *st = p->data;
    rt_http_finish_header(st);
    st->complete = true;
    http_parser_pause(p, 1); /* the head is all the daemon reads */
    return 0;
}

rt_http_status rt_http_parse(arena *a, const char *buf, size_t len, rt_http_head *head,
                             const char **why)
{
    static const http_parser_settings settings = {
        .on_url = rt_on_url,
        .on_header_field = rt_on_field,
        .on_header_value = rt_on_value,
        .on_headers_complete = rt_on_headers_complete,
    };
    memset(head, 0, sizeof(*head));
    rt_http_parse_state st = {.a = a, .h = head};
    http_parser parser;
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = &st;
    size_t used = http_parser_execute(&parser, &settings, buf, len);
    enum http_errno err = HTTP_PARSER_ERRNO(&parser);
    if (st.complete) {
        if (st.too_many) {
            *why = "too many request headers";
            return RT_HTTP_BAD;
        }
        head->method = http_method_str((enum http_method)parser.method);
        head->uri = st.url ? st.url : "/";
        /* the parser pauses on the final LF (of "\r\n\r\n", "\n\n" or a
         * mix); what follows it is body or WebSocket frames */
        head->head_len = used < len && buf[used] == '\n' ? used + 1 : used;
        const char *up = rt_http_header(head, "upgrade");
        head->upgrade = up && strcasecmp(up, "websocket") == 0;
        return RT_HTTP_DONE;
    }
    if (err != HPE_OK) {
        *why = http_errno_description(err);
        return RT_HTTP_BAD;
    }
    if (len >= RT_HTTP_MAX_HEAD) {
        *why = "request head too large";
        return RT_HTTP_BAD;
    }
    return RT_HTTP_INCOMPLETE;
}

const char *rt_http_header(const rt_http_head *h, const char *name)
{
    for (size_t i = 0; i < h->count; i++)
        if (strcmp(h->names[i], name) == 0)
            return h->values[i];
    return NULL;
}

/* accept-profile -> HTTP_ACCEPT_PROFILE */
static char *rt_http_cgi_name(arena *a, const char *name)
{
    size_t n = strlen(name);
    char *out = arena_alloc(a, n + 6);
    memcpy(out, "HTTP_", 5);
    for (size_t i = 0; i < n; i++)
        out[5 + i] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
    out[5 + n] = 0;
    return out;
}

char **rt_http_cgi_params(arena *a, const rt_http_head *h, const char *remote_addr)
{
    char **p = arena_zalloc(a, (h->count + 4) * sizeof(char *));
    size_t n = 0;
    p[n++] = arena_printf(a, "REQUEST_METHOD=%s", h->method);
    p[n++] = arena_printf(a, "REQUEST_URI=%s", h->uri);
    p[n++] = arena_printf(a, "REMOTE_ADDR=%s", remote_addr);
    for (size_t i = 0; i < h->count; i++)
        p[n++] = arena_printf(a, "%s=%s", rt_http_cgi_name(a, h->names[i]), h->values[i]);
    p[n] = NULL;
    return p;
}

static const char *rt_http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 422:
        return "Unprocessable Content";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

const char *rt_http_reply(arena *a, int status, const char *json_body, size_t *len)
{
    return rt_http_reply_with(a, status, NULL, json_body, len);
}

const char *rt_http_reply_with(arena *a, int status, const char *headers, const char *json_body,
                               size_t *len)
{
    size_t body_len = strlen(json_body);
    const char *text =
        arena_printf(a,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nCache-Control: no-store\r\n"
                     "%sConnection: close\r\n\r\n%s",
                     status, rt_http_reason(status), body_len, headers ? headers : "", json_body);
    *len = strlen(text);
    return text;
}

const char *rt_http_error_body(arena *a, const char *message)
{
    json_object *o = json_arena_owned(a, json_object_new_object());
    json_object_object_add(o, "error", json_object_new_string(message));
    return json_text(a, o);
}
