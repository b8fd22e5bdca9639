/* The bus between daemons; see rt_bus.h. */
#include "realtime/rt_bus.h"

#include "core/json_text.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#define RT_BUS_MAX_PAYLOAD (8000 - 12 - 100) /* NOTIFY's limit less the channel name */

void rt_bus_init(rt_bus *bus)
{
    unsigned char raw[8];
    RAND_bytes(raw, sizeof(raw));
    for (int i = 0; i < 8; i++)
        snprintf(bus->id + 2 * i, 3, "%02x", raw[i]);
    bus->count = 0;
}

void rt_bus_register(rt_bus *bus, const char *kind, rt_bus_handler *fn)
{
    if (bus->count < RT_BUS_MAX_KINDS) {
        bus->handlers[bus->count].kind = kind;
        bus->handlers[bus->count].fn = fn;
        bus->count++;
    }
}

bool rt_bus_publish(rt_context *ctx, const char *kind, json_object *msg)
{
    rt_bus *bus = ctx->bus;
    if (!bus || !bus->send)
        return false;
    json_object_object_add(msg, "d", json_object_new_string(bus->id));
    json_object_object_add(msg, "k", json_object_new_string(kind));
    const char *text = json_text(ctx->work, msg);
    if (strlen(text) > RT_BUS_MAX_PAYLOAD)
        return false;
    return bus->send(bus->send_data, text);
}

void rt_bus_receive(rt_context *ctx, const char *payload)
{
    rt_bus *bus = ctx->bus;
    json_object *msg = bus ? json_parse_exact(payload, strlen(payload)) : NULL;
    if (!msg)
        return;
    json_arena_owned(ctx->work, msg);
    json_object *d, *k;
    const char *origin = json_object_object_get_ex(msg, "d", &d) ? json_plain_string(d) : NULL;
    const char *kind = json_object_object_get_ex(msg, "k", &k) ? json_plain_string(k) : NULL;
    if (!origin || !kind || strcmp(origin, bus->id) == 0)
        return;
    for (int i = 0; i < bus->count; i++)
        if (strcmp(bus->handlers[i].kind, kind) == 0)
            bus->handlers[i].fn(ctx, msg, origin);
}
