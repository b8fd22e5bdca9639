/* Several daemons behave as one: broadcasts and presence changes travel
 * between them as NOTIFY realtime_bus messages (JSON objects with "d", the
 * sending daemon's id, and "k", the kind). Protocols publish what happens
 * on their sockets; handlers registered by kind (main.c wires the
 * protocols' handlers) replay what other daemons published. A daemon that
 * starts says "hello" and the others announce their presence entries
 * again. A message over the NOTIFY limit stays on its daemon. Knows
 * nothing of sockets. */
#ifndef PGSTACK_RT_BUS_H
#define PGSTACK_RT_BUS_H

#include "realtime/rt_context.h"

#include <json-c/json.h>
#include <stdbool.h>

typedef void rt_bus_handler(rt_context *ctx, json_object *msg, const char *origin);
typedef bool rt_bus_sender(void *data, const char *payload);

#define RT_BUS_CHANNEL "realtime_bus"
#define RT_BUS_MAX_KINDS 16

typedef struct rt_bus {
    char id[17];
    rt_bus_sender *send; /* pg_notify on the LISTEN connection */
    void *send_data;
    struct {
        const char *kind;
        rt_bus_handler *fn;
    } handlers[RT_BUS_MAX_KINDS];
    int count;
    rt_bus_handler *on_hello; /* re-announce local presence */
} rt_bus;

void rt_bus_init(rt_bus *bus);
void rt_bus_register(rt_bus *bus, const char *kind, rt_bus_handler *fn);

/* Publishes msg (adds "d" and "k"); false when it could not be sent (no
 * database, or too large). Takes no ownership of msg. */
bool rt_bus_publish(rt_context *ctx, const char *kind, json_object *msg);

/* A NOTIFY realtime_bus payload arrived: runs its handler unless this
 * daemon sent it. */
void rt_bus_receive(rt_context *ctx, const char *payload);

#endif
