/* What a protocol sees of one WebSocket client: its id, address and
 * credentials, a per-message arena, and three operations (send a text or
 * binary message, close). The connection layer (rt_conn.c) implements
 * them; protocols (phoenix.c, livews.c) know nothing of sockets. */
#ifndef PGSTACK_RT_CLIENT_H
#define PGSTACK_RT_CLIENT_H

#include "core/arena.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rt_client rt_client;
typedef struct rt_context rt_context;

typedef struct rt_client_ops {
    /* false: not queued (closing, or the client is too slow and is being
     * dropped). */
    bool (*send)(rt_client *c, bool binary, const void *data, size_t len);
    void (*close)(rt_client *c, uint16_t code, const char *reason);
} rt_client_ops;

/* The verified credentials a client opened the socket with. */
typedef struct rt_auth {
    char *role;        /* anon | authenticated | service_role */
    char *claims_json; /* compact JSON of the verified claims */
    long long exp;     /* unix seconds, 0 when the token has none */
} rt_auth;

struct rt_client {
    const rt_client_ops *ops;
    rt_context *ctx;  /* the daemon's shared state */
    char id[33];      /* server-generated, 32 hex digits */
    const char *addr; /* client address (after trusted proxies) */
    rt_auth auth;
    arena *msg_arena; /* reset after each message */
    void *proto;      /* the protocol's state for this client */
    const struct rt_protocol *protocol;
};

static inline bool rt_client_send(rt_client *c, bool binary, const void *data, size_t len)
{
    return c->ops->send(c, binary, data, len);
}

static inline void rt_client_close(rt_client *c, uint16_t code, const char *reason)
{
    c->ops->close(c, code, reason);
}

/* A protocol spoken on a WebSocket path. */
typedef struct rt_protocol {
    const char *name;
    /* The socket is open; target is the path tail and query of the upgrade
     * (protocol specific). false: close at once. */
    bool (*open)(rt_client *c, const char *target, const char *vsn);
    void (*message)(rt_client *c, bool binary, const uint8_t *data, size_t len);
    /* The socket is gone: leave every channel. */
    void (*closed)(rt_client *c);
    /* Once per second: expire tokens and the like. */
    void (*tick)(rt_client *c, long long now_s);
} rt_protocol;

#endif
