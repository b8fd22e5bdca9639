/* What to do with one HTTP request that reached the daemon: the routes
 * (/realtime/v1/websocket, /ws/_channel_{name}, GET /ws/_presence/{channel})
 * and the checks before an upgrade, in order: request syntax (400), route
 * (404), credentials (401; REQUIRE_AUTHENTICATED_WS refuses the anon key),
 * Origin (403), capacity (503 REALTIME_MAX_CONNECTIONS, 429 per address).
 * Produces either an HTTP reply or the 101 handshake and the protocol to
 * speak. Knows nothing of sockets. */
#ifndef PGSTACK_RT_UPGRADE_H
#define PGSTACK_RT_UPGRADE_H

#include "core/arena.h"
#include "realtime/phx_rest.h"
#include "realtime/rt_client.h"
#include "realtime/rt_context.h"
#include "realtime/rt_http.h"

#include <stddef.h>

typedef struct rt_upgrade {
    int status;        /* 101 for an upgrade, else the HTTP reply's status */
    const char *reply; /* bytes to write (handshake or whole reply) */
    size_t reply_len;
    const rt_protocol *protocol;      /* on 101 */
    const char *target;               /* on 101: channel name for the protocol */
    const char *vsn;                  /* on 101: ?vsn= */
    rt_auth auth;                     /* on 101: malloc'd, moved into the client */
    json_object *claims;              /* the verified claims (arena-owned) */
    const char *client_addr;          /* after trusted proxies */
    const char *method, *path, *role; /* for the log line */
    phx_rest_wait *wait;              /* status 0: the reply comes through rest_done */
    const char *headers;              /* CORS header lines of a REST reply, or NULL */
} rt_upgrade;

/* Counts of open connections the capacity checks need. */
typedef struct rt_capacity {
    size_t open_total;
    size_t open_from_addr; /* filled by the callback below */
    size_t (*count_addr)(void *data, const char *addr);
    void *data;
    /* Where a REST broadcast answered later (private topics) goes. */
    phx_rest_done_fn *rest_done;
    void *rest_data;
} rt_capacity;

void rt_upgrade_decide(arena *a, rt_context *ctx, const rt_http_head *head, const char *peer_addr,
                       rt_capacity *cap, rt_upgrade *out);

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key. */
const char *rt_upgrade_accept_key(arena *a, const char *key);

#endif
