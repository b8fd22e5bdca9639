/* Forwarding to a function's own process; see proxy.h. */
#include "functions/proxy.h"

#include "core/digest.h"
#include "core/errors.h"
#include "core/log.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Request headers never forwarded (libcurl frames its own request). Host
 * is the caller's, so req.url in the function names the public host. */
static const char *const DROP_REQUEST[] = {
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
    "x-pgstack-deployment",
};
/* Reply headers not passed on (the web server frames the reply). */
static const char *const DROP_REPLY[] = {"connection", "keep-alive", "transfer-encoding",
                                         "content-length", "status"};

/* How long the runtime may take to start a function (deno downloads npm:
 * and jsr: imports then) and to say why an invocation failed. */
#define ENSURE_TIMEOUT_MS 70000L
#define CONTROL_REPLY_MAX 65536
#define ENSURE_ATTEMPTS 3

typedef struct proxy_call {
    response *res;
    size_t base_headers; /* pgstack's own (X-Request-Id, CORS) come first */
    int status;
    bool sent; /* the request went out on a connection: never send it again */
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

static struct curl_slist *request_headers(request *req)
{
    struct curl_slist *list = NULL;
    char line[8192];
    for (size_t i = 0; i < req->headers.count; i++) {
        const char *name = req->headers.items[i].name;
        if (listed(DROP_REQUEST, sizeof DROP_REQUEST / sizeof DROP_REQUEST[0], name, strlen(name)))
            continue;
        if (strpbrk(name, "\r\n:") || strpbrk(req->headers.items[i].value, "\r\n"))
            continue;
        snprintf(line, sizeof line, "%s: %s", name, req->headers.items[i].value);
        list = curl_slist_append(list, line);
    }
    snprintf(line, sizeof line, "x-forwarded-for: %s", req->client_addr ? req->client_addr : "");
    list = curl_slist_append(list, line);
    list = curl_slist_append(list, "Expect:");
    list = curl_slist_append(list, "Accept:"); /* only the caller's, if any */
    if (!request_header(req, "content-type"))
        list = curl_slist_append(list, "Content-Type:");
    return list;
}

/* The worker's handles, made once: curl keeps each one's connections open
 * between requests (one to each function process this worker calls, one
 * to the runtime). */
static CURL *worker_handle(int which)
{
    static CURL *handles[2];
    if (!handles[0]) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        handles[0] = curl_easy_init();
        handles[1] = curl_easy_init();
    }
    CURL *c = handles[which];
    if (c)
        curl_easy_reset(c);
    return c;
}

static int on_prereq(void *userdata, char *conn_primary_ip, char *conn_local_ip,
                     int conn_primary_port, int conn_local_port)
{
    (void)conn_primary_ip;
    (void)conn_local_ip;
    (void)conn_primary_port;
    (void)conn_local_port;
    ((proxy_call *)userdata)->sent = true;
    return CURL_PREREQFUNC_OK;
}

static void configure(CURL *c, request *req, const functions_settings *s, const char *socket,
                      const char *url, struct curl_slist *headers, proxy_call *call)
{
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, call);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, call);
    curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(c, CURLOPT_PREREQDATA, call);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s->timeout_s * 1000L);
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

const char *functions_proxy_socket(arena *a, const functions_settings *s, const char *deployment)
{
    char hash[65];
    sha256_hex(deployment, strlen(deployment), hash);
    hash[24] = '\0';
    return arena_printf(a, "%s/sock/%s.sock", s->runtime_dir, hash);
}

typedef struct control_reply {
    char *data;
    size_t len;
    arena *a;
} control_reply;

static size_t on_control_body(char *data, size_t size, size_t n, void *userdata)
{
    control_reply *r = userdata;
    size_t len = size * n;
    if (r->len + len > CONTROL_REPLY_MAX)
        return 0;
    char *grown = arena_alloc(r->a, r->len + len + 1);
    if (r->len)
        memcpy(grown, r->data, r->len);
    memcpy(grown + r->len, data, len);
    grown[r->len + len] = '\0';
    r->data = grown;
    r->len += len;
    return len;
}

/* POST /_pgstack/<what> to the runtime; its status (0: unreachable) and
 * JSON reply in *body. */
static long runtime_call(request *req, const functions_settings *s, const char *what,
                         const char *deployment, bool timed_out, const char **body)
{
    CURL *c = worker_handle(1);
    if (!c)
        return 0;
    control_reply reply = {NULL, 0, req->arena};
    struct curl_slist *h = NULL;
    char line[512];
    snprintf(line, sizeof line, "x-pgstack-deployment: %s", deployment);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, timed_out ? "x-pgstack-timed-out: 1" : "x-pgstack-timed-out: 0");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, functions_runtime_socket(s));
    curl_easy_setopt(c, CURLOPT_URL,
                     arena_printf(req->arena, "http://localhost/_pgstack/%s", what));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_control_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ENSURE_TIMEOUT_MS);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(h);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        log_event("functions: runtime %s for %s: %s", what, deployment, curl_easy_strerror(rc));
    *body = reply.data ? reply.data : "";
    return status;
}

/* The runtime starts the deployment's process: its socket, or NULL with
 * the reply in res. */
static const char *ensure_started(request *req, response *res, const functions_settings *s,
                                  const char *deployment)
{
    const char *body;
    long status = runtime_call(req, s, "ensure", deployment, false, &body);
    if (status == 0) {
        http_error(res, 502, "edge runtime unavailable");
        return NULL;
    }
    json_object *doc = json_tokener_parse(body);
    json_object *path = NULL;
    const char *socket = NULL;
    if (status == 200 && json_object_object_get_ex(doc, "socket", &path))
        socket = arena_strdup(req->arena, json_object_get_string(path));
    json_object_put(doc);
    if (!socket) {
        if (status == 200)
            http_error(res, 502, "edge runtime unavailable");
        else
            response_json(res, (int)status, body);
    }
    return socket;
}

/* The invocation failed after it was sent: the runtime says why. */
static void reply_failure(request *req, response *res, const functions_settings *s,
                          const char *deployment, bool timed_out)
{
    const char *body;
    long status = runtime_call(req, s, "failed", deployment, timed_out, &body);
    if (status >= 400 && *body == '{')
        response_json(res, (int)status, body);
    else if (timed_out)
        http_error(res, 504, "the function did not finish within FUNCTIONS_TIMEOUT");
    else
        http_error(res, 502, "edge runtime unavailable");
}

static CURLcode perform(request *req, const functions_settings *s, const char *socket,
                        const char *url, proxy_call *call)
{
    CURL *c = worker_handle(0);
    if (!c)
        return CURLE_FAILED_INIT;
    struct curl_slist *headers = request_headers(req);
    configure(c, req, s, socket, url, headers, call);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    return rc;
}

void functions_proxy(request *req, response *res, const functions_settings *s,
                     const char *path_and_query, const char *deployment)
{
    proxy_call call = {res, res->headers.count, 0, false, false, false};
    const char *url = arena_printf(req->arena, "http://localhost%s", path_and_query);
    const char *socket = functions_proxy_socket(req->arena, s, deployment);
    CURLcode rc = perform(req, s, socket, url, &call);
    /* No process serves this deployment yet (cold start, new version), or
     * the one found was just ending (idle, replaced): the runtime starts
     * one. Nothing was sent, so trying again runs the request once. */
    for (int attempt = 0; rc == CURLE_COULDNT_CONNECT && !call.sent && attempt < ENSURE_ATTEMPTS;
         attempt++) {
        if (attempt > 0)
            nanosleep(&(struct timespec){0, 100 * 1000000L}, NULL);
        socket = ensure_started(req, res, s, deployment);
        if (!socket)
            return;
        rc = perform(req, s, socket, url, &call);
    }
    if (rc == CURLE_OK || call.client_gone)
        return;
    bool timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    if (call.headers_done) {
        log_event("functions: reply of %s cut short: %s", deployment, curl_easy_strerror(rc));
        const char *ignored;
        if (timed_out) /* ends a looping process */
            runtime_call(req, s, "failed", deployment, true, &ignored);
        return;
    }
    res->headers.count = call.base_headers;
    if (!call.sent) {
        log_event("functions: cannot reach %s: %s", deployment, curl_easy_strerror(rc));
        http_error(res, 502, "edge runtime unavailable");
        return;
    }
    reply_failure(req, res, s, deployment, timed_out);
}
