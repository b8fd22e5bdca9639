/* The Phoenix channel protocol on /realtime/v1/websocket, as supabase-js
 * 2.x channels speak it: joins, heartbeats, broadcast, presence, tokens,
 * leaves (shared/spec/realtime-notes.md). */
#ifndef PGSTACK_PHOENIX_H
#define PGSTACK_PHOENIX_H

#include "core/arena.h"
#include "realtime/phx_frame.h"
#include "realtime/rt_client.h"
#include "realtime/rt_context.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern const rt_protocol phoenix_protocol;

/* Delivers a broadcast from outside any socket (REST) to every member of
 * topic ("realtime:room1"; priv: its private channel) on every daemon. false when the topic or
 * event is longer than 255 bytes. */
struct rt_bus;
/* Registers the handlers of what other daemons publish (phx_bus.c). */
void phoenix_bus_register(struct rt_bus *bus);
/* Publishes this daemon's presence entries again (another daemon said hello). */
void phoenix_bus_announce(rt_context *ctx);

bool phoenix_broadcast(rt_context *ctx, arena *a, const char *topic, bool priv, const char *event,
                       int encoding, const uint8_t *payload, size_t len);

#endif
