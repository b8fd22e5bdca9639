/* Forwarding to the runtime; see proxy.h. */
#include "functions/proxy.h"

#include "core/errors.h"
#include "core/log.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Request headers never forwarded (the runtime frames its own request). */
static const char *const DROP_REQUEST[] = {
    "host",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "expect",
    "content-length",
    "proxy-connection",
    "proxy-authorization",
    "accept-encoding",
    "x-pgstack-deployment",
};
/* Reply headers not passed on (the web server frames the reply). */
static const char *const DROP_REPLY[] = {"connection", "keep-alive", "transfer-encoding",
                                         "content-length", "status"};

typedef struct proxy_call {
    response *res;
    size_t base_headers; /* pgstack's own (X-Request-Id, CORS) come first */
    int status;
    bool headers_done;
    bool client_gone;
} proxy_call;

static bool listed(const char *const *names, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == len && strncasecmp(names[i], name, len) == 0)
            return true;
    return false;
}

/* One reply header line: the status line, a header, or the blank line. */
static size_t on_header(char *line, size_t size, size_t n, void *userdata)
{
    proxy_call *call = userdata;
    size_t len = size * n, end = len;
    while (end > 0 && (line[end - 1] == '\r' || line[end - 1] == '\n'))
        end--;
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        const char *sp = memchr(line, ' ', end);
        call->status = sp ? atoi(sp + 1) : 502;
        call->res->headers.count = call->base_headers; /* after a 1xx reply: its headers go */
        return len;
    }
    if (end == 0) {
        if (call->status >= 200 && !call->headers_done) {
            call->headers_done = true;
            call->res->status = call->status;
            response_stream_begin(call->res);
        }
        return len;
    }
    const char *colon = memchr(line, ':', end);
    if (!colon || call->status < 200)
        return len;
    size_t name_len = (size_t)(colon - line);
    if (listed(DROP_REPLY, sizeof DROP_REPLY / sizeof DROP_REPLY[0], line, name_len))
        return len;
    const char *v = colon + 1;
    while (v < line + end && (*v == ' ' || *v == '\t'))
        v++;
    arena *a = call->res->arena;
    const char *name = arena_strndup(a, line, name_len);
    const char *text = arena_strndup(a, v, (size_t)(line + end - v));
    bool ours = false; /* the function's own value replaces pgstack's (CORS) */
    for (size_t i = 0; i < call->base_headers; i++)
        ours = ours || strcasecmp(call->res->headers.items[i].name, name) == 0;
    if (ours)
        response_set_header(call->res, name, text);
    else
        response_add_header(call->res, name, text);
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
    proxy_call *call = userdata;
    if (!call->headers_done)
        return size * n; /* the body of an interim reply */
    if (!response_stream_write(call->res, data, size * n)) {
        call->client_gone = true;
        return 0;
    }
    return size * n;
}

static struct curl_slist *request_headers(request *req, const char *deployment)
{
    struct curl_slist *list = NULL;
    char line[8192];
    for (size_t i = 0; i < req->headers.count; i++) {
        const char *name = req->headers.items[i].name;
        if (listed(DROP_REQUEST, sizeof DROP_REQUEST / sizeof DROP_REQUEST[0], name, strlen(name)))
            continue;
        if (strpbrk(req->headers.items[i].value, "\r\n"))
            continue;
        snprintf(line, sizeof line, "%s: %s", name, req->headers.items[i].value);
        list = curl_slist_append(list, line);
    }
    snprintf(line, sizeof line, "x-forwarded-for: %s", req->client_addr ? req->client_addr : "");
    list = curl_slist_append(list, line);
    snprintf(line, sizeof line, "x-pgstack-deployment: %s", deployment);
    list = curl_slist_append(list, line);
    list = curl_slist_append(list, "Expect:");
    list = curl_slist_append(list, "Accept:"); /* only the caller's, if any */
    if (!request_header(req, "content-type"))
        list = curl_slist_append(list, "Content-Type:");
    return list;
}

static CURL *worker_handle(void)
{
    static CURL *handle;
    if (!handle) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        handle = curl_easy_init();
    } else {
        curl_easy_reset(handle);
    }
    return handle;
}

static void configure(CURL *c, request *req, const functions_settings *s, const char *url,
                      struct curl_slist *headers, proxy_call *call)
{
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, functions_runtime_socket(s));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, call);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, call);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (s->timeout_s + 30) * 1000L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, NULL);
    if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (req->body_len > 0 || strcmp(req->method, "POST") == 0 ||
               strcmp(req->method, "PUT") == 0 || strcmp(req->method, "PATCH") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    }
}

void functions_proxy(request *req, response *res, const functions_settings *s,
                     const char *path_and_query, const char *deployment)
{
    CURL *c = worker_handle();
    if (!c) {
        http_error(res, 502, "edge runtime unavailable");
        return;
    }
    proxy_call call = {res, res->headers.count, 0, false, false};
    struct curl_slist *headers = request_headers(req, deployment);
    const char *url = arena_printf(req->arena, "http://localhost%s", path_and_query);
    configure(c, req, s, url, headers, &call);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    if (rc == CURLE_OK || call.headers_done || call.client_gone) {
        if (rc != CURLE_OK && !call.client_gone)
            log_event("functions: reply of %s cut short: %s", deployment, curl_easy_strerror(rc));
        return;
    }
    res->headers.count = call.base_headers;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        http_error(res, 504, "the edge runtime did not answer in time");
        return;
    }
    log_event("functions: runtime unavailable for %s: %s", deployment, curl_easy_strerror(rc));
    http_error(res, 502, "edge runtime unavailable");
}
