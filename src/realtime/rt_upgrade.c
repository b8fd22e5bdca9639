/* Routes and pre-upgrade checks; see rt_upgrade.h. */
#include "realtime/rt_upgrade.h"

#include "core/cors.h"
#include "core/json_text.h"
#include "core/request.h"
#include "worker/credentials.h"
#include "realtime/livequery.h"
#include "realtime/livews.h"
#include "realtime/phoenix.h"
#include "realtime/phx_rest.h"
#include "realtime/rt_auth.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RT_WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

typedef enum {
    RT_ROUTE_NONE,
    RT_ROUTE_PHOENIX,
    RT_ROUTE_CHANNEL,
    RT_ROUTE_PRESENCE,
    RT_ROUTE_QUERY,
    RT_ROUTE_BROADCAST,    /* POST /realtime/v1/api/broadcast */
    RT_ROUTE_BROADCAST_ONE /* POST /realtime/v1/api/broadcast/{topic}/events/{event} */
} rt_route;

const char *rt_upgrade_accept_key(arena *a, const char *key)
{
    const char *joined = arena_printf(a, "%s" RT_WS_GUID, key);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)joined, strlen(joined), digest);
    char *out = arena_alloc(a, 4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, digest, SHA_DIGEST_LENGTH);
    return out;
}

static void rt_fail(arena *a, rt_upgrade *out, int status, const char *message)
{
    out->status = status;
    out->reply = rt_http_reply_with(a, status, out->headers, rt_http_error_body(a, message),
                                    &out->reply_len);
}

static rt_route rt_route_of(const char *path, const char **target)
{
    if (strcmp(path, "/realtime/v1/websocket") == 0 || strcmp(path, "/realtime/v1/websocket/") == 0)
        return RT_ROUTE_PHOENIX;
    if (strcmp(path, "/realtime/v1/api/broadcast") == 0)
        return RT_ROUTE_BROADCAST;
    if (strncmp(path, "/realtime/v1/api/broadcast/", 27) == 0 && strstr(path + 27, "/events/")) {
        *target = path + 27;
        return RT_ROUTE_BROADCAST_ONE;
    }
    if (strncmp(path, "/ws/_presence/", 14) == 0 && path[14] && !strchr(path + 14, '/')) {
        *target = path + 14;
        return RT_ROUTE_PRESENCE;
    }
    if (strncmp(path, "/ws/", 4) == 0 && path[4] && !strchr(path + 4, '/')) {
        *target = path + 4;
        return livews_channel_valid(path + 4) ? RT_ROUTE_CHANNEL : RT_ROUTE_QUERY;
    }
    return RT_ROUTE_NONE;
}

/* Credentials as the workers read them, plus ?token= (the /ws form).
 * false after filling the 401 reply. */
static bool rt_check_auth(arena *a, rt_context *ctx, request *req, rt_upgrade *out)
{
    const char *token = query_get(&req->query, "token");
    const char *error = NULL;
    auth_ctx auth;
    if (token && !request_header(req, "authorization")) {
        if (!*token) {
            rt_fail(a, out, 401, "empty token");
            return false;
        }
        header_list *h = &req->headers; /* ?token= acts as a bearer token */
        header *items = arena_alloc(a, (h->count + 1) * sizeof(header));
        memcpy(items, h->items, h->count * sizeof(header));
        items[h->count] = (header){"authorization", arena_printf(a, "Bearer %s", token)};
        h->items = items;
        h->count++;
    }
    if (!credentials_resolve(req, &ctx->cfg, time(NULL), &auth, &error)) {
        rt_fail(a, out, 401, error);
        return false;
    }
    if (!auth.present) {
        rt_fail(a, out, 401, CREDENTIALS_MISSING_MESSAGE " (or ?apikey= / ?token=)");
        return false;
    }
    if (ctx->settings.require_authenticated && strcmp(auth.role, "anon") == 0) {
        rt_fail(a, out, 401,
                "REQUIRE_AUTHENTICATED_WS is on: the anon key is refused, send a user JWT");
        return false;
    }
    req->auth = &auth;
    json_object *claims = credentials_claims(req); /* owned by the arena */
    req->auth = NULL;
    rt_auth_from_claims(claims, auth.claims_json, &out->auth);
    out->role = auth.role;
    out->claims = claims;
    return true;
}

/* The Origin rule of the workers; Apache's proxy sends the public host in
 * X-Forwarded-Host. */
static bool rt_check_origin(arena *a, rt_context *ctx, request *req, rt_upgrade *out)
{
    const char *origin = request_header(req, "origin");
    const char *host = request_header(req, "x-forwarded-host");
    if (!host)
        host = req->host;
    if (origin && cors_check(&ctx->cfg, origin, host) == CORS_REFUSED) {
        rt_fail(a, out, 403, "origin not allowed (ALLOWED_ORIGINS)");
        return false;
    }
    return true;
}

static bool rt_check_capacity(arena *a, rt_context *ctx, rt_capacity *cap, rt_upgrade *out)
{
    if (cap->open_total >= (size_t)ctx->settings.max_connections) {
        rt_fail(a, out, 503, "connection limit reached (REALTIME_MAX_CONNECTIONS)");
        return false;
    }
    if (cap->count_addr(cap->data, out->client_addr) >=
        (size_t)ctx->settings.max_connections_per_ip) {
        rt_fail(a, out, 429,
                "too many connections from this address (REALTIME_MAX_CONNECTIONS_PER_IP)");
        return false;
    }
    return true;
}

/* The 101 reply, or a 400/426 when the WebSocket headers are wrong. */
static void rt_handshake(arena *a, const rt_http_head *head, rt_upgrade *out)
{
    const char *key = rt_http_header(head, "sec-websocket-key");
    const char *version = rt_http_header(head, "sec-websocket-version");
    if (!head->upgrade || strcmp(head->method, "GET") != 0) {
        rt_fail(a, out, 426, "this path needs a WebSocket upgrade (GET with Upgrade: websocket)");
        return;
    }
    if (!version || strcmp(version, "13") != 0) {
        rt_fail(a, out, 426, "Sec-WebSocket-Version must be 13");
        return;
    }
    if (!key || strlen(key) != 24) {
        rt_fail(a, out, 400, "missing or malformed Sec-WebSocket-Key");
        return;
    }
    out->status = 101;
    out->reply = arena_printf(a,
                              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                              rt_upgrade_accept_key(a, key));
    out->reply_len = strlen(out->reply);
}

/* A live query's registration and audience: 404, 403 or 503 when refused. */
static bool rt_check_query(arena *a, rt_context *ctx, const char *query_id, const rt_auth *auth,
                           json_object *claims, rt_upgrade *out)
{
    const char *audience = NULL;
    long long seq = 0;
    switch (livequery_lookup(ctx->live, query_id, &audience, &seq)) {
    case LQ_UNAVAILABLE:
        rt_fail(a, out, 503, "subscription metadata unavailable (database unreachable)");
        return false;
    case LQ_UNKNOWN:
        rt_fail(a, out, 404, "subscription not found: no live query is registered under this id");
        return false;
    case LQ_FOUND:
        break;
    }
    if (!livequery_audience_ok(audience, claims, auth->role)) {
        rt_fail(a, out, 403, "audience not satisfied: this live query is not for your token");
        return false;
    }
    return true;
}

static void rt_presence_reply(arena *a, rt_context *ctx, const char *channel, rt_upgrade *out)
{
    if (strcmp(out->method, "GET") != 0) {
        rt_fail(a, out, 405, "GET only");
        return;
    }
    out->status = 200;
    out->reply = rt_http_reply_with(a, 200, out->headers,
                                    livews_presence_json(a, ctx->topics, channel), &out->reply_len);
}

/* CORS header lines for a browser's call of a REST route: NULL without an
 * Origin or for a refused one (rt_check_origin answers 403 then). */
static const char *rt_cors_headers(arena *a, rt_context *ctx, request *req, bool preflight)
{
    const char *origin = request_header(req, "origin");
    const char *host = request_header(req, "x-forwarded-host");
    if (!origin || cors_check(&ctx->cfg, origin, host ? host : req->host) != CORS_ALLOWED)
        return NULL;
    if (!preflight)
        return arena_printf(a,
                            "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n"
                            "Access-Control-Expose-Headers: " CORS_EXPOSED_HEADERS "\r\n",
                            origin);
    return arena_printf(a,
                        "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n"
                        "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
                        "Access-Control-Allow-Headers: " CORS_ALLOWED_HEADERS "\r\n"
                        "Access-Control-Max-Age: 86400\r\n",
                        origin);
}

/* OPTIONS on a REST route: a browser's preflight (no credentials in it). */
static void rt_preflight(arena *a, rt_context *ctx, request *req, rt_upgrade *out)
{
    if (request_header(req, "origin") && !rt_check_origin(a, ctx, req, out))
        return; /* 403 */
    out->headers = rt_cors_headers(a, ctx, req, true);
    out->status = 204;
    out->reply = rt_http_reply_with(a, 204, out->headers, "", &out->reply_len);
}

/* The two REST broadcast endpoints (POST only). */
static void rt_broadcast_reply(arena *a, rt_context *ctx, rt_route route, const char *target,
                               const rt_http_head *head, request *req, rt_capacity *cap,
                               rt_upgrade *out)
{
    phx_rest_caller who = {.auth = &out->auth, .done = cap->rest_done, .data = cap->rest_data};
    if (strcmp(out->method, "POST") != 0) {
        rt_fail(a, out, 405, "POST only");
        return;
    }
    phx_rest_result r;
    if (route == RT_ROUTE_BROADCAST) {
        r = phx_rest_broadcast_batch(a, ctx, &who, head->body, head->body_len);
    } else {
        const char *sep = strstr(target, "/events/"), *last;
        while ((last = strstr(sep + 1, "/events/")) != NULL) /* the topic may hold one */
            sep = last;
        const char *type = request_header(req, "content-type");
        const char *priv = query_get(&req->query, "private");
        r = phx_rest_broadcast_one(a, ctx, &who, arena_strndup(a, target, (size_t)(sep - target)),
                                   sep + 8,
                                   type && strncasecmp(type, "application/octet-stream", 24) == 0,
                                   priv && strcmp(priv, "true") == 0, head->body, head->body_len);
    }
    if (r.status == 0) { /* private topics: checked first */
        out->status = 0;
        out->wait = who.wait;
        return;
    }
    if (r.status != 202) {
        rt_fail(a, out, r.status, r.error);
        return;
    }
    out->status = 202;
    out->reply = rt_http_reply_with(a, 202, out->headers, "", &out->reply_len);
}

void rt_upgrade_decide(arena *a, rt_context *ctx, const rt_http_head *head, const char *peer_addr,
                       rt_capacity *cap, rt_upgrade *out)
{
    memset(out, 0, sizeof(*out));
    out->method = head->method;
    out->path = "-";
    out->role = "-";
    out->client_addr = peer_addr;
    request req;
    request_error err;
    if (!request_parse(&req, a, rt_http_cgi_params(a, head, peer_addr), "", &ctx->cfg, &err)) {
        rt_fail(a, out, err.status, err.message);
        return;
    }
    out->path = req.full_path;
    out->client_addr = req.client_addr;
    const char *target = NULL;
    rt_route route = rt_route_of(req.full_path, &target);
    if (route == RT_ROUTE_NONE) {
        rt_fail(a, out, 404, "no such realtime endpoint");
        return;
    }
    bool rest = route == RT_ROUTE_BROADCAST || route == RT_ROUTE_BROADCAST_ONE ||
                route == RT_ROUTE_PRESENCE;
    if (rest && strcmp(head->method, "OPTIONS") == 0) {
        rt_preflight(a, ctx, &req, out);
        return;
    }
    if (rest)
        out->headers = rt_cors_headers(a, ctx, &req, false);
    if (!rt_check_auth(a, ctx, &req, out) || !rt_check_origin(a, ctx, &req, out))
        return;
    bool query_channel =
        route == RT_ROUTE_QUERY || (route == RT_ROUTE_PRESENCE && !livews_channel_valid(target));
    if (query_channel && !rt_check_query(a, ctx, target, &out->auth, out->claims, out))
        return;
    if (route == RT_ROUTE_PRESENCE) {
        rt_presence_reply(a, ctx, target, out);
        return;
    }
    if (route == RT_ROUTE_BROADCAST || route == RT_ROUTE_BROADCAST_ONE) {
        rt_broadcast_reply(a, ctx, route, target, head, &req, cap, out);
        return;
    }
    if (!rt_check_capacity(a, ctx, cap, out))
        return;
    rt_handshake(a, head, out);
    if (out->status != 101)
        return;
    out->protocol = route == RT_ROUTE_PHOENIX ? &phoenix_protocol : &livews_protocol;
    out->target = target;
    out->vsn = query_get(&req.query, "vsn");
}
