/* Building a request from FastCGI/CGI parameters; see request.h. */
#include "core/request.h"
#include "core/vec.h"

#include "core/netaddr.h"
#include "core/utf8.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *param_lookup(char *const *params, const char *name)
{
    size_t n = strlen(name);
    for (; params && *params; params++)
        if (strncmp(*params, name, n) == 0 && (*params)[n] == '=')
            return *params + n + 1;
    return NULL;
}

static void header_push(arena *a, header_list *l, const char *name, const char *value)
{
    l->items = vec_grow(a, l->items, l->count, &l->cap, l->count + 1, sizeof(header));
    l->items[l->count++] = (header){name, value};
}

/* HTTP_ACCEPT_PROFILE -> accept-profile */
static const char *header_name_from_param(arena *a, const char *name, size_t n)
{
    char *out = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        out[i] = name[i] == '_' ? '-' : (char)tolower((unsigned char)name[i]);
    out[n] = '\0';
    return out;
}

static void collect_headers(request *req, char *const *params)
{
    for (; params && *params; params++) {
        const char *p = *params, *eq = strchr(p, '=');
        if (!eq)
            continue;
        if (strncmp(p, "HTTP_", 5) == 0)
            header_push(req->arena, &req->headers,
                        header_name_from_param(req->arena, p + 5, (size_t)(eq - p - 5)), eq + 1);
        else if (strncmp(p, "CONTENT_TYPE=", 13) == 0 || strncmp(p, "CONTENT_LENGTH=", 15) == 0)
            header_push(req->arena, &req->headers,
                        header_name_from_param(req->arena, p, (size_t)(eq - p)), eq + 1);
    }
}

/* The raw path of the URI: REQUEST_URI up to '?', else SCRIPT_NAME + PATH_INFO. */
static const char *raw_path(arena *a, char *const *params, size_t *len)
{
    const char *uri = param_lookup(params, "REQUEST_URI");
    if (uri && *uri) {
        const char *q = strchr(uri, '?');
        *len = q ? (size_t)(q - uri) : strlen(uri);
        return uri;
    }
    const char *script = param_lookup(params, "SCRIPT_NAME");
    const char *info = param_lookup(params, "PATH_INFO");
    size_t ns = script ? strlen(script) : 0, ni = info ? strlen(info) : 0;
    char *joined = arena_alloc(a, ns + ni + 1);
    memcpy(joined, script ? script : "", ns);
    memcpy(joined + ns, info ? info : "", ni + 1);
    *len = strlen(joined);
    return joined;
}

static const char *query_string(char *const *params)
{
    const char *qs = param_lookup(params, "QUERY_STRING");
    if (qs)
        return qs;
    const char *uri = param_lookup(params, "REQUEST_URI");
    const char *q = uri ? strchr(uri, '?') : NULL;
    return q ? q + 1 : "";
}

static bool bad_request(request_error *err, int status, const char *message)
{
    err->status = status;
    err->message = message;
    return false;
}

static void split_prefix(request *req, const char *prefix)
{
    size_t n = strlen(prefix);
    const char *p = req->full_path;
    req->in_prefix = n > 0 && strncmp(p, prefix, n) == 0 && (p[n] == '\0' || p[n] == '/');
    req->path = req->in_prefix ? (p[n] ? p + n : "/") : p;
}

/* An HTTP method is a token of upper-case letters (RFC 9110 allows more
 * token characters, but no method in use has them). */
static bool method_valid(const char *m)
{
    size_t n = strlen(m);
    if (n == 0 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++)
        if (m[i] < 'A' || m[i] > 'Z')
            return false;
    return true;
}

/* Digits only; -1 when absent or malformed. */
static long parse_content_length(const char *v)
{
    if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 15)
        return -1;
    return strtol(v, NULL, 10);
}

bool request_parse(request *req, arena *a, char *const *params, const char *prefix,
                   const pgstack_config *cfg, request_error *err)
{
    memset(req, 0, sizeof(*req));
    req->arena = a;
    const char *method = param_lookup(params, "REQUEST_METHOD");
    req->method = method && *method ? method : "GET";
    if (!method_valid(req->method)) {
        req->method = "-";
        return bad_request(err, 400, "invalid request method");
    }
    collect_headers(req, params);
    req->host = request_header(req, "host");
    const char *length = param_lookup(params, "CONTENT_LENGTH");
    req->content_length = parse_content_length(length);
    if (req->content_length < 0 && length && *length)
        return bad_request(err, 400, "invalid Content-Length");

    const char *remote = param_lookup(params, "REMOTE_ADDR");
    req->client_addr = netaddr_client(
        a, remote ? remote : "", request_header(req, "x-forwarded-for"), &cfg->trusted_proxies);

    size_t path_len;
    const char *path = raw_path(a, params, &path_len);
    char *decoded;
    query_status st = percent_decode(a, path, path_len, false, &decoded);
    if (st != QUERY_OK)
        return bad_request(err, 400, arena_printf(a, "invalid path: %s", query_status_message(st)));
    req->full_path = *decoded ? decoded : "/";
    split_prefix(req, prefix);

    st = query_parse(a, query_string(params), (size_t)cfg->max_query_length, &req->query);
    if (st == QUERY_TOO_LONG)
        return bad_request(err, 400,
                           arena_printf(a, "query string longer than MAX_QUERY_LENGTH (%ld bytes)",
                                        cfg->max_query_length));
    if (st != QUERY_OK)
        return bad_request(err, 400,
                           arena_printf(a, "invalid query string: %s", query_status_message(st)));
    for (size_t i = 0; i < req->headers.count; i++)
        if (!utf8_valid(req->headers.items[i].value, strlen(req->headers.items[i].value)))
            return bad_request(
                err, 400,
                arena_printf(a, "invalid header %s: invalid UTF-8", req->headers.items[i].name));
    return true;
}

bool request_read_body(request *req, http_io *io, long max_body, request_error *err)
{
    if (req->content_length > max_body)
        return bad_request(
            err, 413, arena_printf(req->arena, "request body larger than %ld bytes", max_body));
    size_t cap = req->content_length > 0 ? (size_t)req->content_length : 0;
    size_t limit = (size_t)max_body;
    char *buf = arena_alloc(req->arena, cap + 1);
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            if (req->content_length >= 0)
                break; /* read exactly what was announced */
            size_t grown = cap ? cap * 2 : 4096;
            char *bigger = arena_alloc(req->arena, grown + 1);
            memcpy(bigger, buf, len);
            buf = bigger;
            cap = grown;
        }
        ssize_t n = io->read(io->ctx, buf + len, cap - len);
        if (n < 0)
            return bad_request(err, 400, "could not read the request body");
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > limit)
            return bad_request(
                err, 413, arena_printf(req->arena, "request body larger than %ld bytes", max_body));
    }
    if (req->content_length >= 0 && len < (size_t)req->content_length)
        return bad_request(err, 400, "request body shorter than Content-Length");
    buf[len] = '\0';
    req->body = buf;
    req->body_len = len;
    return true;
}

const char *request_header(const request *req, const char *name)
{
    for (size_t i = 0; i < req->headers.count; i++)
        if (strcmp(req->headers.items[i].name, name) == 0)
            return req->headers.items[i].value;
    return NULL;
}

const char *request_param(const request *req, const char *name)
{
    for (size_t i = 0; i < req->param_count; i++)
        if (strcmp(req->param_names[i], name) == 0)
            return req->param_values[i];
    return NULL;
}
